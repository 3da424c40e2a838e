/* test_pop3.c: the POP3 line layer (RFC 1939 3, RFC 2449 5 and 8, RFC 5034 4). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "pop3.h"

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
test_responses(void **state)
{
	struct pop3_resp r;

	(void)state;
	assert_int_equal(pop3_parse_resp(b("+OK Dovecot (Debian) ready."), &r),
	                 DIS_OK);
	assert_int_equal(r.status, POP3_OK);
	assert_view(r.text, "Dovecot (Debian) ready.");
	assert_false(r.has_code);
	assert_int_equal(pop3_parse_resp(b("+OK"), &r), DIS_OK);
	assert_int_equal(r.text.n, 0);
	assert_int_equal(pop3_parse_resp(b("+ok fine"), &r), DIS_OK);
	assert_int_equal(r.status, POP3_OK);
	assert_int_equal(pop3_parse_resp(
	    b("-ERR [SYS/TEMP] Too many connections"), &r), DIS_OK);
	assert_int_equal(r.status, POP3_ERR);
	assert_true(r.has_code);
	assert_view(r.code, "SYS/TEMP");
	assert_int_equal(pop3_parse_resp(b("-ERR [] x"), &r), DIS_OK);
	assert_false(r.has_code);
	assert_int_equal(pop3_parse_resp(b("-ERR [AUTH x"), &r), DIS_OK);
	assert_false(r.has_code);
	assert_int_equal(pop3_parse_resp(b("+ "), &r), DIS_OK);
	assert_int_equal(r.status, POP3_CONT);
	assert_int_equal(pop3_parse_resp(b("+"), &r), DIS_OK);
	assert_int_equal(r.status, POP3_CONT);
	assert_int_equal(pop3_parse_resp(b("+ UGFzc3dvcmQ6"), &r), DIS_OK);
	assert_view(r.text, "UGFzc3dvcmQ6");
}

static void
test_responses_malformed(void **state)
{
	static const char *const bad[] = {
		"", "OK", "+OKAY", "-ER", "-ERROR x", "+x", "* OK IMAP",
		"220 smtp", "-", " +OK", "+OK\tx",
	};
	struct pop3_resp r;

	(void)state;
	for (size_t i = 0; i < TA_ELEMENTS(bad); i++)
		assert_int_equal(pop3_parse_resp(b(bad[i]), &r), DIS_MALFORMED);
}

static void
test_prefixes(void **state)
{
	static const char line[] = "-ERR [IN-USE] Mailbox locked";
	struct pop3_resp r;

	(void)state;
	for (size_t n = 0; n <= sizeof line - 1; n++) {
		uint8_t *copy = test_malloc(n + 1);
		struct ta_bytes v = {copy, n};
		enum dis_status st;

		memcpy(copy, line, n);
		st = pop3_parse_resp(v, &r);
		/* "-ERR" alone or with SP and text parses; "-", "-E", "-ER"
		 * do not. */
		assert_int_equal(st, n >= 4 ? DIS_OK : DIS_MALFORMED);
		test_free(copy);
	}
}

static void
test_commands(void **state)
{
	struct pop3_cmd c;

	(void)state;
	assert_int_equal(pop3_parse_cmd(b("STLS"), &c), DIS_OK);
	assert_view(c.keyword, "STLS");
	assert_int_equal(c.args.n, 0);
	assert_int_equal(pop3_parse_cmd(b("user labuser"), &c), DIS_OK);
	assert_view(c.keyword, "user");
	assert_view(c.args, "labuser");
	assert_int_equal(pop3_parse_cmd(b("TOP 1  10"), &c), DIS_OK);
	assert_view(c.args, "1  10");
	assert_int_equal(pop3_parse_cmd(b("XTND1234567890AB"), &c), DIS_OK);
	assert_int_equal(pop3_parse_cmd(b("XTND1234567890ABC"), &c),
	                 DIS_MALFORMED);
	assert_int_equal(pop3_parse_cmd(b(""), &c), DIS_MALFORMED);
	assert_int_equal(pop3_parse_cmd(b(" USER x"), &c), DIS_MALFORMED);
	assert_int_equal(pop3_parse_cmd(b("USER:x"), &c), DIS_MALFORMED);
	assert_int_equal(pop3_parse_cmd(b("\x80\x2e"), &c), DIS_MALFORMED);
}

static void
test_capa_and_end(void **state)
{
	struct pop3_capa k;

	(void)state;
	assert_int_equal(pop3_parse_capa(b("SASL PLAIN LOGIN"), &k), DIS_OK);
	assert_view(k.name, "SASL");
	assert_view(k.args, "PLAIN LOGIN");
	assert_int_equal(pop3_parse_capa(b("STLS"), &k), DIS_OK);
	assert_view(k.name, "STLS");
	assert_int_equal(k.args.n, 0);
	assert_int_equal(pop3_parse_capa(b("IMPLEMENTATION \t x y"), &k),
	                 DIS_OK);
	assert_view(k.args, "x y");
	assert_int_equal(pop3_parse_capa(b(""), &k), DIS_MALFORMED);
	assert_int_equal(pop3_parse_capa(b(" STLS"), &k), DIS_MALFORMED);
	assert_true(pop3_is_end(b(".")));
	assert_false(pop3_is_end(b("..")));
	assert_false(pop3_is_end(b(". ")));
	assert_false(pop3_is_end(b("")));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_responses),
		cmocka_unit_test(test_responses_malformed),
		cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_commands),
		cmocka_unit_test(test_capa_and_end),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
