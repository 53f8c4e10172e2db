/*-------------------------------------------------------------------------
 *
 * main.c
 *	  walmgr's command line: walmgr INI COMMAND [args] [options], the ini
 *	  file's [walmgr] section with every key of upstream's walmgr checked
 *	  when it is loaded, and the command table (which role runs what).
 *
 * IDENTIFICATION
 *	  bin/walmgr/main.c
 *
 *-------------------------------------------------------------------------
 */
#include "walmgr.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skytools/daemon.h"
#include "skytools/log.h"
#include "skytools/pyini.h"

#define K(name, type, field, def, help)                                       \
	{                                                                         \
		name, type, offsetof(WmConfig, field), def, help                      \
	}

static const CfKey keys[] = {
	K("job_name", CF_STR, job_name, "%(job_name)s", "log identity"),
	K("logfile", CF_FILE, logfile, NULL, "log file; default stderr only"),
	K("use_skylog", CF_STR, use_skylog, "0", "accepted; logging is logfile's"),
	K("pidfile", CF_FILE, pidfile, NULL, "pid file of sync/syncdaemon"),
	K("walmgr_data", CF_FILE, walmgr_data, NULL,
	  "base directory on the slave"),
	K("completed_wals", CF_FILE, completed_wals, NULL,
	  "archived WAL (logs.complete)"),
	K("partial_wals", CF_FILE, partial_wals, NULL,
	  "the segment being written (logs.partial)"),
	K("full_backup", CF_FILE, full_backup, NULL, "base backup (data.master)"),
	K("config_backup", CF_FILE, config_backup, NULL,
	  "copies of the master's configuration files"),
	K("loop_delay", CF_TIME, loop_delay, "1.0",
	  "syncdaemon: seconds before it reconnects to a lost master"),
	K("master_db", CF_STR, master_db, NULL, "master: connect string"),
	K("master_data", CF_FILE, master_data, NULL,
	  "master: data directory (its presence makes the node the master)"),
	K("master_config", CF_FILE, master_config, NULL,
	  "master: postgresql.conf"),
	K("master_bin", CF_FILE, master_bin, NULL, "master: PostgreSQL's bin dir"),
	K("master_restart_cmd", CF_STR, master_restart_cmd, NULL,
	  "master: restart command"),
	K("slave", CF_STR, slave, NULL, "master: the slave's host (ssh)"),
	K("slave_config", CF_FILE, slave_config, NULL,
	  "master: the slave's ini, on the slave"),
	K("use_xlog_functions", CF_INT, use_xlog_functions, "0",
	  "master: accepted (sync streams the WAL)"),
	K("compression", CF_INT, compression, "0",
	  "zstd level of archived segments, 0 = plain"),
	K("keep_symlinks", CF_INT, keep_symlinks, "1",
	  "master: keep symlinked pg_wal/log on the slave"),
	K("hot_standby", CF_STR, hot_standby, "0", "master: accepted (replica)"),
	K("periodic_command", CF_STR, periodic_command, NULL,
	  "master: shell command run from xarchive"),
	K("command_interval", CF_INT, command_interval, "0",
	  "master: seconds between periodic_command runs"),
	K("slave_data", CF_FILE, slave_data, NULL, "slave: data directory"),
	K("slave_bin", CF_FILE, slave_bin, NULL, "slave: PostgreSQL's bin dir"),
	K("slave_start_cmd", CF_STR, slave_start_cmd, NULL,
	  "slave: start command"),
	K("slave_stop_cmd", CF_STR, slave_stop_cmd, NULL, "slave: stop command"),
	K("slave_config_dir", CF_FILE, slave_config_dir, NULL,
	  "slave: where restore puts the configuration files"),
	K("slave_pg_xlog", CF_FILE, slave_pg_xlog, NULL,
	  "slave: pg_wal as a symlink to this directory"),
	K("backup_datadir", CF_STR, backup_datadir, "yes",
	  "slave: keep the old data directory on restore"),
	K("keep_backups", CF_INT, keep_backups, "0",
	  "slave: base backup generations kept"),
	K("archive_command", CF_STR, archive_command, NULL,
	  "slave: hook run before a backup set is removed ($BACKUPDIR)"),
	K("primary_conninfo", CF_STR, primary_conninfo, NULL,
	  "slave: stream from the master"),
	K("keep_days", CF_INT, keep_days, "0",
	  "slave: also remove backup sets older than this, 0 = never"),
	K("restore_wait", CF_STR, restore_wait, "0",
	  "slave: xrestore waits for WAL not archived yet (upstream's way)"),
	K("slot_name", CF_STR, slot_name, NULL,
	  "master: the receiver's replication slot (default walmgr_JOBNAME)"),
	K("restore_prefetch", CF_INT, restore_prefetch, "0",
	  "slave: xrestore readies this many next segments ahead, 0 = none"),
	K("progress_interval", CF_TIME, progress_interval, "10",
	  "seconds between progress lines of backup and restore, 0 = none"),
	{NULL, CF_STR, 0, NULL, NULL},
};

/*
 * Which node runs a command: 'M' master, 'S' slave, 'B' both; run is NULL
 * for those this version does not have yet.
 */
typedef struct Command
{
	const char *name;
	char role;
	WmCommand run;
} Command;

static const Command commands[] = {
	{"setup", 'B', cmd_setup},
	{"stop", 'M', cmd_stop},
	{"sync", 'B', cmd_sync},
	{"syncdaemon", 'B', cmd_syncdaemon},
	{"periodic", 'M', cmd_periodic},
	{"synch-standby", 'M', cmd_synch_standby},
	{"backup", 'B', cmd_backup},
	{"listbackups", 'B', cmd_listbackups},
	{"restore", 'B', cmd_restore},
	{"boot", 'S', cmd_boot},
	{"pause", 'S', cmd_pause},
	{"continue", 'S', cmd_continue},
	{"createslave", 'S', cmd_createslave},
	{"cleanup", 'B', cmd_cleanup},
	{"xarchive", 'M', cmd_xarchive},
	{"xrestore", 'B', cmd_xrestore},
	{"xreceive", 'S', cmd_xreceive},
	{"xlock", 'S', cmd_xlock},
	{"xrelease", 'S', cmd_xrelease},
	{"xrotate", 'S', cmd_xrotate},
	{"xpurgewals", 'S', cmd_xpurgewals},
	{"xpartialsync", 'S', cmd_xpartialsync},
	{"verify", 'B', cmd_verify},
	{"check", 'M', cmd_check},
	{NULL, 0, NULL},
};

static void
usage(FILE *f)
{
	fprintf(f,
			"usage: walmgr INI COMMAND [args] [options]\n"
			"       walmgr --init-master|--init-slave [options]\n"
			"\n"
			"master commands: setup stop sync syncdaemon periodic "
			"synch-standby backup listbackups\n"
			"slave commands:  setup backup listbackups restore boot pause "
			"continue createslave cleanup\n"
			"also:            verify (both roles), check (master)\n"
			"internal:        xarchive xrestore xlock xrelease xrotate "
			"xpurgewals xpartialsync\n"
			"\n"
			"options:\n"
			"  -n, --not-really   say what would be done, do nothing\n"
			"  -q, --quiet        nothing on stderr\n"
			"  -v, --verbose      more output\n"
			"  --set KEY=VALUE    override an ini key\n"
			"  -d, --daemon       syncdaemon: go to the background "
			"(needs pidfile)\n"
			"  -s, -k, -r         sync/syncdaemon: stop, kill, reload the "
			"running one\n"
			"  --init-master --slave HOST | --init-slave [--primary-conninfo "
			"STR]\n"
			"     [--pgdata DIR] [--config-dir DIR]   write a first ini "
			"(no INI argument)\n"
			"restore targets (one of):\n"
			"  --target-time=T --target-xid=X --target-lsn=L "
			"--target-name=N --target-immediate\n"
			"  --target-action=pause|promote|shutdown   at the target "
			"(default pause)\n"
			"  --ini              print a sample ini and exit\n"
			"  -V, --version      print the version and exit\n"
			"  -h, --help         this help\n");
}

static void
print_sample(void)
{
	const CfKey *k;

	printf("[walmgr]\n");
	for (k = keys; k->name; k++)
		printf("# %s\n#%s = %s\n\n", k->help, k->name, k->def ? k->def : "");
}

static bool
check_bool(const char *key, const char *value)
{
	bool b;

	if (value == NULL || pyini_parse_bool(value, &b))
		return true;
	fprintf(stderr, "walmgr: %s = %s: not a boolean\n", key, value);
	return false;
}

static bool
load_ini(Wm *wm, char **sets, int nsets)
{
	const char *const sections[] = {"walmgr", NULL};
	char err[512] = "";
	PyIni *ini;
	int i;
	bool ok;

	ini = pyini_load(wm->ini_file, err, sizeof(err));
	if (ini == NULL)
	{
		fprintf(stderr, "walmgr: %s\n", err);
		return false;
	}
	for (i = 0; i < nsets; i++)
	{
		char *eq = strchr(sets[i], '=');

		if (eq == NULL)
		{
			fprintf(stderr, "walmgr: --set %s: expected KEY=VALUE\n", sets[i]);
			pyini_free(ini);
			return false;
		}
		*eq = '\0';
		ok = pyini_override(ini, sets[i], eq + 1);
		*eq = '=';
		if (!ok)
		{
			fprintf(stderr, "walmgr: out of memory\n");
			pyini_free(ini);
			return false;
		}
	}
	if (pyini_find_section(ini, sections) == NULL)
	{
		fprintf(stderr, "walmgr: %s: no [walmgr] section\n", wm->ini_file);
		pyini_free(ini);
		return false;
	}
	ok = pyini_fill(ini, "walmgr", keys, &wm->cfg, err, sizeof(err));
	pyini_free(ini);
	if (!ok)
	{
		fprintf(stderr, "walmgr: %s\n", err);
		return false;
	}
	if (!check_bool("use_skylog", wm->cfg.use_skylog) ||
		!check_bool("hot_standby", wm->cfg.hot_standby) ||
		!check_bool("backup_datadir", wm->cfg.backup_datadir) ||
		!check_bool("restore_wait", wm->cfg.restore_wait))
		return false;
	if (wm->cfg.compression < 0 || wm->cfg.compression > 19)
	{
		fprintf(stderr, "walmgr: compression = %d: expected 0 (off) to 19\n",
				wm->cfg.compression);
		return false;
	}
	if (wm->cfg.keep_backups < 0 || wm->cfg.keep_days < 0 ||
		wm->cfg.command_interval < 0 || wm->cfg.restore_prefetch < 0)
	{
		fprintf(stderr, "walmgr: keep_backups, keep_days, command_interval "
						"and restore_prefetch must not be negative\n");
		return false;
	}
	pyini_parse_bool(wm->cfg.restore_wait, &wm->restore_wait);
	wm->is_master = wm->cfg.master_data != NULL && wm->cfg.master_data[0];
	return true;
}

/*
 * The pidfile of sync and syncdaemon: -s/-k/-r signal the running one
 * (exit status returned), else it is claimed (and -d goes to the
 * background); -1 to go on.
 */
static int
run_pidfile(Wm *wm, int sig, bool daemon)
{
	const char *pf = wm->cfg.pidfile;
	char err[512];
	bool stale;

	if (pf == NULL || pf[0] == '\0')
	{
		if (sig || daemon)
		{
			log_error("pidfile is not set in the ini (needed by -d, -s, -k, "
					  "-r)");
			return 1;
		}
		return -1;
	}
	if (sig)
	{
		int r = pidfile_signal(pf, sig);

		if (r < 0)
		{
			log_error("cannot signal the process in %s: %s", pf,
					  strerror(errno));
			return 1;
		}
		if (r == 0)
		{
			log_info("no process runs for %s", pf);
			return 0;
		}
		log_info("signal %d sent", sig);
		return 0;
	}
	if (wm->not_really)
		return -1;
	if (!pidfile_claim(pf, &stale, err, sizeof(err)))
	{
		log_error("%s", err);
		return 1;
	}
	if (stale)
		log_info("stale pidfile %s removed", pf);
	if (daemon && !daemonize(err, sizeof(err)))
	{
		log_error("%s", err);
		return 1;
	}
	return -1;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"not-really", no_argument, NULL, 'n'},
		{"quiet", no_argument, NULL, 'q'},
		{"verbose", no_argument, NULL, 'v'},
		{"version", no_argument, NULL, 'V'},
		{"help", no_argument, NULL, 'h'},
		{"ini", no_argument, NULL, 'I'},
		{"json", no_argument, NULL, 'J'},
		{"set", required_argument, NULL, 'S'},
		{"daemon", no_argument, NULL, 'd'},
		{"stop", no_argument, NULL, 's'},
		{"kill", no_argument, NULL, 'k'},
		{"reload", no_argument, NULL, 'r'},
		{"target-time", required_argument, NULL, 1},
		{"target-xid", required_argument, NULL, 2},
		{"target-lsn", required_argument, NULL, 3},
		{"target-name", required_argument, NULL, 4},
		{"target-immediate", no_argument, NULL, 5},
		{"target-action", required_argument, NULL, 6},
		{"init-master", no_argument, NULL, 7},
		{"init-slave", no_argument, NULL, 8},
		{"config-dir", required_argument, NULL, 9},
		{"slave", required_argument, NULL, 10},
		{"pgdata", required_argument, NULL, 11},
		{"primary-conninfo", required_argument, NULL, 12},
		{NULL, 0, NULL, 0},
	};
	Wm wm;
	LogSettings ls;
	char *sets[argc + 1]; /* the --set arguments */
	int nsets = 0, verbose = 0, c, rc, sig = 0, init = 0;
	WmInit io = {NULL, NULL, NULL, NULL};
	bool quiet = false, daemon = false;
	const Command *cmd;

	memset(&wm, 0, sizeof(wm));
	/* options may come anywhere: getopt moves the rest to the end, in order */
	while ((c = getopt_long(argc, argv, "nqvVhdskr", opts, NULL)) != -1)
	{
		switch (c)
		{
			case 'n':
				wm.not_really = true;
				break;
			case 'q':
				quiet = true;
				break;
			case 'v':
				verbose++;
				break;
			case 'V':
				printf("walmgr %s\n", WALMGR_VERSION);
				return 0;
			case 'h':
				usage(stdout);
				return 0;
			case 'I':
				print_sample();
				return 0;
			case 'S':
				sets[nsets++] = optarg;
				break;
			case 'J':
				wm.json = true;
				break;
			case 'd':
				daemon = true;
				break;
			case 's':
				sig = SIGINT;
				break;
			case 'k':
				sig = SIGTERM;
				break;
			case 'r':
				sig = SIGHUP;
				break;
			case 1:
				wm.target.time = optarg;
				break;
			case 2:
				wm.target.xid = optarg;
				break;
			case 3:
				wm.target.lsn = optarg;
				break;
			case 4:
				wm.target.name = optarg;
				break;
			case 5:
				wm.target.immediate = 1;
				break;
			case 6:
				wm.target.action = optarg;
				break;
			case 7:
			case 8:
				init = c;
				break;
			case 9:
				io.config_dir = optarg;
				break;
			case 10:
				io.slave = optarg;
				break;
			case 11:
				io.pgdata = optarg;
				break;
			case 12:
				io.primary_conninfo = optarg;
				break;
			default:
				usage(stderr);
				return 1;
		}
	}
	if (init)
	{
		memset(&ls, 0, sizeof(ls));
		ls.quiet = quiet;
		log_configure(&ls);
		if (argc > optind)
		{
			log_error("--init-master and --init-slave take no ini");
			return 1;
		}
		return wm_init_ini(init == 7, &io);
	}
	if (argc - optind < 2)
	{
		usage(stderr);
		return 1;
	}
	wm.ini_file = argv[optind];
	for (cmd = commands; cmd->name; cmd++)
		if (strcmp(cmd->name, argv[optind + 1]) == 0)
			break;
	if (cmd->name == NULL)
	{
		fprintf(stderr, "walmgr: unknown command: %s\n", argv[optind + 1]);
		usage(stderr);
		return 1;
	}
	if (!load_ini(&wm, sets, nsets))
	{
		cf_free(keys, &wm.cfg);
		return 1;
	}
	memset(&ls, 0, sizeof(ls));
	ls.logfile = wm.cfg.logfile;
	ls.verbose = verbose;
	ls.quiet = quiet;
	log_configure(&ls);

	rc = 1;
	if ((cmd->role == 'M' && !wm.is_master) ||
		(cmd->role == 'S' && wm.is_master))
		log_error("%s: Action not available on current node.", cmd->name);
	else if (cmd->run == NULL)
		log_error("%s: not available in this version of walmgr yet",
				  cmd->name);
	else if (cmd->run != cmd_sync && cmd->run != cmd_syncdaemon &&
			 (sig || daemon))
		log_error("%s: -d, -s, -k and -r are for sync and syncdaemon",
				  cmd->name);
	else if (wm.is_master && wm.cfg.slave && wm.cfg.slave[0] &&
			 (cmd->run == cmd_sync || cmd->run == cmd_syncdaemon ||
			  cmd->run == cmd_listbackups))
		/* a slave on another host does these itself, over ssh */
		rc = wm_slave_cmd(&wm, cmd->name,
						  sig == SIGINT	   ? "-s"
						  : sig == SIGTERM ? "-k"
						  : sig == SIGHUP  ? "-r"
						  : daemon		   ? "-d"
						  : wm.json		   ? "--json"
										   : NULL);
	else if ((cmd->run != cmd_sync && cmd->run != cmd_syncdaemon) ||
			 (rc = run_pidfile(&wm, sig,
							   daemon && cmd->run == cmd_syncdaemon)) < 0)
		rc = cmd->run(&wm, argc - optind - 2, argv + optind + 2);
	cf_free(keys, &wm.cfg);
	return rc;
}
