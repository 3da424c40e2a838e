/*
 * starttls.h: the plaintext phase of a protocol that upgrades to TLS in
 * band (IMAP STARTTLS, RFC 9051 6.2.1 / RFC 3501; POP3 STLS, RFC 2595 4;
 * SMTP STARTTLS, RFC 3207). One small module per protocol implements
 * struct starttls_ops; the session layer (session.c) feeds it each
 * direction's in-order bytes until the module says where TLS begins in
 * that direction, then hands the rest of that direction to the TLS layer.
 * Which module serves which service is one table (starttls.c): a new
 * protocol is one module plus its entry there.
 *
 * The module keeps facts only (struct starttls_facts): never credentials.
 * The facts are protocol-neutral; where a protocol says things its own way
 * (POP3's -ERR, SMTP's reply codes) the enums below have a value for it.
 */
#ifndef STARTTLS_H
#define STARTTLS_H

#include <stdbool.h>
#include <stddef.h>

#include "ta.h"
#include "service.h"
#include "tcp/tcp_track.h"

#define STARTTLS_TEXT_MAX 128    /* bytes of a response text kept, raw */
#define STARTTLS_EXCERPT_MAX 32  /* bytes of unexpected data kept, raw */

/* starttls_facts.auth_mechs */
#define STARTTLS_AUTH_PLAIN 0x01u  /* PLAIN (RFC 4616): the password in clear */
#define STARTTLS_AUTH_LOGIN 0x02u  /* LOGIN (draft-murchison-sasl-login): same */
#define STARTTLS_AUTH_OTHER 0x04u  /* any other mechanism */

/* The protocol of the plaintext phase. */
enum starttls_protocol {
	STARTTLS_PROTO_IMAP = 0,
	STARTTLS_PROTO_POP3,
	STARTTLS_PROTO_SMTP,
};
#define STARTTLS_PROTO_COUNT 3

enum starttls_resp {
	STARTTLS_RESP_NONE = 0,  /* no answer seen */
	STARTTLS_RESP_OK,        /* IMAP OK, POP3 +OK, SMTP 2xx (220) */
	STARTTLS_RESP_NO,        /* IMAP NO */
	STARTTLS_RESP_BAD,       /* IMAP BAD */
	STARTTLS_RESP_ERR,       /* POP3 -ERR */
	STARTTLS_RESP_TEMPFAIL,  /* SMTP 4xx (454 TLS not available) */
	STARTTLS_RESP_PERMFAIL,  /* SMTP 5xx (or a code no client accepts) */
};

/* Any answer but OK: the server refused the upgrade. */
static inline bool
starttls_resp_refused(enum starttls_resp r)
{
	return r != STARTTLS_RESP_NONE && r != STARTTLS_RESP_OK;
}

enum starttls_greeting {
	STARTTLS_GREETING_NONE = 0,
	STARTTLS_GREETING_OK,      /* IMAP * OK, POP3 +OK, SMTP 220 */
	STARTTLS_GREETING_PREAUTH,
	STARTTLS_GREETING_BYE,     /* IMAP * BYE */
	STARTTLS_GREETING_OTHER,   /* the server's first line was not a greeting */
	/* POP3 -ERR, SMTP 554 or 421 (RFC 5321 3.1): the server refuses the
	 * session in its greeting, as IMAP's BYE does. */
	STARTTLS_GREETING_REFUSED,
};

/* The server turned the session down in its greeting (BYE and its kin). */
static inline bool
starttls_greeting_refuses(enum starttls_greeting g)
{
	return g == STARTTLS_GREETING_BYE || g == STARTTLS_GREETING_REFUSED;
}

struct starttls_facts {
	enum starttls_protocol protocol;
	enum starttls_greeting greeting;
	ta_frame greeting_frame;
	/* SMTP: the reply codes of the greeting and of the answer to
	 * STARTTLS (RFC 5321 4.2); 0 when there is none or for IMAP, POP3. */
	uint16_t greeting_code;
	uint16_t response_code;

	bool caps_known;           /* a capability list was seen */
	ta_frame caps_frame;
	bool offered;              /* STARTTLS in the capabilities */
	bool logindisabled;        /* LOGINDISABLED advertised */
	/* SASL mechanisms advertised before TLS (IMAP AUTH=..., RFC 4422
	 * names): STARTTLS_AUTH_* bits, over every capability list seen. */
	uint8_t auth_mechs;

	bool requested;            /* the client sent STARTTLS */
	ta_frame request_frame;
	enum starttls_resp response;
	ta_frame response_frame;
	uint8_t response_text_len;
	uint8_t response_text[STARTTLS_TEXT_MAX]; /* raw bytes, as sent */

	/* The client authenticated (LOGIN/AUTHENTICATE) before any TLS. */
	bool plaintext_auth;
	ta_frame plaintext_auth_frame;

	/* Bytes the client sent after its STARTTLS line before the server's
	 * OK, or the server after its OK line: an injection risk
	 * (CVE-2011-0411, CVE-2021-22947). */
	uint32_t client_pipelined;
	ta_frame client_pipelined_frame;
	uint32_t server_pipelined;
	ta_frame server_pipelined_frame;

	/* A TLS record where plaintext was expected (a client speaking TLS
	 * to the plaintext port), and in which direction. */
	bool tls_without_starttls;
	enum tcp_dir tls_without_starttls_dir;
	ta_frame tls_without_starttls_frame;

	/* The plaintext did not parse (line too long, binary): where. */
	bool unparsed;
	enum tcp_dir unparsed_dir;
	ta_frame unparsed_frame;
	uint8_t unparsed_len;
	uint8_t unparsed_excerpt[STARTTLS_EXCERPT_MAX];

	bool gap;                  /* bytes were missing: facts may be partial */

	/* POP3, SMTP: mail crossed before any TLS: the client began a
	 * transaction (SMTP MAIL) or fetched a message (POP3 RETR, TOP). */
	bool plaintext_mail;
	ta_frame plaintext_mail_frame;

	/* SMTP: a command was answered 530 "Must issue a STARTTLS command
	 * first" (RFC 3207 4): the server requires TLS of this client. */
	bool tls_required;
	ta_frame tls_required_frame;

	/* SMTP: the server said 421 (RFC 5321 3.8: it closes the
	 * transmission channel) before any TLS, at this frame, with this
	 * text (raw bytes, after the code). */
	bool closing;
	ta_frame closing_frame;
	uint8_t closing_text_len;
	uint8_t closing_text[STARTTLS_EXCERPT_MAX * 2];
};

struct starttls_ops {
	const char *name;          /* "imap" */
	enum starttls_protocol protocol;
	size_t state_size;         /* bytes the session allocates for state */
	void (*init)(void *state);
	/*
	 * n in-order bytes of direction dir. Returns how many belong to the
	 * plaintext phase; when *tls_begins is set, TLS starts right after
	 * them in this direction and the module is not fed that direction
	 * again. Completed-by frame and capture time for the facts.
	 */
	size_t (*feed)(void *state, enum tcp_dir dir, const uint8_t *p,
	               size_t n, ta_frame frame, bool *tls_begins);
	/* n bytes of direction dir were lost: stop parsing that direction. */
	void (*gap)(void *state, enum tcp_dir dir, uint64_t n, ta_frame frame);
	/* Nothing more can happen worth parsing (e.g. both directions are in
	 * TLS, or the session is over): the session may stop reassembly. */
	bool (*finished)(const void *state);
	/* A copy of the facts so far. */
	void (*facts)(const void *state, struct starttls_facts *out);
};

/* The modules: IMAP (starttls_imap.c), POP3 (starttls_pop3.c), SMTP for
 * relay and submission (starttls_smtp.c). */
extern const struct starttls_ops starttls_imap_ops;
extern const struct starttls_ops starttls_pop3_ops;
extern const struct starttls_ops starttls_smtp_ops;

/* starttls.c: the module that reads a service's plaintext phase; NULL
 * for a service that is TLS from the first byte (or none). */
const struct starttls_ops *starttls_ops_for(enum service svc);
/* The largest state_size of the modules: the session allocates states
 * of this one size, so spare ones serve any protocol. */
size_t starttls_state_max(void);

/* How a protocol names things, for the reports and the diagnosis. */
struct starttls_proto_info {
	const char *name;       /* "imap", "pop3", "smtp" (JSON) */
	const char *label;      /* "IMAP", "POP3", "SMTP" */
	const char *command;    /* "STARTTLS", "STLS", "STARTTLS" */
	const char *caps;       /* where it offers it: "capabilities",
	                         * "CAPA answer", "EHLO answer" */
};

/* Never NULL: an unknown value reads as IMAP's entry. */
const struct starttls_proto_info *starttls_proto(enum starttls_protocol p);

#endif
