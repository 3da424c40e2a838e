/*
 * pcapng_walk.h: a pcapng file of this machine's byte order read back
 * block by block for the tests of what -w writes (draft-ietf-opsawg-pcapng
 * 3.1, 3.5, 4.1-4.3), with every length, padding byte and repeated total
 * length checked as it goes. Independent of the writer on purpose: it
 * reads the layout from the draft, not from the code under test. Include
 * after cmocka.h.
 */
#ifndef PCAPNG_WALK_H
#define PCAPNG_WALK_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WALK_MAX_BLOCKS 256
#define WALK_MAX_OPTS 8

struct walk_opt {
	uint16_t code;
	uint16_t len;
	const uint8_t *val;
};

struct walk_block {
	uint32_t type;
	uint32_t total;          /* block total length */
	const uint8_t *body;     /* after type and length */
	size_t body_len;         /* up to the trailing length */
	size_t off;              /* of the block in the file */
	/* Fixed fields decoded by type. */
	uint32_t ifid, caplen, len;
	uint64_t ts;
	uint16_t linktype;
	uint32_t snaplen;
	const uint8_t *data;     /* EPB packet bytes */
	struct walk_opt opt[WALK_MAX_OPTS];
	unsigned nopt;
	bool end_of_opt;         /* the list ended with opt_endofopt */
};

struct walk {
	uint8_t *buf;
	size_t n;
	struct walk_block b[WALK_MAX_BLOCKS];
	unsigned nb;
};

static inline uint32_t
walk_u32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static inline uint16_t
walk_u16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return v;
}

/* Options from p to end: each padded to 32 bits with zeros. */
static inline void
walk_opts(struct walk_block *b, const uint8_t *p, const uint8_t *end)
{
	while (p < end) {
		uint16_t code, len;
		size_t padded;

		assert_true(end - p >= 4);
		code = walk_u16(p);
		len = walk_u16(p + 2);
		p += 4;
		if (code == 0) {
			assert_int_equal(len, 0);
			b->end_of_opt = true;
			assert_true(p == end); /* nothing after the end */
			return;
		}
		padded = ((size_t)len + 3u) & ~(size_t)3u;
		assert_true((size_t)(end - p) >= padded);
		for (size_t i = len; i < padded; i++)
			assert_int_equal(p[i], 0);
		assert_true(b->nopt < WALK_MAX_OPTS);
		b->opt[b->nopt].code = code;
		b->opt[b->nopt].len = len;
		b->opt[b->nopt].val = p;
		b->nopt++;
		p += padded;
	}
}

static inline void
walk_block_fields(struct walk_block *b)
{
	const uint8_t *p = b->body, *end = b->body + b->body_len;

	switch (b->type) {
	case 0x0A0D0D0Au:
		assert_true(b->body_len >= 16);
		assert_int_equal(walk_u32(p), 0x1A2B3C4Du);
		assert_int_equal(walk_u16(p + 4), 1);
		assert_int_equal(walk_u16(p + 6), 0);
		walk_opts(b, p + 16, end);
		break;
	case 1:
		assert_true(b->body_len >= 8);
		b->linktype = walk_u16(p);
		assert_int_equal(walk_u16(p + 2), 0);
		b->snaplen = walk_u32(p + 4);
		walk_opts(b, p + 8, end);
		break;
	case 6: {
		size_t padded;

		assert_true(b->body_len >= 20);
		b->ifid = walk_u32(p);
		b->ts = ((uint64_t)walk_u32(p + 4) << 32) | walk_u32(p + 8);
		b->caplen = walk_u32(p + 12);
		b->len = walk_u32(p + 16);
		padded = ((size_t)b->caplen + 3u) & ~(size_t)3u;
		assert_true(b->body_len - 20 >= padded);
		b->data = p + 20;
		for (size_t i = b->caplen; i < padded; i++)
			assert_int_equal(b->data[i], 0);
		walk_opts(b, p + 20 + padded, end);
		break;
	}
	default:
		fail_msg("unexpected block type 0x%08x", b->type);
	}
}

/* Read path whole and split it into blocks. */
static inline void
walk_file(struct walk *w, const char *path)
{
	FILE *f = fopen(path, "rb");
	long sz;
	size_t off = 0;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	sz = ftell(f);
	assert_true(sz >= 0);
	rewind(f);
	memset(w, 0, sizeof *w);
	w->n = (size_t)sz;
	w->buf = malloc(w->n + 1);
	assert_non_null(w->buf);
	assert_int_equal(fread(w->buf, 1, w->n, f), w->n);
	fclose(f);
	while (off < w->n) {
		struct walk_block *b;

		assert_true(w->n - off >= 12);
		assert_true(w->nb < WALK_MAX_BLOCKS);
		b = &w->b[w->nb++];
		b->off = off;
		b->type = walk_u32(w->buf + off);
		b->total = walk_u32(w->buf + off + 4);
		assert_int_equal(b->total % 4, 0);
		assert_true(b->total >= 12 && b->total <= w->n - off);
		assert_int_equal(walk_u32(w->buf + off + b->total - 4),
		                 b->total);
		b->body = w->buf + off + 8;
		b->body_len = b->total - 12;
		walk_block_fields(b);
		off += b->total;
	}
}

static inline void
walk_free(struct walk *w)
{
	free(w->buf);
	w->buf = NULL;
}

/* The value of the first option code of b, NUL-terminated into buf;
 * NULL when b has none. */
static inline const char *
walk_opt_str(const struct walk_block *b, uint16_t code, char *buf,
             size_t len)
{
	for (unsigned i = 0; i < b->nopt; i++) {
		if (b->opt[i].code != code)
			continue;
		assert_true(b->opt[i].len < len);
		memcpy(buf, b->opt[i].val, b->opt[i].len);
		buf[b->opt[i].len] = '\0';
		return buf;
	}
	return NULL;
}

#endif
