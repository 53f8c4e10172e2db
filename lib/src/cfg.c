/*-------------------------------------------------------------------------
 *
 * cfg.c
 *	  Ini files with a typed key table: see cfg.h.
 *
 * Written here rather than taken from a library: the dialect is part of
 * the compatibility contract (no inline comments, %include, the key
 * character set), and general ini parsers such as inih treat ';' inside a
 * value as a comment.
 *
 * IDENTIFICATION
 *	  lib/src/cfg.c
 *
 *-------------------------------------------------------------------------
 */
#include "skytools/cfg.h"

#include <ctype.h>
#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_INCLUDE_DEPTH 10

typedef struct ParseState
{
	const char *section;
	const CfKey *keys;
	void *target;
	bool in_section; /* inside our section */
	bool seen_section;
	char *err;
	size_t errlen;
} ParseState;

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static const CfKey *
find_key(const CfKey *keys, const char *name)
{
	for (; keys->name != NULL; keys++)
		if (strcmp(keys->name, name) == 0)
			return keys;
	return NULL;
}

bool
cf_parse_time(const char *s, double *out)
{
	double v = 0;
	double scale = 0;
	bool digits = false;

	for (; *s; s++)
	{
		if (*s >= '0' && *s <= '9')
		{
			digits = true;
			if (scale == 0)
				v = v * 10 + (*s - '0');
			else
			{
				v += (*s - '0') * scale;
				scale /= 10;
			}
		}
		else if (*s == '.' && scale == 0)
			scale = 0.1;
		else
			return false;
	}
	if (!digits)
		return false;
	*out = v;
	return true;
}

/* "~/x" and "~user/x" expanded; malloc'd. */
static char *
expand_file(const char *value)
{
	const char *rest;
	const char *home = NULL;
	char *res;

	if (value[0] != '~')
		return strdup(value);
	rest = strchr(value, '/');
	if (rest == NULL)
		rest = value + strlen(value);
	if (rest == value + 1)
	{
		home = getenv("HOME");
		if (home == NULL)
		{
			struct passwd *pw = getpwuid(getuid());

			home = pw ? pw->pw_dir : NULL;
		}
	}
	else
	{
		char user[256];
		struct passwd *pw;

		snprintf(user, sizeof(user), "%.*s", (int) (rest - value - 1),
				 value + 1);
		pw = getpwnam(user);
		home = pw ? pw->pw_dir : NULL;
	}
	if (home == NULL)
		return strdup(value);
	res = malloc(strlen(home) + strlen(rest) + 1);
	if (res != NULL)
		sprintf(res, "%s%s", home, rest);
	return res;
}

static bool
set_key(const CfKey *key, void *target, const char *value, char *err,
		size_t errlen)
{
	char *field = (char *) target + key->offset;

	switch (key->type)
	{
		case CF_STR:
		case CF_FILE:
		{
			char **p = (char **) field;

			free(*p);
			*p = value == NULL			? NULL
				 : key->type == CF_FILE ? expand_file(value)
										: strdup(value);
			return true;
		}
		case CF_INT:
		{
			char *end;
			long v;

			if (value == NULL)
			{
				*(int *) field = 0;
				return true;
			}
			errno = 0;
			v = strtol(value, &end, 0);
			if (*value == '\0' || *end != '\0' || errno != 0 ||
				v < -2147483647L || v > 2147483647L)
			{
				set_err(err, errlen,
						"invalid value \"%s\" for %s: expected an integer",
						value, key->name);
				return false;
			}
			*(int *) field = (int) v;
			return true;
		}
		case CF_TIME:
			if (value == NULL)
			{
				*(double *) field = 0;
				return true;
			}
			if (!cf_parse_time(value, (double *) field))
			{
				set_err(err, errlen,
						"invalid value \"%s\" for %s: expected seconds, e.g. "
						"1 or 0.5 (no unit)",
						value, key->name);
				return false;
			}
			return true;
	}
	return false;
}

bool
cf_set(const CfKey *keys, void *target, const char *name, const char *value,
	   char *err, size_t errlen)
{
	const CfKey *key = find_key(keys, name);

	if (key == NULL)
	{
		set_err(err, errlen, "unknown parameter \"%s\"", name);
		return false;
	}
	return set_key(key, target, value, err, errlen);
}

bool
cf_set_defaults(const CfKey *keys, void *target, char *err, size_t errlen)
{
	for (; keys->name != NULL; keys++)
		if (!set_key(keys, target, keys->def, err, errlen))
			return false;
	return true;
}

void
cf_free(const CfKey *keys, void *target)
{
	for (; keys->name != NULL; keys++)
	{
		if (keys->type == CF_STR || keys->type == CF_FILE)
		{
			char **p = (char **) ((char *) target + keys->offset);

			free(*p);
			*p = NULL;
		}
	}
}

static bool
key_char(char c)
{
	return isalnum((unsigned char) c) || c == '_' || c == '.' || c == '-' ||
		   c == '*';
}

static bool parse_file(ParseState *st, const char *file, int depth);

/* One line (NUL-terminated, no newline). */
static bool
parse_line(ParseState *st, const char *file, int lineno, char *line, int depth)
{
	char *p = line;
	char *key;
	char *value;
	char *end;
	char keyerr[512];

	while (*p == ' ' || *p == '\t' || *p == '\r')
		p++;
	end = p + strlen(p);
	while (end > p && isspace((unsigned char) end[-1]))
		*--end = '\0';
	if (*p == '\0' || *p == '#' || *p == ';')
		return true;

	if (strncmp(p, "%include", 8) == 0 && (p[8] == ' ' || p[8] == '\t'))
	{
		p += 8;
		while (*p == ' ' || *p == '\t')
			p++;
		if (depth >= MAX_INCLUDE_DEPTH)
		{
			set_err(st->err, st->errlen, "%s:%d: %%include nested too deep",
					file, lineno);
			return false;
		}
		return parse_file(st, p, depth + 1);
	}

	if (*p == '[')
	{
		char *close = strchr(p, ']');

		if (close == NULL || close[1] != '\0')
		{
			set_err(st->err, st->errlen,
					"%s:%d: syntax error: section header not closed", file,
					lineno);
			return false;
		}
		*close = '\0';
		if (strcmp(p + 1, st->section) != 0)
		{
			set_err(st->err, st->errlen,
					"%s:%d: invalid section \"%s\": only [%s] is allowed",
					file, lineno, p + 1, st->section);
			return false;
		}
		st->in_section = true;
		st->seen_section = true;
		return true;
	}

	key = p;
	while (key_char(*p))
		p++;
	end = p;
	while (*p == ' ' || *p == '\t')
		p++;
	if (end == key || *p != '=')
	{
		set_err(st->err, st->errlen,
				"%s:%d: syntax error: expected \"key = value\"", file, lineno);
		return false;
	}
	*end = '\0';
	p++;
	while (*p == ' ' || *p == '\t')
		p++;
	value = p;
	if (!st->in_section)
	{
		set_err(st->err, st->errlen,
				"%s:%d: \"%s\" is outside the [%s] section", file, lineno, key,
				st->section);
		return false;
	}
	if (!cf_set(st->keys, st->target, key, value, keyerr, sizeof(keyerr)))
	{
		set_err(st->err, st->errlen, "%s:%d: %s", file, lineno, keyerr);
		return false;
	}
	return true;
}

static bool
parse_file(ParseState *st, const char *file, int depth)
{
	FILE *f = fopen(file, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int lineno = 0;
	bool ok = true;

	if (f == NULL)
	{
		set_err(st->err, st->errlen, "could not load file \"%s\": %s", file,
				strerror(errno));
		return false;
	}
	while (ok && (len = getline(&line, &cap, f)) >= 0)
	{
		lineno++;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (strlen(line) != (size_t) len)
		{
			set_err(st->err, st->errlen, "%s:%d: NUL byte in line", file,
					lineno);
			ok = false;
			break;
		}
		ok = parse_line(st, file, lineno, line, depth);
	}
	if (ok && ferror(f))
	{
		set_err(st->err, st->errlen, "could not read file \"%s\": %s", file,
				strerror(errno));
		ok = false;
	}
	free(line);
	fclose(f);
	return ok;
}

bool
cf_load(const char *file, const char *section, const CfKey *keys, void *target,
		char *err, size_t errlen)
{
	ParseState st = {section, keys, target, false, false, err, errlen};

	if (!cf_set_defaults(keys, target, err, errlen))
		return false;
	if (!parse_file(&st, file, 0))
		return false;
	if (!st.seen_section)
	{
		set_err(err, errlen, "%s: section [%s] missing", file, section);
		return false;
	}
	return true;
}
