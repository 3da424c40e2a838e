/* test_starttls_imap.c: the IMAP plaintext phase up to STARTTLS (RFC 9051 6.2.1, RFC 8314). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "imap.h"
#include "session/starttls.h"

#define C2S TCP_DIR_C2S
#define S2C TCP_DIR_S2C

struct step {
	enum tcp_dir dir;
	const uint8_t *p;
	size_t n;
	ta_frame frame;
};

#define STEP(d, s, f) {(d), (const uint8_t *)(s), sizeof(s) - 1, (f)}

struct outcome {
	struct starttls_facts f;
	size_t plain[2];    /* bytes taken as plaintext, per direction */
	bool tls[2];        /* the direction switched to TLS */
	bool finished;
};

/* What Dovecot 2.3.19 (Debian) and OpenSSL 3 `s_client -starttls imap`
 * exchanged, as recorded (s_client tags every command "."). */
static const char dv_greeting[] =
	"* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE "
	"LITERAL+ STARTTLS AUTH=PLAIN AUTH=LOGIN] Dovecot (Debian) ready.\r\n";
static const char dv_capa_cmd[] = ". CAPABILITY\r\n";
static const char dv_capa[] =
	"* CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE "
	"LITERAL+ STARTTLS AUTH=PLAIN AUTH=LOGIN\r\n"
	". OK Pre-login capabilities listed, post-login capabilities have "
	"more.\r\n";
static const char dv_starttls[] = ". STARTTLS\r\n";
static const char dv_ok[] = ". OK Begin TLS negotiation now.\r\n";
/* The first bytes of the ClientHello and the ServerHello that followed. */
static const char client_hello[] =
	"\x16\x03\x01\x01\x24\x01\x00\x01\x20\x03\x03\xa7\x99\xf7\x32\x8b";
static const char server_hello[] =
	"\x16\x03\x03\x00\x7a\x02\x00\x00\x76\x03\x03\x51\x63\x16\x6e";
/* An SSLv2-format ClientHello header (RFC 5246 E.2). */
static const char ssl2_hello[] = "\x80\x2e\x01\x03\x01\x00\x15\x00\x00";

static const struct step dovecot[] = {
	STEP(S2C, dv_greeting, 4),
	STEP(C2S, dv_capa_cmd, 6),
	STEP(S2C, dv_capa, 8),
	STEP(C2S, dv_starttls, 10),
	STEP(S2C, dv_ok, 12),
	STEP(C2S, client_hello, 14),
	STEP(S2C, server_hello, 16),
};

static void *
new_state(void)
{
	void *st = test_malloc(starttls_imap_ops.state_size);

	starttls_imap_ops.init(st);
	return st;
}

static void
feed_piece(void *st, struct outcome *o, enum tcp_dir dir, const uint8_t *p,
           size_t n, ta_frame frame)
{
	bool begins = false;
	size_t used;

	/* The session feeds a direction no more once it switched. */
	if (o->tls[dir])
		return;
	used = starttls_imap_ops.feed(st, dir, p, n, frame, &begins);
	if (begins) {
		assert_true(used <= n);
		o->tls[dir] = true;
	} else {
		assert_int_equal(used, n);
	}
	o->plain[dir] += used;
}

static void
finish(void *st, struct outcome *o)
{
	memset(&o->f, 0, sizeof o->f);
	starttls_imap_ops.facts(st, &o->f);
	o->finished = starttls_imap_ops.finished(st);
}

/*
 * Feed the steps: whole, or step `split` cut at byte `at`, or every step
 * byte by byte (chunk 1).
 */
static void
run_split(const struct step *steps, size_t nsteps, size_t split, size_t at,
          size_t chunk, struct outcome *o)
{
	void *st = new_state();

	memset(o, 0, sizeof *o);
	for (size_t i = 0; i < nsteps; i++) {
		const struct step *s = &steps[i];

		if (chunk > 0) {
			for (size_t k = 0; k < s->n; k += chunk) {
				size_t m = s->n - k < chunk ? s->n - k : chunk;

				feed_piece(st, o, s->dir, s->p + k, m, s->frame);
			}
		} else if (i == split) {
			feed_piece(st, o, s->dir, s->p, at, s->frame);
			feed_piece(st, o, s->dir, s->p + at, s->n - at,
			           s->frame);
		} else {
			feed_piece(st, o, s->dir, s->p, s->n, s->frame);
		}
	}
	finish(st, o);
	test_free(st);
}

static void
run(const struct step *steps, size_t nsteps, struct outcome *o)
{
	run_split(steps, nsteps, SIZE_MAX, 0, 0, o);
}

static void
assert_facts_equal(const struct starttls_facts *a,
                   const struct starttls_facts *b)
{
	assert_int_equal(a->greeting, b->greeting);
	assert_int_equal(a->greeting_frame, b->greeting_frame);
	assert_int_equal(a->caps_known, b->caps_known);
	assert_int_equal(a->caps_frame, b->caps_frame);
	assert_int_equal(a->offered, b->offered);
	assert_int_equal(a->logindisabled, b->logindisabled);
	assert_int_equal(a->auth_mechs, b->auth_mechs);
	assert_int_equal(a->requested, b->requested);
	assert_int_equal(a->request_frame, b->request_frame);
	assert_int_equal(a->response, b->response);
	assert_int_equal(a->response_frame, b->response_frame);
	assert_int_equal(a->response_text_len, b->response_text_len);
	assert_memory_equal(a->response_text, b->response_text,
	                    a->response_text_len);
	assert_int_equal(a->plaintext_auth, b->plaintext_auth);
	assert_int_equal(a->plaintext_auth_frame, b->plaintext_auth_frame);
	assert_int_equal(a->client_pipelined, b->client_pipelined);
	assert_int_equal(a->client_pipelined_frame, b->client_pipelined_frame);
	assert_int_equal(a->server_pipelined, b->server_pipelined);
	assert_int_equal(a->server_pipelined_frame, b->server_pipelined_frame);
	assert_int_equal(a->tls_without_starttls, b->tls_without_starttls);
	assert_int_equal(a->tls_without_starttls_dir,
	                 b->tls_without_starttls_dir);
	assert_int_equal(a->tls_without_starttls_frame,
	                 b->tls_without_starttls_frame);
	assert_int_equal(a->unparsed, b->unparsed);
	assert_int_equal(a->unparsed_dir, b->unparsed_dir);
	assert_int_equal(a->unparsed_frame, b->unparsed_frame);
	assert_int_equal(a->unparsed_len, b->unparsed_len);
	assert_memory_equal(a->unparsed_excerpt, b->unparsed_excerpt,
	                    a->unparsed_len);
	assert_int_equal(a->gap, b->gap);
}

static void
assert_outcome_equal(const struct outcome *a, const struct outcome *b)
{
	assert_facts_equal(&a->f, &b->f);
	assert_int_equal(a->plain[C2S], b->plain[C2S]);
	assert_int_equal(a->plain[S2C], b->plain[S2C]);
	assert_int_equal(a->tls[C2S], b->tls[C2S]);
	assert_int_equal(a->tls[S2C], b->tls[S2C]);
	assert_int_equal(a->finished, b->finished);
}

static void
assert_text(const uint8_t *p, size_t n, const char *want)
{
	assert_int_equal(n, strlen(want));
	if (n > 0)
		assert_memory_equal(p, want, n);
}

static void
test_dovecot_exchange(void **state)
{
	struct outcome o;

	(void)state;
	run(dovecot, TA_ELEMENTS(dovecot), &o);
	assert_int_equal(o.f.greeting, STARTTLS_GREETING_OK);
	assert_int_equal(o.f.greeting_frame, 4);
	assert_true(o.f.caps_known);
	assert_int_equal(o.f.caps_frame, 4);
	assert_true(o.f.offered);
	assert_false(o.f.logindisabled);
	assert_int_equal(o.f.auth_mechs,
	                 STARTTLS_AUTH_PLAIN | STARTTLS_AUTH_LOGIN);
	assert_true(o.f.requested);
	assert_int_equal(o.f.request_frame, 10);
	assert_int_equal(o.f.response, STARTTLS_RESP_OK);
	assert_int_equal(o.f.response_frame, 12);
	assert_text(o.f.response_text, o.f.response_text_len,
	            "Begin TLS negotiation now.");
	assert_false(o.f.plaintext_auth);
	assert_int_equal(o.f.client_pipelined, 0);
	assert_int_equal(o.f.server_pipelined, 0);
	assert_false(o.f.tls_without_starttls);
	assert_false(o.f.unparsed);
	assert_false(o.f.gap);
	/* The client switches right after its STARTTLS line, the server
	 * right after the CRLF of its OK. */
	assert_true(o.tls[C2S]);
	assert_true(o.tls[S2C]);
	assert_int_equal(o.plain[C2S],
	                 strlen(dv_capa_cmd) + strlen(dv_starttls));
	assert_int_equal(o.plain[S2C], strlen(dv_greeting) + strlen(dv_capa) +
	                 strlen(dv_ok));
	assert_true(o.finished);
}

static void
test_dovecot_split_everywhere(void **state)
{
	struct outcome whole, o;
	size_t runs = 0, want = 0;

	(void)state;
	run(dovecot, TA_ELEMENTS(dovecot), &whole);
	for (size_t i = 0; i < TA_ELEMENTS(dovecot); i++) {
		for (size_t at = 0; at <= dovecot[i].n; at++) {
			run_split(dovecot, TA_ELEMENTS(dovecot), i, at, 0, &o);
			assert_outcome_equal(&whole, &o);
			runs++;
		}
	}
	for (size_t i = 0; i < TA_ELEMENTS(dovecot); i++)
		want += dovecot[i].n + 1;
	assert_int_equal(runs, want);
}

static void
test_dovecot_bytewise(void **state)
{
	struct outcome whole, o;

	(void)state;
	run(dovecot, TA_ELEMENTS(dovecot), &whole);
	run_split(dovecot, TA_ELEMENTS(dovecot), SIZE_MAX, 0, 1, &o);
	assert_outcome_equal(&whole, &o);
	run_split(dovecot, TA_ELEMENTS(dovecot), SIZE_MAX, 0, 7, &o);
	assert_outcome_equal(&whole, &o);
}

/* Facts carry the frame that completed the line. */
static void
test_completed_by_frame(void **state)
{
	const struct step steps[] = {
		{S2C, (const uint8_t *)dv_greeting, 20, 4},
		{S2C, (const uint8_t *)dv_greeting + 20,
		 sizeof dv_greeting - 21, 5},
		STEP(C2S, ". STAR", 7),
		STEP(C2S, "TTLS\r\n", 9),
		STEP(S2C, ". OK go\r", 11),
		STEP(S2C, "\n", 13),
	};
	struct outcome o;

	(void)state;
	run(steps, TA_ELEMENTS(steps), &o);
	assert_int_equal(o.f.greeting, STARTTLS_GREETING_OK);
	assert_int_equal(o.f.greeting_frame, 5);
	assert_int_equal(o.f.caps_frame, 5);
	assert_int_equal(o.f.request_frame, 9);
	assert_int_equal(o.f.response, STARTTLS_RESP_OK);
	assert_int_equal(o.f.response_frame, 13);
	assert_text(o.f.response_text, o.f.response_text_len, "go");
	assert_false(o.tls[C2S]);
	assert_false(o.tls[S2C]);
	assert_false(o.finished);
}

/* The client sends more after STARTTLS before the OK (RFC 9051 6.2.1
 * forbids it): counted, and still read as commands. */
static void
test_client_pipelined(void **state)
{
	static const char pipelined[] = "a2 LOGIN alice s3cr3t-Pw\r\n";
	const struct step steps[] = {
		STEP(S2C, dv_greeting, 4),
		STEP(C2S, "a1 STARTTLS\r\na2 LOGIN alice s3cr3t-Pw\r\n", 5),
		STEP(C2S, "a3 NOOP\r\n", 6),
		STEP(S2C, "a1 OK Begin TLS negotiation now.\r\n", 7),
		STEP(C2S, client_hello, 8),
	};
	struct outcome o;

	(void)state;
	run(steps, TA_ELEMENTS(steps), &o);
	assert_true(o.f.requested);
	assert_int_equal(o.f.request_frame, 5);
	assert_int_equal(o.f.response, STARTTLS_RESP_OK);
	assert_int_equal(o.f.client_pipelined, strlen(pipelined) + 9);
	assert_int_equal(o.f.client_pipelined_frame, 5);
	assert_true(o.f.plaintext_auth);
	assert_int_equal(o.f.plaintext_auth_frame, 5);
	assert_int_equal(o.f.server_pipelined, 0);
	assert_true(o.tls[C2S]);
	assert_int_equal(o.plain[C2S], 13 + strlen(pipelined) + 9);
	assert_false(o.f.tls_without_starttls);
}

/* Plaintext after STARTTLS and before the ClientHello, in the same
 * segment as the ClientHello: the switch is at the record. */
static void
test_client_pipelined_then_hello(void **state)
{
	static const uint8_t c2[] = "a2 NOOP\r\n\x16\x03\x01\x01\x24\x01";
	const struct step steps[] = {
		STEP(S2C, dv_greeting, 4),
		STEP(C2S, "a1 STARTTLS\r\n", 5),
		STEP(S2C, "a1 OK go\r\n", 6),
		{C2S, c2, sizeof c2 - 1, 7},
	};
	struct outcome o;

	(void)state;
	run(steps, TA_ELEMENTS(steps), &o);
	assert_int_equal(o.f.client_pipelined, 9);
	assert_int_equal(o.f.client_pipelined_frame, 7);
	assert_true(o.tls[C2S]);
	assert_int_equal(o.plain[C2S], 13 + 9);
	assert_false(o.f.tls_without_starttls);
}

/* The server's OK and more plaintext in one segment (CVE-2021-22947):
 * counted, framed, and never believed. */
static void
test_server_pipelined(void **state)
{
	static const char injected[] =
		"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] injected\r\n";
	const struct step steps[] = {
		STEP(S2C, "* OK [CAPABILITY IMAP4rev1 STARTTLS "
		     "LOGINDISABLED] ready\r\n", 4),
		STEP(C2S, "a1 STARTTLS\r\n", 5),
		STEP(S2C, "a1 OK Begin TLS negotiation now.\r\n"
		     "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] injected\r\n", 6),
		STEP(S2C, "* 1 FETCH (BODY[] {4}\r\n", 7),
		STEP(S2C, "\x16\x03\r\n)\r\n", 8),
		STEP(C2S, client_hello, 9),
		STEP(S2C, server_hello, 10),
	};
	struct outcome o;

	(void)state;
	run(steps, TA_ELEMENTS(steps), &o);
	assert_int_equal(o.f.response, STARTTLS_RESP_OK);
	assert_int_equal(o.f.response_frame, 6);
	/* Injected line, the FETCH line, its literal and what follows it. */
	assert_int_equal(o.f.server_pipelined, strlen(injected) + 23 + 7);
	assert_int_equal(o.f.server_pipelined_frame, 6);
	assert_int_equal(o.f.auth_mechs, 0);
	assert_true(o.f.logindisabled);
	assert_int_equal(o.f.client_pipelined, 0);
	assert_true(o.tls[C2S]);
	assert_true(o.tls[S2C]);
	assert_false(o.f.tls_without_starttls);
	assert_false(o.f.unparsed);
	assert_true(o.finished);
}

/* The OK ends a segment, plaintext comes in the next one. */
static void
test_server_pipelined_next_segment(void **state)
{
	const struct step steps[] = {
		STEP(S2C, dv_greeting, 4),
		STEP(C2S, "a1 STARTTLS\r\n", 5),
		STEP(S2C, "a1 OK go\r\n", 6),
		STEP(S2C, "* BYE bye\r\n", 8),
	};
	struct outcome o;

	(void)state;
	run(steps, TA_ELEMENTS(steps), &o);
	assert_int_equal(o.f.server_pipelined, 11);
	assert_int_equal(o.f.server_pipelined_frame, 8);
	assert_false(o.tls[S2C]);
	assert_int_equal(o.f.greeting, STARTTLS_GREETING_OK);
}

/* A literal's octets are skipped, never read as lines (RFC 9051 4.3). */
static void
test_literal_hides_command(void **state)
{
	const struct step client_side[] = {
		STEP(S2C, dv_greeting, 4),
		STEP(C2S, "a0 APPEND INBOX {13}\r\n", 5),
		STEP(S2C, "+ OK\r\n", 6),
		STEP(C2S, "a1 STARTTLS\r\n\r\n", 7),
		STEP(S2C, "a1 OK Begin TLS negotiation now.\r\n", 8),
		STEP(C2S, "a2 APPEND INBOX {13+}\r\na1 STA", 9),
		STEP(C2S, "RTTLS\r\n)\r\n", 10),
		STEP(C2S, "a3 APPEND INBOX ~{13+}\r\na1 STARTTLS\r\n\r\n", 11),
	};
	const struct step server_side[] = {
		STEP(S2C, dv_greeting, 4),
		STEP(C2S, "a1 STARTTLS\r\n", 5),
		STEP(S2C, "* 1 FETCH (BODY[] {34}\r\n", 6),
		STEP(S2C, "a1 OK Begin TLS negotiation now.\r\n)\r\n", 7),
		STEP(S2C, "* 2 FETCH (BODY[] {0}\r\n)\r\n", 8),
		STEP(S2C, "a1 NO [PRIVACYREQUIRED] not now\r\n", 9),
	};
	struct outcome o;

	(void)state;
	run(client_side, TA_ELEMENTS(client_side), &o);
	assert_false(o.f.requested);
	assert_int_equal(o.f.response, STARTTLS_RESP_NONE);
	assert_false(o.f.unparsed);
	assert_false(o.tls[C2S]);

	run(server_side, TA_ELEMENTS(server_side), &o);
	assert_true(o.f.requested);
	assert_int_equal(o.f.response, STARTTLS_RESP_NO);
	assert_int_equal(o.f.response_frame, 9);
	assert_text(o.f.response_text, o.f.response_text_len,
	            "[PRIVACYREQUIRED] not now");
	assert_false(o.f.unparsed);
}

static void
test_case_insensitive(void **state)
{
	const struct step steps[] = {
		STEP(S2C, "* ok hello\r\n", 4),
		STEP(C2S, "t1 capability\r\n", 5),
		STEP(S2C, "* capability imap4rev1 starttls auth=plain "
		     "logindisabled auth=scram-sha-256\r\nt1 ok done\r\n", 6),
		STEP(C2S, "t2 sTaRtTlS\r\n", 7),
		STEP(S2C, "t2 ok begin\r\n", 8),
	};
	struct outcome o;

	(void)state;
	run(steps, TA_ELEMENTS(steps), &o);
	assert_int_equal(o.f.greeting, STARTTLS_GREETING_OK);
	assert_true(o.f.caps_known);
	assert_int_equal(o.f.caps_frame, 6);
	assert_true(o.f.offered);
	assert_true(o.f.logindisabled);
	assert_int_equal(o.f.auth_mechs,
	                 STARTTLS_AUTH_PLAIN | STARTTLS_AUTH_OTHER);
	assert_true(o.f.requested);
	assert_int_equal(o.f.response, STARTTLS_RESP_OK);
	assert_text(o.f.response_text, o.f.response_text_len, "begin");
}

static void
test_tags(void **state)
{
	const struct step steps[] = {
		STEP(S2C, dv_greeting, 4),
		/* "*" and "+" cannot start a tag: no request; a person
		 * typing into telnet is answered BAD and tries again. */
		STEP(C2S, "* STARTTLS\r\n", 5),
		STEP(S2C, "* BAD Error in IMAP command received by server.\r\n", 6),
		STEP(C2S, "+1 STARTTLS\r\nSTARTTLS\r\n", 7),
		STEP(S2C, "* BAD Error in IMAP command received by server.\r\n"
		     "* BAD Error in IMAP command received by server.\r\n", 8),
		STEP(C2S, "a]1~ STARTTLS\r\n", 9),
		/* Tags are matched byte for byte. */
		STEP(S2C, "A]1~ OK not this one\r\n", 10),
		STEP(S2C, "a]1~ OK Begin TLS negotiation now.\r\n", 11),
	};
	struct outcome o;

	(void)state;
	run(steps, TA_ELEMENTS(steps), &o);
	assert_true(o.f.requested);
	assert_int_equal(o.f.request_frame, 9);
	assert_int_equal(o.f.response, STARTTLS_RESP_OK);
	assert_int_equal(o.f.response_frame, 11);
	assert_false(o.f.unparsed);
	assert_int_equal(o.f.client_pipelined, 0);
}

/* Tags longer than what is kept still match on length and prefix. */
static void
test_long_tag(void **state)
{
	char cmd[200], other[200], ok[200];
	char tag[101];
	struct step steps[4];
	struct outcome o;

	(void)state;
	memset(tag, 'T', 100);
	tag[100] = '\0';
	snprintf(cmd, sizeof cmd, "%s STARTTLS\r\n", tag);
	snprintf(other, sizeof other, "%sU OK wrong tag\r\n", tag);
	snprintf(ok, sizeof ok, "%s BAD no\r\n", tag);
	steps[0] = (struct step){S2C, (const uint8_t *)"* OK hi\r\n", 9, 1};
	steps[1] = (struct step){C2S, (const uint8_t *)cmd, strlen(cmd), 2};
	steps[2] = (struct step){S2C, (const uint8_t *)other, strlen(other), 3};
	steps[3] = (struct step){S2C, (const uint8_t *)ok, strlen(ok), 4};
	run(steps, TA_ELEMENTS(steps), &o);
	assert_int_equal(o.f.response, STARTTLS_RESP_BAD);
	assert_int_equal(o.f.response_frame, 4);
}

/* NO or BAD: the session stays plaintext; a LOGIN then is in clear. */
static void
test_refused(void **state)
{
	const struct step no[] = {
		STEP(S2C, dv_greeting, 4),
		STEP(C2S, "a1 STARTTLS\r\n", 5),
		STEP(S2C, "a1 NO [UNAVAILABLE] TLS support isn't enabled.\r\n", 6),
		STEP(C2S, "a2 LOGIN alice s3cr3t-Pw\r\n", 7),
		STEP(S2C, "a2 OK Logged in\r\n", 8),
	};
	const struct step bad[] = {
		STEP(S2C, "* OK [CAPABILITY IMAP4rev1] ready\r\n", 4),
		STEP(C2S, "a1 STARTTLS\r\n", 5),
		STEP(S2C, "a1 BAD Unknown command. This is a very long "
		     "explanation that goes on and on beyond what is kept of "
		     "the text of a response, to prove that it is cut at "
		     "exactly STARTTLS_TEXT_MAX bytes\r\n", 6),
		/* A client that starts TLS anyway: not after a STARTTLS
		 * that was accepted. */
		STEP(C2S, client_hello, 7),
	};
	struct outcome o;

	(void)state;
	run(no, TA_ELEMENTS(no), &o);
	assert_int_equal(o.f.response, STARTTLS_RESP_NO);
	assert_int_equal(o.f.response_frame, 6);
	assert_text(o.f.response_text, o.f.response_text_len,
	            "[UNAVAILABLE] TLS support isn't enabled.");
	assert_true(o.f.plaintext_auth);
	assert_int_equal(o.f.plaintext_auth_frame, 7);
	assert_int_equal(o.f.client_pipelined, 0);
	assert_false(o.tls[C2S]);
	assert_false(o.tls[S2C]);
	assert_false(o.finished);

	run(bad, TA_ELEMENTS(bad), &o);
	assert_false(o.f.offered);
	assert_true(o.f.caps_known);
	assert_int_equal(o.f.response, STARTTLS_RESP_BAD);
	assert_int_equal(o.f.response_text_len, STARTTLS_TEXT_MAX);
	assert_memory_equal(o.f.response_text, "Unknown command. This", 21);
	assert_true(o.tls[C2S]);
	assert_true(o.f.tls_without_starttls);
	assert_int_equal(o.f.tls_without_starttls_dir, C2S);
	assert_int_equal(o.f.tls_without_starttls_frame, 7);
}

/* A second STARTTLS after a refusal is the one that counts. */
static void
test_refused_then_retry(void **state)
{
	const struct step steps[] = {
		STEP(S2C, dv_greeting, 4),
		STEP(C2S, "a1 STARTTLS\r\n", 5),
		STEP(S2C, "a1 NO busy\r\n", 6),
		STEP(C2S, "a2 STARTTLS\r\n", 7),
		STEP(S2C, "a1 OK stale tag\r\na2 OK Begin\r\n", 8),
		STEP(C2S, client_hello, 9),
		STEP(S2C, server_hello, 10),
	};
	struct outcome o;

	(void)state;
	run(steps, TA_ELEMENTS(steps), &o);
	assert_int_equal(o.f.request_frame, 7);
	assert_int_equal(o.f.response, STARTTLS_RESP_OK);
	assert_text(o.f.response_text, o.f.response_text_len, "Begin");
	assert_true(o.finished);
	assert_false(o.f.tls_without_starttls);
}

static void
test_preauth_and_bye(void **state)
{
	const struct step preauth[] = {
		STEP(S2C, "* PREAUTH [CAPABILITY IMAP4rev1 IDLE] Logged in as "
		     "bob\r\n", 3),
		STEP(C2S, "a1 SELECT INBOX\r\n", 4),
	};
	const struct step bye[] = {
		STEP(S2C, "* BYE Too many connections\r\n", 3),
	};
	const struct step other[] = {
		STEP(S2C, "* CAPABILITY IMAP4rev1 STARTTLS\r\n", 3),
		STEP(S2C, "* OK late\r\n", 4),
	};
	const struct step ssh[] = {
		STEP(S2C, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n", 3),
		STEP(S2C, "* OK ignored\r\n", 4),
	};
	struct outcome o;

	(void)state;
	run(preauth, TA_ELEMENTS(preauth), &o);
	assert_int_equal(o.f.greeting, STARTTLS_GREETING_PREAUTH);
	assert_int_equal(o.f.greeting_frame, 3);
	assert_true(o.f.caps_known);
	assert_false(o.f.offered);
	/* Authenticated without credentials on the wire. */
	assert_false(o.f.plaintext_auth);

	run(bye, TA_ELEMENTS(bye), &o);
	assert_int_equal(o.f.greeting, STARTTLS_GREETING_BYE);

	run(other, TA_ELEMENTS(other), &o);
	assert_int_equal(o.f.greeting, STARTTLS_GREETING_OTHER);
	assert_true(o.f.offered);
	assert_false(o.f.unparsed);

	run(ssh, TA_ELEMENTS(ssh), &o);
	assert_int_equal(o.f.greeting, STARTTLS_GREETING_OTHER);
	assert_true(o.f.unparsed);
	assert_int_equal(o.f.unparsed_dir, S2C);
	assert_int_equal(o.f.unparsed_frame, 3);
	assert_text(o.f.unparsed_excerpt, o.f.unparsed_len,
	            "SSH-2.0-OpenSSH_9.2p1 Debian-2+d");
	/* Parsing stopped: bytes are taken and ignored. */
	assert_int_equal(o.plain[S2C], 40 + 14);
}

/* A ClientHello sent straight to 143 (a client set for implicit TLS). */
static void
test_client_hello_to_143(void **state)
{
	const struct step plain_server[] = {
		STEP(S2C, dv_greeting, 4),
		STEP(C2S, client_hello, 5),
		STEP(S2C, "* BAD Error in IMAP command received by server.\r\n", 6),
	};
	const struct step tls_server[] = {
		STEP(C2S, client_hello, 4),
		STEP(S2C, server_hello, 5),
	};
	const struct step ssl2[] = {
		STEP(C2S, ssl2_hello, 4),
	};
	struct outcome o;

	(void)state;
	run(plain_server, TA_ELEMENTS(plain_server), &o);
	assert_true(o.f.tls_without_starttls);
	assert_int_equal(o.f.tls_without_starttls_dir, C2S);
	assert_int_equal(o.f.tls_without_starttls_frame, 5);
	assert_true(o.tls[C2S]);
	assert_int_equal(o.plain[C2S], 0);
	/* A plaintext greeting is normal on 143: the server stays IMAP. */
	assert_false(o.tls[S2C]);
	assert_int_equal(o.f.greeting, STARTTLS_GREETING_OK);
	assert_false(o.f.unparsed);
	assert_false(o.finished);

	run(tls_server, TA_ELEMENTS(tls_server), &o);
	assert_true(o.f.tls_without_starttls);
	assert_int_equal(o.f.tls_without_starttls_dir, C2S);
	assert_int_equal(o.f.tls_without_starttls_frame, 4);
	assert_true(o.tls[S2C]);
	assert_int_equal(o.plain[S2C], 0);
	assert_int_equal(o.f.greeting, STARTTLS_GREETING_NONE);
	assert_true(o.finished);

	run(ssl2, TA_ELEMENTS(ssl2), &o);
	assert_true(o.f.tls_without_starttls);
	assert_true(o.tls[C2S]);
	assert_int_equal(o.plain[C2S], 0);
}

static void
test_overlong_lines(void **state)
{
	static uint8_t big[IMAP_LINE_MAX + 64];
	struct step steps[3];
	struct outcome o;

	(void)state;
	/* Exactly IMAP_LINE_MAX with its CRLF: accepted. */
	memcpy(big, "* OK ", 5);
	memset(big + 5, 'x', sizeof big - 5);
	big[IMAP_LINE_MAX - 2] = '\r';
	big[IMAP_LINE_MAX - 1] = '\n';
	steps[0] = (struct step){S2C, big, IMAP_LINE_MAX, 3};
	run(steps, 1, &o);
	assert_int_equal(o.f.greeting, STARTTLS_GREETING_OK);
	assert_false(o.f.unparsed);

	/* One byte more, split over two segments: overflow. */
	big[IMAP_LINE_MAX - 2] = 'x';
	big[IMAP_LINE_MAX - 1] = '\r';
	big[IMAP_LINE_MAX] = '\n';
	steps[0] = (struct step){S2C, big, 5000, 3};
	steps[1] = (struct step){S2C, big + 5000, IMAP_LINE_MAX + 1 - 5000, 4};
	steps[2] = (struct step){S2C, (const uint8_t *)"* OK\r\n", 6, 5};
	run(steps, 3, &o);
	assert_true(o.f.unparsed);
	assert_int_equal(o.f.unparsed_dir, S2C);
	assert_int_equal(o.f.unparsed_frame, 4);
	assert_text(o.f.unparsed_excerpt, o.f.unparsed_len,
	            "* OK xxxxxxxxxxxxxxxxxxxxxxxxxxx");
	assert_int_equal(o.f.greeting, STARTTLS_GREETING_OTHER);
	assert_int_equal(o.f.greeting_frame, 4);
	assert_int_equal(o.plain[S2C], IMAP_LINE_MAX + 1 + 6);
	assert_false(o.finished);
}

static void
test_binary(void **state)
{
	const struct step steps[] = {
		STEP(S2C, dv_greeting, 3),
		STEP(C2S, "a1 NOOP\r\n", 4),
		STEP(C2S, "a2 \x01\x02\x00\x03 junk\r\n", 5),
		STEP(C2S, "a3 STARTTLS\r\n", 6),
		STEP(S2C, "* OK \x00\r\n", 7),
	};
	struct outcome o;

	(void)state;
	run(steps, TA_ELEMENTS(steps), &o);
	assert_true(o.f.unparsed);
	assert_int_equal(o.f.unparsed_dir, C2S);
	assert_int_equal(o.f.unparsed_frame, 5);
	assert_int_equal(o.f.unparsed_len, 7);
	assert_memory_equal(o.f.unparsed_excerpt, "a2 \x01\x02\x00\x03", 7);
	/* That direction is parsed no further. */
	assert_false(o.f.requested);
	/* Both stopped. */
	assert_true(o.finished);
}

static void
test_gap(void **state)
{
	void *st = new_state();
	struct outcome o;

	(void)state;
	memset(&o, 0, sizeof o);
	feed_piece(st, &o, S2C, (const uint8_t *)dv_greeting,
	           strlen(dv_greeting), 3);
	feed_piece(st, &o, C2S, (const uint8_t *)"a1 STAR", 7, 4);
	starttls_imap_ops.gap(st, C2S, 100, 5);
	feed_piece(st, &o, C2S, (const uint8_t *)"TTLS\r\n", 6, 6);
	finish(st, &o);
	assert_true(o.f.gap);
	assert_false(o.f.requested);
	assert_false(o.finished);
	starttls_imap_ops.gap(st, S2C, 1, 7);
	finish(st, &o);
	assert_true(o.finished);
	assert_int_equal(o.f.greeting, STARTTLS_GREETING_OK);
	test_free(st);

	/* The client's STARTTLS was lost: the server's OK and TLS cannot be
	 * judged, so they are not called TLS without STARTTLS. */
	st = new_state();
	memset(&o, 0, sizeof o);
	feed_piece(st, &o, S2C, (const uint8_t *)dv_greeting,
	           strlen(dv_greeting), 3);
	starttls_imap_ops.gap(st, C2S, 13, 4);
	feed_piece(st, &o, S2C, (const uint8_t *)dv_ok, strlen(dv_ok), 5);
	feed_piece(st, &o, S2C, (const uint8_t *)server_hello,
	           sizeof server_hello - 1, 6);
	finish(st, &o);
	assert_true(o.f.gap);
	assert_true(o.tls[S2C]);
	assert_int_equal(o.plain[S2C], strlen(dv_greeting) + strlen(dv_ok));
	assert_int_equal(o.f.response, STARTTLS_RESP_NONE);
	assert_false(o.f.tls_without_starttls);
	assert_true(o.finished);
	test_free(st);
}

/* Credentials: a LOGIN and an AUTHENTICATE set plaintext_auth. */
static void
test_plaintext_auth(void **state)
{
	const struct step login[] = {
		STEP(S2C, dv_greeting, 3),
		STEP(C2S, "x LOGIN alice \"s3cr3t-Pw\"\r\n", 4),
		STEP(S2C, "x OK Logged in\r\n", 5),
		STEP(C2S, "y STARTTLS\r\n", 6),
	};
	const struct step literal[] = {
		STEP(S2C, dv_greeting, 3),
		STEP(C2S, "x LOGIN alice {9}\r\n", 4),
		STEP(S2C, "+ OK\r\n", 5),
		STEP(C2S, "s3cr3t-Pw\r\n", 6),
		STEP(S2C, "x OK Logged in\r\n", 7),
		/* Parsing resumed right after the literal's command. */
		STEP(C2S, "y STARTTLS\r\n", 8),
	};
	const struct step sasl[] = {
		STEP(S2C, dv_greeting, 3),
		STEP(C2S, "x AUTHENTICATE PLAIN\r\n", 4),
		STEP(S2C, "+ \r\n", 5),
		/* A SASL response that looks like a command is not one. */
		STEP(C2S, "a STARTTLS\r\n", 6),
		STEP(S2C, "x BAD Invalid base64 data\r\n", 7),
		STEP(C2S, "y STARTTLS\r\n", 8),
	};
	struct outcome o;

	(void)state;
	run(login, TA_ELEMENTS(login), &o);
	assert_true(o.f.plaintext_auth);
	assert_int_equal(o.f.plaintext_auth_frame, 4);
	assert_int_equal(o.f.request_frame, 6);

	run(literal, TA_ELEMENTS(literal), &o);
	assert_true(o.f.plaintext_auth);
	assert_int_equal(o.f.plaintext_auth_frame, 4);
	assert_true(o.f.requested);
	assert_int_equal(o.f.request_frame, 8);

	run(sasl, TA_ELEMENTS(sasl), &o);
	assert_true(o.f.plaintext_auth);
	assert_int_equal(o.f.plaintext_auth_frame, 4);
	assert_true(o.f.requested);
	assert_int_equal(o.f.request_frame, 8);
}

/* A SASL response longer than IMAP_LINE_MAX is skipped, not refused. */
static void
test_sasl_long_response(void **state)
{
	static uint8_t token[3 * IMAP_LINE_MAX];
	struct step steps[6];
	struct outcome o;

	(void)state;
	memset(token, 'Y', sizeof token);
	token[sizeof token - 2] = '\r';
	token[sizeof token - 1] = '\n';
	steps[0] = (struct step){S2C, (const uint8_t *)dv_greeting,
	                         strlen(dv_greeting), 3};
	steps[1] = (struct step){C2S, (const uint8_t *)"k AUTHENTICATE GSSAPI\r\n",
	                         23, 4};
	steps[2] = (struct step){S2C, (const uint8_t *)"+ \r\n", 4, 5};
	steps[3] = (struct step){C2S, token, sizeof token, 6};
	steps[4] = (struct step){S2C, (const uint8_t *)"k NO failed\r\n", 13, 7};
	steps[5] = (struct step){C2S, (const uint8_t *)"m STARTTLS\r\n", 12, 8};
	run(steps, TA_ELEMENTS(steps), &o);
	assert_false(o.f.unparsed);
	assert_true(o.f.plaintext_auth);
	assert_true(o.f.requested);
	assert_int_equal(o.f.request_frame, 8);
}

/* No piece of a secret (4 bytes or more) anywhere in the facts. */
static void
assert_no_secret(const struct starttls_facts *f, const char *secret)
{
	const uint8_t *b = (const uint8_t *)f;
	size_t n = strlen(secret);

	assert_true(n >= 4);
	for (size_t i = 0; i + 4 <= n; i++)
		for (size_t j = 0; j + 4 <= sizeof *f; j++)
			if (memcmp(b + j, secret + i, 4) == 0)
				fail_msg("\"%.4s\" of a secret at offset %zu "
				         "of the facts", secret + i, j);
}

static void
assert_no_credentials(const struct step *steps, size_t n, bool auth_seen)
{
	static const char *const secrets[] = {
		"alice", "s3cr3t-Pw", "AGFsaWNlAHMzY3IzdC1Qdw==",
		"czNjcjN0LVB3", "YWxpY2U=",
	};
	struct outcome o;

	run(steps, n, &o);
	assert_int_equal(o.f.plaintext_auth, auth_seen);
	for (size_t i = 0; i < TA_ELEMENTS(secrets); i++)
		assert_no_secret(&o.f, secrets[i]);
	/* Every byte by byte as well: the line buffer must not leak. */
	run_split(steps, n, SIZE_MAX, 0, 1, &o);
	assert_int_equal(o.f.plaintext_auth, auth_seen);
	for (size_t i = 0; i < TA_ELEMENTS(secrets); i++)
		assert_no_secret(&o.f, secrets[i]);
}

static void
test_credentials_never_kept(void **state)
{
	static uint8_t longline[IMAP_LINE_MAX + 100];
	const struct step quoted[] = {
		STEP(S2C, dv_greeting, 3),
		STEP(C2S, "x LOGIN alice \"s3cr3t-Pw\"\r\n", 4),
	};
	const struct step literal[] = {
		STEP(S2C, dv_greeting, 3),
		STEP(C2S, "x LOGIN alice {9}\r\n", 4),
		STEP(S2C, "+ OK\r\n", 5),
		STEP(C2S, "s3cr3t-Pw\r\n", 6),
		STEP(S2C, "x NO [AUTHENTICATIONFAILED] Authentication "
		     "failed.\r\n", 7),
	};
	const struct step nonsync[] = {
		STEP(S2C, dv_greeting, 3),
		STEP(C2S, "x LOGIN {5+}\r\nalice {9+}\r\ns3cr3t-Pw\r\n", 4),
	};
	const struct step sasl[] = {
		STEP(S2C, dv_greeting, 3),
		STEP(C2S, "x AUTHENTICATE PLAIN\r\n", 4),
		STEP(S2C, "+ \r\n", 5),
		STEP(C2S, "AGFsaWNlAHMzY3IzdC1Qdw==\r\n", 6),
		STEP(S2C, "x OK Logged in\r\n", 7),
	};
	const struct step sasl_ir[] = {
		STEP(S2C, dv_greeting, 3),
		STEP(C2S, "x AUTHENTICATE PLAIN AGFsaWNlAHMzY3IzdC1Qdw==\r\n", 4),
	};
	const struct step sasl_login[] = {
		STEP(S2C, dv_greeting, 3),
		STEP(C2S, "x AUTHENTICATE LOGIN\r\n", 4),
		STEP(S2C, "+ VXNlcm5hbWU6\r\n", 5),
		STEP(C2S, "YWxpY2U=\r\n", 6),
		STEP(S2C, "+ UGFzc3dvcmQ6\r\n", 7),
		/* Even binary SASL data is neither read nor kept. */
		STEP(C2S, "czNjcjN0LVB3\x00\r\n", 8),
	};
	const struct step binary_login[] = {
		STEP(S2C, dv_greeting, 3),
		STEP(C2S, "x LOGIN alice s3cr3t-Pw\x00\r\n", 4),
	};
	const struct step binary_continuation[] = {
		STEP(S2C, dv_greeting, 3),
		STEP(C2S, "x LOGIN {5}\r\n", 4),
		STEP(S2C, "+ OK\r\n", 5),
		STEP(C2S, "alice \"s3cr3t-Pw\"\x00\r\n", 6),
	};
	const struct step tabs[] = {
		STEP(S2C, dv_greeting, 3),
		STEP(C2S, "x LOGIN\talice\ts3cr3t-Pw\x00\r\n", 4),
	};
	const struct step long_tag[] = {
		STEP(S2C, dv_greeting, 3),
		STEP(C2S, "tag0123456789012345 AUTHENTICATE PLAIN "
		     "AGFsaWNlAHMzY3IzdC1Qdw==\x00\r\n", 4),
	};
	const struct step pipelined[] = {
		STEP(S2C, dv_greeting, 3),
		STEP(C2S, "a1 STARTTLS\r\nx LOGIN alice s3cr3t-Pw\r\n", 4),
		STEP(S2C, "a1 OK Begin TLS negotiation now.\r\n", 5),
	};
	const struct step split[] = {
		STEP(S2C, dv_greeting, 3),
		STEP(C2S, "x LOGIN alice s3c", 4),
		STEP(C2S, "r3t-Pw\r\n", 5),
	};
	struct step overlong[2];
	struct outcome o;

	(void)state;
	assert_no_credentials(quoted, TA_ELEMENTS(quoted), true);
	assert_no_credentials(literal, TA_ELEMENTS(literal), true);
	assert_no_credentials(nonsync, TA_ELEMENTS(nonsync), true);
	assert_no_credentials(sasl, TA_ELEMENTS(sasl), true);
	assert_no_credentials(sasl_ir, TA_ELEMENTS(sasl_ir), true);
	assert_no_credentials(sasl_login, TA_ELEMENTS(sasl_login), true);
	assert_no_credentials(pipelined, TA_ELEMENTS(pipelined), true);
	assert_no_credentials(split, TA_ELEMENTS(split), true);

	/* Unparsable lines keep an excerpt, cut before any argument. */
	assert_no_credentials(binary_login, TA_ELEMENTS(binary_login), false);
	run(binary_login, TA_ELEMENTS(binary_login), &o);
	assert_true(o.f.unparsed);
	assert_text(o.f.unparsed_excerpt, o.f.unparsed_len, "x LOGIN");

	assert_no_credentials(tabs, TA_ELEMENTS(tabs), false);
	run(tabs, TA_ELEMENTS(tabs), &o);
	assert_text(o.f.unparsed_excerpt, o.f.unparsed_len, "x LOGIN");
	assert_no_credentials(long_tag, TA_ELEMENTS(long_tag), false);
	run(long_tag, TA_ELEMENTS(long_tag), &o);
	assert_text(o.f.unparsed_excerpt, o.f.unparsed_len,
	            "tag0123456789012345 AUTHENTICATE");

	assert_no_credentials(binary_continuation,
	                      TA_ELEMENTS(binary_continuation), true);
	run(binary_continuation, TA_ELEMENTS(binary_continuation), &o);
	assert_true(o.f.unparsed);
	assert_int_equal(o.f.unparsed_dir, C2S);
	assert_int_equal(o.f.unparsed_len, 0);

	memcpy(longline, "x LOGIN alice s3cr3t-Pw ", 24);
	memset(longline + 24, 'A', sizeof longline - 24);
	overlong[0] = (struct step){S2C, (const uint8_t *)dv_greeting,
	                            strlen(dv_greeting), 3};
	overlong[1] = (struct step){C2S, longline, sizeof longline, 4};
	assert_no_credentials(overlong, 2, false);
	run(overlong, 2, &o);
	assert_true(o.f.unparsed);
	assert_int_equal(o.f.unparsed_frame, 4);
	assert_text(o.f.unparsed_excerpt, o.f.unparsed_len, "x LOGIN");
}

static void
test_after_stop_and_switch(void **state)
{
	void *st = new_state();
	bool begins = false;
	size_t used;

	(void)state;
	used = starttls_imap_ops.feed(st, C2S, (const uint8_t *)client_hello,
	                              sizeof client_hello - 1, 3, &begins);
	assert_true(begins);
	assert_int_equal(used, 0);
	/* Fed again by mistake: still all TLS. */
	begins = false;
	used = starttls_imap_ops.feed(st, C2S, (const uint8_t *)"a1 NOOP\r\n",
	                              9, 4, &begins);
	assert_true(begins);
	assert_int_equal(used, 0);
	/* An empty delivery changes nothing. */
	used = starttls_imap_ops.feed(st, S2C, NULL, 0, 5, &begins);
	assert_false(begins);
	assert_int_equal(used, 0);
	assert_false(starttls_imap_ops.finished(st));
	assert_string_equal(starttls_imap_ops.name, "imap");
	test_free(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dovecot_exchange),
		cmocka_unit_test(test_dovecot_split_everywhere),
		cmocka_unit_test(test_dovecot_bytewise),
		cmocka_unit_test(test_completed_by_frame),
		cmocka_unit_test(test_client_pipelined),
		cmocka_unit_test(test_client_pipelined_then_hello),
		cmocka_unit_test(test_server_pipelined),
		cmocka_unit_test(test_server_pipelined_next_segment),
		cmocka_unit_test(test_literal_hides_command),
		cmocka_unit_test(test_case_insensitive),
		cmocka_unit_test(test_tags),
		cmocka_unit_test(test_long_tag),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_refused_then_retry),
		cmocka_unit_test(test_preauth_and_bye),
		cmocka_unit_test(test_client_hello_to_143),
		cmocka_unit_test(test_overlong_lines),
		cmocka_unit_test(test_binary),
		cmocka_unit_test(test_gap),
		cmocka_unit_test(test_plaintext_auth),
		cmocka_unit_test(test_sasl_long_response),
		cmocka_unit_test(test_credentials_never_kept),
		cmocka_unit_test(test_after_stop_and_switch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
