/*-------------------------------------------------------------------------
 *
 * rowdata.h
 *	  Decoding of PgQ row events: the urlencoded row of pgq.logutriga
 *	  (ev_data, ev_extra2) and the operation and key list of ev_type.
 *
 * Row format: "key=value" pairs joined by '&', keys and values
 * urlencoded ('+' is a space, %xx a byte); a key with no '=' is a NULL
 * value (that is how pgq.logutriga writes NULL columns), "key=" an empty
 * one.  Empty pieces ("a=1&&b=2") are skipped and a repeated key keeps its
 * last value, as upstream's decoder does.  An error is: a '%' not followed
 * by two hex digits, an empty key, a NUL byte, and with SKY_ROW_NO_NULLS
 * (for payloads that cannot hold NULLs) a key with no '='.  Decoded keys
 * and values are NUL-terminated byte strings.
 *
 * ev_type format: one letter operation ('I', 'U', 'D'; 'R' for TRUNCATE)
 * optionally followed by ':' and the primary-key column names joined by
 * ','.
 *
 * IDENTIFICATION
 *	  lib/include/skytools/rowdata.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SKYTOOLS_ROWDATA_H
#define SKYTOOLS_ROWDATA_H

#include <stdbool.h>
#include <stddef.h>

typedef struct SkyRowField
{
	const char *key;
	const char *value; /* NULL for SQL NULL */
} SkyRowField;

typedef struct SkyRow
{
	int nfields;
	SkyRowField *fields; /* in order of first appearance */
	char *buf;			 /* owns every key and value */
} SkyRow;

/* sky_row_decode flags */
#define SKY_ROW_NO_NULLS 0x01 /* a key without '=' is an error, not NULL */

/*
 * Decode len bytes of data into row (which is overwritten; free it with
 * sky_row_free either way).  False with a message in err on bad input.
 */
extern bool sky_row_decode(SkyRow *row, const char *data, size_t len,
						   int flags, char *err, size_t errlen);
extern void sky_row_free(SkyRow *row);

/* The field named key, or NULL if the row has none. */
extern const SkyRowField *sky_row_field(const SkyRow *row, const char *key);

/*
 * Encode row into a malloc'd NUL-terminated string in the trigger's
 * exact format; NULL when out of memory.
 */
extern char *sky_row_encode(const SkyRow *row);

typedef struct SkyEvType
{
	char op;	  /* 'I', 'U', 'D' or 'R' */
	int npkeys;	  /* 0 when the type has no key list */
	char **pkeys; /* column names */
	char *buf;	  /* owns pkeys' strings */
} SkyEvType;

/* Parse ev_type; false with err when it is not a row event's type. */
extern bool sky_evtype_parse(SkyEvType *t, const char *type, char *err,
							 size_t errlen);
extern void sky_evtype_free(SkyEvType *t);

/*
 * pgq.jsontriga events.  ev_type is a JSON object
 * {"op":"INSERT|UPDATE|DELETE|TRUNCATE","table":[...],"pkey":[...]}
 * (op 'R' for TRUNCATE); ev_data a JSON object of column: scalar, in
 * column order.  A value decodes to the text PostgreSQL reads back:
 * strings unescaped, numbers as written, true/false as words, null as
 * NULL; an object or array value, a string holding NUL or an empty column
 * name is an error.  Free with sky_row_free / sky_evtype_free either way.
 */
extern bool sky_row_decode_json(SkyRow *row, const char *data, size_t len,
								char *err, size_t errlen);
extern bool sky_evtype_parse_json(SkyEvType *t, const char *type, char *err,
								  size_t errlen);

#endif /* SKYTOOLS_ROWDATA_H */
