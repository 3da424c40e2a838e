/* pkt.c: one captured frame down to TCP, through the tunnels around it (IEEE 802.1Q, RFC 791 3.1, RFC 8200 4, RFC 9293 3.1; each tunnel's spec at its parser). */
#include <stddef.h>
#include <string.h>

#include "pkt.h"
#include "rd.h"

/* EtherType values (IEEE registry) for the protocols we follow. */
#define ETYPE_IPV4 0x0800
#define ETYPE_IPV6 0x86dd
#define ETYPE_CTAG 0x8100     /* 802.1Q customer tag */
#define ETYPE_STAG 0x88a8     /* 802.1ad service tag */
#define ETYPE_STAG_OLD 0x9100 /* pre-802.1ad stacked tag, still seen */
#define ETYPE_MPLS 0x8847
#define ETYPE_MPLS_MC 0x8848
#define ETYPE_PPPOE 0x8864    /* PPPoE session stage (RFC 2516) */
#define ETYPE_TEB 0x6558      /* transparent Ethernet bridging: a frame */
#define ETYPE_ERSPAN12 0x88be
#define ETYPE_ERSPAN3 0x22eb
#define ETYPE_ARP 0x0806
#define ETYPE_NONE 0x0000     /* "not a protocol we follow" */
/*
 * Two values of our own where an EtherType goes (real ones start at
 * 0x0600): "IPv4 or IPv6, as the version nibble says", and "a tunnel
 * payload we do not follow".
 */
#define NEXT_IP_ANY 0x0001
#define NEXT_UNDECODED 0x0002
/* And "an 802.11 frame", as Aruba's GRE carries. */
#define NEXT_WLAN 0x0003

/*
 * The GRE protocol types of Aruba's access-point tunnels, 0x8200 to 0x8370
 * in steps of 0x10 (not registered; as Wireshark and Zeek decode them):
 * each carries an 802.11 frame without its FCS.
 */
#define GRE_ARUBA_FIRST 0x8200
#define GRE_ARUBA_LAST 0x8370

/* IEEE 802.11-2020 9.2.4.1: frame control bits we look at. */
#define WLAN_TYPE_DATA 2
#define WLAN_TO_DS 0x01
#define WLAN_FROM_DS 0x02
#define WLAN_MORE_FRAG 0x04
#define WLAN_PROTECTED 0x40
#define WLAN_ORDER 0x80   /* +HTC in a QoS data frame */
#define WLAN_HDR 24       /* frame control to sequence control */
#define WLAN_QOS_AMSDU 0x80 /* QoS control, first byte (9.2.4.5.9) */
#define AMSDU_SUB_HDR 14  /* DA, SA, length (9.3.2.2.2) */

/* BSD address families: AF_INET6 differs between the BSDs. */
#define BSD_AF_INET 2
#define BSD_AF_INET6_NET 24 /* NetBSD, OpenBSD, BSD/OS */
#define BSD_AF_INET6_FREE 28 /* FreeBSD, DragonFly */
#define BSD_AF_INET6_DARWIN 30

/* Linux address families in the NFLOG header. */
#define LINUX_AF_INET 2
#define LINUX_AF_INET6 10

#define ETH_HDR 14
#define VLAN_TAG 4
#define SLL_HDR 16
#define SLL2_HDR 20
#define NULL_HDR 4
#define NFLOG_HDR 4
#define IP4_HDR 20
#define IP6_HDR 40
#define TCP_HDR 20
#define UDP_HDR 8

#define NH_HOPOPTS 0
#define NH_IPIP 4
#define NH_TCP 6
#define NH_UDP 17
#define NH_IPV6 41
#define NH_ROUTING 43
#define NH_FRAGMENT 44
#define NH_GRE 47
#define NH_AH 51
#define NH_DSTOPTS 60

/* Well-known UDP destination ports of tunnels. */
#define PORT_VXLAN 4789       /* RFC 7348 */
#define PORT_VXLAN_LINUX 8472 /* Linux's default before IANA assigned 4789 */
#define PORT_GENEVE 6081      /* RFC 8926 */
#define PORT_GTPU 2152        /* 3GPP TS 29.281 */

/* NFLOG TLV type of the packet itself (linux/netfilter/nfnetlink_log.h). */
#define NFULA_PAYLOAD 9

/*
 * At most this many IPv6 extension headers before TCP. Real stacks send
 * two or three; a longer chain is hostile and only costs us time.
 */
#define IP6_MAX_EXT 16
/* The same for GTP-U extension headers (TS 29.281 5.2): one or two. */
#define GTPU_MAX_EXT 16

/* The few steps every frame takes are inlined where the common frame
 * meets them, though the tunnel loop calls them too. */
#if defined(__GNUC__) || defined(__clang__)
#define HOT_INLINE __attribute__((always_inline)) inline
#else
#define HOT_INLINE inline
#endif

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
be24(const uint8_t *p)
{
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
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

static inline enum dis_status
undecoded(struct pkt *out)
{
	return fail(out, DIS_UNSUPPORTED, PKT_SKIP_TUNNEL);
}

/*
 * Where decoding stands: the captured bytes still to read, and how many
 * bytes the enclosing header says there are on the wire (not known at the
 * link layer: the first length field is the IP header's, or 802.3's). A
 * header that claims more than its container holds is a lie (malformed);
 * one the capture cut is short.
 */
struct cur {
	struct rd r;
	size_t wire;
	bool wire_known;
	unsigned sub; /* which A-MSDU subframe is wanted (pkt_decode_sub) */
};

static inline enum dis_status
take(struct cur *c, size_t n, struct rd *sub, struct pkt *out)
{
	if (c->wire_known && n > c->wire)
		return malformed(out);
	if (!rd_take(&c->r, n, sub))
		return short_hdr(out);
	if (c->wire_known)
		c->wire -= n;
	return DIS_OK;
}

/* A header declares that n bytes follow: more on the wire is a lie, more
 * captured is padding. */
static inline enum dis_status
narrow(struct cur *c, size_t n, struct pkt *out)
{
	if (c->wire_known && n > c->wire)
		return malformed(out);
	if (c->r.left > n)
		c->r.left = n;
	c->wire = n;
	c->wire_known = true;
	return DIS_OK;
}

/* One more layer around the segment; beyond PKT_MAX_ENCAP the frame is
 * refused. A layer carried by IP takes that header's addresses. */
static enum dis_status
push(struct pkt *out, enum pkt_encap_type type, bool has_id, uint32_t id,
     bool by_ip)
{
	struct pkt_encap *e;

	if (out->nencap >= PKT_MAX_ENCAP)
		return fail(out, DIS_LIMIT, PKT_SKIP_MALFORMED);
	e = &out->encap[out->nencap++];
	memset(e, 0, sizeof *e);
	e->type = (uint8_t)type;
	e->has_id = has_id;
	e->id = has_id ? id : 0;
	e->has_outer = by_ip;
	if (by_ip) {
		e->outer_src = out->src;
		e->outer_dst = out->dst;
	}
	out->anomalies |= PKT_A_ENC(type) |
	                  (type == PKT_ENC_VLAN ? PKT_A_VLAN : PKT_A_TUNNEL);
	return DIS_OK;
}

/* IEEE 802.2 LLC with a SNAP header (RFC 1042, 802.1H), up to the
 * EtherType it names. Any other LLC is not IP. */
static enum dis_status
snap(struct cur *c, uint16_t *type, struct pkt *out)
{
	struct rd h;
	enum dis_status st;
	uint32_t oui;

	*type = ETYPE_NONE;
	st = take(c, 3, &h, out);
	if (st != DIS_OK)
		return st;
	if (h.p[0] != 0xaa || h.p[1] != 0xaa || h.p[2] != 0x03)
		return DIS_OK;
	st = take(c, 5, &h, out);
	if (st != DIS_OK)
		return st;
	oui = be24(h.p);
	if (oui == 0x000000 || oui == 0x0000f8)
		*type = be16(h.p + 3);
	return DIS_OK;
}

/* LLC/SNAP in an 802.3 frame, whose type field is a length: IP in it. */
static enum dis_status
llc_snap(struct cur *c, uint16_t len, uint16_t *type, struct pkt *out)
{
	enum dis_status st = narrow(c, len, out);

	*type = ETYPE_NONE;
	return st == DIS_OK ? snap(c, type, out) : st;
}

/* An Ethernet header: at the link layer, or inside a tunnel. */
static enum dis_status
ether(struct cur *c, uint16_t *type, struct pkt *out)
{
	struct rd h;
	enum dis_status st = take(c, ETH_HDR, &h, out);

	if (st != DIS_OK)
		return st;
	*type = be16(h.p + 12);
	if (*type <= 1500)
		return llc_snap(c, *type, type, out);
	if (*type < 0x0600) /* neither a length nor an EtherType */
		*type = ETYPE_NONE;
	return DIS_OK;
}

/* Linux cooked v1: the protocol (an EtherType for Ethernet-like devices) is at 14. */
static enum dis_status
link_sll(struct cur *c, uint16_t *type, struct pkt *out)
{
	struct rd h;

	if (!rd_take(&c->r, SLL_HDR, &h))
		return short_hdr(out);
	*type = be16(h.p + 14);
	return DIS_OK;
}

/* Linux cooked v2: the protocol leads the 20-byte header. */
static enum dis_status
link_sll2(struct cur *c, uint16_t *type, struct pkt *out)
{
	struct rd h;

	if (!rd_take(&c->r, SLL2_HDR, &h))
		return short_hdr(out);
	*type = be16(h.p);
	return DIS_OK;
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
link_null(struct cur *c, uint16_t *type, struct pkt *out)
{
	struct rd h;
	uint32_t fam;

	if (!rd_take(&c->r, NULL_HDR, &h))
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
link_loop(struct cur *c, uint16_t *type, struct pkt *out)
{
	struct rd h;

	if (!rd_take(&c->r, NULL_HDR, &h))
		return short_hdr(out);
	*type = bsd_family_type(be32(h.p));
	return DIS_OK;
}

/* Raw IP: the version nibble of the first byte tells v4 from v6. */
static enum dis_status
link_raw(const struct cur *c, uint16_t *type, struct pkt *out)
{
	if (c->r.left < 1)
		return short_hdr(out);
	switch (c->r.p[0] >> 4) {
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

/* NFLOG TLV fields are in the byte order of the machine reading the file
 * (libpcap swaps those of a file written elsewhere). */
static uint16_t
host16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof v);
	return v;
}

/*
 * Linux NFLOG (LINKTYPE_NFLOG): family, version 0, resource id, then
 * netlink-style TLVs, each padded to 4 bytes; the packet, from its IP
 * header, is the value of NFULA_PAYLOAD. A frame without one (the log
 * rule copied no bytes) holds no packet.
 */
static enum dis_status
link_nflog(struct cur *c, uint16_t *type, struct pkt *out)
{
	struct rd h;

	if (!rd_take(&c->r, NFLOG_HDR, &h))
		return short_hdr(out);
	*type = ETYPE_NONE;
	if (h.p[1] != 0)
		return DIS_OK;
	while (c->r.left >= 4) {
		size_t len = host16(c->r.p);
		/* The top two bits flag nesting and byte order. */
		uint16_t t = host16(c->r.p + 2) & 0x3fff;

		if (len < 4)
			return malformed(out);
		if (t == NFULA_PAYLOAD) {
			rd_init(&c->r, c->r.p + 4, c->r.left - 4);
			if (c->r.left > len - 4)
				c->r.left = len - 4;
			c->wire = len - 4;
			c->wire_known = true;
			if (h.p[0] == LINUX_AF_INET)
				*type = ETYPE_IPV4;
			else if (h.p[0] == LINUX_AF_INET6)
				*type = ETYPE_IPV6;
			return DIS_OK;
		}
		if (len > c->r.left)
			return short_hdr(out);
		/* The last TLV's padding may be missing. */
		len = (len + 3) & ~(size_t)3;
		if (len > c->r.left)
			len = c->r.left;
		if (!rd_skip(&c->r, len))
			return short_hdr(out);
	}
	return c->r.left > 0 ? short_hdr(out) : DIS_OK;
}

static bool
is_vlan_tpid(uint16_t t)
{
	return t == ETYPE_CTAG || t == ETYPE_STAG || t == ETYPE_STAG_OLD;
}

/* One 802.1Q / 802.1ad tag (TCI, then the next EtherType). */
static enum dis_status
vlan_tag(struct cur *c, uint16_t *type, struct pkt *out)
{
	struct rd tag;
	enum dis_status st = take(c, VLAN_TAG, &tag, out);

	if (st != DIS_OK)
		return st;
	*type = be16(tag.p + 2);
	return push(out, PKT_ENC_VLAN, true, be16(tag.p) & 0x0fffu, false);
}

static bool
known_etype(uint16_t t)
{
	return t == ETYPE_IPV4 || t == ETYPE_IPV6 || is_vlan_tpid(t) ||
	       t == ETYPE_MPLS || t == ETYPE_MPLS_MC || t == ETYPE_PPPOE ||
	       t == ETYPE_ARP;
}

/*
 * MPLS (RFC 3032): label stack entries down to the one with the
 * bottom-of-stack bit, each a layer. The payload says nothing of its own
 * type; as routers and Wireshark do, the first nibble guesses it: 4 IPv4,
 * 6 IPv6, otherwise an Ethernet pseudowire (RFC 4448), whose control word
 * (first nibble 0, RFC 4385) is told from a destination MAC starting with
 * 0 by where a known EtherType sits.
 */
static enum dis_status
mpls(struct cur *c, uint16_t *type, struct pkt *out)
{
	struct rd e;
	enum dis_status st;
	const uint8_t *p;
	bool bottom = false;

	while (!bottom) {
		st = take(c, 4, &e, out);
		if (st != DIS_OK)
			return st;
		bottom = (e.p[2] & 0x01) != 0;
		st = push(out, PKT_ENC_MPLS, true, be32(e.p) >> 12, false);
		if (st != DIS_OK)
			return st;
	}
	if (c->r.left == 0)
		return c->wire_known && c->wire == 0
		           ? fail(out, DIS_UNSUPPORTED, PKT_SKIP_NOT_IP)
		           : short_hdr(out);
	p = c->r.p;
	switch (p[0] >> 4) {
	case 4:
		*type = (p[0] & 0x0f) >= 5 ? ETYPE_IPV4 : ETYPE_TEB;
		return DIS_OK;
	case 6:
		*type = ETYPE_IPV6;
		return DIS_OK;
	case 0:
		/* Cut before the two places an EtherType could be: the
		 * capture cannot tell. */
		if (c->r.left < 4 + ETH_HDR)
			return short_hdr(out);
		if (known_etype(be16(p + 4 + 12)) && !known_etype(be16(p + 12))) {
			st = take(c, 4, &e, out); /* the control word */
			if (st != DIS_OK)
				return st;
		}
		break;
	default:
		break;
	}
	*type = ETYPE_TEB;
	return DIS_OK;
}

/*
 * PPPoE session stage (RFC 2516 4 and 5.4): version and type 1, code 0,
 * the session id, the PPP payload length; then PPP's protocol field (RFC
 * 1661 2), two bytes or one when compressed (RFC 1661 6.5: odd).
 */
static enum dis_status
pppoe(struct cur *c, uint16_t *type, struct pkt *out)
{
	struct rd h;
	enum dis_status st = take(c, 6, &h, out);
	uint16_t proto;

	if (st != DIS_OK)
		return st;
	*type = ETYPE_NONE;
	if (h.p[0] != 0x11 || h.p[1] != 0x00)
		return fail(out, DIS_UNSUPPORTED, PKT_SKIP_NOT_IP);
	st = narrow(c, be16(h.p + 4), out);
	if (st == DIS_OK)
		st = push(out, PKT_ENC_PPPOE, true, be16(h.p + 2), false);
	if (st == DIS_OK)
		st = take(c, 1, &h, out);
	if (st != DIS_OK)
		return st;
	proto = h.p[0];
	if ((proto & 1) == 0) {
		st = take(c, 1, &h, out);
		if (st != DIS_OK)
			return st;
		proto = (uint16_t)(proto << 8 | h.p[0]);
	}
	if (proto == 0x0021)
		*type = ETYPE_IPV4;
	else if (proto == 0x0057)
		*type = ETYPE_IPV6;
	return DIS_OK;
}

/* Where the innermost IP header starts, for a filter on the packet a
 * tunnel carried. */
static inline void
note_ip(struct pkt *out, const struct rd *at, size_t len)
{
	out->ip.p = at->p;
	out->ip.n = at->left < len ? at->left : len;
	out->ip_len = (uint32_t)len;
}

/*
 * IPv4 (RFC 791 3.1). On success the cursor holds the IP payload (its
 * captured part; its length on the wire) and *proto its protocol.
 * Source, destination, TTL and id are filled before any verdict so that
 * fragments and oddities can still be reported by address.
 */
static HOT_INLINE enum dis_status
ip4(struct cur *c, struct pkt *out, uint8_t *proto)
{
	struct rd hdr, opts, at = c->r;
	const uint8_t *h;
	size_t hl, tot;
	uint16_t frag;
	enum dis_status st = take(c, IP4_HDR, &hdr, out);

	if (st != DIS_OK)
		return st;
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
	/* Inside a tunnel, an outer IPv6 header may have filled the rest. */
	if (out->nencap > 0) {
		memset(out->src.a + 4, 0, 12);
		memset(out->dst.a + 4, 0, 12);
	}

	hl = (size_t)(h[0] & 0x0f) * 4;
	tot = be16(h + 2);
	/*
	 * Inside a tunnel, a total length beyond what the tunnel's header
	 * carries is believed less than the tunnel (as Wireshark does: seen
	 * from a PPPoE concentrator that padded IP but not PPPoE).
	 */
	if (c->wire_known && tot > IP4_HDR && tot - IP4_HDR > c->wire) {
		tot = c->wire + IP4_HDR;
		out->anomalies |= PKT_A_LEN_CLAMPED;
	}
	/*
	 * A total length below the header is a lie. (A sender using TCP
	 * segmentation offload may show 0 here; that capture is not usable
	 * for sequence analysis anyway and is reported as malformed.)
	 */
	if (hl < IP4_HDR || tot < hl)
		return malformed(out);
	note_ip(out, &at, tot);
	/* MF set or a non-zero offset: we count fragments, never reassemble. */
	if ((frag & 0x3fff) != 0) {
		out->anomalies |= PKT_A_IP_FRAGMENT;
		return fail(out, DIS_UNSUPPORTED, PKT_SKIP_FRAGMENT);
	}
	if (!rd_take(&c->r, hl - IP4_HDR, &opts))
		return short_hdr(out);
	if (hl > IP4_HDR)
		out->anomalies |= PKT_A_IP_OPTIONS;
	*proto = h[9];

	/* Bytes past the total length are link padding (Ethernet's 60-byte minimum). */
	if (c->r.left > tot - hl)
		out->anomalies |= PKT_A_IP_LEN_PAD;
	c->wire_known = false;
	return narrow(c, tot - hl, out);
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
 * chain up to the first header that is not one (TCP, or a tunnel's).
 * Every header length is checked against the payload length on the wire
 * (a lie: malformed) and against the captured bytes (too few: short).
 * Hop-by-hop is accepted anywhere in the chain, not only first: being
 * lenient costs nothing and hides no TCP.
 */
static HOT_INLINE enum dis_status
ip6(struct cur *c, struct pkt *out, uint8_t *proto)
{
	struct rd hdr, pl, ext, at = c->r;
	const uint8_t *h;
	size_t plen, avail, len;
	uint8_t nh;
	unsigned n;
	enum dis_status st = take(c, IP6_HDR, &hdr, out);

	if (st != DIS_OK)
		return st;
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
	/* Inside a tunnel, the tunnel's length is believed (see ip4). */
	if (c->wire_known && plen > c->wire) {
		plen = c->wire;
		out->anomalies |= PKT_A_LEN_CLAMPED;
	}
	note_ip(out, &at, IP6_HDR + plen);

	avail = c->r.left;
	if (avail > plen) {
		out->anomalies |= PKT_A_IP_LEN_PAD;
		avail = plen;
	}
	rd_init(&pl, c->r.p, avail);

	for (n = 0; nh != NH_TCP && (ip6_generic_ext(nh) || nh == NH_AH ||
	                             nh == NH_FRAGMENT);
	     n++) {
		bool is_frag = false;

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
	/* No next header (59), ESP (50), ICMPv6, ...: the caller says no TCP. */
	*proto = nh;
	c->r = pl;
	c->wire = plen;
	c->wire_known = true;
	return DIS_OK;
}

/*
 * GRE (RFC 2784, with RFC 2890's key and sequence number): version 0
 * only; version 1 (PPTP, RFC 2637) carries PPP and a routing field (RFC
 * 1701) is obsolete, neither is followed. The protocol type is an
 * EtherType; 0x88be is ERSPAN type II when a sequence number is present,
 * type I without one (its frame follows the GRE header directly), and
 * 0x22eb ERSPAN type III.
 */
static enum dis_status
gre(struct cur *c, uint16_t *type, struct pkt *out)
{
	struct rd h, opt;
	uint16_t flags, ptype;
	size_t n, keyat;
	bool has_key, has_seq;
	enum dis_status st = take(c, 4, &h, out);

	if (st != DIS_OK)
		return st;
	flags = be16(h.p);
	ptype = be16(h.p + 2);
	if ((flags & 0x0007) != 0 || (flags & 0x4000) != 0)
		return undecoded(out);
	has_key = (flags & 0x2000) != 0;
	has_seq = (flags & 0x1000) != 0;
	keyat = (flags & 0x8000) ? 4 : 0;
	n = keyat + (has_key ? 4u : 0u) + (has_seq ? 4u : 0u);
	st = take(c, n, &opt, out);
	if (st != DIS_OK)
		return st;
	switch (ptype) {
	case ETYPE_ERSPAN12:
		if (!has_seq) {
			*type = ETYPE_TEB;
			return push(out, PKT_ENC_ERSPAN1, false, 0, true);
		}
		/* ERSPAN type II (draft-foschiano-erspan 4.2): version 1,
		 * VLAN, COS, encapsulation, truncated, session id, index. */
		st = take(c, 8, &h, out);
		if (st != DIS_OK)
			return st;
		if (h.p[0] >> 4 != 1)
			return undecoded(out);
		*type = ETYPE_TEB;
		return push(out, PKT_ENC_ERSPAN2, true, be16(h.p + 2) & 0x03ffu,
		            true);
	case ETYPE_ERSPAN3:
		/* ERSPAN type III (4.3): version 2, 12 bytes, then an 8-byte
		 * platform subheader when O is set; FT says Ethernet (0) or
		 * IP (2). */
		st = take(c, 12, &h, out);
		if (st != DIS_OK)
			return st;
		if (h.p[0] >> 4 != 2)
			return undecoded(out);
		switch ((h.p[10] >> 2) & 0x1f) {
		case 0:
			*type = ETYPE_TEB;
			break;
		case 2:
			*type = NEXT_IP_ANY;
			break;
		default:
			return undecoded(out);
		}
		if (h.p[11] & 0x01) {
			st = take(c, 8, &opt, out);
			if (st != DIS_OK)
				return st;
		}
		return push(out, PKT_ENC_ERSPAN3, true, be16(h.p + 2) & 0x03ffu,
		            true);
	case ETYPE_IPV4:
	case ETYPE_IPV6:
	case ETYPE_TEB:
	case ETYPE_MPLS:
	case ETYPE_MPLS_MC:
		*type = ptype;
		return push(out, PKT_ENC_GRE, has_key,
		            has_key ? be32(opt.p + keyat) : 0, true);
	default:
		if (ptype < GRE_ARUBA_FIRST || ptype > GRE_ARUBA_LAST ||
		    (ptype & 0x000f) != 0)
			return undecoded(out);
		*type = NEXT_WLAN;
		return push(out, PKT_ENC_GRE, has_key,
		            has_key ? be32(opt.p + keyat) : 0, true);
	}
}

/*
 * An 802.11 A-MSDU (IEEE 802.11-2020 9.3.2.2.2): subframes of destination,
 * source, a big-endian length and that many bytes of MSDU (LLC/SNAP, then
 * the packet), each but the last padded to a multiple of 4 bytes (a
 * padded last one is accepted too). The cursor holds the frame body. The
 * whole chain is walked, to count the subframes, and the cursor left on
 * subframe c->sub. A length beyond what the frame carries is a lie; more
 * than PKT_MAX_SUB subframes is refused. Where the capture ends inside
 * the chain, the subframes seen so far are all there are to ask for (the
 * one cut short is decoded as far as it goes).
 */
static enum dis_status
amsdu(struct cur *c, uint16_t *type, struct pkt *out)
{
	struct cur at = *c, sel;
	struct rd h;
	size_t len, pad, got;
	unsigned n = 0;
	bool found = false;
	enum dis_status st;

	memset(&sel, 0, sizeof sel);
	while (at.wire_known ? at.wire > 0 : at.r.left > 0) {
		if (n >= PKT_MAX_SUB)
			return fail(out, DIS_LIMIT, PKT_SKIP_MALFORMED);
		if (found && at.r.left < AMSDU_SUB_HDR &&
		    !(at.wire_known && at.wire < AMSDU_SUB_HDR))
			break; /* cut after the wanted one: the rest unseen */
		st = take(&at, AMSDU_SUB_HDR, &h, out);
		if (st != DIS_OK)
			return st;
		len = be16(h.p + 12);
		if (at.wire_known && len > at.wire)
			return malformed(out);
		if (n == c->sub) {
			sel = at;
			st = narrow(&sel, len, out);
			if (st != DIS_OK)
				return st;
			found = true;
		}
		n++;
		got = at.r.left < len ? at.r.left : len;
		if (!rd_skip(&at.r, got))
			return short_hdr(out); /* cannot be: got <= left */
		if (at.wire_known)
			at.wire -= len;
		if (got < len) {
			if (!found)
				return short_hdr(out);
			break;
		}
		pad = (4 - (AMSDU_SUB_HDR + len) % 4) % 4;
		if (at.wire_known && pad > at.wire)
			pad = at.wire; /* the last one, unpadded */
		if (!at.wire_known && pad > at.r.left)
			pad = at.r.left;
		if (pad > at.r.left) {
			if (!found)
				return short_hdr(out);
			break; /* cut in the padding after the wanted one */
		}
		st = take(&at, pad, &h, out);
		if (st != DIS_OK)
			return st;
	}
	if (!found)
		return malformed(out); /* empty, or no such subframe */
	out->nsub = (uint8_t)n;
	out->sub = (uint8_t)c->sub;
	*c = sel;
	return snap(c, type, out);
}

/*
 * An 802.11 frame (IEEE 802.11-2020 9.2.3, 9.3.2.1): frame control,
 * duration, three addresses, sequence control, a fourth address when both
 * To DS and From DS are set, QoS control in a QoS data frame, and HT
 * control when a QoS data frame has its Order (+HTC) bit set. Only data
 * frames that carry data are followed; a fragment is not reassembled; a
 * protected frame (WEP, TKIP, CCMP, GCMP) cannot be read and is refused
 * as an undecoded tunnel payload. The body is LLC/SNAP, or an A-MSDU when
 * QoS control says so.
 */
static enum dis_status
wlan(struct cur *c, uint16_t *type, struct pkt *out)
{
	struct rd h, q;
	uint8_t fc0, fc1, sub;
	size_t n;
	bool qos;
	enum dis_status st = take(c, WLAN_HDR, &h, out);

	if (st != DIS_OK)
		return st;
	fc0 = h.p[0];
	fc1 = h.p[1];
	*type = ETYPE_NONE;
	if ((fc0 & 0x03) != 0)
		return malformed(out); /* protocol version 0 only */
	if (((fc0 >> 2) & 0x03) != WLAN_TYPE_DATA)
		return fail(out, DIS_UNSUPPORTED, PKT_SKIP_NOT_IP);
	sub = fc0 >> 4;
	qos = (sub & 0x08) != 0;
	st = push(out, PKT_ENC_WLAN, false, 0, false);
	if (st != DIS_OK)
		return st;
	/* Subtypes with bit 2 set (Null, QoS Null, CF-Ack ...) carry no data. */
	if (sub & 0x04)
		return fail(out, DIS_UNSUPPORTED, PKT_SKIP_NOT_IP);
	/* Sequence control is little-endian: the fragment number is the
	 * low nibble of its first byte. */
	if ((fc1 & WLAN_MORE_FRAG) != 0 || (h.p[22] & 0x0f) != 0) {
		out->anomalies |= PKT_A_IP_FRAGMENT;
		return fail(out, DIS_UNSUPPORTED, PKT_SKIP_FRAGMENT);
	}
	if (fc1 & WLAN_PROTECTED)
		return undecoded(out);
	n = 0; /* what follows the fixed header */
	if ((fc1 & (WLAN_TO_DS | WLAN_FROM_DS)) == (WLAN_TO_DS | WLAN_FROM_DS))
		n += 6;
	if (qos)
		n += 2 + ((fc1 & WLAN_ORDER) ? 4u : 0u);
	st = take(c, n, &q, out);
	if (st != DIS_OK)
		return st;
	if (qos && (q.p[n - (fc1 & WLAN_ORDER ? 6 : 2)] & WLAN_QOS_AMSDU)) {
		/* One A-MSDU a frame: one nested inside another's subframe
		 * is not a network's doing. */
		if (out->nsub != 0)
			return malformed(out);
		return amsdu(c, type, out);
	}
	return snap(c, type, out);
}

/* VXLAN (RFC 7348 5): the I flag says the VNI is valid, and must be set.
 * VXLAN-GPE (draft-ietf-nvo3-vxlan-gpe, P flag) names its payload. */
static enum dis_status
vxlan(struct cur *c, uint16_t *type, struct pkt *out)
{
	struct rd h;
	enum dis_status st = take(c, 8, &h, out);

	if (st != DIS_OK)
		return st;
	if (!(h.p[0] & 0x08))
		return undecoded(out);
	*type = ETYPE_TEB;
	if (h.p[0] & 0x04) {
		switch (h.p[3]) {
		case 1:
			*type = ETYPE_IPV4;
			break;
		case 2:
			*type = ETYPE_IPV6;
			break;
		case 3:
			*type = ETYPE_TEB;
			break;
		case 5:
			*type = ETYPE_MPLS;
			break;
		default:
			return undecoded(out);
		}
	}
	return push(out, PKT_ENC_VXLAN, true, be24(h.p + 4), true);
}

/* Geneve (RFC 8926 3.4): version 0, options skipped by their length, the
 * protocol an EtherType. */
static enum dis_status
geneve(struct cur *c, uint16_t *type, struct pkt *out)
{
	struct rd h, opts;
	uint16_t ptype;
	enum dis_status st = take(c, 8, &h, out);

	if (st != DIS_OK)
		return st;
	if (h.p[0] >> 6 != 0)
		return undecoded(out);
	st = take(c, (size_t)(h.p[0] & 0x3f) * 4, &opts, out);
	if (st != DIS_OK)
		return st;
	ptype = be16(h.p + 2);
	if (ptype != ETYPE_TEB && ptype != ETYPE_IPV4 && ptype != ETYPE_IPV6)
		return undecoded(out);
	*type = ptype;
	return push(out, PKT_ENC_GENEVE, true, be24(h.p + 4), true);
}

/*
 * GTP-U (3GPP TS 29.281 5.1, 5.2): version 1, PT 1; the length counts
 * what follows the first 8 bytes; with E, S or PN set 4 more bytes, then
 * extension headers, each a length in 4-byte units and its next type in
 * its last byte. Only a G-PDU (type 255) carries a packet, IPv4 or IPv6;
 * echo and error messages carry none.
 */
static enum dis_status
gtpu(struct cur *c, uint16_t *type, struct pkt *out)
{
	struct rd h, ext;
	uint8_t flags, next;
	uint32_t teid;
	enum dis_status st = take(c, 8, &h, out);

	if (st != DIS_OK)
		return st;
	flags = h.p[0];
	if (flags >> 5 != 1 || !(flags & 0x10))
		return undecoded(out);
	teid = be32(h.p + 4);
	st = narrow(c, be16(h.p + 2), out);
	if (st != DIS_OK)
		return st;
	if (flags & 0x07) {
		st = take(c, 4, &ext, out);
		if (st != DIS_OK)
			return st;
		next = ext.p[3];
		for (unsigned n = 0; next != 0; n++) {
			size_t len;

			if (n >= GTPU_MAX_EXT)
				return fail(out, DIS_LIMIT, PKT_SKIP_MALFORMED);
			if (c->wire == 0)
				return malformed(out);
			if (c->r.left == 0)
				return short_hdr(out);
			len = (size_t)c->r.p[0] * 4;
			if (len == 0)
				return malformed(out);
			st = take(c, len, &ext, out);
			if (st != DIS_OK)
				return st;
			next = ext.p[len - 1];
		}
	}
	if (h.p[1] != 0xff)
		return fail(out, DIS_UNSUPPORTED, PKT_SKIP_NOT_TCP);
	*type = NEXT_IP_ANY;
	return push(out, PKT_ENC_GTPU, true, teid, true);
}

static enum pkt_encap_type
udp_tunnel(uint16_t port, const struct pkt_decap *decap)
{
	switch (port) {
	case PORT_VXLAN:
	case PORT_VXLAN_LINUX:
		return PKT_ENC_VXLAN;
	case PORT_GENEVE:
		return PKT_ENC_GENEVE;
	case PORT_GTPU:
		return PKT_ENC_GTPU;
	default:
		break;
	}
	if (decap != NULL)
		for (unsigned i = 0; i < decap->n && i < PKT_DECAP_MAX_PORTS; i++)
			if (decap->port[i].port == port)
				return (enum pkt_encap_type)decap->port[i].type;
	return PKT_ENC_NONE;
}

/* UDP (RFC 768): only datagrams to a tunnel's port are followed. */
static enum dis_status
udp(struct cur *c, const struct pkt_decap *decap, uint16_t *type,
    struct pkt *out)
{
	struct rd h;
	enum pkt_encap_type t;
	size_t ulen;
	enum dis_status st = take(c, UDP_HDR, &h, out);

	if (st != DIS_OK)
		return st;
	t = udp_tunnel(be16(h.p + 2), decap);
	if (t == PKT_ENC_NONE)
		return fail(out, DIS_UNSUPPORTED, PKT_SKIP_NOT_TCP);
	ulen = be16(h.p + 4);
	if (ulen < UDP_HDR)
		return malformed(out);
	st = narrow(c, ulen - UDP_HDR, out);
	if (st != DIS_OK)
		return st;
	switch (t) {
	case PKT_ENC_VXLAN:
		return vxlan(c, type, out);
	case PKT_ENC_GENEVE:
		return geneve(c, type, out);
	case PKT_ENC_GTPU:
		return gtpu(c, type, out);
	default:
		return undecoded(out);
	}
}

/* What an IP header's protocol leads to, short of TCP. */
static enum dis_status
ip_payload(struct cur *c, uint8_t proto, const struct pkt_decap *decap,
           uint16_t *type, struct pkt *out)
{
	switch (proto) {
	case NH_IPIP:
		*type = ETYPE_IPV4;
		return push(out, PKT_ENC_IPIP, false, 0, true);
	case NH_IPV6:
		*type = ETYPE_IPV6;
		return push(out, PKT_ENC_6IN4, false, 0, true);
	case NH_GRE:
		return gre(c, type, out);
	case NH_UDP:
		return udp(c, decap, type, out);
	default:
		return fail(out, DIS_UNSUPPORTED, PKT_SKIP_NOT_TCP);
	}
}

/*
 * TCP options (RFC 9293 3.2). A bad length stops the walk: what was read
 * before stays, the segment itself is still good. A known option with the
 * wrong length is skipped by its length and flagged, not believed.
 */
static HOT_INLINE void
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

/* TCP (RFC 9293 3.1): the cursor holds the segment (captured bytes; its
 * length on the wire). */
static HOT_INLINE enum dis_status
tcp(struct cur *c, struct pkt *out)
{
	struct rd hdr, opts, *seg = &c->r;
	const uint8_t *h;
	size_t hl, wire = c->wire;

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
	out->payload_len = (uint32_t)(wire - hl);
	if (out->payload.n < out->payload_len)
		out->anomalies |= PKT_A_TRUNCATED;
	return DIS_OK;
}

/*
 * From the first EtherType on: tags, labels, tunnels and IP headers, each
 * step consuming bytes or adding a layer (at most PKT_MAX_ENCAP), down to
 * TCP or to the reason there is none.
 */
static enum dis_status
layers(struct cur *c, uint16_t type, const struct pkt_decap *decap,
       struct pkt *out)
{
	for (;;) {
		enum dis_status st;
		uint8_t proto = 0;

		switch (type) {
		case ETYPE_CTAG:
		case ETYPE_STAG:
		case ETYPE_STAG_OLD:
			st = vlan_tag(c, &type, out);
			break;
		case ETYPE_TEB:
			st = ether(c, &type, out);
			break;
		case ETYPE_MPLS:
		case ETYPE_MPLS_MC:
			st = mpls(c, &type, out);
			break;
		case ETYPE_PPPOE:
			st = pppoe(c, &type, out);
			break;
		case NEXT_IP_ANY:
			if (c->r.left == 0)
				return c->wire_known && c->wire == 0
				           ? undecoded(out)
				           : short_hdr(out);
			st = link_raw(c, &type, out);
			if (type == ETYPE_NONE)
				return undecoded(out);
			break;
		case ETYPE_IPV4:
		case ETYPE_IPV6:
			st = type == ETYPE_IPV4 ? ip4(c, out, &proto)
			                        : ip6(c, out, &proto);
			if (st != DIS_OK)
				return st;
			if (proto == NH_TCP)
				return tcp(c, out);
			st = ip_payload(c, proto, decap, &type, out);
			break;
		case NEXT_WLAN:
			st = wlan(c, &type, out);
			break;
		case NEXT_UNDECODED:
			return undecoded(out);
		default:
			return fail(out, DIS_UNSUPPORTED, PKT_SKIP_NOT_IP);
		}
		if (st != DIS_OK)
			return st;
	}
}

enum dis_status
pkt_decode(enum pkt_link link, const uint8_t *frame, size_t caplen,
           struct pkt *out)
{
	return pkt_decode_opts(link, frame, caplen, NULL, out);
}

/* pkt_decode_sub, and with sub 0 pkt_decode_opts. */
static HOT_INLINE enum dis_status
decode(enum pkt_link link, const uint8_t *frame, size_t caplen,
       const struct pkt_decap *decap, unsigned sub, struct pkt *out)
{
	struct cur c;
	uint16_t type = ETYPE_NONE;
	enum dis_status st;

	/* The layer array is written as layers are found, not cleared: it
	 * is most of the struct and most frames have none. */
	memset(out, 0, offsetof(struct pkt, encap));
	rd_init(&c.r, frame, caplen);
	c.wire = 0;
	c.wire_known = false;
	c.sub = sub;
	if (c.r.left == 0)
		return short_hdr(out);

	switch (link) {
	case PKT_LINK_NULL:
		st = link_null(&c, &type, out);
		break;
	case PKT_LINK_LOOP:
		st = link_loop(&c, &type, out);
		break;
	case PKT_LINK_ETHERNET:
		/* ether() without its generic steps: the link header is
		 * where every frame starts. */
		if (caplen < ETH_HDR)
			return short_hdr(out);
		type = be16(frame + 12);
		rd_init(&c.r, frame + ETH_HDR, caplen - ETH_HDR);
		st = type <= 1500 ? llc_snap(&c, type, &type, out) : DIS_OK;
		if (type > 1500 && type < 0x0600)
			type = ETYPE_NONE;
		break;
	case PKT_LINK_RAW:
		st = link_raw(&c, &type, out);
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
		st = link_sll(&c, &type, out);
		break;
	case PKT_LINK_SLL2:
		st = link_sll2(&c, &type, out);
		break;
	case PKT_LINK_NFLOG:
		st = link_nflog(&c, &type, out);
		break;
	default:
		return fail(out, DIS_UNSUPPORTED, PKT_SKIP_NOT_IP);
	}
	if (st != DIS_OK)
		return st;
	/* The common frame, IP right after the link header, without the
	 * loop: it is most frames, and the loop costs it a tenth. */
	if (type == ETYPE_IPV4 || type == ETYPE_IPV6) {
		uint8_t proto = 0;

		st = type == ETYPE_IPV4 ? ip4(&c, out, &proto)
		                        : ip6(&c, out, &proto);
		if (st != DIS_OK)
			return st;
		if (proto == NH_TCP)
			return tcp(&c, out);
		st = ip_payload(&c, proto, decap, &type, out);
		if (st != DIS_OK)
			return st;
	}
	return layers(&c, type, decap, out);
}

enum dis_status
pkt_decode_opts(enum pkt_link link, const uint8_t *frame, size_t caplen,
                const struct pkt_decap *decap, struct pkt *out)
{
	return decode(link, frame, caplen, decap, 0, out);
}

enum dis_status
pkt_decode_sub(enum pkt_link link, const uint8_t *frame, size_t caplen,
               const struct pkt_decap *decap, unsigned sub, struct pkt *out)
{
	enum dis_status st;

	if (sub >= PKT_MAX_SUB) {
		memset(out, 0, offsetof(struct pkt, encap));
		return malformed(out);
	}
	st = decode(link, frame, caplen, decap, sub, out);
	/* A frame that never reached an A-MSDU has no packet sub > 0. */
	if (sub > 0 && out->nsub == 0 && st == DIS_OK)
		return malformed(out);
	return st;
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
	const uint8_t *ip = frame + ETH_HDR, *tcp;
	size_t iphl, tot, wire, avail, hl;

	if (link != PKT_LINK_ETHERNET || caplen < ETH_HDR + IP4_HDR + TCP_HDR)
		return false;
	switch (be16(frame + 12)) {
	case ETYPE_IPV4:
		/* Untagged IPv4; IHL 5; no MF, no offset; TCP. */
		if (ip[0] != 0x45 || (be16(ip + 6) & 0x3fff) != 0 ||
		    ip[9] != NH_TCP)
			return false;
		tot = be16(ip + 2);
		if (tot < IP4_HDR + TCP_HDR)
			return false;
		iphl = IP4_HDR;
		wire = tot - IP4_HDR;
		break;
	case ETYPE_IPV6:
		/* Untagged IPv6, TCP right after the fixed header (no
		 * extension header, so no jumbogram either). */
		if (caplen < ETH_HDR + IP6_HDR + TCP_HDR || ip[0] >> 4 != 6 ||
		    ip[6] != NH_TCP)
			return false;
		wire = be16(ip + 4);
		if (wire < TCP_HDR)
			return false;
		iphl = IP6_HDR;
		break;
	default:
		return false;
	}
	tcp = ip + iphl;
	avail = caplen - ETH_HDR - iphl;
	if (avail > wire)
		avail = wire;
	hl = (size_t)(tcp[12] >> 4) * 4;
	if (hl < TCP_HDR || hl > wire || hl > avail)
		return false;
	out->sport = be16(tcp);
	out->dport = be16(tcp + 2);
	out->truncated = avail - hl < wire - hl;
	out->payload_off = (uint16_t)(ETH_HDR + iphl + hl);
	out->payload_n = (uint16_t)(avail - hl);
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
	case PKT_LINK_NFLOG:
		return "Linux NFLOG";
	}
	return "unknown";
}

const char *
pkt_encap_name(enum pkt_encap_type type)
{
	switch (type) {
	case PKT_ENC_VLAN:
		return "vlan";
	case PKT_ENC_MPLS:
		return "mpls";
	case PKT_ENC_PPPOE:
		return "pppoe";
	case PKT_ENC_GRE:
		return "gre";
	case PKT_ENC_ERSPAN1:
		return "erspan1";
	case PKT_ENC_ERSPAN2:
		return "erspan2";
	case PKT_ENC_ERSPAN3:
		return "erspan3";
	case PKT_ENC_VXLAN:
		return "vxlan";
	case PKT_ENC_GENEVE:
		return "geneve";
	case PKT_ENC_GTPU:
		return "gtpu";
	case PKT_ENC_IPIP:
		return "ipip";
	case PKT_ENC_6IN4:
		return "6in4";
	case PKT_ENC_WLAN:
		return "wlan";
	case PKT_ENC_NONE:
		break;
	}
	return NULL;
}
