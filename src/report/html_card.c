/*
 * html_card.c: one connection's card in the HTML report: verdict, the
 * sentence, who talked to whom, the ladder, the certificate chain (RFC
 * 5280) with its failing link marked, evidence, likely causes, findings,
 * how TCP ended, advice. The same facts as the text report, in the same
 * order of importance.
 */
#include <inttypes.h>
#include <string.h>

#include "cert/certchain.h"
#include "report/html_int.h"
#include "report/report.h"
#include "service.h"
#include "util/fmt.h"

static const char *
sev_label(enum diag_severity s)
{
	switch (s) {
	case DIAG_SEV_ERROR:
		return "ERROR";
	case DIAG_SEV_WARNING:
		return "WARNING";
	case DIAG_SEV_OK:
		break;
	}
	return "OK";
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

/* Which certificate of the chain failed, and in what words; -1 when the
 * failure is a link the server did not send or the anchor. */
static int
failing_cert(const struct cert_facts *cf, const struct cert_chain *c,
             const char **why)
{
	int last = c->nchain > 0 ? (int)c->nchain - 1 : 0;
	int k = cf->problem_cert;

	*why = NULL;
	switch (cf->problem) {
	case CERT_PROBLEM_NONE:
	case CERT_PROBLEM_INCOMPLETE:
		return -1;
	case CERT_PROBLEM_UNPARSEABLE:
		*why = "does not parse";
		return k >= 0 ? k : 0;
	case CERT_PROBLEM_EXPIRED:
		*why = "expired";
		return k;
	case CERT_PROBLEM_NOT_YET_VALID:
		*why = "not yet valid";
		return k;
	case CERT_PROBLEM_NAME_MISMATCH:
		*why = "does not cover the name";
		return 0;
	case CERT_PROBLEM_SELF_SIGNED:
		*why = "self-signed";
		return 0;
	case CERT_PROBLEM_UNTRUSTED:
		*why = "its issuer is not trusted";
		return last;
	case CERT_PROBLEM_OTHER:
		*why = "fails verification";
		return k >= 0 ? k : last;
	}
	return -1;
}

static void
cert_item(FILE *out, const struct cert_desc *cd, int64_t now, const char *why)
{
	char nb[CERTCHAIN_TIME_LEN], na[CERTCHAIN_TIME_LEN];

	fprintf(out, "<li%s>", why != NULL ? " class=\"bad\"" : "");
	if (why != NULL)
		fprintf(out, "<span class=\"mark\">&#x2717; %s:</span> ", why);
	if (!cd->parsed) {
		fprintf(out, "(does not parse as X.509 DER) <small>sha256 %s"
		             "</small></li>\n", cd->sha256);
		return;
	}
	fputs("<b>", out);
	html_puts(out, cd->subject);
	fputs("</b><br><small>issued by ", out);
	html_puts(out, cd->issuer);
	fprintf(out, "; valid %s to %s", day(nb, cd->not_before),
	        day(na, cd->not_after));
	if (now == CERTCHAIN_TIME_UNKNOWN)
		fputs(" (not judged: no real capture time)", out);
	else if (cd->not_after != CERTCHAIN_TIME_UNKNOWN && now > cd->not_after)
		fputs(" (expired at the capture)", out);
	else if (cd->not_before != CERTCHAIN_TIME_UNKNOWN && now < cd->not_before)
		fputs(" (not yet valid at the capture)", out);
	fputs("; ", out);
	html_puts(out, cd->key);
	fprintf(out, "%s%s</small></li>\n", cd->is_ca ? "; CA" : "",
	        cd->self_signed ? "; self-signed" : "");
}

static void
chain_html(FILE *out, const struct cert_facts *cf)
{
	const struct cert_chain *c;
	int64_t now;
	char ev[CERT_EVIDENCE_MAX * 2][CERT_EVIDENCE_LEN];
	const char *why;
	int bad;
	unsigned n;

	fputs("<h3>Certificate chain</h3>\n", out);
	if (!cf->visible) {
		fputs("<p>Not seen: under TLS 1.3 the chain is encrypted, so "
		      "interception cannot be judged from certificates.</p>\n",
		      out);
		return;
	}
	c = cf->chain;
	if (c == NULL) {
		fputs("<p>Not analysed: ", out);
		html_puts(out, cf->verify_reason ? cf->verify_reason
		                                 : "unknown error");
		fputs("</p>\n", out);
		return;
	}
	now = (int64_t)(cf->time / TA_NS_PER_SEC);
	fprintf(out, "<p>Frame %" PRIu64 ": the server sent %u certificate%s",
	        (uint64_t)TA_FRAME_NO(cf->frame), c->count,
	        c->count == 1 ? "" : "s");
	if (c->name[0] != '\0') {
		fputs(", checked against <b>", out);
		html_puts(out, c->name);
		fprintf(out, "</b> (%s)", c->name_from_sni ? "SNI" : "--server-name");
	} else {
		fputs(", no name to check", out);
	}
	if (cf->verify_ok)
		fputs("; it verifies.</p>\n", out);
	else {
		fputs("; it does not verify: ", out);
		html_puts(out, cf->verify_reason ? cf->verify_reason : "?");
		fprintf(out, " (%d), %s.</p>\n", cf->verify_code,
		        certchain_problem_str(cf->problem));
	}
	bad = failing_cert(cf, c, &why);
	fputs("<ol class=\"chain\">\n", out);
	for (unsigned i = 0; i < c->nchain && i < CERT_MAX_CHAIN; i++)
		cert_item(out, &c->chain[i],
		          cf->time_unknown ? CERTCHAIN_TIME_UNKNOWN : now,
		          (int)i == bad ? why : NULL);
	if (cf->problem == CERT_PROBLEM_INCOMPLETE && c->nchain > 0) {
		const struct cert_desc *top = &c->chain[c->nchain - 1];

		fputs("<li class=\"bad missing\"><span class=\"mark\">&#x2717; "
		      "missing:</span> ", out);
		html_puts(out, top->parsed ? top->issuer : "its issuer");
		fputs("<br><small>not sent by the server, and not a trusted root"
		      "</small></li>\n", out);
	} else if (c->anchor[0] != '\0') {
		fputs("<li><b>", out);
		html_puts(out, c->anchor);
		fputs("</b><br><small>trust anchor reached</small></li>\n", out);
	}
	fputs("</ol>\n", out);
	n = certchain_evidence(cf, cf->time, ev, CERT_EVIDENCE_MAX * 2);
	if (n == 0)
		return;
	fputs("<ul>\n", out);
	for (unsigned i = 0; i < n; i++) {
		fputs("<li>", out);
		html_puts(out, ev[i]);
		fputs("</li>\n", out);
	}
	fputs("</ul>\n", out);
}

static void
tcp_html(FILE *out, const struct tcp_outcome *t)
{
	const char *by = tcp_side_str(t->end_by);

	fprintf(out, "<h3>TCP</h3>\n<p>%s", report_text_end_words(t->end));
	if (by != NULL)
		fprintf(out, ", by the %s%s", by, t->inferred ? " (inferred)" : "");
	if (t->end == TCP_END_NO_ANSWER)
		fprintf(out, " (last SYN frame %" PRIu64 ")",
		        (uint64_t)TA_FRAME_NO(t->end_frame));
	else if (t->end != TCP_END_OPEN && t->end != TCP_END_TIMEOUT)
		fprintf(out, " at frame %" PRIu64,
		        (uint64_t)TA_FRAME_NO(t->end_frame));
	if (t->rtt_known)
		fprintf(out, "; SYN round trip %.1f ms", t->syn_rtt_ms);
	fputs(".</p>\n", out);
}

static void
caption(FILE *out, const struct ladder *l, const struct timeline *tl)
{
	char d[32];

	fputs("<figcaption>", out);
	if (!l->times) {
		fputs("No times: the capture's clock stepped back within this "
		      "connection, so the messages are shown in frame order, "
		      "evenly spaced.", out);
	} else {
		fmt_duration(d, sizeof d, l->scale_ref);
		fprintf(out, "Time runs down from the first packet, as captured; "
		        "the space between arrows grows with the time between "
		        "them (the tallest space stands for %s)", d);
		if (l->breaks > 0)
			fprintf(out, "; %s longer wait%s %s broken and not to scale",
			        l->breaks == 1 ? "one" : "the", l->breaks == 1 ? "" : "s",
			        l->breaks == 1 ? "is" : "are");
		fputs(".", out);
	}
	if (tl->dropped > 0)
		fprintf(out, " %u more events not shown.", tl->dropped);
	fputs("</figcaption>\n", out);
}

/* The timeline as text, folded: the ladder's labels are cut, this is not. */
static void
timeline_table(FILE *out, const struct timeline *tl, unsigned base_file)
{
	char fr[48];

	fputs("<details><summary>Timeline as text</summary>\n"
	      "<table><thead><tr><th class=\"n\">time</th><th>frame</th>"
	      "<th>from</th><th>what</th></tr></thead><tbody>\n", out);
	for (unsigned i = 0; i < tl->n; i++) {
		const struct timeline_event *e = &tl->ev[i];

		fputs("<tr><td class=\"n\">", out);
		if (e->ts_known && tl->t0_known)
			fprintf(out, "%.3f ms", fmt_ms(tl->t0, e->ts));
		fmt_frame(fr, sizeof fr, e->frame, base_file);
		fprintf(out, "</td><td>%s</td><td>%s</td><td>", fr,
		        timeline_side_str(e->side));
		html_puts(out, e->text);
		fputs("</td></tr>\n", out);
	}
	fputs("</tbody></table></details>\n", out);
}

void
html_card(FILE *out, uint64_t n, const struct capture *cap,
          const struct conn_facts *f, const struct diag_result *d)
{
	const struct conn *c = f->conn;
	const char *sev = html_sev_class(d->severity);
	char ca[FMT_ADDR_LEN + 8], sa[FMT_ADDR_LEN + 8], ts[FMT_TIME_LEN];
	struct timeline tl;
	struct ladder lad;

	html_endpoint(ca, sizeof ca, &c->caddr, c->cport);
	html_endpoint(sa, sizeof sa, &c->saddr, c->sport);
	fprintf(out, "<article class=\"card %s\" id=\"conn-%" PRIu64 "\">\n"
	             "<header><span class=\"sev %s\">%s</span><h2>%s</h2>"
	             "<span class=\"meaning\">%s</span>\n"
	             "<div class=\"who\">%s &#x2192; %s (%s)</div></header>\n",
	        sev, n, sev, sev_label(d->severity), diag_verdict_str(d->verdict),
	        diag_verdict_meaning(d->verdict), ca, sa, service_name(c->svc));
	fputs("<p class=\"summary\">", out);
	html_puts(out, d->summary);
	fprintf(out, "</p>\n<p class=\"meta\">%s UTC",
	        fmt_time_human(ts, sizeof ts, c->first_ts));
	if (cap != NULL) {
		fputs(" &#xb7; ", out);
		html_puts(out, capture_file_name(cap, TA_FRAME_FILE(c->first_frame)));
		if (f->tcp.frames == 1)
			fprintf(out, ", frame %" PRIu64,
			        (uint64_t)TA_FRAME_NO(c->first_frame));
		else
			fprintf(out, ", frames %" PRIu64 "..%" PRIu64
			        " (%u frames)",
			        (uint64_t)TA_FRAME_NO(c->first_frame),
			        (uint64_t)TA_FRAME_NO(c->tcp.last_frame),
			        f->tcp.frames);
	}
	fputs("</p>\n", out);

	timeline_build(f, &tl);
	ladder_build(f, d, &tl, &lad);
	if (tl.n > 0) {
		fputs("<figure class=\"ladder\">\n", out);
		html_ladder_svg(out, f, d, &lad);
		caption(out, &lad, &tl);
		fputs("</figure>\n", out);
		timeline_table(out, &tl, TA_FRAME_FILE(c->first_frame));
	}
	if (f->cert != NULL)
		chain_html(out, f->cert);
	else if (f->tls != NULL && f->tls->server_hello_seen &&
	         f->tls->server_hello.version == TLS_V_TLS13)
		fputs("<h3>Certificate chain</h3>\n<p>Not seen: under TLS 1.3 "
		      "the chain is encrypted, so interception cannot be judged "
		      "from certificates.</p>\n", out);
	if (d->nevidence > 0) {
		fputs("<h3>Evidence</h3>\n<ul>\n", out);
		for (unsigned i = 0; i < d->nevidence && i < DIAG_MAX_EVIDENCE; i++) {
			fputs("<li>", out);
			html_puts(out, d->evidence[i].text);
			fputs("</li>\n", out);
		}
		if (d->evidence_dropped > 0)
			fprintf(out, "<li>(%u more lines not kept)</li>\n",
			        d->evidence_dropped);
		fputs("</ul>\n", out);
	}
	if (d->ncauses > 0) {
		fputs("<h3>Likely causes (inferred, most likely first)</h3>\n<ol>\n",
		      out);
		for (unsigned i = 0; i < d->ncauses && i < DIAG_MAX_CAUSES; i++) {
			fputs("<li>", out);
			html_puts(out, d->causes[i]);
			fputs("</li>\n", out);
		}
		fputs("</ol>\n", out);
	}
	if (d->findings != 0) {
		fputs("<h3>Findings</h3>\n<p>", out);
		for (unsigned b = 0, k = 0; b < DIAG_FINDING_COUNT; b++) {
			if (!(d->findings & (1u << b)))
				continue;
			fprintf(out, "%s<code>%s</code>", k++ ? ", " : "",
			        diag_finding_str(1u << b));
		}
		fputs("</p>\n", out);
	}
	tcp_html(out, &f->tcp);
	if (d->advice[0] != '\0') {
		fputs("<h3>Advice</h3>\n<p class=\"advice\">", out);
		html_puts(out, d->advice);
		fputs("</p>\n", out);
	}
	fputs("</article>\n", out);
}
