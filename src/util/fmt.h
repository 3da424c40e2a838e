/* fmt.h: formatting of times, addresses and frame references for reports. */
#ifndef FMT_H
#define FMT_H

#include <stdarg.h>
#include <stddef.h>

#include "pkt.h"
#include "ta.h"

#define FMT_TIME_LEN 40
#define FMT_ADDR_LEN 48

/* "2026-11-20T14:03:22.123456Z" */
char *fmt_time_iso(char *buf, size_t len, ta_time t);
/* "2026-11-20 14:03:22.123456" (UTC, for people) */
char *fmt_time_human(char *buf, size_t len, ta_time t);
/* "10.0.0.5" or "2001:db8::1" */
char *fmt_addr(char *buf, size_t len, const struct pkt_addr *a);
/* "frame 23", or "file#1 frame 7" when the frame is in another input file
 * than base_file (the connection's first). */
char *fmt_frame(char *buf, size_t len, ta_frame f, unsigned base_file);
/* A duration in words, integer arithmetic only (no locale, no rounding
 * surprises): "0.051 ms", "4.2 ms", "40 ms", "3.0 s", "21 s". */
char *fmt_duration(char *buf, size_t len, uint64_t ns);
/*
 * snprintf and vsnprintf, with the same result byte for byte, written by
 * hand for what the reports' sentences use: %s, %.Ns, %.*s, %u, %0Nu and
 * %d (l, ll and z lengths) and %%. Anything else in fmt (a width, a
 * float) is handed to vsnprintf whole. The C library's printf costs more
 * to start than such a sentence costs to write.
 */
int fmt_snprintf(char *buf, size_t len, const char *fmt, ...) TA_PRINTF(3, 4);
int fmt_vsnprintf(char *buf, size_t len, const char *fmt, va_list ap)
    TA_PRINTF(3, 0);
/* Days since 1970-01-01 to a proleptic Gregorian date, as gmtime has it. */
void fmt_civil_date(uint64_t days, unsigned long *y, unsigned *m, unsigned *d);
/* "YYYY-MM-DD<sep>HH:MM:SS" (19 bytes, no NUL) for seconds since the
 * epoch; returns the end, or NULL past year 9999. */
char *fmt_put_datetime(char *p, uint64_t sec, char sep);
/* Milliseconds between two capture times, signed. */
double fmt_ms(ta_time from, ta_time to);

#endif
