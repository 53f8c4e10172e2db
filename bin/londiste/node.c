/*-------------------------------------------------------------------------
 *
 * node.c
 *	  Node set-up and cascade information: install, create-root,
 *	  create-branch, create-leaf, members, node-info, status, node-status,
 *	  pause, resume.
 *
 * create-branch and create-leaf (run on the new node):
 *	1. from --provider, follow provider links up to the root;
 *	2. refuse a name the cascade already has;
 *	3. register the new node's location on the root (the event spreads it)
 *	   and on the provider; subscribe it on the provider, which answers
 *	   with the global watermark, where the new node starts;
 *	4. on the new node: every member's location, then the node itself;
 *	5. copy the provider's table and sequence registrations.
 *
 * IDENTIFICATION
 *	  bin/londiste/node.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "londiste.h"

#include <jansson.h>
#include "skytools/log.h"

int
cmd_install(Ld *ld)
{
	PGconn *db = ld_local(ld);

	if (db == NULL)
		return 1;
	if (!ld_exec(db, "set client_min_messages = warning", 0, NULL) ||
		!ld_exec(db,
				 ld->plain ? "create extension if not exists pgq_node cascade"
						   : "create extension if not exists londiste cascade",
				 0, NULL))
		return 1;
	log_info("extensions installed");
	return 0;
}

/* The local node's type, "" when the queue has no node here; NULL on error. */
static char *
local_node_type(Ld *ld)
{
	const char *p[1] = {ld->queue};
	PGresult *res = ld_query(ld->db,
							 "select ret_code, node_type from "
							 "pgq_node.get_node_info($1)",
							 1, p);
	char *t;

	if (res == NULL)
		return NULL;
	t = strdup(atoi(PQgetvalue(res, 0, 0)) == 100 ? PQgetvalue(res, 0, 1)
												  : "");
	PQclear(res);
	return t;
}

static bool
register_location(PGconn *db, const char *queue, const char *node,
				  const char *loc, bool dead)
{
	const char *p[4] = {queue, node, loc, dead ? "t" : "f"};

	return ld_ret(ld_query(db,
						   "select * from pgq_node.register_location($1, $2, "
						   "$3, $4::boolean)",
						   4, p),
				  "register_location") < 300;
}

/* Copy the provider's table and sequence registrations to the node. */
static bool
copy_registrations(Ld *ld, PGconn *prov)
{
	const char *p[1] = {ld->queue};
	PGresult *res;
	int i;
	bool ok = true;

	if (ld->plain)
		return true; /* a plain queue has no tables */
	res = ld_query(prov, "select table_name from londiste.get_table_list($1)",
				   1, p);
	if (res == NULL)
		return false;
	for (i = 0; i < PQntuples(res) && ok; i++)
	{
		const char *q[2] = {ld->queue, PQgetvalue(res, i, 0)};

		if (!ld_register_wanted(ld, q[1], false))
			continue;
		ok = ld_ret(ld_query(ld->db,
							 "select * from londiste.global_add_table($1, $2)",
							 2, q),
					NULL) < 300;
	}
	PQclear(res);
	if (!ok)
		return false;
	res = ld_query(
		prov, "select seq_name, last_value from londiste.get_seq_list($1)", 1,
		p);
	if (res == NULL)
		return false;
	for (i = 0; i < PQntuples(res) && ok; i++)
	{
		const char *q[3] = {ld->queue, PQgetvalue(res, i, 0),
							PQgetvalue(res, i, 1)};

		if (!ld_register_wanted(ld, q[1], true))
			continue;
		ok =
			ld_ret(ld_query(ld->db,
							"select * from londiste.global_update_seq($1, $2, "
							"$3::int8)",
							3, q),
				   NULL) < 300;
	}
	PQclear(res);
	return ok;
}

/*
 * Whether the public connect string reaches the local database: the same
 * database (oid and name) and the same cluster (a transaction open here
 * is in progress there).  Other nodes will use it.  --nocheck skips.
 */
static bool
same_database(Ld *ld, const char *loc)
{
	static const char *q =
		"select oid || '/' || datname from pg_database where datname = "
		"current_database()";
	char *cs = ld_join_connstr(loc, ld->cfg.remote_extra_connstr);
	PGconn *pub = ld_connect(cs, "the node's public connect string");
	PGresult *a = NULL, *b = NULL, *x = NULL, *st = NULL;
	bool same = false;

	free(cs);
	if (pub == NULL)
	{
		log_error("other nodes could not reach this one either (--nocheck "
				  "skips this check)");
		return false;
	}
	PQclear(PQexec(ld->db, "begin"));
	a = ld_query(ld->db, q, 0, NULL);
	x = ld_query(ld->db, "select pg_current_xact_id()::text", 0, NULL);
	if (a && x)
	{
		const char *p[1] = {PQgetvalue(x, 0, 0)};

		b = PQexec(pub, q);
		st = PQexecParams(pub, "select pg_xact_status($1::xid8)", 1, NULL, p,
						  NULL, NULL, 0);
		same = PQresultStatus(b) == PGRES_TUPLES_OK &&
			   PQresultStatus(st) == PGRES_TUPLES_OK &&
			   strcmp(PQgetvalue(a, 0, 0), PQgetvalue(b, 0, 0)) == 0 &&
			   strcmp(PQgetvalue(st, 0, 0), "in progress") == 0;
		if (!same)
			log_error("the public connect string reaches another database "
					  "than db does (--nocheck skips this check)");
	}
	PQclear(PQexec(ld->db, "rollback"));
	PQclear(a);
	PQclear(b);
	PQclear(x);
	PQclear(st);
	PQfinish(pub);
	return same;
}

int
cmd_create_node(Ld *ld)
{
	const char *type = ld->command + strlen("create-");
	const char *node = ld->nargs > 0 ? ld->args[0] : ld->cfg.node_name;
	const char *loc =
		ld->nargs > 1 ? ld->args[1] : ld->cfg.public_node_location;
	const char *worker =
		ld->opt.worker ? ld->opt.worker : ld->cfg.consumer_name;
	char *have;
	int rc = 1;

	if (node == NULL || loc == NULL)
	{
		log_error("node name and public connect string needed (arguments, "
				  "or node_name and public_node_location)");
		return 1;
	}
	if (strstr(loc, "host=") == NULL && strstr(loc, "service=") == NULL)
		log_warning("the public connect string has no host= or service=: "
					"other nodes reach this one through it");
	if (strcmp(type, "root") != 0)
	{
		/* a provider that cannot serve: refuse before changing anything */
		const char *provider = ld->opt.provider
								   ? ld->opt.provider
								   : ld->cfg.initial_provider_location;
		PGconn *prov;
		PGresult *res;
		bool leaf;

		if (provider == NULL)
		{
			log_error("--provider (or initial_provider_location) is needed");
			return 1;
		}
		prov = ld_connect(provider, "the provider");
		if (prov == NULL)
			return 1;
		res = ld_node_info(prov, ld->queue,
						   "the provider cannot feed the queue");
		PQfinish(prov);
		if (res == NULL)
		{
			log_error("the provider has no cascade (pgq_node) for queue %s",
					  ld->queue);
			return 1;
		}
		leaf = strcmp(ld_field(res, "node_type"), "leaf") == 0;
		PQclear(res);
		if (leaf)
		{
			log_error("the provider cannot feed queue %s: it is a leaf",
					  ld->queue);
			return 1;
		}
	}
	if (ld_local(ld) == NULL)
		return 1;
	if (!ld->opt.nocheck && !same_database(ld, loc))
		return 1;
	if (cmd_install(ld) != 0)
		return 1;
	have = local_node_type(ld);
	if (have == NULL)
		return 1;
	if (have[0])
	{
		log_info("Node is already initialized as %s", have);
		free(have);
		return 0;
	}
	free(have);

	if (strcmp(type, "root") == 0)
	{
		const char *p[4] = {ld->queue, node, worker, NULL};

		if (!register_location(ld->db, ld->queue, node, loc, false))
			return 1;
		rc = ld_ret(ld_query(ld->db,
							 "select * from pgq_node.create_node($1, 'root', "
							 "$2, $3, null, null, null)",
							 3, p),
					"create_node") < 300
				 ? 0
				 : 1;
		return rc;
	}
	else
	{
		/* the provider was checked above, before anything changed */
		const char *provider = ld->opt.provider
								   ? ld->opt.provider
								   : ld->cfg.initial_provider_location;
		PGconn *prov = NULL, *root = NULL;
		char *root_loc = NULL, *prov_name = NULL, *wm = NULL;
		const char *p[1] = {ld->queue};
		PGresult *res;
		int hops, i;

		prov = ld_connect(provider, "the provider");
		if (prov == NULL)
			return 1;
		res = ld_node_info(prov, ld->queue, "the provider");
		if (res == NULL)
			goto out;
		prov_name = strdup(ld_field(res, "node_name"));
		/* walk up to the root */
		root_loc = strdup(provider);
		for (hops = 0; strcmp(ld_field(res, "node_type"), "root") != 0; hops++)
		{
			char *next = ld_join_connstr(ld_field(res, "provider_location"),
										 ld->cfg.remote_extra_connstr);

			PQclear(res);
			res = NULL;
			if (root)
				PQfinish(root);
			if (hops > 100)
			{
				log_error("provider links make a loop");
				free(next);
				goto out;
			}
			free(root_loc);
			root_loc = next;
			root = ld_connect(root_loc, "a node above the provider");
			if (root == NULL)
				goto out;
			res = ld_node_info(root, ld->queue, "a node above the provider");
			if (res == NULL)
				goto out;
		}
		PQclear(res);
		if (root == NULL)
			root = prov;

		/* members, from the root */
		res = ld_query(root,
					   "select node_name, node_location, dead from "
					   "pgq_node.get_queue_locations($1) order by 1",
					   1, p);
		if (res == NULL)
			goto out;
		for (i = 0; i < PQntuples(res); i++)
		{
			if (strcmp(PQgetvalue(res, i, 0), node) == 0)
			{
				log_error("node %s already exists in the cascade", node);
				PQclear(res);
				goto out;
			}
		}
		if (!register_location(root, ld->queue, node, loc, false) ||
			(root != prov &&
			 !register_location(prov, ld->queue, node, loc, false)))
		{
			PQclear(res);
			goto out;
		}
		{
			const char *sp[3] = {ld->queue, node, worker};
			PGresult *sr =
				ld_query(prov,
						 "select ret_code, ret_note, global_watermark "
						 "from pgq_node.register_subscriber($1, $2, "
						 "$3, null)",
						 3, sp);

			if (sr == NULL)
			{
				PQclear(res);
				goto out;
			}
			wm = strdup(PQgetvalue(sr, 0, 2));
			if (ld_ret(sr, "register_subscriber") >= 300)
			{
				PQclear(res);
				goto out;
			}
		}
		for (i = 0; i < PQntuples(res); i++)
			if (!register_location(ld->db, ld->queue, PQgetvalue(res, i, 0),
								   PQgetvalue(res, i, 1),
								   strcmp(PQgetvalue(res, i, 2), "t") == 0))
			{
				PQclear(res);
				goto out;
			}
		PQclear(res);
		if (!register_location(ld->db, ld->queue, node, loc, false))
			goto out;
		{
			const char *cp[7] = {ld->queue, type, node,			worker,
								 prov_name, wm,	  ld->opt.merge};

			if (ld_ret(
					ld_query(ld->db,
							 "select * from pgq_node.create_node($1, $2, $3, "
							 "$4, $5, $6::int8, $7)",
							 7, cp),
					"create_node") >= 300)
				goto out;
		}
		if (ld->opt.sync_watermark)
		{
			char attrs[1024];
			const char *ap[2] = {ld->queue, attrs};

			snprintf(attrs, sizeof(attrs), "sync_watermark=%s",
					 ld->opt.sync_watermark);
			if (ld_ret(
					ld_query(ld->db,
							 "select * from pgq_node.set_node_attrs($1, $2)",
							 2, ap),
					"set_node_attrs") >= 300)
				goto out;
		}
		if (!copy_registrations(ld, prov))
			goto out;
		rc = 0;
	out:
		if (root && root != prov)
			PQfinish(root);
		if (prov)
			PQfinish(prov);
		free(root_loc);
		free(prov_name);
		free(wm);
		return rc;
	}
}

int
cmd_members(Ld *ld)
{
	return ld_show(ld,
				   "select node_name, dead, node_location from "
				   "pgq_node.get_queue_locations($1) order by node_name",
				   false);
}

int
cmd_node_info(Ld *ld)
{
	PGresult *res;
	const char *combined;

	if (ld_local(ld) == NULL)
		return 1;
	res = ld_node_info(ld->db, ld->queue, NULL);
	if (res == NULL)
		return 1;
	printf("Node: %s  Type: %s  Queue: %s\n", ld_field(res, "node_name"),
		   ld_field(res, "node_type"), ld->queue);
	printf("Status: %s\n", strcmp(ld_field(res, "worker_paused"), "t") == 0
							   ? "PAUSED"
						   : strcmp(ld_field(res, "worker_uptodate"), "t") != 0
							   ? "NON-UP-TO-DATE"
							   : "OK");
	if (strcmp(ld_field(res, "node_type"), "root") != 0)
		printf("Provider: %s\n", ld_field(res, "provider_node"));
	combined = ld_field(res, "combined_queue");
	if (combined)
		printf("Combined queue: %s\n", combined);
	printf("Last tick: %s\n", ld_field(res, "worker_last_tick")
								  ? ld_field(res, "worker_last_tick")
								  : "");
	PQclear(res);
	return 0;
}

/*
 * One node's status, as upstream shows it: name and type, the info lines
 * (tables ok / being copied / registered but not here; lag, the root's
 * now() minus the time of the tick the node's worker completed last, and
 * that tick, with PAUSED and NOT UPTODATE flags; the worker's stored
 * error), its provider and subscribers.  rootdb gives the lag; NULL: the
 * node's own clock and ticks ("(n/a)" where it has none).
 */
typedef struct NodeStatus
{
	char title[300];
	char info[3][600];
	int ninfo;
	char provider[256];
	char subs[2048];
	int nsubs;
	char sub[32][256];
} NodeStatus;

static bool
node_status(Ld *ld, PGconn *db, PGconn *rootdb, NodeStatus *ns)
{
	const char *p[1] = {ld->queue};
	char lag[32] = "(n/a)";
	char sql[1024];
	PGresult *subs, *res;
	int i;

	/* the tables' counts ok/copying/ignored (none on a plain queue) */
	snprintf(sql, sizeof(sql),
			 "select n.node_name, n.node_type, n.worker_last_tick, "
			 "n.worker_paused, n.worker_uptodate, %s, "
			 "(select cur_error from pgq_node.get_consumer_state($1, "
			 "n.worker_name)), n.worker_name, coalesce(n.provider_node, '') "
			 "from pgq_node.get_node_info($1) n",
			 ld->plain ? "null::text"
					   : "(select count(*) filter (where merge_state = 'ok') "
						 "|| '/' || count(*) filter (where local and "
						 "merge_state is distinct from 'ok') || '/' || "
						 "count(*) filter (where not local) "
						 "from londiste.get_table_list($1))");
	res = ld_query(db, sql, 1, p);

	memset(ns, 0, sizeof(*ns));
	if (res == NULL)
		return false;
	if (!PQgetisnull(res, 0, 2))
	{
		const char *q[2] = {ld->queue, PQgetvalue(res, 0, 2)};
		PGresult *l =
			ld_query(rootdb ? rootdb : db,
					 "select extract(epoch from now() - t.tick_time)"
					 "::int from pgq.tick t join pgq.queue q on "
					 "q.queue_id = t.tick_queue where q.queue_name = "
					 "$1 and t.tick_id = $2::int8",
					 2, q);

		if (l && PQntuples(l) == 1)
			snprintf(lag, sizeof(lag), "%ss", PQgetvalue(l, 0, 0));
		PQclear(l);
	}
	snprintf(ns->title, sizeof(ns->title), "%s (%s)", PQgetvalue(res, 0, 0),
			 PQgetvalue(res, 0, 1));
	if (!ld->plain)
		snprintf(ns->info[ns->ninfo++], sizeof(ns->info[0]), "Tables: %s",
				 PQgetvalue(res, 0, 5));
	snprintf(ns->info[ns->ninfo++], sizeof(ns->info[0]),
			 "Lag: %s, Tick: %s%s%s", lag, PQgetvalue(res, 0, 2),
			 strcmp(PQgetvalue(res, 0, 3), "t") == 0 ? ", PAUSED" : "",
			 strcmp(PQgetvalue(res, 0, 4), "t") == 0 ? "" : ", NOT UPTODATE");
	if (!PQgetisnull(res, 0, 6))
	{
		char *e = ns->info[ns->ninfo++];

		snprintf(e, sizeof(ns->info[0]), "ERR: %s: %s", PQgetvalue(res, 0, 7),
				 PQgetvalue(res, 0, 6));
		e[strcspn(e, "\n")] = '\0';
	}
	snprintf(ns->provider, sizeof(ns->provider), "%s", PQgetvalue(res, 0, 8));
	PQclear(res);
	subs = ld_query(db,
					"select node_name from pgq_node.get_subscriber_info($1) "
					"order by 1",
					1, p);
	for (i = 0; subs && i < PQntuples(subs) && i < 32; i++)
	{
		size_t n = strlen(ns->subs);

		snprintf(ns->sub[ns->nsubs++], sizeof(ns->sub[0]), "%s",
				 PQgetvalue(subs, i, 0));
		snprintf(ns->subs + n, sizeof(ns->subs) - n, "%s%s", n ? ", " : "",
				 PQgetvalue(subs, i, 0));
	}
	PQclear(subs);
	return true;
}

/*
 * --json: a node as an object (name, type, provider, lag in seconds,
 * last tick, paused, uptodate, the worker's error, table counts, each
 * local table's state, COPY progress of the copies running, subscribers).
 * NULL when the node cannot be read.
 */
static json_t *
node_json(Ld *ld, PGconn *db, PGconn *rootdb)
{
	const char *p[1] = {ld->queue};
	PGresult *res, *r;
	json_t *o, *tables, *copies, *subs;
	int i, ok = 0, half = 0, ignored = 0;

	res = ld_query(db,
				   "select n.node_name, n.node_type, n.provider_node, "
				   "n.worker_last_tick, n.worker_paused, n.worker_uptodate, "
				   "(select cur_error from pgq_node.get_consumer_state($1, "
				   "n.worker_name)), n.worker_name "
				   "from pgq_node.get_node_info($1) n",
				   1, p);
	if (res == NULL)
		return NULL;
	o = json_object();
	json_object_set_new(o, "name", json_string(PQgetvalue(res, 0, 0)));
	json_object_set_new(o, "type", json_string(PQgetvalue(res, 0, 1)));
	json_object_set_new(o, "provider",
						PQgetisnull(res, 0, 2)
							? json_null()
							: json_string(PQgetvalue(res, 0, 2)));
	json_object_set_new(o, "worker", json_string(PQgetvalue(res, 0, 7)));
	json_object_set_new(o, "last_tick",
						PQgetisnull(res, 0, 3)
							? json_null()
							: json_integer(atoll(PQgetvalue(res, 0, 3))));
	json_object_set_new(o, "lag_seconds", json_null());
	if (!PQgetisnull(res, 0, 3))
	{
		const char *q[2] = {ld->queue, PQgetvalue(res, 0, 3)};

		r = ld_query(rootdb ? rootdb : db,
					 "select extract(epoch from now() - t.tick_time)::float8 "
					 "from pgq.tick t join pgq.queue q on q.queue_id = "
					 "t.tick_queue where q.queue_name = $1 and t.tick_id = "
					 "$2::int8",
					 2, q);
		if (r && PQntuples(r) == 1)
			json_object_set_new(o, "lag_seconds",
								json_real(atof(PQgetvalue(r, 0, 0))));
		PQclear(r);
	}
	json_object_set_new(o, "paused",
						json_boolean(strcmp(PQgetvalue(res, 0, 4), "t") == 0));
	json_object_set_new(o, "uptodate",
						json_boolean(strcmp(PQgetvalue(res, 0, 5), "t") == 0));
	json_object_set_new(o, "error",
						PQgetisnull(res, 0, 6)
							? json_null()
							: json_string(PQgetvalue(res, 0, 6)));
	PQclear(res);

	tables = json_array();
	r = ld->plain ? NULL
				  : ld_query(db,
							 "select table_name, merge_state, local from "
							 "londiste.get_table_list($1) order by table_name",
							 1, p);
	for (i = 0; r && i < PQntuples(r); i++)
	{
		bool local = strcmp(PQgetvalue(r, i, 2), "t") == 0;
		const char *st = PQgetisnull(r, i, 1) ? NULL : PQgetvalue(r, i, 1);

		if (!local)
		{
			ignored++;
			continue;
		}
		if (st && strcmp(st, "ok") == 0)
			ok++;
		else
			half++;
		json_array_append_new(
			tables, json_pack("{s:s, s:o}", "table", PQgetvalue(r, i, 0),
							  "state", st ? json_string(st) : json_null()));
	}
	PQclear(r);
	json_object_set_new(o, "tables",
						json_pack("{s:i, s:i, s:i}", "ok", ok, "half", half,
								  "ignored", ignored));
	json_object_set_new(o, "table_states", tables);

	copies = json_array();
	r = ld_query(db,
				 "select relid::regclass::text, tuples_processed, "
				 "bytes_processed from pg_stat_progress_copy where command "
				 "= 'COPY FROM' and datname = current_database()",
				 0, NULL);
	for (i = 0; r && i < PQntuples(r); i++)
		json_array_append_new(
			copies,
			json_pack("{s:s, s:I, s:I}", "table", PQgetvalue(r, i, 0), "rows",
					  (json_int_t) atoll(PQgetvalue(r, i, 1)), "bytes",
					  (json_int_t) atoll(PQgetvalue(r, i, 2))));
	PQclear(r);
	json_object_set_new(o, "copies", copies);

	subs = json_array();
	r = ld_query(db,
				 "select node_name from pgq_node.get_subscriber_info($1) "
				 "order by 1",
				 1, p);
	for (i = 0; r && i < PQntuples(r); i++)
		json_array_append_new(subs, json_string(PQgetvalue(r, i, 0)));
	PQclear(r);
	json_object_set_new(o, "subscribers", subs);
	return o;
}

/* status --json: the nodes found, in tree order */
static json_t *json_nodes;

/* Print o (taking it) as indented JSON and a newline. */
static void
print_json(json_t *o)
{
	char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	if (s)
		printf("%s\n", s);
	free(s);
	json_decref(o);
}

/*
 * status: every live member, from the root down, each node's subscribers
 * under it, drawn as upstream does:
 *
 *	root (root)
 *	  |                           Tables: 3/0/0
 *	  |                           Lag: 0s, Tick: 162
 *	  +--: branch (branch)
 *	     |                        Tables: 3/0/0
 *	     ...
 *
 * (info text from column 30); --compact: a line per node, the title
 * indented 3 per level and padded to 60, each info padded to 30.  bars is
 * the drawing of the levels above the node, last whether it is its
 * parent's last subscriber.
 */
static void
status_tree(Ld *ld, PGresult *members, PGconn *rootdb, const char *node,
			int depth, const char *bars, bool last)
{
	char title[600], prefix[600], mine[4];
	NodeStatus ns;
	int i;
	PGconn *db = NULL;

	snprintf(mine, sizeof(mine), "%s", depth == 0 ? "" : last ? "   " : "  |");
	if (ld->opt.compact)
		snprintf(title, sizeof(title), "%*s", depth * 3, "");
	else
		snprintf(title, sizeof(title), "%s%s", bars, depth ? "  +--: " : "");
	for (i = 0; i < PQntuples(members); i++)
		if (strcmp(PQgetvalue(members, i, 0), node) == 0)
		{
			char *cs = ld_join_connstr(PQgetvalue(members, i, 1),
									   ld->cfg.remote_extra_connstr);

			bool dead = strcmp(PQgetvalue(members, i, 2), "t") == 0;

			for (int k = 0; k < ld->opt.ndead; k++)
				dead = dead || strcmp(ld->opt.dead[k], node) == 0;
			if (dead && json_nodes)
			{
				json_array_append_new(
					json_nodes, json_pack("{s:s, s:i, s:b}", "name", node,
										  "depth", depth, "dead", 1));
				free(cs);
				return;
			}
			if (dead)
			{
				printf("%s%s: DEAD\n", title, node);
				free(cs);
				return;
			}
			db = PQconnectdb(cs);
			free(cs);
		}
	if (json_nodes && db && PQstatus(db) == CONNECTION_OK)
	{
		json_t *o = node_json(ld, db, rootdb ? rootdb : db);

		if (o)
		{
			json_t *sl = json_object_get(o, "subscribers");

			json_object_set_new(o, "depth", json_integer(depth));
			json_array_append_new(json_nodes, o);
			for (i = 0; i < (int) json_array_size(sl) && depth < 20; i++)
				status_tree(ld, members, rootdb ? rootdb : db,
							json_string_value(json_array_get(sl, i)),
							depth + 1, "", false);
			PQfinish(db);
			return;
		}
	}
	if (db == NULL || PQstatus(db) != CONNECTION_OK || json_nodes ||
		!node_status(ld, db, rootdb ? rootdb : db, &ns))
	{
		char msg[256];

		snprintf(msg, sizeof(msg), "%s",
				 db == NULL						 ? "unknown node"
				 : PQstatus(db) != CONNECTION_OK ? PQerrorMessage(db)
												 : "cannot read its status");
		msg[strcspn(msg, "\n")] = '\0';
		if (json_nodes)
			json_array_append_new(json_nodes,
								  json_pack("{s:s, s:i, s:s}", "name", node,
											"depth", depth, "failure", msg));
		else
			printf("%sNode '%s' failure: %s\n", title, node, msg);
		PQfinish(db);
		return;
	}
	if (ld->opt.compact)
	{
		char t[900];

		snprintf(t, sizeof(t), "%s%s", title, ns.title);
		printf("%-60s", t);
		for (i = 0; i < ns.ninfo; i++)
			printf("%-30s", ns.info[i]);
		printf("\n");
	}
	else
	{
		printf("%s%s\n", title, ns.title);
		snprintf(prefix, sizeof(prefix), "%s%s%s", bars, mine,
				 ns.nsubs ? "  |" : "   ");
		for (i = 0; i < ns.ninfo; i++)
			printf("%-30s%s\n", prefix, ns.info[i]);
	}
	snprintf(prefix, sizeof(prefix), "%s%s", bars, mine);
	if (depth < 20)
		for (i = 0; i < ns.nsubs; i++)
			status_tree(ld, members, rootdb ? rootdb : db, ns.sub[i],
						depth + 1, prefix, i == ns.nsubs - 1);
	PQfinish(db);
}

int
cmd_status(Ld *ld)
{
	const char *p[1] = {ld->queue};
	PGresult *members, *root;
	int i;

	if (ld_local(ld) == NULL)
		return 1;
	if (strcmp(ld->command, "node-status") == 0 && ld->opt.json)
	{
		json_t *o = node_json(ld, ld->db, NULL);

		if (o == NULL)
			return 1;
		print_json(o);
		return 0;
	}
	if (strcmp(ld->command, "node-status") == 0)
	{
		NodeStatus ns;

		if (!node_status(ld, ld->db, NULL, &ns))
			return 1;
		printf("%s\n    Provider: %s\n    Subscribers: %s\n", ns.title,
			   ns.provider, ns.subs);
		for (i = 0; i < ns.ninfo; i++)
			printf("    %s\n", ns.info[i]);
		return 0;
	}
	members = ld_query(ld->db,
					   "select node_name, node_location, dead from "
					   "pgq_node.get_queue_locations($1)",
					   1, p);
	if (members == NULL)
		return 1;
	/* the root: follow provider links from here */
	root = ld_query(ld->db,
					"select node_name, node_type, provider_node "
					"from pgq_node.get_node_info($1)",
					1, p);
	if (root == NULL)
	{
		PQclear(members);
		return 1;
	}
	if (ld->opt.json)
		json_nodes = json_array();
	else
		printf("Queue: %s   Local node: %s\n\n", ld->queue,
			   PQgetvalue(root, 0, 0));
	{
		/* walk provider links through the members' databases */
		char cur[256];
		const char *type = PQgetvalue(root, 0, 1);

		snprintf(cur, sizeof(cur), "%s",
				 strcmp(type, "root") == 0 ? PQgetvalue(root, 0, 0)
										   : PQgetvalue(root, 0, 2));
		for (i = 0; i < 50 && strcmp(type, "root") != 0; i++)
		{
			int j;
			PGresult *info = NULL;
			PGconn *db = NULL;

			for (j = 0; j < PQntuples(members); j++)
				if (strcmp(PQgetvalue(members, j, 0), cur) == 0)
				{
					char *cs = ld_join_connstr(PQgetvalue(members, j, 1),
											   ld->cfg.remote_extra_connstr);

					db = ld_connect(cs, "a member");
					free(cs);
				}
			if (db)
				info = ld_query(db,
								"select node_type, provider_node from "
								"pgq_node.get_node_info($1)",
								1, p);
			PQfinish(db);
			if (info == NULL)
				break;
			if (strcmp(PQgetvalue(info, 0, 0), "root") == 0)
				type = "root";
			else
				snprintf(cur, sizeof(cur), "%s", PQgetvalue(info, 0, 1));
			PQclear(info);
		}
		status_tree(ld, members, NULL, cur, 0, "", true);
		if (json_nodes)
		{
			print_json(json_pack("{s:s, s:s, s:s, s:o}", "queue", ld->queue,
								 "local_node", PQgetvalue(root, 0, 0), "root",
								 cur, "nodes", json_nodes));
			json_nodes = NULL;
		}
	}
	PQclear(root);
	PQclear(members);
	return 0;
}

int
cmd_pause(Ld *ld)
{
	bool pause = strcmp(ld->command, "pause") == 0;
	const char *consumer =
		ld->opt.consumer ? ld->opt.consumer : ld->cfg.consumer_name;
	int code;

	if (ld_local(ld) == NULL)
		return 1;
	code = ld_set_paused(ld, ld->db, consumer, pause, NULL);
	if (code >= 300)
		return code >= 400 ? 1 : 0;
	if (!ld_wait_ack(ld, ld->db, "local", consumer,
					 pause ? "pause" : "resume"))
		return 1;
	log_info("Consumer %s %s", consumer, pause ? "paused" : "resumed");
	return 0;
}
