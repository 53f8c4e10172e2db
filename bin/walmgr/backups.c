/*-------------------------------------------------------------------------
 *
 * backups.c
 *	  Base backup sets on the slave: full_backup (data.master) and its
 *	  rotated copies full_backup.0, .1, ... (upstream's layout); a set is
 *	  a directory holding backup_label (or backup_label.old).
 *
 * IDENTIFICATION
 *	  bin/walmgr/backups.c
 *
 *-------------------------------------------------------------------------
 */
#include "walmgr.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "skytools/log.h"

typedef struct BackupSet
{
	char *dir;	 /* full path */
	char *name;	 /* its base name */
	long suffix; /* -1: none (the newest) */
	char start_time[64];
	char label[256];
	char first_wal[32];
} BackupSet;

static int
cmp_sets(const void *a, const void *b)
{
	const BackupSet *x = a, *y = b;

	return (x->suffix > y->suffix) - (x->suffix < y->suffix);
}

/* src into dst[n], cut to fit */
static void
set_field(char *dst, size_t n, const char *src)
{
	size_t len = strlen(src);

	if (len >= n)
		len = n - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

/* Read START TIME, LABEL and the first WAL file from a set's label. */
static bool
read_label(BackupSet *s)
{
	const char *names[] = {"backup_label", "backup_label.old"};
	char path[4096], line[1024];
	FILE *f = NULL;
	int i;

	for (i = 0; i < 2 && f == NULL; i++)
	{
		snprintf(path, sizeof(path), "%s/%s", s->dir, names[i]);
		f = fopen(path, "r");
	}
	if (f == NULL)
		return false;
	while (fgets(line, sizeof(line), f))
	{
		char *p;

		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "START TIME: ", 12) == 0)
			set_field(s->start_time, sizeof(s->start_time), line + 12);
		else if (strncmp(line, "LABEL: ", 7) == 0)
			set_field(s->label, sizeof(s->label), line + 7);
		else if (strncmp(line, "START WAL LOCATION: ", 20) == 0 &&
				 (p = strstr(line, "(file ")) != NULL)
		{
			set_field(s->first_wal, sizeof(s->first_wal), p + 6);
			s->first_wal[strcspn(s->first_wal, ")")] = '\0';
		}
	}
	fclose(f);
	return true;
}

/*
 * The backup sets next to full_backup, newest (no suffix) first, then by
 * numeric suffix.  NULL with *n = 0 when there are none; *n = -1 on error.
 */
static BackupSet *
list_sets(const char *full_backup, int *n)
{
	char parent[4096], base[1024];
	const char *slash = strrchr(full_backup, '/');
	BackupSet *sets = NULL;
	struct dirent *de;
	size_t blen;
	DIR *d;

	*n = 0;
	if (slash == NULL)
	{
		snprintf(parent, sizeof(parent), ".");
		snprintf(base, sizeof(base), "%s", full_backup);
	}
	else
	{
		snprintf(parent, sizeof(parent), "%.*s",
				 (int) (slash == full_backup ? 1 : slash - full_backup),
				 full_backup);
		snprintf(base, sizeof(base), "%s", slash + 1);
	}
	blen = strlen(base);
	d = opendir(parent);
	if (d == NULL)
	{
		if (errno == ENOENT)
			return NULL;
		log_error("cannot read %s: %s", parent, strerror(errno));
		*n = -1;
		return NULL;
	}
	while ((de = readdir(d)) != NULL)
	{
		BackupSet s;
		char *end;

		memset(&s, 0, sizeof(s));
		if (strncmp(de->d_name, base, blen) != 0)
			continue;
		if (de->d_name[blen] == '\0')
			s.suffix = -1;
		else if (de->d_name[blen] == '.' && de->d_name[blen + 1] >= '0' &&
				 de->d_name[blen + 1] <= '9')
		{
			s.suffix = strtol(de->d_name + blen + 1, &end, 10);
			if (*end != '\0')
				continue;
		}
		else
			continue;
		s.name = strdup(de->d_name);
		s.dir = malloc(strlen(parent) + strlen(de->d_name) + 2);
		if (s.name == NULL || s.dir == NULL)
		{
			free(s.name);
			free(s.dir);
			continue;
		}
		sprintf(s.dir, "%s/%s", parent, de->d_name);
		if (!read_label(&s))
		{
			free(s.name);
			free(s.dir);
			continue;
		}
		sets = realloc(sets, sizeof(BackupSet) * (size_t) (*n + 1));
		if (sets == NULL)
		{
			*n = -1;
			break;
		}
		sets[(*n)++] = s;
	}
	closedir(d);
	if (*n > 0)
		qsort(sets, (size_t) *n, sizeof(BackupSet), cmp_sets);
	return sets;
}

/* A JSON string (the label is the user's text). */
static void
json_str(const char *s)
{
	putchar('"');
	for (; *s; s++)
	{
		unsigned char c = (unsigned char) *s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/* listbackups [--json] */
int
cmd_listbackups(Wm *wm, int argc, char **argv)
{
	(void) argc;
	(void) argv;
	BackupSet *sets;
	int n, i;

	if (wm_local_dir("full_backup", wm->cfg.full_backup) == NULL)
		return 1;
	sets = list_sets(wm->cfg.full_backup, &n);
	if (n < 0)
		return 1;
	if (wm->json)
	{
		printf("[");
		for (i = 0; i < n; i++)
		{
			printf(i ? ",\n {" : "{");
			printf("\"set\": ");
			json_str(sets[i].name);
			printf(", \"timestamp\": ");
			json_str(sets[i].start_time);
			printf(", \"label\": ");
			json_str(sets[i].label);
			printf(", \"first_wal\": ");
			json_str(sets[i].first_wal);
			printf("}");
		}
		printf("]\n");
	}
	else if (n == 0)
		printf("No backups found.\n");
	else
	{
		printf("%-20s %-28s %-24s %s\n", "Backup set", "Timestamp", "Label",
			   "First WAL");
		for (i = 0; i < n; i++)
			printf("%-20s %-28s %-24s %s\n", sets[i].name, sets[i].start_time,
				   sets[i].label, sets[i].first_wal);
	}
	for (i = 0; i < n; i++)
	{
		free(sets[i].name);
		free(sets[i].dir);
	}
	free(sets);
	return 0;
}

/* Run the slave's archive_command hook for dir ($BACKUPDIR); its status. */
static int
run_hook(const char *hook, const char *dir)
{
	char cmd[8192];
	const char *p = hook, *at;
	size_t len = 0;

	cmd[0] = '\0';
	while ((at = strstr(p, "$BACKUPDIR")) != NULL)
	{
		len += (size_t) snprintf(cmd + len, sizeof(cmd) - len, "%.*s'%s'",
								 (int) (at - p), p, dir);
		if (len >= sizeof(cmd))
			return -1;
		p = at + strlen("$BACKUPDIR");
	}
	snprintf(cmd + len, sizeof(cmd) - len, "%s", p);
	return system(cmd);
}

/*
 * Remove a backup set: the archive_command hook first (non-zero: the set
 * stays and the rotation stops), then the directory.
 */
static bool
drop_set(Wm *wm, const BackupSet *s)
{
	if (wm->cfg.archive_command && wm->cfg.archive_command[0])
	{
		int st = run_hook(wm->cfg.archive_command, s->dir);

		if (st != 0)
		{
			log_error("xrotate: archive_command for %s failed (status %d): "
					  "the set stays",
					  s->dir, st);
			return false;
		}
	}
	if (!wm_remove_tree(s->dir))
	{
		log_error("xrotate: cannot remove %s: %s", s->dir, strerror(errno));
		return false;
	}
	log_info("backup set %s removed", s->name);
	return true;
}

/* Seconds since the set's backup_label (or .old) was written. */
static double
set_age(const BackupSet *s)
{
	char path[4200];
	struct stat st;

	snprintf(path, sizeof(path), "%s/backup_label", s->dir);
	if (stat(path, &st) != 0)
	{
		snprintf(path, sizeof(path), "%s/backup_label.old", s->dir);
		if (stat(path, &st) != 0)
			return 0;
	}
	return difftime(time(NULL), st.st_mtime);
}

/*
 * xrotate (slave), before a new backup: while there are keep_backups sets
 * or more (keep_backups > 0), the oldest goes; so does every set older
 * than keep_days (never the newest).  Then full_backup.N becomes .N+1 from
 * the oldest down and full_backup becomes full_backup.0.
 */
int
cmd_xrotate(Wm *wm, int argc, char **argv)
{
	(void) argc;
	(void) argv;
	BackupSet *sets;
	int n, i, rc = 0;
	char from[4200], to[4200];

	if (wm_local_dir("full_backup", wm->cfg.full_backup) == NULL)
		return 1;
	sets = list_sets(wm->cfg.full_backup, &n);
	if (n < 0)
		return 1;
	/* the oldest goes while too many sets are kept, or while it is too old */
	while (n > 0 && ((wm->cfg.keep_backups > 0 && n >= wm->cfg.keep_backups) ||
					 (wm->cfg.keep_days > 0 && n > 1 &&
					  set_age(&sets[n - 1]) > wm->cfg.keep_days * 86400.0)))
	{
		if (wm->not_really)
			log_info("would remove %s", sets[n - 1].dir);
		else if (!drop_set(wm, &sets[n - 1]))
		{
			rc = 1;
			goto done;
		}
		n--;
		free(sets[n].name);
		free(sets[n].dir);
	}
	/* renumber from the oldest down; the newest becomes .0 */
	for (i = n - 1; i >= 0; i--)
	{
		snprintf(from, sizeof(from), "%s", sets[i].dir);
		snprintf(to, sizeof(to), "%s.%ld", wm->cfg.full_backup,
				 sets[i].suffix + 1);
		if (wm->not_really)
		{
			log_info("would rename %s to %s", from, to);
			continue;
		}
		if (rename(from, to) != 0)
		{
			log_error("xrotate: cannot rename %s to %s: %s", from, to,
					  strerror(errno));
			rc = 1;
			goto done;
		}
	}
	log_info("xrotate: %d backup sets kept", n);
done:
	for (i = 0; i < n; i++)
	{
		free(sets[i].name);
		free(sets[i].dir);
	}
	free(sets);
	return rc;
}

/* Whether name is WAL of a segment before first (pg_archivecleanup's test:
 * the log and segment digits, whatever the timeline; .history kept). */
static bool
purgeable(const char *name, const char *first)
{
	if (strspn(name, "0123456789ABCDEF") < 24 || strstr(name, ".history"))
		return false;
	return strncmp(name + 8, first + 8, 16) < 0;
}

static int
purge_dir(Wm *wm, const char *dir, const char *first)
{
	char path[4200], err[512] = "";
	struct dirent *de;
	int n = 0;
	DIR *d = opendir(dir);

	if (d == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((de = readdir(d)) != NULL)
	{
		if (!purgeable(de->d_name, first))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (wm->not_really)
			log_info("would remove %s", path);
		else if (unlink(path) != 0 && errno != ENOENT)
			log_warning("xpurgewals: cannot remove %s: %s", path,
						strerror(errno));
		else
			n++;
	}
	closedir(d);
	if (n > 0 && !wm->not_really && !wm_prune_sums(dir, err, sizeof(err)))
	{
		log_error("xpurgewals: %s", err);
		return -1;
	}
	return n;
}

/*
 * xpurgewals (slave): WAL older than the oldest backup set's first segment
 * leaves completed_wals and partial_wals (and SHA256SUMS), on every
 * timeline; .history files stay.  No backup set: nothing goes.
 */
int
cmd_xpurgewals(Wm *wm, int argc, char **argv)
{
	(void) argc;
	(void) argv;
	BackupSet *sets;
	int n, i, a, b;

	if (wm_local_dir("full_backup", wm->cfg.full_backup) == NULL ||
		wm_local_dir("completed_wals", wm->cfg.completed_wals) == NULL)
		return 1;
	sets = list_sets(wm->cfg.full_backup, &n);
	if (n < 0)
		return 1;
	if (n == 0 || strlen(sets[n - 1].first_wal) != 24)
	{
		log_info("xpurgewals: no backup set names its first WAL: nothing "
				 "removed");
		a = b = 0;
	}
	else
	{
		log_info("xpurgewals: keeping WAL from %s (%s)", sets[n - 1].first_wal,
				 sets[n - 1].name);
		a = purge_dir(wm, wm->cfg.completed_wals, sets[n - 1].first_wal);
		b = wm->cfg.partial_wals
				? purge_dir(wm, wm->cfg.partial_wals, sets[n - 1].first_wal)
				: 0;
	}
	for (i = 0; i < n; i++)
	{
		free(sets[i].name);
		free(sets[i].dir);
	}
	free(sets);
	if (a < 0 || b < 0)
		return 1;
	log_info("xpurgewals: %d files removed", a + b);
	return 0;
}

/* every backup set's files against its manifest: the count of bad ones */
int
wm_verify_sets(Wm *wm)
{
	BackupSet *sets;
	int n, i, bad = 0;

	if (wm_local_dir("full_backup", wm->cfg.full_backup) == NULL)
		return 1;
	sets = list_sets(wm->cfg.full_backup, &n);
	if (n < 0)
		return 1;
	for (i = 0; i < n; i++)
	{
		int b = wm_manifest_verify(sets[i].dir);

		if (b == -2)
			log_info("verify: %s has no backup_manifest; not checked",
					 sets[i].name);
		else if (b != 0)
			bad += b < 0 ? 1 : b;
		else
			log_info("verify: backup set %s intact", sets[i].name);
		free(sets[i].name);
		free(sets[i].dir);
	}
	free(sets);
	return bad;
}
