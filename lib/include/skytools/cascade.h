/*-------------------------------------------------------------------------
 *
 * cascade.h
 *	  The cascaded worker of a pgq_node node (branch or leaf): a consumer
 *	  in remote mode that reads batches from the node's provider and
 *	  records each batch's end tick in pgq_node on the node, in the same
 *	  transaction as what the batch changed there (doc/pgq_node.md).
 *
 * Per batch, on the node (the target) in one transaction:
 *	  - the position: the batch must start at the tick completed last
 *		(apply), or end there (applied before a crash: only finished on the
 *		provider); anything else is a lost position, an error;
 *	  - the cascade's own events applied (pgq.location-info,
 *		pgq.unregister-location, pgq.global-watermark), and on a branch
 *		every event copied into the node's queue keeping its id;
 *	  - the caller's event callback for every other event;
 *	  - pgq_node.set_consumer_completed(), and on a branch the tick itself,
 *		with the provider's tick id, time and event sequence.
 * Before each batch the worker reads its state: paused (wait), not up to
 * date (acknowledge an admin's change), a new provider (read from it).
 * Every so often it reports its node's watermark to the provider.
 *
 * A plain any_node consumer keeps its own position in pgq_node on the
 * node; when
 * its provider is changed (pgq_node.change_consumer_provider) it registers
 * itself on the new provider at that position and leaves the old one, so
 * it moves between the nodes of a cascade without a gap or a repeat.
 *
 * IDENTIFICATION
 *	  lib/include/skytools/cascade.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SKYTOOLS_CASCADE_H
#define SKYTOOLS_CASCADE_H

#include <stdbool.h>

#include "skytools/consumer.h"

typedef struct Cascade Cascade;

typedef struct CascadeOpts
{
	const char *node_db; /* conninfo of the node (the target) */
	const char *queue_name;
	const char *worker_name; /* the node's worker (pgq_node.node_info), or
								* with plain another cascaded consumer */
	bool plain;	   /* a consumer other than the node's worker: its own
				 * position (pgq_node.register_consumer), every event to
				 * on_event, no queue copy, no tick, no watermark reports */
	bool any_node; /* with plain: the node may be of any type (a root's
					* consumer reads the root's own queue); a change of
					* type does not stop it; a new provider: it moves its
					* registration there itself (Londiste's copy consumers
					* leave that to the takeover) */
	const char *extra_connstr; /* appended to connect strings from pgq_node */
	double watermark_period;   /* seconds between watermark reports; 0: 300 */
	/* run first in each of the node's transactions; NULL: "set local
	 * session_replication_role = replica" (needs a superuser), with plain
	 * nothing */
	const char *begin_sql;
	int fetch_size;
	double loop_delay;
	PgqEventFn on_event; /* the caller's events: non-cascade ones */
	void *arg;
	/* optional: a batch is about to be applied (the node's transaction is
	 * open); -1 fails it */
	int (*batch_start)(PGconn *node, const PgqBatch *batch, void *arg);
	/* optional: before the worker's own statements on the node during a
	 * batch (so a caller in pipeline mode can finish what it sent); -1
	 * fails the batch */
	int (*before_sync)(PGconn *node, void *arg);
	/* optional: before looking for each batch (not while paused); -1
	 * counts as an error (the worker backs off) */
	int (*between_batches)(PGconn *node, void *arg);
	/* optional, a branch: the event as it goes into the node's queue (ev
	 * itself, another the caller keeps until the next call, or NULL: not
	 * passed on); NULL from an error sets *failed */
	const PgqEvent *(*copy_rewrite)(PGconn *node, const PgqEvent *ev,
									void *arg, bool *failed);
} CascadeOpts;

/*
 * Read the node's state and make the worker's consumer on its provider.
 * NULL with a logged error when the node cannot be read, is not a branch
 * or leaf, or has no provider.
 */
extern Cascade *cascade_new(const CascadeOpts *opts);
extern void cascade_free(Cascade *cw);

/* The consumer (run it with pgq_consumer_run / _run_once / _stop). */
extern PgqConsumer *cascade_consumer(Cascade *cw);

/* The node's type: "branch" or "leaf". */
extern const char *cascade_node_type(const Cascade *cw);

/*
 * Whether the consumer stopped because the node changed type (a branch
 * promoted to root, a root demoted): the caller starts over.
 */
extern bool cascade_role_changed(const Cascade *cw);

/*
 * A plain cascaded consumer's registration, made by its owner (a framework
 * consumer's --register, Londiste's copy process): on the provider's queue
 * (pgq.register_consumer) and on the node, reading from provider_node
 * from the tick the provider gave it (pgq_node.register_consumer).  With
 * "fresh" an earlier registration is dropped first on both, so that the
 * consumer starts at the queue's head.  Returns pgq_node's code (one of
 * 300 and up logged as an error), or 500 when a statement failed (logged):
 * below 300 is success.
 */
extern int cascade_register_plain(PGconn *node, PGconn *provider,
								  const char *queue, const char *consumer,
								  const char *provider_node, bool fresh);

/*
 * Its end: dropped from the provider's queue (when provider is not NULL;
 * best effort) and from the node.  pgq_node's code, or 500.
 */
extern int cascade_unregister_plain(PGconn *node, PGconn *provider,
									const char *queue, const char *consumer);

#endif /* SKYTOOLS_CASCADE_H */
