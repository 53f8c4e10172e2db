/*-------------------------------------------------------------------------
 *
 * script.c
 *	  The script framework (see skytools/script.h): command line,
 *	  configuration with the common keys, logging, pidfile and daemon
 *	  mode, signals, the work loop and its statistics line.
 *
 * IDENTIFICATION
 *	  lib/src/script.c
 *
 *-------------------------------------------------------------------------
 */
#include "skytools/script.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "skytools/clock.h"
#include "skytools/daemon.h"
#include "skytools/log.h"
#include "skytools/pyini.h"

#define K(name, type, field, def, help)                                       \
	{                                                                         \
		name, type, offsetof(SkyScriptCommon, field), def, help               \
	}

static const CfKey common_keys[] = {
	K("job_name", CF_STR, job_name, "%(job_name)s",
	  "the job's name (default: the ini's base name)"),
	K("logfile", CF_FILE, logfile, NULL, "log file; default: stderr only"),
	K("pidfile", CF_FILE, pidfile, NULL,
	  "pid file: one instance at a time; needed by -d, -r, -s, -k"),
	K("loop_delay", CF_TIME, loop_delay, "1",
	  "seconds between rounds when there is no work"),
	K("exception_sleep", CF_TIME, exception_sleep, "20",
	  "seconds before the next round after a failed one"),
	K("use_skylog", CF_STR, use_skylog, "0",
	  "accepted; logging is logfile's and syslog's"),
	K("syslog", CF_INT, syslog, "0", "also log to syslog (1) or not (0)"),
	K("syslog_ident", CF_STR, syslog_ident, "%(job_name)s",
	  "syslog's name for the job"),
	{NULL, CF_STR, 0, NULL, NULL},
};

typedef struct Stat
{
	char key[64];
	double value;
} Stat;

struct SkyScript
{
	const SkyScriptDef *def;
	const char *ini_file;
	char **sets;
	int nsets;
	CfKey *keys;	/* the common and the script's, offsets into block */
	size_t cfg_off; /* where the script's struct starts in block */
	char *block;
	void *arg;
	bool single;
	int verbose;
	bool quiet;
	Stat stats[32];
	int nstats;
	int nswitches;
	const char **switch_vals; /* per def->switches entry */
};

static volatile sig_atomic_t got_hup, got_int, got_term;
static double last_int;

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		got_hup = 1;
	else if (sig == SIGTERM)
		got_term = 1;
	else if (sig == SIGINT)
	{
		double now = sky_mono_secs();

		/* a second Ctrl-C within a second: at once */
		if (got_int && now - last_int < 1.0)
			_exit(1);
		last_int = now;
		got_int = 1;
	}
}

void *
sky_script_cfg(SkyScript *s)
{
	return s->block + s->cfg_off;
}

const SkyScriptCommon *
sky_script_common(SkyScript *s)
{
	return (const SkyScriptCommon *) s->block;
}

const char *
sky_script_ini(SkyScript *s)
{
	return s->ini_file;
}

void
sky_script_set_arg(SkyScript *s, void *arg)
{
	s->arg = arg;
}

void *
sky_script_arg(SkyScript *s)
{
	return s->arg;
}

void
sky_script_single_loop(SkyScript *s)
{
	s->single = true;
}

/* the name part of a switch spec: "p|provider=" -> "provider" */
static void
switch_name(const char *spec, const char **name, size_t *len, char *letter,
			bool *has_arg)
{
	const char *bar = strchr(spec, '|');

	*letter = bar ? spec[0] : 0;
	*name = bar ? bar + 1 : spec;
	*len = strlen(*name);
	*has_arg = *len > 0 && (*name)[*len - 1] == '=';
	if (*has_arg)
		(*len)--;
}

const char *
sky_script_flag(SkyScript *s, const char *name)
{
	int i;

	for (i = 0; i < s->nswitches; i++)
	{
		const char *n;
		size_t l;
		char letter;
		bool has_arg;

		switch_name(s->def->switches[i], &n, &l, &letter, &has_arg);
		if (strlen(name) == l && strncmp(n, name, l) == 0)
			return s->switch_vals[i];
	}
	return NULL;
}

bool
sky_script_stopping(SkyScript *s)
{
	(void) s;
	return got_int || got_term;
}

static Stat *
stat_slot(SkyScript *s, const char *key)
{
	int i;

	for (i = 0; i < s->nstats; i++)
		if (strcmp(s->stats[i].key, key) == 0)
			return &s->stats[i];
	if (s->nstats == 32)
		return NULL;
	snprintf(s->stats[s->nstats].key, sizeof(s->stats[0].key), "%s", key);
	s->stats[s->nstats].value = 0;
	return &s->stats[s->nstats++];
}

void
sky_stat_inc(SkyScript *s, const char *key, double n)
{
	Stat *st = stat_slot(s, key);

	if (st)
		st->value += n;
}

void
sky_stat_put(SkyScript *s, const char *key, double value)
{
	Stat *st = stat_slot(s, key);

	if (st)
		st->value = value;
}

double
sky_stat_get(SkyScript *s, const char *key)
{
	int i;

	for (i = 0; i < s->nstats; i++)
		if (strcmp(s->stats[i].key, key) == 0)
			return s->stats[i].value;
	return 0;
}

/* the round's statistics as one line {key: value, ...}, then cleared */
static void
send_stats(SkyScript *s)
{
	char line[2048];
	size_t n = 0;
	int i;

	if (s->nstats == 0)
		return;
	n += (size_t) snprintf(line, sizeof(line), "{");
	for (i = 0; i < s->nstats && n < sizeof(line); i++)
	{
		double v = s->stats[i].value;

		if (v == (double) (long long) v)
			n += (size_t) snprintf(line + n, sizeof(line) - n, "%s%s: %lld",
								   i ? ", " : "", s->stats[i].key,
								   (long long) v);
		else
			n += (size_t) snprintf(line + n, sizeof(line) - n, "%s%s: %.3f",
								   i ? ", " : "", s->stats[i].key, v);
	}
	if (n < sizeof(line))
		snprintf(line + n, sizeof(line) - n, "}");
	log_info("%s", line);
	s->nstats = 0;
}

/* the common keys and the script's as one table over one block */
static bool
build_keys(SkyScript *s)
{
	const SkyScriptDef *d = s->def;
	int nc = 0, ns = 0, i;

	while (common_keys[nc].name)
		nc++;
	while (d->keys && d->keys[ns].name)
		ns++;
	s->cfg_off = (sizeof(SkyScriptCommon) + 15) & ~(size_t) 15;
	s->keys = calloc((size_t) (nc + ns + 1), sizeof(CfKey));
	if (s->keys == NULL)
		return false;
	for (i = 0; i < nc; i++)
	{
		const char *const *dv;

		s->keys[i] = common_keys[i];
		for (dv = d->defaults; dv && dv[0] && dv[1]; dv += 2)
			if (strcmp(dv[0], common_keys[i].name) == 0)
				s->keys[i].def = dv[1];
	}
	for (i = 0; i < ns; i++)
	{
		s->keys[nc + i] = d->keys[i];
		s->keys[nc + i].offset += s->cfg_off;
	}
	return true;
}

/* the configuration into a new block; NULL with the reason logged */
static char *
load_config(SkyScript *s, char *err, size_t errlen)
{
	const char *const sections[] = {s->def->service, s->def->alt_service,
									NULL};
	PyIni *ini = pyini_load(s->ini_file, err, errlen);
	const char *section;
	char *block;
	int i;

	if (ini == NULL)
		return NULL;
	for (i = 0; i < s->nsets; i++)
	{
		char *eq = strchr(s->sets[i], '=');
		bool ok;

		if (eq == NULL)
		{
			snprintf(err, errlen, "--set %s: expected KEY=VALUE", s->sets[i]);
			pyini_free(ini);
			return NULL;
		}
		*eq = '\0';
		ok = pyini_override(ini, s->sets[i], eq + 1);
		*eq = '=';
		if (!ok)
		{
			snprintf(err, errlen, "out of memory");
			pyini_free(ini);
			return NULL;
		}
	}
	section = pyini_find_section(ini, sections);
	if (section == NULL)
	{
		snprintf(err, errlen, "%s: no [%s] section", s->ini_file,
				 s->def->service);
		pyini_free(ini);
		return NULL;
	}
	block = calloc(1, s->cfg_off + (s->def->cfg_size ? s->def->cfg_size : 1));
	if (block == NULL)
	{
		snprintf(err, errlen, "out of memory");
		pyini_free(ini);
		return NULL;
	}
	if (!pyini_fill(ini, section, s->keys, block, err, errlen))
	{
		cf_free(s->keys, block);
		free(block);
		pyini_free(ini);
		return NULL;
	}
	pyini_free(ini);
	return block;
}

static void
configure_log(SkyScript *s)
{
	const SkyScriptCommon *c = sky_script_common(s);
	LogSettings ls;

	memset(&ls, 0, sizeof(ls));
	ls.logfile = c->logfile;
	ls.use_syslog = c->syslog != 0;
	ls.syslog_ident = c->syslog_ident;
	ls.verbose = s->verbose;
	ls.quiet = s->quiet;
	log_configure(&ls);
}

static void
print_sample(SkyScript *s)
{
	const CfKey *k;

	printf("[%s]\n", s->def->service);
	for (k = s->keys; k->name; k++)
	{
		const char *set = NULL;
		int i;
		size_t l = strlen(k->name);

		for (i = 0; i < s->nsets; i++)
			if (strncmp(s->sets[i], k->name, l) == 0 && s->sets[i][l] == '=')
				set = s->sets[i] + l + 1;
		printf("# %s\n", k->help ? k->help : "");
		if (set)
			printf("#%s = %s\n%s = %s\n\n", k->name, k->def ? k->def : "",
				   k->name, set);
		else
			printf("#%s = %s\n\n", k->name, k->def ? k->def : "");
	}
}

static void
usage(const SkyScriptDef *d, FILE *f)
{
	fprintf(f,
			"usage: %s [options] INI%s%s\n"
			"  -q, --quiet       nothing on stderr\n"
			"  -v, --verbose     more output (twice: still more)\n"
			"  -d, --daemon      go to the background (needs pidfile)\n"
			"  -r, --reload      reload the running instance (SIGHUP)\n"
			"  -s, --stop        stop it after its current round (SIGINT)\n"
			"  -k, --kill        stop it now (SIGTERM)\n"
			"  --set KEY=VALUE   override an ini key\n"
			"  --ini             print a sample ini with every key\n"
			"  -V, --version     print the version\n"
			"  -h, --help        this help\n%s",
			d->service, d->args_usage && d->args_usage[0] ? " " : "",
			d->args_usage ? d->args_usage : "",
			d->switches_usage ? d->switches_usage : "");
}

/* sleep up to secs, less when a signal asks for something */
static void
wait_for(double secs)
{
	double until = sky_mono_secs() + secs;

	while (!got_int && !got_term && !got_hup)
	{
		double left = until - sky_mono_secs();
		struct timespec ts;

		if (left <= 0)
			break;
		if (left > 0.1)
			left = 0.1;
		ts.tv_sec = 0;
		ts.tv_nsec = (long) (left * 1e9);
		nanosleep(&ts, NULL);
	}
}

static int
run(SkyScript *s, int argc, char **argv, bool daemon)
{
	const SkyScriptDef *d = s->def;
	const SkyScriptCommon *c = sky_script_common(s);
	char err[1024];
	struct sigaction sa;
	int rc = 0;

	if (daemon && (c->pidfile == NULL || c->pidfile[0] == '\0'))
	{
		log_error("Daemon needs pidfile");
		return 1;
	}
	if (c->pidfile && c->pidfile[0])
	{
		bool stale;

		if (!pidfile_claim(c->pidfile, &stale, err, sizeof(err)))
		{
			log_error("%s", err);
			return 1;
		}
		if (stale)
			log_info("Ignoring stale pidfile");
	}
	if (daemon)
	{
		if (!daemonize(err, sizeof(err)))
		{
			log_error("%s", err);
			return 1;
		}
		s->quiet = true;
		configure_log(s);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (d->start && (rc = d->start(s, argc, argv)) != 0)
		return rc < 0 ? 0 : rc;
	while (!got_int && !got_term)
	{
		SkyWork w;

		if (got_hup)
		{
			char *block;

			got_hup = 0;
			block = load_config(s, err, sizeof(err));
			if (block == NULL)
				log_error("reload: %s; the old configuration stays", err);
			else
			{
				cf_free(s->keys, s->block);
				free(s->block);
				s->block = block;
				c = sky_script_common(s);
				log_reopen();
				configure_log(s);
				log_info("configuration reloaded");
				if (d->reload)
					d->reload(s);
			}
		}
		w = d->work ? d->work(s) : SKY_DONE;
		send_stats(s);
		if (w == SKY_DONE)
			break;
		if (w == SKY_ERROR)
		{
			log_error("Job %s crashed", c->job_name);
			if (s->single)
			{
				rc = 1;
				break;
			}
			wait_for(c->exception_sleep);
			continue;
		}
		if (w == SKY_MORE)
			continue;
		if (s->single || c->loop_delay <= 0)
			break;
		wait_for(c->loop_delay);
	}
	if (got_term)
		log_info("Got SIGTERM, fast exit");
	else if (got_int)
		log_info("Got SIGINT, stopping");
	if (d->stop)
		d->stop(s);
	return rc;
}

int
sky_script_main(const SkyScriptDef *def, int argc, char **argv)
{
	static const struct option common_opts[] = {
		{"quiet", no_argument, NULL, 'q'},
		{"verbose", no_argument, NULL, 'v'},
		{"daemon", no_argument, NULL, 'd'},
		{"reload", no_argument, NULL, 'r'},
		{"stop", no_argument, NULL, 's'},
		{"kill", no_argument, NULL, 'k'},
		{"version", no_argument, NULL, 'V'},
		{"help", no_argument, NULL, 'h'},
		{"ini", no_argument, NULL, 'I'},
		{"set", required_argument, NULL, 'S'},
		{NULL, 0, NULL, 0},
	};
	SkyScript s;
	char *sets[argc + 1];
	char err[1024];
	int c, sig = 0, rc, i, ncommon = 0, nsw = 0;
	bool daemon = false, sample = false;
	LogSettings ls;
	char shorts[128] = "qvdrskVh";

	while (common_opts[ncommon].name)
		ncommon++;
	while (def->switches && def->switches[nsw])
		nsw++;

	struct option opts[ncommon + nsw + 1];
	const char *switch_vals[nsw + 1];
	char names[nsw + 1][64];

	memset(&s, 0, sizeof(s));
	s.def = def;
	s.sets = sets;
	s.nswitches = nsw;
	s.switch_vals = switch_vals;
	memcpy(opts, common_opts, sizeof(common_opts[0]) * (size_t) ncommon);
	for (i = 0; i < nsw; i++)
	{
		const char *n;
		size_t l;
		char letter;
		bool has_arg;

		switch_name(def->switches[i], &n, &l, &letter, &has_arg);
		snprintf(names[i], sizeof(names[i]), "%.*s", (int) l, n);
		opts[ncommon + i].name = names[i];
		opts[ncommon + i].has_arg = has_arg ? required_argument : no_argument;
		opts[ncommon + i].flag = NULL;
		opts[ncommon + i].val = 1000 + i;
		switch_vals[i] = NULL;
		if (letter && strlen(shorts) + 3 < sizeof(shorts))
		{
			size_t e = strlen(shorts);

			shorts[e++] = letter;
			if (has_arg)
				shorts[e++] = ':';
			shorts[e] = '\0';
		}
	}
	memset(&opts[ncommon + nsw], 0, sizeof(opts[0]));
	/* options anywhere (as upstream's); INI and the script's arguments in order */
	while ((c = getopt_long(argc, argv, shorts, opts, NULL)) != -1)
	{
		int sw = -1;

		if (c >= 1000 && c < 1000 + nsw)
			sw = c - 1000;
		for (i = 0; sw < 0 && i < nsw; i++)
		{
			const char *n;
			size_t l;
			char letter;
			bool has_arg;

			switch_name(def->switches[i], &n, &l, &letter, &has_arg);
			if (letter && letter == c)
				sw = i;
		}
		if (sw >= 0)
		{
			switch_vals[sw] = optarg ? optarg : "";
			continue;
		}
		switch (c)
		{
			case 'q':
				s.quiet = true;
				break;
			case 'v':
				s.verbose++;
				break;
			case 'd':
				daemon = true;
				break;
			case 'r':
				sig = SIGHUP;
				break;
			case 's':
				sig = SIGINT;
				break;
			case 'k':
				sig = SIGTERM;
				break;
			case 'V':
				printf("%s version %s, Skytools version %s\n", def->service,
					   def->version ? def->version : "", SKYTOOLS_VERSION);
				return 0;
			case 'h':
				usage(def, stdout);
				return 0;
			case 'I':
				sample = true;
				break;
			case 'S':
				sets[s.nsets++] = optarg;
				break;
			default:
				usage(def, stderr);
				return 1;
		}
	}
	if (!build_keys(&s))
	{
		fprintf(stderr, "%s: out of memory\n", def->service);
		return 1;
	}
	if (sample)
	{
		print_sample(&s);
		free(s.keys);
		return 0;
	}
	if (optind >= argc)
	{
		fprintf(stderr, "%s: need config file\n", def->service);
		usage(def, stderr);
		free(s.keys);
		return 1;
	}
	s.ini_file = argv[optind];
	memset(&ls, 0, sizeof(ls));
	ls.quiet = s.quiet;
	log_configure(&ls);
	s.block = load_config(&s, err, sizeof(err));
	if (s.block == NULL)
	{
		log_error("%s", err);
		free(s.keys);
		return 1;
	}
	configure_log(&s);
	if (sig)
	{
		const char *pf = sky_script_common(&s)->pidfile;
		int r = pf && pf[0] ? pidfile_signal(pf, sig) : -2;

		if (r == -2)
			log_warning("pidfile is not set: nothing to signal");
		else if (r == 0)
			log_warning("no process runs for %s", pf);
		else if (r < 0)
			log_warning("cannot signal the process of %s: %s", pf,
						strerror(errno));
		rc = 0;
	}
	else
		rc = run(&s, argc - optind - 1, argv + optind + 1, daemon);
	cf_free(s.keys, s.block);
	free(s.block);
	free(s.keys);
	return rc;
}
