/*-------------------------------------------------------------------------
 *
 * pgutil.c
 *	  PostgreSQL helpers for client programs: see pgutil.h.
 *
 * IDENTIFICATION
 *	  lib/src/pgutil.c
 *
 *-------------------------------------------------------------------------
 */
#include "skytools/pgutil.h"

#include <stdlib.h>
#include <string.h>

/*
 * PostgreSQL's reserved key words and those allowed only as function or
 * type names: an identifier spelled like one must be quoted.  Sorted.
 */
static const char *const keywords[] = {
	"all",
	"analyse",
	"analyze",
	"and",
	"any",
	"array",
	"as",
	"asc",
	"asymmetric",
	"authorization",
	"binary",
	"both",
	"case",
	"cast",
	"check",
	"collate",
	"collation",
	"column",
	"concurrently",
	"constraint",
	"create",
	"cross",
	"current_catalog",
	"current_date",
	"current_role",
	"current_schema",
	"current_time",
	"current_timestamp",
	"current_user",
	"default",
	"deferrable",
	"desc",
	"distinct",
	"do",
	"else",
	"end",
	"except",
	"false",
	"fetch",
	"for",
	"foreign",
	"freeze",
	"from",
	"full",
	"grant",
	"group",
	"having",
	"ilike",
	"in",
	"initially",
	"inner",
	"intersect",
	"into",
	"is",
	"isnull",
	"join",
	"lateral",
	"leading",
	"left",
	"like",
	"limit",
	"localtime",
	"localtimestamp",
	"natural",
	"not",
	"notnull",
	"null",
	"offset",
	"on",
	"only",
	"or",
	"order",
	"outer",
	"overlaps",
	"placing",
	"primary",
	"references",
	"returning",
	"right",
	"select",
	"session_user",
	"similar",
	"some",
	"symmetric",
	"system_user",
	"table",
	"tablesample",
	"then",
	"to",
	"trailing",
	"true",
	"union",
	"unique",
	"user",
	"using",
	"variadic",
	"verbose",
	"when",
	"where",
	"window",
	"with",
};

static int
cmp_kw(const void *a, const void *b)
{
	return strcmp(*(const char *const *) a, *(const char *const *) b);
}

static bool
is_keyword(const char *word)
{
	return bsearch(&word, keywords, sizeof(keywords) / sizeof(keywords[0]),
				   sizeof(keywords[0]), cmp_kw) != NULL;
}

bool
pg_quote_ident(char *dst, size_t dstlen, const char *ident, size_t len)
{
	char word[256];
	bool plain = len > 0 && len < sizeof(word);
	size_t i, n = 0;

	for (i = 0; i < len && plain; i++)
	{
		char c = ident[i];

		if (!((c >= 'a' && c <= 'z') || c == '_' ||
			  (i > 0 && c >= '0' && c <= '9')))
			plain = false;
	}
	if (plain)
	{
		memcpy(word, ident, len);
		word[len] = '\0';
		plain = !is_keyword(word);
	}
	if (plain)
	{
		if (len + 1 > dstlen)
			return false;
		memcpy(dst, ident, len);
		dst[len] = '\0';
		return true;
	}
	if (dstlen < 3)
		return false;
	dst[n++] = '"';
	for (i = 0; i < len; i++)
	{
		if (n + 3 > dstlen)
			return false;
		if (ident[i] == '"')
			dst[n++] = '"';
		dst[n++] = ident[i];
	}
	if (n + 2 > dstlen)
		return false;
	dst[n++] = '"';
	dst[n] = '\0';
	return true;
}

bool
pg_quote_fqident(char *dst, size_t dstlen, const char *name)
{
	const char *dot = strchr(name, '.');
	size_t n;

	if (dot == NULL)
	{
		if (!pg_quote_ident(dst, dstlen, "public", 6))
			return false;
		dot = name - 1;
	}
	else if (!pg_quote_ident(dst, dstlen, name, dot - name))
		return false;
	n = strlen(dst);
	if (n + 2 > dstlen)
		return false;
	dst[n++] = '.';
	return pg_quote_ident(dst + n, dstlen - n, dot + 1, strlen(dot + 1));
}

bool
pg_conninfo_value(char *dst, size_t dstlen, const char *value)
{
	size_t n = strlen(dst);

	if (n + 3 > dstlen)
		return false;
	dst[n++] = '\'';
	for (; *value; value++)
	{
		if (n + 4 > dstlen)
			return false;
		if (*value == '\'' || *value == '\\')
			dst[n++] = '\\';
		dst[n++] = *value;
	}
	dst[n++] = '\'';
	dst[n] = '\0';
	return true;
}

static bool
copy_put(PgCopyBuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap)
	{
		size_t nc = b->cap ? b->cap * 2 : 65536;
		char *nd;

		while (nc < b->len + n + 1)
			nc *= 2;
		nd = realloc(b->data, nc);
		if (nd == NULL)
			return false;
		b->data = nd;
		b->cap = nc;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	return true;
}

bool
pg_copy_value(PgCopyBuf *b, const char *value, bool last)
{
	const char *p;
	bool ok = true;

	if (value == NULL)
		ok = copy_put(b, "\\N", 2);
	else
		for (p = value; *p && ok; p++)
		{
			switch (*p)
			{
				case '\\':
					ok = copy_put(b, "\\\\", 2);
					break;
				case '\t':
					ok = copy_put(b, "\\t", 2);
					break;
				case '\n':
					ok = copy_put(b, "\\n", 2);
					break;
				case '\r':
					ok = copy_put(b, "\\r", 2);
					break;
				default:
					ok = copy_put(b, p, 1);
			}
		}
	return ok && copy_put(b, last ? "\n" : "\t", 1);
}

void
pg_copy_reset(PgCopyBuf *b)
{
	b->len = 0;
}

void
pg_copy_free(PgCopyBuf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}
