/*
 * capfile.h: capture files built in memory for tests (pcap-savefile(5)),
 * in either byte order. Include after cmocka.h.
 */
#ifndef CAPFILE_H
#define CAPFILE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Large enough for a frame of libpcap's largest caplen and then some. */
struct fb {
	uint8_t b[2u << 20];
	size_t n;
	bool be;
};

static inline void
fb_bytes(struct fb *f, const void *p, size_t n)
{
	assert_true(f->n + n <= sizeof f->b);
	memcpy(f->b + f->n, p, n);
	f->n += n;
}

static inline void
fb_u16(struct fb *f, uint16_t v)
{
	uint8_t b[2];

	if (f->be) {
		b[0] = (uint8_t)(v >> 8);
		b[1] = (uint8_t)v;
	} else {
		b[0] = (uint8_t)v;
		b[1] = (uint8_t)(v >> 8);
	}
	fb_bytes(f, b, 2);
}

static inline void
fb_u32(struct fb *f, uint32_t v)
{
	if (f->be) {
		fb_u16(f, (uint16_t)(v >> 16));
		fb_u16(f, (uint16_t)v);
	} else {
		fb_u16(f, (uint16_t)v);
		fb_u16(f, (uint16_t)(v >> 16));
	}
}

/* The first n bytes of f go to the file (n < f->n cuts it). */
static inline void
fb_save(const struct fb *f, const char *path, size_t n)
{
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	assert_true(n <= f->n);
	assert_int_equal(fwrite(f->b, 1, n, fp), n);
	assert_int_equal(fclose(fp), 0);
}

/* A classic pcap file header; starts f anew. */
static inline void
pcap_file_header(struct fb *f, bool be, uint32_t magic, uint16_t major,
                 uint16_t minor, uint32_t snaplen, uint32_t linktype)
{
	f->n = 0;
	f->be = be;
	fb_u32(f, magic);
	fb_u16(f, major);
	fb_u16(f, minor);
	fb_u32(f, 0); /* thiszone */
	fb_u32(f, 0); /* sigfigs */
	fb_u32(f, snaplen);
	fb_u32(f, linktype);
}

/* A record; caplen bytes of data follow only when data is not NULL. */
static inline void
pcap_record(struct fb *f, uint32_t sec, uint32_t frac, const uint8_t *data,
            uint32_t caplen, uint32_t len)
{
	fb_u32(f, sec);
	fb_u32(f, frac);
	fb_u32(f, caplen);
	fb_u32(f, len);
	if (data != NULL)
		fb_bytes(f, data, caplen);
}

/* pcapng (draft-ietf-opsawg-pcapng), in f's byte order. */

/* Any block: type, body (n bytes, padded to 4), total length twice. */
static inline void
ng_block(struct fb *f, uint32_t type, const uint8_t *body, size_t n)
{
	static const uint8_t pad[3];
	size_t padded = (n + 3u) & ~(size_t)3u;
	uint32_t total = (uint32_t)(12 + padded);

	fb_u32(f, type);
	fb_u32(f, total);
	fb_bytes(f, body, n);
	fb_bytes(f, pad, padded - n);
	fb_u32(f, total);
}

/* Section Header Block, version 1.0; starts f anew. */
static inline void
ng_shb_order(struct fb *f, bool be)
{
	f->n = 0;
	f->be = be;
	fb_u32(f, 0x0a0d0d0au);
	fb_u32(f, 28);
	fb_u32(f, 0x1a2b3c4du);
	fb_u16(f, 1);
	fb_u16(f, 0);
	fb_u32(f, 0xffffffffu); /* section length unknown */
	fb_u32(f, 0xffffffffu);
	fb_u32(f, 28);
}

static inline void
ng_shb(struct fb *f)
{
	ng_shb_order(f, false);
}

/* Interface Description Block with the options given as they are (none:
 * NULL, 0; end-of-options included by the caller). */
static inline void
ng_idb_opts(struct fb *f, uint16_t linktype, uint32_t snaplen,
            const uint8_t *opts, size_t n)
{
	uint32_t total = (uint32_t)(20 + n);

	fb_u32(f, 1);
	fb_u32(f, total);
	fb_u16(f, linktype);
	fb_u16(f, 0);
	fb_u32(f, snaplen);
	if (n > 0)
		fb_bytes(f, opts, n);
	fb_u32(f, total);
}

/* Interface Description Block; tsresol 0: the default (microseconds). */
static inline void
ng_idb(struct fb *f, uint16_t linktype, uint8_t tsresol)
{
	/* if_tsresol (9), length 1, the value, padding; opt_endofopt */
	uint8_t opts[12] = { 9, 0, 1, 0, tsresol, 0, 0, 0, 0, 0, 0, 0 };

	if (f->be) {
		opts[0] = 0;
		opts[1] = 9;
		opts[2] = 0;
		opts[3] = 1;
	}
	ng_idb_opts(f, linktype, 65535, tsresol != 0 ? opts : NULL,
	            tsresol != 0 ? sizeof opts : 0);
}

/* Options of a block, in the byte order of the file they go to. */
struct ngopts {
	uint8_t b[1024];
	size_t n;
	bool be;
};

static inline void
ngo_init(struct ngopts *o, bool be)
{
	o->n = 0;
	o->be = be;
}

static inline void
ngo_put(struct ngopts *o, const void *p, size_t n)
{
	assert_true(o->n + n <= sizeof o->b);
	if (n > 0)
		memcpy(o->b + o->n, p, n);
	o->n += n;
}

/* One option: code, length, the value as given, padding. */
static inline void
ngo_add(struct ngopts *o, uint16_t code, const void *v, uint16_t len)
{
	static const uint8_t pad[3];
	uint8_t h[4];

	if (o->be) {
		h[0] = (uint8_t)(code >> 8);
		h[1] = (uint8_t)code;
		h[2] = (uint8_t)(len >> 8);
		h[3] = (uint8_t)len;
	} else {
		h[0] = (uint8_t)code;
		h[1] = (uint8_t)(code >> 8);
		h[2] = (uint8_t)len;
		h[3] = (uint8_t)(len >> 8);
	}
	ngo_put(o, h, 4);
	ngo_put(o, v, len);
	ngo_put(o, pad, (4u - len % 4u) % 4u);
}

/* if_tsoffset: a signed 64-bit number of seconds, in the file's order. */
static inline void
ngo_tsoffset(struct ngopts *o, int64_t off)
{
	uint8_t v[8];
	uint64_t u = (uint64_t)off;

	for (int i = 0; i < 8; i++)
		v[o->be ? 7 - i : i] = (uint8_t)(u >> (8 * i));
	ngo_add(o, 14, v, 8);
}

static inline void
ngo_end(struct ngopts *o)
{
	ngo_add(o, 0, NULL, 0);
}

/* A packet block's data padded to 4 bytes, and the block's trailer. */
static inline void
ng_data_end(struct fb *f, const uint8_t *data, uint32_t caplen,
            uint32_t total)
{
	static const uint8_t pad[3];

	fb_bytes(f, data, caplen);
	fb_bytes(f, pad, ((caplen + 3u) & ~3u) - caplen);
	fb_u32(f, total);
}

/* Enhanced Packet Block of interface iface; ts in the interface's units. */
static inline void
ng_epb_if(struct fb *f, uint32_t iface, uint64_t ts, const uint8_t *data,
          uint32_t caplen, uint32_t len)
{
	uint32_t total = 32 + ((caplen + 3u) & ~3u);

	fb_u32(f, 6);
	fb_u32(f, total);
	fb_u32(f, iface);
	fb_u32(f, (uint32_t)(ts >> 32));
	fb_u32(f, (uint32_t)ts);
	fb_u32(f, caplen);
	fb_u32(f, len);
	ng_data_end(f, data, caplen, total);
}

static inline void
ng_epb(struct fb *f, uint64_t ts, const uint8_t *data, uint32_t caplen,
       uint32_t len)
{
	ng_epb_if(f, 0, ts, data, caplen, len);
}

/* Simple Packet Block: interface 0, no timestamp, caplen bytes of data
 * (the snapshot length's share of len). */
static inline void
ng_spb(struct fb *f, const uint8_t *data, uint32_t caplen, uint32_t len)
{
	uint32_t total = 16 + ((caplen + 3u) & ~3u);

	fb_u32(f, 3);
	fb_u32(f, total);
	fb_u32(f, len);
	ng_data_end(f, data, caplen, total);
}

/* The obsolete Packet Block: a 16-bit interface id and a drops count. */
static inline void
ng_pb(struct fb *f, uint16_t iface, uint64_t ts, const uint8_t *data,
      uint32_t caplen, uint32_t len)
{
	uint32_t total = 32 + ((caplen + 3u) & ~3u);

	fb_u32(f, 2);
	fb_u32(f, total);
	fb_u16(f, iface);
	fb_u16(f, 0);
	fb_u32(f, (uint32_t)(ts >> 32));
	fb_u32(f, (uint32_t)ts);
	fb_u32(f, caplen);
	fb_u32(f, len);
	ng_data_end(f, data, caplen, total);
}

#endif
