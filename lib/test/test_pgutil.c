/*
 * test_pgutil.c: identifier quoting and conninfo values (lib/src/pgutil.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

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

/* What the C library writes for the same instant. */
static void
libc_time(char *dst, int64_t us)
{
	int64_t secs = us / 1000000;
	int frac = (int) (us % 1000000);
	time_t t;
	struct tm tm;

	if (frac < 0)
	{
		frac += 1000000;
		secs--;
	}
	t = (time_t) (secs + 946684800);
	gmtime_r(&t, &tm);
	snprintf(dst, PG_UTC_TIME_LEN, "%04d-%02d-%02d %02d:%02d:%02d.%06d+00",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
			 tm.tm_min, tm.tm_sec, frac);
}

static void
test_utc_time(void **state)
{
	char got[PG_UTC_TIME_LEN], want[PG_UTC_TIME_LEN];
	int64_t day = INT64_C(86400000000), us;
	uint64_t x = 88172645463325252u;
	int i;

	(void) state;
	pg_format_utc_time(got, 0);
	assert_string_equal(got, "2000-01-01 00:00:00.000000+00");
	pg_format_utc_time(got, -1);
	assert_string_equal(got, "1999-12-31 23:59:59.999999+00");
	/* 2000-02-29, a leap day of a century leap year */
	pg_format_utc_time(got, 59 * day + INT64_C(3723000004));
	assert_string_equal(got, "2000-02-29 01:02:03.000004+00");
	pg_format_utc_time(got, INT64_MAX);
	assert_string_equal(got, "infinity");
	pg_format_utc_time(got, INT64_MIN);
	assert_string_equal(got, "-infinity");
	/* every day from 1900 to 2100, and random instants in years 1-9999 */
	for (us = -36524 * day; us < 36525 * day; us += day + 1000001)
	{
		pg_format_utc_time(got, us);
		libc_time(want, us);
		assert_string_equal(got, want);
	}
	for (i = 0; i < 200000; i++)
	{
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		/* 63113904000000000 us: 2000 years either side of 2000 */
		us = (int64_t) (x % UINT64_C(126227808000000000)) -
			 INT64_C(63113904000000000);
		pg_format_utc_time(got, us);
		libc_time(want, us);
		assert_string_equal(got, want);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fqident),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_conninfo_value),
		cmocka_unit_test(test_copy_value),
		cmocka_unit_test(test_utc_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
