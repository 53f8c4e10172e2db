/*
 * test_sqlsplit.c: the statement splitter (lib/src/sqlsplit.c): quotes,
 * escapes, dollar quotes, comments, line numbers, and scripts that do
 * not end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skytools/sqlsplit.h"

typedef struct Got
{
	int n;
	char stmt[16][256];
	int line[16];
} Got;

static bool
collect(const char *s, size_t len, int lineno, void *arg)
{
	Got *g = arg;

	if (g->n == 16)
		return false;
	snprintf(g->stmt[g->n], sizeof(g->stmt[0]), "%.*s", (int) len, s);
	g->line[g->n++] = lineno;
	return true;
}

static Got
split(const char *sql, bool ok)
{
	Got g;
	char err[200];

	memset(&g, 0, sizeof(g));
	assert_int_equal(sky_sql_split(sql, collect, &g, err, sizeof(err)), ok);
	if (!ok)
		assert_true(strstr(err, "does not end") != NULL);
	return g;
}

static void
test_plain(void **state)
{
	Got g =
		split("create table a (x int);\n\ninsert into a values (1) ;  ", true);

	(void) state;
	assert_int_equal(g.n, 2);
	assert_string_equal(g.stmt[0], "create table a (x int)");
	assert_string_equal(g.stmt[1], "insert into a values (1) ");
	assert_int_equal(g.line[1], 3);
	g = split("", true);
	assert_int_equal(g.n, 0);
	g = split(" ; ;\n-- only a comment;\n/* and; another */ ;", true);
	assert_int_equal(g.n, 0);
}

static void
test_quotes(void **state)
{
	Got g = split("select 'a;b', 'it''s;', \"x;\"\"y\" from t; select "
				  "E'\\';'; select 'x\\'; select 2",
				  true);

	(void) state;
	assert_int_equal(g.n, 4);
	assert_string_equal(g.stmt[0],
						"select 'a;b', 'it''s;', \"x;\"\"y\" from t");
	assert_string_equal(g.stmt[1], "select E'\\';'");
	/* a standard string: the backslash is a character, the quote ends it */
	assert_string_equal(g.stmt[2], "select 'x\\'");
	assert_string_equal(g.stmt[3], "select 2");
}

static void
test_dollar(void **state)
{
	Got g = split(
		"create function f() returns int language sql as $$ select 1; $$;\n"
		"do $body$ begin perform 1; raise notice '$$;'; end $body$;\n"
		"select $1, a$b from t;",
		true);

	(void) state;
	assert_int_equal(g.n, 3);
	assert_string_equal(
		g.stmt[0],
		"create function f() returns int language sql as $$ select 1; $$");
	assert_string_equal(
		g.stmt[1],
		"do $body$ begin perform 1; raise notice '$$;'; end $body$");
	assert_int_equal(g.line[1], 2);
	assert_string_equal(g.stmt[2], "select $1, a$b from t");
}

static void
test_comments(void **state)
{
	Got g = split("-- head; comment\nselect 1 -- tail; comment\n; /* a /* "
				  "nested; */ one; */ select 2;",
				  true);

	(void) state;
	assert_int_equal(g.n, 2);
	assert_string_equal(g.stmt[0], "select 1 -- tail; comment\n");
	assert_int_equal(g.line[0], 2);
	assert_string_equal(g.stmt[1], "select 2");
}

static void
test_unterminated(void **state)
{
	(void) state;
	split("select 'abc", false);
	split("select \"abc", false);
	split("select $x$ abc $y$", false);
	split("select 1 /* /* */", false);
	split("select E'abc\\'", false);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),		 cmocka_unit_test(test_quotes),
		cmocka_unit_test(test_dollar),		 cmocka_unit_test(test_comments),
		cmocka_unit_test(test_unterminated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
