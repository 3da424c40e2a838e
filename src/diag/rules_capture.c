/* rules_capture.c: rule one-sided: a verdict from the direction the capture holds. */
#include "diag/diag_ctx.h"

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
		if (seen == TLS_SIDE_SERVER)
			ev(c, r->frame, "%s: the server sent application data "
			    "after it, which it does only once it has the "
			    "client's Finished: the handshake completed",
			    dg_fr(c, r->frame).s);
		else
			ev(c, r->frame, "%s: the client sent application data "
			    "after it: it had the server's Finished, or (False "
			    "Start) sent it right after its own and saw no "
			    "failure", dg_fr(c, r->frame).s);
		verdict(c, DIAG_OK, true, "The TLS handshake completed "
		    "(inferred), as the %s's side shows: application data after "
		    "its Finished; the %s's direction is not in the capture.",
		    sw, gw);
		return true;
	}
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
