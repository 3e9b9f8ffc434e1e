/* SPDX-License-Identifier: MIT */
/*
 * The context: vidgo.open's configuration, the manual clock, the log and e-mail bridges,
 * and the library-wide functions (version, errors, constants, time, languages, the store's
 * journal and check).
 */
#include "vgn_internal.h"

#include <stdlib.h>
#include <string.h>

/* What a context handle owns besides the vg_ctx: its bridges to JS and its clock. */
typedef struct context_extra {
    vgn_emitter *log;
    vgn_emitter *email;
    int manual_clock;
    vg_time now; /* the manual clock: read from any thread, set on the main thread */
} context_extra;

static void context_extra_free(void *data)
{
    context_extra *extra = data;
    if (!extra)
        return;
    vgn_emitter_free(extra->log);
    vgn_emitter_free(extra->email);
    free(extra);
}

static vg_time manual_clock(void *payload)
{
    return __atomic_load_n(&((context_extra *)payload)->now, __ATOMIC_ACQUIRE);
}

static const char *const log_levels[] = {"debug", "info", "warn", "error", "none"};

static void log_to_js(vg_log_level level, const char *message, void *payload)
{
    vgn_val *line = vgn_object();
    vgn_set_str(line, "level", (unsigned)level < 5 ? log_levels[level] : "info");
    vgn_set_str(line, "message", message);
    vgn_emit(((context_extra *)payload)->log, line);
}

/* The e-mail is handed to JS asynchronously; delivery from the library's view succeeded. */
static int email_to_js(const vg_email *email, char *errbuf, size_t errbuf_size, void *payload)
{
    vgn_val *mail = vgn_object();
    (void)errbuf;
    (void)errbuf_size;
    vgn_set_str(mail, "kind", email->kind);
    vgn_set_str(mail, "lang", email->lang);
    vgn_set_str(mail, "from", email->from);
    vgn_set_str(mail, "to", email->to);
    vgn_set_str(mail, "subject", email->subject);
    vgn_set_str(mail, "text", email->text);
    vgn_set_str(mail, "html", email->html);
    vgn_set_str(mail, "mime", email->mime);
    vgn_emit(((context_extra *)payload)->email, mail);
    return 0;
}

/* ---- options → vg_config ---------------------------------------------------------- */

typedef enum { OPT_INT, OPT_ULL, OPT_SIZE, OPT_STR, OPT_BOOL } opt_type;

typedef struct option_field {
    const char *name; /* the JS option */
    opt_type type;
    size_t offset;    /* in the struct the table describes */
} option_field;

#define CFG(js, type, field) {js, type, offsetof(vg_config, field)}
static const option_field config_fields[] = {
    CFG("storePoolSize", OPT_INT, store_pool_size),
    CFG("busyTimeoutMs", OPT_INT, busy_timeout_ms),
    CFG("lang", OPT_STR, lang),
    CFG("holdTtlS", OPT_INT, hold_ttl_s),
    CFG("bonusTtlDays", OPT_INT, bonus_ttl_days),
    CFG("regrantTtlDays", OPT_INT, regrant_ttl_days),
    CFG("accessTtlS", OPT_INT, access_ttl_s),
    CFG("refreshTtlS", OPT_INT, refresh_ttl_s),
    CFG("hashConcurrency", OPT_INT, hash_concurrency),
    CFG("pwhashOpslimit", OPT_ULL, pwhash_opslimit),
    CFG("pwhashMemlimit", OPT_SIZE, pwhash_memlimit),
    CFG("smtpUrl", OPT_STR, smtp_url),
    CFG("smtpUser", OPT_STR, smtp_user),
    CFG("smtpPassword", OPT_STR, smtp_password),
    CFG("smtpCaPath", OPT_STR, smtp_ca_path),
    CFG("smtpTimeoutMs", OPT_INT, smtp_timeout_ms),
    CFG("mailDir", OPT_STR, mail_dir),
    CFG("emailFrom", OPT_STR, email_from),
    CFG("resetUrl", OPT_STR, reset_url),
    CFG("providerCaPath", OPT_STR, provider_ca_path),
    CFG("providerTimeoutMs", OPT_INT, provider_timeout_ms),
    CFG("assetsDir", OPT_STR, assets_dir),
    CFG("polloWebhookSecret", OPT_STR, pollo_webhook_secret),
};
#undef CFG

#define PAY(js, type, field) {js, type, offsetof(vg_payments_config, field)}
static const option_field payments_fields[] = {
    PAY("ecpayMerchantId", OPT_STR, ecpay_merchant_id),
    PAY("ecpayHashKey", OPT_STR, ecpay_hash_key),
    PAY("ecpayHashIv", OPT_STR, ecpay_hash_iv),
    PAY("ecpayStage", OPT_BOOL, ecpay_stage),
    PAY("paddleWebhookSecret", OPT_STR, paddle_webhook_secret),
    PAY("paddleToleranceS", OPT_INT, paddle_tolerance_s),
    PAY("sandbox", OPT_BOOL, sandbox),
    PAY("orderTtlS", OPT_INT, order_ttl_s),
};
#undef PAY

/* Reads the options a table names from obj into the struct at base. */
static void read_fields(vgn_op *op, napi_value obj, const option_field *fields, size_t count,
                        void *base)
{
    for (size_t i = 0; i < count; i++) {
        napi_value value = vgn_op_prop(op, obj, fields[i].name);
        char *at = (char *)base + fields[i].offset;
        napi_valuetype type;
        if (napi_typeof(op->env, value, &type) != napi_ok || type == napi_undefined ||
            type == napi_null)
            continue;
        switch (fields[i].type) {
        case OPT_INT: {
            int64_t v = vgn_op_int(op, value, fields[i].name, 1);
            if (v < 0 || v > 0x7fffffff)
                vgn_op_reject(op, VGN_RANGE_ERROR, "%s must be between 0 and 2147483647", fields[i].name);
            *(int *)(void *)at = (int)v;
            break;
        }
        case OPT_ULL:
        case OPT_SIZE: {
            int64_t v = vgn_op_int(op, value, fields[i].name, 1);
            if (v < 0)
                vgn_op_reject(op, VGN_RANGE_ERROR, "%s must not be negative", fields[i].name);
            if (fields[i].type == OPT_ULL)
                *(unsigned long long *)(void *)at = (unsigned long long)v;
            else
                *(size_t *)(void *)at = (size_t)v;
            break;
        }
        case OPT_STR:
            *(const char **)(void *)at = vgn_op_string(op, value, fields[i].name, 1);
            break;
        case OPT_BOOL:
            *(int *)(void *)at = vgn_op_bool(op, value, fields[i].name, 1);
            break;
        }
    }
}

typedef struct enum_name {
    const char *name;
    int value;
} enum_name;

static const enum_name log_level_names[] = {
    {"debug", VG_LOG_DEBUG}, {"info", VG_LOG_INFO}, {"warn", VG_LOG_WARN},
    {"error", VG_LOG_ERROR}, {"none", VG_LOG_NONE}, {NULL, 0}};
static const enum_name expired_refund_names[] = {
    {"forfeit", VG_EXPIRED_REFUND_FORFEIT}, {"regrant", VG_EXPIRED_REFUND_REGRANT}, {NULL, 0}};
static const enum_name smtp_tls_names[] = {
    {"required", VG_SMTP_TLS_REQUIRED}, {"try", VG_SMTP_TLS_TRY}, {"none", VG_SMTP_TLS_NONE},
    {NULL, 0}};
static const enum_name provider_mode_names[] = {
    {"auto", VG_PROVIDERS_AUTO}, {"local", VG_PROVIDERS_LOCAL}, {"remote", VG_PROVIDERS_REMOTE},
    {NULL, 0}};

/* Sets *out from option `key` (a name of the table); absent leaves *out as it is. */
static void read_enum(vgn_op *op, napi_value obj, const char *key, const enum_name *names,
                      int *out)
{
    const char *name = vgn_op_string(op, vgn_op_prop(op, obj, key), key, 1);
    if (!name)
        return;
    for (; names->name; names++) {
        if (strcmp(names->name, name) == 0) {
            *out = names->value;
            return;
        }
    }
    vgn_op_reject(op, VGN_RANGE_ERROR, "%s: unknown value \"%s\"", key, name);
}

static int is_function(napi_env env, napi_value value)
{
    napi_valuetype type;
    return napi_typeof(env, value, &type) == napi_ok && type == napi_function;
}

/* providers: { gemini: { apiKey, baseUrl } | "key", ... } */
static void read_providers(vgn_op *op, napi_value obj, vg_config *cfg)
{
    napi_value providers = vgn_op_prop(op, obj, "providers"), names;
    napi_valuetype type;
    uint32_t count = 0;
    if (op->arg_error || napi_typeof(op->env, providers, &type) != napi_ok ||
        type == napi_undefined || type == napi_null)
        return;
    if (type != napi_object || napi_get_property_names(op->env, providers, &names) != napi_ok) {
        vgn_op_reject(op, VGN_TYPE_ERROR, "providers must be an object");
        return;
    }
    napi_get_array_length(op->env, names, &count);
    for (uint32_t i = 0; i < count && !op->arg_error; i++) {
        napi_value key, settings;
        napi_get_element(op->env, names, i, &key);
        const char *name = vgn_op_string(op, key, "providers key", 0);
        int index = name ? vg_provider_index(name) : -1;
        if (index < 0) {
            vgn_op_reject(op, VGN_RANGE_ERROR, "providers: unknown provider \"%s\"", name ? name : "");
            return;
        }
        napi_get_property(op->env, providers, key, &settings);
        napi_typeof(op->env, settings, &type);
        if (type == napi_string) {
            cfg->providers[index].api_key = vgn_op_string(op, settings, "providers.apiKey", 0);
            continue;
        }
        cfg->providers[index].api_key =
            vgn_op_string(op, vgn_op_prop(op, settings, "apiKey"), "apiKey", 1);
        cfg->providers[index].base_url =
            vgn_op_string(op, vgn_op_prop(op, settings, "baseUrl"), "baseUrl", 1);
    }
}

typedef struct open_op {
    vgn_op op;
    vg_config cfg;
    vg_ctx *ctx;
    context_extra *extra;
} open_op;

static void open_exec(vgn_op *op)
{
    open_op *o = (open_op *)op;
    op->rc = vg_open(&o->ctx, &o->cfg);
}

static void open_finish(vgn_op *op, napi_value *out)
{
    open_op *o = (open_op *)op;
    if (op->rc == 0) {
        *out = vgn_handle_new(op->env, VGN_CONTEXT, o->ctx, NULL, o->extra, context_extra_free);
        if (*out)
            return;
        vg_close(o->ctx); /* the handle could not be made (exception pending) */
    }
    context_extra_free(o->extra);
}

static void read_flags(vgn_op *op, napi_value options, vg_config *cfg)
{
    static const struct {
        const char *name;
        unsigned int flag;
        int fallback;
    } flags[] = {
        {"create", VG_OPEN_CREATE, 1},
        {"readonly", VG_OPEN_READONLY, 0},
        {"syncNormal", VG_OPEN_SYNC_NORMAL, 0},
    };
    cfg->flags = 0;
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
        napi_value value = vgn_op_prop(op, options, flags[i].name);
        napi_valuetype type;
        int on = flags[i].fallback;
        if (napi_typeof(op->env, value, &type) == napi_ok && type != napi_undefined)
            on = vgn_op_bool(op, value, flags[i].name, 1);
        if (on)
            cfg->flags |= flags[i].flag;
    }
}

/* Sets up the JS bridges (log, e-mail) and the manual clock of options. */
static void read_callbacks(vgn_op *op, napi_value options, open_op *o)
{
    napi_value log = vgn_op_prop(op, options, "log");
    napi_value email = vgn_op_prop(op, options, "onEmail");
    napi_value clock = vgn_op_prop(op, options, "clock");
    napi_valuetype type;
    if (op->arg_error)
        return;
    if (is_function(op->env, log)) {
        o->extra->log = vgn_emitter_new(op->env, log, "vidgo.log");
        o->cfg.log = log_to_js;
        o->cfg.log_payload = o->extra;
    }
    if (is_function(op->env, email)) {
        o->extra->email = vgn_emitter_new(op->env, email, "vidgo.email");
        o->cfg.email_sender = email_to_js;
        o->cfg.email_payload = o->extra;
    }
    if (napi_typeof(op->env, clock, &type) == napi_ok && type != napi_undefined &&
        type != napi_null) {
        o->extra->now = vgn_op_time(op, clock, "clock", 0);
        o->extra->manual_clock = 1;
        o->cfg.clock = manual_clock;
        o->cfg.clock_payload = o->extra;
    }
}

/* open(store, options) → Promise<context handle> */
static napi_value open_context(napi_env env, napi_callback_info info)
{
    size_t secret_len = 0;
    int level, refund, tls, mode;
    VGN_ARGS(env, info, 2, argv);
    open_op *o = vgn_op_new(env, sizeof *o, open_exec);
    if (!o)
        return NULL;
    o->op.finish = open_finish;
    vg_config_init(&o->cfg, VG_CONFIG_VERSION);
    o->cfg.store = vgn_op_string(&o->op, argv[0], "store", 1);
    read_flags(&o->op, argv[1], &o->cfg);
    read_fields(&o->op, argv[1], config_fields, sizeof config_fields / sizeof config_fields[0],
                &o->cfg);
    read_fields(&o->op, vgn_op_prop(&o->op, argv[1], "payments"), payments_fields,
                sizeof payments_fields / sizeof payments_fields[0], &o->cfg.payments);
    level = o->cfg.log_level, refund = o->cfg.expired_refund, tls = o->cfg.smtp_tls,
    mode = o->cfg.provider_mode;
    read_enum(&o->op, argv[1], "logLevel", log_level_names, &level);
    read_enum(&o->op, argv[1], "expiredRefund", expired_refund_names, &refund);
    read_enum(&o->op, argv[1], "smtpTls", smtp_tls_names, &tls);
    read_enum(&o->op, argv[1], "providerMode", provider_mode_names, &mode);
    o->cfg.log_level = level, o->cfg.expired_refund = refund, o->cfg.smtp_tls = tls,
    o->cfg.provider_mode = mode;
    o->cfg.secret = vgn_op_bytes(&o->op, vgn_op_prop(&o->op, argv[1], "secret"), "secret",
                                 &secret_len, 1);
    o->cfg.secret_len = secret_len;
    read_providers(&o->op, argv[1], &o->cfg);
    if (!o->op.arg_error) {
        o->extra = calloc(1, sizeof *o->extra);
        if (!o->extra)
            vgn_op_reject(&o->op, VGN_TYPE_ERROR, "out of memory");
        else
            read_callbacks(&o->op, argv[1], o);
    }
    return vgn_op_run(&o->op, VGN_ASYNC);
}

/* ---- the manual clock --------------------------------------------------------------- */

static context_extra *manual_clock_of(vgn_op *op, napi_value handle)
{
    context_extra *extra;
    if (!vgn_op_handle(op, handle, VGN_CONTEXT))
        return NULL;
    extra = vgn_handle_extra(op->env, handle, VGN_CONTEXT);
    if (!extra || !extra->manual_clock) {
        vgn_op_reject(op, VGN_TYPE_ERROR, "the engine was opened without a manual clock (option clock)");
        return NULL;
    }
    return extra;
}

typedef struct clock_op {
    vgn_op op;
    context_extra *extra;
    vg_time value;
    int add; /* advance by value instead of setting it */
} clock_op;

static void clock_exec(vgn_op *op)
{
    clock_op *o = (clock_op *)op;
    vg_time now = o->add ? __atomic_add_fetch(&o->extra->now, o->value, __ATOMIC_ACQ_REL)
                         : (__atomic_store_n(&o->extra->now, o->value, __ATOMIC_RELEASE), o->value);
    op->result = vgn_time(now);
}

static napi_value clock_move(napi_env env, napi_callback_info info, int add)
{
    VGN_ARGS(env, info, 2, argv);
    clock_op *o = vgn_op_new(env, sizeof *o, clock_exec);
    if (!o)
        return NULL;
    o->extra = manual_clock_of(&o->op, argv[0]);
    o->add = add;
    o->value = add ? (vg_time)(vgn_op_number(&o->op, argv[1], "ms", 0) * 1000.0)
                   : vgn_op_time(&o->op, argv[1], "time", 0);
    return vgn_op_run(&o->op, VGN_SYNC);
}

/* clock_set(ctx, Date) → Date; clock_advance(ctx, ms) → Date */
static napi_value clock_set(napi_env env, napi_callback_info info) { return clock_move(env, info, 0); }
static napi_value clock_advance(napi_env env, napi_callback_info info) { return clock_move(env, info, 1); }

/* ---- small calls on a context ------------------------------------------------------- */

typedef struct ctx_op {
    vgn_op op;
    vg_ctx *ctx;
    const char *text;
    int64_t a, b;
} ctx_op;

static ctx_op *ctx_op_new(napi_env env, napi_value handle, vgn_exec_fn exec)
{
    ctx_op *o = vgn_op_new(env, sizeof *o, exec);
    if (o)
        o->ctx = vgn_op_handle(&o->op, handle, VGN_CONTEXT);
    return o;
}

static void lang_exec(vgn_op *op) { op->result = vgn_str(vg_ctx_lang(((ctx_op *)op)->ctx)); }
static void now_exec(vgn_op *op) { op->result = vgn_time(vg_ctx_now(((ctx_op *)op)->ctx)); }
static void backend_exec(vgn_op *op) { op->result = vgn_str(vg_store_backend_name(((ctx_op *)op)->ctx)); }
static void location_exec(vgn_op *op) { op->result = vgn_str(vg_store_location(((ctx_op *)op)->ctx)); }

/* The last failure on this context from any thread: {errno, message} or null. */
static void last_exec(vgn_op *op)
{
    vg_ctx *ctx = ((ctx_op *)op)->ctx;
    int code = vg_ctx_errcode(ctx);
    if (code == 0) {
        op->result = vgn_null();
        return;
    }
    op->result = vgn_object();
    vgn_set_int(op->result, "errno", code);
    vgn_set_str(op->result, "code", vg_error_name(code));
    vgn_set_str(op->result, "message", vg_ctx_errmsg(ctx));
}

static void schema_exec(vgn_op *op)
{
    int version = 0;
    op->rc = vg_store_schema_version(&version, ((ctx_op *)op)->ctx);
    op->result = vgn_int(version);
}

static int event_row(int64_t id, vg_time at, const char *kind, const char *detail, void *payload)
{
    vgn_val *row = vgn_object();
    vgn_set_int(row, "id", id);
    vgn_set_time(row, "at", at);
    vgn_set_str(row, "kind", kind);
    vgn_set_str(row, "detail", detail);
    vgn_push(payload, row);
    return 0;
}

static void events_exec(vgn_op *op)
{
    ctx_op *o = (ctx_op *)op;
    op->result = vgn_array();
    op->rc = vg_store_events(o->ctx, o->a, (int)o->b, event_row, op->result);
}

static void problem_row(const char *check, const char *subject, const char *detail, void *payload)
{
    vgn_val *row = vgn_object();
    vgn_set_str(row, "check", check);
    vgn_set_str(row, "subject", subject);
    vgn_set_str(row, "detail", detail);
    vgn_push(payload, row);
}

/* Problems are the result; VG_EINVARIANT only says there are some. */
static void check_exec(vgn_op *op)
{
    op->result = vgn_array();
    op->rc = vg_check(NULL, ((ctx_op *)op)->ctx, problem_row, op->result);
    if (op->rc == VG_EINVARIANT)
        op->rc = VG_OK;
}

#define CTX_CALL(fn, exec, mode)                                           \
    static napi_value fn(napi_env env, napi_callback_info info)            \
    {                                                                      \
        VGN_ARGS(env, info, 1, argv);                                      \
        ctx_op *o = ctx_op_new(env, argv[0], exec);                        \
        return o ? vgn_op_run(&o->op, mode) : NULL;                        \
    }
CTX_CALL(ctx_lang, lang_exec, VGN_SYNC)
CTX_CALL(ctx_now, now_exec, VGN_SYNC)
CTX_CALL(ctx_last_error, last_exec, VGN_SYNC)
CTX_CALL(store_backend_name, backend_exec, VGN_SYNC)
CTX_CALL(store_location, location_exec, VGN_SYNC)
CTX_CALL(store_schema_version, schema_exec, VGN_ASYNC)
CTX_CALL(check, check_exec, VGN_ASYNC)
#undef CTX_CALL

/* store_events(ctx, afterId, limit) → Promise<[{id, at, kind, detail}]> */
static napi_value store_events(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 3, argv);
    ctx_op *o = ctx_op_new(env, argv[0], events_exec);
    if (!o)
        return NULL;
    o->a = vgn_op_int(&o->op, argv[1], "afterId", 1);
    o->b = vgn_op_int(&o->op, argv[2], "limit", 0);
    return vgn_op_run(&o->op, VGN_ASYNC);
}

/* ---- library-wide ------------------------------------------------------------------- */

typedef struct lib_op {
    vgn_op op;
    const char *text, *text2;
    int64_t number;
    vg_time time;
} lib_op;

static void version_exec(vgn_op *op)
{
    op->result = vgn_object();
    vgn_set_str(op->result, "version", vg_version());
    vgn_set_int(op->result, "number", vg_version_number());
    vgn_set_int(op->result, "configVersion", vg_config_version());
    vgn_set_int(op->result, "configSize", (int64_t)vg_config_size());
    vgn_set_int(op->result, "schemaLatest", vg_store_schema_latest());
    vgn_set_int(op->result, "timeTextSize", (int64_t)vg_time_text_size());
}

/* Every constant of the headers by name, and the status codes. */
static void constants_exec(vgn_op *op)
{
    vgn_val *constants = vgn_object(), *errors = vgn_array(), *langs = vgn_array();
    for (size_t i = 0; i < vg_constant_count(); i++) {
        long long value = 0;
        const char *name = vg_constant_name_at(i);
        if (vg_constant(&value, name) == VG_OK)
            vgn_set(constants, name, vgn_int(value)); /* names are static in the library */
    }
    for (size_t i = 0; i < vg_error_count(); i++) {
        vgn_val *row = vgn_object();
        int code = vg_error_code_at(i);
        vgn_set_int(row, "errno", code);
        vgn_set_str(row, "code", vg_error_name(code));
        vgn_push(errors, row);
    }
    for (size_t i = 0; vg_lang_tag(i); i++)
        vgn_push(langs, vgn_str(vg_lang_tag(i)));
    op->result = vgn_object();
    vgn_set(op->result, "constants", constants);
    vgn_set(op->result, "errors", errors);
    vgn_set(op->result, "langs", langs);
}

static void strerror_exec(vgn_op *op)
{
    lib_op *o = (lib_op *)op;
    op->result = vgn_str(vg_strerror((int)o->number, o->text));
}

static void error_name_exec(vgn_op *op) { op->result = vgn_str(vg_error_name((int)((lib_op *)op)->number)); }

static void lang_index_exec(vgn_op *op) { op->result = vgn_int(vg_lang_index(((lib_op *)op)->text)); }

static void backend_available_exec(vgn_op *op)
{
    op->result = vgn_bool(vg_store_backend_available(((lib_op *)op)->text));
}

static void time_parse_exec(vgn_op *op)
{
    vg_time t = 0;
    op->rc = vg_time_parse(&t, ((lib_op *)op)->text);
    op->result = vgn_time(t);
}

static void time_format_exec(vgn_op *op)
{
    char text[VG_TIME_TEXT_SIZE];
    op->rc = vg_time_format(text, sizeof text, ((lib_op *)op)->time);
    op->result = vgn_str(text);
}

static void time_now_exec(vgn_op *op) { op->result = vgn_time(vg_time_now_system()); }

/* The calling thread's last failure (the main thread's: async calls report theirs in
 * their rejection). */
static void error_last_exec(vgn_op *op)
{
    int code = vg_error_last_code();
    op->result = code ? vgn_object() : vgn_null();
    if (!code)
        return;
    vgn_set_int(op->result, "errno", code);
    vgn_set_str(op->result, "code", vg_error_name(code));
    vgn_set_str(op->result, "message", vg_error_last());
    vgn_set_int(op->result, "retryAfter", vg_error_retry_after());
}

static void error_clear_exec(vgn_op *op)
{
    (void)op;
    vg_error_clear();
}

/* fn(text, number, time) → one sync call of a library-wide function. */
static napi_value lib_call(napi_env env, napi_callback_info info, vgn_exec_fn exec,
                           const char *text_name, int text_optional, const char *number_name,
                           int time_arg)
{
    VGN_ARGS(env, info, 2, argv);
    lib_op *o = vgn_op_new(env, sizeof *o, exec);
    int next = 0;
    if (!o)
        return NULL;
    if (number_name)
        o->number = vgn_op_int(&o->op, argv[next++], number_name, 0);
    if (text_name)
        o->text = vgn_op_string(&o->op, argv[next++], text_name, text_optional);
    if (time_arg)
        o->time = vgn_op_time(&o->op, argv[next], "time", 0);
    return vgn_op_run(&o->op, VGN_SYNC);
}

#define LIB_CALL(fn, exec, text, optional, number, time)                           \
    static napi_value fn(napi_env env, napi_callback_info info)                    \
    {                                                                              \
        return lib_call(env, info, exec, text, optional, number, time);            \
    }
LIB_CALL(version, version_exec, NULL, 0, NULL, 0)
LIB_CALL(constants, constants_exec, NULL, 0, NULL, 0)
LIB_CALL(strerror_, strerror_exec, "lang", 1, "errno", 0)
LIB_CALL(error_name, error_name_exec, NULL, 0, "errno", 0)
LIB_CALL(lang_index, lang_index_exec, "tag", 0, NULL, 0)
LIB_CALL(store_backend_available, backend_available_exec, "name", 0, NULL, 0)
LIB_CALL(time_parse, time_parse_exec, "text", 0, NULL, 0)
LIB_CALL(time_format, time_format_exec, NULL, 0, NULL, 1)
LIB_CALL(time_now_system, time_now_exec, NULL, 0, NULL, 0)
LIB_CALL(error_last, error_last_exec, NULL, 0, NULL, 0)
LIB_CALL(error_clear, error_clear_exec, NULL, 0, NULL, 0)
#undef LIB_CALL

static const vgn_function functions[] = {
    {"open", open_context},
    {"clock_set", clock_set},
    {"clock_advance", clock_advance},
    {"ctx_lang", ctx_lang},
    {"ctx_now", ctx_now},
    {"ctx_last_error", ctx_last_error},
    {"store_backend_name", store_backend_name},
    {"store_location", store_location},
    {"store_schema_version", store_schema_version},
    {"store_events", store_events},
    {"check", check},
    {"version", version},
    {"constants", constants},
    {"strerror", strerror_},
    {"error_name", error_name},
    {"lang_index", lang_index},
    {"store_backend_available", store_backend_available},
    {"time_parse", time_parse},
    {"time_format", time_format},
    {"time_now_system", time_now_system},
    {"error_last", error_last},
    {"error_clear", error_clear},
};

int vgn_register_context(napi_env env, napi_value exports)
{
    return vgn_export(env, exports, functions, sizeof functions / sizeof functions[0]);
}
