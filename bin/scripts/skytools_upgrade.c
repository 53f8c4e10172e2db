/*-------------------------------------------------------------------------
 *
 * skytools_upgrade.c
 *	  Brings SkyTools' extensions in the given databases to the versions
 *	  installed on the server: upstream's skytools_upgrade3.
 *
 *	  skytools_upgrade [options] DB...
 *	  skytools_upgrade [options] --all
 *
 *	  DB is a database name or a connect string.  In each database, in
 *	  one transaction: pgq, pgq_ext, pgq_coop, pgq_node and londiste (in
 *	  that order: each needs the ones before it), when installed as an
 *	  extension at another version than the server's default, go to it
 *	  with ALTER EXTENSION ... UPDATE.  Each database gets one line: what
 *	  changed, or "nothing to do".  A database where an update fails is
 *	  left as it was (the transaction rolls back); the others go on; the
 *	  exit status is 1.
 *
 *	  --all               every database that takes connections
 *	  --not-really, -n    say what would be done, do nothing
 *	  --host, --port, --user   where to connect (default: libpq's)
 *	  -v                  also say what is up to date
 *	  -q                  only errors
 *
 * IDENTIFICATION
 *	  bin/scripts/skytools_upgrade.c
 *
 *-------------------------------------------------------------------------
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "skytools/script.h"

static const char *const exts[] = {"pgq",	   "pgq_ext",  "pgq_coop",
								   "pgq_node", "londiste", NULL};

static const char *host, *port, *user;
static bool not_really, verbose, quiet;

static PGconn *
connect_db(const char *db, const char *label)
{
	const char *keys[5], *vals[5];
	int n = 0;
	PGconn *c;

	keys[n] = "dbname";
	vals[n++] = db;
	if (host)
	{
		keys[n] = "host";
		vals[n++] = host;
	}
	if (port)
	{
		keys[n] = "port";
		vals[n++] = port;
	}
	if (user)
	{
		keys[n] = "user";
		vals[n++] = user;
	}
	keys[n] = vals[n] = NULL;
	/* expand_dbname: a connect string in DB, host/port/user win */
	c = PQconnectdbParams(keys, vals, 1);
	if (PQstatus(c) != CONNECTION_OK)
	{
		fprintf(stderr, "%s: cannot connect: %s", label, PQerrorMessage(c));
		PQfinish(c);
		return NULL;
	}
	PQclear(PQexec(c, "set client_min_messages = warning"));
	return c;
}

static bool
exec_ok(PGconn *c, const char *db, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;

	if (!ok)
		fprintf(stderr, "%s: %s: %s", db, sql, PQresultErrorMessage(r));
	PQclear(r);
	return ok;
}

/* what messages call a database: its name, never the connect string */
static void
db_label(char *dst, size_t len, const char *arg)
{
	PQconninfoOption *o, *opts;

	snprintf(dst, len, "%s", arg);
	if (strchr(arg, '=') == NULL && strstr(arg, "://") == NULL)
		return;
	snprintf(dst, len, "(a connect string)");
	opts = PQconninfoParse(arg, NULL);
	for (o = opts; o && o->keyword; o++)
		if (strcmp(o->keyword, "dbname") == 0 && o->val)
			snprintf(dst, len, "%s", o->val);
	PQconninfoFree(opts);
}

/* one database: 0 done (or nothing to do), 1 failed */
static int
upgrade_db(const char *arg)
{
	char db[256];
	PGconn *c;
	char did[1024] = "";
	size_t dl = 0;
	int i, rc = 0;

	db_label(db, sizeof(db), arg);
	c = connect_db(arg, db);
	if (c == NULL)
		return 1;
	if (!not_really && !exec_ok(c, db, "begin"))
	{
		PQfinish(c);
		return 1;
	}
	for (i = 0; exts[i] && rc == 0; i++)
	{
		const char *p[1] = {exts[i]};
		PGresult *r = PQexecParams(
			c,
			"select e.extversion, a.default_version, "
			"  (select count(*) from pg_namespace where nspname = $1) "
			"from (select $1::name as name) x "
			"left join pg_extension e on e.extname = x.name "
			"left join pg_available_extensions a on a.name = x.name",
			1, NULL, p, NULL, NULL, 0);
		const char *have, *want;

		if (PQresultStatus(r) != PGRES_TUPLES_OK)
		{
			fprintf(stderr, "%s: %s", db, PQresultErrorMessage(r));
			PQclear(r);
			rc = 1;
			break;
		}
		have = PQgetisnull(r, 0, 0) ? NULL : PQgetvalue(r, 0, 0);
		want = PQgetisnull(r, 0, 1) ? NULL : PQgetvalue(r, 0, 1);
		if (have == NULL && strcmp(PQgetvalue(r, 0, 2), "0") != 0)
			fprintf(stderr,
					"%s: warning: schema %s is not an extension: not "
					"upgraded (install it with CREATE EXTENSION in a new "
					"database and move the data)\n",
					db, exts[i]);
		else if (have && want == NULL)
			fprintf(stderr,
					"%s: warning: %s %s is installed but the server has no "
					"%s extension files\n",
					db, exts[i], have, exts[i]);
		else if (have && strcmp(have, want) == 0)
		{
			if (verbose)
				printf("%s: %s %s is up to date\n", db, exts[i], have);
		}
		else if (have)
		{
			char sql[128];

			snprintf(sql, sizeof(sql), "alter extension %s update", exts[i]);
			if (!not_really && !exec_ok(c, db, sql))
				rc = 1;
			else
				dl += (size_t) snprintf(did + dl, sizeof(did) - dl,
										"%s%s %s -> %s", dl ? ", " : "",
										exts[i], have, want);
		}
		PQclear(r);
	}
	if (!not_really)
	{
		if (rc == 0 && !exec_ok(c, db, "commit"))
			rc = 1;
		if (rc != 0)
			PQclear(PQexec(c, "rollback"));
	}
	PQfinish(c);
	if (rc != 0)
		fprintf(stderr, "%s: not upgraded (left as it was)\n", db);
	else if (!quiet)
		printf("%s: %s%s\n", db, dl ? did : "nothing to do",
			   dl && not_really ? " (not really)" : "");
	return rc;
}

static int
all_dbs(void)
{
	PGconn *c = connect_db("postgres", "postgres");
	PGresult *r;
	int i, rc = 0;

	if (c == NULL)
		return 1;
	r = PQexec(c, "select datname from pg_database "
				  "where datallowconn and not datistemplate order by 1");
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
	{
		fprintf(stderr, "listing the databases: %s", PQresultErrorMessage(r));
		PQclear(r);
		PQfinish(c);
		return 1;
	}
	for (i = 0; i < PQntuples(r); i++)
		rc |= upgrade_db(PQgetvalue(r, i, 0));
	PQclear(r);
	PQfinish(c);
	return rc;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: skytools_upgrade [options] DB... | --all\n"
			   "  --all               every database that takes connections\n"
			   "  -n, --not-really    say what would be done, do nothing\n"
			   "  --host HOST, --port PORT, --user USER\n"
			   "  -v, --verbose       also say what is up to date\n"
			   "  -q, --quiet         only errors\n"
			   "  -V, --version       print the version\n");
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"all", no_argument, NULL, 'a'},
		{"not-really", no_argument, NULL, 'n'},
		{"host", required_argument, NULL, 'H'},
		{"port", required_argument, NULL, 'P'},
		{"user", required_argument, NULL, 'U'},
		{"verbose", no_argument, NULL, 'v'},
		{"quiet", no_argument, NULL, 'q'},
		{"version", no_argument, NULL, 'V'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	bool all = false;
	int c, i, rc = 0;

	while ((c = getopt_long(argc, argv, "nvqVh", opts, NULL)) != -1)
	{
		switch (c)
		{
			case 'a':
				all = true;
				break;
			case 'n':
				not_really = true;
				break;
			case 'H':
				host = optarg;
				break;
			case 'P':
				port = optarg;
				break;
			case 'U':
				user = optarg;
				break;
			case 'v':
				verbose = true;
				break;
			case 'q':
				quiet = true;
				break;
			case 'V':
				printf("skytools_upgrade, Skytools version %s\n",
					   SKYTOOLS_VERSION);
				return 0;
			case 'h':
				usage(stdout);
				return 0;
			default:
				usage(stderr);
				return 1;
		}
	}
	if (all == (optind < argc))
	{
		fprintf(stderr,
				"skytools_upgrade: name the databases or give --all\n");
		usage(stderr);
		return 1;
	}
	if (all)
		rc = all_dbs();
	for (i = optind; i < argc; i++)
		rc |= upgrade_db(argv[i]);
	return rc;
}
