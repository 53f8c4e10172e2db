/*
 * test_pyformat.c: "%(name)s" placeholders into $n parameters
 * (lib/src/pyformat.c): repeats, %%, and what is refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "skytools/pyformat.h"

static void
test_params(void **state)
{
	SkyPyQuery q;
	char err[200];

	(void) state;
	assert_true(sky_pyquery_compile(
		&q, "insert into t (a, b, c) values (%(id)s, %(pgq.ev_type)s, %(id)s)",
		err, sizeof(err)));
	assert_string_equal(q.sql, "insert into t (a, b, c) values ($1, $2, $1)");
	assert_int_equal(q.nparams, 2);
	assert_string_equal(q.names[0], "id");
	assert_string_equal(q.names[1], "pgq.ev_type");
	assert_int_equal(sky_pyquery_param(&q, "pgq.ev_type"), 1);
	assert_int_equal(sky_pyquery_param(&q, "nope"), -1);
	sky_pyquery_free(&q);
}

static void
test_percent(void **state)
{
	SkyPyQuery q;
	char err[200];

	(void) state;
	assert_true(sky_pyquery_compile(&q, "select 'a%%b' like %(p)s, 5 %% 3",
									err, sizeof(err)));
	assert_string_equal(q.sql, "select 'a%b' like $1, 5 % 3");
	sky_pyquery_free(&q);
	assert_true(sky_pyquery_compile(&q, "select 1", err, sizeof(err)));
	assert_string_equal(q.sql, "select 1");
	assert_int_equal(q.nparams, 0);
	sky_pyquery_free(&q);
}

static void
test_errors(void **state)
{
	SkyPyQuery q;
	char err[200];

	(void) state;
	assert_false(sky_pyquery_compile(&q, "select 5 % 3", err, sizeof(err)));
	assert_non_null(strstr(err, "offset 9"));
	assert_false(sky_pyquery_compile(&q, "select %(a", err, sizeof(err)));
	assert_non_null(strstr(err, "not closed"));
	assert_false(sky_pyquery_compile(&q, "select %(a)d", err, sizeof(err)));
	assert_false(sky_pyquery_compile(&q, "select %()s", err, sizeof(err)));
	assert_non_null(strstr(err, "without a name"));
	assert_false(sky_pyquery_compile(&q, "select 1%", err, sizeof(err)));
	assert_null(q.sql);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_params),
		cmocka_unit_test(test_percent),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
