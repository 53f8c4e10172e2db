/*-------------------------------------------------------------------------
 *
 * handlers.c
 *	  The built-in table handlers (londiste-handler.h is their interface):
 *
 *	londiste	the default (with arguments: ignore_truncate)
 *	bulk		per batch, each key's net effect
 *	qtable		a queue-only table: rows queued on the root, never stored
 *	vtable		a table local without a table (fake_local: its old name)
 *	qsplitter	the table's events into another queue
 *	applyfn		each event to an SQL function
 *	multimaster	applyfn with merge_on_time and its settings
 *	shard		hash partitioning across databases (part: its old name)
 *	dispatch	rows into time partitions (declarative or inheritance),
 *				column lists, row modes; and its 34 presets
 *	obfuscate	(obfuscate.c) keyed hashing and masking per column
 *
 * IDENTIFICATION
 *	  bin/londiste/handlers.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "londiste.h"
#include "skytools/pgutil.h"
#include "urlenc.h"

/*
 * Net effect of a batch's events per key (bulk, dispatch load_mode=bulk).
 */
typedef struct NetRow
{
	char op; /* 'I', 'U', 'D'; 0: vanished */
	char *dest;
	char *id; /* dest + the key's values */
	int nkeys;
	char **keys;
	int ncols;
	char **cols, **vals;
	struct NetRow *next_hash;
} NetRow;

typedef struct NetSet
{
	NetRow **rows; /* in order of first appearance */
	int n, cap;
	NetRow **hash;
	int nhash;
} NetSet;

static unsigned
str_hash(const char *s)
{
	unsigned h = 5381;

	while (*s)
		h = h * 33 + (unsigned char) *s++;
	return h;
}

static char *
xstrdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void
netrow_set_row(NetRow *r, const LdhRow *row)
{
	int i;

	for (i = 0; i < r->ncols; i++)
	{
		free(r->cols[i]);
		free(r->vals[i]);
	}
	free(r->cols);
	free(r->vals);
	r->ncols = row->ncols;
	r->cols = calloc(row->ncols + 1, sizeof(char *));
	r->vals = calloc(row->ncols + 1, sizeof(char *));
	for (i = 0; i < row->ncols; i++)
	{
		r->cols[i] = strdup(row->cols[i]);
		r->vals[i] = xstrdup(row->vals[i]);
	}
}

static void
netset_clear(NetSet *s)
{
	int i, j;

	for (i = 0; i < s->n; i++)
	{
		NetRow *r = s->rows[i];

		for (j = 0; j < r->ncols; j++)
		{
			free(r->cols[j]);
			free(r->vals[j]);
		}
		for (j = 0; j < r->nkeys; j++)
			free(r->keys[j]);
		free(r->cols);
		free(r->vals);
		free(r->keys);
		free(r->dest);
		free(r->id);
		free(r);
	}
	free(s->rows);
	free(s->hash);
	memset(s, 0, sizeof(*s));
}

/* One event into the set: its key's net effect so far. */
static void
netset_add(NetSet *s, const char *dest, char op, int nkeys,
		   const char *const *keys, const LdhRow *row)
{
	size_t len = strlen(dest ? dest : "") + 2;
	char *id;
	NetRow *r;
	unsigned h;
	int i;

	for (i = 0; i < nkeys; i++)
		for (int c = 0; c < row->ncols; c++)
			if (strcmp(row->cols[c], keys[i]) == 0)
				len += strlen(row->vals[c] ? row->vals[c] : "\\N") + 1;
	id = malloc(len);
	strcpy(id, dest ? dest : "");
	for (i = 0; i < nkeys; i++)
		for (int c = 0; c < row->ncols; c++)
			if (strcmp(row->cols[c], keys[i]) == 0)
			{
				strcat(id, "\1");
				strcat(id, row->vals[c] ? row->vals[c] : "\\N");
			}
	if (s->nhash == 0)
	{
		s->nhash = 4096;
		s->hash = calloc(s->nhash, sizeof(NetRow *));
	}
	h = str_hash(id) % (unsigned) s->nhash;
	for (r = s->hash[h]; r; r = r->next_hash)
		if (strcmp(r->id, id) == 0)
			break;
	if (r == NULL)
	{
		r = calloc(1, sizeof(NetRow));
		r->id = id;
		r->dest = xstrdup(dest);
		r->op = op;
		r->nkeys = nkeys;
		r->keys = calloc(nkeys + 1, sizeof(char *));
		for (i = 0; i < nkeys; i++)
			r->keys[i] = strdup(keys[i]);
		netrow_set_row(r, row);
		r->next_hash = s->hash[h];
		s->hash[h] = r;
		if (s->n == s->cap)
		{
			s->cap = s->cap ? s->cap * 2 : 256;
			s->rows = realloc(s->rows, s->cap * sizeof(NetRow *));
		}
		s->rows[s->n++] = r;
		return;
	}
	free(id);
	/* before + now -> net: I+U=I, I+D=nothing, D+I=U, U+U=U, U+D=D */
	if (op == 'D')
		r->op = r->op == 'I' ? 0 : 'D';
	else if (op == 'I')
		r->op = (r->op == 'D' || r->op == 'U') ? 'U' : 'I';
	else
		r->op = (r->op == 'I' || r->op == 0) ? 'I' : 'U';
	netrow_set_row(r, row);
}

/* Apply a set: deletes, then updates, then inserts; then clear it. */
static int
netset_apply(NetSet *s, LdhApply *ap)
{
	static const char order[] = {'D', 'U', 'I'};
	int k, i, rc = 0;

	for (k = 0; k < 3 && rc == 0; k++)
		for (i = 0; i < s->n && rc == 0; i++)
		{
			NetRow *r = s->rows[i];
			LdhRow row = {r->ncols, (const char **) r->cols,
						  (const char **) r->vals};

			if (r->op == order[k])
				rc = ldh_emit(ap, r->dest, r->op, r->nkeys,
							  (const char *const *) r->keys, &row);
		}
	netset_clear(s);
	return rc;
}

static bool
is_bool_arg(const LdhTable *t, const char *key)
{
	const char *v = ldh_arg(t, key);

	return v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0 ||
				 strcmp(v, "on") == 0 || strcmp(v, "yes") == 0);
}

static bool
check_choice(const LdhTable *t, const char *key, const char *const *ok,
			 char *err, size_t errlen)
{
	const char *v = ldh_arg(t, key);
	int i;

	if (v == NULL)
		return true;
	for (i = 0; ok[i]; i++)
		if (strcmp(ok[i], v) == 0)
			return true;
	snprintf(err, errlen, "handler %s: invalid %s=%s", t->def->name, key, v);
	return false;
}

static bool
check_bool(const LdhTable *t, const char *key, char *err, size_t errlen)
{
	static const char *const b[] = {"0",   "1",	  "true", "false", "on",
									"off", "yes", "no",	  NULL};

	return check_choice(t, key, b, err, errlen);
}

/* ------------------------------------------------------------------
 * londiste: the default
 */
static const char *const p_londiste[] = {"ignore_truncate", "encoding", NULL};

static bool
londiste_init(LdhTable *t, char *err, size_t errlen)
{
	return check_bool(t, "ignore_truncate", err, errlen);
}

static const LdhDef h_londiste = {
	.name = "londiste",
	.summary = "the default: rows applied as they come",
	.params = p_londiste,
	.details = (const char *const[]){"ignore_truncate=1: TRUNCATE events "
									 "are not applied",
									 "encoding: accepted, not used (the "
									 "client encoding is the database's)",
									 NULL},
	.init = londiste_init,
};

/* ------------------------------------------------------------------
 * bulk: each key's net effect per batch
 */
static const char *const p_bulk[] = {"method", "ignore_truncate", "encoding",
									 NULL};

static bool
bulk_init(LdhTable *t, char *err, size_t errlen)
{
	static const char *const m[] = {"0", "1", "2", NULL};

	if (!check_choice(t, "method", m, err, errlen) ||
		!check_bool(t, "ignore_truncate", err, errlen))
		return false;
	t->state = calloc(1, sizeof(NetSet));
	return true;
}

static int
bulk_event(LdhTable *t, LdhApply *ap, const LdhEvent *ev)
{
	if (ev->nkeys == 0)
	{
		/* no key: inserts only, as they come */
		if (ev->op != 'I')
		{
			ldh_log(LDH_ERROR,
					"bulk: %s event on %s without key columns (inserts only)",
					ev->op == 'U' ? "UPDATE" : "DELETE", t->table);
			return -1;
		}
		return ldh_emit(ap, NULL, 'I', 0, NULL, ev->row);
	}
	netset_add(t->state, NULL, ev->op, ev->nkeys, ev->keys, ev->row);
	return 0;
}

static int
bulk_flush(LdhTable *t, LdhApply *ap)
{
	return netset_apply(t->state, ap);
}

static void
bulk_free(LdhTable *t)
{
	if (t->state)
		netset_clear(t->state);
	free(t->state);
}

static const LdhDef h_bulk = {
	.name = "bulk",
	.summary = "each key's net effect per batch: deletes, updates, inserts",
	.params = p_bulk,
	.details =
		(const char *const[]){
			"insert then delete of a key: nothing; delete then insert: an "
			"update; updates: the last row",
			"method=0/1/2: accepted (all load in sets: COPY and statements "
			"over arrays)",
			NULL},
	.init = bulk_init,
	.event = bulk_event,
	.flush = bulk_flush,
	.free = bulk_free,
};

/* ------------------------------------------------------------------
 * qtable, vtable, fake_local: nothing to apply
 */
static int
ignore_event(LdhTable *t, LdhApply *ap, const LdhEvent *ev)
{
	(void) t;
	(void) ap;
	(void) ev;
	return 0;
}

static int
ignore_truncate_hook(LdhTable *t, LdhApply *ap)
{
	(void) t;
	(void) ap;
	return 0;
}

static bool
qtable_trigger(LdhTable *t, void (*add)(void *, const char *), void *cx,
			   char *err, size_t errlen)
{
	(void) t;
	(void) err;
	(void) errlen;
	add(cx, "tgflags=BI");
	add(cx, "SKIP");
	add(cx, "expect_sync");
	return true;
}

static const LdhDef h_qtable = {
	.name = "qtable",
	.summary = "a queue-only table: the root queues its inserts and stores "
			   "nothing; others ignore the events",
	.flags = LDH_NO_TABLE | LDH_NO_COPY,
	.trigger_args = qtable_trigger,
	.event = ignore_event,
	.truncate = ignore_truncate_hook,
};

#define VTABLE_DEF(nm, sum)                                                   \
	{                                                                         \
		.name = nm, .summary = sum,                                           \
		.flags = LDH_NO_TABLE | LDH_NO_COPY | LDH_NO_TRIGGER,                 \
		.event = ignore_event, .truncate = ignore_truncate_hook,              \
	}
static const LdhDef h_vtable =
	VTABLE_DEF("vtable", "the table is local without a table: no trigger, "
						 "no copy, events ignored");
static const LdhDef h_fake_local =
	VTABLE_DEF("fake_local", "the old name of vtable");

/* ------------------------------------------------------------------
 * qsplitter: the events into another queue
 */
static const char *const p_qsplitter[] = {"queue", NULL};

static bool
qsplitter_init(LdhTable *t, char *err, size_t errlen)
{
	if (ldh_arg(t, "queue") == NULL || !ldh_arg(t, "queue")[0])
	{
		snprintf(err, errlen, "handler qsplitter: queue= is required");
		return false;
	}
	return true;
}

static int
to_queue(LdhTable *t, LdhApply *ap, const char *type, const char *data,
		 const LdhEvent *ev)
{
	const char *p[7] = {ldh_arg(t, "queue"),
						type,
						data,
						ev ? ev->extra1 : t->table,
						ev ? ev->extra2 : NULL,
						ev ? ev->extra3 : NULL,
						ev ? ev->extra4 : NULL};
	PGresult *r = PQexecParams(ldh_conn(ap),
							   "select pgq.insert_event($1, $2, $3, $4, $5, "
							   "$6, $7)",
							   7, NULL, p, NULL, NULL, 0);
	int rc = 0;

	if (PQresultStatus(r) != PGRES_TUPLES_OK)
	{
		ldh_log(LDH_ERROR, "qsplitter: %s into queue %s: %s", t->table, p[0],
				PQresultErrorMessage(r));
		rc = -1;
	}
	PQclear(r);
	return rc;
}

static int
qsplitter_event(LdhTable *t, LdhApply *ap, const LdhEvent *ev)
{
	return to_queue(t, ap, ev->type, ev->data, ev);
}

static int
qsplitter_truncate(LdhTable *t, LdhApply *ap)
{
	return to_queue(t, ap, "R", "", NULL);
}

static const LdhDef h_qsplitter = {
	.name = "qsplitter",
	.summary = "the table's events into another queue of this database",
	.params = p_qsplitter,
	.flags = LDH_NO_TABLE | LDH_NO_COPY,
	.init = qsplitter_init,
	.event = qsplitter_event,
	.truncate = qsplitter_truncate,
};

/* ------------------------------------------------------------------
 * applyfn, multimaster: each event to an SQL function
 */
static const char *const p_applyfn[] = {"func_name", "func_conf", NULL};

typedef struct FnState
{
	char *call; /* select f($1, ..., $13) */
	char *conf;
} FnState;

static bool
fn_setup(LdhTable *t, const char *fn, const char *conf, char *err,
		 size_t errlen)
{
	FnState *s = calloc(1, sizeof(FnState));
	char q[600];

	if (fn == NULL || !fn[0])
	{
		snprintf(err, errlen, "handler %s: func_name= is required",
				 t->def->name);
		free(s);
		return false;
	}
	pg_quote_fqident(q, sizeof(q), fn);
	s->call = malloc(strlen(q) + 200);
	sprintf(s->call,
			"select %s($1::text, $2::int8, $3::int8, $4::timestamptz, "
			"$5::int8, $6::int4, $7::text, $8::text, $9::text, $10::text, "
			"$11::text, $12::text)",
			q);
	s->conf = xstrdup(conf);
	t->state = s;
	return true;
}

static bool
applyfn_init(LdhTable *t, char *err, size_t errlen)
{
	return fn_setup(t, ldh_arg(t, "func_name"), ldh_arg(t, "func_conf"), err,
					errlen);
}

static int
fn_event(LdhTable *t, LdhApply *ap, const LdhEvent *ev)
{
	FnState *s = t->state;
	char tick[24], id[24], txid[24], retry[16];
	const char *p[12] = {s->conf,	 tick,		 id,		 ev->time,
						 txid,		 retry,		 ev->type,	 ev->data,
						 ev->extra1, ev->extra2, ev->extra3, ev->extra4};
	PGresult *r;
	int rc = 0;

	if (ldh_sync(ap) < 0)
		return -1;
	snprintf(tick, sizeof(tick), "%lld", (long long) ldh_tick_id(ap));
	snprintf(id, sizeof(id), "%lld", (long long) ev->id);
	snprintf(txid, sizeof(txid), "%lld", (long long) ev->txid);
	snprintf(retry, sizeof(retry), "%d", ev->retry);
	r = PQexecParams(ldh_conn(ap), s->call, 12, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
	{
		ldh_log(LDH_ERROR, "%s: event %lld on %s: %s", t->def->name,
				(long long) ev->id, t->table, PQresultErrorMessage(r));
		rc = -1;
	}
	PQclear(r);
	return rc;
}

static void
fn_free(LdhTable *t)
{
	FnState *s = t->state;

	if (s)
	{
		free(s->call);
		free(s->conf);
		free(s);
	}
}

static const LdhDef h_applyfn = {
	.name = "applyfn",
	.summary = "each event to func_name(func_conf, tick_id, ev_id, ev_time, "
			   "ev_txid, ev_retry, ev_type, ev_data, ev_extra1..4)",
	.params = p_applyfn,
	.flags = LDH_NO_TABLE | LDH_NO_COPY,
	.init = applyfn_init,
	.event = fn_event,
	.truncate = ignore_truncate_hook,
	.free = fn_free,
};

static const char *const p_any[] = {"*", NULL};

static bool
multimaster_init(LdhTable *t, char *err, size_t errlen)
{
	/* every argument goes to the function, urlencoded */
	size_t cap = 16, n = 0;
	char *conf;
	bool ok;
	int i;

	for (i = 0; i < t->nargs; i++)
		cap += (strlen(t->argk[i]) + strlen(t->argv[i])) * 3 + 2;
	conf = malloc(cap);
	conf[0] = '\0';
	for (i = 0; i < t->nargs; i++)
	{
		if (n)
			conf[n++] = '&';
		n += ld_attr_encode(conf + n, t->argk[i]);
		conf[n++] = '=';
		n += ld_attr_encode(conf + n, t->argv[i]);
	}
	ok = fn_setup(t, "merge_on_time", conf, err, errlen);
	free(conf);
	return ok;
}

static bool
multimaster_trigger(LdhTable *t, void (*add)(void *, const char *), void *cx,
					char *err, size_t errlen)
{
	(void) t;
	(void) err;
	(void) errlen;
	add(cx, "no_merge");
	return true;
}

static const LdhDef h_multimaster = {
	.name = "multimaster",
	.summary = "each event to merge_on_time(settings, ...) (a function the "
			   "user installs); copied from one master",
	.params = p_any,
	.init = multimaster_init,
	.trigger_args = multimaster_trigger,
	.event = fn_event,
	.truncate = ignore_truncate_hook,
	.free = fn_free,
};

/* ------------------------------------------------------------------
 * shard (part): hash partitioning across databases
 */
static const char *const p_shard[] = {
	"key",		"hash_key", "hash_expr", "disable_replay", "ignore_truncate",
	"encoding", NULL};

typedef struct ShardState
{
	char *hash_expr;
	bool known; /* the local shard read */
	long long nr, mask;
} ShardState;

static bool
shard_init(LdhTable *t, char *err, size_t errlen)
{
	const char *key =
		ldh_arg(t, "key") ? ldh_arg(t, "key") : ldh_arg(t, "hash_key");
	ShardState *s;

	if (!check_bool(t, "disable_replay", err, errlen) ||
		!check_bool(t, "ignore_truncate", err, errlen))
		return false;
	if (ldh_arg(t, "hash_expr") == NULL && (key == NULL || !key[0]))
	{
		snprintf(err, errlen, "handler %s: Specify hash key field (key=)",
				 t->def->name);
		return false;
	}
	s = calloc(1, sizeof(ShardState));
	if (ldh_arg(t, "hash_expr"))
		s->hash_expr = strdup(ldh_arg(t, "hash_expr"));
	else
	{
		char q[300];

		pg_quote_ident(q, sizeof(q), key, strlen(key));
		s->hash_expr = malloc(strlen(q) + 32);
		sprintf(s->hash_expr, "hashtext(%s::text)", q);
	}
	t->state = s;
	return true;
}

static bool
shard_trigger(LdhTable *t, void (*add)(void *, const char *), void *cx,
			  char *err, size_t errlen)
{
	ShardState *s = t->state;
	char *a = malloc(strlen(s->hash_expr) + 32);

	(void) err;
	(void) errlen;
	sprintf(a, "ev_extra3='hash='||%s", s->hash_expr);
	add(cx, a);
	free(a);
	return true;
}

/* This node's shard from shard_info_sql; false when it cannot be read. */
static bool
shard_local(LdhTable *t, PGconn *db)
{
	ShardState *s = t->state;
	const char *sql = ldh_config("shard_info_sql");
	PGresult *r;
	long long count;

	if (s->known)
		return true;
	r = PQexec(db, sql);
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1 ||
		PQnfields(r) < 3)
	{
		ldh_log(LDH_ERROR,
				"shard: shard_info_sql (%s) must return one row "
				"(shard_nr, shard_mask, shard_count): %s",
				sql, PQresultErrorMessage(r));
		PQclear(r);
		return false;
	}
	s->nr = atoll(PQgetvalue(r, 0, 0));
	s->mask = atoll(PQgetvalue(r, 0, 1));
	count = atoll(PQgetvalue(r, 0, 2));
	PQclear(r);
	if (count != s->mask + 1 || count <= 0 || (count & s->mask) != 0 ||
		s->nr < 0 || s->nr > s->mask)
	{
		ldh_log(LDH_ERROR,
				"shard: bad shard info: nr %lld, mask %lld, count %lld (count "
				"must be mask + 1, a power of two, and nr below it)",
				s->nr, s->mask, count);
		return false;
	}
	s->known = true;
	return true;
}

static int
shard_event(LdhTable *t, LdhApply *ap, const LdhEvent *ev)
{
	ShardState *s = t->state;
	long long h;

	if (is_bool_arg(t, "disable_replay"))
		return 0;
	if (!shard_local(t, ldh_conn(ap)))
		return -1;
	if (ev->id != 0)
	{
		/* replay: the root's trigger put hash=N in extra3 */
		if (ev->extra3 == NULL || strncmp(ev->extra3, "hash=", 5) != 0)
		{
			ldh_log(LDH_ERROR,
					"shard: event %lld on %s has no hash in ev_extra3 (the "
					"root's table must be added with the shard handler)",
					(long long) ev->id, t->table);
			return -1;
		}
		h = atoll(ev->extra3 + 5);
		if ((h & s->mask) != s->nr)
			return 0;
	}
	/* copy rows come filtered by the copy condition */
	return ldh_emit(ap, NULL, ev->op, ev->nkeys, ev->keys, ev->row);
}

static char *
shard_condition(LdhTable *t, PGconn *local)
{
	ShardState *s = t->state;
	char *c;

	if (!shard_local(t, local))
		return NULL;
	c = malloc(strlen(s->hash_expr) + 64);
	sprintf(c, "(%s & %lld) = %lld", s->hash_expr, s->mask, s->nr);
	return c;
}

static void
shard_free(LdhTable *t)
{
	ShardState *s = t->state;

	if (s)
		free(s->hash_expr);
	free(s);
}

static const char *const shard_details[] = {
	"root: ev_extra3 = 'hash=' || hash_expr (default hashtext(key::text))",
	"others: shard_info_sql (ini) gives nr, mask, count; events and copied "
	"rows with (hash & mask) = nr are kept",
	"disable_replay=1: nothing applied", NULL};

#define SHARD_DEF(nm, sum)                                                    \
	{                                                                         \
		.name = nm, .summary = sum, .params = p_shard,                        \
		.details = shard_details, .init = shard_init,                         \
		.trigger_args = shard_trigger, .event = shard_event,                  \
		.copy_condition = shard_condition, .free = shard_free,                \
	}
static const LdhDef h_shard = SHARD_DEF(
	"shard", "hash partitioning across databases: each keeps its share");
static const LdhDef h_part = SHARD_DEF("part", "the old name of shard");

/* ------------------------------------------------------------------
 * dispatch: rows into time partitions
 */
static const char *const p_dispatch[] = {"table_mode",
										 "part_mode",
										 "part_field",
										 "period",
										 "part_name",
										 "part_template",
										 "pre_part",
										 "post_part",
										 "part_func",
										 "retention_period",
										 "ignore_old_events",
										 "row_mode",
										 "event_types",
										 "load_mode",
										 "method",
										 "fields",
										 "skip_fields",
										 "table",
										 "ignore_truncate",
										 "analyze",
										 "encoding",
										 NULL};

typedef struct DispatchState
{
	char table_mode; /* 'p' part, 'd' direct, 'i' ignore */
	char part_mode;	 /* 'b' batch_time, 'e' event_time, 'f' date_field,
					  * 'c' current_time */
	const char *period;
	char row_mode; /* 'p' plain, 'l' keep_latest, 'a' keep_all */
	char types[4]; /* of I, U, D the ones kept */
	bool bulk, insert_only;
	const char *parent; /* destination (table=, else the local table) */
	/* fields: from -> to; skip_fields: from -> NULL */
	int nmap;
	char **from, **to;
	bool has_fields; /* only mapped columns pass */
	/* partitions known to exist */
	char **parts;
	int nparts;
	NetSet net;
} DispatchState;

static const struct
{
	const char *name;
	const char *args;
} extra_presets[] = {
	{"direct", "table_mode=direct"},
	{"bulk_direct", "table_mode=direct&load_mode=bulk"},
};

/* [bulk_]{hourly,daily,monthly,yearly}_{event,batch,field,time} */
const char *
ld_handler_preset_args(const char *name)
{
	static char buf[256];
	static const char *const periods[][2] = {{"hourly", "hour"},
											 {"daily", "day"},
											 {"monthly", "month"},
											 {"yearly", "year"}};
	static const char *const modes[][2] = {{"event", "event_time"},
										   {"batch", "batch_time"},
										   {"field", "date_field"},
										   {"time", "current_time"}};
	bool bulk = strncmp(name, "bulk_", 5) == 0;
	const char *n = bulk ? name + 5 : name;
	size_t i, j;

	for (i = 0; i < sizeof(extra_presets) / sizeof(extra_presets[0]); i++)
		if (strcmp(extra_presets[i].name, name) == 0)
			return extra_presets[i].args;
	for (i = 0; i < 4; i++)
		for (j = 0; j < 4; j++)
		{
			size_t pl = strlen(periods[i][0]);

			if (strncmp(n, periods[i][0], pl) == 0 && n[pl] == '_' &&
				strcmp(n + pl + 1, modes[j][0]) == 0)
			{
				snprintf(buf, sizeof(buf),
						 "table_mode=part&row_mode=keep_latest&period=%s&"
						 "part_mode=%s%s",
						 periods[i][1], modes[j][1],
						 bulk ? "&load_mode=bulk" : "");
				return buf;
			}
		}
	return NULL;
}

static bool
map_columns(DispatchState *s, const char *list, bool skip, char *err,
			size_t errlen)
{
	char *l = strdup(list), *p, *save = NULL;

	for (p = strtok_r(l, ",", &save); p; p = strtok_r(NULL, ",", &save))
	{
		char *colon;

		while (*p == ' ')
			p++;
		colon = skip ? NULL : strchr(p, ':');
		if (colon)
			*colon++ = '\0';
		if (!*p || (colon && !*colon))
		{
			snprintf(err, errlen, "handler dispatch: bad %s entry \"%s\"",
					 skip ? "skip_fields" : "fields", p);
			free(l);
			return false;
		}
		s->from = realloc(s->from, (s->nmap + 1) * sizeof(char *));
		s->to = realloc(s->to, (s->nmap + 1) * sizeof(char *));
		s->from[s->nmap] = strdup(p);
		s->to[s->nmap++] = skip ? NULL : strdup(colon ? colon : p);
	}
	free(l);
	return true;
}

static bool
dispatch_init(LdhTable *t, char *err, size_t errlen)
{
	static const char *const tm[] = {"part", "direct", "ignore", NULL};
	static const char *const pm[] = {"batch_time", "event_time", "date_field",
									 "current_time", NULL};
	static const char *const per[] = {"hour",	 "day",	   "month",
									  "year",	 "hourly", "daily",
									  "monthly", "yearly", NULL};
	static const char *const rm[] = {"plain", "keep_latest", "keep_all", NULL};
	static const char *const lm[] = {"direct", "bulk", NULL};
	static const char *const me[] = {"0", "1", "2", "3", NULL};
	DispatchState *s;
	const char *v;

	if (!check_choice(t, "table_mode", tm, err, errlen) ||
		!check_choice(t, "part_mode", pm, err, errlen) ||
		!check_choice(t, "period", per, err, errlen) ||
		!check_choice(t, "row_mode", rm, err, errlen) ||
		!check_choice(t, "load_mode", lm, err, errlen) ||
		!check_choice(t, "method", me, err, errlen) ||
		!check_bool(t, "ignore_truncate", err, errlen) ||
		!check_bool(t, "ignore_old_events", err, errlen) ||
		!check_bool(t, "analyze", err, errlen))
		return false;
	if (ldh_arg(t, "fields") && ldh_arg(t, "skip_fields"))
	{
		snprintf(
			err, errlen,
			"handler dispatch: fields and skip_fields exclude each other");
		return false;
	}
	s = calloc(1, sizeof(DispatchState));
	t->state = s;
	v = ldh_arg(t, "table_mode");
	s->table_mode = v ? v[0] : 'p';
	v = ldh_arg(t, "part_mode");
	s->part_mode = v == NULL ? 'b' : v[0] == 'd' ? 'f' : v[0];
	v = ldh_arg(t, "period");
	s->period = v == NULL	  ? "day"
				: v[0] == 'h' ? "hour"
				: v[0] == 'd' ? "day"
				: v[0] == 'm' ? "month"
							  : "year";
	v = ldh_arg(t, "row_mode");
	s->row_mode = v == NULL ? 'p' : strcmp(v, "keep_all") == 0 ? 'a' : v[0];
	v = ldh_arg(t, "event_types");
	if (v == NULL)
		strcpy(s->types, "IUD");
	else
	{
		int n = 0;

		for (const char *c = v; *c; c++)
		{
			if (*c == ',' || *c == ' ')
				continue;
			if (strchr("IUD", *c) == NULL)
			{
				snprintf(err, errlen,
						 "handler dispatch: event_types takes I, U, D, not %s",
						 v);
				return false;
			}
			if (n < 3 && strchr(s->types, *c) == NULL)
				s->types[n++] = *c;
		}
	}
	s->bulk = ldh_arg(t, "load_mode") &&
			  strcmp(ldh_arg(t, "load_mode"), "bulk") == 0;
	s->insert_only =
		ldh_arg(t, "method") && strcmp(ldh_arg(t, "method"), "3") == 0;
	s->parent = ldh_arg(t, "table") ? ldh_arg(t, "table") : t->dest;
	if (s->table_mode == 'p' && s->part_mode == 'f' &&
		(ldh_arg(t, "part_field") == NULL || !ldh_arg(t, "part_field")[0]))
	{
		snprintf(err, errlen,
				 "handler dispatch: part_mode=date_field needs part_field=");
		return false;
	}
	if (ldh_arg(t, "ignore_old_events") &&
		is_bool_arg(t, "ignore_old_events") &&
		ldh_arg(t, "retention_period") == NULL)
	{
		snprintf(
			err, errlen,
			"handler dispatch: ignore_old_events needs retention_period=");
		return false;
	}
	if (ldh_arg(t, "fields") &&
		!map_columns(s, ldh_arg(t, "fields"), false, err, errlen))
		return false;
	s->has_fields = ldh_arg(t, "fields") != NULL;
	if (ldh_arg(t, "skip_fields") &&
		!map_columns(s, ldh_arg(t, "skip_fields"), true, err, errlen))
		return false;
	return true;
}

/* The broken-down time a row goes by: false with a logged error. */
static bool
dispatch_time(LdhTable *t, DispatchState *s, LdhApply *ap, const LdhEvent *ev,
			  int tm[4], char *stamp, size_t slen)
{
	const char *src = NULL;

	if (s->part_mode == 'b')
		src = ev->id ? ldh_tick_time(ap) : NULL;
	else if (s->part_mode == 'e')
		src = ev->time;
	else if (s->part_mode == 'f')
	{
		const char *f = ldh_arg(t, "part_field");
		int i;

		for (i = 0; i < ev->row->ncols; i++)
			if (strcmp(ev->row->cols[i], f) == 0)
				src = ev->row->vals[i];
		if (src == NULL)
		{
			ldh_log(LDH_ERROR,
					"dispatch: event %lld on %s: part_field %s missing or "
					"NULL",
					(long long) ev->id, t->table, f);
			return false;
		}
	}
	if (src == NULL)
	{
		/* current_time, and a copied row's batch or event time */
		time_t now = time(NULL);
		struct tm lt;

		localtime_r(&now, &lt);
		tm[0] = lt.tm_year + 1900;
		tm[1] = lt.tm_mon + 1;
		tm[2] = lt.tm_mday;
		tm[3] = lt.tm_hour;
	}
	else
	{
		tm[1] = tm[2] = 1;
		tm[3] = 0;
		if (sscanf(src, "%4d-%2d-%2d%*[ T]%2d", &tm[0], &tm[1], &tm[2],
				   &tm[3]) < 1 ||
			tm[1] < 1 || tm[1] > 12 || tm[2] < 1 || tm[2] > 31)
		{
			ldh_log(LDH_ERROR,
					"dispatch: event %lld on %s: cannot read a time from "
					"\"%s\"",
					(long long) ev->id, t->table, src);
			return false;
		}
	}
	if (strcmp(s->period, "year") == 0)
		tm[1] = 1;
	if (strcmp(s->period, "year") == 0 || strcmp(s->period, "month") == 0)
		tm[2] = 1;
	if (strcmp(s->period, "hour") != 0)
		tm[3] = 0;
	snprintf(stamp, slen, "%04d-%02d-%02d %02d:00:00", tm[0], tm[1], tm[2],
			 tm[3]);
	return true;
}

/* The partition's name: part_name's template, or parent_YYYY[_MM...]. */
static void
part_name(LdhTable *t, DispatchState *s, const int tm[4], char *out,
		  size_t len)
{
	const char *tpl = ldh_arg(t, "part_name");
	char v[4][8];
	size_t n = 0;

	snprintf(v[0], 8, "%04d", tm[0]);
	snprintf(v[1], 8, "%02d", tm[1]);
	snprintf(v[2], 8, "%02d", tm[2]);
	snprintf(v[3], 8, "%02d", tm[3]);
	if (tpl == NULL)
	{
		int parts = strcmp(s->period, "year") == 0	  ? 1
					: strcmp(s->period, "month") == 0 ? 2
					: strcmp(s->period, "day") == 0	  ? 3
													  : 4;

		n = (size_t) snprintf(out, len, "%s", s->parent);
		for (int i = 0; i < parts && n < len; i++)
			n += (size_t) snprintf(out + n, len - n, "_%s", v[i]);
		return;
	}
	out[0] = '\0';
	while (*tpl && n + 1 < len)
	{
		static const char *const vars[] = {"parent", "year", "month", "day",
										   "hour"};
		bool done = false;

		if (tpl[0] == '%' && tpl[1] == '(')
			for (int i = 0; i < 5 && !done; i++)
			{
				size_t vl = strlen(vars[i]);

				if (strncmp(tpl + 2, vars[i], vl) == 0 &&
					strncmp(tpl + 2 + vl, ")s", 2) == 0)
				{
					n += (size_t) snprintf(out + n, len - n, "%s",
										   i == 0 ? s->parent : v[i - 1]);
					tpl += vl + 4;
					done = true;
				}
			}
		if (!done)
		{
			out[n++] = *tpl++;
			out[n] = '\0';
		}
	}
}

/* Run a pre_part/post_part/part_template statement with its names. */
static bool
run_part_sql(LdhApply *ap, const char *sql, const char *parent,
			 const char *part, const char *pkeys, const char *start,
			 const char *period)
{
	/* _PARENT, _PART (quoted names), _PKEY, _START_TIME, _END_TIME
	 * (literals), as placeholders in the text */
	char qparent[600], qpart[600];
	char *buf;
	const char *p[3] = {start, period, pkeys};
	PGresult *r;
	bool ok;
	size_t cap = strlen(sql) * 4 + 4096, n = 0;

	pg_quote_fqident(qparent, sizeof(qparent), parent);
	pg_quote_fqident(qpart, sizeof(qpart), part);
	buf = malloc(cap);
	while (*sql && n + 700 < cap)
	{
		if (strncmp(sql, "_PARENT", 7) == 0)
		{
			n += (size_t) sprintf(buf + n, "%s", qparent);
			sql += 7;
		}
		else if (strncmp(sql, "_PART", 5) == 0)
		{
			n += (size_t) sprintf(buf + n, "%s", qpart);
			sql += 5;
		}
		else if (strncmp(sql, "_PKEY", 5) == 0)
		{
			n += (size_t) sprintf(buf + n, "$3::text");
			sql += 5;
		}
		else if (strncmp(sql, "_START_TIME", 11) == 0)
		{
			n += (size_t) sprintf(buf + n, "$1::timestamptz");
			sql += 11;
		}
		else if (strncmp(sql, "_END_TIME", 9) == 0)
		{
			n += (size_t) sprintf(buf + n, "($1::timestamptz + ('1 ' || "
										   "$2::text)::interval)");
			sql += 9;
		}
		else
			buf[n++] = *sql++;
	}
	buf[n] = '\0';
	r = PQexecParams(ldh_conn(ap), buf, 3, NULL, p, NULL, NULL, 0);
	ok = PQresultStatus(r) == PGRES_COMMAND_OK ||
		 PQresultStatus(r) == PGRES_TUPLES_OK;
	if (!ok)
		ldh_log(LDH_ERROR, "dispatch: partition %s: %s", part,
				PQresultErrorMessage(r));
	PQclear(r);
	free(buf);
	return ok;
}

/* Make sure partition part exists; false with a logged error. */
static bool
ensure_part(LdhTable *t, DispatchState *s, LdhApply *ap, const char *part,
			const char *start, const LdhEvent *ev)
{
	PGconn *db = ldh_conn(ap);
	const char *p[6];
	char pkeys[1024];
	size_t n = 0;
	PGresult *r;
	bool ok;
	int i;

	for (i = 0; i < s->nparts; i++)
		if (strcmp(s->parts[i], part) == 0)
			return true;
	if (ldh_sync(ap) < 0)
		return false;
	pkeys[0] = '\0';
	for (i = 0; i < ev->nkeys && n < sizeof(pkeys); i++)
		n += (size_t) snprintf(pkeys + n, sizeof(pkeys) - n, "%s%s",
							   i ? "," : "", ev->keys[i]);
	p[0] = part;
	r = PQexecParams(db,
					 "select coalesce(londiste.find_table_oid($1), "
					 "londiste.find_rel_oid($1, 'p')) is not null",
					 1, NULL, p, NULL, NULL, 0);
	ok = PQresultStatus(r) == PGRES_TUPLES_OK &&
		 strcmp(PQgetvalue(r, 0, 0), "t") == 0;
	PQclear(r);
	if (!ok)
	{
		const char *pre = ldh_arg(t, "pre_part");
		const char *post = ldh_arg(t, "post_part");
		const char *tpl = ldh_arg(t, "part_template");

		if (pre &&
			!run_part_sql(ap, pre, s->parent, part, pkeys, start, s->period))
			return false;
		if (tpl)
			ok = run_part_sql(ap, tpl, s->parent, part, pkeys, start,
							  s->period);
		else
		{
			const char *fn = ldh_arg(t, "part_func");
			char q[600], sql[1024];

			pg_quote_fqident(q, sizeof(q),
							 fn ? fn : "londiste.create_partition");
			snprintf(sql, sizeof(sql),
					 "select %s($1, $2, $3, $4, $5::timestamptz, $6)", q);
			p[0] = s->parent;
			p[1] = part;
			p[2] = pkeys;
			p[3] = ldh_arg(t, "part_field");
			p[4] = start;
			p[5] = s->period;
			r = PQexecParams(db, sql, 6, NULL, p, NULL, NULL, 0);
			ok = PQresultStatus(r) == PGRES_TUPLES_OK;
			if (!ok)
				ldh_log(LDH_ERROR, "dispatch: creating partition %s: %s", part,
						PQresultErrorMessage(r));
			PQclear(r);
		}
		if (!ok || (post && !run_part_sql(ap, post, s->parent, part, pkeys,
										  start, s->period)))
			return false;
		ldh_log(LDH_INFO, "dispatch: partition %s created", part);
		if (ldh_arg(t, "retention_period"))
		{
			p[0] = s->parent;
			p[1] = ldh_arg(t, "retention_period");
			p[2] = s->period;
			r = PQexecParams(db,
							 "select * from londiste.drop_obsolete_partitions("
							 "$1, $2::interval, $3)",
							 3, NULL, p, NULL, NULL, 0);
			ok = PQresultStatus(r) == PGRES_TUPLES_OK;
			if (!ok)
				ldh_log(LDH_ERROR, "dispatch: retention of %s: %s", s->parent,
						PQresultErrorMessage(r));
			for (i = 0; ok && i < PQntuples(r); i++)
				ldh_log(LDH_INFO,
						"dispatch: partition %s dropped (older "
						"than the retention period)",
						PQgetvalue(r, i, 0));
			PQclear(r);
			if (!ok)
				return false;
		}
	}
	s->parts = realloc(s->parts, (s->nparts + 1) * sizeof(char *));
	s->parts[s->nparts++] = strdup(part);
	return true;
}

static int
dispatch_put(DispatchState *s, LdhApply *ap, const char *dest, char op,
			 int nkeys, const char *const *keys, const LdhRow *row)
{
	if (s->bulk && nkeys > 0)
	{
		netset_add(&s->net, dest, op, nkeys, keys, row);
		return 0;
	}
	return ldh_emit(ap, dest, op, nkeys, keys, row);
}

static int
dispatch_event(LdhTable *t, LdhApply *ap, const LdhEvent *ev)
{
	DispatchState *s = t->state;
	const char *cols[1600], *vals[1600], *keys[64];
	LdhRow row = {0, cols, vals};
	char part[1024], stamp[32];
	const char *dest;
	int i, j, nkeys = 0;
	char op = ev->op;

	if (s->table_mode == 'i' || strchr(s->types, op) == NULL)
		return 0;
	if (s->insert_only && op != 'I')
		return 0;
	/* the columns that go, under their names here */
	for (i = 0; i < ev->row->ncols && row.ncols < 1600; i++)
	{
		const char *to = s->has_fields ? NULL : ev->row->cols[i];

		for (j = 0; j < s->nmap; j++)
			if (strcmp(s->from[j], ev->row->cols[i]) == 0)
				to = s->to[j];
		if (to == NULL)
			continue;
		cols[row.ncols] = to;
		vals[row.ncols++] = ev->row->vals[i];
		for (j = 0; j < ev->nkeys && nkeys < 64; j++)
			if (strcmp(ev->keys[j], ev->row->cols[i]) == 0)
				keys[nkeys++] = to;
	}
	if (op != 'I' && nkeys < ev->nkeys)
	{
		ldh_log(LDH_ERROR,
				"dispatch: event %lld on %s: the key columns must be among "
				"fields",
				(long long) ev->id, t->table);
		return -1;
	}
	dest = s->parent;
	if (s->table_mode == 'p')
	{
		int tm[4];

		if (!dispatch_time(t, s, ap, ev, tm, stamp, sizeof(stamp)))
			return -1;
		part_name(t, s, tm, part, sizeof(part));
		if (is_bool_arg(t, "ignore_old_events"))
		{
			const char *p[3] = {part, ldh_arg(t, "retention_period"),
								s->period};
			PGresult *r = PQexecParams(ldh_conn(ap),
									   "select londiste.is_obsolete_partition("
									   "$1, $2::interval, $3)",
									   3, NULL, p, NULL, NULL, 0);
			bool old = PQresultStatus(r) == PGRES_TUPLES_OK &&
					   strcmp(PQgetvalue(r, 0, 0), "t") == 0;

			PQclear(r);
			if (old)
				return 0;
		}
		if (!ensure_part(t, s, ap, part, stamp, ev))
			return -1;
		dest = part;
	}
	if (op == 'U' && s->row_mode == 'l')
	{
		/* keep_latest: the row replaced */
		if (dispatch_put(s, ap, dest, 'D', nkeys, keys, &row) < 0)
			return -1;
		op = 'I';
	}
	else if (op == 'U' && s->row_mode == 'a')
		op = 'I';
	else if (op == 'D' && s->row_mode == 'a')
		return 0;
	return dispatch_put(s, ap, dest, op, op == 'I' ? 0 : nkeys, keys, &row);
}

static int
dispatch_flush(LdhTable *t, LdhApply *ap)
{
	DispatchState *s = t->state;

	return s->net.n ? netset_apply(&s->net, ap) : 0;
}

static int
dispatch_truncate(LdhTable *t, LdhApply *ap)
{
	DispatchState *s = t->state;
	char q[600], sql[700];
	PGresult *r;
	int rc = 0;

	if (is_bool_arg(t, "ignore_truncate") || s->table_mode == 'i')
		return 0;
	if (ldh_sync(ap) < 0)
		return -1;
	/* the parent and (inheritance or declarative) its partitions */
	pg_quote_fqident(q, sizeof(q), s->parent);
	snprintf(sql, sizeof(sql), "truncate %s", q);
	r = PQexec(ldh_conn(ap), sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
	{
		ldh_log(LDH_ERROR, "dispatch: %s: %s", sql, PQresultErrorMessage(r));
		rc = -1;
	}
	PQclear(r);
	return rc;
}

static void
dispatch_free(LdhTable *t)
{
	DispatchState *s = t->state;
	int i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nmap; i++)
	{
		free(s->from[i]);
		free(s->to[i]);
	}
	for (i = 0; i < s->nparts; i++)
		free(s->parts[i]);
	free(s->from);
	free(s->to);
	free(s->parts);
	netset_clear(&s->net);
	free(s);
}

static const LdhDef h_dispatch = {
	.name = "dispatch",
	.summary = "rows into time partitions (declarative or inheritance), "
			   "made when missing; column lists; row modes",
	.params = p_dispatch,
	.details =
		(const char *const[]){
			"table_mode=part|direct|ignore  part_mode=batch_time|event_time|"
			"date_field (+ part_field)|current_time",
			"period=hour|day|month|year  part_name=%(parent)s_%(year)s... "
			"(default parent_YYYY[_MM[_DD[_HH]]])",
			"part_func (default londiste.create_partition: PARTITION OF a "
			"partitioned parent, else a child like it); or part_template, "
			"pre_part, post_part: SQL with _PARENT _PART _PKEY _START_TIME "
			"_END_TIME",
			"row_mode=plain|keep_latest (update = delete + insert)|keep_all "
			"(update = insert, deletes dropped)  event_types=I,U,D",
			"load_mode=direct|bulk (net effect per key)  method=3: inserts "
			"only  fields=a,b:new  skip_fields=c  table=destination",
			"retention_period=INTERVAL drops older partitions; "
			"ignore_old_events=1 skips rows for them",
			NULL},
	.flags = LDH_COPY_ROWS,
	.init = dispatch_init,
	.event = dispatch_event,
	.truncate = dispatch_truncate,
	.flush = dispatch_flush,
	.free = dispatch_free,
};

const LdhDef *
ld_handler_preset(const char *name)
{
	return ld_handler_preset_args(name) ? &h_dispatch : NULL;
}

const LdhDef *const ld_builtin_handlers[] = {
	&h_londiste,   &h_bulk,	   &h_dispatch,	   &h_shard,
	&h_part,	   &h_qtable,  &h_qsplitter,   &h_vtable,
	&h_fake_local, &h_applyfn, &h_multimaster, &ld_obfuscate_handler,
	NULL};
