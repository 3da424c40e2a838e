/* test_diag_mail.c: the plaintext-phase rules on POP3 and SMTP ports from synthetic facts (RFC 2595 4, RFC 3207, RFC 5321 3.8 and 4.2, RFC 8314). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "diag/diag.h"

#define MS TA_NS_PER_MS
#define T0 (1700000000ULL * TA_NS_PER_SEC)
#define F(n) TA_FRAME(0, (n))

struct fx {
	struct conn conn;
	struct starttls_facts st;
	struct tls_facts tls;
	struct conn_facts f;
	struct diag_result r;
};

static struct fx *X;

static int
setup(void **state)
{
	X = calloc(1, sizeof *X);
	*state = X;
	return X == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	free(*state);
	X = NULL;
	return 0;
}

/* A connection to svc's default port, its TCP handshake seen (SYN frame
 * 3, SYN-ACK 4), the server greeting at frame 6 in protocol p, its
 * capability list at frame 8 offering the upgrade or not. */
static struct starttls_facts *
fx_init(enum service svc, enum starttls_protocol p, bool offered)
{
	memset(X, 0, sizeof *X);
	X->conn.svc = svc;
	X->conn.cport = 50000;
	X->conn.sport = service_info(svc)->port;
	X->conn.first_frame = F(3);
	X->conn.tcp.syns = 1;
	X->conn.tcp.syn_frame = F(3);
	X->conn.tcp.syn_ts = T0;
	X->conn.tcp.syn_last_frame = F(3);
	X->conn.tcp.syn_last_ts = T0;
	X->conn.tcp.synack_seen = true;
	X->conn.tcp.handshake_seen = true;
	X->conn.tcp.synack_frame = F(4);
	X->conn.tcp.synack_ts = T0 + 1 * MS;
	X->f.conn = &X->conn;
	X->f.why = TCP_FINISH_CLOSED;
	X->f.tcp.handshake_seen = true;
	X->f.tcp.frames = 10;
	X->f.starttls = &X->st;
	X->st.protocol = p;
	X->st.greeting = STARTTLS_GREETING_OK;
	X->st.greeting_frame = F(6);
	X->st.greeting_code = p == STARTTLS_PROTO_SMTP ? 220 : 0;
	X->st.caps_known = true;
	X->st.caps_frame = F(8);
	X->st.offered = offered;
	return &X->st;
}

static void
end_tcp(enum tcp_end e, enum tcp_side by, uint32_t frame)
{
	X->f.tcp.end = e;
	X->f.tcp.end_by = by;
	X->f.tcp.end_frame = F(frame);
	X->f.tcp.end_ts = T0 + 50 * MS;
}

static void
decide(void)
{
	struct diag_result *q = malloc(sizeof *q);

	/* The text-free decision is the same one. */
	assert_non_null(q);
	diag_decide_verdict(&X->f, q);
	diag_decide(&X->f, &X->r);
	assert_int_equal(q->verdict, X->r.verdict);
	assert_int_equal(q->waiting_on, X->r.waiting_on);
	free(q);
}

static bool
has_evidence(const char *needle)
{
	for (unsigned i = 0; i < X->r.nevidence; i++)
		if (strstr(X->r.evidence[i].text, needle) != NULL)
			return true;
	return false;
}

static void
text(uint8_t *dst, uint8_t *len, const char *s)
{
	*len = (uint8_t)strlen(s);
	memcpy(dst, s, *len);
}

#define assert_verdict(v) \
	assert_string_equal(diag_verdict_str(X->r.verdict), (v))
#define assert_in(hay, needle) assert_non_null(strstr((hay), (needle)))
#define assert_not_in(hay, needle) assert_null(strstr((hay), (needle)))

/* Port 25 without STARTTLS: the verdict stays, the advice says the
 * protocol allows it there; on 587 it is another advice. */
static void
test_smtp_not_offered(void **state)
{
	struct starttls_facts *s;

	(void)state;
	s = fx_init(SVC_SMTP, STARTTLS_PROTO_SMTP, false);
	s->plaintext_mail = true;
	s->plaintext_mail_frame = F(10);
	end_tcp(TCP_END_FIN, TCP_SIDE_SERVER, 20);
	decide();
	assert_verdict("starttls-not-offered");
	assert_in(X->r.summary, "STARTTLS on port 25");
	assert_in(X->r.summary, "mail crossed in clear text");
	assert_true(has_evidence("EHLO answer does not list STARTTLS"));
	assert_in(X->r.advice, "RFC 3207");
	assert_in(X->r.advice, "smtpd_tls_security_level");
	assert_in(X->r.advice, "587");

	s = fx_init(SVC_SUBMISSION, STARTTLS_PROTO_SMTP, false);
	end_tcp(TCP_END_FIN, TCP_SIDE_CLIENT, 20);
	decide();
	assert_verdict("starttls-not-offered");
	assert_in(X->r.summary, "port 587");
	assert_not_in(X->r.advice, "RFC 3207");
	assert_in(X->r.advice, "submission");
}

static void
test_pop3_not_offered_and_refused(void **state)
{
	struct starttls_facts *s;

	(void)state;
	s = fx_init(SVC_POP3, STARTTLS_PROTO_POP3, false);
	end_tcp(TCP_END_FIN, TCP_SIDE_CLIENT, 12);
	decide();
	assert_verdict("starttls-not-offered");
	assert_in(X->r.summary, "did not offer STLS on port 110");
	assert_true(has_evidence("CAPA answer does not list STLS"));
	assert_in(X->r.advice, "Dovecot");
	assert_in(X->r.advice, "995");

	s = fx_init(SVC_POP3, STARTTLS_PROTO_POP3, true);
	s->requested = true;
	s->request_frame = F(10);
	s->response = STARTTLS_RESP_ERR;
	s->response_frame = F(11);
	text(s->response_text, &s->response_text_len,
	     "TLS support isn't enabled.");
	end_tcp(TCP_END_FIN, TCP_SIDE_SERVER, 14);
	decide();
	assert_verdict("starttls-refused");
	assert_in(X->r.summary, "answered STLS with -ERR");
	assert_true(has_evidence("client sent STLS"));
	assert_true(has_evidence("-ERR \"TLS support isn't enabled.\""));
	assert_in(X->r.advice, "port 110");
}

/* 454 and a 5xx are refusals, named by their code. */
static void
test_smtp_refused(void **state)
{
	struct starttls_facts *s;

	(void)state;
	s = fx_init(SVC_SMTP, STARTTLS_PROTO_SMTP, true);
	s->requested = true;
	s->request_frame = F(10);
	s->response = STARTTLS_RESP_TEMPFAIL;
	s->response_code = 454;
	s->response_frame = F(11);
	text(s->response_text, &s->response_text_len,
	     "4.7.0 TLS not available due to local problem");
	end_tcp(TCP_END_FIN, TCP_SIDE_CLIENT, 14);
	decide();
	assert_verdict("starttls-refused");
	assert_in(X->r.summary, "answered STARTTLS with 454");
	assert_true(has_evidence("454 \"4.7.0 TLS not available"));
	assert_in(X->r.advice, "smtpd_tls_cert_file");

	s->response = STARTTLS_RESP_PERMFAIL;
	s->response_code = 502;
	decide();
	assert_verdict("starttls-refused");
	assert_in(X->r.summary, "with 502");
}

/* 530: the server requires TLS, the client is the one to fix. */
static void
test_smtp_tls_required(void **state)
{
	struct starttls_facts *s;

	(void)state;
	s = fx_init(SVC_SUBMISSION, STARTTLS_PROTO_SMTP, true);
	s->plaintext_mail = true;
	s->plaintext_mail_frame = F(10);
	s->tls_required = true;
	s->tls_required_frame = F(11);
	end_tcp(TCP_END_FIN, TCP_SIDE_CLIENT, 14);
	decide();
	assert_verdict("plaintext-session");
	assert_in(X->r.summary, "never used STARTTLS and sent its mail");
	assert_true(has_evidence("answered 530"));
	assert_in(X->r.advice, "client is the one to fix");

	s->tls_required = false;
	decide();
	assert_verdict("plaintext-session");
	assert_in(X->r.advice, "smtpd_tls_auth_only");
	assert_not_in(X->r.advice, "client is the one to fix");
}

/* 421 before STARTTLS: the server hung up; a refusing greeting (554,
 * -ERR) is told in the protocol's words. */
static void
test_smtp_closing_and_refusing_greeting(void **state)
{
	struct starttls_facts *s;

	(void)state;
	s = fx_init(SVC_SMTP, STARTTLS_PROTO_SMTP, true);
	s->closing = true;
	s->closing_frame = F(13);
	text(s->closing_text, &s->closing_text_len,
	     "4.7.0 mail.example Error: too many errors");
	end_tcp(TCP_END_RST, TCP_SIDE_SERVER, 16);
	decide();
	assert_verdict("closed-during-handshake");
	assert_in(X->r.summary, "421");
	assert_true(has_evidence("too many errors"));
	assert_in(X->r.advice, "not a TLS setting");

	s = fx_init(SVC_SMTP, STARTTLS_PROTO_SMTP, false);
	s->caps_known = false;
	s->greeting = STARTTLS_GREETING_REFUSED;
	s->greeting_code = 554;
	end_tcp(TCP_END_FIN, TCP_SIDE_SERVER, 8);
	decide();
	assert_verdict("closed-during-handshake");
	assert_in(X->r.summary, "greeting (554) before STARTTLS");

	s = fx_init(SVC_POP3, STARTTLS_PROTO_POP3, false);
	s->caps_known = false;
	s->greeting = STARTTLS_GREETING_REFUSED;
	end_tcp(TCP_END_FIN, TCP_SIDE_SERVER, 8);
	decide();
	assert_verdict("closed-during-handshake");
	assert_in(X->r.summary, "greeting (-ERR) before STLS");
}

/* A server line that is not SMTP, a client line that is not: the side
 * and the protocol are named, the silence never assumed. */
static void
test_not_protocol(void **state)
{
	struct starttls_facts *s;

	(void)state;
	s = fx_init(SVC_SMTP, STARTTLS_PROTO_SMTP, false);
	s->caps_known = false;
	s->unparsed = true;
	s->unparsed_dir = TCP_DIR_S2C;
	s->unparsed_frame = F(9);
	text(s->unparsed_excerpt, &s->unparsed_len, "4.7.0 [IPTS04] deferred");
	end_tcp(TCP_END_FIN, TCP_SIDE_CLIENT, 12);
	decide();
	assert_verdict("closed-during-handshake");
	assert_in(X->r.summary, "is not SMTP (frame 9)");
	assert_true(has_evidence("a line that is not SMTP"));
	assert_in(X->r.advice, "openssl s_client -starttls smtp");

	end_tcp(TCP_END_OPEN, TCP_SIDE_NONE, 12);
	decide();
	assert_verdict("handshake-timeout");
	assert_int_equal(X->r.waiting_on, DIAG_SIDE_CLIENT);

	s = fx_init(SVC_SMTP, STARTTLS_PROTO_SMTP, false);
	s->caps_known = false;
	s->unparsed = true;
	s->unparsed_dir = TCP_DIR_C2S;
	s->unparsed_frame = F(5);
	text(s->unparsed_excerpt, &s->unparsed_len, "\x01\x02binary");
	end_tcp(TCP_END_FIN, TCP_SIDE_CLIENT, 12);
	decide();
	/* no session began: what the client sent is the cause */
	assert_verdict("not-tls");
	assert_in(X->r.summary, "The client sent something that is not SMTP "
	    "(frame 5), so no SMTP session, and no TLS, began");
	assert_in(X->r.advice, "no SMTP client of this port");
}

/* Mail sent in clear proves a plaintext session even when the server's
 * side is not in the capture; the advice then claims nothing of the
 * server's offer. */
static void
test_client_side_only(void **state)
{
	struct starttls_facts *s;

	(void)state;
	s = fx_init(SVC_SMTP, STARTTLS_PROTO_SMTP, false);
	s->greeting = STARTTLS_GREETING_NONE;
	s->greeting_frame = 0;
	s->greeting_code = 0;
	s->caps_known = false;
	s->caps_frame = 0;
	s->plaintext_mail = true;
	s->plaintext_mail_frame = F(5);
	X->f.tcp.missing = TCP_SIDE_SERVER;
	end_tcp(TCP_END_FIN, TCP_SIDE_CLIENT, 18);
	decide();
	assert_verdict("plaintext-session");
	assert_true(has_evidence("server's side is not in the capture"));
	assert_not_in(X->r.advice, "server offered STARTTLS");
	assert_true(X->r.findings & DIAG_F_CAPTURE_ONE_SIDED);

	/* Without mail or credentials: no verdict from one side. */
	s->plaintext_mail = false;
	decide();
	assert_verdict("incomplete-capture");
}

/* After the upgrade: a ClientHello offering TLS 1.2 and 1.3 with modern
 * suites only at frame 13, answered by the server's fatal alert desc. */
static void
hello_refused(uint8_t desc)
{
	static const uint16_t vers[] = { TLS_V_TLS13, TLS_V_TLS12 };
	static const uint16_t suites[] = { 0x1301, 0x1302, 0xc02f, 0xc030 };
	struct tls_client_hello *ch = &X->tls.client_hello;
	struct tls_facts_alert *a = &X->tls.alerts[0];

	X->st.requested = true;
	X->st.request_frame = F(11);
	X->st.response = STARTTLS_RESP_OK;
	X->st.response_frame = F(12);
	if (X->st.protocol == STARTTLS_PROTO_SMTP)
		X->st.response_code = 220;
	X->f.tls = &X->tls;
	X->tls.client_hello_seen = true;
	X->tls.client_hello_frame = F(13);
	X->tls.client_hellos = 1;
	X->tls.side[TLS_SIDE_CLIENT].bytes = 517;
	ch->record_version = TLS_V_TLS10;
	ch->legacy_version = TLS_V_TLS12;
	ch->has_supported_versions = true;
	memcpy(ch->versions.v, vers, sizeof vers);
	ch->versions.count = 2;
	memcpy(ch->ciphers.v, suites, sizeof suites);
	ch->ciphers.count = 4;
	ch->has_sni = true;
	memcpy(ch->sni, "mail.example.com", 16);
	ch->sni_len = 16;
	X->tls.alert_count = 1;
	X->tls.fatal_alert = true;
	a->frame = F(14);
	a->from = TLS_SIDE_SERVER;
	a->level = TLS_ALERT_FATAL;
	a->description = desc;
	end_tcp(TCP_END_FIN, TCP_SIDE_SERVER, 15);
}

/* A server too old for the client, or sharing none of its suites, is
 * told in its own settings: Postfix's on SMTP, Dovecot's on POP3. */
static void
test_version_and_cipher_advice(void **state)
{
	(void)state;
	fx_init(SVC_SMTP, STARTTLS_PROTO_SMTP, true);
	hello_refused(70);
	decide();
	assert_verdict("tls-version-mismatch");
	assert_in(X->r.advice, "smtpd_tls_protocols = >=TLSv1.2");
	assert_in(X->r.advice, "smtpd_tls_mandatory_protocols");
	assert_not_in(X->r.advice, "Dovecot");
	assert_not_in(X->r.advice, "migration");

	fx_init(SVC_SMTP, STARTTLS_PROTO_SMTP, true);
	hello_refused(40);
	decide();
	assert_verdict("no-shared-cipher");
	assert_in(X->r.advice, "Postfix smtpd_tls_ciphers");
	assert_in(X->r.advice, "tls_medium_cipherlist");
	assert_not_in(X->r.advice, "Dovecot");

	/* Implicit TLS on 465: no STARTTLS facts, the port says SMTP. */
	fx_init(SVC_SMTPS, STARTTLS_PROTO_SMTP, true);
	hello_refused(70);
	X->f.starttls = NULL;
	decide();
	assert_verdict("tls-version-mismatch");
	assert_in(X->r.advice, "smtpd_tls_protocols");

	fx_init(SVC_POP3, STARTTLS_PROTO_POP3, true);
	hello_refused(70);
	decide();
	assert_verdict("tls-version-mismatch");
	assert_in(X->r.advice, "Dovecot `ssl_min_protocol = TLSv1.2`");
	assert_not_in(X->r.advice, "smtpd_");

	fx_init(SVC_POP3, STARTTLS_PROTO_POP3, true);
	hello_refused(40);
	decide();
	assert_verdict("no-shared-cipher");
	assert_in(X->r.advice, "Dovecot ssl_cipher_list");
	assert_not_in(X->r.advice, "smtpd_");
}

/* legacy-version in the words of the server's software: Postfix's and
 * Exim's on SMTP, the mail servers' on POP3, none on a port watched as
 * tls. */
static void
test_legacy_advice(void **state)
{
	static const enum service svcs[] = { SVC_SMTP, SVC_POP3S, SVC_TLS };
	static const enum starttls_protocol protos[] = { STARTTLS_PROTO_SMTP,
		STARTTLS_PROTO_POP3, STARTTLS_PROTO_IMAP };

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		fx_init(svcs[i], protos[i], true);
		hello_refused(70);
		X->tls.alert_count = 0;
		X->tls.fatal_alert = false;
		if (svcs[i] != SVC_SMTP)
			X->f.starttls = NULL;
		X->tls.server_hello_seen = true;
		X->tls.server_hello_frame = F(14);
		X->tls.server_hello.version = TLS_V_TLS10;
		X->tls.server_hello.legacy_version = TLS_V_TLS10;
		X->tls.server_hello.cipher = 0xc014;
		X->tls.handshake_complete = true;
		X->tls.handshake_complete_frame = F(16);
		X->tls.side[TLS_SIDE_CLIENT].finished = true;
		X->tls.side[TLS_SIDE_SERVER].finished = true;
		decide();
		assert_verdict("ok");
		assert_true(X->r.findings & DIAG_F_LEGACY_VERSION);
		if (svcs[i] == SVC_SMTP) {
			assert_in(X->r.advice, "Postfix `smtpd_tls_protocols");
			assert_not_in(X->r.advice, "Dovecot");
		} else if (svcs[i] == SVC_POP3S) {
			assert_in(X->r.advice, "Dovecot `ssl_min_protocol");
		} else {
			assert_in(X->r.advice, "upgrade TLS on the server to 1.2");
			assert_not_in(X->r.advice, "Dovecot");
			assert_not_in(X->r.advice, "Postfix");
		}
	}
}

/* IMAP keeps its own words on the same rules. */
static void
test_imap_unchanged(void **state)
{
	(void)state;
	fx_init(SVC_IMAP, STARTTLS_PROTO_IMAP, false);
	end_tcp(TCP_END_FIN, TCP_SIDE_CLIENT, 11);
	decide();
	assert_verdict("starttls-not-offered");
	assert_string_equal(X->r.summary, "The server did not offer STARTTLS on "
	    "port 143, so the client could not encrypt the session.");
	assert_true(has_evidence("capabilities do not list STARTTLS"));
	assert_in(X->r.advice, "Dovecot: ssl = yes");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_smtp_not_offered, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_pop3_not_offered_and_refused,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(test_smtp_refused, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_smtp_tls_required, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(
		    test_smtp_closing_and_refusing_greeting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_protocol, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_client_side_only, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_imap_unchanged, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_version_and_cipher_advice,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(test_legacy_advice, setup,
		                                teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
