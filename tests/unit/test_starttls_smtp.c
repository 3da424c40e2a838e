/* test_starttls_smtp.c: the SMTP plaintext phase up to STARTTLS (RFC 5321, RFC 3207, RFC 4954, RFC 2920, RFC 3030). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#define DRIVE_OPS starttls_smtp_ops
#include "starttls_drive.h"
#include "session/lineproto.h"

#define LINE_LONG LINEPROTO_LINE_MAX

/* Postfix 3.7 (Debian) and `openssl s_client -starttls smtp`, as such an
 * exchange goes on the wire. */
static const char pf_greeting[] =
	"220 mail.lab.example ESMTP Postfix (Debian/GNU)\r\n";
static const char ehlo[] = "EHLO client.lab.example\r\n";
static const char pf_ehlo[] =
	"250-mail.lab.example\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n"
	"250-VRFY\r\n250-ETRN\r\n250-STARTTLS\r\n250-AUTH PLAIN LOGIN\r\n"
	"250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n"
	"250-SMTPUTF8\r\n250 CHUNKING\r\n";
static const char pf_ehlo_plain[] =
	"250-mail.lab.example\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n"
	"250-ENHANCEDSTATUSCODES\r\n250 8BITMIME\r\n";
static const char starttls[] = "STARTTLS\r\n";
static const char pf_ready[] = "220 2.0.0 Ready to start TLS\r\n";

static const struct step postfix[] = {
	STEP(S2C, pf_greeting, 4),
	STEP(C2S, ehlo, 6),
	STEP(S2C, pf_ehlo, 8),
	STEP(C2S, starttls, 10),
	STEP(S2C, pf_ready, 12),
	STEP(C2S, client_hello, 14),
	STEP(S2C, server_hello, 16),
};

static void
test_postfix_exchange(void **state)
{
	struct outcome o;

	(void)state;
	run(postfix, TA_ELEMENTS(postfix), &o);
	assert_int_equal(o.f.protocol, STARTTLS_PROTO_SMTP);
	assert_int_equal(o.f.greeting, STARTTLS_GREETING_OK);
	assert_int_equal(o.f.greeting_frame, 4);
	assert_int_equal(o.f.greeting_code, 220);
	assert_true(o.f.caps_known);
	assert_true(o.f.offered);
	assert_int_equal(o.f.caps_frame, 8);
	assert_int_equal(o.f.auth_mechs,
	                 STARTTLS_AUTH_PLAIN | STARTTLS_AUTH_LOGIN);
	assert_true(o.f.requested);
	assert_int_equal(o.f.request_frame, 10);
	assert_int_equal(o.f.response, STARTTLS_RESP_OK);
	assert_int_equal(o.f.response_code, 220);
	assert_int_equal(o.f.response_frame, 12);
	assert_text(o.f.response_text, o.f.response_text_len,
	            "2.0.0 Ready to start TLS");
	assert_false(o.f.plaintext_auth);
	assert_false(o.f.plaintext_mail);
	assert_int_equal(o.f.client_pipelined, 0);
	assert_int_equal(o.f.server_pipelined, 0);
	assert_false(o.f.tls_without_starttls);
	assert_false(o.f.unparsed);
	assert_true(o.tls[C2S]);
	assert_true(o.tls[S2C]);
	assert_int_equal(o.plain[C2S], strlen(ehlo) + strlen(starttls));
	assert_int_equal(o.plain[S2C], strlen(pf_greeting) + strlen(pf_ehlo) +
	                 strlen(pf_ready));
	assert_true(o.finished);
}

static void
test_postfix_split_everywhere(void **state)
{
	(void)state;
	assert_split_invariant(postfix, TA_ELEMENTS(postfix));
}

/* No STARTTLS in the EHLO answer; the mail goes in clear, its body
 * holding lines that read like commands, a dot-stuffed ".STARTTLS" and
 * a line "..". */
static void
test_not_offered_mail_in_clear(void **state)
{
	static const char mail[] =
		"MAIL FROM:<a@lab.example>\r\nRCPT TO:<b@lab.example>\r\n"
		"DATA\r\n";
	static const char ok3[] =
		"250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with "
		"<CR><LF>.<CR><LF>\r\n";
	static const char body[] =
		"Subject: x\r\n\r\nSTARTTLS\r\n..STARTTLS\r\n..\r\nAUTH PLAIN "
		"AHNlY3JldABzZWNyZXQ=\r\n.\r\nQUIT\r\n";
	static const char done[] = "250 2.0.0 Ok: queued as 1234\r\n"
		"221 2.0.0 Bye\r\n";
	const struct step s[] = {
		STEP(S2C, pf_greeting, 4), STEP(C2S, ehlo, 6),
		STEP(S2C, pf_ehlo_plain, 8), STEP(C2S, mail, 10),
		STEP(S2C, ok3, 12), STEP(C2S, body, 14), STEP(S2C, done, 16),
	};
	struct outcome o;

	(void)state;
	run(s, TA_ELEMENTS(s), &o);
	assert_true(o.f.caps_known);
	assert_false(o.f.offered);
	assert_int_equal(o.f.caps_frame, 8);
	assert_false(o.f.requested);
	assert_false(o.f.plaintext_auth);
	assert_true(o.f.plaintext_mail);
	assert_int_equal(o.f.plaintext_mail_frame, 10);
	assert_false(o.f.unparsed);
	assert_false(o.tls[C2S]);
	assert_false(o.tls[S2C]);
	assert_false(o.finished);
	assert_split_invariant(s, TA_ELEMENTS(s));
}

/* 454 is temporary, 5xx permanent; the client's next line is a command
 * again, and a new STARTTLS replaces the refused one. */
static void
test_refused(void **state)
{
	static const char r454[] =
		"454 4.7.0 TLS not available due to local problem\r\n";
	static const char r502[] = "502 5.5.1 Error: command not implemented\r\n";
	static const char quit[] = "QUIT\r\n";
	const struct step s454[] = {
		STEP(S2C, pf_greeting, 4), STEP(C2S, ehlo, 6),
		STEP(S2C, pf_ehlo, 8), STEP(C2S, starttls, 10),
		STEP(S2C, r454, 12), STEP(C2S, quit, 14),
	};
	const struct step s502[] = {
		STEP(S2C, pf_greeting, 4), STEP(C2S, ehlo, 6),
		STEP(S2C, pf_ehlo_plain, 8), STEP(C2S, starttls, 10),
		STEP(S2C, r502, 12), STEP(C2S, starttls, 14),
		STEP(S2C, pf_ready, 16), STEP(C2S, client_hello, 18),
	};
	struct outcome o;

	(void)state;
	run(s454, TA_ELEMENTS(s454), &o);
	assert_int_equal(o.f.response, STARTTLS_RESP_TEMPFAIL);
	assert_true(starttls_resp_refused(o.f.response));
	assert_int_equal(o.f.response_code, 454);
	assert_int_equal(o.f.response_frame, 12);
	assert_text(o.f.response_text, o.f.response_text_len,
	            "4.7.0 TLS not available due to local problem");
	assert_int_equal(o.f.client_pipelined, 0);
	assert_false(o.f.tls_without_starttls);

	run(s502, TA_ELEMENTS(s502), &o);
	assert_int_equal(o.f.response, STARTTLS_RESP_OK);
	assert_int_equal(o.f.request_frame, 14);
	assert_int_equal(o.f.response_frame, 16);
	assert_true(o.tls[C2S]);
	assert_false(o.f.tls_without_starttls);

	/* Only the 502, its text cut to what the facts keep. */
	run(s502, 5, &o);
	assert_int_equal(o.f.response, STARTTLS_RESP_PERMFAIL);
	assert_int_equal(o.f.response_code, 502);
}

/* 530: the server requires TLS of this client (RFC 3207 4); 421: it
 * closes (RFC 5321 3.8); 554 in the greeting: it refuses the session. */
static void
test_required_closing_refused(void **state)
{
	static const char mail[] = "MAIL FROM:<a@lab.example>\r\n";
	static const char r530[] =
		"530 5.7.0 Must issue a STARTTLS command first\r\n";
	static const char r421[] =
		"421 4.7.0 mail.lab.example Error: too many errors\r\n";
	static const char g554[] = "554 5.7.1 Service unavailable; Client host "
		"[198.18.1.2] blocked\r\n";
	const struct step req[] = {
		STEP(S2C, pf_greeting, 4), STEP(C2S, ehlo, 6),
		STEP(S2C, pf_ehlo, 8), STEP(C2S, mail, 10),
		STEP(S2C, r530, 12),
	};
	const struct step bye[] = {
		STEP(S2C, pf_greeting, 4), STEP(C2S, ehlo, 6),
		STEP(S2C, r421, 8),
	};
	const struct step greet[] = { STEP(S2C, g554, 4) };
	struct outcome o;

	(void)state;
	run(req, TA_ELEMENTS(req), &o);
	assert_true(o.f.tls_required);
	assert_int_equal(o.f.tls_required_frame, 12);
	assert_true(o.f.plaintext_mail);
	assert_false(o.f.closing);

	run(bye, TA_ELEMENTS(bye), &o);
	assert_true(o.f.closing);
	assert_int_equal(o.f.closing_frame, 8);
	assert_text(o.f.closing_text, o.f.closing_text_len,
	            "4.7.0 mail.lab.example Error: too many errors");
	/* The 421 answered the EHLO: no extension list was read. */
	assert_false(o.f.caps_known);

	run(greet, TA_ELEMENTS(greet), &o);
	assert_int_equal(o.f.greeting, STARTTLS_GREETING_REFUSED);
	assert_int_equal(o.f.greeting_code, 554);
	assert_true(starttls_greeting_refuses(o.f.greeting));
}

/* CVE-2011-0411: a command pipelined after STARTTLS in the same segment
 * is counted; a server's plaintext after its 220 too, and never
 * believed. */
static void
test_pipelined_injection(void **state)
{
	static const char inject[] = "STARTTLS\r\nRSET\r\n";
	static const char srv[] =
		"220 2.0.0 Ready to start TLS\r\n250-injected\r\n250 STARTTLS\r\n";
	const struct step s[] = {
		STEP(S2C, pf_greeting, 4), STEP(C2S, ehlo, 6),
		STEP(S2C, pf_ehlo_plain, 8), STEP(C2S, inject, 10),
		STEP(S2C, srv, 12), STEP(C2S, client_hello, 14),
		STEP(S2C, server_hello, 16),
	};
	struct outcome o;

	(void)state;
	run(s, TA_ELEMENTS(s), &o);
	assert_true(o.f.requested);
	assert_int_equal(o.f.response, STARTTLS_RESP_OK);
	assert_int_equal(o.f.client_pipelined, 6);
	assert_int_equal(o.f.client_pipelined_frame, 10);
	assert_int_equal(o.f.server_pipelined, 28);
	assert_int_equal(o.f.server_pipelined_frame, 12);
	/* The injected EHLO answer offered nothing. */
	assert_false(o.f.offered);
	assert_true(o.tls[C2S]);
	assert_true(o.tls[S2C]);
	assert_split_invariant(s, TA_ELEMENTS(s));
}

/* Replies are matched to pipelined commands in order (RFC 2920), with a
 * whole transaction before STARTTLS. */
static void
test_pipelined_transaction(void **state)
{
	static const char cmds[] = "MAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\n"
		"RCPT TO:<c@x>\r\nDATA\r\n";
	static const char r[] = "250 2.1.0 Ok\r\n550 5.1.1 <b@x>: unknown\r\n"
		"250 2.1.5 Ok\r\n354 go ahead\r\n";
	static const char body[] = "hello\r\n.\r\nSTARTTLS\r\n";
	static const char r2[] = "250 queued\r\n220 2.0.0 Ready\r\n";
	const struct step s[] = {
		STEP(S2C, pf_greeting, 4), STEP(C2S, ehlo, 6),
		STEP(S2C, pf_ehlo, 8), STEP(C2S, cmds, 10), STEP(S2C, r, 12),
		STEP(C2S, body, 14), STEP(S2C, r2, 16),
		STEP(C2S, client_hello, 18),
	};
	struct outcome o;

	(void)state;
	run(s, TA_ELEMENTS(s), &o);
	assert_true(o.f.requested);
	assert_int_equal(o.f.request_frame, 14);
	assert_int_equal(o.f.response, STARTTLS_RESP_OK);
	assert_int_equal(o.f.response_frame, 16);
	assert_true(o.tls[C2S]);
	assert_false(o.f.tls_without_starttls);
	assert_split_invariant(s, TA_ELEMENTS(s));
}

/* BDAT's chunk is data, whatever it reads like (RFC 3030 2). */
static void
test_bdat_chunk(void **state)
{
	static const char cmds[] = "MAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\n"
		"BDAT 10 LAST\r\nSTARTTLS\r\n";
	static const char r[] = "250 Ok\r\n250 Ok\r\n250 Ok\r\n";
	const struct step s[] = {
		STEP(S2C, pf_greeting, 4), STEP(C2S, ehlo, 6),
		STEP(S2C, pf_ehlo, 8), STEP(C2S, cmds, 10), STEP(S2C, r, 12),
	};
	struct outcome o;

	(void)state;
	run(s, TA_ELEMENTS(s), &o);
	assert_false(o.f.requested);
	assert_true(o.f.plaintext_mail);
	assert_split_invariant(s, TA_ELEMENTS(s));
}

/* AUTH in clear: detected, its SASL lines never read nor kept, even when
 * a line is binary or over-long. */
static void
test_auth_never_kept(void **state)
{
	static const char auth[] = "AUTH LOGIN\r\n";
	static const char c334u[] = "334 VXNlcm5hbWU6\r\n";
	static const char user[] = "bGFidXNlcg==\r\n";
	static const char c334p[] = "334 UGFzc3dvcmQ6\r\n";
	static const char pass[] = "bGFicGFzc3dvcmQ=\r\n";
	static const char ok[] = "235 2.7.0 Authentication successful\r\n";
	static const char plain[] = "AUTH PLAIN AGxhYnVzZXIAbGFicGFzc3dvcmQ=\r\n";
	static const char plain_nul[] = "AUTH\tPLAIN labpassword\0\r\n";
	const struct step login[] = {
		STEP(S2C, pf_greeting, 4), STEP(C2S, ehlo, 6),
		STEP(S2C, pf_ehlo, 8), STEP(C2S, auth, 10),
		STEP(S2C, c334u, 12), STEP(C2S, user, 14),
		STEP(S2C, c334p, 16), STEP(C2S, pass, 18), STEP(S2C, ok, 20),
		STEP(C2S, starttls, 22), STEP(S2C, pf_ready, 24),
	};
	const struct step ir[] = {
		STEP(S2C, pf_greeting, 4), STEP(C2S, ehlo, 6),
		STEP(S2C, pf_ehlo, 8), STEP(C2S, plain, 10),
		STEP(S2C, ok, 12),
	};
	const struct step bin[] = {
		STEP(S2C, pf_greeting, 4), STEP(C2S, plain_nul, 6),
	};
	struct outcome o;

	(void)state;
	run(login, TA_ELEMENTS(login), &o);
	assert_true(o.f.plaintext_auth);
	assert_int_equal(o.f.plaintext_auth_frame, 10);
	/* The SASL exchange ended with 235: STARTTLS is read again. */
	assert_true(o.f.requested);
	assert_int_equal(o.f.response, STARTTLS_RESP_OK);
	assert_secret_absent(&o.f, "bGFicGFzc3dvcmQ=");
	assert_secret_absent(&o.f, "labpassword");
	assert_split_invariant(login, TA_ELEMENTS(login));

	run(ir, TA_ELEMENTS(ir), &o);
	assert_true(o.f.plaintext_auth);
	assert_secret_absent(&o.f, "AGxhYnVzZXIAbGFicGFzc3dvcmQ=");

	run(bin, TA_ELEMENTS(bin), &o);
	assert_true(o.f.unparsed);
	assert_int_equal(o.f.unparsed_dir, C2S);
	assert_text(o.f.unparsed_excerpt, o.f.unparsed_len, "AUTH");
	assert_secret_absent(&o.f, "labpassword");
}

/* A server that is not SMTP, a binary or over-long line, and replies of
 * the wrong form: that direction is read no further. */
static void
test_not_smtp(void **state)
{
	static const char imap[] = "* OK [CAPABILITY IMAP4rev1] ready\r\n";
	static const char nul[] = "250-mail\r\n250 OK\0x\r\n";
	static const char badsep[] = "250_mail.lab.example\r\n";
	static const char code1[] = "150 what\r\n";
	uint8_t longline[LINE_LONG + 2];
	const struct step s1[] = { STEP(S2C, imap, 4) };
	const struct step s2[] = {
		STEP(S2C, pf_greeting, 4), STEP(C2S, ehlo, 6),
		STEP(S2C, nul, 8),
	};
	const struct step s3[] = { STEP(S2C, badsep, 4) };
	const struct step s4[] = { STEP(S2C, code1, 4) };
	struct step s5[] = { {S2C, longline, sizeof longline, 4, false} };
	struct outcome o;

	(void)state;
	run(s1, 1, &o);
	assert_int_equal(o.f.greeting, STARTTLS_GREETING_OTHER);
	assert_int_equal(o.f.greeting_frame, 4);
	assert_true(o.f.unparsed);
	assert_int_equal(o.f.unparsed_dir, S2C);
	assert_text(o.f.unparsed_excerpt, o.f.unparsed_len,
	            "* OK [CAPABILITY IMAP4rev1] read");

	run(s2, TA_ELEMENTS(s2), &o);
	assert_int_equal(o.f.greeting, STARTTLS_GREETING_OK);
	assert_true(o.f.unparsed);
	assert_int_equal(o.f.unparsed_frame, 8);
	assert_false(o.f.caps_known);

	run(s3, 1, &o);
	assert_true(o.f.unparsed);
	run(s4, 1, &o);
	assert_true(o.f.unparsed);

	memset(longline, 'x', sizeof longline);
	memcpy(longline, "220 ", 4);
	longline[sizeof longline - 1] = '\n';
	run(s5, 1, &o);
	assert_true(o.f.unparsed);
	assert_int_equal(o.f.unparsed_len, STARTTLS_EXCERPT_MAX);
	/* One byte shorter fits. */
	s5[0].n = LINE_LONG;
	longline[LINE_LONG - 1] = '\n';
	run(s5, 1, &o);
	assert_false(o.f.unparsed);
	assert_int_equal(o.f.greeting, STARTTLS_GREETING_OK);
}

/* A ClientHello on port 25 without STARTTLS, a server speaking TLS
 * first, an SSLv2 hello from the server side (never TLS from a server). */
static void
test_tls_without_starttls(void **state)
{
	const struct step cl[] = {
		STEP(S2C, pf_greeting, 4), STEP(C2S, client_hello, 6),
	};
	const struct step sv[] = { STEP(S2C, server_hello, 4) };
	struct outcome o;

	(void)state;
	run(cl, TA_ELEMENTS(cl), &o);
	assert_true(o.f.tls_without_starttls);
	assert_int_equal(o.f.tls_without_starttls_dir, C2S);
	assert_int_equal(o.f.tls_without_starttls_frame, 6);
	assert_true(o.tls[C2S]);
	assert_int_equal(o.plain[C2S], 0);

	run(sv, 1, &o);
	assert_true(o.f.tls_without_starttls);
	assert_int_equal(o.f.tls_without_starttls_dir, S2C);
	assert_int_equal(o.f.greeting, STARTTLS_GREETING_NONE);
}

/* Lost bytes stop a direction; the server's TLS after a lost client side
 * is not called unexpected. */
static void
test_gap(void **state)
{
	const struct step s[] = {
		STEP(S2C, pf_greeting, 4), GAP(C2S, 30, 6),
		STEP(S2C, pf_ready, 8), STEP(S2C, server_hello, 10),
	};
	struct outcome o;

	(void)state;
	run(s, TA_ELEMENTS(s), &o);
	assert_true(o.f.gap);
	assert_false(o.f.tls_without_starttls);
	assert_true(o.tls[S2C]);
	assert_true(o.finished);
}

/* The server's direction alone: its first multi-line 250 after the
 * greeting is the EHLO answer (no other command has one before mail);
 * with the client heard, a reply nothing asked for is not taken so. */
static void
test_server_only_ehlo(void **state)
{
	const struct step alone[] = {
		STEP(S2C, pf_greeting, 4), STEP(S2C, pf_ehlo_plain, 6),
	};
	const struct step alone_offered[] = {
		STEP(S2C, pf_greeting, 4), STEP(S2C, pf_ehlo, 6),
		STEP(S2C, pf_ready, 8), STEP(S2C, server_hello, 10),
	};
	struct outcome o;

	(void)state;
	run(alone, TA_ELEMENTS(alone), &o);
	assert_true(o.f.caps_known);
	assert_false(o.f.offered);
	assert_int_equal(o.f.caps_frame, 6);
	run(alone_offered, TA_ELEMENTS(alone_offered), &o);
	assert_true(o.f.caps_known);
	assert_true(o.f.offered);
	assert_true(o.tls[S2C]);
	assert_false(o.f.requested);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_postfix_exchange),
		cmocka_unit_test(test_postfix_split_everywhere),
		cmocka_unit_test(test_not_offered_mail_in_clear),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_required_closing_refused),
		cmocka_unit_test(test_pipelined_injection),
		cmocka_unit_test(test_pipelined_transaction),
		cmocka_unit_test(test_bdat_chunk),
		cmocka_unit_test(test_auth_never_kept),
		cmocka_unit_test(test_not_smtp),
		cmocka_unit_test(test_tls_without_starttls),
		cmocka_unit_test(test_gap),
		cmocka_unit_test(test_server_only_ehlo),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
