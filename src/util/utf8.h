/*
 * utf8.h: turning bytes the network sent into text that is safe to show.
 * RFC 3629 for what valid UTF-8 is; overlong forms, surrogates and values
 * beyond U+10FFFF are invalid.
 */
#ifndef UTF8_H
#define UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Length of the valid UTF-8 sequence at p (1-4), or 0 if the bytes there
 * are not one; *cp receives the code point. */
size_t utf8_seq(const uint8_t *p, size_t n, uint32_t *cp);

/*
 * For a terminal: printable ASCII and valid non-control UTF-8 stay; control
 * characters (C0, DEL, C1) and invalid bytes become \xNN, bidirectional
 * controls \uNNNN, so no escape sequence or reordering from the network
 * reaches the terminal; a backslash becomes \\. At most max output bytes
 * (including the NUL); a cut ends in "...". Returns dst.
 */
char *utf8_sanitize(char *dst, size_t max, const uint8_t *s, size_t n);
/*
 * The same for text that is escaped already (RFC 4514 names, whose
 * backslashes are their own escapes, and the diagnosis's sentences that
 * quote them): backslashes stay single. Bidirectional controls become
 * \uNNNN in both.
 */
char *utf8_sanitize_text(char *dst, size_t max, const uint8_t *s, size_t n);

#endif
