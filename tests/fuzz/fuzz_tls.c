/*
 * fuzz_tls.c: the TLS stream parser (RFC 8446 5.1, RFC 5246 6.2) and the
 * per-connection facts, fed both sides of a connection in chunks the input
 * chooses; then every handshake message parser on the raw bytes.
 *
 * Input: one flags byte, then chunks of [ctl, len, len bytes]. ctl bit 0 is
 * the side (0 client, 1 server); bit 1 makes the chunk a gap of len + 1
 * bytes instead (its bytes are skipped); bit 2 feeds the chunk one byte at
 * a time. Each chunk is a new frame. Flags bit 0 ends the connection before
 * the last chunk, which must then change nothing; bit 1 allows preambles
 * (PostgreSQL SSLRequest, as on a tls port); bits 2 and 3 start the
 * client's and the server's stream mid-stream (the hunting state from the
 * first byte). Gaps, mid-stream starts and invalid headers after a whole record drive
 * the resynchronisation;
 * the message parsers are also run on the raw bytes: drafts' ServerHello
 * and HelloRetryRequest, the SSL 2.0 messages, and the plausibility
 * checks.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tls/tls_facts.h"
#include "tls_hs.h"
#include "tls_record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_buffers(const struct tls_facts *f)
{
	for (size_t i = 0; i < 2; i++) {
		const struct tls_rec_dir *d = &f->rec.dir[i];

		if (d->rec.len > d->rec.cap || d->rec.cap > TA_CAP_TLS_RECORD ||
		    d->hs.len > d->hs.cap || d->hs.cap > TA_CAP_TLS_HS)
			abort();
		if (d->stopped && (d->rec.len != 0 || d->hs.len != 0))
			abort();
		/* A hunting side holds nothing; a candidate is never hunted. */
		if (d->hunting && (d->rec.len != 0 || d->hs.len != 0 ||
		                   d->tentative))
			abort();
		/* Hunting needs lost bytes, or an invalid header after a
		 * whole record on a stream captured whole (astray). */
		if ((d->hunting || d->tentative) && !d->lost && !d->astray)
			abort();
		if (d->astray && d->records == 0)
			abort();
		if (d->skipped > d->offset || d->gap_bytes > d->offset)
			abort();
		/* Settled facts keep no buffer. */
		if (f->settled && (d->rec.p != NULL || d->hs.p != NULL))
			abort();
	}
	if (f->alert_count > TLS_FACTS_MAX_ALERTS)
		abort();
	if (f->handshake_complete && !f->server_hello_seen)
		abort();
	for (size_t i = 0; i < 2; i++) {
		const struct tls_facts_side *s = &f->side[i];

		/* A resynchronisation needs lost bytes or an invalid header;
		 * a sender's fault a stream without lost bytes. */
		if (s->resynced && s->gaps == 0 && !s->midstream &&
		    s->bad_headers == 0)
			abort();
		if (s->bad_header_resynced && !s->resynced)
			abort();
		if (s->bad_headers > 0 &&
		    (s->bad_header_reason != TLS_STOP_BAD_RECORD &&
		     s->bad_header_reason != TLS_STOP_RECORD_TOO_LONG))
			abort();
		if (s->stop_by_sender && (!s->stopped || s->stop == TLS_STOP_GAP ||
		                          s->stop == TLS_STOP_TRUNCATED ||
		                          s->stop == TLS_STOP_NO_BUFFER))
			abort();
		if (s->gap_stop_kept && (!s->resynced || s->stop != TLS_STOP_GAP))
			abort();
		if (s->cut_opaque > s->cut_count || s->resyncs < s->desyncs)
			abort();
	}
	for (uint8_t i = 0; i < f->alert_count && i < TLS_FACTS_MAX_ALERTS; i++)
		if (f->alerts[i].after_gap && f->side[f->alerts[i].from].gaps == 0 &&
		    !f->side[f->alerts[i].from].midstream)
			abort();
	if (f->tls_refused && !f->pg_request)
		abort();
	if (f->client_hello_again && f->client_hellos < 2)
		abort();
}

static void
feed_chunk(struct tls_facts *f, uint8_t ctl, const uint8_t *p, size_t n,
           ta_frame frame)
{
	enum tls_side side = (ctl & 1) ? TLS_SIDE_SERVER : TLS_SIDE_CLIENT;
	/* An exact-size copy, so that ASan sees any overread. */
	uint8_t *copy;

	if (ctl & 2) {
		tls_facts_gap(f, side, (uint64_t)n + 1, frame);
		return;
	}
	copy = malloc(n ? n : 1);
	if (copy == NULL)
		return;
	memcpy(copy, p, n);
	if (ctl & 4) {
		for (size_t i = 0; i < n; i++)
			tls_facts_data(f, side, copy + i, 1, frame);
	} else {
		tls_facts_data(f, side, copy, n, frame);
	}
	free(copy);
}

static void
stream(const uint8_t *data, size_t size)
{
	struct tls_facts f, before;
	size_t off = 1;
	ta_frame frame = 1;
	bool end_early = (data[0] & 1) != 0;

	tls_facts_init(&f);
	if (data[0] & 2)
		tls_facts_allow_preambles(&f);
	if (data[0] & 4)
		tls_facts_midstream(&f, TLS_SIDE_CLIENT, frame);
	if (data[0] & 8)
		tls_facts_midstream(&f, TLS_SIDE_SERVER, frame);
	while (off + 2 <= size) {
		uint8_t ctl = data[off];
		size_t n = data[off + 1];

		off += 2;
		if (n > size - off)
			n = size - off;
		if (end_early && off + n >= size) {
			tls_facts_end(&f, frame);
			before = f;
			feed_chunk(&f, ctl, data + off, n, frame + 1);
			/* After the end nothing is read. */
			if (before.alert_count != f.alert_count ||
			    before.side[0].bytes != f.side[0].bytes ||
			    before.side[1].bytes != f.side[1].bytes ||
			    before.side[0].stopped != f.side[0].stopped ||
			    before.side[1].stopped != f.side[1].stopped)
				abort();
		} else {
			feed_chunk(&f, ctl, data + off, n, frame);
		}
		check_buffers(&f);
		off += n;
		frame++;
	}
	tls_facts_end(&f, frame);
	check_buffers(&f);
	for (size_t i = 0; i < 2; i++)
		if (f.rec.dir[i].rec.p != NULL || f.rec.dir[i].hs.p != NULL)
			abort();
	tls_facts_free(&f);
}

static void
messages(const uint8_t *p, size_t n)
{
	struct tls_client_hello ch;
	struct tls_server_hello sh;
	struct tls_certificate cert;
	struct tls_cert_status cs;
	struct tls_server_key_exchange ske;
	struct tls_cert_request cr;
	struct ta_bytes body;
	size_t msg_len;
	uint8_t type;
	uint32_t spec;
	uint16_t code;
	uint8_t *copy = malloc(n ? n : 1);

	if (copy == NULL)
		return;
	memcpy(copy, p, n);
	if (tls_hs_split(copy, n, &type, &body, &msg_len) == DIS_OK &&
	    (msg_len > n || body.n + TLS_HS_HDR_LEN != msg_len))
		abort();
	/* What an OK result promises, whatever the bytes. */
	if (tls_hs_parse_client_hello(copy, n, &ch) == DIS_OK &&
	    (ch.ciphers.count > TLS_HS_MAX_CIPHERS || ch.exts.count > TLS_HS_MAX_EXTS ||
	     ch.alpn.count > TLS_HS_MAX_ALPN || ch.ciphers.count == 0 ||
	     ch.sni[TLS_HS_SNI_MAX] != 0))
		abort();
	if (tls_hs_parse_ssl2_client_hello(copy, n, &ch) == DIS_OK && !ch.sslv2)
		abort();
	if (tls_hs_parse_server_hello(copy, n, &sh) == DIS_OK &&
	    sh.version != (sh.selected_version ? sh.selected_version : sh.legacy_version))
		abort();
	for (int tls13 = 0; tls13 < 2; tls13++)
		if (tls_hs_parse_certificate(copy, n, tls13 != 0, &cert) == DIS_OK &&
		    (cert.total > n || cert.count > TLS_HS_MAX_CERTS))
			abort();
	if (tls_hs_parse_cert_status(copy, n, &cs) == DIS_OK && cs.response_len > n)
		abort();
	if (tls_hs_parse_server_key_exchange(copy, n, 0, &ske) != DIS_OK ||
	    tls_hs_parse_server_key_exchange(copy, n, TLS_V_TLS10, &ske) != DIS_OK ||
	    tls_hs_parse_server_key_exchange(copy, n, TLS_V_TLS12, &ske) != DIS_OK ||
	    ske.len != n)
		abort();
	if (tls_hs_parse_cert_request(copy, n, 0, &cr) == DIS_OK && cr.cert_types == 0)
		abort();
	if (tls_hs_parse_cert_request(copy, n, TLS_V_TLS11, &cr) == DIS_OK &&
	    cr.sig_algs != 0)
		abort();
	if (tls_hs_parse_server_hello(copy, n, &sh) == DIS_OK &&
	    sh.draft_layout != tls_hs_is_old_draft(sh.legacy_version))
		abort();
	if (tls_hs_parse_draft_hello_retry(copy, n, &sh) == DIS_OK &&
	    (!sh.hello_retry || !tls_hs_is_old_draft(sh.version)))
		abort();
	if (tls_hs_parse_ssl2_server_hello(copy, n, &sh, &cert) == DIS_OK &&
	    (!sh.sslv2 || cert.count > 1 || sh.ssl2_specs.count > TLS_HS_MAX_SSL2_SPECS ||
	     (cert.count == 1 && (cert.der[0].p < copy ||
	                          cert.der[0].p + cert.der[0].n > copy + n))))
		abort();
	if (tls_hs_parse_ssl2_client_master_key(copy, n, &spec) == DIS_OK &&
	    spec > 0xffffffu)
		abort();
	if (tls_hs_parse_ssl2_error(copy, n, &code) == DIS_OK && n != 3)
		abort();
	(void)tls_hs_plausible(copy, n, TLS_REC_HS_MAX);
	(void)tls_rec_plausible_start(copy, n);
	free(copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	stream(data, size);
	messages(data + 1, size - 1);
	return 0;
}
