/* savefile.c: classic pcap files read in large chunks (savefile.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "savefile.h"

#define FILE_HDR 24u
#define RECORD_HDR 16u
#define MAGIC_USEC 0xa1b2c3d4u
#define MAGIC_NSEC 0xa1b23c4du
/* libpcap's largest frame for the link types read here (MAXIMUM_SNAPLEN):
 * a longer caplen makes the file damaged. */
#define MAX_CAPLEN 262144u
/* The buffer starts small, since a file may wait long in a merge before it
 * is read on, and grows to reads of this size, which measured best. */
#define BUF_FIRST (64u << 10)
#define BUF_READ (256u << 10)
#define BUF_MAX (BUF_READ + RECORD_HDR + MAX_CAPLEN)

struct savefile {
	int fd;
	bool swapped;
	bool usec;          /* microsecond timestamps, scaled up */
	bool eof;
	bool failed;        /* damaged: every later call says so again */
	uint32_t snapshot;  /* libpcap's snapshot length for the file */
	uint64_t file_pos;  /* file offset of buf[have] */
	uint8_t *buf;
	size_t cap, have, pos;
	char err[PCAP_ERRBUF_SIZE];
};

static uint32_t
get32(bool swapped, const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof v);
	return swapped ? __builtin_bswap32(v) : v;
}

static uint16_t
get16(bool swapped, const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof v);
	return swapped ? __builtin_bswap16(v) : v;
}

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

struct savefile *
savefile_open(pcap_t *p)
{
	FILE *fp = pcap_file(p);
	uint8_t hdr[FILE_HDR];
	struct savefile *s;
	struct stat st;
	uint32_t magic;
	bool swapped;
	int fd;

	if (fp == NULL || pcap_get_tstamp_precision(p) != PCAP_TSTAMP_PRECISION_NANO)
		return NULL;
	fd = fileno(fp);
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		return NULL;
	if (pread(fd, hdr, sizeof hdr, 0) != (ssize_t)sizeof hdr)
		return NULL;
	memcpy(&magic, hdr, sizeof magic);
	swapped = magic != MAGIC_USEC && magic != MAGIC_NSEC;
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
	s = calloc(1, sizeof *s);
	if (s == NULL)
		return NULL;
	s->fd = fd;
	s->swapped = swapped;
	s->usec = magic == MAGIC_USEC;
	s->snapshot = (uint32_t)pcap_snapshot(p);
	s->file_pos = FILE_HDR;
	return s;
}

/* Make need bytes readable from pos on, or all the file has left. False
 * on a read error (err set). */
static bool
fill(struct savefile *s, size_t need)
{
	size_t left = s->have - s->pos;

	if (s->pos > 0) {
		memmove(s->buf, s->buf + s->pos, left);
		s->have = left;
		s->pos = 0;
	}
	if (s->cap < BUF_MAX) {
		size_t cap = s->cap == 0 ? BUF_FIRST : 2 * s->cap;
		uint8_t *nb;

		if (cap < need)
			cap = need;
		if (cap > BUF_MAX)
			cap = BUF_MAX;
		nb = realloc(s->buf, cap);
		if (nb == NULL) {
			snprintf(s->err, sizeof s->err, "out of memory");
			return false;
		}
		s->buf = nb;
		s->cap = cap;
	}
	while (s->have < need && !s->eof) {
		ssize_t n = pread(s->fd, s->buf + s->have, s->cap - s->have,
		                  (off_t)s->file_pos);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(s->err, sizeof s->err,
			         "error reading dump file: %s", strerror(errno));
			return false;
		}
		if (n == 0)
			s->eof = true;
		s->have += (size_t)n;
		s->file_pos += (uint64_t)n;
	}
	return true;
}

static int
damaged(struct savefile *s)
{
	s->failed = true;
	return -1;
}

int
savefile_next(struct savefile *s, struct pcap_pkthdr *hdr,
              const uint8_t **data)
{
	const uint8_t *h;
	uint32_t caplen;
	size_t left;

	if (s->failed)
		return -1;
	left = s->have - s->pos;
	if (left < RECORD_HDR) {
		if (!fill(s, RECORD_HDR))
			return damaged(s);
		left = s->have;
		if (left == 0)
			return 0;
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
		if (!fill(s, RECORD_HDR + caplen))
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
	free(s->buf);
	free(s);
}
