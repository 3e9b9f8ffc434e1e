// SPDX-License-Identifier: MIT
// engine.payments: orders, ECPay (form, CheckMacValue, callbacks), Paddle (signatures,
// webhooks), the sandbox, subscriptions, promotion codes, the administrators' figures —
// on every store backend, with the ledger's invariants checked after each scenario.
'use strict';

const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { describe, test } = require('node:test');

const h = require('./helpers');

const { rejectsArguments, rejectsWith, throwsWith, vidgo } = h;
const native = require('../lib/native');
const { ecpayCheckMac, orderStateName } = require('../lib/payments');

// What the library would read from the environment must not come from the developer's shell.
for (const name of ['ECPAY_MERCHANT_ID', 'ECPAY_HASH_KEY', 'ECPAY_HASH_IV', 'ECPAY_STAGE',
  'PADDLE_WEBHOOK_SECRET', 'VIDGO_PAYMENTS_SANDBOX']) {
  delete process.env[name];
}

// ECPay's public stage merchant; a Paddle endpoint secret of the tests.
const MERCHANT = '3002607';
const HASH_KEY = 'pwFHCqoQZGmho4w6';
const HASH_IV = 'EkRm7iFT261dpevs';
const PADDLE_SECRET = 'pdl_ntfset_01test_' + 'c0ffee'.repeat(6);
const PAYMENTS = {
  sandbox: true, ecpayMerchantId: MERCHANT, ecpayHashKey: HASH_KEY, ecpayHashIv: HASH_IV,
  paddleWebhookSecret: PADDLE_SECRET,
};
const RETURN_URL = 'https://shop.example/ecpay/return';
const DAY = 24 * 3600 * 1000;

// An engine with the payment settings above, closed when the test ends.
function withEngine(t, backend, options = {}) {
  return h.openEngine(t, backend, { payments: PAYMENTS, ...options });
}

let users = 0;
function addUser(engine, plan = 'demo') {
  return engine.users.addVerified(`pay${process.pid}x${++users}@example.com`, plan);
}

// ---- ECPay's callback, as ECPay sends it ---------------------------------------------------

// The form body of ECPay's server POST for an order, signed with the keys (or carrying `mac`).
function ecpayBody(order, {
  rtnCode = '1', amount = order.amountMinor, merchant = MERCHANT, key = HASH_KEY, iv = HASH_IV,
  mac,
} = {}) {
  const fields = [
    ['CustomField1', ''], ['MerchantID', merchant], ['MerchantTradeNo', order.number],
    ['PaymentDate', '2026/11/11 12:00:00'], ['PaymentType', 'Credit_CreditCard'],
    ['PaymentTypeChargeFee', '5'], ['RtnCode', rtnCode],
    ['RtnMsg', rtnCode === '1' ? 'Succeeded' : 'Failed'], ['SimulatePaid', '0'], ['StoreID', ''],
    ['TradeAmt', String(amount)], ['TradeDate', '2026/11/11 11:59:00'],
    ['TradeNo', '2311' + order.number.slice(2, 18)],
  ];
  fields.push(['CheckMacValue', mac ?? ecpayCheckMac(fields, key, iv)]);
  return new URLSearchParams(fields).toString();
}

// ---- Paddle's webhooks, as Paddle sends them -------------------------------------------------

function nowS(engine) {
  return Math.floor(engine.now().getTime() / 1000);
}

// The Paddle-Signature header of a body: HMAC-SHA256 of "ts:body", computed here.
function paddleSign(body, ts, secret = PADDLE_SECRET) {
  const h1 = crypto.createHmac('sha256', secret).update(`${ts}:${body}`).digest('hex');
  return `ts=${ts};h1=${h1}`;
}

function paddleTxn(eventId, order, { total = order.amountMinor, currency = order.currency } = {}) {
  return JSON.stringify({
    event_id: eventId, event_type: 'transaction.completed',
    occurred_at: '2026-11-11T16:40:00.000000Z', notification_id: `ntf_${eventId}`,
    data: {
      id: `txn_${eventId}`, status: 'completed', currency_code: currency,
      details: { totals: { subtotal: String(total), tax: '0', total: String(total) } },
      custom_data: { vidgo_order: order.number },
    },
  });
}

function paddleSub(eventId, userId, plan, start, end, type = 'subscription.created') {
  return JSON.stringify({
    event_id: eventId, event_type: type, occurred_at: start.toISOString(),
    data: {
      id: 'sub_01node', status: 'active', currency_code: 'USD',
      custom_data: { vidgo_user: userId, vidgo_plan: plan },
      current_billing_period: { starts_at: start.toISOString(), ends_at: end.toISOString() },
      scheduled_change: null,
    },
  });
}

// ---- checkMac and names: pure ----------------------------------------------------------------

describe('ECPay CheckMacValue (pure, sync)', () => {
  const TV1 = [
    ['MerchantID', '3002607'], ['MerchantTradeNo', 'ecpay20230312153023'],
    ['MerchantTradeDate', '2023/03/12 15:30:23'], ['PaymentType', 'aio'],
    ['TotalAmount', '30000'], ['TradeDesc', '促銷方案'], ['ItemName', 'Apple iphone 15'],
    ['ReturnURL', 'https://www.ecpay.com.tw/receive.php'], ['ChoosePayment', 'ALL'],
    ['EncryptType', '1'],
  ];
  const TV1_MAC = '6C51C9E6888DE861FD62FB1DD17029FC742634498FD813DC43D4243B5685B840';

  test('is ECPay\'s published value of its example, whatever the form of the fields', () => {
    assert.equal(ecpayCheckMac(TV1, HASH_KEY, HASH_IV), TV1_MAC);
    assert.equal(ecpayCheckMac(Object.fromEntries(TV1), HASH_KEY, HASH_IV), TV1_MAC);
    assert.equal(ecpayCheckMac(new Map(TV1), HASH_KEY, HASH_IV), TV1_MAC);
    assert.equal(ecpayCheckMac(new URLSearchParams(TV1), HASH_KEY, HASH_IV), TV1_MAC);
    assert.equal(ecpayCheckMac([...TV1].reverse(), HASH_KEY, HASH_IV), TV1_MAC);
    const numeric = { ...Object.fromEntries(TV1), TotalAmount: 30000 };
    assert.equal(ecpayCheckMac(numeric, HASH_KEY, HASH_IV), TV1_MAC);
  });

  test('leaves a CheckMacValue field out, and changes with any field or key', () => {
    assert.equal(ecpayCheckMac([...TV1, ['CheckMacValue', 'X']], HASH_KEY, HASH_IV), TV1_MAC);
    const altered = TV1.map(([k, v]) => [k, k === 'TotalAmount' ? '30001' : v]);
    assert.notEqual(ecpayCheckMac(altered, HASH_KEY, HASH_IV), TV1_MAC);
    assert.notEqual(ecpayCheckMac(TV1, HASH_KEY, 'EkRm7iFT261dpevX'), TV1_MAC);
  });

  test('MD5 for the older APIs: 32 upper-case hex digits', () => {
    const md5 = ecpayCheckMac(TV1, HASH_KEY, HASH_IV, { sha256: false });
    assert.match(md5, /^[0-9A-F]{32}$/);
    assert.notEqual(md5, TV1_MAC.slice(0, 32));
  });

  test('is the same through engine.payments.checkMac', async (t) => {
    const engine = await withEngine(t, 'sqlite');
    assert.equal(engine.payments.checkMac(TV1, HASH_KEY, HASH_IV), TV1_MAC);
  });

  test('bad arguments throw TypeError/RangeError; invalid UTF-8 is not possible from JS', () => {
    const type = (fn) => h.throwsArgument(fn, TypeError, 'ERR_INVALID_ARG_TYPE');
    type(() => ecpayCheckMac(null, HASH_KEY, HASH_IV));
    type(() => ecpayCheckMac('MerchantID=1', HASH_KEY, HASH_IV));
    type(() => ecpayCheckMac([['MerchantID']], HASH_KEY, HASH_IV));
    type(() => ecpayCheckMac([['MerchantID', null]], HASH_KEY, HASH_IV));
    type(() => ecpayCheckMac({ a: {} }, HASH_KEY, HASH_IV));
    type(() => ecpayCheckMac(TV1, undefined, HASH_IV));
    type(() => ecpayCheckMac(TV1, HASH_KEY, 7));
    type(() => ecpayCheckMac(TV1, HASH_KEY, HASH_IV, 'sha256'));
    type(() => ecpayCheckMac(TV1, HASH_KEY, HASH_IV, { sha256: 1 }));
    assert.throws(() => ecpayCheckMac([['a\0b', 'x']], HASH_KEY, HASH_IV), RangeError);
    throwsWith(() => ecpayCheckMac(TV1, '', HASH_IV), 'VG_EINVAL', vidgo.InvalidArgument);
  });

  test('order state names', () => {
    const names = [0, 1, 2, 3, 4, 5, 6].map(orderStateName);
    assert.deepEqual(names, ['created', 'pending', 'paid', 'fulfilled', 'failed', 'expired',
      'refunded']);
    assert.equal(orderStateName(7), null);
    assert.equal(orderStateName(-1), null);
    assert.throws(() => orderStateName('paid'), TypeError);
    assert.throws(() => orderStateName(1.5), RangeError);
  });

  test('the same through engine.payments.orderStateName', async (t) => {
    const engine = await withEngine(t, 'sqlite');
    assert.equal(engine.payments.orderStateName(3), 'fulfilled');
    assert.equal(engine.payments.orderStateName(99), null);
  });
});

for (const backend of h.backends()) {
  describe(`payments on ${backend}`, () => {
    // ---- orders --------------------------------------------------------------------------

    test('an order is priced, idempotent by key, and read by id, number and page', async (t) => {
      const engine = await withEngine(t, backend);
      const pay = engine.payments;
      const user = await addUser(engine);
      const order = await pay.createOrder(user, 'credits_50', { key: 'o-1' });
      assert.equal(order.state, 'created');
      assert.equal(order.kind, 'package');
      assert.equal(order.provider, 'ecpay');
      assert.equal(order.currency, 'TWD');
      assert.equal(order.credits, 50);
      assert.equal(order.userId, user);
      assert.ok(order.amountMinor > 0 && Number.isInteger(order.amountMinor));
      assert.match(order.number, /^VG[A-Z0-9]{18}$/);
      assert.ok(order.createdAt instanceof Date && order.expiresAt > order.createdAt);
      assert.equal(order.paidAt, null);

      assert.deepEqual(await pay.createOrder(user, 'credits_50', { key: 'o-1' }), order);
      assert.deepEqual(await pay.order(order.id), order);
      assert.deepEqual(await pay.findOrder(order.number), order);

      const usd = await pay.createOrder(user, 'credits_50', { key: 'o-2', provider: 'paddle' });
      assert.equal(usd.currency, 'USD');
      const eur = await pay.createOrder(user, 'pro', {
        key: 'o-3', kind: 'subscription', provider: 'paddle', currency: 'EUR',
      });
      assert.equal(eur.kind, 'subscription');
      assert.equal(eur.currency, 'EUR');
      assert.equal(eur.item, 'pro');

      const other = await addUser(engine);
      await pay.createOrder(other, 'credits_50', { key: 'o-1' }); // keys are per user
      assert.deepEqual((await pay.ordersPage({ userId: user })).map((o) => o.id),
        [eur.id, usd.id, order.id]);
      assert.equal((await pay.ordersPage()).length, 4);
      assert.deepEqual((await pay.ordersPage({ userId: user, beforeId: usd.id })).map((o) => o.id),
        [order.id]);
      const all = (await h.toArray(pay.orders({ pageSize: 1 }))).map((o) => o.id);
      assert.equal(all.length, 4);
      assert.deepEqual(all, [...all].sort((a, b) => b - a));
      const mine = await h.toArray(pay.orders({ userId: user, pageSize: 2 }));
      assert.deepEqual(mine.map((o) => o.id), [eur.id, usd.id, order.id]);
      await h.assertInvariants(engine);
    });

    test('a refused order says why and creates nothing', async (t) => {
      const engine = await withEngine(t, backend);
      const pay = engine.payments;
      const user = await addUser(engine);
      await pay.createOrder(user, 'credits_50', { key: 'k' });
      await rejectsWith(pay.createOrder(user, 'credits_120', { key: 'k' }),
        'VG_EIDEMPOTENCY_CONFLICT', vidgo.IdempotencyConflict);
      await rejectsWith(pay.createOrder(user + 1000, 'credits_50', { key: 'k2' }),
        'VG_ENOTFOUND', vidgo.NotFound);
      await rejectsWith(pay.createOrder(user, 'credits_7', { key: 'k3' }),
        'VG_ESERVICE_UNKNOWN', vidgo.ServiceUnknown);
      await rejectsWith(pay.createOrder(user, 'gold', { key: 'k4', kind: 'subscription' }),
        'VG_EPLAN_UNKNOWN', vidgo.PlanUnknown);
      await rejectsWith(pay.createOrder(user, 'demo', { key: 'k5', kind: 'subscription' }),
        'VG_EPLAN_UNKNOWN', vidgo.PlanUnknown);
      await rejectsWith(pay.createOrder(user, 'credits_50', { key: 'k6', currency: 'USD' }),
        'VG_ECURRENCY', vidgo.CurrencyError);
      await rejectsWith(pay.createOrder(user, 'credits_50', { key: 'k7', provider: 'paypal' }),
        'VG_EINVAL', vidgo.InvalidArgument);
      await rejectsWith(pay.order(999), 'VG_ENOTFOUND', vidgo.NotFound);
      await rejectsWith(pay.findOrder('VG000000000000000000'), 'VG_ENOTFOUND', vidgo.NotFound);
      await rejectsWith(pay.ordersPage({ limit: 0 }), 'VG_EINVAL', vidgo.InvalidArgument);
      await rejectsArguments([
        [() => pay.createOrder(user, 'credits_50'), TypeError],                   // no key
        [() => pay.createOrder(user, 'credits_50', { key: 5 }), TypeError],
        [() => pay.createOrder(String(user), 'credits_50', { key: 'x' }), TypeError],
        [() => pay.createOrder(user, null, { key: 'x' }), TypeError],
        [() => pay.createOrder(user, 'credits_50', { key: 'x', kind: 'gift' }), RangeError],
        [() => pay.createOrder(user, 'credits_50', { key: 'x', kind: 1 }), TypeError],
        [() => pay.createOrder(user, 'credits_50', 'x'), TypeError],
        [() => pay.createOrder(1.5, 'credits_50', { key: 'x' }), RangeError],
        [() => pay.order('1'), TypeError],
        [() => pay.order(), TypeError],
        [() => pay.findOrder(12), TypeError],
        [() => pay.ordersPage({ limit: 'all' }), TypeError],
        [() => pay.ordersPage({ limit: 2 ** 40 }), RangeError],
        [() => pay.refundOrder(1, 5), TypeError],
        [() => pay.simulatePaid(NaN), RangeError],
      ]);
      assert.equal((await pay.ordersPage()).length, 1);
      await h.assertInvariants(engine);
    });

    // ---- ECPay -----------------------------------------------------------------------------

    test('ECPay: the checkout form is signed, and a genuine callback pays and grants once',
      async (t) => {
        const engine = await withEngine(t, backend);
        const pay = engine.payments;
        const user = await addUser(engine);
        const before = await engine.credits.balance(user);
        const order = await pay.createOrder(user, 'credits_50', { key: 'buy-1' });
        const form = await pay.ecpayCheckout(order.id, RETURN_URL, {
          clientBackUrl: 'https://shop.example/back', choosePayment: 'Credit',
        });
        assert.match(form.action, /^https:\/\/payment(-stage)?\.ecpay\.com\.tw\/Cashier\/AioCheckOut\/V5$/);
        const fields = Object.fromEntries(form.fields);
        assert.equal(form.fields.at(-1)[0], 'CheckMacValue');
        assert.equal(fields.MerchantID, MERCHANT);
        assert.equal(fields.MerchantTradeNo, order.number);
        assert.equal(fields.TotalAmount, String(order.amountMinor));
        assert.equal(fields.ReturnURL, RETURN_URL);
        assert.equal(fields.ClientBackURL, 'https://shop.example/back');
        assert.equal(fields.ChoosePayment, 'Credit');
        assert.equal(fields.CheckMacValue, ecpayCheckMac(form.fields, HASH_KEY, HASH_IV));
        assert.equal((await pay.order(order.id)).state, 'pending');
        assert.ok(new URLSearchParams(form.fields).get('MerchantTradeNo'), order.number);

        const paid = await pay.ecpayCallback(ecpayBody(order));
        assert.equal(paid.reply, '1|OK');
        assert.equal(paid.order.id, order.id);
        assert.equal(paid.order.state, 'fulfilled');
        assert.ok(paid.order.paidAt instanceof Date && paid.order.fulfilledAt instanceof Date);
        assert.ok(paid.order.providerRef);
        const after = await engine.credits.balance(user);
        assert.equal(after.purchased, before.purchased + 50);

        // a repeat changes nothing and still answers 1|OK (a Buffer body too)
        const again = await pay.ecpayCallback(Buffer.from(ecpayBody(order)));
        assert.equal(again.reply, '1|OK');
        assert.equal(again.order.state, 'fulfilled');
        assert.equal((await engine.credits.balance(user)).purchased, after.purchased);
        // a fulfilled order has no checkout any more
        await rejectsWith(pay.ecpayCheckout(order.id, RETURN_URL), 'VG_EORDER_STATE',
          vidgo.OrderStateError);
        await h.assertInvariants(engine);
      });

    test('ECPay: a forged or altered callback is refused with its reply and changes nothing',
      async (t) => {
        const engine = await withEngine(t, backend);
        const pay = engine.payments;
        const user = await addUser(engine);
        const order = await pay.createOrder(user, 'credits_120', { key: 'buy-2' });
        await pay.ecpayCheckout(order.id, RETURN_URL);
        const refusals = [
          [ecpayBody(order, { mac: 'A'.repeat(64) }), 'VG_ESIGNATURE', vidgo.SignatureError,
            '0|CheckMacValue Error'],
          [ecpayBody(order, { key: 'wrongwrongwrong1' }), 'VG_ESIGNATURE', vidgo.SignatureError,
            '0|CheckMacValue Error'],
          [ecpayBody(order).replace(/TradeAmt=\d+/, 'TradeAmt=1'), 'VG_ESIGNATURE',
            vidgo.SignatureError, '0|CheckMacValue Error'],
          [ecpayBody(order, { amount: 1 }), 'VG_EAMOUNT_MISMATCH', vidgo.AmountMismatch,
            '0|Amount Error'],
          [ecpayBody(order, { merchant: '2000132' }), 'VG_EMERCHANT_MISMATCH',
            vidgo.MerchantMismatch, '0|MerchantID Error'],
          [ecpayBody({ ...order, number: 'VG123456789012345678' }), 'VG_ENOTFOUND',
            vidgo.NotFound, '0|Order Not Found'],
          ['MerchantID=3002607&TradeAmt=%zz', 'VG_EINVAL', vidgo.InvalidArgument, null],
          [`${ecpayBody(order)}&RtnCode=1`, 'VG_EINVAL', vidgo.InvalidArgument, null],
        ];
        for (const [body, code, Class, reply] of refusals) {
          const err = await rejectsWith(pay.ecpayCallback(body), code, Class);
          assert.match(err.reply, /^0\|/);
          if (reply) assert.equal(err.reply, reply);
          assert.equal(typeof err.userMessage, 'string');
          assert.ok(!err.message.includes(HASH_KEY) && !err.message.includes(HASH_IV));
        }
        assert.equal((await pay.order(order.id)).state, 'pending');
        assert.equal((await engine.credits.balance(user)).purchased, 0);
        await rejectsArguments([
          [() => pay.ecpayCallback(), TypeError],
          [() => pay.ecpayCallback(42), TypeError],
          [() => pay.ecpayCheckout(order.id), TypeError],
          [() => pay.ecpayCheckout(order.id, RETURN_URL, { choosePayment: 3 }), TypeError],
          [() => pay.ecpayCheckout(order.id, RETURN_URL, 'Credit'), TypeError],
        ]);
        await h.assertInvariants(engine);
      });

    test('ECPay: an unpaid result fails the order; checkout refuses USD and unknown orders',
      async (t) => {
        const engine = await withEngine(t, backend);
        const pay = engine.payments;
        const user = await addUser(engine);
        const order = await pay.createOrder(user, 'credits_50', { key: 'buy-3' });
        await pay.ecpayCheckout(order.id, RETURN_URL);
        const failed = await pay.ecpayCallback(ecpayBody(order, { rtnCode: '10100058' }));
        assert.equal(failed.order.state, 'failed');
        assert.equal((await engine.credits.balance(user)).purchased, 0);
        const usd = await pay.createOrder(user, 'credits_50', { key: 'buy-4', provider: 'paddle' });
        await rejectsWith(pay.ecpayCheckout(usd.id, RETURN_URL), 'VG_ECURRENCY',
          vidgo.CurrencyError);
        await rejectsWith(pay.ecpayCheckout(9999, RETURN_URL), 'VG_ENOTFOUND', vidgo.NotFound);
        await h.assertInvariants(engine);
      });

    test('ECPay: the same callback delivered 5 times at once grants once', async (t) => {
      const engine = await withEngine(t, backend);
      const pay = engine.payments;
      const user = await addUser(engine);
      const order = await pay.createOrder(user, 'credits_300', { key: 'race' });
      await pay.ecpayCheckout(order.id, RETURN_URL);
      const body = ecpayBody(order);
      const results = await Promise.all(Array.from({ length: 5 }, () => pay.ecpayCallback(body)));
      for (const r of results) {
        assert.equal(r.reply, '1|OK');
        assert.equal(r.order.state, 'fulfilled');
        assert.equal(r.order.id, order.id);
      }
      const balance = await engine.credits.balance(user);
      assert.equal(balance.purchased, order.credits);
      assert.equal((await engine.payments.adminStats()).creditsGranted, order.credits);
      await h.assertInvariants(engine);
    });

    test('ECPay without merchant settings: a callback is a ConfigError', async (t) => {
      const engine = await h.openTemp({}, backend);
      t.after(() => engine.close());
      const err = await rejectsWith(engine.payments.ecpayCallback('MerchantID=1&CheckMacValue=AB'),
        'VG_ECONFIG', vidgo.ConfigError);
      assert.match(err.reply, /^0\|/);
    });

    // ---- Paddle ----------------------------------------------------------------------------

    test('Paddle: a signature computed here verifies; forged, stale or malformed ones do not',
      async (t) => {
        const engine = await withEngine(t, backend);
        const pay = engine.payments;
        const body = '{"event_id":"evt_1"}';
        const ts = nowS(engine);
        assert.equal(pay.paddleVerify(paddleSign(body, ts), body), undefined);
        pay.paddleVerify(paddleSign(body, ts), Buffer.from(body));
        // a rotation: any h1 under any configured secret
        const two = `${paddleSign(body, ts, 'old-secret')};h1=${paddleSign(body, ts).split('h1=')[1]}`;
        pay.paddleVerify(two, body);
        pay.paddleVerify(paddleSign(body, ts, 'other'), body, { secret: 'other' });
        throwsWith(() => pay.paddleVerify(paddleSign(body, ts, 'other'), body),
          'VG_ESIGNATURE', vidgo.SignatureError);
        throwsWith(() => pay.paddleVerify(paddleSign(body, ts), body + ' '),
          'VG_ESIGNATURE', vidgo.SignatureError);
        throwsWith(() => pay.paddleVerify(paddleSign(body, ts - 60), body),
          'VG_EREPLAY', vidgo.ReplayError);
        assert.ok(vidgo.ReplayError.prototype instanceof vidgo.SignatureError);
        pay.paddleVerify(paddleSign(body, ts - 60), body, { toleranceS: 120 });
        throwsWith(() => pay.paddleVerify(paddleSign(body, ts + 60), body),
          'VG_EREPLAY', vidgo.ReplayError);
        throwsWith(() => pay.paddleVerify('ts=1;h1=zz', body), 'VG_EINVAL',
          vidgo.InvalidArgument);
        assert.throws(() => pay.paddleVerify(paddleSign(body, ts), body, { toleranceS: -1 }),
          vidgo.InvalidArgument);
        for (const bad of [() => pay.paddleVerify(undefined, body),
          () => pay.paddleVerify(paddleSign(body, ts), {}),
          () => pay.paddleVerify(paddleSign(body, ts), body, { secret: 1 }),
          () => pay.paddleVerify(paddleSign(body, ts), body, { toleranceS: 0.5 })]) {
          assert.throws(bad, (e) => e instanceof TypeError || e instanceof RangeError);
        }
      });

    test('Paddle: no secret configured is a ConfigError', async (t) => {
      const engine = await h.openTemp({}, backend);
      t.after(() => engine.close());
      const body = '{}';
      throwsWith(() => engine.payments.paddleVerify(paddleSign(body, nowS(engine)), body),
        'VG_ECONFIG', vidgo.ConfigError);
      await rejectsWith(engine.payments.paddleWebhook(paddleSign(body, nowS(engine)), body),
        'VG_ECONFIG', vidgo.ConfigError);
    });

    test('Paddle: transaction.completed pays a USD order once, however often it comes',
      async (t) => {
        const engine = await withEngine(t, backend);
        const pay = engine.payments;
        const user = await addUser(engine);
        const order = await pay.createOrder(user, 'credits_120', { key: 'p-1', provider: 'paddle' });
        const body = paddleTxn('evt_node_1', order);
        const results = await Promise.all(Array.from({ length: 5 },
          () => pay.paddleWebhook(paddleSign(body, nowS(engine)), body)));
        assert.equal(results.filter((r) => !r.duplicate).length, 1, JSON.stringify(results));
        for (const r of results) {
          assert.equal(r.eventId, 'evt_node_1');
          assert.equal(r.eventType, 'transaction.completed');
          assert.equal(r.ignored, false);
        }
        assert.equal(results.find((r) => !r.duplicate).orderId, order.id);
        const paid = await pay.order(order.id);
        assert.equal(paid.state, 'fulfilled');
        assert.equal((await engine.credits.balance(user)).purchased, 120);

        // another event for the same paid order changes nothing either
        const body2 = paddleTxn('evt_node_2', order);
        await pay.paddleWebhook(paddleSign(body2, nowS(engine)), body2);
        assert.equal((await engine.credits.balance(user)).purchased, 120);

        const ignored = JSON.stringify({ event_id: 'evt_node_3', event_type: 'customer.created',
          data: {} });
        const r = await pay.paddleWebhook(paddleSign(ignored, nowS(engine)), ignored);
        assert.equal(r.ignored, true);
        assert.equal(r.orderId, 0);
        await h.assertInvariants(engine);
      });

    test('Paddle: a refused webhook changes nothing', async (t) => {
      const engine = await withEngine(t, backend);
      const pay = engine.payments;
      const user = await addUser(engine);
      const order = await pay.createOrder(user, 'credits_50', { key: 'p-2', provider: 'paddle' });
      const body = paddleTxn('evt_bad_1', order);
      const ts = nowS(engine);
      await rejectsWith(pay.paddleWebhook(paddleSign(body, ts, 'forged'), body),
        'VG_ESIGNATURE', vidgo.SignatureError);
      await rejectsWith(pay.paddleWebhook(paddleSign(body, ts), body.replace('"completed"',
        '"completed" ')), 'VG_ESIGNATURE', vidgo.SignatureError);
      await rejectsWith(pay.paddleWebhook(paddleSign(body, ts - 3600), body),
        'VG_EREPLAY', vidgo.ReplayError);
      const cheap = paddleTxn('evt_bad_2', order, { total: 1 });
      await rejectsWith(pay.paddleWebhook(paddleSign(cheap, ts), cheap),
        'VG_EAMOUNT_MISMATCH', vidgo.AmountMismatch);
      const euro = paddleTxn('evt_bad_3', order, { currency: 'EUR' });
      await rejectsWith(pay.paddleWebhook(paddleSign(euro, ts), euro),
        'VG_EAMOUNT_MISMATCH', vidgo.AmountMismatch);
      const ghost = paddleTxn('evt_bad_4', { ...order, number: 'VG999999999999999999' });
      await rejectsWith(pay.paddleWebhook(paddleSign(ghost, ts), ghost),
        'VG_ENOTFOUND', vidgo.NotFound);
      const junk = '{"event_id": ';
      await rejectsWith(pay.paddleWebhook(paddleSign(junk, ts), junk), 'VG_EINVAL',
        vidgo.InvalidArgument);
      await rejectsArguments([
        [() => pay.paddleWebhook(null, body), TypeError],
        [() => pay.paddleWebhook(paddleSign(body, ts), 5), TypeError],
      ]);
      // the refused events were not recorded: the genuine one still pays
      const ok = await pay.paddleWebhook(paddleSign(body, ts), body);
      assert.equal(ok.duplicate, false);
      assert.equal((await pay.order(order.id)).state, 'fulfilled');
      await h.assertInvariants(engine);
    });

    // ---- the sandbox -----------------------------------------------------------------------

    test('sandbox: simulatePaid pays ECPay and Paddle orders through the real checks',
      async (t) => {
        const engine = await withEngine(t, backend);
        const pay = engine.payments;
        const user = await addUser(engine);
        const a = await pay.createOrder(user, 'credits_50', { key: 's-1' });
        const b = await pay.createOrder(user, 'credits_120', { key: 's-2', provider: 'paddle' });
        assert.equal((await pay.simulatePaid(a.id)).state, 'fulfilled');
        assert.equal((await pay.simulatePaid(b.id)).state, 'fulfilled');
        assert.equal((await pay.simulatePaid(a.id)).state, 'fulfilled'); // once only
        assert.equal((await engine.credits.balance(user)).purchased, 170);
        await rejectsWith(pay.simulatePaid(12345), 'VG_ENOTFOUND', vidgo.NotFound);
        await h.assertInvariants(engine);
      });

    test('outside the sandbox simulatePaid is Unsupported', async (t) => {
      const engine = await withEngine(t, backend, { payments: { ...PAYMENTS, sandbox: false } });
      const user = await addUser(engine);
      const order = await engine.payments.createOrder(user, 'credits_50', { key: 'n-1' });
      await rejectsWith(engine.payments.simulatePaid(order.id), 'VG_EUNSUPPORTED',
        vidgo.Unsupported);
      assert.equal((await engine.payments.order(order.id)).state, 'created');
    });

    // ---- subscriptions -------------------------------------------------------------------

    test('subscriptions: bought, downgraded at the period end, cancelled, refunded',
      async (t) => {
        const engine = await withEngine(t, backend);
        const pay = engine.payments;
        const user = await addUser(engine);
        const none = await pay.subscription(user);
        assert.equal(none.state, 'none');
        assert.equal(none.periodEnd, null);
        await rejectsWith(pay.cancelSubscription(user), 'VG_ESTATE', vidgo.InvalidState);
        await rejectsWith(pay.changeSubscription(user, 'starter'), 'VG_ESTATE',
          vidgo.InvalidState);

        const order = await pay.createOrder(user, 'pro', { key: 'sub-1', kind: 'subscription' });
        await pay.simulatePaid(order.id);
        const sub = await pay.subscription(user);
        assert.equal(sub.state, 'active');
        assert.equal(sub.plan, 'pro');
        assert.equal(sub.provider, 'ecpay');
        assert.ok(sub.periodEnd > sub.periodStart && sub.startedAt instanceof Date);
        assert.equal((await engine.users.get(user)).plan, 'pro');

        const down = await pay.changeSubscription(user, 'starter');
        assert.equal(down.nextPlan, 'starter');
        assert.equal(down.plan, 'pro');
        await rejectsWith(pay.changeSubscription(user, 'pro_plus'), 'VG_EORDER_STATE',
          vidgo.OrderStateError);
        await rejectsWith(pay.changeSubscription(user, 'gold'), 'VG_EPLAN_UNKNOWN',
          vidgo.PlanUnknown);
        const cancelled = await pay.cancelSubscription(user);
        assert.equal(cancelled.state, 'canceled');
        assert.equal((await engine.users.get(user)).plan, 'pro'); // until the period ends
        assert.equal((await pay.adminStats()).activeSubscriptions, 1);

        // a package cannot be refunded here; an unpaid order has nothing to refund
        const pack = await pay.createOrder(user, 'credits_50', { key: 'sub-2' });
        await rejectsWith(pay.refundOrder(pack.id), 'VG_EORDER_STATE', vidgo.OrderStateError);
        await pay.simulatePaid(pack.id);
        await rejectsWith(pay.refundOrder(pack.id, 'asked'), 'VG_EUNSUPPORTED', vidgo.Unsupported);
        await rejectsWith(pay.refundOrder(4242), 'VG_ENOTFOUND', vidgo.NotFound);

        const refunded = await pay.refundOrder(order.id, 'customer asked');
        assert.equal(refunded.state, 'refunded');
        assert.equal((await engine.users.get(user)).plan, 'demo');
        assert.notEqual((await pay.subscription(user)).state, 'active');
        assert.ok(Number.isInteger(await pay.maintainSubscriptions()));
        await rejectsWith(pay.subscription(user + 99), 'VG_ENOTFOUND', vidgo.NotFound);
        await rejectsArguments([
          [() => pay.subscription('1'), TypeError],
          [() => pay.changeSubscription(user), TypeError],
          [() => pay.cancelSubscription(), TypeError],
        ]);
        await h.assertInvariants(engine);
      });

    test('subscriptions: an ended period expires back to demo (manual clock)', async (t) => {
      const engine = await withEngine(t, backend, { clock: new Date('2026-03-02T10:00:00Z') });
      const pay = engine.payments;
      const user = await addUser(engine);
      const order = await pay.createOrder(user, 'starter', { key: 'm-1', kind: 'subscription' });
      await pay.simulatePaid(order.id);
      await pay.cancelSubscription(user);
      // an unpaid order, left to expire
      const unpaid = await pay.createOrder(user, 'credits_50', { key: 'm-2' });
      engine.clock.advance(40 * DAY);
      assert.ok(await pay.maintainSubscriptions() >= 2);
      assert.equal((await pay.subscription(user)).state, 'expired');
      assert.equal((await engine.users.get(user)).plan, 'demo');
      assert.equal((await pay.order(unpaid.id)).state, 'expired');
      assert.equal(await pay.maintainSubscriptions(), 0); // idempotent
      await h.assertInvariants(engine);
    });

    test('subscriptions: Paddle subscription events set the plan', async (t) => {
      const engine = await withEngine(t, backend);
      const pay = engine.payments;
      const user = await addUser(engine);
      const start = engine.now();
      const end = new Date(start.getTime() + 30 * DAY);
      const body = paddleSub('evt_sub_1', user, 'pro_plus', start, end);
      const r = await pay.paddleWebhook(paddleSign(body, nowS(engine)), body);
      assert.equal(r.userId, user);
      assert.equal(r.duplicate, false);
      const sub = await pay.subscription(user);
      assert.equal(sub.state, 'active');
      assert.equal(sub.plan, 'pro_plus');
      assert.equal(sub.provider, 'paddle');
      assert.equal(sub.providerRef, 'sub_01node');
      assert.equal(sub.periodEnd.getTime(), end.getTime());
      assert.equal((await engine.users.get(user)).plan, 'pro_plus');
      const ghost = paddleSub('evt_sub_2', user + 77, 'pro', start, end);
      await rejectsWith(pay.paddleWebhook(paddleSign(ghost, nowS(engine)), ghost),
        'VG_ENOTFOUND', vidgo.NotFound);
      await h.assertInvariants(engine);
    });

    // ---- promotion codes ---------------------------------------------------------------------

    test('promotions: put, read in any case, redeemed once per key', async (t) => {
      const engine = await withEngine(t, backend);
      const pay = engine.payments;
      await pay.putPromo({ code: 'spring-sale', bonusCredits: 20, bonusTtlDays: 30 });
      const promo = await pay.promo('Spring-Sale');
      assert.equal(promo.code, 'SPRING-SALE');
      assert.equal(promo.bonusCredits, 20);
      assert.equal(promo.bonusTtlDays, 30);
      assert.equal(promo.active, true);
      assert.equal(promo.redeemed, 0);
      assert.equal(promo.plans, '');
      assert.equal(promo.validFrom, null);
      assert.ok(promo.createdAt instanceof Date);

      const user = await addUser(engine);
      const before = await engine.credits.balance(user);
      const after = await pay.redeemPromo(user, 'spring-sale', { key: 'r-1' });
      assert.equal(after.userId, user);
      assert.equal(after.bonus, before.bonus + 20);
      assert.ok(after.nextBonusExpiry instanceof Date);
      const repeat = await pay.redeemPromo(user, 'SPRING-SALE', { key: 'r-1' });
      assert.equal(repeat.bonus, after.bonus);
      await rejectsWith(pay.redeemPromo(user, 'spring-sale', { key: 'r-2' }),
        'VG_EPROMO_USED', vidgo.PromoUsed);
      assert.equal((await pay.promo('SPRING-SALE')).redeemed, 1);

      // concurrent redemptions with one key: one grant
      const other = await addUser(engine);
      const all = await Promise.all(Array.from({ length: 5 },
        () => pay.redeemPromo(other, 'spring-sale', { key: 'same' })));
      assert.ok(all.every((b) => b.bonus === 20));
      assert.equal((await pay.promo('spring-sale')).redeemed, 2);

      // editing keeps the count; switching off stops new redemptions
      await pay.putPromo({ ...promo, bonusCredits: 5, active: false });
      const edited = await pay.promo('spring-sale');
      assert.equal(edited.redeemed, 2);
      assert.equal(edited.active, false);
      const third = await addUser(engine);
      await rejectsWith(pay.redeemPromo(third, 'spring-sale', { key: 'r-3' }),
        'VG_EPROMO_INVALID', vidgo.PromoInvalid);
      assert.equal((await pay.adminStats()).creditsGranted, 40);
      await h.assertInvariants(engine);
    });

    test('promotions: windows, limits, plans and refusals', async (t) => {
      const engine = await withEngine(t, backend);
      const pay = engine.payments;
      const now = engine.now().getTime();
      await pay.putPromo({ code: 'LATER', bonusCredits: 5, validFrom: new Date(now + DAY) });
      await pay.putPromo({ code: 'PAST', bonusCredits: 5, validUntil: now - DAY });
      await pay.putPromo({ code: 'PROS', bonusCredits: 5, plans: ['pro', 'pro_plus'] });
      await pay.putPromo({ code: 'ONCE', bonusCredits: 5, maxRedemptions: 1, perUser: 1 });
      assert.equal((await pay.promo('pros')).plans, 'pro pro_plus');
      assert.equal((await pay.promo('later')).validFrom.getTime(), now + DAY);
      const demo = await addUser(engine);
      const pro = await addUser(engine, 'pro');
      await rejectsWith(pay.redeemPromo(demo, 'LATER', { key: 'a' }), 'VG_EPROMO_EXPIRED',
        vidgo.PromoExpired);
      await rejectsWith(pay.redeemPromo(demo, 'PAST', { key: 'b' }), 'VG_EPROMO_EXPIRED',
        vidgo.PromoExpired);
      await rejectsWith(pay.redeemPromo(demo, 'PROS', { key: 'c' }), 'VG_EPLAN_TOO_LOW',
        vidgo.PlanTooLow);
      assert.equal((await pay.redeemPromo(pro, 'PROS', { key: 'c' })).bonus, 5);
      await pay.redeemPromo(demo, 'ONCE', { key: 'd' });
      await rejectsWith(pay.redeemPromo(pro, 'ONCE', { key: 'd' }), 'VG_EPROMO_USED',
        vidgo.PromoUsed);
      await rejectsWith(pay.redeemPromo(demo, 'PROS', { key: 'd' }), 'VG_EIDEMPOTENCY_CONFLICT',
        vidgo.IdempotencyConflict);
      await rejectsWith(pay.redeemPromo(demo, 'NOPE', { key: 'e' }), 'VG_EPROMO_INVALID',
        vidgo.PromoInvalid);
      await rejectsWith(pay.redeemPromo(demo, 'bad code!', { key: 'e' }), 'VG_EPROMO_INVALID',
        vidgo.PromoInvalid);
      await rejectsWith(pay.redeemPromo(pro + 50, 'PROS', { key: 'f' }), 'VG_ENOTFOUND',
        vidgo.NotFound);
      await rejectsWith(pay.promo('NOPE'), 'VG_EPROMO_INVALID', vidgo.PromoInvalid);
      await rejectsWith(pay.putPromo({ code: 'GOLD', bonusCredits: 5, plans: 'gold' }),
        'VG_EPLAN_UNKNOWN', vidgo.PlanUnknown);
      await rejectsWith(pay.putPromo({ code: 'ZERO', bonusCredits: 0 }), 'VG_EINVAL',
        vidgo.InvalidArgument);
      await rejectsWith(pay.putPromo({ code: 'bad code', bonusCredits: 1 }), 'VG_EINVAL',
        vidgo.InvalidArgument);
      await rejectsArguments([
        [() => pay.putPromo(null), TypeError],
        [() => pay.putPromo('CODE'), TypeError],
        [() => pay.putPromo({ bonusCredits: 1 }), TypeError],
        [() => pay.putPromo({ code: 'X'.repeat(40), bonusCredits: 1 }), RangeError],
        [() => pay.putPromo({ code: 'X', bonusCredits: '1' }), TypeError],
        [() => pay.putPromo({ code: 'X', bonusCredits: 1, active: 'yes' }), TypeError],
        [() => pay.putPromo({ code: 'X', bonusCredits: 1, validFrom: 'tomorrow' }), TypeError],
        [() => pay.putPromo({ code: 'X', bonusCredits: 1, plans: 'p'.repeat(200) }), RangeError],
        [() => pay.redeemPromo(demo, 'PROS'), TypeError],
        [() => pay.redeemPromo(demo, 'PROS', 'key'), TypeError],
        [() => pay.promo(), TypeError],
      ]);
      await rejectsWith(pay.promo('X'), 'VG_EPROMO_INVALID', vidgo.PromoInvalid); // not created
      await h.assertInvariants(engine);
    });

    // ---- figures -------------------------------------------------------------------------------

    test('admin figures add up what happened', async (t) => {
      const engine = await withEngine(t, backend);
      const pay = engine.payments;
      const empty = await pay.adminStats();
      assert.deepEqual(empty.revenue, []);
      assert.equal(empty.creditsGranted, 0);
      const a = await addUser(engine);
      await addUser(engine, 'pro');
      const o1 = await pay.createOrder(a, 'credits_50', { key: 'f-1' });
      const o2 = await pay.createOrder(a, 'credits_120', { key: 'f-2', provider: 'paddle' });
      await pay.createOrder(a, 'credits_120', { key: 'f-3' }); // unpaid: not revenue
      await pay.simulatePaid(o1.id);
      await pay.simulatePaid(o2.id);
      const s = await pay.adminStats();
      assert.equal(s.usersByPlan.demo, 1);
      assert.equal(s.usersByPlan.pro, 1);
      assert.equal(s.creditsGranted, 170);
      assert.deepEqual(s.revenue.find((r) => r.currency === 'TWD'),
        { currency: 'TWD', amountMinor: o1.amountMinor, orders: 1 });
      assert.deepEqual(s.revenue.find((r) => r.currency === 'USD'),
        { currency: 'USD', amountMinor: o2.amountMinor, orders: 1 });
      for (const key of ['activeSubscriptions', 'apiCostMicroUsd', 'cacheSavedMicroUsd',
        'cacheHits']) {
        assert.equal(typeof s[key], 'number', key);
      }
      assert.ok(Array.isArray(s.spent));
      await rejectsWith(native.admin_stats_get(engine._ctx, 99), 'VG_EVERSION',
        vidgo.VersionError);
      await h.assertInvariants(engine);
    });

    test('a closed engine refuses every call with ClosedError', async (t) => {
      const engine = await withEngine(t, backend);
      engine.close();
      const pay = engine.payments;
      for (const call of [() => pay.order(1), () => pay.adminStats(),
        () => pay.createOrder(1, 'credits_50', { key: 'k' })]) {
        await assert.rejects(call(), vidgo.ClosedError);
      }
      assert.throws(() => pay.paddleVerify('ts=1;h1=00', '{}'), vidgo.ClosedError);
      // pure functions need no engine
      assert.match(pay.checkMac([['a', 'b']], HASH_KEY, HASH_IV), /^[0-9A-F]{64}$/);
    });
  });
}
