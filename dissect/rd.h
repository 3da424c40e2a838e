/*
 * rd.h: a bounds-checked big-endian reader over a byte view.
 *
 * The only bounds test is "n > left": no pointer is formed past the end.
 * A failed read leaves the output zeroed and the cursor where it was. A TLS
 * vector becomes a child reader; the parser of that vector must finish with
 * rd_empty(child) or the message is malformed.
 */
#ifndef RD_H
#define RD_H

#include <stdbool.h>

#include "ta.h"

struct rd {
	const uint8_t *p;
	size_t left;
};

static inline void
rd_init(struct rd *r, const uint8_t *p, size_t n)
{
	r->p = p;
	r->left = p ? n : 0;
}

static inline bool
rd_empty(const struct rd *r)
{
	return r->left == 0;
}

bool rd_u8(struct rd *r, uint8_t *v) TA_MUST_CHECK;
bool rd_u16(struct rd *r, uint16_t *v) TA_MUST_CHECK;
bool rd_u24(struct rd *r, uint32_t *v) TA_MUST_CHECK;
bool rd_u32(struct rd *r, uint32_t *v) TA_MUST_CHECK;
/* Skip n bytes. */
bool rd_skip(struct rd *r, size_t n) TA_MUST_CHECK;
/* Carve the next n bytes into *sub and advance past them. */
bool rd_take(struct rd *r, size_t n, struct rd *sub) TA_MUST_CHECK;
/* Length-prefixed vectors (1, 2 or 3 length bytes) as child readers. */
bool rd_vec8(struct rd *r, struct rd *sub) TA_MUST_CHECK;
bool rd_vec16(struct rd *r, struct rd *sub) TA_MUST_CHECK;
bool rd_vec24(struct rd *r, struct rd *sub) TA_MUST_CHECK;

#endif
