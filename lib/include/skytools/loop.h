/*-------------------------------------------------------------------------
 *
 * loop.h
 *	  The event loop: timers, file-descriptor watches and signals, on
 *	  libevent 2.1.  No other file includes libevent's headers.
 *
 * Callbacks run in the loop's thread; a signal callback runs in the loop,
 * not in the signal handler, so it may do anything.
 *
 * IDENTIFICATION
 *	  lib/include/skytools/loop.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SKYTOOLS_LOOP_H
#define SKYTOOLS_LOOP_H

#include <stdbool.h>

typedef struct Loop Loop;
typedef struct Timer Timer;
typedef struct Watch Watch;

typedef void (*TimerFn)(void *arg);
typedef void (*WatchFn)(int fd, bool readable, bool writable, void *arg);
typedef void (*SignalFn)(int sig, void *arg);

extern Loop *loop_new(void);
extern void loop_free(Loop *loop);
/* Run until loop_stop(); false if the loop failed. */
extern bool loop_run(Loop *loop);
extern void loop_stop(Loop *loop);

/* libevent's loop underneath, for libevent's own servers (evhttp) */
struct event_base;
extern struct event_base *loop_event_base(Loop *loop);
/* Call fn in the loop when sig arrives. */
extern bool loop_on_signal(Loop *loop, int sig, SignalFn fn, void *arg);

extern Timer *timer_new(Loop *loop, TimerFn fn, void *arg);
extern void timer_start(Timer *t, double secs); /* one shot; restarts */
extern void timer_stop(Timer *t);
extern bool timer_pending(Timer *t);
extern void timer_free(Timer *t);

extern Watch *watch_new(Loop *loop, WatchFn fn, void *arg);
/* Watch fd for readability and/or writability, once; replaces the last. */
extern void watch_start(Watch *w, int fd, bool read, bool write);
extern void watch_stop(Watch *w);
extern void watch_free(Watch *w);

#endif /* SKYTOOLS_LOOP_H */
