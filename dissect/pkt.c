/* pkt.c: one captured frame down to TCP (IEEE 802.1Q, RFC 791 3.1, RFC 8200 4, RFC 9293 3.1). */
#include <string.h>

#include "pkt.h"
#include "rd.h"

/* EtherType values (IEEE registry) for the protocols we follow. */
#define ETYPE_IPV4 0x0800
#define ETYPE_IPV6 0x86dd
#define ETYPE_CTAG 0x8100     /* 802.1Q customer tag */
#define ETYPE_STAG 0x88a8     /* 802.1ad service tag */
#define ETYPE_STAG_OLD 0x9100 /* pre-802.1ad stacked tag, still seen */
#define ETYPE_NONE 0x0000     /* "not a protocol we follow" */

/* BSD address families: AF_INET6 differs between the BSDs. */
#define BSD_AF_INET 2
#define BSD_AF_INET6_NET 24 /* NetBSD, OpenBSD, BSD/OS */
#define BSD_AF_INET6_FREE 28 /* FreeBSD, DragonFly */
#define BSD_AF_INET6_DARWIN 30

#define ETH_HDR 14
#define VLAN_TAG 4
#define SLL_HDR 16
#define SLL2_HDR 20
#define NULL_HDR 4
#define IP4_HDR 20
#define IP6_HDR 40
#define TCP_HDR 20

#define NH_HOPOPTS 0
#define NH_TCP 6
#define NH_ROUTING 43
#define NH_FRAGMENT 44
#define NH_AH 51
#define NH_DSTOPTS 60

/*
 * At most this many IPv6 extension headers before TCP. Real stacks send
 * two or three; a longer chain is hostile and only costs us time.
 */
#define IP6_MAX_EXT 16

/* TCP option kinds (RFC 9293 3.2, RFC 7323 2.2 and 3.2, RFC 2018 2). */
#define TCPOPT_EOL 0
#define TCPOPT_NOP 1
#define TCPOPT_MSS 2
#define TCPOPT_WSCALE 3
#define TCPOPT_SACK_PERM 4
#define TCPOPT_TS 8

static inline uint16_t
be16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static inline uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline enum dis_status
fail(struct pkt *out, enum dis_status st, enum pkt_skip skip)
{
	out->skip = skip;
	return st;
}

static inline enum dis_status
short_hdr(struct pkt *out)
{
	return fail(out, DIS_SHORT, PKT_SKIP_TRUNCATED);
}

static inline enum dis_status
malformed(struct pkt *out)
{
	return fail(out, DIS_MALFORMED, PKT_SKIP_MALFORMED);
}

static inline bool
is_vlan_tpid(uint16_t t)
{
	return t == ETYPE_CTAG || t == ETYPE_STAG || t == ETYPE_STAG_OLD;
}

/*
 * Peel any number of VLAN tags (802.1Q / 802.1ad, stacked as QinQ) that
 * follow an EtherType equal to *type; leave the inner EtherType in *type.
 * The loop is bounded by the captured bytes: each tag consumes four.
 */
static enum dis_status
vlan_tags(struct rd *r, uint16_t *type, struct pkt *out)
{
	struct rd tag;

	while (is_vlan_tpid(*type)) {
		if (!rd_take(r, VLAN_TAG, &tag))
			return short_hdr(out);
		if (out->nvlan < PKT_MAX_VLAN)
			out->vlan[out->nvlan] = (uint16_t)(be16(tag.p) & 0x0fff);
		/* Count every tag, saturating rather than wrapping. */
		if (out->nvlan < UINT8_MAX)
			out->nvlan++;
		*type = be16(tag.p + 2);
	}
	if (out->nvlan > 0)
		out->anomalies |= PKT_A_VLAN;
	return DIS_OK;
}

static enum dis_status
link_ethernet(struct rd *r, uint16_t *type, struct pkt *out)
{
	struct rd h;

	if (!rd_take(r, ETH_HDR, &h))
		return short_hdr(out);
	*type = be16(h.p + 12);
	return vlan_tags(r, type, out);
}

/* Linux cooked v1: the protocol (an EtherType for Ethernet-like devices) is at 14. */
static enum dis_status
link_sll(struct rd *r, uint16_t *type, struct pkt *out)
{
	struct rd h;

	if (!rd_take(r, SLL_HDR, &h))
		return short_hdr(out);
	*type = be16(h.p + 14);
	return vlan_tags(r, type, out);
}

/* Linux cooked v2: the protocol leads the 20-byte header. */
static enum dis_status
link_sll2(struct rd *r, uint16_t *type, struct pkt *out)
{
	struct rd h;

	if (!rd_take(r, SLL2_HDR, &h))
		return short_hdr(out);
	*type = be16(h.p);
	return vlan_tags(r, type, out);
}

static uint16_t
bsd_family_type(uint32_t fam)
{
	switch (fam) {
	case BSD_AF_INET:
		return ETYPE_IPV4;
	case BSD_AF_INET6_NET:
	case BSD_AF_INET6_FREE:
	case BSD_AF_INET6_DARWIN:
		return ETYPE_IPV6;
	default:
		return ETYPE_NONE;
	}
}

/*
 * BSD null: the family is in the byte order of the machine that captured,
 * which the file does not tell us. Families are small, so a value with its
 * significant bytes at the top was written little-endian.
 */
static enum dis_status
link_null(struct rd *r, uint16_t *type, struct pkt *out)
{
	struct rd h;
	uint32_t fam;

	if (!rd_take(r, NULL_HDR, &h))
		return short_hdr(out);
	fam = be32(h.p);
	if (fam > 0xffffu)
		fam = (uint32_t)h.p[3] << 24 | (uint32_t)h.p[2] << 16 |
		      (uint32_t)h.p[1] << 8 | h.p[0];
	*type = bsd_family_type(fam);
	return DIS_OK;
}

/* OpenBSD loop: the same family word, always in network order. */
static enum dis_status
link_loop(struct rd *r, uint16_t *type, struct pkt *out)
{
	struct rd h;

	if (!rd_take(r, NULL_HDR, &h))
		return short_hdr(out);
	*type = bsd_family_type(be32(h.p));
	return DIS_OK;
}

/* Raw IP: the version nibble of the first byte tells v4 from v6. */
static enum dis_status
link_raw(const struct rd *r, uint16_t *type, struct pkt *out)
{
	if (r->left < 1)
		return short_hdr(out);
	switch (r->p[0] >> 4) {
	case 4:
		*type = ETYPE_IPV4;
		break;
	case 6:
		*type = ETYPE_IPV6;
		break;
	default:
		*type = ETYPE_NONE;
		break;
	}
	return DIS_OK;
}

/*
 * IPv4 (RFC 791 3.1). On success *seg holds the captured part of the IP
 * payload and *wire its length on the wire; captured never exceeds wire.
 * Source, destination, TTL and id are filled before any verdict so that
 * fragments and oddities can still be reported by address.
 */
static enum dis_status
ip4(struct rd *r, struct pkt *out, struct rd *seg, uint32_t *wire)
{
	struct rd hdr, opts;
	const uint8_t *h;
	size_t hl, tot, avail;
	uint16_t frag;

	if (!rd_take(r, IP4_HDR, &hdr))
		return short_hdr(out);
	h = hdr.p;
	if (h[0] >> 4 != 4)
		return malformed(out);
	out->ip_version = 4;
	out->ip_id = be16(h + 4);
	frag = be16(h + 6);
	out->ip_df = (frag & 0x4000) != 0;
	out->ttl = h[8];
	out->src.family = 4;
	memcpy(out->src.a, h + 12, 4);
	out->dst.family = 4;
	memcpy(out->dst.a, h + 16, 4);

	hl = (size_t)(h[0] & 0x0f) * 4;
	tot = be16(h + 2);
	/*
	 * A total length below the header is a lie. (A sender using TCP
	 * segmentation offload may show 0 here; that capture is not usable
	 * for sequence analysis anyway and is reported as malformed.)
	 */
	if (hl < IP4_HDR || tot < hl)
		return malformed(out);
	/* MF set or a non-zero offset: we count fragments, never reassemble. */
	if ((frag & 0x3fff) != 0) {
		out->anomalies |= PKT_A_IP_FRAGMENT;
		return fail(out, DIS_UNSUPPORTED, PKT_SKIP_FRAGMENT);
	}
	if (!rd_take(r, hl - IP4_HDR, &opts))
		return short_hdr(out);
	if (hl > IP4_HDR)
		out->anomalies |= PKT_A_IP_OPTIONS;
	if (h[9] != NH_TCP)
		return fail(out, DIS_UNSUPPORTED, PKT_SKIP_NOT_TCP);

	/* Bytes past the total length are link padding (Ethernet's 60-byte minimum). */
	avail = r->left;
	if (avail > tot - hl) {
		out->anomalies |= PKT_A_IP_LEN_PAD;
		avail = tot - hl;
	}
	rd_init(seg, r->p, avail);
	*wire = (uint32_t)(tot - hl);
	return DIS_OK;
}

/* Extension headers in the generic "next header, length in 8 octets" form (RFC 8200 4, RFC 6564). */
static bool
ip6_generic_ext(uint8_t nh)
{
	switch (nh) {
	case NH_HOPOPTS:
	case NH_ROUTING:
	case NH_DSTOPTS:
	case 135: /* Mobility, RFC 6275 */
	case 139: /* HIP, RFC 7401 */
	case 140: /* Shim6, RFC 5533 */
	case 253: /* experimental, RFC 3692 */
	case 254:
		return true;
	default:
		return false;
	}
}

/*
 * IPv6 (RFC 8200 3 and 4): the fixed header, then the extension-header
 * chain up to TCP. Every header length is checked against the payload
 * length on the wire (a lie: malformed) and against the captured bytes
 * (too few: short). Hop-by-hop is accepted anywhere in the chain, not
 * only first: being lenient costs nothing and hides no TCP.
 */
static enum dis_status
ip6(struct rd *r, struct pkt *out, struct rd *seg, uint32_t *wire)
{
	struct rd hdr, pl, ext;
	const uint8_t *h;
	size_t plen, avail, len;
	uint8_t nh;
	unsigned n;

	if (!rd_take(r, IP6_HDR, &hdr))
		return short_hdr(out);
	h = hdr.p;
	if (h[0] >> 4 != 6)
		return malformed(out);
	out->ip_version = 6;
	plen = be16(h + 4);
	nh = h[6];
	out->ttl = h[7];
	out->src.family = 6;
	memcpy(out->src.a, h + 8, 16);
	out->dst.family = 6;
	memcpy(out->dst.a, h + 24, 16);

	/*
	 * Payload length 0 before a hop-by-hop header announces a jumbogram
	 * (RFC 2675): its real length hides in an option. No IMAP path carries
	 * one, so it is refused rather than trusted.
	 */
	if (plen == 0 && nh == NH_HOPOPTS)
		return malformed(out);

	avail = r->left;
	if (avail > plen) {
		out->anomalies |= PKT_A_IP_LEN_PAD;
		avail = plen;
	}
	rd_init(&pl, r->p, avail);

	for (n = 0; nh != NH_TCP; n++) {
		bool is_frag = false;

		/* No next header (59), ESP (50), UDP, ICMPv6, ...: no TCP here. */
		if (!ip6_generic_ext(nh) && nh != NH_AH && nh != NH_FRAGMENT)
			return fail(out, DIS_UNSUPPORTED, PKT_SKIP_NOT_TCP);
		if (n >= IP6_MAX_EXT)
			return fail(out, DIS_LIMIT, PKT_SKIP_MALFORMED);
		if (plen < 2)
			return malformed(out);
		if (pl.left < 2)
			return short_hdr(out);
		switch (nh) {
		case NH_AH: /* RFC 4302 2.2: 4-octet units, minus 2 */
			len = ((size_t)pl.p[1] + 2) * 4;
			break;
		case NH_FRAGMENT: /* RFC 8200 4.5: fixed 8 octets */
			len = 8;
			is_frag = true;
			break;
		default:
			len = ((size_t)pl.p[1] + 1) * 8;
			break;
		}
		if (len > plen)
			return malformed(out);
		if (!rd_take(&pl, len, &ext))
			return short_hdr(out);
		plen -= len;
		nh = ext.p[0];
		if (is_frag) {
			out->anomalies |= PKT_A_IP_FRAGMENT;
			/*
			 * An atomic fragment (offset 0, M clear, RFC 6946)
			 * holds the whole packet and is decoded as such.
			 */
			if ((be16(ext.p + 2) & 0xfff9) != 0)
				return fail(out, DIS_UNSUPPORTED,
				            PKT_SKIP_FRAGMENT);
		}
	}
	*seg = pl;
	*wire = (uint32_t)plen;
	return DIS_OK;
}

/*
 * TCP options (RFC 9293 3.2). A bad length stops the walk: what was read
 * before stays, the segment itself is still good. A known option with the
 * wrong length is skipped by its length and flagged, not believed.
 */
static void
tcp_options(const uint8_t *p, size_t n, struct pkt *out)
{
	size_t i = 0;

	while (i < n) {
		uint8_t kind = p[i];
		size_t len;
		const uint8_t *v;

		if (kind == TCPOPT_EOL)
			return;
		if (kind == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (n - i < 2) {
			out->anomalies |= PKT_A_TCP_OPT_BAD;
			return;
		}
		len = p[i + 1];
		if (len < 2 || len > n - i) {
			out->anomalies |= PKT_A_TCP_OPT_BAD;
			return;
		}
		v = p + i + 2;
		switch (kind) {
		case TCPOPT_MSS:
			if (len == 4) {
				out->has_mss = true;
				out->mss = be16(v);
			} else {
				out->anomalies |= PKT_A_TCP_OPT_BAD;
			}
			break;
		case TCPOPT_WSCALE:
			/* Kept as sent; RFC 7323 2.3 clamps above 14 when used. */
			if (len == 3) {
				out->has_wscale = true;
				out->wscale = v[0];
			} else {
				out->anomalies |= PKT_A_TCP_OPT_BAD;
			}
			break;
		case TCPOPT_SACK_PERM:
			if (len == 2)
				out->has_sack_perm = true;
			else
				out->anomalies |= PKT_A_TCP_OPT_BAD;
			break;
		case TCPOPT_TS:
			if (len == 10) {
				out->has_ts = true;
				out->ts_val = be32(v);
				out->ts_ecr = be32(v + 4);
			} else {
				out->anomalies |= PKT_A_TCP_OPT_BAD;
			}
			break;
		default: /* SACK blocks and the rest: skipped by length */
			break;
		}
		i += len;
	}
}

/* TCP (RFC 9293 3.1). seg: captured bytes of the segment; wire: its length on the wire. */
static enum dis_status
tcp(struct rd *seg, uint32_t wire, struct pkt *out)
{
	struct rd hdr, opts;
	const uint8_t *h;
	size_t hl;

	if (wire < TCP_HDR)
		return malformed(out);
	if (!rd_take(seg, TCP_HDR, &hdr))
		return short_hdr(out);
	h = hdr.p;
	hl = (size_t)(h[12] >> 4) * 4;
	if (hl < TCP_HDR || hl > wire)
		return malformed(out);
	if (!rd_take(seg, hl - TCP_HDR, &opts))
		return short_hdr(out);

	out->sport = be16(h);
	out->dport = be16(h + 2);
	out->seq = be32(h + 4);
	out->ack = be32(h + 8);
	out->flags = h[13];
	out->window = be16(h + 14);
	if (opts.left > 0)
		tcp_options(opts.p, opts.left, out);

	out->payload.p = seg->p;
	out->payload.n = seg->left;
	out->payload_len = wire - (uint32_t)hl;
	if (out->payload.n < out->payload_len)
		out->anomalies |= PKT_A_TRUNCATED;
	return DIS_OK;
}

enum dis_status
pkt_decode(enum pkt_link link, const uint8_t *frame, size_t caplen,
           struct pkt *out)
{
	struct rd r, seg;
	uint16_t type = ETYPE_NONE;
	uint32_t wire = 0;
	enum dis_status st;

	memset(out, 0, sizeof *out);
	rd_init(&r, frame, caplen);
	if (r.left == 0)
		return short_hdr(out);

	switch (link) {
	case PKT_LINK_NULL:
		st = link_null(&r, &type, out);
		break;
	case PKT_LINK_LOOP:
		st = link_loop(&r, &type, out);
		break;
	case PKT_LINK_ETHERNET:
		st = link_ethernet(&r, &type, out);
		break;
	case PKT_LINK_RAW:
		st = link_raw(&r, &type, out);
		break;
	case PKT_LINK_IPV4:
		type = ETYPE_IPV4;
		st = DIS_OK;
		break;
	case PKT_LINK_IPV6:
		type = ETYPE_IPV6;
		st = DIS_OK;
		break;
	case PKT_LINK_SLL:
		st = link_sll(&r, &type, out);
		break;
	case PKT_LINK_SLL2:
		st = link_sll2(&r, &type, out);
		break;
	default:
		return fail(out, DIS_UNSUPPORTED, PKT_SKIP_NOT_IP);
	}
	if (st != DIS_OK)
		return st;

	if (type == ETYPE_IPV4)
		st = ip4(&r, out, &seg, &wire);
	else if (type == ETYPE_IPV6)
		st = ip6(&r, out, &seg, &wire);
	else
		return fail(out, DIS_UNSUPPORTED, PKT_SKIP_NOT_IP);
	if (st != DIS_OK)
		return st;
	return tcp(&seg, wire, out);
}

/*
 * The checks pkt_decode makes on this path, in the same order, with every
 * branch where it would refuse or report something other than truncation
 * answered "ask pkt_decode" instead. The fuzz target holds the two to
 * agreement.
 */
bool
pkt_quick(enum pkt_link link, const uint8_t *frame, size_t caplen,
          struct pkt_quick *out)
{
	const uint8_t *ip = frame + ETH_HDR, *tcp = ip + IP4_HDR;
	size_t tot, wire, avail, hl;

	if (link != PKT_LINK_ETHERNET || caplen < ETH_HDR + IP4_HDR + TCP_HDR)
		return false;
	/* Untagged IPv4; IHL 5; no MF, no offset; TCP. */
	if (be16(frame + 12) != ETYPE_IPV4 || ip[0] != 0x45 ||
	    (be16(ip + 6) & 0x3fff) != 0 || ip[9] != NH_TCP)
		return false;
	tot = be16(ip + 2);
	if (tot < IP4_HDR + TCP_HDR)
		return false;
	wire = tot - IP4_HDR;
	avail = caplen - ETH_HDR - IP4_HDR;
	if (avail > wire)
		avail = wire;
	hl = (size_t)(tcp[12] >> 4) * 4;
	if (hl < TCP_HDR || hl > wire || hl > avail)
		return false;
	out->sport = be16(tcp);
	out->dport = be16(tcp + 2);
	out->truncated = avail - hl < wire - hl;
	return true;
}

const char *
pkt_link_name(enum pkt_link link)
{
	switch (link) {
	case PKT_LINK_NULL:
		return "BSD loopback (NULL)";
	case PKT_LINK_LOOP:
		return "OpenBSD loopback (LOOP)";
	case PKT_LINK_ETHERNET:
		return "Ethernet";
	case PKT_LINK_RAW:
		return "raw IP";
	case PKT_LINK_IPV4:
		return "raw IPv4";
	case PKT_LINK_IPV6:
		return "raw IPv6";
	case PKT_LINK_SLL:
		return "Linux cooked (SLL)";
	case PKT_LINK_SLL2:
		return "Linux cooked v2 (SLL2)";
	}
	return "unknown";
}
