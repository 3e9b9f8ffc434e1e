/* SPDX-License-Identifier: MIT */
/* HS256 JSON Web Tokens (RFC 7515, RFC 7519): signing, and verification that accepts only
 * HS256 with a matching signature and a valid time window. */
#include <cJSON.h>
#include <sodium.h>
#include <string.h>

#include "accounts_internal.h"

#define B64 sodium_base64_VARIANT_URLSAFE_NO_PADDING
#define HEADER "{\"alg\":\"HS256\",\"typ\":\"JWT\"}"
#define MAX_PART 2048 /* decoded bytes of a header or payload we accept */

static void hs256(unsigned char mac[crypto_auth_hmacsha256_BYTES], const unsigned char *key,
                  size_t key_len, const char *data, size_t len)
{
    crypto_auth_hmacsha256_state state;
    crypto_auth_hmacsha256_init(&state, key, key_len);
    crypto_auth_hmacsha256_update(&state, (const unsigned char *)data, len);
    crypto_auth_hmacsha256_final(&state, mac);
    sodium_memzero(&state, sizeof state);
}

int vg__jwt_sign(char *out, size_t size, const unsigned char *key, size_t key_len,
                 const char *payload)
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    size_t header_len = sodium_base64_ENCODED_LEN(sizeof HEADER - 1, B64) - 1;
    size_t payload_len = sodium_base64_ENCODED_LEN(strlen(payload), B64) - 1;
    size_t mac_len = sodium_base64_ENCODED_LEN(sizeof mac, B64) - 1;
    size_t signed_len = header_len + 1 + payload_len;

    if (signed_len + 1 + mac_len + 1 > size)
        return VG_EBUFSIZE;
    sodium_bin2base64(out, size, (const unsigned char *)HEADER, sizeof HEADER - 1, B64);
    out[header_len] = '.';
    sodium_bin2base64(out + header_len + 1, size - header_len - 1,
                      (const unsigned char *)payload, strlen(payload), B64);
    hs256(mac, key, key_len, out, signed_len);
    out[signed_len] = '.';
    sodium_bin2base64(out + signed_len + 1, size - signed_len - 1, mac, sizeof mac, B64);
    return VG_OK;
}

/* Decodes one base64url part (no padding, nothing but its alphabet) into out[MAX_PART + 1]
 * as a terminated string. Returns its length, or -1. */
static long decode_part(char *out, const char *part, size_t len)
{
    size_t bin_len;
    const char *end;

    if (len == 0 || len > sodium_base64_ENCODED_LEN(MAX_PART, B64) - 1)
        return -1;
    if (sodium_base642bin((unsigned char *)out, MAX_PART, part, len, NULL, &bin_len, &end,
                          B64) != 0 ||
        end != part + len)
        return -1;
    out[bin_len] = '\0';
    return (long)bin_len;
}

/* Parses a decoded part as a JSON object (no embedded NUL); NULL if it is not one. */
static cJSON *parse_object(const char *json, long len)
{
    cJSON *object;
    if (len < 0 || strlen(json) != (size_t)len)
        return NULL;
    object = cJSON_ParseWithOpts(json, NULL, 1);
    if (object && !cJSON_IsObject(object)) {
        cJSON_Delete(object);
        object = NULL;
    }
    return object;
}

/* Checks a NumericDate claim if present: *out gets it in seconds; 0 if absent. Returns 0
 * when it is absent or a number, -1 otherwise. */
static int numeric_date(const cJSON *claims, const char *name, double *out)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(claims, name);
    *out = 0;
    if (!item)
        return 0;
    if (!cJSON_IsNumber(item))
        return -1;
    *out = item->valuedouble;
    return 0;
}

static int header_ok(const char *header, long len)
{
    cJSON *object = parse_object(header, len);
    const cJSON *alg, *typ;
    int ok;

    if (!object)
        return 0;
    alg = cJSON_GetObjectItemCaseSensitive(object, "alg");
    typ = cJSON_GetObjectItemCaseSensitive(object, "typ");
    ok = cJSON_IsString(alg) && strcmp(alg->valuestring, "HS256") == 0 &&
         !cJSON_GetObjectItemCaseSensitive(object, "crit") &&
         (!typ || (cJSON_IsString(typ) && strcmp(typ->valuestring, "JWT") == 0));
    cJSON_Delete(object);
    return ok;
}

int vg__jwt_verify(void **out_claims, const char *token, const unsigned char *key,
                   size_t key_len, vg_time now)
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES], given[crypto_auth_hmacsha256_BYTES + 1];
    char part[MAX_PART + 1];
    const char *dot1, *dot2;
    cJSON *claims = NULL;
    double exp, iat, nbf, now_s = (double)(now / VG__US_PER_S);
    size_t given_len;
    const char *end;
    long len;
    int rc = VG_ETOKEN_INVALID;

    *out_claims = NULL;
    if (!token || !(dot1 = strchr(token, '.')) || !(dot2 = strchr(dot1 + 1, '.')) ||
        strchr(dot2 + 1, '.'))
        return VG_ETOKEN_INVALID;
    /* the header first: an "alg" other than HS256 ("none" included) is refused unread */
    if (!header_ok(part, decode_part(part, token, (size_t)(dot1 - token))))
        goto done;
    if (sodium_base642bin(given, sizeof given, dot2 + 1, strlen(dot2 + 1), NULL, &given_len,
                          &end, B64) != 0 ||
        *end != '\0' || given_len != sizeof mac)
        goto done;
    hs256(mac, key, key_len, token, (size_t)(dot2 - token));
    if (sodium_memcmp(mac, given, sizeof mac) != 0)
        goto done;
    len = decode_part(part, dot1 + 1, (size_t)(dot2 - dot1 - 1));
    if (!(claims = parse_object(part, len)) || numeric_date(claims, "exp", &exp) != 0 ||
        numeric_date(claims, "iat", &iat) != 0 || numeric_date(claims, "nbf", &nbf) != 0)
        goto done;
    if (iat > now_s + VG__JWT_LEEWAY_S || nbf > now_s + VG__JWT_LEEWAY_S)
        goto done; /* not valid yet */
    if (cJSON_GetObjectItemCaseSensitive(claims, "exp") && now_s >= exp) {
        rc = VG_ETOKEN_EXPIRED;
        goto done;
    }
    *out_claims = claims;
    claims = NULL;
    rc = VG_OK;
done:
    cJSON_Delete(claims);
    return rc;
}

void vg__jwt_claims_free(void *claims)
{
    cJSON_Delete(claims);
}
