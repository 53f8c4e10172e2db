/*-------------------------------------------------------------------------
 *
 * rowjson.c
 *	  Decoding of pgq.jsontriga events (see rowdata.h) with jansson.
 *
 * A value becomes the text PostgreSQL reads back into its column: strings
 * unescaped, numbers as written, true/false as "true"/"false", null as a
 * NULL.  Objects and arrays cannot come from the trigger (it writes json,
 * jsonb and arrays as strings) and are refused.
 *
 * IDENTIFICATION
 *	  lib/src/rowjson.c
 *
 *-------------------------------------------------------------------------
 */
#include "skytools/rowdata.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Growing buffer of NUL-terminated strings addressed by offset. */
typedef struct StrBuf
{
	char *s;
	size_t len, cap;
} StrBuf;

/* Append len bytes and a NUL; the offset, or (size_t) -1 out of memory. */
static size_t
sb_add(StrBuf *b, const char *s, size_t len)
{
	size_t off = b->len;

	if (b->len + len + 1 > b->cap)
	{
		size_t cap = b->cap ? b->cap * 2 : 256;
		char *n;

		while (cap < b->len + len + 1)
			cap *= 2;
		n = realloc(b->s, cap);
		if (n == NULL)
			return (size_t) -1;
		b->s = n;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, len);
	b->s[b->len + len] = '\0';
	b->len += len + 1;
	return off;
}

#define NO_VALUE ((size_t) -2)

/* The text of a scalar JSON value; false for an object or array. */
static bool
scalar_text(json_t *v, StrBuf *b, size_t *off)
{
	char num[64];

	switch (json_typeof(v))
	{
		case JSON_STRING:
			if (memchr(json_string_value(v), '\0', json_string_length(v)))
				return false;
			*off = sb_add(b, json_string_value(v), json_string_length(v));
			return true;
		case JSON_INTEGER:
			snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
					 json_integer_value(v));
			break;
		case JSON_REAL:
			snprintf(num, sizeof(num), "%.17g", json_real_value(v));
			break;
		case JSON_TRUE:
			strcpy(num, "true");
			break;
		case JSON_FALSE:
			strcpy(num, "false");
			break;
		case JSON_NULL:
			*off = NO_VALUE;
			return true;
		default:
			return false;
	}
	*off = sb_add(b, num, strlen(num));
	return true;
}

bool
sky_row_decode_json(SkyRow *row, const char *data, size_t len, char *err,
					size_t errlen)
{
	json_error_t jerr;
	json_t *obj, *v;
	const char *key;
	StrBuf b = {0};
	size_t *offs = NULL;
	int i = 0;
	bool ok = false;

	memset(row, 0, sizeof(*row));
	obj = json_loadb(data, len, 0, &jerr);
	if (obj == NULL)
	{
		snprintf(err, errlen, "bad JSON row at %d: %s", jerr.position,
				 jerr.text);
		return false;
	}
	if (!json_is_object(obj))
	{
		snprintf(err, errlen, "JSON row is not an object");
		goto out;
	}
	offs = calloc(json_object_size(obj) * 2 + 1, sizeof(size_t));
	row->fields = calloc(json_object_size(obj) + 1, sizeof(SkyRowField));
	if (offs == NULL || row->fields == NULL)
	{
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	json_object_foreach(obj, key, v)
	{
		if (key[0] == '\0')
		{
			snprintf(err, errlen, "empty column name in JSON row");
			goto out;
		}
		offs[2 * i] = sb_add(&b, key, strlen(key));
		if (!scalar_text(v, &b, &offs[2 * i + 1]))
		{
			snprintf(err, errlen,
					 "JSON row: column \"%.60s\" is not a scalar or holds NUL",
					 key);
			goto out;
		}
		if (offs[2 * i] == (size_t) -1 || offs[2 * i + 1] == (size_t) -1)
		{
			snprintf(err, errlen, "out of memory");
			goto out;
		}
		i++;
	}
	row->buf = b.s;
	b.s = NULL;
	row->nfields = i;
	for (i = 0; i < row->nfields; i++)
	{
		row->fields[i].key = row->buf + offs[2 * i];
		row->fields[i].value =
			offs[2 * i + 1] == NO_VALUE ? NULL : row->buf + offs[2 * i + 1];
	}
	ok = true;
out:
	json_decref(obj);
	free(offs);
	free(b.s);
	if (!ok)
		sky_row_free(row);
	return ok;
}

bool
sky_evtype_parse_json(SkyEvType *t, const char *type, char *err, size_t errlen)
{
	static const struct
	{
		const char *name;
		char op;
	} ops[] = {
		{"INSERT", 'I'}, {"UPDATE", 'U'}, {"DELETE", 'D'}, {"TRUNCATE", 'R'}};
	json_error_t jerr;
	json_t *obj, *op, *pkey, *k;
	StrBuf b = {0};
	size_t i, *offs = NULL;
	bool ok = false;

	memset(t, 0, sizeof(*t));
	obj = json_loads(type ? type : "", 0, &jerr);
	if (obj == NULL || !json_is_object(obj))
	{
		snprintf(err, errlen, "not a JSON event type: \"%.40s\"",
				 type ? type : "(null)");
		json_decref(obj);
		return false;
	}
	op = json_object_get(obj, "op");
	for (i = 0; op && json_is_string(op) && i < sizeof(ops) / sizeof(ops[0]);
		 i++)
		if (strcmp(json_string_value(op), ops[i].name) == 0)
			t->op = ops[i].op;
	if (t->op == 0)
	{
		snprintf(err, errlen,
				 "JSON event type without a known \"op\": \"%.40s\"", type);
		goto out;
	}
	pkey = json_object_get(obj, "pkey");
	if (pkey != NULL && !json_is_array(pkey))
	{
		snprintf(err, errlen, "JSON event type: \"pkey\" is not an array");
		goto out;
	}
	if (pkey == NULL || json_array_size(pkey) == 0)
	{
		ok = true;
		goto out;
	}
	offs = calloc(json_array_size(pkey), sizeof(size_t));
	t->pkeys = calloc(json_array_size(pkey), sizeof(char *));
	if (offs == NULL || t->pkeys == NULL)
	{
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	json_array_foreach(pkey, i, k)
	{
		if (!json_is_string(k) || json_string_length(k) == 0 ||
			strlen(json_string_value(k)) != json_string_length(k))
		{
			snprintf(err, errlen, "JSON event type: bad key column");
			goto out;
		}
		offs[i] = sb_add(&b, json_string_value(k), json_string_length(k));
		if (offs[i] == (size_t) -1)
		{
			snprintf(err, errlen, "out of memory");
			goto out;
		}
	}
	t->buf = b.s;
	b.s = NULL;
	t->npkeys = (int) json_array_size(pkey);
	for (i = 0; i < (size_t) t->npkeys; i++)
		t->pkeys[i] = t->buf + offs[i];
	ok = true;
out:
	json_decref(obj);
	free(offs);
	free(b.s);
	if (!ok)
		sky_evtype_free(t);
	return ok;
}
