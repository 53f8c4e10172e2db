/*-------------------------------------------------------------------------
 *
 * urlenc.h
 *	  The urlencoding of PgQ's row events, shared by the server side
 *	  (pgq.logutriga writes it) and the client side (consumers decode it).
 *
 * Plain C with no PostgreSQL or libc allocation: callers own every buffer.
 *
 * IDENTIFICATION
 *	  common/urlenc.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SKYTOOLS_URLENC_H
#define SKYTOOLS_URLENC_H

#include <stddef.h>

/* Worst-case encoded size of len input bytes (every byte as %xx). */
#define SKY_URLENC_MAX(len) ((len) *3)

/*
 * Encode len bytes of src into dst, which must hold SKY_URLENC_MAX(len)
 * bytes.  Bytes A-Z a-z 0-9 _ . - are kept, space becomes '+', every other
 * byte becomes '%' and two lowercase hex digits.  No terminator is written.
 * Returns the number of bytes written.
 */
extern size_t sky_urlencode(char *dst, const char *src, size_t len);

/*
 * Decode len bytes of src into dst (at most len bytes are written): '+'
 * becomes a space, '%xx' (hex, either case) the byte xx.  Returns the
 * number of bytes written, or (size_t) -1 when src holds a '%' not
 * followed by two hex digits.
 */
extern size_t sky_urldecode(char *dst, const char *src, size_t len);

#endif /* SKYTOOLS_URLENC_H */
