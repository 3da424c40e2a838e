/*
 * line.h: what the text mail protocols share below their grammar: framing
 * a stream into CRLF lines with a bound, the body of a line, ASCII keyword
 * comparison, and whether bytes where a line could begin are TLS instead
 * (POP3 RFC 1939 3, SMTP RFC 5321 2.3.8 and 4.1.1, ManageSieve RFC 5804;
 * IMAP keeps its own framing in imap.h, literals being its own).
 *
 * Pure functions over byte views the caller owns: nothing is allocated,
 * copied or kept. Results are views into the caller's bytes.
 */
#ifndef LINE_H
#define LINE_H

#include <stdbool.h>

#include "ta.h"

/*
 * Find the end of a line in p[0..n), given that `have` bytes of the same
 * line were seen before and that a line may hold at most `max` bytes, LF
 * included. DIS_OK: *len is the number of bytes of p up to and including
 * the LF. DIS_SHORT: no LF yet and the line may still end within max;
 * *len = n. DIS_LIMIT: the line cannot end within max; *len = 0.
 */
enum dis_status line_end(const uint8_t *p, size_t n, size_t have, size_t max,
                         size_t *len) TA_MUST_CHECK;

/* The line without its LF and the CR before it (the RFCs ask for CRLF; a
 * bare LF is tolerated as servers tolerate it). */
struct ta_bytes line_body(const uint8_t *p, size_t n);

/* The body holds a NUL or a CR: not a line of text in any of these
 * protocols (RFC 5321 2.3.8 and 4.1.1, RFC 1939 3). */
bool line_binary(struct ta_bytes body);

/* a equals the ASCII keyword kw, ignoring case. */
bool line_keyword_eq(struct ta_bytes a, const char *kw);

/*
 * Split the next word off *rest: words are separated by runs of SP or
 * HTAB. false when nothing is left (*word is then empty).
 */
bool line_word_next(struct ta_bytes *rest, struct ta_bytes *word);

/* The bytes are all ASCII digits (and there is at least one). */
bool line_all_digits(struct ta_bytes a);

/*
 * Where a line could begin, do these bytes begin TLS instead? No line of
 * these protocols starts with a control character or an 8-bit byte, so
 * the first byte decides; the following header bytes, as far as p has
 * them, must agree.
 */
enum line_sniff {
	LINE_SNIFF_TEXT = 0,    /* not the start of TLS */
	LINE_SNIFF_RECORD,      /* a TLS record header (RFC 8446 5.1) */
	LINE_SNIFF_SSL2,        /* an SSLv2-format ClientHello (RFC 5246 E.2) */
};

enum line_sniff line_sniff_tls(const uint8_t *p, size_t n);

#endif
