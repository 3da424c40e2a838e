/*
 * pop3.h: POP3 line layer (RFC 1939 section 3; CAPA and response codes
 * RFC 2449; STLS RFC 2595 4; AUTH RFC 5034).
 *
 * Pure functions over byte views the caller owns: nothing is allocated,
 * copied or kept. The caller frames the stream into lines (line.h's
 * line_end with POP3_LINE_MAX) and knows which commands get a multi-line
 * answer; the end of such an answer is the line "." (pop3_is_end).
 */
#ifndef POP3_H
#define POP3_H

#include <stdbool.h>

#include "ta.h"

/*
 * Longest line accepted, LF included. RFC 2449 4 bounds responses at 512
 * octets and commands at 255; the lines of a multi-line answer (a message
 * in RETR) follow RFC 5322's 998, often exceeded, and are not kept.
 */
#define POP3_LINE_MAX 4096u

enum pop3_status {
	POP3_OK,        /* "+OK" */
	POP3_ERR,       /* "-ERR" */
	POP3_CONT,      /* "+" [SP base64]: a SASL continuation (RFC 5034 4) */
};

struct pop3_resp {
	enum pop3_status status;
	struct ta_bytes text;   /* after the indicator and its SP */
	/* A response code at the start of the text (RFC 2449 8), e.g.
	 * "[AUTH]" or "[SYS/TEMP]": the code inside the brackets. */
	bool has_code;
	struct ta_bytes code;
};

/*
 * Parse one server line body. DIS_OK or DIS_MALFORMED. The indicators are
 * taken in any case (RFC 1939 writes them in upper case; a server in
 * lower case is still a POP3 server), followed by SP or the end.
 */
enum dis_status pop3_parse_resp(struct ta_bytes body, struct pop3_resp *r)
	TA_MUST_CHECK;

/* A client command: keyword [SP arguments] (RFC 1939 3). */
struct pop3_cmd {
	struct ta_bytes keyword;
	struct ta_bytes args;
};

/*
 * Parse a command line body. DIS_OK when it starts with a keyword of 1 to
 * POP3_KEYWORD_MAX letters or digits, the first a letter (RFC 1939 uses
 * three or four letters, RFC 2449 allows longer extension keywords),
 * followed by a blank or the end; DIS_MALFORMED otherwise.
 */
#define POP3_KEYWORD_MAX 16u
enum dis_status pop3_parse_cmd(struct ta_bytes body, struct pop3_cmd *c)
	TA_MUST_CHECK;

/* The body is the line "." that ends a multi-line answer (RFC 1939 3). */
bool pop3_is_end(struct ta_bytes body);

/* A line of the CAPA answer (RFC 2449 5): capability name, arguments. */
struct pop3_capa {
	struct ta_bytes name;
	struct ta_bytes args;
};

/* DIS_OK or DIS_MALFORMED (empty, or starting with a blank). */
enum dis_status pop3_parse_capa(struct ta_bytes body, struct pop3_capa *c)
	TA_MUST_CHECK;

#endif
