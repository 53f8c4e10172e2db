/*-------------------------------------------------------------------------
 *
 * pgutil.h
 *	  PostgreSQL helpers for client programs: identifier quoting and
 *	  conninfo building.
 *
 * IDENTIFICATION
 *	  lib/include/skytools/pgutil.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SKYTOOLS_PGUTIL_H
#define SKYTOOLS_PGUTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include <libpq-fe.h>

/*
 * PQexecParams; and a statement of its own (the connection outside a
 * transaction block) that lost a deadlock or a serialization conflict was
 * rolled back whole, so it is run again, up to three times, with a
 * warning each time.  The result as PQexecParams gives it.
 */
extern PGresult *pg_exec_retry(PGconn *db, const char *sql, int n,
							   const char *const *params);

/*
 * Quote an identifier as PostgreSQL's quote_ident does: bare when it is a
 * plain lower-case name and not a reserved word, else in double quotes
 * with quotes doubled.  Writes into dst (dstlen bytes); false if too long.
 */
extern bool pg_quote_ident(char *dst, size_t dstlen, const char *ident,
						   size_t len);

/*
 * Quote a possibly schema-qualified name: split at the first dot, no dot
 * means schema "public" (as upstream's pg_quote_fqident).
 */
extern bool pg_quote_fqident(char *dst, size_t dstlen, const char *name);

/*
 * Quote a value for a libpq conninfo string ('...', backslash and quote
 * escaped), appended to dst.  False if it does not fit.
 */
extern bool pg_conninfo_value(char *dst, size_t dstlen, const char *value);

/*
 * Rows for COPY ... FROM STDIN in text format, built in a growing buffer:
 * pg_copy_value appends one value (\\N for NULL; backslash, tab, newline
 * and carriage return escaped) and the tab or, for the row's last value,
 * the newline after it.  False when out of memory.  pg_copy_reset empties
 * the buffer, pg_copy_free frees it.
 */
typedef struct PgCopyBuf
{
	char *data;
	size_t len;
	size_t cap;
} PgCopyBuf;

extern bool pg_copy_value(PgCopyBuf *b, const char *value, bool last);
extern void pg_copy_reset(PgCopyBuf *b);
extern void pg_copy_free(PgCopyBuf *b);

/*
 * A timestamptz as PostgreSQL sends it in binary (microseconds since
 * 2000-01-01 00:00 UTC) written as "YYYY-MM-DD HH:MM:SS.ffffff+00" (UTC;
 * "infinity", "-infinity" for those).  dst needs PG_UTC_TIME_LEN bytes.
 * Years 1 to 9999 are written without the C library (this runs once per
 * event in consumers); others through gmtime_r.
 */
#define PG_UTC_TIME_LEN 64
extern void pg_format_utc_time(char *dst, int64_t us);

#endif /* SKYTOOLS_PGUTIL_H */
