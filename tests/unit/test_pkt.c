/* test_pkt.c: frame decoding down to TCP (IEEE 802.1Q, RFC 791 3.1, RFC 8200 4, RFC 9293 3.1). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "pkt.h"

/*
 * Frame builder: every test assembles its frame byte by byte, so each
 * length field is visible and can be made to lie on purpose.
 */
struct fb {
	uint8_t b[4096];
	size_t n;
};

static void
put8(struct fb *f, uint8_t v)
{
	assert_true(f->n < sizeof f->b);
	f->b[f->n++] = v;
}

static void
put16(struct fb *f, uint16_t v)
{
	put8(f, (uint8_t)(v >> 8));
	put8(f, (uint8_t)v);
}

static void
put32(struct fb *f, uint32_t v)
{
	put16(f, (uint16_t)(v >> 16));
	put16(f, (uint16_t)v);
}

static void
putn(struct fb *f, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put8(f, p[i]);
}

static void
fill(struct fb *f, uint8_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put8(f, v);
}

static void
set16(struct fb *f, size_t at, uint16_t v)
{
	f->b[at] = (uint8_t)(v >> 8);
	f->b[at + 1] = (uint8_t)v;
}

/* Ethernet with ntags VLAN tags (tpid[i], vid[i]) before the EtherType. */
static void
eth(struct fb *f, const uint16_t *tpid, const uint16_t *vid, size_t ntags,
    uint16_t type)
{
	static const uint8_t dst[6] = {0x02, 0, 0, 0, 0, 0x01};
	static const uint8_t src[6] = {0x02, 0, 0, 0, 0, 0x02};

	putn(f, dst, 6);
	putn(f, src, 6);
	for (size_t i = 0; i < ntags; i++) {
		put16(f, tpid[i]);
		put16(f, (uint16_t)(0xe000 | vid[i])); /* PCP 7: must be masked off */
	}
	put16(f, type);
}

static void
sll(struct fb *f, uint16_t proto)
{
	put16(f, 0);      /* packet type: to us */
	put16(f, 1);      /* ARPHRD_ETHER */
	put16(f, 6);      /* address length */
	fill(f, 0xaa, 8); /* address, padded */
	put16(f, proto);
}

static void
sll2(struct fb *f, uint16_t proto)
{
	put16(f, proto);
	put16(f, 0);      /* reserved */
	put32(f, 3);      /* interface index */
	put16(f, 1);      /* ARPHRD_ETHER */
	put8(f, 4);       /* packet type: outgoing */
	put8(f, 6);       /* address length */
	fill(f, 0xbb, 8);
}

/* BSD null family word, little- or big-endian. */
static void
null_hdr(struct fb *f, uint32_t fam, bool little)
{
	if (little) {
		put8(f, (uint8_t)fam);
		put8(f, (uint8_t)(fam >> 8));
		put8(f, (uint8_t)(fam >> 16));
		put8(f, (uint8_t)(fam >> 24));
	} else {
		put32(f, fam);
	}
}

/*
 * IPv4 header with optlen bytes of options (NOPs). Returns its offset;
 * ip4_done() then writes the total length from what follows.
 */
static size_t
ip4(struct fb *f, uint8_t proto, size_t optlen, uint16_t fragword)
{
	size_t at = f->n;

	put8(f, (uint8_t)(0x40 | ((20 + optlen) / 4)));
	put8(f, 0);
	put16(f, 0);            /* total length, set by ip4_done */
	put16(f, 0x1234);       /* id */
	put16(f, fragword);
	put8(f, 64);            /* TTL */
	put8(f, proto);
	put16(f, 0);            /* checksum: not verified */
	put32(f, 0xc0000201);   /* 192.0.2.1 */
	put32(f, 0xc6336402);   /* 198.51.100.2 */
	fill(f, 1, optlen);
	return at;
}

static void
ip4_done(struct fb *f, size_t at)
{
	set16(f, at + 2, (uint16_t)(f->n - at));
}

/* IPv6 fixed header; ip6_done() writes the payload length. */
static size_t
ip6(struct fb *f, uint8_t nh)
{
	size_t at = f->n;

	put32(f, 0x60000000);
	put16(f, 0);
	put8(f, nh);
	put8(f, 57); /* hop limit */
	put32(f, 0x20010db8);
	put32(f, 0);
	put32(f, 0);
	put32(f, 1);
	put32(f, 0x20010db8);
	put32(f, 0);
	put32(f, 0);
	put32(f, 2);
	return at;
}

static void
ip6_done(struct fb *f, size_t at)
{
	set16(f, at + 4, (uint16_t)(f->n - at - 40));
}

/* A generic extension header of (hlen8 + 1) * 8 bytes. */
static void
ip6_ext(struct fb *f, uint8_t nh, uint8_t hlen8)
{
	put8(f, nh);
	put8(f, hlen8);
	fill(f, 0, (size_t)(hlen8 + 1) * 8 - 2);
}

static void
ip6_frag(struct fb *f, uint8_t nh, uint16_t offset8, bool more)
{
	put8(f, nh);
	put8(f, 0);
	put16(f, (uint16_t)(offset8 << 3 | (more ? 1 : 0)));
	put32(f, 0xdeadbeef);
}

/* TCP header with raw options (padded to 4 with EOL) and a payload. */
static void
tcp(struct fb *f, uint8_t flags, const uint8_t *opt, size_t optlen,
    const uint8_t *pl, size_t pllen)
{
	size_t padded = (optlen + 3) & ~(size_t)3;

	put16(f, 49152);
	put16(f, 993);
	put32(f, 0x01020304);
	put32(f, 0xa0b0c0d0);
	put8(f, (uint8_t)(((20 + padded) / 4) << 4));
	put8(f, flags);
	put16(f, 64240);
	put16(f, 0); /* checksum */
	put16(f, 0); /* urgent */
	putn(f, opt, optlen);
	fill(f, 0, padded - optlen);
	putn(f, pl, pllen);
}

static const uint8_t syn_opts[] = {
	2, 4, 0x05, 0xb4,                   /* MSS 1460 */
	4, 2,                               /* SACK permitted */
	8, 10, 0, 0, 0, 7, 0, 0, 0, 0,      /* TS 7, 0 */
	1,                                  /* NOP */
	3, 3, 7,                            /* window scale 7 */
};

static const uint8_t hello[] = "* OK IMAP4rev1 ready\r\n";
#define HELLO_LEN (sizeof hello - 1)

/* Ethernet + IPv4 + TCP with hello as payload; returns the TCP offset. */
static size_t
build_eth4(struct fb *f)
{
	size_t ip, t;

	eth(f, NULL, NULL, 0, 0x0800);
	ip = ip4(f, 6, 0, 0x4000);
	t = f->n;
	tcp(f, PKT_TCP_PSH | PKT_TCP_ACK, NULL, 0, hello, HELLO_LEN);
	ip4_done(f, ip);
	return t;
}

/* Decode from an exact-size heap copy so that ASan catches any overread. */
static enum dis_status
decode(enum pkt_link link, const uint8_t *b, size_t n, struct pkt *p)
{
	uint8_t *copy = malloc(n ? n : 1);
	enum dis_status st;
	struct pkt tmp;

	assert_non_null(copy);
	memcpy(copy, b, n);
	st = pkt_decode(link, copy, n, &tmp);
	/* Translate the views back into the caller's buffer before freeing. */
	if (tmp.payload.p != NULL) {
		assert_true(tmp.payload.p >= copy);
		assert_true((size_t)(tmp.payload.p - copy) + tmp.payload.n <= n);
		tmp.payload.p = b + (tmp.payload.p - copy);
	}
	free(copy);
	*p = tmp;
	return st;
}

static void
assert_v4_addrs(const struct pkt *p)
{
	static const uint8_t s[16] = {192, 0, 2, 1};
	static const uint8_t d[16] = {198, 51, 100, 2};

	assert_int_equal(p->ip_version, 4);
	assert_int_equal(p->src.family, 4);
	assert_int_equal(p->dst.family, 4);
	assert_memory_equal(p->src.a, s, 16);
	assert_memory_equal(p->dst.a, d, 16);
	assert_int_equal(p->ttl, 64);
	assert_int_equal(p->ip_id, 0x1234);
}

static void
assert_v6_addrs(const struct pkt *p)
{
	static const uint8_t s[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	static const uint8_t d[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};

	assert_int_equal(p->ip_version, 6);
	assert_int_equal(p->src.family, 6);
	assert_memory_equal(p->src.a, s, 16);
	assert_memory_equal(p->dst.a, d, 16);
	assert_int_equal(p->ttl, 57);
	assert_int_equal(p->ip_id, 0);
}

static void
assert_hello(const struct pkt *p)
{
	assert_int_equal(p->sport, 49152);
	assert_int_equal(p->dport, 993);
	assert_int_equal(p->payload_len, HELLO_LEN);
	assert_int_equal(p->payload.n, HELLO_LEN);
	assert_memory_equal(p->payload.p, hello, HELLO_LEN);
}

static void
test_ethernet_syn_all_fields(void **state)
{
	struct fb f = {.n = 0};
	struct pkt p;
	size_t ip;

	(void)state;
	eth(&f, NULL, NULL, 0, 0x0800);
	ip = ip4(&f, 6, 0, 0x4000);
	tcp(&f, PKT_TCP_SYN, syn_opts, sizeof syn_opts, NULL, 0);
	ip4_done(&f, ip);
	assert_int_equal(f.n, 14 + 20 + 40);

	assert_int_equal(decode(PKT_LINK_ETHERNET, f.b, f.n, &p), DIS_OK);
	assert_int_equal(p.skip, PKT_SKIP_NONE);
	assert_int_equal(p.anomalies, 0);
	assert_int_equal(p.nencap, 0);
	assert_v4_addrs(&p);
	assert_true(p.ip_df);
	assert_int_equal(p.sport, 49152);
	assert_int_equal(p.dport, 993);
	assert_int_equal(p.seq, 0x01020304);
	assert_int_equal(p.ack, 0xa0b0c0d0);
	assert_int_equal(p.flags, PKT_TCP_SYN);
	assert_int_equal(p.window, 64240);
	assert_true(p.has_mss);
	assert_int_equal(p.mss, 1460);
	assert_true(p.has_sack_perm);
	assert_true(p.has_ts);
	assert_int_equal(p.ts_val, 7);
	assert_int_equal(p.ts_ecr, 0);
	assert_true(p.has_wscale);
	assert_int_equal(p.wscale, 7);
	assert_int_equal(p.payload_len, 0);
	assert_int_equal(p.payload.n, 0);
	assert_ptr_equal(p.payload.p, f.b + f.n);
}

static void
test_ethernet_payload(void **state)
{
	struct fb f = {.n = 0};
	struct pkt p;
	size_t t;

	(void)state;
	t = build_eth4(&f);
	assert_int_equal(decode(PKT_LINK_ETHERNET, f.b, f.n, &p), DIS_OK);
	assert_hello(&p);
	assert_ptr_equal(p.payload.p, f.b + t + 20);
	assert_int_equal(p.flags, PKT_TCP_PSH | PKT_TCP_ACK);
	assert_int_equal(p.anomalies, 0);
	assert_false(p.has_mss || p.has_ts || p.has_wscale || p.has_sack_perm);
}

static void
test_ethernet_padding(void **state)
{
	struct fb f = {.n = 0};
	struct pkt p;
	size_t ip;

	(void)state;
	/* A bare ACK is 54 bytes; the NIC pads it to 60 with junk. */
	eth(&f, NULL, NULL, 0, 0x0800);
	ip = ip4(&f, 6, 0, 0);
	tcp(&f, PKT_TCP_ACK, NULL, 0, NULL, 0);
	ip4_done(&f, ip);
	fill(&f, 0xee, 6);
	assert_int_equal(decode(PKT_LINK_ETHERNET, f.b, f.n, &p), DIS_OK);
	assert_int_equal(p.anomalies, PKT_A_IP_LEN_PAD);
	assert_int_equal(p.payload_len, 0);
	assert_int_equal(p.payload.n, 0);

	/* Padding after a payload must not leak into it. */
	f.n = 0;
	build_eth4(&f);
	fill(&f, 0xee, 9);
	assert_int_equal(decode(PKT_LINK_ETHERNET, f.b, f.n, &p), DIS_OK);
	assert_int_equal(p.anomalies, PKT_A_IP_LEN_PAD);
	assert_hello(&p);

	/* IPv6 padding too. */
	f.n = 0;
	eth(&f, NULL, NULL, 0, 0x86dd);
	ip = ip6(&f, 6);
	tcp(&f, PKT_TCP_ACK, NULL, 0, hello, HELLO_LEN);
	ip6_done(&f, ip);
	fill(&f, 0, 3);
	assert_int_equal(decode(PKT_LINK_ETHERNET, f.b, f.n, &p), DIS_OK);
	assert_int_equal(p.anomalies, PKT_A_IP_LEN_PAD);
	assert_hello(&p);
}

static void
vlan_case(const uint16_t *tpid, const uint16_t *vid, size_t ntags)
{
	struct fb f = {.n = 0};
	struct pkt p;
	size_t ip;

	eth(&f, tpid, vid, ntags, 0x0800);
	ip = ip4(&f, 6, 0, 0);
	tcp(&f, PKT_TCP_ACK, NULL, 0, hello, HELLO_LEN);
	ip4_done(&f, ip);
	assert_int_equal(decode(PKT_LINK_ETHERNET, f.b, f.n, &p), DIS_OK);
	assert_int_equal(p.nencap, ntags);
	assert_int_equal(p.anomalies, PKT_A_VLAN | PKT_A_ENC(PKT_ENC_VLAN));
	for (size_t i = 0; i < ntags; i++) {
		assert_int_equal(p.encap[i].type, PKT_ENC_VLAN);
		assert_true(p.encap[i].has_id);
		assert_false(p.encap[i].has_outer);
		assert_int_equal(p.encap[i].id, vid[i]);
	}
	assert_v4_addrs(&p);
	assert_hello(&p);
}

static void
test_vlan_stacks(void **state)
{
	static const uint16_t q1[] = {0x8100};
	static const uint16_t v1[] = {100};
	static const uint16_t q2[] = {0x88a8, 0x8100};
	static const uint16_t v2[] = {10, 4094};
	static const uint16_t q3[] = {0x9100, 0x88a8, 0x8100};
	static const uint16_t v3[] = {1, 2, 3};
	static const uint16_t q6[] = {0x88a8, 0x88a8, 0x8100, 0x8100, 0x8100,
	                              0x8100};
	static const uint16_t v6[] = {11, 22, 33, 44, 55, 66};

	(void)state;
	vlan_case(q1, v1, 1);
	vlan_case(q2, v2, 2);
	vlan_case(q3, v3, 3);
	/* Six tags: within the bound, every one kept. */
	vlan_case(q6, v6, 6);
}

static void
test_vlan_non_ip_and_cut(void **state)
{
	static const uint16_t q[] = {0x8100, 0x8100};
	static const uint16_t v[] = {5, 6};
	struct fb f = {.n = 0};
	struct pkt p;

	(void)state;
	eth(&f, q, v, 2, 0x0806); /* ARP inside two tags */
	fill(&f, 0, 28);
	assert_int_equal(decode(PKT_LINK_ETHERNET, f.b, f.n, &p),
	                 DIS_UNSUPPORTED);
	assert_int_equal(p.skip, PKT_SKIP_NOT_IP);
	assert_int_equal(p.nencap, 2);
	/* Cut inside the second tag. */
	assert_int_equal(decode(PKT_LINK_ETHERNET, f.b, 14 + 4 + 2, &p),
	                 DIS_SHORT);
	assert_int_equal(p.skip, PKT_SKIP_TRUNCATED);
}

static void
test_sll(void **state)
{
	struct fb f = {.n = 0};
	struct pkt p;
	size_t ip;

	(void)state;
	sll(&f, 0x0800);
	assert_int_equal(f.n, 16);
	ip = ip4(&f, 6, 0, 0);
	tcp(&f, PKT_TCP_ACK, NULL, 0, hello, HELLO_LEN);
	ip4_done(&f, ip);
	assert_int_equal(decode(PKT_LINK_SLL, f.b, f.n, &p), DIS_OK);
	assert_v4_addrs(&p);
	assert_hello(&p);

	f.n = 0;
	sll(&f, 0x86dd);
	ip = ip6(&f, 6);
	tcp(&f, PKT_TCP_ACK, NULL, 0, hello, HELLO_LEN);
	ip6_done(&f, ip);
	assert_int_equal(decode(PKT_LINK_SLL, f.b, f.n, &p), DIS_OK);
	assert_v6_addrs(&p);
	assert_hello(&p);

	/* An un-stripped VLAN tag in a cooked capture. */
	f.n = 0;
	sll(&f, 0x8100);
	put16(&f, 42);
	put16(&f, 0x0800);
	ip = ip4(&f, 6, 0, 0);
	tcp(&f, PKT_TCP_ACK, NULL, 0, hello, HELLO_LEN);
	ip4_done(&f, ip);
	assert_int_equal(decode(PKT_LINK_SLL, f.b, f.n, &p), DIS_OK);
	assert_int_equal(p.nencap, 1);
	assert_int_equal(p.encap[0].id, 42);
	assert_hello(&p);

	/* ARP, and a header cut short. */
	f.n = 0;
	sll(&f, 0x0806);
	fill(&f, 0, 28);
	assert_int_equal(decode(PKT_LINK_SLL, f.b, f.n, &p), DIS_UNSUPPORTED);
	assert_int_equal(p.skip, PKT_SKIP_NOT_IP);
	assert_int_equal(decode(PKT_LINK_SLL, f.b, 15, &p), DIS_SHORT);
	assert_int_equal(p.skip, PKT_SKIP_TRUNCATED);
}

static void
test_sll2(void **state)
{
	struct fb f = {.n = 0};
	struct pkt p;
	size_t ip;

	(void)state;
	sll2(&f, 0x86dd);
	assert_int_equal(f.n, 20);
	ip = ip6(&f, 6);
	tcp(&f, PKT_TCP_ACK, NULL, 0, hello, HELLO_LEN);
	ip6_done(&f, ip);
	assert_int_equal(decode(PKT_LINK_SLL2, f.b, f.n, &p), DIS_OK);
	assert_v6_addrs(&p);
	assert_hello(&p);

	f.n = 0;
	sll2(&f, 0x0800);
	ip = ip4(&f, 6, 0, 0);
	tcp(&f, PKT_TCP_ACK, NULL, 0, hello, HELLO_LEN);
	ip4_done(&f, ip);
	assert_int_equal(decode(PKT_LINK_SLL2, f.b, f.n, &p), DIS_OK);
	assert_v4_addrs(&p);
	assert_hello(&p);
	/* The same bytes read as SLL v1 find address bytes at 14: not IP. */
	assert_int_equal(decode(PKT_LINK_SLL, f.b, f.n, &p), DIS_UNSUPPORTED);
	assert_int_equal(p.skip, PKT_SKIP_NOT_IP);

	assert_int_equal(decode(PKT_LINK_SLL2, f.b, 19, &p), DIS_SHORT);
}

static void
null_case(enum pkt_link link, uint32_t fam, bool little, bool v6,
          enum dis_status want)
{
	struct fb f = {.n = 0};
	struct pkt p;
	size_t ip;

	null_hdr(&f, fam, little);
	ip = v6 ? ip6(&f, 6) : ip4(&f, 6, 0, 0);
	tcp(&f, PKT_TCP_ACK, NULL, 0, hello, HELLO_LEN);
	if (v6)
		ip6_done(&f, ip);
	else
		ip4_done(&f, ip);
	assert_int_equal(decode(link, f.b, f.n, &p), want);
	if (want == DIS_OK) {
		if (v6)
			assert_v6_addrs(&p);
		else
			assert_v4_addrs(&p);
		assert_hello(&p);
	} else {
		assert_int_equal(p.skip, PKT_SKIP_NOT_IP);
	}
}

static void
test_null_loop(void **state)
{
	(void)state;
	/* BSD null: either byte order, every BSD's AF_INET6. */
	null_case(PKT_LINK_NULL, 2, true, false, DIS_OK);
	null_case(PKT_LINK_NULL, 2, false, false, DIS_OK);
	null_case(PKT_LINK_NULL, 24, true, true, DIS_OK);
	null_case(PKT_LINK_NULL, 28, false, true, DIS_OK);
	null_case(PKT_LINK_NULL, 30, true, true, DIS_OK);
	null_case(PKT_LINK_NULL, 30, false, true, DIS_OK);
	/* Linux's AF_INET6 (10) and AF_UNIX are not BSD IP families. */
	null_case(PKT_LINK_NULL, 10, true, true, DIS_UNSUPPORTED);
	null_case(PKT_LINK_NULL, 1, false, false, DIS_UNSUPPORTED);
	/* OpenBSD loop: network order only. */
	null_case(PKT_LINK_LOOP, 2, false, false, DIS_OK);
	null_case(PKT_LINK_LOOP, 24, false, true, DIS_OK);
	null_case(PKT_LINK_LOOP, 2, true, false, DIS_UNSUPPORTED);

	{
		static const uint8_t three[] = {2, 0, 0};
		struct pkt p;

		assert_int_equal(decode(PKT_LINK_NULL, three, 3, &p), DIS_SHORT);
		assert_int_equal(decode(PKT_LINK_LOOP, three, 3, &p), DIS_SHORT);
	}
}

static void
test_raw_links(void **state)
{
	struct fb f4 = {.n = 0}, f6 = {.n = 0};
	struct pkt p;
	size_t ip;

	(void)state;
	ip = ip4(&f4, 6, 0, 0);
	tcp(&f4, PKT_TCP_ACK, NULL, 0, hello, HELLO_LEN);
	ip4_done(&f4, ip);
	ip = ip6(&f6, 6);
	tcp(&f6, PKT_TCP_ACK, NULL, 0, hello, HELLO_LEN);
	ip6_done(&f6, ip);

	assert_int_equal(decode(PKT_LINK_RAW, f4.b, f4.n, &p), DIS_OK);
	assert_v4_addrs(&p);
	assert_hello(&p);
	assert_int_equal(decode(PKT_LINK_RAW, f6.b, f6.n, &p), DIS_OK);
	assert_v6_addrs(&p);
	assert_hello(&p);
	assert_int_equal(decode(PKT_LINK_IPV4, f4.b, f4.n, &p), DIS_OK);
	assert_hello(&p);
	assert_int_equal(decode(PKT_LINK_IPV6, f6.b, f6.n, &p), DIS_OK);
	assert_hello(&p);

	/* The declared link and the version nibble disagree. */
	assert_int_equal(decode(PKT_LINK_IPV4, f6.b, f6.n, &p), DIS_MALFORMED);
	assert_int_equal(p.skip, PKT_SKIP_MALFORMED);
	assert_int_equal(decode(PKT_LINK_IPV6, f4.b, f4.n, &p), DIS_MALFORMED);

	/* Raw with an unknown version nibble is not IP. */
	f4.b[0] = 0x50;
	assert_int_equal(decode(PKT_LINK_RAW, f4.b, f4.n, &p), DIS_UNSUPPORTED);
	assert_int_equal(p.skip, PKT_SKIP_NOT_IP);
}

static void
test_empty_and_unknown_link(void **state)
{
	struct fb f = {.n = 0};
	struct pkt p;

	(void)state;
	build_eth4(&f);
	for (int l = PKT_LINK_NULL; l <= PKT_LINK_SLL2; l++) {
		assert_int_equal(decode((enum pkt_link)l, f.b, 0, &p), DIS_SHORT);
		assert_int_equal(p.skip, PKT_SKIP_TRUNCATED);
	}
	assert_int_equal(pkt_decode(PKT_LINK_ETHERNET, NULL, 0, &p), DIS_SHORT);
	assert_int_equal(decode((enum pkt_link)99, f.b, f.n, &p),
	                 DIS_UNSUPPORTED);
	assert_int_equal(p.skip, PKT_SKIP_NOT_IP);
	/* Shorter than the 14-byte Ethernet header. */
	assert_int_equal(decode(PKT_LINK_ETHERNET, f.b, 13, &p), DIS_SHORT);
	assert_int_equal(p.skip, PKT_SKIP_TRUNCATED);
}

/* pkt_quick answers only where pkt_decode would say DIS_OK, and then the
 * same; everything unusual is left to pkt_decode. */
static void
quick_agrees(const struct fb *f, bool answers)
{
	struct pkt p;
	struct pkt_quick q;
	uint8_t *copy = malloc(f->n ? f->n : 1);
	bool got;

	assert_non_null(copy);
	memcpy(copy, f->b, f->n);
	got = pkt_quick(PKT_LINK_ETHERNET, copy, f->n, &q);
	assert_int_equal(got, answers);
	if (got) {
		assert_int_equal(decode(PKT_LINK_ETHERNET, f->b, f->n, &p), DIS_OK);
		assert_int_equal(q.sport, p.sport);
		assert_int_equal(q.dport, p.dport);
		assert_int_equal(q.truncated, (p.anomalies & PKT_A_TRUNCATED) != 0);
		assert_int_equal(q.payload_n, p.payload.n);
		if (q.payload_n > 0)
			assert_ptr_equal(f->b + q.payload_off, p.payload.p);
	}
	free(copy);
}

static void
test_quick(void **state)
{
	struct fb f = {.n = 0};
	static const uint16_t tpid[1] = {0x8100}, vid[1] = {7};
	struct pkt_quick q;
	size_t ip;

	(void)state;
	build_eth4(&f);
	quick_agrees(&f, true);
	/* cut by the snaplen inside the payload: truncated */
	f.n -= 5;
	quick_agrees(&f, true);
	assert_true(pkt_quick(PKT_LINK_ETHERNET, f.b, f.n, &q) && q.truncated);
	/* cut inside the TCP header: left to pkt_decode (DIS_SHORT) */
	f.n = 14 + 20 + 19;
	quick_agrees(&f, false);
	/* Ethernet padding after a bare ACK */
	f.n = 0;
	eth(&f, NULL, NULL, 0, 0x0800);
	ip = ip4(&f, 6, 0, 0);
	tcp(&f, PKT_TCP_ACK, syn_opts, sizeof syn_opts, NULL, 0);
	ip4_done(&f, ip);
	fill(&f, 0xee, 6);
	quick_agrees(&f, true);
	/* not for it: a VLAN tag, IPv4 options, a fragment, UDP, another
	 * link type, a data offset beyond the segment */
	f.n = 0;
	eth(&f, tpid, vid, 1, 0x0800);
	ip = ip4(&f, 6, 0, 0);
	tcp(&f, PKT_TCP_ACK, NULL, 0, hello, HELLO_LEN);
	ip4_done(&f, ip);
	quick_agrees(&f, false);
	f.n = 0;
	eth(&f, NULL, NULL, 0, 0x0800);
	ip = ip4(&f, 6, 4, 0);
	tcp(&f, PKT_TCP_ACK, NULL, 0, hello, HELLO_LEN);
	ip4_done(&f, ip);
	quick_agrees(&f, false);
	f.n = 0;
	eth(&f, NULL, NULL, 0, 0x0800);
	ip = ip4(&f, 6, 0, 0x2000);
	tcp(&f, PKT_TCP_ACK, NULL, 0, hello, HELLO_LEN);
	ip4_done(&f, ip);
	quick_agrees(&f, false);
	f.n = 0;
	eth(&f, NULL, NULL, 0, 0x0800);
	ip = ip4(&f, 17, 0, 0);
	fill(&f, 0, 28);
	ip4_done(&f, ip);
	quick_agrees(&f, false);
	f.n = 0;
	build_eth4(&f);
	assert_false(pkt_quick(PKT_LINK_SLL, f.b, f.n, &q));
	f.n = 0;
	build_eth4(&f);
	f.b[14 + 20 + 12] = 0xf0; /* 60-byte header in a shorter segment */
	quick_agrees(&f, false);

	/* IPv6 with TCP right after the fixed header: answered, cut or
	 * padded too; an extension header, a jumbogram's zero length, a
	 * version that is not 6, a segment shorter than a TCP header: left
	 * to pkt_decode. */
	f.n = 0;
	eth(&f, NULL, NULL, 0, 0x86dd);
	ip = ip6(&f, 6);
	tcp(&f, PKT_TCP_ACK, NULL, 0, hello, HELLO_LEN);
	ip6_done(&f, ip);
	quick_agrees(&f, true);
	assert_true(pkt_quick(PKT_LINK_ETHERNET, f.b, f.n, &q));
	assert_int_equal(q.payload_off, 14 + 40 + 20);
	assert_int_equal(q.payload_n, HELLO_LEN);
	f.n -= 7;
	quick_agrees(&f, true);
	assert_true(pkt_quick(PKT_LINK_ETHERNET, f.b, f.n, &q) && q.truncated);
	f.n += 7;
	fill(&f, 0, 3);
	quick_agrees(&f, true);
	f.n = 0;
	eth(&f, NULL, NULL, 0, 0x86dd);
	ip = ip6(&f, 0);
	ip6_ext(&f, 6, 0);
	tcp(&f, PKT_TCP_ACK, NULL, 0, hello, HELLO_LEN);
	ip6_done(&f, ip);
	quick_agrees(&f, false);
	f.b[14 + 4] = 0;
	f.b[14 + 5] = 0;
	quick_agrees(&f, false);
	f.n = 0;
	eth(&f, NULL, NULL, 0, 0x86dd);
	ip = ip6(&f, 6);
	tcp(&f, PKT_TCP_ACK, NULL, 0, hello, HELLO_LEN);
	ip6_done(&f, ip);
	f.b[14] = 0x40;
	quick_agrees(&f, false);
	f.b[14] = 0x60;
	f.b[14 + 4] = 0;
	f.b[14 + 5] = 19;
	quick_agrees(&f, false);
}

static void
test_link_names(void **state)
{
	(void)state;
	assert_string_equal(pkt_link_name(PKT_LINK_ETHERNET), "Ethernet");
	assert_string_equal(pkt_link_name(PKT_LINK_SLL2),
	                    "Linux cooked v2 (SLL2)");
	assert_string_equal(pkt_link_name((enum pkt_link)77), "unknown");
	for (int a = PKT_LINK_NULL; a <= PKT_LINK_SLL2; a++)
		for (int b = a + 1; b <= PKT_LINK_SLL2; b++)
			assert_string_not_equal(pkt_link_name((enum pkt_link)a),
			                        pkt_link_name((enum pkt_link)b));
}

static void
test_ip4_options(void **state)
{
	struct fb f = {.n = 0};
	struct pkt p;
	size_t ip;

	(void)state;
	eth(&f, NULL, NULL, 0, 0x0800);
	ip = ip4(&f, 6, 8, 0);
	tcp(&f, PKT_TCP_ACK, NULL, 0, hello, HELLO_LEN);
	ip4_done(&f, ip);
	assert_int_equal(decode(PKT_LINK_ETHERNET, f.b, f.n, &p), DIS_OK);
	assert_int_equal(p.anomalies, PKT_A_IP_OPTIONS);
	assert_v4_addrs(&p);
	assert_hello(&p);
	/* Cut inside the options: the IP header itself is incomplete. */
	assert_int_equal(decode(PKT_LINK_ETHERNET, f.b, 14 + 24, &p), DIS_SHORT);
	assert_int_equal(p.skip, PKT_SKIP_TRUNCATED);
	/* The maximum header of 60 bytes. */
	f.n = 0;
	ip = ip4(&f, 6, 40, 0);
	tcp(&f, PKT_TCP_ACK, NULL, 0, hello, HELLO_LEN);
	ip4_done(&f, ip);
	assert_int_equal(decode(PKT_LINK_IPV4, f.b, f.n, &p), DIS_OK);
	assert_int_equal(p.anomalies, PKT_A_IP_OPTIONS);
	assert_hello(&p);
}

static void
test_ip4_fragments(void **state)
{
	struct fb f = {.n = 0};
	struct pkt p;
	size_t ip;

	(void)state;
	/* First fragment: MF set, offset 0, and a whole TCP header inside. */
	ip = ip4(&f, 6, 0, 0x2000);
	tcp(&f, PKT_TCP_ACK, NULL, 0, hello, HELLO_LEN);
	ip4_done(&f, ip);
	assert_int_equal(decode(PKT_LINK_IPV4, f.b, f.n, &p), DIS_UNSUPPORTED);
	assert_int_equal(p.skip, PKT_SKIP_FRAGMENT);
	assert_int_equal(p.anomalies, PKT_A_IP_FRAGMENT);
	assert_v4_addrs(&p);
	assert_false(p.ip_df);
	assert_int_equal(p.sport, 0);

	/* Later fragment: offset 185 (1480 bytes), MF clear. */
	f.n = 0;
	ip = ip4(&f, 6, 0, 185);
	fill(&f, 0x55, 100);
	ip4_done(&f, ip);
	assert_int_equal(decode(PKT_LINK_IPV4, f.b, f.n, &p), DIS_UNSUPPORTED);
	assert_int_equal(p.skip, PKT_SKIP_FRAGMENT);
	assert_int_equal(p.anomalies, PKT_A_IP_FRAGMENT);
	assert_v4_addrs(&p);

	/* A UDP fragment is still a fragment. */
	f.n = 0;
	ip = ip4(&f, 17, 0, 0x2000 | 3);
	fill(&f, 0, 24);
	ip4_done(&f, ip);
	assert_int_equal(decode(PKT_LINK_IPV4, f.b, f.n, &p), DIS_UNSUPPORTED);
	assert_int_equal(p.skip, PKT_SKIP_FRAGMENT);

	/* DF alone is no fragment. */
	f.n = 0;
	ip = ip4(&f, 6, 0, 0x4000);
	tcp(&f, PKT_TCP_ACK, NULL, 0, hello, HELLO_LEN);
	ip4_done(&f, ip);
	assert_int_equal(decode(PKT_LINK_IPV4, f.b, f.n, &p), DIS_OK);
	assert_true(p.ip_df);
	assert_int_equal(p.anomalies, 0);
}

static void
test_ip4_lying_lengths(void **state)
{
	struct fb f = {.n = 0};
	struct pkt p;
	size_t ip;

	(void)state;
	ip = ip4(&f, 6, 0, 0);
	tcp(&f, PKT_TCP_ACK, NULL, 0, hello, HELLO_LEN);
	ip4_done(&f, ip);

	/* Total length below the 20-byte header. */
	set16(&f, 2, 19);
	assert_int_equal(decode(PKT_LINK_IPV4, f.b, f.n, &p), DIS_MALFORMED);
	assert_int_equal(p.skip, PKT_SKIP_MALFORMED);
	assert_v4_addrs(&p); /* still filled for the report */
	set16(&f, 2, 0);
	assert_int_equal(decode(PKT_LINK_IPV4, f.b, f.n, &p), DIS_MALFORMED);

	/* Header length below 5 words. */
	set16(&f, 2, (uint16_t)f.n);
	f.b[0] = 0x44;
	assert_int_equal(decode(PKT_LINK_IPV4, f.b, f.n, &p), DIS_MALFORMED);

	/* Total length below the header length (with options). */
	f.b[0] = 0x46;
	set16(&f, 2, 22);
	assert_int_equal(decode(PKT_LINK_IPV4, f.b, f.n, &p), DIS_MALFORMED);
	f.b[0] = 0x45;

	/* Total length leaves no room for the TCP header. */
	set16(&f, 2, 20 + 19);
	assert_int_equal(decode(PKT_LINK_IPV4, f.b, f.n, &p), DIS_MALFORMED);
	assert_int_equal(p.skip, PKT_SKIP_MALFORMED);

	/* Total length exactly the header: an empty IP payload, no TCP. */
	set16(&f, 2, 20);
	assert_int_equal(decode(PKT_LINK_IPV4, f.b, f.n, &p), DIS_MALFORMED);

	/* Total length longer than captured: payload truncated, not lying. */
	set16(&f, 2, (uint16_t)(f.n + 1000));
	assert_int_equal(decode(PKT_LINK_IPV4, f.b, f.n, &p), DIS_OK);
	assert_int_equal(p.anomalies, PKT_A_TRUNCATED);
	assert_int_equal(p.payload_len, HELLO_LEN + 1000);
	assert_int_equal(p.payload.n, HELLO_LEN);
}

static void
test_ip6_ext_chain(void **state)
{
	struct fb f = {.n = 0};
	struct pkt p;
	size_t ip;

	(void)state;
	eth(&f, NULL, NULL, 0, 0x86dd);
	ip = ip6(&f, 0);
	ip6_ext(&f, 43, 0);  /* hop-by-hop, 8 bytes */
	ip6_ext(&f, 60, 2);  /* routing, 24 bytes */
	ip6_ext(&f, 6, 1);   /* destination options, 16 bytes */
	tcp(&f, PKT_TCP_ACK, NULL, 0, hello, HELLO_LEN);
	ip6_done(&f, ip);
	assert_int_equal(decode(PKT_LINK_ETHERNET, f.b, f.n, &p), DIS_OK);
	assert_int_equal(p.anomalies, 0);
	assert_v6_addrs(&p);
	assert_hello(&p);
	assert_ptr_equal(p.payload.p, f.b + 14 + 40 + 48 + 20);

	/* Cut inside the routing header. */
	assert_int_equal(decode(PKT_LINK_ETHERNET, f.b, 14 + 40 + 8 + 10, &p),
	                 DIS_SHORT);
	assert_int_equal(p.skip, PKT_SKIP_TRUNCATED);
	/* Cut between two headers (next-header byte missing). */
	assert_int_equal(decode(PKT_LINK_ETHERNET, f.b, 14 + 40 + 8, &p),
	                 DIS_SHORT);

	/* Payload length too short for the chain: a lie. */
	set16(&f, 14 + 4, 8 + 10);
	assert_int_equal(decode(PKT_LINK_ETHERNET, f.b, f.n, &p), DIS_MALFORMED);
	assert_int_equal(p.skip, PKT_SKIP_MALFORMED);
	/* ...or ending exactly between headers. */
	set16(&f, 14 + 4, 8 + 24 + 1);
	assert_int_equal(decode(PKT_LINK_ETHERNET, f.b, f.n, &p), DIS_MALFORMED);
	/* ...or exactly at the TCP header. */
	set16(&f, 14 + 4, 48 + 10);
	assert_int_equal(decode(PKT_LINK_ETHERNET, f.b, f.n, &p), DIS_MALFORMED);
}

static void
test_ip6_ah_esp_none(void **state)
{
	struct fb f = {.n = 0};
	struct pkt p;
	size_t ip;

	(void)state;
	/* AH: payload length 4 means (4 + 2) * 4 = 24 bytes. */
	ip = ip6(&f, 51);
	put8(&f, 6);
	put8(&f, 4);
	fill(&f, 0xcc, 22);
	tcp(&f, PKT_TCP_ACK, NULL, 0, hello, HELLO_LEN);
	ip6_done(&f, ip);
	assert_int_equal(decode(PKT_LINK_IPV6, f.b, f.n, &p), DIS_OK);
	assert_hello(&p);
	assert_ptr_equal(p.payload.p, f.b + 40 + 24 + 20);

	/* ESP hides the next header. */
	f.n = 0;
	ip = ip6(&f, 50);
	fill(&f, 0x77, 64);
	ip6_done(&f, ip);
	assert_int_equal(decode(PKT_LINK_IPV6, f.b, f.n, &p), DIS_UNSUPPORTED);
	assert_int_equal(p.skip, PKT_SKIP_NOT_TCP);
	assert_v6_addrs(&p);

	/* No next header after a destination-options header. */
	f.n = 0;
	ip = ip6(&f, 60);
	ip6_ext(&f, 59, 0);
	fill(&f, 0x66, 30); /* ignored bytes */
	ip6_done(&f, ip);
	assert_int_equal(decode(PKT_LINK_IPV6, f.b, f.n, &p), DIS_UNSUPPORTED);
	assert_int_equal(p.skip, PKT_SKIP_NOT_TCP);

	/* ICMPv6 and UDP. */
	f.n = 0;
	ip = ip6(&f, 58);
	fill(&f, 0, 8);
	ip6_done(&f, ip);
	assert_int_equal(decode(PKT_LINK_IPV6, f.b, f.n, &p), DIS_UNSUPPORTED);
	assert_int_equal(p.skip, PKT_SKIP_NOT_TCP);
	f.b[6] = 17;
	assert_int_equal(decode(PKT_LINK_IPV6, f.b, f.n, &p), DIS_UNSUPPORTED);
	assert_int_equal(p.skip, PKT_SKIP_NOT_TCP);
}

static void
test_ip6_fragment(void **state)
{
	struct fb f = {.n = 0};
	struct pkt p;
	size_t ip;

	(void)state;
	/* First fragment (offset 0, M set). */
	ip = ip6(&f, 44);
	ip6_frag(&f, 6, 0, true);
	tcp(&f, PKT_TCP_ACK, NULL, 0, hello, HELLO_LEN);
	ip6_done(&f, ip);
	assert_int_equal(decode(PKT_LINK_IPV6, f.b, f.n, &p), DIS_UNSUPPORTED);
	assert_int_equal(p.skip, PKT_SKIP_FRAGMENT);
	assert_int_equal(p.anomalies, PKT_A_IP_FRAGMENT);
	assert_v6_addrs(&p);

	/* Later fragment (offset 1448 / 8, M clear). */
	f.n = 0;
	ip = ip6(&f, 44);
	ip6_frag(&f, 6, 181, false);
	fill(&f, 0x11, 40);
	ip6_done(&f, ip);
	assert_int_equal(decode(PKT_LINK_IPV6, f.b, f.n, &p), DIS_UNSUPPORTED);
	assert_int_equal(p.skip, PKT_SKIP_FRAGMENT);

	/* Atomic fragment (RFC 6946): decoded, but flagged. */
	f.n = 0;
	ip = ip6(&f, 0);
	ip6_ext(&f, 44, 0);
	ip6_frag(&f, 6, 0, false);
	tcp(&f, PKT_TCP_ACK, NULL, 0, hello, HELLO_LEN);
	ip6_done(&f, ip);
	assert_int_equal(decode(PKT_LINK_IPV6, f.b, f.n, &p), DIS_OK);
	assert_int_equal(p.anomalies, PKT_A_IP_FRAGMENT);
	assert_hello(&p);
	/* Reserved bits alone do not make it a fragment. */
	f.b[40 + 8 + 3] |= 0x06;
	assert_int_equal(decode(PKT_LINK_IPV6, f.b, f.n, &p), DIS_OK);
	/* Cut inside the fragment header. */
	assert_int_equal(decode(PKT_LINK_IPV6, f.b, 40 + 8 + 5, &p), DIS_SHORT);
}

static void
chain_case(size_t next, enum dis_status want)
{
	struct fb f = {.n = 0};
	struct pkt p;
	size_t ip;

	ip = ip6(&f, 60);
	for (size_t i = 0; i < next; i++)
		ip6_ext(&f, (uint8_t)(i + 1 < next ? 60 : 6), 0);
	tcp(&f, PKT_TCP_ACK, NULL, 0, hello, HELLO_LEN);
	ip6_done(&f, ip);
	assert_int_equal(decode(PKT_LINK_IPV6, f.b, f.n, &p), want);
	if (want == DIS_OK)
		assert_hello(&p);
	else
		assert_int_equal(p.skip, PKT_SKIP_MALFORMED);
}

static void
test_ip6_hostile_chain(void **state)
{
	(void)state;
	chain_case(16, DIS_OK);
	chain_case(17, DIS_LIMIT);
	chain_case(400, DIS_LIMIT);
}

static void
test_ip6_jumbo_and_short(void **state)
{
	struct fb f = {.n = 0};
	struct pkt p;
	size_t ip;

	(void)state;
	/* Payload length 0 with hop-by-hop: a jumbogram (RFC 2675). */
	ip = ip6(&f, 0);
	put8(&f, 6);
	put8(&f, 0);
	put8(&f, 0xc2); /* Jumbo Payload option */
	put8(&f, 4);
	put32(&f, 100000);
	tcp(&f, PKT_TCP_ACK, NULL, 0, hello, HELLO_LEN);
	(void)ip;
	assert_int_equal(decode(PKT_LINK_IPV6, f.b, f.n, &p), DIS_MALFORMED);
	assert_int_equal(p.skip, PKT_SKIP_MALFORMED);

	/* Payload length 0 straight to TCP: no room for a header. */
	f.b[6] = 6;
	assert_int_equal(decode(PKT_LINK_IPV6, f.b, f.n, &p), DIS_MALFORMED);

	/* Cut inside the fixed header. */
	f.n = 0;
	ip = ip6(&f, 6);
	tcp(&f, PKT_TCP_ACK, NULL, 0, hello, HELLO_LEN);
	ip6_done(&f, ip);
	assert_int_equal(decode(PKT_LINK_IPV6, f.b, 39, &p), DIS_SHORT);
	assert_int_equal(p.skip, PKT_SKIP_TRUNCATED);
	assert_int_equal(p.ip_version, 0);
}

static void
test_tcp_options(void **state)
{
	static const uint8_t all[] = {
		1, 1,                         /* NOP NOP */
		5, 10, 0, 0, 0, 1, 0, 0, 0, 2, /* SACK block */
		30, 6, 9, 9, 9, 9,            /* unknown kind (MPTCP) */
		2, 4, 0x23, 0x28,             /* MSS 9000 */
		3, 3, 14,                     /* WS 14 */
		4, 2,                         /* SACK permitted */
		8, 10, 0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 9,
		0,                            /* EOL: the rest is ignored */
		2, 1,
	};
	struct fb f = {.n = 0};
	struct pkt p;
	size_t ip;

	(void)state;
	ip = ip4(&f, 6, 0, 0);
	tcp(&f, PKT_TCP_ACK, all, sizeof all, hello, HELLO_LEN);
	ip4_done(&f, ip);
	assert_int_equal(decode(PKT_LINK_IPV4, f.b, f.n, &p), DIS_OK);
	assert_int_equal(p.anomalies, 0);
	assert_true(p.has_mss);
	assert_int_equal(p.mss, 9000);
	assert_true(p.has_wscale);
	assert_int_equal(p.wscale, 14);
	assert_true(p.has_sack_perm);
	assert_true(p.has_ts);
	assert_int_equal(p.ts_val, 0xdeadbeef);
	assert_int_equal(p.ts_ecr, 9);
	assert_hello(&p);
}

static void
opt_case(const uint8_t *opt, size_t n, bool mss, uint32_t anomalies)
{
	struct fb f = {.n = 0};
	struct pkt p;
	size_t ip;

	ip = ip4(&f, 6, 0, 0);
	tcp(&f, PKT_TCP_ACK, opt, n, hello, HELLO_LEN);
	ip4_done(&f, ip);
	assert_int_equal(decode(PKT_LINK_IPV4, f.b, f.n, &p), DIS_OK);
	assert_int_equal(p.anomalies, anomalies);
	assert_int_equal(p.has_mss, mss);
	if (mss)
		assert_int_equal(p.mss, 1460);
	assert_false(p.has_ts);
	assert_hello(&p);
}

static void
test_tcp_options_bad(void **state)
{
	/* Each: MSS first (kept), then a broken option, then TS (never read). */
	static const uint8_t len0[] = {2, 4, 5, 0xb4, 30, 0, 8, 10, 0, 0, 0, 1,
	                               0, 0, 0, 2};
	static const uint8_t len1[] = {2, 4, 5, 0xb4, 30, 1, 8, 10, 0, 0, 0, 1,
	                               0, 0, 0, 2};
	/* An unknown option whose length runs past the 20 option bytes. */
	static const uint8_t over[] = {2, 4, 5, 0xb4, 30, 40, 8, 10, 0, 0, 0, 1,
	                               0, 0, 0, 2};
	/* A kind byte with no room left for its length. */
	static const uint8_t nolen[] = {1, 1, 1, 2, 4, 5, 0xb4, 8};
	/* Known kinds with the wrong length: skipped, flagged, not believed. */
	static const uint8_t wrong[] = {2, 3, 5, 8, 5, 10, 0, 0, 0, 1, 0, 0,
	                                0, 2};
	static const uint8_t wrong_mss[] = {2, 6, 5, 0xb4, 0, 0};

	(void)state;
	opt_case(len0, sizeof len0, true, PKT_A_TCP_OPT_BAD);
	opt_case(len1, sizeof len1, true, PKT_A_TCP_OPT_BAD);
	opt_case(over, sizeof over, true, PKT_A_TCP_OPT_BAD);
	opt_case(nolen, sizeof nolen, true, PKT_A_TCP_OPT_BAD);
	opt_case(wrong, sizeof wrong, false, PKT_A_TCP_OPT_BAD);
	opt_case(wrong_mss, sizeof wrong_mss, false, PKT_A_TCP_OPT_BAD);
}

static void
test_tcp_offsets(void **state)
{
	struct fb f = {.n = 0};
	struct pkt p;
	size_t ip, t;

	(void)state;
	ip = ip4(&f, 6, 0, 0);
	t = f.n;
	tcp(&f, PKT_TCP_ACK, NULL, 0, hello, HELLO_LEN);
	ip4_done(&f, ip);

	/* Data offset below 5 words. */
	for (uint8_t off = 0; off < 5; off++) {
		f.b[t + 12] = (uint8_t)(off << 4);
		assert_int_equal(decode(PKT_LINK_IPV4, f.b, f.n, &p),
		                 DIS_MALFORMED);
		assert_int_equal(p.skip, PKT_SKIP_MALFORMED);
	}
	/* Data offset beyond the IP payload (20 + 22 bytes < 60). */
	f.b[t + 12] = 0xf0;
	assert_int_equal(decode(PKT_LINK_IPV4, f.b, f.n, &p), DIS_MALFORMED);
	assert_int_equal(p.skip, PKT_SKIP_MALFORMED);
	/* Exactly the whole segment is header: no payload, options NOPs... */
	f.b[t + 12] = (uint8_t)(((20 + 20) / 4) << 4);
	set16(&f, 2, 20 + 40);
	memset(f.b + t + 20, 1, 20);
	assert_int_equal(decode(PKT_LINK_IPV4, f.b, 20 + 40, &p), DIS_OK);
	assert_int_equal(p.payload_len, 0);
	assert_int_equal(p.payload.n, 0);
	assert_int_equal(p.anomalies, 0);
	/* ...and within the IP payload but beyond what was captured: short. */
	set16(&f, 2, 20 + 40 + 100);
	assert_int_equal(decode(PKT_LINK_IPV4, f.b, 20 + 30, &p), DIS_SHORT);
	assert_int_equal(p.skip, PKT_SKIP_TRUNCATED);
}

static void
test_snaplen_truncation(void **state)
{
	struct fb f = {.n = 0};
	struct pkt p;
	size_t t;

	(void)state;
	t = build_eth4(&f);
	/* A 64-byte snaplen keeps 10 of the 22 payload bytes. */
	assert_int_equal(decode(PKT_LINK_ETHERNET, f.b, 64, &p), DIS_OK);
	assert_int_equal(p.anomalies, PKT_A_TRUNCATED);
	assert_int_equal(p.payload_len, HELLO_LEN);
	assert_int_equal(p.payload.n, 64 - (t + 20));
	assert_memory_equal(p.payload.p, hello, p.payload.n);
	/* Exactly the headers: an empty captured payload. */
	assert_int_equal(decode(PKT_LINK_ETHERNET, f.b, t + 20, &p), DIS_OK);
	assert_int_equal(p.payload.n, 0);
	assert_int_equal(p.payload_len, HELLO_LEN);
	assert_int_equal(p.anomalies, PKT_A_TRUNCATED);
	/* Cut in the TCP header and in the IP header. */
	assert_int_equal(decode(PKT_LINK_ETHERNET, f.b, t + 19, &p), DIS_SHORT);
	assert_int_equal(p.skip, PKT_SKIP_TRUNCATED);
	assert_v4_addrs(&p);
	assert_int_equal(decode(PKT_LINK_ETHERNET, f.b, 14 + 19, &p), DIS_SHORT);
	assert_int_equal(p.skip, PKT_SKIP_TRUNCATED);
	assert_int_equal(p.ip_version, 0);
}

static void
test_not_tcp_not_ip(void **state)
{
	struct fb f = {.n = 0};
	struct pkt p;
	size_t ip;

	(void)state;
	eth(&f, NULL, NULL, 0, 0x0800);
	ip = ip4(&f, 17, 0, 0); /* UDP */
	fill(&f, 0, 8);
	ip4_done(&f, ip);
	assert_int_equal(decode(PKT_LINK_ETHERNET, f.b, f.n, &p),
	                 DIS_UNSUPPORTED);
	assert_int_equal(p.skip, PKT_SKIP_NOT_TCP);
	assert_v4_addrs(&p);
	f.b[14 + 9] = 1; /* ICMP */
	assert_int_equal(decode(PKT_LINK_ETHERNET, f.b, f.n, &p),
	                 DIS_UNSUPPORTED);
	assert_int_equal(p.skip, PKT_SKIP_NOT_TCP);

	f.n = 0;
	eth(&f, NULL, NULL, 0, 0x0806); /* ARP */
	fill(&f, 0, 28);
	assert_int_equal(decode(PKT_LINK_ETHERNET, f.b, f.n, &p),
	                 DIS_UNSUPPORTED);
	assert_int_equal(p.skip, PKT_SKIP_NOT_IP);
	assert_int_equal(p.ip_version, 0);

	/* 802.3 length field (LLC frame). */
	set16(&f, 12, 46);
	assert_int_equal(decode(PKT_LINK_ETHERNET, f.b, f.n, &p),
	                 DIS_UNSUPPORTED);
	assert_int_equal(p.skip, PKT_SKIP_NOT_IP);

	/* IPv4 EtherType with a version-6 header inside: a lie. */
	f.n = 0;
	eth(&f, NULL, NULL, 0, 0x0800);
	ip = ip6(&f, 6);
	tcp(&f, PKT_TCP_ACK, NULL, 0, NULL, 0);
	ip6_done(&f, ip);
	assert_int_equal(decode(PKT_LINK_ETHERNET, f.b, f.n, &p), DIS_MALFORMED);
}

/*
 * Every prefix of a valid frame: headers cut give DIS_SHORT, payload cut
 * gives DIS_OK with exactly the captured bytes, never a view past them.
 */
static void
prefix_case(enum pkt_link link, const struct fb *f, size_t hdr)
{
	struct pkt p;

	for (size_t n = 0; n <= f->n; n++) {
		enum dis_status st = decode(link, f->b, n, &p);

		if (n < hdr) {
			assert_int_equal(st, DIS_SHORT);
			assert_int_equal(p.skip, PKT_SKIP_TRUNCATED);
			continue;
		}
		assert_int_equal(st, DIS_OK);
		assert_int_equal(p.payload.n, n - hdr);
		assert_true(p.payload.n <= p.payload_len);
		assert_ptr_equal(p.payload.p, f->b + hdr);
		assert_int_equal(p.anomalies & PKT_A_TRUNCATED,
		                 n < f->n ? PKT_A_TRUNCATED : 0);
	}
}

static void
test_every_prefix(void **state)
{
	static const uint16_t q[] = {0x88a8, 0x8100};
	static const uint16_t v[] = {7, 8};
	struct fb f = {.n = 0};
	size_t ip, t;

	(void)state;
	eth(&f, q, v, 2, 0x0800);
	ip = ip4(&f, 6, 12, 0);
	t = f.n;
	tcp(&f, PKT_TCP_SYN | PKT_TCP_ACK, syn_opts, sizeof syn_opts, hello,
	    HELLO_LEN);
	ip4_done(&f, ip);
	prefix_case(PKT_LINK_ETHERNET, &f, t + 40);

	f.n = 0;
	sll2(&f, 0x86dd);
	ip = ip6(&f, 0);
	ip6_ext(&f, 43, 0);
	ip6_ext(&f, 44, 1);
	ip6_frag(&f, 60, 0, false);
	ip6_ext(&f, 51, 0);
	put8(&f, 6);
	put8(&f, 1);
	fill(&f, 0, 10);
	t = f.n;
	tcp(&f, PKT_TCP_ACK, syn_opts, sizeof syn_opts, hello, HELLO_LEN);
	ip6_done(&f, ip);
	prefix_case(PKT_LINK_SLL2, &f, t + 40);

	f.n = 0;
	null_hdr(&f, 30, true);
	ip = ip6(&f, 6);
	t = f.n;
	tcp(&f, PKT_TCP_ACK, NULL, 0, hello, HELLO_LEN);
	ip6_done(&f, ip);
	prefix_case(PKT_LINK_NULL, &f, t + 20);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ethernet_syn_all_fields),
		cmocka_unit_test(test_ethernet_payload),
		cmocka_unit_test(test_ethernet_padding),
		cmocka_unit_test(test_vlan_stacks),
		cmocka_unit_test(test_vlan_non_ip_and_cut),
		cmocka_unit_test(test_sll),
		cmocka_unit_test(test_sll2),
		cmocka_unit_test(test_null_loop),
		cmocka_unit_test(test_raw_links),
		cmocka_unit_test(test_empty_and_unknown_link),
		cmocka_unit_test(test_quick),
		cmocka_unit_test(test_link_names),
		cmocka_unit_test(test_ip4_options),
		cmocka_unit_test(test_ip4_fragments),
		cmocka_unit_test(test_ip4_lying_lengths),
		cmocka_unit_test(test_ip6_ext_chain),
		cmocka_unit_test(test_ip6_ah_esp_none),
		cmocka_unit_test(test_ip6_fragment),
		cmocka_unit_test(test_ip6_hostile_chain),
		cmocka_unit_test(test_ip6_jumbo_and_short),
		cmocka_unit_test(test_tcp_options),
		cmocka_unit_test(test_tcp_options_bad),
		cmocka_unit_test(test_tcp_offsets),
		cmocka_unit_test(test_snaplen_truncation),
		cmocka_unit_test(test_not_tcp_not_ip),
		cmocka_unit_test(test_every_prefix),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
