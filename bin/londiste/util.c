/*-------------------------------------------------------------------------
 *
 * util.c
 *	  What Londiste's commands share: connections (never logging a
 *	  connect string), queries with parameters, the result codes of the
 *	  SQL API, table output in upstream's layout, names and globs.
 *
 * IDENTIFICATION
 *	  bin/londiste/util.c
 *
 *-------------------------------------------------------------------------
 */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "londiste.h"
#include "skytools/clock.h"
#include "skytools/log.h"
#include "skytools/pgutil.h"

/* First line of a libpq message, without the trailing newline. */
static const char *
first_line(const char *msg, char *buf, size_t len)
{
	snprintf(buf, len, "%s", msg ? msg : "");
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

/* Server notices (NOTICE, INFO...): to the log at debug level. */
static void
notice_to_log(void *arg, const char *msg)
{
	char buf[512];

	(void) arg;
	log_debug("server: %s", first_line(msg, buf, sizeof(buf)));
}

PGconn *
ld_connect(const char *conninfo, const char *what)
{
	PGconn *db = PQconnectdb(conninfo);
	char buf[512];

	if (PQstatus(db) != CONNECTION_OK)
	{
		log_error("cannot connect to %s: %s", what,
				  first_line(PQerrorMessage(db), buf, sizeof(buf)));
		PQfinish(db);
		return NULL;
	}
	PQsetNoticeProcessor(db, notice_to_log, NULL);
	{
		PGresult *r = PQexec(db, "set application_name = 'londiste'");

		PQclear(r);
	}
	return db;
}

PGconn *
ld_local(Ld *ld)
{
	if (ld->db == NULL)
		ld->db = ld_connect(ld->cfg.db, "the local database");
	return ld->db;
}

/*
 * A statement, its result or NULL (logged).  A statement of its own (not
 * inside a transaction block) that lost a deadlock or a serialization
 * conflict was rolled back whole: it is run again, up to three times
 * (add-table next to a busy worker, for one).
 */
PGresult *
ld_query(PGconn *db, const char *sql, int n, const char *const *params)
{
	PGresult *res = pg_exec_retry(db, sql, n, params);
	ExecStatusType st = PQresultStatus(res);
	char buf[1024];

	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK)
	{
		const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);

		log_error("%s", primary ? primary
								: first_line(PQresultErrorMessage(res), buf,
											 sizeof(buf)));
		PQclear(res);
		return NULL;
	}
	return res;
}

bool
ld_exec(PGconn *db, const char *sql, int n, const char *const *params)
{
	PGresult *res = ld_query(db, sql, n, params);

	PQclear(res);
	return res != NULL;
}

/*
 * A (ret_code, ret_note) result: the note logged at the level its code
 * says (2xx info, 3xx warning, 4xx and 5xx error); returns the code (500
 * when res is NULL).  Frees res.
 */
int
ld_ret(PGresult *res, const char *what)
{
	int code;
	const char *note;

	if (res == NULL)
		return 500;
	code = atoi(PQgetvalue(res, 0, 0));
	note = PQgetvalue(res, 0, 1);
	if (code >= 400)
		log_error("%s%s%s", what ? what : "", what ? ": " : "", note);
	else if (code >= 300)
		log_warning("%s", note);
	else
		log_info("%s", note);
	PQclear(res);
	return code;
}

/*
 * A result as upstream prints tables: header, dashes, left-aligned
 * columns at least 15 wide, a blank line after.
 */
void
ld_print_table(PGresult *res)
{
	int nf = PQnfields(res), nt = PQntuples(res), i, j;
	int *w = calloc(nf ? nf : 1, sizeof(int));

	for (j = 0; j < nf; j++)
	{
		w[j] = (int) strlen(PQfname(res, j));
		if (w[j] < 15)
			w[j] = 15;
		for (i = 0; i < nt; i++)
			if ((int) strlen(PQgetvalue(res, i, j)) > w[j])
				w[j] = (int) strlen(PQgetvalue(res, i, j));
	}
	for (j = 0; j < nf; j++)
		printf("%-*s%s", j < nf - 1 ? w[j] : 0, PQfname(res, j),
			   j < nf - 1 ? " " : "\n");
	for (j = 0; j < nf; j++)
	{
		int k;

		for (k = 0; k < w[j]; k++)
			putchar('-');
		putchar(j < nf - 1 ? ' ' : '\n');
	}
	for (i = 0; i < nt; i++)
		for (j = 0; j < nf; j++)
			printf("%-*s%s", j < nf - 1 ? w[j] : 0, PQgetvalue(res, i, j),
				   j < nf - 1 ? " " : "\n");
	putchar('\n');
	free(w);
}

/* schema.name: public. added when there is no dot.  malloc'd. */
char *
ld_fqname(const char *name)
{
	char *s;

	if (strchr(name, '.'))
		return strdup(name);
	s = malloc(strlen(name) + 8);
	if (s)
		sprintf(s, "public.%s", name);
	return s;
}

bool
ld_glob_match(const char *pattern, const char *name)
{
	return fnmatch(pattern, name, 0) == 0;
}

/* Whether name matches an item of a list "a, s.b*, ..." (globs; a name
 * without a schema is in public). */
static bool
list_matches(const char *list, const char *name)
{
	char *copy, *item, *save = NULL;
	bool hit = false;

	if (list == NULL)
		return false;
	copy = strdup(list);
	if (copy == NULL)
		return false;
	for (item = strtok_r(copy, ", \t", &save); item && !hit;
		 item = strtok_r(NULL, ", \t", &save))
	{
		char *fq = ld_fqname(item);

		hit = fq && ld_glob_match(fq, name);
		free(fq);
	}
	free(copy);
	return hit;
}

bool
ld_register_wanted(Ld *ld, const char *name, bool seq)
{
	const char *only =
		seq ? ld->cfg.register_only_seqs : ld->cfg.register_only_tables;
	const char *skip =
		seq ? ld->cfg.register_skip_seqs : ld->cfg.register_skip_tables;

	if (only && only[0] && !list_matches(only, name))
		return false;
	return !list_matches(skip, name);
}

char *
ld_join_connstr(const char *loc, const char *extra)
{
	char *s;

	if (extra == NULL || extra[0] == '\0')
		return strdup(loc);
	s = malloc(strlen(loc) + strlen(extra) + 2);
	if (s)
		sprintf(s, "%s %s", loc, extra);
	return s;
}

/*
 * Print what sql ($1 = the queue) returns on the local node, as a table
 * or, with names_only, its first column one value a line.  0, or 1 on
 * error.
 */
int
ld_show(Ld *ld, const char *sql, bool names_only)
{
	const char *p[1] = {ld->queue};
	PGresult *res;
	int i;

	if (ld_local(ld) == NULL)
		return 1;
	res = ld_query(ld->db, sql, 1, p);
	if (res == NULL)
		return 1;
	if (names_only)
		for (i = 0; i < PQntuples(res); i++)
			printf("%s\n", PQgetvalue(res, i, 0));
	else
		ld_print_table(res);
	PQclear(res);
	return 0;
}

/*
 * The queue's node on db (pgq_node.get_node_info, every column), or NULL
 * with the reason logged (prefixed by what) when it cannot be read or
 * the queue has no node there.  Free with PQclear.
 */
PGresult *
ld_node_info(PGconn *db, const char *queue, const char *what)
{
	const char *p[1] = {queue};
	PGresult *res =
		ld_query(db, "select * from pgq_node.get_node_info($1)", 1, p);

	if (res == NULL)
		return NULL;
	if (atoi(PQgetvalue(res, 0, 0)) != 100)
	{
		log_error("%s%s%s", what ? what : "", what ? ": " : "",
				  PQgetvalue(res, 0, 1));
		PQclear(res);
		return NULL;
	}
	return res;
}

/* The first row's value of a column, NULL when NULL or no such column. */
const char *
ld_field(PGresult *res, const char *col)
{
	int i = PQfnumber(res, col);

	return i < 0 || PQgetisnull(res, 0, i) ? NULL : PQgetvalue(res, 0, i);
}

/*
 * Wait until the worker consumer on db has acknowledged its latest
 * orders (pause, resume, new provider: uptodate), at most admin_timeout
 * seconds.  who names the node in messages, what the order.  False
 * (logged) on error or time-out.
 */
bool
ld_wait_ack(Ld *ld, PGconn *db, const char *who, const char *consumer,
			const char *what)
{
	const char *p[2] = {ld->queue, consumer};
	double start = sky_mono_secs();
	bool logged = false;

	for (;;)
	{
		PGresult *res = ld_query(db,
								 "select uptodate from "
								 "pgq_node.get_consumer_state($1, $2)",
								 2, p);
		bool up;

		if (res == NULL)
			return false;
		up = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
		PQclear(res);
		if (up)
			return true;
		if (sky_mono_secs() - start > ld->cfg.admin_timeout)
		{
			log_error("[%s] the worker %s did not acknowledge the %s within "
					  "%.0f s (admin_timeout): is it running?",
					  who, consumer, what, ld->cfg.admin_timeout);
			return false;
		}
		if (!logged)
			log_info("[%s] waiting for the worker %s to acknowledge the %s",
					 who, consumer, what);
		logged = true;
		usleep(200000);
	}
}

/*
 * The local node's provider's connect string (remote_extra_connstr
 * added), malloc'd.  NULL on a root (*root true, nothing logged) or on
 * error (logged).
 */
char *
ld_provider_connstr(Ld *ld, bool *root)
{
	PGresult *res;
	char *cs = NULL;

	*root = false;
	if (ld_local(ld) == NULL)
		return NULL;
	res = ld_node_info(ld->db, ld->queue, NULL);
	if (res == NULL)
		return NULL;
	if (strcmp(ld_field(res, "node_type"), "root") == 0 ||
		ld_field(res, "provider_location") == NULL)
		*root = true;
	else
		cs = ld_join_connstr(ld_field(res, "provider_location"),
							 ld->cfg.remote_extra_connstr);
	PQclear(res);
	return cs;
}

/* "only " before a table's name, or "" when it is partitioned (ONLY
 * would see none of its rows). */
const char *
ld_only(PGconn *db, const char *table)
{
	const char *p[1] = {table};
	PGresult *r = ld_query(
		db, "select londiste.find_rel_oid($1, 'p') is not null", 1, p);
	bool part = r && strcmp(PQgetvalue(r, 0, 0), "t") == 0;

	PQclear(r);
	return part ? "" : "only ";
}

/* The urldecoded value of key in table_attrs (malloc'd), or NULL. */
char *
ld_attr_value(const char *attrs, const char *key)
{
	size_t kl = strlen(key);
	const char *p = attrs;

	while (p && *p)
	{
		if (strncmp(p, key, kl) == 0 && p[kl] == '=')
		{
			const char *v = p + kl + 1;
			size_t n = strcspn(v, "&");
			char *out = malloc(n + 1), *o = out;
			size_t i;

			for (i = 0; i < n; i++)
			{
				if (v[i] == '+')
					*o++ = ' ';
				else if (v[i] == '%' && i + 2 < n + 1 && v[i + 1] && v[i + 2])
				{
					char hex[3] = {v[i + 1], v[i + 2], 0};

					*o++ = (char) strtol(hex, NULL, 16);
					i += 2;
				}
				else
					*o++ = v[i];
			}
			*o = '\0';
			return out;
		}
		p = strchr(p, '&');
		if (p)
			p++;
	}
	return NULL;
}

/* The columns= attribute (add-table --columns) as ",a,b," without
 * spaces, for lookups of ",name,"; NULL when the table has none. */
char *
ld_column_list(const char *attrs)
{
	char *keep = ld_attr_value(attrs, "columns");
	char *out;
	size_t k = 0;

	if (keep == NULL)
		return NULL;
	out = malloc(strlen(keep) + 3);
	out[k++] = ',';
	for (char *c = keep; *c; c++)
		if (*c != ' ')
			out[k++] = *c;
	out[k++] = ',';
	out[k] = '\0';
	free(keep);
	return out;
}

/*
 * Where a table's rows are to be read (copy with --find-copy-node,
 * compare, repair): from the provider up, the first node that has the
 * table local and stores it (not a handler without a table, such as
 * vtable).  Its connect string (malloc'd), with its node name; NULL with
 * a logged error when no node up to the root stores it.
 */
char *
ld_table_source(Ld *ld, const char *provider_cs, const char *table, char *node,
				size_t nodelen)
{
	char *cs = strdup(provider_cs);
	int hops;

	for (hops = 0; cs && hops < 64; hops++)
	{
		PGconn *db = ld_connect(cs, "a node up the cascade");
		const char *p[2] = {ld->queue, table};
		PGresult *t, *n;
		bool stores = false;
		char *up = NULL;

		if (db == NULL)
		{
			free(cs);
			return NULL;
		}
		t = ld_query(db,
					 "select coalesce(table_attrs, '') from "
					 "londiste.get_table_list($1) where table_name = $2 and "
					 "local",
					 2, p);
		n = ld_node_info(db, ld->queue, "a node up the cascade");
		if (t && PQntuples(t) == 1)
		{
			char *h = ld_attr_value(PQgetvalue(t, 0, 0), "handler");
			const LdhDef *d = NULL;

			if (h)
			{
				h[strcspn(h, "(")] = '\0';
				d = ld_handler_find(ld, h);
			}
			stores = d == NULL || !(d->flags & LDH_NO_TABLE);
			free(h);
		}
		if (n)
			snprintf(node, nodelen, "%s", ld_field(n, "node_name"));
		if (!stores && n && ld_field(n, "provider_location") &&
			strcmp(ld_field(n, "node_type"), "root") != 0)
			up = ld_join_connstr(ld_field(n, "provider_location"),
								 ld->cfg.remote_extra_connstr);
		PQclear(t);
		PQclear(n);
		PQfinish(db);
		if (stores)
			return cs;
		free(cs);
		cs = up;
		if (cs)
			log_info("%s is not stored on %s: looking further up", table,
					 node);
	}
	log_error("%s: no node up the cascade stores it", table);
	free(cs);
	return NULL;
}

/* Pause (or resume) worker on db, through pgq_node: the ret_code (what
 * names the call in a message on failure).  The worker acknowledges on
 * its next round: ld_wait_ack. */
int
ld_set_paused(Ld *ld, PGconn *db, const char *worker, bool pause,
			  const char *what)
{
	const char *p[3] = {ld->queue, worker, pause ? "t" : "f"};

	return ld_ret(ld_query(db,
						   "select * from pgq_node.set_consumer_paused($1, "
						   "$2, $3::boolean)",
						   3, p),
				  what);
}
