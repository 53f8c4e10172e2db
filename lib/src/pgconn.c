/*-------------------------------------------------------------------------
 *
 * pgconn.c
 *	  Asynchronous libpq connections on the event loop: see pgconn.h.
 *
 * States: idle (no connection), connecting (PQconnectPoll driven by
 * socket readiness), ready, busy (a statement sent, results being read).
 * Every PGresult is cleared here: the callback only borrows it.
 *
 * IDENTIFICATION
 *	  lib/src/pgconn.c
 *
 *-------------------------------------------------------------------------
 */
#include "skytools/pgconn.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "skytools/log.h"

typedef enum
{
	ST_IDLE,
	ST_CONNECTING,
	ST_READY,
	ST_BUSY
} ConnState;

struct PgConn
{
	char *name; /* log prefix, e.g. "[db1]" */
	PGconn *conn;
	ConnState state;
	Watch *watch;
	Timer *timer;
	PgcCallback cb;
	void *arg;
	PGresult *last; /* result being collected */
	struct timespec connected_at;
	char errbuf[512];
};

static void on_socket(int fd, bool readable, bool writable, void *arg);

static double
now_secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
on_timer(void *arg)
{
	PgConn *c = arg;

	c->cb(c, PGC_WOKE, NULL, c->arg);
}

PgConn *
pgc_new(Loop *loop, const char *name, PgcCallback cb, void *arg)
{
	PgConn *c = calloc(1, sizeof(PgConn));

	if (c == NULL)
		return NULL;
	c->name = strdup(name);
	c->cb = cb;
	c->arg = arg;
	c->watch = watch_new(loop, on_socket, c);
	c->timer = timer_new(loop, on_timer, c);
	if (c->name == NULL || c->watch == NULL || c->timer == NULL)
	{
		pgc_free(c);
		return NULL;
	}
	return c;
}

void
pgc_free(PgConn *c)
{
	if (c == NULL)
		return;
	pgc_disconnect(c);
	watch_free(c->watch);
	timer_free(c->timer);
	free(c->name);
	free(c);
}

/* Keep the first line of libpq's message, for one-line logs. */
static const char *
conn_error(PgConn *c)
{
	const char *msg = c->conn ? PQerrorMessage(c->conn) : "";
	size_t n = strcspn(msg, "\n");

	if (n == 0)
		snprintf(c->errbuf, sizeof(c->errbuf), "%s",
				 c->conn && PQstatus(c->conn) == CONNECTION_BAD
					 ? "connection bad"
					 : "no message from libpq");
	else
		snprintf(c->errbuf, sizeof(c->errbuf), "%.*s", (int) n, msg);
	return c->errbuf;
}

const char *
pgc_error(const PgConn *c)
{
	return c->errbuf;
}

/* Server messages: WARNING and above to the log, the rest at DEBUG. */
static void
on_notice(void *arg, const PGresult *res)
{
	PgConn *c = arg;
	const char *sev = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
	const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	bool warn =
		sev && (strcmp(sev, "WARNING") == 0 || strcmp(sev, "ERROR") == 0);

	log_msg(warn ? LG_WARNING : LG_DEBUG, "%s: server %s: %s", c->name,
			sev ? sev : "NOTICE", msg ? msg : "");
}

static void
drop_connection(PgConn *c)
{
	watch_stop(c->watch);
	if (c->last != NULL)
		PQclear(c->last);
	c->last = NULL;
	if (c->conn != NULL)
		PQfinish(c->conn);
	c->conn = NULL;
	c->state = ST_IDLE;
}

void
pgc_disconnect(PgConn *c)
{
	timer_stop(c->timer);
	drop_connection(c);
}

static void
fail(PgConn *c, PgcEvent ev, const char *step)
{
	log_error("%s: connection error: %s: %s", c->name, step, conn_error(c));
	drop_connection(c);
	timer_stop(c->timer);
	c->cb(c, ev, NULL, c->arg);
}

static void
poll_connect(PgConn *c)
{
	switch (PQconnectPoll(c->conn))
	{
		case PGRES_POLLING_READING:
			watch_start(c->watch, PQsocket(c->conn), true, false);
			return;
		case PGRES_POLLING_WRITING:
			watch_start(c->watch, PQsocket(c->conn), false, true);
			return;
		case PGRES_POLLING_OK:
			watch_stop(c->watch);
			c->state = ST_READY;
			clock_gettime(CLOCK_MONOTONIC, &c->connected_at);
			PQsetNoticeReceiver(c->conn, on_notice, c);
			c->cb(c, PGC_CONNECTED, NULL, c->arg);
			return;
		default:
			fail(c, PGC_CONNECT_FAILED, "connect");
			return;
	}
}

void
pgc_connect(PgConn *c, const char *conninfo)
{
	pgc_disconnect(c);
	c->conn = PQconnectStart(conninfo);
	if (c->conn == NULL || PQstatus(c->conn) == CONNECTION_BAD ||
		PQsetnonblocking(c->conn, 1) != 0)
	{
		fail(c, PGC_CONNECT_FAILED, "PQconnectStart");
		return;
	}
	c->state = ST_CONNECTING;
	poll_connect(c);
}

/* Read what has arrived; deliver the result when the statement is done. */
static void
read_results(PgConn *c)
{
	PGresult *res;

	if (!PQconsumeInput(c->conn))
	{
		fail(c, PGC_LOST, "PQconsumeInput");
		return;
	}
	while (!PQisBusy(c->conn))
	{
		res = PQgetResult(c->conn);
		if (res == NULL)
		{
			PGresult *last = c->last;

			c->last = NULL;
			watch_stop(c->watch);
			c->state = ST_READY;
			if (last != NULL && PQresultStatus(last) == PGRES_FATAL_ERROR)
				log_error(
					"%s: %s", c->name,
					PQresultErrorField(last, PG_DIAG_MESSAGE_PRIMARY)
						? PQresultErrorField(last, PG_DIAG_MESSAGE_PRIMARY)
						: PQresStatus(PQresultStatus(last)));
			c->cb(c, PGC_RESULT, last, c->arg);
			if (last != NULL)
				PQclear(last);
			return;
		}
		if (c->last != NULL)
			PQclear(c->last);
		c->last = res;
	}
	if (PQstatus(c->conn) == CONNECTION_BAD)
	{
		fail(c, PGC_LOST, "connection");
		return;
	}
	watch_start(c->watch, PQsocket(c->conn), true, false);
}

static void
flush_output(PgConn *c)
{
	int r = PQflush(c->conn);

	if (r < 0)
		fail(c, PGC_LOST, "PQflush");
	else if (r > 0)
		watch_start(c->watch, PQsocket(c->conn), true, true);
	else
		watch_start(c->watch, PQsocket(c->conn), true, false);
}

static void
on_socket(int fd, bool readable, bool writable, void *arg)
{
	PgConn *c = arg;

	(void) fd;
	if (c->state == ST_CONNECTING)
		poll_connect(c);
	else if (c->state == ST_BUSY)
	{
		if (writable)
			flush_output(c);
		if (readable && c->state == ST_BUSY)
			read_results(c);
	}
	else if (c->state == ST_READY && readable)
	{
		/* idle connection readable: a notice, or the server went away */
		if (!PQconsumeInput(c->conn) || PQstatus(c->conn) == CONNECTION_BAD)
			fail(c, PGC_LOST, "PQconsumeInput");
	}
}

bool
pgc_send(PgConn *c, const char *sql, int nparams, const char *const *params)
{
	int ok;

	if (c->state != ST_READY)
	{
		snprintf(c->errbuf, sizeof(c->errbuf), "not connected");
		log_error("%s: cannot send, connection not ready", c->name);
		return false;
	}
	log_noise("%s: %s", c->name, sql);
	if (nparams > 0)
		ok = PQsendQueryParams(c->conn, sql, nparams, NULL, params, NULL, NULL,
							   0);
	else
		ok = PQsendQuery(c->conn, sql);
	if (!ok || PQflush(c->conn) < 0)
	{
		/* no callback from inside the caller's call: it sees false */
		log_error("%s: connection error: PQsendQuery: %s", c->name,
				  conn_error(c));
		drop_connection(c);
		return false;
	}
	c->state = ST_BUSY;
	watch_start(c->watch, PQsocket(c->conn), true, true);
	return true;
}

void
pgc_sleep(PgConn *c, double secs)
{
	if (c->state == ST_READY)
		watch_start(c->watch, PQsocket(c->conn), true, false);
	timer_start(c->timer, secs);
}

bool
pgc_connected(const PgConn *c)
{
	return c->state == ST_READY || c->state == ST_BUSY;
}

double
pgc_age(const PgConn *c)
{
	if (!pgc_connected(c))
		return 0;
	return now_secs() -
		   (c->connected_at.tv_sec + c->connected_at.tv_nsec / 1e9);
}
