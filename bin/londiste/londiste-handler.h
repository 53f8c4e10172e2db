/*-------------------------------------------------------------------------
 *
 * londiste-handler.h
 *	  Table handlers: what the worker does with one table's events, and
 *	  the interface a user's own handler is written against.
 *
 * A handler is chosen per table and per node by the table attribute
 * handler=NAME(ARGS) (add-table --handler=NAME --handler-arg=K=V,
 * change-handler).  The built-in ones are in handlers.c; a user's are
 * in a shared library named in the ini's handler_modules, which exports
 *
 *		const int londiste_handler_abi = LDH_ABI_VERSION;
 *		const LdhDef *const londiste_handlers[] = {&my_handler, NULL};
 *
 * Every hook is optional; a handler without an event hook applies its
 * table's events as the default handler does.  doc/londiste-handlers.md
 * walks through examples/londiste-handler/.
 *
 * IDENTIFICATION
 *	  bin/londiste/londiste-handler.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef LONDISTE_HANDLER_H
#define LONDISTE_HANDLER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#define LDH_ABI_VERSION 1

/* A row: column names and their values as text (NULL for SQL NULL). */
typedef struct LdhRow
{
	int ncols;
	const char **cols;
	const char **vals;
} LdhRow;

/* A row event of the handler's table, decoded. */
typedef struct LdhEvent
{
	int64_t id;	  /* 0: a row of the initial copy */
	int64_t txid; /* 0 for copy rows */
	int retry;
	const char *time; /* ev_time, UTC "YYYY-MM-DD HH:MM:SS...+00" */
	const char *type; /* ev_type as queued */
	const char *data; /* ev_data as queued */
	const char *extra1, *extra2, *extra3, *extra4;
	char op;   /* 'I', 'U', 'D' */
	int nkeys; /* the key columns */
	const char *const *keys;
	const LdhRow *row;
} LdhEvent;

/* One table's handler on this node. */
typedef struct LdhTable
{
	const struct LdhDef *def;
	const char *table; /* queue-wide name, schema.name */
	const char *dest;  /* the local table, schema.name (not quoted) */
	int nargs;		   /* handler arguments, validated against def->params */
	const char **argk;
	const char **argv;
	void *state; /* the handler's own */
} LdhTable;

/* The worker's side of one batch (opaque). */
typedef struct LdhApply LdhApply;

/* LdhDef.flags */
#define LDH_NO_TABLE   0x01 /* a subscriber needs no local table */
#define LDH_NO_COPY	   0x02 /* no initial copy: in sync once added */
#define LDH_COPY_ROWS  0x04 /* copied rows go through the event hook */
#define LDH_NO_TRIGGER 0x08 /* the root makes no trigger (a virtual table) */

typedef struct LdhDef
{
	const char *name;
	const char *summary;		/* one line for show-handlers */
	const char *const *params;	/* accepted argument names, NULL-ended */
	const char *const *details; /* show-handlers NAME: lines, NULL-ended */
	unsigned flags;

	/* Arguments parsed (and checked against params): check their values,
	 * read ini keys (ldh_config), set state.  False with err: refused. */
	bool (*init)(LdhTable *t, char *err, size_t errlen);
	/* The root's add-table: trigger arguments to add (add(cx, arg)). */
	bool (*trigger_args)(LdhTable *t, void (*add)(void *cx, const char *arg),
						 void *cx, char *err, size_t errlen);
	/* A row event (and, with LDH_COPY_ROWS, a copied row as op 'I').
	 * Apply through ldh_emit or on ldh_conn; 0 done, -1 failed. */
	int (*event)(LdhTable *t, LdhApply *ap, const LdhEvent *ev);
	/* TRUNCATE of the table; without the hook the destination is
	 * truncated unless the argument ignore_truncate=1 is given. */
	int (*truncate)(LdhTable *t, LdhApply *ap);
	/* Before the batch commits and before an EXECUTE or registry
	 * event: write out what was held back.  0 done, -1 failed. */
	int (*flush)(LdhTable *t, LdhApply *ap);
	/* A WHERE condition (malloc'd) for the copy and compare, or NULL. */
	char *(*copy_condition)(LdhTable *t, PGconn *local);
	void (*free)(LdhTable *t);
	/* A branch: an event of the table as it goes on into the node's own
	 * queue: rewrite ev->row into *out (the new row's strings are the
	 * handler's until the next call) and return 1, 0 to pass it on as it
	 * is, -1 on error. */
	int (*copy_event)(LdhTable *t, const LdhEvent *ev, LdhRow *out);
} LdhDef;

/*
 * Services of the worker.
 */
/* Apply a row to dest (NULL: the handler's table) as the default handler
 * does: op 'I', 'U' (the keys find the row) or 'D'. */
extern int ldh_emit(LdhApply *ap, const char *dest, char op, int nkeys,
					const char *const *keys, const LdhRow *row);
/* The local node's connection, in the batch's transaction (write out
 * what ldh_emit holds with ldh_sync first when order matters). */
extern PGconn *ldh_conn(LdhApply *ap);
extern int ldh_sync(LdhApply *ap);
/* The batch: its end tick and that tick's time (UTC). */
extern int64_t ldh_tick_id(LdhApply *ap);
extern const char *ldh_tick_time(LdhApply *ap);
/* A handler argument's value, or NULL. */
extern const char *ldh_arg(const LdhTable *t, const char *key);
/* An ini key of the worker's job section, or NULL. */
extern const char *ldh_config(const char *key);
/* Log lines in the worker's log. */
extern void ldh_log(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
#define LDH_ERROR	0
#define LDH_WARNING 1
#define LDH_INFO	2
#define LDH_DEBUG	3

#endif /* LONDISTE_HANDLER_H */
