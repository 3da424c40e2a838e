/* test_tcp_track.c: how TCP ended a connection, and RST attribution (RFC 9293 3.10.7, RFC 5961 3.2). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "tcp/tcp_track.h"

#define C2S TCP_DIR_C2S
#define S2C TCP_DIR_S2C
#define F_S PKT_TCP_SYN
#define F_A PKT_TCP_ACK
#define F_F PKT_TCP_FIN
#define F_R PKT_TCP_RST
#define F_P PKT_TCP_PSH
#define F_SA (PKT_TCP_SYN | PKT_TCP_ACK)
#define F_PA (PKT_TCP_PSH | PKT_TCP_ACK)
#define F_FA (PKT_TCP_FIN | PKT_TCP_ACK)
#define F_RA (PKT_TCP_RST | PKT_TCP_ACK)

#define US 1000ULL
#define MS TA_NS_PER_MS
#define SEC TA_NS_PER_SEC

/* One endpoint of a simulated connection: what its packets carry. */
struct side {
	uint8_t ttl;
	uint16_t ipid; /* next IP-ID; 0 stays 0 (no counter) */
	bool ts;       /* TCP timestamps on its packets */
	uint32_t seq;  /* next sequence number */
};

struct sim {
	struct tcp_track t;
	struct tcp_outcome o;
	uint8_t ipv;
	unsigned file;
	uint64_t frame; /* number of the last frame fed */
	ta_time now;
	struct side s[2];
};

static void
sim_init(struct sim *m, uint8_t ipv)
{
	memset(m, 0, sizeof *m);
	tcp_track_init(&m->t);
	m->ipv = ipv;
	m->now = 1700000000ULL * SEC;
	m->s[C2S] = (struct side){ .ttl = 64, .ipid = 26378, .ts = true,
	    .seq = 1000 };
	m->s[S2C] = (struct side){ .ttl = 58, .ipid = 57789, .ts = true,
	    .seq = 500000 };
}

/* A packet from d with the side's current state; the caller may change it
 * before feeding it. Non-RST packets advance the side's sequence number. */
static struct pkt
mk(struct sim *m, enum tcp_dir d, uint8_t flags, uint32_t len)
{
	struct side *s = &m->s[d];
	struct pkt p;

	memset(&p, 0, sizeof p);
	p.ip_version = m->ipv;
	p.ttl = s->ttl;
	p.ip_df = true;
	if (m->ipv == 4 && s->ipid != 0) {
		p.ip_id = s->ipid;
		s->ipid++;
		if (s->ipid == 0)
			s->ipid = 1;
	}
	p.seq = s->seq;
	p.ack = (flags & F_A) != 0 ? m->s[d == C2S ? S2C : C2S].seq : 0;
	p.flags = flags;
	p.has_ts = s->ts;
	p.payload_len = len;
	if ((flags & F_R) == 0)
		s->seq += len + (uint32_t)((flags & F_S) != 0) +
		    (uint32_t)((flags & F_F) != 0);
	return p;
}

static uint64_t
feed(struct sim *m, enum tcp_dir d, const struct pkt *p, uint64_t dt_ns)
{
	m->now += dt_ns;
	m->frame++;
	tcp_track_packet(&m->t, d, p, m->now, TA_FRAME(m->file, m->frame));
	return m->frame;
}

static uint64_t
tx(struct sim *m, enum tcp_dir d, uint8_t flags, uint32_t len, uint64_t dt_ns)
{
	struct pkt p = mk(m, d, flags, len);

	return feed(m, d, &p, dt_ns);
}

/* SYN, SYN-ACK after rtt (IP-ID 0 as Linux sends it), ACK. Frames 1..3. */
static void
handshake(struct sim *m, uint64_t rtt_ns, uint64_t client_rtt_ns)
{
	struct pkt p;

	tx(m, C2S, F_S, 0, 0);
	p = mk(m, S2C, F_SA, 0);
	p.ip_id = 0;
	feed(m, S2C, &p, rtt_ns);
	tx(m, C2S, F_A, 0, client_rtt_ns);
}

/*
 * The outcome as the report reads it: decided without text, then
 * explained. Every case also proves that the decision made without the
 * lines is the one made with them.
 */
static void
finish(struct sim *m, enum tcp_finish why)
{
	struct tcp_outcome quick, buf;
	const struct tcp_outcome *o;

	tcp_track_finish(&m->t, why, m->now, &quick);
	assert_false(quick.explained);
	assert_int_equal(quick.nevidence, 0);
	assert_ptr_equal(quick.track, &m->t);
	o = tcp_track_explain(&quick, &buf);
	assert_ptr_equal(o, &buf);
	assert_true(o->explained);
	assert_true(o->nevidence > 0);
	assert_int_equal(o->end, quick.end);
	assert_int_equal(o->end_by, quick.end_by);
	assert_int_equal(o->end_frame, quick.end_frame);
	assert_int_equal(o->end_ts, quick.end_ts);
	assert_int_equal(o->frames, quick.frames);
	assert_int_equal(o->handshake_seen, quick.handshake_seen);
	assert_int_equal(o->rtt_known, quick.rtt_known);
	assert_true(o->syn_rtt_ms == quick.syn_rtt_ms);
	assert_int_equal(o->client_rtt_known, quick.client_rtt_known);
	assert_true(o->client_rtt_ms == quick.client_rtt_ms);
	assert_int_equal(o->ts_damaged, quick.ts_damaged);
	assert_int_equal(o->ts_damage_frame, quick.ts_damage_frame);
	assert_int_equal(o->ts_jump_frame, quick.ts_jump_frame);
	assert_int_equal(o->inferred, quick.inferred);
	assert_int_equal(o->middlebox_suspected, quick.middlebox_suspected);
	assert_int_equal(o->rst_signals, quick.rst_signals);
	assert_int_equal(o->missing, quick.missing);
	assert_int_equal(o->midstream, quick.midstream);
	assert_int_equal(o->probe, quick.probe);
	/* Explained once is explained: no second judgement. */
	assert_ptr_equal(tcp_track_explain(o, &m->o), o);
	m->o = *o;
}

static bool
find_ev(const struct tcp_outcome *o, const char *needle)
{
	for (unsigned i = 0; i < o->nevidence; i++)
		if (strstr(o->evidence[i], needle) != NULL)
			return true;
	return false;
}

static void
dump_ev(const struct tcp_outcome *o)
{
	for (unsigned i = 0; i < o->nevidence; i++)
		print_message("  [%u] %s\n", i, o->evidence[i]);
}

/* Some evidence line holds needle (the lines are shown when none does). */
static bool
has_ev(const struct tcp_outcome *o, const char *needle)
{
	if (find_ev(o, needle))
		return true;
	print_message("no evidence line holds \"%s\"; lines:\n", needle);
	dump_ev(o);
	return false;
}

static bool
lacks_ev(const struct tcp_outcome *o, const char *needle)
{
	if (!find_ev(o, needle))
		return true;
	print_message("an evidence line holds \"%s\"; lines:\n", needle);
	dump_ev(o);
	return false;
}

/* Replay of a capture: one row per packet, times relative in microseconds. */
struct row {
	enum tcp_dir d;
	uint32_t t_us;
	uint8_t ttl;
	uint16_t ipid;
	uint8_t flags;
	uint32_t seq, ack, len;
	bool ts;
};

static void
replay(struct sim *m, const struct row *rows, size_t n)
{
	ta_time t0 = m->now;

	for (size_t i = 0; i < n; i++) {
		struct pkt p;

		memset(&p, 0, sizeof p);
		p.ip_version = 4;
		p.ttl = rows[i].ttl;
		p.ip_id = rows[i].ipid;
		p.ip_df = true;
		p.flags = rows[i].flags;
		p.seq = rows[i].seq;
		p.ack = rows[i].ack;
		p.payload_len = rows[i].len;
		p.has_ts = rows[i].ts;
		m->now = t0 + rows[i].t_us * US;
		m->frame = i + 1;
		tcp_track_packet(&m->t, rows[i].d, &p, m->now,
		    TA_FRAME(0, i + 1));
	}
}

/* ---- no answer, refused ---- */

static void
test_no_answer_retransmits(void **state)
{
	struct sim m;

	(void)state;
	sim_init(&m, 4);
	tx(&m, C2S, F_S, 0, 0);
	m.s[C2S].seq--;
	tx(&m, C2S, F_S, 0, 1 * SEC);
	m.s[C2S].seq--;
	tx(&m, C2S, F_S, 0, 2 * SEC);
	assert_false(tcp_track_closed(&m.t));
	finish(&m, TCP_FINISH_IDLE);
	assert_int_equal(m.o.end, TCP_END_NO_ANSWER);
	assert_int_equal(m.o.end_by, TCP_SIDE_NONE);
	assert_int_equal(m.o.frames, 3);
	assert_false(m.o.rtt_known);
	assert_int_equal(TA_FRAME_NO(m.o.end_frame), 3);
	assert_true(has_ev(&m.o,
	    "frames 1..3: 3 SYNs from the client over 3.0 s, none answered"));
	assert_string_equal(tcp_end_str(m.o.end), "no-answer");
	assert_null(tcp_side_str(m.o.end_by));

	sim_init(&m, 4);
	tx(&m, C2S, F_S, 0, 0);
	finish(&m, TCP_FINISH_CAPTURE_END);
	assert_int_equal(m.o.end, TCP_END_NO_ANSWER);
	assert_true(has_ev(&m.o, "frame 1: 1 SYN from the client, not answered"));
}

static void
test_refused(void **state)
{
	/* Captured: SYN to a closed port of a Linux host, one hop away. */
	static const struct row rows[] = {
		{ C2S, 0, 64, 0xd5d2, F_S, 2778069113u, 0, 0, true },
		{ S2C, 153, 63, 0, F_RA, 0, 2778069114u, 0, false },
	};
	struct sim m;
	struct pkt p;

	(void)state;
	sim_init(&m, 4);
	replay(&m, rows, TA_ELEMENTS(rows));
	assert_true(tcp_track_closed(&m.t));
	finish(&m, TCP_FINISH_CLOSED);
	assert_int_equal(m.o.end, TCP_END_REFUSED);
	assert_int_equal(m.o.end_by, TCP_SIDE_SERVER);
	assert_false(m.o.inferred);
	assert_false(m.o.middlebox_suspected);
	assert_int_equal(m.o.rst_signals, 0);
	assert_int_equal(TA_FRAME_NO(m.o.end_frame), 2);
	assert_true(has_ev(&m.o, "frame 2: RST+ACK from the server's address "
	    "0.153 ms after the client's SYN (frame 1), no SYN-ACK"));
	assert_true(lacks_ev(&m.o, "does not ack"));

	/* After SYN retransmissions, with an ack that is not ISN+1. */
	sim_init(&m, 4);
	tx(&m, C2S, F_S, 0, 0);
	m.s[C2S].seq--;
	tx(&m, C2S, F_S, 0, 1 * SEC);
	p = mk(&m, S2C, F_RA, 0);
	p.seq = 0;
	p.ack = 77;
	feed(&m, S2C, &p, 30 * MS);
	finish(&m, TCP_FINISH_CLOSED);
	assert_int_equal(m.o.end, TCP_END_REFUSED);
	assert_int_equal(m.o.end_by, TCP_SIDE_SERVER);
	assert_int_equal(TA_FRAME_NO(m.o.end_frame), 3);
	assert_true(has_ev(&m.o, "frame 3: RST+ACK from the server's address "
	    "30 ms after the client's SYN (frame 2)"));
	assert_true(has_ev(&m.o, "does not ack the client's ISN+1"));
	assert_string_equal(tcp_end_str(m.o.end), "refused");
}

/* ---- FIN ---- */

static void
test_fin_by_client(void **state)
{
	struct sim m;
	uint64_t f1, f2;

	(void)state;
	sim_init(&m, 4);
	handshake(&m, 40 * MS, 1 * MS);
	tx(&m, C2S, F_PA, 517, 1 * MS);
	tx(&m, S2C, F_PA, 1400, 41 * MS);
	f1 = tx(&m, C2S, F_FA, 0, 5 * MS);
	assert_false(tcp_track_closed(&m.t));
	f2 = tx(&m, S2C, F_FA, 0, 40 * MS);
	assert_true(tcp_track_closed(&m.t));
	tx(&m, C2S, F_A, 0, 40 * MS);
	finish(&m, TCP_FINISH_CLOSED);
	assert_int_equal(f1, 6);
	assert_int_equal(f2, 7);
	assert_int_equal(m.o.end, TCP_END_FIN);
	assert_int_equal(m.o.end_by, TCP_SIDE_CLIENT);
	assert_int_equal(TA_FRAME_NO(m.o.end_frame), 6);
	assert_int_equal(m.o.frames, 8);
	assert_false(m.o.inferred);
	assert_false(m.o.middlebox_suspected);
	assert_true(has_ev(&m.o, "frame 6: FIN from the client, first to close"));
	assert_true(has_ev(&m.o, "frame 7: the server's FIN followed"));
	assert_string_equal(tcp_end_str(m.o.end), "fin");
	assert_string_equal(tcp_side_str(m.o.end_by), "client");
}

static void
test_fin_by_server(void **state)
{
	struct sim m;

	(void)state;
	sim_init(&m, 4);
	handshake(&m, 40 * MS, 1 * MS);
	tx(&m, C2S, F_PA, 517, 1 * MS);
	tx(&m, S2C, F_FA, 0, 41 * MS); /* frame 5: the server hangs up */
	tx(&m, C2S, F_FA, 0, 1 * MS);
	finish(&m, TCP_FINISH_CLOSED);
	assert_int_equal(m.o.end, TCP_END_FIN);
	assert_int_equal(m.o.end_by, TCP_SIDE_SERVER);
	assert_int_equal(TA_FRAME_NO(m.o.end_frame), 5);
	assert_true(has_ev(&m.o, "frame 5: FIN from the server"));
	assert_true(has_ev(&m.o, "frame 6: the client's FIN followed"));
	assert_string_equal(tcp_side_str(m.o.end_by), "server");
}

static void
test_simultaneous_fins(void **state)
{
	struct sim m;

	(void)state;
	sim_init(&m, 4);
	handshake(&m, 40 * MS, 1 * MS);
	tx(&m, S2C, F_FA, 0, 100 * MS);  /* frame 4 */
	tx(&m, C2S, F_FA, 0, 10 * US);   /* frame 5: crossed on the wire */
	assert_true(tcp_track_closed(&m.t));
	finish(&m, TCP_FINISH_CLOSED);
	assert_int_equal(m.o.end, TCP_END_FIN);
	assert_int_equal(m.o.end_by, TCP_SIDE_SERVER);
	assert_int_equal(TA_FRAME_NO(m.o.end_frame), 4);
	assert_true(has_ev(&m.o, "frame 5: the client's FIN followed"));
}

static void
test_rst_after_fin(void **state)
{
	struct sim m;
	struct pkt p;

	(void)state;
	sim_init(&m, 4);
	handshake(&m, 40 * MS, 1 * MS);
	tx(&m, C2S, F_PA, 517, 1 * MS);
	tx(&m, C2S, F_FA, 0, 1 * MS);       /* frame 5 */
	p = mk(&m, S2C, F_RA, 0);           /* frame 6: genuine answer */
	feed(&m, S2C, &p, 41 * MS);
	finish(&m, TCP_FINISH_CLOSED);
	assert_int_equal(m.o.end, TCP_END_FIN);
	assert_int_equal(m.o.end_by, TCP_SIDE_CLIENT);
	assert_int_equal(TA_FRAME_NO(m.o.end_frame), 5);
	assert_false(m.o.middlebox_suspected);
	assert_int_equal(m.o.rst_signals, 0);
	assert_true(has_ev(&m.o, "frame 6: RST+ACK from the server's address "
	    "after the client's FIN (frame 5)"));

	/* The same with a forged RST: still fin, but it is told. */
	sim_init(&m, 4);
	handshake(&m, 40 * MS, 1 * MS);
	tx(&m, C2S, F_FA, 0, 1 * MS);       /* frame 4 */
	p = mk(&m, S2C, F_R, 0);
	p.ttl = 250;
	p.has_ts = false;
	feed(&m, S2C, &p, 100 * US);        /* frame 5 */
	finish(&m, TCP_FINISH_CLOSED);
	assert_int_equal(m.o.end, TCP_END_FIN);
	assert_int_equal(m.o.end_by, TCP_SIDE_CLIENT);
	assert_false(m.o.inferred);
	assert_true(m.o.middlebox_suspected);
	assert_true(m.o.rst_signals >= 2);
	assert_true(has_ev(&m.o, "frame 5: RST TTL 250"));
	assert_true(has_ev(&m.o, "likely sent by a middlebox"));
}

/*
 * A server that closed first and then answers the client's late data with a
 * bare RST (no timestamps: its application has closed the socket), as
 * Dovecot on Linux does: no signal, since the RST follows its own FIN.
 */
static void
test_stateless_rst_after_own_fin(void **state)
{
	struct sim m;
	struct pkt p;

	(void)state;
	sim_init(&m, 4);
	handshake(&m, 40 * MS, 1 * MS);
	tx(&m, S2C, F_FA, 0, 1 * MS);       /* frame 4: server closes */
	tx(&m, C2S, F_PA, 30, 1 * MS);      /* frame 5: client still sends */
	p = mk(&m, S2C, F_R, 0);            /* frame 6: bare RST */
	p.has_ts = false;
	feed(&m, S2C, &p, 41 * MS);
	finish(&m, TCP_FINISH_CLOSED);
	assert_int_equal(m.o.end, TCP_END_FIN);
	assert_int_equal(m.o.end_by, TCP_SIDE_SERVER);
	assert_false(m.o.middlebox_suspected);
	assert_int_equal(m.o.rst_signals, 0);
	assert_true(lacks_ev(&m.o, "without TCP timestamps"));
}

/* ---- RST by an endpoint, genuine ---- */

static void
test_rst_by_server_genuine(void **state)
{
	/* Captured at the client, one router away from a Linux server that
	 * closed with SO_LINGER 0 after reading the client's data. */
	static const struct row rows[] = {
		{ C2S, 0, 64, 0x670a, F_S, 4252483803u, 0, 0, true },
		{ S2C, 37, 63, 0, F_SA, 613384461u, 4252483804u, 0, true },
		{ C2S, 50, 64, 0x670b, F_A, 4252483804u, 613384462u, 0, true },
		{ C2S, 50463, 64, 0x670c, F_PA, 4252483804u, 613384462u, 517, true },
		{ S2C, 50587, 63, 0xe1bd, F_A, 613384462u, 4252484321u, 0, true },
		{ S2C, 50893, 63, 0xe1be, F_PA, 613384462u, 4252484321u, 100, true },
		{ C2S, 50896, 64, 0x670d, F_A, 4252484321u, 613384562u, 0, true },
		{ C2S, 50953, 64, 0x670e, F_PA, 4252484321u, 613384562u, 30, true },
		{ S2C, 91492, 63, 0xe1bf, F_A, 613384562u, 4252484351u, 0, true },
		{ S2C, 253222, 63, 0xe1c0, F_RA, 613384562u, 4252484351u, 0, true },
	};
	struct sim m;

	(void)state;
	sim_init(&m, 4);
	replay(&m, rows, TA_ELEMENTS(rows));
	assert_true(tcp_track_closed(&m.t));
	finish(&m, TCP_FINISH_CLOSED);
	assert_int_equal(m.o.end, TCP_END_RST);
	assert_int_equal(m.o.end_by, TCP_SIDE_SERVER);
	assert_false(m.o.inferred);
	assert_false(m.o.middlebox_suspected);
	assert_int_equal(m.o.rst_signals, 0);
	assert_int_equal(TA_FRAME_NO(m.o.end_frame), 10);
	assert_int_equal(m.o.frames, 10);
	assert_true(m.o.rtt_known);
	assert_true(m.o.handshake_seen);
	assert_true(has_ev(&m.o, "frame 10: RST+ACK from the server's address "
	    "202 ms after the client's 30-byte segment (frame 8)"));
	assert_int_equal(m.o.nevidence, 1);
	assert_string_equal(tcp_end_str(m.o.end), "rst");
}

static void
test_rst_by_client(void **state)
{
	struct sim m;
	struct pkt p;

	(void)state;
	sim_init(&m, 4);
	handshake(&m, 40 * MS, 300 * US);
	tx(&m, C2S, F_PA, 517, 1 * MS);
	tx(&m, S2C, F_PA, 3000, 41 * MS);   /* frame 5 */
	p = mk(&m, C2S, F_RA, 0);           /* frame 6: the client aborts */
	feed(&m, C2S, &p, 20 * MS);
	finish(&m, TCP_FINISH_CLOSED);
	assert_int_equal(m.o.end, TCP_END_RST);
	assert_int_equal(m.o.end_by, TCP_SIDE_CLIENT);
	assert_false(m.o.inferred);
	assert_false(m.o.middlebox_suspected);
	assert_int_equal(m.o.rst_signals, 0);
	assert_int_equal(TA_FRAME_NO(m.o.end_frame), 6);
	assert_true(has_ev(&m.o, "frame 6: RST+ACK from the client's address "
	    "20 ms after the server's 3000-byte segment (frame 5)"));
}

/* ---- RST forged by a middlebox ---- */

static void
test_middlebox_rst_ttl_stateless(void **state)
{
	/* Captured at the client; the router between client and server
	 * answered the client's 517-byte segment with
	 * "REJECT --reject-with tcp-reset". The server's own RST follows
	 * 3 s later, when its socket gave up. */
	static const struct row rows[] = {
		{ C2S, 0, 64, 0xa3df, F_S, 1494135670u, 0, 0, true },
		{ S2C, 76, 63, 0, F_SA, 1860870587u, 1494135671u, 0, true },
		{ C2S, 89, 64, 0xa3e0, F_A, 1494135671u, 1860870588u, 0, true },
		{ C2S, 50328, 64, 0xa3e1, F_PA, 1494135671u, 1860870588u, 517, true },
		{ S2C, 50379, 64, 0, F_R, 1860870588u, 0, 0, false },
		{ S2C, 3009200, 63, 0x5f16, F_RA, 1860870588u, 1494135671u, 0, true },
	};
	struct sim m;

	(void)state;
	sim_init(&m, 4);
	replay(&m, rows, TA_ELEMENTS(rows));
	finish(&m, TCP_FINISH_CLOSED);
	assert_int_equal(m.o.end, TCP_END_RST);
	assert_int_equal(m.o.end_by, TCP_SIDE_MIDDLEBOX);
	assert_true(m.o.inferred);
	assert_int_equal(m.o.rst_signals, 2);
	assert_int_equal(TA_FRAME_NO(m.o.end_frame), 5);
	assert_true(has_ev(&m.o, "frame 5: RST from the server's address "
	    "0.051 ms after the client's 517-byte segment (frame 4)"));
	assert_true(has_ev(&m.o,
	    "frame 5: RST TTL 64, the server's other packet TTL 63"));
	assert_true(has_ev(&m.o, "frame 5: RST without TCP timestamps"));
	assert_true(has_ev(&m.o, "inferred: a middlebox sent the RST, not the "
	    "server (2 independent signals)"));
	/* Its exact seq and its IP-ID 0 are no signal. */
	assert_true(lacks_ev(&m.o, "next sequence number"));
	assert_true(lacks_ev(&m.o, "IP-ID"));
	assert_string_equal(tcp_side_str(m.o.end_by), "middlebox");
}

static void
test_middlebox_rst_toward_server(void **state)
{
	/* Captured at the server: a RST "from the client" that the client,
	 * 9 hops away, never sent. */
	struct sim m;
	struct pkt p;

	(void)state;
	sim_init(&m, 4);
	m.s[C2S].ttl = 55;
	m.s[S2C].ttl = 64;
	handshake(&m, 50 * US, 30 * MS);
	tx(&m, C2S, F_PA, 517, 1 * MS);
	tx(&m, S2C, F_PA, 2000, 2 * MS);    /* frame 5 */
	p = mk(&m, C2S, F_R, 0);            /* frame 6 */
	p.ttl = 61;
	p.ip_id = 0;
	p.has_ts = false;
	feed(&m, C2S, &p, 1 * MS);
	finish(&m, TCP_FINISH_CLOSED);
	assert_int_equal(m.o.end, TCP_END_RST);
	assert_int_equal(m.o.end_by, TCP_SIDE_MIDDLEBOX);
	assert_true(m.o.inferred);
	/* TTL, stateless, and faster than the client's 30 ms round trip. */
	assert_int_equal(m.o.rst_signals, 3);
	assert_true(m.o.client_rtt_known);
	assert_true(has_ev(&m.o, "frame 6: RST TTL 61, the client's 3 other "
	    "packets TTL 55"));
	assert_true(has_ev(&m.o, "frame 6: RST 1.0 ms after the server's "
	    "2000-byte segment (frame 5), under half the client's handshake "
	    "round trip (30 ms)"));
	assert_true(has_ev(&m.o, "3 independent signals"));
}

/* ---- one weak signal: suspected only ---- */

static void
test_single_signal_stateless(void **state)
{
	/* Captured at the client: the server lost the connection state
	 * (its socket vanished without a word) and answered the client's
	 * next segment from the stack: no timestamps, IP-ID 0, the server's
	 * own TTL, the exact sequence number. */
	static const struct row rows[] = {
		{ C2S, 0, 64, 0x0fdd, F_S, 1000206200u, 0, 0, true },
		{ S2C, 44, 63, 0, F_SA, 1666727614u, 1000206201u, 0, true },
		{ C2S, 56, 64, 0x0fde, F_A, 1000206201u, 1666727615u, 0, true },
		{ C2S, 1002694, 64, 0x0fdf, F_PA, 1000206201u, 1666727615u, 517, true },
		{ S2C, 1002866, 63, 0, F_R, 1666727615u, 0, 0, false },
	};
	struct sim m;

	(void)state;
	sim_init(&m, 4);
	replay(&m, rows, TA_ELEMENTS(rows));
	finish(&m, TCP_FINISH_CLOSED);
	assert_int_equal(m.o.end, TCP_END_RST);
	assert_int_equal(m.o.end_by, TCP_SIDE_SERVER);
	assert_false(m.o.inferred);
	assert_true(m.o.middlebox_suspected);
	assert_int_equal(m.o.rst_signals, 1);
	assert_true(has_ev(&m.o, "frame 5: RST without TCP timestamps, though "
	    "the server's other packet carried them"));
	assert_true(has_ev(&m.o, "one signal only"));
}

static void
test_no_timestamps_negotiated(void **state)
{
	/* Neither side uses timestamps (a Windows client, say): a RST
	 * without them is what everyone sends. */
	struct sim m;
	struct pkt p;

	(void)state;
	sim_init(&m, 4);
	m.s[C2S].ts = false;
	m.s[S2C].ts = false;
	handshake(&m, 40 * MS, 1 * MS);
	tx(&m, C2S, F_PA, 517, 1 * MS);
	tx(&m, S2C, F_A, 0, 41 * MS);
	p = mk(&m, S2C, F_RA, 0);
	feed(&m, S2C, &p, 1 * SEC);
	finish(&m, TCP_FINISH_CLOSED);
	assert_int_equal(m.o.end_by, TCP_SIDE_SERVER);
	assert_int_equal(m.o.rst_signals, 0);
	assert_false(m.o.middlebox_suspected);

	/* Timestamps on some of the server's packets only: no baseline. */
	sim_init(&m, 4);
	handshake(&m, 40 * MS, 1 * MS);
	p = mk(&m, S2C, F_A, 0);
	p.has_ts = false;
	feed(&m, S2C, &p, 1 * MS);
	p = mk(&m, S2C, F_RA, 0);
	p.has_ts = false;
	feed(&m, S2C, &p, 1 * SEC);
	finish(&m, TCP_FINISH_CLOSED);
	assert_int_equal(m.o.rst_signals, 0);
}

static void
test_single_signal_ttl(void **state)
{
	struct sim m;
	struct pkt p;

	(void)state;
	sim_init(&m, 4);
	handshake(&m, 40 * MS, 1 * MS);
	tx(&m, C2S, F_PA, 517, 1 * MS);
	tx(&m, S2C, F_A, 0, 41 * MS);
	p = mk(&m, S2C, F_RA, 0);           /* frame 6 */
	p.ttl = 57;                         /* one hop more than usual */
	feed(&m, S2C, &p, 1 * SEC);
	finish(&m, TCP_FINISH_CLOSED);
	assert_int_equal(m.o.end, TCP_END_RST);
	assert_int_equal(m.o.end_by, TCP_SIDE_SERVER);
	assert_false(m.o.inferred);
	assert_true(m.o.middlebox_suspected);
	assert_int_equal(m.o.rst_signals, 1);
	assert_true(has_ev(&m.o,
	    "frame 6: RST TTL 57, the server's 2 other packets TTL 58"));
}

static void
test_ipid_signal(void **state)
{
	struct sim m;
	struct pkt p;

	(void)state;
	sim_init(&m, 4);
	handshake(&m, 40 * MS, 1 * MS);
	tx(&m, C2S, F_PA, 517, 1 * MS);
	tx(&m, S2C, F_A, 0, 41 * MS);       /* 57790 */
	tx(&m, S2C, F_PA, 100, 1 * MS);     /* 57791 */
	p = mk(&m, S2C, F_RA, 0);           /* frame 7 */
	p.ip_id = 40000;
	feed(&m, S2C, &p, 1 * SEC);
	finish(&m, TCP_FINISH_CLOSED);
	assert_int_equal(m.o.end_by, TCP_SIDE_SERVER);
	assert_true(m.o.middlebox_suspected);
	assert_int_equal(m.o.rst_signals, 1);
	assert_true(has_ev(&m.o, "frame 7: RST IP-ID 40000 does not continue "
	    "the server's IP-ID counter (last 57791)"));

	/* IP-ID 0 with DF is what Linux's stateless replies carry. */
	sim_init(&m, 4);
	handshake(&m, 40 * MS, 1 * MS);
	tx(&m, S2C, F_PA, 100, 1 * MS);
	tx(&m, S2C, F_PA, 100, 1 * MS);
	p = mk(&m, S2C, F_RA, 0);
	p.ip_id = 0;
	feed(&m, S2C, &p, 1 * SEC);
	finish(&m, TCP_FINISH_CLOSED);
	assert_int_equal(m.o.rst_signals, 0);
	assert_false(m.o.middlebox_suspected);

	/* Random IP-IDs (OpenBSD, some load balancers) are no counter:
	 * any RST IP-ID is as good as another. */
	sim_init(&m, 4);
	handshake(&m, 40 * MS, 1 * MS);
	p = mk(&m, S2C, F_PA, 100);
	p.ip_id = 31000;
	feed(&m, S2C, &p, 1 * MS);
	p = mk(&m, S2C, F_PA, 100);
	p.ip_id = 2000;
	feed(&m, S2C, &p, 1 * MS);
	p = mk(&m, S2C, F_PA, 100);
	p.ip_id = 2001;
	feed(&m, S2C, &p, 1 * MS);
	p = mk(&m, S2C, F_RA, 0);
	p.ip_id = 50000;
	feed(&m, S2C, &p, 1 * SEC);
	finish(&m, TCP_FINISH_CLOSED);
	assert_false(m.t.rst0_ipid_counter);
	assert_int_equal(m.o.rst_signals, 0);

	/* One nonzero IP-ID is no counter yet. */
	sim_init(&m, 4);
	handshake(&m, 40 * MS, 1 * MS);
	tx(&m, S2C, F_PA, 100, 1 * MS);
	p = mk(&m, S2C, F_RA, 0);
	p.ip_id = 50000;
	feed(&m, S2C, &p, 1 * SEC);
	finish(&m, TCP_FINISH_CLOSED);
	assert_int_equal(m.o.rst_signals, 0);

	/* A continuation across the 16-bit wrap is plausible. */
	sim_init(&m, 4);
	m.s[S2C].ipid = 65534;
	handshake(&m, 40 * MS, 1 * MS);     /* SYN-ACK consumes 65534 */
	tx(&m, S2C, F_PA, 100, 1 * MS);     /* 65535 */
	tx(&m, S2C, F_PA, 100, 1 * MS);     /* 1 */
	p = mk(&m, S2C, F_RA, 0);           /* 2 */
	feed(&m, S2C, &p, 1 * SEC);
	finish(&m, TCP_FINISH_CLOSED);
	assert_int_equal(m.o.rst_signals, 0);
}

static void
test_seq_signal(void **state)
{
	struct sim m;
	struct pkt p;

	(void)state;
	sim_init(&m, 4);
	handshake(&m, 40 * MS, 1 * MS);
	tx(&m, C2S, F_PA, 517, 1 * MS);
	tx(&m, S2C, F_PA, 1000, 41 * MS);
	p = mk(&m, S2C, F_RA, 0);           /* frame 6 */
	p.seq += 5000;
	feed(&m, S2C, &p, 1 * SEC);
	finish(&m, TCP_FINISH_CLOSED);
	assert_int_equal(m.o.end_by, TCP_SIDE_SERVER);
	assert_true(m.o.middlebox_suspected);
	assert_int_equal(m.o.rst_signals, 1);
	assert_true(has_ev(&m.o, "frame 6: RST seq 5000 ahead of the server's "
	    "next sequence number"));
}

/*
 * A socket that is gone answers a segment with that segment's ACK as its
 * sequence number (RFC 9293 3.10.7.1), here 31 bytes behind its own FIN:
 * as PostgreSQL's client did in a public capture (the server's alert
 * acked only up to the client's closing data). No signal.
 */
static void
test_rst_answers_peer_ack(void **state)
{
	struct sim m;
	struct pkt p;
	uint32_t before_fin;

	(void)state;
	sim_init(&m, 4);
	handshake(&m, 100 * MS, 1 * MS);
	tx(&m, C2S, F_PA, 100, 1 * MS);
	tx(&m, S2C, F_PA, 200, 100 * MS);
	before_fin = m.s[C2S].seq;
	tx(&m, C2S, F_FA | F_P, 31, 1 * MS);  /* frame 6: alert + FIN */
	p = mk(&m, S2C, F_PA, 31);           /* frame 7: the server's alert */
	p.ack = before_fin;
	feed(&m, S2C, &p, 100 * MS);
	p = mk(&m, C2S, F_R, 0);             /* frame 8: the answer to it */
	p.seq = before_fin;
	p.ip_id = 0;
	p.has_ts = false;
	feed(&m, C2S, &p, 30 * US);
	finish(&m, TCP_FINISH_CLOSED);
	assert_int_equal(m.o.end, TCP_END_FIN);
	assert_int_equal(m.o.end_by, TCP_SIDE_CLIENT);
	assert_int_equal(m.o.rst_signals, 0);
	assert_false(m.o.middlebox_suspected);
	assert_true(lacks_ev(&m.o, "behind"));

	/* The same RST before the client's FIN, at no ACK of the server's:
	 * still a signal. */
	sim_init(&m, 4);
	handshake(&m, 100 * MS, 1 * MS);
	tx(&m, C2S, F_PA, 100, 1 * MS);
	tx(&m, S2C, F_PA, 200, 100 * MS);
	p = mk(&m, C2S, F_RA, 0);
	p.seq -= 40;
	p.ip_id = 0; /* no IP-ID continuity to outweigh it */
	feed(&m, C2S, &p, 1 * SEC);
	finish(&m, TCP_FINISH_CLOSED);
	assert_int_equal(m.o.rst_signals, 1);
	assert_true(has_ev(&m.o, "RST seq 40 behind the client's next"));
}

/*
 * After its own FIN, a server's RSTs counted IP-IDs of their own (1960,
 * 1961, 1962 after data near 7320) at the server's TTL and exact sequence
 * number: the kernel's stateless reply path, not a device on the path
 * (zeek's dhe.pcap).
 */
static void
test_rst_after_own_fin_other_ipid(void **state)
{
	struct sim m;
	struct pkt p;

	(void)state;
	sim_init(&m, 4);
	m.s[S2C].ttl = 47;
	m.s[S2C].ipid = 7300;
	handshake(&m, 130 * MS, 1 * MS);
	tx(&m, S2C, F_PA, 900, 1 * MS);
	tx(&m, S2C, F_PA, 300, 1 * MS);
	tx(&m, S2C, F_FA | F_P, 53, 1 * MS); /* the server closes */
	tx(&m, C2S, F_A, 0, 1 * MS);
	tx(&m, C2S, F_PA, 53, 1 * MS);
	tx(&m, C2S, F_FA, 0, 1 * MS);
	for (int i = 0; i < 3; i++) {
		p = mk(&m, S2C, F_R, 0);
		p.ip_id = (uint16_t)(1960 + i);
		p.has_ts = false;
		feed(&m, S2C, &p, 130 * MS);
	}
	finish(&m, TCP_FINISH_CLOSED);
	assert_int_equal(m.o.end, TCP_END_FIN);
	assert_int_equal(m.o.end_by, TCP_SIDE_SERVER);
	assert_int_equal(m.o.rst_signals, 0);
	assert_false(m.o.middlebox_suspected);

	/* The same IP-IDs with another TTL: a signal each (TTL, IP-ID). */
	sim_init(&m, 4);
	m.s[S2C].ttl = 47;
	m.s[S2C].ipid = 7300;
	handshake(&m, 130 * MS, 1 * MS);
	tx(&m, S2C, F_PA, 900, 1 * MS);
	tx(&m, S2C, F_FA | F_P, 53, 1 * MS);
	tx(&m, C2S, F_A, 0, 1 * MS);
	p = mk(&m, S2C, F_R, 0);
	p.ip_id = 1960;
	p.ttl = 60;
	feed(&m, S2C, &p, 130 * MS);
	finish(&m, TCP_FINISH_CLOSED);
	assert_int_equal(m.o.rst_signals, 2);
	assert_true(m.o.middlebox_suspected);
}

/*
 * A forged RST+ACK "from the server" 0.23 s after the SYN, then the
 * server's own SYN-ACK, the client's ACK and data, and the server's RST
 * (zeek's rst-inject-rae.pcap, by its frames): the connection outlived
 * the first RST; the server's own RST at frame 7 ended it.
 */
static void
test_outlived_rst(void **state)
{
	static const struct row rows[] = {
		{ C2S, 0, 62, 0x1555, F_S, 1569339004, 0, 0, true },
		{ S2C, 233736, 46, 0x1555, F_RA, 0, 1569339004, 0, false },
		{ S2C, 1266240, 49, 0x7f4c, F_SA, 1616457233, 1569339005, 0,
		  true },
		{ C2S, 1267865, 62, 0x1a9d, F_A, 1569339005, 1616457234, 0,
		  true },
		{ C2S, 1268743, 62, 0x1a9e, F_PA, 1569339005, 1616457234, 25,
		  true },
		{ S2C, 2851917, 49, 0x8013, F_A, 1616457234, 1569339030, 0,
		  true },
		{ S2C, 2853291, 49, 0x8014, F_RA, 1616457234, 1569339030, 0,
		  false },
		{ C2S, 2855544, 62, 0x2035, F_PA, 1569339030, 1616457234, 150,
		  true },
		{ S2C, 4133527, 49, 0x80e0, F_R, 1616457234, 1616457234, 0,
		  false },
	};
	struct sim m;

	(void)state;
	sim_init(&m, 4);
	replay(&m, rows, sizeof rows / sizeof rows[0]);
	finish(&m, TCP_FINISH_CLOSED);
	assert_int_equal(m.o.end, TCP_END_RST);
	assert_int_equal(m.o.end_by, TCP_SIDE_SERVER);
	assert_int_equal(m.o.end_frame, TA_FRAME(0, 7));
	assert_false(m.o.inferred);
	/* the outlived RST is told, and it is suspect */
	assert_true(m.o.middlebox_suspected);
	assert_true(has_ev(&m.o, "frame 2: RST with the server's address, "
	    "outlived (it sent again at frame 3, the client answered at "
	    "frame 4)"));
}

/* ---- more than one RST, data after RST, timing ---- */

static void
test_data_after_rst(void **state)
{
	struct sim m;
	struct pkt p;

	(void)state;
	sim_init(&m, 4);
	handshake(&m, 40 * MS, 1 * MS);
	tx(&m, C2S, F_PA, 517, 1 * MS);
	p = mk(&m, S2C, F_RA, 0);           /* frame 5 */
	feed(&m, S2C, &p, 50 * MS);
	tx(&m, S2C, F_PA, 1400, 1 * MS);    /* frame 6: the server talks on */
	tx(&m, S2C, F_A, 0, 1 * MS);
	finish(&m, TCP_FINISH_CLOSED);
	assert_int_equal(m.o.end, TCP_END_RST);
	assert_int_equal(m.o.end_by, TCP_SIDE_SERVER);
	assert_true(m.o.middlebox_suspected);
	assert_int_equal(m.o.rst_signals, 1);
	assert_int_equal(m.t.ep[S2C].pkts_after_rst, 2);
	assert_int_equal(m.t.ep[S2C].data_after_rst, 1);
	assert_true(has_ev(&m.o, "frame 6: the server's address kept sending "
	    "after its RST (frame 5): 2 packets, 1 with payload"));

	/* A retransmitted FIN after the RST is no sign of life. */
	sim_init(&m, 4);
	handshake(&m, 40 * MS, 1 * MS);
	tx(&m, S2C, F_FA, 0, 1 * MS);       /* frame 4 */
	tx(&m, C2S, F_PA, 20, 1 * MS);
	p = mk(&m, S2C, F_RA, 0);           /* frame 6 */
	feed(&m, S2C, &p, 40 * MS);
	m.s[S2C].seq--;
	tx(&m, S2C, F_FA, 0, 200 * MS);
	finish(&m, TCP_FINISH_CLOSED);
	assert_int_equal(m.o.end, TCP_END_FIN);
	assert_int_equal(m.o.end_by, TCP_SIDE_SERVER);
	assert_int_equal(m.t.ep[S2C].pkts_after_rst, 0);
	assert_int_equal(m.o.rst_signals, 0);
	assert_true(has_ev(&m.o, "frame 6: RST+ACK from the server's address "
	    "after the server's FIN (frame 4)"));
}

static void
test_multiple_rsts_different_seq(void **state)
{
	struct sim m;
	struct pkt p;

	(void)state;
	sim_init(&m, 4);
	handshake(&m, 40 * MS, 1 * MS);
	tx(&m, C2S, F_PA, 517, 1 * MS);
	p = mk(&m, S2C, F_RA, 0);           /* frame 5: exact seq */
	feed(&m, S2C, &p, 50 * MS);
	p = mk(&m, S2C, F_R, 0);            /* frame 6: another, elsewhere */
	p.seq += 1460;
	feed(&m, S2C, &p, 50 * US);
	p = mk(&m, S2C, F_RA, 0);           /* frame 7: same as the first */
	feed(&m, S2C, &p, 50 * US);
	finish(&m, TCP_FINISH_CLOSED);
	assert_int_equal(m.t.nrst, 3);
	assert_int_equal(m.o.end, TCP_END_RST);
	assert_int_equal(TA_FRAME_NO(m.o.end_frame), 5);
	assert_int_equal(m.o.end_by, TCP_SIDE_SERVER);
	assert_true(m.o.middlebox_suspected);
	assert_int_equal(m.o.rst_signals, 1);
	assert_true(has_ev(&m.o, "frame 6: another RST from the server's "
	    "address with a different sequence number than the one at frame 5 "
	    "(3 RSTs from it)"));

	/* Several RSTs with one seq (a closed socket answering each
	 * segment) are no signal. */
	sim_init(&m, 4);
	handshake(&m, 40 * MS, 1 * MS);
	tx(&m, C2S, F_PA, 517, 1 * MS);
	p = mk(&m, S2C, F_RA, 0);
	feed(&m, S2C, &p, 50 * MS);
	tx(&m, C2S, F_PA, 100, 1 * MS);
	p = mk(&m, S2C, F_R, 0);
	feed(&m, S2C, &p, 50 * MS);
	finish(&m, TCP_FINISH_CLOSED);
	assert_int_equal(m.o.rst_signals, 0);
	assert_false(m.o.middlebox_suspected);
}

static void
test_too_fast_rst(void **state)
{
	struct sim m;
	struct pkt p;

	(void)state;
	sim_init(&m, 4);
	handshake(&m, 40 * MS, 200 * US);
	tx(&m, C2S, F_PA, 517, 1 * MS);     /* frame 4 */
	p = mk(&m, S2C, F_RA, 0);           /* frame 5, 0.5 ms later */
	feed(&m, S2C, &p, 500 * US);
	finish(&m, TCP_FINISH_CLOSED);
	assert_int_equal(m.o.end, TCP_END_RST);
	assert_int_equal(m.o.end_by, TCP_SIDE_SERVER);
	assert_true(m.o.middlebox_suspected);
	assert_int_equal(m.o.rst_signals, 1);
	assert_true(has_ev(&m.o, "frame 5: RST 0.500 ms after the client's "
	    "517-byte segment (frame 4), under half the server's handshake "
	    "round trip (40 ms)"));

	/* With a TTL that is not the server's as well: middlebox. */
	sim_init(&m, 4);
	handshake(&m, 40 * MS, 200 * US);
	tx(&m, C2S, F_PA, 517, 1 * MS);
	p = mk(&m, S2C, F_RA, 0);
	p.ttl = 63;
	feed(&m, S2C, &p, 500 * US);
	finish(&m, TCP_FINISH_CLOSED);
	assert_int_equal(m.o.end_by, TCP_SIDE_MIDDLEBOX);
	assert_true(m.o.inferred);
	assert_int_equal(m.o.rst_signals, 2);

	/* A genuine answer takes a round trip: no signal. */
	sim_init(&m, 4);
	handshake(&m, 40 * MS, 200 * US);
	tx(&m, C2S, F_PA, 517, 1 * MS);
	p = mk(&m, S2C, F_RA, 0);
	feed(&m, S2C, &p, 39 * MS);
	finish(&m, TCP_FINISH_CLOSED);
	assert_int_equal(m.o.rst_signals, 0);

	/* Round trips under 1 ms are clock noise: no timing judgement. */
	sim_init(&m, 4);
	handshake(&m, 800 * US, 100 * US);
	tx(&m, C2S, F_PA, 517, 1 * MS);
	p = mk(&m, S2C, F_RA, 0);
	feed(&m, S2C, &p, 10 * US);
	finish(&m, TCP_FINISH_CLOSED);
	assert_int_equal(m.o.rst_signals, 0);
	assert_false(m.o.middlebox_suspected);
}

static void
test_syn_rtt(void **state)
{
	struct sim m;
	struct pkt p;

	(void)state;
	sim_init(&m, 4);
	tx(&m, C2S, F_S, 0, 0);
	m.s[C2S].seq--;
	tx(&m, C2S, F_S, 0, 1 * SEC);       /* retransmitted SYN */
	p = mk(&m, S2C, F_SA, 0);
	feed(&m, S2C, &p, 40 * MS);
	tx(&m, C2S, F_A, 0, 200 * US);
	tx(&m, C2S, F_PA, 517, 1 * MS);     /* frame 5 */
	p = mk(&m, S2C, F_RA, 0);           /* frame 6: 30 ms later */
	feed(&m, S2C, &p, 30 * MS);
	finish(&m, TCP_FINISH_CLOSED);
	assert_true(m.o.rtt_known);
	assert_true(m.o.syn_rtt_ms > 1039.999 && m.o.syn_rtt_ms < 1040.001);
	assert_true(m.o.client_rtt_known);
	assert_true(m.o.client_rtt_ms > 0.1999 && m.o.client_rtt_ms < 0.2001);
	assert_int_equal(TA_FRAME_NO(m.t.syn_frame), 1);
	assert_int_equal(TA_FRAME_NO(m.t.synack_frame), 3);
	/* The server's round trip is from the SYN it answered (40 ms):
	 * 30 ms is a plausible answer time, not a "too fast" RST. */
	assert_int_equal(m.o.rst_signals, 0);
	assert_int_equal(m.o.end_by, TCP_SIDE_SERVER);

	/* The SYN-ACK lost before the client: a SYN retransmitted after
	 * it does not restart the server's round trip. */
	sim_init(&m, 4);
	tx(&m, C2S, F_S, 0, 0);
	p = mk(&m, S2C, F_SA, 0);
	feed(&m, S2C, &p, 40 * MS);
	m.s[C2S].seq--;
	tx(&m, C2S, F_S, 0, 1 * SEC);
	m.s[S2C].seq--;
	p = mk(&m, S2C, F_SA, 0);
	feed(&m, S2C, &p, 40 * MS);
	tx(&m, C2S, F_A, 0, 100 * US);
	tx(&m, C2S, F_PA, 517, 1 * MS);     /* frame 6 */
	p = mk(&m, S2C, F_RA, 0);           /* frame 7: 1 ms: too fast */
	p.ip_id = 0;                        /* a forger has no counter */
	feed(&m, S2C, &p, 1 * MS);
	finish(&m, TCP_FINISH_CLOSED);
	assert_int_equal(m.t.syns, 2);
	assert_true(m.o.syn_rtt_ms > 39.999 && m.o.syn_rtt_ms < 40.001);
	assert_int_equal(m.o.rst_signals, 1);
	assert_true(has_ev(&m.o, "handshake round trip (40 ms)"));
}

/*
 * A clock that jumps or steps back leaves no round trip: the SYN-ACK
 * stamped 46 years after the SYN and the next frame back at the SYN's time
 * (PcapPlusPlus' pcapng-example), the same jump with every later frame
 * after it, a step back later in the connection; a SYN-ACK hours late is
 * still an answer.
 */
/* A clock that stands still (every frame of both sides at one time, a
 * generated trace): no round trip of 0 ms is claimed; two sides that
 * answer in the same tick but move on later keep theirs. */
static void
test_frozen_clock_no_rtt(void **state)
{
	struct sim m;

	(void)state;
	sim_init(&m, 4);
	handshake(&m, 0, 0);
	tx(&m, C2S, F_PA, 517, 0);
	tx(&m, S2C, F_A, 0, 0);
	tx(&m, C2S, F_FA, 0, 0);
	finish(&m, TCP_FINISH_CLOSED);
	assert_false(m.o.rtt_known);
	assert_false(m.o.client_rtt_known);
	assert_int_equal(m.o.end, TCP_END_FIN);

	sim_init(&m, 4);
	handshake(&m, 0, 0);
	tx(&m, C2S, F_PA, 517, 1 * MS);
	tx(&m, S2C, F_A, 0, 0);
	finish(&m, TCP_FINISH_CLOSED);
	assert_true(m.o.rtt_known);
	assert_true(m.o.syn_rtt_ms == 0.0);
}

static void
test_damaged_clock_no_rtt(void **state)
{
	const uint64_t years46 = 1472003999ULL * SEC + 360 * MS;
	struct sim m;
	ta_time t0;

	(void)state;
	sim_init(&m, 4);
	t0 = m.now;
	tx(&m, C2S, F_S, 0, 0);
	tx(&m, S2C, F_SA, 0, years46);
	m.now = t0;                         /* frame 3 back at the SYN's time */
	tx(&m, C2S, F_A, 0, 53 * US);
	tx(&m, C2S, F_PA, 36, 50 * MS);
	tx(&m, S2C, F_A, 0, 1 * MS);
	tx(&m, C2S, F_FA, 0, 1 * SEC);      /* frame 6 */
	tx(&m, S2C, F_FA, 0, 40 * MS);
	tx(&m, C2S, F_A, 0, 1 * MS);
	finish(&m, TCP_FINISH_CLOSED);
	assert_false(m.o.rtt_known);
	assert_false(m.o.client_rtt_known);
	assert_true(m.o.ts_damaged);
	assert_int_equal(TA_FRAME_NO(m.o.ts_jump_frame), 2);
	assert_int_equal(TA_FRAME_NO(m.o.ts_jump_syn_frame), 1);
	assert_true(m.o.ts_jump_ns == years46);
	assert_int_equal(TA_FRAME_NO(m.o.ts_damage_frame), 3);
	assert_int_equal(m.o.end, TCP_END_FIN);
	assert_int_equal(m.o.end_by, TCP_SIDE_CLIENT);
	assert_int_equal(TA_FRAME_NO(m.o.end_frame), 6);

	/* The jump alone: every frame after the SYN-ACK follows it. */
	sim_init(&m, 4);
	handshake(&m, years46, 100 * US);
	tx(&m, C2S, F_PA, 517, 1 * MS);
	tx(&m, S2C, F_RA, 0, 40 * MS);
	finish(&m, TCP_FINISH_CLOSED);
	assert_false(m.o.rtt_known);
	assert_false(m.o.client_rtt_known);
	assert_true(m.o.ts_damaged);
	assert_int_equal(TA_FRAME_NO(m.o.ts_jump_frame), 2);
	assert_int_equal(m.o.ts_damage_frame, 0);
	/* No timing signal from a round trip of decades. */
	assert_true(lacks_ev(&m.o, "handshake round trip"));

	/* A step back after a sound handshake. */
	sim_init(&m, 4);
	handshake(&m, 40 * MS, 100 * US);
	m.now -= 5 * SEC;
	tx(&m, C2S, F_PA, 517, 0);          /* frame 4 */
	tx(&m, S2C, F_PA, 1400, 41 * MS);
	finish(&m, TCP_FINISH_CAPTURE_END);
	assert_false(m.o.rtt_known);
	assert_false(m.o.client_rtt_known);
	assert_true(m.o.ts_damaged);
	assert_int_equal(TA_FRAME_NO(m.o.ts_damage_frame), 4);
	assert_int_equal(m.o.ts_jump_frame, 0);

	/* Up to TCP_SYN_RTT_MAX_NS is an answer (a SYN retried for hours);
	 * a nanosecond more is a jump. */
	sim_init(&m, 4);
	handshake(&m, TCP_SYN_RTT_MAX_NS, 100 * US);
	finish(&m, TCP_FINISH_CAPTURE_END);
	assert_true(m.o.rtt_known);
	assert_false(m.o.ts_damaged);
	assert_true(m.o.syn_rtt_ms == 86400000.0);
	sim_init(&m, 4);
	handshake(&m, TCP_SYN_RTT_MAX_NS + 1, 100 * US);
	finish(&m, TCP_FINISH_CAPTURE_END);
	assert_false(m.o.rtt_known);
	assert_true(m.o.ts_damaged);
	assert_int_equal(TA_FRAME_NO(m.o.ts_jump_frame), 2);
}

/* ---- ends that are not on the wire ---- */

static void
test_timeout(void **state)
{
	struct sim m;

	(void)state;
	sim_init(&m, 4);
	handshake(&m, 40 * MS, 1 * MS);
	tx(&m, C2S, F_PA, 517, 1 * MS);     /* frame 4 */
	m.now += 60 * SEC;
	finish(&m, TCP_FINISH_IDLE);
	assert_int_equal(m.o.end, TCP_END_TIMEOUT);
	assert_int_equal(m.o.end_by, TCP_SIDE_NONE);
	assert_int_equal(TA_FRAME_NO(m.o.end_frame), 4);
	assert_true(has_ev(&m.o, "idle for 60 s after the last packet (frame 4)"));
	assert_string_equal(tcp_end_str(m.o.end), "timeout");
}

static void
test_open_and_evicted(void **state)
{
	struct sim m;

	(void)state;
	sim_init(&m, 4);
	handshake(&m, 40 * MS, 1 * MS);
	tx(&m, C2S, F_PA, 517, 1 * MS);
	tx(&m, S2C, F_PA, 2000, 41 * MS);   /* frame 5 */
	finish(&m, TCP_FINISH_CAPTURE_END);
	assert_int_equal(m.o.end, TCP_END_OPEN);
	assert_int_equal(m.o.end_by, TCP_SIDE_NONE);
	assert_int_equal(TA_FRAME_NO(m.o.end_frame), 5);
	assert_true(m.o.rtt_known);
	assert_true(m.o.syn_rtt_ms > 39.999 && m.o.syn_rtt_ms < 40.001);
	assert_true(has_ev(&m.o, "capture ended with the connection open, "
	    "last packet frame 5"));
	assert_string_equal(tcp_end_str(m.o.end), "open");

	finish(&m, TCP_FINISH_EVICTED);
	assert_int_equal(m.o.end, TCP_END_OPEN);
	assert_true(has_ev(&m.o, "evicted: the connection table was full, "
	    "last packet frame 5"));

	finish(&m, TCP_FINISH_REUSED);
	assert_int_equal(m.o.end, TCP_END_OPEN);
	assert_true(has_ev(&m.o, "a new SYN reused the address and ports"));
}


/* ---- the capture, not the network ---- */

/* Only the client's direction was captured: its ACKs prove the server
 * answered, so this is no "no answer". */
static void
test_one_sided_client_only(void **state)
{
	struct sim m;
	struct pkt p;

	(void)state;
	sim_init(&m, 4);
	tx(&m, C2S, F_S, 0, 0);             /* frame 1 */
	m.s[S2C].seq++;                     /* the SYN-ACK, not captured */
	tx(&m, C2S, F_A, 0, 40 * MS);
	tx(&m, C2S, F_PA, 517, 1 * MS);
	m.s[S2C].seq += 6000;               /* the server's flight */
	tx(&m, C2S, F_PA, 126, 80 * MS);    /* frame 4: acks it */
	p = mk(&m, C2S, F_FA, 0);           /* frame 5 */
	feed(&m, C2S, &p, 1 * SEC);
	finish(&m, TCP_FINISH_CAPTURE_END);
	assert_int_equal(m.o.missing, TCP_SIDE_SERVER);
	assert_int_not_equal(m.o.end, TCP_END_NO_ANSWER);
	assert_int_equal(m.o.end, TCP_END_FIN);
	assert_int_equal(m.o.end_by, TCP_SIDE_CLIENT);
	assert_true(m.o.acked_known[S2C]);
	assert_int_equal(m.o.acked[S2C], 6001);
	assert_true(has_ev(&m.o, "the server's direction is not in the "
	    "capture: the client acknowledged its stream up to relative ack "
	    "6001 (frame 4)"));
	assert_false(find_ev(&m.o, "not answered"));

	/* The look-alike: a SYN nobody answered, retransmitted. */
	sim_init(&m, 4);
	tx(&m, C2S, F_S, 0, 0);
	m.s[C2S].seq--;
	tx(&m, C2S, F_S, 0, 1 * SEC);
	finish(&m, TCP_FINISH_IDLE);
	assert_int_equal(m.o.missing, TCP_SIDE_NONE);
	assert_int_equal(m.o.end, TCP_END_NO_ANSWER);
}

/* Only the server's direction, from its SYN-ACK: the client's SYN is
 * proven by it, and the client's stream start is the SYN-ACK's ack. */
static void
test_one_sided_server_only(void **state)
{
	struct sim m;
	struct pkt p;
	uint32_t start = 0;

	(void)state;
	sim_init(&m, 4);
	m.s[C2S].seq++;                     /* the SYN, not captured */
	tx(&m, S2C, F_SA, 0, 0);            /* frame 1 */
	m.s[C2S].seq += 517;                /* the ClientHello */
	tx(&m, S2C, F_PA, 3000, 40 * MS);   /* frame 2 */
	p = mk(&m, S2C, F_FA, 0);
	feed(&m, S2C, &p, 1 * SEC);
	finish(&m, TCP_FINISH_CAPTURE_END);
	assert_int_equal(m.o.missing, TCP_SIDE_CLIENT);
	assert_false(m.o.midstream);
	assert_true(tcp_track_client_start(&m.t, &start));
	assert_int_equal(start, 1001);
	assert_true(m.o.acked_known[C2S]);
	assert_int_equal(m.o.acked[C2S], 518);
	assert_true(has_ev(&m.o, "the client's direction is not in the "
	    "capture"));

	/* Both directions, the SYN missed: a start at the SYN-ACK. */
	sim_init(&m, 4);
	m.s[C2S].seq++;
	tx(&m, S2C, F_SA, 0, 0);
	tx(&m, C2S, F_A, 0, 1 * MS);
	tx(&m, C2S, F_PA, 517, 1 * MS);
	finish(&m, TCP_FINISH_CAPTURE_END);
	assert_int_equal(m.o.missing, TCP_SIDE_NONE);
	assert_false(m.o.midstream);
	assert_true(has_ev(&m.o, "the capture starts at the server's SYN-ACK "
	    "(frame 1)"));
}

/* FIN, NULL and Xmas probes answered by RSTs: probes, not connections. */
static void
test_flag_probes(void **state)
{
	static const struct {
		uint8_t flags;
		enum tcp_probe kind;
	} cases[] = {
		{ F_F, TCP_PROBE_FIN_SCAN },
		{ 0, TCP_PROBE_NULL_SCAN },
		{ F_F | F_P | PKT_TCP_URG, TCP_PROBE_XMAS_SCAN },
	};
	struct sim m;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		sim_init(&m, 4);
		tx(&m, C2S, cases[i].flags, 0, 0);
		tx(&m, S2C, F_RA, 0, 1 * MS);
		finish(&m, TCP_FINISH_CLOSED);
		assert_int_equal(m.o.probe, cases[i].kind);
		/* Unanswered (an open port under a FIN scan): a probe too. */
		sim_init(&m, 4);
		tx(&m, C2S, cases[i].flags, 0, 0);
		finish(&m, TCP_FINISH_IDLE);
		assert_int_equal(m.o.probe, cases[i].kind);
	}
	assert_string_equal(tcp_probe_str(TCP_PROBE_XMAS_SCAN), "xmas-scan");

	/* The look-alike: a mid-stream FIN of a real connection, whose
	 * server had talked. */
	sim_init(&m, 4);
	tx(&m, S2C, F_PA, 100, 0);
	tx(&m, C2S, F_FA, 0, 1 * MS);
	finish(&m, TCP_FINISH_CLOSED);
	assert_int_equal(m.o.probe, TCP_PROBE_NONE);
}

static void
test_handshake_probes(void **state)
{
	struct sim m;
	struct pkt p;

	(void)state;
	/* Half-open: the scanner's RST answers the SYN-ACK. */
	sim_init(&m, 4);
	tx(&m, C2S, F_S, 0, 0);
	tx(&m, S2C, F_SA, 0, 1 * MS);
	p = mk(&m, C2S, F_R, 0);
	feed(&m, C2S, &p, 100 * US);
	finish(&m, TCP_FINISH_CLOSED);
	assert_int_equal(m.o.probe, TCP_PROBE_SYN_SCAN);

	/* Connect scan: handshake, RST at once. */
	sim_init(&m, 4);
	handshake(&m, 1 * MS, 100 * US);
	p = mk(&m, C2S, F_RA, 0);
	feed(&m, C2S, &p, 50 * US);
	finish(&m, TCP_FINISH_CLOSED);
	assert_int_equal(m.o.probe, TCP_PROBE_CONNECT_SCAN);

	/* Look-alikes: a client that waited 30 s before its RST, and one
	 * that had sent its ClientHello. */
	sim_init(&m, 4);
	handshake(&m, 1 * MS, 100 * US);
	p = mk(&m, C2S, F_RA, 0);
	feed(&m, C2S, &p, 30 * SEC);
	finish(&m, TCP_FINISH_CLOSED);
	assert_int_equal(m.o.probe, TCP_PROBE_NONE);
	sim_init(&m, 4);
	handshake(&m, 1 * MS, 100 * US);
	tx(&m, C2S, F_PA, 517, 100 * US);
	p = mk(&m, C2S, F_RA, 0);
	feed(&m, C2S, &p, 50 * US);
	finish(&m, TCP_FINISH_CLOSED);
	assert_int_equal(m.o.probe, TCP_PROBE_NONE);
}

/* On one host nothing sits in between: no signal, whatever the RST. */
static void
test_loopback_rst(void **state)
{
	struct sim m;
	struct pkt p;

	(void)state;
	sim_init(&m, 4);
	p = mk(&m, C2S, F_S, 0);
	p.src.family = p.dst.family = 4;
	p.src.a[0] = p.dst.a[0] = 127;
	p.src.a[3] = p.dst.a[3] = 1;
	feed(&m, C2S, &p, 0);
	tx(&m, S2C, F_SA, 0, 100 * US);
	tx(&m, C2S, F_A, 0, 100 * US);
	tx(&m, C2S, F_PA, 517, 100 * US);
	p = mk(&m, S2C, F_RA, 0);
	p.ttl = 1;                         /* would be a signal elsewhere */
	p.ip_id = 0;
	p.has_ts = false;
	feed(&m, S2C, &p, 10 * US);
	finish(&m, TCP_FINISH_CLOSED);
	assert_true(m.t.loopback);
	assert_int_equal(m.o.rst_signals, 0);
	assert_int_equal(m.o.end_by, TCP_SIDE_SERVER);
	assert_false(m.o.middlebox_suspected);
	assert_true(has_ev(&m.o, "both ends are on one host"));
}

/* The sender's own IP-ID counter and TTL outweigh the signals a closing
 * socket gives too; not the ones no endpoint gives. */
static void
test_ipid_continuity_outweighs(void **state)
{
	struct sim m;
	struct pkt p;

	(void)state;
	sim_init(&m, 4);
	handshake(&m, 40 * MS, 1 * MS);
	tx(&m, C2S, F_PA, 517, 1 * MS);
	tx(&m, S2C, F_PA, 3000, 41 * MS);
	tx(&m, S2C, F_PA, 1000, 1 * MS);
	p = mk(&m, S2C, F_RA, 0);          /* continues the counter */
	p.has_ts = false;                  /* weak: no timestamps */
	p.seq += 100;                      /* weak: seq off */
	feed(&m, S2C, &p, 1 * SEC);
	finish(&m, TCP_FINISH_CLOSED);
	assert_int_equal(m.o.rst_signals, 0);
	assert_int_equal(m.o.end_by, TCP_SIDE_SERVER);
	assert_true(has_ev(&m.o, "continues the server's own counter"));

	/* The same but at another TTL: a strong signal stays, and the
	 * counter does not speak for the server then. */
	sim_init(&m, 4);
	handshake(&m, 40 * MS, 1 * MS);
	tx(&m, C2S, F_PA, 517, 1 * MS);
	tx(&m, S2C, F_PA, 3000, 41 * MS);
	p = mk(&m, S2C, F_RA, 0);
	p.has_ts = false;
	p.ttl = 63;
	feed(&m, S2C, &p, 1 * SEC);
	finish(&m, TCP_FINISH_CLOSED);
	assert_int_equal(m.o.rst_signals, 2);
	assert_int_equal(m.o.end_by, TCP_SIDE_MIDDLEBOX);
	assert_false(find_ev(&m.o, "continues the server's own counter"));
}


/* A RST that carries its cause says it, quoted; binary in hex. */
static void
test_rst_payload(void **state)
{
	static const uint8_t cause[] = "reset by policy 42";
	static const uint8_t diag[] = { 0x33, 0xaa, 0x00, 0x01 };
	struct sim m;
	struct pkt p;

	(void)state;
	sim_init(&m, 4);
	handshake(&m, 40 * MS, 1 * MS);
	tx(&m, C2S, F_PA, 517, 1 * MS);
	p = mk(&m, S2C, F_RA, 0);
	p.payload.p = cause;
	p.payload.n = sizeof cause - 1;
	p.payload_len = sizeof cause - 1;
	feed(&m, S2C, &p, 41 * MS);
	finish(&m, TCP_FINISH_CLOSED);
	assert_true(has_ev(&m.o, "the RST carries 18 bytes of payload, "
	    "\"reset by policy 42\""));

	sim_init(&m, 4);
	handshake(&m, 40 * MS, 1 * MS);
	p = mk(&m, S2C, F_RA, 0);
	p.payload.p = diag;
	p.payload.n = sizeof diag;
	p.payload_len = 8;                /* cut by the snap length */
	feed(&m, S2C, &p, 41 * MS);
	finish(&m, TCP_FINISH_CLOSED);
	assert_true(has_ev(&m.o, "the RST diagnostic format (magic 0x33aa), "
	    "bytes 33 aa 00 01 ..."));

	/* The look-alike: a RST without payload says nothing of it. */
	sim_init(&m, 4);
	handshake(&m, 40 * MS, 1 * MS);
	tx(&m, S2C, F_RA, 0, 41 * MS);
	finish(&m, TCP_FINISH_CLOSED);
	assert_false(find_ev(&m.o, "payload"));
}


/* A socket that sent its FIN answers late segments with RSTs at its FIN's
 * number or the one after: no signal. Far off, it is one. */
static void
test_rsts_after_own_fin(void **state)
{
	struct sim m;
	struct pkt p;
	uint32_t fin_seq;

	(void)state;
	sim_init(&m, 4);
	handshake(&m, 10 * MS, 1 * MS);
	tx(&m, C2S, F_PA, 517, 1 * MS);
	tx(&m, S2C, F_PA, 3000, 11 * MS);
	fin_seq = m.s[C2S].seq;
	tx(&m, C2S, F_FA, 0, 1 * MS);       /* the client's FIN */
	tx(&m, S2C, F_FA, 0, 1 * MS);
	p = mk(&m, C2S, F_R, 0);
	p.seq = fin_seq;                    /* the FIN's own number */
	feed(&m, C2S, &p, 1 * MS);
	p = mk(&m, C2S, F_R, 0);
	p.seq = fin_seq + 1;
	feed(&m, C2S, &p, 1 * MS);
	finish(&m, TCP_FINISH_CLOSED);
	assert_int_equal(m.o.end, TCP_END_FIN);
	assert_int_equal(m.o.rst_signals, 0);
	assert_false(m.o.middlebox_suspected);

	/* The look-alike: a RST far from the FIN's number, without the
	 * client's IP-ID counter (which would speak for the client). */
	sim_init(&m, 4);
	handshake(&m, 10 * MS, 1 * MS);
	tx(&m, C2S, F_PA, 517, 1 * MS);
	tx(&m, C2S, F_FA, 0, 1 * MS);
	p = mk(&m, C2S, F_R, 0);
	p.seq += 70000;
	p.ip_id = 0;
	feed(&m, C2S, &p, 1 * MS);
	finish(&m, TCP_FINISH_CLOSED);
	assert_true(m.o.rst_signals >= 1);
	assert_true(m.o.middlebox_suspected);
}

static void
test_mid_stream(void **state)
{
	struct sim m;
	struct pkt p;

	(void)state;
	sim_init(&m, 4);
	tx(&m, S2C, F_PA, 1400, 0);         /* frame 1: no handshake seen */
	tx(&m, C2S, F_A, 0, 1 * MS);
	tx(&m, S2C, F_PA, 1400, 1 * MS);
	p = mk(&m, S2C, F_RA, 0);           /* frame 4: exact, genuine */
	feed(&m, S2C, &p, 1 * SEC);
	finish(&m, TCP_FINISH_CLOSED);
	assert_false(m.o.handshake_seen);
	assert_false(m.o.rtt_known);
	assert_false(m.t.handshake_seen);
	assert_true(m.t.ep[S2C].seq_known);
	assert_int_equal(m.t.ep[S2C].snd_next, 500000 + 2800);
	assert_int_equal(m.o.end, TCP_END_RST);
	assert_int_equal(m.o.end_by, TCP_SIDE_SERVER);
	assert_int_equal(m.o.rst_signals, 0);
	assert_true(has_ev(&m.o, "no SYN or SYN-ACK captured: the capture "
	    "starts mid-connection (first packet frame 1)"));
	assert_true(m.o.midstream);
	assert_int_equal(m.o.missing, TCP_SIDE_NONE);
	assert_int_equal(m.o.probe, TCP_PROBE_NONE);

	/* Sequence space known from the first packet: a RST off by a
	 * window is a signal even without a handshake. */
	sim_init(&m, 4);
	tx(&m, S2C, F_PA, 1400, 0);
	tx(&m, C2S, F_A, 0, 1 * MS);
	p = mk(&m, S2C, F_RA, 0);           /* frame 3 */
	p.seq -= 65536;
	feed(&m, S2C, &p, 1 * SEC);
	finish(&m, TCP_FINISH_CLOSED);
	assert_int_equal(m.o.rst_signals, 1);
	assert_true(has_ev(&m.o, "frame 3: RST seq 65536 behind the server's "
	    "next sequence number"));

	/* Only one side captured at all. */
	sim_init(&m, 4);
	tx(&m, C2S, F_PA, 100, 0);
	tx(&m, C2S, F_PA, 100, 1 * MS);
	finish(&m, TCP_FINISH_CAPTURE_END);
	assert_int_equal(m.o.end, TCP_END_OPEN);
	assert_int_equal(m.o.frames, 2);
	assert_int_equal(m.t.ep[S2C].pkts, 0);
}

static void
test_ipv6(void **state)
{
	struct sim m;
	struct pkt p;

	(void)state;
	sim_init(&m, 6);
	handshake(&m, 20 * MS, 1 * MS);
	tx(&m, C2S, F_PA, 517, 1 * MS);
	tx(&m, S2C, F_A, 0, 21 * MS);
	p = mk(&m, S2C, F_R, 0);            /* frame 6 */
	p.ttl = 60;
	p.has_ts = false;
	feed(&m, S2C, &p, 15 * MS);
	finish(&m, TCP_FINISH_CLOSED);
	assert_int_equal(m.t.ip_version, 6);
	assert_false(m.t.ep[S2C].ipid_known);
	assert_int_equal(m.o.end, TCP_END_RST);
	assert_int_equal(m.o.end_by, TCP_SIDE_MIDDLEBOX);
	assert_true(m.o.inferred);
	assert_int_equal(m.o.rst_signals, 2);
	assert_true(has_ev(&m.o, "frame 6: RST hop limit 60, the server's 2 "
	    "other packets hop limit 58"));
	assert_true(lacks_ev(&m.o, "IP-ID"));
}

static void
test_seq_wraparound(void **state)
{
	struct sim m;
	struct pkt p;

	(void)state;
	sim_init(&m, 4);
	m.s[S2C].seq = 0xffffff00u;
	handshake(&m, 40 * MS, 1 * MS);     /* ISN 0xffffff00, next ...01 */
	tx(&m, C2S, F_PA, 517, 1 * MS);
	tx(&m, S2C, F_PA, 0x1ff, 41 * MS);  /* ends at 0x100 */
	/* A retransmission from before the wrap must not move it back. */
	p = mk(&m, S2C, F_PA, 0x10);
	p.seq = 0xffffff01u;
	feed(&m, S2C, &p, 1 * MS);
	m.s[S2C].seq = 0x100;
	assert_int_equal(m.t.ep[S2C].snd_next, 0x100);
	p = mk(&m, S2C, F_RA, 0);           /* frame 7: seq 0x100, exact */
	feed(&m, S2C, &p, 1 * SEC);
	finish(&m, TCP_FINISH_CLOSED);
	assert_int_equal(m.t.ep[S2C].isn, 0xffffff00u);
	assert_int_equal(m.o.rst_signals, 0);
	assert_int_equal(m.o.end_by, TCP_SIDE_SERVER);

	/* Before the wrap, the same RST is 0x200 behind. */
	sim_init(&m, 4);
	m.s[S2C].seq = 0xffffff00u;
	handshake(&m, 40 * MS, 1 * MS);
	tx(&m, S2C, F_PA, 0x1ff, 41 * MS);
	p = mk(&m, S2C, F_RA, 0);
	p.seq = 0xffffff00u;
	feed(&m, S2C, &p, 1 * SEC);
	finish(&m, TCP_FINISH_CLOSED);
	assert_int_equal(m.o.rst_signals, 1);
	assert_true(has_ev(&m.o, "RST seq 512 behind"));
}

/* ---- evidence bookkeeping ---- */

static void
test_evidence_overflow_keeps_conclusion(void **state)
{
	struct sim m;
	struct pkt p;

	(void)state;
	sim_init(&m, 4);
	handshake(&m, 40 * MS, 1 * MS);
	tx(&m, C2S, F_PA, 517, 1 * MS);
	tx(&m, S2C, F_PA, 100, 41 * MS);    /* IP-ID 57790 */
	tx(&m, S2C, F_PA, 100, 1 * MS);     /* 57791: a counter */
	tx(&m, C2S, F_A, 0, 1 * MS);        /* frame 7 */
	p = mk(&m, S2C, F_R, 0);            /* frame 8: every signal */
	p.ttl = 200;
	p.ip_id = 9;
	p.seq += 99999;
	p.has_ts = false;
	feed(&m, S2C, &p, 100 * US);
	p = mk(&m, S2C, F_R, 0);            /* frame 9: another seq */
	feed(&m, S2C, &p, 100 * US);
	tx(&m, S2C, F_PA, 10, 1 * MS);      /* frame 10: still talking */
	finish(&m, TCP_FINISH_CLOSED);
	assert_int_equal(m.o.rst_signals, 7);
	assert_int_equal(m.o.end_by, TCP_SIDE_MIDDLEBOX);
	assert_int_equal(m.o.nevidence, TCP_EVIDENCE_MAX);
	assert_int_equal(m.o.evidence_dropped, 1);
	assert_non_null(strstr(m.o.evidence[0], "frame 8: RST from the server"));
	assert_non_null(strstr(m.o.evidence[TCP_EVIDENCE_MAX - 1],
	    "inferred: a middlebox sent the RST, not the server "
	    "(7 independent signals)"));
}

static void
test_frames_in_other_files(void **state)
{
	struct sim m;
	struct pkt p;

	(void)state;
	sim_init(&m, 4);
	handshake(&m, 40 * MS, 1 * MS);
	m.file = 1;
	m.frame = 0;
	p = mk(&m, S2C, F_RA, 0);           /* file 1, frame 1 */
	feed(&m, S2C, &p, 1 * SEC);
	finish(&m, TCP_FINISH_CLOSED);
	assert_int_equal(TA_FRAME_FILE(m.o.end_frame), 1);
	assert_true(has_ev(&m.o, "file#1 frame 1: RST+ACK from the server's "
	    "address 1.0 s after the client's ACK (frame 3)"));
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(tcp_end_str(TCP_END_OPEN), "open");
	assert_string_equal(tcp_end_str(TCP_END_FIN), "fin");
	assert_string_equal(tcp_end_str(TCP_END_RST), "rst");
	assert_string_equal(tcp_end_str(TCP_END_TIMEOUT), "timeout");
	assert_string_equal(tcp_end_str(TCP_END_NO_ANSWER), "no-answer");
	assert_string_equal(tcp_end_str(TCP_END_REFUSED), "refused");
	assert_string_equal(tcp_side_str(TCP_SIDE_CLIENT), "client");
	assert_string_equal(tcp_side_str(TCP_SIDE_SERVER), "server");
	assert_string_equal(tcp_side_str(TCP_SIDE_MIDDLEBOX), "middlebox");
	assert_null(tcp_side_str(TCP_SIDE_NONE));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_answer_retransmits),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_fin_by_client),
		cmocka_unit_test(test_fin_by_server),
		cmocka_unit_test(test_simultaneous_fins),
		cmocka_unit_test(test_rst_after_fin),
		cmocka_unit_test(test_stateless_rst_after_own_fin),
		cmocka_unit_test(test_rst_by_server_genuine),
		cmocka_unit_test(test_rst_by_client),
		cmocka_unit_test(test_middlebox_rst_ttl_stateless),
		cmocka_unit_test(test_middlebox_rst_toward_server),
		cmocka_unit_test(test_single_signal_stateless),
		cmocka_unit_test(test_no_timestamps_negotiated),
		cmocka_unit_test(test_single_signal_ttl),
		cmocka_unit_test(test_ipid_signal),
		cmocka_unit_test(test_seq_signal),
		cmocka_unit_test(test_data_after_rst),
		cmocka_unit_test(test_multiple_rsts_different_seq),
		cmocka_unit_test(test_too_fast_rst),
		cmocka_unit_test(test_rst_answers_peer_ack),
		cmocka_unit_test(test_rst_after_own_fin_other_ipid),
		cmocka_unit_test(test_outlived_rst),
		cmocka_unit_test(test_syn_rtt),
		cmocka_unit_test(test_frozen_clock_no_rtt),
		cmocka_unit_test(test_damaged_clock_no_rtt),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_open_and_evicted),
		cmocka_unit_test(test_mid_stream),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_seq_wraparound),
		cmocka_unit_test(test_evidence_overflow_keeps_conclusion),
		cmocka_unit_test(test_frames_in_other_files),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_one_sided_client_only),
		cmocka_unit_test(test_one_sided_server_only),
		cmocka_unit_test(test_flag_probes),
		cmocka_unit_test(test_handshake_probes),
		cmocka_unit_test(test_loopback_rst),
		cmocka_unit_test(test_ipid_continuity_outweighs),
		cmocka_unit_test(test_rst_payload),
		cmocka_unit_test(test_rsts_after_own_fin),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
