/* rules_capture.c: rule one-sided: a verdict from the direction the capture holds; rule unreadable: a side's records past an invalid record header. */
#include "diag/diag_ctx.h"
#include "iana_tables.h"
#include "util/fmt.h"

/*
 * A record of the side after its Finished, in its last records: the
 * facts keep each side's most recent opaque records.
 */
static const struct tls_facts_record *
data_after_finished(const struct tls_facts_side *s)
{
	for (unsigned i = 0; i < s->tail_count; i++) {
		const struct tls_facts_record *r = &s->tail[i];

		if (r->content_type == TLS_CT_APPLICATION_DATA &&
		    r->frame >= s->finished_frame &&
		    r->len > TLS_FACTS_TLS13_ALERT_MAX)
			return r;
	}
	return NULL;
}

/*
 * TLS <= 1.2, seen from one side only: that side's Finished (its first
 * handshake record after its ChangeCipherSpec) followed by application
 * data. A server sends data only once it has the client's Finished (RFC
 * 5246 7.4.9); a client, once it has the server's, or right after its own
 * under False Start (RFC 7918): the inference says so.
 */
static const struct tls_facts_record *
completed_from(const struct ctx *c, enum tls_side side)
{
	const struct tls_facts *t = c->tls;
	const struct tls_facts_side *s;

	if (t == NULL || dg_tls13(c))
		return NULL;
	s = &t->side[side];
	if (!s->ccs || !s->finished)
		return NULL;
	return data_after_finished(s);
}

/* The visible side sent something another rule reads whole: a plaintext
 * alert, bytes that are not TLS, a login in clear text. */
static bool
other_rule_reads_it(const struct ctx *c, enum tls_side seen)
{
	const struct tls_facts *t = c->tls;

	if (c->st != NULL && (c->st->plaintext_auth || c->st->plaintext_mail))
		return true;
	/* The server's own words decide from its side alone: no upgrade
	 * offered, the session refused in its greeting, a 421 close. */
	if (c->st != NULL && seen == TLS_SIDE_SERVER && !c->st->gap &&
	    ((c->st->caps_known && !c->st->offered) || c->st->closing ||
	     starttls_greeting_refuses(c->st->greeting)))
		return true;
	if (t == NULL)
		return false;
	for (unsigned i = 0; i < t->alert_count && i < TLS_FACTS_MAX_ALERTS;
	     i++) {
		const struct tls_facts_alert *a = &t->alerts[i];

		if (a->from == seen && !a->encrypted &&
		    a->level == TLS_ALERT_FATAL)
			return true;
	}
	return t->side[seen].stopped && t->side[seen].stop == TLS_STOP_NOT_TLS;
}

/* After STARTTLS with gone's direction not captured: where gone's TLS
 * stream began was read from the other side's acknowledgement (the
 * session layer's note_tls_begins); the counts below start there. */
static void
ev_tls_origin(struct ctx *c, enum tls_side gone)
{
	const struct tls_facts_side *s = &c->tls->side[gone];
	const char *cmd = c->st != NULL ?
	    starttls_proto(c->st->protocol)->command : "STARTTLS";

	if (s->origin_frame == 0)
		return;
	if (gone == TLS_SIDE_SERVER)
		ev(c, s->origin_frame, "%s: the client's first TLS packet "
		    "acknowledges %llu bytes of the server's plaintext, its "
		    "answer to %s included (not in the capture): the server's "
		    "TLS stream begins after them", dg_fr(c, s->origin_frame).s,
		    (unsigned long long)s->origin_acked, cmd);
	else
		ev(c, s->origin_frame, "%s: the server's answer to %s "
		    "acknowledges %llu bytes of the client's plaintext, its %s "
		    "included (not in the capture): the client's TLS stream "
		    "begins after them", dg_fr(c, s->origin_frame).s, cmd,
		    (unsigned long long)s->origin_acked, cmd);
}

/*
 * TLS 1.3, seen from the server only: its acknowledgements are the
 * client's side. After the server's encrypted flight began, the client
 * sent at least a Finished record's worth of bytes (an alert, with a
 * ChangeCipherSpec before it, is at most 32), and the server then sent a
 * record longer than an alert, in a later packet: a server answers so
 * once it has the client's Finished (session tickets need it, RFC 8446
 * 4.6.1; so does the answer to a request). Inferred: the client's bytes
 * are counted, never seen.
 */
static bool
tls13_server_saw_finished(struct ctx *c)
{
	const struct tls_facts *t = c->tls;
	const struct tls_facts_tls13_acks *a;
	const char *cn;
	char h[TLS_NAMES_HEX_LEN];
	uint32_t fin;
	unsigned long long more;

	if (t == NULL || !dg_tls13(c) || !t->side[TLS_SIDE_SERVER].finished)
		return false;
	a = &t->tls13_acks;
	if (!a->flight_known || a->fin_frame == 0 || a->answer_frame == 0)
		return false;
	fin = tls_facts_tls13_finished_len(t->server_hello.cipher);
	cn = iana_cipher_name(t->server_hello.cipher);
	if (cn == NULL)
		cn = tls_hex16(t->server_hello.cipher, h);
	ev_tls_origin(c, TLS_SIDE_CLIENT);
	ev(c, t->side[TLS_SIDE_SERVER].finished_frame, "%s: the server's "
	    "encrypted flight begins; it had acknowledged %llu bytes of the "
	    "client's TLS stream (not in the capture) by then",
	    dg_fr(c, t->side[TLS_SIDE_SERVER].finished_frame).s,
	    (unsigned long long)a->flight_acked);
	ev(c, a->fin_frame, "%s: the server acknowledges %llu more bytes "
	    "from the client, %s a Finished record (%u bytes under %s)%s; an "
	    "alert and a ChangeCipherSpec take at most %u",
	    dg_fr(c, a->fin_frame).s, (unsigned long long)a->fin_bytes,
	    a->fin_bytes == fin || a->fin_bytes == fin + 6u ? "the size of" :
	    "room for", (unsigned)fin, cn,
	    a->fin_bytes == fin + 6u ? " and a ChangeCipherSpec (6)" : "",
	    (unsigned)(6u + TLS_REC_HDR_LEN + TLS_FACTS_TLS13_ALERT_MAX));
	more = (unsigned long long)(a->answer_acked - a->fin_bytes);
	if (more > 0 && a->answer_ack_frame != a->fin_frame)
		ev(c, a->answer_ack_frame, "%s: then %llu more bytes from the "
		    "client (%llu since the flight)",
		    dg_fr(c, a->answer_ack_frame).s, more,
		    (unsigned long long)a->answer_acked);
	ev(c, a->answer_frame, "%s: the server sends a %u-byte encrypted "
	    "record after them, as a server does once it has the client's "
	    "Finished: the handshake completed (inferred from its "
	    "acknowledgements)", dg_fr(c, a->answer_frame).s,
	    (unsigned)a->answer_len);
	verdict(c, DIAG_OK, true, "The TLS handshake completed (inferred), "
	    "as the server's side shows: after its encrypted flight (%s) it "
	    "acknowledged a Finished's worth of the client's bytes (%s), then "
	    "went on sending encrypted records (%s); the client's direction is "
	    "not in the capture.", dg_fr(c, t->side[TLS_SIDE_SERVER].finished_frame).s,
	    dg_fr(c, a->fin_frame).s, dg_fr(c, a->answer_frame).s);
	return true;
}

/*
 * TLS 1.3, seen from the client only (no ServerHello; it offered 1.3):
 * once it had acknowledged the server's flight, it sent an encrypted record
 * longer than an alert (its Finished: an alert is at most 21 bytes), then
 * another such in a later packet (application data), and then acknowledged
 * more than an alert record's worth of the server's bytes: the server
 * answered it, which it does only
 * once it has the client's valid Finished (RFC 8446 4.4.4). Records before
 * the server's flight was acknowledged are 0-RTT data and do not count.
 * Inferred: the server's bytes are counted, never seen.
 */
static bool
tls13_client_answered(struct ctx *c)
{
	const struct tls_facts *t = c->tls;
	const struct tls_facts_tls13_client *k;

	if (t == NULL || c->sh != NULL)
		return false;
	k = &t->tls13_client;
	if (k->fin_frame == 0 || k->data_frame == 0 || k->answer_frame == 0 ||
	    k->fin_len <= TLS_FACTS_TLS13_ALERT_MAX)
		return false;
	ev_tls_origin(c, TLS_SIDE_SERVER);
	ev(c, k->fin_frame, "%s: having acknowledged %llu bytes of the "
	    "server's TLS stream (not in the capture), the client sends a "
	    "%u-byte encrypted record: its Finished under TLS 1.3 (an "
	    "encrypted alert takes at most %u)", dg_fr(c, k->fin_frame).s,
	    (unsigned long long)k->flight_acked, (unsigned)k->fin_len,
	    (unsigned)TLS_FACTS_TLS13_ALERT_MAX);
	ev(c, k->data_frame, "%s: then a %u-byte encrypted record in a later "
	    "packet: application data", dg_fr(c, k->data_frame).s,
	    (unsigned)k->data_len);
	ev(c, k->answer_frame, "%s: the client acknowledges %llu more bytes "
	    "from the server: the server answered, as it does only once it has "
	    "the client's Finished (inferred from its acknowledgements)",
	    dg_fr(c, k->answer_frame).s, (unsigned long long)k->answer_bytes);
	verdict(c, DIAG_OK, true, "The TLS handshake completed (inferred), "
	    "as the client's side shows: after the server's flight it sent its "
	    "Finished (%s) and application data (%s), and the server answered "
	    "(%s); the server's direction is not in the capture.",
	    dg_fr(c, k->fin_frame).s, dg_fr(c, k->data_frame).s,
	    dg_fr(c, k->answer_frame).s);
	return true;
}

/*
 * TLS 1.3 seen from the client only, the other way: once it had
 * acknowledged the server's flight, its first encrypted record was
 * alert-sized and nothing followed it. An encrypted record where TLS 1.2
 * puts its ClientKeyExchange or (after a ChangeCipherSpec) a handshake
 * record is TLS 1.3's; at most 21 bytes it is an alert, not a Finished.
 * The client aborted the handshake right after the server's flight
 * (tls13-rejected, inferred), as rule 5 says with both sides captured,
 * when the connection's end (a FIN or a RST) is in the capture.
 */
static bool
tls13_client_alerted(struct ctx *c)
{
	const struct tls_facts *t = c->tls;
	const struct tls_facts_tls13_client *k;

	/* "Nothing followed" needs the connection's end in the capture. */
	if (t == NULL || c->sh != NULL || !tls_facts_tls13_client_alert(t) ||
	    (c->f->tcp.end != TCP_END_FIN && c->f->tcp.end != TCP_END_RST))
		return false;
	k = &t->tls13_client;
	ev_tls_origin(c, TLS_SIDE_SERVER);
	ev(c, k->fin_frame, "%s: after acknowledging %llu bytes of the "
	    "server's flight (not captured), the client sends a %u-byte "
	    "encrypted record, then nothing: TLS 1.3 (1.2 sends a handshake "
	    "record there), an alert by its size (inferred)",
	    dg_fr(c, k->fin_frame).s, (unsigned long long)k->flight_acked,
	    (unsigned)k->fin_len);
	verdict(c, DIAG_TLS13_REJECTED, true, "The client aborted the TLS 1.3 "
	    "handshake with an encrypted alert right after the server's "
	    "encrypted flight: most often it rejected the certificate "
	    "(inferred; the server's direction is not in the capture).");
	return true;
}

/* Why application data from side after its Finished (at frame) says the
 * handshake completed; server_more: what the server's case adds. */
static void
ev_data_after_finished(struct ctx *c, enum tls_side side, ta_frame frame,
                       const char *server_more)
{
	if (side == TLS_SIDE_SERVER)
		ev(c, frame, "%s: the server sent application data after it, "
		    "which it does only once it has the client's Finished: the "
		    "handshake completed%s", dg_fr(c, frame).s, server_more);
	else
		ev(c, frame, "%s: the client sent application data after it: "
		    "it had the server's Finished, or (False Start) sent it "
		    "right after its own and saw no failure", dg_fr(c, frame).s);
}

bool
dg_rule_one_sided(struct ctx *c)
{
	const struct tcp_outcome *o = &c->f->tcp;
	enum tls_side seen, gone;
	const struct tls_facts_record *r;
	const char *sw, *gw;

	if (o->missing == TCP_SIDE_NONE)
		return false;
	gone = o->missing == TCP_SIDE_SERVER ? TLS_SIDE_SERVER : TLS_SIDE_CLIENT;
	seen = gone == TLS_SIDE_SERVER ? TLS_SIDE_CLIENT : TLS_SIDE_SERVER;
	sw = dg_side_word(seen);
	gw = dg_side_word(gone);
	if (other_rule_reads_it(c, seen))
		return false;
	if (c->ch != NULL)
		dg_ev_client_hello(c);
	if (c->sh != NULL)
		dg_ev_server_hello(c);
	r = completed_from(c, seen);
	if (r != NULL) {
		ev(c, c->tls->side[seen].finished_frame, "%s: the %s's Finished "
		    "(its first handshake record after its ChangeCipherSpec)",
		    dg_fr(c, c->tls->side[seen].finished_frame).s, sw);
		ev_data_after_finished(c, seen, r->frame, "");
		verdict(c, DIAG_OK, true, "The TLS handshake completed "
		    "(inferred), as the %s's side shows: application data after "
		    "its Finished; the %s's direction is not in the capture.",
		    sw, gw);
		return true;
	}
	if (seen == TLS_SIDE_SERVER && tls13_server_saw_finished(c))
		return true;
	if (seen == TLS_SIDE_CLIENT && (tls13_client_answered(c) ||
	    tls13_client_alerted(c)))
		return true;
	ev(c, 0, "only the %s's direction is in the capture; the %s's "
	    "packets are missing, though the %s's acknowledgements prove it "
	    "sent", sw, gw, sw);
	/* The advice is the one-sided finding's: how to capture both. */
	c->advice = "";
	verdict(c, DIAG_INCOMPLETE_CAPTURE, false, "Only the %s's side of "
	    "this connection is in the capture, and it does not show how the "
	    "handshake ended; what the %s sent is not in the capture, so no "
	    "verdict is given rather than a guess.", sw, gw);
	return true;
}

/* ------------------------------------------------------------------ */
/* Invalid record headers in a stream read on after them */

bool
dg_read_past_bad_header(const struct ctx *c, enum tls_side side)
{
	const struct tls_facts_side *s;

	if (c->tls == NULL)
		return false;
	s = &c->tls->side[side];
	if (s->bad_headers == 0)
		return false;
	/* Stopped on it at the stream's end: no record came after it, and
	 * the not-tls rule reads it. */
	return !(s->stopped && s->stop_frame == s->bad_header_frame &&
	         s->stop_offset == s->bad_header_offset &&
	         (s->stop == TLS_STOP_BAD_RECORD ||
	          s->stop == TLS_STOP_RECORD_TOO_LONG));
}

/* What is wrong with the header (RFC 5246 6.2.1, RFC 8446 5.1): its
 * bytes, then the first field TLS does not allow. */
static struct lbuf
bad_header_desc(const struct tls_facts_side *s)
{
	const uint8_t *h = s->bad_header_excerpt;
	size_t n = s->bad_header_excerpt_len;
	struct lbuf b;
	size_t o;
	unsigned len;

	o = (size_t)fmt_snprintf(b.s, sizeof b.s, "header");
	for (size_t i = 0; i < n && i < TLS_REC_HDR_LEN; i++)
		o += (size_t)fmt_snprintf(b.s + o, sizeof b.s - o, " %02x",
		    (unsigned)h[i]);
	if (n < TLS_REC_HDR_LEN)
		return b;
	len = (unsigned)h[3] << 8 | h[4];
	if (h[0] < TLS_CT_CHANGE_CIPHER_SPEC || h[0] > TLS_CT_HEARTBEAT)
		(void)fmt_snprintf(b.s + o, sizeof b.s - o, ": content type %u "
		    "is none of TLS's (20 to 24)", (unsigned)h[0]);
	else if (h[1] != 3)
		(void)fmt_snprintf(b.s + o, sizeof b.s - o, ": version 0x%02x%02x "
		    "is no SSL or TLS version", (unsigned)h[1], (unsigned)h[2]);
	else if (len > TLS_REC_MAX_LEN)
		(void)fmt_snprintf(b.s + o, sizeof b.s - o, ": length %u is "
		    "more than the %u bytes TLS allows", len,
		    (unsigned)TLS_REC_MAX_LEN);
	return b;
}

void
dg_ev_bad_header(struct ctx *c, enum tls_side side)
{
	const struct tls_facts_side *s = &c->tls->side[side];
	struct lbuf then;

	if (s->bad_header_resynced)
		(void)fmt_snprintf(then.s, sizeof then.s, "its records were "
		    "read again from %s on, %llu byte%s passed over",
		    dg_fr(c, s->bad_header_resync_frame).s,
		    (unsigned long long)s->bad_header_skipped,
		    s->bad_header_skipped == 1 ? "" : "s");
	else
		(void)fmt_snprintf(then.s, sizeof then.s, "no record of it was "
		    "found after it");
	ev(c, s->bad_header_frame, "%s: the %s's record at byte %llu of its "
	    "stream is not valid TLS (%s); %s%s",
	    dg_fr(c, s->bad_header_frame).s, dg_side_word(side),
	    (unsigned long long)s->bad_header_offset,
	    bad_header_desc(s).s, then.s,
	    s->bad_headers > 1 ? ", and later headers were not valid either" :
	    "");
}

/*
 * A side went astray on an invalid record header before the handshake
 * was seen to complete: the records it sent there (a ChangeCipherSpec and
 * Finished, say) cannot be read. TLS <= 1.2: the other side's Finished
 * after that header, then its application data, show the handshake went
 * on as completed_from() reads it (inferred). Otherwise nothing tells how
 * the handshake went; a gap explains itself (rule missing).
 */
bool
dg_rule_unreadable(struct ctx *c)
{
	const struct tls_facts *t = c->tls;
	const struct tls_facts_record *r;
	enum tls_side bad, other;
	bool cli, srv;

	if (t == NULL || t->handshake_complete)
		return false;
	cli = dg_read_past_bad_header(c, TLS_SIDE_CLIENT);
	srv = dg_read_past_bad_header(c, TLS_SIDE_SERVER);
	if (!cli && !srv)
		return false;
	if (cli && srv)
		bad = t->side[TLS_SIDE_CLIENT].bad_header_frame <=
		    t->side[TLS_SIDE_SERVER].bad_header_frame ?
		    TLS_SIDE_CLIENT : TLS_SIDE_SERVER;
	else
		bad = cli ? TLS_SIDE_CLIENT : TLS_SIDE_SERVER;
	other = bad == TLS_SIDE_CLIENT ? TLS_SIDE_SERVER : TLS_SIDE_CLIENT;
	if (c->ch != NULL)
		dg_ev_client_hello(c);
	if (c->sh != NULL)
		dg_ev_server_hello(c);
	r = completed_from(c, other);
	if (r != NULL && !dg_read_past_bad_header(c, other) &&
	    t->side[other].finished_frame >= t->side[bad].bad_header_frame) {
		ev(c, t->side[other].finished_frame, "%s: the %s's Finished "
		    "(its first handshake record after its ChangeCipherSpec), "
		    "after the %s's record that is not valid TLS",
		    dg_fr(c, t->side[other].finished_frame).s,
		    dg_side_word(other), dg_side_word(bad));
		ev_data_after_finished(c, other, r->frame, ", and the client's "
		    "ChangeCipherSpec and Finished are among the bytes that "
		    "could not be read");
		verdict(c, DIAG_OK, true, "The TLS handshake completed "
		    "(inferred), as the %s's Finished and application data "
		    "show; the %s's records from %s on could not be read (an "
		    "invalid record header).", dg_side_word(other),
		    dg_side_word(bad), dg_fr(c, t->side[bad].bad_header_frame).s);
		return true;
	}
	/* Lost bytes: the missing rule says what the capture lacks. */
	if ((t->side[TLS_SIDE_CLIENT].stopped &&
	     t->side[TLS_SIDE_CLIENT].stop == TLS_STOP_GAP) ||
	    (t->side[TLS_SIDE_SERVER].stopped &&
	     t->side[TLS_SIDE_SERVER].stop == TLS_STOP_GAP))
		return false;
	c->advice = "";
	verdict(c, DIAG_INCOMPLETE_CAPTURE, false, "The %s's stream holds a "
	    "record header that is not valid TLS (%s) before the handshake "
	    "was seen to complete: what it sent there cannot be read, so no "
	    "verdict is given rather than a guess.", dg_side_word(bad),
	    dg_fr(c, t->side[bad].bad_header_frame).s);
	return true;
}
