/* fuzz_imap.c: fuzz target for the IMAP line layer and the STARTTLS machine (RFC 9051, RFC 7888). */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "imap.h"
#include "session/starttls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A view must lie inside its container. */
static void
check_within(struct ta_bytes in, struct ta_bytes v)
{
	if (v.n == 0)
		return;
	if (v.p < in.p || v.n > in.n || (size_t)(v.p - in.p) > in.n - v.n)
		abort();
}

/* The pure parsers on the whole input taken as one line body. */
static void
lines(const uint8_t *data, size_t size)
{
	struct ta_bytes body = imap_line_body(data, size);
	struct ta_bytes rest, w;
	struct imap_resp r;
	struct imap_cmd c;
	uint64_t lit;
	bool nonsync;
	size_t len;
	enum dis_status st;

	st = imap_line_end(data, size, 0, &len);
	if (st == DIS_OK &&
	    (len == 0 || len > size || data[len - 1] != '\n'))
		abort();
	if ((st == DIS_SHORT && len != size) || len > IMAP_LINE_MAX)
		abort();
	if (imap_parse_resp(body, &r) == DIS_OK) {
		check_within(body, r.tag);
		check_within(body, r.text);
		check_within(body, r.code);
		check_within(body, r.code_args);
		check_within(body, r.keyword);
		check_within(body, r.data);
		check_within(body, r.number);
		if (r.type == IMAP_RESP_TAGGED && r.tag.n == 0)
			abort();
	}
	if (imap_parse_cmd(body, &c) == DIS_OK) {
		check_within(body, c.tag);
		check_within(body, c.name);
		check_within(body, c.args);
		if (c.tag.n == 0 || c.name.n == 0)
			abort();
	}
	if (imap_literal(body, &lit, &nonsync) &&
	    lit > UINT64_C(0x7fffffffffffffff))
		abort();
	rest = body;
	while (imap_word_next(&rest, &w))
		if (w.n == 0)
			abort();
	(void)imap_sniff_tls(data, size);
	(void)imap_line_binary(body);
}

/* A client excerpt never shows what may follow a LOGIN or AUTHENTICATE
 * keyword, nor more than two words. */
static void
check_client_excerpt(const struct starttls_facts *f)
{
	static const char *const kws[] = {"LOGIN", "AUTHENTICATE"};
	size_t seps = 0;

	if (!f->unparsed || f->unparsed_dir != TCP_DIR_C2S)
		return;
	for (size_t i = 0; i < f->unparsed_len; i++)
		if (f->unparsed_excerpt[i] == ' ' ||
		    f->unparsed_excerpt[i] == '\t')
			seps++;
	if (seps > 1)
		abort();
	for (size_t k = 0; k < 2; k++) {
		size_t n = strlen(kws[k]);

		for (size_t i = 0; i + n <= f->unparsed_len; i++) {
			struct ta_bytes w = {f->unparsed_excerpt + i, n};

			if (imap_keyword_eq(w, kws[k]) &&
			    i + n != f->unparsed_len)
				abort();
		}
	}
}

/*
 * The rest drives a session: records of [control, length, bytes]. Control
 * bit 0 picks the direction, bit 1 declares a gap of `length` bytes
 * instead of delivering them.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct starttls_ops *ops = &starttls_imap_ops;
	struct starttls_facts f;
	void *state;
	bool tls[2] = {false, false};
	size_t off = 0;
	uint64_t frame = 1;

	lines(data, size);
	state = malloc(ops->state_size);
	if (state == NULL)
		return 0;
	ops->init(state);
	while (off + 2 <= size) {
		uint8_t ctl = data[off];
		size_t len = data[off + 1];
		enum tcp_dir dir = (ctl & 1) ? TCP_DIR_S2C : TCP_DIR_C2S;
		bool begins = false;
		size_t used;

		off += 2;
		if (len > size - off)
			len = size - off;
		if (tls[dir]) {
			off += len;
			continue;
		}
		if (ctl & 2) {
			ops->gap(state, dir, len, frame++);
			continue;
		}
		used = ops->feed(state, dir, data + off, len, frame++, &begins);
		if (used > len || (!begins && used != len))
			abort();
		if (begins)
			tls[dir] = true;
		off += len;
	}
	ops->facts(state, &f);
	if (f.response_text_len > STARTTLS_TEXT_MAX ||
	    f.unparsed_len > STARTTLS_EXCERPT_MAX ||
	    (f.unparsed && f.unparsed_dir != TCP_DIR_C2S &&
	     f.unparsed_dir != TCP_DIR_S2C) ||
	    (f.response != STARTTLS_RESP_NONE && !f.requested) ||
	    (f.server_pipelined > 0 && f.response != STARTTLS_RESP_OK) ||
	    (f.client_pipelined > 0 && !f.requested))
		abort();
	check_client_excerpt(&f);
	if (tls[0] && tls[1] && !ops->finished(state))
		abort();
	free(state);
	return 0;
}
