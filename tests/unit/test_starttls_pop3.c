/* test_starttls_pop3.c: the POP3 plaintext phase up to STLS (RFC 1939, RFC 2449, RFC 2595 4, RFC 5034). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#define DRIVE_OPS starttls_pop3_ops
#include "starttls_drive.h"
#include "session/lineproto.h"

/* Dovecot 2.3 (Debian) and `openssl s_client -starttls pop3`, as such an
 * exchange goes on the wire. */
static const char dv_greeting[] = "+OK Dovecot (Debian) ready.\r\n";
static const char capa[] = "CAPA\r\n";
static const char dv_capa[] =
	"+OK\r\nCAPA\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nPIPELINING\r\n"
	"AUTH-RESP-CODE\r\nSTLS\r\nUSER\r\nSASL PLAIN LOGIN\r\n.\r\n";
static const char dv_capa_plain[] =
	"+OK\r\nCAPA\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nPIPELINING\r\n"
	"USER\r\nSASL PLAIN\r\n.\r\n";
static const char stls[] = "STLS\r\n";
static const char dv_ok[] = "+OK Begin TLS negotiation now.\r\n";

static const struct step dovecot[] = {
	STEP(S2C, dv_greeting, 4),
	STEP(C2S, capa, 6),
	STEP(S2C, dv_capa, 8),
	STEP(C2S, stls, 10),
	STEP(S2C, dv_ok, 12),
	STEP(C2S, client_hello, 14),
	STEP(S2C, server_hello, 16),
};

static void
test_dovecot_exchange(void **state)
{
	struct outcome o;

	(void)state;
	run(dovecot, TA_ELEMENTS(dovecot), &o);
	assert_int_equal(o.f.protocol, STARTTLS_PROTO_POP3);
	assert_int_equal(o.f.greeting, STARTTLS_GREETING_OK);
	assert_int_equal(o.f.greeting_frame, 4);
	assert_int_equal(o.f.greeting_code, 0);
	assert_true(o.f.caps_known);
	assert_true(o.f.offered);
	assert_int_equal(o.f.caps_frame, 8);
	assert_int_equal(o.f.auth_mechs,
	                 STARTTLS_AUTH_PLAIN | STARTTLS_AUTH_LOGIN);
	assert_true(o.f.requested);
	assert_int_equal(o.f.request_frame, 10);
	assert_int_equal(o.f.response, STARTTLS_RESP_OK);
	assert_int_equal(o.f.response_frame, 12);
	assert_text(o.f.response_text, o.f.response_text_len,
	            "Begin TLS negotiation now.");
	assert_int_equal(o.f.client_pipelined, 0);
	assert_int_equal(o.f.server_pipelined, 0);
	assert_false(o.f.tls_without_starttls);
	assert_true(o.tls[C2S]);
	assert_true(o.tls[S2C]);
	assert_int_equal(o.plain[C2S], strlen(capa) + strlen(stls));
	assert_int_equal(o.plain[S2C], strlen(dv_greeting) + strlen(dv_capa) +
	                 strlen(dv_ok));
	assert_true(o.finished);
}

static void
test_dovecot_split_everywhere(void **state)
{
	(void)state;
	assert_split_invariant(dovecot, TA_ELEMENTS(dovecot));
}

/* STLS not listed; USER/PASS in clear (the PASS is the credential), a
 * message fetched whose lines read like commands and answers. */
static void
test_not_offered_login_in_clear(void **state)
{
	static const char user[] = "USER labuser\r\n";
	static const char ok[] = "+OK\r\n";
	static const char pass[] = "PASS labpassword\r\n";
	static const char okl[] = "+OK Logged in.\r\n";
	static const char retr[] = "RETR 1\r\n";
	static const char msg[] = "+OK 40 octets\r\nSubject: x\r\n\r\n"
		"+OK Begin TLS negotiation now.\r\n..\r\n.STLS\r\n.\r\n";
	static const char list[] = "LIST\r\n";
	static const char lst[] = "+OK 1 messages:\r\n1 40\r\n.\r\n";
	static const char quit[] = "QUIT\r\n";
	static const char bye[] = "+OK Logging out.\r\n";
	const struct step s[] = {
		STEP(S2C, dv_greeting, 4), STEP(C2S, capa, 6),
		STEP(S2C, dv_capa_plain, 8), STEP(C2S, user, 10),
		STEP(S2C, ok, 12), STEP(C2S, pass, 14), STEP(S2C, okl, 16),
		STEP(C2S, retr, 18), STEP(S2C, msg, 20), STEP(C2S, list, 22),
		STEP(S2C, lst, 24), STEP(C2S, stls, 26),
		STEP(S2C, dv_ok, 28), STEP(C2S, quit, 30), STEP(S2C, bye, 32),
	};
	struct outcome o;

	(void)state;
	run(s, 13, &o);
	assert_true(o.f.caps_known);
	assert_false(o.f.offered);
	assert_int_equal(o.f.auth_mechs, STARTTLS_AUTH_PLAIN);
	assert_true(o.f.plaintext_auth);
	assert_int_equal(o.f.plaintext_auth_frame, 14);
	assert_true(o.f.plaintext_mail);
	assert_int_equal(o.f.plaintext_mail_frame, 18);
	/* The message's "+OK Begin TLS" line is data; the STLS at frame 26
	 * is a command and its +OK the answer. */
	assert_true(o.f.requested);
	assert_int_equal(o.f.request_frame, 26);
	assert_int_equal(o.f.response, STARTTLS_RESP_OK);
	assert_int_equal(o.f.response_frame, 28);
	assert_secret_absent(&o.f, "labpassword");
	assert_split_invariant(s, 13);

	run(s, 11, &o);
	assert_false(o.f.requested);
	assert_false(o.f.unparsed);
}

static void
test_refused_then_retry(void **state)
{
	static const char err[] = "-ERR TLS support isn't enabled.\r\n";
	const struct step s[] = {
		STEP(S2C, dv_greeting, 4), STEP(C2S, stls, 6),
		STEP(S2C, err, 8), STEP(C2S, stls, 10), STEP(S2C, dv_ok, 12),
		STEP(C2S, client_hello, 14),
	};
	struct outcome o;

	(void)state;
	run(s, 3, &o);
	assert_true(o.f.requested);
	assert_int_equal(o.f.response, STARTTLS_RESP_ERR);
	assert_true(starttls_resp_refused(o.f.response));
	assert_int_equal(o.f.response_frame, 8);
	assert_text(o.f.response_text, o.f.response_text_len,
	            "TLS support isn't enabled.");
	assert_false(o.f.caps_known);

	run(s, TA_ELEMENTS(s), &o);
	assert_int_equal(o.f.response, STARTTLS_RESP_OK);
	assert_int_equal(o.f.request_frame, 10);
	assert_true(o.tls[C2S]);
	assert_false(o.f.tls_without_starttls);
	assert_split_invariant(s, TA_ELEMENTS(s));
}

/* -ERR as greeting refuses the session; -ERR to CAPA leaves nothing
 * offered; a response code is kept in the text. */
static void
test_err_greeting_and_capa(void **state)
{
	static const char eg[] = "-ERR [SYS/TEMP] Too many connections\r\n";
	static const char ec[] = "-ERR Unknown command: CAPA\r\n";
	const struct step s1[] = { STEP(S2C, eg, 4) };
	const struct step s2[] = {
		STEP(S2C, dv_greeting, 4), STEP(C2S, capa, 6),
		STEP(S2C, ec, 8),
	};
	struct outcome o;

	(void)state;
	run(s1, 1, &o);
	assert_int_equal(o.f.greeting, STARTTLS_GREETING_REFUSED);
	assert_true(starttls_greeting_refuses(o.f.greeting));
	assert_false(o.f.unparsed);

	run(s2, TA_ELEMENTS(s2), &o);
	assert_true(o.f.caps_known);
	assert_false(o.f.offered);
	assert_int_equal(o.f.caps_frame, 8);
}

/* AUTH PLAIN with a continuation, APOP: credentials detected, never
 * kept; the client's SASL line reads like STLS and is not one. */
static void
test_auth_apop_never_kept(void **state)
{
	static const char auth[] = "AUTH PLAIN\r\n";
	static const char cont[] = "+ \r\n";
	static const char resp[] = "AGxhYnVzZXIAbGFicGFzc3dvcmQ=\r\n";
	static const char stls_sasl[] = "STLS\r\n";
	static const char ok[] = "+OK Logged in.\r\n";
	static const char err[] = "-ERR [AUTH] Authentication failed.\r\n";
	static const char apop[] =
		"APOP labuser c4c9334bac560ecc979e58001b3e22fb\r\n";
	static const char binpass[] = "PASS\tlabpassword\0\r\n";
	const struct step sasl[] = {
		STEP(S2C, dv_greeting, 4), STEP(C2S, auth, 6),
		STEP(S2C, cont, 8), STEP(C2S, resp, 10), STEP(S2C, ok, 12),
	};
	const struct step sasl2[] = {
		STEP(S2C, dv_greeting, 4), STEP(C2S, auth, 6),
		STEP(S2C, cont, 8), STEP(C2S, stls_sasl, 10),
		STEP(S2C, err, 12), STEP(C2S, stls, 14),
	};
	const struct step ap[] = {
		STEP(S2C, dv_greeting, 4), STEP(C2S, apop, 6),
	};
	const struct step bin[] = {
		STEP(S2C, dv_greeting, 4), STEP(C2S, binpass, 6),
	};
	struct outcome o;

	(void)state;
	run(sasl, TA_ELEMENTS(sasl), &o);
	assert_true(o.f.plaintext_auth);
	assert_int_equal(o.f.plaintext_auth_frame, 6);
	assert_secret_absent(&o.f, "AGxhYnVzZXIAbGFicGFzc3dvcmQ=");
	assert_split_invariant(sasl, TA_ELEMENTS(sasl));

	run(sasl2, TA_ELEMENTS(sasl2), &o);
	assert_true(o.f.requested);
	assert_int_equal(o.f.request_frame, 14);

	run(ap, TA_ELEMENTS(ap), &o);
	assert_true(o.f.plaintext_auth);
	assert_secret_absent(&o.f, "c4c9334bac560ecc979e58001b3e22fb");

	run(bin, TA_ELEMENTS(bin), &o);
	assert_true(o.f.unparsed);
	assert_text(o.f.unparsed_excerpt, o.f.unparsed_len, "PASS");
	assert_secret_absent(&o.f, "labpassword");
}

/* A command pipelined after STLS, the server's plaintext after its +OK. */
static void
test_pipelined(void **state)
{
	static const char inject[] = "STLS\r\nUSER x\r\n";
	static const char srv[] = "+OK Begin TLS\r\n+OK injected\r\n";
	const struct step s[] = {
		STEP(S2C, dv_greeting, 4), STEP(C2S, inject, 6),
		STEP(S2C, srv, 8), STEP(C2S, client_hello, 10),
		STEP(S2C, server_hello, 12),
	};
	struct outcome o;

	(void)state;
	run(s, TA_ELEMENTS(s), &o);
	assert_int_equal(o.f.response, STARTTLS_RESP_OK);
	assert_int_equal(o.f.client_pipelined, 8);
	assert_int_equal(o.f.client_pipelined_frame, 6);
	assert_int_equal(o.f.server_pipelined, 14);
	assert_true(o.tls[C2S]);
	assert_true(o.tls[S2C]);
	assert_true(o.finished);
	assert_split_invariant(s, TA_ELEMENTS(s));
}

/* Not POP3: an SMTP banner, a NUL, an over-long line; a ClientHello on
 * 110; a gap. */
static void
test_not_pop3_tls_gap(void **state)
{
	static const char smtp[] = "220 mail.lab.example ESMTP\r\n";
	static const char nul[] = "+OK ready\0\r\n";
	uint8_t longline[LINEPROTO_LINE_MAX + 1];
	const struct step s1[] = { STEP(S2C, smtp, 4) };
	const struct step s2[] = { STEP(S2C, nul, 4) };
	const struct step s3[] = { {S2C, longline, sizeof longline, 4, false} };
	const struct step s4[] = {
		STEP(S2C, dv_greeting, 4), STEP(C2S, client_hello, 6),
	};
	const struct step s5[] = {
		STEP(S2C, dv_greeting, 4), GAP(S2C, 100, 6),
		STEP(S2C, dv_ok, 8),
	};
	struct outcome o;

	(void)state;
	run(s1, 1, &o);
	assert_int_equal(o.f.greeting, STARTTLS_GREETING_OTHER);
	assert_true(o.f.unparsed);
	assert_text(o.f.unparsed_excerpt, o.f.unparsed_len,
	            "220 mail.lab.example ESMTP\r\n");
	run(s2, 1, &o);
	assert_true(o.f.unparsed);
	assert_int_equal(o.f.greeting, STARTTLS_GREETING_OTHER);
	memset(longline, '+', sizeof longline);
	longline[sizeof longline - 1] = '\n';
	run(s3, 1, &o);
	assert_true(o.f.unparsed);
	run(s4, TA_ELEMENTS(s4), &o);
	assert_true(o.f.tls_without_starttls);
	assert_int_equal(o.f.tls_without_starttls_dir, C2S);
	run(s5, TA_ELEMENTS(s5), &o);
	assert_true(o.f.gap);
	assert_false(o.f.requested);
	assert_int_equal(o.f.response, STARTTLS_RESP_NONE);
}

/* The server's direction alone (an asymmetric span): the CAPA list is a
 * multi-line answer only the client's command announces; it is read as
 * one because it names capabilities RFC 2449 defines (a mechanism list
 * names none and says nothing), and the server's TLS after its +OK is
 * found. With the client heard, or after a greeting that is not +OK, a
 * line that is no answer still stops the reading. */
static void
test_server_only(void **state)
{
	const struct step alone[] = {
		STEP(S2C, dv_greeting, 4), STEP(S2C, dv_capa, 8),
		STEP(S2C, dv_ok, 12), STEP(S2C, server_hello, 16),
	};
	const struct step heard[] = {
		STEP(S2C, dv_greeting, 4), STEP(C2S, stls, 6),
		STEP(S2C, dv_capa, 8),
	};
	static const char err[] = "-ERR go away\r\n";
	static const char mechs[] = "+OK\r\nPLAIN\r\nLOGIN\r\n.\r\n";
	const struct step mech_list[] = {
		STEP(S2C, dv_greeting, 4), STEP(S2C, mechs, 6),
		STEP(S2C, dv_capa_plain, 8),
	};
	const struct step refused[] = {
		STEP(S2C, err, 4), STEP(S2C, dv_capa, 8),
	};
	struct outcome o;

	(void)state;
	run(alone, TA_ELEMENTS(alone), &o);
	assert_false(o.f.unparsed);
	assert_true(o.f.caps_known);
	assert_true(o.f.offered);
	assert_int_equal(o.f.caps_frame, 8);
	assert_false(o.f.requested);
	assert_true(o.f.tls_without_starttls);
	assert_int_equal(o.f.tls_without_starttls_dir, S2C);
	assert_int_equal(o.f.tls_without_starttls_frame, 16);
	assert_true(o.tls[S2C]);
	assert_int_equal(o.plain[S2C], strlen(dv_greeting) + strlen(dv_capa) +
	                 strlen(dv_ok));
	run(mech_list, TA_ELEMENTS(mech_list), &o);
	assert_true(o.f.caps_known);
	assert_false(o.f.offered);
	assert_int_equal(o.f.caps_frame, 8);
	run(heard, TA_ELEMENTS(heard), &o);
	assert_true(o.f.unparsed);
	assert_int_equal(o.f.unparsed_dir, S2C);
	run(refused, TA_ELEMENTS(refused), &o);
	assert_true(o.f.unparsed);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dovecot_exchange),
		cmocka_unit_test(test_dovecot_split_everywhere),
		cmocka_unit_test(test_not_offered_login_in_clear),
		cmocka_unit_test(test_refused_then_retry),
		cmocka_unit_test(test_err_greeting_and_capa),
		cmocka_unit_test(test_auth_apop_never_kept),
		cmocka_unit_test(test_pipelined),
		cmocka_unit_test(test_not_pop3_tls_gap),
		cmocka_unit_test(test_server_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
