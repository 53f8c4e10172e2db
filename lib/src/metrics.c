/*-------------------------------------------------------------------------
 *
 * metrics.c
 *	  Prometheus metrics over evhttp: see metrics.h.
 *
 * IDENTIFICATION
 *	  lib/src/metrics.c
 *
 *-------------------------------------------------------------------------
 */
#include "skytools/metrics.h"

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/thread.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct SkyMetrics
{
	struct event_base *base;
	bool own_base; /* the thread's */
	struct evhttp *http;
	SkyMetricsRender render;
	void *arg;
	int port;
	pthread_t thread;
	bool threaded;
};

void
sky_prom_family(struct evbuffer *out, const char *name, const char *type,
				const char *help)
{
	evbuffer_add_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
						type);
}

static void
label_value(struct evbuffer *out, const char *v)
{
	for (; v && *v; v++)
	{
		if (*v == '\\' || *v == '"')
			evbuffer_add_printf(out, "\\%c", *v);
		else if (*v == '\n')
			evbuffer_add(out, "\\n", 2);
		else
			evbuffer_add(out, v, 1);
	}
}

void
sky_prom_sample(struct evbuffer *out, const char *name, double value,
				int nlabels, ...)
{
	va_list ap;
	int i;

	evbuffer_add_printf(out, "%s", name);
	va_start(ap, nlabels);
	for (i = 0; i < nlabels; i++)
	{
		const char *k = va_arg(ap, const char *);
		const char *v = va_arg(ap, const char *);

		evbuffer_add_printf(out, "%s%s=\"", i ? "," : "{", k);
		label_value(out, v);
		evbuffer_add(out, "\"", 1);
	}
	va_end(ap);
	if (nlabels)
		evbuffer_add(out, "}", 1);
	if (value == (double) (long long) value)
		evbuffer_add_printf(out, " %lld\n", (long long) value);
	else
		evbuffer_add_printf(out, " %.6f\n", value);
}

static void
on_request(struct evhttp_request *req, void *arg)
{
	SkyMetrics *m = arg;
	struct evbuffer *out = evbuffer_new();

	if (out && m->render(out, m->arg))
	{
		evhttp_add_header(evhttp_request_get_output_headers(req),
						  "Content-Type", "text/plain; version=0.0.4");
		evhttp_send_reply(req, HTTP_OK, "OK", out);
	}
	else
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
	if (out)
		evbuffer_free(out);
}

SkyMetrics *
sky_metrics_start(struct event_base *base, int port, SkyMetricsRender render,
				  void *arg, char *err, size_t errlen)
{
	SkyMetrics *m;

	if (port <= 0 || port > 65535)
	{
		snprintf(err, errlen, "metrics_port %d out of range", port);
		return NULL;
	}
	m = calloc(1, sizeof(*m));
	if (m == NULL)
	{
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	m->base = base;
	m->render = render;
	m->arg = arg;
	m->port = port;
	m->http = evhttp_new(base);
	if (m->http == NULL ||
		evhttp_bind_socket(m->http, "127.0.0.1", (unsigned short) port) != 0)
	{
		snprintf(err, errlen, "cannot listen on 127.0.0.1:%d", port);
		if (m->http)
			evhttp_free(m->http);
		free(m);
		return NULL;
	}
	evhttp_set_timeout(m->http, 5);
	evhttp_set_gencb(m->http, on_request, m);
	return m;
}

static void *
thread_main(void *arg)
{
	SkyMetrics *m = arg;

	event_base_dispatch(m->base);
	return NULL;
}

SkyMetrics *
sky_metrics_start_thread(int port, SkyMetricsRender render, void *arg,
						 char *err, size_t errlen)
{
	struct event_base *base;
	SkyMetrics *m;

	evthread_use_pthreads();
	base = event_base_new();
	if (base == NULL)
	{
		snprintf(err, errlen, "cannot make an event loop");
		return NULL;
	}
	m = sky_metrics_start(base, port, render, arg, err, errlen);
	if (m == NULL)
	{
		event_base_free(base);
		return NULL;
	}
	m->own_base = true;
	if (pthread_create(&m->thread, NULL, thread_main, m) != 0)
	{
		snprintf(err, errlen, "cannot start the metrics thread");
		evhttp_free(m->http);
		event_base_free(base);
		free(m);
		return NULL;
	}
	m->threaded = true;
	return m;
}

int
sky_metrics_port(const SkyMetrics *m)
{
	return m ? m->port : 0;
}

void
sky_metrics_stop(SkyMetrics *m)
{
	if (m == NULL)
		return;
	if (m->threaded)
	{
		event_base_loopbreak(m->base);
		pthread_join(m->thread, NULL);
	}
	evhttp_free(m->http);
	if (m->own_base)
		event_base_free(m->base);
	free(m);
}
