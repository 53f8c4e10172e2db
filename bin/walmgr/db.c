/*-------------------------------------------------------------------------
 *
 * db.c
 *	  walmgr's database connections: the master (master_db), the local
 *	  standby (found through its postmaster.pid), and replication
 *	  connections for the WAL receiver.  Blocking libpq: walmgr's commands
 *	  run one statement at a time.  Error messages are libpq's and never
 *	  hold the connect string.
 *
 * IDENTIFICATION
 *	  bin/walmgr/db.c
 *
 *-------------------------------------------------------------------------
 */
#include "walmgr.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skytools/log.h"
#include "skytools/pgutil.h"

static void
notice_to_log(void *arg, const char *message)
{
	size_t n = strlen(message);

	(void) arg;
	while (n > 0 && message[n - 1] == '\n')
		n--;
	log_info("server: %.*s", (int) n, message);
}

/* A connection, or NULL with the reason logged under what. */
PGconn *
wm_connect(const char *conninfo, const char *what)
{
	PGconn *db;

	if (conninfo == NULL || conninfo[0] == '\0')
	{
		log_error("%s: no connect string", what);
		return NULL;
	}
	db = PQconnectdb(conninfo);
	if (PQstatus(db) != CONNECTION_OK)
	{
		char *msg = db ? PQerrorMessage(db) : "out of memory";
		size_t n = strlen(msg);

		while (n > 0 && msg[n - 1] == '\n')
			n--;
		log_error("%s: cannot connect: %.*s", what, (int) n, msg);
		PQfinish(db);
		return NULL;
	}
	PQsetNoticeProcessor(db, notice_to_log, NULL);
	return db;
}

/*
 * Run sql with text parameters; the result when its status is ok (tuples
 * or command), else NULL with the error logged.
 */
PGresult *
wm_exec(PGconn *db, const char *sql, int nparams, const char *const *params)
{
	PGresult *res =
		PQexecParams(db, sql, nparams, NULL, params, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(res);

	if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
		return res;
	{
		const char *msg = PQresultErrorMessage(res);
		size_t n;

		if (msg == NULL || msg[0] == '\0')
			msg = PQerrorMessage(db);
		n = strlen(msg);
		while (n > 0 && msg[n - 1] == '\n')
			n--;
		log_error("%.*s", (int) n, msg);
	}
	PQclear(res);
	return NULL;
}

/* The first value of a one-row query, copied into dst; false on error. */
bool
wm_query_value(PGconn *db, const char *sql, char *dst, size_t len)
{
	PGresult *res = wm_exec(db, sql, 0, NULL);

	if (res == NULL)
		return false;
	if (PQntuples(res) < 1 || PQnfields(res) < 1)
	{
		log_error("no row from: %s", sql);
		PQclear(res);
		return false;
	}
	snprintf(dst, len, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return true;
}

/*
 * The live postmaster of datadir: its pid, port and socket directory from
 * postmaster.pid.  0 when no server runs there.
 */
long
wm_postmaster(const char *datadir, int *port, char *sockdir, size_t len)
{
	char path[4096], line[4096];
	FILE *f;
	long pid = 0;
	int lineno = 0;

	if (snprintf(path, sizeof(path), "%s/postmaster.pid", datadir) >=
		(int) sizeof(path))
		return 0;
	f = fopen(path, "r");
	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f))
	{
		line[strcspn(line, "\n")] = '\0';
		lineno++;
		if (lineno == 1)
			pid = strtol(line, NULL, 10);
		else if (lineno == 4 && port)
			*port = atoi(line);
		else if (lineno == 5 && sockdir)
			snprintf(sockdir, len, "%s", line);
	}
	fclose(f);
	if (pid <= 0 || (kill((pid_t) pid, 0) != 0 && errno == ESRCH))
		return 0;
	return pid;
}

/* A connection to the standby running in slave_data, or NULL. */
PGconn *
wm_connect_slave(Wm *wm)
{
	char sockdir[4096] = "", host[4200] = "", conninfo[8800];
	int port = 5432;

	if (wm->cfg.slave_data == NULL ||
		wm_postmaster(wm->cfg.slave_data, &port, sockdir, sizeof(sockdir)) ==
			0)
	{
		log_error("no server is running in slave_data (%s)",
				  wm->cfg.slave_data ? wm->cfg.slave_data : "not set");
		return NULL;
	}
	if (!pg_conninfo_value(host, sizeof(host), sockdir[0] ? sockdir : "/tmp"))
		return NULL;
	snprintf(conninfo, sizeof(conninfo),
			 "host=%s port=%d dbname=template1 application_name=walmgr", host,
			 port);
	return wm_connect(conninfo, "slave");
}
