/*-------------------------------------------------------------------------
 *
 * maint.c
 *	  The maintenance job of one database.
 *
 * A round: connect, check that pgq.maint_operations() exists (once per
 * database), load its list, run each operation as its own autocommit
 * statement, disconnect, sleep maint_period.  An operation is
 * "vacuum"/"vacuum analyze" on a table, or a function called with the
 * queue name or with no argument; a function that returns a non-zero
 * number is called again (work in chunks).  Rotation's step 1 and step 2
 * come as separate operations, so they commit in separate transactions.
 *
 * VACUUM answers with a command status, not rows: upstream took that for
 * an error, so with autovacuum off maintenance never got past the first
 * vacuum.  Here it counts as success.  Any real error ends the round; the
 * next one starts over in 20 s.
 *
 * IDENTIFICATION
 *	  bin/pgqd/maint.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "skytools/log.h"
#include "skytools/pgutil.h"

#include "pgqd.h"

enum
{
	M_IDLE,
	M_CONNECTING,
	M_PROBE,
	M_LOAD,
	M_OP,
	M_SLEEP
};

#define ERROR_DELAY	  20.0
#define CONNECT_DELAY 60.0

static void
free_ops(Db *db)
{
	int i;

	for (i = 0; i < db->nops; i++)
	{
		free(db->ops[i].func);
		free(db->ops[i].arg);
	}
	free(db->ops);
	db->ops = NULL;
	db->nops = 0;
}

static void
end_round(Db *db, double delay)
{
	pgc_disconnect(db->maint);
	free_ops(db);
	db->mstate = M_SLEEP;
	pgc_sleep(db->maint, delay);
}

static void
send_or_retry(Db *db, int state, const char *sql, int nparams,
			  const char *const *params)
{
	db->mstate = state;
	if (!pgc_send(db->maint, sql, nparams, params))
		end_round(db, ERROR_DELAY);
}

static bool
is_vacuum(const char *func)
{
	return strcasecmp(func, "vacuum") == 0 ||
		   strcasecmp(func, "vacuum analyze") == 0;
}

/* Run operation db->op, or finish the round after the last one. */
static void
run_op(Db *db)
{
	MaintOp *op;
	char name[512];
	char sql[1100];

	if (db->op >= db->nops)
	{
		db->pgqd->stat_maint++;
		db->maint_total++;
		log_debug("%s: close_maint", db->logname);
		end_round(db, db->pgqd->cfg.maint_period);
		return;
	}
	op = &db->ops[db->op];
	if (!pg_quote_fqident(name, sizeof(name),
						  is_vacuum(op->func) ? op->arg : op->func))
	{
		log_error("%s: bad %s name, skipped: %s", db->logname,
				  is_vacuum(op->func) ? "table" : "function",
				  is_vacuum(op->func) ? op->arg : op->func);
		db->op++;
		run_op(db);
		return;
	}
	if (is_vacuum(op->func))
		snprintf(sql, sizeof(sql), "%s %s", op->func, name);
	else
		snprintf(sql, sizeof(sql), "select %s(%s)", name, op->arg ? "$1" : "");
	log_debug("%s: [%s]", db->logname, sql);
	send_or_retry(db, M_OP, sql, op->arg && !is_vacuum(op->func) ? 1 : 0,
				  (const char *const *) &op->arg);
}

static bool
load_ops(Db *db, PGresult *res)
{
	int i, n = PQntuples(res);

	db->ops = calloc(n + 1, sizeof(MaintOp));
	if (db->ops == NULL)
		return false;
	for (i = 0; i < n; i++)
	{
		db->ops[i].func = strdup(PQgetvalue(res, i, 0));
		db->ops[i].arg =
			PQgetisnull(res, i, 1) ? NULL : strdup(PQgetvalue(res, i, 1));
		db->nops++;
		if (db->ops[i].func == NULL)
			return false;
		log_debug("load_op: %s / %s", db->ops[i].func,
				  db->ops[i].arg ? db->ops[i].arg : "NULL");
	}
	db->op = 0;
	return true;
}

static void
on_result(Db *db, PGresult *res)
{
	ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;

	switch (db->mstate)
	{
		case M_PROBE:
			if (st != PGRES_TUPLES_OK || PQntuples(res) != 1)
			{
				log_warning("%s: pgq.maint_operations() missing: pgq older "
							"than 3.1 is not maintained",
							db->logname);
				end_round(db, db->pgqd->cfg.maint_period);
				return;
			}
			send_or_retry(
				db, M_LOAD,
				"select func_name, func_arg from pgq.maint_operations()", 0,
				NULL);
			return;
		case M_LOAD:
			if (st != PGRES_TUPLES_OK || !load_ops(db, res))
			{
				end_round(db, ERROR_DELAY);
				return;
			}
			run_op(db);
			return;
		case M_OP:
			if (st == PGRES_COMMAND_OK)
				db->op++;
			else if (st == PGRES_TUPLES_OK)
			{
				/* a non-zero first value asks for another call */
				if (PQntuples(res) < 1 || PQgetisnull(res, 0, 0) ||
					atoi(PQgetvalue(res, 0, 0)) == 0)
					db->op++;
			}
			else
			{
				end_round(db, ERROR_DELAY);
				return;
			}
			run_op(db);
			return;
		default:
			end_round(db, ERROR_DELAY);
	}
}

static void
on_event(PgConn *c, PgcEvent ev, PGresult *res, void *arg)
{
	Db *db = arg;
	char *cs;

	(void) c;
	switch (ev)
	{
		case PGC_CONNECTED:
			log_debug("%s: starting maintenance", db->logname);
			send_or_retry(
				db, M_PROBE,
				"select 1 from pg_proc p, pg_namespace n where p.pronamespace "
				"= n.oid"
				" and p.proname = 'maint_operations' and n.nspname = 'pgq'",
				0, NULL);
			break;
		case PGC_CONNECT_FAILED:
			log_warning("%s: maintenance cannot connect, next try in %.0f s",
						db->logname, CONNECT_DELAY);
			end_round(db, CONNECT_DELAY);
			break;
		case PGC_LOST:
			end_round(db, ERROR_DELAY);
			break;
		case PGC_RESULT:
			on_result(db, res);
			break;
		case PGC_WOKE:
			cs = pgqd_connstr(db->pgqd, db->name);
			if (cs == NULL)
			{
				end_round(db, ERROR_DELAY);
				break;
			}
			db->mstate = M_CONNECTING;
			pgc_connect(db->maint, cs);
			free(cs);
			break;
	}
}

void
maint_start(Db *db)
{
	db->maint = pgc_new(db->pgqd->loop, db->logname, on_event, db);
	if (db->maint == NULL)
		return;
	db->mstate = M_SLEEP;
	pgc_sleep(db->maint, 0);
}

void
db_jobs_free(Db *db)
{
	pgc_free(db->ticker);
	pgc_free(db->maint);
	pgc_free(db->retry);
	free_ops(db);
	db->ticker = db->maint = db->retry = NULL;
}
