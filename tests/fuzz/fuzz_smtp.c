/* fuzz_smtp.c: fuzz target for the SMTP line layer and the STARTTLS machine (RFC 5321, RFC 3207, RFC 3463, RFC 3030). */
#include "line.h"
#include "smtp.h"
#include "fuzz_mail.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The pure parsers on the whole input taken as one line. */
static void
lines(const uint8_t *data, size_t size)
{
	struct ta_bytes body = line_body(data, size), rest, w;
	struct smtp_reply_line r;
	struct smtp_cmd c;
	struct smtp_ehlo_kw k;
	uint64_t n;
	bool last;
	size_t len;
	enum dis_status st;

	st = line_end(data, size, 0, SMTP_LINE_MAX, &len);
	if (st == DIS_OK &&
	    (len == 0 || len > size || data[len - 1] != '\n'))
		abort();
	if ((st == DIS_SHORT && len != size) || len > SMTP_LINE_MAX)
		abort();
	if (smtp_parse_reply_line(body, &r) == DIS_OK) {
		check_within(body, r.text);
		check_within(r.text, r.esc);
		if (r.code < 200 || r.code > 599 ||
		    (r.has_esc && r.esc_class != 2 && r.esc_class != 4 &&
		     r.esc_class != 5))
			abort();
	}
	if (smtp_parse_cmd(body, &c) == DIS_OK) {
		check_within(body, c.verb);
		check_within(body, c.args);
		if (c.verb.n == 0 || c.verb.n > SMTP_VERB_MAX)
			abort();
		if (smtp_bdat_size(c.args, &n, &last) &&
		    n > UINT64_C(999999999999999999))
			abort();
	}
	if (smtp_parse_ehlo_kw(body, &k) == DIS_OK) {
		check_within(body, k.keyword);
		check_within(body, k.params);
	}
	rest = body;
	while (line_word_next(&rest, &w))
		if (w.n == 0)
			abort();
	(void)line_sniff_tls(data, size);
	(void)line_binary(body);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	lines(data, size);
	drive_session(&starttls_smtp_ops, data, size);
	return 0;
}
