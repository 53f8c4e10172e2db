/*
 * simple_consumer.c: a PgQ consumer on the SkyTools C library.
 *
 *   simple_consumer [options] CONNINFO QUEUE CONSUMER
 *
 * Prints every event (row events decoded into column=value), and with
 * -i TABLE also stores it in TABLE (ev_id bigint, ev_type text, ev_data
 * text) inside the batch's transaction: in the queue database, or with
 * -r in another database where pgq_ext records the batch.  Either way
 * each event lands exactly once, whatever crashes.
 *
 *   -s NAME   be sub-consumer NAME of CONSUMER (pgq_coop)
 *   -t SECS   with -s: take over the batch of a peer silent this long
 *   -r CONN   apply into this database (remote mode; needs pgq_ext there)
 *   -i TABLE  store the events in TABLE
 *   -U        unregister (the sub-consumer with -s) and exit
 *   -1        stop when no batch is left (else run until SIGINT/SIGTERM)
 *   -q        print nothing per event
 *   -l SECS   longest idle wait (default 1; a tick wakes it sooner)
 *   -R SECS   retry each event once, SECS later (shows the retry queue)
 *   -w MSEC   sleep this long per event (to watch a batch in flight)
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "skytools/consumer.h"
#include "skytools/log.h"
#include "skytools/rowdata.h"

static PgqConsumer *consumer;
static const char *table;
static int quiet, wait_ms, retry_secs;

static void
on_signal(int sig)
{
	(void) sig;
	pgq_consumer_stop(consumer);
}

static void
print_event(const PgqEvent *ev)
{
	SkyRow row;
	SkyEvType t;
	char err[200];
	int i;

	printf("event %lld %s:", (long long) ev->id, ev->type ? ev->type : "");
	if (ev->type && sky_evtype_parse(&t, ev->type, err, sizeof(err)) &&
		ev->data &&
		sky_row_decode(&row, ev->data, strlen(ev->data), 0, err, sizeof(err)))
	{
		for (i = 0; i < row.nfields; i++)
			printf(" %s=%s", row.fields[i].key,
				   row.fields[i].value ? row.fields[i].value : "NULL");
		sky_row_free(&row);
	}
	else
		printf(" %s", ev->data ? ev->data : "NULL");
	sky_evtype_free(&t);
	printf("\n");
	fflush(stdout);
}

/* Called once per event: 0 done, N retry in N s, -1 roll the batch back. */
static int
on_event(PgqConsumer *c, const PgqEvent *ev, void *arg)
{
	(void) arg;
	if (retry_secs > 0 && ev->retry == 0)
		return retry_secs;
	if (!quiet)
		print_event(ev);
	if (wait_ms > 0)
	{
		struct timespec ts = {wait_ms / 1000, (wait_ms % 1000) * 1000000L};

		nanosleep(&ts, NULL);
	}
	if (table)
	{
		PGconn *db = pgq_consumer_target_conn(c) ? pgq_consumer_target_conn(c)
												 : pgq_consumer_queue_conn(c);
		char id[32], sql[512];
		const char *p[3] = {id, ev->type, ev->data};
		PGresult *res;
		int ok;

		snprintf(id, sizeof(id), "%lld", (long long) ev->id);
		snprintf(
			sql, sizeof(sql),
			"insert into %s (ev_id, ev_type, ev_data) values ($1, $2, $3)",
			table);
		res = PQexecParams(db, sql, 3, NULL, p, NULL, NULL, 0);
		ok = PQresultStatus(res) == PGRES_COMMAND_OK;
		if (!ok)
			log_error("insert failed: %s", PQresultErrorMessage(res));
		PQclear(res);
		if (!ok)
			return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	PgqConsumerOpts o = {0};
	int opt, once = 0, unreg = 0, r;
	PgqConsumerStats st;

	while ((opt = getopt(argc, argv, "s:t:r:i:U1ql:R:w:")) != -1)
	{
		switch (opt)
		{
			case 's':
				o.subconsumer = optarg;
				break;
			case 't':
				o.dead_interval = atof(optarg);
				break;
			case 'r':
				o.target_db = optarg;
				break;
			case 'i':
				table = optarg;
				break;
			case 'U':
				unreg = 1;
				break;
			case '1':
				once = 1;
				break;
			case 'q':
				quiet = 1;
				break;
			case 'l':
				o.loop_delay = atof(optarg);
				break;
			case 'R':
				retry_secs = atoi(optarg);
				break;
			case 'w':
				wait_ms = atoi(optarg);
				break;
			default:
				fprintf(stderr,
						"usage: %s [-s SUB] [-t SECS] [-r CONN] [-U] "
						"[-i TABLE] [-1] [-q] [-l SECS] [-R SECS] [-w MSEC] "
						"CONNINFO "
						"QUEUE CONSUMER\n",
						argv[0]);
				return 2;
		}
	}
	if (argc - optind != 3)
	{
		fprintf(stderr, "%s: need CONNINFO QUEUE CONSUMER (see -h)\n",
				argv[0]);
		return 2;
	}
	o.queue_db = argv[optind];
	o.queue_name = argv[optind + 1];
	o.consumer_name = argv[optind + 2];
	o.on_event = on_event;

	consumer = pgq_consumer_new(&o);
	if (consumer == NULL)
		return 1;
	if (unreg)
	{
		r = pgq_consumer_unregister(consumer);
		pgq_consumer_free(consumer);
		return r < 0 ? 1 : 0;
	}
	if (pgq_consumer_register(consumer) < 0)
		return 1;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	if (once)
		while ((r = pgq_consumer_run_once(consumer)) > 0)
			;
	else
		r = pgq_consumer_run(consumer);

	pgq_consumer_stats(consumer, &st);
	fprintf(stderr, "%lld batches, %lld events, %lld errors\n",
			(long long) st.batches, (long long) st.events,
			(long long) st.errors);
	pgq_consumer_free(consumer);
	return r < 0 ? 1 : 0;
}
