/* rules_tcp.c: how a connection began and ended: no TCP, a capture begun mid-stream or missing data, whose turn it was (RST RFC 9293 3.10.7). */
#include <stdio.h>
#include <string.h>

#include "diag/diag_ctx.h"
#include "iana_tables.h"

/* Variants of the advice where the facts say which side must act. */
static const char advice_rst_middlebox[] =
	"A device on the path (firewall, IPS, NAT or load balancer) reset "
	"the connection, forging the server's address. Ask the network team "
	"which device and which rule (the RST came right after the client's "
	"data: an IPS or an application filter on this port is likely); "
	"this is not a TLS problem.";
static const char advice_rst_server[] =
	"The server's address reset the connection when it was the server's "
	"turn. Check the server's log at that time (its TLS library may refuse "
	"the ClientHello this way, or a connection limit hit) and any firewall "
	"in front of it; if it happens on every connection, compare with a "
	"client offering other versions and suites.";
static const char advice_rst_client[] =
	"The client reset the connection when it was its turn. Check the "
	"migration tool's log at that time; if the tool did not do it, look "
	"for a firewall or security agent on the migration host.";
static const char advice_close_server_hello[] =
	"The server closed without an alert, so only its log says why: "
	"Dovecot logs `SSL_accept() failed: ... unsupported protocol` or "
	"`... no shared cipher` (grep its log for the client's address at that "
	"time). Then fix the server, not the migration host: enable TLS 1.2 "
	"and 1.3 (Dovecot `ssl_min_protocol = TLSv1.2`, Cyrus `tls_versions: "
	"tls1_2 tls1_3`, Courier `TLS_PROTOCOL=TLS1_2:TLS1_3`) or add modern "
	"suites such as ECDHE-RSA-AES128-GCM-SHA256. Only as the last resort, "
	"loosen the migration host for this one source server, temporarily.";
static const char advice_too_large[] =
	"A handshake message declares a length this analysis does not "
	"follow (over 256 KiB): real certificate chains are far smaller, so "
	"the capture was most likely edited, anonymised or damaged on its "
	"way. Ask for the original capture; if it is the original, the "
	"server sends an unusual handshake that its TLS library's log "
	"explains.";
static const char advice_timeout_client[] =
	"The server waited for the client, which never spoke. Check the "
	"migration tool's configuration (it may expect the server to speak "
	"first, or wait for something else) and the network path from the "
	"client; this is not a TLS setting.";

/* ------------------------------------------------------------------ */
/* The TCP outcome's evidence */

/*
 * The TCP outcome's evidence lines are text that starts "frame N:" (in the
 * connection's first file); give the copied line that frame, so that tools
 * reading the JSON see it too. 0 when the line cites no single frame.
 */
static ta_frame
tcp_line_frame(const struct ctx *c, const char *line)
{
	unsigned long long n = 0;
	const char *p = line + 6;

	if (strncmp(line, "frame ", 6) != 0 || *p < '0' || *p > '9')
		return 0;
	while (*p >= '0' && *p <= '9' && n < 0xffffffffffffULL)
		n = n * 10 + (unsigned long long)(*p++ - '0');
	if (*p != ':' || n == 0 || c->f->conn == NULL)
		return 0;
	return TA_FRAME(TA_FRAME_FILE(c->f->conn->first_frame), n);
}

/* The TCP outcome's own evidence lines, copied (written only now: the
 * outcome leaves them to whoever prints them). */
static void
tcp_lines(struct ctx *c)
{
	struct tcp_outcome buf;
	const struct tcp_outcome *o;

	if (c->quick)
		return;
	o = tcp_track_explain(&c->f->tcp, &buf);
	for (unsigned i = 0; i < o->nevidence && i < TCP_EVIDENCE_MAX; i++)
		ev(c, tcp_line_frame(c, o->evidence[i]), "%s", o->evidence[i]);
}

/* ------------------------------------------------------------------ */
/* How it began */

/*
 * A client retransmits an unanswered SYN after its initial timeout: 1 s
 * on Linux and macOS (RFC 6298 2.1), 3 s on Windows. One SYN, and the
 * capture going on this long after it without a second: it had an answer
 * the capture does not hold, or gave up at once; a capture that ends
 * within a second of it cannot show silence.
 */
#define SYN_RETRY_MAX_NS (3500 * TA_NS_PER_MS)
#define SYN_SILENCE_MIN_NS TA_NS_PER_SEC

/* 1. TCP never got going. */
bool
dg_rule_tcp(struct ctx *c)
{
	const struct tcp_outcome *t = &c->f->tcp;

	if (t->end == TCP_END_NO_ANSWER) {
		const struct tcp_track *tt = c->tt;
		uint64_t after = tt != NULL && t->now > tt->syn_ts ?
		    (uint64_t)(t->now - tt->syn_ts) : 0;
		/* followed until the capture ended, or idle that long (not
		 * evicted, nor its ports taken by a new connection) */
		bool watched = c->f->why == TCP_FINISH_CAPTURE_END ||
		    c->f->why == TCP_FINISH_IDLE;

		if (tt != NULL && tt->syns == 1 && watched &&
		    after >= SYN_RETRY_MAX_NS) {
			ev(c, tt->syn_frame, "%s: the client's only SYN; the "
			    "capture goes on %s after it without a "
			    "retransmission, which a client sends after 1 s "
			    "(3 s on Windows) when nothing answers: it had an "
			    "answer the capture does not hold, or gave up at "
			    "once", dg_fr(c, tt->syn_frame).s, dg_dur(after).s);
			c->advice = "Capture where both directions of the "
			    "connection pass, without a filter that keeps only "
			    "the client's packets, to see what answered the "
			    "SYN; if nothing did, the client's retransmissions "
			    "will show it.";
			verdict(c, DIAG_INCOMPLETE_CAPTURE, false, "The "
			    "client's SYN got no answer in the capture, but "
			    "it was never retransmitted: the answer is likely "
			    "missing from the capture (one direction, or "
			    "filtered), so no verdict is given rather than "
			    "\"nothing answered\".");
			return true;
		}
		if (tt != NULL && tt->syns == 1 &&
		    c->f->why == TCP_FINISH_CAPTURE_END &&
		    after < SYN_SILENCE_MIN_NS) {
			ev(c, tt->syn_frame, "%s: the client's only SYN; the "
			    "capture ends %s later, before a client would "
			    "retransmit it", dg_fr(c, tt->syn_frame).s,
			    dg_dur(after).s);
			c->advice = "Capture for longer: the capture ended "
			    "before the SYN could be answered or retransmitted.";
			verdict(c, DIAG_INCOMPLETE_CAPTURE, false, "The "
			    "capture ends right after the client's SYN, too "
			    "soon to tell whether anything would have "
			    "answered it.");
			return true;
		}

		if (tt != NULL && tt->syns > 1)
			ev(c, tt->syn_frame, "%s..%llu: %u SYNs from the client "
			    "over %s, none answered", dg_fr(c, tt->syn_frame).s,
			    (unsigned long long)TA_FRAME_NO(tt->syn_last_frame),
			    (unsigned)tt->syns,
			    dg_dur(tt->syn_last_ts > tt->syn_ts ?
			    tt->syn_last_ts - tt->syn_ts : 0).s);
		else
			ev(c, t->end_frame, "%s: the client's SYN was not "
			    "answered", dg_fr(c, t->end_frame).s);
		verdict(c, DIAG_TCP_NO_ANSWER, false, "Nothing answered the "
		    "client's SYN: the server is down or a firewall drops the "
		    "traffic.");
		return true;
	}
	if (t->end == TCP_END_REFUSED) {
		ev(c, t->end_frame, "%s: the server's address answered the SYN "
		    "with a RST, no SYN-ACK", dg_fr(c, t->end_frame).s);
		if (t->end_by == TCP_SIDE_MIDDLEBOX)
			ev(c, 0, "the RST looks forged by a device on the path "
			    "(see the TCP evidence)");
		verdict(c, DIAG_TCP_REFUSED, t->inferred, "The server refused "
		    "the connection: nothing listens on that port%s.",
		    t->end_by == TCP_SIDE_MIDDLEBOX ?
		    ", or a firewall answers for it (inferred)" : "");
		return true;
	}
	return false;
}

/* 2. The capture began after the connection did. */
bool
dg_rule_midstream(struct ctx *c)
{
	const struct tcp_track *tt = c->tt;
	const struct tls_facts *t = c->tls;

	if (tt == NULL || tt->syns > 0 || tt->synack_seen)
		return false;
	/* The TLS layer picked the streams up where they could be read: a
	 * hello in the capture is judged by the rules that read hellos
	 * (nothing that needs the SYN is claimed by them). */
	if (t != NULL && (t->client_hello_seen || t->server_hello_seen))
		return false;
	/* TLS <= 1.2 seen from its ChangeCipherSpecs on: each side's Finished
	 * is in the capture, and a server sends its Finished only after the
	 * client's (or, resuming, before it, which the client answers with
	 * its own): the handshake completed. */
	if (t != NULL && !dg_tls13(c) && t->side[TLS_SIDE_CLIENT].finished &&
	    t->side[TLS_SIDE_SERVER].finished) {
		ev(c, t->side[TLS_SIDE_CLIENT].finished_frame, "%s: the client's "
		    "ChangeCipherSpec and Finished",
		    dg_fr(c, t->side[TLS_SIDE_CLIENT].finished_frame).s);
		ev(c, t->side[TLS_SIDE_SERVER].finished_frame, "%s: the server's "
		    "ChangeCipherSpec and Finished",
		    dg_fr(c, t->side[TLS_SIDE_SERVER].finished_frame).s);
		ev(c, c->f->conn->first_frame, "%s: first packet of the "
		    "connection; the capture started after its hellos",
		    dg_fr(c, c->f->conn->first_frame).s);
		/* A client that leaves at once without data may have
		 * rejected the chain after the handshake (a late name
		 * check): the chain is before the capture. */
		if (!t->client_app_data && c->f->tcp.end_by == TCP_SIDE_CLIENT &&
		    (c->f->tcp.end == TCP_END_FIN ||
		     c->f->tcp.end == TCP_END_RST)) {
			ev(c, c->f->tcp.end_frame, "%s: the client closed "
			    "without sending data over the connection",
			    dg_fr(c, c->f->tcp.end_frame).s);
			verdict(c, DIAG_INCOMPLETE_CAPTURE, true, "The TLS "
			    "handshake completed (inferred: both sides' "
			    "Finished are in the capture), but the client "
			    "left without sending data: it may have rejected "
			    "the server's certificate after the handshake, as "
			    "clients that check the name late do, and the "
			    "certificate is before the capture.");
			return true;
		}
		verdict(c, DIAG_OK, true, "The TLS handshake completed "
		    "(inferred): both sides' Finished are in the capture, which "
		    "started after the hellos, so the versions, suites and "
		    "certificates are not in it.");
		return true;
	}
	ev(c, c->f->conn->first_frame, "%s: first packet of the connection; "
	    "no SYN or SYN-ACK captured", dg_fr(c, c->f->conn->first_frame).s);
	verdict(c, DIAG_INCOMPLETE_CAPTURE, false, "The capture started in "
	    "the middle of this connection, so its handshake is not in it.");
	return true;
}

/* ------------------------------------------------------------------ */
/* Whose turn it was, and how it ended */

enum diag_side
dg_to_side(enum tcp_side s)
{
	return s == TCP_SIDE_CLIENT ? DIAG_SIDE_CLIENT :
	    s == TCP_SIDE_SERVER ? DIAG_SIDE_SERVER : DIAG_SIDE_NONE;
}

const char *
dg_dside(enum diag_side s)
{
	return s == DIAG_SIDE_CLIENT ? "client" : s == DIAG_SIDE_SERVER ?
	    "server" : "nobody";
}

static enum diag_side
other(enum diag_side s)
{
	return s == DIAG_SIDE_CLIENT ? DIAG_SIDE_SERVER : DIAG_SIDE_CLIENT;
}

void
dg_end_event(const struct ctx *c, struct end_ev *e)
{
	const struct tcp_outcome *o = &c->f->tcp;
	const struct tls_facts_alert *a = dg_closing_alert(c);

	e->by = o->end_by;
	e->frame = o->end_frame;
	switch (o->end) {
	case TCP_END_FIN:
		e->kind = END_FIN;
		break;
	case TCP_END_RST:
	case TCP_END_REFUSED:
		e->kind = END_RST;
		break;
	case TCP_END_TIMEOUT:
		e->kind = END_IDLE;
		break;
	case TCP_END_OPEN:
	case TCP_END_NO_ANSWER:
	default:
		e->kind = END_OPEN;
		break;
	}
	if (a != NULL) {
		e->kind = END_CLOSE_ALERT;
		e->by = a->from == TLS_SIDE_CLIENT ? TCP_SIDE_CLIENT :
		    TCP_SIDE_SERVER;
		e->frame = a->frame;
	}
}

static void
turn_tls(const struct ctx *c, struct turn *u)
{
	const struct tls_facts *t = c->tls;
	const struct tls_facts_side *sv;

	if (t == NULL || (!t->client_hello_seen &&
	    t->side[TLS_SIDE_CLIENT].bytes == 0)) {
		u->side = DIAG_SIDE_CLIENT;
		u->owed = "its ClientHello";
		return;
	}
	if (!t->server_hello_seen) {
		if (t->hello_retry && t->client_hello2_frame == 0) {
			u->side = DIAG_SIDE_CLIENT;
			u->owed = "a second ClientHello";
			u->after = t->hello_retry_frame;
			u->after_what = "the HelloRetryRequest";
			return;
		}
		u->side = DIAG_SIDE_SERVER;
		u->owed = "an answer to the ClientHello";
		u->after = t->hello_retry && t->client_hello2_frame != 0 ?
		    t->client_hello2_frame : t->client_hello_frame;
		u->after_what = "the ClientHello";
		u->after_client_hello = true;
		return;
	}
	sv = &t->side[TLS_SIDE_SERVER];
	if (t->server_hello.version == TLS_V_TLS13) {
		if (sv->opaque_records == 0) {
			u->side = DIAG_SIDE_SERVER;
			u->owed = "its encrypted flight";
			u->after = t->server_hello_frame;
			u->after_what = "its ServerHello";
			return;
		}
		u->side = DIAG_SIDE_CLIENT;
		u->owed = "its Finished";
		u->after = sv->tail_count > 0 ?
		    sv->tail[sv->tail_count - 1].frame : t->server_hello_frame;
		u->after_what = "the server's encrypted flight";
		u->after_tls13_flight = true;
		return;
	}
	if (t->side[TLS_SIDE_CLIENT].finished) {
		u->side = DIAG_SIDE_SERVER;
		u->owed = "its ChangeCipherSpec and Finished";
		u->after = t->side[TLS_SIDE_CLIENT].finished_frame;
		u->after_what = "the client's Finished";
		return;
	}
	if (t->server_hello_done || t->side[TLS_SIDE_SERVER].ccs) {
		u->side = DIAG_SIDE_CLIENT;
		u->owed = t->server_hello_done ?
		    "its key exchange and Finished" :
		    "its ChangeCipherSpec and Finished";
		u->after = t->server_hello_done ? t->server_hello_done_frame :
		    t->side[TLS_SIDE_SERVER].ccs_frame;
		u->after_what = t->server_hello_done ?
		    "the server's ServerHelloDone" : "the server's Finished";
		u->after_tls12_flight = t->server_hello_done;
		return;
	}
	u->side = DIAG_SIDE_SERVER;
	u->owed = "the rest of its flight (up to ServerHelloDone)";
	u->after = t->server_hello_frame;
	u->after_what = "its ServerHello";
}

void
dg_turn_of(const struct ctx *c, struct turn *u)
{
	const struct starttls_facts *s = c->st;

	memset(u, 0, sizeof *u);
	if (c->mail && (c->tls == NULL || !c->tls->client_hello_seen)) {
		const struct dg_proto_text *pt = dg_ptext(c);

		if (s == NULL || s->greeting == STARTTLS_GREETING_NONE) {
			u->side = DIAG_SIDE_SERVER;
			u->owed = pt->owed_greeting;
			return;
		}
		if (starttls_greeting_refuses(s->greeting)) {
			/* A server that greets with BYE is hanging up. */
			u->side = DIAG_SIDE_SERVER;
			u->owed = "a session (it greeted with BYE)";
			u->after = s->greeting_frame;
			u->after_what = "its greeting";
			return;
		}
		if (!s->requested) {
			u->side = DIAG_SIDE_CLIENT;
			u->owed = starttls_proto(s->protocol)->command;
			u->after = s->greeting_frame;
			u->after_what = "the greeting";
			return;
		}
		if (s->response == STARTTLS_RESP_NONE) {
			u->side = DIAG_SIDE_SERVER;
			u->owed = pt->owed_answer;
			u->after = s->request_frame;
			u->after_what = pt->request;
			return;
		}
		if (c->tls == NULL || c->tls->side[TLS_SIDE_CLIENT].bytes == 0) {
			u->side = DIAG_SIDE_CLIENT;
			u->owed = "its ClientHello";
			u->after = s->response_frame;
			u->after_what = pt->ok;
			return;
		}
	}
	turn_tls(c, u);
}

/* The gaps of side's TCP stream, if any. */
static bool
ev_stream_gaps(struct ctx *c, enum tls_side side)
{
	const struct reasm *r = &c->f->conn->reasm[side == TLS_SIDE_CLIENT ?
	    TCP_DIR_C2S : TCP_DIR_S2C];

	if (r->gaps == 0)
		return false;
	ev(c, r->gap_list[0].frame, "%s: %llu byte%s of the %s's stream "
	    "missing (%s) in %u gap%s; what it sent there cannot be told",
	    dg_fr(c, r->gap_list[0].frame).s, (unsigned long long)r->gap_bytes,
	    r->gap_bytes == 1 ? "" : "s", dg_side_word(side),
	    r->acked_gap_bytes == r->gap_bytes ? "acknowledged by the other "
	    "side: lost by the capture" :
	    r->cut_bytes == r->gap_bytes ? "cut by the snap length" :
	    "lost, or cut by the snap length",
	    (unsigned)r->gaps, r->gaps == 1 ? "" : "s");
	return true;
}

/*
 * What the first gap of a side cut, when the bytes before it said: the
 * handshake message (by its header) or the record (by its header), and
 * how much of it is in the capture. Facts only, as the TLS layer read
 * them (tls_facts_cut).
 */
static void
ev_cut(struct ctx *c, enum tls_side side)
{
	const struct tls_facts_side *s = &c->tls->side[side];
	const struct tls_facts_cut *k = &s->cuts[0];
	const char *w = dg_side_word(side);
	const char *ct = k->content_type == 0 ? "SSL 2.0" :
	    iana_content_type_name(k->content_type);
	const char *hs = k->content_type == TLS_CT_HANDSHAKE &&
	    k->hs_have >= 1 ? iana_handshake_name(k->hs_type) : NULL;
	char more[64] = "", rec[96] = "";

	if (s->cut_count == 0)
		return;
	if (ct == NULL)
		ct = "unknown-type";
	if (s->cut_count > 1)
		snprintf(more, sizeof more, "; %u more record%s or message%s "
		         "cut after it", (unsigned)(s->cut_count - 1),
		         s->cut_count == 2 ? "" : "s", s->cut_count == 2 ? "" : "s");
	if (k->in_record && k->held > 0)
		snprintf(rec, sizeof rec, "; %u of the %u bytes of its %s "
		         "record are in the capture", (unsigned)k->held,
		         (unsigned)k->record_len, ct);
	else if (k->in_record)
		snprintf(rec, sizeof rec, "; a %u-byte %s record",
		         (unsigned)k->record_len, ct);
	if (hs != NULL && k->hs_have >= 4)
		ev(c, k->frame, "%s: the gap cut the %s's %s message (%u "
		    "bytes declared%s%s)", dg_fr(c, k->frame).s, w, hs,
		    (unsigned)k->hs_len, rec, more);
	else if (hs != NULL)
		ev(c, k->frame, "%s: the gap cut the %s's %s message (its "
		    "length not in the capture%s%s)", dg_fr(c, k->frame).s, w,
		    hs, rec, more);
	else if (k->in_record)
		ev(c, k->frame, "%s: the gap cut a %u-byte %s record of the "
		    "%s (%u bytes of it in the capture%s)", dg_fr(c, k->frame).s,
		    (unsigned)k->record_len, ct, w, (unsigned)k->held, more);
}

/* 11. Missing data: never guess across it. */
bool
dg_rule_missing(struct ctx *c)
{
	const struct tls_facts *t = c->tls;
	bool hit = false, lost = false, too_large = false;

	if (c->f->why == TCP_FINISH_EVICTED) {
		ev(c, c->f->tcp.end_frame, "%s: the analyser's connection table "
		    "was full and this connection was dropped from it",
		    dg_fr(c, c->f->tcp.end_frame).s);
		verdict(c, DIAG_INCOMPLETE_CAPTURE, false, "The connection was "
		    "evicted from the full connection table before it ended; "
		    "its handshake was not followed to the end.");
		return true;
	}
	/* Bytes of the plaintext phase missing: before STARTTLS, or after
	 * it when no TLS byte came (the answer to it may be what is
	 * missing); a handshake that completed all the same decides. */
	if (c->st != NULL && c->st->gap && (!c->st->requested || t == NULL) &&
	    (t == NULL || !t->handshake_complete)) {
		ev(c, 0, "bytes of the %s plaintext phase are missing from "
		    "the capture", starttls_proto(c->st->protocol)->label);
		for (int i = 0; c->f->conn != NULL && i < 2; i++)
			(void)ev_stream_gaps(c, (enum tls_side)i);
		hit = lost = true;
	}
	/* Whose turn it was rests on what a side did not send: with bytes
	 * of a side missing, that cannot be told. */
	for (int i = 0; !hit && c->f->conn != NULL && t != NULL &&
	     !t->handshake_complete && i < 2; i++) {
		if (t->side[i].stopped || !ev_stream_gaps(c, (enum tls_side)i))
			continue;
		ev_cut(c, (enum tls_side)i);
		hit = lost = true;
	}
	for (int i = 0; t != NULL && i < 2; i++) {
		const struct tls_facts_side *s = &t->side[i];
		const char *w = dg_side_word((enum tls_side)i);

		/* Its records were read on, but what the messages it could
		 * not follow held is unknown (the evidence is the
		 * findings'). */
		if (s->hs_too_long > 0 && !t->handshake_complete)
			hit = too_large = true;
		if (!s->stopped)
			continue;
		switch (s->stop) {
		case TLS_STOP_GAP: {
			const struct reasm_gap *g = c->f->conn != NULL &&
			    c->f->conn->reasm[i == TLS_SIDE_CLIENT ? TCP_DIR_C2S :
			    TCP_DIR_S2C].gaps > 0 ? &c->f->conn->reasm[
			    i == TLS_SIDE_CLIENT ? TCP_DIR_C2S :
			    TCP_DIR_S2C].gap_list[0] : NULL;

			ev(c, s->stop_frame, "%s: %llu byte%s of the %s's stream "
			    "missing from its byte %llu on (%s)",
			    dg_fr(c, s->stop_frame).s,
			    (unsigned long long)s->stop_len,
			    s->stop_len == 1 ? "" : "s", w,
			    (unsigned long long)(s->gaps > 0 ?
			    s->first_gap_offset : s->bytes),
			    g != NULL && g->acked ? "acknowledged by the other "
			    "side: lost by the capture" : g != NULL && g->cut ?
			    "cut by the capture's snap length" :
			    "lost, or cut by the capture's snap length");
			ev_cut(c, (enum tls_side)i);
			hit = lost = true;
			break;
		}
		case TLS_STOP_TRUNCATED:
			ev(c, s->stop_frame, "%s: the %s's stream ends inside a "
			    "TLS record (%llu bytes held)",
			    dg_fr(c, s->stop_frame).s, w,
			    (unsigned long long)s->stop_len);
			hit = lost = true;
			break;
		case TLS_STOP_OVERSIZED:
		case TLS_STOP_NO_BUFFER:
			ev(c, s->stop_frame, "%s: the %s's handshake message "
			    "(%llu bytes) was too large to follow",
			    dg_fr(c, s->stop_frame).s, w,
			    (unsigned long long)s->stop_len);
			hit = true;
			too_large = true;
			break;
		case TLS_STOP_NOT_TLS:
		case TLS_STOP_BAD_RECORD:
		case TLS_STOP_RECORD_TOO_LONG:
			break;
		}
	}
	if (!hit)
		return false;
	if (t != NULL && t->client_hello_seen)
		dg_ev_client_hello(c);
	/* Nothing was lost: a message declared more than is followed (an
	 * edited or damaged capture, or one beyond TLS_REC_HS_MAX). */
	if (too_large && !lost) {
		c->advice = advice_too_large;
		verdict(c, DIAG_INCOMPLETE_CAPTURE, false, "A handshake message "
		    "declares more bytes than this analysis follows (a damaged "
		    "or edited capture, or an unusually large message), so no "
		    "verdict is given rather than a guess.");
		return true;
	}
	verdict(c, DIAG_INCOMPLETE_CAPTURE, false, "The capture lacks part of "
	    "the handshake (bytes lost or cut by the snap length), so no "
	    "verdict is given rather than a guess.");
	return true;
}

/* The Dovecot case: the server closed right after the ClientHello, no
 * alert. Say what the client offered and what most likely failed. */
static void
server_closed_at_hello(struct ctx *c, const struct end_ev *e,
                       const struct turn *u)
{
	const struct tls_client_hello *ch = c->ch;
	struct suite_stats s;
	bool full_range;

	/* Evidence and causes only: nothing here decides. */
	if (c->quick)
		return;
	ev(c, e->frame, "%s: the server closed (%s) %s the ClientHello (%s), "
	    "without an alert", dg_fr(c, e->frame).s,
	    e->kind == END_CLOSE_ALERT ? "close_notify" : "FIN",
	    dg_after(c, e->frame, u->after).s, dg_fr(c, u->after).s);
	if (c->tt != NULL && c->tt->synack_seen && e->frame > c->tt->synack_frame) {
		ta_time end;

		if (dg_frame_time(c, e->frame, &end) && end >= c->tt->synack_ts)
			ev(c, 0, "the whole exchange took %s from the SYN-ACK "
			    "(%s) to the server's close",
			    dg_dur(end - c->tt->synack_ts).s,
			    dg_fr(c, c->tt->synack_frame).s);
	}
	if (ch == NULL)
		return;
	dg_suite_stats(ch, &s);
	ev(c, 0, "client offered %s, %s", dg_versions_desc(ch).s,
	    dg_suites_desc(ch).s);
	/* A server accepting none of TLS 1.0 to 1.3 is rare; then the
	 * suites come first. */
	full_range = dg_client_offers(ch, TLS_V_TLS10) &&
	    dg_client_offers(ch, TLS_V_TLS11) &&
	    dg_client_offers(ch, TLS_V_TLS12) &&
	    dg_client_offers(ch, TLS_V_TLS13);
	if (!full_range)
		cause(c, "version (inferred): the server accepts none of %s, "
		    "e.g. a server limited to TLS 1.0/1.1",
		    dg_versions_desc(ch).s);
	if (s.legacy > 0 && s.aead == s.legacy)
		cause(c, "cipher (inferred): the server shares none of the "
		    "client's suites; the client offers only AEAD suites%s, "
		    "a server limited to older ones (e.g. AES256-SHA) closes "
		    "like this", s.fs == s.legacy ? " with ECDHE/DHE" : "");
	else
		cause(c, "cipher (inferred): the server shares none of the "
		    "client's %u suites", s.n);
	if (full_range)
		cause(c, "version (inferred): the server accepts none of %s "
		    "(unlikely with that range)", dg_versions_desc(ch).s);
	cause(c, "other (inferred): the server's TLS setup is broken "
	    "(certificate or key not loadable) or it refuses the SNI");
	ev(c, 0, "to confirm, read the server's log at that time: Dovecot "
	    "logs \"unsupported protocol\" or \"no shared cipher\"");
}

/* 13. Whose turn it was when it ended. */
/*
 * Silence needs time: at least SILENCE_MIN_NS, and three of the
 * connection's round trips, between its last packet and the end of the
 * capture.
 */
#define SILENCE_MIN_NS TA_NS_PER_SEC

static bool
too_soon_to_tell(const struct ctx *c)
{
	const struct tcp_outcome *o = &c->f->tcp;
	uint64_t quiet = o->now > o->end_ts ? o->now - o->end_ts : 0;
	uint64_t need = SILENCE_MIN_NS;

	if (o->rtt_known && (uint64_t)(o->syn_rtt_ms * 3e6) > need)
		need = (uint64_t)(o->syn_rtt_ms * 3e6);
	return quiet < need;
}

bool
dg_rule_turn(struct ctx *c)
{
	const struct tcp_outcome *o = &c->f->tcp;
	struct turn u;
	struct end_ev e;
	enum diag_side by, wait;
	const char *how;

	dg_turn_of(c, &u);
	dg_end_event(c, &e);
	dg_ev_session_steps(c, 0);
	if (!u.after_client_hello)
		dg_ev_client_hello(c);
	dg_ev_server_hello(c);

	/* RFC 9051 7.1.5 (BYE), RFC 1939 4 (-ERR), RFC 5321 3.1 (554):
	 * the server refuses the session in its greeting. */
	if (dg_session_refused(c))
		return true;
	if (e.kind == END_RST && e.by == TCP_SIDE_MIDDLEBOX) {
		ev(c, e.frame, "%s: RST with the %s's address while it was the "
		    "%s's turn to send %s: sent by a device on the path "
		    "(inferred, signals below)", dg_fr(c, e.frame).s,
		    c->tt != NULL && c->tt->nrst > 0 &&
		    c->tt->rst[0].dir == TCP_DIR_C2S ? "client" : "server",
		    dg_dside(u.side), u.owed);
		tcp_lines(c);
		c->advice = advice_rst_middlebox;
		verdict(c, DIAG_TCP_RESET, true, "A device on the path reset "
		    "the connection during the handshake, forging the %s's "
		    "address (inferred from %u independent signals, listed "
		    "below).",
		    c->tt != NULL && c->tt->nrst > 0 &&
		    c->tt->rst[0].dir == TCP_DIR_C2S ? "client" : "server",
		    o->rst_signals);
		return true;
	}
	/* A capture that ends moments after the last packet shows no
	 * silence: nobody had time to answer yet. */
	if (e.kind == END_OPEN && c->f->why == TCP_FINISH_CAPTURE_END &&
	    too_soon_to_tell(c)) {
		ev(c, o->end_frame, "%s: last packet of the connection; the "
		    "capture ends %s later, too soon to tell whether the %s "
		    "would have sent %s", dg_fr(c, o->end_frame).s,
		    dg_dur(o->now > o->end_ts ? o->now - o->end_ts : 0).s,
		    dg_dside(u.side), u.owed);
		verdict(c, DIAG_INCOMPLETE_CAPTURE, false, "The capture ends "
		    "right after this connection's last packet, too soon to "
		    "tell whether the %s would have sent %s: how the "
		    "handshake went on is not in it.", dg_dside(u.side),
		    u.owed);
		return true;
	}
	if (e.kind == END_IDLE || e.kind == END_OPEN ||
	    dg_to_side(e.by) == DIAG_SIDE_NONE) {
		wait = u.side;
		c->out->waiting_on = wait;
		if (e.kind == END_IDLE)
			ev(c, o->end_frame, "%s: last packet; the connection "
			    "then stayed idle past the idle timeout",
			    dg_fr(c, o->end_frame).s);
		else if (c->f->why == TCP_FINISH_REUSED)
			ev(c, o->end_frame, "%s: last packet; the client then "
			    "started a new connection on the same ports",
			    dg_fr(c, o->end_frame).s);
		else
			ev(c, o->end_frame, "%s: last packet; the capture "
			    "ended with the connection open",
			    dg_fr(c, o->end_frame).s);
		if (wait == DIAG_SIDE_CLIENT)
			c->advice = advice_timeout_client;
		verdict(c, DIAG_HANDSHAKE_TIMEOUT, false, "The %s never sent %s%s%s"
		    "; the connection %s.", dg_dside(wait), u.owed,
		    u.after != 0 ? " after " : "", u.after != 0 ? u.after_what :
		    "", e.kind == END_IDLE ? "went idle" :
		    c->f->why == TCP_FINISH_REUSED ? "was abandoned" :
		    "was still waiting when the capture ended");
		return true;
	}
	by = dg_to_side(e.by);
	how = e.kind == END_RST ? "RST" : e.kind == END_FIN ? "FIN" :
	    "close_notify";
	if (by == u.side) {
		if (e.kind == END_RST) {
			if (u.after != 0)
				ev(c, e.frame, "%s: the %s reset the connection "
				    "%s %s (%s), when it was its turn to send %s",
				    dg_fr(c, e.frame).s, dg_dside(by),
				    dg_after(c, e.frame, u.after).s,
				    u.after_what, dg_fr(c, u.after).s, u.owed);
			else
				ev(c, e.frame, "%s: the %s reset the connection "
				    "when it was its turn to send %s",
				    dg_fr(c, e.frame).s, dg_dside(by), u.owed);
			if (o->middlebox_suspected)
				tcp_lines(c);
			c->advice = by == DIAG_SIDE_SERVER ? advice_rst_server :
			    advice_rst_client;
			verdict(c, DIAG_TCP_RESET, false, "The %s reset the "
			    "connection when it was its turn to send %s%s.",
			    dg_dside(by), u.owed, o->middlebox_suspected ?
			    " (a device on the path is suspected, see the "
			    "evidence)" : "");
			return true;
		}
		if (by == DIAG_SIDE_SERVER && u.after_client_hello) {
			server_closed_at_hello(c, &e, &u);
			c->advice = advice_close_server_hello;
			verdict(c, DIAG_CLOSED_DURING_HANDSHAKE, false, "The "
			    "server closed the connection %s the ClientHello "
			    "without an alert (as Dovecot does when it rejects "
			    "one); likely causes, inferred: %s.",
			    dg_after(c, e.frame, u.after).s,
			    c->out->ncauses > 0 && strncmp(c->out->causes[0],
			    "cipher", 6) == 0 ? "no shared cipher, then the "
			    "TLS version" : "the TLS version, then no shared "
			    "cipher");
			return true;
		}
		if (u.after != 0)
			ev(c, e.frame, "%s: the %s hung up (%s) %s %s (%s), when "
			    "it was its turn to send %s", dg_fr(c, e.frame).s,
			    dg_dside(by), how, dg_after(c, e.frame, u.after).s,
			    u.after_what, dg_fr(c, u.after).s, u.owed);
		else
			ev(c, e.frame, "%s: the %s hung up (%s) when it was its "
			    "turn to send %s", dg_fr(c, e.frame).s,
			    dg_dside(by), how, u.owed);
		verdict(c, DIAG_CLOSED_DURING_HANDSHAKE, false, "The %s hung up "
		    "without an alert when it was its turn to send %s.",
		    dg_dside(by), u.owed);
		return true;
	}
	/* The other side gave up: its close is a reaction to the silence. */
	wait = other(by);
	c->out->waiting_on = wait;
	if (u.after != 0)
		ev(c, e.frame, "%s: the %s gave up (%s) %s %s (%s); the %s had "
		    "not sent %s", dg_fr(c, e.frame).s, dg_dside(by), how,
		    dg_after(c, e.frame, u.after).s, u.after_what,
		    dg_fr(c, u.after).s, dg_dside(wait), u.owed);
	else
		ev(c, e.frame, "%s: the %s gave up (%s); the %s had not sent %s",
		    dg_fr(c, e.frame).s, dg_dside(by), how, dg_dside(wait),
		    u.owed);
	if (c->tt != NULL && c->tt->synack_seen) {
		ta_time end;

		if (dg_frame_time(c, e.frame, &end) && end >= c->tt->synack_ts)
			ev(c, 0, "%s after the connection was set up (SYN-ACK, "
			    "%s)", dg_dur(end - c->tt->synack_ts).s,
			    dg_fr(c, c->tt->synack_frame).s);
	}
	if (wait == DIAG_SIDE_CLIENT)
		c->advice = advice_timeout_client;
	verdict(c, DIAG_HANDSHAKE_TIMEOUT, false, "The %s waited for the %s to "
	    "send %s and gave up; the %s stayed silent.", dg_dside(by),
	    dg_dside(wait), u.owed, dg_dside(wait));
	return true;
}
