/*-------------------------------------------------------------------------
 *
 * rowdata.c
 *	  Decoding of PgQ row events: see rowdata.h.
 *
 * A row is decoded in one pass into one buffer (a decoded piece is never
 * longer than its encoding), with a field array beside it.
 *
 * IDENTIFICATION
 *	  lib/src/rowdata.c
 *
 *-------------------------------------------------------------------------
 */
#include "skytools/rowdata.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "urlenc.h"

/* Decode one encoded piece into *out (NUL added); false on a bad escape. */
static bool
decode_piece(char **out, const char *src, size_t len)
{
	size_t n = sky_urldecode(*out, src, len);

	if (n == (size_t) -1)
		return false;
	if (memchr(*out, '\0', n) != NULL)
		return false;
	(*out)[n] = '\0';
	*out += n + 1;
	return true;
}

bool
sky_row_decode(SkyRow *row, const char *data, size_t len, int flags, char *err,
			   size_t errlen)
{
	size_t maxfields = 1, i, pos;
	char *p;

	memset(row, 0, sizeof(*row));
	for (i = 0; i < len; i++)
		if (data[i] == '&')
			maxfields++;
	/* every piece decodes to at most its length, plus two NULs */
	row->buf = malloc(len + 2 * maxfields + 1);
	row->fields = calloc(maxfields, sizeof(SkyRowField));
	if (row->buf == NULL || row->fields == NULL)
	{
		snprintf(err, errlen, "out of memory");
		return false;
	}
	p = row->buf;

	for (pos = 0; pos <= len;)
	{
		const char *piece = data + pos;
		const char *amp = memchr(piece, '&', len - pos);
		size_t plen = amp ? (size_t) (amp - piece) : len - pos;
		const char *eq = memchr(piece, '=', plen);
		size_t klen = eq ? (size_t) (eq - piece) : plen;
		char *key = p, *value = NULL;
		int f;

		pos += plen + 1;
		if (plen == 0)
			continue;
		if (klen == 0)
		{
			snprintf(err, errlen, "empty key at byte %zu",
					 (size_t) (piece - data));
			return false;
		}
		if (!decode_piece(&p, piece, klen))
		{
			snprintf(err, errlen, "bad escape in key at byte %zu",
					 (size_t) (piece - data));
			return false;
		}
		if (!eq && (flags & SKY_ROW_NO_NULLS))
		{
			snprintf(err, errlen, "missing '=' after key \"%s\"", key);
			return false;
		}
		if (eq)
		{
			value = p;
			if (!decode_piece(&p, eq + 1, plen - klen - 1))
			{
				snprintf(err, errlen, "bad escape in value of \"%s\"", key);
				return false;
			}
		}
		/* a repeated key keeps its first place and its last value */
		for (f = 0; f < row->nfields; f++)
			if (strcmp(row->fields[f].key, key) == 0)
				break;
		row->fields[f].key = row->fields[f].key ? row->fields[f].key : key;
		row->fields[f].value = value;
		if (f == row->nfields)
			row->nfields++;
	}
	return true;
}

void
sky_row_free(SkyRow *row)
{
	free(row->buf);
	free(row->fields);
	memset(row, 0, sizeof(*row));
}

const SkyRowField *
sky_row_field(const SkyRow *row, const char *key)
{
	int i;

	for (i = 0; i < row->nfields; i++)
		if (strcmp(row->fields[i].key, key) == 0)
			return &row->fields[i];
	return NULL;
}

char *
sky_row_encode(const SkyRow *row)
{
	size_t cap = 1, i;
	char *out, *p;

	for (i = 0; i < (size_t) row->nfields; i++)
	{
		cap += SKY_URLENC_MAX(strlen(row->fields[i].key)) + 2;
		if (row->fields[i].value)
			cap += SKY_URLENC_MAX(strlen(row->fields[i].value));
	}
	out = p = malloc(cap);
	if (out == NULL)
		return NULL;
	for (i = 0; i < (size_t) row->nfields; i++)
	{
		const SkyRowField *f = &row->fields[i];

		if (i > 0)
			*p++ = '&';
		p += sky_urlencode(p, f->key, strlen(f->key));
		if (f->value)
		{
			*p++ = '=';
			p += sky_urlencode(p, f->value, strlen(f->value));
		}
	}
	*p = '\0';
	return out;
}

bool
sky_evtype_parse(SkyEvType *t, const char *type, char *err, size_t errlen)
{
	const char *list;
	char *p;
	int n;

	memset(t, 0, sizeof(*t));
	if (type == NULL || strchr("IUDR", type[0]) == NULL || type[0] == '\0' ||
		(type[1] != '\0' && type[1] != ':'))
	{
		snprintf(err, errlen, "not a row event type: \"%.40s\"",
				 type ? type : "(null)");
		return false;
	}
	t->op = type[0];
	if (type[1] == '\0' || type[2] == '\0')
		return true;

	list = type + 2;
	t->buf = strdup(list);
	n = 1;
	for (p = t->buf; *p; p++)
		if (*p == ',')
			n++;
	t->pkeys = calloc(n, sizeof(char *));
	if (t->buf == NULL || t->pkeys == NULL)
	{
		snprintf(err, errlen, "out of memory");
		return false;
	}
	for (p = t->buf;;)
	{
		char *comma = strchr(p, ',');

		if (comma)
			*comma = '\0';
		if (*p == '\0')
		{
			snprintf(err, errlen, "empty key column in type \"%.40s\"", type);
			return false;
		}
		t->pkeys[t->npkeys++] = p;
		if (!comma)
			break;
		p = comma + 1;
	}
	return true;
}

void
sky_evtype_free(SkyEvType *t)
{
	free(t->buf);
	free(t->pkeys);
	memset(t, 0, sizeof(*t));
}
