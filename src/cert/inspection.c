/* inspection.c: TLS-interception signals (inspection products' issuer names, --inspection-ca, --pin, a private root). */
#include <errno.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "cert/certchain_int.h"
#include "cert/inspection_products.h"

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
			chain_name_str(who, sizeof who,
			               X509_get_issuer_name(x[i]));
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

void
chain_interception_signals(struct certchain *ctx, struct certchain_entry *e,
                           X509 *const *x, uint16_t n,
                           STACK_OF(X509) *untrusted, const struct vstate *vm,
                           const struct ta_bytes *leaf_der)
{
	struct cert_chain *c = &e->chain;
	struct cert_interception *ic = &c->interception;
	char s1[128], s2[128];

	match_products(ctx, c, x, n);
	if (ctx->inspection != NULL) {
		struct vstate vi;
		X509_STORE_CTX *sctx = chain_run_verify(ctx->inspection, x[0],
		                                        untrusted, NULL, &vi);
		if (sctx != NULL && chain_ok(&vi)) {
			char ca[CERT_NAME_LEN];

			chain_top_subject(sctx, ca, sizeof ca);
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

/* ---- configuration: product patterns and pins ---- */

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

/* The built-in product patterns, then --inspection-names, then --pin. */
bool
chain_inspection_setup(struct certchain *ctx, const struct certchain_cfg *cfg,
                       char err[CERTCHAIN_ERR_LEN])
{
	for (size_t i = 0; i < inspection_nproducts; i++) {
		const struct inspection_product *ip = &inspection_products[i];
		char where[96];

		snprintf(where, sizeof where, "built-in inspection product %.60s",
		         ip->product);
		if (!add_pattern(ctx, ip->product, ip->cn, ip->o, ip->source, err,
		                 where))
			return false;
	}
	if (cfg->inspection_names != NULL &&
	    !load_names(ctx, cfg->inspection_names, err))
		return false;
	if (cfg->pin_file != NULL && !load_pins(ctx, cfg->pin_file, err))
		return false;
	return true;
}

void
chain_inspection_free(struct certchain *ctx)
{
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
}
