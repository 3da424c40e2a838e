/* test_tls_fp.c: JA3/JA3S (salesforce/ja3 README) and JA4 (FoxIO JA4 spec) against published values and tshark. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "tls/fingerprint.h"
#include "tls_fp.h"
#include "tls_hs.h"

/* Fill a TLS_U16_LIST from an array, in order. */
#define SET_LIST(l, a) \
	set_list((l).v, &(l).count, TA_ELEMENTS((l).v), (a), TA_ELEMENTS(a))

static void
set_list(uint16_t *v, uint16_t *count, size_t cap, const uint16_t *src,
    size_t n)
{
	size_t i;

	assert_true(n <= cap);
	for (i = 0; i < n; i++)
		v[i] = src[i];
	*count = (uint16_t)n;
}

static void
set_alpn(struct tls_client_hello *ch, const uint8_t *p, size_t n)
{
	struct tls_alpn_name *a = &ch->alpn.name[0];
	size_t i;

	assert_true(n >= 1 && n <= TLS_HS_ALPN_NAME_MAX);
	ch->has_alpn = true;
	ch->alpn.count = 1;
	a->len = (uint8_t)n;
	for (i = 0; i < n; i++)
		a->v[i] = p[i];
	a->last = p[n - 1];
}

/*
 * JA3 README (salesforce/ja3), first example:
 * 769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0
 * --> ada70206e40642a3e4461f35503241d5
 */
static void
ja3_readme_hello(struct tls_client_hello *ch)
{
	static const uint16_t ciphers[] = {47, 53, 5, 10, 49161, 49162, 49171,
	    49172, 50, 56, 19, 4};
	static const uint16_t exts[] = {0, 10, 11};
	static const uint16_t groups[] = {23, 24, 25};

	memset(ch, 0, sizeof(*ch));
	ch->legacy_version = 0x0301;
	SET_LIST(ch->ciphers, ciphers);
	ch->has_extensions = true;
	SET_LIST(ch->exts, exts);
	SET_LIST(ch->groups, groups);
	ch->point_formats.v[0] = 0;
	ch->point_formats.count = 1;
	ch->has_sni = true;
}

static void
test_ja3_readme(void **state)
{
	struct tls_client_hello ch;
	char s[TLS_FP_JA3_MAX];
	char h[FINGERPRINT_JA3_LEN];

	(void)state;
	ja3_readme_hello(&ch);
	assert_true(tls_fp_ja3(&ch, s, sizeof(s)));
	assert_string_equal(s,
	    "769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,"
	    "23-24-25,0");
	assert_true(fingerprint_ja3(&ch, h));
	assert_string_equal(h, "ada70206e40642a3e4461f35503241d5");
}

static void
test_ja3_readme_no_extensions(void **state)
{
	static const uint16_t ciphers[] = {4, 5, 10, 9, 100, 98, 3, 6, 19, 18,
	    99};
	struct tls_client_hello ch;
	char s[TLS_FP_JA3_MAX];
	char h[FINGERPRINT_JA3_LEN];

	(void)state;
	memset(&ch, 0, sizeof(ch));
	ch.legacy_version = 0x0301;
	SET_LIST(ch.ciphers, ciphers);
	assert_true(tls_fp_ja3(&ch, s, sizeof(s)));
	/* "If there are no SSL Extensions ... the fields are left empty." */
	assert_string_equal(s, "769,4-5-10-9-100-98-3-6-19-18-99,,,");
	assert_true(fingerprint_ja3(&ch, h));
	assert_string_equal(h, "de350869b8c85de67a350c8d186f11e6");
}

static void
test_ja3_ignores_grease(void **state)
{
	static const uint16_t ciphers[] = {0x2a2a, 47, 53, 5, 10, 49161, 49162,
	    49171, 49172, 50, 56, 19, 4};
	static const uint16_t exts[] = {0x0a0a, 0, 10, 11, 0xfafa};
	static const uint16_t groups[] = {0x8a8a, 23, 24, 25};
	struct tls_client_hello ch;
	char h[FINGERPRINT_JA3_LEN];

	(void)state;
	ja3_readme_hello(&ch);
	SET_LIST(ch.ciphers, ciphers);
	SET_LIST(ch.exts, exts);
	SET_LIST(ch.groups, groups);
	assert_true(fingerprint_ja3(&ch, h));
	assert_string_equal(h, "ada70206e40642a3e4461f35503241d5");
}

static void
test_ja3_refuses(void **state)
{
	struct tls_client_hello ch;
	char s[TLS_FP_JA3_MAX];
	char h[FINGERPRINT_JA3_LEN];
	char h4[FINGERPRINT_JA4_LEN];
	size_t full, cap;

	(void)state;
	ja3_readme_hello(&ch);
	assert_true(tls_fp_ja3(&ch, s, sizeof(s)));
	full = strlen(s);
	/* Every buffer shorter than the string plus NUL fails, and empty. */
	for (cap = 0; cap <= full; cap++) {
		memset(s, 'x', sizeof(s));
		assert_false(tls_fp_ja3(&ch, s, cap));
		if (cap > 0)
			assert_int_equal(s[0], '\0');
		/* Nothing written past the given capacity. */
		assert_int_equal(s[cap], 'x');
	}
	assert_true(tls_fp_ja3(&ch, s, full + 1));
	assert_int_equal(strlen(s), full);

	/* A list that overflowed the parser gives no fingerprint at all. */
	ch.ciphers.dropped = 1;
	assert_false(tls_fp_ja3(&ch, s, sizeof(s)));
	assert_false(fingerprint_ja3(&ch, h));
	assert_string_equal(h, "");
	ch.ciphers.dropped = 0;
	ch.point_formats.dropped = 2;
	assert_false(tls_fp_ja3(&ch, s, sizeof(s)));
	ch.point_formats.dropped = 0;
	ch.sslv2 = true;
	assert_false(tls_fp_ja3(&ch, s, sizeof(s)));
	assert_false(fingerprint_ja4(&ch, h4));
	assert_string_equal(h4, "");
}

static void
test_ja3s(void **state)
{
	static const uint16_t exts[] = {0xff01, 0x0000, 0x000b};
	struct tls_server_hello sh;
	char s[TLS_FP_JA3S_MAX];
	char h[FINGERPRINT_JA3_LEN];

	(void)state;
	memset(&sh, 0, sizeof(sh));
	sh.legacy_version = 0x0303;
	sh.cipher = 0xc02f;
	assert_true(tls_fp_ja3s(&sh, s, sizeof(s)));
	/* No extensions: the field stays, empty. */
	assert_string_equal(s, "771,49199,");
	sh.has_extensions = true;
	SET_LIST(sh.exts, exts);
	assert_true(tls_fp_ja3s(&sh, s, sizeof(s)));
	assert_string_equal(s, "771,49199,65281-0-11");
	assert_true(fingerprint_ja3s(&sh, h));
	/* md5("771,49199,65281-0-11") */
	assert_string_equal(h, "a704460bd0a887c62e4f462bf1bba96b");
	assert_false(tls_fp_ja3s(&sh, s, 5));
	assert_string_equal(s, "");
}

/*
 * The JA4 specification's worked example (FoxIO-LLC/ja4,
 * technical_details/JA4.md), in wire order as its JA4_ro shows it.
 */
static const uint16_t spec_ciphers[] = {0x1301, 0x1302, 0x1303, 0xc02b,
    0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d,
    0x002f, 0x0035};
static const uint16_t spec_exts[] = {0x001b, 0x0000, 0x0033, 0x0010,
    0x4469, 0x0017, 0x002d, 0x000d, 0x0005, 0x0023, 0x0012, 0x002b, 0xff01,
    0x000b, 0x000a, 0x0015};
static const uint16_t spec_sigalgs[] = {0x0403, 0x0804, 0x0401, 0x0503,
    0x0805, 0x0501, 0x0806, 0x0601};

static void
ja4_spec_hello(struct tls_client_hello *ch)
{
	static const uint16_t versions[] = {0x0304, 0x0303};
	static const uint8_t h2[] = {'h', '2'};

	memset(ch, 0, sizeof(*ch));
	ch->legacy_version = 0x0303;
	SET_LIST(ch->ciphers, spec_ciphers);
	ch->has_extensions = true;
	SET_LIST(ch->exts, spec_exts);
	ch->has_supported_versions = true;
	SET_LIST(ch->versions, versions);
	SET_LIST(ch->sig_algs, spec_sigalgs);
	ch->has_sni = true;
	set_alpn(ch, h2, sizeof(h2));
}

static void
test_ja4_spec_example(void **state)
{
	struct tls_client_hello ch;
	char a[TLS_FP_JA4_A_MAX];
	char b[TLS_FP_JA4_B_MAX];
	char c[TLS_FP_JA4_C_MAX];
	char h[FINGERPRINT_JA4_LEN];

	(void)state;
	ja4_spec_hello(&ch);
	assert_true(tls_fp_ja4_a(&ch, a, sizeof(a)));
	assert_string_equal(a, "t13d1516h2");
	assert_true(tls_fp_ja4_b(&ch, b, sizeof(b)));
	assert_string_equal(b, "002f,0035,009c,009d,1301,1302,1303,c013,c014,"
	    "c02b,c02c,c02f,c030,cca8,cca9");
	assert_true(tls_fp_ja4_c(&ch, c, sizeof(c)));
	assert_string_equal(c, "0005,000a,000b,000d,0012,0015,0017,001b,0023,"
	    "002b,002d,0033,4469,ff01_0403,0804,0401,0503,0805,0501,0806,0601");
	assert_true(fingerprint_ja4(&ch, h));
	assert_string_equal(h, "t13d1516h2_8daaf6152771_e5627efa2ab1");
}

static void
test_ja4_spec_no_sigalgs(void **state)
{
	struct tls_client_hello ch;
	char c[TLS_FP_JA4_C_MAX];
	char h[FINGERPRINT_JA4_LEN];

	(void)state;
	ja4_spec_hello(&ch);
	ch.sig_algs.count = 0;
	/* "the string ends without an underscore": = 6d807ffa2a79 */
	assert_true(tls_fp_ja4_c(&ch, c, sizeof(c)));
	assert_string_equal(c, "0005,000a,000b,000d,0012,0015,0017,001b,0023,"
	    "002b,002d,0033,4469,ff01");
	assert_true(fingerprint_ja4(&ch, h));
	assert_string_equal(h, "t13d1516h2_8daaf6152771_6d807ffa2a79");
}

/*
 * FoxIO-LLC/ja4 python/test/testdata/sigalg-grease.pcapng.json: a Chrome
 * ClientHello, JA4 t13d1517h2_8daaf6152771_cb7bf5808d99, given there with
 * its lists in wire order less GREASE (JA4_ro). GREASE is put back in every
 * list here; the published value must not change.
 */
static void
test_ja4_published_chrome_with_grease(void **state)
{
	static const uint16_t ciphers[] = {0x3a3a, 0x1301, 0x1302, 0x1303,
	    0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014,
	    0x009c, 0x009d, 0x002f, 0x0035};
	static const uint16_t exts[] = {0x9a9a, 0xfe0d, 0x0010, 0x0017, 0x0033,
	    0x44cd, 0xff01, 0x000a, 0x000d, 0x0023, 0x002b, 0x000b, 0xca34,
	    0x002d, 0x0000, 0x0005, 0x001b, 0x0012, 0x4a4a};
	static const uint16_t sigalgs[] = {0x0904, 0x0905, 0x0906, 0xdada,
	    0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601};
	static const uint16_t versions[] = {0x7a7a, 0x0304, 0x0303};
	static const uint8_t h2[] = {'h', '2'};
	struct tls_client_hello ch;
	char c[TLS_FP_JA4_C_MAX];
	char h[FINGERPRINT_JA4_LEN];

	(void)state;
	memset(&ch, 0, sizeof(ch));
	ch.legacy_version = 0x0303;
	SET_LIST(ch.ciphers, ciphers);
	ch.has_extensions = true;
	SET_LIST(ch.exts, exts);
	ch.has_supported_versions = true;
	SET_LIST(ch.versions, versions);
	SET_LIST(ch.sig_algs, sigalgs);
	ch.has_sni = true;
	set_alpn(&ch, h2, sizeof(h2));

	assert_true(tls_fp_ja4_c(&ch, c, sizeof(c)));
	assert_string_equal(c, "0005,000a,000b,000d,0012,0017,001b,0023,002b,"
	    "002d,0033,44cd,ca34,fe0d,ff01_0904,0905,0906,0403,0804,0401,0503,"
	    "0805,0501,0806,0601");
	assert_true(fingerprint_ja4(&ch, h));
	assert_string_equal(h, "t13d1517h2_8daaf6152771_cb7bf5808d99");
}

/* The spec's ALPN rules, with its own examples. */
static void
check_alpn(const uint8_t *p, size_t n, const char *want)
{
	struct tls_client_hello ch;
	char a[TLS_FP_JA4_A_MAX];

	ja4_spec_hello(&ch);
	memset(&ch.alpn, 0, sizeof(ch.alpn));
	ch.has_alpn = false;
	if (n > 0)
		set_alpn(&ch, p, n);
	assert_true(tls_fp_ja4_a(&ch, a, sizeof(a)));
	assert_int_equal(strlen(a), 10);
	assert_string_equal(a + 8, want);
}

static void
test_ja4_alpn(void **state)
{
	static const uint8_t http11[] = "http/1.1";
	static const uint8_t imap[] = "imap";
	static const uint8_t x[] = {'x'};
	static const uint8_t ab[] = {0xab};
	static const uint8_t abcd[] = {0xab, 0xcd};
	static const uint8_t n30ab[] = {0x30, 0xab};
	static const uint8_t n3031abcd[] = {0x30, 0x31, 0xab, 0xcd};
	static const uint8_t n30abcd31[] = {0x30, 0xab, 0xcd, 0x31};
	struct tls_client_hello ch;
	char a[TLS_FP_JA4_A_MAX];

	(void)state;
	check_alpn(http11, 8, "h1");
	check_alpn(imap, 4, "ip");
	check_alpn(x, 1, "xx");
	check_alpn(ab, 1, "ab");
	check_alpn(abcd, 2, "ad");
	check_alpn(n30ab, 2, "3b");
	check_alpn(n3031abcd, 4, "3d");
	check_alpn(n30abcd31, 4, "01");
	check_alpn(NULL, 0, "00");

	/* A value longer than the parser keeps: `last` still tells the end. */
	ja4_spec_hello(&ch);
	set_alpn(&ch, http11, 8);
	ch.alpn.name[0].len = 200;
	ch.alpn.name[0].last = 'z';
	assert_true(tls_fp_ja4_a(&ch, a, sizeof(a)));
	assert_string_equal(a, "t13d1516hz");
}

static void
test_ja4_version_sni_counts(void **state)
{
	static const uint16_t grease_only[] = {0x0a0a};
	static const uint16_t no_sni[] = {0x000a, 0x000d, 0x0010};
	uint16_t many[120];
	struct tls_client_hello ch;
	char a[TLS_FP_JA4_A_MAX];
	size_t i;

	(void)state;
	ja4_spec_hello(&ch);
	/* Without supported_versions: the legacy version. */
	ch.has_supported_versions = false;
	ch.versions.count = 0;
	assert_true(tls_fp_ja4_a(&ch, a, sizeof(a)));
	assert_string_equal(a, "t12d1516h2");
	ch.legacy_version = 0x0300;
	assert_true(tls_fp_ja4_a(&ch, a, sizeof(a)));
	assert_string_equal(a, "ts3d1516h2");
	ch.legacy_version = 0x0002;
	assert_true(tls_fp_ja4_a(&ch, a, sizeof(a)));
	assert_string_equal(a, "ts2d1516h2");
	ch.legacy_version = 0x7f1c;
	assert_true(tls_fp_ja4_a(&ch, a, sizeof(a)));
	assert_string_equal(a, "t00d1516h2");
	/* The record or legacy version never overrides supported_versions. */
	ch.has_supported_versions = true;
	SET_LIST(ch.versions, grease_only);
	assert_true(tls_fp_ja4_a(&ch, a, sizeof(a)));
	assert_string_equal(a, "t00d1516h2");

	/* No server_name extension: "i"; the count follows the list. */
	ja4_spec_hello(&ch);
	SET_LIST(ch.exts, no_sni);
	assert_true(tls_fp_ja4_a(&ch, a, sizeof(a)));
	assert_string_equal(a, "t13i1503h2");

	/* Counts are capped at 99. */
	for (i = 0; i < TA_ELEMENTS(many); i++)
		many[i] = (uint16_t)(0x0100 + i);
	SET_LIST(ch.ciphers, many);
	assert_true(tls_fp_ja4_a(&ch, a, sizeof(a)));
	assert_string_equal(a, "t13i9903h2");
}

static void
test_ja4_empty_lists(void **state)
{
	static const uint16_t only_sni_alpn[] = {0x0000, 0x0010, 0x2a2a};
	struct tls_client_hello ch;
	char b[TLS_FP_JA4_B_MAX];
	char c[TLS_FP_JA4_C_MAX];
	char h[FINGERPRINT_JA4_LEN];

	(void)state;
	ja4_spec_hello(&ch);
	ch.ciphers.count = 0;
	SET_LIST(ch.exts, only_sni_alpn);
	ch.sig_algs.count = 0;
	assert_true(tls_fp_ja4_b(&ch, b, sizeof(b)));
	assert_string_equal(b, "");
	assert_true(tls_fp_ja4_c(&ch, c, sizeof(c)));
	assert_string_equal(c, "");
	/* Empty lists hash to twelve zeros, never to sha256(""). */
	assert_true(fingerprint_ja4(&ch, h));
	assert_string_equal(h, "t13d0002h2_000000000000_000000000000");
}

static void
test_ja4_refuses(void **state)
{
	struct tls_client_hello ch;
	char a[TLS_FP_JA4_A_MAX];
	char b[TLS_FP_JA4_B_MAX];
	char c[TLS_FP_JA4_C_MAX];
	char h[FINGERPRINT_JA4_LEN];

	(void)state;
	ja4_spec_hello(&ch);
	assert_false(tls_fp_ja4_a(&ch, a, 10));
	assert_string_equal(a, "");
	assert_false(tls_fp_ja4_b(&ch, b, 74));
	assert_true(tls_fp_ja4_b(&ch, b, 75));
	assert_false(tls_fp_ja4_c(&ch, c, 8));
	assert_false(tls_fp_ja4_a(&ch, NULL, 0));

	ch.sig_algs.dropped = 1;
	assert_false(tls_fp_ja4_c(&ch, c, sizeof(c)));
	assert_false(fingerprint_ja4(&ch, h));
	assert_string_equal(h, "");
	ch.sig_algs.dropped = 0;
	ch.exts.dropped = 3;
	assert_false(tls_fp_ja4_a(&ch, a, sizeof(a)));
	ch.exts.dropped = 0;
	assert_true(fingerprint_ja4(&ch, h));
	assert_string_equal(h, "t13d1516h2_8daaf6152771_e5627efa2ab1");
}

/*
 * Real handshakes on loopback: openssl s_client against openssl s_server
 * (OpenSSL 3.0), recorded with tcpdump. The arrays are the first handshake
 * message of the client's and of the server's first record. Expected JA3
 * and JA3S values are tshark 4.0's (tls.handshake.ja3_full, .ja3,
 * .ja3s_full, .ja3s) on that capture. tshark 4.0 has no JA4 field: the JA4
 * values were worked out by hand from tshark's field dump of the same
 * frames, by the rules of the JA4 spec.
 */
static const uint8_t ch13[] = {
	0x01, 0x00, 0x01, 0x45, 0x03, 0x03, 0x0e, 0x55, 0x80, 0xa8, 0xaf, 0x35,
	0x7d, 0x40, 0x5e, 0xf6, 0xac, 0xbe, 0xea, 0x08, 0xb2, 0x6a, 0x90, 0x8f,
	0x44, 0x56, 0xc9, 0x3f, 0x6a, 0x44, 0x34, 0x50, 0x00, 0x40, 0x15, 0xfa,
	0x95, 0x95, 0x20, 0x53, 0x2a, 0xe8, 0x5d, 0x31, 0xf2, 0x62, 0x6a, 0xc7,
	0x0b, 0xd8, 0x01, 0xe5, 0xdf, 0xd7, 0x7e, 0xb0, 0x6d, 0x55, 0x09, 0xdb,
	0x3e, 0x1c, 0x69, 0xe9, 0x3a, 0x31, 0x9c, 0xf8, 0x1a, 0xa2, 0x88, 0x00,
	0x3e, 0x13, 0x02, 0x13, 0x03, 0x13, 0x01, 0xc0, 0x2c, 0xc0, 0x30, 0x00,
	0x9f, 0xcc, 0xa9, 0xcc, 0xa8, 0xcc, 0xaa, 0xc0, 0x2b, 0xc0, 0x2f, 0x00,
	0x9e, 0xc0, 0x24, 0xc0, 0x28, 0x00, 0x6b, 0xc0, 0x23, 0xc0, 0x27, 0x00,
	0x67, 0xc0, 0x0a, 0xc0, 0x14, 0x00, 0x39, 0xc0, 0x09, 0xc0, 0x13, 0x00,
	0x33, 0x00, 0x9d, 0x00, 0x9c, 0x00, 0x3d, 0x00, 0x3c, 0x00, 0x35, 0x00,
	0x2f, 0x00, 0xff, 0x01, 0x00, 0x00, 0xbe, 0x00, 0x00, 0x00, 0x16, 0x00,
	0x14, 0x00, 0x00, 0x11, 0x69, 0x6d, 0x61, 0x70, 0x2e, 0x65, 0x78, 0x61,
	0x6d, 0x70, 0x6c, 0x65, 0x2e, 0x74, 0x65, 0x73, 0x74, 0x00, 0x0b, 0x00,
	0x04, 0x03, 0x00, 0x01, 0x02, 0x00, 0x0a, 0x00, 0x16, 0x00, 0x14, 0x00,
	0x1d, 0x00, 0x17, 0x00, 0x1e, 0x00, 0x19, 0x00, 0x18, 0x01, 0x00, 0x01,
	0x01, 0x01, 0x02, 0x01, 0x03, 0x01, 0x04, 0x00, 0x23, 0x00, 0x00, 0x00,
	0x10, 0x00, 0x07, 0x00, 0x05, 0x04, 0x69, 0x6d, 0x61, 0x70, 0x00, 0x16,
	0x00, 0x00, 0x00, 0x17, 0x00, 0x00, 0x00, 0x0d, 0x00, 0x2a, 0x00, 0x28,
	0x04, 0x03, 0x05, 0x03, 0x06, 0x03, 0x08, 0x07, 0x08, 0x08, 0x08, 0x09,
	0x08, 0x0a, 0x08, 0x0b, 0x08, 0x04, 0x08, 0x05, 0x08, 0x06, 0x04, 0x01,
	0x05, 0x01, 0x06, 0x01, 0x03, 0x03, 0x03, 0x01, 0x03, 0x02, 0x04, 0x02,
	0x05, 0x02, 0x06, 0x02, 0x00, 0x2b, 0x00, 0x09, 0x08, 0x03, 0x04, 0x03,
	0x03, 0x03, 0x02, 0x03, 0x01, 0x00, 0x2d, 0x00, 0x02, 0x01, 0x01, 0x00,
	0x33, 0x00, 0x26, 0x00, 0x24, 0x00, 0x1d, 0x00, 0x20, 0xf3, 0x06, 0x1e,
	0x3c, 0xe7, 0x22, 0xcd, 0x7f, 0x61, 0x16, 0x04, 0x06, 0x7c, 0x0a, 0x91,
	0x80, 0x1a, 0x5e, 0x97, 0xe0, 0xad, 0x52, 0x73, 0xaf, 0x3b, 0x46, 0xa2,
	0x40, 0xe4, 0xe3, 0xdf, 0x01,
};

static const uint8_t sh13[] = {
	0x02, 0x00, 0x00, 0x76, 0x03, 0x03, 0x9a, 0xc7, 0xb1, 0x45, 0x95, 0x67,
	0x27, 0x92, 0xfd, 0x4f, 0xcb, 0xce, 0x92, 0x37, 0xcd, 0x90, 0xe4, 0xd4,
	0x9f, 0x2f, 0xdf, 0x53, 0xda, 0xe5, 0x6f, 0x7e, 0x54, 0x78, 0xda, 0xa5,
	0x8f, 0x19, 0x20, 0x53, 0x2a, 0xe8, 0x5d, 0x31, 0xf2, 0x62, 0x6a, 0xc7,
	0x0b, 0xd8, 0x01, 0xe5, 0xdf, 0xd7, 0x7e, 0xb0, 0x6d, 0x55, 0x09, 0xdb,
	0x3e, 0x1c, 0x69, 0xe9, 0x3a, 0x31, 0x9c, 0xf8, 0x1a, 0xa2, 0x88, 0x13,
	0x02, 0x00, 0x00, 0x2e, 0x00, 0x2b, 0x00, 0x02, 0x03, 0x04, 0x00, 0x33,
	0x00, 0x24, 0x00, 0x1d, 0x00, 0x20, 0xd1, 0xac, 0xe6, 0x99, 0x5b, 0x40,
	0xaa, 0x9d, 0xd3, 0x18, 0xb7, 0xb8, 0xc7, 0x70, 0x13, 0x44, 0x2e, 0x5b,
	0x2b, 0xde, 0x8c, 0x43, 0xe3, 0x78, 0x58, 0x5b, 0x76, 0xb5, 0x42, 0x1c,
	0xe0, 0x64,
};

static const uint8_t ch12[] = {
	0x01, 0x00, 0x00, 0xb3, 0x03, 0x03, 0xdb, 0xe5, 0x33, 0x61, 0xec, 0x69,
	0xe8, 0xdf, 0x78, 0xbe, 0x54, 0x03, 0x46, 0x44, 0x7b, 0x6f, 0x0f, 0x67,
	0x0c, 0xa6, 0x42, 0x29, 0x7a, 0xa9, 0x79, 0x8b, 0xb6, 0xb9, 0x15, 0xe0,
	0xfe, 0xfb, 0x00, 0x00, 0x38, 0xc0, 0x2c, 0xc0, 0x30, 0x00, 0x9f, 0xcc,
	0xa9, 0xcc, 0xa8, 0xcc, 0xaa, 0xc0, 0x2b, 0xc0, 0x2f, 0x00, 0x9e, 0xc0,
	0x24, 0xc0, 0x28, 0x00, 0x6b, 0xc0, 0x23, 0xc0, 0x27, 0x00, 0x67, 0xc0,
	0x0a, 0xc0, 0x14, 0x00, 0x39, 0xc0, 0x09, 0xc0, 0x13, 0x00, 0x33, 0x00,
	0x9d, 0x00, 0x9c, 0x00, 0x3d, 0x00, 0x3c, 0x00, 0x35, 0x00, 0x2f, 0x00,
	0xff, 0x01, 0x00, 0x00, 0x52, 0x00, 0x0b, 0x00, 0x04, 0x03, 0x00, 0x01,
	0x02, 0x00, 0x0a, 0x00, 0x0c, 0x00, 0x0a, 0x00, 0x1d, 0x00, 0x17, 0x00,
	0x1e, 0x00, 0x19, 0x00, 0x18, 0x00, 0x23, 0x00, 0x00, 0x00, 0x16, 0x00,
	0x00, 0x00, 0x17, 0x00, 0x00, 0x00, 0x0d, 0x00, 0x2a, 0x00, 0x28, 0x04,
	0x03, 0x05, 0x03, 0x06, 0x03, 0x08, 0x07, 0x08, 0x08, 0x08, 0x09, 0x08,
	0x0a, 0x08, 0x0b, 0x08, 0x04, 0x08, 0x05, 0x08, 0x06, 0x04, 0x01, 0x05,
	0x01, 0x06, 0x01, 0x03, 0x03, 0x03, 0x01, 0x03, 0x02, 0x04, 0x02, 0x05,
	0x02, 0x06, 0x02,
};

static const uint8_t sh12[] = {
	0x02, 0x00, 0x00, 0x3d, 0x03, 0x03, 0x8e, 0x21, 0xba, 0x2f, 0x75, 0x22,
	0xb8, 0xcd, 0xd5, 0x4f, 0x4d, 0x8c, 0x09, 0xe0, 0x2a, 0x97, 0x18, 0x97,
	0x5d, 0x83, 0x2b, 0xf5, 0x92, 0xb6, 0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52,
	0x44, 0x01, 0x00, 0xc0, 0x2c, 0x00, 0x00, 0x15, 0xff, 0x01, 0x00, 0x01,
	0x00, 0x00, 0x0b, 0x00, 0x04, 0x03, 0x00, 0x01, 0x02, 0x00, 0x23, 0x00,
	0x00, 0x00, 0x17, 0x00, 0x00,
};

static void
parse_ch(const uint8_t *msg, size_t n, struct tls_client_hello *ch)
{
	struct ta_bytes body;
	uint8_t type = 0;
	size_t used = 0;

	assert_int_equal(tls_hs_split(msg, n, &type, &body, &used), DIS_OK);
	assert_int_equal(type, TLS_HS_CLIENT_HELLO);
	assert_int_equal(used, n);
	assert_int_equal(tls_hs_parse_client_hello(body.p, body.n, ch), DIS_OK);
}

static void
parse_sh(const uint8_t *msg, size_t n, struct tls_server_hello *sh)
{
	struct ta_bytes body;
	uint8_t type = 0;
	size_t used = 0;

	assert_int_equal(tls_hs_split(msg, n, &type, &body, &used), DIS_OK);
	assert_int_equal(type, TLS_HS_SERVER_HELLO);
	assert_int_equal(used, n);
	assert_int_equal(tls_hs_parse_server_hello(body.p, body.n, sh), DIS_OK);
}

static void
test_openssl_tls13_vs_tshark(void **state)
{
	struct tls_client_hello ch;
	struct tls_server_hello sh;
	char s[TLS_FP_JA3_MAX];
	char h[FINGERPRINT_JA4_LEN];

	(void)state;
	parse_ch(ch13, sizeof(ch13), &ch);
	assert_true(tls_fp_ja3(&ch, s, sizeof(s)));
	assert_string_equal(s, "771,4866-4867-4865-49196-49200-159-52393-52392-"
	    "52394-49195-49199-158-49188-49192-107-49187-49191-103-49162-49172-"
	    "57-49161-49171-51-157-156-61-60-53-47-255,0-11-10-35-16-22-23-13-"
	    "43-45-51,29-23-30-25-24-256-257-258-259-260,0-1-2");
	assert_true(fingerprint_ja3(&ch, h));
	assert_string_equal(h, "5a1edc7f170af1014fc65c994878e63c");
	assert_true(fingerprint_ja4(&ch, h));
	assert_string_equal(h, "t13d3111ip_e8f1e7e78f70_1f22a2ca17c4");

	parse_sh(sh13, sizeof(sh13), &sh);
	assert_true(tls_fp_ja3s(&sh, s, sizeof(s)));
	assert_string_equal(s, "771,4866,43-51");
	assert_true(fingerprint_ja3s(&sh, h));
	assert_string_equal(h, "15af977ce25de452b96affa2addb1036");
}

static void
test_openssl_tls12_vs_tshark(void **state)
{
	struct tls_client_hello ch;
	struct tls_server_hello sh;
	char s[TLS_FP_JA3_MAX];
	char h[FINGERPRINT_JA4_LEN];

	(void)state;
	parse_ch(ch12, sizeof(ch12), &ch);
	assert_true(tls_fp_ja3(&ch, s, sizeof(s)));
	assert_string_equal(s, "771,49196-49200-159-52393-52392-52394-49195-"
	    "49199-158-49188-49192-107-49187-49191-103-49162-49172-57-49161-"
	    "49171-51-157-156-61-60-53-47-255,11-10-35-22-23-13,"
	    "29-23-30-25-24,0-1-2");
	assert_true(fingerprint_ja3(&ch, h));
	assert_string_equal(h, "fbe7e189e37a07ee33706f86bc746344");
	assert_true(fingerprint_ja4(&ch, h));
	assert_string_equal(h, "t12i280600_d943125447b4_e7e480e5a997");

	parse_sh(sh12, sizeof(sh12), &sh);
	assert_true(tls_fp_ja3s(&sh, s, sizeof(s)));
	assert_string_equal(s, "771,49196,65281-11-35-23");
	assert_true(fingerprint_ja3s(&sh, h));
	assert_string_equal(h, "abade5a4a7f42baf54766e5d108283b6");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ja3_readme),
		cmocka_unit_test(test_ja3_readme_no_extensions),
		cmocka_unit_test(test_ja3_ignores_grease),
		cmocka_unit_test(test_ja3_refuses),
		cmocka_unit_test(test_ja3s),
		cmocka_unit_test(test_ja4_spec_example),
		cmocka_unit_test(test_ja4_spec_no_sigalgs),
		cmocka_unit_test(test_ja4_published_chrome_with_grease),
		cmocka_unit_test(test_ja4_alpn),
		cmocka_unit_test(test_ja4_version_sni_counts),
		cmocka_unit_test(test_ja4_empty_lists),
		cmocka_unit_test(test_ja4_refuses),
		cmocka_unit_test(test_openssl_tls13_vs_tshark),
		cmocka_unit_test(test_openssl_tls12_vs_tshark),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
