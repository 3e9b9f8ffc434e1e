// SPDX-License-Identifier: MIT
// engine.plans: plans, services, packages as records, and the access check.
'use strict';

const assert = require('node:assert/strict');
const { describe, test } = require('node:test');

const h = require('./helpers');

const { openEngine, rejectsArguments, rejectsWith, vidgo } = h;
const native = require('../lib/native');

const LANGS = ['en', 'ja', 'zh-TW', 'ko', 'es'];

// Spends a user's uses: holds and captures `count` uses of a service.
async function spend(engine, userId, service, count) {
  for (let i = 0; i < count; i++) {
    const hold = await engine.credits.hold(userId, service, { key: `spend-${service}-${i}` });
    await engine.credits.capture(hold, { key: `capture-${service}-${i}` });
  }
}

for (const backend of h.backends()) {
  describe(`plans on ${backend}`, () => {
    test('plans are listed by rank with names in five languages', async (t) => {
      const engine = await openEngine(t, backend);
      const plans = await engine.plans.list();
      assert.deepEqual(plans.map((p) => p.name), ['demo', 'starter', 'pro', 'pro_plus']);
      assert.deepEqual(plans.map((p) => p.rank), [0, 1, 2, 3]);
      const pro = await engine.plans.get('pro');
      assert.deepEqual(pro, plans[2]);
      assert.equal(pro.paid, true);
      assert.ok(pro.weeklyCredits > 0 && pro.priceTwd > 0);
      assert.deepEqual(Object.keys(pro.displayName), LANGS);
      assert.equal(pro.displayName.en, 'Pro');
      assert.equal(plans[0].watermark, true);
      assert.equal(plans[0].freeUses, 2);
      await rejectsWith(engine.plans.get('gold'), 'VG_EPLAN_UNKNOWN', vidgo.PlanUnknown);
    });

    test('a plan put is read back, and replaced by the next put', async (t) => {
      const engine = await openEngine(t, backend);
      const pro = await engine.plans.get('pro');
      const team = { ...pro, name: 'team', rank: 9, weeklyCredits: 500, priceTwd: 1999,
                     displayName: { ...pro.displayName, en: 'Team', ja: 'チーム' } };
      await engine.plans.put(team);
      assert.deepEqual(await engine.plans.get('team'), team);
      await engine.plans.put({ ...team, active: false, maxFps: 60 });
      const again = await engine.plans.get('team');
      assert.deepEqual([again.active, again.maxFps], [false, 60]);
      assert.deepEqual((await engine.plans.list()).map((p) => p.name).pop(), 'team');
    });

    test('the library refuses an invalid plan with InvalidArgument', async (t) => {
      const engine = await openEngine(t, backend);
      const pro = await engine.plans.get('pro');
      await rejectsWith(engine.plans.put({ ...pro, name: 'Bad Name' }), 'VG_EINVAL',
                        vidgo.InvalidArgument);
      await rejectsWith(engine.plans.put({ ...pro, topupDiscountPct: 101 }), 'VG_EINVAL');
      await rejectsWith(engine.plans.put({ ...pro, weeklyCredits: -1 }), 'VG_EINVAL');
      await rejectsWith(engine.plans.put({ ...pro, displayName: { ...pro.displayName, ko: '' } }),
                        'VG_EINVAL');
      // Absent fields are zero: a plan without resolution or names is refused too.
      await rejectsWith(engine.plans.put({ name: 'bare' }), 'VG_EINVAL');
      assert.deepEqual(await engine.plans.get('pro'), pro);
    });

    test('bad plan records throw Node errors and change nothing', async (t) => {
      const engine = await openEngine(t, backend);
      const pro = await engine.plans.get('pro');
      const tooLong = { ...pro.displayName, en: 'é'.repeat(32) }; // 64 bytes: no room for NUL
      await rejectsArguments([
        [() => engine.plans.put(), TypeError],
        [() => engine.plans.put(null), TypeError],
        [() => engine.plans.put('pro'), TypeError],
        [() => engine.plans.put([pro]), TypeError],
        [() => engine.plans.put({ ...pro, name: undefined }), TypeError],
        [() => engine.plans.put({ ...pro, name: 'x'.repeat(32) }), RangeError],
        [() => engine.plans.put({ ...pro, weeklyCredit: 5 }), RangeError],
        [() => engine.plans.put({ ...pro, rank: '2' }), TypeError],
        [() => engine.plans.put({ ...pro, rank: 2 ** 40 }), RangeError],
        [() => engine.plans.put({ ...pro, rank: 1.5 }), RangeError],
        [() => engine.plans.put({ ...pro, priceTwd: Infinity }), RangeError],
        [() => engine.plans.put({ ...pro, paid: 1 }), TypeError],
        [() => engine.plans.put({ ...pro, displayName: 'Pro' }), TypeError],
        [() => engine.plans.put({ ...pro, displayName: { ...pro.displayName, fr: 'Pro' } }),
          RangeError],
        [() => engine.plans.put({ ...pro, displayName: { ...pro.displayName, en: 5 } }),
          TypeError],
        [() => engine.plans.put({ ...pro, displayName: tooLong }), RangeError],
        [() => engine.plans.get(5), TypeError],
        [() => engine.plans.get(), TypeError],
      ]);
      assert.deepEqual(await engine.plans.get('pro'), pro);
      await rejectsWith(engine.plans.get('x'.repeat(32)), 'VG_EPLAN_UNKNOWN');
    });

    test('services: kinds as strings, get and put', async (t) => {
      const engine = await openEngine(t, backend);
      const services = new Map((await engine.plans.services()).map((s) => [s.name, s]));
      assert.equal(services.get('video_720p').kind, 'video');
      assert.equal(services.get('image_512').kind, 'image');
      assert.equal(services.get('style_effects').kind, 'effect');
      assert.equal(services.get('runway_720p').internal, true);
      const image = await engine.plans.service('image_1024');
      assert.deepEqual(image, services.get('image_1024'));
      assert.deepEqual(Object.keys(image.displayName), LANGS);

      const tiny = { ...services.get('image_512'), name: 'image_tiny', credits: 1,
                     apiCostMicroUsd: 1234 };
      await engine.plans.putService(tiny);
      assert.deepEqual(await engine.plans.service('image_tiny'), tiny);
      await engine.plans.putService({ ...tiny, kind: 'effect' });
      assert.equal((await engine.plans.service('image_tiny')).kind, 'effect');

      await rejectsWith(engine.plans.service('nope'), 'VG_ESERVICE_UNKNOWN',
                        vidgo.ServiceUnknown);
      await rejectsWith(engine.plans.putService({ ...tiny, minPlan: 'gold' }),
                        'VG_EPLAN_UNKNOWN', vidgo.PlanUnknown);
      await rejectsWith(engine.plans.putService({ ...tiny, credits: -1 }), 'VG_ERANGE',
                        vidgo.InvalidArgument);
      await rejectsArguments([
        [() => engine.plans.putService({ ...tiny, kind: 'audio' }), RangeError],
        [() => engine.plans.putService({ ...tiny, kind: 1 }), TypeError],
        [() => engine.plans.putService({ ...tiny, kind: undefined }), TypeError],
        [() => engine.plans.putService({ ...tiny, provider: null }), TypeError],
        [() => engine.plans.putService({ ...tiny, name: 'ok', extra: true }), RangeError],
        [() => engine.plans.service(null), TypeError],
      ]);
      assert.equal((await engine.plans.service('image_tiny')).kind, 'effect');
      await rejectsWith(engine.plans.service('ok'), 'VG_ESERVICE_UNKNOWN');
    });

    test('packages: list prices, a plan\'s discount, put', async (t) => {
      const engine = await openEngine(t, backend);
      const listed = await engine.plans.packages();
      const discounted = await engine.plans.packages('pro');
      const pro = await engine.plans.get('pro');
      assert.ok(listed.length >= 4);
      assert.deepEqual(listed.map((o) => o.package), discounted.map((o) => o.package));
      const credits = listed.map((o) => o.package.credits);
      assert.deepEqual(credits, [...credits].sort((a, b) => a - b));
      for (const [i, offer] of discounted.entries()) {
        assert.equal(listed[i].discountPct, 0);
        assert.equal(listed[i].priceTwd, listed[i].package.priceTwd);
        assert.equal(offer.discountPct, pro.topupDiscountPct);
        assert.equal(offer.priceTwd,
                     Math.floor((offer.package.priceTwd * (100 - offer.discountPct) + 50) / 100));
      }
      assert.deepEqual(await engine.plans.packages(undefined), listed);
      await rejectsWith(engine.plans.packages('gold'), 'VG_EPLAN_UNKNOWN');

      const seven = { ...listed[0].package, name: 'credits_7', credits: 7, priceTwd: 35 };
      await engine.plans.putPackage(seven);
      const after = await engine.plans.packages();
      assert.deepEqual(after[0].package, seven);
      await engine.plans.putPackage({ ...seven, active: false });
      assert.ok(!(await engine.plans.packages()).some((o) => o.package.name === 'credits_7'));
      await rejectsWith(engine.plans.putPackage({ ...seven, credits: 0 }), 'VG_ERANGE',
                        vidgo.InvalidArgument);
      await rejectsArguments([
        [() => engine.plans.putPackage({ ...seven, credits: '7' }), TypeError],
        [() => engine.plans.putPackage({ ...seven, discountPct: 5 }), RangeError],
        [() => engine.plans.putPackage(7), TypeError],
        [() => engine.plans.packages(3), TypeError],
      ]);
      assert.equal((await engine.plans.packages()).length, listed.length);
    });

    test('the access check answers refusals without rejecting', async (t) => {
      const engine = await openEngine(t, backend);
      const demo = await engine.users.addVerified('demo@example.com', 'demo');
      const ok = await engine.plans.checkAccess(demo, 'image_512');
      assert.deepEqual(ok, {
        allowed: true, reason: 0, price: 0, freeUse: true, watermark: true, cacheOnly: false,
        priority: false, reasonCode: null,
      });
      const video = await engine.plans.checkAccess(demo, 'video_720p');
      assert.deepEqual([video.allowed, video.cacheOnly], [true, true]);

      const refusals = [
        [demo, 'video_1080p', {}, 'VG_ERESOLUTION'],
        [demo, 'style_effects', {}, 'VG_ESUBSCRIBERS_ONLY'],
        [demo, 'runway_720p', {}, 'VG_ESERVICE_UNKNOWN'],
        [demo, 'video_720p', { durationS: 3600 }, 'VG_EPARAMETER'],
        [demo, 'video_720p', { resolution: 1080 }, 'VG_EPARAMETER'],
        [demo, 'video_720p', { fps: 60 }, 'VG_EPLAN_TOO_LOW'],
      ];
      const pro = await engine.users.addVerified('pro@example.com', 'pro');
      refusals.push([pro, 'video_4k', { fps: 60 }, 'VG_EPLAN_TOO_LOW']);
      for (const [user, service, opts, code] of refusals) {
        const access = await engine.plans.checkAccess(user, service, opts);
        assert.equal(access.allowed, false, `${service} ${JSON.stringify(opts)}`);
        assert.equal(access.reasonCode, code, `${service} ${JSON.stringify(opts)}`);
        assert.ok(access.reason < 0);
      }
      const refused = await engine.plans.checkAccess(demo, 'video_1080p');
      const err = engine.plans.accessError(refused);
      assert.ok(err instanceof vidgo.ResolutionNotAllowed && err instanceof vidgo.AccessDenied);
      assert.deepEqual([err.code, err.errno], ['VG_ERESOLUTION', refused.reason]);
      assert.ok(err.userMessage.length > 0);
      assert.equal(engine.plans.accessError(ok), null);
      assert.throws(() => engine.plans.accessError({}), TypeError);
      assert.throws(() => engine.plans.accessError(null), TypeError);

      const best = await engine.users.addVerified('plus@example.com', 'pro_plus');
      const fast = await engine.plans.checkAccess(best, 'video_4k', { fps: 60, durationS: 5 });
      assert.deepEqual([fast.allowed, fast.priority, fast.watermark, fast.price],
                       [true, true, false, (await engine.plans.service('video_4k')).credits]);

      await rejectsWith(engine.plans.checkAccess(424242, 'image_512'), 'VG_ENOTFOUND',
                        vidgo.NotFound);
      await rejectsWith(engine.plans.checkAccess(demo, 'nope'), 'VG_ESERVICE_UNKNOWN',
                        vidgo.ServiceUnknown);
    });

    test('the access check follows the account and the wallet', async (t) => {
      const engine = await openEngine(t, backend);
      const uid = await engine.accounts.register('new@example.com', h.PASSWORD);
      assert.equal((await engine.plans.checkAccess(uid, 'image_512')).reasonCode,
                   'VG_ENOT_VERIFIED');
      const starter = await engine.users.addVerified('st@example.com', 'starter');
      await engine.accounts.disable(starter);
      assert.equal((await engine.plans.checkAccess(starter, 'image_512')).reasonCode,
                   'VG_EACCOUNT_DISABLED');
      await engine.accounts.enable(starter);

      const weekly = (await engine.plans.get('starter')).weeklyCredits;
      const price = (await engine.plans.service('video_1080p')).credits;
      await spend(engine, starter, 'video_1080p', Math.floor(weekly / price));
      const broke = await engine.plans.checkAccess(starter, 'video_1080p');
      assert.deepEqual([broke.allowed, broke.reasonCode], [false, 'VG_EINSUFFICIENT_CREDITS']);

      const demo = await engine.users.addVerified('demo@example.com', 'demo');
      await spend(engine, demo, 'image_512', 2);
      const used = await engine.plans.checkAccess(demo, 'image_512');
      assert.deepEqual([used.allowed, used.freeUse, used.reasonCode],
                       [false, false, 'VG_EDEMO_USED_UP']);
      await h.assertInvariants(engine);
    });

    test('bad access requests throw Node errors', async (t) => {
      const engine = await openEngine(t, backend);
      const demo = await engine.users.addVerified('demo@example.com', 'demo');
      await rejectsArguments([
        [() => engine.plans.checkAccess('1', 'image_512'), TypeError],
        [() => engine.plans.checkAccess(demo), TypeError],
        [() => engine.plans.checkAccess(demo, { service: 'image_512' }), TypeError],
        [() => engine.plans.checkAccess(demo, 'image_512', 720), TypeError],
        [() => engine.plans.checkAccess(demo, 'image_512', { resolution: '512' }), TypeError],
        [() => engine.plans.checkAccess(demo, 'image_512', { fps: 1.5 }), RangeError],
        [() => engine.plans.checkAccess(demo, 'image_512', { fps: 2 ** 31 }), RangeError],
      ]);
      const balance = await engine.credits.balance(demo);
      assert.equal(balance.freeUses, 2);
    });

    test('a closed engine refuses every call', async () => {
      const engine = await h.openTemp({}, backend);
      await engine.close();
      for (const call of [
        () => engine.plans.list(), () => engine.plans.get('pro'),
        () => engine.plans.put({ name: 'x' }), () => engine.plans.checkAccess(1, 'image_512'),
      ]) {
        await assert.rejects(call(), (err) => err instanceof vidgo.ClosedError);
      }
    });
  });
}

describe('native record init', () => {
  test('plan_init, service_init and package_init give blank records', () => {
    const blank = native.plan_init();
    assert.equal(blank.name, '');
    assert.equal(blank.maxResolution, 0);
    assert.equal(blank.paid, false);
    assert.deepEqual(blank.displayName, { en: '', ja: '', 'zh-TW': '', ko: '', es: '' });
    assert.equal(native.service_init(1).kind, 'video');
    assert.deepEqual(native.package_init(), {
      name: '', credits: 0, priceTwd: 0, active: false,
      displayName: { en: '', ja: '', 'zh-TW': '', ko: '', es: '' },
    });
  });

  test('an unknown record version throws VersionError', () => {
    for (const init of [native.plan_init, native.service_init, native.package_init]) {
      assert.throws(() => init(2), (err) => err instanceof vidgo.VersionError &&
                                            err.code === 'VG_EVERSION');
      assert.throws(() => init(0), vidgo.VersionError);
      assert.throws(() => init(-1), RangeError);
    }
  });
});
