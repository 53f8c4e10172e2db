/*-------------------------------------------------------------------------
 *
 * main.c
 *	  qadmin's command line, connection and input loop.
 *
 *	qadmin [-h HOST] [-p PORT] [-U USER] [-d DBNAME] [-Q QUEUE]
 *		   [-c CMDS | -f FILE] [-x | --csv | --json]
 *		   [--on-error-stop=on|off] [DB | CONNSTR]
 *
 * Interactive (a terminal, no -c or -f): line editing and history
 * (~/.qadmin_history) by libedit, completion (complete.c), a command may
 * span lines and ends at ';'; Ctrl-C clears what is typed, Ctrl-D quits.
 * Otherwise the commands are run in order and the first failure stops the
 * run with exit status 1 (--on-error-stop=off goes on).
 *
 * IDENTIFICATION
 *	  bin/qadmin/main.c
 *
 *-------------------------------------------------------------------------
 */
#include "qadmin.h"

#include <getopt.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <editline/readline.h>

#include "skytools/pgutil.h"

static sigjmp_buf on_sigint;
static volatile sig_atomic_t in_readline;

static void
usage(FILE *f)
{
	fprintf(f,
			"usage: qadmin [options] [DB | CONNSTR]\n"
			"  -h HOST        server host\n"
			"  -p PORT        server port\n"
			"  -U USER        user\n"
			"  -d DBNAME      database\n"
			"  -Q QUEUE       the default queue\n"
			"  -c CMDS        run these commands (a ';' ends each) and exit\n"
			"  -f FILE        run the commands of a file and exit\n"
			"  -x, --csv, --json   expanded, CSV or JSON result sets\n"
			"  --on-error-stop=on|off   with -c/-f: stop at the first "
			"error (on)\n"
			"  --help, --version\n");
}

/* a meta command (\x, \csv, ...): false when unknown */
static bool
meta(Qadmin *qa, const char *line)
{
	char w[64] = "", arg[64] = "", val[64] = "";

	sscanf(line, "\\%63s %63s %63s", w, arg, val);
	if (strcmp(w, "x") == 0)
		qa->format = qa->format == F_EXPANDED ? F_ALIGNED : F_EXPANDED;
	else if (strcmp(w, "csv") == 0)
		qa->format = F_CSV;
	else if (strcmp(w, "json") == 0)
		qa->format = F_JSON;
	else if (strcmp(w, "aligned") == 0)
		qa->format = F_ALIGNED;
	else if (strcmp(w, "set") == 0 && strcasecmp(arg, "ON_ERROR_STOP") == 0 &&
			 (strcasecmp(val, "on") == 0 || strcasecmp(val, "off") == 0))
		qa->on_error_stop = strcasecmp(val, "on") == 0;
	else if (strcmp(w, "q") == 0)
		qa->exit_requested = 1;
	else
	{
		qa_error(qa, "unknown meta command: \\%s", w);
		return false;
	}
	return true;
}

/*
 * Run every command of text; *used the bytes consumed (a command without
 * its ';' yet is left unless final).  The count of failed commands.
 */
static int
run_text(Qadmin *qa, const char *text, size_t *used, bool final)
{
	size_t pos = 0;
	int failed = 0;

	for (;;)
	{
		size_t e;
		const char *s = text + pos;

		while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
			s++;
		pos = (size_t) (s - text);
		if (*s == '\0' || qa->exit_requested)
			break;
		if (*s == '\\')
		{
			size_t l = strcspn(s, "\n");
			char *m = strndup(s, l);

			if (m && !meta(qa, m))
				failed++;
			free(m);
			pos += l;
			if (failed && qa->on_error_stop && !qa->interactive)
				break;
			continue;
		}
		e = qa_command_end(s);
		if (e == 0)
		{
			if (!final)
				break;
			e = strlen(s); /* the last one, without its ';' */
		}
		if (qa_run_line(qa, s, e) != 0)
			failed++;
		fflush(stdout);
		pos += e;
		if (failed && qa->on_error_stop && !qa->interactive)
			break;
	}
	*used = pos;
	return failed;
}

static void
handle_sigint(int sig)
{
	(void) sig;
	if (in_readline)
		siglongjmp(on_sigint, 1);
}

static char *
history_path(void)
{
	const char *home = getenv("HOME");
	static char path[4096];

	if (home == NULL)
		return NULL;
	snprintf(path, sizeof(path), "%s/.qadmin_history", home);
	return path;
}

/* what is typed so far (static: a Ctrl-C longjmps past the locals) */
static char *buf;
static size_t len;

static int
interactive(Qadmin *qa)
{
	char prompt[600];
	char *hist = history_path();

	qa_complete_init(qa);
	using_history();
	if (hist)
		read_history(hist);
	signal(SIGINT, handle_sigint);
	qa_banner(qa);
	while (!qa->exit_requested)
	{
		char *line;
		size_t used;

		if (sigsetjmp(on_sigint, 1) != 0)
		{
			/*
			 * Ctrl-C: what was typed goes.  The line editor was left in
			 * the middle of a read: it is reset (terminal modes too).
			 */
			in_readline = 0;
			putchar('\n');
			free(buf);
			buf = NULL;
			len = 0;
			rl_reset_terminal(NULL);
		}
		snprintf(prompt, sizeof(prompt), "%s@%s%s ",
				 qa->queue ? qa->queue : "(noqueue)", qa->dbname,
				 len ? "->" : ">");
		in_readline = 1;
		line = readline(prompt);
		in_readline = 0;
		if (line == NULL)
		{
			putchar('\n');
			break;
		}
		{
			size_t l = strlen(line);
			char *nb = realloc(buf, len + l + 2);

			if (nb == NULL)
				break;
			buf = nb;
			memcpy(buf + len, line, l);
			len += l;
			buf[len++] = '\n';
			buf[len] = '\0';
		}
		free(line);
		/* a command is complete at its ';' (or a meta command at once) */
		if (qa_command_end(buf) == 0 && buf[strspn(buf, " \t\n")] != '\\')
		{
			if (buf[strspn(buf, " \t\n")] == '\0')
				len = 0;
			continue;
		}
		{
			/* one history line per command: line breaks become blanks */
			char *h = strndup(buf, len - 1), *c;

			for (c = h; c && *c; c++)
				if (*c == '\n')
					*c = ' ';
			if (h)
				add_history(h);
			free(h);
		}
		run_text(qa, buf, &used, false);
		memmove(buf, buf + used, len - used + 1);
		len -= used;
		if (buf[strspn(buf, " \t\n")] == '\0')
			len = 0;
	}
	free(buf);
	if (hist)
		write_history(hist);
	return 0;
}

static char *
read_file(const char *path)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	char *data = NULL;
	size_t len = 0, n;
	char chunk[65536];

	if (f == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
	{
		char *nd = realloc(data, len + n + 1);

		if (nd == NULL)
			break;
		data = nd;
		memcpy(data + len, chunk, n);
		len += n;
	}
	if (f != stdin)
		fclose(f);
	if (data == NULL)
		data = strdup("");
	else
		data[len] = '\0';
	return data;
}

static void
add_key(char *dst, size_t len, const char *key, const char *val)
{
	size_t n = strlen(dst);

	if (val == NULL)
		return;
	snprintf(dst + n, len - n, "%s%s=", n ? " " : "", key);
	pg_conninfo_value(dst, len, val);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'H'},
		{"version", no_argument, NULL, 'V'},
		{"csv", no_argument, NULL, 'C'},
		{"json", no_argument, NULL, 'J'},
		{"on-error-stop", required_argument, NULL, 'E'},
		{NULL, 0, NULL, 0},
	};
	Qadmin qa;
	const char *host = NULL, *port = NULL, *user = NULL, *dbname = NULL,
			   *cmds = NULL, *file = NULL;
	char conn[4096] = "";
	char *text = NULL;
	int c, failed = 0;
	size_t used;

	memset(&qa, 0, sizeof(qa));
	qa.on_error_stop = true;
	while ((c = getopt_long(argc, argv, "h:p:U:d:Q:c:f:x", opts, NULL)) != -1)
	{
		switch (c)
		{
			case 'h':
				host = optarg;
				break;
			case 'p':
				port = optarg;
				break;
			case 'U':
				user = optarg;
				break;
			case 'd':
				dbname = optarg;
				break;
			case 'Q':
				qa.queue = strdup(optarg);
				break;
			case 'c':
				cmds = optarg;
				break;
			case 'f':
				file = optarg;
				break;
			case 'x':
				qa.format = F_EXPANDED;
				break;
			case 'C':
				qa.format = F_CSV;
				break;
			case 'J':
				qa.format = F_JSON;
				break;
			case 'E':
				if (strcmp(optarg, "on") != 0 && strcmp(optarg, "off") != 0)
				{
					fprintf(stderr, "qadmin: --on-error-stop: on or off\n");
					return 1;
				}
				qa.on_error_stop = strcmp(optarg, "on") == 0;
				break;
			case 'H':
				usage(stdout);
				return 0;
			case 'V':
				printf("qadmin version %s\n", QADMIN_VERSION);
				return 0;
			default:
				usage(stderr);
				return 1;
		}
	}
	if (cmds && file)
	{
		fprintf(stderr, "qadmin: -c and -f cannot go together\n");
		return 1;
	}
	if (argc - optind > 1)
	{
		fprintf(stderr, "qadmin: too many arguments\n");
		usage(stderr);
		return 1;
	}
	add_key(conn, sizeof(conn), "host", host);
	add_key(conn, sizeof(conn), "port", port);
	add_key(conn, sizeof(conn), "user", user);
	add_key(conn, sizeof(conn), "dbname", dbname);
	if (argc - optind == 1)
	{
		const char *a = argv[optind];

		if (strchr(a, '='))
			snprintf(conn + strlen(conn), sizeof(conn) - strlen(conn), "%s%s",
					 conn[0] ? " " : "", a);
		else
			add_key(conn, sizeof(conn), "dbname", a);
	}
	qa.interactive = cmds == NULL && file == NULL && isatty(0);
	if (!qa_connect(&qa, conn, false))
		return 1;
	if (qa.queue)
	{
		const char *p[1] = {qa.queue};
		PGresult *res = PQexecParams(qa.db,
									 "select 1 from pgq.get_queue_info() "
									 "where queue_name = $1",
									 1, NULL, p, NULL, NULL, 0);

		if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) == 0)
		{
			fprintf(stderr, "qadmin: -Q %s: queue not found\n", qa.queue);
			PQclear(res);
			PQfinish(qa.db);
			return 1;
		}
		PQclear(res);
	}
	if (qa.interactive)
	{
		interactive(&qa);
		PQfinish(qa.db);
		free(qa.queue);
		return 0;
	}
	if (cmds)
	{
		size_t l = strlen(cmds);

		text = malloc(l + 3);
		if (text == NULL)
			return 1;
		memcpy(text, cmds, l + 1);
		/* a trailing ';' when missing */
		while (l > 0 && (text[l - 1] == ' ' || text[l - 1] == '\n'))
			l--;
		if (l > 0 && text[l - 1] != ';' && text[0] != '\\')
		{
			text[l++] = ';';
			text[l] = '\0';
		}
	}
	else
	{
		text = read_file(file ? file : "-");
		if (text == NULL)
		{
			fprintf(stderr, "qadmin: cannot read %s\n", file);
			PQfinish(qa.db);
			return 1;
		}
	}
	failed = run_text(&qa, text, &used, true);
	free(text);
	PQfinish(qa.db);
	free(qa.queue);
	qa_invalidate_cache();
	return failed && qa.on_error_stop ? 1 : 0;
}
