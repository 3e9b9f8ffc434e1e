/* SPDX-License-Identifier: MIT */
/* A driver for the e-mail tests: opens a context on a scratch store with the e-mail settings
 * of its options and sends one message with vg__email_send(). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "email/email_internal.h"
#include "driver_store.h"

static const char usage[] =
    "usage: mail_send [options] KIND LANG TO SECRET\n"
    "  KIND     verify | reset\n"
    "  LANG     en | ja | zh-TW | ko | es\n"
    "options:\n"
    "  --smtp-url URL     smtp://host:port or smtps://host:port\n"
    "  --tls MODE         required | try | none (default: the library's)\n"
    "  --ca PATH          CA certificates to trust\n"
    "  --timeout MS       SMTP timeout in milliseconds\n"
    "  --user USER        SMTP user (the password comes from $SMTP_PASSWORD only)\n"
    "  --mail-dir DIR     write the message into DIR\n"
    "  --from ADDRESS     the sender\n"
    "  --reset-url URL    the page of a password reset\n"
    "Prints the status name (and the message on failure); log lines go to stderr.\n";

static void log_line(vg_log_level level, const char *message, void *payload)
{
    (void)payload;
    fprintf(stderr, "log %d: %s\n", (int)level, message);
}

static int parse_tls(const char *s, vg_smtp_tls *out)
{
    static const char *const names[] = {"required", "try", "none"};
    size_t i;
    for (i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = (vg_smtp_tls)i;
            return 0;
        }
    return -1;
}

int main(int argc, char **argv)
{
    static const struct option options[] = {
        {"smtp-url", required_argument, NULL, 'u'}, {"tls", required_argument, NULL, 't'},
        {"ca", required_argument, NULL, 'c'},       {"timeout", required_argument, NULL, 'T'},
        {"user", required_argument, NULL, 'U'},     {"mail-dir", required_argument, NULL, 'd'},
        {"from", required_argument, NULL, 'f'},     {"reset-url", required_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0}};
    static const unsigned char secret[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
                                             12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
                                             23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
    char dir[DRIVER_DIR_SIZE];
    vg_config config;
    vg_ctx *ctx = NULL;
    vg__email_kind kind;
    int opt, lang, rc;

    vg_config_init(&config, VG_CONFIG_VERSION);
    config.log = log_line;
    config.log_level = VG_LOG_INFO;
    config.secret = secret;
    config.secret_len = sizeof secret;
    while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (opt) {
        case 'u':
            config.smtp_url = optarg;
            break;
        case 't':
            if (parse_tls(optarg, &config.smtp_tls) != 0) {
                fputs(usage, stderr);
                return 2;
            }
            break;
        case 'c':
            config.smtp_ca_path = optarg;
            break;
        case 'T':
            config.smtp_timeout_ms = atoi(optarg);
            break;
        case 'U':
            config.smtp_user = optarg;
            break;
        case 'd':
            config.mail_dir = optarg;
            break;
        case 'f':
            config.email_from = optarg;
            break;
        case 'r':
            config.reset_url = optarg;
            break;
        case 'h':
            fputs(usage, stdout);
            return 0;
        default:
            fputs(usage, stderr);
            return 2;
        }
    }
    if (argc - optind != 4) {
        fputs(usage, stderr);
        return 2;
    }
    if (strcmp(argv[optind], "verify") == 0) {
        kind = VG__EMAIL_VERIFY;
    } else if (strcmp(argv[optind], "reset") == 0) {
        kind = VG__EMAIL_RESET;
    } else {
        fputs(usage, stderr);
        return 2;
    }
    lang = vg_lang_index(argv[optind + 1]);
    if (lang < 0) {
        fputs(usage, stderr);
        return 2;
    }

    if ((rc = driver_store_open(&ctx, &config, dir)) != VG_OK)
        return 1;
    rc = vg__email_send(ctx, kind, lang, argv[optind + 2], argv[optind + 3]);
    if (rc == VG_OK)
        printf("%s\n", vg_error_name(rc));
    else
        printf("%s: %s\n", vg_error_name(rc), vg_ctx_errmsg(ctx));
    driver_store_close(ctx, dir);
    return rc == VG_OK ? 0 : 1;
}
