/* sniff.c: a stream's first bytes: a Client- or ServerHello, or a mail greeting (see sniff.h). */
#include <string.h>

#include "sniff.h"

static int
starts(const uint8_t *p, size_t n, const char *lit)
{
	size_t k = strlen(lit);

	return n >= k && memcmp(p, lit, k) == 0;
}

enum sniff_kind
sniff_stream_start(const uint8_t *p, size_t n)
{
	if (n == 0)
		return SNIFF_NONE;
	/* By the first byte: the reader asks this of every segment of
	 * every stream that is not watched, most of them ciphertext. */
	switch (p[0]) {
	case 0x16:
		/* A non-empty handshake record of a TLS version (3.0 to
		 * 3.4) whose first message is a ClientHello (1) or a
		 * ServerHello (2). */
		if (n < 6 || p[1] != 0x03 || p[2] > 0x04 ||
		    ((size_t)p[3] << 8 | p[4]) == 0)
			return SNIFF_NONE;
		if (p[5] == 0x01)
			return SNIFF_CLIENT_HELLO;
		if (p[5] == 0x02)
			return SNIFF_SERVER_HELLO;
		return SNIFF_NONE;
	case '*':
		if (starts(p, n, "* OK ") || starts(p, n, "* PREAUTH "))
			return SNIFF_IMAP_GREETING;
		return SNIFF_NONE;
	case '+':
		return starts(p, n, "+OK") ? SNIFF_POP3_GREETING : SNIFF_NONE;
	case '2':
		if (starts(p, n, "220 ") || starts(p, n, "220-"))
			return SNIFF_SMTP_GREETING;
		return SNIFF_NONE;
	default:
		/* SSLv2 framing: two-byte length with the high bit, type 1,
		 * a version of 2.0 to 3.4. The type first: on ciphertext the
		 * high bit is a coin toss for the branch predictor, p[2] == 1
		 * almost never true. */
		if (n >= 5 && p[2] == 0x01 && (p[0] & 0x80) != 0 &&
		    ((p[3] == 0x00 && p[4] == 0x02) ||
		     (p[3] == 0x03 && p[4] <= 0x04)))
			return SNIFF_CLIENT_HELLO;
		return SNIFF_NONE;
	}
}
