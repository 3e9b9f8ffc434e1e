/* SPDX-License-Identifier: MIT */
/* A driver for the HTTP layer's tests: sends requests described by its options through
 * vg__http_send() with instant, recorded waits, and prints one JSON line per call. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "providers/http.h"
#include "driver_store.h"

static const char usage[] =
    "usage: http_driver [options] URL\n"
    "options:\n"
    "  --method M             GET (default), POST, DELETE\n"
    "  --body TEXT            the request body\n"
    "  --header 'N: V'        an extra header (repeatable)\n"
    "  --secret-env VAR       the secret header line ('Name: value') is in $VAR\n"
    "  --paid                 the request creates a paid job\n"
    "  --connect-timeout MS, --timeout MS, --attempts N, --base-delay MS, --max-delay MS,\n"
    "  --max-body BYTES, --breaker-failures N, --breaker-cooldown MS, --ca PATH\n"
    "  --calls N              send it N times in a row (default 1)\n"
    "  --fake-clock MS        use a fake clock that moves MS milliseconds after each call\n"
    "  --quiet-log            log at INFO instead of DEBUG\n"
    "  --retry-after VALUE    only parse VALUE as a Retry-After and print the seconds\n"
    "Prints {\"call\", \"status\", \"http\", \"attempts\", \"waits_ms\", \"body\", \"error\"} per\n"
    "call on stdout; log lines go to stderr. Exit status 0 when the last call succeeded.\n";

#define WAITS_MAX 64
static int waits[WAITS_MAX];
static int wait_count;
static vg_time fake_now;

static void record_wait(int ms)
{
    if (wait_count < WAITS_MAX)
        waits[wait_count++] = ms;
}

static vg_time fake_clock(void *payload)
{
    (void)payload;
    return fake_now;
}

static void log_line(vg_log_level level, const char *message, void *payload)
{
    (void)payload;
    fprintf(stderr, "log %d: %s\n", (int)level, message);
}

static void print_json_string(const char *s, size_t len)
{
    size_t i;
    putchar('"');
    for (i = 0; s && i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '"' || ch == '\\')
            printf("\\%c", ch);
        else if (ch < 0x20 || ch >= 0x7f)
            printf("\\u%04x", ch);
        else
            putchar(ch);
    }
    putchar('"');
}

int main(int argc, char **argv)
{
    static const struct option options[] = {
        {"method", required_argument, NULL, 'm'},
        {"body", required_argument, NULL, 'b'},
        {"header", required_argument, NULL, 'H'},
        {"secret-env", required_argument, NULL, 's'},
        {"paid", no_argument, NULL, 'p'},
        {"connect-timeout", required_argument, NULL, 'C'},
        {"timeout", required_argument, NULL, 'T'},
        {"attempts", required_argument, NULL, 'a'},
        {"base-delay", required_argument, NULL, 'd'},
        {"max-delay", required_argument, NULL, 'D'},
        {"max-body", required_argument, NULL, 'M'},
        {"breaker-failures", required_argument, NULL, 'f'},
        {"breaker-cooldown", required_argument, NULL, 'c'},
        {"ca", required_argument, NULL, 'A'},
        {"calls", required_argument, NULL, 'n'},
        {"fake-clock", required_argument, NULL, 'F'},
        {"quiet-log", no_argument, NULL, 'q'},
        {"retry-after", required_argument, NULL, 'R'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    static const unsigned char secret[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
                                             12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
                                             23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
    const char *headers[17];
    int header_count = 0, calls = 1, use_fake_clock = 0, i, j, opt, rc;
    long advance_ms = 0;
    char dir[DRIVER_DIR_SIZE];
    vg__http_options http = {0};
    vg__http_request request = {0};
    vg__http_response response;
    vg__http_client *client = NULL;
    vg_config config;
    vg_ctx *ctx = NULL;

    vg_config_init(&config, VG_CONFIG_VERSION);
    config.log = log_line;
    config.log_level = VG_LOG_DEBUG;
    config.secret = secret;
    config.secret_len = sizeof secret;
    http.provider = "fake";
    request.method = "GET";
    while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (opt) {
        case 'm':
            request.method = optarg;
            break;
        case 'b':
            request.body = optarg;
            request.body_len = strlen(optarg);
            break;
        case 'H':
            if (header_count < 16)
                headers[header_count++] = optarg;
            break;
        case 's':
            request.secret_header = getenv(optarg);
            break;
        case 'p':
            request.creates_paid_job = 1;
            break;
        case 'C':
            http.connect_timeout_ms = atoi(optarg);
            break;
        case 'T':
            http.total_timeout_ms = atoi(optarg);
            break;
        case 'a':
            http.max_attempts = atoi(optarg);
            break;
        case 'd':
            http.base_delay_ms = atoi(optarg);
            break;
        case 'D':
            http.max_delay_ms = atoi(optarg);
            break;
        case 'M':
            http.max_body = (size_t)strtoull(optarg, NULL, 10);
            break;
        case 'f':
            http.breaker_failures = atoi(optarg);
            break;
        case 'c':
            http.breaker_cooldown_ms = atoi(optarg);
            break;
        case 'A':
            http.ca_path = optarg;
            break;
        case 'n':
            calls = atoi(optarg);
            break;
        case 'F':
            use_fake_clock = 1;
            advance_ms = atol(optarg);
            break;
        case 'q':
            config.log_level = VG_LOG_INFO;
            break;
        case 'R':
            printf("%.3f\n", vg__http_retry_after(optarg, vg_time_now_system()));
            return 0;
        case 'h':
            fputs(usage, stdout);
            return 0;
        default:
            fputs(usage, stderr);
            return 2;
        }
    }
    if (argc - optind != 1) {
        fputs(usage, stderr);
        return 2;
    }
    headers[header_count] = NULL;
    request.headers = headers;
    request.url = argv[optind];
    if (use_fake_clock) {
        fake_now = vg_time_now_system();
        config.clock = fake_clock;
    }
    vg__http_sleep_hook = record_wait;

    if ((rc = driver_store_open(&ctx, &config, dir)) != VG_OK)
        return 1;
    rc = vg__http_client_new(&client, ctx, &http);
    if (rc != VG_OK) {
        printf("{\"status\": \"%s\", \"error\": ", vg_error_name(rc));
        print_json_string(vg_error_last(), strlen(vg_error_last()));
        printf("}\n");
    }
    for (i = 0; client && i < calls; i++) {
        wait_count = 0;
        rc = vg__http_send(&response, client, &request);
        printf("{\"call\": %d, \"status\": \"%s\", \"http\": %ld, \"attempts\": %d, "
               "\"waits_ms\": [",
               i, vg_error_name(rc), response.status, response.attempts);
        for (j = 0; j < wait_count; j++)
            printf("%s%d", j ? ", " : "", waits[j]);
        printf("], \"body\": ");
        if (response.body)
            print_json_string(response.body, response.body_len);
        else
            printf("null");
        printf(", \"error\": ");
        if (rc == VG_OK)
            printf("null");
        else
            print_json_string(vg_ctx_errmsg(ctx), strlen(vg_ctx_errmsg(ctx)));
        printf("}\n");
        fflush(stdout);
        vg__http_response_free(&response);
        fake_now += (vg_time)advance_ms * 1000;
    }
    vg__http_client_free(client);
    driver_store_close(ctx, dir);
    return rc == VG_OK ? 0 : 1;
}
