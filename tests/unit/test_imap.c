/* test_imap.c: the IMAP line layer (RFC 9051 sections 4.3, 7, 9; RFC 7888). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "imap.h"

/* The greeting of Dovecot 2.3.19 (Debian), as recorded. */
static const char greeting[] =
	"* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE "
	"LITERAL+ STARTTLS AUTH=PLAIN AUTH=LOGIN] Dovecot (Debian) ready.";

static struct ta_bytes
bs(const char *s)
{
	struct ta_bytes b;

	b.p = (const uint8_t *)s;
	b.n = strlen(s);
	return b;
}

static void
assert_view(struct ta_bytes v, const char *want)
{
	size_t n = strlen(want);

	assert_int_equal(v.n, n);
	if (n > 0)
		assert_memory_equal(v.p, want, n);
}

static void
test_line_end(void **state)
{
	static const char line[] = "a1 NOOP\r\nrest";
	static uint8_t big[IMAP_LINE_MAX + 8];
	size_t len = 99;

	(void)state;
	assert_int_equal(imap_line_end((const uint8_t *)line, sizeof line - 1,
	                               0, &len), DIS_OK);
	assert_int_equal(len, 9);
	/* Every prefix without the LF waits for more. */
	for (size_t i = 0; i < 9; i++) {
		assert_int_equal(imap_line_end((const uint8_t *)line, i, 0,
		                               &len), DIS_SHORT);
		assert_int_equal(len, i);
	}
	/* A line of exactly IMAP_LINE_MAX bytes, LF included, fits... */
	memset(big, 'x', sizeof big);
	big[IMAP_LINE_MAX - 1] = '\n';
	assert_int_equal(imap_line_end(big, sizeof big, 0, &len), DIS_OK);
	assert_int_equal(len, IMAP_LINE_MAX);
	/* ... also when most of it was held before ... */
	assert_int_equal(imap_line_end(big + IMAP_LINE_MAX - 3, 3,
	                               IMAP_LINE_MAX - 3, &len), DIS_OK);
	assert_int_equal(len, 3);
	/* ... one byte more does not. */
	assert_int_equal(imap_line_end(big + IMAP_LINE_MAX - 3, 3,
	                               IMAP_LINE_MAX - 2, &len), DIS_LIMIT);
	assert_int_equal(len, 0);
	big[IMAP_LINE_MAX - 1] = 'x';
	big[IMAP_LINE_MAX] = '\n';
	assert_int_equal(imap_line_end(big, sizeof big, 0, &len), DIS_LIMIT);
	assert_int_equal(imap_line_end(big, IMAP_LINE_MAX - 1, 0, &len),
	                 DIS_SHORT);
	assert_int_equal(imap_line_end(big, IMAP_LINE_MAX, 0, &len), DIS_LIMIT);
	assert_int_equal(imap_line_end(big, 0, IMAP_LINE_MAX, &len), DIS_LIMIT);
	assert_int_equal(imap_line_end(NULL, 0, 0, &len), DIS_SHORT);
}

static void
test_line_body(void **state)
{
	(void)state;
	assert_view(imap_line_body((const uint8_t *)"a NOOP\r\n", 8), "a NOOP");
	assert_view(imap_line_body((const uint8_t *)"a NOOP\n", 7), "a NOOP");
	assert_view(imap_line_body((const uint8_t *)"a NOOP", 6), "a NOOP");
	assert_view(imap_line_body((const uint8_t *)"\r\n", 2), "");
	assert_view(imap_line_body((const uint8_t *)"x\r\r\n", 4), "x\r");
	assert_false(imap_line_binary(bs(greeting)));
	assert_false(imap_line_binary(bs("a LOGIN \"caf\xc3\xa9\" x\t")));
	assert_true(imap_line_binary(imap_line_body(
		(const uint8_t *)"x\r\r\n", 4)));
	assert_true(imap_line_binary(imap_line_body(
		(const uint8_t *)"a\0b\r\n", 5)));
}

struct literal_case {
	const char *line;
	bool found;
	uint64_t n;
	bool nonsync;
};

static void
test_literal(void **state)
{
	static const struct literal_case cases[] = {
		{"a1 LOGIN alice {9}", true, 9, false},
		{"a1 LOGIN alice {9+}", true, 9, true},
		{"a APPEND INBOX ~{12}", true, 12, false},
		{"* 1 FETCH (BODY[] {0}", true, 0, false},
		{" {8}", true, 8, false},
		{"{5}", true, 5, false},
		{"{9223372036854775807}", true, UINT64_C(9223372036854775807),
		 false},
		{"{9223372036854775808}", false, 0, false},
		{"{18446744073709551616}", false, 0, false},
		{"{00000000000000000005}", false, 0, false},
		{"a {}", false, 0, false},
		{"a {+}", false, 0, false},
		{"a 5}", false, 0, false},
		{"a {5}x", false, 0, false},
		{"a {5 }", false, 0, false},
		{"a {-5}", false, 0, false},
		{"a {5++}", false, 0, false},
		{"a \"{5}\"", false, 0, false},
		{"}", false, 0, false},
		{"", false, 0, false},
	};
	uint64_t n;
	bool nonsync;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct literal_case *c = &cases[i];

		n = 77;
		nonsync = true;
		assert_int_equal(imap_literal(bs(c->line), &n, &nonsync),
		                 c->found);
		assert_int_equal(n, c->n);
		assert_int_equal(nonsync, c->nonsync);
	}
}

static void
test_resp_greeting(void **state)
{
	struct imap_resp r;
	struct ta_bytes rest, w;
	size_t words = 0;

	(void)state;
	assert_int_equal(imap_parse_resp(bs(greeting), &r), DIS_OK);
	assert_int_equal(r.type, IMAP_RESP_UNTAGGED);
	assert_int_equal(r.cond, IMAP_COND_OK);
	assert_true(r.has_code);
	assert_view(r.code, "CAPABILITY");
	assert_view(r.code_args, "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE "
	            "IDLE LITERAL+ STARTTLS AUTH=PLAIN AUTH=LOGIN");
	assert_int_equal(r.text.n, strlen(greeting) - 5);
	assert_memory_equal(r.text.p, "[CAPABILITY", 11);
	rest = r.code_args;
	while (imap_word_next(&rest, &w))
		words++;
	assert_int_equal(words, 10);
	assert_int_equal(r.tag.n, 0);
	assert_int_equal(r.keyword.n, 0);
}

static void
test_resp_tagged(void **state)
{
	static const char ok[] = "a2 OK Begin TLS negotiation now.";
	struct imap_resp r;

	(void)state;
	assert_int_equal(imap_parse_resp(bs(ok), &r), DIS_OK);
	assert_int_equal(r.type, IMAP_RESP_TAGGED);
	assert_view(r.tag, "a2");
	assert_int_equal(r.cond, IMAP_COND_OK);
	assert_view(r.text, "Begin TLS negotiation now.");
	assert_false(r.has_code);
	/* Prefixes: malformed until the condition is complete. */
	for (size_t i = 0; i <= strlen(ok); i++) {
		struct ta_bytes b = {(const uint8_t *)ok, i};

		assert_int_equal(imap_parse_resp(b, &r),
		                 i >= 5 ? DIS_OK : DIS_MALFORMED);
	}
	assert_int_equal(imap_parse_resp(bs(". OK Pre-login capabilities "
	                                    "listed."), &r), DIS_OK);
	assert_view(r.tag, ".");
	assert_int_equal(imap_parse_resp(
		bs("a1 no [PRIVACYREQUIRED] TLS unavailable"), &r), DIS_OK);
	assert_int_equal(r.cond, IMAP_COND_NO);
	assert_true(r.has_code);
	assert_view(r.code, "PRIVACYREQUIRED");
	assert_view(r.code_args, "");
	assert_view(r.text, "[PRIVACYREQUIRED] TLS unavailable");
	assert_int_equal(imap_parse_resp(bs("A3 BAD"), &r), DIS_OK);
	assert_int_equal(r.cond, IMAP_COND_BAD);
	assert_view(r.text, "");
	assert_int_equal(imap_parse_resp(bs("a]b OK done"), &r), DIS_OK);
	assert_view(r.tag, "a]b");
	/* Tagged responses carry OK, NO or BAD only. */
	assert_int_equal(imap_parse_resp(bs("a PREAUTH x"), &r), DIS_MALFORMED);
	assert_int_equal(imap_parse_resp(bs("a BYE x"), &r), DIS_MALFORMED);
	assert_int_equal(imap_parse_resp(bs("a OKAY"), &r), DIS_MALFORMED);
	assert_int_equal(imap_parse_resp(bs("a1"), &r), DIS_MALFORMED);
	assert_int_equal(imap_parse_resp(bs("a1 "), &r), DIS_MALFORMED);
	assert_int_equal(imap_parse_resp(bs("a1  OK x"), &r), DIS_MALFORMED);
	assert_int_equal(imap_parse_resp(bs("a%1 OK x"), &r), DIS_MALFORMED);
	assert_int_equal(imap_parse_resp(bs("SSH-2.0-OpenSSH_9.2p1"), &r),
	                 DIS_MALFORMED);
	assert_int_equal(imap_parse_resp(bs(""), &r), DIS_MALFORMED);
}

static void
test_resp_untagged(void **state)
{
	struct imap_resp r;

	(void)state;
	assert_int_equal(imap_parse_resp(bs("* CAPABILITY IMAP4rev1 STARTTLS"),
	                                 &r), DIS_OK);
	assert_int_equal(r.type, IMAP_RESP_UNTAGGED);
	assert_int_equal(r.cond, IMAP_COND_NONE);
	assert_view(r.keyword, "CAPABILITY");
	assert_view(r.data, "IMAP4rev1 STARTTLS");
	assert_view(r.number, "");
	assert_int_equal(imap_parse_resp(bs("* 3 EXISTS"), &r), DIS_OK);
	assert_view(r.number, "3");
	assert_view(r.keyword, "EXISTS");
	assert_view(r.data, "");
	assert_int_equal(imap_parse_resp(bs("* 12 FETCH (BODY[] {5}"), &r),
	                 DIS_OK);
	assert_view(r.keyword, "FETCH");
	assert_view(r.data, "(BODY[] {5}");
	assert_int_equal(imap_parse_resp(bs("* PREAUTH [CAPABILITY IMAP4rev1] "
	                                    "Logged in as alice"), &r), DIS_OK);
	assert_int_equal(r.cond, IMAP_COND_PREAUTH);
	assert_view(r.code_args, "IMAP4rev1");
	assert_int_equal(imap_parse_resp(bs("* bye Too many invalid IMAP "
	                                    "commands."), &r), DIS_OK);
	assert_int_equal(r.cond, IMAP_COND_BYE);
	assert_view(r.text, "Too many invalid IMAP commands.");
	assert_int_equal(imap_parse_resp(bs("* OK"), &r), DIS_OK);
	assert_view(r.text, "");
	/* An unclosed or empty code is plain text. */
	assert_int_equal(imap_parse_resp(bs("* OK [ALERT unclosed"), &r),
	                 DIS_OK);
	assert_false(r.has_code);
	assert_view(r.text, "[ALERT unclosed");
	assert_int_equal(imap_parse_resp(bs("* OK [] x"), &r), DIS_OK);
	assert_false(r.has_code);
	assert_int_equal(imap_parse_resp(bs("* OK [ALERT] x"), &r), DIS_OK);
	assert_true(r.has_code);
	assert_view(r.code, "ALERT");
	assert_int_equal(imap_parse_resp(bs("* 3"), &r), DIS_MALFORMED);
	assert_int_equal(imap_parse_resp(bs("* 3x FOO"), &r), DIS_MALFORMED);
	assert_int_equal(imap_parse_resp(bs("*"), &r), DIS_MALFORMED);
	assert_int_equal(imap_parse_resp(bs("* "), &r), DIS_MALFORMED);
	assert_int_equal(imap_parse_resp(bs("*x OK"), &r), DIS_MALFORMED);
	assert_int_equal(imap_parse_resp(bs("*  OK"), &r), DIS_MALFORMED);
}

static void
test_resp_continuation(void **state)
{
	struct imap_resp r;

	(void)state;
	assert_int_equal(imap_parse_resp(bs("+ "), &r), DIS_OK);
	assert_int_equal(r.type, IMAP_RESP_CONTINUATION);
	assert_view(r.text, "");
	assert_int_equal(imap_parse_resp(bs("+"), &r), DIS_OK);
	assert_int_equal(r.type, IMAP_RESP_CONTINUATION);
	assert_int_equal(imap_parse_resp(bs("+ OK"), &r), DIS_OK);
	assert_view(r.text, "OK");
	assert_int_equal(r.cond, IMAP_COND_NONE);
	assert_int_equal(imap_parse_resp(bs("+OK"), &r), DIS_MALFORMED);
	assert_int_equal(imap_parse_resp(bs("+1 OK done"), &r), DIS_MALFORMED);
}

static void
test_cmd(void **state)
{
	static const char *const bad[] = {
		"* STARTTLS", "+1 STARTTLS", "a%b NOOP", "a(b NOOP", "a{1 NOOP",
		"a\"b NOOP", "a\\b NOOP", "a1", "a1 ", " a1 NOOP", "a1 NOOP(",
		"a1  NOOP", "t\xc3\xa9 NOOP", "a\tb NOOP", "a1 NO]OP", "",
	};
	struct imap_cmd c;

	(void)state;
	assert_int_equal(imap_parse_cmd(bs("a1 STARTTLS"), &c), DIS_OK);
	assert_view(c.tag, "a1");
	assert_view(c.name, "STARTTLS");
	assert_view(c.args, "");
	assert_int_equal(imap_parse_cmd(bs(". CAPABILITY"), &c), DIS_OK);
	assert_view(c.tag, ".");
	assert_view(c.name, "CAPABILITY");
	assert_int_equal(imap_parse_cmd(bs("A]1 noop"), &c), DIS_OK);
	assert_view(c.tag, "A]1");
	assert_view(c.name, "noop");
	assert_int_equal(imap_parse_cmd(bs("a.b-c_d!#$&'~=:;<>?@^`|/ STARTTLS"),
	                                &c), DIS_OK);
	assert_view(c.tag, "a.b-c_d!#$&'~=:;<>?@^`|/");
	assert_int_equal(imap_parse_cmd(bs("x LOGIN alice \"pw\""), &c), DIS_OK);
	assert_view(c.name, "LOGIN");
	assert_view(c.args, "alice \"pw\"");
	assert_int_equal(imap_parse_cmd(bs("a1 STARTTLS "), &c), DIS_OK);
	assert_view(c.args, "");
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(imap_parse_cmd(bs(bad[i]), &c), DIS_MALFORMED);
	assert_false(imap_is_tag_char('*'));
	assert_false(imap_is_tag_char('+'));
	assert_false(imap_is_tag_char(' '));
	assert_false(imap_is_tag_char(0x7f));
	assert_false(imap_is_tag_char(0x80));
	assert_true(imap_is_tag_char(']'));
	assert_true(imap_is_tag_char('~'));
}

static void
test_words_keywords(void **state)
{
	struct ta_bytes rest = bs("  IMAP4rev1  STARTTLS AUTH=PLAIN "), w, t;

	(void)state;
	assert_true(imap_word_next(&rest, &w));
	assert_view(w, "IMAP4rev1");
	assert_true(imap_word_next(&rest, &w));
	assert_view(w, "STARTTLS");
	assert_true(imap_word_next(&rest, &w));
	assert_view(w, "AUTH=PLAIN");
	assert_false(imap_word_next(&rest, &w));
	assert_int_equal(w.n, 0);
	assert_true(imap_keyword_eq(bs("sTaRtTlS"), "STARTTLS"));
	assert_false(imap_keyword_eq(bs("STARTTLSX"), "STARTTLS"));
	assert_false(imap_keyword_eq(bs("STARTTL"), "STARTTLS"));
	/* No locale folding: only ASCII letters compare without case. */
	assert_false(imap_keyword_eq(bs("\xc4\xb0"), "I"));
	assert_true(imap_keyword_prefix(bs("auth=plain"), "AUTH=", &t));
	assert_view(t, "plain");
	assert_false(imap_keyword_prefix(bs("AUTH"), "AUTH=", &t));
	assert_int_equal(t.n, 0);
}

struct sniff_case {
	uint8_t b[6];
	size_t n;
	enum imap_sniff want;
};

static void
test_sniff(void **state)
{
	static const struct sniff_case cases[] = {
		/* ClientHello record header of OpenSSL 3 s_client. */
		{{0x16, 0x03, 0x01, 0x01, 0x24, 0x01}, 6, IMAP_SNIFF_RECORD},
		{{0x15, 0x03, 0x03, 0x00, 0x02}, 5, IMAP_SNIFF_RECORD},
		{{0x14, 0x03, 0x03, 0x00, 0x01}, 5, IMAP_SNIFF_RECORD},
		{{0x17, 0x03, 0x03}, 3, IMAP_SNIFF_RECORD},
		{{0x16}, 1, IMAP_SNIFF_RECORD},
		{{0x16, 0x03}, 2, IMAP_SNIFF_RECORD},
		{{0x16, 0x04}, 2, IMAP_SNIFF_TEXT},
		{{0x16, 0x03, 0x05}, 3, IMAP_SNIFF_TEXT},
		{{0x16, 0x03, 0x01, 0x00, 0x00}, 5, IMAP_SNIFF_TEXT},
		{{0x16, 0x03, 0x01, 0x48, 0x01}, 5, IMAP_SNIFF_TEXT},
		{{0x18, 0x03, 0x03}, 3, IMAP_SNIFF_TEXT},
		{{0x13, 0x03, 0x03}, 3, IMAP_SNIFF_TEXT},
		{{0x80, 0x2e, 0x01, 0x00, 0x02}, 5, IMAP_SNIFF_SSL2},
		{{0x80, 0x2e, 0x01, 0x03, 0x01}, 5, IMAP_SNIFF_SSL2},
		{{0x80, 0x2e, 0x02}, 3, IMAP_SNIFF_TEXT},
		{{0x80, 0x2e, 0x01, 0x03, 0x05}, 5, IMAP_SNIFF_TEXT},
		{{0x80, 0x2e, 0x01, 0x00, 0x03}, 5, IMAP_SNIFF_TEXT},
		{{0x80, 0x05}, 2, IMAP_SNIFF_TEXT},
		{{'*', ' ', 'O', 'K'}, 4, IMAP_SNIFF_TEXT},
		{{'a', '1', ' '}, 3, IMAP_SNIFF_TEXT},
		{{0}, 0, IMAP_SNIFF_TEXT},
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_int_equal(imap_sniff_tls(cases[i].b, cases[i].n),
		                 cases[i].want);
	assert_int_equal(imap_sniff_tls(NULL, 5), IMAP_SNIFF_TEXT);
}

static void
test_cond_str(void **state)
{
	(void)state;
	assert_string_equal(imap_cond_str(IMAP_COND_OK), "OK");
	assert_string_equal(imap_cond_str(IMAP_COND_NO), "NO");
	assert_string_equal(imap_cond_str(IMAP_COND_BAD), "BAD");
	assert_string_equal(imap_cond_str(IMAP_COND_PREAUTH), "PREAUTH");
	assert_string_equal(imap_cond_str(IMAP_COND_BYE), "BYE");
	assert_string_equal(imap_cond_str(IMAP_COND_NONE), "none");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_line_end),
		cmocka_unit_test(test_line_body),
		cmocka_unit_test(test_literal),
		cmocka_unit_test(test_resp_greeting),
		cmocka_unit_test(test_resp_tagged),
		cmocka_unit_test(test_resp_untagged),
		cmocka_unit_test(test_resp_continuation),
		cmocka_unit_test(test_cmd),
		cmocka_unit_test(test_words_keywords),
		cmocka_unit_test(test_sniff),
		cmocka_unit_test(test_cond_str),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
