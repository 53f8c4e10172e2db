/*-------------------------------------------------------------------------
 *
 * producer.c
 *	  Events into a queue (see skytools/producer.h).
 *
 * IDENTIFICATION
 *	  lib/src/producer.c
 *
 *-------------------------------------------------------------------------
 */
#include "skytools/producer.h"

#include <stdlib.h>

#include "skytools/log.h"

int64_t
pgq_insert_event(PGconn *db, const char *queue, const char *type,
				 const char *data, const char *extra1, const char *extra2,
				 const char *extra3, const char *extra4, const char *ev_time)
{
	const char *p[8] = {queue,	type,	data,	extra1,
						extra2, extra3, extra4, ev_time};
	PGresult *res;
	int64_t id = -1;

	if (ev_time)
		res = PQexecParams(db,
						   "select pgq.insert_event_raw($1, null, "
						   "$8::timestamptz, null, null, $2, $3, $4, $5, $6, "
						   "$7)",
						   8, NULL, p, NULL, NULL, 0);
	else
		res = PQexecParams(
			db, "select pgq.insert_event($1, $2, $3, $4, $5, $6, $7)", 7, NULL,
			p, NULL, NULL, 0);
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
		id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	else
		log_error("inserting an event into queue %s: %s", queue,
				  PQresultErrorMessage(res));
	PQclear(res);
	return id;
}

int64_t
pgq_move_event(PGconn *db, const char *queue, const PgqEvent *ev)
{
	return pgq_insert_event(db, queue, ev->type, ev->data, ev->extra1,
							ev->extra2, ev->extra3, ev->extra4, ev->time);
}
