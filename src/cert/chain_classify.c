/* chain_classify.c: the one problem of a chain (time aside, then at the capture time) and the evidence lines for people. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/x509_vfy.h>

#include "cert/certchain_int.h"
#include "util/fmt.h"

/* ---- the problem, time aside ---- */

void
chain_classify(struct certchain_entry *e, const struct vstate *v)
{
	struct cert_chain *c = &e->chain;
	int d;

	e->problem = CERT_PROBLEM_NONE;
	e->problem_cert = -1;
	if (v->missing_leaf_issuer) {
		e->problem = CERT_PROBLEM_INCOMPLETE;
		e->problem_cert = 0;
	} else if (c->name[0] != '\0' && !c->name_covered) {
		e->problem = CERT_PROBLEM_NAME_MISMATCH;
		e->problem_cert = 0;
	} else if (v->self_signed_leaf) {
		e->problem = CERT_PROBLEM_SELF_SIGNED;
		e->problem_cert = 0;
	} else if (v->untrusted_root || v->missing_issuer) {
		e->problem = CERT_PROBLEM_UNTRUSTED;
		d = v->untrusted_root ? v->root_depth : v->missing_depth;
		if (d >= 0 && d < e->npath)
			e->problem_cert = e->path[d].sent;
	} else if (v->other) {
		e->problem = CERT_PROBLEM_OTHER;
	}
}

/* ---- per connection: the time ---- */

void
chain_judge_path(const struct path_el *path, uint8_t npath,
                 const struct cert_chain *c, int64_t now,
                 struct cert_facts *f, enum cert_problem *tp, int *tcode)
{
	int64_t soonest = INT64_MAX;

	*tp = CERT_PROBLEM_NONE;
	*tcode = 0;
	for (uint8_t i = 0; i < npath; i++) {
		const struct path_el *p = &path[i];
		int idx = p->sent >= 0 && p->sent < c->nchain ? p->sent : -1;

		if (p->not_before == TIME_UNKNOWN || p->not_after == TIME_UNKNOWN) {
			if (*tp == CERT_PROBLEM_NONE) {
				*tp = CERT_PROBLEM_OTHER;
				*tcode = p->not_before == TIME_UNKNOWN ?
				         X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD :
				         X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD;
				f->problem_cert = idx;
			}
			continue;
		}
		if (p->not_after < now) {
			if (*tp != CERT_PROBLEM_EXPIRED) {
				*tp = CERT_PROBLEM_EXPIRED;
				*tcode = X509_V_ERR_CERT_HAS_EXPIRED;
				f->problem_cert = idx;
				f->problem_time = p->not_after;
			}
		} else if (p->not_before > now) {
			if (*tp != CERT_PROBLEM_EXPIRED && *tp != CERT_PROBLEM_NOT_YET_VALID) {
				*tp = CERT_PROBLEM_NOT_YET_VALID;
				*tcode = X509_V_ERR_CERT_NOT_YET_VALID;
				f->problem_cert = idx;
				f->problem_time = p->not_before;
			}
		} else if (p->not_after - now <= CERTCHAIN_EXPIRING_SECS &&
		           p->not_after < soonest) {
			soonest = p->not_after;
			f->findings |= CERT_F_EXPIRING_SOON;
			f->expiring_cert = idx;
		}
	}
}

void
chain_judge_time(const struct certchain_entry *e, int64_t now,
                 struct cert_facts *f, enum cert_problem *tp, int *tcode)
{
	chain_judge_path(e->path, e->npath, &e->chain, now, f, tp, tcode);
}

/* ---- evidence for people ---- */

/* "2026-01-02 00:00 UTC", for people. */
static char *
time_human(char buf[CERTCHAIN_TIME_LEN], int64_t t)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (t == TIME_UNKNOWN || gmtime_r(&tt, &tm) == NULL) {
		snprintf(buf, CERTCHAIN_TIME_LEN, "an unreadable date");
		return buf;
	}
	snprintf(buf, CERTCHAIN_TIME_LEN, "%04u-%02u-%02u %02u:%02u UTC",
	         (unsigned)(tm.tm_year + 1900) % 10000u,
	         (unsigned)(tm.tm_mon + 1) % 100u, (unsigned)tm.tm_mday % 100u,
	         (unsigned)tm.tm_hour % 100u, (unsigned)tm.tm_min % 100u);
	return buf;
}

/* "330 days", "5 hours", "12 minutes", "42 seconds". */
static char *
duration(char *buf, size_t len, int64_t s)
{
	if (s < 0)
		s = -s;
	if (s >= 2 * 86400)
		fmt_snprintf(buf, len, "%lld days", (long long)(s / 86400));
	else if (s >= 2 * 3600)
		fmt_snprintf(buf, len, "%lld hours", (long long)(s / 3600));
	else if (s >= 120)
		fmt_snprintf(buf, len, "%lld minutes", (long long)(s / 60));
	else
		fmt_snprintf(buf, len, "%lld second%s", (long long)s, s == 1 ? "" : "s");
	return buf;
}

const char *
certchain_problem_str(enum cert_problem p)
{
	switch (p) {
	case CERT_PROBLEM_NONE:
		return "none";
	case CERT_PROBLEM_UNPARSEABLE:
		return "unparseable";
	case CERT_PROBLEM_INCOMPLETE:
		return "incomplete";
	case CERT_PROBLEM_EXPIRED:
		return "expired";
	case CERT_PROBLEM_NOT_YET_VALID:
		return "not-yet-valid";
	case CERT_PROBLEM_NAME_MISMATCH:
		return "name-mismatch";
	case CERT_PROBLEM_SELF_SIGNED:
		return "self-signed";
	case CERT_PROBLEM_UNTRUSTED:
		return "untrusted";
	case CERT_PROBLEM_OTHER:
		return "other";
	}
	return "other";
}

struct lines {
	char (*l)[CERT_EVIDENCE_LEN];
	unsigned n, max;
	uint64_t frame;
};

static void
line(struct lines *ls, const char *fmt, ...) TA_PRINTF(2, 3);

static void
line(struct lines *ls, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (ls->n >= ls->max)
		return;
	k = fmt_snprintf(ls->l[ls->n], CERT_EVIDENCE_LEN, "frame %llu: ",
	             (unsigned long long)ls->frame);
	if (k < 0 || (size_t)k >= CERT_EVIDENCE_LEN)
		k = 0;
	va_start(ap, fmt);
	fmt_vsnprintf(ls->l[ls->n] + k, CERT_EVIDENCE_LEN - (size_t)k, fmt, ap);
	va_end(ap);
	ls->n++;
}

/* "certificate 2 (CN=...)" for a described one, else "certificate 2". */
static const char *
cert_ref(char *buf, size_t len, const struct cert_chain *c, int i)
{
	char s[96];

	if (i >= 0 && i < c->nchain && c->chain[i].parsed)
		fmt_snprintf(buf, len, "certificate %d (%s)", i + 1,
		         safe(s, sizeof s, c->chain[i].subject));
	else if (i >= 0)
		fmt_snprintf(buf, len, "certificate %d", i + 1);
	else
		fmt_snprintf(buf, len, "the trust anchor (%s)",
		         safe(s, sizeof s, c->anchor[0] ? c->anchor : "from the store"));
	return buf;
}

static void
covered_names(char *buf, size_t len, const struct cert_desc *d)
{
	size_t o = 0;
	char s[96];

	buf[0] = '\0';
	if (d->nsan == 0) {
		fmt_snprintf(buf, len, "only its subject %s (no subjectAltName)",
		         safe(s, sizeof s, d->subject));
		return;
	}
	for (unsigned i = 0; i < d->nsan && o + 1 < len; i++) {
		int k = fmt_snprintf(buf + o, len - o, "%s%s", i ? ", " : "",
		                 safe(s, sizeof s, d->san[i]));
		if (k < 0)
			break;
		o += (size_t)k;
	}
	if (d->san_dropped > 0 && o + 1 < len)
		fmt_snprintf(buf + o, len - o, " and %u more", d->san_dropped);
}

/* "2017-11-30", for people. */
static char *
day_human(char buf[CERTCHAIN_TIME_LEN], int64_t t)
{
	time_human(buf, t);
	if (strlen(buf) > 10 && buf[4] == '-')
		buf[10] = '\0';
	return buf;
}

/*
 * Capture-time trust, in one sentence: which root, when it was in
 * Mozilla's store, the capture's date, and that this machine's store lacks
 * it. Also for the diagnosis' evidence (no frame).
 */
void
chain_then_text(char *buf, size_t len, const struct cert_facts *f, int64_t now)
{
	char r[96], a[CERTCHAIN_TIME_LEN], b[CERTCHAIN_TIME_LEN],
	    d[CERTCHAIN_TIME_LEN], gap[32];

	safe(r, sizeof r, f->then_root != NULL ? f->then_root : "?");
	day_human(a, f->then_from);
	day_human(d, now);
	if (f->then_since_start && now < f->then_from) {
		/* Older than the history: it was in its first bundle. */
		char b2[CERTCHAIN_TIME_LEN];

		fmt_snprintf(buf, len, "%s: in Mozilla's store before %s (the "
		             "history's start) %s%s; this capture, of %s, is "
		             "older: trusted then (not here)", r, a,
		             f->then_to == INT64_MAX ? "to now" : "until ",
		             f->then_to == INT64_MAX ? "" :
		             day_human(b2, f->then_to), d);
		return;
	}
	if (f->then_to == INT64_MAX)
		fmt_snprintf(buf, len, "%s has been in Mozilla's store since "
		             "%s; this capture is from %s%s: it is not in this "
		             "machine's store", r, a, d,
		             now < f->then_from ? " (before it entered the bundle "
		             "tlsautopsy reads, which trails Mozilla's)" : "");
	else if (now >= f->then_to)
		fmt_snprintf(buf, len, "%s was in Mozilla's store from %s to "
		             "%s; this capture is from %s, %s after its removal: "
		             "clients not updated since still trusted it (not in "
		             "this machine's store)", r, a,
		             day_human(b, f->then_to), d,
		             duration(gap, sizeof gap, now - f->then_to));
	else
		fmt_snprintf(buf, len, "%s was in Mozilla's store from %s to "
		             "%s; this capture is from %s: clients of that time "
		             "trusted it (not in this machine's store)", r, a,
		             day_human(b, f->then_to), d);
}

void
certchain_then_text(char *buf, size_t len, const struct cert_facts *f)
{
	chain_then_text(buf, len, f, (int64_t)(f->time / TA_NS_PER_SEC));
}

static void
problem_line(struct lines *ls, const struct cert_facts *f, int64_t now)
{
	const struct cert_chain *c = f->chain;
	const struct cert_desc *leaf = c->nchain > 0 ? &c->chain[0] : NULL;
	char r[140], s1[96], s2[96], t[CERTCHAIN_TIME_LEN], d[32], names[120];

	if (f->trusted_then) {
		char then[CERT_EVIDENCE_LEN];

		chain_then_text(then, sizeof then, f, now);
		line(ls, "%s", then);
	} else if (f->history_error != NULL) {
		line(ls, "capture-time trust was not judged: the root store "
		     "history could not be read");
	}
	switch (f->problem) {
	case CERT_PROBLEM_NONE:
		if (f->trusted_then && c->name[0] != '\0')
			line(ls, "the chain verifies to %s as Mozilla's store held "
			     "it on the capture's date, and covers %s",
			     safe(s1, sizeof s1, f->then_root),
			     safe(s2, sizeof s2, c->name));
		else if (f->trusted_then)
			line(ls, "the chain verifies to %s as Mozilla's store held "
			     "it on the capture's date (no name checked)",
			     safe(s1, sizeof s1, f->then_root));
		else if (c->name[0] != '\0')
			line(ls, "the chain verifies to %s and covers %s",
			     safe(s1, sizeof s1, c->anchor), safe(s2, sizeof s2, c->name));
		else
			line(ls, "the chain verifies to %s (no name checked)",
			     safe(s1, sizeof s1, c->anchor));
		break;
	case CERT_PROBLEM_UNPARSEABLE:
		line(ls, "the server's certificate (1 of %u) does not parse as "
		     "X.509 DER; nothing else can be judged", c->count);
		break;
	case CERT_PROBLEM_INCOMPLETE:
		if (c->count <= 1)
			line(ls, "the server sent only its own certificate (%s, "
			     "issued by %s); the intermediate is missing",
			     safe(s1, sizeof s1, leaf->subject),
			     safe(s2, sizeof s2, leaf->issuer));
		else
			line(ls, "the server sent %u certificates, none of them the "
			     "issuer of its own (%s, issued by %s); the intermediate "
			     "is missing", c->count, safe(s1, sizeof s1, leaf->subject),
			     safe(s2, sizeof s2, leaf->issuer));
		/* From the wire a missing intermediate looks like a leaf
		 * issued by a root the trust store lacks: say both. */
		line(ls, "or that issuer is a private root the trust store used "
		     "here lacks: then give it with --ca-bundle");
		break;
	case CERT_PROBLEM_EXPIRED:
		line(ls, "%s expired %s, %s before the capture",
		     cert_ref(r, sizeof r, c, f->problem_cert),
		     time_human(t, f->problem_time),
		     duration(d, sizeof d, now - f->problem_time));
		break;
	case CERT_PROBLEM_NOT_YET_VALID:
		line(ls, "%s is valid only from %s, %s after the capture",
		     cert_ref(r, sizeof r, c, f->problem_cert),
		     time_human(t, f->problem_time),
		     duration(d, sizeof d, f->problem_time - now));
		break;
	case CERT_PROBLEM_NAME_MISMATCH:
		covered_names(names, sizeof names, leaf);
		line(ls, "%s %s; the certificate covers %s",
		     c->name_from_sni ? "the client asked for" :
		                        "the name given by --server-name is",
		     safe(s1, sizeof s1, c->name), names);
		break;
	case CERT_PROBLEM_SELF_SIGNED:
		line(ls, "the server's certificate (%s) is self-signed and not a "
		     "trust anchor", safe(s1, sizeof s1, leaf->subject));
		break;
	case CERT_PROBLEM_UNTRUSTED:
		if (f->problem_cert >= 0 && f->problem_cert < c->nchain &&
		    c->chain[f->problem_cert].self_signed)
			line(ls, "the chain ends in %s, a root the server sent and "
			     "the trust store does not hold",
			     cert_ref(r, sizeof r, c, f->problem_cert));
		else if (f->problem_cert >= 0 && f->problem_cert < c->nchain)
			line(ls, "the chain ends at %s, issued by %s, which is neither "
			     "sent nor in the trust store",
			     cert_ref(r, sizeof r, c, f->problem_cert),
			     safe(s1, sizeof s1, c->chain[f->problem_cert].issuer));
		else
			line(ls, "the chain ends in a root the trust store does not "
			     "hold: %s (%d)", f->verify_reason, f->verify_code);
		break;
	case CERT_PROBLEM_OTHER:
		if (c->count == 0)
			line(ls, "the server's Certificate message holds no certificate");
		else
			line(ls, "verification failed: %s (%d)", f->verify_reason,
			     f->verify_code);
		break;
	}
}

static void
finding_lines(struct lines *ls, const struct cert_facts *f, int64_t now)
{
	const struct cert_chain *c = f->chain;
	char r[140], t[CERTCHAIN_TIME_LEN], d[32];

	for (unsigned i = 1; i < c->nchain; i++)
		if (!c->chain[i].parsed)
			line(ls, "certificate %u does not parse as X.509 DER; it was "
			     "left out of the chain", i + 1);
	if (c->count > c->nchain)
		line(ls, "the server sent %u certificates; the first %u are "
		     "described", c->count, c->nchain);
	if ((f->findings & CERT_F_WEAK_SIGNATURE) && c->weak_sig_cert >= 0)
		line(ls, "%s is signed with %s, a broken digest for signatures",
		     cert_ref(r, sizeof r, c, c->weak_sig_cert),
		     c->weak_sig_cert < c->nchain ?
		     c->chain[c->weak_sig_cert].sig_alg : "MD5 or SHA-1");
	if ((f->findings & CERT_F_SMALL_KEY) && c->small_key_cert >= 0)
		line(ls, "%s has a small key (%s; RSA needs 2048 bits, EC 224)",
		     cert_ref(r, sizeof r, c, c->small_key_cert),
		     c->small_key_cert < c->nchain ?
		     c->chain[c->small_key_cert].key : "small");
	if (f->findings & CERT_F_EXPIRING_SOON) {
		int64_t na = f->expiring_cert >= 0 ?
		             c->chain[f->expiring_cert].not_after : c->anchor_not_after;
		line(ls, "%s expires %s, %s after the capture",
		     cert_ref(r, sizeof r, c, f->expiring_cert), time_human(t, na),
		     duration(d, sizeof d, na - now));
	}
	if ((f->findings & CERT_F_NO_NAME) && f->no_client_hello)
		line(ls, "the ClientHello is not in the capture and no "
		     "--server-name was given: the name was not checked");
	else if (f->findings & CERT_F_NO_NAME)
		line(ls, "the client sent no SNI and no --server-name was given: "
		     "the name was not checked");
	if ((f->findings & CERT_F_EXPLICIT_EC) && c->explicit_ec_cert >= 0)
		line(ls, "%s has an EC key with explicit curve parameters instead "
		     "of a named curve: the CVE-2020-0601 (CurveBall) form, with "
		     "which unpatched Windows CryptoAPI accepted forged roots",
		     cert_ref(r, sizeof r, c, c->explicit_ec_cert));
}

/* The per-connection interception signal, as text (no frame). */
static void
fresh_text(char *buf, size_t len, const struct cert_facts *f)
{
	char t[CERTCHAIN_TIME_LEN], d[32];

	fmt_snprintf(buf, len, "the leaf was issued %s %s the capture (not_before "
	         "%s), as inspection proxies forge per connection",
	         duration(d, sizeof d, f->leaf_age),
	         f->leaf_age >= 0 ? "before" : "after",
	         time_human(t, f->chain->chain[0].not_before));
}

static void
interception_lines(struct lines *ls, const struct cert_facts *f)
{
	const struct cert_interception *ic = &f->chain->interception;
	char fresh[CERT_EVIDENCE_LEN];

	if (f->intercepted)
		line(ls, "TLS interception suspected%s%s%s",
		     ic->product[0] ? " (" : "", ic->product,
		     ic->product[0] ? ")" : "");
	for (unsigned i = 0; i < ic->nevidence && i < CERT_EVIDENCE_MAX; i++)
		line(ls, "%s", ic->evidence[i]);
	if (f->leaf_fresh && f->entry != NULL && f->entry->leaf_proxy)
		line(ls, "the leaf is an RFC 3820 proxy certificate "
		     "(proxyCertInfo), issued by its user's own certificate just "
		     "before use, as grid middleware does: its fresh not_before "
		     "is no sign of interception");
	else if (f->leaf_fresh) {
		fresh_text(fresh, sizeof fresh, f);
		line(ls, "%s", fresh);
	}
}

unsigned
certchain_evidence(const struct cert_facts *f, ta_time capture_time,
                   char lines[][CERT_EVIDENCE_LEN], unsigned max)
{
	struct lines ls = { lines, 0, max, 0 };
	int64_t now = (int64_t)(capture_time / TA_NS_PER_SEC);

	if (f == NULL || !f->visible || max == 0)
		return 0;
	ls.frame = TA_FRAME_NO(f->frame);
	if (f->chain == NULL) {
		line(&ls, "the chain could not be analysed: %s",
		     f->verify_reason ? f->verify_reason : "unknown error");
		return ls.n;
	}
	if (f->time_unknown) {
		char t[CERTCHAIN_TIME_LEN];

		line(&ls, "the capture holds no real time (this frame is "
		     "stamped %s, before 1996: no time stamps, or rewritten): "
		     "the certificates' validity dates are not judged",
		     time_human(t, now));
	}
	problem_line(&ls, f, now);
	finding_lines(&ls, f, now);
	interception_lines(&ls, f);
	return ls.n;
}

unsigned
certchain_interception_evidence(const struct cert_facts *f,
                                char lines[][CERT_EVIDENCE_LEN], unsigned max)
{
	const struct cert_interception *ic;
	unsigned n = 0;

	if (f == NULL || f->chain == NULL)
		return 0;
	ic = &f->chain->interception;
	for (unsigned i = 0; i < ic->nevidence && i < CERT_EVIDENCE_MAX && n < max; i++)
		fmt_snprintf(lines[n++], CERT_EVIDENCE_LEN, "%s", ic->evidence[i]);
	if (f->leaf_fresh && n < max)
		fresh_text(lines[n++], CERT_EVIDENCE_LEN, f);
	return n;
}
