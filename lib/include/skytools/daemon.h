/*-------------------------------------------------------------------------
 *
 * daemon.h
 *	  Pidfiles, going to the background, signalling a running instance.
 *
 * IDENTIFICATION
 *	  lib/include/skytools/daemon.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SKYTOOLS_DAEMON_H
#define SKYTOOLS_DAEMON_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * Take the pidfile: refuse (false, err) when it names a live process;
 * remove it when stale (*stale set); create it exclusively with our pid.
 * It is removed at exit (atexit) as long as it still holds our pid.
 */
extern bool pidfile_claim(const char *path, bool *stale, char *err,
						  size_t errlen);

/* Write our (new) pid into the claimed pidfile, after daemonize(). */
extern bool pidfile_update(char *err, size_t errlen);

/* Remove the claimed pidfile now (also done at exit). */
extern void pidfile_release(void);

/* The pid in a pidfile, or 0 when missing or unreadable. */
extern pid_t pidfile_read(const char *path);

/*
 * Send sig to the process in the pidfile: 1 sent, 0 nothing runs there
 * (no file, or the process is gone), -1 other error (errno set).
 */
extern int pidfile_signal(const char *path, int sig);

/*
 * Detach: stdin/stdout/stderr to /dev/null, fork, setsid, fork again.
 * Returns in the final child only; false with err on failure.
 */
extern bool daemonize(char *err, size_t errlen);

#endif /* SKYTOOLS_DAEMON_H */
