/*-------------------------------------------------------------------------
 *
 * metrics.c
 *	  Prometheus metrics on loopback (metrics_port) and pgqd --check.
 *
 * Not in upstream.  With metrics_port set, pgqd listens on 127.0.0.1 and
 * answers any request with the text exposition format: per database
 * whether it is served, ticks, maintenance rounds and retried events
 * since start; per queue the age of the last tick, events per second, new
 * events and the last tick id; per consumer its lag and pending events.
 * Queue and consumer figures are refreshed by each ticker every
 * METRICS_REFRESH seconds (two cheap queries on its own connection).
 *
 * pgqd --check CONFIG connects to every database the configuration names
 * (or finds), prints the same text and exits 1 if any could not be
 * reached: for monitoring scripts and for a first look at a new setup.
 *
 * IDENTIFICATION
 *	  bin/pgqd/metrics.c
 *
 *-------------------------------------------------------------------------
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "skytools/log.h"

#include "pgqd.h"

typedef struct Buf
{
	char *data;
	size_t len;
	size_t cap;
} Buf;

static void buf_printf(Buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
buf_printf(Buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;)
	{
		va_start(ap, fmt);
		n = vsnprintf(b->data ? b->data + b->len : NULL,
					  b->data ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if (b->data && b->len + n < b->cap)
		{
			b->len += n;
			return;
		}
		b->cap = (b->cap + n + 1) * 2;
		b->data = realloc(b->data, b->cap);
		if (b->data == NULL)
		{
			b->len = b->cap = 0;
			return;
		}
	}
}

/* A label value with \, " and newline escaped. */
static void
label(Buf *b, const char *name, const char *value, bool last)
{
	buf_printf(b, "%s=\"", name);
	for (; *value; value++)
	{
		if (*value == '\\' || *value == '"')
			buf_printf(b, "\\%c", *value);
		else if (*value == '\n')
			buf_printf(b, "\\n");
		else
			buf_printf(b, "%c", *value);
	}
	buf_printf(b, "\"%s", last ? "" : ",");
}

static void
family(Buf *b, const char *name, const char *type, const char *help)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* One database-level family; field picks the value. */
static void
db_family(Buf *b, const DbSnapshot *s, int n, const char *name,
		  const char *type, const char *help, int field)
{
	int i;

	family(b, name, type, help);
	for (i = 0; i < n; i++)
	{
		long v = field == 0	  ? s[i].up
				 : field == 1 ? s[i].ticks
				 : field == 2 ? s[i].maint
							  : s[i].retry;

		buf_printf(b, "%s{", name);
		label(b, "database", s[i].name, true);
		buf_printf(b, "} %ld\n", v);
	}
}

/* A family from column col of the queue (nlabels 1) or consumer rows. */
static void
row_family(Buf *b, const DbSnapshot *s, int n, const char *name,
		   const char *help, bool consumers, int col)
{
	int i, r;

	family(b, name, "gauge", help);
	for (i = 0; i < n; i++)
	{
		PGresult *res = consumers ? s[i].consumers : s[i].queues;

		if (res == NULL)
			continue;
		for (r = 0; r < PQntuples(res); r++)
		{
			if (PQgetisnull(res, r, col))
				continue;
			buf_printf(b, "%s{", name);
			label(b, "database", s[i].name, false);
			label(b, "queue", PQgetvalue(res, r, 0), !consumers);
			if (consumers)
				label(b, "consumer", PQgetvalue(res, r, 1), true);
			buf_printf(b, "} %s\n", PQgetvalue(res, r, col));
		}
	}
}

/* The whole exposition text; malloc'd, NULL on OOM. */
char *
metrics_render(const DbSnapshot *s, int n)
{
	Buf b = {NULL, 0, 0};

	db_family(&b, s, n, "pgqd_database_up", "gauge",
			  "1 when pgqd is connected to the database and finds pgq", 0);
	db_family(&b, s, n, "pgqd_ticks_total", "counter",
			  "pgq.ticker() calls made", 1);
	db_family(&b, s, n, "pgqd_maintenance_rounds_total", "counter",
			  "maintenance rounds completed", 2);
	db_family(&b, s, n, "pgqd_retry_events_total", "counter",
			  "events moved back from the retry queue", 3);
	row_family(&b, s, n, "pgq_queue_ticker_lag_seconds",
			   "age of the queue's last tick", false, 1);
	row_family(&b, s, n, "pgq_queue_events_per_second",
			   "events per second over the last ticks", false, 2);
	row_family(&b, s, n, "pgq_queue_new_events", "events since the last tick",
			   false, 3);
	row_family(&b, s, n, "pgq_queue_last_tick_id", "the last tick's id", false,
			   4);
	row_family(&b, s, n, "pgq_consumer_lag_seconds",
			   "age of the consumer's last finished tick", true, 2);
	row_family(&b, s, n, "pgq_consumer_pending_events",
			   "events after the consumer's last finished tick", true, 3);
	return b.data;
}

double
metrics_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Snapshots of every served database; *n set; malloc'd array. */
static DbSnapshot *
snapshots(const Pgqd *p, int *n)
{
	const Db *db;
	DbSnapshot *s;
	int i = 0;

	for (db = p->dbs, *n = 0; db != NULL; db = db->next)
		(*n)++;
	s = calloc(*n + 1, sizeof(DbSnapshot));
	if (s == NULL)
		return NULL;
	for (db = p->dbs; db != NULL; db = db->next, i++)
	{
		s[i].name = db->name;
		s[i].up = db->up;
		s[i].ticks = db->ticks_total;
		s[i].maint = db->maint_total;
		s[i].retry = db->retry_total;
		s[i].queues = db->queue_res;
		s[i].consumers = db->consumer_res;
	}
	return s;
}

/* Answer one HTTP request with the metrics and close. */
static void
on_accept(int fd, bool readable, bool writable, void *arg)
{
	Pgqd *p = arg;
	char req[2048];
	char head[256];
	int c, n = 0;
	DbSnapshot *s;
	char *body;
	struct timeval tv = {2, 0};

	(void) readable;
	(void) writable;
	watch_start(p->metrics_watch, fd, true, false);
	c = accept(fd, NULL, NULL);
	if (c < 0)
		return;
	setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	(void) !read(c, req, sizeof(req));
	s = snapshots(p, &n);
	body = s ? metrics_render(s, n) : NULL;
	snprintf(head, sizeof(head),
			 "HTTP/1.0 %s\r\nContent-Type: text/plain; version=0.0.4\r\n"
			 "Content-Length: %zu\r\nConnection: close\r\n\r\n",
			 body ? "200 OK" : "500 Internal Server Error",
			 body ? strlen(body) : 0);
	(void) !write(c, head, strlen(head));
	if (body)
		(void) !write(c, body, strlen(body));
	close(c);
	free(body);
	free(s);
}

void
metrics_close(Pgqd *p)
{
	if (p->metrics_watch)
		watch_free(p->metrics_watch);
	p->metrics_watch = NULL;
	if (p->metrics_fd >= 0)
		close(p->metrics_fd);
	p->metrics_fd = -1;
	p->metrics_port = 0;
}

/*
 * Open, keep or close the listening socket as metrics_port says.  False
 * with err when the port cannot be bound (the old socket, if any, stays).
 */
bool
metrics_configure(Pgqd *p, char *err, size_t errlen)
{
	int port = p->cfg.metrics_port;
	int fd, one = 1;
	struct sockaddr_in addr;

	if (port == p->metrics_port && (port == 0 || p->metrics_fd >= 0))
		return true;
	if (port < 0 || port > 65535)
	{
		snprintf(err, errlen, "metrics_port %d out of range", port);
		return false;
	}
	if (port == 0)
	{
		metrics_close(p);
		return true;
	}
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons((unsigned short) port);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 ||
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
		bind(fd, (struct sockaddr *) &addr, sizeof(addr)) || listen(fd, 16))
	{
		snprintf(err, errlen, "cannot listen on 127.0.0.1:%d: %s", port,
				 strerror(errno));
		if (fd >= 0)
			close(fd);
		return false;
	}
	metrics_close(p);
	p->metrics_fd = fd;
	p->metrics_port = port;
	p->metrics_watch = watch_new(p->loop, on_accept, p);
	watch_start(p->metrics_watch, fd, true, false);
	log_info("metrics on http://127.0.0.1:%d/", port);
	return true;
}

/* --- pgqd --check ------------------------------------------------------- */

static PGresult *
run(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);

	if (PQresultStatus(r) != PGRES_TUPLES_OK)
	{
		PQclear(r);
		return NULL;
	}
	return r;
}

static char **
check_list(Pgqd *p, int *n, bool *ok)
{
	char **names = NULL;
	int i;

	*n = 0;
	if (p->cfg.database_list && p->cfg.database_list[0])
	{
		char *list = strdup(p->cfg.database_list);
		char *tok, *save = NULL;

		for (tok = strtok_r(list, ",", &save); tok;
			 tok = strtok_r(NULL, ",", &save))
		{
			while (*tok == ' ' || *tok == '\t')
				tok++;
			for (i = (int) strlen(tok);
				 i > 0 && (tok[i - 1] == ' ' || tok[i - 1] == '\t'); i--)
				tok[i - 1] = '\0';
			if (!*tok)
				continue;
			names = realloc(names, sizeof(char *) * (*n + 1));
			names[(*n)++] = strdup(tok);
		}
		free(list);
	}
	else
	{
		char *cs = pgqd_connstr(p, p->cfg.initial_database);
		PGconn *c = PQconnectdb(cs);
		PGresult *r =
			PQstatus(c) == CONNECTION_OK
				? run(c, "select datname from pg_database where not"
						 " datistemplate and datallowconn order by 1")
				: NULL;

		if (r == NULL)
		{
			fprintf(stderr,
					"pgqd --check: cannot list databases in \"%s\": %s",
					p->cfg.initial_database, PQerrorMessage(c));
			*ok = false;
		}
		for (i = 0; r && i < PQntuples(r); i++)
		{
			names = realloc(names, sizeof(char *) * (*n + 1));
			names[(*n)++] = strdup(PQgetvalue(r, i, 0));
		}
		PQclear(r);
		PQfinish(c);
		free(cs);
	}
	return names;
}

/* pgqd --check: print the metrics of every database; 1 if any failed. */
int
pgqd_check(Pgqd *p)
{
	bool ok = true;
	int i, n;
	char **names = check_list(p, &n, &ok);
	DbSnapshot *s = calloc(n + 1, sizeof(DbSnapshot));
	PGconn **conns = calloc(n + 1, sizeof(PGconn *));
	char *text;

	for (i = 0; i < n; i++)
	{
		char *cs = pgqd_connstr(p, names[i]);
		PGresult *has;

		s[i].name = names[i];
		conns[i] = PQconnectdb(cs);
		free(cs);
		if (PQstatus(conns[i]) != CONNECTION_OK)
		{
			fprintf(stderr,
					"pgqd --check: database \"%s\" cannot be reached: %s",
					names[i], PQerrorMessage(conns[i]));
			ok = false;
			continue;
		}
		has = run(conns[i],
				  "select 1 from pg_catalog.pg_namespace where nspname='pgq'");
		if (has != NULL && PQntuples(has) == 1)
		{
			s[i].up = true;
			s[i].queues = run(conns[i], METRICS_QUEUE_SQL);
			s[i].consumers = run(conns[i], METRICS_CONSUMER_SQL);
		}
		PQclear(has);
	}
	text = metrics_render(s, n);
	if (text)
		fputs(text, stdout);
	for (i = 0; i < n; i++)
	{
		PQclear(s[i].queues);
		PQclear(s[i].consumers);
		PQfinish(conns[i]);
		free(names[i]);
	}
	free(text);
	free(names);
	free(conns);
	free(s);
	return ok ? 0 : 1;
}
