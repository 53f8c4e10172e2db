/*-------------------------------------------------------------------------
 *
 * scriptmgr.c
 *	  Many scripts at once, upstream's scriptmgr3: the jobs are the ini
 *	  files that config_list's globs find; a job's service type is its
 *	  ini's first section, and a section of that name here says how to
 *	  run it (script, args, cwd, disabled; [DEFAULT] gives defaults).
 *
 *	  scriptmgr INI status [JOB...]
 *	  scriptmgr INI start|stop|restart|reload (JOB... | -a | -t TYPE)
 *
 *	  start runs "script args -d JOB_INI" in cwd (the script goes to the
 *	  background with its pidfile); stop sends SIGINT and waits for the
 *	  job to end (stop_timeout seconds, then it says so); reload sends
 *	  SIGHUP; restart is stop and start.  status shows every job (or the
 *	  named ones) with its pid.  Exit 1 when something asked for failed.
 *
 * IDENTIFICATION
 *	  bin/scripts/scriptmgr.c
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <glob.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "skytools/clock.h"
#include "skytools/daemon.h"
#include "skytools/log.h"
#include "skytools/pyini.h"
#include "skytools/script.h"

typedef struct Cfg
{
	char *config_list;
	double stop_timeout;
} Cfg;

static const CfKey keys[] = {
	{"config_list", CF_STR, offsetof(Cfg, config_list), NULL,
	 "the jobs' ini files: globs, comma-separated (~ expanded)"},
	{"stop_timeout", CF_TIME, offsetof(Cfg, stop_timeout), "30",
	 "seconds stop waits for a job to end"},
	{NULL, CF_STR, 0, NULL, NULL},
};

typedef struct Job
{
	char *name;
	char *service;
	char *ini;
	char *pidfile; /* NULL: the job's ini has none */
	char *script;
	char *args;
	char *cwd;
	bool disabled;
} Job;

static Job *jobs;
static int njobs;

static void
free_jobs(void)
{
	int i;

	for (i = 0; i < njobs; i++)
	{
		free(jobs[i].name);
		free(jobs[i].service);
		free(jobs[i].ini);
		free(jobs[i].pidfile);
		free(jobs[i].script);
		free(jobs[i].args);
		free(jobs[i].cwd);
	}
	free(jobs);
	jobs = NULL;
	njobs = 0;
}

static char *
get(const PyIni *ini, const char *section, const char *key, const char *file)
{
	char err[512];
	char *v = pyini_get(ini, section, key, err, sizeof(err));

	if (v == NULL && err[0])
		log_warning("%s: %s", file, err);
	return v;
}

/* ~ and ~/ at the start of a path */
static char *
expand_home(char *p)
{
	const char *home = getenv("HOME");
	char *e;

	if (p == NULL || p[0] != '~' || (p[1] && p[1] != '/') || home == NULL)
		return p;
	e = malloc(strlen(home) + strlen(p));
	if (e == NULL)
		return p;
	sprintf(e, "%s%s", home, p + 1);
	free(p);
	return e;
}

/* one job ini: known service type, or skipped with a message */
static void
add_job(const PyIni *mgr, const char *file)
{
	char err[512];
	PyIni *ini = pyini_load(file, err, sizeof(err));
	const char *service;
	Job j = {0};
	char *dis;
	Job *n;

	if (ini == NULL)
	{
		log_warning("skipping %s", err);
		return;
	}
	service = pyini_section(ini, 0);
	if (service == NULL ||
		pyini_find_section(mgr, (const char *const[]){service, NULL}) == NULL)
	{
		log_debug("%s: service type %s is not in the scriptmgr ini, skipped",
				  file, service ? service : "(none)");
		pyini_free(ini);
		return;
	}
	j.service = strdup(service);
	j.ini = strdup(file);
	j.name = get(ini, service, "job_name", file);
	j.pidfile = expand_home(get(ini, service, "pidfile", file));
	j.script = get(mgr, service, "script", file);
	j.args = get(mgr, service, "args", file);
	j.cwd = expand_home(get(mgr, service, "cwd", file));
	dis = get(mgr, service, "disabled", file);
	if (dis)
		pyini_parse_bool(dis, &j.disabled);
	free(dis);
	pyini_free(ini);
	n = realloc(jobs, sizeof(Job) * (size_t) (njobs + 1));
	if (n == NULL)
		return;
	jobs = n;
	jobs[njobs++] = j;
}

static bool
load_jobs(SkyScript *s)
{
	Cfg *c = sky_script_cfg(s);
	char err[512];
	PyIni *mgr;
	char *list, *tok, *save = NULL;

	if (c->config_list == NULL)
	{
		log_error("%s: config_list is not set", sky_script_ini(s));
		return false;
	}
	mgr = pyini_load(sky_script_ini(s), err, sizeof(err));
	if (mgr == NULL)
	{
		log_error("%s", err);
		return false;
	}
	list = strdup(c->config_list);
	for (tok = strtok_r(list, ",", &save); tok;
		 tok = strtok_r(NULL, ",", &save))
	{
		glob_t g;
		size_t i;

		while (*tok == ' ' || *tok == '\t' || *tok == '\n')
			tok++;
		for (i = strlen(tok); i > 0 && strchr(" \t\n", tok[i - 1]); i--)
			tok[i - 1] = '\0';
		if (glob(tok, GLOB_TILDE, NULL, &g) != 0)
			continue;
		for (i = 0; i < g.gl_pathc; i++)
			add_job(mgr, g.gl_pathv[i]);
		globfree(&g);
	}
	free(list);
	pyini_free(mgr);
	return true;
}

static pid_t
running(const Job *j)
{
	pid_t pid = j->pidfile ? pidfile_read(j->pidfile) : 0;

	return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM) ? pid : 0;
}

static int
cmd_status(const Job *j)
{
	pid_t pid = running(j);

	if (j->disabled)
		printf("%-30s %-24s disabled\n", j->name, j->service);
	else if (pid)
		printf("%-30s %-24s running (pid %d)\n", j->name, j->service,
			   (int) pid);
	else
		printf("%-30s %-24s stopped\n", j->name, j->service);
	return 0;
}

static int
cmd_start(const Job *j)
{
	char *argv[64];
	char *args = j->args ? strdup(j->args) : NULL;
	char *tok, *save = NULL;
	int n = 0, st;
	pid_t pid;

	if (j->disabled)
	{
		log_info("%s: disabled", j->name);
		free(args);
		return 0;
	}
	if (running(j))
	{
		log_info("%s: already running", j->name);
		free(args);
		return 0;
	}
	if (j->pidfile == NULL)
	{
		log_error("%s: its ini has no pidfile: it cannot be run in the "
				  "background",
				  j->name);
		free(args);
		return 1;
	}
	if (j->script == NULL)
	{
		log_error("%s: service %s has no script", j->name, j->service);
		free(args);
		return 1;
	}
	argv[n++] = j->script;
	for (tok = args ? strtok_r(args, " \t\n", &save) : NULL; tok && n < 60;
		 tok = strtok_r(NULL, " \t\n", &save))
		argv[n++] = tok;
	argv[n++] = "-d";
	argv[n++] = j->ini;
	argv[n] = NULL;
	fflush(NULL);
	pid = fork();
	if (pid == 0)
	{
		if (j->cwd && chdir(j->cwd) != 0)
		{
			fprintf(stderr, "%s: cannot chdir to %s: %s\n", j->name, j->cwd,
					strerror(errno));
			_exit(127);
		}
		execvp(argv[0], argv);
		fprintf(stderr, "%s: cannot run %s: %s\n", j->name, argv[0],
				strerror(errno));
		_exit(127);
	}
	free(args);
	if (pid < 0 || waitpid(pid, &st, 0) < 0)
	{
		log_error("%s: cannot start: %s", j->name, strerror(errno));
		return 1;
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
	{
		log_error("%s: %s failed to start (exit %d)", j->name, j->script,
				  WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
		return 1;
	}
	log_info("%s: started", j->name);
	return 0;
}

static int
cmd_stop(SkyScript *s, const Job *j)
{
	Cfg *c = sky_script_cfg(s);
	pid_t pid = running(j);
	double until;

	if (pid == 0)
	{
		log_info("%s: not running", j->name);
		return 0;
	}
	kill(pid, SIGINT);
	until = sky_mono_secs() + c->stop_timeout;
	while (kill(pid, 0) == 0 && sky_mono_secs() < until)
	{
		struct timespec ts = {0, 50 * 1000000L};

		nanosleep(&ts, NULL);
	}
	if (kill(pid, 0) == 0)
	{
		log_error("%s: still running %.0f s after SIGINT (pid %d)", j->name,
				  c->stop_timeout, (int) pid);
		return 1;
	}
	log_info("%s: stopped", j->name);
	return 0;
}

static int
cmd_reload(const Job *j)
{
	pid_t pid = running(j);

	if (pid == 0)
	{
		log_info("%s: not running", j->name);
		return 0;
	}
	if (kill(pid, SIGHUP) != 0)
	{
		log_error("%s: cannot signal pid %d: %s", j->name, (int) pid,
				  strerror(errno));
		return 1;
	}
	log_info("%s: reloaded", j->name);
	return 0;
}

static int
do_job(SkyScript *s, const char *cmd, const Job *j)
{
	if (strcmp(cmd, "status") == 0)
		return cmd_status(j);
	if (strcmp(cmd, "start") == 0)
		return cmd_start(j);
	if (strcmp(cmd, "stop") == 0)
		return cmd_stop(s, j);
	if (strcmp(cmd, "reload") == 0)
		return cmd_reload(j);
	/* restart */
	return cmd_stop(s, j) ? 1 : cmd_start(j);
}

static int
start(SkyScript *s, int argc, char **argv)
{
	static const char *const cmds[] = {"status",  "start",	"stop",
									   "restart", "reload", NULL};
	const char *type = sky_script_flag(s, "type");
	bool all = sky_script_flag(s, "all") != NULL;
	const char *cmd;
	int i, k, rc = 0;

	if (argc < 1)
	{
		log_error("need a command: status, start, stop, restart, reload");
		return 1;
	}
	cmd = argv[0];
	for (i = 0; cmds[i] && strcmp(cmds[i], cmd) != 0; i++)
		;
	if (cmds[i] == NULL)
	{
		log_error("unknown command: %s", cmd);
		return 1;
	}
	if (!load_jobs(s))
		return 1;
	if (argc == 1 && !all && !type && strcmp(cmd, "status") != 0)
	{
		log_error("%s: name the jobs, or -a for all, -t TYPE for a type", cmd);
		free_jobs();
		return 1;
	}
	/* named jobs must exist */
	for (k = 1; k < argc; k++)
	{
		for (i = 0; i < njobs && strcmp(jobs[i].name, argv[k]) != 0; i++)
			;
		if (i == njobs)
		{
			log_error("unknown job: %s", argv[k]);
			rc = 1;
		}
	}
	for (i = 0; i < njobs; i++)
	{
		bool pick = argc == 1 && !type;

		if (type && strcmp(jobs[i].service, type) == 0)
			pick = true;
		for (k = 1; k < argc; k++)
			if (strcmp(jobs[i].name, argv[k]) == 0)
				pick = true;
		if (pick && do_job(s, cmd, &jobs[i]) != 0)
			rc = 1;
	}
	free_jobs();
	return rc ? 1 : -1;
}

int
main(int argc, char **argv)
{
	static const char *const switches[] = {"a|all", "t|type=", NULL};
	static const SkyScriptDef def = {
		.service = "scriptmgr3",
		.alt_service = "scriptmgr",
		.version = "3.0",
		.args_usage = "status|start|stop|restart|reload [JOB...]",
		.keys = keys,
		.cfg_size = sizeof(Cfg),
		.switches = switches,
		.switches_usage = "  -a, --all         every job\n"
						  "  -t, --type TYPE   every job of a service type\n",
		.start = start,
	};

	return sky_script_main(&def, argc, argv);
}
