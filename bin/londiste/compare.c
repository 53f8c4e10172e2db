/*-------------------------------------------------------------------------
 *
 * compare.c
 *	  `compare [TABLE...] [--count-only] [--force]`: each local table in
 *	  sync against its provider's, at one consistent point, naming the
 *	  rows that differ.  Exit code: the number of tables that differ.
 *
 * The consistent point: with a root provider, the root's table is locked
 * in SHARE mode (writers wait), a tick is made after the last writer, the
 * local worker completes it (at most lock_timeout unless --force), and
 * the two REPEATABLE READ snapshots start before the lock goes.  With a
 * branch provider, the branch's worker (the only writer of its tables)
 * is paused, and the local worker completes the branch's last tick: the
 * equal tick, not a later one the paused branch could never make (the
 * fault of upstream's compare).  Then both sides answer, each in its
 * snapshot, with pinned output settings (UTC, ISO dates, full float
 * digits, hex bytea), both at once: the row count and the sum of a 64-bit
 * hash (hashtextextended) of each row's common columns.  When the sums differ, both sides stream (key, row
 * md5) ordered by the key's text in byte order and the walk names every
 * key missing, extra or changed on this node.
 *
 * IDENTIFICATION
 *	  bin/londiste/compare.c
 *
 *-------------------------------------------------------------------------
 */
#include "londiste.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "skytools/clock.h"
#include "skytools/log.h"
#include "skytools/pgutil.h"
#include "urlenc.h"

static const char *pin_sql =
	"set timezone = 'UTC'; set datestyle = 'ISO, YMD'; set intervalstyle = "
	"'postgres'; set extra_float_digits = 3; set bytea_output = 'hex'";

typedef struct Buf2
{
	char *s;
	size_t len, cap;
} Buf2;

static void
b2put(Buf2 *b, const char *t)
{
	size_t n = strlen(t);

	if (b->len + n + 1 > b->cap)
	{
		b->cap = (b->len + n + 1) * 2;
		b->s = realloc(b->s, b->cap);
		if (b->s == NULL)
			fatal("out of memory");
	}
	memcpy(b->s + b->len, t, n + 1);
	b->len += n;
}

static bool
run(PGconn *db, const char *sql)
{
	PGresult *r = PQexec(db, sql);
	bool ok = PQresultStatus(r) == PGRES_COMMAND_OK ||
			  PQresultStatus(r) == PGRES_TUPLES_OK;

	if (!ok)
		log_error("%s", PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY));
	PQclear(r);
	return ok;
}

static long long
one_int(PGconn *db, const char *sql, int n, const char *const *p)
{
	PGresult *r = ld_query(db, sql, n, p);
	long long v = -1;

	if (r && PQntuples(r) == 1 && !PQgetisnull(r, 0, 0))
		v = atoll(PQgetvalue(r, 0, 0));
	PQclear(r);
	return v;
}

/* Wait until the local worker has completed tick (or, equal, exactly). */
static bool
wait_local(Ld *ld, long long tick, bool equal)
{
	const char *p[1] = {ld->queue};
	double end = sky_mono_secs() + ld->cfg.lock_timeout;

	for (;;)
	{
		long long t = one_int(ld->db,
							  "select worker_last_tick from "
							  "pgq_node.get_node_info($1)",
							  1, p);

		if (t < 0)
			return false;
		if (equal ? t == tick : t >= tick)
			return true;
		if (equal && t > tick)
		{
			log_error("the worker passed tick %lld of the paused provider",
					  tick);
			return false;
		}
		if (!ld->opt.force && sky_mono_secs() > end)
		{
			log_error("Consumer lagging too much: tick %lld not reached in "
					  "lock_timeout (%.0f s); --force waits longer",
					  tick, ld->cfg.lock_timeout);
			return false;
		}
		usleep(100000);
	}
}

typedef struct Side
{
	PGconn *db;
	char count[32];
	char sum[64];
} Side;

/*
 * Count and sum of both sides, each in its snapshot, the two queries
 * running at once.  The sum: hashtextextended of each row's text, 64
 * bits a row, added as numeric.
 */
static bool
sums(Side *src, const char *qsrc, Side *dst, const char *qdst,
	 const char *cols, bool count_only)
{
	Side *side[2] = {src, dst};
	const char *tab[2] = {qsrc, qdst};
	bool ok = true;
	int i;

	for (i = 0; i < 2; i++)
	{
		size_t len = strlen(tab[i]) + strlen(cols) + 256;
		char *sql = malloc(len);

		if (sql == NULL)
			fatal("out of memory");
		if (count_only)
			snprintf(sql, len, "select count(*), '' from %s", tab[i]);
		else
			snprintf(sql, len,
					 "select count(*), coalesce(sum(hashtextextended(row(%s)"
					 "::text, 0)::numeric), 0) from %s",
					 cols, tab[i]);
		ok = ok && PQsendQuery(side[i]->db, sql);
		free(sql);
	}
	for (i = 0; i < 2; i++)
	{
		PGresult *r, *x;

		r = PQgetResult(side[i]->db);
		while ((x = PQgetResult(side[i]->db)) != NULL)
			PQclear(x);
		if (PQresultStatus(r) != PGRES_TUPLES_OK)
		{
			log_error("%s: %s", tab[i],
					  r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY)
						: PQerrorMessage(side[i]->db));
			ok = false;
		}
		else
		{
			snprintf(side[i]->count, sizeof(side[i]->count), "%s",
					 PQgetvalue(r, 0, 0));
			snprintf(side[i]->sum, sizeof(side[i]->sum), "%s",
					 PQgetvalue(r, 0, 1));
		}
		PQclear(r);
	}
	return ok;
}

/* Open a cursor of (key text, row md5) in key byte order on s. */
static bool
open_rows(Side *s, const char *table, const char *cols, const char *keys)
{
	size_t len = strlen(table) + strlen(cols) + strlen(keys) * 2 + 256;
	char *sql = malloc(len);
	bool ok;

	if (sql == NULL)
		fatal("out of memory");
	snprintf(sql, len,
			 "declare cmp_rows no scroll cursor for select row(%s)::text "
			 "collate \"C\" as k, md5(row(%s)::text) from %s order by 1",
			 keys, cols, table);
	ok = run(s->db, sql);
	free(sql);
	return ok;
}

/* Keys of rows to fix: [0] missing here, [1] changed, [2] extra here. */
typedef struct KeyList
{
	char **k[3];
	int n[3], max[3];
} KeyList;

static void
keep_key(KeyList *f, int kind, const char *key)
{
	if (f == NULL)
		return;
	if (f->n[kind] == f->max[kind])
	{
		f->max[kind] = f->max[kind] ? f->max[kind] * 2 : 64;
		f->k[kind] = realloc(f->k[kind], f->max[kind] * sizeof(char *));
		if (f->k[kind] == NULL)
			fatal("out of memory");
	}
	f->k[kind][f->n[kind]++] = strdup(key);
}

static void
free_keys(KeyList *f)
{
	for (int kind = 0; kind < 3; kind++)
	{
		for (int i = 0; i < f->n[kind]; i++)
			free(f->k[kind][i]);
		free(f->k[kind]);
	}
	memset(f, 0, sizeof(*f));
}

/* Walk both cursors; print each key that differs (kept in fix); the
 * count. */
static long long
walk(Side *src, Side *dst, const char *table, KeyList *fix)
{
	PGresult *a = NULL, *b = NULL;
	int ia = 0, ib = 0;
	long long diffs = 0;

	for (;;)
	{
		const char *ka, *kb;
		int c;

		if (a == NULL || ia >= PQntuples(a))
		{
			PQclear(a);
			a = PQexec(src->db, "fetch 5000 from cmp_rows");
			ia = 0;
			if (PQresultStatus(a) != PGRES_TUPLES_OK)
				break;
		}
		if (b == NULL || ib >= PQntuples(b))
		{
			PQclear(b);
			b = PQexec(dst->db, "fetch 5000 from cmp_rows");
			ib = 0;
			if (PQresultStatus(b) != PGRES_TUPLES_OK)
				break;
		}
		if (ia >= PQntuples(a) && ib >= PQntuples(b))
			break;
		ka = ia < PQntuples(a) ? PQgetvalue(a, ia, 0) : NULL;
		kb = ib < PQntuples(b) ? PQgetvalue(b, ib, 0) : NULL;
		c = ka == NULL ? 1 : kb == NULL ? -1 : strcmp(ka, kb);
		if (c < 0)
		{
			printf("%s: missing here: key %s\n", table, ka);
			keep_key(fix, 0, ka);
			ia++;
			diffs++;
		}
		else if (c > 0)
		{
			printf("%s: extra here: key %s\n", table, kb);
			keep_key(fix, 2, kb);
			ib++;
			diffs++;
		}
		else
		{
			if (strcmp(PQgetvalue(a, ia, 1), PQgetvalue(b, ib, 1)) != 0)
			{
				printf("%s: differs: key %s\n", table, ka);
				keep_key(fix, 1, ka);
				diffs++;
			}
			ia++;
			ib++;
		}
	}
	PQclear(a);
	PQclear(b);
	return diffs;
}

/* The common columns (source order) and the key columns, quoted lists. */
static bool
columns(Side *src, Side *dst, const char *table, char **cols, char **keys)
{
	static const char *colq =
		"select string_agg(quote_ident(attname), ',' order by attnum) from "
		"pg_attribute where attrelid = $1::regclass and attnum > 0 and not "
		"attisdropped and attname = any ($2::text[])";
	const char *p[2] = {table, NULL};
	PGresult *r;
	char *names;

	/* the target's column names, then the source's that are among them */
	r = ld_query(dst->db,
				 "select '{' || string_agg('\"' || replace(replace(attname, "
				 "'\\', '\\\\'), '\"', '\\\"') || '\"', ',') || '}' from "
				 "pg_attribute where attrelid = $1::regclass and attnum > 0 "
				 "and not attisdropped",
				 1, p);
	if (r == NULL)
		return false;
	names = strdup(PQgetvalue(r, 0, 0));
	PQclear(r);
	p[1] = names;
	r = ld_query(src->db, colq, 2, p);
	free(names);
	if (r == NULL || PQgetisnull(r, 0, 0))
	{
		log_error("%s: no common columns", table);
		PQclear(r);
		return false;
	}
	*cols = strdup(PQgetvalue(r, 0, 0));
	PQclear(r);
	r = ld_query(src->db,
				 "select string_agg(quote_ident(a.attname), ',' order by "
				 "array_position(i.indkey::int2[], a.attnum)) from pg_index i "
				 "join pg_attribute a on a.attrelid = i.indrelid and a.attnum "
				 "= any (i.indkey) where i.indrelid = $1::regclass and "
				 "i.indisprimary",
				 1, p);
	*keys = r && !PQgetisnull(r, 0, 0) ? strdup(PQgetvalue(r, 0, 0)) : NULL;
	PQclear(r);
	if (*keys == NULL)
		*keys = strdup(*cols);
	return true;
}

/* Append to a growing string. */
static void
sadd(char **s, size_t *len, size_t *cap, const char *a)
{
	size_t n = strlen(a);

	if (*len + n + 1 > *cap)
	{
		*cap = (*len + n + 1) * 2;
		*s = realloc(*s, *cap);
		if (*s == NULL)
			fatal("out of memory");
	}
	memcpy(*s + *len, a, n + 1);
	*len += n;
}

/* A literal of v (NULL: NULL), quoted for db; malloc'd. */
static char *
literal(PGconn *db, const char *v, bool isnull)
{
	char *q, *out;

	if (isnull)
		return strdup("NULL");
	q = PQescapeLiteral(db, v, strlen(v));
	out = q ? strdup(q) : NULL;
	PQfreemem(q);
	if (out == NULL)
		fatal("out of memory");
	return out;
}

/* A text[] literal of keys (kinds from..to of fix); malloc'd. */
static char *
key_array(KeyList *fix, int from, int to)
{
	char *arr = NULL;
	size_t alen = 0, acap = 0;

	sadd(&arr, &alen, &acap, "{");
	for (int kind = from; kind <= to; kind++)
		for (int i = 0; i < fix->n[kind]; i++)
		{
			sadd(&arr, &alen, &acap, alen > 1 ? ",\"" : "\"");
			for (const char *c = fix->k[kind][i]; *c; c++)
			{
				char ch[3] = {'\\', *c, 0};

				sadd(&arr, &alen, &acap,
					 (*c == '"' || *c == '\\') ? ch : ch + 1);
			}
			sadd(&arr, &alen, &acap, "\"");
		}
	sadd(&arr, &alen, &acap, "}");
	return arr;
}

/*
 * The rows of db's table whose keys are in arr: key text, the key
 * columns, then cols (when given).  NULL (logged) on error.
 */
static PGresult *
rows_by_key(PGconn *db, const char *qtab, const char *keys, const char *cols,
			const char *arr)
{
	size_t ql =
		strlen(cols ? cols : "") + strlen(keys) * 3 + strlen(qtab) + 160;
	char *q = malloc(ql);
	const char *p[1] = {arr};
	PGresult *r;

	if (q == NULL)
		fatal("out of memory");
	snprintf(q, ql,
			 "select row(%s)::text collate \"C\", %s%s%s from %s where "
			 "row(%s)::text = any ($1::text[])",
			 keys, keys, cols ? ", " : "", cols ? cols : "", qtab, keys);
	r = PQexecParams(db, q, 1, NULL, p, NULL, NULL, 0);
	free(q);
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
	{
		log_error("%s: reading the rows to fix: %s", qtab,
				  PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY));
		PQclear(r);
		return NULL;
	}
	return r;
}

/* " where k1 = 'v1' and k2 = 'v2'" of row i (key values in columns
 * 1..nk, named as r names them). */
static void
key_where(char **sql, size_t *len, size_t *cap, PGconn *db, PGresult *r, int i,
		  int nk)
{
	for (int k = 1; k <= nk; k++)
	{
		char id[600];
		char *l = literal(db, PQgetvalue(r, i, k), PQgetisnull(r, i, k));

		pg_quote_ident(id, sizeof(id), PQfname(r, k), strlen(PQfname(r, k)));
		sadd(sql, len, cap, k == 1 ? " where " : " and ");
		sadd(sql, len, cap, id);
		sadd(sql, len, cap, " = ");
		sadd(sql, len, cap, l);
		free(l);
	}
}

/*
 * repair: the statements that make this node's table equal the
 * provider's (the source rows read in its snapshot; each row addressed
 * by its key columns, so that the key's index serves), applied (--apply)
 * or written to DIR/fix.<table>.sql (--fix-dir, else a new directory
 * under $TMPDIR, never the current one).
 */
static bool
make_fixes(Ld *ld, Side *src, Side *dst, const char *qsrc, const char *qdst,
		   const char *cols, const char *keys, KeyList *fix, const char *table,
		   const char *nsrc, const char *ndst, const char *qdst_name,
		   const char *wdst)
{
	char *sql = NULL, *arr;
	size_t len = 0, cap = 0;
	PGresult *r, *x;
	int i, j, nk;
	bool ok = true;

	/* how many key columns: the shape of an empty select */
	{
		size_t ql = strlen(keys) + strlen(qsrc) + 64;
		char *q = malloc(ql);

		if (q == NULL)
			fatal("out of memory");
		snprintf(q, ql, "select %s from %s limit 0", keys, qsrc);
		x = PQexec(src->db, q);
		free(q);
		nk = PQresultStatus(x) == PGRES_TUPLES_OK ? PQnfields(x) : 0;
		PQclear(x);
		if (nk == 0)
			return false;
	}
	arr = key_array(fix, 0, 1);
	r = rows_by_key(src->db, qsrc, keys, cols, arr);
	free(arr);
	if (r == NULL)
		return false;
	sadd(&sql, &len, &cap,
		 "-- londiste repair: makes this table equal the provider's\n"
		 "set session_replication_role = replica;\n"
		 "set timezone = 'UTC'; set datestyle = 'ISO, YMD';\n"
		 "set intervalstyle = 'postgres'; set extra_float_digits = 3;\n"
		 "set bytea_output = 'hex';\n");
	for (i = 0; i < PQntuples(r); i++)
	{
		const char *key = PQgetvalue(r, i, 0);
		bool changed = false;

		for (j = 0; j < fix->n[1] && !changed; j++)
			changed = strcmp(fix->k[1][j], key) == 0;
		sadd(&sql, &len, &cap, changed ? "update " : "insert into ");
		sadd(&sql, &len, &cap, changed ? wdst : qdst_name);
		sadd(&sql, &len, &cap, changed ? " set (" : " (");
		sadd(&sql, &len, &cap, cols);
		sadd(&sql, &len, &cap, changed ? ") = row(" : ") values (");
		for (j = nk + 1; j < PQnfields(r); j++)
		{
			char *l =
				literal(src->db, PQgetvalue(r, i, j), PQgetisnull(r, i, j));

			if (j > nk + 1)
				sadd(&sql, &len, &cap, ", ");
			sadd(&sql, &len, &cap, l);
			free(l);
		}
		sadd(&sql, &len, &cap, ")");
		if (changed)
			key_where(&sql, &len, &cap, src->db, r, i, nk);
		sadd(&sql, &len, &cap, ";\n");
	}
	PQclear(r);
	/* the extra rows, by their key columns read here */
	if (fix->n[2] > 0)
	{
		arr = key_array(fix, 2, 2);
		x = rows_by_key(dst->db, qdst, keys, NULL, arr);
		free(arr);
		if (x == NULL)
		{
			free(sql);
			return false;
		}
		for (i = 0; i < PQntuples(x); i++)
		{
			sadd(&sql, &len, &cap, "delete from ");
			sadd(&sql, &len, &cap, wdst);
			key_where(&sql, &len, &cap, dst->db, x, i, nk);
			sadd(&sql, &len, &cap, ";\n");
		}
		PQclear(x);
	}
	log_info("finished %s: src: %s rows, dst: %s rows, missed: %d inserts, "
			 "%d updates, %d deletes",
			 table, nsrc, ndst, fix->n[0], fix->n[1], fix->n[2]);
	if (ld->opt.apply)
	{
		PGconn *db = ld_connect(ld->cfg.db, "the local database");

		ok = db != NULL && run(db, "begin");
		if (ok)
		{
			x = PQexec(db, sql);
			ok = PQresultStatus(x) == PGRES_COMMAND_OK;
			if (!ok)
				log_error("%s: applying the fixes: %s", table,
						  PQresultErrorField(x, PG_DIAG_MESSAGE_PRIMARY));
			PQclear(x);
			ok = run(db, ok ? "commit" : "rollback") && ok;
		}
		PQfinish(db);
		if (ok)
			log_info("%s: the fixes are applied", table);
	}
	else
	{
		char dir[4096], path[4200];
		FILE *f;

		if (ld->opt.fix_dir)
			snprintf(dir, sizeof(dir), "%s", ld->opt.fix_dir);
		else
		{
			const char *tmp = getenv("TMPDIR");

			snprintf(dir, sizeof(dir), "%s/londiste-repair-XXXXXX",
					 tmp && tmp[0] ? tmp : "/tmp");
			if (mkdtemp(dir) == NULL)
			{
				log_error("cannot make a directory for the fixes: %m");
				free(sql);
				return false;
			}
		}
		snprintf(path, sizeof(path), "%s/fix.%s.sql", dir, table);
		f = fopen(path, "w");
		ok = f && fputs(sql, f) >= 0;
		if (f && fclose(f) != 0)
			ok = false;
		if (ok)
			log_info("%s: the fixes are in %s (--apply runs them)", table,
					 path);
		else
			log_error("cannot write %s: %m", path);
	}
	free(sql);
	return ok;
}

/*
 * Resuming: the state of a run, in <pidfile's directory or $TMPDIR>/
 * <job>.compare.state, rewritten after each table and each chunk:
 *		done	TABLE	RESULT			(0 equal, 1 different)
 *		at		TABLE	DIFFS	KEY...	(narrowing: chunks up to KEY done)
 * compare --resume skips the tables done and narrows on from KEY; a run
 * that ends removes the file.
 */
typedef struct State
{
	char path[1024];
	char **done; /* "TABLE\tRESULT" */
	int ndone;
	char *at_table; /* the table being narrowed, its boundary and count */
	char **at_key;
	int nat_key;
	long long at_diffs;
} State;

static State state;

static void
state_path(Ld *ld)
{
	const char *dir = getenv("TMPDIR");
	char d[800];

	if (ld->cfg.pidfile && strrchr(ld->cfg.pidfile, '/'))
		snprintf(d, sizeof(d), "%.*s",
				 (int) (strrchr(ld->cfg.pidfile, '/') - ld->cfg.pidfile),
				 ld->cfg.pidfile);
	else
		snprintf(d, sizeof(d), "%s", dir && dir[0] ? dir : "/tmp");
	snprintf(state.path, sizeof(state.path), "%s/%s.compare.state", d,
			 ld->cfg.job_name);
}

static void
state_save(void)
{
	char tmp[1100];
	FILE *f;
	int i;

	snprintf(tmp, sizeof(tmp), "%s.tmp", state.path);
	f = fopen(tmp, "w");
	if (f == NULL)
	{
		log_warning("cannot write %s: %m (the run cannot be resumed)", tmp);
		return;
	}
	for (i = 0; i < state.ndone; i++)
		fprintf(f, "done\t%s\n", state.done[i]);
	if (state.at_table)
	{
		fprintf(f, "at\t%s\t%lld", state.at_table, state.at_diffs);
		for (i = 0; i < state.nat_key; i++)
		{
			char *e = malloc(strlen(state.at_key[i]) * 3 + 1);
			size_t n = ld_attr_encode(e, state.at_key[i]);

			fprintf(f, "\t%.*s", (int) n, e);
			free(e);
		}
		fputc('\n', f);
	}
	if (fclose(f) != 0 || rename(tmp, state.path) != 0)
		log_warning("cannot write %s: %m", state.path);
}

static void
state_clear_at(void)
{
	for (int i = 0; i < state.nat_key; i++)
		free(state.at_key[i]);
	free(state.at_key);
	free(state.at_table);
	state.at_key = NULL;
	state.at_table = NULL;
	state.nat_key = 0;
	state.at_diffs = 0;
}

static void
state_done(const char *table, int rc)
{
	char *e = malloc(strlen(table) + 16);

	sprintf(e, "%s\t%d", table, rc);
	state.done = realloc(state.done, (state.ndone + 1) * sizeof(char *));
	state.done[state.ndone++] = e;
	state_clear_at();
	state_save();
}

/* --resume: read the file of the interrupted run; false if unreadable. */
static bool
state_load(void)
{
	FILE *f = fopen(state.path, "r");
	char line[8192];

	if (f == NULL)
	{
		log_error("--resume: no interrupted run to resume (%s: %m)",
				  state.path);
		return false;
	}
	while (fgets(line, sizeof(line), f))
	{
		char *save = NULL, *w = strtok_r(line, "\t\n", &save);

		if (w && strcmp(w, "done") == 0)
		{
			char *t = strtok_r(NULL, "\t\n", &save);
			char *r = strtok_r(NULL, "\t\n", &save);

			if (t && r)
			{
				char *e = malloc(strlen(t) + strlen(r) + 2);

				sprintf(e, "%s\t%s", t, r);
				state.done =
					realloc(state.done, (state.ndone + 1) * sizeof(char *));
				state.done[state.ndone++] = e;
			}
		}
		else if (w && strcmp(w, "at") == 0)
		{
			char *t = strtok_r(NULL, "\t\n", &save);
			char *d = strtok_r(NULL, "\t\n", &save);
			char *k;

			if (t == NULL || d == NULL)
				continue;
			state.at_table = strdup(t);
			state.at_diffs = atoll(d);
			while ((k = strtok_r(NULL, "\t\n", &save)) != NULL)
			{
				char *v = malloc(strlen(k) + 1);
				size_t n = sky_urldecode(v, k, strlen(k));

				v[n] = '\0';
				state.at_key = realloc(state.at_key,
									   (state.nat_key + 1) * sizeof(char *));
				state.at_key[state.nat_key++] = v;
			}
		}
	}
	fclose(f);
	return true;
}

/* The result of a table the interrupted run finished, or -1. */
static int
state_result(const char *table)
{
	size_t tl = strlen(table);

	for (int i = 0; i < state.ndone; i++)
		if (strncmp(state.done[i], table, tl) == 0 &&
			state.done[i][tl] == '\t')
			return atoi(state.done[i] + tl + 1);
	return -1;
}

/* "(k1, k2) OP ('v1'::t1, 'v2'::t2)" for a chunk boundary. */
static void
key_cmp(Buf2 *b, PGconn *db, const char *keys, char **types, char **vals,
		int n, const char *op)
{
	b2put(b, "(");
	b2put(b, keys);
	b2put(b, ") ");
	b2put(b, op);
	b2put(b, " (");
	for (int i = 0; i < n; i++)
	{
		char *l = PQescapeLiteral(db, vals[i], strlen(vals[i]));

		if (i)
			b2put(b, ", ");
		b2put(b, l);
		b2put(b, "::");
		b2put(b, types[i]);
		PQfreemem(l);
	}
	b2put(b, ")");
}

/*
 * The sums differed: narrow down by chunks of compare_chunk_rows rows in
 * key order (the source's key index serves): each chunk's count and hash
 * sum on both sides, and the walk of the chunks that differ only.  The
 * state file says how far it got (compare --resume goes on from there).
 * The count of rows that differ, -1 on error.
 */
static long long
narrow(Ld *ld, Side *src, Side *dst, const char *table, const char *rsrc,
	   const char *rdst, const char *cols, const char *keys, KeyList *fix)
{
	char **types = NULL, **lo = NULL, **hi = NULL;
	int nk = 0, i;
	long long diffs = 0, chunks = 0, bad_chunks = 0;
	bool first = true, last = false;
	PGresult *r;
	Buf2 q = {0};

	/* the key's types, for the boundaries' literals */
	b2put(&q, "select ");
	b2put(&q, keys);
	b2put(&q, " from ");
	b2put(&q, rsrc);
	b2put(&q, " limit 0");
	r = PQexec(src->db, q.s);
	q.len = 0;
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
	{
		log_error("%s: %s", table, PQresultErrorMessage(r));
		PQclear(r);
		free(q.s);
		return -1;
	}
	nk = PQnfields(r);
	types = calloc(nk, sizeof(char *));
	for (i = 0; i < nk; i++)
	{
		char tq[96];
		PGresult *t;

		snprintf(tq, sizeof(tq), "select format_type(%u, null)",
				 PQftype(r, i));
		t = PQexec(src->db, tq);
		types[i] =
			strdup(PQresultStatus(t) == PGRES_TUPLES_OK ? PQgetvalue(t, 0, 0)
														: "text");
		PQclear(t);
	}
	PQclear(r);
	if (state.at_table && strcmp(state.at_table, table) == 0 &&
		state.nat_key == nk)
	{
		/* resumed: the chunks up to this key were done */
		lo = state.at_key;
		state.at_key = NULL;
		state.nat_key = 0;
		diffs = state.at_diffs;
		first = false;
		log_info("%s: resumed after key (%s), %lld row(s) differing before",
				 table, lo[0], diffs);
	}
	state_clear_at();
	while (!last)
	{
		Buf2 pred = {0}, e1 = {0}, e2 = {0};
		long long d = 0;

		/* the chunk's upper boundary, on the source: the key of its last
		 * row (each column's text under the pinned settings) */
		q.len = 0;
		b2put(&q, "select ");
		b2put(&q, keys);
		b2put(&q, " from ");
		b2put(&q, rsrc);
		if (!first)
		{
			b2put(&q, " where ");
			key_cmp(&q, src->db, keys, types, lo, nk, ">");
		}
		b2put(&q, " order by ");
		b2put(&q, keys);
		{
			char lim[64];

			snprintf(lim, sizeof(lim), " offset %lld limit 1",
					 (long long) ld->cfg.compare_chunk_rows - 1);
			b2put(&q, lim);
		}
		r = PQexec(src->db, q.s);
		if (PQresultStatus(r) != PGRES_TUPLES_OK)
		{
			log_error("%s: chunk boundary: %s", table,
					  PQresultErrorMessage(r));
			PQclear(r);
			diffs = -1;
			break;
		}
		last = PQntuples(r) == 0;
		hi = last ? NULL : calloc(nk, sizeof(char *));
		for (i = 0; !last && i < nk; i++)
			hi[i] = strdup(PQgetvalue(r, 0, i));
		PQclear(r);
		b2put(&pred, "true");
		if (!first)
		{
			b2put(&pred, " and ");
			key_cmp(&pred, src->db, keys, types, lo, nk, ">");
		}
		if (!last)
		{
			b2put(&pred, " and ");
			key_cmp(&pred, src->db, keys, types, hi, nk, "<=");
		}
		b2put(&e1, "(select * from ");
		b2put(&e1, rsrc);
		b2put(&e1, " where ");
		b2put(&e1, pred.s);
		b2put(&e1, ") _c");
		b2put(&e2, "(select * from ");
		b2put(&e2, rdst);
		b2put(&e2, " where ");
		b2put(&e2, pred.s);
		b2put(&e2, ") _c");
		chunks++;
		if (!sums(src, e1.s, dst, e2.s, cols, false))
			d = -1;
		else if (strcmp(src->count, dst->count) != 0 ||
				 strcmp(src->sum, dst->sum) != 0)
		{
			bad_chunks++;
			if (open_rows(src, e1.s, cols, keys) &&
				open_rows(dst, e2.s, cols, keys))
				d = walk(src, dst, table, fix);
			else
				d = -1;
			run(src->db, "close cmp_rows");
			run(dst->db, "close cmp_rows");
		}
		free(pred.s);
		free(e1.s);
		free(e2.s);
		if (d < 0)
		{
			diffs = -1;
			break;
		}
		diffs += d;
		for (i = 0; lo && i < nk; i++)
			free(lo[i]);
		free(lo);
		lo = hi;
		hi = NULL;
		first = false;
		if (!last && fix == NULL)
		{
			/* compare (not repair) can go on from here */
			state.at_table = strdup(table);
			state.at_key = calloc(nk, sizeof(char *));
			for (i = 0; i < nk; i++)
				state.at_key[i] = strdup(lo[i]);
			state.nat_key = nk;
			state.at_diffs = diffs;
			state_save();
			state_clear_at();
		}
	}
	for (i = 0; lo && i < nk; i++)
		free(lo[i]);
	free(lo);
	for (i = 0; i < nk; i++)
		free(types[i]);
	free(types);
	free(q.s);
	if (diffs >= 0)
		log_info("%s: %lld chunk(s) of up to %lld rows, %lld differing", table,
				 chunks, (long long) ld->cfg.compare_chunk_rows, bad_chunks);
	return diffs;
}

/*
 * The row sources of both sides, "(select * from [only] t [where c]) _t":
 * ONLY unless the table is partitioned, c the table's filter here (its
 * copy_condition, its handler's condition).  wdst: what repair writes to.
 */
static bool
read_exprs(Ld *ld, Side *src, Side *dst, const char *table, const char *dest,
		   const char *qsrc, const char *qdst, char **rsrc, char **rdst,
		   char *wdst, size_t wlen, char **keep)
{
	const char *p[2] = {ld->queue, table};
	PGresult *r = ld_query(dst->db,
						   "select coalesce(table_attrs, '') from "
						   "londiste.get_table_list($1) where table_name = $2",
						   2, p);
	char *cond = NULL, err[512];
	const char *donly = ld_only(dst->db, dest);
	LdhTable *h;
	size_t n;

	if (r == NULL || PQntuples(r) == 0)
	{
		PQclear(r);
		return false;
	}
	cond = ld_attr_value(PQgetvalue(r, 0, 0), "copy_condition");
	*keep = ld_attr_value(PQgetvalue(r, 0, 0), "columns");
	h = ld_handler_open(ld, table, dest, PQgetvalue(r, 0, 0), err,
						sizeof(err));
	PQclear(r);
	if (h == NULL && err[0])
	{
		log_error("%s: %s", table, err);
		free(cond);
		return false;
	}
	if (h && h->def->copy_condition)
	{
		char *c = h->def->copy_condition(h, dst->db);

		if (c == NULL)
		{
			ld_handler_close(h);
			free(cond);
			return false;
		}
		if (cond)
		{
			char *both = malloc(strlen(c) + strlen(cond) + 16);

			sprintf(both, "(%s) and (%s)", cond, c);
			free(c);
			c = both;
		}
		free(cond);
		cond = c;
	}
	ld_handler_close(h);
	if (ld->opt.repair_where)
	{
		/* --repair-where: only these rows, on both sides */
		char *both = malloc(strlen(ld->opt.repair_where) +
							(cond ? strlen(cond) : 0) + 16);

		if (cond)
			sprintf(both, "(%s) and (%s)", cond, ld->opt.repair_where);
		else
			sprintf(both, "(%s)", ld->opt.repair_where);
		free(cond);
		cond = both;
	}
	n = strlen(qsrc) + strlen(qdst) + (cond ? strlen(cond) : 0) + 64;
	*rsrc = malloc(n);
	*rdst = malloc(n);
	snprintf(*rsrc, n, "(select * from %s%s%s%s) _t", ld_only(src->db, table),
			 qsrc, cond ? " where " : "", cond ? cond : "");
	snprintf(*rdst, n, "(select * from %s%s%s%s) _t", donly, qdst,
			 cond ? " where " : "", cond ? cond : "");
	snprintf(wdst, wlen, "%s%s", donly, qdst);
	if (cond)
		log_info("%s: compared where %s", table, cond);
	free(cond);
	return true;
}

/* One table: 0 equal, 1 different, -1 error. */
static int
compare_table(Ld *ld, const char *table, const char *dest, PGconn *prov_lock,
			  const char *prov_cs, bool prov_root, const char *prov_worker,
			  bool repair)
{
	const char *p[2] = {ld->queue, NULL};
	Side src = {0}, dst = {0};
	char qsrc[600], qdst[600], wdst[700];
	char *cols = NULL, *keys = NULL, *rsrc = NULL, *rdst = NULL;
	char *keep = NULL;
	bool resumed;
	long long tick;
	int rc = -1;

	pg_quote_fqident(qsrc, sizeof(qsrc), table);
	pg_quote_fqident(qdst, sizeof(qdst), dest);
	src.db = ld_connect(prov_cs, "the provider");
	dst.db = ld_connect(ld->cfg.db, "the local database");
	if (src.db == NULL || dst.db == NULL)
		goto out;
	if (!run(src.db, pin_sql) || !run(dst.db, pin_sql))
		goto out;
	{
		/* both sides must have it: a clear error, nothing locked */
		const char *tp[1] = {table}, *dp[1] = {dest};
		long long s_ok = one_int(src.db,
								 "select (londiste.find_table_oid($1) is not "
								 "null)::int",
								 1, tp);
		long long d_ok = one_int(dst.db,
								 "select (londiste.find_table_oid($1) is not "
								 "null)::int",
								 1, dp);

		if (s_ok != 1 || d_ok != 1)
		{
			log_error("%s: table missing on %s", table,
					  s_ok != 1 ? "the provider" : "this node");
			goto out;
		}
	}
	if (prov_root)
	{
		char lock[700], tmo[64];
		long long before;

		snprintf(tmo, sizeof(tmo), "set local statement_timeout = %d",
				 (int) (ld->cfg.lock_timeout * 1000));
		snprintf(lock, sizeof(lock), "lock table %s in share mode", qsrc);
		if (!run(prov_lock, "begin") || !run(prov_lock, tmo) ||
			!run(prov_lock, lock))
			goto out;
		before =
			one_int(prov_lock,
					"select last_tick_id from pgq.get_queue_info($1)", 1, p);
		tick = before;
		/* a tick after every writer: the ticker makes it */
		PQclear(ld_query(prov_lock, "select pgq.force_tick($1)", 1, p));
		{
			PGconn *t = ld_connect(prov_cs, "the provider");
			double end = sky_mono_secs() + ld->cfg.lock_timeout;

			while (t && tick <= before && sky_mono_secs() < end)
			{
				PQclear(ld_query(t, "select pgq.force_tick($1)", 1, p));
				usleep(100000);
				tick = one_int(t,
							   "select last_tick_id from "
							   "pgq.get_queue_info($1)",
							   1, p);
			}
			PQfinish(t);
		}
		if (tick <= before)
		{
			log_error("no tick on the provider within lock_timeout: is its "
					  "ticker running?");
			run(prov_lock, "rollback");
			goto out;
		}
		if (!wait_local(ld, tick, false))
		{
			run(prov_lock, "rollback");
			goto out;
		}
	}
	else
	{
		ld_set_paused(ld, prov_lock, prov_worker, true, NULL);
		if (!ld_wait_ack(ld, prov_lock, "provider", prov_worker, "pause"))
			goto resume;
		tick = one_int(
			prov_lock,
			"select worker_last_tick from pgq_node.get_node_info($1)", 1, p);
		if (tick < 0 || !wait_local(ld, tick, true))
			goto resume;
	}
	/* both snapshots, then the provider goes on */
	if (!run(src.db, "begin isolation level repeatable read") ||
		!run(src.db, "select 1") ||
		!run(dst.db, "begin isolation level repeatable read") ||
		!run(dst.db, "select 1"))
		goto resume;
	log_info("%s: compared at tick %lld", table, tick);
	rc = 0;
resume:
	if (prov_root)
		run(prov_lock, rc == 0 ? "commit" : "rollback");
	else
		ld_set_paused(ld, prov_lock, prov_worker, false, NULL);
	if (rc < 0)
		goto out;
	rc = -1;
	if (!columns(&src, &dst, qsrc, &cols, &keys))
		goto out;
	/* what each side reads: ONLY unless partitioned, the table's filter
	 * (copy_condition, its handler's: shard) on both */
	if (!read_exprs(ld, &src, &dst, table, dest, qsrc, qdst, &rsrc, &rdst,
					wdst, sizeof(wdst), &keep))
		goto out;
	if (keep)
	{
		/* a column list (--columns): only those are compared */
		char *p, *save = NULL, q[300];
		size_t n = 0;

		free(cols);
		cols = calloc(1, strlen(keep) * 4 + 16);
		for (p = strtok_r(keep, ", ", &save); p;
			 p = strtok_r(NULL, ", ", &save))
		{
			pg_quote_ident(q, sizeof(q), p, strlen(p));
			n += (size_t) sprintf(cols + n, "%s%s", n ? "," : "", q);
		}
		free(keep);
		keep = NULL;
	}
	resumed = !ld->opt.count_only && state.at_table &&
			  strcmp(state.at_table, table) == 0 && strcmp(keys, cols) != 0;
	if (resumed)
	{
		/* the interrupted run found a difference: narrowing goes on */
		snprintf(src.count, sizeof(src.count), "?");
		snprintf(dst.count, sizeof(dst.count), "?");
		goto differ;
	}
	if (!sums(&src, rsrc, &dst, rdst, cols, ld->opt.count_only))
		goto out;
	log_info("srcdb: %s rows, checksum=%s", src.count, src.sum);
	log_info("dstdb: %s rows, checksum=%s", dst.count, dst.sum);
	if (strcmp(src.count, dst.count) == 0 && strcmp(src.sum, dst.sum) == 0)
	{
		rc = 0;
		goto out;
	}
	log_warning("%s: Results do not match!", table);
differ:
	rc = 1;
	if (!ld->opt.count_only && strcmp(keys, cols) != 0)
	{
		/* keyed: narrowed down chunk by chunk */
		KeyList fix = {0};
		Side s2 = src, d2 = dst;
		long long n = narrow(ld, &s2, &d2, table, rsrc, rdst, cols, keys,
							 repair ? &fix : NULL);

		if (n < 0)
			rc = -1;
		else
			log_warning("%s: %lld row(s) differ", table, n);
		if (n == 0 && resumed)
			rc = 0;
		if (repair && n > 0 &&
			!make_fixes(ld, &src, &dst, rsrc, rdst, cols, keys, &fix, table,
						src.count, dst.count, qdst, wdst))
			rc = -1;
		free_keys(&fix);
	}
	else if (!ld->opt.count_only && open_rows(&src, rsrc, cols, keys) &&
			 open_rows(&dst, rdst, cols, keys))
	{
		KeyList fix = {0};
		long long n = walk(&src, &dst, table, repair ? &fix : NULL);

		log_warning("%s: %lld row(s) differ", table, n);
		if (repair && n > 0 &&
			!make_fixes(ld, &src, &dst, rsrc, rdst, cols, keys, &fix, table,
						src.count, dst.count, qdst, wdst))
			rc = -1;
		free_keys(&fix);
	}
out:
	free(cols);
	free(keys);
	free(rsrc);
	free(rdst);
	PQfinish(src.db);
	PQfinish(dst.db);
	return rc;
}

int
cmd_compare(Ld *ld)
{
	bool repair = strcmp(ld->command, "repair") == 0;
	const char *p[1] = {ld->queue};
	PGresult *info, *tables;
	PGconn *prov_lock = NULL;
	char *prov_cs = NULL, worker[256] = "";
	bool prov_root = false;
	int i, bad = 0;

	{
		bool root;

		prov_cs = ld_provider_connstr(ld, &root);
		if (root)
			log_error("%s runs on a subscriber: the root has no provider",
					  ld->command);
		if (prov_cs == NULL)
			return 1;
	}
	state_path(ld);
	if (ld->opt.resume && repair)
	{
		log_error("--resume is for compare: repair starts over");
		free(prov_cs);
		return 1;
	}
	if (!ld->opt.resume)
		unlink(state.path); /* a new run */
	else if (!state_load())
	{
		free(prov_cs);
		return 1;
	}
	prov_lock = ld_connect(prov_cs, "the provider");
	if (prov_lock == NULL)
	{
		free(prov_cs);
		return 1;
	}
	info = ld_node_info(prov_lock, ld->queue, "the provider");
	if (info == NULL)
		goto out;
	prov_root = strcmp(ld_field(info, "node_type"), "root") == 0;
	snprintf(worker, sizeof(worker), "%s", ld_field(info, "worker_name"));
	PQclear(info);
	tables = ld_query(ld->db,
					  "select table_name, coalesce(dest_table, table_name), "
					  "merge_state = 'ok' from londiste.get_table_list($1) "
					  "where local order by 1",
					  1, p);
	for (i = 0; tables && i < PQntuples(tables); i++)
	{
		const char *t = PQgetvalue(tables, i, 0);
		bool wanted = ld->nargs == 0;
		int r;

		for (int k = 0; k < ld->nargs && !wanted; k++)
		{
			char *fq = ld_fqname(ld->args[k]);

			wanted = ld_glob_match(fq, t);
			free(fq);
		}
		if (!wanted)
			continue;
		if (strcmp(PQgetvalue(tables, i, 2), "t") != 0)
		{
			log_warning("%s is not in sync yet: not compared", t);
			continue;
		}
		if (ld->opt.resume && (r = state_result(t)) >= 0)
		{
			log_info("%s: %s in the interrupted run", t,
					 r ? "differed" : "equal");
			bad += r != 0;
			continue;
		}
		{
			/* the rows come from the first node up that stores the table
			 * (a provider with it as a vtable does not) */
			char node[256];
			char *src_cs = ld_table_source(ld, prov_cs, t, node, sizeof(node));

			if (src_cs == NULL)
				r = -1;
			else if (strcmp(src_cs, prov_cs) == 0)
				r = compare_table(ld, t, PQgetvalue(tables, i, 1), prov_lock,
								  prov_cs, prov_root, worker, repair);
			else
			{
				PGconn *lock = ld_connect(src_cs, "the source");
				PGresult *si =
					lock ? ld_node_info(lock, ld->queue, "the source") : NULL;

				log_info("%s: compared with node %s", t, node);
				r = -1;
				if (si)
				{
					char w[256];

					snprintf(w, sizeof(w), "%s", ld_field(si, "worker_name"));
					r = compare_table(
						ld, t, PQgetvalue(tables, i, 1), lock, src_cs,
						strcmp(ld_field(si, "node_type"), "root") == 0, w,
						repair);
				}
				PQclear(si);
				PQfinish(lock);
			}
			free(src_cs);
		}
		if (r != 0)
			bad++;
		if (r >= 0 && !repair)
			state_done(t, r);
	}
	if (tables && ld->nargs > 0)
		for (i = 0; i < ld->nargs; i++)
		{
			char *fq = ld_fqname(ld->args[i]);
			bool found = false;

			for (int k = 0; k < PQntuples(tables); k++)
				found = found || ld_glob_match(fq, PQgetvalue(tables, k, 0));
			if (!found)
			{
				log_error("%s: no such table here", fq);
				bad++;
			}
			free(fq);
		}
	PQclear(tables);
	/* the run ended: nothing to resume */
	unlink(state.path);
out:
	PQfinish(prov_lock);
	free(prov_cs);
	return bad;
}
