/*
 * diag_ctx.h: private to src/diag/ (not installed): the working context of
 * one decision and the helpers that the engine (diag.c), the evidence
 * helpers (evidence.c) and the rule files (rules_*.c) share. Helpers used
 * by one file only stay static in it; every name declared here starts with
 * dg_ so that none can clash in the library.
 */
#ifndef DIAG_CTX_H
#define DIAG_CTX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag/diag.h"
#include "tls/tls_names.h"
#include "ta.h"

/* ------------------------------------------------------------------ */
/* The working context of one decision */

/* How a connection (or its handshake) ended, as far as turns go. */
enum end_kind {
	END_FIN,
	END_RST,
	END_CLOSE_ALERT,   /* close_notify / user_canceled in plaintext */
	END_IDLE,          /* idle timeout */
	END_OPEN,          /* capture ended, table full, 4-tuple reused */
};

struct end_ev {
	enum end_kind kind;
	enum tcp_side by;
	ta_frame frame;
};

/* Whose turn it was, and what that side owed. */
struct turn {
	enum diag_side side;
	const char *owed;      /* "an answer to the ClientHello" */
	ta_frame after;        /* the frame that made it that side's turn */
	const char *after_what;
	bool after_client_hello; /* the server owed an answer to the ClientHello */
	bool after_tls13_flight; /* the client owed its TLS 1.3 Finished */
	bool after_tls12_flight; /* the client owed its TLS 1.2 key exchange */
};

struct ctx {
	const struct conn_facts *f;
	const struct tcp_track *tt;         /* NULL without f->conn */
	const struct tls_facts *tls;        /* NULL: no TLS byte seen */
	const struct starttls_facts *st;
	const struct cert_facts *cert;      /* NULL unless a chain was read */
	const struct tls_client_hello *ch;  /* NULL unless one was seen */
	const struct tls_server_hello *sh;  /* NULL unless one was seen */
	bool mail;                          /* a STARTTLS port (IMAP, POP3, SMTP) */
	unsigned base_file;
	struct diag_result *out;
	const char *advice;                 /* NULL: the verdict's own */
	bool quick;                         /* verdict only: no text at all */
	char advice_buf[DIAG_ADVICE_LEN];   /* advice written for this one */
};

#define TEXT_SHORT 64

struct fbuf {
	char s[48];
};

struct sbuf {
	char s[TEXT_SHORT];
};

struct dbuf {
	char s[24];
};

struct lbuf {
	char s[232];
};

/* ------------------------------------------------------------------ */
/* evidence.c: text, frames, times, what the client offered */

struct fbuf dg_fr(const struct ctx *c, ta_frame f);

void dg_ev_text(struct ctx *c, ta_frame frame, const char *fmt, ...)
    TA_PRINTF(3, 4);
void dg_verdict_text(struct ctx *c, enum diag_verdict v, bool inferred,
                     const char *fmt, ...) TA_PRINTF(4, 5);
void dg_set_verdict(struct ctx *c, enum diag_verdict v, bool inferred);
void dg_cause_text(struct ctx *c, const char *fmt, ...) TA_PRINTF(2, 3);

/*
 * The rules call these three. In a decision without text (quick) the
 * arguments are not even evaluated: formatting frame references,
 * durations and descriptions for them was most of a quick decision's cost.
 */
#define ev(c, ...)                                       \
	do {                                             \
		if (!(c)->quick)                         \
			dg_ev_text((c), __VA_ARGS__);    \
	} while (0)
#define verdict(c, v, inferred, ...)                                    \
	do {                                                            \
		if ((c)->quick)                                         \
			dg_set_verdict((c), (v), (inferred));           \
		else                                                    \
			dg_verdict_text((c), (v), (inferred), __VA_ARGS__); \
	} while (0)
#define cause(c, ...)                                    \
	do {                                             \
		if (!(c)->quick)                         \
			dg_cause_text((c), __VA_ARGS__); \
	} while (0)

struct lbuf dg_inert(const uint8_t *p, size_t n, size_t max);
struct lbuf dg_inert_str(const char *s, size_t max);

bool dg_frame_time(const struct ctx *c, ta_frame fr_, ta_time *ts);
struct dbuf dg_dur(uint64_t ns);
struct sbuf dg_after(const struct ctx *c, ta_frame later, ta_frame earlier);

struct suite_stats {
	unsigned n;          /* suites, GREASE and signalling values left out */
	unsigned tls13;
	unsigned legacy;     /* for TLS 1.2 and below */
	unsigned aead, cbc, fs, rsa_kx, weak, unknown;
};

uint16_t dg_max_offered(const struct tls_client_hello *ch);
bool dg_client_offers(const struct tls_client_hello *ch, uint16_t v);
const char *dg_vname(uint16_t v, char hex[TLS_NAMES_HEX_LEN]);
struct sbuf dg_versions_desc(const struct tls_client_hello *ch);
void dg_suite_stats(const struct tls_client_hello *ch, struct suite_stats *s);
struct lbuf dg_suites_desc(const struct tls_client_hello *ch);
void dg_ev_client_hello(struct ctx *c);
void dg_ev_server_hello(struct ctx *c);
const char *dg_side_word(enum tls_side s);
bool dg_tls13(const struct ctx *c);
/* Bytes of that direction are missing from the capture: nothing may be
 * inferred from what it did not send. */
bool dg_stream_gapped(const struct ctx *c, enum tls_side side);
/* rules_capture.c: a side went on past an invalid record header (it was
 * not stopped on it), and the evidence that says what was wrong. */
bool dg_read_past_bad_header(const struct ctx *c, enum tls_side side);
void dg_ev_bad_header(struct ctx *c, enum tls_side side);

/* ------------------------------------------------------------------ */
/* Shared by the rule files */

/* rules_tcp.c: whose turn it was, and how it ended */
enum diag_side dg_to_side(enum tcp_side s);
const char *dg_dside(enum diag_side s);
void dg_end_event(const struct ctx *c, struct end_ev *e);
void dg_turn_of(const struct ctx *c, struct turn *u);

/* rules_session.c: how each protocol says things, and the steps of its
 * plaintext phase as evidence */
struct dg_proto_text {
	const char *owed_greeting;   /* "its IMAP greeting" */
	const char *owed_answer;     /* "an answer to STARTTLS" */
	const char *request;         /* "the client's STARTTLS" */
	const char *ok;              /* "the server's OK to STARTTLS" */
	const char *caps_not;        /* "the server's capabilities do not
	                              * list STARTTLS" */
	unsigned implicit_port;      /* 993, 995, 465 */
};
enum starttls_protocol dg_protocol(const struct ctx *c);
const struct dg_proto_text *dg_ptext(const struct ctx *c);
void dg_ev_session_steps(struct ctx *c, ta_frame except);
/* Rule 14 asks first: the server refused the session in its greeting. */
bool dg_session_refused(struct ctx *c);

/* rules_tls.c */
extern const char dg_advice_not_tls_server[];
extern const char dg_advice_not_tls_client[];
const struct tls_facts_alert *dg_closing_alert(const struct ctx *c);

/* advice.c: the version and cipher advice aimed at the side that must
 * change, from what each side offered (sets c->advice). */
void dg_side_advice(struct ctx *c);

/* rules_cert.c: the certificate chain */
bool dg_intercepted(const struct ctx *c);
bool dg_chain_bad(const struct ctx *c);
void dg_ev_chain(struct ctx *c);
void dg_chain_verdict(struct ctx *c, const char *how, bool inferred);
/* A completed handshake whose client accepted a chain that does not verify
 * here: the findings that say why (chain-unverified-here,
 * unverified-accepted, expired-accepted), with their evidence. */
uint32_t dg_accepted_chain_findings(struct ctx *c);

/* ------------------------------------------------------------------ */
/* The rules, in the order of diag.c's rules[]: true when one decided. */

bool dg_rule_tcp(struct ctx *c);           /* rules_tcp.c */
bool dg_rule_midstream(struct ctx *c);     /* rules_tcp.c */
bool dg_rule_one_sided(struct ctx *c);     /* rules_capture.c */
bool dg_rule_starttls(struct ctx *c);      /* rules_session.c */
bool dg_rule_not_tls(struct ctx *c);       /* rules_tls.c */
bool dg_rule_alert(struct ctx *c);         /* rules_tls.c */
bool dg_rule_sh_version(struct ctx *c);    /* rules_tls.c */
bool dg_rule_cert_late(struct ctx *c);     /* rules_cert.c */
bool dg_rule_complete(struct ctx *c);      /* rules_tls.c */
bool dg_rule_unreadable(struct ctx *c);    /* rules_capture.c */
bool dg_rule_tls13_abort(struct ctx *c);   /* rules_tls.c */
bool dg_rule_cert_abort(struct ctx *c);    /* rules_cert.c */
bool dg_rule_missing(struct ctx *c);       /* rules_tcp.c */
bool dg_rule_not_protocol(struct ctx *c);  /* rules_session.c */
bool dg_rule_turn(struct ctx *c);          /* rules_tcp.c */

#endif
