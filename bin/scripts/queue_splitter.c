/*-------------------------------------------------------------------------
 *
 * queue_splitter.c
 *	  Every event of a queue into the queue of another database that its
 *	  ev_extra1 names, exactly once: upstream's queue_splitter3.  pgq_ext
 *	  in dst_db records each batch in the transaction that inserts its
 *	  events.
 *
 *	  [queue_splitter3]
 *	  src_db = dbname=sourcedb
 *	  dst_db = dbname=targetdb
 *	  pgq_queue_name = source_queue
 *
 *	  An event without ev_extra1, or naming a queue dst_db does not have,
 *	  stops the batch with an error: it comes again (after
 *	  exception_sleep) until the queue exists.  Nothing is dropped.
 *
 * IDENTIFICATION
 *	  bin/scripts/queue_splitter.c
 *
 *-------------------------------------------------------------------------
 */
#include <inttypes.h>
#include <stddef.h>

#include "skytools/consumer_script.h"
#include "skytools/log.h"
#include "skytools/producer.h"

static int
on_event(PgqConsumer *c, const PgqEvent *ev, void *arg)
{
	(void) arg;
	if (ev->extra1 == NULL || ev->extra1[0] == '\0')
	{
		log_error("event %" PRId64 " has no ev_extra1: no queue to put it in",
				  ev->id);
		return -1;
	}
	return pgq_move_event(sky_consumer_db(c), ev->extra1, ev) < 0 ? -1 : 0;
}

int
main(int argc, char **argv)
{
	static const SkyConsumerDef def = {
		.service = "queue_splitter3",
		.alt_service = "queue_splitter",
		.version = "3.0",
		.mode = SKY_CONSUMER_REMOTE,
		.on_event = on_event,
	};

	return sky_consumer_main(&def, argc, argv);
}
