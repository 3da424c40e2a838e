/* chain_build.c: the certificates a server sent, parsed (DER) and described (RFC 5280 4.1), made into a cache entry. */
#include <arpa/inet.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
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

#include "cert/certchain_int.h"

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

int64_t
chain_asn1_time_secs(const ASN1_TIME *t)
{
	struct tm tm;

	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return TIME_UNKNOWN;
	return days_from_civil((int64_t)tm.tm_year + 1900, (int64_t)tm.tm_mon + 1,
	                       tm.tm_mday) * 86400 +
	       (int64_t)tm.tm_hour * 3600 + (int64_t)tm.tm_min * 60 + tm.tm_sec;
}

/* ---- describing one certificate ---- */

/* RFC 2253 one-line, UTF-8 kept (only what RFC 2253 requires escaped). */
void
chain_name_str(char *dst, size_t len, const X509_NAME *n)
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
			if (d->dns_name[0] == '\0')
				copy_bounded(d->dns_name, CERT_NAME_LEN, text,
				             strlen(text));
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

/* Without a dNSName SAN, the subject's first common name names it. */
static void
describe_cn(struct cert_desc *d, X509 *x)
{
	const X509_NAME *n = X509_get_subject_name(x);
	const X509_NAME_ENTRY *e;
	unsigned char *utf8 = NULL;
	int i, len;

	if (d->dns_name[0] != '\0' || n == NULL)
		return;
	i = X509_NAME_get_index_by_NID(n, NID_commonName, -1);
	e = i >= 0 ? X509_NAME_get_entry(n, i) : NULL;
	if (e == NULL)
		return;
	len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(e));
	if (len > 0 && utf8 != NULL)
		san_text(d->dns_name, sizeof d->dns_name, utf8, (size_t)len);
	OPENSSL_free(utf8);
	ERR_clear_error();
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

/*
 * An EC key whose parameters are given in full (RFC 3279 2.3.5
 * ECParameters, a SEQUENCE) instead of a named curve (an OID), which RFC
 * 5480 2.1.1 forbids: Windows CryptoAPI matched roots by key alone and let
 * such parameters forge them (CVE-2020-0601, "CurveBall").
 */
static bool
explicit_ec(X509 *x)
{
	X509_PUBKEY *xpk = X509_get_X509_PUBKEY(x);
	ASN1_OBJECT *alg = NULL;
	X509_ALGOR *pa = NULL;
	const ASN1_OBJECT *aobj = NULL;
	const void *pval = NULL;
	int ptype = V_ASN1_UNDEF;

	if (xpk == NULL ||
	    X509_PUBKEY_get0_param(&alg, NULL, NULL, &pa, xpk) != 1 ||
	    alg == NULL || OBJ_obj2nid(alg) != NID_X9_62_id_ecPublicKey ||
	    pa == NULL)
		return false;
	X509_ALGOR_get0(&aobj, &ptype, &pval, pa);
	return ptype == V_ASN1_SEQUENCE;
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
	chain_name_str(d->subject, sizeof d->subject, X509_get_subject_name(x));
	chain_name_str(d->issuer, sizeof d->issuer, X509_get_issuer_name(x));
	describe_serial(d, x);
	d->not_before = chain_asn1_time_secs(X509_get0_notBefore(x));
	d->not_after = chain_asn1_time_secs(X509_get0_notAfter(x));
	describe_sans(d, x);
	describe_cn(d, x);
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

/* ---- building a cache entry: everything that does not depend on time ---- */

struct certchain_entry *
chain_build_entry(struct certchain *ctx, const struct tls_certificate *certs,
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
	c->weak_sig_cert = c->small_key_cert = c->explicit_ec_cert = -1;
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
		if (x[i] != NULL && c->explicit_ec_cert < 0 && explicit_ec(x[i]))
			c->explicit_ec_cert = (int8_t)i;
		/* a root's own signature is never checked: only those below */
		if (weak && !d->self_signed && c->weak_sig_cert < 0)
			c->weak_sig_cert = (int8_t)i;
	}
	if (c->small_key_cert >= 0)
		e->findings |= CERT_F_SMALL_KEY;
	if (c->weak_sig_cert >= 0)
		e->findings |= CERT_F_WEAK_SIGNATURE;
	if (c->explicit_ec_cert >= 0)
		e->findings |= CERT_F_EXPLICIT_EC;

	if (n == 0) {
		e->problem = CERT_PROBLEM_OTHER;
		e->code = X509_V_ERR_UNSPECIFIED;
	} else if (x[0] == NULL) {
		e->problem = CERT_PROBLEM_UNPARSEABLE;
		e->problem_cert = 0;
		e->code = X509_V_ERR_UNSPECIFIED;
	} else {
		e->leaf_self_signed = c->chain[0].self_signed;
		e->leaf_proxy = (X509_get_extension_flags(x[0]) &
		                 EXFLAG_PROXY) != 0;
		chain_verify_entry(ctx, e, x, n, certs);
	}
	for (uint16_t i = 0; i < n; i++)
		X509_free(x[i]);
	return e;
}
