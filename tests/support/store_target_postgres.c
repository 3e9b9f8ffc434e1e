/* SPDX-License-Identifier: MIT */
/* The PostgreSQL target: every store is a new database, vgt_<pid>_<serial>, on the server of
 * $VIDGO_TEST_PG_URL (an administrator's URL); cleanup drops them all. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "store_target.h"

static PGconn *admin;
static pid_t admin_pid;   /* the process that opened `admin` */
static pid_t created_pid; /* the process that created the databases */
static int created;       /* vgt_<created_pid>_1 .. vgt_<created_pid>_<created> */

/* Copies libpq's message onto one line. */
static void one_line(char *dst, size_t size, const char *src)
{
    size_t n = 0;
    for (; *src && n + 1 < size; src++)
        dst[n++] = (*src == '\n' || *src == '\t') ? ' ' : *src;
    while (n > 0 && dst[n - 1] == ' ')
        n--;
    dst[n] = '\0';
}

/* The URL with SQLAlchemy's "+driver" dropped, which libpq reads. */
static const char *admin_url(char *buf, size_t size)
{
    const char *url = getenv("VIDGO_TEST_PG_URL"), *sep;
    if (!url || !*url)
        return NULL;
    sep = strstr(url, "://");
    if (sep && strncasecmp(url, "postgres", 8) == 0 && memchr(url, '+', (size_t)(sep - url)))
        snprintf(buf, size, "postgresql%s", sep);
    else
        snprintf(buf, size, "%s", url);
    return buf;
}

static int connect_admin(char *buf, size_t size, const char *url)
{
    char message[400];

    if (admin && admin_pid == getpid() && PQstatus(admin) == CONNECTION_OK)
        return 0;
    if (admin && admin_pid == getpid())
        PQfinish(admin);
    admin = NULL; /* a forked child leaves its parent's connection alone */
    admin = PQconnectdb(url);
    if (PQstatus(admin) != CONNECTION_OK) {
        one_line(message, sizeof message, PQerrorMessage(admin));
        snprintf(buf, size, "cannot reach the PostgreSQL server of VIDGO_TEST_PG_URL: %s",
                 message);
        PQfinish(admin);
        admin = NULL;
        return -1;
    }
    admin_pid = getpid();
    return 0;
}

/* Writes url with its database (the path) replaced by db into buf. */
static int with_database(char *buf, size_t size, const char *url, const char *db)
{
    const char *authority = strstr(url, "://"), *path, *query;
    int n;

    if (!authority) {
        snprintf(buf, size, "VIDGO_TEST_PG_URL is not a postgresql:// URL");
        return -1;
    }
    authority += 3;
    path = authority + strcspn(authority, "/?");
    query = path + strcspn(path, "?");
    n = snprintf(buf, size, "%.*s/%s%s", (int)(path - url), url, db, query);
    if (n < 0 || (size_t)n >= size) {
        snprintf(buf, size, "VIDGO_TEST_PG_URL is too long");
        return -1;
    }
    return 0;
}

static int exec_admin(char *buf, size_t size, const char *sql)
{
    PGresult *res = PQexec(admin, sql);
    char message[400];
    int ok = PQresultStatus(res) == PGRES_COMMAND_OK;

    if (!ok && buf) {
        one_line(message, sizeof message, PQerrorMessage(admin));
        snprintf(buf, size, "%s: %s", sql, message);
    }
    PQclear(res);
    return ok ? 0 : -1;
}

static int pg_fresh_location(char *buf, size_t size, const char *label)
{
    char url[512], db[64], sql[160];
    (void)label; /* the name must be a safe identifier: pid and serial only */

    if (!admin_url(url, sizeof url)) {
        snprintf(buf, size, "VIDGO_TEST_PG_URL is not set (the postgresql:// URL of a server "
                            "where the tests may create databases)");
        return -1;
    }
    if (connect_admin(buf, size, url) != 0)
        return -1;
    if (created_pid != getpid()) { /* a forked child numbers its own databases */
        created_pid = getpid();
        created = 0;
    }
    snprintf(db, sizeof db, "vgt_%ld_%d", (long)getpid(), created + 1);
    snprintf(sql, sizeof sql, "CREATE DATABASE %s TEMPLATE template0 ENCODING 'UTF8'", db);
    if (exec_admin(buf, size, sql) != 0)
        return -1;
    created++;
    return with_database(buf, size, url, db);
}

static void pg_cleanup(void)
{
    char sql[128];
    int i;

    if (!admin || admin_pid != getpid() || created_pid != getpid())
        return;
    for (i = 1; i <= created; i++) {
        snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS vgt_%ld_%d WITH (FORCE)",
                 (long)created_pid, i);
        if (exec_admin(NULL, 0, sql) != 0)
            fprintf(stderr, "could not drop database vgt_%ld_%d: %s", (long)created_pid, i,
                    PQerrorMessage(admin));
    }
    created = 0;
    PQfinish(admin);
    admin = NULL;
}

const store_target vg_test_postgres_target = {
    "postgresql", vg_store_backend_postgres, pg_fresh_location, pg_cleanup,
};
