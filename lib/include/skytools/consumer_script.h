/*-------------------------------------------------------------------------
 *
 * consumer_script.h
 *	  A PgQ consumer as a script (script.h + consumer.h + cascade.h): the
 *	  script names its mode and its event (or batch) callback; the queue
 *	  keys, registration, the batch loop and its statistics are the
 *	  framework's.
 *
 *	  static int
 *	  on_event(PgqConsumer *c, const PgqEvent *ev, void *arg)
 *	  {
 *		  PGconn *db = sky_consumer_db(c);	 (the batch's transaction)
 *		  ...
 *		  return 0;
 *	  }
 *	  ...
 *	  static const SkyConsumerDef def = {
 *		  .service = "my_consumer", .mode = SKY_CONSUMER_LOCAL,
 *		  .on_event = on_event,
 *	  };
 *	  return sky_consumer_main(&def, argc, argv);
 *
 * The modes and their keys (besides the script framework's):
 *
 *	every mode	queue_name (or upstream's pgq_queue_name), consumer_name
 *				(default job_name; or pgq_consumer_id), pgq_lazy_fetch
 *				(events per fetch, 300), keepalive_stats (seconds
 *				between statistics lines while idle, 300)
 *	LOCAL		src_db: the queue's database; the callbacks write into it
 *				in the transaction that finishes the batch: exactly once.
 *	REMOTE		src_db and dst_db: the callbacks write into dst_db, where
 *				pgq_ext records each batch in the same transaction: exactly
 *				once.  With def.untracked_ok a dst_db without pgq_ext is
 *				written without that record (a crash between the two
 *				commits repeats a batch; warned at start); with
 *				def.dst_optional no dst_db means LOCAL.
 *	COOP		src_db, subconsumer_name, subconsumer_timeout (seconds; a
 *				silent peer's batch is taken over after it; 0 never): one
 *				of several processes sharing consumer_name (pgq_coop).
 *				A LOCAL script (or a REMOTE one with dst_optional and no
 *				dst_db) becomes one when subconsumer_name is set.
 *	CASCADE		db (or src_db): a node of a pgq_node cascade, where the
 *				consumer's position is kept (pgq_node.register_consumer)
 *				and the callbacks write, in one transaction per batch.  It
 *				reads from its provider: at first the node itself, or the
 *				node --provider names; after pgq_node.change_consumer_provider
 *				it moves to the new provider at its position.
 *
 * Switches: --register (and exit), --unregister (and exit), and in
 * CASCADE mode --provider=NODE (with --register).  Without --register the
 * consumer registers itself when it starts.  Statistics per round: count
 * with a batch: count (events), duration (seconds), retry-events; while
 * idle, every keepalive_stats: idle (rounds without a batch).
 *
 * IDENTIFICATION
 *	  lib/include/skytools/consumer_script.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SKYTOOLS_CONSUMER_SCRIPT_H
#define SKYTOOLS_CONSUMER_SCRIPT_H

#include <stdbool.h>

#include "skytools/consumer.h"
#include "skytools/script.h"

typedef enum SkyConsumerMode
{
	SKY_CONSUMER_LOCAL,
	SKY_CONSUMER_REMOTE,
	SKY_CONSUMER_COOP,
	SKY_CONSUMER_CASCADE
} SkyConsumerMode;

/* the consumer's keys, as read (see above for which mode has which) */
typedef struct SkyConsumerCommon
{
	char *queue_name;
	char *pgq_queue_name;
	char *consumer_name;
	char *pgq_consumer_id;
	char *src_db;
	char *dst_db;
	char *db;
	char *subconsumer_name;
	double subconsumer_timeout;
	int pgq_lazy_fetch;
	double keepalive_stats;
} SkyConsumerCommon;

typedef struct SkyConsumerDef
{
	const char *service;
	const char *alt_service;
	const char *version;
	SkyConsumerMode mode;
	bool dst_optional; /* REMOTE: without dst_db, LOCAL */
	bool untracked_ok; /* REMOTE: a dst_db without pgq_ext is written */
	const CfKey *keys; /* the script's own, over its struct */
	size_t cfg_size;
	/* once before the loop; non-zero ends the script with it */
	int (*start)(SkyScript *s);
	/* one of these; their arg is the SkyScript */
	PgqEventFn on_event;
	PgqBatchFn on_batch;
	void (*reload)(SkyScript *s);
	void (*stop)(SkyScript *s);
} SkyConsumerDef;

/* Run the consumer script; the process's exit status. */
extern int sky_consumer_main(const SkyConsumerDef *def, int argc, char **argv);

/* the script's own keys, and the consumer's */
extern void *sky_consumer_cfg(SkyScript *s);
extern const SkyConsumerCommon *sky_consumer_common(SkyScript *s);
/* the queue and the consumer's name, as resolved from the keys */
extern const char *sky_consumer_queue(SkyScript *s);
extern const char *sky_consumer_name(SkyScript *s);

/* Where a batch's writes go, in its transaction: dst_db in REMOTE mode,
 * the node in CASCADE mode, else the queue's database. */
extern PGconn *sky_consumer_db(PgqConsumer *c);

#endif /* SKYTOOLS_CONSUMER_SCRIPT_H */
