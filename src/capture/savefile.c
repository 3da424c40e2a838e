/* savefile.c: pcap and pcapng files read in large chunks (savefile.h): opening, the buffer, classic pcap records. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture/savefile.h"
#include "capture/savefile_int.h"

#define FILE_HDR 24u
#define RECORD_HDR 16u
#define MAGIC_USEC 0xa1b2c3d4u
#define MAGIC_NSEC 0xa1b23c4du
/* The buffer starts small, since a file may wait long in a merge before it
 * is read on, and grows to reads of this size, which measured best; a
 * pcapng block larger than that gets a buffer of its size. */
#define BUF_FIRST (64u << 10)
#define BUF_READ (256u << 10)
#define BUF_MAX (BUF_READ + RECORD_HDR + MAX_CAPLEN)

/* Link types whose frames libpcap hands out as the file has them. In a
 * byte-swapped file libpcap rewrites SocketCAN ids in cooked frames. */
static bool
plain_link(int dlt, bool swapped)
{
	switch (dlt) {
	case DLT_EN10MB:
	case DLT_NULL:
	case DLT_RAW:
#if defined(DLT_RAW) && DLT_RAW != 14
	case 14:
#endif
#ifdef DLT_LOOP
	case DLT_LOOP:
#endif
#ifdef DLT_IPV4
	case DLT_IPV4:
#endif
#ifdef DLT_IPV6
	case DLT_IPV6:
#endif
		return true;
	case DLT_LINUX_SLL:
#ifdef DLT_LINUX_SLL2
	case DLT_LINUX_SLL2:
#endif
		return !swapped;
	default:
		return false;
	}
}

static struct savefile *
new_savefile(pcap_t *p, int fd, const struct savefile_stream *src)
{
	struct savefile *s = calloc(1, sizeof *s);

	if (s == NULL)
		return NULL;
	s->p = p;
	s->fd = fd;
	s->src = src;
	s->classic.dlt = pcap_datalink(p);
	s->cur = &s->classic;
	return s;
}

/* n bytes at offset off of the file's first bytes: the file itself, or
 * what stdio took of the stream. */
static bool
read_head(const struct savefile *s, uint64_t off, void *b, size_t n)
{
	if (s->fd >= 0)
		return pread(s->fd, b, n, (off_t)off) == (ssize_t)n;
	if (off > s->src->head_len || n > s->src->head_len - off)
		return false;
	memcpy(b, s->src->head + off, n);
	return true;
}

static struct savefile *
open_classic(struct savefile *s, const uint8_t *hdr, uint32_t magic)
{
	pcap_t *p = s->p;
	bool swapped = magic != MAGIC_USEC && magic != MAGIC_NSEC;

	if (swapped)
		magic = __builtin_bswap32(magic);
	if (magic != MAGIC_USEC && magic != MAGIC_NSEC)
		return NULL;
	/* The header must be the one libpcap read, in the form read here. */
	if (get16(swapped, hdr + 4) != 2 || get16(swapped, hdr + 6) != 4 ||
	    pcap_major_version(p) != 2 || pcap_minor_version(p) != 4 ||
	    (pcap_is_swapped(p) != 0) != swapped ||
	    !plain_link(pcap_datalink(p), swapped) || pcap_snapshot(p) <= 0 ||
	    (uint32_t)pcap_snapshot(p) > MAX_CAPLEN)
		return NULL;
	s->swapped = swapped;
	s->usec = magic == MAGIC_USEC;
	s->snapshot = (uint32_t)pcap_snapshot(p);
	s->file_pos = FILE_HDR;
	return s;
}

static struct savefile *
open_common(struct savefile *s)
{
	uint8_t hdr[FILE_HDR];
	uint32_t magic;
	struct savefile *r;

	if (s == NULL)
		return NULL;
	r = NULL;
	if (pcap_get_tstamp_precision(s->p) == PCAP_TSTAMP_PRECISION_NANO &&
	    read_head(s, 0, hdr, sizeof hdr)) {
		memcpy(&magic, hdr, sizeof magic);
		r = magic == NG_SHB ? sf_open_pcapng(s, hdr)
		                    : open_classic(s, hdr, magic);
	}
	if (r == NULL)
		free(s);
	return r;
}

struct savefile *
savefile_open(pcap_t *p)
{
	FILE *fp = pcap_file(p);
	struct stat st;
	int fd;

	if (fp == NULL)
		return NULL;
	fd = fileno(fp);
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		return NULL;
	return open_common(new_savefile(p, fd, NULL));
}

struct savefile *
savefile_open_stream(pcap_t *p, const struct savefile_stream *src)
{
	return open_common(new_savefile(p, -1, src));
}

/* More bytes into buf[have..cap) from file_pos: > 0, 0 the end, -1 failed
 * (err set). */
static ssize_t
read_more(struct savefile *s)
{
	size_t room = s->cap - s->have;
	ssize_t n;

	if (s->fd >= 0) {
		do
			n = pread(s->fd, s->buf + s->have, room,
			          (off_t)s->file_pos);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			snprintf(s->err, sizeof s->err,
			         "error reading dump file: %s", strerror(errno));
		return n;
	}
	if (s->file_pos < s->src->head_len) {
		size_t k = (size_t)(s->src->head_len - s->file_pos);

		if (k > room)
			k = room;
		memcpy(s->buf + s->have, s->src->head + s->file_pos, k);
		return (ssize_t)k;
	}
	n = s->src->read(s->src->ctx, s->buf + s->have, room);
	if (n < 0)
		snprintf(s->err, sizeof s->err, "%s",
		         s->src->error(s->src->ctx));
	return n;
}

/* Make need bytes readable from pos on, or all the file has left. False
 * on a read error (err set). */
bool
sf_fill(struct savefile *s, size_t need)
{
	size_t left = s->have - s->pos;

	if (s->pos > 0) {
		memmove(s->buf, s->buf + s->pos, left);
		s->have = left;
		s->pos = 0;
	}
	if (s->cap < BUF_MAX || s->cap < need) {
		size_t cap = s->cap == 0 ? BUF_FIRST : 2 * s->cap;
		uint8_t *nb;

		if (cap > BUF_MAX)
			cap = BUF_MAX;
		if (cap < need)
			cap = need;
		nb = realloc(s->buf, cap);
		if (nb == NULL) {
			snprintf(s->err, sizeof s->err, "out of memory");
			return false;
		}
		s->buf = nb;
		s->cap = cap;
	}
	while (s->have < need && !s->eof) {
		ssize_t n = read_more(s);

		if (n < 0)
			return false;
		if (n == 0)
			s->eof = true;
		s->have += (size_t)n;
		s->file_pos += (uint64_t)n;
	}
	return true;
}

int
savefile_next(struct savefile *s, struct pcap_pkthdr *hdr,
              const uint8_t **data)
{
	const uint8_t *h;
	uint32_t caplen;
	size_t left;

	if (s->failed)
		return PCAP_ERROR;
	if (s->ng)
		return sf_next_pcapng(s, hdr, data);
	left = s->have - s->pos;
	if (left < RECORD_HDR) {
		if (!sf_fill(s, RECORD_HDR))
			return damaged(s);
		left = s->have;
		if (left == 0)
			return PCAP_ERROR_BREAK;
		if (left < RECORD_HDR) {
			snprintf(s->err, sizeof s->err,
			         "truncated dump file; tried to read %u header "
			         "bytes, only got %zu", RECORD_HDR, left);
			return damaged(s);
		}
	}
	h = s->buf + s->pos;
	caplen = get32(s->swapped, h + 8);
	if (caplen > MAX_CAPLEN) {
		snprintf(s->err, sizeof s->err,
		         "invalid packet capture length %u, bigger than snaplen "
		         "of %u", caplen, s->snapshot);
		return damaged(s);
	}
	if (left < RECORD_HDR + caplen) {
		if (!sf_fill(s, RECORD_HDR + caplen))
			return damaged(s);
		left = s->have;
		h = s->buf;
		if (left < RECORD_HDR + caplen) {
			size_t got = left - RECORD_HDR;
			/* libpcap reads a frame longer than the snapshot
			 * length in two steps and names the one that fell
			 * short. */
			uint32_t want = caplen > s->snapshot && got < s->snapshot
			                    ? s->snapshot
			                    : caplen;
			snprintf(s->err, sizeof s->err,
			         "truncated dump file; tried to read %u captured "
			         "bytes, only got %zu", want, got);
			return damaged(s);
		}
	}
	/* As libpcap reads them: signed 32-bit numbers, but unsigned once
	 * it has swapped their bytes. */
	if (s->swapped) {
		hdr->ts.tv_sec = (time_t)get32(true, h);
		hdr->ts.tv_usec = (suseconds_t)get32(true, h + 4);
	} else {
		hdr->ts.tv_sec = (time_t)(int32_t)get32(false, h);
		hdr->ts.tv_usec = (suseconds_t)(int32_t)get32(false, h + 4);
	}
	if (s->usec)
		hdr->ts.tv_usec *= 1000;
	/* A frame longer than the snapshot length is cut to it. */
	hdr->caplen = caplen > s->snapshot ? s->snapshot : caplen;
	hdr->len = get32(s->swapped, h + 12);
	*data = h + RECORD_HDR;
	s->pos += RECORD_HDR + caplen;
	return 1;
}

bool
savefile_no_time(const struct savefile *s)
{
	return s->cur_no_time;
}

uint32_t
savefile_iface(const struct savefile *s)
{
	return s->cur->global;
}

int
savefile_dlt(const struct savefile *s)
{
	return s->cur->dlt;
}

const char *
savefile_ifname(const struct savefile *s)
{
	return s->cur->name;
}

uint32_t
savefile_nifaces(const struct savefile *s)
{
	return s->ng ? s->nglobal : 1;
}

bool
savefile_is_pcapng(const struct savefile *s)
{
	return s->ng;
}

const char *
savefile_libpcap_stop(const struct savefile *s)
{
	return s->stop[0] != '\0' ? s->stop : NULL;
}

const char *
savefile_geterr(const struct savefile *s)
{
	return s->err;
}

uint64_t
savefile_offset(const struct savefile *s)
{
	return s->file_pos - (s->have - s->pos);
}

void
savefile_close(struct savefile *s)
{
	if (s == NULL)
		return;
	free(s->ifs);
	free(s->buf);
	free(s);
}
