/*-------------------------------------------------------------------------
 *
 * apply.c
 *	  Applying one batch's events to the local node, inside the worker's
 *	  transaction (which also records the batch's tick: cascade.c).
 *
 * Events:
 *	I:/U:/D:<keys>	pgq.logutriga: the urlencoded row; INSERT, UPDATE of
 *					the other columns by key, DELETE by key
 *	I, U, D			pgq.sqltriga: the row as partial SQL
 *	R				TRUNCATE (unless the table's skip_truncate is set)
 *	londiste.*		registry changes announced by the root
 *	EXECUTE			a DDL file, applied once at its place in the stream
 * A row event applies to a table that is local here and in sync (ok);
 * others are skipped.  An UPDATE or DELETE that finds no row fails the
 * batch, naming the table and the key (missing_row = warning: logged
 * and skipped, as upstream does).  Values are parameters; names are
 * quoted.
 *
 * IDENTIFICATION
 *	  bin/londiste/apply.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "londiste.h"
#include "skytools/consumer.h"
#include "skytools/log.h"
#include "skytools/pgutil.h"
#include "skytools/rowdata.h"

typedef struct TableInfo
{
	char *name;	 /* queue-wide name */
	char *qdest; /* the local table, quoted */
	bool apply;	 /* its events are applied by this process */
	bool skip_truncate;
	/* the snapshot of its copy, while events may still be in the copy */
	bool has_snap;
	int64_t xmin, xmax;
	int64_t *xip;
	int nxip;
	/* the local table's columns and their types (for bulk statements) */
	char **cols, **types;
	int ncols;
	const char *only; /* "only ", or "" for a partitioned table */
	LdhTable *h;	  /* its handler; NULL: the default */
	char *attrs;	  /* table_attrs its handler was made from */
	char *cond;		  /* its row filter (copy_condition), or NULL */
	char *keep;		  /* ",a,b,": the columns kept (--columns), or NULL */
} TableInfo;

/* The worker's side of a batch, as handlers see it (londiste-handler.h). */
struct LdhApply
{
	struct Applier *a;
	PGconn *db;
	TableInfo *ti;
	int64_t tick_id;
	char tick_time[48];
};

struct Applier
{
	Ld *ld;
	const char *only; /* a copy process: its table, else NULL */
	TableInfo *t;
	int nt;
	bool stale; /* reload the table list before the next row event */
	bool warn_missing;
	int64_t skipped; /* events already in a copy */
	/* statements sent in pipeline mode, their results not read yet */
	PGconn *pipe;
	struct Pending *pend;
	int npend, maxpend;
	/* row statements prepared on prep_conn, by their text */
	PGconn *prep_conn;
	struct Prepared *prep;
	int nprep, maxprep, prep_seq;
	/* consecutive inserts into one table with the same columns, waiting
	 * to go as one COPY: "table (cols)", the rows in COPY's text format */
	char *cp_target;
	char *cp_table;
	PgCopyBuf cp;
	int cp_rows;
	int64_t cp_first, cp_last;
	/* consecutive UPDATEs (or DELETEs) of one table by distinct keys with
	 * the same columns, waiting to go as one statement over arrays */
	struct Bulk *bk;
	/* handlers: the batch, and the other tables they write (partitions) */
	struct LdhApply hx;
	TableInfo **extra;
	int nextra;
	bool copying; /* a copy's rows through the handler: its table only */
	bool fresh_handlers; /* the next reload makes every handler anew */
	TableInfo *copy_ti;
	int64_t cur_ev; /* the event a handler is at (0: a flush, a copy) */
	bool in_emit;	/* a handler's row: counted as its event already */
	/* a branch: the last event passed on rewritten by its handler */
	PgqEvent rw;
	char *rw_data, *rw_extra2;
	/* a merge leaf (fan-in): its combined queue, where the rows it
	 * applies go on; "" when none */
	char *combined;
};

#define COPY_ROWS  5000
#define BULK_ROWS  1000
#define BULK_SLOTS 2048 /* of the key hash, over twice BULK_ROWS */

typedef struct Buf
{
	char *s;
	size_t len, cap;
} Buf;

typedef struct Bulk
{
	char op; /* 'U', 'D'; 0: empty */
	TableInfo *ti;
	int nkeys, ncols;	/* columns: the keys, then the ones set */
	char **cols;		/* names */
	const char **types; /* their types (TableInfo's) */
	Buf *arr;			/* per column: its values as an array literal */
	int rows, maxrows;
	char **keys;		  /* per row: its key as "k=v, ..." for messages */
	char **ids;			  /* per row: its key values joined, for dupes */
	int64_t *ev;		  /* per row: the event */
	int slot[BULK_SLOTS]; /* hash of ids: row + 1, 0 free */
} Bulk;

/* A named prepared statement of the node's connection. */
typedef struct Prepared
{
	char *sql;
	char name[32];
} Prepared;

/* What a statement in flight did, for its result's checks and messages. */
typedef struct Pending
{
	char op; /* 'I', 'U', 'D', 'S' (partial SQL), 'P' (a PREPARE), 'u' or
			  * 'd' (bulk UPDATE or DELETE) */
	char *table;
	char *key;
	int64_t ev_id;
	/* bulk: the rows' keys and events (owned) */
	int nrows;
	char **keys;
	int64_t *evs;
} Pending;

#define PIPELINE_DEPTH 1000

static void forget_prepared(Applier *a);
static int applier_flush_rows(Applier *a, PGconn *db);
static int apply_row(Applier *a, PGconn *db, TableInfo *ti, const PgqEvent *ev,
					 const SkyEvType *tp, const SkyRow *rowp);
static int apply_truncate(TableInfo *ti, PGconn *db);
static int copy_flush(Applier *a, PGconn *db);
static int bulk_flush(Applier *a, PGconn *db);
static int pipe_flush(Applier *a, PGconn *db);
static void bulk_clear(Bulk *b);

Applier *
applier_new(Ld *ld, const char *only_table)
{
	Applier *a = calloc(1, sizeof(*a));

	if (a == NULL)
		return NULL;
	a->ld = ld;
	a->only = only_table;
	a->stale = true;
	a->warn_missing = strcmp(ld->cfg.missing_row, "warning") == 0;
	return a;
}

/* "xmin:xmax:xip,xip,..." (txid_snapshot text) into t; false if malformed. */
static bool
parse_snapshot(TableInfo *t, const char *s)
{
	char *end;
	int n = 0;
	const char *p;

	t->xmin = strtoll(s, &end, 10);
	if (*end != ':')
		return false;
	t->xmax = strtoll(end + 1, &end, 10);
	if (*end != ':')
		return false;
	p = end + 1;
	for (const char *q = p; *q; q++)
		if (*q == ',')
			n++;
	t->xip = calloc(n + 2, sizeof(int64_t));
	t->nxip = 0;
	while (*p)
	{
		t->xip[t->nxip++] = strtoll(p, &end, 10);
		if (end == p)
			return false;
		p = *end == ',' ? end + 1 : end;
	}
	t->has_snap = true;
	return true;
}

/* Whether a transaction's changes are in the copy made under the snapshot. */
static bool
in_snapshot(const TableInfo *t, int64_t txid)
{
	int i;

	if (!t->has_snap || txid >= t->xmax)
		return false;
	if (txid < t->xmin)
		return true;
	for (i = 0; i < t->nxip; i++)
		if (t->xip[i] == txid)
			return false;
	return true;
}

static void
free_table(TableInfo *t)
{
	free(t->name);
	free(t->qdest);
	free(t->xip);
	for (int j = 0; j < t->ncols; j++)
	{
		free(t->cols[j]);
		free(t->types[j]);
	}
	free(t->cols);
	free(t->types);
	free(t->cond);
	free(t->keep);
	free(t->attrs);
	ld_handler_close(t->h);
}

static void
clear_tables(Applier *a)
{
	int i;

	for (i = 0; i < a->nt; i++)
		free_table(&a->t[i]);
	free(a->t);
	a->t = NULL;
	a->nt = 0;
	for (i = 0; i < a->nextra; i++)
	{
		free_table(a->extra[i]);
		free(a->extra[i]);
	}
	free(a->extra);
	a->extra = NULL;
	a->nextra = 0;
}

void
applier_free(Applier *a)
{
	if (a == NULL)
		return;
	clear_tables(a);
	forget_prepared(a);
	free(a->prep);
	free(a->pend);
	free(a->cp_target);
	free(a->cp_table);
	pg_copy_free(&a->cp);
	free(a->combined);
	free(a->rw_data);
	free(a->rw_extra2);
	if (a->bk)
	{
		bulk_clear(a->bk);
		free(a->bk->arr);
		free(a->bk->keys);
		free(a->bk->ids);
		free(a->bk->ev);
		free(a->bk);
	}
	free(a);
}

void
applier_begin_batch(Applier *a, PGconn *db, const PgqBatch *b)
{
	(void) db;
	a->stale = true;
	/* a batch again (the last one failed and was rolled back): what the
	 * handlers learned in it (partitions made) went with it */
	if (b && b->tick_id <= a->hx.tick_id)
		a->fresh_handlers = true;
	a->hx.tick_id = b ? b->tick_id : 0;
	snprintf(a->hx.tick_time, sizeof(a->hx.tick_time), "%s",
			 b ? b->tick_time : "");
}

/* "name\1type\2name\1type..." into t's columns. */
static void
set_columns(TableInfo *t, const char *desc)
{
	char *all = strdup(desc), *p, *save = NULL;
	int n = 1;

	for (p = all; *p; p++)
		n += *p == '\2';
	t->cols = calloc(n, sizeof(char *));
	t->types = calloc(n, sizeof(char *));
	for (p = strtok_r(all, "\2", &save); p; p = strtok_r(NULL, "\2", &save))
	{
		char *sep = strchr(p, '\1');

		if (sep == NULL)
			continue;
		*sep = '\0';
		t->cols[t->ncols] = strdup(p);
		t->types[t->ncols++] = strdup(sep + 1);
	}
	free(all);
}

#define COLUMNS_SQL(d)                                                        \
	"(select string_agg(a.attname || chr(1) || format_type(a.atttypid, "      \
	"null), chr(2) order by a.attnum) from pg_attribute a where a.attrelid "  \
	"= to_regclass(quote_ident(split_part(" d ", '.', 1)) || '.' || "         \
	"quote_ident(substr(" d ", strpos(" d ", '.') + 1))) and a.attnum > 0 "   \
	"and not a.attisdropped)"
#define RELKIND_SQL(d)                                                        \
	"(select relkind from pg_class where oid = to_regclass(quote_ident("      \
	"split_part(" d ", '.', 1)) || '.' || quote_ident(substr(" d              \
	", strpos(" d ", '.') + 1))))"

static bool
read_tables(Applier *a, PGconn *db, TableInfo *old, int nold)
{
	const char *p[3] = {a->ld->queue, a->only, a->copying ? "t" : "f"};
	PGresult *res;
	int i;

	if (a->combined == NULL)
	{
		const char *q[1] = {a->ld->queue};

		res = ld_query(db,
					   "select coalesce(combined_queue, '') from "
					   "pgq_node.get_node_info($1) where node_type = 'leaf' "
					   "union all select '' limit 1",
					   1, q);
		if (res == NULL)
			return false;
		a->combined = strdup(PQgetvalue(res, 0, 0));
		PQclear(res);
	}
	/*
	 * The worker applies tables in sync; a copy process its own table
	 * from the end of its copy until the handover (catching-up,
	 * wanna-sync, do-sync).
	 */
	res = ld_query(
		db,
		"select table_name, coalesce(dest_table, table_name), "
		"local and case when $2::text is null then merge_state = "
		"'ok' when $3 then table_name = $2 else table_name = $2 and "
		"(merge_state = 'catching-up' or merge_state ~ '^(wanna|do)-sync:') "
		"end, coalesce(table_attrs, '') ~ '(^|&)skip_truncate=1', "
		"custom_snapshot, " COLUMNS_SQL(
			"d") ", coalesce(table_attrs, ''), "
				 "coalesce(" RELKIND_SQL(
					 "d") ", 'r') = 'p' from (select *, "
						  "coalesce(dest_table, table_name) as d from "
						  "londiste.get_table_list($1)) t",
		3, p);
	if (res == NULL)
		return false;
	a->t = calloc(PQntuples(res) + 1, sizeof(TableInfo));
	for (i = 0; i < PQntuples(res); i++)
	{
		char q[1024];

		pg_quote_fqident(q, sizeof(q), PQgetvalue(res, i, 1));
		a->t[i].name = strdup(PQgetvalue(res, i, 0));
		a->t[i].qdest = strdup(q);
		a->t[i].apply = strcmp(PQgetvalue(res, i, 2), "t") == 0;
		a->t[i].skip_truncate = strcmp(PQgetvalue(res, i, 3), "t") == 0;
		a->t[i].only = strcmp(PQgetvalue(res, i, 7), "t") == 0 ? "" : "only ";
		if (!PQgetisnull(res, i, 5))
			set_columns(&a->t[i], PQgetvalue(res, i, 5));
		if (a->t[i].apply)
		{
			char err[512];

			a->t[i].cond =
				ld_attr_value(PQgetvalue(res, i, 6), "copy_condition");
			a->t[i].keep = ld_column_list(PQgetvalue(res, i, 6));
			a->t[i].attrs = strdup(PQgetvalue(res, i, 6));
			err[0] = '\0';
			for (int k = 0; k < nold && a->t[i].h == NULL; k++)
				if (old[k].h && strcmp(old[k].name, a->t[i].name) == 0 &&
					strcmp(old[k].attrs, a->t[i].attrs) == 0 &&
					strcmp(old[k].h->dest, PQgetvalue(res, i, 1)) == 0)
				{
					a->t[i].h = old[k].h;
					old[k].h = NULL;
				}
			if (a->t[i].h == NULL)
				a->t[i].h =
					ld_handler_open(a->ld, a->t[i].name, PQgetvalue(res, i, 1),
									a->t[i].attrs, err, sizeof(err));
			if (a->t[i].h == NULL && err[0])
			{
				log_error("table %s: %s", a->t[i].name, err);
				a->nt = i + 1;
				PQclear(res);
				return false;
			}
		}
		if (!PQgetisnull(res, i, 4) &&
			!parse_snapshot(&a->t[i], PQgetvalue(res, i, 4)))
		{
			log_error("table %s: bad copy snapshot %s", a->t[i].name,
					  PQgetvalue(res, i, 4));
			a->nt = i + 1;
			PQclear(res);
			return false;
		}
	}
	a->nt = PQntuples(res);
	PQclear(res);
	a->stale = false;
	return true;
}

/*
 * The table list anew (each batch).  A table whose attributes stay keeps
 * its handler, and with it the handler's state (dispatch's known
 * partitions, obfuscate's rules, shard's number); the others' go.
 */
static bool
load_tables(Applier *a, PGconn *db)
{
	TableInfo *old = a->t;
	int nold = a->nt;
	bool ok;

	a->t = NULL;
	a->nt = 0;
	clear_tables(a);
	ok = read_tables(a, db, old, a->fresh_handlers ? 0 : nold);
	a->fresh_handlers = false;
	for (int k = 0; k < nold; k++)
		free_table(&old[k]);
	free(old);
	return ok;
}

static TableInfo *
find_table(Applier *a, const char *name)
{
	int i;

	for (i = 0; i < a->nt; i++)
		if (strcmp(a->t[i].name, name) == 0)
			return &a->t[i];
	return NULL;
}

/* Append to a growing SQL buffer. */
static void
bput(Buf *b, const char *s)
{
	size_t n = strlen(s);

	if (b->len + n + 1 > b->cap)
	{
		b->cap = (b->len + n + 1) * 2;
		b->s = realloc(b->s, b->cap);
		if (b->s == NULL)
			fatal("out of memory");
	}
	memcpy(b->s + b->len, s, n + 1);
	b->len += n;
}

static void
bput_ident(Buf *b, const char *ident)
{
	char q[1024];

	pg_quote_ident(q, sizeof(q), ident, strlen(ident));
	bput(b, q);
}

static bool
is_key(const SkyEvType *t, const char *col)
{
	int i;

	for (i = 0; i < t->npkeys; i++)
		if (strcmp(t->pkeys[i], col) == 0)
			return true;
	return false;
}

/* The key of a row as "k1=v1, k2=v2" for messages. */
static void
key_text(const SkyEvType *t, const SkyRow *row, char *out, size_t len)
{
	size_t n = 0;
	int i;

	out[0] = '\0';
	for (i = 0; i < t->npkeys && n < len; i++)
	{
		const SkyRowField *f = sky_row_field(row, t->pkeys[i]);

		n += snprintf(out + n, len - n, "%s%s=%s", i ? ", " : "", t->pkeys[i],
					  f && f->value ? f->value : "NULL");
	}
}

/*
 * Row statements go in pipeline mode: sent without waiting, their results
 * read (and checked) at the next synchronization point: PIPELINE_DEPTH
 * statements, any statement of ours that needs an answer, and the end of
 * the batch (cascade's before_sync).  The checks are the same as one by
 * one: an error or a missing row names the table, the key and the event.
 */
static void
forget_prepared(Applier *a)
{
	int i;

	for (i = 0; i < a->nprep; i++)
		free(a->prep[i].sql);
	a->nprep = 0;
}

static Pending *
add_pending(Applier *a, char op, const char *table, const char *key,
			int64_t ev_id)
{
	Pending *pd;

	if (a->npend == a->maxpend)
	{
		int nm = a->maxpend ? a->maxpend * 2 : 256;
		Pending *np = realloc(a->pend, nm * sizeof(Pending));

		if (np == NULL)
			fatal("out of memory");
		a->pend = np;
		a->maxpend = nm;
	}
	pd = &a->pend[a->npend++];
	pd->op = op;
	pd->table = strdup(table);
	pd->key = strdup(key);
	pd->ev_id = ev_id;
	pd->nrows = 0;
	pd->keys = NULL;
	pd->evs = NULL;
	return pd;
}

/*
 * The name of sql prepared on db, sending the PREPARE now (in the
 * pipeline) the first time.  Names are never reused, so a PREPARE lost
 * with a failed batch cannot collide with a later one.  NULL on error.
 */
static const char *
prepared(Applier *a, PGconn *db, const char *sql, int n, const char *table,
		 int64_t ev_id)
{
	Prepared *pr;
	int i;

	if (a->prep_conn != db)
	{
		forget_prepared(a);
		a->prep_conn = db;
	}
	for (i = 0; i < a->nprep; i++)
		if (strcmp(a->prep[i].sql, sql) == 0)
			return a->prep[i].name;
	if (a->nprep == a->maxprep)
	{
		int nm = a->maxprep ? a->maxprep * 2 : 32;
		Prepared *np = realloc(a->prep, nm * sizeof(Prepared));

		if (np == NULL)
			fatal("out of memory");
		a->prep = np;
		a->maxprep = nm;
	}
	pr = &a->prep[a->nprep];
	snprintf(pr->name, sizeof(pr->name), "londiste_%d", ++a->prep_seq);
	if (!PQsendPrepare(db, pr->name, sql, n, NULL))
	{
		log_error("preparing a statement for %s: %s", table,
				  PQerrorMessage(db));
		return NULL;
	}
	pr->sql = strdup(sql);
	a->nprep++;
	add_pending(a, 'P', table, "", ev_id);
	return pr->name;
}

/*
 * Bulk UPDATE and DELETE.  A run of UPDATEs (DELETEs) of one table, each
 * of another key and with the same columns, goes as one statement: the
 * values travel as one text array per column, unnest()ed and cast to the
 * columns' types (the same text input as one by one), joined to the table
 * by the key:
 *
 *	update only T as t set c = d.c::type, ...
 *	  from unnest($1::text[], ...) with ordinality as d(k, c, ..., n)
 *	 where t.k = d.k::type ... returning d.n
 *
 * The server then starts one statement per run instead of one per row.
 * The ordinals returned tell which rows were found: a missing one is
 * reported as one by one (table, key, event).  A key seen again ends the
 * run first, so the run's rows never touch one row twice; any other
 * statement or COPY ends it too, keeping the stream's order.
 */
static void
bulk_clear(Bulk *b)
{
	int i;

	for (i = 0; i < b->ncols; i++)
		free(b->cols[i]);
	free(b->cols);
	free(b->types);
	for (i = 0; i < b->ncols; i++)
		free(b->arr[i].s);
	for (i = 0; i < b->rows; i++)
	{
		free(b->keys[i]);
		free(b->ids[i]);
	}
	b->cols = NULL;
	b->types = NULL;
	b->op = 0;
	b->ti = NULL;
	b->ncols = b->nkeys = b->rows = 0;
	memset(b->slot, 0, sizeof(b->slot));
}

static const char *
col_type(const TableInfo *ti, const char *col)
{
	int i;

	for (i = 0; i < ti->ncols; i++)
		if (strcmp(ti->cols[i], col) == 0)
			return ti->types[i];
	return NULL;
}

static uint32_t
hash_str(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char) *s) * 16777619u;
	return h;
}

/* Whether the run holds the key id; with add, put it in (row r). */
static bool
bulk_seen(Bulk *b, const char *id, int add_row)
{
	uint32_t h = hash_str(id) % BULK_SLOTS;

	for (;; h = (h + 1) % BULK_SLOTS)
	{
		if (b->slot[h] == 0)
		{
			if (add_row >= 0)
				b->slot[h] = add_row + 1;
			return false;
		}
		if (strcmp(b->ids[b->slot[h] - 1], id) == 0)
			return true;
	}
}

/* One element of a text array literal: quoted, or NULL. */
static void
arr_put(Buf *b, const char *v, bool first)
{
	const char *p;
	char *o;

	if (b->cap - b->len < strlen(v ? v : "") * 2 + 8)
	{
		b->cap = (b->len + strlen(v ? v : "") * 2 + 8) * 2;
		b->s = realloc(b->s, b->cap);
		if (b->s == NULL)
			fatal("out of memory");
	}
	o = b->s + b->len;
	*o++ = first ? '{' : ',';
	if (v == NULL)
	{
		memcpy(o, "NULL", 4);
		o += 4;
	}
	else
	{
		*o++ = '"';
		for (p = v; *p; p++)
		{
			if (*p == '"' || *p == '\\')
				*o++ = '\\';
			*o++ = *p;
		}
		*o++ = '"';
	}
	*o = '\0';
	b->len = (size_t) (o - b->s);
}

/*
 * Put an UPDATE (DELETE) row into the run: 1 done, 0 it cannot go in a
 * run (a column of unknown type), -1 error.
 */
static int
bulk_add(Applier *a, PGconn *db, TableInfo *ti, const SkyEvType *t,
		 const SkyRow *row, int64_t ev_id)
{
	Bulk *b;
	const SkyRowField *f[256];
	int n = 0, i, r;
	char id[4096], kt[512];
	size_t idlen = 0;
	bool same;

	if (t->npkeys == 0 || ti->ncols == 0 || row->nfields > 200 ||
		t->npkeys > 32)
		return 0;
	for (i = 0; i < t->npkeys; i++)
	{
		f[n] = sky_row_field(row, t->pkeys[i]);
		if (f[n] == NULL || !col_type(ti, t->pkeys[i]))
			return 0;
		n++;
	}
	if (t->op == 'U')
		for (i = 0; i < row->nfields; i++)
		{
			if (is_key(t, row->fields[i].key))
				continue;
			if (!col_type(ti, row->fields[i].key))
				return 0;
			f[n++] = &row->fields[i];
		}
	if (t->op == 'U' && n == t->npkeys)
		return 0; /* nothing to set */
	for (i = 0; i < t->npkeys; i++)
	{
		const char *v = f[i]->value ? f[i]->value : "\2";

		if (idlen + strlen(v) + 2 >= sizeof(id))
			return 0;
		idlen += (size_t) sprintf(id + idlen, "%s\1", v);
	}

	if (a->bk == NULL)
	{
		a->bk = calloc(1, sizeof(Bulk));
		if (a->bk == NULL)
			fatal("out of memory");
	}
	b = a->bk;
	same = b->op == t->op && b->ti == ti && b->ncols == n &&
		   b->nkeys == t->npkeys;
	for (i = 0; same && i < n; i++)
		same = strcmp(b->cols[i], f[i]->key) == 0;
	if (same && bulk_seen(b, id, -1))
		same = false;
	if (!same && b->rows > 0 && bulk_flush(a, db) < 0)
		return -1;
	if (a->cp_rows > 0 && copy_flush(a, db) < 0)
		return -1;
	if (b->rows == 0)
	{
		bulk_clear(b);
		b->op = t->op;
		b->ti = ti;
		b->nkeys = t->npkeys;
		b->ncols = n;
		b->cols = calloc(n, sizeof(char *));
		b->types = calloc(n, sizeof(char *));
		b->arr = realloc(b->arr, n * sizeof(Buf));
		if (b->cols == NULL || b->types == NULL || b->arr == NULL)
			fatal("out of memory");
		memset(b->arr, 0, n * sizeof(Buf));
		for (i = 0; i < n; i++)
		{
			b->cols[i] = strdup(f[i]->key);
			b->types[i] = col_type(ti, f[i]->key);
		}
	}
	if (b->rows == b->maxrows)
	{
		int nm = b->maxrows ? b->maxrows * 2 : 256;

		b->keys = realloc(b->keys, nm * sizeof(char *));
		b->ids = realloc(b->ids, nm * sizeof(char *));
		b->ev = realloc(b->ev, nm * sizeof(int64_t));
		if (b->keys == NULL || b->ids == NULL || b->ev == NULL)
			fatal("out of memory");
		b->maxrows = nm;
	}
	r = b->rows++;
	key_text(t, row, kt, sizeof(kt));
	b->keys[r] = strdup(kt);
	b->ids[r] = strdup(id);
	b->ev[r] = ev_id;
	bulk_seen(b, id, r);
	for (i = 0; i < n; i++)
		arr_put(&b->arr[i], f[i]->value, r == 0);
	return b->rows >= BULK_ROWS ? (bulk_flush(a, db) < 0 ? -1 : 1) : 1;
}

/* The run as one statement, into the pipeline. */
static int
bulk_flush(Applier *a, PGconn *db)
{
	Bulk *b = a->bk;
	Buf sql = {0};
	const char **vals;
	const char *name;
	Pending *pd;
	char num[48];
	int i;

	if (b == NULL || b->rows == 0)
		return 0;
	bput(&sql, b->op == 'U' ? "update " : "delete from ");
	bput(&sql, b->ti->only);
	bput(&sql, b->ti->qdest);
	bput(&sql, " as t ");
	if (b->op == 'U')
	{
		bput(&sql, "set ");
		for (i = b->nkeys; i < b->ncols; i++)
		{
			if (i > b->nkeys)
				bput(&sql, ", ");
			bput_ident(&sql, b->cols[i]);
			snprintf(num, sizeof(num), " = d.c%d::", i);
			bput(&sql, num);
			bput(&sql, b->types[i]);
		}
		bput(&sql, " from unnest(");
	}
	else
		bput(&sql, "using unnest(");
	for (i = 0; i < b->ncols; i++)
	{
		snprintf(num, sizeof(num), "%s$%d::text[]", i ? ", " : "", i + 1);
		bput(&sql, num);
	}
	bput(&sql, ") with ordinality as d(");
	for (i = 0; i < b->ncols; i++)
	{
		snprintf(num, sizeof(num), "c%d, ", i);
		bput(&sql, num);
	}
	bput(&sql, "n) where ");
	for (i = 0; i < b->nkeys; i++)
	{
		if (i)
			bput(&sql, " and ");
		bput(&sql, "t.");
		bput_ident(&sql, b->cols[i]);
		snprintf(num, sizeof(num), " = d.c%d::", i);
		bput(&sql, num);
		bput(&sql, b->types[i]);
	}
	bput(&sql, " returning d.n");

	if (a->pipe == NULL)
	{
		if (!PQenterPipelineMode(db))
		{
			log_error("cannot enter pipeline mode: %s", PQerrorMessage(db));
			free(sql.s);
			return -1;
		}
		a->pipe = db;
	}
	name = prepared(a, db, sql.s, b->ncols, b->ti->name, b->ev[0]);
	vals = calloc(b->ncols, sizeof(char *));
	if (vals == NULL)
		fatal("out of memory");
	for (i = 0; i < b->ncols; i++)
	{
		bput(&b->arr[i], "}");
		vals[i] = b->arr[i].s;
	}
	if (name == NULL ||
		!PQsendQueryPrepared(db, name, b->ncols, vals, NULL, NULL, 0))
	{
		log_error("%s of %d rows of %s (events %lld..%lld): %s",
				  b->op == 'U' ? "UPDATE" : "DELETE", b->rows, b->ti->name,
				  (long long) b->ev[0], (long long) b->ev[b->rows - 1],
				  PQerrorMessage(db));
		free(vals);
		free(sql.s);
		bulk_clear(b);
		applier_flush(a, db);
		return -1;
	}
	free(vals);
	free(sql.s);
	pd = add_pending(a, b->op == 'U' ? 'u' : 'd', b->ti->name, "", b->ev[0]);
	pd->nrows = b->rows;
	pd->keys = b->keys;
	pd->evs = b->ev;
	/* the pending entry owns the keys and events now */
	b->keys = NULL;
	b->ev = NULL;
	b->maxrows = 0;
	for (i = 0; i < b->rows; i++)
		free(b->ids[i]);
	free(b->ids);
	b->ids = NULL;
	b->rows = 0;
	bulk_clear(b);
	return a->npend >= PIPELINE_DEPTH ? pipe_flush(a, db) : 0;
}

/* A bulk statement's result: the rows it did not find. */
static int
bulk_result(Applier *a, const Pending *pd, PGresult *res)
{
	bool *found;
	int i, rc = 0, nmiss = 0;
	const char *what = pd->op == 'u' ? "UPDATE" : "DELETE";

	if (PQntuples(res) == pd->nrows)
		return 0;
	found = calloc(pd->nrows, sizeof(bool));
	if (found == NULL)
		fatal("out of memory");
	for (i = 0; i < PQntuples(res); i++)
	{
		int n = atoi(PQgetvalue(res, i, 0));

		if (n >= 1 && n <= pd->nrows)
			found[n - 1] = true;
	}
	for (i = 0; i < pd->nrows; i++)
	{
		if (found[i])
			continue;
		if (++nmiss > 20)
			continue;
		if (!a->warn_missing)
		{
			log_error("%s on %s found no row with %s (event %lld); "
					  "missing_row = warning lets the worker go on",
					  what, pd->table, pd->keys[i], (long long) pd->evs[i]);
			rc = -1;
		}
		else
			log_warning("%s on %s found no row with %s (event %lld)", what,
						pd->table, pd->keys[i], (long long) pd->evs[i]);
	}
	if (nmiss > 20)
		log_info("%s on %s: %d more rows not found", what, pd->table,
				 nmiss - 20);
	free(found);
	return rc;
}

/*
 * Send one row statement: prepared once per text (table, operation and
 * columns), or as it is (partial SQL of sqltriga events, each different).
 */
static int
send_row(Applier *a, PGconn *db, const char *sql, int n,
		 const char *const *vals, char op, const char *table, const char *key,
		 int64_t ev_id)
{
	const char *name = NULL;
	bool ok;

	/* rows waiting for their bulk statement or COPY come first */
	if (a->bk && a->bk->rows > 0 && bulk_flush(a, db) < 0)
		return -1;
	if (a->cp_rows > 0 && copy_flush(a, db) < 0)
		return -1;

	if (a->pipe == NULL)
	{
		if (!PQenterPipelineMode(db))
		{
			log_error("cannot enter pipeline mode: %s", PQerrorMessage(db));
			return -1;
		}
		a->pipe = db;
	}
	if (op != 'S')
	{
		name = prepared(a, db, sql, n, table, ev_id);
		if (name == NULL)
		{
			applier_flush(a, db);
			return -1;
		}
	}
	ok = name ? PQsendQueryPrepared(db, name, n, vals, NULL, NULL, 0)
			  : PQsendQueryParams(db, sql, n, NULL, vals, NULL, NULL, 0);
	if (!ok)
	{
		log_error("event %lld on %s: %s", (long long) ev_id, table,
				  PQerrorMessage(db));
		applier_flush(a, db);
		return -1;
	}
	add_pending(a, op, table, key, ev_id);
	return a->npend >= PIPELINE_DEPTH ? applier_flush(a, db) : 0;
}

/* Read the results of what went in pipeline mode, and leave it. */
static int
pipe_flush(Applier *a, PGconn *db)
{
	PGresult *res;
	int i, rc = 0;

	if (a->pipe == NULL)
		return 0;
	if (!PQpipelineSync(db))
	{
		log_error("pipeline: %s", PQerrorMessage(db));
		rc = -1;
	}
	for (i = 0; i < a->npend; i++)
	{
		Pending *pd = &a->pend[i];

		res = PQgetResult(db);
		if (res == NULL)
		{
			rc = -1;
			break;
		}
		if (PQresultStatus(res) == PGRES_FATAL_ERROR && pd->op == 'P')
		{
			log_error("preparing a statement for %s (event %lld): %s",
					  pd->table, (long long) pd->ev_id,
					  PQresultErrorMessage(res));
			rc = -1;
		}
		else if (PQresultStatus(res) == PGRES_FATAL_ERROR &&
				 (pd->op == 'u' || pd->op == 'd'))
		{
			log_error("%s of %d rows of %s (events %lld..%lld): %s",
					  pd->op == 'u' ? "UPDATE" : "DELETE", pd->nrows,
					  pd->table, (long long) pd->evs[0],
					  (long long) pd->evs[pd->nrows - 1],
					  PQresultErrorMessage(res));
			rc = -1;
		}
		else if (PQresultStatus(res) == PGRES_FATAL_ERROR)
		{
			log_error("event %lld on %s (%s): %s", (long long) pd->ev_id,
					  pd->table, pd->key[0] ? pd->key : "no key",
					  PQresultErrorMessage(res));
			rc = -1;
		}
		else if (PQresultStatus(res) == PGRES_TUPLES_OK &&
				 (pd->op == 'u' || pd->op == 'd'))
		{
			if (bulk_result(a, pd, res) < 0)
				rc = -1;
		}
		else if (PQresultStatus(res) == PGRES_COMMAND_OK &&
				 (pd->op == 'U' || pd->op == 'D') &&
				 strcmp(PQcmdTuples(res), "0") == 0)
		{
			const char *what = pd->op == 'U' ? "UPDATE" : "DELETE";

			if (!a->warn_missing)
			{
				log_error("%s on %s found no row with %s (event %lld); "
						  "missing_row = warning lets the worker go on",
						  what, pd->table, pd->key, (long long) pd->ev_id);
				rc = -1;
			}
			else
				log_warning("%s on %s found no row with %s (event %lld)", what,
							pd->table, pd->key, (long long) pd->ev_id);
		}
		PQclear(res);
		/* the end of this statement's results */
		while ((res = PQgetResult(db)) != NULL)
			PQclear(res);
	}
	/* up to the sync */
	while ((res = PQgetResult(db)) != NULL)
	{
		ExecStatusType st = PQresultStatus(res);

		PQclear(res);
		if (st == PGRES_PIPELINE_SYNC)
			break;
	}
	if (!PQexitPipelineMode(db))
	{
		log_error("pipeline: %s", PQerrorMessage(db));
		rc = -1;
	}
	for (i = 0; i < a->npend; i++)
	{
		Pending *pd = &a->pend[i];

		free(pd->table);
		free(pd->key);
		for (int k = 0; k < pd->nrows; k++)
			free(pd->keys[k]);
		free(pd->keys);
		free(pd->evs);
	}
	a->npend = 0;
	a->pipe = NULL;
	/* a failed batch may have lost PREPAREs: prepare again next time */
	if (rc < 0)
		forget_prepared(a);
	return rc;
}

/*
 * The waiting inserts as one COPY, after the statements in flight (which
 * came from earlier events).  A failure names the table and the events.
 */
static int
copy_flush(Applier *a, PGconn *db)
{
	PGresult *res;
	char sql[2200];
	int rc = 0;

	if (a->cp_rows == 0)
		return 0;
	if (pipe_flush(a, db) < 0)
		rc = -1;
	else
	{
		snprintf(sql, sizeof(sql), "copy %s from stdin", a->cp_target);
		res = PQexec(db, sql);
		if (PQresultStatus(res) != PGRES_COPY_IN)
		{
			log_error("COPY of %d rows into %s (events %lld..%lld): %s",
					  a->cp_rows, a->cp_table, (long long) a->cp_first,
					  (long long) a->cp_last, PQresultErrorMessage(res));
			rc = -1;
		}
		PQclear(res);
		if (rc == 0 && (PQputCopyData(db, a->cp.data, (int) a->cp.len) != 1 ||
						PQputCopyEnd(db, NULL) != 1))
		{
			log_error("COPY into %s: %s", a->cp_table, PQerrorMessage(db));
			rc = -1;
		}
		if (rc == 0)
		{
			res = PQgetResult(db);
			if (PQresultStatus(res) != PGRES_COMMAND_OK)
			{
				log_error("COPY of %d rows into %s (events %lld..%lld): %s",
						  a->cp_rows, a->cp_table, (long long) a->cp_first,
						  (long long) a->cp_last, PQresultErrorMessage(res));
				rc = -1;
			}
			PQclear(res);
			while ((res = PQgetResult(db)) != NULL)
				PQclear(res);
		}
	}
	a->cp_rows = 0;
	pg_copy_reset(&a->cp);
	return rc;
}

/*
 * Everything sent or waiting goes to the node now: the inserts waiting
 * for their COPY, then the pipeline's results.  -1 when any failed.
 */
static int
applier_flush_rows(Applier *a, PGconn *db)
{
	int rc = bulk_flush(a, db);

	if (copy_flush(a, db) < 0)
		rc = -1;
	if (pipe_flush(a, db) < 0)
		rc = -1;
	return rc;
}

int
applier_flush(Applier *a, PGconn *db)
{
	int rc = 0, i;

	/* what handlers held back goes first */
	a->hx.a = a;
	a->hx.db = db;
	for (i = 0; i < a->nt && rc == 0; i++)
		if (a->t[i].h && a->t[i].h->def->flush)
		{
			a->hx.ti = &a->t[i];
			a->cur_ev = 0;
			rc = a->t[i].h->def->flush(a->t[i].h, &a->hx);
		}
	if (rc < 0)
	{
		applier_flush_rows(a, db);
		return -1;
	}
	rc = bulk_flush(a, db);

	if (copy_flush(a, db) < 0)
		rc = -1;

	if (pipe_flush(a, db) < 0)
		rc = -1;
	return rc;
}

/* An insert, into the COPY of its table and columns. */
static int
copy_row(Applier *a, PGconn *db, TableInfo *ti, const SkyRow *row,
		 int64_t ev_id)
{
	char *target;
	size_t len = strlen(ti->qdest) + 3;
	int i;
	bool ok = true;

	for (i = 0; i < row->nfields; i++)
		len += strlen(row->fields[i].key) * 2 + 4;
	target = malloc(len);
	if (target == NULL)
		fatal("out of memory");
	len = (size_t) sprintf(target, "%s (", ti->qdest);
	for (i = 0; i < row->nfields; i++)
	{
		char q[1024];

		pg_quote_ident(q, sizeof(q), row->fields[i].key,
					   strlen(row->fields[i].key));
		len += (size_t) sprintf(target + len, "%s%s", i ? ", " : "", q);
	}
	sprintf(target + len, ")");
	if (a->bk && a->bk->rows > 0 && bulk_flush(a, db) < 0)
	{
		free(target);
		return -1;
	}
	if (a->cp_rows > 0 && strcmp(target, a->cp_target) != 0 &&
		copy_flush(a, db) < 0)
	{
		free(target);
		return -1;
	}
	if (a->cp_rows == 0)
	{
		free(a->cp_target);
		free(a->cp_table);
		a->cp_target = target;
		a->cp_table = strdup(ti->name);
		a->cp_first = ev_id;
	}
	else
		free(target);
	for (i = 0; i < row->nfields && ok; i++)
		ok =
			pg_copy_value(&a->cp, row->fields[i].value, i == row->nfields - 1);
	if (!ok)
		fatal("out of memory");
	a->cp_rows++;
	a->cp_last = ev_id;
	return a->cp_rows >= COPY_ROWS ? copy_flush(a, db) : 0;
}

/*
 * An UPDATE whose old row came along (trigger arg backup, in extra2) and
 * changed its key, or a table whose key is every column (no primary key):
 * the row is found by its old key values (by all its old values, NULLs
 * matching, one row of equal ones); a DELETE of such a table likewise.
 * 1: applied here (0 after sending), 0: the ordinary path does, -1 error.
 */
static int
apply_by_old(Applier *a, PGconn *db, TableInfo *ti, const PgqEvent *ev,
			 const SkyEvType *t, const SkyRow *row)
{
	bool full = t->npkeys > 0 && t->npkeys >= row->nfields;
	bool json = ev->type && ev->type[0] == '{';
	SkyRow old = {0};
	const SkyRow *where = row;
	Buf b = {0};
	const char **vals;
	char num[48], err[256], kt[512];
	int i, nv = 0, rc;

	if (t->op == 'U' && ev->extra2 && ev->extra2[0])
	{
		bool same = true;

		if (!(json ? sky_row_decode_json(&old, ev->extra2, strlen(ev->extra2),
										 err, sizeof(err))
				   : sky_row_decode(&old, ev->extra2, strlen(ev->extra2), 0,
									err, sizeof(err))))
		{
			log_error("event %lld on %s: the old row: %s", (long long) ev->id,
					  ti->name, err);
			sky_row_free(&old);
			return -1;
		}
		for (i = 0; i < t->npkeys && same; i++)
		{
			const SkyRowField *o = sky_row_field(&old, t->pkeys[i]);
			const SkyRowField *n = sky_row_field(row, t->pkeys[i]);

			same = o && n && (o->value == NULL) == (n->value == NULL) &&
				   (o->value == NULL || strcmp(o->value, n->value) == 0);
		}
		if (same && !full)
		{
			sky_row_free(&old);
			return 0;
		}
		where = &old;
	}
	else if (!(t->op == 'D' && full))
		return 0;

	if (applier_flush_rows(a, db) < 0)
	{
		sky_row_free(&old);
		return -1;
	}
	vals = calloc(row->nfields + t->npkeys + 1, sizeof(char *));
	if (t->op == 'U')
	{
		bput(&b, "update ");
		bput(&b, ti->only);
		bput(&b, ti->qdest);
		bput(&b, " set ");
		for (i = 0; i < row->nfields; i++)
		{
			if (i)
				bput(&b, ", ");
			bput_ident(&b, row->fields[i].key);
			vals[nv++] = row->fields[i].value;
			snprintf(num, sizeof(num), " = $%d", nv);
			bput(&b, num);
		}
	}
	else
	{
		bput(&b, "delete from ");
		bput(&b, ti->only);
		bput(&b, ti->qdest);
	}
	bput(&b, full ? " where (tableoid, ctid) = (select tableoid, ctid from "
				  : " where ");
	if (full)
	{
		bput(&b, ti->only);
		bput(&b, ti->qdest);
		bput(&b, " where ");
	}
	for (i = 0; i < t->npkeys; i++)
	{
		const SkyRowField *f = sky_row_field(where, t->pkeys[i]);

		if (f == NULL)
		{
			log_error(
				"event %lld on %s: key column %s missing from the %s row",
				(long long) ev->id, ti->name, t->pkeys[i],
				where == &old ? "old" : "event's");
			free(vals);
			free(b.s);
			sky_row_free(&old);
			return -1;
		}
		if (i)
			bput(&b, " and ");
		bput_ident(&b, t->pkeys[i]);
		vals[nv++] = f->value;
		snprintf(num, sizeof(num), " is not distinct from $%d", nv);
		bput(&b, num);
	}
	if (full)
		bput(&b, " limit 1)");
	key_text(t, where, kt, sizeof(kt));
	rc = send_row(a, db, b.s, nv, vals, t->op, ti->name, kt, ev->id);
	free(vals);
	free(b.s);
	sky_row_free(&old);
	return rc < 0 ? -1 : 1;
}

/*
 * A row event of a table with a row filter (its copy_condition), which
 * the copy applied: the row is here exactly while it matches.  The
 * condition is evaluated by the node on the event's row, in the same
 * statement: an INSERT of a matching row; an UPDATE: the row deleted
 * when it no longer matches, inserted or updated when it does; a DELETE
 * of a row that may never have come.
 */
static int
apply_filtered(Applier *a, PGconn *db, TableInfo *ti, const PgqEvent *ev,
			   const SkyEvType *t, const SkyRow *row)
{
	Buf src = {0}, b = {0}, keys = {0};
	const char **vals = calloc(row->nfields + 1, sizeof(char *));
	char num[64], kt[512];
	int i, rc = 0;

	if (t->op != 'I' && t->npkeys == 0)
	{
		log_error("event %lld on %s: %s event without key columns",
				  (long long) ev->id, ti->name,
				  t->op == 'U' ? "UPDATE" : "DELETE");
		free(vals);
		return -1;
	}
	/* the event's row as a relation _t of the table's column types */
	bput(&src, "(select ");
	for (i = 0; i < row->nfields; i++)
	{
		const char *ty = col_type(ti, row->fields[i].key);

		if (ty == NULL)
		{
			log_error("event %lld on %s: column %s is not in %s",
					  (long long) ev->id, ti->name, row->fields[i].key,
					  ti->qdest);
			rc = -1;
			goto out;
		}
		snprintf(num, sizeof(num), "%s$%d::", i ? ", " : "", i + 1);
		bput(&src, num);
		bput(&src, ty);
		bput(&src, " as ");
		bput_ident(&src, row->fields[i].key);
		vals[i] = row->fields[i].value;
	}
	bput(&src, ") _t");
	for (i = 0; i < t->npkeys; i++)
	{
		if (i)
			bput(&keys, ", ");
		bput_ident(&keys, t->pkeys[i]);
	}
	key_text(t, row, kt, sizeof(kt));
	if (t->op != 'I')
	{
		/* gone, or no longer matching: deleted by its key */
		bput(&b, "delete from ");
		bput(&b, ti->only);
		bput(&b, ti->qdest);
		bput(&b, " where (");
		bput(&b, keys.s);
		bput(&b, ") = (select ");
		bput(&b, keys.s);
		bput(&b, " from ");
		bput(&b, src.s);
		if (t->op == 'U')
		{
			bput(&b, " where not coalesce((");
			bput(&b, ti->cond);
			bput(&b, "), false)");
		}
		bput(&b, ")");
		rc = send_row(a, db, b.s, row->nfields, vals, 'S', ti->name, kt,
					  ev->id);
		free(b.s);
		b.s = NULL;
		b.len = b.cap = 0;
	}
	if (rc == 0 && t->op != 'D')
	{
		/* matching: inserted, or updated in place */
		bput(&b, "insert into ");
		bput(&b, ti->qdest);
		bput(&b, " (");
		for (i = 0; i < row->nfields; i++)
		{
			if (i)
				bput(&b, ", ");
			bput_ident(&b, row->fields[i].key);
		}
		bput(&b, ") select * from ");
		bput(&b, src.s);
		bput(&b, " where coalesce((");
		bput(&b, ti->cond);
		bput(&b, "), false)");
		if (t->op == 'U' && t->npkeys > 0)
		{
			bool any = false;

			bput(&b, " on conflict (");
			bput(&b, keys.s);
			bput(&b, ") do update set ");
			for (i = 0; i < row->nfields; i++)
			{
				if (is_key(t, row->fields[i].key))
					continue;
				if (any)
					bput(&b, ", ");
				any = true;
				bput_ident(&b, row->fields[i].key);
				bput(&b, " = excluded.");
				bput_ident(&b, row->fields[i].key);
			}
			if (!any)
			{
				/* only key columns: nothing to change */
				b.len -= strlen(" do update set ");
				b.s[b.len] = '\0';
				bput(&b, " do nothing");
			}
		}
		rc = send_row(a, db, b.s, row->nfields, vals, 'S', ti->name, kt,
					  ev->id);
	}
out:
	free(vals);
	free(src.s);
	free(b.s);
	free(keys.s);
	return rc;
}

/*
 * A table with a column list (add-table --columns): the row without the
 * other columns, then as any row.  A key column must be kept.
 */
static int
apply_kept(Applier *a, PGconn *db, TableInfo *ti, const PgqEvent *ev,
		   const SkyEvType *t, const SkyRow *row)
{
	SkyRow r = {0};
	char *keep = ti->keep;
	int i, rc;

	r.fields = calloc(row->nfields + 1, sizeof(SkyRowField));
	for (i = 0; i < row->nfields; i++)
	{
		const char *k = row->fields[i].key;
		size_t kl = strlen(k);
		const char *p = keep;
		bool kept = false;

		while ((p = strstr(p, k)) != NULL && !kept)
		{
			kept = p[-1] == ',' && p[kl] == ',';
			p++;
		}
		if (kept)
			r.fields[r.nfields++] = row->fields[i];
		else if (is_key(t, k))
		{
			log_error("event %lld on %s: key column %s is not in its column "
					  "list",
					  (long long) ev->id, ti->name, k);
			free(r.fields);
			return -1;
		}
	}
	ti->keep = NULL;
	rc = apply_row(a, db, ti, ev, t, &r);
	ti->keep = keep;
	free(r.fields);
	return rc;
}

/* A decoded row event (logutriga or jsontriga): I/U/D with the key list. */
static int
apply_row(Applier *a, PGconn *db, TableInfo *ti, const PgqEvent *ev,
		  const SkyEvType *tp, const SkyRow *rowp)
{
	const SkyEvType t = *tp;
	const SkyRow row = *rowp;
	Buf b = {0};
	const char **vals = NULL;
	int nv = 0, i, rc = -1;
	char num[16];

	if (!a->in_emit)
		ld_stats_row(ti->name, t.op);
	if (ti->keep && !a->in_emit)
		return apply_kept(a, db, ti, ev, tp, rowp);
	if (ti->cond && !a->in_emit)
		return apply_filtered(a, db, ti, ev, tp, rowp);
	if ((t.op == 'U' || t.op == 'D') && !a->in_emit)
	{
		int r = apply_by_old(a, db, ti, ev, tp, rowp);

		if (r != 0)
			return r < 0 ? -1 : 0;
	}
	if (t.op == 'U' || t.op == 'D')
	{
		int r = bulk_add(a, db, ti, tp, rowp, ev->id);

		if (r != 0)
			return r < 0 ? -1 : 0;
	}
	vals = calloc(row.nfields + 1, sizeof(char *));
	if (vals == NULL)
		fatal("out of memory");
	if (t.op == 'I' && row.nfields > 0)
	{
		rc = copy_row(a, db, ti, &row, ev->id);
		goto out;
	}
	if (t.op == 'I')
	{
		bput(&b, "insert into ");
		bput(&b, ti->qdest);
		bput(&b, " (");
		for (i = 0; i < row.nfields; i++)
		{
			if (i)
				bput(&b, ", ");
			bput_ident(&b, row.fields[i].key);
		}
		bput(&b, ") values (");
		for (i = 0; i < row.nfields; i++)
		{
			snprintf(num, sizeof(num), "%s$%d", i ? ", " : "", i + 1);
			bput(&b, num);
			vals[nv++] = row.fields[i].value;
		}
		bput(&b, ")");
	}
	else if (t.op == 'U' || t.op == 'D')
	{
		int nset = 0;

		if (t.npkeys == 0)
		{
			log_error("event %lld on %s: %s event without key columns",
					  (long long) ev->id, ti->name,
					  t.op == 'U' ? "UPDATE" : "DELETE");
			goto out;
		}
		if (t.op == 'U')
		{
			bput(&b, "update ");
			bput(&b, ti->only);
			bput(&b, ti->qdest);
			bput(&b, " set ");
			for (i = 0; i < row.nfields; i++)
			{
				if (is_key(&t, row.fields[i].key))
					continue;
				if (nset++)
					bput(&b, ", ");
				bput_ident(&b, row.fields[i].key);
				vals[nv++] = row.fields[i].value;
				snprintf(num, sizeof(num), " = $%d", nv);
				bput(&b, num);
			}
			if (nset == 0)
			{
				/* only key columns: nothing to change, but the row must exist */
				bput_ident(&b, t.pkeys[0]);
				bput(&b, " = ");
				bput_ident(&b, t.pkeys[0]);
			}
		}
		else
		{
			bput(&b, "delete from ");
			bput(&b, ti->only);
			bput(&b, ti->qdest);
		}
		bput(&b, " where ");
		for (i = 0; i < t.npkeys; i++)
		{
			const SkyRowField *f = sky_row_field(&row, t.pkeys[i]);

			if (f == NULL)
			{
				log_error(
					"event %lld on %s: key column %s missing from the row",
					(long long) ev->id, ti->name, t.pkeys[i]);
				goto out;
			}
			if (i)
				bput(&b, " and ");
			bput_ident(&b, t.pkeys[i]);
			vals[nv++] = f->value;
			snprintf(num, sizeof(num), " = $%d", nv);
			bput(&b, num);
		}
	}
	else
	{
		log_error("event %lld on %s: unknown operation in type %s",
				  (long long) ev->id, ti->name, ev->type);
		goto out;
	}

	{
		char kt[512];

		key_text(&t, &row, kt, sizeof(kt));
		rc = send_row(a, db, b.s, nv, vals, t.op, ti->name, kt, ev->id);
	}
	goto out;
out:
	free(vals);
	free(b.s);
	return rc;
}

/* TRUNCATE of a table (the 'R' event or jsontriga's TRUNCATE). */
static int
apply_truncate(TableInfo *ti, PGconn *db)
{
	char sql[1100];
	PGresult *res;

	if (ti->skip_truncate)
		return 0;
	snprintf(sql, sizeof(sql), "truncate %s%s", ti->only, ti->qdest);
	res = PQexec(db, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
	{
		log_error("truncate of %s: %s", ti->name, PQresultErrorMessage(res));
		PQclear(res);
		return -1;
	}
	PQclear(res);
	return 0;
}

/* An event's row (urlencoded or JSON); false, logged, when malformed. */
static bool
decode_row(const PgqEvent *ev, bool json, SkyRow *row, const char *table)
{
	const char *data = ev->data ? ev->data : "";
	char err[256];

	if (json ? sky_row_decode_json(row, data, strlen(data), err, sizeof(err))
			 : sky_row_decode(row, data, strlen(data), 0, err, sizeof(err)))
		return true;
	log_error("event %lld on %s: %s", (long long) ev->id, table, err);
	return false;
}

/* A pgq.logutriga (urlencoded) or pgq.jsontriga (JSON) event. */
static int
apply_encoded(Applier *a, PGconn *db, TableInfo *ti, const PgqEvent *ev,
			  bool json)
{
	SkyEvType t;
	SkyRow row;
	char err[256];
	int rc = -1;

	memset(&row, 0, sizeof(row));
	if (!(json ? sky_evtype_parse_json(&t, ev->type, err, sizeof(err))
			   : sky_evtype_parse(&t, ev->type, err, sizeof(err))))
	{
		log_error("event %lld on %s: %s", (long long) ev->id, ti->name, err);
		return -1;
	}
	if (json && t.op == 'R')
		rc = applier_flush(a, db) < 0 ? -1 : apply_truncate(ti, db);
	else if (decode_row(ev, json, &row, ti->name))
		rc = apply_row(a, db, ti, ev, &t, &row);
	sky_row_free(&row);
	sky_evtype_free(&t);
	return rc;
}

/* A pgq.sqltriga event: the row as partial SQL. */
static int
apply_sql(Applier *a, PGconn *db, TableInfo *ti, const PgqEvent *ev)
{
	Buf b = {0};
	int rc;

	ld_stats_row(ti->name, ev->type[0]);
	switch (ev->type[0])
	{
		case 'I':
			bput(&b, "insert into ");
			bput(&b, ti->qdest);
			bput(&b, " ");
			break;
		case 'U':
			bput(&b, "update ");
			bput(&b, ti->only);
			bput(&b, ti->qdest);
			bput(&b, " set ");
			break;
		default:
			bput(&b, "delete from ");
			bput(&b, ti->only);
			bput(&b, ti->qdest);
			bput(&b, " where ");
			break;
	}
	bput(&b, ev->data ? ev->data : "");
	rc = send_row(a, db, b.s, 0, NULL, 'S', ti->name, "", ev->id);
	free(b.s);
	return rc;
}

/* A (ret_code, ret_note) call of the londiste API; -1 on >= 400. */
static int
api(PGconn *db, const char *sql, int n, const char *const *p)
{
	return ld_ret(ld_query(db, sql, n, p), NULL) >= 400 ? -1 : 0;
}

static int
apply_execute(Applier *a, PGconn *db, const PgqEvent *ev)
{
	if (a->only)
		return 0; /* copy processes leave EXECUTE to the worker */
	if (ld_exec_replay(a->ld, db, ev->extra1 ? ev->extra1 : "", ev->data,
					   ev->extra2) < 0)
		return -1;
	/* the DDL may have changed what the prepared statements use, and
	 * what the handlers know (partitions) */
	forget_prepared(a);
	a->stale = true;
	a->fresh_handlers = true;
	return 0;
}

/*
 * Handlers (londiste-handler.h): their events, and the services they use.
 */

/* The TableInfo of another table a handler writes (a partition). */
static TableInfo *
extra_table(Applier *a, PGconn *db, const char *dest)
{
	char q[1024];
	TableInfo *t;
	PGresult *res;
	const char *p[1] = {dest};
	int i;

	pg_quote_fqident(q, sizeof(q), dest);
	for (i = 0; i < a->nextra; i++)
		if (strcmp(a->extra[i]->qdest, q) == 0)
			return a->extra[i];
	res = ld_query(db,
				   "select " COLUMNS_SQL("$1") ", coalesce(" RELKIND_SQL(
					   "$1") ", 'r') = 'p'",
				   1, p);
	if (res == NULL)
		return NULL;
	t = calloc(1, sizeof(TableInfo));
	t->name = strdup(dest);
	t->qdest = strdup(q);
	t->apply = true;
	t->only = strcmp(PQgetvalue(res, 0, 1), "t") == 0 ? "" : "only ";
	if (!PQgetisnull(res, 0, 0))
		set_columns(t, PQgetvalue(res, 0, 0));
	PQclear(res);
	a->extra = realloc(a->extra, (a->nextra + 1) * sizeof(TableInfo *));
	a->extra[a->nextra++] = t;
	return t;
}

int
ldh_emit(LdhApply *ap, const char *dest, char op, int nkeys,
		 const char *const *keys, const LdhRow *row)
{
	Applier *a = ap->a;
	TableInfo *ti = ap->ti;
	SkyEvType t = {0};
	SkyRow r = {0};
	PgqEvent ev = {0};
	int i, rc;

	if (dest && strcmp(dest, ti->h ? ti->h->dest : "") != 0)
	{
		ti = extra_table(a, ap->db, dest);
		if (ti == NULL)
			return -1;
	}
	t.op = op;
	t.npkeys = nkeys;
	t.pkeys = (char **) keys;
	r.nfields = row->ncols;
	r.fields = calloc(row->ncols + 1, sizeof(SkyRowField));
	for (i = 0; i < row->ncols; i++)
	{
		r.fields[i].key = row->cols[i];
		r.fields[i].value = row->vals[i];
	}
	ev.id = a->cur_ev;
	a->in_emit = true;
	rc = apply_row(a, ap->db, ti, &ev, &t, &r);
	a->in_emit = false;
	free(r.fields);
	return rc;
}

PGconn *
ldh_conn(LdhApply *ap)
{
	return ap->db;
}

int
ldh_sync(LdhApply *ap)
{
	return applier_flush_rows(ap->a, ap->db);
}

int64_t
ldh_tick_id(LdhApply *ap)
{
	return ap->tick_id;
}

const char *
ldh_tick_time(LdhApply *ap)
{
	return ap->tick_time[0] ? ap->tick_time : NULL;
}

/* A row event (or a copied row) of a table with a handler. */
static int
handler_row(Applier *a, PGconn *db, TableInfo *ti, const PgqEvent *ev,
			const SkyEvType *t, const SkyRow *row)
{
	LdhRow r;
	LdhEvent he = {0};
	int i, rc;

	r.ncols = row->nfields;
	r.cols = calloc(row->nfields + 1, sizeof(char *));
	r.vals = calloc(row->nfields + 1, sizeof(char *));
	for (i = 0; i < row->nfields; i++)
	{
		r.cols[i] = row->fields[i].key;
		r.vals[i] = row->fields[i].value;
	}
	he.id = ev->id;
	he.txid = ev->txid;
	he.retry = ev->retry;
	he.time = ev->time;
	he.type = ev->type;
	he.data = ev->data;
	he.extra1 = ev->extra1;
	he.extra2 = ev->extra2;
	he.extra3 = ev->extra3;
	he.extra4 = ev->extra4;
	he.op = t->op;
	he.nkeys = t->npkeys;
	he.keys = (const char *const *) t->pkeys;
	he.row = &r;
	a->hx.a = a;
	a->hx.db = db;
	a->hx.ti = ti;
	a->cur_ev = ev->id;
	if (ti->h->def->event)
	{
		ld_stats_row(ti->name, t->op);
		rc = ti->h->def->event(ti->h, &a->hx, &he);
	}
	else
		rc = apply_row(a, db, ti, ev, t, row);
	free(r.cols);
	free(r.vals);
	return rc;
}

static int
handler_event(Applier *a, PGconn *db, TableInfo *ti, const PgqEvent *ev)
{
	const char *type = ev->type;
	bool json = type[0] == '{';
	SkyEvType t;
	SkyRow row;
	char err[256];
	int rc = -1;

	a->hx.a = a;
	a->hx.db = db;
	a->hx.ti = ti;
	memset(&row, 0, sizeof(row));
	memset(&t, 0, sizeof(t));
	if (strcmp(type, "R") != 0 && !json && type[1] != ':')
	{
		log_error("event %lld on %s: handler %s needs pgq.logutriga or "
				  "pgq.jsontriga events, not %s",
				  (long long) ev->id, ti->name, ti->h->def->name, type);
		return -1;
	}
	if (strcmp(type, "R") != 0 &&
		!(json ? sky_evtype_parse_json(&t, type, err, sizeof(err))
			   : sky_evtype_parse(&t, type, err, sizeof(err))))
	{
		log_error("event %lld on %s: %s", (long long) ev->id, ti->name, err);
		return -1;
	}
	if (strcmp(type, "R") == 0 || t.op == 'R')
	{
		const char *ign = ldh_arg(ti->h, "ignore_truncate");

		if (applier_flush(a, db) < 0)
			rc = -1;
		else if (ti->h->def->truncate)
			rc = ti->h->def->truncate(ti->h, &a->hx);
		else if (ign && (strcmp(ign, "1") == 0 || strcmp(ign, "true") == 0))
			rc = 0;
		else
			rc = apply_truncate(ti, db);
	}
	else if (decode_row(ev, json, &row, ti->name))
		rc = handler_row(a, db, ti, ev, &t, &row);
	sky_row_free(&row);
	sky_evtype_free(&t);
	return rc;
}

/*
 * A copy's rows through the table's handler (LDH_COPY_ROWS): the table
 * and its handler, or NULL with a logged error; then one call per row.
 */
bool
applier_copy_start(Applier *a, PGconn *db)
{
	a->copying = true;
	if (!load_tables(a, db))
		return false;
	a->copy_ti = find_table(a, a->only);
	if (a->copy_ti == NULL || !a->copy_ti->apply || a->copy_ti->h == NULL)
	{
		log_error("table %s: no handler to copy through", a->only);
		return false;
	}
	return true;
}

int
applier_copy_row(Applier *a, PGconn *db, int n, const char *const *cols,
				 const char *const *vals)
{
	SkyEvType t = {0};
	SkyRow row = {0};
	PgqEvent ev = {0};
	int i, rc;

	t.op = 'I';
	ev.type = "I";
	row.nfields = n;
	row.fields = calloc(n + 1, sizeof(SkyRowField));
	for (i = 0; i < n; i++)
	{
		row.fields[i].key = cols[i];
		row.fields[i].value = vals[i];
	}
	rc = handler_row(a, db, a->copy_ti, &ev, &t, &row);
	free(row.fields);
	return rc;
}

/* A row (urlencoded, or JSON when json) through the handler's
 * copy_event into a malloc'd encoding; *same when it passes unchanged. */
static char *
rewrite_row(TableInfo *ti, const PgqEvent *ev, const SkyEvType *t,
			const char *data, bool json, bool *same, bool *failed)
{
	SkyRow row = {0}, nr = {0};
	LdhRow r, out = {0};
	LdhEvent he = {0};
	char *enc = NULL;
	int i, rc;

	*same = false;
	if (!decode_row(&(PgqEvent){.id = ev->id, .data = data}, json, &row,
					ti->name))
	{
		sky_row_free(&row);
		*failed = true;
		return NULL;
	}
	r.ncols = row.nfields;
	r.cols = calloc(row.nfields + 1, sizeof(char *));
	r.vals = calloc(row.nfields + 1, sizeof(char *));
	for (i = 0; i < row.nfields; i++)
	{
		r.cols[i] = row.fields[i].key;
		r.vals[i] = row.fields[i].value;
	}
	he.id = ev->id;
	he.txid = ev->txid;
	he.time = ev->time;
	he.type = ev->type;
	he.data = data;
	he.extra1 = ev->extra1;
	he.op = t->op;
	he.nkeys = t->npkeys;
	he.keys = (const char *const *) t->pkeys;
	he.row = &r;
	rc = ti->h->def->copy_event(ti->h, &he, &out);
	if (rc == 0)
		*same = true;
	else if (rc < 0)
		*failed = true;
	else if (json)
	{
		json_t *o = json_object();

		for (i = 0; i < out.ncols; i++)
			json_object_set_new(o, out.cols[i],
								out.vals[i] ? json_string(out.vals[i])
											: json_null());
		enc = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
		json_decref(o);
	}
	else
	{
		nr.nfields = out.ncols;
		nr.fields = calloc(out.ncols + 1, sizeof(SkyRowField));
		for (i = 0; i < out.ncols; i++)
		{
			nr.fields[i].key = out.cols[i];
			nr.fields[i].value = out.vals[i];
		}
		enc = sky_row_encode(&nr);
		free(nr.fields);
	}
	if (rc > 0 && enc == NULL)
		*failed = true;
	free(r.cols);
	free(r.vals);
	sky_row_free(&row);
	return enc;
}

/*
 * A branch passes each event on into its own queue: the table's handler
 * may rewrite it first (copy_event: obfuscate).  ev, the rewritten one
 * (kept until the next call), or NULL with *failed.
 */
const PgqEvent *
applier_copy_rewrite(Applier *a, PGconn *db, const PgqEvent *ev, bool *failed)
{
	const char *type = ev->type ? ev->type : "";
	bool json = type[0] == '{', same = false;
	TableInfo *ti;
	SkyEvType t;
	char err[256];

	*failed = false;
	if (ev->extra1 == NULL || !(json || (type[0] && type[1] == ':')))
		return ev;
	if (a->stale && (applier_flush(a, db) < 0 || !load_tables(a, db)))
	{
		*failed = true;
		return NULL;
	}
	ti = find_table(a, ev->extra1);
	if (ti == NULL || ti->h == NULL || ti->h->def->copy_event == NULL)
		return ev;
	if (!(json ? sky_evtype_parse_json(&t, type, err, sizeof(err))
			   : sky_evtype_parse(&t, type, err, sizeof(err))))
	{
		sky_evtype_free(&t);
		return ev; /* the apply names what is wrong with it */
	}
	if (t.op == 'R')
	{
		sky_evtype_free(&t);
		return ev;
	}
	free(a->rw_data);
	free(a->rw_extra2);
	a->rw_extra2 = NULL;
	a->rw = *ev;
	a->rw_data =
		rewrite_row(ti, ev, &t, ev->data ? ev->data : "", json, &same, failed);
	if (!*failed && !same)
		a->rw.data = a->rw_data;
	if (!*failed && ev->extra2 && ev->extra2[0])
	{
		/* the old row sent along (backup) goes the same way */
		a->rw_extra2 =
			rewrite_row(ti, ev, &t, ev->extra2, json, &same, failed);
		if (!*failed && !same)
			a->rw.extra2 = a->rw_extra2;
	}
	sky_evtype_free(&t);
	return *failed ? NULL : &a->rw;
}

/* A data event of a table applied here: by its handler, or by its format
 * (the type was checked by the caller). */
static int
apply_data(Applier *a, PGconn *db, TableInfo *ti, const PgqEvent *ev)
{
	const char *type = ev->type;

	if (ti->h)
		return handler_event(a, db, ti, ev);
	if (type[0] == '{')
		return apply_encoded(a, db, ti, ev, true);
	if (strcmp(type, "R") == 0)
		return apply_truncate(ti, db);
	if (type[1] == ':')
		return apply_encoded(a, db, ti, ev, false);
	return apply_sql(a, db, ti, ev);
}

int
applier_event(Applier *a, PGconn *db, const PgqEvent *ev)
{
	const char *type = ev->type ? ev->type : "";
	const char *q = a->ld->queue;
	TableInfo *ti;
	int rc;

	if (strncmp(type, "londiste.", 9) == 0 || strcmp(type, "EXECUTE") == 0 ||
		strcmp(type, "R") == 0)
	{
		/* these need answers: what is in flight goes first */
		if (applier_flush(a, db) < 0)
			return -1;
	}
	if (strncmp(type, "londiste.", 9) == 0)
	{
		const char *p[3] = {q, ev->data, ev->extra1};

		a->stale = true;
		if ((strcmp(type, "londiste.add-table") == 0 &&
			 !ld_register_wanted(a->ld, ev->data ? ev->data : "", false)) ||
			(strcmp(type, "londiste.update-seq") == 0 &&
			 !ld_register_wanted(a->ld, ev->extra1 ? ev->extra1 : "", true)))
		{
			log_debug("event %lld: %s of %s: not registered here (register_"
					  "only/skip)",
					  (long long) ev->id, type,
					  type[9] == 'a' ? ev->data : ev->extra1);
			return 0;
		}
		if (strcmp(type, "londiste.add-table") == 0)
			return api(db, "select * from londiste.global_add_table($1, $2)",
					   2, p);
		if (strcmp(type, "londiste.remove-table") == 0)
			return api(db,
					   "select * from londiste.global_remove_table($1, $2)", 2,
					   p);
		if (strcmp(type, "londiste.update-seq") == 0)
		{
			const char *sp[3] = {q, ev->extra1, ev->data};

			return api(
				db,
				"select * from londiste.global_update_seq($1, $2, $3::int8)",
				3, sp);
		}
		if (strcmp(type, "londiste.remove-seq") == 0)
			return api(db, "select * from londiste.global_remove_seq($1, $2)",
					   2, p);
		log_debug("event %lld: %s ignored", (long long) ev->id, type);
		return 0;
	}
	if (strcmp(type, "EXECUTE") == 0)
		return apply_execute(a, db, ev);
	if (type[0] != '{' && strcmp(type, "R") != 0 &&
		!(strchr("IUD", type[0]) && type[0] &&
		  (type[1] == '\0' || type[1] == ':')))
	{
		if (strncmp(type, "pgq.", 4) == 0)
			return 0; /* cascade bookkeeping: lib/cascade.c's */
		log_error("event %lld: Unhandled event type in queue: %s",
				  (long long) ev->id, type);
		return -1;
	}
	if (ev->extra1 == NULL)
		return 0;
	if (a->stale && (applier_flush(a, db) < 0 || !load_tables(a, db)))
		return -1;
	ti = find_table(a, ev->extra1);
	if (ti == NULL || !ti->apply)
		return 0;
	if (in_snapshot(ti, ev->txid))
	{
		a->skipped++;
		return 0;
	}
	rc = apply_data(a, db, ti, ev);
	if (rc < 0 || a->combined == NULL || !a->combined[0])
		return rc;
	{
		/* fan-in: the event goes on into the combined queue, in the same
		 * transaction as its row */
		const char *p[7] = {a->combined, ev->type,	 ev->data,	ev->extra1,
							ev->extra2,	 ev->extra3, ev->extra4};

		return send_row(a, db,
						"select pgq.insert_event($1, $2, $3, $4, $5, $6, $7)",
						7, p, 'S', ti->name, "", ev->id);
	}
}
