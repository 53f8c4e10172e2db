/*
 * test_pyini.c: Python-dialect ini files (lib/src/pyini.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "skytools/pyini.h"

static char tmpdir[] = "/tmp/test_pyini.XXXXXX";

static const char *
write_file(const char *name, const char *text)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static char err[512];

static PyIni *
load(const char *name, const char *text)
{
	PyIni *ini = pyini_load(write_file(name, text), err, sizeof(err));

	if (ini == NULL)
		print_error("load failed: %s\n", err);
	return ini;
}

static void
check_get(PyIni *ini, const char *section, const char *key, const char *want)
{
	char *v = pyini_get(ini, section, key, err, sizeof(err));

	if (want == NULL)
		assert_null(v);
	else
	{
		assert_non_null(v);
		assert_string_equal(v, want);
	}
	free(v);
}

static void
test_basic(void **state)
{
	PyIni *ini;
	static const char *const names[] = {"londiste", "londiste3", NULL};

	(void) state;
	ini = load("myjob.ini",
			   "# comment\n; comment too\n[DEFAULT]\nbase = /srv\n\n"
			   "[londiste3]\njob_name = other\n"
			   "[londiste]\nDB = dbname=x\nqueue_name: q1\n"
			   "logfile = %(base)s/log/%(job_name)s.log\n"
			   "pct = 100%%\nsql = select 1\n  from t\n\twhere x\n"
			   "empty =\n");
	assert_non_null(ini);
	assert_string_equal(pyini_find_section(ini, names), "londiste");
	check_get(ini, "londiste", "db", "dbname=x");
	check_get(ini, "londiste", "queue_name", "q1");
	check_get(ini, "londiste", "logfile", "/srv/log/myjob.log");
	check_get(ini, "londiste3", "logfile", NULL);
	check_get(ini, "londiste", "pct", "100%");
	check_get(ini, "londiste", "sql", "select 1\nfrom t\nwhere x");
	check_get(ini, "londiste", "empty", "");
	check_get(ini, "londiste", "service_name", "londiste");
	check_get(ini, "londiste", "missing", NULL);
	assert_string_equal(err, "");
	/* overrides win, and are interpolated like the rest */
	assert_true(pyini_override(ini, "job_name", "jobx"));
	check_get(ini, "londiste", "logfile", "/srv/log/jobx.log");
	pyini_free(ini);
}

static void
test_interpolation_errors(void **state)
{
	PyIni *ini;

	(void) state;
	ini = load("e.ini", "[s]\na = %(b)s\nb = %(a)s\nc = %(nope)s\nd = 50%\n"
						"e = %(x\n");
	assert_non_null(ini);
	assert_null(pyini_get(ini, "s", "a", err, sizeof(err)));
	assert_non_null(strstr(err, "refers to itself"));
	assert_null(pyini_get(ini, "s", "c", err, sizeof(err)));
	assert_non_null(strstr(err, "\"nope\", which is not set"));
	assert_null(pyini_get(ini, "s", "d", err, sizeof(err)));
	assert_non_null(strstr(err, "bad interpolation"));
	assert_null(pyini_get(ini, "s", "e", err, sizeof(err)));
	assert_non_null(strstr(err, "bad interpolation"));
	pyini_free(ini);
}

static void
test_syntax_errors(void **state)
{
	(void) state;
	assert_null(
		pyini_load(write_file("s1.ini", "[s\nx = 1\n"), err, sizeof(err)));
	assert_non_null(strstr(err, "s1.ini:1: syntax error"));
	assert_null(pyini_load(write_file("s2.ini", "x = 1\n"), err, sizeof(err)));
	assert_non_null(strstr(err, "s2.ini:1: a key before any [section]"));
	assert_null(pyini_load(write_file("s3.ini", "[s]\n\njust words\n"), err,
						   sizeof(err)));
	assert_non_null(strstr(err, "s3.ini:3: syntax error"));
	assert_null(
		pyini_load(write_file("s4.ini", "[s]\n= 1\n"), err, sizeof(err)));
	assert_non_null(strstr(err, "s4.ini:2:"));
	assert_null(pyini_load("/nonexistent/x.ini", err, sizeof(err)));
	assert_non_null(
		strstr(err, "could not read config file \"/nonexistent/x.ini\""));
}

typedef struct Conf
{
	char *db;
	char *logfile;
	int parallel;
	double delay;
} Conf;

static const CfKey keys[] = {
	{"db", CF_STR, offsetof(Conf, db), NULL, NULL},
	{"logfile", CF_FILE, offsetof(Conf, logfile), "~/log/%(job_name)s.log",
	 NULL},
	{"parallel_copies", CF_INT, offsetof(Conf, parallel), "1", NULL},
	{"loop_delay", CF_TIME, offsetof(Conf, delay), "1.0", NULL},
	{NULL, CF_STR, 0, NULL, NULL},
};

static void
test_fill(void **state)
{
	PyIni *ini;
	Conf c = {0};
	char want[512];

	(void) state;
	ini =
		load("fill.ini",
			 "[DEFAULT]\nunrelated = 1\n[main]\ndb = x\nloop_delay = 0.25\n");
	assert_non_null(ini);
	assert_true(pyini_fill(ini, "main", keys, &c, err, sizeof(err)));
	assert_string_equal(c.db, "x");
	snprintf(want, sizeof(want), "%s/log/fill.log", getenv("HOME"));
	assert_string_equal(c.logfile, want);
	assert_int_equal(c.parallel, 1);
	assert_true(c.delay == 0.25);
	cf_free(keys, &c);
	pyini_free(ini);

	ini = load("unk.ini", "[main]\ndb = x\nparalel_copies = 2\n");
	assert_false(pyini_fill(ini, "main", keys, &c, err, sizeof(err)));
	assert_non_null(
		strstr(err, ".ini:3: unknown parameter \"paralel_copies\" in [main]"));
	cf_free(keys, &c);
	pyini_free(ini);

	ini = load("bad.ini", "[main]\nparallel_copies = many\n");
	assert_false(pyini_fill(ini, "main", keys, &c, err, sizeof(err)));
	assert_non_null(strstr(err, "invalid value \"many\" for parallel_copies"));
	cf_free(keys, &c);
	pyini_free(ini);

	ini = load("ovr.ini", "[main]\n");
	assert_true(pyini_override(ini, "nosuch", "1"));
	assert_false(pyini_fill(ini, "main", keys, &c, err, sizeof(err)));
	assert_non_null(strstr(err, "unknown parameter \"nosuch\""));
	cf_free(keys, &c);
	pyini_free(ini);
}

static void
test_bool(void **state)
{
	bool b;

	(void) state;
	assert_true(pyini_parse_bool("Yes", &b) && b);
	assert_true(pyini_parse_bool("on", &b) && b);
	assert_true(pyini_parse_bool("1", &b) && b);
	assert_true(pyini_parse_bool("FALSE", &b) && !b);
	assert_true(pyini_parse_bool("off", &b) && !b);
	assert_false(pyini_parse_bool("2", &b));
	assert_false(pyini_parse_bool("", &b));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_interpolation_errors),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_fill),
		cmocka_unit_test(test_bool),
	};

	if (mkdtemp(tmpdir) == NULL)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
