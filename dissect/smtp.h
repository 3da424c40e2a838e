/*
 * smtp.h: SMTP line layer (RFC 5321 sections 2.3.8, 4.1.1 and 4.2;
 * enhanced status codes RFC 3463 and RFC 2034; STARTTLS RFC 3207; AUTH
 * RFC 4954; CHUNKING RFC 3030).
 *
 * Pure functions over byte views the caller owns: nothing is allocated,
 * copied or kept. The caller frames the stream into lines (line.h's
 * line_end with SMTP_LINE_MAX), skips message data (DATA up to the line
 * ".", BDAT by count) and hands each line body to the parsers here. A
 * reply may span several lines ("250-..." then "250 ..."): each line is
 * parsed alone and says whether it is the last one.
 */
#ifndef SMTP_H
#define SMTP_H

#include <stdbool.h>

#include "ta.h"

/*
 * Longest line accepted, LF included. RFC 5321 4.5.3.1 bounds command
 * lines at 512 octets, reply lines at 512 and text lines at 1000; servers
 * and clients go past them, so the bound is kept well above.
 */
#define SMTP_LINE_MAX 4096u

/* One line of a reply (RFC 5321 4.2): Reply-code [SP / "-" text]. */
struct smtp_reply_line {
	uint16_t code;          /* 200..599 */
	bool last;              /* "ddd SP ..." or "ddd" alone: the reply ends */
	struct ta_bytes text;   /* after the separator, may be empty */
	/* An enhanced status code at the start of the text (RFC 3463 2,
	 * RFC 2034), e.g. "5.7.0": its view and its class digit. */
	bool has_esc;
	uint8_t esc_class;      /* 2, 4 or 5 */
	struct ta_bytes esc;
};

/*
 * Parse one server line body. DIS_OK or DIS_MALFORMED: not three digits,
 * the first 2 to 5 (RFC 5321 4.2 allows no other class; the second and
 * third digits are taken as they come, servers use values the RFC does
 * not list), then SP, "-" or the end of the line.
 */
enum dis_status smtp_parse_reply_line(struct ta_bytes body,
                                      struct smtp_reply_line *r) TA_MUST_CHECK;

/* A client command line: verb [SP arguments] (RFC 5321 4.1.1). */
struct smtp_cmd {
	struct ta_bytes verb;   /* letters (and digits), as sent */
	struct ta_bytes args;   /* after the blanks that follow the verb */
};

/*
 * Parse a command line body. DIS_OK when it starts with a verb of 1 to
 * SMTP_VERB_MAX letters or digits, the first a letter, followed by a blank
 * or the end; DIS_MALFORMED otherwise (the server answers 500 and reads
 * on).
 */
#define SMTP_VERB_MAX 16u
enum dis_status smtp_parse_cmd(struct ta_bytes body, struct smtp_cmd *c)
	TA_MUST_CHECK;

/* An EHLO keyword line of a 250 reply (RFC 5321 4.1.1.1): the keyword
 * and its parameters. The old "AUTH=PLAIN LOGIN" form (RFC 4954 never
 * defined it, servers still send it for old Outlook) is split at the "=".
 */
struct smtp_ehlo_kw {
	struct ta_bytes keyword;
	struct ta_bytes params;
};

/* DIS_OK or DIS_MALFORMED (an empty line or one starting with a blank). */
enum dis_status smtp_parse_ehlo_kw(struct ta_bytes text, struct smtp_ehlo_kw *k)
	TA_MUST_CHECK;

/*
 * The arguments of BDAT (RFC 3030 2): chunk-size [SP "LAST"]. *n is the
 * number of octets of the chunk that follow the command line. false when
 * the size is missing, not digits or longer than 18 digits.
 */
bool smtp_bdat_size(struct ta_bytes args, uint64_t *n, bool *last);

#endif
