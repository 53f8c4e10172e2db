/*-------------------------------------------------------------------------
 *
 * cascade.c
 *	  The cascaded worker of a branch or leaf: see cascade.h.
 *
 * It is a consumer in remote mode (consumer.c) whose bookkeeping hooks
 * keep the node's position in pgq_node instead of pgq_ext:
 *
 *	before_batch	pgq_node.get_worker_state(): paused, up to date,
 *					provider; the watermark report to the provider
 *	check			replica role for the transaction; the position rule
 *	(events)		cascade events applied, and on a branch every event
 *					copied into the node's queue with its id
 *	done			set_consumer_completed(); on a branch the tick
 *
 * IDENTIFICATION
 *	  lib/src/cascade.c
 *
 *-------------------------------------------------------------------------
 */
#include "skytools/cascade.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "skytools/log.h"
#include "skytools/pgutil.h"

#define DEFAULT_WM_PERIOD 300.0

struct Cascade
{
	CascadeOpts o; /* strings are our copies */
	PgqConsumer *consumer;
	bool branch;
	char node_type[16];
	char node_name[256];
	char *provider_db; /* provider_location + extra_connstr */
	double last_wm_report;
	char event_table[256]; /* branch: the queue's current event table */
	/* branch: events waiting to be copied (COPY text rows) */
	PgCopyBuf cbuf;
	int cn;
	bool role_changed; /* the node is of another type now: stopped */
	bool queue_down;   /* the provider cannot be reached (queue_down) */
};

#define COPY_FLUSH_EVENTS 1000

static int sync_caller(Cascade *cw, PGconn *tdb);
static int flush_copy(Cascade *cw, PGconn *tdb);

/*
 * The consumer's state on the node: the node's worker reads its own
 * (get_worker_state), another cascaded consumer its own row
 * (get_consumer_state); the same columns either way.
 */
#define STATE_COLS                                                            \
	"select ret_code, ret_note, node_type, paused, uptodate, "                \
	"provider_location, node_name, completed_tick "
#define WORKER_STATE   STATE_COLS "from pgq_node.get_worker_state($1)"
#define CONSUMER_STATE STATE_COLS "from pgq_node.get_consumer_state($1, $2)"

static double
now_secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Run a query (pg_exec_retry: a lost deadlock outside a transaction block
 * is tried again); NULL (logged, never with conninfo) on failure.
 */
static PGresult *
query(PGconn *db, const char *what, const char *sql, int n,
	  const char *const *params)
{
	PGresult *res = pg_exec_retry(db, sql, n, params);
	ExecStatusType st = PQresultStatus(res);

	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK)
	{
		log_error("cascade: %s failed: %s", what, PQresultErrorMessage(res));
		PQclear(res);
		return NULL;
	}
	return res;
}

/* The consumer's row of state (STATE_COLS); NULL on error. */
static PGresult *
read_state(const CascadeOpts *o, PGconn *db, const char *what)
{
	const char *p[2] = {o->queue_name, o->worker_name};

	return query(db, what, o->plain ? CONSUMER_STATE : WORKER_STATE,
				 o->plain ? 2 : 1, p);
}

static bool
exec_ok(PGconn *db, const char *what, const char *sql, int n,
		const char *const *params)
{
	PGresult *res = query(db, what, sql, n, params);

	PQclear(res);
	return res != NULL;
}

/* A pgq_node call returning (ret_code, ret_note): false if >= 300. */
static bool
node_call(PGconn *db, const char *what, const char *sql, int n,
		  const char *const *params)
{
	PGresult *res = query(db, what, sql, n, params);
	int code;

	if (res == NULL)
		return false;
	code = atoi(PQgetvalue(res, 0, 0));
	if (code >= 400)
	{
		log_error("cascade: %s: %d %s", what, code, PQgetvalue(res, 0, 1));
		PQclear(res);
		return false;
	}
	/* 3xx: done already, or nothing to do (a location gone before its
	 * unregister-location event arrives): a warning, as upstream */
	if (code >= 300)
		log_warning("cascade: %s: %d %s", what, code, PQgetvalue(res, 0, 1));
	PQclear(res);
	return true;
}

static char *
join_connstr(const char *location, const char *extra)
{
	char *s;

	if (extra == NULL || extra[0] == '\0')
		return strdup(location);
	s = malloc(strlen(location) + strlen(extra) + 2);
	if (s)
		sprintf(s, "%s %s", location, extra);
	return s;
}

/* Report the node's watermark to its provider every watermark_period. */
static void
report_watermark(Cascade *cw, PgqConsumer *c)
{
	PGconn *tdb = pgq_consumer_target_conn(c);
	PGconn *qdb = pgq_consumer_queue_conn(c);
	PGresult *res;
	const char *p[1] = {cw->o.queue_name};
	double now = now_secs();

	if (cw->last_wm_report > 0 &&
		now - cw->last_wm_report < cw->o.watermark_period)
		return;
	res =
		query(tdb, "reading the local watermark",
			  "select local_watermark from pgq_node.get_node_info($1)", 1, p);
	if (res == NULL)
		return;
	if (!PQgetisnull(res, 0, 0))
	{
		const char *wp[3] = {cw->o.queue_name, cw->node_name,
							 PQgetvalue(res, 0, 0)};

		if (node_call(qdb, "reporting the watermark to the provider",
					  "select * from pgq_node.set_subscriber_watermark($1, "
					  "$2, $3::int8)",
					  3, wp))
			cw->last_wm_report = now;
	}
	PQclear(res);
}

/*
 * A plain consumer's provider changed: the consumer is registered on the
 * new provider at the tick the node completed last (ticks are the same on
 * every node of a cascade), then dropped from the old one (best effort:
 * it may be down), so that nothing is skipped or read twice.
 */
static bool
move_registration(Cascade *cw, PgqConsumer *c, const char *provider,
				  const char *completed)
{
	const char *p[3] = {cw->o.queue_name, cw->o.worker_name, completed};
	PGconn *old = pgq_consumer_queue_conn(c);
	PGconn *db = PQconnectdb(provider);
	bool ok;

	if (PQstatus(db) != CONNECTION_OK)
	{
		log_error("cascade: cannot connect to the new provider: %s",
				  PQerrorMessage(db));
		PQfinish(db);
		return false;
	}
	ok = exec_ok(db, "registering on the new provider",
				 "select pgq.register_consumer_at($1, $2, $3::int8)", 3, p);
	PQfinish(db);
	if (!ok)
		return false;
	if (old && PQstatus(old) == CONNECTION_OK &&
		PQtransactionStatus(old) == PQTRANS_IDLE)
		PQclear(query(old, "leaving the old provider",
					  "select pgq.unregister_consumer($1, $2)", 2, p));
	log_info("cascade: %s registered on the new provider at tick %s",
			 cw->o.worker_name, completed);
	return true;
}

static int
before_batch(PgqConsumer *c, void *arg)
{
	Cascade *cw = arg;
	PGconn *tdb = pgq_consumer_target_conn(c);
	const char *p[2] = {cw->o.queue_name, cw->o.worker_name};
	PGresult *res;
	int code;
	bool paused, uptodate;
	char *provider, completed[32];

	res = read_state(&cw->o, tdb, "reading the consumer state");
	if (res == NULL)
		return -1;
	code = atoi(PQgetvalue(res, 0, 0));
	if (code >= 300)
	{
		log_error("cascade: worker state: %d %s", code, PQgetvalue(res, 0, 1));
		PQclear(res);
		return -1;
	}
	if (!cw->o.any_node && strcmp(PQgetvalue(res, 0, 2), cw->node_type) != 0)
	{
		/* a takeover made it a root (or another kind): the caller
		 * starts over as what it is now */
		log_info("cascade: the node is a %s now", PQgetvalue(res, 0, 2));
		PQclear(res);
		cw->role_changed = true;
		pgq_consumer_stop(c);
		return 0;
	}
	paused = strcmp(PQgetvalue(res, 0, 3), "t") == 0;
	uptodate = strcmp(PQgetvalue(res, 0, 4), "t") == 0;
	provider = join_connstr(PQgetvalue(res, 0, 5), cw->o.extra_connstr);
	snprintf(completed, sizeof(completed), "%s", PQgetvalue(res, 0, 7));
	PQclear(res);
	if (provider == NULL)
		return -1;

	if (!uptodate &&
		!node_call(
			tdb, "acknowledging the change",
			"select * from pgq_node.set_consumer_uptodate($1, $2, true)", 2,
			p))
	{
		free(provider);
		return -1;
	}
	if (paused)
	{
		free(provider);
		return 0;
	}
	if (strcmp(provider, cw->provider_db) != 0)
	{
		log_info("cascade: the provider changed, reading from it now");
		if (cw->o.plain && cw->o.any_node &&
			!move_registration(cw, c, provider, completed))
		{
			free(provider);
			return -1;
		}
		free(cw->provider_db);
		cw->provider_db = provider;
		return pgq_consumer_set_queue_db(c, provider) ? 2 : -1;
	}
	free(provider);
	if (cw->queue_down)
		return 0;
	if (!cw->o.plain)
		report_watermark(cw, c);
	if (cw->o.between_batches && cw->o.between_batches(tdb, cw->o.arg) < 0)
		return -1;
	return 1;
}

static int
check(PgqConsumer *c, const PgqBatch *b, void *arg)
{
	Cascade *cw = arg;
	PGconn *tdb = pgq_consumer_target_conn(c);
	const char *p[2] = {cw->o.queue_name, cw->o.worker_name};
	PGresult *res;
	int64_t done;

	/* replay as replica: no local triggers, no deny */
	if (cw->o.begin_sql[0] &&
		!exec_ok(tdb, "setting the replica role", cw->o.begin_sql, 0, NULL))
		return -1;
	pg_copy_reset(&cw->cbuf);
	cw->cn = 0;
	res = read_state(&cw->o, tdb, "reading the position");
	if (res == NULL)
		return -1;
	done = strtoll(PQgetvalue(res, 0, 7), NULL, 10);
	PQclear(res);
	if (done == b->tick_id)
		return 1;
	if (done != b->prev_tick_id)
	{
		log_error("cascade: lost position: batch %" PRId64 "..%" PRId64
				  ", the node has %" PRId64,
				  b->prev_tick_id, b->tick_id, done);
		return -1;
	}
	if (cw->branch && !cw->o.plain)
	{
		res = query(tdb, "finding the event table",
					"select pgq.current_event_table($1)", 1, p);
		if (res == NULL)
			return -1;
		snprintf(cw->event_table, sizeof(cw->event_table), "%s",
				 PQgetvalue(res, 0, 0));
		PQclear(res);
	}
	if (cw->o.batch_start && cw->o.batch_start(tdb, b, cw->o.arg) < 0)
		return -1;
	return 0;
}

static int
done(PgqConsumer *c, const PgqBatch *b, void *arg)
{
	Cascade *cw = arg;
	PGconn *tdb = pgq_consumer_target_conn(c);
	char tick[32], seq[32];
	const char *p[3] = {cw->o.queue_name, cw->o.worker_name, tick};

	snprintf(tick, sizeof(tick), "%" PRId64, b->tick_id);
	if (sync_caller(cw, tdb) < 0 || (cw->branch && flush_copy(cw, tdb) < 0))
		return -1;
	if (!node_call(tdb, "recording the tick",
				   "select * from pgq_node.set_consumer_completed($1, $2, "
				   "$3::int8)",
				   3, p))
		return -1;
	if (cw->branch && !cw->o.plain)
	{
		const char *tp[4] = {cw->o.queue_name, tick, b->tick_time, seq};

		snprintf(seq, sizeof(seq), "%" PRId64, b->tick_event_seq);
		if (!exec_ok(tdb, "ticking the node's queue",
					 "select pgq.ticker($1, $2::int8, $3::timestamptz, "
					 "$4::int8)",
					 4, tp))
			return -1;
	}
	return 0;
}

/*
 * The provider cannot be reached: the node's state is read all the same,
 * so that a pause is acknowledged, a new provider (change-provider, a
 * failover) is tried at once and a new role (promotion) is taken up.
 */
static int
queue_down(PgqConsumer *c, void *arg)
{
	Cascade *cw = arg;
	int r;

	cw->queue_down = true;
	r = before_batch(c, arg);
	cw->queue_down = false;
	return r == 2 ? 2 : 0;
}

static const PgqTargetHooks hooks = {before_batch, check, done, queue_down};

/* The caller's statements in flight are done before ours (before_sync). */
static int
sync_caller(Cascade *cw, PGconn *tdb)
{
	if (cw->o.before_sync && cw->o.before_sync(tdb, cw->o.arg) < 0)
		return -1;
	return 0;
}

/* Branch: the buffered events into the node's queue with COPY. */
static int
flush_copy(Cascade *cw, PGconn *tdb)
{
	char sql[512];
	PGresult *res;

	if (cw->cn == 0)
		return 0;
	if (sync_caller(cw, tdb) < 0)
		return -1;
	/* the name comes from pgq.current_event_table: schema.table, plain */
	snprintf(sql, sizeof(sql),
			 "copy %s (ev_id, ev_time, ev_retry, ev_type, ev_data, ev_extra1, "
			 "ev_extra2, ev_extra3, ev_extra4) from stdin",
			 cw->event_table);
	res = PQexec(tdb, sql);
	if (PQresultStatus(res) != PGRES_COPY_IN)
	{
		log_error("cascade: copying events: %s", PQresultErrorMessage(res));
		PQclear(res);
		return -1;
	}
	PQclear(res);
	if (PQputCopyData(tdb, cw->cbuf.data, (int) cw->cbuf.len) != 1 ||
		PQputCopyEnd(tdb, NULL) != 1)
	{
		log_error("cascade: copying events: %s", PQerrorMessage(tdb));
		return -1;
	}
	res = PQgetResult(tdb);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
	{
		log_error("cascade: copying events: %s", PQresultErrorMessage(res));
		PQclear(res);
		while ((res = PQgetResult(tdb)) != NULL)
			PQclear(res);
		return -1;
	}
	PQclear(res);
	while ((res = PQgetResult(tdb)) != NULL)
		PQclear(res);
	pg_copy_reset(&cw->cbuf);
	cw->cn = 0;
	return 0;
}

/* Branch: the event into the node's queue, with its id (buffered). */
static int
copy_event(Cascade *cw, PGconn *tdb, const PgqEvent *ev)
{
	char id[32], retry[16];
	bool ok, failed = false;

	if (cw->o.copy_rewrite)
	{
		ev = cw->o.copy_rewrite(tdb, ev, cw->o.arg, &failed);
		if (ev == NULL)
			return failed ? -1 : 0;
	}
	snprintf(id, sizeof(id), "%" PRId64, ev->id);
	snprintf(retry, sizeof(retry), "%d", ev->retry);
	ok = pg_copy_value(&cw->cbuf, id, false) &&
		 pg_copy_value(&cw->cbuf, ev->time, false) &&
		 pg_copy_value(&cw->cbuf, ev->retry ? retry : NULL, false) &&
		 pg_copy_value(&cw->cbuf, ev->type, false) &&
		 pg_copy_value(&cw->cbuf, ev->data, false) &&
		 pg_copy_value(&cw->cbuf, ev->extra1, false) &&
		 pg_copy_value(&cw->cbuf, ev->extra2, false) &&
		 pg_copy_value(&cw->cbuf, ev->extra3, false) &&
		 pg_copy_value(&cw->cbuf, ev->extra4, true);
	if (!ok)
	{
		log_error("cascade: out of memory buffering events");
		return -1;
	}
	cw->cn++;
	return cw->cn >= COPY_FLUSH_EVENTS ? flush_copy(cw, tdb) : 0;
}

/* 1 a cascade event (applied here), 0 another, -1 error. */
static int
cascade_event(Cascade *cw, const PgqEvent *ev)
{
	PGconn *tdb = pgq_consumer_target_conn(cw->consumer);
	const char *t = ev->type ? ev->type : "";

	if (cw->branch && copy_event(cw, tdb, ev) < 0)
		return -1;
	if (strncmp(t, "pgq.", 4) != 0)
		return 0;
	if (sync_caller(cw, tdb) < 0)
		return -1;
	if (strcmp(t, "pgq.location-info") == 0)
	{
		const char *p[4] = {cw->o.queue_name, ev->data, ev->extra2,
							ev->extra3 ? ev->extra3 : "f"};

		return node_call(
				   tdb, "registering a location",
				   "select * from pgq_node.register_location($1, $2, $3, "
				   "$4::boolean)",
				   4, p)
				   ? 1
				   : -1;
	}
	if (strcmp(t, "pgq.unregister-location") == 0)
	{
		const char *p[2] = {cw->o.queue_name, ev->data};

		return node_call(tdb, "unregistering a location",
						 "select * from pgq_node.unregister_location($1, $2)",
						 2, p)
				   ? 1
				   : -1;
	}
	if (strcmp(t, "pgq.global-watermark") == 0 && cw->branch)
	{
		const char *p[2] = {cw->o.queue_name, ev->data};

		return node_call(tdb, "moving the global watermark",
						 "select * from pgq_node.set_global_watermark($1, "
						 "$2::int8)",
						 2, p)
				   ? 1
				   : -1;
	}
	return 1; /* other cascade events (pgq.tick-id, ...) need nothing here */
}

static int
on_event(PgqConsumer *c, const PgqEvent *ev, void *arg)
{
	Cascade *cw = arg;
	int r = cw->o.plain ? 0 : cascade_event(cw, ev);

	(void) c;
	if (r != 0)
		return r < 0 ? -1 : 0;
	return cw->o.on_event(c, ev, cw->o.arg);
}

Cascade *
cascade_new(const CascadeOpts *opts)
{
	Cascade *cw;
	PGconn *db;
	PGresult *res;
	PgqConsumerOpts co = {0};

	if (!opts->node_db || !opts->queue_name || !opts->worker_name ||
		!opts->on_event)
	{
		log_error("cascade: node_db, queue_name, worker_name and on_event "
				  "are required");
		return NULL;
	}
	db = PQconnectdb(opts->node_db);
	if (PQstatus(db) != CONNECTION_OK)
	{
		log_error("cascade: cannot connect to the node: %s",
				  PQerrorMessage(db));
		PQfinish(db);
		return NULL;
	}
	res = read_state(opts, db, "reading the node");
	PQfinish(db);
	if (res == NULL)
		return NULL;
	if (atoi(PQgetvalue(res, 0, 0)) >= 300)
	{
		log_error("cascade: %s", PQgetvalue(res, 0, 1));
		PQclear(res);
		return NULL;
	}
	if (!opts->any_node && strcmp(PQgetvalue(res, 0, 2), "branch") != 0 &&
		strcmp(PQgetvalue(res, 0, 2), "leaf") != 0)
	{
		log_error("cascade: a %s node has no provider to read from",
				  PQgetvalue(res, 0, 2));
		PQclear(res);
		return NULL;
	}
	cw = calloc(1, sizeof(*cw));
	if (cw == NULL)
	{
		PQclear(res);
		return NULL;
	}
	cw->o = *opts;
	cw->o.node_db = strdup(opts->node_db);
	cw->o.queue_name = strdup(opts->queue_name);
	cw->o.worker_name = strdup(opts->worker_name);
	cw->o.extra_connstr =
		opts->extra_connstr ? strdup(opts->extra_connstr) : NULL;
	cw->o.begin_sql =
		strdup(opts->begin_sql ? opts->begin_sql
			   : opts->plain   ? ""
							 : "set local session_replication_role = replica");
	if (cw->o.watermark_period <= 0)
		cw->o.watermark_period = DEFAULT_WM_PERIOD;
	snprintf(cw->node_type, sizeof(cw->node_type), "%s",
			 PQgetvalue(res, 0, 2));
	snprintf(cw->node_name, sizeof(cw->node_name), "%s",
			 PQgetvalue(res, 0, 6));
	cw->branch = strcmp(cw->node_type, "branch") == 0;
	cw->provider_db = join_connstr(PQgetvalue(res, 0, 5), cw->o.extra_connstr);
	PQclear(res);

	co.queue_db = cw->provider_db;
	co.queue_name = cw->o.queue_name;
	co.consumer_name = cw->o.worker_name;
	co.target_db = cw->o.node_db;
	co.fetch_size = opts->fetch_size;
	co.loop_delay = opts->loop_delay;
	co.on_event = on_event;
	co.arg = cw;
	co.hooks = &hooks;
	co.hooks_arg = cw;
	cw->consumer = pgq_consumer_new(&co);
	if (cw->consumer == NULL)
	{
		cascade_free(cw);
		return NULL;
	}
	return cw;
}

void
cascade_free(Cascade *cw)
{
	if (cw == NULL)
		return;
	pgq_consumer_free(cw->consumer);
	free((char *) cw->o.node_db);
	free((char *) cw->o.queue_name);
	free((char *) cw->o.worker_name);
	free((char *) cw->o.extra_connstr);
	free((char *) cw->o.begin_sql);
	free(cw->provider_db);
	pg_copy_free(&cw->cbuf);
	free(cw);
}

PgqConsumer *
cascade_consumer(Cascade *cw)
{
	return cw->consumer;
}

const char *
cascade_node_type(const Cascade *cw)
{
	return cw->node_type;
}

bool
cascade_role_changed(const Cascade *cw)
{
	return cw->role_changed;
}

/* A pgq_node call's code (500 when it failed); 300 and up logged. */
static int
node_code(PGresult *res, const char *what)
{
	int code;

	if (res == NULL)
		return 500;
	code = atoi(PQgetvalue(res, 0, 0));
	if (code >= 300)
		log_error("cascade: %s: %s", what, PQgetvalue(res, 0, 1));
	PQclear(res);
	return code;
}

int
cascade_register_plain(PGconn *node, PGconn *provider, const char *queue,
					   const char *consumer, const char *provider_node,
					   bool fresh)
{
	const char *p[4] = {queue, consumer, provider_node, NULL};
	PGresult *res;
	int code;

	if (fresh)
		PQclear(query(provider, "leaving the provider",
					  "select pgq.unregister_consumer($1, $2)", 2, p));
	res = query(provider, "registering on the provider",
				"select pgq.register_consumer($1, $2), "
				"(select last_tick from pgq.get_consumer_info($1, $2))",
				2, p);
	if (res == NULL)
		return 500;
	p[3] = PQgetvalue(res, 0, 1);
	if (fresh)
		PQclear(query(node, "leaving the node",
					  "select * from pgq_node.unregister_consumer($1, $2)", 2,
					  p));
	code = node_code(query(node, "registering on the node",
						   "select * from pgq_node.register_consumer($1, $2, "
						   "$3, $4::int8)",
						   4, p),
					 "registering on the node");
	PQclear(res);
	return code;
}

int
cascade_unregister_plain(PGconn *node, PGconn *provider, const char *queue,
						 const char *consumer)
{
	const char *p[2] = {queue, consumer};

	if (provider)
		PQclear(query(provider, "leaving the provider",
					  "select pgq.unregister_consumer($1, $2)", 2, p));
	return node_code(
		query(node, "unregistering from the node",
			  "select * from pgq_node.unregister_consumer($1, $2)", 2, p),
		"unregistering from the node");
}
