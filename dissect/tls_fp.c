/* tls_fp.c: JA3/JA3S and JA4 input strings from parsed hellos (RFC 8446 4.1.2; JA3 README, JA4 spec). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "iana_tables.h"
#include "tls_fp.h"

/* server_name (RFC 6066 3) and ALPN (RFC 7301 3.1) extension types. */
#define EXT_SERVER_NAME 0x0000u
#define EXT_ALPN 0x0010u

/*
 * A bounded writer into a caller buffer. Once a write does not fit, `ok`
 * drops and every later write is ignored; the buffer always stays
 * NUL-terminated.
 */
struct sb {
	char *buf;
	size_t cap;
	size_t len;
	bool ok;
};

static void
sb_init(struct sb *b, char *buf, size_t cap)
{
	b->buf = buf;
	b->cap = cap;
	b->len = 0;
	b->ok = buf != NULL && cap > 0;
	if (b->ok)
		buf[0] = '\0';
}

/* n bytes at once: one bounds check, not one per character (a JA3
 * string is hundreds of them). */
static void
sb_putn(struct sb *b, const char *s, size_t n)
{
	if (!b->ok)
		return;
	if (b->cap - b->len < n + 1) {
		b->ok = false;
		return;
	}
	memcpy(b->buf + b->len, s, n);
	b->len += n;
	b->buf[b->len] = '\0';
}

static void
sb_putc(struct sb *b, char c)
{
	sb_putn(b, &c, 1);
}

static void
sb_dec(struct sb *b, uint32_t v)
{
	char tmp[10];
	size_t n = sizeof tmp;

	do {
		tmp[--n] = (char)('0' + v % 10u);
		v /= 10u;
	} while (v != 0 && n > 0);
	sb_putn(b, tmp + n, sizeof tmp - n);
}

static const char hexdig[] = "0123456789abcdef";

static void
sb_hex4(struct sb *b, uint16_t v)
{
	char h[4];

	h[0] = hexdig[(v >> 12) & 0xfu];
	h[1] = hexdig[(v >> 8) & 0xfu];
	h[2] = hexdig[(v >> 4) & 0xfu];
	h[3] = hexdig[v & 0xfu];
	sb_putn(b, h, sizeof h);
}

/* On failure the caller sees an empty string, never a partial one. */
static bool
sb_done(struct sb *b)
{
	if (!b->ok && b->buf != NULL && b->cap > 0)
		b->buf[0] = '\0';
	return b->ok;
}

static bool
sb_fail(struct sb *b)
{
	b->ok = false;
	return sb_done(b);
}

/* JA3: decimal values joined by '-', GREASE left out. */
static void
put_dec_list(struct sb *b, const uint16_t *v, size_t n)
{
	size_t i;
	bool first = true;

	for (i = 0; i < n; i++) {
		if (iana_is_grease(v[i]))
			continue;
		if (!first)
			sb_putc(b, '-');
		sb_dec(b, v[i]);
		first = false;
	}
}

/* JA4: 4-digit lowercase hex joined by ','. */
static void
put_hex_list(struct sb *b, const uint16_t *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (i > 0)
			sb_putc(b, ',');
		sb_hex4(b, v[i]);
	}
}

static void
sort_u16(uint16_t *v, size_t n)
{
	size_t i, j;
	uint16_t x;

	/* Lists hold at most a few dozen items: insertion sort will do. */
	for (i = 1; i < n; i++) {
		x = v[i];
		for (j = i; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

static size_t
count_non_grease(const uint16_t *v, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++) {
		if (!iana_is_grease(v[i]))
			c++;
	}
	return c;
}

bool
tls_fp_ja3(const struct tls_client_hello *ch, char *buf, size_t cap)
{
	struct sb b;
	size_t i;

	sb_init(&b, buf, cap);
	/* JA3 is defined over a TLS ClientHello with complete lists. */
	if (ch->sslv2 || ch->ciphers.dropped != 0 || ch->exts.dropped != 0 ||
	    ch->groups.dropped != 0 || ch->point_formats.dropped != 0)
		return sb_fail(&b);

	sb_dec(&b, ch->legacy_version);
	sb_putc(&b, ',');
	put_dec_list(&b, ch->ciphers.v, ch->ciphers.count);
	sb_putc(&b, ',');
	put_dec_list(&b, ch->exts.v, ch->exts.count);
	sb_putc(&b, ',');
	put_dec_list(&b, ch->groups.v, ch->groups.count);
	sb_putc(&b, ',');
	for (i = 0; i < ch->point_formats.count; i++) {
		if (i > 0)
			sb_putc(&b, '-');
		sb_dec(&b, ch->point_formats.v[i]);
	}
	return sb_done(&b);
}

bool
tls_fp_ja3s(const struct tls_server_hello *sh, char *buf, size_t cap)
{
	struct sb b;

	sb_init(&b, buf, cap);
	/* An SSL 2.0 SERVER-HELLO has no suite number nor extensions: no
	 * true JA3S exists for it. */
	if (sh->sslv2 || sh->exts.dropped != 0)
		return sb_fail(&b);
	/* The ServerHello's own version field, as JA3S reads it. */
	sb_dec(&b, sh->legacy_version);
	sb_putc(&b, ',');
	sb_dec(&b, sh->cipher);
	sb_putc(&b, ',');
	put_dec_list(&b, sh->exts.v, sh->exts.count);
	return sb_done(&b);
}

/*
 * JA4 version: the highest non-GREASE supported_versions entry when the
 * extension is present, else the ClientHello's legacy version. The record
 * version is never used.
 */
static uint16_t
ja4_version(const struct tls_client_hello *ch)
{
	uint16_t best = 0;
	size_t i;

	if (!ch->has_supported_versions)
		return ch->legacy_version;
	for (i = 0; i < ch->versions.count; i++) {
		uint16_t v = ch->versions.v[i];

		if (!iana_is_grease(v) && v > best)
			best = v;
	}
	return best;
}

static const char *
ja4_version_code(uint16_t v)
{
	switch (v) {
	case 0x0304:
		return "13";
	case 0x0303:
		return "12";
	case 0x0302:
		return "11";
	case 0x0301:
		return "10";
	case 0x0300:
		return "s3";
	case 0x0002:
		return "s2";
	default:
		return "00";
	}
}

static bool
is_alnum(uint8_t c)
{
	/* ASCII only, never the locale's idea of a letter. */
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
	    (c >= 'a' && c <= 'z');
}

/*
 * JA4 ALPN characters: the first and last byte of the first ALPN value
 * when both are ASCII alphanumerics; otherwise the first and last hex digit
 * of that value's hex form. "00" when there is no value.
 */
static void
put_ja4_alpn(struct sb *b, const struct tls_client_hello *ch)
{
	const struct tls_alpn_name *n;
	uint8_t first, last;

	if (!ch->has_alpn || ch->alpn.count == 0 || ch->alpn.name[0].len == 0) {
		sb_putc(b, '0');
		sb_putc(b, '0');
		return;
	}
	n = &ch->alpn.name[0];
	first = n->v[0];
	/* `last` is kept by the parser even when the value was cut short. */
	last = n->len == 1 ? first : n->last;
	if (is_alnum(first) && is_alnum(last)) {
		sb_putc(b, (char)first);
		sb_putc(b, (char)last);
	} else {
		sb_putc(b, hexdig[first >> 4]);
		sb_putc(b, hexdig[last & 0xfu]);
	}
}

static void
put_count2(struct sb *b, size_t n)
{
	if (n > 99)
		n = 99;
	sb_putc(b, (char)('0' + n / 10));
	sb_putc(b, (char)('0' + n % 10));
}

static bool
ja4_complete(const struct tls_client_hello *ch)
{
	return !ch->sslv2 && ch->ciphers.dropped == 0 &&
	    ch->exts.dropped == 0 && ch->versions.dropped == 0 &&
	    ch->sig_algs.dropped == 0 && ch->alpn.dropped == 0;
}

bool
tls_fp_ja4_a(const struct tls_client_hello *ch, char *buf, size_t cap)
{
	struct sb b;
	const char *ver;
	size_t i;
	bool sni = false;

	sb_init(&b, buf, cap);
	if (!ja4_complete(ch))
		return sb_fail(&b);
	ver = ja4_version_code(ja4_version(ch));
	for (i = 0; i < ch->exts.count; i++) {
		if (ch->exts.v[i] == EXT_SERVER_NAME)
			sni = true;
	}
	/* Only TLS over TCP reaches this analyser: never QUIC or DTLS. */
	sb_putc(&b, 't');
	sb_putc(&b, ver[0]);
	sb_putc(&b, ver[1]);
	sb_putc(&b, sni ? 'd' : 'i');
	put_count2(&b, count_non_grease(ch->ciphers.v, ch->ciphers.count));
	put_count2(&b, count_non_grease(ch->exts.v, ch->exts.count));
	put_ja4_alpn(&b, ch);
	return sb_done(&b);
}

bool
tls_fp_ja4_b(const struct tls_client_hello *ch, char *buf, size_t cap)
{
	uint16_t v[TLS_HS_MAX_CIPHERS];
	size_t i, n = 0;
	struct sb b;

	sb_init(&b, buf, cap);
	if (!ja4_complete(ch) || ch->ciphers.count > TLS_HS_MAX_CIPHERS)
		return sb_fail(&b);
	/* SCSVs and unknown values count; only GREASE is left out. */
	for (i = 0; i < ch->ciphers.count; i++) {
		if (!iana_is_grease(ch->ciphers.v[i]))
			v[n++] = ch->ciphers.v[i];
	}
	sort_u16(v, n);
	put_hex_list(&b, v, n);
	return sb_done(&b);
}

bool
tls_fp_ja4_c(const struct tls_client_hello *ch, char *buf, size_t cap)
{
	uint16_t v[TLS_HS_MAX_EXTS];
	uint16_t s[TLS_HS_MAX_SIGALGS];
	size_t i, n = 0, ns = 0;
	struct sb b;

	sb_init(&b, buf, cap);
	if (!ja4_complete(ch) || ch->exts.count > TLS_HS_MAX_EXTS ||
	    ch->sig_algs.count > TLS_HS_MAX_SIGALGS)
		return sb_fail(&b);
	/* SNI and ALPN are already told by part a. */
	for (i = 0; i < ch->exts.count; i++) {
		uint16_t t = ch->exts.v[i];

		if (!iana_is_grease(t) && t != EXT_SERVER_NAME && t != EXT_ALPN)
			v[n++] = t;
	}
	/* The spec: no extensions left means an all-zero part c. */
	if (n == 0)
		return sb_done(&b);
	sort_u16(v, n);
	put_hex_list(&b, v, n);
	for (i = 0; i < ch->sig_algs.count; i++) {
		if (!iana_is_grease(ch->sig_algs.v[i]))
			s[ns++] = ch->sig_algs.v[i];
	}
	/* Signature algorithms keep their wire order. */
	if (ns > 0) {
		sb_putc(&b, '_');
		put_hex_list(&b, s, ns);
	}
	return sb_done(&b);
}
