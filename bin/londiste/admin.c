/*-------------------------------------------------------------------------
 *
 * admin.c
 *	  Changes of the cascade's shape: change-provider, takeover
 *	  (switchover of a live root, takeover of a branch, failover of a dead
 *	  root or branch), tag-dead, tag-alive, drop-node.
 *
 * Every tick id is the same on every node, so a node can read from any
 * other that has its position.  The commands work node by node through
 * pgq_node's functions, as upstream's do, with three differences:
 *
 *	- checks first: a switchover needs every table in sync on the new
 *	  node and its lag under takeover_max_lag (--force skips them, saying
 *	  which); every node it needs must answer;
 *	- every wait (a worker's acknowledgement of a pause, a node catching
 *	  up) ends after admin_timeout seconds with what it waited for;
 *	- each command reads where the cascade stands before it acts, so the
 *	  same command run again after a failure (or a kill -9) goes on from
 *	  the step that is left: the steps are idempotent or skipped when
 *	  done, and a demoted root is never left without a provider.
 *
 * IDENTIFICATION
 *	  bin/londiste/admin.c
 *
 *-------------------------------------------------------------------------
 */
#include "londiste.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <stdio.h>

#include "skytools/clock.h"
#include "skytools/log.h"

/* One node as admin commands see it. */
typedef struct Node
{
	char name[256];
	PGconn *db;
	char type[16];
	char provider[256]; /* "" for none */
	char worker[256];
	long long last_tick; /* the tick its worker completed */
	bool paused;
} Node;

/* Read n's state from its database; false (logged) on error. */
static bool
node_read(Ld *ld, Node *n)
{
	PGresult *res = ld_node_info(n->db, ld->queue, n->name);

	if (res == NULL)
		return false;
	snprintf(n->type, sizeof(n->type), "%s", ld_field(res, "node_type"));
	snprintf(n->provider, sizeof(n->provider), "%s",
			 ld_field(res, "provider_node") ? ld_field(res, "provider_node")
											: "");
	snprintf(n->worker, sizeof(n->worker), "%s", ld_field(res, "worker_name"));
	n->last_tick = ld_field(res, "worker_last_tick")
					   ? atoll(ld_field(res, "worker_last_tick"))
					   : 0;
	n->paused = strcmp(ld_field(res, "worker_paused"), "t") == 0;
	PQclear(res);
	return true;
}

/* Connect to the member called name and read it; false (logged). */
static bool
node_open(Ld *ld, Node *n, const char *name)
{
	memset(n, 0, sizeof(*n));
	snprintf(n->name, sizeof(n->name), "%s", name);
	n->db = ld_member_connect(ld, name);
	if (n->db == NULL)
		return false;
	return node_read(ld, n);
}

static void
node_close(Node *n)
{
	PQfinish(n->db);
	n->db = NULL;
}

/* A (ret_code, ret_note) call on node n: its note logged with the node's
 * name; the code (500 on error). */
static int
node_call(Ld *ld, Node *n, const char *sql, int np, const char *const *p)
{
	char what[300];

	snprintf(what, sizeof(what), "[%s]", n->name);
	(void) ld;
	return ld_ret(ld_query(n->db, sql, np, p), what);
}

/*
 * Pause (resume) n's worker and wait until it acknowledges, at most
 * admin_timeout seconds.  False (logged) on error or time-out.
 */
static bool
set_paused(Ld *ld, Node *n, bool pause)
{
	char what[300];

	snprintf(what, sizeof(what), "[%s]", n->name);
	if (ld_set_paused(ld, n->db, n->worker, pause, what) >= 400 ||
		!ld_wait_ack(ld, n->db, n->name, n->worker,
					 pause ? "pause" : "resume"))
		return false;
	n->paused = pause;
	log_info("[%s] worker %s %s", n->name, n->worker,
			 pause ? "paused" : "resumed");
	return true;
}

/* Only the flag: for a node whose worker is not expected to run. */
static bool
set_paused_flag(Ld *ld, Node *n)
{
	char what[300];

	snprintf(what, sizeof(what), "[%s]", n->name);
	n->paused = true;
	return ld_set_paused(ld, n->db, n->worker, true, what) < 400;
}

/* Wait until n's worker has completed tick, at most admin_timeout. */
static bool
wait_tick(Ld *ld, Node *n, long long tick)
{
	double start = sky_mono_secs();

	log_info("[%s] waiting for the worker to complete tick %lld", n->name,
			 tick);
	for (;;)
	{
		if (!node_read(ld, n))
			return false;
		if (n->last_tick >= tick)
			return true;
		if (sky_mono_secs() - start > ld->cfg.admin_timeout)
		{
			log_error("[%s] the worker did not reach tick %lld within %.0f s "
					  "(admin_timeout; it is at %lld)",
					  n->name, tick, ld->cfg.admin_timeout, n->last_tick);
			return false;
		}
		usleep(200000);
	}
}

/* The node's location as the local node's member list has it. */
static char *
location_of(Ld *ld, const char *name)
{
	const char *p[2] = {ld->queue, name};
	PGresult *res = ld_query(
		ld->db,
		"select node_location from pgq_node.get_queue_locations($1) where "
		"node_name = $2",
		2, p);
	char *loc = NULL;

	if (res && PQntuples(res) == 1)
		loc = strdup(PQgetvalue(res, 0, 0));
	else if (res)
		log_error("node %s is not a member of queue %s", name, ld->queue);
	PQclear(res);
	return loc;
}

/* Whether the member name is tagged dead (or --dead names it). */
static bool
is_dead(Ld *ld, const char *name)
{
	const char *p[2] = {ld->queue, name};
	PGresult *res;
	bool dead;
	int i;

	for (i = 0; i < ld->opt.ndead; i++)
		if (strcmp(ld->opt.dead[i], name) == 0)
			return true;
	res = ld_query(ld->db,
				   "select dead from pgq_node.get_queue_locations($1) where "
				   "node_name = $2",
				   2, p);
	dead =
		res && PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	return dead;
}

/* The alive members' names (a result of one column), or NULL. */
static PGresult *
alive_members(Ld *ld)
{
	const char *p[1] = {ld->queue};

	return ld_query(ld->db,
					"select node_name from pgq_node.get_queue_locations($1) "
					"where not dead order by node_name",
					1, p);
}

/*
 * Whether name is node or below it (walking provider links up from
 * name): a node must not read from itself or its own subscribers.
 */
static int
is_below(Ld *ld, const char *name, const char *node)
{
	char cur[256];
	int i;

	snprintf(cur, sizeof(cur), "%s", name);
	for (i = 0; i < 50; i++)
	{
		Node n;

		if (strcmp(cur, node) == 0)
			return 1;
		if (is_dead(ld, cur))
			return 0;
		if (!node_open(ld, &n, cur))
			return -1;
		node_close(&n);
		if (strcmp(n.type, "root") == 0 || n.provider[0] == '\0')
			return 0;
		snprintf(cur, sizeof(cur), "%s", n.provider);
	}
	return 0;
}

/*
 * Unregister node as a subscriber everywhere but on keep (its provider):
 * a step that failed or was cut short may have left a registration,
 * which would hold back the queues' cleanup.
 */
static void
unregister_elsewhere(Ld *ld, const char *node, const char *keep)
{
	PGresult *m = alive_members(ld);
	int i;

	for (i = 0; m && i < PQntuples(m); i++)
	{
		const char *name = PQgetvalue(m, i, 0);
		const char *p[2] = {ld->queue, node};
		Node o;
		PGresult *res;

		if (strcmp(name, keep) == 0 || strcmp(name, node) == 0)
			continue;
		if (!node_open(ld, &o, name))
		{
			log_warning("[%s] not reachable: cannot check whether %s is "
						"still registered there",
						name, node);
			node_close(&o);
			continue;
		}
		res = ld_query(o.db,
					   "select 1 from pgq_node.get_subscriber_info($1) where "
					   "node_name = $2",
					   2, p);
		if (res && PQntuples(res) > 0)
			node_call(ld, &o,
					  "select * from pgq_node.unregister_subscriber($1, $2)",
					  2, p);
		PQclear(res);
		node_close(&o);
	}
	PQclear(m);
}

/*
 * Register node's location (with its dead flag) on every member that is
 * not dead, and on the node itself when it is told it lives; the number
 * of members that could not be told (each logged).
 */
static int
tell_members(Ld *ld, const char *node, bool dead)
{
	const char *p1[1] = {ld->queue};
	char *loc = location_of(ld, node);
	PGresult *m;
	int i, failed = 0;

	if (loc == NULL)
		return 1;
	m = ld_query(ld->db,
				 "select node_name from pgq_node.get_queue_locations($1) "
				 "order by node_name",
				 1, p1);
	for (i = 0; m && i < PQntuples(m); i++)
	{
		const char *name = PQgetvalue(m, i, 0);
		const char *p[4] = {ld->queue, node, loc, dead ? "t" : "f"};
		Node o;

		if (strcmp(name, node) == 0 ? dead : is_dead(ld, name))
			continue;
		memset(&o, 0, sizeof(o));
		snprintf(o.name, sizeof(o.name), "%s", name);
		o.db = ld_member_connect(ld, name);
		if (o.db == NULL)
			log_warning("[%s] not reachable: not told that %s is %s", name,
						node, dead ? "dead" : "alive");
		if (o.db == NULL ||
			node_call(ld, &o,
					  "select * from pgq_node.register_location($1, $2, $3, "
					  "$4::boolean)",
					  4, p) >= 300)
			failed++;
		node_close(&o);
	}
	PQclear(m);
	free(loc);
	return m ? failed : failed + 1;
}

/*
 * A table in sync keeps its copy's snapshot for a while, to skip events
 * the copy had (the worker drops it once no batch can reach it).  Its
 * txids are the old provider's: after a change of provider they mean
 * nothing, and the node, paused at a tick after every handover, needs
 * them no more.  Dropped here so they cannot hide the new provider's
 * events.
 */
static void
forget_copy_snapshots(Ld *ld, Node *n)
{
	const char *p[1] = {ld->queue};
	PGresult *res;
	int i;

	if (ld->plain)
		return;
	res = ld_query(
		n->db,
		"select table_name from londiste.get_table_list($1) where "
		"local and merge_state = 'ok' and custom_snapshot is not null",
		1, p);

	for (i = 0; res && i < PQntuples(res); i++)
	{
		const char *sp[2] = {ld->queue, PQgetvalue(res, i, 0)};

		node_call(ld, n,
				  "select * from londiste.local_set_table_state($1, $2, null, "
				  "'ok')",
				  2, sp);
	}
	PQclear(res);
}

/*
 * Wait until prov holds the tick n stands at: a branch that was just
 * moved itself, or is behind, may not have copied it yet (registering n
 * there at a tick it lacks fails).
 */
static bool
wait_for_tick(Ld *ld, Node *n, Node *prov)
{
	char tick[32];
	const char *p[2] = {ld->queue, tick};
	int i;

	snprintf(tick, sizeof(tick), "%lld", n->last_tick);
	for (i = 0; i < 1200; i++)
	{
		PGresult *res = ld_query(prov->db,
								 "select count(*) from pgq.tick t join "
								 "pgq.queue q on q.queue_id = t.tick_queue "
								 "where q.queue_name = $1 and t.tick_id = "
								 "$2::int8",
								 2, p);
		bool have = res && strcmp(PQgetvalue(res, 0, 0), "0") != 0;

		PQclear(res);
		if (res == NULL)
			return false;
		if (have)
			return true;
		if (i == 0)
			log_info("[%s] waiting for %s to reach tick %s", n->name,
					 prov->name, tick);
		usleep(100000);
	}
	log_error("[%s] %s has not reached tick %s in 120 s", n->name, prov->name,
			  tick);
	return false;
}

/*
 * Subscribe node n to provider prov at n's completed tick: its location
 * there, the subscription made anew (a registration from an attempt
 * before is dropped first), n's bookkeeping switched, n resumed, and the
 * registration on any other node dropped.  n must be paused.
 */
static bool
move_node(Ld *ld, Node *n, Node *prov)
{
	char *loc = location_of(ld, n->name);
	char tick[32];
	const char *lp[4] = {ld->queue, n->name, loc, "f"};
	const char *up[2] = {ld->queue, n->name};
	const char *rp[4] = {ld->queue, n->name, n->worker, tick};
	const char *cp[3] = {ld->queue, n->worker, prov->name};
	bool ok;

	if (loc == NULL || !node_read(ld, n))
	{
		free(loc);
		return false;
	}
	snprintf(tick, sizeof(tick), "%lld", n->last_tick);
	if (!wait_for_tick(ld, n, prov))
	{
		free(loc);
		return false;
	}
	ok = node_call(ld, prov,
				   "select * from pgq_node.register_location($1, $2, $3, "
				   "$4::boolean)",
				   4, lp) < 300;
	free(loc);
	if (!ok)
		return false;
	if (node_call(ld, prov,
				  "select * from pgq_node.unregister_subscriber($1, $2)", 2,
				  up) >= 400 ||
		node_call(ld, prov,
				  "select * from pgq_node.register_subscriber($1, $2, $3, "
				  "$4::int8)",
				  4, rp) >= 300)
		return false;
	if (strcmp(n->provider, prov->name) != 0 &&
		node_call(
			ld, n,
			"select * from pgq_node.change_consumer_provider($1, $2, $3)", 3,
			cp) >= 300)
		return false;
	snprintf(n->provider, sizeof(n->provider), "%s", prov->name);
	forget_copy_snapshots(ld, n);
	if (!set_paused(ld, n, false))
		return false;
	unregister_elsewhere(ld, n->name, prov->name);
	return true;
}

/* change-provider of node n to prov (both open). */
static bool
change_provider(Ld *ld, Node *n, Node *prov)
{
	int below;

	if (strcmp(prov->type, "leaf") == 0)
	{
		log_error("%s is a leaf: it cannot be a provider", prov->name);
		return false;
	}
	if (strcmp(n->type, "root") == 0)
	{
		log_error("%s is the root: it reads from no provider (takeover "
				  "moves roots)",
				  n->name);
		return false;
	}
	below = is_below(ld, prov->name, n->name);
	if (below != 0)
	{
		if (below > 0)
			log_error("%s is %s itself or reads from it: it cannot be its "
					  "provider",
					  prov->name, n->name);
		return false;
	}
	if (strcmp(n->provider, prov->name) == 0 && !n->paused)
		log_info("[%s] reads from %s already", n->name, prov->name);
	log_info("[%s] moving from %s to %s", n->name, n->provider, prov->name);
	if (!set_paused(ld, n, true))
		return false;
	if (!move_node(ld, n, prov))
	{
		log_error("[%s] change of provider to %s not finished: run the "
				  "same command again to finish it (the worker stays "
				  "paused meanwhile)",
				  n->name, prov->name);
		return false;
	}
	log_info("[%s] reads from %s now", n->name, prov->name);
	return true;
}

/* The node the command acts for: --node, or the local one. */
static bool
open_target(Ld *ld, Node *n)
{
	PGresult *res;
	char name[256];

	if (ld_local(ld) == NULL)
		return false;
	if (ld->opt.node)
		return node_open(ld, n, ld->opt.node);
	res = ld_node_info(ld->db, ld->queue, NULL);
	if (res == NULL)
		return false;
	snprintf(name, sizeof(name), "%s", ld_field(res, "node_name"));
	PQclear(res);
	return node_open(ld, n, name);
}

int
cmd_change_provider(Ld *ld)
{
	Node n, prov;
	bool ok;

	memset(&prov, 0, sizeof(prov));
	if (ld->opt.provider == NULL)
	{
		log_error("change-provider needs --provider=NODE");
		return 1;
	}
	if (!open_target(ld, &n))
		return 1;
	ok = node_open(ld, &prov, ld->opt.provider) &&
		 change_provider(ld, &n, &prov);
	node_close(&prov);
	node_close(&n);
	return ok ? 0 : 1;
}

/* The lag of n: the root's now() minus the time of n's completed tick. */
static double
node_lag(Ld *ld, Node *root, Node *n)
{
	char tick[32];
	const char *p[2] = {ld->queue, tick};
	PGresult *res;
	double lag = -1;

	snprintf(tick, sizeof(tick), "%lld", n->last_tick);
	res = ld_query(root->db,
				   "select extract(epoch from now() - t.tick_time) from "
				   "pgq.tick t join pgq.queue q on q.queue_id = t.tick_queue "
				   "where q.queue_name = $1 and t.tick_id = $2::int8",
				   2, p);
	if (res && PQntuples(res) == 1)
		lag = atof(PQgetvalue(res, 0, 0));
	PQclear(res);
	return lag;
}

/*
 * The switchover's checks on the new node: every local table in sync and
 * the lag under takeover_max_lag.  --force: the checks are listed as
 * skipped.
 */
static bool
takeover_checks(Ld *ld, Node *old, Node *new)
{
	const char *p[1] = {ld->queue};
	PGresult *res;
	double lag;
	bool ok = true;

	if (ld->opt.force)
	{
		log_warning("--force: not checked: the tables' sync state on %s, "
					"its lag",
					new->name);
		return true;
	}
	if (!ld->plain) /* a plain queue has no tables */
	{
		res =
			ld_query(new->db,
					 "select count(*), string_agg(table_name || ' ' || "
					 "coalesce(merge_state, 'new'), ', ' order by table_name) "
					 "from londiste.get_table_list($1) where local and "
					 "merge_state is distinct from 'ok'",
					 1, p);
		if (res == NULL)
			return false;
		if (atoi(PQgetvalue(res, 0, 0)) > 0)
		{
			log_error("[%s] tables not in sync: %s; wait for them (wait-sync) "
					  "or use --force",
					  new->name, PQgetvalue(res, 0, 1));
			ok = false;
		}
		PQclear(res);
	}
	lag = node_lag(ld, old, new);
	if (lag < 0 || lag > ld->cfg.takeover_max_lag)
	{
		if (lag < 0)
			log_error("[%s] its lag is unknown (its last tick %lld is not on "
					  "%s any more); use --force to go on",
					  new->name, new->last_tick, old->name);
		else
			log_error("[%s] lags %.1f s behind %s, more than takeover_max_lag "
					  "(%.0f s); wait, raise it, or use --force",
					  new->name, lag, old->name, ld->cfg.takeover_max_lag);
		ok = false;
	}
	return ok;
}

/* demote_root(queue, step, new provider) on n; false unless 2xx. */
static bool
demote(Ld *ld, Node *n, int step, const char *provider)
{
	char st[16];
	const char *p[3] = {ld->queue, st, provider};

	snprintf(st, sizeof(st), "%d", step);
	return node_call(ld, n,
					 "select ret_code, ret_note from "
					 "pgq_node.demote_root($1, $2::int4, $3)",
					 3, p) < 300;
}

/* The queue's last tick on node n (a root, or a demoted one). */
static long long
top_tick(Ld *ld, Node *n)
{
	const char *p[1] = {ld->queue};
	PGresult *res = ld_query(
		n->db, "select last_tick_id from pgq.get_queue_info($1)", 1, p);
	long long t = -1;

	if (res && PQntuples(res) == 1)
		t = atoll(PQgetvalue(res, 0, 0));
	PQclear(res);
	return t;
}

static bool
inserts_disabled(Ld *ld, Node *n)
{
	const char *p[1] = {ld->queue};
	PGresult *res = ld_query(
		n->db,
		"select queue_disable_insert from pgq.queue where queue_name = $1", 1,
		p);
	bool d =
		res && PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "t") == 0;

	PQclear(res);
	return d;
}

/*
 * Switchover: the live root old becomes a branch of new, which becomes
 * the root.  Steps (each skipped when a run before did it):
 *	1. old's worker paused; old's queue closed to writers (demote_root 1)
 *	2. a last tick on old after every writer (demote_root 2)
 *	3. new's worker completes it; new paused and promoted to root
 *	4. old subscribed to new at that tick, new unsubscribed from old
 *	5. new resumed; old demoted to a branch of new (demote_root 3), resumed
 */
static bool
switchover(Ld *ld, Node *old, Node *new)
{
	char tick[32];
	long long last;

	if (strcmp(old->type, "root") == 0 && strcmp(new->type, "root") != 0)
	{
		if (!inserts_disabled(ld, old))
		{
			if (!takeover_checks(ld, old, new))
				return false;
			if (strcmp(new->provider, old->name) != 0)
			{
				/* under a branch of old: read from old first */
				log_info("[%s] moving under %s first", new->name, old->name);
				if (!change_provider(ld, new, old))
					return false;
			}
		}
		else
			log_info("[%s] writing is disabled already: a switchover was "
					 "begun; going on",
					 old->name);
		if (!set_paused(ld, old, true))
			return false;
		if (!demote(ld, old, 1, new->name) || !demote(ld, old, 2, new->name))
			return false;
		last = top_tick(ld, old);
		if (last < 0)
			return false;
		if (new->paused && !set_paused(ld, new, false))
			return false;
		if (!wait_tick(ld, new, last))
			return false;
		if (!set_paused(ld, new, true))
			return false;
		{
			const char *pp[1] = {ld->queue};

			if (node_call(ld, new, "select * from pgq_node.promote_branch($1)",
						  1, pp) >= 300)
				return false;
		}
		if (!node_read(ld, new))
			return false;
	}
	else if (strcmp(old->type, "root") == 0 && strcmp(new->type, "root") == 0)
	{
		if (!inserts_disabled(ld, old))
		{
			log_error("%s and %s are both roots and %s takes writes: not "
					  "a switchover this command began; resolve by hand",
					  old->name, new->name, old->name);
			return false;
		}
		log_info("[%s] promoted already; finishing the switchover", new->name);
	}
	else if (strcmp(new->type, "root") == 0 &&
			 strcmp(old->provider, new->name) == 0)
	{
		log_info("the switchover to %s is done; resuming the workers",
				 new->name);
		return (!new->paused || set_paused(ld, new, false)) &&
			   (!old->paused || set_paused(ld, old, false));
	}
	else
	{
		log_error("%s is a %s reading from %s: not a root to take over",
				  old->name, old->type, old->provider);
		return false;
	}

	/* new is the root; old, still a root with writing disabled, follows */
	last = top_tick(ld, old);
	if (last < 0)
		return false;
	snprintf(tick, sizeof(tick), "%lld", last);
	{
		char *loc = location_of(ld, old->name);
		const char *lp[4] = {ld->queue, old->name, loc, "f"};
		const char *up[2] = {ld->queue, old->name};
		const char *rp[4] = {ld->queue, old->name, old->worker, tick};
		const char *op[2] = {ld->queue, new->name};
		bool ok;

		ok = loc != NULL &&
			 node_call(ld, new,
					   "select * from pgq_node.register_location($1, $2, $3, "
					   "$4::boolean)",
					   4, lp) < 300 &&
			 node_call(ld, new,
					   "select * from pgq_node.unregister_subscriber($1, $2)",
					   2, up) < 400 &&
			 node_call(ld, new,
					   "select * from pgq_node.register_subscriber($1, $2, "
					   "$3, $4::int8)",
					   4, rp) < 300 &&
			 node_call(ld, old,
					   "select * from pgq_node.unregister_subscriber($1, $2)",
					   2, op) < 400;
		free(loc);
		if (!ok)
			return false;
	}
	if (!set_paused(ld, new, false))
		return false;
	if (!demote(ld, old, 3, new->name))
		return false;
	if (!node_read(ld, old) || !set_paused(ld, old, false))
		return false;
	log_info("%s is the root now; %s reads from it", new->name, old->name);
	return true;
}

/* Every alive node that reads from old (but new) reads from new. */
static bool
move_subscribers(Ld *ld, Node *old, Node *new)
{
	PGresult *m = alive_members(ld);
	bool ok = m != NULL;
	int i;

	for (i = 0; ok && i < PQntuples(m); i++)
	{
		const char *name = PQgetvalue(m, i, 0);
		Node o;

		if (strcmp(name, old->name) == 0 || strcmp(name, new->name) == 0)
			continue;
		if (node_open(ld, &o, name) && strcmp(o.provider, old->name) == 0)
			ok = change_provider(ld, &o, new);
		node_close(&o);
	}
	PQclear(m);
	return ok;
}

/*
 * Failover: old (a root) is dead.  new is promoted after catching up
 * with the furthest-ahead of old's other subscribers; a gravestone
 * consumer "<old>.gravestone" on new keeps the failover tick for
 * resurrect; then old's other subscribers move to new.
 */
static bool
failover(Ld *ld, Node *old, Node *new)
{
	PGresult *m = alive_members(ld);
	char best[256] = "";
	long long best_tick = -1;
	char grave[300], tick[32];
	int i;
	bool ok = true;

	if (m == NULL)
		return false;
	/* 1. old dead on every alive member */
	tell_members(ld, old->name, true);
	/* 2. the furthest ahead of old's subscribers */
	if (strcmp(new->type, "root") != 0)
		for (i = 0; i < PQntuples(m); i++)
		{
			const char *name = PQgetvalue(m, i, 0);
			Node o;

			if (strcmp(name, old->name) == 0 || strcmp(name, new->name) == 0)
				continue;
			if (node_open(ld, &o, name) &&
				strcmp(o.provider, old->name) == 0 &&
				strcmp(o.type, "leaf") != 0 && o.last_tick > new->last_tick &&
				o.last_tick > best_tick)
			{
				snprintf(best, sizeof(best), "%s", name);
				best_tick = o.last_tick;
			}
			node_close(&o);
		}
	if (best[0])
	{
		Node b;

		log_info("[%s] %s is further ahead (tick %lld): catching up from it",
				 new->name, best, best_tick);
		ok = node_open(ld, &b, best) && change_provider(ld, new, &b) &&
			 wait_tick(ld, new, best_tick);
		node_close(&b);
		if (!ok)
		{
			PQclear(m);
			return false;
		}
	}
	/* 3. promote, with the gravestone */
	if (strcmp(new->type, "root") != 0)
	{
		const char *pp[1] = {ld->queue};

		if (!set_paused(ld, new, true) ||
			node_call(ld, new, "select * from pgq_node.promote_branch($1)", 1,
					  pp) >= 300 ||
			!node_read(ld, new))
		{
			PQclear(m);
			return false;
		}
	}
	snprintf(grave, sizeof(grave), "%s.gravestone", old->name);
	snprintf(tick, sizeof(tick), "%lld", top_tick(ld, new));
	{
		const char *cp[2] = {ld->queue, grave};
		PGresult *has = ld_query(
			new->db, "select 1 from pgq.get_consumer_info($1, $2)", 2, cp);

		if (has && PQntuples(has) == 0)
		{
			const char *rp[4] = {ld->queue, old->name, grave, tick};

			ok =
				node_call(ld, new,
						  "select * from pgq_node.register_subscriber($1, $2, "
						  "$3, $4::int8)",
						  4, rp) < 300;
		}
		PQclear(has);
	}
	if (ok && new->paused)
		ok = set_paused(ld, new, false);
	PQclear(m);
	/* 4. old's other subscribers read from new */
	ok = ok && move_subscribers(ld, old, new);
	if (ok)
		log_info("%s is the root now (failover from %s at tick %s; %s keeps "
				 "it for resurrect)",
				 new->name, old->name, tick, grave);
	return ok;
}

/*
 * Takeover of a branch (or leaf) old by new: new moves next to old when
 * it reads from old, then old reads from new.  --dead-branch: old is
 * dead; its subscribers move to new.
 */
static bool
takeover_branch(Ld *ld, Node *old, Node *new, bool dead)
{
	bool ok = true;

	if (strcmp(new->type, "leaf") == 0)
	{
		log_error("%s is a leaf: it cannot take over %s", new->name,
				  old->name);
		return false;
	}
	if (!dead)
	{
		if (strcmp(new->provider, old->name) == 0)
		{
			Node up;

			ok = node_open(ld, &up, old->provider) &&
				 change_provider(ld, new, &up);
			node_close(&up);
			if (!ok)
				return false;
		}
		if (!node_read(ld, old) || (strcmp(old->provider, new->name) != 0 &&
									!change_provider(ld, old, new)))
			return false;
	}
	return !(dead || ld->opt.all) || move_subscribers(ld, old, new);
}

int
cmd_takeover(Ld *ld)
{
	Node new, old;
	bool dead_root = false, dead_branch = false, ok;
	const char *oldname;

	memset(&old, 0, sizeof(old));
	if (ld->nargs != 1)
	{
		log_error("takeover takes the name of the node to take over");
		return 1;
	}
	oldname = ld->args[0];
	dead_root = ld->opt.dead_root;
	dead_branch = ld->opt.dead_branch;
	if (!open_target(ld, &new))
		return 1;
	if (strcmp(new.name, oldname) == 0)
	{
		log_error("a node cannot take over itself");
		node_close(&new);
		return 1;
	}
	if (dead_root || dead_branch)
	{
		/* old cannot be asked: it is what the members say it was */
		snprintf(old.name, sizeof(old.name), "%s", oldname);
		if (dead_root)
			snprintf(old.type, sizeof(old.type), "root");
		ok = dead_root ? failover(ld, &old, &new)
					   : takeover_branch(ld, &old, &new, true);
		if (ok && dead_branch)
		{
			const char *p[4] = {ld->queue, oldname, NULL, "t"};
			char *loc = location_of(ld, oldname);

			p[2] = loc;
			ok = loc && node_call(ld, &new,
								  "select * from pgq_node.register_location("
								  "$1, $2, $3, $4::boolean)",
								  4, p) < 300;
			free(loc);
		}
	}
	else
	{
		if (!node_open(ld, &old, oldname))
		{
			log_error("%s does not answer: if it is gone, use --dead-root or "
					  "--dead-branch",
					  oldname);
			node_close(&old);
			node_close(&new);
			return 1;
		}
		if (strcmp(old.type, "root") == 0 ||
			(strcmp(new.type, "root") == 0 &&
			 strcmp(old.provider, new.name) == 0 &&
			 inserts_disabled(ld, &old)))
		{
			ok = switchover(ld, &old, &new);
			if (ok && ld->opt.all)
				ok = takeover_branch(ld, &old, &new, false);
		}
		else if (strcmp(new.type, "root") == 0 &&
				 strcmp(old.provider, new.name) == 0 &&
				 strcmp(old.type, "branch") == 0 && !ld->opt.all)
		{
			/* a finished switchover run again */
			ok = switchover(ld, &old, &new);
		}
		else
			ok = takeover_branch(ld, &old, &new, false);
	}
	node_close(&old);
	node_close(&new);
	if (!ok)
		log_error("takeover of %s not finished: run the same command again "
				  "to go on from the step that is left",
				  oldname);
	return ok ? 0 : 1;
}

/* tag-dead NODE / tag-alive NODE: on every member that answers. */
int
cmd_tag_node(Ld *ld)
{
	if (ld->nargs != 1)
	{
		log_error("%s takes one node name", ld->command);
		return 1;
	}
	if (ld_local(ld) == NULL)
		return 1;
	return tell_members(ld, ld->args[0], strcmp(ld->command, "tag-dead") == 0)
			   ? 1
			   : 0;
}

/*
 * drop-node NODE: refused while NODE has subscribers; the node dropped on
 * itself when it answers, its location off the root (an event tells every
 * node), then the node dropped on every other member.
 */
int
cmd_drop_node(Ld *ld)
{
	const char *name;
	const char *p[2];
	Node n, root;
	PGresult *m;
	char rootname[256] = "";
	int i;

	memset(&root, 0, sizeof(root));
	if (ld->nargs != 1)
	{
		log_error("drop-node takes one node name");
		return 1;
	}
	name = ld->args[0];
	if (ld_local(ld) == NULL)
		return 1;
	p[0] = ld->queue;
	p[1] = name;
	/* subscribers of NODE anywhere alive? */
	m = alive_members(ld);
	for (i = 0; m && i < PQntuples(m); i++)
	{
		Node o;
		bool feeds;

		if (strcmp(PQgetvalue(m, i, 0), name) == 0)
			continue;
		if (!node_open(ld, &o, PQgetvalue(m, i, 0)))
		{
			node_close(&o);
			continue;
		}
		feeds = strcmp(o.provider, name) == 0 && strcmp(o.type, "root") != 0;
		if (strcmp(o.type, "root") == 0)
			snprintf(rootname, sizeof(rootname), "%s", o.name);
		node_close(&o);
		if (feeds)
		{
			log_error("%s still feeds %s: move it first (change-provider)",
					  name, PQgetvalue(m, i, 0));
			PQclear(m);
			return 1;
		}
	}
	if (m == NULL)
		return 1;
	/* the node itself first, while the members still know where it is */
	if (!is_dead(ld, name) && node_open(ld, &n, name))
		node_call(ld, &n, "select * from pgq_node.drop_node($1, $2)", 2, p);
	else
		log_warning("[%s] not reachable or dead: not dropped on itself", name);
	node_close(&n);
	if (rootname[0] && strcmp(rootname, name) != 0 &&
		node_open(ld, &root, rootname))
		node_call(ld, &root,
				  "select * from pgq_node.unregister_location($1, $2)", 2, p);
	node_close(&root);
	for (i = 0; i < PQntuples(m); i++)
	{
		Node o;

		if (strcmp(PQgetvalue(m, i, 0), name) == 0)
			continue;
		memset(&o, 0, sizeof(o));
		snprintf(o.name, sizeof(o.name), "%s", PQgetvalue(m, i, 0));
		o.db = ld_member_connect(ld, o.name);
		if (o.db)
			node_call(ld, &o, "select * from pgq_node.drop_node($1, $2)", 2,
					  p);
		node_close(&o);
	}
	PQclear(m);
	log_info("node %s dropped", name);
	return 0;
}

/*
 * resurrect, on an old root (or branch) brought back after a failover:
 *	1. the node holding "<this>.gravestone" (the failover tick F) is found
 *	   among the members; one and only one;
 *	2. this node stops being a root: demote_root 1, 2, 3 with that node as
 *	   the provider (a branch: its provider changed to it); the worker
 *	   paused;
 *	3. its subscribers and consumers (but the cascade's own, named with a
 *	   dot) unregistered: they follow the new root now;
 *	4. the events after F, which no other node got, written as JSON to
 *	   resurrect-lost-events.json (in the current directory; the file is
 *	   complete before anything is deleted) and deleted from the queue
 *	   with the ticks after F;
 *	5. the node subscribed to the gravestone's node at F (the gravestone
 *	   goes), its global watermark taken from there, and tagged alive on
 *	   every member.
 * The tables are not touched: their rows of the lost events are the
 * operator's to reconcile (resync).  The worker stays paused.  Run again,
 * each step is skipped when done.
 */
#define LOST_EVENTS_FILE "resurrect-lost-events.json"

/* Write the events of queue qid after tick f of db as JSON; the count. */
static long long
dump_lost(Ld *ld, PGconn *db, const char *qid, const char *f)
{
	char sql[1024];
	PGresult *res;
	json_t *arr;
	FILE *fp;
	long long n;
	int i;

	snprintf(sql, sizeof(sql),
			 "select e.ev_id, e.ev_time::text, e.ev_txid, e.ev_retry, "
			 "e.ev_type, e.ev_data, e.ev_extra1, e.ev_extra2, e.ev_extra3, "
			 "e.ev_extra4 from pgq.event_%s e, pgq.tick t where "
			 "t.tick_queue = %s and t.tick_id = %s and not "
			 "txid_visible_in_snapshot(e.ev_txid, t.tick_snapshot) order by "
			 "e.ev_id",
			 qid, qid, f);
	res = ld_query(db, sql, 0, NULL);
	if (res == NULL)
		return -1;
	n = PQntuples(res);
	if (n == 0)
	{
		PQclear(res);
		return 0;
	}
	arr = json_array();
	for (i = 0; i < n; i++)
	{
		json_t *o = json_object();
		static const char *names[] = {
			"ev_id",   "ev_time",	"ev_txid",	 "ev_retry",  "ev_type",
			"ev_data", "ev_extra1", "ev_extra2", "ev_extra3", "ev_extra4"};
		int c;

		for (c = 0; c < 10; c++)
		{
			json_t *v;

			if (PQgetisnull(res, i, c))
				v = json_null();
			else if (c == 0 || c == 2 || c == 3)
				v = json_integer(atoll(PQgetvalue(res, i, c)));
			else
				v = json_string(PQgetvalue(res, i, c));
			json_object_set_new(o, names[c], v);
		}
		json_object_set_new(o, "after_tick", json_integer(atoll(f)));
		json_array_append_new(arr, o);
	}
	PQclear(res);
	fp = fopen(LOST_EVENTS_FILE ".tmp", "w");
	if (fp == NULL ||
		json_dumpf(arr, fp, JSON_INDENT(1) | JSON_PRESERVE_ORDER) != 0 ||
		fputc('\n', fp) == EOF || fflush(fp) != 0 || fsync(fileno(fp)) != 0 ||
		fclose(fp) != 0 ||
		rename(LOST_EVENTS_FILE ".tmp", LOST_EVENTS_FILE) != 0)
	{
		log_error("cannot write %s: %m", LOST_EVENTS_FILE);
		json_decref(arr);
		return -1;
	}
	json_decref(arr);
	log_info("%lld lost events written to %s", n, LOST_EVENTS_FILE);
	(void) ld;
	return n;
}

int
cmd_resurrect(Ld *ld)
{
	Node me, g;
	PGresult *m, *res;
	char gname[256] = "", grave[300], f[32] = "", qid[32];
	const char *p1[1] = {ld->queue};
	int i, found = 0;
	bool ok = false;

	memset(&g, 0, sizeof(g));
	if (!open_target(ld, &me))
		return 1;
	if (strcmp(me.type, "leaf") == 0)
	{
		log_error("resurrect is for a root or branch that was failed over; "
				  "%s is a leaf",
				  me.name);
		node_close(&me);
		return 1;
	}
	snprintf(grave, sizeof(grave), "%s.gravestone", me.name);
	/* 1. the gravestone */
	m = ld_query(ld->db,
				 "select node_name from pgq_node.get_queue_locations($1) "
				 "order by node_name",
				 1, p1);
	for (i = 0; m && i < PQntuples(m); i++)
	{
		const char *name = PQgetvalue(m, i, 0);
		const char *cp[2] = {ld->queue, grave};
		Node o;

		if (strcmp(name, me.name) == 0)
			continue;
		if (!node_open(ld, &o, name))
		{
			node_close(&o);
			continue;
		}
		res = ld_query(o.db,
					   "select last_tick from pgq.get_consumer_info($1, $2)",
					   2, cp);
		if (res && PQntuples(res) == 1)
		{
			found++;
			snprintf(gname, sizeof(gname), "%s", name);
			snprintf(f, sizeof(f), "%s", PQgetvalue(res, 0, 0));
		}
		PQclear(res);
		node_close(&o);
	}
	PQclear(m);
	if (found != 1)
	{
		if (found == 0 && strcmp(me.type, "branch") == 0 && me.provider[0])
			log_info("no gravestone of %s: resurrected already (reads from "
					 "%s)",
					 me.name, me.provider);
		else
			log_error("%s gravestone of %s found: nothing to resurrect from",
					  found ? "more than one" : "no", me.name);
		node_close(&me);
		return found == 0 && strcmp(me.type, "branch") == 0 ? 0 : 1;
	}
	log_info("%s holds %s at tick %s", gname, grave, f);
	if (!node_open(ld, &g, gname))
		goto out;

	/* 2. no root any more; the worker paused */
	if (strcmp(me.type, "root") == 0)
	{
		/* the worker (not expected to run) is paused, not asked */
		if (!set_paused_flag(ld, &me))
			goto out;
		for (i = 1; i <= 3; i++)
			if (!demote(ld, &me, i, gname))
				goto out;
	}
	else
	{
		const char *cp[3] = {ld->queue, me.worker, gname};

		if (!set_paused_flag(ld, &me))
			goto out;
		if (strcmp(me.provider, gname) != 0 &&
			node_call(ld, &me,
					  "select * from pgq_node.change_consumer_provider($1, "
					  "$2, $3)",
					  3, cp) >= 300)
			goto out;
	}

	/* 3. subscribers and consumers of this node's queue */
	res = ld_query(me.db,
				   "select node_name from pgq_node.get_subscriber_info($1)", 1,
				   p1);
	for (i = 0; res && i < PQntuples(res); i++)
	{
		const char *up[2] = {ld->queue, PQgetvalue(res, i, 0)};

		node_call(ld, &me,
				  "select * from pgq_node.unregister_subscriber($1, $2)", 2,
				  up);
	}
	PQclear(res);
	res = ld_query(me.db,
				   "select consumer_name from pgq.get_consumer_info($1) "
				   "where consumer_name !~ '^\\.'",
				   1, p1);
	for (i = 0; res && i < PQntuples(res); i++)
	{
		const char *up[2] = {ld->queue, PQgetvalue(res, i, 0)};

		PQclear(
			ld_query(me.db, "select pgq.unregister_consumer($1, $2)", 2, up));
		log_info("[%s] consumer %s unregistered", me.name, up[1]);
	}
	PQclear(res);

	/* 4. the lost events: to the file, then out of the queue */
	res = ld_query(
		me.db, "select queue_id from pgq.queue where queue_name = $1", 1, p1);
	if (res == NULL || PQntuples(res) != 1)
	{
		PQclear(res);
		goto out;
	}
	snprintf(qid, sizeof(qid), "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	if (dump_lost(ld, me.db, qid, f) < 0)
		goto out;
	{
		char sql[1024];
		bool done;

		PQclear(PQexec(me.db, "begin"));
		snprintf(sql, sizeof(sql),
				 "delete from pgq.event_%s e using pgq.tick t where "
				 "t.tick_queue = %s and t.tick_id = %s and not "
				 "txid_visible_in_snapshot(e.ev_txid, t.tick_snapshot)",
				 qid, qid, f);
		done = ld_exec(me.db, sql, 0, NULL);
		snprintf(sql, sizeof(sql),
				 "delete from pgq.tick where tick_queue = %s and tick_id > %s",
				 qid, f);
		done = done && ld_exec(me.db, sql, 0, NULL);
		res = PQexec(me.db, done ? "commit" : "rollback");
		done = done && PQresultStatus(res) == PGRES_COMMAND_OK;
		PQclear(res);
		if (!done)
			goto out;
	}

	/* 5. subscribed at F where the gravestone was */
	{
		const char *cp[3] = {ld->queue, me.worker, f};
		const char *up[2] = {ld->queue, me.name};
		const char *rp[4] = {ld->queue, me.name, me.worker, f};
		char *loc = location_of(ld, me.name);
		PGresult *wm;

		/* the gravestone goes and the subscription comes in one
		 * transaction: a run cut short leaves one or the other */
		PQclear(PQexec(g.db, "begin"));
		if (loc == NULL ||
			node_call(ld, &me,
					  "select * from pgq_node.set_consumer_completed($1, $2, "
					  "$3::int8)",
					  3, cp) >= 300 ||
			node_call(ld, &g,
					  "select * from pgq_node.unregister_subscriber($1, $2)",
					  2, up) >= 400)
		{
			PQclear(PQexec(g.db, "rollback"));
			free(loc);
			goto out;
		}
		wm = ld_query(g.db,
					  "select ret_code, ret_note, global_watermark from "
					  "pgq_node.register_subscriber($1, $2, $3, $4::int8)",
					  4, rp);
		if (wm == NULL || atoi(PQgetvalue(wm, 0, 0)) >= 300)
		{
			if (wm)
				log_error("[%s] %s", gname, PQgetvalue(wm, 0, 1));
			PQclear(wm);
			PQclear(PQexec(g.db, "rollback"));
			free(loc);
			goto out;
		}
		{
			PGresult *c = PQexec(g.db, "commit");
			bool committed = PQresultStatus(c) == PGRES_COMMAND_OK;

			PQclear(c);
			if (!committed)
			{
				PQclear(wm);
				free(loc);
				goto out;
			}
		}
		log_info("[%s] %s", gname, PQgetvalue(wm, 0, 1));
		{
			const char *sp[2] = {ld->queue, PQgetvalue(wm, 0, 2)};

			node_call(ld, &me,
					  "select * from pgq_node.set_global_watermark($1, "
					  "$2::int8)",
					  2, sp);
		}
		PQclear(wm);
		free(loc);
		/* alive again, on every member */
		tell_members(ld, me.name, false);
	}
	log_info("%s reads from %s from tick %s; its worker is paused: "
			 "reconcile the tables (resync), then resume",
			 me.name, gname, f);
	ok = true;
out:
	if (!ok)
		log_error("resurrect of %s not finished: run it again to go on",
				  me.name);
	node_close(&g);
	node_close(&me);
	return ok ? 0 : 1;
}

/*
 * rename-node OLD NEW (upstream's calls functions that do not exist).
 * pgq_node has no rename, so its tables are changed directly, node by
 * node, each in one transaction, and in an order that keeps every
 * reference valid: NEW's location on every member first; then on OLD
 * itself its node row (and its worker's provider when it is the root),
 * on OLD's provider the subscription (with its watermark consumer moved
 * to ".NEW.watermark" at the same tick), on every node reading from OLD
 * the provider name; OLD's location last.  Run again, the steps done are
 * no-ops.
 */
int
cmd_rename_node(Ld *ld)
{
	const char *oldn, *newn;
	char *loc;
	PGresult *m;
	int i, failed = 0;

	if (ld->nargs != 2)
	{
		log_error("rename-node takes the old and the new name");
		return 1;
	}
	oldn = ld->args[0];
	newn = ld->args[1];
	if (ld_local(ld) == NULL)
		return 1;
	loc = location_of(ld, oldn);
	if (loc == NULL)
		return 1;
	m = alive_members(ld);
	/* 1. NEW's location everywhere */
	for (i = 0; m && i < PQntuples(m); i++)
	{
		const char *name = PQgetvalue(m, i, 0);
		const char *lp[4] = {ld->queue, newn, loc, "f"};
		Node o;

		memset(&o, 0, sizeof(o));
		snprintf(o.name, sizeof(o.name), "%s", name);
		o.db = ld_member_connect(ld, name);
		if (o.db == NULL ||
			node_call(ld, &o,
					  "select * from pgq_node.register_location($1, $2, $3, "
					  "$4::boolean)",
					  4, lp) >= 300)
			failed++;
		node_close(&o);
	}
	if (failed || m == NULL)
	{
		log_error("not every member knows %s yet: nothing renamed; run again "
				  "when they answer",
				  newn);
		PQclear(m);
		free(loc);
		return 1;
	}
	/* 2. the references, node by node (OLD may be called NEW already) */
	for (i = 0; i < PQntuples(m); i++)
	{
		const char *name = PQgetvalue(m, i, 0);
		const char *p[3] = {ld->queue, oldn, newn};
		Node o;
		PGresult *r;
		bool ok;

		if (strcmp(name, newn) == 0)
			continue;
		memset(&o, 0, sizeof(o));
		snprintf(o.name, sizeof(o.name), "%s", name);
		o.db = ld_member_connect(ld, strcmp(name, oldn) == 0 ? oldn : name);
		if (o.db == NULL)
		{
			failed++;
			continue;
		}
		PQclear(PQexec(o.db, "begin"));
		ok = ld_exec(o.db,
					 "update pgq_node.node_info set node_name = $3 where "
					 "queue_name = $1 and node_name = $2",
					 3, p) &&
			 ld_exec(o.db,
					 "update pgq_node.local_state set provider_node = $3 "
					 "where queue_name = $1 and provider_node = $2",
					 3, p);
		r = ok ? ld_query(o.db,
						  "select s.watermark_name, c.last_tick from "
						  "pgq_node.subscriber_info s, "
						  "pgq.get_consumer_info($1, s.watermark_name) c "
						  "where s.queue_name = $1 and s.subscriber_node = $2",
						  2, p)
			   : NULL;
		if (r && PQntuples(r) == 1)
		{
			char wm[300];
			const char *wp[3] = {ld->queue, wm, PQgetvalue(r, 0, 1)};
			const char *up[5] = {ld->queue, oldn, newn, wm,
								 PQgetvalue(r, 0, 0)};

			snprintf(wm, sizeof(wm), ".%s.watermark", newn);
			ok =
				ld_exec(o.db,
						"select pgq.register_consumer_at($1, $2, $3::int8)", 3,
						wp) &&
				ld_exec(o.db,
						"update pgq_node.subscriber_info set subscriber_node "
						"= $3, watermark_name = $4 where queue_name = $1 and "
						"subscriber_node = $2",
						4, up) &&
				ld_exec(o.db, "select pgq.unregister_consumer($1, $5)", 5, up);
		}
		else if (r == NULL)
			ok = false;
		PQclear(r);
		r = PQexec(o.db, ok ? "commit" : "rollback");
		ok = ok && PQresultStatus(r) == PGRES_COMMAND_OK;
		PQclear(r);
		if (!ok)
			failed++;
		node_close(&o);
	}
	/* 3. OLD's location last */
	for (i = 0; !failed && i < PQntuples(m); i++)
	{
		const char *name = PQgetvalue(m, i, 0);
		const char *p[2] = {ld->queue, oldn};
		Node o;

		memset(&o, 0, sizeof(o));
		snprintf(o.name, sizeof(o.name), "%s", name);
		o.db = ld_member_connect(ld, strcmp(name, oldn) == 0 ? newn : name);
		if (o.db)
			ld_exec(o.db,
					"delete from pgq_node.node_location where queue_name = $1 "
					"and node_name = $2",
					2, p);
		node_close(&o);
	}
	PQclear(m);
	free(loc);
	if (failed)
	{
		log_error("rename of %s to %s not finished: run it again", oldn, newn);
		return 1;
	}
	log_info("node %s is called %s now", oldn, newn);
	return 0;
}
