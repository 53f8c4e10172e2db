/*-------------------------------------------------------------------------
 *
 * main.c
 *	  pgqd: command line, configuration, signals, the stats line.
 *
 *	pgqd [-qvd] CONFIG      run (in the background with -d)
 *	pgqd [-skr] CONFIG      SIGINT / SIGTERM / SIGHUP to the running one
 *	pgqd --ini | -h | -V    sample config, help, version
 *
 * Upstream's command line and ini keys.  Unlike upstream, a reload with
 * a broken file keeps the running configuration (and says why), and
 * stats_period = 0 turns the stats line off.
 *
 * IDENTIFICATION
 *	  bin/pgqd/main.c
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "skytools/daemon.h"
#include "skytools/log.h"

#include "pgqd.h"

static const char usage_text[] =
	"pgqd: PgQ ticker and maintenance daemon\n"
	"\n"
	"usage: pgqd [switches] config.file\n"
	"Switches:\n"
	"  -v        Increase verbosity\n"
	"  -q        No output to console\n"
	"  -d        Daemonize\n"
	"  -h        Show help\n"
	"  -V        Show version\n"
	" --ini      Show sample config file\n"
	" --check    Print the metrics of every database and exit;\n"
	"            exit code 1 if one cannot be reached\n"
	"  -s        Stop - send SIGINT to running process\n"
	"  -k        Kill - send SIGTERM to running process\n"
	"  -r        Reload - send SIGHUP to running process\n";

static void
apply_logging(const Pgqd *p)
{
	LogSettings ls = {p->cfg.logfile,	   p->cfg.syslog != 0,
					  p->cfg.syslog_ident, p->cfg.syslog_facility,
					  p->verbose,		   p->quiet};

	log_configure(&ls);
}

static void
on_stats(void *arg)
{
	Pgqd *p = arg;

	log_info("{ticks: %ld, maint: %ld, retry: %ld}", p->stat_ticks,
			 p->stat_maint, p->stat_retry);
	p->stat_ticks = p->stat_maint = p->stat_retry = 0;
	if (p->cfg.stats_period > 0)
		timer_start(p->stats_timer, p->cfg.stats_period);
}

static void
on_signal(int sig, void *arg)
{
	Pgqd *p = arg;
	PgqdConfig cfg;
	char err[1024];

	switch (sig)
	{
		case SIGHUP:
			log_info("Got SIGHUP, re-reading config");
			if (!pgqd_load_config(p->config_file, &cfg, err, sizeof(err)))
			{
				pgqd_free_config(&cfg);
				log_error("config not reloaded, keeping the running one: %s",
						  err);
				return;
			}
			pgqd_free_config(&p->cfg);
			p->cfg = cfg;
			apply_logging(p);
			log_reopen();
			if (p->cfg.stats_period > 0)
				timer_start(p->stats_timer, p->cfg.stats_period);
			else
				timer_stop(p->stats_timer);
			if (!metrics_configure(p, err, sizeof(err)))
				log_error("metrics_port not changed: %s", err);
			dbset_update(p);
			break;
		case SIGINT:
			log_info("Got SIGINT, shutting down");
			loop_stop(p->loop);
			break;
		case SIGTERM:
			log_info("Got SIGTERM, fast exit");
			exit(1);
	}
}

/* -s, -k, -r: signal the instance in the pidfile; returns the exit code. */
static int
signal_running(const Pgqd *p, int sig)
{
	int r;

	if (p->cfg.pidfile == NULL || p->cfg.pidfile[0] == '\0')
	{
		fprintf(stderr, "No pidfile configured\n");
		return 1;
	}
	r = pidfile_signal(p->cfg.pidfile, sig);
	if (r < 0)
	{
		log_msg(LG_FATAL, "signal_pidfile: unexpected error: %s",
				strerror(errno));
		return 1;
	}
	if (r == 0)
		printf("Old process is not running\n");
	else
		printf("%s sent\n", sig == SIGINT	 ? "SIGINT"
							: sig == SIGTERM ? "SIGTERM"
											 : "SIGHUP");
	return 0;
}

static void
start_pidfile_and_daemon(Pgqd *p, bool daemon)
{
	char err[512];
	bool stale;

	if (daemon)
	{
		if (p->cfg.pidfile == NULL || p->cfg.pidfile[0] == '\0')
			fatal("daemon needs pidfile configured");
		if ((p->cfg.logfile == NULL || p->cfg.logfile[0] == '\0') &&
			!p->cfg.syslog)
			fatal("daemon needs logging configured");
	}
	if (p->cfg.pidfile && p->cfg.pidfile[0])
	{
		if (!pidfile_claim(p->cfg.pidfile, &stale, err, sizeof(err)))
		{
			log_msg(LG_FATAL, "%s", err);
			exit(1);
		}
		if (stale)
			log_info("stale pidfile, removing");
	}
	if (daemon)
	{
		if (!daemonize(err, sizeof(err)))
			fatal("%s", err);
		p->quiet = true;
		apply_logging(p);
	}
}

int
main(int argc, char **argv)
{
	Pgqd p;
	char err[1024];
	int c, i, sig = 0;
	bool daemon = false;
	bool check = false;

	memset(&p, 0, sizeof(p));
	for (i = 1; i < argc; i++)
	{
		if (strcmp(argv[i], "--check") == 0)
		{
			check = true;
			memmove(&argv[i], &argv[i + 1], sizeof(char *) * (argc - i));
			argc--;
			i--;
			continue;
		}
		if (strcmp(argv[i], "--ini") == 0)
		{
			fputs(pgqd_sample_ini(), stdout);
			return 0;
		}
		if (strcmp(argv[i], "--help") == 0)
		{
			fputs(usage_text, stdout);
			return 0;
		}
	}
	while ((c = getopt(argc, argv, "dqvhVrsk")) != -1)
	{
		switch (c)
		{
			case 'd':
				daemon = true;
				break;
			case 'q':
				p.quiet = true;
				break;
			case 'v':
				p.verbose++;
				break;
			case 'h':
				fputs(usage_text, stdout);
				return 0;
			case 'V':
				printf("pgqd version %s\n", PGQD_VERSION);
				return 0;
			case 's':
				sig = SIGINT;
				break;
			case 'k':
				sig = SIGTERM;
				break;
			case 'r':
				sig = SIGHUP;
				break;
			default:
				printf("bad switch: %s", usage_text);
				return 1;
		}
	}
	if (optind + 1 != argc)
	{
		fprintf(stderr, "pgqd requires config file\n");
		return 1;
	}
	p.config_file = argv[optind];
	if (!pgqd_load_config(p.config_file, &p.cfg, err, sizeof(err)))
	{
		fprintf(stderr, "pgqd: %s\n", err);
		return 1;
	}
	apply_logging(&p);
	if (sig != 0)
		return signal_running(&p, sig);
	if (check)
		return pgqd_check(&p);

	log_info("Starting pgqd %s", PGQD_VERSION);
	start_pidfile_and_daemon(&p, daemon);

	signal(SIGPIPE, SIG_IGN);
	p.loop = loop_new();
	if (p.loop == NULL)
		fatal("cannot create the event loop");
	if (!loop_on_signal(p.loop, SIGHUP, on_signal, &p) ||
		!loop_on_signal(p.loop, SIGINT, on_signal, &p) ||
		!loop_on_signal(p.loop, SIGTERM, on_signal, &p))
		fatal("cannot install signal handlers");
	if (!metrics_configure(&p, err, sizeof(err)))
		fatal("%s", err);
	p.stats_timer = timer_new(p.loop, on_stats, &p);
	if (p.cfg.stats_period > 0)
		timer_start(p.stats_timer, p.cfg.stats_period);
	dbset_update(&p);

	if (!loop_run(p.loop))
		log_error("event_loop failed");
	dbset_free(&p);
	metrics_close(&p);
	timer_free(p.stats_timer);
	loop_free(p.loop);
	pidfile_release();
	pgqd_free_config(&p.cfg);
	return 0;
}
