/*-------------------------------------------------------------------------
 *
 * pyini.c
 *	  Ini files in Python ConfigParser's dialect: see pyini.h.
 *
 * The file is read whole into a list of (section, key, value) entries in
 * file order; a later entry of the same key in the same section wins, as
 * in ConfigParser.  Interpolation happens when a value is read, so a key
 * may refer to one defined further down or overridden on the command
 * line.
 *
 * IDENTIFICATION
 *	  lib/src/pyini.c
 *
 *-------------------------------------------------------------------------
 */
#include "skytools/pyini.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_DEPTH		10
#define DEFAULT_SECTION "DEFAULT"

typedef struct Entry
{
	char *section; /* NULL: an override, seen in every section */
	char *key;
	char *value;
	int line; /* in the file; 0 for an override */
} Entry;

struct PyIni
{
	Entry *e;
	int n;
	int cap;
	char **sections;
	int nsections;
	char *job_name;
	char *config_dir;
	char *config_file;
	char host_name[256];
};

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

static char *
trim(char *s)
{
	char *end;

	while (isspace((unsigned char) *s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char) end[-1]))
		*--end = '\0';
	return s;
}

static bool
add_entry(PyIni *ini, const char *section, const char *key, const char *value,
		  int line)
{
	Entry *e;
	char *k;

	if (ini->n == ini->cap)
	{
		int cap = ini->cap ? ini->cap * 2 : 32;
		Entry *ne = realloc(ini->e, cap * sizeof(Entry));

		if (ne == NULL)
			return false;
		ini->e = ne;
		ini->cap = cap;
	}
	e = &ini->e[ini->n];
	e->section = section ? strdup(section) : NULL;
	e->key = strdup(key);
	e->value = strdup(value);
	e->line = line;
	if ((section && !e->section) || !e->key || !e->value)
		return false;
	for (k = e->key; *k; k++)
		*k = (char) tolower((unsigned char) *k);
	ini->n++;
	return true;
}

static bool
add_section(PyIni *ini, const char *name)
{
	char **ns;
	int i;

	for (i = 0; i < ini->nsections; i++)
		if (strcmp(ini->sections[i], name) == 0)
			return true;
	ns = realloc(ini->sections, (ini->nsections + 1) * sizeof(char *));
	if (ns == NULL)
		return false;
	ini->sections = ns;
	ini->sections[ini->nsections] = strdup(name);
	return ini->sections[ini->nsections++] != NULL;
}

const char *
pyini_section(const PyIni *ini, int i)
{
	int k;

	for (k = 0; k < ini->nsections; k++)
		if (strcmp(ini->sections[k], DEFAULT_SECTION) != 0 && i-- == 0)
			return ini->sections[k];
	return NULL;
}

/* Append a continuation line to the last entry's value. */
static bool
continue_value(PyIni *ini, const char *text)
{
	Entry *e = &ini->e[ini->n - 1];
	char *v = malloc(strlen(e->value) + strlen(text) + 2);

	if (v == NULL)
		return false;
	sprintf(v, "%s%s%s", e->value, e->value[0] ? "\n" : "", text);
	free(e->value);
	e->value = v;
	return true;
}

static bool
parse(PyIni *ini, FILE *f, const char *file, char *err, size_t errlen)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int lineno = 0;
	char *section = NULL;
	bool can_continue = false;
	bool ok = false;

	while ((len = getline(&line, &cap, f)) != -1)
	{
		char *s, *sep;

		lineno++;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (can_continue && len > 0 && isspace((unsigned char) line[0]))
		{
			s = trim(line);
			if (*s == '\0')
				continue;
			if (!continue_value(ini, s))
				goto oom;
			continue;
		}
		s = trim(line);
		if (*s == '\0' || *s == '#' || *s == ';')
		{
			can_continue = false;
			continue;
		}
		if (*s == '[')
		{
			char *end = strchr(s, ']');

			if (end == NULL)
			{
				set_err(err, errlen, "%s:%d: syntax error: no ']'", file,
						lineno);
				goto done;
			}
			*end = '\0';
			free(section);
			section = strdup(trim(s + 1));
			if (section == NULL || !add_section(ini, section))
				goto oom;
			can_continue = false;
			continue;
		}
		if (section == NULL)
		{
			set_err(err, errlen, "%s:%d: a key before any [section]", file,
					lineno);
			goto done;
		}
		sep = strpbrk(s, "=:");
		if (sep == NULL || sep == s)
		{
			set_err(err, errlen, "%s:%d: syntax error: expected key = value",
					file, lineno);
			goto done;
		}
		*sep = '\0';
		if (!add_entry(ini, section, trim(s), trim(sep + 1), lineno))
			goto oom;
		can_continue = true;
	}
	if (ferror(f))
	{
		set_err(err, errlen, "%s: read error: %s", file, strerror(errno));
		goto done;
	}
	ok = true;
	goto done;
oom:
	set_err(err, errlen, "%s: out of memory", file);
done:
	free(line);
	free(section);
	return ok;
}

PyIni *
pyini_load(const char *file, char *err, size_t errlen)
{
	PyIni *ini;
	FILE *f;
	const char *base, *dot;
	char real[PATH_MAX];

	f = fopen(file, "r");
	if (f == NULL)
	{
		set_err(err, errlen, "could not read config file \"%s\": %s", file,
				strerror(errno));
		return NULL;
	}
	ini = calloc(1, sizeof(*ini));
	if (ini == NULL)
	{
		fclose(f);
		set_err(err, errlen, "out of memory");
		return NULL;
	}
	if (!parse(ini, f, file, err, errlen))
	{
		fclose(f);
		pyini_free(ini);
		return NULL;
	}
	fclose(f);

	base = strrchr(file, '/');
	base = base ? base + 1 : file;
	dot = strrchr(base, '.');
	ini->job_name =
		dot && dot != base ? strndup(base, dot - base) : strdup(base);
	if (realpath(file, real) == NULL)
		snprintf(real, sizeof(real), "%s", file);
	ini->config_file = strdup(real);
	{
		char *slash = strrchr(real, '/');

		if (slash)
			*slash = '\0';
		ini->config_dir = strdup(real);
	}
	if (gethostname(ini->host_name, sizeof(ini->host_name)) != 0)
		ini->host_name[0] = '\0';
	ini->host_name[sizeof(ini->host_name) - 1] = '\0';
	if (!ini->job_name || !ini->config_file || !ini->config_dir)
	{
		pyini_free(ini);
		set_err(err, errlen, "out of memory");
		return NULL;
	}
	return ini;
}

void
pyini_free(PyIni *ini)
{
	int i;

	if (ini == NULL)
		return;
	for (i = 0; i < ini->n; i++)
	{
		free(ini->e[i].section);
		free(ini->e[i].key);
		free(ini->e[i].value);
	}
	for (i = 0; i < ini->nsections; i++)
		free(ini->sections[i]);
	free(ini->e);
	free(ini->sections);
	free(ini->job_name);
	free(ini->config_dir);
	free(ini->config_file);
	free(ini);
}

const char *
pyini_find_section(const PyIni *ini, const char *const *names)
{
	int i, j;

	for (j = 0; names[j]; j++)
		for (i = 0; i < ini->nsections; i++)
			if (strcmp(ini->sections[i], names[j]) == 0)
				return ini->sections[i];
	return NULL;
}

bool
pyini_override(PyIni *ini, const char *key, const char *value)
{
	return add_entry(ini, NULL, key, value, 0);
}

/*
 * The raw value of key: an override, else the section's last entry, else
 * [DEFAULT]'s, else a built-in default; NULL when none.
 */
static const char *
raw_value(const PyIni *ini, const char *section, const char *key)
{
	const char *sect = NULL, *dflt = NULL;
	int i;

	for (i = ini->n - 1; i >= 0; i--)
	{
		const Entry *e = &ini->e[i];

		if (strcasecmp(e->key, key) != 0)
			continue;
		if (e->section == NULL)
			return e->value;
		if (!sect && strcmp(e->section, section) == 0)
			sect = e->value;
		else if (!dflt && strcmp(e->section, DEFAULT_SECTION) == 0)
			dflt = e->value;
	}
	if (sect)
		return sect;
	if (dflt)
		return dflt;
	if (strcmp(key, "job_name") == 0)
		return ini->job_name;
	if (strcmp(key, "service_name") == 0)
		return section;
	if (strcmp(key, "host_name") == 0)
		return ini->host_name;
	if (strcmp(key, "config_dir") == 0)
		return ini->config_dir;
	if (strcmp(key, "config_file") == 0)
		return ini->config_file;
	return NULL;
}

/* Append n bytes to a growing buffer; false if out of memory. */
static bool
put(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
	if (*len + n + 1 > *cap)
	{
		size_t nc = (*cap ? *cap : 64) * 2;
		char *nb;

		while (nc < *len + n + 1)
			nc *= 2;
		nb = realloc(*buf, nc);
		if (nb == NULL)
			return false;
		*buf = nb;
		*cap = nc;
	}
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[*len] = '\0';
	return true;
}

/* value with %(name)s and %% expanded; malloc'd or NULL with err. */
static char *
interpolate(const PyIni *ini, const char *section, const char *key,
			const char *value, int depth, char *err, size_t errlen)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	const char *p = value;

	if (depth > MAX_DEPTH)
	{
		set_err(err, errlen,
				"value of \"%s\" refers to itself (interpolation deeper than "
				"%d)",
				key, MAX_DEPTH);
		return NULL;
	}
	if (!put(&buf, &len, &cap, "", 0))
		goto oom;
	while (*p)
	{
		const char *pct = strchr(p, '%');

		if (pct == NULL)
		{
			if (!put(&buf, &len, &cap, p, strlen(p)))
				goto oom;
			break;
		}
		if (!put(&buf, &len, &cap, p, pct - p))
			goto oom;
		if (pct[1] == '%')
		{
			if (!put(&buf, &len, &cap, "%", 1))
				goto oom;
			p = pct + 2;
		}
		else if (pct[1] == '(')
		{
			const char *close = strstr(pct + 2, ")s");
			char name[128];
			const char *ref;
			char *sub;

			if (close == NULL || close - pct - 2 >= (long) sizeof(name))
			{
				set_err(err, errlen, "bad interpolation in \"%s\": %s", key,
						value);
				free(buf);
				return NULL;
			}
			snprintf(name, sizeof(name), "%.*s", (int) (close - pct - 2),
					 pct + 2);
			ref = raw_value(ini, section, name);
			if (ref == NULL)
			{
				set_err(err, errlen,
						"value of \"%s\" refers to \"%s\", which is not set",
						key, name);
				free(buf);
				return NULL;
			}
			sub = interpolate(ini, section, name, ref, depth + 1, err, errlen);
			if (sub == NULL)
			{
				free(buf);
				return NULL;
			}
			if (!put(&buf, &len, &cap, sub, strlen(sub)))
			{
				free(sub);
				goto oom;
			}
			free(sub);
			p = close + 2;
		}
		else
		{
			set_err(err, errlen,
					"bad interpolation in \"%s\": '%%' must be followed by "
					"'%%' or '(name)s'",
					key);
			free(buf);
			return NULL;
		}
	}
	return buf;
oom:
	free(buf);
	set_err(err, errlen, "out of memory");
	return NULL;
}

char *
pyini_get(const PyIni *ini, const char *section, const char *key, char *err,
		  size_t errlen)
{
	const char *raw = raw_value(ini, section, key);

	if (errlen > 0)
		err[0] = '\0';
	if (raw == NULL)
		return NULL;
	return interpolate(ini, section, key, raw, 0, err, errlen);
}

/* "FILE:LINE: " of an entry, "--set: " for an override */
static void
entry_where(const PyIni *ini, const Entry *e, char *buf, size_t len)
{
	if (e == NULL)
		buf[0] = '\0';
	else if (e->section == NULL)
		snprintf(buf, len, "--set %s: ", e->key);
	else
		snprintf(buf, len, "%s:%d: ", ini->config_file, e->line);
}

/* the entry that gives key its value in section (as raw_value finds it) */
static const Entry *
find_entry(const PyIni *ini, const char *section, const char *key)
{
	const Entry *sect = NULL, *dflt = NULL;
	int i;

	for (i = ini->n - 1; i >= 0; i--)
	{
		const Entry *e = &ini->e[i];

		if (strcasecmp(e->key, key) != 0)
			continue;
		if (e->section == NULL)
			return e;
		if (!sect && strcmp(e->section, section) == 0)
			sect = e;
		else if (!dflt && strcmp(e->section, DEFAULT_SECTION) == 0)
			dflt = e;
	}
	return sect ? sect : dflt;
}

bool
pyini_fill(const PyIni *ini, const char *section, const CfKey *keys,
		   void *target, char *err, size_t errlen)
{
	const CfKey *k;
	int i;
	char sub[256];

	/* every key of the section, and every override, must be known */
	for (i = 0; i < ini->n; i++)
	{
		const Entry *e = &ini->e[i];
		bool known = false;

		if (e->section && strcmp(e->section, section) != 0)
			continue;
		for (k = keys; k->name; k++)
		{
			size_t kl = strlen(k->name);

			if (strcmp(k->name, e->key) == 0 ||
				(kl > 0 && k->name[kl - 1] == '*' &&
				 strncmp(k->name, e->key, kl - 1) == 0))
				known = true;
		}
		if (!known)
		{
			char at[300];

			entry_where(ini, e, at, sizeof(at));
			set_err(err, errlen, "%sunknown parameter \"%s\" in [%s]", at,
					e->key, section);
			return false;
		}
	}
	for (k = keys; k->name; k++)
	{
		char *v;
		bool ok;

		if (k->name[0] && k->name[strlen(k->name) - 1] == '*')
			continue; /* a family of free keys, read with pyini_get */
		v = pyini_get(ini, section, k->name, sub, sizeof(sub));

		if (v == NULL && sub[0])
		{
			char at[300];

			entry_where(ini, find_entry(ini, section, k->name), at,
						sizeof(at));
			set_err(err, errlen, "%s%s", at, sub);
			return false;
		}
		if (v == NULL && k->def)
		{
			v = interpolate(ini, section, k->name, k->def, 0, sub,
							sizeof(sub));
			if (v == NULL)
			{
				set_err(err, errlen, "%s", sub);
				return false;
			}
		}
		ok = cf_set(keys, target, k->name, v, sub, sizeof(sub));
		free(v);
		if (!ok)
		{
			char at[300];

			entry_where(ini, find_entry(ini, section, k->name), at,
						sizeof(at));
			set_err(err, errlen, "%s%s", at, sub);
			return false;
		}
	}
	return true;
}

bool
pyini_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = {"1", "yes", "true", "on", NULL};
	static const char *const no[] = {"0", "no", "false", "off", NULL};
	int i;

	for (i = 0; yes[i]; i++)
		if (strcasecmp(s, yes[i]) == 0)
			return (*out = true);
	for (i = 0; no[i]; i++)
		if (strcasecmp(s, no[i]) == 0)
		{
			*out = false;
			return true;
		}
	return false;
}
