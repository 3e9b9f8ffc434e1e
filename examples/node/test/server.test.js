// SPDX-License-Identifier: MIT
// The example server's endpoints over real HTTP: sign-up to a charged generation, and every
// error path (statuses from the error table, bodies { error, message }, no secret in logs).
// Run: node --test examples/node/test/
'use strict';

const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { after, before, describe, it } = require('node:test');

const vidgo = require('../../../bindings/node');
const { createServer, errorReply, DevOutbox } = require('../server');

const PASSWORD = 'correct horse battery';
const SERVER = path.join(__dirname, '..', 'server.js');

// Everything the server must never write to its log.
const secrets = new Set([PASSWORD]);
const logLines = [];

function tempDir() {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'vidgo-node-example-'));
}

let app;
let dir;
let callerCount = 0;

before(async () => {
  dir = tempDir();
  app = await createServer({
    port: 0,
    db: path.join(dir, 'vidgo.db'),
    devCodes: true,
    trustProxy: true, // each test signs up from its own X-Forwarded-For address
    log: (level, msg, fields) => logLines.push(JSON.stringify({ level, msg, ...fields })),
    engineOptions: { pwhashOpslimit: 1, pwhashMemlimit: 8192 },
  });
});

after(async () => {
  if (app) await app.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

// A fresh client address, so that the per-caller rate limits of one test do not reach another.
function newCaller() {
  return `198.51.100.${++callerCount}`;
}

/** One request: { status, headers, body } with the body parsed when it is JSON. */
async function call(method, url, { body, token, headers = {}, raw } = {}) {
  const init = { method, headers: { ...headers } };
  if (token) init.headers.Authorization = `Bearer ${token}`;
  if (raw !== undefined) {
    init.body = raw;
  } else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers['Content-Type'] = 'application/json';
  }
  const res = await fetch(app.url + url, init);
  const type = res.headers.get('content-type') || '';
  const data = type.startsWith('application/json') ? await res.json()
                                                    : Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, body: data };
}

function assertError(res, status, code) {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.equal(res.body.error, code);
  assert.equal(typeof res.body.message, 'string');
  assert.ok(res.body.message.length > 0);
}

let emailCount = 0;
function newEmail(name) {
  return `${name}-${process.pid}-${++emailCount}@example.com`;
}

/** Signs up, verifies with the dev code, signs in; returns { email, userId, token, refresh }. */
async function signedIn(name, caller = newCaller()) {
  const email = newEmail(name);
  const headers = { 'X-Forwarded-For': caller };
  const signup = await call('POST', '/signup', { body: { email, password: PASSWORD }, headers });
  assert.equal(signup.status, 201, JSON.stringify(signup.body));
  assert.match(signup.body.devCode, /^\d{6}$/);
  secrets.add(signup.body.devCode);
  const verify = await call('POST', '/verify', { body: { email, code: signup.body.devCode },
                                                 headers });
  assert.equal(verify.status, 200, JSON.stringify(verify.body));
  const signin = await call('POST', '/signin', { body: { email, password: PASSWORD }, headers });
  assert.equal(signin.status, 200, JSON.stringify(signin.body));
  secrets.add(signin.body.accessToken);
  secrets.add(signin.body.refreshToken);
  return { email, userId: signup.body.userId, token: signin.body.accessToken,
           refresh: signin.body.refreshToken };
}

/** Polls GET /jobs/:id until the job is final and, if it succeeded, charged. */
async function settled(jobId, token, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await call('GET', `/jobs/${jobId}`, { token });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const job = res.body;
    if (job.final && (job.state !== 'succeeded' || job.charged)) return job;
    assert.ok(Date.now() < deadline, `job ${jobId} still ${job.state}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** How many debit rows a user's ledger has. */
async function debits(userId) {
  const ledger = await app.engine.credits.historyPage(userId);
  return ledger.filter((entry) => entry.type === 'debit').length;
}

async function balanceOf(token) {
  const res = await call('GET', '/balance', { token });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
}

describe('the happy path', () => {
  it('GET /healthz answers with the store and the worker', async () => {
    const res = await call('GET', '/healthz');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { status: 'ok', version: vidgo.version, store: 'sqlite',
                                 worker: true });
  });

  it('sign-up, verify, sign-in, balance, generate, poll to succeeded: charged once', async () => {
    const user = await signedIn('happy');
    const first = await balanceOf(user.token);
    assert.equal(first.userId, user.userId);
    assert.equal(first.plan, 'demo');
    assert.equal(first.freeUses, 2);

    const body = { prompt: 'a red sneaker on a white table' };
    const res = await call('POST', '/generate', { token: user.token, body });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    assert.ok(Number.isInteger(res.body.jobId) && res.body.jobId > 0);
    assert.equal(res.body.service, 'image_1024');
    assert.equal(res.headers.get('location'), `/jobs/${res.body.jobId}`);

    const job = await settled(res.body.jobId, user.token);
    assert.equal(job.state, 'succeeded', JSON.stringify(job));
    assert.equal(job.percent, 100);
    assert.equal(job.charged, true);
    assert.equal(job.freeUse, true);
    assert.equal(job.error, null);
    assert.match(job.resultUrl, /^file:\/\//);
    assert.equal(job.resultPath, `/jobs/${job.id}/result`);
    for (const internal of ['provider', 'detail', 'apiCostMicroUsd', 'userId', 'enhancedPrompt']) {
      assert.equal(job[internal], undefined, `${internal} is not shown to clients`);
    }

    const charged = await balanceOf(user.token);
    assert.equal(charged.freeUses, 1);
    assert.equal(charged.freeUsesHeld, 0);
    await new Promise((resolve) => setTimeout(resolve, 300)); // the worker keeps running
    assert.deepEqual(await balanceOf(user.token), charged, 'charged once, not again');
    assert.equal(await debits(user.userId), 1);

    const file = await call('GET', job.resultPath, { token: user.token });
    assert.equal(file.status, 200);
    assert.equal(file.headers.get('content-type'), 'image/png');
    assert.deepEqual([...file.body.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
    assert.deepEqual(await app.engine.check(), []);
  });

  it('a paying user is charged once; the same Idempotency-Key is the same job', async () => {
    const user = await signedIn('paid');
    await app.engine.credits.changePlan(user.userId, 'starter',
                                        { key: `test-plan-${user.userId}` });
    const before = await balanceOf(user.token);
    assert.equal(before.plan, 'starter');
    assert.equal(before.available, 25);

    const body = { prompt: 'a blue shampoo bottle in the rain', resolution: '1080p' };
    const headers = { 'Idempotency-Key': `order-${user.userId}` };
    const res = await call('POST', '/generate', { token: user.token, body, headers });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    assert.equal(res.body.service, 'video_1080p');
    const again = await call('POST', '/generate', { token: user.token, body, headers });
    assert.equal(again.status, 202);
    assert.equal(again.body.jobId, res.body.jobId);

    const job = await settled(res.body.jobId, user.token);
    assert.equal(job.state, 'succeeded', JSON.stringify(job));
    assert.equal(job.freeUse, false);
    assert.equal(job.price, 8);
    const afterJob = await balanceOf(user.token);
    assert.equal(afterJob.held, 0);
    assert.equal(afterJob.total, before.total - job.price);
    assert.equal(afterJob.available, before.available - job.price);
    assert.equal(await debits(user.userId), 1);

    const conflict = await call('POST', '/generate', { token: user.token, headers,
                                                       body: { ...body, prompt: 'another' } });
    assertError(conflict, 409, 'VG_EIDEMPOTENCY_CONFLICT');
    assert.deepEqual(await balanceOf(user.token), afterJob);
    assert.equal(await debits(user.userId), 1);
    assert.deepEqual(await app.engine.check(), []);
  });

  it('the code comes back in the language asked for; /resend gives a new dev code', async () => {
    const email = newEmail('resend');
    const headers = { 'X-Forwarded-For': newCaller() };
    const signup = await call('POST', '/signup', { body: { email, password: PASSWORD, lang: 'ja' },
                                                   headers });
    assert.equal(signup.status, 201);
    secrets.add(signup.body.devCode);
    assert.equal(await app.engine.accounts.lang(signup.body.userId), 'ja');
    const resend = await call('POST', '/resend', { body: { email }, headers });
    assert.equal(resend.status, 202);
    assert.match(resend.body.devCode, /^\d{6}$/);
    secrets.add(resend.body.devCode);
    if (signup.body.devCode !== resend.body.devCode) { // the new code replaced the old one
      const old = await call('POST', '/verify', { body: { email, code: signup.body.devCode } });
      assert.equal(old.status, 400);
      assert.match(old.body.error, /^VG_ECODE_/);
    }
    const ok = await call('POST', '/verify', { body: { email, code: resend.body.devCode } });
    assert.equal(ok.status, 200);
  });
});

describe('errors', () => {
  let alice;
  let aliceJob;

  const JSON_TYPE = { 'Content-Type': 'application/json' };
  const post = (url, body, opts = {}) => call('POST', url, { ...opts, body });
  const generate = (token, body, headers) => call('POST', '/generate', { token, body, headers });
  const expectError = async (request, status, code) => assertError(await request, status, code);

  before(async () => {
    alice = await signedIn('alice');
    const res = await generate(alice.token, { prompt: 'a silver watch on velvet' });
    assert.equal(res.status, 202);
    aliceJob = res.body.jobId;
  });

  it('a wrong password is 401 VG_EAUTH_FAILED, like an unknown address', async () => {
    const headers = { 'X-Forwarded-For': newCaller() };
    const wrong = await post('/signin', { email: alice.email, password: 'not the password' },
                             { headers });
    assertError(wrong, 401, 'VG_EAUTH_FAILED');
    assert.equal(wrong.headers.get('www-authenticate'), null);
    const unknown = await post('/signin', { email: newEmail('nobody'), password: PASSWORD },
                               { headers });
    assertError(unknown, 401, 'VG_EAUTH_FAILED');
    assert.equal(unknown.body.message, wrong.body.message);
  });

  it('no token, a malformed header, a forged and a tampered token are 401', async () => {
    const none = await call('GET', '/balance');
    assertError(none, 401, 'ERR_UNAUTHENTICATED');
    assert.equal(none.headers.get('www-authenticate'), 'Bearer');
    await expectError(call('GET', '/balance', { headers: { Authorization: 'Basic abc' } }),
                      401, 'ERR_UNAUTHENTICATED');
    const forged = await call('GET', '/balance',
                              { token: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOjF9.c2ln' });
    assertError(forged, 401, 'VG_ETOKEN_INVALID');
    assert.match(forged.headers.get('www-authenticate'), /invalid_token/);
    const [head, payload, signature] = alice.token.split('.');
    const flipped = signature[5] === 'A' ? 'B' : 'A';
    const tampered = `${head}.${payload}.${signature.slice(0, 5)}${flipped}${signature.slice(6)}`;
    await expectError(call('GET', '/balance', { token: tampered }), 401, 'VG_ETOKEN_INVALID');
    await expectError(call('GET', `/jobs/${aliceJob}`, { token: 'nope' }),
                      401, 'VG_ETOKEN_INVALID');
    await expectError(generate(undefined, { prompt: 'x' }), 401, 'ERR_UNAUTHENTICATED');
  });

  it('a revoked session is 401 VG_ETOKEN_REVOKED', async () => {
    const bob = await signedIn('revoked');
    await app.engine.accounts.logout(bob.refresh);
    await expectError(call('GET', '/balance', { token: bob.token }), 401, 'VG_ETOKEN_REVOKED');
  });

  it("another user's job is 404, exactly as a job that does not exist", async () => {
    const mallory = await signedIn('mallory');
    const theirs = await call('GET', `/jobs/${aliceJob}`, { token: mallory.token });
    assertError(theirs, 404, 'VG_ENOTFOUND');
    const missing = await call('GET', '/jobs/999999', { token: mallory.token });
    assert.deepEqual(theirs.body, missing.body);
    await expectError(call('GET', `/jobs/${aliceJob}/result`, { token: mallory.token }),
                      404, 'VG_ENOTFOUND');
    const own = await call('GET', `/jobs/${aliceJob}`, { token: alice.token });
    assert.equal(own.status, 200);
    assert.equal(own.body.id, aliceJob);
  });

  it('bad JSON, a non-object body, missing and mistyped fields are 400', async () => {
    const t = alice.token;
    await expectError(call('POST', '/signup', { raw: '{"email": ', headers: JSON_TYPE }),
                      400, 'ERR_BAD_JSON');
    await expectError(call('POST', '/signin', { raw: '[1, 2]', headers: JSON_TYPE }),
                      400, 'ERR_BAD_JSON');
    await expectError(post('/signin', { email: alice.email }), 400, 'ERR_INVALID_FIELD');
    await expectError(post('/signin', { email: 42, password: PASSWORD }),
                      400, 'ERR_INVALID_FIELD');
    await expectError(generate(t, { prompt: ['x'] }), 400, 'ERR_INVALID_FIELD');
    await expectError(generate(t, { prompt: 'x', resolution: 'big' }), 400, 'ERR_INVALID_FIELD');
    await expectError(generate(t, { prompt: 'x', resolution: 333 }), 400, 'ERR_INVALID_FIELD');
    await expectError(generate(t, { prompt: '   ' }), 400, 'VG_EPROMPT_EMPTY');
    await expectError(generate(t, { prompt: 'x', service: 'no_such' }),
                      400, 'VG_ESERVICE_UNKNOWN');
    await expectError(generate(t, { prompt: 'x' }, { 'Idempotency-Key': 'a b' }),
                      400, 'ERR_INVALID_FIELD');
    await expectError(post('/signup', { email: 'not an address', password: PASSWORD }),
                      400, 'VG_EEMAIL_INVALID');
    await expectError(post('/signup', { email: newEmail('short'), password: 'short' }),
                      400, 'VG_EPASSWORD_POLICY');
    await expectError(post('/signup', { email: newEmail('lang'), password: PASSWORD, lang: 'xx' }),
                      400, 'ERR_INVALID_FIELD');
    const form = { 'Content-Type': 'application/x-www-form-urlencoded' };
    await expectError(call('POST', '/verify', { raw: 'email=a', headers: form }),
                      415, 'ERR_UNSUPPORTED_MEDIA_TYPE');
    const big = JSON.stringify({ prompt: 'x'.repeat(70 * 1024) });
    await expectError(call('POST', '/generate', { token: t, raw: big, headers: JSON_TYPE }),
                      413, 'ERR_BODY_TOO_LARGE');
  });

  it('a wrong code is 400, a second verify 409, a taken address 409', async () => {
    const email = newEmail('codes');
    const headers = { 'X-Forwarded-For': newCaller() };
    const signup = await post('/signup', { email, password: PASSWORD }, { headers });
    assert.equal(signup.status, 201);
    const code = signup.body.devCode;
    secrets.add(code);
    const wrongCode = code === '000000' ? '111111' : '000000';
    await expectError(post('/verify', { email, code: wrongCode }), 400, 'VG_ECODE_INVALID');
    assert.equal((await post('/verify', { email, code })).status, 200);
    await expectError(post('/verify', { email, code }), 409, 'VG_ESTATE');
    await expectError(post('/signup', { email, password: PASSWORD }, { headers }),
                      409, 'VG_EEMAIL_TAKEN');
  });

  it('refusals of the plan: a video above the demo plan is 403, spent free uses 402', async () => {
    const t = (await signedIn('refused')).token;
    await expectError(generate(t, { prompt: 'a car', resolution: '4k' }), 403, 'VG_ERESOLUTION');
    const starterOnly = await generate(t, { prompt: 'a car', service: 'video_1080p' });
    assert.equal(starterOnly.status, 403, JSON.stringify(starterOnly.body));
    assert.match(starterOnly.body.error, /^VG_E(RESOLUTION|PLAN_TOO_LOW)$/);
    for (let i = 0; i < 2; i++) { // the demo's two free uses
      const res = await generate(t, { prompt: `a lamp ${i}`, service: 'image_512' });
      assert.equal(res.status, 202, JSON.stringify(res.body));
    }
    await expectError(generate(t, { prompt: 'a lamp 3', service: 'image_512' }),
                      402, 'VG_EDEMO_USED_UP');
  });

  it('not enough credits is 402 VG_EINSUFFICIENT_CREDITS', async () => {
    const user = await signedIn('poor');
    const credits = app.engine.credits;
    await credits.changePlan(user.userId, 'starter', { key: `test-plan-${user.userId}` });
    const holds = [];
    for (let i = 0; i < 3; i++) { // 3 × 8 of the 25 weekly credits
      holds.push(await credits.hold(user.userId, 'video_1080p', { key: `test-hold-${i}` }));
    }
    await expectError(generate(user.token, { prompt: 'a kettle', service: 'video_1080p' }),
                      402, 'VG_EINSUFFICIENT_CREDITS');
    for (const [i, hold] of holds.entries()) {
      await credits.release(hold, { key: `test-release-${i}` });
    }
    assert.equal((await balanceOf(user.token)).available, 25);
    assert.deepEqual(await app.engine.check(), []);
  });

  it('too many failed sign-ins are 429 with Retry-After', async () => {
    const headers = { 'X-Forwarded-For': newCaller() };
    let res;
    for (let i = 0; i < 10; i++) {
      res = await post('/signin', { email: alice.email, password: `wrong ${i} password` },
                       { headers });
      if (res.status !== 401) break;
    }
    assertError(res, 429, 'VG_ERATE_LIMITED');
    const retry = Number(res.headers.get('retry-after'));
    assert.ok(Number.isInteger(retry) && retry > 0, `Retry-After ${retry}`);
    assert.equal(res.body.retryAfter, retry);
    // The right password is refused too while the address is limited.
    await expectError(post('/signin', { email: alice.email, password: PASSWORD }, { headers }),
                      429, 'VG_ERATE_LIMITED');
  });

  it('an unknown route is 404, a wrong method 405 with Allow', async () => {
    await expectError(call('GET', '/nope'), 404, 'ERR_NOT_FOUND');
    await expectError(call('GET', '/jobs/abc', { token: alice.token }), 404, 'ERR_NOT_FOUND');
    await expectError(call('GET', '/jobs/0', { token: alice.token }), 404, 'ERR_NOT_FOUND');
    const wrong = await call('DELETE', '/balance', { token: alice.token });
    assertError(wrong, 405, 'ERR_METHOD_NOT_ALLOWED');
    assert.equal(wrong.headers.get('allow'), 'GET');
    await expectError(call('GET', '/signup'), 405, 'ERR_METHOD_NOT_ALLOWED');
  });

  it('messages follow Accept-Language', async () => {
    const en = await call('GET', '/jobs/999999', { token: alice.token });
    const headers = { 'Accept-Language': 'ja-JP,ja;q=0.9' };
    const ja = await call('GET', '/jobs/999999', { token: alice.token, headers });
    assertError(ja, 404, 'VG_ENOTFOUND');
    const notFound = vidgo.errors.allCodes().find((c) => c.code === 'VG_ENOTFOUND').errno;
    assert.equal(en.body.message, vidgo.strerror(notFound, 'en'));
    assert.equal(ja.body.message, vidgo.strerror(notFound, 'ja'));
    assert.notEqual(ja.body.message, en.body.message);
  });
});

describe('the error table', () => {
  function make(name, extra = {}) {
    const code = vidgo.errors.allCodes()
      .find((c) => vidgo.errors.classFor(c.errno) === vidgo[name]);
    assert.ok(code, `a status raised as ${name}`);
    return Object.assign(vidgo.errors.makeError(code.errno, 'detail for support', 0, 'en'), extra);
  }

  const expected = [
    ['InsufficientCredits', 402], ['DemoUsedUp', 402], ['PlanTooLow', 403],
    ['SubscribersOnly', 403], ['ResolutionNotAllowed', 403], ['ParameterNotAllowed', 403],
    ['AuthFailed', 401], ['TokenInvalid', 401], ['TokenExpired', 401], ['TokenRevoked', 401],
    ['NotVerified', 403], ['AccountDisabled', 403], ['NotFound', 404], ['PlanUnknown', 404],
    ['ServiceUnknown', 400], ['EmailTaken', 409], ['InvalidState', 409],
    ['IdempotencyConflict', 409], ['CodeInvalid', 400], ['CodeExpired', 400],
    ['CodeExhausted', 400], ['EmailInvalid', 400], ['PasswordPolicy', 400],
    ['PromptEmpty', 400], ['PromptTooLong', 400], ['InvalidArgument', 400],
    ['StoreBusy', 503], ['Timeout', 504], ['ProviderUnavailable', 502],
    ['EmailSendError', 502], ['StoreCorrupt', 500], ['InternalError', 500],
  ];
  for (const [name, status] of expected) {
    it(`${name} → ${status}`, () => {
      const err = make(name);
      const [got, body] = errorReply(err);
      assert.equal(got, status);
      assert.deepEqual(body, { error: err.code, message: err.userMessage });
      assert.ok(!body.message.includes('detail for support'));
    });
  }

  it('RateLimited → 429 with Retry-After rounded up', () => {
    const err = make('RateLimited', { retryAfter: 41.2 });
    const [status, body, headers] = errorReply(err);
    assert.equal(status, 429);
    assert.equal(headers['Retry-After'], '42');
    assert.equal(body.retryAfter, 42);
  });

  it("the binding's argument errors are 400; anything else 500 without its message", () => {
    const arg = Object.assign(new TypeError('The "email" argument must be a string'),
                              { code: 'ERR_INVALID_ARG_TYPE' });
    assert.equal(errorReply(arg)[0], 400);
    const [status, body] = errorReply(new Error('secret internals'));
    assert.equal(status, 500);
    assert.equal(body.error, 'ERR_INTERNAL');
    assert.ok(!JSON.stringify(body).includes('secret internals'));
  });
});

describe('the dev outbox', () => {
  it('hands out the code of a verify e-mail once, and nothing for a reset e-mail', async () => {
    const outbox = new DevOutbox();
    outbox.deliver({ kind: 'reset', to: 'a@example.com', text: 'token 123456' });
    assert.equal(await outbox.take('a@example.com', 10), null);
    outbox.deliver({ kind: 'verify', to: 'a@example.com', text: 'Your code is 654321.' });
    assert.equal(await outbox.take(' A@Example.com ', 10), '654321');
    assert.equal(await outbox.take('a@example.com', 10), null);
    const waiting = outbox.take('b@example.com', 1000);
    outbox.deliver({ kind: 'verify', to: 'b@example.com', text: 'Your code is 111222.' });
    assert.equal(await waiting, '111222');
  });
});

describe('without dev mode', () => {
  it('/signup does not return the code', async () => {
    const mail = [];
    const other = await createServer({
      port: 0, db: path.join(dir, 'plain.db'), devCodes: false, log: () => {},
      engineOptions: { pwhashOpslimit: 1, pwhashMemlimit: 8192, onEmail: (m) => mail.push(m) },
    });
    try {
      const res = await fetch(`${other.url}/signup`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: newEmail('plain'), password: PASSWORD }),
      });
      const body = await res.json();
      assert.equal(res.status, 201);
      assert.equal(body.verificationSent, true);
      assert.equal(body.devCode, undefined);
      for (let i = 0; i < 100 && mail.length === 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      assert.equal(mail.length, 1, 'the e-mail went out anyway');
    } finally {
      await other.close();
    }
  });
});

describe('shutdown', () => {
  it('close() stops the server, the worker and the engine, once', async () => {
    const other = await createServer({ port: 0, db: path.join(dir, 'close.db'), log: () => {} });
    assert.equal((await fetch(`${other.url}/healthz`)).status, 200);
    const closing = other.close();
    assert.equal(other.close(), closing);
    await closing;
    assert.equal(other.engine.closed, true);
    assert.equal(other.server.listening, false);
    await assert.rejects(fetch(`${other.url}/healthz`));
  });

  it('SIGTERM shuts the command-line server down cleanly', async () => {
    const child = spawn(process.execPath,
                        [SERVER, '--port', '0', '--db', path.join(dir, 'cli.db')],
                        { stdio: ['ignore', 'ignore', 'pipe'],
                          env: { ...process.env, VIDGO_DEV_CODES: '' } });
    let stderr = '';
    const url = await new Promise((resolve, reject) => {
      child.stderr.on('data', (chunk) => {
        stderr += chunk;
        const line = stderr.split('\n').find((l) => l.includes('"listening"'));
        if (line) resolve(JSON.parse(line).url);
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
    });
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
    const exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    child.kill('SIGTERM');
    assert.deepEqual(await exited, { code: 0, signal: null });
    assert.match(stderr, /"msg":"stopped"/);
  });
});

describe('the log', () => {
  it('has a line for each request and no password, code or token', () => {
    const text = logLines.join('\n');
    assert.ok(logLines.some((l) => l.includes('"path":"/signup"') && l.includes('"status":201')));
    assert.ok(secrets.size > 5);
    for (const secret of secrets) {
      assert.ok(!text.includes(secret), 'a secret reached the log');
    }
  });
});
