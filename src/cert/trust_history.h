/*
 * trust_history.h: the roots Mozilla's store held over time (data/trust-history/:
 * roots.csv and roots.pem, from the history of python-certifi's bundle), read
 * lazily and fail-closed, and the store of the roots trusted on a given date.
 *
 * A chain that does not verify against this machine's store for want of a
 * root is tried again against the roots Mozilla-based clients trusted on the
 * capture's date: this machine's store is not the client's, nor the store of
 * the day the capture was taken. See doc/certificates.md, "Capture-time
 * trust".
 *
 * Memory: at most TH_MAX_ROOTS roots (the data holds 304), parsed once, and
 * TH_STORES stores of the roots of one date, rebuilt when another set of
 * roots is asked for. Nothing is read before the first question.
 */
#ifndef TRUST_HISTORY_H
#define TRUST_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#define TH_MAX_ROOTS 1024
#define TH_MAX_INTERVALS 8
#define TH_LABEL_LEN 96
#define TH_ERR_LEN 256
/* Stores of one date's roots kept at once. */
#define TH_STORES 4
/*
 * certifi trails Mozilla by weeks to months and clients update later still
 * (the data's README): a root counts as trusted this long before it entered
 * the bundle and after it left.
 */
#define TH_SLACK_SECS (180LL * 86400)
/* An interval still open: the root is in the newest bundle. */
#define TH_OPEN INT64_MAX

/* The environment variable that names the directory instead of the
 * installed one (an uninstalled build, the tests). */
#define TH_ENV "TLSAUTOPSY_TRUST_HISTORY"

struct th_interval {
	int64_t from, to;            /* Unix seconds, [from, to); to TH_OPEN */
	bool since_start;            /* from is the history's first bundle: the
	                              * root may have been in the store long
	                              * before (the data cannot say) */
};

struct th_root {
	/* The certificate is decoded only when a chain may end at it (its
	 * subject is a chain's issuer): decoding all of them cost more than
	 * most captures' whole analysis. */
	X509 *x;                     /* NULL until then */
	uint8_t *der;                /* its DER, from roots.pem */
	size_t der_len;
	X509_NAME *subject, *issuer; /* read from the DER at load */
	char label[TH_LABEL_LEN];    /* the CSV's label, e.g. "DST Root CA X3" */
	int64_t not_before, not_after;
	uint8_t sha256[32];          /* of the DER */
	struct th_interval iv[TH_MAX_INTERVALS];
	uint8_t niv;
	unsigned line;               /* in roots.csv, for messages */
};

struct trust_history;

/* A history to be read from dir (roots.csv and roots.pem) on first use;
 * nothing is read now. NULL when out of memory. */
struct trust_history *trust_history_new(const char *dir);
void trust_history_free(struct trust_history *th);

/*
 * Reads the files on the first call (later calls answer at once). False
 * when they cannot be used: err says why, naming the file and the line,
 * and *first is true on the one call that found out (so the caller says
 * it once). The whole history is refused on any bad line.
 */
bool trust_history_load(struct trust_history *th, char err[TH_ERR_LEN],
                        bool *first);
/* The directory the history is read from. */
const char *trust_history_dir(const struct trust_history *th);

/* Roots decoded so far: only those a chain could end at are. */
size_t trust_history_decoded(const struct trust_history *th);

/* A set of roots, one bit per root in roots.csv order. */
#define TH_SET_WORDS ((TH_MAX_ROOTS + 63) / 64)

/*
 * The roots a chain could end at: those whose subject is the issuer of one
 * of the chain's certificates (DER views der[i], len[i]), and the issuers
 * of those in turn (a root cross-signed by another). A certificate whose
 * issuer cannot be read marks none. Another root cannot be on a path built
 * from these certificates, so a store of these verifies as the whole one.
 */
void trust_history_candidates(const struct trust_history *th,
                              const uint8_t *const *der, const size_t *len,
                              unsigned n, uint64_t set[TH_SET_WORDS]);

/*
 * The store of the roots among candidates trusted at t (an interval, slack
 * included, holds t, and the root itself is valid at t). *id names the set
 * of roots: the same id, the same store. NULL when none or out of memory.
 * The store belongs to the history and lives until the next call.
 */
X509_STORE *trust_history_store_at(struct trust_history *th, int64_t t,
                                   const uint64_t candidates[TH_SET_WORDS],
                                   uint32_t *id);

/* The root with x's DER, or NULL. */
const struct th_root *trust_history_find(const struct trust_history *th,
                                         X509 *x);
/* The interval of r that holds t (slack included), or NULL. */
const struct th_interval *trust_history_interval(const struct th_root *r,
                                                 int64_t t);

/* Parsing helpers, exposed for the tests. "2011-12-28" -> Unix seconds;
 * false when it is not a date. */
bool trust_history_parse_date(const char *s, size_t n, int64_t *t);
/* "2000-09-30T21:12:19Z" -> Unix seconds. */
bool trust_history_parse_time(const char *s, size_t n, int64_t *t);

#endif
