/*-------------------------------------------------------------------------
 *
 * tree.c
 *	  Copying a data directory: the master's PGDATA into a backup set
 *	  (PostgreSQL's base-backup exclusions, tablespaces into tmpspc/OID),
 *	  a backup set into the slave's PGDATA (every file checked against the
 *	  set's manifest as it is copied), and the manifest itself: the
 *	  format of PostgreSQL's backup_manifest (version 1, SHA-256 per file,
 *	  the WAL range, the manifest's own checksum), so that pg_verifybackup
 *	  checks a walmgr backup as well as walmgr does.
 *
 *	  Files are not fsynced one by one: the caller syncs the file system
 *	  once (syncfs) when the whole tree is written.
 *
 * IDENTIFICATION
 *	  bin/walmgr/tree.c
 *
 *-------------------------------------------------------------------------
 */
#define _GNU_SOURCE
#include "walmgr.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <pthread.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "skytools/clock.h"
#include "skytools/log.h"

#define BUFSZ			(1024 * 1024)
#define WM_COPY_THREADS 2

/* top-level directories of PGDATA copied empty (as PostgreSQL's own
 * base backup does; log and pg_log as upstream walmgr did) */
static const char *const empty_dirs[] = {
	"pg_wal",	   "pg_xlog",	"pg_replslot",	"pg_dynshmem",
	"pg_notify",   "pg_serial", "pg_snapshots", "pg_stat_tmp",
	"pg_subtrans", "log",		"pg_log",		NULL,
};

/* files never copied, wherever they are */
static const char *const skip_files[] = {
	"postmaster.pid",	"postmaster.opts",			"pg_internal.init",
	"backup_label",		"tablespace_map",			"backup_manifest",
	"current_logfiles", "postgresql.auto.conf.tmp", NULL,
};

static bool
in_list(const char *const *list, const char *name)
{
	for (; *list; list++)
		if (strcmp(*list, name) == 0)
			return true;
	return false;
}

static bool
sb_add(WmTree *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;)
	{
		va_start(ap, fmt);
		n = vsnprintf(t->entries + t->len, t->cap - t->len, fmt, ap);
		va_end(ap);
		if (n < 0)
			return false;
		if (t->len + (size_t) n < t->cap)
		{
			t->len += (size_t) n;
			return true;
		}
		t->cap = t->cap ? t->cap * 2 + (size_t) n : 65536 + (size_t) n;
		t->entries = realloc(t->entries, t->cap);
		if (t->entries == NULL)
			return false;
	}
}

/* a JSON string's body: the path with quotes, backslashes and controls
 * escaped */
static bool
sb_add_json(WmTree *t, const char *s)
{
	for (; *s; s++)
	{
		unsigned char c = (unsigned char) *s;
		bool ok = c == '"' || c == '\\' ? sb_add(t, "\\%c", c)
				  : c < 0x20			? sb_add(t, "\\u%04x", c)
										: sb_add(t, "%c", c);

		if (!ok)
			return false;
	}
	return true;
}

void
wm_hex(char *dst, const unsigned char *sum, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++)
	{
		dst[2 * i] = digits[sum[i] >> 4];
		dst[2 * i + 1] = digits[sum[i] & 15];
	}
	dst[2 * n] = '\0';
}

/* Append a manifest entry: rel, its size, mtime and SHA-256. */
bool
wm_tree_add_entry(WmTree *t, const char *rel, long long size, time_t mtime,
				  const unsigned char sha[32])
{
	char hex[65], when[64];
	struct tm tm;

	gmtime_r(&mtime, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S GMT", &tm);
	wm_hex(hex, sha, 32);
	return sb_add(t, "%s{ \"Path\": \"", t->nentries++ ? ",\n" : "") &&
		   sb_add_json(t, rel) &&
		   sb_add(t,
				  "\", \"Size\": %lld, \"Last-Modified\": \"%s\", "
				  "\"Checksum-Algorithm\": \"SHA256\", \"Checksum\": \"%s\" }",
				  size, when, hex);
}

static pthread_mutex_t progress_lock = PTHREAD_MUTEX_INITIALIZER;

static void
progress(WmTree *t, bool last)
{
	double now = sky_mono_secs();

	if (t->progress_every <= 0 || t->total == 0)
		return;
	if (!last && now - t->last_progress < t->progress_every)
		return;
	if (pthread_mutex_trylock(&progress_lock) != 0)
		return;
	t->last_progress = now;
	log_info("%s: %.1f MB of %.1f MB (%d%%), %d files", t->what,
			 t->done / 1048576.0, t->total / 1048576.0,
			 (int) (t->done * 100 / (t->total ? t->total : 1)), t->nfiles);
	pthread_mutex_unlock(&progress_lock);
}

/*
 * Copy one file, hashing what is written.  A file that is gone when it is
 * opened is no error in a backup (a table dropped meanwhile): *gone.
 */
static bool
copy_one(WmTree *t, char *buf, const char *src, const char *dst, mode_t mode,
		 unsigned char sha[32], long long *size, bool *gone, char *err,
		 size_t errlen)
{
	int in, out;
	ssize_t n;
	bool ok = false;
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	*gone = false;
	*size = 0;
	in = open(src, O_RDONLY);
	if (in < 0)
	{
		EVP_MD_CTX_free(md);
		if (errno == ENOENT && t->pgdata_rules)
		{
			*gone = true;
			return true;
		}
		snprintf(err, errlen, "cannot open %s: %s", src, strerror(errno));
		return false;
	}
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, mode & 0777);
	if (out < 0)
	{
		snprintf(err, errlen, "cannot create %s: %s", dst, strerror(errno));
		close(in);
		EVP_MD_CTX_free(md);
		return false;
	}
	posix_fadvise(in, 0, 0, POSIX_FADV_SEQUENTIAL);
	if (md == NULL || !EVP_DigestInit_ex(md, EVP_sha256(), NULL))
	{
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	while ((n = read(in, buf, BUFSZ)) != 0)
	{

		if (n < 0)
		{
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "cannot read %s: %s", src, strerror(errno));
			goto done;
		}
		EVP_DigestUpdate(md, buf, (size_t) n);
		if (!wm_write_all(out, buf, (size_t) n, dst, err, errlen))
			goto done;
		*size += n;
		__atomic_fetch_add(&t->done, (uint64_t) n, __ATOMIC_RELAXED);
		progress(t, false);
	}
	EVP_DigestFinal_ex(md, sha, NULL);
	ok = true;
done:
	close(in);
	if (close(out) != 0 && ok)
	{
		snprintf(err, errlen, "cannot close %s: %s", dst, strerror(errno));
		ok = false;
	}
	EVP_MD_CTX_free(md);
	return ok;
}

/* the manifest's record of rel matches what was copied */
static bool
check_entry(WmTree *t, const char *rel, long long size,
			const unsigned char sha[32], char *err, size_t errlen)
{
	json_t *e = json_object_get((json_t *) t->expect, rel);
	const char *want;
	char hex[65];

	if (e == NULL)
		return true; /* not in the manifest: pg_wal, the manifest itself */
	wm_hex(hex, sha, 32);
	want = json_string_value(json_object_get(e, "Checksum"));
	if (json_integer_value(json_object_get(e, "Size")) != size ||
		want == NULL || strcmp(want, hex) != 0)
	{
		snprintf(err, errlen,
				 "%s does not match the backup's manifest (size %lld, "
				 "sha256 %s; recorded %lld, %s)",
				 rel, size, hex,
				 (long long) json_integer_value(json_object_get(e, "Size")),
				 want ? want : "none");
		return false;
	}
	t->nchecked++;
	return true;
}

/* a file to copy, and what copying it found */
typedef struct CopyJob
{
	char *src, *dst, *rel;
	mode_t mode;
	time_t mtime;
	unsigned char sha[32];
	long long size;
	bool gone, failed;
	char err[512];
} CopyJob;

static void *
copy_worker(void *arg)
{
	WmTree *t = arg;
	char *buf = malloc(BUFSZ);

	for (;;)
	{
		size_t i = __atomic_fetch_add(&t->nextjob, 1, __ATOMIC_RELAXED);
		CopyJob *j;

		if (i >= t->njobs || __atomic_load_n(&t->failed, __ATOMIC_RELAXED))
			break;
		j = &((CopyJob *) t->jobs)[i];
		if (buf == NULL)
		{
			snprintf(j->err, sizeof(j->err), "out of memory");
			j->failed = true;
		}
		else if (!copy_one(t, buf, j->src, j->dst, j->mode, j->sha, &j->size,
						   &j->gone, j->err, sizeof(j->err)))
			j->failed = true;
		if (j->failed)
		{
			__atomic_store_n(&t->failed, 1, __ATOMIC_RELAXED);
			break;
		}
	}
	free(buf);
	return NULL;
}

/* the queued files copied by a few threads, then checked and recorded
 * in the order they were found */
static bool
run_jobs(WmTree *t, char *err, size_t errlen)
{
	pthread_t th[WM_COPY_THREADS];
	int nth = 0, i;
	size_t k;
	bool ok = true;

	t->nextjob = 0;
	for (i = 0; i < WM_COPY_THREADS; i++)
		if (pthread_create(&th[nth], NULL, copy_worker, t) == 0)
			nth++;
	if (nth == 0)
		copy_worker(t);
	for (i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
	for (k = 0; k < t->njobs; k++)
	{
		CopyJob *j = &((CopyJob *) t->jobs)[k];

		if (ok && j->failed)
		{
			snprintf(err, errlen, "%s", j->err);
			ok = false;
		}
		if (ok && !j->gone && j->src != NULL)
		{
			t->nfiles++;
			if (t->expect &&
				!check_entry(t, j->rel, j->size, j->sha, err, errlen))
				ok = false;
			else if (t->pgdata_rules &&
					 !wm_tree_add_entry(t, j->rel, j->size, j->mtime, j->sha))
			{
				snprintf(err, errlen, "out of memory");
				ok = false;
			}
		}
		free(j->src);
		free(j->dst);
		free(j->rel);
	}
	if (ok && t->failed)
	{
		snprintf(err, errlen, "copy failed");
		ok = false;
	}
	free(t->jobs);
	t->jobs = NULL;
	t->njobs = t->capjobs = 0;
	return ok;
}

static bool
join(char *dst, size_t len, const char *a, const char *b, char *err,
	 size_t errlen)
{
	if (snprintf(dst, len, "%s%s%s", a, a[0] ? "/" : "", b) >= (int) len)
	{
		snprintf(err, errlen, "path too long: %s/%s", a, b);
		return false;
	}
	return true;
}

static bool copy_dir(WmTree *t, const char *src, const char *dst,
					 const char *rel, int depth, char *err, size_t errlen);

/* a tablespace of the master (pg_tblspc/OID -> somewhere): its files go
 * to tmpspc/OID in the set, and pg_tblspc/OID becomes a relative link */
static bool
copy_tablespace(WmTree *t, const char *src, const char *name, const char *rel,
				char *err, size_t errlen)
{
	char spc[4096], link[4200];

	if (snprintf(spc, sizeof(spc), "%s/tmpspc/%s", t->dst_root, name) >=
			(int) sizeof(spc) ||
		!wm_mkdirs(spc, err, errlen))
		return false;
	snprintf(link, sizeof(link), "%s/pg_tblspc/%s", t->dst_root, name);
	{
		char rl[300];

		snprintf(rl, sizeof(rl), "../tmpspc/%s", name);
		if (symlink(rl, link) != 0)
		{
			snprintf(err, errlen, "cannot create link %s: %s", link,
					 strerror(errno));
			return false;
		}
	}
	return copy_dir(t, src, spc, rel, 1, err, errlen);
}

static bool
copy_dir(WmTree *t, const char *src, const char *dst, const char *rel,
		 int depth, char *err, size_t errlen)
{
	DIR *d = opendir(src);
	struct dirent *de;
	bool ok = true;

	if (d == NULL)
	{
		if (errno == ENOENT && t->pgdata_rules && depth > 0)
			return true;
		snprintf(err, errlen, "cannot read %s: %s", src, strerror(errno));
		return false;
	}
	while (ok && (de = readdir(d)) != NULL)
	{
		char s[4096], o[4096], r[4096];
		struct stat st;
		const char *name = de->d_name;

		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
			continue;
		if (t->pgdata_rules &&
			(in_list(skip_files, name) || strncmp(name, "pgsql_tmp", 9) == 0))
			continue;
		if (!join(s, sizeof(s), src, name, err, errlen) ||
			!join(o, sizeof(o), dst, name, err, errlen) ||
			!join(r, sizeof(r), rel, name, err, errlen))
		{
			ok = false;
			break;
		}
		if (lstat(s, &st) != 0)
		{
			if (errno == ENOENT && t->pgdata_rules)
				continue;
			snprintf(err, errlen, "cannot stat %s: %s", s, strerror(errno));
			ok = false;
			break;
		}
		if (t->pgdata_rules && depth == 0 && in_list(empty_dirs, name) &&
			(S_ISDIR(st.st_mode) || S_ISLNK(st.st_mode)))
		{
			/* the directory, empty (pg_wal with its archive_status) */
			if (mkdir(o, 0700) != 0 && errno != EEXIST)
			{
				snprintf(err, errlen, "cannot create %s: %s", o,
						 strerror(errno));
				ok = false;
			}
			else if (strcmp(name, "pg_wal") == 0 ||
					 strcmp(name, "pg_xlog") == 0)
			{
				char as[4200];

				snprintf(as, sizeof(as), "%s/archive_status", o);
				if (mkdir(as, 0700) != 0 && errno != EEXIST)
				{
					snprintf(err, errlen, "cannot create %s: %s", as,
							 strerror(errno));
					ok = false;
				}
			}
			continue;
		}
		if (S_ISLNK(st.st_mode))
		{
			char target[4096];
			ssize_t n;

			if (t->pgdata_rules && depth == 1 && strcmp(rel, "pg_tblspc") == 0)
			{
				ok = copy_tablespace(t, s, name, r, err, errlen);
				continue;
			}
			n = readlink(s, target, sizeof(target) - 1);
			if (n < 0)
			{
				snprintf(err, errlen, "cannot read link %s: %s", s,
						 strerror(errno));
				ok = false;
				break;
			}
			target[n] = '\0';
			if (symlink(target, o) != 0)
			{
				snprintf(err, errlen, "cannot create link %s: %s", o,
						 strerror(errno));
				ok = false;
			}
			continue;
		}
		if (S_ISDIR(st.st_mode))
		{
			if (mkdir(o, 0700) != 0 && errno != EEXIST)
			{
				snprintf(err, errlen, "cannot create %s: %s", o,
						 strerror(errno));
				ok = false;
				break;
			}
			ok = copy_dir(t, s, o, r, depth + 1, err, errlen);
			continue;
		}
		if (S_ISREG(st.st_mode))
		{
			CopyJob *j;

			if (t->njobs == t->capjobs)
			{
				size_t nc = t->capjobs ? t->capjobs * 2 : 1024;
				CopyJob *nj = realloc(t->jobs, nc * sizeof(CopyJob));

				if (nj == NULL)
				{
					snprintf(err, errlen, "out of memory");
					ok = false;
					break;
				}
				t->jobs = nj;
				t->capjobs = nc;
			}
			j = &((CopyJob *) t->jobs)[t->njobs];
			memset(j, 0, sizeof(*j));
			j->src = strdup(s);
			j->dst = strdup(o);
			j->rel = strdup(r);
			j->mode = st.st_mode;
			j->mtime = st.st_mtime;
			t->njobs++;
			if (j->src == NULL || j->dst == NULL || j->rel == NULL)
			{
				snprintf(err, errlen, "out of memory");
				ok = false;
				break;
			}
		}
		/* sockets, fifos and devices are not part of a data directory */
	}
	closedir(d);
	return ok;
}

/* bytes under dir (following pg_tblspc's links), for the progress lines */
static uint64_t
tree_size(const char *dir, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	uint64_t sum = 0;

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL)
	{
		char p[4096];
		struct stat st;

		if (de->d_name[0] == '.' &&
			(de->d_name[1] == '\0' ||
			 (de->d_name[1] == '.' && de->d_name[2] == '\0')))
			continue;
		if (snprintf(p, sizeof(p), "%s/%s", dir, de->d_name) >=
			(int) sizeof(p))
			continue;
		if ((depth == 0 && in_list(empty_dirs, de->d_name)) ||
			stat(p, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode))
			sum += tree_size(p, depth + 1);
		else if (S_ISREG(st.st_mode))
			sum += (uint64_t) st.st_size;
	}
	closedir(d);
	return sum;
}

bool
wm_tree_copy(WmTree *t, const char *src, const char *dst, char *err,
			 size_t errlen)
{
	bool ok;

	t->dst_root = dst;
	t->total = tree_size(src, t->pgdata_rules ? 0 : 1);
	t->last_progress = sky_mono_secs();
	ok = wm_mkdirs(dst, err, errlen) &&
		 copy_dir(t, src, dst, "", 0, err, errlen);
	if (!ok)
	{
		size_t k;

		for (k = 0; k < t->njobs; k++)
		{
			free(((CopyJob *) t->jobs)[k].src);
			free(((CopyJob *) t->jobs)[k].dst);
			free(((CopyJob *) t->jobs)[k].rel);
		}
		free(t->jobs);
		t->jobs = NULL;
		t->njobs = 0;
		return false;
	}
	ok = run_jobs(t, err, errlen);
	if (ok)
		progress(t, true);
	return ok;
}

void
wm_tree_free(WmTree *t)
{
	free(t->entries);
	t->entries = NULL;
	if (t->expect)
		json_decref((json_t *) t->expect);
	t->expect = NULL;
}

/*
 * Write DIR/backup_manifest from the entries collected: the WAL range of
 * the backup and the checksum of everything before that line.
 */
bool
wm_manifest_write(WmTree *t, const char *dir, int timeline,
				  const char *start_lsn, const char *end_lsn, char *err,
				  size_t errlen)
{
	char path[4096], hex[65];
	unsigned char sha[32];
	size_t head;
	FILE *f;
	EVP_MD_CTX *md;
	bool ok;

	head = t->len;
	if (!sb_add(t,
				"\n],\n\"WAL-Ranges\": [\n{ \"Timeline\": %d, \"Start-LSN\": "
				"\"%s\", \"End-LSN\": \"%s\" }\n],\n",
				timeline, start_lsn, end_lsn))
	{
		snprintf(err, errlen, "out of memory");
		return false;
	}
	md = EVP_MD_CTX_new();
	EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	{
		static const char start[] =
			"{ \"PostgreSQL-Backup-Manifest-Version\": 1,\n\"Files\": [\n";

		EVP_DigestUpdate(md, start, sizeof(start) - 1);
		EVP_DigestUpdate(md, t->entries, t->len);
		EVP_DigestFinal_ex(md, sha, NULL);
		EVP_MD_CTX_free(md);
		wm_hex(hex, sha, 32);
		snprintf(path, sizeof(path), "%s/backup_manifest", dir);
		f = fopen(path, "w");
		if (f == NULL)
		{
			snprintf(err, errlen, "cannot create %s: %s", path,
					 strerror(errno));
			t->len = head;
			return false;
		}
		ok = fputs(start, f) >= 0 &&
			 fwrite(t->entries, 1, t->len, f) == t->len &&
			 fprintf(f, "\"Manifest-Checksum\": \"%s\"}\n", hex) > 0;
		ok = (fclose(f) == 0) && ok;
	}
	t->len = head;
	if (!ok)
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
	return ok;
}

/*
 * Read DIR/backup_manifest: its own checksum verified, its files by path
 * in t->expect.  *found is false (and true returned) when there is none.
 */
bool
wm_manifest_load(WmTree *t, const char *dir, bool *found, char *err,
				 size_t errlen)
{
	char path[4096], hex[65];
	unsigned char sha[32];
	json_error_t jerr;
	json_t *root, *files, *e, *map;
	const char *want;
	char *data = NULL, *cut;
	size_t i, len = 0;
	FILE *f;
	EVP_MD_CTX *md;

	*found = false;
	snprintf(path, sizeof(path), "%s/backup_manifest", dir);
	f = fopen(path, "r");
	if (f == NULL)
	{
		if (errno == ENOENT)
			return true;
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return false;
	}
	*found = true;
	{
		char chunk[65536];
		size_t n;

		while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		{
			char *nd = realloc(data, len + n + 1);

			if (nd == NULL)
			{
				free(data);
				fclose(f);
				snprintf(err, errlen, "out of memory");
				return false;
			}
			data = nd;
			memcpy(data + len, chunk, n);
			len += n;
		}
	}
	fclose(f);
	if (data == NULL)
	{
		snprintf(err, errlen, "%s is empty", path);
		return false;
	}
	data[len] = '\0';
	root = json_loads(data, 0, &jerr);
	cut = strstr(data, "\n\"Manifest-Checksum\"");
	want = json_string_value(json_object_get(root, "Manifest-Checksum"));
	if (root == NULL || cut == NULL || want == NULL)
	{
		snprintf(err, errlen, "%s is not a backup manifest%s%s", path,
				 root == NULL ? ": " : "", root == NULL ? jerr.text : "");
		free(data);
		json_decref(root);
		return false;
	}
	md = EVP_MD_CTX_new();
	EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	EVP_DigestUpdate(md, data, (size_t) (cut - data) + 1);
	EVP_DigestFinal_ex(md, sha, NULL);
	EVP_MD_CTX_free(md);
	free(data);
	wm_hex(hex, sha, 32);
	if (strcmp(hex, want) != 0)
	{
		snprintf(err, errlen, "%s: the manifest's checksum does not match",
				 path);
		json_decref(root);
		return false;
	}
	files = json_object_get(root, "Files");
	map = json_object();
	json_array_foreach(files, i, e)
	{
		const char *p = json_string_value(json_object_get(e, "Path"));

		if (p)
			json_object_set(map, p, e);
	}
	json_decref(root);
	t->expect = map;
	t->nexpected = (int) json_object_size(map);
	return true;
}

/*
 * Re-hash every file the manifest of set names; the count of mismatches
 * (each logged), -1 when the manifest cannot be read, -2 when there is
 * none.
 */
int
wm_manifest_verify(const char *set)
{
	WmTree t;
	char err[1024] = "";
	bool found;
	const char *key;
	json_t *e;
	int bad = 0;

	memset(&t, 0, sizeof(t));
	if (!wm_manifest_load(&t, set, &found, err, sizeof(err)))
	{
		log_error("verify: %s", err);
		return -1;
	}
	if (!found)
		return -2;
	json_object_foreach((json_t *) t.expect, key, e)
	{
		char path[4096];
		unsigned char sha[32];
		char hex[65];
		struct stat st;
		const char *want = json_string_value(json_object_get(e, "Checksum"));

		snprintf(path, sizeof(path), "%s/%s", set, key);
		if (stat(path, &st) != 0)
		{
			log_error("verify: %s: missing", path);
			bad++;
			continue;
		}
		if (!wm_hash_file(path, sha, err, sizeof(err)))
		{
			log_error("verify: %s", err);
			bad++;
			continue;
		}
		wm_hex(hex, sha, 32);
		if (want == NULL || strcmp(hex, want) != 0 ||
			json_integer_value(json_object_get(e, "Size")) != st.st_size)
		{
			log_error("verify: %s: checksum mismatch (sha256 %s, recorded %s)",
					  path, hex, want ? want : "none");
			bad++;
		}
	}
	wm_tree_free(&t);
	return bad;
}
