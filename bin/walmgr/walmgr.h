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
} WmConfig;

typedef struct Wm
{
	const char *ini_file;
	WmConfig cfg;
	bool is_master;
	bool not_really; /* -n */
	bool restore_wait;
	bool json; /* --json */
} Wm;

/* a command: its arguments after INI COMMAND; the exit status */
typedef int (*WmCommand)(Wm *wm, int argc, char **argv);

/* archive.c */
extern int cmd_xarchive(Wm *wm, int argc, char **argv);
extern int cmd_xrestore(Wm *wm, int argc, char **argv);
extern int cmd_setup(Wm *wm, int argc, char **argv);
extern int cmd_verify(Wm *wm, int argc, char **argv);
extern int cmd_xlock(Wm *wm, int argc, char **argv);
extern int cmd_xrelease(Wm *wm, int argc, char **argv);

/* backups.c */
extern int cmd_listbackups(Wm *wm, int argc, char **argv);
extern int cmd_xrotate(Wm *wm, int argc, char **argv);
extern int cmd_xpurgewals(Wm *wm, int argc, char **argv);

/* files.c */
#define WM_ZSTD_SUFFIX ".zst"
#define WM_SUMS_FILE   "SHA256SUMS"
extern const char *wm_local_dir(const char *key, const char *value);
extern bool wm_valid_wal_name(const char *name);
extern bool wm_exists(const char *path);
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
