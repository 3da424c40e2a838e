/* pcapng_write.c: pcapng blocks (draft-ietf-opsawg-pcapng 3.5, 4.1-4.3). */
#include <errno.h>
#include <string.h>

#include "report/pcapng_write.h"

struct opt {
	uint16_t code;
	const void *val;
	size_t n;
};

static size_t
pad4(size_t n)
{
	return (n + 3u) & ~(size_t)3u;
}

static bool
put(FILE *f, const void *p, size_t n)
{
	return n == 0 || fwrite(p, 1, n, f) == n;
}

static bool
put16(FILE *f, uint16_t v)
{
	return put(f, &v, sizeof v);
}

static bool
put32(FILE *f, uint32_t v)
{
	return put(f, &v, sizeof v);
}

/* Zeros up to the next 32-bit boundary after n bytes. */
static bool
put_pad(FILE *f, size_t n)
{
	static const uint8_t zero[4];

	return put(f, zero, pad4(n) - n);
}

/* A text option: the length field has 16 bits, and a cut must not split
 * a UTF-8 sequence. */
static struct opt
text_opt(uint16_t code, const char *s)
{
	struct opt o = { code, s, s != NULL ? strlen(s) : 0 };

	if (o.n > PCAPNG_OPT_MAX) {
		o.n = PCAPNG_OPT_MAX;
		while (o.n > 0 && ((const uint8_t *)s)[o.n] >= 0x80 &&
		       ((const uint8_t *)s)[o.n] < 0xC0)
			o.n--;
	}
	return o;
}

/* What the options take, opt_endofopt included when there is any. */
static size_t
opts_size(const struct opt *o, size_t n)
{
	size_t sz = 0;

	for (size_t i = 0; i < n; i++)
		sz += 4 + pad4(o[i].n);
	return n > 0 ? sz + 4 : 0;
}

static bool
put_opts(FILE *f, const struct opt *o, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!put16(f, o[i].code) || !put16(f, (uint16_t)o[i].n) ||
		    !put(f, o[i].val, o[i].n) || !put_pad(f, o[i].n))
			return false;
	if (n > 0)
		return put16(f, PCAPNG_OPT_ENDOFOPT) && put16(f, 0);
	return true;
}

/*
 * The total length of a block with a body of body bytes (padding
 * included) and these options: type, length, body, options, length.
 * 0 when it does not fit the 32-bit field.
 */
static uint32_t
block_len(size_t body, const struct opt *o, size_t n)
{
	size_t total = 12 + body + opts_size(o, n);

	if (total > UINT32_MAX - 3u) {
		errno = EFBIG;
		return 0;
	}
	return (uint32_t)total;
}

bool
pcapng_write_shb(FILE *f, const char *userappl)
{
	struct opt o[1];
	size_t n = 0;
	uint64_t section_len = UINT64_MAX; /* -1: not given */
	uint32_t total;

	if (userappl != NULL)
		o[n++] = text_opt(PCAPNG_SHB_USERAPPL, userappl);
	total = block_len(16, o, n);
	return total != 0 && put32(f, PCAPNG_BT_SHB) && put32(f, total) &&
	       put32(f, PCAPNG_BYTE_ORDER_MAGIC) && put16(f, 1) &&
	       put16(f, 0) && put(f, &section_len, sizeof section_len) &&
	       put_opts(f, o, n) && put32(f, total);
}

bool
pcapng_write_idb(FILE *f, uint16_t linktype, uint32_t snaplen,
                 const char *name, uint8_t tsresol)
{
	struct opt o[2];
	size_t n = 0;
	uint32_t total;

	if (name != NULL && name[0] != '\0')
		o[n++] = text_opt(PCAPNG_IF_NAME, name);
	if (tsresol != PCAPNG_TSRESOL_US) {
		o[n].code = PCAPNG_IF_TSRESOL;
		o[n].val = &tsresol;
		o[n].n = 1;
		n++;
	}
	total = block_len(8, o, n);
	return total != 0 && put32(f, PCAPNG_BT_IDB) && put32(f, total) &&
	       put16(f, linktype) && put16(f, 0) && put32(f, snaplen) &&
	       put_opts(f, o, n) && put32(f, total);
}

bool
pcapng_write_epb(FILE *f, uint32_t ifid, uint64_t ts, const uint8_t *data,
                 uint32_t caplen, uint32_t len, const char *comment)
{
	struct opt o[1];
	size_t n = 0;
	uint32_t total;

	if (comment != NULL)
		o[n++] = text_opt(PCAPNG_OPT_COMMENT, comment);
	total = block_len(20 + pad4(caplen), o, n);
	/* The time stamp is two 32-bit words, the high one first, each in
	 * the section's byte order. */
	return total != 0 && put32(f, PCAPNG_BT_EPB) && put32(f, total) &&
	       put32(f, ifid) && put32(f, (uint32_t)(ts >> 32)) &&
	       put32(f, (uint32_t)ts) && put32(f, caplen) && put32(f, len) &&
	       put(f, data, caplen) && put_pad(f, caplen) &&
	       put_opts(f, o, n) && put32(f, total);
}
