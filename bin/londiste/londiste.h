/*-------------------------------------------------------------------------
 *
 * londiste.h
 *	  Londiste in C: the command table, the configuration, the context
 *	  every command gets, and the helpers they share.
 *
 * IDENTIFICATION
 *	  bin/londiste/londiste.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef LONDISTE_H
#define LONDISTE_H

#include <stdbool.h>
#include <libpq-fe.h>

#include "londiste-handler.h"

#define LONDISTE_VERSION "3.9"

/* The ini keys (doc/londiste.md, etc/londiste.ini). */
typedef struct LdConfig
{
	char *job_name;
	char *db;
	char *queue_name;
	char *pgq_queue_name;
	char *consumer_name;
	char *logfile;
	char *pidfile;
	double loop_delay;
	double connection_lifetime;
	double exception_sleep;
	char *node_name;
	char *public_node_location;
	char *initial_provider_location;
	char *remote_extra_connstr;
	double global_wm_publish_period;
	double local_wm_publish_period;
	int parallel_copies;
	double lock_timeout;
	double admin_timeout;	 /* longest wait for a worker's answer */
	int metrics_port;		 /* 0: off */
	double takeover_max_lag; /* takeover's pre-check */
	int pgq_lazy_fetch;
	char *local_only;
	char *missing_row; /* "error" (default) or "warning" */
	/* accepted for compatibility, not used (yet) */
	char *use_skylog;
	char *handler_modules;
	char *handler_free_keys; /* never set: the handler_* family */
	char *shard_info_sql;
	char *obfuscator_map;
	char *obfuscator_key;
	int compare_chunk_rows;
	char *register_only_tables;
	char *register_skip_tables;
	char *register_only_seqs;
	char *register_skip_seqs;
	int log_size;
	int log_count;
	double keepalive_stats;
} LdConfig;

/* Command-line options. */
typedef struct LdOpts
{
	int verbose;
	bool quiet;
	bool daemon;
	bool all;
	bool wait_sync;
	bool expect_sync;
	bool skip_truncate;
	bool create;
	bool create_full;
	bool no_triggers;
	bool merge_all;
	bool no_merge;
	bool skip_non_existing;
	bool names_only;
	bool force;
	bool compact;
	bool json;		 /* status, node-status: JSON */
	bool count_only; /* compare */
	bool resume;	 /* compare: go on with the interrupted run */
	bool apply;		 /* repair */
	bool nocheck;
	bool find_copy_node;
	bool rewind;	  /* worker --rewind */
	bool dead_root;	  /* takeover --dead-root */
	bool dead_branch; /* takeover --dead-branch */
	bool reset;		  /* worker --reset */
	const char *provider;
	const char *dest_table;
	const char *trigger_flags;
	const char *handler;
	const char *copy_node;
	const char *copy_condition;
	const char *columns;	  /* add-table: the columns this node keeps */
	const char *repair_where; /* compare, repair: only these rows */
	const char *sort_bufsize; /* repair: accepted (the databases sort) */
	const char *merge;
	const char *max_parallel_copy;
	const char *node;
	const char *worker;
	const char *consumer;
	const char *queue;
	const char *sync_watermark;
	const char *fix_dir; /* repair: where fix files go */
	const char **trigger_args;
	int ntrigger_args;
	const char **dead; /* --dead=NODE: taken as dead for this run */
	int ndead;
	const char **handler_args;
	int nhandler_args;
} LdOpts;

typedef struct Ld
{
	const char *ini_file;
	LdConfig cfg;
	LdOpts opt;
	const char *queue; /* queue_name, or --queue */
	const char *command;
	char **args; /* the command's arguments */
	int nargs;
	PGconn *db; /* the local node, once connected */
	const char *argv0;
	const char **sets; /* --set overrides, passed on to copy processes */
	int nsets;
	/* run as setadm: the cascade of a plain queue (pgq_node without
	 * londiste): section [setadm], the cascade's commands only, no tables;
	 * the worker only carries the queue (doc/scripts.md) */
	bool plain;
} Ld;

/* config.c */
extern bool ld_load_config(Ld *ld, const char **sets, int nsets, char *err,
						   size_t errlen);
extern const char *ld_sample_ini(bool plain);
extern char *ld_config_get(const char *key);

/* util.c: connections, queries, output */
extern PGconn *ld_connect(const char *conninfo, const char *what);
extern PGconn *ld_local(Ld *ld);
extern PGresult *ld_query(PGconn *db, const char *sql, int n,
						  const char *const *params);
extern bool ld_exec(PGconn *db, const char *sql, int n,
					const char *const *params);
extern int ld_ret(PGresult *res, const char *what);
extern void ld_print_table(PGresult *res);
extern int ld_show(Ld *ld, const char *sql, bool names_only);
extern PGresult *ld_node_info(PGconn *db, const char *queue, const char *what);
extern const char *ld_field(PGresult *res, const char *col);
extern char *ld_fqname(const char *name);
extern bool ld_glob_match(const char *pattern, const char *name);
extern char *ld_join_connstr(const char *loc, const char *extra);
extern char *ld_provider_connstr(Ld *ld, bool *root);
extern bool ld_wait_ack(Ld *ld, PGconn *db, const char *who,
						const char *consumer, const char *what);
/* register_only_* / register_skip_*: whether this node registers a table
 * (a sequence) the root publishes */
extern bool ld_register_wanted(Ld *ld, const char *name, bool seq);
extern const char *ld_only(PGconn *db, const char *table);
extern int ld_set_paused(Ld *ld, PGconn *db, const char *worker, bool pause,
						 const char *what);
extern char *ld_attr_value(const char *attrs, const char *key);
extern char *ld_column_list(const char *attrs);
extern char *ld_table_source(Ld *ld, const char *provider_cs,
							 const char *table, char *node, size_t nodelen);

/* node.c */
extern int cmd_install(Ld *ld);
extern int cmd_create_node(Ld *ld);
extern int cmd_members(Ld *ld);
extern int cmd_node_info(Ld *ld);
extern int cmd_status(Ld *ld);
extern int cmd_pause(Ld *ld);

/* tables.c */
extern int cmd_add_table(Ld *ld);
extern int cmd_remove_table(Ld *ld);
extern int cmd_add_seq(Ld *ld);
extern int cmd_remove_seq(Ld *ld);
extern int cmd_tables(Ld *ld);
extern int cmd_seqs(Ld *ld);
extern int cmd_missing(Ld *ld);
extern int cmd_resync(Ld *ld);
extern int cmd_wait_sync(Ld *ld);

/* worker.c */
extern int cmd_worker(Ld *ld);
extern bool ld_stop_requested(void);
struct PgqConsumer;
extern void ld_catch_stop(struct PgqConsumer *c);

/* copy.c: the copy process, and the worker's side of the handover */
struct PgqBatch;
struct PgqConsumer;
extern int cmd_copy(Ld *ld);

/* position.c */
extern PGconn *ld_member_connect(Ld *ld, const char *name);
extern int cmd_wait_position(Ld *ld);
extern int ld_worker_position(Ld *ld, bool rewind);

/* stats.c: the worker's figures and metrics page */
extern void ld_stats_row(const char *table, char op);
extern void ld_stats_batch_start(long long tick, const char *tick_time);
extern void ld_stats_batch_end(void);
extern void ld_metrics_start(Ld *ld);
extern void ld_metrics_stop(void);

/* compare.c */
extern int cmd_compare(Ld *ld);

/* check.c: structure checks */
extern int cmd_check(Ld *ld);
extern int cmd_fkeys(Ld *ld);

/* execute.c: DDL through the queue */
extern int cmd_execute(Ld *ld);
extern int ld_exec_replay(Ld *ld, PGconn *db, const char *fname,
						  const char *sql, const char *attrs_enc);

/* handler.c: table handlers (londiste-handler.h); handlers.c: built-in */
extern const LdhDef *const ld_builtin_handlers[];
extern const LdhDef ld_obfuscate_handler;
extern const LdhDef *ld_handler_preset(const char *name);
extern const char *ld_handler_preset_args(const char *name);
extern const LdhDef *ld_handler_find(Ld *ld, const char *name);
extern LdhTable *ld_handler_open(Ld *ld, const char *table, const char *dest,
								 const char *table_attrs, char *err,
								 size_t errlen);
extern void ld_handler_close(LdhTable *t);
extern bool ld_handler_from_options(Ld *ld, const char *table,
									const char *dest, char *spec,
									size_t speclen, LdhTable **out, char *err,
									size_t errlen);
extern bool ld_handler_trigger_args(LdhTable *t, char ***args, int *nargs,
									char *err, size_t errlen);
extern size_t ld_attr_encode(char *dst, const char *src);
extern int cmd_show_handlers(Ld *ld);
extern int cmd_change_handler(Ld *ld);

/* admin.c: cascade changes */
extern int cmd_change_provider(Ld *ld);
extern int cmd_takeover(Ld *ld);
extern int cmd_tag_node(Ld *ld);
extern int cmd_drop_node(Ld *ld);
extern int cmd_resurrect(Ld *ld);
extern int cmd_rename_node(Ld *ld);
extern int copy_sync(Ld *ld, struct PgqConsumer *c, const struct PgqBatch *b);

/* apply.c: one event into the node (the worker's event callback) */
typedef struct Applier Applier;
extern Applier *applier_new(Ld *ld, const char *only_table);
extern void applier_free(Applier *a);
struct PgqBatch;
extern void applier_begin_batch(Applier *a, PGconn *db,
								const struct PgqBatch *b);
/* a copy through the table's handler (LDH_COPY_ROWS) */
extern bool applier_copy_start(Applier *a, PGconn *db);
extern int applier_copy_row(Applier *a, PGconn *db, int n,
							const char *const *cols, const char *const *vals);
extern int applier_flush(Applier *a, PGconn *db);
struct PgqEvent;
extern int applier_event(Applier *a, PGconn *db, const struct PgqEvent *ev);
extern const struct PgqEvent *applier_copy_rewrite(Applier *a, PGconn *db,
												   const struct PgqEvent *ev,
												   bool *failed);

#endif /* LONDISTE_H */
