/*-------------------------------------------------------------------------
 *
 * pgq_batch.c
 *	  pgq._batch_rows(): a batch's events in ev_id order, mostly without
 *	  sorting them.
 *
 * The batch query of pgq.batch_event_sql() ends in ' order by 1': events
 * come out of the event tables' ev_txid index in heap order, and the
 * query sorts them by ev_id.  The sort has to hold every row before the
 * first goes out, and for a batch it costs more than the scan itself.
 * Yet heap order is ev_id order for every event but those that
 * concurrent producers put in out of turn: usually the rows arrive
 * sorted already.
 *
 * So the query runs once without its ORDER BY, its rows go straight into
 * the result's tuplestore, and the first row whose ev_id is below its
 * predecessor's stops it: the tuplestore is emptied and the query runs
 * again as written, sorted by PostgreSQL (which spills to disk as its
 * sorts do).  Either way the result is the batch query's, in its order.
 *
 * The query runs with the caller's snapshot (read-only SPI): inside a
 * cursor it sees what the cursor's own query would have seen.
 *
 * Memory: a batch's rows (or the sort's) take a few MB that are freed at
 * the end of the query.  glibc's malloc gives such memory back to the
 * kernel (munmap, or trimming the heap), so the next batch faults in
 * fresh pages, and on virtual machines page faults cost more than the
 * sort itself: 3.9x the time of a 10000-event batch read, measured.
 * Loading this module (any backend that reads a batch) therefore raises
 * the backend's mmap threshold to 16 MB and its trim threshold to 32 MB:
 * it keeps up to 32 MB of freed heap for the next batch.
 *
 * Portions: none; written for this project.
 *
 * IDENTIFICATION
 *	  ext/pgq/src/pgq_batch.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "executor/tstoreReceiver.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/tuplestore.h"

PG_MODULE_MAGIC;

void _PG_init(void);

void
_PG_init(void)
{
#if defined(__GLIBC__) && defined(M_MMAP_THRESHOLD) &&                        \
	defined(M_TRIM_THRESHOLD)
	mallopt(M_MMAP_THRESHOLD, 16 * 1024 * 1024);
	mallopt(M_TRIM_THRESHOLD, 32 * 1024 * 1024);
#endif
}

#define ORDER_SUFFIX " order by 1"

/* Receives the unsorted query's rows while they come in ev_id order. */
typedef struct SortedReceiver
{
	DestReceiver pub;
	Tuplestorestate *store;
	TupleDesc expected;
	bool any;
	bool last_null; /* the last row stored had a NULL ev_id (sorts last) */
	int64 last;		/* else its ev_id */
	bool unsorted;
} SortedReceiver;

/* The query's columns must be the function's result columns. */
static void
check_columns(TupleDesc got, TupleDesc want)
{
	int i;

	if (got->natts != want->natts)
		ereport(ERROR, (errcode(ERRCODE_DATATYPE_MISMATCH),
						errmsg("batch query returns %d columns, expected %d",
							   got->natts, want->natts)));
	for (i = 0; i < got->natts; i++)
		if (TupleDescAttr(got, i)->atttypid !=
			TupleDescAttr(want, i)->atttypid)
			ereport(
				ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("batch query column %d has type %s, expected %s",
						i + 1, format_type_be(TupleDescAttr(got, i)->atttypid),
						format_type_be(TupleDescAttr(want, i)->atttypid))));
}

static void
sorted_startup(DestReceiver *self, int operation, TupleDesc typeinfo)
{
	SortedReceiver *r = (SortedReceiver *) self;

	check_columns(typeinfo, r->expected);
}

static bool
sorted_receive(TupleTableSlot *slot, DestReceiver *self)
{
	SortedReceiver *r = (SortedReceiver *) self;
	bool isnull;
	Datum d = slot_getattr(slot, 1, &isnull);
	int64 id = isnull ? 0 : DatumGetInt64(d);

	if (r->any && ((r->last_null && !isnull) || (!isnull && id < r->last)))
	{
		r->unsorted = true;
		return false; /* stops the executor */
	}
	tuplestore_puttupleslot(r->store, slot);
	r->any = true;
	r->last_null = isnull;
	if (!isnull)
		r->last = id;
	return true;
}

static void
sorted_shutdown(DestReceiver *self)
{
}

static void
sorted_destroy(DestReceiver *self)
{
}

/* Run sql with dest as receiver, read-only in the caller's snapshot. */
static void
run_into(const char *sql, DestReceiver *dest)
{
	SPIExecuteOptions opts;
	int rc;

	memset(&opts, 0, sizeof(opts));
	opts.read_only = true;
	opts.dest = dest;
	rc = SPI_execute_extended(sql, &opts);
	/* a SELECT into a receiver of our own counts as a utility */
	if (rc != SPI_OK_SELECT && rc != SPI_OK_UTILITY)
		elog(ERROR, "batch query failed: %s", SPI_result_code_string(rc));
}

PG_FUNCTION_INFO_V1(pgq_batch_rows);

/*
 * pgq._batch_rows(i_sql text): the rows of i_sql, a batch query as made
 * by pgq.batch_event_sql() (ending in ' order by 1'), in that order.
 */
Datum
pgq_batch_rows(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char *sql = text_to_cstring(PG_GETARG_TEXT_PP(0));
	size_t len = strlen(sql), slen = strlen(ORDER_SUFFIX);
	SortedReceiver r;
	char *unsorted_sql;
	MemoryContext oldcxt;

	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);

	if (len <= slen || strcmp(sql + len - slen, ORDER_SUFFIX) != 0)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("batch query must end in '%s'", ORDER_SUFFIX)));
	unsorted_sql = pnstrdup(sql, len - slen);

	memset(&r, 0, sizeof(r));
	r.pub.receiveSlot = sorted_receive;
	r.pub.rStartup = sorted_startup;
	r.pub.rShutdown = sorted_shutdown;
	r.pub.rDestroy = sorted_destroy;
	r.pub.mydest = DestNone;
	r.store = rsinfo->setResult;
	r.expected = rsinfo->setDesc;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	/* the tuplestore keeps rows in its own context; stay in ours */
	oldcxt = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
	run_into(unsorted_sql, &r.pub);
	if (r.unsorted)
	{
		DestReceiver *dest = CreateTuplestoreDestReceiver();

		tuplestore_clear(r.store);
		SetTuplestoreDestReceiverParams(
			dest, r.store, rsinfo->econtext->ecxt_per_query_memory, false,
			NULL, NULL);
		run_into(sql, dest);
		dest->rDestroy(dest);
	}
	MemoryContextSwitchTo(oldcxt);
	SPI_finish();
	return (Datum) 0;
}
