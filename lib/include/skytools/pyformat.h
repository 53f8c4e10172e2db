/*-------------------------------------------------------------------------
 *
 * pyformat.h
 *	  SQL written with upstream's Python placeholders, "%(name)s", made
 *	  into a statement with $1..$n parameters: the scripts' queries
 *	  (simple_consumer's dst_query, data_maintainer's sql_modify) keep
 *	  their upstream text and their values are never spliced into SQL.
 *
 *	  "%(name)s" is a parameter (the same name the same $n), "%%" a '%';
 *	  any other '%' is an error, as it is for the Python driver.
 *
 * IDENTIFICATION
 *	  lib/include/skytools/pyformat.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SKYTOOLS_PYFORMAT_H
#define SKYTOOLS_PYFORMAT_H

#include <stdbool.h>
#include <stddef.h>

typedef struct SkyPyQuery
{
	char *sql;	  /* with $1..$n */
	int nparams;  /* distinct names */
	char **names; /* of $1..$n */
} SkyPyQuery;

/* Compile text; false with err ("at offset N: ...") and nothing to free. */
extern bool sky_pyquery_compile(SkyPyQuery *q, const char *text, char *err,
								size_t errlen);
extern void sky_pyquery_free(SkyPyQuery *q);

/* The parameter number (0-based) of name, or -1. */
extern int sky_pyquery_param(const SkyPyQuery *q, const char *name);

#endif /* SKYTOOLS_PYFORMAT_H */
