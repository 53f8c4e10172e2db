/*-------------------------------------------------------------------------
 *
 * log.c
 *	  Logging: see log.h.
 *
 * IDENTIFICATION
 *	  lib/src/log.c
 *
 *-------------------------------------------------------------------------
 */
#include "skytools/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#define LINE_MAX_BYTES 2048

static const char *const level_names[] = {"FATAL", "ERROR", "WARNING",
										  "LOG",   "DEBUG", "NOISE"};
static const int syslog_prio[] = {LOG_CRIT, LOG_ERR, LOG_WARNING, LOG_INFO};

static struct
{
	char *logfile;
	FILE *file;
	bool use_syslog;
	bool syslog_open;
	char *ident;
	int facility;
	int verbose;
	bool quiet;
} lg = {NULL, NULL, false, false, NULL, LOG_DAEMON, 0, false};

static const struct
{
	const char *name;
	int value;
} facilities[] = {
	{"auth", LOG_AUTH},		{"authpriv", LOG_AUTHPRIV}, {"daemon", LOG_DAEMON},
	{"user", LOG_USER},		{"local0", LOG_LOCAL0},		{"local1", LOG_LOCAL1},
	{"local2", LOG_LOCAL2}, {"local3", LOG_LOCAL3},		{"local4", LOG_LOCAL4},
	{"local5", LOG_LOCAL5}, {"local6", LOG_LOCAL6},		{"local7", LOG_LOCAL7},
};

static char *
dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

void
log_configure(const LogSettings *s)
{
	size_t i;

	log_reopen();
	free(lg.logfile);
	free(lg.ident);
	lg.logfile = dup_or_null(s->logfile && *s->logfile ? s->logfile : NULL);
	lg.use_syslog = s->use_syslog;
	lg.ident = dup_or_null(s->syslog_ident ? s->syslog_ident : "skytools");
	lg.facility = LOG_DAEMON;
	for (i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++)
		if (s->syslog_facility &&
			strcmp(s->syslog_facility, facilities[i].name) == 0)
			lg.facility = facilities[i].value;
	lg.verbose = s->verbose;
	lg.quiet = s->quiet;
}

void
log_reopen(void)
{
	if (lg.file != NULL)
		fclose(lg.file);
	lg.file = NULL;
	if (lg.syslog_open)
		closelog();
	lg.syslog_open = false;
}

bool
log_enabled(LogLevel level)
{
	return level <= LG_LOG || (int) level - LG_LOG <= lg.verbose;
}

/* "message" with newlines as newline+TAB and trailing space cut. */
static void
clean_message(char *dst, size_t dstlen, const char *src)
{
	size_t n = 0;

	for (; *src && n + 3 < dstlen; src++)
	{
		dst[n++] = *src;
		if (*src == '\n')
			dst[n++] = '\t';
	}
	while (n > 0 && (dst[n - 1] == ' ' || dst[n - 1] == '\n' ||
					 dst[n - 1] == '\t' || dst[n - 1] == '\r'))
		n--;
	dst[n] = '\0';
}

static void
write_line(LogLevel level, const char *msg)
{
	struct timeval tv;
	struct tm tm;
	char stamp[64];
	char zone[16];

	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
	strftime(zone, sizeof(zone), "%Z", &tm);

	if (!lg.quiet)
		fprintf(stderr, "%s.%03d %s [%d] %s %s\n", stamp,
				(int) (tv.tv_usec / 1000), zone, (int) getpid(),
				level_names[level], msg);
	if (lg.logfile != NULL)
	{
		if (lg.file == NULL)
		{
			lg.file = fopen(lg.logfile, "a");
			if (lg.file == NULL)
			{
				fprintf(
					stderr,
					"%s.%03d %s [%d] FATAL Cannot open logfile: '%s': %s\n",
					stamp, (int) (tv.tv_usec / 1000), zone, (int) getpid(),
					lg.logfile, strerror(errno));
				exit(1);
			}
			setvbuf(lg.file, NULL, _IOLBF, 0);
		}
		fprintf(lg.file, "%s.%03d %s [%d] %s %s\n", stamp,
				(int) (tv.tv_usec / 1000), zone, (int) getpid(),
				level_names[level], msg);
	}
	if (lg.use_syslog && level <= LG_LOG)
	{
		if (!lg.syslog_open)
		{
			openlog(lg.ident, LOG_PID, lg.facility);
			lg.syslog_open = true;
		}
		syslog(syslog_prio[level], "%s", msg);
	}
}

static void
vlog(LogLevel level, const char *prefix, const char *fmt, va_list ap)
{
	char raw[LINE_MAX_BYTES];
	char msg[LINE_MAX_BYTES * 2];
	int n = 0;

	if (prefix != NULL)
		n = snprintf(raw, sizeof(raw), "%s", prefix);
	vsnprintf(raw + n, sizeof(raw) - n, fmt, ap);
	clean_message(msg, sizeof(msg), raw);
	write_line(level, msg);
}

void
log_msg(LogLevel level, const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	if (!log_enabled(level))
		return;
	va_start(ap, fmt);
	vlog(level, NULL, fmt, ap);
	va_end(ap);
	errno = saved;
}

void
log_fatal_at(const char *file, int line, const char *func, const char *fmt,
			 ...)
{
	char prefix[256];
	va_list ap;

	snprintf(prefix, sizeof(prefix), "@%s:%d in function %s(): ", file, line,
			 func);
	va_start(ap, fmt);
	vlog(LG_FATAL, prefix, fmt, ap);
	va_end(ap);
	exit(1);
}
