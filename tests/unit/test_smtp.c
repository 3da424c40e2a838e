/* test_smtp.c: the SMTP line layer (RFC 5321 4.1.1 and 4.2, RFC 3463, RFC 3030) and the line framing it shares (line.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "line.h"
#include "smtp.h"

static struct ta_bytes
b(const char *s)
{
	struct ta_bytes v = {(const uint8_t *)s, strlen(s)};

	return v;
}

static void
assert_view(struct ta_bytes v, const char *want)
{
	assert_int_equal(v.n, strlen(want));
	if (v.n > 0)
		assert_memory_equal(v.p, want, v.n);
}

static void
test_reply_lines(void **state)
{
	struct smtp_reply_line r;

	(void)state;
	assert_int_equal(smtp_parse_reply_line(b("250-mail.lab.example"), &r),
	                 DIS_OK);
	assert_int_equal(r.code, 250);
	assert_false(r.last);
	assert_view(r.text, "mail.lab.example");
	assert_false(r.has_esc);

	assert_int_equal(smtp_parse_reply_line(
	    b("454 4.7.0 TLS not available due to local problem"), &r), DIS_OK);
	assert_int_equal(r.code, 454);
	assert_true(r.last);
	assert_true(r.has_esc);
	assert_int_equal(r.esc_class, 4);
	assert_view(r.esc, "4.7.0");

	/* A bare code ends a reply (RFC 5321 4.2: text is optional). */
	assert_int_equal(smtp_parse_reply_line(b("220"), &r), DIS_OK);
	assert_true(r.last);
	assert_int_equal(r.text.n, 0);
	assert_int_equal(smtp_parse_reply_line(b("354 "), &r), DIS_OK);
	assert_int_equal(r.code, 354);
	assert_int_equal(smtp_parse_reply_line(b("599 x"), &r), DIS_OK);

	/* Enhanced codes: class 2, 4 or 5, 1-3 digit parts, then a blank. */
	assert_int_equal(smtp_parse_reply_line(b("250 2.0.0"), &r), DIS_OK);
	assert_true(r.has_esc);
	assert_int_equal(smtp_parse_reply_line(b("250 2.100.999 ok"), &r),
	                 DIS_OK);
	assert_true(r.has_esc);
	assert_view(r.esc, "2.100.999");
	assert_int_equal(smtp_parse_reply_line(b("250 3.0.0 x"), &r), DIS_OK);
	assert_false(r.has_esc);
	assert_int_equal(smtp_parse_reply_line(b("250 2.1000.0 x"), &r), DIS_OK);
	assert_false(r.has_esc);
	assert_int_equal(smtp_parse_reply_line(b("250 2.0.0x"), &r), DIS_OK);
	assert_false(r.has_esc);
	assert_int_equal(smtp_parse_reply_line(b("250 2..0 x"), &r), DIS_OK);
	assert_false(r.has_esc);
}

static void
test_reply_malformed(void **state)
{
	static const char *const bad[] = {
		"", "2", "25", "150 x", "650 x", "050 x", "25x ok", "2a0 ok",
		"250_x", "250x", "* OK IMAP", "+OK POP3", "4.7.0 [IPTS04] no code",
		" 250 x",
	};
	struct smtp_reply_line r;

	(void)state;
	for (size_t i = 0; i < TA_ELEMENTS(bad); i++)
		assert_int_equal(smtp_parse_reply_line(b(bad[i]), &r),
		                 DIS_MALFORMED);
}

/* Every prefix of a valid reply parses or fails cleanly, never past its
 * bytes (a copy of exactly that size lets the sanitizers see). */
static void
test_reply_prefixes(void **state)
{
	static const char line[] = "421 4.7.0 mail.lab.example closing";
	struct smtp_reply_line r;

	(void)state;
	for (size_t n = 0; n <= sizeof line - 1; n++) {
		uint8_t *copy = test_malloc(n + 1);
		struct ta_bytes v = {copy, n};
		enum dis_status st;

		memcpy(copy, line, n);
		st = smtp_parse_reply_line(v, &r);
		assert_int_equal(st, n >= 3 ? DIS_OK : DIS_MALFORMED);
		test_free(copy);
	}
}

static void
test_commands(void **state)
{
	struct smtp_cmd c;

	(void)state;
	assert_int_equal(smtp_parse_cmd(b("EHLO client.lab.example"), &c),
	                 DIS_OK);
	assert_view(c.verb, "EHLO");
	assert_view(c.args, "client.lab.example");
	assert_int_equal(smtp_parse_cmd(b("starttls"), &c), DIS_OK);
	assert_view(c.verb, "starttls");
	assert_int_equal(c.args.n, 0);
	assert_int_equal(smtp_parse_cmd(b("MAIL\t \tFROM:<a@b>"), &c), DIS_OK);
	assert_view(c.args, "FROM:<a@b>");
	assert_int_equal(smtp_parse_cmd(b("X1234567890ABCDE"), &c), DIS_OK);
	assert_int_equal(smtp_parse_cmd(b("X1234567890ABCDEF"), &c),
	                 DIS_MALFORMED);
	assert_int_equal(smtp_parse_cmd(b(""), &c), DIS_MALFORMED);
	assert_int_equal(smtp_parse_cmd(b(" EHLO x"), &c), DIS_MALFORMED);
	assert_int_equal(smtp_parse_cmd(b("1EHLO"), &c), DIS_MALFORMED);
	assert_int_equal(smtp_parse_cmd(b("EHLO:x"), &c), DIS_MALFORMED);
	assert_int_equal(smtp_parse_cmd(b("\x16\x03\x01"), &c), DIS_MALFORMED);
}

static void
test_ehlo_keywords(void **state)
{
	struct smtp_ehlo_kw k;

	(void)state;
	assert_int_equal(smtp_parse_ehlo_kw(b("STARTTLS"), &k), DIS_OK);
	assert_view(k.keyword, "STARTTLS");
	assert_int_equal(k.params.n, 0);
	assert_int_equal(smtp_parse_ehlo_kw(b("AUTH PLAIN LOGIN"), &k), DIS_OK);
	assert_view(k.keyword, "AUTH");
	assert_view(k.params, "PLAIN LOGIN");
	assert_int_equal(smtp_parse_ehlo_kw(b("AUTH=PLAIN LOGIN"), &k), DIS_OK);
	assert_view(k.keyword, "AUTH");
	assert_view(k.params, "PLAIN LOGIN");
	assert_int_equal(smtp_parse_ehlo_kw(b("SIZE 10240000"), &k), DIS_OK);
	assert_view(k.params, "10240000");
	assert_int_equal(smtp_parse_ehlo_kw(b(""), &k), DIS_MALFORMED);
	assert_int_equal(smtp_parse_ehlo_kw(b(" STARTTLS"), &k), DIS_MALFORMED);
}

static void
test_bdat(void **state)
{
	uint64_t n;
	bool last;

	(void)state;
	assert_true(smtp_bdat_size(b("1024"), &n, &last));
	assert_int_equal(n, 1024);
	assert_false(last);
	assert_true(smtp_bdat_size(b("0 LAST"), &n, &last));
	assert_int_equal(n, 0);
	assert_true(last);
	assert_true(smtp_bdat_size(b("999999999999999999 last"), &n, &last));
	assert_true(n == UINT64_C(999999999999999999));
	assert_false(smtp_bdat_size(b("9999999999999999999"), &n, &last));
	assert_false(smtp_bdat_size(b(""), &n, &last));
	assert_false(smtp_bdat_size(b("-1"), &n, &last));
	assert_false(smtp_bdat_size(b("12 FIRST"), &n, &last));
	assert_false(smtp_bdat_size(b("1x"), &n, &last));
}

/* line.h: framing with a bound, bodies, keywords, the TLS sniff. */
static void
test_line_framing(void **state)
{
	static const uint8_t two[] = "250 ok\r\n220 x";
	size_t len;

	(void)state;
	assert_int_equal(line_end(two, sizeof two - 1, 0, 64, &len), DIS_OK);
	assert_int_equal(len, 8);
	assert_int_equal(line_end(two + 8, 5, 0, 64, &len), DIS_SHORT);
	assert_int_equal(len, 5);
	/* The bound counts the bytes held before, LF included. */
	assert_int_equal(line_end((const uint8_t *)"\n", 1, 63, 64, &len),
	                 DIS_OK);
	assert_int_equal(line_end((const uint8_t *)"x\n", 2, 63, 64, &len),
	                 DIS_LIMIT);
	assert_int_equal(len, 0);
	assert_int_equal(line_end((const uint8_t *)"x", 1, 63, 64, &len),
	                 DIS_LIMIT);
	assert_int_equal(line_end((const uint8_t *)"", 0, 64, 64, &len),
	                 DIS_LIMIT);
	assert_int_equal(line_end(NULL, 0, 0, 64, &len), DIS_SHORT);

	assert_view(line_body((const uint8_t *)"a\r\n", 3), "a");
	assert_view(line_body((const uint8_t *)"a\n", 2), "a");
	assert_view(line_body((const uint8_t *)"a\r", 2), "a");
	assert_true(line_binary(b("a\rb")));
	assert_true(line_binary((struct ta_bytes){(const uint8_t *)"a\0b", 3}));
	assert_false(line_binary(b("a\tb")));
	assert_true(line_keyword_eq(b("StartTLS"), "STARTTLS"));
	assert_false(line_keyword_eq(b("STARTTL"), "STARTTLS"));
	assert_true(line_all_digits(b("0123")));
	assert_false(line_all_digits(b("")));
	assert_false(line_all_digits(b("12a")));
}

static void
test_line_words_and_sniff(void **state)
{
	struct ta_bytes rest = b(" \tPLAIN  LOGIN\t"), w;

	(void)state;
	assert_true(line_word_next(&rest, &w));
	assert_view(w, "PLAIN");
	assert_true(line_word_next(&rest, &w));
	assert_view(w, "LOGIN");
	assert_false(line_word_next(&rest, &w));
	assert_int_equal(w.n, 0);

	assert_int_equal(line_sniff_tls((const uint8_t *)"\x16\x03\x01\x02\x00",
	                                5), LINE_SNIFF_RECORD);
	assert_int_equal(line_sniff_tls((const uint8_t *)"\x16", 1),
	                 LINE_SNIFF_RECORD);
	assert_int_equal(line_sniff_tls((const uint8_t *)"\x16\x03\x05", 3),
	                 LINE_SNIFF_TEXT);
	assert_int_equal(line_sniff_tls((const uint8_t *)"\x16\x03\x01\x00\x00",
	                                5), LINE_SNIFF_TEXT);
	assert_int_equal(line_sniff_tls((const uint8_t *)"\x80\x2e\x01\x03\x01",
	                                5), LINE_SNIFF_SSL2);
	assert_int_equal(line_sniff_tls((const uint8_t *)"220 ", 4),
	                 LINE_SNIFF_TEXT);
	assert_int_equal(line_sniff_tls(NULL, 0), LINE_SNIFF_TEXT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reply_lines),
		cmocka_unit_test(test_reply_malformed),
		cmocka_unit_test(test_reply_prefixes),
		cmocka_unit_test(test_commands),
		cmocka_unit_test(test_ehlo_keywords),
		cmocka_unit_test(test_bdat),
		cmocka_unit_test(test_line_framing),
		cmocka_unit_test(test_line_words_and_sniff),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
