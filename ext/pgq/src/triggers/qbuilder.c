/*-------------------------------------------------------------------------
 *
 * qbuilder.c
 *	  Trigger argument expressions: rewrite column names into parameters.
 *
 * An expression such as  ev_extra1=(nr+3)::text  or  when=col2='foo'  is
 * run as  select <expression>  for every row, with the row's columns as
 * parameters.  To know which words are column names the text is split
 * into tokens with a small SQL lexer: white space and comments (nested
 * too), string literals in every form PostgreSQL accepts ('...', E'...',
 * B/X/N'...', dollar quotes, with standard_conforming_strings honoured),
 * numbers, $n parameters, punctuation, and identifiers, where
 * dot-separated parts (plain or "quoted") form one token.  An identifier
 * token that names a column of the table (see token_column) becomes $k;
 * everything else is copied as it is, so function names, keywords and
 * qualified names (tbl.col) are left alone.  The statement is prepared
 * once, with the columns' types as parameter types, and kept until the
 * table's cache entry is rebuilt.
 *
 * IDENTIFICATION
 *	  ext/pgq/src/triggers/qbuilder.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "parser/parser.h"
#include "utils/memutils.h"

#include "qbuilder.h"

typedef enum
{
	TK_END,
	TK_SPACE,
	TK_IDENT,
	TK_OTHER
} TokenType;

static void
syntax_error(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_SYNTAX_ERROR), errmsg("QB: syntax error")));
}

static bool
ident_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
		   c >= 0x80;
}

static bool
ident_char(unsigned char c)
{
	return ident_start(c) || (c >= '0' && c <= '9') || c == '$';
}

/* Skip a quoted run starting at p (on the opening quote q); returns the
 * position after the closing quote.  Doubled quotes stand for one; with
 * backslashes, a backslash escapes the next byte. */
static const char *
skip_quoted(const char *p, char q, bool backslashes)
{
	p++;
	for (;;)
	{
		if (*p == '\0')
			syntax_error();
		if (backslashes && *p == '\\')
		{
			if (p[1] == '\0')
				syntax_error();
			p += 2;
			continue;
		}
		if (*p == q)
		{
			if (p[1] == q)
			{
				p += 2;
				continue;
			}
			return p + 1;
		}
		p++;
	}
}

/* Dollar quote at p ("$tag$"), or NULL when p does not start one. */
static const char *
skip_dollar_quote(const char *p)
{
	const char *t = p + 1;
	size_t taglen;
	const char *end;

	while (*t && *t != '$')
	{
		if (!ident_char((unsigned char) *t) || *t == '$')
			return NULL;
		t++;
	}
	if (*t != '$')
		return NULL;
	taglen = t - p + 1;
	for (end = t + 1; *end; end++)
	{
		if (*end == '$' && strncmp(end, p, taglen) == 0)
			return end + taglen;
	}
	syntax_error();
	return NULL;
}

/* Skip white space and comments; NULL when p starts neither. */
static const char *
skip_space(const char *p)
{
	const char *start = p;

	for (;;)
	{
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f')
			p++;
		else if (p[0] == '-' && p[1] == '-')
		{
			while (*p && *p != '\n')
				p++;
		}
		else if (p[0] == '/' && p[1] == '*')
		{
			int depth = 1;

			p += 2;
			while (depth > 0)
			{
				if (*p == '\0')
					syntax_error();
				if (p[0] == '/' && p[1] == '*')
				{
					depth++;
					p += 2;
				}
				else if (p[0] == '*' && p[1] == '/')
				{
					depth--;
					p += 2;
				}
				else
					p++;
			}
		}
		else
			break;
	}
	return p == start ? NULL : p;
}

/* An identifier of one or more dot-separated parts. */
static const char *
skip_ident(const char *p)
{
	for (;;)
	{
		if (*p == '"')
			p = skip_quoted(p, '"', false);
		else
		{
			while (ident_char((unsigned char) *p))
				p++;
		}
		if (p[0] == '.' && (ident_start((unsigned char) p[1]) || p[1] == '"'))
			p++;
		else
			return p;
	}
}

/* The next token at p: its type and end. */
static TokenType
next_token(const char *p, const char **end)
{
	unsigned char c = (unsigned char) *p;
	const char *q;

	if (c == '\0')
		return TK_END;
	if ((q = skip_space(p)) != NULL)
	{
		*end = q;
		return TK_SPACE;
	}
	if (c == '\'')
	{
		*end = skip_quoted(p, '\'', !standard_conforming_strings);
		return TK_OTHER;
	}
	if ((c == 'e' || c == 'E') && p[1] == '\'')
	{
		*end = skip_quoted(p + 1, '\'', true);
		return TK_OTHER;
	}
	if (strchr("bBxXnN", c) && p[1] == '\'')
	{
		*end = skip_quoted(p + 1, '\'', false);
		return TK_OTHER;
	}
	if (c == '$')
	{
		if (p[1] >= '0' && p[1] <= '9')
		{
			for (q = p + 1; *q >= '0' && *q <= '9'; q++)
				;
			*end = q;
			return TK_OTHER;
		}
		if ((q = skip_dollar_quote(p)) != NULL)
		{
			*end = q;
			return TK_OTHER;
		}
		*end = p + 1;
		return TK_OTHER;
	}
	if (c >= '0' && c <= '9')
	{
		for (q = p; (*q >= '0' && *q <= '9') || *q == '.'; q++)
			;
		if ((*q == 'e' || *q == 'E') &&
			((q[1] >= '0' && q[1] <= '9') ||
			 ((q[1] == '+' || q[1] == '-') && q[2] >= '0' && q[2] <= '9')))
		{
			for (q += 2; *q >= '0' && *q <= '9'; q++)
				;
		}
		*end = q;
		return TK_OTHER;
	}
	if (ident_start(c) || c == '"')
	{
		*end = skip_ident(p);
		return TK_IDENT;
	}
	*end = p + 1;
	return TK_OTHER;
}

/* The live column (0-based) named exactly name, or -1. */
static int
find_column(const char *name, TupleDesc desc)
{
	int i;

	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (!att->attisdropped && strcmp(NameStr(att->attname), name) == 0)
			return i;
	}
	return -1;
}

/*
 * The column (0-based) an identifier token names, or -1.  An unquoted
 * name is taken as written first (upstream matches only that way, so a
 * column "Mx" is reached by Mx), then folded to lower case; a quoted name
 * as written (upstream rejects quoted names with 'QB: syntax error').
 * Qualified names never match.
 */
static int
token_column(const char *tok, size_t len, TupleDesc desc)
{
	char *name = palloc(len + 1);
	size_t n = 0;
	int i;
	int col;

	if (tok[0] == '"')
	{
		/* anything after the closing quote makes a qualified name */
		if (skip_quoted(tok, '"', false) != tok + len)
			return -1;
		for (i = 1; i < (int) len - 1; i++)
		{
			name[n++] = tok[i];
			if (tok[i] == '"')
				i++; /* "" stands for one quote */
		}
		name[n] = '\0';
		return find_column(name, desc);
	}
	if (memchr(tok, '.', len) != NULL || memchr(tok, '"', len) != NULL)
		return -1;
	memcpy(name, tok, len);
	name[len] = '\0';
	if ((col = find_column(name, desc)) >= 0)
		return col;
	for (i = 0; i < (int) len; i++)
		if (name[i] >= 'A' && name[i] <= 'Z')
			name[i] += 'a' - 'A';
	return find_column(name, desc);
}

/* Parameter number (1-based) for column col, adding it when new. */
static int
column_param(QueryBuilder *qb, int col)
{
	int i;

	for (i = 0; i < qb->nargs; i++)
		if (qb->arg_cols[i] == col)
			return i + 1;
	if (qb->nargs == qb->arg_space)
	{
		qb->arg_space *= 2;
		qb->arg_cols = repalloc(qb->arg_cols, qb->arg_space * sizeof(int));
	}
	qb->arg_cols[qb->nargs++] = col;
	return qb->nargs;
}

/*
 * Parse expr against the table's columns.  The builder and its text live
 * in ctx; the plan is prepared on first execution.  Raises
 * 'QB: syntax error' for an unterminated string, quote or comment.
 */
QueryBuilder *
qb_create(const char *expr, TupleDesc desc, MemoryContext ctx)
{
	MemoryContext old = MemoryContextSwitchTo(ctx);
	QueryBuilder *qb = palloc0(sizeof(QueryBuilder));
	const char *p = expr;
	const char *end;
	TokenType t;

	initStringInfo(&qb->sql);
	qb->arg_space = 8;
	qb->arg_cols = palloc(qb->arg_space * sizeof(int));
	appendStringInfoString(&qb->sql, "select ");

	while ((t = next_token(p, &end)) != TK_END)
	{
		int col = -1;

		if (t == TK_IDENT)
			col = token_column(p, end - p, desc);
		if (col >= 0)
			appendStringInfo(&qb->sql, "$%d", column_param(qb, col));
		else
			appendBinaryStringInfo(&qb->sql, p, end - p);
		p = end;
	}
	MemoryContextSwitchTo(old);
	return qb;
}

/*
 * Run the expression for one row (SPI must be connected).  The result is
 * left in SPI_tuptable / SPI_processed for the caller.
 */
void
qb_execute(QueryBuilder *qb, TupleDesc desc, HeapTuple row)
{
	Datum *values = palloc(sizeof(Datum) * (qb->nargs + 1));
	char *nulls = palloc(qb->nargs + 1);
	int i;
	int ret;

	if (qb->plan == NULL)
	{
		Oid *types = palloc(sizeof(Oid) * (qb->nargs + 1));
		SPIPlanPtr plan;

		for (i = 0; i < qb->nargs; i++)
			types[i] = TupleDescAttr(desc, qb->arg_cols[i])->atttypid;
		plan = SPI_prepare(qb->sql.data, qb->nargs, types);
		if (plan == NULL)
			elog(ERROR, "pgq: preparing trigger expression failed: %s",
				 SPI_result_code_string(SPI_result));
		if (SPI_keepplan(plan) != 0)
			elog(ERROR, "pgq: SPI_keepplan failed");
		qb->plan = plan;
	}

	for (i = 0; i < qb->nargs; i++)
	{
		bool isnull;

		values[i] = heap_getattr(row, qb->arg_cols[i] + 1, desc, &isnull);
		nulls[i] = isnull ? 'n' : ' ';
	}
	ret = SPI_execute_plan(qb->plan, values, nulls, false, 0);
	if (ret < 0)
		ereport(ERROR, (errmsg("Override query failed")));
	if (SPI_processed != 1)
		ereport(ERROR, (errmsg("Expect 1 row from override query, got %d",
							   (int) SPI_processed)));
}

/* Release the saved plan; the builder's memory goes with its context. */
void
qb_free(QueryBuilder *qb)
{
	if (qb != NULL && qb->plan != NULL)
	{
		SPI_freeplan(qb->plan);
		qb->plan = NULL;
	}
}
