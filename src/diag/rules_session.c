/* rules_session.c: the plaintext phase of a STARTTLS port (IMAP RFC 9051 6.2.1, POP3 RFC 2595 4, SMTP RFC 3207): the upgrade refused, not offered or never used, the server hanging up, a server line that is not the protocol. */
#include "util/fmt.h"
#include "diag/diag_ctx.h"

/* ------------------------------------------------------------------ */
/* How each protocol says things */

static const struct dg_proto_text ptexts[STARTTLS_PROTO_COUNT] = {
	[STARTTLS_PROTO_IMAP] = {
		.owed_greeting = "its IMAP greeting",
		.owed_answer = "an answer to STARTTLS",
		.request = "the client's STARTTLS",
		.ok = "the server's OK to STARTTLS",
		.caps_not = "the server's capabilities do not list STARTTLS",
		.implicit_port = 993,
	},
	[STARTTLS_PROTO_POP3] = {
		.owed_greeting = "its POP3 greeting",
		.owed_answer = "an answer to STLS",
		.request = "the client's STLS",
		.ok = "the server's +OK to STLS",
		.caps_not = "the server's CAPA answer does not list STLS",
		.implicit_port = 995,
	},
	[STARTTLS_PROTO_SMTP] = {
		.owed_greeting = "its SMTP greeting",
		.owed_answer = "an answer to STARTTLS",
		.request = "the client's STARTTLS",
		.ok = "the server's 220 to STARTTLS",
		.caps_not = "the server's EHLO answer does not list STARTTLS",
		.implicit_port = 465,
	},
};

enum starttls_protocol
dg_protocol(const struct ctx *c)
{
	if (c->st != NULL)
		return c->st->protocol;
	if (c->f->conn != NULL) {
		const char *l = service_info(c->f->conn->svc)->label;

		if (l != NULL && l[0] == 'P')
			return STARTTLS_PROTO_POP3;
		if (l != NULL && l[0] == 'S')
			return STARTTLS_PROTO_SMTP;
	}
	return STARTTLS_PROTO_IMAP;
}

const struct dg_proto_text *
dg_ptext(const struct ctx *c)
{
	return &ptexts[dg_protocol(c)];
}

/* The server's port, for the sentences ("port 143"). */
static unsigned
server_port(const struct ctx *c)
{
	return c->f->conn != NULL ? c->f->conn->sport : 0;
}

/* How the server answered the upgrade: "NO", "BAD", "-ERR", "454". */
static struct dbuf
resp_word(const struct starttls_facts *s)
{
	struct dbuf b;

	switch (s->response) {
	case STARTTLS_RESP_NO:
		(void)fmt_snprintf(b.s, sizeof b.s, "NO");
		break;
	case STARTTLS_RESP_BAD:
		(void)fmt_snprintf(b.s, sizeof b.s, "BAD");
		break;
	case STARTTLS_RESP_ERR:
		(void)fmt_snprintf(b.s, sizeof b.s, "-ERR");
		break;
	case STARTTLS_RESP_OK:
		(void)fmt_snprintf(b.s, sizeof b.s, "%s",
		    s->protocol == STARTTLS_PROTO_POP3 ? "+OK" :
		    s->protocol == STARTTLS_PROTO_SMTP ? "220" : "OK");
		if (s->response_code != 0)
			(void)fmt_snprintf(b.s, sizeof b.s, "%u",
			    (unsigned)s->response_code);
		break;
	default:
		(void)fmt_snprintf(b.s, sizeof b.s, "%u",
		    (unsigned)s->response_code);
		break;
	}
	return b;
}

/* How the server greeted when it turned the session down. */
static struct dbuf
greeting_word(const struct starttls_facts *s)
{
	struct dbuf b;

	if (s->greeting == STARTTLS_GREETING_BYE)
		(void)fmt_snprintf(b.s, sizeof b.s, "BYE");
	else if (s->protocol == STARTTLS_PROTO_POP3)
		(void)fmt_snprintf(b.s, sizeof b.s, "-ERR");
	else
		(void)fmt_snprintf(b.s, sizeof b.s, "%u",
		    (unsigned)s->greeting_code);
	return b;
}

/* ------------------------------------------------------------------ */
/* Advice where the protocol or the port says more than the verdict's own
 * (IMAP keeps the verdict table's). */

static const char advice_not_imap[] =
	"The server broke the IMAP protocol (RFC 9051: a line of the wrong "
	"form, or with a NUL or a bare CR in it), which IMAP clients answer "
	"by hanging up. Look at what "
	"answers on port 143: a proxy, load balancer or security device that "
	"rewrites the dialogue, or a server that is not the IMAP server "
	"expected. Connect by hand (openssl s_client -starttls imap, or "
	"telnet) to see its lines; this is not a TLS setting.";

static const char advice_not_offered_pop3[] =
	"Enable TLS on the source server's port 110 (Dovecot: ssl = yes with "
	"ssl_cert and ssl_key, the same settings that serve IMAP, and pop3 in "
	"protocols; Cyrus: tls_server_cert and tls_server_key; Courier: "
	"pop3d-ssl with POP3_TLS_REQUIRED) or migrate over port 995. Do not "
	"migrate in clear text: the credentials would cross the network "
	"readable.";
static const char advice_not_offered_smtp25[] =
	"On port 25 the protocol allows clear text (RFC 3207: STARTTLS between "
	"servers is opportunistic), so the mail was delivered, unencrypted. "
	"To encrypt it, enable STARTTLS on the receiving server (Postfix: "
	"smtpd_tls_security_level = may with smtpd_tls_cert_file and "
	"smtpd_tls_key_file; Exim: tls_advertise_hosts = * with "
	"tls_certificate and tls_privatekey); for a migration that must not "
	"cross in clear, make the sending side require it (Postfix "
	"smtp_tls_security_level = encrypt, Exim hosts_require_tls). A mail "
	"client submitting mail belongs on port 587 with STARTTLS or 465 "
	"(RFC 8314), not on 25.";
static const char advice_not_offered_submission[] =
	"Enable STARTTLS on the submission port (Postfix: smtpd_tls_cert_file "
	"and smtpd_tls_key_file, and -o smtpd_tls_security_level=encrypt on "
	"the submission service in master.cf; Exim: tls_advertise_hosts = * "
	"with tls_certificate and tls_privatekey) or submit over port 465 "
	"(implicit TLS, RFC 8314). Do not submit in clear text: the "
	"credentials would cross the network readable.";
static const char advice_refused_pop3[] =
	"The server refused STLS (its -ERR text says why, usually TLS not "
	"configured or not allowed in this state). Fix the TLS configuration "
	"of the source server's port 110 (Dovecot: ssl = yes with ssl_cert and "
	"ssl_key; Courier: pop3d-ssl) or migrate over port 995. Do not fall "
	"back to clear text.";
static const char advice_refused_smtp[] =
	"The server refused STARTTLS: 454 means TLS is set up but cannot start "
	"now (most often its certificate or key file cannot be read: Postfix "
	"logs \"cannot load certificate\" or \"TLS engine unavailable\", Exim "
	"\"TLS error on connection\"), a 5xx that it is not allowed in this "
	"state or not supported. Fix the server's TLS files (Postfix "
	"smtpd_tls_cert_file and smtpd_tls_key_file, Exim tls_certificate and "
	"tls_privatekey) and read its log at that time. Do not fall back to "
	"clear text.";
static const char advice_plain_pop3[] =
	"Make the client require STLS (it must refuse to go on without it) or "
	"use port 995; the server can refuse logins in clear text (Dovecot: "
	"disable_plaintext_auth = yes, or ssl = required). If credentials "
	"crossed in clear text, change those passwords.";
static const char advice_plain_smtp25[] =
	"On port 25 clear text is allowed by the protocol (RFC 3207), but the "
	"server offered STARTTLS and the sending side did not use it: make it "
	"try STARTTLS (Postfix smtp_tls_security_level = may, or encrypt to "
	"require it; Exim hosts_try_tls or hosts_require_tls on the smtp "
	"transport). A mail client submitting mail belongs on port 587 with "
	"STARTTLS or 465, not on 25. If credentials crossed in clear text, "
	"change those passwords.";
static const char advice_plain_smtp25_noehlo[] =
	"On port 25 clear text is allowed by the protocol (RFC 3207), but this "
	"session never got the server's extension list (no EHLO answer), so "
	"it could not use STARTTLS: a sender that greets with HELO cannot "
	"encrypt. Make the sending side use EHLO and STARTTLS (Postfix "
	"smtp_tls_security_level = may, or encrypt to require it; Exim "
	"hosts_try_tls or hosts_require_tls on the smtp transport) and check "
	"that the server offers it (Postfix smtpd_tls_security_level = may). "
	"A mail client submitting mail belongs on port 587 with STARTTLS or "
	"465, not on 25.";
static const char advice_plain_smtp25_unknown[] =
	"On port 25 clear text is allowed by the protocol (RFC 3207), but the "
	"mail crossed unencrypted: make the sending side use STARTTLS (Postfix "
	"smtp_tls_security_level = may, or encrypt to require it; Exim "
	"hosts_try_tls or hosts_require_tls on the smtp transport) and the "
	"receiving server offer it (Postfix smtpd_tls_security_level = may "
	"with smtpd_tls_cert_file and smtpd_tls_key_file; Exim "
	"tls_advertise_hosts = * with tls_certificate). A mail client "
	"submitting mail belongs on port 587 with STARTTLS or 465, not on 25.";
static const char advice_plain_submission[] =
	"Make the mail client use STARTTLS (a client that goes on without it "
	"must be reconfigured) or submit over port 465. The server can insist "
	"(Postfix: smtpd_tls_security_level = encrypt and smtpd_tls_auth_only "
	"= yes on the submission service; Exim: auth_advertise_hosts only for "
	"TLS sessions). If credentials crossed in clear text, change those "
	"passwords.";
static const char advice_plain_required[] =
	"The server requires TLS (530) and the client went on without it: the "
	"client is the one to fix. Configure it for STARTTLS on this port (or "
	"implicit TLS on port 465); nothing to change on the server.";
static const char advice_closing_smtp[] =
	"The server turned the session down before TLS (421: service not "
	"available: too many connections, a rate limit or a block of the "
	"client's address, or the server shutting down; 554: the client is "
	"refused, e.g. a blocklist or Postfix postscreen). Its text says which, "
	"and its log at that time (Postfix and Exim name the client's "
	"address). This is not a TLS setting.";
static const char advice_closing_pop3[] =
	"The server refused the session in its greeting (-ERR): a connection "
	"limit, a blocked address or a server shutting down; its text and log "
	"say which (Dovecot: mail_max_userip_connections, login_max_processes_count "
	"in its log). This is not a TLS setting.";

/* A setting's advice by protocol and port: NULL keeps the verdict's. */
static const char *
pick(const struct ctx *c, const char *pop3, const char *smtp,
     const char *submission)
{
	switch (dg_protocol(c)) {
	case STARTTLS_PROTO_POP3:
		return pop3;
	case STARTTLS_PROTO_SMTP:
		return c->f->conn != NULL && c->f->conn->svc == SVC_SUBMISSION ?
		    submission : smtp;
	case STARTTLS_PROTO_IMAP:
		break;
	}
	return NULL;
}

/* The advice for a client speaking implicit TLS on a STARTTLS port, or a
 * server line that is not the protocol: written for this connection. */
static const char *
advice_fmt(struct ctx *c, bool not_protocol, bool client)
{
	const struct starttls_proto_info *p = starttls_proto(dg_protocol(c));
	unsigned port = server_port(c);

	if (dg_protocol(c) == STARTTLS_PROTO_IMAP)
		return not_protocol ? advice_not_imap : client ?
		    dg_advice_not_tls_client : dg_advice_not_tls_server;
	if (not_protocol)
		(void)fmt_snprintf(c->advice_buf, sizeof c->advice_buf, "The "
		    "server broke the %s protocol (a line of the wrong form, or "
		    "with a NUL or a bare CR in it), which %s clients answer by "
		    "hanging up. Look at what answers on port %u: a proxy, load "
		    "balancer or security device that rewrites the dialogue, or "
		    "a server that is not the %s server expected. Connect by "
		    "hand (openssl s_client -starttls %s, or telnet) to see its "
		    "lines; this is not a TLS setting.", p->label, p->label,
		    port, p->label, p->name);
	else if (client)
		(void)fmt_snprintf(c->advice_buf, sizeof c->advice_buf, "The "
		    "client speaks implicit TLS (as on port %u) on port %u, "
		    "where %s begins in clear text and TLS only after %s. "
		    "Configure the client for %s on this port, or point it at "
		    "port %u.", dg_ptext(c)->implicit_port, port, p->label,
		    p->command, p->command, dg_ptext(c)->implicit_port);
	else
		(void)fmt_snprintf(c->advice_buf, sizeof c->advice_buf, "The "
		    "server started TLS on port %u without the %s exchange: it "
		    "is configured for implicit TLS (as on port %u) where %s "
		    "begins in clear text. Configure the port for %s (or point "
		    "the client at the implicit-TLS port).", port, p->command,
		    dg_ptext(c)->implicit_port, p->label, p->command);
	return c->advice_buf;
}

/* ------------------------------------------------------------------ */
/* Rule 4 */

/* SMTP: the server said 421 before STARTTLS and closes (RFC 5321 3.8). */
static bool
server_closing(struct ctx *c)
{
	const struct starttls_facts *s = c->st;

	dg_ev_session_steps(c, 0);
	ev(c, s->closing_frame, "%s: the server sent 421 \"%s\": it closes "
	    "the connection (RFC 5321 3.8)", dg_fr(c, s->closing_frame).s,
	    dg_inert(s->closing_text, s->closing_text_len, 80).s);
	c->advice = advice_closing_smtp;
	verdict(c, DIAG_CLOSED_DURING_HANDSHAKE, false, "The server hung up "
	    "with 421 before STARTTLS could be tried: it turned the session "
	    "down, for a reason of its own (not TLS).");
	return true;
}

/* 4. A STARTTLS port: the plaintext phase. */
bool
dg_rule_starttls(struct ctx *c)
{
	const struct starttls_facts *s = c->st;
	const struct starttls_proto_info *p;
	const struct dg_proto_text *t;
	bool refused;

	if (!c->mail || s == NULL)
		return false;
	p = starttls_proto(s->protocol);
	t = dg_ptext(c);
	refused = s->requested && starttls_resp_refused(s->response);
	/* A client that goes on with its ClientHello after the server
	 * refused STARTTLS (openssl s_client -starttls does): the refusal is
	 * the failure, the ClientHello only its consequence. With bytes of
	 * the plaintext phase missing, or the client's direction, the
	 * exchange may be in what the capture lacks: no claim that it was
	 * not made. */
	if (s->tls_without_starttls && !s->gap &&
	    !(s->tls_without_starttls_dir == TCP_DIR_S2C &&
	      c->f->tcp.missing == TCP_SIDE_CLIENT) && !(refused &&
	    s->tls_without_starttls_dir == TCP_DIR_C2S &&
	    s->tls_without_starttls_frame >= s->response_frame)) {
		bool cl = s->tls_without_starttls_dir == TCP_DIR_C2S;

		ev(c, s->tls_without_starttls_frame, "%s: the %s sent a TLS "
		    "record where %s plaintext was expected%s%s%s",
		    dg_fr(c, s->tls_without_starttls_frame).s,
		    cl ? "client" : "server", p->label,
		    s->requested ? " (before the answer to " :
		    " (no ", p->command,
		    s->requested ? ")" : " before it)");
		c->advice = advice_fmt(c, false, cl);
		verdict(c, DIAG_NOT_TLS, false, "The %s started TLS on the "
		    "%s port without the %s exchange: it speaks "
		    "implicit TLS (as on port %u) where %s plaintext was "
		    "expected.", cl ? "client" : "server", p->command,
		    p->command, t->implicit_port, p->label);
		return true;
	}
	if (refused) {
		ev(c, s->request_frame, "%s: client sent %s",
		    dg_fr(c, s->request_frame).s, p->command);
		ev(c, s->response_frame, "%s: server answered %s \"%s\"",
		    dg_fr(c, s->response_frame).s, resp_word(s).s,
		    dg_inert(s->response_text, s->response_text_len, 56).s);
		if (s->tls_without_starttls)
			ev(c, s->tls_without_starttls_frame, "%s: the client "
			    "sent its TLS handshake anyway, after the refusal; "
			    "the server reads it as %s, not TLS",
			    dg_fr(c, s->tls_without_starttls_frame).s, p->label);
		c->advice = pick(c, advice_refused_pop3, advice_refused_smtp,
		    advice_refused_smtp);
		verdict(c, DIAG_STARTTLS_REFUSED, false, "The server answered "
		    "%s with %s, so the session could not be encrypted.",
		    p->command, resp_word(s).s);
		return true;
	}
	if (s->requested)
		return false;
	if (s->closing && !s->plaintext_auth && !s->plaintext_mail &&
	    !starttls_greeting_refuses(s->greeting))
		return server_closing(c);
	/* Never requested: partial facts or no greeting are for later
	 * rules (incomplete capture; whose turn), unless the client's own
	 * side proves the session stayed clear (credentials or mail sent
	 * without the upgrade, the server's side missing from the capture). */
	if (s->gap || (s->greeting == STARTTLS_GREETING_NONE &&
	    !s->plaintext_auth && !s->plaintext_mail) ||
	    starttls_greeting_refuses(s->greeting) ||
	    s->greeting == STARTTLS_GREETING_OTHER)
		return false;
	if (s->caps_known && !s->offered) {
		ev(c, s->caps_frame, "%s: %s", dg_fr(c, s->caps_frame).s,
		    t->caps_not);
		if (s->plaintext_auth)
			ev(c, s->plaintext_auth_frame, "%s: the client "
			    "authenticated in clear text",
			    dg_fr(c, s->plaintext_auth_frame).s);
		else if (c->f->tcp.missing == TCP_SIDE_CLIENT)
			ev(c, 0, "the client's side is not in the capture: "
			    "what it sent is not known");
		else
			ev(c, 0, "the client did not send %s (nor "
			    "credentials)", p->command);
		if (s->plaintext_mail)
			ev(c, s->plaintext_mail_frame, "%s: the client %s in "
			    "clear text", dg_fr(c, s->plaintext_mail_frame).s,
			    s->protocol == STARTTLS_PROTO_POP3 ?
			    "fetched mail" : "sent mail");
		c->advice = pick(c, advice_not_offered_pop3,
		    advice_not_offered_smtp25, advice_not_offered_submission);
		verdict(c, DIAG_STARTTLS_NOT_OFFERED, false, "The server did "
		    "not offer %s on port %u, so the client could not "
		    "encrypt the session%s%s.", p->command, server_port(c),
		    s->plaintext_auth ?
		    "; it sent its credentials in clear text" : "",
		    s->plaintext_mail ? (s->protocol == STARTTLS_PROTO_POP3 ?
		    "; mail was fetched in clear text" :
		    "; the mail crossed in clear text") : "");
		return true;
	}
	/* Whether a client that is not in the capture asked for the
	 * upgrade is not known: later rules read what the server did. */
	if (c->f->tcp.missing == TCP_SIDE_CLIENT)
		return false;
	/* The server's side stopped on a line that is not the protocol: the
	 * client may have hung up because of it (rule not-protocol), unless
	 * credentials or mail had already crossed in clear. */
	if (s->unparsed && s->unparsed_dir == TCP_DIR_S2C &&
	    !s->plaintext_auth && !s->plaintext_mail)
		return false;
	/* The client's side stopped on a line that is not the protocol
	 * (binary, a line too long): it did not speak it, and whose turn it
	 * was then tells how it ended (rule 14). */
	if (s->unparsed && s->unparsed_dir == TCP_DIR_C2S &&
	    !s->plaintext_auth && !s->plaintext_mail)
		return false;
	/* Without credentials or mail in clear, a session still open (or
	 * idle) when the capture ended may yet have upgraded: whose turn it
	 * was decides (a later rule). */
	if (!s->plaintext_auth && !s->plaintext_mail &&
	    (c->f->tcp.end == TCP_END_OPEN || c->f->tcp.end == TCP_END_TIMEOUT))
		return false;
	if (s->caps_known)
		ev(c, s->caps_frame, "%s: the server offered %s",
		    dg_fr(c, s->caps_frame).s, p->command);
	if (s->tls_required)
		ev(c, s->tls_required_frame, "%s: the server answered 530: it "
		    "requires %s first (RFC 3207 4), and the client did not "
		    "comply", dg_fr(c, s->tls_required_frame).s, p->command);
	if (s->plaintext_auth)
		ev(c, s->plaintext_auth_frame, "%s: the client authenticated "
		    "in clear text without %s",
		    dg_fr(c, s->plaintext_auth_frame).s, p->command);
	else if (!s->plaintext_mail)
		ev(c, 0, "the client never sent %s (no credentials seen)",
		    p->command);
	if (s->plaintext_mail)
		ev(c, s->plaintext_mail_frame, "%s: the client %s in clear "
		    "text without %s", dg_fr(c, s->plaintext_mail_frame).s,
		    s->protocol == STARTTLS_PROTO_POP3 ? "fetched mail" :
		    "sent mail", p->command);
	if (s->greeting == STARTTLS_GREETING_NONE)
		ev(c, 0, "the server's side is not in the capture: whether it "
		    "offered %s is not known", p->command);
	else if (!s->caps_known && s->protocol == STARTTLS_PROTO_SMTP)
		ev(c, 0, "the client never got the server's extension list (no "
		    "EHLO answer seen), so it never learnt whether %s was "
		    "offered", p->command);
	c->advice = s->tls_required ? advice_plain_required :
	    pick(c, advice_plain_pop3, s->caps_known ? advice_plain_smtp25 :
	    s->greeting == STARTTLS_GREETING_NONE ?
	    advice_plain_smtp25_unknown : advice_plain_smtp25_noehlo,
	    advice_plain_submission);
	verdict(c, DIAG_PLAINTEXT_SESSION, false, "The session stayed in "
	    "clear text: the client never used %s%s%s.", p->command,
	    s->plaintext_auth ? " and sent its credentials unencrypted" : "",
	    !s->plaintext_mail ? "" : s->protocol == STARTTLS_PROTO_POP3 ?
	    (s->plaintext_auth ? ", then fetched mail" : " and fetched mail") :
	    (s->plaintext_auth ? ", then its mail" : " and sent its mail"));
	return true;
}

/* The server turned the session down in its greeting (IMAP BYE, POP3
 * -ERR, SMTP 554 or 421) before the upgrade was asked for: rule 14 asks
 * (RFC 9051 7.1.5, RFC 1939 4, RFC 5321 3.1). */
bool
dg_session_refused(struct ctx *c)
{
	const struct starttls_facts *s = c->st;

	if (!c->mail || s == NULL || !starttls_greeting_refuses(s->greeting) ||
	    s->requested)
		return false;
	if (s->protocol != STARTTLS_PROTO_IMAP)
		c->advice = pick(c, advice_closing_pop3, advice_closing_smtp,
		    advice_closing_smtp);
	verdict(c, DIAG_CLOSED_DURING_HANDSHAKE, false, "The server "
	    "refused the session in its greeting (%s) before %s "
	    "could be tried.", greeting_word(s).s,
	    starttls_proto(s->protocol)->command);
	return true;
}

/* A byte that makes a line unreadable, for the evidence. */
static const char *
not_proto_why(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\0')
			return " (it holds a NUL byte)";
		if (p[i] == '\r' && (i + 1 == n || p[i + 1] != '\n'))
			return " (it holds a bare CR)";
	}
	return "";
}

/* The steps of a STARTTLS port before TLS, as evidence: the server's
 * greeting (but at frame except, which the caller tells of otherwise) and
 * the client's upgrade command. */
void
dg_ev_session_steps(struct ctx *c, ta_frame except)
{
	const struct starttls_facts *s = c->st;

	if (!c->mail || s == NULL)
		return;
	if (s->greeting_frame != 0 && s->greeting_frame != except) {
		if (starttls_greeting_refuses(s->greeting))
			ev(c, s->greeting_frame, "%s: server greeting (%s)",
			    dg_fr(c, s->greeting_frame).s,
			    greeting_word(s).s);
		else
			ev(c, s->greeting_frame, "%s: server greeting",
			    dg_fr(c, s->greeting_frame).s);
	}
	if (s->unparsed && s->unparsed_dir == TCP_DIR_C2S)
		ev(c, s->unparsed_frame, "%s: the client sent a line that is "
		    "not %s%s: \"%s\"; what it sent after it is not read",
		    dg_fr(c, s->unparsed_frame).s,
		    starttls_proto(s->protocol)->label,
		    not_proto_why(s->unparsed_excerpt, s->unparsed_len),
		    dg_inert(s->unparsed_excerpt, s->unparsed_len, 60).s);
	if (s->requested)
		ev(c, s->request_frame, "%s: client sent %s%s%s",
		    dg_fr(c, s->request_frame).s,
		    starttls_proto(s->protocol)->command,
		    s->response == STARTTLS_RESP_OK ? "; the server said " : "",
		    s->response == STARTTLS_RESP_OK ? resp_word(s).s : "");
}

/* 13. A STARTTLS port: a side sent a line that is not the protocol before
 * the upgrade was answered. The analysis reads no further in that
 * direction, so whatever followed from it is unknown: it must not be
 * called silent. The server's line: clients hang up on it. The client's
 * (binary, or a line too long) before credentials or mail crossed: it is
 * no client of the protocol, and how it ended says the rest. */
bool
dg_rule_not_protocol(struct ctx *c)
{
	const struct starttls_facts *s = c->st;
	const struct starttls_proto_info *p;
	struct end_ev e;
	struct lbuf what;
	const char *how;
	enum diag_side by;
	bool client;

	if (!c->mail || s == NULL || !s->unparsed ||
	    s->response != STARTTLS_RESP_NONE ||
	    (c->tls != NULL && c->tls->client_hello_seen))
		return false;
	client = s->unparsed_dir == TCP_DIR_C2S;
	if (client && (s->plaintext_auth || s->plaintext_mail))
		return false;
	dg_end_event(c, &e);
	if (e.kind == END_RST && e.by == TCP_SIDE_MIDDLEBOX)
		return false;
	by = dg_to_side(e.by);
	/* A client whose line nobody answered by hanging up: whose turn it
	 * was decides (rule 14), with the line as evidence. */
	if (client && (e.kind == END_IDLE || e.kind == END_OPEN ||
	    by == DIAG_SIDE_NONE))
		return false;
	p = starttls_proto(s->protocol);
	if (client)
		(void)fmt_snprintf(what.s, sizeof what.s, "line");
	else if (s->greeting == STARTTLS_GREETING_OTHER &&
	    s->greeting_frame == s->unparsed_frame)
		(void)fmt_snprintf(what.s, sizeof what.s, "greeting");
	else if (s->requested)
		(void)fmt_snprintf(what.s, sizeof what.s, "answer to %s",
		    p->command);
	else
		(void)fmt_snprintf(what.s, sizeof what.s,
		    "line after its greeting");
	dg_ev_session_steps(c, client ? 0 : s->unparsed_frame);
	if (!client)
		ev(c, s->unparsed_frame, "%s: the server sent a line that is "
		    "not %s%s: \"%s\"; what the server sent after it is not "
		    "read", dg_fr(c, s->unparsed_frame).s, p->label,
		    not_proto_why(s->unparsed_excerpt, s->unparsed_len),
		    dg_inert(s->unparsed_excerpt, s->unparsed_len, 60).s);
	if (client) {
		(void)fmt_snprintf(c->advice_buf, sizeof c->advice_buf, "The "
		    "client does not speak %s on port %u (its line is quoted "
		    "above): it is no %s client of this port, but a scanner, "
		    "malware or a program set up for another protocol. Nothing "
		    "to change on the server for this connection.", p->label,
		    server_port(c), p->label);
		c->advice = c->advice_buf;
	} else {
		c->advice = advice_fmt(c, true, false);
	}
	if (e.kind == END_IDLE || e.kind == END_OPEN || by == DIAG_SIDE_NONE) {
		c->out->waiting_on = DIAG_SIDE_CLIENT;
		verdict(c, DIAG_HANDSHAKE_TIMEOUT, false, "The server's %s is "
		    "not %s (%s); the client neither went on nor hung up, "
		    "and the connection %s.", what.s, p->label,
		    dg_fr(c, s->unparsed_frame).s,
		    e.kind == END_IDLE ? "went idle" :
		    c->f->why == TCP_FINISH_REUSED ? "was abandoned" :
		    "was still open when the capture ended");
		return true;
	}
	how = e.kind == END_RST ? "reset the connection" :
	    e.kind == END_FIN ? "hung up (FIN)" : "hung up (close_notify)";
	ev(c, e.frame, "%s: the %s %s %s the %s's line (%s)",
	    dg_fr(c, e.frame).s, dg_dside(by), how,
	    dg_after(c, e.frame, s->unparsed_frame).s,
	    client ? "client" : "server", dg_fr(c, s->unparsed_frame).s);
	/* A client that never spoke the protocol began no session, let
	 * alone a handshake: what it sent is the cause, not how it ended. */
	if (client) {
		verdict(c, DIAG_NOT_TLS, false, "The client sent something "
		    "that is not %s (%s), so no %s session, and no TLS, "
		    "began; then the %s %s.", p->label,
		    dg_fr(c, s->unparsed_frame).s, p->label, dg_dside(by), how);
		return true;
	}
	verdict(c, e.kind == END_RST ? DIAG_TCP_RESET :
	    DIAG_CLOSED_DURING_HANDSHAKE, false, "The %s's %s is not "
	    "%s (%s); then the %s %s.", client ? "client" : "server", what.s,
	    p->label, dg_fr(c, s->unparsed_frame).s, dg_dside(by), how);
	return true;
}
