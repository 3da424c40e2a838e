/*
 * certchain.c: certificate chain analysis (RFC 5280 6, path validation;
 * RFC 6125 6, the name check) and TLS-interception signals, with OpenSSL 3.
 * The design (what is cached, what is judged per connection) is in
 * certchain.h and doc/certificates.md.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "cert/certchain.h"
#include "util/fmt.h"
#include "cert/inspection_products.h"
#include "util/utf8.h"

/* A time that could not be read from a certificate. */
#define TIME_UNKNOWN CERTCHAIN_TIME_UNKNOWN
/* A proxy's clock may run a little ahead of the capture point's. */
#define FRESH_SKEW_SECS 60
/* The path OpenSSL built: what the server sent plus store certificates. */
#define PATH_MAX_LEN (TLS_HS_MAX_CERTS + 4)
#define PIN_LEN 32
/*
 * A chain whose key (see struct chain_key) is at most this long is cached
 * by those bytes, compared in full on lookup; a longer one (only a hostile
 * or absurd chain is) by their SHA-256, so that a cache entry never holds
 * more than this besides its description.
 */
#define KEY_BYTES_MAX (64u * 1024u)

struct pattern {
	const char *product;
	const char *source;
	bool has_cn, has_o;
	regex_t cn, o;
	char *own_product, *own_source; /* from --inspection-names: ours */
};

struct pin {
	char *name;
	uint8_t hash[PIN_LEN];
};

/* One certificate of the built path, for the per-connection time check. */
struct path_el {
	int16_t sent;                /* index in what the server sent; -1: store */
	int64_t not_before, not_after;
};

struct certchain_entry {
	struct cert_chain chain;     /* what the facts point to */
	uint64_t hash;               /* of the key: picks the bucket */
	uint8_t *key;                /* the key byte for byte, or NULL: */
	size_t key_len;
	uint8_t digest[32];          /* ... its SHA-256, for a long key */
	unsigned refs;               /* facts pointing here */
	bool cached;                 /* in the table and the LRU list */
	struct certchain_entry *hnext;
	struct certchain_entry *prev, *next; /* LRU, most recent first */

	/* The outcome, time aside. */
	int code;                    /* first OpenSSL error; 0: none */
	enum cert_problem problem;
	int problem_cert;
	uint32_t findings;
	struct path_el path[PATH_MAX_LEN];
	uint8_t npath;
	bool leaf_self_signed;
	/* whether the issuer is a public CA cannot be told: the leaf's issuer
	 * is missing, so no store could verify it */
	bool public_unknown;
};

struct certchain {
	X509_STORE *trust;           /* what the client trusts */
	X509_STORE *public_store;    /* the system store ("a public CA") */
	X509_STORE *inspection;      /* --inspection-ca, or NULL */
	bool trust_is_public;        /* trust is the system store alone */
	bool user_anchors;           /* --ca-bundle or --ca-path given */
	char server_name[CERT_NAME_LEN];

	struct pattern *patterns;
	size_t npatterns;
	struct pin *pins;
	size_t npins;

	EVP_MD *sha256;
	EVP_MD_CTX *md;

	size_t cache_max, nentries, nbuckets;
	struct certchain_entry **buckets;
	struct certchain_entry *lru_head, *lru_tail;
	struct certchain_stats stats;
};

/* What one verification run saw (every failure, not only the first). */
struct vstate {
	int first;                   /* first error code, 0: none */
	bool missing_leaf_issuer;    /* the leaf's issuer: not sent, not trusted */
	bool missing_issuer;         /* the same higher up */
	int missing_depth;
	bool self_signed_leaf;
	bool untrusted_root;         /* a self-signed root sent, not trusted */
	int root_depth;
	bool name_mismatch;
	bool other;
};

/* ---- small helpers ---- */

static void
copy_bounded(char *dst, size_t len, const char *src, size_t n)
{
	if (len == 0)
		return;
	if (n >= len) {
		n = len - 1;
		/* do not leave half a UTF-8 sequence at the cut */
		while (n > 0 && ((uint8_t)src[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void
hex_lower(char *dst, size_t len, const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	size_t o = 0;

	for (size_t i = 0; i < n && o + 2 < len; i++) {
		dst[o++] = digits[p[i] >> 4];
		dst[o++] = digits[p[i] & 0x0f];
	}
	if (len > 0)
		dst[o] = '\0';
}

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

static int64_t
asn1_time_secs(const ASN1_TIME *t)
{
	struct tm tm;

	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return TIME_UNKNOWN;
	return days_from_civil((int64_t)tm.tm_year + 1900, (int64_t)tm.tm_mon + 1,
	                       tm.tm_mday) * 86400 +
	       (int64_t)tm.tm_hour * 3600 + (int64_t)tm.tm_min * 60 + tm.tm_sec;
}

/* The last second of 9999: later years (and times before 1970) are left
 * to gmtime_r. */
#define FAST_TIME_MAX 253402300799LL

/*
 * "2026-11-20T14:03:22Z" by hand for the years certificates carry: every
 * certificate in a JSON line has two of these, and gmtime_r with snprintf
 * cost more than the rest of its member. The same calendar as gmtime.
 */
static bool
time_iso_fast(char buf[CERTCHAIN_TIME_LEN], int64_t t)
{
	char *p;

	if (t < 0 || t > FAST_TIME_MAX ||
	    (p = fmt_put_datetime(buf, (uint64_t)t, 'T')) == NULL)
		return false;
	*p++ = 'Z';
	*p = '\0';
	return true;
}

char *
certchain_time_iso(char buf[CERTCHAIN_TIME_LEN], int64_t t)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (time_iso_fast(buf, t))
		return buf;
	if (t == TIME_UNKNOWN || gmtime_r(&tt, &tm) == NULL) {
		snprintf(buf, CERTCHAIN_TIME_LEN, "unknown");
		return buf;
	}
	/* the modulos only tell the compiler each field's width */
	snprintf(buf, CERTCHAIN_TIME_LEN, "%04u-%02u-%02uT%02u:%02u:%02uZ",
	         (unsigned)(tm.tm_year + 1900) % 10000u,
	         (unsigned)(tm.tm_mon + 1) % 100u, (unsigned)tm.tm_mday % 100u,
	         (unsigned)tm.tm_hour % 100u, (unsigned)tm.tm_min % 100u,
	         (unsigned)tm.tm_sec % 100u);
	return buf;
}

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

/* Certificate text for evidence lines: escaped, bounded. */
static const char *
safe(char *buf, size_t len, const char *s)
{
	return utf8_sanitize(buf, len, (const uint8_t *)s, strlen(s));
}

static bool
name_is_ip(const char *name)
{
	unsigned char a[16];

	return inet_pton(AF_INET, name, a) == 1 || inet_pton(AF_INET6, name, a) == 1;
}

/* ---- describing one certificate ---- */

/* RFC 2253 one-line, UTF-8 kept (only what RFC 2253 requires escaped). */
static void
name_str(char *dst, size_t len, const X509_NAME *n)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p = NULL;
	long got;

	dst[0] = '\0';
	if (b == NULL)
		return;
	if (X509_NAME_print_ex(b, n, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) < 0) {
		/* not convertible to UTF-8: fall back to escaping every byte */
		(void)BIO_reset(b);
		if (X509_NAME_print_ex(b, n, 0, XN_FLAG_RFC2253) < 0)
			(void)BIO_reset(b);
	}
	got = BIO_get_mem_data(b, &p);
	if (got > 0 && p != NULL)
		copy_bounded(dst, len, p, (size_t)got);
	BIO_free(b);
	ERR_clear_error();
}

/* A name entry (CN, O) as UTF-8; false when absent or unreadable. */
static bool
name_field(const X509_NAME *n, int nid, int *last, char *dst, size_t len)
{
	const X509_NAME_ENTRY *e;
	unsigned char *u = NULL;
	int ulen, i = X509_NAME_get_index_by_NID(n, nid, *last);

	if (i < 0)
		return false;
	*last = i;
	e = X509_NAME_get_entry(n, i);
	ulen = e ? ASN1_STRING_to_UTF8(&u, X509_NAME_ENTRY_get_data(e)) : -1;
	if (ulen < 0) {
		ERR_clear_error();
		dst[0] = '\0';
		return true;
	}
	copy_bounded(dst, len, (const char *)u, strnlen((const char *)u, (size_t)ulen));
	OPENSSL_free(u);
	return true;
}

/* A SAN as text; NUL bytes (a classic trick) become "\x00". */
static void
san_text(char *dst, size_t len, const unsigned char *p, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 5 < len; i++) {
		if (p[i] == 0) {
			memcpy(dst + o, "\\x00", 4);
			o += 4;
		} else {
			dst[o++] = (char)p[i];
		}
	}
	dst[o] = '\0';
}

static void
describe_sans(struct cert_desc *d, X509 *x)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	int n;

	ERR_clear_error();
	if (gens == NULL)
		return;
	n = sk_GENERAL_NAME_num(gens);
	for (int i = 0; i < n; i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		char text[CERT_NAME_LEN];
		int type;
		const ASN1_STRING *s;

		s = GENERAL_NAME_get0_value(g, &type);
		if (type == GEN_DNS) {
			san_text(text, sizeof text, ASN1_STRING_get0_data(s),
			         (size_t)ASN1_STRING_length(s));
		} else if (type == GEN_IPADD) {
			int l = ASN1_STRING_length(s);
			if (l == 4 || l == 16) {
				if (inet_ntop(l == 4 ? AF_INET : AF_INET6,
				              ASN1_STRING_get0_data(s), text,
				              (socklen_t)sizeof text) == NULL)
					continue;
			} else {
				continue;
			}
		} else {
			continue; /* e-mail, URI, ...: not names a client checks */
		}
		if (d->nsan >= CERT_MAX_SAN) {
			if (d->san_dropped < UINT8_MAX)
				d->san_dropped++;
			continue;
		}
		copy_bounded(d->san[d->nsan], CERT_NAME_LEN, text, strlen(text));
		d->nsan++;
	}
	GENERAL_NAMES_free(gens);
}

/* "RSA 2048", "EC 256 (prime256v1)"; *small for RSA/DSA < 2048, EC < 224. */
static void
describe_key(struct cert_desc *d, X509 *x, bool *small)
{
	EVP_PKEY *pk = X509_get0_pubkey(x);
	int id, bits;
	char group[40] = "";
	const char *type;

	*small = false;
	if (pk == NULL) {
		X509_PUBKEY *xpk = X509_get_X509_PUBKEY(x);
		ASN1_OBJECT *obj = NULL;
		char oid[24] = "?";

		ERR_clear_error();
		if (xpk != NULL &&
		    X509_PUBKEY_get0_param(&obj, NULL, NULL, NULL, xpk) == 1 &&
		    obj != NULL)
			(void)OBJ_obj2txt(oid, (int)sizeof oid, obj, 0);
		snprintf(d->key, sizeof d->key, "%.17s (unreadable)", oid);
		return;
	}
	id = EVP_PKEY_get_base_id(pk);
	bits = EVP_PKEY_get_bits(pk);
	switch (id) {
	case EVP_PKEY_RSA:
		type = "RSA";
		*small = bits < 2048;
		break;
	case EVP_PKEY_RSA_PSS:
		type = "RSA-PSS";
		*small = bits < 2048;
		break;
	case EVP_PKEY_DSA:
		type = "DSA";
		*small = bits < 2048;
		break;
	case EVP_PKEY_EC:
		type = "EC";
		*small = bits < 224;
		if (EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME,
		                                   group, sizeof group, NULL) != 1)
			group[0] = '\0';
		break;
	case EVP_PKEY_ED25519:
		type = "Ed25519";
		break;
	case EVP_PKEY_ED448:
		type = "Ed448";
		break;
	default:
		type = OBJ_nid2sn(id);
		if (type == NULL)
			type = "?";
		break;
	}
	ERR_clear_error();
	if (group[0] != '\0')
		snprintf(d->key, sizeof d->key, "EC %d (%.20s)", bits % 10000,
		         group);
	else
		snprintf(d->key, sizeof d->key, "%.16s %d", type, bits % 100000);
}

/* The signature algorithm; *weak when its digest is MD2/MD4/MD5/SHA-1. */
static void
describe_sig(struct cert_desc *d, const X509 *x, bool *weak)
{
	int nid = X509_get_signature_nid(x);
	int md = NID_undef, pk = NID_undef;
	const char *ln = nid != NID_undef ? OBJ_nid2ln(nid) : NULL;

	*weak = false;
	if (ln != NULL) {
		snprintf(d->sig_alg, sizeof d->sig_alg, "%s", ln);
	} else {
		const X509_ALGOR *alg = NULL;
		const ASN1_OBJECT *obj = NULL;

		X509_get0_signature(NULL, &alg, x);
		if (alg != NULL)
			X509_ALGOR_get0(&obj, NULL, NULL, alg);
		if (obj == NULL ||
		    OBJ_obj2txt(d->sig_alg, (int)sizeof d->sig_alg, obj, 1) <= 0)
			snprintf(d->sig_alg, sizeof d->sig_alg, "?");
	}
	if (nid != NID_undef && OBJ_find_sigid_algs(nid, &md, &pk) == 1)
		*weak = md == NID_md5 || md == NID_sha1 || md == NID_md4 ||
		        md == NID_md2 || md == NID_md5_sha1;
}

static void
octets_hex(char *dst, size_t len, const ASN1_OCTET_STRING *s)
{
	dst[0] = '\0';
	if (s != NULL)
		hex_lower(dst, len, ASN1_STRING_get0_data(s),
		          (size_t)ASN1_STRING_length(s));
}

static void
describe_serial(struct cert_desc *d, const X509 *x)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	char *hex = bn ? BN_bn2hex(bn) : NULL;

	d->serial[0] = '\0';
	if (hex != NULL) {
		for (char *c = hex; *c != '\0'; c++)
			if (*c >= 'A' && *c <= 'F')
				*c = (char)(*c - 'A' + 'a');
		copy_bounded(d->serial, sizeof d->serial, hex, strlen(hex));
	}
	OPENSSL_free(hex);
	BN_free(bn);
	ERR_clear_error();
}

/* Everything about one certificate; x NULL when its DER did not parse. */
static void
describe(struct certchain *ctx, struct cert_desc *d, X509 *x,
         const struct ta_bytes *der, bool *small, bool *weak)
{
	uint8_t md[32];
	unsigned int mdlen = 0;

	memset(d, 0, sizeof *d);
	d->pathlen = -1;
	d->not_before = d->not_after = TIME_UNKNOWN;
	*small = *weak = false;
	if (EVP_Digest(der->p, der->n, md, &mdlen, ctx->sha256, NULL) == 1 &&
	    mdlen == sizeof md)
		hex_lower(d->sha256, sizeof d->sha256, md, sizeof md);
	if (x == NULL)
		return;
	d->parsed = true;
	name_str(d->subject, sizeof d->subject, X509_get_subject_name(x));
	name_str(d->issuer, sizeof d->issuer, X509_get_issuer_name(x));
	describe_serial(d, x);
	d->not_before = asn1_time_secs(X509_get0_notBefore(x));
	d->not_after = asn1_time_secs(X509_get0_notAfter(x));
	describe_sans(d, x);
	describe_key(d, x, small);
	describe_sig(d, x, weak);
	d->is_ca = (X509_get_extension_flags(x) & EXFLAG_CA) != 0;
	d->pathlen = (int)X509_get_pathlen(x);
	if (d->pathlen < -1)
		d->pathlen = -1;
	d->self_signed = X509_self_signed(x, 1) == 1;
	octets_hex(d->ski, sizeof d->ski, X509_get0_subject_key_id(x));
	octets_hex(d->aki, sizeof d->aki, X509_get0_authority_key_id(x));
	ERR_clear_error();
}

/* ---- verification ---- */

static int
verify_cb(int ok, X509_STORE_CTX *sctx)
{
	struct vstate *v = X509_STORE_CTX_get_app_data(sctx);
	int err, depth;

	if (ok || v == NULL)
		return 1;
	err = X509_STORE_CTX_get_error(sctx);
	depth = X509_STORE_CTX_get_error_depth(sctx);
	if (v->first == 0)
		v->first = err;
	switch (err) {
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
		if (depth == 0) {
			v->missing_leaf_issuer = true;
		} else if (!v->missing_issuer) {
			v->missing_issuer = true;
			v->missing_depth = depth;
		}
		break;
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
		v->self_signed_leaf = true;
		break;
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
		if (!v->untrusted_root) {
			v->untrusted_root = true;
			v->root_depth = depth;
		}
		break;
	case X509_V_ERR_HOSTNAME_MISMATCH:
	case X509_V_ERR_IP_ADDRESS_MISMATCH:
		v->name_mismatch = true;
		break;
	default:
		v->other = true;
		break;
	}
	/* go on: every failure is wanted, not only the first */
	return 1;
}

static bool
chain_ok(const struct vstate *v)
{
	return !v->missing_leaf_issuer && !v->missing_issuer &&
	       !v->self_signed_leaf && !v->untrusted_root && !v->other;
}

/*
 * One verification run, time aside, as a TLS client judges a server
 * ("ssl_server" purpose and trust). Returns the store context (for its
 * chain; the caller frees it) or NULL when OpenSSL could not run at all.
 */
static X509_STORE_CTX *
run_verify(X509_STORE *store, X509 *leaf, STACK_OF(X509) *untrusted,
           const char *name, struct vstate *v)
{
	X509_STORE_CTX *sctx = X509_STORE_CTX_new();
	X509_VERIFY_PARAM *param;

	memset(v, 0, sizeof *v);
	if (sctx == NULL)
		return NULL;
	if (X509_STORE_CTX_init(sctx, store, leaf, untrusted) != 1 ||
	    X509_STORE_CTX_set_default(sctx, "ssl_server") != 1)
		goto fail;
	param = X509_STORE_CTX_get0_param(sctx);
	X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_NO_CHECK_TIME);
	if (name != NULL && name[0] != '\0') {
		int set = name_is_ip(name) ?
		          X509_VERIFY_PARAM_set1_ip_asc(param, name) :
		          X509_VERIFY_PARAM_set1_host(param, name, 0);
		if (set != 1)
			v->name_mismatch = true; /* not a name a certificate can hold */
	}
	X509_STORE_CTX_set_verify_cb(sctx, verify_cb);
	if (X509_STORE_CTX_set_app_data(sctx, v) != 1)
		goto fail;
	/* the callback accepts every error, so a failure here is OpenSSL's
	 * own (out of memory, no leaf) */
	if (X509_verify_cert(sctx) <= 0 && v->first == 0) {
		v->first = X509_STORE_CTX_get_error(sctx);
		if (v->first == X509_V_OK)
			v->first = X509_V_ERR_UNSPECIFIED;
		v->other = true;
	}
	X509_STORE_CTX_set_app_data(sctx, NULL);
	ERR_clear_error();
	return sctx;
fail:
	X509_STORE_CTX_free(sctx);
	ERR_clear_error();
	return NULL;
}

static int
sent_index(X509 *const *x, uint16_t n, const X509 *c)
{
	for (uint16_t i = 0; i < n; i++)
		if (x[i] == c)
			return i;
	return -1;
}

/* ---- interception signals (time-independent) ---- */

static void
add_evidence(struct cert_interception *ic, const char *fmt, ...) TA_PRINTF(2, 3);

static void
add_evidence(struct cert_interception *ic, const char *fmt, ...)
{
	va_list ap;

	if (ic->nevidence >= CERT_EVIDENCE_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(ic->evidence[ic->nevidence], CERT_EVIDENCE_LEN, fmt, ap);
	va_end(ap);
	ic->nevidence++;
}

static bool
pattern_match(const struct pattern *p, const X509_NAME *issuer)
{
	char v[CERT_NAME_LEN];
	int last;
	bool cn = !p->has_cn, o = !p->has_o;

	last = -1;
	while (!cn && name_field(issuer, NID_commonName, &last, v, sizeof v))
		cn = regexec(&p->cn, v, 0, NULL, 0) == 0;
	last = -1;
	while (!o && name_field(issuer, NID_organizationName, &last, v, sizeof v))
		o = regexec(&p->o, v, 0, NULL, 0) == 0;
	return cn && o;
}

static void
match_products(const struct certchain *ctx, struct cert_chain *c,
               X509 *const *x, uint16_t n)
{
	char s[CERT_NAME_LEN];

	for (uint16_t i = 0; i < n; i++) {
		if (x[i] == NULL)
			continue;
		for (size_t k = 0; k < ctx->npatterns; k++) {
			const struct pattern *p = &ctx->patterns[k];
			char who[CERT_NAME_LEN];

			if (!pattern_match(p, X509_get_issuer_name(x[i])))
				continue;
			name_str(who, sizeof who, X509_get_issuer_name(x[i]));
			copy_bounded(c->interception.product,
			             sizeof c->interception.product, p->product,
			             strlen(p->product));
			add_evidence(&c->interception,
			             "the issuer of certificate %u (%s) matches the "
			             "default name of %s (%s)", (unsigned)i + 1,
			             safe(s, 120, who), p->product, p->source);
			return;
		}
	}
}

static bool
hash_spki(struct certchain *ctx, X509 *x, uint8_t out[PIN_LEN])
{
	unsigned char *der = NULL;
	int n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &der);
	unsigned int mdlen = 0;
	bool ok;

	if (n <= 0) {
		ERR_clear_error();
		return false;
	}
	ok = EVP_Digest(der, (size_t)n, out, &mdlen, ctx->sha256, NULL) == 1 &&
	     mdlen == PIN_LEN;
	OPENSSL_free(der);
	return ok;
}

static void
check_pins(struct certchain *ctx, struct cert_chain *c, X509 *leaf,
           const struct ta_bytes *der)
{
	uint8_t cert_hash[PIN_LEN], spki[PIN_LEN];
	unsigned int mdlen = 0;
	bool any = false, match = false, have_spki;
	char s[80];

	if (c->name[0] == '\0')
		return;
	if (EVP_Digest(der->p, der->n, cert_hash, &mdlen, ctx->sha256, NULL) != 1)
		return;
	have_spki = hash_spki(ctx, leaf, spki);
	for (size_t i = 0; i < ctx->npins; i++) {
		if (strcasecmp(ctx->pins[i].name, c->name) != 0)
			continue;
		any = true;
		if (memcmp(ctx->pins[i].hash, cert_hash, PIN_LEN) == 0 ||
		    (have_spki && memcmp(ctx->pins[i].hash, spki, PIN_LEN) == 0))
			match = true;
	}
	if (!any)
		return;
	if (match) {
		add_evidence(&c->interception, "the leaf matches the pin for %s "
		             "(--pin): it is the certificate expected",
		             safe(s, sizeof s, c->name));
	} else {
		c->interception.pin_mismatch = true;
		add_evidence(&c->interception, "the leaf is not the one pinned for "
		             "%s (--pin): neither its certificate (sha256 %.16s...) "
		             "nor its key matches", safe(s, sizeof s, c->name),
		             c->chain[0].sha256);
	}
}

/* ---- building a cache entry: everything that does not depend on time ---- */

static void
record_path(struct certchain_entry *e, X509_STORE_CTX *sctx, X509 *const *x,
            uint16_t n)
{
	STACK_OF(X509) *path = X509_STORE_CTX_get0_chain(sctx);
	int len = path ? sk_X509_num(path) : 0;

	e->npath = 0;
	for (int i = 0; i < len && e->npath < PATH_MAX_LEN; i++) {
		X509 *c = sk_X509_value(path, i);
		struct path_el *p = &e->path[e->npath++];

		p->sent = (int16_t)sent_index(x, n, c);
		p->not_before = asn1_time_secs(X509_get0_notBefore(c));
		p->not_after = asn1_time_secs(X509_get0_notAfter(c));
	}
}

static void
top_subject(X509_STORE_CTX *sctx, char *dst, size_t len)
{
	STACK_OF(X509) *path = X509_STORE_CTX_get0_chain(sctx);
	int n = path ? sk_X509_num(path) : 0;

	dst[0] = '\0';
	if (n > 0)
		name_str(dst, len, X509_get_subject_name(sk_X509_value(path, n - 1)));
}

static bool
covers_name(X509 *leaf, const char *name)
{
	int r;

	if (name_is_ip(name))
		r = X509_check_ip_asc(leaf, name, 0);
	else
		r = X509_check_host(leaf, name, 0, 0, NULL);
	ERR_clear_error();
	return r == 1;
}

static void
classify(struct certchain_entry *e, const struct vstate *v)
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

static void
interception_signals(struct certchain *ctx, struct certchain_entry *e,
                     X509 *const *x, uint16_t n, STACK_OF(X509) *untrusted,
                     const struct vstate *vm, const struct ta_bytes *leaf_der)
{
	struct cert_chain *c = &e->chain;
	struct cert_interception *ic = &c->interception;
	char s1[128], s2[128];

	match_products(ctx, c, x, n);
	if (ctx->inspection != NULL) {
		struct vstate vi;
		X509_STORE_CTX *sctx = run_verify(ctx->inspection, x[0], untrusted,
		                                  NULL, &vi);
		if (sctx != NULL && chain_ok(&vi)) {
			char ca[CERT_NAME_LEN];

			top_subject(sctx, ca, sizeof ca);
			ic->by_inspection_ca = true;
			add_evidence(ic, "the chain verifies against the inspection "
			             "CA %s (--inspection-ca): it was re-signed by "
			             "that proxy", safe(s1, sizeof s1, ca));
		}
		X509_STORE_CTX_free(sctx);
	}
	check_pins(ctx, c, x[0], leaf_der);
	if (ctx->user_anchors && chain_ok(vm) && !c->public_issuer) {
		ic->private_root = true;
		/* Signatures only: validity dates are judged per connection. */
		add_evidence(ic, "the chain's signatures lead to a root from "
		             "--ca-bundle/--ca-path (%s), not to the system store: "
		             "a private or corporate root; alone, not proof of "
		             "interception",
		             safe(s1, sizeof s1, c->anchor));
	}
	/* the same fact seen without a bundle: said once */
	if (!ic->private_root && c->name[0] != '\0' && c->name_covered &&
	    !c->public_issuer && !e->public_unknown && !e->leaf_self_signed)
		add_evidence(ic, "the leaf covers %s, the name %s, under %s, "
		             "which is not a public CA; alone, not proof of "
		             "interception", safe(s2, 80, c->name),
		             c->name_from_sni ? "the client asked for" :
		                                "given by --server-name",
		             safe(s1, sizeof s1, c->chain[0].issuer));
	ic->suspected = ic->product[0] != '\0' || ic->by_inspection_ca ||
	                ic->pin_mismatch;
}

static void
verify_entry(struct certchain *ctx, struct certchain_entry *e, X509 *const *x,
             uint16_t n, const struct tls_certificate *certs)
{
	struct cert_chain *c = &e->chain;
	STACK_OF(X509) *untrusted = sk_X509_new_null();
	X509_STORE_CTX *sctx;
	struct vstate vm;

	if (untrusted == NULL)
		goto oom;
	for (uint16_t i = 1; i < n; i++)
		if (x[i] != NULL && sk_X509_push(untrusted, x[i]) <= 0)
			goto oom;
	sctx = run_verify(ctx->trust, x[0], untrusted, c->name, &vm);
	if (sctx == NULL)
		goto oom;
	record_path(e, sctx, x, n);
	e->code = vm.first;
	if (c->name[0] != '\0') {
		c->name_covered = covers_name(x[0], c->name);
		/* a name OpenSSL refused to check is still not covered */
		if (!c->name_covered && e->code == 0)
			e->code = name_is_ip(c->name) ? X509_V_ERR_IP_ADDRESS_MISMATCH :
			                                X509_V_ERR_HOSTNAME_MISMATCH;
	}
	if (chain_ok(&vm) && e->npath > 0) {
		const struct path_el *top = &e->path[e->npath - 1];

		top_subject(sctx, c->anchor, sizeof c->anchor);
		c->anchor_not_before = top->not_before;
		c->anchor_not_after = top->not_after;
	}
	X509_STORE_CTX_free(sctx);
	classify(e, &vm);

	/* a chain that verifies with the user's anchors alone is known not to
	 * be public; one whose leaf issuer is nowhere cannot be told */
	e->public_unknown = vm.missing_leaf_issuer;
	if (ctx->trust_is_public) {
		c->public_issuer = chain_ok(&vm);
	} else {
		struct vstate vp;

		sctx = run_verify(ctx->public_store, x[0], untrusted, NULL, &vp);
		c->public_issuer = sctx != NULL && chain_ok(&vp);
		X509_STORE_CTX_free(sctx);
	}
	interception_signals(ctx, e, x, n, untrusted, &vm, &certs->der[0]);
	sk_X509_free(untrusted);
	return;
oom:
	sk_X509_free(untrusted);
	e->problem = CERT_PROBLEM_OTHER;
	e->code = X509_V_ERR_OUT_OF_MEM;
}

static struct certchain_entry *
build_entry(struct certchain *ctx, const struct tls_certificate *certs,
            const char *name, bool from_sni)
{
	struct certchain_entry *e = calloc(1, sizeof *e);
	struct cert_chain *c;
	X509 *x[TLS_HS_MAX_CERTS] = {0};
	uint16_t n = certs->count < TLS_HS_MAX_CERTS ? certs->count : TLS_HS_MAX_CERTS;

	if (e == NULL)
		return NULL;
	c = &e->chain;
	c->count = (uint16_t)(n + certs->dropped < UINT16_MAX ?
	                      n + certs->dropped : UINT16_MAX);
	c->weak_sig_cert = c->small_key_cert = -1;
	c->anchor_not_before = c->anchor_not_after = TIME_UNKNOWN;
	copy_bounded(c->name, sizeof c->name, name, strlen(name));
	c->name_from_sni = from_sni;
	e->problem_cert = -1;
	if (c->name[0] == '\0')
		e->findings |= CERT_F_NO_NAME;

	for (uint16_t i = 0; i < n; i++) {
		const struct ta_bytes *der = &certs->der[i];
		const unsigned char *p = der->p;
		struct cert_desc scratch, *d;
		bool small, weak;

		if (der->n > 0 && der->n <= LONG_MAX)
			x[i] = d2i_X509(NULL, &p, (long)der->n);
		/* trailing bytes: a TLS client rejects the entry, so do we */
		if (x[i] != NULL && p != der->p + der->n) {
			X509_free(x[i]);
			x[i] = NULL;
		}
		ERR_clear_error();
		d = i < CERT_MAX_CHAIN ? &c->chain[i] : &scratch;
		describe(ctx, d, x[i], der, &small, &weak);
		if (i < CERT_MAX_CHAIN)
			c->nchain = (uint16_t)(i + 1);
		if (small && c->small_key_cert < 0)
			c->small_key_cert = (int8_t)i;
		/* a root's own signature is never checked: only those below */
		if (weak && !d->self_signed && c->weak_sig_cert < 0)
			c->weak_sig_cert = (int8_t)i;
	}
	if (c->small_key_cert >= 0)
		e->findings |= CERT_F_SMALL_KEY;
	if (c->weak_sig_cert >= 0)
		e->findings |= CERT_F_WEAK_SIGNATURE;

	if (n == 0) {
		e->problem = CERT_PROBLEM_OTHER;
		e->code = X509_V_ERR_UNSPECIFIED;
	} else if (x[0] == NULL) {
		e->problem = CERT_PROBLEM_UNPARSEABLE;
		e->problem_cert = 0;
		e->code = X509_V_ERR_UNSPECIFIED;
	} else {
		e->leaf_self_signed = c->chain[0].self_signed;
		verify_entry(ctx, e, x, n, certs);
	}
	for (uint16_t i = 0; i < n; i++)
		X509_free(x[i]);
	return e;
}

/* ---- the cache ---- */

/*
 * What a chain is judged on: the certificates as sent (their number, how
 * many were dropped, each one's length and DER), the name checked and
 * where it came from. The trust options are the context's own. Laid out
 * as bytes for an entry (key_head(), then per certificate 4 length bytes
 * and the DER); read in place from the message for a lookup.
 */
struct chain_key {
	const struct tls_certificate *certs;
	uint16_t n;                  /* certificates kept */
	const char *name;
	size_t name_len;
	bool from_sni;
	size_t len;                  /* bytes of the laid-out key */
};

#define KEY_HEAD_MAX (7 + TLS_HS_SNI_MAX + CERT_NAME_LEN)

static size_t
key_head(const struct chain_key *k, uint8_t *h)
{
	h[0] = (uint8_t)(k->n >> 8);
	h[1] = (uint8_t)k->n;
	h[2] = (uint8_t)(k->certs->dropped >> 8);
	h[3] = (uint8_t)k->certs->dropped;
	h[4] = k->from_sni ? 1 : 2;
	h[5] = (uint8_t)(k->name_len >> 8);
	h[6] = (uint8_t)k->name_len;
	memcpy(h + 7, k->name, k->name_len);
	return 7 + k->name_len;
}

static void
len4(uint8_t *h, size_t l)
{
	h[0] = (uint8_t)(l >> 24);
	h[1] = (uint8_t)(l >> 16);
	h[2] = (uint8_t)(l >> 8);
	h[3] = (uint8_t)l;
}

static void
key_init(struct chain_key *k, const struct tls_certificate *certs,
         const char *name, bool from_sni)
{
	k->certs = certs;
	k->n = certs->count < TLS_HS_MAX_CERTS ? certs->count : TLS_HS_MAX_CERTS;
	k->name = name;
	/* Names are the SNI (at most TLS_HS_SNI_MAX) or --server-name. */
	k->name_len = strnlen(name, KEY_HEAD_MAX - 7);
	k->from_sni = from_sni;
	k->len = 7 + k->name_len;
	for (uint16_t i = 0; i < k->n; i++)
		k->len += 4 + certs->der[i].n;
}

/*
 * A fast 64-bit hash (multiply and shift per 8 bytes): it only picks a
 * bucket, every match is then compared byte for byte. SHA-256 over each
 * chain, as before, cost more than all the rest of a connection.
 */
#define HASH_MUL 0x9e3779b97f4a7c15ull

static uint64_t
hash_bytes(uint64_t h, const uint8_t *p, size_t n)
{
	uint64_t w;

	for (; n >= 8; p += 8, n -= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * HASH_MUL;
		h ^= h >> 32;
	}
	w = 0;
	if (n > 0)
		memcpy(&w, p, n);
	h = (h ^ w ^ ((uint64_t)n << 59)) * HASH_MUL;
	return h ^ (h >> 32);
}

static uint64_t
key_hash(const struct chain_key *k)
{
	uint8_t head[KEY_HEAD_MAX], l[4];
	uint64_t h = hash_bytes(0, head, key_head(k, head));

	for (uint16_t i = 0; i < k->n; i++) {
		len4(l, k->certs->der[i].n);
		h = hash_bytes(h, l, sizeof l);
		h = hash_bytes(h, k->certs->der[i].p, k->certs->der[i].n);
	}
	/* Mix the high bits down: the bucket is the low ones. */
	h ^= h >> 29;
	h *= HASH_MUL;
	return h ^ (h >> 32);
}

/* The key laid out for an entry (k->len bytes). */
static uint8_t *
key_copy(const struct chain_key *k)
{
	uint8_t *b = malloc(k->len);
	size_t o;

	if (b == NULL)
		return NULL;
	o = key_head(k, b);
	for (uint16_t i = 0; i < k->n; i++) {
		len4(b + o, k->certs->der[i].n);
		o += 4;
		if (k->certs->der[i].n > 0)
			memcpy(b + o, k->certs->der[i].p, k->certs->der[i].n);
		o += k->certs->der[i].n;
	}
	return b;
}

static bool
key_equal(const struct certchain_entry *e, const struct chain_key *k)
{
	uint8_t head[KEY_HEAD_MAX], l[4];
	const uint8_t *b = e->key;
	size_t o;

	if (b == NULL || e->key_len != k->len)
		return false;
	o = key_head(k, head);
	if (memcmp(b, head, o) != 0)
		return false;
	for (uint16_t i = 0; i < k->n; i++) {
		size_t n = k->certs->der[i].n;

		len4(l, n);
		if (memcmp(b + o, l, 4) != 0 ||
		    (n > 0 && memcmp(b + o + 4, k->certs->der[i].p, n) != 0))
			return false;
		o += 4 + n;
	}
	return true;
}

/* SHA-256 over the key, for a key too long to keep. */
static bool
key_digest(struct certchain *ctx, const struct chain_key *k, uint8_t d[32])
{
	uint8_t head[KEY_HEAD_MAX], l[4];
	unsigned int len = 0;

	if (EVP_DigestInit_ex(ctx->md, ctx->sha256, NULL) != 1 ||
	    EVP_DigestUpdate(ctx->md, head, key_head(k, head)) != 1)
		return false;
	for (uint16_t i = 0; i < k->n; i++) {
		len4(l, k->certs->der[i].n);
		if (EVP_DigestUpdate(ctx->md, l, sizeof l) != 1 ||
		    (k->certs->der[i].n > 0 &&
		     EVP_DigestUpdate(ctx->md, k->certs->der[i].p,
		                      k->certs->der[i].n) != 1))
			return false;
	}
	return EVP_DigestFinal_ex(ctx->md, d, &len) == 1 && len == 32;
}

static size_t
bucket_of(const struct certchain *ctx, uint64_t hash)
{
	return (size_t)hash & (ctx->nbuckets - 1);
}

static void
lru_unlink(struct certchain *ctx, struct certchain_entry *e)
{
	if (e->prev != NULL)
		e->prev->next = e->next;
	else
		ctx->lru_head = e->next;
	if (e->next != NULL)
		e->next->prev = e->prev;
	else
		ctx->lru_tail = e->prev;
	e->prev = e->next = NULL;
}

static void
lru_push(struct certchain *ctx, struct certchain_entry *e)
{
	e->prev = NULL;
	e->next = ctx->lru_head;
	if (ctx->lru_head != NULL)
		ctx->lru_head->prev = e;
	ctx->lru_head = e;
	if (ctx->lru_tail == NULL)
		ctx->lru_tail = e;
}

static void
entry_free(struct certchain_entry *e)
{
	free(e->key);
	free(e);
}

static void
evict(struct certchain *ctx, struct certchain_entry *e)
{
	struct certchain_entry **pp = &ctx->buckets[bucket_of(ctx, e->hash)];

	while (*pp != NULL && *pp != e)
		pp = &(*pp)->hnext;
	if (*pp == e)
		*pp = e->hnext;
	lru_unlink(ctx, e);
	e->cached = false;
	ctx->nentries--;
	/* facts still holding it free it when they are released */
	if (e->refs == 0)
		entry_free(e);
}

/* The entry for the key: by its bytes, or (digest non-NULL) its SHA-256. */
static struct certchain_entry *
lookup(struct certchain *ctx, const struct chain_key *k, uint64_t hash,
       const uint8_t *digest)
{
	struct certchain_entry *e = ctx->buckets[bucket_of(ctx, hash)];

	for (; e != NULL; e = e->hnext) {
		if (e->hash != hash)
			continue;
		if (digest != NULL ? e->key == NULL &&
		                     memcmp(e->digest, digest, sizeof e->digest) == 0
		                   : key_equal(e, k))
			return e;
	}
	return NULL;
}

static void
insert(struct certchain *ctx, struct certchain_entry *e)
{
	size_t b;

	if (ctx->nentries >= ctx->cache_max && ctx->lru_tail != NULL) {
		evict(ctx, ctx->lru_tail);
		ctx->stats.evictions++;
	}
	b = bucket_of(ctx, e->hash);
	e->hnext = ctx->buckets[b];
	ctx->buckets[b] = e;
	lru_push(ctx, e);
	e->cached = true;
	ctx->nentries++;
}

/* ---- per connection ---- */

static void
judge_time(const struct certchain_entry *e, int64_t now, struct cert_facts *f,
           enum cert_problem *tp, int *tcode)
{
	const struct cert_chain *c = &e->chain;
	int64_t soonest = INT64_MAX;

	*tp = CERT_PROBLEM_NONE;
	*tcode = 0;
	for (uint8_t i = 0; i < e->npath; i++) {
		const struct path_el *p = &e->path[i];
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

static const char *
own_reason(int code)
{
	const char *r = X509_verify_cert_error_string(code);

	return r != NULL ? r : "unknown verification error";
}

void
certchain_analyse(struct certchain *ctx, const struct tls_certificate *certs,
                  const char *sni, ta_time capture_time, struct cert_facts *out)
{
	ta_frame frame = out->frame;
	const char *name = "";
	bool from_sni = false;
	struct chain_key k;
	uint64_t hash = 0;
	uint8_t digest[32];
	bool by_digest, keyed = true;
	struct certchain_entry *e = NULL;
	int64_t now = (int64_t)(capture_time / TA_NS_PER_SEC);
	enum cert_problem tp;
	int tcode;

	memset(out, 0, sizeof *out);
	out->frame = frame;
	out->time = capture_time;
	out->visible = true;
	out->problem_cert = -1;
	out->expiring_cert = -1;
	if (sni != NULL && sni[0] != '\0') {
		name = sni;
		from_sni = true;
	} else if (ctx->server_name[0] != '\0') {
		name = ctx->server_name;
	}

	ctx->stats.lookups++;
	key_init(&k, certs, name, from_sni);
	by_digest = k.len > KEY_BYTES_MAX;
	if (by_digest) {
		keyed = key_digest(ctx, &k, digest);
		memcpy(&hash, digest, sizeof hash);
	} else {
		hash = key_hash(&k);
	}
	if (keyed)
		e = lookup(ctx, &k, hash, by_digest ? digest : NULL);
	if (e != NULL) {
		ctx->stats.hits++;
		lru_unlink(ctx, e);
		lru_push(ctx, e);
	} else {
		e = build_entry(ctx, certs, name, from_sni);
		if (e == NULL) {
			out->problem = CERT_PROBLEM_OTHER;
			out->verify_code = X509_V_ERR_OUT_OF_MEM;
			out->verify_reason = own_reason(X509_V_ERR_OUT_OF_MEM);
			return;
		}
		ctx->stats.verifications++;
		e->hash = hash;
		e->key_len = k.len;
		if (by_digest)
			memcpy(e->digest, digest, sizeof digest);
		else
			e->key = key_copy(&k);
		/* Without its key an entry could never be found again: it
		 * lives as long as these facts only. */
		if (keyed && (by_digest || e->key != NULL))
			insert(ctx, e);
	}
	e->refs++;
	out->entry = e;
	out->chain = &e->chain;
	out->findings = e->findings;

	judge_time(e, now, out, &tp, &tcode);
	if (e->problem == CERT_PROBLEM_UNPARSEABLE ||
	    (e->problem != CERT_PROBLEM_NONE && (tp == CERT_PROBLEM_NONE || e->problem < tp))) {
		out->problem = e->problem;
		out->problem_cert = e->problem_cert;
		out->problem_time = 0;
	} else {
		out->problem = tp;
	}
	/* OpenSSL reports path and name errors before time errors */
	out->verify_code = e->code != 0 ? e->code : tcode;
	out->verify_ok = out->verify_code == 0 && out->problem == CERT_PROBLEM_NONE;
	if (e->problem == CERT_PROBLEM_UNPARSEABLE)
		out->verify_reason = "the server's certificate does not parse (DER)";
	else if (e->chain.count == 0)
		out->verify_reason = "the server sent no certificate";
	else
		out->verify_reason = own_reason(out->verify_code);

	if (e->chain.nchain > 0 && e->chain.chain[0].parsed &&
	    e->chain.chain[0].not_before != TIME_UNKNOWN) {
		const struct cert_chain *c = &e->chain;

		out->leaf_age = now - c->chain[0].not_before;
		out->leaf_fresh = out->leaf_age >= -FRESH_SKEW_SECS &&
		                  out->leaf_age <= CERTCHAIN_FRESH_SECS;
	}
	/* A leaf forged for this very connection: only under an issuer that is
	 * not public, for the name asked, and not a self-signed one (a server
	 * that made itself a certificate at start-up). */
	out->intercepted = e->chain.interception.suspected ||
	                   (out->leaf_fresh && !e->chain.public_issuer &&
	                    !e->public_unknown && !e->leaf_self_signed &&
	                    (e->chain.name[0] == '\0' || e->chain.name_covered));
}

void
certchain_release(struct certchain *ctx, struct cert_facts *f)
{
	struct certchain_entry *e = f->entry;

	(void)ctx;
	f->entry = NULL;
	f->chain = NULL;
	if (e == NULL)
		return;
	if (e->refs > 0)
		e->refs--;
	if (e->refs == 0 && !e->cached)
		entry_free(e);
}

void
certchain_get_stats(const struct certchain *ctx, struct certchain_stats *st)
{
	*st = ctx->stats;
	st->entries = ctx->nentries;
}

/* ---- configuration ---- */

static void
ossl_err(char err[CERTCHAIN_ERR_LEN], const char *what, const char *file)
{
	unsigned long e = ERR_peek_last_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;

	snprintf(err, CERTCHAIN_ERR_LEN, "%s %s: %s", what, file,
	         r ? r : "cannot read it");
	ERR_clear_error();
}

static bool
compile_re(regex_t *re, const char *pat, char err[CERTCHAIN_ERR_LEN],
           const char *where)
{
	size_t n = strlen(pat) + 5;
	char *full = malloc(n);
	int rc;

	if (full == NULL) {
		snprintf(err, CERTCHAIN_ERR_LEN, "%s: out of memory", where);
		return false;
	}
	/* the whole value must match */
	snprintf(full, n, "^(%s)$", pat);
	rc = regcomp(re, full, REG_EXTENDED | REG_NOSUB);
	free(full);
	if (rc != 0) {
		char msg[96];

		regerror(rc, re, msg, sizeof msg);
		snprintf(err, CERTCHAIN_ERR_LEN, "%s: bad pattern \"%.60s\": %s",
		         where, pat, msg);
		return false;
	}
	return true;
}

static bool
field_used(const char *s)
{
	return s != NULL && s[0] != '\0' && strcmp(s, "-") != 0;
}

static bool
add_pattern(struct certchain *ctx, const char *product, const char *cn,
            const char *o, const char *source, char err[CERTCHAIN_ERR_LEN],
            const char *where)
{
	struct pattern *p = &ctx->patterns[ctx->npatterns];

	memset(p, 0, sizeof *p);
	if (!field_used(cn) && !field_used(o)) {
		snprintf(err, CERTCHAIN_ERR_LEN, "%s: neither a CN nor an O pattern",
		         where);
		return false;
	}
	if (field_used(cn)) {
		if (!compile_re(&p->cn, cn, err, where))
			return false;
		p->has_cn = true;
	}
	if (field_used(o)) {
		if (!compile_re(&p->o, o, err, where)) {
			if (p->has_cn)
				regfree(&p->cn);
			return false;
		}
		p->has_o = true;
	}
	p->product = product;
	p->source = source;
	ctx->npatterns++;
	return true;
}

static void
chomp(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
}

static size_t
count_lines(FILE *f)
{
	size_t n = 0;
	int c = fgetc(f);

	while (c != EOF) {
		if (c == '\n')
			n++;
		c = fgetc(f);
	}
	rewind(f);
	return n + 1;
}

static bool
load_names(struct certchain *ctx, const char *file, char err[CERTCHAIN_ERR_LEN])
{
	FILE *f = fopen(file, "r");
	char *line = NULL;
	size_t cap = 0, lineno = 0, more;
	struct pattern *np;
	bool ok = true;

	if (f == NULL) {
		snprintf(err, CERTCHAIN_ERR_LEN, "cannot open %s: %s", file,
		         strerror(errno));
		return false;
	}
	more = count_lines(f);
	np = realloc(ctx->patterns, (ctx->npatterns + more) * sizeof *np);
	if (np == NULL) {
		fclose(f);
		snprintf(err, CERTCHAIN_ERR_LEN, "%s: out of memory", file);
		return false;
	}
	ctx->patterns = np;
	while (ok && getline(&line, &cap, f) >= 0) {
		char *fields[4] = {0}, *p = line, where[CERTCHAIN_ERR_LEN / 2];
		unsigned nf = 0;
		char *product, *source;

		lineno++;
		chomp(line);
		if (line[0] == '#' || line[strspn(line, " \t")] == '\0')
			continue;
		while (nf < 4) {
			fields[nf++] = p;
			p = strchr(p, '\t');
			if (p == NULL)
				break;
			*p++ = '\0';
		}
		snprintf(where, sizeof where, "%.80s:%zu", file, lineno);
		if (nf < 3 || p != NULL) {
			snprintf(err, CERTCHAIN_ERR_LEN, "%s: expected product, CN "
			         "pattern, O pattern, source, separated by tabs", where);
			ok = false;
			break;
		}
		product = strdup(fields[0]);
		source = strdup(nf == 4 ? fields[3] : "--inspection-names");
		if (product == NULL || source == NULL ||
		    !add_pattern(ctx, product, fields[1], fields[2], source, err,
		                 where)) {
			if (product == NULL || source == NULL)
				snprintf(err, CERTCHAIN_ERR_LEN, "%s: out of memory", where);
			free(product);
			free(source);
			ok = false;
		} else {
			ctx->patterns[ctx->npatterns - 1].own_product = product;
			ctx->patterns[ctx->npatterns - 1].own_source = source;
		}
	}
	free(line);
	fclose(f);
	return ok;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* 64 hex digits (colons allowed) or 44 characters of base64. */
static bool
parse_pin(const char *s, uint8_t out[PIN_LEN])
{
	size_t n = 0;

	if (strncmp(s, "sha256/", 7) == 0 || strncmp(s, "sha256:", 7) == 0)
		s += 7;
	if (strlen(s) == 44 && s[43] == '=') {
		unsigned char buf[48];

		if (EVP_DecodeBlock(buf, (const unsigned char *)s, 44) != 33)
			return false;
		memcpy(out, buf, PIN_LEN);
		return true;
	}
	for (; *s != '\0'; s++) {
		int hi, lo;

		if (*s == ':')
			continue;
		hi = hexval(s[0]);
		lo = s[1] != '\0' ? hexval(s[1]) : -1;
		if (hi < 0 || lo < 0 || n >= PIN_LEN)
			return false;
		out[n++] = (uint8_t)(hi << 4 | lo);
		s++;
	}
	return n == PIN_LEN;
}

static bool
load_pins(struct certchain *ctx, const char *file, char err[CERTCHAIN_ERR_LEN])
{
	FILE *f = fopen(file, "r");
	char *line = NULL;
	size_t cap = 0, lineno = 0, more;
	bool ok = true;

	if (f == NULL) {
		snprintf(err, CERTCHAIN_ERR_LEN, "cannot open %s: %s", file,
		         strerror(errno));
		return false;
	}
	more = count_lines(f);
	ctx->pins = calloc(more, sizeof *ctx->pins);
	if (ctx->pins == NULL) {
		fclose(f);
		snprintf(err, CERTCHAIN_ERR_LEN, "%s: out of memory", file);
		return false;
	}
	while (getline(&line, &cap, f) >= 0) {
		char *words[3] = {0}, *w = line;
		unsigned nw = 0;
		struct pin *p;

		lineno++;
		chomp(line);
		/* split on blanks: NAME HASH */
		while (nw < 3) {
			w += strspn(w, " \t");
			if (*w == '\0')
				break;
			words[nw++] = w;
			w += strcspn(w, " \t");
			if (*w != '\0')
				*w++ = '\0';
		}
		if (nw == 0 || words[0][0] == '#')
			continue;
		p = &ctx->pins[ctx->npins];
		if (nw != 2 || !parse_pin(words[1], p->hash)) {
			snprintf(err, CERTCHAIN_ERR_LEN, "%.100s:%zu: expected NAME and "
			         "a SHA-256 (64 hex digits or 44 base64 characters)",
			         file, lineno);
			ok = false;
			break;
		}
		p->name = strdup(words[0]);
		if (p->name == NULL) {
			snprintf(err, CERTCHAIN_ERR_LEN, "%s: out of memory", file);
			ok = false;
			break;
		}
		ctx->npins++;
	}
	free(line);
	fclose(f);
	return ok;
}

/* A certificate directory prepared by c_rehash / update-ca-certificates:
 * it holds links named by subject hash ("1a2b3c4d.0"). */
static bool
has_hash_links(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool found = false;

	if (d == NULL)
		return false;
	while (!found && (e = readdir(d)) != NULL) {
		const char *n = e->d_name;
		size_t i = 0;

		while (i < 8 && isxdigit((unsigned char)n[i]))
			i++;
		found = i == 8 && n[8] == '.' && isdigit((unsigned char)n[9]);
	}
	closedir(d);
	return found;
}

/* SSL_CERT_FILE unset, or naming the system's own bundle. */
static bool
default_bundle(void)
{
	const char *file = getenv(X509_get_default_cert_file_env());
	char a[PATH_MAX], b[PATH_MAX];

	if (file == NULL || file[0] == '\0')
		return true;
	return realpath(file, a) != NULL &&
	       realpath(X509_get_default_cert_file(), b) != NULL &&
	       strcmp(a, b) == 0;
}

/*
 * The system's roots. OpenSSL's default paths read the whole bundle file
 * up front, some 140 certificates (about 200 million instructions, more
 * than analysing a capture of thousands of connections), and also look
 * roots up in the certificate directory by subject hash. When that
 * directory is hashed, as Debian's is (a link for every root of the
 * bundle), the directory alone finds the same roots, each parsed only when
 * a chain needs it. The bundle is still read whole when SSL_CERT_FILE
 * names another file (the user chose it), or when the directory is not
 * hashed.
 */
static X509_STORE *
system_store(char err[CERTCHAIN_ERR_LEN])
{
	X509_STORE *s = X509_STORE_new();
	const char *dir = getenv(X509_get_default_cert_dir_env());
	X509_LOOKUP *lk;

	if (dir == NULL || dir[0] == '\0')
		dir = X509_get_default_cert_dir();
	if (s == NULL)
		goto fail;
	if (default_bundle() && strchr(dir, ':') == NULL &&
	    has_hash_links(dir)) {
		lk = X509_STORE_add_lookup(s, X509_LOOKUP_hash_dir());
		if (lk != NULL &&
		    X509_LOOKUP_add_dir(lk, dir, X509_FILETYPE_PEM) == 1)
			return s;
		goto fail;
	}
	if (X509_STORE_set_default_paths(s) == 1)
		return s;
fail:
	X509_STORE_free(s);
	snprintf(err, CERTCHAIN_ERR_LEN, "cannot set up the system trust store");
	ERR_clear_error();
	return NULL;
}

static bool
setup_stores(struct certchain *ctx, const struct certchain_cfg *cfg,
             char err[CERTCHAIN_ERR_LEN])
{
	struct stat st;

	ctx->user_anchors = cfg->ca_bundle != NULL || cfg->ca_path != NULL;
	ctx->trust_is_public = !cfg->no_system_ca && !ctx->user_anchors;
	if (cfg->no_system_ca) {
		ctx->trust = X509_STORE_new();
		if (ctx->trust == NULL) {
			snprintf(err, CERTCHAIN_ERR_LEN, "out of memory");
			return false;
		}
	} else {
		ctx->trust = system_store(err);
		if (ctx->trust == NULL)
			return false;
	}
	if (cfg->ca_bundle != NULL &&
	    X509_STORE_load_file(ctx->trust, cfg->ca_bundle) != 1) {
		ossl_err(err, "cannot load the CA bundle", cfg->ca_bundle);
		return false;
	}
	if (cfg->ca_path != NULL) {
		if (stat(cfg->ca_path, &st) != 0 || !S_ISDIR(st.st_mode)) {
			snprintf(err, CERTCHAIN_ERR_LEN, "--ca-path %s: not a directory",
			         cfg->ca_path);
			return false;
		}
		if (X509_STORE_load_path(ctx->trust, cfg->ca_path) != 1) {
			ossl_err(err, "cannot use the CA directory", cfg->ca_path);
			return false;
		}
	}
	/* "a public CA" always means the system store, whatever is trusted */
	if (ctx->trust_is_public) {
		if (X509_STORE_up_ref(ctx->trust) != 1) {
			snprintf(err, CERTCHAIN_ERR_LEN, "out of memory");
			return false;
		}
		ctx->public_store = ctx->trust;
	} else {
		ctx->public_store = system_store(err);
		if (ctx->public_store == NULL)
			return false;
	}
	if (cfg->inspection_ca != NULL) {
		ctx->inspection = X509_STORE_new();
		if (ctx->inspection == NULL ||
		    X509_STORE_load_file(ctx->inspection, cfg->inspection_ca) != 1) {
			ossl_err(err, "cannot load the inspection CA", cfg->inspection_ca);
			return false;
		}
	}
	return true;
}

struct certchain *
certchain_new(const struct certchain_cfg *cfg, char err[CERTCHAIN_ERR_LEN])
{
	struct certchain *ctx = calloc(1, sizeof *ctx);

	err[0] = '\0';
	if (ctx == NULL) {
		snprintf(err, CERTCHAIN_ERR_LEN, "out of memory");
		return NULL;
	}
	ctx->cache_max = cfg->cache_size ? cfg->cache_size : CERTCHAIN_DEFAULT_CACHE;
	ctx->nbuckets = 16;
	while (ctx->nbuckets < ctx->cache_max && ctx->nbuckets < ((size_t)1 << 30))
		ctx->nbuckets <<= 1;
	ctx->buckets = calloc(ctx->nbuckets, sizeof *ctx->buckets);
	ctx->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	ctx->md = EVP_MD_CTX_new();
	ctx->patterns = calloc(inspection_nproducts + 1, sizeof *ctx->patterns);
	if (ctx->buckets == NULL || ctx->sha256 == NULL || ctx->md == NULL ||
	    ctx->patterns == NULL) {
		snprintf(err, CERTCHAIN_ERR_LEN, "out of memory (or no SHA-256)");
		goto fail;
	}
	if (cfg->server_name != NULL) {
		if (strlen(cfg->server_name) >= sizeof ctx->server_name) {
			snprintf(err, CERTCHAIN_ERR_LEN, "--server-name: too long");
			goto fail;
		}
		copy_bounded(ctx->server_name, sizeof ctx->server_name,
		             cfg->server_name, strlen(cfg->server_name));
	}
	for (size_t i = 0; i < inspection_nproducts; i++) {
		const struct inspection_product *ip = &inspection_products[i];
		char where[96];

		snprintf(where, sizeof where, "built-in inspection product %.60s",
		         ip->product);
		if (!add_pattern(ctx, ip->product, ip->cn, ip->o, ip->source, err,
		                 where))
			goto fail;
	}
	if (cfg->inspection_names != NULL &&
	    !load_names(ctx, cfg->inspection_names, err))
		goto fail;
	if (cfg->pin_file != NULL && !load_pins(ctx, cfg->pin_file, err))
		goto fail;
	if (!setup_stores(ctx, cfg, err))
		goto fail;
	return ctx;
fail:
	certchain_free(ctx);
	return NULL;
}

void
certchain_free(struct certchain *ctx)
{
	if (ctx == NULL)
		return;
	while (ctx->lru_head != NULL) {
		struct certchain_entry *e = ctx->lru_head;

		lru_unlink(ctx, e);
		entry_free(e);
	}
	free(ctx->buckets);
	for (size_t i = 0; i < ctx->npatterns; i++) {
		struct pattern *p = &ctx->patterns[i];

		if (p->has_cn)
			regfree(&p->cn);
		if (p->has_o)
			regfree(&p->o);
		free(p->own_product);
		free(p->own_source);
	}
	free(ctx->patterns);
	for (size_t i = 0; i < ctx->npins; i++)
		free(ctx->pins[i].name);
	free(ctx->pins);
	X509_STORE_free(ctx->trust);
	X509_STORE_free(ctx->public_store);
	X509_STORE_free(ctx->inspection);
	EVP_MD_CTX_free(ctx->md);
	EVP_MD_free(ctx->sha256);
	free(ctx);
}

/* ---- evidence for people ---- */

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

static void
problem_line(struct lines *ls, const struct cert_facts *f, int64_t now)
{
	const struct cert_chain *c = f->chain;
	const struct cert_desc *leaf = c->nchain > 0 ? &c->chain[0] : NULL;
	char r[140], s1[96], s2[96], t[CERTCHAIN_TIME_LEN], d[32], names[120];

	switch (f->problem) {
	case CERT_PROBLEM_NONE:
		if (c->name[0] != '\0')
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
	if (f->findings & CERT_F_NO_NAME)
		line(ls, "the client sent no SNI and no --server-name was given: "
		     "the name was not checked");
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
	if (f->leaf_fresh) {
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
