/*-------------------------------------------------------------------------
 *
 * walmgr.h
 *	  walmgr: WAL archiving, base backups, restore and standbys (see
 *	  doc/walmgr.md).  One ini file per host, section [walmgr]; the node
 *	  is the master when the ini has master_data, else the slave.
 *
 * IDENTIFICATION
 *	  bin/walmgr/walmgr.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef WALMGR_H
#define WALMGR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <libpq-fe.h>

#define WALMGR_VERSION "3.6"

/* Every key of the [walmgr] section (strings malloc'd, NULL when unset). */
typedef struct WmConfig
{
	/* common */
	char *job_name;
	char *logfile;
	char *use_skylog;
	char *pidfile;
	char *walmgr_data;
	char *completed_wals;
	char *partial_wals;
	char *full_backup;
	char *config_backup;
	double loop_delay;
	/* master */
	char *master_db;
	char *master_data;
	char *master_config;
	char *master_bin;
	char *master_restart_cmd;
	char *slave;
	char *slave_config;
	int use_xlog_functions;
	int compression; /* ours: zstd level for archived WAL, 0 = plain */
	int keep_symlinks;
	char *hot_standby;
	char *periodic_command;
	int command_interval;
	/* slave */
	char *slave_data;
	char *slave_bin;
	char *slave_start_cmd;
	char *slave_stop_cmd;
	char *slave_config_dir;
	char *slave_pg_xlog;
	char *backup_datadir;
	int keep_backups;
	char *archive_command;
	char *primary_conninfo;
	/* ours */
	int keep_days;		/* retention by age, 0 = none */
	char *restore_wait; /* xrestore waits for missing WAL (upstream's way) */
	double progress_interval; /* seconds between progress lines */
	char *slot_name;		  /* the receiver's replication slot */
	int restore_prefetch;	  /* xrestore: segments decompressed ahead */
} WmConfig;

/* restore's point-in-time target (options), NULL when not given */
typedef struct WmTarget
{
	const char *time, *xid, *lsn, *name, *action;
	int immediate;
} WmTarget;

typedef struct Wm
{
	const char *ini_file;
	WmConfig cfg;
	bool is_master;
	bool not_really; /* -n */
	bool restore_wait;
	bool json; /* --json */
	WmTarget target;
} Wm;

/* A data directory being copied (tree.c). */
typedef struct WmTree
{
	bool pgdata_rules; /* a backup of PGDATA: exclusions, tablespaces */
	void *expect;	   /* restore: the manifest's files by path */
	int nexpected, nchecked;
	const char *what;	   /* "backup" or "restore", for progress lines */
	double progress_every; /* seconds between progress lines, 0 = none */
	/* filled in */
	char *entries; /* manifest entries written (backup) */
	size_t len, cap;
	int nentries, nfiles;
	uint64_t total, done;
	double last_progress;
	const char *dst_root;
	void *jobs; /* the files found, copied after the walk */
	size_t njobs, capjobs, nextjob;
	int failed;
} WmTree;

/* --init-master / --init-slave options */
typedef struct WmInit
{
	const char *config_dir, *slave, *pgdata, *primary_conninfo;
} WmInit;

/* a command: its arguments after INI COMMAND; the exit status */
typedef int (*WmCommand)(Wm *wm, int argc, char **argv);

/* archive.c */
extern int cmd_xarchive(Wm *wm, int argc, char **argv);
extern int cmd_xrestore(Wm *wm, int argc, char **argv);
extern int cmd_xreceive(Wm *wm, int argc, char **argv);
extern int cmd_setup(Wm *wm, int argc, char **argv);
extern int wm_slave_setup(Wm *wm);
extern int cmd_verify(Wm *wm, int argc, char **argv);
extern int cmd_xlock(Wm *wm, int argc, char **argv);
extern int cmd_xrelease(Wm *wm, int argc, char **argv);

/* backups.c */
extern int cmd_listbackups(Wm *wm, int argc, char **argv);
extern int cmd_xrotate(Wm *wm, int argc, char **argv);
extern int cmd_xpurgewals(Wm *wm, int argc, char **argv);
extern int wm_verify_sets(Wm *wm);

/* backup.c */
extern int cmd_backup(Wm *wm, int argc, char **argv);
extern int wm_slave_cmd(Wm *wm, const char *cmd, const char *arg);
extern int wm_syncfs(const char *dir);
extern int wm_slave_cmd2(Wm *wm, const char *cmd, const char *arg,
						 const char *arg2);
extern int wm_slave_cmd_in(Wm *wm, const char *cmd, const char *arg,
						   int in_fd);

/* master.c */
extern int cmd_stop(Wm *wm, int argc, char **argv);
extern int cmd_check(Wm *wm, int argc, char **argv);
extern int cmd_synch_standby(Wm *wm, int argc, char **argv);
extern int cmd_periodic(Wm *wm, int argc, char **argv);
extern int wm_periodic(Wm *wm);

/* receiver.c */
extern int cmd_sync(Wm *wm, int argc, char **argv);
extern int cmd_syncdaemon(Wm *wm, int argc, char **argv);
extern int cmd_xpartialsync(Wm *wm, int argc, char **argv);
extern void wm_segment_name(char *dst, uint32_t tli, uint64_t segno,
							uint64_t segsize);
extern void wm_slot_name(Wm *wm, char *dst, size_t len);

/* restore.c */
extern int cmd_restore(Wm *wm, int argc, char **argv);
extern int cmd_boot(Wm *wm, int argc, char **argv);
extern int cmd_pause(Wm *wm, int argc, char **argv);
extern int cmd_continue(Wm *wm, int argc, char **argv);
extern int cmd_createslave(Wm *wm, int argc, char **argv);
extern int wm_slave_backup(Wm *wm);
extern bool wm_valid_time(const char *s);
extern bool wm_check_target(Wm *wm);

/* init.c */
extern int wm_init_ini(bool master, const WmInit *o);
extern int cmd_cleanup(Wm *wm, int argc, char **argv);

/* tree.c */
extern bool wm_tree_copy(WmTree *t, const char *src, const char *dst,
						 char *err, size_t errlen);
extern void wm_tree_free(WmTree *t);
extern bool wm_tree_add_entry(WmTree *t, const char *rel, long long size,
							  time_t mtime, const unsigned char sha[32]);
extern bool wm_manifest_write(WmTree *t, const char *dir, int timeline,
							  const char *start_lsn, const char *end_lsn,
							  char *err, size_t errlen);
extern bool wm_manifest_load(WmTree *t, const char *dir, bool *found,
							 char *err, size_t errlen);
extern int wm_manifest_verify(const char *set);
extern void wm_hex(char *dst, const unsigned char *sum, size_t n);

/* db.c */
extern PGconn *wm_connect(const char *conninfo, const char *what);
extern PGresult *wm_exec(PGconn *db, const char *sql, int nparams,
						 const char *const *params);
extern bool wm_query_value(PGconn *db, const char *sql, char *dst, size_t len);
extern long wm_postmaster(const char *datadir, int *port, char *sockdir,
						  size_t len);
extern PGconn *wm_connect_slave(Wm *wm);

/* files.c */
#define WM_ZSTD_SUFFIX ".zst"
#define WM_SUMS_FILE   "SHA256SUMS"
extern const char *wm_local_dir(const char *key, const char *value);
extern bool wm_valid_wal_name(const char *name);
extern bool wm_exists(const char *path);
extern bool wm_remove_tree(const char *dir);
extern void wm_sibling(const char *path, const char *suffix, char *dst,
					   size_t len);
extern bool wm_archived(const char *dir, const char *name);
extern bool wm_write_all(int fd, const void *buf, size_t len, const char *path,
						 char *err, size_t errlen);
extern bool wm_mkdirs(const char *path, char *err, size_t errlen);
extern bool wm_fsync_dir_of(const char *path, char *err, size_t errlen);
extern bool wm_copy_file(const char *src, const char *dst, int zstd_level,
						 bool decompress, unsigned char sha256[32], char *err,
						 size_t errlen);
extern int wm_same_content(const char *a, bool a_zst, const char *b,
						   bool b_zst, char *err, size_t errlen);
extern bool wm_record_sum(const char *dir, const char *name,
						  const unsigned char sha256[32], char *err,
						  size_t errlen);
extern bool wm_hash_file(const char *path, unsigned char sha256[32], char *err,
						 size_t errlen);
extern bool wm_prune_sums(const char *dir, char *err, size_t errlen);
extern bool wm_find_sum(const char *dir, const char *name, bool *found,
						char *err, size_t errlen);

#endif /* WALMGR_H */
