/* fuzz_pop3.c: fuzz target for the POP3 line layer and the STLS machine (RFC 1939, RFC 2449, RFC 2595, RFC 5034). */
#include "line.h"
#include "pop3.h"
#include "fuzz_mail.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The pure parsers on the whole input taken as one line. */
static void
lines(const uint8_t *data, size_t size)
{
	struct ta_bytes body = line_body(data, size);
	struct pop3_resp r;
	struct pop3_cmd c;
	struct pop3_capa k;
	size_t len;
	enum dis_status st;

	st = line_end(data, size, 0, POP3_LINE_MAX, &len);
	if (st == DIS_OK &&
	    (len == 0 || len > size || data[len - 1] != '\n'))
		abort();
	if ((st == DIS_SHORT && len != size) || len > POP3_LINE_MAX)
		abort();
	if (pop3_parse_resp(body, &r) == DIS_OK) {
		check_within(body, r.text);
		check_within(r.text, r.code);
		if (r.has_code && r.code.n == 0)
			abort();
	}
	if (pop3_parse_cmd(body, &c) == DIS_OK) {
		check_within(body, c.keyword);
		check_within(body, c.args);
		if (c.keyword.n == 0 || c.keyword.n > POP3_KEYWORD_MAX)
			abort();
	}
	if (pop3_parse_capa(body, &k) == DIS_OK) {
		check_within(body, k.name);
		check_within(body, k.args);
		if (k.name.n == 0)
			abort();
	}
	(void)pop3_is_end(body);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	lines(data, size);
	drive_session(&starttls_pop3_ops, data, size);
	return 0;
}
