/*
 * pkt.h: decoding of one captured frame down to its TCP segment.
 *
 * Link layers: Ethernet (802.3 LLC/SNAP too), Linux cooked SLL and SLL2,
 * raw IPv4/IPv6, BSD null/loopback, Linux NFLOG. Network: IPv4 (options,
 * fragments recognised) and IPv6 (extension-header chain walked). Transport:
 * TCP with options. Specs: IEEE 802.1Q, RFC 791, RFC 8200, RFC 9293,
 * RFC 7323 (timestamps, window scale), RFC 2018 (SACK).
 *
 * Encapsulations, peeled to any depth up to PKT_MAX_ENCAP layers (a frame
 * deeper than that is refused as malformed, so hostile nesting cannot make
 * the decoder loop): 802.1Q / 802.1ad tags, MPLS label stacks (RFC 3032;
 * IPv4, IPv6 or an Ethernet pseudowire with or without control word, RFC
 * 4448), PPPoE sessions (RFC 2516), GRE (RFC 2784, RFC 2890: key and
 * sequence), ERSPAN types I, II and III, VXLAN (RFC 7348), Geneve (RFC
 * 8926), GTP-U (3GPP TS 29.281), IPv4 and IPv6 in IP (protocols 4, 41),
 * and the 802.11 data frames an Aruba access point sends its controller
 * in GRE (IEEE 802.11-2020 9.2 and 9.3.2; LLC/SNAP to the EtherType).
 * The TCP segment is the innermost one; every layer around it is listed,
 * outermost first, with the addresses of the IP header that carried it.
 *
 * One frame holds one packet, but for an 802.11 A-MSDU (IEEE 802.11-2020
 * 9.3.2.2.2), which holds several: pkt_decode gives the first and says
 * how many there are (nsub), pkt_decode_sub each of the others.
 *
 * The result holds views into the caller's frame; nothing is allocated or
 * copied. Lengths come from the IP header and are checked against what was
 * captured: the captured payload may be shorter than the wire payload (small
 * snaplen), which is reported, never hidden.
 */
#ifndef PKT_H
#define PKT_H

#include <stdbool.h>
#include <string.h>

#include "ta.h"

/* Link types we decode, named after the LINKTYPE_ registry. */
enum pkt_link {
	PKT_LINK_NULL,     /* BSD loopback, 4-byte host-order family */
	PKT_LINK_LOOP,     /* OpenBSD loopback, 4-byte network-order family */
	PKT_LINK_ETHERNET,
	PKT_LINK_RAW,      /* IPv4 or IPv6, told by the version nibble */
	PKT_LINK_IPV4,
	PKT_LINK_IPV6,
	PKT_LINK_SLL,      /* Linux cooked v1 */
	PKT_LINK_SLL2,     /* Linux cooked v2 */
	PKT_LINK_NFLOG,    /* Linux NFLOG: TLVs, the packet in NFULA_PAYLOAD */
};
#define PKT_LINK_LAST PKT_LINK_NFLOG

/* An encapsulation layer around the TCP segment. */
enum pkt_encap_type {
	PKT_ENC_NONE = 0,
	PKT_ENC_VLAN,    /* 802.1Q / 802.1ad tag; id: VLAN id */
	PKT_ENC_MPLS,    /* one MPLS label stack entry; id: label */
	PKT_ENC_PPPOE,   /* PPPoE session; id: session id */
	PKT_ENC_GRE,     /* GRE; id: key, when present */
	PKT_ENC_ERSPAN1, /* ERSPAN type I (GRE 0x88be, no header) */
	PKT_ENC_ERSPAN2, /* ERSPAN type II; id: session id */
	PKT_ENC_ERSPAN3, /* ERSPAN type III; id: session id */
	PKT_ENC_VXLAN,   /* id: VNI */
	PKT_ENC_GENEVE,  /* id: VNI */
	PKT_ENC_GTPU,    /* GTP-U G-PDU; id: TEID */
	PKT_ENC_IPIP,    /* IPv4 inside IP (protocol 4) */
	PKT_ENC_6IN4,    /* IPv6 inside IP (protocol 41) */
	PKT_ENC_WLAN,    /* an 802.11 data frame (from Aruba GRE) */
};
#define PKT_ENC_LAST PKT_ENC_WLAN

/* Non-fatal oddities noticed while decoding (bit set). */
enum pkt_anomaly {
	PKT_A_TRUNCATED = 1u << 0,     /* caplen cut the TCP payload */
	PKT_A_IP_OPTIONS = 1u << 1,    /* IPv4 header carried options */
	PKT_A_IP_FRAGMENT = 1u << 2,   /* IPv4 fragment or IPv6 Fragment header */
	PKT_A_IP_LEN_PAD = 1u << 3,    /* frame longer than the IP length (padding) */
	PKT_A_TCP_OPT_BAD = 1u << 4,   /* a TCP option overran the header */
	PKT_A_IP_BAD_CSUM = 1u << 5,   /* reserved: checksums are not verified */
	PKT_A_VLAN = 1u << 6,          /* one or more VLAN tags */
	PKT_A_TUNNEL = 1u << 7,        /* a layer other than VLAN tags */
	PKT_A_LEN_CLAMPED = 1u << 8,   /* an IP header inside a tunnel claimed
	                                * more than the tunnel carried: the
	                                * tunnel's length was believed */
};
/* Bit PKT_A_ENC_SHIFT + type is set for each type of layer present, so
 * that a frame's anomalies alone say which tunnels carried it. */
#define PKT_A_ENC_SHIFT 16
#define PKT_A_ENC(t) (1u << (PKT_A_ENC_SHIFT + (unsigned)(t)))

/* Why a frame did not yield a TCP segment, when decode returns non-OK. */
enum pkt_skip {
	PKT_SKIP_NONE = 0,
	PKT_SKIP_NOT_IP,        /* ARP, LLDP, other ethertypes / families */
	PKT_SKIP_NOT_TCP,       /* UDP, ICMP, ... */
	PKT_SKIP_FRAGMENT,      /* an IP fragment: counted, not reassembled */
	PKT_SKIP_TRUNCATED,     /* the headers themselves were cut by caplen */
	PKT_SKIP_MALFORMED,     /* a header contradicts itself, or layers
	                         * nest deeper than PKT_MAX_ENCAP */
	PKT_SKIP_TUNNEL,        /* a tunnel whose payload is not decoded: GRE
	                         * of another protocol (PPTP), a UDP tunnel
	                         * header we do not accept, a protected
	                         * (encrypted) 802.11 frame */
};

struct pkt_addr {
	uint8_t family; /* 4 or 6 */
	uint8_t a[16];  /* IPv4 in the first 4 bytes, rest zero */
};

/* Equal addresses. Inline and by words: it runs on every packet's flow
 * lookup, where a call to memcmp cost more than the hash. */
static inline bool
pkt_addr_eq(const struct pkt_addr *x, const struct pkt_addr *y)
{
	uint64_t x0, x1, y0, y1;

	memcpy(&x0, x->a, 8);
	memcpy(&x1, x->a + 8, 8);
	memcpy(&y0, y->a, 8);
	memcpy(&y1, y->a + 8, 8);
	return x->family == y->family && ((x0 ^ y0) | (x1 ^ y1)) == 0;
}

/*
 * The most layers a frame may nest: QinQ and MPLS stacks inside a tunnel
 * inside another reach 5 or 6; past 8 it is hostile, not a network.
 */
#define PKT_MAX_ENCAP 8

/*
 * The most packets an 802.11 A-MSDU may hold: 802.11ac's largest (11,454
 * bytes) holds 64 pure TCP acknowledgements with room to spare. A frame
 * claiming more is refused as malformed.
 */
#define PKT_MAX_SUB 64

struct pkt_encap {
	uint8_t type;       /* enum pkt_encap_type */
	bool has_id;
	bool has_outer;     /* carried by an IP header: outer_src/outer_dst */
	uint32_t id;
	struct pkt_addr outer_src, outer_dst;
};

/*
 * UDP ports that carry a tunnel besides the well-known ones (VXLAN 4789
 * and Linux's 8472, Geneve 6081, GTP-U 2152), matched on the destination
 * port. type is PKT_ENC_VXLAN, PKT_ENC_GENEVE or PKT_ENC_GTPU.
 */
#define PKT_DECAP_MAX_PORTS 16
struct pkt_decap {
	uint8_t n;
	struct {
		uint16_t port;
		uint8_t type;
	} port[PKT_DECAP_MAX_PORTS];
};

/* TCP flag bits as on the wire (RFC 9293 3.1). */
#define PKT_TCP_FIN 0x01
#define PKT_TCP_SYN 0x02
#define PKT_TCP_RST 0x04
#define PKT_TCP_PSH 0x08
#define PKT_TCP_ACK 0x10
#define PKT_TCP_URG 0x20
#define PKT_TCP_ECE 0x40
#define PKT_TCP_CWR 0x80

struct pkt {
	enum pkt_skip skip;
	uint32_t anomalies; /* enum pkt_anomaly bits */

	/* Network layer. */
	uint8_t ip_version; /* 4 or 6, 0 before it is known */
	struct pkt_addr src, dst;
	uint8_t ttl;        /* IPv4 TTL or IPv6 hop limit */
	uint16_t ip_id;     /* IPv4 identification; 0 for IPv6 */
	bool ip_df;         /* IPv4 don't-fragment flag */

	/* Transport layer (valid when decode returned DIS_OK). */
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;      /* PKT_TCP_* */
	uint16_t window;
	/* Options (RFC 9293, 7323, 2018). */
	bool has_mss, has_wscale, has_sack_perm, has_ts;
	uint16_t mss;
	uint8_t wscale;
	uint32_t ts_val, ts_ecr;

	/* Payload: the captured bytes, and its length on the wire. */
	struct ta_bytes payload;
	uint32_t payload_len; /* from the IP header; >= payload.n */

	/* The innermost IP header and what was captured after it; ip_len is
	 * its total length on the wire. Set once an IP header is read, so a
	 * filter can look at the packet a tunnel carried. */
	struct ta_bytes ip;
	uint32_t ip_len;

	/* Packets of an 802.11 A-MSDU: nsub of them (0: the frame is no
	 * A-MSDU and holds this one packet), this is number sub from 0. */
	uint8_t nsub, sub;

	/* Layers around the TCP segment, outermost first. Kept last: only
	 * the first nencap entries are written. */
	uint8_t nencap;
	struct pkt_encap encap[PKT_MAX_ENCAP];
};

/*
 * Decode one frame. Returns DIS_OK when *out holds a TCP segment (the
 * innermost one, with the layers around it in encap[]); otherwise
 * out->skip says why (DIS_UNSUPPORTED for not-IP/not-TCP/fragment and for
 * a tunnel whose payload is not decoded, DIS_SHORT when caplen cut the
 * headers, DIS_MALFORMED for lying headers, DIS_LIMIT with
 * PKT_SKIP_MALFORMED for an IPv6 extension-header or GTP-U extension
 * chain longer than we walk, or more than PKT_MAX_ENCAP layers).
 * Addresses, TTL and id are filled as soon as an IP header is read (the
 * innermost one read wins), so a skipped fragment can still be counted
 * per host. caplen is what was captured; the frame's wire length is not
 * needed since the IP header carries the lengths that matter.
 */
enum dis_status pkt_decode(enum pkt_link link, const uint8_t *frame,
                           size_t caplen, struct pkt *out) TA_MUST_CHECK;
/* The same with more tunnel ports (decap may be NULL: the well-known ones
 * only). */
enum dis_status pkt_decode_opts(enum pkt_link link, const uint8_t *frame,
                                size_t caplen, const struct pkt_decap *decap,
                                struct pkt *out) TA_MUST_CHECK;
/*
 * Packet number sub of a frame that holds several (out->nsub of
 * pkt_decode_opts, same frame and decap): the same decoding, with the
 * sub-th A-MSDU subframe taken in place of the first. Each packet has its
 * own outcome (one may be cut by the snaplen, or not TCP). sub 0 is
 * pkt_decode_opts; a sub the frame does not hold is refused as malformed.
 */
enum dis_status pkt_decode_sub(enum pkt_link link, const uint8_t *frame,
                               size_t caplen, const struct pkt_decap *decap,
                               unsigned sub, struct pkt *out) TA_MUST_CHECK;

/*
 * What a frame counts for, told without decoding it, for the common case
 * only: an untagged Ethernet frame carrying IPv4 without options, not a
 * fragment, carrying TCP whose headers were captured. Returns false for
 * anything else (then pkt_decode must be asked): a tunnel or a tag is never
 * the common case. When true, pkt_decode
 * would return DIS_OK with these ports, and with PKT_A_TRUNCATED set as
 * *truncated says; nothing else is filled.
 */
struct pkt_quick {
	uint16_t sport, dport;
	bool truncated;
	uint16_t payload_off;  /* where the TCP payload starts in the frame */
	uint16_t payload_n;    /* its bytes captured (0: none) */
};
bool pkt_quick(enum pkt_link link, const uint8_t *frame, size_t caplen,
               struct pkt_quick *out) TA_MUST_CHECK;

const char *pkt_link_name(enum pkt_link link);
/* The stable name of a layer type, as JSON writes it ("vxlan", "erspan2",
 * "6in4"), or NULL. */
const char *pkt_encap_name(enum pkt_encap_type type);

#endif
