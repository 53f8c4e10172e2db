/*-------------------------------------------------------------------------
 *
 * pgqd.h
 *	  pgqd, the PgQ ticker and maintenance daemon: shared definitions.
 *
 * One Pgqd context holds the configuration, the event loop, the set of
 * databases and the counters.  Each database (Db) runs three jobs, each
 * on its own connection and with its own small state machine:
 * ticker.c (pgq.ticker() every ticker_period), maint.c (the operations of
 * pgq.maint_operations() every maint_period) and retry.c
 * (pgq.maint_retry_events() every retry_period).  dbset.c keeps the set of
 * databases: a fixed database_list, or discovery on initial_database.
 *
 * IDENTIFICATION
 *	  bin/pgqd/pgqd.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGQD_H
#define PGQD_H

#include <stdbool.h>

#include "skytools/loop.h"
#include "skytools/pgconn.h"

#define PGQD_VERSION "3.6"

/* The ini keys, upstream's names and defaults (config.c has the table). */
typedef struct PgqdConfig
{
	char *logfile;
	char *pidfile;
	char *base_connstr;
	char *initial_database;
	char *database_list;
	int syslog;
	char *syslog_ident;
	char *syslog_facility;
	double check_period;
	double maint_period;
	double retry_period;
	double ticker_period;
	double ticker_busy_period; /* pgq.ticker_busy(), when pgq has it */
	double stats_period;
	double connection_lifetime;
	int metrics_port;
} PgqdConfig;

typedef struct Pgqd Pgqd;

/* One maintenance operation: function (or vacuum) and argument. */
typedef struct MaintOp
{
	char *func;
	char *arg; /* NULL: no argument */
} MaintOp;

typedef struct Db
{
	Pgqd *pgqd;
	struct Db *next;
	char *name;
	char *logname; /* "[name]", control bytes as '?' */
	bool dropped;  /* marked during a set update */

	/* ticker.c */
	PgConn *ticker;
	int tstate;
	double backoff; /* next reconnect delay after a loss */
	bool jobs_started;
	bool has_busy;		 /* pgq.ticker_busy(interval) exists */
	double full_tick_at; /* when pgq.ticker() last ran */

	/* maint.c */
	PgConn *maint;
	int mstate;
	MaintOp *ops;
	int nops;
	int op; /* index of the running operation */

	/* retry.c */
	PgConn *retry;
	int rstate;

	/* metrics.c: counters since start and the last queue snapshot */
	bool up; /* ticker connected, pgq found */
	long ticks_total;
	long maint_total;
	long retry_total;
	double metrics_at;		/* when the snapshot was taken */
	PGresult *queue_res;	/* get_queue_info() rows, or NULL */
	PGresult *consumer_res; /* get_consumer_info() rows, or NULL */
} Db;

/* What the metrics show of one database. */
typedef struct DbSnapshot
{
	const char *name;
	bool up;
	long ticks;
	long maint;
	long retry;
	PGresult *queues;
	PGresult *consumers;
} DbSnapshot;

struct Pgqd
{
	Loop *loop;
	PgqdConfig cfg;
	char *config_file;
	int verbose;
	bool quiet;
	Db *dbs;
	PgConn *discovery; /* NULL in list mode */
	Timer *stats_timer;
	struct SkyMetrics *metrics; /* the server, NULL when off */
	int metrics_port;
	long stat_ticks;
	long stat_maint;
	long stat_retry;
};

/* config.c */
extern bool pgqd_load_config(const char *file, PgqdConfig *cfg, char *err,
							 size_t errlen);
extern void pgqd_free_config(PgqdConfig *cfg);
extern const char *pgqd_sample_ini(void);
extern char *pgqd_connstr(const Pgqd *p, const char *dbname);

/* dbset.c */
extern void dbset_update(Pgqd *p);
extern void dbset_free(Pgqd *p);

/* metrics.c */
#define METRICS_REFRESH 5.0
#define METRICS_QUEUE_SQL                                                     \
	"select queue_name, extract(epoch from ticker_lag)::float8, ev_per_sec,"  \
	" ev_new, last_tick_id from pgq.get_queue_info()"
#define METRICS_CONSUMER_SQL                                                  \
	"select queue_name, consumer_name, extract(epoch from lag)::float8,"      \
	" pending_events from pgq.get_consumer_info()"
extern bool metrics_configure(Pgqd *p, char *err, size_t errlen);
extern void metrics_close(Pgqd *p);
struct evbuffer;
extern void metrics_render(struct evbuffer *out, const DbSnapshot *snaps,
						   int n);
extern double metrics_now(void);
extern int pgqd_check(Pgqd *p);

/* ticker.c, maint.c, retry.c */
extern void ticker_start(Db *db);
extern void maint_start(Db *db);
extern void retry_start(Db *db);
extern void db_jobs_free(Db *db);

#endif /* PGQD_H */
