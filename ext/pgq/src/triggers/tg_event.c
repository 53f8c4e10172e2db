/*-------------------------------------------------------------------------
 *
 * tg_event.c
 *	  What the row-capture triggers share: checks, the event's common
 *	  fields, change detection on UPDATE, magic columns, expressions,
 *	  when=, the call of pgq.insert_event() and the trigger's result.
 *
 * Events are queued by calling pgq.insert_event(7 x text) through the
 * function manager, as "select pgq.insert_event($1..$7)" would but without
 * running a statement per row: whatever the function is defined as when
 * the trigger fires is what runs (its lookup is forgotten when pg_proc
 * changes), with the EXECUTE privilege of the user making the change
 * checked every time (who needs pgq_writer), SECURITY DEFINER and SET
 * clauses honoured by the function manager, and a strict definition not
 * called with a NULL argument.
 *
 * IDENTIFICATION
 *	  ext/pgq/src/triggers/tg_event.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/objectaccess.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "parser/parse_func.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "utils/typcache.h"

#include "qbuilder.h"
#include "trigger.h"

/* pgq.insert_event(7 x text), looked up on first use and after changes */
static FmgrInfo insert_fn;
static bool insert_fn_valid = false;
static bool insert_fn_callback = false;

static void
forget_insert_fn(Datum arg, int cacheid, uint32 hashvalue)
{
	insert_fn_valid = false;
}

/* Whether session_replication_role = local turns capture off. */
bool
pgq_logging_disabled(void)
{
	return SessionReplicationRole == SESSION_REPLICATION_ROLE_LOCAL;
}

/*
 * Check the trigger's definition and fill the parts of ev that do not
 * depend on the format.
 * SPI must be connected (expressions may be prepared later).
 */
void
pgq_prepare_event(PgqEvent *ev, TriggerData *tg, bool newstyle)
{
	TriggerEvent te = tg->tg_event;

	memset(ev, 0, sizeof(*ev));
	ev->tgdata = tg;
	ev->rel = tg->tg_relation;
	ev->desc = RelationGetDescr(ev->rel);

	if (TRIGGER_FIRED_BY_TRUNCATE(te))
	{
		if (!TRIGGER_FIRED_FOR_STATEMENT(te))
			ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
							errmsg("pgq tRuncate trigger must be fired FOR "
								   "EACH STATEMENT")));
	}
	else if (!TRIGGER_FIRED_FOR_ROW(te))
		ereport(
			ERROR,
			(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
			 errmsg("pgq Ins/Upd/Del trigger must be fired FOR EACH ROW")));
	if (tg->tg_trigger->tgnargs < 1)
		ereport(
			ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("pgq trigger must have destination queue as argument")));
	ev->queue_name = tg->tg_trigger->tgargs[0];

	if (TRIGGER_FIRED_BY_INSERT(te))
	{
		ev->op = 'I';
		ev->op_name = "INSERT";
		ev->row = tg->tg_trigtuple;
	}
	else if (TRIGGER_FIRED_BY_UPDATE(te))
	{
		ev->op = 'U';
		ev->op_name = "UPDATE";
		ev->row = tg->tg_newtuple;
	}
	else if (TRIGGER_FIRED_BY_DELETE(te))
	{
		ev->op = 'D';
		ev->op_name = "DELETE";
		ev->row = tg->tg_trigtuple;
	}
	else if (TRIGGER_FIRED_BY_TRUNCATE(te))
	{
		ev->op = 'R';
		ev->op_name = "TRUNCATE";
	}
	else
		ereport(ERROR, (errmsg("unknown event for pgq trigger")));

	ev->info = pgq_table_info(ev->rel);
	ev->tgargs = pgq_trigger_info(ev->info, tg, newstyle);
	ev->pkey_list =
		ev->tgargs->pkey_list ? ev->tgargs->pkey_list : ev->info->pkey_list;

	if ((ev->op == 'U' || ev->op == 'D') && ev->pkey_list[0] == '\0')
		ereport(ERROR, (errcode(ERRCODE_INVALID_TABLE_DEFINITION),
						errmsg("Update/Delete on table without pkey")));
	if (ev->tgargs->skip && TRIGGER_FIRED_AFTER(te))
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("SKIP does not work in AFTER trigger.")));
	if (ev->tgargs->deny)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("Table '%s' to queue '%s': change not allowed (%s)",
						ev->info->table_name, ev->queue_name, ev->op_name)));

	ev->field[EV_EXTRA1] = makeStringInfo();
	appendStringInfoString(ev->field[EV_EXTRA1], ev->info->table_name);
}

/* Whether column col (0-based) is part of the effective key. */
bool
pgq_is_pkey(PgqEvent *ev, int col)
{
	return (ev->tgargs->colflags[col] & PGQ_COL_PKEY) != 0;
}

/* Whether column col is a magic _pgq_ev_* column. */
bool
pgq_is_magic(PgqEvent *ev, int col)
{
	return (ev->tgargs->colflags[col] & PGQ_COL_MAGIC) != 0;
}

/* Whether column col is left out of the row data (ignore= or magic). */
bool
pgq_is_skippable(PgqEvent *ev, int col)
{
	return (ev->tgargs->colflags[col] & PGQ_COL_SKIP) != 0;
}

/*
 * Whether an UPDATE changed column col: NULL against non-NULL is a change;
 * two values are compared with the type's default equality operator and
 * the column's collation, or by their text output when the type has no
 * equality operator or is an array.
 */
bool
pgq_column_changed(PgqEvent *ev, int col)
{
	TriggerData *tg = ev->tgdata;
	Form_pg_attribute att = TupleDescAttr(ev->desc, col);
	bool old_null, new_null;
	Datum old_val =
		heap_getattr(tg->tg_trigtuple, col + 1, ev->desc, &old_null);
	Datum new_val =
		heap_getattr(tg->tg_newtuple, col + 1, ev->desc, &new_null);
	TypeCacheEntry *tc;

	if (old_null || new_null)
		return old_null != new_null;

	tc = lookup_type_cache(att->atttypid, TYPECACHE_EQ_OPR_FINFO);
	if (OidIsValid(tc->eq_opr_finfo.fn_oid) &&
		!OidIsValid(get_element_type(att->atttypid)))
		return !DatumGetBool(FunctionCall2Coll(
			&tc->eq_opr_finfo, att->attcollation, old_val, new_val));
	else
	{
		bool n1, n2;
		char *o =
			pgq_column_text(ev->info, ev->desc, tg->tg_trigtuple, col, &n1);
		char *n =
			pgq_column_text(ev->info, ev->desc, tg->tg_newtuple, col, &n2);

		return strcmp(o, n) != 0;
	}
}

static void
pkey_update_error(void)
{
	ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					errmsg("primary key update not allowed")));
}

/*
 * For logutriga and jsontriga: whether an UPDATE is left out.  A changed
 * key column is an error, unless 'backup' sends the old row along (in
 * ev_extra2: the consumer finds the row by its old key; not upstream).  Without ignore= only the key is compared and
 * every UPDATE makes an event; with it, an UPDATE that changed some
 * skippable (ignored or magic) column and nothing else is left out.
 */
bool
pgq_update_is_skippable(PgqEvent *ev)
{
	bool skippable_changed = false;
	bool other_changed = false;
	int i;

	for (i = 0; i < ev->desc->natts; i++)
	{
		if (TupleDescAttr(ev->desc, i)->attisdropped)
			continue;
		if (ev->tgargs->ignore_list == NULL && !pgq_is_pkey(ev, i))
			continue;
		if (!pgq_column_changed(ev, i))
			continue;
		if (pgq_is_pkey(ev, i) && !ev->tgargs->backup)
			pkey_update_error();
		if (pgq_is_skippable(ev, i))
			skippable_changed = true;
		else
			other_changed = true;
	}
	return skippable_changed && !other_changed;
}

/* Set field f from text (NULL: SQL NULL). */
static void
set_field(PgqEvent *ev, int f, const char *text)
{
	if (text == NULL)
	{
		ev->field[f] = NULL;
		return;
	}
	ev->field[f] = makeStringInfo();
	appendStringInfoString(ev->field[f], text);
}

/* Magic columns replace the fields they name; others are errors. */
static void
apply_magic_columns(PgqEvent *ev)
{
	static const char *const names[EV_NEVENT_FIELDS] = {
		"type", "data", "extra1", "extra2", "extra3", "extra4"};
	int i, f;

	for (i = 0; i < ev->desc->natts; i++)
	{
		const char *suffix;
		char *text;
		bool isnull;

		if (TupleDescAttr(ev->desc, i)->attisdropped || !pgq_is_magic(ev, i))
			continue;
		suffix = pgq_colname(ev, i) + strlen(PGQ_MAGIC_PREFIX);
		for (f = 0; f < EV_NEVENT_FIELDS; f++)
			if (strcmp(suffix, names[f]) == 0)
				break;
		if (f == EV_NEVENT_FIELDS)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_COLUMN_REFERENCE),
					 errmsg("Unknown magic column: %s", pgq_colname(ev, i))));
		text = pgq_column_text(ev->info, ev->desc, ev->row, i, &isnull);
		set_field(ev, f, text);
	}
}

/* ev_*= expressions replace their fields; returns when= (true if none). */
static bool
apply_expressions(PgqEvent *ev)
{
	QueryBuilder *when = ev->tgargs->expr[EV_WHEN];
	int f;

	for (f = 0; f < EV_NEVENT_FIELDS; f++)
	{
		QueryBuilder *qb = ev->tgargs->expr[f];

		if (qb == NULL)
			continue;
		qb_execute(qb, ev->desc, ev->row);
		set_field(
			ev, f,
			SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1));
	}
	if (when != NULL)
	{
		bool isnull;
		Datum res;
		Oid type;

		qb_execute(when, ev->desc, ev->row);
		type = SPI_gettypeid(SPI_tuptable->tupdesc, 1);
		if (type != BOOLOID)
			ereport(
				ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("when= query result must be boolean, got=%u", type)));
		res = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1,
							&isnull);
		if (isnull)
			ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
							errmsg("when= should not be NULL")));
		return DatumGetBool(res);
	}
	return true;
}

/* pgq.insert_event(queue, type, data, extra1..4) */
static void
insert_event(PgqEvent *ev)
{
	LOCAL_FCINFO(fcinfo, 7);
	bool anynull = false;
	int i;

	if (!insert_fn_valid)
	{
		Oid types[7] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID,
						TEXTOID, TEXTOID, TEXTOID};
		List *name = list_make2(makeString("pgq"), makeString("insert_event"));
		Oid fn = LookupFuncName(name, 7, types, false);

		if (!insert_fn_callback)
		{
			CacheRegisterSyscacheCallback(PROCOID, forget_insert_fn,
										  (Datum) 0);
			insert_fn_callback = true;
		}
		fmgr_info_cxt(fn, &insert_fn, TopMemoryContext);
		insert_fn_valid = true;
	}
	if (pg_proc_aclcheck(insert_fn.fn_oid, GetUserId(), ACL_EXECUTE) !=
		ACLCHECK_OK)
		aclcheck_error(ACLCHECK_NO_PRIV, OBJECT_FUNCTION, "insert_event");
	InvokeFunctionExecuteHook(insert_fn.fn_oid);

	InitFunctionCallInfoData(*fcinfo, &insert_fn, 7, InvalidOid, NULL, NULL);
	fcinfo->args[0].value = CStringGetTextDatum(ev->queue_name);
	fcinfo->args[0].isnull = false;
	for (i = 0; i < EV_NEVENT_FIELDS; i++)
	{
		StringInfo s = ev->field[i];

		fcinfo->args[i + 1].value =
			s ? PointerGetDatum(cstring_to_text_with_len(s->data, s->len))
			  : (Datum) 0;
		fcinfo->args[i + 1].isnull = s == NULL;
		anynull |= s == NULL;
	}
	if (insert_fn.fn_strict && anynull)
		return;
	(void) FunctionCallInvoke(fcinfo);
}

/*
 * Apply magic columns and expressions (in that order of precedence), test
 * when=, and queue the event.
 */
void
pgq_finish_event(PgqEvent *ev)
{
	if (ev->row != NULL)
		apply_magic_columns(ev);
	if (ev->tgargs->has_exprs && !apply_expressions(ev))
		return;
	insert_event(ev);
}

/*
 * The trigger's return value: NULL for AFTER and statement triggers and
 * with SKIP, else the row that goes on (NEW, or OLD for DELETE).
 */
Datum
pgq_trigger_result(PgqEvent *ev, TriggerData *tg)
{
	TriggerEvent te = tg->tg_event;

	if (TRIGGER_FIRED_AFTER(te) || !TRIGGER_FIRED_FOR_ROW(te))
		return PointerGetDatum(NULL);
	if (ev != NULL && ev->tgargs != NULL && ev->tgargs->skip)
		return PointerGetDatum(NULL);
	if (TRIGGER_FIRED_BY_UPDATE(te))
		return PointerGetDatum(tg->tg_newtuple);
	return PointerGetDatum(tg->tg_trigtuple);
}
