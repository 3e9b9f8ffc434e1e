// SPDX-License-Identifier: MIT
// Handles: close() and the garbage collector free each C object exactly once, after the
// calls using it and after its children; children keep their parent alive. Run with
// --expose-gc (the meson test does).
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');

const h = require('./helpers');
const { vidgo } = h;

const gc = global.gc;

// How many of this process's descriptors are open on `file` (SQLite keeps its file open
// while a context lives).
function openCount(file) {
  let count = 0;
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    try {
      if (fs.readlinkSync(`/proc/self/fd/${fd}`) === file) count++;
    } catch { /* closed meanwhile */ }
  }
  return count;
}

test('close waits for the calls in flight; later calls are ClosedError', async () => {
  const engine = await h.openTemp();
  const running = Array.from({ length: 20 }, () => engine.check());
  engine.close();
  const results = await Promise.all(running);
  assert.ok(results.every((problems) => Array.isArray(problems) && problems.length === 0));
  await assert.rejects(engine.check(), vidgo.ClosedError);
  await assert.rejects(engine.accounts.login('a@example.com', 'x'), vidgo.ClosedError);
});

test('a forgotten engine is closed by the garbage collector', { skip: !gc && 'needs --expose-gc' }, async () => {
  const dir = h.tempDir();
  const file = path.join(dir, 'gc.db');
  await (async () => {
    const engine = await vidgo.open(file);
    assert.deepEqual(await engine.check(), []);
    assert.ok(openCount(file) >= 1);
  })();
  await h.collectGarbage();
  assert.equal(openCount(file), 0, 'the SQLite file is still open');
});

test('closed engines are not freed again by the collector', { skip: !gc && 'needs --expose-gc' }, async () => {
  const dir = h.tempDir();
  for (let i = 0; i < 50; i++) {
    const engine = await vidgo.open(path.join(dir, `c${i % 5}.db`));
    engine.close();
    engine.close();
  }
  await h.collectGarbage(); // under ASan a second free would abort here
  assert.equal(openCount(path.join(dir, 'c0.db')), 0);
});

test('a child keeps its engine alive; closing the engine closes the child', { skip: !gc && 'needs --expose-gc' }, async () => {
  const dir = h.tempDir();
  const file = path.join(dir, 'child.db');
  let jobs = await (async () => {
    const engine = await vidgo.open(file, { providerMode: 'local', assetsDir: path.join(dir, 'assets') });
    return engine.generator();
  })();
  await h.collectGarbage();
  assert.ok(openCount(file) >= 1, 'the engine went away under its generator');
  await assert.rejects(jobs.get(123456), vidgo.NotFound);
  const engine = jobs.engine;
  engine.close();
  await assert.rejects(jobs.get(1), vidgo.ClosedError);
  jobs = null;
  await h.collectGarbage();
  assert.equal(openCount(file), 0);
});

test('2000 open/close cycles leak neither descriptors nor memory', async () => {
  const dir = h.tempDir();
  const file = path.join(dir, 'cycle.db');
  (await vidgo.open(file)).close();
  const fds = () => fs.readdirSync('/proc/self/fd').length;
  const cycle = async (n) => {
    for (let i = 0; i < n; i++) (await vidgo.open(file)).close();
    if (gc) await h.collectGarbage();
  };
  await cycle(200); // warm-up: allocator pools, V8 code
  const fdBefore = fds();
  const rssBefore = process.memoryUsage().rss;
  await cycle(2000);
  assert.equal(fds(), fdBefore);
  const growth = (process.memoryUsage().rss - rssBefore) / 1048576;
  if (!process.env.VIDGO_TEST_SANITIZED) assert.ok(growth < 32, `RSS grew by ${growth.toFixed(1)} MiB`);
});

test('the addon itself refuses a child handle of another engine', async (t) => {
  const a = await h.openTemp();
  const b = await h.openTemp();
  t.after(() => { a.close(); b.close(); });
  const native = require('../lib/native');
  const embedder = b.cache.localEmbedder();
  // (native calls throw their argument errors; the JS layer's async methods reject)
  assert.throws(() => native.cache_open(a._ctx, embedder._handle, {}),
    { name: 'RangeError', message: /another engine/ });
  assert.throws(() => native.generator_open(a._ctx, { cache: { embedder: embedder._handle } }),
    { name: 'RangeError', message: /another engine/ });
  const own = await native.cache_open(b._ctx, embedder._handle, {});
  native.handle_close(own);
});
