/*-------------------------------------------------------------------------
 *
 * init.c
 *	  walmgr --init-master / --init-slave: a first ini for this host,
 *	  CONFIG_DIR/wal-master.ini or wal-slave.ini (CONFIG_DIR from
 *	  --config-dir, default ~/conf), with the locations guessed as
 *	  upstream did: the data directory from --pgdata or $PGDATA, the
 *	  server's bin directory and configuration file from its
 *	  postmaster.opts, else PATH's postgres.  An existing ini is never
 *	  overwritten.  Without --slave (or with a local one) the master's ini
 *	  has no slave key: the slave's directories are on this host.
 *	  cleanup: the slave's walmgr_data and old data directories
 *	  (slave_data.N) go, then the ini itself (either role).
 *
 * IDENTIFICATION
 *	  bin/walmgr/init.c
 *
 *-------------------------------------------------------------------------
 */
#define _GNU_SOURCE
#include "walmgr.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "skytools/log.h"

/* bin dir and config file from PGDATA/postmaster.opts */
static void
guess_from_opts(const char *pgdata, char *bin, size_t binlen, char *conf,
				size_t conflen)
{
	char path[4200], line[8192], *p;
	FILE *f;

	snprintf(path, sizeof(path), "%s/postmaster.opts", pgdata);
	f = fopen(path, "r");
	if (f && fgets(line, sizeof(line), f))
	{
		char *sp = strchr(line, ' ');

		line[strcspn(line, "\n")] = '\0';
		if (sp)
			*sp = '\0';
		if ((p = strrchr(line, '/')) != NULL)
			snprintf(bin, binlen, "%.*s", (int) (p - line), line);
		if (sp && (p = strstr(sp + 1, "config_file=")) != NULL)
		{
			p += 12;
			if (*p == '"')
				p++;
			snprintf(conf, conflen, "%.*s", (int) strcspn(p, "\" "), p);
		}
	}
	if (f)
		fclose(f);
	if (bin[0] == '\0')
	{
		/* postgres on PATH */
		const char *env = getenv("PATH");
		char *copy = strdup(env ? env : ""), *save = NULL, *dir;

		for (dir = strtok_r(copy, ":", &save); dir;
			 dir = strtok_r(NULL, ":", &save))
		{
			snprintf(path, sizeof(path), "%s/postgres", dir);
			if (access(path, X_OK) == 0)
			{
				snprintf(bin, binlen, "%s", dir);
				break;
			}
		}
		free(copy);
	}
	if (conf[0] == '\0')
		snprintf(conf, conflen, "%s/postgresql.conf", pgdata);
}

static bool
is_local(const char *host)
{
	return host == NULL || host[0] == '\0' || strcmp(host, "localhost") == 0 ||
		   strcmp(host, "127.0.0.1") == 0;
}

int
wm_init_ini(bool master, const WmInit *o)
{
	char dir[4096], path[4200], bin[4096] = "", conf[4096] = "", pgdata[4096];
	const char *home = getenv("HOME");
	const char *job = master ? "wal-master" : "wal-slave";
	const char *pd = o->pgdata ? o->pgdata : getenv("PGDATA");
	FILE *f;
	int fd;

	if (master && o->slave == NULL)
	{
		log_error("--init-master needs --slave HOST (localhost: the slave's "
				  "directories on this host)");
		return 1;
	}
	if (pd == NULL || pd[0] == '\0')
	{
		log_error("no data directory: give --pgdata or set PGDATA");
		return 1;
	}
	if (realpath(pd, pgdata) == NULL)
		snprintf(pgdata, sizeof(pgdata), "%s", pd);
	snprintf(dir, sizeof(dir), "%s", o->config_dir ? o->config_dir : "");
	if (dir[0] == '\0')
		snprintf(dir, sizeof(dir), "%s/conf", home ? home : ".");
	guess_from_opts(pgdata, bin, sizeof(bin), conf, sizeof(conf));
	snprintf(path, sizeof(path), "%s/%s.ini", dir, job);
	{
		char err[512];

		if (!wm_mkdirs(dir, err, sizeof(err)))
		{
			log_error("%s", err);
			return 1;
		}
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0)
	{
		log_error("%s: %s", path,
				  errno == EEXIST ? "exists already; not overwritten"
								  : strerror(errno));
		return 1;
	}
	f = fdopen(fd, "w");
	fprintf(f,
			"[walmgr]\njob_name = %s\nlogfile = ~/log/%%(job_name)s.log\n"
			"pidfile = ~/pid/%%(job_name)s.pid\nuse_skylog = 0\n\n",
			job);
	if (master)
	{
		fprintf(f,
				"master_db = dbname=template1\nmaster_data = %s\n"
				"master_config = %s\nmaster_bin = %s\n"
				"# master_restart_cmd = pg_ctl -D %s -m fast restart\n",
				pgdata, conf, bin, pgdata);
		if (!is_local(o->slave))
			fprintf(f, "slave = %s\nslave_config = %s/wal-slave.ini\n",
					o->slave, dir);
		else
			fprintf(f, "# the slave's directories, on this host\n"
					   "walmgr_data = ~/walshipping\n"
					   "completed_wals = %%(walmgr_data)s/logs.complete\n"
					   "partial_wals = %%(walmgr_data)s/logs.partial\n"
					   "full_backup = %%(walmgr_data)s/data.master\n"
					   "config_backup = %%(walmgr_data)s/config.backup\n");
		fprintf(f, "loop_delay = 10.0\n");
	}
	else
	{
		fprintf(f,
				"slave_data = %s\nslave_bin = %s\n"
				"slave_stop_cmd = %s%spg_ctl -D %s -m fast stop\n"
				"slave_start_cmd = %s%spg_ctl -D %s -l %s.log start\n"
				"walmgr_data = ~/walshipping\n"
				"completed_wals = %%(walmgr_data)s/logs.complete\n"
				"partial_wals = %%(walmgr_data)s/logs.partial\n"
				"full_backup = %%(walmgr_data)s/data.master\n"
				"config_backup = %%(walmgr_data)s/config.backup\n"
				"keep_backups = 0\n",
				pgdata, bin, bin, bin[0] ? "/" : "", pgdata, bin,
				bin[0] ? "/" : "", pgdata, pgdata);
		if (o->primary_conninfo)
			fprintf(f, "primary_conninfo = %s\n", o->primary_conninfo);
	}
	if (fclose(f) != 0)
	{
		log_error("cannot write %s: %s", path, strerror(errno));
		return 1;
	}
	printf("%s\n", path);
	log_info("%s written", path);
	return 0;
}

/* cleanup: what walmgr made on the slave goes, then the ini */
int
cmd_cleanup(Wm *wm, int argc, char **argv)
{
	(void) argv;
	if (argc != 0)
	{
		log_error("usage: cleanup");
		return 1;
	}
	if (!wm->is_master)
	{
		const char *sd = wm->cfg.slave_data;

		if (sd && sd[0] && wm_postmaster(sd, NULL, NULL, 0) != 0)
		{
			log_error("cleanup: a server runs in %s; stop it first", sd);
			return 1;
		}
		if (wm->cfg.walmgr_data && wm->cfg.walmgr_data[0])
		{
			if (wm->not_really)
				log_info("would remove %s", wm->cfg.walmgr_data);
			else if (!wm_remove_tree(wm->cfg.walmgr_data))
			{
				log_error("cleanup: cannot remove %s: %s", wm->cfg.walmgr_data,
						  strerror(errno));
				return 1;
			}
			else
				log_info("cleanup: %s removed", wm->cfg.walmgr_data);
		}
		if (sd && sd[0])
		{
			char parent[4096];
			const char *slash = strrchr(sd, '/');
			const char *base = slash ? slash + 1 : sd;
			size_t blen = strlen(base);
			struct dirent *de;
			DIR *d;

			snprintf(parent, sizeof(parent), "%.*s",
					 slash ? (int) (slash - sd) : 1, slash ? sd : ".");
			if (parent[0] == '\0')
				snprintf(parent, sizeof(parent), "/");
			d = opendir(parent);
			while (d && (de = readdir(d)) != NULL)
			{
				char p[8200];

				/* slave_data.N: what restore kept of older data dirs */
				if (strncmp(de->d_name, base, blen) != 0 ||
					de->d_name[blen] != '.' || de->d_name[blen + 1] == '\0' ||
					strspn(de->d_name + blen + 1, "0123456789") !=
						strlen(de->d_name + blen + 1))
					continue;
				snprintf(p, sizeof(p), "%s/%s", parent, de->d_name);
				if (wm->not_really)
					log_info("would remove %s", p);
				else if (!wm_remove_tree(p))
					log_warning("cleanup: cannot remove %s: %s", p,
								strerror(errno));
				else
					log_info("cleanup: %s removed", p);
			}
			if (d)
				closedir(d);
		}
	}
	if (wm->not_really)
		log_info("would remove %s", wm->ini_file);
	else if (unlink(wm->ini_file) != 0)
	{
		log_error("cleanup: cannot remove %s: %s", wm->ini_file,
				  strerror(errno));
		return 1;
	}
	else
		log_info("cleanup: %s removed", wm->ini_file);
	return 0;
}
