# SPDX-License-Identifier: MIT
"""The payment commands through the program: orders paid in the sandbox, ECPay's callback
and Paddle's webhook read from stdin (signed here, in Python, as the providers sign them),
subscriptions on a fixed clock, promotion codes, the administrators' figures, no secret in
any output, and usage errors. After each scenario `vidgo check` finds nothing wrong."""
import calendar
import hashlib
import hmac
import json
import os
import subprocess
import time
import urllib.parse

import pytest

# ECPay's public stage merchant (../shared/docs/providers.md §6.4).
STAGE_ID, STAGE_KEY, STAGE_IV = "3002607", "pwFHCqoQZGmho4w6", "EkRm7iFT261dpevs"
PADDLE_SECRET = "pdl_ntfset_01cli_test_secret_do_not_print"
SANDBOX_PADDLE_SECRET = "pdl_ntfset_vidgo_sandbox_only"  # the library's own sandbox secret
SECRETS = [STAGE_KEY, STAGE_IV, PADDLE_SECRET, SANDBOX_PADDLE_SECRET]

NO_PAYMENTS = {"ECPAY_MERCHANT_ID": "", "ECPAY_HASH_KEY": "", "ECPAY_HASH_IV": "",
               "ECPAY_STAGE": "", "PADDLE_WEBHOOK_SECRET": "", "VIDGO_PAYMENTS_SANDBOX": ""}
SANDBOX = {"VIDGO_PAYMENTS_SANDBOX": "1"}
STAGE = {"ECPAY_MERCHANT_ID": STAGE_ID, "ECPAY_HASH_KEY": STAGE_KEY,
         "ECPAY_HASH_IV": STAGE_IV, "ECPAY_STAGE": "1", "PADDLE_WEBHOOK_SECRET": PADDLE_SECRET}

WEDNESDAY = "2026-11-25T10:00:00Z"


# --- ECPay's CheckMacValue and Paddle's signature, written from the providers' documents ----

def dotnet_urlencode(text):
    """HttpUtility.UrlEncode on the UTF-8 bytes, hex in lower case (§6.3 step 5)."""
    out = []
    for byte in text.encode("utf-8"):
        c = chr(byte)
        if c.isascii() and (c.isalnum() or c in "-_.!*()"):
            out.append(c)
        elif c == " ":
            out.append("+")
        else:
            out.append("%%%02x" % byte)
    return "".join(out)


def check_mac(fields, key=STAGE_KEY, iv=STAGE_IV):
    """ECPay's CheckMacValue (SHA-256) of (name, value) pairs, CheckMacValue left out."""
    pairs = sorted((f for f in fields if f[0] != "CheckMacValue"), key=lambda f: f[0].lower())
    joined = "&".join("%s=%s" % (n, v) for n, v in pairs)
    text = dotnet_urlencode("HashKey=%s&%s&HashIV=%s" % (key, joined, iv)).lower()
    return hashlib.sha256(text.encode("ascii")).hexdigest().upper()


def ecpay_body(number, amount, rtn_code="1", key=STAGE_KEY, iv=STAGE_IV, merchant=STAGE_ID):
    """A payment-result callback as ECPay posts it (§6.5), signed with key and iv."""
    fields = [("MerchantID", merchant), ("MerchantTradeNo", number), ("StoreID", ""),
              ("RtnCode", rtn_code), ("RtnMsg", "交易成功 Succeeded"),
              ("TradeNo", "2311251000000123"), ("TradeAmt", str(amount)),
              ("PaymentDate", "2026/11/25 18:00:05"), ("PaymentType", "Credit_CreditCard"),
              ("PaymentTypeChargeFee", "3"), ("TradeDate", "2026/11/25 17:59:40"),
              ("SimulatePaid", "0"), ("CustomField1", "a&b=c ~/:@'")]
    fields.append(("CheckMacValue", check_mac(fields, key, iv)))
    return urllib.parse.urlencode(fields).encode("ascii")


def paddle_signature(body, ts, secret=PADDLE_SECRET):
    mac = hmac.new(secret.encode(), str(ts).encode() + b":" + body, hashlib.sha256)
    return "ts=%d;h1=%s" % (ts, mac.hexdigest())


def paddle_body(event_id, number, total, currency="USD"):
    """A transaction.completed event; raw bytes with non-ASCII text and a final newline."""
    event = {"event_id": event_id, "event_type": "transaction.completed",
             "occurred_at": "2026-11-25T10:00:00.000000Z", "notification_id": "ntf_cli",
             "data": {"id": "txn_" + event_id, "status": "completed",
                      "currency_code": currency, "details": {"totals": {"total": str(total)}},
                      "custom_data": {"vidgo_order": number, "note": "感謝 ✓"}}}
    return json.dumps(event, ensure_ascii=False, indent=1).encode("utf-8") + b"\r\n"


def epoch(rfc3339):
    return calendar.timegm(time.strptime(rfc3339, "%Y-%m-%dT%H:%M:%SZ"))


# --- running the program ------------------------------------------------------------------

class Payments:
    """Runs `vidgo` with the payment settings of a test (NO_PAYMENTS, then env), and
    remembers every output so that none can be shown to hold a secret."""

    def __init__(self, vidgo):
        self.vidgo = vidgo
        self.outputs = []

    def run(self, *args, env=None, body=None):
        full = dict(NO_PAYMENTS, **(env or {}))
        if body is None:
            done = self.vidgo.run(*args, env=full, input="")
        else:  # the raw bytes, as the provider sent them
            environ = dict(os.environ, VIDGO_SECRET="00" * 32, **full)
            environ.pop("VIDGO_DB", None)
            done = subprocess.run([self.vidgo.binary, *args], cwd=self.vidgo.cwd, env=environ,
                                  input=body, capture_output=True, timeout=60)
            done = subprocess.CompletedProcess(done.args, done.returncode,
                                               done.stdout.decode("utf-8"),
                                               done.stderr.decode("utf-8"))
        self.outputs.append((args, done.stdout, done.stderr))
        return done

    def json(self, *args, expect=0, env=None, body=None):
        done = self.run("--json", *args, env=env, body=body)
        assert done.returncode == expect, (args, done.returncode, done.stdout, done.stderr)
        return json.loads(done.stdout)

    def balance(self, email, now=None):
        return self.json(*(["--now", now] if now else []), "credits", "balance", email)

    def order(self, ref):
        return self.json("order", "show", str(ref))


@pytest.fixture
def pay(vidgo):
    pay = Payments(vidgo)
    yield pay
    done = vidgo.run("check")  # every scenario leaves a store that verifies
    assert done.returncode == 0, (done.stdout, done.stderr)
    for args, stdout, stderr in pay.outputs:
        for secret in SECRETS:
            assert secret not in stdout and secret not in stderr, (args, secret)


def add_user(pay, email, plan="starter", now=WEDNESDAY):
    return pay.json("--now", now, "user", "add", email, "--plan", plan)


# --- the test vector first ----------------------------------------------------------------

def test_check_mac_reproduces_ecpays_published_example():
    fields = [("MerchantID", "3002607"), ("MerchantTradeNo", "ecpay20230312153023"),
              ("MerchantTradeDate", "2023/03/12 15:30:23"), ("PaymentType", "aio"),
              ("TotalAmount", "30000"), ("TradeDesc", "促銷方案"),
              ("ItemName", "Apple iphone 15"),
              ("ReturnURL", "https://www.ecpay.com.tw/receive.php"), ("ChoosePayment", "ALL"),
              ("EncryptType", "1")]
    assert check_mac(fields) == "6C51C9E6888DE861FD62FB1DD17029FC742634498FD813DC43D4243B5685B840"


# --- orders in the sandbox ------------------------------------------------------------------

def test_sandbox_package_order_is_fulfilled_once(pay):
    add_user(pay, "ana@example.com", plan="pro")
    offer = {p["name"]: p for p in pay.json("pricing", "--plan", "pro")["packages"]}["credits_50"]
    order = pay.json("order", "create", "--user", "ana@example.com", "--package", "credits_50",
                     "--provider", "ecpay", "--key", "k1")
    assert (order["state"], order["kind"], order["item"]) == ("created", "package", "credits_50")
    assert (order["amount_minor"], order["currency"]) == (offer["price_twd"], "TWD")
    assert order["amount"] == "%d TWD" % offer["price_twd"] and order["discount_pct"] == 10
    assert order["number"].startswith("VG") and len(order["number"]) <= 20
    again = pay.json("order", "create", "--user", "ana@example.com", "--package", "credits_50",
                     "--provider", "ecpay", "--key", "k1")
    assert again["id"] == order["id"]  # the same key: the same order
    text = pay.run("order", "show", order["number"])
    assert text.returncode == 0 and order["number"] in text.stdout
    assert "%d TWD" % offer["price_twd"] in text.stdout and "created" in text.stdout
    before = pay.balance("ana@example.com")

    paid = pay.json("order", "simulate-paid", str(order["id"]), env=SANDBOX)
    assert paid["state"] == "fulfilled" and paid["paid_at"] and paid["fulfilled_at"]
    after = pay.balance("ana@example.com")
    assert after["purchased"] == before["purchased"] + 50
    assert after["total"] == before["total"] + 50
    pay.json("order", "simulate-paid", order["number"], env=SANDBOX)  # paid again: nothing more
    assert pay.balance("ana@example.com") == after
    listed = pay.json("order", "list", "--user", "ana@example.com")
    assert [o["id"] for o in listed] == [order["id"]] and listed[0]["state"] == "fulfilled"


def test_simulate_paid_is_refused_outside_the_sandbox(pay):
    add_user(pay, "bo@example.com")
    order = pay.json("order", "create", "--user", "bo@example.com", "--package", "credits_20",
                     "--provider", "paddle")
    assert (order["currency"], order["amount"]) == ("USD", "3.49 USD")
    err = pay.json("order", "simulate-paid", str(order["id"]), expect=1)
    assert err["error"]["name"] == "VG_EUNSUPPORTED" and "sandbox" in err["error"]["message"]
    text = pay.run("order", "simulate-paid", str(order["id"]))
    assert text.returncode == 1 and "sandbox" in text.stderr
    assert pay.order(order["id"])["state"] == "created"
    assert pay.balance("bo@example.com")["purchased"] == 0


def test_orders_of_unknown_things_are_refused(pay):
    add_user(pay, "cy@example.com")
    base = ["order", "create", "--user", "cy@example.com", "--provider"]
    assert pay.json(*base, "ecpay", "--package", "credits_7",
                    expect=1)["error"]["name"] == "VG_ESERVICE_UNKNOWN"
    assert pay.json(*base, "ecpay", "--plan", "demo",
                    expect=1)["error"]["name"] == "VG_EPLAN_UNKNOWN"
    assert pay.json(*base, "ecpay", "--plan", "pro", "--currency", "USD",
                    expect=1)["error"]["name"] == "VG_ECURRENCY"
    assert pay.json("order", "create", "--user", "nobody@example.com", "--plan", "pro",
                    "--provider", "ecpay", expect=1)["error"]["name"] == "VG_ENOTFOUND"
    assert pay.json("order", "show", "424242", expect=1)["error"]["name"] == "VG_ENOTFOUND"
    assert pay.json("order", "list") == []


# --- subscriptions on a fixed clock -------------------------------------------------------

def test_subscribe_in_the_sandbox_changes_the_plan_and_cancel_waits_for_the_period_end(pay):
    add_user(pay, "dee@example.com", plan="demo")
    doc = pay.json("--now", WEDNESDAY, "plan", "subscribe", "dee@example.com", "pro",
                   "--provider", "ecpay", env=SANDBOX)
    assert doc["sandbox_paid"] is True and doc["order"]["state"] == "fulfilled"
    sub = doc["subscription"]
    assert (sub["plan"], sub["state"], sub["user_plan"]) == ("pro", "active", "pro")
    assert (sub["period_start"], sub["period_end"]) == (WEDNESDAY, "2026-12-25T10:00:00Z")
    assert pay.balance("dee@example.com", now=WEDNESDAY)["plan"] == "pro"
    text = pay.run("--now", WEDNESDAY, "plan", "show", "dee@example.com")
    assert text.returncode == 0 and "active" in text.stdout

    cancelled = pay.json("--now", "2026-11-26T09:00:00Z", "plan", "cancel", "dee@example.com")
    assert (cancelled["state"], cancelled["user_plan"]) == ("canceled", "pro")
    later = pay.json("--now", "2026-12-24T09:00:00Z", "plan", "show", "dee@example.com")
    assert (later["state"], later["plan"], later["user_plan"]) == ("canceled", "pro", "pro")
    again = pay.json("--now", "2026-12-24T09:00:00Z", "plan", "cancel", "dee@example.com",
                     expect=1)
    assert again["error"]["name"] == "VG_ESTATE"

    ended = pay.json("--now", "2026-12-25T10:00:01Z", "plan", "show", "dee@example.com")
    assert (ended["state"], ended["user_plan"]) == ("expired", "demo")
    text = pay.run("--now", "2026-12-25T10:00:01Z", "plan", "show", "dee@example.com")
    assert text.returncode == 0 and "expired" in text.stdout and "demo" in text.stdout
    assert pay.balance("dee@example.com", now="2026-12-25T10:00:01Z")["plan"] == "demo"


def test_subscribe_outside_the_sandbox_leaves_the_order_to_be_paid(pay):
    add_user(pay, "eve@example.com", plan="demo")
    doc = pay.json("plan", "subscribe", "eve@example.com", "starter", "--provider", "ecpay")
    assert doc["sandbox_paid"] is False and doc["order"]["state"] == "created"
    assert "subscription" not in doc
    assert pay.json("plan", "show", "eve@example.com")["state"] == "none"
    text = pay.run("plan", "subscribe", "eve@example.com", "starter", "--provider", "ecpay")
    assert text.returncode == 0 and "not paid yet" in text.stdout


def test_downgrade_waits_and_a_refunded_month_ends_now(pay):
    add_user(pay, "fay@example.com", plan="demo")
    doc = pay.json("--now", WEDNESDAY, "plan", "subscribe", "fay@example.com", "pro_plus",
                   "--provider", "paddle", env=SANDBOX)
    assert doc["order"]["currency"] == "USD" and doc["subscription"]["user_plan"] == "pro_plus"
    down = pay.json("--now", WEDNESDAY, "plan", "change", "fay@example.com", "starter")
    assert (down["plan"], down["next_plan"], down["user_plan"]) == ("pro_plus", "starter",
                                                                      "pro_plus")
    up = pay.json("--now", WEDNESDAY, "plan", "change", "fay@example.com", "pro_plus", expect=1)
    assert up["error"]["name"] == "VG_EORDER_STATE"  # an upgrade is bought with an order
    refunded = pay.json("--now", "2026-11-26T10:00:00Z", "order", "refund",
                        str(doc["order"]["id"]), "--reason", "asked within a day")
    assert refunded["state"] == "refunded"
    sub = pay.json("--now", "2026-11-26T10:00:00Z", "plan", "show", "fay@example.com")
    assert (sub["state"], sub["user_plan"]) == ("expired", "demo")


# --- ECPay's callback on stdin --------------------------------------------------------------

def pending_ecpay_order(pay, email, package="credits_20"):
    order = pay.json("order", "create", "--user", email, "--package", package,
                     "--provider", "ecpay")
    form = pay.json("ecpay", "form", str(order["id"]), "--return-url",
                    "https://vidgo.test/pay/ecpay", env=STAGE)
    assert form["action"] == "https://payment-stage.ecpay.com.tw/Cashier/AioCheckOut/V5"
    fields = form["fields"]
    assert fields["MerchantTradeNo"] == order["number"]
    assert fields["TotalAmount"] == str(order["amount_minor"]) and fields["EncryptType"] == "1"
    assert fields["CheckMacValue"] == check_mac(list(fields.items()))  # signed as we sign
    assert pay.order(order["id"])["state"] == "pending"
    return order


def test_ecpay_callback_from_stdin_fulfils_the_order_once(pay):
    add_user(pay, "gus@example.com")
    order = pending_ecpay_order(pay, "gus@example.com")
    body = ecpay_body(order["number"], order["amount_minor"])
    before = pay.balance("gus@example.com")
    for _ in range(5):
        done = pay.run("ecpay", "callback", env=STAGE, body=body)
        assert (done.returncode, done.stdout) == (0, "1|OK"), done.stderr
    paid = pay.order(order["id"])
    assert paid["state"] == "fulfilled" and paid["provider_ref"] == "2311251000000123"
    after = pay.balance("gus@example.com")
    assert after["purchased"] == before["purchased"] + 20
    grants = [r for r in pay.json("credits", "history", "gus@example.com")
              if r["reference"] == "order:" + order["number"]]
    assert len(grants) == 1
    doc = pay.json("ecpay", "callback", env=STAGE, body=body)
    assert (doc["reply"], doc["accepted"], doc["order"]["state"]) == ("1|OK", True, "fulfilled")


def test_a_tampered_or_forged_ecpay_callback_is_refused_and_changes_nothing(pay):
    add_user(pay, "hal@example.com")
    order = pending_ecpay_order(pay, "hal@example.com")
    body = ecpay_body(order["number"], order["amount_minor"])
    tampered = body.replace(b"TradeAmt=%d" % order["amount_minor"], b"TradeAmt=1")
    assert tampered != body
    wrong_key = ecpay_body(order["number"], order["amount_minor"], key="5294y06JbISpM5x9")
    wrong_amount = ecpay_body(order["number"], 1)  # signed, but not what the order costs
    before = pay.balance("hal@example.com")
    for forged, reply in ((tampered, "0|CheckMacValue Error"),
                          (wrong_key, "0|CheckMacValue Error"),
                          (wrong_amount, "0|Amount Error")):
        done = pay.run("ecpay", "callback", env=STAGE, body=forged)
        assert (done.returncode, done.stdout) == (1, reply), done.stderr
        assert "refused" in done.stderr
    doc = pay.json("ecpay", "callback", env=STAGE, body=tampered, expect=1)
    assert (doc["reply"], doc["accepted"]) == ("0|CheckMacValue Error", False)
    assert doc["error"]["name"] == "VG_ESIGNATURE"
    garbage = pay.run("ecpay", "callback", env=STAGE, body=b"%zz=1")
    assert garbage.returncode == 1 and garbage.stdout.startswith("0|")
    assert pay.order(order["id"])["state"] == "pending"
    assert pay.balance("hal@example.com") == before


def test_ecpay_form_as_html_escapes_every_value(pay):
    add_user(pay, "ivy@example.com")
    order = pay.json("order", "create", "--user", "ivy@example.com", "--plan", "starter",
                     "--provider", "ecpay")
    url = "https://vidgo.test/back?a=1&b='x'<\"y\">"
    done = pay.run("ecpay", "form", order["number"], "--return-url", "https://vidgo.test/r",
                   "--client-back-url", url, "--payment", "Credit", "--html", env=STAGE)
    assert done.returncode == 0, done.stderr
    page = done.stdout
    assert "document.forms[0].submit()" in page
    assert 'value="https://vidgo.test/back?a=1&amp;b=&#39;x&#39;&lt;&quot;y&quot;&gt;"' in page
    assert '<input type="hidden" name="ChoosePayment" value="Credit">' in page
    assert url not in page and page.count("<input") == 12
    text = pay.run("ecpay", "form", str(order["id"]), "--return-url", "https://vidgo.test/r",
                   env=STAGE)
    assert text.returncode == 0 and text.stdout.startswith("POST https://payment-stage")
    unset = pay.json("ecpay", "form", str(order["id"]), "--return-url", "https://vidgo.test/r",
                     expect=2)
    assert unset["error"]["name"] == "VG_ECONFIG"


# --- Paddle's webhook on stdin --------------------------------------------------------------

def test_paddle_webhook_from_stdin_processes_each_event_once(pay):
    add_user(pay, "jo@example.com")
    order = pay.json("order", "create", "--user", "jo@example.com", "--package", "credits_50",
                     "--provider", "paddle")
    ts = epoch(WEDNESDAY)
    body = paddle_body("evt_01cli", order["number"], order["amount_minor"])
    signature = paddle_signature(body, ts)
    before = pay.balance("jo@example.com")
    doc = pay.json("--now", WEDNESDAY, "paddle", "webhook", "--signature", signature,
                   env=STAGE, body=body)
    assert (doc["event_id"], doc["event_type"]) == ("evt_01cli", "transaction.completed")
    assert (doc["duplicate"], doc["ignored"], doc["order_id"]) == (False, False, order["id"])
    assert doc["order"]["state"] == "fulfilled"
    paid = pay.balance("jo@example.com")
    assert paid["purchased"] == before["purchased"] + 50

    again = pay.json("--now", "2026-11-25T10:00:03Z", "paddle", "webhook", "--header",
                     "Paddle-Signature: " + signature, env=STAGE, body=body)
    assert again["duplicate"] is True
    text = pay.run("--now", WEDNESDAY, "paddle", "webhook", "--header",
                   "paddle-signature:" + signature, env=STAGE, body=body)
    assert text.returncode == 0 and "duplicate" in text.stdout
    other = paddle_body("evt_02cli", order["number"], order["amount_minor"])  # a redelivery
    doc = pay.json("--now", WEDNESDAY, "paddle", "webhook", "--signature",
                   paddle_signature(other, ts), env=STAGE, body=other)
    assert doc["duplicate"] is False and doc["order_id"] == order["id"]
    assert pay.balance("jo@example.com") == paid


def test_a_stale_tampered_or_wrongly_signed_paddle_webhook_is_refused(pay):
    add_user(pay, "kai@example.com")
    order = pay.json("order", "create", "--user", "kai@example.com", "--package", "credits_20",
                     "--provider", "paddle")
    body = paddle_body("evt_03cli", order["number"], order["amount_minor"])
    ts = epoch(WEDNESDAY)
    cases = [(paddle_signature(body, ts - 60), body, "VG_EREPLAY"),
             (paddle_signature(body, ts), body.replace(b"\r\n", b"\n"), "VG_ESIGNATURE"),
             (paddle_signature(body, ts, secret="pdl_ntfset_other"), body, "VG_ESIGNATURE"),
             ("ts=%d;h2=00" % ts, body, "VG_EINVAL")]
    for signature, sent, name in cases:
        err = pay.json("--now", WEDNESDAY, "paddle", "webhook", "--signature", signature,
                       env=STAGE, body=sent, expect=1)
        assert err["error"]["name"] == name
    text = pay.run("--now", WEDNESDAY, "paddle", "webhook", "--signature",
                   paddle_signature(body, ts - 60), env=STAGE, body=body)
    assert text.returncode == 1 and text.stdout == "" and "refused" in text.stderr
    assert pay.order(order["id"])["state"] == "created"
    assert pay.balance("kai@example.com")["purchased"] == 0


# --- promotions and the figures -------------------------------------------------------------

def test_promo_create_redeem_and_redeem_again(pay):
    add_user(pay, "lee@example.com")
    add_user(pay, "max@example.com", plan="demo")
    promo = pay.json("promo", "create", "spring-26", "--credits", "15", "--ttl-days", "30",
                     "--max", "10", "--plans", "starter pro")
    assert (promo["code"], promo["bonus_credits"], promo["active"]) == ("SPRING-26", 15, True)
    assert (promo["max_redemptions"], promo["plans"], promo["redeemed"]) == (10, "starter pro", 0)
    text = pay.run("promo", "show", "Spring-26")
    assert text.returncode == 0 and "15 bonus credits" in text.stdout

    first = pay.json("promo", "redeem", "lee@example.com", "SPRING-26", "--key", "r1")
    assert (first["code"], first["bonus_credits"], first["balance"]["bonus"]) == ("SPRING-26",
                                                                                   15, 15)
    assert pay.json("promo", "redeem", "lee@example.com", "spring-26", "--key", "r1") == first
    used = pay.json("promo", "redeem", "lee@example.com", "SPRING-26", expect=1)
    assert used["error"]["name"] == "VG_EPROMO_USED"
    assert pay.balance("lee@example.com")["bonus"] == 15
    low = pay.json("promo", "redeem", "max@example.com", "SPRING-26", expect=1)
    assert low["error"]["name"] == "VG_EPLAN_TOO_LOW"
    assert pay.json("promo", "show", "SPRING-26")["redeemed"] == 1

    pay.json("promo", "create", "LATER", "--credits", "5", "--from", "2026-12-01T00:00:00Z")
    assert pay.json("--now", WEDNESDAY, "promo", "redeem", "lee@example.com", "LATER",
                    expect=1)["error"]["name"] == "VG_EPROMO_EXPIRED"
    pay.json("promo", "create", "OFF", "--credits", "5", "--inactive")
    assert pay.json("promo", "redeem", "lee@example.com", "OFF",
                    expect=1)["error"]["name"] == "VG_EPROMO_INVALID"
    assert pay.json("promo", "show", "NOPE", expect=1)["error"]["name"] == "VG_EPROMO_INVALID"


def test_admin_stats_show_the_revenue_and_the_promo_grant(pay):
    add_user(pay, "ned@example.com")
    add_user(pay, "oli@example.com", plan="demo")
    package = pay.json("order", "create", "--user", "ned@example.com", "--package",
                       "credits_50", "--provider", "ecpay")
    pay.json("order", "simulate-paid", str(package["id"]), env=SANDBOX)
    pay.json("plan", "subscribe", "oli@example.com", "pro", "--provider", "paddle",
             env=SANDBOX)
    pay.json("promo", "create", "THANKS", "--credits", "7")
    pay.json("promo", "redeem", "ned@example.com", "THANKS")

    stats = pay.json("admin", "stats")
    revenue = {r["currency"]: r for r in stats["revenue"]}
    assert (revenue["TWD"]["amount_minor"], revenue["TWD"]["orders"]) == (package["amount_minor"], 1)
    assert (revenue["USD"]["amount"], revenue["USD"]["orders"]) == ("19.99 USD", 1)
    assert stats["credits_granted"] == 50 + 7
    assert {p["plan"]: p["users"] for p in stats["users_per_plan"]} == {"starter": 1, "pro": 1}
    assert stats["active_subscriptions"] == 1
    assert stats["credits_spent"] == [] and stats["cache_hits"] == 0
    text = pay.run("admin", "stats")
    assert text.returncode == 0
    assert "19.99 USD" in text.stdout and "%d TWD" % package["amount_minor"] in text.stdout
    assert "credits granted (purchased and bonus) 57" in text.stdout


# --- no secret anywhere, and usage errors ---------------------------------------------------

def test_no_secret_appears_in_help_or_failures(pay):
    add_user(pay, "pia@example.com")
    order = pay.json("order", "create", "--user", "pia@example.com", "--package", "credits_20",
                     "--provider", "ecpay")
    for command in ("order", "ecpay", "paddle", "plan", "promo", "admin"):
        assert pay.run(command, "--help", env=STAGE).returncode == 0
    for json_flag in ([], ["--json"]):
        pay.run(*json_flag, "ecpay", "form", str(order["id"]), "--return-url", "ftp://x",
                env=STAGE)
        pay.run(*json_flag, "ecpay", "callback", env=STAGE,
                body=ecpay_body(order["number"], 5, key="wrong"))
        pay.run(*json_flag, "paddle", "webhook", "--signature", "ts=1;h1=" + "0" * 64,
                env=STAGE, body=b"{}")
        pay.run(*json_flag, "order", "simulate-paid", str(order["id"]), env=STAGE)
    pay.run("--json", "order", "simulate-paid", str(order["id"]), env=SANDBOX)
    # the fixture looks for the secrets in every output above


BAD_USAGE = [
    ["order"], ["order", "frobnicate"], ["order", "show"], ["order", "show", "1", "2"],
    ["order", "create", "--user", "a@example.com", "--provider", "ecpay"],
    ["order", "create", "--user", "a@example.com", "--provider", "ecpay", "--package",
     "credits_20", "--plan", "pro"],
    ["order", "create", "--package", "credits_20", "--provider", "ecpay"],
    ["order", "list", "--limit", "0"], ["order", "list", "--reason", "x"],
    ["order", "refund", "1"], ["order", "list", "--bogus"], ["order", "list", "--user"],
    ["ecpay"], ["ecpay", "form", "1"], ["ecpay", "callback", "extra"],
    ["--json", "ecpay", "form", "1", "--return-url", "https://x.test", "--html"],
    ["paddle", "webhook"], ["paddle", "webhook", "--header", "X-Other: 1"],
    ["paddle", "webhook", "--signature", "ts=1;h1=00", "--header", "Paddle-Signature: x"],
    ["plan", "subscribe", "a@example.com", "pro"], ["plan", "cancel"],
    ["plan", "show", "a@example.com", "--key", "k"],
    ["promo", "create", "X"], ["promo", "create", "X", "--credits", "0"],
    ["promo", "create", "X", "--credits", "5", "--from", "yesterday"],
    ["promo", "create", "A" * 40, "--credits", "5"], ["promo", "redeem", "a@example.com"],
    ["admin"], ["admin", "stats", "extra"], ["admin", "stats", "--user", "x"],
]


@pytest.mark.parametrize("args", BAD_USAGE, ids=" ".join)
def test_bad_usage_exits_2(pay, args):
    pay.json("init")
    done = pay.run(*args)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stdout == "" and "usage: vidgo" in done.stderr
