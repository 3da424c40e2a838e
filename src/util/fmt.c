/* fmt.c: report formatting helpers; UTC only, never the locale. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "util/fmt.h"

/* Write v as exactly n decimal digits, zero-padded, at p. */
static char *
put_digits(char *p, unsigned long v, unsigned n)
{
	for (unsigned i = n; i > 0; i--) {
		p[i - 1] = (char)('0' + v % 10u);
		v /= 10u;
	}
	return p + n;
}

/*
 * Days since 1970-01-01 to a proleptic Gregorian date (the civil-from-days
 * computation over 400-year eras); the same calendar gmtime uses.
 */
void
fmt_civil_date(uint64_t days, unsigned long *y, unsigned *m, unsigned *d)
{
	uint64_t z = days + 719468u;
	uint64_t era = z / 146097u;
	uint64_t doe = z - era * 146097u;
	uint64_t yoe = (doe - doe / 1460u + doe / 36524u - doe / 146096u) / 365u;
	uint64_t doy = doe - (365u * yoe + yoe / 4u - yoe / 100u);
	uint64_t mp = (5u * doy + 2u) / 153u;

	*d = (unsigned)(doy - (153u * mp + 2u) / 5u + 1u);
	*m = (unsigned)(mp < 10u ? mp + 3u : mp - 9u);
	*y = (unsigned long)(yoe + era * 400u + (*m <= 2u ? 1u : 0u));
}

char *
fmt_put_datetime(char *p, uint64_t sec, char sep)
{
	uint64_t sod = sec % 86400u;
	unsigned long y;
	unsigned m, d;

	fmt_civil_date(sec / 86400u, &y, &m, &d);
	if (y > 9999u)
		return NULL;
	p = put_digits(p, y, 4);
	*p++ = '-';
	p = put_digits(p, m, 2);
	*p++ = '-';
	p = put_digits(p, d, 2);
	*p++ = sep;
	p = put_digits(p, (unsigned long)(sod / 3600u), 2);
	*p++ = ':';
	p = put_digits(p, (unsigned long)(sod / 60u % 60u), 2);
	*p++ = ':';
	return put_digits(p, (unsigned long)(sod % 60u), 2);
}

static char *
fmt_time(char *buf, size_t len, ta_time t, char sep, const char *z)
{
	uint64_t sec = t / TA_NS_PER_SEC;
	unsigned long usec = (unsigned long)((t % TA_NS_PER_SEC) / 1000u);
	size_t zl = strlen(z);
	char *p;

	/*
	 * By hand, not gmtime_r and strftime: every JSON line carries two
	 * of these. Four-digit years only, as %Y would print them here.
	 */
	if (len < 26 + zl + 1 || (p = fmt_put_datetime(buf, sec, sep)) == NULL) {
		snprintf(buf, len, "?");
		return buf;
	}
	*p++ = '.';
	p = put_digits(p, usec, 6);
	memcpy(p, z, zl + 1);
	return buf;
}

char *
fmt_time_iso(char *buf, size_t len, ta_time t)
{
	return fmt_time(buf, len, t, 'T', "Z");
}

char *
fmt_time_human(char *buf, size_t len, ta_time t)
{
	return fmt_time(buf, len, t, ' ', "");
}

/*
 * The formatters below are written by hand, not with snprintf or
 * inet_ntop: every printed connection cites addresses, frames and
 * durations, and snprintf's set-up cost is most of such a short string.
 */

/* Decimal digits of v at p (no terminator); returns the end. */
static char *
put_u64(char *p, unsigned long long v)
{
	char tmp[20];
	unsigned n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10u);
		v /= 10u;
	} while (v > 0);
	while (n > 0)
		*p++ = tmp[--n];
	return p;
}

static char *
put_str(char *p, const char *s)
{
	while (*s != '\0')
		*p++ = *s++;
	return p;
}

/* Copy the len bytes built at s into buf as snprintf would: cut to fit,
 * always terminated when there is room for the terminator. */
static char *
finish(char *buf, size_t len, const char *s, size_t n)
{
	if (len == 0)
		return buf;
	if (n >= len)
		n = len - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return buf;
}

static char *
put_ipv4(char *p, const uint8_t *a)
{
	for (int i = 0; i < 4; i++) {
		if (i > 0)
			*p++ = '.';
		p = put_u64(p, a[i]);
	}
	return p;
}

static char *
put_hex16(char *p, unsigned v)
{
	static const char hex[] = "0123456789abcdef";
	int shift = 12;

	while (shift > 0 && (v >> shift) == 0)
		shift -= 4;
	for (; shift >= 0; shift -= 4)
		*p++ = hex[(v >> shift) & 0xfu];
	return p;
}

/*
 * RFC 5952 text, exactly as glibc's inet_ntop writes it: the first longest
 * run of two or more zero groups becomes "::", and an address whose first
 * 96 bits are zero (but for a run of five and ffff, IPv4-mapped) ends in
 * dotted IPv4.
 */
static char *
put_ipv6(char *p, const uint8_t *a)
{
	unsigned w[8];
	int best = -1, best_len = 0, cur = -1, cur_len = 0;

	for (int i = 0; i < 8; i++)
		w[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
	for (int i = 0; i < 8; i++) {
		if (w[i] == 0) {
			if (cur == -1) {
				cur = i;
				cur_len = 1;
			} else {
				cur_len++;
			}
		} else if (cur != -1) {
			if (best == -1 || cur_len > best_len) {
				best = cur;
				best_len = cur_len;
			}
			cur = -1;
		}
	}
	if (cur != -1 && (best == -1 || cur_len > best_len)) {
		best = cur;
		best_len = cur_len;
	}
	if (best != -1 && best_len < 2)
		best = -1;
	for (int i = 0; i < 8; i++) {
		if (best != -1 && i >= best && i < best + best_len) {
			if (i == best)
				*p++ = ':';
			continue;
		}
		if (i != 0)
			*p++ = ':';
		if (i == 6 && best == 0 &&
		    (best_len == 6 || (best_len == 5 && w[5] == 0xffff)))
			return put_ipv4(p, a + 12);
		p = put_hex16(p, w[i]);
	}
	if (best != -1 && best + best_len == 8)
		*p++ = ':';
	return p;
}

char *
fmt_addr(char *buf, size_t len, const struct pkt_addr *a)
{
	char s[FMT_ADDR_LEN];
	char *p = a->family == 6 ? put_ipv6(s, a->a) : put_ipv4(s, a->a);

	/* As inet_ntop: nothing but "?" when it does not fit. */
	if ((size_t)(p - s) >= len) {
		snprintf(buf, len, "?");
		return buf;
	}
	return finish(buf, len, s, (size_t)(p - s));
}

char *
fmt_frame(char *buf, size_t len, ta_frame f, unsigned base_file)
{
	char s[64];
	char *p = s;

	if (TA_FRAME_FILE(f) != base_file) {
		p = put_str(p, "file#");
		p = put_u64(p, TA_FRAME_FILE(f));
		*p++ = ' ';
	}
	p = put_str(p, "frame ");
	p = put_u64(p, (unsigned long long)TA_FRAME_NO(f));
	return finish(buf, len, s, (size_t)(p - s));
}

char *
fmt_duration(char *buf, size_t len, uint64_t ns)
{
	char s[64];
	char *p = s;
	unsigned long long v;
	const char *unit;

	if (ns >= 10 * TA_NS_PER_SEC) {
		v = (unsigned long long)((ns + TA_NS_PER_SEC / 2) / TA_NS_PER_SEC);
		p = put_u64(p, v);
		unit = " s";
	} else if (ns >= TA_NS_PER_SEC) {
		v = (unsigned long long)((ns + TA_NS_PER_SEC / 20) /
		                         (TA_NS_PER_SEC / 10));
		p = put_u64(p, v / 10);
		*p++ = '.';
		p = put_u64(p, v % 10);
		unit = " s";
	} else if (ns >= 10 * TA_NS_PER_MS) {
		v = (unsigned long long)((ns + TA_NS_PER_MS / 2) / TA_NS_PER_MS);
		p = put_u64(p, v);
		unit = " ms";
	} else if (ns >= TA_NS_PER_MS) {
		v = (unsigned long long)((ns + TA_NS_PER_MS / 20) /
		                         (TA_NS_PER_MS / 10));
		p = put_u64(p, v / 10);
		*p++ = '.';
		p = put_u64(p, v % 10);
		unit = " ms";
	} else {
		v = (unsigned long long)(ns / 1000);
		p = put_u64(p, v / 1000);
		*p++ = '.';
		p = put_digits(p, (unsigned long)(v % 1000), 3);
		unit = " ms";
	}
	p = put_str(p, unit);
	return finish(buf, len, s, (size_t)(p - s));
}

double
fmt_ms(ta_time from, ta_time to)
{
	if (to >= from)
		return (double)(to - from) / 1e6;
	return -(double)(from - to) / 1e6;
}

/* Append n bytes at *o, as far as they fit before the terminator. */
static void
emit(char *buf, size_t len, size_t *o, const char *s, size_t n)
{
	if (*o + 1 < len) {
		size_t room = len - 1 - *o;

		memcpy(buf + *o, s, n < room ? n : room);
	}
	*o += n;
}

static void
emit_uint(char *buf, size_t len, size_t *o, unsigned long long v,
          bool neg, unsigned width)
{
	char d[24];
	size_t n = sizeof d;

	do {
		d[--n] = (char)('0' + v % 10u);
		v /= 10u;
	} while (v > 0);
	while (sizeof d - n < width && n > 1)
		d[--n] = '0';
	if (neg)
		d[--n] = '-';
	emit(buf, len, o, d + n, sizeof d - n);
}

int
fmt_vsnprintf(char *buf, size_t len, const char *fmt, va_list ap)
{
	const char *f = fmt;
	size_t o = 0;
	va_list aq;

	va_copy(aq, ap);
	for (;;) {
		const char *pct = strchr(f, '%');
		unsigned width = 0, lng = 0;
		bool zero = false;
		long prec = -1;

		emit(buf, len, &o, f, pct != NULL ? (size_t)(pct - f) : strlen(f));
		if (pct == NULL)
			break;
		f = pct + 1;
		if (*f == '0') {
			zero = true;
			f++;
		}
		while (*f >= '0' && *f <= '9' && width < 100)
			width = width * 10 + (unsigned)(*f++ - '0');
		if (*f == '.') {
			f++;
			prec = 0;
			if (*f == '*') {
				prec = va_arg(ap, int);
				f++;
			} else {
				while (*f >= '0' && *f <= '9' && prec < 100000)
					prec = prec * 10 + (*f++ - '0');
			}
		}
		if (*f == 'z') {
			lng = 3;
			f++;
		} else {
			while (*f == 'l' && lng < 2) {
				lng++;
				f++;
			}
		}
		if (*f == '%' && !zero && width == 0 && prec < 0 && lng == 0) {
			emit(buf, len, &o, "%", 1);
		} else if (*f == 's' && !zero && width == 0 && lng == 0) {
			const char *s = va_arg(ap, const char *);
			size_t n;

			if (s == NULL)
				goto slow;
			n = prec >= 0 ? strnlen(s, (size_t)prec) : strlen(s);
			emit(buf, len, &o, s, n);
		} else if (*f == 'u' && (zero || width == 0) && width <= 20 &&
		           prec < 0) {
			unsigned long long v = lng == 0 ? va_arg(ap, unsigned) :
			    lng == 1 ? va_arg(ap, unsigned long) :
			    lng == 2 ? va_arg(ap, unsigned long long) :
			    va_arg(ap, size_t);

			emit_uint(buf, len, &o, v, false, width);
		} else if (*f == 'd' && width == 0 && !zero && prec < 0 &&
		           lng < 3) {
			long long v = lng == 0 ? va_arg(ap, int) :
			    lng == 1 ? va_arg(ap, long) : va_arg(ap, long long);

			emit_uint(buf, len, &o, v < 0 ? 0ull - (unsigned long long)v :
			          (unsigned long long)v, v < 0, 0);
		} else {
			goto slow;
		}
		f++;
	}
	if (len > 0)
		buf[o < len ? o : len - 1] = '\0';
	va_end(aq);
	return o > (size_t)INT32_MAX ? -1 : (int)o;
slow:
	o = (size_t)vsnprintf(buf, len, fmt, aq);
	va_end(aq);
	return (int)o;
}

int
fmt_snprintf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n;
}
