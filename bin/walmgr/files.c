/*-------------------------------------------------------------------------
 *
 * files.c
 *	  File work of walmgr: copies that are durable before they are
 *	  visible (a temporary name, fsync, rename, fsync of the directory),
 *	  zstd compression on the way in and out, content comparison, and the
 *	  SHA256SUMS list of an archive directory (sha256sum's format, so
 *	  `sha256sum -c SHA256SUMS` checks an archive without walmgr).
 *
 * IDENTIFICATION
 *	  bin/walmgr/files.c
 *
 *-------------------------------------------------------------------------
 */
#define _GNU_SOURCE
#include "walmgr.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <zstd.h>

#include "skytools/log.h"

#define BUFSZ (256 * 1024)

/* A directory key that must be set and local (not upstream's host:path). */
const char *
wm_local_dir(const char *key, const char *value)
{
	const char *colon, *slash;

	if (value == NULL || value[0] == '\0')
	{
		log_error("%s is not set in the ini", key);
		return NULL;
	}
	colon = strchr(value, ':');
	slash = strchr(value, '/');
	if (colon && (slash == NULL || colon < slash))
	{
		log_error("%s = %s: a host:path is not read here; for a slave on "
				  "another host set slave = HOST and slave_config",
				  key, value);
		return NULL;
	}
	return value;
}

/*
 * A WAL file name as PostgreSQL hands it to archive_command: a segment
 * (24 hex digits), optionally ".partial", a timeline history file
 * ("<8 hex>.history") or a backup history file ("<24 hex>.<8 hex>.backup").
 * Nothing with a slash or a leading dot gets through.
 */
bool
wm_valid_wal_name(const char *name)
{
	size_t n = strspn(name, "0123456789ABCDEF");
	const char *rest = name + n;

	if (n == 24)
		return *rest == '\0' || strcmp(rest, ".partial") == 0 ||
			   (rest[0] == '.' && strspn(rest + 1, "0123456789ABCDEF") == 8 &&
				strcmp(rest + 9, ".backup") == 0);
	if (n == 8)
		return strcmp(rest, ".history") == 0;
	return false;
}

bool
wm_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

bool
wm_mkdirs(const char *path, char *err, size_t errlen)
{
	char buf[4096];
	char *p;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int) sizeof(buf))
	{
		snprintf(err, errlen, "path too long: %s", path);
		return false;
	}
	for (p = buf + 1;; p++)
	{
		if (*p == '/' || *p == '\0')
		{
			char c = *p;

			*p = '\0';
			if (mkdir(buf, 0700) != 0 && errno != EEXIST)
			{
				snprintf(err, errlen, "cannot create directory %s: %s", buf,
						 strerror(errno));
				return false;
			}
			*p = c;
			if (c == '\0')
				break;
		}
	}
	return true;
}

bool
wm_fsync_dir_of(const char *path, char *err, size_t errlen)
{
	char dir[4096];
	char *slash;
	int fd;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	if (fd < 0 || fsync(fd) != 0)
	{
		snprintf(err, errlen, "cannot fsync directory %s: %s", dir,
				 strerror(errno));
		if (fd >= 0)
			close(fd);
		return false;
	}
	close(fd);
	return true;
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void) st;
	(void) ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

/*
 * Remove a directory tree (a failed copy, a replaced or expired set); a
 * tree that is not there is no error.  False with errno on failure.
 */
bool
wm_remove_tree(const char *dir)
{
	struct stat st;

	if (lstat(dir, &st) != 0)
		return errno == ENOENT;
	return nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS) == 0;
}

/* "DIR/.BASE.SUFFIX" beside path: where a new set is made before it
 * takes path's name, or an old one waits to go */
void
wm_sibling(const char *path, const char *suffix, char *dst, size_t len)
{
	const char *slash = strrchr(path, '/');

	snprintf(dst, len, "%.*s.%s.%s", slash ? (int) (slash - path + 1) : 0,
			 path, slash ? slash + 1 : path, suffix);
}

/* completed_wals holds name, plain or compressed */
bool
wm_archived(const char *dir, const char *name)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (wm_exists(path))
		return true;
	snprintf(path, sizeof(path), "%s/%s%s", dir, name, WM_ZSTD_SUFFIX);
	return wm_exists(path);
}

/* A source of plain bytes: a file, decompressed on the fly or not. */
typedef struct Reader
{
	int fd;
	ZSTD_DCtx *dctx;
	unsigned char *in;
	ZSTD_inBuffer zin;
	bool eof;
	bool frame_done; /* the last frame read was complete */
	const char *path;
} Reader;

static bool
reader_open(Reader *r, const char *path, bool zst, char *err, size_t errlen)
{
	memset(r, 0, sizeof(*r));
	r->path = path;
	r->fd = open(path, O_RDONLY);
	if (r->fd < 0)
	{
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return false;
	}
	if (zst)
	{
		r->dctx = ZSTD_createDCtx();
		r->in = malloc(BUFSZ);
		if (r->dctx == NULL || r->in == NULL)
		{
			snprintf(err, errlen, "out of memory");
			return false;
		}
		r->frame_done = true;
	}
	return true;
}

static void
reader_close(Reader *r)
{
	if (r->fd >= 0)
		close(r->fd);
	ZSTD_freeDCtx(r->dctx);
	free(r->in);
	r->fd = -1;
	r->dctx = NULL;
	r->in = NULL;
}

/* Up to len plain bytes into buf: the count, 0 at the end, -1 on error. */
static ssize_t
reader_read(Reader *r, void *buf, size_t len, char *err, size_t errlen)
{
	ZSTD_outBuffer out = {buf, len, 0};

	if (r->dctx == NULL)
	{
		ssize_t n = read(r->fd, buf, len);

		if (n < 0)
			snprintf(err, errlen, "cannot read %s: %s", r->path,
					 strerror(errno));
		return n;
	}
	while (out.pos == 0)
	{
		size_t rc;

		if (r->zin.pos == r->zin.size)
		{
			ssize_t n;

			if (r->eof)
			{
				if (!r->frame_done)
				{
					snprintf(err, errlen, "%s: truncated zstd data", r->path);
					return -1;
				}
				return 0;
			}
			n = read(r->fd, r->in, BUFSZ);
			if (n < 0)
			{
				snprintf(err, errlen, "cannot read %s: %s", r->path,
						 strerror(errno));
				return -1;
			}
			if (n == 0)
			{
				r->eof = true;
				continue;
			}
			r->zin.src = r->in;
			r->zin.size = (size_t) n;
			r->zin.pos = 0;
		}
		rc = ZSTD_decompressStream(r->dctx, &out, &r->zin);
		if (ZSTD_isError(rc))
		{
			snprintf(err, errlen, "%s: bad zstd data: %s", r->path,
					 ZSTD_getErrorName(rc));
			return -1;
		}
		r->frame_done = rc == 0;
	}
	return (ssize_t) out.pos;
}

bool
wm_write_all(int fd, const void *buf, size_t len, const char *path, char *err,
			 size_t errlen)
{
	const char *p = buf;

	while (len > 0)
	{
		ssize_t n = write(fd, p, len);

		if (n < 0)
		{
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "cannot write %s: %s", path,
					 strerror(errno));
			return false;
		}
		p += n;
		len -= (size_t) n;
	}
	return true;
}

typedef struct HashJob
{
	const unsigned char *data;
	size_t len;
	unsigned char *sha256;
	bool ok;
} HashJob;

static void *
hash_thread(void *arg)
{
	HashJob *h = arg;
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	h->ok = md && EVP_DigestInit_ex(md, EVP_sha256(), NULL) &&
			EVP_DigestUpdate(md, h->data, h->len) &&
			EVP_DigestFinal_ex(md, h->sha256, NULL);
	EVP_MD_CTX_free(md);
	return NULL;
}

/*
 * A plain copy of a regular file (a WAL segment: it does not change while
 * it is archived): the kernel copies (copy_file_range) while a second
 * thread hashes the source, mapped.  -1 when src cannot be mapped (a
 * pipe: the caller copies by reading), else 0 or 1 (ok).
 */
static int
copy_mapped(int in, const char *dst, unsigned char sha256[32], char *err,
			size_t errlen)
{
	struct stat st;
	unsigned char *map;
	unsigned char dummy[32];
	HashJob h;
	pthread_t th;
	bool threaded;
	size_t off = 0, len;
	int out, ok = 0;

	if (fstat(in, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0)
		return -1;
	len = (size_t) st.st_size;
	map = mmap(NULL, len, PROT_READ, MAP_SHARED | MAP_POPULATE, in, 0);
	if (map == MAP_FAILED)
		return -1;
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (out < 0)
	{
		snprintf(err, errlen, "cannot create %s: %s", dst, strerror(errno));
		munmap(map, len);
		return 0;
	}
	h.data = map;
	h.len = len;
	h.sha256 = sha256 ? sha256 : dummy;
	h.ok = false;
	threaded = pthread_create(&th, NULL, hash_thread, &h) == 0;
	while (off < len)
	{
		ssize_t n = copy_file_range(in, NULL, out, NULL, len - off, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
		{
			/* another file system, or an old kernel: from the map */
			if (!wm_write_all(out, map + off, len - off, dst, err, errlen))
				goto done;
			off = len;
			break;
		}
		off += (size_t) n;
	}
	if (fsync(out) != 0 && errno != EINVAL) /* EINVAL: /dev/null */
	{
		snprintf(err, errlen, "cannot fsync %s: %s", dst, strerror(errno));
		goto done;
	}
	ok = 1;
done:
	if (threaded)
		pthread_join(th, NULL);
	else
		hash_thread(&h);
	if (ok && !h.ok)
	{
		snprintf(err, errlen, "sha256 failed");
		ok = 0;
	}
	if (close(out) != 0 && ok)
	{
		snprintf(err, errlen, "cannot close %s: %s", dst, strerror(errno));
		ok = 0;
	}
	munmap(map, len);
	return ok;
}

/*
 * Copy src to dst (created or truncated), compressing with zstd at
 * zstd_level (> 0) or decompressing src (decompress), and fsync dst.
 * sha256 (if not NULL) gets the hash of the bytes written.
 */
bool
wm_copy_file(const char *src, const char *dst, int zstd_level, bool decompress,
			 unsigned char sha256[32], char *err, size_t errlen)
{
	Reader r;
	int out = -1;
	unsigned char *buf = NULL, *zbuf = NULL;
	size_t zcap = ZSTD_CStreamOutSize();
	ZSTD_CCtx *cctx = NULL;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	bool ok = false;
	ssize_t n;

	if (!reader_open(&r, src, decompress, err, errlen))
		goto done;
	if (zstd_level == 0 && !decompress)
	{
		int m = copy_mapped(r.fd, dst, sha256, err, errlen);

		if (m >= 0)
		{
			ok = m == 1;
			goto done;
		}
	}
	buf = malloc(BUFSZ);
	if (buf == NULL || md == NULL ||
		!EVP_DigestInit_ex(md, EVP_sha256(), NULL))
	{
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	if (zstd_level > 0)
	{
		cctx = ZSTD_createCCtx();
		zbuf = malloc(zcap);
		if (cctx == NULL || zbuf == NULL ||
			ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel,
												zstd_level)) ||
			ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1)))
		{
			snprintf(err, errlen, "cannot set up zstd (level %d)", zstd_level);
			goto done;
		}
	}
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (out < 0)
	{
		snprintf(err, errlen, "cannot create %s: %s", dst, strerror(errno));
		goto done;
	}
	for (;;)
	{
		n = reader_read(&r, buf, BUFSZ, err, errlen);
		if (n < 0)
			goto done;
		if (cctx == NULL)
		{
			if (n == 0)
				break;
			if (!wm_write_all(out, buf, (size_t) n, dst, err, errlen) ||
				!EVP_DigestUpdate(md, buf, (size_t) n))
				goto done;
			continue;
		}
		else
		{
			ZSTD_inBuffer zin = {buf, (size_t) n, 0};
			ZSTD_EndDirective mode = n == 0 ? ZSTD_e_end : ZSTD_e_continue;
			size_t left;

			do
			{
				ZSTD_outBuffer zout = {zbuf, zcap, 0};

				left = ZSTD_compressStream2(cctx, &zout, &zin, mode);
				if (ZSTD_isError(left))
				{
					snprintf(err, errlen, "zstd: %s", ZSTD_getErrorName(left));
					goto done;
				}
				if (!wm_write_all(out, zbuf, zout.pos, dst, err, errlen) ||
					!EVP_DigestUpdate(md, zbuf, zout.pos))
					goto done;
			} while (mode == ZSTD_e_end ? left != 0 : zin.pos < zin.size);
			if (n == 0)
				break;
		}
	}
	if (fsync(out) != 0 && errno != EINVAL) /* EINVAL: /dev/null */
	{
		snprintf(err, errlen, "cannot fsync %s: %s", dst, strerror(errno));
		goto done;
	}
	if (close(out) != 0)
	{
		out = -1;
		snprintf(err, errlen, "cannot close %s: %s", dst, strerror(errno));
		goto done;
	}
	out = -1;
	if (sha256 && !EVP_DigestFinal_ex(md, sha256, NULL))
	{
		snprintf(err, errlen, "sha256 failed");
		goto done;
	}
	ok = true;
done:
	if (out >= 0)
		close(out);
	reader_close(&r);
	ZSTD_freeCCtx(cctx);
	EVP_MD_CTX_free(md);
	free(buf);
	free(zbuf);
	return ok;
}

/* 1 when a and b hold the same plain bytes, 0 when not, -1 on error. */
int
wm_same_content(const char *a, bool a_zst, const char *b, bool b_zst,
				char *err, size_t errlen)
{
	Reader ra, rb;
	unsigned char *ba = malloc(BUFSZ), *bb = malloc(BUFSZ);
	size_t la = 0, lb = 0;
	int res = -1;

	ra.fd = rb.fd = -1;
	ra.dctx = rb.dctx = NULL;
	ra.in = rb.in = NULL;
	if (ba == NULL || bb == NULL)
	{
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	if (!reader_open(&ra, a, a_zst, err, errlen) ||
		!reader_open(&rb, b, b_zst, err, errlen))
		goto done;
	for (;;)
	{
		ssize_t n;
		size_t m;

		/* fill both buffers as far as they go, then compare */
		while (la < BUFSZ &&
			   (n = reader_read(&ra, ba + la, BUFSZ - la, err, errlen)) != 0)
		{
			if (n < 0)
				goto done;
			la += (size_t) n;
		}
		while (lb < BUFSZ &&
			   (n = reader_read(&rb, bb + lb, BUFSZ - lb, err, errlen)) != 0)
		{
			if (n < 0)
				goto done;
			lb += (size_t) n;
		}
		m = la < lb ? la : lb;
		if (la != lb || memcmp(ba, bb, m) != 0)
		{
			res = 0;
			goto done;
		}
		if (la == 0)
		{
			res = 1;
			goto done;
		}
		la = lb = 0;
	}
done:
	reader_close(&ra);
	reader_close(&rb);
	free(ba);
	free(bb);
	return res;
}

/*
 * Append "<sha256>  <name>" to dir/SHA256SUMS (under flock, fsynced): the
 * hash of the file as stored, written once the file is in place.
 */
bool
wm_record_sum(const char *dir, const char *name,
			  const unsigned char sha256[32], char *err, size_t errlen)
{
	char path[4096], line[4200];
	int fd, len;
	bool ok;

	snprintf(path, sizeof(path), "%s/%s", dir, WM_SUMS_FILE);
	/* the lock, on the file the name leads to (a purge may replace it) */
	for (;;)
	{
		struct stat a, b;

		fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0600);
		if (fd < 0)
		{
			snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
			return false;
		}
		if (flock(fd, LOCK_EX) != 0 || fstat(fd, &a) != 0)
		{
			snprintf(err, errlen, "cannot lock %s: %s", path, strerror(errno));
			close(fd);
			return false;
		}
		if (stat(path, &b) == 0 && a.st_ino == b.st_ino &&
			a.st_dev == b.st_dev)
			break;
		close(fd);
	}
	wm_hex(line, sha256, 32);
	len = snprintf(line + 64, sizeof(line) - 64, "  %s\n", name) + 64;
	ok = flock(fd, LOCK_EX) == 0 &&
		 wm_write_all(fd, line, (size_t) len, path, err, errlen) &&
		 fsync(fd) == 0;
	if (!ok && err[0] == '\0')
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
	close(fd);
	return ok;
}

/* Whether dir/SHA256SUMS has a line for name. */
bool
wm_find_sum(const char *dir, const char *name, bool *found, char *err,
			size_t errlen)
{
	char path[4096], line[4200];
	FILE *f;

	*found = false;
	snprintf(path, sizeof(path), "%s/%s", dir, WM_SUMS_FILE);
	f = fopen(path, "r");
	if (f == NULL)
	{
		if (errno == ENOENT)
			return true;
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return false;
	}
	while (fgets(line, sizeof(line), f))
	{
		line[strcspn(line, "\n")] = '\0';
		if (strlen(line) > 66 && strcmp(line + 66, name) == 0)
		{
			*found = true;
			break;
		}
	}
	fclose(f);
	return true;
}

/* The SHA-256 of path's bytes (as stored). */
bool
wm_hash_file(const char *path, unsigned char sha256[32], char *err,
			 size_t errlen)
{
	Reader r;
	unsigned char *buf = malloc(BUFSZ);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	bool ok = false;
	ssize_t n;

	r.fd = -1;
	r.dctx = NULL;
	r.in = NULL;
	if (buf == NULL || md == NULL ||
		!EVP_DigestInit_ex(md, EVP_sha256(), NULL))
		snprintf(err, errlen, "out of memory");
	else if (reader_open(&r, path, false, err, errlen))
	{
		while ((n = reader_read(&r, buf, BUFSZ, err, errlen)) > 0)
			if (!EVP_DigestUpdate(md, buf, (size_t) n))
				break;
		ok = n == 0 && EVP_DigestFinal_ex(md, sha256, NULL);
		if (!ok && err[0] == '\0')
			snprintf(err, errlen, "sha256 of %s failed", path);
	}
	reader_close(&r);
	EVP_MD_CTX_free(md);
	free(buf);
	return ok;
}

/*
 * Drop the lines of dir/SHA256SUMS whose file is gone: a new list under a
 * temporary name, fsynced and renamed over the old one while holding the
 * old one's lock (wm_record_sum re-opens when it finds the name moved).
 */
bool
wm_prune_sums(const char *dir, char *err, size_t errlen)
{
	char path[4096], tmp[4200], line[4200], file[8400];
	FILE *in, *out;
	int lockfd;
	bool ok = true;

	snprintf(path, sizeof(path), "%s/%s", dir, WM_SUMS_FILE);
	snprintf(tmp, sizeof(tmp), "%s/.%s.walmgr-tmp", dir, WM_SUMS_FILE);
	lockfd = open(path, O_RDONLY);
	if (lockfd < 0)
	{
		if (errno == ENOENT)
			return true;
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return false;
	}
	if (flock(lockfd, LOCK_EX) != 0)
	{
		snprintf(err, errlen, "cannot lock %s: %s", path, strerror(errno));
		close(lockfd);
		return false;
	}
	in = fopen(path, "r");
	out = fopen(tmp, "w");
	if (in == NULL || out == NULL)
	{
		snprintf(err, errlen, "cannot rewrite %s: %s", path, strerror(errno));
		ok = false;
	}
	while (ok && fgets(line, sizeof(line), in))
	{
		char *name = strlen(line) > 66 ? line + 66 : NULL;

		if (name == NULL)
			continue;
		snprintf(file, sizeof(file), "%s/%.*s", dir, (int) strcspn(name, "\n"),
				 name);
		if (wm_exists(file) && fputs(line, out) == EOF)
			ok = false;
	}
	if (in)
		fclose(in);
	if (out && (fflush(out) != 0 || fsync(fileno(out)) != 0))
		ok = false;
	if (out && fclose(out) != 0)
		ok = false;
	if (ok && rename(tmp, path) != 0)
		ok = false;
	if (!ok)
	{
		if (err[0] == '\0')
			snprintf(err, errlen, "cannot rewrite %s: %s", path,
					 strerror(errno));
		unlink(tmp);
	}
	else
		ok = wm_fsync_dir_of(path, err, errlen);
	close(lockfd);
	return ok;
}
