/*-------------------------------------------------------------------------
 *
 * pyformat.c
 *	  "%(name)s" placeholders into $n parameters (see skytools/pyformat.h).
 *
 * IDENTIFICATION
 *	  lib/src/pyformat.c
 *
 *-------------------------------------------------------------------------
 */
#include "skytools/pyformat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
sky_pyquery_param(const SkyPyQuery *q, const char *name)
{
	int i;

	for (i = 0; i < q->nparams; i++)
		if (strcmp(q->names[i], name) == 0)
			return i;
	return -1;
}

void
sky_pyquery_free(SkyPyQuery *q)
{
	int i;

	for (i = 0; i < q->nparams; i++)
		free(q->names[i]);
	free(q->names);
	free(q->sql);
	memset(q, 0, sizeof(*q));
}

static bool
fail(SkyPyQuery *q, char *err, size_t errlen, size_t at, const char *what)
{
	snprintf(err, errlen, "at offset %zu: %s", at, what);
	sky_pyquery_free(q);
	return false;
}

bool
sky_pyquery_compile(SkyPyQuery *q, const char *text, char *err, size_t errlen)
{
	size_t len = strlen(text), o = 0, i;
	/* "%(x)s" (5 bytes at least) becomes "$n" (at most 11) */
	size_t cap = len * 3 + 16;

	memset(q, 0, sizeof(*q));
	q->sql = malloc(cap);
	if (q->sql == NULL)
		return fail(q, err, errlen, 0, "out of memory");
	for (i = 0; i < len; i++)
	{
		const char *close;
		char *name;
		int n;

		if (text[i] != '%')
		{
			q->sql[o++] = text[i];
			continue;
		}
		if (text[i + 1] == '%')
		{
			q->sql[o++] = '%';
			i++;
			continue;
		}
		if (text[i + 1] != '(')
			return fail(q, err, errlen, i,
						"a '%' that is not %(name)s nor %% (write %% for %)");
		close = strchr(text + i + 2, ')');
		if (close == NULL || close[1] != 's')
			return fail(q, err, errlen, i, "%(name) not closed by \")s\"");
		if (close == text + i + 2)
			return fail(q, err, errlen, i, "%()s without a name");
		name = strndup(text + i + 2, (size_t) (close - text - i - 2));
		if (name == NULL)
			return fail(q, err, errlen, i, "out of memory");
		n = sky_pyquery_param(q, name);
		if (n < 0)
		{
			char **nn =
				realloc(q->names, sizeof(char *) * (size_t) (q->nparams + 1));

			if (nn == NULL)
			{
				free(name);
				return fail(q, err, errlen, i, "out of memory");
			}
			q->names = nn;
			n = q->nparams++;
			q->names[n] = name;
		}
		else
			free(name);
		o += (size_t) snprintf(q->sql + o, cap - o, "$%d", n + 1);
		i = (size_t) (close - text) + 1;
	}
	q->sql[o] = '\0';
	return true;
}
