/*-------------------------------------------------------------------------
 *
 * loop.c
 *	  The event loop on libevent 2.1: see loop.h.
 *
 * IDENTIFICATION
 *	  lib/src/loop.c
 *
 *-------------------------------------------------------------------------
 */
#include "skytools/loop.h"

#include <event2/event.h>
#include <math.h>
#include <stdlib.h>

struct Loop
{
	struct event_base *base;
};

struct Timer
{
	struct event *ev;
	TimerFn fn;
	void *arg;
};

struct Watch
{
	Loop *loop;
	struct event *ev;
	WatchFn fn;
	void *arg;
};

typedef struct SignalHook
{
	struct event *ev;
	SignalFn fn;
	void *arg;
} SignalHook;

Loop *
loop_new(void)
{
	Loop *loop = calloc(1, sizeof(Loop));

	if (loop == NULL)
		return NULL;
	loop->base = event_base_new();
	if (loop->base == NULL)
	{
		free(loop);
		return NULL;
	}
	return loop;
}

void
loop_free(Loop *loop)
{
	if (loop == NULL)
		return;
	event_base_free(loop->base);
	free(loop);
}

bool
loop_run(Loop *loop)
{
	return event_base_dispatch(loop->base) >= 0;
}

void
loop_stop(Loop *loop)
{
	event_base_loopbreak(loop->base);
}

static void
signal_cb(evutil_socket_t sig, short what, void *arg)
{
	SignalHook *h = arg;

	(void) what;
	h->fn((int) sig, h->arg);
}

bool
loop_on_signal(Loop *loop, int sig, SignalFn fn, void *arg)
{
	SignalHook *h = calloc(1, sizeof(SignalHook));

	if (h == NULL)
		return false;
	h->fn = fn;
	h->arg = arg;
	h->ev = evsignal_new(loop->base, sig, signal_cb, h);
	return h->ev != NULL && evsignal_add(h->ev, NULL) == 0;
}

static void
timer_cb(evutil_socket_t fd, short what, void *arg)
{
	Timer *t = arg;

	(void) fd;
	(void) what;
	t->fn(t->arg);
}

Timer *
timer_new(Loop *loop, TimerFn fn, void *arg)
{
	Timer *t = calloc(1, sizeof(Timer));

	if (t == NULL)
		return NULL;
	t->fn = fn;
	t->arg = arg;
	t->ev = evtimer_new(loop->base, timer_cb, t);
	if (t->ev == NULL)
	{
		free(t);
		return NULL;
	}
	return t;
}

void
timer_start(Timer *t, double secs)
{
	struct timeval tv;

	if (secs < 0)
		secs = 0;
	tv.tv_sec = (long) floor(secs);
	tv.tv_usec = (long) ((secs - floor(secs)) * 1000000);
	evtimer_add(t->ev, &tv);
}

void
timer_stop(Timer *t)
{
	evtimer_del(t->ev);
}

bool
timer_pending(Timer *t)
{
	return evtimer_pending(t->ev, NULL) != 0;
}

void
timer_free(Timer *t)
{
	if (t == NULL)
		return;
	event_free(t->ev);
	free(t);
}

static void
watch_cb(evutil_socket_t fd, short what, void *arg)
{
	Watch *w = arg;

	w->fn((int) fd, (what & EV_READ) != 0, (what & EV_WRITE) != 0, w->arg);
}

Watch *
watch_new(Loop *loop, WatchFn fn, void *arg)
{
	Watch *w = calloc(1, sizeof(Watch));

	if (w == NULL)
		return NULL;
	w->loop = loop;
	w->fn = fn;
	w->arg = arg;
	return w;
}

void
watch_start(Watch *w, int fd, bool read, bool write)
{
	short what = (read ? EV_READ : 0) | (write ? EV_WRITE : 0);

	if (w->ev == NULL)
		w->ev = event_new(w->loop->base, fd, what, watch_cb, w);
	else
	{
		event_del(w->ev);
		event_assign(w->ev, w->loop->base, fd, what, watch_cb, w);
	}
	if (w->ev != NULL)
		event_add(w->ev, NULL);
}

void
watch_stop(Watch *w)
{
	if (w->ev != NULL)
		event_del(w->ev);
}

void
watch_free(Watch *w)
{
	if (w == NULL)
		return;
	if (w->ev != NULL)
		event_free(w->ev);
	free(w);
}

struct event_base *
loop_event_base(Loop *loop)
{
	return loop->base;
}
