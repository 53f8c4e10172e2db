/*-------------------------------------------------------------------------
 *
 * log.h
 *	  Logging for the SkyTools programs: levels, stderr / file / syslog,
 *	  upstream pgqd's line format, lazy reopen after SIGHUP.
 *
 * Line format: "YYYY-MM-DD HH:MM:SS.mmm TZ [PID] LEVEL message".  Embedded
 * newlines continue on a TAB-indented line; trailing white space is cut.
 * The log is process-wide state, as syslog is.
 *
 * IDENTIFICATION
 *	  lib/include/skytools/log.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SKYTOOLS_LOG_H
#define SKYTOOLS_LOG_H

#include <stdbool.h>

typedef enum LogLevel
{
	LG_FATAL = 0,
	LG_ERROR,
	LG_WARNING,
	LG_LOG,
	LG_DEBUG,
	LG_NOISE
} LogLevel;

typedef struct LogSettings
{
	const char *logfile; /* NULL: none */
	bool use_syslog;
	const char *syslog_ident;
	const char *syslog_facility; /* "daemon", "local0", ... */
	int verbose;				 /* 0: LOG, 1: DEBUG, 2: NOISE */
	bool quiet;					 /* nothing on stderr */
} LogSettings;

/* Apply settings (strings are copied); the file opens at the next line. */
extern void log_configure(const LogSettings *s);

/* Close the log file and syslog; both reopen at the next line (SIGHUP). */
extern void log_reopen(void);

/* Whether lines of this level are written anywhere. */
extern bool log_enabled(LogLevel level);

extern void log_msg(LogLevel level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Log a FATAL line with the source position and exit(1). */
extern void log_fatal_at(const char *file, int line, const char *func,
						 const char *fmt, ...)
	__attribute__((format(printf, 4, 5), noreturn));

#define log_error(...)	 log_msg(LG_ERROR, __VA_ARGS__)
#define log_warning(...) log_msg(LG_WARNING, __VA_ARGS__)
#define log_info(...)	 log_msg(LG_LOG, __VA_ARGS__)
#define log_debug(...)	 log_msg(LG_DEBUG, __VA_ARGS__)
#define log_noise(...)	 log_msg(LG_NOISE, __VA_ARGS__)
#define fatal(...)		 log_fatal_at(__FILE__, __LINE__, __func__, __VA_ARGS__)

#endif /* SKYTOOLS_LOG_H */
