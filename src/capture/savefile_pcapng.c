/* savefile_pcapng.c: pcapng blocks read as libpcap reads them (draft-ietf-opsawg-pcapng): sections, interfaces, packets. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/savefile.h"
#include "capture/savefile_int.h"

/* pcapng (draft-ietf-opsawg-pcapng): the other block types and the
 * options read (NG_SHB: savefile_int.h) */
#define NG_IDB 1u
#define NG_PB 2u            /* obsolete Packet Block (appendix A) */
#define NG_SPB 3u
#define NG_EPB 6u
#define NG_BOM 0x1a2b3c4du
#define NG_OPT_END 0u
#define NG_OPT_IF_NAME 2u
#define NG_OPT_TSRESOL 9u
#define NG_OPT_TSOFFSET 14u
/* libpcap refuses a larger block (INITIAL_MAX_BLOCKSIZE): it is damage. */
#define NG_MAX_BLOCK (16u << 20)
/* The time resolution asked of libpcap (nanoseconds). */
#define USER_TSRESOL 1000000000u

/* libpcap's max_snaplen_for_dlt(): D-Bus, EBHSCR and USBPcap frames may
 * be longer than the rest. */
static uint32_t
max_snaplen(int dlt)
{
	switch (dlt) {
	case 231: /* DLT_DBUS */
		return 128u << 20;
	case 279: /* DLT_EBHSCR */
		return 8u << 20;
	case 249: /* DLT_USBPCAP */
		return 1u << 20;
	default:
		return MAX_CAPLEN;
	}
}

/* The snapshot length libpcap 1.10 takes from an interface: 0, or one
 * that is negative as an int, means its link type's largest; any other
 * stays as it is, however large. */
static uint32_t
adjust_snapshot(int dlt, uint32_t snaplen)
{
	return snaplen == 0 || snaplen > INT32_MAX ? max_snaplen(dlt) : snaplen;
}

/* libpcap's linktype_to_dlt() for the link types whose DLT_ value is not
 * their LINKTYPE_ value on this system. */
static int
linktype_dlt(uint16_t lt)
{
	switch (lt) {
	case 101: /* LINKTYPE_RAW */
		return DLT_RAW;
#ifdef DLT_ATM_RFC1483
	case 100:
		return DLT_ATM_RFC1483;
#endif
#ifdef DLT_SLIP_BSDOS
	case 102:
		return DLT_SLIP_BSDOS;
#endif
#ifdef DLT_PPP_BSDOS
	case 103:
		return DLT_PPP_BSDOS;
#endif
	default:
		return (int)lt;
	}
}

/*
 * pcapng: libpcap read the section header and the blocks up to the first
 * interface and found them sound. Reading starts after the section
 * header; the blocks to the first interface are read again, as libpcap
 * read them.
 */
struct savefile *
sf_open_pcapng(struct savefile *s, const uint8_t *hdr)
{
	pcap_t *p = s->p;
	uint32_t bom = get32(false, hdr + 8);
	bool swapped = bom != NG_BOM;

	if (swapped && __builtin_bswap32(bom) != NG_BOM)
		return NULL;
	if ((pcap_is_swapped(p) != 0) != swapped || pcap_snapshot(p) <= 0 ||
	    max_snaplen(pcap_datalink(p)) != MAX_CAPLEN)
		return NULL;
	s->ng = true;
	s->swapped = swapped;
	s->first_dlt = pcap_datalink(p);
	s->first_snapshot = (uint32_t)pcap_snapshot(p);
	s->file_pos = get32(swapped, hdr + 4);
	/* A stream's head holds what libpcap read, its section header
	 * whole at least. */
	if (s->fd < 0 && s->file_pos > s->src->head_len)
		return NULL;
	return s;
}

/* The words libpcap has for a block whose fixed part is cut short. */
static int
too_short(struct savefile *s, uint32_t type)
{
	snprintf(s->err, sizeof s->err,
	         "block of type %u in pcapng dump file is too short", type);
	return damaged(s);
}

/*
 * The block at pos is a Section Header Block in the other byte order: a
 * section has the byte order of its own header (draft-ietf-opsawg-pcapng
 * section 4.1: its type reads the same both ways, its byte-order magic
 * says which), and mergecap joins sections written on different machines.
 * libpcap refuses such a file where it misreads the block's length; this
 * reads on in the section's order, and s->stop keeps libpcap's words
 * (s->err, just written). Only reached where a block would be damage.
 */
static bool
other_order_section(struct savefile *s)
{
	const uint8_t *b;

	if (s->have - s->pos < 12 && (!sf_fill(s, 12) || s->have < 12))
		return false;
	b = s->buf + s->pos;
	if (get32(false, b) != NG_SHB ||
	    get32(s->swapped, b + 8) != __builtin_bswap32(NG_BOM))
		return false;
	if (s->stop[0] == '\0')
		memcpy(s->stop, s->err, sizeof s->stop);
	s->swapped = !s->swapped;
	return true;
}

/*
 * The next block, whole, checked as libpcap's read_block() checks it:
 * 1 with *b at it (its total length in *len, pos past it), 0 at the end of
 * the file, PCAP_ERROR when damaged.
 */
static int
ng_block(struct savefile *s, const uint8_t **b, uint32_t *len)
{
	size_t left;
	uint32_t n;

again:
	left = s->have - s->pos;
	if (left < 8) {
		if (!sf_fill(s, 8))
			return damaged(s);
		left = s->have;
		if (left == 0)
			return 0;
		if (left < 8) {
			snprintf(s->err, sizeof s->err,
			         "truncated pcapng dump file; tried to read 8 "
			         "bytes, only got %zu", left);
			return damaged(s);
		}
	}
	n = get32(s->swapped, s->buf + s->pos + 4);
	if (n < 12) {
		snprintf(s->err, sizeof s->err,
		         "block in pcapng dump file has a length of %u < 12", n);
		goto bad;
	}
	if (n % 4 != 0) {
		snprintf(s->err, sizeof s->err,
		         "block in pcapng dump file has a length of %u that is "
		         "not a multiple of 4", n);
		goto bad;
	}
	if (n > NG_MAX_BLOCK) {
		snprintf(s->err, sizeof s->err,
		         "pcapng block size %u > maximum %u", n, NG_MAX_BLOCK);
		goto bad;
	}
	if (left < n) {
		if (!sf_fill(s, n))
			return damaged(s);
		left = s->have;
		if (left < n) {
			snprintf(s->err, sizeof s->err,
			         "truncated pcapng dump file; tried to read %u "
			         "bytes, only got %zu", n - 8, left - 8);
			goto bad;
		}
	}
	*b = s->buf + s->pos;
	if (get32(s->swapped, *b + n - 4) != n) {
		snprintf(s->err, sizeof s->err,
		         "block total length in header and trailer don't "
		         "match");
		goto bad;
	}
	*len = n;
	s->pos += n;
	return 1;
bad:
	if (other_order_section(s))
		goto again;
	return damaged(s);
}

/* if_tsresol: a negative power of 10, or of 2 with the top bit set. */
static bool
ng_tsresol(struct savefile *s, uint8_t v, uint64_t *res, bool *binary)
{
	if (v & 0x80) {
		unsigned shift = v & 0x7fu;

		if (shift > 63) {
			snprintf(s->err, sizeof s->err,
			         "Interface Description Block if_tsresol option "
			         "resolution 2^-%u is too high", shift);
			return false;
		}
		*binary = true;
		*res = (uint64_t)1 << shift;
		return true;
	}
	if (v > 19) {
		snprintf(s->err, sizeof s->err,
		         "Interface Description Block if_tsresol option "
		         "resolution 10^-%u is too high", (unsigned)v);
		return false;
	}
	*binary = false;
	*res = 1;
	for (unsigned i = 0; i < v; i++)
		*res *= 10;
	return true;
}

/*
 * An Interface Description Block's options, as libpcap's
 * process_idb_options() reads them (the same checks, in the same order,
 * the same words), and its if_name.
 */
static bool
ng_if_options(struct savefile *s, const uint8_t *o, size_t n,
              struct sf_if *i, bool *binary)
{
	bool saw_res = false, saw_off = false, saw_name = false;

	*binary = false;
	i->tsresol = 1000000;
	i->tsoffset = 0;
	i->name[0] = '\0';
	while (n != 0) {
		uint16_t code, len;
		size_t padded;

		if (n < 4) {
			too_short(s, NG_IDB);
			return false;
		}
		code = get16(s->swapped, o);
		len = get16(s->swapped, o + 2);
		padded = ((size_t)len + 3) & ~(size_t)3;
		o += 4;
		n -= 4;
		if (padded > n) {
			too_short(s, NG_IDB);
			return false;
		}
		switch (code) {
		case NG_OPT_END:
			if (len != 0) {
				snprintf(s->err, sizeof s->err,
				         "Interface Description Block has "
				         "opt_endofopt option with length %u != 0",
				         (unsigned)len);
				return false;
			}
			return true;
		case NG_OPT_TSRESOL:
			if (len != 1) {
				snprintf(s->err, sizeof s->err,
				         "Interface Description Block has "
				         "if_tsresol option with length %u != 1",
				         (unsigned)len);
				return false;
			}
			if (saw_res) {
				snprintf(s->err, sizeof s->err,
				         "Interface Description Block has more "
				         "than one if_tsresol option");
				return false;
			}
			saw_res = true;
			if (!ng_tsresol(s, o[0], &i->tsresol, binary))
				return false;
			break;
		case NG_OPT_TSOFFSET:
			if (len != 8) {
				snprintf(s->err, sizeof s->err,
				         "Interface Description Block has "
				         "if_tsoffset option with length %u != 8",
				         (unsigned)len);
				return false;
			}
			if (saw_off) {
				snprintf(s->err, sizeof s->err,
				         "Interface Description Block has more "
				         "than one if_tsoffset option");
				return false;
			}
			saw_off = true;
			i->tsoffset = (int64_t)get64(s->swapped, o);
			break;
		case NG_OPT_IF_NAME:
			/* Not NUL-terminated; the first one counts. */
			if (!saw_name) {
				size_t k = len < sizeof i->name - 1
				               ? len
				               : sizeof i->name - 1;
				const uint8_t *z = memchr(o, '\0', k);

				if (z != NULL)
					k = (size_t)(z - o);
				memcpy(i->name, o, k);
				i->name[k] = '\0';
				saw_name = true;
			}
			break;
		default:
			break;
		}
		o += padded;
		n -= padded;
	}
	return true;
}

static void
set_scale(struct sf_if *i, bool binary)
{
	i->factor = 1;
	if (i->tsresol == USER_TSRESOL) {
		i->scale = PASS;
	} else if (i->tsresol > USER_TSRESOL) {
		i->scale = binary ? DOWN_BIN : DOWN_DEC;
		i->factor = i->tsresol / USER_TSRESOL;
	} else {
		i->scale = binary ? UP_BIN : UP_DEC;
		i->factor = USER_TSRESOL / i->tsresol;
	}
}

/* An Interface Description Block: the section's next interface. */
static int
ng_idb(struct savefile *s, const uint8_t *b, uint32_t len)
{
	uint16_t lt;
	uint32_t snaplen;
	struct sf_if *i;
	bool binary = false;

	if (len - 12 < 8)
		return too_short(s, NG_IDB);
	lt = get16(s->swapped, b + 8);
	snaplen = get32(s->swapped, b + 12);
	/* libpcap 1.10 takes the file's link type and snapshot length from
	 * its first interface and stops at any that differs. */
	if (s->seen_idb && s->stop[0] == '\0') {
		if ((uint32_t)s->first_dlt != lt)
			snprintf(s->stop, sizeof s->stop,
			         "an interface has a type %u different from "
			         "the type of the first interface", (unsigned)lt);
		else if (s->first_snapshot !=
		         adjust_snapshot(s->first_dlt, snaplen))
			snprintf(s->stop, sizeof s->stop,
			         "an interface has a snapshot length %u "
			         "different from the snapshot length of the "
			         "first interface", snaplen);
	}
	s->seen_idb = true;
	if (s->nifs == SAVEFILE_MAX_IFACES) {
		snprintf(s->err, sizeof s->err,
		         "more than %u interfaces in a section",
		         SAVEFILE_MAX_IFACES);
		return damaged(s);
	}
	if (s->nifs == s->ifs_cap) {
		uint32_t cap = s->ifs_cap == 0 ? 4 : 2 * s->ifs_cap;
		struct sf_if *n = realloc(s->ifs, cap * sizeof *n);

		if (n == NULL) {
			snprintf(s->err, sizeof s->err, "out of memory");
			return damaged(s);
		}
		/* The last frame's interface moves with the array. */
		if (s->cur != &s->classic)
			s->cur = n + (s->cur - s->ifs);
		s->ifs = n;
		s->ifs_cap = cap;
	}
	i = &s->ifs[s->nifs];
	/* The first interface's link type is the one libpcap took, and so
	 * is any it accepts later (the same number). */
	if (s->nglobal == 0 || lt == (uint32_t)s->first_dlt)
		i->dlt = s->first_dlt;
	else
		i->dlt = linktype_dlt(lt);
	i->snapshot = adjust_snapshot(i->dlt, snaplen);
	if (!ng_if_options(s, b + 16, len - 12 - 8, i, &binary))
		return damaged(s);
	set_scale(i, binary);
	i->global = s->nglobal++;
	s->nifs++;
	return 1;
}

/* A Section Header Block after the first interface: a new section, with
 * interfaces of its own, in either byte order (libpcap demands the first
 * section's). */
static int
ng_shb(struct savefile *s, const uint8_t *b, uint32_t len)
{
	uint32_t bom;
	uint16_t major;

	if (len - 12 < 16)
		return too_short(s, NG_SHB);
	bom = get32(s->swapped, b + 8);
	major = get16(s->swapped, b + 12);
	if (bom == __builtin_bswap32(NG_BOM)) {
		/* Its length read the same both ways: read it again in its
		 * own order. */
		snprintf(s->err, sizeof s->err,
		         "the file has sections with different byte orders");
		s->pos -= len;
		if (other_order_section(s))
			return 1;
		return damaged(s);
	}
	if (bom != NG_BOM) {
		snprintf(s->err, sizeof s->err,
		         "the file has a section with a bad byte order magic "
		         "field");
		return damaged(s);
	}
	if (major != 1) {
		snprintf(s->err, sizeof s->err,
		         "unknown pcapng savefile major version number %u",
		         (unsigned)major);
		return damaged(s);
	}
	s->nifs = 0;
	s->cur = &s->classic;
	return 1;
}

/* libpcap's conversion of a timestamp in an interface's units. */
static void
ng_time(const struct sf_if *i, uint64_t t, struct pcap_pkthdr *hdr)
{
	uint64_t sec = t / i->tsresol + (uint64_t)i->tsoffset;
	uint64_t frac = t % i->tsresol;

	switch (i->scale) {
	case UP_DEC:
		frac *= i->factor;
		break;
	case DOWN_DEC:
		frac /= i->factor;
		break;
	case UP_BIN:
	case DOWN_BIN:
		frac *= USER_TSRESOL;
		frac /= i->tsresol;
		break;
	default:
		break;
	}
	hdr->ts.tv_sec = (time_t)sec;
	hdr->ts.tv_usec = (suseconds_t)(int)frac;
}

/*
 * A packet block: type is NG_EPB, NG_PB or NG_SPB. Checked in libpcap's
 * order: the fixed part, the interface, the snapshot length, the data.
 */
static int
ng_packet(struct savefile *s, uint32_t type, const uint8_t *b, uint32_t len,
          struct pcap_pkthdr *hdr, const uint8_t **data)
{
	uint32_t id, caplen, wire, fixed = type == NG_SPB ? 4 : 20;
	uint64_t t = 0;
	const struct sf_if *i;

	if (len - 12 < fixed)
		return too_short(s, type);
	if (type == NG_SPB) {
		id = 0;
		wire = get32(s->swapped, b + 8);
		caplen = wire;
	} else {
		id = type == NG_EPB ? get32(s->swapped, b + 8)
		                    : get16(s->swapped, b + 8);
		t = (uint64_t)get32(s->swapped, b + 12) << 32 |
		    get32(s->swapped, b + 16);
		caplen = get32(s->swapped, b + 20);
		wire = get32(s->swapped, b + 24);
	}
	if (id >= s->nifs) {
		snprintf(s->err, sizeof s->err,
		         "a packet arrived on interface %u, but there's no "
		         "Interface Description Block for that interface", id);
		return damaged(s);
	}
	i = &s->ifs[id];
	/* A Simple Packet Block holds what the snapshot length kept. */
	if (type == NG_SPB && caplen > i->snapshot)
		caplen = i->snapshot;
	if (caplen > i->snapshot) {
		snprintf(s->err, sizeof s->err,
		         "invalid packet capture length %u, bigger than snaplen "
		         "of %d", caplen, (int)i->snapshot);
		return damaged(s);
	}
	ng_time(i, t, hdr);
	if (caplen > len - 12 - fixed)
		return too_short(s, type);
	hdr->caplen = caplen;
	hdr->len = wire;
	*data = b + 8 + fixed;
	s->cur = i;
	s->cur_no_time = type == NG_SPB;
	return 1;
}

/* pcapng: the next packet block, stepping over the other blocks. */
int
sf_next_pcapng(struct savefile *s, struct pcap_pkthdr *hdr,
               const uint8_t **data)
{
	for (;;) {
		const uint8_t *b;
		uint32_t len, type;
		int rc = ng_block(s, &b, &len);

		if (rc == 0)
			return PCAP_ERROR_BREAK;
		if (rc < 0)
			return rc;
		type = get32(s->swapped, b);
		switch (type) {
		case NG_EPB:
		case NG_SPB:
		case NG_PB:
			return ng_packet(s, type, b, len, hdr, data);
		case NG_IDB:
			rc = ng_idb(s, b, len);
			break;
		case NG_SHB:
			/* Before the first interface libpcap steps over a
			 * section header as over any block. */
			rc = s->seen_idb ? ng_shb(s, b, len) : 1;
			break;
		default:
			rc = 1;
			break;
		}
		if (rc < 0)
			return rc;
	}
}
