/* SPDX-License-Identifier: MIT */
/* Choosing a backend for a store location, opening it and bringing its schema up to date. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "store.h"
#include "../plans/plans_internal.h"

#define DEFAULT_POOL_SIZE 8
#define DEFAULT_BUSY_TIMEOUT_MS 10000
#define DEFAULT_STORE "vidgo.db"

static int has_prefix(const char *s, const char *prefix)
{
    return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

/* "postgresql://", "postgres://", and SQLAlchemy's "postgresql+asyncpg://" style. */
static int is_postgres_url(const char *loc)
{
    const char *rest = has_prefix(loc, "postgresql") ? loc + 10 : has_prefix(loc, "postgres") ? loc + 8 : NULL;
    if (!rest)
        return 0;
    if (*rest == '+')
        rest += strcspn(rest, ":/");
    return strncmp(rest, "://", 3) == 0;
}

static int pick_backend(vg_ctx *ctx, const vg_config *config)
{
    const char *loc = ctx->store_location;

    if (config && config->store_backend) {
        ctx->backend = config->store_backend;
        return VG_OK;
    }
    if (is_postgres_url(loc)) {
        ctx->backend = vg_store_backend_postgres();
        if (!ctx->backend)
            return vg__fail(ctx, VG_EUNSUPPORTED,
                            "this libvidgo was built without the PostgreSQL backend");
        return VG_OK;
    }
    ctx->backend = vg_store_backend_sqlite();
    return VG_OK;
}

static int backend_complete(vg_ctx *ctx)
{
    const vg_store_backend *b = ctx->backend;
    if (b->version < 1 || !b->name || !b->connect || !b->disconnect || !b->errmsg || !b->begin ||
        !b->commit || !b->rollback || !b->schema_get || !b->schema_step || !b->meta_get ||
        !b->meta_put || !b->meta_delete || !b->event_append || !b->event_list)
        return vg__fail(ctx, VG_ECONFIG, "the store backend \"%s\" lacks required methods",
                        b->name ? b->name : "?");
    return VG_OK;
}

/* A copy of the location with the password of a URL ("user:secret@host", "password=secret")
 * replaced by "***", so that it can be logged and shown. */
static char *redact_location(vg_ctx *ctx, const char *loc)
{
    size_t n = strlen(loc);
    char *out = vg__alloc(ctx, 2 * n + 8), *w; /* "***" grows each password by at most 3 */
    const char *scheme = strstr(loc, "://"), *at, *colon, *p;

    if (!out)
        return NULL;
    w = out;
    p = loc;
    if (scheme) {
        at = strchr(scheme + 3, '@');
        colon = memchr(scheme + 3, ':', at ? (size_t)(at - scheme - 3) : 0);
        if (at && colon) {
            memcpy(w, loc, (size_t)(colon + 1 - loc));
            w += colon + 1 - loc;
            memcpy(w, "***", 3);
            w += 3;
            p = at;
        }
    }
    while (*p) {
        if (has_prefix(p, "password=") && (p == loc || p[-1] == '?' || p[-1] == '&' || p[-1] == ' ')) {
            memcpy(w, "password=***", 12);
            w += 12;
            p += 9;
            while (*p && *p != '&' && *p != ' ')
                p++;
            continue;
        }
        *w++ = *p++;
    }
    *w = '\0';
    return out;
}

static int migrate_body(vg__txn *txn, void *payload)
{
    int rc = vg__schema_migrate(txn, VG_STORE_SCHEMA_VERSION);
    (void)payload;
    if (rc == VG_OK && txn->mode == VG_TXN_WRITE)
        rc = vg__catalog_seed(txn);
    return rc;
}

int vg__store_open(vg_ctx *ctx, const vg_config *config)
{
    const char *loc = config ? config->store : NULL;
    vg_txn_mode mode = (ctx->flags & VG_OPEN_READONLY) ? VG_TXN_READ : VG_TXN_WRITE;
    int rc;


    /* Where the store is, in order: the config, $VIDGO_DB, $VIDGO_DATABASE_URL, the seed's
     * $DATABASE_URL (PostgreSQL URLs only), then ./vidgo.db. */
    static const char *const env_names[] = {"VIDGO_DB", "VIDGO_DATABASE_URL", "DATABASE_URL"};
    size_t i;
    for (i = 0; i < sizeof env_names / sizeof env_names[0] && (!loc || !*loc); i++) {
        loc = getenv(env_names[i]);
        if (loc && i == 2 && !is_postgres_url(loc))
            loc = NULL; /* the seed's variable may name another database of the host's */
    }
    if (!loc || !*loc)
        loc = DEFAULT_STORE;
    if (!vg__utf8_valid(loc))
        return vg__fail(ctx, VG_EUTF8, "the store location is not valid UTF-8");
    ctx->store_location = vg__strdup(ctx, loc);
    ctx->store_location_redacted = ctx->store_location ? redact_location(ctx, loc) : NULL;
    if (!ctx->store_location || !ctx->store_location_redacted)
        return vg__fail(ctx, VG_ENOMEM, "out of memory");

    if ((rc = pick_backend(ctx, config)) != VG_OK || (rc = backend_complete(ctx)) != VG_OK)
        return rc;

    ctx->pool.max = config && config->store_pool_size > 0 ? config->store_pool_size
                                                          : DEFAULT_POOL_SIZE;
    ctx->busy_timeout_ms = config && config->busy_timeout_ms > 0 ? config->busy_timeout_ms
                                                                 : DEFAULT_BUSY_TIMEOUT_MS;
    ctx->pool.idle = vg__calloc(ctx, (size_t)ctx->pool.max, sizeof *ctx->pool.idle);
    if (!ctx->pool.idle)
        return vg__fail(ctx, VG_ENOMEM, "out of memory");

    ctx->store_params.version = VG_STORE_PARAMS_VERSION;
    ctx->store_params.location = ctx->store_location;
    ctx->store_params.flags = ctx->flags;
    ctx->store_params.busy_timeout_ms = ctx->busy_timeout_ms;
    ctx->store_params.alloc = ctx->alloc;
    ctx->store_params.alloc_payload = ctx->alloc_payload;

    /* Read-only: the same pass in a read transaction only checks the version. */
    return vg__txn_run(ctx, mode, migrate_body, NULL);
}

void vg__store_close(vg_ctx *ctx)
{
    if (ctx->backend)
        vg__pool_destroy(ctx);
    vg__free(ctx, ctx->store_location);
    vg__free(ctx, ctx->store_location_redacted);
}

int vg_store_backend_available(const char *name)
{
    if (!name)
        return 0;
    if (strcmp(name, "sqlite") == 0)
        return 1;
    return strcmp(name, "postgresql") == 0 && vg_store_backend_postgres() != NULL;
}

const char *vg_store_backend_name(const vg_ctx *ctx)
{
    return ctx && ctx->backend ? ctx->backend->name : "";
}

const char *vg_store_location(const vg_ctx *ctx)
{
    return ctx && ctx->store_location_redacted ? ctx->store_location_redacted : "";
}
