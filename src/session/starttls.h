/*
 * starttls.h: the plaintext phase of a protocol that upgrades to TLS in
 * band (IMAP STARTTLS, RFC 9051 6.2.1 / RFC 3501; later POP3 STLS, SMTP
 * STARTTLS). One small module per protocol implements struct starttls_ops;
 * the session layer (session.c) feeds it each direction's in-order bytes
 * until the module says where TLS begins in that direction, then hands
 * the rest of that direction to the TLS layer.
 *
 * The module keeps facts only (struct starttls_facts): never credentials.
 */
#ifndef STARTTLS_H
#define STARTTLS_H

#include <stdbool.h>
#include <stddef.h>

#include "ta.h"
#include "tcp/tcp_track.h"

#define STARTTLS_TEXT_MAX 128    /* bytes of a response text kept, raw */
#define STARTTLS_EXCERPT_MAX 32  /* bytes of unexpected data kept, raw */

/* starttls_facts.auth_mechs */
#define STARTTLS_AUTH_PLAIN 0x01u  /* PLAIN (RFC 4616): the password in clear */
#define STARTTLS_AUTH_LOGIN 0x02u  /* LOGIN (draft-murchison-sasl-login): same */
#define STARTTLS_AUTH_OTHER 0x04u  /* any other mechanism */

enum starttls_resp {
	STARTTLS_RESP_NONE = 0,  /* no tagged answer seen */
	STARTTLS_RESP_OK,
	STARTTLS_RESP_NO,
	STARTTLS_RESP_BAD,
};

enum starttls_greeting {
	STARTTLS_GREETING_NONE = 0,
	STARTTLS_GREETING_OK,
	STARTTLS_GREETING_PREAUTH,
	STARTTLS_GREETING_BYE,
	STARTTLS_GREETING_OTHER,   /* the server's first line was not a greeting */
};

struct starttls_facts {
	enum starttls_greeting greeting;
	ta_frame greeting_frame;

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
};

struct starttls_ops {
	const char *name;          /* "imap" */
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

/* IMAP (starttls_imap.c). */
extern const struct starttls_ops starttls_imap_ops;

#endif
