/* rules_cert.c: the certificate chain's evidence and verdicts, and the rules of a client rejecting it after the handshake or by hanging up. */
#include <string.h>

#include "diag/diag_ctx.h"
#include "cert/certchain.h"
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
		if (cf->trusted_then)
			ev(c, f, "the chain verifies against the roots of "
			    "Mozilla's store on the capture's date%s, not against "
			    "this machine's store", ch->name[0] != '\0' ?
			    " and covers the name" : "");
		else
			ev(c, f, "the chain verifies against the trust store used "
			    "by this analysis%s", ch->name[0] != '\0' ?
			    " and covers the name" : "");
		break;
	}
	if (cf->trusted_then) {
		char then[CERT_EVIDENCE_LEN];

		certchain_then_text(then, sizeof then, cf);
		ev(c, f, "%s", dg_inert_str(then, 220).s);
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
		if (cf->problem == CERT_PROBLEM_NONE && cf->trusted_then)
			verdict(c, v, true, "The client rejected the server's "
			    "certificate %s although the chain verifies against "
			    "Mozilla's store of the capture's date: the client's "
			    "own store lacks its root (inferred).", how);
		else if (cf->problem == CERT_PROBLEM_NONE)
			verdict(c, v, true, "The client rejected the server's "
			    "certificate %s although it verifies here%s: the "
			    "client does not trust its root (inferred).", how,
			    cf->time_unknown ? " (its dates not judged: the "
			    "capture holds no real time)" : "");
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
/* What the client did with the chain */

/*
 * Measured on real clients in the lab (doc/certificates.md, "What a
 * rejection looks like"): every client that rejects a chain in the
 * handshake sends a fatal alert first (curl, Python's imaplib and
 * openssl s_client unknown_ca, gnutls-cli bad_certificate, 0.6 to 9.4 ms
 * after the server's ServerHelloDone), never its key exchange. curl checks
 * the name only after the handshake, and then sends an encrypted alert and
 * its FIN 0.1 ms after the server's Finished; but clients that accepted
 * and leave at once do the same (openssl s_client and gnutls-cli on an
 * empty input: an encrypted close_notify 0.06 to 0.7 ms after it). What a
 * program does at once takes about its own reaction time: the client's
 * delay from the server's ServerHelloDone to its key exchange, which also
 * holds the path between the capture point and the client. A client that
 * waits longer than twice that plus PROMPT_SLACK_NS did something else
 * first (a person, a timer, a script): it had accepted the chain.
 */
#define PROMPT_SLACK_NS (100 * TA_NS_PER_MS)

/* How the client left a completed handshake without sending data. */
struct leave {
	ta_frame frame;
	const struct tls_facts_alert *alert; /* its alert; NULL: FIN or RST */
	enum tcp_end end;                     /* for a FIN or RST */
};

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

/*
 * The client, not the server, ended a completed handshake without data:
 * by an alert (whoever sent the first FIN), or by closing first. An alert
 * that answers the server's own close (its FIN or RST, or its alert) is a
 * reply, not the client's act.
 */
static bool
client_left(const struct ctx *c, struct leave *l)
{
	const struct tls_facts *t = c->tls;
	const struct tcp_outcome *o = &c->f->tcp;
	const struct tls_facts_alert *a;

	memset(l, 0, sizeof *l);
	if (t == NULL || !t->handshake_complete || t->client_app_data)
		return false;
	a = client_alert_after_complete(t);
	if (a != NULL && (((o->end == TCP_END_FIN || o->end == TCP_END_RST) &&
	    o->end_by == TCP_SIDE_SERVER && o->end_frame < a->frame) ||
	    server_alert_before(t, a->frame)))
		a = NULL;
	if (a != NULL) {
		l->alert = a;
		l->frame = a->frame;
		return true;
	}
	if ((o->end == TCP_END_FIN || o->end == TCP_END_RST) &&
	    o->end_by == TCP_SIDE_CLIENT) {
		l->end = o->end;
		l->frame = o->end_frame;
		return true;
	}
	return false;
}

/* The client's reaction time: the server's ServerHelloDone to the
 * client's ChangeCipherSpec (0 when either is unknown). */
static uint64_t
client_reaction(const struct ctx *c)
{
	const struct tls_facts *t = c->tls;
	ta_time a, b;

	if (!t->server_hello_done || !t->side[TLS_SIDE_CLIENT].ccs ||
	    !dg_frame_time(c, t->server_hello_done_frame, &a) ||
	    !dg_frame_time(c, t->side[TLS_SIDE_CLIENT].ccs_frame, &b) || b < a)
		return 0;
	return b - a;
}

/* The client left at once after the handshake (see PROMPT_SLACK_NS);
 * *delay is how long after it. */
static bool
left_promptly(const struct ctx *c, const struct leave *l, uint64_t *delay)
{
	ta_time a, b;

	*delay = 0;
	if (!dg_frame_time(c, c->tls->handshake_complete_frame, &a) ||
	    !dg_frame_time(c, l->frame, &b))
		return true;    /* no times: do not claim it waited */
	*delay = b >= a ? b - a : 0;
	return *delay <= 2 * client_reaction(c) + PROMPT_SLACK_NS;
}

/* What clients check after the handshake: the name (curl) and pins. */
static bool
checked_after_handshake(const struct ctx *c)
{
	return dg_intercepted(c) ||
	    c->cert->problem == CERT_PROBLEM_NAME_MISMATCH;
}

static struct sbuf
leave_what(const struct leave *l)
{
	struct sbuf b;

	if (l->alert != NULL)
		(void)fmt_snprintf(b.s, sizeof b.s, "an %salert",
		    l->alert->encrypted ? "encrypted " : "");
	else
		(void)fmt_snprintf(b.s, sizeof b.s, "%s",
		    l->end == TCP_END_RST ? "RST" : "FIN");
	return b;
}

/* The certificate evidence of a chain the client accepted. */
uint32_t
dg_accepted_chain_findings(struct ctx *c)
{
	const struct cert_facts *cf = c->cert;
	const struct cert_chain *ch = cf->chain;
	const struct tls_facts *t = c->tls;
	uint32_t fl = 0;
	struct leave l;
	uint64_t delay;
	bool incomplete = cf->problem == CERT_PROBLEM_INCOMPLETE;
	bool time_only = cf->problem == CERT_PROBLEM_NONE ||
	    cf->problem == CERT_PROBLEM_EXPIRED ||
	    cf->problem == CERT_PROBLEM_NOT_YET_VALID;

	/* What shows that the client accepted it, when it sent no data. */
	if (client_left(c, &l)) {
		bool prompt = left_promptly(c, &l, &delay);

		if (!prompt)
			ev(c, l.frame, "%s: the client sent %s %s after the "
			    "handshake completed, without data: it had accepted "
			    "the chain (clients that reject one after the "
			    "handshake do so at once)", dg_fr(c, l.frame).s,
			    leave_what(&l).s, dg_dur(delay).s);
		else
			ev(c, l.frame, "%s: the client sent %s %s after the "
			    "handshake completed, without data; its Finished "
			    "(%s) shows it accepted the chain (inferred: a "
			    "certificate grab or a probe, such as openssl "
			    "s_client on an empty input)",
			    dg_fr(c, l.frame).s, leave_what(&l).s,
			    dg_dur(delay).s,
			    dg_fr(c, t->side[TLS_SIDE_CLIENT].finished_frame).s);
	}
	if (cf->time_problem != CERT_PROBLEM_NONE) {
		const struct cert_desc *d = cf->time_cert >= 0 &&
		    (size_t)cf->time_cert < ch->nchain ? &ch->chain[cf->time_cert] :
		    NULL;

		fl |= DIAG_F_EXPIRED_ACCEPTED;
		ev(c, cf->frame, "%s (%s) %s %s, %s the capture, and the client "
		    "went on: it does not check validity dates, or its clock was "
		    "wrong", d != NULL ? "a certificate of the chain" :
		    "the trust anchor", d != NULL ?
		    dg_inert_str(d->subject, 48).s :
		    dg_inert_str(ch->anchor, 48).s,
		    cf->time_problem == CERT_PROBLEM_EXPIRED ? "had expired on" :
		    "was valid only from", date_of(cf->time_at).s,
		    cf->time_problem == CERT_PROBLEM_EXPIRED ? "before" : "after");
	}
	/* An empty issuer name is no intermediate anyone could supply. */
	if (incomplete && ch->nchain > 0 && ch->chain[0].issuer[0] == '\0')
		incomplete = false;
	if (!time_only && !incomplete) {
		fl |= DIAG_F_UNVERIFIED_ACCEPTED;
		if (cf->problem == CERT_PROBLEM_NAME_MISMATCH)
			ev(c, cf->frame, "the handshake completed although the "
			    "certificate does not cover %s: the client does not "
			    "check names, or a person accepted it",
			    dg_inert_str(ch->name, 64).s);
		else
			ev(c, cf->frame, "the handshake completed although the "
			    "chain does not verify here (%s)%s: the client skips "
			    "validation or trusts a private CA",
			    cf->verify_reason != NULL ?
			    dg_inert_str(cf->verify_reason, 64).s :
			    "no reason given", cf->history_tried &&
			    cf->history_error == NULL ? ", nor against Mozilla's "
			    "store of the capture's date" : "");
	} else if (cf->trusted_then) {
		/* the chain's own lines say which root and when */
		fl |= DIAG_F_CHAIN_UNVERIFIED_HERE;
	} else if (incomplete) {
		fl |= DIAG_F_CHAIN_UNVERIFIED_HERE;
		ev(c, cf->frame, "the server sent no issuer of its certificate "
		    "and the client went on: it supplied the intermediate itself "
		    "(cached or fetched) or trusts %s as a root; stricter clients "
		    "fail (inferred)", dg_inert_str(ch->chain[0].issuer, 48).s);
	}
	return fl;
}

/* ------------------------------------------------------------------ */
/* Rules */

/*
 * 8. TLS <= 1.2 completed, but the client hung up at once without data,
 * on a chain whose name (or pin) is wrong: curl checks the name only after
 * the handshake and rejects it this way. Not when the same client sent
 * data over the same leaf for the same name on another connection
 * (f->accepted): it accepts that chain, and left this one unused. Problems of trust and dates are
 * not judged here: the clients measured check those inside the handshake,
 * so their Finished is their acceptance (rule complete says ok and the
 * findings why).
 */
bool
dg_rule_cert_late(struct ctx *c)
{
	const struct tls_facts *t = c->tls;
	struct leave l;
	uint64_t delay;

	if (t == NULL || !t->handshake_complete || dg_tls13(c) ||
	    c->cert == NULL || !c->cert->visible || !dg_chain_bad(c) ||
	    t->client_app_data || c->f->accepted != NULL ||
	    !checked_after_handshake(c) ||
	    !client_left(c, &l) || !left_promptly(c, &l, &delay))
		return false;
	dg_ev_client_hello(c);
	dg_ev_server_hello(c);
	ev(c, t->handshake_complete_frame, "%s: handshake complete",
	    dg_fr(c, t->handshake_complete_frame).s);
	if (l.alert != NULL)
		ev(c, l.frame, "%s: the client sent an %salert %s the handshake "
		    "completed (%s), without sending any data",
		    dg_fr(c, l.frame).s, l.alert->encrypted ? "encrypted " : "",
		    dg_after(c, l.frame, t->handshake_complete_frame).s,
		    dg_fr(c, t->handshake_complete_frame).s);
	else
		ev(c, l.frame, "%s: the client closed (%s) %s the "
		    "handshake completed (%s), without sending any data",
		    dg_fr(c, l.frame).s, l.end == TCP_END_FIN ? "FIN" : "RST",
		    dg_after(c, l.frame, t->handshake_complete_frame).s,
		    dg_fr(c, t->handshake_complete_frame).s);
	ev(c, 0, "inferred: a client that accepted and left at once (openssl "
	    "s_client on an empty input) looks the same on the wire");
	dg_chain_verdict(c, "right after the handshake (some clients, e.g. "
	    "curl, check the name only then)", true);
	return true;
}

static const char advice_grab[] =
	"The client left after reading the server's certificate chain, "
	"without its key exchange and without an alert: scanners, monitors and "
	"certificate-grabbing tools do this, and no client measured rejects a "
	"chain this way (they send an alert). If this was the migration tool, "
	"its log says why it stopped; the chain's evidence says what a strict "
	"client would object to.";

/*
 * 11. TLS <= 1.2: the client hung up without an alert on its turn after
 * the server's certificate flight, without its key exchange. No client
 * measured rejects a chain that way (they all send a fatal alert first):
 * it took the chain and left, as certificate grabbers and scanners do.
 */
bool
dg_rule_cert_abort(struct ctx *c)
{
	struct turn u;
	struct end_ev e;

	if (c->tls == NULL || dg_tls13(c) || !c->tls->certs_seen ||
	    c->cert == NULL || !c->cert->visible ||
	    dg_stream_gapped(c, TLS_SIDE_CLIENT))
		return false;
	dg_turn_of(c, &u);
	dg_end_event(c, &e);
	if (!u.after_tls12_flight || e.by != TCP_SIDE_CLIENT ||
	    e.kind == END_IDLE || e.kind == END_OPEN)
		return false;
	dg_ev_client_hello(c);
	dg_ev_server_hello(c);
	dg_ev_chain(c);
	ev(c, e.frame, "%s: the client hung up (%s) %s the server's "
	    "certificate flight (%s), without its key exchange and without an "
	    "alert", dg_fr(c, e.frame).s,
	    e.kind == END_RST ? "RST" : e.kind == END_FIN ? "FIN" :
	    "close_notify", dg_after(c, e.frame, u.after).s,
	    dg_fr(c, u.after).s);
	ev(c, 0, "not a rejection of the chain: curl, Python, openssl s_client "
	    "and gnutls-cli, measured, all send a fatal alert (unknown_ca, "
	    "bad_certificate) when they reject one");
	c->advice = advice_grab;
	verdict(c, e.kind == END_RST ? DIAG_TCP_RESET :
	    DIAG_CLOSED_DURING_HANDSHAKE, true, "The client took the server's "
	    "certificate chain and left (%s) without its key exchange and "
	    "without an alert, as certificate grabbers and scanners do "
	    "(inferred): not a rejection of the chain.",
	    e.kind == END_RST ? "RST" : e.kind == END_FIN ? "FIN" :
	    "close_notify");
	return true;
}
