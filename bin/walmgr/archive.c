/*-------------------------------------------------------------------------
 *
 * archive.c
 *	  The archive: xarchive (PostgreSQL's archive_command on the master),
 *	  xrestore (restore_command on the slave) and the slave's setup.
 *
 * xarchive puts a WAL file into completed_wals so that it is either
 * there whole and durable or not there at all: the bytes go to a
 * temporary dot-name, are fsynced, and are linked to the final name
 * (link(), which never replaces a file) before the directory is fsynced.
 * A file archived already is never overwritten: the same content again is
 * success (PostgreSQL retries after a crash between our link and its own
 * bookkeeping), different content is an error and the archive stays as
 * it was.  With compression > 0 segments are stored zstd-compressed
 * (NAME.zst, that zstd level); history and backup files stay plain.  Every
 * stored file's SHA-256 goes into completed_wals/SHA256SUMS.
 *
 * xrestore answers at once: the file, decompressed, or "not found" (exit
 * 1), so that a standby goes on to stream from the master.  After `boot`
 * (the STOP file) a segment missing from completed_wals comes from
 * partial_wals.  restore_wait = 1 gives upstream's waiting loop instead.
 * restore_prefetch = N readies the next N segments, decompressed.
 *
 * IDENTIFICATION
 *	  bin/walmgr/archive.c
 *
 *-------------------------------------------------------------------------
 */
#include "walmgr.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "skytools/clock.h"
#include "skytools/log.h"

static bool
is_segment(const char *name)
{
	return strlen(name) == 24 || strstr(name, ".partial") != NULL;
}

static int archive_file(Wm *wm, const char *src, const char *name, double t0);

/* xarchive SRCPATH SRCNAME */
int
cmd_xarchive(Wm *wm, int argc, char **argv)
{
	const char *src, *name;
	double t0 = sky_mono_secs();

	if (argc != 2)
	{
		log_error("usage: xarchive SRCPATH SRCNAME");
		return 1;
	}
	src = argv[0];
	name = argv[1];
	if (wm->cfg.master_data && wm_periodic(wm) != 0)
		log_warning("xarchive: periodic_command failed; archiving goes on");
	if (!wm_valid_wal_name(name))
	{
		log_error("xarchive: %s is not a WAL file name", name);
		return 1;
	}
	/* a slave on another host stores it itself */
	if (wm->is_master && wm->cfg.slave && wm->cfg.slave[0])
	{
		int fd = open(src, O_RDONLY), rc;

		if (fd < 0)
		{
			log_error("xarchive: cannot open %s: %s", src, strerror(errno));
			return 1;
		}
		rc = wm_slave_cmd_in(wm, "xreceive", name, fd);
		close(fd);
		if (rc == 0)
			log_info("%s archived on %s in %.3f s", name, wm->cfg.slave,
					 sky_mono_secs() - t0);
		return rc == 0 ? 0 : 1;
	}
	return archive_file(wm, src, name, t0);
}

/*
 * src stored as completed_wals/name (see the head of the file); the exit
 * status.
 */
static int
archive_file(Wm *wm, const char *src, const char *name, double t0)
{
	const char *dir;
	char final[4096], other[4096], tmp[4096], err[512] = "";
	unsigned char sum[32];
	bool compress, found;
	int same;

	if ((dir = wm_local_dir("completed_wals", wm->cfg.completed_wals)) == NULL)
		return 1;
	if (!wm_exists(dir))
	{
		log_error("xarchive: archive directory %s does not exist (run setup "
				  "with the slave's ini)",
				  dir);
		return 1;
	}
	compress = wm->cfg.compression > 0 && is_segment(name);
	snprintf(final, sizeof(final), "%s/%s%s", dir, name,
			 compress ? WM_ZSTD_SUFFIX : "");
	snprintf(other, sizeof(other), "%s/%s%s", dir, name,
			 compress ? "" : WM_ZSTD_SUFFIX);

	/* archived before (either way): the same bytes or an error */
	if (wm_exists(final) || wm_exists(other))
	{
		const char *have = wm_exists(final) ? final : other;
		bool have_zst = have == final ? compress : !compress;

		same = wm_same_content(src, false, have, have_zst, err, sizeof(err));
		if (same < 0)
		{
			log_error("xarchive: %s", err);
			return 1;
		}
		if (!same)
		{
			log_error("xarchive: %s is archived already with other content "
					  "(%s): refusing to overwrite it",
					  name, have);
			return 1;
		}
		/* a crash may have come between the link and the sums */
		if (!wm_find_sum(dir, strrchr(have, '/') + 1, &found, err,
						 sizeof(err)))
		{
			log_error("xarchive: %s", err);
			return 1;
		}
		if (!found && !wm->not_really)
		{
			if (!wm_hash_file(have, sum, err, sizeof(err)))
			{
				log_error("xarchive: %s", err);
				return 1;
			}
			if (!wm_record_sum(dir, strrchr(have, '/') + 1, sum, err,
							   sizeof(err)))
			{
				log_error("xarchive: %s", err);
				return 1;
			}
		}
		log_info("%s: archived already, same content", name);
		return 0;
	}

	if (wm->not_really)
	{
		log_info("would archive %s as %s", src, final);
		return 0;
	}
	snprintf(tmp, sizeof(tmp), "%s/.%s.walmgr-tmp", dir, name);
	if (!wm_copy_file(src, tmp, compress ? wm->cfg.compression : 0, false, sum,
					  err, sizeof(err)))
	{
		unlink(tmp);
		log_error("xarchive: %s", err);
		return 1;
	}
	if (link(tmp, final) != 0)
	{
		int e = errno;

		unlink(tmp);
		log_error("xarchive: cannot link %s to %s: %s", tmp, final,
				  strerror(e));
		return 1;
	}
	unlink(tmp);
	/* the sum's fsync commits the new name with it on a journalling file
	 * system: the directory's fsync after it finds little left to do */
	if (!wm_record_sum(dir, strrchr(final, '/') + 1, sum, err, sizeof(err)) ||
		!wm_fsync_dir_of(final, err, sizeof(err)))
	{
		log_error("xarchive: %s", err);
		return 1;
	}
	log_info("%s archived%s in %.3f s", name, compress ? " (zstd)" : "",
			 sky_mono_secs() - t0);
	return 0;
}

/* The file to restore name from: completed_wals, or partial_wals after boot. */
/*
 * After boot: STOP lists the partial segments served.  The standby has
 * applied all there is when it asks for a segment there is not, or again
 * for a partial one (its records ended inside it): then STOP.reached,
 * which boot waits for before it promotes.
 */
static void
boot_progress(const char *dir, const char *stop, const char *name,
			  bool partial)
{
	char line[64], reached[4200];
	bool again = false;
	FILE *f;

	if (partial && (f = fopen(stop, "r")) != NULL)
	{
		while (fgets(line, sizeof(line), f))
			if (strncmp(line, name, strlen(name)) == 0 &&
				line[strlen(name)] == '\n')
				again = true;
		fclose(f);
	}
	if (partial && !again)
	{
		if ((f = fopen(stop, "a")) != NULL)
		{
			fprintf(f, "%s\n", name);
			fclose(f);
		}
		return;
	}
	snprintf(reached, sizeof(reached), "%s/STOP.reached", dir);
	if ((f = fopen(reached, "w")) != NULL)
	{
		fprintf(f, "%s\n", name);
		fclose(f);
		log_info("%s: the end of the WAL there is (boot)", name);
	}
}

/*
 * xreceive NAME (slave): a WAL file on stdin, sent by the master's
 * xarchive over ssh, stored as xarchive stores it.
 */
int
cmd_xreceive(Wm *wm, int argc, char **argv)
{
	char spool[4200], err[512];
	double t0 = sky_mono_secs();
	int rc;

	if (argc != 1 || !wm_valid_wal_name(argv[0]))
	{
		log_error("usage: xreceive NAME (a WAL file name), the file on stdin");
		return 1;
	}
	if (wm_local_dir("completed_wals", wm->cfg.completed_wals) == NULL)
		return 1;
	snprintf(spool, sizeof(spool), "%s/.%s.walmgr-recv",
			 wm->cfg.completed_wals, argv[0]);
	if (!wm_copy_file("/dev/stdin", spool, 0, false, NULL, err, sizeof(err)))
	{
		unlink(spool);
		log_error("xreceive: %s", err);
		return 1;
	}
	rc = archive_file(wm, spool, argv[0], t0);
	unlink(spool);
	return rc;
}

/*
 * Prefetch (restore_prefetch = N): after a segment is served, a detached
 * process puts the next N segments, decompressed, into
 * completed_wals/.prefetch, and the next xrestore of one of them only
 * moves it into place.  The segment size is the served segment's.
 */
static void
spool_dir(Wm *wm, char *dst, size_t len)
{
	snprintf(dst, len, "%s/.prefetch", wm->cfg.completed_wals);
}

static bool
from_prefetch(Wm *wm, const char *name, const char *dst)
{
	char spool[4200], path[4300], err[512];

	spool_dir(wm, spool, sizeof(spool));
	snprintf(path, sizeof(path), "%s/%s", spool, name);
	if (!wm_exists(path))
		return false;
	if (rename(path, dst) != 0)
	{
		/* another file system: a copy */
		if (!wm_copy_file(path, dst, 0, false, NULL, err, sizeof(err)))
		{
			log_warning("xrestore: %s; from the archive instead", err);
			unlink(dst);
			return false;
		}
		unlink(path);
	}
	log_info("%s restored (prefetched)", name);
	return true;
}

/* the segment after name, for segments of segsize bytes */
static bool
next_segment(const char *name, uint64_t segsize, char *dst)
{
	unsigned int tli, log, seg;
	uint64_t per = UINT64_C(0x100000000) / segsize;

	if (strlen(name) != 24 || sscanf(name, "%8X%8X%8X", &tli, &log, &seg) != 3)
		return false;
	if (++seg >= per)
	{
		seg = 0;
		log++;
	}
	sprintf(dst, "%08X%08X%08X", tli, log, seg);
	return true;
}

static void
prefetch(Wm *wm, const char *name, const char *served)
{
	char spool[4200], cur[32], err[512];
	struct stat st;
	uint64_t segsize;
	struct dirent *de;
	DIR *d;
	pid_t pid;
	int i, fd;

	if (strlen(name) != 24 || stat(served, &st) != 0)
		return;
	segsize = (uint64_t) st.st_size;
	if (segsize < 1024 * 1024 || (segsize & (segsize - 1)) != 0)
		return;
	fflush(NULL);
	pid = fork();
	if (pid != 0)
	{
		if (pid > 0)
			waitpid(pid, NULL, 0);
		return;
	}
	/* the grandchild works on; PostgreSQL waits for none of it */
	if (setsid() < 0 || fork() != 0)
		_exit(0);
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0)
	{
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	spool_dir(wm, spool, sizeof(spool));
	if (!wm_mkdirs(spool, err, sizeof(err)))
		_exit(1);
	/* what sorts before the served segment is used up */
	if ((d = opendir(spool)) != NULL)
	{
		while ((de = readdir(d)) != NULL)
		{
			char p[4300];

			if (de->d_name[0] == '.' || strcmp(de->d_name, name) > 0)
				continue;
			snprintf(p, sizeof(p), "%s/%s", spool, de->d_name);
			unlink(p);
		}
		closedir(d);
	}
	snprintf(cur, sizeof(cur), "%s", name);
	for (i = 0; i < wm->cfg.restore_prefetch; i++)
	{
		char next[32], src[4300], tmp[4400], to[4300];
		bool zst;

		if (!next_segment(cur, segsize, next))
			break;
		snprintf(cur, sizeof(cur), "%s", next);
		snprintf(to, sizeof(to), "%s/%s", spool, next);
		if (wm_exists(to))
			continue;
		snprintf(src, sizeof(src), "%s/%s%s", wm->cfg.completed_wals, next,
				 WM_ZSTD_SUFFIX);
		zst = wm_exists(src);
		if (!zst)
		{
			snprintf(src, sizeof(src), "%s/%s", wm->cfg.completed_wals, next);
			if (!wm_exists(src))
				break; /* not archived yet */
		}
		snprintf(tmp, sizeof(tmp), "%s/.%s.%ld", spool, next, (long) getpid());
		if (!wm_copy_file(src, tmp, 0, zst, NULL, err, sizeof(err)) ||
			rename(tmp, to) != 0)
		{
			unlink(tmp);
			break;
		}
	}
	_exit(0);
}

static bool
find_wal(Wm *wm, const char *name, char *path, size_t len, bool *zst)
{
	const char *dir = wm->cfg.completed_wals;
	char stop[4096];

	snprintf(path, len, "%s/%s", dir, name);
	*zst = false;
	if (wm_exists(path))
		return true;
	snprintf(path, len, "%s/%s%s", dir, name, WM_ZSTD_SUFFIX);
	*zst = true;
	if (wm_exists(path))
		return true;
	*zst = false;
	snprintf(stop, sizeof(stop), "%s/STOP", dir);
	if (wm->cfg.partial_wals && wm_exists(stop))
	{
		snprintf(path, len, "%s/%s", wm->cfg.partial_wals, name);
		if (wm_exists(path))
		{
			log_info("%s: from partial_wals (boot)", name);
			boot_progress(dir, stop, name, true);
			return true;
		}
		if (strstr(name, ".history") == NULL)
			boot_progress(dir, stop, name, false);
	}
	return false;
}

/* xrestore NAME DST [LASTRESTARTWAL] */
int
cmd_xrestore(Wm *wm, int argc, char **argv)
{
	const char *name, *dst;
	char path[4096], err[512] = "", stop[4096];
	bool zst;

	if (argc < 2 || argc > 3)
	{
		log_error("usage: xrestore NAME DST [LASTRESTARTWAL]");
		return 1;
	}
	name = argv[0];
	dst = argv[1];
	if (!wm_valid_wal_name(name))
	{
		log_error("xrestore: %s is not a WAL file name", name);
		return 1;
	}
	if (wm_local_dir("completed_wals", wm->cfg.completed_wals) == NULL)
		return 1;
	if (wm->cfg.restore_prefetch > 0 && !wm->not_really &&
		from_prefetch(wm, name, dst))
	{
		prefetch(wm, name, dst);
		return 0;
	}
	snprintf(stop, sizeof(stop), "%s/STOP", wm->cfg.completed_wals);
	while (!find_wal(wm, name, path, sizeof(path), &zst))
	{
		/* the waiting mode, when asked: until the file, STOP or our parent goes */
		if (!wm->restore_wait || strstr(name, ".history") || wm_exists(stop) ||
			getppid() == 1)
		{
			log_debug("%s: not found", name);
			return 1;
		}
		sleep(1);
	}
	if (wm->not_really)
	{
		log_info("would restore %s to %s", path, dst);
		return 0;
	}
	if (!wm_copy_file(path, dst, 0, zst, NULL, err, sizeof(err)))
	{
		log_error("xrestore: %s", err);
		unlink(dst);
		return 1;
	}
	log_info("%s restored", name);
	if (wm->cfg.restore_prefetch > 0)
		prefetch(wm, name, dst);
	return 0;
}

/* setup: on the slave the archive's directories (the master's side: to come) */
int
wm_slave_setup(Wm *wm)
{
	const char *keys[] = {"completed_wals", "partial_wals", "full_backup",
						  "config_backup"};
	const char *vals[] = {wm->cfg.completed_wals, wm->cfg.partial_wals,
						  wm->cfg.full_backup, wm->cfg.config_backup};
	char err[512];
	int i;

	for (i = 0; i < 4; i++)
	{
		if (vals[i] == NULL || vals[i][0] == '\0')
		{
			if (i < 3)
			{
				log_error("%s is not set in the ini", keys[i]);
				return 1;
			}
			continue;
		}
		if (wm_local_dir(keys[i], vals[i]) == NULL)
			return 1;
		if (wm->not_really)
		{
			log_info("would create %s", vals[i]);
			continue;
		}
		if (!wm_mkdirs(vals[i], err, sizeof(err)))
		{
			log_error("setup: %s", err);
			return 1;
		}
		log_info("%s: %s", keys[i], vals[i]);
	}
	return 0;
}

/*
 * verify: every file named in completed_wals/SHA256SUMS hashed again and
 * compared; a file missing or different is an error (exit 1).  Files the
 * list does not name (control files such as STOP and PAUSE, WAL archived
 * by another tool) are not checked.  Then every backup set's files
 * against its backup_manifest.
 */
int
cmd_verify(Wm *wm, int argc, char **argv)
{
	(void) argc;
	(void) argv;
	const char *dir;
	char path[4096], line[4200], err[512] = "";
	FILE *f;
	int checked = 0, bad = 0;

	if ((dir = wm_local_dir("completed_wals", wm->cfg.completed_wals)) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/%s", dir, WM_SUMS_FILE);
	f = fopen(path, "r");
	if (f == NULL && errno != ENOENT)
	{
		log_error("verify: cannot open %s: %s", path, strerror(errno));
		return 1;
	}
	while (f && fgets(line, sizeof(line), f))
	{
		char want[65], got[65], file[8400];
		unsigned char sum[32];

		line[strcspn(line, "\n")] = '\0';
		if (strlen(line) < 67 || line[64] != ' ' || line[65] != ' ')
		{
			log_error("verify: %s: malformed line: %s", path, line);
			bad++;
			continue;
		}
		memcpy(want, line, 64);
		want[64] = '\0';
		snprintf(file, sizeof(file), "%s/%s", dir, line + 66);
		if (!wm_hash_file(file, sum, err, sizeof(err)))
		{
			log_error("verify: %s", err);
			bad++;
			continue;
		}
		wm_hex(got, sum, 32);
		checked++;
		if (strcmp(got, want) != 0)
		{
			log_error("verify: %s: checksum mismatch (recorded %s, now %s)",
					  line + 66, want, got);
			bad++;
		}
	}
	if (f)
		fclose(f);
	log_info("verify: %d archived files checked, %d bad", checked, bad);
	if (wm->cfg.full_backup && wm->cfg.full_backup[0])
		bad += wm_verify_sets(wm);
	return bad ? 1 : 0;
}

/*
 * xlock [PID]: completed_wals/BACKUPLOCK, made only if absent (O_EXCL),
 * holding PID (the master's backup process; default our parent).  Held
 * already: the holder's pid on stdout, exit 1.  xrelease removes it.
 */
int
cmd_xlock(Wm *wm, int argc, char **argv)
{
	char path[4096], buf[64];
	const char *dir;
	long pid;
	char *end;
	int fd, len;

	if ((dir = wm_local_dir("completed_wals", wm->cfg.completed_wals)) == NULL)
		return 1;
	if (argc > 1)
	{
		log_error("usage: xlock [PID]");
		return 1;
	}
	pid = argc == 1 ? strtol(argv[0], &end, 10) : (long) getppid();
	if (argc == 1 && (end == argv[0] || *end != '\0' || pid <= 0))
	{
		log_error("xlock: %s is not a process id", argv[0]);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/BACKUPLOCK", dir);
	if (wm->not_really)
	{
		log_info("would take %s for %ld", path, pid);
		return 0;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0 && errno == EEXIST)
	{
		FILE *f = fopen(path, "r");

		if (f && fgets(buf, sizeof(buf), f))
		{
			buf[strcspn(buf, "\n")] = '\0';
			printf("%s\n", buf);
		}
		if (f)
			fclose(f);
		log_error("xlock: %s is held by %s", path, buf);
		return 1;
	}
	if (fd < 0)
	{
		log_error("xlock: cannot create %s: %s", path, strerror(errno));
		return 1;
	}
	len = snprintf(buf, sizeof(buf), "%ld\n", pid);
	if (write(fd, buf, (size_t) len) != len || fsync(fd) != 0)
	{
		log_error("xlock: cannot write %s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return 1;
	}
	close(fd);
	log_info("%s taken for %ld", path, pid);
	return 0;
}

int
cmd_xrelease(Wm *wm, int argc, char **argv)
{
	(void) argc;
	(void) argv;
	char path[4096];
	const char *dir;

	if ((dir = wm_local_dir("completed_wals", wm->cfg.completed_wals)) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/BACKUPLOCK", dir);
	if (wm->not_really)
	{
		log_info("would remove %s", path);
		return 0;
	}
	if (unlink(path) != 0 && errno != ENOENT)
	{
		log_error("xrelease: cannot remove %s: %s", path, strerror(errno));
		return 1;
	}
	log_info("%s released", path);
	return 0;
}
