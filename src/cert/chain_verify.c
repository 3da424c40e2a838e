/* chain_verify.c: trust stores (system roots looked up lazily) and path verification as a TLS client does it (RFC 5280 6, RFC 6125 6). */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "cert/certchain_int.h"

static bool
name_is_ip(const char *name)
{
	unsigned char a[16];

	return inet_pton(AF_INET, name, a) == 1 || inet_pton(AF_INET6, name, a) == 1;
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

bool
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
X509_STORE_CTX *
chain_run_verify(X509_STORE *store, X509 *leaf, STACK_OF(X509) *untrusted,
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
sent_index(X509 *const *x, uint16_t n, const X509 *c);

/*
 * The capture-time verification: the certificates as sent, against the
 * roots Mozilla's store held on the capture's date (the caller's store),
 * time aside as for the main run (the path's windows are judged per
 * connection). The name is the main run's business.
 */
void
chain_verify_history(struct certchain_entry *e,
                     const struct tls_certificate *certs, X509_STORE *store,
                     uint32_t id, const struct trust_history *th)
{
	X509 *x[TLS_HS_MAX_CERTS] = {0};
	uint16_t n = certs->count < TLS_HS_MAX_CERTS ? certs->count :
	             TLS_HS_MAX_CERTS;
	STACK_OF(X509) *untrusted = sk_X509_new_null();
	X509_STORE_CTX *sctx = NULL;
	struct vstate v;

	e->hist_id = id;
	e->hist_ok = false;
	e->hist_root = NULL;
	e->nhist_path = 0;
	for (uint16_t i = 0; i < n; i++) {
		const unsigned char *p = certs->der[i].p;

		if (certs->der[i].n > 0 && certs->der[i].n <= LONG_MAX)
			x[i] = d2i_X509(NULL, &p, (long)certs->der[i].n);
		if (x[i] != NULL && p != certs->der[i].p + certs->der[i].n) {
			X509_free(x[i]);
			x[i] = NULL;
		}
		if (i > 0 && x[i] != NULL && untrusted != NULL &&
		    sk_X509_push(untrusted, x[i]) <= 0)
			goto out;
	}
	if (untrusted == NULL || n == 0 || x[0] == NULL)
		goto out;
	sctx = chain_run_verify(store, x[0], untrusted, NULL, &v);
	if (sctx == NULL || !chain_ok(&v))
		goto out;
	{
		STACK_OF(X509) *path = X509_STORE_CTX_get0_chain(sctx);
		int len = path != NULL ? sk_X509_num(path) : 0;

		for (int i = 0; i < len && e->nhist_path < PATH_MAX_LEN; i++) {
			X509 *c = sk_X509_value(path, i);
			struct path_el *pe = &e->hist_path[e->nhist_path++];

			pe->sent = (int16_t)sent_index(x, n, c);
			pe->not_before = chain_asn1_time_secs(X509_get0_notBefore(c));
			pe->not_after = chain_asn1_time_secs(X509_get0_notAfter(c));
		}
		if (len > 0)
			e->hist_root = trust_history_find(th,
			                                  sk_X509_value(path, len - 1));
	}
	e->hist_ok = e->hist_root != NULL;
out:
	X509_STORE_CTX_free(sctx);
	sk_X509_free(untrusted);
	for (uint16_t i = 0; i < n; i++)
		X509_free(x[i]);
	ERR_clear_error();
}

static int
sent_index(X509 *const *x, uint16_t n, const X509 *c)
{
	for (uint16_t i = 0; i < n; i++)
		if (x[i] == c)
			return i;
	return -1;
}

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
		p->not_before = chain_asn1_time_secs(X509_get0_notBefore(c));
		p->not_after = chain_asn1_time_secs(X509_get0_notAfter(c));
	}
}

void
chain_top_subject(X509_STORE_CTX *sctx, char *dst, size_t len)
{
	STACK_OF(X509) *path = X509_STORE_CTX_get0_chain(sctx);
	int n = path ? sk_X509_num(path) : 0;

	dst[0] = '\0';
	if (n > 0)
		chain_name_str(dst, len,
		               X509_get_subject_name(sk_X509_value(path, n - 1)));
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

void
chain_verify_entry(struct certchain *ctx, struct certchain_entry *e,
                   X509 *const *x, uint16_t n,
                   const struct tls_certificate *certs)
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
	sctx = chain_run_verify(ctx->trust, x[0], untrusted, c->name, &vm);
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

		chain_top_subject(sctx, c->anchor, sizeof c->anchor);
		c->anchor_not_before = top->not_before;
		c->anchor_not_after = top->not_after;
	}
	X509_STORE_CTX_free(sctx);
	chain_classify(e, &vm);
	e->trust_failed = vm.missing_leaf_issuer || vm.missing_issuer ||
	                  vm.untrusted_root;

	/* a chain that verifies with the user's anchors alone is known not to
	 * be public; one whose leaf issuer is nowhere cannot be told */
	e->public_unknown = vm.missing_leaf_issuer;
	if (ctx->trust_is_public) {
		c->public_issuer = chain_ok(&vm);
	} else {
		struct vstate vp;

		sctx = chain_run_verify(ctx->public_store, x[0], untrusted, NULL,
		                        &vp);
		c->public_issuer = sctx != NULL && chain_ok(&vp);
		X509_STORE_CTX_free(sctx);
	}
	chain_interception_signals(ctx, e, x, n, untrusted, &vm,
	                           &certs->der[0]);
	sk_X509_free(untrusted);
	return;
oom:
	sk_X509_free(untrusted);
	e->problem = CERT_PROBLEM_OTHER;
	e->code = X509_V_ERR_OUT_OF_MEM;
}

const char *
chain_own_reason(int code)
{
	const char *r = X509_verify_cert_error_string(code);

	return r != NULL ? r : "unknown verification error";
}

/* ---- trust stores ---- */

static void
ossl_err(char err[CERTCHAIN_ERR_LEN], const char *what, const char *file)
{
	unsigned long e = ERR_peek_last_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;

	snprintf(err, CERTCHAIN_ERR_LEN, "%s %s: %s", what, file,
	         r ? r : "cannot read it");
	ERR_clear_error();
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

bool
chain_setup_stores(struct certchain *ctx, const struct certchain_cfg *cfg,
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
