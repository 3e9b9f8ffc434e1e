/* SPDX-License-Identifier: MIT */
/* The payments module's wire formats: ECPay's CheckMacValue and its MD5, form bodies, Paddle's
 * HMAC, Taiwan time and order numbers. Pure functions; the store never appears here. */
#ifndef VG_PAYMENTS_WIRE_H
#define VG_PAYMENTS_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "core/internal.h"
#include "vidgo/payments.h"

/* --- ECPay CheckMacValue (ecpay_mac.c) -------------------------------------------------------- */

/*
 * The lower-cased, URL-encoded string that vg_ecpay_check_mac hashes (steps 1-6 of
 * ../shared/docs/providers.md §6.3; the sort is stable: names equal but for case keep their
 * order), written into out[size] with its NUL; *out_len (may be NULL) receives its length
 * without the NUL, also when out is too small. At most 256 fields. out may be NULL
 * when size is 0 (to measure). The same code path feeds the hash, so this string is exactly
 * what is hashed. Returns VG_OK, VG_EINVAL, VG_EUTF8, VG_EBUFSIZE.
 */
int vg__ecpay_mac_text(char *out, size_t size, size_t *out_len, const vg_form_field *fields,
                       size_t count, const char *hash_key, const char *hash_iv);

/*
 * 1 when a and b are the same CheckMacValue: both 64 (SHA-256) or both 32 (MD5) hex digits,
 * equal ignoring case. The digits are compared in constant time (sodium_memcmp); only the
 * lengths and the hex-ness, which are not secret, decide early. NULL gives 0.
 */
int vg__ecpay_mac_equal(const char *a, const char *b);

/* MD5 (RFC 1321), for the ECPay APIs that still use it; libsodium has none. */
typedef struct vg__md5 {
    uint32_t state[4];
    uint64_t bytes;          /* message length so far */
    unsigned char block[64]; /* the partial block */
} vg__md5;

void vg__md5_init(vg__md5 *md5);
void vg__md5_update(vg__md5 *md5, const void *data, size_t len);
void vg__md5_final(vg__md5 *md5, unsigned char out[16]);

/* --- application/x-www-form-urlencoded (form.c) ----------------------------------------------- */

#define VG__FORM_MAX_FIELDS 64
#define VG__FORM_MAX_BODY 8192

/*
 * A parsed form body. fields[0..count) point into one block allocated with the context's
 * allocator (the C library's when ctx was NULL), in the order of the body; pass fields and
 * count straight to vg_ecpay_check_mac. Release with vg__form_free.
 */
typedef struct vg__form {
    size_t count;
    vg_form_field fields[VG__FORM_MAX_FIELDS];
    char *text; /* the decoded names and values */
    vg_ctx *ctx;
} vg__form;

/*
 * Parses an application/x-www-form-urlencoded body of len bytes (no NUL needed) into *out:
 * pairs separated by '&' (empty pairs skipped), '+' is a space, %XX a byte (either case), a
 * pair without '=' has an empty value. Refused with VG_EINVAL: a body over 8 KiB, more than
 * 64 fields, an empty name, a '%' not followed by two hex digits, a NUL byte (raw or %00), and
 * a name given twice — compared ignoring ASCII case, as ECPay's MAC sorts that way, so that a
 * forged duplicate can never be read instead of the signed one. VG_EUTF8 when a decoded name
 * or value is not UTF-8. VG_ENOMEM. On failure *out is empty (vg__form_free is still safe).
 */
int vg__form_parse(vg__form *out, vg_ctx *ctx, const char *body, size_t len);

/* The value of the field named exactly name (case-sensitive), or NULL. */
const char *vg__form_get(const vg__form *form, const char *name);

/* Frees the decoded text and empties the form; NULL and an empty form are fine. */
void vg__form_free(vg__form *form);

/*
 * Encodes fields as a form body "n1=v1&n2=v2" into out[size] with its NUL; *out_len (may be
 * NULL) receives the length without the NUL, also when out is too small (out may be NULL
 * when size is 0). Bytes outside A-Z a-z 0-9 - _ . ! * ( ) become %XX (upper-case hex), a
 * space '+'. vg__form_parse reads it back exactly. Returns VG_OK, VG_EINVAL (NULL, an empty
 * name), VG_EUTF8, VG_EBUFSIZE.
 */
int vg__form_encode(char *out, size_t size, size_t *out_len, const vg_form_field *fields,
                    size_t count);

/* 1 for the bytes a form or ECPay's URL-encoding keeps as they are: A-Z a-z 0-9 - _ . ! * ( ) */
int vg__form_keeps(unsigned char c);

/* The value of a hex digit (either case), or -1. */
int vg__hex_value(char c);

/* PHP's strcasecmp, as ECPay's SDK sorts with: bytes compared after ASCII lower-casing only,
 * whatever the locale. */
int vg__ascii_casecmp(const char *a, const char *b);

/*
 * Verifies a parsed ECPay form (a server callback): its CheckMacValue field (name matched
 * ignoring case) against the MAC of every other field, SHA-256 (sha256 = 1) or MD5 (0),
 * compared with vg__ecpay_mac_equal. A failure is recorded on ctx (may be NULL). Returns
 * VG_OK, VG_ESIGNATURE (no CheckMacValue, or it differs), VG_EINVAL, VG_EUTF8.
 */
int vg__ecpay_form_verify(vg_ctx *ctx, const vg__form *form, const char *hash_key,
                          const char *hash_iv, int sha256);

/* --- Paddle (paddle_signature.c) -------------------------------------------------------------- */

/* One piece of a message that is MACed in pieces. */
typedef struct vg__hmac_part {
    const void *data;
    size_t len;
} vg__hmac_part;

/* HMAC-SHA256 of the concatenated parts under a key of any length (libsodium's
 * crypto_auth_hmacsha256_init/update/final). */
void vg__hmac_sha256(unsigned char out[32], const void *key, size_t key_len,
                     const vg__hmac_part *parts, size_t count);

/* Paddle's endpoint secret(s) of the context (vg_config.payments.paddle_webhook_secret,
 * else $PADDLE_WEBHOOK_SECRET), space-separated, or NULL when none. */
const char *vg__paddle_secret(vg_ctx *ctx);

/* The tolerance vg_paddle_verify uses for tolerance_s 0: the config's, else 5 s (Paddle's
 * SDKs). */
int vg__paddle_tolerance_s(vg_ctx *ctx);

/*
 * How vg_paddle_verify (include/vidgo/payments.h) decides, in this order:
 * 1. arguments and the header's shape: "ts=<1-12 digits>;h1=<64 hex>", entries separated by
 *    ';' in any order, exactly one ts, one to VG__PADDLE_MAX_H1 h1 (either hex case), other
 *    keys (h2=...) ignored, no empty entry, at most VG__PADDLE_HEADER_MAX bytes; else VG_EINVAL;
 * 2. a secret (the argument, else vg__paddle_secret): none, or only spaces, is VG_ECONFIG;
 * 3. HMAC-SHA256("<ts as sent>:<body>") under each space-separated secret (the whole token is
 *    the key) against every h1, all pairs compared in constant time; none equal: VG_ESIGNATURE;
 * 4. the age, by vg_ctx_now to the microsecond: now > ts + tolerance, or ts > now + tolerance
 *    (a timestamp from the future is refused alike, as Paddle's Go SDK does): VG_EREPLAY.
 * So a correctly signed stale message is VG_EREPLAY, and an unsigned one never learns the
 * clock. Neither secrets nor signatures are written to messages or logs.
 */

#define VG__PADDLE_TOLERANCE_S 5 /* Paddle's SDKs */
#define VG__PADDLE_MAX_H1 8      /* h1 entries read from one header */
#define VG__PADDLE_HEADER_MAX 1024

/* --- Taiwan time and order numbers (taiwan_time.c) -------------------------------------------- */

#define VG__TAIWAN_TIME_SIZE 20 /* "yyyy/MM/dd HH:mm:ss" and its NUL */

/* Writes t (truncated to the second) as ECPay's MerchantTradeDate, "yyyy/MM/dd HH:mm:ss" in
 * Taiwan time (UTC+8, no daylight saving). Returns VG_OK, VG_EINVAL, VG_ERANGE (outside the
 * years 0001-9999). */
int vg__taiwan_time(char out[VG__TAIWAN_TIME_SIZE], vg_time t);

/* Reads "yyyy/MM/dd HH:mm:ss" in Taiwan time (ECPay's PaymentDate, TradeDate) into *out.
 * Returns VG_OK, VG_EINVAL (another shape, or no such date). */
int vg__taiwan_time_parse(vg_time *out, const char *text);

/* Writes a new order number: "VG" and 18 random upper-case letters and digits (libsodium's
 * randombytes_uniform: 36^18, about 2^93, so collisions do not happen in practice), which is
 * ECPay's MerchantTradeNo rule (unique, at most 20 letters and digits). */
void vg__order_number(char out[VG_ORDER_NUMBER_SIZE]);

#endif
