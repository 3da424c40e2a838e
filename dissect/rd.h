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

/*
 * The readers are inline: every header field of every packet goes through
 * one, and a call per field costs more than the read itself.
 */
static inline bool rd_u8(struct rd *r, uint8_t *v) TA_MUST_CHECK;
static inline bool rd_u16(struct rd *r, uint16_t *v) TA_MUST_CHECK;
static inline bool rd_u24(struct rd *r, uint32_t *v) TA_MUST_CHECK;
static inline bool rd_u32(struct rd *r, uint32_t *v) TA_MUST_CHECK;
/* Skip n bytes. */
static inline bool rd_skip(struct rd *r, size_t n) TA_MUST_CHECK;
/* Carve the next n bytes into *sub and advance past them. */
static inline bool rd_take(struct rd *r, size_t n, struct rd *sub)
    TA_MUST_CHECK;
/* Length-prefixed vectors (1, 2 or 3 length bytes) as child readers. */
static inline bool rd_vec8(struct rd *r, struct rd *sub) TA_MUST_CHECK;
static inline bool rd_vec16(struct rd *r, struct rd *sub) TA_MUST_CHECK;
static inline bool rd_vec24(struct rd *r, struct rd *sub) TA_MUST_CHECK;

static inline bool
rd_u8(struct rd *r, uint8_t *v)
{
	*v = 0;
	if (r->left < 1)
		return false;
	*v = r->p[0];
	r->p += 1;
	r->left -= 1;
	return true;
}

static inline bool
rd_u16(struct rd *r, uint16_t *v)
{
	*v = 0;
	if (r->left < 2)
		return false;
	*v = (uint16_t)((unsigned)r->p[0] << 8 | r->p[1]);
	r->p += 2;
	r->left -= 2;
	return true;
}

static inline bool
rd_u24(struct rd *r, uint32_t *v)
{
	*v = 0;
	if (r->left < 3)
		return false;
	*v = (uint32_t)r->p[0] << 16 | (uint32_t)r->p[1] << 8 | r->p[2];
	r->p += 3;
	r->left -= 3;
	return true;
}

static inline bool
rd_u32(struct rd *r, uint32_t *v)
{
	*v = 0;
	if (r->left < 4)
		return false;
	*v = (uint32_t)r->p[0] << 24 | (uint32_t)r->p[1] << 16 |
	     (uint32_t)r->p[2] << 8 | r->p[3];
	r->p += 4;
	r->left -= 4;
	return true;
}

static inline bool
rd_skip(struct rd *r, size_t n)
{
	if (n > r->left)
		return false;
	r->p += n;
	r->left -= n;
	return true;
}

static inline bool
rd_take(struct rd *r, size_t n, struct rd *sub)
{
	sub->p = NULL;
	sub->left = 0;
	if (n > r->left)
		return false;
	sub->p = r->p;
	sub->left = n;
	r->p += n;
	r->left -= n;
	return true;
}

/* A vector whose length field or body is short leaves r untouched. */
static inline bool
rd_vec8(struct rd *r, struct rd *sub)
{
	struct rd save = *r;
	uint8_t n;

	if (!rd_u8(r, &n) || !rd_take(r, n, sub)) {
		*r = save;
		return false;
	}
	return true;
}

static inline bool
rd_vec16(struct rd *r, struct rd *sub)
{
	struct rd save = *r;
	uint16_t n;

	if (!rd_u16(r, &n) || !rd_take(r, n, sub)) {
		*r = save;
		return false;
	}
	return true;
}

static inline bool
rd_vec24(struct rd *r, struct rd *sub)
{
	struct rd save = *r;
	uint32_t n;

	if (!rd_u24(r, &n) || !rd_take(r, n, sub)) {
		*r = save;
		return false;
	}
	return true;
}

#endif
