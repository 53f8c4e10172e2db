/*-------------------------------------------------------------------------
 *
 * master.c
 *	  The master's configuration commands: setup (archiving on), stop
 *	  (archiving off, the receiver stopped, its slot dropped), check,
 *	  synch-standby and periodic.
 *
 * Settings are changed with ALTER SYSTEM and pg_reload_conf() on a
 * master_db connection.  When the master cannot be reached, setup edits
 * master_config instead (an active line replaced, else the value added
 * after its commented line, else at the end; written to a temporary file
 * and renamed).  wal_level is only ever raised (minimal -> replica): a
 * master running logical stays logical.  archive_mode and wal_level take
 * effect at a restart: master_restart_cmd when set, else a warning.
 *
 * IDENTIFICATION
 *	  bin/walmgr/master.c
 *
 *-------------------------------------------------------------------------
 */
#include "walmgr.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "skytools/daemon.h"
#include "skytools/log.h"

/* the slave is on another host (slave = HOST) */
static bool
remote(const Wm *wm)
{
	return wm->cfg.slave && wm->cfg.slave[0];
}

/* "SELF INI xarchive %p %f", the paths quoted for the shell when needed */
static bool
archive_command(Wm *wm, char *dst, size_t len)
{
	char self[4096], ini[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n < 0 || realpath(wm->ini_file, ini) == NULL)
	{
		log_error("cannot find the absolute paths of walmgr and its ini: %s",
				  strerror(errno));
		return false;
	}
	self[n] = '\0';
	if (strpbrk(self, " '\"\\$`") || strpbrk(ini, " '\"\\$`"))
	{
		log_error("walmgr's path or the ini's holds a space or a quote; "
				  "archive_command would not survive the shell");
		return false;
	}
	if (snprintf(dst, len, "%s %s xarchive %%p %%f", self, ini) >= (int) len)
		return false;
	return true;
}

/* ALTER SYSTEM SET name = value (value as a literal) */
static bool
alter_system(Wm *wm, PGconn *db, const char *name, const char *value)
{
	char *lit = PQescapeLiteral(db, value, strlen(value));
	char sql[8192];
	PGresult *res;

	if (lit == NULL)
		return false;
	snprintf(sql, sizeof(sql), "alter system set %s = %s", name, lit);
	PQfreemem(lit);
	if (wm->not_really)
	{
		log_info("would run: %s", sql);
		return true;
	}
	res = wm_exec(db, sql, 0, NULL);
	if (res == NULL)
		return false;
	PQclear(res);
	log_info("%s = '%s'", name, value);
	return true;
}

static bool
setting(PGconn *db, const char *name, char *dst, size_t len)
{
	const char *params[1] = {name};
	PGresult *res = wm_exec(db, "select current_setting($1)", 1, params);

	if (res == NULL)
		return false;
	snprintf(dst, len, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return true;
}

/* reload, and restart when a changed setting waits for one */
static int
reload(Wm *wm, PGconn *db)
{
	PGresult *res;
	int pending;

	if (wm->not_really)
		return 0;
	res = wm_exec(db, "select pg_reload_conf()", 0, NULL);
	if (res == NULL)
		return 1;
	PQclear(res);
	/* the postmaster re-reads the files when it gets to it */
	usleep(200000);
	res = wm_exec(db, "select count(*) from pg_settings where pending_restart",
				  0, NULL);
	if (res == NULL)
		return 1;
	pending = atoi(PQgetvalue(res, 0, 0));
	PQclear(res);
	if (pending == 0)
		return 0;
	if (wm->cfg.master_restart_cmd && wm->cfg.master_restart_cmd[0])
	{
		log_info("restarting the master: %s", wm->cfg.master_restart_cmd);
		if (system(wm->cfg.master_restart_cmd) != 0)
		{
			log_error("master_restart_cmd failed");
			return 1;
		}
		return 0;
	}
	log_warning("the master needs a restart for archive_mode or wal_level "
				"to take effect (master_restart_cmd is not set)");
	return 0;
}

/*
 * master_config edited: name = 'value' replaces an active line, else goes
 * after a commented one, else at the end.
 */
static bool
edit_conf(Wm *wm, const char *path, const char *const *names,
		  const char *const *values, int n)
{
	FILE *in = fopen(path, "r"), *out;
	char tmp[4200], line[8192];
	bool *done = calloc((size_t) n, sizeof(bool));
	int i;

	if (in == NULL || done == NULL)
	{
		log_error("cannot read %s: %s", path, strerror(errno));
		free(done);
		if (in)
			fclose(in);
		return false;
	}
	snprintf(tmp, sizeof(tmp), "%s.walmgr-tmp", path);
	out = wm->not_really ? stdout : fopen(tmp, "w");
	if (out == NULL)
	{
		log_error("cannot create %s: %s", tmp, strerror(errno));
		fclose(in);
		free(done);
		return false;
	}
	while (fgets(line, sizeof(line), in))
	{
		const char *p = line + strspn(line, " \t");
		bool commented = *p == '#';
		bool replaced = false;

		if (commented)
			p += 1 + strspn(p + 1, " \t");
		for (i = 0; i < n; i++)
		{
			size_t l = strlen(names[i]);

			if (done[i] || strncmp(p, names[i], l) != 0 ||
				(p[l] != ' ' && p[l] != '\t' && p[l] != '='))
				continue;
			if (!commented)
			{
				fprintf(out, "%s = '%s'\n", names[i], values[i]);
				replaced = true;
			}
			else
				fprintf(out, "%s%s = '%s'\n", line, names[i], values[i]);
			done[i] = true;
			replaced = true;
			break;
		}
		if (!replaced)
			fputs(line, out);
	}
	for (i = 0; i < n; i++)
		if (!done[i])
			fprintf(out, "%s = '%s'\n", names[i], values[i]);
	fclose(in);
	free(done);
	if (wm->not_really)
		return true;
	if (fflush(out) != 0 || fsync(fileno(out)) != 0 || fclose(out) != 0 ||
		rename(tmp, path) != 0)
	{
		log_error("cannot write %s: %s", path, strerror(errno));
		unlink(tmp);
		return false;
	}
	log_info("%s: archiving set up; the master needs a restart", path);
	return true;
}

/* the value of an active name = value line of a configuration file */
static void
conf_value(const char *path, const char *name, char *dst, size_t len)
{
	FILE *f = fopen(path, "r");
	char line[8192];
	size_t l = strlen(name);

	while (f && fgets(line, sizeof(line), f))
	{
		const char *p = line + strspn(line, " \t");

		if (strncmp(p, name, l) != 0 || strchr(" \t=", p[l]) == NULL)
			continue;
		p += l + strspn(p + l, " \t");
		if (*p == '=')
			p++;
		p += strspn(p, " \t'");
		snprintf(dst, len, "%.*s", (int) strcspn(p, "' \t\n#"), p);
	}
	if (f)
		fclose(f);
}

static int
master_setup(Wm *wm)
{
	char cmd[8300], level[64], mode[64], senders[64];
	PGconn *db;
	int rc;

	if (!archive_command(wm, cmd, sizeof(cmd)))
		return 1;
	if (wm_slave_cmd(wm, "setup", NULL) != 0)
		return 1;
	db = wm_connect(wm->cfg.master_db, "master_db");
	if (db == NULL)
	{
		const char *names[] = {"archive_mode", "archive_command", "wal_level"};
		const char *values[] = {"on", cmd, "replica"};
		char cur[64] = "";

		if (wm->cfg.master_config == NULL || wm->cfg.master_config[0] == '\0')
		{
			log_error("setup: the master cannot be reached and master_config "
					  "is not set");
			return 1;
		}
		log_warning("setup: the master cannot be reached; editing %s",
					wm->cfg.master_config);
		/* wal_level only when the file says minimal: never downgrade */
		conf_value(wm->cfg.master_config, "wal_level", cur, sizeof(cur));
		return edit_conf(wm, wm->cfg.master_config, names, values,
						 strcmp(cur, "minimal") == 0 ? 3 : 2)
				   ? 0
				   : 1;
	}
	rc = 1;
	if (!setting(db, "wal_level", level, sizeof(level)) ||
		!setting(db, "archive_mode", mode, sizeof(mode)) ||
		!setting(db, "max_wal_senders", senders, sizeof(senders)))
		goto done;
	if (strcmp(mode, "off") == 0 &&
		!alter_system(wm, db, "archive_mode", "on"))
		goto done;
	if (!alter_system(wm, db, "archive_command", cmd))
		goto done;
	if (strcmp(level, "minimal") == 0 &&
		!alter_system(wm, db, "wal_level", "replica"))
		goto done;
	if (strcmp(senders, "0") == 0 &&
		!alter_system(wm, db, "max_wal_senders", "10"))
		goto done;
	rc = reload(wm, db);
done:
	PQfinish(db);
	return rc;
}

int
cmd_setup(Wm *wm, int argc, char **argv)
{
	(void) argv;
	if (argc != 0)
	{
		log_error("usage: setup");
		return 1;
	}
	return wm->is_master ? master_setup(wm) : wm_slave_setup(wm);
}

/* stop: archiving off, the receiver stopped, its slot dropped */
int
cmd_stop(Wm *wm, int argc, char **argv)
{
	PGconn *db;
	PGresult *res;
	char sync[256] = "", slot[128];
	const char *params[1];
	bool restart = wm->cfg.master_restart_cmd && wm->cfg.master_restart_cmd[0];
	int rc = 1;

	(void) argv;
	if (argc != 0)
	{
		log_error("usage: stop");
		return 1;
	}
	if (wm->cfg.slave && wm->cfg.slave[0])
	{
		/* the slave's receiver (the slot is dropped below) */
		if (wm_slave_cmd(wm, "syncdaemon", "-k") != 0)
			log_warning("stop: the slave's syncdaemon could not be told to "
						"stop");
	}
	else if (wm->cfg.pidfile && wm->cfg.pidfile[0] && !wm->not_really)
	{
		pid_t pid = pidfile_read(wm->cfg.pidfile);

		if (pid > 0 && kill(pid, SIGTERM) == 0)
		{
			int i;

			log_info("stop: syncdaemon %ld told to stop", (long) pid);
			for (i = 0; i < 300 && kill(pid, 0) == 0; i++)
				usleep(100000);
		}
	}
	db = wm_connect(wm->cfg.master_db, "master_db");
	if (db == NULL)
		return 1;
	if (!alter_system(wm, db, "archive_command", "/bin/true") ||
		(restart && !alter_system(wm, db, "archive_mode", "off")) ||
		!setting(db, "synchronous_standby_names", sync, sizeof(sync)) ||
		(sync[0] && !alter_system(wm, db, "synchronous_standby_names", "")))
		goto done;
	wm_slot_name(wm, slot, sizeof(slot));
	params[0] = slot;
	if (!wm->not_really)
	{
		res = wm_exec(db,
					  "select pg_drop_replication_slot(slot_name) from "
					  "pg_replication_slots where slot_name = $1",
					  1, params);
		if (res == NULL)
			goto done;
		if (PQntuples(res) > 0)
			log_info("stop: replication slot %s dropped", slot);
		PQclear(res);
	}
	rc = reload(wm, db);
done:
	PQfinish(db);
	return rc;
}

/*
 * check: archiving configured for walmgr, a forced segment switch
 * arriving in completed_wals, the archive's free space.
 */
int
cmd_check(Wm *wm, int argc, char **argv)
{
	PGconn *db;
	PGresult *res;
	char mode[64], cmd[8192], path[4300], seg[64];
	struct statvfs vfs;
	int rc = 1, i;

	(void) argv;
	if (argc != 0)
	{
		log_error("usage: check");
		return 1;
	}
	if (!remote(wm) &&
		wm_local_dir("completed_wals", wm->cfg.completed_wals) == NULL)
		return 1;
	db = wm_connect(wm->cfg.master_db, "master_db");
	if (db == NULL)
		return 1;
	if (!setting(db, "archive_mode", mode, sizeof(mode)) ||
		!setting(db, "archive_command", cmd, sizeof(cmd)))
		goto done;
	printf("archive_mode: %s\narchive_command: %s\n", mode, cmd);
	if (strcmp(mode, "off") == 0 || strstr(cmd, "xarchive") == NULL)
	{
		log_error("check: archiving is not set up for walmgr (run setup)");
		goto done;
	}
	res = wm_exec(db,
				  "select pg_walfile_name(pg_switch_wal()) from "
				  "(select pg_logical_emit_message(false, 'walmgr', "
				  "'check')) m",
				  0, NULL);
	if (res == NULL)
		goto done;
	snprintf(seg, sizeof(seg), "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	snprintf(path, sizeof(path), "%s/%s",
			 remote(wm) ? wm->cfg.slave : wm->cfg.completed_wals, seg);
	for (i = 0; i < 600; i++)
	{
		/* on another host: the slave's xrestore finds it or not, at once */
		if (remote(wm) ? wm_slave_cmd2(wm, "xrestore", seg, "/dev/null") == 0
					   : wm_archived(wm->cfg.completed_wals, seg))
			break;
		usleep(remote(wm) ? 500000 : 100000);
		if (remote(wm))
			i += 4;
	}
	if (i >= 600)
	{
		log_error("check: %s did not arrive within 60 s", path);
		goto done;
	}
	printf("switched segment archived: %s (%.1f s)\n", path, i / 10.0);
	if (!remote(wm) && statvfs(wm->cfg.completed_wals, &vfs) == 0)
		printf("free space in %s: %.1f GB\n", wm->cfg.completed_wals,
			   (double) vfs.f_bavail * vfs.f_frsize / 1e9);
	rc = 0;
done:
	PQfinish(db);
	return rc;
}

/*
 * synch-standby NAMES: synchronous_standby_names set, when one of the
 * names (or any standby, for *) is connected now; "" turns it off.
 */
int
cmd_synch_standby(Wm *wm, int argc, char **argv)
{
	PGconn *db;
	PGresult *res;
	const char *names;
	char buf[1024], *tok, *save = NULL;
	int rc = 1, connected = 0;

	if (argc != 1)
	{
		log_error("usage: synch-standby NAMES (\"\" turns it off)");
		return 1;
	}
	names = argv[0];
	db = wm_connect(wm->cfg.master_db, "master_db");
	if (db == NULL)
		return 1;
	if (names[0])
	{
		res = wm_exec(db, "select application_name from pg_stat_replication",
					  0, NULL);
		if (res == NULL)
			goto done;
		snprintf(buf, sizeof(buf), "%s", names);
		/* FIRST n (a, b), ANY n (a, b) or a, b: the names are the words */
		for (tok = strtok_r(buf, " ,()", &save); tok;
			 tok = strtok_r(NULL, " ,()", &save))
		{
			int i, here = 0;
			const char *name = tok;
			size_t l = strlen(name);

			if (strcasecmp(name, "FIRST") == 0 ||
				strcasecmp(name, "ANY") == 0 ||
				strspn(name, "0123456789") == l)
				continue;
			if (name[0] == '"' && l > 1 && name[l - 1] == '"')
			{
				name++;
				tok[l - 1] = '\0';
			}
			for (i = 0; i < PQntuples(res); i++)
				if (strcmp(name, "*") == 0 ||
					strcmp(PQgetvalue(res, i, 0), name) == 0)
					here++;
			if (here)
				connected++;
			else
				log_warning("synch-standby: %s is not connected", name);
		}
		PQclear(res);
		if (connected == 0)
		{
			log_error("synch-standby: none of %s is connected; not changed",
					  names);
			goto done;
		}
	}
	if (alter_system(wm, db, "synchronous_standby_names", names))
		rc = reload(wm, db);
done:
	PQfinish(db);
	return rc;
}

/*
 * periodic: periodic_command when command_interval seconds have passed
 * since MASTER_DATA/.walshipping.periodic was touched (the file touched
 * when the command succeeds).  Also run at every xarchive.
 */
int
wm_periodic(Wm *wm)
{
	char stamp[4200];
	struct stat st;
	FILE *f;

	if (wm->cfg.periodic_command == NULL ||
		wm->cfg.periodic_command[0] == '\0')
		return 0;
	snprintf(stamp, sizeof(stamp), "%s/.walshipping.periodic",
			 wm->cfg.master_data);
	if (stat(stamp, &st) == 0 &&
		difftime(time(NULL), st.st_mtime) < wm->cfg.command_interval)
		return 0;
	if (wm->not_really)
	{
		log_info("would run periodic_command");
		return 0;
	}
	log_info("running periodic_command");
	if (system(wm->cfg.periodic_command) != 0)
	{
		log_error("periodic_command failed");
		return 1;
	}
	f = fopen(stamp, "w");
	if (f)
		fclose(f);
	return 0;
}

int
cmd_periodic(Wm *wm, int argc, char **argv)
{
	(void) argv;
	if (argc != 0)
	{
		log_error("usage: periodic");
		return 1;
	}
	return wm_periodic(wm);
}
