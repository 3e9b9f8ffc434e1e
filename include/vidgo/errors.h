/* SPDX-License-Identifier: MIT */
/* Status codes of every libvidgo domain, and where to read the message of the last failure. */
#ifndef VIDGO_ERRORS_H
#define VIDGO_ERRORS_H

#include "common.h"

VG_BEGIN_DECLS

/*
 * Every fallible function returns a vg_status: VG_OK (0) on success, a negative code on
 * failure. Values are written out and never renumbered; a retired code leaves a hole.
 * Codes are grouped by domain in blocks of 100. vg_error_name() gives the stable key
 * ("VG_EINVAL"), vg_strerror() the user-facing text in any of the five languages.
 */
typedef enum vg_status {
    VG_OK = 0, /* success */

    /* General (-1 .. -99) */
    VG_ERROR = -1,        /* unexpected internal failure; the message says where */
    VG_EINVAL = -2,       /* an argument is NULL, empty, malformed or out of its domain */
    VG_ENOMEM = -3,       /* out of memory */
    VG_ENOTFOUND = -4,    /* the named object (user, job, key, ...) does not exist */
    VG_EEXISTS = -5,      /* the object to create already exists */
    VG_EUTF8 = -6,        /* a text argument is not valid UTF-8 */
    VG_ERANGE = -7,       /* a number is out of range or an amount would overflow */
    VG_EUNSUPPORTED = -8, /* the feature is not built in or not supported by the backend */
    VG_ESTATE = -9,       /* the object is not in a state that allows the operation */
    VG_EVERSION = -10,    /* a versioned struct has a version this library does not know */
    VG_ECONFIG = -11,     /* the configuration is invalid (see the message for the field) */
    VG_ECANCELLED = -12,  /* the operation was cancelled by the caller */
    VG_ETIMEOUT = -13,    /* the operation did not finish in the time allowed */
    VG_EIO = -14,         /* a file or socket operation failed */
    VG_EBUFSIZE = -15,    /* the caller's buffer is too small; the needed size is reported */

    /* Store (-100 .. -199) */
    VG_ESTORE = -100,          /* the storage backend failed; the message has the detail */
    VG_ESTORE_OPEN = -101,     /* the store cannot be opened (missing, a directory, no permission) */
    VG_ESTORE_CORRUPT = -102,  /* the store is not a libvidgo store or is damaged */
    VG_ESTORE_VERSION = -103,  /* the store's schema is newer than this library */
    VG_EBUSY = -104,           /* the store stayed locked by another writer past the timeout */
    VG_ECONFLICT = -105,       /* a transaction conflicted (serialisation failure, deadlock) */
    VG_ESTORE_READONLY = -106, /* the store is read-only */
    VG_ECONSTRAINT = -107,     /* a write would break a constraint of the schema */
    VG_ESTORE_CONNECT = -108,  /* the database server cannot be reached or refused the login */

    /* Plans and access rules (-200 .. -299) */
    VG_EPLAN_UNKNOWN = -200,       /* no plan has this name */
    VG_ESERVICE_UNKNOWN = -201,    /* no service has this name */
    VG_EPLAN_TOO_LOW = -202,       /* the user's plan does not include the service */
    VG_ESUBSCRIBERS_ONLY = -203,   /* the service is for paying subscribers only */
    VG_ERESOLUTION = -204,         /* the resolution asked for is above the plan's maximum */
    VG_EDEMO_CACHE_ONLY = -205,    /* demo accounts get videos from the similarity cache only */
    VG_EDEMO_USED_UP = -206,       /* the demo account used its free generations */
    VG_EPARAMETER = -207,          /* a generation parameter (duration, style, ...) is not allowed */

    /* Credits (-300 .. -399) */
    VG_EINSUFFICIENT_CREDITS = -300, /* total credits minus holds is below the price */
    VG_EIDEMPOTENCY_CONFLICT = -301, /* the idempotency key was used for a different request */
    VG_EHOLD_SETTLED = -302,         /* the hold was already captured or released */
    VG_EHOLD_EXPIRED = -303,         /* the hold expired and its credits were released */
    VG_ELEDGER_TAMPERED = -304,      /* a ledger row was edited, removed or reordered */
    VG_EINVARIANT = -305,            /* a stored balance breaks an invariant (see vg_check) */

    /* Accounts (-400 .. -499) */
    VG_EEMAIL_INVALID = -400,     /* the e-mail address is malformed */
    VG_EEMAIL_TAKEN = -401,       /* an account with this e-mail address exists */
    VG_EPASSWORD_POLICY = -402,   /* the password is too short, too long or equals the e-mail */
    VG_EAUTH_FAILED = -403,       /* wrong e-mail or password (deliberately not saying which) */
    VG_ENOT_VERIFIED = -404,      /* the e-mail address has not been verified yet */
    VG_ECODE_INVALID = -405,      /* the verification code is wrong */
    VG_ECODE_EXPIRED = -406,      /* the verification code expired or was replaced */
    VG_ECODE_EXHAUSTED = -407,    /* too many wrong tries: the code no longer works */
    VG_ERATE_LIMITED = -408,      /* too many attempts; try again later */
    VG_ETOKEN_INVALID = -409,     /* the token is malformed, forged or of the wrong kind */
    VG_ETOKEN_EXPIRED = -410,     /* the token expired */
    VG_ETOKEN_REVOKED = -411,     /* the token was revoked (logout, reuse of a rotated token) */
    VG_EACCOUNT_DISABLED = -412,  /* the account is disabled */
    VG_EEMAIL_SEND = -413,        /* the e-mail could not be sent; nothing was changed */

    /* Similarity cache (-500 .. -599) */
    VG_ECACHE_MISS = -500,        /* no cached result is similar enough */
    VG_EDIMENSION = -501,         /* an embedding has the wrong dimension */
    VG_EPROMPT_EMPTY = -502,      /* the prompt is empty after normalisation */
    VG_EPROMPT_TOO_LONG = -503,   /* the prompt is longer than allowed */

    /* Providers (-600 .. -699) */
    VG_EPROVIDER = -600,             /* the provider reported an error */
    VG_EPROVIDER_AUTH = -601,        /* the provider refused the API key */
    VG_EPROVIDER_RATE = -602,        /* the provider is rate-limiting us (HTTP 429) */
    VG_EPROVIDER_UNAVAILABLE = -603, /* the provider is down (HTTP 5xx) */
    VG_EPROVIDER_TIMEOUT = -604,     /* the provider did not answer in time */
    VG_EPROVIDER_RESPONSE = -605,    /* the provider's answer is malformed or too large */
    VG_EPROVIDER_REJECTED = -606,    /* the provider rejected the request as invalid */
    VG_ENETWORK = -607,              /* connection failure (DNS, refused, TLS) */
    VG_ECIRCUIT_OPEN = -608,         /* calls are paused after repeated provider failures */
    VG_EOUTCOME_UNKNOWN = -609,      /* the request may or may not have been acted upon */
    VG_ENO_API_KEY = -610,           /* the provider has no API key configured */

    /* Generation (-700 .. -799) */
    VG_EMODERATION_BLOCKED = -700, /* the prompt or image was blocked by content moderation */
    VG_EJOB_STATE = -701,          /* the job is not in a state that allows the operation */
    VG_EJOB_FAILED = -702,         /* the generation failed; the credits were returned */
    VG_EJOB_CANCELLED = -703,      /* the job was cancelled */
    VG_EPAID_ONLY = -704,          /* available on paid plans only */
    VG_EINPUT_ASSET = -705,        /* the input image or asset is missing or unusable */

    /* Payments (-800 .. -899) */
    VG_ESIGNATURE = -800,          /* a payment callback's signature does not verify */
    VG_EAMOUNT_MISMATCH = -801,    /* the paid amount or currency differs from the order */
    VG_EMERCHANT_MISMATCH = -802,  /* the callback is for another merchant */
    VG_EORDER_STATE = -803,        /* the order cannot move to the requested state */
    VG_EPROMO_INVALID = -804,      /* no such promotion code */
    VG_EPROMO_EXPIRED = -805,      /* the promotion code expired */
    VG_EPROMO_USED = -806,         /* the promotion code was already used up or redeemed */
    VG_EREPLAY = -807,             /* a signed message is too old or was already processed */
    VG_ECURRENCY = -808            /* the currency is not supported for this payment method */
} vg_status;

/* Number of distinct status codes, VG_OK included; with vg_error_code_at() it lets
 * bindings enumerate every code (e.g. to build an exception class per code). */
VG_API size_t vg_error_count(void);

/* Returns the i-th status code of the catalog (VG_OK first, then each domain in turn)
 * for 0 <= index < vg_error_count(); returns 1, never a valid code, for any other index. */
VG_API int vg_error_code_at(size_t index);

/* Returns the stable name of a code ("VG_EINSUFFICIENT_CREDITS"); static storage.
 * Unknown codes give "VG_EUNKNOWN". */
VG_API const char *vg_error_name(int code);

/* Returns the user-facing description of a code in a language ("en", "ja", "zh-TW", "ko",
 * "es"; case-insensitive, "_" accepted for "-"). NULL or an unknown language gives English;
 * an unknown code gives "unknown error" in that language. Static storage, never NULL. */
VG_API const char *vg_strerror(int code, const char *lang);

/* Returns the status of the last failure on the calling thread (VG_OK if none yet). */
VG_API int vg_error_last_code(void);

/* Returns the message of the last failure on the calling thread, e.g. "cannot open store
 * at /x: is a directory". Thread-local storage, valid until the thread's next libvidgo
 * call; "" if no call has failed on this thread. Never contains secrets. */
VG_API const char *vg_error_last(void);

/* After a VG_ERATE_LIMITED failure on the calling thread: the seconds to wait before
 * trying again (at least 1). 0 after any other outcome. */
VG_API int vg_error_retry_after(void);

/* Forgets the calling thread's last failure. */
VG_API void vg_error_clear(void);

VG_END_DECLS

#endif
