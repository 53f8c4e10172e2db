/*-------------------------------------------------------------------------
 *
 * pgconn.h
 *	  One asynchronous libpq connection driven by the event loop.
 *
 * A PgConn connects without blocking, sends one statement at a time and
 * reports to its owner's callback: connected, connect failed, the result
 * of the statement (the last one if it returned several; owned by PgConn,
 * valid during the callback), connection lost, or the end of a sleep.
 * Server notices of WARNING and above are logged, prefixed with the name
 * given at creation; the conninfo is never logged.
 *
 * IDENTIFICATION
 *	  lib/include/skytools/pgconn.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SKYTOOLS_PGCONN_H
#define SKYTOOLS_PGCONN_H

#include <stdbool.h>

#include <libpq-fe.h>

#include "skytools/loop.h"

typedef struct PgConn PgConn;

typedef enum PgcEvent
{
	PGC_CONNECTED,
	PGC_CONNECT_FAILED,
	PGC_RESULT,
	PGC_LOST, /* the connection broke while in use */
	PGC_WOKE  /* pgc_sleep() ended */
} PgcEvent;

typedef void (*PgcCallback)(PgConn *c, PgcEvent ev, PGresult *res, void *arg);

extern PgConn *pgc_new(Loop *loop, const char *name, PgcCallback cb,
					   void *arg);
extern void pgc_free(PgConn *c);
/* Start connecting; the outcome arrives as PGC_CONNECTED or _FAILED. */
extern void pgc_connect(PgConn *c, const char *conninfo);
/* Send a statement with text parameters; false (logged) if it failed. */
extern bool pgc_send(PgConn *c, const char *sql, int nparams,
					 const char *const *params);
extern void pgc_disconnect(PgConn *c);
/* PGC_WOKE after secs; the connection, if any, stays open. */
extern void pgc_sleep(PgConn *c, double secs);
extern bool pgc_connected(const PgConn *c);
/* Seconds since the connection was made (0 when not connected). */
extern double pgc_age(const PgConn *c);
/* The last libpq error message, first line, for logs. */
extern const char *pgc_error(const PgConn *c);

#endif /* SKYTOOLS_PGCONN_H */
