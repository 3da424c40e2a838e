/*
 * tls_opaque.c: what an encrypted record tells (tls_facts.h): the rules
 * of TLS <= 1.2, TLS 1.3 and SSL 2.0 for a side's Finished, the complete
 * handshake, application data and hidden alerts, and the TLS 1.3 records
 * of a client seen without the server's ServerHello.
 */
#include <string.h>

#include "tls/tls_facts_int.h"

static void
push_tail(struct tls_facts_side *s, const struct tls_ev *ev)
{
	struct tls_facts_record r;

	memset(&r, 0, sizeof r);
	r.frame = ev->frame;
	r.content_type = ev->content_type;
	r.len = ev->u.opaque.len;
	if (s->tail_count == TLS_FACTS_TAIL) {
		memmove(&s->tail[0], &s->tail[1],
		        (TLS_FACTS_TAIL - 1) * sizeof s->tail[0]);
		memmove(&s->tail_offset[0], &s->tail_offset[1],
		        (TLS_FACTS_TAIL - 1) * sizeof s->tail_offset[0]);
		memmove(&s->tail_after_gap[0], &s->tail_after_gap[1],
		        (TLS_FACTS_TAIL - 1) * sizeof s->tail_after_gap[0]);
		s->tail_count--;
	}
	s->tail_offset[s->tail_count] = ev->offset;
	s->tail_after_gap[s->tail_count] = ev->after_gap;
	s->tail[s->tail_count++] = r;
}

static void
set_complete(struct tls_facts *f, ta_frame frame)
{
	if (f->handshake_complete)
		return;
	f->handshake_complete = true;
	f->handshake_complete_frame = frame;
}

static void
set_app_data(struct tls_facts *f, enum tls_side side, ta_frame frame)
{
	/* The client's own data proves it accepted the server's chain. */
	if (side == TLS_SIDE_CLIENT && !f->client_app_data) {
		f->client_app_data = true;
		f->client_app_data_frame = frame;
	}
	if (f->app_data)
		return;
	f->app_data = true;
	f->app_data_frame = frame;
}

static void
set_finished(struct tls_facts_side *s, ta_frame frame)
{
	s->finished = true;
	s->finished_frame = frame;
}

static bool
offers_tls13(const struct tls_client_hello *ch)
{
	for (unsigned i = 0; i < ch->versions.count; i++)
		if (ch->versions.v[i] == TLS_V_TLS13)
			return true;
	return false;
}

/* A client's encrypted record with no ServerHello in sight: the facts of
 * struct tls_facts_tls13_client. */
static void
tls13_client_record(struct tls_facts *f, const struct tls_ev *ev)
{
	struct tls_facts_tls13_client *k = &f->tls13_client;
	const struct tls_facts_side *srv = &f->side[TLS_SIDE_SERVER];
	uint16_t len = ev->u.opaque.len;

	if (ev->side != TLS_SIDE_CLIENT || !f->client_hello_seen ||
	    !offers_tls13(&f->client_hello) || !srv->acked_known ||
	    srv->acked == 0)
		return;
	if (k->fin_frame != 0)
		k->more = true;
	if (k->data_frame != 0)
		return;
	if (k->fin_frame == 0) {
		k->fin_frame = ev->frame;
		k->fin_len = len;
		k->fin_offset = ev->offset;
		k->fin_after_gap = ev->after_gap;
		k->flight_acked = srv->acked;
	} else if (ev->frame > k->fin_frame &&
	           len > TLS_FACTS_TLS13_ALERT_MAX) {
		k->data_frame = ev->frame;
		k->data_len = len;
		k->data_acked = srv->acked;
	}
}

/* TLS <= 1.2 rules for an opaque record (tls_facts.h). */
static void
opaque_tls12(struct tls_facts *f, const struct tls_ev *ev)
{
	struct tls_facts_side *s = &f->side[ev->side];

	switch (ev->content_type) {
	case TLS_CT_HANDSHAKE:
		if (s->ccs && !s->finished)
			set_finished(s, ev->frame);
		/* Without the ServerHello there was no handshake to see:
		 * a capture that starts later proves nothing about it. */
		if (f->server_hello_seen && f->side[TLS_SIDE_CLIENT].finished &&
		    f->side[TLS_SIDE_SERVER].finished)
			set_complete(f, ev->frame);
		break;
	case TLS_CT_ALERT:
		tls_facts_add_hidden_alert(f, ev->side, ev->frame, ev->offset,
		                           ev->after_gap, ev->u.opaque.len,
		                           false);
		break;
	case TLS_CT_APPLICATION_DATA:
		/* Before any ServerHello a client that offered 1.3 may send
		 * 0-RTT data (RFC 8446 4.2.10): not the session's data. And
		 * without a ServerHello read (lost in a gap, or before a
		 * mid-stream capture) the version is unknown: under TLS 1.3
		 * the server's first such records are its encrypted flight. */
		if (!f->server_hello_seen) {
			tls13_client_record(f, ev);
			break;
		}
		set_app_data(f, ev->side, ev->frame);
		break;
	default:
		break;
	}
}

uint32_t
tls_facts_tls13_finished_len(uint16_t cipher)
{
	/* RFC 8446 B.4: the hash of each suite; every AEAD there has a
	 * 16-byte tag but AES_128_CCM_8 (8 bytes). */
	switch (cipher) {
	case 0x1301:                /* TLS_AES_128_GCM_SHA256 */
	case 0x1303:                /* TLS_CHACHA20_POLY1305_SHA256 */
	case 0x1304:                /* TLS_AES_128_CCM_SHA256 */
		return 5 + 4 + 32 + 1 + 16;
	case 0x1302:                /* TLS_AES_256_GCM_SHA384 */
		return 5 + 4 + 48 + 1 + 16;
	default:                    /* 0x1305 TLS_AES_128_CCM_8_SHA256 */
		return 5 + 4 + 32 + 1 + 8;
	}
}

/* The client's bytes past the server's flight reached a Finished
 * record's size (tls_facts.h). */
void
tls_facts_tls13_acks_update(struct tls_facts *f)
{
	struct tls_facts_tls13_acks *a = &f->tls13_acks;
	const struct tls_facts_side *cli = &f->side[TLS_SIDE_CLIENT];
	uint64_t past;

	if (!a->flight_known || a->fin_frame != 0 || !cli->acked_known ||
	    cli->acked < a->flight_acked)
		return;
	past = cli->acked - a->flight_acked;
	if (past < tls_facts_tls13_finished_len(f->server_hello.cipher))
		return;
	a->fin_frame = cli->acked_frame;
	a->fin_bytes = past;
}

/* A server record after its flight: the first one longer than an alert,
 * in a later packet, once the client's Finished-sized bytes were acked. */
static void
tls13_acks_answer(struct tls_facts *f, const struct tls_ev *ev)
{
	struct tls_facts_tls13_acks *a = &f->tls13_acks;
	const struct tls_facts_side *cli = &f->side[TLS_SIDE_CLIENT];

	if (a->fin_frame == 0 || a->answer_frame != 0 ||
	    ev->frame <= f->side[TLS_SIDE_SERVER].finished_frame ||
	    ev->u.opaque.len <= TLS_FACTS_TLS13_ALERT_MAX)
		return;
	a->answer_frame = ev->frame;
	a->answer_len = ev->u.opaque.len;
	a->answer_acked = cli->acked - a->flight_acked;
	a->answer_ack_frame = cli->acked_frame;
}

/* TLS 1.3 rules for an opaque record (tls_facts.h). */
static void
opaque_tls13(struct tls_facts *f, const struct tls_ev *ev)
{
	struct tls_facts_side *srv = &f->side[TLS_SIDE_SERVER];
	struct tls_facts_side *cli = &f->side[TLS_SIDE_CLIENT];

	if (ev->content_type == TLS_CT_ALERT) {
		/* An alert record that is not 2 bytes: under TLS 1.3 it
		 * cannot be a readable one (RFC 8446 6: alerts are neither
		 * fragmented nor coalesced). */
		tls_facts_add_hidden_alert(f, ev->side, ev->frame, ev->offset,
		                           ev->after_gap, ev->u.opaque.len,
		                           false);
		return;
	}
	if (ev->content_type != TLS_CT_APPLICATION_DATA)
		return;
	if (ev->side == TLS_SIDE_SERVER) {
		/* The server's encrypted flight ends with its Finished; where
		 * is hidden, so the flight's first record stands for it. */
		if (!srv->finished) {
			set_finished(srv, ev->frame);
			if (cli->acked_known) {
				f->tls13_acks.flight_known = true;
				f->tls13_acks.flight_acked = cli->acked;
			}
			return;
		}
		tls13_acks_answer(f, ev);
		return;
	}
	if (cli->finished) {
		/* A record that could be an alert (close_notify) is not
		 * taken for data. */
		if (ev->u.opaque.len > TLS_FACTS_TLS13_ALERT_MAX)
			set_app_data(f, ev->side, ev->frame);
		return;
	}
	if (srv->finished && ev->u.opaque.len > TLS_FACTS_TLS13_ALERT_MAX) {
		set_finished(cli, ev->frame);
		set_complete(f, ev->frame);
	}
}

/* SSL 2.0 rules for an encrypted record (tls_facts.h; inferred). */
static void
opaque_ssl2(struct tls_facts *f, const struct tls_ev *ev)
{
	struct tls_facts_side *s = &f->side[ev->side];
	struct tls_facts_side *cli = &f->side[TLS_SIDE_CLIENT];
	struct tls_facts_side *srv = &f->side[TLS_SIDE_SERVER];

	if (f->handshake_complete) {
		set_app_data(f, ev->side, ev->frame);
		return;
	}
	/* CLIENT-FINISHED; SERVER-VERIFY then SERVER-FINISHED. */
	if (!s->finished &&
	    (ev->side == TLS_SIDE_CLIENT || s->opaque_records >= 2))
		set_finished(s, ev->frame);
	if (cli->finished && srv->finished)
		set_complete(f, ev->frame);
}

/* Remember a cut record or message (the first ones), in wire order. */
void
tls_facts_add_cut(struct tls_facts_side *s, const struct tls_ev *ev)
{
	struct tls_facts_cut *c;

	if (s->cut_count < UINT32_MAX)
		s->cut_count++;
	if (s->cut_count > TLS_FACTS_MAX_CUTS)
		return;
	c = &s->cuts[s->cut_count - 1];
	memset(c, 0, sizeof *c);
	c->frame = ev->frame;
	c->offset = ev->offset;
	c->content_type = ev->content_type;
	if (ev->type == TLS_EV_OPAQUE) {
		c->in_record = true;
		c->record_len = ev->u.opaque.len;
		return;
	}
	c->in_record = ev->u.cut.in_record;
	c->record_len = ev->u.cut.len;
	c->held = ev->u.cut.held;
	c->hs_have = ev->u.cut.hs_have;
	c->hs_type = ev->hs_type;
	c->hs_len = ev->hs_len;
}

void
tls_facts_on_opaque(struct tls_facts *f, const struct tls_ev *ev)
{
	struct tls_facts_side *s = &f->side[ev->side];

	s->opaque_records++;
	if (ev->cut) {
		s->cut_opaque++;
		tls_facts_add_cut(s, ev);
	}
	push_tail(s, ev);
	if (f->server_hello_seen && f->server_hello.sslv2)
		opaque_ssl2(f, ev);
	else if (is_tls13(f))
		opaque_tls13(f, ev);
	else
		opaque_tls12(f, ev);
}
