/*-------------------------------------------------------------------------
 *
 * position.c
 *	  Where the local worker stands against its provider and the root:
 *	  wait-root and wait-provider, and the worker's position repairs
 *	  --rewind and --reset.
 *
 * wait-root / wait-provider read the last tick the root (the provider)
 * has (a root: its queue's last tick; another node: the tick its worker
 * completed) and poll the local node every 2 s until its worker has
 * completed that tick.
 *
 * --rewind sets the worker's consumer on the provider back (or forward)
 * to the tick the local node has completed, so the next batch is the one
 * after it; --reset does the opposite: the local node records the
 * provider's position of the consumer as completed.  Both exit after.
 *
 * IDENTIFICATION
 *	  bin/londiste/position.c
 *
 *-------------------------------------------------------------------------
 */
#include "londiste.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "skytools/log.h"

/* A connection to the member named name, or NULL (logged). */
PGconn *
ld_member_connect(Ld *ld, const char *name)
{
	const char *p[2] = {ld->queue, name};
	PGresult *res =
		ld_query(ld->db,
				 "select node_location from pgq_node.get_queue_locations($1) "
				 "where node_name = $2",
				 2, p);
	PGconn *db = NULL;

	if (res == NULL)
		return NULL;
	if (PQntuples(res) != 1)
		log_error("node %s is not a member of queue %s", name, ld->queue);
	else
	{
		char *cs = ld_join_connstr(PQgetvalue(res, 0, 0),
								   ld->cfg.remote_extra_connstr);
		char what[300];

		snprintf(what, sizeof(what), "node %s", name);
		db = ld_connect(cs, what);
		free(cs);
	}
	PQclear(res);
	return db;
}

/*
 * The last tick of the node behind db: its queue's last tick on a root,
 * the tick its worker completed elsewhere; -1 on error.  Also whether it
 * is the root and its provider's name.
 */
static long long
node_top_tick(Ld *ld, PGconn *db, bool *is_root, char *provider, size_t plen)
{
	PGresult *res = ld_node_info(db, ld->queue, "the node");
	long long tick = -1;

	if (res == NULL)
		return -1;
	*is_root = strcmp(ld_field(res, "node_type"), "root") == 0;
	snprintf(provider, plen, "%s", ld_field(res, "provider_node"));
	if (!*is_root)
		tick = atoll(ld_field(res, "worker_last_tick"));
	PQclear(res);
	if (*is_root)
	{
		const char *p[1] = {ld->queue};

		res = ld_query(db, "select last_tick_id from pgq.get_queue_info($1)",
					   1, p);
		if (res == NULL)
			return -1;
		tick = atoll(PQgetvalue(res, 0, 0));
		PQclear(res);
	}
	return tick;
}

int
cmd_wait_position(Ld *ld)
{
	bool want_root = strcmp(ld->command, "wait-root") == 0;
	char name[256], provider[256];
	bool is_root;
	long long target;
	int i;
	PGresult *res;

	if (ld_local(ld) == NULL)
		return 1;
	res = ld_node_info(ld->db, ld->queue, NULL);
	if (res == NULL)
		return 1;
	if (strcmp(ld_field(res, "node_type"), "root") == 0)
	{
		log_info("this node is the root: nothing to wait for");
		PQclear(res);
		return 0;
	}
	snprintf(name, sizeof(name), "%s", ld_field(res, "provider_node"));
	PQclear(res);
	/* the provider, or up the provider links to the root */
	for (i = 0;; i++)
	{
		PGconn *db = ld_member_connect(ld, name);

		if (db == NULL)
			return 1;
		target = node_top_tick(ld, db, &is_root, provider, sizeof(provider));
		PQfinish(db);
		if (target < 0)
			return 1;
		if (!want_root || is_root)
			break;
		if (i >= 50 || provider[0] == '\0')
		{
			log_error("no root found above node %s", name);
			return 1;
		}
		snprintf(name, sizeof(name), "%s", provider);
	}
	log_info("waiting for the worker to complete tick %lld of %s", target,
			 name);
	for (;;)
	{
		long long done;

		res = ld_node_info(ld->db, ld->queue, NULL);
		if (res == NULL)
			return 1;
		done = atoll(ld_field(res, "worker_last_tick"));
		PQclear(res);
		if (done >= target)
			break;
		if (ld_stop_requested())
			return 1;
		sleep(2);
	}
	log_info("caught up with %s at tick %lld", name, target);
	return 0;
}

/* worker --rewind / --reset: the consumer's position, one way or other. */
int
ld_worker_position(Ld *ld, bool rewind)
{
	PGresult *info, *res;
	PGconn *prov;
	char provider[256], consumer[256];
	const char *p[3];
	long long local_tick;
	int code;

	if (ld_local(ld) == NULL)
		return 1;
	info = ld_node_info(ld->db, ld->queue, NULL);
	if (info == NULL)
		return 1;
	if (strcmp(ld_field(info, "node_type"), "root") == 0)
	{
		log_error("the root's worker reads no provider: nothing to %s",
				  rewind ? "rewind" : "reset");
		PQclear(info);
		return 1;
	}
	snprintf(provider, sizeof(provider), "%s",
			 ld_field(info, "provider_node"));
	snprintf(consumer, sizeof(consumer), "%s", ld_field(info, "worker_name"));
	local_tick = atoll(ld_field(info, "worker_last_tick"));
	PQclear(info);
	prov = ld_member_connect(ld, provider);
	if (prov == NULL)
		return 1;
	p[0] = ld->queue;
	p[1] = consumer;
	if (rewind)
	{
		char tick[32];

		snprintf(tick, sizeof(tick), "%lld", local_tick);
		p[2] = tick;
		res = ld_query(
			prov, "select pgq.register_consumer_at($1, $2, $3::int8)", 3, p);
		code = res ? 0 : 1;
		PQclear(res);
		if (code == 0)
			log_info("consumer %s on %s rewound to tick %s", consumer,
					 provider, tick);
	}
	else
	{
		res = ld_query(
			prov, "select last_tick from pgq.get_consumer_info($1, $2)", 2, p);
		if (res == NULL || PQntuples(res) != 1)
		{
			if (res)
				log_error("consumer %s is not registered on %s", consumer,
						  provider);
			PQclear(res);
			PQfinish(prov);
			return 1;
		}
		p[2] = PQgetvalue(res, 0, 0);
		code = ld_ret(ld_query(ld->db,
							   "select * from pgq_node.set_consumer_completed("
							   "$1, $2, $3::int8)",
							   3, p),
					  "set_consumer_completed");
		if (code < 300)
			log_info("local position of %s reset to the provider's tick %s",
					 consumer, p[2]);
		code = code < 300 ? 0 : 1;
		PQclear(res);
	}
	PQfinish(prov);
	return code;
}
