/* SPDX-License-Identifier: MIT */
/* The payments module's wire formats (lib/payments/payments_wire.h): ECPay's CheckMacValue
 * against ECPay's own published examples (TV-1 SHA-256, TV-3 MD5), MD5 against RFC 1321,
 * form bodies read and written, Paddle-Signature against Paddle's node SDK test (TV-5),
 * HMAC-SHA256 against RFC 4231, Taiwan time and order numbers. Vectors: ../shared/docs/
 * providers.md, "Test vectors"; the extra MACs were computed with an independent Python
 * implementation of §6.3 (hashlib). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "payments/payments_wire.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* A store for the tests that need a context (made in main). */
static char dir[] = "/tmp/vg-payments-wire-XXXXXX";

/* --- ECPay: the official examples ------------------------------------------------------------- */

#define TV1_KEY "pwFHCqoQZGmho4w6"
#define TV1_IV "EkRm7iFT261dpevs"
#define TV1_MAC "6C51C9E6888DE861FD62FB1DD17029FC742634498FD813DC43D4243B5685B840"

static const vg_form_field tv1[] = {
    {"MerchantID", "3002607"},
    {"MerchantTradeNo", "ecpay20230312153023"},
    {"MerchantTradeDate", "2023/03/12 15:30:23"},
    {"PaymentType", "aio"},
    {"TotalAmount", "30000"},
    {"TradeDesc", "\xe4\xbf\x83\xe9\x8a\xb7\xe6\x96\xb9\xe6\xa1\x88"}, /* 促銷方案 */
    {"ItemName", "Apple iphone 15"},
    {"ReturnURL", "https://www.ecpay.com.tw/receive.php"},
    {"ChoosePayment", "ALL"},
    {"EncryptType", "1"},
};

static const char tv1_text[] =
    "hashkey%3dpwfhcqoqzgmho4w6%26choosepayment%3dall%26encrypttype%3d1%26itemname%3dapple+"
    "iphone+15%26merchantid%3d3002607%26merchanttradedate%3d2023%2f03%2f12+15%3a30%3a23%"
    "26merchanttradeno%3decpay20230312153023%26paymenttype%3daio%26returnurl%3dhttps%3a%2f%"
    "2fwww.ecpay.com.tw%2freceive.php%26totalamount%3d30000%26tradedesc%3d%e4%bf%83%e9%8a%b7%"
    "e6%96%b9%e6%a1%88%26hashiv%3dekrm7ift261dpevs";

#define TV3_KEY "ejCk326UnaZWKisg"
#define TV3_IV "q9jcZX8Ib9LM8wYk"
#define TV3_MAC "50A276E71DAE26343013958B405EEEA0"

static const vg_form_field tv3[] = {
    {"RtnCode", "1"},
    {"RtnMsg", ""},
    {"IA_Allow_No", "1909181313013546"},
    {"IA_Invoice_No", "UV11100019"},
    {"IA_Date", "2019-09-18 13:13:23"},
    {"IIS_Remain_Allowance_Amt", "0"},
};

static const char tv3_text[] =
    "hashkey%3dejck326unazwkisg%26ia_allow_no%3d1909181313013546%26ia_date%3d2019-09-18+13%"
    "3a13%3a23%26ia_invoice_no%3duv11100019%26iis_remain_allowance_amt%3d0%26rtncode%3d1%"
    "26rtnmsg%3d%26hashiv%3dq9jczx8ib9lm8wyk";

static void mac_ok(char out[65], const vg_form_field *fields, size_t count, const char *key,
                   const char *iv, int sha256)
{
    int rc = vg_ecpay_check_mac(out, fields, count, key, iv, sha256);
    if (rc != VG_OK)
        fail_msg("vg_ecpay_check_mac: %s: %s", vg_error_name(rc), vg_error_last());
}

static void text_equals(const char *want, const vg_form_field *fields, size_t count,
                        const char *key, const char *iv)
{
    char text[2048];
    size_t len = 0;
    int rc = vg__ecpay_mac_text(text, sizeof text, &len, fields, count, key, iv);
    if (rc != VG_OK)
        fail_msg("vg__ecpay_mac_text: %s: %s", vg_error_name(rc), vg_error_last());
    assert_string_equal(text, want);
    assert_int_equal(len, strlen(want));
}

static void test_tv1_encoded_text_is_ecpays_step_6(void **state)
{
    (void)state;
    text_equals(tv1_text, tv1, N(tv1), TV1_KEY, TV1_IV);
}

static void test_tv1_check_mac_is_ecpays_value(void **state)
{
    char mac[65];
    (void)state;
    mac_ok(mac, tv1, N(tv1), TV1_KEY, TV1_IV, 1);
    assert_string_equal(mac, TV1_MAC);
}

static void test_tv1_input_order_does_not_matter(void **state)
{
    vg_form_field reversed[N(tv1)];
    char mac[65];
    size_t i;
    (void)state;
    for (i = 0; i < N(tv1); i++)
        reversed[i] = tv1[N(tv1) - 1 - i];
    mac_ok(mac, reversed, N(reversed), TV1_KEY, TV1_IV, 1);
    assert_string_equal(mac, TV1_MAC);
}

static void test_check_mac_value_field_is_left_out_whatever_its_case(void **state)
{
    vg_form_field with[N(tv1) + 1];
    const char *names[] = {"CheckMacValue", "checkmacvalue", "CHECKMACVALUE"};
    char mac[65];
    size_t i;
    (void)state;
    for (i = 0; i < N(names); i++) {
        memcpy(with, tv1, sizeof tv1);
        with[N(tv1)].name = names[i];
        with[N(tv1)].value = "0000";
        mac_ok(mac, with, N(with), TV1_KEY, TV1_IV, 1);
        assert_string_equal(mac, TV1_MAC);
        /* its value is not read at all */
        with[N(tv1)].value = NULL;
        mac_ok(mac, with, N(with), TV1_KEY, TV1_IV, 1);
        assert_string_equal(mac, TV1_MAC);
    }
}

static void test_tv3_md5_includes_the_empty_rtnmsg(void **state)
{
    char mac[65];
    (void)state;
    text_equals(tv3_text, tv3, N(tv3), TV3_KEY, TV3_IV);
    mac_ok(mac, tv3, N(tv3), TV3_KEY, TV3_IV, 0);
    assert_string_equal(mac, TV3_MAC);
    /* leaving the empty field out gives another MAC */
    mac_ok(mac, tv3 + 2, N(tv3) - 2, TV3_KEY, TV3_IV, 0);
    assert_string_not_equal(mac, TV3_MAC);
}

/* --- ECPay: the sort and the encoding --------------------------------------------------------- */

static void test_sort_ignores_case_like_php_strcasecmp(void **state)
{
    /* case-sensitively 'B' (0x42) < '_' (0x5f); ignoring case '_' < 'b' (0x62) */
    static const vg_form_field f[] = {{"b", "2"}, {"A_B", "3"}, {"AB", "4"}, {"a", "1"}};
    (void)state;
    text_equals("hashkey%3dk%26a%3d1%26a_b%3d3%26ab%3d4%26b%3d2%26hashiv%3di", f, N(f), "K", "I");
}

static void test_names_equal_but_for_case_keep_their_input_order(void **state)
{
    static const vg_form_field f[] = {{"Name", "1"}, {"name", "2"}};
    static const vg_form_field g[] = {{"name", "2"}, {"Name", "1"}};
    char a[65], b[65];
    (void)state;
    text_equals("hashkey%3dk%26name%3d1%26name%3d2%26hashiv%3di", f, N(f), "K", "I");
    text_equals("hashkey%3dk%26name%3d2%26name%3d1%26hashiv%3di", g, N(g), "K", "I");
    mac_ok(a, f, N(f), "K", "I", 1);
    mac_ok(b, g, N(g), "K", "I", 1);
    assert_string_not_equal(a, b);
}

static void test_encoding_is_dotnet_urlencode_lower_cased(void **state)
{
    /* kept: A-Z a-z 0-9 - _ . ! * ( ); space '+'; everything else %xx, '~' included */
    static const vg_form_field f[] = {{"Note", "a b~/:&=@',+%-_.!*()AZ"}};
    (void)state;
    text_equals("hashkey%3dk%26note%3da+b%7e%2f%3a%26%3d%40%27%2c%2b%25-_.!*()az%26hashiv%3di", f,
                N(f), "K", "I");
}

static void test_no_fields_is_just_the_sandwich(void **state)
{
    (void)state;
    text_equals("hashkey%3dk%26hashiv%3di", NULL, 0, "K", "I");
}

static void test_mac_text_reports_the_size_it_needs(void **state)
{
    char small[16];
    size_t len = 0;
    (void)state;
    assert_int_equal(vg__ecpay_mac_text(small, sizeof small, &len, tv1, N(tv1), TV1_KEY, TV1_IV),
                     VG_EBUFSIZE);
    assert_int_equal(len, strlen(tv1_text));
    assert_string_equal(small, "");
    assert_int_equal(vg__ecpay_mac_text(NULL, 0, &len, tv1, N(tv1), TV1_KEY, TV1_IV), VG_EBUFSIZE);
    assert_int_equal(len, strlen(tv1_text));
}

static void test_check_mac_refuses_null_and_bad_utf8(void **state)
{
    vg_form_field f[2] = {{"ItemName", "ok"}, {"TradeDesc", "ok"}};
    char mac[65] = "x";
    (void)state;
    assert_int_equal(vg_ecpay_check_mac(NULL, f, 2, "K", "I", 1), VG_EINVAL);
    assert_int_equal(vg_ecpay_check_mac(mac, NULL, 2, "K", "I", 1), VG_EINVAL);
    assert_string_equal(mac, "");
    assert_int_equal(vg_ecpay_check_mac(mac, f, 2, NULL, "I", 1), VG_EINVAL);
    assert_int_equal(vg_ecpay_check_mac(mac, f, 2, "K", NULL, 1), VG_EINVAL);
    assert_int_equal(vg_ecpay_check_mac(mac, f, 2, "", "I", 1), VG_EINVAL);
    assert_int_equal(vg_ecpay_check_mac(mac, f, 2, "K", "", 1), VG_EINVAL);
    f[1].value = NULL;
    assert_int_equal(vg_ecpay_check_mac(mac, f, 2, "K", "I", 1), VG_EINVAL);
    f[1].value = "ok";
    f[1].name = NULL;
    assert_int_equal(vg_ecpay_check_mac(mac, f, 2, "K", "I", 1), VG_EINVAL);
    f[1].name = "";
    assert_int_equal(vg_ecpay_check_mac(mac, f, 2, "K", "I", 1), VG_EINVAL);
    f[1].name = "TradeDesc";
    f[1].value = "\xe4\xbf"; /* a truncated sequence */
    assert_int_equal(vg_ecpay_check_mac(mac, f, 2, "K", "I", 1), VG_EUTF8);
    f[1].value = "\xc0\xaf"; /* an overlong '/' */
    assert_int_equal(vg_ecpay_check_mac(mac, f, 2, "K", "I", 0), VG_EUTF8);
    f[1].value = "ok";
    f[1].name = "Trade\xff";
    assert_int_equal(vg_ecpay_check_mac(mac, f, 2, "K", "I", 1), VG_EUTF8);
    f[1].name = "TradeDesc";
    assert_int_equal(vg_ecpay_check_mac(mac, f, 2, "K\xed\xa0\x80", "I", 1), VG_EUTF8);
    assert_int_equal(vg_ecpay_check_mac(mac, f, 2, "K", "I", 1), VG_OK);
    assert_int_equal(strlen(mac), 64);
    assert_int_equal(vg_ecpay_check_mac(mac, f, 2, "K", "I", 0), VG_OK);
    assert_int_equal(strlen(mac), 32);
}

static void test_mac_equal_ignores_case_and_wants_whole_hex(void **state)
{
    char lower[65], other[65];
    size_t i;
    (void)state;
    for (i = 0; i < 64; i++)
        lower[i] = (char)(TV1_MAC[i] >= 'A' && TV1_MAC[i] <= 'F' ? TV1_MAC[i] + 32 : TV1_MAC[i]);
    lower[64] = '\0';
    assert_true(vg__ecpay_mac_equal(TV1_MAC, TV1_MAC));
    assert_true(vg__ecpay_mac_equal(TV1_MAC, lower));
    assert_true(vg__ecpay_mac_equal(TV3_MAC, "50a276e71dae26343013958b405eeea0"));
    memcpy(other, TV1_MAC, sizeof other);
    other[63] = other[63] == '0' ? '1' : '0';
    assert_false(vg__ecpay_mac_equal(TV1_MAC, other));
    other[0] = 'G'; /* not hex, even when both say so */
    assert_false(vg__ecpay_mac_equal(other, other));
    assert_false(vg__ecpay_mac_equal(TV1_MAC, TV3_MAC));
    assert_false(vg__ecpay_mac_equal(TV1_MAC, ""));
    assert_false(vg__ecpay_mac_equal("", ""));
    assert_false(vg__ecpay_mac_equal("ABCD", "ABCD"));
    assert_false(vg__ecpay_mac_equal(NULL, TV1_MAC));
    assert_false(vg__ecpay_mac_equal(TV1_MAC, NULL));
    memcpy(other, TV1_MAC, sizeof other);
    other[10] = ' ';
    assert_false(vg__ecpay_mac_equal(other, other));
}

/* --- ECPay: round trips through a form body --------------------------------------------------- */

/* Chinese, '&', '=', '+', '%', '/', '~', spaces, emoji, quotes, an empty value. */
static const vg_form_field shop[] = {
    {"MerchantID", "3002607"},
    {"MerchantTradeNo", "VG0123456789ABCDEFGH"},
    {"MerchantTradeDate", "2024/01/31 23:59:59"},
    {"PaymentType", "aio"},
    {"TotalAmount", "299"},
    {"TradeDesc",
     "VidGo \xe9\xbb\x9e\xe6\x95\xb8 & \xe6\x96\xb9\xe6\xa1\x88 = "
     "\xe5\xa5\xbd+\xe4\xbe\xbf\xe5\xae\x9c 100%"}, /* VidGo 點數 & 方案 = 好+便宜 100% */
    {"ItemName", "\xe5\xbd\xb1\xe7\x89\x87\xe9\xbb\x9e\xe6\x95\xb8 50 \xe9\xbb\x9e#"
                 "\xe5\xb0\x88\xe6\xa5\xad\xe6\x96\xb9\xe6\xa1\x88/\xe6\x9c\x88 ~ "
                 "\xf0\x9f\x8e\xac\xe2\x9c\xa8"}, /* 影片點數 50 點#專業方案/月 ~ 🎬✨ */
    {"ReturnURL", "https://vidgo.example/ecpay/return?a=1&b=2"},
    {"ChoosePayment", "ALL"},
    {"EncryptType", "1"},
    {"CustomField1", "a/b~c!d*e(f)g'h,i@j:k;l$m"},
    {"CustomField2", ""},
};
/* by an independent implementation (Python hashlib, the byte rule of §6.3) */
#define SHOP_MAC "841865BC1347DBBD5B80B20ECD91E809949CAC75B0498FB567D429056DBE4AA8"

/* Encodes fields plus their CheckMacValue as a callback body into body[size]. */
static void signed_body(char *body, size_t size, const vg_form_field *fields, size_t count,
                        char mac[65])
{
    vg_form_field all[32];
    size_t len = 0;
    assert_true(count < N(all));
    memcpy(all, fields, count * sizeof *fields);
    all[count].name = "CheckMacValue";
    all[count].value = mac;
    assert_int_equal(vg__form_encode(body, size, &len, all, count + 1), VG_OK);
    assert_int_equal(len, strlen(body));
}

static void test_round_trip_with_chinese_emoji_and_url_specials(void **state)
{
    char mac[65], again[65], body[4096];
    vg__form form;
    size_t i;
    (void)state;

    mac_ok(mac, shop, N(shop), TV1_KEY, TV1_IV, 1);
    assert_string_equal(mac, SHOP_MAC);
    signed_body(body, sizeof body, shop, N(shop), mac);
    assert_int_equal(vg__form_parse(&form, NULL, body, strlen(body)), VG_OK);
    assert_int_equal(form.count, N(shop) + 1);
    for (i = 0; i < N(shop); i++) {
        assert_string_equal(form.fields[i].name, shop[i].name);
        assert_string_equal(form.fields[i].value, shop[i].value);
    }
    assert_string_equal(vg__form_get(&form, "CheckMacValue"), SHOP_MAC);
    /* recomputed over the parsed form, CheckMacValue among the fields */
    mac_ok(again, form.fields, form.count, TV1_KEY, TV1_IV, 1);
    assert_string_equal(again, mac);
    assert_int_equal(vg__ecpay_form_verify(NULL, &form, TV1_KEY, TV1_IV, 1), VG_OK);
    vg__form_free(&form);
}

static void test_round_trip_of_tv1_through_a_body(void **state)
{
    char body[2048];
    char mac[65] = TV1_MAC;
    vg__form form;
    (void)state;
    signed_body(body, sizeof body, tv1, N(tv1), mac);
    assert_int_equal(vg__form_parse(&form, NULL, body, strlen(body)), VG_OK);
    assert_int_equal(vg__ecpay_form_verify(NULL, &form, TV1_KEY, TV1_IV, 1), VG_OK);
    /* the wrong keys */
    assert_int_equal(vg__ecpay_form_verify(NULL, &form, TV3_KEY, TV3_IV, 1), VG_ESIGNATURE);
    assert_int_equal(vg__ecpay_form_verify(NULL, &form, TV1_KEY, TV1_IV, 0), VG_ESIGNATURE);
    vg__form_free(&form);
}

/* The callback body of shop with field `name` set to value (NULL: left out), plus an extra
 * field when extra_name is not NULL, signed with the original MAC. */
static int verify_altered(const char *name, const char *value, const char *extra_name,
                          const char *extra_value)
{
    vg_form_field f[N(shop) + 1];
    size_t count = 0, i;
    char body[4096];
    char mac[65] = SHOP_MAC;
    vg__form form;
    int rc;

    for (i = 0; i < N(shop); i++) {
        f[count] = shop[i];
        if (name && strcmp(shop[i].name, name) == 0) {
            if (!value)
                continue;
            f[count].value = value;
        }
        count++;
    }
    if (extra_name) {
        f[count].name = extra_name;
        f[count++].value = extra_value;
    }
    signed_body(body, sizeof body, f, count, mac);
    assert_int_equal(vg__form_parse(&form, NULL, body, strlen(body)), VG_OK);
    rc = vg__ecpay_form_verify(NULL, &form, TV1_KEY, TV1_IV, 1);
    vg__form_free(&form);
    return rc;
}

static void test_an_altered_added_or_removed_field_fails_verification(void **state)
{
    (void)state;
    assert_int_equal(verify_altered(NULL, NULL, NULL, NULL), VG_OK);
    assert_int_equal(verify_altered("TotalAmount", "1", NULL, NULL), VG_ESIGNATURE);
    assert_int_equal(verify_altered("TotalAmount", "2990", NULL, NULL), VG_ESIGNATURE);
    assert_int_equal(verify_altered("MerchantID", "3002608", NULL, NULL), VG_ESIGNATURE);
    /* the whole string is lower-cased, so a change of case alone keeps the MAC (ECPay's
     * rule, not ours) */
    assert_int_equal(verify_altered("PaymentType", "AIO", NULL, NULL), VG_OK);
    assert_int_equal(verify_altered("CustomField2", "x", NULL, NULL), VG_ESIGNATURE);
    assert_int_equal(verify_altered("CustomField2", NULL, NULL, NULL), VG_ESIGNATURE);
    assert_int_equal(verify_altered(NULL, NULL, "RtnCode", "1"), VG_ESIGNATURE);
    assert_int_equal(verify_altered(NULL, NULL, "CustomField3", ""), VG_ESIGNATURE);
}

static void test_verification_needs_a_check_mac_value(void **state)
{
    vg__form form;
    char body[4096];
    size_t len;
    char mac[65];
    (void)state;
    assert_int_equal(vg__form_encode(body, sizeof body, &len, shop, N(shop)), VG_OK);
    assert_int_equal(vg__form_parse(&form, NULL, body, len), VG_OK);
    assert_int_equal(vg__ecpay_form_verify(NULL, &form, TV1_KEY, TV1_IV, 1), VG_ESIGNATURE);
    vg__form_free(&form);
    /* a lower-case name is found too */
    strcpy(body, "a=1&checkmacvalue=");
    mac_ok(mac, (vg_form_field[]){{"a", "1"}}, 1, "K", "I", 1);
    strcat(body, mac);
    assert_int_equal(vg__form_parse(&form, NULL, body, strlen(body)), VG_OK);
    assert_int_equal(vg__ecpay_form_verify(NULL, &form, "K", "I", 1), VG_OK);
    vg__form_free(&form);
    /* and a garbage one refused */
    assert_int_equal(vg__form_parse(&form, NULL, "a=1&CheckMacValue=zz", 20), VG_OK);
    assert_int_equal(vg__ecpay_form_verify(NULL, &form, "K", "I", 1), VG_ESIGNATURE);
    vg__form_free(&form);
}

/* --- MD5: RFC 1321 appendix A.5 --------------------------------------------------------------- */

static void md5_hex(char out[33], const void *data, size_t len)
{
    unsigned char digest[16];
    vg__md5 md5;
    vg__md5_init(&md5);
    vg__md5_update(&md5, data, len);
    vg__md5_final(&md5, digest);
    sodium_bin2hex(out, 33, digest, sizeof digest);
}

static void test_md5_rfc1321_test_suite(void **state)
{
    static const char *const suite[][2] = {
        {"", "d41d8cd98f00b204e9800998ecf8427e"},
        {"a", "0cc175b9c0f1b6a831c399e269772661"},
        {"abc", "900150983cd24fb0d6963f7d28e17f72"},
        {"message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
        {"abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"},
        {"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
         "d174ab98d277d9f5a5611c2c9f419d9f"},
        {"1234567890123456789012345678901234567890" /* eight times 1234567890 */
         "1234567890123456789012345678901234567890",
         "57edf4a22be3c955ac49da2e2107b67a"},
    };
    char hex[33];
    size_t i;
    (void)state;
    for (i = 0; i < N(suite); i++) {
        md5_hex(hex, suite[i][0], strlen(suite[i][0]));
        assert_string_equal(hex, suite[i][1]);
    }
}

static void test_md5_in_pieces_equals_md5_whole(void **state)
{
    unsigned char data[300], whole[16], pieces[16];
    vg__md5 md5;
    size_t len, cut;
    (void)state;
    for (len = 0; len < sizeof data; len++)
        data[len] = (unsigned char)(len * 31 + 7);
    /* every length around the 55/56/64-byte padding edges, cut at every point */
    for (len = 50; len <= 130; len++) {
        vg__md5_init(&md5);
        vg__md5_update(&md5, data, len);
        vg__md5_final(&md5, whole);
        for (cut = 0; cut <= len; cut++) {
            vg__md5_init(&md5);
            vg__md5_update(&md5, data, cut);
            vg__md5_update(&md5, data + cut, len - cut);
            vg__md5_final(&md5, pieces);
            assert_memory_equal(whole, pieces, 16);
        }
    }
}

static void test_md5_of_a_million_a(void **state)
{
    static char block[1000];
    unsigned char digest[16];
    char hex[33];
    vg__md5 md5;
    int i;
    (void)state;
    memset(block, 'a', sizeof block);
    vg__md5_init(&md5);
    for (i = 0; i < 1000; i++)
        vg__md5_update(&md5, block, sizeof block);
    vg__md5_final(&md5, digest);
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    assert_string_equal(hex, "7707d6ae4e027c70eea2a935c2296f21");
}

/* --- forms ------------------------------------------------------------------------------------ */

static int parse(vg__form *form, const char *body)
{
    return vg__form_parse(form, NULL, body, strlen(body));
}

static void test_form_decodes_plus_and_percent_escapes(void **state)
{
    vg__form form;
    (void)state;
    assert_int_equal(parse(&form, "a=x+y&b=%E4%BF%83%e9%8a%b7&c=%2B%26%3D%25&d=1+%2B+1"), VG_OK);
    assert_int_equal(form.count, 4);
    assert_string_equal(vg__form_get(&form, "a"), "x y");
    assert_string_equal(vg__form_get(&form, "b"), "\xe4\xbf\x83\xe9\x8a\xb7");
    assert_string_equal(vg__form_get(&form, "c"), "+&=%");
    assert_string_equal(vg__form_get(&form, "d"), "1 + 1");
    vg__form_free(&form);
    /* names are decoded too */
    assert_int_equal(parse(&form, "Custom+Field%31=v"), VG_OK);
    assert_string_equal(form.fields[0].name, "Custom Field1");
    vg__form_free(&form);
}

static void test_form_reads_empty_values_and_names_without_equals(void **state)
{
    vg__form form;
    (void)state;
    assert_int_equal(parse(&form, "RtnMsg=&flag&x=a=b"), VG_OK);
    assert_int_equal(form.count, 3);
    assert_string_equal(vg__form_get(&form, "RtnMsg"), "");
    assert_string_equal(vg__form_get(&form, "flag"), "");
    assert_string_equal(vg__form_get(&form, "x"), "a=b");
    assert_null(vg__form_get(&form, "missing"));
    vg__form_free(&form);
}

static void test_form_skips_empty_pairs(void **state)
{
    vg__form form;
    (void)state;
    assert_int_equal(parse(&form, "&&a=1&&b=2&"), VG_OK);
    assert_int_equal(form.count, 2);
    assert_string_equal(form.fields[0].name, "a");
    assert_string_equal(form.fields[1].name, "b");
    vg__form_free(&form);
    assert_int_equal(vg__form_parse(&form, NULL, NULL, 0), VG_OK);
    assert_int_equal(form.count, 0);
    vg__form_free(&form);
    assert_int_equal(parse(&form, "&"), VG_OK);
    assert_int_equal(form.count, 0);
    vg__form_free(&form);
}

static void test_form_get_is_case_sensitive(void **state)
{
    vg__form form;
    (void)state;
    assert_int_equal(parse(&form, "RtnCode=1"), VG_OK);
    assert_string_equal(vg__form_get(&form, "RtnCode"), "1");
    assert_null(vg__form_get(&form, "rtncode"));
    assert_null(vg__form_get(&form, NULL));
    assert_null(vg__form_get(NULL, "RtnCode"));
    vg__form_free(&form);
}

static void test_form_refuses_a_name_given_twice(void **state)
{
    static const char *const bodies[] = {
        "RtnCode=1&RtnCode=1",
        "RtnCode=0&RtnCode=1",
        "RtnCode=1&rtncode=1",
        "RtnCode=1&Rtn%43ode=1", /* the same name once decoded */
        "a&a",
        "CheckMacValue=A&CHECKMACVALUE=B",
    };
    vg__form form;
    size_t i;
    (void)state;
    for (i = 0; i < N(bodies); i++) {
        assert_int_equal(parse(&form, bodies[i]), VG_EINVAL);
        assert_int_equal(form.count, 0);
        assert_null(form.text);
    }
}

static void test_form_refuses_bad_escapes_and_nul(void **state)
{
    static const char *const bodies[] = {
        "a=%", "a=%4",  "a=%zz", "a=%4g",  "a=%g4", "a=1%",
        "%=1", "a%2=1", "a=%00", "a%00=1", "a=%-1", "a=% 1",
    };
    vg__form form;
    size_t i;
    (void)state;
    for (i = 0; i < N(bodies); i++) {
        if (parse(&form, bodies[i]) != VG_EINVAL)
            fail_msg("accepted \"%s\"", bodies[i]);
    }
    /* a raw NUL inside the length */
    assert_int_equal(vg__form_parse(&form, NULL, "a=1\0b=2", 7), VG_EINVAL);
    /* a NULL body with a length */
    assert_int_equal(vg__form_parse(&form, NULL, NULL, 3), VG_EINVAL);
    assert_int_equal(vg__form_parse(NULL, NULL, "a=1", 3), VG_EINVAL);
}

static void test_form_refuses_an_empty_name(void **state)
{
    vg__form form;
    (void)state;
    assert_int_equal(parse(&form, "=1"), VG_EINVAL);
    assert_int_equal(parse(&form, "a=1&=2"), VG_EINVAL);
    assert_int_equal(parse(&form, "="), VG_EINVAL);
}

static void test_form_refuses_bad_utf8_after_decoding(void **state)
{
    vg__form form;
    (void)state;
    assert_int_equal(parse(&form, "a=%ff"), VG_EUTF8);
    assert_int_equal(parse(&form, "a=%e4%bf"), VG_EUTF8);
    assert_int_equal(parse(&form, "%c0%af=1"), VG_EUTF8);
    assert_int_equal(parse(&form, "a=\xe4\xbf"), VG_EUTF8); /* raw bytes too */
    /* raw UTF-8 is read as it is */
    assert_int_equal(parse(&form, "a=\xe4\xbf\x83"), VG_OK);
    assert_string_equal(vg__form_get(&form, "a"), "\xe4\xbf\x83");
    vg__form_free(&form);
}

static void test_form_holds_at_most_64_fields_and_8_kib(void **state)
{
    static char body[VG__FORM_MAX_BODY + 2];
    vg__form form;
    size_t len = 0;
    int i;
    (void)state;
    for (i = 0; i < VG__FORM_MAX_FIELDS; i++)
        len += (size_t)snprintf(body + len, sizeof body - len, "%sf%d=%d", i ? "&" : "", i, i);
    assert_int_equal(vg__form_parse(&form, NULL, body, len), VG_OK);
    assert_int_equal(form.count, VG__FORM_MAX_FIELDS);
    assert_string_equal(vg__form_get(&form, "f63"), "63");
    vg__form_free(&form);
    len += (size_t)snprintf(body + len, sizeof body - len, "&f64=64");
    assert_int_equal(vg__form_parse(&form, NULL, body, len), VG_EINVAL);

    /* exactly 8 KiB is fine, one byte more is not */
    memset(body, 'v', sizeof body);
    memcpy(body, "a=", 2);
    assert_int_equal(vg__form_parse(&form, NULL, body, VG__FORM_MAX_BODY), VG_OK);
    assert_int_equal(strlen(vg__form_get(&form, "a")), VG__FORM_MAX_BODY - 2);
    vg__form_free(&form);
    assert_int_equal(vg__form_parse(&form, NULL, body, VG__FORM_MAX_BODY + 1), VG_EINVAL);
}

static void test_form_worst_case_decoding_fits(void **state)
{
    /* names without '=' and one-byte pairs: the decoded text is len + 1 at most */
    vg__form form;
    (void)state;
    assert_int_equal(parse(&form, "a&b&c&d&e"), VG_OK);
    assert_int_equal(form.count, 5);
    assert_string_equal(form.fields[4].name, "e");
    vg__form_free(&form);
    assert_int_equal(parse(&form, "a=&b=&c="), VG_OK);
    assert_int_equal(form.count, 3);
    vg__form_free(&form);
    assert_int_equal(parse(&form, "x"), VG_OK);
    assert_string_equal(form.fields[0].name, "x");
    vg__form_free(&form);
}

static int live_blocks;

static void *counting_alloc(void *ptr, size_t size, void *payload)
{
    (void)payload;
    if (size == 0) {
        live_blocks -= ptr != NULL;
        free(ptr);
        return NULL;
    }
    live_blocks += ptr == NULL;
    return realloc(ptr, size);
}

static void test_form_uses_the_contexts_allocator(void **state)
{
    static char path[512];
    vg_config config;
    vg_ctx *ctx = NULL;
    vg__form form;
    int before;
    (void)state;

    vg_config_init(&config, VG_CONFIG_VERSION);
    snprintf(path, sizeof path, "%s/store.db", dir);
    config.store = path;
    config.alloc = counting_alloc;
    assert_int_equal(vg_open(&ctx, &config), VG_OK);
    before = live_blocks;
    assert_int_equal(vg__form_parse(&form, ctx, "a=1&b=2", 7), VG_OK);
    assert_int_equal(live_blocks, before + 1);
    vg__form_free(&form);
    assert_int_equal(live_blocks, before);
    /* a refused body leaves nothing allocated */
    assert_int_equal(vg__form_parse(&form, ctx, "a=1&a=2", 7), VG_EINVAL);
    assert_int_equal(live_blocks, before);
    assert_string_equal(vg_ctx_errmsg(ctx), "form: a field is given twice");
    vg_close(ctx);
    assert_int_equal(live_blocks, 0);
}

static void test_form_free_is_safe_on_empty_and_freed_forms(void **state)
{
    vg__form form;
    (void)state;
    vg__form_free(NULL);
    memset(&form, 0, sizeof form);
    vg__form_free(&form);
    assert_int_equal(parse(&form, "a=1"), VG_OK);
    vg__form_free(&form);
    vg__form_free(&form); /* twice is fine */
    assert_null(form.text);
    assert_int_equal(form.count, 0);
}

static void test_form_encode_reads_back_and_measures(void **state)
{
    static const vg_form_field f[] = {{"a b", "1+1=2 & 50%"},
                                      {"ItemName", "\xe5\xbd\xb1\xe7\x89\x87~\xf0\x9f\x8e\xac"},
                                      {"Empty", ""}};
    char body[256], small[8];
    size_t len = 0, i;
    vg__form form;
    (void)state;
    assert_int_equal(vg__form_encode(body, sizeof body, &len, f, N(f)), VG_OK);
    assert_string_equal(body, "a+b=1%2B1%3D2+%26+50%25&ItemName=%E5%BD%B1%E7%89%87%7E%F0%9F%8E%"
                              "AC&Empty=");
    assert_int_equal(len, strlen(body));
    assert_int_equal(vg__form_parse(&form, NULL, body, len), VG_OK);
    assert_int_equal(form.count, N(f));
    for (i = 0; i < N(f); i++) {
        assert_string_equal(form.fields[i].name, f[i].name);
        assert_string_equal(form.fields[i].value, f[i].value);
    }
    vg__form_free(&form);
    assert_int_equal(vg__form_encode(small, sizeof small, &len, f, N(f)), VG_EBUFSIZE);
    assert_int_equal(len, strlen(body));
    assert_string_equal(small, "");
    assert_int_equal(vg__form_encode(NULL, 0, &len, f, N(f)), VG_EBUFSIZE);
    assert_int_equal(vg__form_encode(body, sizeof body, &len, NULL, 0), VG_OK);
    assert_string_equal(body, "");
    assert_int_equal(vg__form_encode(body, sizeof body, &len, (vg_form_field[]){{"", "x"}}, 1),
                     VG_EINVAL);
    assert_int_equal(vg__form_encode(body, sizeof body, &len, (vg_form_field[]){{"a", "\xff"}}, 1),
                     VG_EUTF8);
}

/* --- HMAC-SHA256: RFC 4231 §4 ----------------------------------------------------------------- */

typedef struct rfc4231_case {
    const unsigned char *key;
    size_t key_len;
    const void *data;
    size_t data_len;
    const char *want;
} rfc4231_case;

static void test_hmac_sha256_rfc4231_vectors(void **state)
{
    static const char t6[] = "Test Using Larger Than Block-Size Key - Hash Key First";
    static const char t7[] = "This is a test using a larger than block-size key and a larger "
                             "than block-size data. The key needs to be hashed before being "
                             "used by the HMAC algorithm.";
    unsigned char k1[20], k3[20], k4[25], k5[20], k6[131], d3[50], d4[50], mac[32];
    char hex[65];
    rfc4231_case v[7];
    size_t i, cut;
    (void)state;

    memset(k1, 0x0b, sizeof k1);
    memset(k3, 0xaa, sizeof k3);
    memset(d3, 0xdd, sizeof d3);
    for (i = 0; i < sizeof k4; i++)
        k4[i] = (unsigned char)(i + 1);
    memset(d4, 0xcd, sizeof d4);
    memset(k5, 0x0c, sizeof k5);
    memset(k6, 0xaa, sizeof k6);
    v[0] = (rfc4231_case){k1, 20, "Hi There", 8,
                          "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"};
    v[1] = (rfc4231_case){(const unsigned char *)"Jefe", 4, "what do ya want for nothing?", 28,
                          "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"};
    v[2] = (rfc4231_case){k3, 20, d3, 50,
                          "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"};
    v[3] = (rfc4231_case){k4, 25, d4, 50,
                          "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"};
    v[4] = (rfc4231_case){k5, 20, "Test With Truncation", 20, "a3b6167473100ee06e0c796c2955552b"};
    v[5] = (rfc4231_case){k6, 131, t6, sizeof t6 - 1,
                          "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"};
    v[6] = (rfc4231_case){k6, 131, t7, sizeof t7 - 1,
                          "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"};
    for (i = 0; i < N(v); i++) {
        /* whole, then cut in two at every point (the parts are concatenated) */
        for (cut = 0; cut <= v[i].data_len; cut += cut ? v[i].data_len : 1) {
            const vg__hmac_part parts[2] = {{v[i].data, cut},
                                            {(const char *)v[i].data + cut, v[i].data_len - cut}};
            vg__hmac_sha256(mac, v[i].key, v[i].key_len, parts, 2);
            sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
            hex[strlen(v[i].want)] = '\0'; /* test case 5 gives the first 128 bits */
            assert_string_equal(hex, v[i].want);
        }
    }
}

/* --- Paddle-Signature: the node SDK's test (TV-5) --------------------------------------------- */

#define TS INT64_C(1698796800) /* 2023-11-01T00:00:00Z */
#define SECRET "VALID_SECRET"
#define BODY1 "{\"data\": [\"1\", \"2\"]}"
#define H1_1 "a300428748dce5c70e4da19bffd60769591ea969c99dea3105d0ec9612cf43f9"
#define HEADER1 "ts=1698796800;h1=" H1_1
#define BODY2 "{\"data\": \"value\"}"
#define H1_2 "28981e941fae76e53db32f3d2a83cb69db41476595e84e1970a1b5d98f62b261"
#define WRONG_H1 "0000000000000000000000000000000000000000000000000000000000000000"

static vg_time fake_now;

static vg_time fake_clock(void *payload)
{
    (void)payload;
    return fake_now;
}

static int ctx_setup(void **state)
{
    static char path[512];
    vg_config config;
    vg_ctx *ctx = NULL;
    int rc;

    vg_config_init(&config, VG_CONFIG_VERSION);
    snprintf(path, sizeof path, "%s/store.db", dir);
    config.store = path;
    config.clock = fake_clock;
    unsetenv("PADDLE_WEBHOOK_SECRET");
    rc = vg_open(&ctx, &config);
    if (rc != VG_OK) {
        fprintf(stderr, "vg_open: %s: %s\n", vg_error_name(rc), vg_error_last());
        return -1;
    }
    fake_now = TS * 1000000;
    *state = ctx;
    return 0;
}

static int ctx_teardown(void **state)
{
    vg_close(*state);
    unsetenv("PADDLE_WEBHOOK_SECRET");
    return 0;
}

static int verify(vg_ctx *ctx, const char *header, const char *body, const char *secret,
                  int tolerance_s)
{
    return vg_paddle_verify(ctx, header, body, body ? strlen(body) : 0, secret, tolerance_s);
}

static void test_paddle_tv5_valid_signature(void **state)
{
    vg_ctx *ctx = *state;
    assert_int_equal(verify(ctx, HEADER1, BODY1, SECRET, 0), VG_OK);
}

static void test_paddle_tv5_tampered_body_fails(void **state)
{
    vg_ctx *ctx = *state;
    assert_int_equal(verify(ctx, HEADER1, "{ \"data\": [ \"1\", \"2\" ]}", SECRET, 0),
                     VG_ESIGNATURE);
    assert_int_equal(verify(ctx, HEADER1, BODY2, SECRET, 0), VG_ESIGNATURE);
    assert_int_equal(verify(ctx, HEADER1, "", SECRET, 0), VG_ESIGNATURE);
    /* the body is the len bytes given, not up to a NUL */
    assert_int_equal(vg_paddle_verify(ctx, HEADER1, BODY1, strlen(BODY1) - 1, SECRET, 0),
                     VG_ESIGNATURE);
}

static void test_paddle_tv5_wrong_secret_fails(void **state)
{
    vg_ctx *ctx = *state;
    assert_int_equal(verify(ctx, HEADER1, BODY1, "INVALID_VALID_SECRET", 0), VG_ESIGNATURE);
    assert_int_equal(verify(ctx, HEADER1, BODY1, "VALID_SECRE", 0), VG_ESIGNATURE);
}

static void test_paddle_tv5_malformed_headers_are_einval(void **state)
{
    static const char *const headers[] = {
        "invalid_header",
        "h1=invalid_header",
        "ts=1234;h2=invalid_header",
        "",
        "ts=1698796800",
        "h1=" H1_1,
        "ts=;h1=" H1_1,
        "ts=abc;h1=" H1_1,
        "ts=-1698796800;h1=" H1_1,
        "ts= 1698796800;h1=" H1_1,
        "ts=1698796800;h1=" H1_1 ";",
        ";ts=1698796800;h1=" H1_1,
        "ts=1698796800;;h1=" H1_1,
        "ts=1698796800;ts=1698796800;h1=" H1_1,
        "ts=1698796800;h1=" H1_1 "0",
        "ts=1698796800;h1=a300428748dce5c70e4da19bffd60769591ea969c99dea3105d0ec9612cf43f",
        "ts=1698796800;h1=g300428748dce5c70e4da19bffd60769591ea969c99dea3105d0ec9612cf43f9",
        "ts=1698796800;h1=" H1_1 ";h1=invalid_header",
        "ts=1698796800;h1=" H1_1 ";garbage",
        "ts=1698796800;=x;h1=" H1_1,
        "ts=1698796800000;h1=" H1_1, /* 13 digits */
        "TS=1698796800;H1=" H1_1,
    };
    vg_ctx *ctx = *state;
    size_t i;
    for (i = 0; i < N(headers); i++)
        if (verify(ctx, headers[i], BODY1, SECRET, 0) != VG_EINVAL)
            fail_msg("not VG_EINVAL: \"%s\"", headers[i]);
    assert_int_equal(verify(ctx, NULL, BODY1, SECRET, 0), VG_EINVAL);
}

static void test_paddle_tv5_several_h1_and_unknown_keys(void **state)
{
    vg_ctx *ctx = *state;
    /* the SDK test's own header */
    assert_int_equal(
        verify(ctx, "ts=1698796800;h1=" H1_2 ";h1=" H1_2 ";h2=RANDOM_HASH", BODY2, SECRET, 0),
        VG_OK);
    /* one of two valid, either order */
    assert_int_equal(verify(ctx, "ts=1698796800;h1=" WRONG_H1 ";h1=" H1_1, BODY1, SECRET, 0),
                     VG_OK);
    assert_int_equal(verify(ctx, "ts=1698796800;h1=" H1_1 ";h1=" WRONG_H1, BODY1, SECRET, 0),
                     VG_OK);
    assert_int_equal(verify(ctx, "ts=1698796800;h1=" WRONG_H1 ";h1=" H1_2, BODY1, SECRET, 0),
                     VG_ESIGNATURE);
    /* entries in any order; upper-case hex */
    assert_int_equal(verify(ctx, "h2=x;h1=" H1_1 ";ts=1698796800", BODY1, SECRET, 0), VG_OK);
    assert_int_equal(
        verify(ctx,
               "ts=1698796800;h1=A300428748DCE5C70E4DA19BFFD60769591EA969C99DEA3105D0EC9612CF43F9",
               BODY1, SECRET, 0),
        VG_OK);
}

static void test_paddle_at_most_eight_h1(void **state)
{
    vg_ctx *ctx = *state;
    char header[VG__PADDLE_HEADER_MAX + 1] = "ts=1698796800";
    int i;
    for (i = 0; i < VG__PADDLE_MAX_H1 - 1; i++)
        strcat(header, ";h1=" WRONG_H1);
    strcat(header, ";h1=" H1_1);
    assert_int_equal(verify(ctx, header, BODY1, SECRET, 0), VG_OK);
    strcat(header, ";h1=" WRONG_H1);
    assert_int_equal(verify(ctx, header, BODY1, SECRET, 0), VG_EINVAL);
}

static void test_paddle_tv5_tolerance(void **state)
{
    vg_ctx *ctx = *state;
    fake_now = (TS + 1) * 1000000;
    assert_int_equal(verify(ctx, HEADER1, BODY1, SECRET, 0), VG_OK);
    fake_now = (TS + 5) * 1000000;
    assert_int_equal(verify(ctx, HEADER1, BODY1, SECRET, 0), VG_OK);
    fake_now = (TS + 5) * 1000000 + 1; /* to the microsecond */
    assert_int_equal(verify(ctx, HEADER1, BODY1, SECRET, 0), VG_EREPLAY);
    fake_now = (TS + 6) * 1000000;
    assert_int_equal(verify(ctx, HEADER1, BODY1, SECRET, 0), VG_EREPLAY);
    /* a tolerance of the caller's */
    assert_int_equal(verify(ctx, HEADER1, BODY1, SECRET, 6), VG_OK);
    fake_now = (TS + 3600) * 1000000;
    assert_int_equal(verify(ctx, HEADER1, BODY1, SECRET, 3600), VG_OK);
    assert_int_equal(verify(ctx, HEADER1, BODY1, SECRET, 3599), VG_EREPLAY);
    assert_int_equal(verify(ctx, HEADER1, BODY1, SECRET, -1), VG_EINVAL);
}

static void test_paddle_timestamp_from_the_future_is_a_replay_too(void **state)
{
    vg_ctx *ctx = *state;
    fake_now = (TS - 5) * 1000000;
    assert_int_equal(verify(ctx, HEADER1, BODY1, SECRET, 0), VG_OK);
    fake_now = (TS - 5) * 1000000 - 1;
    assert_int_equal(verify(ctx, HEADER1, BODY1, SECRET, 0), VG_EREPLAY);
    fake_now = (TS - 3600) * 1000000;
    assert_int_equal(verify(ctx, HEADER1, BODY1, SECRET, 0), VG_EREPLAY);
}

static void test_paddle_checks_format_then_secret_then_signature_then_age(void **state)
{
    vg_ctx *ctx = *state;
    fake_now = (TS + 60) * 1000000;
    assert_int_equal(verify(ctx, "ts=1698796800", BODY1, NULL, 0), VG_EINVAL);
    assert_int_equal(verify(ctx, HEADER1, "tampered", NULL, 0), VG_ECONFIG);
    assert_int_equal(verify(ctx, HEADER1, "tampered", SECRET, 0), VG_ESIGNATURE);
    assert_int_equal(verify(ctx, HEADER1, BODY1, SECRET, 0), VG_EREPLAY);
}

static void test_paddle_rotation_accepts_any_of_several_secrets(void **state)
{
    vg_ctx *ctx = *state;
    assert_int_equal(verify(ctx, HEADER1, BODY1, "pdl_ntfset_OLD " SECRET, 0), VG_OK);
    assert_int_equal(verify(ctx, HEADER1, BODY1, SECRET " pdl_ntfset_NEW", 0), VG_OK);
    assert_int_equal(verify(ctx, HEADER1, BODY1, "  a\t" SECRET "  b ", 0), VG_OK);
    assert_int_equal(verify(ctx, HEADER1, BODY1, "pdl_ntfset_OLD pdl_ntfset_NEW", 0),
                     VG_ESIGNATURE);
    /* the whole token is the key: a secret with a space in it is two secrets */
    assert_int_equal(verify(ctx, HEADER1, BODY1, "VALID SECRET", 0), VG_ESIGNATURE);
    /* rotation on both sides: the old secret's h1 next to the new one's */
    assert_int_equal(
        verify(ctx, "ts=1698796800;h1=" WRONG_H1 ";h1=" H1_1, BODY1, "NEW_SECRET " SECRET, 0),
        VG_OK);
}

/* A context of the test store opened with a Paddle secret in the config (NULL: none). */
static vg_ctx *open_with_secret(const char *secret)
{
    static char path[512];
    vg_config config;
    vg_ctx *ctx = NULL;

    vg_config_init(&config, VG_CONFIG_VERSION);
    snprintf(path, sizeof path, "%s/store.db", dir);
    config.store = path;
    config.clock = fake_clock;
    config.payments.paddle_webhook_secret = secret;
    assert_int_equal(vg_open(&ctx, &config), VG_OK);
    return ctx;
}

static void test_paddle_secret_from_the_config_else_the_environment(void **state)
{
    vg_ctx *ctx = *state, *other;
    /* the context was opened without a secret anywhere */
    assert_null(vg__paddle_secret(ctx));
    assert_int_equal(verify(ctx, HEADER1, BODY1, NULL, 0), VG_ECONFIG);
    assert_int_equal(verify(ctx, HEADER1, BODY1, "", 0), VG_ECONFIG);
    assert_int_equal(verify(ctx, HEADER1, BODY1, "   ", 0), VG_ECONFIG);
    /* the environment is read when a context opens */
    setenv("PADDLE_WEBHOOK_SECRET", "OTHER " SECRET, 1);
    other = open_with_secret(NULL);
    assert_string_equal(vg__paddle_secret(other), "OTHER " SECRET);
    assert_int_equal(verify(other, HEADER1, BODY1, NULL, 0), VG_OK);
    /* an explicit secret wins over the context's */
    assert_int_equal(verify(other, HEADER1, BODY1, "OTHER", 0), VG_ESIGNATURE);
    vg_close(other);
    /* the config wins over the environment */
    other = open_with_secret("CONFIGURED");
    assert_string_equal(vg__paddle_secret(other), "CONFIGURED");
    assert_int_equal(verify(other, HEADER1, BODY1, NULL, 0), VG_ESIGNATURE);
    vg_close(other);
    setenv("PADDLE_WEBHOOK_SECRET", "", 1);
    other = open_with_secret(NULL);
    assert_null(vg__paddle_secret(other));
    vg_close(other);
}

static void test_paddle_messages_hold_no_secret_or_signature(void **state)
{
    vg_ctx *ctx = *state;
    assert_int_equal(verify(ctx, HEADER1, "tampered", SECRET, 0), VG_ESIGNATURE);
    assert_null(strstr(vg_ctx_errmsg(ctx), SECRET));
    assert_null(strstr(vg_ctx_errmsg(ctx), "a300428748"));
    assert_int_equal(verify(ctx, "ts=1;h1=" SECRET, BODY1, SECRET, 0), VG_EINVAL);
    assert_null(strstr(vg_ctx_errmsg(ctx), SECRET));
}

static void test_paddle_refuses_null_arguments(void **state)
{
    vg_ctx *ctx = *state;
    assert_int_equal(vg_paddle_verify(NULL, HEADER1, BODY1, strlen(BODY1), SECRET, 0), VG_EINVAL);
    assert_int_equal(vg_paddle_verify(ctx, HEADER1, NULL, 3, SECRET, 0), VG_EINVAL);
    /* a NULL body of length 0 is the empty body */
    assert_int_equal(vg_paddle_verify(ctx, HEADER1, NULL, 0, SECRET, 0), VG_ESIGNATURE);
}

static void test_paddle_signs_the_empty_body_and_leading_zeros_as_sent(void **state)
{
    vg_ctx *ctx = *state;
    unsigned char mac[32];
    char header[128], hex[65];
    const vg__hmac_part parts[2] = {{"01698796800", 11}, {":", 1}};

    vg__hmac_sha256(mac, SECRET, strlen(SECRET), parts, 2);
    sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
    snprintf(header, sizeof header, "ts=01698796800;h1=%s", hex);
    assert_int_equal(verify(ctx, header, "", SECRET, 0), VG_OK);
    /* the same time without the zero is another message */
    snprintf(header, sizeof header, "ts=1698796800;h1=%s", hex);
    assert_int_equal(verify(ctx, header, "", SECRET, 0), VG_ESIGNATURE);
}

/* --- Taiwan time and order numbers ------------------------------------------------------------ */

static void test_taiwan_time_is_utc_plus_8(void **state)
{
    char out[VG__TAIWAN_TIME_SIZE];
    (void)state;
    /* TV-1's MerchantTradeDate, 2023/03/12 15:30:23 in Taipei, is 07:30:23Z */
    assert_int_equal(vg__taiwan_time(out, INT64_C(1678606223) * 1000000), VG_OK);
    assert_string_equal(out, "2023/03/12 15:30:23");
    /* 16:00Z is midnight of the next day; the microseconds are dropped */
    assert_int_equal(vg__taiwan_time(out, INT64_C(1709654399) * 1000000 + 999999), VG_OK);
    assert_string_equal(out, "2024/03/05 23:59:59");
    assert_int_equal(vg__taiwan_time(out, INT64_C(1709654400) * 1000000), VG_OK);
    assert_string_equal(out, "2024/03/06 00:00:00");
    /* the year's end, a leap day */
    assert_int_equal(vg__taiwan_time(out, INT64_C(1704038400) * 1000000), VG_OK);
    assert_string_equal(out, "2024/01/01 00:00:00");
    assert_int_equal(vg__taiwan_time(out, INT64_C(1709136000) * 1000000), VG_OK);
    assert_string_equal(out, "2024/02/29 00:00:00");
    /* before 1970, rounded towards the earlier second */
    assert_int_equal(vg__taiwan_time(out, -1), VG_OK);
    assert_string_equal(out, "1970/01/01 07:59:59");
    assert_int_equal(vg__taiwan_time(NULL, 0), VG_EINVAL);
    assert_int_equal(vg__taiwan_time(out, INT64_MAX), VG_ERANGE);
}

static void test_taiwan_time_reads_back(void **state)
{
    char out[VG__TAIWAN_TIME_SIZE];
    vg_time t = 0, back = 0;
    (void)state;
    assert_int_equal(vg__taiwan_time_parse(&t, "2023/03/12 15:30:23"), VG_OK);
    assert_true(t == INT64_C(1678606223) * 1000000);
    for (t = INT64_C(946684800) * 1000000; t < INT64_C(4102444800) * 1000000;
         t += INT64_C(86399) * 1000037) {
        assert_int_equal(vg__taiwan_time(out, t), VG_OK);
        assert_int_equal(vg__taiwan_time_parse(&back, out), VG_OK);
        assert_true(back == t - t % 1000000);
    }
    assert_int_equal(vg__taiwan_time_parse(&t, "2024/02/29 12:00:00"), VG_OK);
}

static void test_taiwan_time_refuses_other_shapes(void **state)
{
    static const char *const bad[] = {
        "2023-03-12 15:30:23",
        "2023/03/12T15:30:23",
        "2023/3/12 15:30:23",
        "2023/03/12 15:30",
        "2023/03/12 15:30:23 ",
        "2023/02/29 00:00:00",
        "2023/13/01 00:00:00",
        "2023/04/31 00:00:00",
        "2023/03/12 24:00:00",
        "2023/03/12 15:60:00",
        "2023/03/12 15:30:60",
        "0000/01/01 00:00:00",
        "",
        "+023/03/12 15:30:23",
    };
    vg_time t;
    size_t i;
    (void)state;
    for (i = 0; i < N(bad); i++)
        if (vg__taiwan_time_parse(&t, bad[i]) != VG_EINVAL)
            fail_msg("accepted \"%s\"", bad[i]);
    assert_int_equal(vg__taiwan_time_parse(NULL, "2023/03/12 15:30:23"), VG_EINVAL);
    assert_int_equal(vg__taiwan_time_parse(&t, NULL), VG_EINVAL);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

static void test_order_numbers_are_vg_and_18_unique_alphanumerics(void **state)
{
    static char numbers[2000][VG_ORDER_NUMBER_SIZE];
    size_t i, j;
    int seen[36] = {0};
    (void)state;
    for (i = 0; i < N(numbers); i++) {
        vg__order_number(numbers[i]);
        assert_int_equal(strlen(numbers[i]), 20);
        assert_memory_equal(numbers[i], "VG", 2);
        for (j = 2; j < 20; j++) {
            char c = numbers[i][j];
            assert_true((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'));
            seen[c >= 'A' ? c - 'A' : 26 + c - '0'] = 1;
        }
    }
    for (j = 0; j < 36; j++)
        assert_true(seen[j]); /* the whole alphabet is used */
    qsort(numbers, N(numbers), sizeof numbers[0], cmp_str);
    for (i = 1; i < N(numbers); i++)
        assert_string_not_equal(numbers[i - 1], numbers[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tv1_encoded_text_is_ecpays_step_6),
        cmocka_unit_test(test_tv1_check_mac_is_ecpays_value),
        cmocka_unit_test(test_tv1_input_order_does_not_matter),
        cmocka_unit_test(test_check_mac_value_field_is_left_out_whatever_its_case),
        cmocka_unit_test(test_tv3_md5_includes_the_empty_rtnmsg),
        cmocka_unit_test(test_sort_ignores_case_like_php_strcasecmp),
        cmocka_unit_test(test_names_equal_but_for_case_keep_their_input_order),
        cmocka_unit_test(test_encoding_is_dotnet_urlencode_lower_cased),
        cmocka_unit_test(test_no_fields_is_just_the_sandwich),
        cmocka_unit_test(test_mac_text_reports_the_size_it_needs),
        cmocka_unit_test(test_check_mac_refuses_null_and_bad_utf8),
        cmocka_unit_test(test_mac_equal_ignores_case_and_wants_whole_hex),
        cmocka_unit_test(test_round_trip_with_chinese_emoji_and_url_specials),
        cmocka_unit_test(test_round_trip_of_tv1_through_a_body),
        cmocka_unit_test(test_an_altered_added_or_removed_field_fails_verification),
        cmocka_unit_test(test_verification_needs_a_check_mac_value),
        cmocka_unit_test(test_md5_rfc1321_test_suite),
        cmocka_unit_test(test_md5_in_pieces_equals_md5_whole),
        cmocka_unit_test(test_md5_of_a_million_a),
        cmocka_unit_test(test_form_decodes_plus_and_percent_escapes),
        cmocka_unit_test(test_form_reads_empty_values_and_names_without_equals),
        cmocka_unit_test(test_form_skips_empty_pairs),
        cmocka_unit_test(test_form_get_is_case_sensitive),
        cmocka_unit_test(test_form_refuses_a_name_given_twice),
        cmocka_unit_test(test_form_refuses_bad_escapes_and_nul),
        cmocka_unit_test(test_form_refuses_an_empty_name),
        cmocka_unit_test(test_form_refuses_bad_utf8_after_decoding),
        cmocka_unit_test(test_form_holds_at_most_64_fields_and_8_kib),
        cmocka_unit_test(test_form_worst_case_decoding_fits),
        cmocka_unit_test(test_form_uses_the_contexts_allocator),
        cmocka_unit_test(test_form_free_is_safe_on_empty_and_freed_forms),
        cmocka_unit_test(test_form_encode_reads_back_and_measures),
        cmocka_unit_test(test_hmac_sha256_rfc4231_vectors),
        cmocka_unit_test_setup_teardown(test_paddle_tv5_valid_signature, ctx_setup, ctx_teardown),
        cmocka_unit_test_setup_teardown(test_paddle_tv5_tampered_body_fails, ctx_setup,
                                        ctx_teardown),
        cmocka_unit_test_setup_teardown(test_paddle_tv5_wrong_secret_fails, ctx_setup,
                                        ctx_teardown),
        cmocka_unit_test_setup_teardown(test_paddle_tv5_malformed_headers_are_einval, ctx_setup,
                                        ctx_teardown),
        cmocka_unit_test_setup_teardown(test_paddle_tv5_several_h1_and_unknown_keys, ctx_setup,
                                        ctx_teardown),
        cmocka_unit_test_setup_teardown(test_paddle_at_most_eight_h1, ctx_setup, ctx_teardown),
        cmocka_unit_test_setup_teardown(test_paddle_tv5_tolerance, ctx_setup, ctx_teardown),
        cmocka_unit_test_setup_teardown(test_paddle_timestamp_from_the_future_is_a_replay_too,
                                        ctx_setup, ctx_teardown),
        cmocka_unit_test_setup_teardown(
            test_paddle_checks_format_then_secret_then_signature_then_age, ctx_setup, ctx_teardown),
        cmocka_unit_test_setup_teardown(test_paddle_rotation_accepts_any_of_several_secrets,
                                        ctx_setup, ctx_teardown),
        cmocka_unit_test_setup_teardown(test_paddle_secret_from_the_config_else_the_environment, ctx_setup,
                                        ctx_teardown),
        cmocka_unit_test_setup_teardown(test_paddle_messages_hold_no_secret_or_signature, ctx_setup,
                                        ctx_teardown),
        cmocka_unit_test_setup_teardown(test_paddle_refuses_null_arguments, ctx_setup,
                                        ctx_teardown),
        cmocka_unit_test_setup_teardown(test_paddle_signs_the_empty_body_and_leading_zeros_as_sent,
                                        ctx_setup, ctx_teardown),
        cmocka_unit_test(test_taiwan_time_is_utc_plus_8),
        cmocka_unit_test(test_taiwan_time_reads_back),
        cmocka_unit_test(test_taiwan_time_refuses_other_shapes),
        cmocka_unit_test(test_order_numbers_are_vg_and_18_unique_alphanumerics),
    };
    char path[600];
    int failed;

    if (sodium_init() < 0 || !mkdtemp(dir)) {
        perror("setup");
        return 1;
    }
    failed = cmocka_run_group_tests(tests, NULL, NULL);
    snprintf(path, sizeof path, "%s/store.db", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/store.db-wal", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/store.db-shm", dir);
    unlink(path);
    rmdir(dir);
    return failed;
}
