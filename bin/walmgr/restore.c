/*-------------------------------------------------------------------------
 *
 * restore.c
 *	  The slave's commands on its standby: restore (a backup set into
 *	  slave_data, recovery settings, start), boot (the partial WAL
 *	  applied, then promotion), pause and continue (replay), createslave
 *	  (a streaming standby from the master's base backup).
 *
 * restore copies the set into a temporary directory beside slave_data,
 * checking every file against the set's backup_manifest as it goes (a
 * set is never consumed: the next restore finds it again).  Only when the
 * copy is whole does the running standby stop and the old data directory
 * move aside (slave_data.N, or go when backup_datadir = no).  The slave's
 * own postgresql.conf, pg_hba.conf and pg_ident.conf win over the set's.
 * Recovery settings go into postgresql.auto.conf: restore_command
 * (xrestore), archive_mode = off (a promoted slave never writes into the
 * master's archive), primary_conninfo, and a point-in-time target with
 * recovery.signal; without a target standby.signal keeps the node in
 * recovery, following the archive and the master, until boot.  A stale
 * STOP goes; slave_start_cmd starts the server.
 *
 * boot puts STOP into completed_wals: from then on xrestore serves the
 * segments of partial_wals too, and notes (STOP.reached) when the
 * standby has asked for more than there is.  boot waits for that (unless
 * the standby is streaming from a live master), then pg_promote().
 *
 * IDENTIFICATION
 *	  bin/walmgr/restore.c
 *
 *-------------------------------------------------------------------------
 */
#define _GNU_SOURCE
#include "walmgr.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "skytools/log.h"
#include "skytools/pyini.h"

static const char *const conf_files[] = {"postgresql.conf", "pg_hba.conf",
										 "pg_ident.conf", NULL};

/* n digits in [lo, hi] at *p, advancing it */
static bool
num(const char **p, int n, int lo, int hi)
{
	int v = 0, i;

	for (i = 0; i < n; i++)
	{
		if (!isdigit((unsigned char) (*p)[i]))
			return false;
		v = v * 10 + (*p)[i] - '0';
	}
	*p += n;
	return v >= lo && v <= hi;
}

/*
 * A time PostgreSQL takes for recovery_target_time, in the forms people
 * write: YYYY-MM-DD, then optionally [ T]HH:MM[:SS[.fraction]], then
 * optionally a zone: Z, UTC, GMT, +HH, +HH:MM, +HHMM (or -).
 */
bool
wm_valid_time(const char *s)
{
	const char *p = s;

	if (!num(&p, 4, 1, 9999) || *p++ != '-' || !num(&p, 2, 1, 12) ||
		*p++ != '-' || !num(&p, 2, 1, 31))
		return false;
	if (*p == '\0')
		return true;
	if (*p != ' ' && *p != 'T')
		return false;
	p++;
	if (!num(&p, 2, 0, 23) || *p++ != ':' || !num(&p, 2, 0, 59))
		return false;
	if (*p == ':')
	{
		p++;
		if (!num(&p, 2, 0, 60))
			return false;
		if (*p == '.')
		{
			p++;
			if (!isdigit((unsigned char) *p))
				return false;
			while (isdigit((unsigned char) *p))
				p++;
		}
	}
	if (*p == ' ')
		p++;
	if (*p == '\0' || strcmp(p, "Z") == 0 || strcmp(p, "UTC") == 0 ||
		strcmp(p, "GMT") == 0)
		return true;
	if (*p != '+' && *p != '-')
		return false;
	p++;
	if (!num(&p, 2, 0, 15))
		return false;
	if (*p == ':')
		p++;
	if (*p && !num(&p, 2, 0, 59))
		return false;
	return *p == '\0';
}

/* the target options: at most one target, a valid value, a known action */
bool
wm_check_target(Wm *wm)
{
	WmTarget *t = &wm->target;
	int n = (t->time != NULL) + (t->xid != NULL) + (t->lsn != NULL) +
			(t->name != NULL) + t->immediate;

	if (n > 1)
	{
		log_error("restore: give one target of --target-time, --target-xid, "
				  "--target-lsn, --target-name, --target-immediate");
		return false;
	}
	if (t->time && !wm_valid_time(t->time))
	{
		log_error("restore: --target-time %s is not a time (expected "
				  "YYYY-MM-DD HH:MM:SS[.ffffff][+HH[:MM]])",
				  t->time);
		return false;
	}
	if (t->xid &&
		(t->xid[0] == '\0' || strspn(t->xid, "0123456789") != strlen(t->xid)))
	{
		log_error("restore: --target-xid %s is not a transaction id", t->xid);
		return false;
	}
	if (t->lsn)
	{
		unsigned int hi, lo;
		char c;

		if (sscanf(t->lsn, "%X/%X%c", &hi, &lo, &c) != 2 ||
			strspn(t->lsn, "0123456789abcdefABCDEF/") != strlen(t->lsn))
		{
			log_error("restore: --target-lsn %s is not a WAL location (like "
					  "0/16B3748)",
					  t->lsn);
			return false;
		}
	}
	if (t->name && (t->name[0] == '\0' || strlen(t->name) >= 64))
	{
		log_error("restore: --target-name must be 1 to 63 bytes");
		return false;
	}
	if (t->action && strcmp(t->action, "pause") != 0 &&
		strcmp(t->action, "promote") != 0 &&
		strcmp(t->action, "shutdown") != 0)
	{
		log_error("restore: --target-action %s: expected pause, promote or "
				  "shutdown",
				  t->action);
		return false;
	}
	if (t->action && n == 0)
	{
		log_error("restore: --target-action needs a target");
		return false;
	}
	return true;
}

static bool
has_target(const Wm *wm)
{
	return wm->target.time || wm->target.xid || wm->target.lsn ||
		   wm->target.name || wm->target.immediate;
}

static int
run_shell(const char *what, const char *cmd)
{
	int st;

	log_info("%s: %s", what, cmd);
	fflush(NULL);
	st = system(cmd);
	if (st != 0)
		log_error("%s failed (status %d)", what,
				  WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	return st == 0 ? 0 : 1;
}

/* stop the server running in dir: slave_stop_cmd or pg_ctl; wait */
static bool
stop_server(Wm *wm, const char *dir)
{
	char cmd[8400];
	long pid = wm_postmaster(dir, NULL, NULL, 0);
	int i;

	if (pid == 0)
		return true;
	if (wm->cfg.slave_stop_cmd && wm->cfg.slave_stop_cmd[0])
		snprintf(cmd, sizeof(cmd), "%s", wm->cfg.slave_stop_cmd);
	else
		snprintf(cmd, sizeof(cmd), "'%s%spg_ctl' -D '%s' -m fast -w stop",
				 wm->cfg.slave_bin ? wm->cfg.slave_bin : "",
				 wm->cfg.slave_bin && wm->cfg.slave_bin[0] ? "/" : "", dir);
	run_shell("stopping the standby", cmd);
	for (i = 0; i < 600 && kill((pid_t) pid, 0) == 0; i++)
		usleep(100000);
	if (kill((pid_t) pid, 0) == 0)
	{
		log_error("restore: the server in %s (pid %ld) is still running", dir,
				  pid);
		return false;
	}
	return true;
}

static bool
copy_plain(const char *src, const char *dst)
{
	char err[512];

	if (!wm_copy_file(src, dst, 0, false, NULL, err, sizeof(err)))
	{
		log_error("%s", err);
		return false;
	}
	return true;
}

/* 'value' for a configuration file: single quotes and backslashes doubled */
static void
conf_quote(FILE *f, const char *value)
{
	fputc('\'', f);
	for (; *value; value++)
	{
		if (*value == '\'' || *value == '\\')
			fputc(*value, f);
		fputc(*value, f);
	}
	fputc('\'', f);
}

static void
conf_line(FILE *f, const char *name, const char *value)
{
	fprintf(f, "%s = ", name);
	conf_quote(f, value);
	fputc('\n', f);
}

static bool
write_recovery(Wm *wm, const char *dir, bool standby_only)
{
	char path[4200], self[4096], ini[4096], cmd[8400];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	FILE *f;
	const WmTarget *t = &wm->target;
	bool ok;

	if (n < 0 || realpath(wm->ini_file, ini) == NULL)
	{
		log_error("cannot find the absolute paths of walmgr and its ini");
		return false;
	}
	self[n] = '\0';
	snprintf(cmd, sizeof(cmd), "%s %s xrestore %%f \"%%p\" %%r", self, ini);
	snprintf(path, sizeof(path), "%s/postgresql.auto.conf", dir);
	f = fopen(path, "a");
	if (f == NULL)
	{
		log_error("cannot open %s: %s", path, strerror(errno));
		return false;
	}
	fprintf(f, "# walmgr restore: recovery from the archive\n");
	conf_line(f, "restore_command", cmd);
	conf_line(f, "archive_mode", "off");
	conf_line(f, "recovery_target_timeline", "latest");
	if (wm->cfg.primary_conninfo && wm->cfg.primary_conninfo[0])
		conf_line(f, "primary_conninfo", wm->cfg.primary_conninfo);
	if (t->time)
		conf_line(f, "recovery_target_time", t->time);
	if (t->xid)
		conf_line(f, "recovery_target_xid", t->xid);
	if (t->lsn)
		conf_line(f, "recovery_target_lsn", t->lsn);
	if (t->name)
		conf_line(f, "recovery_target_name", t->name);
	if (t->immediate)
		conf_line(f, "recovery_target", "immediate");
	if (has_target(wm))
	{
		conf_line(f, "recovery_target_inclusive", "on");
		conf_line(f, "recovery_target_action",
				  t->action ? t->action : "pause");
	}
	ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
	ok = fclose(f) == 0 && ok;
	if (!ok)
	{
		log_error("cannot write %s: %s", path, strerror(errno));
		return false;
	}
	snprintf(path, sizeof(path), "%s/%s", dir,
			 standby_only ? "standby.signal" : "recovery.signal");
	f = fopen(path, "w");
	if (f == NULL || fclose(f) != 0)
	{
		log_error("cannot create %s: %s", path, strerror(errno));
		return false;
	}
	return true;
}

/* the set's directory: SET as given (absolute), or beside full_backup */
static bool
set_dir(Wm *wm, const char *set, char *dst, size_t len)
{
	const char *base = wm->cfg.walmgr_data;
	char parent[4096];

	if (set == NULL)
	{
		snprintf(dst, len, "%s",
				 wm->cfg.full_backup ? wm->cfg.full_backup : "");
		return dst[0] != '\0';
	}
	if (set[0] == '/')
	{
		snprintf(dst, len, "%s", set);
		return true;
	}
	if (strchr(set, '/') || strcmp(set, "..") == 0)
	{
		log_error("restore: %s: a set is a name from listbackups", set);
		return false;
	}
	if (base == NULL || base[0] == '\0')
	{
		const char *slash =
			wm->cfg.full_backup ? strrchr(wm->cfg.full_backup, '/') : NULL;

		if (slash == NULL)
			return false;
		snprintf(parent, sizeof(parent), "%.*s",
				 (int) (slash - wm->cfg.full_backup), wm->cfg.full_backup);
		base = parent;
	}
	return snprintf(dst, len, "%s/%s", base, set) < (int) len;
}

int
cmd_restore(Wm *wm, int argc, char **argv)
{
	char src[4096], tmp[4200], label[4300], path[4300], old[4300], err[1024];
	const char *dst;
	WmTree t;
	bool found;
	int i, rc = 1;

	memset(&t, 0, sizeof(t));
	if (argc > 2)
	{
		log_error("usage: restore [SET [DST]]");
		return 1;
	}
	if (!wm_check_target(wm))
		return 1;
	if (wm->is_master && argc < 2)
	{
		log_error("restore on the master: give SET and DST (the slave's "
				  "restore needs none)");
		return 1;
	}
	dst = argc == 2 ? argv[1] : wm->cfg.slave_data;
	if (dst == NULL || dst[0] == '\0')
	{
		log_error("restore: slave_data is not set");
		return 1;
	}
	if (!set_dir(wm, argc >= 1 ? argv[0] : NULL, src, sizeof(src)))
	{
		log_error("restore: full_backup is not set");
		return 1;
	}
	snprintf(label, sizeof(label), "%s/backup_label", src);
	if (!wm_exists(label))
	{
		log_error("restore: %s is not a backup set (no backup_label)", src);
		return 1;
	}
	snprintf(tmp, sizeof(tmp), "%s.walmgr-tmp", dst);
	if (wm->not_really)
	{
		log_info("would copy %s to %s, write recovery settings (%s) and "
				 "start the standby",
				 src, dst, has_target(wm) ? "to the target" : "standby");
		return 0;
	}
	/* 1: the copy, checked against the manifest */
	wm_remove_tree(tmp);
	if (!wm_manifest_load(&t, src, &found, err, sizeof(err)))
	{
		log_error("restore: %s", err);
		return 1;
	}
	if (!found)
		log_warning("restore: %s has no backup_manifest: its files are not "
					"checked",
					src);
	t.what = "restore";
	t.progress_every = wm->cfg.progress_interval;
	if (!wm_tree_copy(&t, src, tmp, err, sizeof(err)))
	{
		log_error("restore: %s; nothing changed", err);
		goto fail;
	}
	if (found && t.nchecked != t.nexpected)
	{
		log_error("restore: %d of the %d files of the manifest are in %s; "
				  "nothing changed",
				  t.nchecked, t.nexpected, src);
		goto fail;
	}
	if (found)
		log_info("restore: %d files checked against the manifest", t.nchecked);
	/* 2: pg_wal (or a link to slave_pg_xlog) with archive_status */
	snprintf(path, sizeof(path), "%s/pg_wal", tmp);
	if (wm->cfg.slave_pg_xlog && wm->cfg.slave_pg_xlog[0])
	{
		wm_remove_tree(path);
		if (!wm_mkdirs(wm->cfg.slave_pg_xlog, err, sizeof(err)) ||
			symlink(wm->cfg.slave_pg_xlog, path) != 0)
		{
			log_error("restore: pg_wal -> %s: %s", wm->cfg.slave_pg_xlog,
					  err[0] ? err : strerror(errno));
			goto fail;
		}
	}
	snprintf(path, sizeof(path), "%s/pg_wal/archive_status", tmp);
	if (!wm_mkdirs(path, err, sizeof(err)))
	{
		log_error("restore: %s", err);
		goto fail;
	}
	/* 3: the slave's own configuration files win */
	for (i = 0; conf_files[i]; i++)
	{
		char from[4300], to[4300];

		snprintf(from, sizeof(from), "%s/%s", dst, conf_files[i]);
		snprintf(to, sizeof(to), "%s/%s", tmp, conf_files[i]);
		if (wm_exists(from) && !copy_plain(from, to))
			goto fail;
	}
	if (wm->cfg.config_backup && wm->cfg.config_backup[0] &&
		wm->cfg.slave_config_dir && wm->cfg.slave_config_dir[0])
		for (i = 0; conf_files[i]; i++)
		{
			char from[4300], to[4300];

			snprintf(from, sizeof(from), "%s/%s", wm->cfg.config_backup,
					 conf_files[i]);
			snprintf(to, sizeof(to), "%s/%s", wm->cfg.slave_config_dir,
					 conf_files[i]);
			if (wm_exists(from) && !wm_exists(to) && !copy_plain(from, to))
				goto fail;
		}
	/* 4: recovery settings */
	if (!write_recovery(wm, tmp, !has_target(wm)))
		goto fail;
	if (wm_syncfs(tmp) != 0)
	{
		log_error("restore: cannot sync %s: %s", tmp, strerror(errno));
		goto fail;
	}
	/* 5: the running standby stops, the old directory moves aside */
	if (!stop_server(wm, dst))
		goto fail;
	if (wm_exists(dst))
	{
		bool keep = true;

		if (wm->cfg.backup_datadir)
			pyini_parse_bool(wm->cfg.backup_datadir, &keep);
		if (keep)
		{
			for (i = 0;; i++)
			{
				snprintf(old, sizeof(old), "%s.%d", dst, i);
				if (!wm_exists(old))
					break;
			}
			if (rename(dst, old) != 0)
			{
				log_error("restore: cannot rename %s to %s: %s", dst, old,
						  strerror(errno));
				goto fail;
			}
			log_info("restore: the old data directory is now %s", old);
		}
		else
			wm_remove_tree(dst);
	}
	if (rename(tmp, dst) != 0)
	{
		log_error("restore: cannot rename %s to %s: %s", tmp, dst,
				  strerror(errno));
		goto fail;
	}
	/* 6: no stale STOP from an earlier boot */
	if (wm->cfg.completed_wals)
	{
		snprintf(path, sizeof(path), "%s/STOP", wm->cfg.completed_wals);
		if (unlink(path) == 0)
			log_info("restore: stale %s removed", path);
		snprintf(path, sizeof(path), "%s/STOP.reached",
				 wm->cfg.completed_wals);
		unlink(path);
	}
	log_info("restore: %s restored into %s (%s)", src, dst,
			 has_target(wm) ? "recovery to the target" : "standby until boot");
	wm_tree_free(&t);
	if (wm->is_master)
		return 0;
	if (wm->cfg.slave_start_cmd && wm->cfg.slave_start_cmd[0])
		return run_shell("starting the standby", wm->cfg.slave_start_cmd);
	log_info("restore: slave_start_cmd is not set; start the server yourself");
	return 0;
fail:
	wm_remove_tree(tmp);
	wm_tree_free(&t);
	return rc;
}

static bool
touch(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT, 0600);

	if (fd < 0)
	{
		log_error("cannot create %s: %s", path, strerror(errno));
		return false;
	}
	close(fd);
	return true;
}

static bool
query_bool(PGconn *db, const char *sql, bool *v)
{
	char buf[16];

	if (!wm_query_value(db, sql, buf, sizeof(buf)))
		return false;
	*v = strcmp(buf, "t") == 0;
	return true;
}

/* boot: STOP; the standby applies what there is; promotion */
int
cmd_boot(Wm *wm, int argc, char **argv)
{
	char stop[4200], reached[4200];
	PGconn *db;
	bool rec, streaming = false, paused;
	int i;

	(void) argv;
	if (argc != 0)
	{
		log_error("usage: boot");
		return 1;
	}
	if (wm_local_dir("completed_wals", wm->cfg.completed_wals) == NULL)
		return 1;
	snprintf(stop, sizeof(stop), "%s/STOP", wm->cfg.completed_wals);
	snprintf(reached, sizeof(reached), "%s/STOP.reached",
			 wm->cfg.completed_wals);
	if (wm->not_really)
	{
		log_info("would create %s and promote the standby", stop);
		return 0;
	}
	if (!touch(stop))
		return 1;
	if (wm->cfg.slave_data == NULL ||
		wm_postmaster(wm->cfg.slave_data, NULL, NULL, 0) == 0)
	{
		log_info("boot: %s created; no server runs in slave_data: recovery "
				 "ends when it starts",
				 stop);
		return 0;
	}
	db = wm_connect_slave(wm);
	if (db == NULL)
		return 1;
	if (!query_bool(db, "select pg_is_in_recovery()", &rec))
		goto fail;
	if (!rec)
	{
		log_info("boot: the server is not in recovery: booted already");
		PQfinish(db);
		return 0;
	}
	if (!query_bool(db,
					"select count(*) > 0 from pg_stat_wal_receiver where "
					"status = 'streaming'",
					&streaming) ||
		!query_bool(db, "select pg_is_wal_replay_paused()", &paused))
		goto fail;
	if (paused)
	{
		PQclear(wm_exec(db, "select pg_wal_replay_resume()", 0, NULL));
		log_info("boot: replay was paused; resumed");
	}
	if (!streaming)
	{
		/* until the standby has asked for more than the archive and
		 * partial_wals hold */
		log_info("boot: waiting for the standby to apply the archive and "
				 "partial_wals");
		for (i = 0; i < 1200 && !wm_exists(reached); i++)
			usleep(100000);
		if (!wm_exists(reached))
		{
			log_error("boot: the standby has not asked for the end of the "
					  "WAL within 120 s; not promoted (STOP stays)");
			goto fail;
		}
	}
	{
		PGresult *res = wm_exec(db, "select pg_promote(true, 60)", 0, NULL);
		bool ok = res && strcmp(PQgetvalue(res, 0, 0), "t") == 0;

		PQclear(res);
		if (!ok)
		{
			log_error("boot: promotion did not finish within 60 s");
			goto fail;
		}
	}
	{
		char lsn[64] = "";

		wm_query_value(db, "select pg_current_wal_lsn()", lsn, sizeof(lsn));
		log_info("boot: promoted; the server is open for writes at %s", lsn);
	}
	PQfinish(db);
	return 0;
fail:
	PQfinish(db);
	return 1;
}

static int
replay(Wm *wm, bool pause)
{
	char path[4200];
	PGconn *db;
	PGresult *res;

	if (wm_local_dir("completed_wals", wm->cfg.completed_wals) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/PAUSE", wm->cfg.completed_wals);
	if (wm->not_really)
	{
		log_info("would %s replay", pause ? "pause" : "resume");
		return 0;
	}
	/* upstream's file, for its scripts; the server is what pauses */
	if (pause ? !touch(path) : (unlink(path) != 0 && errno != ENOENT))
		return 1;
	if (wm->cfg.slave_data == NULL ||
		wm_postmaster(wm->cfg.slave_data, NULL, NULL, 0) == 0)
	{
		log_info("%s: no server runs in slave_data",
				 pause ? "pause" : "continue");
		return 0;
	}
	db = wm_connect_slave(wm);
	if (db == NULL)
		return 1;
	res = wm_exec(db,
				  pause ? "select pg_wal_replay_pause()"
						: "select pg_wal_replay_resume()",
				  0, NULL);
	PQfinish(db);
	if (res == NULL)
		return 1;
	PQclear(res);
	log_info("replay %s", pause ? "paused" : "resumed");
	return 0;
}

int
cmd_pause(Wm *wm, int argc, char **argv)
{
	(void) argv;
	(void) argc;
	return replay(wm, true);
}

int
cmd_continue(Wm *wm, int argc, char **argv)
{
	(void) argv;
	(void) argc;
	return replay(wm, false);
}

/* the first segment of a backup, from its backup_label */
static bool
label_start_segment(const char *set, char *dst)
{
	char path[4200], line[1024];
	FILE *f;
	bool ok = false;

	snprintf(path, sizeof(path), "%s/backup_label", set);
	if ((f = fopen(path, "r")) == NULL)
		return false;
	while (fgets(line, sizeof(line), f))
	{
		const char *p = strstr(line, "(file ");

		if (strncmp(line, "START WAL LOCATION:", 19) == 0 && p &&
			strlen(p) >= 30 && p[30] == ')')
		{
			memcpy(dst, p + 6, 24);
			dst[24] = '\0';
			ok = wm_valid_wal_name(dst);
		}
	}
	fclose(f);
	return ok;
}

/*
 * A base backup taken by the slave over the replication protocol
 * (pg_basebackup from primary_conninfo, SHA-256 manifest) as the newest
 * set: under BACKUPLOCK, after xrotate, into a temporary directory that
 * takes full_backup's name when complete.  stream_wal: the WAL goes into
 * the set (a standby's start); else the server waits until the WAL the
 * backup needs is archived, and it must be in completed_wals.
 */
static int
slave_basebackup(Wm *wm, bool stream_wal)
{
	char tmp[4200], old[4200], cmd[16384], pid[32], err[512], seg[64];
	const char *full = wm->cfg.full_backup;
	int rc;

	if (wm->cfg.primary_conninfo == NULL ||
		wm->cfg.primary_conninfo[0] == '\0')
	{
		log_error("primary_conninfo is not set: the slave takes its base "
				  "backup from there");
		return 1;
	}
	if (wm_local_dir("full_backup", full) == NULL ||
		wm_local_dir("completed_wals", wm->cfg.completed_wals) == NULL)
		return 1;
	if (wm->not_really)
	{
		log_info("would take a base backup from primary_conninfo into %s",
				 full);
		return 0;
	}
	if (wm_slave_setup(wm) != 0)
		return 1;
	snprintf(pid, sizeof(pid), "%ld", (long) getpid());
	{
		char *args[1] = {pid};

		if (cmd_xlock(wm, 1, args) != 0)
			return 1;
	}
	rc = 1;
	if (cmd_xrotate(wm, 0, NULL) != 0)
		goto done;
	wm_sibling(full, "walmgr-tmp", tmp, sizeof(tmp));
	wm_sibling(full, "walmgr-old", old, sizeof(old));
	wm_remove_tree(tmp);
	/* the connect string goes through the environment, not the command
	 * line (ps shows command lines) */
	if (setenv("WALMGR_PRIMARY_CONNINFO", wm->cfg.primary_conninfo, 1) != 0)
		goto done;
	snprintf(cmd, sizeof(cmd),
			 "'%s%spg_basebackup' -d \"$WALMGR_PRIMARY_CONNINFO\" -D '%s' "
			 "-X %s -c fast --manifest-checksums=SHA256 -l FullBackup%s",
			 wm->cfg.slave_bin ? wm->cfg.slave_bin : "",
			 wm->cfg.slave_bin && wm->cfg.slave_bin[0] ? "/" : "", tmp,
			 stream_wal ? "stream" : "none",
			 wm->cfg.progress_interval > 0 ? " -P" : "");
	if (run_shell("base backup", cmd) != 0)
	{
		wm_remove_tree(tmp);
		goto done;
	}
	if (!stream_wal)
	{
		/* pg_basebackup waited until the server archived the WAL the
		 * backup needs: it must have gone to completed_wals */
		if (!label_start_segment(tmp, seg))
		{
			log_error("backup: no START WAL LOCATION in %s/backup_label", tmp);
			wm_remove_tree(tmp);
			goto done;
		}
		if (!wm_archived(wm->cfg.completed_wals, seg))
		{
			log_error("backup: %s, which the backup needs, is not in %s", seg,
					  wm->cfg.completed_wals);
			wm_remove_tree(tmp);
			goto done;
		}
	}
	/* a set xrotate left in place (keep_backups = 0) is replaced */
	wm_remove_tree(old);
	if ((wm_exists(full) && rename(full, old) != 0) ||
		rename(tmp, full) != 0 || !wm_fsync_dir_of(full, err, sizeof(err)))
	{
		log_error("cannot rename %s to %s: %s", tmp, full, strerror(errno));
		goto done;
	}
	wm_remove_tree(old);
	if (!stream_wal && cmd_xpurgewals(wm, 0, NULL) != 0)
		log_warning("backup: the WAL purge failed; the backup is complete");
	log_info("backup: complete in %s", full);
	rc = 0;
done:
	cmd_xrelease(wm, 0, NULL);
	return rc;
}

/* backup on the slave: pulled from primary_conninfo */
int
wm_slave_backup(Wm *wm)
{
	return slave_basebackup(wm, false);
}

/*
 * createslave: the master's base backup with its WAL as the newest set,
 * then restore: a standby streaming from primary_conninfo.
 */
int
cmd_createslave(Wm *wm, int argc, char **argv)
{
	(void) argv;
	if (argc != 0)
	{
		log_error("usage: createslave");
		return 1;
	}
	if (slave_basebackup(wm, true) != 0)
		return 1;
	return wm->not_really ? 0 : cmd_restore(wm, 0, NULL);
}
