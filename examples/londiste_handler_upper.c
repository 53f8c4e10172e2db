/*-------------------------------------------------------------------------
 *
 * londiste_handler_upper.c
 *	  A table handler of one's own, as a shared library Londiste loads
 *	  (doc/londiste-handlers.md): the "upper" handler applies its table's
 *	  rows with one column in capitals.
 *
 *	  make -C examples londiste_handler_upper.so
 *	  ini:	   handler_modules = /path/to/londiste_handler_upper.so
 *	  then:	   londiste node.ini add-table t --handler=upper
 *				   --handler-arg=column=name
 *
 * IDENTIFICATION
 *	  examples/londiste_handler_upper.c
 *
 *-------------------------------------------------------------------------
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "londiste-handler.h"

/* The arguments the handler takes; others are refused by add-table. */
static const char *const upper_params[] = {"column", NULL};

/* add-table, change-handler and the worker make the handler: check the
 * arguments here, once. */
static bool
upper_init(LdhTable *t, char *err, size_t errlen)
{
	if (ldh_arg(t, "column") == NULL)
	{
		snprintf(err, errlen, "handler upper: column= is required");
		return false;
	}
	return true;
}

/* Each row event (and, with LDH_COPY_ROWS, each row of the initial copy):
 * the row with the column in capitals, applied as the default would. */
static int
upper_event(LdhTable *t, LdhApply *ap, const LdhEvent *ev)
{
	const char *col = ldh_arg(t, "column");
	const LdhRow *in = ev->row;
	const char **vals = calloc(in->ncols + 1, sizeof(char *));
	char *up = NULL;
	LdhRow out = {in->ncols, in->cols, vals};
	int i, rc;

	for (i = 0; i < in->ncols; i++)
	{
		vals[i] = in->vals[i];
		if (strcmp(in->cols[i], col) == 0 && in->vals[i] != NULL)
		{
			up = strdup(in->vals[i]);
			for (char *c = up; *c; c++)
				*c = (char) toupper((unsigned char) *c);
			vals[i] = up;
		}
	}
	rc = ldh_emit(ap, NULL, ev->op, ev->nkeys, ev->keys, &out);
	free(up);
	free(vals);
	return rc;
}

static const LdhDef upper_handler = {
	.name = "upper",
	.summary = "rows applied with one column in capitals (an example)",
	.params = upper_params,
	.flags = LDH_COPY_ROWS,
	.init = upper_init,
	.event = upper_event,
};

/* What Londiste looks for in the library. */
const int londiste_handler_abi = LDH_ABI_VERSION;
const LdhDef *const londiste_handlers[] = {&upper_handler, NULL};
