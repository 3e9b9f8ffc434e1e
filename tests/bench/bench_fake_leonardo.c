/* SPDX-License-Identifier: MIT */
/* A tiny loopback fake of Leonardo's create and poll endpoints (bench_fake_leonardo.h): just
 * enough HTTP/1.1 for libcurl with keep-alive, answering at once, one thread per connection. */
#include "bench_fake_leonardo.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_CONNECTIONS 64
#define BUFFER_SIZE 65536

enum { SLOT_FREE, SLOT_SERVING, SLOT_ENDED };

typedef struct connection {
    bench_fake *fake;
    int fd;
    int state; /* SLOT_*, under the fake's lock; the fd is closed by whoever joins */
    pthread_t thread;
} connection;

struct bench_fake {
    int listen_fd;
    char url[64];
    pthread_t acceptor;
    pthread_mutex_t lock;
    int stopping;
    connection connections[MAX_CONNECTIONS];
    long creates, polls, others, next_id; /* __atomic */
};

static int send_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* The value of a header in a NUL-terminated request head, or NULL. */
static const char *header_value(const char *head, const char *name)
{
    size_t n = strlen(name);
    const char *line = strstr(head, "\r\n");

    while (line && strncmp(line, "\r\n\r\n", 4) != 0) {
        line += 2;
        if (strncasecmp(line, name, n) == 0 && line[n] == ':') {
            line += n + 1;
            while (*line == ' ')
                line++;
            return line;
        }
        line = strstr(line, "\r\n");
    }
    return NULL;
}

/* One answer, status line, headers and body in a single send (no Nagle delay). */
static int reply(int fd, int status, const char *body)
{
    char out[4096];
    int n = snprintf(out, sizeof out,
                     "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\n"
                     "Content-Length: %zu\r\n\r\n%s",
                     status, status == 200 ? "OK" : "Not Found", strlen(body), body);
    if (n < 0 || (size_t)n >= sizeof out)
        return -1;
    return send_all(fd, out, (size_t)n);
}

/* A create makes a job id; a poll finds any id COMPLETE, with a thumbnail and a video. */
static int answer(bench_fake *f, int fd, const char *method, const char *path)
{
    char body[2048], id[40];
    int video = strcmp(path, "/generations") != 0;
    long n;

    if (strcmp(method, "POST") == 0 &&
        (strcmp(path, "/generations") == 0 || strcmp(path, "/generations-text-to-video") == 0 ||
         strcmp(path, "/generations-image-to-video") == 0)) {
        n = __atomic_add_fetch(&f->next_id, 1, __ATOMIC_RELAXED);
        __atomic_add_fetch(&f->creates, 1, __ATOMIC_RELAXED);
        snprintf(id, sizeof id, "%08lx-0000-4000-8000-000000000000", (unsigned long)n);
        snprintf(body, sizeof body,
                 "{\"%s\":{\"generationId\":\"%s\",\"cost\":{\"amount\":\"0.0125\","
                 "\"unit\":\"DOLLARS\"},\"apiCreditCost\":11}}",
                 video ? "motionVideoGenerationJob" : "sdGenerationJob", id);
        return reply(fd, 200, body);
    }
    if (strcmp(method, "GET") == 0 && strncmp(path, "/generations/", 13) == 0 &&
        !strchr(path + 13, '/')) {
        __atomic_add_fetch(&f->polls, 1, __ATOMIC_RELAXED);
        path += 13;
        snprintf(body, sizeof body,
                 "{\"generations_by_pk\":{\"id\":\"%.40s\",\"status\":\"COMPLETE\","
                 "\"createdAt\":\"2026-01-01T00:00:00.000\",\"prompt\":\"bench\","
                 "\"negativePrompt\":null,\"modelId\":null,\"imageWidth\":1280,"
                 "\"imageHeight\":720,\"public\":false,\"generated_images\":[{\"id\":"
                 "\"img-%.8s\",\"nsfw\":false,\"likeCount\":0,"
                 "\"generated_image_variation_generics\":[],"
                 "\"url\":\"https://cdn.fake-leonardo.test/%.40s/thumb.jpg\","
                 "\"motionMP4URL\":\"https://cdn.fake-leonardo.test/%.40s/video.mp4\"}],"
                 "\"generation_elements\":[]}}",
                 path, path, path, path);
        return reply(fd, 200, body);
    }
    __atomic_add_fetch(&f->others, 1, __ATOMIC_RELAXED);
    return reply(fd, 404, "{\"error\":\"no route\",\"path\":\"$\",\"code\":\"not-found\"}");
}

/* Reads more of the connection into buf[*have..]; 0, or -1 when it is closed. */
static int read_more(int fd, char *buf, size_t *have)
{
    ssize_t n;
    if (*have >= BUFFER_SIZE)
        return -1;
    do
        n = recv(fd, buf + *have, BUFFER_SIZE - *have, 0);
    while (n < 0 && errno == EINTR);
    if (n <= 0)
        return -1;
    *have += (size_t)n;
    buf[*have] = '\0';
    return 0;
}

/* Serves requests on one connection until the client closes it (or the fake stops). */
static void *serve(void *arg)
{
    connection *c = arg;
    char *buf = malloc(BUFFER_SIZE + 1), *end, method[8], path[512], saved;
    const char *value;
    size_t have = 0, head_len, length;

    if (!buf)
        goto done;
    buf[0] = '\0';
    for (;;) {
        while (!(end = strstr(buf, "\r\n\r\n")))
            if (read_more(c->fd, buf, &have) != 0)
                goto done;
        head_len = (size_t)(end - buf) + 4;
        if (sscanf(buf, "%7s %511s", method, path) != 2)
            goto done;
        saved = buf[head_len];
        buf[head_len] = '\0';
        value = header_value(buf, "Content-Length");
        length = value ? strtoul(value, NULL, 10) : 0;
        value = header_value(buf, "Expect");
        if (value && strncasecmp(value, "100-continue", 12) == 0 && have < head_len + length &&
            send_all(c->fd, "HTTP/1.1 100 Continue\r\n\r\n", 25) != 0)
            goto done;
        buf[head_len] = saved;
        if (length > BUFFER_SIZE - head_len)
            goto done;
        while (have < head_len + length)
            if (read_more(c->fd, buf, &have) != 0)
                goto done;
        if (answer(c->fake, c->fd, method, path) != 0)
            goto done;
        /* keep what follows (a pipelined request) */
        have -= head_len + length;
        memmove(buf, buf + head_len + length, have);
        buf[have] = '\0';
    }
done:
    free(buf);
    pthread_mutex_lock(&c->fake->lock);
    c->state = SLOT_ENDED;
    pthread_mutex_unlock(&c->fake->lock);
    return NULL;
}

static void *accept_loop(void *arg)
{
    bench_fake *f = arg;
    connection *slot;
    int fd, i, one = 1;

    for (;;) {
        fd = accept(f->listen_fd, NULL, NULL);
        if (fd < 0 && (errno == EINTR || errno == ECONNABORTED))
            continue;
        if (fd < 0)
            return NULL; /* the listening socket was shut down */
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        pthread_mutex_lock(&f->lock);
        slot = NULL;
        for (i = 0; i < MAX_CONNECTIONS && !slot && !f->stopping; i++)
            if (f->connections[i].state != SLOT_SERVING)
                slot = &f->connections[i];
        if (slot && slot->state == SLOT_ENDED) {
            pthread_join(slot->thread, NULL); /* it has left serve() */
            close(slot->fd);
            slot->state = SLOT_FREE;
        }
        if (slot) {
            slot->fake = f;
            slot->fd = fd;
            slot->state = SLOT_SERVING;
            if (pthread_create(&slot->thread, NULL, serve, slot) != 0) {
                slot->state = SLOT_FREE;
                slot = NULL;
            }
        }
        pthread_mutex_unlock(&f->lock);
        if (!slot)
            close(fd);
    }
}

int bench_fake_start(bench_fake **out)
{
    struct sockaddr_in addr;
    socklen_t len = sizeof addr;
    bench_fake *f = calloc(1, sizeof *f);

    *out = NULL;
    if (!f)
        return -1;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if ((f->listen_fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
        goto fail;
    if (bind(f->listen_fd, (struct sockaddr *)&addr, sizeof addr) != 0 ||
        listen(f->listen_fd, 64) != 0 ||
        getsockname(f->listen_fd, (struct sockaddr *)&addr, &len) != 0)
        goto fail_socket;
    snprintf(f->url, sizeof f->url, "http://127.0.0.1:%d", ntohs(addr.sin_port));
    pthread_mutex_init(&f->lock, NULL);
    if (pthread_create(&f->acceptor, NULL, accept_loop, f) != 0) {
        pthread_mutex_destroy(&f->lock);
        goto fail_socket;
    }
    *out = f;
    return 0;
fail_socket:
    close(f->listen_fd);
fail:
    free(f);
    return -1;
}

const char *bench_fake_url(const bench_fake *f)
{
    return f->url;
}

void bench_fake_counts_get(bench_fake_counts *out, bench_fake *f)
{
    out->creates = __atomic_load_n(&f->creates, __ATOMIC_RELAXED);
    out->polls = __atomic_load_n(&f->polls, __ATOMIC_RELAXED);
    out->others = __atomic_load_n(&f->others, __ATOMIC_RELAXED);
}

void bench_fake_stop(bench_fake *f)
{
    int i, state;

    if (!f)
        return;
    pthread_mutex_lock(&f->lock);
    f->stopping = 1;
    pthread_mutex_unlock(&f->lock);
    shutdown(f->listen_fd, SHUT_RDWR); /* wakes accept() */
    pthread_join(f->acceptor, NULL);
    close(f->listen_fd);
    for (i = 0; i < MAX_CONNECTIONS; i++) {
        pthread_mutex_lock(&f->lock);
        state = f->connections[i].state;
        pthread_mutex_unlock(&f->lock);
        if (state == SLOT_FREE)
            continue;
        shutdown(f->connections[i].fd, SHUT_RDWR); /* wakes recv() */
        pthread_join(f->connections[i].thread, NULL);
        close(f->connections[i].fd);
    }
    pthread_mutex_destroy(&f->lock);
    free(f);
}
