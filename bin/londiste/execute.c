/*-------------------------------------------------------------------------
 *
 * execute.c
 *	  DDL through the queue: `execute FILE...` on the root, and the replay
 *	  of its EXECUTE events on every other node (apply.c calls
 *	  ld_exec_replay).
 *
 * A file may start with meta-attributes, lines "--*-- Key: a, b" (a
 * trailing comma continues on the next --*-- line; blank and plain --
 * lines are skipped; the header ends at the first other line).  Keys,
 * case-insensitive: Local-Table, Local-Sequence, Local-Destination (the
 * table local and its destination there), Need-Table, Need-Sequence,
 * Need-Function (name(nargs)), Need-Schema, Need-View.  They travel
 * urlencoded in the event's ev_extra2 ("local-table=a%2Cb&...").  On each
 * node: no attributes or every object matches: the file runs; none
 * matches: it is skipped and recorded as applied; some do: an error
 * ("SQL only partially matches local setup").  @name@ of a Local-* object
 * becomes the quoted local (destination) name.
 *
 * The statements (lib's splitter: quotes, dollar quotes, comments) run
 * one by one with session_replication_role = local, so that the rows a
 * file changes are not captured again (each node runs the file itself),
 * between execute_start and execute_finish (which on the root writes the
 * EXECUTE event): on a subscriber inside the batch's transaction, at the
 * file's place in the stream.  A file name already applied is skipped.
 *
 * IDENTIFICATION
 *	  bin/londiste/execute.c
 *
 *-------------------------------------------------------------------------
 */
#include "londiste.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skytools/log.h"
#include "skytools/pgutil.h"
#include "skytools/rowdata.h"
#include "skytools/sqlsplit.h"

#define MAX_ATTRS 16

typedef struct ExecAttrs
{
	int n;
	char key[MAX_ATTRS][32];   /* lower case */
	char val[MAX_ATTRS][2048]; /* names joined by ',' */
} ExecAttrs;

static const char *const known_keys[] = {
	"local-table", "local-sequence", "local-destination",
	"need-table",  "need-sequence",	 "need-function",
	"need-schema", "need-view",		 NULL};

static void
trim(char *s)
{
	char *e = s + strlen(s), *b = s;

	while (e > s && isspace((unsigned char) e[-1]))
		*--e = '\0';
	while (isspace((unsigned char) *b))
		b++;
	memmove(s, b, strlen(b) + 1);
}

/* Names "a , b" as "a,b" appended to dst (with a ',' when not empty). */
static bool
add_names(char *dst, size_t len, const char *names)
{
	char *copy = strdup(names), *tok, *save = NULL;

	if (copy == NULL)
		return false;
	for (tok = strtok_r(copy, ",", &save); tok;
		 tok = strtok_r(NULL, ",", &save))
	{
		trim(tok);
		if (*tok == '\0')
			continue;
		if (strlen(dst) + strlen(tok) + 2 > len)
		{
			free(copy);
			return false;
		}
		if (dst[0])
			strcat(dst, ",");
		strcat(dst, tok);
	}
	free(copy);
	return true;
}

/* The --*-- header of sql into a; false with err on a bad line. */
static bool
parse_attrs(const char *sql, ExecAttrs *a, char *err, size_t errlen)
{
	const char *p = sql;
	int line = 0;
	bool more = false; /* the last value ended with ',' */

	memset(a, 0, sizeof(*a));
	while (*p)
	{
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t) (eol - p) : strlen(p);
		char buf[4096];

		line++;
		snprintf(buf, sizeof(buf), "%.*s", (int) len, p);
		p += len + (eol ? 1 : 0);
		trim(buf);
		if (buf[0] == '\0')
			continue;
		if (strncmp(buf, "--*--", 5) != 0)
		{
			if (strncmp(buf, "--", 2) == 0)
				continue;
			break; /* the SQL begins */
		}
		memmove(buf, buf + 5, strlen(buf + 5) + 1);
		trim(buf);
		if (buf[0] == '\0')
			continue;
		if (more)
		{
			if (!add_names(a->val[a->n - 1], sizeof(a->val[0]), buf))
				goto toolong;
		}
		else
		{
			char *colon = strchr(buf, ':');
			int k;

			if (colon == NULL)
			{
				snprintf(err, errlen,
						 "meta-attribute line %d does not parse (Key: "
						 "names): %.60s",
						 line, buf);
				return false;
			}
			*colon = '\0';
			trim(buf);
			for (k = 0; buf[k]; k++)
				buf[k] = (char) tolower((unsigned char) buf[k]);
			for (k = 0; known_keys[k]; k++)
				if (strcmp(known_keys[k], buf) == 0)
					break;
			if (known_keys[k] == NULL)
			{
				snprintf(err, errlen,
						 "unknown meta-attribute on line %d: %.40s", line,
						 buf);
				return false;
			}
			if (a->n == MAX_ATTRS)
				goto toolong;
			snprintf(a->key[a->n], sizeof(a->key[0]), "%.31s", known_keys[k]);
			a->val[a->n][0] = '\0';
			a->n++;
			if (!add_names(a->val[a->n - 1], sizeof(a->val[0]), colon + 1))
				goto toolong;
			memmove(buf, colon + 1, strlen(colon + 1) + 1);
		}
		trim(buf);
		more = buf[0] && buf[strlen(buf) - 1] == ',';
	}
	return true;
toolong:
	snprintf(err, errlen, "meta-attributes too long");
	return false;
}

/* a as "key=v1%2Cv2&key=..." (malloc'd), or NULL when a has none. */
static char *
encode_attrs(const ExecAttrs *a)
{
	SkyRow row;
	SkyRowField f[MAX_ATTRS];
	int i;

	if (a->n == 0)
		return NULL;
	for (i = 0; i < a->n; i++)
	{
		f[i].key = a->key[i];
		f[i].value = a->val[i];
	}
	row.nfields = a->n;
	row.fields = f;
	row.buf = NULL;
	return sky_row_encode(&row);
}

static bool
decode_attrs(const char *s, ExecAttrs *a, char *err, size_t errlen)
{
	SkyRow row;
	int i;

	memset(a, 0, sizeof(*a));
	if (s == NULL || s[0] == '\0')
		return true;
	if (!sky_row_decode(&row, s, strlen(s), 0, err, errlen))
		return false;
	for (i = 0; i < row.nfields && i < MAX_ATTRS; i++)
	{
		snprintf(a->key[i], sizeof(a->key[0]), "%.31s", row.fields[i].key);
		snprintf(a->val[i], sizeof(a->val[0]), "%.2047s",
				 row.fields[i].value ? row.fields[i].value : "");
	}
	a->n = i;
	sky_row_free(&row);
	return true;
}

/* The substitutions @name@ -> quoted local name, as "name\1quoted\2...". */
typedef struct Subst
{
	int n;
	char from[64][256];
	char to[64][600];
} Subst;

/*
 * Whether object (of kind key) matches on the node; for Local-* objects
 * the local name for @name@ goes into to.  -1 on error.
 */
static int
object_matches(Ld *ld, PGconn *db, const char *key, const char *obj, char *to,
			   size_t tolen)
{
	const char *p[3] = {ld->queue, obj, NULL};
	const char *sql;
	char fname[256];
	char nargs[16] = "0";
	PGresult *res;
	int m;

	if (strcmp(key, "local-table") == 0 ||
		strcmp(key, "local-destination") == 0)
		sql = strcmp(key, "local-table") == 0
				  ? "select coalesce(dest_table, table_name) from "
					"londiste.get_table_list($1) where local and table_name = "
					"londiste.make_fqname($2)"
				  : "select coalesce(dest_table, table_name) from "
					"londiste.get_table_list($1) where local and table_name = "
					"londiste.make_fqname($2) and londiste.find_table_oid("
					"coalesce(dest_table, table_name)) is not null";
	else if (strcmp(key, "local-sequence") == 0)
		sql = "select seq_name from londiste.get_seq_list($1) where local and "
			  "seq_name = londiste.make_fqname($2)";
	else if (strcmp(key, "need-table") == 0)
		sql = "select $1 where londiste.find_table_oid($2) is not null";
	else if (strcmp(key, "need-sequence") == 0)
		sql = "select $1 where londiste.find_seq_oid($2) is not null";
	else if (strcmp(key, "need-schema") == 0)
		sql = "select $1 from pg_namespace where nspname = $2";
	else if (strcmp(key, "need-view") == 0)
		sql = "select $1 from pg_class c join pg_namespace n on n.oid = "
			  "c.relnamespace where c.relkind = 'v' and n.nspname || '.' || "
			  "c.relname = londiste.make_fqname($2)";
	else if (strcmp(key, "need-function") == 0)
	{
		const char *paren = strchr(obj, '(');

		snprintf(fname, sizeof(fname), "%.*s",
				 (int) (paren ? (size_t) (paren - obj) : strlen(obj)), obj);
		if (paren)
			snprintf(nargs, sizeof(nargs), "%d", atoi(paren + 1));
		p[1] = fname;
		p[2] = nargs;
		sql = "select $1 from pg_proc f join pg_namespace n on n.oid = "
			  "f.pronamespace where (n.nspname || '.' || f.proname = $2 or "
			  "(f.proname = $2 and n.nspname = 'public')) and f.pronargs = "
			  "$3::int";
	}
	else
		return -1;
	res = ld_query(db, sql, p[2] ? 3 : 2, p);
	if (res == NULL)
		return -1;
	m = PQntuples(res) > 0;
	if (m && to && strncmp(key, "local-", 6) == 0)
		pg_quote_fqident(to, tolen, PQgetvalue(res, 0, 0));
	PQclear(res);
	return m;
}

/*
 * The node's decision for attrs: 1 run, 0 skip, -1 error (logged); the
 * @name@ substitutions into s.
 */
static int
decide(Ld *ld, PGconn *db, const ExecAttrs *a, const char *fname, Subst *s)
{
	int i, total = 0, hits = 0;

	s->n = 0;
	for (i = 0; i < a->n; i++)
	{
		char *copy = strdup(a->val[i]), *tok, *save = NULL;

		for (tok = strtok_r(copy, ",", &save); tok;
			 tok = strtok_r(NULL, ",", &save))
		{
			char to[600] = "";
			int m = object_matches(ld, db, a->key[i], tok, to, sizeof(to));

			if (m < 0)
			{
				free(copy);
				return -1;
			}
			total++;
			hits += m;
			if (m && to[0] && s->n < 64)
			{
				snprintf(s->from[s->n], sizeof(s->from[0]), "@%.250s@", tok);
				snprintf(s->to[s->n], sizeof(s->to[0]), "%.599s", to);
				s->n++;
			}
		}
		free(copy);
	}
	if (total == 0 || hits == total)
		return 1;
	if (hits == 0)
	{
		log_info("%s: its objects are not here: recorded, not run", fname);
		return 0;
	}
	log_error("%s: SQL only partially matches local setup (%d of %d objects)",
			  fname, hits, total);
	return -1;
}

/* sql with the @name@ tags replaced (malloc'd). */
static char *
substitute(const char *sql, const Subst *s)
{
	size_t cap = strlen(sql) + 1;
	char *out, *o;
	const char *p;
	int i;

	for (i = 0; i < s->n; i++)
		cap += strlen(s->to[i]) * 16;
	out = malloc(cap + 1);
	if (out == NULL)
		return NULL;
	for (p = sql, o = out; *p;)
	{
		bool done = false;

		for (i = 0; i < s->n && !done; i++)
		{
			size_t fl = strlen(s->from[i]);

			if (strncmp(p, s->from[i], fl) == 0 &&
				(size_t) (o - out) + strlen(s->to[i]) < cap)
			{
				strcpy(o, s->to[i]);
				o += strlen(s->to[i]);
				p += fl;
				done = true;
			}
		}
		if (!done)
			*o++ = *p++;
	}
	*o = '\0';
	return out;
}

typedef struct RunCtx
{
	PGconn *db;
	const char *fname;
	bool failed;
} RunCtx;

static bool
run_stmt(const char *stmt, size_t len, int lineno, void *arg)
{
	RunCtx *r = arg;
	char *sql = strndup(stmt, len);
	PGresult *res;

	if (sql == NULL)
		return false;
	res = PQexec(r->db, sql);
	free(sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK &&
		PQresultStatus(res) != PGRES_TUPLES_OK)
	{
		log_error("%s, statement at line %d: %s", r->fname, lineno,
				  PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY));
		r->failed = true;
		PQclear(res);
		return false;
	}
	PQclear(res);
	return true;
}

/* Run sql's statements as role local, then back to restore_role. */
static bool
run_script(PGconn *db, const char *fname, const char *sql,
		   const char *restore_role)
{
	RunCtx r = {db, fname, false};
	char err[256], set[128];
	bool ok;

	if (!ld_exec(db,
				 "select londiste.set_session_replication_role('local', true)",
				 0, NULL))
		return false;
	ok = sky_sql_split(sql, run_stmt, &r, err, sizeof(err));
	if (!ok && err[0])
		log_error("%s: %s", fname, err);
	snprintf(set, sizeof(set),
			 "select londiste.set_session_replication_role('%s', true)",
			 restore_role);
	if (ok && !ld_exec(db, set, 0, NULL))
		return false;
	return ok && !r.failed;
}

/*
 * An EXECUTE event on a subscriber, in the batch's transaction: 0 done
 * (run, skipped, or applied before), -1 error.
 */
int
ld_exec_replay(Ld *ld, PGconn *db, const char *fname, const char *sql,
			   const char *attrs_enc)
{
	const char *p[4] = {ld->queue, fname, sql, attrs_enc};
	ExecAttrs a;
	Subst s;
	PGresult *res;
	char err[256];
	int code, d;

	if (!decode_attrs(attrs_enc, &a, err, sizeof(err)))
	{
		log_error("EXECUTE %s: meta-attributes: %s", fname, err);
		return -1;
	}
	res = ld_query(
		db, "select * from londiste.execute_start($1, $2, $3, false, $4)", 4,
		p);
	if (res == NULL)
		return -1;
	code = atoi(PQgetvalue(res, 0, 0));
	if (ld_ret(res, NULL) >= 400)
		return -1;
	if (code != 200)
		return 0; /* applied before */
	d = decide(ld, db, &a, fname, &s);
	if (d < 0)
		return -1;
	if (d > 0)
	{
		char *text = substitute(sql ? sql : "", &s);
		bool ok = text && run_script(db, fname, text, "replica");

		free(text);
		if (!ok)
			return -1;
	}
	return ld_ret(ld_query(db, "select * from londiste.execute_finish($1, $2)",
						   2, p),
				  NULL) >= 400
			   ? -1
			   : 0;
}

/* A whole file, malloc'd; NULL (logged) when it cannot be read. */
static char *
read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (f == NULL)
	{
		log_error("cannot read %s: %m", path);
		return NULL;
	}
	do
	{
		if (cap - len < 4096)
		{
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap + 1);
			if (buf == NULL)
				fatal("out of memory");
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	fclose(f);
	buf[len] = '\0';
	if (memchr(buf, '\0', len))
	{
		log_error("%s holds a NUL byte: not SQL", path);
		free(buf);
		return NULL;
	}
	return buf;
}

/*
 * execute FILE...: on the root, every file in one transaction; a file
 * applied before (by its name) is skipped.  Elsewhere: skipped with a
 * warning, as upstream (the root's EXECUTE event brings it).
 */
int
cmd_execute(Ld *ld)
{
	PGresult *res;
	char **texts;
	ExecAttrs *attrs;
	int i, rc = 1;
	bool root;

	if (ld->nargs < 1)
	{
		log_error("execute takes one or more files");
		return 1;
	}
	if (ld_local(ld) == NULL)
		return 1;
	res = ld_node_info(ld->db, ld->queue, NULL);
	if (res == NULL)
		return 1;
	root = strcmp(ld_field(res, "node_type"), "root") == 0;
	PQclear(res);
	if (!root)
	{
		log_warning("execute runs on the root only: the files come here "
					"with the queue; nothing done");
		return 0;
	}
	/* every file read and its header checked before anything runs */
	texts = calloc(ld->nargs, sizeof(char *));
	attrs = calloc(ld->nargs, sizeof(ExecAttrs));
	if (texts == NULL || attrs == NULL)
		fatal("out of memory");
	for (i = 0; i < ld->nargs; i++)
	{
		char err[256];

		texts[i] = read_file(ld->args[i]);
		if (texts[i] == NULL)
			goto out;
		if (!parse_attrs(texts[i], &attrs[i], err, sizeof(err)))
		{
			log_error("%s: %s", ld->args[i], err);
			goto out;
		}
	}
	PQclear(PQexec(ld->db, "begin"));
	for (i = 0; i < ld->nargs; i++)
	{
		const char *base = strrchr(ld->args[i], '/');
		char *enc = encode_attrs(&attrs[i]);
		const char *p[4] = {ld->queue, base ? base + 1 : ld->args[i], texts[i],
							enc};
		Subst s;
		int code, d;

		res =
			ld_query(ld->db,
					 "select * from londiste.execute_start($1, $2, $3, true, "
					 "$4)",
					 4, p);
		if (res == NULL)
		{
			free(enc);
			goto rollback;
		}
		code = atoi(PQgetvalue(res, 0, 0));
		if (ld_ret(res, NULL) >= 400)
		{
			free(enc);
			goto rollback;
		}
		if (code != 200)
		{
			free(enc);
			continue; /* applied before: a no-op */
		}
		d = decide(ld, ld->db, &attrs[i], p[1], &s);
		if (d > 0)
		{
			char *text = substitute(texts[i], &s);
			bool ok = text && run_script(ld->db, p[1], text, "origin");

			free(text);
			if (!ok)
				d = -1;
		}
		if (d < 0 ||
			ld_ret(ld_query(ld->db,
							"select * from londiste.execute_finish($1, $2)", 2,
							p),
				   NULL) >= 400)
		{
			free(enc);
			goto rollback;
		}
		free(enc);
	}
	res = PQexec(ld->db, "commit");
	rc = PQresultStatus(res) == PGRES_COMMAND_OK ? 0 : 1;
	PQclear(res);
	goto out;
rollback:
	PQclear(PQexec(ld->db, "rollback"));
	log_error("nothing of the files was run");
out:
	for (i = 0; i < ld->nargs; i++)
		free(texts[i]);
	free(texts);
	free(attrs);
	return rc;
}
