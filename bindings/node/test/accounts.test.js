// SPDX-License-Identifier: MIT
// engine.accounts and engine.users: sign-up with a code, sign-in, sessions, reset, records.
'use strict';

const assert = require('node:assert/strict');
const { describe, test } = require('node:test');
const util = require('node:util');

const h = require('./helpers');

const { openEngine, rejectsWith, vidgo } = h;
const native = require('../lib/native');

const MINUTE = 60 * 1000;

// The newest e-mail of a kind to an address.
function lastMail(engine, to, kind) {
  const found = engine.testMail.filter((m) => m.to === to && m.kind === kind).pop();
  assert.ok(found, `no ${kind} e-mail to ${to}`);
  return found;
}

// The single-use token of a password-reset e-mail.
function resetTokenOf(email) {
  const match = /\b(vgp_[A-Za-z0-9_-]+)/.exec(email.text);
  assert.ok(match, 'no reset token in the e-mail');
  return match[1];
}

// Registers an address and waits for its verification e-mail; returns [id, code].
async function registered(engine, email, opts) {
  const before = engine.testMail.length;
  const id = await engine.accounts.register(email, h.PASSWORD, opts);
  return [id, h.codeOf(await h.nextMail(engine, before + 1))];
}

// A wrong code that is surely not the right one.
function wrongCode(code) {
  return code === '000000' ? '111111' : '000000';
}

for (const backend of h.backends()) {
  describe(`accounts on ${backend}`, () => {
    test('register, verify, sign in, refresh, verify the token, sign out', async (t) => {
      const engine = await openEngine(t, backend);
      const [uid, code] = await registered(engine, ' Mei@Example.com', {
        lang: 'ja', caller: '10.0.0.1',
      });
      const mail = lastMail(engine, 'mei@example.com', 'verify');
      assert.equal(mail.lang, 'ja');
      assert.equal((await engine.users.get(uid)).verified, false);

      await engine.accounts.verify('mei@example.com', code);
      const user = await engine.users.find('MEI@example.com');
      assert.deepEqual(
        [user.id, user.email, user.plan, user.verified, user.active],
        [uid, 'mei@example.com', 'demo', true, true]);
      assert.ok(user.createdAt instanceof Date);
      assert.equal(await engine.accounts.lang(uid), 'ja');

      const session = await engine.accounts.login('mei@example.com', h.PASSWORD, {
        caller: '10.0.0.1',
      });
      assert.equal(session.userId, uid);
      assert.match(session.refreshToken, /^vgr_/);
      assert.ok(session.accessExpiresAt < session.refreshExpiresAt);
      const claims = await engine.accounts.verifyToken(session.accessToken);
      assert.deepEqual([claims.userId, claims.sessionId, claims.plan],
                       [uid, session.sessionId, 'demo']);
      assert.ok(claims.jti.length > 0 && claims.issuedAt <= claims.expiresAt);

      const fresh = await engine.accounts.refresh(session.refreshToken);
      assert.notEqual(fresh.refreshToken, session.refreshToken);
      assert.equal(fresh.sessionId, session.sessionId);
      // The spent token revokes its whole session, the fresh pair included.
      await rejectsWith(engine.accounts.refresh(session.refreshToken), 'VG_ETOKEN_REVOKED',
                        vidgo.TokenRevoked);
      await rejectsWith(engine.accounts.verifyToken(fresh.accessToken), 'VG_ETOKEN_REVOKED',
                        vidgo.TokenError);

      const again = await engine.accounts.login('mei@example.com', h.PASSWORD);
      await engine.accounts.logout(again.refreshToken);
      await engine.accounts.logout(again.refreshToken); // already revoked: fine
      await rejectsWith(engine.accounts.verifyToken(again.accessToken), 'VG_ETOKEN_REVOKED');
      await rejectsWith(engine.accounts.refresh(again.refreshToken), 'VG_ETOKEN_REVOKED');
    });

    test('a session shows no token when inspected, but serialises with them', async (t) => {
      const engine = await openEngine(t, backend);
      await h.verifiedUser(engine, 'ivo@example.com');
      const session = await engine.accounts.login('ivo@example.com', h.PASSWORD);
      const shown = util.inspect(session) + util.format('%o %O %j', session, session, {});
      assert.ok(!shown.includes(session.accessToken) && !shown.includes(session.refreshToken));
      assert.match(util.inspect(session), /userId: \d+/);
      const json = JSON.parse(JSON.stringify(session));
      assert.equal(json.refreshToken, session.refreshToken);
      assert.deepEqual(Object.keys(session), ['userId', 'sessionId', 'accessToken',
        'refreshToken', 'accessExpiresAt', 'refreshExpiresAt']);
    });

    test('a wrong code counts a try and the third kills the code', async (t) => {
      const engine = await openEngine(t, backend);
      const [uid, code] = await registered(engine, 'kim@example.com');
      await rejectsWith(engine.accounts.verify('kim@example.com', wrongCode(code)),
                        'VG_ECODE_INVALID', vidgo.CodeInvalid);
      await rejectsWith(engine.accounts.verify('kim@example.com', wrongCode(code)),
                        'VG_ECODE_INVALID', vidgo.VerificationFailed);
      await rejectsWith(engine.accounts.verify('kim@example.com', wrongCode(code)),
                        'VG_ECODE_EXHAUSTED', vidgo.CodeExhausted);
      // Dead now, even the right one.
      await rejectsWith(engine.accounts.verify('kim@example.com', code), 'VG_ECODE_EXPIRED',
                        vidgo.CodeExpired);
      assert.equal((await engine.users.get(uid)).verified, false);
      await rejectsWith(engine.accounts.login('kim@example.com', h.PASSWORD), 'VG_ENOT_VERIFIED',
                        vidgo.NotVerified);
    });

    test('resend replaces the code, at most five codes an hour', async (t) => {
      const engine = await openEngine(t, backend);
      const [, first] = await registered(engine, 'dan@example.com');
      let count = engine.testMail.length;
      await engine.accounts.resend('dan@example.com');
      const second = h.codeOf(await h.nextMail(engine, ++count));
      if (second !== first) { // the replaced code is just a wrong one now
        await rejectsWith(engine.accounts.verify('dan@example.com', first), 'VG_ECODE_INVALID');
      }
      for (let i = 0; i < 3; i++) await engine.accounts.resend('dan@example.com');
      await h.nextMail(engine, count + 3);
      await assert.rejects(engine.accounts.resend('dan@example.com'), (err) => {
        assert.equal(err.code, 'VG_ERATE_LIMITED');
        assert.ok(err instanceof vidgo.RateLimited);
        assert.ok(err.retryAfter >= 1, `retryAfter ${err.retryAfter}`);
        return true;
      });
      const newest = h.codeOf(lastMail(engine, 'dan@example.com', 'verify'));
      await engine.accounts.verify('dan@example.com', newest);
      await rejectsWith(engine.accounts.verify('dan@example.com', newest), 'VG_ESTATE',
                        vidgo.InvalidState);
      // Unknown and verified addresses get nothing, and the same answer.
      await engine.users.addVerified('vera@example.com');
      const mails = engine.testMail.length;
      await engine.accounts.resend('nobody@example.com');
      await engine.accounts.resend('vera@example.com');
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(engine.testMail.length, mails);
    });

    test('register refuses bad addresses, weak passwords and taken addresses', async (t) => {
      const engine = await openEngine(t, backend);
      await rejectsWith(engine.accounts.register('not an address', h.PASSWORD),
                        'VG_EEMAIL_INVALID', vidgo.EmailInvalid);
      await assert.rejects(engine.accounts.register('ok@example.com', 'Zq9!x'), (err) => {
        assert.ok(err instanceof vidgo.PasswordPolicy && err.code === 'VG_EPASSWORD_POLICY');
        assert.ok(!err.message.includes('Zq9!x') && !err.userMessage.includes('Zq9!x'));
        return true;
      });
      await rejectsWith(engine.accounts.register('ok@example.com', 'ok@example.com'),
                        'VG_EPASSWORD_POLICY');
      await rejectsWith(engine.accounts.register('ok@example.com', 'x'.repeat(257)),
                        'VG_EPASSWORD_POLICY');
      assert.equal(engine.testMail.length, 0);
      await engine.users.addVerified('taken@example.com');
      await rejectsWith(engine.accounts.register('Taken@example.com', h.PASSWORD),
                        'VG_EEMAIL_TAKEN', vidgo.EmailTaken);
      await rejectsWith(engine.users.find('ok@example.com'), 'VG_ENOTFOUND', vidgo.NotFound);
    });

    test('without a way to send e-mail, or when sending fails, nothing is created',
      async (t) => {
        const none = await openEngine(t, backend, { onEmail: undefined });
        await rejectsWith(none.accounts.register('mute@example.com', h.PASSWORD), 'VG_ECONFIG',
                          vidgo.ConfigError);
        await rejectsWith(none.users.find('mute@example.com'), 'VG_ENOTFOUND');
        // Nothing listens on port 1 of the loopback address: the connection is refused.
        const down = await openEngine(t, backend, {
          onEmail: undefined, smtpUrl: 'smtp://127.0.0.1:1', smtpTimeoutMs: 2000,
        });
        await rejectsWith(down.accounts.register('lost@example.com', h.PASSWORD),
                          'VG_EEMAIL_SEND', vidgo.EmailSendError);
        await rejectsWith(down.users.find('lost@example.com'), 'VG_ENOTFOUND');
      });

    test('sign-in failures are alike, then rate-limited with retryAfter', async (t) => {
      const engine = await openEngine(t, backend);
      await registered(engine, 'una@example.com'); // not verified
      await rejectsWith(engine.accounts.login('una@example.com', 'wrong password!'),
                        'VG_EAUTH_FAILED', vidgo.AuthFailed);
      await rejectsWith(engine.accounts.login('nobody@example.com', h.PASSWORD),
                        'VG_EAUTH_FAILED', vidgo.AccountError);
      await rejectsWith(engine.accounts.login('una@example.com', h.PASSWORD), 'VG_ENOT_VERIFIED');

      await engine.users.addVerified('limit@example.com');
      let limited = null;
      for (let i = 0; i < 50 && !limited; i++) {
        try {
          await engine.accounts.login('limit@example.com', 'wrong password!', {
            caller: '1.2.3.4',
          });
          assert.fail('a wrong password signed in');
        } catch (err) {
          if (err.code === 'VG_ERATE_LIMITED') limited = err;
          else assert.equal(err.code, 'VG_EAUTH_FAILED');
        }
      }
      assert.ok(limited, 'never rate-limited');
      assert.ok(limited instanceof vidgo.RateLimited && limited.retryAfter >= 1);
      assert.ok(!limited.message.includes('wrong password!'));
    });

    test('forgot e-mails a reset token; reset sets the password and ends sessions',
      async (t) => {
        const engine = await openEngine(t, backend);
        const [uid, code] = await registered(engine, 'ray@example.com');
        await engine.accounts.verify('ray@example.com', code);
        const before = await engine.accounts.login('ray@example.com', h.PASSWORD);
        let count = engine.testMail.length;
        await engine.accounts.forgot('nobody@example.com', { caller: '10.0.0.2' });
        await engine.accounts.forgot('Ray@example.com');
        const mail = await h.nextMail(engine, ++count);
        assert.equal(mail.kind, 'reset');
        assert.equal(mail.to, 'ray@example.com');
        assert.equal(engine.testMail.length, count); // nothing for the unknown address
        const token = resetTokenOf(mail);

        await rejectsWith(engine.accounts.reset(token, 'short'), 'VG_EPASSWORD_POLICY');
        assert.equal(await engine.accounts.reset(token, 'a brand new password'), uid);
        await rejectsWith(engine.accounts.reset(token, 'another new password'),
                          'VG_ETOKEN_REVOKED');
        await rejectsWith(engine.accounts.reset('vgp_nonsense', 'another new password'),
                          'VG_ETOKEN_INVALID', vidgo.TokenInvalid);
        await rejectsWith(engine.accounts.verifyToken(before.accessToken), 'VG_ETOKEN_REVOKED');
        await rejectsWith(engine.accounts.login('ray@example.com', h.PASSWORD),
                          'VG_EAUTH_FAILED');
        const after = await engine.accounts.login('ray@example.com', 'a brand new password');
        assert.equal(after.userId, uid);
      });

    test('disabling ends sessions and refuses sign-in; enabling allows it again',
      async (t) => {
        const engine = await openEngine(t, backend);
        const [uid, code] = await registered(engine, 'eve@example.com');
        await engine.accounts.verify('eve@example.com', code);
        await engine.accounts.login('eve@example.com', h.PASSWORD);
        await engine.accounts.login('eve@example.com', h.PASSWORD);
        assert.equal(await engine.accounts.revokeAll(uid), 2);
        assert.equal(await engine.accounts.revokeAll(uid), 0);

        const live = await engine.accounts.login('eve@example.com', h.PASSWORD);
        await engine.accounts.disable(uid);
        assert.equal((await engine.users.get(uid)).active, false);
        await rejectsWith(engine.accounts.login('eve@example.com', h.PASSWORD),
                          'VG_EACCOUNT_DISABLED', vidgo.AccountDisabled);
        await assert.rejects(engine.accounts.verifyToken(live.accessToken),
                             (err) => err instanceof vidgo.TokenError ||
                                      err instanceof vidgo.AccountDisabled);
        await engine.accounts.enable(uid);
        await engine.accounts.setActive(uid, true);
        assert.equal((await engine.accounts.login('eve@example.com', h.PASSWORD)).userId, uid);
        await rejectsWith(engine.accounts.setActive(424242, false), 'VG_ENOTFOUND');
        await rejectsWith(engine.accounts.revokeAll(424242), 'VG_ENOTFOUND');
        await rejectsWith(engine.accounts.lang(424242), 'VG_ENOTFOUND');
      });

    test('users: added verified, read by id and by address', async (t) => {
      const engine = await openEngine(t, backend);
      const uid = await engine.users.addVerified(' Ann@Example.com', 'starter');
      const user = await engine.accounts.get(uid);
      assert.deepEqual({ ...user, createdAt: null }, {
        id: uid, email: 'ann@example.com', plan: 'starter', verified: true, active: true,
        createdAt: null,
      });
      assert.ok(Math.abs(user.createdAt - Date.now()) < 10 * MINUTE);
      assert.deepEqual(await engine.accounts.find('ANN@example.com'), user);
      assert.equal((await engine.users.get(await engine.accounts.addVerified('bo@example.com')))
        .plan, 'demo');
      assert.equal(await engine.accounts.lang(uid), engine.lang);
      await rejectsWith(engine.accounts.addVerified('ann@example.com'), 'VG_EEMAIL_TAKEN');
      await rejectsWith(engine.users.addVerified('cy@example.com', 'gold'), 'VG_EPLAN_UNKNOWN',
                        vidgo.PlanUnknown);
      await rejectsWith(engine.users.addVerified('not-an-address'), 'VG_EEMAIL_INVALID');
      await rejectsWith(engine.users.get(424242), 'VG_ENOTFOUND', vidgo.NotFound);
      await rejectsWith(engine.users.find('nobody@example.com'), 'VG_ENOTFOUND');
    });

    test('tokens that are not tokens are refused', async (t) => {
      const engine = await openEngine(t, backend);
      await rejectsWith(engine.accounts.verifyToken('a.b.c'), 'VG_ETOKEN_INVALID');
      await rejectsWith(engine.accounts.refresh('vgr_nonsense'), 'VG_ETOKEN_INVALID');
      await rejectsWith(engine.accounts.logout('vgr_nonsense'), 'VG_ETOKEN_INVALID');
    });

    test('bad arguments throw Node errors and change nothing', async (t) => {
      const engine = await openEngine(t, backend);
      const uid = await engine.users.addVerified('arg@example.com');
      const bad = [
        [() => engine.accounts.register(42, h.PASSWORD), TypeError],
        [() => engine.accounts.register('new@example.com', null), TypeError],
        [() => engine.accounts.register('new@example.com', h.PASSWORD, 'ja'), TypeError],
        [() => engine.accounts.register('new@example.com', h.PASSWORD, { lang: 7 }), TypeError],
        [() => engine.accounts.register('new@example.com', h.PASSWORD, { caller: {} }),
          TypeError],
        [() => engine.accounts.register('new\0@example.com', h.PASSWORD), RangeError],
        [() => engine.accounts.verify('arg@example.com'), TypeError],
        [() => engine.accounts.verify('arg@example.com', 123456), TypeError],
        [() => engine.accounts.resend(undefined), TypeError],
        [() => engine.accounts.login('arg@example.com', Buffer.from('x')), TypeError],
        [() => engine.accounts.refresh(null), TypeError],
        [() => engine.accounts.verifyToken(), TypeError],
        [() => engine.accounts.logout(1), TypeError],
        [() => engine.accounts.revokeAll('1'), TypeError],
        [() => engine.accounts.revokeAll(1.5), RangeError],
        [() => engine.accounts.forgot(null), TypeError],
        [() => engine.accounts.reset('vgp_x'), TypeError],
        [() => engine.accounts.setActive(uid, 0), TypeError],
        [() => engine.accounts.setActive(uid), TypeError],
        [() => engine.accounts.disable(Number.NaN), RangeError],
        [() => engine.accounts.lang(null), TypeError],
        [() => engine.users.addVerified('x@example.com', 3), TypeError],
        [() => engine.users.get(2 ** 60), RangeError],
        [() => engine.users.find({}), TypeError],
      ];
      await h.rejectsArguments(bad);
      assert.equal(engine.testMail.length, 0);
      assert.equal((await engine.users.get(uid)).active, true);
      await rejectsWith(engine.users.find('new@example.com'), 'VG_ENOTFOUND');
    });

    test('a closed engine refuses every call', async () => {
      const engine = await h.openTemp({}, backend);
      await engine.close();
      for (const call of [
        () => engine.accounts.register('c@example.com', h.PASSWORD),
        () => engine.accounts.login('c@example.com', h.PASSWORD),
        () => engine.users.get(1),
      ]) {
        await assert.rejects(call(), (err) => err instanceof vidgo.ClosedError);
      }
    });

    test('many sign-ins run at once, each with its own session', async (t) => {
      const engine = await openEngine(t, backend);
      const uid = await h.verifiedUser(engine, 'busy@example.com');
      const sessions = await Promise.all(Array.from({ length: 16 },
        () => engine.accounts.login('busy@example.com', h.PASSWORD)));
      assert.equal(new Set(sessions.map((s) => s.sessionId)).size, 16);
      const claims = await Promise.all(
        sessions.map((s) => engine.accounts.verifyToken(s.accessToken)));
      assert.ok(claims.every((c) => c.userId === uid));
      assert.equal(await engine.accounts.revokeAll(uid), 16);
    });
  });

  describe(`accounts with a manual clock on ${backend}`, () => {
    test('a code expires after 15 minutes', async (t) => {
      const engine = await openEngine(t, backend, { clock: new Date('2026-03-02T09:00:00Z') });
      const [, code] = await registered(engine, 'late@example.com');
      engine.clock.advance(16 * MINUTE);
      await rejectsWith(engine.accounts.verify('late@example.com', code), 'VG_ECODE_EXPIRED',
                        vidgo.CodeExpired);
      const count = engine.testMail.length;
      await engine.accounts.resend('late@example.com');
      const code2 = h.codeOf(await h.nextMail(engine, count + 1));
      await engine.accounts.verify('late@example.com', code2);
      assert.equal((await engine.users.find('late@example.com')).verified, true);
    });

    test('an access token expires, a reset token after an hour', async (t) => {
      const start = new Date('2026-03-02T09:00:00Z');
      const engine = await openEngine(t, backend, { clock: start });
      const uid = await h.verifiedUser(engine, 'old@example.com');
      const session = await engine.accounts.login('old@example.com', h.PASSWORD);
      assert.equal(session.accessExpiresAt > start, true);
      engine.clock.set(new Date(session.accessExpiresAt.getTime() + MINUTE));
      await rejectsWith(engine.accounts.verifyToken(session.accessToken), 'VG_ETOKEN_EXPIRED',
                        vidgo.TokenExpired);
      const fresh = await engine.accounts.refresh(session.refreshToken);
      assert.equal((await engine.accounts.verifyToken(fresh.accessToken)).userId, uid);

      const count = engine.testMail.length;
      await engine.accounts.forgot('old@example.com');
      const token = resetTokenOf(await h.nextMail(engine, count + 1));
      engine.clock.advance(61 * MINUTE);
      await rejectsWith(engine.accounts.reset(token, 'a brand new password'),
                        'VG_ETOKEN_EXPIRED');
    });
  });
}

describe('native user_init', () => {
  test('gives a blank record, and VersionError for an unknown version', () => {
    assert.deepEqual(native.user_init(), {
      id: 0, email: '', plan: '', verified: false, active: false, createdAt: null,
    });
    assert.throws(() => native.user_init(99),
                  (err) => err instanceof vidgo.VersionError && err.code === 'VG_EVERSION');
    assert.throws(() => native.user_init('1'), TypeError);
  });
});
