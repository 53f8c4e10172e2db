/*-------------------------------------------------------------------------
 *
 * commands.c
 *	  What qadmin's commands do: each is one or a few calls of PgQ's,
 *	  pgq_coop's, pgq_node's or Londiste's SQL functions, values always
 *	  as parameters.  A command that is not qadmin's goes to the server as
 *	  written (its whitespace and comments kept).
 *
 * IDENTIFICATION
 *	  bin/qadmin/commands.c
 *
 *-------------------------------------------------------------------------
 */
#include "qadmin.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "skytools/pgutil.h"

void
qa_error(Qadmin *qa, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	qa->errors++;
}

static void
tag(Qadmin *qa, const char *t)
{
	if (!qa->quiet)
		printf("%s\n", t);
}

PGresult *
qa_exec(Qadmin *qa, const char *sql, int nparams, const char *const *params)
{
	PGresult *res;
	ExecStatusType st;

	if (qa->db == NULL)
	{
		qa_error(qa, "ERROR: not connected");
		return NULL;
	}
	res = PQexecParams(qa->db, sql, nparams, NULL, params, NULL, NULL, 0);
	st = PQresultStatus(res);
	if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
		return res;
	{
		const char *m = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);

		if (m == NULL)
			m = PQerrorMessage(qa->db);
		qa_error(qa, "ERROR: %.*s", (int) strcspn(m, "\n"), m);
	}
	PQclear(res);
	return NULL;
}

/* a one-value query's value (malloc'd), NULL on error or no row */
static char *
value1(Qadmin *qa, const char *sql, int nparams, const char *const *params)
{
	PGresult *res = qa_exec(qa, sql, nparams, params);
	char *v = NULL;

	if (res && PQntuples(res) > 0 && !PQgetisnull(res, 0, 0))
		v = strdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	return v;
}

static bool
exec_ok(Qadmin *qa, const char *sql, int nparams, const char *const *params)
{
	PGresult *res = qa_exec(qa, sql, nparams, params);

	PQclear(res);
	return res != NULL;
}

/* the schema is there (quietly false on any error: completion asks too) */
bool
qa_has_schema(Qadmin *qa, const char *schema)
{
	const char *p[1] = {schema};
	PGresult *res;
	bool has;

	if (qa->db == NULL)
		return false;
	res = PQexecParams(qa->db, "select 1 from pg_namespace where nspname = $1",
					   1, NULL, p, NULL, NULL, 0);
	has = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) > 0;
	PQclear(res);
	return has;
}

bool
qa_connect(Qadmin *qa, const char *connstr, bool verbose)
{
	PGconn *db = PQconnectdb(connstr);

	if (PQstatus(db) != CONNECTION_OK)
	{
		const char *m = PQerrorMessage(db);

		qa_error(qa, "%.*s", (int) strcspn(m, "\n"), m);
		PQfinish(db);
		return false;
	}
	if (qa->db)
		PQfinish(qa->db);
	qa->db = db;
	snprintf(qa->dbname, sizeof(qa->dbname), "%s", PQdb(db));
	qa->server_version = PQserverVersion(db);
	snprintf(qa->pgq_version, sizeof(qa->pgq_version), "<none>");
	if (qa_has_schema(qa, "pgq"))
	{
		char *v = value1(qa, "select pgq.version()", 0, NULL);

		if (v)
			snprintf(qa->pgq_version, sizeof(qa->pgq_version), "%s", v);
		free(v);
	}
	qa_invalidate_cache();
	if (verbose)
		qa_banner(qa);
	return true;
}

void
qa_banner(Qadmin *qa)
{
	if (!qa->interactive)
		return;
	printf("qadmin (skytools in C) %s, server %s, pgq %s\n"
		   "Type \"show help;\" for help.\n",
		   QADMIN_VERSION, PQparameterStatus(qa->db, "server_version"),
		   qa->pgq_version);
}

/* the queue a command works on: given, else the default one */
static const char *
queue_of(Qadmin *qa, const Cmd *cmd, const char *key)
{
	const char *q = qa_cmd_value(cmd, key);

	if (q == NULL)
		q = qa->queue;
	if (q == NULL)
		qa_error(qa, "No queue specified");
	return q;
}

static bool
queue_exists(Qadmin *qa, const char *q)
{
	const char *p[1] = {q};
	char *v = value1(qa,
					 "select count(*) from pgq.get_queue_info() where "
					 "queue_name = $1",
					 1, p);
	bool e = v && strcmp(v, "0") != 0;

	free(v);
	return e;
}

/* ---- connect ---- */

static void
conn_add(char *dst, size_t len, const char *key, const char *val)
{
	size_t n = strlen(dst);

	if (val == NULL || n + strlen(key) + 4 >= len)
		return;
	snprintf(dst + n, len - n, "%s%s=", n ? " " : "", key);
	pg_conninfo_value(dst, len, val);
}

static int
cmd_connect(Qadmin *qa, Cmd *cmd)
{
	static const char *const keys[] = {"dbname", "host",	 "port",
									   "user",	 "password", NULL};
	const char *queue = qa_cmd_value(cmd, "queue");
	const char *node = qa_cmd_value(cmd, "node");
	char conn[4096] = "";
	bool raw = false;
	int i;

	for (i = 0; keys[i]; i++)
		if (qa_cmd_value(cmd, keys[i]))
			raw = true;
	if (node && raw)
	{
		qa_error(qa, "connect: node= cannot be combined with connection "
					 "keys");
		return 1;
	}
	if (node)
	{
		const char *q = queue ? queue : qa->queue;
		const char *p[2] = {q, node};
		char *loc;

		if (q == NULL)
		{
			qa_error(qa, "connect: node= needs a queue (queue= or the "
						 "default queue)");
			return 1;
		}
		loc = value1(qa,
					 "select node_location from "
					 "pgq_node.get_queue_locations($1) where node_name = $2",
					 2, p);
		if (loc == NULL)
		{
			qa_error(qa, "node not found");
			return 1;
		}
		snprintf(conn, sizeof(conn), "%s", loc);
		free(loc);
	}
	else if (raw)
	{
		/* what is not given stays as it is now */
		if (qa->db)
		{
			conn_add(conn, sizeof(conn), "host",
					 qa_cmd_value(cmd, "host") ? qa_cmd_value(cmd, "host")
											   : PQhost(qa->db));
			conn_add(conn, sizeof(conn), "port",
					 qa_cmd_value(cmd, "port") ? qa_cmd_value(cmd, "port")
											   : PQport(qa->db));
			conn_add(conn, sizeof(conn), "user",
					 qa_cmd_value(cmd, "user") ? qa_cmd_value(cmd, "user")
											   : PQuser(qa->db));
			conn_add(conn, sizeof(conn), "dbname",
					 qa_cmd_value(cmd, "dbname") ? qa_cmd_value(cmd, "dbname")
												 : PQdb(qa->db));
		}
		else
			for (i = 0; keys[i] && i < 4; i++)
				conn_add(conn, sizeof(conn), keys[i],
						 qa_cmd_value(cmd, keys[i]));
		conn_add(conn, sizeof(conn), "password",
				 qa_cmd_value(cmd, "password"));
	}
	if ((node || raw) && !qa_connect(qa, conn, true))
		return 1;
	if (queue)
	{
		if (!queue_exists(qa, queue))
		{
			qa_error(qa, "queue not found");
			return 1;
		}
		free(qa->queue);
		qa->queue = strdup(queue);
	}
	tag(qa, "CONNECT");
	return 0;
}

/* ---- install ---- */

static int
cmd_install(Qadmin *qa, Cmd *cmd)
{
	static const char *const pgq[] = {"pgq", "pgq_ext", "pgq_node", "pgq_coop",
									  NULL};
	bool londiste = strcmp(qa_cmd_value(cmd, "what"), "londiste") == 0;
	int i;

	for (i = 0; pgq[i]; i++)
	{
		char sql[128];

		snprintf(sql, sizeof(sql), "create extension if not exists %s",
				 pgq[i]);
		if (!exec_ok(qa, sql, 0, NULL))
			return 1;
	}
	if (londiste &&
		!exec_ok(qa, "create extension if not exists londiste", 0, NULL))
		return 1;
	{
		char *v = value1(qa, "select pgq.version()", 0, NULL);

		if (v)
			snprintf(qa->pgq_version, sizeof(qa->pgq_version), "%s", v);
		free(v);
	}
	tag(qa, "INSTALL");
	return 0;
}

/* ---- queues ---- */

static int
cmd_create_queue(Qadmin *qa, Cmd *cmd)
{
	const char *q = qa_cmd_value(cmd, "queue");
	const char *p[1] = {q};

	if (queue_exists(qa, q))
	{
		qa_error(qa, "Queue already exists");
		return 1;
	}
	if (!exec_ok(qa, "select pgq.create_queue($1)", 1, p))
		return 1;
	tag(qa, "CREATE");
	return 0;
}

static int
cmd_drop_queue(Qadmin *qa, Cmd *cmd)
{
	const char *p[1] = {qa_cmd_value(cmd, "queue")};

	if (!exec_ok(qa, "select pgq.drop_queue($1)", 1, p))
		return 1;
	tag(qa, "DROP");
	return 0;
}

static int
cmd_alter_queue(Qadmin *qa, Cmd *cmd)
{
	static const char *const map[][2] = {
		{"idle_period", "ticker_idle_period"},
		{"max_count", "ticker_max_count"},
		{"max_lag", "ticker_max_lag"},
		{"paused", "ticker_paused"},
		{"rotation_period", "rotation_period"},
		{"external_ticker", "external_ticker"},
	};
	const char *q = qa_cmd_value(cmd, "queue");
	PGresult *queues;
	int i, k, j;

	queues = qa_exec(qa,
					 strcmp(q, "*") == 0
						 ? "select queue_name from pgq.get_queue_info() "
						   "order by 1"
						 : "select queue_name from pgq.get_queue_info() "
						   "where queue_name = $1",
					 strcmp(q, "*") == 0 ? 0 : 1, &q);
	if (queues == NULL)
		return 1;
	if (PQntuples(queues) == 0)
	{
		PQclear(queues);
		qa_error(qa, "queue not found");
		return 1;
	}
	exec_ok(qa, "begin", 0, NULL);
	for (j = 0; j < PQntuples(queues); j++)
		for (i = 0; i < cmd->nvals; i++)
			for (k = 0; k < 6; k++)
			{
				const char *p[3];

				if (strcmp(cmd->key[i], map[k][0]) != 0)
					continue;
				p[0] = PQgetvalue(queues, j, 0);
				p[1] = map[k][1];
				p[2] = cmd->val[i];
				if (!exec_ok(qa, "select pgq.set_queue_config($1, $2, $3)", 3,
							 p))
				{
					exec_ok(qa, "rollback", 0, NULL);
					PQclear(queues);
					return 1;
				}
			}
	PQclear(queues);
	if (!exec_ok(qa, "commit", 0, NULL))
		return 1;
	tag(qa, "ALTER");
	return 0;
}

/* ---- consumers ---- */

static bool
consumer_exists(Qadmin *qa, const char *q, const char *c)
{
	const char *p[2] = {q, c};
	char *v = value1(qa,
					 "select count(*) from pgq.get_consumer_info() where "
					 "queue_name = $1 and consumer_name = $2",
					 2, p);
	bool e = v && strcmp(v, "0") != 0;

	free(v);
	return e;
}

static int
cmd_register_consumer(Qadmin *qa, Cmd *cmd)
{
	const char *q = queue_of(qa, cmd, "queue");
	const char *c = qa_cmd_value(cmd, "consumer");
	const char *tick = qa_cmd_value(cmd, "tick");
	const char *copy = qa_cmd_value(cmd, "copy");
	char *from = NULL;
	bool ok;

	if (q == NULL)
		return 1;
	if (copy)
	{
		const char *p[2] = {q, copy};

		if (!consumer_exists(qa, q, copy))
		{
			qa_error(qa, "Consumer %s not registered on queue %s", copy, q);
			return 1;
		}
		from = value1(qa,
					  "select coalesce(next_tick, last_tick) from "
					  "pgq.get_consumer_info($1, $2)",
					  2, p);
		if (from == NULL)
			return 1;
		tick = from;
	}
	if (tick == NULL)
	{
		const char *p[2] = {q, c};

		if (consumer_exists(qa, q, c))
		{
			qa_error(qa, "Consumer already registered");
			return 1;
		}
		ok = exec_ok(qa, "select pgq.register_consumer($1, $2)", 2, p);
	}
	else
	{
		const char *p[3] = {q, c, tick};

		ok = exec_ok(qa, "select pgq.register_consumer_at($1, $2, $3)", 3, p);
	}
	free(from);
	if (!ok)
		return 1;
	tag(qa, "REGISTER");
	return 0;
}

static int
cmd_unregister_consumer(Qadmin *qa, Cmd *cmd)
{
	const char *q = queue_of(qa, cmd, "queue");
	const char *c = qa_cmd_value(cmd, "consumer");
	PGresult *res;
	int i;

	if (q == NULL)
		return 1;
	if (strcmp(c, "*") == 0)
	{
		const char *p[1] = {q};

		res = qa_exec(qa,
					  "select consumer_name from pgq.get_consumer_info($1) "
					  "order by 1",
					  1, p);
	}
	else
	{
		const char *p[1] = {c};

		res = qa_exec(qa, "select $1::text", 1, p);
	}
	if (res == NULL)
		return 1;
	for (i = 0; i < PQntuples(res); i++)
	{
		const char *p[2] = {q, PQgetvalue(res, i, 0)};

		if (!exec_ok(qa, "select pgq.unregister_consumer($1, $2)", 2, p))
		{
			PQclear(res);
			return 1;
		}
	}
	PQclear(res);
	tag(qa, "UNREGISTER");
	return 0;
}

static int
cmd_register_subconsumer(Qadmin *qa, Cmd *cmd)
{
	const char *q = queue_of(qa, cmd, "queue");
	const char *c = qa_cmd_value(cmd, "consumer");
	const char *s = qa_cmd_value(cmd, "subconsumer");
	char full[1024];
	const char *p[3] = {q, c, s};

	if (q == NULL)
		return 1;
	snprintf(full, sizeof(full), "%s.%s", c, s);
	if (consumer_exists(qa, q, full))
	{
		qa_error(qa, "Subconsumer already registered");
		return 1;
	}
	if (!exec_ok(qa, "select pgq_coop.register_subconsumer($1, $2, $3)", 3, p))
		return 1;
	tag(qa, "REGISTER");
	return 0;
}

static int
cmd_unregister_subconsumer(Qadmin *qa, Cmd *cmd)
{
	const char *q = queue_of(qa, cmd, "queue");
	const char *c = qa_cmd_value(cmd, "consumer");
	const char *s = qa_cmd_value(cmd, "subconsumer");
	const char *close = qa_cmd_value(cmd, "close") ? "1" : "0";
	PGresult *res;
	int i;

	if (q == NULL)
		return 1;
	if (strcmp(s, "*") == 0)
	{
		const char *p[2] = {q, c};

		res = qa_exec(qa,
					  "select substr(consumer_name, length($2) + 2) from "
					  "pgq.get_consumer_info($1) where consumer_name like "
					  "replace(replace($2, '_', '\\_'), '%', '\\%') || '.%' "
					  "order by 1",
					  2, p);
	}
	else
	{
		const char *p[1] = {s};

		res = qa_exec(qa, "select $1::text", 1, p);
	}
	if (res == NULL)
		return 1;
	for (i = 0; i < PQntuples(res); i++)
	{
		const char *p[4] = {q, c, PQgetvalue(res, i, 0), close};

		if (!exec_ok(qa,
					 "select pgq_coop.unregister_subconsumer($1, $2, $3, "
					 "$4::int4)",
					 4, p))
		{
			PQclear(res);
			return 1;
		}
	}
	PQclear(res);
	tag(qa, "UNREGISTER");
	return 0;
}

static int cascade_cmd(Qadmin *qa, Cmd *cmd, const char *what, const char *arg,
					   const char *t);

/* ---- show ---- */

static int
print_query(Qadmin *qa, const char *sql, int nparams,
			const char *const *params)
{
	PGresult *res = qa_exec(qa, sql, nparams, params);

	if (res == NULL)
		return 1;
	qa_print_result(qa, res);
	PQclear(res);
	return 0;
}

static const char help_text[] =
	"qadmin commands (each ends with ';'):\n"
	"  connect [dbname=X] [host=H] [port=N] [user=U] [password=P] [queue=Q] "
	"[node=N];\n"
	"  install pgq | londiste;\n"
	"  create queue Q;  drop queue Q;\n"
	"  alter queue Q|* set idle_period=.., max_count=.., max_lag=.., "
	"paused=.., rotation_period=.., external_ticker=..;\n"
	"  register consumer C [on Q] [at TICK] [copy C2];\n"
	"  unregister consumer C|* [from Q];\n"
	"  register subconsumer S for C [on Q];\n"
	"  unregister subconsumer S|* for C [from Q] [close [batch]];\n"
	"  show help;  show version;\n"
	"  show queue [Q|*];  show consumer [C|* [on Q|*]];  show node [N|* [on "
	"Q|*]];\n"
	"  show batch ID|C;  show table T;  show sequence S;\n"
	"  londiste add table T[, ..] [with OPT[, ..]];  londiste add sequence "
	"S[, ..];\n"
	"  londiste remove table T[, ..];  londiste remove sequence S[, ..];\n"
	"  londiste tables;  londiste seqs;  londiste missing;\n"
	"  create root|branch|leaf node N location 'CONNSTR' [provider "
	"'CONNSTR'] [worker W] [on Q];\n"
	"  drop node N [on Q];  takeover N [on Q];  show cascade [on Q];  "
	"status [on Q];\n"
	"  exit;\n"
	"Anything else is sent to the server as SQL.\n"
	"\\x expanded, \\csv, \\json, \\aligned output; \\set ON_ERROR_STOP "
	"on|off.\n";

static int
show_table_ddl(Qadmin *qa, const char *name)
{
	const char *p[1] = {name};
	PGresult *cols, *cons, *idx;
	char *rel = value1(qa, "select to_regclass($1)::oid::text", 1, p);
	int i;

	if (rel == NULL)
	{
		qa_error(qa, "table not found: %s", name);
		return 1;
	}
	{
		const char *r[1] = {rel};

		cols = qa_exec(qa,
					   "select quote_ident(attname), format_type(atttypid, "
					   "atttypmod), attnotnull, pg_get_expr(adbin, adrelid) "
					   "from pg_attribute a left join pg_attrdef d on "
					   "(adrelid, adnum) = (attrelid, attnum) where attrelid "
					   "= $1::oid and attnum > 0 and not attisdropped order "
					   "by attnum",
					   1, r);
		cons =
			qa_exec(qa,
					"select quote_ident(conname), pg_get_constraintdef(oid) "
					"from pg_constraint where conrelid = $1::oid order by "
					"contype desc, conname",
					1, r);
		idx = qa_exec(qa,
					  "select pg_get_indexdef(indexrelid) from pg_index where "
					  "indrelid = $1::oid and not exists (select 1 from "
					  "pg_constraint where conindid = indexrelid) order by 1",
					  1, r);
	}
	free(rel);
	if (cols == NULL || cons == NULL || idx == NULL)
	{
		PQclear(cols);
		PQclear(cons);
		PQclear(idx);
		return 1;
	}
	{
		const char *r[1] = {name};
		char *fq = value1(qa,
						  "select quote_ident(nspname) || '.' || "
						  "quote_ident(relname) from pg_class c join "
						  "pg_namespace n on n.oid = relnamespace where c.oid "
						  "= $1::regclass",
						  1, r);

		printf("%s\nCREATE TABLE %s (\n", "--------------------------------",
			   fq ? fq : name);
		free(fq);
	}
	for (i = 0; i < PQntuples(cols); i++)
		printf("    %s %s%s%s%s%s\n", PQgetvalue(cols, i, 0),
			   PQgetvalue(cols, i, 1),
			   strcmp(PQgetvalue(cols, i, 2), "t") == 0 ? " NOT NULL" : "",
			   PQgetisnull(cols, i, 3) ? "" : " DEFAULT ",
			   PQgetisnull(cols, i, 3) ? "" : PQgetvalue(cols, i, 3),
			   i + 1 < PQntuples(cols) || PQntuples(cons) > 0 ? "," : "");
	for (i = 0; i < PQntuples(cons); i++)
		printf("    CONSTRAINT %s %s%s\n", PQgetvalue(cons, i, 0),
			   PQgetvalue(cons, i, 1), i + 1 < PQntuples(cons) ? "," : "");
	printf(");\n");
	for (i = 0; i < PQntuples(idx); i++)
		printf("%s;\n", PQgetvalue(idx, i, 0));
	printf("--------------------------------\n");
	PQclear(cols);
	PQclear(cons);
	PQclear(idx);
	return 0;
}

static int
show_sequence_ddl(Qadmin *qa, const char *name)
{
	const char *p[1] = {name};
	PGresult *res = qa_exec(
		qa,
		"select quote_ident(nspname) || '.' || quote_ident(relname), "
		"format_type(seqtypid, null), "
		"seqstart, seqincrement, seqmin, seqmax, seqcache, seqcycle from "
		"pg_sequence s join pg_class c on c.oid = s.seqrelid join "
		"pg_namespace n on n.oid = c.relnamespace where s.seqrelid = "
		"to_regclass($1)",
		1, p);

	if (res == NULL)
		return 1;
	if (PQntuples(res) == 0)
	{
		PQclear(res);
		qa_error(qa, "sequence not found: %s", name);
		return 1;
	}
	printf("--------------------------------\n"
		   "CREATE SEQUENCE %s AS %s START WITH %s INCREMENT BY %s MINVALUE "
		   "%s MAXVALUE %s CACHE %s%s;\n"
		   "--------------------------------\n",
		   PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2),
		   PQgetvalue(res, 0, 3), PQgetvalue(res, 0, 4), PQgetvalue(res, 0, 5),
		   PQgetvalue(res, 0, 6),
		   strcmp(PQgetvalue(res, 0, 7), "t") == 0 ? " CYCLE" : "");
	PQclear(res);
	return 0;
}

/* a name given as * (all) is no filter */
static const char *
filter(const char *v)
{
	return v && strcmp(v, "*") != 0 ? v : NULL;
}

static int
cmd_show(Qadmin *qa, Cmd *cmd)
{
	const char *what = qa_cmd_value(cmd, "what");

	if (strcmp(what, "help") == 0)
	{
		fputs(help_text, stdout);
		return 0;
	}
	if (strcmp(what, "version") == 0)
	{
		printf("qadmin version %s\nserver version %s\npgq version %s\n",
			   QADMIN_VERSION, PQparameterStatus(qa->db, "server_version"),
			   qa->pgq_version);
		return 0;
	}
	if (strcmp(what, "queue") == 0)
	{
		const char *q = qa_cmd_value(cmd, "queue");
		const char *p[1];

		p[0] = filter(q ? q : qa->queue);
		return print_query(
			qa,
			"select queue_name, queue_cur_table || '/' || queue_ntables as "
			"tables, queue_ticker_max_count as max_count, "
			"queue_ticker_max_lag as max_lag, queue_ticker_idle_period as "
			"idle_period, queue_ticker_paused as paused, ticker_lag, "
			"ev_per_sec, ev_new from pgq.get_queue_info() where $1::text is "
			"null or queue_name = $1 order by 1",
			1, p);
	}
	if (strcmp(what, "consumer") == 0)
	{
		const char *c = qa_cmd_value(cmd, "consumer");
		const char *q = qa_cmd_value(cmd, "queue");
		const char *p[2];

		/* the default queue, unless on * (upstream ignored it) */
		p[0] = filter(q ? q : qa->queue);
		p[1] = filter(c);
		return print_query(qa,
						   "select queue_name, consumer_name, lag, "
						   "last_seen, last_tick, current_batch, next_tick, "
						   "pending_events from pgq.get_consumer_info($1, "
						   "$2) order by 1, 2",
						   2, p);
	}
	if (strcmp(what, "node") == 0)
	{
		const char *n = qa_cmd_value(cmd, "node");
		const char *q = qa_cmd_value(cmd, "queue");
		const char *p[2];

		p[0] = filter(q ? q : qa->queue);
		p[1] = filter(n);
		if (!qa_has_schema(qa, "pgq_node"))
		{
			qa_error(qa, "pgq_node is not installed");
			return 1;
		}
		return print_query(qa,
						   "select queue_name, node_name, node_location, dead "
						   "from pgq_node.node_location where ($1::text is "
						   "null or queue_name = $1) and ($2::text is null "
						   "or node_name = $2) order by 1, 2",
						   2, p);
	}
	if (strcmp(what, "batch") == 0)
	{
		const char *id = qa_cmd_value(cmd, "batch");
		char *cur = NULL;
		int rc;

		if (qa->queue == NULL)
		{
			qa_error(qa, "No default queue");
			return 1;
		}
		if (id == NULL)
		{
			const char *c = qa_cmd_value(cmd, "consumer");
			const char *p[2] = {qa->queue, c};
			PGresult *res;

			res = qa_exec(qa,
						  "select current_batch from pgq.get_consumer_info() "
						  "where queue_name = $1 and consumer_name = $2",
						  2, p);
			if (res == NULL)
				return 1;
			if (PQntuples(res) == 0)
			{
				PQclear(res);
				qa_error(qa, "no such consumer");
				return 1;
			}
			if (PQgetisnull(res, 0, 0))
			{
				PQclear(res);
				qa_error(qa, "consumer has no open batch");
				return 1;
			}
			cur = strdup(PQgetvalue(res, 0, 0));
			PQclear(res);
			id = cur;
		}
		{
			const char *p[1] = {id};

			rc = print_query(qa,
							 "select ev_id, ev_time, ev_txid, ev_retry, "
							 "ev_type, ev_data, ev_extra1, ev_extra2, "
							 "ev_extra3, ev_extra4 from "
							 "pgq.get_batch_events($1::int8)",
							 1, p);
		}
		free(cur);
		return rc;
	}
	if (strcmp(what, "cascade") == 0)
		return cascade_cmd(qa, cmd, "members", NULL, NULL);
	if (strcmp(what, "table") == 0)
		return show_table_ddl(qa, qa_cmd_value(cmd, "name"));
	if (strcmp(what, "sequence") == 0)
		return show_sequence_ddl(qa, qa_cmd_value(cmd, "name"));
	return 1;
}

/* ---- londiste ---- */

static const char *
londiste_queue(Qadmin *qa)
{
	if (qa->queue == NULL)
		qa_error(qa, "No default queue");
	return qa->queue;
}

static int
cmd_londiste_add_table(Qadmin *qa, Cmd *cmd)
{
	const char *q = londiste_queue(qa);
	char opts[4096] = "{";
	int i, bad = 0;

	if (q == NULL)
		return 1;
	/* with OPT, ...: a text[] of flags and key=value */
	for (i = 0; i < cmd->nvals; i++)
	{
		char item[1200];
		size_t n = strlen(opts), k;

		if (strcmp(cmd->key[i], "opt") == 0)
			snprintf(item, sizeof(item), "%s", cmd->val[i]);
		else if (strcmp(cmd->key[i], "optkey") == 0)
			snprintf(item, sizeof(item), "%s=%s", cmd->val[i],
					 qa_cmd_value(cmd, cmd->val[i]));
		else
			continue;
		if (n > 1 && n + 1 < sizeof(opts))
			opts[n++] = ',';
		if (n + 1 < sizeof(opts))
			opts[n++] = '"';
		for (k = 0; item[k] && n + 3 < sizeof(opts); k++)
		{
			if (item[k] == '"' || item[k] == '\\')
				opts[n++] = '\\';
			opts[n++] = item[k];
		}
		opts[n++] = '"';
		opts[n] = '\0';
	}
	strncat(opts, "}", sizeof(opts) - strlen(opts) - 1);
	for (i = 0; i < cmd->nvals; i++)
	{
		const char *p[3] = {q, cmd->val[i], opts};
		PGresult *res;

		if (strcmp(cmd->key[i], "name") != 0)
			continue;
		res = qa_exec(qa,
					  "select ret_code, ret_note from "
					  "londiste.local_add_table($1, $2, $3::text[])",
					  3, p);
		if (res == NULL)
			return 1;
		printf("%s %s\n", PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1));
		if (atoi(PQgetvalue(res, 0, 0)) >= 300)
			bad++;
		PQclear(res);
	}
	if (bad)
	{
		qa->errors++;
		return 1;
	}
	tag(qa, "ADD_TABLE");
	return 0;
}

static int
londiste_each(Qadmin *qa, Cmd *cmd, const char *fn, const char *t)
{
	const char *q = londiste_queue(qa);
	char sql[256];
	int i, bad = 0;

	if (q == NULL)
		return 1;
	snprintf(sql, sizeof(sql),
			 "select ret_code, ret_note from londiste.%s($1, $2)", fn);
	for (i = 0; i < cmd->nvals; i++)
	{
		const char *p[2] = {q, cmd->val[i]};
		PGresult *res;

		if (strcmp(cmd->key[i], "name") != 0)
			continue;
		res = qa_exec(qa, sql, 2, p);
		if (res == NULL)
			return 1;
		printf("%s %s\n", PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1));
		if (atoi(PQgetvalue(res, 0, 0)) >= 300)
			bad++;
		PQclear(res);
	}
	if (bad)
	{
		qa->errors++;
		return 1;
	}
	tag(qa, t);
	return 0;
}

static int
cmd_londiste_add_sequence(Qadmin *qa, Cmd *cmd)
{
	return londiste_each(qa, cmd, "local_add_seq", "ADD_SEQ");
}

static int
cmd_londiste_remove_table(Qadmin *qa, Cmd *cmd)
{
	return londiste_each(qa, cmd, "local_remove_table", "REMOVE_TABLE");
}

static int
cmd_londiste_remove_sequence(Qadmin *qa, Cmd *cmd)
{
	return londiste_each(qa, cmd, "local_remove_seq", "REMOVE_SEQ");
}

static int
cmd_londiste_list(Qadmin *qa, Cmd *cmd)
{
	const char *q = londiste_queue(qa);
	const char *name = qa_cmd_name(cmd);
	const char *p[1] = {q};

	if (q == NULL)
		return 1;
	if (strcmp(name, "londiste tables") == 0)
		return print_query(
			qa,
			"select table_name, merge_state, table_attrs from "
			"londiste.get_table_list($1) where local order by 1",
			1, p);
	if (strcmp(name, "londiste seqs") == 0)
		return print_query(qa,
						   "select seq_name, last_value from "
						   "londiste.get_seq_list($1) where local order by 1",
						   1, p);
	return print_query(qa,
					   "select obj_kind, obj_name from "
					   "londiste.local_show_missing($1) order by 1, 2",
					   1, p);
}

/* ---- the cascade: Londiste's own commands, run for this connection ---- */

/* londiste beside qadmin, else on PATH */
static void
londiste_path(char *dst, size_t len)
{
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (n > 0)
	{
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash)
		{
			snprintf(dst, len, "%.*s/londiste", (int) (slash - self), self);
			if (access(dst, X_OK) == 0)
				return;
		}
	}
	snprintf(dst, len, "londiste");
}

/*
 * `londiste INI ARGS...` with an ini for this connection and queue (a
 * temporary file only the user can read: it may hold a password); its
 * output is the command's.  0 when it succeeded.
 */
static int
run_londiste(Qadmin *qa, const char *queue, const char *job,
			 const char *const *args)
{
	PQconninfoOption *opts = PQconninfo(qa->db), *o;
	const char *tmpdir = getenv("TMPDIR");
	char ini[4096], conn[4096] = "", prog[4200];
	const char *argv[16];
	int fd, argc = 0, st, i;
	FILE *f;
	pid_t pid;

	for (o = opts; o && o->keyword; o++)
	{
		static const char *const keep[] = {"host",	  "hostaddr", "port",
										   "user",	  "password", "dbname",
										   "sslmode", NULL};

		for (i = 0; keep[i]; i++)
			if (strcmp(o->keyword, keep[i]) == 0 && o->val && o->val[0])
			{
				size_t n = strlen(conn);

				snprintf(conn + n, sizeof(conn) - n, "%s%s=", n ? " " : "",
						 o->keyword);
				pg_conninfo_value(conn, sizeof(conn), o->val);
			}
	}
	PQconninfoFree(opts);
	snprintf(ini, sizeof(ini), "%s/qadmin.XXXXXX", tmpdir ? tmpdir : "/tmp");
	fd = mkstemp(ini);
	if (fd < 0 || (f = fdopen(fd, "w")) == NULL)
	{
		qa_error(qa, "cannot create a temporary ini: %s", strerror(errno));
		return 1;
	}
	fprintf(f, "[londiste]\njob_name = %s\nqueue_name = %s\ndb = ", job,
			queue);
	/* % starts an interpolation in an ini value */
	for (i = 0; conn[i]; i++)
		fprintf(f, conn[i] == '%' ? "%%%%" : "%c", conn[i]);
	fprintf(f, "\n");
	fclose(f);
	londiste_path(prog, sizeof(prog));
	argv[argc++] = prog;
	argv[argc++] = ini;
	for (i = 0; args[i] && argc < 15; i++)
		argv[argc++] = args[i];
	argv[argc] = NULL;
	fflush(NULL);
	pid = fork();
	if (pid == 0)
	{
		execvp(prog, (char *const *) argv);
		fprintf(stderr, "cannot run %s: %s\n", prog, strerror(errno));
		_exit(127);
	}
	st = -1;
	if (pid > 0)
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
	unlink(ini);
	if (pid < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
	{
		qa_error(qa, "londiste %s failed", args[0]);
		return 1;
	}
	return 0;
}

/* the local node's worker (for the commands that act as this node) */
static char *
local_worker(Qadmin *qa, const char *q)
{
	const char *p[1] = {q};
	char *w =
		qa_has_schema(qa, "pgq_node")
			? value1(qa, "select worker_name from pgq_node.get_node_info($1)",
					 1, p)
			: NULL;

	return w ? w : strdup("qadmin");
}

static int
cmd_create_node(Qadmin *qa, Cmd *cmd)
{
	const char *q = queue_of(qa, cmd, "queue");
	const char *node = qa_cmd_value(cmd, "node");
	const char *worker = qa_cmd_value(cmd, "worker");
	const char *provider = qa_cmd_value(cmd, "provider");
	const char *type = strstr(qa_cmd_name(cmd), "root")		? "create-root"
					   : strstr(qa_cmd_name(cmd), "branch") ? "create-branch"
															: "create-leaf";
	char prov[4200];
	const char *args[5] = {type, node, qa_cmd_value(cmd, "location"), NULL,
						   NULL};

	if (q == NULL)
		return 1;
	if (strcmp(type, "create-root") != 0)
	{
		if (provider == NULL)
		{
			qa_error(qa, "a %s node needs provider 'CONNSTR'", type + 7);
			return 1;
		}
		snprintf(prov, sizeof(prov), "--provider=%s", provider);
		args[3] = prov;
	}
	if (run_londiste(qa, q, worker ? worker : node, args) != 0)
		return 1;
	tag(qa, "CREATE_NODE");
	return 0;
}

static int
cascade_cmd(Qadmin *qa, Cmd *cmd, const char *what, const char *arg,
			const char *t)
{
	const char *q = queue_of(qa, cmd, "queue");
	const char *args[3] = {what, arg, NULL};
	char *w;
	int rc;

	if (q == NULL)
		return 1;
	w = local_worker(qa, q);
	rc = run_londiste(qa, q, w, args);
	free(w);
	if (rc != 0)
		return 1;
	if (t)
		tag(qa, t);
	return 0;
}

static int
cmd_drop_node(Qadmin *qa, Cmd *cmd)
{
	return cascade_cmd(qa, cmd, "drop-node", qa_cmd_value(cmd, "node"),
					   "DROP_NODE");
}

static int
cmd_takeover(Qadmin *qa, Cmd *cmd)
{
	return cascade_cmd(qa, cmd, "takeover", qa_cmd_value(cmd, "node"),
					   "TAKEOVER");
}

static int
cmd_status(Qadmin *qa, Cmd *cmd)
{
	return cascade_cmd(qa, cmd, "status", NULL, NULL);
}

static int
cmd_exit(Qadmin *qa, Cmd *cmd)
{
	(void) cmd;
	qa->exit_requested = 1;
	return 0;
}

static const struct
{
	const char *name;
	CmdRun run;
} runs[] = {
	{"connect", cmd_connect},
	{"install", cmd_install},
	{"create queue", cmd_create_queue},
	{"drop queue", cmd_drop_queue},
	{"alter queue", cmd_alter_queue},
	{"register consumer", cmd_register_consumer},
	{"unregister consumer", cmd_unregister_consumer},
	{"register subconsumer", cmd_register_subconsumer},
	{"unregister subconsumer", cmd_unregister_subconsumer},
	{"show", cmd_show},
	{"londiste add table", cmd_londiste_add_table},
	{"londiste add sequence", cmd_londiste_add_sequence},
	{"londiste remove table", cmd_londiste_remove_table},
	{"londiste remove sequence", cmd_londiste_remove_sequence},
	{"londiste tables", cmd_londiste_list},
	{"londiste seqs", cmd_londiste_list},
	{"londiste missing", cmd_londiste_list},
	{"create root node", cmd_create_node},
	{"create branch node", cmd_create_node},
	{"create leaf node", cmd_create_node},
	{"drop node", cmd_drop_node},
	{"takeover", cmd_takeover},
	{"status", cmd_status},
	{"exit", cmd_exit},
	{NULL, NULL},
};

/* SQL that is not qadmin's: sent as written */
static int
pass_through(Qadmin *qa, const char *text, size_t len)
{
	char *sql = strndup(text, len);
	PGresult *res;
	int rc = 0;

	if (sql == NULL)
		return 1;
	res = PQexec(qa->db, sql);
	free(sql);
	switch (PQresultStatus(res))
	{
		case PGRES_TUPLES_OK:
			qa_print_result(qa, res);
			/* CSV and JSON stay data only */
			if (qa->format == F_ALIGNED || qa->format == F_EXPANDED)
				tag(qa, PQcmdStatus(res));
			break;
		case PGRES_COMMAND_OK:
			tag(qa, PQcmdStatus(res));
			break;
		case PGRES_EMPTY_QUERY:
			break;
		default:
		{
			const char *m = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);

			if (m == NULL)
				m = PQerrorMessage(qa->db);
			qa_error(qa, "ERROR: %.*s", (int) strcspn(m, "\n"), m);
			rc = 1;
		}
	}
	PQclear(res);
	return rc;
}

/* one command (up to and with its ';'): 0 done, 1 failed */
int
qa_run_line(Qadmin *qa, const char *text, size_t len)
{
	TokList toks = {NULL, 0, 0};
	char *buf = strndup(text, len), err[512];
	bool incomplete;
	Cmd cmd;
	MatchResult m;
	int rc = 1, i;

	if (buf == NULL)
		return 1;
	if (!qa_lex(buf, &toks, &incomplete, err, sizeof(err)))
	{
		qa_error(qa, "syntax error 1: %s", err);
		goto done;
	}
	if (toks.n == 0 || (toks.n == 1 && toks.t[0].type == T_SYMBOL &&
						toks.t[0].value[0] == ';'))
	{
		rc = 0;
		goto done;
	}
	m = qa_match(buf, toks.t, toks.n, &cmd, NULL, err, sizeof(err));
	if (m == M_NOMATCH)
	{
		if (qa->db == NULL)
		{
			qa_error(qa, "ERROR: not connected");
			goto done;
		}
		rc = pass_through(qa, buf, len);
		goto done;
	}
	if (m != M_OK)
	{
		qa_error(qa, "%s", err[0] ? err : "syntax error 2");
		goto done;
	}
	if (qa->db == NULL && strcmp(qa_cmd_name(&cmd), "exit") != 0 &&
		strcmp(qa_cmd_name(&cmd), "show") != 0)
	{
		qa_error(qa, "ERROR: not connected");
		goto done;
	}
	for (i = 0; runs[i].name; i++)
		if (strcmp(runs[i].name, qa_cmd_name(&cmd)) == 0)
		{
			rc = runs[i].run(qa, &cmd);
			break;
		}
done:
	qa_toks_free(&toks);
	free(buf);
	qa_invalidate_cache();
	return rc;
}
