/*
 * test_rowdata.c: decoding of row events (lib/src/rowdata.c): the rows
 * the trigger suites produce (data/trigger_rows.txt) decode and encode
 * back byte for byte; malformed input is an error, never a crash.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skytools/rowdata.h"

#define CORPUS "lib/test/data/trigger_rows.txt"

/* Decode s (with flags); the error text (or "") into err. */
static bool
decode_flags(SkyRow *row, const char *s, int flags, char *err)
{
	err[0] = '\0';
	return sky_row_decode(row, s, strlen(s), flags, err, 200);
}

static bool
decode(SkyRow *row, const char *s, char *err)
{
	return decode_flags(row, s, 0, err);
}

static void
test_basic(void **state)
{
	SkyRow row;
	char err[200];
	char *enc;

	(void) state;
	assert_true(decode(&row, "a&b=&c=x+y%7e%2F&&c=last&Key%26=1%3d2", err));
	assert_int_equal(row.nfields, 4);
	assert_string_equal(row.fields[0].key, "a");
	assert_null(row.fields[0].value);
	assert_string_equal(row.fields[1].key, "b");
	assert_string_equal(row.fields[1].value, "");
	/* a repeated key keeps its place and its last value */
	assert_string_equal(row.fields[2].key, "c");
	assert_string_equal(row.fields[2].value, "last");
	assert_string_equal(row.fields[3].key, "Key&");
	assert_string_equal(row.fields[3].value, "1=2");
	assert_non_null(sky_row_field(&row, "Key&"));
	assert_null(sky_row_field(&row, "nosuch"));
	enc = sky_row_encode(&row);
	assert_string_equal(enc, "a&b=&c=last&Key%26=1%3d2");
	free(enc);
	sky_row_free(&row);

	/* empty input: no fields */
	assert_true(decode(&row, "", err));
	assert_int_equal(row.nfields, 0);
	enc = sky_row_encode(&row);
	assert_string_equal(enc, "");
	free(enc);
	sky_row_free(&row);

	/* '=' inside a value, UTF-8 and the space */
	assert_true(decode(&row, "k=a%3db=c&u=%c3%a4+%e2%82%ac", err));
	assert_string_equal(sky_row_field(&row, "k")->value, "a=b=c");
	assert_string_equal(sky_row_field(&row, "u")->value,
						"\xc3\xa4 \xe2\x82\xac");
	sky_row_free(&row);
}

static void
test_malformed(void **state)
{
	static const struct
	{
		const char *in;
		const char *err;
	} cases[] = {
		{"a=%zz", "bad escape in value of \"a\""},
		{"a=%4", "bad escape in value of \"a\""},
		{"a=1&b=%", "bad escape in value of \"b\""},
		{"a=x%", "bad escape in value of \"a\""},
		{"%g1=1", "bad escape in key at byte 0"},
		{"a=1&%2", "bad escape in key at byte 4"},
		{"=1", "empty key at byte 0"},
		{"a=1&=", "empty key at byte 4"},
		{"a=1&=2&b", "empty key at byte 4"},
		{"a=%00", "bad escape in value of \"a\""},
		{"%00=1", "bad escape in key at byte 0"},
	};
	size_t i;

	(void) state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		SkyRow row;
		char err[200];

		assert_false(decode(&row, cases[i].in, err));
		assert_string_equal(err, cases[i].err);
		sky_row_free(&row);
	}
}

/* A key without '=': NULL by the format, an error when NULLs cannot be. */
static void
test_missing_equals(void **state)
{
	SkyRow row;
	char err[200];

	(void) state;
	assert_true(decode(&row, "a=1&b&c=", err));
	assert_null(sky_row_field(&row, "b")->value);
	sky_row_free(&row);

	assert_false(decode_flags(&row, "a=1&b&c=", SKY_ROW_NO_NULLS, err));
	assert_string_equal(err, "missing '=' after key \"b\"");
	sky_row_free(&row);
	assert_false(decode_flags(&row, "a%3d1", SKY_ROW_NO_NULLS, err));
	assert_string_equal(err, "missing '=' after key \"a=1\"");
	sky_row_free(&row);

	/* everything else is the same in both modes */
	assert_true(decode_flags(&row, "a=1&b=&c=x+y", SKY_ROW_NO_NULLS, err));
	assert_int_equal(row.nfields, 3);
	sky_row_free(&row);
	assert_false(decode_flags(&row, "a=%zz", SKY_ROW_NO_NULLS, err));
	sky_row_free(&row);
}

static void
test_evtype(void **state)
{
	SkyEvType t;
	char err[200];

	(void) state;
	assert_true(sky_evtype_parse(&t, "I:id", err, sizeof(err)));
	assert_int_equal(t.op, 'I');
	assert_int_equal(t.npkeys, 1);
	assert_string_equal(t.pkeys[0], "id");
	sky_evtype_free(&t);

	assert_true(sky_evtype_parse(&t, "U:order,Mixed Case", err, sizeof(err)));
	assert_int_equal(t.op, 'U');
	assert_int_equal(t.npkeys, 2);
	assert_string_equal(t.pkeys[1], "Mixed Case");
	sky_evtype_free(&t);

	/* no key list: "I:" (table without a primary key) and bare "D", "R" */
	assert_true(sky_evtype_parse(&t, "I:", err, sizeof(err)));
	assert_int_equal(t.npkeys, 0);
	sky_evtype_free(&t);
	assert_true(sky_evtype_parse(&t, "R", err, sizeof(err)));
	assert_int_equal(t.op, 'R');
	sky_evtype_free(&t);

	assert_false(sky_evtype_parse(&t, "X:id", err, sizeof(err)));
	assert_string_equal(err, "not a row event type: \"X:id\"");
	sky_evtype_free(&t);
	assert_false(sky_evtype_parse(&t, "", err, sizeof(err)));
	sky_evtype_free(&t);
	assert_false(sky_evtype_parse(&t, NULL, err, sizeof(err)));
	sky_evtype_free(&t);
	assert_false(sky_evtype_parse(&t, "Insert", err, sizeof(err)));
	sky_evtype_free(&t);
	assert_false(sky_evtype_parse(&t, "U:a,,b", err, sizeof(err)));
	assert_string_equal(err, "empty key column in type \"U:a,,b\"");
	sky_evtype_free(&t);
	assert_false(sky_evtype_parse(&t, "U:a,", err, sizeof(err)));
	sky_evtype_free(&t);
}

/* Every row of the trigger corpus round-trips; its keys cover the type. */
static void
test_trigger_corpus(void **state)
{
	const char *path =
		getenv("ROWDATA_CORPUS") ? getenv("ROWDATA_CORPUS") : CORPUS;
	FILE *f = fopen(path, "r");
	char line[8192];
	int n = 0;

	(void) state;
	if (f == NULL)
		fail_msg("cannot open %s (run from the top directory)", path);
	while (fgets(line, sizeof(line), f))
	{
		char *tab = strchr(line, '\t');
		char err[200];
		SkyRow row;
		SkyEvType t;
		char *enc;
		int k;

		line[strcspn(line, "\n")] = '\0';
		assert_non_null(tab);
		*tab = '\0';
		assert_true(sky_evtype_parse(&t, line, err, sizeof(err)));
		if (!decode(&row, tab + 1, err))
			fail_msg("line %d: %s", n + 1, err);
		enc = sky_row_encode(&row);
		assert_string_equal(enc, tab + 1);
		for (k = 0; k < t.npkeys; k++)
		{
			/* pkey= lists may carry spaces after the commas */
			const char *key = t.pkeys[k] + strspn(t.pkeys[k], " ");

			if (sky_row_field(&row, key) == NULL)
				fail_msg("line %d: key column %s not in the row", n + 1, key);
		}
		free(enc);
		sky_row_free(&row);
		sky_evtype_free(&t);
		n++;
	}
	fclose(f);
	assert_true(n >= 20);
}

/* jsontriga rows: every kind of value the trigger writes, and refusals */
static void
test_json_row(void **state)
{
	SkyRow row;
	char err[200];
	const char *good =
		"{\"id\":7,\"big\":-9223372036854775808,\"t\":\"q'\\\"b\\\\"
		"\\nü\",\"n\":null,\"f\":false,\"ok\":true,"
		"\"ts\":\"2009-09-19T11:59:48.599+00:00\",\"a\":\"{1,2}\"}";
	const char *bad[] = {
		"",
		"[1]",
		"{\"a\":[1]}",
		"{\"a\":{\"b\":1}}",
		"{\"\":1}",
		"{\"a\":\"x\\u0000y\"}",
		"{\"a\":1",
		"{\"a\":99999999999999999999}",
	};
	size_t i;

	(void) state;
	assert_true(
		sky_row_decode_json(&row, good, strlen(good), err, sizeof(err)));
	assert_int_equal(row.nfields, 8);
	assert_string_equal(row.fields[0].key, "id");
	assert_string_equal(row.fields[0].value, "7");
	assert_string_equal(row.fields[1].value, "-9223372036854775808");
	assert_string_equal(row.fields[2].value, "q'\"b\\\nü");
	assert_null(row.fields[3].value);
	assert_string_equal(row.fields[3].key, "n");
	assert_string_equal(row.fields[4].value, "false");
	assert_string_equal(row.fields[5].value, "true");
	assert_string_equal(row.fields[6].value, "2009-09-19T11:59:48.599+00:00");
	assert_string_equal(sky_row_field(&row, "a")->value, "{1,2}");
	sky_row_free(&row);

	assert_true(sky_row_decode_json(&row, "{}", 2, err, sizeof(err)));
	assert_int_equal(row.nfields, 0);
	sky_row_free(&row);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
	{
		err[0] = '\0';
		assert_false(sky_row_decode_json(&row, bad[i], strlen(bad[i]), err,
										 sizeof(err)));
		assert_true(err[0] != '\0');
		sky_row_free(&row);
	}
}

static void
test_json_evtype(void **state)
{
	SkyEvType t;
	char err[200];

	(void) state;
	assert_true(
		sky_evtype_parse_json(&t,
							  "{\"op\":\"UPDATE\",\"table\":[\"public\",\"t\"]"
							  ",\"pkey\":[\"a\",\"B c\"]}",
							  err, sizeof(err)));
	assert_int_equal(t.op, 'U');
	assert_int_equal(t.npkeys, 2);
	assert_string_equal(t.pkeys[0], "a");
	assert_string_equal(t.pkeys[1], "B c");
	sky_evtype_free(&t);

	assert_true(sky_evtype_parse_json(
		&t, "{\"op\":\"TRUNCATE\",\"table\":[\"s\",\"t\"],\"pkey\":[]}", err,
		sizeof(err)));
	assert_int_equal(t.op, 'R');
	assert_int_equal(t.npkeys, 0);
	sky_evtype_free(&t);

	assert_false(
		sky_evtype_parse_json(&t, "{\"op\":\"MERGE\"}", err, sizeof(err)));
	assert_non_null(strstr(err, "op"));
	assert_false(sky_evtype_parse_json(&t, "I:id", err, sizeof(err)));
	assert_false(sky_evtype_parse_json(
		&t, "{\"op\":\"DELETE\",\"pkey\":\"id\"}", err, sizeof(err)));
	assert_false(sky_evtype_parse_json(
		&t, "{\"op\":\"DELETE\",\"pkey\":[\"\"]}", err, sizeof(err)));
	assert_false(sky_evtype_parse_json(&t, NULL, err, sizeof(err)));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_missing_equals),
		cmocka_unit_test(test_evtype),
		cmocka_unit_test(test_trigger_corpus),
		cmocka_unit_test(test_json_row),
		cmocka_unit_test(test_json_evtype),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
