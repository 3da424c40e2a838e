/* report_text_cert.c: the certificate chain (RFC 5280) of a connection for
 * the text report: one line per certificate, then the verdict and evidence. */
#include <inttypes.h>
#include <string.h>

#include "cert/certchain.h"
#include "util/utf8.h"

/* Certificate text on a terminal: escaped, bounded. */
static const char *
safe(char *buf, size_t len, const char *s)
{
	/* RFC 4514 names: their backslashes are escapes already */
	return utf8_sanitize_text(buf, len, (const uint8_t *)s, strlen(s));
}

/* "2026-11-27" of a certificate time. */
static const char *
day(char buf[CERTCHAIN_TIME_LEN], int64_t t)
{
	if (t == CERTCHAIN_TIME_UNKNOWN)
		return "unreadable";
	certchain_time_iso(buf, t);
	buf[10] = '\0';
	return buf;
}

static void
cert_line(FILE *out, unsigned i, const struct cert_desc *d, int64_t now,
          unsigned verbose)
{
	char s[CERT_NAME_LEN * 2], is[CERT_NAME_LEN * 2];
	char nb[CERTCHAIN_TIME_LEN], na[CERTCHAIN_TIME_LEN];
	const char *when = "";

	if (!d->parsed) {
		fprintf(out, "    %u. (does not parse as X.509 DER)  sha256 %s\n",
		        i + 1, d->sha256);
		return;
	}
	if (now == CERTCHAIN_TIME_UNKNOWN)
		when = "";
	else if (d->not_after != CERTCHAIN_TIME_UNKNOWN && now > d->not_after)
		when = " EXPIRED";
	else if (d->not_before != CERTCHAIN_TIME_UNKNOWN && now < d->not_before)
		when = " NOT YET VALID";
	fprintf(out, "    %u. %s\n       issuer %s; %s..%s%s; %s%s%s\n", i + 1,
	        safe(s, sizeof s, d->subject), safe(is, sizeof is, d->issuer),
	        day(nb, d->not_before), day(na, d->not_after), when, d->key,
	        d->is_ca ? "; CA" : "", d->self_signed ? "; self-signed" : "");
	if (verbose == 0)
		return;
	if (d->nsan > 0) {
		fprintf(out, "       names:");
		for (unsigned k = 0; k < d->nsan && k < CERT_MAX_SAN; k++)
			fprintf(out, "%s %s", k ? "," : "",
			        safe(s, sizeof s, d->san[k]));
		if (d->san_dropped > 0)
			fprintf(out, " (and %u more)", d->san_dropped);
		fprintf(out, "\n");
	}
	fprintf(out, "       sha256 %s\n       serial %s; %s\n", d->sha256,
	        d->serial, d->sig_alg);
}

void
report_text_cert(FILE *out, const struct cert_facts *f, ta_time capture_time,
                 unsigned verbose)
{
	const struct cert_chain *c;
	int64_t now = (int64_t)(capture_time / TA_NS_PER_SEC);
	char ev[CERT_EVIDENCE_MAX * 2][CERT_EVIDENCE_LEN];
	char s[CERT_NAME_LEN * 2];
	unsigned n;

	if (f == NULL || !f->visible) {
		fprintf(out, "  certificates: not seen (under TLS 1.3 the chain is "
		             "encrypted): interception cannot be judged from "
		             "certificates\n");
		return;
	}
	c = f->chain;
	fprintf(out, "  certificates (frame %" PRIu64 "): ",
	        (uint64_t)TA_FRAME_NO(f->frame));
	if (c == NULL) {
		fprintf(out, "not analysed: %s\n",
		        f->verify_reason ? f->verify_reason : "unknown error");
		return;
	}
	fprintf(out, "%u sent", c->count);
	if (c->name[0] != '\0')
		fprintf(out, ", checked against %s (%s)", safe(s, sizeof s, c->name),
		        c->name_from_sni ? "SNI" : "--server-name");
	else
		fprintf(out, ", no name to check");
	if (f->verify_ok)
		fprintf(out, "; verifies%s\n", f->time_unknown ?
		        " (dates not judged: no real capture time)" : "");
	else if (f->trusted_then)
		fprintf(out, "; does not verify here: %s (%d); verifies against "
		        "Mozilla's store of the capture's date%s%s\n",
		        f->verify_reason ? f->verify_reason : "?", f->verify_code,
		        f->problem != CERT_PROBLEM_NONE ? ", " : "",
		        f->problem != CERT_PROBLEM_NONE ?
		        certchain_problem_str(f->problem) : "");
	else
		fprintf(out, "; does not verify: %s (%d), %s\n",
		        f->verify_reason ? f->verify_reason : "?", f->verify_code,
		        certchain_problem_str(f->problem));
	for (unsigned i = 0; i < c->nchain && i < CERT_MAX_CHAIN; i++)
		cert_line(out, i, &c->chain[i],
		          f->time_unknown ? CERTCHAIN_TIME_UNKNOWN : now, verbose);
	if (c->anchor[0] != '\0' && verbose > 0)
		fprintf(out, "    anchor: %s\n", safe(s, sizeof s, c->anchor));
	n = certchain_evidence(f, capture_time, ev, CERT_EVIDENCE_MAX * 2);
	for (unsigned i = 0; i < n; i++)
		fprintf(out, "    - %s\n", ev[i]);
}
