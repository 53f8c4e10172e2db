/*-------------------------------------------------------------------------
 *
 * tg_format.c
 *	  The row-capture triggers' entry points and their event formats.
 *
 *	pgq.logutriga()  ev_type 'I:pk1,pk2' (U:, D:; 'R' for TRUNCATE),
 *					 ev_data the row urlencoded: name=value&name=value,
 *					 a NULL value as the bare name.
 *	pgq.sqltriga()   ev_type 'I', 'U', 'D', 'R', ev_data an SQL fragment:
 *					 (cols) values (vals) / set list where key / key.
 *	pgq.jsontriga()  ev_type {"op":..,"table":[..],"pkey":[..]}, ev_data
 *					 the row as a JSON object, values as to_json renders
 *					 booleans, integers and date/time types, every other
 *					 type as its text output in a JSON string.
 *	pgq_logtriga     the 2.x trigger (no SQL declaration in 3.x): sqltriga's
 *					 format, columns chosen by a k/v/i string.
 *
 * All share ev_extra1 = 'schema.table' and, with 'backup', the OLD row of
 * an UPDATE in ev_extra2 (urlencoded; JSON for jsontriga).  The formats
 * are compared byte for byte with upstream's in the tests.
 *
 * IDENTIFICATION
 *	  ext/pgq/src/triggers/tg_format.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/json.h"
#include "utils/rel.h"

#include "../../../../common/urlenc.h"
#include "trigger.h"

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(pgq_logutriga);
PG_FUNCTION_INFO_V1(pgq_sqltriga);
PG_FUNCTION_INFO_V1(pgq_jsontriga);
PG_FUNCTION_INFO_V1(pgq_logtriga);

static bool
live_data_column(PgqEvent *ev, int col)
{
	return !TupleDescAttr(ev->desc, col)->attisdropped &&
		   !pgq_is_skippable(ev, col);
}

static void
append_urlenc(StringInfo buf, const char *s, size_t len)
{
	enlargeStringInfo(buf, SKY_URLENC_MAX(len));
	buf->len += sky_urlencode(buf->data + buf->len, s, len);
	buf->data[buf->len] = '\0';
}

/* The row as name=value&...; a NULL value as the bare name. */
void
pgq_urlenc_row(PgqEvent *ev, HeapTuple row, StringInfo buf)
{
	bool first = true;
	int i;

	for (i = 0; i < ev->desc->natts; i++)
	{
		const char *name;
		char *val;
		bool isnull;

		if (!live_data_column(ev, i))
			continue;
		if (!first)
			appendStringInfoChar(buf, '&');
		first = false;
		name = pgq_colname(ev, i);
		append_urlenc(buf, name, strlen(name));
		val = pgq_column_text(ev->info, ev->desc, row, i, &isnull);
		if (!isnull)
		{
			appendStringInfoChar(buf, '=');
			append_urlenc(buf, val, strlen(val));
		}
	}
}

/* One JSON value: to_json's rendering for the types it renders natively. */
static void
json_value(PgqEvent *ev, HeapTuple row, int col, StringInfo buf)
{
	Oid type = TupleDescAttr(ev->desc, col)->atttypid;
	bool isnull;
	Datum value = heap_getattr(row, col + 1, ev->desc, &isnull);
	char tmp[MAXDATELEN + 1];

	if (isnull)
	{
		appendStringInfoString(buf, "null");
		return;
	}
	switch (type)
	{
		case BOOLOID:
			appendStringInfoString(buf,
								   DatumGetBool(value) ? "true" : "false");
			return;
		case INT2OID:
		case INT4OID:
		case INT8OID:
			appendStringInfoString(
				buf, pgq_column_text(ev->info, ev->desc, row, col, &isnull));
			return;
		case DATEOID:
		case TIMESTAMPOID:
		case TIMESTAMPTZOID:
			appendStringInfoChar(buf, '"');
			appendStringInfoString(buf,
								   JsonEncodeDateTime(tmp, value, type, NULL));
			appendStringInfoChar(buf, '"');
			return;
		default:
			escape_json(
				buf, pgq_column_text(ev->info, ev->desc, row, col, &isnull));
	}
}

/* The row as a JSON object in column order. */
void
pgq_json_row(PgqEvent *ev, HeapTuple row, StringInfo buf)
{
	bool first = true;
	int i;

	appendStringInfoChar(buf, '{');
	for (i = 0; i < ev->desc->natts; i++)
	{
		if (!live_data_column(ev, i))
			continue;
		if (!first)
			appendStringInfoChar(buf, ',');
		first = false;
		escape_json(buf, pgq_colname(ev, i));
		appendStringInfoChar(buf, ':');
		json_value(ev, row, i, buf);
	}
	appendStringInfoChar(buf, '}');
}

/* Start ev_type and ev_data; returns the two buffers. */
static StringInfo
new_field(PgqEvent *ev, int f)
{
	ev->field[f] = makeStringInfo();
	return ev->field[f];
}

/* The OLD row of an UPDATE into ev_extra2 when 'backup' was given. */
static void
backup_old_row(PgqEvent *ev, bool json)
{
	if (ev->op != 'U' || !ev->tgargs->backup)
		return;
	if (json)
		pgq_json_row(ev, ev->tgdata->tg_trigtuple, new_field(ev, EV_EXTRA2));
	else
		pgq_urlenc_row(ev, ev->tgdata->tg_trigtuple, new_field(ev, EV_EXTRA2));
}

/* --- SQL fragments (sqltriga, logtriga) ------------------------------ */

static void
append_literal(StringInfo buf, const char *val, const char *null_word)
{
	if (val == NULL)
		appendStringInfoString(buf, null_word);
	else
		appendStringInfoString(buf, quote_literal_cstr(val));
}

/* "(a,b) values ('1','x')" */
static void
sql_insert(PgqEvent *ev, StringInfo buf)
{
	StringInfoData vals;
	bool first = true;
	int i;

	initStringInfo(&vals);
	appendStringInfoChar(buf, '(');
	for (i = 0; i < ev->desc->natts; i++)
	{
		bool isnull;
		char *val;

		if (!live_data_column(ev, i))
			continue;
		if (!first)
		{
			appendStringInfoChar(buf, ',');
			appendStringInfoChar(&vals, ',');
		}
		first = false;
		appendStringInfoString(buf, quote_identifier(pgq_colname(ev, i)));
		val = pgq_column_text(ev->info, ev->desc, ev->row, i, &isnull);
		append_literal(&vals, val, "null");
	}
	appendStringInfo(buf, ") values (%s)", vals.data);
}

/* "k1='1' and k2='x'" from the OLD row, key columns in column order. */
static void
sql_key_condition(PgqEvent *ev, StringInfo buf)
{
	HeapTuple old = ev->tgdata->tg_trigtuple;
	bool first = true;
	int i;

	for (i = 0; i < ev->desc->natts; i++)
	{
		bool isnull;
		char *val;

		if (TupleDescAttr(ev->desc, i)->attisdropped || !pgq_is_pkey(ev, i))
			continue;
		val = pgq_column_text(ev->info, ev->desc, old, i, &isnull);
		if (isnull)
			ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
							errmsg("logtriga: Unexpected NULL key value")));
		if (!first)
			appendStringInfoString(buf, " and ");
		first = false;
		appendStringInfo(buf, "%s=%s", quote_identifier(pgq_colname(ev, i)),
						 quote_literal_cstr(val));
	}
}

/*
 * "set-list where key".  Returns false when the UPDATE changed only
 * skippable columns: no event.  A change of nothing at all sets the first
 * key column to its old value, so the event still applies cleanly.
 */
static bool
sql_update(PgqEvent *ev, StringInfo buf)
{
	int skipped = 0;
	bool first = true;
	int i;

	for (i = 0; i < ev->desc->natts; i++)
	{
		bool isnull;
		char *val;

		if (TupleDescAttr(ev->desc, i)->attisdropped ||
			!pgq_column_changed(ev, i))
			continue;
		if (pgq_is_pkey(ev, i))
			ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
							errmsg("primary key update not allowed")));
		if (pgq_is_skippable(ev, i))
		{
			skipped++;
			continue;
		}
		if (!first)
			appendStringInfoChar(buf, ',');
		first = false;
		val = pgq_column_text(ev->info, ev->desc, ev->row, i, &isnull);
		appendStringInfo(buf, "%s=", quote_identifier(pgq_colname(ev, i)));
		append_literal(buf, val, "NULL");
	}
	if (first)
	{
		if (skipped > 0)
			return false;
		for (i = 0; i < ev->desc->natts; i++)
		{
			bool isnull;
			char *val;

			if (TupleDescAttr(ev->desc, i)->attisdropped ||
				!pgq_is_pkey(ev, i))
				continue;
			val = pgq_column_text(ev->info, ev->desc, ev->tgdata->tg_trigtuple,
								  i, &isnull);
			appendStringInfo(buf, "%s=", quote_identifier(pgq_colname(ev, i)));
			append_literal(buf, val, "NULL");
			break;
		}
	}
	appendStringInfoString(buf, " where ");
	sql_key_condition(ev, buf);
	return true;
}

/* ev_type and ev_data in sqltriga's format; false: no event. */
static bool
sql_event(PgqEvent *ev)
{
	StringInfo data;

	appendStringInfoChar(new_field(ev, EV_TYPE), ev->op);
	data = new_field(ev, EV_DATA);
	switch (ev->op)
	{
		case 'I':
			sql_insert(ev, data);
			break;
		case 'U':
			if (!sql_update(ev, data))
				return false;
			break;
		case 'D':
			sql_key_condition(ev, data);
			break;
		default:
			break;
	}
	backup_old_row(ev, false);
	return true;
}

/* --- entry points ------------------------------------------------------ */

typedef bool (*FormatFn)(PgqEvent *ev);

/*
 * The common body of every trigger: checks, then the format's fields, then
 * magic columns, expressions, when= and the insert.
 */
static Datum
run_trigger(FunctionCallInfo fcinfo, const char *fname, bool newstyle,
			FormatFn format)
{
	TriggerData *tg;
	PgqEvent ev;
	Datum result;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
						errmsg("%s not called as trigger", fname)));
	tg = (TriggerData *) fcinfo->context;
	if (pgq_logging_disabled())
		return pgq_trigger_result(NULL, tg);

	if (SPI_connect() < 0)
		elog(ERROR, "pgq: SPI_connect failed");
	pgq_prepare_event(&ev, tg, newstyle);
	if (format(&ev))
		pgq_finish_event(&ev);
	result = pgq_trigger_result(&ev, tg);
	if (SPI_finish() < 0)
		elog(ERROR, "pgq: SPI_finish failed");
	return result;
}

static bool
logutriga_format(PgqEvent *ev)
{
	if (ev->op == 'U' && pgq_update_is_skippable(ev))
		return false;
	if (ev->op == 'R')
	{
		appendStringInfoChar(new_field(ev, EV_TYPE), 'R');
		new_field(ev, EV_DATA);
		return true;
	}
	appendStringInfo(new_field(ev, EV_TYPE), "%c:%s", ev->op, ev->pkey_list);
	pgq_urlenc_row(ev, ev->row, new_field(ev, EV_DATA));
	backup_old_row(ev, false);
	return true;
}

static bool
jsontriga_format(PgqEvent *ev)
{
	StringInfo type;
	const char *p, *start, *end;

	if (ev->op == 'U' && pgq_update_is_skippable(ev))
		return false;

	type = new_field(ev, EV_TYPE);
	appendStringInfoString(type, "{\"op\":");
	escape_json(type, ev->op_name);
	appendStringInfoString(type, ",\"table\":[");
	escape_json(type, ev->info->schema_name);
	appendStringInfoChar(type, ',');
	escape_json(type, ev->info->rel_name);
	appendStringInfoString(type, "],\"pkey\":[");
	p = ev->pkey_list;
	while (pgq_list_next(&p, &start, &end))
	{
		if (type->data[type->len - 1] != '[')
			appendStringInfoChar(type, ',');
		escape_json(type, pnstrdup(start, end - start));
	}
	appendStringInfoString(type, "]}");

	if (ev->op == 'R')
		appendStringInfoString(new_field(ev, EV_DATA), "{}");
	else
		pgq_json_row(ev, ev->row, new_field(ev, EV_DATA));
	backup_old_row(ev, true);
	return true;
}

/*
 * pgq.logutriga(queue, [args]): urlencoded rows.
 */
Datum
pgq_logutriga(PG_FUNCTION_ARGS)
{
	return run_trigger(fcinfo, "pgq.logutriga", true, logutriga_format);
}

/*
 * pgq.sqltriga(queue, [args]): SQL fragments.
 */
Datum
pgq_sqltriga(PG_FUNCTION_ARGS)
{
	return run_trigger(fcinfo, "pgq.sqltriga", true, sql_event);
}

/*
 * pgq.jsontriga(queue, [args]): JSON.  Its "not called as trigger" message
 * names logutriga, as upstream's does.
 */
Datum
pgq_jsontriga(PG_FUNCTION_ARGS)
{
	return run_trigger(fcinfo, "pgq.logutriga", true, jsontriga_format);
}

/*
 * pgq_logtriga: the PgQ 2.x trigger, kept for databases that still declare
 * it: logtriga(queue, kinds [, table]), AFTER ... FOR EACH ROW.
 */
Datum
pgq_logtriga(PG_FUNCTION_ARGS)
{
	TriggerData *tg;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
						errmsg("pgq.logtriga not called as trigger")));
	tg = (TriggerData *) fcinfo->context;
	if (!TRIGGER_FIRED_AFTER(tg->tg_event))
		ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
						errmsg("pgq.logtriga must be fired AFTER")));
	if (tg->tg_trigger->tgnargs < 2 || tg->tg_trigger->tgnargs > 3)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("pgq.logtriga must be used with 2 or 3 args")));
	return run_trigger(fcinfo, "pgq.logtriga", false, sql_event);
}
