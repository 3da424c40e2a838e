/* tcp_track.c: what TCP did on one connection, kept packet by packet for tcp_judge.c to judge (RFC 9293 3.4, 3.10.7). */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "util/fmt.h"
#include "tcp/tcp_track.h"
#include "tcp/tcp_track_int.h"

/* RFC 9293 3.4: sequence numbers compare modulo 2^32. */
static bool
seq_after(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}

static bool
ipid_counter(const struct tcp_endpoint *ep)
{
	return ep->ipid_known && ep->ipid_steps_ok > 0 &&
	    ep->ipid_steps_bad == 0;
}

static void
note_ipid(struct tcp_endpoint *ep, uint16_t id)
{
	uint16_t step;

	/* Linux sends its SYN-ACK and every socketless reply with IP-ID 0
	 * and DF (seen on 6.x), so a zero says nothing about the counter. */
	if (id == 0) {
		if (!ep->ipid_known)
			ep->ipid_zero = true;
		return;
	}
	if (ep->ipid_known) {
		step = (uint16_t)(id - ep->ipid_last);
		if (step == 0) {
			/* the same packet captured twice: no step */
		} else if (step <= IPID_WINDOW) {
			if (ep->ipid_steps_ok < UINT8_MAX)
				ep->ipid_steps_ok++;
		} else if (ep->ipid_steps_bad < UINT8_MAX) {
			ep->ipid_steps_bad++;
		}
	}
	ep->ipid_known = true;
	ep->ipid_last = id;
	ep->ipid_zero = false;
}

/* The flags of a FIN, NULL or Xmas scan probe (ECN bits aside). */
static bool
is_probe_flags(uint8_t fl)
{
	uint8_t f = fl & (uint8_t)~(PKT_TCP_ECE | PKT_TCP_CWR);

	return f == 0 || f == PKT_TCP_FIN ||
	    f == (PKT_TCP_FIN | PKT_TCP_PSH | PKT_TCP_URG);
}

/* Both ends on one host: 127.0.0.0/8, ::1, or one address twice. */
static bool
is_loopback(const struct pkt *p)
{
	static const uint8_t v6_lo[16] = { [15] = 1 };

	if (p->src.family != 4 && p->src.family != 6)
		return false;
	if (pkt_addr_eq(&p->src, &p->dst))
		return true;
	if (p->src.family == 4)
		return p->src.a[0] == 127 && p->dst.a[0] == 127;
	return memcmp(p->src.a, v6_lo, 16) == 0 &&
	    memcmp(p->dst.a, v6_lo, 16) == 0;
}

static void
note_rst(struct tcp_track *t, enum tcp_dir dir, const struct pkt *p,
         ta_time ts, ta_frame frame)
{
	struct tcp_endpoint *ep = &t->ep[dir];
	const struct tcp_endpoint *op = &t->ep[tcp_dir_other(dir)];
	struct tcp_rst *r;

	if (t->nrst == 0) {
		/* Freeze what the sender looked like up to here: packets it
		 * sends later must not move the baselines the RST is judged
		 * against. */
		t->rst0_established = t->established;
		t->rst0_seq_known = ep->seq_known;
		t->rst0_seq_ref = ep->snd_next;
		t->rst0_ipid_ref = ep->ipid_last;
		t->rst0_ipid_counter = ipid_counter(ep);
		t->rst0_after_own_fin = ep->fin_seen;
		t->rst0_after_other_fin = op->fin_seen;
		t->rst0_peer_ack_known = op->ack_known;
		t->rst0_peer_ack = op->ack_max;
		if (t->ep[TCP_DIR_C2S].pkts > 0)
			t->last_c2s_before_rst = t->ep[TCP_DIR_C2S].last_ts;
		if (t->ep[TCP_DIR_S2C].pkts > 0)
			t->last_s2c_before_rst = t->ep[TCP_DIR_S2C].last_ts;
		if (op->pkts > 0) {
			t->rst0_prev_frame = op->last_frame;
			t->rst0_prev_len = op->last_len;
			t->rst0_prev_flags = op->last_flags;
		}
		if (t->first_close == 0) {
			t->first_close = PKT_TCP_RST;
			t->first_close_dir = (uint8_t)dir;
		}
	}
	if (t->nrst < TCP_TRACK_MAX_RST) {
		r = &t->rst[t->nrst];
		r->dir = dir;
		r->frame = frame;
		r->ts = ts;
		r->seq = p->seq;
		r->ack = p->ack;
		r->flags = p->flags;
		r->ttl = p->ttl;
		r->ip_id = p->ip_id;
		r->has_ts = p->has_ts;
		r->ip_df = p->ip_df;
	}
	if (t->nrst < UINT32_MAX)
		t->nrst++;
	ep->rst_sent = true;
	tcp_rst_payload_keep(&t->rst_payload, p, frame);
}

void
tcp_rst_payload_keep(struct tcp_rst_payload *k, const struct pkt *p,
                     ta_frame frame)
{
	size_t n = p->payload.n < TCP_RST_PAYLOAD_KEPT ? p->payload.n :
	    TCP_RST_PAYLOAD_KEPT;

	if (p->payload_len == 0 || k->frame != 0)
		return;
	k->frame = frame;
	k->len = p->payload_len > UINT16_MAX ? UINT16_MAX :
	    (uint16_t)p->payload_len;
	memcpy(k->b, p->payload.p, n);
	k->n = (uint8_t)n;
}

/* A RST's payload as a reader should see it (tcp_track.h). */
void
tcp_rst_payload_desc(const struct tcp_rst_payload *k, char *buf, size_t len)
{
	const uint8_t *q = k->b;
	size_t n = k->n, wire = k->len, o = 0, i;
	bool text = n > 0;

	for (i = 0; i < n; i++)
		if (q[i] < 0x20 || q[i] >= 0x7f)
			text = false;
	if (n >= 2 && q[0] == 0x33 && q[1] == 0xaa)
		o = (size_t)fmt_snprintf(buf, len, "the RST diagnostic format "
		    "(magic 0x33aa), bytes ");
	else if (text) {
		(void)fmt_snprintf(buf, len, "\"%.*s%s\"", (int)n,
		    (const char *)q, n < wire ? "..." : "");
		return;
	}
	for (i = 0; i < n && o < len; i++)
		o += (size_t)fmt_snprintf(buf + o, len - o, "%s%02x",
		    i > 0 ? " " : "", (unsigned)q[i]);
	if (n < wire && o < len)
		(void)fmt_snprintf(buf + o, len - o, " ...");
}

/*
 * Both ends went on after the first RST: its address sent again (not a
 * retransmitted FIN), and now the other end answers. A socket that sent
 * that RST is gone and its peer would have dropped the connection: the RST
 * ended nothing (an injected or stale one). It is kept for the evidence and
 * the judgement of RSTs starts over from here.
 */
static void
forget_outlived_rst(struct tcp_track *t, ta_frame answer)
{
	enum tcp_dir x = t->rst[0].dir;
	struct tcp_endpoint *ex = &t->ep[x];

	if (t->outlived_rst_frame == 0) {
		t->outlived_rst_frame = t->rst[0].frame;
		t->outlived_rst_dir = (uint8_t)x;
		t->outlived_after_frame = ex->after_rst_frame;
		t->outlived_answer_frame = answer;
	}
	t->nrst = 0;
	memset(t->rst, 0, sizeof t->rst);
	t->rst0_prev_frame = 0;
	t->rst0_prev_len = 0;
	t->rst0_prev_flags = 0;
	for (unsigned d = 0; d < 2; d++) {
		t->ep[d].rst_sent = false;
		t->ep[d].pkts_after_rst = 0;
		t->ep[d].data_after_rst = 0;
		t->ep[d].after_rst_frame = 0;
	}
	if (t->first_close == PKT_TCP_RST)
		t->first_close = 0;
}

static void
note_segment(struct tcp_track *t, enum tcp_dir dir, const struct pkt *p,
             ta_time ts, ta_frame frame)
{
	struct tcp_endpoint *ep = &t->ep[dir];
	uint8_t fl = p->flags;
	bool retrans_fin, probe;
	uint32_t end;

	/* A socket in FIN-WAIT or LAST-ACK retransmits its FIN even after
	 * the peer's RST was sent: that is not "still talking". */
	retrans_fin = (fl & PKT_TCP_FIN) != 0 && p->payload_len == 0 &&
	    ep->fin_seen;
	if (ep->rst_sent && !retrans_fin) {
		if (ep->pkts_after_rst == 0)
			ep->after_rst_frame = frame;
		ep->pkts_after_rst++;
		if (p->payload_len > 0)
			ep->data_after_rst++;
	}
	if (t->nrst > 0 && t->rst[0].dir != dir && !retrans_fin &&
	    t->ep[t->rst[0].dir].pkts_after_rst > 0)
		forget_outlived_rst(t, frame);

	probe = (fl & (PKT_TCP_SYN | PKT_TCP_ACK | PKT_TCP_RST)) == 0 &&
	    p->payload_len == 0 && is_probe_flags(fl);
	if (ep->ttl_samples == 0) {
		ep->probe_only = probe;
		ep->probe_flags = fl;
	} else if (!probe) {
		ep->probe_only = false;
	}
	if ((fl & PKT_TCP_ACK) != 0 && (fl & PKT_TCP_SYN) == 0) {
		if (!ep->ack_known || seq_after(p->ack, ep->ack_max)) {
			ep->ack_max = p->ack;
			ep->ack_max_frame = frame;
		}
		if (!ep->ack_known)
			ep->ack_first = p->ack;
		ep->ack_known = true;
		if (ep->ack_pkts < UINT32_MAX)
			ep->ack_pkts++;
	}

	if (ep->ttl_samples == 0) {
		ep->ttl_first = p->ttl;
		ep->ttl_min = p->ttl;
		ep->ttl_max = p->ttl;
	} else if (p->ttl < ep->ttl_min) {
		ep->ttl_min = p->ttl;
	} else if (p->ttl > ep->ttl_max) {
		ep->ttl_max = p->ttl;
	}
	ep->ttl_samples++;
	if (p->has_ts)
		ep->ts_pkts++;
	if (p->ip_version == 4)
		note_ipid(ep, p->ip_id);

	if ((fl & PKT_TCP_SYN) != 0) {
		ep->syn_seen = true;
		ep->isn = p->seq;
		if (dir == TCP_DIR_C2S && (fl & PKT_TCP_ACK) == 0) {
			if (t->syns == 0) {
				t->syn_ts = ts;
				t->syn_frame = frame;
			}
			t->syns++;
			/* The SYN-ACK answers the latest SYN, not the first. */
			if (!t->synack_seen) {
				t->syn_last_ts = ts;
				t->syn_last_frame = frame;
			}
		} else if (dir == TCP_DIR_S2C && (fl & PKT_TCP_ACK) != 0 &&
		    !t->synack_seen) {
			t->synack_seen = true;
			t->synack_ts = ts;
			t->synack_frame = frame;
			t->handshake_seen = t->syns > 0;
			t->synack_ack = p->ack;
			t->synack_ack_known = true;
		}
	} else if ((fl & PKT_TCP_ACK) != 0) {
		t->established = true;
		if (dir == TCP_DIR_C2S && t->synack_seen && !t->ack_seen) {
			t->ack_seen = true;
			t->ack_ts = ts;
		}
	}

	/* SYN and FIN each take one sequence number (RFC 9293 3.4). */
	end = p->seq + p->payload_len + (uint32_t)((fl & PKT_TCP_SYN) != 0) +
	    (uint32_t)((fl & PKT_TCP_FIN) != 0);
	if (!ep->seq_known || seq_after(end, ep->snd_next)) {
		ep->snd_next = end;
		ep->seq_known = true;
	}

	if ((fl & PKT_TCP_FIN) != 0 && !ep->fin_seen) {
		ep->fin_seen = true;
		ep->fin_frame = frame;
		ep->fin_ts = ts;
		if (t->first_close == 0) {
			t->first_close = PKT_TCP_FIN;
			t->first_close_dir = (uint8_t)dir;
			t->first_fin_acks = (fl & PKT_TCP_ACK) != 0;
			t->first_fin_ack = p->ack;
		} else if (t->first_close == PKT_TCP_FIN &&
		           t->first_close_dir != (uint8_t)dir &&
		           t->first_fin_acks && !t->fin_order_swapped &&
		           seq_after(t->first_fin_ack,
		                     p->seq + p->payload_len)) {
			/* The FIN captured first had received this one (its
			 * sequence number, RFC 9293 3.4): this side closed
			 * first. */
			t->first_close_dir = (uint8_t)dir;
			t->fin_order_swapped = true;
		}
	}
}

void
tcp_track_init(struct tcp_track *t)
{
	memset(t, 0, sizeof *t);
}

void
tcp_track_packet(struct tcp_track *t, enum tcp_dir dir, const struct pkt *p,
                 ta_time ts, ta_frame frame)
{
	struct tcp_endpoint *ep = &t->ep[dir];

	if (t->ip_version == 0) {
		t->ip_version = p->ip_version;
		t->loopback = is_loopback(p);
	}
	if (t->frames > 0 && ts + TCP_TS_BACK_NS < t->last_ts) {
		if (t->ts_back_frame == 0)
			t->ts_back_frame = frame;
		if (t->last_ts - ts > t->ts_back_ns)
			t->ts_back_ns = t->last_ts - ts;
	}
	/* The handlers see the endpoints as they were before this packet. */
	if ((p->flags & PKT_TCP_RST) != 0)
		note_rst(t, dir, p, ts, frame);
	else
		note_segment(t, dir, p, ts, frame);

	if (ep->pkts == 0) {
		ep->first_ts = ts;
		ep->first_frame = frame;
	}
	if (ep->pkts < UINT32_MAX)
		ep->pkts++;
	ep->payload_bytes += p->payload_len;
	ep->last_ts = ts;
	ep->last_frame = frame;
	ep->last_len = p->payload_len;
	ep->last_flags = p->flags;
	/* Frames, not packets: the packets of an 802.11 A-MSDU share one. */
	if (t->frames < UINT32_MAX && (t->frames == 0 || frame != t->last_frame))
		t->frames++;
	t->last_ts = ts;
	t->last_frame = frame;
}

bool
tcp_track_client_start(const struct tcp_track *t, uint32_t *seq)
{
	if (!t->synack_ack_known)
		return false;
	*seq = t->synack_ack;
	return true;
}

bool
tcp_track_closed(const struct tcp_track *t)
{
	return t->nrst > 0 ||
	    (t->ep[TCP_DIR_C2S].fin_seen && t->ep[TCP_DIR_S2C].fin_seen);
}

const char *
tcp_end_str(enum tcp_end e)
{
	switch (e) {
	case TCP_END_OPEN:
		return "open";
	case TCP_END_FIN:
		return "fin";
	case TCP_END_RST:
		return "rst";
	case TCP_END_TIMEOUT:
		return "timeout";
	case TCP_END_NO_ANSWER:
		return "no-answer";
	case TCP_END_REFUSED:
		return "refused";
	}
	return "open";
}

const char *
tcp_probe_str(enum tcp_probe p)
{
	switch (p) {
	case TCP_PROBE_SYN_SCAN:
		return "syn-scan";
	case TCP_PROBE_FIN_SCAN:
		return "fin-scan";
	case TCP_PROBE_NULL_SCAN:
		return "null-scan";
	case TCP_PROBE_XMAS_SCAN:
		return "xmas-scan";
	case TCP_PROBE_CONNECT_SCAN:
		return "connect-scan";
	case TCP_PROBE_LONE_RST:
		return "lone-rst";
	case TCP_PROBE_NONE:
		break;
	}
	return NULL;
}

const char *
tcp_side_str(enum tcp_side s)
{
	switch (s) {
	case TCP_SIDE_CLIENT:
		return "client";
	case TCP_SIDE_SERVER:
		return "server";
	case TCP_SIDE_MIDDLEBOX:
		return "middlebox";
	case TCP_SIDE_NONE:
		break;
	}
	return NULL;
}
