/*-------------------------------------------------------------------------
 *
 * stats.c
 *	  The worker's figures, and its metrics page (metrics_port).
 *
 * The applier counts the rows of a batch as it applies them; the counts
 * join the totals at the batch's end, just before its commit, and are
 * dropped when the batch fails (a batch that comes again is counted
 * once).  With metrics_port set, lib's metrics module serves from a
 * thread of its own: the totals (under a lock), and what the node's
 * database says at the time of the scrape (its own connection): the
 * tables' states, the copies' COPY progress, the node's last tick.
 *
 * Families: londiste_rows_applied_total{table,op}, londiste_batches_total,
 * londiste_events_total, londiste_apply_seconds_total,
 * londiste_last_tick_id, londiste_lag_seconds (now minus the time of the
 * last batch's tick), londiste_table_in_sync{table},
 * londiste_copy_rows{table}, londiste_copy_bytes{table}, londiste_up.
 *
 * IDENTIFICATION
 *	  bin/londiste/stats.c
 *
 *-------------------------------------------------------------------------
 */
#define _GNU_SOURCE /* strptime */
#include "londiste.h"

#include <event2/buffer.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "skytools/clock.h"
#include "skytools/log.h"
#include "skytools/metrics.h"

typedef struct TableCount
{
	char *table;
	long long n[3]; /* insert, update, delete */
} TableCount;

typedef struct Counts
{
	TableCount *t;
	int nt, maxt;
	long long batches, events;
	double apply_seconds;
	long long last_tick;
	double last_tick_time; /* epoch seconds, 0 unknown */
} Counts;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static Counts total;   /* under lock */
static Counts pending; /* the worker's current batch */
static double batch_started;
static SkyMetrics *server;
static const char *node_db; /* the worker's ini db, for the page */
static const char *queue;

static TableCount *
table_count(Counts *c, const char *table)
{
	int i;

	for (i = 0; i < c->nt; i++)
		if (strcmp(c->t[i].table, table) == 0)
			return &c->t[i];
	if (c->nt == c->maxt)
	{
		int nm = c->maxt ? c->maxt * 2 : 16;
		TableCount *n = realloc(c->t, nm * sizeof(TableCount));

		if (n == NULL)
			return NULL;
		c->t = n;
		c->maxt = nm;
	}
	memset(&c->t[c->nt], 0, sizeof(TableCount));
	c->t[c->nt].table = strdup(table);
	return c->t[c->nt].table ? &c->t[c->nt++] : NULL;
}

void
ld_stats_row(const char *table, char op)
{
	TableCount *tc = table_count(&pending, table);
	int k = op == 'I' ? 0 : op == 'U' ? 1 : 2;

	if (tc)
		tc->n[k]++;
	pending.events++;
}

/* "YYYY-MM-DD HH:MM:SS[.ffffff]+00" (UTC) as epoch seconds; 0 if not. */
static double
utc_epoch(const char *s)
{
	struct tm tm;
	double frac = 0;
	const char *rest;

	memset(&tm, 0, sizeof(tm));
	rest = strptime(s, "%Y-%m-%d %H:%M:%S", &tm);
	if (rest == NULL)
		return 0;
	if (*rest == '.')
		frac = atof(rest);
	return (double) timegm(&tm) + frac;
}

void
ld_stats_batch_start(long long tick, const char *tick_time)
{
	int i;

	for (i = 0; i < pending.nt; i++)
		memset(pending.t[i].n, 0, sizeof(pending.t[i].n));
	pending.events = 0;
	pending.last_tick = tick;
	pending.last_tick_time = tick_time ? utc_epoch(tick_time) : 0;
	batch_started = sky_wall_secs();
}

void
ld_stats_batch_end(void)
{
	int i;

	pthread_mutex_lock(&lock);
	for (i = 0; i < pending.nt; i++)
	{
		TableCount *tc = table_count(&total, pending.t[i].table);

		if (tc)
			for (int k = 0; k < 3; k++)
				tc->n[k] += pending.t[i].n[k];
		memset(pending.t[i].n, 0, sizeof(pending.t[i].n));
	}
	total.batches++;
	total.events += pending.events;
	total.apply_seconds += sky_wall_secs() - batch_started;
	total.last_tick = pending.last_tick;
	if (pending.last_tick_time > 0)
		total.last_tick_time = pending.last_tick_time;
	pending.events = 0;
	pthread_mutex_unlock(&lock);
}

/* What the node's database says now, on a connection of the page's. */
static void
render_db(struct evbuffer *out)
{
	PGconn *db = PQconnectdb(node_db);
	const char *p[1] = {queue};
	PGresult *res;
	int i;

	sky_prom_family(out, "londiste_up", "gauge",
					"1 when the node's database answers the metrics page");
	sky_prom_sample(out, "londiste_up", PQstatus(db) == CONNECTION_OK, 0);
	if (PQstatus(db) != CONNECTION_OK)
	{
		PQfinish(db);
		return;
	}
	res = PQexecParams(db,
					   "select table_name, (merge_state = 'ok')::int from "
					   "londiste.get_table_list($1) where local order by 1",
					   1, NULL, p, NULL, NULL, 0);
	sky_prom_family(out, "londiste_table_in_sync", "gauge",
					"1 when the table is in sync (ok), 0 while it is copied");
	for (i = 0; PQresultStatus(res) == PGRES_TUPLES_OK && i < PQntuples(res);
		 i++)
		sky_prom_sample(out, "londiste_table_in_sync",
						atof(PQgetvalue(res, i, 1)), 1, "table",
						PQgetvalue(res, i, 0));
	PQclear(res);
	res = PQexec(db,
				 "select relid::regclass::text, tuples_processed, "
				 "bytes_processed from pg_stat_progress_copy where command "
				 "= 'COPY FROM' and datname = current_database() order by 1");
	sky_prom_family(out, "londiste_copy_rows", "gauge",
					"rows a running copy has written so far");
	for (i = 0; PQresultStatus(res) == PGRES_TUPLES_OK && i < PQntuples(res);
		 i++)
		sky_prom_sample(out, "londiste_copy_rows", atof(PQgetvalue(res, i, 1)),
						1, "table", PQgetvalue(res, i, 0));
	sky_prom_family(out, "londiste_copy_bytes", "gauge",
					"bytes a running copy has written so far");
	for (i = 0; PQresultStatus(res) == PGRES_TUPLES_OK && i < PQntuples(res);
		 i++)
		sky_prom_sample(out, "londiste_copy_bytes",
						atof(PQgetvalue(res, i, 2)), 1, "table",
						PQgetvalue(res, i, 0));
	PQclear(res);
	PQfinish(db);
}

static bool
render(struct evbuffer *out, void *arg)
{
	static const char *ops[3] = {"insert", "update", "delete"};
	int i, k;
	double lag = -1;

	(void) arg;
	pthread_mutex_lock(&lock);
	sky_prom_family(out, "londiste_rows_applied_total", "counter",
					"rows applied, by table and operation, since start");
	for (i = 0; i < total.nt; i++)
		for (k = 0; k < 3; k++)
			sky_prom_sample(out, "londiste_rows_applied_total",
							(double) total.t[i].n[k], 2, "table",
							total.t[i].table, "op", ops[k]);
	sky_prom_family(out, "londiste_batches_total", "counter",
					"batches applied since start");
	sky_prom_sample(out, "londiste_batches_total", (double) total.batches, 0);
	sky_prom_family(out, "londiste_events_total", "counter",
					"row events applied since start");
	sky_prom_sample(out, "londiste_events_total", (double) total.events, 0);
	sky_prom_family(out, "londiste_apply_seconds_total", "counter",
					"time spent in batches since start");
	sky_prom_sample(out, "londiste_apply_seconds_total", total.apply_seconds,
					0);
	sky_prom_family(out, "londiste_last_tick_id", "gauge",
					"the tick of the last batch applied");
	sky_prom_sample(out, "londiste_last_tick_id", (double) total.last_tick, 0);
	if (total.last_tick_time > 0)
		lag = sky_wall_secs() - total.last_tick_time;
	pthread_mutex_unlock(&lock);
	if (lag >= 0)
	{
		sky_prom_family(out, "londiste_lag_seconds", "gauge",
						"now minus the time of the last applied batch's tick");
		sky_prom_sample(out, "londiste_lag_seconds", lag, 0);
	}
	render_db(out);
	return true;
}

void
ld_metrics_start(Ld *ld)
{
	char err[256];

	if (ld->cfg.metrics_port <= 0 || server)
		return;
	node_db = ld->cfg.db;
	queue = ld->queue;
	server = sky_metrics_start_thread(ld->cfg.metrics_port, render, NULL, err,
									  sizeof(err));
	if (server == NULL)
		log_error("metrics_port: %s", err);
	else
		log_info("metrics on http://127.0.0.1:%d/", ld->cfg.metrics_port);
}

void
ld_metrics_stop(void)
{
	sky_metrics_stop(server);
	server = NULL;
}
