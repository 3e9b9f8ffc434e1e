// SPDX-License-Identifier: MIT
// What every test file shares: a fresh engine on a temporary store (SQLite, or the
// PostgreSQL server of $VIDGO_TEST_PG_URL), its captured e-mails, the invariant check,
// assertions on VidgoErrors and Node's argument errors, the garbage collector's rounds.
'use strict';

const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { setImmediate: tick } = require('node:timers/promises');

const vidgo = require('..');

const PASSWORD = 'correct horse battery';

function tempDir(prefix = 'vidgo-node-') {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

// The stores a test runs against: always SQLite; PostgreSQL too when a server is given.
function backends() {
  const list = ['sqlite'];
  if (process.env.VIDGO_TEST_PG_URL) list.push('postgresql');
  return list;
}

let pgCounter = 0;
const pgDatabases = [];

// The environment for programs the tests start that do not load libvidgo (psql, the Python
// fakes): without the sanitizer runtimes a sanitized build preloads into Node (psql hangs
// with them).
function plainEnv() {
  const env = { ...process.env };
  delete env.LD_PRELOAD;
  return env;
}

function psql(url, sql) {
  execFileSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', url, '-c', sql],
    { stdio: 'pipe', env: plainEnv(), timeout: 60000 });
}

// A new database on the server of $VIDGO_TEST_PG_URL (dropped when the process exits).
function freshDatabase() {
  const admin = process.env.VIDGO_TEST_PG_URL;
  const name = `vgn_${process.pid}_${++pgCounter}`;
  psql(admin, `CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8'`);
  if (pgDatabases.length === 0) {
    process.on('exit', () => {
      for (const db of pgDatabases) {
        try { psql(admin, `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`); } catch { /* best effort */ }
      }
    });
  }
  pgDatabases.push(name);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.toString();
}

// Opens an engine on a new empty store, offline (local providers), fast password hashing,
// e-mails captured in engine.testMail (newest last). `backend` is 'sqlite' (default) or
// 'postgresql' (a fresh schema on $VIDGO_TEST_PG_URL). Extra options pass to vidgo.open.
async function openTemp(options = {}, backend = 'sqlite') {
  const dir = tempDir();
  const mail = [];
  let store = path.join(dir, 'vidgo.db');
  if (backend === 'postgresql') store = freshDatabase();
  const engine = await vidgo.open(store, {
    providerMode: 'local',
    assetsDir: path.join(dir, 'assets'),
    pwhashOpslimit: 1,
    pwhashMemlimit: 8192,
    onEmail: (email) => mail.push(email),
    ...options,
  });
  engine.testMail = mail;
  engine.testDir = dir;
  return engine;
}

// openTemp(options, backend) for a test: the engine is closed when the test `t` ends.
async function openEngine(t, backend = 'sqlite', options = {}) {
  const engine = await openTemp(options, backend);
  t.after(() => engine.close());
  return engine;
}

// Waits until the engine's e-mail callback has delivered `count` messages (they arrive
// asynchronously), then returns the newest.
async function nextMail(engine, count) {
  for (let i = 0; i < 500 && engine.testMail.length < count; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.ok(engine.testMail.length >= count, `expected ${count} e-mails`);
  return engine.testMail[count - 1];
}

// The 6-digit verification code of an e-mail.
function codeOf(email) {
  const match = /\b(\d{6})\b/.exec(email.text);
  assert.ok(match, 'no code in the e-mail');
  return match[1];
}

// Registers and verifies a user; returns its id.
async function verifiedUser(engine, email = `u${Date.now()}${Math.random()}@example.com`.replace('0.', '')) {
  const before = engine.testMail.length;
  const id = await engine.accounts.register(email, PASSWORD);
  const mail = await nextMail(engine, before + 1);
  await engine.accounts.verify(email, codeOf(mail));
  return id;
}

// Every store invariant holds (the wallets sum to their ledgers, holds agree, ...).
async function assertInvariants(engine) {
  const problems = await engine.check();
  assert.deepEqual(problems, [], JSON.stringify(problems));
}

// Every item of an async iterable (engine.events(), credits.history(), jobs.list(), ...).
async function toArray(iterable) {
  const items = [];
  for await (const item of iterable) items.push(item);
  return items;
}

// ---- errors -------------------------------------------------------------------------------

function checkVidgoError(err, code, Class) {
  if (code !== undefined && code !== null) assert.equal(err.code, code, err.stack);
  assert.ok(err instanceof vidgo.VidgoError, `${err.name}: ${err.message} is not a VidgoError`);
  if (Class) assert.ok(err instanceof Class, `${err.name}: ${err.message} is not a ${Class.name}`);
  assert.equal(typeof err.errno, 'number');
  return true;
}

// Asserts that a promise (or an async function) rejects with a VidgoError of `code` (any
// code when null) and, when given, of `Class`; resolves to the error.
async function rejectsWith(promise, code, Class) {
  let caught;
  await assert.rejects(promise, (err) => checkVidgoError((caught = err), code, Class));
  return caught;
}

// The same for a sync call; returns the error.
function throwsWith(fn, code, Class) {
  let caught;
  assert.throws(fn, (err) => checkVidgoError((caught = err), code, Class));
  return caught;
}

// A Node argument error: `Class` (TypeError, RangeError) with `code`, by default either
// 'ERR_INVALID_ARG_TYPE' or 'ERR_INVALID_ARG_VALUE'. `what` names the call in messages.
function checkArgument(err, Class, code, what = '') {
  const prefix = what ? `${what}: ` : '';
  assert.ok(err instanceof Class, `${prefix}${err.stack}`);
  if (code) assert.equal(err.code, code, `${prefix}${err.stack}`);
  else assert.match(err.code, /^ERR_INVALID_ARG_(TYPE|VALUE)$/, prefix);
  return true;
}

// Asserts that a promise (or an async function) rejects with a Node argument error.
async function rejectsArgument(promise, Class, code) {
  await assert.rejects(promise, (err) => checkArgument(err, Class, code));
}

// The same for a sync call.
function throwsArgument(fn, Class, code) {
  assert.throws(fn, (err) => checkArgument(err, Class, code));
}

// Each [call, Class, code?] of `calls` throws or rejects with a Node argument error.
async function rejectsArguments(calls) {
  for (const [call, Class, code] of calls) {
    await assert.rejects(async () => call(), (err) => checkArgument(err, Class, code, `${call}`));
  }
}

// ---- the garbage collector (node --expose-gc) ---------------------------------------------

// Collects garbage `rounds` times, each followed by a turn of the event loop, where the
// finalizers of what was collected run.
async function collectGarbage(rounds = 5) {
  for (let i = 0; i < rounds; i++) {
    global.gc();
    await tick();
  }
}

// Collects garbage until check() is true, at most `rounds` times; resolves to whether it
// became true. Each collection runs in a task of its own: a WeakRef's deref() keeps its
// target alive until the end of the task it ran in, and finalizers run after a
// collection, later.
async function collectUntil(check, rounds = 50) {
  for (let i = 0; i < rounds; i++) {
    await tick();
    global.gc();
    await tick();
    if (check()) return true;
  }
  return false;
}

module.exports = {
  PASSWORD, assertInvariants, plainEnv, backends, codeOf, collectGarbage, collectUntil, nextMail,
  openEngine, openTemp, rejectsArgument, rejectsArguments, rejectsWith, tempDir, throwsArgument,
  throwsWith, toArray, verifiedUser, vidgo,
};
