/* json.c: JSON writer (RFC 8259), valid UTF-8 out whatever comes in. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/json.h"
#include "util/utf8.h"

void
json_init(struct json *j, size_t max)
{
	memset(j, 0, sizeof *j);
	j->max = max;
}

void
json_free(struct json *j)
{
	free(j->buf);
	j->buf = NULL;
	j->cap = j->len = 0;
}

/* Reserve n bytes (+ room to close every container and the NUL). */
static bool
reserve(struct json *j, size_t n)
{
	size_t need, ncap;
	char *nb;

	if (j->overflow)
		return false;
	need = j->len + n + JSON_MAX_DEPTH + 1;
	if (need <= j->cap)
		return true;
	if (need > j->max) {
		j->overflow = true;
		return false;
	}
	ncap = j->cap ? j->cap : 1024;
	while (ncap < need)
		ncap *= 2;
	if (ncap > j->max)
		ncap = j->max;
	nb = realloc(j->buf, ncap);
	if (nb == NULL) {
		j->overflow = true;
		return false;
	}
	j->buf = nb;
	j->cap = ncap;
	return true;
}

/* Every line is written a few bytes at a time: the room check that
 * nearly always passes stays inline, reserve() only when it does not. */
static inline void
put(struct json *j, const char *s, size_t n)
{
	if ((j->overflow || j->len + n + JSON_MAX_DEPTH + 1 > j->cap) &&
	    !reserve(j, n))
		return;
	memcpy(j->buf + j->len, s, n);
	j->len += n;
}

/* Printable ASCII that a JSON string carries as is (RFC 8259 section 7). */
static bool
plain_ascii(uint8_t c)
{
	return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

#define BYTES_01 UINT64_C(0x0101010101010101)
#define BYTES_80 UINT64_C(0x8080808080808080)

/* Whether any byte of w is zero (exact as a yes/no answer). */
static inline uint64_t
any_zero(uint64_t w)
{
	return (w - BYTES_01) & ~w & BYTES_80;
}

/* Little-endian with the GNU builtins: a word's first stop byte is found
 * by counting trailing zero bits, not byte by byte. */
#if (defined(__GNUC__) || defined(__clang__)) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define JSON_WORD_SCAN 1
#endif

/*
 * The high bit of each byte of w that ends a run of plain ASCII: below
 * 0x20, above 0x7e, '"' or backslash. Marks above the lowest one may be
 * false (a borrow or carry runs upward), the lowest one never is.
 */
static inline uint64_t
stop_bytes(uint64_t w)
{
	uint64_t below = (w - BYTES_01 * 0x20) & ~w;
	uint64_t above = (w + BYTES_01 * (0x7f - 0x7e)) | w;

	return ((below | above) & BYTES_80) | any_zero(w ^ (BYTES_01 * '"')) |
	       any_zero(w ^ (BYTES_01 * '\\'));
}

/* Where the run of plain ASCII from s[i] ends; eight bytes at a time. */
static size_t
plain_run(const uint8_t *s, size_t i, size_t n)
{
	uint64_t w, stop;

	while (n - i >= 8) {
		memcpy(&w, s + i, sizeof w);
		stop = stop_bytes(w);
		if (stop != 0) {
#ifdef JSON_WORD_SCAN
			return i + (size_t)(__builtin_ctzll(stop) >> 3);
#else
			break;
#endif
		}
		i += 8;
	}
#ifdef JSON_WORD_SCAN
	if (i < n && n >= 8) {
		/* The last eight bytes again: those before i shifted out,
		 * plain 'a's shifted in behind the end. */
		unsigned sh = (unsigned)(8 - (n - i)) * 8;

		memcpy(&w, s + n - 8, sizeof w);
		w = (w >> sh) | (BYTES_01 * 'a') << (64 - sh);
		stop = stop_bytes(w);
		return stop != 0 ? i + (size_t)(__builtin_ctzll(stop) >> 3) : n;
	}
#endif
	while (i < n && plain_ascii(s[i]))
		i++;
	return i;
}

/* The inside of a JSON string: s escaped, without the quotes. */
static void
escape_body(struct json *j, const uint8_t *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0;

	while (i < n && !j->overflow) {
		uint32_t cp;
		size_t len, run;
		uint8_t c = s[i];
		char esc[6];

		/* Runs of plain ASCII, most of any line, go in one copy. */
		run = plain_run(s, i, n);
		if (run > i) {
			put(j, (const char *)s + i, run - i);
			i = run;
			continue;
		}
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			put(j, esc, 2);
			i++;
		} else if (c < 0x80) {
			/* C0 controls and DEL */
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 0x0f];
			put(j, esc, 6);
			i++;
		} else {
			len = utf8_seq(s + i, n - i, &cp);
			if (len == 0) {
				put(j, "\xef\xbf\xbd", 3); /* U+FFFD */
				i++;
			} else if ((cp >= 0x80 && cp < 0xa0) || cp == 0x2028 ||
			           cp == 0x2029) {
				/* C1 controls (a terminal showing the line would
				 * obey them) and the separators JavaScript takes
				 * for line ends. */
				char u[8];
				u[0] = '\\';
				u[1] = 'u';
				u[2] = hex[(cp >> 12) & 0x0f];
				u[3] = hex[(cp >> 8) & 0x0f];
				u[4] = hex[(cp >> 4) & 0x0f];
				u[5] = hex[cp & 0x0f];
				put(j, u, 6);
				i += len;
			} else {
				put(j, (const char *)s + i, len);
				i += len;
			}
		}
	}
}

static void
put_escaped(struct json *j, const uint8_t *s, size_t n)
{
	put(j, "\"", 1);
	escape_body(j, s, n);
	put(j, "\"", 1);
}

/* Bytes that can be written without reserve(), keeping its margin. */
static size_t
room_left(const struct json *j)
{
	size_t used = j->len + JSON_MAX_DEPTH + 1;

	return j->overflow || used > j->cap ? 0 : j->cap - used;
}

/* n bytes; the short copies most strings need are done without a call. */
static inline void
copy_bytes(char *d, const uint8_t *s, size_t n)
{
	if (n >= 8 && n <= 16) {
		memcpy(d, s, 8);
		memcpy(d + n - 8, s + n - 8, 8);
	} else if (n >= 4 && n < 8) {
		memcpy(d, s, 4);
		memcpy(d + n - 4, s + n - 4, 4);
	} else {
		memcpy(d, s, n);
	}
}

/*
 * s as a JSON string, and the colon after it when it is a key. Nearly
 * every key and most values are plain ASCII: those go in one copy when
 * the buffer has the room, the rest through put_escaped().
 */
static void
put_string(struct json *j, const uint8_t *s, size_t n, bool key)
{
	size_t extra = key ? 3 : 2;
	char *d;

	if (room_left(j) >= n + extra && plain_run(s, 0, n) == n) {
		d = j->buf + j->len;
		d[0] = '"';
		copy_bytes(d + 1, s, n);
		d[n + 1] = '"';
		if (key)
			d[n + 2] = ':';
		j->len += n + extra;
		return;
	}
	put_escaped(j, s, n);
	if (key)
		put(j, ":", 1);
}

/* Comma and key before a member. */
static void
member(struct json *j, const char *key)
{
	if (j->depth > 0) {
		if (!j->first[j->depth - 1])
			put(j, ",", 1);
		j->first[j->depth - 1] = false;
	}
	if (key != NULL)
		put_string(j, (const uint8_t *)key, strlen(key), true);
}

/*
 * A member that did not fit is taken back whole (its comma and key too), so
 * the line stays valid JSON; containers opened after the overflow are
 * remembered as unwritten and closed silently.
 */
static void
rollback(struct json *j, size_t mark, bool was_first)
{
	j->len = mark;
	if (j->depth > 0)
		j->first[j->depth - 1] = was_first;
}

static void
open_container(struct json *j, const char *key, char open, char close)
{
	size_t mark = j->len;
	bool was_first = j->depth > 0 ? j->first[j->depth - 1] : true;

	if (j->depth >= JSON_MAX_DEPTH) {
		j->overflow = true;
		return;
	}
	if (!j->overflow) {
		member(j, key);
		put(j, &open, 1);
		if (j->overflow)
			rollback(j, mark, was_first);
	}
	j->written[j->depth] = !j->overflow;
	j->first[j->depth] = true;
	j->close[j->depth] = close;
	j->depth++;
}

/* Write a scalar member all or nothing. */
static void
scalar(struct json *j, const char *key, const uint8_t *s, size_t n,
       bool quote)
{
	size_t mark = j->len;
	bool was_first = j->depth > 0 ? j->first[j->depth - 1] : true;

	if (j->overflow)
		return;
	member(j, key);
	if (quote)
		put_string(j, s, n, false);
	else
		put(j, (const char *)s, n);
	if (j->overflow)
		rollback(j, mark, was_first);
}

void
json_begin(struct json *j)
{
	j->len = 0;
	j->depth = 0;
	j->overflow = false;
	if (!reserve(j, 1)) {
		/* Not even "{}" fits: the ceiling is absurdly low. */
		j->depth = 0;
		return;
	}
	open_container(j, NULL, '{', '}');
}

void
json_obj(struct json *j, const char *key)
{
	open_container(j, key, '{', '}');
}

void
json_arr(struct json *j, const char *key)
{
	open_container(j, key, '[', ']');
}

void
json_close(struct json *j)
{
	if (j->depth == 0)
		return;
	j->depth--;
	/* reserve() always keeps room for the closers. */
	if (j->written[j->depth] && j->buf != NULL)
		j->buf[j->len++] = j->close[j->depth];
}

const char *
json_end(struct json *j)
{
	if (j->buf == NULL && !reserve(j, 2))
		return "{}";
	while (j->depth > 0)
		json_close(j);
	j->buf[j->len] = '\0';
	return j->buf;
}

void
json_str(struct json *j, const char *key, const char *s)
{
	if (s == NULL) {
		json_null(j, key);
		return;
	}
	json_strn(j, key, (const uint8_t *)s, strlen(s));
}

void
json_strn(struct json *j, const char *key, const uint8_t *s, size_t n)
{
	scalar(j, key, s, n, true);
}

/* Decimal digits of v at the end of b[0..24); returns where they start. */
static size_t
u64_digits(char b[24], uint64_t v)
{
	size_t i = 24;

	do {
		b[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	return i;
}

void
json_uint(struct json *j, const char *key, uint64_t v)
{
	char b[24];
	size_t i = u64_digits(b, v);

	scalar(j, key, (const uint8_t *)b + i, sizeof b - i, false);
}

void
json_int(struct json *j, const char *key, int64_t v)
{
	char b[25];
	uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	size_t i = u64_digits(b + 1, mag) + 1;

	if (v < 0)
		b[--i] = '-';
	scalar(j, key, (const uint8_t *)b + i, sizeof b - i, false);
}

/*
 * What "%.*f" prints for decimals <= 3 and |v| <= 1e15, without printf:
 * v is m * 2^e exactly, so v * 10^decimals is an integer shifted right,
 * rounded to nearest with ties to even as the C library does. m * 10^3
 * stays below 2^63 and so does the result. Returns the length.
 */
static size_t
fixed_point(char b[32], double v, unsigned decimals)
{
	static const uint64_t pow10[] = { 1, 10, 100, 1000 };
	uint64_t bits, m, q, scale = pow10[decimals];
	int e;
	size_t n = 0, i;
	char d[24];

	memcpy(&bits, &v, sizeof bits);
	m = bits & ((UINT64_C(1) << 52) - 1);
	e = (int)((bits >> 52) & 0x7ff);
	if (e == 0) {
		e = -1074;
	} else {
		m |= UINT64_C(1) << 52;
		e -= 1075;
	}
	m *= scale;
	if (e >= 0) {
		q = m << e;
	} else if (e <= -64) {
		q = 0; /* below 2^63 / 2^64: less than half a unit */
	} else {
		uint64_t sh = (uint64_t)-e;
		uint64_t rem = m & ((UINT64_C(1) << sh) - 1);
		uint64_t half = UINT64_C(1) << (sh - 1);

		q = m >> sh;
		if (rem > half || (rem == half && (q & 1) != 0))
			q++;
	}
	if (bits >> 63)
		b[n++] = '-';
	i = u64_digits(d, q / scale);
	memcpy(b + n, d + i, sizeof d - i);
	n += sizeof d - i;
	if (decimals > 0) {
		b[n++] = '.';
		q %= scale;
		for (i = decimals; i > 0; i--) {
			b[n + i - 1] = (char)('0' + q % 10);
			q /= 10;
		}
		n += decimals;
	}
	return n;
}

void
json_num(struct json *j, const char *key, double v, unsigned decimals)
{
	char b[64];
	size_t n;

	if (!isfinite(v) || fabs(v) > 1e15) {
		json_null(j, key);
		return;
	}
	if (decimals <= 3) {
		n = fixed_point(b, v, decimals);
	} else {
		int w = snprintf(b, sizeof b, "%.*f", (int)decimals, v);
		n = w > 0 ? (size_t)w : 0;
	}
	scalar(j, key, (const uint8_t *)b, n, false);
}

void
json_bool(struct json *j, const char *key, bool v)
{
	scalar(j, key, (const uint8_t *)(v ? "true" : "false"), v ? 4 : 5,
	       false);
}

void
json_null(struct json *j, const char *key)
{
	scalar(j, key, (const uint8_t *)"null", 4, false);
}
