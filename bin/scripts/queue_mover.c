/*-------------------------------------------------------------------------
 *
 * queue_mover.c
 *	  Every event of a queue into a queue of another database, exactly
 *	  once: upstream's queue_mover3.  pgq_ext in dst_db records each batch
 *	  in the transaction that inserts its events.
 *
 *	  [queue_mover3]
 *	  src_db = dbname=sourcedb
 *	  dst_db = dbname=targetdb
 *	  pgq_queue_name = source_queue
 *	  dst_queue_name = dest_queue	(default: the same name)
 *
 *	  The events keep their type, data, extra1..4 and time; they get new
 *	  ids in the target queue.
 *
 * IDENTIFICATION
 *	  bin/scripts/queue_mover.c
 *
 *-------------------------------------------------------------------------
 */
#include <stddef.h>

#include "skytools/consumer_script.h"
#include "skytools/producer.h"

typedef struct Cfg
{
	char *dst_queue_name;
} Cfg;

static const CfKey keys[] = {
	{"dst_queue_name", CF_STR, offsetof(Cfg, dst_queue_name), NULL,
	 "the queue in dst_db; default: the source queue's name"},
	{NULL, CF_STR, 0, NULL, NULL},
};

static int
on_event(PgqConsumer *c, const PgqEvent *ev, void *arg)
{
	Cfg *cfg = sky_consumer_cfg(arg);
	const char *q =
		cfg->dst_queue_name ? cfg->dst_queue_name : sky_consumer_queue(arg);

	return pgq_move_event(sky_consumer_db(c), q, ev) < 0 ? -1 : 0;
}

int
main(int argc, char **argv)
{
	static const SkyConsumerDef def = {
		.service = "queue_mover3",
		.alt_service = "queue_mover",
		.version = "3.0",
		.mode = SKY_CONSUMER_REMOTE,
		.keys = keys,
		.cfg_size = sizeof(Cfg),
		.on_event = on_event,
	};

	return sky_consumer_main(&def, argc, argv);
}
