/*-------------------------------------------------------------------------
 *
 * pgq_lowlevel.c
 *	  pgq.insert_event_raw(): the insert path of every PgQ producer.
 *
 * Every event enters a queue through this function, directly or via
 * pgq.insert_event() and the row-capture triggers, so it avoids SQL where
 * it can:
 *
 *	1. The queue row is read with a statement prepared once per backend,
 *	   and kept: later calls in the transaction check with one heap fetch
 *	   that the row version read is still the one their snapshot sees.
 *	2. The event id comes from the queue's sequence (nextval_internal),
 *	   before any check: the ticker counts new events by that sequence,
 *	   and callers observe that a refused insert still consumes an id.
 *	3. A queue with queue_disable_insert refuses, unless the session runs
 *	   as session_replication_role = replica (cascade workers do).
 *	4. queue_per_tx_limit is enforced with a counter per queue, kept in
 *	   backend memory and keyed by the top-level transaction id.
 *	5. A plain event table (see table_is_plain) is written directly, heap
 *	   tuple and index entries; any other goes through an INSERT prepared
 *	   once per table.  Rotation moves a queue to another table, and a
 *	   relcache invalidation (a new trigger, index, column) re-checks it.
 *
 * Rotation safety: the transaction id is assigned before the queue row is
 * read.  A statement that still sees the old current table therefore has
 * a txid below the rotation's step2 mark, and pgq.batch_event_tables()
 * looks in the old table for every such transaction.
 *
 * Portions: none; written for this project.
 *
 * IDENTIFICATION
 *	  ext/pgq/src/pgq_lowlevel.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/index.h"
#include "catalog/namespace.h"
#include "catalog/pg_am.h"
#include "catalog/pg_type.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "nodes/execnodes.h"
#include "utils/acl.h"
#include "utils/lsyscache.h"
#include "storage/bufmgr.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/varlena.h"
#include "commands/sequence.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(pgq_insert_event_raw);
PG_FUNCTION_INFO_V1(pgq_insert_event);

/* Argument positions of pgq.insert_event_raw(). */
#define ARG_QUEUE	   0
#define ARG_EV_ID	   1
#define ARG_EV_TIME	   2
#define ARG_EV_OWNER   3
#define ARG_EV_RETRY   4
#define ARG_EV_TYPE	   5
#define ARG_FIRST_TEXT ARG_EV_TYPE
#define ARG_COUNT	   11

/* Columns of the queue lookup. */
#define COL_QUEUE_ID  1
#define COL_DATA_PFX  2
#define COL_CUR_TABLE 3
#define COL_EVENT_SEQ 4
#define COL_DISABLED  5
#define COL_TX_LIMIT  6
#define COL_CTID	  7
#define COL_XMIN	  8
#define COL_TABLEOID  9

#define INSERT_NARGS 10

/*
 * What one backend remembers of one queue: the INSERT prepared for its
 * current event table and the per-transaction event counter.
 */
typedef struct QueueCacheEntry
{
	int32 queue_id;			/* hash key */
	int32 cur_table;		/* table the plan was prepared for */
	SPIPlanPtr insert_plan; /* NULL until prepared */
	Oid table_oid;			/* <data_pfx>_<cur_table>, for the direct path */
	bool direct;			/* the table is plain enough to skip SQL */
	bool checked;			/* direct is current (relcache callback) */
	MemoryContext idx_cxt;	/* holds the two arrays below */
	int nidx;				/* the table's indexes, for the direct path */
	Oid *idx_oid;
	IndexInfo **idx_info;
	int16 attnum[INSERT_NARGS + 1]; /* column of each value, ev_txid last */
	TransactionId counter_xid;		/* transaction the counter belongs to */
	int32 counter;					/* events inserted by counter_xid */
} QueueCacheEntry;

static HTAB *queue_cache = NULL;
static SPIPlanPtr queue_lookup_plan = NULL;

static const char *queue_lookup_sql =
	"select queue_id, queue_data_pfx, queue_cur_table,"
	" queue_event_seq::pg_catalog.regclass, queue_disable_insert,"
	" queue_per_tx_limit, ctid, xmin, tableoid"
	" from pgq.queue where queue_name operator(pg_catalog.=) $1";

/*
 * The queue row last read, kept while the row stays the same: a call for
 * the same queue in the same transaction checks, with one heap fetch,
 * that the row version it read is still the one its snapshot sees, and
 * skips the lookup.  Any update of the row (rotation, configuration) is a
 * new version and a miss.  Transaction and subtransaction ends forget it.
 */
typedef struct QueueRow
{
	bool valid;
	uint64 gen;			  /* xact_gen when read */
	char *name;			  /* in TopMemoryContext */
	ItemPointerData ctid; /* of the row version read */
	TransactionId xmin;
	Oid queue_rel; /* pgq.queue */
	int32 queue_id;
	char *data_pfx; /* in TopMemoryContext */
	int32 cur_table;
	Oid event_seq;
	bool disabled;
	bool limit_null;
	int32 limit;
} QueueRow;

static QueueRow last_row;
static uint64 xact_gen = 0;
static bool callbacks_registered = false;

/* Relcache invalidation: re-check the tables whose definition changed. */
static void
table_changed(Datum arg, Oid relid)
{
	HASH_SEQ_STATUS st;
	QueueCacheEntry *entry;

	if (queue_cache == NULL)
		return;
	hash_seq_init(&st, queue_cache);
	while ((entry = hash_seq_search(&st)) != NULL)
		if (relid == InvalidOid || entry->table_oid == relid)
			entry->checked = false;
}

static void
forget_row_xact(XactEvent event, void *arg)
{
	xact_gen++;
}

static void
forget_row_subxact(SubXactEvent event, SubTransactionId mySubid,
				   SubTransactionId parentSubid, void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB)
		xact_gen++;
}

/*
 * Prepare a statement and keep it for the life of the backend.
 * Errors from SPI are raised; the returned plan is never freed.
 */
static SPIPlanPtr
prepare_saved(const char *sql, int nargs, Oid *argtypes)
{
	SPIPlanPtr plan = SPI_prepare(sql, nargs, argtypes);

	if (plan == NULL)
		elog(ERROR, "pgq: SPI_prepare failed: %s",
			 SPI_result_code_string(SPI_result));
	if (SPI_keepplan(plan) != 0)
		elog(ERROR, "pgq: SPI_keepplan failed");
	return plan;
}

/*
 * Look up (creating on first use) the backend's entry for a queue.
 * The entry lives in TopMemoryContext for the life of the backend.
 */
static QueueCacheEntry *
get_queue_entry(int32 queue_id)
{
	QueueCacheEntry *entry;
	bool found;

	if (queue_cache == NULL)
	{
		HASHCTL ctl;

		memset(&ctl, 0, sizeof(ctl));
		ctl.keysize = sizeof(int32);
		ctl.entrysize = sizeof(QueueCacheEntry);
		queue_cache =
			hash_create("pgq queue cache", 16, &ctl, HASH_ELEM | HASH_BLOBS);
	}
	entry = hash_search(queue_cache, &queue_id, HASH_ENTER, &found);
	if (!found)
	{
		entry->cur_table = -1;
		entry->insert_plan = NULL;
		entry->table_oid = InvalidOid;
		entry->direct = false;
		entry->checked = false;
		entry->idx_cxt = NULL;
		entry->nidx = 0;
		entry->counter_xid = InvalidTransactionId;
		entry->counter = 0;
	}
	return entry;
}

/* The event columns in the order of the INSERT's values, ev_txid last. */
static const char *const event_cols[INSERT_NARGS + 1] = {
	"ev_id",	 "ev_time",	  "ev_owner",  "ev_retry",	"ev_type", "ev_data",
	"ev_extra1", "ev_extra2", "ev_extra3", "ev_extra4", "ev_txid"};
static const Oid event_col_types[INSERT_NARGS + 1] = {
	INT8OID, TIMESTAMPTZOID, INT4OID, INT4OID, TEXTOID, TEXTOID,
	TEXTOID, TEXTOID,		 TEXTOID, TEXTOID, INT8OID};

/*
 * Whether events can go into rel without SQL: a heap table with exactly
 * the event columns (types as in pgq.event_template), no triggers, rules,
 * row security, CHECK constraints, generated columns or NOT NULL beyond
 * ev_id, ev_time and ev_txid (always given), and only plain, immediate,
 * valid indexes.  Anything else takes the SQL path, which handles it all.
 * Fills entry->attnum.
 */
static bool
table_is_plain(Relation rel, QueueCacheEntry *entry)
{
	TupleDesc td = RelationGetDescr(rel);
	MemoryContext old;
	List *indexes;
	ListCell *lc;
	bool plain = true;
	int live = 0;
	int i;

	if (rel->rd_rel->relkind != RELKIND_RELATION ||
		rel->rd_rel->relam != HEAP_TABLE_AM_OID || rel->trigdesc != NULL ||
		rel->rd_rules != NULL || rel->rd_rel->relrowsecurity)
		return false;
	if (td->constr &&
		(td->constr->num_check > 0 || td->constr->has_generated_stored))
		return false;
	for (i = 0; i < INSERT_NARGS + 1; i++)
	{
		int a;

		for (a = 0; a < td->natts; a++)
		{
			Form_pg_attribute att = TupleDescAttr(td, a);

			if (!att->attisdropped &&
				strcmp(NameStr(att->attname), event_cols[i]) == 0)
				break;
		}
		if (a == td->natts ||
			TupleDescAttr(td, a)->atttypid != event_col_types[i])
			return false;
		entry->attnum[i] = a + 1;
	}
	for (i = 0; i < td->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(td, i);

		if (att->attisdropped)
			continue;
		live++;
		if (att->attnotnull && i + 1 != entry->attnum[0] &&
			i + 1 != entry->attnum[1] && i + 1 != entry->attnum[INSERT_NARGS])
			return false;
	}
	if (live != INSERT_NARGS + 1)
		return false;

	/* the indexes and their IndexInfo, kept until the table changes */
	if (entry->idx_cxt == NULL)
		entry->idx_cxt = AllocSetContextCreate(
			TopMemoryContext, "pgq event table indexes", ALLOCSET_SMALL_SIZES);
	MemoryContextReset(entry->idx_cxt);
	old = MemoryContextSwitchTo(entry->idx_cxt);
	indexes = RelationGetIndexList(rel);
	entry->nidx = list_length(indexes);
	entry->idx_oid = palloc(Max(entry->nidx, 1) * sizeof(Oid));
	entry->idx_info = palloc(Max(entry->nidx, 1) * sizeof(IndexInfo *));
	i = 0;
	foreach (lc, indexes)
	{
		Relation idx = index_open(lfirst_oid(lc), AccessShareLock);
		Form_pg_index ix = idx->rd_index;

		if (RelationGetIndexExpressions(idx) != NIL ||
			RelationGetIndexPredicate(idx) != NIL || !ix->indisvalid ||
			!ix->indisready || !ix->indimmediate || ix->indisexclusion)
			plain = false;
		entry->idx_oid[i] = lfirst_oid(lc);
		entry->idx_info[i] = BuildIndexInfo(idx);
		i++;
		index_close(idx, AccessShareLock);
	}
	MemoryContextSwitchTo(old);
	return plain;
}

/*
 * Insert one event straight into the heap and its indexes: what the SQL
 * INSERT does for a plain table (table_is_plain), without planning or
 * executor start-up.  The caller checked the queue; INSERT privilege on
 * the table is checked here, as the SQL path would.  Returns false, having
 * done nothing, when the table is not plain: the caller uses SQL.
 */
static bool
direct_insert(QueueCacheEntry *entry, Datum *values, char *nulls)
{
	Relation rel;
	TupleDesc td;
	Datum *tv;
	bool *tn;
	HeapTuple tup;
	int i;

	/* the lock makes pending invalidations (a new trigger...) arrive */
	rel = table_open(entry->table_oid, RowExclusiveLock);
	if (!entry->checked)
	{
		entry->checked = true;
		entry->direct = table_is_plain(rel, entry);
	}
	if (!entry->direct)
	{
		table_close(rel, NoLock);
		return false;
	}
	td = RelationGetDescr(rel);
	tv = palloc0(td->natts * sizeof(Datum));
	tn = palloc(td->natts * sizeof(bool));

	if (pg_class_aclcheck(entry->table_oid, GetUserId(), ACL_INSERT) !=
		ACLCHECK_OK)
		aclcheck_error(ACLCHECK_NO_PRIV, OBJECT_TABLE,
					   RelationGetRelationName(rel));

	memset(tn, true, td->natts * sizeof(bool));
	for (i = 0; i < INSERT_NARGS; i++)
	{
		tv[entry->attnum[i] - 1] = values[i];
		tn[entry->attnum[i] - 1] = nulls[i] == 'n';
	}
	tv[entry->attnum[INSERT_NARGS] - 1] = Int64GetDatum(
		(int64) U64FromFullTransactionId(GetTopFullTransactionId()));
	tn[entry->attnum[INSERT_NARGS] - 1] = false;

	tup = heap_form_tuple(td, tv, tn);
	heap_insert(rel, tup, GetCurrentCommandId(true), 0, NULL);

	if (entry->nidx > 0)
	{
		TupleTableSlot *slot = MakeSingleTupleTableSlot(td, &TTSOpsHeapTuple);

		ExecStoreHeapTuple(tup, slot, false);
		for (i = 0; i < entry->nidx; i++)
		{
			Relation idx = index_open(entry->idx_oid[i], RowExclusiveLock);
			IndexInfo *ii = entry->idx_info[i];
			Datum iv[INDEX_MAX_KEYS];
			bool in[INDEX_MAX_KEYS];

			FormIndexDatum(ii, slot, NULL, iv, in);
			index_insert(idx, iv, in, &tup->t_self, rel,
						 idx->rd_index->indisunique ? UNIQUE_CHECK_YES
													: UNIQUE_CHECK_NO,
#if PG_VERSION_NUM >= 140000
						 false,
#endif
						 ii);
			index_close(idx, NoLock);
		}
		ExecDropSingleTupleTableSlot(slot);
	}
	heap_freetuple(tup);
	pfree(tv);
	pfree(tn);
	table_close(rel, NoLock);
	return true;
}

/*
 * Point entry at <data_pfx>_<cur_table> (on first use and after rotation):
 * resolve the table, decide whether the direct path can write it, and
 * forget the INSERT plan made for the previous table.
 */
static void
use_table(QueueCacheEntry *entry, const char *data_pfx, int32 cur_table)
{
	char *tname = psprintf("%s_%d", data_pfx, cur_table);
	RangeVar *rv = makeRangeVarFromNameList(
		textToQualifiedNameList(cstring_to_text(tname)));
	Relation rel;

	if (entry->insert_plan != NULL)
	{
		SPI_freeplan(entry->insert_plan);
		entry->insert_plan = NULL;
	}
	entry->table_oid = RangeVarGetRelid(rv, RowExclusiveLock, false);
	rel = table_open(entry->table_oid, NoLock);
	entry->direct = table_is_plain(rel, entry);
	entry->checked = true;
	table_close(rel, NoLock);
	entry->cur_table = cur_table;
	pfree(tname);
}

/*
 * The SQL path, for tables the direct path does not write: an INSERT
 * prepared once per table (saved plans are re-planned after DDL).  SPI
 * must be connected.
 */
static void
sql_insert(QueueCacheEntry *entry, const char *data_pfx, Datum *values,
		   char *nulls)
{
	int ret;

	if (entry->insert_plan == NULL)
	{
		Oid types[INSERT_NARGS] = {INT8OID, TIMESTAMPTZOID, INT4OID, INT4OID,
								   TEXTOID, TEXTOID,		TEXTOID, TEXTOID,
								   TEXTOID, TEXTOID};
		char *sql = psprintf(
			"insert into %s_%d (ev_id, ev_time, ev_owner, ev_retry,"
			" ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3,"
			" ev_extra4) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
			data_pfx, entry->cur_table);

		entry->insert_plan = prepare_saved(sql, INSERT_NARGS, types);
		pfree(sql);
	}
	ret = SPI_execute_plan(entry->insert_plan, values, nulls, false, 0);
	if (ret != SPI_OK_INSERT)
		elog(ERROR, "pgq: event insert failed: %s",
			 SPI_result_code_string(ret));
}

/*
 * Count one more event of this transaction against the queue's limit and
 * raise the upstream error when it is exceeded.
 */
static void
check_tx_limit(QueueCacheEntry *entry, const char *queue_name, int32 limit)
{
	TransactionId xid = GetTopTransactionId();

	if (entry->counter_xid != xid)
	{
		entry->counter_xid = xid;
		entry->counter = 0;
	}
	entry->counter++;
	if (entry->counter > limit)
		ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						errmsg("Queue '%s' allows max %d events from one TX",
							   queue_name, limit)));
}

/* Fetch a column of the queue lookup's only row; NULL -> *isnull. */
static Datum
queue_col(int col, bool *isnull)
{
	return SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, col,
						 isnull);
}

/* The eleven arguments of pgq.insert_event_raw(), NULLs marked. */
typedef struct RawEvent
{
	Datum values[ARG_COUNT];
	bool nulls[ARG_COUNT];
} RawEvent;

/* Connect to SPI once per call, when SQL is needed. */
static void
connect_spi(bool *connected)
{
	if (*connected)
		return;
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "pgq: SPI_connect failed");
	*connected = true;
}

/* Whether last_row is the row of queue name, as the snapshot sees it. */
static bool
row_still_valid(const char *name)
{
	Relation qrel;
	HeapTupleData tuple;
	Buffer buf = InvalidBuffer;
	bool ok;

	if (!last_row.valid || last_row.gen != xact_gen ||
		strcmp(last_row.name, name) != 0 || !ActiveSnapshotSet())
		return false;
	qrel = table_open(last_row.queue_rel, AccessShareLock);
	tuple.t_self = last_row.ctid;
	ok = heap_fetch(qrel, GetActiveSnapshot(), &tuple, &buf, false) &&
		 TransactionIdEquals(HeapTupleHeaderGetXmin(tuple.t_data),
							 last_row.xmin);
	if (BufferIsValid(buf))
		ReleaseBuffer(buf);
	table_close(qrel, AccessShareLock);
	return ok;
}

/* Read the queue row with SQL into last_row; "No such queue" if none. */
static void
read_queue_row(Datum *name_datum, const char *name)
{
	MemoryContext old;
	bool isnull;
	int ret;

	if (!callbacks_registered)
	{
		RegisterXactCallback(forget_row_xact, NULL);
		RegisterSubXactCallback(forget_row_subxact, NULL);
		CacheRegisterRelcacheCallback(table_changed, (Datum) 0);
		callbacks_registered = true;
	}
	last_row.valid = false;

	if (queue_lookup_plan == NULL)
	{
		Oid types[1] = {TEXTOID};

		queue_lookup_plan = prepare_saved(queue_lookup_sql, 1, types);
	}
	ret = SPI_execute_plan(queue_lookup_plan, name_datum, NULL, false, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "pgq: queue lookup failed: %s",
			 SPI_result_code_string(ret));
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT), errmsg("No such queue"),
				 errdetail("Queue \"%s\" does not exist.", name)));

	if (last_row.name)
		pfree(last_row.name);
	if (last_row.data_pfx)
		pfree(last_row.data_pfx);
	old = MemoryContextSwitchTo(TopMemoryContext);
	last_row.name = pstrdup(name);
	last_row.data_pfx = SPI_getvalue(SPI_tuptable->vals[0],
									 SPI_tuptable->tupdesc, COL_DATA_PFX);
	MemoryContextSwitchTo(old);
	last_row.queue_id = DatumGetInt32(queue_col(COL_QUEUE_ID, &isnull));
	last_row.cur_table = DatumGetInt32(queue_col(COL_CUR_TABLE, &isnull));
	last_row.event_seq = DatumGetObjectId(queue_col(COL_EVENT_SEQ, &isnull));
	last_row.disabled = DatumGetBool(queue_col(COL_DISABLED, &isnull));
	last_row.limit =
		DatumGetInt32(queue_col(COL_TX_LIMIT, &last_row.limit_null));
	last_row.ctid =
		*(ItemPointer) DatumGetPointer(queue_col(COL_CTID, &isnull));
	last_row.xmin = DatumGetTransactionId(queue_col(COL_XMIN, &isnull));
	last_row.queue_rel = DatumGetObjectId(queue_col(COL_TABLEOID, &isnull));
	last_row.gen = xact_gen;
	last_row.valid = true;
}

/*
 * Insert one event; returns its id.  Runs with whatever user the caller
 * is (insert_event_raw) or the function owner (insert_event, SECURITY
 * DEFINER).  Every statement it runs is search_path-proof: tables,
 * functions, casts and operators are schema-qualified, and column
 * defaults are stored bound to their objects.
 */
static int64
insert_event(RawEvent *ev)
{
	Datum values[INSERT_NARGS];
	char nulls[INSERT_NARGS];
	char *queue_name_str;
	char *data_pfx;
	QueueCacheEntry *entry;
	int32 queue_id;
	int32 cur_table;
	int64 event_id;
	bool spi = false;
	int i;

	if (ev->nulls[ARG_QUEUE])
		ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						errmsg("Queue name must not be NULL")));

	/* See the header comment: the xid must predate the queue lookup. */
	(void) GetTopTransactionId();

	queue_name_str = TextDatumGetCString(ev->values[ARG_QUEUE]);
	if (!row_still_valid(queue_name_str))
	{
		connect_spi(&spi);
		read_queue_row(&ev->values[ARG_QUEUE], queue_name_str);
	}
	queue_id = last_row.queue_id;
	data_pfx = last_row.data_pfx;
	cur_table = last_row.cur_table;

	/* before any check, as upstream: a refused insert uses an id too */
	event_id = nextval_internal(last_row.event_seq, true);

	if (last_row.disabled &&
		SessionReplicationRole != SESSION_REPLICATION_ROLE_REPLICA)
		ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
						errmsg("Insert into queue disallowed"),
						errhint("The queue has queue_disable_insert set.")));

	entry = get_queue_entry(queue_id);
	if (!last_row.limit_null)
		check_tx_limit(entry, queue_name_str, last_row.limit);
	if (entry->cur_table != cur_table)
		use_table(entry, data_pfx, cur_table);

	if (!ev->nulls[ARG_EV_ID])
		event_id = DatumGetInt64(ev->values[ARG_EV_ID]);
	values[0] = Int64GetDatum(event_id);
	nulls[0] = ' ';
	if (ev->nulls[ARG_EV_TIME])
		values[1] = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
	else
		values[1] = ev->values[ARG_EV_TIME];
	nulls[1] = ' ';
	for (i = ARG_EV_OWNER; i < ARG_COUNT; i++)
	{
		values[i - 1] = ev->values[i];
		nulls[i - 1] = ev->nulls[i] ? 'n' : ' ';
	}

	if (!direct_insert(entry, values, nulls))
	{
		connect_spi(&spi);
		sql_insert(entry, data_pfx, values, nulls);
	}

	if (spi)
		SPI_finish();
	return event_id;
}

/*
 * pgq.insert_event_raw(queue_name text, ev_id bigint, ev_time timestamptz,
 *		ev_owner int4, ev_retry int4, ev_type text, ev_data text,
 *		ev_extra1 text, ev_extra2 text, ev_extra3 text, ev_extra4 text)
 *
 * Insert one event; returns its id.  Arguments past the ones declared are
 * taken as NULL, so older declarations with fewer extras keep working.
 */
Datum
pgq_insert_event_raw(PG_FUNCTION_ARGS)
{
	RawEvent ev;
	int i;

	if (PG_NARGS() < ARG_FIRST_TEXT + 1)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("Need at least 6 arguments")));
	for (i = 0; i < ARG_COUNT; i++)
	{
		ev.nulls[i] = i >= PG_NARGS() || PG_ARGISNULL(i);
		ev.values[i] = ev.nulls[i] ? (Datum) 0 : PG_GETARG_DATUM(i);
	}
	PG_RETURN_INT64(insert_event(&ev));
}

/*
 * pgq.insert_event(queue_name text, ev_type text, ev_data text,
 *		ev_extra1 text, ev_extra2 text, ev_extra3 text, ev_extra4 text)
 *
 * SECURITY DEFINER: producers (pgq_writer) and row-capture triggers insert
 * through it without rights on the event tables.  It is C so that the
 * trigger path pays for no PL/pgSQL call and no search_path switch, and
 * needs no SET search_path: insert_event() runs only search_path-proof SQL
 * (the security suite tries a hijack).  Returns the event id.
 */
Datum
pgq_insert_event(PG_FUNCTION_ARGS)
{
	RawEvent ev;
	int i;

	memset(&ev, 0, sizeof(ev));
	for (i = 0; i < ARG_COUNT; i++)
		ev.nulls[i] = true;
	ev.nulls[ARG_QUEUE] = PG_ARGISNULL(0);
	ev.values[ARG_QUEUE] = PG_ARGISNULL(0) ? (Datum) 0 : PG_GETARG_DATUM(0);
	for (i = 1; i < 7; i++)
	{
		ev.nulls[ARG_EV_TYPE + i - 1] = PG_ARGISNULL(i);
		ev.values[ARG_EV_TYPE + i - 1] =
			PG_ARGISNULL(i) ? (Datum) 0 : PG_GETARG_DATUM(i);
	}
	PG_RETURN_INT64(insert_event(&ev));
}
