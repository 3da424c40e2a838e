/* savefile.c: pcap and pcapng files read in large chunks (savefile.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture/savefile.h"

#define FILE_HDR 24u
#define RECORD_HDR 16u
#define MAGIC_USEC 0xa1b2c3d4u
#define MAGIC_NSEC 0xa1b23c4du
/* pcapng (draft-ietf-opsawg-pcapng): block types and the byte-order magic */
#define NG_SHB 0x0a0d0d0au
#define NG_IDB 1u
#define NG_OPB 2u
#define NG_SPB 3u
#define NG_EPB 6u
#define NG_BOM 0x1a2b3c4du
#define NG_EPB_FIXED 32u    /* header, fixed fields, trailer */
#define NG_OPT_TSRESOL 9u
#define NG_OPT_TSOFFSET 14u
/* Blocks before the first interface that savefile steps over itself. */
#define NG_HEAD_BLOCKS 64
/* libpcap's largest frame for the link types read here (MAXIMUM_SNAPLEN):
 * a longer caplen makes the file damaged. */
#define MAX_CAPLEN 262144u
/* The buffer starts small, since a file may wait long in a merge before it
 * is read on, and grows to reads of this size, which measured best. */
#define BUF_FIRST (64u << 10)
#define BUF_READ (256u << 10)
#define BUF_MAX (BUF_READ + RECORD_HDR + MAX_CAPLEN)

struct savefile {
	pcap_t *p;
	int fd;
	bool ng;            /* pcapng: only its plain packet blocks are read
	                     * here; libpcap takes over at any other block */
	bool by_libpcap;    /* libpcap has taken over */
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

static struct savefile *
new_savefile(pcap_t *p, int fd, bool ng, bool swapped, bool usec,
             uint64_t start)
{
	struct savefile *s = calloc(1, sizeof *s);

	if (s == NULL)
		return NULL;
	s->p = p;
	s->fd = fd;
	s->ng = ng;
	s->swapped = swapped;
	s->usec = usec;
	s->snapshot = (uint32_t)pcap_snapshot(p);
	s->file_pos = start;
	return s;
}

/*
 * The options of libpcap's first Interface Description Block, from "opt"
 * on: true when they hold nothing but a time resolution of microseconds
 * (the default) or nanoseconds, well formed. Anything else (another
 * resolution, an offset, a malformed list) is left to libpcap.
 */
static bool
ng_plain_options(const uint8_t *opt, size_t n, bool *usec)
{
	bool seen = false;

	*usec = true;
	while (n >= 4) {
		uint16_t code = get16(false, opt);
		uint16_t len = get16(false, opt + 2);
		size_t padded = ((size_t)len + 3u) & ~(size_t)3u;

		if (code == 0)
			return true;
		if (padded > n - 4 || code == NG_OPT_TSOFFSET)
			return false;
		if (code == NG_OPT_TSRESOL) {
			if (seen || len != 1 || (opt[4] != 6 && opt[4] != 9))
				return false;
			seen = true;
			*usec = opt[4] == 6;
		}
		opt += 4 + padded;
		n -= 4 + padded;
	}
	return n == 0;
}

/*
 * A pcapng file in this machine's byte order: step over the section
 * header and any block before the first interface, as libpcap did when it
 * opened the file, and read that interface's time resolution.
 */
static struct savefile *
open_pcapng(pcap_t *p, int fd)
{
	uint8_t b[16];
	uint64_t off;
	uint32_t magic, len;

	if (pread(fd, b, sizeof b, 0) != (ssize_t)sizeof b)
		return NULL;
	memcpy(&magic, b + 8, sizeof magic);
	len = get32(false, b + 4);
	if (magic != NG_BOM || len < 28 || len % 4 != 0)
		return NULL;
	off = len;
	for (int i = 0; i < NG_HEAD_BLOCKS; i++) {
		uint8_t idb[4096];  /* names, descriptions, a filter */
		uint32_t type;
		bool usec;

		if (pread(fd, b, 8, (off_t)off) != 8)
			return NULL;
		type = get32(false, b);
		len = get32(false, b + 4);
		if (len < 12 || len % 4 != 0 || type == NG_SHB ||
		    type == NG_OPB || type == NG_SPB || type == NG_EPB)
			return NULL;
		if (type != NG_IDB) {
			off += len;
			continue;
		}
		if (len < 20 || len > sizeof idb ||
		    pread(fd, idb, len, (off_t)off) != (ssize_t)len ||
		    get32(false, idb + len - 4) != len ||
		    !ng_plain_options(idb + 16, len - 20, &usec))
			return NULL;
		return new_savefile(p, fd, true, false, usec, off + len);
	}
	return NULL;
}

struct savefile *
savefile_open(pcap_t *p)
{
	FILE *fp = pcap_file(p);
	uint8_t hdr[FILE_HDR];
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
	if (magic == NG_SHB)
		return plain_link(pcap_datalink(p), false) &&
		       pcap_snapshot(p) > 0 &&
		       (uint32_t)pcap_snapshot(p) <= MAX_CAPLEN
		           ? open_pcapng(p, fd)
		           : NULL;
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
	return new_savefile(p, fd, false, swapped, magic == MAGIC_USEC,
	                    FILE_HDR);
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
	return PCAP_ERROR;
}

/* libpcap reads the rest of the file from the block at pos on. */
static int
hand_over(struct savefile *s, struct pcap_pkthdr *hdr, const uint8_t **data)
{
	struct pcap_pkthdr *h;
	const u_char *d;
	int rc;

	if (!s->by_libpcap) {
		if (fseeko(pcap_file(s->p), (off_t)savefile_offset(s),
		           SEEK_SET) != 0) {
			snprintf(s->err, sizeof s->err,
			         "error reading dump file: %s", strerror(errno));
			return damaged(s);
		}
		s->by_libpcap = true;
		free(s->buf);
		s->buf = NULL;
		s->cap = s->have = s->pos = 0;
	}
	rc = pcap_next_ex(s->p, &h, &d);
	if (rc == 1) {
		*hdr = *h;
		*data = d;
		return 1;
	}
	if (rc == PCAP_ERROR_BREAK)
		return rc;
	snprintf(s->err, sizeof s->err, "%s", pcap_geterr(s->p));
	return damaged(s);
}

/*
 * pcapng: an Enhanced Packet Block of the first interface, whole and
 * within the snapshot length, is read here; any other block, or one that
 * is not plain, goes to libpcap, which has read nothing past the first
 * interface and so is where it would be.
 */
static int
next_pcapng(struct savefile *s, struct pcap_pkthdr *hdr, const uint8_t **data)
{
	const uint8_t *b;
	uint32_t len, caplen;
	uint64_t t, res, frac;
	size_t left;

	if (s->by_libpcap)
		return hand_over(s, hdr, data);
	left = s->have - s->pos;
	if (left < 8) {
		if (!fill(s, 8))
			return damaged(s);
		left = s->have;
		if (left == 0)
			return PCAP_ERROR_BREAK;
		if (left < 8)
			return hand_over(s, hdr, data);
	}
	b = s->buf + s->pos;
	len = get32(false, b + 4);
	if (get32(false, b) != NG_EPB || len < NG_EPB_FIXED || len % 4 != 0 ||
	    len > BUF_MAX)
		return hand_over(s, hdr, data);
	if (left < len) {
		if (!fill(s, len))
			return damaged(s);
		left = s->have;
		b = s->buf;
		if (left < len)
			return hand_over(s, hdr, data);
	}
	caplen = get32(false, b + 20);
	if (get32(false, b + len - 4) != len || get32(false, b + 8) != 0 ||
	    caplen > len - NG_EPB_FIXED || caplen > s->snapshot)
		return hand_over(s, hdr, data);
	t = (uint64_t)get32(false, b + 12) << 32 | get32(false, b + 16);
	res = s->usec ? 1000000u : 1000000000u;
	frac = t % res;
	if (s->usec)
		frac *= 1000;
	hdr->ts.tv_sec = (time_t)(t / res);
	hdr->ts.tv_usec = (suseconds_t)(int)frac;
	hdr->caplen = caplen;
	hdr->len = get32(false, b + 24);
	*data = b + 28;
	s->pos += len;
	return 1;
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
		return next_pcapng(s, hdr, data);
	left = s->have - s->pos;
	if (left < RECORD_HDR) {
		if (!fill(s, RECORD_HDR))
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
	off_t pos;

	if (!s->by_libpcap)
		return s->file_pos - (s->have - s->pos);
	pos = ftello(pcap_file(s->p));
	return pos > 0 ? (uint64_t)pos : 0;
}

bool
savefile_by_libpcap(const struct savefile *s)
{
	return s->by_libpcap;
}

void
savefile_close(struct savefile *s)
{
	if (s == NULL)
		return;
	free(s->buf);
	free(s);
}
