// SPDX-License-Identifier: MIT
// What every test file shares: a fresh engine on a temporary store (SQLite, or the
// PostgreSQL server of $VIDGO_TEST_PG_URL), its captured e-mails, the invariant check.
'use strict';

const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

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

function psql(url, sql) {
  execFileSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', url, '-c', sql], { stdio: 'pipe' });
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

module.exports = {
  PASSWORD, assertInvariants, backends, codeOf, nextMail, openTemp, tempDir, verifiedUser, vidgo,
};
