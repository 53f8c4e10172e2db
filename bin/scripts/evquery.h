/*-------------------------------------------------------------------------
 *
 * evquery.h
 *	  What simple_consumer and simple_local_consumer share: dst_query, an
 *	  SQL statement with upstream's %(name)s placeholders, run for a row
 *	  event with the row's columns and the event's own fields
 *	  (pgq.ev_id, pgq.ev_time, pgq.ev_type, pgq.ev_data, pgq.ev_extra1..4,
 *	  pgq.ev_retry) as parameters.
 *
 * IDENTIFICATION
 *	  bin/scripts/evquery.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCRIPTS_EVQUERY_H
#define SCRIPTS_EVQUERY_H

#include <libpq-fe.h>

#include "skytools/consumer.h"
#include "skytools/pyformat.h"

typedef struct EvQuery
{
	SkyPyQuery q;
	char *filter; /* consumer_filter: only events with this ev_extra1 */
} EvQuery;

/* The configured query: false logged (naming the ini). */
extern bool evquery_init(EvQuery *eq, const char *ini, const char *query,
						 const char *filter);
extern void evquery_free(EvQuery *eq);
/* After a reload: the new query, or (a bad one, logged) the old kept. */
extern void evquery_reload(EvQuery *eq, const char *ini, const char *query,
						   const char *filter);

/*
 * Run it for ev on db: 0 done (or the event is not a row event, or
 * filtered out: skipped), -1 failed (logged; the batch is rolled back).
 */
extern int evquery_run(const EvQuery *eq, PGconn *db, const PgqEvent *ev);

#endif /* SCRIPTS_EVQUERY_H */
