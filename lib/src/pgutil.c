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
#include "skytools/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/* Two decimal digits of v (0..99) at p. */
static char *
put2(char *p, int v)
{
	p[0] = (char) ('0' + v / 10);
	p[1] = (char) ('0' + v % 10);
	return p + 2;
}

void
pg_format_utc_time(char *dst, int64_t us)
{
	int64_t secs, days, z, era, doe, yoe, y, doy, mp, d, m;
	int frac, sod, i;
	char *p = dst;

	if (us == INT64_MAX)
	{
		strcpy(dst, "infinity");
		return;
	}
	if (us == INT64_MIN)
	{
		strcpy(dst, "-infinity");
		return;
	}
	secs = us / 1000000;
	frac = (int) (us % 1000000);
	if (frac < 0)
	{
		frac += 1000000;
		secs--;
	}
	secs += 946684800; /* 2000-01-01 in Unix time */
	days = secs / 86400;
	sod = (int) (secs % 86400);
	if (sod < 0)
	{
		sod += 86400;
		days--;
	}
	/* civil date of a day count since 1970-01-01 (proleptic Gregorian) */
	z = days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	if (m <= 2)
		y++;
	if (y < 1 || y > 9999)
	{
		time_t t = (time_t) secs;
		struct tm tm;

		gmtime_r(&t, &tm);
		snprintf(dst, PG_UTC_TIME_LEN, "%04d-%02d-%02d %02d:%02d:%02d.%06d+00",
				 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
				 tm.tm_min, tm.tm_sec, frac);
		return;
	}
	p = put2(p, (int) (y / 100));
	p = put2(p, (int) (y % 100));
	*p++ = '-';
	p = put2(p, (int) m);
	*p++ = '-';
	p = put2(p, (int) d);
	*p++ = ' ';
	p = put2(p, sod / 3600);
	*p++ = ':';
	p = put2(p, sod / 60 % 60);
	*p++ = ':';
	p = put2(p, sod % 60);
	*p++ = '.';
	for (i = 5; i >= 0; i--)
	{
		p[i] = (char) ('0' + frac % 10);
		frac /= 10;
	}
	p += 6;
	memcpy(p, "+00", 4);
}

PGresult *
pg_exec_retry(PGconn *db, const char *sql, int n, const char *const *params)
{
	PGresult *res = PQexecParams(db, sql, n, NULL, params, NULL, NULL, 0);
	int tries = 0;

	while (PQresultStatus(res) == PGRES_FATAL_ERROR && tries++ < 3 &&
		   PQtransactionStatus(db) == PQTRANS_IDLE)
	{
		const char *code = PQresultErrorField(res, PG_DIAG_SQLSTATE);

		if (code == NULL ||
			(strcmp(code, "40P01") != 0 && strcmp(code, "40001") != 0))
			break;
		log_warning("%s; trying again",
					PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY));
		PQclear(res);
		res = PQexecParams(db, sql, n, NULL, params, NULL, NULL, 0);
	}
	return res;
}
