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

#endif
