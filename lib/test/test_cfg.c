/*
 * test_cfg.c: the ini parser and typed keys (lib/src/cfg.c).
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

#include "skytools/cfg.h"

typedef struct Conf
{
	char *name;
	char *path;
	int count;
	double period;
} Conf;

static const CfKey keys[] = {
	{"name", CF_STR, offsetof(Conf, name), "dflt", NULL},
	{"path", CF_FILE, offsetof(Conf, path), NULL, NULL},
	{"count", CF_INT, offsetof(Conf, count), "5", NULL},
	{"period", CF_TIME, offsetof(Conf, period), "1.5", NULL},
	{NULL, CF_STR, 0, NULL, NULL},
};

static char tmpdir[] = "/tmp/test_cfg.XXXXXX";

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

static bool
load(const char *text, Conf *c, char *err)
{
	memset(c, 0, sizeof(*c));
	return cf_load(write_file("t.ini", text), "sect", keys, c, err, 512);
}

static void
test_values_and_defaults(void **state)
{
	Conf c;
	char err[512];

	(void) state;
	assert_true(load("[sect]\nname = x y \ncount=0x10\n", &c, err));
	assert_string_equal(c.name, "x y");
	assert_int_equal(c.count, 16);
	assert_true(c.period == 1.5);
	assert_null(c.path);
	cf_free(keys, &c);
}

static void
test_comments_and_no_inline_comments(void **state)
{
	Conf c;
	char err[512];

	(void) state;
	assert_true(
		load("# c\n ; c2\n\n[sect]\nname = a;b # not a comment\n", &c, err));
	assert_string_equal(c.name, "a;b # not a comment");
	cf_free(keys, &c);
	assert_false(load("[sect]\ncount = 1 # c\n", &c, err));
	assert_non_null(strstr(err, "t.ini:2: invalid value \"1 # c\" for count"));
	cf_free(keys, &c);
}

static void
test_times(void **state)
{
	double v;

	(void) state;
	assert_true(cf_parse_time("0.25", &v));
	assert_true(v == 0.25);
	assert_true(cf_parse_time("60", &v));
	assert_false(cf_parse_time("0.5s", &v));
	assert_false(cf_parse_time("-1", &v));
	assert_false(cf_parse_time("", &v));
	assert_false(cf_parse_time("1.2.3", &v));
}

static void
test_errors(void **state)
{
	Conf c;
	char err[512];

	(void) state;
	assert_false(load("[sect]\nnosuch = 1\n", &c, err));
	assert_non_null(strstr(err, "unknown parameter \"nosuch\""));
	cf_free(keys, &c);
	assert_false(load("[other]\nname = 1\n", &c, err));
	assert_non_null(strstr(err, "invalid section \"other\""));
	cf_free(keys, &c);
	assert_false(load("name = 1\n", &c, err));
	assert_non_null(strstr(err, "outside the [sect] section"));
	cf_free(keys, &c);
	assert_false(load("# nothing\n", &c, err));
	assert_non_null(strstr(err, "section [sect] missing"));
	cf_free(keys, &c);
	assert_false(load("[sect\n", &c, err));
	assert_non_null(strstr(err, "not closed"));
	cf_free(keys, &c);
	assert_false(load("[sect]\njust words\n", &c, err));
	assert_non_null(strstr(err, "t.ini:2: syntax error"));
	cf_free(keys, &c);
	assert_false(load("[sect]\ncount = many\n", &c, err));
	assert_non_null(strstr(err, "expected an integer"));
	cf_free(keys, &c);
	memset(&c, 0, sizeof(c));
	assert_false(
		cf_load("/nonexistent/x.ini", "sect", keys, &c, err, sizeof(err)));
	assert_non_null(strstr(err, "could not load file \"/nonexistent/x.ini\""));
	cf_free(keys, &c);
}

static void
test_include_and_last_wins(void **state)
{
	Conf c;
	char err[512];
	char text[512];

	(void) state;
	write_file("inc.ini", "count = 7\n");
	snprintf(text, sizeof(text),
			 "[sect]\ncount = 1\n%%include %s/inc.ini\nname = a\nname = b\n",
			 tmpdir);
	assert_true(load(text, &c, err));
	assert_int_equal(c.count, 7);
	assert_string_equal(c.name, "b");
	cf_free(keys, &c);
	write_file("loop.ini", "");
	snprintf(text, sizeof(text), "[sect]\n%%include %s/t.ini\n", tmpdir);
	assert_false(load(text, &c, err));
	assert_non_null(strstr(err, "nested too deep"));
	cf_free(keys, &c);
}

static void
test_file_expansion(void **state)
{
	Conf c;
	char err[512];
	char want[512];

	(void) state;
	setenv("HOME", "/home/someone", 1);
	assert_true(load("[sect]\npath = ~/log/x.log\n", &c, err));
	snprintf(want, sizeof(want), "/home/someone/log/x.log");
	assert_string_equal(c.path, want);
	cf_free(keys, &c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values_and_defaults),
		cmocka_unit_test(test_comments_and_no_inline_comments),
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_include_and_last_wins),
		cmocka_unit_test(test_file_expansion),
	};
	int r;

	if (mkdtemp(tmpdir) == NULL)
		return 1;
	r = cmocka_run_group_tests(tests, NULL, NULL);
	return r;
}
