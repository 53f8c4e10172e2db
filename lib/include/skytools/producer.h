/*-------------------------------------------------------------------------
 *
 * producer.h
 *	  Putting events into a queue (pgq.insert_event / insert_event_raw)
 *	  from a program: the scripts that move events between queues, and
 *	  users' producers.
 *
 * IDENTIFICATION
 *	  lib/include/skytools/producer.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SKYTOOLS_PRODUCER_H
#define SKYTOOLS_PRODUCER_H

#include <stdbool.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "skytools/consumer.h"

/*
 * Insert an event of type, data and extra1..4 into queue on db (in db's
 * current transaction, if any).  With ev_time (not NULL) the event keeps
 * that time (a moved event keeps its original one).  Returns the new
 * event's id, or -1 with the error logged.
 */
extern int64_t pgq_insert_event(PGconn *db, const char *queue,
								const char *type, const char *data,
								const char *extra1, const char *extra2,
								const char *extra3, const char *extra4,
								const char *ev_time);

/* An event read from one queue into another, with its time kept. */
extern int64_t pgq_move_event(PGconn *db, const char *queue,
							  const PgqEvent *ev);

#endif /* SKYTOOLS_PRODUCER_H */
