// SPDX-License-Identifier: MIT
// vidgo.open and the Engine itself: options, the manual clock, the log and e-mail bridges,
// the store's journal and check, library-wide calls; on every backend.
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');

const h = require('./helpers');
const { vidgo } = h;

test('library-wide facts', () => {
  assert.match(vidgo.version, /^\d+\.\d+\.\d+$/);
  assert.equal(vidgo.versionInfo.configVersion, vidgo.constants.VG_CONFIG_VERSION);
  assert.ok(vidgo.versionInfo.configSize > 100);
  assert.deepEqual(vidgo.langs, ['en', 'ja', 'zh-TW', 'ko', 'es']);
  assert.equal(vidgo.langIndex('ja-JP'), 1);
  assert.equal(vidgo.langIndex('xx'), -1);
  assert.equal(vidgo.backendAvailable('sqlite'), true);
  assert.equal(vidgo.backendAvailable('oracle'), false);
  assert.equal(vidgo.constants.VG_OPEN_CREATE, 1);
  const t = vidgo.parseTime('2026-11-30T00:00:00Z');
  assert.ok(t instanceof Date);
  assert.equal(t.toISOString(), '2026-11-30T00:00:00.000Z');
  assert.equal(vidgo.formatTime(t), '2026-11-30T00:00:00Z');
  assert.throws(() => vidgo.parseTime('next tuesday'), vidgo.InvalidArgument);
  assert.throws(() => vidgo.parseTime(42), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
  assert.throws(() => vidgo.formatTime('2026'), TypeError);
});

test('the pure helpers need no engine', () => {
  assert.deepEqual(vidgo.JOB_STATES, ['queued', 'submitted', 'polling', 'succeeded', 'failed',
    'cancelled']);
  assert.ok(Object.isFrozen(vidgo.JOB_STATES));
  assert.equal(vidgo.orderStateName(2), 'paid');
  assert.equal(vidgo.orderStateName(99), null);
  assert.match(vidgo.ecpayCheckMac({ MerchantID: '3002607', TotalAmount: 100 }, 'key', 'iv'),
    /^[0-9A-F]{64}$/);
  assert.deepEqual(vidgo.providerNames().slice(0, 2), ['local', 'gemini']);
  assert.ok(vidgo.capabilities().some((row) => row.provider === 'local' && row.rank === 0));
});

test('the group classes are exported: engine.accounts is a vidgo.Accounts, ...', async (t) => {
  const engine = await h.openEngine(t);
  const groups = {
    accounts: vidgo.Accounts, users: vidgo.Users, plans: vidgo.Plans, credits: vidgo.Credits,
    cache: vidgo.CacheAPI, providers: vidgo.Providers, jobs: vidgo.Jobs,
    gallery: vidgo.Gallery, payments: vidgo.Payments,
  };
  for (const [name, Class] of Object.entries(groups)) {
    assert.ok(engine[name] instanceof Class, `engine.${name} is not a vidgo.${Class.name}`);
  }
  assert.ok(engine.jobs instanceof vidgo.Generator);
  const generator = await engine.generator();
  assert.ok(generator instanceof vidgo.Generator && !(generator instanceof vidgo.Jobs));
  const worker = await generator.worker();
  assert.ok(worker instanceof vidgo.Worker);
  await generator.close();
  const embedder = engine.cache.localEmbedder(8);
  assert.ok(embedder instanceof vidgo.Embedder);
  const cache = await engine.cache.open({ embedder });
  assert.ok(cache instanceof vidgo.Cache);
  const { flight } = await cache.begin('image_512', 'a red sneaker');
  assert.ok(flight instanceof vidgo.Flight);
  embedder.close(); // closes the cache and its flight first
  assert.equal(flight.ended, true);
  assert.equal(vidgo.ecpayCheckMac([['A', '1']], 'k', 'v'),
    engine.payments.checkMac([['A', '1']], 'k', 'v'));
  assert.deepEqual(vidgo.providerNames(), engine.providers.names());
  assert.deepEqual(vidgo.capabilities(), engine.providers.capabilities());
});

for (const backend of h.backends()) {
  test(`open, use and close an engine (${backend})`, async () => {
    const engine = await h.openTemp({ lang: 'ja' }, backend);
    try {
      assert.equal(engine.lang, 'ja');
      assert.equal(engine.storeBackend, backend);
      assert.equal(await engine.schemaVersion(), vidgo.versionInfo.schemaLatest);
      assert.ok(Math.abs(engine.now() - Date.now()) < 60000);
      const events = await h.toArray(engine.events({ pageSize: 1 }));
      assert.ok(events.length >= 1);
      assert.ok(events.every((e, i) => i === 0 || e.id > events[i - 1].id));
      assert.ok(events[0].at instanceof Date && typeof events[0].kind === 'string');
      assert.deepEqual(await engine.check(), []);
      assert.equal(engine.lastError, null);
      if (backend === 'postgresql') assert.doesNotMatch(engine.storeLocation, /password=|:[^@/]*@/);
    } finally {
      engine.close();
    }
    assert.equal(engine.closed, true);
    assert.throws(() => engine.now(), vidgo.ClosedError);
    await assert.rejects(engine.check(), { name: 'ClosedError', code: 'ERR_VIDGO_CLOSED' });
    engine.close(); // again: nothing happens
  });
}

test('the manual clock moves only when told', async () => {
  const start = new Date('2026-11-27T10:00:00Z');
  const engine = await h.openTemp({ clock: start });
  try {
    assert.equal(engine.now().toISOString(), start.toISOString());
    assert.equal(engine.clock.advance(90 * 60 * 1000).toISOString(), '2026-11-27T11:30:00.000Z');
    assert.equal(engine.now().toISOString(), '2026-11-27T11:30:00.000Z');
    engine.clock.set(new Date('2027-01-01T00:00:00Z'));
    assert.equal(engine.clock.now().toISOString(), '2027-01-01T00:00:00.000Z');
    assert.throws(() => engine.clock.advance('soon'), TypeError);
  } finally {
    engine.close();
  }
  const plain = await h.openTemp();
  assert.throws(() => plain.clock.advance(1000), /without a manual clock/);
  plain.close();
});

test('log lines and e-mails reach JS asynchronously, with no secret in them', async () => {
  const lines = [];
  const engine = await h.openTemp({ log: (level, message) => lines.push({ level, message }), logLevel: 'debug' });
  try {
    const id = await h.verifiedUser(engine, 'log-test@example.com');
    assert.ok(id > 0);
    const mail = engine.testMail[0];
    assert.equal(mail.kind, 'verify');
    assert.equal(mail.to, 'log-test@example.com');
    assert.match(mail.mime, /^From: /m);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok(lines.length > 0);
    assert.ok(lines.every((l) => ['debug', 'info', 'warn', 'error'].includes(l.level)));
    const code = h.codeOf(mail);
    assert.ok(lines.every((l) => !l.message.includes(code) && !l.message.includes(h.PASSWORD)));
  } finally {
    engine.close();
  }
});

test('options are checked before anything is opened', async () => {
  const dir = h.tempDir();
  const store = path.join(dir, 'never.db');
  const bad = [
    [{ providerMode: 'sometimes' }, RangeError],
    [{ logLevel: 3 }, TypeError],
    [{ holdTtlS: -5 }, RangeError],
    [{ busyTimeoutMs: 1.5 }, RangeError],
    [{ lang: 7 }, TypeError],
    [{ providers: { nosuch: 'k' } }, RangeError],
    [{ providers: 'gemini' }, TypeError],
    [{ secret: 'not hex' }, TypeError],
    [{ clock: 'yesterday' }, TypeError],
    [{ payments: { sandbox: 'yes' } }, TypeError],
    [{ create: 1 }, TypeError],
  ];
  for (const [options, Class] of bad) {
    await assert.rejects(vidgo.open(store, options), Class, JSON.stringify(options));
  }
  await assert.rejects(vidgo.open(store, null), TypeError);
  await assert.rejects(vidgo.open('bad\u0000name.db'), RangeError);
  assert.equal(fs.existsSync(store), false);
});

test('store errors are typed, with the library message', async () => {
  const dir = h.tempDir();
  await assert.rejects(vidgo.open(path.join(dir, 'missing.db'), { create: false }), (err) => {
    assert.ok(err instanceof vidgo.StoreOpenError && err instanceof vidgo.StoreError);
    assert.ok(err instanceof vidgo.VidgoError && err instanceof Error);
    assert.equal(err.code, 'VG_ESTORE_OPEN');
    assert.equal(err.errno, vidgo.errors.allCodes().find((c) => c.code === 'VG_ESTORE_OPEN').errno);
    assert.match(err.message, /missing\.db/);
    return true;
  });
  await assert.rejects(vidgo.open(dir), vidgo.StoreError); // a directory is not a store
});

test('a secret given as hex or bytes signs the same sessions', async () => {
  const secret = 'ab'.repeat(32);
  const dir = h.tempDir();
  const a = await vidgo.open(path.join(dir, 'a.db'), { secret, pwhashOpslimit: 1, pwhashMemlimit: 8192 });
  a.close();
  await assert.rejects(vidgo.open(path.join(dir, 'b.db'), { secret: Buffer.alloc(8) }), vidgo.VidgoError);
});

test('a read-only engine refuses writes', async () => {
  const dir = h.tempDir();
  const file = path.join(dir, 'ro.db');
  (await vidgo.open(file)).close();
  const engine = await vidgo.open(file, { readonly: true });
  try {
    assert.deepEqual(await engine.check(), []);
    await assert.rejects(engine.users.addVerified('ro@example.com', 'starter'), vidgo.StoreReadOnly);
  } finally {
    engine.close();
  }
});
