/*
 * table_consumer.c: a whole PgQ consumer on the script framework.  Each
 * event goes into table_name (ev_id bigint, ev_type text, ev_data text) in
 * the transaction that finishes its batch: exactly once.  Its ini has
 * [table_consumer] with src_db, queue_name and table_name (default seen). */
#include <stddef.h>
#include <stdio.h>

#include "skytools/consumer_script.h"
#include "skytools/log.h"

typedef struct Cfg
{
	char *table_name;
} Cfg;

static const CfKey keys[] = {
	{"table_name", CF_STR, offsetof(Cfg, table_name), "seen", "the table"},
	{NULL, CF_STR, 0, NULL, NULL},
};

static int
on_event(PgqConsumer *c, const PgqEvent *ev, void *arg)
{
	Cfg *cfg = sky_consumer_cfg(arg);
	char sql[256], id[24];
	const char *p[3] = {id, ev->type, ev->data};
	PGresult *r;
	int ok;

	snprintf(id, sizeof(id), "%lld", (long long) ev->id);
	snprintf(sql, sizeof(sql), "insert into %s values ($1, $2, $3)",
			 cfg->table_name);
	r = PQexecParams(sky_consumer_db(c), sql, 3, NULL, p, NULL, NULL, 0);
	if (!(ok = PQresultStatus(r) == PGRES_COMMAND_OK))
		log_error("insert: %s", PQresultErrorMessage(r));
	PQclear(r);
	return ok ? 0 : -1; /* -1: the batch is rolled back, it comes again */
}

int
main(int argc, char **argv)
{
	static const SkyConsumerDef def = {.service = "table_consumer",
									   .mode = SKY_CONSUMER_LOCAL,
									   .keys = keys,
									   .cfg_size = sizeof(Cfg),
									   .on_event = on_event};

	return sky_consumer_main(&def, argc, argv);
}
