/*-------------------------------------------------------------------------
 *
 * config.c
 *	  pgqd's ini keys: upstream's names, types and defaults, and the
 *	  sample printed by --ini.
 *
 * IDENTIFICATION
 *	  bin/pgqd/config.c
 *
 *-------------------------------------------------------------------------
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skytools/cfg.h"
#include "skytools/pgutil.h"

#include "pgqd.h"

#define K(name, type, def, help)                                              \
	{                                                                         \
#name, type, offsetof(PgqdConfig, name), def, help                    \
	}

static const CfKey pgqd_keys[] = {
	K(logfile, CF_FILE, NULL, "log file; reopened after SIGHUP"),
	K(pidfile, CF_FILE, NULL, "pid file; needed for -d, -s, -k, -r"),
	K(base_connstr, CF_STR, "", "libpq connect string without dbname"),
	K(initial_database, CF_STR, "template1", "database that lists the others"),
	K(database_list, CF_STR, NULL, "comma-separated databases; empty: all"),
	K(syslog, CF_INT, "1", "also log to syslog (1) or not (0)"),
	K(syslog_ident, CF_STR, "pgqd", "syslog ident"),
	K(syslog_facility, CF_STR, "daemon", "syslog facility"),
	K(check_period, CF_TIME, "60", "seconds between database list checks"),
	K(maint_period, CF_TIME, "120", "seconds between maintenance rounds"),
	K(retry_period, CF_TIME, "30", "seconds between retry-event rounds"),
	K(ticker_period, CF_TIME, "1", "seconds between pgq.ticker() calls"),
	K(ticker_busy_period, CF_TIME, "0.1",
	  "seconds between quick ticks of queues with new events; 0: off"
	  " (not upstream)"),
	K(stats_period, CF_TIME, "30", "seconds between stats lines; 0: none"),
	K(connection_lifetime, CF_TIME, "3600",
	  "seconds a ticker connection lives; 0: forever"),
	K(metrics_port, CF_INT, "0",
	  "serve Prometheus metrics on 127.0.0.1:port; 0: off (not upstream)"),
	{NULL, CF_STR, 0, NULL, NULL},
};

bool
pgqd_load_config(const char *file, PgqdConfig *cfg, char *err, size_t errlen)
{
	memset(cfg, 0, sizeof(*cfg));
	return cf_load(file, "pgqd", pgqd_keys, cfg, err, errlen);
}

void
pgqd_free_config(PgqdConfig *cfg)
{
	cf_free(pgqd_keys, cfg);
}

const char *
pgqd_sample_ini(void)
{
	static char buf[4096];
	size_t n;
	const CfKey *k;

	n = snprintf(buf, sizeof(buf), "[pgqd]\n\n");
	for (k = pgqd_keys; k->name != NULL && n < sizeof(buf); k++)
		n += snprintf(
			buf + n, sizeof(buf) - n, "# %s\n%s%s = %s\n\n", k->help,
			k->def ? "#" : "#", k->name,
			k->def ? k->def
				   : (strcmp(k->name, "logfile") == 0	? "~/log/pgqd.log"
					  : strcmp(k->name, "pidfile") == 0 ? "~/pid/pgqd.pid"
														: ""));
	return buf;
}

/*
 * Conninfo for one database: application_name=pgqd first (so a setting
 * in base_connstr wins), then base_connstr, then the quoted dbname (last,
 * so it wins over any dbname in base_connstr).  malloc'd; NULL on OOM.
 */
char *
pgqd_connstr(const Pgqd *p, const char *dbname)
{
	const char *base = p->cfg.base_connstr ? p->cfg.base_connstr : "";
	size_t len = strlen(base) + strlen(dbname) * 2 + 64;
	char *s = malloc(len);

	if (s == NULL)
		return NULL;
	snprintf(s, len, "application_name=pgqd %s dbname=", base);
	if (!pg_conninfo_value(s, len, dbname))
	{
		free(s);
		return NULL;
	}
	return s;
}
