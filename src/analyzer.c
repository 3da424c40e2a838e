/* analyzer.c: capture -> decode -> flow -> TCP, and facts per connection. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"
#include "report/export.h"
#include "pkt.h"
#include "sniff.h"
#include "session/session.h"
#include "tcp/encap.h"
#include "util/fmt.h"

struct analyzer {
	struct analyzer_config cfg;
	struct flow_table *flows;
	analyzer_conn_fn out;
	void *ctx;
	struct analyzer_stats st;
	struct probes probes;
	struct port_census census;
	ta_time now;             /* latest capture time seen */
	/* The frame of several packets (an A-MSDU) last written to -w, and
	 * for which connection: the next packet of it for the same one does
	 * not write it again. */
	ta_frame multi_frame;
	const struct conn *multi_conn;
	void (*warn)(void *ctx, const char *msg);
	void *warn_ctx;
	/* Chains clients accepted, and the connections whose verdict waits
	 * for such evidence (cfg.hold), oldest first. */
	struct accepted *accepted;
	struct held {
		struct conn *c;
		struct conn_facts f;
		uint64_t key;
		ta_time until;    /* capture time it is given up at */
		struct accepted_seen seen; /* f.accepted, once found */
	} held[ANALYZER_HOLD_MAX];
	unsigned nheld;
};

void
analyzer_set_warn(struct analyzer *a, void (*warn)(void *ctx, const char *msg),
                  void *ctx)
{
	a->warn = warn;
	a->warn_ctx = ctx;
}

/* A write error of -w, said once. */
static void
export_check(struct analyzer *a, bool ok)
{
	if (!ok && a->warn != NULL)
		a->warn(a->warn_ctx, export_error(a->cfg.export));
}

/* One endpoint as the reports write it: [v6]:port, v4:port. */
static void
endpoint(char *buf, size_t len, const struct pkt_addr *addr, uint16_t port)
{
	char ip[FMT_ADDR_LEN];

	fmt_addr(ip, sizeof ip, addr);
	snprintf(buf, len, addr->family == 6 ? "[%s]:%u" : "%s:%u", ip,
	         (unsigned)port);
}

/*
 * -w: a problem connection's packets go to the file, labelled with its
 * endpoints and verdict (verdict NULL: healthy, let go).
 */
static void
export_decide(struct analyzer *a, struct conn *c, const char *verdict)
{
	struct export *x = a->cfg.export;
	char cl[FMT_ADDR_LEN + 8], sv[FMT_ADDR_LEN + 8], label[160];

	if (x == NULL)
		return;
	if (verdict == NULL || c->xbuf == NULL) {
		export_check(a, export_drop(x, &c->xbuf));
		return;
	}
	endpoint(cl, sizeof cl, &c->caddr, c->cport);
	endpoint(sv, sizeof sv, &c->saddr, c->sport);
	snprintf(label, sizeof label, "%s -> %s %s", cl, sv, verdict);
	export_check(a, export_write(x, &c->xbuf, label, NULL));
}

/* The verdict of a connection whose facts are complete, then its state
 * goes. */
static void
decide(struct analyzer *a, struct conn *c, const struct conn_facts *f)
{
	export_decide(a, c, a->out(a->ctx, f));
	session_free(c->session);
	c->session = NULL;
}

/* Held connection i decided (with what was found for it) and freed. */
static void
release(struct analyzer *a, unsigned i)
{
	struct held *h = &a->held[i];
	struct conn *c = h->c;

	decide(a, c, &h->f);
	flow_release(a->flows, c);
	a->nheld--;
	memmove(&a->held[i], &a->held[i + 1], (a->nheld - i) * sizeof *h);
}

/* A client accepted what key names: the connections that waited for it
 * have their evidence. */
static void
release_accepted(struct analyzer *a, uint64_t key,
                 const struct accepted_seen *seen)
{
	for (unsigned i = 0; i < a->nheld;) {
		/* It must have begun within the window after the held one. */
		if (a->held[i].key != key || seen->first_ts > a->held[i].until) {
			i++;
			continue;
		}
		a->held[i].seen = *seen;
		a->held[i].f.accepted = &a->held[i].seen;
		release(a, i);
	}
}

/* Those that waited long enough are decided on their own facts. */
static void
release_due(struct analyzer *a)
{
	while (a->nheld > 0 && a->held[0].until <= a->now)
		release(a, 0);
}

/* Capture time moved: connections idle too long end, and held verdicts
 * that waited long enough are given. */
static void
expire(struct analyzer *a)
{
	flow_expire(a->flows, a->now);
	if (a->nheld > 0)
		release_due(a);
}

/*
 * A client that completed its handshake on a chain it may have refused
 * after it (cert/accepted.h): what it did on its other connections says
 * whether it did. An acceptance seen before decides now; offline, a later
 * one is waited for. Returns true when c is kept for later.
 */
static bool
cross_check(struct analyzer *a, struct conn *c, struct conn_facts *f,
            struct accepted_seen *found)
{
	uint64_t key = accepted_key(&c->caddr, f->tls, f->cert);
	const struct accepted_seen *s;
	struct held *h;

	if (key == 0 || a->accepted == NULL)
		return false;
	if (f->tls->client_app_data) {
		struct accepted_seen seen = {
			.first_frame = c->first_frame,
			.data_frame = f->tls->client_app_data_frame,
			.first_ts = c->first_ts,
			.last_ts = c->last_ts,
			.cport = c->cport,
		};

		accepted_note(a->accepted, key, &seen);
		release_accepted(a, key, &seen);
		return false;
	}
	/* Within the window before this connection (it ends after the
	 * other one's data: the table holds only connections that ended). */
	s = accepted_find(a->accepted, key);
	if (s != NULL && s->last_ts + ANALYZER_HOLD_NS >= c->first_ts) {
		*found = *s;
		f->accepted = found;
		return false;
	}
	if (!a->cfg.hold)
		return false;
	if (a->nheld == ANALYZER_HOLD_MAX)
		release(a, 0);
	h = &a->held[a->nheld++];
	h->c = c;
	h->f = *f;
	h->key = key;
	/* The window runs from its last packet: it ends its lingering only
	 * with a later packet, which may come long after. */
	h->until = c->last_ts + ANALYZER_HOLD_NS;
	flow_keep(a->flows, c);
	return true;
}

static void
conn_ended(void *ctx, struct conn *c, enum tcp_finish why, ta_time now)
{
	struct analyzer *a = ctx;
	struct conn_facts f;
	struct accepted_seen found;

	memset(&f, 0, sizeof f);
	f.conn = c;
	f.why = why;
	tcp_track_finish(&c->tcp, why, now, &f.tcp);
	/* A scan probe gets no verdict: the run summary counts it. */
	if (probes_judge(&a->probes, &c->caddr, &f.tcp,
	                 c->tcp.ep[TCP_DIR_C2S].payload_bytes > 0 ||
	                 c->tcp.ep[TCP_DIR_S2C].payload_bytes > 0,
	                 now) != TCP_PROBE_NONE) {
		export_decide(a, c, NULL);
		session_free(c->session);
		c->session = NULL;
		return;
	}
	if (c->session != NULL) {
		struct session *s = c->session;
		session_set_time(s, c->last_ts);
		/* What waited behind a hole is still worth parsing. */
		for (int d = 0; d < 2; d++)
			reasm_flush(&c->reasm[d], c->tcp.last_frame,
			            session_sink(),
			            session_sink_ctx(s, (enum tcp_dir)d));
		session_end(s, c->tcp.last_frame);
		f.tls = session_tls(s);
		f.starttls = session_starttls(s);
		f.cert = session_cert(s);
		if (cross_check(a, c, &f, &found))
			return;
	}
	decide(a, c, &f);
}

static void
conn_soon(void *ctx, const struct conn *c)
{
	(void)ctx;
	session_prefetch(c->session);
}

struct analyzer *
analyzer_new(const struct analyzer_config *cfg, analyzer_conn_fn out,
             void *ctx)
{
	struct analyzer *a = calloc(1, sizeof *a);

	if (a == NULL)
		return NULL;
	a->cfg = *cfg;
	probes_init(&a->probes);
	if (a->cfg.idle_timeout == 0)
		a->cfg.idle_timeout = ANALYZER_DEFAULT_IDLE;
	a->out = out;
	a->ctx = ctx;
	a->accepted = accepted_new();
	a->flows = flow_table_new(cfg->max_conns, a->cfg.idle_timeout,
	                          conn_ended, a);
	if (a->flows == NULL) {
		accepted_free(a->accepted);
		free(a);
		return NULL;
	}
	flow_set_soon(a->flows, conn_soon);
	return a;
}

static void
count_skip(struct analyzer *a, enum pkt_skip skip, enum dis_status rc)
{
	switch (skip) {
	case PKT_SKIP_NOT_IP:
		a->st.not_ip++;
		break;
	case PKT_SKIP_NOT_TCP:
		a->st.not_tcp++;
		break;
	case PKT_SKIP_FRAGMENT:
		a->st.fragments++;
		break;
	case PKT_SKIP_TRUNCATED:
		a->st.short_frames++;
		break;
	case PKT_SKIP_MALFORMED:
		a->st.malformed++;
		break;
	case PKT_SKIP_TUNNEL:
		a->st.tunnel_undecoded++;
		break;
	case PKT_SKIP_NONE:
		if (rc == DIS_SHORT)
			a->st.short_frames++;
		else
			a->st.malformed++;
		break;
	}
}

/*
 * Where a direction's byte stream starts: after its SYN; for the server
 * when its SYN-ACK was not captured, at what the client acknowledged of it;
 * for the client when its SYN was not captured, at what the SYN-ACK
 * acknowledged. A direction whose start is known from none of them is
 * mid-stream: its parsers are told so rather than fed bytes from the
 * middle as if they were the start.
 */
/* Where a direction's stream starts; s NULL: the payload is no longer
 * read (only counted), so the session is not told of a mid-stream start. */
static void
start_stream(struct conn *c, struct session *s, enum tcp_dir dir,
             const struct pkt *p, ta_frame frame)
{
	struct reasm *r = &c->reasm[dir];
	const struct tcp_endpoint *ep = &c->tcp.ep[dir];
	uint32_t seq;

	if (r->started)
		return;
	if (ep->syn_seen) {
		reasm_start(r, ep->isn + 1);
		return;
	}
	if (dir == TCP_DIR_S2C && c->server_start_known) {
		reasm_start(r, c->server_start);
		return;
	}
	if (dir == TCP_DIR_C2S && tcp_track_client_start(&c->tcp, &seq)) {
		reasm_start(r, seq);
		return;
	}
	reasm_start(r, p->seq);
	if (s != NULL)
		session_midstream(s, dir, frame);
}

/*
 * Where dir's stream begins in sequence space, when the capture says:
 * after its SYN; the server's at what the client acknowledged of it
 * (server_start); the client's at what the SYN-ACK acknowledged.
 */
static bool
stream_base(const struct conn *c, enum tcp_dir dir, uint32_t *seq)
{
	const struct tcp_endpoint *ep = &c->tcp.ep[dir];

	if (ep->syn_seen) {
		*seq = ep->isn + 1;
		return true;
	}
	if (dir == TCP_DIR_S2C) {
		*seq = c->server_start;
		return c->server_start_known;
	}
	return tcp_track_client_start(&c->tcp, seq);
}

/*
 * The payload's length on the wire: what the IP header says, unless the
 * frame was captured whole (whole) and still holds less: then the header
 * lies (the run summary counts it), and no uncaptured bytes are invented
 * as if the snap length had cut them.
 */
static uint32_t
wire_len(const struct pkt *p, bool whole)
{
	if (whole && (p->anomalies & PKT_A_TRUNCATED))
		return (uint32_t)p->payload.n;
	return p->payload_len;
}

/* The session needs no more payload: reassembly keeps no byte from here
 * on, but goes on counting what the capture lacks (count_streams). */
static void
payload_read(struct conn *c)
{
	reasm_blind(&c->reasm[0]);
	reasm_blind(&c->reasm[1]);
	c->payload_done = true;
}

/* Hand a segment's payload, FIN and ACK to reassembly and the session.
 * whole: the frame was captured to its full length. */
static void
feed_streams(struct analyzer *a, struct conn *c, enum tcp_dir dir,
             const struct pkt *p, bool whole, ta_time ts, ta_frame frame)
{
	enum tcp_dir other = tcp_dir_other(dir);
	struct session *s = c->session;
	uint32_t seq = p->seq + ((p->flags & PKT_TCP_SYN) ? 1u : 0u);
	uint32_t base;

	/* The client's first ACK after its SYN says where the server's
	 * stream begins, even if the SYN-ACK itself was not captured. */
	if (dir == TCP_DIR_C2S && (p->flags & PKT_TCP_ACK) &&
	    !c->server_start_known && c->tcp.ep[TCP_DIR_C2S].syn_seen) {
		c->server_start = p->ack;
		c->server_start_known = true;
	}
	if (s == NULL) {
		if (p->payload_len == 0 || c->session_failed)
			return;
		s = session_new(c->svc, a->cfg.certs);
		if (s == NULL) {
			/* Out of memory: this connection's TCP facts still
			 * stand; its payload is not analysed. */
			c->session_failed = true;
			return;
		}
		c->session = s;
	}
	if (c->payload_done)
		return;
	session_set_time(s, ts);
	/* Each packet runs down the grace of holes already acknowledged;
	 * the segment that fills one is read in its place. Without such a
	 * hole nothing was read since the last packet's check below. */
	if (c->reasm[TCP_DIR_C2S].acked_hole ||
	    c->reasm[TCP_DIR_S2C].acked_hole) {
		reasm_tick(&c->reasm[TCP_DIR_C2S], session_sink(),
		           session_sink_ctx(s, TCP_DIR_C2S));
		reasm_tick(&c->reasm[TCP_DIR_S2C], session_sink(),
		           session_sink_ctx(s, TCP_DIR_S2C));
		if (session_done(s)) {
			payload_read(c);
			return;
		}
	}
	/* What this packet acknowledges of the other stream, before its own
	 * payload: proof of what the other side sent, captured or not. An
	 * ack behind the stream's start or 2^31 ahead of it is no count. */
	if ((p->flags & (PKT_TCP_ACK | PKT_TCP_SYN | PKT_TCP_RST)) ==
	    PKT_TCP_ACK && stream_base(c, other, &base) &&
	    p->ack - base < 0x80000000u)
		session_acked(s, other, p->ack - base, frame);
	if (p->payload_len > 0 || (p->flags & PKT_TCP_FIN)) {
		start_stream(c, s, dir, p, frame);
		if (p->payload_len > 0)
			reasm_segment(&c->reasm[dir], seq, p->payload.p,
			              p->payload.n, wire_len(p, whole), frame,
			              session_sink(), session_sink_ctx(s, dir));
		if (p->flags & PKT_TCP_FIN)
			reasm_fin(&c->reasm[dir], seq + p->payload_len);
	}
	if ((p->flags & PKT_TCP_ACK) && c->reasm[other].started)
		reasm_ack(&c->reasm[other], p->ack, frame, session_sink(),
		          session_sink_ctx(s, other));
	if (session_done(s))
		payload_read(c);
}

/*
 * After payload_read: the sequence and acknowledgement bookkeeping alone
 * (no byte kept or parsed; a segment ahead of a hole costs its range),
 * so that bytes the other side acknowledged and the capture never had
 * still become the connection's gaps (capture-gap), whatever the verdict.
 */
static void
count_streams(struct conn *c, enum tcp_dir dir, const struct pkt *p,
              bool whole, ta_frame frame)
{
	enum tcp_dir other = tcp_dir_other(dir);
	uint32_t seq = p->seq + ((p->flags & PKT_TCP_SYN) ? 1u : 0u);

	if (c->reasm[TCP_DIR_C2S].acked_hole ||
	    c->reasm[TCP_DIR_S2C].acked_hole) {
		reasm_tick(&c->reasm[TCP_DIR_C2S], NULL, NULL);
		reasm_tick(&c->reasm[TCP_DIR_S2C], NULL, NULL);
	}
	if (p->payload_len > 0 || (p->flags & PKT_TCP_FIN)) {
		start_stream(c, NULL, dir, p, frame);
		if (p->payload_len > 0)
			reasm_segment(&c->reasm[dir], seq, p->payload.p,
			              p->payload.n, wire_len(p, whole), frame,
			              NULL, NULL);
		if (p->flags & PKT_TCP_FIN)
			reasm_fin(&c->reasm[dir], seq + p->payload_len);
	}
	if ((p->flags & PKT_TCP_ACK) && c->reasm[other].started)
		reasm_ack(&c->reasm[other], p->ack, frame, NULL, NULL);
}

/*
 * -w keeps a connection's packets from its SYN until its handshake is
 * over. A completed handshake is healthy: its packets are let go at once,
 * so the export's memory holds only connections still negotiating.
 */
static void
export_packet(struct analyzer *a, struct conn *c, const struct cap_pkt *cp)
{
	if (a->cfg.export == NULL || c->export_off)
		return;
	if (c->payload_done && c->session != NULL &&
	    session_handshake_complete(c->session)) {
		export_check(a, export_drop(a->cfg.export, &c->xbuf));
		c->export_off = true;
		return;
	}
	export_keep(a->cfg.export, &c->xbuf, cp);
}

/* What every frame counts for, and the capture time it brings. */
static void
account(struct analyzer *a, const struct cap_pkt *cp, enum dis_status rc,
        enum pkt_skip skip, uint32_t anomalies)
{
	a->st.frames++;
	a->st.bytes += cp->caplen;
	if (a->st.frames == 1)
		a->st.first_ts = cp->ts;
	/* Capture time only moves forward, even if a file's clock stepped
	 * back a little: expiry must never run backwards. A step back by more
	 * than the idle timeout is another clock (pcapng interfaces whose
	 * blocks were written one after the other, days apart): expiry follows
	 * it, or every connection on it would be found idle at its first
	 * packet and cut into one piece per packet. */
	if (cp->ts > a->now || cp->ts + a->cfg.idle_timeout < a->now)
		a->now = cp->ts;
	if (cp->ts > a->st.last_ts)
		a->st.last_ts = cp->ts;
	else if (cp->ts + TCP_TS_BACK_NS < a->st.last_ts) {
		if (a->st.clock_back++ == 0)
			a->st.clock_back_frame = cp->frame;
		if (a->st.last_ts - cp->ts > a->st.clock_back_ns)
			a->st.clock_back_ns = a->st.last_ts - cp->ts;
	}

	if (anomalies & PKT_A_VLAN)
		a->st.vlan++;
	if (anomalies & PKT_A_TUNNEL) {
		a->st.tunnelled++;
		for (unsigned t = 1; t <= PKT_ENC_LAST; t++)
			if (anomalies & PKT_A_ENC(t))
				a->st.by_encap[t]++;
	}
	if (rc != DIS_OK) {
		count_skip(a, skip, rc);
		return;
	}
	a->st.tcp++;
	/* Payload shorter than the IP header says: the snaplen cut it, unless
	 * the whole frame was captured, in which case the header lies. */
	if ((anomalies & PKT_A_TRUNCATED) && cp->caplen < cp->len)
		a->st.payload_cut++;
	else if (anomalies & PKT_A_TRUNCATED)
		a->st.lying_len++;
}

static bool
is_service(const struct analyzer *a, const struct pkt *p)
{
	return service_between(&a->cfg.svc, p->sport, p->dport);
}

/* A TCP segment of a configured service. */
static void
segment(struct analyzer *a, const struct cap_pkt *cp, const struct pkt *p,
        uint32_t hash)
{
	struct conn *c;
	enum tcp_dir dir;

	/* The further packets of a frame that holds several: the frame was
	 * counted with its first. */
	if (p->sub == 0)
		account(a, cp, DIS_OK, p->skip, p->anomalies);
	c = flow_lookup_hashed(a->flows, &a->cfg.svc, p, hash, cp->ts,
	                       cp->frame, &dir);
	if (c == NULL) {
		/* The flow table starts nothing with a RST. */
		if (p->flags & PKT_TCP_RST)
			probes_lone_rst(&a->probes, p, cp->ts, cp->frame);
		goto expire;
	}
	if (c->tcp.frames == 0 && dir == TCP_DIR_C2S &&
	    (p->flags & (PKT_TCP_SYN | PKT_TCP_ACK)) == PKT_TCP_SYN)
		probes_opened(&a->probes, &p->src, &p->dst, p->dport, cp->ts);
	if (p->nencap > 0 || c->encap != NULL)
		(void)conn_encap_note(&c->encap, dir, c->tcp.ep[dir].pkts > 0,
		                      c->tcp.ep[tcp_dir_other(dir)].pkts > 0,
		                      p);
	/* Which interface it was seen on (several, in a pcapng file; past
	 * 2^31 interfaces they are not told apart). */
	if (c->tcp.frames == 0)
		c->iface = cp->iface & 0x7fffffffu;
	else if ((cp->iface & 0x7fffffffu) != c->iface)
		c->iface_mixed = 1;
	tcp_track_packet(&c->tcp, dir, p, cp->ts, cp->frame);
	/* Only while the handshake is being read: afterwards no event of
	 * interest gets a time, and the hot path stays cheap. */
	if ((!c->payload_done && p->payload_len > 0) ||
	    (p->flags & (PKT_TCP_SYN | PKT_TCP_FIN | PKT_TCP_RST)))
		flow_note_time(c, cp->frame, cp->ts);
	/* So is a server's acknowledgement that says the client sent more,
	 * when nothing of the client is in the capture: it stands in for
	 * the client's packets (session_acked; the one-sided rule). */
	else if (!c->payload_done && dir == TCP_DIR_S2C &&
	         c->tcp.ep[TCP_DIR_S2C].ack_max_frame == cp->frame &&
	         c->tcp.ep[TCP_DIR_C2S].pkts == 0)
		flow_note_time(c, cp->frame, cp->ts);
	if (!c->payload_done)
		feed_streams(a, c, dir, p, cp->caplen >= cp->len, cp->ts,
		             cp->frame);
	else
		count_streams(c, dir, p, cp->caplen >= cp->len, cp->frame);
	if (p->nsub <= 1)
		export_packet(a, c, cp);
	else if (a->multi_frame != cp->frame || a->multi_conn != c) {
		export_packet(a, c, cp);
		a->multi_frame = cp->frame;
		a->multi_conn = c;
	}
	flow_touch(a->flows, c, cp->ts);
expire:
	expire(a);
}

void
analyzer_packet(struct analyzer *a, const struct cap_pkt *cp)
{
	struct pkt p;
	enum dis_status rc = pkt_decode_opts(cp->link, cp->data, cp->caplen,
	                                     &a->cfg.decap, &p);
	unsigned n = p.nsub;

	analyzer_decoded(a, cp, rc, &p);
	/* An A-MSDU: each of its other packets in turn, same frame. */
	for (unsigned i = 1; i < n; i++) {
		rc = pkt_decode_sub(cp->link, cp->data, cp->caplen,
		                    &a->cfg.decap, i, &p);
		analyzer_decoded(a, cp, rc, &p);
	}
}

/* A decoded frame; hash: its flow hash when known (has_hash). */
static void
decoded(struct analyzer *a, const struct cap_pkt *cp, enum dis_status rc,
        const struct pkt *p, bool has_hash, uint32_t hash)
{
	if (rc == DIS_OK && is_service(a, p)) {
		segment(a, cp, p, has_hash ? hash : flow_hash_of(a->flows, p));
		return;
	}
	if (rc == DIS_OK && p->payload.n > 0) {
		enum sniff_kind k = sniff_stream_start(p->payload.p,
		                                       p->payload.n);

		analyzer_sniffed(a, k, k == SNIFF_CLIENT_HELLO ? p->dport
		                                               : p->sport);
	}
	if (p->sub > 0)
		analyzer_other_sub(a, rc);
	else
		analyzer_other(a, cp, rc, p->skip, p->anomalies);
}

void
analyzer_decoded(struct analyzer *a, const struct cap_pkt *cp,
                 enum dis_status rc, const struct pkt *p)
{
	decoded(a, cp, rc, p, false, 0);
}

void
analyzer_decoded_hashed(struct analyzer *a, const struct cap_pkt *cp,
                        enum dis_status rc, const struct pkt *p,
                        uint32_t hash)
{
	decoded(a, cp, rc, p, true, hash);
}

/* Below this many open connections, a connection's lines are mostly
 * still cached when its next packet comes, and fetching ahead is work for
 * nothing (measured: a few percent of the analysis thread on the realistic
 * mix, a few hundred connections open; the handshakes mix, thousands open,
 * gains a tenth). */
#define ANALYZER_PREFETCH_CONNS 1024

bool
analyzer_prefetch_pays(const struct analyzer *a)
{
	return flow_count(a->flows) >= ANALYZER_PREFETCH_CONNS;
}

uint32_t
analyzer_flow_hash(const struct analyzer *a, const struct pkt *p)
{
	return flow_hash_of(a->flows, p);
}

void
analyzer_prefetch(const struct analyzer *a, uint32_t hash, bool deep)
{
	flow_prefetch(a->flows, hash, deep);
}

void
analyzer_sniffed(struct analyzer *a, unsigned kind, uint16_t port)
{
	struct port_census *pc = &a->census;

	if (kind == SNIFF_NONE || kind >= SNIFF_KINDS)
		return;
	for (unsigned i = 0; i < pc->n; i++) {
		if (pc->e[i].port == port && pc->e[i].kind == kind) {
			if (pc->e[i].count < UINT32_MAX)
				pc->e[i].count++;
			return;
		}
	}
	if (pc->n == CENSUS_PORTS) {
		pc->others++;
		return;
	}
	pc->e[pc->n].port = port;
	pc->e[pc->n].kind = (uint8_t)kind;
	pc->e[pc->n].count = 1;
	pc->n++;
}

void
analyzer_other(struct analyzer *a, const struct cap_pkt *cp,
               enum dis_status rc, enum pkt_skip skip, uint32_t anomalies)
{
	account(a, cp, rc, skip, anomalies);
	if (rc == DIS_OK)
		flow_count_ignored(a->flows);
	expire(a);
}

void
analyzer_other_sub(struct analyzer *a, enum dis_status rc)
{
	if (rc == DIS_OK)
		flow_count_ignored(a->flows);
}


const struct service_map *
analyzer_services(const struct analyzer *a)
{
	return &a->cfg.svc;
}

const struct pkt_decap *
analyzer_decap(const struct analyzer *a)
{
	return &a->cfg.decap;
}

void
analyzer_tick(struct analyzer *a, ta_time now)
{
	if (now > a->now)
		a->now = now;
	expire(a);
}

void
analyzer_finish(struct analyzer *a)
{
	flow_flush(a->flows, TCP_FINISH_CAPTURE_END, a->now);
	while (a->nheld > 0)
		release(a, 0);
}

void
analyzer_get_stats(const struct analyzer *a, struct analyzer_stats *st)
{
	*st = a->st;
	flow_get_stats(a->flows, &st->flow);
	st->probes = &a->probes;
	st->census = &a->census;
	st->svc = &a->cfg.svc;
}

void
analyzer_free(struct analyzer *a)
{
	if (a == NULL)
		return;
	/* Not finished: what was held goes undecided. */
	for (unsigned i = 0; i < a->nheld; i++) {
		session_free(a->held[i].c->session);
		a->held[i].c->session = NULL;
		flow_release(a->flows, a->held[i].c);
	}
	accepted_free(a->accepted);
	flow_table_free(a->flows);
	free(a);
}
