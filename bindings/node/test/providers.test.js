// SPDX-License-Identifier: MIT
// engine.providers: names and the capability table, configuration and checks, moderation
// and enhancement, the local provider's tasks, Pollo webhooks — and the real providers'
// clients against the loopback fakes of tests/fakes/ (every error class they raise, the
// paid-job rule, the circuit breaker), with the API keys nowhere in any output.
'use strict';

const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { after, before, beforeEach, describe, test } = require('node:test');

const h = require('./helpers');
const { Fakes } = require('./fakes');

const { openEngine, rejectsArguments, rejectsWith, throwsWith, vidgo } = h;
const native = require('../lib/native');
const { providerNames, capabilities } = require('../lib/providers');

// What the library would read from the environment must not come from the developer's shell.
for (const name of Object.keys(process.env)) {
  if (/^(GEMINI|LEONARDO|RUNWAY|GOENHANCE|POLLO)_API_KEY$/.test(name) ||
      /^VIDGO_(\w+_BASE_URL|PROVIDER_MODE|GOENHANCE_\w+_PATH)$/.test(name) ||
      name === 'POLLO_WEBHOOK_SECRET') {
    delete process.env[name];
  }
}

// Keys of the fakes: none may show in any result, error or log line.
const KEYS = {
  leonardo: 'leo-SECRET-node-4f1d2c3b-0123456789',
  gemini: 'fake-gemini-node-key-not-real-987654',
  pollo: 'pollo-SECRET-node-key-5566778899aa',
};
const TASK = { kind: 'text_to_video', prompt: 'A red sneaker spinning on a white table',
  resolution: 720 };
const FINAL = ['succeeded', 'failed', 'cancelled'];

// Polls without waiting for the provider's advice (the fakes move one step a poll).
async function pollUntilFinal(providers, job, max = 20) {
  for (let i = 0; i < max && !FINAL.includes(job.state); i++) job = await providers.poll(job);
  return job;
}

// ---- offline: names, tables, local ------------------------------------------------------

describe('providers offline (local)', () => {
  test('names, indexes and the enum names', async (t) => {
    const p = (await openEngine(t)).providers;
    const names = ['local', 'gemini', 'leonardo', 'runway', 'goenhance', 'pollo'];
    assert.deepEqual(p.names(), names);
    assert.deepEqual(providerNames(), names);
    names.forEach((name, i) => assert.equal(p.index(name), i));
    assert.equal(p.index('acme'), -1);
    const kinds = ['text_to_image', 'text_to_video', 'image_to_video', 'style_transfer',
      'hd_enhance', 'video_enhance', 'video_upscale'];
    kinds.forEach((kind, i) => {
      assert.equal(p.taskKindName(i), kind);
      assert.equal(p.taskKindIndex(kind), i);
    });
    assert.equal(p.taskKindName(7), null);
    assert.equal(p.taskKindIndex('text_to_song'), -1);
    assert.deepEqual([0, 1, 2, 3, 4].map((s) => p.taskStateName(s)),
      ['pending', 'running', 'succeeded', 'failed', 'cancelled']);
    assert.equal(p.taskStateName(5), null);
    assert.throws(() => p.taskKindName('hd_enhance'), TypeError);
    assert.throws(() => p.index(3), TypeError);
  });

  test('the capability table: every kind has a primary, services are arrays', async (t) => {
    const p = (await openEngine(t)).providers;
    const rows = p.capabilities();
    assert.deepEqual(rows, capabilities());
    const leo = rows.find((r) => r.provider === 'leonardo' && r.kind === 'text_to_video');
    assert.deepEqual(leo.services, ['video_720p', 'video_1080p', 'video_4k']);
    assert.equal(leo.rank, 0);
    assert.equal(leo.maxResolution, 1080);
    assert.ok(rows.some((r) => r.provider === 'runway' && r.rank === 1));
    for (let kind = 0; kind < 7; kind++) {
      const name = p.taskKindName(kind);
      assert.ok(rows.some((r) => r.kind === name && r.rank === 0 && r.provider !== 'local'), name);
      assert.ok(rows.some((r) => r.kind === name && r.provider === 'local'), name);
    }
    for (const r of rows) {
      assert.ok(Array.isArray(r.services) && r.services.every((s) => s.length > 0));
      assert.equal(typeof r.maxDurationS, 'number');
    }
  });

  test('emptyJob is vg_provider_job_init; another struct version is a VersionError',
    async (t) => {
      const p = (await openEngine(t)).providers;
      const job = p.emptyJob();
      assert.equal(job.percent, -1);
      assert.equal(job.apiCostMicro, -1);
      assert.equal(job.state, 'pending');
      assert.equal(job.jobId, '');
      throwsWith(() => p.emptyJob(2), 'VG_EVERSION', vidgo.VersionError);
    });

  test('info, list and pick in local mode; a key from the config shows only masked',
    async (t) => {
      const engine = await openEngine(t);
      const p = engine.providers;
      const infos = p.list();
      assert.deepEqual(infos.map((i) => i.name), p.names());
      const local = p.info('local');
      assert.equal(local.hasKey, true);
      assert.equal(local.serves, true);
      assert.equal(p.info('leonardo').serves, false);
      assert.equal(p.info('leonardo').checked, false);
      assert.equal(p.pick('text_to_video'), 'local');
      assert.equal(p.pick(2), 'local'); // a kind's number works too
      assert.equal(p.pick('image_to_video', 5), null);
      throwsWith(() => p.info('acme'), 'VG_EINVAL', vidgo.InvalidArgument);
      assert.throws(() => p.pick('text_to_song'), RangeError);
      assert.throws(() => p.pick(99), RangeError);
      assert.throws(() => p.pick('text_to_video', 'first'), TypeError);
      assert.throws(() => p.info(), TypeError);

      const auto = await openEngine(t, 'sqlite', {
        providerMode: 'auto',
        providers: { leonardo: { apiKey: KEYS.leonardo, baseUrl: 'http://127.0.0.1:9' } },
      });
      const leo = auto.providers.info('leonardo');
      assert.equal(leo.hasKey, true);
      assert.equal(leo.keySource, 'config');
      assert.equal(leo.baseUrl, 'http://127.0.0.1:9');
      assert.equal(leo.serves, true);
      assert.equal(leo.keyMasked, `${KEYS.leonardo.slice(0, 4)}…${KEYS.leonardo.slice(-4)}`);
      assert.ok(!JSON.stringify(auto.providers.list()).includes(KEYS.leonardo));
      assert.equal(auto.providers.pick('text_to_video'), 'leonardo');
      assert.equal(auto.providers.pick('image_to_video', 1), null); // runway has no key
    });

  test('local tasks: submit, poll, wait, cancel, reconcile', async (t) => {
    const engine = await openEngine(t);
    const p = engine.providers;
    const since = engine.now();
    const task = { kind: 'text_to_image', prompt: 'a blue mug on a desk', resolution: 512 };
    const job = await p.submit('local', task);
    assert.equal(job.provider, 'local');
    assert.equal(job.kind, 'text_to_image');
    assert.ok(['pending', 'running'].includes(job.state));
    assert.match(job.jobId, /^local-/);
    assert.equal(job.placeholder, true);
    const done = await p.wait(job, { timeoutMs: 30000 });
    assert.equal(done.state, 'succeeded');
    assert.equal(done.mediaType, 'image');
    assert.match(done.resultUrl, /^file:\/\//);
    assert.equal(done.width, 512);
    // only provider, jobId and kind are needed to poll again
    const again = await p.poll({ provider: 'local', jobId: job.jobId, kind: 'text_to_image' });
    assert.equal(again.state, 'succeeded');
    assert.equal(await p.cancel('local', job.jobId), undefined); // already final: fine
    const found = await p.reconcile('local', task, since);
    assert.equal(found.jobId, job.jobId);
    assert.equal(await p.reconcile('local', { ...task, prompt: 'never sent' }, since), null);
    assert.equal(await p.reconcile('local', task, Date.now() + 3600e3), null);

    const video = await p.submit('local', { kind: 'image_to_video', prompt: 'turn it',
      inputImage: Buffer.from('89504e470d0a1a0a', 'hex'), inputImageMime: 'image/png',
      durationS: 4, seed: 42 });
    assert.equal(video.kind, 'image_to_video');

    const ac = new AbortController();
    ac.abort(new Error('stop'));
    await assert.rejects(p.wait(video, { signal: ac.signal }), /stop/);
    const late = await rejectsWith(p.wait(video, { timeoutMs: 1 }), 'VG_ETIMEOUT', vidgo.Timeout);
    assert.equal(late.job.jobId, video.jobId);
    assert.equal(typeof late.userMessage, 'string');
  });

  test('local task refusals: error classes, and bad arguments rejected before any call',
    async (t) => {
      const engine = await openEngine(t);
      const p = engine.providers;
      await rejectsWith(p.submit('local', { kind: 'text_to_image', prompt: '' }),
        'VG_EPROMPT_EMPTY', vidgo.PromptEmpty);
      await rejectsWith(p.submit('local', { kind: 'hd_enhance' }), 'VG_EINPUT_ASSET',
        vidgo.InputAssetError);
      await rejectsWith(p.submit('acme', TASK), 'VG_EINVAL', vidgo.InvalidArgument);
      await rejectsWith(p.poll({ provider: 'local', jobId: 'local-000000000000000000000000',
        kind: 'text_to_image' }), 'VG_ENOTFOUND', vidgo.NotFound);
      await rejectsArguments([
        [() => p.submit('local'), TypeError],
        [() => p.submit('local', 'make a video'), TypeError],
        [() => p.submit('local', { prompt: 'no kind' }), TypeError],
        [() => p.submit('local', { kind: 'text_to_song', prompt: 'x' }), RangeError],
        [() => p.submit('local', { kind: 17, prompt: 'x' }), RangeError],
        [() => p.submit('local', { kind: 'text_to_image', prompt: 5 }), TypeError],
        [() => p.submit('local', { ...TASK, resolution: 720.5 }), RangeError],
        [() => p.submit('local', { ...TASK, resolution: 2 ** 40 }), RangeError],
        [() => p.submit('local', { ...TASK, inputImage: [1, 2] }), TypeError],
        [() => p.submit('local', { ...TASK, seed: '7' }), TypeError],
        [() => p.submit(null, TASK), TypeError],
        [() => p.poll(), TypeError],
        [() => p.poll({ provider: 'local', kind: 'text_to_image' }), TypeError],
        [() => p.poll({ provider: 'local', jobId: 'x'.repeat(200), kind: 'text_to_image' }),
          RangeError],
        [() => p.poll({ provider: 'local', jobId: 'x', kind: 'text_to_image', state: 'done' }),
          RangeError],
        [() => p.cancel('local'), TypeError],
        [() => p.reconcile('local', TASK, 'yesterday'), TypeError],
        [() => p.reconcile('local', TASK), TypeError],
        [() => p.moderate(), TypeError],
        [() => p.moderate('x', 'es'), TypeError],
        [() => p.enhance(['x']), TypeError],
      ]);
      // a string is bytes too (UTF-8)
      assert.equal((await p.moderate('x', { image: 'bytes as text' })).blocked, false);
    });

  test('moderation and enhancement offline, in the asked language', async (t) => {
    const engine = await openEngine(t, 'sqlite', { lang: 'ja' });
    const p = engine.providers;
    const blocked = await p.moderate('a naked model', { lang: 'es' });
    assert.equal(blocked.blocked, true);
    assert.equal(blocked.reason, 'adult');
    assert.equal(blocked.provider, 'local');
    assert.match(blocked.message, /adultos/);
    const allowed = await p.moderate('a cute cat on a sofa',
      { image: Buffer.from([0xff, 0xd8, 0xff]), imageMime: 'image/jpeg' });
    assert.equal(allowed.blocked, false);
    assert.equal(allowed.reason, '');
    assert.equal(p.moderationMessage('adult', 'ja'), (await p.moderate('naked', {})).message);
    assert.notEqual(p.moderationMessage('violence', 'en'), p.moderationMessage('violence', 'ko'));
    assert.equal(p.moderationMessage('no-such-reason'), null);
    const enhanced = await p.enhance('una taza azul', 'es');
    assert.equal(enhanced.provider, 'local');
    assert.match(enhanced.prompt, /una taza azul/);
    await rejectsWith(p.moderate(''), 'VG_EPROMPT_EMPTY', vidgo.PromptEmpty);
    await rejectsWith(p.enhance('   '), 'VG_EPROMPT_EMPTY', vidgo.PromptEmpty);
    assert.ok(vidgo.PromptEmpty.prototype instanceof vidgo.InvalidPrompt);
  });

  test('the default embedder is a handle, a child of the engine', async (t) => {
    const engine = await openEngine(t);
    const handle = native.embedder_default(engine._ctx);
    assert.equal(native.handle_closed(handle), false);
    engine.close();
    assert.equal(native.handle_closed(handle), true); // closed with its parent
    assert.throws(() => native.embedder_default(engine._ctx), vidgo.ClosedError);
    assert.throws(() => native.embedder_default({}), TypeError);
  });

  test('embedder handles left to the garbage collector are freed, never twice', async (t) => {
    const engine = await openEngine(t);
    assert.equal(typeof global.gc, 'function', 'run with --expose-gc');
    for (let i = 0; i < 200; i++) native.embedder_default(engine._ctx);
    const kept = native.embedder_default(engine._ctx);
    await h.collectGarbage(3);
    assert.equal(native.handle_closed(kept), false);
    assert.equal((await engine.providers.enhance('a red shoe')).provider, 'local');
    native.handle_close(kept);
    native.handle_close(kept); // a second close does nothing
    assert.equal(native.handle_closed(kept), true);
  });

  test('embed: the engine\'s embedder, made and closed per call', async (t) => {
    const engine = await openEngine(t);
    if (typeof engine.cache.defaultEmbedder !== 'function') {
      t.skip('engine.cache.defaultEmbedder is not there yet');
      return;
    }
    const vectors = await engine.providers.embed(['one red shoe', 'two blue mugs']);
    assert.equal(vectors.length, 2);
    assert.equal(vectors[0].length, 768);
    const own = engine.providers.embedder();
    try {
      assert.deepEqual(await engine.providers.embed(['one red shoe', 'two blue mugs'], own),
        vectors);
    } finally {
      own.close();
    }
  });

  test('a Pollo webhook signed here verifies; forged, stale or unsigned ones do not',
    async (t) => {
      const secret = 'pollo-node-secret';
      const engine = await openEngine(t, 'sqlite', { polloWebhookSecret: secret });
      const p = engine.providers;
      const body = JSON.stringify({ taskId: 'task-7', status: 'succeed', generations: [
        { id: 'g', status: 'succeed', failMsg: '', url: 'https://cdn.example/v.mp4',
          mediaType: 'video' }] });
      const sign = (id, ts, raw, key = secret) => 'v1,' +
        crypto.createHmac('sha256', key).update(`${id}.${ts}.${raw}`).digest('base64');
      const ts = String(Math.floor(engine.now().getTime() / 1000));
      const job = p.polloWebhookVerify('msg_1', ts, sign('msg_1', ts, body), body,
        { kind: 'image_to_video' });
      assert.deepEqual([job.provider, job.jobId, job.state, job.kind],
        ['pollo', 'task-7', 'succeeded', 'image_to_video']);
      assert.match(job.resultUrl, /v\.mp4$/);
      assert.equal(p.polloWebhookVerify('msg_1', ts, sign('msg_1', ts, body),
        Buffer.from(body)).kind, 'text_to_video');
      // several signatures in the header: any may match
      p.polloWebhookVerify('msg_1', ts, `v1,AAAA ${sign('msg_1', ts, body)}`, body);

      throwsWith(() => p.polloWebhookVerify('msg_1', ts, sign('msg_1', ts, body), body + ' '),
        'VG_ESIGNATURE', vidgo.SignatureError);
      throwsWith(() => p.polloWebhookVerify('msg_2', ts, sign('msg_1', ts, body), body),
        'VG_ESIGNATURE', vidgo.SignatureError);
      const old = String(Number(ts) - 3600);
      throwsWith(() => p.polloWebhookVerify('msg_1', old, sign('msg_1', old, body), body),
        'VG_EREPLAY', vidgo.ReplayError);
      p.polloWebhookVerify('msg_1', old, sign('msg_1', old, body), body, { toleranceS: 7200 });
      throwsWith(() => p.polloWebhookVerify('', ts, sign('', ts, body), body),
        'VG_EINVAL', vidgo.InvalidArgument);
      throwsWith(() => p.polloWebhookVerify('msg_1', 'noon', sign('msg_1', 'noon', body), body),
        'VG_EINVAL', vidgo.InvalidArgument);
      // another secret given, in Base64 mode ("whsec_" + Base64 of the key bytes)
      const raw = crypto.randomBytes(24);
      const b64 = `whsec_${raw.toString('base64')}`;
      const signed = 'v1,' + crypto.createHmac('sha256', raw).update(`msg_3.${ts}.${body}`)
        .digest('base64');
      assert.equal(p.polloWebhookVerify('msg_3', ts, signed, body,
        { secret: b64, mode: 'base64' }).jobId, 'task-7');
      throwsWith(() => p.polloWebhookVerify('msg_3', ts, signed, body,
        { secret: 'whsec_***', mode: 'base64' }), 'VG_ECONFIG', vidgo.ConfigError);
      for (const bad of [
        () => p.polloWebhookVerify('msg_1', Number(ts), 'sig', body),
        () => p.polloWebhookVerify('msg_1', ts, 'sig', null),
        () => p.polloWebhookVerify('msg_1', ts, 'sig', body, { mode: 'hex' }),
        () => p.polloWebhookVerify('msg_1', ts, 'sig', body, { kind: 'text_to_song' }),
        () => p.polloWebhookVerify('msg_1', ts, 'sig', body, 'secret'),
      ]) {
        assert.throws(bad, (e) => (e instanceof TypeError || e instanceof RangeError) &&
          /^ERR_INVALID_ARG_/.test(e.code));
      }
      const none = await openEngine(t);
      throwsWith(() => none.providers.polloWebhookVerify('msg_1', ts, sign('msg_1', ts, body),
        body), 'VG_ECONFIG', vidgo.ConfigError);
    });

  test('NoApiKey: a remote provider without a key', async (t) => {
    const engine = await openEngine(t, 'sqlite', { providerMode: 'remote' });
    await rejectsWith(engine.providers.submit('runway', TASK), 'VG_ENO_API_KEY', vidgo.NoApiKey);
    await rejectsWith(engine.providers.moderate('a cat'), 'VG_ENO_API_KEY', vidgo.NoApiKey);
    assert.ok(vidgo.NoApiKey.prototype instanceof vidgo.ProviderError);
  });
});

// ---- the real clients against the loopback fakes --------------------------------------------

describe('providers against the loopback fakes', () => {
  let fakes;
  let engine;
  const logs = [];
  const outputs = [];

  function remote(extra = {}) {
    return h.openTemp({
      providerMode: 'remote',
      logLevel: 'debug',
      log: (level, message) => logs.push(`${level} ${message}`),
      providers: {
        leonardo: { apiKey: KEYS.leonardo, baseUrl: fakes.url.leonardo },
        gemini: { apiKey: KEYS.gemini, baseUrl: fakes.url.gemini },
        pollo: { apiKey: KEYS.pollo, baseUrl: fakes.url.pollo },
      },
      ...extra,
    });
  }

  // Every result and error goes through here, to be searched for the keys at the end.
  const seen = (value) => {
    outputs.push(value instanceof Error ? `${value.message} ${value.userMessage} ${value.stack}`
      : JSON.stringify(value));
    return value;
  };

  async function failsWith(promise, code, Class) {
    return seen(await rejectsWith(promise, code, Class));
  }

  before(async () => {
    fakes = await Fakes.start(KEYS);
    engine = await remote();
  });

  beforeEach(async () => {
    await fakes.resetAll();
  });

  after(async () => {
    engine?.close();
    await fakes?.stop();
    const all = outputs.join('\n') + logs.join('\n');
    assert.ok(logs.length > 0, 'no log lines at DEBUG level');
    for (const key of Object.values(KEYS)) assert.ok(!all.includes(key), 'a key showed');
  });

  test('Leonardo: submit, poll to success, cancel; the fake saw the documented requests',
    async () => {
      const p = engine.providers;
      assert.equal(p.pick('text_to_video'), 'leonardo');
      const job = seen(await p.submit('leonardo', TASK));
      assert.equal(job.provider, 'leonardo');
      assert.equal(job.state, 'pending');
      assert.ok(job.jobId.length > 10);
      assert.ok(job.pollAfterMs >= 0);
      const done = seen(await pollUntilFinal(p, job));
      assert.equal(done.state, 'succeeded');
      assert.match(done.resultUrl, /^https:\/\/cdn\.fake-leonardo\.test\/.+\/video\.mp4$/);
      assert.equal(done.placeholder, false);
      assert.ok(done.apiCostMicro >= 0 && done.apiCostUnit);
      const other = seen(await p.submit('leonardo', { ...TASK, prompt: 'to be cancelled' }));
      assert.equal(await p.cancel('leonardo', other.jobId), undefined);
      const paths = (await fakes.requests('leonardo')).map((r) => `${r.method} ${r.path}`);
      assert.ok(paths.includes('POST /generations-text-to-video'), paths.join());
      assert.ok(paths.includes(`GET /generations/${job.jobId}`), paths.join());
      assert.ok(paths.includes(`DELETE /generations/${other.jobId}`), paths.join());
      assert.deepEqual(await fakes.get('leonardo', 'violations'), []);
    });

  test('Leonardo: a failed job is an answer, not an error', async () => {
    await fakes.set('leonardo', 'job_mode', 'failed');
    const done = seen(await pollUntilFinal(engine.providers,
      await engine.providers.submit('leonardo', TASK)));
    assert.equal(done.state, 'failed');
  });

  test('check: reachable with its latency; a refused key is reported, not thrown',
    async () => {
      const ok = seen(await engine.providers.check('leonardo'));
      assert.equal(ok.checked, true);
      assert.equal(ok.reachable, true);
      assert.equal(ok.statusName, 'VG_OK');
      assert.ok(ok.latencyMs >= 0);
      await fakes.call('leonardo', 'fault', 'me', '401');
      const refused = seen(await engine.providers.check('leonardo'));
      assert.equal(refused.checked, true);
      assert.equal(refused.reachable, false);
      assert.equal(refused.statusName, 'VG_EPROVIDER_AUTH');
      assert.equal(vidgo.errorName(refused.status), 'VG_EPROVIDER_AUTH');
      assert.ok(refused.detail.length > 0);
    });

  test('ProviderAuthError: 401, and a 401 that echoes the key does not show it', async () => {
    const job = await engine.providers.submit('leonardo', TASK);
    await fakes.call('leonardo', 'fault', 'poll', '401');
    await failsWith(engine.providers.poll(job), 'VG_EPROVIDER_AUTH', vidgo.ProviderAuthError);
    await fakes.call('leonardo', 'fault', 'poll', '401_echo');
    const err = await failsWith(engine.providers.poll(job), 'VG_EPROVIDER_AUTH',
      vidgo.ProviderAuthError);
    assert.ok(!err.message.includes(KEYS.leonardo));
  });

  test('ProviderRateLimited: 429 on every attempt (Retry-After honoured), then fine',
    async () => {
      const job = await engine.providers.submit('leonardo', TASK);
      await fakes.call('leonardo', 'fault', 'poll', '429');
      const started = Date.now();
      await failsWith(engine.providers.poll(job), 'VG_EPROVIDER_RATE', vidgo.ProviderRateLimited);
      assert.ok(Date.now() - started >= 2900, 'three waits of Retry-After: 1');
      const polls = (await fakes.requests('leonardo')).filter((r) => r.method === 'GET');
      assert.equal(polls.length, 4);
      await fakes.call('leonardo', 'fault', 'poll', '429', 1);
      assert.ok(['pending', 'succeeded'].includes(seen(await engine.providers.poll(job)).state));
    });

  test('ProviderUnavailable: 503 on every attempt; one 500 is retried away', async () => {
    const job = await engine.providers.submit('leonardo', TASK);
    await fakes.call('leonardo', 'fault', 'poll', '503');
    await failsWith(engine.providers.poll(job), 'VG_EPROVIDER_UNAVAILABLE',
      vidgo.ProviderUnavailable);
    await fakes.call('leonardo', 'fault', 'poll', '500_once');
    seen(await engine.providers.poll(job));
  });

  test('ProviderResponseError: a poll answer that is not JSON', async () => {
    const job = await engine.providers.submit('leonardo', TASK);
    await fakes.call('leonardo', 'fault', 'poll', 'malformed');
    await failsWith(engine.providers.poll(job), 'VG_EPROVIDER_RESPONSE',
      vidgo.ProviderResponseError);
  });

  test('ProviderRejected: a 400 on create makes no job', async () => {
    await fakes.call('leonardo', 'fault', 'create_text_video', '400');
    await failsWith(engine.providers.submit('leonardo', TASK), 'VG_EPROVIDER_REJECTED',
      vidgo.ProviderRejected);
    assert.equal(Object.keys(await fakes.get('leonardo', 'jobs')).length, 0);
  });

  test('NotFound: the provider does not know the job', async () => {
    await failsWith(engine.providers.poll({ provider: 'leonardo', kind: 'text_to_video',
      jobId: '00000000-0000-4000-8000-000000000000' }), 'VG_ENOTFOUND', vidgo.NotFound);
  });

  test('ParameterNotAllowed and Unsupported are refused before anything is sent', async () => {
    await failsWith(engine.providers.submit('leonardo', { ...TASK, resolution: 2160 }),
      'VG_EPARAMETER', vidgo.ParameterNotAllowed);
    await failsWith(engine.providers.submit('pollo', { kind: 'text_to_image', prompt: 'x' }),
      'VG_EUNSUPPORTED', vidgo.Unsupported);
    await failsWith(engine.providers.reconcile('pollo', TASK, engine.now()),
      'VG_EUNSUPPORTED', vidgo.Unsupported);
    assert.deepEqual(await fakes.requests('leonardo'), []);
  });

  // The paid-job rule on a connection of its own (a fresh engine: nothing to reuse).
  test('OutcomeUnknown: a lost answer is not resent; reconcile finds the job it made',
    async (t) => {
      const cold = await remote();
      t.after(() => cold.close());
      const p = cold.providers;
      const since = cold.now();
      await fakes.call('leonardo', 'fault', 'create_text_video', 'lost');
      const err = await failsWith(p.submit('leonardo', TASK), 'VG_EOUTCOME_UNKNOWN',
        vidgo.OutcomeUnknown);
      assert.ok(err instanceof vidgo.ProviderError);
      const creates = (await fakes.requests('leonardo')).filter((r) => r.method === 'POST');
      assert.equal(creates.length, 1);
      const found = seen(await p.reconcile('leonardo', TASK, since));
      assert.ok(found && found.jobId);
      assert.equal(found.provider, 'leonardo');
      assert.equal(seen(await p.reconcile('leonardo', { ...TASK, prompt: 'another' }, since)),
        null);
      assert.equal(seen(await pollUntilFinal(p, found)).state, 'succeeded');
    });

  // On a kept-alive connection libcurl itself resends a request whose connection closed
  // without an answer ("retrying a fresh connect"); a create of a paid job therefore always
  // opens a fresh connection (lib/providers/http.c), so it reaches the provider once.
  test('OutcomeUnknown on a kept-alive connection: the create is sent once', async () => {
    await engine.providers.check('leonardo'); // a connection to reuse
    await fakes.call('leonardo', 'fault', 'create_text_video', 'lost');
    await failsWith(engine.providers.submit('leonardo', TASK), 'VG_EOUTCOME_UNKNOWN',
      vidgo.OutcomeUnknown);
    const creates = (await fakes.requests('leonardo')).filter((r) => r.method === 'POST');
    assert.equal(creates.length, 1);
    assert.equal(Object.keys(await fakes.get('leonardo', 'jobs')).length, 1);
  });

  test('ProviderTimeout: no answer within the engine\'s timeout', async (t) => {
    const quick = await remote({ providerTimeoutMs: 300 });
    t.after(() => quick.close());
    const job = await quick.providers.submit('leonardo', TASK);
    await fakes.call('leonardo', 'fault', 'poll', 'timeout');
    await failsWith(quick.providers.poll(job), 'VG_EPROVIDER_TIMEOUT', vidgo.ProviderTimeout);
  });

  test('CircuitOpen: five failed calls pause the provider; nothing more is sent',
    async (t) => {
      const own = await remote(); // a breaker of its own
      t.after(() => own.close());
      await fakes.call('leonardo', 'fault', 'create_text_video', '500');
      for (let i = 0; i < 5; i++) {
        await failsWith(own.providers.submit('leonardo', TASK), 'VG_EOUTCOME_UNKNOWN',
          vidgo.OutcomeUnknown);
      }
      await failsWith(own.providers.submit('leonardo', TASK), 'VG_ECIRCUIT_OPEN',
        vidgo.CircuitOpen);
      assert.ok(vidgo.CircuitOpen.prototype instanceof vidgo.ProviderUnavailable);
      assert.equal(own.providers.info('leonardo').breakerOpen, true);
      assert.equal((await fakes.requests('leonardo')).length, 5);
      assert.equal(engine.providers.info('leonardo').breakerOpen, false); // per engine
    });

  test('NetworkError: nothing listens at the provider\'s address', async (t) => {
    const off = await h.openTemp({ providerMode: 'remote',
      providers: { leonardo: { apiKey: KEYS.leonardo, baseUrl: 'http://127.0.0.1:9' } } });
    t.after(() => off.close());
    await failsWith(off.providers.poll({ provider: 'leonardo', kind: 'text_to_video',
      jobId: '00000000-0000-4000-8000-000000000000' }), 'VG_ENETWORK', vidgo.NetworkError);
    const info = seen(await off.providers.check('leonardo'));
    assert.equal(info.reachable, false);
  });

  test('Gemini: moderation and enhancement through the fake', async () => {
    const p = engine.providers;
    const verdict = seen(await p.moderate('a knife attack in a shop', { lang: 'ko' }));
    assert.equal(verdict.blocked, true);
    assert.equal(verdict.reason, 'violence');
    assert.equal(verdict.provider, 'gemini');
    assert.equal(verdict.message, p.moderationMessage('violence', 'ko'));
    const fine = seen(await p.moderate('a red sneaker',
      { image: Buffer.from('89504e470d0a1a0a', 'hex'), imageMime: 'image/png' }));
    assert.equal(fine.blocked, false);
    const blockedByFeedback = seen(await p.moderate('trigger-block please'));
    assert.equal(blockedByFeedback.blocked, true);
    const enhanced = seen(await p.enhance('a red sneaker', 'en'));
    assert.equal(enhanced.provider, 'gemini');
    assert.match(enhanced.prompt, /Enhanced: a red sneaker/);
    assert.deepEqual(await fakes.get('gemini', 'violations'), []);
  });

  test('Gemini: a refused key is ProviderAuthError; a 429 is ProviderRateLimited',
    async () => {
      await fakes.set('gemini', 'mode', 'api_key_invalid');
      await failsWith(engine.providers.moderate('a cat'), 'VG_EPROVIDER_AUTH',
        vidgo.ProviderAuthError);
      await fakes.set('gemini', 'mode', 'unauthorized');
      await failsWith(engine.providers.enhance('a cat'), 'VG_EPROVIDER_AUTH',
        vidgo.ProviderAuthError);
      await fakes.set('gemini', 'mode', 'rate_limited');
      await failsWith(engine.providers.enhance('a cat'), 'VG_EPROVIDER_RATE',
        vidgo.ProviderRateLimited);
    });
});
