// SPDX-License-Identifier: MIT
// engine.cache: normalisation, caches (put, lookup, compare, entries, invalidation,
// thresholds, stats), single flight, embedders (local, default, Gemini against the
// loopback fake), the block cache, lifetimes and finalizers — on every backend.
'use strict';

const assert = require('node:assert/strict');
const { describe, test, before, after } = require('node:test');

const h = require('./helpers');
const { Fakes } = require('./fakes');

const { collectUntil, openEngine, rejectsArgument, rejectsWith, throwsArgument, vidgo } = h;
const { CacheAPI, Cache, Embedder } = require('../lib/cache');

const SCOPE = { service: 'image_1024', resolution: 1024 };
const SNEAKER = 'a red sneaker on a white table';
const GEMINI_KEY = 'gemini-test-key-4242';

delete process.env.GEMINI_API_KEY; // the engine's key decides, not the environment

async function withCache(t, backend, options, engineOptions) {
  const engine = await openEngine(t, backend, engineOptions);
  const cache = await engine.cache.open(options);
  t.after(() => cache.close());
  return { engine, cache };
}

function norm(vector) {
  return Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0));
}

describe('cache: pure functions', () => {
  test('normalize folds case and width and collapses white space', () => {
    assert.equal(CacheAPI.normalize('  Ｈｅｌｌｏ   WORLD\n'), 'hello world');
    assert.equal(CacheAPI.normalize('Ça\tVA'), 'ça va');
  });

  test('normalize rejects empty, too long and bad prompts', () => {
    assert.throws(() => CacheAPI.normalize('   '), (err) => err instanceof vidgo.PromptEmpty &&
      err.code === 'VG_EPROMPT_EMPTY');
    assert.throws(() => CacheAPI.normalize('x'.repeat(2001)), vidgo.PromptTooLong);
    throwsArgument(() => CacheAPI.normalize(5), TypeError);
    throwsArgument(() => CacheAPI.normalize(), TypeError);
    throwsArgument(() => CacheAPI.normalize('a\0b'), RangeError);
  });

  test('default options are vg_cache_options_init\'s', () => {
    assert.deepEqual(CacheAPI.defaultOptions(), CacheAPI.prototype.defaultOptions());
    assert.deepEqual(CacheAPI.defaultOptions(), {
      threshold: 0, secondGate: true, shadow: false, maxEntries: 0, quantize: 'auto',
      threads: 0, flightWaitMs: 0, negativeTtlS: 0,
    });
  });
});

for (const backend of h.backends()) {
  describe(`cache on ${backend}`, () => {
    test('an exact hit is found by the normalised prompt, in its scope only', async (t) => {
      const { engine, cache } = await withCache(t, backend);
      assert.equal(engine.cache.normalize('A  B'), 'a b');
      const id = await cache.put(SCOPE, SNEAKER, '{"url":"a"}', { costMicroUsd: 40000, ttlS: 3600 });
      assert.equal(typeof id, 'number');
      const hit = await cache.lookup(SCOPE, '  A Red  SNEAKER on a white table ');
      assert.equal(hit.match, 'exact');
      assert.equal(hit.hit, true);
      assert.equal(hit.similarity, 1);
      assert.equal(hit.entry.id, id);
      assert.equal(hit.entry.result, '{"url":"a"}');
      assert.equal(hit.entry.prompt, SNEAKER);
      assert.equal(hit.entry.costMicroUsd, 40000);
      assert.equal(hit.entry.fingerprint, 'local/hashed-ngrams-v1/768');
      assert.ok(hit.entry.expiresAt instanceof Date);
      assert.ok(hit.entry.createdAt instanceof Date);
      assert.equal(hit.entry.hits, 1);
      const other = await cache.lookup({ ...SCOPE, resolution: 512 }, SNEAKER);
      assert.equal(other.match, 'miss');
      assert.equal(other.hit, false);
      assert.equal((await cache.lookup({ ...SCOPE, style: 'noir' }, SNEAKER)).hit, false);
      assert.equal((await cache.lookup({ ...SCOPE, inputHash: 'ab12' }, SNEAKER)).hit, false);
      assert.equal((await cache.lookup('video_720p', SNEAKER)).hit, false);
      const stats = await cache.stats();
      assert.equal(stats.exactHits, 1);
      assert.equal(stats.misses, 4);
      assert.equal(stats.savedMicroUsd, 40000);
      assert.equal(stats.entries, 1);
      assert.equal(stats.scopes, 1);
      assert.ok(stats.bytesPerEntry > 0);
      assert.match(stats.scanPath, /^(avx2|portable)$/);
    });

    test('a semantic hit needs the threshold and the second gate', async (t) => {
      const { cache } = await withCache(t, backend);
      await cache.put(SCOPE, SNEAKER, 'r');
      const near = await cache.lookup(SCOPE, 'red sneakers on a white table');
      assert.equal(near.match, 'semantic');
      assert.ok(near.similarity >= 0.85 && near.similarity < 1);
      assert.equal(near.threshold, 0.85);
      const blue = await cache.lookup(SCOPE, 'a blue sneaker on a white table');
      assert.equal(blue.match, 'miss');
      assert.equal(blue.gateRejected, true);
      assert.equal(blue.entry.prompt, SNEAKER); // the best candidate
      const comparison = await cache.compare('a red sneaker', 'a blue sneaker');
      assert.ok(comparison.similarity > 0 && comparison.similarity < 1);
      assert.equal(comparison.gateAgrees, false);
      assert.equal((await cache.compare('a cat', 'A  CAT')).similarity, 1);
      await cache.setThreshold(0.95, { scope: SCOPE });
      const strict = await cache.lookup(SCOPE, 'red sneakers on a white table');
      assert.equal(strict.match, 'miss');
      assert.equal(strict.threshold, 0.95);
      await cache.setThreshold(-1, { scope: SCOPE });
      await cache.setThreshold(0.8);
      assert.equal((await cache.lookup(SCOPE, 'red sneakers on a white table')).threshold, 0.8);
      await rejectsWith(cache.setThreshold(1.5), 'VG_ERANGE', vidgo.InvalidArgument);
      const stats = await cache.stats();
      assert.ok(stats.semanticHits >= 2 && stats.gateRejections >= 1);
    });

    test('shadow mode records a semantic hit and serves only exact ones', async (t) => {
      const { cache } = await withCache(t, backend, { shadow: true, quantize: 'off', threads: 1 });
      await cache.put(SCOPE, SNEAKER, 'r');
      const shadow = await cache.lookup(SCOPE, 'red sneakers on a white table');
      assert.equal(shadow.match, 'miss');
      assert.equal(shadow.shadow, true);
      assert.equal((await cache.lookup(SCOPE, SNEAKER)).match, 'exact');
      assert.equal((await cache.stats()).shadowHits, 1);
    });

    test('owner-only entries serve their owner alone', async (t) => {
      const { cache } = await withCache(t, backend);
      await cache.put(SCOPE, 'a green teapot', 'mine', { ownerId: 7, ownerOnly: true });
      assert.equal((await cache.lookup(SCOPE, 'a green teapot')).hit, false);
      assert.equal((await cache.lookup(SCOPE, 'a green teapot', { userId: 8 })).hit, false);
      const own = await cache.lookup(SCOPE, 'a green teapot', { userId: 7 });
      assert.equal(own.hit, true);
      assert.equal(own.entry.ownerId, 7);
      assert.equal(own.entry.ownerOnly, true);
    });

    test('entries are listed, invalidated, and seen by another cache of the store', async (t) => {
      const { engine, cache } = await withCache(t, backend, { maxEntries: 100, threshold: 0.9 });
      const a = await cache.put(SCOPE, 'a paper crane', '1');
      const b = await cache.put(SCOPE, 'a glass vase', '2');
      const c = await cache.put('image_512', 'a paper crane', '3');
      assert.deepEqual((await cache.entries()).map((e) => e.id), [a, b, c]);
      assert.deepEqual((await cache.entries({ scope: SCOPE })).map((e) => e.id), [a, b]);
      assert.deepEqual((await cache.entries({ scope: 'image_512' }))[0].result, '3');
      const second = await engine.cache.open();
      t.after(() => second.close());
      assert.equal((await second.lookup(SCOPE, 'a glass vase')).entry.id, b);
      await cache.invalidate(a);
      await rejectsWith(cache.invalidate(a), 'VG_ENOTFOUND', vidgo.NotFound);
      assert.equal(await cache.invalidateScope(SCOPE), 1);
      assert.equal(await cache.invalidateScope(SCOPE), 0);
      assert.deepEqual((await cache.entries()).map((e) => e.id), [c]);
      assert.equal((await second.lookup(SCOPE, 'a glass vase')).hit, false);
    });

    test('prompts and results are checked by the library', async (t) => {
      const { cache } = await withCache(t, backend);
      await rejectsWith(cache.put(SCOPE, '   ', 'r'), 'VG_EPROMPT_EMPTY', vidgo.PromptEmpty);
      await rejectsWith(cache.lookup(SCOPE, 'x'.repeat(2001)), 'VG_EPROMPT_TOO_LONG',
        vidgo.PromptTooLong);
      await rejectsWith(cache.put(SCOPE, 'a prompt', ''), 'VG_EINVAL', vidgo.InvalidArgument);
      await rejectsWith(cache.put(SCOPE, 'a prompt', 'r'.repeat(1001)), 'VG_EINVAL',
        vidgo.InvalidArgument);
      await rejectsWith(cache.compare('', 'b'), 'VG_EPROMPT_EMPTY', vidgo.InvalidPrompt);
      assert.deepEqual(await cache.entries(), []);
    });

    test('bad arguments reject with TypeError or RangeError and change nothing', async (t) => {
      const { engine, cache } = await withCache(t, backend);
      await cache.put(SCOPE, 'kept', 'r');
      await rejectsArgument(cache.put(5, 'p', 'r'), TypeError);
      await rejectsArgument(cache.put({}, 'p', 'r'), TypeError);
      await rejectsArgument(cache.put(null, 'p', 'r'), TypeError);
      await rejectsArgument(cache.put({ service: 'x', resolution: -1 }, 'p', 'r'), RangeError);
      await rejectsArgument(cache.put({ service: 'x', style: 3 }, 'p', 'r'), TypeError);
      await rejectsArgument(cache.put(SCOPE, 'p', 'r', { ttlS: -5 }), RangeError);
      await rejectsArgument(cache.put(SCOPE, 'p', 'r', { ownerOnly: 'yes' }), TypeError);
      await rejectsArgument(cache.put(SCOPE, 'p', 'r', 'options'), TypeError);
      await rejectsArgument(cache.put(SCOPE, 'p', 7), TypeError);
      await rejectsArgument(cache.lookup(SCOPE, null), TypeError);
      await rejectsArgument(cache.lookup(SCOPE, 'p', { userId: 'me' }), TypeError);
      await rejectsArgument(cache.invalidate('1'), TypeError);
      await rejectsArgument(cache.invalidateScope(), TypeError);
      await rejectsArgument(cache.setThreshold('high'), TypeError);
      await rejectsArgument(cache.setThreshold(NaN), RangeError);
      await rejectsArgument(cache.entries({ scope: 9 }), TypeError);
      await rejectsArgument(cache.compare('a'), TypeError);
      await rejectsArgument(cache.begin(SCOPE, 5), TypeError);
      await rejectsArgument(engine.cache.open({ threshold: 2 }), RangeError);
      await rejectsArgument(engine.cache.open({ threshold: 'x' }), TypeError);
      await rejectsArgument(engine.cache.open({ quantize: 'maybe' }), RangeError);
      await rejectsArgument(engine.cache.open({ maxEntries: -1 }), RangeError);
      await rejectsArgument(engine.cache.open({ secondGate: 1 }), TypeError);
      await rejectsArgument(engine.cache.open({ bogus: 1 }), TypeError);
      await rejectsArgument(engine.cache.open({ embedder: 'bogus' }), TypeError);
      await rejectsArgument(engine.cache.open({ embedder: {} }), TypeError);
      await rejectsArgument(engine.cache.open(5), TypeError);
      await rejectsArgument(engine.cache.blockPut('p', 5), TypeError);
      await rejectsArgument(engine.cache.blockPut('p', 'adult', { ttlS: 1.5 }), RangeError);
      await rejectsArgument(engine.cache.blockGet(), TypeError);
      assert.deepEqual((await cache.entries()).map((e) => e.prompt), ['kept']);
      assert.equal(await engine.cache.blockGet('p'), null);
    });

    test('many lookups and puts at once stay consistent', async (t) => {
      const { cache } = await withCache(t, backend);
      const ids = await Promise.all(Array.from({ length: 20 },
        (_, i) => cache.put(SCOPE, `product shot number ${i}`, `r${i}`)));
      assert.equal(new Set(ids).size, 20);
      const hits = await Promise.all(Array.from({ length: 60 },
        (_, i) => cache.lookup(SCOPE, `product shot number ${i % 20}`)));
      hits.forEach((hit, i) => {
        assert.equal(hit.match, 'exact');
        assert.equal(hit.entry.result, `r${i % 20}`);
      });
      const stats = await cache.stats();
      assert.equal(stats.exactHits, 60);
      assert.equal(stats.entries, 20);
    });

    test('a flight is done once; a repeat then hits', async (t) => {
      const { cache } = await withCache(t, backend);
      const { hit, flight } = await cache.begin('image_512', 'a paper crane');
      assert.equal(hit.match, 'miss');
      assert.ok(flight);
      assert.equal(flight.ended, false);
      await flight.done('{"url":"crane"}', { costMicroUsd: 10, ttlS: 60 });
      assert.equal(flight.ended, true);
      await assert.rejects(flight.done('again'), vidgo.ClosedError);
      flight.fail(); // ended: nothing happens
      const again = await cache.begin('image_512', 'A paper  crane');
      assert.equal(again.hit.match, 'exact');
      assert.equal(again.hit.entry.result, '{"url":"crane"}');
      assert.equal(again.hit.entry.costMicroUsd, 10);
      assert.equal(again.flight, null);
      const mine = await cache.begin('image_512', 'my own crane', { userId: 5 });
      await mine.flight.done('own', { ownerOnly: true });
      assert.equal((await cache.lookup('image_512', 'my own crane')).hit, false);
      // Argument errors leave the flight open.
      const open = await cache.begin('image_512', 'still open');
      await rejectsArgument(open.flight.done(5), TypeError);
      await rejectsArgument(open.flight.done('r', { ttlS: -1 }), RangeError);
      assert.equal(open.flight.ended, false);
      await open.flight.done('r');
      assert.equal((await cache.lookup('image_512', 'still open')).hit, true);
    });

    test('a failed flight is remembered, and a near-duplicate waits for one in flight', async (t) => {
      const { cache } = await withCache(t, backend, { negativeTtlS: 60, flightWaitMs: 10000 });
      const failing = await cache.begin('image_512', 'a failing prompt');
      failing.flight.fail();
      assert.equal(failing.flight.ended, true);
      await assert.rejects(cache.begin('image_512', 'a failing prompt'), (err) => {
        assert.ok(err instanceof vidgo.JobFailed, err.stack);
        assert.equal(err.code, 'VG_EJOB_FAILED');
        assert.match(err.message, /failed to generate/); // libvidgo's message, from its thread
        assert.ok(err.userMessage);
        return true;
      });
      const first = await cache.begin('image_512', 'a wooden chair');
      const waiting = cache.begin('image_512', 'a wooden chair');
      await new Promise((resolve) => setTimeout(resolve, 50));
      await first.flight.done('chair');
      const second = await waiting;
      assert.equal(second.hit.match, 'exact');
      assert.equal(second.hit.entry.result, 'chair');
      assert.equal(second.flight, null);
    });

    test('more waiters than the thread pool has threads do not starve the flight', async (t) => {
      const { cache } = await withCache(t, backend, { flightWaitMs: 60000 });
      const pool = Number(process.env.UV_THREADPOOL_SIZE) || 4;
      const first = await cache.begin('image_512', 'a crowded prompt');
      const started = Date.now();
      const waiters = Array.from({ length: pool * 2 },
        () => cache.begin('image_512', 'a crowded prompt'));
      await new Promise((resolve) => setTimeout(resolve, 100));
      await first.flight.done('crowd'); // needs a pool thread while the waiters wait
      const answers = await Promise.all(waiters);
      assert.ok(Date.now() - started < 30000);
      for (const { hit, flight } of answers) {
        assert.equal(hit.match, 'exact');
        assert.equal(flight, null);
      }
    });

    test('the block cache remembers a verdict for its time', async (t) => {
      const engine = await openEngine(t, backend, { clock: new Date('2026-11-25T10:00:00Z') });
      assert.equal(await engine.cache.blockGet('some prompt'), null);
      await engine.cache.blockPut('Some   PROMPT', 'adult');
      assert.equal(await engine.cache.blockGet('some prompt'), 'adult');
      await engine.cache.blockPut('short lived', 'violence', { ttlS: 10 });
      assert.equal(await engine.cache.blockGet('SHORT LIVED'), 'violence');
      engine.clock.advance(11 * 1000);
      assert.equal(await engine.cache.blockGet('short lived'), null);
      assert.equal(await engine.cache.blockGet('some prompt'), 'adult');
      await rejectsWith(engine.cache.blockPut('', 'adult'), 'VG_EPROMPT_EMPTY', vidgo.PromptEmpty);
      await rejectsWith(engine.cache.blockPut('p', ''), 'VG_EINVAL', vidgo.InvalidArgument);
      await rejectsWith(engine.cache.blockPut('p', 'r'.repeat(32)), 'VG_EINVAL', vidgo.InvalidArgument);
      await rejectsWith(engine.cache.blockGet(' '), 'VG_EPROMPT_EMPTY', vidgo.PromptEmpty);
    });

    test('closing: the cache, its engine; calls after reject with ClosedError', async (t) => {
      const engine = await openEngine(t, backend);
      const cache = await engine.cache.open();
      assert.ok(cache instanceof Cache);
      assert.equal(cache.embedder, null);
      const { flight } = await cache.begin('image_512', 'left open');
      cache.close();
      cache.close();
      assert.equal(cache.closed, true);
      assert.equal(flight.ended, true); // closing the cache failed it
      await assert.rejects(cache.lookup(SCOPE, 'x'), vidgo.ClosedError);
      await assert.rejects(flight.done('late'), vidgo.ClosedError);
      const other = await engine.cache.open();
      const pending = other.lookup(SCOPE, 'still answered');
      engine.close();
      assert.equal(other.closed, true);
      assert.equal((await pending).hit, false); // a call under way finishes first
      await assert.rejects(other.put(SCOPE, 'p', 'r'), vidgo.ClosedError);
      await assert.rejects(engine.cache.open(), vidgo.ClosedError);
      await assert.rejects(engine.cache.blockGet('p'), vidgo.ClosedError);
      assert.throws(() => engine.cache.localEmbedder(), vidgo.ClosedError);
    });
  });
}

describe('embedders', () => {
  test('the local embedder makes unit vectors of its dimension', async (t) => {
    const engine = await openEngine(t, 'sqlite');
    const local = engine.cache.localEmbedder(64);
    assert.ok(local instanceof Embedder);
    assert.equal(local.name, 'local');
    assert.equal(local.model, 'hashed-ngrams-v1');
    assert.equal(local.dimension, 64);
    assert.ok(local.maxBatch >= 1);
    const [a, b] = await local.embed(['A red  SNEAKER', 'a red sneaker']);
    assert.ok(a instanceof Float32Array);
    assert.equal(a.length, 64);
    assert.ok(Math.abs(norm(a) - 1) < 1e-4);
    assert.deepEqual(a, b); // normalised first
    const many = await local.embed(Array.from({ length: 150 }, (_, i) => `prompt ${i}`));
    assert.equal(many.length, 150); // more than one batch
    assert.deepEqual(await local.embed([]), []);
    assert.equal((await local.embed('one')).length, 1);
    assert.equal(engine.cache.localEmbedder().dimension, 768);
    assert.equal(engine.cache.localEmbedder({ dimension: 32 }).dimension, 32);
    assert.throws(() => engine.cache.localEmbedder(5000), vidgo.InvalidArgument);
    throwsArgument(() => engine.cache.localEmbedder(-1), RangeError);
    throwsArgument(() => engine.cache.localEmbedder('big'), TypeError);
    await rejectsWith(local.embed(['fine', '']), 'VG_EPROMPT_EMPTY', vidgo.PromptEmpty);
    await rejectsArgument(local.embed(5), TypeError);
    await rejectsArgument(local.embed(['ok', 5]), TypeError);
    local.close();
    local.close();
    assert.equal(local.closed, true);
    await assert.rejects(local.embed('x'), vidgo.ClosedError);
  });

  test('a cache uses its embedder; closing the embedder closes the cache', async (t) => {
    const engine = await openEngine(t, 'sqlite');
    const local = engine.cache.localEmbedder(64);
    const cache = await engine.cache.open({ embedder: local });
    assert.equal(cache.embedder, local);
    await cache.put('image_512', 'a red apple', 'r');
    const [entry] = await cache.entries();
    assert.equal(entry.fingerprint, 'local/hashed-ngrams-v1/64');
    local.close();
    assert.equal(cache.closed, true);
    await assert.rejects(cache.lookup('image_512', 'a red apple'), vidgo.ClosedError);
    await assert.rejects(engine.cache.open({ embedder: local }), vidgo.ClosedError);
    const other = await openEngine(t, 'sqlite');
    await rejectsArgument(other.cache.open({ embedder: engine.cache.localEmbedder(8) }),
      RangeError);
  });

  test('the default embedder is local offline; a cache may own it', async (t) => {
    const engine = await openEngine(t, 'sqlite');
    const def = engine.cache.defaultEmbedder();
    assert.equal(def.name, 'local');
    assert.equal(def.dimension, 768);
    const [vector] = await def.embed('hello');
    assert.equal(vector.length, 768);
    def.close();
    const cache = await engine.cache.open({ embedder: 'default' });
    await cache.put('image_512', 'a pear', 'r');
    assert.equal((await cache.entries())[0].fingerprint, 'local/hashed-ngrams-v1/768');
    const owned = cache.embedder;
    assert.equal(owned.closed, false);
    cache.close();
    assert.equal(owned.closed, true);
    const plain = await engine.cache.open({ embedder: 'local' });
    assert.equal(plain.embedder, null);
    plain.close();
  });

  test('the Gemini embedder needs a key', async (t) => {
    const engine = await openEngine(t, 'sqlite');
    assert.throws(() => engine.cache.geminiEmbedder(), (err) => err instanceof vidgo.NoApiKey &&
      err.code === 'VG_ENO_API_KEY');
    await rejectsWith(engine.cache.open({ embedder: 'gemini' }), 'VG_ENO_API_KEY', vidgo.NoApiKey);
    const made = engine.cache.geminiEmbedder({ apiKey: GEMINI_KEY, dimension: 16 });
    assert.equal(made.name, 'gemini');
    assert.equal(made.model, 'gemini-embedding-001');
    assert.equal(made.dimension, 16);
    assert.equal(made.maxBatch, 100);
    assert.equal(engine.cache.geminiEmbedder({ apiKey: GEMINI_KEY, model: 'other-model' }).model,
      'other-model');
    assert.throws(() => engine.cache.geminiEmbedder({ apiKey: GEMINI_KEY, dimension: 4000 }),
      vidgo.InvalidArgument);
    throwsArgument(() => engine.cache.geminiEmbedder({ apiKey: 5 }), TypeError);
    throwsArgument(() => engine.cache.geminiEmbedder('key'), TypeError);
    made.close();
  });

  describe('against the Gemini fake', () => {
    let fakes;
    before(async () => { fakes = await Fakes.start({ gemini: GEMINI_KEY }); });
    after(async () => { await fakes.stop(); });

    async function geminiEngine(t) {
      await fakes.resetAll();
      return openEngine(t, 'sqlite', {
        providers: { gemini: { apiKey: GEMINI_KEY, baseUrl: fakes.url.gemini } },
      });
    }

    test('embeds over HTTP, and a cache owns an embedder named "gemini"', async (t) => {
      const engine = await geminiEngine(t);
      const gemini = engine.cache.geminiEmbedder({ dimension: 32 });
      const vectors = await gemini.embed(['a red sneaker', 'A red  SNEAKER', 'a teapot']);
      assert.equal(vectors.length, 3);
      assert.equal(vectors[0].length, 32);
      assert.ok(Math.abs(norm(vectors[0]) - 1) < 1e-4);
      assert.deepEqual(vectors[0], vectors[1]);
      assert.ok((await fakes.requests('gemini')).length >= 1);
      const cache = await engine.cache.open({ embedder: 'gemini' });
      await cache.put('image_512', 'a red sneaker', 'r');
      assert.equal((await cache.entries())[0].fingerprint, 'gemini/gemini-embedding-001/768');
      assert.equal((await cache.lookup('image_512', 'a red sneaker')).match, 'exact');
      cache.close();
      assert.equal(cache.embedder.closed, true);
      gemini.close();
    });

    test('a provider failure rejects with its class, and never shows the key', async (t) => {
      const engine = await geminiEngine(t);
      const gemini = engine.cache.geminiEmbedder({ dimension: 16 });
      const cache = await engine.cache.open({ embedder: gemini });
      await fakes.set('gemini', 'mode', 'unauthorized');
      for (const call of [() => gemini.embed('a prompt'), () => cache.put('image_512', 'a prompt', 'r')]) {
        await assert.rejects(call(), (err) => {
          assert.ok(err instanceof vidgo.ProviderAuthError, err.stack);
          assert.equal(err.code, 'VG_EPROVIDER_AUTH');
          assert.ok(!err.message.includes(GEMINI_KEY) && !err.stack.includes(GEMINI_KEY));
          return true;
        });
      }
      await fakes.set('gemini', 'mode', 'wrong_dimension');
      await rejectsWith(gemini.embed('another prompt'), 'VG_EPROVIDER_RESPONSE',
        vidgo.ProviderResponseError);
      assert.deepEqual(await cache.entries(), []);
    });
  });
});

describe('finalizers', () => {
  test('a collected flight fails; a collected cache and embedder close', async (t) => {
    const engine = await openEngine(t, 'sqlite');
    const cache = await engine.cache.open({ negativeTtlS: 60, flightWaitMs: 60000 });
    let dropped;
    await (async () => {
      const { flight } = await cache.begin('image_512', 'dropped on the floor');
      dropped = new WeakRef(flight);
    })();
    const started = Date.now();
    // Waits for the flight; once it is collected and failed, wakes and finds the failure.
    const waiting = rejectsWith(cache.begin('image_512', 'dropped on the floor'),
      'VG_EJOB_FAILED', vidgo.JobFailed);
    assert.ok(await collectUntil(() => dropped.deref() === undefined));
    await waiting;
    assert.ok(Date.now() - started < 30000);
    await rejectsWith(cache.begin('image_512', 'dropped on the floor'), 'VG_EJOB_FAILED',
      vidgo.JobFailed);
    let weak;
    (() => {
      const local = engine.cache.localEmbedder(8);
      weak = new WeakRef(local);
    })();
    await (async () => {
      const dropped = await engine.cache.open({ embedder: weak.deref() });
      await dropped.put('image_512', 'collected', 'r');
    })();
    assert.ok(await collectUntil(() => weak.deref() === undefined));
    const survivor = await engine.cache.open();
    assert.deepEqual((await survivor.entries()).map((e) => e.fingerprint),
      ['local/hashed-ngrams-v1/8']);
    survivor.close();
    cache.close();
  });
});
