/* rules_tls.c: the TLS rules: not TLS, alerts (RFC 8446 6 / RFC 5246 7.2), the chosen version, completion, a TLS 1.3 client hanging up. */
#include <string.h>

#include "diag/diag_ctx.h"
#include "util/fmt.h"
#include "tls/tls_names.h"

/* Variants of the advice where the facts say which side must act. */
static const char advice_client_cert[] =
	"The server requires a client certificate (mutual TLS) and the "
	"client presented none. Either give the migration tool a client "
	"certificate the server accepts, or have the server's administrator "
	"make client certificates optional on this port (Dovecot: "
	"`ssl_verify_client_cert = no`, or `auth_ssl_require_client_cert = "
	"no`). This is not a cipher or version problem.";
/* Rule 4 (rules_session.c) gives these two as well. */
const char dg_advice_not_tls_server[] =
	"The server spoke plaintext IMAP where the client expected TLS: the "
	"port is configured without implicit TLS. Configure TLS on 993 "
	"(Dovecot: inet_listener imaps { port = 993  ssl = yes }) or point the "
	"migration tool at port 143 with STARTTLS.";
const char dg_advice_not_tls_client[] =
	"The client did not speak TLS where TLS was expected (a plaintext "
	"IMAP client on 993, or a client speaking implicit TLS on 143 without "
	"STARTTLS). Configure the migration tool for the port: implicit TLS on "
	"993, STARTTLS on 143.";

/* ------------------------------------------------------------------ */
/* Alerts */

#define A_CLOSE_NOTIFY 0
#define A_HANDSHAKE_FAILURE 40
#define A_BAD_CERTIFICATE 42
#define A_UNSUPPORTED_CERTIFICATE 43
#define A_CERTIFICATE_REVOKED 44
#define A_CERTIFICATE_EXPIRED 45
#define A_CERTIFICATE_UNKNOWN 46
#define A_UNKNOWN_CA 48
#define A_DECRYPT_ERROR 51
#define A_PROTOCOL_VERSION 70
#define A_INSUFFICIENT_SECURITY 71
#define A_INTERNAL_ERROR 80
#define A_USER_CANCELED 90

static bool
is_cert_alert(uint8_t d)
{
	return d == A_BAD_CERTIFICATE || d == A_UNSUPPORTED_CERTIFICATE ||
	    d == A_CERTIFICATE_REVOKED || d == A_CERTIFICATE_EXPIRED ||
	    d == A_CERTIFICATE_UNKNOWN || d == A_UNKNOWN_CA;
}

static bool
is_close_alert(const struct tls_facts_alert *a)
{
	return !a->encrypted && (a->description == A_CLOSE_NOTIFY ||
	    a->description == A_USER_CANCELED);
}

/* Before the connection's end: an alert after the FIN or RST that ended
 * it is a reaction, not the cause (the same frame is before: a FIN
 * segment's payload precedes its FIN). */
static bool
before_end(const struct ctx *c, ta_frame frame)
{
	enum tcp_end e = c->f->tcp.end;

	if (e == TCP_END_FIN || e == TCP_END_RST)
		return c->f->tcp.end_frame == 0 || frame <= c->f->tcp.end_frame;
	return true;
}

/* The alert that failed the handshake: a plaintext fatal one, or an
 * encrypted one (its level is hidden). */
static bool
is_failing_alert(const struct tls_facts_alert *a)
{
	return a->encrypted ||
	    (a->level == TLS_ALERT_FATAL && !is_close_alert(a));
}

/* The earliest alert that matches, before the end; none once the
 * handshake completed, and no encrypted one after application data (it
 * flows only over a completed handshake, whose Finished the capture
 * may have lost: such an alert closes a session, it fails no
 * handshake). */
static const struct tls_facts_alert *
earliest_alert(const struct ctx *c,
    bool (*match)(const struct tls_facts_alert *))
{
	const struct tls_facts_alert *best = NULL;

	if (c->tls == NULL || c->tls->handshake_complete)
		return NULL;
	for (uint8_t i = 0; i < c->tls->alert_count &&
	    i < TLS_FACTS_MAX_ALERTS; i++) {
		const struct tls_facts_alert *a = &c->tls->alerts[i];

		if (!match(a) || !before_end(c, a->frame))
			continue;
		if (a->encrypted && c->tls->app_data &&
		    c->tls->app_data_frame < a->frame)
			continue;
		if (best == NULL || a->frame < best->frame)
			best = a;
	}
	return best;
}

static const struct tls_facts_alert *
failing_alert(const struct ctx *c)
{
	return earliest_alert(c, is_failing_alert);
}

/* A plaintext close_notify / user_canceled before the handshake
 * completed: that side hung up politely. */
const struct tls_facts_alert *
dg_closing_alert(const struct ctx *c)
{
	return earliest_alert(c, is_close_alert);
}

/* "fatal alert unknown_ca (48)", "encrypted alert (24-byte record)". */
static struct lbuf
alert_desc(const struct tls_facts_alert *a)
{
	char h[TLS_NAMES_HEX_LEN];
	struct lbuf b;

	if (a->inferred)
		(void)fmt_snprintf(b.s, sizeof b.s, "a %u-byte encrypted record "
		    "(an alert, inferred from its size)", (unsigned)a->record_len);
	else if (a->encrypted)
		(void)fmt_snprintf(b.s, sizeof b.s, "an encrypted alert (%u-byte "
		    "record, description hidden)", (unsigned)a->record_len);
	else
		(void)fmt_snprintf(b.s, sizeof b.s, "%s alert %s (%u)",
		    a->level == TLS_ALERT_FATAL ? "fatal" : "warning",
		    tls_alert_str(a->description, h), (unsigned)a->description);
	return b;
}

/* ------------------------------------------------------------------ */
/* Rules */

static bool
is_not_tls_stop(const struct tls_facts_side *s, bool complete)
{
	if (!s->stopped)
		return false;
	if (s->stop == TLS_STOP_NOT_TLS)
		return true;
	return !complete && (s->stop == TLS_STOP_BAD_RECORD ||
	    s->stop == TLS_STOP_RECORD_TOO_LONG);
}

/* 4. A side's stream is not TLS. */
/* What a stream that is not TLS began with, as far as it tells. */
enum not_tls_kind {
	NT_IMAP_GREETING,  /* "* OK": an IMAP server in clear */
	NT_POP3_GREETING,  /* "+OK" */
	NT_SMTP_GREETING,  /* "220 " */
	NT_HTTP_RESPONSE,  /* "HTTP/1.1 400 ..." */
	NT_HTTP_REQUEST,   /* "GET / HTTP/1.1" */
	NT_HTML,           /* "<!DOCTYPE HTML ...": an HTTP/0.9-style page */
	NT_SSH,            /* "SSH-2.0-..." */
	NT_EMPTY_LINE,     /* CR LF alone: a probe's line */
	NT_TEXT,           /* some other line of text */
	NT_BINARY,
};

static bool
starts(const uint8_t *p, size_t n, const char *lit)
{
	size_t k = strlen(lit);

	return n >= k && memcmp(p, lit, k) == 0;
}

static bool
starts_nocase(const uint8_t *p, size_t n, const char *lit)
{
	size_t k = strlen(lit);

	if (n < k)
		return false;
	for (size_t i = 0; i < k; i++) {
		uint8_t a = p[i], b = (uint8_t)lit[i];

		if (a >= 'a' && a <= 'z')
			a = (uint8_t)(a - 'a' + 'A');
		if (b >= 'a' && b <= 'z')
			b = (uint8_t)(b - 'a' + 'A');
		if (a != b)
			return false;
	}
	return true;
}

static enum not_tls_kind
not_tls_kind(const uint8_t *p, size_t n)
{
	static const char *const methods[] = {
		"GET ", "POST ", "HEAD ", "PUT ", "OPTIONS ", "CONNECT ",
		"DELETE ", "PATCH ",
	};
	size_t i;

	if (starts(p, n, "* OK") || starts(p, n, "* BYE") ||
	    starts(p, n, "* PREAUTH"))
		return NT_IMAP_GREETING;
	if (starts(p, n, "+OK"))
		return NT_POP3_GREETING;
	if (starts(p, n, "220 ") || starts(p, n, "220-"))
		return NT_SMTP_GREETING;
	if (starts(p, n, "HTTP/1.") || starts(p, n, "HTTP/2"))
		return NT_HTTP_RESPONSE;
	for (i = 0; i < sizeof methods / sizeof methods[0]; i++)
		if (starts(p, n, methods[i]))
			return NT_HTTP_REQUEST;
	if (starts(p, n, "SSH-"))
		return NT_SSH;
	if (starts_nocase(p, n, "<!DOCTYPE HTML") || starts_nocase(p, n, "<html"))
		return NT_HTML;
	for (i = 0; i < n && (p[i] == '\r' || p[i] == '\n'); i++)
		;
	if (n > 0 && i == n)
		return NT_EMPTY_LINE;
	for (i = 0; i < n && p[i] != '\r' && p[i] != '\n'; i++)
		if (p[i] < 0x20 || p[i] >= 0x7f)
			return p[i] == '\t' ? NT_TEXT : NT_BINARY;
	return NT_TEXT;
}

/* The excerpt as a reader should see it: text quoted up to its line's
 * end, anything else in hex. */
static struct lbuf
not_tls_quote(const uint8_t *p, size_t n, enum not_tls_kind k)
{
	struct lbuf b;
	size_t o = 0;

	if (k == NT_BINARY || k == NT_EMPTY_LINE) {
		o = (size_t)fmt_snprintf(b.s, sizeof b.s, "bytes ");
		for (size_t i = 0; i < n && i < 16; i++)
			o += (size_t)fmt_snprintf(b.s + o, sizeof b.s - o,
			    "%s%02x", i > 0 ? " " : "", (unsigned)p[i]);
		if (n > 16)
			(void)fmt_snprintf(b.s + o, sizeof b.s - o, " ...");
		return b;
	}
	(void)fmt_snprintf(b.s, sizeof b.s, "\"%s\"", dg_inert(p, n, 60).s);
	return b;
}

static const char *const not_tls_what[] = {
	[NT_IMAP_GREETING] = "a plaintext IMAP greeting",
	[NT_POP3_GREETING] = "a plaintext POP3 greeting",
	[NT_SMTP_GREETING] = "a plaintext SMTP greeting",
	[NT_HTTP_RESPONSE] = "a plain HTTP response",
	[NT_HTTP_REQUEST] = "a plain HTTP request",
	[NT_HTML] = "an HTML page (an HTTP server without TLS)",
	[NT_SSH] = "an SSH banner",
	[NT_EMPTY_LINE] = "an empty line",
	[NT_TEXT] = "a line of text",
	[NT_BINARY] = "binary bytes",
};

static const char advice_client_local[] =
	"The client failed before it sent anything to negotiate: look at the "
	"migration tool's own error and TLS configuration (versions or suites "
	"it may not use, a client certificate or key it cannot load, a "
	"security level its library refuses); nothing to change on the "
	"server for this connection.";
static const char advice_pop3_server[] =
	"A POP3 server speaks plaintext on this port where the client expected "
	"TLS: the port is configured without implicit TLS (its STLS port is "
	"110). Configure implicit TLS on port 995 (Dovecot: inet_listener pop3s "
	"{ port = 995  ssl = yes } in service pop3-login; Courier: pop3d-ssl) "
	"or point the client at port 110 with STLS.";
static const char advice_smtp_server[] =
	"An SMTP server speaks plaintext on this port where the client "
	"expected TLS: the port is configured without implicit TLS (its "
	"STARTTLS ports are 25 and 587). Configure implicit TLS on port 465 "
	"(Postfix: the smtps or submissions service in master.cf with -o "
	"smtpd_tls_wrappermode=yes; Exim: tls_on_connect_ports = 465) or point "
	"the client at port 587 with STARTTLS.";
static const char advice_mail_client[] =
	"The client did not speak TLS where TLS was expected (a plaintext POP3 "
	"or SMTP client on an implicit-TLS port such as 995 or 465, or a "
	"client speaking implicit TLS on a STARTTLS port). Configure the "
	"client for the port: implicit TLS on 995 and 465, STLS on 110, "
	"STARTTLS on 25 and 587.";
static const char advice_http_server[] =
	"A plain HTTP server answers on this port, not TLS: the client reached "
	"an HTTP listener (or a proxy's error page). Check which port the "
	"client was given and what listens there.";
static const char advice_other_server[] =
	"Something that does not speak TLS answers on this port (its first "
	"bytes are quoted above): check what listens there (another service, "
	"a load balancer's health page, a device on the path) and which port "
	"the client was given.";
static const char advice_probe_client[] =
	"The client sent no TLS at all, only a bare line: a port scanner's or "
	"a monitor's probe, not a TLS client. Nothing to fix on the server "
	"for this connection.";
static const char advice_http_client[] =
	"The client sent plain HTTP to a port that speaks TLS: configure it "
	"for https (or the right port).";
static const char advice_other_client[] =
	"The client sent something other than TLS (its first bytes are quoted "
	"above): it is not a TLS client of this port, or it is configured for "
	"another protocol or for STARTTLS on a port with implicit TLS.";

bool
dg_rule_not_tls(struct ctx *c)
{
	const struct tls_facts *t = c->tls;
	enum tls_side who;
	const struct tls_facts_side *s;
	enum not_tls_kind k;

	if (t == NULL)
		return false;
	/* The side that spoke something else first is the one to name: a
	 * server's HTTP 400 answers a client's GET, not a ClientHello. */
	bool srv = is_not_tls_stop(&t->side[TLS_SIDE_SERVER],
	    t->handshake_complete);
	bool cli = is_not_tls_stop(&t->side[TLS_SIDE_CLIENT],
	    t->handshake_complete);

	if (srv && cli)
		who = t->side[TLS_SIDE_CLIENT].stop_frame <
		    t->side[TLS_SIDE_SERVER].stop_frame ? TLS_SIDE_CLIENT :
		    TLS_SIDE_SERVER;
	else if (srv)
		who = TLS_SIDE_SERVER;
	else if (cli)
		who = TLS_SIDE_CLIENT;
	else
		return false;
	s = &t->side[who];
	k = not_tls_kind(s->stop_excerpt, s->stop_excerpt_len);
	if (who == TLS_SIDE_SERVER)
		dg_ev_client_hello(c);
	if (s->stop == TLS_STOP_NOT_TLS)
		ev(c, s->stop_frame, "%s: the %s sent %s, %s, not a TLS record",
		    dg_fr(c, s->stop_frame).s, dg_side_word(who),
		    not_tls_what[k],
		    not_tls_quote(s->stop_excerpt, s->stop_excerpt_len, k).s);
	else
		ev(c, s->stop_frame, "%s: after %llu bytes of TLS the %s sent "
		    "an invalid record header, %s",
		    dg_fr(c, s->stop_frame).s,
		    (unsigned long long)s->stop_offset,
		    dg_side_word(who),
		    not_tls_quote(s->stop_excerpt, s->stop_excerpt_len,
		    NT_BINARY).s);
	if (who == TLS_SIDE_SERVER) {
		if (s->stop != TLS_STOP_NOT_TLS)
			c->advice = advice_other_server;
		else if (k == NT_IMAP_GREETING)
			c->advice = dg_advice_not_tls_server;
		else if (k == NT_POP3_GREETING)
			c->advice = advice_pop3_server;
		else if (k == NT_SMTP_GREETING)
			c->advice = advice_smtp_server;
		else if (k == NT_HTTP_RESPONSE || k == NT_HTML)
			c->advice = advice_http_server;
		else
			c->advice = advice_other_server;
		/* Greeted first, or answered the ClientHello: the order is
		 * what the packets say, not what is usual. */
		bool answered = t->client_hello_seen &&
		    t->client_hello_frame <= s->stop_frame;

		if (s->stop == TLS_STOP_NOT_TLS && (k == NT_IMAP_GREETING ||
		    k == NT_POP3_GREETING || k == NT_SMTP_GREETING))
			verdict(c, DIAG_NOT_TLS, false, "The server %s %s: the "
			    "port does not speak TLS (the client's \"wrong "
			    "version number\").", answered ?
			    "answered the ClientHello with" : "greeted first, "
			    "before any TLS, with", not_tls_what[k]);
		else
			verdict(c, DIAG_NOT_TLS, false, "The server sent %s "
			    "where TLS was expected (the client's \"wrong "
			    "version number\").", s->stop == TLS_STOP_NOT_TLS ?
			    not_tls_what[k] : "an invalid TLS record");
	} else {
		if (s->stop != TLS_STOP_NOT_TLS)
			c->advice = advice_other_client;
		else if (k == NT_EMPTY_LINE)
			c->advice = advice_probe_client;
		else if (k == NT_HTTP_REQUEST)
			c->advice = advice_http_client;
		else if (k == NT_TEXT && c->f->conn != NULL &&
		    (c->f->conn->svc == SVC_IMAP || c->f->conn->svc == SVC_IMAPS))
			c->advice = dg_advice_not_tls_client;
		else if (k == NT_TEXT && c->f->conn != NULL &&
		    service_info(c->f->conn->svc)->label != NULL)
			c->advice = advice_mail_client;
		else
			c->advice = advice_other_client;
		verdict(c, DIAG_NOT_TLS, false, "The client sent %s where TLS "
		    "was expected.", s->stop == TLS_STOP_NOT_TLS ?
		    not_tls_what[k] : "an invalid TLS record");
	}
	return true;
}

/*
 * handshake_failure / insufficient_security right after the ClientHello
 * usually means no common suite; it means no common version when the
 * client offers nothing in TLS 1.2, the one version every current server
 * speaks (only TLS 1.1 and older, or only TLS 1.3).
 */
static bool
versions_explain(const struct tls_client_hello *ch)
{
	uint16_t m = dg_max_offered(ch);

	if (m != 0 && m < TLS_V_TLS12)
		return true;
	return !dg_client_offers(ch, TLS_V_TLS12) &&
	    dg_client_offers(ch, TLS_V_TLS13);
}

/* "10", "no" */
static struct sbuf
suite_count(const struct tls_client_hello *ch)
{
	struct suite_stats s;
	struct sbuf b;

	dg_suite_stats(ch, &s);
	if (s.n == 0)
		(void)fmt_snprintf(b.s, sizeof b.s, "(no)");
	else
		(void)fmt_snprintf(b.s, sizeof b.s, "%u", s.n);
	return b;
}

/*
 * The server's fatal alert at the hello, with the ClientHello not in the
 * capture (one direction only, or its bytes lost): the alert says what
 * the server objected to, nothing says what the client offered, so the
 * cause is the alert's usual one, inferred, and no side is blamed.
 */
static void
server_alert_unseen_hello(struct ctx *c, const struct tls_facts_alert *a)
{
	char h[TLS_NAMES_HEX_LEN];

	ev(c, a->frame, "%s: server sent %s in answer to the client's "
	    "ClientHello, which the capture does not hold",
	    dg_fr(c, a->frame).s, alert_desc(a).s);
	if (a->description == A_PROTOCOL_VERSION) {
		verdict(c, DIAG_TLS_VERSION_MISMATCH, false, "The server "
		    "refused the TLS version the client offered with alert "
		    "protocol_version (the capture does not hold the "
		    "ClientHello, which would say which versions).");
		return;
	}
	if (a->description == A_HANDSHAKE_FAILURE ||
	    a->description == A_INSUFFICIENT_SECURITY) {
		verdict(c, DIAG_NO_SHARED_CIPHER, true, "The server refused "
		    "the client's ClientHello (which the capture does not "
		    "hold) with %s: "
		    "most often the two share no cipher suite, or no version "
		    "(inferred).", tls_alert_str(a->description, h));
		return;
	}
	verdict(c, DIAG_TLS_ALERT, false, "The server refused the client's "
	    "ClientHello (which the capture does not hold) with fatal alert "
	    "%s.",
	    tls_alert_str(a->description, h));
}

/* The server's fatal alert in answer to the ClientHello. */
static void
server_alert_at_hello(struct ctx *c, const struct tls_facts_alert *a)
{
	const struct tls_client_hello *ch = c->ch;
	char h[TLS_NAMES_HEX_LEN];
	ta_frame chf = c->tls->hello_retry && c->tls->client_hello2_frame ?
	    c->tls->client_hello2_frame : c->tls->client_hello_frame;

	if (ch == NULL) {
		server_alert_unseen_hello(c, a);
		return;
	}
	dg_ev_client_hello(c);
	ev(c, a->frame, "%s: server sent %s %s the ClientHello (%s)",
	    dg_fr(c, a->frame).s, alert_desc(a).s, dg_after(c, a->frame, chf).s,
	    dg_fr(c, chf).s);
	if (a->description == A_PROTOCOL_VERSION) {
		verdict(c, DIAG_TLS_VERSION_MISMATCH, false, "The server "
		    "refused every TLS version the client offered (%s) with "
		    "alert protocol_version.", ch != NULL ?
		    dg_versions_desc(ch).s : "unknown");
		return;
	}
	/* A server that offers no signature algorithm a TLS 1.0/1.1 client
	 * can take (OpenSSL 3 at its default level) fails with internal_error
	 * at the hello: the version, not the server's health. */
	if (a->description == A_INTERNAL_ERROR && ch != NULL &&
	    dg_max_offered(ch) != 0 && dg_max_offered(ch) < TLS_V_TLS12) {
		ev(c, c->tls->client_hello_frame, "the client offered %s: "
		    "nothing from TLS 1.2 on, which servers at their default "
		    "security level no longer sign for", dg_versions_desc(ch).s);
		verdict(c, DIAG_TLS_VERSION_MISMATCH, true, "The server refused "
		    "the ClientHello with internal_error; the client offered "
		    "only %s, so the version most likely is the cause "
		    "(inferred).", dg_versions_desc(ch).s);
		return;
	}
	if (a->description == A_HANDSHAKE_FAILURE ||
	    a->description == A_INSUFFICIENT_SECURITY) {
		if (ch != NULL && versions_explain(ch)) {
			ev(c, c->tls->client_hello_frame, "the client offered "
			    "%s: no TLS 1.2, the version current servers all "
			    "speak", dg_versions_desc(ch).s);
			verdict(c, DIAG_TLS_VERSION_MISMATCH, true, "The server "
			    "refused the ClientHello with %s; the client "
			    "offered only %s, so the versions most likely do "
			    "not match (inferred).",
			    tls_alert_str(a->description, h),
			    dg_versions_desc(ch).s);
			return;
		}
		verdict(c, DIAG_NO_SHARED_CIPHER, false, "The server refused "
		    "the ClientHello with %s: it shares none of the %s cipher "
		    "suite%s the client offered.",
		    tls_alert_str(a->description, h), ch != NULL ?
		    suite_count(ch).s : "", ch != NULL &&
		    strcmp(suite_count(ch).s, "1") == 0 ? "" : "s");
		return;
	}
	verdict(c, DIAG_TLS_ALERT, false, "The server refused the ClientHello "
	    "with fatal alert %s.", tls_alert_str(a->description, h));
}

/* The client's plaintext alert under TLS 1.3 after the server's
 * encrypted flight: the chain it is about cannot be seen. */
static void
client_alert_tls13(struct ctx *c, const struct tls_facts_alert *a)
{
	char h[TLS_NAMES_HEX_LEN];
	const char *d = tls_alert_str(a->description, h);

	ev(c, a->frame, "%s: the client sent %s in plaintext, %s the "
	    "server's encrypted flight (%s)", dg_fr(c, a->frame).s,
	    alert_desc(a).s,
	    dg_after(c, a->frame, c->tls->server_hello_frame).s,
	    dg_fr(c, c->tls->server_hello_frame).s);
	ev(c, 0, "TLS 1.3: the certificate chain is encrypted, so only the "
	    "alert tells what the client objected to");
	if (a->description == A_UNKNOWN_CA) {
		verdict(c, DIAG_CERT_UNTRUSTED, true, "The client did not trust "
		    "the server's certificate (TLS 1.3 alert unknown_ca; "
		    "inferred: the chain itself is encrypted).");
		return;
	}
	if (a->description == A_CERTIFICATE_EXPIRED) {
		verdict(c, DIAG_CERT_EXPIRED, true, "The client found a "
		    "certificate of the server's chain expired (TLS 1.3 alert "
		    "certificate_expired; inferred: the chain itself is "
		    "encrypted).");
		return;
	}
	verdict(c, DIAG_TLS13_REJECTED, true, "The client aborted the TLS 1.3 "
	    "handshake right after the server's encrypted flight with alert "
	    "%s%s (inferred).", d, is_cert_alert(a->description) ?
	    ": it rejected the certificate" : "");
}

/* 5. A fatal alert ended the handshake. */
bool
dg_rule_alert(struct ctx *c)
{
	const struct tls_facts_alert *a = failing_alert(c);
	const struct tls_facts *t = c->tls;
	char h[TLS_NAMES_HEX_LEN], h2[TLS_NAMES_HEX_LEN];
	bool flight;

	if (a == NULL)
		return false;
	/* The server's flight: encrypted (TLS 1.3) or in clear (1.2). */
	flight = t->server_hello_seen && a->frame >= t->server_hello_frame &&
	    (t->side[TLS_SIDE_SERVER].opaque_records > 0 || t->certs_seen ||
	    t->server_hello_done);

	if (a->from == TLS_SIDE_SERVER) {
		if (!t->server_hello_seen && !a->encrypted) {
			server_alert_at_hello(c, a);
			return true;
		}
		dg_ev_client_hello(c);
		dg_ev_server_hello(c);
		ev(c, a->frame, "%s: server sent %s", dg_fr(c, a->frame).s,
		    alert_desc(a).s);
		if (!a->encrypted && a->description == A_PROTOCOL_VERSION) {
			verdict(c, DIAG_TLS_VERSION_MISMATCH, false, "The server "
			    "ended the handshake with alert protocol_version.");
			return true;
		}
		/* TLS <= 1.2: the server asked for a client certificate
		 * (RFC 5246 7.4.4) and the client sent none, or an empty
		 * list (7.4.6): the alert that follows is about that. */
		if (t->cert_request && a->frame > t->cert_request_frame &&
		    (!t->client_certs_seen || t->client_cert_count == 0)) {
			ev(c, t->cert_request_frame, "%s: the server asked for a "
			    "client certificate (CertificateRequest)",
			    dg_fr(c, t->cert_request_frame).s);
			if (t->client_certs_seen)
				ev(c, t->client_certs_frame, "%s: the client "
				    "answered with an empty certificate list",
				    dg_fr(c, t->client_certs_frame).s);
			else
				ev(c, 0, "the client sent no Certificate message");
			c->advice = advice_client_cert;
			verdict(c, DIAG_TLS_ALERT, a->encrypted, "The server "
			    "requires a client certificate and the client sent "
			    "none; the server ended the handshake with %s.",
			    alert_desc(a).s);
			return true;
		}
		if (a->encrypted)
			verdict(c, DIAG_TLS_ALERT, a->inferred, "The server "
			    "ended the handshake with an encrypted alert after "
			    "the client's part%s; its description is hidden.",
			    a->inferred ? " (inferred from the record's size)" :
			    "");
		else
			verdict(c, DIAG_TLS_ALERT, false, "The server ended the "
			    "handshake with fatal alert %s.",
			    tls_alert_str(a->description, h));
		return true;
	}

	/* From the client. Before any ClientHello: it failed on its own. */
	if (!t->client_hello_seen && !a->encrypted &&
	    !dg_stream_gapped(c, TLS_SIDE_CLIENT) && !c->f->tcp.midstream) {
		ev(c, a->frame, "%s: the client sent %s and no ClientHello "
		    "before it", dg_fr(c, a->frame).s, alert_desc(a).s);
		c->advice = advice_client_local;
		verdict(c, DIAG_TLS_ALERT, false, "The client gave up before "
		    "its ClientHello, with fatal alert %s: it failed on its own, "
		    "before any negotiation; the server had done nothing yet.",
		    tls_alert_str(a->description, h));
		return true;
	}
	dg_ev_client_hello(c);
	dg_ev_server_hello(c);
	/* OpenSSL 3 offers TLS 1.0 and 1.1 but, at its default security
	 * level, refuses their SHA-1/MD5 signed key exchange: internal_error
	 * (or handshake_failure) right after the server's key exchange. */
	if (c->sh != NULL && c->sh->version <= TLS_V_TLS11 &&
	    c->sh->version >= TLS_V_TLS10 && !a->encrypted &&
	    (a->description == A_INTERNAL_ERROR ||
	    a->description == A_HANDSHAKE_FAILURE ||
	    a->description == A_INSUFFICIENT_SECURITY) &&
	    (t->ske_seen || t->server_hello_done) &&
	    !(t->certs_seen && is_cert_alert(a->description))) {
		ev(c, a->frame, "%s: client sent %s right after the server's "
		    "%s key exchange", dg_fr(c, a->frame).s, alert_desc(a).s,
		    dg_vname(c->sh->version, h2));
		verdict(c, DIAG_TLS_VERSION_MISMATCH, true, "The server chose "
		    "%s, which the client offered but then refused with %s: "
		    "clients such as OpenSSL 3 at their default security level "
		    "reject the SHA-1 and MD5 signatures of TLS 1.0 and 1.1 "
		    "(inferred from the alert's place).",
		    dg_vname(c->sh->version, h2),
		    tls_alert_str(a->description, h));
		return true;
	}
	if (c->sh != NULL && c->ch != NULL &&
	    !dg_client_offers(c->ch, c->sh->version)) {
		ev(c, a->frame, "%s: client answered with %s",
		    dg_fr(c, a->frame).s, alert_desc(a).s);
		verdict(c, DIAG_TLS_VERSION_MISMATCH, false, "The server chose "
		    "%s, which the client did not offer (%s), and the client "
		    "aborted.", dg_vname(c->sh->version, h2),
		    dg_versions_desc(c->ch).s);
		return true;
	}
	if (!a->encrypted && a->description == A_PROTOCOL_VERSION) {
		ev(c, a->frame, "%s: client sent %s", dg_fr(c, a->frame).s,
		    alert_desc(a).s);
		verdict(c, DIAG_TLS_VERSION_MISMATCH, false, "The client "
		    "refused the server's TLS version with alert "
		    "protocol_version.");
		return true;
	}
	if (dg_tls13(c) && flight) {
		if (a->encrypted) {
			ev(c, a->frame, "%s: the client sent %s %s the server's "
			    "encrypted flight (%s), and no Finished",
			    dg_fr(c, a->frame).s, alert_desc(a).s,
			    dg_after(c, a->frame, t->server_hello_frame).s,
			    dg_fr(c, t->server_hello_frame).s);
			verdict(c, DIAG_TLS13_REJECTED, true, "The client "
			    "aborted the TLS 1.3 handshake with an encrypted "
			    "alert right after the server's encrypted flight: "
			    "most often it rejected the certificate (inferred).");
			return true;
		}
		if (is_cert_alert(a->description) ||
		    a->description == A_HANDSHAKE_FAILURE ||
		    a->description == A_DECRYPT_ERROR) {
			client_alert_tls13(c, a);
			return true;
		}
	}
	if (!dg_tls13(c) && t->certs_seen && a->frame >= t->certs_frame &&
	    !a->encrypted && (is_cert_alert(a->description) ||
	    (a->description == A_HANDSHAKE_FAILURE && dg_chain_bad(c)))) {
		struct sbuf how;

		ev(c, a->frame, "%s: client sent %s %s the server's Certificate "
		    "(%s)", dg_fr(c, a->frame).s, alert_desc(a).s,
		    dg_after(c, a->frame, t->certs_frame).s,
		    dg_fr(c, t->certs_frame).s);
		how.s[0] = '\0';
		if (!c->quick)
			(void)fmt_snprintf(how.s, sizeof how.s, "with alert %s",
			    tls_alert_str(a->description, h));
		/* The client's word for dates the capture cannot check. */
		if (c->cert != NULL && c->cert->visible &&
		    c->cert->time_unknown &&
		    c->cert->problem == CERT_PROBLEM_NONE &&
		    a->description == A_CERTIFICATE_EXPIRED) {
			dg_ev_chain(c);
			verdict(c, DIAG_CERT_EXPIRED, true, "The client "
			    "rejected the server's certificate as expired "
			    "(alert certificate_expired); the capture holds no "
			    "real time, so the chain's dates were not checked "
			    "here (inferred from the alert).");
			return true;
		}
		if (c->cert != NULL && c->cert->visible) {
			dg_chain_verdict(c, how.s, false);
			return true;
		}
		/* No chain analysis: the alert alone names the verdict. */
		ev(c, 0, "the chain was not analysed: the verdict rests on the "
		    "alert alone");
		if (a->description == A_CERTIFICATE_EXPIRED)
			verdict(c, DIAG_CERT_EXPIRED, true, "The client "
			    "rejected the server's certificate as expired "
			    "(alert certificate_expired; inferred, the chain was "
			    "not analysed).");
		else
			verdict(c, DIAG_CERT_UNTRUSTED, true, "The client "
			    "rejected the server's certificate with alert %s "
			    "(inferred, the chain was not analysed).",
			    tls_alert_str(a->description, h));
		return true;
	}
	ev(c, a->frame, "%s: client sent %s", dg_fr(c, a->frame).s,
	    alert_desc(a).s);
	if (a->encrypted)
		verdict(c, DIAG_TLS_ALERT, a->inferred, "The client ended the "
		    "handshake with an encrypted alert%s; its description is "
		    "hidden.", a->inferred ? " (inferred from the record's "
		    "size)" : "");
	else
		verdict(c, DIAG_TLS_ALERT, false, "The client ended the "
		    "handshake with fatal alert %s.",
		    tls_alert_str(a->description, h));
	return true;
}

/* 6. A ServerHello version the client never offered. */
bool
dg_rule_sh_version(struct ctx *c)
{
	char h[TLS_NAMES_HEX_LEN];

	if (c->sh == NULL || c->ch == NULL || c->tls->handshake_complete ||
	    dg_client_offers(c->ch, c->sh->version))
		return false;
	dg_ev_client_hello(c);
	dg_ev_server_hello(c);
	ev(c, 0, "client offered %s; server answered %s",
	    dg_versions_desc(c->ch).s, dg_vname(c->sh->version, h));
	verdict(c, DIAG_TLS_VERSION_MISMATCH, false, "The server answered with "
	    "%s, which the client did not offer (%s), and the handshake went "
	    "no further.", dg_vname(c->sh->version, h),
	    dg_versions_desc(c->ch).s);
	return true;
}

/* Findings-worthy but healthy: what flowed. */
bool
dg_rule_complete(struct ctx *c)
{
	const struct tls_facts *t = c->tls;

	if (t == NULL || !t->handshake_complete)
		return false;
	dg_ev_client_hello(c);
	if (t->hello_retry) {
		char h[TLS_NAMES_HEX_LEN];

		if (t->client_hello2_frame != 0)
			ev(c, t->hello_retry_frame, "%s: server sent "
			    "HelloRetryRequest for group %s; the client's second "
			    "ClientHello %s (%s%s)",
			    dg_fr(c, t->hello_retry_frame).s,
			    tls_group_str(t->hello_retry_group, h),
			    t->client_hello2_frame < t->hello_retry_frame ?
			    "answered it" : "followed",
			    dg_fr(c, t->client_hello2_frame).s,
			    t->client_hello2_frame < t->hello_retry_frame ?
			    ", captured before it: the capture holds the two "
			    "directions out of order" : "");
		else
			ev(c, t->hello_retry_frame, "%s: server sent "
			    "HelloRetryRequest for group %s",
			    dg_fr(c, t->hello_retry_frame).s,
			    tls_group_str(t->hello_retry_group, h));
	}
	dg_ev_server_hello(c);
	if (c->cert != NULL && c->cert->visible)
		dg_ev_chain(c);
	ev(c, t->handshake_complete_frame, "%s: handshake complete",
	    dg_fr(c, t->handshake_complete_frame).s);
	if (t->app_data)
		ev(c, t->app_data_frame, "%s: application data flowed",
		    dg_fr(c, t->app_data_frame).s);
	/* TLS <= 1.2 with the server's chain lost to the capture, and a
	 * client that left without data: clients that check the name after
	 * the handshake reject that way, and the chain that would say is
	 * not in the capture. */
	if (!dg_tls13(c) && !t->client_app_data && !t->certs_seen &&
	    dg_stream_gapped(c, TLS_SIDE_SERVER) &&
	    c->f->tcp.end_by == TCP_SIDE_CLIENT &&
	    (c->f->tcp.end == TCP_END_FIN || c->f->tcp.end == TCP_END_RST)) {
		ev(c, c->f->tcp.end_frame, "%s: the client closed without "
		    "sending data; the server's certificate is in bytes the "
		    "capture lacks", dg_fr(c, c->f->tcp.end_frame).s);
		verdict(c, DIAG_INCOMPLETE_CAPTURE, true, "The TLS handshake "
		    "completed, but the client left without sending data: it "
		    "may have rejected the server's certificate after the "
		    "handshake, as clients that check the name late do, and "
		    "the certificate is in bytes the capture lacks.");
		return true;
	}
	if (c->sh != NULL) {
		char h1[TLS_NAMES_HEX_LEN], h2[TLS_NAMES_HEX_LEN];

		verdict(c, DIAG_OK, false, "The TLS handshake completed with "
		    "%s%s and %s.", dg_vname(c->sh->version, h1),
		    c->sh->version <= TLS_V_TLS11 ? " (deprecated)" : "",
		    tls_cipher_str(c->sh->cipher, h2));
	} else {
		verdict(c, DIAG_OK, false, "The TLS handshake completed.");
	}
	return true;
}

/* 9. TLS 1.3: the client hung up on its turn after the server's
 * encrypted flight, without a readable alert. */
bool
dg_rule_tls13_abort(struct ctx *c)
{
	struct turn u;
	struct end_ev e;

	/* "Without its Finished" needs the client's whole stream. */
	if (c->tls == NULL || !dg_tls13(c) ||
	    dg_stream_gapped(c, TLS_SIDE_CLIENT))
		return false;
	dg_turn_of(c, &u);
	dg_end_event(c, &e);
	if (!u.after_tls13_flight || e.by != TCP_SIDE_CLIENT ||
	    e.kind == END_IDLE || e.kind == END_OPEN)
		return false;
	dg_ev_client_hello(c);
	dg_ev_server_hello(c);
	ev(c, e.frame, "%s: the client hung up (%s) %s the server's encrypted "
	    "flight (%s), without its Finished", dg_fr(c, e.frame).s,
	    e.kind == END_RST ? "RST" : e.kind == END_FIN ? "FIN" :
	    "close_notify", dg_after(c, e.frame, u.after).s,
	    dg_fr(c, u.after).s);
	verdict(c, DIAG_TLS13_REJECTED, true, "The client abandoned the TLS "
	    "1.3 handshake right after the server's encrypted flight: most "
	    "often it rejected the certificate (inferred).");
	return true;
}
