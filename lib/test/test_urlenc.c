/*
 * test_urlenc.c: the event urlencoding shared with the triggers
 * (common/urlenc.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "urlenc.h"

static const char *
enc(const char *s)
{
	static char buf[256];
	size_t n = sky_urlencode(buf, s, strlen(s));

	buf[n] = '\0';
	return buf;
}

static const char *
dec(const char *s)
{
	static char buf[256];
	size_t n = sky_urldecode(buf, s, strlen(s));

	if (n == (size_t) -1)
		return "<error>";
	buf[n] = '\0';
	return buf;
}

static void
test_encode(void **state)
{
	(void) state;
	assert_string_equal(enc("Az09_.-"), "Az09_.-");
	assert_string_equal(enc("x y"), "x+y");
	assert_string_equal(enc("p&q=r"), "p%26q%3dr");
	assert_string_equal(enc("{1,2}"), "%7b1%2c2%7d");
	assert_string_equal(enc("\xc3\xbc"), "%c3%bc");
	assert_string_equal(enc("+%"), "%2b%25");
	assert_string_equal(enc(""), "");
}

static void
test_decode(void **state)
{
	(void) state;
	assert_string_equal(dec("x+y"), "x y");
	assert_string_equal(dec("p%26q%3Dr"), "p&q=r");
	assert_string_equal(dec("%c3%bc"), "\xc3\xbc");
	assert_string_equal(dec("%"), "<error>");
	assert_string_equal(dec("%4"), "<error>");
	assert_string_equal(dec("%zz"), "<error>");
	assert_string_equal(dec("a%4"), "<error>");
	assert_string_equal(dec(""), "");
}

static void
test_roundtrip(void **state)
{
	char in[256], mid[768], out[256];
	size_t i, n, m;

	(void) state;
	for (i = 0; i < 256; i++)
		in[i] = (char) i;
	n = sky_urlencode(mid, in, 256);
	m = sky_urldecode(out, mid, n);
	assert_int_equal(m, 256);
	assert_memory_equal(in, out, 256);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode),
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
