/* rules_session.c: port 143's plaintext phase: STARTTLS refused, not offered or never used, a server line that is not IMAP (RFC 9051 6.2.1). */
#include "diag/diag_ctx.h"

/* The variant of the advice for a server line that is not IMAP. */
static const char advice_not_imap[] =
	"The server broke the IMAP protocol (RFC 9051: a line of the wrong "
	"form, or with a NUL or a bare CR in it), which IMAP clients answer "
	"by hanging up. Look at what "
	"answers on port 143: a proxy, load balancer or security device that "
	"rewrites the dialogue, or a server that is not the IMAP server "
	"expected. Connect by hand (openssl s_client -starttls imap, or "
	"telnet) to see its lines; this is not a TLS setting.";

/* 3. Port 143: the plaintext phase. */
bool
dg_rule_starttls(struct ctx *c)
{
	const struct starttls_facts *s = c->st;

	bool refused;

	if (!c->imap || s == NULL)
		return false;
	refused = s->requested && (s->response == STARTTLS_RESP_NO ||
	    s->response == STARTTLS_RESP_BAD);
	/* A client that goes on with its ClientHello after the server
	 * refused STARTTLS (openssl s_client -starttls does): the refusal is
	 * the failure, the ClientHello only its consequence. */
	if (s->tls_without_starttls && !(refused &&
	    s->tls_without_starttls_dir == TCP_DIR_C2S &&
	    s->tls_without_starttls_frame >= s->response_frame)) {
		bool cl = s->tls_without_starttls_dir == TCP_DIR_C2S;

		ev(c, s->tls_without_starttls_frame, "%s: the %s sent a TLS "
		    "record where IMAP plaintext was expected%s",
		    dg_fr(c, s->tls_without_starttls_frame).s,
		    cl ? "client" : "server",
		    s->requested ? " (before the answer to STARTTLS)" :
		    " (no STARTTLS before it)");
		c->advice = cl ? dg_advice_not_tls_client :
		    dg_advice_not_tls_server;
		verdict(c, DIAG_NOT_TLS, false, "The %s started TLS on the "
		    "STARTTLS port without the STARTTLS exchange: it speaks "
		    "implicit TLS (as on port 993) where IMAP plaintext was "
		    "expected.", cl ? "client" : "server");
		return true;
	}
	if (refused) {
		const char *r = s->response == STARTTLS_RESP_NO ? "NO" : "BAD";

		ev(c, s->request_frame, "%s: client sent STARTTLS",
		    dg_fr(c, s->request_frame).s);
		ev(c, s->response_frame, "%s: server answered %s \"%s\"",
		    dg_fr(c, s->response_frame).s, r, dg_inert(s->response_text,
		    s->response_text_len, 56).s);
		if (s->tls_without_starttls)
			ev(c, s->tls_without_starttls_frame, "%s: the client "
			    "sent its TLS handshake anyway, after the refusal; "
			    "the server reads it as IMAP, not TLS",
			    dg_fr(c, s->tls_without_starttls_frame).s);
		verdict(c, DIAG_STARTTLS_REFUSED, false, "The server answered "
		    "STARTTLS with %s, so the session could not be encrypted.",
		    r);
		return true;
	}
	if (s->requested)
		return false;
	/* Never requested: partial facts or no greeting are for later
	 * rules (incomplete capture; whose turn). */
	if (s->gap || s->greeting == STARTTLS_GREETING_NONE ||
	    s->greeting == STARTTLS_GREETING_BYE ||
	    s->greeting == STARTTLS_GREETING_OTHER)
		return false;
	if (s->caps_known && !s->offered) {
		ev(c, s->caps_frame, "%s: the server's capabilities do not "
		    "list STARTTLS", dg_fr(c, s->caps_frame).s);
		if (s->plaintext_auth)
			ev(c, s->plaintext_auth_frame, "%s: the client "
			    "authenticated in clear text",
			    dg_fr(c, s->plaintext_auth_frame).s);
		else
			ev(c, 0, "the client did not send STARTTLS (nor "
			    "credentials)");
		verdict(c, DIAG_STARTTLS_NOT_OFFERED, false, "The server did "
		    "not offer STARTTLS on port 143, so the client could not "
		    "encrypt the session%s.", s->plaintext_auth ?
		    "; it sent its credentials in clear text" : "");
		return true;
	}
	/* The server's side stopped on a line that is not IMAP: the client
	 * may have hung up because of it (rule not-imap), unless it had
	 * already sent its credentials in clear. */
	if (s->unparsed && s->unparsed_dir == TCP_DIR_S2C && !s->plaintext_auth)
		return false;
	/* Without credentials in clear, a session still open (or idle) when
	 * the capture ended may yet have upgraded: whose turn it was decides
	 * (a later rule). */
	if (!s->plaintext_auth && (c->f->tcp.end == TCP_END_OPEN ||
	    c->f->tcp.end == TCP_END_TIMEOUT))
		return false;
	if (s->caps_known)
		ev(c, s->caps_frame, "%s: the server offered STARTTLS",
		    dg_fr(c, s->caps_frame).s);
	if (s->plaintext_auth)
		ev(c, s->plaintext_auth_frame, "%s: the client authenticated "
		    "in clear text without STARTTLS",
		    dg_fr(c, s->plaintext_auth_frame).s);
	else
		ev(c, 0, "the client never sent STARTTLS (no credentials seen)");
	verdict(c, DIAG_PLAINTEXT_SESSION, false, "The session stayed in "
	    "clear text: the client never used STARTTLS%s.",
	    s->plaintext_auth ? " and sent its credentials unencrypted" : "");
	return true;
}

/* Port 143's steps before TLS, as evidence: the server's greeting (but
 * at frame except, which the caller tells of otherwise) and the client's
 * STARTTLS. */
void
dg_ev_imap_steps(struct ctx *c, ta_frame except)
{
	const struct starttls_facts *s = c->st;

	if (!c->imap || s == NULL)
		return;
	if (s->greeting_frame != 0 && s->greeting_frame != except)
		ev(c, s->greeting_frame, "%s: server greeting%s",
		    dg_fr(c, s->greeting_frame).s,
		    s->greeting == STARTTLS_GREETING_BYE ? " (BYE)" : "");
	if (s->requested)
		ev(c, s->request_frame, "%s: client sent STARTTLS%s",
		    dg_fr(c, s->request_frame).s,
		    s->response == STARTTLS_RESP_OK ? "; the server said OK" : "");
}

/* A byte that makes an IMAP line unreadable, for the evidence. */
static const char *
not_imap_why(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\0')
			return " (it holds a NUL byte)";
		if (p[i] == '\r' && (i + 1 == n || p[i + 1] != '\n'))
			return " (it holds a bare CR)";
	}
	return "";
}

/* 12. Port 143: the server sent a line that is not IMAP before STARTTLS
 * was answered. The analysis reads no further in that direction, so
 * whatever followed from the server is unknown: it must not be called
 * silent. */
bool
dg_rule_not_imap(struct ctx *c)
{
	const struct starttls_facts *s = c->st;
	struct end_ev e;
	const char *what, *how;
	enum diag_side by;

	if (!c->imap || s == NULL || !s->unparsed ||
	    s->unparsed_dir != TCP_DIR_S2C ||
	    s->response != STARTTLS_RESP_NONE ||
	    (c->tls != NULL && c->tls->client_hello_seen))
		return false;
	dg_end_event(c, &e);
	if (e.kind == END_RST && e.by == TCP_SIDE_MIDDLEBOX)
		return false;
	what = s->greeting == STARTTLS_GREETING_OTHER &&
	    s->greeting_frame == s->unparsed_frame ? "greeting" :
	    s->requested ? "answer to STARTTLS" : "line after its greeting";
	dg_ev_imap_steps(c, s->unparsed_frame);
	ev(c, s->unparsed_frame, "%s: the server sent a line that is not "
	    "IMAP%s: \"%s\"; what the server sent after it is not read",
	    dg_fr(c, s->unparsed_frame).s,
	    not_imap_why(s->unparsed_excerpt, s->unparsed_len),
	    dg_inert(s->unparsed_excerpt, s->unparsed_len, 60).s);
	c->advice = advice_not_imap;
	by = dg_to_side(e.by);
	if (e.kind == END_IDLE || e.kind == END_OPEN || by == DIAG_SIDE_NONE) {
		c->out->waiting_on = DIAG_SIDE_CLIENT;
		verdict(c, DIAG_HANDSHAKE_TIMEOUT, false, "The server's %s is "
		    "not IMAP (%s); the client neither went on nor hung up, "
		    "and the connection %s.", what,
		    dg_fr(c, s->unparsed_frame).s,
		    e.kind == END_IDLE ? "went idle" :
		    c->f->why == TCP_FINISH_REUSED ? "was abandoned" :
		    "was still open when the capture ended");
		return true;
	}
	how = e.kind == END_RST ? "reset the connection" :
	    e.kind == END_FIN ? "hung up (FIN)" : "hung up (close_notify)";
	ev(c, e.frame, "%s: the %s %s %s the server's line (%s)",
	    dg_fr(c, e.frame).s, dg_dside(by), how,
	    dg_after(c, e.frame, s->unparsed_frame).s,
	    dg_fr(c, s->unparsed_frame).s);
	verdict(c, e.kind == END_RST ? DIAG_TCP_RESET :
	    DIAG_CLOSED_DURING_HANDSHAKE, false, "The server's %s is not "
	    "IMAP (%s); then the %s %s.", what, dg_fr(c, s->unparsed_frame).s,
	    dg_dside(by), how);
	return true;
}
