/*
 * imap.h: IMAP4 line layer (RFC 9051 sections 2.2, 4.3, 7 and 9; RFC 3501
 * section 9; non-synchronizing literals RFC 7888; literal8 RFC 3516).
 *
 * Pure functions over byte views the caller owns: nothing is allocated,
 * copied or kept. Results are views into the caller's line and live as
 * long as it does. The caller frames the stream into lines (imap_line_end),
 * skips literal octets (imap_literal says how many follow a line) and
 * hands each complete line to the response or command parser.
 *
 * Keywords (conditions, command names, capabilities) are compared ASCII
 * case-insensitively, as RFC 9051 section 9 requires; tags byte for byte.
 */
#ifndef IMAP_H
#define IMAP_H

#include <stdbool.h>

#include "ta.h"

/*
 * Longest line accepted, LF included. RFC 9051 section 4 leaves lines
 * unbounded but RFC 7162 section 4 advises 8192 octets for commands; a
 * plaintext IMAP exchange before TLS stays far below it.
 */
#define IMAP_LINE_MAX 8192u

/*
 * Find the end of a line in p[0..n), given that `have` bytes of the same
 * line were seen before. DIS_OK: *len is the number of bytes of p up to
 * and including the LF. DIS_SHORT: no LF yet and the line may still end
 * within IMAP_LINE_MAX; *len = n. DIS_LIMIT: the line cannot end within
 * IMAP_LINE_MAX; *len = 0.
 */
enum dis_status imap_line_end(const uint8_t *p, size_t n, size_t have,
                              size_t *len) TA_MUST_CHECK;

/* The line without its LF and the CR before it (RFC 9051 accepts only
 * CRLF; a bare LF is tolerated as servers do). */
struct ta_bytes imap_line_body(const uint8_t *p, size_t n);

/* The body holds a NUL or a CR: not IMAP text (RFC 9051 section 9, CHAR
 * excludes NUL and TEXT-CHAR excludes CR). */
bool imap_line_binary(struct ta_bytes body);

/*
 * The line ends with a literal announcement, "{n}", "{n+}" (RFC 7888) or
 * "~{n}" (RFC 3516): n octets follow the CRLF, after which the same
 * command or response goes on with a new line. *nonsync: the "+" form.
 * false when the body does not end that way or n does not fit 63 bits.
 * The caller decides whether the grammar allows a literal where the line
 * is (never in the text of a status response).
 */
bool imap_literal(struct ta_bytes body, uint64_t *n, bool *nonsync);

/* What a server line is (RFC 9051 section 7). */
enum imap_resp_type {
	IMAP_RESP_TAGGED,       /* tag SP resp-cond-state */
	IMAP_RESP_UNTAGGED,     /* "*" SP status or data */
	IMAP_RESP_CONTINUATION, /* "+" [SP text] */
};

/* The status condition of a response; NONE for untagged data. */
enum imap_cond {
	IMAP_COND_NONE = 0,
	IMAP_COND_OK,
	IMAP_COND_NO,
	IMAP_COND_BAD,
	IMAP_COND_PREAUTH,      /* untagged only: the greeting */
	IMAP_COND_BYE,          /* untagged only */
};

struct imap_resp {
	enum imap_resp_type type;
	struct ta_bytes tag;        /* tagged: the tag */
	enum imap_cond cond;
	/*
	 * Status responses: resp-text after the condition, response code
	 * included ("[CAPABILITY ...] Dovecot ready."); continuation: what
	 * follows "+ ". Empty when absent.
	 */
	struct ta_bytes text;
	bool has_code;              /* text starts with "[" ... "]" */
	struct ta_bytes code;       /* its atom, e.g. "CAPABILITY" */
	struct ta_bytes code_args;  /* after the atom, inside the brackets */
	/* Untagged data ("* 3 EXISTS", "* CAPABILITY ..."): the optional
	 * message number, the keyword and everything after it. */
	struct ta_bytes number;
	struct ta_bytes keyword;
	struct ta_bytes data;
};

/* Parse one server line body. DIS_OK or DIS_MALFORMED (the line does not
 * have the shape of any response; *r is then meaningless). */
enum dis_status imap_parse_resp(struct ta_bytes body, struct imap_resp *r)
	TA_MUST_CHECK;

/* A client command line: tag SP command [SP arguments] (RFC 9051 6). */
struct imap_cmd {
	struct ta_bytes tag;
	struct ta_bytes name;   /* the command atom as sent */
	struct ta_bytes args;   /* after "name SP", may be empty */
};

/* Parse the first line of a command. DIS_OK or DIS_MALFORMED. */
enum dis_status imap_parse_cmd(struct ta_bytes body, struct imap_cmd *c)
	TA_MUST_CHECK;

/* A tag character: ASTRING-CHAR except "+" (RFC 9051 section 9). */
bool imap_is_tag_char(uint8_t c);

/*
 * Split the next SP-separated word off *rest (runs of SP are skipped).
 * false when nothing is left.
 */
bool imap_word_next(struct ta_bytes *rest, struct ta_bytes *word);

/* a equals the ASCII keyword kw, ignoring case. */
bool imap_keyword_eq(struct ta_bytes a, const char *kw);

/* a starts with kw, ignoring case; *tail is what follows. */
bool imap_keyword_prefix(struct ta_bytes a, const char *kw,
                         struct ta_bytes *tail);

/*
 * Where an IMAP line could begin, do these bytes begin TLS instead? No
 * IMAP line starts with a control character or an 8-bit byte, so the
 * answer is certain from the first byte on; the following header bytes,
 * as far as p has them, must agree.
 */
enum imap_sniff {
	IMAP_SNIFF_TEXT = 0,    /* not the start of TLS */
	IMAP_SNIFF_RECORD,      /* a TLS record header (RFC 8446 5.1) */
	IMAP_SNIFF_SSL2,        /* an SSLv2-format ClientHello (RFC 5246 E.2) */
};

enum imap_sniff imap_sniff_tls(const uint8_t *p, size_t n);

const char *imap_cond_str(enum imap_cond c);

#endif
