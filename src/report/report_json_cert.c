/* report_json_cert.c: the certificates object of a connection (doc/json.md;
 * X.509 fields of RFC 5280 4.1, times as RFC 3339 UTC). */
#include <string.h>

#include "cert/certchain.h"
#include "report/json.h"

static void
str_or_null(struct json *j, const char *key, const char *s)
{
	if (s != NULL && s[0] != '\0')
		json_str(j, key, s);
	else
		json_null(j, key);
}

static void
time_or_null(struct json *j, const char *key, int64_t t)
{
	char buf[CERTCHAIN_TIME_LEN];

	if (t == CERTCHAIN_TIME_UNKNOWN)
		json_null(j, key);
	else
		json_str(j, key, certchain_time_iso(buf, t));
}

static void
cert_json(struct json *j, const struct cert_desc *d, int64_t now)
{
	json_obj(j, NULL);
	json_bool(j, "parsed", d->parsed);
	if (d->parsed) {
		json_str(j, "subject", d->subject);
		json_str(j, "issuer", d->issuer);
		time_or_null(j, "not_before", d->not_before);
		time_or_null(j, "not_after", d->not_after);
		if (d->not_before == CERTCHAIN_TIME_UNKNOWN ||
		    d->not_after == CERTCHAIN_TIME_UNKNOWN ||
		    now == CERTCHAIN_TIME_UNKNOWN)
			json_null(j, "valid_at_capture");
		else
			json_bool(j, "valid_at_capture",
			          d->not_before <= now && now <= d->not_after);
		json_arr(j, "san");
		for (unsigned i = 0; i < d->nsan && i < CERT_MAX_SAN; i++)
			json_str(j, NULL, d->san[i]);
		json_close(j);
		if (d->san_dropped > 0)
			json_uint(j, "san_not_kept", d->san_dropped);
	}
	json_str(j, "sha256", d->sha256);
	if (d->parsed) {
		json_str(j, "key", d->key);
		json_str(j, "sig_alg", d->sig_alg);
		json_str(j, "serial", d->serial);
		json_bool(j, "is_ca", d->is_ca);
		if (d->pathlen >= 0)
			json_int(j, "pathlen", d->pathlen);
		else
			json_null(j, "pathlen");
		str_or_null(j, "ski", d->ski);
		str_or_null(j, "aki", d->aki);
		json_bool(j, "self_signed", d->self_signed);
	}
	json_close(j);
}

/* "2011-12-28T00:00:00Z" -> "2011-12-28", in place. */
static const char *
date_only(char *iso)
{
	if (strlen(iso) > 10 && iso[10] == 'T')
		iso[10] = '\0';
	return iso;
}

static void
findings_json(struct json *j, uint32_t findings)
{
	json_arr(j, "findings");
	if (findings & CERT_F_WEAK_SIGNATURE)
		json_str(j, NULL, "weak-signature");
	if (findings & CERT_F_SMALL_KEY)
		json_str(j, NULL, "small-key");
	if (findings & CERT_F_EXPIRING_SOON)
		json_str(j, NULL, "cert-expiring-soon");
	if (findings & CERT_F_NO_NAME)
		json_str(j, NULL, "name-not-checked");
	if (findings & CERT_F_EXPLICIT_EC)
		json_str(j, NULL, "explicit-ec-params");
	json_close(j);
}

static void
interception_json(struct json *j, const struct cert_facts *f)
{
	const struct cert_interception *ic = &f->chain->interception;
	char lines[CERT_EVIDENCE_MAX + 1][CERT_EVIDENCE_LEN];
	unsigned n = certchain_interception_evidence(f, lines, CERT_EVIDENCE_MAX + 1);

	json_obj(j, "interception");
	json_bool(j, "suspected", f->intercepted);
	str_or_null(j, "product", ic->product);
	json_bool(j, "by_inspection_ca", ic->by_inspection_ca);
	json_arr(j, "evidence");
	for (unsigned i = 0; i < n; i++)
		json_str(j, NULL, lines[i]);
	json_close(j);
	json_close(j);
}

/* Capture-time trust (doc/json.md): null when the chain did not fail here
 * for want of a root. */
static void
capture_trust_json(struct json *j, const struct cert_facts *f)
{
	char t[CERTCHAIN_TIME_LEN];

	if (!f->history_tried) {
		json_null(j, "capture_time_trust");
		return;
	}
	json_obj(j, "capture_time_trust");
	json_str(j, "store", "mozilla");
	if (f->history_error != NULL) {
		json_null(j, "ok");
		json_str(j, "error", f->history_error);
		json_close(j);
		return;
	}
	json_bool(j, "ok", f->trusted_then);
	if (f->trusted_then) {
		json_str(j, "root", f->then_root);
		/* dates only: the history is dated by day */
		json_str(j, "in_store_from",
		         date_only(certchain_time_iso(t, f->then_from)));
		if (f->then_to == INT64_MAX)
			json_null(j, "in_store_until");
		else
			json_str(j, "in_store_until",
			         date_only(certchain_time_iso(t, f->then_to)));
	}
	json_close(j);
}

static void
not_visible(struct json *j)
{
	json_bool(j, "visible", false);
	json_obj(j, "interception");
	json_null(j, "suspected");
	json_null(j, "product");
	json_arr(j, "evidence");
	json_str(j, NULL, "no certificate was seen on this connection (under "
	         "TLS 1.3 the chain is encrypted): interception cannot be "
	         "judged from certificates");
	json_close(j);
	json_close(j);
}

void
report_json_cert(struct json *j, const struct cert_facts *f,
                 ta_time capture_time)
{
	const struct cert_chain *c;
	int64_t now = (int64_t)(capture_time / TA_NS_PER_SEC);

	json_obj(j, "certificates");
	if (f != NULL && f->time_unknown)
		now = CERTCHAIN_TIME_UNKNOWN;
	if (f == NULL || !f->visible) {
		not_visible(j);
		json_close(j);
		return;
	}
	c = f->chain;
	json_bool(j, "visible", true);
	json_uint(j, "frame", TA_FRAME_NO(f->frame));
	json_bool(j, "dates_judged", !f->time_unknown);
	json_arr(j, "chain");
	for (unsigned i = 0; c != NULL && i < c->nchain && i < CERT_MAX_CHAIN; i++)
		cert_json(j, &c->chain[i], now);
	json_close(j);
	if (c != NULL)
		json_uint(j, "sent", c->count);
	json_obj(j, "verify");
	json_bool(j, "ok", f->verify_ok);
	json_int(j, "code", f->verify_code);
	str_or_null(j, "reason", f->verify_reason);
	json_close(j);
	if (c != NULL && c->name[0] != '\0') {
		json_str(j, "name_checked", c->name);
		json_str(j, "name_source", c->name_from_sni ? "sni" : "server-name");
	} else {
		json_null(j, "name_checked");
		json_null(j, "name_source");
	}
	if (c != NULL)
		str_or_null(j, "anchor", c->anchor);
	if (f->problem == CERT_PROBLEM_NONE) {
		json_null(j, "problem");
		json_null(j, "problem_cert");
	} else {
		json_str(j, "problem", certchain_problem_str(f->problem));
		if (f->problem_cert >= 0)
			json_int(j, "problem_cert", f->problem_cert);
		else
			json_null(j, "problem_cert");
	}
	if (f->here_problem == CERT_PROBLEM_NONE)
		json_null(j, "problem_here");
	else
		json_str(j, "problem_here", certchain_problem_str(f->here_problem));
	capture_trust_json(j, f);
	findings_json(j, f->findings);
	if (c != NULL)
		interception_json(j, f);
	json_close(j);
}
