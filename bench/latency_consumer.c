/*
 * bench/latency_consumer.c: a consumer on the C library that measures,
 * for each event, the time from its producer's commit to its callback.
 * The producer writes extract(epoch from clock_timestamp()) as ev_data
 * just before committing.  On SIGTERM (or after -n events) it prints
 * "events N p50 X p99 Y max Z" in milliseconds.
 *
 *   latency_consumer [-l LOOP_DELAY] [-n EVENTS] CONNINFO QUEUE CONSUMER
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "skytools/consumer.h"

static PgqConsumer *consumer;
static double *lat;
static long nlat, maxlat, want;

static void
on_signal(int sig)
{
	(void) sig;
	pgq_consumer_stop(consumer);
}

static int
on_event(PgqConsumer *c, const PgqEvent *ev, void *arg)
{
	struct timeval tv;

	(void) arg;
	if (ev->data == NULL)
		return 0;
	gettimeofday(&tv, NULL);
	if (nlat == maxlat)
	{
		maxlat = maxlat ? maxlat * 2 : 4096;
		lat = realloc(lat, maxlat * sizeof(double));
		if (lat == NULL)
			return -1;
	}
	lat[nlat++] = (tv.tv_sec + tv.tv_usec / 1e6 - atof(ev->data)) * 1000.0;
	if (want > 0 && nlat >= want)
		pgq_consumer_stop(c);
	return 0;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *) a, y = *(const double *) b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	PgqConsumerOpts o = {0};
	int opt;

	while ((opt = getopt(argc, argv, "l:n:")) != -1)
	{
		if (opt == 'l')
			o.loop_delay = atof(optarg);
		else if (opt == 'n')
			want = atol(optarg);
		else
			return 2;
	}
	if (argc - optind != 3)
	{
		fprintf(stderr,
				"usage: %s [-l SECS] [-n EVENTS] CONNINFO QUEUE CONSUMER\n",
				argv[0]);
		return 2;
	}
	o.queue_db = argv[optind];
	o.queue_name = argv[optind + 1];
	o.consumer_name = argv[optind + 2];
	o.on_event = on_event;
	consumer = pgq_consumer_new(&o);
	if (consumer == NULL || pgq_consumer_register(consumer) < 0)
		return 1;
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	pgq_consumer_run(consumer);
	qsort(lat, nlat, sizeof(double), cmp);
	if (nlat == 0)
		printf("events 0\n");
	else
		printf("events %ld p50 %.1f p99 %.1f max %.1f\n", nlat, lat[nlat / 2],
			   lat[(long) (nlat * 0.99)], lat[nlat - 1]);
	pgq_consumer_free(consumer);
	return 0;
}
