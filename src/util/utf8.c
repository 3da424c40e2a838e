/* utf8.c: UTF-8 validation and terminal-safe text (RFC 3629). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "util/utf8.h"

size_t
utf8_seq(const uint8_t *p, size_t n, uint32_t *cp)
{
	uint32_t c;
	size_t len;

	*cp = 0;
	if (n == 0)
		return 0;
	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		len = 2;
		c = p[0] & 0x1fu;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		len = 3;
		c = p[0] & 0x0fu;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		len = 4;
		c = p[0] & 0x07u;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3fu);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* Bidirectional controls (Unicode UAX #9): they reorder what a terminal
 * shows after them, so a name could read as another (CVE-2021-42574). */
static bool
is_bidi_control(uint32_t cp)
{
	return cp == 0x061c || cp == 0x200e || cp == 0x200f ||
	       (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

static char *
sanitize(char *dst, size_t max, const uint8_t *s, size_t n, bool keep_bs)
{
	size_t o = 0, i = 0;
	size_t mark = 0; /* the last boundary after which "..." still fits */

	if (max == 0)
		return dst;
	while (i < n) {
		uint32_t cp;
		size_t len = utf8_seq(s + i, n - i, &cp);
		char esc[12];
		const char *out;
		size_t olen;

		if (len == 0 || cp < 0x20 || cp == 0x7f ||
		    (cp >= 0x80 && cp < 0xa0)) {
			snprintf(esc, sizeof esc, "\\x%02x", s[i]);
			out = esc;
			olen = 4;
			len = 1;
		} else if (is_bidi_control(cp)) {
			snprintf(esc, sizeof esc, "\\u%04x", (unsigned)(cp & 0xffff));
			out = esc;
			olen = 6;
		} else if (cp == '\\' && !keep_bs) {
			out = "\\\\";
			olen = 2;
		} else {
			out = (const char *)s + i;
			olen = len;
		}
		if (o + olen + 1 > max) {
			/* Cut at a piece boundary, marked with "..." when it
			 * fits; never half a sequence or half an escape. */
			o = mark;
			if (o + 4 <= max) {
				memcpy(dst + o, "...", 3);
				o += 3;
			}
			break;
		}
		memcpy(dst + o, out, olen);
		o += olen;
		i += len;
		if (o + 4 <= max)
			mark = o;
	}
	dst[o] = '\0';
	return dst;
}

char *
utf8_sanitize(char *dst, size_t max, const uint8_t *s, size_t n)
{
	return sanitize(dst, max, s, n, false);
}

char *
utf8_sanitize_text(char *dst, size_t max, const uint8_t *s, size_t n)
{
	return sanitize(dst, max, s, n, true);
}
