/*-------------------------------------------------------------------------
 *
 * consumer_script.c
 *	  A PgQ consumer as a script (see skytools/consumer_script.h): the
 *	  consumer's keys per mode next to the script's own, registration,
 *	  one batch per round with its statistics.
 *
 * IDENTIFICATION
 *	  lib/src/consumer_script.c
 *
 *-------------------------------------------------------------------------
 */
#include "skytools/consumer_script.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skytools/cascade.h"
#include "skytools/clock.h"
#include "skytools/log.h"

/* where the script's own struct starts after SkyConsumerCommon */
#define OWN_OFF ((sizeof(SkyConsumerCommon) + 15) & ~(size_t) 15)

#define K(name, field, type, def, help)                                       \
	{                                                                         \
		name, type, offsetof(SkyConsumerCommon, field), def, help             \
	}

static const CfKey queue_keys[] = {
	K("queue_name", queue_name, CF_STR, NULL, "the queue to read"),
	K("pgq_queue_name", pgq_queue_name, CF_STR, NULL,
	  "the same as queue_name (upstream's older name)"),
	K("consumer_name", consumer_name, CF_STR, NULL,
	  "the consumer's name; default: job_name"),
	K("pgq_consumer_id", pgq_consumer_id, CF_STR, NULL,
	  "the same as consumer_name (upstream's older name)"),
	K("pgq_lazy_fetch", pgq_lazy_fetch, CF_INT, "300",
	  "events fetched at a time from the batch's cursor"),
	K("keepalive_stats", keepalive_stats, CF_TIME, "300",
	  "seconds between statistics lines while idle"),
	{NULL, CF_STR, 0, NULL, NULL},
};
static const CfKey src_key[] = {
	K("src_db", src_db, CF_STR, NULL,
	  "connect string of the queue's database"),
	{NULL, CF_STR, 0, NULL, NULL},
};
static const CfKey dst_key[] = {
	K("dst_db", dst_db, CF_STR, NULL,
	  "connect string of the database the events are applied to"),
	{NULL, CF_STR, 0, NULL, NULL},
};
static const CfKey coop_keys[] = {
	K("subconsumer_name", subconsumer_name, CF_STR, NULL,
	  "this process's name among the consumer's sub-consumers"),
	K("subconsumer_timeout", subconsumer_timeout, CF_TIME, "0",
	  "seconds after which a silent peer's batch is taken over; 0: never"),
	{NULL, CF_STR, 0, NULL, NULL},
};
static const CfKey node_keys[] = {
	K("db", db, CF_STR, NULL,
	  "connect string of the node that keeps the consumer's position"),
	K("src_db", src_db, CF_STR, NULL, "the same as db"),
	{NULL, CF_STR, 0, NULL, NULL},
};

static const char *const switches[] = {"register", "unregister",
									   "provider=", NULL};

/* the one consumer of the process */
static struct
{
	const SkyConsumerDef *def;
	SkyScript *script;
	SkyConsumerMode mode; /* as run: REMOTE without dst_db is LOCAL */
	PgqConsumer *consumer;
	Cascade *cascade;
	const char *queue;
	const char *name;
	bool registered;
	PgqConsumerStats last;
	double idle_since; /* the last statistics line while idle */
	int idle_rounds;
} cs;

void *
sky_consumer_cfg(SkyScript *s)
{
	return (char *) sky_script_cfg(s) + OWN_OFF;
}

const SkyConsumerCommon *
sky_consumer_common(SkyScript *s)
{
	return sky_script_cfg(s);
}

const char *
sky_consumer_queue(SkyScript *s)
{
	const SkyConsumerCommon *c = sky_consumer_common(s);

	return c->queue_name ? c->queue_name : c->pgq_queue_name;
}

const char *
sky_consumer_name(SkyScript *s)
{
	const SkyConsumerCommon *c = sky_consumer_common(s);

	if (c->consumer_name)
		return c->consumer_name;
	if (c->pgq_consumer_id)
		return c->pgq_consumer_id;
	return sky_script_common(s)->job_name;
}

PGconn *
sky_consumer_db(PgqConsumer *c)
{
	PGconn *t = pgq_consumer_target_conn(c);

	return t ? t : pgq_consumer_queue_conn(c);
}

/* the keys of the mode and the script's, over one struct */
static CfKey *
build_keys(const SkyConsumerDef *d)
{
	const CfKey *parts[4] = {queue_keys, NULL, NULL, NULL};
	int n = 0, i, j, k = 0;
	CfKey *keys;

	switch (d->mode)
	{
		case SKY_CONSUMER_LOCAL:
			/* with subconsumer_name set: COOP */
			parts[1] = src_key;
			parts[2] = coop_keys;
			break;
		case SKY_CONSUMER_REMOTE:
			parts[1] = src_key;
			parts[2] = dst_key;
			if (d->dst_optional)
				parts[3] = coop_keys; /* without dst_db */
			break;
		case SKY_CONSUMER_COOP:
			parts[1] = src_key;
			parts[2] = coop_keys;
			break;
		case SKY_CONSUMER_CASCADE:
			parts[1] = node_keys;
			break;
	}
	for (i = 0; i < 4; i++)
		for (j = 0; parts[i] && parts[i][j].name; j++)
			n++;
	for (j = 0; d->keys && d->keys[j].name; j++)
		n++;
	keys = calloc((size_t) n + 1, sizeof(CfKey));
	if (keys == NULL)
		return NULL;
	for (i = 0; i < 4; i++)
		for (j = 0; parts[i] && parts[i][j].name; j++)
			keys[k++] = parts[i][j];
	for (j = 0; d->keys && d->keys[j].name; j++)
	{
		keys[k] = d->keys[j];
		keys[k++].offset += OWN_OFF;
	}
	return keys;
}

/* the checks the key table cannot make; false logged */
static bool
check_keys(SkyScript *s)
{
	const SkyConsumerCommon *c = sky_consumer_common(s);
	const char *ini = sky_script_ini(s);

	if (sky_consumer_queue(s) == NULL)
	{
		log_error("%s: queue_name is not set", ini);
		return false;
	}
	if (cs.def->mode == SKY_CONSUMER_CASCADE ? !c->db && !c->src_db
											 : !c->src_db)
	{
		log_error("%s: %s is not set", ini,
				  cs.def->mode == SKY_CONSUMER_CASCADE ? "db" : "src_db");
		return false;
	}
	if (cs.def->mode == SKY_CONSUMER_REMOTE && !c->dst_db &&
		!cs.def->dst_optional)
	{
		log_error("%s: dst_db is not set", ini);
		return false;
	}
	if (cs.def->mode == SKY_CONSUMER_COOP && !c->subconsumer_name)
	{
		log_error("%s: subconsumer_name is not set", ini);
		return false;
	}
	if (c->subconsumer_name && c->dst_db)
	{
		log_error("%s: subconsumer_name with dst_db: sub-consumers apply "
				  "into the queue's database only",
				  ini);
		return false;
	}
	return true;
}

/* remote without pgq_ext: nothing recorded, nothing checked */
static int
untracked_check(PgqConsumer *c, const PgqBatch *b, void *arg)
{
	(void) c;
	(void) b;
	(void) arg;
	return 0;
}

static int
untracked_done(PgqConsumer *c, const PgqBatch *b, void *arg)
{
	(void) c;
	(void) b;
	(void) arg;
	return 0;
}

static const PgqTargetHooks untracked_hooks = {
	.check = untracked_check,
	.done = untracked_done,
};

/* 1 dst_db has pgq_ext, 0 it has not, -1 it cannot be asked */
static int
has_pgq_ext(const char *conninfo)
{
	PGconn *db = PQconnectdb(conninfo);
	PGresult *res;
	int r = -1;

	if (PQstatus(db) != CONNECTION_OK)
		log_error("cannot connect to dst_db: %s", PQerrorMessage(db));
	else
	{
		res =
			PQexec(db, "select to_regprocedure("
					   "'pgq_ext.set_batch_done(text, bigint)') is not null");
		if (PQresultStatus(res) == PGRES_TUPLES_OK)
			r = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
		else
			log_error("dst_db: %s", PQresultErrorMessage(res));
		PQclear(res);
	}
	PQfinish(db);
	return r;
}

static void
drop_consumer(void)
{
	if (cs.cascade)
		cascade_free(cs.cascade);
	else
		pgq_consumer_free(cs.consumer);
	cs.cascade = NULL;
	cs.consumer = NULL;
	memset(&cs.last, 0, sizeof(cs.last));
}

/* the consumer for the current configuration; false logged */
static bool
make_consumer(SkyScript *s)
{
	const SkyConsumerCommon *c = sky_consumer_common(s);
	const SkyScriptCommon *sc = sky_script_common(s);

	cs.queue = sky_consumer_queue(s);
	cs.name = sky_consumer_name(s);
	if (cs.def->mode == SKY_CONSUMER_CASCADE)
	{
		CascadeOpts o = {0};

		o.node_db = c->db ? c->db : c->src_db;
		o.queue_name = cs.queue;
		o.worker_name = cs.name;
		o.plain = true;
		o.any_node = true;
		o.fetch_size = c->pgq_lazy_fetch;
		o.loop_delay = sc->loop_delay;
		o.on_event = cs.def->on_event;
		o.arg = s;
		cs.cascade = cascade_new(&o);
		if (cs.cascade == NULL)
			return false;
		cs.consumer = cascade_consumer(cs.cascade);
		cs.mode = SKY_CONSUMER_CASCADE;
		return true;
	}
	{
		PgqConsumerOpts o = {0};

		o.queue_db = c->src_db;
		o.queue_name = cs.queue;
		o.consumer_name = cs.name;
		o.fetch_size = c->pgq_lazy_fetch;
		o.loop_delay = sc->loop_delay;
		o.on_event = cs.def->on_event;
		o.on_batch = cs.def->on_batch;
		o.arg = s;
		cs.mode = cs.def->mode;
		if (c->subconsumer_name)
		{
			cs.mode = SKY_CONSUMER_COOP;
			o.subconsumer = c->subconsumer_name;
			o.dead_interval = c->subconsumer_timeout;
		}
		if (cs.def->mode == SKY_CONSUMER_REMOTE && c->dst_db == NULL)
			cs.mode =
				c->subconsumer_name ? SKY_CONSUMER_COOP : SKY_CONSUMER_LOCAL;
		else if (cs.def->mode == SKY_CONSUMER_REMOTE)
		{
			int ext = has_pgq_ext(c->dst_db);

			if (ext < 0)
				return false;
			if (ext == 0 && !cs.def->untracked_ok)
			{
				log_error("dst_db has no pgq_ext (CREATE EXTENSION pgq_ext): "
						  "batches cannot be applied exactly once without it");
				return false;
			}
			if (ext == 0)
			{
				log_warning("dst_db has no pgq_ext: a batch is applied "
							"again if the script dies between its two "
							"commits");
				o.hooks = &untracked_hooks;
			}
			o.target_db = c->dst_db;
		}
		cs.consumer = pgq_consumer_new(&o);
		return cs.consumer != NULL;
	}
}

static PGconn *
connect_logged(const char *conninfo, const char *what)
{
	PGconn *db = PQconnectdb(conninfo);

	if (PQstatus(db) != CONNECTION_OK)
	{
		log_error("cannot connect to %s: %s", what, PQerrorMessage(db));
		PQfinish(db);
		return NULL;
	}
	return db;
}

/* a query with parameters; NULL logged */
static PGresult *
q(PGconn *db, const char *what, const char *sql, int n, const char *const *p)
{
	PGresult *res = PQexecParams(db, sql, n, NULL, p, NULL, NULL, 0);

	if (PQresultStatus(res) != PGRES_TUPLES_OK &&
		PQresultStatus(res) != PGRES_COMMAND_OK)
	{
		log_error("%s: %s", what, PQresultErrorMessage(res));
		PQclear(res);
		return NULL;
	}
	return res;
}

/*
 * A cascaded consumer's registration (cascade_register_plain): on the
 * provider at the queue's head, on the node with its provider and that
 * position; or its end.  1 done, 0 registered (or gone) already, -1 error.
 */
static int
cascade_register(SkyScript *s, bool unregister)
{
	const SkyConsumerCommon *c = sky_consumer_common(s);
	const char *provider = sky_script_flag(s, "provider");
	const char *p[2] = {cs.queue, cs.name};
	PGconn *node = connect_logged(c->db ? c->db : c->src_db, "the node");
	PGconn *prov = NULL;
	PGresult *res;
	int rc = -1;
	char *loc = NULL;

	if (node == NULL)
		return -1;
	res = q(node, "reading the consumer",
			"select ret_code, provider_location "
			"from pgq_node.get_consumer_state($1, $2)",
			2, p);
	if (res == NULL)
		goto out;
	if (atoi(PQgetvalue(res, 0, 0)) < 300)
	{
		/* known to the node */
		loc = strdup(PQgetvalue(res, 0, 1));
		PQclear(res);
		if (!unregister)
		{
			rc = 0;
			goto out;
		}
		prov = connect_logged(loc, "the provider");
		rc = cascade_unregister_plain(node, prov, cs.queue, cs.name) < 300
				 ? 1
				 : -1;
		goto out;
	}
	PQclear(res);
	if (unregister)
	{
		rc = 0;
		goto out;
	}
	/* the provider: the one named, else the node itself */
	res = q(node, "finding the provider",
			"select n.node_name, l.node_location "
			"from pgq_node.get_node_info($1) n "
			"join pgq_node.get_queue_locations($1) l "
			"  on l.node_name = coalesce($2, n.node_name)",
			2, (const char *const[]){cs.queue, provider});
	if (res == NULL)
		goto out;
	if (PQntuples(res) != 1)
	{
		log_error("%s: no such node in queue %s's cascade",
				  provider ? provider : "this node", cs.queue);
		PQclear(res);
		goto out;
	}
	{
		char *pname = strdup(PQgetvalue(res, 0, 0));

		if (provider == NULL)
			provider = pname;
		loc = strdup(PQgetvalue(res, 0, 1));
		PQclear(res);
		prov = connect_logged(loc, "the provider");
		if (prov)
			rc = cascade_register_plain(node, prov, cs.queue, cs.name,
										provider, false) < 300
					 ? 1
					 : -1;
		free(pname);
	}
out:
	free(loc);
	PQfinish(prov);
	PQfinish(node);
	return rc;
}

static int
do_register(SkyScript *s, bool unregister)
{
	int r;

	if (cs.def->mode == SKY_CONSUMER_CASCADE)
		r = cascade_register(s, unregister);
	else
	{
		if (cs.consumer == NULL && !make_consumer(s))
			return -1;
		r = unregister ? pgq_consumer_unregister(cs.consumer)
					   : pgq_consumer_register(cs.consumer);
	}
	if (r > 0)
		log_info("%s %s %s queue %s", cs.name,
				 unregister ? "unregistered from" : "registered on",
				 cs.def->mode == SKY_CONSUMER_CASCADE ? "the node's" : "the",
				 cs.queue);
	return r;
}

static int
start(SkyScript *s, int argc, char **argv)
{
	(void) argv;
	if (argc > 0)
	{
		log_error("unexpected argument: %s", argv[0]);
		return 1;
	}
	cs.script = s;
	if (!check_keys(s))
		return 1;
	cs.queue = sky_consumer_queue(s);
	cs.name = sky_consumer_name(s);
	if (sky_script_flag(s, "register") || sky_script_flag(s, "unregister"))
	{
		int r = do_register(s, sky_script_flag(s, "unregister") != NULL);

		if (r == 0)
			log_info("%s: nothing to do", cs.name);
		return r < 0 ? 1 : -1; /* -1: done, exit 0 */
	}
	if (sky_script_flag(s, "provider"))
	{
		log_error("--provider goes with --register");
		return 1;
	}
	if (cs.def->start)
		return cs.def->start(s);
	return 0;
}

static SkyWork
work(SkyScript *s)
{
	PgqConsumerStats st;
	double t0 = sky_mono_secs();
	int r;

	if (!cs.registered)
	{
		if (do_register(s, false) < 0)
			return SKY_ERROR;
		cs.registered = true;
	}
	if (cs.consumer == NULL && !make_consumer(s))
		return SKY_ERROR;
	r = pgq_consumer_run_once(cs.consumer);
	pgq_consumer_stats(cs.consumer, &st);
	if (r > 0)
	{
		sky_stat_inc(s, "count", (double) (st.events - cs.last.events));
		sky_stat_put(s, "duration", sky_mono_secs() - t0);
		if (st.retried > cs.last.retried)
			sky_stat_inc(s, "retry-events",
						 (double) (st.retried - cs.last.retried));
	}
	cs.last = st;
	if (r < 0)
		return SKY_ERROR;
	if (r == 0)
	{
		/* idle rounds are counted, and told every keepalive_stats */
		cs.idle_rounds++;
		if (cs.idle_since == 0)
			cs.idle_since = sky_mono_secs();
		else if (sky_mono_secs() - cs.idle_since >=
				 sky_consumer_common(s)->keepalive_stats)
		{
			sky_stat_put(s, "idle", cs.idle_rounds);
			cs.idle_rounds = 0;
			cs.idle_since = sky_mono_secs();
		}
		return SKY_IDLE;
	}
	cs.idle_since = 0;
	cs.idle_rounds = 0;
	return SKY_MORE;
}

static void
reload(SkyScript *s)
{
	/* the new keys take effect with a new consumer */
	drop_consumer();
	cs.registered = false;
	if (cs.def->reload)
		cs.def->reload(s);
}

static void
stop(SkyScript *s)
{
	if (cs.def->stop)
		cs.def->stop(s);
	drop_consumer();
}

int
sky_consumer_main(const SkyConsumerDef *def, int argc, char **argv)
{
	SkyScriptDef sd = {0};
	CfKey *keys = build_keys(def);
	int rc;

	if (keys == NULL)
		return 1;
	cs.def = def;
	sd.service = def->service;
	sd.alt_service = def->alt_service;
	sd.version = def->version;
	sd.keys = keys;
	sd.cfg_size = OWN_OFF + (def->cfg_size ? def->cfg_size : 1);
	sd.switches = switches;
	sd.switches_usage =
		def->mode == SKY_CONSUMER_CASCADE
			? "  --register [--provider=NODE]\n"
			  "                    register on the node (reading"
			  " from NODE) and exit\n"
			  "  --unregister      unregister and exit\n"
			: "  --register        register and exit\n"
			  "  --unregister      unregister and exit\n";
	sd.start = start;
	sd.work = work;
	sd.reload = reload;
	sd.stop = stop;
	rc = sky_script_main(&sd, argc, argv);
	free(keys);
	return rc;
}
