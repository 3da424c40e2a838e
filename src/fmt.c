/* fmt.c: report formatting helpers; UTC only, never the locale. */
#include <arpa/inet.h>
#include <stdio.h>
#include <sys/socket.h>
#include <time.h>

#include "fmt.h"

static char *
fmt_time(char *buf, size_t len, ta_time t, const char *datefmt, const char *z)
{
	time_t sec = (time_t)(t / TA_NS_PER_SEC);
	unsigned long usec = (unsigned long)((t % TA_NS_PER_SEC) / 1000u);
	struct tm tm;
	char day[32];

	if (gmtime_r(&sec, &tm) == NULL ||
	    strftime(day, sizeof day, datefmt, &tm) == 0) {
		snprintf(buf, len, "?");
		return buf;
	}
	snprintf(buf, len, "%s.%06lu%s", day, usec, z);
	return buf;
}

char *
fmt_time_iso(char *buf, size_t len, ta_time t)
{
	return fmt_time(buf, len, t, "%Y-%m-%dT%H:%M:%S", "Z");
}

char *
fmt_time_human(char *buf, size_t len, ta_time t)
{
	return fmt_time(buf, len, t, "%Y-%m-%d %H:%M:%S", "");
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
