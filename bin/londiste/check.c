/*-------------------------------------------------------------------------
 *
 * check.c
 *	  `check` and `fkeys`, which upstream lists but never built.
 *
 * check [TABLE...]: for each local table (all by default), the columns
 * (name, type, NOT NULL) and the primary key here against the provider's
 * table of the same queue-wide name; one line per difference, exit 1 when
 * there is one.  On the root there is no provider: nothing to compare.
 *
 * fkeys [TABLE...]: the foreign keys that touch the local tables (either
 * end), as the statements that drop them and the statements that make
 * them again, for an operator who copies or repairs by hand.
 *
 * IDENTIFICATION
 *	  bin/londiste/check.c
 *
 *-------------------------------------------------------------------------
 */
#include "londiste.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skytools/log.h"

/* The tables asked for: the arguments (completed with public.) or all
 * local ones, as a text[] literal; malloc'd. */
static char *
table_array(Ld *ld)
{
	const char *p[1] = {ld->queue};
	PGresult *res = NULL;
	size_t len = 3;
	char *out;
	int i, n;

	if (ld->nargs == 0)
	{
		res = ld_query(ld->db,
					   "select table_name from londiste.get_table_list($1) "
					   "where local order by 1",
					   1, p);
		if (res == NULL)
			return NULL;
	}
	n = res ? PQntuples(res) : ld->nargs;
	for (i = 0; i < n; i++)
		len += strlen(res ? PQgetvalue(res, i, 0) : ld->args[i]) * 2 + 10;
	out = malloc(len);
	if (out == NULL)
		fatal("out of memory");
	strcpy(out, "{");
	for (i = 0; i < n; i++)
	{
		char *fq =
			res ? strdup(PQgetvalue(res, i, 0)) : ld_fqname(ld->args[i]);
		char *o = out + strlen(out);

		if (i)
			*o++ = ',';
		*o++ = '"';
		for (const char *c = fq; *c; c++)
		{
			if (*c == '"' || *c == '\\')
				*o++ = '\\';
			*o++ = *c;
		}
		*o++ = '"';
		*o = '\0';
		free(fq);
	}
	strcat(out, "}");
	PQclear(res);
	return out;
}

/* One row per column and one for the key: "table|kind|name|definition". */
static const char *struct_sql =
	"with t as (select u.name, londiste.find_table_oid(coalesce(l.dest_table, "
	"u.name)) as oid from unnest($2::text[]) u(name) left join "
	"londiste.get_table_list($1) l on l.table_name = u.name) "
	"select t.name, 'column', a.attname, format_type(a.atttypid, "
	"a.atttypmod) || case when a.attnotnull then ' not null' else '' end "
	"from t join pg_attribute a on a.attrelid = t.oid and a.attnum > 0 and "
	"not a.attisdropped "
	"union all select t.name, 'primary key', '', (select string_agg("
	"k.attname, ', ' order by array_position(i.indkey::int2[], k.attnum)) "
	"from pg_index i join pg_attribute k on k.attrelid = i.indrelid and "
	"k.attnum = any (i.indkey) where i.indrelid = t.oid and i.indisprimary) "
	"from t where t.oid is not null "
	"union all select t.name, 'table', '', 'missing' from t where t.oid is "
	"null order by 1, 2, 3";

static const char *
find_row(PGresult *r, const char *table, const char *kind, const char *name)
{
	int i;

	for (i = 0; i < PQntuples(r); i++)
		if (strcmp(PQgetvalue(r, i, 0), table) == 0 &&
			strcmp(PQgetvalue(r, i, 1), kind) == 0 &&
			strcmp(PQgetvalue(r, i, 2), name) == 0)
			return PQgetisnull(r, i, 3) ? "" : PQgetvalue(r, i, 3);
	return NULL;
}

int
cmd_check(Ld *ld)
{
	const char *p[2] = {ld->queue, NULL};
	PGresult *here, *there;
	PGconn *prov;
	char *tables, *cs;
	int i, diffs = 0;

	bool root;

	cs = ld_provider_connstr(ld, &root);
	if (root)
	{
		log_info("the root has no provider to compare with");
		return 0;
	}
	if (cs == NULL)
		return 1;
	prov = ld_connect(cs, "the provider");
	free(cs);
	if (prov == NULL)
		return 1;
	tables = table_array(ld);
	p[1] = tables;
	here = ld_query(ld->db, struct_sql, 2, p);
	there = ld_query(prov, struct_sql, 2, p);
	free(tables);
	PQfinish(prov);
	if (here == NULL || there == NULL)
	{
		PQclear(here);
		PQclear(there);
		return 1;
	}
	for (i = 0; i < PQntuples(there); i++)
	{
		const char *t = PQgetvalue(there, i, 0), *k = PQgetvalue(there, i, 1),
				   *n = PQgetvalue(there, i, 2);
		const char *def =
			PQgetisnull(there, i, 3) ? "" : PQgetvalue(there, i, 3);
		const char *mine = find_row(here, t, k, n);

		if (strcmp(k, "table") == 0)
		{
			printf("%s: table missing on the provider\n", t);
			diffs++;
		}
		else if (mine == NULL)
		{
			printf("%s: %s %s%s%s: on the provider only\n", t, k, n,
				   n[0] ? " " : "", def);
			diffs++;
		}
		else if (strcmp(mine, def) != 0)
		{
			printf("%s: %s %s%sdiffers: here %s, on the provider %s\n", t, k,
				   n, n[0] ? " " : "", mine[0] ? mine : "(none)",
				   def[0] ? def : "(none)");
			diffs++;
		}
	}
	for (i = 0; i < PQntuples(here); i++)
	{
		const char *t = PQgetvalue(here, i, 0), *k = PQgetvalue(here, i, 1),
				   *n = PQgetvalue(here, i, 2);

		if (strcmp(k, "table") == 0)
		{
			printf("%s: table missing here\n", t);
			diffs++;
		}
		else if (find_row(there, t, k, n) == NULL)
		{
			printf("%s: %s %s%s%s: here only\n", t, k, n, n[0] ? " " : "",
				   PQgetisnull(here, i, 3) ? "" : PQgetvalue(here, i, 3));
			diffs++;
		}
	}
	PQclear(here);
	PQclear(there);
	if (diffs)
		log_warning("%d difference(s) from the provider", diffs);
	else
		log_info("the tables have the provider's structure");
	return diffs ? 1 : 0;
}

int
cmd_fkeys(Ld *ld)
{
	const char *p[2] = {ld->queue, NULL};
	PGresult *res;
	char *tables;
	int i;

	if (ld_local(ld) == NULL)
		return 1;
	tables = table_array(ld);
	p[1] = tables;
	res = ld_query(
		ld->db,
		"with t as (select londiste.find_table_oid(coalesce(l.dest_table, "
		"u.name)) as oid from unnest($2::text[]) u(name) left join "
		"londiste.get_table_list($1) l on l.table_name = u.name) "
		"select distinct c.conrelid::regclass::text, quote_ident(c.conname), "
		"pg_get_constraintdef(c.oid) from pg_constraint c, t where c.contype "
		"= 'f' and (c.conrelid = t.oid or c.confrelid = t.oid) order by 1, 2",
		2, p);
	free(tables);
	if (res == NULL)
		return 1;
	printf("-- drop\n");
	for (i = 0; i < PQntuples(res); i++)
		printf("alter table only %s drop constraint %s;\n",
			   PQgetvalue(res, i, 0), PQgetvalue(res, i, 1));
	printf("-- create\n");
	for (i = 0; i < PQntuples(res); i++)
		printf("alter table only %s add constraint %s %s;\n",
			   PQgetvalue(res, i, 0), PQgetvalue(res, i, 1),
			   PQgetvalue(res, i, 2));
	PQclear(res);
	return 0;
}
