/*-------------------------------------------------------------------------
 *
 * simple_local_consumer.c
 *	  simple_consumer whose position is kept by a node of a pgq_node
 *	  cascade (upstream's simple_local_consumer3 kept it in a local file):
 *	  it reads its provider's queue, at first the node's own, and moves to
 *	  another node's when pgq_node.change_consumer_provider says so,
 *	  without a gap or a repeat.
 *
 *	  [simple_local_consumer3]
 *	  db = dbname=node2				(or src_db)
 *	  queue_name = q
 *	  dst_query = insert into t (id, v) values (%(id)s, %(v)s)
 *
 *	  The statement runs on the node in the transaction that records the
 *	  position: exactly once.  With dst_db it runs there instead, each
 *	  statement on its own (a crash may repeat a batch's statements).
 *
 * IDENTIFICATION
 *	  bin/scripts/simple_local_consumer.c
 *
 *-------------------------------------------------------------------------
 */
#include <stddef.h>

#include "evquery.h"
#include "skytools/consumer_script.h"
#include "skytools/log.h"

typedef struct Cfg
{
	char *dst_query;
	char *consumer_filter;
	char *dst_db;
	char *local_tracking_file;
} Cfg;

static const CfKey keys[] = {
	{"dst_query", CF_STR, offsetof(Cfg, dst_query), NULL,
	 "the statement per row event: %(column)s, %(pgq.ev_id)s, ..."},
	{"consumer_filter", CF_STR, offsetof(Cfg, consumer_filter), NULL,
	 "only events whose ev_extra1 (the table) is this"},
	{"dst_db", CF_STR, offsetof(Cfg, dst_db), NULL,
	 "run dst_query here instead of on the node (not exactly once)"},
	{"local_tracking_file", CF_FILE, offsetof(Cfg, local_tracking_file), NULL,
	 "upstream's position file: not used, the node keeps the position"},
	{NULL, CF_STR, 0, NULL, NULL},
};

static EvQuery eq;
static PGconn *dst;

static int
start(SkyScript *s)
{
	Cfg *c = sky_consumer_cfg(s);

	if (c->dst_db)
		log_warning("dst_db is set: its statements commit on their own, "
					"a crash may repeat some");
	if (c->local_tracking_file)
		log_warning("local_tracking_file is not used: the node keeps the "
					"position (register with --register)");
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
	PQfinish(dst);
	dst = NULL;
}

static void
stop(SkyScript *s)
{
	(void) s;
	evquery_free(&eq);
	PQfinish(dst);
	dst = NULL;
}

static int
on_event(PgqConsumer *c, const PgqEvent *ev, void *arg)
{
	Cfg *cfg = sky_consumer_cfg(arg);

	if (cfg->dst_db == NULL)
		return evquery_run(&eq, sky_consumer_db(c), ev);
	if (dst && PQstatus(dst) != CONNECTION_OK)
	{
		PQfinish(dst);
		dst = NULL;
	}
	if (dst == NULL)
	{
		dst = PQconnectdb(cfg->dst_db);
		if (PQstatus(dst) != CONNECTION_OK)
		{
			log_error("cannot connect to dst_db: %s", PQerrorMessage(dst));
			PQfinish(dst);
			dst = NULL;
			return -1;
		}
	}
	return evquery_run(&eq, dst, ev);
}

int
main(int argc, char **argv)
{
	static const SkyConsumerDef def = {
		.service = "simple_local_consumer3",
		.alt_service = "simple_local_consumer",
		.version = "3.0",
		.mode = SKY_CONSUMER_CASCADE,
		.keys = keys,
		.cfg_size = sizeof(Cfg),
		.start = start,
		.on_event = on_event,
		.reload = reload,
		.stop = stop,
	};

	return sky_consumer_main(&def, argc, argv);
}
