/* rules_cert.c: the certificate chain's evidence and verdicts, and the rules of a client rejecting it after the handshake or by hanging up. */
#include <string.h>

#include "diag/diag_ctx.h"
#include "util/fmt.h"

/* ------------------------------------------------------------------ */
/* The certificate chain */

static enum diag_verdict
problem_verdict(enum cert_problem p)
{
	switch (p) {
	case CERT_PROBLEM_INCOMPLETE:
		return DIAG_CERT_CHAIN_INCOMPLETE;
	case CERT_PROBLEM_EXPIRED:
	case CERT_PROBLEM_NOT_YET_VALID:
		return DIAG_CERT_EXPIRED;
	case CERT_PROBLEM_NAME_MISMATCH:
		return DIAG_CERT_NAME_MISMATCH;
	case CERT_PROBLEM_SELF_SIGNED:
		return DIAG_CERT_SELF_SIGNED;
	case CERT_PROBLEM_UNTRUSTED:
	case CERT_PROBLEM_OTHER:
	case CERT_PROBLEM_NONE:
		return DIAG_CERT_UNTRUSTED;
	case CERT_PROBLEM_UNPARSEABLE:
		break;
	}
	return DIAG_TLS_ALERT;
}

bool
dg_intercepted(const struct ctx *c)
{
	/* The per-connection verdict: the chain's signals plus the one only
	 * a connection can tell (a leaf issued minutes before it). */
	return c->cert != NULL && c->cert->intercepted;
}

bool
dg_chain_bad(const struct ctx *c)
{
	return c->cert != NULL &&
	    (c->cert->problem != CERT_PROBLEM_NONE || dg_intercepted(c));
}

static struct sbuf
date_of(int64_t secs)
{
	struct sbuf b;
	char t[FMT_TIME_LEN];

	if (secs < 0) {
		(void)fmt_snprintf(b.s, sizeof b.s, "before 1970");
		return b;
	}
	(void)fmt_time_iso(t, sizeof t, (ta_time)secs * TA_NS_PER_SEC);
	/* "2024-01-01T00:00:00.000000Z" -> "2024-01-01 00:00:00 UTC" */
	if (strlen(t) >= 19) {
		t[10] = ' ';
		t[19] = '\0';
	}
	(void)fmt_snprintf(b.s, sizeof b.s, "%s UTC", t);
	return b;
}

/* Lines about the chain: what was sent and what is wrong with it. */
void
dg_ev_chain(struct ctx *c)
{
	const struct cert_facts *cf = c->cert;
	const struct cert_chain *ch;
	const struct cert_desc *leaf, *pc;
	ta_frame f;

	if (c->quick)
		return;
	if (cf == NULL || cf->chain == NULL)
		return;
	ch = cf->chain;
	f = cf->frame;
	if (ch->nchain == 0)
		return;
	leaf = &ch->chain[0];
	ev(c, f, "%s: server sent %u certificate%s, leaf %s issued by %s",
	    dg_fr(c, f).s, (unsigned)ch->count, ch->count == 1 ? "" : "s",
	    dg_inert_str(leaf->subject, 56).s,
	    dg_inert_str(leaf->issuer, 56).s);
	pc = cf->problem_cert >= 0 && (size_t)cf->problem_cert < ch->nchain ?
	    &ch->chain[cf->problem_cert] : leaf;
	switch (cf->problem) {
	case CERT_PROBLEM_INCOMPLETE:
		ev(c, f, "the chain stops at %s: its issuer %s was not sent "
		    "and is not a trusted root",
		    dg_inert_str(pc->subject, 48).s,
		    dg_inert_str(pc->issuer, 48).s);
		break;
	case CERT_PROBLEM_EXPIRED:
		/* Numbered from 1 as the report's chain lists them. */
		ev(c, f, "certificate %d (%s) expired on %s, before the "
		    "capture", cf->problem_cert >= 0 ? cf->problem_cert + 1 : 1,
		    dg_inert_str(pc->subject, 48).s, date_of(pc->not_after).s);
		break;
	case CERT_PROBLEM_NOT_YET_VALID:
		ev(c, f, "certificate %d (%s) is valid only from %s, after "
		    "the capture", cf->problem_cert >= 0 ? cf->problem_cert + 1 : 1,
		    dg_inert_str(pc->subject, 48).s, date_of(pc->not_before).s);
		break;
	case CERT_PROBLEM_NAME_MISMATCH:
		ev(c, f, "the leaf covers %s%s, not %s (%s)",
		    leaf->nsan > 0 ? dg_inert_str(leaf->san[0], 48).s :
		    dg_inert_str(leaf->subject, 48).s,
		    leaf->nsan > 1 ? " and others" : "",
		    dg_inert_str(ch->name, 48).s,
		    ch->name_from_sni ? "the client's SNI" : "--server-name");
		break;
	case CERT_PROBLEM_SELF_SIGNED:
		ev(c, f, "the leaf is self-signed: subject and issuer are both "
		    "%s", dg_inert_str(leaf->subject, 56).s);
		break;
	case CERT_PROBLEM_UNTRUSTED:
	case CERT_PROBLEM_OTHER:
		ev(c, f, "the chain does not verify: %s",
		    cf->verify_reason != NULL ?
		    dg_inert_str(cf->verify_reason, 80).s :
		    "(no reason given)");
		break;
	case CERT_PROBLEM_UNPARSEABLE:
		ev(c, f, "the leaf certificate does not parse");
		break;
	case CERT_PROBLEM_NONE:
		ev(c, f, "the chain verifies against the trust store used by "
		    "this analysis%s", ch->name[0] != '\0' ?
		    " and covers the name" : "");
		break;
	}
	if (dg_intercepted(c)) {
		const struct cert_interception *in = &ch->interception;

		if (in->product[0] != '\0')
			ev(c, f, "the chain was re-signed by a TLS-inspection "
			    "proxy (%s)", dg_inert_str(in->product, 48).s);
		for (unsigned i = 0; i < in->nevidence && i < 2; i++)
			ev(c, f, "%s", dg_inert_str(in->evidence[i], 200).s);
	}
}

/*
 * The client rejected the chain (alert, or a hang-up on its turn right
 * after it): the chain analysis names the reason. how: the client's act,
 * for the summary ("with alert unknown_ca", "by closing without an
 * alert"); inferred: the client's act itself does not say the chain.
 */
void
dg_chain_verdict(struct ctx *c, const char *how, bool inferred)
{
	const struct cert_facts *cf = c->cert;
	const char *inf = inferred ? " (inferred)" : "";
	enum diag_verdict v;

	dg_ev_chain(c);
	if (dg_intercepted(c)) {
		verdict(c, DIAG_INTERCEPTION_UNTRUSTED, inferred, "The client "
		    "rejected the server's certificate %s: a TLS-inspection "
		    "proxy re-signed the chain with a CA the client does not "
		    "trust%s.", how, inf);
		return;
	}
	v = problem_verdict(cf->problem);
	switch (v) {
	case DIAG_CERT_CHAIN_INCOMPLETE:
		verdict(c, v, inferred, "The client rejected the server's "
		    "certificate %s: the server sent the leaf without the "
		    "intermediate it needs%s.", how, inf);
		break;
	case DIAG_CERT_EXPIRED:
		verdict(c, v, inferred, "The client rejected the server's "
		    "certificate %s: a certificate in the chain was %s at the "
		    "time of the capture%s.", how,
		    cf->problem == CERT_PROBLEM_NOT_YET_VALID ? "not yet valid" :
		    "expired", inf);
		break;
	case DIAG_CERT_NAME_MISMATCH:
		verdict(c, v, inferred, "The client rejected the server's "
		    "certificate %s: it does not cover the name %s%s.", how,
		    dg_inert_str(cf->chain != NULL ? cf->chain->name : "",
		    48).s, inf);
		break;
	case DIAG_CERT_SELF_SIGNED:
		verdict(c, v, inferred, "The client rejected the server's "
		    "certificate %s: it is self-signed%s.", how, inf);
		break;
	case DIAG_CERT_UNTRUSTED:
		if (cf->problem == CERT_PROBLEM_NONE)
			verdict(c, v, true, "The client rejected the server's "
			    "certificate %s although it verifies here: the "
			    "client does not trust its root (inferred).", how);
		else
			verdict(c, v, inferred, "The client rejected the "
			    "server's certificate %s: the chain ends in a CA it "
			    "does not trust%s.", how, inf);
		break;
	default:
		verdict(c, DIAG_TLS_ALERT, inferred, "The client rejected the "
		    "server's certificate %s: the leaf does not parse%s.", how,
		    inf);
		break;
	}
}

/* ------------------------------------------------------------------ */
/* Rules */

/* The server sent an alert (close_notify included) before frame f. */
static bool
server_alert_before(const struct tls_facts *t, ta_frame f)
{
	for (uint8_t i = 0; i < t->alert_count && i < TLS_FACTS_MAX_ALERTS; i++)
		if (t->alerts[i].from == TLS_SIDE_SERVER && t->alerts[i].frame < f)
			return true;
	return false;
}

/* An alert from the client after the handshake completed (close_notify
 * or a rejection; encrypted under TLS <= 1.2 as well). */
static const struct tls_facts_alert *
client_alert_after_complete(const struct tls_facts *t)
{
	for (uint8_t i = 0; i < t->alert_count && i < TLS_FACTS_MAX_ALERTS; i++) {
		const struct tls_facts_alert *a = &t->alerts[i];
		if (a->from == TLS_SIDE_CLIENT &&
		    a->frame >= t->handshake_complete_frame)
			return a;
	}
	return NULL;
}

/* 7. TLS <= 1.2 completed, but the client hung up at once: clients that
 * check the name after the handshake (curl) reject the chain this way. */
bool
dg_rule_cert_late(struct ctx *c)
{
	const struct tls_facts *t = c->tls;
	const struct tcp_outcome *o = &c->f->tcp;

	const struct tls_facts_alert *a;

	if (t == NULL || !t->handshake_complete || dg_tls13(c) ||
	    c->cert == NULL || !c->cert->visible || !dg_chain_bad(c) ||
	    t->client_app_data)
		return false;
	/* The client, not the server, ended it: by an alert right after the
	 * handshake (whoever sent the first FIN), or by closing first. */
	a = client_alert_after_complete(t);
	/* An alert that answers the server's own close (its FIN or RST, or
	 * its alert) is a reply, not a rejection. */
	if (a != NULL && (((o->end == TCP_END_FIN || o->end == TCP_END_RST) &&
	    o->end_by == TCP_SIDE_SERVER && o->end_frame < a->frame) ||
	    server_alert_before(t, a->frame)))
		a = NULL;
	if (a == NULL && !((o->end == TCP_END_FIN || o->end == TCP_END_RST) &&
	    o->end_by == TCP_SIDE_CLIENT))
		return false;
	dg_ev_client_hello(c);
	dg_ev_server_hello(c);
	ev(c, t->handshake_complete_frame, "%s: handshake complete",
	    dg_fr(c, t->handshake_complete_frame).s);
	if (a != NULL)
		ev(c, a->frame, "%s: the client sent an %salert %s the handshake "
		    "completed (%s), without sending any data",
		    dg_fr(c, a->frame).s, a->encrypted ? "encrypted " : "",
		    dg_after(c, a->frame, t->handshake_complete_frame).s,
		    dg_fr(c, t->handshake_complete_frame).s);
	else
		ev(c, o->end_frame, "%s: the client closed (%s) %s the "
		    "handshake completed (%s), without sending any data",
		    dg_fr(c, o->end_frame).s,
		    o->end == TCP_END_FIN ? "FIN" : "RST",
		    dg_after(c, o->end_frame, t->handshake_complete_frame).s,
		    dg_fr(c, t->handshake_complete_frame).s);
	dg_chain_verdict(c, "right after the handshake (some clients, e.g. "
	    "curl, check the name only then)", false);
	return true;
}

/* 10. TLS <= 1.2: the client hung up without an alert on its turn after
 * a chain the analysis finds fault with. */
bool
dg_rule_cert_abort(struct ctx *c)
{
	struct turn u;
	struct end_ev e;
	struct sbuf how;

	if (c->tls == NULL || dg_tls13(c) || !c->tls->certs_seen ||
	    c->cert == NULL || !c->cert->visible || !dg_chain_bad(c) ||
	    dg_stream_gapped(c, TLS_SIDE_CLIENT))
		return false;
	dg_turn_of(c, &u);
	dg_end_event(c, &e);
	if (!u.after_tls12_flight || e.by != TCP_SIDE_CLIENT ||
	    e.kind == END_IDLE || e.kind == END_OPEN)
		return false;
	dg_ev_client_hello(c);
	dg_ev_server_hello(c);
	ev(c, e.frame, "%s: the client hung up (%s) %s the server's "
	    "certificate flight (%s), without an alert", dg_fr(c, e.frame).s,
	    e.kind == END_RST ? "RST" : e.kind == END_FIN ? "FIN" :
	    "close_notify", dg_after(c, e.frame, u.after).s,
	    dg_fr(c, u.after).s);
	(void)strcpy(how.s, "by hanging up without an alert");
	dg_chain_verdict(c, how.s, true);
	return true;
}
