/*
 * diag.h: the diagnosis: one connection's facts (TCP, IMAP STARTTLS per
 * RFC 9051 6.2.1, TLS per RFC 8446 / RFC 5246, the certificate chain) in,
 * one verdict plus findings, evidence and advice out.
 *
 * Pure: diag_decide() reads struct conn_facts only (never packets), keeps
 * no state and allocates nothing; struct diag_result is fixed size and
 * self-contained (every string is either inside it or a static constant),
 * so it may be kept after the facts are gone. The verdict ids, finding ids
 * and severities are the project's contract (doc/verdicts.md documents
 * each one, the evidence it rests on and the precedence between them).
 */
#ifndef DIAG_H
#define DIAG_H

#include <stdbool.h>
#include <stdint.h>

#include "analyzer.h"
#include "ta.h"

/* One primary verdict per connection, in the contract's order. */
enum diag_verdict {
	DIAG_OK = 0,
	DIAG_TCP_NO_ANSWER,
	DIAG_TCP_REFUSED,
	DIAG_TCP_RESET,
	DIAG_CLOSED_DURING_HANDSHAKE,
	DIAG_HANDSHAKE_TIMEOUT,
	DIAG_STARTTLS_NOT_OFFERED,
	DIAG_STARTTLS_REFUSED,
	DIAG_PLAINTEXT_SESSION,
	DIAG_NOT_TLS,
	DIAG_TLS_VERSION_MISMATCH,
	DIAG_NO_SHARED_CIPHER,
	DIAG_CERT_CHAIN_INCOMPLETE,
	DIAG_CERT_EXPIRED,
	DIAG_CERT_NAME_MISMATCH,
	DIAG_CERT_SELF_SIGNED,
	DIAG_CERT_UNTRUSTED,
	DIAG_INTERCEPTION_UNTRUSTED,
	DIAG_TLS_ALERT,
	DIAG_TLS13_REJECTED,
	DIAG_INCOMPLETE_CAPTURE,
};
#define DIAG_VERDICT_COUNT 21

/* Findings, on any verdict: bits of diag_result.findings, in the
 * contract's order (bit i is finding i). */
enum diag_finding {
	/* re-signed by an inspection CA the client trusts */
	DIAG_F_INTERCEPTED = 1u << 0,
	/* completed with a chain that does not verify here */
	DIAG_F_UNVERIFIED_ACCEPTED = 1u << 1,
	/* TLS 1.1 or lower chosen */
	DIAG_F_LEGACY_VERSION = 1u << 2,
	/* RC4, DES, 3DES, export, NULL, anon or MD5 suite chosen */
	DIAG_F_WEAK_CIPHER = 1u << 3,
	/* MD5 / SHA-1 signed certificate */
	DIAG_F_WEAK_SIGNATURE = 1u << 4,
	/* RSA < 2048, EC < 224 bits */
	DIAG_F_SMALL_KEY = 1u << 5,
	/* a certificate expires within 14 days of the capture */
	DIAG_F_CERT_EXPIRING_SOON = 1u << 6,
	/* a RST looked forged by a device on the path */
	DIAG_F_MIDDLEBOX_RST_SUSPECTED = 1u << 7,
	/* only one direction is in the capture */
	DIAG_F_CAPTURE_ONE_SIDED = 1u << 8,
	/* the connection's start is not in the capture */
	DIAG_F_CAPTURE_MIDSTREAM = 1u << 9,
	/* bytes of a direction are missing from the capture */
	DIAG_F_CAPTURE_GAP = 1u << 10,
	/* the capture's clock stepped back within the connection */
	DIAG_F_TIMESTAMPS_DAMAGED = 1u << 11,
	/* the client accepted a chain that does not verify against the store
	 * used here, and the evidence says why: a root of Mozilla's store on
	 * the capture's date, or an intermediate the client supplied itself */
	DIAG_F_CHAIN_UNVERIFIED_HERE = 1u << 12,
	/* the client accepted a certificate that was expired (or not yet
	 * valid) at the capture */
	DIAG_F_EXPIRED_ACCEPTED = 1u << 13,
	/* a certificate of the chain has an EC key with explicit parameters
	 * (CVE-2020-0601 class) */
	DIAG_F_EXPLICIT_EC_PARAMS = 1u << 14,
	/* a side's stream, valid TLS around it, held a record header that is
	 * not one; its records were read again after it */
	DIAG_F_INVALID_RECORD = 1u << 15,
	/* the server's Certificate message did not parse: its chain was
	 * not read (an edited or damaged capture, or a malformed message) */
	DIAG_F_CERT_UNREADABLE = 1u << 16,
};
#define DIAG_FINDING_COUNT 17

enum diag_severity {
	DIAG_SEV_OK = 0,
	DIAG_SEV_WARNING,
	DIAG_SEV_ERROR,
};

enum diag_side {
	DIAG_SIDE_NONE = 0,
	DIAG_SIDE_CLIENT,
	DIAG_SIDE_SERVER,
};

#define DIAG_MAX_EVIDENCE 12
#define DIAG_TEXT_LEN 240
#define DIAG_SUMMARY_LEN 320
#define DIAG_ADVICE_LEN 1200
#define DIAG_MAX_CAUSES 4

/* One line of evidence: the frame it rests on (0: none; the text may
 * still cite frames) and a short sentence naming the side that acted. */
struct diag_evidence {
	ta_frame frame;
	char text[DIAG_TEXT_LEN];
};

struct diag_result {
	enum diag_verdict verdict;
	enum diag_severity severity;
	uint32_t findings;               /* enum diag_finding bits */
	/* The verdict rests on inference (an encrypted alert, a forged-looking
	 * RST, an alert read without the chain it is about); the summary
	 * says so. */
	bool inferred;
	/* handshake-timeout: the side that stayed silent; NONE otherwise. */
	enum diag_side waiting_on;
	char summary[DIAG_SUMMARY_LEN];  /* one sentence */
	struct diag_evidence evidence[DIAG_MAX_EVIDENCE]; /* in time order */
	uint8_t nevidence;
	uint8_t evidence_dropped;        /* lines that did not fit */
	char advice[DIAG_ADVICE_LEN];    /* for the person who must fix it */
	/*
	 * closed-during-handshake by a server right after the ClientHello
	 * (Dovecot's way of refusing one): the likely causes, most likely
	 * first, each inferred from what the client offered.
	 */
	char causes[DIAG_MAX_CAUSES][DIAG_TEXT_LEN];
	uint8_t ncauses;
};

/* Decide the verdict of one connection. Never fails: the facts always
 * lead to some verdict (incomplete-capture when they cannot carry one). */
void diag_decide(const struct conn_facts *f, struct diag_result *out);

/*
 * The same decision without any text: verdict, severity, findings,
 * inferred and waiting_on are those diag_decide() gives; summary,
 * evidence, causes and advice stay empty. For the connections nobody will
 * read (healthy ones without -a): the text is most of the cost.
 */
void diag_decide_verdict(const struct conn_facts *f, struct diag_result *out);

/* "ok", "tcp-reset", ... (the contract's ids); NULL for a value out of
 * range. */
const char *diag_verdict_str(enum diag_verdict v);
/* The verdict's meaning in one line (from the contract). */
const char *diag_verdict_meaning(enum diag_verdict v);
/* "intercepted", "weak-cipher", ... for one bit; NULL if f is not exactly
 * one known finding. */
const char *diag_finding_str(uint32_t f);
/* "error", "warning", "ok". */
const char *diag_severity_str(enum diag_severity s);
/* "client", "server"; NULL for none (JSON null). */
const char *diag_side_str(enum diag_side s);

#endif
