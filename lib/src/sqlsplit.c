/*-------------------------------------------------------------------------
 *
 * sqlsplit.c
 *	  Splitting an SQL script into statements: see sqlsplit.h.
 *
 * IDENTIFICATION
 *	  lib/src/sqlsplit.c
 *
 *-------------------------------------------------------------------------
 */
#include "skytools/sqlsplit.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static bool
ident_char(char c)
{
	return isalnum((unsigned char) c) || c == '_' || (c & 0x80);
}

/* At sql[i] == '$': the length of a dollar-quote tag "$tag$", or 0. */
static size_t
dollar_tag(const char *sql, size_t i)
{
	size_t j = i + 1;

	if (i > 0 && ident_char(sql[i - 1]))
		return 0; /* part of an identifier such as a$b */
	if (isdigit((unsigned char) sql[j]))
		return 0; /* a parameter: $1 */
	while (ident_char(sql[j]))
		j++;
	return sql[j] == '$' ? j - i + 1 : 0;
}

bool
sky_sql_split(const char *sql, SkySqlStmtFn fn, void *arg, char *err,
			  size_t errlen)
{
	size_t i = 0, start = 0;
	int line = 1, start_line = 1;
	bool content = false; /* the statement holds more than comments */

	err[0] = '\0';
	for (;;)
	{
		char c = sql[i];

		if (c == '\0' || c == ';')
		{
			if (content && !fn(sql + start, i - start, start_line, arg))
				return false;
			if (c == '\0')
				return true;
			i++;
			start = i;
			start_line = line;
			content = false;
			continue;
		}
		if (c == '-' && sql[i + 1] == '-')
		{
			while (sql[i] && sql[i] != '\n')
				i++;
			continue;
		}
		if (c == '/' && sql[i + 1] == '*')
		{
			int depth = 1, l0 = line;

			for (i += 2; depth > 0; i++)
			{
				if (sql[i] == '\0')
				{
					snprintf(err, errlen,
							 "a comment from line %d does not end", l0);
					return false;
				}
				if (sql[i] == '\n')
					line++;
				else if (sql[i] == '/' && sql[i + 1] == '*')
				{
					depth++;
					i++;
				}
				else if (sql[i] == '*' && sql[i + 1] == '/')
				{
					depth--;
					i++;
				}
			}
			continue;
		}
		if (!isspace((unsigned char) c) && !content)
		{
			content = true;
			start = i;
			start_line = line;
		}
		if (c == '\n')
		{
			line++;
			i++;
			continue;
		}
		if (c == '\'' || c == '"')
		{
			/* E'...' takes backslash escapes */
			bool esc = c == '\'' && i > 0 &&
					   (sql[i - 1] == 'E' || sql[i - 1] == 'e') &&
					   (i < 2 || !ident_char(sql[i - 2]));
			int l0 = line;

			for (i++;; i++)
			{
				if (sql[i] == '\0')
				{
					snprintf(err, errlen, "a %s from line %d does not end",
							 c == '"' ? "quoted identifier" : "string", l0);
					return false;
				}
				if (sql[i] == '\n')
					line++;
				if (esc && sql[i] == '\\' && sql[i + 1])
				{
					if (sql[i + 1] == '\n')
						line++;
					i++;
					continue;
				}
				if (sql[i] == c)
				{
					if (sql[i + 1] == c)
					{
						i++; /* doubled: one quote inside */
						continue;
					}
					break;
				}
			}
			i++;
			continue;
		}
		if (c == '$')
		{
			size_t tl = dollar_tag(sql, i);

			if (tl > 0)
			{
				const char *end;
				int l0 = line;
				const char *p;

				end = NULL;
				for (p = sql + i + tl; *p; p++)
				{
					if (*p == '\n')
						line++;
					if (*p == '$' && strncmp(p, sql + i, tl) == 0)
					{
						end = p;
						break;
					}
				}
				if (end == NULL)
				{
					snprintf(
						err, errlen,
						"a dollar-quoted string from line %d does not end",
						l0);
					return false;
				}
				i = (size_t) (end - sql) + tl;
				continue;
			}
		}
		i++;
	}
}
