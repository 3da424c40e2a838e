/* test_tls_facts.c: per-connection TLS facts (RFC 8446, RFC 5246): completion, alerts, inference, buffers. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "tls/tls_facts.h"
#include "tls_samples.h"

static void
data(struct tls_facts *f, enum tls_side side, const uint8_t *p, size_t n,
     ta_frame frame)
{
	uint8_t *copy = malloc(n ? n : 1);

	assert_non_null(copy);
	if (n > 0)
		memcpy(copy, p, n);
	tls_facts_data(f, side, copy, n, frame);
	free(copy);
}

/* Feed the segments of a sample whose frames are in [from, until) (until 0: no end). */
static void
feed_sample(struct tls_facts *f, size_t sample, uint32_t from, uint32_t until,
            bool bytewise)
{
	const struct tls_sample *s = &tls_samples[sample];

	for (size_t i = 0; i < s->nsegs; i++) {
		const struct tls_sample_seg *g = &s->segs[i];
		const uint8_t *p = s->stream[g->side] + g->off;

		if (g->frame < from)
			continue;
		if (until != 0 && g->frame >= until)
			break;
		if (bytewise) {
			for (size_t j = 0; j < g->len; j++)
				data(f, (enum tls_side)g->side, p + j, 1, g->frame);
		} else {
			data(f, (enum tls_side)g->side, p, g->len, g->frame);
		}
	}
}

static bool
buffers_released(const struct tls_facts *f)
{
	for (size_t i = 0; i < 2; i++)
		if (f->rec.dir[i].rec.p != NULL || f->rec.dir[i].hs.p != NULL)
			return false;
	return true;
}

static void
test_tls13(void **state)
{
	struct tls_facts f;

	(void)state;
	tls_facts_init(&f);
	feed_sample(&f, SAMPLE_TLS13, 0, 8, false);
	assert_true(f.client_hello_seen);
	assert_int_equal(f.client_hello_frame, 4);
	assert_string_equal((const char *)f.client_hello.sni, "imap.example.test");
	assert_true(f.server_hello_seen);
	assert_int_equal(f.server_hello_frame, 6);
	assert_int_equal(f.server_hello.version, TLS_V_TLS13);
	assert_int_equal(f.server_hello.cipher, 0x1302);
	assert_false(f.hello_retry);
	assert_true(f.side[TLS_SIDE_SERVER].finished);
	assert_false(f.handshake_complete);
	assert_false(tls_facts_done(&f));
	/* the client's Finished (69 bytes) completes it */
	feed_sample(&f, SAMPLE_TLS13, 8, 9, false);
	assert_true(f.handshake_complete);
	assert_int_equal(f.handshake_complete_frame, 8);
	assert_false(f.app_data);
	assert_false(tls_facts_done(&f));
	/* the server's tickets are not the session's data; the client's command is */
	feed_sample(&f, SAMPLE_TLS13, 9, 0, false);
	assert_true(f.app_data);
	assert_int_equal(f.app_data_frame, 12);
	assert_true(tls_facts_done(&f));
	assert_true(f.settled);
	assert_true(buffers_released(&f));
	/* settled: the closing records (frames 14 and 17) were not read */
	assert_int_equal(f.side[TLS_SIDE_CLIENT].bytes, 435);
	assert_int_equal(f.side[TLS_SIDE_CLIENT].tail_count, 2);
	assert_int_equal(f.side[TLS_SIDE_CLIENT].tail[0].len, 69);
	assert_int_equal(f.side[TLS_SIDE_CLIENT].tail[1].len, 27);
	/* the server's 6 records so far: the oldest fell out of the tail */
	assert_int_equal(f.side[TLS_SIDE_SERVER].opaque_records, 6);
	assert_int_equal(f.side[TLS_SIDE_SERVER].tail_count, TLS_FACTS_TAIL);
	assert_int_equal(f.side[TLS_SIDE_SERVER].tail[0].len, 281);
	assert_int_equal(f.side[TLS_SIDE_SERVER].tail[TLS_FACTS_TAIL - 1].frame, 10);
	tls_facts_end(&f, 20);
	assert_int_equal(f.alert_count, 0);
	assert_false(f.certs_seen);
	tls_facts_free(&f);

	/* as if the client never sent its command: its close_notify after
	 * the handshake is not inferred as anything */
	tls_facts_init(&f);
	feed_sample(&f, SAMPLE_TLS13, 0, 12, false);
	feed_sample(&f, SAMPLE_TLS13, 14, 0, false);
	tls_facts_end(&f, 20);
	assert_true(f.handshake_complete);
	assert_false(f.app_data);
	assert_int_equal(f.side[TLS_SIDE_CLIENT].tail_count, 2);
	assert_int_equal(f.side[TLS_SIDE_CLIENT].tail[1].len, 19);
	assert_int_equal(f.alert_count, 0);
	tls_facts_free(&f);
}

static void
test_tls12(void **state)
{
	struct tls_facts f;

	(void)state;
	tls_facts_init(&f);
	feed_sample(&f, SAMPLE_TLS12, 0, 10, false);
	assert_int_equal(f.server_hello.version, TLS_V_TLS12);
	assert_int_equal(f.server_hello.cipher, 0xc02f);
	assert_true(f.certs_seen);
	assert_int_equal(f.certs_frame, 6);
	assert_int_equal(f.cert_count, 1);
	assert_int_equal(f.cert_bytes, 827);
	assert_true(f.ske_seen);
	assert_int_equal(f.ske.kx, TLS_KX_ECDHE);
	assert_int_equal(f.ske.group, 0x001d);
	assert_true(f.server_hello_done);
	assert_int_equal(f.server_hello_done_frame, 6);
	assert_false(f.cert_request);
	assert_true(f.side[TLS_SIDE_CLIENT].ccs);
	assert_int_equal(f.side[TLS_SIDE_CLIENT].finished_frame, 8);
	assert_int_equal(f.side[TLS_SIDE_SERVER].finished_frame, 9);
	assert_true(f.handshake_complete);
	assert_int_equal(f.handshake_complete_frame, 9);
	assert_false(f.app_data);
	assert_false(tls_facts_done(&f));
	/* the server's close_notify (frame 15), encrypted: level unknown */
	feed_sample(&f, SAMPLE_TLS12, 15, 16, false);
	assert_int_equal(f.alert_count, 1);
	assert_int_equal(f.alerts[0].from, TLS_SIDE_SERVER);
	assert_int_equal(f.alerts[0].frame, 15);
	assert_true(f.alerts[0].encrypted);
	assert_false(f.alerts[0].inferred);
	assert_int_equal(f.alerts[0].level, 0);
	assert_int_equal(f.alerts[0].record_len, 26);
	assert_false(f.fatal_alert);
	/* the client's command settles it; its own close_notify is not read */
	feed_sample(&f, SAMPLE_TLS12, 10, 15, false);
	assert_true(f.app_data);
	assert_int_equal(f.app_data_frame, 10);
	assert_true(tls_facts_done(&f));
	tls_facts_end(&f, 16);
	assert_int_equal(f.alert_count, 1);
	tls_facts_free(&f);
}

static void
test_old_versions(void **state)
{
	static const size_t samples[] = {SAMPLE_TLS11, SAMPLE_TLS10, SAMPLE_DHE};
	static const uint16_t versions[] = {TLS_V_TLS11, TLS_V_TLS10, TLS_V_TLS12};
	struct tls_facts f;

	(void)state;
	for (size_t i = 0; i < TA_ELEMENTS(samples); i++) {
		tls_facts_init(&f);
		feed_sample(&f, samples[i], 0, 0, false);
		assert_int_equal(f.server_hello.version, versions[i]);
		assert_true(f.handshake_complete);
		assert_int_equal(f.handshake_complete_frame, 9);
		assert_true(f.app_data);
		assert_int_equal(f.app_data_frame, 10);
		tls_facts_free(&f);
	}
	tls_facts_init(&f);
	feed_sample(&f, SAMPLE_DHE, 0, 0, false);
	assert_int_equal(f.ske.kx, TLS_KX_DHE);
	assert_int_equal(f.ske.dh_p_bits, 2048);
	tls_facts_free(&f);
}

static void
test_version_alert(void **state)
{
	struct tls_facts f;

	(void)state;
	tls_facts_init(&f);
	feed_sample(&f, SAMPLE_VMIS, 0, 0, false);
	assert_int_equal(f.alert_count, 1);
	assert_int_equal(f.alerts[0].frame, 6);
	assert_int_equal(f.alerts[0].from, TLS_SIDE_SERVER);
	assert_int_equal(f.alerts[0].level, TLS_ALERT_FATAL);
	assert_int_equal(f.alerts[0].description, 70);
	assert_false(f.alerts[0].encrypted);
	assert_true(f.fatal_alert);
	assert_true(tls_facts_done(&f));
	assert_false(f.server_hello_seen);
	assert_false(f.client_hello.has_supported_versions);
	assert_int_equal(f.client_hello.legacy_version, TLS_V_TLS12);
	tls_facts_end(&f, 8);
	assert_false(f.handshake_complete);
	assert_int_equal(f.alert_count, 1);
	tls_facts_free(&f);
}

static void
test_hello_retry(void **state)
{
	struct tls_facts f;

	(void)state;
	tls_facts_init(&f);
	feed_sample(&f, SAMPLE_HRR, 0, 0, true);
	tls_facts_end(&f, 18);
	assert_true(f.hello_retry);
	assert_int_equal(f.hello_retry_frame, 6);
	assert_int_equal(f.hello_retry_group, 0x0017);
	assert_int_equal(f.hello_retry_cipher, 0x1302);
	assert_int_equal(f.client_hellos, 2);
	assert_int_equal(f.client_hello.key_shares.v[0], 0x001d);
	assert_non_null(f.client_hello2);
	assert_int_equal(f.client_hello2_frame, 8);
	assert_int_equal(f.client_hello2->key_shares.count, 1);
	assert_int_equal(f.client_hello2->key_shares.v[0], 0x0017);
	assert_int_equal(f.client_hello2->record_version, 0x0303);
	assert_true(f.server_hello_seen);
	assert_false(f.server_hello.hello_retry);
	assert_int_equal(f.server_hello_frame, 9);
	assert_true(f.handshake_complete);
	assert_int_equal(f.handshake_complete_frame, 10);
	assert_int_equal(f.app_data_frame, 11);
	assert_int_equal(f.alert_count, 0);
	tls_facts_free(&f);
	assert_null(f.client_hello2);
}

/* TLS 1.3: the client answers the server's flight with a short record and goes. */
static void
test_tls13_inferred_alert(void **state)
{
	const struct tls_sample *s = &tls_samples[SAMPLE_TLS13];
	static const uint8_t ccs[] = {0x14, 0x03, 0x03, 0x00, 0x01, 0x01};
	struct tls_facts f;

	(void)state;
	tls_facts_init(&f);
	feed_sample(&f, SAMPLE_TLS13, 0, 8, false);
	data(&f, TLS_SIDE_CLIENT, ccs, sizeof ccs, 8);
	/* its 24-byte close_notify record stands for an encrypted alert */
	data(&f, TLS_SIDE_CLIENT, s->stream[0] + 435, 24, 8);
	assert_false(f.handshake_complete);
	assert_int_equal(f.alert_count, 0);
	tls_facts_end(&f, 9);
	assert_false(f.handshake_complete);
	assert_int_equal(f.alert_count, 1);
	assert_int_equal(f.alerts[0].from, TLS_SIDE_CLIENT);
	assert_int_equal(f.alerts[0].frame, 8);
	assert_true(f.alerts[0].encrypted);
	assert_true(f.alerts[0].inferred);
	assert_int_equal(f.alerts[0].record_len, 19);
	assert_int_equal(f.alerts[0].level, 0);
	/* idempotent */
	tls_facts_end(&f, 10);
	assert_int_equal(f.alert_count, 1);
	tls_facts_free(&f);

	/* a client that says nothing after the flight: no alert made up */
	tls_facts_init(&f);
	feed_sample(&f, SAMPLE_TLS13, 0, 8, false);
	tls_facts_end(&f, 9);
	assert_int_equal(f.alert_count, 0);
	assert_false(f.handshake_complete);
	tls_facts_free(&f);
}

/* OpenSSL clients send a bad-certificate alert in plaintext, even under 1.3. */
static void
test_tls13_plaintext_alert(void **state)
{
	static const uint8_t alert[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x2a};
	struct tls_facts f;

	(void)state;
	tls_facts_init(&f);
	feed_sample(&f, SAMPLE_TLS13, 0, 8, false);
	data(&f, TLS_SIDE_CLIENT, alert, sizeof alert, 8);
	assert_true(f.fatal_alert);
	assert_true(tls_facts_done(&f));
	tls_facts_end(&f, 9);
	assert_int_equal(f.alert_count, 1);
	assert_int_equal(f.alerts[0].description, 42);
	assert_false(f.alerts[0].encrypted);
	tls_facts_free(&f);
}

static void
test_not_tls(void **state)
{
	static const char greeting[] = "* OK [CAPABILITY IMAP4rev1] ready\r\n";
	struct tls_facts f;

	(void)state;
	tls_facts_init(&f);
	data(&f, TLS_SIDE_CLIENT, tls_samples[SAMPLE_TLS13].stream[0], 323, 4);
	data(&f, TLS_SIDE_SERVER, (const uint8_t *)greeting, sizeof greeting - 1, 5);
	assert_true(f.side[TLS_SIDE_SERVER].stopped);
	assert_int_equal(f.side[TLS_SIDE_SERVER].stop, TLS_STOP_NOT_TLS);
	assert_int_equal(f.side[TLS_SIDE_SERVER].stop_frame, 5);
	assert_int_equal(f.side[TLS_SIDE_SERVER].stop_excerpt_len, TLS_REC_EXCERPT);
	assert_memory_equal(f.side[TLS_SIDE_SERVER].stop_excerpt, greeting,
	                    TLS_REC_EXCERPT);
	/* the stream was whole up to the greeting: its sender wrote it */
	assert_true(f.side[TLS_SIDE_SERVER].stop_by_sender);
	assert_false(tls_facts_done(&f));
	/* a gap does not stop a side: it looks for its next record */
	tls_facts_gap(&f, TLS_SIDE_CLIENT, 10, 6);
	assert_false(f.side[TLS_SIDE_CLIENT].stopped);
	assert_int_equal(f.side[TLS_SIDE_CLIENT].gaps, 1);
	assert_int_equal(f.side[TLS_SIDE_CLIENT].gap_bytes, 10);
	assert_int_equal(f.side[TLS_SIDE_CLIENT].first_gap_frame, 6);
	assert_int_equal(f.side[TLS_SIDE_CLIENT].first_gap_offset, 323);
	assert_false(tls_facts_done(&f));
	/* ... and never found it: the end says gap, from the gap's frame */
	tls_facts_end(&f, 7);
	assert_true(f.side[TLS_SIDE_CLIENT].stopped);
	assert_int_equal(f.side[TLS_SIDE_CLIENT].stop, TLS_STOP_GAP);
	assert_int_equal(f.side[TLS_SIDE_CLIENT].stop_len, 10);
	assert_int_equal(f.side[TLS_SIDE_CLIENT].stop_frame, 6);
	assert_false(f.side[TLS_SIDE_CLIENT].stop_by_sender);
	assert_false(f.side[TLS_SIDE_CLIENT].resynced);
	tls_facts_free(&f);
}

static void
test_truncated_and_malformed(void **state)
{
	static const uint8_t bad_ch[] = {0x16, 0x03, 0x01, 0x00, 0x06, 1, 0, 0, 2, 3, 3};
	struct tls_facts f;

	(void)state;
	tls_facts_init(&f);
	data(&f, TLS_SIDE_CLIENT, bad_ch, sizeof bad_ch, 3);
	assert_int_equal(f.side[TLS_SIDE_CLIENT].malformed, 1);
	assert_int_equal(f.side[TLS_SIDE_CLIENT].first_bad, TLS_BAD_MESSAGE);
	assert_int_equal(f.side[TLS_SIDE_CLIENT].first_bad_hs_type, TLS_HS_CLIENT_HELLO);
	assert_int_equal(f.side[TLS_SIDE_CLIENT].first_bad_frame, 3);
	assert_false(f.client_hello_seen);
	data(&f, TLS_SIDE_SERVER, tls_samples[SAMPLE_TLS12].stream[1], 500, 4);
	assert_non_null(f.rec.dir[TLS_SIDE_SERVER].rec.p);
	tls_facts_end(&f, 5);
	assert_true(f.side[TLS_SIDE_SERVER].stopped);
	assert_int_equal(f.side[TLS_SIDE_SERVER].stop, TLS_STOP_TRUNCATED);
	assert_int_equal(f.side[TLS_SIDE_SERVER].stop_len, 500 - 70);
	assert_int_equal(f.side[TLS_SIDE_SERVER].stop_frame, 5);
	assert_false(f.side[TLS_SIDE_CLIENT].stopped);
	assert_true(buffers_released(&f));
	tls_facts_free(&f);
}

/*
 * The server's Certificate message length edited down (as in a capture
 * whose bytes were changed): the message does not parse, the bytes after
 * its declared end declare a message beyond what is followed, and the
 * records after it are still read: the handshake completes.
 */
static void
test_unreadable_certificate(void **state)
{
	static const uint8_t cert_hdr[] = {0x0b, 0x00, 0x03, 0x41, 0x00, 0x03,
	                                   0x3e};
	const struct tls_sample *smp = &tls_samples[SAMPLE_TLS12];
	const uint8_t *srv = smp->stream[TLS_SIDE_SERVER];
	size_t srv_len = 0, at = 0;
	uint8_t *edited;
	struct tls_facts f;

	(void)state;
	for (size_t i = 0; i < smp->nsegs; i++)
		if (smp->segs[i].side == TLS_SIDE_SERVER &&
		    smp->segs[i].off + smp->segs[i].len > srv_len)
			srv_len = smp->segs[i].off + smp->segs[i].len;
	while (at + sizeof cert_hdr <= srv_len &&
	       memcmp(srv + at, cert_hdr, sizeof cert_hdr) != 0)
		at++;
	assert_true(at + 4 + 256 + 4 <= srv_len);
	edited = malloc(srv_len);
	assert_non_null(edited);
	memcpy(edited, srv, srv_len);
	edited[at + 2] = 0x01;
	edited[at + 3] = 0x00;
	memcpy(edited + at + 4 + 256, "\x0b\x31\x0b\x30", 4);

	tls_facts_init(&f);
	for (size_t i = 0; i < smp->nsegs; i++) {
		const struct tls_sample_seg *g = &smp->segs[i];
		const uint8_t *p = g->side == TLS_SIDE_SERVER ? edited + g->off :
		    smp->stream[g->side] + g->off;

		if (g->frame >= 10)
			break;
		data(&f, (enum tls_side)g->side, p, g->len, g->frame);
	}
	assert_false(f.certs_seen);
	assert_true(f.certs_unreadable);
	assert_int_equal(f.certs_unreadable_frame, 6);
	assert_int_equal(f.certs_unreadable_len, 256);
	assert_true(f.certs_unreadable_list_known);
	assert_int_equal(f.certs_unreadable_list_len, 830);
	assert_int_equal(f.side[TLS_SIDE_SERVER].hs_too_long, 1);
	assert_int_equal(f.side[TLS_SIDE_SERVER].hs_too_long_frame, 6);
	assert_int_equal(f.side[TLS_SIDE_SERVER].hs_too_long_len, 0x310b30);
	assert_false(f.side[TLS_SIDE_SERVER].stopped);
	assert_true(f.handshake_complete);
	assert_int_equal(f.handshake_complete_frame, 9);
	tls_facts_end(&f, 10);
	assert_false(f.side[TLS_SIDE_SERVER].stopped);
	tls_facts_free(&f);
	free(edited);
}

/*
 * TLS 1.3 with the client's direction not captured: the server's
 * acknowledgements of the client's stream stand in for it. The sample's
 * server segments are fed, each after an acknowledgement of what the
 * client had sent before it (alert_only: the client sent a 24-byte
 * encrypted alert after the flight instead of its Finished).
 */
static void
server_only(struct tls_facts *f, bool alert_only)
{
	const struct tls_sample *smp = &tls_samples[SAMPLE_TLS13];
	uint64_t client = 0;

	tls_facts_init(f);
	for (size_t i = 0; i < smp->nsegs; i++) {
		const struct tls_sample_seg *g = &smp->segs[i];

		if (g->side == TLS_SIDE_CLIENT) {
			if (!alert_only)
				client += g->len;
			else if (g->frame < 8)
				client += g->len;
			else if (g->frame == 8)
				client += 24;
			continue;
		}
		tls_facts_acked(f, TLS_SIDE_CLIENT, client, g->frame);
		data(f, TLS_SIDE_SERVER, smp->stream[1] + g->off, g->len,
		     g->frame);
	}
}

static void
test_tls13_server_acks(void **state)
{
	struct tls_facts f;

	(void)state;
	server_only(&f, false);
	assert_true(f.side[TLS_SIDE_CLIENT].acked_known);
	assert_int_equal(f.side[TLS_SIDE_CLIENT].acked, 323 + 80 + 32 + 24);
	assert_int_equal(f.side[TLS_SIDE_CLIENT].acked_frame, 17);
	assert_int_equal(f.side[TLS_SIDE_SERVER].finished_frame, 6);
	assert_true(f.tls13_acks.flight_known);
	assert_int_equal(f.tls13_acks.flight_acked, 323);
	/* CCS and a SHA-384 Finished: 6 + 74 */
	assert_int_equal(tls_facts_tls13_finished_len(0x1302), 74);
	assert_int_equal(f.tls13_acks.fin_frame, 9);
	assert_int_equal(f.tls13_acks.fin_bytes, 80);
	assert_int_equal(f.tls13_acks.answer_frame, 9);
	assert_int_equal(f.tls13_acks.answer_len, 250);
	assert_int_equal(f.tls13_acks.answer_acked, 80);
	assert_int_equal(f.tls13_acks.answer_ack_frame, 9);
	/* the facts do not call it complete: the diagnosis infers */
	assert_false(f.handshake_complete);
	tls_facts_end(&f, 18);
	tls_facts_free(&f);

	/* an alert's worth after the flight is no Finished */
	server_only(&f, true);
	assert_int_equal(f.tls13_acks.flight_acked, 323);
	assert_int_equal(f.side[TLS_SIDE_CLIENT].acked, 323 + 24);
	assert_int_equal(f.tls13_acks.fin_frame, 0);
	assert_int_equal(f.tls13_acks.answer_frame, 0);
	tls_facts_free(&f);

	/* an acknowledgement that goes back changes nothing */
	tls_facts_init(&f);
	tls_facts_acked(&f, TLS_SIDE_CLIENT, 100, 3);
	tls_facts_acked(&f, TLS_SIDE_CLIENT, 90, 4);
	assert_int_equal(f.side[TLS_SIDE_CLIENT].acked, 100);
	assert_int_equal(f.side[TLS_SIDE_CLIENT].acked_frame, 3);
	assert_int_equal(tls_facts_tls13_finished_len(0x1301), 58);
	assert_int_equal(tls_facts_tls13_finished_len(0x1305), 50);
	assert_int_equal(tls_facts_tls13_finished_len(0xfafa), 50);
	tls_facts_free(&f);
}

/*
 * TLS 1.3 with the server's direction not captured: the client's
 * acknowledgements of the server's stream stand in for it. Each client
 * segment of a sample is fed after an acknowledgement of what the server
 * had sent before it; then, when answer > 0, one more acknowledgement of
 * the server's whole stream and answer bytes past it (frame 20). zero_rtt:
 * a 48-byte encrypted record right after the ClientHello, before any
 * server byte was acknowledged.
 */
static void
client_only(struct tls_facts *f, size_t sample, uint64_t answer,
            bool zero_rtt)
{
	const struct tls_sample *smp = &tls_samples[sample];
	uint64_t server = 0;
	uint8_t early[5 + 48] = { 0x17, 0x03, 0x03, 0x00, 0x30 };

	tls_facts_init(f);
	for (size_t i = 0; i < smp->nsegs; i++) {
		const struct tls_sample_seg *g = &smp->segs[i];

		if (g->side == TLS_SIDE_SERVER) {
			server += g->len;
			continue;
		}
		tls_facts_acked(f, TLS_SIDE_SERVER, server, g->frame);
		data(f, TLS_SIDE_CLIENT, smp->stream[0] + g->off, g->len,
		     g->frame);
		if (zero_rtt && i == 0)
			data(f, TLS_SIDE_CLIENT, early, sizeof early, g->frame + 1);
	}
	if (answer > 0)
		tls_facts_acked(f, TLS_SIDE_SERVER, server + answer, 20);
}

static void
test_tls13_client_acks(void **state)
{
	struct tls_facts f;

	(void)state;
	/* The sample's client: ClientHello (4), CCS and a 69-byte Finished
	 * once 1383 server bytes were acknowledged (8), a 27-byte record
	 * (12, 1893 acknowledged), a 19-byte close_notify (14). Its server
	 * sent only a close_notify (24 bytes) after that. */
	client_only(&f, SAMPLE_TLS13, 0, false);
	assert_false(f.server_hello_seen);
	assert_int_equal(f.tls13_client.fin_frame, 8);
	assert_int_equal(f.tls13_client.fin_len, 69);
	assert_int_equal(f.tls13_client.flight_acked, 1383);
	assert_int_equal(f.tls13_client.data_frame, 12);
	assert_int_equal(f.tls13_client.data_len, 27);
	assert_int_equal(f.tls13_client.data_acked, 1893);
	assert_int_equal(f.tls13_client.answer_frame, 0);
	assert_false(f.handshake_complete);
	tls_facts_free(&f);

	/* an alert's worth after the data is no answer */
	client_only(&f, SAMPLE_TLS13, 2, false);
	assert_int_equal(f.tls13_client.answer_frame, 0);
	tls_facts_free(&f);

	/* more than that is */
	client_only(&f, SAMPLE_TLS13, 100, false);
	assert_int_equal(f.tls13_client.answer_frame, 20);
	assert_int_equal(f.tls13_client.answer_bytes, 124);
	/* the facts do not call it complete: the diagnosis infers */
	assert_false(f.handshake_complete);
	tls_facts_free(&f);

	/* 0-RTT data, before the server's flight was acknowledged, is
	 * neither the Finished nor the data */
	client_only(&f, SAMPLE_TLS13, 100, true);
	assert_int_equal(f.tls13_client.fin_frame, 8);
	assert_int_equal(f.tls13_client.data_frame, 12);
	tls_facts_free(&f);

	/* an alert-sized record after the flight, then nothing: kept, and
	 * at the end an encrypted alert from the client (inferred) */
	{
		const struct tls_sample *smp = &tls_samples[SAMPLE_TLS13];

		tls_facts_init(&f);
		tls_facts_acked(&f, TLS_SIDE_SERVER, 0, 4);
		data(&f, TLS_SIDE_CLIENT, smp->stream[0], 323, 4);
		tls_facts_acked(&f, TLS_SIDE_SERVER, 1383, 8);
		/* the sample's 19-byte close_notify record */
		data(&f, TLS_SIDE_CLIENT, smp->stream[0] + 435, 24, 8);
		assert_int_equal(f.tls13_client.fin_frame, 8);
		assert_int_equal(f.tls13_client.fin_len, 19);
		assert_false(f.tls13_client.more);
		assert_int_equal(f.alert_count, 0);
		tls_facts_end(&f, 9);
		assert_int_equal(f.alert_count, 1);
		assert_int_equal(f.alerts[0].from, TLS_SIDE_CLIENT);
		assert_true(f.alerts[0].encrypted);
		assert_int_equal(f.alerts[0].frame, 8);
		tls_facts_free(&f);
	}
	/* with a record after it, no alert is inferred */
	client_only(&f, SAMPLE_TLS13, 0, false);
	assert_true(f.tls13_client.more);
	tls_facts_end(&f, 21);
	assert_int_equal(f.alert_count, 0);
	tls_facts_free(&f);

	/* a client that did not offer TLS 1.3 gives none of these facts */
	client_only(&f, SAMPLE_TLS12, 100, false);
	assert_int_equal(f.tls13_client.fin_frame, 0);
	assert_int_equal(f.tls13_client.answer_frame, 0);
	tls_facts_free(&f);
}

struct hook_log {
	unsigned calls;
	enum tls_side from;
	ta_frame frame;
	size_t first_len;
	uint8_t first_bytes[2];
};

static void
hook(void *arg, enum tls_side from, const struct tls_certificate *c, ta_frame frame)
{
	struct hook_log *h = arg;

	h->calls++;
	h->from = from;
	h->frame = frame;
	h->first_len = c->count > 0 ? c->der[0].n : 0;
	if (h->first_len >= 2)
		memcpy(h->first_bytes, c->der[0].p, 2);
}

static void
test_cert_hook(void **state)
{
	struct tls_facts f;
	struct hook_log h;

	(void)state;
	memset(&h, 0, sizeof h);
	tls_facts_init(&f);
	tls_facts_set_cert_hook(&f, hook, &h);
	feed_sample(&f, SAMPLE_TLS11, 0, 0, true);
	assert_int_equal(h.calls, 1);
	assert_int_equal(h.from, TLS_SIDE_SERVER);
	assert_int_equal(h.frame, 6);
	assert_int_equal(h.first_len, 827);
	assert_int_equal(h.first_bytes[0], 0x30);
	assert_int_equal(h.first_bytes[1], 0x82);
	tls_facts_free(&f);
}

/* A chain too long for one record, in small TCP segments: gathered in a
 * buffer that is given back once the message is parsed. */
static void
test_long_chain_buffers(void **state)
{
	enum { NCERT = 10, CERT = 9000 };
	size_t body = 3 + NCERT * (3 + CERT), total = 4 + body, wire_len = 0;
	uint8_t *msg = calloc(1, total), *wire = malloc(total + 5 * 20);
	struct tls_facts f;
	struct hook_log h;
	size_t o = 0;

	(void)state;
	assert_non_null(msg);
	assert_non_null(wire);
	msg[o++] = TLS_HS_CERTIFICATE;
	msg[o++] = (uint8_t)(body >> 16);
	msg[o++] = (uint8_t)(body >> 8);
	msg[o++] = (uint8_t)body;
	msg[o++] = (uint8_t)((body - 3) >> 16);
	msg[o++] = (uint8_t)((body - 3) >> 8);
	msg[o++] = (uint8_t)(body - 3);
	for (unsigned i = 0; i < NCERT; i++) {
		msg[o++] = 0;
		msg[o++] = (uint8_t)(CERT >> 8);
		msg[o++] = (uint8_t)CERT;
		msg[o] = 0x30;
		o += CERT;
	}
	assert_int_equal(o, total);
	for (size_t off = 0; off < total; off += 16384) {
		size_t n = total - off < 16384 ? total - off : 16384;

		wire[wire_len++] = TLS_CT_HANDSHAKE;
		wire[wire_len++] = 3;
		wire[wire_len++] = 3;
		wire[wire_len++] = (uint8_t)(n >> 8);
		wire[wire_len++] = (uint8_t)n;
		memcpy(wire + wire_len, msg + off, n);
		wire_len += n;
	}
	memset(&h, 0, sizeof h);
	tls_facts_init(&f);
	tls_facts_set_cert_hook(&f, hook, &h);
	for (size_t off = 0, frame = 1; off < wire_len; off += 1448, frame++) {
		size_t n = wire_len - off < 1448 ? wire_len - off : 1448;

		data(&f, TLS_SIDE_SERVER, wire + off, n, frame);
		assert_true(f.rec.dir[TLS_SIDE_SERVER].rec.cap <= TA_CAP_TLS_RECORD);
		assert_true(f.rec.dir[TLS_SIDE_SERVER].hs.cap <= TA_CAP_TLS_HS);
		if (f.rec.dir[TLS_SIDE_SERVER].hs.len == 0)
			assert_null(f.rec.dir[TLS_SIDE_SERVER].hs.p);
	}
	assert_int_equal(h.calls, 1);
	assert_int_equal(h.first_len, CERT);
	assert_int_equal(f.cert_count, NCERT);
	assert_int_equal(f.cert_bytes, NCERT * CERT);
	assert_int_equal(f.certs_frame, (wire_len + 1447) / 1448);
	assert_null(f.rec.dir[TLS_SIDE_SERVER].hs.p);
	tls_facts_end(&f, 1000);
	assert_true(buffers_released(&f));
	tls_facts_free(&f);
	free(msg);
	free(wire);
}

static void
test_done_releases_buffers(void **state)
{
	struct tls_facts f;

	(void)state;
	tls_facts_init(&f);
	/* byte by byte: every record passes through the record buffer */
	feed_sample(&f, SAMPLE_TLS12, 0, 11, true);
	assert_true(tls_facts_done(&f));
	assert_true(buffers_released(&f));
	tls_facts_free(&f);
}

static void
test_alert_cap(void **state)
{
	static const uint8_t warn[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x01, 0x5a};
	struct tls_facts f;

	(void)state;
	tls_facts_init(&f);
	for (unsigned i = 0; i < TLS_FACTS_MAX_ALERTS + 3; i++)
		data(&f, TLS_SIDE_SERVER, warn, sizeof warn, i + 1);
	assert_int_equal(f.alert_count, TLS_FACTS_MAX_ALERTS);
	assert_int_equal(f.alerts_dropped, 3);
	assert_int_equal(f.alerts[TLS_FACTS_MAX_ALERTS - 1].frame, TLS_FACTS_MAX_ALERTS);
	assert_int_equal(f.alerts[0].level, TLS_ALERT_WARNING);
	assert_int_equal(f.alerts[0].description, 90);
	assert_false(f.fatal_alert);
	tls_facts_free(&f);
}

static const uint8_t unrecognized_name[] = {0x15, 0x03, 0x03, 0x00, 0x02,
                                             0x01, 0x70};

/* The first record of a stream: its total size. */
static size_t
first_len(const uint8_t *p)
{
	return 5 + ((size_t)p[3] << 8 | p[4]);
}

/* A warning alert before the ServerHello in the same segment (as a
 * server that does not know the SNI sends it): the facts order them. */
static void
test_alert_wire_order(void **state)
{
	const struct tls_sample *smp = &tls_samples[SAMPLE_TLS12];
	size_t shlen = first_len(smp->stream[1]);
	uint8_t seg[sizeof unrecognized_name + 128];
	struct tls_facts f;

	(void)state;
	assert_true(shlen <= 128);
	memcpy(seg, unrecognized_name, sizeof unrecognized_name);
	memcpy(seg + sizeof unrecognized_name, smp->stream[1], shlen);
	tls_facts_init(&f);
	data(&f, TLS_SIDE_CLIENT, smp->stream[0], 162, 4);
	data(&f, TLS_SIDE_SERVER, seg, sizeof unrecognized_name + shlen, 6);
	assert_int_equal(f.alert_count, 1);
	assert_int_equal(f.alerts[0].frame, 6);
	assert_int_equal(f.server_hello_frame, 6);
	assert_true(f.alerts[0].before_server_hello);
	assert_false(f.alerts[0].before_client_hello);
	assert_int_equal(f.alerts[0].offset, 0);
	assert_int_equal(f.server_hello_offset, sizeof unrecognized_name);
	assert_false(f.fatal_alert);
	tls_facts_free(&f);

	/* the other order */
	memcpy(seg, smp->stream[1], shlen);
	memcpy(seg + shlen, unrecognized_name, sizeof unrecognized_name);
	tls_facts_init(&f);
	data(&f, TLS_SIDE_CLIENT, smp->stream[0], 162, 4);
	data(&f, TLS_SIDE_SERVER, seg, sizeof unrecognized_name + shlen, 6);
	assert_int_equal(f.alert_count, 1);
	assert_false(f.alerts[0].before_server_hello);
	assert_int_equal(f.server_hello_offset, 0);
	assert_int_equal(f.alerts[0].offset, shlen);
	assert_false(f.alerts[0].after_gap);
	tls_facts_free(&f);
}

/* A client that fails before its ClientHello sends a fatal alert instead. */
static void
test_alert_without_client_hello(void **state)
{
	static const uint8_t internal_error[] = {0x15, 0x03, 0x01, 0x00, 0x02,
	                                         0x02, 0x50};
	struct tls_facts f;

	(void)state;
	tls_facts_init(&f);
	data(&f, TLS_SIDE_CLIENT, internal_error, sizeof internal_error, 4);
	assert_false(f.side[TLS_SIDE_CLIENT].stopped);
	assert_int_equal(f.alert_count, 1);
	assert_int_equal(f.alerts[0].description, 80);
	assert_true(f.alerts[0].before_client_hello);
	assert_true(f.client_alert_before_hello);
	assert_int_equal(f.client_alert_before_hello_frame, 4);
	assert_true(f.fatal_alert);
	tls_facts_end(&f, 5);
	tls_facts_free(&f);

	/* the look-alike: the same alert after a ClientHello */
	tls_facts_init(&f);
	data(&f, TLS_SIDE_CLIENT, tls_samples[SAMPLE_TLS12].stream[0], 162, 4);
	data(&f, TLS_SIDE_CLIENT, internal_error, sizeof internal_error, 6);
	assert_int_equal(f.alert_count, 1);
	assert_false(f.alerts[0].before_client_hello);
	assert_true(f.alerts[0].before_server_hello);
	assert_false(f.client_alert_before_hello);
	tls_facts_free(&f);
}

/* A second ClientHello that answers no HelloRetryRequest. */
static void
test_client_hello_again(void **state)
{
	const struct tls_sample *smp = &tls_samples[SAMPLE_TLS12];
	size_t shlen = first_len(smp->stream[1]);
	struct tls_facts f;

	(void)state;
	tls_facts_init(&f);
	data(&f, TLS_SIDE_CLIENT, smp->stream[0], 162, 4);
	data(&f, TLS_SIDE_SERVER, smp->stream[1], shlen, 6);
	data(&f, TLS_SIDE_CLIENT, smp->stream[0], 162, 8);
	assert_int_equal(f.client_hellos, 2);
	assert_true(f.client_hello_again);
	assert_int_equal(f.client_hello_again_frame, 8);
	assert_int_equal(f.client_hello_again_offset, 162);
	assert_true(f.client_hello_again_after_server_hello);
	assert_null(f.client_hello2);
	assert_int_equal(f.client_hello2_frame, 0);
	tls_facts_free(&f);

	/* a restart before any answer */
	tls_facts_init(&f);
	data(&f, TLS_SIDE_CLIENT, smp->stream[0], 162, 4);
	data(&f, TLS_SIDE_CLIENT, smp->stream[0], 162, 5);
	data(&f, TLS_SIDE_CLIENT, smp->stream[0], 162, 7);
	assert_int_equal(f.client_hellos, 3);
	assert_true(f.client_hello_again);
	assert_int_equal(f.client_hello_again_frame, 5);
	assert_false(f.client_hello_again_after_server_hello);
	tls_facts_free(&f);

	/* the look-alike: the answer to a HelloRetryRequest */
	tls_facts_init(&f);
	feed_sample(&f, SAMPLE_HRR, 0, 0, false);
	assert_int_equal(f.client_hellos, 2);
	assert_false(f.client_hello_again);
	assert_int_equal(f.client_hello2_frame, 8);
	tls_facts_end(&f, 20);
	tls_facts_free(&f);
}

/* A gap in the server's certificate: it is reported as cut, the side finds
 * its footing at the next record and the handshake is still followed. */
static void
test_gap_and_resync(void **state)
{
	const struct tls_sample *smp = &tls_samples[SAMPLE_TLS12];
	const uint8_t *srv = smp->stream[1];
	struct tls_facts f;

	(void)state;
	tls_facts_init(&f);
	data(&f, TLS_SIDE_CLIENT, smp->stream[0], 162, 4);
	data(&f, TLS_SIDE_SERVER, srv, 500, 6);               /* SH, part of Certificate */
	tls_facts_gap(&f, TLS_SIDE_SERVER, 412, 7);           /* the rest of it */
	data(&f, TLS_SIDE_SERVER, srv + 912, 1226 - 912, 8);  /* SKE, SHD */
	assert_false(f.side[TLS_SIDE_SERVER].stopped);
	assert_int_equal(f.side[TLS_SIDE_SERVER].gaps, 1);
	assert_int_equal(f.side[TLS_SIDE_SERVER].gap_bytes, 412);
	assert_int_equal(f.side[TLS_SIDE_SERVER].first_gap_frame, 7);
	assert_int_equal(f.side[TLS_SIDE_SERVER].first_gap_offset, 500);
	assert_int_equal(f.side[TLS_SIDE_SERVER].cut_count, 1);
	assert_int_equal(f.side[TLS_SIDE_SERVER].cuts[0].frame, 6);
	assert_int_equal(f.side[TLS_SIDE_SERVER].cuts[0].offset, 70);
	assert_int_equal(f.side[TLS_SIDE_SERVER].cuts[0].content_type, 22);
	assert_int_equal(f.side[TLS_SIDE_SERVER].cuts[0].record_len, 837);
	assert_int_equal(f.side[TLS_SIDE_SERVER].cuts[0].held, 425);
	assert_int_equal(f.side[TLS_SIDE_SERVER].cuts[0].hs_type, TLS_HS_CERTIFICATE);
	assert_int_equal(f.side[TLS_SIDE_SERVER].cuts[0].hs_len, 833);
	assert_true(f.side[TLS_SIDE_SERVER].resynced);
	assert_int_equal(f.side[TLS_SIDE_SERVER].resync_frame, 8);
	assert_int_equal(f.side[TLS_SIDE_SERVER].resync_offset, 912);
	assert_false(f.certs_seen);
	assert_true(f.ske_seen);
	assert_true(f.server_hello_done);
	assert_false(f.server_hello_after_gap);
	/* the rest of the handshake, as captured */
	feed_sample(&f, SAMPLE_TLS12, 8, 0, false);
	assert_true(f.handshake_complete);
	assert_true(f.side[TLS_SIDE_SERVER].ccs_after_gap);
	assert_false(f.side[TLS_SIDE_CLIENT].ccs_after_gap);
	assert_true(f.settled);
	tls_facts_end(&f, 16);
	assert_false(f.side[TLS_SIDE_SERVER].stopped);
	assert_int_equal(f.side[TLS_SIDE_SERVER].resyncs, 1);
	assert_int_equal(f.side[TLS_SIDE_SERVER].skipped_bytes, 0);
	tls_facts_free(&f);
}

/* A capture cut by its snap length: each segment's captured head and the
 * rest as a gap. Record headers that were captured still count. */
static void
test_snaplen_cut(void **state)
{
	const struct tls_sample *smp = &tls_samples[SAMPLE_TLS13];
	struct tls_facts f;

	(void)state;
	tls_facts_init(&f);
	for (size_t i = 0; i < smp->nsegs; i++) {
		const struct tls_sample_seg *g = &smp->segs[i];
		size_t keep = g->len < 30 ? g->len : 30;

		data(&f, (enum tls_side)g->side, smp->stream[g->side] + g->off,
		     keep, g->frame);
		tls_facts_gap(&f, (enum tls_side)g->side, g->len - keep, g->frame);
	}
	tls_facts_end(&f, 99);
	/* the ClientHello and the ServerHello: their type and declared size */
	assert_true(f.side[TLS_SIDE_CLIENT].cut_count >= 1);
	assert_int_equal(f.side[TLS_SIDE_CLIENT].cuts[0].content_type, 22);
	assert_int_equal(f.side[TLS_SIDE_CLIENT].cuts[0].record_len, 318);
	assert_int_equal(f.side[TLS_SIDE_CLIENT].cuts[0].hs_type, TLS_HS_CLIENT_HELLO);
	assert_int_equal(f.side[TLS_SIDE_CLIENT].cuts[0].hs_have, 4);
	assert_int_equal(f.side[TLS_SIDE_SERVER].cuts[0].hs_type, TLS_HS_SERVER_HELLO);
	assert_int_equal(f.side[TLS_SIDE_SERVER].cuts[0].record_len, 122);
	assert_false(f.client_hello_seen);
	assert_false(f.server_hello_seen);
	/* without a ServerHello no record is taken for application data */
	assert_false(f.app_data);
	assert_false(f.handshake_complete);
	tls_facts_free(&f);
}

/* SSL 2.0 end to end: SERVER-HELLO, the certificate, the client's choice,
 * completion inferred from the encrypted records. */
static void
test_ssl2(void **state)
{
	static const uint8_t hello[] = {
		0x80, 0x25,
		0x01, 0x00, 0x02, 0x00, 0x0c, 0x00, 0x00, 0x00, 0x10,
		0x01, 0x00, 0x80, 0x07, 0x00, 0xc0, 0x00, 0x00, 0x2f, 0x00, 0x00, 0x35,
		1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
	};
	static const uint8_t sh[] = {
		0x80, 0x2b,
		0x04, 0x00, 0x01, 0x00, 0x02, 0x00, 0x0a, 0x00, 0x06, 0x00, 0x10,
		0x30, 0x08, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x01, 0x41,
		0x01, 0x00, 0x80, 0x07, 0x00, 0xc0,
		1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
	};
	static const uint8_t cmk[] = {
		0x80, 0x0c, 0x02, 0x07, 0x00, 0xc0, 0x00, 0x00, 0x00, 0x02,
		0x00, 0x00, 0xab, 0xcd,
	};
	static const uint8_t enc[] = {0x80, 0x04, 0xaa, 0xbb, 0xcc, 0xdd};
	static const uint8_t error[] = {0x80, 0x03, 0x00, 0x00, 0x01};
	struct tls_facts f;
	struct hook_log h;

	(void)state;
	memset(&h, 0, sizeof h);
	tls_facts_init(&f);
	tls_facts_set_cert_hook(&f, hook, &h);
	data(&f, TLS_SIDE_CLIENT, hello, sizeof hello, 4);
	data(&f, TLS_SIDE_SERVER, sh, sizeof sh, 5);
	data(&f, TLS_SIDE_CLIENT, cmk, sizeof cmk, 6);
	data(&f, TLS_SIDE_CLIENT, enc, sizeof enc, 6);    /* CLIENT-FINISHED */
	data(&f, TLS_SIDE_SERVER, enc, sizeof enc, 7);    /* SERVER-VERIFY */
	assert_true(f.client_hello_seen);
	assert_true(f.client_hello.sslv2);
	assert_true(f.server_hello_seen);
	assert_true(f.server_hello.sslv2);
	assert_int_equal(f.server_hello.version, TLS_V_SSL2);
	assert_int_equal(f.server_hello.ssl2_cipher, 0x0700c0);
	assert_true(f.ssl2_master_key);
	assert_int_equal(f.ssl2_master_key_frame, 6);
	assert_int_equal(h.calls, 1);
	assert_int_equal(h.frame, 5);
	assert_int_equal(h.first_len, 10);
	assert_true(f.certs_seen);
	assert_int_equal(f.cert_count, 1);
	assert_false(f.handshake_complete);
	data(&f, TLS_SIDE_SERVER, enc, sizeof enc, 8);    /* SERVER-FINISHED */
	assert_true(f.handshake_complete);
	assert_int_equal(f.handshake_complete_frame, 8);
	assert_false(f.app_data);
	data(&f, TLS_SIDE_CLIENT, enc, sizeof enc, 9);
	assert_true(f.client_app_data);
	assert_true(tls_facts_done(&f));
	tls_facts_end(&f, 10);
	tls_facts_free(&f);

	/* the server refuses: an SSL 2.0 ERROR is its fatal alert */
	tls_facts_init(&f);
	data(&f, TLS_SIDE_CLIENT, hello, sizeof hello, 4);
	data(&f, TLS_SIDE_SERVER, error, sizeof error, 5);
	assert_int_equal(f.alert_count, 1);
	assert_int_equal(f.alerts[0].level, TLS_ALERT_FATAL);
	assert_int_equal(f.alerts[0].description, 40);
	assert_int_equal(f.alerts[0].ssl2_error, 1);
	assert_true(f.alerts[0].before_server_hello);
	assert_true(f.fatal_alert);
	assert_false(f.side[TLS_SIDE_SERVER].stopped);
	tls_facts_free(&f);
}

/* PostgreSQL's SSLRequest on a tls port. */
static void
test_pg_preamble(void **state)
{
	static const uint8_t req[] = {0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f};
	const struct tls_sample *smp = &tls_samples[SAMPLE_TLS12];
	struct tls_facts f;

	(void)state;
	tls_facts_init(&f);
	tls_facts_allow_preambles(&f);
	data(&f, TLS_SIDE_CLIENT, req, sizeof req, 4);
	data(&f, TLS_SIDE_SERVER, (const uint8_t *)"S", 1, 6);
	data(&f, TLS_SIDE_CLIENT, smp->stream[0], 162, 8);
	assert_true(f.pg_request);
	assert_int_equal(f.pg_request_frame, 4);
	assert_true(f.pg_answered);
	assert_int_equal(f.pg_answer_frame, 6);
	assert_false(f.tls_refused);
	assert_true(f.client_hello_seen);
	assert_int_equal(f.client_hello_offset, 8);
	assert_false(f.side[TLS_SIDE_CLIENT].stopped);
	assert_false(f.side[TLS_SIDE_SERVER].stopped);
	tls_facts_free(&f);

	tls_facts_init(&f);
	tls_facts_allow_preambles(&f);
	data(&f, TLS_SIDE_CLIENT, req, sizeof req, 4);
	data(&f, TLS_SIDE_SERVER, (const uint8_t *)"N", 1, 6);
	data(&f, TLS_SIDE_CLIENT, (const uint8_t *)"\0\0\0\x08\0\x03\0\0", 8, 8);
	assert_true(f.tls_refused);
	assert_int_equal(f.pg_answer_frame, 6);
	assert_false(f.side[TLS_SIDE_CLIENT].stopped);
	assert_true(f.side[TLS_SIDE_SERVER].stopped);
	assert_int_equal(f.side[TLS_SIDE_SERVER].stop, TLS_STOP_NOT_TLS);
	assert_true(f.side[TLS_SIDE_SERVER].stop_by_sender);
	assert_true(tls_facts_done(&f));
	tls_facts_free(&f);

	/* without preambles allowed (imaps): the client's request is not TLS */
	tls_facts_init(&f);
	data(&f, TLS_SIDE_CLIENT, req, sizeof req, 4);
	assert_true(f.side[TLS_SIDE_CLIENT].stopped);
	assert_int_equal(f.side[TLS_SIDE_CLIENT].stop, TLS_STOP_NOT_TLS);
	assert_false(f.pg_request);
	tls_facts_free(&f);
}

/* Malformed by the sender or lost by the capture. */
static void
test_stop_by_sender(void **state)
{
	static const uint8_t too_long[] = {0x17, 0x03, 0x03, 0x48, 0x01};
	struct tls_facts f;

	(void)state;
	tls_facts_init(&f);
	data(&f, TLS_SIDE_SERVER, unrecognized_name, sizeof unrecognized_name, 4);
	data(&f, TLS_SIDE_SERVER, too_long, sizeof too_long, 5);
	/* after a whole record: reported, and read on in case a record
	 * follows; none does, so it ends stopped on that header */
	assert_false(f.side[TLS_SIDE_SERVER].stopped);
	assert_int_equal(f.side[TLS_SIDE_SERVER].bad_headers, 1);
	assert_int_equal(f.side[TLS_SIDE_SERVER].bad_header_frame, 5);
	assert_int_equal(f.side[TLS_SIDE_SERVER].bad_header_offset,
	                 sizeof unrecognized_name);
	assert_int_equal(f.side[TLS_SIDE_SERVER].bad_header_reason,
	                 TLS_STOP_RECORD_TOO_LONG);
	assert_int_equal(f.side[TLS_SIDE_SERVER].bad_header_len, 0x4801);
	tls_facts_end(&f, 6);
	assert_true(f.side[TLS_SIDE_SERVER].stopped);
	assert_int_equal(f.side[TLS_SIDE_SERVER].stop, TLS_STOP_RECORD_TOO_LONG);
	assert_true(f.side[TLS_SIDE_SERVER].stop_by_sender);
	assert_int_equal(f.side[TLS_SIDE_SERVER].stop_frame, 5);
	assert_int_equal(f.side[TLS_SIDE_SERVER].stop_offset,
	                 sizeof unrecognized_name);
	assert_int_equal(f.side[TLS_SIDE_SERVER].stop_len, 0x4801);
	/* the header's bytes are the stop's excerpt */
	assert_int_equal(f.side[TLS_SIDE_SERVER].stop_excerpt_len,
	                 sizeof too_long);
	assert_memory_equal(f.side[TLS_SIDE_SERVER].stop_excerpt, too_long,
	                    sizeof too_long);
	assert_false(f.side[TLS_SIDE_SERVER].bad_header_resynced);
	tls_facts_free(&f);

	/* a record in the next delivery: read again from there */
	tls_facts_init(&f);
	data(&f, TLS_SIDE_SERVER, unrecognized_name, sizeof unrecognized_name, 4);
	data(&f, TLS_SIDE_SERVER, too_long, sizeof too_long, 5);
	data(&f, TLS_SIDE_SERVER, unrecognized_name, sizeof unrecognized_name, 7);
	tls_facts_end(&f, 8);
	assert_false(f.side[TLS_SIDE_SERVER].stopped);
	assert_true(f.side[TLS_SIDE_SERVER].bad_header_resynced);
	assert_int_equal(f.side[TLS_SIDE_SERVER].bad_header_resync_frame, 7);
	assert_int_equal(f.side[TLS_SIDE_SERVER].bad_header_skipped,
	                 sizeof too_long);
	assert_int_equal(f.side[TLS_SIDE_SERVER].gaps, 0);
	assert_int_equal(f.alert_count, 2);
	assert_false(f.alerts[1].after_gap);
	tls_facts_free(&f);

	/* the same header after a gap: the footing was wrong, not the sender */
	tls_facts_init(&f);
	tls_facts_gap(&f, TLS_SIDE_SERVER, 100, 3);
	data(&f, TLS_SIDE_SERVER, unrecognized_name, sizeof unrecognized_name, 4);
	data(&f, TLS_SIDE_SERVER, too_long, sizeof too_long, 5);
	assert_false(f.side[TLS_SIDE_SERVER].stopped);
	assert_int_equal(f.side[TLS_SIDE_SERVER].desyncs, 1);
	assert_int_equal(f.side[TLS_SIDE_SERVER].resyncs, 1);
	tls_facts_end(&f, 6);
	assert_true(f.side[TLS_SIDE_SERVER].stopped);
	assert_int_equal(f.side[TLS_SIDE_SERVER].stop, TLS_STOP_GAP);
	assert_false(f.side[TLS_SIDE_SERVER].stop_by_sender);
	/* (the handshake is incomplete: reported from the first gap) */
	assert_int_equal(f.side[TLS_SIDE_SERVER].stop_frame, 3);
	assert_int_equal(f.side[TLS_SIDE_SERVER].stop_len, 100);
	assert_false(f.side[TLS_SIDE_SERVER].gap_stop_kept);
	assert_int_equal(f.side[TLS_SIDE_SERVER].skipped_bytes, sizeof too_long);
	tls_facts_free(&f);

	/* the end inside a record is not the sender's doing either */
	tls_facts_init(&f);
	data(&f, TLS_SIDE_SERVER, too_long, 3, 4);
	tls_facts_end(&f, 5);
	assert_int_equal(f.side[TLS_SIDE_SERVER].stop, TLS_STOP_TRUNCATED);
	assert_false(f.side[TLS_SIDE_SERVER].stop_by_sender);
	tls_facts_free(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tls13),
		cmocka_unit_test(test_tls12),
		cmocka_unit_test(test_old_versions),
		cmocka_unit_test(test_version_alert),
		cmocka_unit_test(test_hello_retry),
		cmocka_unit_test(test_tls13_inferred_alert),
		cmocka_unit_test(test_tls13_plaintext_alert),
		cmocka_unit_test(test_not_tls),
		cmocka_unit_test(test_truncated_and_malformed),
		cmocka_unit_test(test_unreadable_certificate),
		cmocka_unit_test(test_tls13_server_acks),
		cmocka_unit_test(test_tls13_client_acks),
		cmocka_unit_test(test_cert_hook),
		cmocka_unit_test(test_long_chain_buffers),
		cmocka_unit_test(test_done_releases_buffers),
		cmocka_unit_test(test_alert_cap),
		cmocka_unit_test(test_alert_wire_order),
		cmocka_unit_test(test_alert_without_client_hello),
		cmocka_unit_test(test_client_hello_again),
		cmocka_unit_test(test_gap_and_resync),
		cmocka_unit_test(test_snaplen_cut),
		cmocka_unit_test(test_ssl2),
		cmocka_unit_test(test_pg_preamble),
		cmocka_unit_test(test_stop_by_sender),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
