/*-------------------------------------------------------------------------
 *
 * retry.c
 *	  The retry job of one database: call pgq.maint_retry_events() until
 *	  it returns 0 (it moves at most 10 due events per call), then sleep
 *	  retry_period.  An error ends the round; the next starts in 20 s.
 *
 * IDENTIFICATION
 *	  bin/pgqd/retry.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdlib.h>

#include "skytools/log.h"

#include "pgqd.h"

#define ERROR_DELAY	  20.0
#define CONNECT_DELAY 30.0

static const char *retry_sql = "select * from pgq.maint_retry_events()";

static void
sleep_for(Db *db, double secs)
{
	pgc_disconnect(db->retry);
	pgc_sleep(db->retry, secs);
}

static void
on_event(PgConn *c, PgcEvent ev, PGresult *res, void *arg)
{
	Db *db = arg;
	char *cs;
	long moved;

	(void) c;
	switch (ev)
	{
		case PGC_CONNECTED:
			log_debug("%s: starting retry event processing", db->logname);
			if (!pgc_send(db->retry, retry_sql, 0, NULL))
				sleep_for(db, ERROR_DELAY);
			break;
		case PGC_CONNECT_FAILED:
			log_warning("%s: retry job cannot connect, next try in %.0f s",
						db->logname, CONNECT_DELAY);
			sleep_for(db, CONNECT_DELAY);
			break;
		case PGC_LOST:
			sleep_for(db, ERROR_DELAY);
			break;
		case PGC_RESULT:
			if (res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK ||
				PQntuples(res) != 1)
			{
				sleep_for(db, ERROR_DELAY);
				break;
			}
			moved = atol(PQgetvalue(res, 0, 0));
			db->pgqd->stat_retry += moved;
			db->retry_total += moved;
			if (moved != 0 && pgc_send(db->retry, retry_sql, 0, NULL))
				break;
			log_debug("%s: close_retry", db->logname);
			sleep_for(db, db->pgqd->cfg.retry_period);
			break;
		case PGC_WOKE:
			cs = pgqd_connstr(db->pgqd, db->name);
			if (cs == NULL)
			{
				sleep_for(db, ERROR_DELAY);
				break;
			}
			pgc_connect(db->retry, cs);
			free(cs);
			break;
	}
}

void
retry_start(Db *db)
{
	db->retry = pgc_new(db->pgqd->loop, db->logname, on_event, db);
	if (db->retry != NULL)
		pgc_sleep(db->retry, 0);
}
