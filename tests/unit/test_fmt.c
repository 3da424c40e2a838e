/* test_fmt.c: the report formatters against the C library they stand in for (snprintf, inet_ntop). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "util/fmt.h"

/* A fixed sequence: the same cases on every run. */
static uint64_t rng = 0x243f6a8885a308d3ull;

static uint32_t
next(void)
{
	rng = rng * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(rng >> 33);
}

/* Both writers into buffers of len bytes (len 0 included): the same bytes,
 * the terminator where snprintf puts it, nothing past it, the same count. */
#define SAME(len, ...)                                                       \
	do {                                                                 \
		char a_[300], b_[300];                                       \
		int ra_, rb_;                                                \
		memset(a_, 'X', sizeof a_);                                  \
		memset(b_, 'X', sizeof b_);                                  \
		ra_ = snprintf(a_, (len), __VA_ARGS__);                      \
		rb_ = fmt_snprintf(b_, (len), __VA_ARGS__);                  \
		assert_int_equal(ra_, rb_);                                  \
		assert_memory_equal(a_, b_, sizeof a_);                      \
	} while (0)

static const char *const words[] = {
	"", "a", "TLS 1.3", "frame 12345",
	"a sentence long enough to be cut by a small buffer, and then some",
	"Z\xc3\xbcrich \xff\x01",
};

static void
test_snprintf_same_as_libc(void **state)
{
	(void)state;
	for (int i = 0; i < 20000; i++) {
		size_t len = next() % 90;
		const char *s1 = words[next() % TA_ELEMENTS(words)];
		const char *s2 = words[next() % TA_ELEMENTS(words)];
		unsigned u = next() >> (next() % 32);
		int d = (int)next() - (int)(UINT32_MAX / 4);
		long l = (long)next() * ((long)(next() % 3) - 1);
		unsigned long lu = (unsigned long)next() << (next() % 32);
		long long ll = (long long)next() * next() * (next() % 2 ? -1 : 1);
		unsigned long long llu = (unsigned long long)next() * next();
		size_t z = next();
		int prec = (int)(next() % 24) - 4;

		if (i % 4 == 0)
			len = 240;
		SAME(len, "%s: %s", s1, s2);
		SAME(len, "frame %u: RST %s %u, %d%% of it", u, s1, u, d);
		SAME(len, "%.*s and %.5s", prec, s1, s2);
		SAME(len, "%lu %ld %llu %lld %zu", lu, l, llu, ll, z);
		SAME(len, "%02u:%02u:%04u.%06u", u % 100, u % 60, u % 10000, u);
		SAME(len, "%d %d %lld %llu", INT_MIN, INT_MAX, LLONG_MIN,
		     ULLONG_MAX);
		SAME(len, "plain text, no conversion at all");
	}
}

/* What it does not write itself goes to vsnprintf, and still agrees. */
static void
test_snprintf_hands_over_the_rest(void **state)
{
	/* A null string, as the compiler cannot tell (glibc writes it). */
	const char *null = next() == 1u ? "" : NULL;

	(void)state;
	for (size_t len = 0; len < 70; len += 7) {
		SAME(len, "%-7s|%13s|%x", "left", "right", 0xbeefu);
		SAME(len, "%.1f ms, %10.3f", 4.25, 3.14159);
		SAME(len, "%c%c %5u %.3u", 'o', 'k', 42u, 7u);
		SAME(len, "%s and %s", "null:", null);
		SAME(len, "%025u|%+d|% d", 12345u, 5, 6);
	}
}

static void
test_addr_same_as_inet_ntop(void **state)
{
	(void)state;
	for (int i = 0; i < 60000; i++) {
		struct pkt_addr a;
		char x[64], y[64];
		unsigned zeros = next();
		size_t len = i % 3 == 0 ? next() % 50 : FMT_ADDR_LEN;

		memset(&a, 0, sizeof a);
		a.family = i % 5 == 0 ? 4 : 6;
		for (int k = 0; k < 8; k++) {
			/* many zero groups: "::" and the embedded IPv4 forms */
			unsigned v = (zeros >> k) & 1u ? 0 : next() >> (next() % 16);

			if (zeros % 5 == 0 && k == 5)
				v = 0xffff;
			a.a[2 * k] = (uint8_t)(v >> 8);
			a.a[2 * k + 1] = (uint8_t)v;
		}
		memset(x, 'X', sizeof x);
		memset(y, 'X', sizeof y);
		if (inet_ntop(a.family == 6 ? AF_INET6 : AF_INET, a.a, x,
		              (socklen_t)len) == NULL)
			snprintf(x, len, "?");
		(void)fmt_addr(y, len, &a);
		assert_memory_equal(x, y, sizeof x);
	}
}

static void
test_frame_and_duration(void **state)
{
	char b[64];

	(void)state;
	assert_string_equal(fmt_frame(b, sizeof b, TA_FRAME(0, 23), 0),
	                    "frame 23");
	assert_string_equal(fmt_frame(b, sizeof b, TA_FRAME(1, 7), 0),
	                    "file#1 frame 7");
	assert_string_equal(fmt_frame(b, 8, TA_FRAME(0, 123456), 0), "frame 1");
	assert_string_equal(fmt_duration(b, sizeof b, 51000), "0.051 ms");
	assert_string_equal(fmt_duration(b, sizeof b, 4200000), "4.2 ms");
	assert_string_equal(fmt_duration(b, sizeof b, 9960000), "10.0 ms");
	assert_string_equal(fmt_duration(b, sizeof b, 40 * TA_NS_PER_MS),
	                    "40 ms");
	assert_string_equal(fmt_duration(b, sizeof b, 3 * TA_NS_PER_SEC),
	                    "3.0 s");
	assert_string_equal(fmt_duration(b, sizeof b, 21 * TA_NS_PER_SEC),
	                    "21 s");
	assert_string_equal(fmt_duration(b, 4, 21 * TA_NS_PER_SEC), "21 ");
	memset(b, 'X', sizeof b);
	(void)fmt_duration(b, 0, 1);
	assert_int_equal(b[0], 'X');
}

static void
test_time(void **state)
{
	char b[FMT_TIME_LEN];
	unsigned long y;
	unsigned m, d;

	(void)state;
	assert_string_equal(fmt_time_iso(b, sizeof b,
	                                 1700000000123456789ull),
	                    "2023-11-14T22:13:20.123456Z");
	fmt_civil_date(0, &y, &m, &d);
	assert_true(y == 1970 && m == 1 && d == 1);
	/* 2000-02-29: a leap day of a century divisible by 400 */
	fmt_civil_date(11016, &y, &m, &d);
	assert_true(y == 2000 && m == 2 && d == 29);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_snprintf_same_as_libc),
		cmocka_unit_test(test_snprintf_hands_over_the_rest),
		cmocka_unit_test(test_addr_same_as_inet_ntop),
		cmocka_unit_test(test_frame_and_duration),
		cmocka_unit_test(test_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
