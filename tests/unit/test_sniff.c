/* test_sniff.c: which first bytes start a TLS or mail stream on an unwatched port. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "sniff.h"

static enum sniff_kind
sniff_str(const char *s)
{
	return sniff_stream_start((const uint8_t *)s, strlen(s));
}

/* Handshake records: type 1 is a ClientHello, type 2 a ServerHello. */
static void
test_hellos(void **state)
{
	static const uint8_t ch[] = { 0x16, 0x03, 0x01, 0x02, 0x00, 0x01 };
	static const uint8_t sh[] = { 0x16, 0x03, 0x03, 0x00, 0x5a, 0x02 };
	static const uint8_t sh10[] = { 0x16, 0x03, 0x01, 0x00, 0x4a, 0x02 };
	static const uint8_t ssl2[] = { 0x80, 0x2e, 0x01, 0x00, 0x02 };

	(void)state;
	assert_int_equal(sniff_stream_start(ch, sizeof ch), SNIFF_CLIENT_HELLO);
	assert_int_equal(sniff_stream_start(sh, sizeof sh), SNIFF_SERVER_HELLO);
	assert_int_equal(sniff_stream_start(sh10, sizeof sh10),
	                 SNIFF_SERVER_HELLO);
	assert_int_equal(sniff_stream_start(ssl2, sizeof ssl2),
	                 SNIFF_CLIENT_HELLO);
}

/* What is not a stream start: other handshake types, other record types,
 * a zero-length record, a version past 3.4, too few bytes. */
static void
test_not_starts(void **state)
{
	static const uint8_t cert[] = { 0x16, 0x03, 0x03, 0x04, 0x00, 0x0b };
	static const uint8_t appdata[] = { 0x17, 0x03, 0x03, 0x00, 0x20, 0x02 };
	static const uint8_t empty[] = { 0x16, 0x03, 0x03, 0x00, 0x00, 0x02 };
	static const uint8_t v35[] = { 0x16, 0x03, 0x05, 0x00, 0x20, 0x02 };
	static const uint8_t cut[] = { 0x16, 0x03, 0x03, 0x00, 0x20 };

	(void)state;
	assert_int_equal(sniff_stream_start(cert, sizeof cert), SNIFF_NONE);
	assert_int_equal(sniff_stream_start(appdata, sizeof appdata),
	                 SNIFF_NONE);
	assert_int_equal(sniff_stream_start(empty, sizeof empty), SNIFF_NONE);
	assert_int_equal(sniff_stream_start(v35, sizeof v35), SNIFF_NONE);
	assert_int_equal(sniff_stream_start(cut, sizeof cut), SNIFF_NONE);
	assert_int_equal(sniff_stream_start(cut, 0), SNIFF_NONE);
}

static void
test_greetings(void **state)
{
	(void)state;
	assert_int_equal(sniff_str("* OK IMAP4rev1 ready\r\n"),
	                 SNIFF_IMAP_GREETING);
	assert_int_equal(sniff_str("* PREAUTH hi\r\n"), SNIFF_IMAP_GREETING);
	assert_int_equal(sniff_str("+OK POP3 ready\r\n"), SNIFF_POP3_GREETING);
	assert_int_equal(sniff_str("220 mx ESMTP\r\n"), SNIFF_SMTP_GREETING);
	assert_int_equal(sniff_str("220-mx ESMTP\r\n"), SNIFF_SMTP_GREETING);
	assert_int_equal(sniff_str("2200 no\r\n"), SNIFF_NONE);
	assert_int_equal(sniff_str("GET / HTTP/1.1\r\n"), SNIFF_NONE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hellos),
		cmocka_unit_test(test_not_starts),
		cmocka_unit_test(test_greetings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
