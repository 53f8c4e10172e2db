/*-------------------------------------------------------------------------
 *
 * trigger.h
 *	  Shared state of the row-capture triggers (module pgq_triggers):
 *	  pgq.logutriga, pgq.sqltriga, pgq.jsontriga and the legacy logtriga.
 *
 * A trigger call becomes one PgqEvent: the queue, the operation, the six
 * text fields of pgq.insert_event(), and pointers into two caches that
 * live for the backend's life and are rebuilt on relcache invalidation:
 * PgqTableInfo (per table: name, primary key, column output functions)
 * and PgqTriggerInfo (per trigger: parsed arguments, prepared
 * expressions).
 *
 * IDENTIFICATION
 *	  ext/pgq/src/triggers/trigger.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGQ_TRIGGER_H
#define PGQ_TRIGGER_H

#include "postgres.h"

#include "commands/trigger.h"
#include "fmgr.h"
#include "lib/stringinfo.h"

/* The event fields, in pgq.insert_event() argument order after the queue. */
enum PgqField
{
	EV_TYPE = 0,
	EV_DATA,
	EV_EXTRA1,
	EV_EXTRA2,
	EV_EXTRA3,
	EV_EXTRA4,
	EV_WHEN, /* when= condition; not an event field */
	EV_NFIELDS
};

#define EV_NEVENT_FIELDS EV_WHEN

struct QueryBuilder;

/* Parsed arguments of one trigger, cached by trigger OID. */
typedef struct PgqTriggerInfo
{
	Oid tgoid;
	struct PgqTriggerInfo *next;
	bool skip;				 /* SKIP: suppress the row operation */
	bool backup;			 /* backup: OLD row into ev_extra2 */
	bool deny;				 /* deny: refuse every change */
	bool has_exprs;			 /* any ev_*= or when= */
	const char *ignore_list; /* ignore=, NULL if none */
	const char *pkey_list;	 /* pkey=, NULL if none */
	struct QueryBuilder *expr[EV_NFIELDS]; /* ev_*= and when= */
	int natts;
	uint8 *colflags; /* per column: PGQ_COL_* */
} PgqTriggerInfo;

/* Column roles, worked out once per trigger. */
#define PGQ_COL_PKEY  0x01 /* in the effective key */
#define PGQ_COL_SKIP  0x02 /* left out of the data: ignored or magic */
#define PGQ_COL_MAGIC 0x04 /* a _pgq_ev_* column */

/* What a trigger needs to know of a table, cached by table OID. */
typedef struct PgqTableInfo
{
	Oid reloid;				/* hash key */
	bool valid;				/* false after a relcache invalidation */
	MemoryContext ctx;		/* holds everything below */
	const char *table_name; /* "schema.table", unquoted */
	const char *schema_name;
	const char *rel_name;
	const char *pkey_list; /* "a,b": primary key in index order */
	int natts;
	FmgrInfo *out_funcs; /* per column, [natts] */
	bool *out_valid;
	PgqTriggerInfo *triggers; /* per-trigger argument caches */
} PgqTableInfo;

/* One trigger call. */
typedef struct PgqEvent
{
	TriggerData *tgdata;
	Relation rel;
	TupleDesc desc;
	char op;			 /* 'I', 'U', 'D' or 'R' */
	const char *op_name; /* "INSERT", ... */
	const char *queue_name;
	const char *pkey_list; /* effective: pkey= or the primary key */
	PgqTableInfo *info;
	PgqTriggerInfo *tgargs;
	HeapTuple row; /* NEW for I/U, OLD for D, NULL for R */
	StringInfo field[EV_NEVENT_FIELDS]; /* NULL means SQL NULL */
} PgqEvent;

/* Prefix of the magic columns that set event fields. */
#define PGQ_MAGIC_PREFIX "_pgq_ev_"

/* Name of column col (0-based) of the event's table. */
static inline const char *
pgq_colname(const PgqEvent *ev, int col)
{
	return NameStr(TupleDescAttr(ev->desc, col)->attname);
}

/* tg_cache.c */
extern PgqTableInfo *pgq_table_info(Relation rel);
extern PgqTriggerInfo *pgq_trigger_info(PgqTableInfo *info, TriggerData *tg,
										bool newstyle);
extern bool pgq_list_next(const char **p, const char **start,
						  const char **end);
extern bool pgq_list_contains(const char *list, const char *name);
extern char *pgq_column_text(PgqTableInfo *info, TupleDesc desc, HeapTuple row,
							 int col, bool *isnull);

/* tg_event.c */
extern bool pgq_logging_disabled(void);
extern void pgq_prepare_event(PgqEvent *ev, TriggerData *tg, bool newstyle);
extern bool pgq_is_pkey(PgqEvent *ev, int col);
extern bool pgq_is_skippable(PgqEvent *ev, int col);
extern bool pgq_is_magic(PgqEvent *ev, int col);
extern bool pgq_column_changed(PgqEvent *ev, int col);
extern bool pgq_update_is_skippable(PgqEvent *ev);
extern void pgq_finish_event(PgqEvent *ev);
extern Datum pgq_trigger_result(PgqEvent *ev, TriggerData *tg);

/* tg_format.c: row renderings */
extern void pgq_urlenc_row(PgqEvent *ev, HeapTuple row, StringInfo buf);
extern void pgq_json_row(PgqEvent *ev, HeapTuple row, StringInfo buf);

#endif /* PGQ_TRIGGER_H */
