/*
 * certchain.h: certificate chain analysis (RFC 5280 6, path validation;
 * RFC 6125 6, the name check) and TLS-interception signals, with OpenSSL 3,
 * the way a client would have judged the chain the server sent.
 *
 * Verification, per connection:
 *  - trust anchors: the system store unless no_system_ca, plus ca_bundle
 *    and ca_path; the certificates the server sent are untrusted
 *    intermediates, and nothing seen on another connection is used;
 *  - time: the capture time of the Certificate frame, never now;
 *  - name: the client's SNI, else cfg->server_name, else none
 *    (CERT_F_NO_NAME);
 *  - purpose: TLS server; no security level (weak signatures and small keys
 *    are findings, not failures).
 *
 * Cost: the time-independent outcome (parsing, signatures, path building,
 * name check, interception signals) is computed once per (SHA-256 over the
 * chain's DER encodings, name checked, where the name came from) and kept
 * in a bounded LRU cache; the trust options are fixed for a context's
 * lifetime, and the cache belongs to the context, so they are part of every
 * key. Per connection only the validity windows of the built path are
 * compared with the capture time. See doc/certificates.md.
 *
 * Lifetime: certchain_analyse() points facts->chain at a cache entry and
 * takes a reference on it; the chain stays valid, even if the cache evicts
 * the entry meanwhile, until certchain_release() drops that reference.
 * Release every analysed facts before certchain_free().
 */
#ifndef CERTCHAIN_H
#define CERTCHAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cert/cert_facts.h"
#include "ta.h"
#include "tls_hs.h"

#define CERTCHAIN_DEFAULT_CACHE 256  /* entries; one holds a cert_chain (~40 KiB) */
#define CERTCHAIN_ERR_LEN 256
/* A leaf whose not_before lies this close before the capture was issued
 * for this connection, as inspection proxies forge on the fly. */
#define CERTCHAIN_FRESH_SECS (10 * 60)
#define CERTCHAIN_EXPIRING_SECS (14 * 86400)
/* "2026-11-20T14:03:22Z" */
#define CERTCHAIN_TIME_LEN 32
/* cert_desc.not_before/not_after when the certificate's field is unreadable. */
#define CERTCHAIN_TIME_UNKNOWN INT64_MIN
/* A capture time before 1996-01-01 (SSL 3.0's year) is no clock: a file
 * without time stamps (pcapng Simple Packet Blocks) or one rewritten to
 * 0. Certificates are not judged by their dates at such a time. */
#define CERTCHAIN_TIME_FLOOR 820454400

struct certchain_cfg {
	bool no_system_ca;           /* do not trust the system store (it still
	                              * tells what a public CA is) */
	const char *ca_bundle;       /* PEM file of trust anchors, or NULL */
	const char *ca_path;         /* directory in c_rehash layout, or NULL */
	const char *inspection_ca;   /* PEM roots of known inspection proxies */
	const char *inspection_names; /* extra product patterns (see below) */
	const char *server_name;     /* checked when the client sent no SNI */
	const char *pin_file;        /* expected leaf or SPKI SHA-256 per name */
	size_t cache_size;           /* 0: CERTCHAIN_DEFAULT_CACHE */
	/* The directory of Mozilla's root store history (roots.csv and
	 * roots.pem); NULL: $TLSAUTOPSY_TRUST_HISTORY, else the installed
	 * one. Not used with no_system_ca (the user said what the client
	 * trusts). Read only when a chain first fails for want of a root. */
	const char *trust_history;
	/* Told once, in a line, when that history cannot be read; may be
	 * NULL. */
	void (*warn)(void *arg, const char *msg);
	void *warn_arg;
};

/*
 * inspection_names, and the built-in list (src/cert/data/inspection-products.txt):
 * one product per line, tab-separated: product, issuer CN regex, issuer O
 * regex, source. A regex is POSIX extended, matches the whole value and is
 * case-sensitive; an empty field or "-" means "not used". When both are
 * given, both must match. '#' starts a comment line.
 *
 * pin_file: one pin per line, "NAME SHA256" (whitespace-separated), where
 * SHA256 is 64 hex digits (colons allowed) or 44 characters of base64, and
 * matches either the DER of the leaf or its SubjectPublicKeyInfo. A name
 * with several lines accepts any of them. '#' starts a comment line.
 */

struct certchain_stats {
	uint64_t lookups;            /* certchain_analyse calls with a chain */
	uint64_t hits;               /* answered from the cache */
	uint64_t verifications;      /* chains verified (cache misses) */
	uint64_t evictions;
	uint64_t entries;            /* in the cache now */
};

struct certchain;

/* NULL on failure, with a one-line reason (naming the file) in err. */
struct certchain *certchain_new(const struct certchain_cfg *cfg,
                                char err[CERTCHAIN_ERR_LEN]);
void certchain_free(struct certchain *ctx);

/*
 * Analyses the chain a server sent (certs: leaf first, DER views needed
 * only during the call) as of capture_time, against sni (NUL-terminated;
 * NULL or "" when the client sent none). Fills *out entirely (out->time
 * is capture_time) except out->frame, which the caller owns (set it before
 * or after). Never fails:
 * unparseable certificates are described as such; if memory runs out, the
 * facts say so through CERT_PROBLEM_OTHER with chain NULL.
 */
void certchain_analyse(struct certchain *ctx, const struct tls_certificate *certs,
                       const char *sni, ta_time capture_time,
                       struct cert_facts *out);
/* Drops the facts' reference on their chain (chain becomes NULL). */
void certchain_release(struct certchain *ctx, struct cert_facts *f);

void certchain_get_stats(const struct certchain *ctx, struct certchain_stats *st);

/*
 * Lines for a person, each citing the Certificate frame: the problem, the
 * findings, the interception signals. Returns how many were written (at
 * most max). Names from certificates are escaped (utf8_sanitize).
 */
unsigned certchain_evidence(const struct cert_facts *f, ta_time capture_time,
                            char lines[][CERT_EVIDENCE_LEN], unsigned max);

/* The interception evidence of a connection without frame references:
 * the chain's signals, then the per-connection one. */
unsigned certchain_interception_evidence(const struct cert_facts *f,
                                         char lines[][CERT_EVIDENCE_LEN],
                                         unsigned max);

/* Capture-time trust in one sentence, for facts with trusted_then: which
 * root, when it was in Mozilla's store, the capture's date. */
void certchain_then_text(char *buf, size_t len, const struct cert_facts *f);

/* Stable names: "incomplete", "expired", ... ("none" for NONE). */
const char *certchain_problem_str(enum cert_problem p);
/* Unix seconds as "2026-11-20T14:03:22Z". */
char *certchain_time_iso(char buf[CERTCHAIN_TIME_LEN], int64_t t);

/*
 * The certificates object of a connection (doc/json.md), written as the
 * member "certificates" of the object open in j. f NULL or not visible:
 * the chain was not seen (under TLS 1.3 it is encrypted).
 */
struct json;
void report_json_cert(struct json *j, const struct cert_facts *f,
                      ta_time capture_time);
/* A compact chain summary for the text report; verbose adds SANs and
 * fingerprints. */
void report_text_cert(FILE *out, const struct cert_facts *f,
                      ta_time capture_time, unsigned verbose);

#endif
