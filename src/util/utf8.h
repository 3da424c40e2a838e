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
 * characters (C0, DEL, C1) and invalid bytes become \xNN, so no escape
 * sequence from the network reaches the terminal. At most max output bytes
 * (including the NUL); a cut ends in "...". Returns dst.
 */
char *utf8_sanitize(char *dst, size_t max, const uint8_t *s, size_t n);

#endif
