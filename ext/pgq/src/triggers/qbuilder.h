/*-------------------------------------------------------------------------
 *
 * qbuilder.h
 *	  Trigger argument expressions (ev_type=, ev_data=, ev_extra1..4=,
 *	  when=): SQL text whose column names become query parameters.
 *
 * IDENTIFICATION
 *	  ext/pgq/src/triggers/qbuilder.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGQ_QBUILDER_H
#define PGQ_QBUILDER_H

#include "postgres.h"

#include "access/htup.h"
#include "access/tupdesc.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"

typedef struct QueryBuilder
{
	StringInfoData sql; /* "select <expression, rewritten>" */
	int nargs;
	int *arg_cols; /* parameter k+1 -> column index (0-based) */
	int arg_space;
	SPIPlanPtr plan; /* saved plan, NULL until first use */
} QueryBuilder;

extern QueryBuilder *qb_create(const char *expr, TupleDesc desc,
							   MemoryContext ctx);
extern void qb_execute(QueryBuilder *qb, TupleDesc desc, HeapTuple row);
extern void qb_free(QueryBuilder *qb);

#endif /* PGQ_QBUILDER_H */
