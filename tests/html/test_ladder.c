/* test_ladder.c: a timeline laid out as a ladder (lanes, spacing by time,
 * breaks, the ending arrow) and drawn in ASCII. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>

#include "report/ladder.h"
#include "fixture.h"

static void
build(struct fx *x, struct timeline *tl, struct ladder *l)
{
	timeline_build(&x->f, tl);
	ladder_build(&x->f, &x->d, tl, l);
}

/* A RST forged by a device on the path (inferred): SYN, SYN-ACK,
 * ClientHello, then the RST carrying the server's address. */
static struct fx *
middlebox(void)
{
	struct fx *x = fx_new();

	fx_tcp(x, FX_MS / 5);
	fx_client_hello(x, 4, 6 * FX_MS, "imap.example.test", 17);
	fx_end(x, TCP_END_RST, TCP_SIDE_MIDDLEBOX, 5, 6 * FX_MS + 33000);
	x->c.tcp.rst[0].dir = TCP_DIR_S2C;
	x->c.tcp.rst[0].frame = 5;
	x->c.tcp.nrst = 1;
	return x;
}

/* Every mark at once: a fatal alert, a 3 s break, the ending RST. */
static struct fx *
every_mark(void)
{
	struct fx *x = fx_new();

	fx_tcp(x, FX_MS);
	fx_client_hello(x, 4, 2 * FX_MS, NULL, 0);
	x->tls.alerts[0].frame = 6;
	x->tls.alerts[0].from = TLS_SIDE_SERVER;
	x->tls.alerts[0].level = TLS_ALERT_FATAL;
	x->tls.alerts[0].description = 40;
	x->tls.alert_count = 1;
	fx_time(x, 6, 3 * TA_NS_PER_SEC);
	fx_end(x, TCP_END_RST, TCP_SIDE_SERVER, 7, 3 * TA_NS_PER_SEC + FX_MS);
	return x;
}

static void
test_middlebox_lane(void **state)
{
	struct fx *x = middlebox();
	struct timeline tl;
	struct ladder l;

	(void)state;
	build(x, &tl, &l);
	assert_int_equal(l.n, 4);
	assert_true(l.path_used);
	assert_int_equal(l.forged_as, LADDER_SERVER);
	assert_int_equal(l.row[0].from, LADDER_CLIENT);
	assert_int_equal(l.row[0].to, LADDER_SERVER);
	assert_int_equal(l.row[1].from, LADDER_SERVER);
	assert_int_equal(l.row[1].to, LADDER_CLIENT);
	/* the RST: from the middle lane to the client it was sent to */
	assert_int_equal(l.row[3].kind, LADDER_ARROW);
	assert_int_equal(l.row[3].from, LADDER_PATH);
	assert_int_equal(l.row[3].to, LADDER_CLIENT);
	assert_true(l.row[3].ends);
	for (unsigned i = 0; i < 3; i++)
		assert_false(l.row[i].ends);
	assert_int_equal(l.tail, LADDER_TAIL_NONE);
	fx_free(x);
}

static void
test_spacing_follows_time(void **state)
{
	struct fx *x = middlebox();
	struct timeline tl;
	struct ladder l;

	(void)state;
	build(x, &tl, &l);
	assert_true(l.times);
	assert_int_equal(l.breaks, 0);
	/* the longest wait (SYN-ACK to ClientHello, 5.8 ms) gets the scale */
	assert_int_equal(l.scale_gap, 6 * FX_MS - FX_MS / 5);
	assert_int_equal(l.row[0].y, 0);
	assert_int_equal(l.row[2].y - l.row[1].y, LADDER_STEP + LADDER_SCALE);
	/* 0.2 ms and 0.033 ms: a step and a sliver */
	assert_int_equal(l.row[1].y - l.row[0].y,
	                 LADDER_STEP + LADDER_SCALE * 200000 / 5800000);
	assert_int_equal(l.row[3].y - l.row[2].y,
	                 LADDER_STEP + LADDER_SCALE * 33000 / 5800000);
	assert_int_equal(l.height, l.row[3].y);
	fx_free(x);
}

static void
test_quick_exchange_looks_quick(void **state)
{
	/* A refusal 0.038 ms after the SYN: the only wait, but far below the
	 * scale's floor, so it gets a sliver, not the full step. */
	struct fx *x = fx_new();
	struct timeline tl;
	struct ladder l;

	(void)state;
	x->c.tcp.syn_frame = 1;
	x->c.tcp.syns = 1;
	fx_time(x, 1, 0);
	fx_end(x, TCP_END_REFUSED, TCP_SIDE_SERVER, 2, 38000);
	build(x, &tl, &l);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.scale_gap, 38000);
	assert_int_equal(l.scale_ref, LADDER_SCALE_FLOOR);
	assert_int_equal(l.row[1].y, LADDER_STEP + LADDER_SCALE * 38000 /
	                                               LADDER_SCALE_FLOOR);
	assert_true(l.row[1].ends);
	fx_free(x);
}

static void
test_long_wait_is_a_break(void **state)
{
	/* The client waits 3 s for an answer to its ClientHello, then gives
	 * up: drawn to scale, 3 s would squash 1.7 ms into a line. */
	struct fx *x = fx_new();
	struct timeline tl;
	struct ladder l;

	(void)state;
	fx_tcp(x, 37000);
	fx_client_hello(x, 4, 1716000, NULL, 0);
	fx_end(x, TCP_END_FIN, TCP_SIDE_CLIENT, 6, 2991291000ULL);
	x->d.verdict = DIAG_HANDSHAKE_TIMEOUT;
	x->d.waiting_on = DIAG_SIDE_SERVER;
	build(x, &tl, &l);
	assert_int_equal(l.n, 4);
	assert_int_equal(l.breaks, 1);
	assert_true(l.row[3].brk);
	assert_false(l.row[1].brk);
	assert_false(l.row[2].brk);
	assert_int_equal(l.row[3].y - l.row[2].y, LADDER_STEP + LADDER_BREAK);
	assert_int_equal(l.scale_gap, 1716000 - 37000);
	assert_true(l.row[3].ends);
	assert_int_equal(l.silent, DIAG_SIDE_SERVER);
	fx_free(x);
}

static void
test_no_break_between_comparable_waits(void **state)
{
	/* 40, 40, 120 and 800 ms: an Internet path and a slow server; 800 ms
	 * is less than 8 times 120 ms, so all are drawn to scale. */
	struct fx *x = fx_new();
	struct timeline tl;
	struct ladder l;

	(void)state;
	fx_tcp(x, 40 * FX_MS);
	fx_client_hello(x, 4, 80 * FX_MS, NULL, 0);
	x->tls.server_hello_seen = true;
	x->tls.server_hello_frame = 6;
	x->tls.server_hello.version = 0x0303;
	x->tls.server_hello.cipher = 0xc02f;
	fx_time(x, 6, 200 * FX_MS);
	fx_end(x, TCP_END_FIN, TCP_SIDE_CLIENT, 8, 1000 * FX_MS);
	build(x, &tl, &l);
	assert_int_equal(l.n, 5);
	assert_int_equal(l.breaks, 0);
	assert_int_equal(l.scale_gap, 800 * FX_MS);
	assert_int_equal(l.row[4].y - l.row[3].y, LADDER_STEP + LADDER_SCALE);
	fx_free(x);
}

static void
test_one_frame_stacks(void **state)
{
	/* ServerHello, Certificate and ServerHelloDone in one frame. */
	struct fx *x = fx_new();
	struct timeline tl;
	struct ladder l;

	(void)state;
	fx_tcp(x, FX_MS);
	fx_client_hello(x, 4, 2 * FX_MS, NULL, 0);
	x->tls.server_hello_seen = true;
	x->tls.server_hello_frame = 6;
	x->tls.server_hello.version = 0x0303;
	x->tls.server_hello.cipher = 0xc02f;
	x->tls.certs_seen = true;
	x->tls.certs_frame = 6;
	x->tls.cert_count = 1;
	x->tls.server_hello_done = true;
	x->tls.server_hello_done_frame = 6;
	fx_time(x, 6, 3 * FX_MS);
	build(x, &tl, &l);
	assert_int_equal(l.n, 6);
	assert_true(l.row[4].same_frame);
	assert_true(l.row[5].same_frame);
	assert_int_equal(l.row[4].y - l.row[3].y, LADDER_STACK);
	assert_int_equal(l.row[5].y - l.row[4].y, LADDER_STACK);
	/* nothing ended it: open when the capture ended */
	assert_int_equal(l.tail, LADDER_TAIL_OPEN);
	assert_string_equal(ladder_tail_str(l.tail),
	                    "nothing more until the capture ended");
	fx_free(x);
}

static void
test_no_times_even_steps(void **state)
{
	/* A clock that stepped back: no times, frame order, even steps. */
	struct fx *x = middlebox();
	struct timeline tl;
	struct ladder l;

	(void)state;
	x->f.tcp.ts_damaged = true;
	build(x, &tl, &l);
	assert_false(l.times);
	for (unsigned i = 1; i < l.n; i++) {
		assert_false(l.row[i].gap_known);
		assert_int_equal(l.row[i].y - l.row[i - 1].y, LADDER_STEP);
	}
	fx_free(x);
}

static void
test_fatal_alert_is_the_failure(void **state)
{
	struct fx *x = fx_new();
	struct timeline tl;
	struct ladder l;

	(void)state;
	fx_tcp(x, FX_MS);
	fx_client_hello(x, 4, 2 * FX_MS, NULL, 0);
	x->tls.alerts[0].frame = 6;
	x->tls.alerts[0].from = TLS_SIDE_SERVER;
	x->tls.alerts[0].level = TLS_ALERT_WARNING;
	x->tls.alerts[0].description = 112;
	x->tls.alerts[1].frame = 7;
	x->tls.alerts[1].from = TLS_SIDE_SERVER;
	x->tls.alerts[1].level = TLS_ALERT_FATAL;
	x->tls.alerts[1].description = 70;
	x->tls.alert_count = 2;
	fx_time(x, 6, 3 * FX_MS);
	fx_time(x, 7, 3 * FX_MS);
	fx_end(x, TCP_END_FIN, TCP_SIDE_SERVER, 8, 4 * FX_MS);
	build(x, &tl, &l);
	assert_int_equal(l.n, 6);
	assert_false(l.row[3].failure); /* a warning alert */
	assert_true(l.row[4].failure);
	assert_int_equal(l.row[4].from, LADDER_SERVER);
	assert_false(l.row[4].ends);
	assert_true(l.row[5].ends);
	fx_free(x);
}

static void
test_notes_are_not_arrows(void **state)
{
	struct fx *x = fx_new();
	struct timeline tl;
	struct ladder l;

	(void)state;
	fx_tcp(x, FX_MS);
	fx_client_hello(x, 4, 2 * FX_MS, NULL, 0);
	x->tls.handshake_complete = true;
	x->tls.handshake_complete_frame = 6;
	fx_time(x, 6, 3 * FX_MS);
	build(x, &tl, &l);
	assert_int_equal(l.n, 4);
	assert_int_equal(l.row[3].kind, LADDER_NOTE);
	assert_false(l.path_used);
	fx_free(x);
}

static void
test_split(void **state)
{
	size_t n;
	const char *d;

	(void)state;
	ladder_split("ServerHello: TLS 1.2, X", &n, &d);
	assert_int_equal(n, 11);
	assert_string_equal(d, "TLS 1.2, X");
	ladder_split("alert fatal unknown_ca", &n, &d);
	assert_int_equal(n, 22);
	assert_string_equal(d, "");
}

/* The ASCII drawing of s: every byte printable ASCII or a newline, no
 * line past 78 columns. */
static char *
ascii_of(struct fx *x, size_t *len)
{
	struct timeline tl;
	struct ladder l;
	char *buf = NULL;
	FILE *m = open_memstream(&buf, len);

	assert_non_null(m);
	build(x, &tl, &l);
	ladder_text(m, &l);
	assert_int_equal(fclose(m), 0);
	return buf;
}

static void
assert_plain(const char *buf, size_t len)
{
	size_t col = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)buf[i];

		if (ch == '\n') {
			col = 0;
			continue;
		}
		assert_true(ch >= 0x20 && ch < 0x7f);
		col++;
		assert_true(col <= 78);
	}
}

static void
test_ascii_middlebox(void **state)
{
	struct fx *x = middlebox();
	size_t len;
	char *buf = ascii_of(x, &len);

	(void)state;
	assert_plain(buf, len);
	assert_non_null(strstr(buf, "  ladder:\n"));
	assert_non_null(strstr(buf, "client"));
	assert_non_null(strstr(buf, "middlebox"));
	assert_non_null(strstr(buf, "|-- SYN --"));
	assert_non_null(strstr(buf, "-- SYN-ACK --|"));
	/* the forged RST: from the path lane, drawn as the ending arrow */
	assert_non_null(strstr(buf, "|<==== RST (middlebox) ==X"));
	assert_non_null(strstr(buf, "  *     6.033 ms      5  |<"));
	assert_non_null(strstr(buf, "* ended the connection"));
	free(buf);
	fx_free(x);
}

static void
test_ascii_legend_fits(void **state)
{
	struct fx *x = every_mark();
	size_t len;
	char *buf = ascii_of(x, &len);

	(void)state;
	assert_plain(buf, len);
	assert_non_null(strstr(buf, "* ended the connection  ! fatal alert  "
	                            "~ a long wait, not to scale\n"));
	assert_non_null(strstr(buf, "  !"));
	free(buf);
	fx_free(x);
}

static void
test_ascii_break_and_tail(void **state)
{
	struct fx *x = fx_new();
	size_t len;
	char *buf;

	(void)state;
	fx_tcp(x, 37000);
	fx_client_hello(x, 4, 1716000, NULL, 0);
	fx_time(x, 5, 3 * TA_NS_PER_SEC);
	x->c.tcp.last_frame = 5;
	x->f.tcp.end = TCP_END_OPEN;
	x->d.verdict = DIAG_HANDSHAKE_TIMEOUT;
	x->d.waiting_on = DIAG_SIDE_SERVER;
	/* a second ClientHello 3 s later gives the wait an end */
	x->tls.client_hello2 = &x->tls.client_hello;
	x->tls.client_hello2_frame = 5;
	buf = ascii_of(x, &len);
	x->tls.client_hello2 = NULL;
	assert_plain(buf, len);
	assert_non_null(strstr(buf, " 3.0 s later "));
	/* the break crosses the lanes: '~' where the client's '|' runs */
	assert_non_null(strstr(buf, "\n                         ~"));
	assert_non_null(strstr(buf, "the server stayed silent; nothing more "
	                            "until the capture ended"));
	assert_non_null(strstr(buf, "~ a long wait, not to scale"));
	free(buf);
	fx_free(x);
}

static void
test_ascii_hostile_bytes(void **state)
{
	/* A STARTTLS answer whose text holds control and high bytes, and an
	 * over-long label: '?' and a cut, never a byte past ASCII. */
	struct fx *x = fx_new();
	size_t len;
	char *buf;
	uint8_t text[STARTTLS_TEXT_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof text; i++)
		text[i] = (uint8_t)(i * 37 + 1);
	fx_tcp(x, FX_MS);
	x->st.response = STARTTLS_RESP_NO;
	x->st.response_frame = 6;
	x->st.response_text_len = (uint8_t)sizeof text;
	memcpy(x->st.response_text, text, sizeof text);
	x->f.starttls = &x->st;
	fx_time(x, 6, 2 * FX_MS);
	buf = ascii_of(x, &len);
	assert_plain(buf, len);
	assert_non_null(strstr(buf, "... --|"));
	free(buf);
	fx_free(x);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_middlebox_lane),
	    cmocka_unit_test(test_spacing_follows_time),
	    cmocka_unit_test(test_quick_exchange_looks_quick),
	    cmocka_unit_test(test_long_wait_is_a_break),
	    cmocka_unit_test(test_no_break_between_comparable_waits),
	    cmocka_unit_test(test_one_frame_stacks),
	    cmocka_unit_test(test_no_times_even_steps),
	    cmocka_unit_test(test_fatal_alert_is_the_failure),
	    cmocka_unit_test(test_notes_are_not_arrows),
	    cmocka_unit_test(test_split),
	    cmocka_unit_test(test_ascii_middlebox),
	    cmocka_unit_test(test_ascii_legend_fits),
	    cmocka_unit_test(test_ascii_break_and_tail),
	    cmocka_unit_test(test_ascii_hostile_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
