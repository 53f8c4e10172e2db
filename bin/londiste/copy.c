/*-------------------------------------------------------------------------
 *
 * copy.c
 *	  The initial copy of a table added on a subscriber, while the worker
 *	  goes on applying every other table: the copy process
 *	  (londiste INI copy TABLE, started by the worker) and the worker's
 *	  side of the handover.  Upstream's protocol and states, kept in
 *	  londiste.table_info so that any step survives a crash of either
 *	  process:
 *
 *	NULL		the worker drops the table's foreign keys (pending_fkeys),
 *				sets in-copy and starts a copy process
 *	in-copy		the copy process registers its own consumer on the
 *				provider (<consumer>.copy.<table>, at the queue's head),
 *				then in one transaction on the node: locks the table, drops
 *				its indexes and constraints, truncates it, COPYs the
 *				provider's rows under a REPEATABLE READ snapshot, builds the
 *				indexes again and stores catching-up with that snapshot.  A
 *				crash rolls all of it back and the copy starts over.
 *	catching-up	the copy process applies the table's events batch by batch
 *				(skipping transactions the snapshot saw: they are in the
 *				copy), each batch with its own position in pgq_node, until
 *				no batch is left: wanna-sync:<its tick>
 *	wanna-sync:T the worker, at a batch ending at S > T, sets do-sync:S and
 *				waits
 *	do-sync:S	the copy process applies its batches up to S (not the one
 *				ending at S), sets ok and leaves: the worker applies the
 *				batch ending at S and everything after.  Both read the same
 *				ticks one batch per tick, so no change is applied twice or
 *				missed.
 *	ok			the worker applies it; it forgets the snapshot once the
 *				provider's batches start after it, and restores the foreign
 *				keys when both of their tables are ok.
 *
 * At most parallel_copies tables are between in-copy and do-sync at once.
 * A copy process holds an advisory lock on the node while it lives; the
 * worker starts a new one for a table in those states whose lock is free
 * (the process was killed), and a second copy of one table refuses to
 * start.  Progress (rows, bytes, rate) goes to the log and the table's
 * row in status.
 *
 * IDENTIFICATION
 *	  bin/londiste/copy.c
 *
 *-------------------------------------------------------------------------
 */
#include <inttypes.h>
#include <signal.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "londiste.h"
#include "skytools/cascade.h"
#include "skytools/daemon.h"
#include "skytools/clock.h"
#include "skytools/log.h"
#include "skytools/pgutil.h"

#define LOCK_CLASS "hashtext('londiste.copy')"

/* The name of a table's copy consumer: <consumer>.copy.<table>. */
static void
copy_consumer_name(Ld *ld, const char *table, char *buf, size_t len)
{
	snprintf(buf, len, "%s.copy.%s", ld->cfg.consumer_name, table);
}

/* The node connection for state changes, outside the batch's transaction. */
static PGconn *
control(Ld *ld)
{
	if (ld->db && PQstatus(ld->db) != CONNECTION_OK)
	{
		PQfinish(ld->db);
		ld->db = NULL;
	}
	return ld_local(ld);
}

static bool
set_state(PGconn *db, Ld *ld, const char *table, const char *snap,
		  const char *state)
{
	const char *p[4] = {ld->queue, table, snap, state};

	return ld_ret(
			   ld_query(db,
						"select * from londiste.local_set_table_state($1, $2, "
						"$3, $4)",
						4, p),
			   NULL) < 300;
}

/* The copy processes this worker started: one may not hold its lock yet. */
#define MAX_SPAWNED 64
static struct
{
	char table[256];
	pid_t pid;
} spawned[MAX_SPAWNED];

static bool
spawned_alive(const char *table)
{
	int i;

	for (i = 0; i < MAX_SPAWNED; i++)
		if (spawned[i].pid > 0 && strcmp(spawned[i].table, table) == 0)
			return kill(spawned[i].pid, 0) == 0;
	return false;
}

static void
remember_spawn(const char *table, pid_t pid)
{
	int i, free_slot = -1;

	for (i = 0; i < MAX_SPAWNED; i++)
	{
		if (strcmp(spawned[i].table, table) == 0 || spawned[i].pid <= 0 ||
			kill(spawned[i].pid, 0) != 0)
		{
			free_slot = i;
			if (strcmp(spawned[i].table, table) == 0)
				break;
		}
	}
	if (free_slot >= 0)
	{
		snprintf(spawned[free_slot].table, sizeof(spawned[free_slot].table),
				 "%s", table);
		spawned[free_slot].pid = pid;
	}
}

/*
 * Whether a copy process of the table lives: one we started is still
 * there, or some process holds the table's advisory lock.
 */
static int
copy_alive(PGconn *db, Ld *ld, const char *table)
{
	const char *p[2] = {ld->queue, table};
	PGresult *res;

	if (spawned_alive(table))
		return 1;
	res = ld_query(
		db,
		"select exists (select 1 from pg_catalog.pg_locks where locktype = "
		"'advisory' and database = (select oid from pg_catalog.pg_database "
		"where datname = current_database()) and classid = " LOCK_CLASS
		"::oid and objid = hashtext($1 || '/' || $2)::oid and objsubid = 2)",
		2, p);
	int alive;

	if (res == NULL)
		return -1;
	alive = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	return alive;
}

/* Start "argv0 INI copy TABLE" with the worker's switches, not waited for. */
static void
spawn_copy(Ld *ld, const char *table)
{
	pid_t pid;
	char exe[4096];
	ssize_t n;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0)
		exe[n] = '\0';
	else
		snprintf(exe, sizeof(exe), "%s", ld->argv0);
	signal(SIGCHLD, SIG_IGN); /* no zombies: nobody waits for them */
	pid = fork();
	if (pid < 0)
	{
		log_error("cannot start the copy of %s: %m", table);
		return;
	}
	if (pid == 0)
	{
		const char *argv[64];
		int k = 0, i;

		argv[k++] = exe;
		argv[k++] = ld->ini_file;
		argv[k++] = "copy";
		argv[k++] = table;
		if (ld->opt.quiet)
			argv[k++] = "-q";
		for (i = 0; i < ld->opt.verbose && k < 40; i++)
			argv[k++] = "-v";
		for (i = 0; i < ld->nsets && k < 60; i++)
		{
			argv[k++] = "--set";
			argv[k++] = ld->sets[i];
		}
		argv[k] = NULL;
		signal(SIGCHLD, SIG_DFL);
		execv(exe, (char *const *) argv);
		_exit(127);
	}
	remember_spawn(table, pid);
	log_info("started the copy of %s (pid %d)", table, (int) pid);
}

/* Drop the table's foreign keys, one transaction each (pending_fkeys). */
static bool
drop_fkeys(PGconn *db, const char *dest)
{
	const char *p[1] = {dest};
	PGresult *res = ld_query(db,
							 "select from_table, fkey_name from "
							 "londiste.find_table_fkeys($1)",
							 1, p);
	int i;
	bool ok = true;

	if (res == NULL)
		return false;
	for (i = 0; i < PQntuples(res) && ok; i++)
	{
		const char *q[2] = {PQgetvalue(res, i, 0), PQgetvalue(res, i, 1)};

		log_info("dropping foreign key %s on %s for the copy", q[1], q[0]);
		ok = ld_exec(db, "select londiste.drop_table_fkey($1, $2)", 2, q);
	}
	PQclear(res);
	return ok;
}

/* Tick id of "wanna-sync:T" / "do-sync:S", or -1. */
static int64_t
state_tick(const char *state, const char *prefix)
{
	size_t n = strlen(prefix);

	if (strncmp(state, prefix, n) != 0)
		return -1;
	return strtoll(state + n, NULL, 10);
}

/*
 * The worker's part, at the start of each batch (its node transaction is
 * open; state changes go through the control connection so the copy
 * processes see them at once), and with b NULL between batches (copies
 * started or restarted, no handover).  0 go on and apply the batch, -1
 * fail it.
 */
int
copy_sync(Ld *ld, PgqConsumer *c, const PgqBatch *b)
{
	const char *p[1] = {ld->queue};
	PGconn *db;

	for (;;)
	{
		PGresult *res;
		int i, active = 0;
		bool wait = false, again = false;

		if (ld_stop_requested())
			return -1;
		db = control(ld);
		if (db == NULL)
			return -1;
		res = ld_query(db,
					   "select table_name, coalesce(merge_state, ''), "
					   "custom_snapshot, coalesce(dest_table, table_name) "
					   "from londiste.get_table_list($1) where local",
					   1, p);
		if (res == NULL)
			return -1;
		for (i = 0; i < PQntuples(res); i++)
		{
			const char *t = PQgetvalue(res, i, 0);
			const char *st = PQgetvalue(res, i, 1);
			int64_t tick;

			if (strcmp(st, "ok") == 0 || st[0] == '\0')
				continue;
			active++;
			if (st[0] && copy_alive(db, ld, t) == 0)
				spawn_copy(ld, t);
			if (b == NULL)
				continue; /* between batches: no handover */
			if (state_tick(st, "do-sync:") >= 0)
				wait = true;
			else if ((tick = state_tick(st, "wanna-sync:")) >= 0 &&
					 tick < b->tick_id)
			{
				char s[64];

				snprintf(s, sizeof(s), "do-sync:%" PRId64, b->tick_id);
				log_info("table %s: the copy caught up at tick %" PRId64
						 ", handing over at %" PRId64,
						 t, tick, b->tick_id);
				if (!set_state(db, ld, t,
							   PQgetisnull(res, i, 2) ? NULL
													  : PQgetvalue(res, i, 2),
							   s))
				{
					PQclear(res);
					return -1;
				}
				wait = true;
			}
		}
		/* new copies, while there is room */
		for (i = 0; i < PQntuples(res) && !wait; i++)
		{
			const char *t = PQgetvalue(res, i, 0);

			if (PQgetvalue(res, i, 1)[0] != '\0' ||
				active >= ld->cfg.parallel_copies)
				continue;
			if (!drop_fkeys(db, PQgetvalue(res, i, 3)) ||
				!set_state(db, ld, t, NULL, "in-copy"))
			{
				PQclear(res);
				return -1;
			}
			spawn_copy(ld, t);
			again = true;
			break;
		}
		PQclear(res);
		if (wait)
		{
			usleep(200000);
			continue;
		}
		if (!again)
			break;
	}

	if (b == NULL)
		return 0;

	/* snapshots no later batch can reach, and foreign keys to restore */
	{
		PGconn *prov = pgq_consumer_queue_conn(c);
		char prev[32];
		const char *q[2] = {ld->queue, prev};
		PGresult *res;

		snprintf(prev, sizeof(prev), "%" PRId64, b->prev_tick_id);
		res = ld_query(
			prov,
			"select txid_snapshot_xmin(t.tick_snapshot) from pgq.tick t "
			"join pgq.queue q on q.queue_id = t.tick_queue "
			"where q.queue_name = $1 and t.tick_id = $2::int8",
			2, q);
		if (res && PQntuples(res) == 1)
		{
			const char *r[2] = {ld->queue, PQgetvalue(res, 0, 0)};
			PGresult *done = ld_query(
				db,
				"select table_name from londiste.get_table_list($1) "
				"where local and merge_state = 'ok' and custom_snapshot is "
				"not null and "
				"txid_snapshot_xmax(custom_snapshot::txid_snapshot) "
				"<= $2::int8",
				2, r);
			int i;

			for (i = 0; done && i < PQntuples(done); i++)
				set_state(db, ld, PQgetvalue(done, i, 0), NULL, "ok");
			PQclear(done);
		}
		PQclear(res);
		res = ld_query(db,
					   "select from_table, fkey_name from "
					   "londiste.get_valid_pending_fkeys($1)",
					   1, p);
		for (int i = 0; res && i < PQntuples(res); i++)
		{
			const char *r[2] = {PQgetvalue(res, i, 0), PQgetvalue(res, i, 1)};

			log_info("restoring foreign key %s on %s", r[1], r[0]);
			ld_exec(db, "select londiste.restore_table_fkey($1, $2)", 2, r);
		}
		PQclear(res);
	}
	return 0;
}

/* ---- the copy process ---- */

typedef struct CopyJob
{
	Ld *ld;
	const char *table;
	char consumer[512];
	char *provider_db;
	char *source_db; /* where the rows are read: the provider, or the node
					  * copy_node names (? : the first up that stores it) */
	char provider_node[256];
	char *src_table; /* on the provider */
	char *dest;		 /* here */
	bool skip_truncate;
	char *condition; /* copy_condition, decoded */
	char *attrs;	 /* table_attrs: the handler */
	Applier *applier;
	int64_t stop_at; /* do-sync:S */
	bool handed_over;
} CopyJob;

/*
 * One line of COPY's text format into its fields, in place (the escapes
 * undone, \N as NULL): the number of fields, at most max.
 */
static int
copy_text_fields(char *line, int len, const char **vals, int max)
{
	char *r = line, *w = line, *end = line + len, *start = line;
	bool null = false;
	int n = 0;

	if (len > 0 && end[-1] == '\n')
		end--;
	for (;;)
	{
		if (r == start && r + 1 < end && r[0] == '\\' && r[1] == 'N' &&
			(r + 2 == end || r[2] == '\t'))
		{
			null = true;
			r += 2;
		}
		if (r == end || *r == '\t')
		{
			bool last = r == end;

			*w = '\0';
			if (n < max)
				vals[n] = null ? NULL : start;
			n++;
			if (last)
				break;
			r++;
			w = start = r;
			null = false;
			continue;
		}
		if (*r == '\\' && r + 1 < end)
		{
			int v = 0, k = 0;

			r++;
			switch (*r)
			{
				case 'b':
					*w++ = '\b';
					r++;
					break;
				case 'f':
					*w++ = '\f';
					r++;
					break;
				case 'n':
					*w++ = '\n';
					r++;
					break;
				case 'r':
					*w++ = '\r';
					r++;
					break;
				case 't':
					*w++ = '\t';
					r++;
					break;
				case 'v':
					*w++ = '\v';
					r++;
					break;
				case 'x':
					for (r++; k < 2 && r < end && isxdigit((unsigned char) *r);
						 k++, r++)
						v = v * 16 + (isdigit((unsigned char) *r)
										  ? *r - '0'
										  : (*r | 32) - 'a' + 10);
					*w++ = (char) v;
					break;
				default:
					if (*r >= '0' && *r <= '7')
					{
						for (; k < 3 && r < end && *r >= '0' && *r <= '7';
							 k++, r++)
							v = v * 8 + (*r - '0');
						*w++ = (char) v;
					}
					else
						*w++ = *r++;
			}
			continue;
		}
		*w++ = *r++;
	}
	return n;
}

/* Columns of a table present on both sides, quoted, comma-separated. */
static char *
common_columns(PGconn *src, const char *src_table, PGconn *dst,
			   const char *dest, const char *keep, char ***names, int *nnames)
{
	const char *sql = "select a.attname from pg_catalog.pg_attribute a "
					  "where a.attrelid = londiste.find_table_oid($1) and "
					  "a.attnum > 0 and not a.attisdropped and "
					  "a.attgenerated = '' order by a.attnum";
	const char *ps[1] = {src_table}, *pd[1] = {dest};
	PGresult *rs = ld_query(src, sql, 1, ps);
	PGresult *rd = ld_query(dst, sql, 1, pd);
	char *out = NULL;
	size_t len = 0;
	int i, j;

	if (rs && rd)
	{
		out = calloc(1, 1);
		for (i = 0; i < PQntuples(rs); i++)
		{
			bool both = false;
			char q[300];

			for (j = 0; j < PQntuples(rd); j++)
				if (strcmp(PQgetvalue(rs, i, 0), PQgetvalue(rd, j, 0)) == 0)
					both = true;
			if (both && keep)
			{
				/* a column list (--columns): the others are not copied */
				char *k = malloc(strlen(PQgetvalue(rs, i, 0)) + 3);

				sprintf(k, ",%s,", PQgetvalue(rs, i, 0));
				if (strstr(keep, k) == NULL)
				{
					free(k);
					continue;
				}
				free(k);
			}
			if (!both)
			{
				log_warning("column %s of %s is not on this node, not copied",
							PQgetvalue(rs, i, 0), src_table);
				continue;
			}
			pg_quote_ident(q, sizeof(q), PQgetvalue(rs, i, 0),
						   strlen(PQgetvalue(rs, i, 0)));
			*names = realloc(*names, (*nnames + 1) * sizeof(char *));
			(*names)[(*nnames)++] = strdup(PQgetvalue(rs, i, 0));
			out = realloc(out, len + strlen(q) + 3);
			len += sprintf(out + len, "%s%s", len ? ", " : "", q);
		}
		if (len == 0)
		{
			log_error("no column of %s is on both nodes", src_table);
			free(out);
			out = NULL;
		}
	}
	PQclear(rs);
	PQclear(rd);
	return out;
}

/*
 * The copy itself: one transaction on the node, one REPEATABLE READ
 * transaction on the provider.  True once catching-up is committed.
 */
static bool
do_copy(CopyJob *j)
{
	Ld *ld = j->ld;
	PGconn *src = NULL, *dst = NULL, *prov;
	PGresult *res = NULL, *ddl = NULL;
	char *cols = NULL, *snap = NULL, sql[8192], qdest[1024], qsrc[1024];
	char **names = NULL, *cond = NULL;
	int nnames = 0;
	LdhTable *h = NULL;
	Applier *ca = NULL;
	bool through = false, partitioned = false, merged = false;
	int64_t rows = 0, bytes = 0;
	double t0 = sky_mono_secs(), last_log = t0;
	bool ok = false;
	int i;

	/* the copy consumer, at the queue's head: before the snapshot */
	prov = ld_connect(j->provider_db, "the provider");
	if (prov == NULL)
		return false;
	{
		PGconn *db = control(ld);

		PQclear(PQexec(prov, "set client_min_messages = warning"));
		if (db == NULL ||
			cascade_register_plain(db, prov, ld->queue, j->consumer,
								   j->provider_node, true) >= 300)
		{
			log_error("registering the copy consumer failed");
			PQfinish(prov);
			return false;
		}
	}
	PQfinish(prov);

	src = ld_connect(j->source_db ? j->source_db : j->provider_db,
					 "the copy's source");
	dst = ld_connect(ld->cfg.db, "the local database");
	if (src == NULL || dst == NULL)
		goto out;
	pg_quote_fqident(qdest, sizeof(qdest), j->dest);
	pg_quote_fqident(qsrc, sizeof(qsrc), j->src_table);
	if (!ld_exec(src, "begin transaction isolation level repeatable read", 0,
				 NULL))
		goto out;
	res = ld_query(src, "select txid_current_snapshot()::text", 0, NULL);
	if (res == NULL)
		goto out;
	snap = strdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	res = NULL;

	if (!ld_exec(dst, "begin", 0, NULL) ||
		!ld_exec(
			dst,
			"select londiste.set_session_replication_role('replica', true)", 0,
			NULL) ||
		!drop_fkeys(dst, j->dest))
		goto out;
	snprintf(sql, sizeof(sql), "lock table %s in access exclusive mode",
			 qdest);
	if (!ld_exec(dst, sql, 0, NULL))
		goto out;
	{
		char *kl = ld_column_list(j->attrs);

		cols = common_columns(src, j->src_table, dst, j->dest, kl, &names,
							  &nnames);
		free(kl);
	}
	if (cols == NULL)
		goto out;
	/* the table's handler: a condition of its own, or rows through it */
	{
		char err[512];

		h = ld_handler_open(ld, j->table, j->dest, j->attrs, err, sizeof(err));
		if (h == NULL && err[0])
		{
			log_error("table %s: %s", j->table, err);
			goto out;
		}
		if (h && h->def->copy_condition)
		{
			char *c = h->def->copy_condition(h, dst);

			if (c == NULL)
				goto out;
			if (j->condition)
			{
				char *both = malloc(strlen(c) + strlen(j->condition) + 16);

				sprintf(both, "(%s) and (%s)", j->condition, c);
				free(c);
				c = both;
			}
			free(cond);
			cond = c;
		}
		else if (j->condition)
			cond = strdup(j->condition);
		through = h && (h->def->flags & LDH_COPY_ROWS);
	}
	{
		partitioned = ld_only(dst, j->dest)[0] == '\0';
	}
	{
		/* a merge leaf (fan-in): the table holds the other partitions'
		 * rows too; its copy neither truncates it nor drops its indexes
		 * (the copies take turns on the table's lock) */
		const char *p[1] = {ld->queue};
		PGresult *k = ld_query(dst,
							   "select combined_queue is not null from "
							   "pgq_node.get_node_info($1)",
							   1, p);

		if (k == NULL)
			goto out;
		merged = strcmp(PQgetvalue(k, 0, 0), "t") == 0;
		PQclear(k);
		if (merged)
			log_info("copy %s: merged from several partitions: adding this "
					 "one's rows",
					 j->table);
	}

	/* indexes and constraints go for the copy and come back after it
	 * (not of a partitioned table, nor when rows go through a handler) */
	{
		const char *p[1] = {qdest};

		ddl = ld_query(
			dst,
			partitioned || through || merged
				? "select 1 where $1::text is null"
				: "select 'alter table only ' || $1::regclass::text || ' drop "
				  "constraint ' || quote_ident(conname), 'alter table only ' "
				  "|| "
				  "$1::regclass::text || ' add constraint ' || "
				  "quote_ident(conname) "
				  "|| ' ' || pg_get_constraintdef(oid) from "
				  "pg_catalog.pg_constraint "
				  "where conrelid = $1::regclass and contype in ('p', 'u', "
				  "'x') "
				  "union all select 'drop index ' || "
				  "i.indexrelid::regclass::text, "
				  "pg_get_indexdef(i.indexrelid) from pg_catalog.pg_index i "
				  "where "
				  "i.indrelid = $1::regclass and not exists (select 1 from "
				  "pg_catalog.pg_constraint c where c.conindid = "
				  "i.indexrelid)",
			1, p);
	}
	if (ddl == NULL)
		goto out;
	for (i = 0; i < PQntuples(ddl); i++)
		if (!ld_exec(dst, PQgetvalue(ddl, i, 0), 0, NULL))
			goto out;
	if (!j->skip_truncate && !merged)
	{
		snprintf(sql, sizeof(sql), "truncate %s%s",
				 partitioned || through ? "" : "only ", qdest);
		if (!ld_exec(dst, sql, 0, NULL))
			goto out;
	}

	/* COPY source TO STDOUT | COPY dest FROM STDIN */
	snprintf(sql, sizeof(sql), "copy (select %s from %s%s%s%s) to stdout",
			 cols, ld_only(src, j->src_table), qsrc, cond ? " where " : "",
			 cond ? cond : "");
	res = PQexec(src, sql);
	if (PQresultStatus(res) != PGRES_COPY_OUT)
	{
		log_error("copy from the provider: %s", PQresultErrorMessage(res));
		goto out;
	}
	PQclear(res);
	res = NULL;
	if (through)
	{
		ca = applier_new(ld, j->table);
		if (!applier_copy_start(ca, dst))
			goto out;
	}
	else
	{
		snprintf(sql, sizeof(sql), "copy %s (%s) from stdin", qdest, cols);
		res = PQexec(dst, sql);
		if (PQresultStatus(res) != PGRES_COPY_IN)
		{
			log_error("copy into %s: %s", j->dest, PQresultErrorMessage(res));
			goto out;
		}
		PQclear(res);
		res = NULL;
	}
	for (;;)
	{
		char *buf;
		int n = PQgetCopyData(src, &buf, 0);

		if (n == -1)
			break;
		if (n < 0)
		{
			log_error("copy from the provider: %s", PQerrorMessage(src));
			if (!through)
				PQputCopyEnd(dst, "source failed");
			goto out;
		}
		if (through)
		{
			const char **vals = calloc(nnames + 1, sizeof(char *));
			int got = copy_text_fields(buf, n, vals, nnames);
			int rc = got == nnames
						 ? applier_copy_row(ca, dst, nnames,
											(const char *const *) names, vals)
						 : -1;

			if (got != nnames)
				log_error("copy of %s: a row of %d columns, expected %d",
						  j->table, got, nnames);
			free(vals);
			PQfreemem(buf);
			if (rc < 0)
				goto out;
		}
		else if (PQputCopyData(dst, buf, n) != 1)
		{
			log_error("copy into %s: %s", j->dest, PQerrorMessage(dst));
			PQfreemem(buf);
			goto out;
		}
		else
			PQfreemem(buf);
		rows++;
		bytes += n;
		if (sky_mono_secs() - last_log >= 10)
		{
			double el = sky_mono_secs() - t0;

			log_info("copy %s: %" PRId64 " rows, %" PRId64
					 " bytes, %.0f rows/s",
					 j->table, rows, bytes, el > 0 ? rows / el : 0);
			last_log = sky_mono_secs();
		}
	}
	res = PQgetResult(src);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
	{
		log_error("copy from the provider: %s", PQresultErrorMessage(res));
		if (!through)
			PQputCopyEnd(dst, "source failed");
		goto out;
	}
	PQclear(res);
	res = NULL;
	if (through)
	{
		if (applier_flush(ca, dst) < 0)
			goto out;
	}
	else
	{
		if (PQputCopyEnd(dst, NULL) != 1)
			goto out;
		res = PQgetResult(dst);
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
		{
			log_error("copy into %s: %s", j->dest, PQresultErrorMessage(res));
			goto out;
		}
	}
	PQclear(res);
	res = NULL;
	ld_exec(src, "commit", 0, NULL);

	for (i = 0; i < PQntuples(ddl); i++)
		if (!ld_exec(dst, PQgetvalue(ddl, i, 1), 0, NULL))
			goto out;
	if (!set_state(dst, ld, j->table, snap, "catching-up") ||
		!ld_exec(dst, "commit", 0, NULL))
		goto out;
	{
		double el = sky_mono_secs() - t0;

		log_info("copy %s done: %" PRId64 " rows, %" PRId64
				 " bytes in %.1f s (%.0f rows/s), catching up",
				 j->table, rows, bytes, el, el > 0 ? rows / el : 0);
	}
	{
		const char *p[1] = {ld->queue};

		PQclear(ld_query(src, "select pgq.force_tick($1)", 1, p));
	}
	ok = true;
out:
	PQclear(res);
	PQclear(ddl);
	free(cols);
	free(snap);
	free(cond);
	for (i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	ld_handler_close(h);
	applier_free(ca);
	if (src)
		PQfinish(src);
	if (dst)
		PQfinish(dst);
	return ok;
}

static int
copy_on_event(PgqConsumer *c, const PgqEvent *ev, void *arg)
{
	CopyJob *j = arg;

	/* the worker applies registry changes and EXECUTE, not the copy */
	if (ev->type && (strncmp(ev->type, "londiste.", 9) == 0 ||
					 strcmp(ev->type, "EXECUTE") == 0 ||
					 strncmp(ev->type, "pgq.", 4) == 0))
		return 0;
	if (applier_event(j->applier, pgq_consumer_target_conn(c), ev) < 0)
	{
		applier_flush(j->applier, pgq_consumer_target_conn(c));
		return -1;
	}
	return 0;
}

static int
copy_before_sync(PGconn *node, void *arg)
{
	CopyJob *j = arg;

	return applier_flush(j->applier, node);
}

static int
copy_batch_start(PGconn *node, const PgqBatch *b, void *arg)
{
	CopyJob *j = arg;

	applier_begin_batch(j->applier, node, b);
	if (j->stop_at >= 0 && b->tick_id >= j->stop_at)
	{
		if (b->tick_id > j->stop_at)
		{
			log_error("table %s: invalid state: batch ends at %" PRId64
					  " past the handover tick %" PRId64,
					  j->table, b->tick_id, j->stop_at);
			return -1;
		}
		/* the batch ending at S is the worker's: hand over, apply nothing */
		j->handed_over = true;
		return -1;
	}
	return 0;
}

/* After a failed batch: wait, 1 s doubling to 30 s while failures last. */
static void
backoff_sleep(double *secs)
{
	log_info("copy: retrying in %.0f s", *secs);
	for (double left = *secs; left > 0 && !ld_stop_requested(); left -= 0.1)
		usleep(100000);
	*secs = *secs * 2 > 30 ? 30 : *secs * 2;
}

/* The table's state here: malloc'd, "" for NULL; NULL when not local. */
static char *
read_state(Ld *ld, const char *table, char **snap)
{
	const char *p[2] = {ld->queue, table};
	PGconn *db = control(ld);
	PGresult *res;
	char *st = NULL;

	if (db == NULL)
		return NULL;
	res =
		ld_query(db,
				 "select coalesce(merge_state, ''), custom_snapshot from "
				 "londiste.get_table_list($1) where table_name = $2 and local",
				 2, p);
	if (res && PQntuples(res) == 1)
	{
		st = strdup(PQgetvalue(res, 0, 0));
		if (snap)
			*snap =
				PQgetisnull(res, 0, 1) ? NULL : strdup(PQgetvalue(res, 0, 1));
	}
	PQclear(res);
	return st;
}

/*
 * Ask the provider for a tick soon (pgq.force_tick; a root only): the
 * next step of the handover waits for a batch, which on a quiet queue
 * would otherwise wait for an idle tick.
 */
static void
nudge_ticker(CopyJob *j)
{
	const char *p[1] = {j->ld->queue};
	PGconn *prov = ld_connect(j->provider_db, "the provider");

	if (prov)
	{
		PQclear(ld_query(prov, "select pgq.force_tick($1)", 1, p));
		PQfinish(prov);
	}
}

static void
unregister_copy(CopyJob *j)
{
	const char *p[2] = {j->ld->queue, j->consumer};
	PGconn *prov = ld_connect(j->provider_db, "the provider");

	if (control(j->ld))
		cascade_unregister_plain(j->ld->db, prov, j->ld->queue, j->consumer);
	else if (prov)
		PQclear(
			ld_query(prov, "select pgq.unregister_consumer($1, $2)", 2, p));
	PQfinish(prov);
}

int
cmd_copy(Ld *ld)
{
	CopyJob j;
	char *table;
	const char *p[2];
	PGresult *res;
	CascadeOpts co = {0};
	Cascade *cw = NULL;
	int rc = 1;
	char err[512];
	double backoff = 1;

	ld_catch_stop(NULL);
	if (ld->nargs != 1)
	{
		log_error("copy takes one table");
		return 1;
	}
	memset(&j, 0, sizeof(j));
	table = ld_fqname(ld->args[0]);
	j.ld = ld;
	j.table = table;
	j.stop_at = -1;
	copy_consumer_name(ld, table, j.consumer, sizeof(j.consumer));
	if (ld->cfg.pidfile)
	{
		char path[4096];
		bool stale;

		snprintf(path, sizeof(path), "%s.copy.%s", ld->cfg.pidfile, table);
		if (!pidfile_claim(path, &stale, err, sizeof(err)))
		{
			log_error("%s", err);
			return 1;
		}
	}
	if (control(ld) == NULL)
		return 1;
	/* one copy per table: the lock lives as long as this process */
	p[0] = ld->queue;
	p[1] = table;
	res = ld_query(ld->db,
				   "select pg_try_advisory_lock(" LOCK_CLASS
				   ", hashtext($1 || '/' || $2))",
				   2, p);
	if (res == NULL)
		return 1;
	if (strcmp(PQgetvalue(res, 0, 0), "t") != 0)
	{
		log_info("a copy of %s is running already", table);
		PQclear(res);
		return 0;
	}
	PQclear(res);

	/* where to copy from: the provider, and the table's name there */
	res = ld_query(
		ld->db,
		"select n.provider_node, n.provider_location, "
		"coalesce(t.dest_table, t.table_name), t.table_attrs "
		"from pgq_node.get_node_info($1) n, londiste.get_table_list($1) t "
		"where t.table_name = $2 and t.local",
		2, p);
	if (res == NULL)
		return 1;
	if (PQntuples(res) != 1)
	{
		log_error("table %s is not attached here", table);
		PQclear(res);
		return 1;
	}
	snprintf(j.provider_node, sizeof(j.provider_node), "%s",
			 PQgetvalue(res, 0, 0));
	j.provider_db =
		ld_join_connstr(PQgetvalue(res, 0, 1), ld->cfg.remote_extra_connstr);
	j.dest = strdup(PQgetvalue(res, 0, 2));
	j.skip_truncate = strstr(PQgetvalue(res, 0, 3), "skip_truncate=1") != NULL;
	j.condition = ld_attr_value(PQgetvalue(res, 0, 3), "copy_condition");
	j.attrs = strdup(PQgetvalue(res, 0, 3));
	PQclear(res);
	{
		/* --copy-node=NODE, --find-copy-node (copy_node=?) */
		char *cn = ld_attr_value(j.attrs, "copy_node");

		if (cn && strcmp(cn, "?") == 0)
		{
			char node[256];

			j.source_db =
				ld_table_source(ld, j.provider_db, table, node, sizeof(node));
			if (j.source_db == NULL)
			{
				free(cn);
				goto out;
			}
			log_info("copy %s from node %s", table, node);
		}
		else if (cn)
		{
			const char *lp[2] = {ld->queue, cn};
			PGresult *l = ld_query(ld->db,
								   "select node_location from "
								   "pgq_node.get_queue_locations($1) where "
								   "node_name = $2",
								   2, lp);

			if (l == NULL || PQntuples(l) != 1)
			{
				log_error("copy %s: copy_node %s is not a member of the queue",
						  table, cn);
				PQclear(l);
				free(cn);
				goto out;
			}
			j.source_db = ld_join_connstr(PQgetvalue(l, 0, 0),
										  ld->cfg.remote_extra_connstr);
			PQclear(l);
		}
		free(cn);
	}
	/*
	 * The provider's table, once it is in sync there: a branch still
	 * copying it has no rows (or not all) to give yet.
	 */
	for (bool logged = false;; logged = true)
	{
		PGconn *prov = ld_connect(j.provider_db, "the provider");
		bool in_sync;

		if (prov == NULL)
			goto out;
		res =
			ld_query(prov,
					 "select coalesce(dest_table, table_name), merge_state "
					 "from londiste.get_table_list($1) where table_name = $2 "
					 "and local",
					 2, p);
		PQfinish(prov);
		if (res == NULL)
			goto out;
		if (PQntuples(res) != 1)
		{
			log_error("table %s is not on the provider", table);
			PQclear(res);
			goto out;
		}
		in_sync = strcmp(PQgetvalue(res, 0, 1), "ok") == 0;
		if (in_sync)
			j.src_table = strdup(PQgetvalue(res, 0, 0));
		PQclear(res);
		if (in_sync)
			break;
		if (!logged)
			log_info("table %s is not in sync on the provider %s yet: "
					 "waiting for it",
					 table, j.provider_node);
		if (ld_stop_requested())
			goto out;
		sleep(1);
	}

	for (;;)
	{
		char *st, *snap = NULL;

		if (ld_stop_requested())
			break;
		st = read_state(ld, table, &snap);
		free(snap);
		if (st == NULL)
		{
			log_warning("table %s is no longer attached: copy stops", table);
			unregister_copy(&j);
			break;
		}
		if (st[0] == '\0' || strcmp(st, "in-copy") == 0)
		{
			bool fresh = st[0] == '\0';

			free(st);
			/* made in-copy by the worker first; do it ourselves if not */
			if (fresh && !set_state(ld->db, ld, table, NULL, "in-copy"))
				goto out;
			if (!do_copy(&j))
				goto out;
			continue;
		}
		if (strcmp(st, "ok") == 0)
		{
			free(st);
			unregister_copy(&j);
			rc = 0;
			break;
		}
		if (cw == NULL)
		{
			j.applier = applier_new(ld, table);
			co.node_db = ld->cfg.db;
			co.queue_name = ld->queue;
			co.worker_name = j.consumer;
			co.plain = true;
			co.extra_connstr = ld->cfg.remote_extra_connstr;
			co.begin_sql =
				"select londiste.set_session_replication_role('replica', "
				"true)";
			co.fetch_size =
				ld->cfg.pgq_lazy_fetch > 0 ? ld->cfg.pgq_lazy_fetch : 300;
			co.loop_delay = ld->cfg.loop_delay;
			co.on_event = copy_on_event;
			co.arg = &j;
			co.batch_start = copy_batch_start;
			co.before_sync = copy_before_sync;
			cw = cascade_new(&co);
			if (cw == NULL)
			{
				free(st);
				goto out;
			}
		}
		if (strcmp(st, "catching-up") == 0)
		{
			int r = pgq_consumer_run_once(cascade_consumer(cw));

			if (r == 0)
			{
				/* caught up: ask the worker for the handover */
				const char *q[2] = {ld->queue, j.consumer};
				PGresult *cr = ld_query(ld->db,
										"select completed_tick from "
										"pgq_node.get_consumer_state($1, $2)",
										2, q);

				if (cr)
				{
					char s[64], *snap2 = NULL;
					char *st2 = read_state(ld, table, &snap2);

					snprintf(s, sizeof(s), "wanna-sync:%s",
							 PQgetvalue(cr, 0, 0));
					if (st2 && strcmp(st2, "catching-up") == 0)
					{
						log_info("table %s caught up, asking for the handover",
								 table);
						if (set_state(ld->db, ld, table, snap2, s))
							nudge_ticker(&j);
					}
					free(st2);
					free(snap2);
					PQclear(cr);
				}
			}
			else if (r < 0)
				backoff_sleep(&backoff);
			else
				backoff = 1;
		}
		else if (state_tick(st, "wanna-sync:") >= 0)
			usleep((useconds_t) (ld->cfg.loop_delay * 1e6));
		else if ((j.stop_at = state_tick(st, "do-sync:")) >= 0)
		{
			const char *q[2] = {ld->queue, j.consumer};
			PGresult *cr = ld_query(ld->db,
									"select completed_tick from "
									"pgq_node.get_consumer_state($1, $2)",
									2, q);
			int64_t done = cr ? strtoll(PQgetvalue(cr, 0, 0), NULL, 10) : -1;

			PQclear(cr);
			if (done >= j.stop_at)
				j.handed_over = true;
			else
			{
				int r = pgq_consumer_run_once(cascade_consumer(cw));

				if (r == 0)
					usleep((useconds_t) (ld->cfg.loop_delay * 1e6));
				else if (r < 0 && !j.handed_over)
					backoff_sleep(&backoff);
				else
					backoff = 1;
			}
			if (j.handed_over)
			{
				char *snap3 = NULL;
				char *st3 = read_state(ld, table, &snap3);

				if (st3 && state_tick(st3, "do-sync:") == j.stop_at)
				{
					log_info("table %s in sync at tick %" PRId64
							 ", the worker takes it over",
							 table, j.stop_at);
					set_state(ld->db, ld, table, snap3, "ok");
				}
				free(st3);
				free(snap3);
				unregister_copy(&j);
				rc = 0;
				free(st);
				break;
			}
		}
		else
		{
			log_error("table %s: unexpected state %s", table, st);
			free(st);
			goto out;
		}
		free(st);
	}
	if (ld_stop_requested())
		rc = 0;
out:
	cascade_free(cw);
	applier_free(j.applier);
	free(j.provider_db);
	free(j.source_db);
	free(j.src_table);
	free(j.dest);
	free(j.condition);
	free(j.attrs);
	free(table);
	return rc;
}
