/* tls_facts.c: per-connection TLS facts from both byte streams (RFC 8446, RFC 5246; see tls_facts.h). */
#include <stdlib.h>
#include <string.h>

#include "tls/tls_facts.h"
#include "tls/tls_facts_int.h"

static bool
is_record_buf(const struct tls_facts *f, const struct tls_rec_buf *b)
{
	return b == &f->rec.dir[TLS_SIDE_CLIENT].rec ||
	       b == &f->rec.dir[TLS_SIDE_SERVER].rec;
}

/*
 * The parser needs room for need bytes. Grow geometrically (a message
 * straddling many records should not cost a realloc per record) but never
 * past the buffer's ceiling.
 */
static bool
grow(void *ctx, struct tls_rec_buf *b, size_t need)
{
	const struct tls_facts *f = ctx;
	size_t ceiling = is_record_buf(f, b) ? TA_CAP_TLS_RECORD : TA_CAP_TLS_HS;
	size_t cap;
	uint8_t *p;

	if (need > ceiling)
		return false;
	if (b->cap >= need)
		return true;
	cap = b->cap < 256 ? 256 : b->cap;
	while (cap < need)
		cap *= 2;
	if (cap > ceiling)
		cap = ceiling;
	p = realloc(b->p, cap);
	if (p == NULL)
		return false;
	b->p = p;
	b->cap = cap;
	return true;
}

static void
release(struct tls_rec_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->cap = 0;
	b->len = 0;
}

/* A message gathered across records is rare (a long chain): give its
 * buffer back as soon as it is parsed. */
static void
trim(struct tls_facts *f)
{
	for (size_t i = 0; i < 2; i++)
		if (f->rec.dir[i].hs.len == 0 && f->rec.dir[i].hs.p != NULL)
			release(&f->rec.dir[i].hs);
}

static void
release_all(struct tls_facts *f)
{
	for (size_t i = 0; i < 2; i++) {
		release(&f->rec.dir[i].rec);
		release(&f->rec.dir[i].hs);
	}
}

/* After each delivery: once nothing can change the facts, keep nothing. */
static void
after_input(struct tls_facts *f)
{
	if (tls_facts_done(f)) {
		release_all(f);
		f->settled = true;
	} else {
		trim(f);
	}
}

static void
add_alert(struct tls_facts *f, const struct tls_facts_alert *a)
{
	if (f->alert_count < TLS_FACTS_MAX_ALERTS) {
		f->alerts[f->alert_count++] = *a;
	} else if (f->alerts_dropped < UINT8_MAX) {
		f->alerts_dropped++;
	}
}

/* Where an alert stands in the handshake, for ordering it. */
static void
alert_place(const struct tls_facts *f, struct tls_facts_alert *a,
            enum tls_side from, ta_frame frame, uint64_t offset,
            bool after_gap)
{
	a->frame = frame;
	a->offset = offset;
	a->from = from;
	a->after_gap = after_gap;
	a->before_client_hello = !f->client_hello_seen;
	a->before_server_hello = !f->server_hello_seen && !f->hello_retry;
}

/* An alert whose level and description encryption hides. */
void
tls_facts_add_hidden_alert(struct tls_facts *f, enum tls_side from,
                           ta_frame frame, uint64_t offset, bool after_gap,
                           uint16_t record_len, bool inferred)
{
	struct tls_facts_alert a;

	memset(&a, 0, sizeof a);
	alert_place(f, &a, from, frame, offset, after_gap);
	a.encrypted = true;
	a.inferred = inferred;
	a.record_len = record_len;
	add_alert(f, &a);
}

/* A second ClientHello that no HelloRetryRequest came for, by the
 * ServerHello or the end: a restart, or a renegotiation in the clear. */
static void
second_hello_unasked(struct tls_facts *f)
{
	if (f->client_hello2_frame == 0 || f->hello_retry)
		return;
	if (!f->client_hello_again) {
		f->client_hello_again = true;
		f->client_hello_again_frame = f->client_hello2_frame;
		f->client_hello_again_offset = f->client_hello2_offset;
		f->client_hello_again_after_server_hello = false;
	}
	free(f->client_hello2);
	f->client_hello2 = NULL;
	f->client_hello2_frame = 0;
	f->client_hello2_offset = 0;
}

static void
on_client_hello(struct tls_facts *f, const struct tls_ev *ev)
{
	if (f->client_hellos < UINT32_MAX)
		f->client_hellos++;
	if (!f->client_hello_seen) {
		f->client_hello_seen = true;
		f->client_hello_frame = ev->frame;
		f->client_hello_offset = ev->offset;
		f->client_hello_after_gap = ev->after_gap;
		f->client_hello = *ev->u.ch;
		return;
	}
	/* RFC 8446 4.1.2: the client answers an HRR with a new hello; the
	 * HRR itself may come later in the capture (second_hello_unasked). */
	if (f->client_hello2_frame == 0 && !f->server_hello_seen) {
		f->client_hello2_frame = ev->frame;
		f->client_hello2_offset = ev->offset;
		f->client_hello2 = malloc(sizeof *f->client_hello2);
		if (f->client_hello2 != NULL)
			*f->client_hello2 = *ev->u.ch;
		return;
	}
	/* A third before any HelloRetryRequest: the second answered none. */
	second_hello_unasked(f);
	/* Any other: a renegotiation in the clear, or a restart. */
	if (!f->client_hello_again) {
		f->client_hello_again = true;
		f->client_hello_again_frame = ev->frame;
		f->client_hello_again_offset = ev->offset;
		f->client_hello_again_after_server_hello = f->server_hello_seen;
	}
}

static void
on_server_hello(struct tls_facts *f, const struct tls_ev *ev)
{
	const struct tls_server_hello *sh = ev->u.sh;

	if (sh->hello_retry) {
		if (f->hello_retry || f->server_hello_seen)
			return;
		f->hello_retry = true;
		f->hello_retry_frame = ev->frame;
		f->hello_retry_group = sh->key_share_group;
		f->hello_retry_cipher = sh->cipher;
		return;
	}
	if (f->server_hello_seen)
		return;
	second_hello_unasked(f);
	f->server_hello_seen = true;
	f->server_hello_frame = ev->frame;
	f->server_hello_offset = ev->offset;
	f->server_hello_after_gap = ev->after_gap;
	f->server_hello = *sh;
}

static void
on_certificate(struct tls_facts *f, const struct tls_ev *ev)
{
	const struct tls_certificate *c = ev->u.cert;
	uint32_t count = (uint32_t)c->count + c->dropped;

	if (count > UINT16_MAX)
		count = UINT16_MAX;
	if (ev->side == TLS_SIDE_SERVER) {
		if (f->certs_seen)
			return;
		f->certs_seen = true;
		f->certs_frame = ev->frame;
		f->cert_count = (uint16_t)count;
		f->cert_bytes = c->total;
	} else {
		if (f->client_certs_seen)
			return;
		f->client_certs_seen = true;
		f->client_certs_frame = ev->frame;
		f->client_cert_count = (uint16_t)count;
	}
	if (f->cert_hook != NULL)
		f->cert_hook(f->cert_arg, ev->side, c, ev->frame);
}

static void
add_plain_alert(struct tls_facts *f, const struct tls_ev *ev, uint8_t level,
                uint8_t description, uint16_t ssl2_error)
{
	struct tls_facts_alert a;

	memset(&a, 0, sizeof a);
	alert_place(f, &a, ev->side, ev->frame, ev->offset, ev->after_gap);
	a.level = level;
	a.description = description;
	a.ssl2_error = ssl2_error;
	if (ev->side == TLS_SIDE_CLIENT && a.before_client_hello &&
	    !f->client_alert_before_hello) {
		f->client_alert_before_hello = true;
		f->client_alert_before_hello_frame = ev->frame;
	}
	add_alert(f, &a);
	if (a.level == TLS_ALERT_FATAL)
		f->fatal_alert = true;
}

/*
 * An SSL 2.0 ERROR (draft-hickman-netscape-ssl-00, "Error Messages") is
 * the fatal alert of that protocol; SSL 3.0 gave each code an alert of
 * the same meaning (RFC 6101 5.4.2), whose description is kept so that
 * the alert rules read it. An unknown code is a failed handshake.
 */
static uint8_t
ssl2_error_alert(uint16_t code)
{
	switch (code) {
	case 0x0002:
		return 41;  /* NO-CERTIFICATE-ERROR: no_certificate */
	case 0x0004:
		return 42;  /* BAD-CERTIFICATE-ERROR: bad_certificate */
	case 0x0006:
		return 43;  /* UNSUPPORTED-CERTIFICATE-TYPE-ERROR */
	case 0x0001:    /* NO-CIPHER-ERROR */
	default:
		return 40;  /* handshake_failure */
	}
}

static void
on_alert(struct tls_facts *f, const struct tls_ev *ev)
{
	add_plain_alert(f, ev, ev->u.alert.level, ev->u.alert.description, 0);
}

static void
on_malformed(struct tls_facts *f, struct tls_facts_side *s,
             const struct tls_ev *ev)
{
	if (ev->u.bad.reason == TLS_BAD_HS_TOO_LONG) {
		if (s->hs_too_long == 0) {
			s->hs_too_long_frame = ev->frame;
			s->hs_too_long_type = ev->hs_type;
			s->hs_too_long_len = ev->hs_len;
		}
		if (s->hs_too_long < UINT32_MAX)
			s->hs_too_long++;
	}
	if (ev->u.bad.reason == TLS_BAD_MESSAGE &&
	    ev->hs_type == TLS_HS_CERTIFICATE && ev->side == TLS_SIDE_SERVER &&
	    !f->certs_seen && !f->certs_unreadable) {
		f->certs_unreadable = true;
		f->certs_unreadable_frame = ev->frame;
		f->certs_unreadable_len = ev->hs_len;
		f->certs_unreadable_list_known = ev->u.bad.list_known;
		f->certs_unreadable_list_len = ev->u.bad.list_len;
	}
	if (s->malformed == 0) {
		s->first_bad = ev->u.bad.reason;
		s->first_bad_hs_type = ev->hs_type;
		s->first_bad_status = ev->u.bad.status;
		s->first_bad_frame = ev->frame;
	}
	if (s->malformed < UINT32_MAX)
		s->malformed++;
}

static void
on_bad_header(struct tls_facts_side *s, const struct tls_ev *ev)
{
	if (s->bad_headers < UINT32_MAX)
		s->bad_headers++;
	if (s->bad_headers > 1)
		return;
	s->bad_header_frame = ev->frame;
	s->bad_header_offset = ev->offset;
	s->bad_header_reason = ev->u.stop.reason;
	s->bad_header_len = ev->u.stop.len;
	s->bad_header_excerpt_len = ev->u.stop.excerpt_len;
	memcpy(s->bad_header_excerpt, ev->u.stop.excerpt,
	       ev->u.stop.excerpt_len);
}

static void
on_stop(struct tls_facts_side *s, const struct tls_ev *ev)
{
	s->stopped = true;
	s->stop = ev->u.stop.reason;
	s->stop_frame = ev->frame;
	s->stop_offset = ev->offset;
	s->stop_len = ev->u.stop.len;
	s->stop_excerpt_len = ev->u.stop.excerpt_len;
	memcpy(s->stop_excerpt, ev->u.stop.excerpt, ev->u.stop.excerpt_len);
	/* The stream's end, on a side that went astray on an invalid header
	 * and found no record after it: the stop is that header's. */
	if (s->bad_headers > 0 && ev->u.stop.excerpt_len == 0 &&
	    ev->frame == s->bad_header_frame &&
	    ev->offset == s->bad_header_offset) {
		s->stop_excerpt_len = s->bad_header_excerpt_len;
		memcpy(s->stop_excerpt, s->bad_header_excerpt,
		       s->bad_header_excerpt_len);
	}
	switch (ev->u.stop.reason) {
	case TLS_STOP_NOT_TLS:
	case TLS_STOP_BAD_RECORD:
	case TLS_STOP_RECORD_TOO_LONG:
	case TLS_STOP_OVERSIZED:
		s->stop_by_sender = !ev->after_gap;
		break;
	case TLS_STOP_NO_BUFFER:
	case TLS_STOP_GAP:
	case TLS_STOP_TRUNCATED:
		break;
	}
}

static void
on_resync(struct tls_facts_side *s, const struct tls_ev *ev)
{
	if (!s->resynced) {
		s->resynced = true;
		s->resync_frame = ev->frame;
		s->resync_offset = ev->offset;
	}
	if (s->resyncs < UINT32_MAX)
		s->resyncs++;
	s->skipped_bytes += ev->u.resync.skipped;
	if (s->bad_headers > 0 && !s->bad_header_resynced) {
		s->bad_header_resynced = true;
		s->bad_header_resync_frame = ev->frame;
		s->bad_header_skipped = ev->u.resync.skipped;
	}
}

static void
on_preamble(struct tls_facts *f, const struct tls_ev *ev)
{
	switch (ev->u.preamble) {
	case TLS_PRE_PGSQL_REQUEST:
		f->pg_request = true;
		f->pg_request_frame = ev->frame;
		break;
	case TLS_PRE_PGSQL_REFUSED:
		f->tls_refused = true;
		/* FALLTHROUGH */
	case TLS_PRE_PGSQL_ACCEPTED:
		f->pg_answered = true;
		f->pg_answer_frame = ev->frame;
		break;
	}
}

static void
on_master_key(struct tls_facts *f, const struct tls_ev *ev)
{
	if (f->ssl2_master_key)
		return;
	f->ssl2_master_key = true;
	f->ssl2_master_key_frame = ev->frame;
	if (f->server_hello_seen && f->server_hello.sslv2)
		f->server_hello.ssl2_cipher = ev->u.ssl2_cipher;
}

static void
on_event(void *ctx, const struct tls_ev *ev)
{
	struct tls_facts *f = ctx;
	struct tls_facts_side *s = &f->side[ev->side];

	/* Only records count for "its last record was ...". */
	if (ev->type != TLS_EV_STOP && ev->type != TLS_EV_RESYNC &&
	    ev->type != TLS_EV_DESYNC && ev->type != TLS_EV_PREAMBLE &&
	    ev->type != TLS_EV_BAD_HEADER)
		s->last_opaque = ev->type == TLS_EV_OPAQUE;
	switch (ev->type) {
	case TLS_EV_CLIENT_HELLO:
		on_client_hello(f, ev);
		break;
	case TLS_EV_SERVER_HELLO:
		on_server_hello(f, ev);
		break;
	case TLS_EV_CERTIFICATE:
		on_certificate(f, ev);
		break;
	case TLS_EV_CERT_STATUS:
		f->cert_status = true;
		break;
	case TLS_EV_SERVER_KEY_EXCHANGE:
		if (!f->ske_seen) {
			f->ske_seen = true;
			f->ske = *ev->u.ske;
		}
		break;
	case TLS_EV_CERT_REQUEST:
		if (!f->cert_request) {
			f->cert_request = true;
			f->cert_request_frame = ev->frame;
		}
		break;
	case TLS_EV_HANDSHAKE:
		if (ev->hs_type == TLS_HS_SERVER_HELLO_DONE && !f->server_hello_done) {
			f->server_hello_done = true;
			f->server_hello_done_frame = ev->frame;
		}
		break;
	case TLS_EV_CHANGE_CIPHER_SPEC:
		if (!s->ccs) {
			s->ccs = true;
			s->ccs_frame = ev->frame;
			s->ccs_offset = ev->offset;
			s->ccs_after_gap = ev->after_gap;
		}
		break;
	case TLS_EV_ALERT:
		on_alert(f, ev);
		break;
	case TLS_EV_OPAQUE:
		tls_facts_on_opaque(f, ev);
		break;
	case TLS_EV_MALFORMED:
		on_malformed(f, s, ev);
		break;
	case TLS_EV_STOP:
		on_stop(s, ev);
		break;
	case TLS_EV_RESYNC:
		on_resync(s, ev);
		break;
	case TLS_EV_DESYNC:
		if (s->desyncs < UINT32_MAX)
			s->desyncs++;
		break;
	case TLS_EV_BAD_HEADER:
		on_bad_header(s, ev);
		break;
	case TLS_EV_CUT:
		tls_facts_add_cut(s, ev);
		break;
	case TLS_EV_CONTINUATION:
		if (s->continuations < UINT32_MAX)
			s->continuations++;
		break;
	case TLS_EV_PREAMBLE:
		on_preamble(f, ev);
		break;
	case TLS_EV_SSL2_MASTER_KEY:
		on_master_key(f, ev);
		break;
	case TLS_EV_SSL2_ERROR:
		add_plain_alert(f, ev, TLS_ALERT_FATAL,
		                ssl2_error_alert(ev->u.ssl2_error),
		                ev->u.ssl2_error);
		break;
	}
}

static const struct tls_rec_sink facts_sink = {
	.event = on_event,
	.grow = grow,
};

void
tls_facts_init(struct tls_facts *f)
{
	memset(f, 0, sizeof *f);
	tls_rec_init(&f->rec);
}

void
tls_facts_free(struct tls_facts *f)
{
	release_all(f);
	free(f->client_hello2);
	f->client_hello2 = NULL;
}

void
tls_facts_set_cert_hook(struct tls_facts *f, tls_facts_cert_fn fn, void *arg)
{
	f->cert_hook = fn;
	f->cert_arg = arg;
}

void
tls_facts_data(struct tls_facts *f, enum tls_side side, const uint8_t *p,
               size_t n, ta_frame frame)
{
	if (f->ended || f->settled)
		return;
	f->side[side].bytes += n;
	tls_rec_feed(&f->rec, side, p, n, frame, &facts_sink, f);
	after_input(f);
}

void
tls_facts_gap(struct tls_facts *f, enum tls_side side, uint64_t n,
              ta_frame frame)
{
	struct tls_facts_side *s = &f->side[side];

	if (f->ended || f->settled || n == 0)
		return;
	if (s->gaps == 0) {
		s->first_gap_frame = frame;
		s->first_gap_offset = f->rec.dir[side].offset;
		s->first_gap_bytes = n;
		s->bytes_before_gap = s->bytes;
	}
	if (s->gaps < UINT32_MAX)
		s->gaps++;
	s->gap_bytes += n;
	tls_rec_gap(&f->rec, side, n, frame, &facts_sink, f);
	after_input(f);
}

void
tls_facts_acked(struct tls_facts *f, enum tls_side side, uint64_t n,
                ta_frame frame)
{
	struct tls_facts_side *s = &f->side[side];

	if (f->ended || f->settled || (s->acked_known && n <= s->acked))
		return;
	s->acked_known = true;
	s->acked = n;
	s->acked_frame = frame;
	if (side == TLS_SIDE_CLIENT && is_tls13(f))
		tls_facts_tls13_acks_update(f);
	/* The client's data past its Finished, answered by the server with
	 * more than an alert record. */
	if (side == TLS_SIDE_SERVER && f->tls13_client.data_frame != 0 &&
	    f->tls13_client.answer_frame == 0 &&
	    n > f->tls13_client.data_acked + TLS_REC_HDR_LEN +
	        TLS_FACTS_TLS13_ALERT_MAX) {
		f->tls13_client.answer_frame = frame;
		f->tls13_client.answer_bytes = n - f->tls13_client.data_acked;
	}
}

void
tls_facts_ack_origin(struct tls_facts *f, enum tls_side side, uint64_t n,
                     ta_frame frame)
{
	f->side[side].origin_acked = n;
	f->side[side].origin_frame = frame;
}

bool
tls_facts_tls13_client_alert(const struct tls_facts *f)
{
	const struct tls_facts_tls13_client *k = &f->tls13_client;

	return !f->server_hello_seen && k->fin_frame != 0 && !k->more &&
	    k->fin_len <= TLS_FACTS_TLS13_ALERT_MAX;
}

void
tls_facts_midstream(struct tls_facts *f, enum tls_side side, ta_frame frame)
{
	struct tls_facts_side *s = &f->side[side];

	if (f->ended || f->settled || s->midstream)
		return;
	s->midstream = true;
	s->midstream_frame = frame;
	tls_rec_midstream(&f->rec, side, frame);
}

void
tls_facts_allow_preambles(struct tls_facts *f)
{
	f->rec.preambles = true;
}

/* TLS 1.3: a side that went quiet on a short encrypted record before the
 * handshake completed most likely sent an alert (tls_facts.h). */
static void
infer_tls13_alert(struct tls_facts *f, enum tls_side side)
{
	const struct tls_facts_side *s = &f->side[side];
	const struct tls_facts_record *last;

	if (!s->last_opaque || s->tail_count == 0)
		return;
	last = &s->tail[s->tail_count - 1];
	if (last->content_type != TLS_CT_APPLICATION_DATA ||
	    last->len > TLS_FACTS_TLS13_ALERT_MAX)
		return;
	tls_facts_add_hidden_alert(f, side, last->frame,
	                           s->tail_offset[s->tail_count - 1],
	                           s->tail_after_gap[s->tail_count - 1],
	                           last->len, true);
}

/* tls_facts_end: a side with a hole in an incomplete handshake is
 * reported stopped on it (tls_facts.h). */
static void
keep_gap_stop(struct tls_facts *f, enum tls_side side)
{
	struct tls_facts_side *s = &f->side[side];

	/* After a refused TLS (PostgreSQL's N) nothing was TLS to lose. */
	if (f->handshake_complete || f->tls_refused || s->gaps == 0 ||
	    (s->stopped && s->stop != TLS_STOP_GAP))
		return;
	/* The first hole is where the handshake's facts stop being whole,
	 * whatever was found after it. */
	s->stop_frame = s->first_gap_frame;
	s->stop_offset = s->first_gap_offset;
	s->stop_len = s->first_gap_bytes;
	s->gap_stop_kept = !s->stopped && s->resynced;
	s->bytes_after_stop = s->bytes - s->bytes_before_gap;
	s->bytes = s->bytes_before_gap;
	s->stopped = true;
	s->stop = TLS_STOP_GAP;
	s->stop_excerpt_len = 0;
	s->stop_by_sender = false;
}

void
tls_facts_end(struct tls_facts *f, ta_frame frame)
{
	if (f->ended)
		return;
	f->ended = true;
	tls_rec_end(&f->rec, TLS_SIDE_CLIENT, frame, &facts_sink, f);
	tls_rec_end(&f->rec, TLS_SIDE_SERVER, frame, &facts_sink, f);
	/* Bytes passed over since the last resynchronisation. */
	for (size_t i = 0; i < 2; i++) {
		f->side[i].skipped_bytes += f->rec.dir[i].skipped;
		f->rec.dir[i].skipped = 0;
	}
	keep_gap_stop(f, TLS_SIDE_CLIENT);
	keep_gap_stop(f, TLS_SIDE_SERVER);
	if (is_tls13(f) && !f->handshake_complete) {
		infer_tls13_alert(f, TLS_SIDE_CLIENT);
		infer_tls13_alert(f, TLS_SIDE_SERVER);
	}
	if (tls_facts_tls13_client_alert(f))
		tls_facts_add_hidden_alert(f, TLS_SIDE_CLIENT,
		                           f->tls13_client.fin_frame,
		                           f->tls13_client.fin_offset,
		                           f->tls13_client.fin_after_gap,
		                           f->tls13_client.fin_len, true);
	second_hello_unasked(f);
	release_all(f);
}

bool
tls_facts_done(const struct tls_facts *f)
{
	if (tls_rec_stopped(&f->rec, TLS_SIDE_CLIENT) &&
	    tls_rec_stopped(&f->rec, TLS_SIDE_SERVER))
		return true;
	if (f->fatal_alert)
		return true;
	/* Settled once the client sent data over the completed handshake: it
	 * accepted the chain. Until then a client that checks the name only
	 * after the handshake may still hang up (see diag: cert-late). */
	return f->handshake_complete && f->client_app_data;
}
