/* SPDX-License-Identifier: MIT */
/* The conformance suite for the version-4 (similarity cache) methods of a backend: cache
 * entries and their change sequence, embeddings, moderation verdicts and counters, as
 * include/vidgo/sys/store.h says. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "conformance.h"

/* --- what the backend must have ---------------------------------------------------------- */

/* Fails the test unless the backend says it is of version 4 and has each of its methods
 * (calling a missing one would crash the suite). */
static void require_cache(const vg_store_backend *b)
{
    const struct {
        const char *name;
        int present;
    } methods[] = {
        {"cache_entry_insert", b->cache_entry_insert != NULL},
        {"cache_entry_delete", b->cache_entry_delete != NULL},
        {"cache_entry_touch", b->cache_entry_touch != NULL},
        {"cache_entries_changed", b->cache_entries_changed != NULL},
        {"cache_entry_get", b->cache_entry_get != NULL},
        {"embedding_put", b->embedding_put != NULL},
        {"embedding_get", b->embedding_get != NULL},
        {"block_put", b->block_put != NULL},
        {"block_get", b->block_get != NULL},
        {"counter_add", b->counter_add != NULL},
        {"counter_get", b->counter_get != NULL},
    };
    size_t i;

    if (b->version < 4)
        fail_msg("the %s backend is of version %u, not 4", b->name, b->version);
    for (i = 0; i < sizeof methods / sizeof methods[0]; i++)
        if (!methods[i].present)
            fail_msg("the %s backend has no %s", b->name, methods[i].name);
}

/* raw_begin() on a backend that has the cache methods. */
static raw_store cache_begin(const char *label)
{
    require_cache(target->backend());
    return raw_begin(label);
}

/* --- records to write -------------------------------------------------------------------- */

/* A hash of a normalised prompt: zero bytes first, inside and last (so it is no C string),
 * bytes >= 0x80, and the rest set by `seed`. */
static void make_hash(unsigned char hash[VG_STORE_HASH_SIZE], int seed)
{
    size_t i;
    for (i = 0; i < VG_STORE_HASH_SIZE; i++)
        hash[i] = (unsigned char)(seed * 41 + i * 23 + 0x90);
    hash[0] = 0;
    hash[9] = 0;
    hash[VG_STORE_HASH_SIZE - 1] = 0;
}

/* Writes UTF-8 text that fills a field of `size` bytes (size - 1 bytes and the terminator):
 * `head`, then `fill` repeated, then a four-byte character in the last four bytes. */
static void fill_text(char *out, size_t size, const char *head, char fill)
{
    static const char tail[] = "🎬";
    size_t head_len = strlen(head), end = size - 1 - (sizeof tail - 1);
    assert_true(head_len <= end);
    memcpy(out, head, head_len);
    memset(out + head_len, fill, end - head_len);
    memcpy(out + end, tail, sizeof tail);
}

/* Bit patterns a stored vector must keep exactly: signed zeros, denormals, infinities, quiet
 * and signalling NaNs with payloads, the extremes of the normal range. */
static const uint32_t special_bits[] = {
    0x80000000u, /* -0.0 */
    0x00000001u, /* the smallest denormal */
    0x807FFFFFu, /* the negative denormal farthest from zero */
    0x7FC00000u, /* the default quiet NaN */
    0x7FA00001u, /* a signalling NaN with a payload */
    0xFFC12345u, /* a negative quiet NaN with a payload */
    0x7F800000u, /* +infinity */
    0xFF800000u, /* -infinity */
    0x00000000u, /* +0.0 */
    0x7F7FFFFFu, /* the largest float */
    0x00800000u, /* the smallest normal */
    0x3F800000u, /* 1.0 */
};
#define SPECIAL_COUNT ((int)(sizeof special_bits / sizeof special_bits[0]))

/* A vector of `dimension` floats (caller frees): special_bits, starting at `seed`, then any
 * 32 bits from a generator seeded by `seed` (more NaNs and denormals among them). Built
 * with memcpy only, so that no float register ever quiets a NaN. */
static float *make_vector(int dimension, int seed)
{
    float *v = malloc(sizeof *v * (size_t)dimension);
    uint32_t bits, state = 2463534242u ^ ((uint32_t)seed * 2654435761u);
    int i;
    assert_non_null(v);
    for (i = 0; i < dimension; i++) {
        if (i < SPECIAL_COUNT) {
            bits = special_bits[(i + seed) % SPECIAL_COUNT];
        } else {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            bits = state;
        }
        memcpy(&v[i], &bits, sizeof bits);
    }
    return v;
}

/* An entry that fills every text field, with every number distinct and set by `seed`; the
 * fields insert must ignore hold values that would show if it did not. */
static vg_store_cache_entry make_entry(int64_t owner_id, int seed, const float *vector,
                                       int dimension)
{
    vg_store_cache_entry e;
    char head[96];
    memset(&e, 0, sizeof e);
    e.id = 987654321;
    e.seq = 123456789;
    e.deleted = 1;
    e.hits = 424242;
    snprintf(head, sizeof head, "user:%lld/影片 %d ", (long long)owner_id, seed);
    fill_text(e.scope, sizeof e.scope, head, (char)('a' + seed % 26));
    snprintf(head, sizeof head, "%d it's \"a cat\" \\ 100%% _x_\n\tрыжий кот ", seed);
    fill_text(e.prompt, sizeof e.prompt, head, 'p');
    make_hash(e.prompt_hash, seed);
    snprintf(head, sizeof head, "local/minilm-%d/%d", seed, dimension);
    fill_text(e.fingerprint, sizeof e.fingerprint, head, 'f');
    snprintf(head, sizeof head, "s3://vidgo-out/%d/結果.mp4?v=", seed);
    fill_text(e.result, sizeof e.result, head, 'r');
    e.owner_id = owner_id;
    e.owner_only = 1;
    e.cost_micro_usd = 123456789012 + seed;
    e.created_at = 1700000000000 + seed;
    e.expires_at = 1800000000000 + seed;
    e.last_hit_at = 1700000000500 + seed;
    e.dimension = dimension;
    e.vector = vector;
    return e;
}

static vg_store_embedding make_embedding(int seed, const char *fingerprint, const float *vector,
                                         int dimension)
{
    vg_store_embedding e;
    memset(&e, 0, sizeof e);
    make_hash(e.prompt_hash, seed);
    snprintf(e.fingerprint, sizeof e.fingerprint, "%s", fingerprint);
    e.created_at = 1700000000000 + seed;
    e.dimension = dimension;
    e.vector = vector;
    return e;
}

static vg_store_block make_block(int seed, const char *reason, vg_time expires_at)
{
    vg_store_block b;
    memset(&b, 0, sizeof b);
    make_hash(b.prompt_hash, seed);
    snprintf(b.reason, sizeof b.reason, "%s", reason);
    b.created_at = 1700000000000 + seed;
    b.expires_at = expires_at;
    return b;
}

/* --- comparing what was read ------------------------------------------------------------- */

/* Every field but seq (which the store assigns), and the vector bit for bit; reads
 * got->vector, so call it before the next call on the connection that gave it. */
static void assert_entry_is(const vg_store_cache_entry *got, const vg_store_cache_entry *want)
{
    assert_int_equal(got->id, want->id);
    assert_int_equal(got->deleted, want->deleted);
    assert_string_equal(got->scope, want->scope);
    assert_string_equal(got->prompt, want->prompt);
    assert_memory_equal(got->prompt_hash, want->prompt_hash, VG_STORE_HASH_SIZE);
    assert_string_equal(got->fingerprint, want->fingerprint);
    assert_string_equal(got->result, want->result);
    assert_int_equal(got->owner_id, want->owner_id);
    assert_int_equal(got->owner_only, want->owner_only);
    assert_int_equal(got->cost_micro_usd, want->cost_micro_usd);
    assert_int_equal(got->hits, want->hits);
    assert_int_equal(got->created_at, want->created_at);
    assert_int_equal(got->expires_at, want->expires_at);
    assert_int_equal(got->last_hit_at, want->last_hit_at);
    assert_int_equal(got->dimension, want->dimension);
    assert_non_null(got->vector);
    assert_memory_equal(got->vector, want->vector, sizeof(float) * (size_t)want->dimension);
}

/* What an inserted entry reads back as: its new id, not deleted, no hits. */
static vg_store_cache_entry as_inserted(vg_store_cache_entry e, int64_t id)
{
    e.id = id;
    e.deleted = 0;
    e.hits = 0;
    return e;
}

static void assert_embedding_is(const vg_store_embedding *got, const vg_store_embedding *want)
{
    assert_memory_equal(got->prompt_hash, want->prompt_hash, VG_STORE_HASH_SIZE);
    assert_string_equal(got->fingerprint, want->fingerprint);
    assert_int_equal(got->created_at, want->created_at);
    assert_int_equal(got->dimension, want->dimension);
    assert_non_null(got->vector);
    assert_memory_equal(got->vector, want->vector, sizeof(float) * (size_t)want->dimension);
}

static void assert_block_is(const vg_store_block *got, const vg_store_block *want)
{
    assert_memory_equal(got->prompt_hash, want->prompt_hash, VG_STORE_HASH_SIZE);
    assert_string_equal(got->reason, want->reason);
    assert_int_equal(got->created_at, want->created_at);
    assert_int_equal(got->expires_at, want->expires_at);
}

/* Reads a live entry on a connection and checks it is `want` (seq aside). */
static void assert_get_is(const vg_store_backend *b, vg_store_conn *conn,
                          const vg_store_cache_entry *want)
{
    vg_store_cache_entry read;
    memset(&read, 0xAB, sizeof read);
    assert_int_equal(b->cache_entry_get(&read, conn, want->id), VG_OK);
    assert_entry_is(&read, want);
}

/* The seq of a live entry. */
static int64_t seq_of(const vg_store_backend *b, vg_store_conn *conn, int64_t id)
{
    vg_store_cache_entry read;
    assert_int_equal(b->cache_entry_get(&read, conn, id), VG_OK);
    return read.seq;
}

static int64_t counter_of(const vg_store_backend *b, vg_store_conn *conn, const char *name)
{
    int64_t value = -12345;
    assert_int_equal(b->counter_get(&value, conn, name), VG_OK);
    return value;
}

/* --- the changed-list -------------------------------------------------------------------- */

typedef struct change {
    int64_t id, seq;
    int deleted;
} change;

/* Entries met by cache_entries_changed, in order; it stops the listing after stop_after
 * (0: never). */
typedef struct changes {
    int count, stop_after;
    change items[64];
} changes;

static int note_change(const vg_store_cache_entry *entry, void *payload)
{
    changes *seen = payload;
    if (seen->count < 64)
        seen->items[seen->count] = (change){entry->id, entry->seq, entry->deleted};
    seen->count++;
    return seen->stop_after && seen->count >= seen->stop_after;
}

static changes list_changes(const vg_store_backend *b, vg_store_conn *conn, int64_t after_seq,
                            int limit)
{
    changes seen = {0};
    assert_int_equal(b->cache_entries_changed(conn, after_seq, limit, note_change, &seen), VG_OK);
    return seen;
}

/* Live entries met by cache_entries_changed, copied with their vectors during the callback
 * (the record is only valid then). */
typedef struct copies {
    int count;
    vg_store_cache_entry entries[4];
    float *vectors[4];
} copies;

static int copy_entry(const vg_store_cache_entry *entry, void *payload)
{
    copies *c = payload;
    size_t bytes = sizeof(float) * (size_t)(entry->dimension > 0 ? entry->dimension : 0);
    if (c->count < 4) {
        c->entries[c->count] = *entry;
        c->vectors[c->count] = NULL;
        if (entry->vector && bytes) {
            c->vectors[c->count] = malloc(bytes);
            memcpy(c->vectors[c->count], entry->vector, bytes);
        }
        c->entries[c->count].vector = c->vectors[c->count];
    }
    c->count++;
    return 0;
}

static void copies_free(copies *c)
{
    int i;
    for (i = 0; i < c->count && i < 4; i++)
        free(c->vectors[i]);
}

/* --- incremental sync, as a cache index does it ------------------------------------------ */

#define SYNC_CAPACITY 512
#define SYNC_PAGE 16

/* What a reader knows of the cache: the last seq it listed and the latest state of each
 * entry it met. It never asserts, so that threads can use it. */
typedef struct sync_state {
    int64_t watermark;
    int count;
    change latest[SYNC_CAPACITY];
    int in_page;
    int disorder;  /* seqs listed not above the one before them */
    int overflow;  /* more entries than SYNC_CAPACITY */
} sync_state;

static int fold_change(const vg_store_cache_entry *entry, void *payload)
{
    sync_state *s = payload;
    int i;
    s->in_page++;
    if (entry->seq <= s->watermark)
        s->disorder++;
    else
        s->watermark = entry->seq;
    for (i = 0; i < s->count; i++)
        if (s->latest[i].id == entry->id)
            break;
    if (i == s->count) {
        if (s->count == SYNC_CAPACITY) {
            s->overflow++;
            return 0;
        }
        s->count++;
    }
    s->latest[i] = (change){entry->id, entry->seq, entry->deleted};
    return 0;
}

/* One sync: a read transaction listing, page by page, what changed after the watermark. */
static int sync_once(const vg_store_backend *b, vg_store_conn *conn, sync_state *s)
{
    int rc = b->begin(conn, VG_TXN_READ);
    if (rc != VG_OK)
        return rc;
    do {
        s->in_page = 0;
        rc = b->cache_entries_changed(conn, s->watermark, SYNC_PAGE, fold_change, s);
    } while (rc == VG_OK && s->in_page == SYNC_PAGE);
    if (rc == VG_OK)
        return b->commit(conn);
    b->rollback(conn);
    return rc;
}

static void assert_sync(const vg_store_backend *b, vg_store_conn *conn, sync_state *s)
{
    assert_int_equal(sync_once(b, conn, s), VG_OK);
    assert_int_equal(s->disorder, 0);
    assert_int_equal(s->overflow, 0);
}

/* The state a reader holds of an entry; NULL if it never met it. */
static const change *known(const sync_state *s, int64_t id)
{
    int i;
    for (i = 0; i < s->count; i++)
        if (s->latest[i].id == id)
            return &s->latest[i];
    return NULL;
}

/* --- a store with a user and an entry of theirs ------------------------------------------ */

/* A store in a write transaction (cache_begin), a user, and an entry of theirs with a vector
 * of 7 floats, not inserted yet. */
typedef struct entry_store {
    raw_store s;
    float *vector;
    vg_store_cache_entry entry;
} entry_store;

static entry_store entry_begin(const char *label, int seed)
{
    entry_store f;
    char email[96];
    f.s = cache_begin(label);
    snprintf(email, sizeof email, "%s@example.com", label);
    f.vector = make_vector(7, seed);
    f.entry = make_entry(add_user(&f.s, email), seed, f.vector, 7);
    return f;
}

/* Commits, ends the store (raw_end) and frees the vector. */
static void entry_end(entry_store *f)
{
    raw_end(&f->s);
    free(f->vector);
}

/* Inserts an entry and returns its new id. */
static int64_t insert_entry(raw_store *s, const vg_store_cache_entry *entry)
{
    int64_t id = -1;
    assert_int_equal(s->b->cache_entry_insert(&id, s->conn, entry), VG_OK);
    return id;
}

/* Commits and goes on in a new write transaction. */
static void recommit(raw_store *s)
{
    assert_int_equal(s->b->commit(s->conn), VG_OK);
    assert_int_equal(s->b->begin(s->conn, VG_TXN_WRITE), VG_OK);
}

/* --- entries: round trips ---------------------------------------------------------------- */

static void test_cache_entry_roundtrip_keeps_every_field_at_full_size(void **state)
{
    raw_store s = cache_begin("entry-fields");
    float *vector = make_vector(768, 3);
    vg_store_cache_entry entry = make_entry(add_user(&s, "fields@example.com"), 3, vector, 768);
    int64_t id = -1;
    (void)state;
    assert_int_equal(strlen(entry.scope), VG_STORE_SCOPE_SIZE - 1);
    assert_int_equal(strlen(entry.prompt), VG_STORE_PROMPT_SIZE - 1);
    assert_int_equal(strlen(entry.fingerprint), VG_STORE_FINGERPRINT_SIZE - 1);
    assert_int_equal(strlen(entry.result), VG_STORE_CACHE_RESULT_SIZE - 1);
    assert_int_equal(s.b->cache_entry_insert(&id, s.conn, &entry), VG_OK);
    raw_reopen_for_reading(&s);
    entry = as_inserted(entry, id);
    assert_get_is(s.b, s.conn, &entry);
    raw_end(&s);
    free(vector);
}

static void test_cache_entry_insert_ignores_the_given_id_seq_deleted_and_hits(void **state)
{
    entry_store f = entry_begin("entry-ignored", 4);
    raw_store *s = &f.s;
    vg_store_cache_entry read;
    int64_t ids[3];
    int i;
    (void)state;
    for (i = 0; i < 3; i++) {
        ids[i] = insert_entry(s, &f.entry);
        assert_true(ids[i] != f.entry.id);
        assert_true(i == 0 || (ids[i] != ids[i - 1] && ids[i] != ids[0]));
        assert_int_equal(s->b->cache_entry_get(&read, s->conn, ids[i]), VG_OK);
        assert_int_equal(read.id, ids[i]);
        assert_int_equal(read.deleted, 0);
        assert_int_equal(read.hits, 0);
        assert_true(read.seq != f.entry.seq);
        assert_true(read.seq > 0); /* a sync from 0 meets every entry */
    }
    entry_end(&f);
}

static void test_cache_entry_vectors_keep_exact_float_bits_in_every_dimension(void **state)
{
    raw_store s = cache_begin("entry-vectors");
    static const int dimensions[] = {1, 7, 768, 3072};
    int64_t owner = add_user(&s, "vectors@example.com");
    vg_store_cache_entry entries[4];
    float *vectors[4];
    int i;
    (void)state;
    for (i = 0; i < 4; i++) {
        vectors[i] = make_vector(dimensions[i], i);
        entries[i] = make_entry(owner, 10 + i, vectors[i], dimensions[i]);
        assert_int_equal(s.b->cache_entry_insert(&entries[i].id, s.conn, &entries[i]), VG_OK);
        entries[i] = as_inserted(entries[i], entries[i].id);
    }
    raw_reopen_for_reading(&s);
    for (i = 3; i >= 0; i--) /* each read right after its get, the largest first */
        assert_get_is(s.b, s.conn, &entries[i]);
    raw_end(&s);
    for (i = 0; i < 4; i++)
        free(vectors[i]);
}

static void test_cache_entry_get_vector_stays_valid_after_get_until_the_next_call(void **state)
{
    raw_store s = cache_begin("entry-vector-life");
    int64_t owner = add_user(&s, "life@example.com");
    float *big = make_vector(3072, 5), *small = make_vector(768, 6);
    vg_store_cache_entry a = make_entry(owner, 5, big, 3072), b = make_entry(owner, 6, small, 768);
    vg_store_cache_entry read;
    void *scribbles[32];
    int i;
    (void)state;
    assert_int_equal(s.b->cache_entry_insert(&a.id, s.conn, &a), VG_OK);
    assert_int_equal(s.b->cache_entry_insert(&b.id, s.conn, &b), VG_OK);
    raw_reopen_for_reading(&s);
    assert_int_equal(s.b->cache_entry_get(&read, s.conn, a.id), VG_OK);
    /* memory freed by the backend before returning would be handed out and overwritten here */
    for (i = 0; i < 32; i++) {
        scribbles[i] = malloc(sizeof(float) * 3072);
        memset(scribbles[i], 0x5A, sizeof(float) * 3072);
    }
    assert_int_equal(read.dimension, 3072);
    assert_memory_equal(read.vector, big, sizeof(float) * 3072);
    for (i = 0; i < 32; i++)
        free(scribbles[i]);
    assert_int_equal(s.b->cache_entry_get(&read, s.conn, b.id), VG_OK);
    assert_int_equal(read.dimension, 768);
    assert_memory_equal(read.vector, small, sizeof(float) * 768);
    raw_end(&s);
    free(big);
    free(small);
}

static void test_cache_entry_get_of_an_unknown_id_is_notfound(void **state)
{
    entry_store f = entry_begin("entry-unknown", 7);
    raw_store *s = &f.s;
    int64_t id = insert_entry(s, &f.entry);
    vg_store_cache_entry read;
    (void)state;
    assert_int_equal(s->b->cache_entry_get(&read, s->conn, id + 100), VG_ENOTFOUND);
    assert_int_equal(s->b->cache_entry_get(&read, s->conn, -1), VG_ENOTFOUND);
    entry_end(&f); /* and the transaction goes on to commit */
}

/* --- entries: seq, delete and tombstones -------------------------------------------------- */

static void test_cache_entry_seq_strictly_increases_across_inserts_and_deletes(void **state)
{
    entry_store f = entry_begin("entry-seq", 8);
    raw_store *s = &f.s;
    /* inserts and deletes, some in one transaction, some across commits */
    static const struct {
        int insert; /* 1: insert into ids[index]; 0: delete ids[index] */
        int index;
        int commit_after;
    } steps[] = {{1, 0, 0}, {1, 1, 0}, {0, 0, 1}, {1, 2, 0}, {0, 1, 1},
                 {1, 3, 1}, {0, 3, 0}, {0, 2, 1}};
    int64_t ids[4], last = 0;
    changes seen;
    size_t i;
    (void)state;
    for (i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        if (steps[i].insert)
            ids[steps[i].index] = insert_entry(s, &f.entry);
        else
            assert_int_equal(s->b->cache_entry_delete(s->conn, ids[steps[i].index]), VG_OK);
        seen = list_changes(s->b, s->conn, last, 100); /* just that entry, above all before */
        assert_int_equal(seen.count, 1);
        assert_int_equal(seen.items[0].id, ids[steps[i].index]);
        assert_int_equal(seen.items[0].deleted, !steps[i].insert);
        assert_true(seen.items[0].seq > last);
        last = seen.items[0].seq;
        if (steps[i].commit_after)
            recommit(s);
    }
    entry_end(&f);
}

static void test_cache_delete_gives_a_seq_above_all_before_and_leaves_a_tombstone(void **state)
{
    entry_store f = entry_begin("entry-delete", 9);
    raw_store *s = &f.s;
    int64_t ids[3], seq, max_seq = 0;
    changes seen;
    int i;
    (void)state;
    for (i = 0; i < 3; i++)
        ids[i] = insert_entry(s, &f.entry);
    recommit(s);
    for (i = 0; i < 3; i++) {
        seq = seq_of(s->b, s->conn, ids[i]);
        max_seq = seq > max_seq ? seq : max_seq;
    }
    assert_int_equal(s->b->cache_entry_delete(s->conn, ids[0]), VG_OK);
    raw_reopen_for_reading(s);

    seen = list_changes(s->b, s->conn, 0, 100);
    assert_int_equal(seen.count, 3); /* the tombstone once, last */
    assert_int_equal(seen.items[0].id, ids[1]);
    assert_int_equal(seen.items[0].deleted, 0);
    assert_int_equal(seen.items[1].id, ids[2]);
    assert_int_equal(seen.items[1].deleted, 0);
    assert_int_equal(seen.items[2].id, ids[0]);
    assert_int_equal(seen.items[2].deleted, 1);
    assert_true(seen.items[2].seq > max_seq);
    entry_end(&f);
}

static void test_cache_entry_get_of_a_deleted_entry_is_notfound(void **state)
{
    entry_store f = entry_begin("entry-get-deleted", 10);
    raw_store *s = &f.s;
    int64_t id = insert_entry(s, &f.entry), kept = insert_entry(s, &f.entry);
    vg_store_cache_entry read;
    (void)state;
    assert_int_equal(s->b->cache_entry_delete(s->conn, id), VG_OK);
    assert_int_equal(s->b->cache_entry_get(&read, s->conn, id), VG_ENOTFOUND);
    raw_reopen_for_reading(s);
    assert_int_equal(s->b->cache_entry_get(&read, s->conn, id), VG_ENOTFOUND);
    assert_int_equal(s->b->cache_entry_get(&read, s->conn, kept), VG_OK);
    entry_end(&f);
}

static void test_cache_entry_delete_of_an_unknown_or_deleted_id_is_notfound(void **state)
{
    entry_store f = entry_begin("entry-delete-twice", 11);
    raw_store *s = &f.s;
    int64_t id = insert_entry(s, &f.entry), seq;
    changes seen;
    (void)state;
    assert_int_equal(s->b->cache_entry_delete(s->conn, id + 100), VG_ENOTFOUND);
    assert_int_equal(s->b->cache_entry_delete(s->conn, id), VG_OK);
    seen = list_changes(s->b, s->conn, 0, 100);
    assert_int_equal(seen.count, 1);
    seq = seen.items[0].seq;
    assert_int_equal(s->b->cache_entry_delete(s->conn, id), VG_ENOTFOUND);
    seen = list_changes(s->b, s->conn, 0, 100); /* the failed delete gave it no new seq */
    assert_int_equal(seen.count, 1);
    assert_int_equal(seen.items[0].seq, seq);
    entry_end(&f); /* and the transaction goes on to commit */
}

/* --- entries: touch ---------------------------------------------------------------------- */

static void test_cache_entry_touch_adds_hits_and_sets_last_hit_at(void **state)
{
    entry_store f = entry_begin("entry-touch", 12);
    raw_store *s = &f.s;
    vg_store_cache_entry entry = as_inserted(f.entry, insert_entry(s, &f.entry));
    vg_store_cache_entry other = make_entry(f.entry.owner_id, 13, f.vector, 7);
    (void)state;
    other = as_inserted(other, insert_entry(s, &other));
    assert_int_equal(s->b->cache_entry_touch(s->conn, entry.id, 3, 1700000001000), VG_OK);
    assert_int_equal(s->b->cache_entry_touch(s->conn, entry.id, 4000000000, 1700000002000),
                     VG_OK);
    raw_reopen_for_reading(s);
    entry.hits = 4000000003;
    entry.last_hit_at = 1700000002000;
    assert_get_is(s->b, s->conn, &entry); /* nothing else changed */
    assert_get_is(s->b, s->conn, &other); /* nor any other entry */
    entry_end(&f);
}

static void test_cache_entry_touch_keeps_seq_so_the_changed_list_does_not_return_it_again(
    void **state)
{
    entry_store f = entry_begin("entry-touch-seq", 14);
    raw_store *s = &f.s;
    int64_t id = insert_entry(s, &f.entry), seq;
    changes seen;
    (void)state;
    recommit(s);
    seq = seq_of(s->b, s->conn, id);
    assert_int_equal(s->b->cache_entry_touch(s->conn, id, 1, 1700000001000), VG_OK);
    raw_reopen_for_reading(s);
    assert_int_equal(seq_of(s->b, s->conn, id), seq);
    seen = list_changes(s->b, s->conn, seq, 100);
    assert_int_equal(seen.count, 0);
    entry_end(&f);
}

static void test_cache_entry_touch_of_an_unknown_or_deleted_id_is_notfound(void **state)
{
    entry_store f = entry_begin("entry-touch-gone", 15);
    raw_store *s = &f.s;
    int64_t id = insert_entry(s, &f.entry);
    (void)state;
    assert_int_equal(s->b->cache_entry_touch(s->conn, id + 100, 1, 1700000001000), VG_ENOTFOUND);
    assert_int_equal(s->b->cache_entry_delete(s->conn, id), VG_OK);
    assert_int_equal(s->b->cache_entry_touch(s->conn, id, 1, 1700000001000), VG_ENOTFOUND);
    entry_end(&f); /* and the transaction goes on to commit */
}

/* --- entries: the changed-list ------------------------------------------------------------ */

/* Five entries a, b, c, d, e inserted in order, then b deleted: listed as a c d e b. */
typedef struct five {
    entry_store f;
    int64_t ids[5];
    int64_t order[5]; /* by seq */
} five;

static five add_five(const char *label)
{
    five v;
    int i;
    v.f = entry_begin(label, 16);
    for (i = 0; i < 5; i++)
        v.ids[i] = insert_entry(&v.f.s, &v.f.entry);
    assert_int_equal(v.f.s.b->cache_entry_delete(v.f.s.conn, v.ids[1]), VG_OK);
    raw_reopen_for_reading(&v.f.s);
    v.order[0] = v.ids[0];
    v.order[1] = v.ids[2];
    v.order[2] = v.ids[3];
    v.order[3] = v.ids[4];
    v.order[4] = v.ids[1];
    return v;
}

static void test_cache_entries_changed_lists_by_seq_with_tombstones(void **state)
{
    five v = add_five("changed-order");
    raw_store *s = &v.f.s;
    changes seen = list_changes(s->b, s->conn, 0, 100);
    int i;
    (void)state;
    assert_int_equal(seen.count, 5);
    for (i = 0; i < 5; i++) {
        assert_int_equal(seen.items[i].id, v.order[i]);
        assert_int_equal(seen.items[i].deleted, i == 4);
        assert_true(i == 0 || seen.items[i].seq > seen.items[i - 1].seq);
    }
    entry_end(&v.f);
}

static void test_cache_entries_changed_lists_only_seqs_after_after_seq(void **state)
{
    five v = add_five("changed-after");
    raw_store *s = &v.f.s;
    changes all = list_changes(s->b, s->conn, 0, 100), after;
    int i;
    (void)state;
    assert_int_equal(all.count, 5);
    after = list_changes(s->b, s->conn, all.items[1].seq, 100);
    assert_int_equal(after.count, 3);
    for (i = 0; i < 3; i++)
        assert_memory_equal(&after.items[i], &all.items[i + 2], sizeof(change));
    after = list_changes(s->b, s->conn, all.items[1].seq + 1, 100); /* not only at a seq */
    assert_true(after.count >= 1 && after.count <= 3);
    assert_int_equal(after.items[after.count - 1].id, v.order[4]);
    after = list_changes(s->b, s->conn, all.items[4].seq, 100);
    assert_int_equal(after.count, 0);
    entry_end(&v.f);
}

static void test_cache_entries_changed_lists_at_most_limit_and_pages_by_seq(void **state)
{
    five v = add_five("changed-limit");
    raw_store *s = &v.f.s;
    changes page;
    int64_t after = 0;
    int seen = 0, pages = 0, i;
    (void)state;
    do {
        page = list_changes(s->b, s->conn, after, 2);
        assert_true(page.count <= 2);
        for (i = 0; i < page.count; i++)
            assert_int_equal(page.items[i].id, v.order[seen++]);
        if (page.count)
            after = page.items[page.count - 1].seq;
        pages++;
    } while (page.count == 2);
    assert_int_equal(seen, 5);
    assert_int_equal(pages, 3);
    page = list_changes(s->b, s->conn, 0, 1);
    assert_int_equal(page.count, 1);
    assert_int_equal(page.items[0].id, v.order[0]);
    entry_end(&v.f);
}

static void test_cache_entries_changed_stops_when_the_callback_returns_nonzero(void **state)
{
    five v = add_five("changed-stop");
    raw_store *s = &v.f.s;
    changes seen = {0, 2, {{0}}};
    (void)state;
    assert_int_equal(s->b->cache_entries_changed(s->conn, 0, 100, note_change, &seen), VG_OK);
    assert_int_equal(seen.count, 2);
    assert_int_equal(seen.items[0].id, v.order[0]);
    assert_int_equal(seen.items[1].id, v.order[1]);
    entry_end(&v.f);
}

static void test_cache_entries_changed_with_nothing_after_calls_nothing(void **state)
{
    raw_store s = cache_begin("changed-none");
    changes seen;
    (void)state;
    seen = list_changes(s.b, s.conn, 0, 100);
    assert_int_equal(seen.count, 0);
    raw_end(&s);
}

static void test_cache_entries_changed_gives_live_entries_every_field_and_vector(void **state)
{
    raw_store s = cache_begin("changed-fields");
    int64_t owner = add_user(&s, "listed@example.com");
    float *big = make_vector(3072, 17), *one = make_vector(1, 18);
    vg_store_cache_entry entries[2];
    copies c = {0};
    int i;
    (void)state;
    entries[0] = make_entry(owner, 17, big, 3072);
    entries[1] = make_entry(owner, 18, one, 1);
    entries[1].owner_only = 0;
    entries[1].expires_at = 0;
    for (i = 0; i < 2; i++) {
        assert_int_equal(s.b->cache_entry_insert(&entries[i].id, s.conn, &entries[i]), VG_OK);
        entries[i] = as_inserted(entries[i], entries[i].id);
    }
    assert_int_equal(s.b->cache_entry_touch(s.conn, entries[1].id, 2, 1700000009000), VG_OK);
    entries[1].hits = 2;
    entries[1].last_hit_at = 1700000009000;
    raw_reopen_for_reading(&s);
    assert_int_equal(s.b->cache_entries_changed(s.conn, 0, 100, copy_entry, &c), VG_OK);
    assert_int_equal(c.count, 2);
    for (i = 0; i < 2; i++)
        assert_entry_is(&c.entries[i], &entries[i]);
    assert_true(c.entries[0].seq < c.entries[1].seq);
    copies_free(&c);
    raw_end(&s);
    free(big);
    free(one);
}

/* --- embeddings -------------------------------------------------------------------------- */

static void test_embedding_roundtrip_keeps_every_field_and_float_bits(void **state)
{
    raw_store s = cache_begin("embedding-fields");
    static const int dimensions[] = {1, 7, 768, 3072};
    vg_store_embedding embeddings[4], read;
    float *vectors[4];
    char fingerprint[VG_STORE_FINGERPRINT_SIZE];
    int i;
    (void)state;
    fill_text(fingerprint, sizeof fingerprint, "ollama/nomic-embed-text:v1.5/", 'm');
    for (i = 0; i < 4; i++) {
        vectors[i] = make_vector(dimensions[i], 20 + i);
        fingerprint[0] = (char)('a' + i); /* four fingerprints that fill their field */
        embeddings[i] = make_embedding(20 + i, fingerprint, vectors[i], dimensions[i]);
        assert_int_equal(s.b->embedding_put(s.conn, &embeddings[i]), VG_OK);
    }
    assert_int_equal(strlen(embeddings[0].fingerprint), VG_STORE_FINGERPRINT_SIZE - 1);
    raw_reopen_for_reading(&s);
    for (i = 3; i >= 0; i--) { /* each read right after its get */
        memset(&read, 0xAB, sizeof read);
        assert_int_equal(s.b->embedding_get(&read, s.conn, embeddings[i].prompt_hash,
                                            embeddings[i].fingerprint),
                         VG_OK);
        assert_embedding_is(&read, &embeddings[i]);
    }
    raw_end(&s);
    for (i = 0; i < 4; i++)
        free(vectors[i]);
}

static void test_embedding_get_of_an_unknown_hash_or_fingerprint_is_notfound(void **state)
{
    raw_store s = cache_begin("embedding-unknown");
    float *vector = make_vector(7, 24);
    vg_store_embedding embedding = make_embedding(24, "local/minilm/7", vector, 7), read;
    unsigned char other[VG_STORE_HASH_SIZE];
    (void)state;
    make_hash(other, 25);
    assert_int_equal(s.b->embedding_get(&read, s.conn, embedding.prompt_hash, "local/minilm/7"),
                     VG_ENOTFOUND);
    assert_int_equal(s.b->embedding_put(s.conn, &embedding), VG_OK);
    assert_int_equal(s.b->embedding_get(&read, s.conn, other, "local/minilm/7"), VG_ENOTFOUND);
    assert_int_equal(s.b->embedding_get(&read, s.conn, embedding.prompt_hash, "local/minilm/8"),
                     VG_ENOTFOUND);
    assert_int_equal(s.b->embedding_get(&read, s.conn, embedding.prompt_hash, "local/minilm"),
                     VG_ENOTFOUND);
    raw_end(&s); /* and the transaction goes on to commit */
    free(vector);
}

static void test_embedding_put_replaces_for_the_same_hash_and_fingerprint(void **state)
{
    raw_store s = cache_begin("embedding-replace");
    float *first = make_vector(768, 26), *second = make_vector(768, 27);
    vg_store_embedding old = make_embedding(26, "ollama/nomic-embed-text/768", first, 768);
    vg_store_embedding replacement = old, read;
    (void)state;
    replacement.created_at = old.created_at + 5000;
    replacement.vector = second;
    assert_int_equal(s.b->embedding_put(s.conn, &old), VG_OK);
    assert_int_equal(s.b->embedding_put(s.conn, &replacement), VG_OK);
    raw_reopen_for_reading(&s);
    assert_int_equal(s.b->embedding_get(&read, s.conn, old.prompt_hash, old.fingerprint), VG_OK);
    assert_embedding_is(&read, &replacement);
    raw_end(&s);
    free(first);
    free(second);
}

static void test_embeddings_of_different_fingerprints_are_kept_apart(void **state)
{
    raw_store s = cache_begin("embedding-apart");
    static const char *const fingerprints[] = {"openai/text-embedding-3-large/3072",
                                               "ollama/nomic-embed-text/768", "local/tiny/1",
                                               "local/tiny/10"};
    static const int dimensions[] = {3072, 768, 1, 7};
    vg_store_embedding embeddings[4], read;
    float *vectors[4];
    int i;
    (void)state;
    for (i = 0; i < 4; i++) { /* one prompt, four embedders */
        vectors[i] = make_vector(dimensions[i], 30 + i);
        embeddings[i] = make_embedding(30, fingerprints[i], vectors[i], dimensions[i]);
        embeddings[i].created_at += i;
        assert_int_equal(s.b->embedding_put(s.conn, &embeddings[i]), VG_OK);
    }
    raw_reopen_for_reading(&s);
    for (i = 0; i < 4; i++) {
        assert_int_equal(s.b->embedding_get(&read, s.conn, embeddings[i].prompt_hash,
                                            fingerprints[i]),
                         VG_OK);
        assert_embedding_is(&read, &embeddings[i]);
    }
    raw_end(&s);
    for (i = 0; i < 4; i++)
        free(vectors[i]);
}

static void test_embedding_hashes_differing_only_after_a_zero_byte_are_distinct(void **state)
{
    raw_store s = cache_begin("embedding-zero");
    float *a = make_vector(7, 34), *b = make_vector(7, 35);
    vg_store_embedding first = make_embedding(34, "local/minilm/7", a, 7), second = first, read;
    (void)state;
    second.prompt_hash[VG_STORE_HASH_SIZE - 2] ^= 0xFF; /* after the zero bytes at 0 and 9 */
    second.vector = b;
    second.created_at++;
    assert_int_equal(s.b->embedding_put(s.conn, &first), VG_OK);
    assert_int_equal(s.b->embedding_put(s.conn, &second), VG_OK);
    raw_reopen_for_reading(&s);
    assert_int_equal(s.b->embedding_get(&read, s.conn, first.prompt_hash, first.fingerprint),
                     VG_OK);
    assert_embedding_is(&read, &first);
    assert_int_equal(s.b->embedding_get(&read, s.conn, second.prompt_hash, second.fingerprint),
                     VG_OK);
    assert_embedding_is(&read, &second);
    raw_end(&s);
    free(a);
    free(b);
}

/* --- moderation verdicts ----------------------------------------------------------------- */

static void test_block_roundtrip_keeps_every_field(void **state)
{
    raw_store s = cache_begin("block-fields");
    vg_store_block forever = make_block(40, "", 0), expiring = make_block(41, "adult", 0), read;
    (void)state;
    memset(forever.reason, 'v', VG_NAME_SIZE - 1); /* a reason that fills its field */
    expiring.expires_at = 1800000000041;
    assert_int_equal(s.b->block_put(s.conn, &forever), VG_OK);
    assert_int_equal(s.b->block_put(s.conn, &expiring), VG_OK);
    raw_reopen_for_reading(&s);
    memset(&read, 0xAB, sizeof read);
    assert_int_equal(s.b->block_get(&read, s.conn, forever.prompt_hash), VG_OK);
    assert_block_is(&read, &forever);
    assert_int_equal(strlen(read.reason), VG_NAME_SIZE - 1);
    memset(&read, 0xAB, sizeof read);
    assert_int_equal(s.b->block_get(&read, s.conn, expiring.prompt_hash), VG_OK);
    assert_block_is(&read, &expiring);
    raw_end(&s);
}

static void test_block_get_of_an_unknown_hash_is_notfound(void **state)
{
    raw_store s = cache_begin("block-unknown");
    vg_store_block block = make_block(42, "violence", 0), read;
    unsigned char other[VG_STORE_HASH_SIZE];
    (void)state;
    make_hash(other, 43);
    assert_int_equal(s.b->block_get(&read, s.conn, block.prompt_hash), VG_ENOTFOUND);
    assert_int_equal(s.b->block_put(s.conn, &block), VG_OK);
    assert_int_equal(s.b->block_get(&read, s.conn, other), VG_ENOTFOUND);
    raw_end(&s); /* and the transaction goes on to commit */
}

static void test_block_put_replaces(void **state)
{
    raw_store s = cache_begin("block-replace");
    vg_store_block block = make_block(44, "violence", 1800000000000), read;
    (void)state;
    assert_int_equal(s.b->block_put(s.conn, &block), VG_OK);
    snprintf(block.reason, sizeof block.reason, "adult");
    block.created_at += 10;
    block.expires_at = 0;
    assert_int_equal(s.b->block_put(s.conn, &block), VG_OK);
    raw_reopen_for_reading(&s);
    assert_int_equal(s.b->block_get(&read, s.conn, block.prompt_hash), VG_OK);
    assert_block_is(&read, &block);
    raw_end(&s);
}

static void test_block_hashes_differing_only_after_a_zero_byte_are_distinct(void **state)
{
    raw_store s = cache_begin("block-zero");
    vg_store_block first = make_block(45, "adult", 0), second = first, read;
    (void)state;
    second.prompt_hash[VG_STORE_HASH_SIZE - 2] ^= 0xFF;
    snprintf(second.reason, sizeof second.reason, "violence");
    assert_int_equal(s.b->block_put(s.conn, &first), VG_OK);
    assert_int_equal(s.b->block_put(s.conn, &second), VG_OK);
    raw_reopen_for_reading(&s);
    assert_int_equal(s.b->block_get(&read, s.conn, first.prompt_hash), VG_OK);
    assert_block_is(&read, &first);
    assert_int_equal(s.b->block_get(&read, s.conn, second.prompt_hash), VG_OK);
    assert_block_is(&read, &second);
    raw_end(&s);
}

/* --- counters ---------------------------------------------------------------------------- */

static void test_counter_get_of_an_unknown_name_is_zero(void **state)
{
    raw_store s = cache_begin("counter-unknown");
    (void)state;
    assert_int_equal(counter_of(s.b, s.conn, "cache.hits"), 0);
    raw_end(&s);
}

static void test_counter_add_starts_at_zero_and_returns_the_running_value(void **state)
{
    raw_store s = cache_begin("counter-running");
    int64_t value = -1;
    (void)state;
    assert_int_equal(s.b->counter_add(&value, s.conn, "cache.hits", 5), VG_OK);
    assert_int_equal(value, 5);
    assert_int_equal(s.b->counter_add(&value, s.conn, "cache.hits", 7000000000), VG_OK);
    assert_int_equal(value, 7000000005);
    assert_int_equal(s.b->counter_add(&value, s.conn, "cache.hits", 0), VG_OK);
    assert_int_equal(value, 7000000005);
    raw_reopen_for_reading(&s);
    assert_int_equal(counter_of(s.b, s.conn, "cache.hits"), 7000000005);
    raw_end(&s);
}

static void test_counter_add_takes_negative_deltas(void **state)
{
    raw_store s = cache_begin("counter-negative");
    int64_t value = 0;
    (void)state;
    assert_int_equal(s.b->counter_add(&value, s.conn, "cache.saved_micro_usd", -3), VG_OK);
    assert_int_equal(value, -3);
    assert_int_equal(s.b->counter_add(&value, s.conn, "cache.saved_micro_usd", 10), VG_OK);
    assert_int_equal(value, 7);
    assert_int_equal(s.b->counter_add(&value, s.conn, "cache.saved_micro_usd", -9000000000),
                     VG_OK);
    assert_int_equal(value, -8999999993);
    raw_reopen_for_reading(&s);
    assert_int_equal(counter_of(s.b, s.conn, "cache.saved_micro_usd"), -8999999993);
    raw_end(&s);
}

static void test_counter_add_accepts_a_null_out(void **state)
{
    raw_store s = cache_begin("counter-null");
    (void)state;
    assert_int_equal(s.b->counter_add(NULL, s.conn, "cache.misses", 2), VG_OK);
    assert_int_equal(s.b->counter_add(NULL, s.conn, "cache.misses", 3), VG_OK);
    assert_int_equal(counter_of(s.b, s.conn, "cache.misses"), 5);
    raw_end(&s);
}

static void test_counters_of_different_names_are_independent(void **state)
{
    raw_store s = cache_begin("counter-names");
    char longest[64];
    int64_t value;
    (void)state;
    memset(longest, 'n', sizeof longest - 1); /* 63 bytes */
    longest[sizeof longest - 1] = '\0';
    assert_int_equal(s.b->counter_add(&value, s.conn, "cache.hit", 1), VG_OK);
    assert_int_equal(s.b->counter_add(&value, s.conn, "cache.hits", 20), VG_OK);
    assert_int_equal(value, 20); /* not 21: "cache.hit" is another counter */
    assert_int_equal(s.b->counter_add(&value, s.conn, "Cache.hits", 300), VG_OK);
    assert_int_equal(value, 300);
    assert_int_equal(s.b->counter_add(&value, s.conn, longest, 4000), VG_OK);
    assert_int_equal(value, 4000);
    raw_reopen_for_reading(&s);
    assert_int_equal(counter_of(s.b, s.conn, "cache.hit"), 1);
    assert_int_equal(counter_of(s.b, s.conn, "cache.hits"), 20);
    assert_int_equal(counter_of(s.b, s.conn, "Cache.hits"), 300);
    assert_int_equal(counter_of(s.b, s.conn, longest), 4000);
    longest[62] = '\0';
    assert_int_equal(counter_of(s.b, s.conn, longest), 0);
    raw_end(&s);
}

/* --- transactions ------------------------------------------------------------------------ */

/* One record of each kind, as write_cache_records writes them: two live entries (one
 * touched), one deleted, an embedding, a verdict and a counter. */
typedef struct cache_records {
    vg_store_cache_entry live[2];
    int64_t deleted_id;
    vg_store_embedding embedding;
    vg_store_block block;
    const char *counter;
    int64_t count;
    float *vector;
} cache_records;

static cache_records write_cache_records(raw_store *s, int seed)
{
    cache_records r;
    vg_store_cache_entry gone;
    int64_t owner = add_user(s, "records@example.com");
    int i;
    r.vector = make_vector(768, seed);
    for (i = 0; i < 2; i++) {
        r.live[i] = make_entry(owner, seed + i, r.vector, 768);
        assert_int_equal(s->b->cache_entry_insert(&r.live[i].id, s->conn, &r.live[i]), VG_OK);
        r.live[i] = as_inserted(r.live[i], r.live[i].id);
    }
    gone = make_entry(owner, seed + 2, r.vector, 768);
    assert_int_equal(s->b->cache_entry_insert(&r.deleted_id, s->conn, &gone), VG_OK);
    assert_int_equal(s->b->cache_entry_delete(s->conn, r.deleted_id), VG_OK);
    assert_int_equal(s->b->cache_entry_touch(s->conn, r.live[1].id, 6, 1700000006000), VG_OK);
    r.live[1].hits = 6;
    r.live[1].last_hit_at = 1700000006000;
    r.embedding = make_embedding(seed, "ollama/nomic-embed-text/768", r.vector, 768);
    assert_int_equal(s->b->embedding_put(s->conn, &r.embedding), VG_OK);
    r.block = make_block(seed, "adult", 0);
    assert_int_equal(s->b->block_put(s->conn, &r.block), VG_OK);
    r.counter = "cache.hits";
    r.count = seed;
    assert_int_equal(s->b->counter_add(NULL, s->conn, r.counter, r.count), VG_OK);
    return r;
}

static void test_cache_records_survive_commit_and_are_seen_from_another_connection(void **state)
{
    raw_store s = cache_begin("cache-commit");
    cache_records r = write_cache_records(&s, 50);
    vg_store_conn *reader;
    vg_store_embedding embedding;
    vg_store_block block;
    vg_store_cache_entry read;
    changes seen;
    (void)state;
    raw_reopen_for_reading(&s);

    reader = connect_raw(s.location, 1000);
    assert_int_equal(s.b->begin(reader, VG_TXN_READ), VG_OK);
    assert_get_is(s.b, reader, &r.live[0]);
    assert_get_is(s.b, reader, &r.live[1]);
    assert_int_equal(s.b->cache_entry_get(&read, reader, r.deleted_id), VG_ENOTFOUND);
    seen = list_changes(s.b, reader, 0, 100);
    assert_int_equal(seen.count, 3);
    assert_int_equal(seen.items[2].id, r.deleted_id);
    assert_int_equal(seen.items[2].deleted, 1);
    assert_int_equal(s.b->embedding_get(&embedding, reader, r.embedding.prompt_hash,
                                        r.embedding.fingerprint),
                     VG_OK);
    assert_embedding_is(&embedding, &r.embedding);
    assert_int_equal(s.b->block_get(&block, reader, r.block.prompt_hash), VG_OK);
    assert_block_is(&block, &r.block);
    assert_int_equal(counter_of(s.b, reader, r.counter), r.count);
    assert_int_equal(s.b->commit(reader), VG_OK);
    s.b->disconnect(reader);
    raw_end(&s);
    free(r.vector);
}

static void test_cache_records_roll_back_leaving_nothing(void **state)
{
    raw_store s = cache_begin("cache-rollback");
    cache_records r;
    vg_store_embedding embedding;
    vg_store_block block;
    vg_store_cache_entry read;
    changes seen;
    (void)state;
    assert_int_equal(s.b->commit(s.conn), VG_OK); /* the schema stays */
    assert_int_equal(s.b->begin(s.conn, VG_TXN_WRITE), VG_OK);
    r = write_cache_records(&s, 51);
    assert_int_equal(s.b->rollback(s.conn), VG_OK);

    assert_int_equal(s.b->begin(s.conn, VG_TXN_READ), VG_OK);
    seen = list_changes(s.b, s.conn, 0, 100);
    assert_int_equal(seen.count, 0);
    assert_int_equal(s.b->cache_entry_get(&read, s.conn, r.live[0].id), VG_ENOTFOUND);
    assert_int_equal(s.b->cache_entry_get(&read, s.conn, r.live[1].id), VG_ENOTFOUND);
    assert_int_equal(s.b->embedding_get(&embedding, s.conn, r.embedding.prompt_hash,
                                        r.embedding.fingerprint),
                     VG_ENOTFOUND);
    assert_int_equal(s.b->block_get(&block, s.conn, r.block.prompt_hash), VG_ENOTFOUND);
    assert_int_equal(counter_of(s.b, s.conn, r.counter), 0);
    raw_end(&s);
    free(r.vector);
}

static void test_cache_changes_roll_back_to_the_committed_records(void **state)
{
    raw_store s = cache_begin("cache-undo");
    cache_records r = write_cache_records(&s, 52);
    vg_store_embedding embedding = r.embedding, read_embedding;
    vg_store_block block = r.block, read_block;
    vg_store_cache_entry added = r.live[0];
    float *other = make_vector(768, 53);
    int64_t seqs[2], last_seq;
    changes before, after;
    (void)state;
    assert_int_equal(s.b->commit(s.conn), VG_OK);
    assert_int_equal(s.b->begin(s.conn, VG_TXN_WRITE), VG_OK);
    before = list_changes(s.b, s.conn, 0, 100);
    last_seq = before.items[before.count - 1].seq;
    seqs[0] = seq_of(s.b, s.conn, r.live[0].id);
    seqs[1] = seq_of(s.b, s.conn, r.live[1].id);
    assert_int_equal(s.b->cache_entry_insert(&added.id, s.conn, &added), VG_OK);
    assert_int_equal(s.b->cache_entry_delete(s.conn, r.live[0].id), VG_OK);
    assert_int_equal(s.b->cache_entry_touch(s.conn, r.live[1].id, 9, 1700000099000), VG_OK);
    embedding.vector = other;
    embedding.created_at++;
    assert_int_equal(s.b->embedding_put(s.conn, &embedding), VG_OK);
    snprintf(block.reason, sizeof block.reason, "violence");
    assert_int_equal(s.b->block_put(s.conn, &block), VG_OK);
    assert_int_equal(s.b->counter_add(NULL, s.conn, r.counter, 1000), VG_OK);
    assert_int_equal(s.b->rollback(s.conn), VG_OK);

    assert_int_equal(s.b->begin(s.conn, VG_TXN_READ), VG_OK);
    after = list_changes(s.b, s.conn, 0, 100);
    assert_int_equal(after.count, before.count);
    assert_memory_equal(after.items, before.items, sizeof(change) * (size_t)before.count);
    assert_int_equal(list_changes(s.b, s.conn, last_seq, 100).count, 0);
    assert_get_is(s.b, s.conn, &r.live[0]);
    assert_int_equal(seq_of(s.b, s.conn, r.live[0].id), seqs[0]);
    assert_get_is(s.b, s.conn, &r.live[1]);
    assert_int_equal(seq_of(s.b, s.conn, r.live[1].id), seqs[1]);
    assert_int_equal(s.b->embedding_get(&read_embedding, s.conn, r.embedding.prompt_hash,
                                        r.embedding.fingerprint),
                     VG_OK);
    assert_embedding_is(&read_embedding, &r.embedding);
    assert_int_equal(s.b->block_get(&read_block, s.conn, r.block.prompt_hash), VG_OK);
    assert_block_is(&read_block, &r.block);
    assert_int_equal(counter_of(s.b, s.conn, r.counter), r.count);
    raw_end(&s);
    free(other);
    free(r.vector);
}

/* --- incremental sync -------------------------------------------------------------------- */

static void test_a_sync_during_a_write_sees_none_of_it_and_after_commit_all_above_its_mark(
    void **state)
{
    entry_store f = entry_begin("sync-after-commit", 60);
    raw_store *s = &f.s;
    int64_t ids[3], mark;
    vg_store_conn *reader;
    sync_state seen;
    const change *c;
    int i;
    (void)state;
    memset(&seen, 0, sizeof seen);
    ids[0] = insert_entry(s, &f.entry);
    assert_int_equal(s->b->commit(s->conn), VG_OK);
    reader = connect_raw(s->location, 1000);
    assert_sync(s->b, reader, &seen);
    assert_int_equal(seen.count, 1);
    mark = seen.watermark;

    assert_int_equal(s->b->begin(s->conn, VG_TXN_WRITE), VG_OK);
    ids[1] = insert_entry(s, &f.entry);
    assert_int_equal(s->b->cache_entry_delete(s->conn, ids[0]), VG_OK);
    ids[2] = insert_entry(s, &f.entry);
    assert_sync(s->b, reader, &seen); /* nothing uncommitted */
    assert_int_equal(seen.watermark, mark);
    assert_int_equal(seen.count, 1);
    assert_int_equal(known(&seen, ids[0])->deleted, 0);
    raw_reopen_for_reading(s);
    assert_sync(s->b, reader, &seen);
    assert_int_equal(seen.count, 3);
    for (i = 0; i < 3; i++) {
        c = known(&seen, ids[i]);
        assert_non_null(c);
        assert_true(c->seq > mark);
        assert_int_equal(c->deleted, i == 0);
    }
    s->b->disconnect(reader);
    entry_end(&f);
}

static void test_a_sync_between_interleaved_writers_misses_no_entry(void **state)
{
    entry_store f = entry_begin("sync-interleaved", 61);
    raw_store *s = &f.s;
    int64_t first_id, second_id = 0;
    vg_store_conn *other, *reader;
    sync_state seen;
    int rc;
    (void)state;
    memset(&seen, 0, sizeof seen);
    assert_int_equal(s->b->commit(s->conn), VG_OK); /* connects while no one writes */
    other = connect_raw(s->location, 200);
    reader = connect_raw(s->location, 1000);
    assert_sync(s->b, reader, &seen);

    /* the first writer takes a seq, then the second takes one and commits first */
    assert_int_equal(s->b->begin(s->conn, VG_TXN_WRITE), VG_OK);
    first_id = insert_entry(s, &f.entry);
    rc = s->b->begin(other, VG_TXN_WRITE);
    if (rc == VG_OK) {
        rc = s->b->cache_entry_insert(&second_id, other, &f.entry);
        if (rc == VG_OK)
            rc = s->b->commit(other);
        else
            s->b->rollback(other);
    }
    if (rc != VG_OK) /* the store serialised the writers: the second waits for the first */
        assert_true(rc == VG_EBUSY || rc == VG_ECONFLICT);
    assert_sync(s->b, reader, &seen); /* between the two commits */
    assert_int_equal(s->b->commit(s->conn), VG_OK);
    if (rc != VG_OK) {
        assert_int_equal(s->b->begin(other, VG_TXN_WRITE), VG_OK);
        assert_int_equal(s->b->cache_entry_insert(&second_id, other, &f.entry), VG_OK);
        assert_int_equal(s->b->commit(other), VG_OK);
    }
    assert_sync(s->b, reader, &seen);
    assert_non_null(known(&seen, first_id));
    assert_non_null(known(&seen, second_id));
    assert_int_equal(seen.count, 2);

    s->b->disconnect(other);
    s->b->disconnect(reader);
    assert_int_equal(s->b->begin(s->conn, VG_TXN_READ), VG_OK);
    entry_end(&f);
}

#define SYNC_WRITERS 2
#define SYNC_TRANSACTIONS 40
#define SYNC_ENTRIES (SYNC_TRANSACTIONS * 2)
#define SYNC_ATTEMPTS 200

/* A writer thread: its own connection, transactions that insert two entries, delete its
 * oldest live one and touch its newest, pausing before each commit. */
typedef struct sync_writer {
    const vg_store_backend *b;
    vg_store_conn *conn;
    int64_t owner;
    int index;
    const float *vector;
    int count; /* what it committed */
    int64_t ids[SYNC_ENTRIES];
    int deleted[SYNC_ENTRIES];
    int failed;
    char failure[300];
} sync_writer;

/* The oldest (oldest = 1) or newest live entry this writer committed; -1 if none. */
static int live_entry(const sync_writer *w, int oldest)
{
    int i, found = -1, live = 0;
    for (i = 0; i < w->count; i++)
        if (!w->deleted[i]) {
            live++;
            if (found < 0 || !oldest)
                found = i;
        }
    return live >= 3 || (!oldest && live > 0) ? found : -1;
}

/* One transaction; on success, what it did is written to new_ids and *deleted. */
static int write_once(sync_writer *w, int t, int64_t new_ids[2], int *deleted)
{
    const vg_store_backend *b = w->b;
    vg_store_cache_entry entry;
    int k, touched, rc = b->begin(w->conn, VG_TXN_WRITE);
    if (rc != VG_OK)
        return rc;
    for (k = 0; k < 2 && rc == VG_OK; k++) {
        entry = make_entry(w->owner, w->index * 1000 + t * 2 + k, w->vector, 7);
        rc = b->cache_entry_insert(&new_ids[k], w->conn, &entry);
    }
    *deleted = live_entry(w, 1);
    if (rc == VG_OK && *deleted >= 0)
        rc = b->cache_entry_delete(w->conn, w->ids[*deleted]);
    touched = live_entry(w, 0);
    if (rc == VG_OK && touched >= 0 && touched != *deleted)
        rc = b->cache_entry_touch(w->conn, w->ids[touched], 1, 1700000000000 + t);
    if (rc == VG_OK) {
        usleep((useconds_t)(200 + (t % 4) * 400)); /* the window another writer could use */
        rc = b->commit(w->conn);
    }
    if (rc != VG_OK)
        b->rollback(w->conn);
    return rc;
}

static void *run_sync_writer(void *arg)
{
    sync_writer *w = arg;
    int64_t new_ids[2];
    int t, attempt, deleted, rc;
    for (t = 0; t < SYNC_TRANSACTIONS && !w->failed; t++) {
        for (attempt = 0;; attempt++) {
            rc = write_once(w, t, new_ids, &deleted);
            if (rc == VG_OK)
                break;
            if ((rc != VG_EBUSY && rc != VG_ECONFLICT) || attempt == SYNC_ATTEMPTS) {
                snprintf(w->failure, sizeof w->failure, "writer %d, transaction %d: %s: %s",
                         w->index, t, vg_error_name(rc), w->b->errmsg(w->conn));
                w->failed = 1;
                break;
            }
        }
        if (rc != VG_OK)
            break;
        if (deleted >= 0)
            w->deleted[deleted] = 1;
        w->ids[w->count] = new_ids[0];
        w->deleted[w->count++] = 0;
        w->ids[w->count] = new_ids[1];
        w->deleted[w->count++] = 0;
    }
    return NULL;
}

/* The reader thread: syncs over and over while the writers run, then once after. */
typedef struct sync_reader {
    const vg_store_backend *b;
    vg_store_conn *conn;
    atomic_int writers_done;
    sync_state seen;
    int syncs;
    int failed;
    char failure[300];
} sync_reader;

static void *run_sync_reader(void *arg)
{
    sync_reader *r = arg;
    int done, rc;
    do {
        done = atomic_load(&r->writers_done);
        rc = sync_once(r->b, r->conn, &r->seen);
        if (rc != VG_OK && rc != VG_EBUSY && rc != VG_ECONFLICT) {
            snprintf(r->failure, sizeof r->failure, "reader: %s: %s", vg_error_name(rc),
                     r->b->errmsg(r->conn));
            r->failed = 1;
            break;
        }
        if (rc != VG_OK)
            done = 0; /* the last sync must succeed */
        r->syncs++;
        usleep(100);
    } while (!done);
    return NULL;
}

/* Where a committed entry stands in a writer's records (NULL if nowhere). */
static const int *committed_state(const sync_writer *writers, int64_t id)
{
    int w, i;
    for (w = 0; w < SYNC_WRITERS; w++)
        for (i = 0; i < writers[w].count; i++)
            if (writers[w].ids[i] == id)
                return &writers[w].deleted[i];
    return NULL;
}

static void test_concurrent_writers_changes_are_each_synced_once_in_increasing_seq(void **state)
{
    raw_store s = cache_begin("sync-threads");
    static sync_writer writers[SYNC_WRITERS];
    static sync_reader reader;
    static sync_state final;
    pthread_t writer_threads[SYNC_WRITERS], reader_thread;
    float *vector = make_vector(7, 70);
    int64_t owner = add_user(&s, "threads@example.com");
    const change *c;
    const int *deleted;
    int w, i, total = 0;
    (void)state;
    assert_int_equal(s.b->commit(s.conn), VG_OK);
    memset(&reader, 0, sizeof reader);
    memset(&final, 0, sizeof final);
    reader.b = s.b;
    reader.conn = connect_raw(s.location, 30000);
    atomic_init(&reader.writers_done, 0);
    for (w = 0; w < SYNC_WRITERS; w++) {
        writers[w] = (sync_writer){s.b, connect_raw(s.location, 30000), owner, w + 1, vector};
    }
    assert_int_equal(pthread_create(&reader_thread, NULL, run_sync_reader, &reader), 0);
    for (w = 0; w < SYNC_WRITERS; w++)
        assert_int_equal(pthread_create(&writer_threads[w], NULL, run_sync_writer, &writers[w]),
                         0);
    for (w = 0; w < SYNC_WRITERS; w++)
        pthread_join(writer_threads[w], NULL);
    atomic_store(&reader.writers_done, 1);
    pthread_join(reader_thread, NULL);
    for (w = 0; w < SYNC_WRITERS; w++) {
        s.b->disconnect(writers[w].conn);
        if (writers[w].failed)
            fail_msg("%s", writers[w].failure);
        total += writers[w].count;
    }
    s.b->disconnect(reader.conn);
    if (reader.failed)
        fail_msg("%s", reader.failure);
    assert_int_equal(total, SYNC_WRITERS * SYNC_ENTRIES);
    assert_int_equal(reader.seen.disorder, 0);
    assert_int_equal(reader.seen.overflow, 0);
    print_message("%d syncs during %d transactions\n", reader.syncs,
                  SYNC_WRITERS * SYNC_TRANSACTIONS);

    /* a third reader, from the start: every entry once, by seq, as the writers left it */
    assert_int_equal(s.b->begin(s.conn, VG_TXN_READ), VG_OK);
    assert_int_equal(s.b->cache_entries_changed(s.conn, 0, SYNC_CAPACITY, fold_change, &final),
                     VG_OK);
    assert_int_equal(final.disorder, 0);
    assert_int_equal(final.in_page, total); /* no id twice */
    assert_int_equal(final.count, total);
    for (i = 0; i < final.count; i++) {
        assert_true(i == 0 || final.latest[i].seq > final.latest[i - 1].seq);
        deleted = committed_state(writers, final.latest[i].id);
        assert_non_null(deleted);
        assert_int_equal(final.latest[i].deleted, *deleted);
        /* the reader that synced all along holds the same: it missed no commit */
        c = known(&reader.seen, final.latest[i].id);
        if (!c || c->seq != final.latest[i].seq)
            fail_msg("the syncing reader missed entry %lld (seq %lld; it holds seq %lld)",
                     (long long)final.latest[i].id, (long long)final.latest[i].seq,
                     c ? (long long)c->seq : -1LL);
        assert_int_equal(c->deleted, final.latest[i].deleted);
    }
    assert_int_equal(reader.seen.count, total);
    raw_end(&s);
    free(vector);
}

/* --- the group --------------------------------------------------------------------------- */

static void test_cache_methods_are_all_present(void **state)
{
    (void)state;
    require_cache(target->backend());
}

int conformance_cache_run(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cache_methods_are_all_present),
        cmocka_unit_test(test_cache_entry_roundtrip_keeps_every_field_at_full_size),
        cmocka_unit_test(test_cache_entry_insert_ignores_the_given_id_seq_deleted_and_hits),
        cmocka_unit_test(test_cache_entry_vectors_keep_exact_float_bits_in_every_dimension),
        cmocka_unit_test(test_cache_entry_get_vector_stays_valid_after_get_until_the_next_call),
        cmocka_unit_test(test_cache_entry_get_of_an_unknown_id_is_notfound),
        cmocka_unit_test(test_cache_entry_seq_strictly_increases_across_inserts_and_deletes),
        cmocka_unit_test(test_cache_delete_gives_a_seq_above_all_before_and_leaves_a_tombstone),
        cmocka_unit_test(test_cache_entry_get_of_a_deleted_entry_is_notfound),
        cmocka_unit_test(test_cache_entry_delete_of_an_unknown_or_deleted_id_is_notfound),
        cmocka_unit_test(test_cache_entry_touch_adds_hits_and_sets_last_hit_at),
        cmocka_unit_test(
            test_cache_entry_touch_keeps_seq_so_the_changed_list_does_not_return_it_again),
        cmocka_unit_test(test_cache_entry_touch_of_an_unknown_or_deleted_id_is_notfound),
        cmocka_unit_test(test_cache_entries_changed_lists_by_seq_with_tombstones),
        cmocka_unit_test(test_cache_entries_changed_lists_only_seqs_after_after_seq),
        cmocka_unit_test(test_cache_entries_changed_lists_at_most_limit_and_pages_by_seq),
        cmocka_unit_test(test_cache_entries_changed_stops_when_the_callback_returns_nonzero),
        cmocka_unit_test(test_cache_entries_changed_with_nothing_after_calls_nothing),
        cmocka_unit_test(test_cache_entries_changed_gives_live_entries_every_field_and_vector),
        cmocka_unit_test(test_embedding_roundtrip_keeps_every_field_and_float_bits),
        cmocka_unit_test(test_embedding_get_of_an_unknown_hash_or_fingerprint_is_notfound),
        cmocka_unit_test(test_embedding_put_replaces_for_the_same_hash_and_fingerprint),
        cmocka_unit_test(test_embeddings_of_different_fingerprints_are_kept_apart),
        cmocka_unit_test(test_embedding_hashes_differing_only_after_a_zero_byte_are_distinct),
        cmocka_unit_test(test_block_roundtrip_keeps_every_field),
        cmocka_unit_test(test_block_get_of_an_unknown_hash_is_notfound),
        cmocka_unit_test(test_block_put_replaces),
        cmocka_unit_test(test_block_hashes_differing_only_after_a_zero_byte_are_distinct),
        cmocka_unit_test(test_counter_get_of_an_unknown_name_is_zero),
        cmocka_unit_test(test_counter_add_starts_at_zero_and_returns_the_running_value),
        cmocka_unit_test(test_counter_add_takes_negative_deltas),
        cmocka_unit_test(test_counter_add_accepts_a_null_out),
        cmocka_unit_test(test_counters_of_different_names_are_independent),
        cmocka_unit_test(test_cache_records_survive_commit_and_are_seen_from_another_connection),
        cmocka_unit_test(test_cache_records_roll_back_leaving_nothing),
        cmocka_unit_test(test_cache_changes_roll_back_to_the_committed_records),
        cmocka_unit_test(
            test_a_sync_during_a_write_sees_none_of_it_and_after_commit_all_above_its_mark),
        cmocka_unit_test(test_a_sync_between_interleaved_writers_misses_no_entry),
        cmocka_unit_test(test_concurrent_writers_changes_are_each_synced_once_in_increasing_seq),
    };
    char name[64];

    snprintf(name, sizeof name, "%s cache", target->name);
    return cmocka_run_group_tests_name(name, tests, NULL, NULL);
}
