/* test_flow.c: the connection table: who is the client (RFC 9293 3.5), reuse, eviction, expiry. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "tcp/flow.h"

#define SEC TA_NS_PER_SEC
#define MS TA_NS_PER_MS
#define T0 (1700000000ULL * SEC)

#define F_S PKT_TCP_SYN
#define F_A PKT_TCP_ACK
#define F_F PKT_TCP_FIN
#define F_R PKT_TCP_RST
#define F_SA (PKT_TCP_SYN | PKT_TCP_ACK)
#define F_PA (PKT_TCP_PSH | PKT_TCP_ACK)
#define F_FA (PKT_TCP_FIN | PKT_TCP_ACK)
#define F_RA (PKT_TCP_RST | PKT_TCP_ACK)

#define MAX_ENDED 32

/* What the end callback was told, copied while the connection lived. */
struct ended {
	uint64_t id;
	uint16_t cport;
	enum tcp_finish why;
	ta_time now;
};

struct fx {
	struct flow_table *ft;
	struct service_map svc;
	struct ended e[MAX_ENDED];
	size_t nended;
	uint64_t frame;
	uint16_t keep_cport;   /* on_end keeps the connection of this port */
	struct conn *kept;
};

static void
on_end(void *ctx, struct conn *c, enum tcp_finish why, ta_time now)
{
	struct fx *x = ctx;

	assert_true(x->nended < MAX_ENDED);
	/* the table has taken it out before saying so */
	assert_false(c->in_table);
	x->e[x->nended].id = c->id;
	x->e[x->nended].cport = c->cport;
	x->e[x->nended].why = why;
	x->e[x->nended].now = now;
	x->nended++;
	if (x->keep_cport != 0 && c->cport == x->keep_cport) {
		flow_keep(x->ft, c);
		x->kept = c;
	}
}

static struct fx *
fx_new(size_t max_conns, ta_time idle)
{
	struct fx *x = calloc(1, sizeof *x);

	assert_non_null(x);
	service_map_defaults(&x->svc);
	x->ft = flow_table_new(max_conns, idle, on_end, x);
	assert_non_null(x->ft);
	return x;
}

static void
fx_free(struct fx *x)
{
	flow_flush(x->ft, TCP_FINISH_CAPTURE_END, 0);
	assert_int_equal(flow_count(x->ft), 0);
	flow_table_free(x->ft);
	free(x);
}

static struct pkt_addr
v4(uint8_t host)
{
	struct pkt_addr a;

	memset(&a, 0, sizeof a);
	a.family = 4;
	a.a[0] = 10;
	a.a[3] = host;
	return a;
}

/* 2001:db8::host */
static struct pkt_addr
v6(uint8_t host)
{
	struct pkt_addr a;

	memset(&a, 0, sizeof a);
	a.family = 6;
	a.a[0] = 0x20;
	a.a[1] = 0x01;
	a.a[2] = 0x0d;
	a.a[3] = 0xb8;
	a.a[15] = host;
	return a;
}

static struct pkt
seg(struct pkt_addr src, uint16_t sport, struct pkt_addr dst, uint16_t dport,
    uint8_t flags, uint32_t seq)
{
	struct pkt p;

	memset(&p, 0, sizeof p);
	p.ip_version = src.family;
	p.src = src;
	p.dst = dst;
	p.sport = sport;
	p.dport = dport;
	p.flags = flags;
	p.seq = seq;
	p.ttl = 64;
	return p;
}

/* One packet through the table as the analyzer sends it; returns its
 * connection's id, or UINT64_MAX when the table took no connection. */
static uint64_t
feed(struct fx *x, const struct pkt *p, ta_time ts, enum tcp_dir *dir_out)
{
	enum tcp_dir dir = TCP_DIR_C2S;
	ta_frame frame = TA_FRAME(0, ++x->frame);
	struct conn *c = flow_lookup(x->ft, &x->svc, p, ts, frame, &dir);
	uint64_t id = UINT64_MAX;

	if (c != NULL) {
		tcp_track_packet(&c->tcp, dir, p, ts, frame);
		flow_touch(x->ft, c, ts);
		id = c->id;
	}
	if (dir_out != NULL)
		*dir_out = dir;
	flow_expire(x->ft, ts);
	return id;
}

/* The connection a packet belongs to, without changing anything but the
 * table's own bookkeeping (the packet is known to match). */
static struct conn *
find(struct fx *x, const struct pkt *p, enum tcp_dir *dir)
{
	return flow_lookup(x->ft, &x->svc, p, T0, TA_FRAME(0, 999), dir);
}

static struct flow_stats
stats(const struct fx *x)
{
	struct flow_stats st;

	flow_get_stats(x->ft, &st);
	return st;
}

static void
test_direction_from_syn(void **state)
{
	struct fx *x = fx_new(0, 300 * SEC);
	struct pkt p;
	struct conn *c;
	enum tcp_dir dir;

	(void)state;
	p = seg(v4(2), 40000, v4(1), 143, F_S, 1000);
	c = flow_lookup(x->ft, &x->svc, &p, T0, TA_FRAME(0, 1), &dir);
	assert_non_null(c);
	assert_int_equal(dir, TCP_DIR_C2S);
	assert_int_equal(c->caddr.a[3], 2);
	assert_int_equal(c->cport, 40000);
	assert_int_equal(c->saddr.a[3], 1);
	assert_int_equal(c->sport, 143);
	assert_int_equal(c->svc, SVC_IMAP);
	assert_int_equal(c->first_frame, TA_FRAME(0, 1));
	assert_int_equal(c->first_ts, T0);
	assert_int_equal(c->id, 0);
	assert_true(c->in_table);
	tcp_track_packet(&c->tcp, dir, &p, T0, TA_FRAME(0, 1));
	flow_touch(x->ft, c, T0);

	/* the answer and the next packet land on the same connection */
	p = seg(v4(1), 143, v4(2), 40000, F_SA, 500000);
	assert_ptr_equal(find(x, &p, &dir), c);
	assert_int_equal(dir, TCP_DIR_S2C);
	p = seg(v4(2), 40000, v4(1), 143, F_A, 1001);
	assert_ptr_equal(find(x, &p, &dir), c);
	assert_int_equal(dir, TCP_DIR_C2S);

	assert_int_equal(flow_count(x->ft), 1);
	assert_int_equal(stats(x).conns, 1);
	assert_int_equal(stats(x).midstream, 0);
	assert_int_equal(stats(x).ignored, 0);
	fx_free(x);
}

static void
test_direction_from_synack(void **state)
{
	struct fx *x = fx_new(0, 300 * SEC);
	struct pkt p;
	struct conn *c;
	enum tcp_dir dir;

	(void)state;
	/* the SYN was not captured: the SYN-ACK's sender is the server */
	p = seg(v4(1), 993, v4(3), 40001, F_SA, 7000);
	c = find(x, &p, &dir);
	assert_non_null(c);
	assert_int_equal(dir, TCP_DIR_S2C);
	assert_int_equal(c->caddr.a[3], 3);
	assert_int_equal(c->cport, 40001);
	assert_int_equal(c->sport, 993);
	assert_int_equal(c->svc, SVC_IMAPS);
	assert_int_equal(stats(x).midstream, 0);

	/* a SYN-ACK sent from a port of no service starts nothing */
	p = seg(v4(3), 40002, v4(1), 143, F_SA, 7000);
	assert_null(find(x, &p, &dir));
	/* nor does a SYN toward one */
	p = seg(v4(1), 143, v4(3), 40003, F_S, 7000);
	assert_null(find(x, &p, &dir));
	assert_int_equal(stats(x).ignored, 2);
	assert_int_equal(flow_count(x->ft), 1);
	fx_free(x);
}

static void
test_direction_midstream(void **state)
{
	struct fx *x = fx_new(0, 300 * SEC);
	struct pkt p;
	struct conn *c;
	enum tcp_dir dir;

	(void)state;
	/* no SYN at all: the side on the service port is the server,
	 * whichever spoke first */
	p = seg(v4(1), 143, v4(4), 40003, F_PA, 123);
	c = find(x, &p, &dir);
	assert_non_null(c);
	assert_int_equal(dir, TCP_DIR_S2C);
	assert_int_equal(c->caddr.a[3], 4);
	assert_int_equal(c->cport, 40003);
	assert_int_equal(c->svc, SVC_IMAP);
	p = seg(v4(4), 40003, v4(1), 143, F_A, 9);
	assert_ptr_equal(find(x, &p, &dir), c);
	assert_int_equal(dir, TCP_DIR_C2S);

	p = seg(v4(5), 40004, v4(1), 993, F_PA, 9);
	c = find(x, &p, &dir);
	assert_non_null(c);
	assert_int_equal(dir, TCP_DIR_C2S);
	assert_int_equal(c->caddr.a[3], 5);
	assert_int_equal(c->svc, SVC_IMAPS);
	assert_int_equal(stats(x).midstream, 2);
	assert_int_equal(stats(x).conns, 2);
	fx_free(x);
}

static void
test_other_ports_ignored(void **state)
{
	struct fx *x = fx_new(0, 300 * SEC);
	struct pkt p;
	enum tcp_dir dir;
	char err[128];

	(void)state;
	p = seg(v4(2), 40000, v4(1), 80, F_S, 1);
	assert_null(find(x, &p, &dir));
	p = seg(v4(1), 443, v4(2), 8080, F_PA, 1);
	assert_null(find(x, &p, &dir));
	assert_int_equal(stats(x).ignored, 2);
	assert_int_equal(stats(x).conns, 0);
	assert_int_equal(flow_count(x->ft), 0);

	/* once -p names the port, it counts */
	assert_true(service_map_add(&x->svc, "443/tls", err, sizeof err));
	assert_non_null(find(x, &p, &dir));
	assert_int_equal(dir, TCP_DIR_S2C);
	/* and 143 no longer does */
	p = seg(v4(2), 40000, v4(1), 143, F_S, 1);
	assert_null(find(x, &p, &dir));
	fx_free(x);
}

static void
test_stray_rst(void **state)
{
	struct fx *x = fx_new(0, 300 * SEC);
	struct pkt p;
	enum tcp_dir dir;
	struct conn *c;

	(void)state;
	p = seg(v4(1), 143, v4(2), 40000, F_R, 77);
	assert_null(find(x, &p, &dir));
	p = seg(v4(2), 40000, v4(1), 993, F_RA, 77);
	assert_null(find(x, &p, &dir));
	/* Not "packets of other ports": the caller counts lone RSTs. */
	assert_int_equal(stats(x).ignored, 0);
	assert_int_equal(flow_count(x->ft), 0);
	assert_int_equal(x->nended, 0);

	/* a RST of a known connection is that connection's */
	p = seg(v4(2), 40000, v4(1), 143, F_S, 1000);
	c = find(x, &p, &dir);
	assert_non_null(c);
	p = seg(v4(1), 143, v4(2), 40000, F_RA, 0);
	assert_ptr_equal(find(x, &p, &dir), c);
	assert_int_equal(dir, TCP_DIR_S2C);
	fx_free(x);
}

static void
test_reuse_new_isn(void **state)
{
	struct fx *x = fx_new(0, 300 * SEC);
	struct pkt syn = seg(v4(2), 40000, v4(1), 143, F_S, 1000);
	struct pkt p;
	enum tcp_dir dir;

	(void)state;
	assert_int_equal(feed(x, &syn, T0, NULL), 0);
	p = seg(v4(1), 143, v4(2), 40000, F_SA, 500000);
	assert_int_equal(feed(x, &p, T0 + 10 * MS, NULL), 0);
	/* the same SYN again is a retransmission, not a new connection */
	assert_int_equal(feed(x, &syn, T0 + SEC, &dir), 0);
	assert_int_equal(dir, TCP_DIR_C2S);
	assert_int_equal(x->nended, 0);
	assert_int_equal(stats(x).reused, 0);

	/* a new ISN on the same 4-tuple: the old connection is over */
	syn.seq = 900000;
	assert_int_equal(feed(x, &syn, T0 + 2 * SEC, &dir), 1);
	assert_int_equal(dir, TCP_DIR_C2S);
	assert_int_equal(x->nended, 1);
	assert_int_equal(x->e[0].id, 0);
	assert_int_equal(x->e[0].why, TCP_FINISH_REUSED);
	assert_int_equal(x->e[0].now, T0 + 2 * SEC);
	assert_int_equal(stats(x).reused, 1);
	assert_int_equal(stats(x).conns, 2);
	assert_int_equal(flow_count(x->ft), 1);
	/* the server's answer goes to the new one */
	p = seg(v4(1), 143, v4(2), 40000, F_SA, 600000);
	assert_int_equal(feed(x, &p, T0 + 2 * SEC + MS, &dir), 1);
	assert_int_equal(dir, TCP_DIR_S2C);
	/* and its own retransmitted SYN does not end it */
	assert_int_equal(feed(x, &syn, T0 + 3 * SEC, NULL), 1);
	assert_int_equal(x->nended, 1);
	fx_free(x);
}

static void
test_eviction_of_idlest(void **state)
{
	struct fx *x = fx_new(3, 300 * SEC);
	struct pkt a = seg(v4(2), 40000, v4(1), 143, F_S, 1);
	struct pkt b = seg(v4(3), 40001, v4(1), 143, F_S, 1);
	struct pkt c = seg(v4(4), 40002, v4(1), 993, F_S, 1);
	struct pkt d = seg(v4(5), 40003, v4(1), 993, F_S, 1);
	struct pkt e = seg(v4(6), 40004, v4(1), 993, F_S, 1);
	struct pkt ack = seg(v4(2), 40000, v4(1), 143, F_A, 2);

	(void)state;
	assert_int_equal(feed(x, &a, T0 + 1 * SEC, NULL), 0);
	assert_int_equal(feed(x, &b, T0 + 2 * SEC, NULL), 1);
	assert_int_equal(feed(x, &c, T0 + 3 * SEC, NULL), 2);
	/* A speaks again: B is now the idlest */
	assert_int_equal(feed(x, &ack, T0 + 4 * SEC, NULL), 0);
	assert_int_equal(x->nended, 0);

	assert_int_equal(feed(x, &d, T0 + 5 * SEC, NULL), 3);
	assert_int_equal(x->nended, 1);
	assert_int_equal(x->e[0].id, 1);
	assert_int_equal(x->e[0].cport, 40001);
	assert_int_equal(x->e[0].why, TCP_FINISH_EVICTED);
	assert_int_equal(x->e[0].now, T0 + 5 * SEC);
	assert_int_equal(stats(x).evicted, 1);
	assert_int_equal(flow_count(x->ft), 3);

	assert_int_equal(feed(x, &e, T0 + 6 * SEC, NULL), 4);
	assert_int_equal(x->nended, 2);
	assert_int_equal(x->e[1].id, 2);
	assert_int_equal(x->e[1].why, TCP_FINISH_EVICTED);
	assert_int_equal(stats(x).evicted, 2);
	assert_int_equal(stats(x).peak, 3);
	assert_int_equal(stats(x).conns, 5);
	/* A survived both */
	assert_int_equal(feed(x, &ack, T0 + 7 * SEC, NULL), 0);
	assert_int_equal(x->nended, 2);
	fx_free(x);
}

static void
test_eviction_prefers_idlest_closed(void **state)
{
	struct fx *x = fx_new(2, 300 * SEC);
	struct pkt a = seg(v4(2), 40000, v4(1), 143, F_S, 1);
	struct pkt b = seg(v4(3), 40001, v4(1), 143, F_S, 1);
	struct pkt rst = seg(v4(1), 143, v4(3), 40001, F_RA, 0);
	struct pkt ack = seg(v4(2), 40000, v4(1), 143, F_A, 2);
	struct pkt c = seg(v4(4), 40002, v4(1), 993, F_S, 1);

	(void)state;
	assert_int_equal(feed(x, &a, T0 + 1 * SEC, NULL), 0);
	assert_int_equal(feed(x, &b, T0 + 2 * SEC, NULL), 1);
	/* B ends on the wire and lingers; A stays active after it */
	assert_int_equal(feed(x, &rst, T0 + 2 * SEC + MS, NULL), 1);
	assert_int_equal(feed(x, &ack, T0 + 3 * SEC, NULL), 0);
	assert_int_equal(x->nended, 0);

	/* The idlest is B, and it is over anyway: it makes room, and A,
	 * still open, is not cut short. */
	assert_int_equal(feed(x, &c, T0 + 4 * SEC, NULL), 2);
	assert_int_equal(x->nended, 1);
	assert_int_equal(x->e[0].id, 1);
	assert_int_equal(x->e[0].why, TCP_FINISH_CLOSED);
	fx_free(x);
}

static void
test_idle_expiry(void **state)
{
	struct fx *x = fx_new(0, 10 * SEC);
	struct pkt a = seg(v4(2), 40000, v4(1), 143, F_S, 1);
	struct pkt b = seg(v4(3), 40001, v4(1), 143, F_S, 1);
	struct pkt back = seg(v4(3), 40001, v4(1), 143, F_A, 2);

	(void)state;
	assert_int_equal(feed(x, &a, T0, NULL), 0);
	assert_int_equal(feed(x, &b, T0 + 5 * SEC, NULL), 1);
	flow_expire(x->ft, T0 + 10 * SEC - 1);
	assert_int_equal(x->nended, 0);
	flow_expire(x->ft, T0 + 10 * SEC);
	assert_int_equal(x->nended, 1);
	assert_int_equal(x->e[0].id, 0);
	assert_int_equal(x->e[0].why, TCP_FINISH_IDLE);
	assert_int_equal(x->e[0].now, T0 + 10 * SEC);
	assert_int_equal(flow_count(x->ft), 1);

	/* a packet moves B's deadline */
	assert_int_equal(feed(x, &back, T0 + 14 * SEC, NULL), 1);
	flow_expire(x->ft, T0 + 15 * SEC);
	flow_expire(x->ft, T0 + 24 * SEC - 1);
	assert_int_equal(x->nended, 1);
	flow_expire(x->ft, T0 + 24 * SEC);
	assert_int_equal(x->nended, 2);
	assert_int_equal(x->e[1].id, 1);
	assert_int_equal(x->e[1].why, TCP_FINISH_IDLE);
	assert_int_equal(flow_count(x->ft), 0);
	fx_free(x);
}

static void
test_linger_after_close(void **state)
{
	/* an idle timeout shorter than the linger: a closed connection
	 * waits for the linger, not for the idle timeout */
	struct fx *x = fx_new(0, 2 * SEC);
	struct pkt syn = seg(v4(2), 40000, v4(1), 993, F_S, 1000);
	struct pkt sa = seg(v4(1), 993, v4(2), 40000, F_SA, 5000);
	struct pkt rst = seg(v4(1), 993, v4(2), 40000, F_RA, 5001);
	struct pkt late = seg(v4(2), 40000, v4(1), 993, F_A, 1001);
	struct conn *c;
	enum tcp_dir dir;
	ta_time t_rst = T0 + 1 * SEC;

	(void)state;
	feed(x, &syn, T0, NULL);
	feed(x, &sa, T0 + 100 * MS, NULL);
	feed(x, &rst, t_rst, NULL);
	c = find(x, &rst, &dir);
	assert_non_null(c);
	assert_true(c->closing);
	assert_int_equal(c->closed_ts, t_rst);
	flow_expire(x->ft, t_rst + 3 * SEC);
	flow_expire(x->ft, t_rst + FLOW_LINGER_NS - 1);
	assert_int_equal(x->nended, 0);
	flow_expire(x->ft, t_rst + FLOW_LINGER_NS);
	assert_int_equal(x->nended, 1);
	assert_int_equal(x->e[0].why, TCP_FINISH_CLOSED);
	assert_int_equal(x->e[0].now, t_rst + FLOW_LINGER_NS);

	/* a late packet keeps it a little longer: the linger runs from the
	 * last packet */
	syn.sport = 40100;
	sa.dport = 40100;
	rst.dport = 40100;
	late.sport = 40100;
	feed(x, &syn, T0 + 20 * SEC, NULL);
	feed(x, &sa, T0 + 20 * SEC + MS, NULL);
	feed(x, &rst, T0 + 21 * SEC, NULL);
	feed(x, &late, T0 + 24 * SEC, NULL);
	flow_expire(x->ft, T0 + 21 * SEC + FLOW_LINGER_NS);
	assert_int_equal(x->nended, 1);
	flow_expire(x->ft, T0 + 24 * SEC + FLOW_LINGER_NS);
	assert_int_equal(x->nended, 2);
	assert_int_equal(x->e[1].cport, 40100);
	assert_int_equal(x->e[1].why, TCP_FINISH_CLOSED);
	fx_free(x);
}

static void
test_linger_after_fins(void **state)
{
	struct fx *x = fx_new(0, 60 * SEC);
	struct pkt syn = seg(v4(2), 40000, v4(1), 143, F_S, 1000);
	struct pkt sa = seg(v4(1), 143, v4(2), 40000, F_SA, 5000);
	struct pkt cfin = seg(v4(2), 40000, v4(1), 143, F_FA, 1001);
	struct pkt sfin = seg(v4(1), 143, v4(2), 40000, F_FA, 5001);
	struct conn *c;
	enum tcp_dir dir;

	(void)state;
	feed(x, &syn, T0, NULL);
	feed(x, &sa, T0 + MS, NULL);
	feed(x, &cfin, T0 + 2 * SEC, NULL);
	/* one FIN is a half close: still active */
	c = find(x, &cfin, &dir);
	assert_false(c->closing);
	flow_expire(x->ft, T0 + 2 * SEC + FLOW_LINGER_NS);
	assert_int_equal(x->nended, 0);
	feed(x, &sfin, T0 + 8 * SEC, NULL);
	assert_true(c->closing);
	flow_expire(x->ft, T0 + 8 * SEC + FLOW_LINGER_NS - 1);
	assert_int_equal(x->nended, 0);
	flow_expire(x->ft, T0 + 8 * SEC + FLOW_LINGER_NS);
	assert_int_equal(x->nended, 1);
	assert_int_equal(x->e[0].why, TCP_FINISH_CLOSED);
	fx_free(x);
}

static void
test_flush_in_creation_order(void **state)
{
	struct fx *x = fx_new(0, 300 * SEC);
	struct pkt a = seg(v4(2), 40000, v4(1), 143, F_S, 1);
	struct pkt b = seg(v4(3), 40001, v4(1), 143, F_S, 1);
	struct pkt c = seg(v4(4), 40002, v4(1), 993, F_S, 1);
	struct pkt a2 = seg(v4(2), 40000, v4(1), 143, F_A, 2);
	struct pkt crst = seg(v4(1), 993, v4(4), 40002, F_RA, 0);
	ta_time end = T0 + 9 * SEC;

	(void)state;
	feed(x, &a, T0 + 1 * SEC, NULL);
	feed(x, &b, T0 + 2 * SEC, NULL);
	feed(x, &c, T0 + 3 * SEC, NULL);
	/* activity order (B, A) and a closed one (C) differ from creation */
	feed(x, &a2, T0 + 4 * SEC, NULL);
	feed(x, &crst, T0 + 5 * SEC, NULL);
	assert_int_equal(x->nended, 0);
	flow_flush(x->ft, TCP_FINISH_CAPTURE_END, end);
	assert_int_equal(x->nended, 3);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(x->e[i].id, i);
		assert_int_equal(x->e[i].now, end);
	}
	assert_int_equal(x->e[0].why, TCP_FINISH_CAPTURE_END);
	assert_int_equal(x->e[1].why, TCP_FINISH_CAPTURE_END);
	assert_int_equal(x->e[2].why, TCP_FINISH_CLOSED);
	assert_int_equal(flow_count(x->ft), 0);
	/* nothing left to end */
	flow_flush(x->ft, TCP_FINISH_CAPTURE_END, end);
	assert_int_equal(x->nended, 3);
	fx_free(x);
}

/* A connection kept from the end callback outlives its end untouched,
 * however many come after, until flow_release. */
static void
test_keep_until_release(void **state)
{
	struct fx *x = fx_new(0, 300 * SEC);
	struct pkt a = seg(v4(2), 40000, v4(1), 993, F_S, 1);
	struct pkt b = seg(v4(3), 40001, v4(1), 993, F_S, 1);
	struct pkt more;

	(void)state;
	x->keep_cport = 40000;
	feed(x, &a, T0 + 1 * SEC, NULL);
	feed(x, &b, T0 + 2 * SEC, NULL);
	flow_flush(x->ft, TCP_FINISH_CAPTURE_END, T0 + 3 * SEC);
	assert_int_equal(x->nended, 2);
	assert_int_equal(flow_count(x->ft), 0);
	assert_non_null(x->kept);
	/* Its slot is not given out again: many new connections later it
	 * is still itself, and no packet of it finds it. */
	for (uint16_t i = 0; i < 20; i++) {
		more = seg(v4((uint8_t)(10 + i)), (uint16_t)(41000 + i), v4(1),
		           993, F_S, 1);
		assert_int_not_equal(feed(x, &more, T0 + 4 * SEC, NULL),
		                     UINT64_MAX);
	}
	assert_int_equal(x->kept->cport, 40000);
	assert_int_equal(x->kept->id, 0);
	assert_false(x->kept->in_table);
	/* The callback is told of the others, and keeps nothing more. */
	x->keep_cport = 0;
	flow_flush(x->ft, TCP_FINISH_CAPTURE_END, T0 + 5 * SEC);
	assert_int_equal(x->nended, 22);
	flow_release(x->ft, x->kept);
	fx_free(x);
}

static void
test_ipv6(void **state)
{
	struct fx *x = fx_new(0, 300 * SEC);
	struct pkt syn = seg(v6(2), 50000, v6(1), 993, F_S, 1);
	struct pkt sa = seg(v6(1), 993, v6(2), 50000, F_SA, 1);
	struct pkt other = seg(v6(3), 50000, v6(1), 993, F_S, 1);
	struct pkt v4s;
	struct pkt_addr a4, b4, a6, b6;
	struct conn *c;
	enum tcp_dir dir;

	(void)state;
	c = find(x, &syn, &dir);
	assert_non_null(c);
	assert_int_equal(dir, TCP_DIR_C2S);
	assert_int_equal(c->caddr.family, 6);
	assert_memory_equal(c->caddr.a, v6(2).a, 16);
	assert_memory_equal(c->saddr.a, v6(1).a, 16);
	assert_ptr_equal(find(x, &sa, &dir), c);
	assert_int_equal(dir, TCP_DIR_S2C);
	/* hosts differing in the last byte only are different clients */
	assert_ptr_not_equal(find(x, &other, &dir), c);
	assert_int_equal(flow_count(x->ft), 2);

	/* IPv4 addresses whose bytes equal those of IPv6 ones (the rest
	 * of which is zero) are other hosts */
	memset(&a4, 0, sizeof a4);
	a4.family = 4;
	memcpy(a4.a, v6(0).a, 4);
	b4 = a4;
	b4.a[3] = 0xb9;
	a6 = v6(0);
	a6.family = 6;
	b6 = a6;
	b6.a[3] = 0xb9;
	assert_memory_equal(a4.a, a6.a, 16);
	assert_memory_equal(b4.a, b6.a, 16);
	syn = seg(a6, 50000, b6, 993, F_S, 1);
	c = find(x, &syn, &dir);
	assert_non_null(c);
	v4s = seg(a4, 50000, b4, 993, F_S, 1);
	assert_ptr_not_equal(find(x, &v4s, &dir), c);
	v4s = seg(b4, 993, a4, 50000, F_SA, 1);
	assert_ptr_not_equal(find(x, &v4s, &dir), c);
	assert_int_equal(flow_count(x->ft), 4);
	fx_free(x);
}

static void
test_frame_times(void **state)
{
	struct fx *x = fx_new(0, 300 * SEC);
	struct pkt syn = seg(v4(2), 40000, v4(1), 143, F_S, 1);
	struct conn *c;
	enum tcp_dir dir;
	ta_time ts = 0;

	(void)state;
	c = find(x, &syn, &dir);
	assert_non_null(c);
	assert_false(flow_frame_time(c, TA_FRAME(0, 1), &ts));
	for (uint64_t i = 1; i <= 30; i++)
		flow_note_time(c, TA_FRAME(0, i), T0 + i * MS);
	assert_int_equal(c->times.n, FLOW_FRAME_TIMES);
	assert_true(flow_frame_time(c, TA_FRAME(0, 1), &ts));
	assert_int_equal(ts, T0 + 1 * MS);
	assert_true(flow_frame_time(c, TA_FRAME(0, 17), &ts));
	assert_int_equal(ts, T0 + 17 * MS);
	assert_true(flow_frame_time(c, TA_FRAME(0, FLOW_FRAME_TIMES), &ts));
	assert_int_equal(ts, T0 + FLOW_FRAME_TIMES * MS);
	/* past the bound: no time, and *ts left alone */
	ts = 42;
	assert_false(flow_frame_time(c, TA_FRAME(0, FLOW_FRAME_TIMES + 1), &ts));
	assert_false(flow_frame_time(c, TA_FRAME(0, 30), &ts));
	/* the same number in another file is another frame */
	assert_false(flow_frame_time(c, TA_FRAME(1, 1), &ts));
	assert_int_equal(ts, 42);
	fx_free(x);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_direction_from_syn),
		cmocka_unit_test(test_direction_from_synack),
		cmocka_unit_test(test_direction_midstream),
		cmocka_unit_test(test_other_ports_ignored),
		cmocka_unit_test(test_stray_rst),
		cmocka_unit_test(test_reuse_new_isn),
		cmocka_unit_test(test_eviction_of_idlest),
		cmocka_unit_test(test_eviction_prefers_idlest_closed),
		cmocka_unit_test(test_idle_expiry),
		cmocka_unit_test(test_linger_after_close),
		cmocka_unit_test(test_linger_after_fins),
		cmocka_unit_test(test_flush_in_creation_order),
		cmocka_unit_test(test_keep_until_release),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_frame_times),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
