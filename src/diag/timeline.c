/* timeline.c: facts -> ordered, timed events (see timeline.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/fmt.h"
#include "iana_tables.h"
#include "diag/timeline.h"
#include "tls/tls_names.h"

static void add(struct timeline *tl, const struct conn *c, ta_frame frame,
                enum timeline_side side, const char *fmt, ...) TA_PRINTF(5, 6);

static void
add(struct timeline *tl, const struct conn *c, ta_frame frame,
    enum timeline_side side, const char *fmt, ...)
{
	struct timeline_event *e;
	va_list ap;

	if (frame == 0)
		return;
	if (tl->n >= TIMELINE_MAX) {
		tl->dropped++;
		return;
	}
	e = &tl->ev[tl->n++];
	e->frame = frame;
	e->side = side;
	e->pos = UINT64_MAX;
	e->ts_known = flow_frame_time(c, frame, &e->ts);
	va_start(ap, fmt);
	fmt_vsnprintf(e->text, sizeof e->text, fmt, ap);
	va_end(ap);
}

static enum timeline_side
tls_side(enum tls_side s)
{
	return s == TLS_SIDE_CLIENT ? TL_CLIENT : TL_SERVER;
}

/* "TLS 1.2-1.3" or "TLS 1.0, TLS 1.2" style summary of offered versions. */
static void
versions_str(const struct tls_client_hello *ch, char *buf, size_t len)
{
	char hex[TLS_NAMES_HEX_LEN];
	size_t off = 0;

	buf[0] = '\0';
	if (!ch->has_supported_versions) {
		fmt_snprintf(buf, len, "%s", tls_version_str(ch->legacy_version, hex));
		return;
	}
	for (uint16_t i = 0; i < ch->versions.count; i++) {
		uint16_t v = ch->versions.v[i];
		int n;
		if (iana_is_grease(v))
			continue;
		n = fmt_snprintf(buf + off, len - off, "%s%s", off ? ", " : "",
		             tls_version_str(v, hex));
		if (n < 0 || (size_t)n >= len - off)
			break;
		off += (size_t)n;
	}
}

static unsigned
real_ciphers(const struct tls_client_hello *ch)
{
	unsigned n = 0;

	/* Real suites: GREASE and signalling values (SCSV) are not ones. */
	for (uint16_t i = 0; i < ch->ciphers.count; i++) {
		const struct iana_cipher *ic = iana_cipher(ch->ciphers.v[i]);
		if (iana_is_grease(ch->ciphers.v[i]) ||
		    (ic != NULL && (ic->flags & IANA_CF_SCSV)))
			continue;
		n++;
	}
	return n + ch->ciphers.dropped;
}

static void
client_hello(struct timeline *tl, const struct conn *c, ta_frame frame,
             const struct tls_client_hello *ch, const char *what)
{
	char vers[96];

	versions_str(ch, vers, sizeof vers);
	if (ch->has_sni)
		add(tl, c, frame, TL_CLIENT, "%s: %s; %u cipher suites; SNI %.*s",
		    what, vers, real_ciphers(ch),
		    (int)(ch->sni_len < TLS_HS_SNI_MAX ? ch->sni_len : TLS_HS_SNI_MAX),
		    (const char *)ch->sni);
	else
		add(tl, c, frame, TL_CLIENT, "%s: %s; %u cipher suites; no SNI",
		    what, vers, real_ciphers(ch));
}

/* How the server greeted and answered, in its protocol's words. */
static const char *
greeting_text(const struct starttls_facts *st, char *buf, size_t len)
{
	static const char *const imap[] = {"", "* OK", "* PREAUTH", "* BYE",
	                                   "not IMAP", "refused"};
	const struct starttls_proto_info *p = starttls_proto(st->protocol);

	if (st->protocol == STARTTLS_PROTO_IMAP)
		return (unsigned)st->greeting < TA_ELEMENTS(imap) ?
		    imap[st->greeting] : "";
	if (st->greeting == STARTTLS_GREETING_OTHER)
		(void)fmt_snprintf(buf, len, "not %s", p->label);
	else if (st->protocol == STARTTLS_PROTO_POP3)
		(void)fmt_snprintf(buf, len, "%s",
		    st->greeting == STARTTLS_GREETING_OK ? "+OK" : "-ERR");
	else
		(void)fmt_snprintf(buf, len, "%u", (unsigned)st->greeting_code);
	return buf;
}

static const char *
response_text(const struct starttls_facts *st, char *buf, size_t len)
{
	static const char *const imap[] = {"", "OK", "NO", "BAD"};

	if (st->protocol == STARTTLS_PROTO_SMTP)
		(void)fmt_snprintf(buf, len, "%u", (unsigned)st->response_code);
	else if (st->protocol == STARTTLS_PROTO_POP3)
		(void)fmt_snprintf(buf, len, "%s",
		    st->response == STARTTLS_RESP_OK ? "+OK" : "-ERR");
	else
		return (unsigned)st->response < TA_ELEMENTS(imap) ?
		    imap[st->response] : "";
	return buf;
}

static void
starttls_events(struct timeline *tl, const struct conn *c,
                const struct starttls_facts *st, bool client_missing)
{
	const struct starttls_proto_info *p = starttls_proto(st->protocol);
	char g[16], r[16];

	/* IMAP's greeting may carry the capabilities; POP3 and SMTP list
	 * them in answer to a command, shown on its own line. */
	bool caps = st->caps_known && (st->protocol == STARTTLS_PROTO_IMAP ||
	                               st->caps_frame == st->greeting_frame);

	if (st->greeting != STARTTLS_GREETING_NONE)
		add(tl, c, st->greeting_frame, TL_SERVER, "greeting %s%s%s%s",
		    greeting_text(st, g, sizeof g), caps ? ", " : "",
		    caps ? p->command : "",
		    caps ? (st->offered ? " offered" : " not offered") : "");
	if (st->caps_known && st->caps_frame != st->greeting_frame)
		add(tl, c, st->caps_frame, TL_SERVER, "%s: %s %s",
		    st->protocol == STARTTLS_PROTO_IMAP ? "capabilities" :
		    st->protocol == STARTTLS_PROTO_POP3 ? "CAPA" : "EHLO",
		    p->command, st->offered ? "offered" : "not offered");
	if (st->requested)
		add(tl, c, st->request_frame, TL_CLIENT, "%s", p->command);
	if (st->response != STARTTLS_RESP_NONE)
		add(tl, c, st->response_frame, TL_SERVER, "%s %.*s",
		    response_text(st, r, sizeof r), (int)st->response_text_len,
		    (const char *)st->response_text);
	if (st->tls_required)
		add(tl, c, st->tls_required_frame, TL_SERVER,
		    "530: TLS required first");
	if (st->closing)
		add(tl, c, st->closing_frame, TL_SERVER, "421 %.*s",
		    (int)st->closing_text_len, (const char *)st->closing_text);
	/* The line that stopped the reading of a side (unless it was the
	 * greeting, already shown). */
	if (st->unparsed && !(st->unparsed_dir == TCP_DIR_S2C &&
	                      st->greeting == STARTTLS_GREETING_OTHER &&
	                      st->unparsed_frame == st->greeting_frame))
		add(tl, c, st->unparsed_frame,
		    st->unparsed_dir == TCP_DIR_C2S ? TL_CLIENT : TL_SERVER,
		    "a line that is not %s: not read further", p->label);
	if (st->plaintext_mail)
		add(tl, c, st->plaintext_mail_frame, TL_CLIENT, "%s in plaintext",
		    st->protocol == STARTTLS_PROTO_POP3 ? "mail fetched" :
		    "mail sent");
	if (st->plaintext_auth)
		add(tl, c, st->plaintext_auth_frame, TL_CLIENT,
		    "authentication in plaintext (credentials not shown)");
	if (st->client_pipelined > 0)
		add(tl, c, st->client_pipelined_frame, TL_CLIENT,
		    "%u plaintext bytes pipelined after %s",
		    st->client_pipelined, p->command);
	if (st->server_pipelined > 0)
		add(tl, c, st->server_pipelined_frame, TL_SERVER,
		    "%u plaintext bytes after its %s to %s",
		    st->server_pipelined, response_text(st, r, sizeof r),
		    p->command);
	/* With the client's direction missing, its command is too: the
	 * server's TLS says it came, not that it did not. */
	if (st->tls_without_starttls && client_missing &&
	    st->tls_without_starttls_dir == TCP_DIR_S2C)
		add(tl, c, st->tls_without_starttls_frame, TL_SERVER,
		    "TLS begins (the client's %s is not in the capture)",
		    p->command);
	else if (st->tls_without_starttls && st->gap)
		add(tl, c, st->tls_without_starttls_frame,
		    st->tls_without_starttls_dir == TCP_DIR_C2S ? TL_CLIENT
		                                                : TL_SERVER,
		    "TLS begins (the %s exchange may be in bytes the capture "
		    "lacks)", p->command);
	else if (st->tls_without_starttls)
		add(tl, c, st->tls_without_starttls_frame,
		    st->tls_without_starttls_dir == TCP_DIR_C2S ? TL_CLIENT
		                                                : TL_SERVER,
		    "TLS record without %s", p->command);
}

/* The stream position of the event just added (for frame). */
static void
set_pos(struct timeline *tl, ta_frame frame, uint64_t pos)
{
	if (tl->n > 0 && tl->ev[tl->n - 1].frame == frame)
		tl->ev[tl->n - 1].pos = pos;
}

static void
tls_events(struct timeline *tl, const struct conn *c,
           const struct tls_facts *t)
{
	char hex[TLS_NAMES_HEX_LEN], hex2[TLS_NAMES_HEX_LEN];
	bool tls13 = t->server_hello_seen &&
	             t->server_hello.version == TLS_V_TLS13;

	if (t->client_hello_seen) {
		client_hello(tl, c, t->client_hello_frame, &t->client_hello,
		             t->client_hello.sslv2 ? "ClientHello (SSLv2 format)"
		                                   : "ClientHello");
		set_pos(tl, t->client_hello_frame, t->client_hello_offset);
	}
	if (t->hello_retry)
		add(tl, c, t->hello_retry_frame, TL_SERVER,
		    "HelloRetryRequest: asks for %s",
		    t->hello_retry_group ? tls_group_str(t->hello_retry_group, hex)
		                         : "a different key share");
	if (t->client_hello2 != NULL)
		client_hello(tl, c, t->client_hello2_frame, t->client_hello2,
		             "second ClientHello");
	if (t->client_hello_again)
		add(tl, c, t->client_hello_again_frame, TL_CLIENT,
		    "another ClientHello%s (not asked for by a "
		    "HelloRetryRequest)", t->client_hello_again_after_server_hello
		    ? ", after the ServerHello: renegotiation in clear" : "");
	if (t->server_hello_seen) {
		const char *cn = iana_cipher_name(t->server_hello.cipher);
		add(tl, c, t->server_hello_frame, TL_SERVER, "ServerHello: %s, %s",
		    tls_version_str(t->server_hello.version, hex),
		    cn ? cn : tls_hex16(t->server_hello.cipher, hex2));
		set_pos(tl, t->server_hello_frame, t->server_hello_offset);
	}
	if (t->certs_seen)
		add(tl, c, t->certs_frame, TL_SERVER,
		    "Certificate: %u certificate%s, %llu bytes", t->cert_count,
		    t->cert_count == 1 ? "" : "s",
		    (unsigned long long)t->cert_bytes);
	else if (t->certs_unreadable)
		add(tl, c, t->certs_unreadable_frame, TL_SERVER,
		    "Certificate: not readable (%lu bytes)",
		    (unsigned long)t->certs_unreadable_len);
	for (int s = 0; s < 2; s++)
		if (t->side[s].hs_too_long > 0)
			add(tl, c, t->side[s].hs_too_long_frame,
			    tls_side((enum tls_side)s), "a %lu-byte handshake "
			    "message declared: not followed",
			    (unsigned long)t->side[s].hs_too_long_len);
	if (t->cert_request)
		add(tl, c, t->cert_request_frame, TL_SERVER,
		    "CertificateRequest (client certificate asked)");
	if (t->server_hello_done)
		add(tl, c, t->server_hello_done_frame, TL_SERVER,
		    "ServerHelloDone");
	if (t->client_certs_seen)
		add(tl, c, t->client_certs_frame, TL_CLIENT,
		    "Certificate: %u certificate%s", t->client_cert_count,
		    t->client_cert_count == 1 ? "" : "s");
	for (int s = 0; s < 2; s++) {
		const struct tls_facts_side *sd = &t->side[s];
		if (sd->ccs) {
			add(tl, c, sd->ccs_frame, tls_side((enum tls_side)s),
			    "ChangeCipherSpec");
			set_pos(tl, sd->ccs_frame, sd->ccs_offset);
		}
		/* A TLS 1.3 server's "Finished" is where its encrypted
		 * flight starts: the Finished itself comes last in it, maybe
		 * frames later, and cannot be told apart. */
		if (sd->finished && s == TLS_SIDE_SERVER && tls13)
			add(tl, c, sd->finished_frame, TL_SERVER,
			    "encrypted flight begins (EncryptedExtensions to "
			    "Finished)");
		else if (sd->finished)
			add(tl, c, sd->finished_frame, tls_side((enum tls_side)s),
			    "Finished (encrypted)");
		if (sd->stopped)
			add(tl, c, sd->stop_frame, tls_side((enum tls_side)s),
			    "not parsed further: %s",
			    tls_rec_stop_str(sd->stop));
	}
	for (uint8_t i = 0; i < t->alert_count && i < TLS_FACTS_MAX_ALERTS; i++) {
		const struct tls_facts_alert *a = &t->alerts[i];
		const char *lvl = a->level == TLS_ALERT_FATAL     ? "fatal "
		                  : a->level == TLS_ALERT_WARNING ? "warning "
		                                                  : "";
		if (a->encrypted)
			add(tl, c, a->frame, tls_side(a->from),
			    "%s %u-byte encrypted record, most likely an alert%s",
			    a->inferred ? "short" : "encrypted alert,",
			    (unsigned)a->record_len,
			    a->inferred ? " (inferred)" : "");
		else
			add(tl, c, a->frame, tls_side(a->from), "alert %s%s", lvl,
			    tls_alert_str(a->description, hex));
		set_pos(tl, a->frame, a->offset);
	}
	/* The client's side not captured: what the server acknowledged of
	 * it after its TLS 1.3 flight stands in for it. */
	if (t->side[TLS_SIDE_CLIENT].bytes == 0 && t->tls13_acks.fin_frame != 0) {
		add(tl, c, t->tls13_acks.fin_frame, TL_SERVER,
		    "acknowledges %llu bytes from the client since its flight "
		    "(not in the capture)",
		    (unsigned long long)t->tls13_acks.fin_bytes);
		if (t->tls13_acks.answer_frame != 0 &&
		    t->tls13_acks.answer_ack_frame != t->tls13_acks.fin_frame)
			add(tl, c, t->tls13_acks.answer_ack_frame, TL_SERVER,
			    "acknowledges %llu bytes from the client since its "
			    "flight (not in the capture)",
			    (unsigned long long)t->tls13_acks.answer_acked);
		if (t->tls13_acks.answer_frame != 0)
			add(tl, c, t->tls13_acks.answer_frame, TL_SERVER,
			    "%u-byte encrypted record",
			    (unsigned)t->tls13_acks.answer_len);
	}
	if (t->handshake_complete)
		add(tl, c, t->handshake_complete_frame, TL_NONE,
		    "handshake complete");
	if (t->app_data)
		add(tl, c, t->app_data_frame, TL_NONE, "application data");
}

static void
tcp_events(struct timeline *tl, const struct conn *c,
           const struct conn_facts *f)
{
	const struct tcp_track *t = &c->tcp;
	const struct tcp_outcome *o = &f->tcp;

	if (t->syn_frame != 0)
		add(tl, c, t->syn_frame, TL_CLIENT, "SYN%s",
		    t->syns > 1 ? " (then retransmitted)" : "");
	if (t->synack_frame != 0)
		add(tl, c, t->synack_frame, TL_SERVER, "SYN-ACK");
	switch (o->end) {
	case TCP_END_FIN:
	case TCP_END_RST:
	case TCP_END_REFUSED:
		add(tl, c, o->end_frame,
		    o->end_by == TCP_SIDE_CLIENT   ? TL_CLIENT
		    : o->end_by == TCP_SIDE_SERVER ? TL_SERVER
		                                   : TL_NONE,
		    "%s%s%s%s", o->end == TCP_END_FIN ? "FIN" : "RST",
		    o->end_by == TCP_SIDE_MIDDLEBOX ? " carrying the " : "",
		    o->end_by != TCP_SIDE_MIDDLEBOX ? ""
		    : t->rst[0].dir == TCP_DIR_C2S  ? "client"
		                                    : "server",
		    o->end_by == TCP_SIDE_MIDDLEBOX
		        ? "'s address, sent by a middlebox (inferred)"
		        : "");
		break;
	case TCP_END_OPEN:
	case TCP_END_TIMEOUT:
	case TCP_END_NO_ANSWER:
		break;
	}
}

static int
cmp_event(const void *a, const void *b)
{
	const struct timeline_event *x = a, *y = b;

	if (x->frame != y->frame)
		return x->frame < y->frame ? -1 : 1;
	if (x->side == y->side && x->pos != UINT64_MAX &&
	    y->pos != UINT64_MAX && x->pos != y->pos)
		return x->pos < y->pos ? -1 : 1;
	return 0;
}

void
timeline_build(const struct conn_facts *f, struct timeline *tl)
{
	const struct conn *c = f->conn;

	memset(tl, 0, sizeof *tl);
	tcp_events(tl, c, f);
	if (f->starttls != NULL)
		starttls_events(tl, c, f->starttls,
		                f->tcp.missing == TCP_SIDE_CLIENT);
	if (f->tls != NULL)
		tls_events(tl, c, f->tls);
	/* Stable: events of one frame keep the order they were added in. */
	for (unsigned i = 1; i < tl->n; i++) {
		struct timeline_event e = tl->ev[i];
		unsigned j = i;
		while (j > 0 && cmp_event(&tl->ev[j - 1], &e) > 0) {
			tl->ev[j] = tl->ev[j - 1];
			j--;
		}
		tl->ev[j] = e;
	}
	/* A clock that stepped back makes every offset a lie: none shown. */
	for (unsigned i = 0; !f->tcp.ts_damaged && i < tl->n; i++) {
		if (tl->ev[i].ts_known) {
			tl->t0 = tl->ev[i].ts;
			tl->t0_known = true;
			break;
		}
	}
}

const char *
timeline_side_str(enum timeline_side s)
{
	switch (s) {
	case TL_CLIENT:
		return "client";
	case TL_SERVER:
		return "server";
	case TL_NONE:
		break;
	}
	return "";
}
