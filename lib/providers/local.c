/* SPDX-License-Identifier: MIT */
/* The offline `local` provider: jobs kept as JSON sidecars in the asset folder that go through
 * the same lifecycle as a real provider's on the context's clock and end with a labelled
 * placeholder (a PNG or an animated GIF); moderation by word lists in five languages;
 * enhancement by a product-ad template. No network, no key. */
#include <cJSON.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utf8proc.h>

#include "local_assets.h"
#include "provider.h"

#define LOCAL_MODEL "placeholder-v1"
#define ID_PREFIX "local-"
#define ID_RANDOM_BYTES 12 /* 24 hex digits */
#define ID_LEN (sizeof ID_PREFIX - 1 + 2 * ID_RANDOM_BYTES)
#define PENDING_MS 200     /* a job waits this long before it runs */
#define RUNNING_POLL_MS 100
#define VIDEO_W 320        /* every placeholder video is 16:9 at this size */
#define VIDEO_H 180
#define IMAGE_SIDE 512     /* an image task without a size */
#define IMAGE_MIN 64
#define IMAGE_MAX 2048
#define DEFAULT_DURATION_S 5
#define FAIL_WORD "fail-placeholder" /* a prompt with it makes the job fail (tests) */
#define FAIL_CODE "LOCAL.TEST_FAILURE"

/* What the placeholder of each kind says it is, and how long its job takes in all. */
static const struct kind_info {
    const char *label;
    int total_ms;
} kinds[VG_TASK_KIND_COUNT] = {
    [VG_TASK_TEXT_TO_IMAGE] = {"TEXT TO IMAGE", 600},
    [VG_TASK_TEXT_TO_VIDEO] = {"TEXT TO VIDEO", 1500},
    [VG_TASK_IMAGE_TO_VIDEO] = {"IMAGE TO VIDEO", 1500},
    [VG_TASK_STYLE_TRANSFER] = {"STYLE TRANSFER", 1500},
    [VG_TASK_HD_ENHANCE] = {"HD ENHANCE", 1500},
    [VG_TASK_VIDEO_ENHANCE] = {"VIDEO ENHANCE", 1500},
    [VG_TASK_VIDEO_UPSCALE] = {"VIDEO UPSCALE", 1500},
};

/* A job's sidecar, <dir>/<job id>.json, as read back. */
typedef struct sidecar {
    cJSON *root;
    vg_task_kind kind;
    const char *prompt; /* "" when the task had none */
    int width, height;  /* of the picture to make */
    int duration_s;     /* as asked, 0: the default */
    vg_time submitted_us;
    int cancelled;
} sidecar;

/* ---- the asset folder --------------------------------------------------------------------- */

/* "<dir>/<id><suffix>", allocated on ctx, or NULL. */
static char *job_path(vg_ctx *ctx, const char *dir, const char *id, const char *suffix)
{
    size_t size = strlen(dir) + strlen(id) + strlen(suffix) + 2;
    char *path = vg__alloc(ctx, size);
    if (path)
        snprintf(path, size, "%s/%s%s", dir, id, suffix);
    return path;
}

/* Creates the folder and its parents (mode 0755) when they are not there. */
static int ensure_dir(vg_ctx *ctx, const char *dir)
{
    char path[PATH_MAX];
    size_t i, n = dir ? strlen(dir) : 0;
    struct stat st;

    if (n == 0 || n >= sizeof path)
        return vg__fail(ctx, VG_EIO, "local: the asset folder \"%.200s\" is not usable",
                        dir ? dir : "");
    memcpy(path, dir, n + 1);
    for (i = 1; i <= n; i++) {
        char c = path[i];
        if (c != '/' && c != '\0')
            continue;
        path[i] = '\0';
        if (mkdir(path, 0755) != 0 && errno != EEXIST)
            return vg__fail(ctx, VG_EIO, "local: cannot create the asset folder %s: %s", path,
                            strerror(errno));
        path[i] = c;
    }
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return vg__fail(ctx, VG_EIO, "local: the asset folder %s is not a folder", dir);
    return VG_OK;
}

/* 1 when id is one of ours: "local-" and 24 lowercase hex digits. */
static int id_ok(const char *id)
{
    size_t i;
    if (strlen(id) != ID_LEN || strncmp(id, ID_PREFIX, sizeof ID_PREFIX - 1) != 0)
        return 0;
    for (i = sizeof ID_PREFIX - 1; i < ID_LEN; i++)
        if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
            return 0;
    return 1;
}

/* Writes a sidecar (replacing the one there) through a temporary file and a rename. */
static int write_sidecar(vg_ctx *ctx, const char *dir, const char *id, const cJSON *root)
{
    char *text = cJSON_PrintUnformatted(root), *path = job_path(ctx, dir, id, ".json");
    int rc;

    if (!text || !path)
        rc = vg__fail(ctx, VG_ENOMEM, "out of memory");
    else
        rc = vg__asset_write(ctx, path, (const unsigned char *)text, strlen(text), 1, NULL);
    cJSON_free(text);
    vg__free(ctx, path);
    return rc;
}

static int read_file(char **out, size_t *out_len, vg_ctx *ctx, const char *path)
{
    FILE *f = fopen(path, "rb");
    char *data = NULL;
    long size;
    int rc = VG_OK;

    *out = NULL;
    if (!f)
        return errno == ENOENT ? VG_ENOTFOUND
                               : vg__fail(ctx, VG_EIO, "local: cannot read %s: %s", path,
                                          strerror(errno));
    if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || size > 1 << 20 ||
        fseek(f, 0, SEEK_SET) != 0) {
        rc = vg__fail(ctx, VG_EPROVIDER_RESPONSE, "local: %s is not a job sidecar", path);
        goto done;
    }
    if (!(data = vg__alloc(ctx, (size_t)size + 1))) {
        rc = vg__fail(ctx, VG_ENOMEM, "out of memory");
        goto done;
    }
    if (fread(data, 1, (size_t)size, f) != (size_t)size) {
        rc = vg__fail(ctx, VG_EIO, "local: cannot read %s", path);
        goto done;
    }
    data[size] = '\0';
    *out = data;
    *out_len = (size_t)size;
    data = NULL;
done:
    vg__free(ctx, data);
    fclose(f);
    return rc;
}

/* Reads job id's sidecar. Returns VG_OK, VG_ENOTFOUND (no such job), VG_EPROVIDER_RESPONSE
 * (the sidecar is not one), VG_EIO, VG_ENOMEM. Free sc->root with cJSON_Delete. */
static int read_sidecar(sidecar *sc, vg_ctx *ctx, const char *dir, const char *id)
{
    char *path = job_path(ctx, dir, id, ".json"), *text = NULL;
    const char *kind;
    int64_t n;
    size_t len = 0;
    int rc;

    memset(sc, 0, sizeof *sc);
    if (!path)
        return vg__fail(ctx, VG_ENOMEM, "out of memory");
    if ((rc = read_file(&text, &len, ctx, path)) == VG_ENOTFOUND)
        rc = vg__fail(ctx, VG_ENOTFOUND, "local: no job %s in %s", id, dir);
    if (rc != VG_OK)
        goto done;
    if (!(sc->root = cJSON_ParseWithLength(text, len)) ||
        !(kind = vg__json_str(sc->root, "kind")) || vg_task_kind_index(kind) < 0 ||
        !vg__json_int(&n, sc->root, "submitted_us")) {
        rc = vg__fail(ctx, VG_EPROVIDER_RESPONSE, "local: the sidecar %s is corrupt", path);
        goto done;
    }
    sc->kind = (vg_task_kind)vg_task_kind_index(kind);
    sc->submitted_us = n;
    sc->prompt = vg__json_str(sc->root, "prompt") ? vg__json_str(sc->root, "prompt") : "";
    sc->width = vg__json_int(&n, sc->root, "asset_width") && n > 0 && n <= IMAGE_MAX ? (int)n : 0;
    sc->height = vg__json_int(&n, sc->root, "asset_height") && n > 0 && n <= IMAGE_MAX ? (int)n
                                                                                     : 0;
    sc->duration_s = vg__json_int(&n, sc->root, "duration") && n > 0 && n <= 60 ? (int)n : 0;
    sc->cancelled = cJSON_GetObjectItemCaseSensitive(sc->root, "cancelled_us") != NULL;
    if (!sc->width || !sc->height)
        rc = vg__fail(ctx, VG_EPROVIDER_RESPONSE, "local: the sidecar %s has no size", path);
done:
    if (rc != VG_OK) {
        cJSON_Delete(sc->root);
        sc->root = NULL;
    }
    vg__free(ctx, text);
    vg__free(ctx, path);
    return rc;
}

/* "file://" and the absolute path of an existing file, percent-encoded, into out. */
static int file_url(char *out, size_t size, vg_ctx *ctx, const char *path)
{
    static const char hex[] = "0123456789ABCDEF";
    char *abs = realpath(path, NULL);
    const unsigned char *p;
    size_t n = 0;
    int rc = VG_OK;

    if (!abs)
        return vg__fail(ctx, VG_EIO, "local: cannot resolve %s: %s", path, strerror(errno));
    n = (size_t)snprintf(out, size, "file://");
    for (p = (const unsigned char *)abs; *p && n + 4 < size; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("/-._~", *p)) {
            out[n++] = (char)*p;
        } else {
            out[n++] = '%';
            out[n++] = hex[*p >> 4];
            out[n++] = hex[*p & 15];
        }
    }
    out[n] = '\0';
    if (*p)
        rc = vg__fail(ctx, VG_EIO, "local: the path of %s is too long for a URL", path);
    free(abs);
    return rc;
}

/* ---- the job lifecycle -------------------------------------------------------------------- */

/* The task's picture size: images as asked (both sides, else a square of the resolution,
 * else 512), videos always VIDEO_W x VIDEO_H. VG_EPARAMETER for an image size out of range. */
static int asset_size(int *w, int *h, vg_ctx *ctx, const vg_provider_task *task)
{
    if (task->kind != VG_TASK_TEXT_TO_IMAGE) {
        *w = VIDEO_W;
        *h = VIDEO_H;
        return VG_OK;
    }
    if (!task->width != !task->height)
        return vg__fail(ctx, VG_EPARAMETER, "local: give both width and height, or neither");
    *w = task->width ? task->width : task->resolution ? task->resolution : IMAGE_SIDE;
    *h = task->height ? task->height : *w;
    if (*w < IMAGE_MIN || *h < IMAGE_MIN || *w > IMAGE_MAX || *h > IMAGE_MAX)
        return vg__fail(ctx, VG_EPARAMETER, "local: images are %d to %d pixels a side, not %dx%d",
                        IMAGE_MIN, IMAGE_MAX, *w, *h);
    return VG_OK;
}

/* 1 when the prompt asks for a test failure: FAIL_WORD as a word of its own. */
static int asks_failure(const char *prompt)
{
    const char *p;
    size_t n = sizeof FAIL_WORD - 1;
    for (p = prompt; *p; p++) {
        if (strncasecmp(p, FAIL_WORD, n) == 0 &&
            (p == prompt || !(isalnum((unsigned char)p[-1]) || p[-1] == '-' || p[-1] == '_')) &&
            !(isalnum((unsigned char)p[n]) || p[n] == '-' || p[n] == '_'))
            return 1;
    }
    return 0;
}

/* Writes the job's placeholders (once) and fills the result of *job. */
static int finish(vg_provider_job *job, vg_ctx *ctx, const char *dir, const sidecar *sc)
{
    vg__placeholder p = {sc->width, sc->height, kinds[sc->kind].label, sc->prompt};
    int video = sc->kind != VG_TASK_TEXT_TO_IMAGE, rc;
    int duration = sc->duration_s ? sc->duration_s : DEFAULT_DURATION_S;
    char *asset = job_path(ctx, dir, job->job_id, video ? ".gif" : ".png");
    char *thumb = job_path(ctx, dir, job->job_id, "-thumb.png");

    if (!asset || !thumb) {
        rc = vg__fail(ctx, VG_ENOMEM, "out of memory");
        goto done;
    }
    if (video) {
        if ((rc = vg__placeholder_png(ctx, thumb, &p)) != VG_OK ||
            (rc = file_url(job->thumbnail_url, sizeof job->thumbnail_url, ctx, thumb)) != VG_OK)
            goto done;
        rc = vg__placeholder_gif(ctx, asset, &p, duration * VG__PLACEHOLDER_FPS);
    } else {
        rc = vg__placeholder_png(ctx, asset, &p);
    }
    if (rc != VG_OK ||
        (rc = file_url(job->result_url, sizeof job->result_url, ctx, asset)) != VG_OK)
        goto done;
    job->width = p.width;
    job->height = p.height;
    job->duration_s = video ? duration : 0;
done:
    vg__free(ctx, asset);
    vg__free(ctx, thumb);
    return rc;
}

/* How a job stands on the context's clock; writes its placeholders when it is done. */
static int describe(vg_provider_job *job, vg_ctx *ctx, const vg__provider_conf *conf,
                    const char *id, const sidecar *sc)
{
    int64_t elapsed_ms = (vg_ctx_now(ctx) - sc->submitted_us) / 1000;
    int total = kinds[sc->kind].total_ms;

    vg__job_start(job, conf, sc->kind);
    vg__copy(job->job_id, sizeof job->job_id, id);
    vg__copy(job->model, sizeof job->model, LOCAL_MODEL);
    vg__copy(job->api_cost_unit, sizeof job->api_cost_unit, "USD");
    job->api_cost_micro = 0;
    job->placeholder = 1;
    if (sc->cancelled) {
        job->state = VG_TASK_CANCELLED;
    } else if (elapsed_ms < PENDING_MS) {
        job->state = VG_TASK_PENDING;
        job->percent = 0;
        job->poll_after_ms = (int)(PENDING_MS - (elapsed_ms > 0 ? elapsed_ms : 0));
    } else if (elapsed_ms < total) {
        job->state = VG_TASK_RUNNING;
        job->percent = (int)(elapsed_ms * 100 / total);
        job->percent = job->percent < 1 ? 1 : job->percent > 99 ? 99 : job->percent;
        job->poll_after_ms = (int)(total - elapsed_ms) < RUNNING_POLL_MS
                                 ? (int)(total - elapsed_ms)
                                 : RUNNING_POLL_MS;
    } else if (asks_failure(sc->prompt)) {
        job->state = VG_TASK_FAILED;
        job->percent = 100;
        vg__copy(job->failure_code, sizeof job->failure_code, FAIL_CODE);
        vg__copy(job->failure, sizeof job->failure,
                 "the prompt asked for a test failure (\"" FAIL_WORD "\")");
    } else {
        int rc = finish(job, ctx, conf->assets_dir, sc);
        if (rc != VG_OK)
            return rc;
        job->state = VG_TASK_SUCCEEDED;
        job->percent = 100;
    }
    return VG_OK;
}

/* Adds a string member when s is not NULL; 0 when out of memory. */
static int add_str(cJSON *root, const char *name, const char *s)
{
    return !s || cJSON_AddStringToObject(root, name, s) != NULL;
}

static int local_submit(vg_provider_job *out, vg_ctx *ctx, const vg__provider_conf *conf,
                        const vg_provider_task *task)
{
    unsigned char rnd[ID_RANDOM_BYTES];
    char id[ID_LEN + 1], hex[2 * ID_RANDOM_BYTES + 1];
    vg_time now = vg_ctx_now(ctx);
    cJSON *root = NULL;
    int rc, w = 0, h = 0;

    if ((rc = asset_size(&w, &h, ctx, task)) != VG_OK ||
        (rc = ensure_dir(ctx, conf->assets_dir)) != VG_OK)
        return rc;
    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2hex(hex, sizeof hex, rnd, sizeof rnd);
    snprintf(id, sizeof id, "%s%s", ID_PREFIX, hex);
    if (!(root = cJSON_CreateObject()) || !add_str(root, "provider", "local") ||
        !add_str(root, "job_id", id) || !add_str(root, "kind", vg_task_kind_name(task->kind)) ||
        !add_str(root, "prompt", task->prompt) ||
        !add_str(root, "negative_prompt", task->negative_prompt) ||
        !cJSON_AddNumberToObject(root, "resolution", task->resolution) ||
        !cJSON_AddNumberToObject(root, "width", task->width) ||
        !cJSON_AddNumberToObject(root, "height", task->height) ||
        !cJSON_AddNumberToObject(root, "duration", task->duration_s) ||
        !cJSON_AddNumberToObject(root, "asset_width", w) ||
        !cJSON_AddNumberToObject(root, "asset_height", h) ||
        !add_str(root, "input_url", task->input_url) ||
        !add_str(root, "input_image_mime", task->input_image ? task->input_image_mime : NULL) ||
        !add_str(root, "input_job_id", task->input_job_id) || !add_str(root, "style", task->style) ||
        !add_str(root, "model", task->model) ||
        !cJSON_AddNumberToObject(root, "submitted_us", (double)now) ||
        !add_str(root, "note", VG__PLACEHOLDER_COMMENT)) {
        rc = vg__fail(ctx, VG_ENOMEM, "out of memory");
        goto done;
    }
    if ((rc = write_sidecar(ctx, conf->assets_dir, id, root)) != VG_OK)
        goto done;
    vg__job_start(out, conf, task->kind);
    vg__copy(out->job_id, sizeof out->job_id, id);
    vg__copy(out->model, sizeof out->model, LOCAL_MODEL);
    vg__copy(out->api_cost_unit, sizeof out->api_cost_unit, "USD");
    out->api_cost_micro = 0;
    out->placeholder = 1;
    out->percent = 0;
    out->poll_after_ms = PENDING_MS;
done:
    cJSON_Delete(root);
    return rc;
}

static int local_poll(vg_provider_job *job, vg_ctx *ctx, const vg__provider_conf *conf)
{
    char id[VG_PROVIDER_JOB_ID_SIZE];
    sidecar sc;
    int rc;

    vg__copy(id, sizeof id, job->job_id);
    if (!id_ok(id))
        return vg__fail(ctx, VG_ENOTFOUND, "local: %s is not a local job id", id);
    if ((rc = read_sidecar(&sc, ctx, conf->assets_dir, id)) != VG_OK)
        return rc;
    if (sc.kind != job->kind)
        rc = vg__fail(ctx, VG_EINVAL, "local: job %s is %s, not %s", id,
                      vg_task_kind_name(sc.kind), vg_task_kind_name(job->kind));
    else
        rc = describe(job, ctx, conf, id, &sc);
    cJSON_Delete(sc.root);
    return rc;
}

static int local_cancel(vg_ctx *ctx, const vg__provider_conf *conf, const char *job_id)
{
    vg_time now = vg_ctx_now(ctx);
    sidecar sc;
    int rc;

    if (!id_ok(job_id))
        return vg__fail(ctx, VG_ENOTFOUND, "local: %s is not a local job id", job_id);
    if ((rc = read_sidecar(&sc, ctx, conf->assets_dir, job_id)) != VG_OK)
        return rc;
    /* a final job stays as it is; cancelling it again is no change either */
    if (!sc.cancelled && (now - sc.submitted_us) / 1000 < kinds[sc.kind].total_ms) {
        if (!cJSON_AddNumberToObject(sc.root, "cancelled_us", (double)now))
            rc = vg__fail(ctx, VG_ENOMEM, "out of memory");
        else
            rc = write_sidecar(ctx, conf->assets_dir, job_id, sc.root);
    }
    cJSON_Delete(sc.root);
    return rc;
}

static int local_reconcile(vg_provider_job *out, vg_ctx *ctx, const vg__provider_conf *conf,
                           const vg_provider_task *task, vg_time since)
{
    char best[ID_LEN + 1] = "";
    vg_time best_at = 0;
    struct dirent *e;
    DIR *d = opendir(conf->assets_dir);
    sidecar sc;
    int rc;

    if (!d)
        return vg__fail(ctx, VG_ENOTFOUND, "local: no asset folder %s, so no job",
                        conf->assets_dir);
    /* the earliest job of this kind and prompt submitted at or after `since` */
    while ((e = readdir(d)) != NULL) {
        char id[ID_LEN + 1];
        size_t n = strlen(e->d_name);
        if (n != ID_LEN + 5 || strcmp(e->d_name + ID_LEN, ".json") != 0)
            continue;
        memcpy(id, e->d_name, ID_LEN);
        id[ID_LEN] = '\0';
        if (!id_ok(id) || read_sidecar(&sc, ctx, conf->assets_dir, id) != VG_OK)
            continue; /* someone else's file, or a broken sidecar: not the job */
        if (sc.kind == task->kind && strcmp(sc.prompt, task->prompt ? task->prompt : "") == 0 &&
            sc.submitted_us >= since && (!best[0] || sc.submitted_us < best_at)) {
            memcpy(best, id, sizeof best);
            best_at = sc.submitted_us;
        }
        cJSON_Delete(sc.root);
    }
    closedir(d);
    if (!best[0])
        return vg__fail(ctx, VG_ENOTFOUND, "local: no %s job with that prompt since then",
                        vg_task_kind_name(task->kind));
    if ((rc = read_sidecar(&sc, ctx, conf->assets_dir, best)) != VG_OK)
        return rc;
    rc = describe(out, ctx, conf, best, &sc);
    cJSON_Delete(sc.root);
    return rc;
}

static int local_check(char *detail, size_t size, vg_ctx *ctx, const vg__provider_conf *conf)
{
    unsigned char rnd[6];
    char hex[2 * sizeof rnd + 1], *probe;
    int rc, fd;

    if ((rc = ensure_dir(ctx, conf->assets_dir)) != VG_OK)
        return rc;
    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2hex(hex, sizeof hex, rnd, sizeof rnd);
    if (!(probe = job_path(ctx, conf->assets_dir, ".check-", hex)))
        return vg__fail(ctx, VG_ENOMEM, "out of memory");
    if ((fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
        rc = vg__fail(ctx, VG_EIO, "local: the asset folder %s is not writable: %s",
                      conf->assets_dir, strerror(errno));
    } else {
        close(fd);
        unlink(probe);
        snprintf(detail, size, "offline placeholders in %s", conf->assets_dir);
    }
    vg__free(ctx, probe);
    return rc;
}

const vg__provider_ops vg__local_ops = {
    VG_PROVIDER_LOCAL, NULL, NULL, NULL, local_submit, local_poll, local_cancel,
    local_reconcile,   local_check,
};

/* ---- moderation by word lists --------------------------------------------------------------- */

/*
 * Terms per language and reason, '|'-separated, in normalised form (NFKC, case folded).
 * Terms of en and es match whole words (or whole phrases); those of ja, zh-TW and ko match
 * anywhere, as those scripts do not separate words (Korean attaches particles). Kept short
 * and aimed at product advertising: words that are also ordinary product words are left out
 * ("knife", "shooting", "마약" as in 마약베개, "폭탄" as in 폭탄세일, 情色 inside 熱情色彩) or
 * excused by the phrases of `excused` (a massage gun, nude lipstick, Gore-Tex).
 */
typedef struct word_list {
    const char *lang, *reason, *words;
} word_list;

static const word_list terms[] = {
    /* minors: sexual content involving children */
    {"en", "minors", "child porn|jailbait|lolicon|csam|underage"},
    {"es", "minors", "pornografía infantil|menores desnudos"},
    {"ja", "minors", "児童ポルノ|ロリコン"},
    {"zh-TW", "minors", "兒童色情|戀童"},
    {"ko", "minors", "아동 포르노|아동포르노|로리콘"},
    {"en", "self_harm", "suicide|self-harm|self harm|kill myself|kill yourself|cutting myself"},
    {"es", "self_harm", "suicidio|autolesión|autolesiones|matarme"},
    {"ja", "self_harm", "自殺|自傷|リストカット"},
    {"zh-TW", "self_harm", "自殺|自殘|割腕"},
    {"ko", "self_harm", "자살|자해"},
    {"en", "adult",
     "nude|nudity|naked|porn|porno|pornography|pornographic|nsfw|erotic|xxx|topless|sexual"},
    {"es", "adult", "desnudo|desnuda|desnudos|desnudas|pornografía|erótico|erótica"},
    {"ja", "adult", "ヌード|全裸|裸体|ポルノ|わいせつ|アダルト動画"},
    {"zh-TW", "adult", "裸體|全裸|色情片|色情內容"},
    {"ko", "adult", "누드|포르노|알몸|나체|음란"},
    {"en", "hate",
     "hate speech|nazi|nazis|swastika|white power|white supremacy|ethnic cleansing|racist|kkk"},
    {"es", "hate", "discurso de odio|esvástica|racista|limpieza étnica"},
    {"ja", "hate", "ナチス|ヘイトスピーチ|鉤十字|人種差別"},
    {"zh-TW", "hate", "納粹|仇恨言論|種族歧視|種族清洗"},
    {"ko", "hate", "나치즘|혐오 발언|혐오발언|인종차별|하켄크로이츠"},
    {"en", "violence",
     "kill|killing|murder|murdered|gore|gory|bloodshed|massacre|torture|beheading|stabbing|"
     "knife attack|terrorist attack"},
    {"es", "violence", "matar|asesinato|asesinar|masacre|tortura|ataque con cuchillo|apuñalar"},
    {"ja", "violence", "殺人事件|殺人犯|殺す|虐殺|惨殺|拷問|刺殺"},
    {"zh-TW", "violence", "殺人|謀殺|大屠殺|酷刑|砍頭|持刀攻擊"},
    {"ko", "violence", "살인마|살인 사건|살인사건|살해|학살|참수|칼부림"},
    /* illegal goods: drugs and weapons, which VidGo does not advertise */
    {"en", "illegal_goods",
     "cocaine|heroin|meth|methamphetamine|fentanyl|illegal drugs|gun|guns|rifle|rifles|pistol|"
     "pistols|firearm|firearms|ammunition|grenade|explosives"},
    {"es", "illegal_goods",
     "cocaína|metanfetamina|fentanilo|drogas ilegales|pistola|pistolas|arma de fuego|"
     "armas de fuego|munición|explosivos"},
    {"ja", "illegal_goods", "コカイン|ヘロイン|覚醒剤|麻薬|拳銃|銃器|実弾"},
    {"zh-TW", "illegal_goods", "古柯鹼|海洛因|冰毒|毒品|手槍|步槍|槍枝|彈藥|炸藥"},
    {"ko", "illegal_goods", "코카인|헤로인|필로폰|권총|소총|탄약"},
};

/* Phrases that hold a listed term but name ordinary products; blanked before matching. */
static const word_list excused[] = {
    {"en", NULL,
     "nude color|nude colour|nude tone|nude shade|nude lipstick|nude heels|nude makeup|"
     "nude nail|naked eye|naked cake|gore-tex|massage gun|glue gun|heat gun|spray gun|"
     "nail gun|water gun|pistol grip|kill germs|kill bacteria|kill weeds|kill bugs"},
    {"es", NULL,
     "pistola de masaje|pistola de silicona|pistola de calor|pistola de agua|"
     "pistola de pintura"},
    {"ja", NULL, "ヌードカラー|ヌードベージュ|ヌードメイク"},
    {"ko", NULL, "누드톤|누드 톤|누드립|누드 립|누드컬러|누드 컬러"},
};

/* Words for a child: adult content with one of them is "minors". */
static const word_list minor_words[] = {
    {"en", "minors", "child|children|kid|kids|minor|minors|teen|teens|teenager|schoolgirl"},
    {"es", "minors", "niño|niña|niños|niñas|menor|menores|adolescente"},
    {"ja", "minors", "子供|子ども|児童|幼女|未成年"},
    {"zh-TW", "minors", "兒童|小孩|幼女|未成年"},
    {"ko", "minors", "아동|어린이|미성년"},
};

/* The order in which reasons are looked for: the first that matches is the verdict. */
static const char *const reason_order[] = {"minors", "self_harm", "adult", "hate", "violence",
                                           "illegal_goods"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define TERM_SIZE 64

/* 1 when the code point is part of a word (a letter, a mark or a number). */
static int word_char(int32_t cp)
{
    int cat = (int)utf8proc_category(cp);
    return cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_NO;
}

/* 1 when no word goes on across either end of text[start, end). */
static int whole(const char *text, size_t start, size_t end)
{
    utf8proc_int32_t cp = -1;
    size_t i = start;
    if (start > 0) {
        do
            i--;
        while (i > 0 && ((unsigned char)text[i] & 0xC0) == 0x80);
        utf8proc_iterate((const utf8proc_uint8_t *)text + i, (utf8proc_ssize_t)(start - i), &cp);
        if (word_char(cp))
            return 0;
    }
    if (text[end]) {
        utf8proc_iterate((const utf8proc_uint8_t *)text + end, -1, &cp);
        if (word_char(cp))
            return 0;
    }
    return 1;
}

/* Where one of the list's terms occurs in text (whole words for en and es), or NULL; the
 * term found goes to term[TERM_SIZE]. */
static char *find_term(char term[TERM_SIZE], char *text, const word_list *list)
{
    int words = strcmp(list->lang, "en") == 0 || strcmp(list->lang, "es") == 0;
    const char *w = list->words, *end;

    for (; *w; w = *end ? end + 1 : end) {
        size_t n;
        char *p = text;
        if (!(end = strchr(w, '|')))
            end = w + strlen(w);
        n = (size_t)(end - w) < TERM_SIZE - 1 ? (size_t)(end - w) : TERM_SIZE - 1;
        memcpy(term, w, n);
        term[n] = '\0';
        while ((p = strstr(p, term)) != NULL) {
            if (!words || whole(text, (size_t)(p - text), (size_t)(p - text) + n))
                return p;
            p++;
        }
    }
    return NULL;
}

int vg__local_moderate(vg_moderation *out, vg_ctx *ctx, const char *prompt)
{
    char text[VG_PROMPT_MAX_BYTES + 1], msg[VG__ERRMSG_SIZE], term[TERM_SIZE], child[TERM_SIZE];
    const word_list *hit = NULL;
    size_t i, r;
    char *p;
    int rc;

    if (!out || !prompt)
        return vg__fail(ctx, VG_EINVAL, "local moderation: out or prompt is NULL");
    if ((rc = vg_prompt_normalize(text, sizeof text, NULL, prompt)) != VG_OK) {
        vg__copy(msg, sizeof msg, vg_error_last());
        return vg__fail(ctx, rc, "%s", msg);
    }
    for (i = 0; i < COUNT(excused); i++)
        while ((p = find_term(term, text, &excused[i])) != NULL)
            memset(p, ' ', strlen(term));
    for (r = 0; r < COUNT(reason_order) && !hit; r++)
        for (i = 0; i < COUNT(terms) && !hit; i++)
            if (strcmp(terms[i].reason, reason_order[r]) == 0 && find_term(term, text, &terms[i]))
                hit = &terms[i];
    out->blocked = hit != NULL;
    out->reason[0] = out->detail[0] = '\0';
    if (!hit)
        return VG_OK;
    vg__copy(out->reason, sizeof out->reason, hit->reason);
    for (i = 0; strcmp(hit->reason, "adult") == 0 && i < COUNT(minor_words); i++)
        if (find_term(child, text, &minor_words[i]))
            vg__copy(out->reason, sizeof out->reason, "minors");
    snprintf(out->detail, sizeof out->detail, "local word list: %s (\"%s\", %s)", out->reason,
             term, hit->lang);
    return VG_OK;
}

/* ---- enhancement by a template -------------------------------------------------------------- */

#define TEMPLATE_HEAD "Product advertising video: "
#define TEMPLATE_TAIL                                                                          \
    ". Studio lighting, clean background, smooth camera motion, sharp focus on the product, " \
    "commercial style."

int vg__local_enhance(char *out, size_t size, vg_ctx *ctx, const char *prompt, const char *lang)
{
    char norm[VG_PROMPT_MAX_BYTES + 1], msg[VG__ERRMSG_SIZE];
    const char *start, *end, *p;
    int english, rc, n;

    if (!out || size == 0 || !prompt)
        return vg__fail(ctx, VG_EINVAL, "local enhancement: out or prompt is NULL");
    out[0] = '\0';
    /* the same checks as moderation: valid UTF-8, not empty once normalised */
    if ((rc = vg_prompt_normalize(norm, sizeof norm, NULL, prompt)) != VG_OK) {
        vg__copy(msg, sizeof msg, vg_error_last());
        return vg__fail(ctx, rc, "%s", msg);
    }
    english = !lang || vg_lang_index(lang) == 0;
    for (p = prompt; *p; p++)
        if ((unsigned char)*p >= 0x80)
            english = 0;
    for (start = prompt; *start && strchr(" \t\r\n", *start); start++)
        ;
    for (end = start + strlen(start); end > start && strchr(" \t\r\n", end[-1]); end--)
        ;
    /* English only: a closing full stop is the template's (local cannot translate, so any
     * other prompt goes into the template as it was written) */
    while (english && end > start && end[-1] == '.')
        end--;
    n = snprintf(out, size, TEMPLATE_HEAD "%.*s" TEMPLATE_TAIL, (int)(end - start), start);
    if (n < 0 || (size_t)n >= size) {
        out[0] = '\0';
        return vg__fail(ctx, VG_EBUFSIZE, "local enhancement: needs %d bytes", n + 1);
    }
    return VG_OK;
}
