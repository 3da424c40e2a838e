/* tcp_judge.c: how a TCP connection ended and who ended it, judged from what tcp_track.c kept (RFC 9293 3.5, 3.10.7; RFC 5961 3.2). */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "util/fmt.h"
#include "tcp/tcp_track.h"
#include "tcp/tcp_track_int.h"

/* Below this, handshake round trips are lost in clock resolution. */
#define RTT_MIN_NS TA_NS_PER_MS

/* A connect scan resets within this long of completing the handshake. */
#define PROBE_RST_NS TA_NS_PER_SEC

/* Short strings returned by value: each call has its own storage, which
 * lives until the end of the full expression (C11 6.2.4p8). */
struct sbuf {
	char s[64];
};

struct lbuf {
	char s[2 * sizeof(struct sbuf) + 8];
};

/* Everything the judgement needs while writing the outcome. */
struct judge {
	const struct tcp_track *t;
	struct tcp_outcome *out;
	unsigned base_file; /* file of the connection's first frame */
	unsigned reserve;   /* evidence slots kept for a conclusion line */
	bool text;          /* write the evidence lines too */
};


static const char *
side_name(enum tcp_dir d)
{
	return d == TCP_DIR_C2S ? "client" : "server";
}

static enum tcp_side
dir_side(enum tcp_dir d)
{
	return d == TCP_DIR_C2S ? TCP_SIDE_CLIENT : TCP_SIDE_SERVER;
}

/* ---- Writing the outcome ---- */

static struct sbuf
frame_ref(const struct judge *j, ta_frame f)
{
	struct sbuf b;

	fmt_frame(b.s, sizeof b.s, f, j->base_file);
	return b;
}

static struct lbuf
frame_range(const struct judge *j, ta_frame a, ta_frame b)
{
	struct lbuf r;

	if (TA_FRAME_FILE(a) == j->base_file &&
	    TA_FRAME_FILE(b) == j->base_file)
		(void)fmt_snprintf(r.s, sizeof r.s, "frames %llu..%llu",
		    (unsigned long long)TA_FRAME_NO(a),
		    (unsigned long long)TA_FRAME_NO(b));
	else
		(void)fmt_snprintf(r.s, sizeof r.s, "%s..%s",
		    frame_ref(j, a).s, frame_ref(j, b).s);
	return r;
}

/* A duration in words, integer arithmetic only (no locale, no rounding
 * surprises): "0.051 ms", "4.2 ms", "40 ms", "3.0 s", "21 s". */
static struct sbuf
dur(uint64_t ns)
{
	struct sbuf b;

	fmt_duration(b.s, sizeof b.s, ns);
	return b;
}

static uint64_t
ts_diff(ta_time later, ta_time earlier)
{
	return later > earlier ? later - earlier : 0;
}

/* What a packet was, without naming anything above TCP. */
static struct sbuf
seg_desc(uint32_t len, uint8_t flags)
{
	struct sbuf b;
	const char *s;

	if (len > 0) {
		(void)fmt_snprintf(b.s, sizeof b.s, "%lu-byte segment",
		    (unsigned long)len);
		return b;
	}
	if ((flags & PKT_TCP_SYN) != 0)
		s = (flags & PKT_TCP_ACK) != 0 ? "SYN-ACK" : "SYN";
	else if ((flags & PKT_TCP_FIN) != 0)
		s = "FIN";
	else if ((flags & PKT_TCP_ACK) != 0)
		s = "ACK";
	else
		s = "packet";
	(void)fmt_snprintf(b.s, sizeof b.s, "%s", s);
	return b;
}

/* "other packet" or "7 other packets" */
static struct sbuf
count_others(uint32_t n)
{
	struct sbuf b;

	if (n == 1)
		(void)fmt_snprintf(b.s, sizeof b.s, "other packet");
	else
		(void)fmt_snprintf(b.s, sizeof b.s, "%lu other packets",
		    (unsigned long)n);
	return b;
}

static const char *
rst_name(const struct tcp_rst *r)
{
	return (r->flags & PKT_TCP_ACK) != 0 ? "RST+ACK" : "RST";
}

static const char *
plural(uint32_t n)
{
	return n == 1 ? "" : "s";
}

static void TA_PRINTF(2, 3)
ev_line(struct judge *j, const char *fmt, ...)
{
	struct tcp_outcome *out = j->out;
	va_list ap;

	if (out->nevidence + j->reserve >= TCP_EVIDENCE_MAX) {
		out->evidence_dropped++;
		return;
	}
	va_start(ap, fmt);
	(void)fmt_vsnprintf(out->evidence[out->nevidence], TCP_EVIDENCE_LEN, fmt,
	    ap);
	va_end(ap);
	out->nevidence++;
}

/* Without text the arguments of a line are not even evaluated: the
 * decision alone is what every connection needs (tcp_track_finish). */
#define ev(j, ...)                                \
	do {                                      \
		if ((j)->text)                    \
			ev_line((j), __VA_ARGS__); \
	} while (0)

/* The connection's first frame (0 when it has none). */
static ta_frame
conn_first_frame(const struct tcp_track *t)
{
	const struct tcp_endpoint *c = &t->ep[TCP_DIR_C2S];
	const struct tcp_endpoint *s = &t->ep[TCP_DIR_S2C];

	if (c->pkts > 0 && (s->pkts == 0 || c->first_ts <= s->first_ts))
		return c->first_frame;
	if (s->pkts > 0)
		return s->first_frame;
	return 0;
}

/* The SYN-ACK is stamped so long after the first SYN that the clock
 * jumped between them (TCP_SYN_RTT_MAX_NS). */
static bool
syn_rtt_absurd(const struct tcp_track *t)
{
	return t->handshake_seen && t->synack_ts >= t->syn_ts &&
	    t->synack_ts - t->syn_ts > TCP_SYN_RTT_MAX_NS;
}

/* Every packet of both sides carries one time stamp (a generated or
 * rewritten trace): a round trip read from it would be 0, a lie. */
static bool
clock_frozen(const struct tcp_track *t)
{
	return t->frames >= 4 && t->ep[TCP_DIR_C2S].pkts > 0 &&
	    t->ep[TCP_DIR_S2C].pkts > 0 &&
	    t->ep[TCP_DIR_C2S].first_ts == t->last_ts &&
	    t->ep[TCP_DIR_S2C].first_ts == t->last_ts;
}

/* The round trip the RST's sender needs to answer anything, measured at
 * the handshake: the server answers the SYN, the client the SYN-ACK. None
 * when the connection's clock stepped back or jumped. */
static bool
answer_rtt(const struct tcp_track *t, enum tcp_dir x, uint64_t *rtt)
{
	*rtt = 0;
	if (t->ts_back_frame != 0 || syn_rtt_absurd(t) || clock_frozen(t))
		return false;
	if (x == TCP_DIR_S2C && t->handshake_seen &&
	    t->synack_ts >= t->syn_last_ts) {
		*rtt = t->synack_ts - t->syn_last_ts;
		return true;
	}
	if (x == TCP_DIR_C2S && t->ack_seen && t->ack_ts >= t->synack_ts) {
		*rtt = t->ack_ts - t->synack_ts;
		return true;
	}
	*rtt = 0;
	return false;
}

/*
 * The signals that the first RST did not come from the socket whose
 * address it carries. Checked on Linux 6.x: an abortive close (SO_LINGER 0)
 * sends RST+ACK with seq == snd_nxt, TCP timestamps, the socket's TTL and
 * its IP-ID counter continued by one: no signal fires. A router's
 * "REJECT --reject-with tcp-reset" sends a bare RST with the router's own
 * TTL (64 where the forwarded server packets arrived with 63), IP-ID 0 + DF
 * and no options; its seq copies the offending segment's ACK, so it is
 * exact: two signals (TTL, stateless), enough to say middlebox.
 */
static unsigned
rst_signals(struct judge *j)
{
	const struct tcp_track *t = j->t;
	const struct tcp_rst *r = &t->rst[0];
	enum tcp_dir x = r->dir;
	const struct tcp_endpoint *ex = &t->ep[x];
	const char *who = side_name(x);
	const char *hopname = t->ip_version == 6 ? "hop limit" : "TTL";
	struct sbuf range;
	uint64_t rtt, delay;
	ta_time prev_ts;
	uint32_t ahead, n, others, i;
	const struct tcp_rst *diff;
	unsigned nsig = 0, weak = 0;
	bool ipid_continues = false, ttl_own, seq_exact;

	/* Nothing sits between two ends on one host. */
	if (t->loopback) {
		ev(j, "%s: both ends are on one host (loopback): nothing between "
		    "them could have sent the RST", frame_ref(j, r->frame).s);
		return 0;
	}

	ttl_own = ex->ttl_samples > 0 && r->ttl >= ex->ttl_min &&
	    r->ttl <= ex->ttl_max;
	seq_exact = t->rst0_seq_known && (r->seq == t->rst0_seq_ref ||
	    (t->rst0_after_own_fin && r->seq == t->rst0_seq_ref - 1) ||
	    (t->rst0_peer_ack_known && r->seq == t->rst0_peer_ack));

	/* 1. TTL / hop limit outside the sender's own range. */
	if (ex->ttl_samples > 0 && !ttl_own) {
		if (j->text) {
			if (ex->ttl_min == ex->ttl_max)
				(void)fmt_snprintf(range.s, sizeof range.s, "%u",
				    (unsigned)ex->ttl_min);
			else
				(void)fmt_snprintf(range.s, sizeof range.s, "%u-%u",
				    (unsigned)ex->ttl_min,
				    (unsigned)ex->ttl_max);
			ev_line(j, "%s: RST %s %u, the %s's %s %s %s",
			    frame_ref(j, r->frame).s, hopname,
			    (unsigned)r->ttl, who,
			    count_others(ex->ttl_samples).s, hopname, range.s);
		}
		nsig++;
	}

	/* 2. IPv4 IP-ID that does not continue the sender's counter. A zero
	 * IP-ID is no signal: Linux's own stateless replies use it. Nor,
	 * after the sender's own FIN, is another counter when the RST has the
	 * sender's TTL and exact sequence number: a socket closed by its
	 * application is answered for by the kernel's stateless reply path,
	 * which keeps IP-IDs of its own (seen from servers in real captures:
	 * RSTs counting 1960, 1961, 1962 after data counting near 7320). */
	if (t->ip_version == 4 && t->rst0_ipid_counter && r->ip_id != 0 &&
	    !(t->rst0_after_own_fin && seq_exact && ttl_own)) {
		uint16_t step = (uint16_t)(r->ip_id - t->rst0_ipid_ref);

		if (step == 0 || step > IPID_WINDOW) {
			ev(j, "%s: RST IP-ID %u does not continue the %s's "
			    "IP-ID counter (last %u)", frame_ref(j, r->frame).s,
			    (unsigned)r->ip_id, who, (unsigned)t->rst0_ipid_ref);
			nsig++;
		} else {
			ipid_continues = true;
		}
	}

	/* 3. RFC 5961 3.2: a RST from the endpoint carries exactly its next
	 * sequence number; after its own FIN, the FIN's own number too (a
	 * closed socket answers data that acked no further than the FIN).
	 * A socket that is gone answers a segment with that segment's ACK
	 * as its sequence number (RFC 9293 3.10.7.1): the other side's
	 * acknowledgement, however far behind the sender's stream it is. */
	if (t->rst0_seq_known && !seq_exact) {
		ahead = r->seq - t->rst0_seq_ref;
		if (ahead < 0x80000000u)
			ev(j, "%s: RST seq %lu ahead of the %s's next sequence "
			    "number", frame_ref(j, r->frame).s,
			    (unsigned long)ahead, who);
		else
			ev(j, "%s: RST seq %lu behind the %s's next sequence "
			    "number", frame_ref(j, r->frame).s,
			    (unsigned long)(t->rst0_seq_ref - r->seq), who);
		nsig++;
		weak++;
	}

	/* 4. The address kept talking after "its" RST. */
	if (ex->pkts_after_rst > 0) {
		ev(j, "%s: the %s's address kept sending after its RST "
		    "(%s): %lu packet%s, %lu with payload",
		    frame_ref(j, ex->after_rst_frame).s, who,
		    frame_ref(j, r->frame).s, (unsigned long)ex->pkts_after_rst,
		    plural(ex->pkts_after_rst),
		    (unsigned long)ex->data_after_rst);
		nsig++;
	}

	/* 5. Several RSTs from that address that disagree on seq. */
	n = t->nrst < TCP_TRACK_MAX_RST ? t->nrst : TCP_TRACK_MAX_RST;
	diff = NULL;
	others = 0;
	for (i = 1; i < n; i++) {
		if (t->rst[i].dir != x)
			continue;
		others++;
		/* After its FIN a closed socket answers each late segment, at
		 * the FIN's number or the one after it. */
		if (t->rst0_after_own_fin &&
		    (uint32_t)(t->rst[i].seq - r->seq + 1) <= 2)
			continue;
		if (diff == NULL && t->rst[i].seq != r->seq)
			diff = &t->rst[i];
	}
	if (diff != NULL) {
		ev(j, "%s: another RST from the %s's address with a different "
		    "sequence number than the one at %s (%lu RSTs from it)",
		    frame_ref(j, diff->frame).s, who, frame_ref(j, r->frame).s,
		    (unsigned long)(others + 1));
		nsig++;
	}

	/* 6. Faster than the sender could have heard the other side. */
	prev_ts = x == TCP_DIR_S2C ? t->last_c2s_before_rst :
	    t->last_s2c_before_rst;
	if (t->rst0_prev_frame != 0 && !t->rst0_after_own_fin &&
	    answer_rtt(t, x, &rtt) && rtt >= RTT_MIN_NS) {
		delay = ts_diff(r->ts, prev_ts);
		if (delay * 2 < rtt) {
			ev(j, "%s: RST %s after the %s's %s (%s), under half "
			    "the %s's handshake round trip (%s)",
			    frame_ref(j, r->frame).s, dur(delay).s,
			    side_name(tcp_dir_other(x)),
			    seg_desc(t->rst0_prev_len, t->rst0_prev_flags).s,
			    frame_ref(j, t->rst0_prev_frame).s, who, dur(rtt).s);
			nsig++;
			weak++;
		}
	}

	/* 7. Stateless: a live socket that negotiated timestamps puts them
	 * on its RST too (RFC 7323 3.2; Linux does). Weak alone: a host
	 * that lost the state answers the same way. Not after the sender's
	 * own FIN: data reaching a socket its application closed is answered
	 * without timestamps (seen from Dovecot on Linux). */
	if (t->rst0_established && ex->ttl_samples > 0 &&
	    !(ex->fin_seen && ex->fin_ts <= r->ts) &&
	    ex->ts_pkts == ex->ttl_samples && !r->has_ts) {
		ev(j, "%s: RST without TCP timestamps, though the %s's %s "
		    "carried them", frame_ref(j, r->frame).s, who,
		    count_others(ex->ttl_samples).s);
		nsig++;
		weak++;
	}

	/*
	 * The sender's own IP-ID counter, continued, at its own TTL: a
	 * device on the path does not know that counter. It outweighs the
	 * signals that an ordinary closing socket also gives (a sequence
	 * number off by what the capture missed, a quick answer, no
	 * timestamps), not the ones no endpoint gives.
	 */
	if (weak > 0 && ipid_continues && ttl_own) {
		ev(j, "%s: RST IP-ID %u continues the %s's own counter (last %u) "
		    "at its TTL %u: sent by the %s itself, which outweighs the "
		    "signal%s above", frame_ref(j, r->frame).s,
		    (unsigned)r->ip_id, who, (unsigned)t->rst0_ipid_ref,
		    (unsigned)r->ttl, who, plural(weak));
		nsig -= weak;
	}
	return nsig;
}

/* The first RST ended the connection (rst or refused): who sent it. */
static void
judge_rst(struct judge *j)
{
	const struct tcp_rst *r = &j->t->rst[0];
	struct tcp_outcome *out = j->out;
	const char *who = side_name(r->dir);
	unsigned nsig;

	out->end_frame = r->frame;
	out->end_ts = r->ts;
	out->end_by = dir_side(r->dir);
	j->reserve = 1;
	nsig = rst_signals(j);
	j->reserve = 0;
	out->rst_signals = nsig;
	if (nsig >= 2) {
		out->end_by = TCP_SIDE_MIDDLEBOX;
		out->inferred = true;
		ev(j, "inferred: a middlebox sent the RST, not the %s "
		    "(%u independent signals)", who, nsig);
	} else if (nsig == 1) {
		out->middlebox_suspected = true;
		ev(j, "one signal only: a middlebox is suspected, not inferred; "
		    "the RST is counted as the %s's", who);
	}
}

static void
finish_rst(struct judge *j)
{
	const struct tcp_track *t = j->t;
	const struct tcp_rst *r = &t->rst[0];

	j->out->end = TCP_END_RST;
	if (t->rst0_prev_frame != 0)
		ev(j, "%s: %s from the %s's address %s after the %s's %s (%s)",
		    frame_ref(j, r->frame).s, rst_name(r), side_name(r->dir),
		    dur(ts_diff(r->ts, r->dir == TCP_DIR_S2C ?
		    t->last_c2s_before_rst : t->last_s2c_before_rst)).s,
		    side_name(tcp_dir_other(r->dir)),
		    seg_desc(t->rst0_prev_len, t->rst0_prev_flags).s,
		    frame_ref(j, t->rst0_prev_frame).s);
	else
		ev(j, "%s: %s from the %s's address, nothing seen from the %s "
		    "before it", frame_ref(j, r->frame).s, rst_name(r),
		    side_name(r->dir), side_name(tcp_dir_other(r->dir)));
	judge_rst(j);
}

/* Client SYN(s), and the server's first word was a RST. */
static bool
is_refused(const struct tcp_track *t)
{
	const struct tcp_endpoint *s = &t->ep[TCP_DIR_S2C];

	return t->syns > 0 && !t->synack_seen && t->nrst > 0 &&
	    t->rst[0].dir == TCP_DIR_S2C && s->first_frame == t->rst[0].frame &&
	    t->rst0_prev_frame != 0;
}

static void
finish_refused(struct judge *j)
{
	const struct tcp_track *t = j->t;
	const struct tcp_rst *r = &t->rst[0];
	const struct tcp_endpoint *c = &t->ep[TCP_DIR_C2S];
	bool ack_ok;

	j->out->end = TCP_END_REFUSED;
	/* RFC 9293 3.10.7.1: the answer to a SYN on a closed port acks
	 * ISN+1. */
	ack_ok = (r->flags & PKT_TCP_ACK) != 0 && r->ack == c->isn + 1;
	ev(j, "%s: %s from the server's address %s after the client's %s "
	    "(%s), no SYN-ACK%s", frame_ref(j, r->frame).s, rst_name(r),
	    dur(ts_diff(r->ts, t->last_c2s_before_rst)).s,
	    seg_desc(t->rst0_prev_len, t->rst0_prev_flags).s,
	    frame_ref(j, t->rst0_prev_frame).s,
	    ack_ok ? "" : "; it does not ack the client's ISN+1");
	judge_rst(j);
}

static void
finish_no_answer(struct judge *j)
{
	const struct tcp_track *t = j->t;

	j->out->end = TCP_END_NO_ANSWER;
	if (t->syns == 1)
		ev(j, "%s: 1 SYN from the client, not answered",
		    frame_ref(j, t->syn_frame).s);
	else
		ev(j, "%s: %lu SYNs from the client over %s, none answered",
		    frame_range(j, t->syn_frame, t->syn_last_frame).s,
		    (unsigned long)t->syns,
		    dur(ts_diff(t->syn_last_ts, t->syn_ts)).s);
}

static void
finish_fin(struct judge *j)
{
	const struct tcp_track *t = j->t;
	enum tcp_dir x = (enum tcp_dir)t->first_close_dir;
	const struct tcp_endpoint *ex = &t->ep[x];
	const struct tcp_endpoint *eo = &t->ep[tcp_dir_other(x)];
	struct tcp_outcome *out = j->out;
	const struct tcp_rst *r = &t->rst[0];
	unsigned nsig;

	out->end = TCP_END_FIN;
	out->end_by = dir_side(x);
	out->end_frame = ex->fin_frame;
	out->end_ts = ex->fin_ts;
	if (out->missing != TCP_SIDE_NONE)
		ev(j, "%s: FIN from the %s, the first in the capture (the "
		    "other side's packets are not in it: which closed first "
		    "cannot be told)", frame_ref(j, ex->fin_frame).s,
		    side_name(x));
	else
		ev(j, "%s: FIN from the %s, first to close",
		    frame_ref(j, ex->fin_frame).s, side_name(x));
	if (eo->fin_seen && t->fin_order_swapped)
		ev(j, "%s: the %s's FIN, captured before it, acknowledges it: "
		    "it followed (the capture holds the two directions out of "
		    "order)", frame_ref(j, eo->fin_frame).s,
		    side_name(tcp_dir_other(x)));
	else if (eo->fin_seen)
		ev(j, "%s: the %s's FIN followed", frame_ref(j, eo->fin_frame).s,
		    side_name(tcp_dir_other(x)));
	if (t->nrst == 0)
		return;
	/* A RST after the FIN does not change who closed, but it is told. */
	ev(j, "%s: %s from the %s's address after the %s's FIN (%s)",
	    frame_ref(j, r->frame).s, rst_name(r), side_name(r->dir),
	    side_name(x), frame_ref(j, ex->fin_frame).s);
	j->reserve = 1;
	nsig = rst_signals(j);
	j->reserve = 0;
	out->rst_signals = nsig;
	if (nsig > 0)
		out->middlebox_suspected = true;
	if (nsig >= 2)
		ev(j, "that RST was likely sent by a middlebox, not the %s "
		    "(%u signals); the FIN still decides", side_name(r->dir),
		    nsig);
}

static void
finish_unclosed(struct judge *j, enum tcp_finish why, ta_time now)
{
	const struct tcp_track *t = j->t;

	switch (why) {
	case TCP_FINISH_IDLE:
		j->out->end = TCP_END_TIMEOUT;
		ev(j, "idle for %s after the last packet (%s)",
		    dur(ts_diff(now, t->last_ts)).s,
		    frame_ref(j, t->last_frame).s);
		break;
	case TCP_FINISH_EVICTED:
		j->out->end = TCP_END_OPEN;
		ev(j, "evicted: the connection table was full, last packet %s",
		    frame_ref(j, t->last_frame).s);
		break;
	case TCP_FINISH_REUSED:
		j->out->end = TCP_END_OPEN;
		ev(j, "a new SYN reused the address and ports, last packet "
		    "of this connection %s", frame_ref(j, t->last_frame).s);
		break;
	case TCP_FINISH_CLOSED:
		j->out->end = TCP_END_OPEN;
		ev(j, "closed by the flow table with no FIN or RST seen, "
		    "last packet %s", frame_ref(j, t->last_frame).s);
		break;
	case TCP_FINISH_CAPTURE_END:
	default:
		j->out->end = TCP_END_OPEN;
		ev(j, "capture ended with the connection open, last packet %s",
		    frame_ref(j, t->last_frame).s);
		break;
	}
}

/* How far the other side acknowledged d's stream, from where the capture
 * first placed it: its SYN, the SYN-ACK's ack (client), or the first ack
 * seen. */
static void
judge_acked(const struct tcp_track *t, enum tcp_dir d, struct tcp_outcome *out)
{
	const struct tcp_endpoint *e = &t->ep[d];
	const struct tcp_endpoint *o = &t->ep[tcp_dir_other(d)];
	uint32_t base, n;

	if (!o->ack_known)
		return;
	if (e->syn_seen)
		base = e->isn;
	else if (d == TCP_DIR_C2S && t->synack_ack_known)
		base = t->synack_ack - 1;
	else
		base = o->ack_first - 1;
	n = o->ack_max - base;
	if (n >= 0x80000000u)
		return;
	out->acked_known[d] = true;
	out->acked[d] = n;
	out->acked_frame[d] = o->ack_max_frame;
}

/* A probe, told from this connection's shape alone (enum tcp_probe). */
static enum tcp_probe
judge_probe(const struct tcp_track *t)
{
	const struct tcp_endpoint *c = &t->ep[TCP_DIR_C2S];
	const struct tcp_endpoint *s = &t->ep[TCP_DIR_S2C];
	uint8_t f;

	if (c->payload_bytes > 0 || s->payload_bytes > 0)
		return TCP_PROBE_NONE;
	if (c->ttl_samples == 0 && s->ttl_samples == 0)
		return t->nrst > 0 ? TCP_PROBE_LONE_RST : TCP_PROBE_NONE;
	/* FIN, NULL, Xmas: the client's packets open nothing, the server
	 * answers with RSTs or not at all. */
	if (t->syns == 0 && !t->synack_seen && c->ttl_samples > 0 &&
	    c->probe_only && s->ttl_samples == 0) {
		f = c->probe_flags & (uint8_t)~(PKT_TCP_ECE | PKT_TCP_CWR);
		if (f == 0)
			return TCP_PROBE_NULL_SCAN;
		if (f == PKT_TCP_FIN)
			return TCP_PROBE_FIN_SCAN;
		return TCP_PROBE_XMAS_SCAN;
	}
	/* The client answers the SYN-ACK with its RST: half-open. */
	if (t->syns > 0 && t->synack_seen && !t->ack_seen && t->nrst > 0 &&
	    t->rst[0].dir == TCP_DIR_C2S && t->rst[0].ts >= t->synack_ts &&
	    !c->fin_seen && !s->fin_seen)
		return TCP_PROBE_SYN_SCAN;
	/* Connected, and reset by the client at once, nothing said. */
	if (t->syns > 0 && t->synack_seen && t->ack_seen && t->nrst > 0 &&
	    t->rst[0].dir == TCP_DIR_C2S && t->first_close == PKT_TCP_RST &&
	    t->rst[0].ts >= t->ack_ts &&
	    t->rst[0].ts - t->ack_ts <= PROBE_RST_NS)
		return TCP_PROBE_CONNECT_SCAN;
	return TCP_PROBE_NONE;
}

/* What the capture holds of the connection, as opposed to what happened on
 * the wire: a direction missing altogether, a start not captured. */
static void
judge_capture(const struct tcp_track *t, struct tcp_outcome *out)
{
	const struct tcp_endpoint *c = &t->ep[TCP_DIR_C2S];
	const struct tcp_endpoint *s = &t->ep[TCP_DIR_S2C];

	judge_acked(t, TCP_DIR_C2S, out);
	judge_acked(t, TCP_DIR_S2C, out);
	out->midstream = t->syns == 0 && !t->synack_seen && t->frames > 0;
	/* A non-SYN ACK from one side proves the other side sent (at least
	 * its SYN-ACK or SYN); a SYN-ACK proves the client's SYN. */
	if (s->pkts == 0 && c->ack_pkts > 0)
		out->missing = TCP_SIDE_SERVER;
	else if (c->pkts == 0 && (s->ack_pkts > 0 || t->synack_seen))
		out->missing = TCP_SIDE_CLIENT;
	out->probe = judge_probe(t);
	out->ts_damage_frame = t->ts_back_frame;
	out->ts_damage_ns = t->ts_back_ns;
	if (syn_rtt_absurd(t)) {
		out->ts_jump_frame = t->synack_frame;
		out->ts_jump_syn_frame = t->syn_frame;
		out->ts_jump_ns = t->synack_ts - t->syn_ts;
	}
	out->ts_damaged = t->ts_back_frame != 0 || out->ts_jump_frame != 0;
}

/* The evidence lines of judge_capture. */
static void
explain_capture(struct judge *j)
{
	const struct tcp_track *t = j->t;
	const struct tcp_outcome *out = j->out;
	enum tcp_dir gone, seen;

	if (out->missing != TCP_SIDE_NONE) {
		gone = out->missing == TCP_SIDE_SERVER ? TCP_DIR_S2C : TCP_DIR_C2S;
		seen = tcp_dir_other(gone);
		if (out->acked_known[gone] && out->acked[gone] > 1)
			ev(j, "the %s's direction is not in the capture: the %s "
			    "acknowledged its stream up to relative ack %llu "
			    "(%s), none of it captured: one direction only "
			    "(asymmetric routing, a one-way span)",
			    side_name(gone), side_name(seen),
			    (unsigned long long)out->acked[gone],
			    frame_ref(j, out->acked_frame[gone]).s);
		else if (gone == TCP_DIR_C2S && t->synack_seen)
			ev(j, "the client's direction is not in the capture: the "
			    "server's SYN-ACK (%s) answers a SYN the capture does "
			    "not hold: one direction only (asymmetric routing, a "
			    "one-way span)",
			    frame_ref(j, t->synack_frame).s);
		else
			ev(j, "the %s's direction is not in the capture: the %s's "
			    "acknowledgements (first %s) prove it sent: one "
			    "direction only (asymmetric routing, a one-way span)",
			    side_name(gone), side_name(seen),
			    frame_ref(j, t->ep[seen].first_frame).s);
		return;
	}
	if (out->midstream)
		ev(j, "no SYN or SYN-ACK captured: the capture starts "
		    "mid-connection (first packet %s)",
		    frame_ref(j, conn_first_frame(t)).s);
	else if (t->syns == 0 && t->synack_seen)
		ev(j, "no SYN from the client captured: the capture starts at "
		    "the server's SYN-ACK (%s)", frame_ref(j, t->synack_frame).s);
}

static void
judge(const struct tcp_track *t, enum tcp_finish why, ta_time now,
      struct tcp_outcome *out, bool text)
{
	struct judge j;

	/* The lines past nevidence are never read: 1.6 KiB not to clear. */
	memset(out, 0, offsetof(struct tcp_outcome, evidence));
	out->track = t;
	out->why = why;
	out->now = now;
	out->explained = text;
	j.t = t;
	j.out = out;
	j.base_file = TA_FRAME_FILE(conn_first_frame(t));
	j.reserve = 0;
	j.text = text;

	out->frames = t->frames;
	out->end_frame = t->last_frame;
	out->end_ts = t->last_ts;
	out->end_by = TCP_SIDE_NONE;
	out->handshake_seen = t->handshake_seen;
	judge_capture(t, out);
	/* A clock that stepped back, jumped or stood still makes any round
	 * trip a lie. */
	if (t->handshake_seen && t->synack_ts >= t->syn_ts &&
	    !out->ts_damaged && !clock_frozen(t)) {
		out->rtt_known = true;
		out->syn_rtt_ms = (double)(t->synack_ts - t->syn_ts) /
		    (double)TA_NS_PER_MS;
	}
	if (t->ack_seen && t->ack_ts >= t->synack_ts && !out->ts_damaged &&
	    !clock_frozen(t)) {
		out->client_rtt_known = true;
		out->client_rtt_ms = (double)(t->ack_ts - t->synack_ts) /
		    (double)TA_NS_PER_MS;
	}
	if (t->syns > 0 && t->ep[TCP_DIR_S2C].pkts == 0 &&
	    out->missing != TCP_SIDE_SERVER)
		finish_no_answer(&j);
	else if (is_refused(t))
		finish_refused(&j);
	else if (t->first_close == PKT_TCP_FIN)
		finish_fin(&j);
	else if (t->first_close == PKT_TCP_RST)
		finish_rst(&j);
	else
		finish_unclosed(&j, why, now);

	if (t->outlived_rst_frame != 0) {
		enum tcp_dir x = (enum tcp_dir)t->outlived_rst_dir;

		ev(&j, "%s: RST with the %s's address, outlived (it sent "
		    "again at %s, the %s answered at %s): it ended nothing; "
		    "not the %s's own (forged on the path, or stale)",
		    frame_ref(&j, t->outlived_rst_frame).s, side_name(x),
		    frame_ref(&j, t->outlived_after_frame).s,
		    side_name(tcp_dir_other(x)),
		    frame_ref(&j, t->outlived_answer_frame).s, side_name(x));
		out->middlebox_suspected = true;
	}
	if (t->rst_payload.frame != 0 && text) {
		char d[128];

		tcp_rst_payload_desc(&t->rst_payload, d, sizeof d);
		ev(&j, "%s: the RST carries %u bytes of payload, %s (load "
		    "balancers and firewalls write their reset cause there)",
		    frame_ref(&j, t->rst_payload.frame).s,
		    (unsigned)t->rst_payload.len, d);
	}
	explain_capture(&j);
}

void
tcp_track_finish(const struct tcp_track *t, enum tcp_finish why, ta_time now,
                 struct tcp_outcome *out)
{
	judge(t, why, now, out, false);
}

const struct tcp_outcome *
tcp_track_explain(const struct tcp_outcome *o, struct tcp_outcome *buf)
{
	if (o->track == NULL || o->explained)
		return o;
	/* The same judgement again, on the same facts: the same decision,
	 * now with its lines. */
	judge(o->track, o->why, o->now, buf, true);
	return buf;
}
