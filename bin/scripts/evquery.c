/*-------------------------------------------------------------------------
 *
 * evquery.c
 *	  dst_query per row event (see evquery.h).
 *
 * IDENTIFICATION
 *	  bin/scripts/evquery.c
 *
 *-------------------------------------------------------------------------
 */
#include "evquery.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skytools/log.h"
#include "skytools/rowdata.h"

bool
evquery_init(EvQuery *eq, const char *ini, const char *query,
			 const char *filter)
{
	char err[256];

	memset(eq, 0, sizeof(*eq));
	if (query == NULL || query[0] == '\0')
	{
		log_error("%s: dst_query is not set", ini);
		return false;
	}
	if (!sky_pyquery_compile(&eq->q, query, err, sizeof(err)))
	{
		log_error("%s: dst_query: %s", ini, err);
		return false;
	}
	eq->filter = filter && filter[0] ? strdup(filter) : NULL;
	return true;
}

void
evquery_free(EvQuery *eq)
{
	sky_pyquery_free(&eq->q);
	free(eq->filter);
	eq->filter = NULL;
}

void
evquery_reload(EvQuery *eq, const char *ini, const char *query,
			   const char *filter)
{
	EvQuery n;

	if (!evquery_init(&n, ini, query, filter))
	{
		log_error("reload: the old dst_query stays");
		return;
	}
	evquery_free(eq);
	*eq = n;
}

/* the value of an event field named pgq.*; found says whether it is one */
static const char *
event_field(const PgqEvent *ev, const char *name, char *buf, size_t len,
			bool *found)
{
	*found = true;
	if (strcmp(name, "pgq.ev_id") == 0)
	{
		snprintf(buf, len, "%" PRId64, ev->id);
		return buf;
	}
	if (strcmp(name, "pgq.ev_retry") == 0)
	{
		snprintf(buf, len, "%d", ev->retry);
		return buf;
	}
	if (strcmp(name, "pgq.ev_time") == 0)
		return ev->time;
	if (strcmp(name, "pgq.ev_type") == 0)
		return ev->type;
	if (strcmp(name, "pgq.ev_data") == 0)
		return ev->data;
	if (strcmp(name, "pgq.ev_extra1") == 0)
		return ev->extra1;
	if (strcmp(name, "pgq.ev_extra2") == 0)
		return ev->extra2;
	if (strcmp(name, "pgq.ev_extra3") == 0)
		return ev->extra3;
	if (strcmp(name, "pgq.ev_extra4") == 0)
		return ev->extra4;
	*found = false;
	return NULL;
}

int
evquery_run(const EvQuery *eq, PGconn *db, const PgqEvent *ev)
{
	int n = eq->q.nparams, i, rc = 0;
	const char *values[n > 0 ? n : 1];
	char bufs[n > 0 ? n : 1][32];
	SkyRow row;
	char err[256];
	PGresult *res;

	if (eq->filter && (ev->extra1 == NULL || strcmp(ev->extra1, eq->filter)))
		return 0;
	/* row events only, as upstream: I:, U:, D: with urlencoded data */
	if (ev->type == NULL || strlen(ev->type) < 2 || ev->type[1] != ':' ||
		strchr("IUD", ev->type[0]) == NULL)
	{
		log_debug("event %" PRId64 " of type %s skipped: not a row event",
				  ev->id, ev->type ? ev->type : "NULL");
		return 0;
	}
	memset(&row, 0, sizeof(row));
	if (ev->data &&
		!sky_row_decode(&row, ev->data, strlen(ev->data), 0, err, sizeof(err)))
	{
		log_error("event %" PRId64 ": its data does not decode: %s", ev->id,
				  err);
		return -1;
	}
	for (i = 0; i < n; i++)
	{
		const char *name = eq->q.names[i];
		bool is_ev;
		const SkyRowField *f;

		values[i] = event_field(ev, name, bufs[i], sizeof(bufs[i]), &is_ev);
		if (is_ev)
			continue;
		f = ev->data ? sky_row_field(&row, name) : NULL;
		if (f == NULL)
		{
			log_error("dst_query refers to %%(%s)s: event %" PRId64
					  " (%s) has no such column",
					  name, ev->id, ev->type);
			sky_row_free(&row);
			return -1;
		}
		values[i] = f->value;
	}
	res = PQexecParams(db, eq->q.sql, n, NULL, values, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK &&
		PQresultStatus(res) != PGRES_TUPLES_OK)
	{
		log_error("dst_query failed on event %" PRId64 ": %s", ev->id,
				  PQresultErrorMessage(res));
		rc = -1;
	}
	else
		log_debug("event %" PRId64 ": %s", ev->id, PQcmdStatus(res));
	PQclear(res);
	if (ev->data)
		sky_row_free(&row);
	return rc;
}
