/* test_utf8.c: UTF-8 validation (RFC 3629 section 3-4) and terminal-safe text. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "util/utf8.h"

/* One byte sequence and what utf8_seq must say about it. */
struct seq_case {
	const char *bytes;
	size_t n;
	size_t len;  /* expected length, 0: invalid */
	uint32_t cp; /* expected code point when valid */
};

#define B(s) s, sizeof(s) - 1

static void
check_seq(const struct seq_case *tc, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		uint32_t cp = 0xdeadbeef;
		size_t len = utf8_seq((const uint8_t *)tc[i].bytes, tc[i].n, &cp);

		if (len != tc[i].len || cp != tc[i].cp)
			print_error("case %zu: len %zu cp U+%04X, expected len "
			            "%zu cp U+%04X\n",
			            i, len, (unsigned)cp, tc[i].len,
			            (unsigned)tc[i].cp);
		assert_int_equal(len, tc[i].len);
		assert_int_equal(cp, tc[i].cp);
	}
}

static void
test_seq_ascii(void **state)
{
	static const struct seq_case tc[] = {
		{ B("A"), 1, 0x41 },
		{ B("~"), 1, 0x7e },
		{ "\0", 1, 1, 0x00 },
		{ B("\x7f"), 1, 0x7f },
		/* only the first sequence counts */
		{ B("ab"), 1, 0x61 },
	};

	(void)state;
	check_seq(tc, sizeof tc / sizeof tc[0]);
}

static void
test_seq_multibyte_valid(void **state)
{
	static const struct seq_case tc[] = {
		{ B("\xc2\x80"), 2, 0x80 },             /* lowest 2-byte */
		{ B("\xc3\xa9"), 2, 0xe9 },             /* e acute */
		{ B("\xdf\xbf"), 2, 0x7ff },            /* highest 2-byte */
		{ B("\xe0\xa0\x80"), 3, 0x800 },        /* lowest 3-byte */
		{ B("\xe2\x82\xac"), 3, 0x20ac },       /* euro sign */
		{ B("\xed\x9f\xbf"), 3, 0xd7ff },       /* just below surrogates */
		{ B("\xee\x80\x80"), 3, 0xe000 },       /* just above them */
		{ B("\xef\xbf\xbf"), 3, 0xffff },
		{ B("\xf0\x90\x80\x80"), 4, 0x10000 },  /* lowest 4-byte */
		{ B("\xf0\x9f\x98\x80"), 4, 0x1f600 },
		{ B("\xf4\x8f\xbf\xbf"), 4, 0x10ffff }, /* highest code point */
		{ B("\xc3\xa9zz"), 2, 0xe9 },           /* trailing bytes ignored */
	};

	(void)state;
	check_seq(tc, sizeof tc / sizeof tc[0]);
}

static void
test_seq_overlong(void **state)
{
	static const struct seq_case tc[] = {
		{ B("\xc0\xaf"), 0, 0 },             /* '/' in two bytes */
		{ B("\xc0\x80"), 0, 0 },             /* NUL in two bytes */
		{ B("\xc1\xbf"), 0, 0 },
		{ B("\xe0\x80\xaf"), 0, 0 },         /* '/' in three */
		{ B("\xe0\x9f\xbf"), 0, 0 },         /* U+07FF in three */
		{ B("\xf0\x80\x80\xaf"), 0, 0 },     /* '/' in four */
		{ B("\xf0\x8f\xbf\xbf"), 0, 0 },     /* U+FFFF in four */
	};

	(void)state;
	check_seq(tc, sizeof tc / sizeof tc[0]);
}

static void
test_seq_surrogate(void **state)
{
	static const struct seq_case tc[] = {
		{ B("\xed\xa0\x80"), 0, 0 }, /* U+D800 */
		{ B("\xed\xad\xbf"), 0, 0 }, /* U+DB7F */
		{ B("\xed\xb0\x80"), 0, 0 }, /* U+DC00 */
		{ B("\xed\xbf\xbf"), 0, 0 }, /* U+DFFF */
		/* a CESU-8 pair is two invalid sequences, not one code point */
		{ B("\xed\xa0\xbd\xed\xb8\x80"), 0, 0 },
	};

	(void)state;
	check_seq(tc, sizeof tc / sizeof tc[0]);
}

static void
test_seq_beyond_max(void **state)
{
	static const struct seq_case tc[] = {
		{ B("\xf4\x90\x80\x80"), 0, 0 }, /* U+110000 */
		{ B("\xf5\x80\x80\x80"), 0, 0 },
		{ B("\xf7\xbf\xbf\xbf"), 0, 0 },
		{ B("\xf8\x88\x80\x80\x80"), 0, 0 }, /* old 5-byte form */
		{ B("\xfc\x84\x80\x80\x80\x80"), 0, 0 },
		{ B("\xfe"), 0, 0 },
		{ B("\xff"), 0, 0 },
	};

	(void)state;
	check_seq(tc, sizeof tc / sizeof tc[0]);
}

static void
test_seq_truncated_and_bad_continuation(void **state)
{
	static const struct seq_case tc[] = {
		{ "", 0, 0, 0 },
		{ B("\xc3"), 0, 0 },
		{ B("\xe2\x82"), 0, 0 },
		{ B("\xe2"), 0, 0 },
		{ B("\xf0\x9f\x98"), 0, 0 },
		/* the bytes exist but n says they do not */
		{ "\xe2\x82\xac", 2, 0, 0 },
		{ "\xf0\x9f\x98\x80", 3, 0, 0 },
		/* lone continuation bytes */
		{ B("\x80"), 0, 0 },
		{ B("\xbf"), 0, 0 },
		/* a lead byte followed by something that is no continuation */
		{ B("\xc3\x41"), 0, 0 },
		{ B("\xc3\xc3"), 0, 0 },
		{ B("\xe2\x28\xa1"), 0, 0 },
		{ B("\xe2\x82\x28"), 0, 0 },
		{ B("\xf0\x9f\x98\x41"), 0, 0 },
	};

	(void)state;
	check_seq(tc, sizeof tc / sizeof tc[0]);
}

/* Sanitize s[0..n) into a buffer of max bytes, with a guard after it. */
static const char *
san(char *buf, size_t bufsize, size_t max, const char *s, size_t n)
{
	assert_true(max < bufsize);
	memset(buf, 'Z', bufsize);
	utf8_sanitize(buf, max, (const uint8_t *)s, n);
	/* never a byte written past max */
	for (size_t i = max; i < bufsize; i++)
		assert_int_equal(buf[i], 'Z');
	return buf;
}

#define SAN(buf, max, lit) san(buf, sizeof buf, max, lit, sizeof(lit) - 1)

static void
test_sanitize_printable_kept(void **state)
{
	char b[128];

	(void)state;
	assert_string_equal(SAN(b, 100, "imap.example.test"),
	                    "imap.example.test");
	assert_string_equal(SAN(b, 100, " !~"), " !~");
	assert_string_equal(SAN(b, 100, ""), "");
	/* valid multibyte text that is not a control stays as it is */
	assert_string_equal(SAN(b, 100, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
	                    "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	/* U+00A0 is the first code point past the C1 block */
	assert_string_equal(SAN(b, 100, "\xc2\xa0"), "\xc2\xa0");
}

static void
test_sanitize_controls(void **state)
{
	char b[128];

	(void)state;
	assert_string_equal(SAN(b, 100, "a\tb\r\n"), "a\\x09b\\x0d\\x0a");
	assert_string_equal(SAN(b, 100, "x\x7fy"), "x\\x7fy");
	assert_string_equal(SAN(b, 100, "\x01\x1f"), "\\x01\\x1f");
	/* an embedded NUL does not end the text */
	assert_string_equal(SAN(b, 100, "a\0b"), "a\\x00b");
	/* the backslash is doubled so an escape cannot be forged */
	assert_string_equal(SAN(b, 100, "C:\\x41"), "C:\\\\x41");
}

static void
test_sanitize_terminal_escapes(void **state)
{
	char b[128];

	(void)state;
	/* CSI in its 7-bit form: ESC [ */
	assert_string_equal(SAN(b, 100, "\x1b[31mred\x1b[0m"),
	                    "\\x1b[31mred\\x1b[0m");
	assert_null(strchr(b, 0x1b));
	/* CSI as a C1 control in UTF-8 (U+009B) */
	assert_string_equal(SAN(b, 100, "\xc2\x9b" "2J"), "\\xc2\\x9b2J");
	/* the first and last C1 controls */
	assert_string_equal(SAN(b, 100, "\xc2\x80\xc2\x9f"),
	                    "\\xc2\\x80\\xc2\\x9f");
	/* a raw C1 byte is not UTF-8 at all */
	assert_string_equal(SAN(b, 100, "\x9b"), "\\x9b");
}

static void
test_sanitize_invalid(void **state)
{
	char b[128];

	(void)state;
	assert_string_equal(SAN(b, 100, "\xc0\xaf"), "\\xc0\\xaf");
	assert_string_equal(SAN(b, 100, "\xed\xa0\x80"), "\\xed\\xa0\\x80");
	assert_string_equal(SAN(b, 100, "\xf5\x80"), "\\xf5\\x80");
	assert_string_equal(SAN(b, 100, "ok\xe2\x82"), "ok\\xe2\\x82");
	assert_string_equal(SAN(b, 100, "\xff" "a"), "\\xffa");
}

static void
test_sanitize_cut(void **state)
{
	char b[64];

	(void)state;
	/* too long: the cut ends in "...", and the result fills max exactly */
	assert_string_equal(SAN(b, 8, "abcdefghij"), "abcd...");
	assert_int_equal(strlen(b), 7);
	assert_string_equal(SAN(b, 8, "abcdefgh"), "abcd...");
	assert_string_equal(SAN(b, 4, "abcdef"), "...");
	/* an escape or a multibyte character is never split */
	assert_string_equal(SAN(b, 9, "ab\x01\x02\x03"), "ab...");
	assert_string_equal(SAN(b, 10, "abc\xe2\x82\xac\xe2\x82\xacx"),
	                    "abc\xe2\x82\xac...");
	assert_string_equal(SAN(b, 9, "abc\xe2\x82\xac\xe2\x82\xacx"),
	                    "abc...");
	assert_string_equal(SAN(b, 8, "a\\\\\\\\"), "a\\\\...");
}

static void
test_sanitize_fits_exactly(void **state)
{
	char b[64];

	(void)state;
	/* What fits in max bytes with its NUL is not cut. */
	assert_string_equal(SAN(b, 8, "abcdefg"), "abcdefg");
	assert_string_equal(SAN(b, 5, "\x1b"), "\\x1b");
	assert_string_equal(SAN(b, 3, "ab"), "ab");
	assert_string_equal(SAN(b, 2, "a"), "a");
}

static void
test_sanitize_tiny_max(void **state)
{
	char b[16];

	(void)state;
	/* max 0: not even the NUL may be written */
	SAN(b, 0, "abc");
	assert_int_equal(b[0], 'Z');
	/* max 1: only the NUL */
	assert_string_equal(SAN(b, 1, "abc"), "");
	assert_string_equal(SAN(b, 1, ""), "");
	/* too small for "..." too: empty rather than a partial mark */
	assert_string_equal(SAN(b, 3, "abcdef"), "");
	/* returns dst */
	assert_ptr_equal(utf8_sanitize(b, sizeof b, (const uint8_t *)"x", 1), b);
}

/* Bidirectional controls would reorder what follows them on a terminal
 * (CVE-2021-42574): shown as escapes, in both forms. */
static void
test_sanitize_bidi_controls(void **state)
{
	static const char rlo[] = "evil\xe2\x80\xaegnp.exe";
	char b[128];

	(void)state;
	assert_string_equal(SAN(b, 100, "evil\xe2\x80\xaegnp.exe"),
	                    "evil\\u202egnp.exe");
	assert_string_equal(utf8_sanitize_text(b, sizeof b,
	                                       (const uint8_t *)rlo,
	                                       sizeof rlo - 1),
	                    "evil\\u202egnp.exe");
	assert_string_equal(SAN(b, 100, "a\xe2\x81\xa6" "b\xe2\x81\xa9" "c"),
	                    "a\\u2066b\\u2069c");
	assert_string_equal(SAN(b, 100, "\xd8\x9c\xe2\x80\x8f"),
	                    "\\u061c\\u200f");
	/* their neighbours are ordinary characters */
	assert_string_equal(SAN(b, 100, "\xe2\x80\xaf\xe2\x80\x8d"),
	                    "\xe2\x80\xaf\xe2\x80\x8d");
	/* an escape is never cut in half */
	assert_string_equal(SAN(b, 8, "ab\xe2\x80\xae"), "ab...");
}

/* Text escaped already (RFC 4514 names): backslashes stay single, the rest
 * is as utf8_sanitize() makes it. */
static void
test_sanitize_text_keeps_backslashes(void **state)
{
	static const char name[] = "O=Facebook\\, Inc.,CN=a\x1b" "b";
	char b[128];

	(void)state;
	assert_string_equal(utf8_sanitize_text(b, sizeof b,
	                                       (const uint8_t *)name,
	                                       sizeof name - 1),
	                    "O=Facebook\\, Inc.,CN=a\\x1bb");
	assert_string_equal(SAN(b, 100, "O=Facebook\\, Inc."),
	                    "O=Facebook\\\\, Inc.");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seq_ascii),
		cmocka_unit_test(test_seq_multibyte_valid),
		cmocka_unit_test(test_seq_overlong),
		cmocka_unit_test(test_seq_surrogate),
		cmocka_unit_test(test_seq_beyond_max),
		cmocka_unit_test(test_seq_truncated_and_bad_continuation),
		cmocka_unit_test(test_sanitize_printable_kept),
		cmocka_unit_test(test_sanitize_controls),
		cmocka_unit_test(test_sanitize_terminal_escapes),
		cmocka_unit_test(test_sanitize_invalid),
		cmocka_unit_test(test_sanitize_cut),
		cmocka_unit_test(test_sanitize_fits_exactly),
		cmocka_unit_test(test_sanitize_tiny_max),
		cmocka_unit_test(test_sanitize_bidi_controls),
		cmocka_unit_test(test_sanitize_text_keeps_backslashes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
