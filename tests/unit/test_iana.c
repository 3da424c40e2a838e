/* test_iana.c: generated IANA TLS registry tables (RFC 8447), GREASE (RFC 8701), cipher classes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "iana_tables.h"

static void
test_grease_rule(void **state)
{
	uint32_t v;
	unsigned int n = 0;

	(void)state;
	/* Exactly the sixteen RFC 8701 values, and nothing else. */
	for (v = 0; v <= 0xffff; v++) {
		if (iana_is_grease((uint16_t)v)) {
			assert_int_equal(v >> 8, v & 0xff);
			assert_int_equal(v & 0x0f, 0x0a);
			n++;
		}
	}
	assert_int_equal(n, 16);
	assert_true(iana_is_grease(0x0a0a));
	assert_true(iana_is_grease(0xfafa));
	assert_false(iana_is_grease(0x0a1a));
	assert_false(iana_is_grease(0x1301));
	/* GREASE is matched by rule only: no table names it. */
	assert_null(iana_cipher_name(0x0a0a));
	assert_null(iana_ext_name(0x1a1a));
	assert_null(iana_group_name(0x2a2a));
	assert_null(iana_version_name(0xeaea));
}

static void
test_versions(void **state)
{
	(void)state;
	assert_string_equal(iana_version_name(0x0002), "SSL 2.0");
	assert_string_equal(iana_version_name(0x0300), "SSL 3.0");
	assert_string_equal(iana_version_name(0x0301), "TLS 1.0");
	assert_string_equal(iana_version_name(0x0302), "TLS 1.1");
	assert_string_equal(iana_version_name(0x0303), "TLS 1.2");
	assert_string_equal(iana_version_name(0x0304), "TLS 1.3");
	/* Drafts, DTLS and anything else are printed as hex by the caller. */
	assert_null(iana_version_name(0x7f1c));
	assert_null(iana_version_name(0xfefd));
	assert_null(iana_version_name(0x0305));
	assert_null(iana_version_name(0x0000));
}

static void
test_small_registries(void **state)
{
	(void)state;
	assert_string_equal(iana_content_type_name(20), "change_cipher_spec");
	assert_string_equal(iana_content_type_name(23), "application_data");
	assert_null(iana_content_type_name(19));
	assert_null(iana_content_type_name(255));

	assert_string_equal(iana_handshake_name(1), "client_hello");
	assert_string_equal(iana_handshake_name(11), "certificate");
	assert_string_equal(iana_handshake_name(254), "message_hash");
	/* "7" is Unassigned in the data file: skipped. */
	assert_null(iana_handshake_name(7));

	assert_string_equal(iana_alert_name(0), "close_notify");
	assert_string_equal(iana_alert_name(40), "handshake_failure");
	assert_string_equal(iana_alert_name(42), "bad_certificate");
	assert_string_equal(iana_alert_name(48), "unknown_ca");
	assert_string_equal(iana_alert_name(70), "protocol_version");
	assert_string_equal(iana_alert_name(71), "insufficient_security");
	assert_string_equal(iana_alert_name(86), "inappropriate_fallback");
	assert_string_equal(iana_alert_name(112), "unrecognized_name");
	assert_string_equal(iana_alert_name(116), "certificate_required");
	assert_string_equal(iana_alert_name(120), "no_application_protocol");
	/* Older ones, still seen from legacy stacks. */
	assert_string_equal(iana_alert_name(21), "decryption_failed");
	assert_string_equal(iana_alert_name(41), "no_certificate");
	assert_string_equal(iana_alert_name(60), "export_restriction");
	assert_null(iana_alert_name(1));
	assert_null(iana_alert_name(255));

	assert_string_equal(iana_ext_name(0x0000), "server_name");
	assert_string_equal(iana_ext_name(0x0010),
	    "application_layer_protocol_negotiation");
	assert_string_equal(iana_ext_name(0x001b), "compress_certificate");
	assert_string_equal(iana_ext_name(0x001c), "record_size_limit");
	assert_string_equal(iana_ext_name(0x002b), "supported_versions");
	assert_string_equal(iana_ext_name(0x0031), "post_handshake_auth");
	assert_string_equal(iana_ext_name(0x0033), "key_share");
	assert_string_equal(iana_ext_name(0x0039), "quic_transport_parameters");
	assert_string_equal(iana_ext_name(0xfe0d), "encrypted_client_hello");
	assert_string_equal(iana_ext_name(0xff01), "renegotiation_info");
	/* 40 and 46 are Reserved rows: skipped. */
	assert_null(iana_ext_name(0x0028));
	assert_null(iana_ext_name(0x002e));
	assert_null(iana_ext_name(0x4469));

	assert_string_equal(iana_group_name(0x0017), "secp256r1");
	assert_string_equal(iana_group_name(0x0018), "secp384r1");
	assert_string_equal(iana_group_name(0x0019), "secp521r1");
	assert_string_equal(iana_group_name(0x001d), "x25519");
	assert_string_equal(iana_group_name(0x001e), "x448");
	assert_string_equal(iana_group_name(0x0100), "ffdhe2048");
	assert_string_equal(iana_group_name(0x0104), "ffdhe8192");
	assert_string_equal(iana_group_name(0x11eb), "SecP256r1MLKEM768");
	assert_string_equal(iana_group_name(0x11ec), "X25519MLKEM768");
	assert_string_equal(iana_group_name(0x6399), "X25519Kyber768Draft00");
	assert_null(iana_group_name(0x0000));
	assert_null(iana_group_name(0x1234));

	assert_string_equal(iana_sigalg_name(0x0403), "ecdsa_secp256r1_sha256");
	assert_string_equal(iana_sigalg_name(0x0804), "rsa_pss_rsae_sha256");
	assert_string_equal(iana_sigalg_name(0x0807), "ed25519");
	assert_string_equal(iana_sigalg_name(0x0201), "rsa_pkcs1_sha1");
	assert_string_equal(iana_sigalg_name(0x0101), "rsa_pkcs1_md5");
	assert_null(iana_sigalg_name(0x0000));
	assert_null(iana_sigalg_name(0xffff));
}

static void
test_cipher_names(void **state)
{
	(void)state;
	assert_string_equal(iana_cipher_name(0x0000),
	    "TLS_NULL_WITH_NULL_NULL");
	assert_string_equal(iana_cipher_name(0x002f),
	    "TLS_RSA_WITH_AES_128_CBC_SHA");
	assert_string_equal(iana_cipher_name(0x1302), "TLS_AES_256_GCM_SHA384");
	assert_string_equal(iana_cipher_name(0xc02f),
	    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
	assert_string_equal(iana_cipher_name(0xcca9),
	    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256");
	assert_string_equal(iana_cipher_name(0x5600), "TLS_FALLBACK_SCSV");
	/* Range rows ("Reserved to avoid conflicts") and Unassigned: none. */
	assert_null(iana_cipher_name(0x001c));
	assert_null(iana_cipher_name(0x0050));
	assert_null(iana_cipher_name(0x1300));
	assert_null(iana_cipher_name(0x1308));
	assert_null(iana_cipher_name(0xffff));
	/* Names from neighbouring rows must not bleed into gaps. */
	assert_string_equal(iana_cipher_name(0x001b),
	    "TLS_DH_anon_WITH_3DES_EDE_CBC_SHA");
	assert_string_equal(iana_cipher_name(0x001e),
	    "TLS_KRB5_WITH_DES_CBC_SHA");
}

static void
test_table_sorted_and_complete(void **state)
{
	const struct iana_cipher *c;
	const struct iana_cipher *prev = NULL;
	size_t i;

	(void)state;
	for (i = 0;; i++) {
		c = iana_cipher_at(i);
		if (c == NULL)
			break;
		if (prev)
			assert_true(prev->id < c->id);
		/* Every entry is reachable by lookup and names itself. */
		assert_ptr_equal(iana_cipher(c->id), c);
		assert_non_null(c->name);
		assert_true(strncmp(c->name, "TLS_", 4) == 0);
		if (c->flags & IANA_CF_SCSV) {
			assert_null(c->kx);
			assert_null(c->enc);
		} else {
			assert_non_null(c->kx);
			assert_non_null(c->auth);
			assert_non_null(c->enc);
			assert_non_null(c->mac);
		}
		/* AEAD suites carry no separate MAC, others always one. */
		if (c->mode == IANA_MODE_AEAD)
			assert_string_equal(c->mac, "AEAD");
		prev = c;
	}
	/* The registry copy names a few hundred suites. */
	assert_true(i > 300);
	assert_true(i < 600);
	assert_null(iana_cipher_at(i));
}

static void
test_cipher_classes(void **state)
{
	const struct iana_cipher *c;

	(void)state;
	c = iana_cipher(0xc02f);
	assert_non_null(c);
	assert_string_equal(c->kx, "ECDHE");
	assert_string_equal(c->auth, "RSA");
	assert_string_equal(c->enc, "AES_128_GCM");
	assert_string_equal(c->mac, "AEAD");
	assert_int_equal(c->mode, IANA_MODE_AEAD);
	assert_true(c->flags & IANA_CF_FS);
	assert_true(c->flags & IANA_CF_RECOMMENDED);
	assert_false(c->flags & IANA_CF_WEAK);
	assert_false(c->flags & IANA_CF_TLS13);
	assert_null(iana_weak_reason(c->flags));

	c = iana_cipher(0x1301);
	assert_non_null(c);
	assert_string_equal(c->kx, "any");
	assert_string_equal(c->auth, "any");
	assert_string_equal(c->enc, "AES_128_GCM");
	assert_true(c->flags & IANA_CF_TLS13);
	assert_true(c->flags & IANA_CF_FS);

	c = iana_cipher(0x1303);
	assert_string_equal(c->enc, "CHACHA20_POLY1305");
	assert_int_equal(c->mode, IANA_MODE_AEAD);

	/* Static RSA key transport: no forward secrecy, not weak. */
	c = iana_cipher(0x0035);
	assert_string_equal(c->kx, "RSA");
	assert_string_equal(c->enc, "AES_256_CBC");
	assert_string_equal(c->mac, "SHA1");
	assert_int_equal(c->mode, IANA_MODE_CBC);
	assert_false(c->flags & IANA_CF_FS);
	assert_false(c->flags & IANA_CF_WEAK);

	c = iana_cipher(0x009f);
	assert_string_equal(c->kx, "DHE");
	assert_true(c->flags & IANA_CF_FS);

	c = iana_cipher(0xc028);
	assert_string_equal(c->mac, "SHA384");
	assert_string_equal(c->enc, "AES_256_CBC");

	/* The weak ones. */
	c = iana_cipher(0x0005);
	assert_string_equal(c->enc, "RC4_128");
	assert_int_equal(c->mode, IANA_MODE_STREAM);
	assert_true(c->flags & IANA_CF_RC4);
	assert_string_equal(iana_weak_reason(c->flags), "RC4");

	c = iana_cipher(0x0004);
	assert_true(c->flags & IANA_CF_MD5);
	assert_string_equal(c->mac, "MD5");

	c = iana_cipher(0x000a);
	assert_string_equal(c->enc, "3DES_EDE_CBC");
	assert_true(c->flags & IANA_CF_3DES);
	assert_string_equal(iana_weak_reason(c->flags), "3DES");

	c = iana_cipher(0x0009);
	assert_true(c->flags & IANA_CF_DES);
	assert_false(c->flags & IANA_CF_3DES);

	c = iana_cipher(0x0003);
	assert_string_equal(c->kx, "RSA");
	assert_true(c->flags & IANA_CF_EXPORT);
	assert_string_equal(iana_weak_reason(c->flags), "export");

	c = iana_cipher(0x0014);
	assert_string_equal(c->kx, "DHE");
	assert_true(c->flags & IANA_CF_EXPORT);
	assert_true(c->flags & IANA_CF_DES);

	c = iana_cipher(0x0034);
	assert_string_equal(c->auth, "anon");
	assert_true(c->flags & IANA_CF_ANON);
	assert_string_equal(iana_weak_reason(c->flags), "anonymous");

	c = iana_cipher(0xc018);
	assert_string_equal(c->kx, "ECDH");
	assert_string_equal(c->auth, "anon");
	/* Ephemeral but unauthenticated: neither FS-by-(EC)DHE nor safe. */
	assert_false(c->flags & IANA_CF_FS);
	assert_true(c->flags & IANA_CF_ANON);

	c = iana_cipher(0x0002);
	assert_string_equal(c->enc, "NULL");
	assert_int_equal(c->mode, IANA_MODE_NONE);
	assert_true(c->flags & IANA_CF_NULL);
	assert_string_equal(iana_weak_reason(c->flags), "NULL encryption");

	/* RFC 9150 integrity-only TLS 1.3 suite. */
	c = iana_cipher(0xc0b4);
	assert_string_equal(c->enc, "NULL");
	assert_string_equal(c->mac, "SHA256");
	assert_true(c->flags & IANA_CF_TLS13);
	assert_true(c->flags & IANA_CF_NULL);

	/* RFC 9367: MGM suites are TLS 1.3 despite their _WITH_ name. */
	c = iana_cipher(0xc103);
	assert_true(c->flags & IANA_CF_TLS13);
	assert_int_equal(c->mode, IANA_MODE_AEAD);

	/* Signalling values. */
	c = iana_cipher(0x00ff);
	assert_true(c->flags & IANA_CF_SCSV);
	assert_false(c->flags & IANA_CF_WEAK);
	c = iana_cipher(0x5600);
	assert_true(c->flags & IANA_CF_SCSV);

	/* PSK with ephemeral DH. */
	c = iana_cipher(0xccad);
	assert_string_equal(c->kx, "DHE");
	assert_string_equal(c->auth, "PSK");
	assert_true(c->flags & IANA_CF_FS);
}

static void
test_weak_counts(void **state)
{
	const struct iana_cipher *c;
	size_t i, weak = 0, fs = 0, tls13 = 0;

	(void)state;
	for (i = 0;; i++) {
		c = iana_cipher_at(i);
		if (c == NULL)
			break;
		if (c->flags & IANA_CF_WEAK)
			weak++;
		if (c->flags & IANA_CF_FS)
			fs++;
		if (c->flags & IANA_CF_TLS13)
			tls13++;
		/* No modern AEAD suite is flagged weak, except NULL-auth. */
		if (c->mode == IANA_MODE_AEAD && (c->flags & IANA_CF_WEAK))
			assert_true(c->flags & IANA_CF_ANON);
		if (c->flags & IANA_CF_RC4)
			assert_int_equal(c->mode, IANA_MODE_STREAM);
	}
	/*
	 * 0x1301-0x1307, SM4 (0x00c6, 0x00c7), RFC 9150 (0xc0b4, 0xc0b5) and
	 * the four GOST MGM suites.
	 */
	assert_int_equal(tls13, 15);
	assert_true(weak > 60);
	assert_true(fs > 100);
}

static void
test_mode_and_reason_strings(void **state)
{
	(void)state;
	assert_string_equal(iana_mode_str(IANA_MODE_AEAD), "AEAD");
	assert_string_equal(iana_mode_str(IANA_MODE_CBC), "CBC");
	assert_string_equal(iana_mode_str(IANA_MODE_STREAM), "stream");
	assert_string_equal(iana_mode_str(IANA_MODE_NONE), "none");
	assert_null(iana_weak_reason(0));
	assert_null(iana_weak_reason(IANA_CF_FS | IANA_CF_TLS13));
	/* Gravest first. */
	assert_string_equal(iana_weak_reason(IANA_CF_MD5 | IANA_CF_NULL),
	    "NULL encryption");
	assert_string_equal(iana_weak_reason(IANA_CF_3DES | IANA_CF_EXPORT),
	    "export");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grease_rule),
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_small_registries),
		cmocka_unit_test(test_cipher_names),
		cmocka_unit_test(test_table_sorted_and_complete),
		cmocka_unit_test(test_cipher_classes),
		cmocka_unit_test(test_weak_counts),
		cmocka_unit_test(test_mode_and_reason_strings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
