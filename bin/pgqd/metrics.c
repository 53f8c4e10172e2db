/*-------------------------------------------------------------------------
 *
 * metrics.c
 *	  Prometheus metrics on loopback (metrics_port) and pgqd --check.
 *
 * Not in upstream.  With metrics_port set, pgqd serves on 127.0.0.1 (lib's
 * metrics module: libevent's evhttp on pgqd's own loop) the text
 * exposition format: per database
 * whether it is served, ticks, maintenance rounds and retried events
 * since start; per queue the age of the last tick, events per second, new
 * events and the last tick id; per consumer its lag and pending events.
 * Queue and consumer figures are refreshed by each ticker every
 * METRICS_REFRESH seconds (two cheap queries on its own connection).
 *
 * pgqd --check CONFIG connects to every database the configuration names
 * (or finds), prints the same text and exits 1 if any could not be
 * reached: for monitoring scripts and for a first look at a new setup.
 *
 * IDENTIFICATION
 *	  bin/pgqd/metrics.c
 *
 *-------------------------------------------------------------------------
 */
#include <event2/buffer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "skytools/log.h"
#include "skytools/metrics.h"

#include "pgqd.h"

/* One database-level family; field picks the value. */
static void
db_family(struct evbuffer *b, const DbSnapshot *s, int n, const char *name,
		  const char *type, const char *help, int field)
{
	int i;

	sky_prom_family(b, name, type, help);
	for (i = 0; i < n; i++)
	{
		long v = field == 0	  ? s[i].up
				 : field == 1 ? s[i].ticks
				 : field == 2 ? s[i].maint
							  : s[i].retry;

		sky_prom_sample(b, name, (double) v, 1, "database", s[i].name);
	}
}

/* A family from column col of the queue (nlabels 1) or consumer rows. */
static void
row_family(struct evbuffer *b, const DbSnapshot *s, int n, const char *name,
		   const char *help, bool consumers, int col)
{
	int i, r;

	sky_prom_family(b, name, "gauge", help);
	for (i = 0; i < n; i++)
	{
		PGresult *res = consumers ? s[i].consumers : s[i].queues;

		if (res == NULL)
			continue;
		for (r = 0; r < PQntuples(res); r++)
		{
			double v;

			if (PQgetisnull(res, r, col))
				continue;
			v = atof(PQgetvalue(res, r, col));
			if (consumers)
				sky_prom_sample(b, name, v, 3, "database", s[i].name, "queue",
								PQgetvalue(res, r, 0), "consumer",
								PQgetvalue(res, r, 1));
			else
				sky_prom_sample(b, name, v, 2, "database", s[i].name, "queue",
								PQgetvalue(res, r, 0));
		}
	}
}

/* The whole exposition text into b. */
void
metrics_render(struct evbuffer *b, const DbSnapshot *s, int n)
{
	db_family(b, s, n, "pgqd_database_up", "gauge",
			  "1 when pgqd is connected to the database and finds pgq", 0);
	db_family(b, s, n, "pgqd_ticks_total", "counter",
			  "pgq.ticker() calls made", 1);
	db_family(b, s, n, "pgqd_maintenance_rounds_total", "counter",
			  "maintenance rounds completed", 2);
	db_family(b, s, n, "pgqd_retry_events_total", "counter",
			  "events moved back from the retry queue", 3);
	row_family(b, s, n, "pgq_queue_ticker_lag_seconds",
			   "age of the queue's last tick", false, 1);
	row_family(b, s, n, "pgq_queue_events_per_second",
			   "events per second over the last ticks", false, 2);
	row_family(b, s, n, "pgq_queue_new_events", "events since the last tick",
			   false, 3);
	row_family(b, s, n, "pgq_queue_last_tick_id", "the last tick's id", false,
			   4);
	row_family(b, s, n, "pgq_consumer_lag_seconds",
			   "age of the consumer's last finished tick", true, 2);
	row_family(b, s, n, "pgq_consumer_pending_events",
			   "events after the consumer's last finished tick", true, 3);
}

double
metrics_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The page of every served database (evhttp's callback). */
static bool
render_page(struct evbuffer *out, void *arg)
{
	const Pgqd *p = arg;
	const Db *db;
	DbSnapshot *s;
	int i = 0, n = 0;

	for (db = p->dbs; db != NULL; db = db->next)
		n++;
	s = calloc(n + 1, sizeof(DbSnapshot));
	if (s == NULL)
		return false;
	for (db = p->dbs; db != NULL; db = db->next, i++)
	{
		s[i].name = db->name;
		s[i].up = db->up;
		s[i].ticks = db->ticks_total;
		s[i].maint = db->maint_total;
		s[i].retry = db->retry_total;
		s[i].queues = db->queue_res;
		s[i].consumers = db->consumer_res;
	}
	metrics_render(out, s, n);
	free(s);
	return true;
}

void
metrics_close(Pgqd *p)
{
	sky_metrics_stop(p->metrics);
	p->metrics = NULL;
	p->metrics_port = 0;
}

/*
 * Start, keep or stop serving as metrics_port says.  False with err when
 * the port cannot be bound (the old server, if any, stays).
 */
bool
metrics_configure(Pgqd *p, char *err, size_t errlen)
{
	int port = p->cfg.metrics_port;
	SkyMetrics *m;

	if (port == p->metrics_port && (port == 0 || p->metrics))
		return true;
	if (port == 0)
	{
		metrics_close(p);
		return true;
	}
	if (port < 0 || port > 65535)
	{
		snprintf(err, errlen, "metrics_port %d out of range", port);
		return false;
	}
	/* a new port: the old server goes first (it may hold that port) */
	metrics_close(p);
	m = sky_metrics_start(loop_event_base(p->loop), port, render_page, p, err,
						  errlen);
	if (m == NULL)
		return false;
	p->metrics = m;
	p->metrics_port = port;
	log_info("metrics on http://127.0.0.1:%d/", port);
	return true;
}

/* --- pgqd --check ------------------------------------------------------- */

static PGresult *
run(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);

	if (PQresultStatus(r) != PGRES_TUPLES_OK)
	{
		PQclear(r);
		return NULL;
	}
	return r;
}

static char **
check_list(Pgqd *p, int *n, bool *ok)
{
	char **names = NULL;
	int i;

	*n = 0;
	if (p->cfg.database_list && p->cfg.database_list[0])
	{
		char *list = strdup(p->cfg.database_list);
		char *tok, *save = NULL;

		for (tok = strtok_r(list, ",", &save); tok;
			 tok = strtok_r(NULL, ",", &save))
		{
			while (*tok == ' ' || *tok == '\t')
				tok++;
			for (i = (int) strlen(tok);
				 i > 0 && (tok[i - 1] == ' ' || tok[i - 1] == '\t'); i--)
				tok[i - 1] = '\0';
			if (!*tok)
				continue;
			names = realloc(names, sizeof(char *) * (*n + 1));
			names[(*n)++] = strdup(tok);
		}
		free(list);
	}
	else
	{
		char *cs = pgqd_connstr(p, p->cfg.initial_database);
		PGconn *c = PQconnectdb(cs);
		PGresult *r =
			PQstatus(c) == CONNECTION_OK
				? run(c, "select datname from pg_database where not"
						 " datistemplate and datallowconn order by 1")
				: NULL;

		if (r == NULL)
		{
			fprintf(stderr,
					"pgqd --check: cannot list databases in \"%s\": %s",
					p->cfg.initial_database, PQerrorMessage(c));
			*ok = false;
		}
		for (i = 0; r && i < PQntuples(r); i++)
		{
			names = realloc(names, sizeof(char *) * (*n + 1));
			names[(*n)++] = strdup(PQgetvalue(r, i, 0));
		}
		PQclear(r);
		PQfinish(c);
		free(cs);
	}
	return names;
}

/* pgqd --check: print the metrics of every database; 1 if any failed. */
int
pgqd_check(Pgqd *p)
{
	bool ok = true;
	int i, n;
	char **names = check_list(p, &n, &ok);
	DbSnapshot *s = calloc(n + 1, sizeof(DbSnapshot));
	PGconn **conns = calloc(n + 1, sizeof(PGconn *));
	struct evbuffer *text = evbuffer_new();

	for (i = 0; i < n; i++)
	{
		char *cs = pgqd_connstr(p, names[i]);
		PGresult *has;

		s[i].name = names[i];
		conns[i] = PQconnectdb(cs);
		free(cs);
		if (PQstatus(conns[i]) != CONNECTION_OK)
		{
			fprintf(stderr,
					"pgqd --check: database \"%s\" cannot be reached: %s",
					names[i], PQerrorMessage(conns[i]));
			ok = false;
			continue;
		}
		has = run(conns[i],
				  "select 1 from pg_catalog.pg_namespace where nspname='pgq'");
		if (has != NULL && PQntuples(has) == 1)
		{
			s[i].up = true;
			s[i].queues = run(conns[i], METRICS_QUEUE_SQL);
			s[i].consumers = run(conns[i], METRICS_CONSUMER_SQL);
		}
		PQclear(has);
	}
	if (text)
	{
		metrics_render(text, s, n);
		fflush(stdout);
		while (evbuffer_get_length(text) > 0 &&
			   evbuffer_write(text, STDOUT_FILENO) > 0)
			;
	}
	for (i = 0; i < n; i++)
	{
		PQclear(s[i].queues);
		PQclear(s[i].consumers);
		PQfinish(conns[i]);
		free(names[i]);
	}
	if (text)
		evbuffer_free(text);
	free(names);
	free(conns);
	free(s);
	return ok ? 0 : 1;
}
