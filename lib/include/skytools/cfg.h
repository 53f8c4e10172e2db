/*-------------------------------------------------------------------------
 *
 * cfg.h
 *	  Ini files with a typed key table, in upstream SkyTools' dialect.
 *
 * Syntax (that of libusual, which upstream pgqd uses): one "key = value"
 * per line; lines starting with '#' or ';' are comments; there are no
 * inline comments (everything after '=' is the value, trailing white
 * space cut); "[section]" headers; "%include FILE" (depth 10).  Only the
 * one section a program names is accepted; unknown keys are errors.
 *
 * Values are typed by the key table: strings, file names (with ~ and
 * ~user expanded), integers (strtol base 0, whole string) and times
 * (non-negative seconds, fractions allowed, '.' as decimal point).
 *
 * A load fills a fresh struct: every key gets its default first, so a key
 * removed from the file returns to its default on reload, and a file that
 * fails to load leaves the caller's current configuration untouched.
 *
 * IDENTIFICATION
 *	  lib/include/skytools/cfg.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SKYTOOLS_CFG_H
#define SKYTOOLS_CFG_H

#include <stdbool.h>
#include <stddef.h>

typedef enum CfType
{
	CF_STR,	 /* char *, malloc'd */
	CF_FILE, /* char *, malloc'd, ~ expanded */
	CF_INT,	 /* int */
	CF_TIME	 /* double, seconds */
} CfType;

typedef struct CfKey
{
	const char *name;
	CfType type;
	size_t offset;	  /* of the field in the target struct */
	const char *def;  /* default as text; NULL: none (NULL / 0) */
	const char *help; /* one line, for samples and docs */
} CfKey;

/*
 * Load FILE's section SECTION into target (a struct the keys describe).
 * Returns true on success; on failure false with a one-line message in
 * err ("FILE:LINE: what is wrong").  On failure target holds defaults and
 * whatever was read; free it with cf_free.
 */
extern bool cf_load(const char *file, const char *section, const CfKey *keys,
					void *target, char *err, size_t errlen);

/* Set every key of target to its default. */
extern bool cf_set_defaults(const CfKey *keys, void *target, char *err,
							size_t errlen);

/* Set one key from text; false with err for an unknown key or bad value. */
extern bool cf_set(const CfKey *keys, void *target, const char *key,
				   const char *value, char *err, size_t errlen);

/* Free the strings of target. */
extern void cf_free(const CfKey *keys, void *target);

/* Parse a time value ("1", "0.5"): false if not a non-negative number. */
extern bool cf_parse_time(const char *s, double *out);

#endif /* SKYTOOLS_CFG_H */
