/* test_timeline.c: a connection's events in frame order (TCP RFC 9293, IMAP RFC 9051 6.2.1, TLS RFC 8446). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "diag/timeline.h"

#define MS TA_NS_PER_MS
#define T0 (1700000000ULL * TA_NS_PER_SEC)

/* What timeline_build reads, built by hand. */
struct fx {
	struct conn c;
	struct conn_facts f;
	struct starttls_facts st;
	struct tls_facts tls;
	struct timeline tl;
};

static struct fx *
fx_new(void)
{
	struct fx *x = calloc(1, sizeof *x);

	assert_non_null(x);
	tcp_track_init(&x->c.tcp);
	tls_facts_init(&x->tls);
	x->f.conn = &x->c;
	x->f.why = TCP_FINISH_CLOSED;
	x->f.tcp.end = TCP_END_OPEN;
	return x;
}

static void
fx_free(struct fx *x)
{
	tls_facts_free(&x->tls);
	free(x);
}

/* A TCP handshake in frames 1-2 and a RST by the server in frame 9. */
static void
tcp_rst_by_server(struct fx *x)
{
	x->c.tcp.syn_frame = 1;
	x->c.tcp.syns = 1;
	x->c.tcp.synack_frame = 2;
	x->f.tcp.end = TCP_END_RST;
	x->f.tcp.end_by = TCP_SIDE_SERVER;
	x->f.tcp.end_frame = 9;
}

/* Greeting (frame 4), STARTTLS (5), OK (6). */
static void
imap_starttls(struct fx *x)
{
	static const char text[] = "Begin TLS negotiation now";

	x->st.greeting = STARTTLS_GREETING_OK;
	x->st.greeting_frame = 4;
	x->st.caps_known = true;
	x->st.caps_frame = 4;
	x->st.offered = true;
	x->st.requested = true;
	x->st.request_frame = 5;
	x->st.response = STARTTLS_RESP_OK;
	x->st.response_frame = 6;
	x->st.response_text_len = (uint8_t)(sizeof text - 1);
	memcpy(x->st.response_text, text, sizeof text - 1);
	x->f.starttls = &x->st;
}

/* A ClientHello offering TLS 1.3 and 1.2 (and GREASE) in frame 7, with
 * two real suites, a signalling one and a GREASE one. */
static void
client_hello(struct fx *x)
{
	struct tls_client_hello *ch = &x->tls.client_hello;
	static const char sni[] = "imap.example.test";

	x->tls.client_hello_seen = true;
	x->tls.client_hello_frame = 7;
	ch->legacy_version = 0x0303;
	ch->has_supported_versions = true;
	ch->versions.v[0] = 0x2a2a;
	ch->versions.v[1] = 0x0304;
	ch->versions.v[2] = 0x0303;
	ch->versions.count = 3;
	ch->ciphers.v[0] = 0x0a0a;
	ch->ciphers.v[1] = 0x1301;
	ch->ciphers.v[2] = 0x1302;
	ch->ciphers.v[3] = 0x00ff;
	ch->ciphers.count = 4;
	ch->has_sni = true;
	ch->sni_len = (uint16_t)(sizeof sni - 1);
	memcpy(ch->sni, sni, sizeof sni);
	x->f.tls = &x->tls;
}

static void
test_order_and_texts(void **state)
{
	struct fx *x = fx_new();
	const struct timeline *tl = &x->tl;

	(void)state;
	tcp_rst_by_server(x);
	imap_starttls(x);
	client_hello(x);
	x->tls.alerts[0].frame = 8;
	x->tls.alerts[0].from = TLS_SIDE_SERVER;
	x->tls.alerts[0].level = TLS_ALERT_FATAL;
	x->tls.alerts[0].description = 40;
	x->tls.alert_count = 1;
	timeline_build(&x->f, &x->tl);

	assert_int_equal(tl->n, 8);
	assert_int_equal(tl->dropped, 0);
	for (unsigned i = 0; i < tl->n; i++)
		assert_int_equal(tl->ev[i].frame, i < 2 ? i + 1 : i + 2);
	assert_string_equal(tl->ev[0].text, "SYN");
	assert_int_equal(tl->ev[0].side, TL_CLIENT);
	assert_string_equal(tl->ev[1].text, "SYN-ACK");
	assert_int_equal(tl->ev[1].side, TL_SERVER);
	assert_string_equal(tl->ev[2].text, "greeting * OK, STARTTLS offered");
	assert_int_equal(tl->ev[2].side, TL_SERVER);
	assert_string_equal(tl->ev[3].text, "STARTTLS");
	assert_int_equal(tl->ev[3].side, TL_CLIENT);
	assert_string_equal(tl->ev[4].text, "OK Begin TLS negotiation now");
	assert_string_equal(tl->ev[5].text,
	    "ClientHello: TLS 1.3, TLS 1.2; 2 cipher suites; "
	    "SNI imap.example.test");
	assert_int_equal(tl->ev[5].side, TL_CLIENT);
	assert_string_equal(tl->ev[6].text, "alert fatal handshake_failure");
	assert_int_equal(tl->ev[6].side, TL_SERVER);
	assert_string_equal(tl->ev[7].text, "RST");
	assert_int_equal(tl->ev[7].side, TL_SERVER);
	/* no time was noted for any frame */
	assert_false(tl->t0_known);
	for (unsigned i = 0; i < tl->n; i++)
		assert_false(tl->ev[i].ts_known);
	fx_free(x);
}

static void
test_same_frame_keeps_order(void **state)
{
	/* A TLS 1.2 server flight in one frame: ServerHello, Certificate,
	 * ServerHelloDone stay in that order; the greeting's capability
	 * list in the same frame is not a second event. */
	struct fx *x = fx_new();
	const struct timeline *tl = &x->tl;

	(void)state;
	imap_starttls(x);
	x->tls.server_hello_seen = true;
	x->tls.server_hello_frame = 12;
	x->tls.server_hello.version = 0x0303;
	x->tls.server_hello.cipher = 0xc02f;
	x->tls.certs_seen = true;
	x->tls.certs_frame = 12;
	x->tls.cert_count = 2;
	x->tls.cert_bytes = 2345;
	x->tls.server_hello_done = true;
	x->tls.server_hello_done_frame = 12;
	x->tls.side[TLS_SIDE_CLIENT].ccs = true;
	x->tls.side[TLS_SIDE_CLIENT].ccs_frame = 11;
	x->f.tls = &x->tls;
	timeline_build(&x->f, &x->tl);

	assert_int_equal(tl->n, 7);
	assert_int_equal(tl->ev[0].frame, 4);
	assert_int_equal(tl->ev[1].frame, 5);
	assert_int_equal(tl->ev[2].frame, 6);
	assert_int_equal(tl->ev[3].frame, 11);
	assert_string_equal(tl->ev[3].text, "ChangeCipherSpec");
	assert_int_equal(tl->ev[3].side, TL_CLIENT);
	assert_string_equal(tl->ev[4].text,
	    "ServerHello: TLS 1.2, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
	assert_string_equal(tl->ev[5].text,
	    "Certificate: 2 certificates, 2345 bytes");
	assert_string_equal(tl->ev[6].text, "ServerHelloDone");
	for (unsigned i = 4; i < 7; i++) {
		assert_int_equal(tl->ev[i].frame, 12);
		assert_int_equal(tl->ev[i].side, TL_SERVER);
	}
	fx_free(x);
}

/* An alert the server sent before its ServerHello, in the same segment,
 * comes first; one after it (by stream offset) stays after. */
static void
test_alert_before_server_hello(void **state)
{
	struct fx *x = fx_new();
	const struct timeline *tl = &x->tl;

	(void)state;
	x->tls.server_hello_seen = true;
	x->tls.server_hello_frame = 12;
	x->tls.server_hello_offset = 7;
	x->tls.server_hello.version = 0x0303;
	x->tls.server_hello.cipher = 0xc02f;
	x->tls.alert_count = 2;
	x->tls.alerts[0] = (struct tls_facts_alert){ .frame = 12,
	    .from = TLS_SIDE_SERVER, .level = TLS_ALERT_WARNING,
	    .description = 112, .offset = 0 };
	x->tls.alerts[1] = (struct tls_facts_alert){ .frame = 12,
	    .from = TLS_SIDE_SERVER, .level = TLS_ALERT_FATAL,
	    .description = 40, .offset = 100 };
	x->f.tls = &x->tls;
	timeline_build(&x->f, &x->tl);
	for (unsigned i = 0; i + 2 < tl->n; i++) {
		if (tl->ev[i].frame != 12)
			continue;
		assert_string_equal(tl->ev[i].text,
		    "alert warning unrecognized_name");
		assert_string_equal(tl->ev[i + 1].text,
		    "ServerHello: TLS 1.2, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
		assert_string_equal(tl->ev[i + 2].text,
		    "alert fatal handshake_failure");
		fx_free(x);
		return;
	}
	fail_msg("no events of frame 12");
}

static void
test_frames_of_other_files_sort_after(void **state)
{
	/* a connection carried on in the next rotated file */
	struct fx *x = fx_new();
	const struct timeline *tl = &x->tl;

	(void)state;
	x->c.tcp.syn_frame = TA_FRAME(0, 900);
	x->c.tcp.synack_frame = TA_FRAME(0, 901);
	x->f.tcp.end = TCP_END_FIN;
	x->f.tcp.end_by = TCP_SIDE_CLIENT;
	x->f.tcp.end_frame = TA_FRAME(1, 3);
	client_hello(x);
	x->tls.client_hello_frame = TA_FRAME(1, 1);
	timeline_build(&x->f, &x->tl);
	assert_int_equal(tl->n, 4);
	assert_int_equal(tl->ev[0].frame, TA_FRAME(0, 900));
	assert_int_equal(tl->ev[1].frame, TA_FRAME(0, 901));
	assert_int_equal(tl->ev[2].frame, TA_FRAME(1, 1));
	assert_int_equal(tl->ev[3].frame, TA_FRAME(1, 3));
	assert_string_equal(tl->ev[3].text, "FIN");
	assert_int_equal(tl->ev[3].side, TL_CLIENT);
	fx_free(x);
}

static void
test_times_from_first_timed_event(void **state)
{
	struct fx *x = fx_new();
	const struct timeline *tl = &x->tl;

	(void)state;
	tcp_rst_by_server(x);
	imap_starttls(x);
	/* the SYN's time is unknown: the SYN-ACK's is the origin */
	flow_note_time(&x->c, 2, T0 + 10 * MS);
	flow_note_time(&x->c, 3, T0 + 11 * MS); /* an ACK: no event */
	flow_note_time(&x->c, 4, T0 + 25 * MS);
	flow_note_time(&x->c, 6, T0 + 40 * MS);
	flow_note_time(&x->c, 9, T0 + 900 * MS);
	timeline_build(&x->f, &x->tl);

	assert_int_equal(tl->n, 6);
	assert_true(tl->t0_known);
	assert_int_equal(tl->t0, T0 + 10 * MS);
	assert_false(tl->ev[0].ts_known);        /* SYN */
	assert_true(tl->ev[1].ts_known);         /* SYN-ACK */
	assert_int_equal(tl->ev[1].ts, T0 + 10 * MS);
	assert_int_equal(tl->ev[2].ts - tl->t0, 15 * MS); /* greeting */
	assert_false(tl->ev[3].ts_known);        /* STARTTLS, frame 5 */
	assert_int_equal(tl->ev[4].ts - tl->t0, 30 * MS); /* OK */
	assert_int_equal(tl->ev[5].ts - tl->t0, 890 * MS); /* RST */
	fx_free(x);
}

static void
test_frame_zero_is_no_event(void **state)
{
	struct fx *x = fx_new();

	(void)state;
	imap_starttls(x);
	x->st.request_frame = 0;
	x->st.plaintext_auth = true;
	x->st.plaintext_auth_frame = 0;
	timeline_build(&x->f, &x->tl);
	assert_int_equal(x->tl.n, 2);
	assert_string_equal(x->tl.ev[0].text, "greeting * OK, STARTTLS offered");
	assert_string_equal(x->tl.ev[1].text, "OK Begin TLS negotiation now");
	fx_free(x);
}

static void
test_everything_fits(void **state)
{
	/* Every kind of event at once, each in its own frame: the bound
	 * holds them all and nothing is dropped. */
	struct fx *x = fx_new();
	struct tls_client_hello *ch2 = calloc(1, sizeof *ch2);
	const struct timeline *tl = &x->tl;
	ta_frame fr = 100;

	(void)state;
	assert_non_null(ch2);
	tcp_rst_by_server(x);
	x->c.tcp.syn_frame = ++fr;
	x->c.tcp.synack_frame = ++fr;
	x->f.tcp.end_frame = ++fr;
	imap_starttls(x);
	x->st.greeting_frame = ++fr;
	x->st.caps_frame = ++fr;
	x->st.request_frame = ++fr;
	x->st.response_frame = ++fr;
	x->st.plaintext_auth = true;
	x->st.plaintext_auth_frame = ++fr;
	x->st.client_pipelined = 10;
	x->st.client_pipelined_frame = ++fr;
	x->st.server_pipelined = 20;
	x->st.server_pipelined_frame = ++fr;
	x->st.tls_without_starttls = true;
	x->st.tls_without_starttls_dir = TCP_DIR_S2C;
	x->st.tls_without_starttls_frame = ++fr;
	client_hello(x);
	x->tls.client_hello_frame = ++fr;
	x->tls.hello_retry = true;
	x->tls.hello_retry_frame = ++fr;
	x->tls.hello_retry_group = 0x001d;
	x->tls.client_hello2 = ch2;
	x->tls.client_hello2_frame = ++fr;
	x->tls.server_hello_seen = true;
	x->tls.server_hello_frame = ++fr;
	x->tls.certs_seen = true;
	x->tls.certs_frame = ++fr;
	x->tls.cert_request = true;
	x->tls.cert_request_frame = ++fr;
	x->tls.server_hello_done = true;
	x->tls.server_hello_done_frame = ++fr;
	x->tls.client_certs_seen = true;
	x->tls.client_certs_frame = ++fr;
	for (int s = 0; s < 2; s++) {
		x->tls.side[s].ccs = true;
		x->tls.side[s].ccs_frame = ++fr;
		x->tls.side[s].finished = true;
		x->tls.side[s].finished_frame = ++fr;
		x->tls.side[s].stopped = true;
		x->tls.side[s].stop = TLS_STOP_TRUNCATED;
		x->tls.side[s].stop_frame = ++fr;
	}
	for (unsigned i = 0; i < TLS_FACTS_MAX_ALERTS; i++) {
		x->tls.alerts[i].frame = ++fr;
		x->tls.alerts[i].from = TLS_SIDE_CLIENT;
		x->tls.alerts[i].level = TLS_ALERT_WARNING;
		x->tls.alerts[i].description = 0;
	}
	x->tls.alert_count = TLS_FACTS_MAX_ALERTS;
	x->tls.handshake_complete = true;
	x->tls.handshake_complete_frame = ++fr;
	x->tls.app_data = true;
	x->tls.app_data_frame = ++fr;
	timeline_build(&x->f, &x->tl);

	assert_int_equal(fr - 100, 35);
	assert_true(fr - 100 <= TIMELINE_MAX);
	assert_int_equal(tl->n, 35);
	assert_int_equal(tl->dropped, 0);
	for (unsigned i = 1; i < tl->n; i++)
		assert_true(tl->ev[i - 1].frame < tl->ev[i].frame);
	/* the ones added last come in their frame's place */
	assert_string_equal(tl->ev[2].text, "RST");
	assert_string_equal(tl->ev[34].text, "application data");
	assert_int_equal(tl->ev[34].side, TL_NONE);
	assert_string_equal(tl->ev[10].text, "TLS record without STARTTLS");
	assert_int_equal(tl->ev[10].side, TL_SERVER);
	assert_string_equal(tl->ev[12].text,
	                    "HelloRetryRequest: asks for x25519");
	assert_string_equal(tl->ev[8].text,
	                    "10 plaintext bytes pipelined after STARTTLS");
	assert_string_equal(tl->ev[25].text, "alert warning close_notify");
	assert_int_equal(tl->ev[25].side, TL_CLIENT);
	assert_int_equal(tl->ev[25].frame, 126);
	/* the facts own the second ClientHello: tls_facts_free frees it */
	fx_free(x);
}

static void
test_side_names(void **state)
{
	(void)state;
	assert_string_equal(timeline_side_str(TL_CLIENT), "client");
	assert_string_equal(timeline_side_str(TL_SERVER), "server");
	assert_string_equal(timeline_side_str(TL_NONE), "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_and_texts),
		cmocka_unit_test(test_same_frame_keeps_order),
		cmocka_unit_test(test_alert_before_server_hello),
		cmocka_unit_test(test_frames_of_other_files_sort_after),
		cmocka_unit_test(test_times_from_first_timed_event),
		cmocka_unit_test(test_frame_zero_is_no_event),
		cmocka_unit_test(test_everything_fits),
		cmocka_unit_test(test_side_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
