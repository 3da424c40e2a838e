/* line.c: CRLF framing, keywords and the TLS sniff shared by the mail line protocols (RFC 5321 2.3.8, RFC 1939 3; see line.h). */
#include <string.h>

#include "line.h"

/* Longest record a TLS peer may send (RFC 5246 6.2.3: 2^14 + 2048). */
#define SNIFF_REC_MAX (16384u + 2048u)
/* Shortest SSLv2 ClientHello body: type, version, three lengths. */
#define SNIFF_SSL2_MIN 9u

static struct ta_bytes
view(const uint8_t *p, size_t n)
{
	struct ta_bytes b;

	b.p = p;
	b.n = n;
	return b;
}

static uint8_t
ascii_upper(uint8_t c)
{
	if (c >= 'a' && c <= 'z')
		return (uint8_t)(c - 'a' + 'A');
	return c;
}

enum dis_status
line_end(const uint8_t *p, size_t n, size_t have, size_t max, size_t *len)
{
	size_t limit, scan;
	const uint8_t *lf;

	*len = 0;
	if (have >= max)
		return DIS_LIMIT;
	limit = max - have;
	if (n == 0 || p == NULL)
		return DIS_SHORT;
	scan = n < limit ? n : limit;
	lf = memchr(p, '\n', scan);
	if (lf != NULL) {
		*len = (size_t)(lf - p) + 1;
		return DIS_OK;
	}
	if (n >= limit)
		return DIS_LIMIT;
	*len = n;
	return DIS_SHORT;
}

struct ta_bytes
line_body(const uint8_t *p, size_t n)
{
	if (p == NULL)
		return view(p, 0);
	if (n > 0 && p[n - 1] == '\n')
		n--;
	if (n > 0 && p[n - 1] == '\r')
		n--;
	return view(p, n);
}

bool
line_binary(struct ta_bytes body)
{
	for (size_t i = 0; i < body.n; i++)
		if (body.p[i] == '\0' || body.p[i] == '\r')
			return true;
	return false;
}

bool
line_keyword_eq(struct ta_bytes a, const char *kw)
{
	size_t n = strlen(kw);

	if (a.n != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (ascii_upper(a.p[i]) != ascii_upper((uint8_t)kw[i]))
			return false;
	return true;
}

static bool
is_blank(uint8_t c)
{
	return c == ' ' || c == '\t';
}

bool
line_word_next(struct ta_bytes *rest, struct ta_bytes *word)
{
	size_t i = 0, j;

	while (i < rest->n && is_blank(rest->p[i]))
		i++;
	if (i == rest->n) {
		*word = view(rest->p == NULL ? NULL : rest->p + i, 0);
		*rest = *word;
		return false;
	}
	j = i;
	while (j < rest->n && !is_blank(rest->p[j]))
		j++;
	*word = view(rest->p + i, j - i);
	*rest = view(rest->p + j, rest->n - j);
	return true;
}

bool
line_all_digits(struct ta_bytes a)
{
	if (a.n == 0)
		return false;
	for (size_t i = 0; i < a.n; i++)
		if (a.p[i] < '0' || a.p[i] > '9')
			return false;
	return true;
}

/* ContentType 20..23 (RFC 8446 5.1), legacy_record_version 0x0300..0x0304,
 * a length a peer may send; as far as the bytes go. */
static bool
sniff_record(const uint8_t *p, size_t n)
{
	if (p[0] < 20 || p[0] > 23)
		return false;
	if (n > 1 && p[1] != 0x03)
		return false;
	if (n > 2 && p[2] > 0x04)
		return false;
	if (n > 4) {
		uint32_t len = (uint32_t)p[3] << 8 | p[4];

		if (len == 0 || len > SNIFF_REC_MAX)
			return false;
	}
	return true;
}

/* Two-byte SSLv2 header with the high bit set, msg_type 1, version 0x0002
 * or 0x03xx (RFC 5246 appendix E.2); as far as the bytes go. */
static bool
sniff_ssl2(const uint8_t *p, size_t n)
{
	if ((p[0] & 0x80) == 0)
		return false;
	if (n > 1 && (((uint32_t)(p[0] & 0x7f) << 8) | p[1]) < SNIFF_SSL2_MIN)
		return false;
	if (n > 2 && p[2] != 0x01)
		return false;
	if (n > 3 && p[3] != 0x00 && p[3] != 0x03)
		return false;
	if (n > 4 && ((p[3] == 0x00 && p[4] != 0x02) ||
	              (p[3] == 0x03 && p[4] > 0x04)))
		return false;
	return true;
}

enum line_sniff
line_sniff_tls(const uint8_t *p, size_t n)
{
	if (n == 0 || p == NULL)
		return LINE_SNIFF_TEXT;
	if (sniff_record(p, n))
		return LINE_SNIFF_RECORD;
	if (sniff_ssl2(p, n))
		return LINE_SNIFF_SSL2;
	return LINE_SNIFF_TEXT;
}
