/*-------------------------------------------------------------------------
 *
 * worker.c
 *	  londiste INI worker: the replay daemon of the local node.
 *
 * On a branch or leaf it is the cascaded worker (lib/cascade) reading
 * batches from the provider; each batch's events are applied (apply.c) in
 * the node's transaction that also records the batch's tick.  On the root
 * it keeps house: sequences published (londiste.root_check_seqs), the
 * global watermark moved every global_wm_publish_period, old EXECUTE
 * records dropped.  SIGINT stops after the current batch; SIGTERM ends
 * at once (the open transaction rolls back: nothing is lost, the batch
 * comes again).
 *
 * IDENTIFICATION
 *	  bin/londiste/worker.c
 *
 *-------------------------------------------------------------------------
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "londiste.h"
#include "skytools/cascade.h"
#include "skytools/clock.h"
#include "skytools/log.h"

static volatile sig_atomic_t stop_requested;
static Ld *worker_ld;
static PgqConsumer *running;

static void
on_stop(int sig)
{
	(void) sig;
	stop_requested = 1;
	if (running)
		pgq_consumer_stop(running);
}

static int
root_loop(Ld *ld)
{
	const char *p[1] = {ld->queue};
	double last_wm = 0, last_maint = 0;

	log_info("root node: publishing sequences and the global watermark");
	while (!stop_requested)
	{
		double now = sky_mono_secs();

		if (ld->db == NULL || PQstatus(ld->db) != CONNECTION_OK)
		{
			if (ld->db)
				PQfinish(ld->db);
			ld->db = NULL;
			if (ld_local(ld) == NULL)
			{
				sleep((unsigned) ld->cfg.exception_sleep);
				continue;
			}
		}
		{
			/* the remote control admin commands use (pause, resume) */
			const char *wp[2] = {ld->queue, ld->cfg.consumer_name};
			PGresult *st = ld_query(ld->db,
									"select paused, uptodate from "
									"pgq_node.get_consumer_state($1, $2)",
									2, wp);
			bool paused = false;
			PGresult *nt = ld_query(ld->db,
									"select node_type from "
									"pgq_node.get_node_info($1)",
									1, p);

			if (nt && PQntuples(nt) == 1 &&
				strcmp(PQgetvalue(nt, 0, 0), "root") != 0)
			{
				log_info("the node is a %s now", PQgetvalue(nt, 0, 0));
				PQclear(nt);
				PQclear(st);
				return 2;
			}
			PQclear(nt);
			if (st && PQntuples(st) == 1)
			{
				paused = strcmp(PQgetvalue(st, 0, 0), "t") == 0;
				if (strcmp(PQgetvalue(st, 0, 1), "t") != 0)
					PQclear(ld_query(ld->db,
									 "select * from "
									 "pgq_node.set_consumer_uptodate($1, $2, "
									 "true)",
									 2, wp));
			}
			PQclear(st);
			if (paused)
			{
				usleep((useconds_t) (ld->cfg.loop_delay * 1e6));
				continue;
			}
		}
		if (!ld->plain)
			ld_ret(ld_query(ld->db,
							"select * from londiste.root_check_seqs($1)", 1,
							p),
				   "root_check_seqs");
		if (now - last_wm >= ld->cfg.global_wm_publish_period)
		{
			PQclear(ld_query(ld->db,
							 "select * from pgq_node.set_global_watermark($1, "
							 "null)",
							 1, p));
			last_wm = now;
		}
		if (!ld->plain && now - last_maint >= 3600)
		{
			PQclear(ld_query(ld->db, "select londiste.periodic_maintenance()",
							 0, NULL));
			last_maint = now;
		}
		usleep((useconds_t) (ld->cfg.loop_delay * 1e6));
	}
	return 0;
}

static int
on_event(PgqConsumer *c, const PgqEvent *ev, void *arg)
{
	Applier *a = arg;

	if (applier_event(a, pgq_consumer_target_conn(c), ev) < 0)
	{
		/* leave pipeline mode so that the batch can be rolled back */
		applier_flush(a, pgq_consumer_target_conn(c));
		return -1;
	}
	return 0;
}

/* setadm's worker: the queue is carried (copied on a branch), nothing
 * applied */
static int
on_plain_event(PgqConsumer *c, const PgqEvent *ev, void *arg)
{
	(void) c;
	(void) ev;
	(void) arg;
	return 0;
}

static const PgqEvent *
on_copy_rewrite(PGconn *node, const PgqEvent *ev, void *arg, bool *failed)
{
	return applier_copy_rewrite(arg, node, ev, failed);
}

static int
on_between_batches(PGconn *node, void *arg)
{
	(void) node;
	(void) arg;
	/* a table added while the queue is quiet is copied without waiting */
	return copy_sync(worker_ld, running, NULL);
}

static int
on_before_sync(PGconn *node, void *arg)
{
	if (applier_flush(arg, node) < 0)
		return -1;
	ld_stats_batch_end();
	return 0;
}

bool
ld_stop_requested(void)
{
	return stop_requested != 0;
}

void
ld_catch_stop(PgqConsumer *c)
{
	running = c;
	signal(SIGINT, on_stop);
}

static int
on_batch_start(PGconn *node, const PgqBatch *b, void *arg)
{
	applier_begin_batch(arg, node, b);
	ld_stats_batch_start(b->tick_id, b->tick_time);
	/* copies: hand tables over, start new copies, restore foreign keys */
	return copy_sync(worker_ld, running, b);
}

/*
 * A branch or leaf: the cascaded consumer until stopped.  2 when it
 * stopped because the node changed type (a takeover), else 0 or 1.
 */
static int
subscriber_loop(Ld *ld)
{
	CascadeOpts co = {0};
	Cascade *cw;
	Applier *a;
	int rc;

	worker_ld = ld;
	a = ld->plain ? NULL : applier_new(ld, NULL);
	co.node_db = ld->cfg.db;
	co.queue_name = ld->queue;
	co.worker_name = ld->cfg.consumer_name;
	co.extra_connstr = ld->cfg.remote_extra_connstr;
	co.watermark_period = ld->cfg.local_wm_publish_period;
	co.begin_sql =
		"select londiste.set_session_replication_role('replica', true)";
	co.fetch_size = ld->cfg.pgq_lazy_fetch > 0 ? ld->cfg.pgq_lazy_fetch : 300;
	co.loop_delay = ld->cfg.loop_delay;
	co.on_event = on_event;
	co.arg = a;
	co.batch_start = on_batch_start;
	co.before_sync = on_before_sync;
	co.between_batches = on_between_batches;
	co.copy_rewrite = on_copy_rewrite;
	if (ld->plain)
	{
		/* the replica role as Londiste's: a branch's queue takes the
		 * copied events only so */
		co.begin_sql = NULL;
		co.on_event = on_plain_event;
		co.batch_start = NULL;
		co.before_sync = NULL;
		co.between_batches = NULL;
		co.copy_rewrite = NULL;
	}
	cw = cascade_new(&co);
	if (cw == NULL)
	{
		if (a)
			applier_free(a);
		return 1;
	}
	running = cascade_consumer(cw);
	if (stop_requested)
		pgq_consumer_stop(running);
	rc = pgq_consumer_run(running);
	{
		PgqConsumerStats st;

		pgq_consumer_stats(running, &st);
		log_info("worker stopped: %lld batches, %lld events, %lld errors",
				 (long long) st.batches, (long long) st.events,
				 (long long) st.errors);
	}
	running = NULL;
	if (cascade_role_changed(cw) && !stop_requested)
		rc = 2;
	else
		rc = rc == 0 ? 0 : 1;
	cascade_free(cw);
	if (a)
		applier_free(a);
	return rc;
}

int
cmd_worker(Ld *ld)
{
	int rc;

	signal(SIGINT, on_stop);
	if (ld->opt.rewind || ld->opt.reset)
		return ld_worker_position(ld, ld->opt.rewind);
	ld_metrics_start(ld);
	do
	{
		PGresult *res;
		char type[16];

		if (ld_local(ld) == NULL)
			return 1;
		res = ld_node_info(ld->db, ld->queue, NULL);
		if (res == NULL)
			return 1;
		snprintf(type, sizeof(type), "%s", ld_field(res, "node_type"));
		PQclear(res);
		log_info("worker %s starting on %s node", ld->cfg.consumer_name, type);
		if (strcmp(type, "root") == 0)
			rc = root_loop(ld);
		else
		{
			PQfinish(ld->db);
			ld->db = NULL;
			rc = subscriber_loop(ld);
		}
	} while (rc == 2 && !stop_requested);
	ld_metrics_stop();
	return rc == 2 ? 0 : rc;
}
