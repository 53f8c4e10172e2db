/*-------------------------------------------------------------------------
 *
 * tables.c
 *	  The replicated tables and sequences of the local node: add-table,
 *	  remove-table, add-seq, remove-seq, tables, seqs, missing, resync,
 *	  wait-sync, on the londiste extension's functions.
 *
 * Table arguments as upstream's: a name without a dot is in public; one
 * with '*' or '?' is a glob over the candidates (the missing objects for
 * add, the local ones for remove); --all takes every candidate.  Each
 * table is one call of the SQL API, whose notes are logged as they come;
 * a refusal (4xx) makes the command fail, after trying the others.
 *
 * IDENTIFICATION
 *	  bin/londiste/tables.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "londiste.h"
#include "urlenc.h"
#include "skytools/log.h"

typedef struct NameList
{
	char **v;
	int n;
} NameList;

static void
names_add(NameList *l, const char *s)
{
	char **nv = realloc(l->v, (l->n + 1) * sizeof(char *));

	if (nv == NULL)
		fatal("out of memory");
	l->v = nv;
	l->v[l->n++] = strdup(s);
}

static void
names_free(NameList *l)
{
	int i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

/*
 * The objects the arguments name: each plain name as given (with public.
 * added), each glob and --all expanded over the candidates (a query
 * returning names).  False when a glob matches nothing.
 */
static bool
expand_args(Ld *ld, const char *cand_sql, NameList *out)
{
	const char *p[1] = {ld->queue};
	PGresult *cand = ld_query(ld->db, cand_sql, 1, p);
	int i, j;
	bool ok = true;

	if (cand == NULL)
		return false;
	if (ld->opt.all)
		for (j = 0; j < PQntuples(cand); j++)
			names_add(out, PQgetvalue(cand, j, 0));
	for (i = 0; i < ld->nargs; i++)
	{
		char *fq = ld_fqname(ld->args[i]);

		if (strpbrk(fq, "*?"))
		{
			int found = 0;

			for (j = 0; j < PQntuples(cand); j++)
				if (ld_glob_match(fq, PQgetvalue(cand, j, 0)))
				{
					names_add(out, PQgetvalue(cand, j, 0));
					found++;
				}
			if (!found)
			{
				log_error("no object matches %s", ld->args[i]);
				ok = false;
			}
		}
		else
			names_add(out, fq);
		free(fq);
	}
	PQclear(cand);
	if (ok && out->n == 0)
	{
		log_error("give objects as arguments, or --all");
		ok = false;
	}
	return ok;
}

/* The trigger arguments and table attributes add-table makes. */
static void
build_args(Ld *ld, char *args, size_t alen, char *attrs, size_t tlen)
{
	size_t n = 0;
	int i;

	/* a text[] literal: each element quoted */
#define ADD(s)                                                                \
	do                                                                        \
	{                                                                         \
		const char *q_ = (s);                                                 \
		n += snprintf(args + n, alen > n ? alen - n : 0, "%s\"",              \
					  n > 1 ? "," : "");                                      \
		for (; *q_ && n + 3 < alen; q_++)                                     \
		{                                                                     \
			if (*q_ == '"' || *q_ == '\\')                                    \
				args[n++] = '\\';                                             \
			args[n++] = *q_;                                                  \
		}                                                                     \
		n += snprintf(args + n, alen > n ? alen - n : 0, "\"");               \
	} while (0)

	n = snprintf(args, alen, "{");
	for (i = 0; i < ld->opt.ntrigger_args; i++)
		ADD(ld->opt.trigger_args[i]);
	if (ld->opt.trigger_flags)
	{
		char f[64];

		snprintf(f, sizeof(f), "tgflags=%s", ld->opt.trigger_flags);
		ADD(f);
	}
	if (ld->opt.no_triggers)
		ADD("no_triggers");
	if (ld->opt.merge_all)
		ADD("merge_all");
	if (ld->opt.no_merge)
		ADD("no_merge");
	if (ld->opt.expect_sync)
		ADD("expect_sync");
	snprintf(args + n, alen > n ? alen - n : 0, "}");
#undef ADD

	n = 0;
	attrs[0] = '\0';
	if (ld->opt.copy_node || ld->opt.find_copy_node)
		n += snprintf(attrs + n, tlen - n, "%scopy_node=%s", n ? "&" : "",
					  ld->opt.copy_node ? ld->opt.copy_node : "?");
	if (ld->opt.skip_truncate && !ld->opt.expect_sync)
		n += snprintf(attrs + n, tlen - n, "%sskip_truncate=1", n ? "&" : "");
	if (ld->opt.max_parallel_copy)
		n += snprintf(attrs + n, tlen - n, "%smax_parallel_copy=%s",
					  n ? "&" : "", ld->opt.max_parallel_copy);
	if (ld->opt.copy_condition)
	{
		/* urlencoded: the condition is free text */
		n += snprintf(attrs + n, tlen - n, "%scopy_condition=", n ? "&" : "");
		for (const char *c = ld->opt.copy_condition; *c && n + 4 < tlen; c++)
		{
			if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
				(*c >= '0' && *c <= '9') || strchr("_.-", *c))
				attrs[n++] = *c;
			else if (*c == ' ')
				attrs[n++] = '+';
			else
				n += snprintf(attrs + n, tlen - n, "%%%02x",
							  (unsigned char) *c);
		}
		attrs[n] = '\0';
	}
	if (ld->opt.columns &&
		n + SKY_URLENC_MAX(strlen(ld->opt.columns)) + 10 < tlen)
	{
		n +=
			(size_t) snprintf(attrs + n, tlen - n, "%scolumns=", n ? "&" : "");
		n += ld_attr_encode(attrs + n, ld->opt.columns);
	}
}

/* Whether the provider holds the table locally (in any state). */
static int
provider_has_table(Ld *ld, const char *table)
{
	const char *p[1] = {ld->queue};
	PGresult *res;
	PGconn *prov;
	char *cs;
	int found = 0, i;

	res = ld_query(ld->db,
				   "select node_type, provider_location from "
				   "pgq_node.get_node_info($1)",
				   1, p);
	if (res == NULL)
		return -1;
	if (strcmp(PQgetvalue(res, 0, 0), "root") == 0)
	{
		PQclear(res);
		return 1;
	}
	cs = ld_join_connstr(PQgetvalue(res, 0, 1), ld->cfg.remote_extra_connstr);
	PQclear(res);
	prov = ld_connect(cs, "the provider");
	free(cs);
	if (prov == NULL)
		return -1;
	res = ld_query(
		prov, "select table_name from londiste.get_table_list($1) where local",
		1, p);
	PQfinish(prov);
	if (res == NULL)
		return -1;
	for (i = 0; i < PQntuples(res); i++)
		if (strcmp(PQgetvalue(res, i, 0), table) == 0)
			found = 1;
	PQclear(res);
	return found;
}

/*
 * A subscriber registers the tables and sequences its provider carries
 * before attaching any (the worker does the same as the root announces
 * them): an object added on the root a moment ago can be added here at
 * once.
 */
static bool
sync_registrations(Ld *ld)
{
	const char *p[1] = {ld->queue};
	PGresult *res, *tl = NULL, *sl = NULL;
	PGconn *prov;
	char *cs;
	int i;
	bool ok = true;

	res = ld_query(ld->db,
				   "select node_type, provider_location from "
				   "pgq_node.get_node_info($1)",
				   1, p);
	if (res == NULL)
		return false;
	if (strcmp(PQgetvalue(res, 0, 0), "root") == 0 || PQgetisnull(res, 0, 1))
	{
		PQclear(res);
		return true;
	}
	cs = ld_join_connstr(PQgetvalue(res, 0, 1), ld->cfg.remote_extra_connstr);
	PQclear(res);
	prov = ld_connect(cs, "the provider");
	free(cs);
	if (prov == NULL)
		return false;
	tl = ld_query(prov, "select table_name from londiste.get_table_list($1)",
				  1, p);
	sl = ld_query(prov,
				  "select seq_name, last_value from londiste.get_seq_list($1)",
				  1, p);
	PQfinish(prov);
	if (tl == NULL || sl == NULL)
		ok = false;
	for (i = 0; ok && i < PQntuples(tl); i++)
	{
		const char *q[2] = {ld->queue, PQgetvalue(tl, i, 0)};

		if (!ld_register_wanted(ld, q[1], false))
			continue;
		res = ld_query(
			ld->db, "select * from londiste.global_add_table($1, $2)", 2, q);
		ok = res != NULL && atoi(PQgetvalue(res, 0, 0)) < 300;
		PQclear(res);
	}
	/* sequences the node does not know yet, at the provider's value */
	for (i = 0; ok && i < PQntuples(sl); i++)
	{
		const char *q[3] = {ld->queue, PQgetvalue(sl, i, 0),
							PQgetvalue(sl, i, 1)};

		if (!ld_register_wanted(ld, q[1], true))
			continue;
		res = ld_query(ld->db,
					   "select * from londiste.global_update_seq($1, $2, "
					   "$3::int8) where not exists (select 1 from "
					   "londiste.get_seq_list($1) s where s.seq_name = $2)",
					   3, q);
		ok = res != NULL &&
			 (PQntuples(res) == 0 || atoi(PQgetvalue(res, 0, 0)) < 300);
		PQclear(res);
	}
	PQclear(tl);
	PQclear(sl);
	return ok;
}

/*
 * The statements that make a table like the provider's, as rows (sql,
 * optional), in order.  $1 queue, $2 the queue-wide name, $3 the local
 * name, $4 whether --create-full.  --create: the schema when missing, the
 * columns (type, NOT NULL) and the primary key.  --create-full also: the
 * sequences the defaults use (when missing), defaults, collations,
 * identity and generated columns, the other constraints (unique, check,
 * exclusion, foreign keys), indexes, triggers other than Londiste's and
 * PgQ's, rules, the owner and the grants.  "Optional" statements may fail
 * (a role or a referenced table missing here) with a warning.
 */
static const char *create_sql =
	"with t as (select londiste.find_table_oid(coalesce(dest_table, "
	"table_name)) as oid from londiste.get_table_list($1) where table_name "
	"= $2), "
	"d as (select londiste.quote_fqname($3) as dest), "
	"cols as (select a.*, quote_ident(a.attname) || ' ' || "
	"  format_type(a.atttypid, a.atttypmod) || case when $4 then "
	"  case when a.attcollation <> ty.typcollation and a.attcollation <> 0 "
	"    then ' collate ' || (select quote_ident(n.nspname) || '.' || "
	"    quote_ident(c.collname) from pg_collation c join pg_namespace n on "
	"    n.oid = c.collnamespace where c.oid = a.attcollation) else '' end "
	"  || coalesce(case when a.attgenerated = 's' then ' generated always "
	"    as (' || pg_get_expr(ad.adbin, ad.adrelid) || ') stored' else "
	"    ' default ' || pg_get_expr(ad.adbin, ad.adrelid) end, '') "
	"  || case a.attidentity when 'a' then ' generated always as identity' "
	"    when 'd' then ' generated by default as identity' else '' end "
	"  else '' end || case when a.attnotnull then ' not null' else '' end "
	"  as def "
	"  from t join pg_attribute a on a.attrelid = t.oid and a.attnum > 0 and "
	"  not a.attisdropped join pg_type ty on ty.oid = a.atttypid "
	"  left join pg_attrdef ad on ad.adrelid = a.attrelid and ad.adnum = "
	"  a.attnum) "
	"select 0 as step, false as optional, 'create schema if not exists ' || "
	"  quote_ident((londiste.split_fqname($3)).schema_part) as sql "
	"union all "
	"select 1, false, 'create sequence if not exists ' || "
	"  quote_ident(n.nspname) || '.' || quote_ident(c.relname) "
	"  from t join pg_attrdef ad on ad.adrelid = t.oid join pg_depend dp on "
	"  dp.classid = 'pg_attrdef'::regclass and dp.objid = ad.oid and "
	"  dp.refclassid = 'pg_class'::regclass join pg_class c on c.oid = "
	"  dp.refobjid and c.relkind = 'S' join pg_namespace n on n.oid = "
	"  c.relnamespace where $4 "
	"union all "
	"select 2, false, 'create table ' || d.dest || ' (' || (select "
	"  string_agg(def, ', ' order by attnum) from cols) || coalesce((select "
	"  ', primary key (' || string_agg(quote_ident(k.attname), ', ' order by "
	"  array_position(i.indkey::int2[], k.attnum)) || ')' from pg_index i "
	"  join pg_attribute k on k.attrelid = i.indrelid and k.attnum = any "
	"  (i.indkey) where i.indrelid = t.oid and i.indisprimary), '') || ')' "
	"  from t, d "
	"union all "
	"select 3, true, 'alter table ' || d.dest || ' add constraint ' || "
	"  quote_ident(c.conname) || ' ' || pg_get_constraintdef(c.oid) "
	"  from t, d, pg_constraint c where $4 and c.conrelid = t.oid and "
	"  c.contype in ('u', 'c', 'x', 'f') "
	"union all "
	"select 4, true, 'create ' || case when i.indisunique then 'unique ' "
	"  else '' end || 'index ' || quote_ident(ic.relname) || ' on ' || "
	"  d.dest || substring(pg_get_indexdef(i.indexrelid) from ' USING .*') "
	"  from t, d, pg_index i join pg_class ic on ic.oid = i.indexrelid "
	"  where $4 and i.indrelid = t.oid and not exists (select 1 from "
	"  pg_constraint c where c.conindid = i.indexrelid and c.conrelid = "
	"  t.oid) "
	"union all "
	"select 5, true, replace(pg_get_triggerdef(tg.oid), ' ON ' || "
	"  t.oid::regclass::text || ' ', ' ON ' || d.dest || ' ') "
	"  from t, d, pg_trigger tg join pg_proc f on f.oid = tg.tgfoid join "
	"  pg_namespace fn on fn.oid = f.pronamespace where $4 and tg.tgrelid = "
	"  t.oid and not tg.tgisinternal and fn.nspname not in ('pgq', "
	"  'londiste') "
	"union all "
	"select 6, true, replace(pg_get_ruledef(r.oid), ' TO ' || "
	"  t.oid::regclass::text || ' ', ' TO ' || d.dest || ' ') "
	"  from t, d, pg_rewrite r where $4 and r.ev_class = t.oid and "
	"  r.rulename <> '_RETURN' "
	"union all "
	"select 7, true, 'alter table ' || d.dest || ' owner to ' || "
	"  quote_ident(pg_get_userbyid(c.relowner)) "
	"  from t, d, pg_class c where $4 and c.oid = t.oid "
	"union all "
	"select 8, true, 'grant ' || string_agg(x.privilege_type, ', ') || "
	"  ' on ' || d.dest || ' to ' || case when x.grantee = 0 then 'public' "
	"  else quote_ident(pg_get_userbyid(x.grantee)) end "
	"  from t, d, pg_class c, aclexplode(c.relacl) x where $4 and c.oid = "
	"  t.oid and x.grantee <> c.relowner group by d.dest, x.grantee "
	"order by step";

/*
 * --create / --create-full: make a missing table from the provider's
 * definition (create_sql), in one transaction.  False on failure.
 */
/* A connection to the provider for --create; NULL (logged) on the root. */
static PGconn *
create_provider(Ld *ld, const char *what)
{
	bool root;
	char *cs = ld_provider_connstr(ld, &root);
	PGconn *prov;

	if (root)
		log_error("--create needs a provider: on the root the %s must exist",
				  what);
	if (cs == NULL)
		return NULL;
	prov = ld_connect(cs, "the provider");
	free(cs);
	return prov;
}

static bool
create_from_provider(Ld *ld, const char *table, const char *dest)
{
	PGresult *res, *r;
	PGconn *prov;
	bool ok = true;
	int i;

	prov = create_provider(ld, "table");
	if (prov == NULL)
		return false;
	{
		const char *q[4] = {ld->queue, table, dest,
							ld->opt.create_full ? "t" : "f"};

		res = ld_query(prov, create_sql, 4, q);
	}
	PQfinish(prov);
	if (res == NULL)
		return false;
	for (i = 0; i < PQntuples(res); i++)
		if (strcmp(PQgetvalue(res, i, 0), "2") == 0)
			break;
	if (i == PQntuples(res) || PQgetisnull(res, i, 2))
	{
		log_error("Table %s is not on the provider: cannot create it", table);
		PQclear(res);
		return false;
	}
	PQclear(PQexec(ld->db, "begin"));
	for (i = 0; i < PQntuples(res) && ok; i++)
	{
		bool optional = strcmp(PQgetvalue(res, i, 1), "t") == 0;
		const char *sql = PQgetvalue(res, i, 2);

		if (PQgetisnull(res, i, 2))
			continue;
		if (optional)
			PQclear(PQexec(ld->db, "savepoint create_step"));
		r = PQexec(ld->db, sql);
		if (PQresultStatus(r) != PGRES_COMMAND_OK)
		{
			const char *msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);

			if (optional)
			{
				log_warning("creating %s: skipped \"%.80s\": %s", dest, sql,
							msg ? msg : "?");
				PQclear(PQexec(ld->db, "rollback to savepoint create_step"));
			}
			else
			{
				log_error("creating %s: %s", dest, msg ? msg : "?");
				ok = false;
			}
		}
		PQclear(r);
	}
	PQclear(res);
	r = PQexec(ld->db, ok ? "commit" : "rollback");
	ok = ok && PQresultStatus(r) == PGRES_COMMAND_OK;
	PQclear(r);
	if (ok)
		log_info("Table %s created from the provider's definition%s", dest,
				 ld->opt.create_full ? " (full)" : "");
	return ok;
}

/*
 * A table without a primary key (not upstream, which refuses it): the
 * key is a unique index on NOT NULL columns (pkey=...), else every
 * column with the old row sent along (pkey=all, backup: the worker finds
 * an updated or deleted row by its old values); nothing is added when
 * the user chose a key (--trigger-arg=pkey=...) or captures inserts only
 * (--trigger-flags without U and D).  False when the table cannot be
 * read.
 */
static bool
key_args(Ld *ld, const char *table, char ***extra, int *nextra)
{
	char *dest = ld_fqname(ld->opt.dest_table ? ld->opt.dest_table : table);
	const char *p[1] = {dest};
	const char *fl = ld->opt.trigger_flags;
	PGresult *r;
	int i;

	for (i = 0; i < ld->opt.ntrigger_args; i++)
		if (strncmp(ld->opt.trigger_args[i], "pkey=", 5) == 0)
		{
			free(dest);
			return true;
		}
	if (fl && strchr(fl, 'I') && !strchr(fl, 'U') && !strchr(fl, 'D'))
	{
		free(dest);
		return true;
	}
	r = ld_query(
		ld->db,
		"with t as (select londiste.find_table_oid($1) as oid), "
		"u as (select i.indexrelid, i.indkey from pg_index i, t where "
		"i.indrelid = t.oid and i.indisunique and i.indpred is null and "
		"i.indexprs is null and not exists (select 1 from pg_attribute a "
		"where a.attrelid = i.indrelid and a.attnum = any (i.indkey) and "
		"not a.attnotnull) order by i.indnatts, i.indexrelid limit 1) "
		"select t.oid is not null, exists (select 1 from pg_index i where "
		"i.indrelid = t.oid and i.indisprimary), (select string_agg("
		"a.attname, ',' order by array_position(u.indkey::int2[], "
		"a.attnum)) from u join pg_attribute a on a.attrelid = t.oid and "
		"a.attnum = any (u.indkey)), (select string_agg(attname, ',' order "
		"by attnum) from pg_attribute where attrelid = t.oid and attnum > 0 "
		"and not attisdropped and attgenerated = '') from t",
		1, p);
	if (r == NULL)
	{
		free(dest);
		return false;
	}
	if (strcmp(PQgetvalue(r, 0, 0), "t") == 0 &&
		strcmp(PQgetvalue(r, 0, 1), "f") == 0)
	{
		const char *uniq = PQgetisnull(r, 0, 2) ? NULL : PQgetvalue(r, 0, 2);
		const char *cols = PQgetvalue(r, 0, 3);
		char *k = malloc(strlen(uniq ? uniq : cols) + 8);

		sprintf(k, "pkey=%s", uniq ? uniq : cols);
		*extra = realloc(*extra, (*nextra + 2) * sizeof(char *));
		(*extra)[(*nextra)++] = k;
		if (uniq)
			log_info("%s has no primary key: its key is the unique index on "
					 "(%s)",
					 dest, uniq);
		else
		{
			(*extra)[(*nextra)++] = strdup("backup");
			log_info("%s has no primary key nor a unique index on NOT NULL "
					 "columns: rows are found by all their columns",
					 dest);
		}
	}
	PQclear(r);
	free(dest);
	return true;
}

/*
 * A table's trigger arguments and attributes with its handler's: the
 * handler made (and checked) for it, its spec as handler=, the trigger
 * arguments it adds; virtual_table where it needs no table (not on the
 * root), expect_sync where it copies nothing.
 */
static bool
handler_args(Ld *ld, const char *table, bool root, bool no_table, bool no_copy,
			 const char *args, const char *attrs, char *targs, size_t tlen,
			 char *tattrs, size_t alen)
{
	LdhTable *h = NULL;
	char spec[2048], err[512];
	char **extra = NULL;
	int nextra = 0, i;
	size_t n;
	char *fq = ld_fqname(table);
	bool ok;

	ok = ld_handler_from_options(ld, fq, ld->opt.dest_table, spec,
								 sizeof(spec), &h, err, sizeof(err)) &&
		 ld_handler_trigger_args(h, &extra, &nextra, err, sizeof(err));
	free(fq);
	if (!ok)
	{
		log_error("%s", err);
		ld_handler_close(h);
		return false;
	}
	ld_handler_close(h);
	if (!no_table && !key_args(ld, table, &extra, &nextra))
		return false;
	/* the text[] literal, with the handler's elements before its '}' */
	n = (size_t) snprintf(targs, tlen, "%.*s", (int) (strlen(args) - 1), args);
	if (no_table && !root)
	{
		extra = realloc(extra, (nextra + 1) * sizeof(char *));
		extra[nextra++] = strdup("virtual_table");
	}
	if (no_copy && !root && !ld->opt.expect_sync)
	{
		extra = realloc(extra, (nextra + 1) * sizeof(char *));
		extra[nextra++] = strdup("expect_sync");
	}
	for (i = 0; i < nextra; i++)
	{
		if (n + strlen(extra[i]) * 2 + 4 < tlen)
		{
			if (n > 1)
				targs[n++] = ',';
			targs[n++] = '"';
			for (const char *c = extra[i]; *c; c++)
			{
				if (*c == '"' || *c == '\\')
					targs[n++] = '\\';
				targs[n++] = *c;
			}
			targs[n++] = '"';
		}
		free(extra[i]);
	}
	free(extra);
	snprintf(targs + n, tlen - n, "}");
	n = 0;
	tattrs[0] = '\0';
	if (spec[0] && SKY_URLENC_MAX(strlen(spec)) + 16 < alen)
	{
		n = (size_t) sprintf(tattrs, "handler=");
		n += ld_attr_encode(tattrs + n, spec);
	}
	snprintf(tattrs + n, alen - n, "%s%s", n && attrs[0] ? "&" : "", attrs);
	return true;
}

int
cmd_add_table(Ld *ld)
{
	NameList names = {0};
	char args[4096], attrs[2048], tmo[64];
	int i, failed = 0;
	bool no_table = false, no_copy = false, is_root = false;

	if (ld_local(ld) == NULL)
		return 1;
	if (ld->opt.dest_table && ld->nargs != 1)
	{
		log_error("--dest-table takes one table");
		return 1;
	}
	if (ld->opt.handler)
	{
		/* an unknown handler before anything changes (its arguments are
		 * checked per table, before that table changes) */
		char *name = strndup(ld->opt.handler, strcspn(ld->opt.handler, "("));
		const LdhDef *d = ld_handler_find(ld, name);

		if (d == NULL)
			log_error("Unknown handler: %s", name);
		free(name);
		if (d == NULL)
			return 1;
		no_table = (d->flags & LDH_NO_TABLE) != 0;
		no_copy = (d->flags & LDH_NO_COPY) != 0;
	}
	{
		PGresult *r = ld_node_info(ld->db, ld->queue, NULL);

		is_root = r && strcmp(ld_field(r, "node_type"), "root") == 0;
		PQclear(r);
	}
	if (!sync_registrations(ld))
		return 1;
	if (!expand_args(ld,
					 "select obj_name from londiste.local_show_missing($1) "
					 "where obj_kind = 'r'",
					 &names))
		return 1;
	build_args(ld, args, sizeof(args), attrs, sizeof(attrs));
	snprintf(tmo, sizeof(tmo), "set statement_timeout = %d",
			 (int) (ld->cfg.lock_timeout * 1000));
	ld_exec(ld->db, tmo, 0, NULL);
	for (i = 0; i < names.n; i++)
	{
		char targs[8192], tattrs[4096];
		const char *p[5] = {ld->queue, names.v[i], targs, NULL,
							ld->opt.dest_table};
		int code;

		if (!handler_args(ld, names.v[i], is_root, no_table, no_copy, args,
						  attrs, targs, sizeof(targs), tattrs, sizeof(tattrs)))
		{
			failed++;
			continue;
		}
		p[3] = tattrs[0] ? tattrs : NULL;
		if (!ld->opt.expect_sync && !ld->opt.find_copy_node &&
			!ld->opt.copy_node)
		{
			int has = provider_has_table(ld, names.v[i]);

			if (has < 0)
			{
				failed++;
				continue;
			}
			if (has == 0)
			{
				if (ld->opt.skip_non_existing)
				{
					log_warning("Table %s not available on the provider, "
								"skipping",
								names.v[i]);
					continue;
				}
				log_error("Table %s not available on the provider: add it "
						  "there first, or switch to a different provider",
						  names.v[i]);
				failed++;
				continue;
			}
		}
		if ((ld->opt.create || ld->opt.create_full) && !no_table)
		{
			char *dest = ld_fqname(ld->opt.dest_table ? ld->opt.dest_table
													  : names.v[i]);
			const char *dp[1] = {dest};
			PGresult *ex = ld_query(
				ld->db, "select londiste.find_table_oid($1) is null", 1, dp);
			bool missing = ex && strcmp(PQgetvalue(ex, 0, 0), "t") == 0;

			PQclear(ex);
			if (missing && !create_from_provider(ld, names.v[i], dest))
			{
				free(dest);
				failed++;
				continue;
			}
			free(dest);
		}
		code =
			ld_ret(ld_query(ld->db,
							"select * from londiste.local_add_table($1, $2, "
							"$3::text[], $4, $5)",
							5, p),
				   NULL);

		if (code == 404 && ld->opt.skip_non_existing)
			continue;
		if (code >= 400)
			failed++;
	}
	names_free(&names);
	if (failed)
		return 1;
	if (ld->opt.wait_sync)
		return cmd_wait_sync(ld);
	return 0;
}

/*
 * Call call_sql ($1 queue, $2 name; a (ret_code, ret_note) result) for each
 * object the arguments name among the candidates of cand_sql.  1 when any
 * call was refused.
 */
static int
for_each_name(Ld *ld, const char *cand_sql, const char *call_sql)
{
	NameList names = {0};
	int i, failed = 0;

	if (ld_local(ld) == NULL || !expand_args(ld, cand_sql, &names))
		return 1;
	for (i = 0; i < names.n; i++)
	{
		const char *p[2] = {ld->queue, names.v[i]};

		if (ld_ret(ld_query(ld->db, call_sql, 2, p), NULL) >= 400)
			failed++;
	}
	names_free(&names);
	return failed ? 1 : 0;
}

int
cmd_remove_table(Ld *ld)
{
	return for_each_name(
		ld, "select table_name from londiste.get_table_list($1) where local",
		"select * from londiste.local_remove_table($1, $2)");
}

/*
 * add-seq --create: a sequence missing here is made as the provider's
 * (type, increment, bounds, cycle; its schema too).  True when it exists
 * afterwards.
 */
static bool
create_seq(Ld *ld, const char *seq)
{
	const char *p[1] = {seq};
	PGresult *res =
		ld_query(ld->db, "select londiste.find_seq_oid($1) is not null", 1, p);
	PGconn *prov;
	bool have = res && strcmp(PQgetvalue(res, 0, 0), "t") == 0;

	PQclear(res);
	if (res == NULL || have)
		return res != NULL;
	prov = create_provider(ld, "sequence");
	if (prov == NULL)
		return false;
	res = ld_query(
		prov,
		"select 'create schema if not exists ' || quote_ident(schemaname) || "
		"'; create sequence ' || quote_ident(schemaname) || '.' || "
		"quote_ident(sequencename) || ' as ' || data_type::text || "
		"' increment by ' || increment_by || ' minvalue ' || min_value || "
		"' maxvalue ' || max_value || ' start ' || start_value || "
		"case when cycle then ' cycle' else '' end from pg_sequences where "
		"schemaname || '.' || sequencename = $1",
		1, p);
	PQfinish(prov);
	if (res == NULL)
		return false;
	if (PQntuples(res) != 1)
	{
		log_error("Sequence %s is not on the provider: cannot create it", seq);
		PQclear(res);
		return false;
	}
	{
		/* two statements: the simple protocol */
		PGresult *r = PQexec(ld->db, PQgetvalue(res, 0, 0));

		have = PQresultStatus(r) == PGRES_COMMAND_OK;
		if (!have)
			log_error("creating %s: %s", seq,
					  PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY));
		PQclear(r);
	}
	PQclear(res);
	if (have)
		log_info("Sequence %s created from the provider's definition", seq);
	return have;
}

int
cmd_add_seq(Ld *ld)
{
	NameList names = {0};
	int i, failed = 0;

	if (ld_local(ld) == NULL)
		return 1;
	if (!sync_registrations(ld))
		return 1;
	if (!expand_args(ld,
					 "select obj_name from londiste.local_show_missing($1) "
					 "where obj_kind = 'S'",
					 &names))
		return 1;
	for (i = 0; i < names.n; i++)
	{
		const char *p[2] = {ld->queue, names.v[i]};
		int code;

		if ((ld->opt.create || ld->opt.create_full) &&
			!create_seq(ld, names.v[i]))
		{
			failed++;
			continue;
		}
		code = ld_ret(ld_query(ld->db,
							   "select * from londiste.local_add_seq($1, $2)",
							   2, p),
					  NULL);

		if (code >= 400 && !(ld->opt.skip_non_existing && code == 400))
			failed++;
	}
	names_free(&names);
	return failed ? 1 : 0;
}

int
cmd_remove_seq(Ld *ld)
{
	return for_each_name(
		ld, "select seq_name from londiste.get_seq_list($1) where local",
		"select * from londiste.local_remove_seq($1, $2)");
}

int
cmd_tables(Ld *ld)
{
	return ld_show(ld,
				   "select table_name, merge_state, table_attrs "
				   "from londiste.get_table_list($1) where local",
				   ld->opt.names_only);
}

int
cmd_seqs(Ld *ld)
{
	return ld_show(ld,
				   "select seq_name, local, last_value from "
				   "londiste.get_seq_list($1)",
				   false);
}

int
cmd_missing(Ld *ld)
{
	return ld_show(ld,
				   "select obj_kind, obj_name from "
				   "londiste.local_show_missing($1)",
				   false);
}

int
cmd_resync(Ld *ld)
{
	return for_each_name(
		ld, "select table_name from londiste.get_table_list($1) where local",
		"select * from londiste.local_set_table_state($1, $2, null, null)");
}

int
cmd_wait_sync(Ld *ld)
{
	const char *p[1] = {ld->queue};
	int last = -1;

	if (ld_local(ld) == NULL)
		return 1;
	for (;;)
	{
		PGresult *res =
			ld_query(ld->db,
					 "select count(*) filter (where merge_state is "
					 "distinct from 'ok'), count(*) from "
					 "londiste.get_table_list($1) where local",
					 1, p);
		int left, total;

		if (res == NULL)
			return 1;
		left = atoi(PQgetvalue(res, 0, 0));
		total = atoi(PQgetvalue(res, 0, 1));
		PQclear(res);
		if (left == 0)
		{
			log_info("All tables in sync");
			return 0;
		}
		if (left != last)
			log_info("%d/%d table(s) to copy", left, total);
		last = left;
		sleep(2);
	}
}
