/*-------------------------------------------------------------------------
 *
 * data_maintainer.c
 *	  Batched data maintenance, upstream's data_maintainer3: the rows of a
 *	  key query (sql_get_pk_list on dbread, or a CSV file) are fetched
 *	  fetch_count at a time and handed to sql_modify on dbwrite, one
 *	  statement per row with the row's columns as %(name)s, or to
 *	  sql_modify_batch once per fetch with each %(name)s the array of that
 *	  column's values.  With autocommit every statement commits alone,
 *	  otherwise every fetch is one transaction; commit_delay pauses after
 *	  each commit and sql_throttle (on dbthrottle) holds the work while it
 *	  returns true.  sql_before_run, sql_after_run (after_zero_rows: also
 *	  when there were no rows) and sql_on_crash frame a run; their
 *	  %(job_name)s is the job's name.
 *
 *	  A run is resumable the way upstream's is: the key query leaves out
 *	  what was done (where not processed), so a run killed half-way and
 *	  started again does the rest; with autocommit off a fetch is done
 *	  whole or not at all.
 *
 *	  Without loop_delay the script does one run and ends (from cron); with
 *	  it, it runs again after loop_delay.
 *
 * IDENTIFICATION
 *	  bin/scripts/data_maintainer.c
 *
 *-------------------------------------------------------------------------
 */
#include <csv.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "skytools/clock.h"
#include "skytools/log.h"
#include "skytools/pyformat.h"
#include "skytools/script.h"

typedef struct Cfg
{
	char *dbread;
	char *sql_get_pk_list;
	char *fileread;
	char *csv_delimiter;
	char *csv_quotechar;
	char *dbwrite;
	char *sql_modify;
	char *sql_modify_batch;
	char *dbbefore;
	char *sql_before_run;
	char *dbafter;
	char *sql_after_run;
	int after_zero_rows;
	char *dbcrash;
	char *sql_on_crash;
	char *dbthrottle;
	char *sql_throttle;
	int with_hold;
	int fetch_count;
	int autocommit;
	double commit_delay;
} Cfg;

#define K(name, type, field, def, help)                                       \
	{                                                                         \
		name, type, offsetof(Cfg, field), def, help                           \
	}

static const CfKey keys[] = {
	K("dbread", CF_STR, dbread, NULL, "where sql_get_pk_list runs"),
	K("sql_get_pk_list", CF_STR, sql_get_pk_list, NULL,
	  "the rows to process (leave out the done ones: resumable)"),
	K("fileread", CF_FILE, fileread, NULL,
	  "or the rows from this CSV file, its first line the column names"),
	K("csv_delimiter", CF_STR, csv_delimiter, ",", "the CSV's delimiter"),
	K("csv_quotechar", CF_STR, csv_quotechar, "\"", "the CSV's quote"),
	K("dbwrite", CF_STR, dbwrite, NULL, "where sql_modify runs"),
	K("sql_modify", CF_STR, sql_modify, NULL,
	  "per row, with the row's columns as %(name)s"),
	K("sql_modify_batch", CF_STR, sql_modify_batch, NULL,
	  "instead: per fetch, each %(name)s the array (text[]) of a column"),
	K("dbbefore", CF_STR, dbbefore, NULL,
	  "where sql_before_run runs; "
	  "default dbwrite"),
	K("sql_before_run", CF_STR, sql_before_run, NULL,
	  "before each run; %(job_name)s the job's name"),
	K("dbafter", CF_STR, dbafter, NULL,
	  "where sql_after_run runs; "
	  "default dbwrite"),
	K("sql_after_run", CF_STR, sql_after_run, NULL, "after each run"),
	K("after_zero_rows", CF_INT, after_zero_rows, "1",
	  "run sql_after_run also when there were no rows"),
	K("dbcrash", CF_STR, dbcrash, NULL,
	  "where sql_on_crash runs; "
	  "default dbwrite"),
	K("sql_on_crash", CF_STR, sql_on_crash, NULL, "when a run fails"),
	K("dbthrottle", CF_STR, dbthrottle, NULL,
	  "where sql_throttle runs; "
	  "default dbwrite"),
	K("sql_throttle", CF_STR, sql_throttle, NULL,
	  "before each fetch: while it returns true, wait"),
	K("with_hold", CF_INT, with_hold, "1",
	  "read the key query through a WITH HOLD cursor (no long "
	  "transaction on dbread)"),
	K("fetch_count", CF_INT, fetch_count, "100",
	  "rows per fetch (and per transaction without autocommit)"),
	K("autocommit", CF_INT, autocommit, "1",
	  "commit every statement alone (1) or every fetch (0)"),
	K("commit_delay", CF_TIME, commit_delay, "0",
	  "seconds to pause after each commit"),
	{NULL, CF_STR, 0, NULL, NULL},
};

/* the rows of one fetch: names and values, NULL for SQL NULL */
typedef struct Rows
{
	int nrows;
	int ncols;
	char **names;
	const char **vals; /* nrows * ncols */
	PGresult *res;	   /* the values' owner, from a database */
} Rows;

static struct
{
	bool running; /* a run is open: source, connections */
	PGconn *rdb, *wdb;
	FILE *csvf;
	struct csv_parser csv;
	char **csv_names; /* the header */
	int csv_ncols;
	char **csv_cells; /* parsed, not yet handed out */
	int csv_ncells, csv_cap;
	int csv_cur; /* cells of the row being parsed */
	bool csv_eof;
	char **owned; /* the cells of the last fetch */
	int nowned;
	SkyPyQuery modify;
	long long total;
	double started;
} dm;

static bool
stopping_sleep(SkyScript *s, double secs)
{
	double until = sky_mono_secs() + secs;

	while (!sky_script_stopping(s) && sky_mono_secs() < until)
	{
		struct timespec ts = {0, 50 * 1000000L};

		nanosleep(&ts, NULL);
	}
	return !sky_script_stopping(s);
}

static PGconn *
connect_to(const char *conninfo, const char *key)
{
	PGconn *db;

	if (conninfo == NULL)
	{
		log_error("%s is not set", key);
		return NULL;
	}
	db = PQconnectdb(conninfo);
	if (PQstatus(db) != CONNECTION_OK)
	{
		log_error("cannot connect to %s: %s", key, PQerrorMessage(db));
		PQfinish(db);
		return NULL;
	}
	return db;
}

static bool
exec_ok(PGconn *db, const char *what, const char *sql, int n,
		const char *const *p)
{
	PGresult *res = PQexecParams(db, sql, n, NULL, p, NULL, NULL, 0);
	bool ok = PQresultStatus(res) == PGRES_COMMAND_OK ||
			  PQresultStatus(res) == PGRES_TUPLES_OK;

	if (!ok)
		log_error("%s: %s", what, PQresultErrorMessage(res));
	PQclear(res);
	return ok;
}

/* sql_before_run and the like: on their database, %(job_name)s bound */
static bool
run_hook(SkyScript *s, const char *key, const char *sql, const char *dbkey,
		 const char *conninfo)
{
	Cfg *c = sky_script_cfg(s);
	SkyPyQuery q;
	char err[256];
	const char *vals[8];
	PGconn *db;
	bool ok;
	int i;

	if (sql == NULL || sql[0] == '\0')
		return true;
	if (!sky_pyquery_compile(&q, sql, err, sizeof(err)))
	{
		log_error("%s: %s", key, err);
		return false;
	}
	for (i = 0; i < q.nparams && i < 8; i++)
	{
		if (strcmp(q.names[i], "job_name") != 0)
		{
			log_error("%s refers to %%(%s)s: only %%(job_name)s is known", key,
					  q.names[i]);
			sky_pyquery_free(&q);
			return false;
		}
		vals[i] = sky_script_common(s)->job_name;
	}
	db = connect_to(conninfo ? conninfo : c->dbwrite,
					conninfo ? dbkey : "dbwrite");
	ok = db && exec_ok(db, key, q.sql, q.nparams, vals);
	PQfinish(db);
	sky_pyquery_free(&q);
	if (ok)
		log_info("%s done", key);
	return ok;
}

/* libcsv: a cell, then the end of a row */
static void
csv_cell(void *field, size_t len, void *arg)
{
	(void) arg;
	if (dm.csv_ncells == dm.csv_cap)
	{
		int cap = dm.csv_cap ? dm.csv_cap * 2 : 256;
		char **n = realloc(dm.csv_cells, sizeof(char *) * (size_t) cap);

		if (n == NULL)
			return;
		dm.csv_cells = n;
		dm.csv_cap = cap;
	}
	dm.csv_cells[dm.csv_ncells++] = strndup(field ? field : "", len);
	dm.csv_cur++;
}

static void
csv_row(int c, void *arg)
{
	(void) c;
	(void) arg;
	if (dm.csv_names == NULL)
	{
		/* the header */
		dm.csv_names = dm.csv_cells;
		dm.csv_ncols = dm.csv_ncells;
		dm.csv_cells = NULL;
		dm.csv_ncells = dm.csv_cap = 0;
	}
	else if (dm.csv_cur != dm.csv_ncols)
		/* a short or long line: marked, reported by the caller */
		dm.csv_ncols = -dm.csv_ncols - 1;
	dm.csv_cur = 0;
}

static void
free_owned(void)
{
	int i;

	for (i = 0; i < dm.nowned; i++)
		free(dm.owned[i]);
	free(dm.owned);
	dm.owned = NULL;
	dm.nowned = 0;
}

/* up to max rows of the CSV file: 1 some, 0 none left, -1 error */
static int
csv_fetch(Cfg *c, int max, Rows *rows)
{
	char buf[65536];
	int i, n;

	free_owned();
	while (!dm.csv_eof && dm.csv_ncells < (max + 1) * (dm.csv_ncols + 1))
	{
		size_t got = fread(buf, 1, sizeof(buf), dm.csvf);

		if (got > 0 &&
			csv_parse(&dm.csv, buf, got, csv_cell, csv_row, NULL) != got)
		{
			log_error("%s: %s", c->fileread, csv_strerror(csv_error(&dm.csv)));
			return -1;
		}
		if (got < sizeof(buf))
		{
			if (ferror(dm.csvf))
			{
				log_error("%s: %s", c->fileread, strerror(errno));
				return -1;
			}
			csv_fini(&dm.csv, csv_cell, csv_row, NULL);
			dm.csv_eof = true;
		}
		if (dm.csv_ncols < 0)
		{
			log_error("%s: a line without as many fields as the header's",
					  c->fileread);
			return -1;
		}
	}
	if (dm.csv_names == NULL || dm.csv_ncols == 0)
		return 0;
	n = dm.csv_ncells / dm.csv_ncols;
	if (n > max)
		n = max;
	if (n == 0)
		return 0;
	rows->nrows = n;
	rows->ncols = dm.csv_ncols;
	rows->names = dm.csv_names;
	rows->vals = calloc((size_t) n * (size_t) dm.csv_ncols, sizeof(char *));
	if (rows->vals == NULL)
		return -1;
	dm.nowned = n * dm.csv_ncols;
	dm.owned = malloc(sizeof(char *) * (size_t) dm.nowned);
	for (i = 0; i < dm.nowned; i++)
	{
		rows->vals[i] = dm.csv_cells[i];
		dm.owned[i] = dm.csv_cells[i];
	}
	memmove(dm.csv_cells, dm.csv_cells + dm.nowned,
			sizeof(char *) * (size_t) (dm.csv_ncells - dm.nowned));
	dm.csv_ncells -= dm.nowned;
	return 1;
}

static int
db_fetch(int max, Rows *rows)
{
	char sql[64];
	int i, j;

	snprintf(sql, sizeof(sql), "fetch %d from data_maint_cur", max);
	rows->res = PQexec(dm.rdb, sql);
	if (PQresultStatus(rows->res) != PGRES_TUPLES_OK)
	{
		log_error("fetching from sql_get_pk_list: %s",
				  PQresultErrorMessage(rows->res));
		return -1;
	}
	rows->nrows = PQntuples(rows->res);
	rows->ncols = PQnfields(rows->res);
	if (rows->nrows == 0)
		return 0;
	rows->names = calloc((size_t) rows->ncols, sizeof(char *));
	rows->vals =
		calloc((size_t) rows->nrows * (size_t) rows->ncols, sizeof(char *));
	if (!rows->names || !rows->vals)
		return -1;
	for (j = 0; j < rows->ncols; j++)
		rows->names[j] = PQfname(rows->res, j);
	for (i = 0; i < rows->nrows; i++)
		for (j = 0; j < rows->ncols; j++)
			rows->vals[i * rows->ncols + j] =
				PQgetisnull(rows->res, i, j) ? NULL
											 : PQgetvalue(rows->res, i, j);
	return 1;
}

static void
rows_free(Rows *rows)
{
	if (rows->res)
		free(rows->names); /* the names are the result's */
	free(rows->vals);
	PQclear(rows->res);
	memset(rows, 0, sizeof(*rows));
}

static void
close_run(void)
{
	if (dm.csvf)
	{
		int i;

		fclose(dm.csvf);
		csv_free(&dm.csv);
		for (i = 0; i < dm.csv_ncells; i++)
			free(dm.csv_cells[i]);
		for (i = 0; dm.csv_names &&
					i < (dm.csv_ncols < 0 ? -dm.csv_ncols - 1 : dm.csv_ncols);
			 i++)
			free(dm.csv_names[i]);
		free(dm.csv_cells);
		free(dm.csv_names);
	}
	free_owned();
	PQfinish(dm.rdb);
	PQfinish(dm.wdb);
	dm.rdb = dm.wdb = NULL;
	dm.csvf = NULL;
	dm.csv_names = dm.csv_cells = NULL;
	dm.csv_ncells = dm.csv_cap = dm.csv_ncols = dm.csv_cur = 0;
	dm.csv_eof = false;
	dm.running = false;
}

/* a run begins: the hook, the source, the writer */
static bool
open_run(SkyScript *s)
{
	Cfg *c = sky_script_cfg(s);

	if (!run_hook(s, "sql_before_run", c->sql_before_run, "dbbefore",
				  c->dbbefore))
		return false;
	dm.wdb = connect_to(c->dbwrite, "dbwrite");
	if (dm.wdb == NULL)
		return false;
	if (c->fileread)
	{
		dm.csvf = fopen(c->fileread, "r");
		if (dm.csvf == NULL)
		{
			log_error("cannot read fileread %s: %s", c->fileread,
					  strerror(errno));
			return false;
		}
		if (csv_init(&dm.csv, CSV_APPEND_NULL) != 0)
			return false;
		csv_set_delim(&dm.csv, (unsigned char) c->csv_delimiter[0]);
		csv_set_quote(&dm.csv, (unsigned char) c->csv_quotechar[0]);
	}
	else
	{
		const char *sql = c->sql_get_pk_list;
		char *decl;
		bool ok;

		dm.rdb = connect_to(c->dbread, "dbread");
		if (dm.rdb == NULL)
			return false;
		decl = malloc(strlen(sql) + 64);
		if (decl == NULL)
			return false;
		sprintf(decl, "declare data_maint_cur no scroll cursor%s for %s",
				c->with_hold ? " with hold" : "", sql);
		ok = (c->with_hold || exec_ok(dm.rdb, "begin", "begin", 0, NULL)) &&
			 exec_ok(dm.rdb, "sql_get_pk_list", decl, 0, NULL);
		free(decl);
		if (!ok)
			return false;
	}
	dm.total = 0;
	dm.started = sky_mono_secs();
	dm.running = true;
	log_info("run started");
	return true;
}

/* text values as a PostgreSQL array literal */
static char *
array_literal(const Rows *rows, int col)
{
	size_t cap = 16, len = 0;
	char *out = malloc(cap);
	int i;

	if (out == NULL)
		return NULL;
	out[len++] = '{';
	for (i = 0; i < rows->nrows; i++)
	{
		const char *v = rows->vals[i * rows->ncols + col];
		size_t need = (v ? strlen(v) * 2 : 0) + 8;
		char *n;

		if (len + need >= cap)
		{
			cap = (len + need) * 2;
			n = realloc(out, cap);
			if (n == NULL)
			{
				free(out);
				return NULL;
			}
			out = n;
		}
		if (i)
			out[len++] = ',';
		if (v == NULL)
		{
			memcpy(out + len, "NULL", 4);
			len += 4;
			continue;
		}
		out[len++] = '"';
		for (; *v; v++)
		{
			if (*v == '"' || *v == '\\')
				out[len++] = '\\';
			out[len++] = *v;
		}
		out[len++] = '"';
	}
	out[len++] = '}';
	out[len] = '\0';
	return out;
}

/* the columns of the query's names in the rows; false logged */
static bool
map_columns(const Rows *rows, int *cols, const char *key)
{
	int i, j;

	for (i = 0; i < dm.modify.nparams; i++)
	{
		cols[i] = -1;
		for (j = 0; j < rows->ncols; j++)
			if (strcmp(rows->names[j], dm.modify.names[i]) == 0)
				cols[i] = j;
		if (cols[i] < 0)
		{
			log_error("%s refers to %%(%s)s, which the rows do not have", key,
					  dm.modify.names[i]);
			return false;
		}
	}
	return true;
}

/* one fetch's rows through sql_modify(_batch); false logged */
static bool
process(SkyScript *s, const Rows *rows)
{
	Cfg *c = sky_script_cfg(s);
	int n = dm.modify.nparams, i, k;
	int cols[n > 0 ? n : 1];
	const char *vals[n > 0 ? n : 1];
	const char *key = c->sql_modify_batch ? "sql_modify_batch" : "sql_modify";
	bool ok = true;

	if (!map_columns(rows, cols, key))
		return false;
	if (!c->autocommit && !exec_ok(dm.wdb, "begin", "begin", 0, NULL))
		return false;
	if (c->sql_modify_batch)
	{
		char *arrays[n > 0 ? n : 1];

		for (k = 0; k < n; k++)
			vals[k] = arrays[k] = array_literal(rows, cols[k]);
		ok = exec_ok(dm.wdb, key, dm.modify.sql, n, vals);
		for (k = 0; k < n; k++)
			free(arrays[k]);
	}
	else
		for (i = 0; ok && i < rows->nrows; i++)
		{
			for (k = 0; k < n; k++)
				vals[k] = rows->vals[i * rows->ncols + cols[k]];
			ok = exec_ok(dm.wdb, key, dm.modify.sql, n, vals);
			if (ok && c->autocommit && c->commit_delay > 0)
				stopping_sleep(s, c->commit_delay);
		}
	if (!c->autocommit)
	{
		if (ok)
			ok = exec_ok(dm.wdb, "commit", "commit", 0, NULL);
		else
			PQclear(PQexec(dm.wdb, "rollback"));
		if (ok && c->commit_delay > 0)
			stopping_sleep(s, c->commit_delay);
	}
	return ok;
}

/* 1 throttled (waited), 0 go on, -1 error */
static int
throttle(SkyScript *s)
{
	Cfg *c = sky_script_cfg(s);
	PGconn *db;
	PGresult *res;
	int r = -1;

	if (c->sql_throttle == NULL)
		return 0;
	db = connect_to(c->dbthrottle ? c->dbthrottle : c->dbwrite,
					c->dbthrottle ? "dbthrottle" : "dbwrite");
	if (db == NULL)
		return -1;
	res = PQexec(db, c->sql_throttle);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		log_error("sql_throttle: %s", PQresultErrorMessage(res));
	else
		r = PQntuples(res) > 0 && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	PQfinish(db);
	if (r == 1)
	{
		log_info("throttling");
		stopping_sleep(s, 1.0);
	}
	return r;
}

static SkyWork
crashed(SkyScript *s)
{
	Cfg *c = sky_script_cfg(s);

	close_run();
	run_hook(s, "sql_on_crash", c->sql_on_crash, "dbcrash", c->dbcrash);
	return SKY_ERROR;
}

static SkyWork
work(SkyScript *s)
{
	Cfg *c = sky_script_cfg(s);
	Rows rows = {0};
	int r;

	if (!dm.running && !open_run(s))
		return crashed(s);
	r = throttle(s);
	if (r < 0)
		return crashed(s);
	if (r > 0)
		return SKY_MORE;
	r = dm.csvf ? csv_fetch(c, c->fetch_count, &rows)
				: db_fetch(c->fetch_count, &rows);
	if (r < 0)
	{
		rows_free(&rows);
		return crashed(s);
	}
	if (r == 0)
	{
		rows_free(&rows);
		log_info("run done: %lld rows in %.3f s", dm.total,
				 sky_mono_secs() - dm.started);
		close_run();
		if ((dm.total > 0 || c->after_zero_rows) &&
			!run_hook(s, "sql_after_run", c->sql_after_run, "dbafter",
					  c->dbafter))
			return crashed(s);
		return SKY_IDLE;
	}
	if (!process(s, &rows))
	{
		rows_free(&rows);
		return crashed(s);
	}
	dm.total += rows.nrows;
	sky_stat_inc(s, "count", rows.nrows);
	rows_free(&rows);
	return SKY_MORE;
}

/* an empty value is no value (--set sql_throttle= turns it off) */
static void
empty_is_unset(Cfg *c)
{
	const CfKey *k;

	for (k = keys; k->name; k++)
		if (k->type == CF_STR || k->type == CF_FILE)
		{
			char **f = (char **) ((char *) c + k->offset);

			if (*f && (*f)[0] == '\0')
			{
				free(*f);
				*f = NULL;
			}
		}
}

static int
start(SkyScript *s, int argc, char **argv)
{
	Cfg *c = sky_script_cfg(s);
	const char *ini = sky_script_ini(s);
	const char *mod =
		c->sql_modify_batch ? c->sql_modify_batch : c->sql_modify;
	char err[256];

	empty_is_unset(c);
	mod = c->sql_modify_batch ? c->sql_modify_batch : c->sql_modify;
	if (argc > 0)
	{
		log_error("unexpected argument: %s", argv[0]);
		return 1;
	}
	if (!c->fileread == !c->sql_get_pk_list)
	{
		log_error("%s: set one of sql_get_pk_list (with dbread) and fileread",
				  ini);
		return 1;
	}
	if (c->sql_get_pk_list && !c->dbread)
	{
		log_error("%s: dbread is not set", ini);
		return 1;
	}
	if (!c->dbwrite)
	{
		log_error("%s: dbwrite is not set", ini);
		return 1;
	}
	if (!c->sql_modify == !c->sql_modify_batch)
	{
		log_error("%s: set one of sql_modify and sql_modify_batch", ini);
		return 1;
	}
	if (c->fetch_count <= 0)
	{
		log_error("%s: fetch_count must be positive", ini);
		return 1;
	}
	/* from cron: one run, and a failed one is exit 1 */
	if (sky_script_common(s)->loop_delay <= 0)
		sky_script_single_loop(s);
	if (!sky_pyquery_compile(&dm.modify, mod, err, sizeof(err)))
	{
		log_error("%s: %s: %s", ini,
				  c->sql_modify_batch ? "sql_modify_batch" : "sql_modify",
				  err);
		return 1;
	}
	return 0;
}

static void
reload(SkyScript *s)
{
	Cfg *c = sky_script_cfg(s);
	SkyPyQuery q;
	char err[256];
	const char *mod;

	empty_is_unset(c);
	mod = c->sql_modify_batch ? c->sql_modify_batch : c->sql_modify;
	if (mod && sky_pyquery_compile(&q, mod, err, sizeof(err)))
	{
		sky_pyquery_free(&dm.modify);
		dm.modify = q;
	}
	else
		log_error("reload: sql_modify: %s; the old one stays",
				  mod ? err : "not set");
}

static void
stop(SkyScript *s)
{
	(void) s;
	close_run();
	sky_pyquery_free(&dm.modify);
}

int
main(int argc, char **argv)
{
	static const char *const defaults[] = {"loop_delay", "0", NULL};
	static const SkyScriptDef def = {
		.service = "data_maintainer3",
		.alt_service = "data_maintainer",
		.version = "3.0",
		.keys = keys,
		.cfg_size = sizeof(Cfg),
		.defaults = defaults,
		.start = start,
		.work = work,
		.reload = reload,
		.stop = stop,
	};

	return sky_script_main(&def, argc, argv);
}
