/*
 * fuzz_mail.h: the session half shared by the POP3 and SMTP fuzz targets:
 * drive a STARTTLS module with records of [control, length, bytes]
 * (control bit 0 picks the direction, bit 1 declares a gap of `length`
 * bytes instead) and check what must hold of any facts. Included by one
 * fuzz target each, so its functions are static.
 */
#ifndef FUZZ_MAIL_H
#define FUZZ_MAIL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "session/starttls.h"

/* A view must lie inside its container. */
static void
check_within(struct ta_bytes in, struct ta_bytes v)
{
	if (v.n == 0)
		return;
	if (v.p < in.p || v.n > in.n || (size_t)(v.p - in.p) > in.n - v.n)
		abort();
}

/* A client excerpt never shows more than one word: no argument (a
 * password, a SASL response) ever reaches the facts. */
static void
check_client_excerpt(const struct starttls_facts *f)
{
	if (!f->unparsed || f->unparsed_dir != TCP_DIR_C2S)
		return;
	for (size_t i = 0; i < f->unparsed_len; i++)
		if (f->unparsed_excerpt[i] == ' ' ||
		    f->unparsed_excerpt[i] == '\t')
			abort();
}

static void
drive_session(const struct starttls_ops *ops, const uint8_t *data,
              size_t size)
{
	struct starttls_facts f;
	void *state;
	bool tls[2] = {false, false};
	size_t off = 0;
	uint64_t frame = 1;

	state = malloc(ops->state_size);
	if (state == NULL)
		return;
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
	if (f.protocol != ops->protocol ||
	    f.response_text_len > STARTTLS_TEXT_MAX ||
	    f.closing_text_len > sizeof f.closing_text ||
	    f.unparsed_len > STARTTLS_EXCERPT_MAX ||
	    (f.unparsed && f.unparsed_dir != TCP_DIR_C2S &&
	     f.unparsed_dir != TCP_DIR_S2C) ||
	    (f.response != STARTTLS_RESP_NONE && !f.requested) ||
	    (f.server_pipelined > 0 && f.response != STARTTLS_RESP_OK) ||
	    (f.client_pipelined > 0 && !f.requested) ||
	    (f.offered && !f.caps_known) ||
	    (f.greeting == STARTTLS_GREETING_NONE && f.greeting_frame != 0))
		abort();
	check_client_excerpt(&f);
	if (tls[0] && tls[1] && !ops->finished(state))
		abort();
	free(state);
}

#endif
