/*-------------------------------------------------------------------------
 *
 * tg_cache.c
 *	  Per-table and per-trigger caches of the row-capture triggers.
 *
 * Looking up a table's name, primary key and column output functions and
 * parsing a trigger's arguments (preparing its expressions) would cost
 * more than the event itself, so both are kept per backend in a hash by
 * table OID.  A relcache invalidation of the table (ALTER TABLE, a new
 * primary key, CREATE/DROP TRIGGER all send one) or a global one marks the
 * entry stale; it is rebuilt, plans freed, on its next use.  An error while
 * rebuilding leaves the entry stale, so the next call tries again.
 *
 * IDENTIFICATION
 *	  ext/pgq/src/triggers/tg_cache.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "catalog/pg_index.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/relcache.h"

#include "qbuilder.h"
#include "trigger.h"

static HTAB *table_cache = NULL;
static MemoryContext cache_ctx = NULL;

/* Relcache invalidation: mark one table's entry (or all) stale. */
static void
relcache_cb(Datum arg, Oid relid)
{
	HASH_SEQ_STATUS seq;
	PgqTableInfo *info;

	if (table_cache == NULL)
		return;
	if (OidIsValid(relid))
	{
		info = hash_search(table_cache, &relid, HASH_FIND, NULL);
		if (info != NULL)
			info->valid = false;
		return;
	}
	hash_seq_init(&seq, table_cache);
	while ((info = hash_seq_search(&seq)) != NULL)
		info->valid = false;
}

static void
init_cache(void)
{
	HASHCTL ctl;

	cache_ctx = AllocSetContextCreate(TopMemoryContext, "pgq trigger cache",
									  ALLOCSET_SMALL_SIZES);
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(Oid);
	ctl.entrysize = sizeof(PgqTableInfo);
	ctl.hcxt = cache_ctx;
	table_cache = hash_create("pgq trigger table cache", 64, &ctl,
							  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	CacheRegisterRelcacheCallback(relcache_cb, (Datum) 0);
}

/* Free what a (stale) entry holds: saved plans, then its memory. */
static void
clear_info(PgqTableInfo *info)
{
	PgqTriggerInfo *t;
	int i;

	for (t = info->triggers; t != NULL; t = t->next)
		for (i = 0; i < EV_NFIELDS; i++)
			qb_free(t->expr[i]);
	info->triggers = NULL;
	if (info->ctx != NULL)
		MemoryContextDelete(info->ctx);
	info->ctx = NULL;
}

/* The primary key's column names in index order, comma-joined. */
static char *
primary_key_list(Relation rel)
{
	StringInfoData buf;
	Relation idx;
	Oid pkoid;
	int i;

	initStringInfo(&buf);
	list_free(RelationGetIndexList(rel)); /* fills rd_pkindex */
	pkoid = rel->rd_pkindex;
	if (!OidIsValid(pkoid))
		return buf.data;
	idx = index_open(pkoid, AccessShareLock);
	for (i = 0; i < idx->rd_index->indnkeyatts; i++)
	{
		AttrNumber attno = idx->rd_index->indkey.values[i];

		if (i > 0)
			appendStringInfoChar(&buf, ',');
		appendStringInfoString(
			&buf,
			NameStr(TupleDescAttr(RelationGetDescr(rel), attno - 1)->attname));
	}
	index_close(idx, AccessShareLock);
	return buf.data;
}

static void
fill_info(PgqTableInfo *info, Relation rel)
{
	MemoryContext old;

	info->ctx = AllocSetContextCreate(cache_ctx, "pgq trigger table info",
									  ALLOCSET_SMALL_SIZES);
	old = MemoryContextSwitchTo(info->ctx);
	info->schema_name = get_namespace_name(RelationGetNamespace(rel));
	info->rel_name = pstrdup(RelationGetRelationName(rel));
	info->table_name = psprintf("%s.%s", info->schema_name, info->rel_name);
	info->pkey_list = primary_key_list(rel);
	info->natts = RelationGetDescr(rel)->natts;
	info->out_funcs = palloc0(sizeof(FmgrInfo) * (info->natts + 1));
	info->out_valid = palloc0(sizeof(bool) * (info->natts + 1));
	MemoryContextSwitchTo(old);
}

/*
 * The cache entry of a table, built or rebuilt as needed.  Owned by the
 * cache; valid until the next relcache invalidation of the table.
 */
PgqTableInfo *
pgq_table_info(Relation rel)
{
	Oid relid = RelationGetRelid(rel);
	PgqTableInfo *info;
	bool found;

	if (table_cache == NULL)
		init_cache();
	info = hash_search(table_cache, &relid, HASH_ENTER, &found);
	if (!found)
	{
		info->ctx = NULL;
		info->triggers = NULL;
		info->valid = false;
	}
	if (!info->valid)
	{
		clear_info(info);
		fill_info(info, rel);
		info->valid = true;
	}
	return info;
}

/*
 * Step through a comma-separated list of names: the next name's bounds,
 * white space around it dropped, go to *start and *end, and *p moves past
 * it.  Returns false at the end of the list.  Quotes are not interpreted.
 */
bool
pgq_list_next(const char **p, const char **start, const char **end)
{
	const char *s = *p;
	const char *e;

	if (*s == '\0')
		return false;
	while (*s == ' ' || *s == '\t')
		s++;
	for (e = s; *e && *e != ','; e++)
		;
	*p = *e == ',' ? e + 1 : e;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	*start = s;
	*end = e;
	return true;
}

/* Whether name is one of the names of the comma-separated list. */
bool
pgq_list_contains(const char *list, const char *name)
{
	size_t nlen = strlen(name);
	const char *p = list;
	const char *start, *end;

	if (list == NULL)
		return false;
	while (pgq_list_next(&p, &start, &end))
	{
		if ((size_t) (end - start) == nlen && strncmp(start, name, nlen) == 0)
			return true;
	}
	return false;
}

/*
 * Text output of column col (0-based) of row, with the column type's
 * output function (looked up once per table entry).  NULL for SQL NULL.
 * The string is palloc'd in the current context.
 */
char *
pgq_column_text(PgqTableInfo *info, TupleDesc desc, HeapTuple row, int col,
				bool *isnull)
{
	Datum value = heap_getattr(row, col + 1, desc, isnull);

	if (*isnull)
		return NULL;
	if (!info->out_valid[col])
	{
		Oid func;
		bool varlena;

		getTypeOutputInfo(TupleDescAttr(desc, col)->atttypid, &func, &varlena);
		fmgr_info_cxt(func, &info->out_funcs[col], info->ctx);
		info->out_valid[col] = true;
	}
	return OutputFunctionCall(&info->out_funcs[col], value);
}

/* Raise the error for an argument that makes no sense on TRUNCATE. */
static void
check_truncate(TriggerData *tg, const char *msg)
{
	if (TRIGGER_FIRED_BY_TRUNCATE(tg->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("%s", msg)));
}

/* Parse the optional arguments of pgq.logutriga/sqltriga/jsontriga. */
static void
parse_args(PgqTriggerInfo *t, PgqTableInfo *info, TriggerData *tg)
{
	static const char *const exprs[EV_NFIELDS] = {
		"ev_type=",	  "ev_data=",	"ev_extra1=", "ev_extra2=",
		"ev_extra3=", "ev_extra4=", "when="};
	Trigger *trig = tg->tg_trigger;
	TupleDesc desc = RelationGetDescr(tg->tg_relation);
	int i, f;

	for (i = 1; i < trig->tgnargs; i++)
	{
		const char *arg = trig->tgargs[i];

		if (strcmp(arg, "SKIP") == 0)
			t->skip = true;
		else if (strncmp(arg, "ignore=", 7) == 0)
		{
			check_truncate(
				tg, "Column ignore does not make sense for truncate trigger");
			t->ignore_list = pstrdup(arg + 7);
		}
		else if (strncmp(arg, "pkey=", 5) == 0)
		{
			check_truncate(
				tg,
				"Custom pkey_list does not make sense for truncate trigger");
			t->pkey_list = pstrdup(arg + 5);
		}
		else if (strcmp(arg, "backup") == 0)
		{
			check_truncate(tg,
						   "Backup does not make sense for truncate trigger");
			t->backup = true;
		}
		else if (strcmp(arg, "deny") == 0)
			t->deny = true;
		else
		{
			for (f = 0; f < EV_NFIELDS; f++)
				if (strncmp(arg, exprs[f], strlen(exprs[f])) == 0)
					break;
			if (f == EV_NFIELDS)
				ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
								errmsg("bad param to pgq trigger")));
			check_truncate(
				tg,
				"Custom expressions do not make sense for truncater trigger");
			t->expr[f] = qb_create(arg + strlen(exprs[f]), desc, info->ctx);
			t->has_exprs = true;
		}
	}
}

/*
 * The legacy logtriga's column-kind string: one letter per live column,
 * k = key, v = value, i = ignore; columns past the string are ignored.
 * It becomes a pkey list and an ignore list.
 */
static void
parse_kinds(PgqTriggerInfo *t, TriggerData *tg)
{
	const char *kinds = tg->tg_trigger->tgargs[1];
	TupleDesc desc = RelationGetDescr(tg->tg_relation);
	StringInfoData pkeys, ignores;
	int pos = 0, last_key = -1, live = 0, i;

	initStringInfo(&pkeys);
	initStringInfo(&ignores);
	for (i = 0; kinds[i]; i++)
		if (kinds[i] == 'k')
			last_key = i;
	if (last_key < 0)
		ereport(ERROR, (errmsg("need at least one key column")));

	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		char kind;

		if (att->attisdropped)
			continue;
		live++;
		kind = pos < (int) strlen(kinds) ? kinds[pos] : 'i';
		pos++;
		if (kind == 'k')
		{
			if (pkeys.len > 0)
				appendStringInfoChar(&pkeys, ',');
			appendStringInfoString(&pkeys, NameStr(att->attname));
		}
		else if (kind != 'v')
		{
			if (ignores.len > 0)
				appendStringInfoChar(&ignores, ',');
			appendStringInfoString(&ignores, NameStr(att->attname));
		}
	}
	if (last_key >= live)
		ereport(ERROR, (errmsg("key column does not exist")));
	t->pkey_list = pkeys.data;
	t->ignore_list = ignores.len > 0 ? ignores.data : NULL;
}

/*
 * Each column's role for this trigger: key (pkey= or the primary key),
 * skipped (ignore= or magic), magic.  The row loops then test bits instead
 * of parsing the lists again for every column of every row.
 */
static void
set_column_flags(PgqTriggerInfo *t, PgqTableInfo *info, TupleDesc desc)
{
	const char *pkeys = t->pkey_list ? t->pkey_list : info->pkey_list;
	int i;

	t->natts = desc->natts;
	t->colflags = palloc0(desc->natts + 1);
	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		const char *name = NameStr(att->attname);

		if (att->attisdropped)
			continue;
		if (pgq_list_contains(pkeys, name))
			t->colflags[i] |= PGQ_COL_PKEY;
		if (strncmp(name, PGQ_MAGIC_PREFIX, strlen(PGQ_MAGIC_PREFIX)) == 0)
			t->colflags[i] |= PGQ_COL_MAGIC | PGQ_COL_SKIP;
		if (pgq_list_contains(t->ignore_list, name))
			t->colflags[i] |= PGQ_COL_SKIP;
	}
}

/*
 * The parsed arguments of the firing trigger, parsed on first use.
 * newstyle: logutriga/sqltriga/jsontriga arguments; otherwise the legacy
 * logtriga's kind string.  Owned by the table entry.
 */
PgqTriggerInfo *
pgq_trigger_info(PgqTableInfo *info, TriggerData *tg, bool newstyle)
{
	Oid tgoid = tg->tg_trigger->tgoid;
	PgqTriggerInfo *t;
	MemoryContext old;

	for (t = info->triggers; t != NULL; t = t->next)
		if (t->tgoid == tgoid)
			return t;

	old = MemoryContextSwitchTo(info->ctx);
	t = palloc0(sizeof(PgqTriggerInfo));
	t->tgoid = tgoid;
	if (newstyle)
		parse_args(t, info, tg);
	else
		parse_kinds(t, tg);
	set_column_flags(t, info, RelationGetDescr(tg->tg_relation));
	MemoryContextSwitchTo(old);

	t->next = info->triggers;
	info->triggers = t;
	return t;
}
