/*-------------------------------------------------------------------------
 *
 * counter_script.c
 *	  A script on the SkyTools script framework (skytools/script.h): its
 *	  own keys and a work function, the rest (ini, switches, logging,
 *	  pidfile, daemon mode, signals, the statistics line) the framework's.
 *	  Each round appends a line to out_file and counts it; after
 *	  stop_after rounds (0: never) the script ends.
 *
 *	  counter_script [options] counter.ini
 *
 *	  [counter_script]
 *	  out_file = /tmp/counter.out
 *	  stop_after = 10
 *	  loop_delay = 0.1
 *
 * IDENTIFICATION
 *	  examples/counter_script.c
 *
 *-------------------------------------------------------------------------
 */
#include <stddef.h>
#include <stdio.h>

#include "skytools/log.h"
#include "skytools/script.h"

typedef struct Counter
{
	char *out_file;
	int stop_after;
} Counter;

static const CfKey keys[] = {
	{"out_file", CF_FILE, offsetof(Counter, out_file), NULL,
	 "where each round writes a line"},
	{"stop_after", CF_INT, offsetof(Counter, stop_after), "0",
	 "rounds before the script ends, 0 = never"},
	{NULL, CF_STR, 0, NULL, NULL},
};

static SkyWork
work(SkyScript *s)
{
	Counter *c = sky_script_cfg(s);
	static int rounds;
	FILE *f = c->out_file ? fopen(c->out_file, "a") : NULL;

	if (f == NULL)
	{
		log_error("cannot open out_file %s",
				  c->out_file ? c->out_file : "(not set)");
		return SKY_ERROR;
	}
	fprintf(f, "round %d of %s\n", ++rounds, sky_script_common(s)->job_name);
	fclose(f);
	sky_stat_inc(s, "count", 1);
	return c->stop_after > 0 && rounds >= c->stop_after ? SKY_DONE : SKY_IDLE;
}

int
main(int argc, char **argv)
{
	static const SkyScriptDef def = {
		.service = "counter_script",
		.version = "1.0",
		.keys = keys,
		.cfg_size = sizeof(Counter),
		.work = work,
	};

	return sky_script_main(&def, argc, argv);
}
