/*-------------------------------------------------------------------------
 *
 * complete.c
 *	  Tab completion.  The text left of the cursor is cut into tokens and
 *	  walked through the grammar (the same walk that parses a command);
 *	  what the grammar expects next gives the candidates: keywords and
 *	  symbols, key= words (key=' for the keys that take a string), and
 *	  names from the live database (queues, consumers, nodes, tables,
 *	  sequences, databases, users, batch ids), each list read once and
 *	  kept until the next command runs.  A word is cut at blanks and at
 *	  , ; ( ) only, so dotted names and key=value complete as one word.
 *
 * IDENTIFICATION
 *	  bin/qadmin/complete.c
 *
 *-------------------------------------------------------------------------
 */
#include "qadmin.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <editline/readline.h>

#define BREAKS " \t\n,;()"

static Qadmin *the_qa;

/* lists read from the database, by slot kind (and key for S_VALUE) */
typedef struct Cache
{
	char name[32];
	char **items;
	int n;
} Cache;

static Cache cache[32];
static int ncache;

void
qa_invalidate_cache(void)
{
	int i, j;

	for (i = 0; i < ncache; i++)
	{
		for (j = 0; j < cache[i].n; j++)
			free(cache[i].items[j]);
		free(cache[i].items);
	}
	ncache = 0;
}

/* the list name, from the query sql (needs schema, when not NULL) */
static Cache *
list(Qadmin *qa, const char *name, const char *schema, const char *sql,
	 const char *param)
{
	Cache *c;
	PGresult *res;
	int i;

	for (i = 0; i < ncache; i++)
		if (strcmp(cache[i].name, name) == 0)
			return &cache[i];
	if (ncache == 32)
		qa_invalidate_cache();
	c = &cache[ncache++];
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", name);
	if (qa->db == NULL || PQstatus(qa->db) != CONNECTION_OK ||
		(schema && !qa_has_schema(qa, schema)) || sql == NULL)
		return c;
	res =
		PQexecParams(qa->db, sql, param ? 1 : 0, NULL, &param, NULL, NULL, 0);
	if (PQresultStatus(res) == PGRES_TUPLES_OK)
	{
		c->items = calloc((size_t) PQntuples(res) + 1, sizeof(char *));
		for (i = 0; c->items && i < PQntuples(res); i++)
			if (!PQgetisnull(res, i, 0))
				c->items[c->n++] = strdup(PQgetvalue(res, i, 0));
	}
	PQclear(res);
	return c;
}

typedef struct Out
{
	char **v;
	int n, cap;
	const char *prefix;
} Out;

static void
add(Out *o, const char *pre, const char *word)
{
	char buf[1024];

	snprintf(buf, sizeof(buf), "%s%s", pre, word);
	if (strncmp(buf, o->prefix, strlen(o->prefix)) != 0)
		return;
	for (int i = 0; i < o->n; i++)
		if (strcmp(o->v[i], buf) == 0)
			return;
	if (o->n + 2 > o->cap)
	{
		o->cap = o->cap ? o->cap * 2 : 32;
		o->v = realloc(o->v, sizeof(char *) * (size_t) o->cap);
		if (o->v == NULL)
			abort();
	}
	o->v[o->n++] = strdup(buf);
	o->v[o->n] = NULL;
}

static void
add_list(Out *o, const char *pre, Cache *c)
{
	int i;

	for (i = 0; i < c->n; i++)
		add(o, pre, c->items[i]);
}

#define USER_TABLES                                                           \
	"select quote_ident(n.nspname) || '.' || quote_ident(c.relname) from "    \
	"pg_class c join pg_namespace n on n.oid = c.relnamespace where "         \
	"c.relkind in (%s) and n.nspname not in ('pg_catalog', "                  \
	"'information_schema', 'pgq', 'pgq_node', 'pgq_ext', 'pgq_coop', "        \
	"'londiste') and n.nspname !~ '^pg_toast' and n.nspname !~ '^pg_temp' "   \
	"%s order by 1"

static void
slot_candidates(Qadmin *qa, Out *o, SlotKind k, const char *key)
{
	char sql[2048];
	const char *q = qa->queue;

	switch (k)
	{
		case S_QUEUE:
			add_list(o, "",
					 list(qa, "queue", "pgq",
						  "select queue_name from pgq.queue order by 1",
						  NULL));
			break;
		case S_CONSUMER:
			add_list(o, "",
					 list(qa, "consumer", "pgq",
						  "select co_name from pgq.consumer order by 1",
						  NULL));
			break;
		case S_NODE:
			add_list(o, "",
					 list(qa, "node", "pgq_node",
						  "select distinct node_name from "
						  "pgq_node.node_location order by 1",
						  NULL));
			break;
		case S_BATCH:
			if (q)
				add_list(o, "",
						 list(qa, "batch", "pgq",
							  "select current_batch::text from "
							  "pgq.get_consumer_info($1) where current_batch "
							  "is not null order by 1",
							  q));
			break;
		case S_TABLE:
			snprintf(sql, sizeof(sql), USER_TABLES, "'r', 'p'", "");
			add_list(o, "", list(qa, "table", NULL, sql, NULL));
			break;
		case S_SEQUENCE:
			snprintf(sql, sizeof(sql), USER_TABLES, "'S'", "");
			add_list(o, "", list(qa, "sequence", NULL, sql, NULL));
			break;
		case S_NEWTABLE:
			if (q == NULL)
				break;
			snprintf(sql, sizeof(sql), USER_TABLES, "'r', 'p'",
					 "and quote_ident(n.nspname) || '.' || "
					 "quote_ident(c.relname) not in (select table_name from "
					 "londiste.get_table_list($1) where local)");
			add_list(o, "", list(qa, "newtable", "londiste", sql, q));
			break;
		case S_NEWSEQ:
			if (q == NULL)
				break;
			snprintf(sql, sizeof(sql), USER_TABLES, "'S'",
					 "and quote_ident(n.nspname) || '.' || "
					 "quote_ident(c.relname) not in (select seq_name from "
					 "londiste.get_seq_list($1) where local)");
			add_list(o, "", list(qa, "newseq", "londiste", sql, q));
			break;
		case S_REGTABLE:
			if (q)
				add_list(o, "",
						 list(qa, "regtable", "londiste",
							  "select table_name from "
							  "londiste.get_table_list($1) where local order "
							  "by 1",
							  q));
			break;
		case S_REGSEQ:
			if (q)
				add_list(o, "",
						 list(qa, "regseq", "londiste",
							  "select seq_name from londiste.get_seq_list($1) "
							  "where local order by 1",
							  q));
			break;
		case S_CONNKEY:
		{
			static const char *const keys[] = {
				"dbname=",	 "host=",  "port=", "user=",
				"password=", "queue=", "node=", NULL};
			const char *eq = strchr(o->prefix, '=');
			int i;

			if (eq == NULL)
			{
				for (i = 0; keys[i]; i++)
					add(o, "", keys[i]);
				break;
			}
			/* key=value: the values of that key */
			if (strncmp(o->prefix, "dbname=", 7) == 0)
				add_list(o, "dbname=",
						 list(qa, "dbname", NULL,
							  "select datname from pg_database where "
							  "datallowconn order by 1",
							  NULL));
			else if (strncmp(o->prefix, "user=", 5) == 0)
				add_list(o, "user=",
						 list(qa, "user", NULL,
							  "select usename from pg_user order by 1", NULL));
			else if (strncmp(o->prefix, "queue=", 6) == 0)
				add_list(o, "queue=",
						 list(qa, "queue", "pgq",
							  "select queue_name from pgq.queue order by 1",
							  NULL));
			else if (strncmp(o->prefix, "node=", 5) == 0)
				add_list(o, "node=",
						 list(qa, "node", "pgq_node",
							  "select distinct node_name from "
							  "pgq_node.node_location order by 1",
							  NULL));
			else if (strncmp(o->prefix, "port=", 5) == 0)
			{
				add(o, "port=", "5432");
				add(o, "port=", "6432");
			}
			else if (strncmp(o->prefix, "host=", 5) == 0)
			{
				FILE *f = fopen("/etc/hosts", "r");
				char line[1024];

				while (f && fgets(line, sizeof(line), f))
				{
					char *save = NULL, *w;

					line[strcspn(line, "#")] = '\0';
					w = strtok_r(line, " \t\n", &save); /* the address */
					while (w && (w = strtok_r(NULL, " \t\n", &save)) != NULL)
						if (strncmp(w, "ip6-", 4) != 0)
							add(o, "host=", w);
				}
				if (f)
					fclose(f);
			}
			break;
		}
		case S_QPARAM:
		{
			static const char *const keys[] = {
				"idle_period='",
				"max_count=",
				"max_lag='",
				"paused=",
				"rotation_period='",
				"external_ticker=",
				NULL,
			};
			int i;

			for (i = 0; keys[i]; i++)
				add(o, "", keys[i]);
			break;
		}
		case S_TOPT:
		{
			static const char *const opts[] = {
				"skip_truncate", "expect_sync", "backup",	   "skip",
				"no_triggers",	 "tgflags='",	"ev_ignore='", "pkey='",
				"when='",		 "ev_type='",	"ev_data='",   "ev_extra1='",
				"ev_extra2='",	 "ev_extra3='", "ev_extra4='", "handler='",
				"dest_table='",	 NULL,
			};
			int i;

			for (i = 0; opts[i]; i++)
				add(o, "", opts[i]);
			break;
		}
		default:
			break;
	}
	(void) key;
}

char **
qa_candidates(Qadmin *qa, const char *line, size_t point, size_t *word_start)
{
	char *text = strndup(line, point), err[256];
	size_t start = 0, ws, e;
	TokList toks = {NULL, 0, 0};
	bool incomplete;
	Out o = {NULL, 0, 0, ""};
	Expect exp;
	Cmd cmd;
	int i;

	if (text == NULL)
		return NULL;
	/* the command the cursor is in */
	while ((e = qa_command_end(text + start)) > 0)
		start += e;
	ws = point;
	while (ws > start && strchr(BREAKS, text[ws - 1]) == NULL)
		ws--;
	*word_start = ws;
	o.prefix = text + ws;
	text[point] = '\0';
	{
		char *before = strndup(text + start, ws - start);

		if (before == NULL ||
			!qa_lex(before, &toks, &incomplete, err, sizeof(err)))
		{
			free(before);
			qa_toks_free(&toks);
			free(text);
			return NULL;
		}
		if (toks.n == 0)
		{
			for (i = 0; qa_first_words[i]; i++)
				add(&o, "", qa_first_words[i]);
		}
		else if (qa_match(before, toks.t, toks.n, &cmd, &exp, err,
						  sizeof(err)) == M_INCOMPLETE)
		{
			for (i = 0; i < exp.nwords; i++)
				if (exp.words[i])
					add(&o, "", exp.words[i]);
			for (i = 0; i < exp.nslots; i++)
				slot_candidates(qa, &o, exp.slots[i], exp.slotkey[i]);
		}
		free(before);
	}
	qa_toks_free(&toks);
	/* o.prefix points into text: copy the results before it goes */
	free(text);
	return o.v;
}

/* ---- readline's side ---- */

static char **matches;
static int match_i;

static char *
next_match(const char *text, int state)
{
	(void) text;
	if (state == 0)
		match_i = 0;
	if (matches == NULL || matches[match_i] == NULL)
		return NULL;
	return strdup(matches[match_i++]);
}

static char **
complete(const char *text, int start, int end)
{
	size_t ws;
	char **r;
	int i;

	(void) start;
	(void) end;
	rl_attempted_completion_over = 1;
	if (matches)
	{
		for (i = 0; matches[i]; i++)
			free(matches[i]);
		free(matches);
	}
	matches = qa_candidates(the_qa, rl_line_buffer, (size_t) rl_point, &ws);
	/* keywords get a blank after them; key= and key=' and symbols not */
	rl_completion_append_character = ' ';
	if (matches && matches[0] && matches[1] == NULL)
	{
		size_t l = strlen(matches[0]);
		char last = l ? matches[0][l - 1] : ' ';

		if (last == '=' || last == '\'' ||
			(l == 1 && ispunct((unsigned char) last)))
			rl_completion_append_character = '\0';
	}
	r = rl_completion_matches(text, next_match);
	return r;
}

void
qa_complete_init(Qadmin *qa)
{
	the_qa = qa;
	rl_readline_name = "qadmin";
	rl_attempted_completion_function = complete;
	rl_basic_word_break_characters = BREAKS;
}
