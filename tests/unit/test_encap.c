/* test_encap.c: tunnels and tags around the TCP segment (dissect/pkt.c),
 * what a connection keeps of them (src/tcp/encap.c) and --decap-port
 * (src/capture/decap.c). Every frame is built byte by byte. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/decap.h"
#include "pkt.h"
#include "tcp/encap.h"

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

static void
eth(struct fb *f, uint16_t type)
{
	fill(f, 0x02, 6);
	fill(f, 0x04, 6);
	put16(f, type);
}

/* IPv4 header from 198.18.0.src to 198.18.0.dst; ip4_done() writes the
 * total length. */
static size_t
ip4(struct fb *f, uint8_t proto, uint8_t src, uint8_t dst)
{
	size_t at = f->n;

	put8(f, 0x45);
	put8(f, 0);
	put16(f, 0);
	put16(f, 0x1234);
	put16(f, 0x4000);
	put8(f, 64);
	put8(f, proto);
	put16(f, 0);
	put32(f, 0xc6120000u | src);
	put32(f, 0xc6120000u | dst);
	return at;
}

static void
ip4_done(struct fb *f, size_t at)
{
	set16(f, at + 2, (uint16_t)(f->n - at));
}

/* IPv6 header from 2001:db8::src to 2001:db8::dst. */
static size_t
ip6(struct fb *f, uint8_t nh, uint8_t src, uint8_t dst)
{
	size_t at = f->n;

	put32(f, 0x60000000);
	put16(f, 0);
	put8(f, nh);
	put8(f, 64);
	put32(f, 0x20010db8);
	fill(f, 0, 11);
	put8(f, src);
	put32(f, 0x20010db8);
	fill(f, 0, 11);
	put8(f, dst);
	return at;
}

static void
ip6_done(struct fb *f, size_t at)
{
	set16(f, at + 4, (uint16_t)(f->n - at - 40));
}

static size_t
udp(struct fb *f, uint16_t dport)
{
	size_t at = f->n;

	put16(f, 54321);
	put16(f, dport);
	put16(f, 0);
	put16(f, 0); /* checksum: none (IPv4) */
	return at;
}

static void
udp_done(struct fb *f, size_t at)
{
	set16(f, at + 4, (uint16_t)(f->n - at));
}

static const uint8_t hello[] = "* OK IMAP4rev1 ready\r\n";
#define HELLO_LEN (sizeof hello - 1)

/* The inner packet every test carries: IPv4 198.18.1.2 -> 198.18.2.10,
 * TCP 40000 -> 993 with hello. Returns the offset of the payload. */
static size_t
inner4(struct fb *f)
{
	size_t ip = f->n, pl;

	put8(f, 0x45);
	put8(f, 0);
	put16(f, 0);
	put16(f, 7);
	put16(f, 0x4000);
	put8(f, 61);
	put8(f, 6);
	put16(f, 0);
	put32(f, 0xc6120102);
	put32(f, 0xc612020a);
	put16(f, 40000);
	put16(f, 993);
	put32(f, 1000);
	put32(f, 2000);
	put8(f, 0x50);
	put8(f, 0x18);
	put16(f, 512);
	put32(f, 0);
	pl = f->n;
	for (size_t i = 0; i < HELLO_LEN; i++)
		put8(f, hello[i]);
	ip4_done(f, ip);
	return pl;
}

/* The same inner packet over IPv6: 2001:db8:1::2 -> 2001:db8:2::10. */
static size_t
inner6(struct fb *f)
{
	size_t ip = f->n, pl;

	put32(f, 0x60000000);
	put16(f, 0);
	put8(f, 6);
	put8(f, 61);
	put32(f, 0x20010db8);
	put32(f, 0x00010000);
	put32(f, 0);
	put32(f, 2);
	put32(f, 0x20010db8);
	put32(f, 0x00020000);
	put32(f, 0);
	put32(f, 0x10);
	put16(f, 40000);
	put16(f, 993);
	put32(f, 1000);
	put32(f, 2000);
	put8(f, 0x50);
	put8(f, 0x18);
	put16(f, 512);
	put32(f, 0);
	pl = f->n;
	for (size_t i = 0; i < HELLO_LEN; i++)
		put8(f, hello[i]);
	ip6_done(f, ip);
	return pl;
}

static enum dis_status
decode(enum pkt_link link, const uint8_t *b, size_t n,
       const struct pkt_decap *d, struct pkt *p)
{
	uint8_t *copy = malloc(n ? n : 1);
	enum dis_status st;
	struct pkt tmp;

	assert_non_null(copy);
	memcpy(copy, b, n);
	st = pkt_decode_opts(link, copy, n, d, &tmp);
	if (tmp.payload.p != NULL) {
		assert_true(tmp.payload.p >= copy);
		assert_true((size_t)(tmp.payload.p - copy) + tmp.payload.n <= n);
		tmp.payload.p = b + (tmp.payload.p - copy);
	}
	if (tmp.ip.p != NULL) {
		assert_true(tmp.ip.p >= copy);
		assert_true((size_t)(tmp.ip.p - copy) + tmp.ip.n <= n);
		tmp.ip.p = b + (tmp.ip.p - copy);
	}
	free(copy);
	*p = tmp;
	return st;
}

/*
 * The frame decodes to the inner segment; then every prefix of it: cut
 * before the payload it is short, cut inside the payload it is the
 * segment with fewer bytes; never a view past what was captured. The
 * quick look never answers for a tunnelled frame.
 */
static void
check_frame(enum pkt_link link, const struct fb *f, size_t pl,
            const struct pkt_decap *d, struct pkt *p)
{
	/* NFLOG frames say nothing of their length: cut at a TLV's end,
	 * one looks like a frame whose rule copied no packet. */
	bool tlv_cuts = link == PKT_LINK_NFLOG;

	struct pkt q;
	struct pkt_quick qq;

	assert_int_equal(decode(link, f->b, f->n, d, p), DIS_OK);
	assert_int_equal(p->skip, PKT_SKIP_NONE);
	assert_int_equal(p->sport, 40000);
	assert_int_equal(p->dport, 993);
	assert_int_equal(p->payload_len, HELLO_LEN);
	assert_int_equal(p->payload.n, HELLO_LEN);
	assert_ptr_equal(p->payload.p, f->b + pl);
	assert_int_equal(p->ttl, 61);
	assert_false(pkt_quick(link, f->b, f->n, &qq));
	for (size_t n = 0; n < f->n; n++) {
		enum dis_status st = decode(link, f->b, n, d, &q);

		if (n < pl && tlv_cuts && st == DIS_UNSUPPORTED) {
			assert_int_equal(q.skip, PKT_SKIP_NOT_IP);
			continue;
		}
		if (n < pl) {
			assert_int_equal(st, DIS_SHORT);
			assert_int_equal(q.skip, PKT_SKIP_TRUNCATED);
			continue;
		}
		/* (Past the payload: an NFLOG TLV's padding.) */
		assert_int_equal(st, DIS_OK);
		if (n >= pl + HELLO_LEN)
			continue;
		assert_int_equal(q.payload.n, n - pl);
		assert_true(q.anomalies & PKT_A_TRUNCATED);
		assert_int_equal(q.nencap, p->nencap);
	}
}

static void
assert_layer(const struct pkt *p, unsigned i, enum pkt_encap_type type,
             bool has_id, uint32_t id)
{
	assert_true(i < p->nencap);
	assert_int_equal(p->encap[i].type, type);
	assert_int_equal(p->encap[i].has_id, has_id);
	if (has_id)
		assert_int_equal(p->encap[i].id, id);
	assert_true(p->anomalies & PKT_A_ENC(type));
}

/* A layer carried by IPv4 198.18.0.src -> 198.18.0.dst. */
static void
assert_outer4(const struct pkt *p, unsigned i, uint8_t src, uint8_t dst)
{
	const uint8_t s[16] = {198, 18, 0, src}, d[16] = {198, 18, 0, dst};

	assert_true(p->encap[i].has_outer);
	assert_int_equal(p->encap[i].outer_src.family, 4);
	assert_memory_equal(p->encap[i].outer_src.a, s, 16);
	assert_memory_equal(p->encap[i].outer_dst.a, d, 16);
}

static void
assert_inner4(const struct pkt *p)
{
	const uint8_t s[16] = {198, 18, 1, 2}, d[16] = {198, 18, 2, 10};

	assert_int_equal(p->ip_version, 4);
	assert_memory_equal(p->src.a, s, 16);
	assert_memory_equal(p->dst.a, d, 16);
	assert_int_equal(p->ip_len, 40 + HELLO_LEN);
	assert_int_equal(p->ip.p[0], 0x45);
}

static size_t
vxlan_hdr(struct fb *f, uint8_t flags, uint8_t next, uint32_t vni)
{
	put8(f, flags);
	put16(f, 0);
	put8(f, next);
	put32(f, vni << 8);
	return f->n;
}

static void
test_vxlan(void **state)
{
	struct fb f = {.n = 0};
	struct pkt p;
	size_t ip, u, pl;
	struct pkt_decap d = {.n = 1, .port = {{4790, PKT_ENC_VXLAN}}};

	(void)state;
	eth(&f, 0x0800);
	ip = ip4(&f, 17, 1, 2);
	u = udp(&f, 4789);
	vxlan_hdr(&f, 0x08, 0, 7);
	eth(&f, 0x0800);
	pl = inner4(&f);
	udp_done(&f, u);
	ip4_done(&f, ip);
	check_frame(PKT_LINK_ETHERNET, &f, pl, NULL, &p);
	assert_int_equal(p.nencap, 1);
	assert_layer(&p, 0, PKT_ENC_VXLAN, true, 7);
	assert_outer4(&p, 0, 1, 2);
	assert_inner4(&p);
	assert_true(p.anomalies & PKT_A_TUNNEL);
	assert_false(p.anomalies & PKT_A_VLAN);

	/* Linux's old port too; another port only when configured. */
	set16(&f, u + 2, 8472);
	assert_int_equal(decode(PKT_LINK_ETHERNET, f.b, f.n, NULL, &p), DIS_OK);
	set16(&f, u + 2, 4790);
	assert_int_equal(decode(PKT_LINK_ETHERNET, f.b, f.n, NULL, &p),
	                 DIS_UNSUPPORTED);
	assert_int_equal(p.skip, PKT_SKIP_NOT_TCP);
	assert_int_equal(p.nencap, 0);
	assert_int_equal(decode(PKT_LINK_ETHERNET, f.b, f.n, &d, &p), DIS_OK);
	assert_layer(&p, 0, PKT_ENC_VXLAN, true, 7);

	/* Without the I flag the VNI means nothing: not decoded. */
	set16(&f, u + 2, 4789);
	f.b[u + 8] = 0x00;
	assert_int_equal(decode(PKT_LINK_ETHERNET, f.b, f.n, NULL, &p),
	                 DIS_UNSUPPORTED);
	assert_int_equal(p.skip, PKT_SKIP_TUNNEL);

	/* VXLAN-GPE on 4790: the next protocol is IPv4 itself. */
	f.n = 0;
	eth(&f, 0x0800);
	ip = ip4(&f, 17, 1, 2);
	u = udp(&f, 4790);
	vxlan_hdr(&f, 0x0c, 1, 0xabcdef);
	pl = inner4(&f);
	udp_done(&f, u);
	ip4_done(&f, ip);
	check_frame(PKT_LINK_ETHERNET, &f, pl, &d, &p);
	assert_layer(&p, 0, PKT_ENC_VXLAN, true, 0xabcdef);
	f.b[u + 11] = 4; /* NSH: not followed */
	assert_int_equal(decode(PKT_LINK_ETHERNET, f.b, f.n, &d, &p),
	                 DIS_UNSUPPORTED);
	assert_int_equal(p.skip, PKT_SKIP_TUNNEL);
}

static void
test_udp_lengths(void **state)
{
	struct fb f = {.n = 0};
	struct pkt p;
	size_t ip, u, in;

	(void)state;
	eth(&f, 0x0800);
	ip = ip4(&f, 17, 1, 2);
	u = udp(&f, 4789);
	vxlan_hdr(&f, 0x08, 0, 7);
	eth(&f, 0x0800);
	in = f.n;
	inner4(&f);
	udp_done(&f, u);
	ip4_done(&f, ip);
	/* UDP longer than its IP payload: a lie. */
	set16(&f, u + 4, (uint16_t)(f.n - u + 1));
	assert_int_equal(decode(PKT_LINK_ETHERNET, f.b, f.n, NULL, &p),
	                 DIS_MALFORMED);
	assert_int_equal(p.skip, PKT_SKIP_MALFORMED);
	set16(&f, u + 4, 7);
	assert_int_equal(decode(PKT_LINK_ETHERNET, f.b, f.n, NULL, &p),
	                 DIS_MALFORMED);
	/* UDP shorter than the inner packet: the tunnel's length is
	 * believed over the inner IP header's, and that is flagged. */
	set16(&f, u + 4, (uint16_t)(f.n - u - 4));
	assert_int_equal(decode(PKT_LINK_ETHERNET, f.b, f.n, NULL, &p), DIS_OK);
	assert_true(p.anomalies & PKT_A_LEN_CLAMPED);
	assert_int_equal(p.payload_len, HELLO_LEN - 4);
	assert_int_equal(p.ip_len, 40 + HELLO_LEN - 4);
	/* ... but never below the inner headers. */
	set16(&f, u + 4, (uint16_t)(in - u + 30));
	assert_int_equal(decode(PKT_LINK_ETHERNET, f.b, f.n, NULL, &p),
	                 DIS_MALFORMED);
}

static void
test_geneve(void **state)
{
	struct fb f = {.n = 0};
	struct pkt p;
	size_t ip, u, pl, g;

	(void)state;
	eth(&f, 0x86dd);
	ip = ip6(&f, 17, 1, 2);
	u = udp(&f, 6081);
	g = f.n;
	put8(&f, 0x02);     /* version 0, 2 words of options */
	put8(&f, 0x00);
	put16(&f, 0x6558);
	put32(&f, 77u << 8);
	put32(&f, 0x01020304); /* one option, 4 bytes of data */
	put32(&f, 0x05060708);
	eth(&f, 0x86dd);
	pl = inner6(&f);
	udp_done(&f, u);
	ip6_done(&f, ip);
	check_frame(PKT_LINK_ETHERNET, &f, pl, NULL, &p);
	assert_int_equal(p.nencap, 1);
	assert_layer(&p, 0, PKT_ENC_GENEVE, true, 77);
	assert_int_equal(p.encap[0].outer_src.family, 6);
	assert_int_equal(p.encap[0].outer_src.a[15], 1);
	assert_int_equal(p.encap[0].outer_dst.a[15], 2);
	assert_int_equal(p.ip_version, 6);

	/* Options longer than the datagram: a lie. */
	f.b[g] = 0x3f;
	assert_int_equal(decode(PKT_LINK_ETHERNET, f.b, f.n, NULL, &p),
	                 DIS_MALFORMED);
	/* Version 1 and an unknown protocol are not decoded. */
	f.b[g] = 0x42;
	assert_int_equal(decode(PKT_LINK_ETHERNET, f.b, f.n, NULL, &p),
	                 DIS_UNSUPPORTED);
	assert_int_equal(p.skip, PKT_SKIP_TUNNEL);
	f.b[g] = 0x02;
	set16(&f, g + 2, 0x894f);
	assert_int_equal(decode(PKT_LINK_ETHERNET, f.b, f.n, NULL, &p),
	                 DIS_UNSUPPORTED);
	assert_int_equal(p.skip, PKT_SKIP_TUNNEL);
}

static size_t
gtpu_hdr(struct fb *f, uint8_t flags, uint8_t type, uint32_t teid)
{
	size_t at = f->n;

	put8(f, flags);
	put8(f, type);
	put16(f, 0);
	put32(f, teid);
	return at;
}

static void
gtpu_done(struct fb *f, size_t at)
{
	set16(f, at + 2, (uint16_t)(f->n - at - 8));
}

static void
test_gtpu(void **state)
{
	struct fb f = {.n = 0};
	struct pkt p;
	size_t ip, u, g, pl;

	(void)state;
	/* In two VLAN tags, as a mobile core's span port shows it. */
	eth(&f, 0x8100);
	put16(&f, 3394);
	put16(&f, 0x8100);
	put16(&f, 113);
	put16(&f, 0x0800);
	ip = ip4(&f, 17, 3, 4);
	u = udp(&f, 2152);
	g = gtpu_hdr(&f, 0x34, 0xff, 0x0444b1ae); /* E set */
	put16(&f, 0);       /* sequence */
	put8(&f, 0);        /* N-PDU */
	put8(&f, 0x85);     /* next: PDU session container */
	put8(&f, 1);        /* 4 bytes */
	put8(&f, 0x10);
	put8(&f, 0x09);
	put8(&f, 0);        /* no more */
	pl = inner4(&f);
	gtpu_done(&f, g);
	udp_done(&f, u);
	ip4_done(&f, ip);
	check_frame(PKT_LINK_ETHERNET, &f, pl, NULL, &p);
	assert_int_equal(p.nencap, 3);
	assert_layer(&p, 0, PKT_ENC_VLAN, true, 3394);
	assert_layer(&p, 1, PKT_ENC_VLAN, true, 113);
	assert_layer(&p, 2, PKT_ENC_GTPU, true, 0x0444b1ae);
	assert_outer4(&p, 2, 3, 4);
	assert_false(p.encap[0].has_outer);
	assert_true(p.anomalies & PKT_A_VLAN);
	assert_true(p.anomalies & PKT_A_TUNNEL);
	assert_inner4(&p);

	/* An extension header of length 0 would never end. */
	f.b[g + 12] = 0;
	assert_int_equal(decode(PKT_LINK_ETHERNET, f.b, f.n, NULL, &p),
	                 DIS_MALFORMED);
	f.b[g + 12] = 1;
	/* A GTP-U length beyond the datagram. */
	set16(&f, g + 2, 0x4000);
	assert_int_equal(decode(PKT_LINK_ETHERNET, f.b, f.n, NULL, &p),
	                 DIS_MALFORMED);
	gtpu_done(&f, g);
	/* Version 2 (GTP-C) and GTP' are not GTP-U. */
	f.b[g] = 0x54;
	assert_int_equal(decode(PKT_LINK_ETHERNET, f.b, f.n, NULL, &p),
	                 DIS_UNSUPPORTED);
	assert_int_equal(p.skip, PKT_SKIP_TUNNEL);
	f.b[g] = 0x24;
	assert_int_equal(decode(PKT_LINK_ETHERNET, f.b, f.n, NULL, &p),
	                 DIS_UNSUPPORTED);
	/* An echo request carries no packet. */
	f.b[g] = 0x34;
	f.b[g + 1] = 1;
	assert_int_equal(decode(PKT_LINK_ETHERNET, f.b, f.n, NULL, &p),
	                 DIS_UNSUPPORTED);
	assert_int_equal(p.skip, PKT_SKIP_NOT_TCP);
}

/* Extension headers that chain on and on: refused, not followed. */
static void
test_gtpu_looping_extensions(void **state)
{
	struct fb f = {.n = 0};
	struct pkt p;
	size_t ip, u, g;

	(void)state;
	ip = ip4(&f, 17, 3, 4);
	u = udp(&f, 2152);
	g = gtpu_hdr(&f, 0x34, 0xff, 9);
	put16(&f, 0);
	put8(&f, 0);
	put8(&f, 0x85);
	for (int i = 0; i < 40; i++) {
		put8(&f, 1);
		put8(&f, 0);
		put8(&f, 0);
		put8(&f, 0x85); /* and another */
	}
	inner4(&f);
	gtpu_done(&f, g);
	udp_done(&f, u);
	ip4_done(&f, ip);
	assert_int_equal(decode(PKT_LINK_RAW, f.b, f.n, NULL, &p), DIS_LIMIT);
	assert_int_equal(p.skip, PKT_SKIP_MALFORMED);
}

static size_t
gre_hdr(struct fb *f, uint16_t flags, uint16_t proto)
{
	size_t at = f->n;

	put16(f, flags);
	put16(f, proto);
	if (flags & 0x8000)
		put32(f, 0); /* checksum, reserved */
	if (flags & 0x2000)
		put32(f, 0x00c0ffee); /* key */
	if (flags & 0x1000)
		put32(f, 42); /* sequence */
	return at;
}

static void
test_gre(void **state)
{
	struct fb f = {.n = 0};
	struct pkt p;
	size_t ip, g, pl;

	(void)state;
	/* Checksum, key and sequence, IPv4 inside IPv6. */
	eth(&f, 0x86dd);
	ip = ip6(&f, 47, 5, 6);
	g = gre_hdr(&f, 0xb000, 0x0800);
	pl = inner4(&f);
	ip6_done(&f, ip);
	check_frame(PKT_LINK_ETHERNET, &f, pl, NULL, &p);
	assert_int_equal(p.nencap, 1);
	assert_layer(&p, 0, PKT_ENC_GRE, true, 0x00c0ffee);
	assert_int_equal(p.encap[0].outer_src.a[15], 5);
	assert_inner4(&p);

	/* gretap: an Ethernet frame, no key. */
	f.n = 0;
	eth(&f, 0x0800);
	ip = ip4(&f, 47, 5, 6);
	gre_hdr(&f, 0x0000, 0x6558);
	eth(&f, 0x86dd);
	pl = inner6(&f);
	ip4_done(&f, ip);
	check_frame(PKT_LINK_ETHERNET, &f, pl, NULL, &p);
	assert_layer(&p, 0, PKT_ENC_GRE, false, 0);
	assert_outer4(&p, 0, 5, 6);
	assert_int_equal(p.ip_version, 6);

	/* Version 1 (PPTP), a routing field, a protocol type next to
	 * Aruba's: declined, counted as not decoded. */
	f.n = 0;
	ip = ip4(&f, 47, 5, 6);
	g = gre_hdr(&f, 0x3001, 0x880b);
	fill(&f, 0, 40);
	ip4_done(&f, ip);
	assert_int_equal(decode(PKT_LINK_RAW, f.b, f.n, NULL, &p),
	                 DIS_UNSUPPORTED);
	assert_int_equal(p.skip, PKT_SKIP_TUNNEL);
	set16(&f, g, 0x4000);
	assert_int_equal(decode(PKT_LINK_RAW, f.b, f.n, NULL, &p),
	                 DIS_UNSUPPORTED);
	assert_int_equal(p.skip, PKT_SKIP_TUNNEL);
	set16(&f, g, 0x0000);
	set16(&f, g + 2, 0x8241);
	assert_int_equal(decode(PKT_LINK_RAW, f.b, f.n, NULL, &p),
	                 DIS_UNSUPPORTED);
	assert_int_equal(p.skip, PKT_SKIP_TUNNEL);
	set16(&f, g + 2, 0x8380);
	assert_int_equal(decode(PKT_LINK_RAW, f.b, f.n, NULL, &p),
	                 DIS_UNSUPPORTED);
	assert_int_equal(p.skip, PKT_SKIP_TUNNEL);
}

/* --- 802.11 in Aruba's GRE --- */

/* Ethernet, IPv4 198.18.0.5 -> .6, GRE 0x8240, then an 802.11 header:
 * frame control fc0 (type, subtype) and fc1 (flags), a fourth address
 * when fc1 has both DS bits, QoS control qos when the subtype is QoS,
 * HT control when it also has the Order bit. Returns the IPv4 header's
 * offset, for ip4_done. */
static size_t
aruba(struct fb *f, uint8_t fc0, uint8_t fc1, uint8_t qos)
{
	size_t ip;

	eth(f, 0x0800);
	ip = ip4(f, 47, 5, 6);
	gre_hdr(f, 0x0000, 0x8240);
	put8(f, fc0);
	put8(f, fc1);
	put16(f, 0);         /* duration */
	fill(f, 0x66, 6);    /* addresses 1 to 3 */
	fill(f, 0x40, 6);
	fill(f, 0x88, 6);
	put16(f, 0x1000);    /* sequence 1, fragment 0 (little-endian) */
	if ((fc1 & 0x03) == 0x03)
		fill(f, 0x77, 6);
	if (fc0 & 0x80) {
		put8(f, qos);
		put8(f, 0);
		if (fc1 & 0x80)
			put32(f, 0); /* HT control */
	}
	return ip;
}

static void
snap_ip4(struct fb *f)
{
	put8(f, 0xaa);
	put8(f, 0xaa);
	put8(f, 0x03);
	fill(f, 0, 3);
	put16(f, 0x0800);
}

static void
test_aruba_wlan(void **state)
{
	struct fb f = {.n = 0};
	struct pkt p;
	size_t ip, pl;

	(void)state;
	/* QoS data from the DS, LLC/SNAP, the packet: GRE, then 802.11. */
	ip = aruba(&f, 0x88, 0x02, 0x00);
	snap_ip4(&f);
	pl = inner4(&f);
	ip4_done(&f, ip);
	check_frame(PKT_LINK_ETHERNET, &f, pl, NULL, &p);
	assert_int_equal(p.nencap, 2);
	assert_layer(&p, 0, PKT_ENC_GRE, false, 0);
	assert_outer4(&p, 0, 5, 6);
	assert_layer(&p, 1, PKT_ENC_WLAN, false, 0);
	assert_false(p.encap[1].has_outer);
	assert_int_equal(p.nsub, 0);
	assert_inner4(&p);
	/* One packet: there is no second. */
	assert_int_equal(pkt_decode_sub(PKT_LINK_ETHERNET, f.b, f.n, NULL, 1,
	                                &p),
	                 DIS_MALFORMED);

	/* Plain data with four addresses (a mesh or WDS hop). */
	f.n = 0;
	ip = aruba(&f, 0x08, 0x03, 0);
	snap_ip4(&f);
	pl = inner4(&f);
	ip4_done(&f, ip);
	check_frame(PKT_LINK_ETHERNET, &f, pl, NULL, &p);

	/* QoS data with the Order bit: four bytes of HT control. */
	f.n = 0;
	ip = aruba(&f, 0x88, 0x81, 0x00);
	snap_ip4(&f);
	pl = inner4(&f);
	ip4_done(&f, ip);
	check_frame(PKT_LINK_ETHERNET, &f, pl, NULL, &p);

	/* Protected: its body cannot be read. */
	f.n = 0;
	ip = aruba(&f, 0x88, 0x42, 0x00);
	fill(&f, 0x5a, 8); /* a CCMP header */
	snap_ip4(&f);
	inner4(&f);
	ip4_done(&f, ip);
	assert_int_equal(decode(PKT_LINK_ETHERNET, f.b, f.n, NULL, &p),
	                 DIS_UNSUPPORTED);
	assert_int_equal(p.skip, PKT_SKIP_TUNNEL);
	assert_true(p.anomalies & PKT_A_ENC(PKT_ENC_WLAN));

	/* A fragment (More Fragments) is not reassembled. */
	f.n = 0;
	ip = aruba(&f, 0x88, 0x06, 0x00);
	snap_ip4(&f);
	inner4(&f);
	ip4_done(&f, ip);
	assert_int_equal(decode(PKT_LINK_ETHERNET, f.b, f.n, NULL, &p),
	                 DIS_UNSUPPORTED);
	assert_int_equal(p.skip, PKT_SKIP_FRAGMENT);

	/* A beacon (management) and a QoS Null carry no packet. */
	f.n = 0;
	ip = aruba(&f, 0x80, 0x00, 0);
	fill(&f, 0, 40);
	ip4_done(&f, ip);
	assert_int_equal(decode(PKT_LINK_ETHERNET, f.b, f.n, NULL, &p),
	                 DIS_UNSUPPORTED);
	assert_int_equal(p.skip, PKT_SKIP_NOT_IP);
	f.n = 0;
	ip = aruba(&f, 0xc8, 0x01, 0x00);
	ip4_done(&f, ip);
	assert_int_equal(decode(PKT_LINK_ETHERNET, f.b, f.n, NULL, &p),
	                 DIS_UNSUPPORTED);
	assert_int_equal(p.skip, PKT_SKIP_NOT_IP);

	/* Protocol version 1 does not exist. */
	f.n = 0;
	ip = aruba(&f, 0x89, 0x02, 0x00);
	snap_ip4(&f);
	inner4(&f);
	ip4_done(&f, ip);
	assert_int_equal(decode(PKT_LINK_ETHERNET, f.b, f.n, NULL, &p),
	                 DIS_MALFORMED);
}

/* One A-MSDU subframe holding the inner packet; its MSDU's length is
 * written at the end. Returns the payload's offset. */
static size_t
amsdu_sub(struct fb *f, bool pad)
{
	size_t at = f->n, pl;

	fill(f, 0x66, 6);
	fill(f, 0x88, 6);
	put16(f, 0);
	snap_ip4(f);
	pl = inner4(f);
	set16(f, at + 12, (uint16_t)(f->n - at - 14));
	while (pad && (f->n - at) % 4 != 0)
		put8(f, 0);
	return pl;
}

/* Packet sub of f, decoded from a copy cut at n bytes. */
static enum dis_status
decode_sub(const struct fb *f, size_t n, unsigned sub, struct pkt *p)
{
	uint8_t *copy = malloc(n ? n : 1);
	enum dis_status st;

	assert_non_null(copy);
	memcpy(copy, f->b, n);
	st = pkt_decode_sub(PKT_LINK_ETHERNET, copy, n, NULL, sub, p);
	if (p->payload.p != NULL) {
		assert_true(p->payload.p >= copy);
		assert_true((size_t)(p->payload.p - copy) + p->payload.n <= n);
		p->payload.p = f->b + (p->payload.p - copy);
	}
	/* The IP header view too: it points into the copy, freed below. */
	if (p->ip.p != NULL)
		p->ip.p = f->b + (p->ip.p - copy);
	free(copy);
	return st;
}

static void
test_aruba_amsdu(void **state)
{
	struct fb f = {.n = 0};
	struct pkt p;
	size_t ip, pl0, pl1, sub1, end;

	(void)state;
	/* Two subframes, the first padded to 4 bytes, as in the field. */
	ip = aruba(&f, 0x88, 0x02, 0x80);
	pl0 = amsdu_sub(&f, true);
	sub1 = f.n;
	pl1 = amsdu_sub(&f, false);
	ip4_done(&f, ip);
	end = f.n;
	check_frame(PKT_LINK_ETHERNET, &f, pl0, NULL, &p);
	assert_int_equal(p.nsub, 2);
	assert_int_equal(p.sub, 0);
	assert_int_equal(p.nencap, 2);
	assert_layer(&p, 1, PKT_ENC_WLAN, false, 0);
	assert_inner4(&p);
	assert_int_equal(decode_sub(&f, f.n, 1, &p), DIS_OK);
	assert_int_equal(p.nsub, 2);
	assert_int_equal(p.sub, 1);
	assert_int_equal(p.dport, 993);
	assert_ptr_equal(p.payload.p, f.b + pl1);
	assert_int_equal(p.payload.n, HELLO_LEN);
	assert_int_equal(p.nencap, 2);
	assert_inner4(&p);
	assert_int_equal(decode_sub(&f, f.n, 2, &p), DIS_MALFORMED);
	assert_int_equal(decode_sub(&f, f.n, PKT_MAX_SUB, &p), DIS_MALFORMED);

	/* Every prefix: the first packet as check_frame said; the second
	 * short until its payload, then cut; the count takes in a subframe
	 * once its header was captured. */
	for (size_t n = 0; n < end; n++) {
		enum dis_status st = decode_sub(&f, n, 0, &p);

		assert_int_equal(st, n < pl0 ? DIS_SHORT : DIS_OK);
		if (n >= pl0)
			assert_int_equal(p.nsub, n < sub1 + 14 ? 1 : 2);
		st = decode_sub(&f, n, 1, &p);
		if (n < pl1) {
			assert_int_equal(st, DIS_SHORT);
			continue;
		}
		assert_int_equal(st, DIS_OK);
		assert_int_equal(p.payload.n, n - pl1);
		assert_true(p.anomalies & PKT_A_TRUNCATED);
	}

	/* The last subframe padded too: accepted. */
	f.n = 0;
	ip = aruba(&f, 0x88, 0x02, 0x80);
	amsdu_sub(&f, true);
	amsdu_sub(&f, true);
	ip4_done(&f, ip);
	assert_int_equal(decode_sub(&f, f.n, 1, &p), DIS_OK);

	/* A subframe length beyond the frame; bytes after the last one
	 * that are no subframe; an empty A-MSDU: lies. */
	f.n = 0;
	ip = aruba(&f, 0x88, 0x02, 0x80);
	amsdu_sub(&f, true);
	sub1 = f.n;
	amsdu_sub(&f, false);
	ip4_done(&f, ip);
	set16(&f, sub1 + 12, (uint16_t)(f.n - sub1 - 14 + 1));
	assert_int_equal(decode_sub(&f, f.n, 0, &p), DIS_MALFORMED);
	assert_int_equal(p.skip, PKT_SKIP_MALFORMED);
	set16(&f, sub1 + 12, (uint16_t)(f.n - sub1 - 14));
	fill(&f, 0, 6);
	ip4_done(&f, ip);
	assert_int_equal(decode_sub(&f, f.n, 0, &p), DIS_MALFORMED);
	f.n = 0;
	ip = aruba(&f, 0x88, 0x02, 0x80);
	ip4_done(&f, ip);
	assert_int_equal(decode_sub(&f, f.n, 0, &p), DIS_MALFORMED);

	/* PKT_MAX_SUB subframes are read; one more is refused. */
	for (unsigned k = PKT_MAX_SUB; k <= PKT_MAX_SUB + 1; k++) {
		f.n = 0;
		ip = aruba(&f, 0x88, 0x02, 0x80);
		for (unsigned i = 0; i < k; i++) {
			fill(&f, 0x66, 12);
			put16(&f, 8);
			put8(&f, 0xaa);
			put8(&f, 0xaa);
			put8(&f, 0x03);
			fill(&f, 0, 3);
			put16(&f, 0x0806); /* ARP, no body: not IP */
			fill(&f, 0, 2);
		}
		ip4_done(&f, ip);
		if (k == PKT_MAX_SUB) {
			assert_int_equal(decode_sub(&f, f.n, 0, &p),
			                 DIS_UNSUPPORTED);
			assert_int_equal(p.skip, PKT_SKIP_NOT_IP);
			assert_int_equal(p.nsub, PKT_MAX_SUB);
			assert_int_equal(decode_sub(&f, f.n, k - 1, &p),
			                 DIS_UNSUPPORTED);
		} else {
			assert_int_equal(decode_sub(&f, f.n, 0, &p), DIS_LIMIT);
			assert_int_equal(p.skip, PKT_SKIP_MALFORMED);
		}
	}
}

static void
test_erspan(void **state)
{
	struct fb f = {.n = 0};
	struct pkt p;
	size_t ip, e, pl;

	(void)state;
	/* Type I: GRE 0x88be without a sequence number, the frame at once. */
	eth(&f, 0x0800);
	ip = ip4(&f, 47, 7, 8);
	gre_hdr(&f, 0x0000, 0x88be);
	eth(&f, 0x0800);
	pl = inner4(&f);
	ip4_done(&f, ip);
	check_frame(PKT_LINK_ETHERNET, &f, pl, NULL, &p);
	assert_int_equal(p.nencap, 1);
	assert_layer(&p, 0, PKT_ENC_ERSPAN1, false, 0);
	assert_outer4(&p, 0, 7, 8);

	/* Type II: with a sequence number and an 8-byte header. */
	f.n = 0;
	eth(&f, 0x0800);
	ip = ip4(&f, 47, 7, 8);
	gre_hdr(&f, 0x1000, 0x88be);
	e = f.n;
	put16(&f, 0x1000 | 100); /* version 1, VLAN 100 */
	put16(&f, 0x0800 | 0x0123); /* COS, En, T, session 0x123 */
	put32(&f, 0);
	eth(&f, 0x0800);
	pl = inner4(&f);
	ip4_done(&f, ip);
	check_frame(PKT_LINK_ETHERNET, &f, pl, NULL, &p);
	assert_layer(&p, 0, PKT_ENC_ERSPAN2, true, 0x123);
	f.b[e] = 0x20; /* version 2 under 0x88be */
	assert_int_equal(decode(PKT_LINK_ETHERNET, f.b, f.n, NULL, &p),
	                 DIS_UNSUPPORTED);
	assert_int_equal(p.skip, PKT_SKIP_TUNNEL);

	/* Type III with the platform subheader, carrying IP (FT 2). */
	f.n = 0;
	eth(&f, 0x0800);
	ip = ip4(&f, 47, 7, 8);
	gre_hdr(&f, 0x1000, 0x22eb);
	e = f.n;
	put16(&f, 0x2000);
	put16(&f, 0x0005);
	put32(&f, 0xdeadbeef); /* timestamp */
	put16(&f, 0);          /* SGT */
	put8(&f, 2 << 2);      /* FT 2 */
	put8(&f, 0x01);        /* O: a platform subheader follows */
	put32(&f, 0);
	put32(&f, 0);
	pl = inner4(&f);
	ip4_done(&f, ip);
	check_frame(PKT_LINK_ETHERNET, &f, pl, NULL, &p);
	assert_layer(&p, 0, PKT_ENC_ERSPAN3, true, 5);
	f.b[e + 10] = 1 << 2; /* FT 1: not followed */
	assert_int_equal(decode(PKT_LINK_ETHERNET, f.b, f.n, NULL, &p),
	                 DIS_UNSUPPORTED);
	assert_int_equal(p.skip, PKT_SKIP_TUNNEL);
}

static void
mpls_label(struct fb *f, uint32_t label, bool bottom)
{
	put32(f, label << 12 | (bottom ? 0x100u : 0u) | 64u);
}

static void
test_mpls(void **state)
{
	struct fb f = {.n = 0};
	struct pkt p;
	size_t pl;

	(void)state;
	eth(&f, 0x8847);
	mpls_label(&f, 16, false);
	mpls_label(&f, 1048575, true);
	pl = inner4(&f);
	check_frame(PKT_LINK_ETHERNET, &f, pl, NULL, &p);
	assert_int_equal(p.nencap, 2);
	assert_layer(&p, 0, PKT_ENC_MPLS, true, 16);
	assert_layer(&p, 1, PKT_ENC_MPLS, true, 1048575);
	assert_false(p.encap[0].has_outer);

	f.n = 0;
	eth(&f, 0x8847);
	mpls_label(&f, 20, true);
	pl = inner6(&f);
	check_frame(PKT_LINK_ETHERNET, &f, pl, NULL, &p);
	assert_int_equal(p.ip_version, 6);

	/* An Ethernet pseudowire with a control word (RFC 4448)... */
	f.n = 0;
	eth(&f, 0x8847);
	mpls_label(&f, 30, true);
	put32(&f, 0);
	eth(&f, 0x0800);
	f.b[f.n - 14] = 0x00; /* a destination MAC starting with 0 */
	pl = inner4(&f);
	check_frame(PKT_LINK_ETHERNET, &f, pl, NULL, &p);
	assert_int_equal(p.nencap, 1);
	assert_layer(&p, 0, PKT_ENC_MPLS, true, 30);

	/* ... and without one, even where the MAC starts with 0. */
	f.n = 0;
	eth(&f, 0x8847);
	mpls_label(&f, 31, true);
	eth(&f, 0x0800);
	f.b[f.n - 14] = 0x00;
	pl = inner4(&f);
	check_frame(PKT_LINK_ETHERNET, &f, pl, NULL, &p);
	assert_layer(&p, 0, PKT_ENC_MPLS, true, 31);
}

static size_t
pppoe_hdr(struct fb *f, uint16_t sid)
{
	size_t at = f->n;

	put8(f, 0x11);
	put8(f, 0x00);
	put16(f, sid);
	put16(f, 0);
	return at;
}

static void
pppoe_done(struct fb *f, size_t at)
{
	set16(f, at + 4, (uint16_t)(f->n - at - 6));
}

static void
test_pppoe(void **state)
{
	struct fb f = {.n = 0};
	struct pkt p;
	size_t h, pl;

	(void)state;
	/* Over QinQ, padded past the PPPoE length. */
	eth(&f, 0x88a8);
	put16(&f, 3704);
	put16(&f, 0x8100);
	put16(&f, 2474);
	put16(&f, 0x8864);
	h = pppoe_hdr(&f, 3847);
	put16(&f, 0x0021);
	pl = inner4(&f);
	pppoe_done(&f, h);
	check_frame(PKT_LINK_ETHERNET, &f, pl, NULL, &p);
	assert_int_equal(p.nencap, 3);
	assert_layer(&p, 0, PKT_ENC_VLAN, true, 3704);
	assert_layer(&p, 1, PKT_ENC_VLAN, true, 2474);
	assert_layer(&p, 2, PKT_ENC_PPPOE, true, 3847);
	fill(&f, 0, 6);
	assert_int_equal(decode(PKT_LINK_ETHERNET, f.b, f.n, NULL, &p), DIS_OK);
	assert_int_equal(p.payload.n, HELLO_LEN);

	/* A compressed protocol field and IPv6. */
	f.n = 0;
	eth(&f, 0x8864);
	h = pppoe_hdr(&f, 1);
	put8(&f, 0x57);
	pl = inner6(&f);
	pppoe_done(&f, h);
	check_frame(PKT_LINK_ETHERNET, &f, pl, NULL, &p);
	assert_layer(&p, 0, PKT_ENC_PPPOE, true, 1);

	/* LCP is not IP; a PPPoE length beyond the frame is a cut. */
	f.n = 0;
	eth(&f, 0x8864);
	h = pppoe_hdr(&f, 1);
	put16(&f, 0xc021);
	fill(&f, 0, 10);
	pppoe_done(&f, h);
	assert_int_equal(decode(PKT_LINK_ETHERNET, f.b, f.n, NULL, &p),
	                 DIS_UNSUPPORTED);
	assert_int_equal(p.skip, PKT_SKIP_NOT_IP);
	f.b[h] = 0x12;
	assert_int_equal(decode(PKT_LINK_ETHERNET, f.b, f.n, NULL, &p),
	                 DIS_UNSUPPORTED);
	assert_int_equal(p.skip, PKT_SKIP_NOT_IP);
}

static void
test_ip_in_ip(void **state)
{
	struct fb f = {.n = 0};
	struct pkt p;
	size_t ip, pl;

	(void)state;
	eth(&f, 0x0800);
	ip = ip4(&f, 4, 9, 10);
	pl = inner4(&f);
	ip4_done(&f, ip);
	check_frame(PKT_LINK_ETHERNET, &f, pl, NULL, &p);
	assert_int_equal(p.nencap, 1);
	assert_layer(&p, 0, PKT_ENC_IPIP, false, 0);
	assert_outer4(&p, 0, 9, 10);
	assert_inner4(&p);

	/* IPv6 in IPv4 (protocol 41), the 6in4 of tunnel brokers. */
	f.n = 0;
	eth(&f, 0x0800);
	ip = ip4(&f, 41, 9, 10);
	pl = inner6(&f);
	ip4_done(&f, ip);
	check_frame(PKT_LINK_ETHERNET, &f, pl, NULL, &p);
	assert_layer(&p, 0, PKT_ENC_6IN4, false, 0);
	assert_outer4(&p, 0, 9, 10);

	/* IPv4 in IPv6, behind an extension header. */
	f.n = 0;
	ip = ip6(&f, 60, 9, 10);
	put8(&f, 4);
	put8(&f, 0);
	fill(&f, 0, 6);
	pl = inner4(&f);
	ip6_done(&f, ip);
	check_frame(PKT_LINK_RAW, &f, pl, NULL, &p);
	assert_layer(&p, 0, PKT_ENC_IPIP, false, 0);
	assert_int_equal(p.encap[0].outer_src.family, 6);

	/* An inner header of the wrong version is a lie. */
	f.n = 0;
	ip = ip4(&f, 41, 9, 10);
	inner4(&f);
	ip4_done(&f, ip);
	assert_int_equal(decode(PKT_LINK_RAW, f.b, f.n, NULL, &p),
	                 DIS_MALFORMED);
}

/* IEEE 802.3 with LLC and SNAP carrying IPv4 (RFC 1042). */
static void
test_llc_snap(void **state)
{
	struct fb f = {.n = 0};
	struct pkt p;
	size_t len, pl;

	(void)state;
	eth(&f, 0);
	len = f.n - 2;
	put8(&f, 0xaa);
	put8(&f, 0xaa);
	put8(&f, 0x03);
	put8(&f, 0);
	put16(&f, 0);
	put16(&f, 0x0800);
	pl = inner4(&f);
	set16(&f, len, (uint16_t)(f.n - len - 2));
	check_frame(PKT_LINK_ETHERNET, &f, pl, NULL, &p);
	assert_int_equal(p.nencap, 0);
	assert_inner4(&p);
	/* Another OUI, or plain LLC: not IP. */
	f.b[len + 5] = 0x0c;
	assert_int_equal(decode(PKT_LINK_ETHERNET, f.b, f.n, NULL, &p),
	                 DIS_UNSUPPORTED);
	assert_int_equal(p.skip, PKT_SKIP_NOT_IP);
	f.b[len + 2] = 0x42;
	assert_int_equal(decode(PKT_LINK_ETHERNET, f.b, f.n, NULL, &p),
	                 DIS_UNSUPPORTED);
	assert_int_equal(p.skip, PKT_SKIP_NOT_IP);
}

/* A netlink attribute in this machine's byte order, as libpcap hands
 * NFLOG frames out. */
static void
nflog_tlv(struct fb *f, uint16_t type, const uint8_t *v, size_t n)
{
	uint16_t len = (uint16_t)(4 + n), t = type;

	assert_true(f->n + 4 + n + 3 < sizeof f->b);
	memcpy(f->b + f->n, &len, 2);
	memcpy(f->b + f->n + 2, &t, 2);
	f->n += 4;
	if (n > 0)
		memcpy(f->b + f->n, v, n);
	f->n += n;
	while (f->n % 4 != 0)
		put8(f, 0);
}

static void
test_nflog(void **state)
{
	static const uint8_t prefix[] = "tlsautopsy";
	static const uint8_t hwproto[4] = {0x08, 0x00, 3, 0};
	struct fb pkt = {.n = 0}, f = {.n = 0};
	struct pkt p;
	size_t pl;

	(void)state;
	pl = inner6(&pkt);
	put8(&f, 10); /* AF_INET6 */
	put8(&f, 0);
	put16(&f, 0);
	nflog_tlv(&f, 1, hwproto, sizeof hwproto);
	nflog_tlv(&f, 10, prefix, sizeof prefix); /* odd length, padded */
	pl += f.n + 4;
	nflog_tlv(&f, 9, pkt.b, pkt.n);
	check_frame(PKT_LINK_NFLOG, &f, pl, NULL, &p);
	assert_int_equal(p.nencap, 0);
	assert_int_equal(p.ip_version, 6);

	/* AF_INET with IPv6 inside: a lie; no payload TLV: no packet. */
	f.b[0] = 2;
	assert_int_equal(decode(PKT_LINK_NFLOG, f.b, f.n, NULL, &p),
	                 DIS_MALFORMED);
	f.n = 0;
	put8(&f, 2);
	put8(&f, 0);
	put16(&f, 0);
	nflog_tlv(&f, 10, prefix, sizeof prefix);
	assert_int_equal(decode(PKT_LINK_NFLOG, f.b, f.n, NULL, &p),
	                 DIS_UNSUPPORTED);
	assert_int_equal(p.skip, PKT_SKIP_NOT_IP);
	/* A TLV shorter than its own header. */
	{
		uint16_t two = 2;

		memcpy(f.b + 4, &two, sizeof two);
	}
	assert_int_equal(decode(PKT_LINK_NFLOG, f.b, f.n, NULL, &p),
	                 DIS_MALFORMED);
	assert_string_equal(pkt_link_name(PKT_LINK_NFLOG), "Linux NFLOG");
}

/* Exactly PKT_MAX_ENCAP layers decode; one more is refused. */
static void
test_depth_bound(void **state)
{
	struct fb f = {.n = 0};
	struct pkt p;
	size_t ip[PKT_MAX_ENCAP + 1], pl;

	(void)state;
	for (unsigned deep = 1; deep <= PKT_MAX_ENCAP + 1; deep++) {
		f.n = 0;
		for (unsigned i = 0; i < deep; i++)
			ip[i] = ip4(&f, 4, (uint8_t)i, (uint8_t)(i + 1));
		pl = inner4(&f);
		for (unsigned i = deep; i-- > 0;)
			ip4_done(&f, ip[i]);
		if (deep <= PKT_MAX_ENCAP) {
			check_frame(PKT_LINK_RAW, &f, pl, NULL, &p);
			assert_int_equal(p.nencap, deep);
			assert_outer4(&p, deep - 1, (uint8_t)(deep - 1),
			              (uint8_t)deep);
			continue;
		}
		assert_int_equal(decode(PKT_LINK_RAW, f.b, f.n, NULL, &p),
		                 DIS_LIMIT);
		assert_int_equal(p.skip, PKT_SKIP_MALFORMED);
	}

	/* Nine VLAN tags, nine MPLS labels without a bottom. */
	f.n = 0;
	eth(&f, 0x8100);
	for (unsigned i = 0; i < PKT_MAX_ENCAP; i++) {
		put16(&f, (uint16_t)i);
		put16(&f, 0x8100);
	}
	put16(&f, 99);
	put16(&f, 0x0800);
	inner4(&f);
	assert_int_equal(decode(PKT_LINK_ETHERNET, f.b, f.n, NULL, &p),
	                 DIS_LIMIT);
	f.n = 0;
	eth(&f, 0x8847);
	for (unsigned i = 0; i <= PKT_MAX_ENCAP; i++)
		mpls_label(&f, i, false);
	inner4(&f);
	assert_int_equal(decode(PKT_LINK_ETHERNET, f.b, f.n, NULL, &p),
	                 DIS_LIMIT);
	assert_int_equal(p.skip, PKT_SKIP_MALFORMED);
}

/*
 * A tunnel that carries itself: VXLAN in VXLAN in VXLAN ..., built past
 * the bound, with every length honest. The decoder stops at the bound.
 */
static void
test_looping_tunnel(void **state)
{
	struct fb f = {.n = 0};
	struct pkt p;
	size_t ip[12], u[12];

	(void)state;
	for (unsigned i = 0; i < 12; i++) {
		eth(&f, 0x0800);
		ip[i] = ip4(&f, 17, 1, 2);
		u[i] = udp(&f, 4789);
		vxlan_hdr(&f, 0x08, 0, i);
	}
	eth(&f, 0x0800);
	inner4(&f);
	for (unsigned i = 12; i-- > 0;) {
		udp_done(&f, u[i]);
		ip4_done(&f, ip[i]);
	}
	assert_int_equal(decode(PKT_LINK_ETHERNET, f.b, f.n, NULL, &p),
	                 DIS_LIMIT);
	assert_int_equal(p.skip, PKT_SKIP_MALFORMED);
	assert_int_equal(p.nencap, PKT_MAX_ENCAP);
	for (unsigned i = 0; i < PKT_MAX_ENCAP; i++)
		assert_layer(&p, i, PKT_ENC_VXLAN, true, i);
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(pkt_encap_name(PKT_ENC_VXLAN), "vxlan");
	assert_string_equal(pkt_encap_name(PKT_ENC_ERSPAN3), "erspan3");
	assert_string_equal(pkt_encap_name(PKT_ENC_6IN4), "6in4");
	assert_string_equal(pkt_encap_name(PKT_ENC_WLAN), "wlan");
	assert_null(pkt_encap_name(PKT_ENC_NONE));
	for (unsigned t = 1; t <= PKT_ENC_LAST; t++)
		assert_non_null(pkt_encap_name((enum pkt_encap_type)t));
}

/* --- what a connection keeps (src/tcp/encap.c) --- */

static void
tunnelled(struct pkt *p, uint32_t vni, uint8_t src, uint8_t dst)
{
	memset(p, 0, sizeof *p);
	p->nencap = 2;
	p->encap[0].type = PKT_ENC_VLAN;
	p->encap[0].has_id = true;
	p->encap[0].id = 5;
	p->encap[1].type = PKT_ENC_VXLAN;
	p->encap[1].has_id = true;
	p->encap[1].id = vni;
	p->encap[1].has_outer = true;
	p->encap[1].outer_src.family = 4;
	p->encap[1].outer_src.a[3] = src;
	p->encap[1].outer_dst.family = 4;
	p->encap[1].outer_dst.a[3] = dst;
}

static void
test_conn_mirror(void **state)
{
	struct conn_encap *e = NULL;
	const struct pkt_encap *l;
	struct pkt p;
	unsigned n;
	bool seen, mirrored;

	(void)state;
	tunnelled(&p, 7, 1, 2);
	assert_true(conn_encap_note(&e, TCP_DIR_C2S, false, false, &p));
	assert_non_null(e);
	/* Later frames of a direction change nothing. */
	tunnelled(&p, 8, 1, 2);
	assert_true(conn_encap_note(&e, TCP_DIR_C2S, true, false, &p));
	l = conn_encap_layers(e, TCP_DIR_C2S, &n, &seen, &mirrored);
	assert_int_equal(n, 2);
	assert_true(seen);
	assert_int_equal(l[1].id, 7);
	l = conn_encap_layers(e, TCP_DIR_S2C, &n, &seen, &mirrored);
	assert_null(l);
	assert_false(seen);
	/* The way back, mirrored: nothing more kept. */
	tunnelled(&p, 7, 2, 1);
	assert_true(conn_encap_note(&e, TCP_DIR_S2C, false, true, &p));
	l = conn_encap_layers(e, TCP_DIR_S2C, &n, &seen, &mirrored);
	assert_true(seen);
	assert_true(mirrored);
	assert_int_equal(n, 2);
	assert_int_equal(l[1].outer_src.a[3], 1);
	conn_encap_free(&e);
	assert_null(e);
}

static void
test_conn_differs(void **state)
{
	struct conn_encap *e = NULL;
	const struct pkt_encap *l;
	struct pkt p;
	unsigned n;
	bool seen, mirrored;

	(void)state;
	/* The server's frame first (the client's SYN not captured), then
	 * the client's with another TEID-like id. */
	tunnelled(&p, 100, 2, 1);
	assert_true(conn_encap_note(&e, TCP_DIR_S2C, false, false, &p));
	tunnelled(&p, 200, 1, 2);
	assert_true(conn_encap_note(&e, TCP_DIR_C2S, false, true, &p));
	l = conn_encap_layers(e, TCP_DIR_C2S, &n, &seen, &mirrored);
	assert_int_equal(n, 2);
	assert_int_equal(l[1].id, 200);
	l = conn_encap_layers(e, TCP_DIR_S2C, &n, &seen, &mirrored);
	assert_false(mirrored);
	assert_int_equal(n, 2);
	assert_int_equal(l[1].id, 100);
	conn_encap_free(&e);

	/* The same, server's frame second: the order of arrival does not
	 * matter. */
	tunnelled(&p, 200, 1, 2);
	assert_true(conn_encap_note(&e, TCP_DIR_C2S, false, false, &p));
	tunnelled(&p, 100, 2, 1);
	assert_true(conn_encap_note(&e, TCP_DIR_S2C, false, true, &p));
	l = conn_encap_layers(e, TCP_DIR_C2S, &n, &seen, &mirrored);
	assert_int_equal(l[1].id, 200);
	l = conn_encap_layers(e, TCP_DIR_S2C, &n, &seen, &mirrored);
	assert_int_equal(l[1].id, 100);
	conn_encap_free(&e);
}

static void
test_conn_bare(void **state)
{
	struct conn_encap *e = NULL;
	struct pkt p, bare;
	unsigned n;
	bool seen, mirrored;

	(void)state;
	memset(&bare, 0, sizeof bare);
	/* Bare both ways: nothing is allocated. */
	assert_true(conn_encap_note(&e, TCP_DIR_C2S, false, false, &bare));
	assert_null(e);
	/* The client's came bare; the server's through a tunnel. */
	tunnelled(&p, 9, 2, 1);
	assert_true(conn_encap_note(&e, TCP_DIR_S2C, false, true, &p));
	assert_non_null(e);
	assert_null(conn_encap_layers(e, TCP_DIR_C2S, &n, &seen, &mirrored));
	assert_true(seen);
	assert_int_equal(n, 0);
	assert_non_null(conn_encap_layers(e, TCP_DIR_S2C, &n, &seen, &mirrored));
	assert_int_equal(n, 2);
	conn_encap_free(&e);
	/* A direction whose first frame came bare stays bare. */
	assert_true(conn_encap_note(&e, TCP_DIR_C2S, true, false, &p));
	assert_null(e);
}

/* --- --decap-port and the live kernel filter (src/capture/decap.c) --- */

static void
test_decap_port(void **state)
{
	struct pkt_decap d;
	char err[128], buf[1024];

	(void)state;
	memset(&d, 0, sizeof d);
	assert_true(decap_port_add(&d, "4790/vxlan", err, sizeof err));
	assert_true(decap_port_add(&d, "6082/geneve", err, sizeof err));
	assert_true(decap_port_add(&d, "2153/gtpu", err, sizeof err));
	assert_int_equal(d.n, 3);
	assert_int_equal(d.port[0].port, 4790);
	assert_int_equal(d.port[0].type, PKT_ENC_VXLAN);
	assert_int_equal(d.port[2].type, PKT_ENC_GTPU);
	/* Given again, the last type counts. */
	assert_true(decap_port_add(&d, "4790/geneve", err, sizeof err));
	assert_int_equal(d.n, 3);
	assert_int_equal(d.port[0].type, PKT_ENC_GENEVE);
	assert_false(decap_port_add(&d, "4790", err, sizeof err));
	assert_false(decap_port_add(&d, "0/vxlan", err, sizeof err));
	assert_false(decap_port_add(&d, "65536/vxlan", err, sizeof err));
	assert_false(decap_port_add(&d, "x/vxlan", err, sizeof err));
	assert_false(decap_port_add(&d, "4790/gre", err, sizeof err));
	assert_non_null(strstr(err, "vxlan, geneve or gtpu"));
	for (unsigned i = d.n; i < PKT_DECAP_MAX_PORTS; i++) {
		snprintf(buf, sizeof buf, "%u/gtpu", 10000 + i);
		assert_true(decap_port_add(&d, buf, err, sizeof err));
	}
	assert_false(decap_port_add(&d, "9999/gtpu", err, sizeof err));

	memset(&d, 0, sizeof d);
	assert_true(decap_port_add(&d, "4790/vxlan", err, sizeof err));
	assert_true(decap_kernel_filter(&d, "tcp and (port 993)", true, buf,
	                                sizeof buf));
	assert_non_null(strstr(buf, "(tcp and (port 993)) or (ip proto 4 "));
	assert_non_null(strstr(buf, "udp dst port 4789"));
	assert_non_null(strstr(buf, "udp dst port 4790"));
	assert_non_null(strstr(buf, "ether proto 0x8864)"));
	assert_true(decap_kernel_filter(&d, "tcp", false, buf, sizeof buf));
	assert_null(strstr(buf, "ether proto"));
	assert_int_equal(buf[strlen(buf) - 1], ')');
	assert_false(decap_kernel_filter(&d, "tcp", true, buf, 40));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vxlan),
		cmocka_unit_test(test_udp_lengths),
		cmocka_unit_test(test_geneve),
		cmocka_unit_test(test_gtpu),
		cmocka_unit_test(test_gtpu_looping_extensions),
		cmocka_unit_test(test_gre),
		cmocka_unit_test(test_erspan),
		cmocka_unit_test(test_aruba_wlan),
		cmocka_unit_test(test_aruba_amsdu),
		cmocka_unit_test(test_mpls),
		cmocka_unit_test(test_pppoe),
		cmocka_unit_test(test_ip_in_ip),
		cmocka_unit_test(test_llc_snap),
		cmocka_unit_test(test_nflog),
		cmocka_unit_test(test_depth_bound),
		cmocka_unit_test(test_looping_tunnel),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_conn_mirror),
		cmocka_unit_test(test_conn_differs),
		cmocka_unit_test(test_conn_bare),
		cmocka_unit_test(test_decap_port),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
