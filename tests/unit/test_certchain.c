/* test_certchain.c: certificate chain analysis (RFC 5280 6, RFC 6125 6):
 * every classification, capture-time verification, trust options, the
 * cache, interception signals, reports, and chains from the lab captures. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cert/certchain.h"
#include "cert/inspection_products.h"
#include "cert/trust_history.h"
#include "report/json.h"
#include "report/report.h"
#include "scratch.h"

#define MAX_DER 8192

struct blob {
	uint8_t p[MAX_DER];
	size_t n;
};

/* A chain as the TLS layer hands it over, with its own storage. */
struct chain {
	struct blob b[TLS_HS_MAX_CERTS];
	struct tls_certificate tc;
};

static const char *
top(void)
{
	const char *t = getenv("top_srcdir");

	return t != NULL ? t : ".";
}

static void
path_of(char *buf, size_t len, const char *rel)
{
	snprintf(buf, len, "%s/%s", top(), rel);
}

static ta_time
at(int y, int mo, int d, int h, int mi, int s)
{
	struct tm tm;

	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	return (ta_time)timegm(&tm) * TA_NS_PER_SEC;
}

static int64_t
secs(int y, int mo, int d, int h, int mi, int s)
{
	return (int64_t)(at(y, mo, d, h, mi, s) / TA_NS_PER_SEC);
}

/* A PEM fixture of tests/pki/ as DER. */
static void
load_pem(struct blob *b, const char *name)
{
	char path[1024];
	FILE *f;
	X509 *x;
	unsigned char *p = b->p;
	int n;

	snprintf(path, sizeof path, "%s/tests/pki/%s.pem", top(), name);
	f = fopen(path, "r");
	assert_non_null(f);
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(x);
	n = i2d_X509(x, NULL);
	assert_true(n > 0 && n <= MAX_DER);
	n = i2d_X509(x, &p);
	b->n = (size_t)n;
	X509_free(x);
}

static void
load_der(struct blob *b, const char *path)
{
	FILE *f = fopen(path, "rb");

	assert_non_null(f);
	b->n = fread(b->p, 1, MAX_DER, f);
	fclose(f);
	assert_true(b->n > 0 && b->n < MAX_DER);
}

static void
seal(struct chain *c, uint16_t n)
{
	memset(&c->tc, 0, sizeof c->tc);
	for (uint16_t i = 0; i < n; i++) {
		c->tc.der[i].p = c->b[i].p;
		c->tc.der[i].n = c->b[i].n;
		c->tc.total += c->b[i].n;
	}
	c->tc.count = n;
}

/* make(&c, "leaf", "inter", NULL) */
static struct chain *
make(const char *first, ...)
{
	struct chain *c = calloc(1, sizeof *c);
	va_list ap;
	uint16_t n = 0;

	assert_non_null(c);
	va_start(ap, first);
	for (const char *s = first; s != NULL; s = va_arg(ap, const char *))
		load_pem(&c->b[n++], s);
	va_end(ap);
	seal(c, n);
	return c;
}

static struct certchain *
ctx_with(const char *bundle, const char *inspection, bool no_system)
{
	struct certchain_cfg cfg;
	char b[1024], i[1024], err[CERTCHAIN_ERR_LEN];
	struct certchain *ctx;

	memset(&cfg, 0, sizeof cfg);
	cfg.no_system_ca = no_system;
	if (bundle != NULL) {
		snprintf(b, sizeof b, "%s/tests/pki/%s", top(), bundle);
		cfg.ca_bundle = b;
	}
	if (inspection != NULL) {
		snprintf(i, sizeof i, "%s/tests/pki/%s", top(), inspection);
		cfg.inspection_ca = i;
	}
	ctx = certchain_new(&cfg, err);
	if (ctx == NULL)
		fail_msg("certchain_new: %s", err);
	return ctx;
}

/* The usual client: trusts Test Root CA only. */
static struct certchain *
ctx_root(void)
{
	return ctx_with("root.pem", NULL, true);
}

static void
analyse(struct certchain *ctx, const struct chain *c, const char *sni,
        ta_time t, struct cert_facts *f)
{
	memset(f, 0xa5, sizeof *f);
	f->frame = TA_FRAME(0, 12);
	certchain_analyse(ctx, &c->tc, sni, t, f);
	assert_int_equal(TA_FRAME_NO(f->frame), 12);
	assert_true(f->visible);
}

/* Does one of the evidence lines contain text? */
static bool
evidence_has(const struct cert_facts *f, ta_time t, const char *text)
{
	char lines[16][CERT_EVIDENCE_LEN];
	unsigned n = certchain_evidence(f, t, lines, 16);

	for (unsigned i = 0; i < n; i++)
		if (strstr(lines[i], text) != NULL)
			return true;
	for (unsigned i = 0; i < n; i++)
		print_message("# evidence: %s\n", lines[i]);
	return false;
}

static void
sha256_hex(const struct blob *b, char out[65])
{
	uint8_t md[32];
	unsigned int len = 0;

	assert_int_equal(EVP_Digest(b->p, b->n, md, &len, EVP_sha256(), NULL), 1);
	for (unsigned i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* A time when every fixture of the main PKI is valid. */
static ta_time t2025;

static int
setup(void **state)
{
	char file[1024], dir[1024];

	(void)state;
	/* The "system store" of these tests: Test Root CA alone. */
	path_of(file, sizeof file, "tests/pki/root.pem");
	path_of(dir, sizeof dir, "tests/pki/no-such-directory");
	setenv("SSL_CERT_FILE", file, 1);
	setenv("SSL_CERT_DIR", dir, 1);
	t2025 = at(2025, 6, 1, 0, 0, 0);
	return 0;
}

/* ---- capture-time trust (data/trust-history) ---- */

static unsigned warnings;
static char last_warning[512];

static void
count_warning(void *arg, const char *msg)
{
	(void)arg;
	warnings++;
	snprintf(last_warning, sizeof last_warning, "%s", msg);
}

/*
 * A client of the past: this machine's store holds only an unrelated root
 * (other.pem), the history dir lists Test Root CA in Mozilla's store from
 * 2020-01-01 to 2025-01-01 (tests/pki/mkextra). no_system: as
 * --no-system-ca with --ca-bundle other.pem.
 */
static struct certchain *
ctx_history(const char *dir, bool no_system)
{
	struct certchain_cfg cfg;
	char file[1024], hist[1024], bundle[1024], err[CERTCHAIN_ERR_LEN];
	struct certchain *ctx;

	memset(&cfg, 0, sizeof cfg);
	path_of(file, sizeof file, "tests/pki/other.pem");
	setenv("SSL_CERT_FILE", file, 1);
	if (dir != NULL && strncmp(dir, "tests/", 6) == 0) {
		path_of(hist, sizeof hist, dir);
		cfg.trust_history = hist;
	} else {
		cfg.trust_history = dir;
	}
	if (no_system) {
		cfg.no_system_ca = true;
		path_of(bundle, sizeof bundle, "tests/pki/other.pem");
		cfg.ca_bundle = bundle;
	}
	cfg.warn = count_warning;
	ctx = certchain_new(&cfg, err);
	path_of(file, sizeof file, "tests/pki/root.pem");
	setenv("SSL_CERT_FILE", file, 1);
	if (ctx == NULL)
		fail_msg("certchain_new: %s", err);
	return ctx;
}

static void
test_history_dates(void **state)
{
	int64_t t;

	(void)state;
	assert_true(trust_history_parse_date("2011-12-28", 10, &t));
	assert_int_equal(t, 1325030400);
	assert_true(trust_history_parse_date("2020-02-29", 10, &t));
	assert_false(trust_history_parse_date("2019-02-29", 10, &t));
	assert_false(trust_history_parse_date("2019-13-01", 10, &t));
	assert_false(trust_history_parse_date("2019-1-01", 9, &t));
	assert_false(trust_history_parse_date("2019/01/01", 10, &t));
	assert_true(trust_history_parse_time("2021-09-30T14:01:15Z", 20, &t));
	assert_int_equal(t, 1633010475);
	assert_false(trust_history_parse_time("2021-09-30 14:01:15Z", 20, &t));
	assert_false(trust_history_parse_time("2021-09-30T24:01:15Z", 20, &t));
}


/* A root of the history's first bundle may be older in the store: its
 * first interval is open towards the past; a later interval is not. */
static void
test_history_since_start(void **state)
{
	struct th_root r;
	int64_t from = secs(2020, 1, 1, 0, 0, 0), to = secs(2025, 1, 1, 0, 0, 0);

	(void)state;
	memset(&r, 0, sizeof r);
	r.niv = 1;
	r.iv[0].from = from;
	r.iv[0].to = to;
	assert_null(trust_history_interval(&r, secs(2010, 6, 1, 0, 0, 0)));
	r.iv[0].since_start = true;
	assert_ptr_equal(trust_history_interval(&r, secs(2010, 6, 1, 0, 0, 0)),
	                 &r.iv[0]);
	/* The end stays where it is. */
	assert_null(trust_history_interval(&r, secs(2026, 1, 1, 0, 0, 0)));
}

/*
 * The shipped history is read without decoding its roots: a chain's
 * candidates are the roots named as its issuers (here a root itself, so its
 * own subject), and only those are decoded, once a store of a date holds
 * them. An issuer no root has gives none.
 */
static void
test_history_lazy_roots(void **state)
{
	char dir[1024], pem[1100], err[TH_ERR_LEN];
	struct trust_history *th;
	uint64_t cand[TH_SET_WORDS], none[TH_SET_WORDS];
	const struct th_root *r;
	unsigned char *der = NULL;
	const uint8_t *views[1];
	size_t lens[1], bits = 0;
	X509_STORE *store;
	X509 *x;
	FILE *f;
	uint32_t id;
	bool first;
	int len;

	(void)state;
	path_of(dir, sizeof dir, "data/trust-history");
	snprintf(pem, sizeof pem, "%s/roots.pem", dir);
	th = trust_history_new(dir);
	assert_non_null(th);
	assert_true(trust_history_load(th, err, &first));
	assert_true(first);
	assert_int_equal(trust_history_decoded(th), 0);

	f = fopen(pem, "r");
	assert_non_null(f);
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(x);
	len = i2d_X509(x, &der);
	assert_true(len > 0);
	views[0] = der;
	lens[0] = (size_t)len;
	trust_history_candidates(th, views, lens, 1, cand);
	for (unsigned w = 0; w < TH_SET_WORDS; w++)
		bits += (size_t)__builtin_popcountll(cand[w]);
	/* This root, and at most a few others of the same name. */
	assert_true(bits >= 1 && bits <= 4);
	assert_int_equal(trust_history_decoded(th), 0);

	r = trust_history_find(th, x);
	assert_non_null(r);
	assert_true(r->niv > 0);
	store = trust_history_store_at(th, r->iv[0].from + 86400, cand, &id);
	assert_non_null(store);
	assert_true(id != 0);
	assert_true(trust_history_decoded(th) >= 1);
	assert_true(trust_history_decoded(th) <= bits);
	assert_true(sk_X509_OBJECT_num(X509_STORE_get0_objects(store)) >= 1);

	/* A certificate of this project's test PKI: no Mozilla root issued
	 * it, so nothing is a candidate and no store is made. */
	{
		struct chain *c = make("leaf", "inter", NULL);

		views[0] = c->tc.der[0].p;
		lens[0] = c->tc.der[0].n;
		trust_history_candidates(th, views, lens, 1, none);
		for (unsigned w = 0; w < TH_SET_WORDS; w++)
			assert_int_equal(none[w], 0);
		assert_null(trust_history_store_at(th, r->iv[0].from + 86400,
		                                   none, &id));
		free(c);
	}
	/* Bytes that are no certificate mark nothing either. */
	views[0] = (const uint8_t *)"\x30\x03\x02\x01\x00";
	lens[0] = 5;
	trust_history_candidates(th, views, lens, 1, none);
	for (unsigned w = 0; w < TH_SET_WORDS; w++)
		assert_int_equal(none[w], 0);

	OPENSSL_free(der);
	X509_free(x);
	trust_history_free(th);
}

/* A chain that fails here for want of a root verifies against the roots
 * of its date: within the interval, within the slack after the removal,
 * not after it. */
static void
test_capture_time_trust(void **state)
{
	struct certchain *ctx = ctx_history("tests/pki/trust-history", false);
	struct chain *c = make("leaf", "inter", NULL);
	struct cert_facts f;
	ta_time t2024 = at(2024, 6, 1, 0, 0, 0);
	ta_time slack = at(2025, 4, 1, 0, 0, 0);
	ta_time late = at(2026, 1, 1, 0, 0, 0);

	(void)state;
	warnings = 0;
	analyse(ctx, c, "imap.test.example", t2024, &f);
	assert_false(f.verify_ok);
	assert_int_equal(f.verify_code, 20);
	assert_int_equal(f.here_problem, CERT_PROBLEM_UNTRUSTED);
	assert_true(f.history_tried);
	assert_true(f.trusted_then);
	assert_int_equal(f.problem, CERT_PROBLEM_NONE);
	assert_string_equal(f.then_root, "Test Root CA");
	assert_int_equal(f.then_from, secs(2020, 1, 1, 0, 0, 0));
	assert_int_equal(f.then_to, secs(2025, 1, 1, 0, 0, 0));
	assert_null(f.history_error);
	assert_true(evidence_has(&f, t2024, "Test Root CA was in Mozilla's "
	                         "store from 2020-01-01 to 2025-01-01; this "
	                         "capture is from 2024-06-01: clients of that "
	                         "time trusted it (not in this machine's store)"));
	certchain_release(ctx, &f);

	analyse(ctx, c, "imap.test.example", slack, &f);
	assert_true(f.trusted_then);
	assert_true(evidence_has(&f, slack, "after its removal"));
	certchain_release(ctx, &f);

	analyse(ctx, c, "imap.test.example", late, &f);
	assert_true(f.history_tried);
	assert_false(f.trusted_then);
	assert_int_equal(f.problem, CERT_PROBLEM_UNTRUSTED);
	certchain_release(ctx, &f);

	/* The same date again: the cached answer is the same. */
	analyse(ctx, c, "imap.test.example", t2024, &f);
	assert_true(f.trusted_then);
	certchain_release(ctx, &f);
	assert_int_equal(warnings, 0);
	certchain_free(ctx);
	free(c);
}

/* Along the path of that date: an expired leaf is expired, a name not
 * covered is still not covered, a missing intermediate is still missing;
 * a chain that verifies here is not looked up, nor one under
 * --no-system-ca. */
static void
test_capture_time_problems(void **state)
{
	struct certchain *ctx = ctx_history("tests/pki/trust-history", false);
	struct certchain *nosys = ctx_history("tests/pki/trust-history", true);
	struct chain *expired = make("expired", "inter", NULL);
	struct chain *wrong = make("wrongname", "inter", NULL);
	struct chain *alone = make("leaf", NULL);
	struct chain *other = make("other", NULL);
	struct cert_facts f;
	ta_time t2022 = at(2022, 6, 1, 0, 0, 0);
	ta_time t2024 = at(2024, 6, 1, 0, 0, 0);

	(void)state;
	analyse(ctx, expired, "imap.test.example", t2022, &f);
	assert_true(f.trusted_then);
	assert_int_equal(f.problem, CERT_PROBLEM_EXPIRED);
	assert_int_equal(f.time_problem, CERT_PROBLEM_EXPIRED);
	assert_int_equal(f.time_cert, 0);
	certchain_release(ctx, &f);

	analyse(ctx, wrong, "imap.test.example", t2024, &f);
	assert_true(f.trusted_then);
	assert_int_equal(f.problem, CERT_PROBLEM_NAME_MISMATCH);
	certchain_release(ctx, &f);

	analyse(ctx, alone, "imap.test.example", t2024, &f);
	assert_true(f.history_tried);
	assert_false(f.trusted_then);
	assert_int_equal(f.problem, CERT_PROBLEM_INCOMPLETE);
	certchain_release(ctx, &f);

	/* other.pem is this machine's root here: verifies, no history. */
	analyse(ctx, other, NULL, t2024, &f);
	assert_false(f.history_tried);
	certchain_release(ctx, &f);

	analyse(nosys, wrong, "imap.test.example", t2024, &f);
	assert_false(f.history_tried);
	assert_false(f.trusted_then);
	assert_int_equal(f.problem, CERT_PROBLEM_NAME_MISMATCH);
	certchain_release(nosys, &f);
	certchain_free(ctx);
	certchain_free(nosys);
	free(expired);
	free(wrong);
	free(alone);
	free(other);
}

static void
write_file(const char *dir, const char *name, const char *text)
{
	char path[1024];
	FILE *fp;

	scratch_path(dir, path, sizeof path, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

static char *
read_all(const char *rel)
{
	char path[1024];
	FILE *fp;
	char *buf = calloc(1, 1 << 20);
	size_t n;

	assert_non_null(buf);
	path_of(path, sizeof path, rel);
	fp = fopen(path, "r");
	assert_non_null(fp);
	n = fread(buf, 1, (1 << 20) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

/* One history, analysed twice: the error it gives, said once. */
static void
expect_refused(const char *dir, const char *csv, const char *pem,
               const char *why)
{
	struct certchain *ctx;
	struct chain *c = make("leaf", "inter", NULL);
	struct cert_facts f;
	ta_time t2024 = at(2024, 6, 1, 0, 0, 0);

	write_file(dir, "roots.csv", csv);
	write_file(dir, "roots.pem", pem);
	ctx = ctx_history(dir, false);
	warnings = 0;
	analyse(ctx, c, "imap.test.example", t2024, &f);
	assert_true(f.history_tried);
	assert_false(f.trusted_then);
	assert_non_null(f.history_error);
	if (strstr(f.history_error, why) == NULL)
		fail_msg("history error \"%s\" lacks \"%s\"", f.history_error,
		         why);
	assert_int_equal(f.problem, CERT_PROBLEM_UNTRUSTED);
	assert_true(evidence_has(&f, t2024, "history could not be read"));
	certchain_release(ctx, &f);
	analyse(ctx, c, "imap.test.example", t2024, &f);
	assert_non_null(f.history_error);
	certchain_release(ctx, &f);
	assert_int_equal(warnings, 1);
	assert_non_null(strstr(last_warning, why));
	certchain_free(ctx);
	free(c);
}

/* Fail-closed: any bad line refuses the whole history, naming the file
 * and the line; the good copy of the same files is used. */
static void
test_history_fail_closed(void **state)
{
	char dir[256], *csv, *pem, *bad, *p;
	size_t hl;

	(void)state;
	assert_int_equal(scratch_make(dir, sizeof dir, "test_history"), 0);
	csv = read_all("tests/pki/trust-history/roots.csv");
	pem = read_all("tests/pki/trust-history/roots.pem");
	bad = calloc(1, 1 << 20);
	assert_non_null(bad);
	hl = (size_t)(strchr(csv, '\n') - csv) + 1;

	/* the good copy works */
	{
		struct certchain *ctx;
		struct chain *c = make("leaf", "inter", NULL);
		struct cert_facts f;

		write_file(dir, "roots.csv", csv);
		write_file(dir, "roots.pem", pem);
		ctx = ctx_history(dir, false);
		analyse(ctx, c, "imap.test.example", at(2024, 6, 1, 0, 0, 0), &f);
		assert_true(f.trusted_then);
		certchain_release(ctx, &f);
		certchain_free(ctx);
		free(c);
	}
	/* another header */
	snprintf(bad, 1 << 20, "name,%s", csv);
	expect_refused(dir, bad, pem, "roots.csv line 1: not the header");
	/* a field short */
	snprintf(bad, 1 << 20, "%.*sTest Root CA,2020-01-01\n", (int)hl, csv);
	expect_refused(dir, bad, pem, "roots.csv line 2: 2 fields, not 16");
	/* a stray quote */
	snprintf(bad, 1 << 20, "%s\"x,y\n", csv);
	expect_refused(dir, bad, pem, "roots.csv line 3: a quote out of place");
	/* a month 13 in the intervals */
	snprintf(bad, 1 << 20, "%s", csv);
	p = strstr(bad, "2020-01-01/2025-01-01");
	assert_non_null(p);
	memcpy(p + 16, "13", 2);
	expect_refused(dir, bad, pem, "roots.csv line 2: trusted_intervals");
	/* a hash in capitals */
	snprintf(bad, 1 << 20, "%s", csv);
	p = strstr(bad + hl, "Z,");
	p = strstr(p + 2, "Z,") + 2;
	*p = (char)(*p >= 'a' ? *p - 'a' + 'A' : 'G');
	expect_refused(dir, bad, pem, "roots.csv line 2: sha256");
	/* no certificate for the line */
	expect_refused(dir, csv, "", "roots.csv line 2: its certificate is "
	               "not in roots.pem");
	/* a certificate no line names */
	{
		char *more = read_all("tests/pki/other.pem");

		snprintf(bad, 1 << 20, "%s%s", pem, more);
		expect_refused(dir, csv, bad, "roots.pem: certificate 2: its "
		               "sha256 is not in roots.csv");
		free(more);
	}
	/* garbage after the certificates */
	snprintf(bad, 1 << 20, "%s-----BEGIN CERTIFICATE-----\nbm90\n"
	         "-----END CERTIFICATE-----\n", pem);
	expect_refused(dir, csv, bad, "roots.pem: after certificate 1");
	scratch_remove(dir);
	/* a directory without the files */
	{
		struct certchain *ctx = ctx_history("tests/pki/no-such-history",
		                                    false);
		struct chain *c = make("leaf", "inter", NULL);
		struct cert_facts f;

		warnings = 0;
		analyse(ctx, c, "imap.test.example", at(2024, 6, 1, 0, 0, 0), &f);
		assert_non_null(f.history_error);
		assert_non_null(strstr(f.history_error, "roots.csv: No such file"));
		assert_int_equal(warnings, 1);
		certchain_release(ctx, &f);
		certchain_free(ctx);
		free(c);
	}
	free(csv);
	free(pem);
	free(bad);
}

/* Explicit EC parameters (CVE-2020-0601's form) are a finding, said in
 * the evidence and the JSON; a named curve is not. */
static void
test_explicit_ec(void **state)
{
	struct certchain *ctx = ctx_root();
	struct chain *ex = make("explicit-ec", NULL);
	struct chain *named = make("ec256", "inter", NULL);
	struct cert_facts f;

	(void)state;
	analyse(ctx, ex, NULL, t2025, &f);
	assert_true(f.findings & CERT_F_EXPLICIT_EC);
	assert_int_equal(f.chain->explicit_ec_cert, 0);
	assert_true(evidence_has(&f, t2025, "CVE-2020-0601"));
	certchain_release(ctx, &f);
	analyse(ctx, named, "imap.test.example", t2025, &f);
	assert_false(f.findings & CERT_F_EXPLICIT_EC);
	assert_int_equal(f.chain->explicit_ec_cert, -1);
	certchain_release(ctx, &f);
	certchain_free(ctx);
	free(ex);
	free(named);
}

/* ---- classifications ---- */

static void
test_valid_chain(void **state)
{
	struct certchain *ctx = ctx_root();
	struct chain *c = make("leaf", "inter", NULL);
	struct cert_facts f;
	const struct cert_desc *leaf, *inter;
	char hex[65];

	(void)state;
	analyse(ctx, c, "imap.test.example", t2025, &f);
	assert_true(f.verify_ok);
	assert_int_equal(f.verify_code, 0);
	assert_string_equal(f.verify_reason, "ok");
	assert_int_equal(f.problem, CERT_PROBLEM_NONE);
	assert_int_equal(f.problem_cert, -1);
	assert_int_equal(f.findings, 0);
	assert_false(f.intercepted);
	assert_non_null(f.chain);
	assert_int_equal(f.chain->count, 2);
	assert_int_equal(f.chain->nchain, 2);
	assert_string_equal(f.chain->name, "imap.test.example");
	assert_true(f.chain->name_from_sni);
	assert_true(f.chain->name_covered);
	assert_string_equal(f.chain->anchor, "CN=Test Root CA,O=tlsautopsy test");

	leaf = &f.chain->chain[0];
	inter = &f.chain->chain[1];
	assert_true(leaf->parsed);
	assert_string_equal(leaf->subject, "CN=imap.test.example");
	assert_string_equal(leaf->issuer, "CN=Test Issuing CA 1,O=tlsautopsy test");
	assert_int_equal(leaf->not_before, secs(2024, 1, 1, 0, 0, 0));
	assert_int_equal(leaf->not_after, secs(2034, 1, 1, 0, 0, 0));
	assert_int_equal(leaf->nsan, 3);
	assert_string_equal(leaf->san[0], "imap.test.example");
	assert_string_equal(leaf->san[1], "mail.test.example");
	assert_string_equal(leaf->san[2], "198.51.100.7");
	assert_string_equal(leaf->key, "RSA 2048");
	assert_string_equal(leaf->sig_alg, "sha256WithRSAEncryption");
	assert_false(leaf->is_ca);
	assert_int_equal(leaf->pathlen, -1);
	assert_false(leaf->self_signed);
	assert_true(strlen(leaf->serial) > 0);
	assert_int_equal(strspn(leaf->serial, "0123456789abcdef"), strlen(leaf->serial));
	sha256_hex(&c->b[0], hex);
	assert_string_equal(leaf->sha256, hex);
	assert_int_equal(strlen(leaf->ski), 40);
	assert_string_equal(leaf->aki, inter->ski);
	assert_true(inter->is_ca);
	assert_int_equal(inter->pathlen, 0);
	assert_string_equal(inter->subject, "CN=Test Issuing CA 1,O=tlsautopsy test");
	/* The name each is for: the first dNSName, else (no SAN) the CN. */
	assert_string_equal(leaf->dns_name, "imap.test.example");
	assert_string_equal(inter->dns_name, "Test Issuing CA 1");
	assert_true(evidence_has(&f, t2025, "frame 12: the chain verifies to "
	                         "CN=Test Root CA,O=tlsautopsy test and covers "
	                         "imap.test.example"));
	certchain_release(ctx, &f);
	assert_null(f.chain);
	certchain_free(ctx);
	free(c);
}

/* Valid when captured, expired now: the capture time decides. */
static void
test_capture_time(void **state)
{
	struct certchain *ctx = ctx_root();
	struct chain *c = make("expired", "inter", NULL);
	struct cert_facts then, later;
	struct certchain_stats st;
	ta_time t_then = at(2020, 6, 1, 0, 0, 0), t_later = at(2026, 1, 1, 0, 0, 0);

	(void)state;
	analyse(ctx, c, "imap.test.example", t_then, &then);
	assert_true(then.verify_ok);
	assert_int_equal(then.problem, CERT_PROBLEM_NONE);

	analyse(ctx, c, "imap.test.example", t_later, &later);
	assert_false(later.verify_ok);
	assert_int_equal(later.problem, CERT_PROBLEM_EXPIRED);
	assert_int_equal(later.problem_cert, 0);
	assert_int_equal(later.verify_code, 10);
	assert_string_equal(later.verify_reason, "certificate has expired");
	assert_int_equal(later.problem_time, secs(2021, 1, 1, 0, 0, 0));
	assert_int_equal(later.time, t_later);
	assert_int_equal(then.time, t_then);
	assert_true(evidence_has(&later, t_later, "frame 12: certificate 1 "
	                         "(CN=imap.test.example) expired 2021-01-01 00:00 "
	                         "UTC, 1826 days before the capture"));
	/* the same chain, judged twice, verified once */
	assert_ptr_equal(then.chain, later.chain);
	certchain_get_stats(ctx, &st);
	assert_int_equal(st.verifications, 1);
	assert_int_equal(st.hits, 1);
	certchain_release(ctx, &then);
	certchain_release(ctx, &later);
	certchain_free(ctx);
	free(c);
}

static void
test_not_yet_valid(void **state)
{
	struct certchain *ctx = ctx_root();
	struct chain *c = make("notyet", "inter", NULL);
	struct cert_facts f;
	ta_time t = at(2039, 12, 31, 0, 0, 0);

	(void)state;
	analyse(ctx, c, "imap.test.example", t, &f);
	assert_int_equal(f.problem, CERT_PROBLEM_NOT_YET_VALID);
	assert_int_equal(f.problem_cert, 0);
	assert_int_equal(f.verify_code, 9);
	assert_int_equal(f.problem_time, secs(2040, 1, 1, 0, 0, 0));
	assert_true(evidence_has(&f, t, "certificate 1 (CN=imap.test.example) is "
	                         "valid only from 2040-01-01 00:00 UTC, 24 hours "
	                         "after the capture"));
	certchain_release(ctx, &f);
	analyse(ctx, c, "imap.test.example", at(2040, 6, 1, 0, 0, 0), &f);
	assert_true(f.verify_ok);
	certchain_release(ctx, &f);
	certchain_free(ctx);
	free(c);
}

static void
test_incomplete(void **state)
{
	struct certchain *ctx = ctx_root();
	struct chain *alone = make("leaf", NULL);
	struct chain *wrong = make("leaf", "other", NULL);
	struct cert_facts f;

	(void)state;
	analyse(ctx, alone, "imap.test.example", t2025, &f);
	assert_false(f.verify_ok);
	assert_int_equal(f.problem, CERT_PROBLEM_INCOMPLETE);
	assert_int_equal(f.problem_cert, 0);
	assert_int_equal(f.verify_code, 20);
	assert_true(evidence_has(&f, t2025, "frame 12: the server sent only its "
	                         "own certificate (CN=imap.test.example, issued by "
	                         "CN=Test Issuing CA 1,O=tlsautopsy test); the "
	                         "intermediate is missing"));
	certchain_release(ctx, &f);

	/* something else sent along: still the issuer is missing */
	analyse(ctx, wrong, "imap.test.example", t2025, &f);
	assert_int_equal(f.problem, CERT_PROBLEM_INCOMPLETE);
	assert_true(evidence_has(&f, t2025, "the server sent 2 certificates, none "
	                         "of them the issuer of its own"));
	certchain_release(ctx, &f);
	certchain_free(ctx);
	free(alone);
	free(wrong);
}

static void
test_name_mismatch(void **state)
{
	struct certchain *ctx = ctx_root();
	struct chain *c = make("wrongname", "inter", NULL);
	struct cert_facts f;

	(void)state;
	analyse(ctx, c, "imap.test.example", t2025, &f);
	assert_false(f.verify_ok);
	assert_int_equal(f.problem, CERT_PROBLEM_NAME_MISMATCH);
	assert_int_equal(f.verify_code, 62);
	assert_false(f.chain->name_covered);
	assert_true(evidence_has(&f, t2025, "frame 12: the client asked for "
	                         "imap.test.example; the certificate covers "
	                         "mail.other.example, *.other.example"));
	certchain_release(ctx, &f);

	/* the wildcard covers one label */
	analyse(ctx, c, "imap.other.example", t2025, &f);
	assert_true(f.verify_ok);
	certchain_release(ctx, &f);
	analyse(ctx, c, "a.b.other.example", t2025, &f);
	assert_int_equal(f.problem, CERT_PROBLEM_NAME_MISMATCH);
	certchain_release(ctx, &f);
	certchain_free(ctx);
	free(c);
}

/* --server-name when the client sent no SNI; an IP address too. */
static void
test_server_name(void **state)
{
	struct certchain_cfg cfg;
	char b[1024], err[CERTCHAIN_ERR_LEN];
	struct certchain *ctx;
	struct chain *c = make("leaf", "inter", NULL);
	struct cert_facts f;

	(void)state;
	memset(&cfg, 0, sizeof cfg);
	path_of(b, sizeof b, "tests/pki/root.pem");
	cfg.ca_bundle = b;
	cfg.no_system_ca = true;
	cfg.server_name = "198.51.100.7";
	ctx = certchain_new(&cfg, err);
	assert_non_null(ctx);
	analyse(ctx, c, NULL, t2025, &f);
	assert_true(f.verify_ok);
	assert_string_equal(f.chain->name, "198.51.100.7");
	assert_false(f.chain->name_from_sni);
	certchain_release(ctx, &f);
	analyse(ctx, c, "", t2025, &f);
	assert_string_equal(f.chain->name, "198.51.100.7");
	/* the same name from the SNI is another cache entry */
	{
		struct cert_facts g;
		struct certchain_stats st;

		analyse(ctx, c, "198.51.100.7", t2025, &g);
		assert_true(g.chain->name_from_sni);
		assert_ptr_not_equal(g.chain, f.chain);
		certchain_get_stats(ctx, &st);
		assert_int_equal(st.verifications, 2);
		certchain_release(ctx, &g);
	}
	certchain_release(ctx, &f);
	/* the SNI wins over --server-name */
	analyse(ctx, c, "mail.other.example", t2025, &f);
	assert_int_equal(f.problem, CERT_PROBLEM_NAME_MISMATCH);
	assert_true(evidence_has(&f, t2025, "the client asked for mail.other.example"));
	certchain_release(ctx, &f);
	certchain_free(ctx);

	cfg.server_name = "198.51.100.8";
	ctx = certchain_new(&cfg, err);
	assert_non_null(ctx);
	analyse(ctx, c, NULL, t2025, &f);
	assert_int_equal(f.problem, CERT_PROBLEM_NAME_MISMATCH);
	assert_int_equal(f.verify_code, 64);
	assert_true(evidence_has(&f, t2025, "the name given by --server-name is "
	                         "198.51.100.8; the certificate covers "
	                         "imap.test.example, mail.test.example, 198.51.100.7"));
	certchain_release(ctx, &f);
	certchain_free(ctx);
	free(c);
}

static void
test_no_name(void **state)
{
	struct certchain *ctx = ctx_root();
	struct chain *c = make("leaf", "inter", NULL);
	struct cert_facts f;

	(void)state;
	analyse(ctx, c, NULL, t2025, &f);
	assert_true(f.verify_ok);
	assert_int_equal(f.findings, CERT_F_NO_NAME);
	assert_string_equal(f.chain->name, "");
	assert_true(evidence_has(&f, t2025, "the client sent no SNI and no "
	                         "--server-name was given"));
	certchain_release(ctx, &f);
	certchain_free(ctx);
	free(c);
}

static void
test_self_signed(void **state)
{
	struct certchain *ctx = ctx_root();
	struct certchain *trusting = ctx_with("selfsigned.pem", NULL, true);
	struct chain *c = make("selfsigned", NULL);
	struct cert_facts f;

	(void)state;
	analyse(ctx, c, "imap.test.example", t2025, &f);
	assert_int_equal(f.problem, CERT_PROBLEM_SELF_SIGNED);
	assert_int_equal(f.problem_cert, 0);
	assert_int_equal(f.verify_code, 18);
	assert_true(f.chain->chain[0].self_signed);
	assert_true(evidence_has(&f, t2025, "the server's certificate "
	                         "(CN=imap.test.example) is self-signed"));
	/* a self-signed leaf is no interception signal, fresh or not */
	assert_false(f.intercepted);
	certchain_release(ctx, &f);
	analyse(trusting, c, "imap.test.example", t2025, &f);
	assert_true(f.verify_ok);
	certchain_release(trusting, &f);
	certchain_free(ctx);
	certchain_free(trusting);
	free(c);
}

static void
test_untrusted(void **state)
{
	struct certchain *ctx = ctx_with("other.pem", NULL, true);
	struct chain *c = make("leaf", "inter", NULL);
	struct chain *with_root = make("leaf", "inter", "root", NULL);
	struct cert_facts f;

	(void)state;
	analyse(ctx, c, "imap.test.example", t2025, &f);
	assert_int_equal(f.problem, CERT_PROBLEM_UNTRUSTED);
	assert_int_equal(f.problem_cert, 1);
	assert_int_equal(f.verify_code, 20);
	assert_string_equal(f.chain->anchor, "");
	assert_true(evidence_has(&f, t2025, "the chain ends at certificate 2 "
	                         "(CN=Test Issuing CA 1,O=tlsautopsy test), issued "
	                         "by CN=Test Root CA,O=tlsautopsy test, which is "
	                         "neither sent nor in the trust store"));
	certchain_release(ctx, &f);
	analyse(ctx, with_root, "imap.test.example", t2025, &f);
	assert_int_equal(f.problem, CERT_PROBLEM_UNTRUSTED);
	assert_int_equal(f.problem_cert, 2);
	assert_int_equal(f.verify_code, 19);
	assert_true(evidence_has(&f, t2025, "the chain ends in certificate 3 "
	                         "(CN=Test Root CA,O=tlsautopsy test), a root the "
	                         "server sent"));
	certchain_release(ctx, &f);
	certchain_free(ctx);
	free(c);
	free(with_root);
}

/* Expired beats untrusted and name mismatch (the most specific first). */
static void
test_priority(void **state)
{
	struct certchain *ctx = ctx_with("other.pem", NULL, true);
	struct chain *c = make("expired", "inter", NULL);
	struct cert_facts f;

	(void)state;
	analyse(ctx, c, "nowhere.example", at(2026, 1, 1, 0, 0, 0), &f);
	assert_int_equal(f.problem, CERT_PROBLEM_EXPIRED);
	/* OpenSSL reports the path error first */
	assert_int_equal(f.verify_code, 20);
	certchain_release(ctx, &f);
	certchain_free(ctx);
	free(c);
}

/* ---- findings ---- */

static void
test_weak_and_small(void **state)
{
	struct certchain *ctx = ctx_root();
	struct chain *sha1 = make("sha1", "inter", NULL);
	struct chain *r1024 = make("rsa1024", "inter", NULL);
	struct chain *ec192 = make("ec192", "inter", NULL);
	struct chain *ec256 = make("ec256", "inter", NULL);
	struct chain *root = make("leaf", "inter", "root", NULL);
	struct cert_facts f;

	(void)state;
	analyse(ctx, sha1, "imap.test.example", t2025, &f);
	assert_true(f.verify_ok);
	assert_int_equal(f.findings, CERT_F_WEAK_SIGNATURE);
	assert_int_equal(f.chain->weak_sig_cert, 0);
	assert_string_equal(f.chain->chain[0].sig_alg, "sha1WithRSAEncryption");
	assert_true(evidence_has(&f, t2025, "certificate 1 (CN=imap.test.example) "
	                         "is signed with sha1WithRSAEncryption"));
	certchain_release(ctx, &f);

	analyse(ctx, r1024, "imap.test.example", t2025, &f);
	assert_true(f.verify_ok);
	assert_int_equal(f.findings, CERT_F_SMALL_KEY);
	assert_string_equal(f.chain->chain[0].key, "RSA 1024");
	assert_true(evidence_has(&f, t2025, "has a small key (RSA 1024"));
	certchain_release(ctx, &f);

	analyse(ctx, ec192, "imap.test.example", t2025, &f);
	assert_int_equal(f.findings, CERT_F_SMALL_KEY);
	assert_string_equal(f.chain->chain[0].key, "EC 192 (prime192v1)");
	certchain_release(ctx, &f);

	analyse(ctx, ec256, "imap.test.example", t2025, &f);
	assert_true(f.verify_ok);
	assert_int_equal(f.findings, 0);
	assert_string_equal(f.chain->chain[0].key, "EC 256 (prime256v1)");
	assert_string_equal(f.chain->chain[0].sig_alg, "sha256WithRSAEncryption");
	certchain_release(ctx, &f);

	/* a root sent along: its own signature does not count */
	analyse(ctx, root, "imap.test.example", t2025, &f);
	assert_true(f.verify_ok);
	assert_int_equal(f.findings, 0);
	assert_true(f.chain->chain[2].self_signed);
	certchain_release(ctx, &f);
	certchain_free(ctx);
	free(sha1);
	free(r1024);
	free(ec192);
	free(ec256);
	free(root);
}

static void
test_expiring_soon(void **state)
{
	struct certchain *ctx = ctx_root();
	struct chain *c = make("leaf", "inter", NULL);
	struct cert_facts f;
	ta_time t = at(2033, 12, 25, 0, 0, 0);

	(void)state;
	analyse(ctx, c, "imap.test.example", t, &f);
	assert_true(f.verify_ok);
	assert_int_equal(f.findings, CERT_F_EXPIRING_SOON);
	assert_int_equal(f.expiring_cert, 0);
	assert_true(evidence_has(&f, t, "certificate 1 (CN=imap.test.example) "
	                         "expires 2034-01-01 00:00 UTC, 7 days after the "
	                         "capture"));
	certchain_release(ctx, &f);
	analyse(ctx, c, "imap.test.example", at(2033, 12, 17, 0, 0, 0), &f);
	assert_int_equal(f.findings, 0);
	certchain_release(ctx, &f);
	certchain_free(ctx);
	free(c);
}

/* ---- trust options ---- */

static void
test_trust_system(void **state)
{
	struct certchain *sys = ctx_with(NULL, NULL, false);
	struct certchain *none = ctx_with(NULL, NULL, true);
	struct chain *c = make("leaf", "inter", NULL);
	struct cert_facts f;

	(void)state;
	/* the system store (here: Test Root CA) */
	analyse(sys, c, "imap.test.example", t2025, &f);
	assert_true(f.verify_ok);
	assert_true(f.chain->public_issuer);
	assert_false(f.chain->interception.private_root);
	certchain_release(sys, &f);
	/* --no-system-ca and nothing else: nothing is trusted */
	analyse(none, c, "imap.test.example", t2025, &f);
	assert_int_equal(f.problem, CERT_PROBLEM_UNTRUSTED);
	/* still, it is a public CA's chain */
	assert_true(f.chain->public_issuer);
	certchain_release(none, &f);
	certchain_free(sys);
	certchain_free(none);
	free(c);
}

/*
 * With SSL_CERT_FILE unset (or naming the system bundle) and a hashed
 * certificate directory, the system store looks roots up there as chains
 * need them instead of parsing a whole bundle at start: the root is still
 * found. A directory without hash links is not used that way.
 */
static void
test_trust_system_hashed_dir(void **state)
{
	char file[1024], dir[1024], plain[1024];
	struct certchain *ctx;
	struct chain *c = make("leaf", "inter", NULL);
	struct cert_facts f;

	(void)state;
	path_of(file, sizeof file, "tests/pki/root.pem");
	path_of(dir, sizeof dir, "tests/pki/capath");
	path_of(plain, sizeof plain, "tests/pki");
	unsetenv("SSL_CERT_FILE");
	setenv("SSL_CERT_DIR", dir, 1);
	ctx = ctx_with(NULL, NULL, false);
	analyse(ctx, c, "imap.test.example", t2025, &f);
	assert_true(f.verify_ok);
	assert_true(f.chain->public_issuer);
	assert_string_equal(f.chain->anchor, "CN=Test Root CA,O=tlsautopsy test");
	certchain_release(ctx, &f);
	certchain_free(ctx);

	/* tests/pki holds root.pem but no hash link: the system's own
	 * bundle is read instead, and Test Root CA is not in it */
	setenv("SSL_CERT_DIR", plain, 1);
	ctx = ctx_with(NULL, NULL, false);
	analyse(ctx, c, "imap.test.example", t2025, &f);
	assert_false(f.verify_ok);
	certchain_release(ctx, &f);
	certchain_free(ctx);

	setenv("SSL_CERT_FILE", file, 1);
	path_of(dir, sizeof dir, "tests/pki/no-such-directory");
	setenv("SSL_CERT_DIR", dir, 1);
	free(c);
}

static void
test_trust_bundle_and_path(void **state)
{
	struct certchain_cfg cfg;
	char p[1024], err[CERTCHAIN_ERR_LEN];
	struct certchain *ctx;
	struct chain *c = make("leaf", "inter", NULL);
	struct chain *corp = make("forged", "corp", NULL);
	struct cert_facts f;

	(void)state;
	memset(&cfg, 0, sizeof cfg);
	cfg.no_system_ca = true;
	path_of(p, sizeof p, "tests/pki/capath");
	cfg.ca_path = p;
	ctx = certchain_new(&cfg, err);
	assert_non_null(ctx);
	analyse(ctx, c, "imap.test.example", t2025, &f);
	assert_true(f.verify_ok);
	assert_string_equal(f.chain->anchor, "CN=Test Root CA,O=tlsautopsy test");
	certchain_release(ctx, &f);
	certchain_free(ctx);

	/* --ca-bundle adds to the system store */
	ctx = ctx_with("corp.pem", NULL, false);
	analyse(ctx, c, "imap.test.example", t2025, &f);
	assert_true(f.verify_ok);
	assert_false(f.chain->interception.private_root);
	certchain_release(ctx, &f);
	analyse(ctx, corp, "imap.test.example", t2025, &f);
	assert_true(f.verify_ok);
	assert_false(f.chain->public_issuer);
	assert_true(f.chain->interception.private_root);
	certchain_release(ctx, &f);
	certchain_free(ctx);

	/* unusable options are errors that name the file */
	memset(&cfg, 0, sizeof cfg);
	cfg.ca_bundle = "no/such/bundle.pem";
	assert_null(certchain_new(&cfg, err));
	assert_non_null(strstr(err, "no/such/bundle.pem"));
	memset(&cfg, 0, sizeof cfg);
	path_of(p, sizeof p, "tests/pki/root.pem");
	cfg.ca_path = p;
	assert_null(certchain_new(&cfg, err));
	assert_non_null(strstr(err, "not a directory"));
	memset(&cfg, 0, sizeof cfg);
	cfg.inspection_ca = "no/such/corp.pem";
	assert_null(certchain_new(&cfg, err));
	assert_non_null(strstr(err, "no/such/corp.pem"));
	free(c);
	free(corp);
}

/* ---- DER that does not parse ---- */

static void
test_unparseable(void **state)
{
	struct certchain *ctx = ctx_root();
	struct chain *c = make("leaf", "inter", NULL);
	struct cert_facts f;
	struct blob keep = c->b[0];

	(void)state;
	/* garbage leaf */
	memset(c->b[0].p, 0x41, 64);
	c->b[0].n = 64;
	seal(c, 2);
	analyse(ctx, c, "imap.test.example", t2025, &f);
	assert_false(f.verify_ok);
	assert_int_equal(f.problem, CERT_PROBLEM_UNPARSEABLE);
	assert_int_equal(f.problem_cert, 0);
	assert_false(f.chain->chain[0].parsed);
	assert_int_equal(strlen(f.chain->chain[0].sha256), 64);
	assert_true(f.chain->chain[1].parsed);
	assert_true(evidence_has(&f, t2025, "does not parse as X.509 DER"));
	certchain_release(ctx, &f);

	/* truncated by one byte; one byte too many */
	c->b[0] = keep;
	c->b[0].n--;
	seal(c, 2);
	analyse(ctx, c, "imap.test.example", t2025, &f);
	assert_int_equal(f.problem, CERT_PROBLEM_UNPARSEABLE);
	certchain_release(ctx, &f);
	c->b[0] = keep;
	c->b[0].p[c->b[0].n++] = 0;
	seal(c, 2);
	analyse(ctx, c, "imap.test.example", t2025, &f);
	assert_int_equal(f.problem, CERT_PROBLEM_UNPARSEABLE);
	certchain_release(ctx, &f);

	/* a broken intermediate is left out: the chain is then incomplete */
	c->b[0] = keep;
	c->b[1].n = 10;
	seal(c, 2);
	analyse(ctx, c, "imap.test.example", t2025, &f);
	assert_int_equal(f.problem, CERT_PROBLEM_INCOMPLETE);
	assert_true(f.chain->chain[0].parsed);
	assert_false(f.chain->chain[1].parsed);
	assert_true(evidence_has(&f, t2025, "certificate 2 does not parse"));
	certchain_release(ctx, &f);

	/* an empty Certificate message */
	seal(c, 0);
	analyse(ctx, c, "imap.test.example", t2025, &f);
	assert_int_equal(f.problem, CERT_PROBLEM_OTHER);
	assert_false(f.verify_ok);
	assert_true(evidence_has(&f, t2025, "holds no certificate"));
	certchain_release(ctx, &f);
	certchain_free(ctx);
	free(c);
}

/* ---- the cache ---- */

static void
test_cache(void **state)
{
	struct certchain_cfg cfg;
	char b[1024], err[CERTCHAIN_ERR_LEN];
	struct certchain *ctx;
	struct chain *a = make("leaf", "inter", NULL);
	struct chain *w = make("wrongname", "inter", NULL);
	struct chain *s = make("selfsigned", NULL);
	struct cert_facts f1, f2, held;
	struct certchain_stats st;

	(void)state;
	memset(&cfg, 0, sizeof cfg);
	path_of(b, sizeof b, "tests/pki/root.pem");
	cfg.ca_bundle = b;
	cfg.no_system_ca = true;
	cfg.cache_size = 2;
	ctx = certchain_new(&cfg, err);
	assert_non_null(ctx);

	/* same chain and name: one verification, one shared chain */
	analyse(ctx, a, "imap.test.example", t2025, &f1);
	analyse(ctx, a, "imap.test.example", t2025, &f2);
	assert_ptr_equal(f1.chain, f2.chain);
	certchain_get_stats(ctx, &st);
	assert_int_equal(st.lookups, 2);
	assert_int_equal(st.hits, 1);
	assert_int_equal(st.verifications, 1);
	certchain_release(ctx, &f2);

	/* another name is another outcome */
	analyse(ctx, a, "mail.other.example", t2025, &f2);
	assert_ptr_not_equal(f1.chain, f2.chain);
	assert_int_equal(f2.problem, CERT_PROBLEM_NAME_MISMATCH);
	assert_int_equal(f1.problem, CERT_PROBLEM_NONE);
	certchain_get_stats(ctx, &st);
	assert_int_equal(st.verifications, 2);
	certchain_release(ctx, &f2);

	held = f1;
	memset(&f1, 0, sizeof f1);

	/* two more chains evict the oldest; the held one stays readable */
	analyse(ctx, w, "imap.test.example", t2025, &f2);
	certchain_release(ctx, &f2);
	analyse(ctx, s, "imap.test.example", t2025, &f2);
	certchain_release(ctx, &f2);
	certchain_get_stats(ctx, &st);
	assert_int_equal(st.entries, 2);
	assert_true(st.evictions >= 2);
	assert_string_equal(held.chain->chain[0].subject, "CN=imap.test.example");
	analyse(ctx, a, "imap.test.example", t2025, &f2);
	assert_ptr_not_equal(f2.chain, held.chain);
	assert_true(f2.verify_ok);
	certchain_get_stats(ctx, &st);
	assert_int_equal(st.verifications, 5);
	certchain_release(ctx, &f2);
	certchain_release(ctx, &held);
	certchain_free(ctx);
	free(a);
	free(w);
	free(s);
}

/*
 * The cache finds a chain by its bytes: a copy elsewhere in memory is a
 * hit, one changed byte (the last of a certificate) or another name a
 * miss. A chain too long to keep as bytes is found by
 * its SHA-256 the same way.
 */
static void
test_cache_key(void **state)
{
	struct certchain *ctx = ctx_with("root.pem", NULL, true);
	struct chain *a = make("leaf", "inter", NULL);
	struct chain *b = make("leaf", "inter", NULL);
	struct tls_certificate big;
	uint8_t *junk = malloc(70000);
	struct cert_facts f[6];
	struct certchain_stats st;

	(void)state;
	assert_non_null(ctx);
	assert_non_null(junk);
	analyse(ctx, a, "imap.test.example", t2025, &f[0]);
	analyse(ctx, b, "imap.test.example", t2025, &f[1]);
	assert_ptr_equal(f[0].chain, f[1].chain);
	b->b[1].p[b->b[1].n - 1] ^= 1;
	analyse(ctx, b, "imap.test.example", t2025, &f[2]);
	assert_ptr_not_equal(f[0].chain, f[2].chain);
	/* The same bytes without a name: judged apart. */
	certchain_analyse(ctx, &a->tc, NULL, t2025, &f[3]);
	assert_ptr_not_equal(f[0].chain, f[3].chain);
	certchain_get_stats(ctx, &st);
	assert_int_equal(st.hits, 1);
	assert_int_equal(st.verifications, 3);

	memset(junk, 0x30, 70000);
	memset(&big, 0, sizeof big);
	big.der[0].p = junk;
	big.der[0].n = 70000;
	big.count = 1;
	big.total = 70000;
	certchain_analyse(ctx, &big, "imap.test.example", t2025, &f[4]);
	assert_int_equal(f[4].problem, CERT_PROBLEM_UNPARSEABLE);
	certchain_analyse(ctx, &big, "imap.test.example", t2025, &f[5]);
	assert_ptr_equal(f[4].chain, f[5].chain);
	certchain_release(ctx, &f[5]);
	junk[69999] ^= 1;
	certchain_analyse(ctx, &big, "imap.test.example", t2025, &f[5]);
	assert_ptr_not_equal(f[4].chain, f[5].chain);
	certchain_get_stats(ctx, &st);
	assert_int_equal(st.hits, 2);
	assert_int_equal(st.verifications, 5);
	for (size_t i = 0; i < TA_ELEMENTS(f); i++)
		certchain_release(ctx, &f[i]);
	certchain_free(ctx);
	free(junk);
	free(a);
	free(b);
}

/* ---- interception ---- */

/* The client rejected the proxy's chain (it trusts only the real root). */
static void
test_intercept_untrusted(void **state)
{
	struct certchain *plain = ctx_root();
	struct certchain *insp = ctx_with("root.pem", "corp.pem", true);
	struct chain *c = make("forged", "corp", NULL);
	struct cert_facts f;

	(void)state;
	analyse(plain, c, "imap.test.example", t2025, &f);
	assert_int_equal(f.problem, CERT_PROBLEM_UNTRUSTED);
	assert_int_equal(f.verify_code, 19);
	/* a non-public issuer alone is shown, never claimed */
	assert_false(f.intercepted);
	assert_false(f.chain->interception.suspected);
	assert_true(evidence_has(&f, t2025, "the leaf covers imap.test.example, "
	                         "the name the client asked for, under CN=Example "
	                         "Corp Inspection Root,O=Example Corp, which is "
	                         "not a public CA; alone, not proof"));
	certchain_release(plain, &f);

	analyse(insp, c, "imap.test.example", t2025, &f);
	assert_int_equal(f.problem, CERT_PROBLEM_UNTRUSTED);
	assert_true(f.intercepted);
	assert_true(f.chain->interception.by_inspection_ca);
	assert_string_equal(f.chain->interception.product, "");
	assert_true(evidence_has(&f, t2025, "TLS interception suspected"));
	assert_true(evidence_has(&f, t2025, "the chain verifies against the "
	                         "inspection CA CN=Example Corp Inspection Root,"
	                         "O=Example Corp (--inspection-ca)"));
	certchain_release(insp, &f);

	/* the real chain does not verify against the proxy's root */
	{
		struct chain *real = make("leaf", "inter", NULL);

		analyse(insp, real, "imap.test.example", t2025, &f);
		assert_true(f.verify_ok);
		assert_false(f.intercepted);
		assert_false(f.chain->interception.by_inspection_ca);
		certchain_release(insp, &f);
		free(real);
	}
	certchain_free(plain);
	certchain_free(insp);
	free(c);
}

/* The client trusted the proxy's root (it is in its bundle). */
static void
test_intercept_trusted(void **state)
{
	struct certchain *bundle = ctx_with("corp.pem", NULL, false);
	struct certchain *insp = ctx_with("corp.pem", "corp.pem", false);
	struct chain *c = make("forged", NULL);
	struct cert_facts f;

	(void)state;
	analyse(bundle, c, "imap.test.example", t2025, &f);
	assert_true(f.verify_ok);
	assert_true(f.chain->interception.private_root);
	assert_false(f.intercepted);
	assert_true(evidence_has(&f, t2025, "the chain's signatures lead to a "
	                         "root from --ca-bundle/--ca-path (CN=Example Corp "
	                         "Inspection Root,O=Example Corp), not to the "
	                         "system store"));
	certchain_release(bundle, &f);

	analyse(insp, c, "imap.test.example", t2025, &f);
	assert_true(f.verify_ok);
	assert_true(f.intercepted);
	assert_true(f.chain->interception.by_inspection_ca);
	certchain_release(insp, &f);
	certchain_free(bundle);
	certchain_free(insp);
	free(c);
}

/*
 * A grid's proxy certificate (RFC 3820, proxyCertInfo) is issued by its
 * user minutes before use, under a private CA, and sent without SNI, as
 * Globus does: fresh, yet no forgery. The evidence says what it is.
 */
static void
test_proxy_cert_not_interception(void **state)
{
	struct certchain *ctx = ctx_root();
	struct chain *c = make("proxy", "griduser", "gridca", NULL);
	struct chain *plain = make("griduser", "gridca", NULL);
	struct cert_facts f;
	ta_time soon = at(2025, 3, 1, 12, 5, 0);

	(void)state;
	analyse(ctx, c, NULL, soon, &f);
	assert_true(f.leaf_fresh);
	assert_false(f.intercepted);
	assert_false(f.verify_ok);
	assert_true(evidence_has(&f, soon, "the leaf is an RFC 3820 proxy "
	                         "certificate (proxyCertInfo)"));
	assert_false(evidence_has(&f, soon, "as inspection proxies forge"));
	certchain_release(ctx, &f);
	/* the user's own certificate, were it fresh, is judged as before */
	analyse(ctx, plain, NULL, at(2024, 1, 1, 0, 5, 0), &f);
	assert_true(f.leaf_fresh);
	assert_true(f.intercepted);
	certchain_release(ctx, &f);
	certchain_free(ctx);
	free(c);
	free(plain);
}

/* A leaf issued minutes before the connection, under a non-public issuer. */
static void
test_intercept_fresh(void **state)
{
	struct certchain *ctx = ctx_root();
	struct chain *c = make("forged", "corp", NULL);
	struct chain *real = make("leaf", "inter", NULL);
	struct cert_facts f;
	ta_time soon = at(2025, 3, 1, 12, 3, 20);

	(void)state;
	analyse(ctx, c, "imap.test.example", soon, &f);
	assert_true(f.leaf_fresh);
	assert_int_equal(f.leaf_age, 200);
	assert_true(f.intercepted);
	assert_false(f.chain->interception.suspected);
	assert_true(evidence_has(&f, soon, "the leaf was issued 3 minutes before "
	                         "the capture (not_before 2025-03-01 12:00 UTC)"));
	certchain_release(ctx, &f);
	/* the same chain a day later: the signal is gone */
	analyse(ctx, c, "imap.test.example", at(2025, 3, 2, 12, 0, 0), &f);
	assert_false(f.leaf_fresh);
	assert_false(f.intercepted);
	certchain_release(ctx, &f);
	/* a proxy that sends the leaf alone, to clients that hold its root */
	{
		struct certchain *trusting = ctx_with("corp.pem", NULL, false);
		struct chain *alone = make("forged", NULL);

		analyse(trusting, alone, "imap.test.example", soon, &f);
		assert_true(f.verify_ok);
		assert_true(f.leaf_fresh);
		assert_true(f.intercepted);
		certchain_release(trusting, &f);
		/* to the real root's clients the issuer is missing: whether it is
		 * public cannot be told, so nothing is claimed */
		analyse(ctx, alone, "imap.test.example", soon, &f);
		assert_int_equal(f.problem, CERT_PROBLEM_INCOMPLETE);
		assert_true(f.leaf_fresh);
		assert_false(f.intercepted);
		certchain_release(ctx, &f);
		certchain_free(trusting);
		free(alone);
	}
	/* a public CA's leaf issued minutes ago is just a new certificate */
	analyse(ctx, real, "imap.test.example", at(2024, 1, 1, 0, 5, 0), &f);
	assert_true(f.leaf_fresh);
	assert_false(f.intercepted);
	certchain_release(ctx, &f);
	certchain_free(ctx);
	free(c);
	free(real);
}

static void
test_intercept_product(void **state)
{
	struct certchain *ctx = ctx_root();
	struct chain *z = make("zleaf", "zscaler", NULL);
	struct chain *corp = make("forged", "corp", NULL);
	struct certchain_cfg cfg;
	char b[1024], n[1024], err[CERTCHAIN_ERR_LEN];
	struct certchain *named;
	struct cert_facts f;

	(void)state;
	analyse(ctx, z, "imap.test.example", t2025, &f);
	assert_true(f.intercepted);
	assert_true(f.chain->interception.suspected);
	assert_string_equal(f.chain->interception.product, "Zscaler");
	assert_true(evidence_has(&f, t2025, "TLS interception suspected (Zscaler)"));
	assert_true(evidence_has(&f, t2025, "the issuer of certificate 1 "
	                         "(CN=Zscaler Root CA,O=Zscaler Inc.) matches the "
	                         "default name of Zscaler (browser list; observed)"));
	certchain_release(ctx, &f);

	/* the site names its own proxy CA */
	memset(&cfg, 0, sizeof cfg);
	path_of(b, sizeof b, "tests/pki/root.pem");
	path_of(n, sizeof n, "tests/pki/inspection-names.txt");
	cfg.ca_bundle = b;
	cfg.no_system_ca = true;
	cfg.inspection_names = n;
	named = certchain_new(&cfg, err);
	assert_non_null(named);
	analyse(named, corp, "imap.test.example", t2025, &f);
	assert_true(f.intercepted);
	assert_string_equal(f.chain->interception.product, "Example Corp");
	certchain_release(named, &f);
	certchain_free(named);

	path_of(n, sizeof n, "tests/pki/bad-names.txt");
	assert_null(certchain_new(&cfg, err));
	assert_non_null(strstr(err, "bad-names.txt:2"));
	certchain_free(ctx);
	free(z);
	free(corp);
}

static void
test_intercept_pin(void **state)
{
	struct certchain_cfg cfg;
	char b[1024], p[1024], err[CERTCHAIN_ERR_LEN];
	struct certchain *ctx;
	struct chain *real = make("leaf", "inter", NULL);
	struct chain *forged = make("forged", "corp", NULL);
	struct cert_facts f;

	(void)state;
	memset(&cfg, 0, sizeof cfg);
	path_of(b, sizeof b, "tests/pki/root.pem");
	path_of(p, sizeof p, "tests/pki/pins.txt");
	cfg.ca_bundle = b;
	cfg.no_system_ca = true;
	cfg.pin_file = p;
	ctx = certchain_new(&cfg, err);
	if (ctx == NULL)
		fail_msg("%s", err);
	/* pinned by the certificate's hash */
	analyse(ctx, real, "imap.test.example", t2025, &f);
	assert_false(f.chain->interception.pin_mismatch);
	assert_false(f.intercepted);
	assert_true(evidence_has(&f, t2025, "the leaf matches the pin for "
	                         "imap.test.example"));
	certchain_release(ctx, &f);
	analyse(ctx, forged, "imap.test.example", t2025, &f);
	assert_true(f.chain->interception.pin_mismatch);
	assert_true(f.intercepted);
	assert_true(evidence_has(&f, t2025, "the leaf is not the one pinned for "
	                         "imap.test.example"));
	certchain_release(ctx, &f);
	/* pinned by the key's hash (base64) */
	analyse(ctx, real, "mail.test.example", t2025, &f);
	assert_false(f.chain->interception.pin_mismatch);
	certchain_release(ctx, &f);
	analyse(ctx, forged, "mail.test.example", t2025, &f);
	assert_true(f.chain->interception.pin_mismatch);
	certchain_release(ctx, &f);
	certchain_free(ctx);
	free(real);
	free(forged);
}

/* The built-in table is the data file, compiled. */
static void
test_builtin_table(void **state)
{
	char path[1024], line[1024];
	FILE *f;
	size_t n = 0;

	(void)state;
	path_of(path, sizeof path, "src/cert/data/inspection-products.txt");
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof line, f) != NULL) {
		char *fld[4], *p = line;
		const struct inspection_product *ip;

		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		for (int i = 0; i < 4; i++) {
			fld[i] = p;
			p += strcspn(p, "\t");
			if (*p != '\0')
				*p++ = '\0';
		}
		assert_true(n < inspection_nproducts);
		ip = &inspection_products[n++];
		assert_string_equal(ip->product, fld[0]);
		if (strcmp(fld[1], "-") == 0)
			assert_null(ip->cn);
		else
			assert_string_equal(ip->cn, fld[1]);
		if (strcmp(fld[2], "-") == 0)
			assert_null(ip->o);
		else
			assert_string_equal(ip->o, fld[2]);
		assert_string_equal(ip->source, fld[3]);
	}
	fclose(f);
	assert_int_equal(n, inspection_nproducts);
	assert_true(n >= 26);
}

/* ---- reports ---- */

/* A certificate whose names carry a terminal escape and, in its DNS name
 * (an IA5String nobody validates), bytes that are not UTF-8. */
static void
hostile_cert(struct blob *b)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_NAME *n = X509_NAME_new();
	GENERAL_NAMES *gens = sk_GENERAL_NAME_new_null();
	GENERAL_NAME *gn = GENERAL_NAME_new();
	ASN1_IA5STRING *ia5 = ASN1_IA5STRING_new();
	static const unsigned char cn[] = "\x1b[31mevil.example";
	static const unsigned char dns[] = "\x1b[31mevil\xff\xfe.example";
	unsigned char *p = b->p;
	int len;

	assert_non_null(k);
	assert_non_null(x);
	assert_non_null(n);
	assert_non_null(gens);
	assert_non_null(gn);
	assert_non_null(ia5);
	assert_int_equal(X509_NAME_add_entry_by_NID(n, NID_commonName, V_ASN1_UTF8STRING,
	                                            cn, (int)sizeof cn - 1, -1, 0), 1);
	assert_int_equal(ASN1_STRING_set(ia5, dns, (int)sizeof dns - 1), 1);
	GENERAL_NAME_set0_value(gn, GEN_DNS, ia5);
	assert_true(sk_GENERAL_NAME_push(gens, gn) > 0);
	assert_int_equal(X509_set_version(x, 2), 1);
	assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(x), 7), 1);
	assert_int_equal(X509_set_subject_name(x, n), 1);
	assert_int_equal(X509_set_issuer_name(x, n), 1);
	assert_non_null(ASN1_TIME_set(X509_getm_notBefore(x), 1700000000));
	assert_non_null(ASN1_TIME_set(X509_getm_notAfter(x), 1900000000));
	assert_int_equal(X509_set_pubkey(x, k), 1);
	assert_int_equal(X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0,
	                                   X509V3_ADD_DEFAULT), 1);
	assert_true(X509_sign(x, k, EVP_sha256()) > 0);
	len = i2d_X509(x, &p);
	assert_true(len > 0);
	b->n = (size_t)len;
	GENERAL_NAMES_free(gens);
	X509_NAME_free(n);
	X509_free(x);
	EVP_PKEY_free(k);
}

static void
test_report_json(void **state)
{
	struct certchain *ctx = ctx_with("root.pem", "corp.pem", true);
	struct chain *c = make("forged", "corp", NULL);
	struct chain *h = calloc(1, sizeof *h);
	struct cert_facts f;
	struct json j;
	const char *out;

	(void)state;
	json_init(&j, 1 << 20);
	analyse(ctx, c, "imap.test.example", t2025, &f);
	json_begin(&j);
	report_json_cert(&j, &f, t2025);
	out = json_end(&j);
	assert_non_null(strstr(out, "\"certificates\":{\"visible\":true,\"frame\":12,"));
	assert_non_null(strstr(out, "\"subject\":\"CN=imap.test.example\""));
	assert_non_null(strstr(out, "\"issuer\":\"CN=Example Corp Inspection Root,O=Example Corp\""));
	assert_non_null(strstr(out, "\"not_before\":\"2025-03-01T12:00:00Z\""));
	assert_non_null(strstr(out, "\"not_after\":\"2026-03-01T12:00:00Z\""));
	assert_non_null(strstr(out, "\"san\":[\"imap.test.example\",\"mail.test.example\",\"198.51.100.7\"]"));
	assert_non_null(strstr(out, "\"valid_at_capture\":true"));
	assert_non_null(strstr(out, "\"verify\":{\"ok\":false,\"code\":19,"));
	assert_non_null(strstr(out, "\"name_checked\":\"imap.test.example\",\"name_source\":\"sni\""));
	assert_non_null(strstr(out, "\"problem\":\"untrusted\",\"problem_cert\":1"));
	assert_non_null(strstr(out, "\"interception\":{\"suspected\":true,\"product\":null,\"by_inspection_ca\":true,\"evidence\":[\"the chain verifies against"));
	certchain_release(ctx, &f);

	json_begin(&j);
	report_json_cert(&j, NULL, t2025);
	out = json_end(&j);
	assert_non_null(strstr(out, "\"certificates\":{\"visible\":false,\"interception\":{\"suspected\":null"));

	/* hostile names: valid JSON and UTF-8, no raw escape byte */
	hostile_cert(&h->b[0]);
	seal(h, 1);
	analyse(ctx, h, NULL, t2025, &f);
	assert_int_equal(f.problem, CERT_PROBLEM_SELF_SIGNED);
	json_begin(&j);
	report_json_cert(&j, &f, t2025);
	out = json_end(&j);
	assert_null(strchr(out, 0x1b));
	assert_null(strchr(out, (char)0xff));
	assert_non_null(strstr(out, "\"san\":[\"\\u001b[31mevil\xef\xbf\xbd\xef\xbf\xbd.example\"]"));
	certchain_release(ctx, &f);
	json_free(&j);
	certchain_free(ctx);
	free(c);
	free(h);
}

/* The name reports give the server: SNI first, else the leaf's name. */
static void
test_report_server_name(void **state)
{
	struct certchain *ctx = ctx_root();
	struct chain *c = make("leaf", "inter", NULL);
	struct cert_facts cf;
	struct tls_facts *tls = calloc(1, sizeof *tls);
	struct conn_facts f;
	const uint8_t *name;
	size_t len;

	(void)state;
	assert_non_null(tls);
	memset(&f, 0, sizeof f);
	assert_null(report_server_name(&f, &name, &len));
	assert_null(name);

	analyse(ctx, c, "mail.test.example", t2025, &cf);
	f.cert = &cf;
	assert_string_equal(report_server_name(&f, &name, &len), "certificate");
	assert_int_equal(len, strlen("imap.test.example"));
	assert_memory_equal(name, "imap.test.example", len);

	/* An empty server_name names nothing: the certificate still does. */
	tls->client_hello_seen = true;
	tls->client_hello.has_sni = true;
	f.tls = tls;
	assert_string_equal(report_server_name(&f, &name, &len), "certificate");

	memcpy(tls->client_hello.sni, "mail.test.example", 17);
	tls->client_hello.sni_len = 17;
	assert_string_equal(report_server_name(&f, &name, &len), "sni");
	assert_int_equal(len, 17);
	assert_memory_equal(name, "mail.test.example", 17);

	/* TLS 1.3: no chain in sight, no SNI: no name. */
	tls->client_hello.has_sni = false;
	cf.visible = false;
	assert_null(report_server_name(&f, &name, &len));
	assert_int_equal(len, 0);

	cf.visible = true;
	certchain_release(ctx, &cf);
	certchain_free(ctx);
	free(tls);
	free(c);
}

static void
test_report_text(void **state)
{
	struct certchain *ctx = ctx_root();
	struct chain *c = make("leaf", NULL);
	struct chain *h = calloc(1, sizeof *h);
	struct cert_facts f;
	char *buf = NULL;
	size_t len = 0;
	FILE *out;

	(void)state;
	out = open_memstream(&buf, &len);
	assert_non_null(out);
	analyse(ctx, c, "imap.test.example", t2025, &f);
	report_text_cert(out, &f, t2025, 1);
	certchain_release(ctx, &f);
	hostile_cert(&h->b[0]);
	seal(h, 1);
	analyse(ctx, h, NULL, t2025, &f);
	report_text_cert(out, &f, t2025, 1);
	certchain_release(ctx, &f);
	report_text_cert(out, NULL, t2025, 0);
	fclose(out);
	assert_non_null(strstr(buf, "  certificates (frame 12): 1 sent, checked "
	                       "against imap.test.example (SNI); does not verify: "
	                       "unable to get local issuer certificate (20), "
	                       "incomplete\n"));
	assert_non_null(strstr(buf, "    1. CN=imap.test.example\n       issuer "
	                       "CN=Test Issuing CA 1,O=tlsautopsy test; "
	                       "2024-01-01..2034-01-01; RSA 2048\n"));
	assert_non_null(strstr(buf, "       names: imap.test.example, "
	                       "mail.test.example, 198.51.100.7\n"));
	assert_non_null(strstr(buf, "    - frame 12: the server sent only its own"));
	assert_non_null(strstr(buf, "names: \\x1b[31mevil\\xff\\xfe.example\n"));
	assert_null(strchr(buf, 0x1b));
	assert_non_null(strstr(buf, "  certificates: not seen"));
	free(buf);
	certchain_free(ctx);
	free(c);
	free(h);
}

/* ---- chains from the lab captures (tests/pki/captured/) ---- */

struct captured {
	char name[64];
	unsigned frame;
	ta_time t;
	char sni[256];
	struct chain c;
};

static void
load_captured(struct captured *cap, const char *name)
{
	char path[1024], line[512];
	FILE *f;
	bool found = false;

	memset(cap, 0, sizeof *cap);
	path_of(path, sizeof path, "tests/pki/captured/MANIFEST");
	f = fopen(path, "r");
	assert_non_null(f);
	while (!found && fgets(line, sizeof line, f) != NULL) {
		unsigned long long s, ns;
		unsigned frame, n;
		char nm[64], sni[256];

		if (line[0] == '#')
			continue;
		if (sscanf(line, "%63s %u %llu.%llu %255s %u", nm, &frame, &s, &ns,
		           sni, &n) != 6 || strcmp(nm, name) != 0)
			continue;
		found = true;
		snprintf(cap->name, sizeof cap->name, "%s", nm);
		cap->frame = frame;
		cap->t = (ta_time)s * TA_NS_PER_SEC + (ta_time)ns;
		snprintf(cap->sni, sizeof cap->sni, "%s", strcmp(sni, "-") ? sni : "");
		assert_true(n > 0 && n <= TLS_HS_MAX_CERTS);
		for (unsigned i = 0; i < n; i++) {
			char rel[256];

			snprintf(rel, sizeof rel, "tests/pki/captured/%s.%u.der", name, i);
			path_of(path, sizeof path, rel);
			load_der(&cap->c.b[i], path);
		}
		seal(&cap->c, (uint16_t)n);
	}
	fclose(f);
	assert_true(found);
}

static struct certchain *
lab_ctx(const char *bundle, const char *inspection)
{
	struct certchain_cfg cfg;
	char b[1024], i[1024], err[CERTCHAIN_ERR_LEN];
	struct certchain *ctx;

	memset(&cfg, 0, sizeof cfg);
	cfg.no_system_ca = true;
	snprintf(b, sizeof b, "%s/tests/pki/captured/%s", top(), bundle);
	cfg.ca_bundle = b;
	if (inspection != NULL) {
		snprintf(i, sizeof i, "%s/tests/pki/captured/%s", top(), inspection);
		cfg.inspection_ca = i;
	}
	ctx = certchain_new(&cfg, err);
	if (ctx == NULL)
		fail_msg("%s", err);
	return ctx;
}

static void
captured_facts(struct certchain *ctx, struct captured *cap, struct cert_facts *f)
{
	memset(f, 0, sizeof *f);
	f->frame = TA_FRAME(0, cap->frame);
	certchain_analyse(ctx, &cap->c.tc, cap->sni, cap->t, f);
}

static void
test_captured_classes(void **state)
{
	struct certchain *ctx = lab_ctx("lab-root-ca.pem", NULL);
	struct captured *cap = calloc(1, sizeof *cap);
	struct cert_facts f;

	(void)state;
	assert_non_null(cap);
	load_captured(cap, "starttls-tls12-ok");
	captured_facts(ctx, cap, &f);
	assert_true(f.verify_ok);
	assert_false(f.intercepted);
	certchain_release(ctx, &f);

	load_captured(cap, "legacy-tls10-ok");
	captured_facts(ctx, cap, &f);
	assert_true(f.verify_ok);
	certchain_release(ctx, &f);

	load_captured(cap, "cert-chain-incomplete");
	captured_facts(ctx, cap, &f);
	assert_int_equal(f.problem, CERT_PROBLEM_INCOMPLETE);
	assert_true(evidence_has(&f, cap->t, "frame 8: the server sent only its "
	                         "own certificate (CN=imap.lab.example, issued by "
	                         "CN=Lab Issuing CA 1,O=tlsautopsy lab); the "
	                         "intermediate is missing"));
	certchain_release(ctx, &f);

	load_captured(cap, "cert-expired");
	captured_facts(ctx, cap, &f);
	assert_int_equal(f.problem, CERT_PROBLEM_EXPIRED);
	assert_int_equal(f.problem_cert, 0);
	assert_true(evidence_has(&f, cap->t, "frame 10: certificate 1 "
	                         "(CN=imap.lab.example) expired 2024-01-01 00:00 "
	                         "UTC, 1062 days before the capture"));
	certchain_release(ctx, &f);

	load_captured(cap, "cert-name-mismatch");
	captured_facts(ctx, cap, &f);
	assert_int_equal(f.problem, CERT_PROBLEM_NAME_MISMATCH);
	assert_true(evidence_has(&f, cap->t, "frame 10: the client asked for "
	                         "imap.lab.example; the certificate covers "
	                         "mail.other.example"));
	certchain_release(ctx, &f);

	load_captured(cap, "cert-self-signed");
	captured_facts(ctx, cap, &f);
	assert_int_equal(f.problem, CERT_PROBLEM_SELF_SIGNED);
	assert_true(evidence_has(&f, cap->t, "frame 8: the server's certificate "
	                         "(CN=imap.lab.example) is self-signed"));
	assert_false(f.intercepted);
	certchain_release(ctx, &f);
	certchain_free(ctx);
	free(cap);
}

static void
test_captured_interception(void **state)
{
	/* the analyst trusts what the client should: the lab root; and knows
	 * the site's inspection root */
	struct certchain *insp = lab_ctx("lab-root-ca.pem", "corp-inspection-root.pem");
	struct certchain *plain = lab_ctx("lab-root-ca.pem", NULL);
	/* the trusting clients' own view: the corporate root in their bundle */
	struct certchain *corp = lab_ctx("corp-inspection-root.pem", NULL);
	struct captured *cap = calloc(1, sizeof *cap);
	struct cert_facts f;
	static const char *const proxied[] = {
		"intercept-rejected", "intercept-trusted", "intercept-starttls",
	};

	(void)state;
	assert_non_null(cap);
	for (size_t i = 0; i < sizeof proxied / sizeof proxied[0]; i++) {
		load_captured(cap, proxied[i]);
		captured_facts(insp, cap, &f);
		assert_int_equal(f.problem, CERT_PROBLEM_UNTRUSTED);
		assert_int_equal(f.verify_code, 19);
		assert_true(f.intercepted);
		assert_true(f.chain->interception.by_inspection_ca);
		assert_true(evidence_has(&f, cap->t, "the chain verifies against the "
		                         "inspection CA CN=Example Corp Inspection Root,"
		                         "O=Example Corp (--inspection-ca)"));
		certchain_release(insp, &f);

		/* without --inspection-ca: shown, not claimed */
		captured_facts(plain, cap, &f);
		assert_false(f.intercepted);
		assert_true(evidence_has(&f, cap->t, "which is not a public CA"));
		certchain_release(plain, &f);

		/* as the trusting client saw it: verifies, through a private root */
		captured_facts(corp, cap, &f);
		assert_true(f.verify_ok);
		assert_true(f.chain->interception.private_root);
		certchain_release(corp, &f);
	}
	/* the real server's chain is not the proxy's */
	load_captured(cap, "starttls-tls12-ok");
	captured_facts(insp, cap, &f);
	assert_true(f.verify_ok);
	assert_false(f.intercepted);
	assert_false(f.chain->interception.by_inspection_ca);
	assert_false(f.chain->interception.suspected);
	/* a private root: shown once, with what it does not prove */
	assert_int_equal(f.chain->interception.nevidence, 1);
	assert_true(f.chain->interception.private_root);
	assert_true(evidence_has(&f, cap->t, "alone, not proof of interception"));
	certchain_release(insp, &f);
	certchain_free(insp);
	certchain_free(plain);
	certchain_free(corp);
	free(cap);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_history_dates),
		cmocka_unit_test(test_history_since_start),
		cmocka_unit_test(test_capture_time_trust),
		cmocka_unit_test(test_capture_time_problems),
		cmocka_unit_test(test_history_fail_closed),
		cmocka_unit_test(test_explicit_ec),
		cmocka_unit_test(test_valid_chain),
		cmocka_unit_test(test_capture_time),
		cmocka_unit_test(test_not_yet_valid),
		cmocka_unit_test(test_incomplete),
		cmocka_unit_test(test_name_mismatch),
		cmocka_unit_test(test_server_name),
		cmocka_unit_test(test_no_name),
		cmocka_unit_test(test_self_signed),
		cmocka_unit_test(test_untrusted),
		cmocka_unit_test(test_priority),
		cmocka_unit_test(test_weak_and_small),
		cmocka_unit_test(test_expiring_soon),
		cmocka_unit_test(test_trust_system),
		cmocka_unit_test(test_trust_system_hashed_dir),
		cmocka_unit_test(test_trust_bundle_and_path),
		cmocka_unit_test(test_unparseable),
		cmocka_unit_test(test_cache),
		cmocka_unit_test(test_cache_key),
		cmocka_unit_test(test_intercept_untrusted),
		cmocka_unit_test(test_intercept_trusted),
		cmocka_unit_test(test_intercept_fresh),
		cmocka_unit_test(test_proxy_cert_not_interception),
		cmocka_unit_test(test_intercept_product),
		cmocka_unit_test(test_intercept_pin),
		cmocka_unit_test(test_builtin_table),
		cmocka_unit_test(test_history_lazy_roots),
		cmocka_unit_test(test_report_json),
		cmocka_unit_test(test_report_text),
		cmocka_unit_test(test_report_server_name),
		cmocka_unit_test(test_captured_classes),
		cmocka_unit_test(test_captured_interception),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
