/* fmt.c: report formatting helpers; UTC only, never the locale. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "fmt.h"

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
static void
civil_date(uint64_t days, unsigned long *y, unsigned *m, unsigned *d)
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

static char *
fmt_time(char *buf, size_t len, ta_time t, char sep, const char *z)
{
	uint64_t sec = t / TA_NS_PER_SEC;
	unsigned long usec = (unsigned long)((t % TA_NS_PER_SEC) / 1000u);
	uint64_t sod = sec % 86400u;
	unsigned long y;
	unsigned m, d;
	size_t zl = strlen(z);
	char *p = buf;

	/*
	 * By hand, not gmtime_r and strftime: every JSON line carries two
	 * of these. Four-digit years only, as %Y would print them here.
	 */
	civil_date(sec / 86400u, &y, &m, &d);
	if (y > 9999u || len < 26 + zl + 1) {
		snprintf(buf, len, "?");
		return buf;
	}
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
	p = put_digits(p, (unsigned long)(sod % 60u), 2);
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

char *
fmt_addr(char *buf, size_t len, const struct pkt_addr *a)
{
	if (inet_ntop(a->family == 6 ? AF_INET6 : AF_INET, a->a, buf,
	              (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
	return buf;
}

char *
fmt_frame(char *buf, size_t len, ta_frame f, unsigned base_file)
{
	if (TA_FRAME_FILE(f) != base_file)
		snprintf(buf, len, "file#%u frame %llu", TA_FRAME_FILE(f),
		         (unsigned long long)TA_FRAME_NO(f));
	else
		snprintf(buf, len, "frame %llu", (unsigned long long)TA_FRAME_NO(f));
	return buf;
}

char *
fmt_duration(char *buf, size_t len, uint64_t ns)
{
	unsigned long long v;

	if (ns >= 10 * TA_NS_PER_SEC) {
		v = (unsigned long long)((ns + TA_NS_PER_SEC / 2) / TA_NS_PER_SEC);
		snprintf(buf, len, "%llu s", v);
	} else if (ns >= TA_NS_PER_SEC) {
		v = (unsigned long long)((ns + TA_NS_PER_SEC / 20) /
		                         (TA_NS_PER_SEC / 10));
		snprintf(buf, len, "%llu.%llu s", v / 10, v % 10);
	} else if (ns >= 10 * TA_NS_PER_MS) {
		v = (unsigned long long)((ns + TA_NS_PER_MS / 2) / TA_NS_PER_MS);
		snprintf(buf, len, "%llu ms", v);
	} else if (ns >= TA_NS_PER_MS) {
		v = (unsigned long long)((ns + TA_NS_PER_MS / 20) /
		                         (TA_NS_PER_MS / 10));
		snprintf(buf, len, "%llu.%llu ms", v / 10, v % 10);
	} else {
		v = (unsigned long long)(ns / 1000);
		snprintf(buf, len, "%llu.%03llu ms", v / 1000, v % 1000);
	}
	return buf;
}

double
fmt_ms(ta_time from, ta_time to)
{
	if (to >= from)
		return (double)(to - from) / 1e6;
	return -(double)(from - to) / 1e6;
}
