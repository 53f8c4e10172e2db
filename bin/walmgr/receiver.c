/*-------------------------------------------------------------------------
 *
 * receiver.c
 *	  sync and syncdaemon: the WAL the master is writing, streamed over
 *	  a replication connection into partial_wals as it arrives (what
 *	  pg_receivewal does), so that a lost master loses at most the last
 *	  second of commits rather than a segment.  xpartialsync is upstream's
 *	  way of feeding a piece of a segment, kept for compatibility.
 *
 * The receiver holds a physical replication slot (slot_name, default
 * walmgr_<job_name>): the master keeps every segment the receiver has not
 * confirmed, and `stop` drops it.  Each segment is written at its offset
 * into partial_wals/NAME, a file of the full segment size; bytes received
 * are synced to disk (fdatasync) as soon as the receiver has all the
 * master has written, and at least every flush interval (0.5 s) while it
 * catches up, and only then confirmed to
 * the master, so that the receiver can serve as a synchronous standby
 * (its application_name is the job name).  A finished segment stays in
 * partial_wals until xarchive has put it into completed_wals.  A restart
 * streams again from the start of the segment the slot holds.
 *
 * sync catches up with the master's current position once and exits;
 * syncdaemon runs until SIGTERM or SIGINT (after a lost connection it
 * reconnects every loop_delay seconds).
 *
 * IDENTIFICATION
 *	  bin/walmgr/receiver.c
 *
 *-------------------------------------------------------------------------
 */
#include "walmgr.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "skytools/clock.h"
#include "skytools/log.h"

#define FLUSH_INTERVAL	0.5
#define STATUS_INTERVAL 10.0
#define EPOCH_DIFF_US	946684800000000LL /* 2000-01-01 in Unix time, us */

static volatile sig_atomic_t stop_requested;

static void
on_stop(int sig)
{
	(void) sig;
	stop_requested = 1;
}

/* walmgr -r, systemctl reload: reopen the log (after logrotate) */
static void
on_hup(int sig)
{
	(void) sig;
	log_reopen();
}

typedef struct Receiver
{
	Wm *wm;
	PGconn *conn;
	const char *dir;
	uint64_t segsize;
	uint32_t tli;
	int fd;			   /* the open segment file, -1 none */
	uint64_t fd_segno; /* its segment number */
	uint64_t written;  /* end of what was written */
	uint64_t flushed;  /* end of what is on disk and confirmed */
	uint64_t srv_end;  /* the server's end of WAL, as it last said */
	double last_flush, last_status, last_prune;
} Receiver;

static uint64_t
get64(const char *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = (v << 8) | (unsigned char) p[i];
	return v;
}

static void
put64(char *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--)
	{
		p[i] = (char) (v & 0xff);
		v >>= 8;
	}
}

static bool
parse_lsn(const char *s, uint64_t *lsn)
{
	unsigned int hi, lo;
	char c;

	if (sscanf(s, "%X/%X%c", &hi, &lo, &c) != 2)
		return false;
	*lsn = ((uint64_t) hi << 32) | lo;
	return true;
}

void
wm_segment_name(char *dst, uint32_t tli, uint64_t segno, uint64_t segsize)
{
	uint64_t per = UINT64_C(0x100000000) / segsize;

	sprintf(dst, "%08X%08X%08X", tli, (uint32_t) (segno / per),
			(uint32_t) (segno % per));
}

/* the slot's name: slot_name, else walmgr_ and the job name's [a-z0-9_] */
void
wm_slot_name(Wm *wm, char *dst, size_t len)
{
	const char *src = wm->cfg.job_name ? wm->cfg.job_name : "walmgr";
	size_t i = 0;

	if (wm->cfg.slot_name && wm->cfg.slot_name[0])
	{
		snprintf(dst, len, "%s", wm->cfg.slot_name);
		return;
	}
	i = (size_t) snprintf(dst, len, "walmgr_");
	for (; *src && i + 1 < len && i < 63; src++)
	{
		char c = *src;

		if (c >= 'A' && c <= 'Z')
			c = (char) (c - 'A' + 'a');
		dst[i++] =
			(char) ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ? c
																	 : '_');
	}
	dst[i] = '\0';
}

static bool
send_status(Receiver *r, bool reply)
{
	char msg[34];
	struct timespec ts;
	int64_t now;

	clock_gettime(CLOCK_REALTIME, &ts);
	now = (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000 - EPOCH_DIFF_US;
	msg[0] = 'r';
	put64(msg + 1, r->flushed); /* written: what we confirm is on disk */
	put64(msg + 9, r->flushed);
	put64(msg + 17, 0); /* not applied anywhere */
	put64(msg + 25, (uint64_t) now);
	msg[33] = reply ? 1 : 0;
	if (PQputCopyData(r->conn, msg, sizeof(msg)) <= 0 || PQflush(r->conn) != 0)
	{
		log_error("sync: cannot send a status update: %s",
				  PQerrorMessage(r->conn));
		return false;
	}
	r->last_status = sky_mono_secs();
	return true;
}

static bool
flush(Receiver *r)
{
	if (r->fd >= 0 && r->written > r->flushed && fdatasync(r->fd) != 0)
	{
		log_error("sync: cannot sync %s's segment: %s", r->dir,
				  strerror(errno));
		return false;
	}
	r->last_flush = sky_mono_secs();
	if (r->written > r->flushed)
	{
		r->flushed = r->written;
		return send_status(r, false);
	}
	return true;
}

/* partial_wals/NAME of segment segno, open for writing, full size */
static bool
open_segment(Receiver *r, uint64_t segno)
{
	char name[32], path[4200];
	struct stat st;

	if (r->fd >= 0)
	{
		if (r->fd_segno == segno)
			return true;
		if (!flush(r))
			return false;
		close(r->fd);
		r->fd = -1;
	}
	wm_segment_name(name, r->tli, segno, r->segsize);
	snprintf(path, sizeof(path), "%s/%s", r->dir, name);
	r->fd = open(path, O_WRONLY | O_CREAT, 0600);
	if (r->fd < 0)
	{
		log_error("sync: cannot open %s: %s", path, strerror(errno));
		return false;
	}
	if (fstat(r->fd, &st) == 0 && (uint64_t) st.st_size < r->segsize &&
		ftruncate(r->fd, (off_t) r->segsize) != 0)
	{
		log_error("sync: cannot size %s: %s", path, strerror(errno));
		close(r->fd);
		r->fd = -1;
		return false;
	}
	r->fd_segno = segno;
	log_debug("sync: writing %s", name);
	return true;
}

static bool
write_wal(Receiver *r, uint64_t start, const char *data, size_t len)
{
	while (len > 0)
	{
		uint64_t segno = start / r->segsize;
		uint64_t off = start % r->segsize;
		size_t n = len;
		ssize_t w;

		if (off + n > r->segsize)
			n = (size_t) (r->segsize - off);
		if (!open_segment(r, segno))
			return false;
		w = pwrite(r->fd, data, n, (off_t) off);
		if (w < 0)
		{
			if (errno == EINTR)
				continue;
			log_error("sync: cannot write WAL: %s", strerror(errno));
			return false;
		}
		start += (uint64_t) w;
		data += w;
		len -= (size_t) w;
		if (start > r->written)
			r->written = start;
	}
	return true;
}

/* segments in partial_wals that completed_wals holds now go */
static void
prune_partials(Receiver *r)
{
	DIR *d = opendir(r->dir);
	struct dirent *de;
	char cur[32] = "";

	if (d == NULL)
		return;
	if (r->fd >= 0)
		wm_segment_name(cur, r->tli, r->fd_segno, r->segsize);
	while ((de = readdir(d)) != NULL)
	{
		char a[4200];

		if (strlen(de->d_name) != 24 || !wm_valid_wal_name(de->d_name) ||
			strcmp(de->d_name, cur) >= 0)
			continue;
		if (wm_archived(r->wm->cfg.completed_wals, de->d_name))
		{
			snprintf(a, sizeof(a), "%s/%s", r->dir, de->d_name);
			if (unlink(a) == 0)
				log_debug("sync: %s archived, its partial copy removed",
						  de->d_name);
		}
	}
	closedir(d);
}

/* whether the socket has bytes to read now */
static bool
wal_pending(PGconn *c)
{
	fd_set fds;
	struct timeval tv = {0, 0};
	int sock = PQsocket(c);

	FD_ZERO(&fds);
	FD_SET(sock, &fds);
	return select(sock + 1, &fds, NULL, NULL, &tv) > 0;
}

/* the master's ini connects with master_db, the slave's with
 * primary_conninfo */
static PGconn *
connect_replication(Wm *wm)
{
	const char *conninfo =
		wm->is_master ? wm->cfg.master_db : wm->cfg.primary_conninfo;
	const char *keys[] = {"dbname", "replication", "application_name", NULL};
	const char *vals[] = {conninfo, "true",
						  wm->cfg.job_name ? wm->cfg.job_name : "walmgr",
						  NULL};
	PGconn *c;

	if (conninfo == NULL || conninfo[0] == '\0')
	{
		log_error("sync: %s is not set",
				  wm->is_master ? "master_db" : "primary_conninfo");
		return NULL;
	}
	c = PQconnectdbParams(keys, vals, 1);
	if (PQstatus(c) != CONNECTION_OK)
	{
		char *m = PQerrorMessage(c);

		log_error("sync: cannot connect for replication: %.*s",
				  (int) strcspn(m, "\n"), m);
		PQfinish(c);
		return NULL;
	}
	return c;
}

static PGresult *
repl_exec(PGconn *c, const char *sql, ExecStatusType want)
{
	PGresult *res = PQexec(c, sql);

	if (PQresultStatus(res) != want)
	{
		char *m = PQresultErrorMessage(res);

		log_error("sync: %s: %.*s", sql, (int) strcspn(m, "\n"), m);
		PQclear(res);
		return NULL;
	}
	return res;
}

static uint64_t
parse_size(const char *s)
{
	char *end;
	uint64_t v = strtoull(s, &end, 10);

	if (strcmp(end, "kB") == 0)
		v *= 1024;
	else if (strcmp(end, "MB") == 0)
		v *= 1024 * 1024;
	else if (strcmp(end, "GB") == 0)
		v *= UINT64_C(1024) * 1024 * 1024;
	return v;
}

/*
 * One replication session: slot, start position, the stream.  until > 0:
 * stop once everything before it is on disk (sync).  0 when it ended as
 * asked, 1 on error.
 */
static int
stream_once(Wm *wm, Receiver *r, bool once)
{
	PGresult *res;
	char slot[128], sql[512];
	uint64_t start = 0, until = 0, srv_pos;
	int rc = 1, ver;
	bool have_slot = false;

	r->conn = connect_replication(wm);
	if (r->conn == NULL)
		return 1;
	ver = PQserverVersion(r->conn);
	if ((res = repl_exec(r->conn, "IDENTIFY_SYSTEM", PGRES_TUPLES_OK)) == NULL)
		goto done;
	r->tli = (uint32_t) strtoul(PQgetvalue(res, 0, 1), NULL, 10);
	if (!parse_lsn(PQgetvalue(res, 0, 2), &srv_pos))
	{
		log_error("sync: unexpected IDENTIFY_SYSTEM position");
		PQclear(res);
		goto done;
	}
	PQclear(res);
	if ((res = repl_exec(r->conn, "SHOW wal_segment_size", PGRES_TUPLES_OK)) ==
		NULL)
		goto done;
	r->segsize = parse_size(PQgetvalue(res, 0, 0));
	PQclear(res);
	if (r->segsize < 1024 * 1024 || (r->segsize & (r->segsize - 1)) != 0)
	{
		log_error("sync: unexpected wal_segment_size");
		goto done;
	}
	wm_slot_name(wm, slot, sizeof(slot));
	if (ver >= 150000)
	{
		snprintf(sql, sizeof(sql), "READ_REPLICATION_SLOT \"%s\"", slot);
		if ((res = repl_exec(r->conn, sql, PGRES_TUPLES_OK)) == NULL)
			goto done;
		if (!PQgetisnull(res, 0, 0))
		{
			have_slot = true;
			if (!PQgetisnull(res, 0, 1))
				parse_lsn(PQgetvalue(res, 0, 1), &start);
		}
		PQclear(res);
	}
	if (!have_slot)
	{
		snprintf(sql, sizeof(sql),
				 "CREATE_REPLICATION_SLOT \"%s\" PHYSICAL RESERVE_WAL", slot);
		res = PQexec(r->conn, sql);
		if (PQresultStatus(res) == PGRES_TUPLES_OK)
			log_info("sync: replication slot %s created", slot);
		else if (strcmp(PQresultErrorField(res, PG_DIAG_SQLSTATE) ?: "",
						"42710") != 0)
		{
			char *m = PQresultErrorMessage(res);

			log_error("sync: %s: %.*s", sql, (int) strcspn(m, "\n"), m);
			PQclear(res);
			goto done;
		}
		PQclear(res);
	}
	if (start == 0 || start > srv_pos)
		start = srv_pos;
	start -= start % r->segsize;
	until = once ? srv_pos : 0;
	r->written = r->flushed = start;
	snprintf(sql, sizeof(sql),
			 "START_REPLICATION SLOT \"%s\" PHYSICAL %X/%X TIMELINE %u", slot,
			 (unsigned) (start >> 32), (unsigned) start, r->tli);
	res = PQexec(r->conn, sql);
	if (PQresultStatus(res) != PGRES_COPY_BOTH)
	{
		char *m = PQresultErrorMessage(res);

		log_error("sync: %s: %.*s", sql, (int) strcspn(m, "\n"), m);
		PQclear(res);
		goto done;
	}
	PQclear(res);
	log_info("sync: streaming from %X/%X on timeline %u into %s",
			 (unsigned) (start >> 32), (unsigned) start, r->tli, r->dir);
	r->last_flush = r->last_status = sky_mono_secs();
	while (!stop_requested)
	{
		char *buf = NULL;
		int n = PQgetCopyData(r->conn, &buf, 1);

		if (n > 0)
		{
			if (buf[0] == 'w' && n >= 25)
			{
				r->srv_end = get64(buf + 9);
				if (!write_wal(r, get64(buf + 1), buf + 25, (size_t) n - 25))
				{
					PQfreemem(buf);
					goto done;
				}
			}
			else if (buf[0] == 'k' && n >= 18 &&
					 (r->srv_end = get64(buf + 1)) && buf[17])
			{
				if (!flush(r) || !send_status(r, false))
				{
					PQfreemem(buf);
					goto done;
				}
			}
			PQfreemem(buf);
			if (sky_mono_secs() - r->last_flush >= FLUSH_INTERVAL && !flush(r))
				goto done;
			continue;
		}
		if (n == -2)
		{
			char *m = PQerrorMessage(r->conn);

			log_error("sync: stream: %.*s", (int) strcspn(m, "\n"), m);
			goto done;
		}
		if (n == -1)
		{
			/* the server ended the stream (a timeline ended): again */
			res = PQgetResult(r->conn);
			PQclear(res);
			log_info("sync: the master ended the stream; reconnecting");
			rc = flush(r) ? 2 : 1;
			goto done;
		}
		/* what the socket holds already comes first */
		if (wal_pending(r->conn))
		{
			if (!PQconsumeInput(r->conn))
			{
				char *m = PQerrorMessage(r->conn);

				log_error("sync: stream: %.*s", (int) strcspn(m, "\n"), m);
				goto done;
			}
			continue;
		}
		/*
		 * Nothing more for now.  Caught up with the server: what came is
		 * made durable and confirmed (a synchronous master waits for
		 * that).  Still behind: more is on its way, the flush interval
		 * is enough.
		 */
		if ((r->written >= r->srv_end ||
			 sky_mono_secs() - r->last_flush >= FLUSH_INTERVAL) &&
			!flush(r))
			goto done;
		if (until > 0 && r->flushed >= until)
		{
			log_info("sync: caught up at %X/%X", (unsigned) (r->flushed >> 32),
					 (unsigned) r->flushed);
			rc = 0;
			goto done;
		}
		if (sky_mono_secs() - r->last_status >= STATUS_INTERVAL &&
			!send_status(r, false))
			goto done;
		if (sky_mono_secs() - r->last_prune >= 1.0)
		{
			prune_partials(r);
			r->last_prune = sky_mono_secs();
		}
		{
			fd_set fds;
			struct timeval tv = {1, 0};
			int sock = PQsocket(r->conn);

			FD_ZERO(&fds);
			FD_SET(sock, &fds);
			if (select(sock + 1, &fds, NULL, NULL, &tv) < 0 && errno != EINTR)
			{
				log_error("sync: select: %s", strerror(errno));
				goto done;
			}
			if (!PQconsumeInput(r->conn))
			{
				char *m = PQerrorMessage(r->conn);

				log_error("sync: stream: %.*s", (int) strcspn(m, "\n"), m);
				goto done;
			}
		}
	}
	rc = flush(r) ? 0 : 1;
	log_info("sync: stopped at %X/%X", (unsigned) (r->flushed >> 32),
			 (unsigned) r->flushed);
done:
	if (r->fd >= 0)
	{
		fdatasync(r->fd);
		close(r->fd);
		r->fd = -1;
	}
	PQfinish(r->conn);
	r->conn = NULL;
	return rc;
}

static int
run_receiver(Wm *wm, bool daemon)
{
	Receiver r;
	int rc;

	memset(&r, 0, sizeof(r));
	r.wm = wm;
	r.fd = -1;
	r.dir = wm_local_dir("partial_wals", wm->cfg.partial_wals);
	if (r.dir == NULL ||
		wm_local_dir("completed_wals", wm->cfg.completed_wals) == NULL)
		return 1;
	if (wm->not_really)
	{
		log_info("would stream the master's WAL into %s", r.dir);
		return 0;
	}
	{
		char err[512];

		if (!wm_mkdirs(r.dir, err, sizeof(err)))
		{
			log_error("sync: %s", err);
			return 1;
		}
	}
	signal(SIGTERM, on_stop);
	signal(SIGINT, on_stop);
	signal(SIGHUP, on_hup);
	signal(SIGPIPE, SIG_IGN);
	for (;;)
	{
		rc = stream_once(wm, &r, !daemon);
		if (rc == 2)
			continue;
		if (!daemon || stop_requested)
			return rc;
		{
			double until = sky_mono_secs() +
						   (wm->cfg.loop_delay > 0 ? wm->cfg.loop_delay : 1.0);

			while (!stop_requested && sky_mono_secs() < until)
				usleep(100000);
		}
		if (stop_requested)
			return 0;
	}
}

int
cmd_sync(Wm *wm, int argc, char **argv)
{
	(void) argv;
	if (argc != 0)
	{
		log_error("usage: sync");
		return 1;
	}
	return run_receiver(wm, false);
}

int
cmd_syncdaemon(Wm *wm, int argc, char **argv)
{
	(void) argv;
	if (argc != 0)
	{
		log_error("usage: syncdaemon");
		return 1;
	}
	return run_receiver(wm, true);
}

/*
 * xpartialsync FILE OFFSET BYTES: BYTES from stdin written at OFFSET of
 * partial_wals/FILE (truncated at offset 0), the file then as long as a
 * segment.
 */
int
cmd_xpartialsync(Wm *wm, int argc, char **argv)
{
	char path[4200], *end, *buf;
	long long off, len, segsize = 16 * 1024 * 1024, got = 0;
	const char *dir;
	int fd;

	if (argc != 3)
	{
		log_error("usage: xpartialsync FILE OFFSET BYTES");
		return 1;
	}
	if ((dir = wm_local_dir("partial_wals", wm->cfg.partial_wals)) == NULL)
		return 1;
	if (!wm_valid_wal_name(argv[0]) || strlen(argv[0]) != 24)
	{
		log_error("xpartialsync: %s is not a WAL segment name", argv[0]);
		return 1;
	}
	off = strtoll(argv[1], &end, 10);
	if (end == argv[1] || *end || off < 0 || off >= segsize)
	{
		log_error("xpartialsync: bad offset %s", argv[1]);
		return 1;
	}
	len = strtoll(argv[2], &end, 10);
	if (end == argv[2] || *end || len < 0 || off + len > segsize)
	{
		log_error("xpartialsync: bad byte count %s", argv[2]);
		return 1;
	}
	buf = malloc(len > 0 ? (size_t) len : 1);
	if (buf == NULL)
	{
		log_error("out of memory");
		return 1;
	}
	while (got < len)
	{
		ssize_t n = read(0, buf + got, (size_t) (len - got));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
		{
			log_error("xpartialsync: got %lld of %lld bytes", got, len);
			free(buf);
			return 1;
		}
		got += n;
	}
	if (wm->not_really)
	{
		free(buf);
		log_info("would write %lld bytes at %lld of %s", len, off, argv[0]);
		return 0;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, argv[0]);
	fd = open(path, O_WRONLY | O_CREAT | (off == 0 ? O_TRUNC : 0), 0600);
	if (fd < 0 || pwrite(fd, buf, (size_t) len, (off_t) off) != len ||
		ftruncate(fd, (off_t) segsize) != 0 || fdatasync(fd) != 0)
	{
		log_error("xpartialsync: cannot write %s: %s", path, strerror(errno));
		free(buf);
		if (fd >= 0)
			close(fd);
		return 1;
	}
	free(buf);
	close(fd);
	log_info("xpartialsync: %lld bytes at %lld of %s", len, off, argv[0]);
	return 0;
}
