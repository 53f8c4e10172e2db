/*-------------------------------------------------------------------------
 *
 * urlenc.c
 *	  Urlencoding of PgQ row events: see urlenc.h.
 *
 * The encoding is upstream PgQ's, byte for byte: consumers written for
 * upstream parse what pgq.logutriga writes, so the safe set, the '+' for
 * space and the lowercase hex digits are all part of the format.
 *
 * IDENTIFICATION
 *	  common/urlenc.c
 *
 *-------------------------------------------------------------------------
 */
#include "urlenc.h"

static const char hexdigits[] = "0123456789abcdef";

/* Whether byte c passes unchanged. */
static inline int
is_safe(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		   (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

size_t
sky_urlencode(char *dst, const char *src, size_t len)
{
	char *p = dst;
	size_t i;

	for (i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) src[i];

		if (is_safe(c))
			*p++ = (char) c;
		else if (c == ' ')
			*p++ = '+';
		else
		{
			*p++ = '%';
			*p++ = hexdigits[c >> 4];
			*p++ = hexdigits[c & 15];
		}
	}
	return (size_t) (p - dst);
}

/* Value of hex digit c, or -1. */
static inline int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t
sky_urldecode(char *dst, const char *src, size_t len)
{
	char *p = dst;
	size_t i = 0;

	while (i < len)
	{
		char c = src[i];

		if (c == '+')
		{
			*p++ = ' ';
			i++;
		}
		else if (c == '%')
		{
			int hi, lo;

			if (len - i < 3)
				return (size_t) -1;
			hi = hexval(src[i + 1]);
			lo = hexval(src[i + 2]);
			if (hi < 0 || lo < 0)
				return (size_t) -1;
			*p++ = (char) (hi * 16 + lo);
			i += 3;
		}
		else
		{
			*p++ = c;
			i++;
		}
	}
	return (size_t) (p - dst);
}
