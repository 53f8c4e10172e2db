/*-------------------------------------------------------------------------
 *
 * consumer.h
 *	  The PgQ consumer: a batch loop that users' consumers and Londiste are
 *	  built on.
 *
 * A consumer reads its queue batch by batch.  For every batch it calls
 * either a batch callback, which walks the events with pgq_batch_next(),
 * or an event callback once per event.  Events are streamed through a
 * cursor (pgq.get_batch_cursor), fetch_size at a time, so a batch of any
 * size is never held in memory whole.  When the callbacks succeed the
 * batch is finished; when one fails, or the connection breaks, nothing is
 * finished and PgQ hands out the same batch again.
 *
 * Three modes:
 *
 *	local	(default) the callbacks may write into the queue database
 *			through pgq_consumer_queue_conn(): it is inside the transaction
 *			that finishes the batch, so every batch is applied exactly once.
 *	remote	(target_db set) the callbacks write into another database
 *			through pgq_consumer_target_conn().  The batch is recorded there
 *			with pgq_ext.set_batch_done() in the same transaction, which
 *			commits before the batch is finished in the queue database; a
 *			batch handed out again after a crash between the two commits is
 *			seen as done and only finished.  The target needs pgq_ext,
 *			unless hooks record batches another way (a cascaded consumer
 *			records ticks in pgq_node: cascade.h).
 *	coop	(subconsumer set) one of several processes sharing a consumer
 *			through pgq_coop: each gets whole batches; a peer silent for
 *			dead_interval loses its batch to the next caller.  Local only.
 *
 * Events can be retried: an event callback returns a delay in seconds (or
 * a batch callback calls pgq_event_retry()), and the event comes back in a
 * later batch.
 *
 * Between batches the consumer LISTENs on channel pgq_tick (the ticker
 * notifies on every tick), so a new batch is taken as soon as it exists;
 * loop_delay only bounds the wait.  A lost connection is retried with
 * back-off (1 s doubling to 30 s).  pgq_consumer_stop() (safe in a signal
 * handler) ends pgq_consumer_run() between batches.
 *
 * The library is synchronous libpq, one consumer per thread.  Errors are
 * logged (never with conninfo) and reported as return values.
 *
 * IDENTIFICATION
 *	  lib/include/skytools/consumer.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SKYTOOLS_CONSUMER_H
#define SKYTOOLS_CONSUMER_H

#include <stdbool.h>
#include <stdint.h>

#include <libpq-fe.h>

typedef struct PgqConsumer PgqConsumer;

/* One event.  Strings are NULL for SQL NULL; valid until the next fetch. */
typedef struct PgqEvent
{
	int64_t id;
	int64_t txid;
	int retry;		  /* times retried; 0 on first delivery */
	const char *time; /* ev_time in UTC: "YYYY-MM-DD HH:MM:SS.ffffff+00" */
	const char *type;
	const char *data;
	const char *extra1;
	const char *extra2;
	const char *extra3;
	const char *extra4;
} PgqEvent;

/* The batch being processed. */
typedef struct PgqBatch
{
	int64_t batch_id;
	int64_t prev_tick_id;
	int64_t tick_id;
	int64_t nevents;	/* events handed out so far */
	int64_t nretried;	/* events tagged for retry so far */
	bool already_done;	/* remote: recorded in the target, callbacks skipped */
	char tick_time[48]; /* the end tick's time, UTC, "...+00" */
	int64_t tick_event_seq; /* the end tick's event sequence */
} PgqBatch;

/*
 * Batch callback: walk the events with pgq_batch_next().  Return 0 to
 * finish the batch, -1 to roll it back (it comes again).
 */
typedef int (*PgqBatchFn)(PgqConsumer *c, PgqBatch *batch, void *arg);

/*
 * Event callback: return 0 when the event is done, a positive number of
 * seconds to retry it after, -1 to roll the whole batch back.
 */
typedef int (*PgqEventFn)(PgqConsumer *c, const PgqEvent *ev, void *arg);

/*
 * Remote-mode bookkeeping other than pgq_ext's.  Each returns -1 on error
 * (logged), which fails the batch.
 *
 * before_batch: before a batch is taken, both connections open, no
 *		transaction: 1 go on, 0 nothing to do now (the caller waits),
 *		2 the queue database was changed with pgq_consumer_set_queue_db().
 * check: in the target's transaction, before the callbacks: 1 the batch
 *		was applied already (it is only finished), 0 apply it.
 * done: in the target's transaction after the callbacks, before it
 *		commits: 0 ok.
 * queue_down (optional): the queue database cannot be reached; the
 *		target is connected: 2 the queue database was changed (try it
 *		now), 0 otherwise (the caller backs off).  A cascaded worker reads
 *		its node's orders here: a pause, a new provider, a new role.
 */
typedef struct PgqTargetHooks
{
	int (*before_batch)(PgqConsumer *c, void *arg);
	int (*check)(PgqConsumer *c, const PgqBatch *batch, void *arg);
	int (*done)(PgqConsumer *c, const PgqBatch *batch, void *arg);
	int (*queue_down)(PgqConsumer *c, void *arg);
} PgqTargetHooks;

typedef struct PgqConsumerOpts
{
	const char *queue_db; /* conninfo of the queue database */
	const char *queue_name;
	const char *consumer_name;
	const char *subconsumer; /* coop mode when set */
	double dead_interval;	 /* coop: seconds; 0 never takes over */
	const char *target_db;	 /* remote mode when set: conninfo */
	int fetch_size;			 /* events per FETCH; 0: default 300 */
	double loop_delay;		 /* longest idle wait, seconds; 0: 1.0 */
	PgqBatchFn on_batch;	 /* one of on_batch and on_event */
	PgqEventFn on_event;
	void *arg;
	const PgqTargetHooks *hooks; /* remote: instead of pgq_ext; not copied */
	void *hooks_arg;
} PgqConsumerOpts;

/* Make a consumer (opts and its strings are copied); NULL on bad opts. */
extern PgqConsumer *pgq_consumer_new(const PgqConsumerOpts *opts);
extern void pgq_consumer_free(PgqConsumer *c);

/*
 * Register (coop: the sub-consumer, with the main consumer) or
 * unregister.  Return 1 done, 0 nothing to do (already so), -1 error.
 */
extern int pgq_consumer_register(PgqConsumer *c);
extern int pgq_consumer_unregister(PgqConsumer *c);

/*
 * Process at most one batch: 1 a batch was processed (or skipped as
 * already done), 0 there was none, -1 error (the batch, if any, was not
 * finished).
 */
extern int pgq_consumer_run_once(PgqConsumer *c);

/*
 * Process batches until pgq_consumer_stop(): waits for ticks when idle,
 * reconnects with back-off after errors.  Returns 0 when stopped.
 */
extern int pgq_consumer_run(PgqConsumer *c);

/* Ask run() to return after the current batch; async-signal-safe. */
extern void pgq_consumer_stop(PgqConsumer *c);

/* In a batch callback: the next event, or NULL at the end (or on error). */
extern const PgqEvent *pgq_batch_next(PgqConsumer *c);

/* In a batch callback: retry ev after secs seconds. */
extern void pgq_event_retry(PgqConsumer *c, const PgqEvent *ev, int secs);

/* The queue database, inside the batch's transaction (NULL if closed). */
extern PGconn *pgq_consumer_queue_conn(PgqConsumer *c);

/* Remote mode: the target database, inside the batch's transaction. */
extern PGconn *pgq_consumer_target_conn(PgqConsumer *c);

/*
 * Read the queue from another database from the next batch on (a
 * cascaded consumer whose provider changed); false if out of memory.
 */
extern bool pgq_consumer_set_queue_db(PgqConsumer *c, const char *conninfo);

/* The options the consumer was made with (its own copies). */
extern const PgqConsumerOpts *pgq_consumer_opts(const PgqConsumer *c);

/* Totals since the consumer was made. */
typedef struct PgqConsumerStats
{
	int64_t batches;
	int64_t events;
	int64_t retried;
	int64_t skipped_batches; /* remote: already applied */
	int64_t errors;
} PgqConsumerStats;

extern void pgq_consumer_stats(const PgqConsumer *c, PgqConsumerStats *out);

#endif /* SKYTOOLS_CONSUMER_H */
