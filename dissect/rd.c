/* rd.c: bounds-checked reader (see rd.h). */
#include "rd.h"

bool
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

bool
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

bool
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

bool
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

bool
rd_skip(struct rd *r, size_t n)
{
	if (n > r->left)
		return false;
	r->p += n;
	r->left -= n;
	return true;
}

bool
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

bool
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

bool
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

bool
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

const char *
dis_status_str(enum dis_status s)
{
	switch (s) {
	case DIS_OK:
		return "ok";
	case DIS_SHORT:
		return "short";
	case DIS_MALFORMED:
		return "malformed";
	case DIS_UNSUPPORTED:
		return "unsupported";
	case DIS_LIMIT:
		return "limit";
	}
	return "unknown";
}
