/*-------------------------------------------------------------------------
 *
 * sqlsplit.h
 *	  Splitting an SQL script into statements, as PostgreSQL's lexer sees
 *	  them: a ';' ends a statement unless it is inside a string ('...',
 *	  E'...' with backslash escapes), a quoted identifier ("..."), a
 *	  dollar-quoted string ($$...$$, $tag$...$tag$), a -- comment or a
 *	  (nested) slash-star comment.  Statements that hold nothing but blanks and
 *	  comments are left out.  Used by Londiste's execute.
 *
 * IDENTIFICATION
 *	  lib/include/skytools/sqlsplit.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SKYTOOLS_SQLSPLIT_H
#define SKYTOOLS_SQLSPLIT_H

#include <stdbool.h>
#include <stddef.h>

/* One statement (without its ';'): false stops the split. */
typedef bool (*SkySqlStmtFn)(const char *stmt, size_t len, int lineno,
							 void *arg);

/*
 * Call fn for each statement of sql, in order, with the line it starts
 * on.  False with err when a string, identifier, dollar quote or comment
 * does not end, or when fn returned false (err then empty).
 */
extern bool sky_sql_split(const char *sql, SkySqlStmtFn fn, void *arg,
						  char *err, size_t errlen);

#endif /* SKYTOOLS_SQLSPLIT_H */
