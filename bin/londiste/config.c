/*-------------------------------------------------------------------------
 *
 * config.c
 *	  Londiste's ini file: section [londiste] (or [londiste3], Skytools 3's
 *	  name), upstream's keys and defaults, %(job_name)s interpolation and
 *	  --set overrides (lib/pyini).  A key that is not Londiste's is an
 *	  error.
 *
 * IDENTIFICATION
 *	  bin/londiste/config.c
 *
 *-------------------------------------------------------------------------
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "londiste.h"
#include "skytools/pyini.h"

#define K(name, type, field, def, help)                                       \
	{                                                                         \
		name, type, offsetof(LdConfig, field), def, help                      \
	}

static const CfKey keys[] = {
	K("job_name", CF_STR, job_name, "%(job_name)s",
	  "process name; default the ini file's name without extension"),
	K("db", CF_STR, db, NULL, "connect string of the local node (required)"),
	K("queue_name", CF_STR, queue_name, NULL, "the cascaded queue (required)"),
	K("pgq_queue_name", CF_STR, pgq_queue_name, NULL,
	  "old name of queue_name"),
	K("consumer_name", CF_STR, consumer_name, NULL,
	  "the worker's name; default job_name"),
	K("logfile", CF_FILE, logfile, NULL, "log file; default stderr"),
	K("pidfile", CF_FILE, pidfile, NULL, "pid file; needed by -d, -s, -k, -r"),
	K("loop_delay", CF_TIME, loop_delay, "1.0",
	  "longest wait for a batch, seconds"),
	K("connection_lifetime", CF_TIME, connection_lifetime, "1200",
	  "reconnect after this many seconds"),
	K("exception_sleep", CF_TIME, exception_sleep, "20",
	  "wait after an error, seconds"),
	K("node_name", CF_STR, node_name, NULL, "create-*: the node's name"),
	K("public_node_location", CF_STR, public_node_location, NULL,
	  "create-*: how other nodes connect to this one"),
	K("initial_provider_location", CF_STR, initial_provider_location, NULL,
	  "create-branch/leaf: default --provider"),
	K("remote_extra_connstr", CF_STR, remote_extra_connstr, NULL,
	  "appended to connect strings read from pgq_node"),
	K("global_wm_publish_period", CF_TIME, global_wm_publish_period, "300",
	  "root: seconds between global watermark publications"),
	K("local_wm_publish_period", CF_TIME, local_wm_publish_period, "300",
	  "seconds between watermark reports to the provider"),
	K("parallel_copies", CF_INT, parallel_copies, "1",
	  "tables copied at the same time"),
	K("lock_timeout", CF_TIME, lock_timeout, "10",
	  "statement_timeout of add-table, seconds"),
	K("pgq_lazy_fetch", CF_INT, pgq_lazy_fetch, "300", "events per FETCH"),
	K("local_only", CF_STR, local_only, "0",
	  "fetch only the events of local tables"),
	K("missing_row", CF_STR, missing_row, "error",
	  "an UPDATE or DELETE that finds no row: error (default) or warning"),
	K("use_skylog", CF_STR, use_skylog, "0", "accepted, not used"),
	K("handler_modules", CF_STR, handler_modules, NULL,
	  "shared libraries with more table handlers, comma-separated"),
	K("handler_*", CF_STR, handler_free_keys, NULL,
	  "keys of handlers from handler_modules (handler_...)"),
	K("shard_info_sql", CF_STR, shard_info_sql,
	  "select shard_nr, shard_mask, shard_count from partconf.conf",
	  "shard handler: this node's shard number, mask and count"),
	K("obfuscator_map", CF_FILE, obfuscator_map, NULL,
	  "obfuscate handler: YAML file of per-table, per-column rules"),
	K("obfuscator_key", CF_STR, obfuscator_key, "",
	  "obfuscate handler: the key of the keyed hash"),
	K("register_only_tables", CF_STR, register_only_tables, NULL,
	  "create-*: register only these tables"),
	K("register_skip_tables", CF_STR, register_skip_tables, NULL,
	  "create-*: do not register these tables"),
	K("register_only_seqs", CF_STR, register_only_seqs, NULL,
	  "create-*: register only these sequences"),
	K("register_skip_seqs", CF_STR, register_skip_seqs, NULL,
	  "create-*: do not register these sequences"),
	K("log_size", CF_INT, log_size, "10485760", "accepted, not used"),
	K("log_count", CF_INT, log_count, "3", "accepted, not used"),
	K("keepalive_stats", CF_TIME, keepalive_stats, "300",
	  "seconds between idle stats lines"),
	K("metrics_port", CF_INT, metrics_port, "0",
	  "worker: serve Prometheus metrics on 127.0.0.1:port; 0: off (not "
	  "upstream)"),
	K("admin_timeout", CF_TIME, admin_timeout, "120",
	  "takeover, change-provider, pause: longest wait for a worker, s"),
	K("compare_chunk_rows", CF_INT, compare_chunk_rows, "100000",
	  "compare, repair: rows per chunk when narrowing a difference down"),
	K("takeover_max_lag", CF_TIME, takeover_max_lag, "60",
	  "takeover: refused when the new node lags more, seconds"),
	{NULL, CF_STR, 0, NULL, NULL},
};

static PyIni *job_ini;
static const char *job_section;

/* A key of the job's section as text (malloc'd), or NULL. */
char *
ld_config_get(const char *key)
{
	char err[256];

	return job_ini ? pyini_get(job_ini, job_section, key, err, sizeof(err))
				   : NULL;
}

bool
ld_load_config(Ld *ld, const char **sets, int nsets, char *err, size_t errlen)
{
	static const char *const sections[] = {"londiste", "londiste3", NULL};
	static const char *const plain_sections[] = {"setadm", "setadm3", NULL};
	PyIni *ini;
	const char *section;
	int i;
	bool ok, b;

	ini = pyini_load(ld->ini_file, err, errlen);
	if (ini == NULL)
		return false;
	for (i = 0; i < nsets; i++)
	{
		char *kv = strdup(sets[i]);
		char *eq = kv ? strchr(kv, '=') : NULL;

		if (eq == NULL)
		{
			snprintf(err, errlen, "--set takes KEY=VALUE, not \"%s\"",
					 sets[i]);
			free(kv);
			pyini_free(ini);
			return false;
		}
		*eq = '\0';
		ok = pyini_override(ini, kv, eq + 1);
		free(kv);
		if (!ok)
		{
			pyini_free(ini);
			snprintf(err, errlen, "out of memory");
			return false;
		}
	}
	section = pyini_find_section(ini, ld->plain ? plain_sections : sections);
	if (section == NULL)
	{
		snprintf(err, errlen, "%s: section [%s] missing", ld->ini_file,
				 ld->plain ? "setadm" : "londiste");
		pyini_free(ini);
		return false;
	}
	ok = pyini_fill(ini, section, keys, &ld->cfg, err, errlen);
	if (!ok)
	{
		pyini_free(ini);
		return false;
	}
	/* kept for the handlers' own keys (ld_config_get) */
	job_ini = ini;
	job_section = section;

	if (ld->cfg.queue_name == NULL)
	{
		ld->cfg.queue_name = ld->cfg.pgq_queue_name;
		ld->cfg.pgq_queue_name = NULL;
	}
	if (ld->cfg.consumer_name == NULL)
		ld->cfg.consumer_name = strdup(ld->cfg.job_name);
	if (ld->cfg.db == NULL || ld->cfg.queue_name == NULL)
	{
		snprintf(err, errlen, "%s: db and queue_name are required",
				 ld->ini_file);
		return false;
	}
	if (ld->cfg.parallel_copies < 1)
	{
		snprintf(err, errlen, "parallel_copies must be at least 1");
		return false;
	}
	if (strcmp(ld->cfg.missing_row, "error") != 0 &&
		strcmp(ld->cfg.missing_row, "warning") != 0)
	{
		snprintf(err, errlen,
				 "invalid value \"%s\" for missing_row: expected error or "
				 "warning",
				 ld->cfg.missing_row);
		return false;
	}
	if (!pyini_parse_bool(ld->cfg.local_only, &b) ||
		!pyini_parse_bool(ld->cfg.use_skylog, &b))
	{
		snprintf(err, errlen, "local_only and use_skylog take 0 or 1");
		return false;
	}
	return true;
}

const char *
ld_sample_ini(bool plain)
{
	static char buf[8192];
	size_t len = 0;
	const CfKey *k;

	len +=
		snprintf(buf + len, sizeof(buf) - len,
				 "[%s]\n"
				 "job_name = %%(job_name)s\n"
				 "db = dbname=mydb\n"
				 "queue_name = %s\n"
				 "logfile = ~/log/%%(job_name)s.log\n"
				 "pidfile = ~/pid/%%(job_name)s.pid\n\n",
				 plain ? "setadm" : "londiste", plain ? "myqueue" : "replika");
	for (k = keys; k->name && len < sizeof(buf); k++)
		if (strchr(k->name, '*') == NULL)
			len += snprintf(buf + len, sizeof(buf) - len, "# %s\n#%s = %s\n\n",
							k->help, k->name, k->def ? k->def : "");
	return buf;
}
