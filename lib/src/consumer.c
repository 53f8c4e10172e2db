/*-------------------------------------------------------------------------
 *
 * consumer.c
 *	  The PgQ consumer batch loop: see consumer.h.
 *
 * One batch, in the queue database Q (and the target T in remote mode):
 *
 *	Q: select ... next_batch ...			(own transaction: the batch id is
 *											 fixed before anything is applied)
 *	Q: begin; open the batch cursor
 *	T: begin; pgq_ext.is_batch_done()		(remote: skip the callbacks if so)
 *	   callbacks, fetching fetch_size events at a time
 *	T: pgq_ext.set_batch_done(); commit		(remote)
 *	Q: pgq.event_retry() for tagged events; finish_batch(); commit
 *
 * A failure anywhere before the last commit leaves the batch open, and
 * PgQ hands it out again with the same id.
 *
 * IDENTIFICATION
 *	  lib/src/consumer.c
 *
 *-------------------------------------------------------------------------
 */
#include "skytools/consumer.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>

#include "skytools/log.h"
#include "skytools/pgutil.h"

#define DEFAULT_FETCH	   300
#define DEFAULT_LOOP_DELAY 1.0
#define BACKOFF_MAX		   30.0
#define CURSOR_NAME		   "pgq_batch_walker"
#define TICK_CHANNEL	   "pgq_tick"

typedef struct RetryTag
{
	int64_t ev_id;
	int secs;
} RetryTag;

struct PgqConsumer
{
	PgqConsumerOpts o; /* strings below are our copies */
	char dead_interval[32];
	PGconn *qdb;
	PGconn *tdb;
	volatile sig_atomic_t stop;

	/* the batch in progress */
	bool in_batch;
	PgqBatch batch;
	PGresult *rows;
	int row;
	bool cursor_done;
	bool prefetching; /* the next FETCH is on its way (qdb is busy) */
	bool conn_failed; /* the last round could not connect */
	PGresult *next;	  /* or has arrived: the next slice */
	bool next_failed; /* or has failed */
	PgqEvent ev;
	char timebuf[PG_UTC_TIME_LEN]; /* ev.time: the last ev_time formatted */
	int64_t timebuf_us;			   /* which it is */
	bool timebuf_set;
	RetryTag *retries;
	int nretries;
	int maxretries;
	bool failed; /* a fetch failed: the batch must not be finished */

	PgqConsumerStats stats;
};

static char *
dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

PgqConsumer *
pgq_consumer_new(const PgqConsumerOpts *opts)
{
	PgqConsumer *c;

	if (!opts->queue_db || !opts->queue_name || !opts->consumer_name ||
		!opts->queue_name[0] || !opts->consumer_name[0])
	{
		log_error("consumer: queue_db, queue_name and consumer_name are "
				  "required");
		return NULL;
	}
	if ((opts->on_batch == NULL) == (opts->on_event == NULL))
	{
		log_error("consumer: give exactly one of on_batch and on_event");
		return NULL;
	}
	if (opts->subconsumer && opts->target_db)
	{
		log_error("consumer: a sub-consumer cannot apply into a target "
				  "database (pgq_ext keeps one batch per consumer)");
		return NULL;
	}
	if (opts->hooks && !opts->target_db)
	{
		log_error("consumer: target hooks need a target database");
		return NULL;
	}
	if (opts->subconsumer && !opts->subconsumer[0])
	{
		log_error("consumer: empty sub-consumer name");
		return NULL;
	}
	if (opts->fetch_size < 0 || opts->loop_delay < 0 ||
		opts->dead_interval < 0)
	{
		log_error("consumer: fetch_size, loop_delay and dead_interval must "
				  "not be negative");
		return NULL;
	}

	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->o = *opts;
	c->o.queue_db = dup_or_null(opts->queue_db);
	c->o.queue_name = dup_or_null(opts->queue_name);
	c->o.consumer_name = dup_or_null(opts->consumer_name);
	c->o.subconsumer = dup_or_null(opts->subconsumer);
	c->o.target_db = dup_or_null(opts->target_db);
	if (c->o.fetch_size == 0)
		c->o.fetch_size = DEFAULT_FETCH;
	if (c->o.loop_delay == 0)
		c->o.loop_delay = DEFAULT_LOOP_DELAY;
	snprintf(c->dead_interval, sizeof(c->dead_interval), "%.3f seconds",
			 c->o.dead_interval);
	return c;
}

bool
pgq_consumer_set_queue_db(PgqConsumer *c, const char *conninfo)
{
	char *copy;

	if (c->o.queue_db && strcmp(c->o.queue_db, conninfo) == 0)
		return true;
	copy = strdup(conninfo);
	if (copy == NULL)
		return false;
	free((char *) c->o.queue_db);
	c->o.queue_db = copy;
	return true;
}

const PgqConsumerOpts *
pgq_consumer_opts(const PgqConsumer *c)
{
	return &c->o;
}

static void
close_conns(PgqConsumer *c)
{
	if (c->qdb)
		PQfinish(c->qdb);
	if (c->tdb)
		PQfinish(c->tdb);
	c->qdb = c->tdb = NULL;
}

static void prefetch_drain(PgqConsumer *c);

static void
clear_batch(PgqConsumer *c)
{
	prefetch_drain(c);
	PQclear(c->next);
	c->next = NULL;
	c->next_failed = false;
	if (c->rows)
		PQclear(c->rows);
	c->rows = NULL;
	c->in_batch = false;
	c->nretries = 0;
	c->failed = false;
}

void
pgq_consumer_free(PgqConsumer *c)
{
	if (c == NULL)
		return;
	clear_batch(c);
	close_conns(c);
	free((char *) c->o.queue_db);
	free((char *) c->o.queue_name);
	free((char *) c->o.consumer_name);
	free((char *) c->o.subconsumer);
	free((char *) c->o.target_db);
	free(c->retries);
	free(c);
}

void
pgq_consumer_stop(PgqConsumer *c)
{
	c->stop = 1;
}

PGconn *
pgq_consumer_queue_conn(PgqConsumer *c)
{
	prefetch_drain(c); /* the connection is the caller's now */
	return c->qdb;
}

PGconn *
pgq_consumer_target_conn(PgqConsumer *c)
{
	return c->tdb;
}

void
pgq_consumer_stats(const PgqConsumer *c, PgqConsumerStats *out)
{
	*out = c->stats;
}

/* First line of a connection's error, for logs. */
static const char *
conn_error(PGconn *db, char *buf, size_t len)
{
	const char *msg = db ? PQerrorMessage(db) : "not connected";
	size_t n = strcspn(msg, "\n");

	snprintf(buf, len, "%.*s", (int) (n < len ? n : len - 1), msg);
	return buf;
}

/* Connect; the conninfo is never logged. */
static PGconn *
connect_db(const char *conninfo, const char *what)
{
	PGconn *db = PQconnectdb(conninfo);
	char err[256];

	if (PQstatus(db) != CONNECTION_OK)
	{
		log_error("consumer: cannot connect to the %s database: %s", what,
				  conn_error(db, err, sizeof(err)));
		PQfinish(db);
		return NULL;
	}
	return db;
}

/*
 * Run sql with text parameters; the result on success (caller clears),
 * NULL (logged) on failure.
 */
static PGresult *
run_fmt(PGconn *db, const char *sql, int nparams, const char *const *params,
		int result_format)
{
	PGresult *res;
	ExecStatusType st;

	if (db == NULL)
		return NULL;
	res = PQexecParams(db, sql, nparams, NULL, params, NULL, NULL,
					   result_format);
	st = PQresultStatus(res);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
	{
		char err[512];
		const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);

		snprintf(err, sizeof(err), "%s",
				 msg				  ? msg
				 : PQerrorMessage(db) ? PQerrorMessage(db)
									  : "?");
		err[strcspn(err, "\n")] = '\0';
		log_error("consumer: %.60s: %s", sql, err);
		PQclear(res);
		return NULL;
	}
	return res;
}

static PGresult *
run(PGconn *db, const char *sql, int nparams, const char *const *params)
{
	return run_fmt(db, sql, nparams, params, 0);
}

/* Run a statement whose result is not needed. */
static bool
run_cmd(PGconn *db, const char *sql, int nparams, const char *const *params)
{
	PGresult *res = run(db, sql, nparams, params);

	if (res == NULL)
		return false;
	PQclear(res);
	return true;
}

static bool
ensure_conns(PgqConsumer *c)
{
	if (c->qdb && PQstatus(c->qdb) != CONNECTION_OK)
		close_conns(c);
	if (c->tdb && PQstatus(c->tdb) != CONNECTION_OK)
		close_conns(c);
	if (c->qdb == NULL)
	{
		c->qdb = connect_db(c->o.queue_db, "queue");
		if (c->qdb == NULL)
			return false;
		if (!run_cmd(c->qdb, "LISTEN " TICK_CHANNEL, 0, NULL))
		{
			close_conns(c);
			return false;
		}
	}
	if (c->o.target_db && c->tdb == NULL)
	{
		c->tdb = connect_db(c->o.target_db, "target");
		if (c->tdb == NULL)
		{
			close_conns(c);
			return false;
		}
	}
	return true;
}

/* Run a one-value query on the queue database: its integer, or -1. */
static int
query_int(PgqConsumer *c, const char *sql, int nparams,
		  const char *const *params)
{
	PGresult *res;
	int v;

	if (!ensure_conns(c))
		return -1;
	res = run(c->qdb, sql, nparams, params);
	if (res == NULL)
		return -1;
	v = PQntuples(res) == 1 && !PQgetisnull(res, 0, 0)
			? atoi(PQgetvalue(res, 0, 0))
			: -1;
	PQclear(res);
	return v;
}

/* Call a (un)registering function with queue, consumer [, subconsumer]. */
static int
call_registration(PgqConsumer *c, const char *plain_sql, const char *coop_sql)
{
	const char *p[3] = {c->o.queue_name, c->o.consumer_name, c->o.subconsumer};

	return c->o.subconsumer ? query_int(c, coop_sql, 3, p)
							: query_int(c, plain_sql, 2, p);
}

int
pgq_consumer_register(PgqConsumer *c)
{
	return call_registration(
		c, "select pgq.register_consumer($1, $2)",
		"select pgq_coop.register_subconsumer($1, $2, $3)");
}

int
pgq_consumer_unregister(PgqConsumer *c)
{
	/* pgq.unregister_consumer counts the rows it removed */
	int r = call_registration(
		c, "select pgq.unregister_consumer($1, $2)",
		"select pgq_coop.unregister_subconsumer($1, $2, $3, 0)");

	return r > 1 ? 1 : r;
}

static int64_t
get_int64(PGresult *res, int row, int col)
{
	if (col < 0 || PQgetisnull(res, row, col))
		return 0;
	return strtoll(PQgetvalue(res, row, col), NULL, 10);
}

/* Take the next batch: 1 got one, 0 none, -1 error. */
static int
take_batch(PgqConsumer *c)
{
	PGresult *res;
	char idbuf[32];

	memset(&c->batch, 0, sizeof(c->batch));
	if (c->o.subconsumer)
	{
		const char *p[4] = {c->o.queue_name, c->o.consumer_name,
							c->o.subconsumer,
							c->o.dead_interval > 0 ? c->dead_interval : NULL};
		const char *bp[1];

		res = run(c->qdb,
				  "select pgq_coop.next_batch_custom($1, $2, $3, null, null, "
				  "null, $4::interval)",
				  4, p);
		if (res == NULL)
			return -1;
		if (PQgetisnull(res, 0, 0))
		{
			PQclear(res);
			return 0;
		}
		c->batch.batch_id = get_int64(res, 0, 0);
		PQclear(res);
		snprintf(idbuf, sizeof(idbuf), "%" PRId64, c->batch.batch_id);
		bp[0] = idbuf;
		res = run(c->qdb,
				  "select prev_tick_id, tick_id from pgq.get_batch_info($1)",
				  1, bp);
		if (res == NULL)
			return -1;
		c->batch.prev_tick_id = get_int64(res, 0, 0);
		c->batch.tick_id = get_int64(res, 0, 1);
	}
	else
	{
		const char *p[2] = {c->o.queue_name, c->o.consumer_name};

		/* the tick's time in a fixed format, whatever DateStyle says */
		res = run(c->qdb,
				  "select batch_id, prev_tick_id, cur_tick_id, "
				  "to_char(cur_tick_time at time zone 'UTC', "
				  "'YYYY-MM-DD HH24:MI:SS.US') || '+00', cur_tick_event_seq "
				  "from pgq.next_batch_custom($1, $2, null, null, null)",
				  2, p);
		if (res == NULL)
			return -1;
		if (PQgetisnull(res, 0, 0))
		{
			PQclear(res);
			return 0;
		}
		c->batch.batch_id = get_int64(res, 0, 0);
		c->batch.prev_tick_id = get_int64(res, 0, 1);
		c->batch.tick_id = get_int64(res, 0, 2);
		snprintf(c->batch.tick_time, sizeof(c->batch.tick_time), "%s",
				 PQgetvalue(res, 0, 3));
		c->batch.tick_event_seq = get_int64(res, 0, 4);
	}
	PQclear(res);
	return 1;
}

/*
 * Events come in slices of fetch_size from a cursor.  While the caller
 * works on one slice, the FETCH of the next is already sent: the queue's
 * server reads and sends it meanwhile (send_fetch), and the next call
 * only collects it.  prefetch_drain collects a FETCH in flight into
 * c->next before anything else goes to qdb (pgq_consumer_queue_conn
 * does it for callers).
 */
static bool
send_fetch(PgqConsumer *c)
{
	char sql[64];

	snprintf(sql, sizeof(sql), "fetch %d from " CURSOR_NAME, c->o.fetch_size);
	if (!PQsendQueryParams(c->qdb, sql, 0, NULL, NULL, NULL, NULL, 1))
	{
		char err[512];

		snprintf(err, sizeof(err), "%s", PQerrorMessage(c->qdb));
		err[strcspn(err, "\n")] = '\0';
		log_error("consumer: fetch: %s", err);
		return false;
	}
	c->prefetching = true;
	return true;
}

static void
prefetch_drain(PgqConsumer *c)
{
	PGresult *res, *r;

	if (!c->prefetching)
		return;
	res = PQgetResult(c->qdb);
	while ((r = PQgetResult(c->qdb)) != NULL)
		PQclear(r);
	c->prefetching = false;
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
	{
		const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
		char err[512];

		snprintf(err, sizeof(err), "%s", msg ? msg : PQerrorMessage(c->qdb));
		err[strcspn(err, "\n")] = '\0';
		log_error("consumer: fetch: %s", err);
		PQclear(res);
		c->next_failed = true;
		return;
	}
	c->next = res;
}

/* Fetch the next slice of events into c->rows; false on error. */
static bool
fetch_rows(PgqConsumer *c, bool first)
{
	char idbuf[32], limbuf[32];

	if (c->rows)
		PQclear(c->rows);
	c->rows = NULL;
	c->row = 0;
	snprintf(limbuf, sizeof(limbuf), "%d", c->o.fetch_size);
	if (first)
	{
		const char *p[2] = {idbuf, limbuf};

		prefetch_drain(c);
		PQclear(c->next);
		c->next = NULL;
		c->next_failed = false;
		snprintf(idbuf, sizeof(idbuf), "%" PRId64, c->batch.batch_id);
		c->rows =
			run_fmt(c->qdb,
					"select ev_id, ev_time, ev_txid, ev_retry, ev_type, "
					"ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4 "
					"from pgq.get_batch_cursor($1, '" CURSOR_NAME "', $2)",
					2, p, 1);
	}
	else if (c->prefetching || c->next || c->next_failed)
	{
		prefetch_drain(c);
		c->rows = c->next;
		c->next = NULL;
		c->next_failed = false;
	}
	else
	{
		char sql[64];

		snprintf(sql, sizeof(sql), "fetch %d from " CURSOR_NAME,
				 c->o.fetch_size);
		c->rows = run_fmt(c->qdb, sql, 0, NULL, 1);
	}
	if (c->rows == NULL)
	{
		c->failed = true;
		return false;
	}
	c->cursor_done = PQntuples(c->rows) < c->o.fetch_size;
	if (!c->cursor_done && !send_fetch(c))
	{
		c->failed = true;
		return false;
	}
	return true;
}

static const char *
get_str(PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}

/*
 * Events are fetched in binary: the server then formats no numbers or
 * times (a large part of its work per event), and the client decodes
 * fixed-size integers.  Text columns are the same bytes either way
 * (libpq ends every value with a NUL).
 */
static int64_t
bin_int(PGresult *res, int row, int col)
{
	const unsigned char *p;
	int len, i;
	uint64_t v = 0;

	if (PQgetisnull(res, row, col))
		return 0;
	p = (const unsigned char *) PQgetvalue(res, row, col);
	len = PQgetlength(res, row, col);
	for (i = 0; i < len; i++)
		v = (v << 8) | p[i];
	if (len == 4)
		return (int32_t) (uint32_t) v;
	return (int64_t) v;
}

/*
 * A binary timestamptz as "YYYY-MM-DD HH:MM:SS.ffffff+00" (UTC).  The
 * events of one transaction share their ev_time: the last one formatted
 * is kept and reused.
 */
static const char *
bin_time(PgqConsumer *c, PGresult *res, int row, int col)
{
	int64_t us;

	if (PQgetisnull(res, row, col))
		return NULL;
	us = bin_int(res, row, col);
	if (!c->timebuf_set || us != c->timebuf_us)
	{
		pg_format_utc_time(c->timebuf, us);
		c->timebuf_us = us;
		c->timebuf_set = true;
	}
	return c->timebuf;
}

const PgqEvent *
pgq_batch_next(PgqConsumer *c)
{
	PGresult *r;

	if (!c->in_batch || c->failed || c->batch.already_done)
		return NULL;
	if (c->rows == NULL)
	{
		if (!fetch_rows(c, true))
			return NULL;
	}
	else if (c->row >= PQntuples(c->rows))
	{
		if (c->cursor_done || !fetch_rows(c, false))
			return NULL;
	}
	if (c->row >= PQntuples(c->rows))
		return NULL;

	r = c->rows;
	c->ev.id = bin_int(r, c->row, 0);
	c->ev.time = bin_time(c, r, c->row, 1);
	c->ev.txid = bin_int(r, c->row, 2);
	c->ev.retry = (int) bin_int(r, c->row, 3);
	c->ev.type = get_str(r, c->row, 4);
	c->ev.data = get_str(r, c->row, 5);
	c->ev.extra1 = get_str(r, c->row, 6);
	c->ev.extra2 = get_str(r, c->row, 7);
	c->ev.extra3 = get_str(r, c->row, 8);
	c->ev.extra4 = get_str(r, c->row, 9);
	c->row++;
	c->batch.nevents++;
	return &c->ev;
}

void
pgq_event_retry(PgqConsumer *c, const PgqEvent *ev, int secs)
{
	if (c->nretries == c->maxretries)
	{
		int n = c->maxretries ? c->maxretries * 2 : 64;
		RetryTag *t = realloc(c->retries, n * sizeof(RetryTag));

		if (t == NULL)
		{
			/* cannot remember it: fail the batch rather than lose it */
			log_error("consumer: out of memory tagging a retry");
			c->failed = true;
			return;
		}
		c->retries = t;
		c->maxretries = n;
	}
	c->retries[c->nretries].ev_id = ev->id;
	c->retries[c->nretries].secs = secs < 0 ? 0 : secs;
	c->nretries++;
	c->batch.nretried++;
}

/* The per-event loop, as a batch callback. */
static int
event_loop(PgqConsumer *c, PgqBatch *batch, void *arg)
{
	const PgqEvent *ev;

	(void) batch;
	while ((ev = pgq_batch_next(c)) != NULL)
	{
		int r = c->o.on_event(c, ev, arg);

		if (r < 0)
			return -1;
		if (r > 0)
			pgq_event_retry(c, ev, r);
	}
	return 0;
}

/* Roll back whatever is open after a failed batch. */
static void
abort_batch(PgqConsumer *c)
{
	prefetch_drain(c);
	if (c->tdb && PQtransactionStatus(c->tdb) != PQTRANS_IDLE)
		run_cmd(c->tdb, "rollback", 0, NULL);
	if (c->qdb && PQtransactionStatus(c->qdb) != PQTRANS_IDLE)
		run_cmd(c->qdb, "rollback", 0, NULL);
	clear_batch(c);
	c->stats.errors++;
}

/* Retries and finish_batch, then commit the queue transaction. */
static bool
close_batch(PgqConsumer *c)
{
	char idbuf[32], evbuf[32], secbuf[32];
	const char *p[3] = {idbuf, evbuf, secbuf};
	int i;

	prefetch_drain(c);
	snprintf(idbuf, sizeof(idbuf), "%" PRId64, c->batch.batch_id);
	for (i = 0; i < c->nretries; i++)
	{
		snprintf(evbuf, sizeof(evbuf), "%" PRId64, c->retries[i].ev_id);
		snprintf(secbuf, sizeof(secbuf), "%d", c->retries[i].secs);
		if (!run_cmd(c->qdb, "select pgq.event_retry($1, $2, $3::int4)", 3, p))
			return false;
	}
	if (!run_cmd(c->qdb,
				 c->o.subconsumer ? "select pgq_coop.finish_batch($1)"
								  : "select pgq.finish_batch($1)",
				 1, p))
		return false;
	return run_cmd(c->qdb, "commit", 0, NULL);
}

/* Remote: is the batch recorded in the target?  1 yes, 0 no, -1 error. */
static int
target_has_batch(PgqConsumer *c)
{
	char idbuf[32];
	const char *p[2] = {c->o.consumer_name, idbuf};
	PGresult *res;
	int done;

	snprintf(idbuf, sizeof(idbuf), "%" PRId64, c->batch.batch_id);
	if (!run_cmd(c->tdb, "begin", 0, NULL))
		return -1;
	if (c->o.hooks)
		return c->o.hooks->check(c, &c->batch, c->o.hooks_arg);
	res = run(c->tdb, "select pgq_ext.is_batch_done($1, $2::int8)", 2, p);
	if (res == NULL)
		return -1;
	done = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	return done;
}

static int
process_batch(PgqConsumer *c)
{
	int r;

	c->in_batch = true;
	c->nretries = 0;
	c->failed = false;
	if (!run_cmd(c->qdb, "begin", 0, NULL))
		return -1;

	if (c->tdb)
	{
		r = target_has_batch(c);
		if (r < 0)
			return -1;
		if (r == 1)
		{
			/* applied before a crash: only finish it */
			c->batch.already_done = true;
			run_cmd(c->tdb, "rollback", 0, NULL);
			log_info("consumer: batch %" PRId64 " already applied in the "
					 "target, finishing it",
					 c->batch.batch_id);
			if (!close_batch(c))
				return -1;
			c->stats.skipped_batches++;
			c->stats.batches++;
			clear_batch(c);
			return 1;
		}
	}

	r = c->o.on_batch ? c->o.on_batch(c, &c->batch, c->o.arg)
					  : event_loop(c, &c->batch, c->o.arg);
	if (r < 0 || c->failed)
	{
		if (!c->failed)
			log_warning("consumer: batch %" PRId64 " failed in the callback, "
						"it will come again",
						c->batch.batch_id);
		return -1;
	}

	if (c->tdb)
	{
		char idbuf[32];
		const char *p[2] = {c->o.consumer_name, idbuf};

		snprintf(idbuf, sizeof(idbuf), "%" PRId64, c->batch.batch_id);
		if (c->o.hooks)
		{
			if (c->o.hooks->done(c, &c->batch, c->o.hooks_arg) < 0)
				return -1;
		}
		else if (!run_cmd(c->tdb,
						  "select pgq_ext.set_batch_done($1, $2::int8)", 2, p))
			return -1;
		if (!run_cmd(c->tdb, "commit", 0, NULL))
			return -1;
	}
	if (!close_batch(c))
		return -1;

	c->stats.batches++;
	c->stats.events += c->batch.nevents;
	c->stats.retried += c->batch.nretried;
	clear_batch(c);
	return 1;
}

/*
 * The queue database is down: with a queue_down hook, the target alone is
 * connected and the hook asked.  True when the queue database changed.
 */
static bool
queue_down(PgqConsumer *c)
{
	if (c->o.hooks == NULL || c->o.hooks->queue_down == NULL ||
		c->o.target_db == NULL)
		return false;
	if (c->tdb && PQstatus(c->tdb) != CONNECTION_OK)
	{
		PQfinish(c->tdb);
		c->tdb = NULL;
	}
	if (c->tdb == NULL)
		c->tdb = connect_db(c->o.target_db, "target");
	if (c->tdb == NULL)
		return false;
	return c->o.hooks->queue_down(c, c->o.hooks_arg) == 2;
}

int
pgq_consumer_run_once(PgqConsumer *c)
{
	int r;

	c->conn_failed = false;
	if (!ensure_conns(c) && !(queue_down(c) && ensure_conns(c)))
	{
		c->conn_failed = true;
		c->stats.errors++;
		return -1;
	}
	if (c->o.hooks && c->o.hooks->before_batch)
	{
		r = c->o.hooks->before_batch(c, c->o.hooks_arg);
		if (r == 2)
		{
			close_conns(c);
			if (!ensure_conns(c))
				r = -1;
			else
				r = 1;
		}
		if (r <= 0)
		{
			if (r < 0)
				c->stats.errors++;
			return r;
		}
	}
	r = take_batch(c);
	if (r <= 0)
	{
		if (r < 0)
			c->stats.errors++;
		return r;
	}
	r = process_batch(c);
	if (r < 0)
		abort_batch(c);
	return r;
}

/* Whether a buffered notification says our queue ticked. */
static bool
drain_notifies(PgqConsumer *c)
{
	PGnotify *n;
	bool ours = false;

	while ((n = PQnotifies(c->qdb)) != NULL)
	{
		if (strcmp(n->relname, TICK_CHANNEL) == 0 &&
			strcmp(n->extra, c->o.queue_name) == 0)
			ours = true;
		PQfreemem(n);
	}
	return ours;
}

static double
now_secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Wait up to secs for a tick of our queue (or for stop).  Without a
 * connection it is a plain sleep.
 */
static void
wait_for_tick(PgqConsumer *c, double secs)
{
	double end = now_secs() + secs;

	if (c->qdb && drain_notifies(c))
		return;
	while (!c->stop)
	{
		double left = end - now_secs();
		struct timeval tv;
		fd_set fds;
		int sock = c->qdb ? PQsocket(c->qdb) : -1;
		int r;

		if (left <= 0)
			return;
		tv.tv_sec = (time_t) left;
		tv.tv_usec = (suseconds_t) ((left - (double) tv.tv_sec) * 1e6);
		FD_ZERO(&fds);
		if (sock >= 0)
			FD_SET(sock, &fds);
		r = select(sock + 1, sock >= 0 ? &fds : NULL, NULL, NULL, &tv);
		if (r < 0 && errno != EINTR)
			return;
		if (r > 0 && sock >= 0)
		{
			if (!PQconsumeInput(c->qdb))
			{
				char err[256];

				log_warning("consumer: queue connection lost while idle: %s",
							conn_error(c->qdb, err, sizeof(err)));
				close_conns(c);
				return;
			}
			if (drain_notifies(c))
				return;
		}
	}
}

int
pgq_consumer_run(PgqConsumer *c)
{
	double backoff = 1.0;

	while (!c->stop)
	{
		int r = pgq_consumer_run_once(c);

		if (r > 0)
		{
			backoff = 1.0;
			continue;
		}
		if (r == 0)
		{
			backoff = 1.0;
			wait_for_tick(c, c->o.loop_delay);
			continue;
		}
		/* error: start afresh after a pause that grows while it lasts */
		close_conns(c);
		log_info("consumer: retrying in %.0f s", backoff);
		if (c->conn_failed && c->o.hooks && c->o.hooks->queue_down)
		{
			/* the queue database is down: the target's orders are read
			 * every second meanwhile (a new provider is tried at once) */
			double end = now_secs() + backoff;

			while (!c->stop && now_secs() < end)
			{
				double left = end - now_secs();

				wait_for_tick(c, left < 1 ? left : 1);
				if (!c->stop && queue_down(c))
				{
					backoff = 0.5;
					break;
				}
			}
		}
		else
			wait_for_tick(c, backoff);
		backoff = backoff * 2 > BACKOFF_MAX ? BACKOFF_MAX : backoff * 2;
	}
	return 0;
}
