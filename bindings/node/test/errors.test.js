// SPDX-License-Identifier: MIT
// Every status code of the loaded library becomes a VidgoError subclass with Node's
// conventions (code, errno) and a user message in the engine's language.
'use strict';

const assert = require('node:assert/strict');
const { test } = require('node:test');

const h = require('./helpers');
const { vidgo } = h;

test('every status code has its own class, name and user message', () => {
  const codes = vidgo.errors.allCodes();
  assert.equal(codes[0].errno, 0);
  assert.ok(codes.length > 80);
  for (const { errno, code } of codes.slice(1)) {
    const Class = vidgo.errors.classFor(errno);
    assert.notEqual(Class, vidgo.VidgoError, `${code} has no class of its own`);
    const err = vidgo.errors.makeError(errno, '', 0, 'ja');
    assert.ok(err instanceof Class && err instanceof vidgo.VidgoError && err instanceof Error);
    assert.equal(err.code, code);
    assert.equal(err.errno, errno);
    assert.equal(err.name, Class.name);
    assert.equal(err.userMessage, vidgo.strerror(errno, 'ja'));
    assert.equal(err.message, err.userMessage); // no library message: the user one
    assert.match(err.stack, new RegExp(`^${Class.name}: `));
  }
});

test('the hierarchy groups codes by domain', () => {
  const of = (code) => vidgo.errors.classFor(vidgo.errors.allCodes().find((c) => c.code === code).errno);
  const cases = [
    ['VG_EINSUFFICIENT_CREDITS', [vidgo.InsufficientCredits, vidgo.CreditsError]],
    ['VG_ECODE_EXPIRED', [vidgo.CodeExpired, vidgo.VerificationFailed, vidgo.AccountError]],
    ['VG_ERESOLUTION', [vidgo.ResolutionNotAllowed, vidgo.AccessDenied]],
    ['VG_ENETWORK', [vidgo.NetworkError, vidgo.ProviderUnavailable, vidgo.ProviderError]],
    ['VG_EREPLAY', [vidgo.ReplayError, vidgo.SignatureError, vidgo.PaymentError]],
    ['VG_ESTORE_READONLY', [vidgo.StoreReadOnly, vidgo.StoreError]],
    ['VG_EPROMPT_EMPTY', [vidgo.PromptEmpty, vidgo.InvalidPrompt, vidgo.CacheError]],
  ];
  for (const [code, classes] of cases) {
    const err = new (of(code))('x');
    for (const Class of classes) assert.ok(err instanceof Class, `${code} is a ${Class.name}`);
  }
  assert.ok(!(new vidgo.InsufficientCredits('x') instanceof vidgo.StoreError));
});

test('an unknown code falls back to its domain', () => {
  assert.equal(vidgo.errors.classFor(-399), vidgo.CreditsError);
  assert.equal(vidgo.errors.classFor(-899), vidgo.PaymentError);
  assert.equal(vidgo.errors.classFor(-5000), vidgo.VidgoError);
  assert.equal(vidgo.errorName(-5000), 'VG_EUNKNOWN');
});

test('a rate-limit error carries retryAfter; a closed handle is a ClosedError', () => {
  const rate = vidgo.errors.allCodes().find((c) => c.code === 'VG_ERATE_LIMITED').errno;
  const err = vidgo.errors.makeError(rate, 'slow down', 42, 'en');
  assert.ok(err instanceof vidgo.RateLimited);
  assert.equal(err.retryAfter, 42);
  const closed = vidgo.errors.makeError(1, 'the engine is closed', 0, 'en');
  assert.ok(closed instanceof vidgo.ClosedError);
  assert.equal(closed.code, 'ERR_VIDGO_CLOSED');
});

test('a failure on the main thread is readable afterwards, and can be cleared', () => {
  vidgo.clearLastError();
  assert.equal(vidgo.lastError(), null);
  assert.throws(() => vidgo.parseTime('garbage'), vidgo.InvalidArgument);
  const last = vidgo.lastError();
  assert.equal(last.code, 'VG_EINVAL');
  vidgo.clearLastError();
  assert.equal(vidgo.lastError(), null);
});

test('errors of real calls carry the engine language', async () => {
  const engine = await h.openTemp({ lang: 'es' });
  try {
    await assert.rejects(engine.accounts.login('nobody@example.com', 'wrong password'), (err) => {
      assert.ok(err instanceof vidgo.AuthFailed);
      assert.equal(err.code, 'VG_EAUTH_FAILED');
      assert.equal(err.userMessage, vidgo.strerror(err.errno, 'es'));
      assert.ok(err.detail.length > 0);
      assert.equal(err.message, `${err.userMessage} (${err.detail})`);
      return true;
    });
  } finally {
    engine.close();
  }
});
