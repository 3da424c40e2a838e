/* test_session.c: routing of a connection's bytes: IMAP up to STARTTLS (RFC 9051 6.2.1), then TLS (RFC 8446, RFC 8314 3.3). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "session/session.h"
#include "tls_samples.h"

#define C2S TCP_DIR_C2S
#define S2C TCP_DIR_S2C

/* Bytes of one direction through the reassembly sink, from a heap copy of
 * exactly n bytes so that a read past them is caught by the sanitizers. */
static void
deliver(struct session *s, enum tcp_dir dir, const void *p, size_t n,
        ta_frame frame)
{
	const struct reasm_sink *k = session_sink();
	uint8_t *copy = malloc(n > 0 ? n : 1);

	assert_non_null(copy);
	if (n > 0)
		memcpy(copy, p, n);
	k->data(session_sink_ctx(s, dir), copy, n, frame);
	free(copy);
}

static void
deliver_str(struct session *s, enum tcp_dir dir, const char *text,
            ta_frame frame)
{
	deliver(s, dir, text, strlen(text), frame);
}

/* The sample's segments with frames in [from, until) (until 0: no end). */
static void
deliver_sample(struct session *s, size_t sample, uint32_t from, uint32_t until)
{
	const struct tls_sample *t = &tls_samples[sample];

	for (size_t i = 0; i < t->nsegs; i++) {
		const struct tls_sample_seg *g = &t->segs[i];

		if (g->frame < from)
			continue;
		if (until != 0 && g->frame >= until)
			break;
		deliver(s, g->side == 0 ? C2S : S2C, t->stream[g->side] + g->off,
		        g->len, g->frame);
	}
}

/* The first record of a side's stream: for the client, its ClientHello. */
static size_t
first_record_len(const uint8_t *p)
{
	return 5 + (((size_t)p[3] << 8) | p[4]);
}

static const char greeting[] =
    "* OK [CAPABILITY IMAP4rev1 SASL-IR STARTTLS LOGINDISABLED] ready\r\n";
static const char starttls[] = "a1 STARTTLS\r\n";
static const char ok[] = "a1 OK Begin TLS negotiation now\r\n";

static void
test_imaps_straight_to_tls(void **state)
{
	static const enum service svcs[] = { SVC_IMAPS, SVC_TLS };
	const uint8_t *ch = tls_samples[SAMPLE_TLS13].stream[0];
	size_t chlen = first_record_len(ch);

	(void)state;
	assert_int_equal(chlen, 323);
	for (size_t i = 0; i < sizeof svcs / sizeof svcs[0]; i++) {
		struct session *s = session_new(svcs[i], NULL);
		const struct tls_facts *t;

		assert_non_null(s);
		assert_true(session_in_tls(s, C2S));
		assert_true(session_in_tls(s, S2C));
		assert_null(session_tls(s));
		session_set_time(s, 1700000000ULL * TA_NS_PER_SEC);
		deliver(s, C2S, ch, chlen, 4);
		t = session_tls(s);
		assert_non_null(t);
		assert_true(t->client_hello_seen);
		assert_int_equal(t->client_hello_frame, 4);
		assert_true(t->client_hello.has_sni);
		assert_string_equal((const char *)t->client_hello.sni,
		                    "imap.example.test");
		assert_false(t->server_hello_seen);
		assert_false(session_handshake_complete(s));
		assert_false(session_done(s));
		session_end(s, 5);
		/* no plaintext phase on these ports */
		assert_null(session_starttls(s));
		session_free(s);
	}
}

static void
test_imaps_whole_handshake(void **state)
{
	struct session *s = session_new(SVC_IMAPS, NULL);
	const struct tls_facts *t;

	(void)state;
	assert_non_null(s);
	deliver_sample(s, SAMPLE_TLS13, 0, 8);
	assert_false(session_handshake_complete(s));
	assert_false(session_done(s));
	/* the client's Finished, then its command */
	deliver_sample(s, SAMPLE_TLS13, 8, 0);
	assert_true(session_handshake_complete(s));
	assert_true(session_done(s));
	/* asked again: still done */
	assert_true(session_done(s));
	t = session_tls(s);
	assert_non_null(t);
	assert_true(t->server_hello_seen);
	assert_int_equal(t->server_hello_frame, 6);
	assert_true(t->app_data);
	session_end(s, 20);
	session_free(s);
}

static void
test_imap_starttls_switch(void **state)
{
	struct session *s = session_new(SVC_IMAP, NULL);
	const uint8_t *ch = tls_samples[SAMPLE_TLS13].stream[0];
	size_t chlen = first_record_len(ch);
	const struct tls_facts *t;
	const struct starttls_facts *st;

	(void)state;
	assert_non_null(s);
	assert_false(session_in_tls(s, C2S));
	assert_false(session_in_tls(s, S2C));
	deliver_str(s, S2C, greeting, 4);
	deliver_str(s, C2S, starttls, 6);
	deliver_str(s, S2C, ok, 7);
	/* plaintext so far: nothing reached TLS */
	assert_false(session_in_tls(s, C2S));
	assert_false(session_in_tls(s, S2C));
	assert_null(session_tls(s));
	assert_false(session_done(s));

	deliver(s, C2S, ch, chlen, 8);
	assert_true(session_in_tls(s, C2S));
	assert_false(session_in_tls(s, S2C));
	t = session_tls(s);
	assert_non_null(t);
	assert_true(t->client_hello_seen);
	assert_int_equal(t->client_hello_frame, 8);
	assert_int_equal(t->side[TLS_SIDE_CLIENT].bytes, chlen);

	session_end(s, 9);
	st = session_starttls(s);
	assert_non_null(st);
	assert_int_equal(st->greeting, STARTTLS_GREETING_OK);
	assert_int_equal(st->greeting_frame, 4);
	assert_true(st->offered);
	assert_true(st->logindisabled);
	assert_true(st->requested);
	assert_int_equal(st->request_frame, 6);
	assert_int_equal(st->response, STARTTLS_RESP_OK);
	assert_int_equal(st->response_frame, 7);
	assert_false(st->tls_without_starttls);
	assert_int_equal(st->client_pipelined, 0);
	session_free(s);
}

/* Every service that begins in clear text gets its protocol's module,
 * and one spare state serves them all (the pool keeps one size). */
static void
test_mail_protocols_switch(void **state)
{
	static const struct {
		enum service svc;
		enum starttls_protocol proto;
		const char *greeting, *upgrade, *yes;
	} cases[] = {
		{ SVC_POP3, STARTTLS_PROTO_POP3, "+OK ready\r\n", "STLS\r\n",
		  "+OK Begin TLS\r\n" },
		{ SVC_SMTP, STARTTLS_PROTO_SMTP, "220 mx ESMTP\r\n",
		  "STARTTLS\r\n", "220 2.0.0 Ready to start TLS\r\n" },
		{ SVC_SUBMISSION, STARTTLS_PROTO_SMTP, "220 mx ESMTP\r\n",
		  "STARTTLS\r\n", "220 2.0.0 Ready to start TLS\r\n" },
		{ SVC_IMAP, STARTTLS_PROTO_IMAP, "* OK ready\r\n",
		  "a STARTTLS\r\n", "a OK go\r\n" },
	};
	const uint8_t *ch = tls_samples[SAMPLE_TLS13].stream[0];
	size_t chlen = first_record_len(ch);

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct session *s = session_new(cases[i].svc, NULL);
		const struct starttls_facts *st;
		const struct tls_facts *t;

		assert_non_null(s);
		assert_false(session_in_tls(s, C2S));
		deliver_str(s, S2C, cases[i].greeting, 4);
		deliver_str(s, C2S, cases[i].upgrade, 6);
		deliver_str(s, S2C, cases[i].yes, 7);
		deliver(s, C2S, ch, chlen, 8);
		assert_true(session_in_tls(s, C2S));
		t = session_tls(s);
		assert_non_null(t);
		assert_true(t->client_hello_seen);
		assert_int_equal(t->side[TLS_SIDE_CLIENT].bytes, chlen);
		session_end(s, 9);
		st = session_starttls(s);
		assert_non_null(st);
		assert_int_equal(st->protocol, cases[i].proto);
		assert_true(st->requested);
		assert_int_equal(st->response, STARTTLS_RESP_OK);
		assert_false(st->tls_without_starttls);
		session_free(s);
	}
	/* The implicit-TLS mail services have no plaintext phase. */
	for (size_t i = 0; i < 2; i++) {
		struct session *s = session_new(i == 0 ? SVC_POP3S : SVC_SMTPS,
		                                NULL);

		assert_non_null(s);
		assert_true(session_in_tls(s, C2S));
		session_end(s, 2);
		assert_null(session_starttls(s));
		session_free(s);
	}
	assert_true(session_spare() >= 2);
}

static void
test_imap_switch_inside_one_delivery(void **state)
{
	/* The command and the ClientHello in one segment, the OK and the
	 * ServerHello in one segment: each side switches right after its
	 * line's CRLF, and TLS gets exactly the bytes after it. */
	struct session *s = session_new(SVC_IMAP, NULL);
	const struct tls_sample *smp = &tls_samples[SAMPLE_TLS13];
	size_t chlen = first_record_len(smp->stream[0]);
	size_t shlen = first_record_len(smp->stream[1]);
	uint8_t buf[2048];
	const struct tls_facts *t;

	(void)state;
	assert_non_null(s);
	assert_true(sizeof starttls - 1 + chlen <= sizeof buf);
	assert_true(sizeof ok - 1 + shlen <= sizeof buf);
	deliver_str(s, S2C, greeting, 4);

	memcpy(buf, starttls, sizeof starttls - 1);
	memcpy(buf + sizeof starttls - 1, smp->stream[0], chlen);
	deliver(s, C2S, buf, sizeof starttls - 1 + chlen, 6);
	assert_true(session_in_tls(s, C2S));
	assert_false(session_in_tls(s, S2C));

	memcpy(buf, ok, sizeof ok - 1);
	memcpy(buf + sizeof ok - 1, smp->stream[1], shlen);
	deliver(s, S2C, buf, sizeof ok - 1 + shlen, 7);
	assert_true(session_in_tls(s, S2C));

	t = session_tls(s);
	assert_non_null(t);
	assert_true(t->client_hello_seen);
	assert_int_equal(t->client_hello_frame, 6);
	assert_int_equal(t->side[TLS_SIDE_CLIENT].bytes, chlen);
	assert_true(t->server_hello_seen);
	assert_int_equal(t->server_hello_frame, 7);
	assert_int_equal(t->side[TLS_SIDE_SERVER].bytes, shlen);
	assert_int_equal(t->side[TLS_SIDE_CLIENT].malformed, 0);
	assert_int_equal(t->side[TLS_SIDE_SERVER].malformed, 0);
	assert_false(t->side[TLS_SIDE_CLIENT].stopped);
	assert_false(t->side[TLS_SIDE_SERVER].stopped);
	session_end(s, 8);
	assert_int_equal(session_starttls(s)->response, STARTTLS_RESP_OK);
	assert_int_equal(session_starttls(s)->client_pipelined, 0);
	assert_int_equal(session_starttls(s)->server_pipelined, 0);
	session_free(s);
}

static void
test_imap_tls_without_starttls(void **state)
{
	/* A client speaking TLS on the plaintext port at once. */
	struct session *s = session_new(SVC_IMAP, NULL);
	const uint8_t *ch = tls_samples[SAMPLE_TLS12].stream[0];

	(void)state;
	assert_non_null(s);
	deliver(s, C2S, ch, first_record_len(ch), 4);
	assert_true(session_in_tls(s, C2S));
	assert_non_null(session_tls(s));
	assert_true(session_tls(s)->client_hello_seen);
	session_end(s, 5);
	assert_true(session_starttls(s)->tls_without_starttls);
	assert_int_equal(session_starttls(s)->tls_without_starttls_dir, C2S);
	assert_int_equal(session_starttls(s)->tls_without_starttls_frame, 4);
	session_free(s);
}

static void
test_midstream_hunts(void **state)
{
	struct session *s = session_new(SVC_IMAPS, NULL);
	const struct tls_sample *smp = &tls_samples[SAMPLE_TLS13];
	const struct tls_facts *t;

	(void)state;
	assert_non_null(s);
	session_midstream(s, C2S, 3);
	/* nothing reached TLS yet, and no gap size is made up */
	assert_null(session_tls(s));
	deliver(s, C2S, smp->stream[0], first_record_len(smp->stream[0]), 4);
	t = session_tls(s);
	assert_non_null(t);
	/* a whole record at the start of the delivery: read */
	assert_true(t->client_hello_seen);
	assert_true(t->client_hello_after_gap);
	assert_true(t->side[TLS_SIDE_CLIENT].midstream);
	assert_int_equal(t->side[TLS_SIDE_CLIENT].midstream_frame, 3);
	assert_true(t->side[TLS_SIDE_CLIENT].resynced);
	assert_int_equal(t->side[TLS_SIDE_CLIENT].resync_frame, 4);
	assert_int_equal(t->side[TLS_SIDE_CLIENT].gaps, 0);
	assert_false(t->side[TLS_SIDE_CLIENT].stopped);
	/* the other direction is read as usual */
	deliver(s, S2C, smp->stream[1], first_record_len(smp->stream[1]), 6);
	assert_true(t->server_hello_seen);
	assert_false(t->server_hello_after_gap);
	assert_false(t->side[TLS_SIDE_SERVER].midstream);
	session_end(s, 7);
	assert_false(t->side[TLS_SIDE_CLIENT].stopped);
	session_free(s);

	/* the look-alike: bytes from the middle of a record are skipped, and
	 * a side that never finds a record says gap, 0 bytes (unknown) */
	s = session_new(SVC_IMAPS, NULL);
	assert_non_null(s);
	session_midstream(s, C2S, 3);
	deliver(s, C2S, smp->stream[0] + 100, 100, 4);
	t = session_tls(s);
	assert_non_null(t);
	assert_false(t->client_hello_seen);
	assert_false(t->side[TLS_SIDE_CLIENT].resynced);
	assert_int_equal(t->side[TLS_SIDE_CLIENT].malformed, 0);
	session_end(s, 5);
	assert_true(t->side[TLS_SIDE_CLIENT].stopped);
	assert_int_equal(t->side[TLS_SIDE_CLIENT].stop, TLS_STOP_GAP);
	assert_int_equal(t->side[TLS_SIDE_CLIENT].stop_len, 0);
	assert_int_equal(t->side[TLS_SIDE_CLIENT].stop_frame, 3);
	assert_int_equal(t->side[TLS_SIDE_CLIENT].skipped_bytes, 100);
	session_free(s);

	/* on the plaintext port: the greeting after the gap is not read */
	s = session_new(SVC_IMAP, NULL);
	assert_non_null(s);
	session_midstream(s, S2C, 3);
	deliver_str(s, S2C, greeting, 4);
	deliver_str(s, C2S, starttls, 5);
	assert_false(session_in_tls(s, S2C));
	session_end(s, 6);
	assert_int_equal(session_starttls(s)->greeting, STARTTLS_GREETING_NONE);
	assert_true(session_starttls(s)->gap);
	assert_true(session_starttls(s)->requested);
	assert_null(session_tls(s));
	session_free(s);
}

/* Port 143 picked up mid-stream after STARTTLS: both directions start with
 * TLS records, so they are in TLS; the plaintext parser missed its start. */
static void
test_midstream_imap_past_starttls(void **state)
{
	struct session *s = session_new(SVC_IMAP, NULL);
	const struct tls_sample *smp = &tls_samples[SAMPLE_TLS13];
	const struct tls_facts *t;
	const struct starttls_facts *st;

	(void)state;
	assert_non_null(s);
	session_midstream(s, C2S, 3);
	session_midstream(s, S2C, 4);
	deliver(s, C2S, smp->stream[0], first_record_len(smp->stream[0]), 3);
	assert_true(session_in_tls(s, C2S));
	assert_false(session_in_tls(s, S2C));
	deliver(s, S2C, smp->stream[1], first_record_len(smp->stream[1]), 4);
	assert_true(session_in_tls(s, S2C));
	t = session_tls(s);
	assert_non_null(t);
	assert_true(t->client_hello_seen);
	assert_true(t->server_hello_seen);
	assert_true(t->side[TLS_SIDE_CLIENT].midstream);
	assert_true(t->side[TLS_SIDE_SERVER].midstream);
	session_end(s, 9);
	st = session_starttls(s);
	assert_non_null(st);
	assert_true(st->gap);
	/* it did not see TLS begin, so it does not call it unexpected */
	assert_false(st->tls_without_starttls);
	session_free(s);
}

static void
test_done_after_fatal_alert(void **state)
{
	const struct tls_sample *smp = &tls_samples[SAMPLE_VMIS];
	struct session *s = session_new(SVC_IMAPS, NULL);

	(void)state;
	assert_non_null(s);
	deliver(s, C2S, smp->stream[0], smp->len[0], 4);
	assert_false(session_done(s));
	/* the server's fatal protocol_version alert, in plaintext */
	deliver(s, S2C, smp->stream[1], smp->len[1], 6);
	assert_true(session_tls(s)->fatal_alert);
	assert_int_equal(session_tls(s)->alert_count, 1);
	assert_int_equal(session_tls(s)->alerts[0].description, 70);
	assert_int_equal(session_tls(s)->alerts[0].frame, 6);
	assert_true(session_done(s));
	assert_false(session_handshake_complete(s));
	session_free(s);

	/* the same after STARTTLS */
	s = session_new(SVC_IMAP, NULL);
	assert_non_null(s);
	deliver_str(s, S2C, greeting, 2);
	deliver_str(s, C2S, starttls, 3);
	deliver_str(s, S2C, ok, 4);
	deliver(s, C2S, smp->stream[0], smp->len[0], 5);
	assert_false(session_done(s));
	deliver(s, S2C, smp->stream[1], smp->len[1], 6);
	assert_true(session_in_tls(s, S2C));
	assert_true(session_done(s));
	/* the plaintext facts were kept when the parser was let go */
	assert_non_null(session_starttls(s));
	assert_int_equal(session_starttls(s)->response, STARTTLS_RESP_OK);
	session_free(s);
}

static void
test_cert_null_without_chain_analysis(void **state)
{
	struct session *s = session_new(SVC_IMAPS, NULL);

	(void)state;
	assert_non_null(s);
	deliver_sample(s, SAMPLE_TLS12, 0, 0);
	assert_non_null(session_tls(s));
	assert_true(session_tls(s)->certs_seen);
	assert_int_equal(session_tls(s)->cert_count, 1);
	assert_true(session_handshake_complete(s));
	assert_null(session_cert(s));
	session_end(s, 16);
	assert_null(session_cert(s));
	session_free(s);
	/* freeing nothing is fine */
	session_free(NULL);
}

/* Objects of ended connections are reused: the next connection starts
 * clean, whatever the last one left in its buffers, and no more than
 * SESSION_POOL_MAX of each kind are kept. */
static void
test_reuse_starts_clean(void **state)
{
	static const char partial[] = "* OK [CAPABILITY IMAP4rev1 STARTTLS] rea";
	struct session *many[2 * SESSION_POOL_MAX + 3];
	const struct starttls_facts *st;
	const uint8_t *ch = tls_samples[SAMPLE_TLS13].stream[0];
	struct session *s;

	(void)state;
	for (size_t i = 0; i < TA_ELEMENTS(many); i++) {
		many[i] = session_new(i % 2 ? SVC_IMAP : SVC_IMAPS, NULL);
		assert_non_null(many[i]);
	}
	for (size_t i = 0; i < TA_ELEMENTS(many); i++) {
		/* a line half read, a record half read */
		if (i % 2)
			deliver(many[i], S2C, partial, sizeof partial - 1, 3);
		else
			deliver(many[i], C2S, ch, 40, 3);
		session_free(many[i]);
		assert_true(session_spare() <= 3 * SESSION_POOL_MAX);
	}
	assert_true(session_spare() >= SESSION_POOL_MAX);

	s = session_new(SVC_IMAP, NULL);
	assert_non_null(s);
	assert_false(session_in_tls(s, C2S));
	assert_null(session_tls(s));
	assert_null(session_starttls(s));
	deliver(s, S2C, greeting, 10, 4);
	deliver(s, S2C, greeting + 10, sizeof greeting - 1 - 10, 5);
	deliver_str(s, C2S, starttls, 6);
	session_end(s, 7);
	st = session_starttls(s);
	assert_non_null(st);
	assert_int_equal(st->greeting, STARTTLS_GREETING_OK);
	assert_int_equal(st->greeting_frame, 5);
	assert_true(st->offered);
	assert_true(st->requested);
	assert_false(st->unparsed);
	assert_null(session_tls(s));
	session_free(s);

	s = session_new(SVC_IMAPS, NULL);
	assert_non_null(s);
	deliver(s, C2S, ch, first_record_len(ch), 8);
	assert_non_null(session_tls(s));
	assert_true(session_tls(s)->client_hello_seen);
	assert_int_equal(session_tls(s)->client_hello_frame, 8);
	assert_int_equal(session_tls(s)->side[TLS_SIDE_CLIENT].malformed, 0);
	assert_false(session_tls(s)->side[TLS_SIDE_CLIENT].stopped);
	session_end(s, 9);
	session_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_imaps_straight_to_tls),
		cmocka_unit_test(test_mail_protocols_switch),
		cmocka_unit_test(test_imaps_whole_handshake),
		cmocka_unit_test(test_imap_starttls_switch),
		cmocka_unit_test(test_imap_switch_inside_one_delivery),
		cmocka_unit_test(test_imap_tls_without_starttls),
		cmocka_unit_test(test_midstream_hunts),
		cmocka_unit_test(test_midstream_imap_past_starttls),
		cmocka_unit_test(test_done_after_fatal_alert),
		cmocka_unit_test(test_cert_null_without_chain_analysis),
		cmocka_unit_test(test_reuse_starts_clean),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
