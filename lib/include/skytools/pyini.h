/*-------------------------------------------------------------------------
 *
 * pyini.h
 *	  Ini files in the dialect of upstream SkyTools' Python scripts
 *	  (Londiste, walmgr, the scripts): Python's ConfigParser.
 *
 * Syntax: "[section]" headers; "key = value" or "key: value"; keys are
 * case-insensitive (kept lower-case); lines starting with '#' or ';' are
 * comments (there are no inline comments); a line starting with white
 * space continues the previous value (joined with a newline).  The
 * [DEFAULT] section is seen from every section.
 *
 * Values are interpolated when read: "%(name)s" is the value of key name
 * in the same section (or [DEFAULT], or the built-in defaults), "%%" is a
 * '%'.  Built-in defaults, as upstream's: job_name (the file's base name
 * without extension), service_name (the section's name), host_name,
 * config_dir, config_file.  Overrides (--set key=value) win over the
 * file.
 *
 * IDENTIFICATION
 *	  lib/include/skytools/pyini.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SKYTOOLS_PYINI_H
#define SKYTOOLS_PYINI_H

#include <stdbool.h>
#include <stddef.h>

#include "skytools/cfg.h"

typedef struct PyIni PyIni;

/*
 * Read FILE.  NULL with a one-line message in err ("FILE:LINE: what is
 * wrong", or why it could not be read).
 */
extern PyIni *pyini_load(const char *file, char *err, size_t errlen);
extern void pyini_free(PyIni *ini);

/* The first of the NULL-terminated names that is a section, or NULL. */
extern const char *pyini_find_section(const PyIni *ini,
									  const char *const *names);

/* The i-th section in the file's order, [DEFAULT] left out; NULL past
 * the last. */
extern const char *pyini_section(const PyIni *ini, int i);

/* Override key in every section (--set key=value); false if out of memory. */
extern bool pyini_override(PyIni *ini, const char *key, const char *value);

/*
 * The interpolated value of key in section (with [DEFAULT] and the
 * built-in defaults): malloc'd, or NULL when the key is missing (err
 * empty) or its interpolation fails (err says why).
 */
extern char *pyini_get(const PyIni *ini, const char *section, const char *key,
					   char *err, size_t errlen);

/*
 * Fill target from section through a typed key table (see cfg.h): every
 * key gets its value, or its default (which is interpolated too).  A key
 * in the section (or an override) that the table does not know is an
 * error, as is a bad value.  Keys of [DEFAULT] may be unknown.  A table
 * entry whose name ends in '*' admits every key of that prefix without
 * filling anything (read them with pyini_get).
 */
extern bool pyini_fill(const PyIni *ini, const char *section,
					   const CfKey *keys, void *target, char *err,
					   size_t errlen);

/* A boolean value as ConfigParser reads them (1/yes/true/on, 0/no/...). */
extern bool pyini_parse_bool(const char *s, bool *out);

#endif /* SKYTOOLS_PYINI_H */
