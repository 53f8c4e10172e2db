/*-------------------------------------------------------------------------
 *
 * backup.c
 *	  The master's base backup, and how the master runs the slave's side
 *	  of its commands.
 *
 * backup: the slave's BACKUPLOCK is taken for this process; a
 * non-exclusive backup starts on one connection that stays open to the
 * end (pg_backup_start, or pg_start_backup(.., false) before
 * PostgreSQL 15); the slave rotates its sets (xrotate); PGDATA is copied
 * into a temporary set beside full_backup with PostgreSQL's base-backup
 * exclusions, every file hashed; pg_backup_stop waits until the WAL the
 * backup needs is archived; its backup_label goes into the set with the
 * manifest (PostgreSQL's backup_manifest format, SHA-256 per file, the
 * WAL range); everything is synced to disk; only then does the set take
 * its name, and the stop segment is checked to be in completed_wals.
 * Last, the slave purges the WAL no set needs (xpurgewals) and the lock
 * is released.  postgresql.auto.conf is kept; postgresql.conf, pg_hba.conf
 * and pg_ident.conf are kept too (restore lets the slave's own win).
 *
 * The slave's side (xlock, xrotate, xpurgewals, xrelease, setup) runs in
 * this process with the master's ini when no slave_config is given (the
 * slave is this host, its directories the master ini's), else as
 * `walmgr SLAVE_CONFIG CMD` here or, with `slave = HOST`, over ssh.
 *
 * IDENTIFICATION
 *	  bin/walmgr/backup.c
 *
 *-------------------------------------------------------------------------
 */
#define _GNU_SOURCE
#include "walmgr.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "skytools/log.h"

#define BACKUP_LABEL "FullBackup"

/*
 * Run a slave command; its exit status.  out (may be NULL) gets the first
 * line the command printed.
 */
static int
slave_cmd_out(Wm *wm, const char *cmd, const char *arg, const char *arg2,
			  char *out, size_t outlen, int in_fd)
{
	char self[4096];
	const char *argv[16];
	int argc = 0, pipefd[2], st;
	ssize_t n;
	pid_t pid;

	if (out && outlen)
		out[0] = '\0';
	if ((wm->cfg.slave_config == NULL || wm->cfg.slave_config[0] == '\0') &&
		in_fd < 0 && arg2 == NULL)
	{
		char *args[1] = {(char *) arg};
		int nargs = arg ? 1 : 0;

		if (strcmp(cmd, "xlock") == 0)
		{
			int rc = cmd_xlock(wm, nargs, args);

			if (rc != 0 && out)
			{
				char path[4200];
				FILE *f;

				snprintf(path, sizeof(path), "%s/BACKUPLOCK",
						 wm->cfg.completed_wals);
				if ((f = fopen(path, "r")) != NULL)
				{
					if (fgets(out, (int) outlen, f) == NULL)
						out[0] = '\0';
					fclose(f);
				}
			}
			return rc;
		}
		if (strcmp(cmd, "xrelease") == 0)
			return cmd_xrelease(wm, nargs, args);
		if (strcmp(cmd, "xrotate") == 0)
			return cmd_xrotate(wm, nargs, args);
		if (strcmp(cmd, "xpurgewals") == 0)
			return cmd_xpurgewals(wm, nargs, args);
		if (strcmp(cmd, "setup") == 0)
			return wm_slave_setup(wm);
		log_error("%s: no slave side in this process", cmd);
		return 1;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
	{
		log_error("cannot find walmgr's own path: %s", strerror(errno));
		return 1;
	}
	self[n] = '\0';
	if (wm->cfg.slave && wm->cfg.slave[0])
	{
		argv[argc++] = "ssh";
		argv[argc++] = "-T";
		argv[argc++] = "-o";
		argv[argc++] = "BatchMode=yes";
		argv[argc++] = wm->cfg.slave;
	}
	argv[argc++] = self;
	argv[argc++] = wm->cfg.slave_config;
	argv[argc++] = cmd;
	if (arg)
		argv[argc++] = arg;
	if (arg && arg2)
		argv[argc++] = arg2;
	if (wm->not_really)
		argv[argc++] = "-n";
	argv[argc] = NULL;
	if (pipe(pipefd) != 0)
	{
		log_error("pipe: %s", strerror(errno));
		return 1;
	}
	log_debug("running the slave's %s", cmd);
	fflush(NULL);
	pid = fork();
	if (pid < 0)
	{
		log_error("fork: %s", strerror(errno));
		return 1;
	}
	if (pid == 0)
	{
		if (in_fd >= 0)
			dup2(in_fd, 0);
		dup2(pipefd[1], 1);
		close(pipefd[0]);
		close(pipefd[1]);
		execvp(argv[0], (char *const *) argv);
		fprintf(stderr, "walmgr: cannot run %s: %s\n", argv[0],
				strerror(errno));
		_exit(127);
	}
	close(pipefd[1]);
	{
		char buf[4096];
		size_t used = 0;

		while ((n = read(pipefd[0], buf, sizeof(buf))) > 0 ||
			   (n < 0 && errno == EINTR))
		{
			if (n <= 0)
				continue;
			fwrite(buf, 1, (size_t) n, stdout);
			if (out && used + 1 < outlen)
			{
				size_t k = (size_t) n < outlen - 1 - used ? (size_t) n
														  : outlen - 1 - used;

				memcpy(out + used, buf, k);
				used += k;
				out[used] = '\0';
			}
		}
	}
	close(pipefd[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (out)
		out[strcspn(out, "\n")] = '\0';
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	log_error("the slave's %s died (signal %d)", cmd,
			  WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	return 1;
}

int
wm_slave_cmd(Wm *wm, const char *cmd, const char *arg)
{
	return slave_cmd_out(wm, cmd, arg, NULL, NULL, 0, -1);
}

/* two arguments (always a separate process) */
int
wm_slave_cmd2(Wm *wm, const char *cmd, const char *arg, const char *arg2)
{
	return slave_cmd_out(wm, cmd, arg, arg2, NULL, 0, -1);
}

/* the same, its stdin read from in_fd (always a separate process) */
int
wm_slave_cmd_in(Wm *wm, const char *cmd, const char *arg, int in_fd)
{
	if (wm->cfg.slave_config == NULL || wm->cfg.slave_config[0] == '\0')
	{
		log_error("%s: slave_config is not set (the slave's ini, on the "
				  "slave)",
				  cmd);
		return 1;
	}
	return slave_cmd_out(wm, cmd, arg, NULL, NULL, 0, in_fd);
}

/* BACKUPLOCK for this process; a lock whose holder is gone is taken over */
static bool
take_lock(Wm *wm)
{
	char pid[32], holder[64];
	long hp;

	snprintf(pid, sizeof(pid), "%ld", (long) getpid());
	if (slave_cmd_out(wm, "xlock", pid, NULL, holder, sizeof(holder), -1) == 0)
		return true;
	hp = strtol(holder, NULL, 10);
	if (hp > 0 && kill((pid_t) hp, 0) != 0 && errno == ESRCH)
	{
		log_warning("backup: the lock's holder %ld is gone, taking it over",
					hp);
		if (wm_slave_cmd(wm, "xrelease", NULL) == 0 &&
			slave_cmd_out(wm, "xlock", pid, NULL, holder, sizeof(holder),
						  -1) == 0)
			return true;
	}
	log_error("backup: another backup holds the lock (process %s)",
			  holder[0] ? holder : "unknown");
	return false;
}

static bool
write_file(const char *dir, const char *name, const char *data, char *err,
		   size_t errlen)
{
	char path[4200];
	size_t len = strlen(data);
	int fd;
	bool ok;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
	{
		snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
		return false;
	}
	ok = write(fd, data, len) == (ssize_t) len;
	if (close(fd) != 0 || !ok)
	{
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		return false;
	}
	return true;
}

/* data's bytes and hash, as the manifest records them */
static bool
add_written(WmTree *t, const char *dir, const char *name, char *err,
			size_t errlen)
{
	char path[4200];
	unsigned char sha[32];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (stat(path, &st) != 0 || !wm_hash_file(path, sha, err, errlen))
		return false;
	return wm_tree_add_entry(t, name, (long long) st.st_size, st.st_mtime,
							 sha);
}

int
wm_syncfs(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	int rc;

	if (fd < 0)
		return -1;
	rc = syncfs(fd);
	close(fd);
	return rc;
}

static int
master_backup(Wm *wm)
{
	PGconn *db = NULL;
	PGresult *res;
	WmTree t;
	char tmp[4200], old[4200], err[1024] = "", start_lsn[64] = "",
							   walfile[64] = "";
	const char *params[1] = {BACKUP_LABEL};
	bool started = false, locked = false;
	int rc = 1, tli = 1, ver = 0;
	const char *full = wm->cfg.full_backup, *label_tli;

	memset(&t, 0, sizeof(t));
	if (wm_local_dir("full_backup", full) == NULL ||
		wm_local_dir("completed_wals", wm->cfg.completed_wals) == NULL)
		return 1;
	if (wm->cfg.master_data == NULL)
		return 1;
	wm_sibling(full, "walmgr-tmp", tmp, sizeof(tmp));
	wm_sibling(full, "walmgr-old", old, sizeof(old));
	if (wm->not_really)
	{
		log_info("would back up %s into %s (through %s)", wm->cfg.master_data,
				 full, tmp);
		return 0;
	}
	db = wm_connect(wm->cfg.master_db, "master_db");
	if (db == NULL)
		return 1;
	if (!take_lock(wm))
		goto done;
	locked = true;
	ver = PQserverVersion(db);
	res = wm_exec(db,
				  ver >= 150000 ? "select pg_backup_start($1, true)"
								: "select pg_start_backup($1, true, false)",
				  1, params);
	if (res == NULL)
		goto done;
	snprintf(start_lsn, sizeof(start_lsn), "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	started = true;
	log_info("backup: started at %s", start_lsn);
	if (wm_slave_cmd(wm, "xrotate", NULL) != 0)
		goto done;
	wm_remove_tree(tmp);
	t.pgdata_rules = true;
	t.what = "backup";
	t.progress_every = wm->cfg.progress_interval;
	if (!wm_tree_copy(&t, wm->cfg.master_data, tmp, err, sizeof(err)))
	{
		log_error("backup: %s", err);
		goto done;
	}
	res =
		wm_exec(db,
				ver >= 150000
					? "select lsn, labelfile, spcmapfile, "
					  "pg_walfile_name(lsn) from pg_backup_stop(true)"
					: "select lsn, labelfile, spcmapfile, "
					  "pg_walfile_name(lsn) from pg_stop_backup(false, true)",
				0, NULL);
	started = false;
	if (res == NULL)
		goto done;
	{
		const char *stop_lsn = PQgetvalue(res, 0, 0);
		const char *labelfile = PQgetvalue(res, 0, 1);

		snprintf(walfile, sizeof(walfile), "%s", PQgetvalue(res, 0, 3));
		label_tli = strstr(labelfile, "START TIMELINE: ");
		if (label_tli)
			tli = atoi(label_tli + 16);
		if (!write_file(tmp, "backup_label", labelfile, err, sizeof(err)) ||
			!add_written(&t, tmp, "backup_label", err, sizeof(err)) ||
			!wm_manifest_write(&t, tmp, tli, start_lsn, stop_lsn, err,
							   sizeof(err)))
		{
			PQclear(res);
			log_error("backup: %s", err);
			goto done;
		}
		log_info("backup: stopped at %s, %d files, %.1f MB", stop_lsn,
				 t.nfiles, t.done / 1048576.0);
	}
	PQclear(res);
	if (wm_syncfs(tmp) != 0)
	{
		log_error("backup: cannot sync %s: %s", tmp, strerror(errno));
		goto done;
	}
	/* the new set takes its name; a set still there (nothing rotated) goes */
	if (wm_exists(full))
	{
		wm_remove_tree(old);
		if (rename(full, old) != 0)
		{
			log_error("backup: cannot rename %s: %s", full, strerror(errno));
			goto done;
		}
	}
	if (rename(tmp, full) != 0 || !wm_fsync_dir_of(full, err, sizeof(err)))
	{
		log_error("backup: cannot rename %s to %s: %s", tmp, full,
				  err[0] ? err : strerror(errno));
		goto done;
	}
	wm_remove_tree(old);
	/* the WAL up to the backup's end must be in the archive */
	if (!wm_archived(wm->cfg.completed_wals, walfile))
	{
		log_error("backup: %s, which the backup needs, is not in %s: is "
				  "archive_command walmgr's xarchive?",
				  walfile, wm->cfg.completed_wals);
		goto done;
	}
	if (wm_slave_cmd(wm, "xpurgewals", NULL) != 0)
		log_warning("backup: the WAL purge failed; the backup is complete");
	log_info("backup: complete in %s", full);
	rc = 0;
done:
	if (started)
	{
		/* leave no backup running on the server */
		res =
			PQexec(db, ver >= 150000 ? "select pg_backup_stop(false)"
									 : "select pg_stop_backup(false, false)");
		PQclear(res);
	}
	if (rc != 0)
		wm_remove_tree(tmp);
	if (locked)
		wm_slave_cmd(wm, "xrelease", NULL);
	wm_tree_free(&t);
	PQfinish(db);
	return rc;
}

int
cmd_backup(Wm *wm, int argc, char **argv)
{
	(void) argv;
	if (argc != 0)
	{
		log_error("usage: backup");
		return 1;
	}
	if (!wm->is_master)
		return wm_slave_backup(wm);
	/* a slave on another host takes the backup itself */
	if (wm->cfg.slave && wm->cfg.slave[0])
		return wm_slave_cmd(wm, "backup", NULL);
	return master_backup(wm);
}
