/* test_tls_hs.c: TLS handshake message parsers (RFC 8446 4, RFC 5246 7.4, RFC 6066, RFC 7301, RFC 8701). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "tls_hs.h"
#include "tls_samples.h"

/* A small builder for handshake bodies: lengths are back-patched. */
struct bb {
	uint8_t b[8192];
	size_t n;
};

static void
put8(struct bb *b, unsigned v)
{
	assert_true(b->n < sizeof b->b);
	b->b[b->n++] = (uint8_t)v;
}

static void
put16(struct bb *b, unsigned v)
{
	put8(b, v >> 8);
	put8(b, v & 0xff);
}

static void
put24(struct bb *b, unsigned v)
{
	put8(b, v >> 16);
	put8(b, (v >> 8) & 0xff);
	put8(b, v & 0xff);
}

static void
putn(struct bb *b, const void *p, size_t n)
{
	assert_true(b->n + n <= sizeof b->b);
	memcpy(b->b + b->n, p, n);
	b->n += n;
}

static void
putfill(struct bb *b, uint8_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put8(b, v);
}

/* Start a vector with a width-byte length; returns where it starts. */
static size_t
open_vec(struct bb *b, unsigned width)
{
	size_t at = b->n;

	for (unsigned i = 0; i < width; i++)
		put8(b, 0);
	return at;
}

static void
close_vec(struct bb *b, size_t at, unsigned width)
{
	size_t len = b->n - at - width;

	for (unsigned i = 0; i < width; i++)
		b->b[at + i] = (uint8_t)(len >> (8 * (width - 1 - i)));
}

/* ClientHello fixed part: version, random, session id, suites, null comp. */
static void
ch_head(struct bb *b, const uint16_t *suites, size_t nsuites)
{
	size_t v;

	put16(b, 0x0303);
	putfill(b, 0x11, 32);
	put8(b, 32);
	putfill(b, 0x22, 32);
	v = open_vec(b, 2);
	for (size_t i = 0; i < nsuites; i++)
		put16(b, suites[i]);
	close_vec(b, v, 2);
	put8(b, 1);
	put8(b, 0);
}

static const uint16_t two_suites[] = {0x1301, 0xc02f};

static void
ext(struct bb *b, unsigned type, const uint8_t *data, size_t n)
{
	put16(b, type);
	put16(b, (unsigned)n);
	putn(b, data, n);
}

/* A ClientHello with the given extensions block contents. */
static void
ch_with_exts(struct bb *b, const struct bb *exts)
{
	size_t v;

	b->n = 0;
	ch_head(b, two_suites, TA_ELEMENTS(two_suites));
	v = open_vec(b, 2);
	putn(b, exts->b, exts->n);
	close_vec(b, v, 2);
}

/* The real ClientHello body of a sample: record header 5, message header 4. */
static struct ta_bytes
sample_body(size_t sample, unsigned side, uint8_t want_type)
{
	const uint8_t *s = tls_samples[sample].stream[side];
	struct ta_bytes body;
	size_t msg_len;
	uint8_t type;

	assert_int_equal(tls_hs_split(s + 5, tls_samples[sample].len[side] - 5,
	                              &type, &body, &msg_len), DIS_OK);
	assert_int_equal(type, want_type);
	return body;
}

static void
test_grease_rule(void **state)
{
	unsigned n = 0;

	(void)state;
	for (unsigned v = 0; v <= 0xffff; v++)
		if (tls_hs_is_grease((uint16_t)v))
			n++;
	assert_int_equal(n, 16);
	assert_true(tls_hs_is_grease(0x0a0a));
	assert_true(tls_hs_is_grease(0xfafa));
	assert_false(tls_hs_is_grease(0x0a1a));
	assert_false(tls_hs_is_grease(0x1301));
}

static void
test_real_client_hello_tls13(void **state)
{
	static const uint16_t exts[] = {0, 11, 10, 35, 22, 23, 13, 43, 45, 51};
	static const uint16_t versions[] = {0x0304, 0x0303, 0x0302, 0x0301};
	struct ta_bytes body = sample_body(SAMPLE_TLS13, 0, TLS_HS_CLIENT_HELLO);
	struct tls_client_hello ch;

	(void)state;
	assert_int_equal(tls_hs_parse_client_hello(body.p, body.n, &ch), DIS_OK);
	assert_false(ch.sslv2);
	assert_int_equal(ch.legacy_version, 0x0303);
	assert_int_equal(ch.session_id_len, 32);
	assert_int_equal(ch.ciphers.count, 31);
	assert_int_equal(ch.ciphers.dropped, 0);
	assert_int_equal(ch.ciphers.v[0], 0x1302);
	assert_int_equal(ch.ciphers.v[30], 0x00ff);
	assert_int_equal(ch.exts.count, TA_ELEMENTS(exts));
	for (size_t i = 0; i < TA_ELEMENTS(exts); i++)
		assert_int_equal(ch.exts.v[i], exts[i]);
	assert_true(ch.has_supported_versions);
	assert_int_equal(ch.versions.count, TA_ELEMENTS(versions));
	for (size_t i = 0; i < TA_ELEMENTS(versions); i++)
		assert_int_equal(ch.versions.v[i], versions[i]);
	assert_int_equal(ch.groups.count, 10);
	assert_int_equal(ch.groups.v[0], 0x001d);
	assert_int_equal(ch.sig_algs.count, 20);
	assert_int_equal(ch.key_shares.count, 1);
	assert_int_equal(ch.key_shares.v[0], 0x001d);
	assert_int_equal(ch.point_formats.count, 3);
	assert_int_equal(ch.point_formats.v[0], 0);
	assert_true(ch.has_sni);
	assert_int_equal(ch.sni_len, 17);
	assert_string_equal((const char *)ch.sni, "imap.example.test");
	assert_false(ch.has_alpn);
	assert_true(ch.session_ticket);
	assert_int_equal(ch.session_ticket_len, 0);
	assert_true(ch.encrypt_then_mac);
	assert_true(ch.extended_master_secret);
	assert_true(ch.psk_key_exchange_modes);
	assert_false(ch.pre_shared_key);
	assert_int_equal(ch.anomalies, 0);
	assert_int_equal(ch.bad_exts, 0);
}

static void
test_real_client_hello_tls10(void **state)
{
	struct ta_bytes body = sample_body(SAMPLE_TLS10, 0, TLS_HS_CLIENT_HELLO);
	struct tls_client_hello ch;

	(void)state;
	assert_int_equal(tls_hs_parse_client_hello(body.p, body.n, &ch), DIS_OK);
	assert_int_equal(ch.legacy_version, 0x0301);
	assert_false(ch.has_supported_versions);
	assert_int_equal(ch.versions.count, 0);
	assert_int_equal(ch.sig_algs.count, 0);
	assert_int_equal(ch.ciphers.count, 9);
	/* RFC 5746 signalling suite, not the extension */
	assert_int_equal(ch.ciphers.v[8], 0x00ff);
	assert_false(ch.renegotiation_info);
	assert_int_equal(ch.exts.count, 6);
	assert_int_equal(ch.exts.v[0], TLS_EXT_SERVER_NAME);
}

/* Every prefix of a valid ClientHello message: SHORT at the message
 * level; at the body level OK only where an extension-less hello ends. */
static void
test_client_hello_prefixes(void **state)
{
	const uint8_t *msg = tls_samples[SAMPLE_TLS13].stream[0] + 5;
	struct ta_bytes body = sample_body(SAMPLE_TLS13, 0, TLS_HS_CLIENT_HELLO);
	struct tls_client_hello ch;
	struct ta_bytes b2;
	size_t msg_len, oks = 0, ok_at = 0;
	uint8_t type;
	/* version 2, random 32, sid 1+32, suites 2+62, compression 1+1 */
	const size_t no_ext_end = 2 + 32 + 1 + 32 + 2 + 62 + 1 + 1;

	(void)state;
	for (size_t k = 0; k < body.n + 4; k++)
		assert_int_equal(tls_hs_split(msg, k, &type, &b2, &msg_len), DIS_SHORT);
	assert_int_equal(tls_hs_split(msg, body.n + 4, &type, &b2, &msg_len), DIS_OK);
	assert_int_equal(msg_len, body.n + 4);
	for (size_t k = 0; k < body.n; k++) {
		/* An exact-size copy, so that ASan sees any overread. */
		uint8_t *copy = malloc(k ? k : 1);
		enum dis_status st;

		assert_non_null(copy);
		memcpy(copy, body.p, k);
		st = tls_hs_parse_client_hello(copy, k, &ch);
		free(copy);
		if (st == DIS_OK) {
			oks++;
			ok_at = k;
			assert_false(ch.has_extensions);
		} else {
			assert_int_equal(st, DIS_MALFORMED);
		}
	}
	assert_int_equal(oks, 1);
	assert_int_equal(ok_at, no_ext_end);
}

static void
test_client_hello_no_extensions(void **state)
{
	struct bb b = {.n = 0};
	struct tls_client_hello ch;

	(void)state;
	ch_head(&b, two_suites, TA_ELEMENTS(two_suites));
	assert_int_equal(tls_hs_parse_client_hello(b.b, b.n, &ch), DIS_OK);
	assert_false(ch.has_extensions);
	assert_int_equal(ch.exts.count, 0);
	assert_int_equal(ch.ciphers.count, 2);
	assert_int_equal(ch.compression.count, 1);
	/* An empty extensions block is there, and empty. */
	put16(&b, 0);
	assert_int_equal(tls_hs_parse_client_hello(b.b, b.n, &ch), DIS_OK);
	assert_true(ch.has_extensions);
	assert_int_equal(ch.exts.count, 0);
}

/* Length fields one off in each direction, and empty vectors. */
static void
test_client_hello_lengths(void **state)
{
	struct bb e = {.n = 0}, b;
	struct tls_client_hello ch;
	static const uint8_t sv[] = {0x02, 0x03, 0x04};
	size_t suites_len_at = 2 + 32 + 1 + 32;
	size_t ext_len_at;

	(void)state;
	ext(&e, TLS_EXT_SUPPORTED_VERSIONS, sv, sizeof sv);
	ch_with_exts(&b, &e);
	assert_int_equal(tls_hs_parse_client_hello(b.b, b.n, &ch), DIS_OK);
	assert_int_equal(ch.versions.v[0], 0x0304);

	ext_len_at = suites_len_at + 2 + 4 + 2;
	for (int delta = -1; delta <= 1; delta += 2) {
		struct bb m = b;

		/* cipher_suites length */
		m.b[suites_len_at + 1] = (uint8_t)(m.b[suites_len_at + 1] + delta);
		assert_int_equal(tls_hs_parse_client_hello(m.b, m.n, &ch),
		                 DIS_MALFORMED);
		/* extensions length */
		m = b;
		m.b[ext_len_at + 1] = (uint8_t)(m.b[ext_len_at + 1] + delta);
		assert_int_equal(tls_hs_parse_client_hello(m.b, m.n, &ch),
		                 DIS_MALFORMED);
		/* one extension's length: overruns or leaves a stray byte */
		m = b;
		m.b[ext_len_at + 2 + 3] = (uint8_t)(m.b[ext_len_at + 2 + 3] + delta);
		assert_int_equal(tls_hs_parse_client_hello(m.b, m.n, &ch),
		                 DIS_MALFORMED);
		/* the inner supported_versions length: the extension is bad,
		 * the hello is still reported */
		m = b;
		m.b[ext_len_at + 2 + 4] = (uint8_t)(m.b[ext_len_at + 2 + 4] + delta);
		assert_int_equal(tls_hs_parse_client_hello(m.b, m.n, &ch), DIS_OK);
		assert_int_equal(ch.bad_exts, 1);
		assert_int_equal(ch.first_bad_ext, TLS_EXT_SUPPORTED_VERSIONS);
		assert_true(ch.anomalies & TLS_ANOM_BAD_EXT);
		assert_int_equal(ch.versions.count, 0);
	}
	/* session id longer than 32 */
	b.n = 0;
	put16(&b, 0x0303);
	putfill(&b, 0, 32);
	put8(&b, 33);
	putfill(&b, 0, 33);
	put16(&b, 2);
	put16(&b, 0x1301);
	put8(&b, 1);
	put8(&b, 0);
	assert_int_equal(tls_hs_parse_client_hello(b.b, b.n, &ch), DIS_MALFORMED);
	/* empty cipher suites, odd cipher suites, empty compression */
	b.n = 0;
	put16(&b, 0x0303);
	putfill(&b, 0, 32);
	put8(&b, 0);
	put16(&b, 0);
	put8(&b, 1);
	put8(&b, 0);
	assert_int_equal(tls_hs_parse_client_hello(b.b, b.n, &ch), DIS_MALFORMED);
	b.n = 0;
	put16(&b, 0x0303);
	putfill(&b, 0, 32);
	put8(&b, 0);
	put16(&b, 3);
	putfill(&b, 0x13, 3);
	put8(&b, 1);
	put8(&b, 0);
	assert_int_equal(tls_hs_parse_client_hello(b.b, b.n, &ch), DIS_MALFORMED);
	b.n = 0;
	put16(&b, 0x0303);
	putfill(&b, 0, 32);
	put8(&b, 0);
	put16(&b, 2);
	put16(&b, 0x1301);
	put8(&b, 0);
	assert_int_equal(tls_hs_parse_client_hello(b.b, b.n, &ch), DIS_MALFORMED);
	/* compression without null: reported, noted */
	b.n = 0;
	put16(&b, 0x0303);
	putfill(&b, 0, 32);
	put8(&b, 0);
	put16(&b, 2);
	put16(&b, 0x1301);
	put8(&b, 1);
	put8(&b, 1);
	assert_int_equal(tls_hs_parse_client_hello(b.b, b.n, &ch), DIS_OK);
	assert_true(ch.anomalies & TLS_ANOM_NO_NULL_COMP);
	/* a byte after the extensions */
	ch_with_exts(&b, &e);
	put8(&b, 0);
	assert_int_equal(tls_hs_parse_client_hello(b.b, b.n, &ch), DIS_MALFORMED);
}

/* Each interpreted extension: one valid body and invalid ones. */
struct ext_case {
	uint16_t type;
	uint8_t body[24];
	size_t n;
	bool valid;
};

static const struct ext_case ext_cases[] = {
	/* server_name */
	{0, {0, 6, 0, 0, 3, 'a', '.', 'b'}, 8, true},
	{0, {0}, 0, false},                                  /* empty: the SH form */
	{0, {0, 3, 0, 0, 0}, 5, false},                      /* empty host_name */
	{0, {0, 7, 0, 0, 3, 'a', '.', 'b'}, 8, false},       /* list overruns */
	{0, {0, 5, 0, 0, 3, 'a', '.', 'b'}, 8, false},       /* stray bytes */
	{0, {0, 0}, 2, false},                               /* empty list */
	/* supported_versions */
	{43, {4, 3, 4, 3, 3}, 5, true},
	{43, {0}, 1, false},
	{43, {3, 3, 4, 3}, 4, false},
	{43, {2, 3, 4, 0}, 4, false},
	/* supported_groups */
	{10, {0, 4, 0, 0x1d, 0, 0x17}, 6, true},
	{10, {0, 0}, 2, false},
	{10, {0, 3, 0, 0x1d, 0}, 5, false},
	/* ec_point_formats */
	{11, {1, 0}, 2, true},
	{11, {0}, 1, false},
	{11, {2, 0}, 2, false},
	/* signature_algorithms */
	{13, {0, 2, 8, 4}, 4, true},
	{13, {0, 0}, 2, false},
	{13, {0, 1, 8}, 3, false},
	/* ALPN */
	{16, {0, 5, 4, 'i', 'm', 'a', 'p'}, 7, true},
	{16, {0, 0}, 2, false},
	{16, {0, 1, 0}, 3, false},                           /* empty name */
	{16, {0, 5, 5, 'i', 'm', 'a', 'p'}, 7, false},
	/* key_share */
	{51, {0, 6, 0, 0x1d, 0, 2, 0xaa, 0xbb}, 8, true},
	{51, {0, 0}, 2, true},                               /* empty: asks for an HRR */
	{51, {0, 4, 0, 0x1d, 0, 0}, 6, false},               /* empty key */
	{51, {0, 6, 0, 0x1d, 0, 3, 0xaa, 0xbb}, 8, false},
	/* renegotiation_info */
	{0xff01, {0}, 1, true},
	{0xff01, {1}, 1, false},
	{0xff01, {0}, 0, false},
	/* extended_master_secret, encrypt_then_mac, post_handshake_auth, early_data */
	{23, {0}, 0, true},
	{23, {0}, 1, false},
	{22, {0}, 0, true},
	{22, {0}, 1, false},
	{49, {0}, 0, true},
	{49, {0}, 1, false},
	{42, {0}, 0, true},
	{42, {0}, 1, false},
	/* session_ticket: any bytes */
	{35, {1, 2, 3}, 3, true},
	/* pre_shared_key: one identity, one 32-byte binder */
	{41, {0, 7, 0, 1, 'x', 0, 0, 0, 1, 0, 33, 32}, 12, false}, /* binder cut */
	/* psk_key_exchange_modes */
	{45, {1, 1}, 2, true},
	{45, {0}, 1, false},
	/* status_request */
	{5, {1, 0, 0, 0, 0}, 5, true},
	{5, {1, 0, 0}, 3, false},
	{5, {1, 0, 0, 0, 0, 0}, 6, false},
	{5, {7, 1, 2}, 3, true},                             /* unknown type: opaque */
	/* padding */
	{21, {0, 0, 0, 0}, 4, true},
	/* record_size_limit */
	{28, {0x40, 0x01}, 2, true},
	{28, {0, 63}, 2, false},
	{28, {0x40}, 1, false},
	/* compress_certificate */
	{27, {2, 0, 1}, 3, true},
	{27, {1, 0}, 2, false},
	/* encrypted_client_hello: presence only */
	{0xfe0d, {0, 1, 2}, 3, true},
	/* cookie */
	{44, {0, 1, 9}, 3, true},
	{44, {0, 0}, 2, false},
	/* max_fragment_length */
	{1, {2}, 1, true},
	{1, {5}, 1, false},
	/* unknown: kept by number, not judged */
	{0x4469, {0xde, 0xad}, 2, true},
};

static void
test_client_hello_extensions(void **state)
{
	(void)state;
	for (size_t i = 0; i < TA_ELEMENTS(ext_cases); i++) {
		const struct ext_case *c = &ext_cases[i];
		struct bb e = {.n = 0}, b;
		struct tls_client_hello ch;

		ext(&e, c->type, c->body, c->n);
		ch_with_exts(&b, &e);
		assert_int_equal(tls_hs_parse_client_hello(b.b, b.n, &ch), DIS_OK);
		assert_int_equal(ch.exts.count, 1);
		assert_int_equal(ch.exts.v[0], c->type);
		if (c->valid) {
			assert_int_equal(ch.bad_exts, 0);
			assert_false(ch.anomalies & TLS_ANOM_BAD_EXT);
		} else {
			assert_int_equal(ch.bad_exts, 1);
			assert_int_equal(ch.first_bad_ext, c->type);
			assert_true(ch.anomalies & TLS_ANOM_BAD_EXT);
		}
	}
}

static void
test_client_hello_extension_values(void **state)
{
	static const uint8_t sni[] = {0, 19, 0, 0, 4, 'a', '.', 'b', 'c', 0, 0, 4,
	                              'x', '.', 'y', 'z', 7, 0, 2, 'q', 'q'};
	static const uint8_t alpn[] = {0, 14, 4, 'i', 'm', 'a', 'p', 8, 'h', 't', 't',
	                               'p', '/', '1', '.', '1'};
	static const uint8_t ks[] = {0, 10, 0x11, 0xec, 0, 1, 0xaa, 0, 0x1d, 0, 1, 0xbb};
	static const uint8_t pad[] = {0, 0, 1};
	static const uint8_t rsl[] = {0x40, 0x01};
	static const uint8_t cc[] = {4, 0, 2, 0, 1};
	static const uint8_t psk[] = {0, 7, 0, 1, 'x', 0, 0, 0, 1, 0, 33, 32,
	                              1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
	                              17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29,
	                              30, 31, 32};
	static const uint8_t empty[1] = {0};
	struct bb e = {.n = 0}, b;
	struct tls_client_hello ch;

	(void)state;
	ext(&e, TLS_EXT_SERVER_NAME, sni, sizeof sni);
	ext(&e, TLS_EXT_ALPN, alpn, sizeof alpn);
	ext(&e, TLS_EXT_KEY_SHARE, ks, sizeof ks);
	ext(&e, TLS_EXT_PADDING, pad, sizeof pad);
	ext(&e, TLS_EXT_RECORD_SIZE_LIMIT, rsl, sizeof rsl);
	ext(&e, TLS_EXT_COMPRESS_CERTIFICATE, cc, sizeof cc);
	ext(&e, TLS_EXT_ENCRYPTED_CLIENT_HELLO, empty, 0);
	ext(&e, TLS_EXT_EARLY_DATA, empty, 0);
	ext(&e, TLS_EXT_PRE_SHARED_KEY, psk, sizeof psk);
	ch_with_exts(&b, &e);
	assert_int_equal(tls_hs_parse_client_hello(b.b, b.n, &ch), DIS_OK);
	assert_int_equal(ch.bad_exts, 0);
	/* the first host_name is kept; the second is an anomaly; type 7 is skipped */
	assert_true(ch.has_sni);
	assert_int_equal(ch.sni_len, 4);
	assert_memory_equal(ch.sni, "a.bc", 4);
	assert_true(ch.anomalies & TLS_ANOM_SNI_MULTI);
	assert_int_equal(ch.alpn.count, 2);
	assert_int_equal(ch.alpn.name[0].len, 4);
	assert_memory_equal(ch.alpn.name[0].v, "imap", 4);
	assert_int_equal(ch.alpn.name[0].last, 'p');
	assert_int_equal(ch.alpn.name[1].len, 8);
	assert_int_equal(ch.alpn.name[1].last, '1');
	assert_int_equal(ch.key_shares.count, 2);
	assert_int_equal(ch.key_shares.v[0], 0x11ec);
	assert_int_equal(ch.key_shares.v[1], 0x001d);
	assert_true(ch.padding);
	assert_int_equal(ch.padding_len, 3);
	assert_true(ch.anomalies & TLS_ANOM_PADDING_NONZERO);
	assert_true(ch.record_size_limit);
	assert_int_equal(ch.record_size_limit_value, 0x4001);
	assert_int_equal(ch.cert_compress.count, 2);
	assert_int_equal(ch.cert_compress.v[1], 1);
	assert_true(ch.encrypted_client_hello);
	assert_true(ch.early_data);
	assert_true(ch.pre_shared_key);
	assert_false(ch.anomalies & TLS_ANOM_PSK_NOT_LAST);

	/* pre_shared_key not last */
	e.n = 0;
	ext(&e, TLS_EXT_PRE_SHARED_KEY, psk, sizeof psk);
	ext(&e, TLS_EXT_EARLY_DATA, empty, 0);
	ch_with_exts(&b, &e);
	assert_int_equal(tls_hs_parse_client_hello(b.b, b.n, &ch), DIS_OK);
	assert_true(ch.anomalies & TLS_ANOM_PSK_NOT_LAST);
}

static void
test_client_hello_duplicates(void **state)
{
	static const uint8_t sni1[] = {0, 4, 0, 0, 1, 'a'};
	static const uint8_t sni2[] = {0, 4, 0, 0, 1, 'b'};
	static const uint8_t empty[1] = {0};
	struct bb e = {.n = 0}, b;
	struct tls_client_hello ch;

	(void)state;
	ext(&e, TLS_EXT_SERVER_NAME, sni1, sizeof sni1);
	ext(&e, TLS_EXT_EXTENDED_MASTER_SECRET, empty, 0);
	ext(&e, TLS_EXT_SERVER_NAME, sni2, sizeof sni2);
	ch_with_exts(&b, &e);
	assert_int_equal(tls_hs_parse_client_hello(b.b, b.n, &ch), DIS_OK);
	assert_true(ch.anomalies & TLS_ANOM_DUP_EXT);
	assert_int_equal(ch.dup_exts, 1);
	assert_int_equal(ch.exts.count, 3);
	assert_int_equal(ch.exts.v[2], TLS_EXT_SERVER_NAME);
	assert_int_equal(ch.sni[0], 'a');
	assert_int_equal(ch.sni_len, 1);
}

/* Duplicates of a high type, and of types that arrive past the list's
 * capacity: only a kept type counts as seen before. */
static void
test_client_hello_duplicates_past_capacity(void **state)
{
	static const uint8_t ri[] = {0};
	static const uint8_t empty[1] = {0};
	struct bb e = {.n = 0}, b;
	struct tls_client_hello ch;

	(void)state;
	ext(&e, TLS_EXT_RENEGOTIATION_INFO, ri, sizeof ri);
	ext(&e, TLS_EXT_RENEGOTIATION_INFO, ri, sizeof ri);
	ch_with_exts(&b, &e);
	assert_int_equal(tls_hs_parse_client_hello(b.b, b.n, &ch), DIS_OK);
	assert_int_equal(ch.dup_exts, 1);
	assert_true(ch.anomalies & TLS_ANOM_DUP_EXT);

	/* 47 distinct high types, then 60 (kept, the 48th), 61 (dropped),
	 * then 60 and 61 again: 60 is a duplicate, 61 is not. */
	e.n = 0;
	for (unsigned i = 0; i < TLS_HS_MAX_EXTS - 1; i++)
		ext(&e, 0x1000 + i, empty, 0);
	ext(&e, 60, empty, 0);
	ext(&e, 61, empty, 0);
	ext(&e, 60, empty, 0);
	ext(&e, 61, empty, 0);
	ch_with_exts(&b, &e);
	assert_int_equal(tls_hs_parse_client_hello(b.b, b.n, &ch), DIS_OK);
	assert_int_equal(ch.exts.count, TLS_HS_MAX_EXTS);
	assert_int_equal(ch.exts.v[TLS_HS_MAX_EXTS - 1], 60);
	assert_int_equal(ch.exts.dropped, 3);
	assert_int_equal(ch.dup_exts, 1);
}

/* Padding: zeros of any length are clean, one other byte anywhere is
 * noted. */
static void
test_client_hello_padding(void **state)
{
	uint8_t pad[517];
	struct bb e = {.n = 0}, b;
	struct tls_client_hello ch;
	static const size_t bad_at[] = {0, 1, 255, 516};

	(void)state;
	memset(pad, 0, sizeof pad);
	ext(&e, TLS_EXT_PADDING, pad, sizeof pad);
	ch_with_exts(&b, &e);
	assert_int_equal(tls_hs_parse_client_hello(b.b, b.n, &ch), DIS_OK);
	assert_true(ch.padding);
	assert_int_equal(ch.padding_len, sizeof pad);
	assert_false(ch.anomalies & TLS_ANOM_PADDING_NONZERO);
	e.n = 0;
	ext(&e, TLS_EXT_PADDING, pad, 0);
	ch_with_exts(&b, &e);
	assert_int_equal(tls_hs_parse_client_hello(b.b, b.n, &ch), DIS_OK);
	assert_true(ch.padding);
	assert_false(ch.anomalies & TLS_ANOM_PADDING_NONZERO);
	for (size_t i = 0; i < TA_ELEMENTS(bad_at); i++) {
		memset(pad, 0, sizeof pad);
		pad[bad_at[i]] = 0x80;
		e.n = 0;
		ext(&e, TLS_EXT_PADDING, pad, sizeof pad);
		ch_with_exts(&b, &e);
		assert_int_equal(tls_hs_parse_client_hello(b.b, b.n, &ch), DIS_OK);
		assert_true(ch.anomalies & TLS_ANOM_PADDING_NONZERO);
	}
}

static void
test_client_hello_grease(void **state)
{
	static const uint16_t suites[] = {0x2a2a, 0x1301, 0x1302};
	static const uint8_t sv[] = {6, 0x7a, 0x7a, 3, 4, 3, 3};
	static const uint8_t groups[] = {0, 4, 0xba, 0xba, 0, 0x1d};
	static const uint8_t empty[1] = {0};
	struct bb e = {.n = 0}, b = {.n = 0};
	struct tls_client_hello ch;
	size_t v;

	(void)state;
	ext(&e, 0x0a0a, empty, 0);
	ext(&e, TLS_EXT_SUPPORTED_VERSIONS, sv, sizeof sv);
	ext(&e, TLS_EXT_SUPPORTED_GROUPS, groups, sizeof groups);
	ext(&e, 0xfafa, empty, 1);
	ch_head(&b, suites, TA_ELEMENTS(suites));
	v = open_vec(&b, 2);
	putn(&b, e.b, e.n);
	close_vec(&b, v, 2);
	assert_int_equal(tls_hs_parse_client_hello(b.b, b.n, &ch), DIS_OK);
	assert_true(ch.anomalies & TLS_ANOM_GREASE);
	/* kept in wire order, GREASE included */
	assert_int_equal(ch.ciphers.count, 3);
	assert_int_equal(ch.ciphers.v[0], 0x2a2a);
	assert_true(tls_hs_is_grease(ch.ciphers.v[0]));
	assert_false(tls_hs_is_grease(ch.ciphers.v[1]));
	assert_int_equal(ch.exts.count, 4);
	assert_int_equal(ch.exts.v[0], 0x0a0a);
	assert_int_equal(ch.exts.v[3], 0xfafa);
	assert_int_equal(ch.versions.count, 3);
	assert_int_equal(ch.versions.v[0], 0x7a7a);
	assert_int_equal(ch.groups.v[0], 0xbaba);
	assert_int_equal(ch.bad_exts, 0);
}

static void
test_client_hello_capacities(void **state)
{
	uint16_t suites[TLS_HS_MAX_CIPHERS + 2];
	struct bb e = {.n = 0}, b = {.n = 0}, a = {.n = 0}, s = {.n = 0};
	struct tls_client_hello ch;
	size_t v, list;

	(void)state;
	for (size_t i = 0; i < TA_ELEMENTS(suites); i++)
		suites[i] = (uint16_t)(0x0100 + i);
	/* 10 ALPN names, the first 40 bytes long */
	list = open_vec(&a, 2);
	put8(&a, 40);
	for (unsigned i = 0; i < 40; i++)
		put8(&a, 'a' + i % 26);
	for (unsigned i = 0; i < 9; i++) {
		put8(&a, 2);
		put8(&a, 'h');
		put8(&a, '0' + i);
	}
	close_vec(&a, list, 2);
	ext(&e, TLS_EXT_ALPN, a.b, a.n);
	/* a 300-byte host name */
	list = open_vec(&s, 2);
	put8(&s, 0);
	put16(&s, 300);
	putfill(&s, 'x', 299);
	put8(&s, 'y');
	close_vec(&s, list, 2);
	ext(&e, TLS_EXT_SERVER_NAME, s.b, s.n);
	ch_head(&b, suites, TA_ELEMENTS(suites));
	v = open_vec(&b, 2);
	putn(&b, e.b, e.n);
	close_vec(&b, v, 2);
	assert_int_equal(tls_hs_parse_client_hello(b.b, b.n, &ch), DIS_OK);
	assert_int_equal(ch.ciphers.count, TLS_HS_MAX_CIPHERS);
	assert_int_equal(ch.ciphers.dropped, 2);
	assert_int_equal(ch.ciphers.v[TLS_HS_MAX_CIPHERS - 1],
	                 0x0100 + TLS_HS_MAX_CIPHERS - 1);
	assert_true(ch.anomalies & TLS_ANOM_DROPPED);
	assert_int_equal(ch.alpn.count, TLS_HS_MAX_ALPN);
	assert_int_equal(ch.alpn.dropped, 2);
	assert_int_equal(ch.alpn.name[0].len, 40);
	assert_int_equal(ch.alpn.name[0].v[TLS_HS_ALPN_NAME_MAX - 1],
	                 'a' + (TLS_HS_ALPN_NAME_MAX - 1) % 26);
	assert_int_equal(ch.alpn.name[0].last, 'a' + 39 % 26);
	assert_int_equal(ch.sni_len, 300);
	assert_int_equal(ch.sni[TLS_HS_SNI_MAX - 1], 'x');
	assert_int_equal(ch.sni[TLS_HS_SNI_MAX], 0);
}

static void
test_ssl2_client_hello(void **state)
{
	static const uint8_t hello[] = {
		0x01, 0x03, 0x01, 0x00, 0x0c, 0x00, 0x00, 0x00, 0x10,
		0x00, 0x00, 0x2f, 0x00, 0x00, 0x35, 0x07, 0x00, 0xc0, 0x00, 0x00, 0xff,
		1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
	};
	struct tls_client_hello ch;
	uint8_t m[sizeof hello + 1];

	(void)state;
	assert_int_equal(tls_hs_parse_ssl2_client_hello(hello, sizeof hello, &ch),
	                 DIS_OK);
	assert_true(ch.sslv2);
	assert_int_equal(ch.record_version, TLS_V_SSL2);
	assert_int_equal(ch.legacy_version, 0x0301);
	assert_int_equal(ch.ciphers.count, 3);
	assert_int_equal(ch.ciphers.v[0], 0x002f);
	assert_int_equal(ch.ciphers.v[1], 0x0035);
	assert_int_equal(ch.ciphers.v[2], 0x00ff);
	assert_int_equal(ch.ssl2_specs.count, 1);
	assert_int_equal(ch.ssl2_specs.v[0], 0x0700c0);
	assert_int_equal(ch.random[0], 0);
	assert_int_equal(ch.random[15], 0);
	assert_int_equal(ch.random[16], 1);
	assert_int_equal(ch.random[31], 16);
	assert_false(ch.has_extensions);

	/* spec length not a multiple of 3 */
	memcpy(m, hello, sizeof hello);
	m[4] = 0x0b;
	assert_int_equal(tls_hs_parse_ssl2_client_hello(m, sizeof hello, &ch),
	                 DIS_MALFORMED);
	/* challenge 15 bytes */
	memcpy(m, hello, sizeof hello);
	m[8] = 15;
	assert_int_equal(tls_hs_parse_ssl2_client_hello(m, sizeof hello - 1, &ch),
	                 DIS_MALFORMED);
	/* a byte too many, a byte too few */
	memcpy(m, hello, sizeof hello);
	m[sizeof hello] = 0;
	assert_int_equal(tls_hs_parse_ssl2_client_hello(m, sizeof m, &ch),
	                 DIS_MALFORMED);
	assert_int_equal(tls_hs_parse_ssl2_client_hello(m, sizeof hello - 1, &ch),
	                 DIS_MALFORMED);
	/* not a CLIENT-HELLO */
	m[0] = 4;
	assert_int_equal(tls_hs_parse_ssl2_client_hello(m, sizeof hello, &ch),
	                 DIS_MALFORMED);
}

static void
test_server_hello_real(void **state)
{
	struct ta_bytes body = sample_body(SAMPLE_TLS13, 1, TLS_HS_SERVER_HELLO);
	struct tls_server_hello sh;

	(void)state;
	assert_int_equal(tls_hs_parse_server_hello(body.p, body.n, &sh), DIS_OK);
	assert_int_equal(sh.legacy_version, 0x0303);
	assert_int_equal(sh.selected_version, 0x0304);
	assert_int_equal(sh.version, 0x0304);
	assert_false(sh.hello_retry);
	assert_int_equal(sh.cipher, 0x1302);
	assert_int_equal(sh.exts.count, 2);
	assert_true(sh.has_key_share);
	assert_int_equal(sh.key_share_group, 0x001d);
	assert_int_equal(sh.anomalies, 0);

	/* TLS 1.2 from a 1.3-capable server: the downgrade sentinel */
	body = sample_body(SAMPLE_TLS12, 1, TLS_HS_SERVER_HELLO);
	assert_int_equal(tls_hs_parse_server_hello(body.p, body.n, &sh), DIS_OK);
	assert_int_equal(sh.version, 0x0303);
	assert_int_equal(sh.selected_version, 0);
	assert_int_equal(sh.cipher, 0xc02f);
	assert_true(sh.anomalies & TLS_ANOM_DOWNGRADE);
	assert_true(sh.renegotiation_info);
	assert_true(sh.extended_master_secret);

	/* HelloRetryRequest */
	body = sample_body(SAMPLE_HRR, 1, TLS_HS_SERVER_HELLO);
	assert_int_equal(tls_hs_parse_server_hello(body.p, body.n, &sh), DIS_OK);
	assert_true(sh.hello_retry);
	assert_int_equal(sh.version, 0x0304);
	assert_int_equal(sh.key_share_group, 0x0017);
	assert_int_equal(sh.bad_exts, 0);
}

static void
sh_build(struct bb *b, const uint8_t *random, const struct bb *exts)
{
	size_t v;

	b->n = 0;
	put16(b, 0x0303);
	putn(b, random, 32);
	put8(b, 0);
	put16(b, 0x1301);
	put8(b, 0);
	if (exts != NULL) {
		v = open_vec(b, 2);
		putn(b, exts->b, exts->n);
		close_vec(b, v, 2);
	}
}

static void
test_server_hello_built(void **state)
{
	const uint8_t *hrr = sample_body(SAMPLE_HRR, 1, TLS_HS_SERVER_HELLO).p + 2;
	uint8_t random[32];
	static const uint8_t sv[] = {3, 4};
	static const uint8_t ks_hrr[] = {0, 0x17};
	static const uint8_t ks_full[] = {0, 0x17, 0, 1, 0xaa};
	static const uint8_t alpn1[] = {0, 5, 4, 'i', 'm', 'a', 'p'};
	static const uint8_t alpn2[] = {0, 6, 1, 'a', 3, 'b', 'c', 'd'};
	static const uint8_t sni_nonempty[] = {0, 0};
	static const uint8_t sigalgs[] = {0, 2, 8, 4};
	static const uint8_t psk[] = {0, 0};
	struct bb e = {.n = 0}, b;
	struct tls_server_hello sh;

	(void)state;
	memset(random, 0x5a, sizeof random);
	/* no extensions at all (TLS 1.0 style) */
	sh_build(&b, random, NULL);
	assert_int_equal(tls_hs_parse_server_hello(b.b, b.n, &sh), DIS_OK);
	assert_false(sh.has_extensions);
	assert_int_equal(sh.version, 0x0303);
	/* ALPN with one name, SNI ack, PSK selected */
	ext(&e, TLS_EXT_SUPPORTED_VERSIONS, sv, sizeof sv);
	ext(&e, TLS_EXT_ALPN, alpn1, sizeof alpn1);
	ext(&e, TLS_EXT_SERVER_NAME, sv, 0);
	ext(&e, TLS_EXT_PRE_SHARED_KEY, psk, sizeof psk);
	sh_build(&b, random, &e);
	assert_int_equal(tls_hs_parse_server_hello(b.b, b.n, &sh), DIS_OK);
	assert_int_equal(sh.bad_exts, 0);
	assert_int_equal(sh.version, 0x0304);
	assert_int_equal(sh.alpn.count, 1);
	assert_memory_equal(sh.alpn.name[0].v, "imap", 4);
	assert_true(sh.server_name);
	assert_true(sh.pre_shared_key);
	/* ALPN with two names, non-empty SNI, client-only extension */
	e.n = 0;
	ext(&e, TLS_EXT_ALPN, alpn2, sizeof alpn2);
	ext(&e, TLS_EXT_SERVER_NAME, sni_nonempty, sizeof sni_nonempty);
	ext(&e, TLS_EXT_SIGNATURE_ALGORITHMS, sigalgs, sizeof sigalgs);
	ext(&e, TLS_EXT_ALPN, alpn1, sizeof alpn1);
	sh_build(&b, random, &e);
	assert_int_equal(tls_hs_parse_server_hello(b.b, b.n, &sh), DIS_OK);
	assert_int_equal(sh.bad_exts, 2);
	assert_int_equal(sh.first_bad_ext, TLS_EXT_ALPN);
	assert_true(sh.anomalies & TLS_ANOM_EXT_UNEXPECTED);
	assert_true(sh.anomalies & TLS_ANOM_DUP_EXT);
	assert_int_equal(sh.exts.count, 4);
	/* HRR: key_share is a bare group; a key in it is wrong */
	e.n = 0;
	ext(&e, TLS_EXT_KEY_SHARE, ks_hrr, sizeof ks_hrr);
	sh_build(&b, hrr, &e);
	assert_int_equal(tls_hs_parse_server_hello(b.b, b.n, &sh), DIS_OK);
	assert_true(sh.hello_retry);
	assert_int_equal(sh.key_share_group, 0x17);
	assert_int_equal(sh.bad_exts, 0);
	e.n = 0;
	ext(&e, TLS_EXT_KEY_SHARE, ks_full, sizeof ks_full);
	sh_build(&b, hrr, &e);
	assert_int_equal(tls_hs_parse_server_hello(b.b, b.n, &sh), DIS_OK);
	assert_int_equal(sh.bad_exts, 1);
	/* the same key share in a real ServerHello is right */
	sh_build(&b, random, &e);
	assert_int_equal(tls_hs_parse_server_hello(b.b, b.n, &sh), DIS_OK);
	assert_false(sh.hello_retry);
	assert_int_equal(sh.bad_exts, 0);
	/* compression chosen; a session id of 33 */
	sh_build(&b, random, NULL);
	b.b[b.n - 1] = 1;
	assert_int_equal(tls_hs_parse_server_hello(b.b, b.n, &sh), DIS_OK);
	assert_true(sh.anomalies & TLS_ANOM_COMPRESSION);
	sh_build(&b, random, NULL);
	b.b[34] = 33;
	assert_int_equal(tls_hs_parse_server_hello(b.b, b.n, &sh), DIS_MALFORMED);
}

static void
test_server_hello_prefixes(void **state)
{
	struct ta_bytes body = sample_body(SAMPLE_TLS12, 1, TLS_HS_SERVER_HELLO);
	struct tls_server_hello sh;
	size_t oks = 0;

	(void)state;
	for (size_t k = 0; k < body.n; k++) {
		uint8_t *copy = malloc(k ? k : 1);
		enum dis_status st;

		assert_non_null(copy);
		memcpy(copy, body.p, k);
		st = tls_hs_parse_server_hello(copy, k, &sh);
		free(copy);
		if (st == DIS_OK)
			oks++;
	}
	/* Only the extension-less cut: version, random, sid, suite, comp. */
	assert_int_equal(oks, 1);
}

/* A ServerHello of a TLS 1.3 draft before 22 (draft-ietf-tls-tls13-18
 * 4.1.3): version, random, cipher_suite, extensions. */
static void
draft_server_hello(struct bb *b, uint16_t version)
{
	size_t exts, e, ks;

	b->n = 0;
	put16(b, version);
	putfill(b, 0x33, 32);
	put16(b, 0x1302);
	exts = open_vec(b, 2);
	put16(b, TLS_EXT_KEY_SHARE);
	e = open_vec(b, 2);
	put16(b, 0x001d);
	ks = open_vec(b, 2);
	putfill(b, 0x44, 32);
	close_vec(b, ks, 2);
	close_vec(b, e, 2);
	close_vec(b, exts, 2);
}

static void
test_draft_server_hello(void **state)
{
	struct tls_server_hello sh;
	struct bb b;

	(void)state;
	draft_server_hello(&b, TLS_V_DRAFT(19));
	assert_int_equal(tls_hs_parse_server_hello(b.b, b.n, &sh), DIS_OK);
	assert_true(sh.draft_layout);
	assert_int_equal(sh.version, 0x7f13);
	assert_int_equal(sh.legacy_version, 0x7f13);
	assert_int_equal(sh.cipher, 0x1302);
	assert_int_equal(sh.session_id_len, 0);
	assert_false(sh.hello_retry);
	assert_true(sh.has_key_share);
	assert_int_equal(sh.key_share_group, 0x001d);
	assert_int_equal(sh.exts.count, 1);
	/* draft 14 (Chrome 55's 0x7f0e) and 21 have the same layout */
	draft_server_hello(&b, TLS_V_DRAFT(14));
	assert_int_equal(tls_hs_parse_server_hello(b.b, b.n, &sh), DIS_OK);
	assert_int_equal(sh.version, 0x7f0e);
	draft_server_hello(&b, TLS_V_DRAFT(21));
	assert_int_equal(tls_hs_parse_server_hello(b.b, b.n, &sh), DIS_OK);
	assert_true(sh.draft_layout);
	/* the same bytes with a TLS 1.2 version are read in the RFC layout,
	 * where they do not fit; from draft 22 on too */
	draft_server_hello(&b, 0x0303);
	assert_int_not_equal(tls_hs_parse_server_hello(b.b, b.n, &sh), DIS_OK);
	draft_server_hello(&b, TLS_V_DRAFT(22));
	assert_int_not_equal(tls_hs_parse_server_hello(b.b, b.n, &sh), DIS_OK);
	/* every cut of a draft ServerHello: only the one that ends before
	 * the extensions is a hello */
	draft_server_hello(&b, TLS_V_DRAFT(18));
	for (size_t k = 0; k < b.n; k++)
		assert_int_equal(tls_hs_parse_server_hello(b.b, k, &sh),
		                 k == 36 ? DIS_OK : DIS_MALFORMED);
	/* one byte too many */
	b.b[b.n++] = 0;
	assert_int_equal(tls_hs_parse_server_hello(b.b, b.n, &sh), DIS_MALFORMED);
}

/* From draft 22 on, the RFC 8446 layout with supported_versions. */
static void
test_draft22_server_hello(void **state)
{
	static const uint8_t sv_draft22[] = {0x7f, 0x16};
	static const uint8_t sv_google[] = {0x7e, 0x01};
	static const uint8_t sv_fb[] = {0xfb, 0x1a};
	const uint8_t *svs[] = {sv_draft22, sv_google, sv_fb};
	const uint16_t want[] = {0x7f16, 0x7e01, 0xfb1a};
	struct tls_server_hello sh;
	struct bb b;
	size_t exts;

	(void)state;
	for (size_t i = 0; i < TA_ELEMENTS(svs); i++) {
		b.n = 0;
		put16(&b, 0x0303);
		putfill(&b, 0x33, 32);
		put8(&b, 0);
		put16(&b, 0x1301);
		put8(&b, 0);
		exts = open_vec(&b, 2);
		ext(&b, TLS_EXT_SUPPORTED_VERSIONS, svs[i], 2);
		close_vec(&b, exts, 2);
		assert_int_equal(tls_hs_parse_server_hello(b.b, b.n, &sh), DIS_OK);
		assert_false(sh.draft_layout);
		assert_int_equal(sh.version, want[i]);
		assert_int_equal(sh.legacy_version, 0x0303);
	}
}

/* hello_retry_request(6) of drafts 18 to 21. */
static void
test_draft_hello_retry(void **state)
{
	static const uint8_t group[] = {0x00, 0x17};
	struct tls_server_hello sh;
	struct bb b;
	size_t exts;

	(void)state;
	/* draft 19: version, cipher_suite, extensions */
	b.n = 0;
	put16(&b, TLS_V_DRAFT(19));
	put16(&b, 0x1301);
	exts = open_vec(&b, 2);
	ext(&b, TLS_EXT_KEY_SHARE, group, sizeof group);
	close_vec(&b, exts, 2);
	assert_int_equal(tls_hs_parse_draft_hello_retry(b.b, b.n, &sh), DIS_OK);
	assert_true(sh.hello_retry);
	assert_true(sh.draft_layout);
	assert_int_equal(sh.version, 0x7f13);
	assert_int_equal(sh.cipher, 0x1301);
	assert_int_equal(sh.key_share_group, 0x0017);
	/* draft 18 had no cipher_suite: these bytes do not fit it */
	b.b[1] = 0x12;
	assert_int_equal(tls_hs_parse_draft_hello_retry(b.b, b.n, &sh),
	                 DIS_MALFORMED);
	b.n = 0;
	put16(&b, TLS_V_DRAFT(18));
	exts = open_vec(&b, 2);
	ext(&b, TLS_EXT_KEY_SHARE, group, sizeof group);
	close_vec(&b, exts, 2);
	assert_int_equal(tls_hs_parse_draft_hello_retry(b.b, b.n, &sh), DIS_OK);
	assert_int_equal(sh.cipher, 0);
	assert_int_equal(sh.key_share_group, 0x0017);
	/* no extension at all: nothing asked for */
	b.n = 0;
	put16(&b, TLS_V_DRAFT(18));
	put16(&b, 0);
	assert_int_equal(tls_hs_parse_draft_hello_retry(b.b, b.n, &sh),
	                 DIS_MALFORMED);
	/* not a draft */
	b.b[0] = 0x03;
	b.b[1] = 0x03;
	assert_int_equal(tls_hs_parse_draft_hello_retry(b.b, b.n, &sh),
	                 DIS_UNSUPPORTED);
}

/* SSL 2.0 SERVER-HELLO, built from draft-hickman-netscape-ssl-00. */
static const uint8_t ssl2_cert[] = {
	0x30, 0x08, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x01, 0x41,
};

static void
ssl2_server_hello(struct bb *b, uint8_t hit, size_t cert_len, size_t specs,
                  size_t id_len)
{
	b->n = 0;
	put8(b, TLS_SSL2_MT_SERVER_HELLO);
	put8(b, hit);
	put8(b, TLS_SSL2_CT_X509);
	put16(b, TLS_V_SSL2);
	put16(b, (unsigned)cert_len);
	put16(b, (unsigned)specs * 3);
	put16(b, (unsigned)id_len);
	putn(b, ssl2_cert, cert_len);
	for (size_t i = 0; i < specs; i++) {
		put8(b, i == 0 ? 0x01 : 0x07);
		put8(b, 0x00);
		put8(b, i == 0 ? 0x80 : 0xc0);
	}
	putfill(b, 0x5a, id_len);
}

static void
test_ssl2_server_hello(void **state)
{
	struct tls_server_hello sh;
	struct tls_certificate cert;
	struct bb b;

	(void)state;
	ssl2_server_hello(&b, 0, sizeof ssl2_cert, 2, 16);
	assert_int_equal(b.n, 11 + 10 + 6 + 16);
	assert_int_equal(tls_hs_parse_ssl2_server_hello(b.b, b.n, &sh, &cert),
	                 DIS_OK);
	assert_true(sh.sslv2);
	assert_int_equal(sh.version, TLS_V_SSL2);
	assert_int_equal(sh.cipher, TLS_CIPHER_SSL2);
	assert_int_equal(sh.ssl2_cipher, 0);
	assert_int_equal(sh.ssl2_specs.count, 2);
	assert_int_equal(sh.ssl2_specs.v[0], 0x010080);
	assert_int_equal(sh.ssl2_specs.v[1], 0x0700c0);
	assert_int_equal(sh.ssl2_conn_id_len, 16);
	assert_int_equal(cert.count, 1);
	assert_int_equal(cert.total, sizeof ssl2_cert);
	assert_ptr_equal(cert.der[0].p, b.b + 11);
	/* every cut is malformed, and so is one byte more */
	for (size_t k = 0; k < b.n; k++)
		assert_int_equal(tls_hs_parse_ssl2_server_hello(b.b, k, &sh, &cert),
		                 DIS_MALFORMED);
	b.b[b.n++] = 0;
	assert_int_equal(tls_hs_parse_ssl2_server_hello(b.b, b.n, &sh, &cert),
	                 DIS_MALFORMED);
	/* a resumed session: no certificate, no specs */
	ssl2_server_hello(&b, 1, 0, 0, 16);
	assert_int_equal(tls_hs_parse_ssl2_server_hello(b.b, b.n, &sh, &cert),
	                 DIS_OK);
	assert_int_equal(sh.ssl2_session_id_hit, 1);
	assert_int_equal(cert.count, 0);
	/* not resumed but without a certificate, or without specs */
	ssl2_server_hello(&b, 0, 0, 2, 16);
	assert_int_equal(tls_hs_parse_ssl2_server_hello(b.b, b.n, &sh, &cert),
	                 DIS_MALFORMED);
	ssl2_server_hello(&b, 0, sizeof ssl2_cert, 0, 16);
	assert_int_equal(tls_hs_parse_ssl2_server_hello(b.b, b.n, &sh, &cert),
	                 DIS_MALFORMED);
	/* connection id 16..32 bytes */
	ssl2_server_hello(&b, 0, sizeof ssl2_cert, 1, 15);
	assert_int_equal(tls_hs_parse_ssl2_server_hello(b.b, b.n, &sh, &cert),
	                 DIS_MALFORMED);
	ssl2_server_hello(&b, 0, sizeof ssl2_cert, 1, 32);
	assert_int_equal(tls_hs_parse_ssl2_server_hello(b.b, b.n, &sh, &cert),
	                 DIS_OK);
	ssl2_server_hello(&b, 0, sizeof ssl2_cert, 1, 33);
	assert_int_equal(tls_hs_parse_ssl2_server_hello(b.b, b.n, &sh, &cert),
	                 DIS_MALFORMED);
	/* specs length not a multiple of 3 */
	ssl2_server_hello(&b, 0, sizeof ssl2_cert, 1, 16);
	b.b[8] = 4;
	assert_int_equal(tls_hs_parse_ssl2_server_hello(b.b, b.n, &sh, &cert),
	                 DIS_MALFORMED);
	/* another certificate type: parsed, nothing handed on as X.509 */
	ssl2_server_hello(&b, 0, sizeof ssl2_cert, 1, 16);
	b.b[2] = 2;
	assert_int_equal(tls_hs_parse_ssl2_server_hello(b.b, b.n, &sh, &cert),
	                 DIS_OK);
	assert_int_equal(cert.count, 0);
	/* not a SERVER-HELLO */
	b.b[0] = TLS_SSL2_MT_CLIENT_HELLO;
	assert_int_equal(tls_hs_parse_ssl2_server_hello(b.b, b.n, &sh, &cert),
	                 DIS_MALFORMED);
}

static void
test_ssl2_master_key_and_error(void **state)
{
	struct bb b;
	uint32_t spec;
	uint16_t code;

	(void)state;
	b.n = 0;
	put8(&b, TLS_SSL2_MT_CLIENT_MASTER_KEY);
	put8(&b, 0x02);
	put8(&b, 0x00);
	put8(&b, 0x80);
	put16(&b, 11);
	put16(&b, 64);
	put16(&b, 0);
	putfill(&b, 0x01, 11);
	putfill(&b, 0x02, 64);
	assert_int_equal(tls_hs_parse_ssl2_client_master_key(b.b, b.n, &spec),
	                 DIS_OK);
	assert_int_equal(spec, 0x020080);
	for (size_t k = 0; k < b.n; k++)
		assert_int_equal(tls_hs_parse_ssl2_client_master_key(b.b, k, &spec),
		                 DIS_MALFORMED);
	/* no encrypted key */
	b.b[6] = 0;
	b.b[7] = 0;
	assert_int_equal(tls_hs_parse_ssl2_client_master_key(b.b, 10 + 11, &spec),
	                 DIS_MALFORMED);

	assert_int_equal(tls_hs_parse_ssl2_error((const uint8_t *)"\x00\x00\x01",
	                                         3, &code), DIS_OK);
	assert_int_equal(code, 1);
	assert_int_equal(tls_hs_parse_ssl2_error((const uint8_t *)"\x00\x00\x01\x00",
	                                         4, &code), DIS_MALFORMED);
	assert_int_equal(tls_hs_parse_ssl2_error((const uint8_t *)"\x04\x00\x01",
	                                         3, &code), DIS_MALFORMED);
	assert_int_equal(tls_hs_parse_ssl2_error((const uint8_t *)"\x00\x00", 2,
	                                         &code), DIS_MALFORMED);
}

static void
test_certificate(void **state)
{
	struct bb b = {.n = 0};
	struct tls_certificate c;
	size_t list;

	(void)state;
	list = open_vec(&b, 3);
	put24(&b, 3);
	put8(&b, 0x30);
	put8(&b, 1);
	put8(&b, 0xaa);
	put24(&b, 2);
	put8(&b, 0x30);
	put8(&b, 0);
	close_vec(&b, list, 3);
	assert_int_equal(tls_hs_parse_certificate(b.b, b.n, false, &c), DIS_OK);
	assert_int_equal(c.count, 2);
	assert_int_equal(c.total, 5);
	assert_int_equal(c.der[0].n, 3);
	assert_ptr_equal(c.der[0].p, b.b + 6);
	assert_int_equal(c.der[1].n, 2);
	assert_ptr_equal(c.der[1].p, b.b + 12);
	/* outer length +1 / -1 */
	b.b[2]++;
	assert_int_equal(tls_hs_parse_certificate(b.b, b.n, false, &c), DIS_MALFORMED);
	b.b[2] -= 2;
	assert_int_equal(tls_hs_parse_certificate(b.b, b.n, false, &c), DIS_MALFORMED);
	b.b[2]++;
	/* inner length overruns */
	b.b[5]++;
	assert_int_equal(tls_hs_parse_certificate(b.b, b.n, false, &c), DIS_MALFORMED);
	b.b[5]--;
	/* the TLS 1.3 layout of the same bytes does not fit */
	assert_int_equal(tls_hs_parse_certificate(b.b, b.n, true, &c), DIS_MALFORMED);
	/* an empty list (a client without a certificate) */
	b.n = 0;
	put24(&b, 0);
	assert_int_equal(tls_hs_parse_certificate(b.b, b.n, false, &c), DIS_OK);
	assert_int_equal(c.count, 0);
	/* a zero-length certificate */
	b.n = 0;
	put24(&b, 3);
	put24(&b, 0);
	assert_int_equal(tls_hs_parse_certificate(b.b, b.n, false, &c), DIS_MALFORMED);
	/* TLS 1.3: context, then entries with extensions */
	b.n = 0;
	put8(&b, 0);
	list = open_vec(&b, 3);
	put24(&b, 2);
	put8(&b, 0x30);
	put8(&b, 0);
	put16(&b, 0);
	close_vec(&b, list, 3);
	assert_int_equal(tls_hs_parse_certificate(b.b, b.n, true, &c), DIS_OK);
	assert_int_equal(c.count, 1);
	/* more certificates than fit */
	b.n = 0;
	list = open_vec(&b, 3);
	for (unsigned i = 0; i < TLS_HS_MAX_CERTS + 3; i++) {
		put24(&b, 1);
		put8(&b, i);
	}
	close_vec(&b, list, 3);
	assert_int_equal(tls_hs_parse_certificate(b.b, b.n, false, &c), DIS_OK);
	assert_int_equal(c.count, TLS_HS_MAX_CERTS);
	assert_int_equal(c.dropped, 3);
	assert_int_equal(c.total, TLS_HS_MAX_CERTS + 3);
}

static void
test_real_certificate(void **state)
{
	const uint8_t *s = tls_samples[SAMPLE_TLS12].stream[1];
	struct tls_certificate c;
	struct ta_bytes body;
	size_t msg_len;
	uint8_t type;

	(void)state;
	/* SH record is 5 + 65 bytes; the Certificate record follows. */
	assert_int_equal(tls_hs_split(s + 70 + 5, 833 + 4, &type, &body, &msg_len),
	                 DIS_OK);
	assert_int_equal(type, TLS_HS_CERTIFICATE);
	assert_int_equal(tls_hs_parse_certificate(body.p, body.n, false, &c), DIS_OK);
	assert_int_equal(c.count, 1);
	assert_int_equal(c.der[0].n, 827);
	assert_int_equal(c.der[0].p[0], 0x30);
	assert_int_equal(c.der[0].p[1], 0x82);
}

static void
test_cert_status(void **state)
{
	static const uint8_t ocsp[] = {1, 0, 0, 3, 0x30, 1, 0};
	static const uint8_t empty[] = {1, 0, 0, 0};
	static const uint8_t multi[] = {2, 0, 0, 8, 0, 0, 2, 0x30, 0, 0, 0, 0};
	static const uint8_t other[] = {9, 1};
	struct tls_cert_status cs;

	(void)state;
	assert_int_equal(tls_hs_parse_cert_status(ocsp, sizeof ocsp, &cs), DIS_OK);
	assert_int_equal(cs.status_type, 1);
	assert_int_equal(cs.response_len, 3);
	assert_int_equal(tls_hs_parse_cert_status(ocsp, sizeof ocsp - 1, &cs),
	                 DIS_MALFORMED);
	assert_int_equal(tls_hs_parse_cert_status(empty, sizeof empty, &cs),
	                 DIS_MALFORMED);
	assert_int_equal(tls_hs_parse_cert_status(multi, sizeof multi, &cs), DIS_OK);
	assert_int_equal(cs.response_len, 8);
	assert_int_equal(tls_hs_parse_cert_status(other, sizeof other, &cs),
	                 DIS_UNSUPPORTED);
}

static void
test_server_key_exchange(void **state)
{
	const uint8_t *s;
	struct tls_server_key_exchange ske;
	struct ta_bytes body;
	size_t msg_len;
	uint8_t type;
	static const uint8_t junk[] = {0, 5, 'h', 'i', 'n', 't', '!'};
	static const uint8_t ecdh_anon[] = {3, 0, 0x17, 1, 4};

	(void)state;
	/* TLS 1.2 ECDHE (x25519), RSA-PSS signature */
	s = tls_samples[SAMPLE_TLS12].stream[1];
	assert_int_equal(tls_hs_split(s + 912 + 5, 296 + 4, &type, &body, &msg_len),
	                 DIS_OK);
	assert_int_equal(type, TLS_HS_SERVER_KEY_EXCHANGE);
	assert_int_equal(tls_hs_parse_server_key_exchange(body.p, body.n, 0x0303, &ske),
	                 DIS_OK);
	assert_int_equal(ske.kx, TLS_KX_ECDHE);
	assert_int_equal(ske.group, 0x001d);
	assert_int_equal(ske.sig_alg, 0x0804);
	/* the TLS 1.0 layout has no algorithm before the signature */
	s = tls_samples[SAMPLE_TLS10].stream[1];
	assert_int_equal(tls_hs_split(s + 916 + 5, 294 + 4, &type, &body, &msg_len),
	                 DIS_OK);
	assert_int_equal(tls_hs_parse_server_key_exchange(body.p, body.n, 0x0301, &ske),
	                 DIS_OK);
	assert_int_equal(ske.kx, TLS_KX_ECDHE);
	assert_int_equal(ske.sig_alg, 0);
	/* DHE 2048 */
	s = tls_samples[SAMPLE_DHE].stream[1];
	assert_int_equal(tls_hs_split(s + 904 + 5, 779 + 4, &type, &body, &msg_len),
	                 DIS_OK);
	assert_int_equal(tls_hs_parse_server_key_exchange(body.p, body.n, 0x0303, &ske),
	                 DIS_OK);
	assert_int_equal(ske.kx, TLS_KX_DHE);
	assert_int_equal(ske.dh_p_bits, 2048);
	assert_int_equal(ske.sig_alg, 0x0804);
	assert_int_equal(ske.len, 779);
	/* a cut DHE message no longer fits any layout */
	assert_int_equal(tls_hs_parse_server_key_exchange(body.p, body.n - 1, 0x0303,
	                                                  &ske), DIS_OK);
	assert_int_equal(ske.kx, TLS_KX_UNKNOWN);
	assert_int_equal(ske.dh_p_bits, 0);
	assert_int_equal(tls_hs_parse_server_key_exchange(junk, sizeof junk, 0x0303,
	                                                  &ske), DIS_OK);
	assert_int_equal(ske.kx, TLS_KX_UNKNOWN);
	assert_int_equal(ske.len, sizeof junk);
	/* anonymous ECDH: no signature */
	assert_int_equal(tls_hs_parse_server_key_exchange(ecdh_anon, sizeof ecdh_anon,
	                                                  0x0303, &ske), DIS_OK);
	assert_int_equal(ske.kx, TLS_KX_ECDHE);
	assert_int_equal(ske.group, 0x17);
}

static void
test_cert_request(void **state)
{
	static const uint8_t v12[] = {2, 1, 64, 0, 4, 4, 1, 8, 4, 0, 5, 0, 3, 0x30, 1, 0};
	static const uint8_t v11[] = {1, 1, 0, 0};
	struct tls_cert_request cr;

	(void)state;
	assert_int_equal(tls_hs_parse_cert_request(v12, sizeof v12, 0x0303, &cr), DIS_OK);
	assert_int_equal(cr.cert_types, 2);
	assert_int_equal(cr.sig_algs, 2);
	assert_int_equal(cr.ca_names, 1);
	assert_int_equal(tls_hs_parse_cert_request(v12, sizeof v12 - 1, 0x0303, &cr),
	                 DIS_MALFORMED);
	assert_int_equal(tls_hs_parse_cert_request(v11, sizeof v11, 0x0302, &cr), DIS_OK);
	assert_int_equal(cr.cert_types, 1);
	assert_int_equal(cr.sig_algs, 0);
	assert_int_equal(cr.ca_names, 0);
	/* the 1.1 layout is not a 1.2 one */
	assert_int_equal(tls_hs_parse_cert_request(v11, sizeof v11, 0x0303, &cr),
	                 DIS_MALFORMED);
	/* version unknown: either */
	assert_int_equal(tls_hs_parse_cert_request(v11, sizeof v11, 0, &cr), DIS_OK);
	assert_int_equal(tls_hs_parse_cert_request(v12, sizeof v12, 0, &cr), DIS_OK);
	assert_int_equal(cr.sig_algs, 2);
	assert_int_equal(tls_hs_parse_cert_request(v12, sizeof v12, 0x0304, &cr),
	                 DIS_UNSUPPORTED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grease_rule),
		cmocka_unit_test(test_real_client_hello_tls13),
		cmocka_unit_test(test_real_client_hello_tls10),
		cmocka_unit_test(test_client_hello_prefixes),
		cmocka_unit_test(test_client_hello_no_extensions),
		cmocka_unit_test(test_client_hello_lengths),
		cmocka_unit_test(test_client_hello_extensions),
		cmocka_unit_test(test_client_hello_extension_values),
		cmocka_unit_test(test_client_hello_duplicates),
		cmocka_unit_test(test_client_hello_duplicates_past_capacity),
		cmocka_unit_test(test_client_hello_padding),
		cmocka_unit_test(test_client_hello_grease),
		cmocka_unit_test(test_client_hello_capacities),
		cmocka_unit_test(test_ssl2_client_hello),
		cmocka_unit_test(test_server_hello_real),
		cmocka_unit_test(test_server_hello_built),
		cmocka_unit_test(test_server_hello_prefixes),
		cmocka_unit_test(test_draft_server_hello),
		cmocka_unit_test(test_draft22_server_hello),
		cmocka_unit_test(test_draft_hello_retry),
		cmocka_unit_test(test_ssl2_server_hello),
		cmocka_unit_test(test_ssl2_master_key_and_error),
		cmocka_unit_test(test_certificate),
		cmocka_unit_test(test_real_certificate),
		cmocka_unit_test(test_cert_status),
		cmocka_unit_test(test_server_key_exchange),
		cmocka_unit_test(test_cert_request),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
