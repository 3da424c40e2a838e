/*
 * cert_facts.h: what the certificate chain analysis (certchain.c) found
 * about the chain a server sent, as plain facts for the diagnosis and the
 * reports. Filled at the Certificate message (TLS <= 1.2, where it is in
 * clear); under TLS 1.3 the chain is encrypted and `visible` is false.
 */
#ifndef CERT_FACTS_H
#define CERT_FACTS_H

#include <stdbool.h>
#include <stdint.h>

#include "ta.h"

struct certchain_entry;

#define CERT_MAX_CHAIN 8        /* certificates described per chain */
#define CERT_MAX_SAN 16         /* names kept per certificate */
#define CERT_NAME_LEN 256       /* subject/issuer/SAN, UTF-8, raw */
#define CERT_EVIDENCE_MAX 6
#define CERT_EVIDENCE_LEN 200

/* The one failure that explains the chain, most specific first. */
enum cert_problem {
	CERT_PROBLEM_NONE = 0,       /* verifies and covers the name */
	CERT_PROBLEM_UNPARSEABLE,    /* the leaf's DER does not parse */
	CERT_PROBLEM_INCOMPLETE,     /* an intermediate is missing */
	CERT_PROBLEM_EXPIRED,        /* a certificate past not_after */
	CERT_PROBLEM_NOT_YET_VALID,  /* a certificate before not_before */
	CERT_PROBLEM_NAME_MISMATCH,  /* the leaf does not cover the name */
	CERT_PROBLEM_SELF_SIGNED,    /* the leaf is self-signed */
	CERT_PROBLEM_UNTRUSTED,      /* ends in a root not trusted */
	CERT_PROBLEM_OTHER,          /* another verification failure */
};

/* Findings on any chain (bit set). */
enum cert_finding {
	CERT_F_WEAK_SIGNATURE = 1u << 0, /* MD5 or SHA-1 signature below the root */
	CERT_F_SMALL_KEY = 1u << 1,      /* RSA < 2048, EC < 224 bits */
	CERT_F_EXPIRING_SOON = 1u << 2,  /* within 14 days of the capture */
	CERT_F_NO_NAME = 1u << 3,        /* no SNI and no --server-name: name not checked */
	CERT_F_EXPLICIT_EC = 1u << 4,    /* an EC key with explicit parameters
	                                  * (CVE-2020-0601 class) */
};

struct cert_desc {
	bool parsed;                 /* false: the DER did not parse */
	char subject[CERT_NAME_LEN]; /* RFC 2253 one-line */
	char issuer[CERT_NAME_LEN];
	char serial[64];             /* hex */
	int64_t not_before, not_after; /* Unix seconds, UTC */
	char san[CERT_MAX_SAN][CERT_NAME_LEN];
	uint8_t nsan;
	uint8_t san_dropped;
	char sha256[65];             /* of the DER, lowercase hex */
	char key[32];                /* "RSA 2048", "EC 256 (prime256v1)" */
	char sig_alg[64];            /* "sha256WithRSAEncryption" */
	bool is_ca;
	int pathlen;                 /* -1: none */
	bool self_signed;            /* subject == issuer and own key verifies */
	char ski[64], aki[64];       /* key identifiers, hex */
	/* The name it is for, as a report names the server: the first
	 * dNSName SAN, else the subject's first CN; "" when neither. */
	char dns_name[CERT_NAME_LEN];
};

/*
 * The time-independent signals of the chain. One more, per connection,
 * lives in struct cert_facts (a leaf issued minutes before the capture):
 * read cert_facts.intercepted for the verdict of a connection.
 */
struct cert_interception {
	bool suspected;
	char product[64];            /* "" when no product is named */
	bool by_inspection_ca;       /* verifies against --inspection-ca */
	bool pin_mismatch;           /* --pin names this server, leaf differs */
	bool private_root;           /* verifies with --ca-bundle/--ca-path
	                              * only, not with the system store */
	unsigned nevidence;
	char evidence[CERT_EVIDENCE_MAX][CERT_EVIDENCE_LEN];
};

/*
 * What one chain is, whoever sent it and whenever: large, so it is
 * computed once per (chain digest, name checked, trust options), cached,
 * shared by every connection that presented it, and immutable.
 */
struct cert_chain {
	uint16_t count;              /* certificates the server sent */
	struct cert_desc chain[CERT_MAX_CHAIN]; /* in the order sent */
	uint16_t nchain;
	char name[CERT_NAME_LEN];    /* the name checked ("" when none) */
	bool name_from_sni;          /* else from --server-name */
	struct cert_interception interception;

	/* The path verification built, time aside. */
	bool name_covered;           /* the leaf covers name (false when "") */
	bool public_issuer;          /* verifies against the system store */
	char anchor[CERT_NAME_LEN];  /* trust anchor reached; "" when none */
	int64_t anchor_not_before, anchor_not_after;
	int8_t weak_sig_cert;        /* first MD5/SHA-1 signed one, or -1 */
	int8_t small_key_cert;       /* first small key, or -1 */
	int8_t explicit_ec_cert;     /* first EC key with explicit parameters,
	                              * or -1 */
};

/*
 * Per connection: small. The time-dependent part (expiry is judged at the
 * capture time of the Certificate frame, not now) is decided per
 * connection from the shared chain.
 */
struct cert_facts {
	bool visible;                /* a Certificate message was read */
	ta_frame frame;              /* the frame that completed it */
	ta_time time;                /* its capture time: what was judged */
	/* That time is no clock (before CERTCHAIN_TIME_FLOOR: a capture
	 * without time stamps, or rewritten to 0): the dates were not
	 * judged (no time problem, no capture-time trust, no fresh leaf). */
	bool time_unknown;
	const struct cert_chain *chain; /* shared; valid while the facts are */
	bool no_client_hello;        /* the ClientHello is not in the capture:
	                              * whether it named the server is unknown */

	/* Verification against the trust store, at the capture time of the
	 * Certificate frame, against chain->name. */
	bool verify_ok;
	int verify_code;             /* OpenSSL X509_V_ERR_*, 0 when ok */
	const char *verify_reason;   /* static text (OpenSSL's) */

	enum cert_problem problem;
	int problem_cert;            /* index in chain, -1 when not one cert */
	int64_t problem_time;        /* expired / not yet valid: the not_after
	                              * or not_before passed (Unix seconds) */
	uint32_t findings;           /* enum cert_finding */
	int expiring_cert;           /* CERT_F_EXPIRING_SOON: index, -1 anchor */

	/*
	 * What the problem above would be against this machine's store alone:
	 * it differs when capture-time trust (below) explains a root this
	 * store lacks. verify_ok, verify_code and verify_reason are always
	 * this machine's.
	 */
	enum cert_problem here_problem;
	/* The validity windows alone, whatever the problem: a certificate of
	 * the path expired (or not yet valid) at the capture; time_cert is its
	 * index (-1 the trust anchor), time_at the date passed. */
	enum cert_problem time_problem;  /* NONE, EXPIRED or NOT_YET_VALID */
	int time_cert;
	int64_t time_at;

	/*
	 * Capture-time trust (trust_history.h): the chain failed here for want
	 * of a root, so it was tried against the roots Mozilla's store held on
	 * the capture's date. trusted_then: it verifies there, through
	 * then_root (a label of the history, valid while the context is),
	 * which was in the store in [then_from, then_to) (then_to INT64_MAX:
	 * still in). history_error: the history could not be read (static
	 * text of the context), so this was not judged.
	 */
	bool history_tried;
	bool trusted_then;
	const char *then_root;
	bool then_since_start;      /* then_from is the history's start: the
	                             * root may be older in the store */
	int64_t then_from, then_to;
	const char *history_error;

	/* Interception on this connection: the chain's signals plus a leaf
	 * issued minutes before the capture. */
	bool intercepted;
	bool leaf_fresh;
	int64_t leaf_age;            /* capture time - leaf not_before, s */

	struct certchain_entry *entry; /* the cache's reference on chain */
};

#endif
