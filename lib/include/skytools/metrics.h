/*-------------------------------------------------------------------------
 *
 * metrics.h
 *	  Prometheus metrics over HTTP on loopback, for the daemons (pgqd's
 *	  metrics_port, the Londiste worker's).
 *
 * The page is written into a libevent evbuffer with sky_prom_family and
 * sky_prom_sample (label values escaped as the text format wants), and
 * served by libevent's own HTTP server (evhttp) on 127.0.0.1:port: any
 * path answers the page, text/plain; version=0.0.4.  A program with a
 * libevent loop serves it from that loop (sky_metrics_start); one without
 * (the Londiste worker's blocking libpq loop) from a thread of its own
 * (sky_metrics_start_thread), the render callback then running in that
 * thread: the caller guards what it reads.
 *
 * IDENTIFICATION
 *	  lib/include/skytools/metrics.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SKYTOOLS_METRICS_H
#define SKYTOOLS_METRICS_H

#include <stdbool.h>
#include <stddef.h>

struct evbuffer;
struct event_base;

typedef struct SkyMetrics SkyMetrics;

/* Writes the whole page into out; false answers 500. */
typedef bool (*SkyMetricsRender)(struct evbuffer *out, void *arg);

/* "# HELP name help" and "# TYPE name type" */
extern void sky_prom_family(struct evbuffer *out, const char *name,
							const char *type, const char *help);

/*
 * One sample: name{k1="v1",...} value, with nlabels (key, value) pairs
 * given as 2 * nlabels strings after the value.
 */
extern void sky_prom_sample(struct evbuffer *out, const char *name,
							double value, int nlabels, ...);

/* Serve on 127.0.0.1:port from base; NULL with err on failure. */
extern SkyMetrics *sky_metrics_start(struct event_base *base, int port,
									 SkyMetricsRender render, void *arg,
									 char *err, size_t errlen);

/* The same from a thread and event loop of its own. */
extern SkyMetrics *sky_metrics_start_thread(int port, SkyMetricsRender render,
											void *arg, char *err,
											size_t errlen);

extern int sky_metrics_port(const SkyMetrics *m);

/* Stop serving (and join the thread, if any); NULL is ignored. */
extern void sky_metrics_stop(SkyMetrics *m);

#endif /* SKYTOOLS_METRICS_H */
