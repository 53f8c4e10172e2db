/*-------------------------------------------------------------------------
 *
 * pgq_lowlevel.c
 *	  pgq.insert_event_raw(): the insert path of every PgQ producer.
 *
 * Every event enters a queue through this function, directly or via
 * pgq.insert_event() and the row-capture triggers, so it is kept short
 * and plan-cached:
 *
 *	1. The queue row is read with a statement prepared once per backend.
 *	   The same statement advances the queue's event sequence, before any
 *	   check: the ticker counts new events by that sequence, and callers
 *	   observe that a refused insert still consumes an id.
 *	2. A queue with queue_disable_insert refuses, unless the session runs
 *	   as session_replication_role = replica (cascade workers do).
 *	3. queue_per_tx_limit is enforced with a counter per queue, kept in
 *	   backend memory and keyed by the top-level transaction id.
 *	4. The INSERT into the queue's current event table is prepared once
 *	   per queue and event table; rotation moves a queue to another table
 *	   and the statement is prepared again for it.  Saved plans live in
 *	   the plan cache, so DDL on the tables re-plans them.
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

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
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
#define COL_EVENT_ID  4
#define COL_DISABLED  5
#define COL_TX_LIMIT  6

#define INSERT_NARGS 10

/*
 * What one backend remembers of one queue: the INSERT prepared for its
 * current event table and the per-transaction event counter.
 */
typedef struct QueueCacheEntry
{
	int32 queue_id;			   /* hash key */
	int32 cur_table;		   /* table the plan was prepared for */
	SPIPlanPtr insert_plan;	   /* NULL until prepared */
	TransactionId counter_xid; /* transaction the counter belongs to */
	int32 counter;			   /* events inserted by counter_xid */
} QueueCacheEntry;

static HTAB *queue_cache = NULL;
static SPIPlanPtr queue_lookup_plan = NULL;

static const char *queue_lookup_sql =
	"select queue_id, queue_data_pfx, queue_cur_table,"
	" pg_catalog.nextval(queue_event_seq::pg_catalog.regclass),"
	" queue_disable_insert, queue_per_tx_limit"
	" from pgq.queue where queue_name operator(pg_catalog.=) $1";

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
		entry->counter_xid = InvalidTransactionId;
		entry->counter = 0;
	}
	return entry;
}

/*
 * Make sure entry->insert_plan inserts into <data_pfx>_<cur_table>.
 * The previous plan, if for another table, is freed.
 */
static void
prepare_insert(QueueCacheEntry *entry, const char *data_pfx, int32 cur_table)
{
	Oid types[INSERT_NARGS] = {INT8OID, TIMESTAMPTZOID, INT4OID, INT4OID,
							   TEXTOID, TEXTOID,		TEXTOID, TEXTOID,
							   TEXTOID, TEXTOID};
	char *sql;

	if (entry->insert_plan != NULL && entry->cur_table == cur_table)
		return;

	if (entry->insert_plan != NULL)
	{
		SPI_freeplan(entry->insert_plan);
		entry->insert_plan = NULL;
	}
	sql = psprintf("insert into %s_%d (ev_id, ev_time, ev_owner, ev_retry,"
				   " ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3,"
				   " ev_extra4) values ($1, $2, $3, $4, $5, $6, $7, $8, $9,"
				   " $10)",
				   data_pfx, cur_table);
	entry->insert_plan = prepare_saved(sql, INSERT_NARGS, types);
	entry->cur_table = cur_table;
	pfree(sql);
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
	bool isnull;
	bool disabled;
	Datum limit;
	bool limit_null;
	int i;
	int ret;

	if (ev->nulls[ARG_QUEUE])
		ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						errmsg("Queue name must not be NULL")));

	/* See the header comment: the xid must predate the queue lookup. */
	(void) GetTopTransactionId();

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "pgq: SPI_connect failed");

	if (queue_lookup_plan == NULL)
	{
		Oid types[1] = {TEXTOID};

		queue_lookup_plan = prepare_saved(queue_lookup_sql, 1, types);
	}

	ret = SPI_execute_plan(queue_lookup_plan, &ev->values[ARG_QUEUE], NULL,
						   false, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "pgq: queue lookup failed: %s",
			 SPI_result_code_string(ret));
	queue_name_str = TextDatumGetCString(ev->values[ARG_QUEUE]);
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT), errmsg("No such queue"),
				 errdetail("Queue \"%s\" does not exist.", queue_name_str)));

	queue_id = DatumGetInt32(queue_col(COL_QUEUE_ID, &isnull));
	data_pfx = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc,
							COL_DATA_PFX);
	cur_table = DatumGetInt32(queue_col(COL_CUR_TABLE, &isnull));
	event_id = DatumGetInt64(queue_col(COL_EVENT_ID, &isnull));
	disabled = DatumGetBool(queue_col(COL_DISABLED, &isnull));
	limit = queue_col(COL_TX_LIMIT, &limit_null);

	if (disabled && SessionReplicationRole != SESSION_REPLICATION_ROLE_REPLICA)
		ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
						errmsg("Insert into queue disallowed"),
						errhint("The queue has queue_disable_insert set.")));

	entry = get_queue_entry(queue_id);
	if (!limit_null)
		check_tx_limit(entry, queue_name_str, DatumGetInt32(limit));
	prepare_insert(entry, data_pfx, cur_table);

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

	ret = SPI_execute_plan(entry->insert_plan, values, nulls, false, 0);
	if (ret != SPI_OK_INSERT)
		elog(ERROR, "pgq: event insert failed: %s",
			 SPI_result_code_string(ret));

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
