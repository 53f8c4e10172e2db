/*-------------------------------------------------------------------------
 *
 * main.c
 *	  londiste [options] CONFIG.ini COMMAND [args...]: the command line,
 *	  as upstream's (options anywhere), the ini file, logging, pid files,
 *	  and the command table.
 *
 * Pid files as upstream: the worker holds pidfile, admin commands that
 * change something hold pidfile.admin, read-only commands hold none.
 * -s/-k/-r signal the worker in pidfile (INT: stop after the current
 * batch, TERM: at once, HUP: reopen the log).
 *
 * IDENTIFICATION
 *	  bin/londiste/main.c
 *
 *-------------------------------------------------------------------------
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "londiste.h"
#include "skytools/daemon.h"
#include "skytools/log.h"

typedef enum Lock
{
	LOCK_NONE,
	LOCK_ADMIN,
	LOCK_WORKER
} Lock;

typedef struct Command
{
	const char *name;
	int (*fn)(Ld *ld);
	Lock lock;
	const char *help;
} Command;

static const Command commands[] = {
	{"create-root", cmd_create_node, LOCK_ADMIN,
	 "create root node: NODE [CONNSTR]"},
	{"create-branch", cmd_create_node, LOCK_ADMIN,
	 "create branch node: NODE [CONNSTR] --provider=CONNSTR"},
	{"create-leaf", cmd_create_node, LOCK_ADMIN,
	 "create leaf node: NODE [CONNSTR] --provider=CONNSTR"},
	{"install", cmd_install, LOCK_ADMIN, "install the extensions"},
	{"members", cmd_members, LOCK_NONE, "show members of the cascade"},
	{"node-info", cmd_node_info, LOCK_NONE, "show the local node"},
	{"status", cmd_status, LOCK_NONE, "show the cascade's nodes"},
	{"node-status", cmd_status, LOCK_NONE, "show the local node's state"},
	{"pause", cmd_pause, LOCK_ADMIN, "pause the worker"},
	{"resume", cmd_pause, LOCK_ADMIN, "resume the worker"},
	{"worker", cmd_worker, LOCK_WORKER, "replay events to the local node"},
	{"replay", cmd_worker, LOCK_WORKER, "the same as worker (Londiste 2)"},
	{"add-table", cmd_add_table, LOCK_ADMIN, "add tables: TABLE..."},
	{"remove-table", cmd_remove_table, LOCK_ADMIN, "remove tables: TABLE..."},
	{"add-seq", cmd_add_seq, LOCK_ADMIN, "add sequences: SEQ..."},
	{"remove-seq", cmd_remove_seq, LOCK_ADMIN, "remove sequences: SEQ..."},
	{"tables", cmd_tables, LOCK_NONE, "show the local tables"},
	{"seqs", cmd_seqs, LOCK_NONE, "show the sequences"},
	{"missing", cmd_missing, LOCK_NONE, "show what could be added"},
	{"resync", cmd_resync, LOCK_ADMIN, "copy tables again: TABLE..."},
	{"wait-sync", cmd_wait_sync, LOCK_NONE,
	 "wait until every table is copied"},
	{"wait-root", cmd_wait_position, LOCK_NONE,
	 "wait until the worker has the root's last tick"},
	{"wait-provider", cmd_wait_position, LOCK_NONE,
	 "wait until the worker has the provider's last tick"},
	{"compare", cmd_compare, LOCK_NONE,
	 "compare tables with the provider's, naming rows: [TABLE...]"},
	{"repair", cmd_compare, LOCK_NONE,
	 "make tables equal the provider's: [TABLE...] [--apply]"},
	{"check", cmd_check, LOCK_NONE,
	 "compare the tables' structure with the provider's: [TABLE...]"},
	{"fkeys", cmd_fkeys, LOCK_NONE,
	 "the foreign keys of the tables, as drop and create: [TABLE...]"},
	{"execute", cmd_execute, LOCK_ADMIN,
	 "run DDL files on the root and every node: FILE..."},
	{"change-provider", cmd_change_provider, LOCK_ADMIN,
	 "read from another node: --provider=NODE"},
	{"takeover", cmd_takeover, LOCK_ADMIN,
	 "take a node's place: NODE [--all] [--dead-root|--dead-branch]"},
	{"tag-dead", cmd_tag_node, LOCK_ADMIN, "mark a node dead: NODE"},
	{"tag-alive", cmd_tag_node, LOCK_ADMIN, "mark a node alive again: NODE"},
	{"drop-node", cmd_drop_node, LOCK_ADMIN, "remove a node: NODE"},
	{"rename-node", cmd_rename_node, LOCK_ADMIN,
	 "give a node another name: OLD NEW"},
	{"resurrect", cmd_resurrect, LOCK_ADMIN,
	 "bring a failed-over root back as a branch"},
	{"show-handlers", cmd_show_handlers, LOCK_NONE,
	 "list the table handlers, or describe some: [NAME...]"},
	{"change-handler", cmd_change_handler, LOCK_ADMIN,
	 "change a table's handler: TABLE --handler=... [--handler-arg=...]"},
	{"copy", cmd_copy, LOCK_NONE, "(internal) copy one table: TABLE"},
	{NULL, NULL, LOCK_NONE, NULL},
};

/* run as setadm (Ld.plain): the cascade's commands only */
static const char *prog = "londiste";
static bool plain;
static const char *const plain_commands[] = {
	"create-root",	 "create-branch",	"create-leaf",
	"install",		 "members",			"node-info",
	"status",		 "node-status",		"pause",
	"resume",		 "worker",			"wait-root",
	"wait-provider", "change-provider", "takeover",
	"tag-dead",		 "tag-alive",		"drop-node",
	"rename-node",	 "resurrect",		NULL};

static bool
allowed(const char *name)
{
	int i;

	if (!plain)
		return true;
	for (i = 0; plain_commands[i]; i++)
		if (strcmp(plain_commands[i], name) == 0)
			return true;
	return false;
}

/*
 * The commands' options: a value's (--name=VALUE) or a flag's, where it
 * goes, its help line, and whether setadm (plain cascades) has it too.
 */
typedef struct ValOpt
{
	const char *name;
	size_t offset;
	const char *help;
	bool cascade;
} ValOpt;

#define V(n, f, h, c)                                                         \
	{                                                                         \
		n, offsetof(LdOpts, f), h, c                                          \
	}
static const ValOpt valopts[] = {
	V("provider", provider, "create-*, change-provider: the provider node",
	  true),
	V("dest-table", dest_table, "add-table: the local table's name", false),
	V("trigger-flags", trigger_flags, "add-table: the root trigger's flags",
	  false),
	V("handler", handler, "add-table, change-handler: the table handler",
	  false),
	V("copy-node", copy_node, "add-table: copy from this member", false),
	V("copy-condition", copy_condition,
	  "add-table: copy and replay only rows matching EXPR", false),
	V("columns", columns, "add-table: the columns this node keeps", false),
	V("repair-where", repair_where, "compare, repair: only rows matching COND",
	  false),
	V("sort-bufsize", sort_bufsize, "compare, repair: accepted, not used",
	  false),
	V("merge", merge, "create-leaf: merge into this combined queue", true),
	V("max-parallel-copy", max_parallel_copy,
	  "add-table: tables copied at once", false),
	V("node", node, "change-provider, takeover, pause: act for this node",
	  true),
	V("worker", worker, "pause, resume: this worker", true),
	V("consumer", consumer, "pause, resume: this consumer", true),
	V("queue", queue, "tag-dead, tag-alive: this queue", true),
	V("sync-watermark", sync_watermark,
	  "create-*: nodes whose watermarks are kept in step", true),
	V("fix-dir", fix_dir, "repair: where fix.<table>.sql files go", false),
	{NULL, 0, NULL, false},
};

#define F(n, f, h, c) V(n, f, h, c)
static const ValOpt flagopts[] = {
	F("all", all, "add-table, takeover...: every table / subscriber", true),
	F("wait-sync", wait_sync, "add-table: wait until copied", false),
	F("expect-sync", expect_sync, "add-table: the table is in sync already",
	  false),
	F("skip-truncate", skip_truncate, "add-table: copy without TRUNCATE",
	  false),
	F("create", create, "add-table: create the table from the provider's",
	  false),
	F("create-full", create_full,
	  "add-table: also indexes, constraints, triggers, grants", false),
	F("no-triggers", no_triggers, "add-table: no trigger on the root", false),
	F("merge-all", merge_all, "add-table: on every merge leaf", false),
	F("no-merge", no_merge, "add-table: not on the other merge leaves", false),
	F("skip-non-existing", skip_non_existing,
	  "add-table: leave out tables that are missing", false),
	F("names-only", names_only, "tables: only the names", false),
	F("force", force, "skip the checks (and say which)", true),
	F("compact", compact, "status: one line per node", true),
	F("json", json, "status, node-status: as JSON", true),
	F("count-only", count_only, "compare: row counts only", false),
	F("resume", resume, "compare, repair: go on with an interrupted run",
	  false),
	F("apply", apply, "repair: apply the fixes", false),
	F("nocheck", nocheck, "execute: skip the table checks", false),
	F("find-copy-node", find_copy_node,
	  "add-table: copy from the first node up that has the table", false),
	F("rewind", rewind, "worker: back to the node's completed tick", true),
	F("dead-root", dead_root, "takeover: failover from a dead root", true),
	F("dead-branch", dead_branch, "takeover: from a dead branch", true),
	F("reset", reset, "worker: the node's tick to the provider's position",
	  true),
	{NULL, 0, NULL, false},
};

static void
usage(FILE *f)
{
	const Command *c;
	const ValOpt *o;

	fprintf(f,
			"usage: %s [options] INI CMD [subcmd args]\n\n"
			"commands:\n",
			prog);
	for (c = commands; c->name; c++)
		if (allowed(c->name))
			fprintf(f, "  %-16s %s\n", c->name, c->help);
	fprintf(f, "\noptions:\n"
			   "  -h, --help       show this help\n"
			   "  -V, --version    print the version\n"
			   "  -q, --quiet      log only warnings and errors\n"
			   "  -v, --verbose    more output (twice: even more)\n"
			   "  -d, --daemon     go to the background (needs pidfile)\n"
			   "  --ini            print a sample ini file\n"
			   "  --set=KEY=VAL    override an ini key\n"
			   "  -r, --reload     reload the running worker\n"
			   "  -s, --stop       stop the worker after its current batch\n"
			   "  -k, --kill       stop the worker now\n"
			   "\ncommand options:\n");
	for (o = valopts; o->name; o++)
		if (!plain || o->cascade)
			fprintf(f, "  --%s=VALUE\n        %s\n", o->name, o->help);
	if (!plain)
		fprintf(f, "  --trigger-arg=ARG\n        add-table: a root trigger "
				   "argument (repeatable)\n"
				   "  --handler-arg=K=V\n        add-table, change-handler: "
				   "a handler argument (repeatable)\n");
	for (o = flagopts; o->name; o++)
		if (!plain || o->cascade)
			fprintf(f, "  --%s\n        %s\n", o->name, o->help);
	fprintf(f, "see %s(1) for each command\n", prog);
}

static bool
add_str(const char ***arr, int *n, const char *s)
{
	const char **na = realloc(*arr, (*n + 1) * sizeof(char *));

	if (na == NULL)
		return false;
	na[(*n)++] = s;
	*arr = na;
	return true;
}

static void
on_hup(int sig)
{
	(void) sig;
	log_reopen();
}

int
main(int argc, char **argv)
{
	Ld ld;
	const char **pos = NULL, **sets = NULL;
	int npos = 0, nsets = 0, i, sig = 0, rc;
	const Command *cmd;
	char err[1024];
	LogSettings ls = {0};

	memset(&ld, 0, sizeof(ld));
	{
		const char *base = strrchr(argv[0], '/');

		base = base ? base + 1 : argv[0];
		if (strcmp(base, "setadm") == 0 || strcmp(base, "setadm3") == 0)
		{
			prog = "setadm";
			plain = ld.plain = true;
		}
	}
	for (i = 1; i < argc; i++)
	{
		const char *a = argv[i];

		if (a[0] != '-' || a[1] == '\0')
		{
			add_str(&pos, &npos, a);
			continue;
		}
		if (strcmp(a, "--") == 0)
		{
			for (i++; i < argc; i++)
				add_str(&pos, &npos, argv[i]);
			break;
		}
		if (a[1] == '-')
		{
			const char *name = a + 2, *eq = strchr(name, '=');
			size_t nl = eq ? (size_t) (eq - name) : strlen(name);
			const ValOpt *o;
			bool done = false;

			if (strcmp(name, "help") == 0)
			{
				usage(stdout);
				return 0;
			}
			if (strcmp(name, "version") == 0)
			{
				printf("londiste version %s\n", LONDISTE_VERSION);
				return 0;
			}
			if (strcmp(name, "ini") == 0)
			{
				fputs(ld_sample_ini(plain), stdout);
				return 0;
			}
			if (strcmp(name, "quiet") == 0 || strcmp(name, "verbose") == 0 ||
				strcmp(name, "daemon") == 0 || strcmp(name, "reload") == 0 ||
				strcmp(name, "stop") == 0 || strcmp(name, "kill") == 0)
			{
				static char shortopt[3] = "-x";

				shortopt[1] = name[0] == 'k'   ? 'k'
							  : name[0] == 'q' ? 'q'
							  : name[0] == 'v' ? 'v'
							  : name[0] == 'd' ? 'd'
							  : name[0] == 'r' ? 'r'
											   : 's';
				a = shortopt;
				goto short_opts;
			}
			if (strncmp(name, "set", nl) == 0 && nl == 3)
			{
				const char *v =
					eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);

				if (v == NULL)
				{
					fprintf(stderr, "%s: --set needs KEY=VALUE\n", prog);
					return 1;
				}
				add_str(&sets, &nsets, v);
				continue;
			}
			if (nl == 11 && strncmp(name, "trigger-arg", nl) == 0)
			{
				const char *v =
					eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);

				if (v == NULL)
					goto missing_value;
				add_str(&ld.opt.trigger_args, &ld.opt.ntrigger_args, v);
				continue;
			}
			if (nl == 4 && strncmp(name, "dead", nl) == 0)
			{
				const char *v =
					eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);

				if (v == NULL)
					goto missing_value;
				add_str(&ld.opt.dead, &ld.opt.ndead, v);
				continue;
			}
			if (nl == 11 && strncmp(name, "handler-arg", nl) == 0)
			{
				const char *v =
					eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);

				if (v == NULL)
					goto missing_value;
				add_str(&ld.opt.handler_args, &ld.opt.nhandler_args, v);
				continue;
			}
			for (o = valopts; o->name && !done; o++)
			{
				if (strlen(o->name) == nl && strncmp(o->name, name, nl) == 0)
				{
					const char *v =
						eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);

					if (v == NULL)
						goto missing_value;
					*(const char **) ((char *) &ld.opt + o->offset) = v;
					done = true;
				}
			}
			for (o = flagopts; o->name && !done; o++)
			{
				if (strlen(o->name) == nl && strncmp(o->name, name, nl) == 0 &&
					!eq)
				{
					*(bool *) ((char *) &ld.opt + o->offset) = true;
					done = true;
				}
			}
			if (!done)
			{
				fprintf(stderr, "%s: unknown option: %s\n", prog, a);
				usage(stderr);
				return 1;
			}
			continue;
		missing_value:
			fprintf(stderr, "%s: option %s needs a value\n", prog, a);
			return 1;
		}
	short_opts:
		for (const char *p = a + 1; *p; p++)
		{
			switch (*p)
			{
				case 'h':
					usage(stdout);
					return 0;
				case 'V':
					printf("londiste version %s\n", LONDISTE_VERSION);
					return 0;
				case 'q':
					ld.opt.quiet = true;
					break;
				case 'v':
					ld.opt.verbose++;
					break;
				case 'd':
					ld.opt.daemon = true;
					break;
				case 'r':
					sig = SIGHUP;
					break;
				case 's':
					sig = SIGINT;
					break;
				case 'k':
					sig = SIGTERM;
					break;
				default:
					fprintf(stderr, "%s: unknown option: -%c\n", prog, *p);
					usage(stderr);
					return 1;
			}
		}
	}

	if (npos < 1 || (npos < 2 && sig == 0))
	{
		fprintf(stderr, "%s: need config file and command\n", prog);
		usage(stderr);
		return 1;
	}
	ld.ini_file = pos[0];
	ld.argv0 = argv[0];
	ld.sets = sets;
	ld.nsets = nsets;
	if (!ld_load_config(&ld, sets, nsets, err, sizeof(err)))
	{
		fprintf(stderr, "%s: %s\n", prog, err);
		return 1;
	}
	ld.queue = ld.opt.queue ? ld.opt.queue : ld.cfg.queue_name;

	if (sig != 0)
	{
		int r;

		if (ld.cfg.pidfile == NULL)
		{
			fprintf(stderr, "%s: pidfile is not configured\n", prog);
			return 1;
		}
		r = pidfile_signal(ld.cfg.pidfile, sig);
		if (r == 1)
			printf("%s sent\n", sig == SIGHUP	? "SIGHUP"
								: sig == SIGINT ? "SIGINT"
												: "SIGTERM");
		else if (r == 0)
			printf("Old process is not running\n");
		else
			perror(plain ? "setadm: signal" : "londiste: signal");
		return r < 0 ? 1 : 0;
	}

	ld.command = pos[1];
	ld.args = (char **) pos + 2;
	ld.nargs = npos - 2;
	for (cmd = commands; cmd->name; cmd++)
		if (strcmp(cmd->name, ld.command) == 0)
			break;
	if (cmd->name && !allowed(cmd->name))
	{
		fprintf(stderr,
				"setadm: %s is a Londiste command; setadm runs the cascade of "
				"a plain queue\n",
				ld.command);
		return 1;
	}
	if (cmd->name == NULL)
	{
		fprintf(stderr, "%s: unknown command: %s\n", prog, ld.command);
		usage(stderr);
		return 1;
	}

	ls.logfile = ld.cfg.logfile;
	ls.verbose = ld.opt.verbose;
	ls.quiet = ld.opt.quiet && !ld.cfg.logfile;
	log_configure(&ls);

	if (cmd->lock != LOCK_NONE && ld.cfg.pidfile)
	{
		char path[4096];
		bool stale = false;

		snprintf(path, sizeof(path), "%s%s", ld.cfg.pidfile,
				 cmd->lock == LOCK_ADMIN ? ".admin" : "");
		if (!pidfile_claim(path, &stale, err, sizeof(err)))
		{
			log_error("%s", err);
			return 1;
		}
		if (stale)
			log_info("stale pidfile, removing");
	}
	if (ld.opt.daemon)
	{
		if (cmd->lock != LOCK_WORKER || ld.cfg.pidfile == NULL)
		{
			log_error("-d needs the worker and a pidfile");
			return 1;
		}
		if (ld.cfg.logfile == NULL)
		{
			log_error("-d needs a logfile");
			return 1;
		}
		if (!daemonize(err, sizeof(err)) || !pidfile_update(err, sizeof(err)))
		{
			log_error("%s", err);
			return 1;
		}
		ls.quiet = true;
		log_configure(&ls);
	}
	signal(SIGHUP, on_hup);
	signal(SIGPIPE, SIG_IGN);

	rc = cmd->fn(&ld);
	if (ld.db)
		PQfinish(ld.db);
	free(pos);
	free(sets);
	return rc;
}
