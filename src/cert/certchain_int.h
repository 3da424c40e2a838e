/*
 * certchain_int.h: what the pieces of the chain analysis share, private to
 * src/cert/ (the public interface is certchain.h): the analysis context, a
 * cache entry, what one verification run saw, and the functions one piece
 * calls in another, grouped by the file that defines them.
 */
#ifndef CERTCHAIN_INT_H
#define CERTCHAIN_INT_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "cert/certchain.h"
#include "cert/trust_history.h"
#include "util/utf8.h"

/* A time that could not be read from a certificate. */
#define TIME_UNKNOWN CERTCHAIN_TIME_UNKNOWN
/* The path OpenSSL built: what the server sent plus store certificates. */
#define PATH_MAX_LEN (TLS_HS_MAX_CERTS + 4)
#define PIN_LEN 32

/* An inspection product's issuer patterns (inspection.c). */
struct pattern {
	const char *product;
	const char *source;
	bool has_cn, has_o;
	regex_t cn, o;
	char *own_product, *own_source; /* from --inspection-names: ours */
};

/* A --pin line: a name and the SHA-256 of its leaf or of its key. */
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
	/* the leaf is an RFC 3820 proxy certificate (proxyCertInfo): grid
	 * middleware issues one from the user's own certificate just before
	 * use, so a fresh not_before is its nature, not a forgery's */
	bool leaf_proxy;
	/* whether the issuer is a public CA cannot be told: the leaf's issuer
	 * is missing, so no store could verify it */
	bool public_unknown;
	/* the trust store lacked a root for it (an issuer neither sent nor
	 * trusted, or a root sent and not trusted): capture-time trust may
	 * explain it */
	bool trust_failed;

	/* The last capture-time verification (trust_history.h): against the
	 * store of roots hist_id (0: none yet), whether it verified, the root
	 * reached and the path built. */
	uint32_t hist_id;
	/* The roots this chain could end at (trust_history_candidates),
	 * once worked out. */
	bool hist_cand_known;
	uint64_t hist_cand[TH_SET_WORDS];
	bool hist_ok;
	const struct th_root *hist_root;
	struct path_el hist_path[PATH_MAX_LEN];
	uint8_t nhist_path;
};

struct certchain {
	X509_STORE *trust;           /* what the client trusts */
	X509_STORE *public_store;    /* the system store ("a public CA") */
	X509_STORE *inspection;      /* --inspection-ca, or NULL */
	struct trust_history *history; /* NULL: capture-time trust off */
	void (*warn)(void *arg, const char *msg);
	void *warn_arg;
	char history_err[TH_ERR_LEN];
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

/* ---- small helpers, for every piece ---- */

static inline void
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

/* Certificate text for evidence lines: escaped, bounded. Names are RFC
 * 4514 strings already (their backslashes are their escapes): kept
 * single. */
static inline const char *
safe(char *buf, size_t len, const char *s)
{
	return utf8_sanitize_text(buf, len, (const uint8_t *)s, strlen(s));
}

/* chain_build.c: the certificates as sent */
/* RFC 2253 one-line, UTF-8 kept (only what RFC 2253 requires escaped). */
void chain_name_str(char *dst, size_t len, const X509_NAME *n);
/* Unix seconds, or TIME_UNKNOWN. */
int64_t chain_asn1_time_secs(const ASN1_TIME *t);
/* A new entry (not in the cache) for the chain, verified; NULL when out of
 * memory. */
struct certchain_entry *chain_build_entry(struct certchain *ctx,
                                          const struct tls_certificate *certs,
                                          const char *name, bool from_sni);

/* chain_verify.c: trust stores and verification */
bool chain_setup_stores(struct certchain *ctx, const struct certchain_cfg *cfg,
                        char err[CERTCHAIN_ERR_LEN]);
/*
 * One verification run, time aside, as a TLS client judges a server
 * ("ssl_server" purpose and trust). Returns the store context (for its
 * chain; the caller frees it) or NULL when OpenSSL could not run at all.
 */
X509_STORE_CTX *chain_run_verify(X509_STORE *store, X509 *leaf,
                                 STACK_OF(X509) *untrusted, const char *name,
                                 struct vstate *v);
bool chain_ok(const struct vstate *v);
/* The subject of the top of the path verification built. */
void chain_top_subject(X509_STORE_CTX *sctx, char *dst, size_t len);
/* Verifies the chain x[0..n) (leaf first) of a new entry and fills its
 * outcome, time aside, and its interception signals. */
void chain_verify_entry(struct certchain *ctx, struct certchain_entry *e,
                        X509 *const *x, uint16_t n,
                        const struct tls_certificate *certs);
/* The capture-time verification of an entry against store (roots set
 * id): re-reads the certificates as sent and fills e->hist_*. */
void chain_verify_history(struct certchain_entry *e,
                          const struct tls_certificate *certs,
                          X509_STORE *store, uint32_t id,
                          const struct trust_history *th);
/* OpenSSL's text for a verification error. */
const char *chain_own_reason(int code);

/* chain_classify.c: what is wrong */
/* The problem of a new entry from its verification run, time aside. */
void chain_classify(struct certchain_entry *e, const struct vstate *v);
/* The validity windows of the path against the capture time (now): *tp
 * and *tcode the time problem, f the problem certificate, its time and
 * CERT_F_EXPIRING_SOON. */
void chain_judge_time(const struct certchain_entry *e, int64_t now,
                      struct cert_facts *f, enum cert_problem *tp, int *tcode);
/* The same for any path (the capture-time one). */
void chain_judge_path(const struct path_el *path, uint8_t npath,
                      const struct cert_chain *c, int64_t now,
                      struct cert_facts *f, enum cert_problem *tp, int *tcode);

/* Capture-time trust in one sentence (facts with trusted_then). */
void chain_then_text(char *buf, size_t len, const struct cert_facts *f,
                     int64_t now);

/* inspection.c: interception signals */
/* The built-in product patterns, --inspection-names and --pin. */
bool chain_inspection_setup(struct certchain *ctx,
                            const struct certchain_cfg *cfg,
                            char err[CERTCHAIN_ERR_LEN]);
/* The patterns and pins, for certchain_free(). */
void chain_inspection_free(struct certchain *ctx);
/* The time-independent interception signals of a new entry; vm is its
 * verification run against the trust store. */
void chain_interception_signals(struct certchain *ctx,
                                struct certchain_entry *e,
                                X509 *const *x, uint16_t n,
                                STACK_OF(X509) *untrusted,
                                const struct vstate *vm,
                                const struct ta_bytes *leaf_der);

#endif
