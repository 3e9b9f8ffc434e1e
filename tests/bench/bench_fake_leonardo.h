/* SPDX-License-Identifier: MIT */
/* A tiny loopback fake of Leonardo's create and poll endpoints for the benchmarks: every
 * create answers a job id at once, and every poll answers that job COMPLETE. */
#ifndef VIDGO_BENCH_FAKE_LEONARDO_H
#define VIDGO_BENCH_FAKE_LEONARDO_H

typedef struct bench_fake bench_fake;

/* What the fake was asked, counted since it started. */
typedef struct bench_fake_counts {
    long creates; /* POST /generations, /generations-text-to-video, ... */
    long polls;   /* GET /generations/{id} */
    long others;  /* anything else (answered 404) */
} bench_fake_counts;

/* Starts the fake on 127.0.0.1 (a free port) with its own threads: one accepts, one per
 * connection serves HTTP/1.1 with keep-alive. Returns 0, or -1 (errno says why). */
int bench_fake_start(bench_fake **out);

/* The base URL to configure, "http://127.0.0.1:<port>". */
const char *bench_fake_url(const bench_fake *fake);

void bench_fake_counts_get(bench_fake_counts *out, bench_fake *fake);

/* Stops the threads, closes every connection and frees the fake; NULL is a no-op. */
void bench_fake_stop(bench_fake *fake);

#endif
