/*-------------------------------------------------------------------------
 *
 * ticker.c
 *	  The ticker job of one database.
 *
 *	  CONNECTING --ok--> CHECK_PGQ --found--> CHECK_VERSION --ok--> TICK
 *	  TICK --result--> SLEEP --ticker_period--> TICK ...
 *
 * With a pgq that has pgq.ticker_busy() (ours) and ticker_busy_period > 0
 * the sleep is ticker_busy_period, and the wake-ups between two
 * pgq.ticker() calls run pgq.ticker_busy(ticker_busy_period / 2) instead:
 * queues with new events get a tick within about that time, so consumers
 * (woken by the tick's NOTIFY) see events within a tenth of a second
 * rather than up to ticker_period; idle queues get no more ticks.
 *
 * No pgq schema, or a version below 3: close and look again after
 * check_period.  An SQL error (a standby, "Invalid PgQ state"): close and
 * retry in 10 s.  A failed connect or a lost connection: reconnect at once
 * the first time, then back off 1, 2, 4 ... 60 s (upstream waits 60 s
 * before the first retry, so a server restart cost a minute of ticks).
 * The connection is renewed when it is older than connection_lifetime.
 * The first good version check starts the maintenance and retry jobs.
 *
 * DROP DATABASE and ALTER DATABASE ... RENAME wait up to 5 s for every
 * other session of the database to leave, then fail; a ticker that never
 * leaves made them fail for as long as pgqd ran.  After each tick the
 * ticker looks in pg_stat_activity for such a statement naming its
 * database and, if one waits, lets go of the connection for
 * RELEASE_DELAY.  (Seeing other sessions' statements needs superuser or
 * pg_read_all_stats; without them the look finds nothing.)
 *
 * IDENTIFICATION
 *	  bin/pgqd/ticker.c
 *
 *-------------------------------------------------------------------------
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "skytools/log.h"

#include "pgqd.h"

enum
{
	T_IDLE,
	T_CONNECTING,
	T_CHECK_PGQ,
	T_CHECK_VERSION,
	T_TICK,
	T_BUSY,
	T_PROBE_DROP,
	T_METRICS_Q,
	T_METRICS_C,
	T_SLEEP,
	T_WAIT /* disconnected, reconnect on wake-up */
};

#define RELEASE_DELAY 10.0

static const char *drop_probe_sql =
	"select query from pg_catalog.pg_stat_activity"
	" where pid <> pg_catalog.pg_backend_pid() and state = 'active'"
	" and query ~* '^\\s*(drop|alter)\\s+database\\s'";

#define ERROR_DELAY	  10.0
#define BACKOFF_FIRST 0.0
#define BACKOFF_MAX	  60.0

static void
connect_now(Db *db)
{
	char *cs = pgqd_connstr(db->pgqd, db->name);

	if (cs == NULL)
	{
		log_error("%s: out of memory", db->logname);
		db->tstate = T_WAIT;
		pgc_sleep(db->ticker, ERROR_DELAY);
		return;
	}
	db->tstate = T_CONNECTING;
	log_debug("%s: launch_ticker", db->logname);
	pgc_connect(db->ticker, cs);
	free(cs);
}

static void
close_and_wait(Db *db, double secs)
{
	db->up = false;
	pgc_disconnect(db->ticker);
	db->tstate = T_WAIT;
	pgc_sleep(db->ticker, secs);
}

/* Lost or failed connection: reconnect with a growing delay. */
static void
lost(Db *db)
{
	double delay = db->backoff;

	log_warning("%s: connection lost, reconnecting in %.0f s", db->logname,
				delay);
	db->backoff = db->backoff == 0 ? 1 : db->backoff * 2;
	if (db->backoff > BACKOFF_MAX)
		db->backoff = BACKOFF_MAX;
	close_and_wait(db, delay);
}

static void
send_or_lose(Db *db, int state, const char *sql)
{
	db->tstate = state;
	if (!pgc_send(db->ticker, sql, 0, NULL))
		lost(db);
}

/* pgq.version() text: major version 3 or more ("3.6", "10.0"). */
static bool
version_ok(const char *v)
{
	return v != NULL && atoi(v) >= 3;
}

/* Whether a waiting DROP/ALTER DATABASE statement names this database. */
static bool
drop_waiting(Db *db, PGresult *res)
{
	int i;

	for (i = 0; i < PQntuples(res); i++)
		if (strcasestr(PQgetvalue(res, i, 0), db->name) != NULL)
			return true;
	return false;
}

/* Whether quick ticks of busy queues run between pgq.ticker() calls. */
static bool
busy_ticks(Db *db)
{
	return db->has_busy && db->pgqd->cfg.ticker_busy_period > 0 &&
		   db->pgqd->cfg.ticker_busy_period < db->pgqd->cfg.ticker_period;
}

/*
 * The next tick call: pgq.ticker() when due (with pgq.ticker_busy() in the
 * same statement, so busy queues never wait a round), else only
 * pgq.ticker_busy().  Its lag is half the period: a tick made at the last
 * wake-up is old enough, so a busy queue ticks at every wake-up.
 */
static void
send_tick(Db *db)
{
	double now = metrics_now();
	bool full = now - db->full_tick_at >= db->pgqd->cfg.ticker_period - 0.001;
	char lag[64];
	const char *params[1] = {lag};
	const char *sql;

	if (!busy_ticks(db))
	{
		db->full_tick_at = now;
		send_or_lose(db, T_TICK, "select pgq.ticker()");
		return;
	}
	if (full)
		db->full_tick_at = now;
	sql = full ? "select pgq.ticker(), pgq.ticker_busy($1::interval)"
			   : "select pgq.ticker_busy($1::interval)";
	snprintf(lag, sizeof(lag), "%.3f seconds",
			 db->pgqd->cfg.ticker_busy_period / 2);
	db->tstate = full ? T_TICK : T_BUSY;
	if (!pgc_send(db->ticker, sql, 1, params))
		lost(db);
}

/* After a tick: sleep ticker_period, renewing an old connection first. */
static void
go_to_sleep(Db *db)
{
	if (db->pgqd->cfg.connection_lifetime > 0 &&
		pgc_age(db->ticker) > db->pgqd->cfg.connection_lifetime)
	{
		log_debug("%s: close_ticker, %.0f", db->logname, pgc_age(db->ticker));
		close_and_wait(db, db->pgqd->cfg.ticker_period);
		return;
	}
	db->tstate = T_SLEEP;
	pgc_sleep(db->ticker, busy_ticks(db) ? db->pgqd->cfg.ticker_busy_period
										 : db->pgqd->cfg.ticker_period);
}

/* Keep a copy of a metrics query's rows in *slot. */
static void
keep_rows(PGresult **slot, PGresult *res)
{
	PQclear(*slot);
	*slot = PQcopyResult(res, PG_COPYRES_ATTRS | PG_COPYRES_TUPLES);
}

static void
on_result(Db *db, PGresult *res)
{
	bool rows = res != NULL && PQresultStatus(res) == PGRES_TUPLES_OK;

	if (!rows)
	{
		close_and_wait(db, ERROR_DELAY);
		return;
	}
	switch (db->tstate)
	{
		case T_CHECK_PGQ:
			if (PQntuples(res) != 1)
			{
				log_debug("%s: no pgq", db->logname);
				close_and_wait(db, db->pgqd->cfg.check_period);
				return;
			}
			send_or_lose(db, T_CHECK_VERSION,
						 "select pgq.version(), pg_catalog.to_regprocedure("
						 "'pgq.ticker_busy(interval)') is not null");
			return;
		case T_CHECK_VERSION:
			if (PQntuples(res) != 1 || !version_ok(PQgetvalue(res, 0, 0)))
			{
				log_info("%s: bad pgq version, ignoring", db->logname);
				close_and_wait(db, db->pgqd->cfg.check_period);
				return;
			}
			log_info("%s: pgq version ok: %s", db->logname,
					 PQgetvalue(res, 0, 0));
			db->has_busy = strcmp(PQgetvalue(res, 0, 1), "t") == 0;
			db->up = true;
			db->backoff = BACKOFF_FIRST;
			if (!db->jobs_started)
			{
				db->jobs_started = true;
				maint_start(db);
				retry_start(db);
			}
			send_tick(db);
			return;
		case T_TICK:
			if (PQntuples(res) == 1)
			{
				db->pgqd->stat_ticks++;
				db->ticks_total++;
			}
			else
				log_debug("%s: calling pgq.ticker() failed", db->logname);
			send_or_lose(db, T_PROBE_DROP, drop_probe_sql);
			return;
		case T_BUSY:
			/* not counted: the stats line counts pgq.ticker() rounds */
			go_to_sleep(db);
			return;
		case T_PROBE_DROP:
			if (drop_waiting(db, res))
			{
				log_info("%s: a DROP or RENAME of the database waits, "
						 "releasing it for %.0f s",
						 db->logname, RELEASE_DELAY);
				close_and_wait(db, RELEASE_DELAY);
				return;
			}
			if (db->pgqd->metrics &&
				metrics_now() - db->metrics_at >= METRICS_REFRESH)
			{
				send_or_lose(db, T_METRICS_Q, METRICS_QUEUE_SQL);
				return;
			}
			go_to_sleep(db);
			return;
		case T_METRICS_Q:
			keep_rows(&db->queue_res, res);
			send_or_lose(db, T_METRICS_C, METRICS_CONSUMER_SQL);
			return;
		case T_METRICS_C:
			keep_rows(&db->consumer_res, res);
			db->metrics_at = metrics_now();
			go_to_sleep(db);
			return;
		default:
			log_warning("%s: bad state: %d", db->logname, db->tstate);
			close_and_wait(db, ERROR_DELAY);
	}
}

static void
on_event(PgConn *c, PgcEvent ev, PGresult *res, void *arg)
{
	Db *db = arg;

	(void) c;
	switch (ev)
	{
		case PGC_CONNECTED:
			send_or_lose(
				db, T_CHECK_PGQ,
				"select 1 from pg_catalog.pg_namespace where nspname='pgq'");
			break;
		case PGC_CONNECT_FAILED:
		case PGC_LOST:
			lost(db);
			break;
		case PGC_RESULT:
			on_result(db, res);
			break;
		case PGC_WOKE:
			if (db->tstate == T_SLEEP && pgc_connected(db->ticker))
			{
				log_noise("%s: tick timeout", db->logname);
				send_tick(db);
			}
			else
				connect_now(db);
			break;
	}
}

void
ticker_start(Db *db)
{
	db->ticker = pgc_new(db->pgqd->loop, db->logname, on_event, db);
	if (db->ticker == NULL)
	{
		log_error("%s: out of memory", db->logname);
		return;
	}
	db->backoff = BACKOFF_FIRST;
	connect_now(db);
}
