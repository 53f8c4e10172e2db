/*
 * test_pgutil.c: identifier quoting and conninfo values (lib/src/pgutil.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "skytools/pgutil.h"

static const char *
q(const char *name)
{
	static char buf[128];

	if (!pg_quote_fqident(buf, sizeof(buf), name))
		return "<too long>";
	return buf;
}

static void
test_fqident(void **state)
{
	(void) state;
	assert_string_equal(q("pgq.maint_rotate_tables_step1"),
						"pgq.maint_rotate_tables_step1");
	assert_string_equal(q("x"), "public.x");
	assert_string_equal(q("Foo.Bar.baz"), "\"Foo\".\"Bar.baz\"");
	assert_string_equal(q("a b.c"), "\"a b\".c");
	assert_string_equal(q("public.select"), "public.\"select\"");
	assert_string_equal(q("s.with\"quote"), "s.\"with\"\"quote\"");
	assert_string_equal(q("s.1abc"), "s.\"1abc\"");
	assert_string_equal(q("s.a1_b"), "s.a1_b");
	assert_string_equal(q("s."), "s.\"\"");
}

static void
test_too_long(void **state)
{
	char buf[8];

	(void) state;
	assert_false(pg_quote_fqident(buf, sizeof(buf), "schema.longname"));
	assert_true(pg_quote_fqident(buf, sizeof(buf), "s.x"));
}

static void
test_conninfo_value(void **state)
{
	char buf[64] = "dbname=";

	(void) state;
	assert_true(pg_conninfo_value(buf, sizeof(buf), "it's a \\ db"));
	assert_string_equal(buf, "dbname='it\\'s a \\\\ db'");
	strcpy(buf, "x=");
	assert_false(pg_conninfo_value(buf, 8, "too long a value"));
}

/* COPY text rows: NULL, specials escaped, tab and newline separators */
static void
test_copy_value(void **state)
{
	PgCopyBuf b = {0};

	(void) state;
	assert_true(pg_copy_value(&b, "plain", false));
	assert_true(pg_copy_value(&b, NULL, false));
	assert_true(pg_copy_value(&b, "a\\b\tc\nd\re", false));
	assert_true(pg_copy_value(&b, "", true));
	assert_int_equal(b.len, strlen("plain\t\\N\ta\\\\b\\tc\\nd\\re\t\n"));
	assert_memory_equal(b.data, "plain\t\\N\ta\\\\b\\tc\\nd\\re\t\n", b.len);
	pg_copy_reset(&b);
	assert_true(pg_copy_value(&b, "x", true));
	assert_memory_equal(b.data, "x\n", 2);
	assert_int_equal(b.len, 2);
	pg_copy_free(&b);
	assert_null(b.data);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fqident),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_conninfo_value),
		cmocka_unit_test(test_copy_value),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
