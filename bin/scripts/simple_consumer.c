/*-------------------------------------------------------------------------
 *
 * simple_consumer.c
 *	  For every row event of a queue, dst_query with the row's columns:
 *	  upstream's simple_consumer3.
 *
 *	  [simple_consumer3]
 *	  src_db = dbname=queuedb
 *	  dst_db = dbname=target		(optional: the queue's database)
 *	  queue_name = q
 *	  dst_query = insert into t (id, v) values (%(id)s, %(v)s)
 *
 *	  Without dst_db the statement runs in the transaction that finishes
 *	  the batch; with one, pgq_ext there records the batch in the same
 *	  transaction (without pgq_ext: a warning, and a batch may be applied
 *	  twice after a crash).  Either way a failing statement rolls the batch
 *	  back, and it comes again.
 *
 * IDENTIFICATION
 *	  bin/scripts/simple_consumer.c
 *
 *-------------------------------------------------------------------------
 */
#include <stddef.h>

#include "evquery.h"
#include "skytools/consumer_script.h"

typedef struct Cfg
{
	char *dst_query;
	char *consumer_filter;
} Cfg;

static const CfKey keys[] = {
	{"dst_query", CF_STR, offsetof(Cfg, dst_query), NULL,
	 "the statement per row event: %(column)s, %(pgq.ev_id)s, ..."},
	{"consumer_filter", CF_STR, offsetof(Cfg, consumer_filter), NULL,
	 "only events whose ev_extra1 (the table) is this"},
	{NULL, CF_STR, 0, NULL, NULL},
};

static EvQuery eq;

static int
start(SkyScript *s)
{
	Cfg *c = sky_consumer_cfg(s);

	return evquery_init(&eq, sky_script_ini(s), c->dst_query,
						c->consumer_filter)
			   ? 0
			   : 1;
}

static void
reload(SkyScript *s)
{
	Cfg *c = sky_consumer_cfg(s);

	evquery_reload(&eq, sky_script_ini(s), c->dst_query, c->consumer_filter);
}

static void
stop(SkyScript *s)
{
	(void) s;
	evquery_free(&eq);
}

static int
on_event(PgqConsumer *c, const PgqEvent *ev, void *arg)
{
	(void) arg;
	return evquery_run(&eq, sky_consumer_db(c), ev);
}

int
main(int argc, char **argv)
{
	static const SkyConsumerDef def = {
		.service = "simple_consumer3",
		.alt_service = "simple_consumer",
		.version = "3.0",
		.mode = SKY_CONSUMER_REMOTE,
		.dst_optional = true,
		.untracked_ok = true,
		.keys = keys,
		.cfg_size = sizeof(Cfg),
		.start = start,
		.on_event = on_event,
		.reload = reload,
		.stop = stop,
	};

	return sky_consumer_main(&def, argc, argv);
}
