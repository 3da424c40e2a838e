/* trust_history.c: Mozilla's root store over time (data/trust-history/), read lazily and fail-closed; the store of the roots trusted on a date. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "cert/trust_history.h"
#include "util/fmt.h"

/* A line of roots.csv longer than this is not one of ours. */
#define LINE_MAX_LEN 4096
#define NFIELDS 16
#define SET_WORDS TH_SET_WORDS

static const char header[] =
	"label,subject,first_seen,last_seen,removed,trusted_intervals,"
	"not_before,not_after,sha256,spki_sha256,key_type,key_bits,self_signed,"
	"certifi_legacy_1024,first_commit,last_commit";

/* The columns read. */
enum { F_LABEL = 0, F_INTERVALS = 5, F_NOT_BEFORE = 6, F_NOT_AFTER = 7,
       F_SHA256 = 8 };

struct th_store {
	X509_STORE *store;
	uint64_t set[SET_WORDS];
	uint32_t id;
	uint64_t used;               /* for replacing the least recent */
};

struct trust_history {
	char *dir;
	bool tried, ok;
	char err[TH_ERR_LEN];
	struct th_root *roots;
	size_t nroots;
	struct th_store stores[TH_STORES];
	uint32_t next_id;
	uint64_t clock;
};

struct trust_history *
trust_history_new(const char *dir)
{
	struct trust_history *th = calloc(1, sizeof *th);

	if (th == NULL)
		return NULL;
	th->dir = strdup(dir);
	if (th->dir == NULL) {
		free(th);
		return NULL;
	}
	return th;
}

static void
drop_roots(struct trust_history *th)
{
	for (size_t i = 0; i < th->nroots; i++) {
		X509_free(th->roots[i].x);
		X509_NAME_free(th->roots[i].subject);
		X509_NAME_free(th->roots[i].issuer);
		OPENSSL_free(th->roots[i].der);
	}
	free(th->roots);
	th->roots = NULL;
	th->nroots = 0;
}

void
trust_history_free(struct trust_history *th)
{
	if (th == NULL)
		return;
	for (size_t i = 0; i < TH_STORES; i++)
		X509_STORE_free(th->stores[i].store);
	drop_roots(th);
	free(th->dir);
	free(th);
}

const char *
trust_history_dir(const struct trust_history *th)
{
	return th->dir;
}

/* ---- dates ---- */

/* Days since 1970-01-01 of a proleptic Gregorian date (m 1..12). */
static int64_t
days_from_civil(int64_t y, int64_t m, int64_t d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static bool
digits(const char *s, size_t n, int64_t *v)
{
	*v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*v = *v * 10 + (s[i] - '0');
	}
	return true;
}

static bool
days_in_month_ok(int64_t y, int64_t m, int64_t d)
{
	static const int8_t mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30,
	                                31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return false;
	return m != 2 || d <= 28 || leap;
}

bool
trust_history_parse_date(const char *s, size_t n, int64_t *t)
{
	int64_t y, m, d;

	if (n != 10 || s[4] != '-' || s[7] != '-' || !digits(s, 4, &y) ||
	    !digits(s + 5, 2, &m) || !digits(s + 8, 2, &d) ||
	    !days_in_month_ok(y, m, d))
		return false;
	*t = days_from_civil(y, m, d) * 86400;
	return true;
}

bool
trust_history_parse_time(const char *s, size_t n, int64_t *t)
{
	int64_t hh, mm, ss;

	if (n != 20 || s[10] != 'T' || s[13] != ':' || s[16] != ':' ||
	    s[19] != 'Z' || !trust_history_parse_date(s, 10, t) ||
	    !digits(s + 11, 2, &hh) || !digits(s + 14, 2, &mm) ||
	    !digits(s + 17, 2, &ss) || hh > 23 || mm > 59 || ss > 60)
		return false;
	*t += hh * 3600 + mm * 60 + ss;
	return true;
}

/* ---- roots.csv ---- */

struct field {
	char *p;
	size_t n;
};

/*
 * Splits one line (RFC 4180: quoted fields, "" for a quote) in place.
 * Returns the number of fields, or -1 for a stray quote.
 */
static int
split_csv(char *line, struct field f[NFIELDS + 1])
{
	char *r = line, *w;
	int n = 0;

	for (;;) {
		if (n > NFIELDS)
			return n;
		f[n].p = w = r;
		if (*r == '"') {
			r++;
			for (;;) {
				if (*r == '\0')
					return -1;
				if (*r == '"' && r[1] == '"') {
					*w++ = '"';
					r += 2;
				} else if (*r == '"') {
					r++;
					break;
				} else {
					*w++ = *r++;
				}
			}
			if (*r != ',' && *r != '\0')
				return -1;
		} else {
			while (*r != ',' && *r != '\0') {
				if (*r == '"')
					return -1;
				*w++ = *r++;
			}
		}
		f[n].n = (size_t)(w - f[n].p);
		n++;
		if (*r == '\0')
			return n;
		*w = '\0';
		r++;
	}
}

static bool
hex32(const char *s, size_t n, uint8_t out[32])
{
	if (n != 64)
		return false;
	for (size_t i = 0; i < 64; i++) {
		char c = s[i];
		int v;

		if (c >= '0' && c <= '9')
			v = c - '0';
		else if (c >= 'a' && c <= 'f')
			v = c - 'a' + 10;
		else
			return false;
		if (i % 2 == 0)
			out[i / 2] = (uint8_t)(v << 4);
		else
			out[i / 2] = (uint8_t)(out[i / 2] | v);
	}
	return true;
}

/* "2011-12-28/2015-11-20; 2016-01-01/" */
static bool
parse_intervals(const char *s, size_t n, struct th_root *r)
{
	size_t i = 0;

	r->niv = 0;
	while (i < n) {
		struct th_interval *iv;
		size_t end = i;

		while (end < n && s[end] != ';')
			end++;
		if (r->niv == TH_MAX_INTERVALS || end - i < 11 || s[i + 10] != '/')
			return false;
		iv = &r->iv[r->niv];
		if (!trust_history_parse_date(s + i, 10, &iv->from))
			return false;
		if (end - i == 11)
			iv->to = TH_OPEN;
		else if (!trust_history_parse_date(s + i + 11, end - i - 11,
		                                   &iv->to) || iv->to <= iv->from)
			return false;
		/* in order, and only the last one open */
		if (r->niv > 0 && (r->iv[r->niv - 1].to == TH_OPEN ||
		    r->iv[r->niv - 1].to > iv->from))
			return false;
		r->niv++;
		if (end == n)
			break;
		/* "; " between intervals */
		if (end + 2 >= n || s[end + 1] != ' ')
			return false;
		i = end + 2;
	}
	return r->niv > 0;
}

static bool
csv_fail(struct trust_history *th, unsigned line, const char *what)
{
	fmt_snprintf(th->err, sizeof th->err, "%s/roots.csv line %u: %s", th->dir,
	         line, what);
	return false;
}

static bool
parse_row(struct trust_history *th, char *buf, unsigned line,
          struct th_root *r)
{
	struct field f[NFIELDS + 1];
	int n = split_csv(buf, f);

	if (n < 0)
		return csv_fail(th, line, "a quote out of place");
	if (n != NFIELDS) {
		char what[64];

		fmt_snprintf(what, sizeof what, "%d fields, not %d", n, NFIELDS);
		return csv_fail(th, line, what);
	}
	memset(r, 0, sizeof *r);
	r->line = line;
	if (f[F_LABEL].n == 0 || f[F_LABEL].n >= sizeof r->label)
		return csv_fail(th, line, "no label, or one too long");
	memcpy(r->label, f[F_LABEL].p, f[F_LABEL].n);
	r->label[f[F_LABEL].n] = '\0';
	if (!parse_intervals(f[F_INTERVALS].p, f[F_INTERVALS].n, r))
		return csv_fail(th, line, "trusted_intervals is not a list of "
		                "FROM/TO dates in order");
	if (!trust_history_parse_time(f[F_NOT_BEFORE].p, f[F_NOT_BEFORE].n,
	                              &r->not_before) ||
	    !trust_history_parse_time(f[F_NOT_AFTER].p, f[F_NOT_AFTER].n,
	                              &r->not_after))
		return csv_fail(th, line, "not_before or not_after is not a "
		                "time such as 2000-09-30T21:12:19Z");
	if (!hex32(f[F_SHA256].p, f[F_SHA256].n, r->sha256))
		return csv_fail(th, line, "sha256 is not 64 lowercase hex digits");
	return true;
}

/*
 * The history begins with its first bundle: a root in it then may have
 * been in Mozilla's store for years before. Its first interval is open
 * towards the past, so a capture older than the history is judged too.
 */
static void
mark_since_start(struct trust_history *th)
{
	int64_t start = INT64_MAX;

	for (size_t i = 0; i < th->nroots; i++)
		if (th->roots[i].niv > 0 && th->roots[i].iv[0].from < start)
			start = th->roots[i].iv[0].from;
	for (size_t i = 0; i < th->nroots; i++)
		if (th->roots[i].niv > 0 && th->roots[i].iv[0].from == start)
			th->roots[i].iv[0].since_start = true;
}

static bool
read_csv(struct trust_history *th)
{
	char path[4096], buf[LINE_MAX_LEN + 2];
	FILE *fp;
	unsigned line = 0;
	bool ok = false;

	fmt_snprintf(path, sizeof path, "%s/roots.csv", th->dir);
	fp = fopen(path, "r");
	if (fp == NULL) {
		fmt_snprintf(th->err, sizeof th->err, "%s: %s", path, strerror(errno));
		return false;
	}
	th->roots = calloc(TH_MAX_ROOTS, sizeof *th->roots);
	if (th->roots == NULL) {
		fmt_snprintf(th->err, sizeof th->err, "%s: out of memory", path);
		goto out;
	}
	while (fgets(buf, sizeof buf, fp) != NULL) {
		size_t n = strlen(buf);

		line++;
		if (n > 0 && buf[n - 1] == '\n')
			buf[--n] = '\0';
		else if (!feof(fp)) {
			csv_fail(th, line, "line too long");
			goto out;
		}
		if (n > 0 && buf[n - 1] == '\r')
			buf[--n] = '\0';
		if (line == 1) {
			if (strcmp(buf, header) != 0) {
				csv_fail(th, line, "not the header of a "
				         "trust-history roots.csv");
				goto out;
			}
			continue;
		}
		if (th->nroots == TH_MAX_ROOTS) {
			csv_fail(th, line, "more roots than tlsautopsy keeps");
			goto out;
		}
		if (!parse_row(th, buf, line, &th->roots[th->nroots]))
			goto out;
		th->nroots++;
	}
	if (ferror(fp)) {
		fmt_snprintf(th->err, sizeof th->err, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (th->nroots == 0) {
		csv_fail(th, line, "no roots");
		goto out;
	}
	mark_since_start(th);
	ok = true;
out:
	fclose(fp);
	return ok;
}

/* ---- roots.pem ---- */

static struct th_root *
by_hash(struct trust_history *th, const uint8_t h[32])
{
	for (size_t i = 0; i < th->nroots; i++)
		if (memcmp(th->roots[i].sha256, h, 32) == 0)
			return &th->roots[i];
	return NULL;
}

static bool
der_sha256(X509 *x, uint8_t h[32])
{
	unsigned int len = 0;

	return X509_digest(x, EVP_sha256(), h, &len) == 1 && len == 32;
}

/* The next element of a DER SEQUENCE's body [*p, end): its whole encoding
 * in [*start, *p) afterwards. */
static bool
der_next(const unsigned char **p, const unsigned char *end,
         const unsigned char **start, int *tag, int *cls)
{
	long len;
	int rc;

	*start = *p;
	if (*p >= end)
		return false;
	rc = ASN1_get_object(p, &len, tag, cls, end - *p);
	if ((rc & 0x80) != 0 || (rc & 0x01) != 0 || len > end - *p)
		return false;
	*p += len;
	return true;
}

/* A Name read from its DER encoding [start, p). */
static X509_NAME *
der_name(const unsigned char *start, const unsigned char *p)
{
	const unsigned char *q = start;
	X509_NAME *n = d2i_X509_NAME(NULL, &q, p - start);

	if (n != NULL && q != p) {
		X509_NAME_free(n);
		n = NULL;
	}
	return n;
}

/*
 * The issuer and subject of a certificate, read from its DER without
 * decoding the rest (RFC 5280 4.1: Certificate ::= SEQUENCE {
 * tbsCertificate SEQUENCE { [0] version OPTIONAL, serialNumber, signature,
 * issuer, validity, subject, ... } ... }). Either may be NULL (not asked).
 */
static bool
der_names(const uint8_t *der, size_t n, X509_NAME **issuer,
          X509_NAME **subject)
{
	const unsigned char *p = der, *end = der + n, *start;
	const unsigned char *iss_start, *iss_end, *sub_start;
	long len;
	int tag, cls, rc;

	if (n == 0 || n > LONG_MAX)
		return false;
	/* Certificate, then tbsCertificate: descend into each. */
	for (int depth = 0; depth < 2; depth++) {
		rc = ASN1_get_object(&p, &len, &tag, &cls, end - p);
		if ((rc & 0x80) != 0 || (rc & 0x21) != 0x20 ||
		    tag != V_ASN1_SEQUENCE || len > end - p)
			return false;
		end = p + len;
	}
	if (!der_next(&p, end, &start, &tag, &cls))
		return false;
	if (cls == V_ASN1_CONTEXT_SPECIFIC && tag == 0 &&
	    !der_next(&p, end, &start, &tag, &cls))
		return false;                   /* version, then serial */
	if (!der_next(&p, end, &start, &tag, &cls) ||   /* signature */
	    !der_next(&p, end, &iss_start, &tag, &cls) || tag != V_ASN1_SEQUENCE)
		return false;
	iss_end = p;
	if (!der_next(&p, end, &start, &tag, &cls) ||   /* validity */
	    !der_next(&p, end, &sub_start, &tag, &cls) || tag != V_ASN1_SEQUENCE)
		return false;
	if (issuer != NULL && (*issuer = der_name(iss_start, iss_end)) == NULL)
		return false;
	if (subject != NULL && (*subject = der_name(sub_start, p)) == NULL) {
		if (issuer != NULL) {
			X509_NAME_free(*issuer);
			*issuer = NULL;
		}
		return false;
	}
	return true;
}

/* The certificate of a root, decoded the first time it is asked for. */
static X509 *
root_x509(struct th_root *r)
{
	const unsigned char *p = r->der;

	if (r->x == NULL && r->der != NULL && r->der_len <= LONG_MAX) {
		r->x = d2i_X509(NULL, &p, (long)r->der_len);
		if (r->x != NULL && p != r->der + r->der_len) {
			X509_free(r->x);
			r->x = NULL;
		}
		ERR_clear_error();
	}
	return r->x;
}

static bool
read_pem(struct trust_history *th)
{
	char path[4096];
	BIO *b;
	char *name = NULL, *hdr = NULL;
	unsigned char *data = NULL;
	X509_NAME *issuer = NULL, *subject = NULL;
	long len;
	unsigned n = 0;
	bool ok = false;

	fmt_snprintf(path, sizeof path, "%s/roots.pem", th->dir);
	b = BIO_new_file(path, "r");
	if (b == NULL) {
		fmt_snprintf(th->err, sizeof th->err, "%s: %s", path,
		         errno != 0 ? strerror(errno) : "cannot open it");
		ERR_clear_error();
		return false;
	}
	/* Only base64 is undone here: each certificate's DER is kept and
	 * its names read; the certificate itself is decoded when needed. */
	while (PEM_read_bio(b, &name, &hdr, &data, &len) == 1) {
		uint8_t h[32];
		struct th_root *r;

		/* Its names are read first: a block that is no certificate
		 * is told as such, before its hash is looked for. A root
		 * damaged further in has a hash that roots.csv does not
		 * list. */
		if (strcmp(name, PEM_STRING_X509) != 0 || len <= 0 ||
		    !der_names(data, (size_t)len, &issuer, &subject)) {
			fmt_snprintf(th->err, sizeof th->err, "%s: after certificate "
			         "%u: not a PEM certificate", path, n);
			goto out;
		}
		n++;
		if (EVP_Digest(data, (size_t)len, h, NULL, EVP_sha256(),
		               NULL) != 1) {
			fmt_snprintf(th->err, sizeof th->err, "%s: certificate %u: "
			         "no SHA-256", path, n);
			goto out;
		}
		r = by_hash(th, h);
		if (r == NULL || r->der != NULL) {
			fmt_snprintf(th->err, sizeof th->err, "%s: certificate %u: "
			         "%s roots.csv", path, n, r == NULL ?
			         "its sha256 is not in" : "listed twice for one line of");
			goto out;
		}
		r->issuer = issuer;
		r->subject = subject;
		issuer = subject = NULL;
		r->der = data;
		r->der_len = (size_t)len;
		data = NULL;
		OPENSSL_free(name);
		OPENSSL_free(hdr);
		name = hdr = NULL;
	}
	/* the loop ends on the end of the file, or on a block that is not a
	 * certificate */
	if (ERR_GET_REASON(ERR_peek_last_error()) != PEM_R_NO_START_LINE) {
		fmt_snprintf(th->err, sizeof th->err, "%s: after certificate %u: not "
		         "a PEM certificate", path, n);
		goto out;
	}
	for (size_t i = 0; i < th->nroots; i++)
		if (th->roots[i].der == NULL) {
			csv_fail(th, th->roots[i].line, "its certificate is not in "
			         "roots.pem");
			goto out;
		}
	ok = true;
out:
	X509_NAME_free(issuer);
	X509_NAME_free(subject);
	OPENSSL_free(name);
	OPENSSL_free(hdr);
	OPENSSL_free(data);
	ERR_clear_error();
	BIO_free(b);
	return ok;
}

bool
trust_history_load(struct trust_history *th, char err[TH_ERR_LEN],
                   bool *first)
{
	*first = false;
	if (!th->tried) {
		th->tried = true;
		*first = true;
		errno = 0;
		th->ok = read_csv(th) && read_pem(th);
		if (!th->ok)
			drop_roots(th);
	}
	if (!th->ok)
		fmt_snprintf(err, TH_ERR_LEN, "%s", th->err);
	return th->ok;
}

/* ---- the roots of a date ---- */

const struct th_interval *
trust_history_interval(const struct th_root *r, int64_t t)
{
	for (uint8_t i = 0; i < r->niv; i++) {
		const struct th_interval *iv = &r->iv[i];

		if ((iv->since_start || t >= iv->from - TH_SLACK_SECS) &&
		    (iv->to == TH_OPEN || t < iv->to + TH_SLACK_SECS))
			return iv;
	}
	return NULL;
}

static bool
trusted_at(const struct th_root *r, int64_t t)
{
	return t >= r->not_before && t <= r->not_after &&
	       trust_history_interval(r, t) != NULL;
}

static bool
in_set(const uint64_t set[SET_WORDS], size_t i)
{
	return ((set[i / 64] >> (i % 64)) & 1) != 0;
}

/* Mark the roots whose subject is name; true when one was new. */
static bool
mark_subject(const struct trust_history *th, const X509_NAME *name,
             uint64_t set[SET_WORDS])
{
	bool added = false;

	for (size_t i = 0; i < th->nroots; i++)
		if (!in_set(set, i) && th->roots[i].subject != NULL &&
		    X509_NAME_cmp(th->roots[i].subject, name) == 0) {
			set[i / 64] |= (uint64_t)1 << (i % 64);
			added = true;
		}
	return added;
}

size_t
trust_history_decoded(const struct trust_history *th)
{
	size_t n = 0;

	for (size_t i = 0; i < th->nroots; i++)
		n += th->roots[i].x != NULL;
	return n;
}

void
trust_history_candidates(const struct trust_history *th,
                         const uint8_t *const *der, const size_t *len,
                         unsigned n, uint64_t set[TH_SET_WORDS])
{
	bool added;

	memset(set, 0, SET_WORDS * sizeof set[0]);
	if (!th->ok)
		return;
	for (unsigned c = 0; c < n; c++) {
		X509_NAME *issuer = NULL;

		if (der[c] == NULL || !der_names(der[c], len[c], &issuer, NULL))
			continue;
		(void)mark_subject(th, issuer, set);
		X509_NAME_free(issuer);
	}
	ERR_clear_error();
	/* Roots issued by other roots, until no more come in. */
	do {
		added = false;
		for (size_t i = 0; i < th->nroots; i++)
			if (in_set(set, i) && th->roots[i].issuer != NULL &&
			    mark_subject(th, th->roots[i].issuer, set))
				added = true;
	} while (added);
}

X509_STORE *
trust_history_store_at(struct trust_history *th, int64_t t,
                       const uint64_t candidates[TH_SET_WORDS], uint32_t *id)
{
	uint64_t set[SET_WORDS] = {0};
	struct th_store *s, *victim = NULL;
	bool any = false;

	*id = 0;
	if (!th->ok)
		return NULL;
	for (size_t i = 0; i < th->nroots; i++)
		if (in_set(candidates, i) && trusted_at(&th->roots[i], t)) {
			set[i / 64] |= (uint64_t)1 << (i % 64);
			any = true;
		}
	if (!any)
		return NULL;
	th->clock++;
	for (size_t i = 0; i < TH_STORES; i++) {
		s = &th->stores[i];
		if (s->store != NULL && memcmp(s->set, set, sizeof set) == 0) {
			s->used = th->clock;
			*id = s->id;
			return s->store;
		}
		if (victim == NULL || s->store == NULL ||
		    (victim->store != NULL && s->used < victim->used))
			victim = s;
	}
	X509_STORE_free(victim->store);
	victim->store = X509_STORE_new();
	if (victim->store == NULL)
		return NULL;
	for (size_t i = 0; i < th->nroots; i++) {
		X509 *x = in_set(set, i) ? root_x509(&th->roots[i]) : NULL;

		if (x != NULL)
			(void)X509_STORE_add_cert(victim->store, x);
	}
	ERR_clear_error();
	memcpy(victim->set, set, sizeof set);
	victim->id = ++th->next_id;
	victim->used = th->clock;
	*id = victim->id;
	return victim->store;
}

const struct th_root *
trust_history_find(const struct trust_history *th, X509 *x)
{
	uint8_t h[32];

	if (!th->ok || !der_sha256(x, h))
		return NULL;
	for (size_t i = 0; i < th->nroots; i++)
		if (memcmp(th->roots[i].sha256, h, 32) == 0)
			return &th->roots[i];
	return NULL;
}
