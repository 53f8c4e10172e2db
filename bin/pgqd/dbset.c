/*-------------------------------------------------------------------------
 *
 * dbset.c
 *	  The set of databases pgqd serves.
 *
 * With database_list set, the set is exactly the listed names, applied at
 * start and at every reload.  Otherwise a discovery job connects to
 * initial_database every check_period, lists the databases that accept
 * connections, and the set follows: new ones start their ticker at once,
 * vanished ones (dropped, renamed) are unregistered and their connections
 * closed.  A database without pgq stays in the set; its ticker looks for
 * pgq again every check_period.
 *
 * IDENTIFICATION
 *	  bin/pgqd/dbset.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skytools/log.h"

#include "pgqd.h"

static Db *
find_db(Pgqd *p, const char *name)
{
	Db *db;

	for (db = p->dbs; db != NULL; db = db->next)
		if (strcmp(db->name, name) == 0)
			return db;
	return NULL;
}

static char *
make_logname(const char *name)
{
	size_t n = strlen(name);
	char *s = malloc(n + 3);
	size_t i;

	if (s == NULL)
		return NULL;
	s[0] = '[';
	for (i = 0; i < n; i++)
		s[i + 1] = (unsigned char) name[i] < 0x20 ? '?' : name[i];
	s[n + 1] = ']';
	s[n + 2] = '\0';
	return s;
}

/* Keep (unmark) or add the database called name. */
static void
keep_db(Pgqd *p, const char *name)
{
	Db *db = find_db(p, name);

	if (db != NULL)
	{
		db->dropped = false;
		return;
	}
	db = calloc(1, sizeof(Db));
	if (db == NULL || (db->name = strdup(name)) == NULL ||
		(db->logname = make_logname(name)) == NULL)
	{
		log_error("out of memory adding database %s", name);
		if (db)
			free(db->name);
		free(db);
		return;
	}
	db->pgqd = p;
	db->next = p->dbs;
	p->dbs = db;
	ticker_start(db);
}

static void
free_db(Db *db)
{
	db_jobs_free(db);
	PQclear(db->queue_res);
	PQclear(db->consumer_res);
	free(db->name);
	free(db->logname);
	free(db);
}

static void
mark_all(Pgqd *p)
{
	Db *db;

	for (db = p->dbs; db != NULL; db = db->next)
		db->dropped = true;
}

static void
sweep(Pgqd *p)
{
	Db **link = &p->dbs;

	while (*link != NULL)
	{
		Db *db = *link;

		if (db->dropped)
		{
			log_info("Unregister database: %s", db->logname);
			*link = db->next;
			free_db(db);
		}
		else
			link = &db->next;
	}
}

static void
on_discovery(PgConn *c, PgcEvent ev, PGresult *res, void *arg)
{
	Pgqd *p = arg;
	char *cs;
	int i;

	switch (ev)
	{
		case PGC_CONNECTED:
			if (!pgc_send(c,
						  "select datname from pg_database"
						  " where not datistemplate and datallowconn",
						  0, NULL))
				pgc_sleep(c, p->cfg.check_period);
			break;
		case PGC_RESULT:
			if (res != NULL && PQresultStatus(res) == PGRES_TUPLES_OK)
			{
				mark_all(p);
				for (i = 0; i < PQntuples(res); i++)
					keep_db(p, PQgetvalue(res, i, 0));
				sweep(p);
			}
			pgc_disconnect(c);
			pgc_sleep(c, p->cfg.check_period);
			break;
		case PGC_CONNECT_FAILED:
		case PGC_LOST:
			pgc_sleep(c, p->cfg.check_period);
			break;
		case PGC_WOKE:
			cs = pgqd_connstr(p, p->cfg.initial_database);
			if (cs == NULL)
			{
				pgc_sleep(c, p->cfg.check_period);
				break;
			}
			pgc_connect(c, cs);
			free(cs);
			break;
	}
}

/* Apply the list mode: exactly the names of database_list. */
static void
apply_list(Pgqd *p)
{
	char *list = strdup(p->cfg.database_list);
	char *tok, *save = NULL;

	if (list == NULL)
	{
		log_error("out of memory");
		return;
	}
	mark_all(p);
	for (tok = strtok_r(list, ",", &save); tok != NULL;
		 tok = strtok_r(NULL, ",", &save))
	{
		char *end;

		while (*tok == ' ' || *tok == '\t')
			tok++;
		end = tok + strlen(tok);
		while (end > tok && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (*tok)
			keep_db(p, tok);
	}
	free(list);
	sweep(p);
}

/*
 * Follow the configuration: list mode applies the list now; auto mode
 * starts discovery (at once, when it was not running yet).
 */
void
dbset_update(Pgqd *p)
{
	bool list_mode = p->cfg.database_list && p->cfg.database_list[0];

	if (list_mode)
	{
		pgc_free(p->discovery);
		p->discovery = NULL;
		apply_list(p);
		return;
	}
	if (p->discovery == NULL)
	{
		log_info("auto-detecting dbs ...");
		p->discovery = pgc_new(p->loop, "[discovery]", on_discovery, p);
		if (p->discovery != NULL)
			pgc_sleep(p->discovery, 0);
	}
}

void
dbset_free(Pgqd *p)
{
	pgc_free(p->discovery);
	p->discovery = NULL;
	mark_all(p);
	while (p->dbs != NULL)
	{
		Db *db = p->dbs;

		p->dbs = db->next;
		free_db(db);
	}
}
