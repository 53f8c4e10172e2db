/*-------------------------------------------------------------------------
 *
 * grammar.c
 *	  qadmin's command grammar.  Each command is a small parse function
 *	  over the tokens; the same walk that parses a command notes, when the
 *	  tokens end, what could come next (keywords, symbols and kinds of
 *	  names), which is what completion offers.  A command is ours when its
 *	  leading words match (create queue, show, londiste add table, ...);
 *	  anything else goes to the server as SQL.  Once ours, a mismatch
 *	  further on is a syntax error, not SQL.
 *
 * IDENTIFICATION
 *	  bin/qadmin/grammar.c
 *
 *-------------------------------------------------------------------------
 */
#include "qadmin.h"

#include <stdio.h>
#include <string.h>

typedef struct P
{
	const char *src; /* the input the tokens come from */
	const Token *t;
	int n, i;
	Cmd *cmd;
	Expect *exp;
	int far;  /* the furthest token that did not fit */
	int nbad; /* what was wanted there */
	const char *bad[24];
} P;

static void
note_bad(P *p, const char *w)
{
	int i;

	if (p->i < p->far)
		return;
	if (p->i > p->far)
	{
		p->far = p->i;
		p->nbad = 0;
	}
	for (i = 0; i < p->nbad; i++)
		if (strcmp(p->bad[i], w) == 0)
			return;
	if (p->nbad < 24)
		p->bad[p->nbad++] = w;
}

typedef bool (*ParseFn)(P *p);

typedef struct CmdDef
{
	const char *name; /* also the first words, as typed */
	int nprefix;	  /* how many of them make it ours */
	ParseFn parse;	  /* the rest, after the prefix */
} CmdDef;

static bool
at_end(P *p)
{
	return p->i >= p->n;
}

static void
want_word(P *p, const char *w)
{
	int i;

	if (p->exp == NULL || !at_end(p))
		return;
	for (i = 0; i < p->exp->nwords; i++)
		if (strcmp(p->exp->words[i], w) == 0)
			return;
	if (p->exp->nwords < 256)
		p->exp->words[p->exp->nwords++] = w;
}

static void
want_slot(P *p, SlotKind k, const char *key)
{
	int i;

	if (p->exp == NULL || !at_end(p))
		return;
	for (i = 0; i < p->exp->nslots; i++)
		if (p->exp->slots[i] == k && p->exp->slotkey[i] == key)
			return;
	if (p->exp->nslots < 16)
	{
		p->exp->slotkey[p->exp->nslots] = key;
		p->exp->slots[p->exp->nslots++] = k;
	}
}

static void
add_value(P *p, const char *key, const char *val, const Token *tok)
{
	Cmd *c = p->cmd;

	if (c->nvals < QA_MAX_VALUES)
	{
		c->key[c->nvals] = key;
		c->val[c->nvals] = val;
		c->tok[c->nvals] = tok;
		c->nvals++;
	}
}

/* a keyword (an unquoted name) */
static bool
kw(P *p, const char *w)
{
	const Token *t;

	if (at_end(p))
	{
		want_word(p, w);
		return false;
	}
	t = &p->t[p->i];
	if (t->type == T_IDENT && !t->quoted && strcmp(t->value, w) == 0)
	{
		p->i++;
		return true;
	}
	note_bad(p, w);
	return false;
}

/* a keyword, noted as a value (which of several it was) */
static bool
kwv(P *p, const char *w, const char *key)
{
	if (!kw(p, w))
		return false;
	add_value(p, key, w, &p->t[p->i - 1]);
	return true;
}

static bool
sym(P *p, const char *c)
{
	const Token *t;

	if (at_end(p))
	{
		want_word(p, c);
		return false;
	}
	t = &p->t[p->i];
	if (t->type == T_SYMBOL && t->value[0] == c[0])
	{
		p->i++;
		return true;
	}
	note_bad(p, c);
	return false;
}

/* a name of kind k (an identifier or a string), or * when star */
static bool
name(P *p, SlotKind k, const char *key, bool star)
{
	const Token *t;

	if (at_end(p))
	{
		want_slot(p, k, key);
		if (star)
			want_word(p, "*");
		return false;
	}
	t = &p->t[p->i];
	if (t->type == T_IDENT || t->type == T_STRING ||
		(star && t->type == T_SYMBOL && t->value[0] == '*'))
	{
		p->i++;
		add_value(p, key, t->value, t);
		return true;
	}
	note_bad(p, key);
	return false;
}

/* a number (a tick or batch id) */
static bool
number(P *p, SlotKind k, const char *key)
{
	const Token *t;

	if (at_end(p))
	{
		want_slot(p, k, key);
		return false;
	}
	t = &p->t[p->i];
	if (t->type == T_NUMBER &&
		strspn(t->value, "0123456789") == strlen(t->value))
	{
		p->i++;
		add_value(p, key, t->value, t);
		return true;
	}
	note_bad(p, key);
	return false;
}

/*
 * A value after key=: a string, or the tokens that follow one another
 * without blanks (so 10.1.2.3, db-1.example.com and /tmp work).
 */
static bool
value(P *p, const char *key)
{
	static char vals[QA_MAX_VALUES][1024];
	static int nv;
	const Token *t;
	char *v;
	size_t len = 0;
	int j;

	if (at_end(p))
	{
		want_slot(p, S_VALUE, key);
		return false;
	}
	t = &p->t[p->i];
	if (t->type == T_STRING)
	{
		p->i++;
		add_value(p, key, t->value, t);
		return true;
	}
	if (t->type == T_SYMBOL && strchr(";,()", t->value[0]))
	{
		note_bad(p, key);
		return false;
	}
	v = vals[nv++ % QA_MAX_VALUES];
	v[0] = '\0';
	for (j = p->i; j < p->n; j++)
	{
		const Token *u = &p->t[j];
		size_t l = u->end - u->start;

		if (j > p->i && u->start != p->t[j - 1].end)
			break;
		if (u->type == T_SYMBOL && strchr(";,", u->value[0]))
			break;
		/* the token as written: case kept, quotes of strings dropped */
		{
			const char *from = u->type == T_STRING || u->quoted
								   ? u->value
								   : p->src + u->start;
			int w;

			if (u->type == T_STRING || u->quoted)
				l = strlen(u->value);
			w = snprintf(v + len, sizeof(vals[0]) - len, "%.*s", (int) l,
						 from);
			if (w < 0 || len + (size_t) w >= sizeof(vals[0]) - 1)
				break;
			len += (size_t) w;
		}
	}
	add_value(p, key, v, t);
	p->i = j;
	return true;
}

/* the command's end */
static bool
end(P *p)
{
	return sym(p, ";");
}

/* key=value pairs of connect */
static const char *const conn_keys[] = {"dbname",	"host",	 "port", "user",
										"password", "queue", "node", NULL};

/*
 * KEY = VALUE for one of keys: 1 when there was one, 0 when none of them
 * is here, -1 for a key without its value.
 */
static int
key_value(P *p, const char *const *keys, SlotKind k)
{
	int start = p->i, i;

	if (at_end(p))
	{
		want_slot(p, k, NULL);
		return 0;
	}
	for (i = 0; keys[i]; i++)
	{
		p->i = start;
		if (kw(p, keys[i]))
			return sym(p, "=") && value(p, keys[i]) ? 1 : -1;
	}
	p->i = start;
	return 0;
}

static bool
parse_connect(P *p)
{
	int r;

	while ((r = key_value(p, conn_keys, S_CONNKEY)) == 1)
		;
	return r == 0 && end(p);
}

static bool
parse_install(P *p)
{
	return (kwv(p, "pgq", "what") || kwv(p, "londiste", "what")) && end(p);
}

static bool
parse_queue_end(P *p)
{
	return name(p, S_QUEUE, "queue", false) && end(p);
}

static const char *const qparams[] = {
	"idle_period",	   "max_count",		  "max_lag", "paused",
	"rotation_period", "external_ticker", NULL,
};

static bool
parse_alter_queue(P *p)
{
	if (!name(p, S_QUEUE, "queue", true) || !kw(p, "set"))
		return false;
	do
	{
		if (key_value(p, qparams, S_QPARAM) != 1)
			return false;
	} while (sym(p, ","));
	return end(p);
}

static bool
parse_register_consumer(P *p)
{
	if (!name(p, S_CONSUMER, "consumer", false))
		return false;
	for (;;)
	{
		int start = p->i;

		if (kw(p, "on"))
		{
			if (!name(p, S_QUEUE, "queue", false))
				return false;
			continue;
		}
		p->i = start;
		if (kw(p, "at"))
		{
			if (!number(p, S_TICK, "tick"))
				return false;
			continue;
		}
		p->i = start;
		if (kw(p, "copy"))
		{
			if (!name(p, S_CONSUMER, "copy", false))
				return false;
			continue;
		}
		p->i = start;
		return end(p);
	}
}

static bool
parse_unregister_consumer(P *p)
{
	if (!name(p, S_CONSUMER, "consumer", true))
		return false;
	if (kw(p, "from") && !name(p, S_QUEUE, "queue", false))
		return false;
	return end(p);
}

static bool
parse_register_subconsumer(P *p)
{
	if (!name(p, S_SUBCONSUMER, "subconsumer", false) || !kw(p, "for") ||
		!name(p, S_CONSUMER, "consumer", false))
		return false;
	if (kw(p, "on") && !name(p, S_QUEUE, "queue", false))
		return false;
	return end(p);
}

static bool
parse_unregister_subconsumer(P *p)
{
	if (!name(p, S_SUBCONSUMER, "subconsumer", true) || !kw(p, "for") ||
		!name(p, S_CONSUMER, "consumer", false))
		return false;
	if (kw(p, "from") && !name(p, S_QUEUE, "queue", false))
		return false;
	if (kwv(p, "close", "close"))
		kw(p, "batch");
	return end(p);
}

static bool on_queue_end(P *p);

/* after show X: ";" or NAME|* [on Q|*] ";" (on only when on_queue) */
static bool
show_named(P *p, SlotKind k, const char *key, bool on_queue)
{
	int start = p->i;

	if (sym(p, ";"))
		return true;
	p->i = start;
	if (!name(p, k, key, true))
		return false;
	if (on_queue && kw(p, "on") && !name(p, S_QUEUE, "queue", true))
		return false;
	return end(p);
}

/* show X [...] */
static bool
parse_show(P *p)
{
	int start = p->i;

	if (kwv(p, "help", "what") || kwv(p, "version", "what"))
		return end(p);
	p->i = start;
	if (kwv(p, "queue", "what"))
		return show_named(p, S_QUEUE, "queue", false);
	p->i = start;
	if (kwv(p, "consumer", "what"))
		return show_named(p, S_CONSUMER, "consumer", true);
	p->i = start;
	if (kwv(p, "node", "what"))
		return show_named(p, S_NODE, "node", true);
	p->i = start;
	if (kwv(p, "batch", "what"))
	{
		int s2 = p->i;

		if (number(p, S_BATCH, "batch"))
			return end(p);
		p->i = s2;
		return name(p, S_CONSUMER, "consumer", false) && end(p);
	}
	p->i = start;
	if (kwv(p, "table", "what"))
		return name(p, S_TABLE, "name", false) && end(p);
	p->i = start;
	if (kwv(p, "sequence", "what"))
		return name(p, S_SEQUENCE, "name", false) && end(p);
	p->i = start;
	if (kwv(p, "cascade", "what"))
		return on_queue_end(p);
	return false;
}

static const char *const topt_flags[] = {
	"skip_truncate", "expect_sync", "backup", "skip", "no_triggers", NULL};
static const char *const topt_values[] = {
	"tgflags", "ev_ignore",	 "pkey",	  "when",	   "ev_type",
	"ev_data", "ev_extra1",	 "ev_extra2", "ev_extra3", "ev_extra4",
	"handler", "dest_table", NULL,
};

static bool
name_list(P *p, SlotKind k)
{
	do
	{
		if (!name(p, k, "name", false))
			return false;
	} while (sym(p, ","));
	return true;
}

static bool
parse_londiste_add_table(P *p)
{
	if (!name_list(p, S_NEWTABLE))
		return false;
	if (kw(p, "with"))
	{
		do
		{
			int k, start = p->i;
			bool hit = false;

			if (at_end(p))
			{
				want_slot(p, S_TOPT, NULL);
				return false;
			}
			for (k = 0; topt_flags[k] && !hit; k++)
			{
				p->i = start;
				if (kw(p, topt_flags[k]))
				{
					/* with skip=... and the like: the flag, alone */
					add_value(p, "opt", topt_flags[k], &p->t[p->i - 1]);
					hit = true;
				}
			}
			for (k = 0; topt_values[k] && !hit; k++)
			{
				p->i = start;
				if (kw(p, topt_values[k]))
				{
					if (!sym(p, "=") || !value(p, topt_values[k]))
						return false;
					add_value(p, "optkey", topt_values[k], &p->t[start]);
					hit = true;
				}
			}
			if (!hit)
			{
				p->i = start;
				return false;
			}
		} while (sym(p, ","));
	}
	return end(p);
}

static bool
parse_names_end_newseq(P *p)
{
	return name_list(p, S_NEWSEQ) && end(p);
}

static bool
parse_names_end_regtable(P *p)
{
	return name_list(p, S_REGTABLE) && end(p);
}

static bool
parse_names_end_regseq(P *p)
{
	return name_list(p, S_REGSEQ) && end(p);
}

static bool
parse_end(P *p)
{
	return end(p);
}

/* [on Q] ; */
static bool
on_queue_end(P *p)
{
	if (kw(p, "on") && !name(p, S_QUEUE, "queue", false))
		return false;
	return end(p);
}

/* create root|branch|leaf node N location 'C' [provider 'C'] [worker W]
 * [on Q] */
static bool
parse_create_node(P *p)
{
	if (!name(p, S_WORD, "node", false) || !kw(p, "location") ||
		!value(p, "location"))
		return false;
	for (;;)
	{
		int start = p->i;

		if (kw(p, "provider"))
		{
			if (!value(p, "provider"))
				return false;
			continue;
		}
		p->i = start;
		if (kw(p, "worker"))
		{
			if (!name(p, S_WORD, "worker", false))
				return false;
			continue;
		}
		p->i = start;
		return on_queue_end(p);
	}
}

static bool
parse_node_on(P *p)
{
	return name(p, S_NODE, "node", false) && on_queue_end(p);
}

static const CmdDef defs[] = {
	{"connect", 1, parse_connect},
	{"install", 1, parse_install},
	{"create queue", 2, parse_queue_end},
	{"drop queue", 2, parse_queue_end},
	{"alter queue", 2, parse_alter_queue},
	{"register consumer", 2, parse_register_consumer},
	{"unregister consumer", 2, parse_unregister_consumer},
	{"register subconsumer", 2, parse_register_subconsumer},
	{"unregister subconsumer", 2, parse_unregister_subconsumer},
	{"show", 1, parse_show},
	{"londiste add table", 3, parse_londiste_add_table},
	{"londiste add sequence", 3, parse_names_end_newseq},
	{"londiste remove table", 3, parse_names_end_regtable},
	{"londiste remove sequence", 3, parse_names_end_regseq},
	{"londiste tables", 2, parse_end},
	{"londiste seqs", 2, parse_end},
	{"londiste missing", 2, parse_end},
	{"create root node", 3, parse_create_node},
	{"create branch node", 3, parse_create_node},
	{"create leaf node", 3, parse_create_node},
	{"drop node", 2, parse_node_on},
	{"takeover", 1, parse_node_on},
	{"status", 1, on_queue_end},
	{"exit", 1, parse_end},
	{NULL, 0, NULL},
};

/* the words that may start a command, for completion */
const char *const qa_first_words[] = {
	"alter",	  "connect", "create", "drop",	   "install", "register",
	"unregister", "show",	 "exit",   "londiste", "select",  NULL,
};

/* the i-th word of a command's name into w; false when there is none */
static bool
nth_word(const char *name, int i, char *w, size_t len)
{
	const char *s = name;

	while (i-- > 0)
	{
		s = strchr(s, ' ');
		if (s == NULL)
			return false;
		s++;
	}
	snprintf(w, len, "%.*s", (int) strcspn(s, " "), s);
	return w[0] != '\0';
}

static const char *
static_word(const char *w)
{
	/* the words of the command names, as static strings for Expect */
	static const char *const words[] = {
		"connect", "install",  "create",   "queue",		 "drop",
		"alter",   "register", "consumer", "unregister", "subconsumer",
		"show",	   "londiste", "add",	   "table",		 "sequence",
		"remove",  "tables",   "seqs",	   "missing",	 "exit",
		NULL,
	};
	int i;

	for (i = 0; words[i]; i++)
		if (strcmp(words[i], w) == 0)
			return words[i];
	return NULL;
}

MatchResult
qa_match(const char *src, const Token *toks, int ntoks, Cmd *cmd, Expect *exp,
		 char *err, size_t errlen)
{
	const CmdDef *d;
	MatchResult best = M_NOMATCH;
	int depth_best = -1;

	memset(cmd, 0, sizeof(*cmd));
	if (exp)
		memset(exp, 0, sizeof(*exp));
	err[0] = '\0';
	for (d = defs; d->name; d++)
	{
		P p;
		int w;
		bool prefix_ok = true;
		char word[32];
		Cmd c;

		memset(&p, 0, sizeof(p));
		memset(&c, 0, sizeof(c));
		p.src = src;
		p.t = toks;
		p.n = ntoks;
		p.cmd = &c;
		p.exp = exp;
		for (w = 0; w < d->nprefix; w++)
		{
			nth_word(d->name, w, word, sizeof(word));
			if (at_end(&p))
			{
				/* a prefix of the command: it may come next */
				want_word(&p, static_word(word));
				prefix_ok = false;
				if (best == M_NOMATCH)
					best = M_INCOMPLETE;
				break;
			}
			if (toks[p.i].type != T_IDENT || toks[p.i].quoted ||
				strcmp(toks[p.i].value, word) != 0)
			{
				prefix_ok = false;
				break;
			}
			p.i++;
		}
		if (!prefix_ok)
			continue;
		/* ours: the rest must fit */
		c.def = (const struct CmdDef *) d;
		if (d->parse(&p) && p.i == ntoks)
		{
			*cmd = c;
			return M_OK;
		}
		if (p.i >= ntoks && (exp == NULL || exp->nwords + exp->nslots > 0))
		{
			if (best != M_OK)
				best = M_INCOMPLETE;
			depth_best = ntoks;
			continue;
		}
		if (p.far >= depth_best)
		{
			const Token *t = &toks[p.far < ntoks ? p.far : ntoks - 1];
			size_t n;
			int k;

			depth_best = p.far;
			n = (size_t) snprintf(err, errlen, "syntax error 2: at \"%s\"",
								  p.far < ntoks ? t->value : "the end");
			for (k = 0; k < p.nbad && n < errlen; k++)
				n += (size_t) snprintf(err + n, errlen - n, "%s%s",
									   k ? ", " : ": expected ", p.bad[k]);
			if (best == M_NOMATCH)
				best = M_ERROR;
		}
	}
	if (best == M_INCOMPLETE && ntoks > 0 && exp == NULL)
		snprintf(err, errlen, "syntax error 2: the command ends too soon");
	return best;
}

const char *
qa_cmd_value(const Cmd *cmd, const char *key)
{
	int i;

	for (i = 0; i < cmd->nvals; i++)
		if (strcmp(cmd->key[i], key) == 0)
			return cmd->val[i];
	return NULL;
}

int
qa_cmd_values(const Cmd *cmd, const char *key, const char **out, int max)
{
	int i, n = 0;

	for (i = 0; i < cmd->nvals && n < max; i++)
		if (strcmp(cmd->key[i], key) == 0)
			out[n++] = cmd->val[i];
	return n;
}

const char *
qa_cmd_name(const Cmd *cmd)
{
	return cmd->def ? ((const CmdDef *) cmd->def)->name : NULL;
}
