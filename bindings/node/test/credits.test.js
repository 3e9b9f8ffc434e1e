// SPDX-License-Identifier: MIT
// engine.credits: balances, grants, holds, the ledger, plan changes, maintenance, the
// weekly reset and expiry on a manual clock, and many holds at once — on every backend.
'use strict';

const assert = require('node:assert/strict');
const { describe, test } = require('node:test');

const h = require('./helpers');

const { openEngine, rejectsArgument, rejectsWith, vidgo } = h;
const { Credits } = require('../lib/credits');

const DAY = 24 * 3600 * 1000;
// A Wednesday; the next reset is Monday 2026-11-30 00:00 UTC.
const WEDNESDAY = new Date('2026-11-25T10:00:00Z');
const MONDAY = new Date('2026-11-30T00:00:00Z');

let users = 0;
async function user(engine, plan = 'pro') {
  return engine.users.addVerified(`credits${++users}@example.com`, plan);
}

async function price(engine, service) {
  return (await engine.plans.service(service)).credits;
}

// Every ledger row of a user, newest first.
function history(engine, userId, options) {
  return h.toArray(engine.credits.history(userId, options));
}

for (const backend of h.backends()) {
  describe(`credits on ${backend}`, () => {
    test('a new wallet has its plan\'s weekly credits and resets next Monday', async (t) => {
      const engine = await openEngine(t, backend, { clock: WEDNESDAY });
      const pro = await user(engine, 'pro');
      const demo = await user(engine, 'demo');
      const weekly = (await engine.plans.get('pro')).weeklyCredits;
      const b = await engine.credits.balance(pro);
      assert.equal(b.userId, pro);
      assert.equal(b.subscription, weekly);
      assert.equal(b.available, weekly);
      assert.equal(b.total, weekly);
      assert.equal(b.held, 0);
      assert.ok(b.nextReset instanceof Date);
      assert.equal(b.nextReset.getTime(), MONDAY.getTime());
      assert.equal(b.nextBonusExpiry, null);
      assert.equal(b.ledgerSeq, 1);
      const d = await engine.credits.balance(demo);
      assert.equal(d.freeUses, (await engine.plans.get('demo')).freeUses);
      await h.assertInvariants(engine);
    });

    test('grants add purchased and bonus credits, with the bonus expiry', async (t) => {
      const engine = await openEngine(t, backend);
      const id = await user(engine);
      const start = await engine.credits.balance(id);
      const expires = new Date(engine.now().getTime() + 3 * DAY);
      let b = await engine.credits.grant(id, 7, { key: 'bonus', kind: 'bonus', expiresAt: expires });
      assert.equal(b.bonus, 7);
      assert.equal(b.nextBonusExpiry.getTime(), expires.getTime());
      assert.equal(b.nextBonusExpiryAmount, 7);
      b = await engine.credits.grant(id, 12, { key: 'buy', reference: 'order-1' });
      assert.equal(b.purchased, 12);
      assert.equal(b.available, start.available + 19);
      const ms = await engine.credits.grant(id, 1, { key: 'ms', kind: 'bonus', expiresAt: expires.getTime() + 1000 });
      assert.equal(ms.bonus, 8);
      const [newest] = await engine.credits.historyPage(id, { limit: 1 });
      assert.equal(newest.type, 'grant');
      assert.equal(newest.idempotencyKey, 'ms');
      await h.assertInvariants(engine);
    });

    test('a hold is captured, refunded; another released; the balance comes back', async (t) => {
      const engine = await openEngine(t, backend);
      const id = await user(engine);
      const start = await engine.credits.balance(id);
      const hold = await engine.credits.hold(id, 'video_720p', { key: 'h1', reference: 'job-1' });
      assert.equal(hold.state, 'open');
      assert.equal(hold.reference, 'job-1');
      assert.equal(hold.service, 'video_720p');
      assert.equal(hold.price, await price(engine, 'video_720p'));
      assert.equal(hold.fromBonus + hold.fromSubscription + hold.fromPurchased, hold.price);
      assert.equal(hold.freeUse, false);
      assert.equal(hold.settledAt, null);
      assert.ok(hold.expiresAt > hold.createdAt);
      assert.equal(hold.balance.held, hold.price);
      assert.equal(hold.balance.available, start.available - hold.price);
      const captured = await engine.credits.capture(hold, { key: 'c1' });
      assert.equal(captured.state, 'captured');
      assert.ok(captured.settledAt instanceof Date);
      assert.equal(captured.balance.total, start.total - hold.price);
      const refunded = await engine.credits.refund(hold.id, { key: 'r1' });
      assert.equal(refunded.state, 'refunded');
      const other = await engine.credits.hold(id, 'image_512', { key: 'h2' });
      const released = await engine.credits.release(other, { key: 'rel' });
      assert.equal(released.state, 'released');
      assert.equal((await engine.credits.getHold(other.id)).state, 'released');
      assert.equal((await engine.credits.getHold(other)).id, other.id);
      const end = await engine.credits.balance(id);
      assert.equal(end.available, start.available);
      const types = (await history(engine, id)).map((r) => r.type);
      assert.deepEqual(types, ['refund', 'debit', 'open']);
      await h.assertInvariants(engine);
    });

    test('the same key returns the first outcome; another request with it conflicts', async (t) => {
      const engine = await openEngine(t, backend);
      const id = await user(engine);
      const first = await engine.credits.hold(id, 'image_512', { key: 'once' });
      const again = await engine.credits.hold(id, 'image_512', { key: 'once' });
      assert.equal(again.id, first.id);
      assert.deepEqual(again.balance, first.balance);
      await rejectsWith(engine.credits.hold(id, 'video_720p', { key: 'once' }),
        'VG_EIDEMPOTENCY_CONFLICT', vidgo.IdempotencyConflict);
      const g1 = await engine.credits.grant(id, 5, { key: 'g' });
      const g2 = await engine.credits.grant(id, 5, { key: 'g' });
      assert.deepEqual(g2, g1);
      await rejectsWith(engine.credits.grant(id, 6, { key: 'g' }), 'VG_EIDEMPOTENCY_CONFLICT',
        vidgo.IdempotencyConflict);
      assert.equal((await engine.credits.balance(id)).purchased, 5);
      await h.assertInvariants(engine);
    });

    test('refusals reject with their error classes; a refused call changes nothing', async (t) => {
      const engine = await openEngine(t, backend);
      const id = await user(engine, 'starter');
      const demo = await user(engine, 'demo');
      const before = await engine.credits.balance(id);
      await rejectsWith(engine.credits.balance(424242), 'VG_ENOTFOUND', vidgo.NotFound);
      await rejectsWith(engine.credits.getHold(424242), 'VG_ENOTFOUND', vidgo.NotFound);
      await rejectsWith(engine.credits.hold(id, 'no_such_service', { key: 'x1' }),
        'VG_ESERVICE_UNKNOWN', vidgo.ServiceUnknown);
      await rejectsWith(engine.credits.changePlan(id, 'no_such_plan', { key: 'x2' }),
        'VG_EPLAN_UNKNOWN', vidgo.PlanUnknown);
      await rejectsWith(engine.credits.grant(id, 0, { key: 'x3' }), 'VG_ERANGE',
        vidgo.InvalidArgument);
      await rejectsWith(engine.credits.grant(id, 1, { key: 'x4', kind: 'bonus', expiresAt: new Date(Date.now() - DAY) }),
        'VG_EINVAL', vidgo.InvalidArgument);
      await rejectsWith(engine.credits.grant(id, 1, { key: '' }), 'VG_EINVAL', vidgo.InvalidArgument);
      assert.deepEqual(await engine.credits.balance(id), before);
      const hold = await engine.credits.hold(id, 'image_512', { key: 'h' });
      await rejectsWith(engine.credits.refund(hold, { key: 'r' }), 'VG_ESTATE', vidgo.InvalidState);
      await engine.credits.capture(hold, { key: 'c' });
      await rejectsWith(engine.credits.capture(hold, { key: 'c-again' }), 'VG_EHOLD_SETTLED',
        vidgo.HoldSettled);
      await rejectsWith(engine.credits.release(hold, { key: 'rel' }), 'VG_EHOLD_SETTLED',
        vidgo.CreditsError);
      // Spend the rest: then a hold is refused.
      const left = (await engine.credits.balance(id)).available;
      const cost = await price(engine, 'image_512');
      for (let i = 0; i < Math.floor(left / cost); i++) {
        await engine.credits.hold(id, 'image_512', { key: `spend-${i}` });
      }
      await rejectsWith(engine.credits.hold(id, 'image_512', { key: 'broke' }),
        'VG_EINSUFFICIENT_CREDITS', vidgo.InsufficientCredits);
      // A demo user: free uses, then none.
      const free = (await engine.credits.balance(demo)).freeUses;
      for (let i = 0; i < free; i++) {
        const use = await engine.credits.hold(demo, 'image_512', { key: `free-${i}` });
        assert.equal(use.freeUse, true);
        await engine.credits.capture(use, { key: `free-c-${i}` });
      }
      await rejectsWith(engine.credits.hold(demo, 'image_512', { key: 'free-more' }),
        'VG_EDEMO_USED_UP', vidgo.DemoUsedUp);
      await h.assertInvariants(engine);
    });

    test('bad arguments reject with TypeError or RangeError and change nothing', async (t) => {
      const engine = await openEngine(t, backend);
      const id = await user(engine);
      const before = await engine.credits.balance(id);
      const c = engine.credits;
      await rejectsArgument(c.balance('1'), TypeError);
      await rejectsArgument(c.balance(), TypeError);
      await rejectsArgument(c.balance(1.5), RangeError);
      await rejectsArgument(c.grant(id, 5), TypeError);                       // no key
      await rejectsArgument(c.grant(id, 5, { key: 7 }), TypeError);
      await rejectsArgument(c.grant(id, '5', { key: 'k' }), TypeError);
      await rejectsArgument(c.grant(id, 5, { key: 'k', kind: 'gold' }), RangeError);
      await rejectsArgument(c.grant(id, 5, { key: 'k', expiresAt: 'tomorrow' }), TypeError);
      await rejectsArgument(c.grant(id, 5, 'k'), TypeError);
      await rejectsArgument(c.hold(id, null, { key: 'k' }), TypeError);
      await rejectsArgument(c.hold(id, 'image_512', { key: 'k', reference: 5 }), TypeError);
      await rejectsArgument(c.hold(id, 'image_512', { key: 'a\0b' }), RangeError);
      await rejectsArgument(c.capture(null, { key: 'k' }), TypeError);
      await rejectsArgument(c.capture({ id: 'x' }, { key: 'k' }), TypeError);
      await rejectsArgument(c.release(1, {}), TypeError);
      await rejectsArgument(c.refund(1), TypeError);
      await rejectsArgument(c.changePlan(id, 5, { key: 'k' }), TypeError);
      await rejectsArgument(c.historyPage(id, { limit: 0 }), RangeError);
      await rejectsArgument(c.historyPage(id, { limit: 1001 }), RangeError);
      await rejectsArgument(c.historyPage(id, { beforeSeq: 'x' }), TypeError);
      await assert.rejects(history(engine, id, { pageSize: -1 }), RangeError);
      assert.throws(() => Credits.nextReset('monday'), TypeError);
      assert.throws(() => c.ledgerTypeName('grant'), TypeError);
      assert.deepEqual(await engine.credits.balance(id), before);
      await h.assertInvariants(engine);
    });

    test('history pages newest first, and iterates across pages', async (t) => {
      const engine = await openEngine(t, backend);
      const id = await user(engine);
      for (let i = 0; i < 12; i++) {
        await engine.credits.grant(id, 1, { key: `p${i}`, reference: `order-${i}` });
      }
      const balance = await engine.credits.balance(id);
      assert.equal(balance.ledgerSeq, 13);
      const rows = await history(engine, id, { pageSize: 5 });
      assert.deepEqual(rows.map((r) => r.seq), Array.from({ length: 13 }, (_, i) => 13 - i));
      assert.equal(rows[0].reference, 'order-11');
      assert.equal(rows[0].amount, 1);
      assert.equal(rows[0].purchased, 1);
      assert.equal(rows[0].purchasedAfter, 12);
      assert.equal(rows[0].totalAfter, balance.total);
      assert.equal(rows[0].holdId, 0);
      assert.equal(rows[0].service, '');
      assert.ok(rows[0].at instanceof Date);
      assert.equal(rows.at(-1).type, 'open');
      assert.equal(rows.at(-1).idempotencyKey, '');
      const exact = await history(engine, id, { pageSize: 13 });
      assert.equal(exact.length, 13);
      const page = await engine.credits.historyPage(id, { beforeSeq: 5, limit: 3 });
      assert.deepEqual(page.map((r) => r.seq), [4, 3, 2]);
      assert.deepEqual(await engine.credits.historyPage(id, { beforeSeq: 1 }), []);
      await rejectsWith(engine.credits.historyPage(424242), 'VG_ENOTFOUND', vidgo.NotFound);
      const hold = await engine.credits.hold(id, 'image_512', { key: 'h' });
      await engine.credits.capture(hold, { key: 'c' });
      const [debit] = await engine.credits.historyPage(id, { limit: 1 });
      assert.equal(debit.type, 'debit');
      assert.equal(debit.holdId, hold.id);
      assert.equal(debit.service, 'image_512');
      assert.equal(debit.amount, -hold.price);
    });

    test('a plan change adds the weekly difference and writes one row', async (t) => {
      const engine = await openEngine(t, backend);
      const id = await user(engine, 'pro');
      const proPlus = (await engine.plans.get('pro_plus')).weeklyCredits;
      const balance = await engine.credits.changePlan(id, 'pro_plus', { key: 'up' });
      assert.equal(balance.subscription, proPlus);
      assert.equal((await engine.users.get(id)).plan, 'pro_plus');
      const [row] = await engine.credits.historyPage(id, { limit: 1 });
      assert.equal(row.type, 'plan_change');
      const starter = (await engine.plans.get('starter')).weeklyCredits;
      const down = await engine.credits.changePlan(id, 'starter', { key: 'down' });
      assert.ok(down.subscription <= starter);
      await h.assertInvariants(engine);
    });

    test('the weekly reset refills the subscription once, however many weeks passed', async (t) => {
      const engine = await openEngine(t, backend, { clock: WEDNESDAY });
      const id = await user(engine, 'pro');
      const weekly = (await engine.plans.get('pro')).weeklyCredits;
      const spent = await engine.credits.hold(id, 'video_720p', { key: 'spent' });
      await engine.credits.capture(spent, { key: 'spent-c' });
      engine.clock.set(new Date(MONDAY.getTime() - 1800 * 1000)); // Sunday 23:30
      const open = await engine.credits.hold(id, 'video_720p', { key: 'open' });
      assert.equal((await engine.credits.balance(id)).subscription, weekly - 2 * spent.price);
      engine.clock.set(new Date(MONDAY.getTime() + 1000));
      const after = await engine.credits.balance(id);
      assert.equal(after.subscription, weekly);
      assert.equal(after.held, open.price);
      assert.equal(after.nextReset.getTime(), MONDAY.getTime() + 7 * DAY);
      let resets = (await history(engine, id)).filter((r) => r.type === 'weekly_reset');
      assert.equal(resets.length, 1);
      assert.equal(resets[0].effectiveAt.getTime(), MONDAY.getTime());
      // The open hold's subscription part belonged to a week that was reset: forfeited.
      const released = await engine.credits.release(open, { key: 'open-rel' });
      assert.equal(released.state, 'released');
      assert.equal(released.forfeited, open.fromSubscription);
      assert.equal(released.balance.subscription, weekly);
      assert.equal((await engine.credits.historyPage(id, { limit: 1 }))[0].type, 'forfeit');
      // Three weeks later: one reset, to the latest Monday.
      const more = await engine.credits.hold(id, 'video_720p', { key: 'more' });
      await engine.credits.capture(more, { key: 'more-c' });
      engine.clock.advance(21 * DAY);
      assert.equal((await engine.credits.balance(id)).subscription, weekly);
      resets = (await history(engine, id)).filter((r) => r.type === 'weekly_reset');
      assert.equal(resets.length, 2);
      assert.equal(resets[0].effectiveAt.getTime(), MONDAY.getTime() + 21 * DAY);
      await h.assertInvariants(engine);
    });

    test('bonus grants expire and unsettled holds expire on the clock', async (t) => {
      const engine = await openEngine(t, backend, { clock: WEDNESDAY, holdTtlS: 60 });
      const id = await user(engine, 'pro');
      await engine.credits.grant(id, 9, { key: 'b', kind: 'bonus', expiresAt: WEDNESDAY.getTime() + DAY });
      const hold = await engine.credits.hold(id, 'image_512', { key: 'h' });
      assert.equal(hold.fromBonus, hold.price); // bonus is spent first
      assert.equal(hold.expiresAt.getTime(), WEDNESDAY.getTime() + 60 * 1000);
      assert.equal(engine.clock.advance(61 * 1000).getTime(), WEDNESDAY.getTime() + 61000);
      await rejectsWith(engine.credits.capture(hold, { key: 'late' }), 'VG_EHOLD_EXPIRED',
        vidgo.HoldExpired);
      assert.equal((await engine.credits.getHold(hold)).state, 'expired');
      assert.equal((await engine.credits.balance(id)).bonus, 9);
      engine.clock.advance(DAY);
      const b = await engine.credits.balance(id);
      assert.equal(b.bonus, 0);
      assert.equal(b.nextBonusExpiry, null);
      const expiry = (await history(engine, id)).find((r) => r.type === 'expiry');
      assert.equal(expiry.bonus, -9);
      assert.equal(expiry.effectiveAt.getTime(), WEDNESDAY.getTime() + DAY);
      await h.assertInvariants(engine);
    });

    test('maintenance applies what is due to every wallet, once', async (t) => {
      const engine = await openEngine(t, backend, { clock: WEDNESDAY });
      const a = await user(engine, 'pro');
      const b = await user(engine, 'starter');
      await engine.credits.hold(a, 'image_512', { key: 'h' });
      engine.clock.set(new Date(MONDAY.getTime() + 1000));
      const report = await engine.credits.maintenance();
      assert.equal(report.users, 2);
      assert.equal(report.weeklyResets, 2);
      assert.equal(report.expiries, 0);
      assert.equal(report.holdsExpired, 1);
      const again = await engine.credits.maintenance();
      assert.equal(again.weeklyResets + again.holdsExpired + again.expiries, 0);
      assert.equal((await engine.credits.balance(b)).held, 0);
      await h.assertInvariants(engine);
    });

    test('many holds at once on one wallet never overdraw it', async (t) => {
      const engine = await openEngine(t, backend);
      const id = await user(engine, 'pro');
      const cost = await price(engine, 'image_512');
      const start = await engine.credits.balance(id);
      const fits = Math.floor(start.available / cost);
      const attempts = Math.max(60, fits + 20);
      const results = await Promise.allSettled(Array.from({ length: attempts },
        (_, i) => engine.credits.hold(id, 'image_512', { key: `many-${i}`, reference: `job-${i}` })));
      const holds = results.filter((r) => r.status === 'fulfilled').map((r) => r.value);
      const refused = results.filter((r) => r.status === 'rejected').map((r) => r.reason);
      assert.equal(holds.length, fits);
      assert.equal(new Set(holds.map((x) => x.id)).size, fits);
      for (const err of refused) assert.ok(err instanceof vidgo.InsufficientCredits, err.stack);
      let b = await engine.credits.balance(id);
      assert.equal(b.held, fits * cost);
      assert.equal(b.available, start.available - fits * cost);
      assert.ok(b.available >= 0);
      await h.assertInvariants(engine);
      // Settle them all at once: half captured, half released.
      await Promise.all(holds.map((x, i) => (i % 2
        ? engine.credits.capture(x, { key: `c-${x.id}` })
        : engine.credits.release(x, { key: `r-${x.id}` }))));
      b = await engine.credits.balance(id);
      const captured = Math.floor(fits / 2);
      assert.equal(b.held, 0);
      assert.equal(b.total, start.total - captured * cost);
      const rows = await history(engine, id);
      assert.equal(rows.filter((r) => r.type === 'debit').length, captured);
      assert.deepEqual(rows.map((r) => r.seq), Array.from({ length: rows.length }, (_, i) => rows.length - i));
      await h.assertInvariants(engine);
    });

    test('a closed engine rejects with ClosedError', async (t) => {
      const engine = await openEngine(t, backend);
      const id = await user(engine);
      engine.close();
      await assert.rejects(engine.credits.balance(id), vidgo.ClosedError);
      await assert.rejects(engine.credits.hold(id, 'image_512', { key: 'k' }), vidgo.ClosedError);
    });
  });
}

describe('credits: pure functions', () => {
  test('nextReset is the Monday 00:00 UTC after the week of a time', () => {
    const monday = Credits.nextReset(new Date('2026-11-25T10:00:00Z'));
    assert.ok(monday instanceof Date);
    assert.equal(monday.toISOString(), '2026-11-30T00:00:00.000Z');
    assert.equal(Credits.nextReset(MONDAY.getTime()).toISOString(), '2026-12-07T00:00:00.000Z');
    assert.equal(Credits.nextReset(MONDAY.getTime() - 1).toISOString(), '2026-11-30T00:00:00.000Z');
    assert.deepEqual(Credits.prototype.nextReset(MONDAY), Credits.nextReset(MONDAY));
  });

  test('ledger type names follow the C table', () => {
    const names = ['open', 'grant', 'debit', 'refund', 'weekly_reset', 'expiry', 'forfeit',
      'plan_change'];
    assert.deepEqual(names.map((_, i) => Credits.ledgerTypeName(i + 1)), names);
    assert.equal(Credits.ledgerTypeName(0), null);
    assert.equal(Credits.ledgerTypeName(99), null);
    assert.equal(Credits.ledgerTypeName(2 ** 40), null);
    assert.throws(() => Credits.ledgerTypeName(), TypeError);
  });
});
