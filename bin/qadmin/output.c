/*-------------------------------------------------------------------------
 *
 * output.c
 *	  Result sets as qadmin prints them: a left-aligned table (header,
 *	  dashes, a line per row, a blank line; a column as wide as
 *	  max(10, header, longest value) + 2, as upstream's), or expanded
 *	  (a record at a time), CSV or JSON (\x, \csv, \json).  NULL prints
 *	  as an empty field (null in JSON).
 *
 * IDENTIFICATION
 *	  bin/qadmin/output.c
 *
 *-------------------------------------------------------------------------
 */
#include "qadmin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* characters, not bytes, of UTF-8 text */
static int
width(const char *s)
{
	int w = 0;

	for (; *s; s++)
		if (((unsigned char) *s & 0xC0) != 0x80)
			w++;
	return w;
}

static int pending_blanks; /* blanks printed only when text follows */

static void
pad(int n)
{
	pending_blanks += n > 0 ? n : 0;
}

static void
out(const char *s)
{
	if (*s)
	{
		while (pending_blanks > 0)
		{
			putchar(' ');
			pending_blanks--;
		}
		fputs(s, stdout);
	}
}

static void
newline(void)
{
	pending_blanks = 0;
	putchar('\n');
}

static void
print_aligned(PGresult *res)
{
	int nf = PQnfields(res), nt = PQntuples(res), i, j;
	int *w = calloc((size_t) (nf ? nf : 1), sizeof(int));

	if (w == NULL)
		return;
	for (j = 0; j < nf; j++)
	{
		w[j] = width(PQfname(res, j));
		if (w[j] < 10)
			w[j] = 10;
		for (i = 0; i < nt; i++)
			if (width(PQgetvalue(res, i, j)) > w[j])
				w[j] = width(PQgetvalue(res, i, j));
		w[j] += 2;
	}
	for (j = 0; j < nf; j++)
	{
		out(PQfname(res, j));
		pad(w[j] - width(PQfname(res, j)));
	}
	newline();
	for (j = 0; j < nf; j++)
	{
		char dashes[1024];
		int k = w[j] - 2 < (int) sizeof(dashes) - 1 ? w[j] - 2
													: (int) sizeof(dashes) - 1;

		memset(dashes, '-', (size_t) k);
		dashes[k] = '\0';
		out(dashes);
		pad(2);
	}
	newline();
	for (i = 0; i < nt; i++)
	{
		for (j = 0; j < nf; j++)
		{
			const char *v = PQgetvalue(res, i, j);

			out(v);
			pad(w[j] - width(v));
		}
		newline();
	}
	newline();
	free(w);
}

static void
print_expanded(PGresult *res)
{
	int nf = PQnfields(res), nt = PQntuples(res), i, j, hw = 0;

	for (j = 0; j < nf; j++)
		if (width(PQfname(res, j)) > hw)
			hw = width(PQfname(res, j));
	for (i = 0; i < nt; i++)
	{
		printf("-[ RECORD %d ]\n", i + 1);
		for (j = 0; j < nf; j++)
		{
			int k;

			fputs(PQfname(res, j), stdout);
			for (k = width(PQfname(res, j)); k < hw; k++)
				putchar(' ');
			printf(" |%s%s\n", PQgetvalue(res, i, j)[0] ? " " : "",
				   PQgetvalue(res, i, j));
		}
	}
	if (nt == 0)
		printf("(no rows)\n");
	putchar('\n');
}

static void
csv_field(const char *v)
{
	if (strpbrk(v, ",\"\n\r") == NULL)
	{
		fputs(v, stdout);
		return;
	}
	putchar('"');
	for (; *v; v++)
	{
		if (*v == '"')
			putchar('"');
		putchar(*v);
	}
	putchar('"');
}

static void
print_csv(PGresult *res)
{
	int nf = PQnfields(res), nt = PQntuples(res), i, j;

	for (j = 0; j < nf; j++)
	{
		if (j)
			putchar(',');
		csv_field(PQfname(res, j));
	}
	putchar('\n');
	for (i = 0; i < nt; i++)
	{
		for (j = 0; j < nf; j++)
		{
			if (j)
				putchar(',');
			csv_field(PQgetvalue(res, i, j));
		}
		putchar('\n');
	}
}

static void
json_str(const char *s)
{
	putchar('"');
	for (; *s; s++)
	{
		unsigned char c = (unsigned char) *s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c == '\n')
			fputs("\\n", stdout);
		else if (c == '\t')
			fputs("\\t", stdout);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void
print_json(PGresult *res)
{
	int nf = PQnfields(res), nt = PQntuples(res), i, j;

	putchar('[');
	for (i = 0; i < nt; i++)
	{
		printf("%s\n  {", i ? "," : "");
		for (j = 0; j < nf; j++)
		{
			if (j)
				fputs(", ", stdout);
			json_str(PQfname(res, j));
			fputs(": ", stdout);
			if (PQgetisnull(res, i, j))
				fputs("null", stdout);
			else
				json_str(PQgetvalue(res, i, j));
		}
		putchar('}');
	}
	fputs(nt ? "\n]\n" : "]\n", stdout);
}

void
qa_print_result(Qadmin *qa, PGresult *res)
{
	switch (qa->format)
	{
		case F_ALIGNED:
			print_aligned(res);
			break;
		case F_EXPANDED:
			print_expanded(res);
			break;
		case F_CSV:
			print_csv(res);
			break;
		case F_JSON:
			print_json(res);
			break;
	}
	fflush(stdout);
}
