/* mkbigcap.c: build a large benchmark pcap (pcap-savefile(5)) by replaying real TCP connections (RFC 9293) under new IPv4/IPv6 addresses (RFC 791, RFC 8200). */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>
#include <unistd.h>

/*
 * usage: mkbigcap -o OUT -s SIZE [-b BULK%] [-c CONCURRENT] [-6 V6%]
 *                 [-r MBIT/S] [-g GAP_MS] [-S SEED] [-f FAIL% -H CAPTURE...]
 *                 [-q] CAPTURE...
 *
 * The inputs are split into TCP connections by 4-tuple (a bare SYN on a
 * tuple that already closed starts a new one).  Each connection becomes a
 * template that is replayed, packet by packet and in its own order, under
 * a fresh client address and port and a fresh server address (the server
 * port is kept), as IPv4 or IPv6.  CONCURRENT copies are in flight at once;
 * when one ends the next template starts, so the output interleaves
 * thousands of connections the way a busy span port does.  The copies share
 * the link packet by packet, so a long template (a whole mail session)
 * stays in flight for many rounds; without -c, fewer than 4096 copies run
 * when that many would hold more than a quarter of SIZE (each counted half
 * written, the long ones as often as they are in flight), so that copies
 * keep starting until near the end instead of all at the first packet.
 * The summary says how many ran; give that as -c to make captures of other
 * sizes with the same number.
 *
 * Time: the clock advances by each frame's time on a link of MBIT/S.  A gap
 * inside a template of GAP_MS or more (a peer that stalls, a timeout) is
 * kept as it was; shorter gaps are replaced by a random delay on the order
 * of one round through the copies in flight (with the defaults and
 * handshake-only templates about a tenth of a second, a long WAN round
 * trip); a round counts the mean frame of the templates, each weighted by
 * how often it is drawn.  Timestamps never decrease.  The
 * clock starts at the earliest input timestamp so that certificates are
 * judged at the time they were captured.
 *
 * The output stops near SIZE: no copy starts once the bytes written plus
 * those the copies in flight will still add reach it.
 *
 * Templates: without -f, every template in turn (round robin), whatever
 * it shows.  With -f, the inputs named by -H (each also given as a
 * CAPTURE, in its place, so that rotated files still join) are the
 * healthy ones: each new copy is drawn from the templates of the other
 * inputs with probability FAIL%, else from the healthy ones, in turn
 * within each group.  A template belongs to the input it starts in.
 *
 * Defaults: -b 0 -c 4096 -6 25 -r 50 -g 1000 -S 1.
 *
 * With -b, unrelated traffic makes up BULK% of the bytes: long TCP data
 * flows on ports 443 and 80 in full 1514-byte frames, plus some UDP.
 *
 * Everything else in a replayed packet (TCP header, options, payload, TTL,
 * IPv4 options when the family is kept, snaplen truncation) stays as
 * captured.  IPv4 header and TCP checksums are adjusted for the new
 * addresses; the synthetic bulk traffic carries no TCP/UDP checksum.
 * Output is deterministic for given inputs and options.
 */

#define ETH_LEN		14u
#define OUT_SNAPLEN	262144u
#define OUT_BUFSZ	(8u << 20)
/* record header + Ethernet + largest IP header + largest L4 we replay */
#define MAX_RECORD	(16u + ETH_LEN + 60u + 65535u)
#define RAND_BUFSZ	(64u << 10)
#define BULK_FLOWS	64u
#define MTU_FRAME	1514u
#define DEF_COPIES	4096u
/* without -c, the copies in flight hold at most about 1/4 of the output */
#define INFLIGHT_SHARE	4.0

#define TH_FIN	0x01u
#define TH_SYN	0x02u
#define TH_RST	0x04u
#define TH_PSH	0x08u
#define TH_ACK	0x10u

/* One captured packet of a template connection. */
struct tpkt {
	uint64_t ts;		/* capture time in ns (loading) */
	uint64_t gap;		/* ns since the previous packet of its connection */
	uint32_t conn;		/* template index */
	uint32_t ip;		/* arena offset: IP header, then the L4 bytes */
	uint32_t l4cap;		/* captured bytes from the TCP header on */
	uint32_t l4len;		/* TCP header and payload on the wire */
	uint8_t iphl;		/* length of the original IP header */
	uint8_t v6;
	uint8_t from_client;
	uint8_t ttl;		/* TTL or hop limit */
	uint8_t tos;		/* TOS or traffic class */
};

/* One template connection: its packets are pk[first .. first+count-1]. */
struct tconn {
	uint32_t first;
	uint32_t count;
	uint32_t file;
	uint64_t bytes[2];	/* output size of one copy: [0] IPv4, [1] IPv6 */
	uint8_t v6;
	uint8_t keep_family;	/* IPv4 options or a size IPv4 cannot carry */
	uint8_t closed;		/* FIN or RST seen */
	uint8_t healthy;	/* starts in an input named by -H */
	uint8_t caddr[16];
	uint8_t saddr[16];
	uint16_t cport;
	uint16_t sport;
};

/* A copy of a template being replayed. */
struct copy {
	uint64_t ready;		/* earliest time of its next packet */
	uint64_t seq;		/* tie-break, keeps the order deterministic */
	uint64_t id;
	uint64_t left;		/* output bytes still to write */
	uint32_t conn;
	uint32_t next;		/* packets already written */
	uint8_t v6;
	uint16_t cport;
	uint8_t caddr[16];
	uint8_t saddr[16];
};

/* A synthetic bulk TCP flow. */
struct bulk {
	uint64_t left;		/* payload bytes still to send */
	uint32_t seq[2];	/* next sequence number: [0] client, [1] server */
	uint16_t port[2];
	uint16_t ipid;
	uint8_t addr[2][16];
	uint8_t v6;
	uint8_t phase;
	uint8_t sender;		/* 1: server sends the data (download) */
	uint8_t unacked;
};

struct out {
	FILE *f;
	const char *path;
	uint8_t *buf;
	size_t n;
	uint64_t total;
	uint64_t packets;
	bool failed;
};

struct gen {
	/* templates */
	struct tpkt *pk;
	size_t npk, cappk;
	struct tconn *conn;
	size_t nconn, capconn;
	uint8_t *arena;
	size_t narena, caparena;
	uint32_t *hash;		/* conn index + 1, 0 empty */
	size_t hashsz;
	uint64_t base;		/* earliest input timestamp */
	bool have_base;
	/* options */
	uint64_t target;
	uint32_t bulk_pct;
	uint32_t concurrent;
	bool fixed;		/* -c given: concurrent stays as it is */
	bool capped;		/* concurrent lowered to fit SIZE */
	uint32_t v6_pct;
	uint64_t rate_mbit;
	uint64_t keep_gap;	/* ns */
	uint64_t rng;
	int fail_pct;		/* -f, or -1: plain round robin */
	bool loading_healthy;	/* the input being loaded was named by -H */
	uint32_t *pool[2];	/* template indices: [0] failing, [1] healthy */
	size_t npool[2];
	size_t next_pool[2];
	/* replay */
	struct copy *copies;
	uint32_t *heap;
	size_t nheap, maxheap;
	uint64_t inflight;	/* output bytes the copies in flight will add */
	uint64_t last_start;	/* time the last copy started */
	uint64_t now;
	uint64_t jitter;
	uint64_t seqno;
	uint64_t started;
	uint32_t next_tmpl;
	uint64_t imap_bytes;
	uint64_t bulk_bytes;
	struct bulk flows[BULK_FLOWS];
	uint64_t bulk_started;
	uint8_t *rand;
	struct out out;
};

static uint64_t
rnd(struct gen *g)
{
	uint64_t z;

	/* splitmix64: small, fast, and the same sequence everywhere */
	g->rng += 0x9e3779b97f4a7c15ULL;
	z = g->rng;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t
rnd_below(struct gen *g, uint32_t n)
{
	return (uint32_t)(rnd(g) % n);
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static void
put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void *
grow(void *p, size_t *cap, size_t need, size_t elem)
{
	size_t ncap;
	void *np;

	if (need <= *cap)
		return p;
	ncap = *cap != 0 ? *cap : 1024;
	while (ncap < need)
		ncap *= 2;
	np = realloc(p, ncap * elem);
	if (np == NULL) {
		fprintf(stderr, "mkbigcap: out of memory\n");
		exit(2);
	}
	*cap = ncap;
	return np;
}

/* RFC 1071 sum of 16-bit words, not yet folded or complemented. */
static uint32_t
sum16(const uint8_t *p, size_t n, uint32_t acc)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		acc += get16(p + i);
	if (n % 2 != 0)
		acc += (uint32_t)p[n - 1] << 8;
	return acc;
}

static uint16_t
fold(uint32_t acc)
{
	while (acc >> 16 != 0)
		acc = (acc & 0xffffu) + (acc >> 16);
	return (uint16_t)acc;
}

static void
ipv4_checksum(uint8_t *ip, size_t hl)
{
	ip[10] = 0;
	ip[11] = 0;
	put16(ip + 10, (uint16_t)~fold(sum16(ip, hl, 0)));
}

/*
 * ---- loading templates ----
 */

/* Offset of the IP header behind the link header, or false. */
static bool
link_offset(int dlt, const uint8_t *d, size_t n, size_t *off)
{
	size_t o;
	uint16_t type;

	switch (dlt) {
	case DLT_EN10MB:
		/* IEEE 802.1Q and 802.1ad tags sit before the real type */
		o = 12;
		for (;;) {
			if (o + 2 > n)
				return false;
			type = get16(d + o);
			if (type != 0x8100 && type != 0x88a8)
				break;
			o += 4;
		}
		*off = o + 2;
		return type == 0x0800 || type == 0x86dd;
	case DLT_LINUX_SLL:
		*off = 16;
		return n >= 16;
#ifdef DLT_LINUX_SLL2
	case DLT_LINUX_SLL2:
		*off = 20;
		return n >= 20;
#endif
	case DLT_NULL:
	case DLT_LOOP:
		*off = 4;
		return n >= 4;
	case DLT_RAW:
#ifdef DLT_IPV4
	case DLT_IPV4:
#endif
#ifdef DLT_IPV6
	case DLT_IPV6:
#endif
		*off = 0;
		return true;
	default:
		return false;
	}
}

static uint32_t
tuple_hash(const uint8_t *a, uint16_t pa, const uint8_t *b, uint16_t pb)
{
	uint32_t ha = 2166136261u;
	uint32_t hb = 2166136261u;
	size_t i;

	/* symmetric, so both directions land on the same slot */
	for (i = 0; i < 16; i++) {
		ha = (ha ^ a[i]) * 16777619u;
		hb = (hb ^ b[i]) * 16777619u;
	}
	ha = (ha ^ pa) * 16777619u;
	hb = (hb ^ pb) * 16777619u;
	return (ha ^ hb) * 0x9e3779b1u;
}

static bool
tconn_match(const struct tconn *c, bool v6, const uint8_t *src,
    uint16_t sport, const uint8_t *dst, uint16_t dport, bool *from_client)
{
	if (c->v6 != (uint8_t)v6)
		return false;
	if (c->cport == sport && c->sport == dport &&
	    memcmp(c->caddr, src, 16) == 0 && memcmp(c->saddr, dst, 16) == 0) {
		*from_client = true;
		return true;
	}
	if (c->cport == dport && c->sport == sport &&
	    memcmp(c->caddr, dst, 16) == 0 && memcmp(c->saddr, src, 16) == 0) {
		*from_client = false;
		return true;
	}
	return false;
}

static void
hash_insert(struct gen *g, uint32_t h, uint32_t idx)
{
	size_t mask = g->hashsz - 1;
	size_t i = h & mask;

	while (g->hash[i] != 0)
		i = (i + 1) & mask;
	g->hash[i] = idx + 1;
}

static void
hash_rebuild(struct gen *g)
{
	const struct tconn *c;
	size_t i;

	free(g->hash);
	g->hashsz = g->hashsz != 0 ? g->hashsz * 2 : 1024;
	g->hash = calloc(g->hashsz, sizeof *g->hash);
	if (g->hash == NULL) {
		fprintf(stderr, "mkbigcap: out of memory\n");
		exit(2);
	}
	/* only the newest connection of a reused tuple must stay findable */
	for (i = 0; i < g->nconn; i++) {
		c = &g->conn[i];
		hash_insert(g, tuple_hash(c->caddr, c->cport, c->saddr,
		    c->sport), (uint32_t)i);
	}
}

static bool
server_port(uint16_t port)
{
	return port == 143 || port == 993 || port == 443 || port == 80;
}

/*
 * Find the connection of a packet, or start a new one.  A connection may
 * go on in the next file (rotated captures); a bare SYN starts a new one
 * when the tuple has closed or was last seen in another file (separate
 * runs that happened to reuse a port).
 */
static uint32_t
conn_for(struct gen *g, uint32_t file, bool v6, const uint8_t *src,
    uint16_t sport, const uint8_t *dst, uint16_t dport, uint8_t flags,
    bool *from_client)
{
	struct tconn *c;
	uint32_t h;
	size_t mask, i;
	size_t slot = SIZE_MAX;
	bool client_is_src;

	if (g->hashsz == 0 || (g->nconn + 1) * 2 > g->hashsz)
		hash_rebuild(g);
	h = tuple_hash(src, sport, dst, dport);
	mask = g->hashsz - 1;
	for (i = h & mask; g->hash[i] != 0; i = (i + 1) & mask) {
		c = &g->conn[g->hash[i] - 1];
		if (!tconn_match(c, v6, src, sport, dst, dport, from_client))
			continue;
		if ((flags & (TH_SYN | TH_ACK)) != TH_SYN ||
		    (!c->closed && c->file == file)) {
			c->file = file;
			return g->hash[i] - 1;
		}
		slot = i;
		break;
	}
	if (flags & TH_SYN)
		client_is_src = (flags & TH_ACK) == 0;
	else if (server_port(dport) != server_port(sport))
		client_is_src = server_port(dport);
	else
		client_is_src = sport >= dport;
	g->conn = grow(g->conn, &g->capconn, g->nconn + 1, sizeof *g->conn);
	c = &g->conn[g->nconn];
	memset(c, 0, sizeof *c);
	c->file = file;
	c->healthy = (uint8_t)g->loading_healthy;
	c->v6 = (uint8_t)v6;
	memcpy(c->caddr, client_is_src ? src : dst, 16);
	memcpy(c->saddr, client_is_src ? dst : src, 16);
	c->cport = client_is_src ? sport : dport;
	c->sport = client_is_src ? dport : sport;
	*from_client = client_is_src;
	if (slot != SIZE_MAX)
		g->hash[slot] = (uint32_t)g->nconn + 1;
	else
		hash_insert(g, h, (uint32_t)g->nconn);
	return (uint32_t)g->nconn++;
}

/* Take one captured frame: keep it if it is an unfragmented TCP segment. */
static void
take_packet(struct gen *g, uint32_t file, int dlt,
    const struct pcap_pkthdr *hdr, const uint8_t *d)
{
	uint8_t src[16] = {0}, dst[16] = {0};
	const uint8_t *ip, *l4;
	struct tpkt *p;
	size_t off, n, iphl, l4cap, l4len;
	uint16_t sport, dport;
	uint8_t flags, ttl, tos;
	bool v6, from_client;
	uint32_t conn;
	uint64_t ts;

	n = hdr->caplen;
	if (!link_offset(dlt, d, n, &off) || off >= n)
		return;
	ip = d + off;
	n -= off;
	switch (ip[0] >> 4) {
	case 4:
		if (n < 20)
			return;
		iphl = (size_t)(ip[0] & 0x0f) * 4;
		/* fragments cannot be keyed by port; skip them */
		if (iphl < 20 || iphl > n || ip[9] != 6 ||
		    (get16(ip + 6) & 0x3fffu) != 0 || get16(ip + 2) < iphl)
			return;
		l4len = get16(ip + 2) - iphl;
		memcpy(src, ip + 12, 4);
		memcpy(dst, ip + 16, 4);
		ttl = ip[8];
		tos = ip[1];
		v6 = false;
		break;
	case 6:
		/* only TCP right behind the fixed header; no extension headers */
		if (n < 40 || ip[6] != 6 || get16(ip + 4) == 0)
			return;
		iphl = 40;
		l4len = get16(ip + 4);
		memcpy(src, ip + 8, 16);
		memcpy(dst, ip + 24, 16);
		ttl = ip[7];
		tos = (uint8_t)(((ip[0] & 0x0f) << 4) | (ip[1] >> 4));
		v6 = true;
		break;
	default:
		return;
	}
	/* the captured L4 bytes, without Ethernet padding */
	l4cap = n - iphl;
	if (l4cap > l4len)
		l4cap = l4len;
	if (l4cap < 14)
		return;
	l4 = ip + iphl;
	sport = get16(l4);
	dport = get16(l4 + 2);
	flags = l4[13];
	conn = conn_for(g, file, v6, src, sport, dst, dport, flags,
	    &from_client);
	if (flags & (TH_FIN | TH_RST))
		g->conn[conn].closed = 1;
	if (!v6 && iphl > 20)
		g->conn[conn].keep_family = 1;
	if (v6 && l4len + 20 > 65535)
		g->conn[conn].keep_family = 1;

	if (g->narena + iphl + l4cap > UINT32_MAX) {
		fprintf(stderr, "mkbigcap: inputs too large (4 GiB of "
		    "TCP packets at most)\n");
		exit(2);
	}
	g->arena = grow(g->arena, &g->caparena, g->narena + iphl + l4cap, 1);
	memcpy(g->arena + g->narena, ip, iphl + l4cap);
	g->pk = grow(g->pk, &g->cappk, g->npk + 1, sizeof *g->pk);
	p = &g->pk[g->npk++];
	memset(p, 0, sizeof *p);
	ts = (uint64_t)hdr->ts.tv_sec * 1000000000u + (uint64_t)hdr->ts.tv_usec;
	p->ts = ts;
	p->conn = conn;
	p->ip = (uint32_t)g->narena;
	p->l4cap = (uint32_t)l4cap;
	p->l4len = (uint32_t)l4len;
	p->iphl = (uint8_t)iphl;
	p->v6 = (uint8_t)v6;
	p->from_client = (uint8_t)from_client;
	p->ttl = ttl;
	p->tos = tos;
	g->narena += iphl + l4cap;
	if (!g->have_base || ts < g->base) {
		g->base = ts;
		g->have_base = true;
	}
}

static bool
load(struct gen *g, const char *path, uint32_t file)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *hdr;
	const u_char *data;
	pcap_t *p;
	int dlt, rc;

	p = pcap_open_offline_with_tstamp_precision(path,
	    PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (p == NULL) {
		fprintf(stderr, "mkbigcap: %s: %s\n", path, errbuf);
		return false;
	}
	dlt = pcap_datalink(p);
	for (;;) {
		rc = pcap_next_ex(p, &hdr, &data);
		if (rc != 1)
			break;
		take_packet(g, file, dlt, hdr, data);
	}
	/* a capture cut short still gives the connections it holds */
	if (rc == PCAP_ERROR)
		fprintf(stderr, "mkbigcap: %s: %s (using what was read)\n",
		    path, pcap_geterr(p));
	pcap_close(p);
	return true;
}

/* Group the packets by connection, keeping capture order inside each. */
static void
arrange(struct gen *g)
{
	struct tpkt *sorted;
	uint32_t *fill;
	uint64_t prev;
	size_t i, j;

	sorted = calloc(g->npk, sizeof *sorted);
	fill = calloc(g->nconn, sizeof *fill);
	if (sorted == NULL || fill == NULL) {
		fprintf(stderr, "mkbigcap: out of memory\n");
		exit(2);
	}
	for (i = 0; i < g->npk; i++)
		g->conn[g->pk[i].conn].count++;
	for (i = 0, j = 0; i < g->nconn; i++) {
		g->conn[i].first = (uint32_t)j;
		j += g->conn[i].count;
	}
	for (i = 0; i < g->npk; i++) {
		j = g->pk[i].conn;
		sorted[g->conn[j].first + fill[j]++] = g->pk[i];
	}
	free(fill);
	free(g->pk);
	g->pk = sorted;
	for (i = 0; i < g->nconn; i++) {
		prev = g->pk[g->conn[i].first].ts;
		for (j = 0; j < g->conn[i].count; j++) {
			struct tpkt *p = &g->pk[g->conn[i].first + j];

			g->conn[i].bytes[0] += 16 + ETH_LEN +
			    (p->v6 ? 20u : p->iphl) + p->l4cap;
			g->conn[i].bytes[1] += 16 + ETH_LEN + 40 + p->l4cap;
			/* a capture out of time order must not rewind the clock */
			p->gap = p->ts > prev ? p->ts - prev : 0;
			if (p->ts > prev)
				prev = p->ts;
		}
	}
}

/*
 * ---- output ----
 */

static void
out_flush(struct out *o)
{
	if (o->n != 0 && !o->failed && fwrite(o->buf, 1, o->n, o->f) != o->n) {
		fprintf(stderr, "mkbigcap: %s: %s\n", o->path, strerror(errno));
		o->failed = true;
	}
	o->n = 0;
}

/* Room for one record, written in place. */
static uint8_t *
out_reserve(struct out *o)
{
	if (OUT_BUFSZ - o->n < MAX_RECORD)
		out_flush(o);
	return o->buf + o->n;
}

static void
out_commit(struct out *o, uint8_t *rec, uint64_t ts, size_t caplen,
    size_t len)
{
	uint32_t h[4];

	/* savefile header fields are in the writer's byte order */
	h[0] = (uint32_t)(ts / 1000000000u);
	h[1] = (uint32_t)(ts % 1000000000u);
	h[2] = (uint32_t)caplen;
	h[3] = (uint32_t)len;
	memcpy(rec, h, sizeof h);
	o->n += 16 + caplen;
	o->total += 16 + caplen;
	o->packets++;
}

static void
out_header(struct out *o)
{
	uint32_t h32[5];
	uint16_t h16[2];
	uint8_t *w = o->buf;

	/* nanosecond-resolution magic, version 2.4, Ethernet */
	h32[0] = 0xa1b23c4du;
	h16[0] = 2;
	h16[1] = 4;
	h32[1] = 0;
	h32[2] = 0;
	h32[3] = OUT_SNAPLEN;
	h32[4] = 1;
	memcpy(w, &h32[0], 4);
	memcpy(w + 4, h16, 4);
	memcpy(w + 8, &h32[1], 16);
	o->n = 24;
	o->total = 24;
}

static void
eth(uint8_t *w, uint64_t host, bool to_server, bool v6)
{
	static const uint8_t gw[6] = {0x02, 0x00, 0x5e, 0x00, 0x00, 0x01};
	uint8_t mac[6] = {0x02, 0x00, 0, 0, 0, 0};

	put32(mac + 2, (uint32_t)host);
	memcpy(w, to_server ? gw : mac, 6);
	memcpy(w + 6, to_server ? mac : gw, 6);
	put16(w + 12, v6 ? 0x86ddu : 0x0800u);
}

static void
ipv4_hdr(uint8_t *ip, size_t l4len, uint8_t tos, uint16_t id, uint8_t ttl,
    uint8_t proto, const uint8_t *src, const uint8_t *dst)
{
	ip[0] = 0x45;
	ip[1] = tos;
	put16(ip + 2, (uint32_t)(20 + l4len));
	put16(ip + 4, id);
	put16(ip + 6, 0x4000);	/* DF */
	ip[8] = ttl;
	ip[9] = proto;
	memcpy(ip + 12, src, 4);
	memcpy(ip + 16, dst, 4);
	ipv4_checksum(ip, 20);
}

static void
ipv6_hdr(uint8_t *ip, size_t l4len, uint8_t tc, uint8_t hlim, uint8_t nh,
    const uint8_t *src, const uint8_t *dst)
{
	ip[0] = (uint8_t)(0x60 | (tc >> 4));
	ip[1] = (uint8_t)(tc << 4);
	ip[2] = 0;
	ip[3] = 0;
	put16(ip + 4, (uint32_t)l4len);
	ip[6] = nh;
	ip[7] = hlim;
	memcpy(ip + 8, src, 16);
	memcpy(ip + 24, dst, 16);
}

/*
 * ---- replaying templates ----
 */

static bool
heap_less(const struct gen *g, uint32_t a, uint32_t b)
{
	const struct copy *x = &g->copies[a];
	const struct copy *y = &g->copies[b];

	if (x->ready != y->ready)
		return x->ready < y->ready;
	return x->seq < y->seq;
}

static void
heap_down(struct gen *g, size_t i)
{
	size_t l, r, m;
	uint32_t t;

	for (;;) {
		l = 2 * i + 1;
		r = l + 1;
		m = i;
		if (l < g->nheap && heap_less(g, g->heap[l], g->heap[m]))
			m = l;
		if (r < g->nheap && heap_less(g, g->heap[r], g->heap[m]))
			m = r;
		if (m == i)
			return;
		t = g->heap[i];
		g->heap[i] = g->heap[m];
		g->heap[m] = t;
		i = m;
	}
}

static void
heap_push(struct gen *g, uint32_t slot)
{
	size_t i = g->nheap++;
	uint32_t t;

	g->heap[i] = slot;
	while (i > 0 && heap_less(g, g->heap[i], g->heap[(i - 1) / 2])) {
		t = g->heap[i];
		g->heap[i] = g->heap[(i - 1) / 2];
		g->heap[(i - 1) / 2] = t;
		i = (i - 1) / 2;
	}
}

static void
heap_pop(struct gen *g)
{
	g->heap[0] = g->heap[--g->nheap];
	heap_down(g, 0);
}

static uint64_t
delay(struct gen *g)
{
	return g->jitter != 0 ? rnd(g) % (g->jitter + 1) : 0;
}

/* The template of the next copy: in turn, or from a group with -f. */
static uint32_t
next_template(struct gen *g)
{
	uint32_t t;
	int k;

	if (g->fail_pct < 0) {
		t = g->next_tmpl;
		g->next_tmpl = (uint32_t)((g->next_tmpl + 1) % g->nconn);
		return t;
	}
	k = rnd_below(g, 100) < (uint32_t)g->fail_pct ? 0 : 1;
	if (g->npool[k] == 0)
		k = 1 - k;
	t = g->pool[k][g->next_pool[k]];
	g->next_pool[k] = (g->next_pool[k] + 1) % g->npool[k];
	return t;
}

/* Split the templates into the failing and the healthy group. */
static void
make_pools(struct gen *g)
{
	for (int k = 0; k < 2; k++) {
		g->pool[k] = calloc(g->nconn, sizeof *g->pool[k]);
		if (g->pool[k] == NULL) {
			fprintf(stderr, "mkbigcap: out of memory\n");
			exit(2);
		}
	}
	for (size_t i = 0; i < g->nconn; i++) {
		int k = g->conn[i].healthy ? 1 : 0;

		g->pool[k][g->npool[k]++] = (uint32_t)i;
	}
}

/* Start the next template in a copy slot, under fresh addresses. */
static void
copy_start(struct gen *g, uint32_t slot)
{
	struct copy *c = &g->copies[slot];
	const struct tconn *t;
	uint32_t h, s;

	memset(c, 0, sizeof *c);
	c->id = g->started++;
	c->conn = next_template(g);
	t = &g->conn[c->conn];
	c->v6 = t->keep_family ? t->v6 : (uint8_t)(rnd_below(g, 100) < g->v6_pct);
	/* an odd multiplier permutes 24 bits: unique for 16M copies */
	h = (uint32_t)(c->id * 0x9e3779b1u) & 0xffffffu;
	s = rnd_below(g, 1024);
	if (c->v6) {
		static const uint8_t cpfx[6] = {0x20, 0x01, 0x0d, 0xb8, 0, 0x0c};
		static const uint8_t spfx[6] = {0x20, 0x01, 0x0d, 0xb8, 0, 0x05};

		memcpy(c->caddr, cpfx, 6);
		put32(c->caddr + 8, (uint32_t)(c->id >> 32));
		put32(c->caddr + 12, (uint32_t)c->id);
		memcpy(c->saddr, spfx, 6);
		put16(c->saddr + 14, s + 1);
	} else {
		c->caddr[0] = 10;
		c->caddr[1] = (uint8_t)(h >> 16);
		c->caddr[2] = (uint8_t)(h >> 8);
		c->caddr[3] = (uint8_t)h;
		c->saddr[0] = 172;
		c->saddr[1] = (uint8_t)(16 + (s >> 8));
		c->saddr[2] = (uint8_t)s;
		c->saddr[3] = 10;
	}
	c->cport = (uint16_t)(1024 + rnd_below(g, 64511));
	c->ready = g->now + delay(g);
	c->seq = g->seqno++;
	c->left = t->bytes[c->v6];
	g->inflight += c->left;
	g->last_start = g->now;
	heap_push(g, slot);
	if (g->nheap > g->maxheap)
		g->maxheap = g->nheap;
}

/*
 * Whether to start another copy: the copies in flight will run to their
 * end (a connection cut by the end of the file would change its verdict),
 * so count what they and the bulk traffic beside them will still add.
 */
static bool
want_more(const struct gen *g)
{
	uint64_t will = g->inflight * 100 / (100 - g->bulk_pct);

	return g->out.total + will < g->target;
}

/* One's-complement update of a checksum for changed 16-bit words (RFC 1624 eqn 3). */
static uint16_t
csum_adjust(uint16_t ck, const uint8_t *old, size_t oldn, const uint8_t *nw,
    size_t nwn)
{
	uint32_t acc = (uint16_t)~ck;
	size_t i;

	for (i = 0; i + 1 < oldn; i += 2)
		acc += (uint16_t)~get16(old + i);
	acc = sum16(nw, nwn, acc);
	return (uint16_t)~fold(acc);
}

/* Write the next packet of the copy at the top of the heap. */
static void
emit_replay(struct gen *g)
{
	uint32_t slot = g->heap[0];
	struct copy *c = &g->copies[slot];
	const struct tconn *t = &g->conn[c->conn];
	const struct tpkt *p = &g->pk[t->first + c->next];
	const uint8_t *oip = g->arena + p->ip;
	const uint8_t *osrc, *odst, *nsrc, *ndst;
	uint8_t oldw[2 * 16 + 2], neww[2 * 16 + 2];
	uint8_t *rec, *ip, *l4;
	size_t alen, iphl, oalen, caplen, len;
	uint64_t step, ts;

	rec = out_reserve(&g->out);
	eth(rec + 16, c->id, p->from_client, c->v6);
	ip = rec + 16 + ETH_LEN;
	nsrc = p->from_client ? c->caddr : c->saddr;
	ndst = p->from_client ? c->saddr : c->caddr;
	oalen = p->v6 ? 16 : 4;
	osrc = oip + (p->v6 ? 8 : 12);
	odst = osrc + oalen;
	alen = c->v6 ? 16 : 4;
	if (c->v6 == p->v6) {
		iphl = p->iphl;
		memcpy(ip, oip, iphl);
		memcpy(ip + (c->v6 ? 8 : 12), nsrc, alen);
		memcpy(ip + (c->v6 ? 8 : 12) + alen, ndst, alen);
		if (!c->v6)
			ipv4_checksum(ip, iphl);
	} else if (c->v6) {
		iphl = 40;
		ipv6_hdr(ip, p->l4len, p->tos, p->ttl, 6, nsrc, ndst);
	} else {
		iphl = 20;
		ipv4_hdr(ip, p->l4len, p->tos, 0, p->ttl, 6, nsrc, ndst);
	}
	l4 = ip + iphl;
	memcpy(l4, oip + p->iphl, p->l4cap);
	/* the client's port is in the source field on its own packets */
	memcpy(oldw, osrc, oalen);
	memcpy(oldw + oalen, odst, oalen);
	memcpy(oldw + 2 * oalen, l4 + (p->from_client ? 0 : 2), 2);
	put16(l4 + (p->from_client ? 0 : 2), c->cport);
	memcpy(neww, nsrc, alen);
	memcpy(neww + alen, ndst, alen);
	put16(neww + 2 * alen, c->cport);
	/* the pseudo-header differs only in the addresses (RFC 8200 8.1) */
	if (p->l4cap >= 18)
		put16(l4 + 16, csum_adjust(get16(l4 + 16), oldw, 2 * oalen + 2,
		    neww, 2 * alen + 2));

	caplen = ETH_LEN + iphl + p->l4cap;
	len = ETH_LEN + iphl + p->l4len;
	step = (uint64_t)len * 8000u / g->rate_mbit;
	ts = g->now + (step != 0 ? step : 1);
	if (c->ready > ts)
		ts = c->ready;
	g->now = ts;
	out_commit(&g->out, rec, ts, caplen, len);
	g->imap_bytes += 16 + caplen;
	c->left -= 16 + caplen;
	g->inflight -= 16 + caplen;

	c->next++;
	if (c->next == t->count) {
		heap_pop(g);
		if (want_more(g))
			copy_start(g, slot);
		return;
	}
	p++;
	c->ready = p->gap >= g->keep_gap ? g->now + p->gap : g->now + delay(g);
	c->seq = g->seqno++;
	heap_down(g, 0);
}

/*
 * ---- bulk traffic ----
 */

static void
bulk_start(struct gen *g, struct bulk *b)
{
	uint64_t id = g->bulk_started++;
	uint32_t r;

	memset(b, 0, sizeof *b);
	b->v6 = rnd_below(g, 100) < g->v6_pct;
	r = (uint32_t)rnd(g);
	/* RFC 2544 benchmarking range, 198.18.0.0/15 and a 2001:db8 block */
	if (b->v6) {
		static const uint8_t pfx[6] = {0x20, 0x01, 0x0d, 0xb8, 0, 0xb0};

		memcpy(b->addr[0], pfx, 6);
		put32(b->addr[0] + 12, (uint32_t)id);
		memcpy(b->addr[1], pfx, 6);
		b->addr[1][5] = 0xb1;
		put16(b->addr[1] + 14, r & 0xffu);
	} else {
		b->addr[0][0] = 198;
		b->addr[0][1] = 18;
		put16(b->addr[0] + 2, (uint32_t)id);
		b->addr[1][0] = 198;
		b->addr[1][1] = 19;
		b->addr[1][2] = (uint8_t)(r >> 8);
		b->addr[1][3] = (uint8_t)r;
	}
	b->port[0] = (uint16_t)(32768 + rnd_below(g, 28232));
	b->port[1] = rnd_below(g, 3) == 0 ? 80 : 443;
	b->seq[0] = (uint32_t)rnd(g);
	b->seq[1] = (uint32_t)rnd(g);
	/* 256 KiB to 64 MiB, mostly downloads */
	b->left = (uint64_t)(256u << 10) << rnd_below(g, 9);
	b->sender = rnd_below(g, 4) != 0;
}

/* Write one bulk TCP segment from side `from` (0 client, 1 server). */
static void
bulk_segment(struct gen *g, struct bulk *b, unsigned from, uint8_t flags,
    size_t payload)
{
	uint8_t *rec = out_reserve(&g->out);
	uint8_t *ip = rec + 16 + ETH_LEN;
	uint8_t *tcp;
	size_t iphl = b->v6 ? 40 : 20;
	size_t l4len = 20 + payload;
	uint64_t ts, step;

	eth(rec + 16, 0xb0000000u | b->port[0], from == 0, b->v6);
	if (b->v6)
		ipv6_hdr(ip, l4len, 0, from == 0 ? 64 : 53, 6,
		    b->addr[from], b->addr[1 - from]);
	else
		ipv4_hdr(ip, l4len, 0, b->ipid++, from == 0 ? 64 : 53, 6,
		    b->addr[from], b->addr[1 - from]);
	tcp = ip + iphl;
	put16(tcp, b->port[from]);
	put16(tcp + 2, b->port[1 - from]);
	put32(tcp + 4, b->seq[from]);
	put32(tcp + 8, (flags & TH_ACK) ? b->seq[1 - from] : 0);
	tcp[12] = 5 << 4;
	tcp[13] = flags;
	put16(tcp + 14, 65535);
	put16(tcp + 16, 0);
	put16(tcp + 18, 0);
	memcpy(tcp + 20, g->rand + rnd_below(g, RAND_BUFSZ), payload);
	b->seq[from] += (uint32_t)payload;
	if (flags & (TH_SYN | TH_FIN))
		b->seq[from]++;
	step = (uint64_t)(ETH_LEN + iphl + l4len) * 8000u / g->rate_mbit;
	ts = g->now + (step != 0 ? step : 1);
	g->now = ts;
	out_commit(&g->out, rec, ts, ETH_LEN + iphl + l4len,
	    ETH_LEN + iphl + l4len);
	g->bulk_bytes += 16 + ETH_LEN + iphl + l4len;
}

static void
bulk_flow_step(struct gen *g, struct bulk *b)
{
	unsigned snd = b->sender, rcv = 1u - b->sender;
	size_t mss = b->v6 ? 1440 : 1460;
	size_t n;

	switch (b->phase) {
	case 0:
		bulk_segment(g, b, 0, TH_SYN, 0);
		break;
	case 1:
		bulk_segment(g, b, 1, TH_SYN | TH_ACK, 0);
		break;
	case 2:
		bulk_segment(g, b, 0, TH_ACK, 0);
		break;
	case 3:
		/* delayed ACK: one for every two full segments (RFC 9293 3.8.6.3) */
		if (b->unacked >= 2) {
			bulk_segment(g, b, rcv, TH_ACK, 0);
			b->unacked = 0;
			return;
		}
		n = b->left < mss ? (size_t)b->left : mss;
		bulk_segment(g, b, snd, TH_ACK | (n < mss ? TH_PSH : 0), n);
		b->left -= n;
		b->unacked++;
		if (b->left != 0)
			return;
		break;
	case 4:
		bulk_segment(g, b, snd, TH_FIN | TH_ACK, 0);
		break;
	case 5:
		bulk_segment(g, b, rcv, TH_FIN | TH_ACK, 0);
		break;
	default:
		bulk_segment(g, b, snd, TH_ACK, 0);
		bulk_start(g, b);
		return;
	}
	b->phase++;
}

/* A UDP datagram: DNS-sized on port 53, QUIC-sized on port 443. */
static void
bulk_udp(struct gen *g)
{
	uint8_t *rec = out_reserve(&g->out);
	uint8_t *ip = rec + 16 + ETH_LEN;
	uint8_t *udp;
	uint8_t cl[16] = {198, 18, 0, 0}, sv[16] = {198, 19, 255, 53};
	bool quic = rnd_below(g, 4) == 0;
	bool up = rnd_below(g, 2) == 0;
	size_t payload = quic ? 1200 + rnd_below(g, 151) : 40 + rnd_below(g, 260);
	size_t len = ETH_LEN + 20 + 8 + payload;
	uint64_t ts, step;

	put16(cl + 2, rnd_below(g, 65536));
	ipv4_hdr(ip, 8 + payload, 0, 0, 64, 17, up ? cl : sv, up ? sv : cl);
	eth(rec + 16, 0xc0000000u, up, false);
	udp = ip + 20;
	put16(udp + (up ? 0 : 2), 1024 + rnd_below(g, 64511));
	put16(udp + (up ? 2 : 0), quic ? 443 : 53);
	put16(udp + 4, (uint32_t)(8 + payload));
	put16(udp + 6, 0);
	memcpy(udp + 8, g->rand + rnd_below(g, RAND_BUFSZ), payload);
	step = (uint64_t)len * 8000u / g->rate_mbit;
	ts = g->now + (step != 0 ? step : 1);
	g->now = ts;
	out_commit(&g->out, rec, ts, len, len);
	g->bulk_bytes += 16 + len;
}

static void
emit_bulk(struct gen *g)
{
	if (rnd_below(g, 16) == 0)
		bulk_udp(g);
	else
		bulk_flow_step(g, &g->flows[rnd_below(g, BULK_FLOWS)]);
}

static bool
want_bulk(const struct gen *g)
{
	uint64_t all = g->imap_bytes + g->bulk_bytes;

	return g->bulk_pct != 0 && g->bulk_bytes * 100 < all * g->bulk_pct;
}

/* The share of new copies that replay template t (next_template). */
static double
draw_weight(const struct gen *g, size_t t)
{
	int k;
	double share;

	if (g->fail_pct < 0)
		return 1.0;
	k = g->conn[t].healthy ? 1 : 0;
	share = k ? (double)(100 - g->fail_pct) : (double)g->fail_pct;
	if (g->npool[1 - k] == 0)
		share = 100.0;
	return share / 100.0 / (double)g->npool[k];
}

static void
generate(struct gen *g)
{
	double mean = 0, pkts = 0, held = 0, per_pkt, w, bytes, room;
	uint32_t i, j;

	for (i = 0; i < g->nconn; i++) {
		const struct tconn *c = &g->conn[i];

		w = draw_weight(g, i);
		for (j = 0; j < c->count; j++)
			mean += w * (ETH_LEN + 20 +
			    (double)g->pk[c->first + j].l4len);
		pkts += w * c->count;
		bytes = ((double)c->bytes[0] * (100 - g->v6_pct) +
		    (double)c->bytes[1] * g->v6_pct) / 100.0;
		held += w * c->count * bytes;
	}
	/* mean frame of the packets the copies will write */
	mean /= pkts;
	/*
	 * The copies in flight share the link packet by packet, so each stays
	 * in flight for as long as it has packets: at any moment most of them
	 * are long ones, about half written.  With long templates (whole mail
	 * sessions) -c copies would hold more than SIZE, no copy would start
	 * after the first ones, and the file would be one burst draining away.
	 * Fewer copies, holding about 1/INFLIGHT_SHARE of SIZE, keep copies
	 * starting until near the end.  An explicit -c is kept, so that
	 * captures of different sizes can share one number.
	 */
	held /= 2.0 * pkts;
	room = (double)g->target * (100 - g->bulk_pct) / 100.0 /
	    INFLIGHT_SHARE;
	if (!g->fixed && held * g->concurrent > room) {
		g->concurrent = room / held >= 1.0 ? (uint32_t)(room / held) : 1;
		g->capped = true;
	}
	/* time for one packet of each copy in flight, bulk included */
	per_pkt = mean * 8000.0 / (double)g->rate_mbit;
	if (g->bulk_pct != 0)
		per_pkt /= 1.0 - (double)g->bulk_pct / 100.0;
	g->jitter = (uint64_t)(2.0 * g->concurrent * per_pkt);
	g->now = g->base;
	for (i = 0; i < BULK_FLOWS; i++)
		bulk_start(g, &g->flows[i]);
	for (i = 0; i < g->concurrent && want_more(g); i++)
		copy_start(g, i);
	while (g->nheap != 0 && !g->out.failed) {
		if (want_bulk(g))
			emit_bulk(g);
		else
			emit_replay(g);
	}
	out_flush(&g->out);
}

static bool
parse_num(const char *s, uint64_t max, uint64_t *v)
{
	char *end;
	unsigned long long n;
	uint64_t mul = 1;

	errno = 0;
	n = strtoull(s, &end, 10);
	if (end == s || errno != 0)
		return false;
	switch (*end) {
	case '\0':
		break;
	case 'k': case 'K':
		mul = 1ULL << 10;
		end++;
		break;
	case 'm': case 'M':
		mul = 1ULL << 20;
		end++;
		break;
	case 'g': case 'G':
		mul = 1ULL << 30;
		end++;
		break;
	default:
		return false;
	}
	if (*end != '\0' || n > max / mul)
		return false;
	*v = (uint64_t)n * mul;
	return true;
}

static void
usage(void)
{
	fprintf(stderr, "usage: mkbigcap -o OUT -s SIZE [-b BULK%%] "
	    "[-c CONCURRENT] [-6 V6%%]\n"
	    "                [-r MBIT/S] [-g GAP_MS] [-S SEED] "
	    "[-f FAIL%% -H CAPTURE...]\n"
	    "                [-q] CAPTURE...\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static struct gen g;
	const char *outpath = NULL;
	const char **healthy = NULL;
	size_t nhealthy = 0;
	uint64_t v, seed = 1;
	bool quiet = false;
	int ch, i;

	g.concurrent = DEF_COPIES;
	g.v6_pct = 25;
	g.rate_mbit = 50;
	g.keep_gap = 1000000000u;
	g.fail_pct = -1;
	healthy = calloc((size_t)argc, sizeof *healthy);
	if (healthy == NULL) {
		fprintf(stderr, "mkbigcap: out of memory\n");
		return 2;
	}
	for (;;) {
		ch = getopt(argc, argv, "6:b:c:f:g:H:o:qr:s:S:");
		if (ch == -1)
			break;
		switch (ch) {
		case '6':
			if (!parse_num(optarg, 100, &v))
				usage();
			g.v6_pct = (uint32_t)v;
			break;
		case 'b':
			if (!parse_num(optarg, 95, &v))
				usage();
			g.bulk_pct = (uint32_t)v;
			break;
		case 'c':
			if (!parse_num(optarg, 1u << 20, &v) || v == 0)
				usage();
			g.concurrent = (uint32_t)v;
			g.fixed = true;
			break;
		case 'f':
			if (!parse_num(optarg, 100, &v))
				usage();
			g.fail_pct = (int)v;
			break;
		case 'H':
			healthy[nhealthy++] = optarg;
			break;
		case 'g':
			if (!parse_num(optarg, UINT32_MAX, &v))
				usage();
			g.keep_gap = v * 1000000u;
			break;
		case 'o':
			outpath = optarg;
			break;
		case 'q':
			quiet = true;
			break;
		case 'r':
			if (!parse_num(optarg, 1000000, &v) || v == 0)
				usage();
			g.rate_mbit = v;
			break;
		case 's':
			if (!parse_num(optarg, UINT64_MAX, &v))
				usage();
			g.target = v;
			break;
		case 'S':
			if (!parse_num(optarg, UINT64_MAX, &v))
				usage();
			seed = v;
			break;
		default:
			usage();
		}
	}
	if (outpath == NULL || g.target == 0 || optind >= argc ||
	    (nhealthy > 0 && g.fail_pct < 0))
		usage();
	g.rng = seed;

	for (i = optind; i < argc; i++) {
		g.loading_healthy = false;
		for (size_t k = 0; k < nhealthy; k++)
			if (strcmp(healthy[k], argv[i]) == 0)
				g.loading_healthy = true;
		if (!load(&g, argv[i], (uint32_t)(i - optind)))
			return 2;
	}
	if (g.nconn == 0) {
		fprintf(stderr, "mkbigcap: no TCP connection in the inputs\n");
		return 2;
	}
	arrange(&g);
	make_pools(&g);

	g.copies = calloc(g.concurrent, sizeof *g.copies);
	g.heap = calloc(g.concurrent, sizeof *g.heap);
	g.rand = malloc(RAND_BUFSZ + MTU_FRAME);
	g.out.buf = malloc(OUT_BUFSZ);
	if (g.copies == NULL || g.heap == NULL || g.rand == NULL ||
	    g.out.buf == NULL) {
		fprintf(stderr, "mkbigcap: out of memory\n");
		return 2;
	}
	for (v = 0; v < RAND_BUFSZ + MTU_FRAME; v++)
		g.rand[v] = (uint8_t)(rnd(&g) >> 56);
	g.out.path = outpath;
	g.out.f = fopen(outpath, "wb");
	if (g.out.f == NULL) {
		fprintf(stderr, "mkbigcap: %s: %s\n", outpath, strerror(errno));
		return 2;
	}
	out_header(&g.out);
	generate(&g);
	if (fclose(g.out.f) != 0 && !g.out.failed) {
		fprintf(stderr, "mkbigcap: %s: %s\n", outpath, strerror(errno));
		g.out.failed = true;
	}
	if (g.out.failed)
		return 2;
	if (!quiet)
		fprintf(stderr, "mkbigcap: %zu connections (%zu packets) from "
		    "%d file(s); wrote %" PRIu64 " packets, %" PRIu64
		    " bytes: %" PRIu64 " replayed connections, %zu at once, "
		    "%.1f%% bulk bytes, %.1f s of traffic (connections start "
		    "in the first %.1f s)",
		    g.nconn, g.npk, argc - optind, g.out.packets, g.out.total,
		    g.started, g.maxheap,
		    100.0 * (double)g.bulk_bytes / (double)g.out.total,
		    (double)(g.now - g.base) / 1e9,
		    (double)(g.last_start - g.base) / 1e9);
	if (!quiet)
		fprintf(stderr, "; at most %" PRIu32 " copies in flight%s",
		    g.concurrent, g.capped ? " (lowered from the default so "
		    "that they hold about a quarter of the size)" : "");
	if (!quiet && g.fail_pct >= 0)
		fprintf(stderr, "; templates: %zu healthy, %zu others, drawn "
		    "at %d%%", g.npool[1], g.npool[0], g.fail_pct);
	if (!quiet)
		fprintf(stderr, "\n");
	free(healthy);
	return 0;
}
