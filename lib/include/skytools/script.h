/*-------------------------------------------------------------------------
 *
 * script.h
 *	  The script framework: what every SkyTools script shares, so that a
 *	  program is its configuration keys and a work function.
 *
 *	  int main(int argc, char **argv)
 *	  {
 *		  static const SkyScriptDef def = {
 *			  .service = "my_consumer", .version = "1.0",
 *			  .keys = my_keys, .cfg_size = sizeof(MyCfg),
 *			  .work = my_work,
 *		  };
 *		  return sky_script_main(&def, argc, argv);
 *	  }
 *
 *	  prog [options] INI [args]: the ini's section named after the
 *	  service ([DEFAULT] seen too), upstream's %(name)s interpolation with
 *	  job_name (the ini's base name), service_name, host_name,
 *	  config_dir and config_file built in; every key checked (an unknown
 *	  one, a bad value or an interpolation that refers to nothing is an
 *	  error naming the file and line).  The common keys: job_name,
 *	  logfile, pidfile, loop_delay (1 s), exception_sleep (20 s),
 *	  use_skylog (accepted), syslog and syslog_ident.
 *
 *	  Switches: -q (nothing on stderr), -v (more; -vv still more), -d
 *	  (background: needs pidfile), -V, -h, --ini (a commented sample with
 *	  every key), --set KEY=VALUE (repeatable, kept over reloads), -r/-s/-k
 *	  (SIGHUP / SIGINT / SIGTERM to the running instance).  The pidfile,
 *	  when set, is also the single-instance lock.
 *
 *	  The loop: work() again at once while it says SKY_MORE, after
 *	  loop_delay when SKY_IDLE (a script with loop_delay <= 0, or that
 *	  called sky_script_single_loop, ends instead), after exception_sleep
 *	  when SKY_ERROR ("Job NAME crashed"), and it ends at SKY_DONE.  After
 *	  each round the statistics collected with sky_stat_* are logged as one
 *	  line {key: value, ...} and cleared.  SIGHUP: the configuration read
 *	  again (then reload()); SIGINT: stop after the current round (a
 *	  second within a second: at once); SIGTERM: stop at once, between
 *	  rounds or in a wait.
 *
 * IDENTIFICATION
 *	  lib/include/skytools/script.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SKYTOOLS_SCRIPT_H
#define SKYTOOLS_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>

#include "skytools/cfg.h"

#define SKYTOOLS_VERSION "3.6"

typedef struct SkyScript SkyScript;

/* what work() says */
typedef enum SkyWork
{
	SKY_MORE,  /* there is more: again at once */
	SKY_IDLE,  /* nothing now: again after loop_delay */
	SKY_ERROR, /* failed (logged): again after exception_sleep */
	SKY_DONE   /* finished: the script ends, exit 0 */
} SkyWork;

/* the keys every script has */
typedef struct SkyScriptCommon
{
	char *job_name;
	char *logfile;
	char *pidfile;
	double loop_delay;
	double exception_sleep;
	char *use_skylog;
	int syslog;
	char *syslog_ident;
} SkyScriptCommon;

typedef struct SkyScriptDef
{
	const char *service;	 /* the ini section, the name in -V and logs */
	const char *alt_service; /* another section name accepted (upstream's
							  * "queue_mover3" for "queue_mover"), or NULL */
	const char *version;	 /* the script's own */
	const char *args_usage;	 /* what follows INI, for -h ("" or NULL) */
	const CfKey *keys;		 /* the script's keys (NULL: none) */
	size_t cfg_size;		 /* the struct they fill */
	/* the script's own long switches: "register" (a flag), "provider="
	 * (with a value), "p|provider=" (and the one-letter form); NULL-ended,
	 * read with sky_script_flag() */
	const char *const *switches;
	const char *switches_usage; /* their lines for -h, or NULL */
	/* other defaults for the common keys: {"loop_delay", "-1", NULL} */
	const char *const *defaults;
	/* once, after the configuration, before the loop; args: what follows
	 * INI on the command line.  Positive: the script ends with it;
	 * negative: it ends with 0 (it did what it was asked: --register) */
	int (*start)(SkyScript *s, int argc, char **argv);
	SkyWork (*work)(SkyScript *s);
	void (*reload)(SkyScript *s); /* after the configuration is read again */
	void (*stop)(SkyScript *s);	  /* once, at the end */
} SkyScriptDef;

/* Run the script; the process's exit status. */
extern int sky_script_main(const SkyScriptDef *def, int argc, char **argv);

extern void *sky_script_cfg(SkyScript *s); /* the script's keys */
extern const SkyScriptCommon *sky_script_common(SkyScript *s);
extern const char *sky_script_ini(SkyScript *s);
extern void sky_script_set_arg(SkyScript *s, void *arg);
extern void *sky_script_arg(SkyScript *s);
/* A switch of def->switches: NULL when not given, else its value ("" for
 * a flag); the last one wins when repeated. */
extern const char *sky_script_flag(SkyScript *s, const char *name);
/* end after this round instead of looping */
extern void sky_script_single_loop(SkyScript *s);
/* true once a stop was asked (SIGINT, SIGTERM): long work checks it */
extern bool sky_script_stopping(SkyScript *s);

/* statistics of the round, logged after it as {key: value, ...} */
extern void sky_stat_inc(SkyScript *s, const char *key, double n);
extern void sky_stat_put(SkyScript *s, const char *key, double value);
extern double sky_stat_get(SkyScript *s, const char *key);

#endif /* SKYTOOLS_SCRIPT_H */
