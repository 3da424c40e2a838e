/* test_diag.c: the diagnosis rules and their precedence from synthetic facts (RFC 8446 6, RFC 5246 7.2, RFC 9051 6.2.1). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag/diag.h"

#define MS TA_NS_PER_MS
#define T0 (1700000000ULL * TA_NS_PER_SEC)
#define F(n) TA_FRAME(0, (n))

/* Every fact source of one connection, built by hand. */
struct fx {
	struct conn conn;
	struct tls_facts tls;
	struct starttls_facts st;
	struct cert_chain chain;
	struct cert_facts cert;
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

/* A connection to an imaps (or imap) port whose TCP handshake was seen:
 * SYN frame 3, SYN-ACK frame 4, 1 ms apart. */
static void
fx_init(enum service svc)
{
	memset(X, 0, sizeof *X);
	X->conn.svc = svc;
	X->conn.cport = 50000;
	X->conn.sport = svc == SVC_IMAP ? 143 : 993;
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
}

static void
end_tcp(enum tcp_end e, enum tcp_side by, uint32_t frame, ta_time ts)
{
	X->f.tcp.end = e;
	X->f.tcp.end_by = by;
	X->f.tcp.end_frame = F(frame);
	X->f.tcp.end_ts = ts;
}

static struct tls_facts *
tls(void)
{
	X->f.tls = &X->tls;
	return &X->tls;
}

/* A ClientHello at frame: supported_versions (0: none, legacy only). */
static void
client_hello(uint32_t frame, const uint16_t *vers, size_t nv,
             const uint16_t *suites, size_t ns)
{
	struct tls_client_hello *ch = &tls()->client_hello;

	X->tls.client_hello_seen = true;
	X->tls.client_hello_frame = F(frame);
	X->tls.client_hellos = 1;
	X->tls.side[TLS_SIDE_CLIENT].bytes = 517;
	ch->record_version = TLS_V_TLS10;
	ch->legacy_version = TLS_V_TLS12;
	if (nv > 0) {
		ch->has_supported_versions = true;
		for (size_t i = 0; i < nv; i++)
			ch->versions.v[i] = vers[i];
		ch->versions.count = (uint16_t)nv;
	}
	for (size_t i = 0; i < ns; i++)
		ch->ciphers.v[i] = suites[i];
	ch->ciphers.count = (uint16_t)ns;
	ch->has_sni = true;
	memcpy(ch->sni, "imap.example.com", 16);
	ch->sni_len = 16;
}

static const uint16_t v12_13[] = { 0x0a0a, TLS_V_TLS13, TLS_V_TLS12 };
static const uint16_t v10_13[] = { TLS_V_TLS13, TLS_V_TLS12, TLS_V_TLS11,
	TLS_V_TLS10 };
static const uint16_t v10_11[] = { TLS_V_TLS11, TLS_V_TLS10 };
static const uint16_t v13[] = { TLS_V_TLS13 };
/* TLS 1.3 suites and ECDHE AEAD ones only (a modern client). */
static const uint16_t aead[] = { 0x1301, 0x1302, 0xc02f, 0xc030, 0xcca8,
	0x00ff };
/* Mixed: AEAD, CBC, RSA key exchange. */
static const uint16_t mixed[] = { 0x1302, 0xc030, 0xc014, 0x002f, 0x0035 };

static void
modern_hello(uint32_t frame)
{
	client_hello(frame, v12_13, TA_ELEMENTS(v12_13), aead,
	    TA_ELEMENTS(aead));
}

static void
server_hello(uint32_t frame, uint16_t version, uint16_t cipher)
{
	tls();
	X->tls.server_hello_seen = true;
	X->tls.server_hello_frame = F(frame);
	X->tls.server_hello.version = version;
	X->tls.server_hello.legacy_version =
	    version > TLS_V_TLS12 ? TLS_V_TLS12 : version;
	X->tls.server_hello.cipher = cipher;
	X->tls.side[TLS_SIDE_SERVER].bytes = 90;
}

/* The TLS 1.2 server flight: Certificate and ServerHelloDone at frame. */
static void
tls12_flight(uint32_t frame)
{
	X->tls.certs_seen = true;
	X->tls.certs_frame = F(frame);
	X->tls.cert_count = 2;
	X->tls.server_hello_done = true;
	X->tls.server_hello_done_frame = F(frame);
}

/* The TLS 1.3 server's encrypted flight at frame. */
static void
tls13_flight(uint32_t frame)
{
	struct tls_facts_side *s = &X->tls.side[TLS_SIDE_SERVER];

	s->ccs = true;
	s->opaque_records = 3;
	s->tail_count = 3;
	for (uint8_t i = 0; i < 3; i++) {
		s->tail[i].frame = F(frame);
		s->tail[i].content_type = TLS_CT_APPLICATION_DATA;
		s->tail[i].len = (uint16_t)(i == 0 ? 27 : 1000);
	}
}

static void
alert(uint32_t frame, enum tls_side from, uint8_t level, uint8_t desc)
{
	struct tls_facts_alert *a = &tls()->alerts[X->tls.alert_count++];

	a->frame = F(frame);
	a->from = from;
	a->level = level;
	a->description = desc;
	if (level == TLS_ALERT_FATAL)
		X->tls.fatal_alert = true;
}

static void
encrypted_alert(uint32_t frame, enum tls_side from, bool inferred)
{
	struct tls_facts_alert *a = &tls()->alerts[X->tls.alert_count++];

	a->frame = F(frame);
	a->from = from;
	a->encrypted = true;
	a->inferred = inferred;
	a->record_len = 19;
}

static void
complete(uint32_t frame, uint32_t app_frame)
{
	X->tls.handshake_complete = true;
	X->tls.handshake_complete_frame = F(frame);
	X->tls.side[TLS_SIDE_CLIENT].finished = true;
	X->tls.side[TLS_SIDE_SERVER].finished = true;
	if (app_frame != 0) {
		X->tls.app_data = true;
		X->tls.app_data_frame = F(app_frame);
	}
}

/* Chain analysis facts for the Certificate at frame. */
static void
chain(uint32_t frame, enum cert_problem p, bool intercept)
{
	X->cert.visible = true;
	X->cert.frame = F(frame);
	X->cert.chain = &X->chain;
	X->cert.problem = p;
	X->cert.here_problem = p;
	X->cert.problem_cert = 0;
	X->cert.time_cert = -1;
	X->chain.explicit_ec_cert = -1;
	X->cert.verify_ok = p == CERT_PROBLEM_NONE;
	X->cert.verify_reason = p == CERT_PROBLEM_NONE ? "ok" :
	    "unable to get local issuer certificate";
	X->chain.count = 2;
	X->chain.nchain = 2;
	strcpy(X->chain.chain[0].subject, "CN=imap.example.com");
	strcpy(X->chain.chain[0].issuer, "CN=Example Issuing CA");
	strcpy(X->chain.chain[0].san[0], "mail.other.example");
	X->chain.chain[0].nsan = 1;
	X->chain.chain[0].not_after = 1704067200;
	strcpy(X->chain.chain[1].subject, "CN=Example Issuing CA");
	strcpy(X->chain.chain[1].issuer, "CN=Example Root");
	strcpy(X->chain.name, "imap.example.com");
	X->chain.name_from_sni = true;
	if (intercept) {
		X->chain.interception.suspected = true;
		X->cert.intercepted = true;
		strcpy(X->chain.interception.product, "Example Inspection");
	}
	X->f.cert = &X->cert;
}

static void
decide(void)
{
	struct diag_result *q = malloc(sizeof *q);

	/* Every case also proves the text-free decision is the same one. */
	assert_non_null(q);
	diag_decide_verdict(&X->f, q);
	diag_decide(&X->f, &X->r);
	assert_int_equal(q->verdict, X->r.verdict);
	assert_int_equal(q->severity, X->r.severity);
	assert_int_equal(q->findings, X->r.findings);
	assert_int_equal(q->inferred, X->r.inferred);
	assert_int_equal(q->waiting_on, X->r.waiting_on);
	assert_int_equal(q->nevidence, 0);
	assert_string_equal(q->summary, "");
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

static bool
has_evidence_frame(uint32_t frame)
{
	for (unsigned i = 0; i < X->r.nevidence; i++)
		if (X->r.evidence[i].frame == F(frame))
			return true;
	return false;
}

#define assert_verdict(v) \
	assert_string_equal(diag_verdict_str(X->r.verdict), (v))

/* ---- TCP ---- */

static void
test_no_answer(void **state)
{
	(void)state;
	fx_init(SVC_IMAPS);
	X->conn.tcp.synack_seen = false;
	X->conn.tcp.handshake_seen = false;
	X->conn.tcp.syns = 3;
	X->conn.tcp.syn_last_frame = F(5);
	X->conn.tcp.syn_last_ts = T0 + 2030 * MS;
	X->f.tcp.handshake_seen = false;
	end_tcp(TCP_END_NO_ANSWER, TCP_SIDE_NONE, 5, T0 + 2030 * MS);
	decide();
	assert_verdict("tcp-no-answer");
	assert_int_equal(X->r.severity, DIAG_SEV_ERROR);
	assert_true(has_evidence("3 SYNs"));
	assert_true(has_evidence("2.0 s"));
	assert_non_null(strstr(X->r.advice, "firewall"));
}

static void
test_refused(void **state)
{
	(void)state;
	fx_init(SVC_IMAPS);
	X->conn.tcp.synack_seen = false;
	end_tcp(TCP_END_REFUSED, TCP_SIDE_SERVER, 4, T0);
	decide();
	assert_verdict("tcp-refused");
	assert_false(X->r.inferred);
	assert_true(has_evidence_frame(4));
}

/* A RST from the server on its turn (after the ClientHello). */
static void
test_rst_server_turn(void **state)
{
	(void)state;
	fx_init(SVC_IMAPS);
	modern_hello(6);
	end_tcp(TCP_END_RST, TCP_SIDE_SERVER, 8, T0 + 3 * MS);
	decide();
	assert_verdict("tcp-reset");
	assert_false(X->r.inferred);
	assert_int_equal(X->r.waiting_on, DIAG_SIDE_NONE);
	assert_non_null(strstr(X->r.summary, "server reset"));
	assert_non_null(strstr(X->r.advice, "server's log"));
	assert_int_equal(X->r.findings, 0);
}

static void
test_rst_middlebox(void **state)
{
	(void)state;
	fx_init(SVC_IMAPS);
	modern_hello(6);
	end_tcp(TCP_END_RST, TCP_SIDE_MIDDLEBOX, 7, T0 + 2 * MS);
	X->f.tcp.inferred = true;
	X->f.tcp.nevidence = 2;
	strcpy(X->f.tcp.evidence[0], "frame 7: RST TTL 64, the server's other "
	    "packet TTL 58");
	strcpy(X->f.tcp.evidence[1], "inferred: a middlebox sent the RST");
	decide();
	assert_verdict("tcp-reset");
	assert_true(X->r.inferred);
	assert_non_null(strstr(X->r.summary, "inferred"));
	/* As in the contract's example, the forged RST is also a finding. */
	assert_true(X->r.findings & DIAG_F_MIDDLEBOX_RST_SUSPECTED);
	assert_true(has_evidence("TTL 64"));
	assert_non_null(strstr(X->r.advice, "network team"));
}

/*
 * The TCP outcome as the analyser hands it over: decided without its
 * evidence lines, which the full diagnosis has written from the track
 * (the text-free one never does).
 */
static void
test_tcp_lines_written_on_demand(void **state)
{
	struct tcp_track *t = &X->conn.tcp;
	struct tcp_endpoint *sv = &t->ep[TCP_DIR_S2C];

	(void)state;
	fx_init(SVC_IMAPS);
	modern_hello(6);
	t->ep[TCP_DIR_C2S].pkts = 3;
	t->ep[TCP_DIR_C2S].first_frame = F(3);
	t->ep[TCP_DIR_C2S].first_ts = T0;
	sv->pkts = 2;
	sv->first_frame = F(4);
	sv->first_ts = T0 + 1 * MS;
	sv->ttl_samples = 1;
	sv->ttl_min = sv->ttl_max = 58;
	t->nrst = 1;
	t->rst[0].dir = TCP_DIR_S2C;
	t->rst[0].frame = F(7);
	t->rst[0].ts = T0 + 3 * MS;
	t->rst[0].ttl = 64;
	t->first_close = PKT_TCP_RST;
	t->first_close_dir = TCP_DIR_S2C;
	t->frames = 7;
	t->last_frame = F(7);
	t->last_ts = T0 + 3 * MS;
	tcp_track_finish(t, TCP_FINISH_CLOSED, T0 + 5 * MS, &X->f.tcp);
	assert_int_equal(X->f.tcp.nevidence, 0);
	assert_true(X->f.tcp.middlebox_suspected);
	decide();
	assert_verdict("tcp-reset");
	assert_true(has_evidence("frame 7: RST TTL 64, the server's other "
	    "packet TTL 58"));
	assert_true(has_evidence_frame(7));
	/* The facts themselves were left as they were. */
	assert_int_equal(X->f.tcp.nevidence, 0);
}

/* A RST from the side that was waiting is a reaction: timeout. */
static void
test_rst_by_waiting_side(void **state)
{
	(void)state;
	fx_init(SVC_IMAPS);
	modern_hello(6);
	server_hello(8, TLS_V_TLS12, 0xc02f);
	tls12_flight(8);
	end_tcp(TCP_END_RST, TCP_SIDE_SERVER, 40, T0 + 60000 * MS);
	decide();
	assert_verdict("handshake-timeout");
	assert_int_equal(X->r.waiting_on, DIAG_SIDE_CLIENT);
	assert_string_equal(diag_side_str(X->r.waiting_on), "client");
}

/* An alert that came first beats the middlebox RST after it; a RST that
 * came first beats a later alert. */
static void
test_alert_before_rst(void **state)
{
	(void)state;
	fx_init(SVC_IMAPS);
	modern_hello(6);
	alert(8, TLS_SIDE_SERVER, TLS_ALERT_FATAL, 40);
	end_tcp(TCP_END_RST, TCP_SIDE_MIDDLEBOX, 9, T0 + 3 * MS);
	X->f.tcp.inferred = true;
	decide();
	assert_verdict("no-shared-cipher");
	assert_true(X->r.findings & DIAG_F_MIDDLEBOX_RST_SUSPECTED);

	fx_init(SVC_IMAPS);
	modern_hello(6);
	alert(9, TLS_SIDE_SERVER, TLS_ALERT_FATAL, 40);
	end_tcp(TCP_END_RST, TCP_SIDE_MIDDLEBOX, 7, T0 + 3 * MS);
	X->f.tcp.inferred = true;
	decide();
	assert_verdict("tcp-reset");
}

/* ---- STARTTLS (port 143) ---- */

static struct starttls_facts *
st_greeted(bool offered)
{
	X->f.starttls = &X->st;
	X->st.greeting = STARTTLS_GREETING_OK;
	X->st.greeting_frame = F(6);
	X->st.caps_known = true;
	X->st.caps_frame = F(6);
	X->st.offered = offered;
	return &X->st;
}

static void
test_starttls_not_offered(void **state)
{
	(void)state;
	fx_init(SVC_IMAP);
	st_greeted(false);
	end_tcp(TCP_END_FIN, TCP_SIDE_CLIENT, 11, T0 + 5 * MS);
	decide();
	assert_verdict("starttls-not-offered");
	assert_true(has_evidence_frame(6));
	assert_non_null(strstr(X->r.advice, "993"));
}

static void
test_starttls_refused(void **state)
{
	struct starttls_facts *s;
	static const char text[] = "STARTTLS is disabled\x1b[31m on this server";

	(void)state;
	fx_init(SVC_IMAP);
	s = st_greeted(true);
	s->requested = true;
	s->request_frame = F(11);
	s->response = STARTTLS_RESP_NO;
	s->response_frame = F(12);
	memcpy(s->response_text, text, sizeof text - 1);
	s->response_text_len = (uint8_t)(sizeof text - 1);
	end_tcp(TCP_END_FIN, TCP_SIDE_CLIENT, 13, T0 + 5 * MS);
	decide();
	assert_verdict("starttls-refused");
	assert_non_null(strstr(X->r.summary, "NO"));
	assert_true(has_evidence("disabled"));
	/* The escape byte from the network never reaches the text. */
	for (unsigned i = 0; i < X->r.nevidence; i++)
		assert_null(strchr(X->r.evidence[i].text, 0x1b));

	s->response = STARTTLS_RESP_BAD;
	decide();
	assert_verdict("starttls-refused");
	assert_non_null(strstr(X->r.summary, "BAD"));

	/* The client sends its ClientHello anyway after the refusal: still
	 * the refusal, not "implicit TLS without STARTTLS". */
	s->tls_without_starttls = true;
	s->tls_without_starttls_dir = TCP_DIR_C2S;
	s->tls_without_starttls_frame = F(13);
	decide();
	assert_verdict("starttls-refused");
	assert_true(has_evidence("sent its TLS handshake anyway"));
	assert_true(has_evidence_frame(13));
	/* The look-alike: TLS before any answer is the client's own doing. */
	s->response = STARTTLS_RESP_NONE;
	decide();
	assert_verdict("not-tls");
}

static void
test_plaintext_session(void **state)
{
	struct starttls_facts *s;

	(void)state;
	fx_init(SVC_IMAP);
	s = st_greeted(true);
	s->plaintext_auth = true;
	s->plaintext_auth_frame = F(9);
	end_tcp(TCP_END_FIN, TCP_SIDE_SERVER, 20, T0 + 50 * MS);
	decide();
	assert_verdict("plaintext-session");
	assert_non_null(strstr(X->r.summary, "credentials"));
	assert_true(has_evidence_frame(9));
}

static void
test_tls_without_starttls(void **state)
{
	struct starttls_facts *s;

	(void)state;
	fx_init(SVC_IMAP);
	s = st_greeted(true);
	s->tls_without_starttls = true;
	s->tls_without_starttls_dir = TCP_DIR_C2S;
	s->tls_without_starttls_frame = F(8);
	end_tcp(TCP_END_FIN, TCP_SIDE_SERVER, 10, T0 + 5 * MS);
	decide();
	assert_verdict("not-tls");
	assert_non_null(strstr(X->r.summary, "client"));
}

/* Port 143: nothing from the server; the client gives up. */
static void
test_starttls_no_greeting(void **state)
{
	(void)state;
	fx_init(SVC_IMAP);
	end_tcp(TCP_END_FIN, TCP_SIDE_CLIENT, 9, T0 + 10000 * MS);
	decide();
	assert_verdict("handshake-timeout");
	assert_int_equal(X->r.waiting_on, DIAG_SIDE_SERVER);
	assert_non_null(strstr(X->r.summary, "greeting"));
}

/* Port 143: OK to STARTTLS, then the client hangs up. */
static void
test_starttls_ok_client_hangs_up(void **state)
{
	struct starttls_facts *s;

	(void)state;
	fx_init(SVC_IMAP);
	s = st_greeted(true);
	s->requested = true;
	s->request_frame = F(11);
	s->response = STARTTLS_RESP_OK;
	s->response_frame = F(12);
	end_tcp(TCP_END_FIN, TCP_SIDE_CLIENT, 13, T0 + 5 * MS);
	decide();
	assert_verdict("closed-during-handshake");
	assert_non_null(strstr(X->r.summary, "client"));
	assert_int_equal(X->r.waiting_on, DIAG_SIDE_NONE);
}

/* Port 143: the server greets with BYE. */
static void
test_starttls_bye_greeting(void **state)
{
	struct starttls_facts *s;

	(void)state;
	fx_init(SVC_IMAP);
	s = st_greeted(true);
	s->greeting = STARTTLS_GREETING_BYE;
	end_tcp(TCP_END_FIN, TCP_SIDE_SERVER, 7, T0 + 5 * MS);
	decide();
	assert_verdict("closed-during-handshake");
	assert_non_null(strstr(X->r.summary, "BYE"));
	assert_true(has_evidence("(BYE)"));
}

/* The server's line at frame is not IMAP (a NUL in it). */
static void
st_not_imap(struct starttls_facts *s, uint32_t frame)
{
	static const char line[] = "a1 OK\0 Begin TLS now";

	s->unparsed = true;
	s->unparsed_dir = TCP_DIR_S2C;
	s->unparsed_frame = F(frame);
	memcpy(s->unparsed_excerpt, line, sizeof line - 1);
	s->unparsed_len = (uint8_t)(sizeof line - 1);
}

/* Port 143: the answer to STARTTLS is not IMAP. The server spoke: it must
 * never be called silent, however the connection ended. */
static void
test_starttls_answer_not_imap(void **state)
{
	struct starttls_facts *s;

	(void)state;
	fx_init(SVC_IMAP);
	s = st_greeted(true);
	s->requested = true;
	s->request_frame = F(11);
	st_not_imap(s, 12);
	end_tcp(TCP_END_FIN, TCP_SIDE_CLIENT, 13, T0 + 5 * MS);
	decide();
	assert_verdict("closed-during-handshake");
	assert_non_null(strstr(X->r.summary, "answer to STARTTLS is not IMAP"));
	assert_null(strstr(X->r.summary, "silent"));
	assert_true(has_evidence("NUL byte"));
	assert_true(has_evidence("\"a1 OK? Begin TLS now\""));
	assert_true(has_evidence_frame(12));
	assert_true(has_evidence_frame(13));
	assert_non_null(strstr(X->r.advice, "not a TLS setting"));

	end_tcp(TCP_END_RST, TCP_SIDE_CLIENT, 13, T0 + 5 * MS);
	decide();
	assert_verdict("tcp-reset");
	assert_non_null(strstr(X->r.summary, "client reset"));

	/* Nobody hangs up: the client, which has to react, is waited on. */
	end_tcp(TCP_END_TIMEOUT, TCP_SIDE_NONE, 12, T0 + 4 * MS);
	X->f.why = TCP_FINISH_IDLE;
	decide();
	assert_verdict("handshake-timeout");
	assert_int_equal(X->r.waiting_on, DIAG_SIDE_CLIENT);
	assert_null(strstr(X->r.summary, "silent"));
	assert_non_null(strstr(X->r.summary, "went idle"));
}

/* Port 143: a greeting that is not IMAP, then the client hangs up. */
static void
test_greeting_not_imap(void **state)
{
	struct starttls_facts *s;

	(void)state;
	fx_init(SVC_IMAP);
	s = st_greeted(true);
	s->greeting = STARTTLS_GREETING_OTHER;
	s->caps_known = false;
	st_not_imap(s, 6);
	s->unparsed_excerpt[2] = '\r'; /* a bare CR instead */
	end_tcp(TCP_END_FIN, TCP_SIDE_CLIENT, 8, T0 + 5 * MS);
	decide();
	assert_verdict("closed-during-handshake");
	assert_non_null(strstr(X->r.summary, "greeting is not IMAP"));
	assert_true(has_evidence("bare CR"));
	/* The greeting and the line are one frame: one evidence line. */
	assert_false(has_evidence("server greeting"));
}

/* Port 143: STARTTLS offered, then a line that is not IMAP (a garbled
 * CAPABILITY answer), and the client hangs up before STARTTLS: the line
 * is the finding, not a client that would not encrypt. Credentials sent
 * in clear before it still make a plaintext session. */
static void
test_line_not_imap_before_starttls(void **state)
{
	struct starttls_facts *s;

	(void)state;
	fx_init(SVC_IMAP);
	s = st_greeted(true);
	st_not_imap(s, 8);
	end_tcp(TCP_END_FIN, TCP_SIDE_CLIENT, 9, T0 + 5 * MS);
	decide();
	assert_verdict("closed-during-handshake");
	assert_non_null(strstr(X->r.summary, "line after its greeting is not "
	                                     "IMAP"));
	assert_true(has_evidence_frame(8));

	s->plaintext_auth = true;
	s->plaintext_auth_frame = F(7);
	decide();
	assert_verdict("plaintext-session");
}

/* ---- not TLS on 993 ---- */

static void
test_plaintext_on_993(void **state)
{
	struct tls_facts_side *s;
	static const char greet[] = "* OK Waiting for authentication";

	(void)state;
	fx_init(SVC_IMAPS);
	modern_hello(6);
	s = &X->tls.side[TLS_SIDE_SERVER];
	s->stopped = true;
	s->stop = TLS_STOP_NOT_TLS;
	s->stop_frame = F(8);
	memcpy(s->stop_excerpt, greet, sizeof greet - 1);
	s->stop_excerpt_len = (uint8_t)(sizeof greet - 1);
	end_tcp(TCP_END_FIN, TCP_SIDE_CLIENT, 10, T0 + 5 * MS);
	decide();
	assert_verdict("not-tls");
	assert_non_null(strstr(X->r.summary, "plaintext IMAP greeting"));
	assert_true(has_evidence("* OK Waiting"));
}


/* What the bytes were decides the words and the advice. */
static void
not_tls_from(enum tls_side who, const char *bytes, size_t n)
{
	struct tls_facts_side *s = &tls()->side[who];

	s->stopped = true;
	s->stop = TLS_STOP_NOT_TLS;
	s->stop_frame = F(8);
	memcpy(s->stop_excerpt, bytes, n);
	s->stop_excerpt_len = (uint8_t)n;
}

static void
test_not_tls_kinds(void **state)
{
	static const char http[] = "HTTP/1.1 400 Bad Request";
	static const char crlf[] = "\r\n";
	static const char bin[] = "\x00\x01\xfe\xff";

	(void)state;
	fx_init(SVC_TLS);
	modern_hello(6);
	not_tls_from(TLS_SIDE_SERVER, http, sizeof http - 1);
	end_tcp(TCP_END_FIN, TCP_SIDE_SERVER, 10, T0 + 5 * MS);
	decide();
	assert_verdict("not-tls");
	assert_true(has_evidence("a plain HTTP response, \"HTTP/1.1 400"));
	assert_null(strstr(X->r.advice, "IMAP"));
	assert_non_null(strstr(X->r.advice, "HTTP"));

	/* A bare CR LF from the client: a probe's line, quoted in hex. */
	fx_init(SVC_TLS);
	not_tls_from(TLS_SIDE_CLIENT, crlf, 2);
	end_tcp(TCP_END_FIN, TCP_SIDE_CLIENT, 10, T0 + 5 * MS);
	decide();
	assert_verdict("not-tls");
	assert_true(has_evidence("an empty line, bytes 0d 0a"));
	assert_non_null(strstr(X->r.advice, "probe"));
	assert_null(strstr(X->r.advice, "993"));

	/* An HTML page without any status line: still an HTTP server. */
	fx_init(SVC_TLS);
	modern_hello(6);
	not_tls_from(TLS_SIDE_SERVER, "<!DOCTYPE HTML PUBLIC", 21);
	end_tcp(TCP_END_FIN, TCP_SIDE_SERVER, 10, T0 + 5 * MS);
	decide();
	assert_non_null(strstr(X->r.summary, "an HTML page"));
	assert_non_null(strstr(X->r.advice, "HTTP"));

	/* Binary from the server: hex, and no IMAP advice. */
	fx_init(SVC_IMAPS);
	modern_hello(6);
	not_tls_from(TLS_SIDE_SERVER, bin, 4);
	end_tcp(TCP_END_FIN, TCP_SIDE_CLIENT, 10, T0 + 5 * MS);
	decide();
	assert_true(has_evidence("binary bytes, bytes 00 01 fe ff"));
	assert_null(strstr(X->r.advice, "inet_listener"));
}

/* ---- an invalid record header between valid records (rule 9a) ---- */

/* The client's CCS header damaged, its records read again from frame 13:
 * the server's Finished and data after it prove the handshake (inferred);
 * without them nothing tells; with no record after it, it is not TLS. */
static void
test_invalid_record(void **state)
{
	static const uint8_t hdr[] = {0x14, 0xff, 0xff, 0xff, 0x01};
	struct tls_facts_side *c, *s;

	(void)state;
	fx_init(SVC_TLS);
	modern_hello(4);
	server_hello(5, TLS_V_TLS12, 0xc02f);
	tls12_flight(8);
	c = &X->tls.side[TLS_SIDE_CLIENT];
	c->bad_headers = 1;
	c->bad_header_frame = F(10);
	c->bad_header_offset = 589;
	c->bad_header_reason = TLS_STOP_BAD_RECORD;
	memcpy(c->bad_header_excerpt, hdr, sizeof hdr);
	c->bad_header_excerpt_len = sizeof hdr;
	c->bad_header_resynced = true;
	c->bad_header_resync_frame = F(13);
	c->bad_header_skipped = 43;
	c->resynced = true;
	s = &X->tls.side[TLS_SIDE_SERVER];
	s->ccs = true;
	s->finished = true;
	s->finished_frame = F(11);
	s->tail_count = 2;
	s->tail[0] = (struct tls_facts_record){ F(11), TLS_CT_HANDSHAKE, 40 };
	s->tail[1] = (struct tls_facts_record){ F(18), TLS_CT_APPLICATION_DATA,
	    700 };
	end_tcp(TCP_END_FIN, TCP_SIDE_SERVER, 18, T0 + 3000 * MS);
	decide();
	assert_verdict("ok");
	assert_true(X->r.inferred);
	assert_true(X->r.findings & DIAG_F_INVALID_RECORD);
	assert_true(has_evidence("header 14 ff ff ff 01: version 0xffff is no "
	    "SSL or TLS version"));
	assert_true(has_evidence("read again from frame 13"));
	assert_true(has_evidence_frame(18));
	assert_non_null(strstr(X->r.advice, "another point of the path"));

	/* No Finished from the server: nothing tells how it went. */
	s->ccs = false;
	s->finished = false;
	s->tail_count = 0;
	decide();
	assert_verdict("incomplete-capture");
	assert_true(X->r.findings & DIAG_F_INVALID_RECORD);
	assert_non_null(strstr(X->r.summary, "not valid TLS (frame 10)"));

	/* No record after it: the client's stream stopped on it. */
	c->bad_header_resynced = false;
	c->stopped = true;
	c->stop = TLS_STOP_BAD_RECORD;
	c->stop_frame = F(10);
	c->stop_offset = 589;
	memcpy(c->stop_excerpt, hdr, sizeof hdr);
	c->stop_excerpt_len = sizeof hdr;
	decide();
	assert_verdict("not-tls");
	assert_false(X->r.findings & DIAG_F_INVALID_RECORD);
	assert_true(has_evidence("after 589 bytes of TLS the client sent an "
	    "invalid record header"));
}

/* ---- one direction only ---- */

/* The client's side alone, with its Finished and data after it. */
static void
test_one_sided_completed(void **state)
{
	struct tls_facts_side *s;

	(void)state;
	fx_init(SVC_IMAPS);
	modern_hello(3);
	X->f.tcp.missing = TCP_SIDE_SERVER;
	s = &X->tls.side[TLS_SIDE_CLIENT];
	s->ccs = true;
	s->finished = true;
	s->finished_frame = F(5);
	s->tail_count = 2;
	s->tail[0] = (struct tls_facts_record){ F(5), TLS_CT_HANDSHAKE, 40 };
	s->tail[1] = (struct tls_facts_record){ F(6), TLS_CT_APPLICATION_DATA,
	    300 };
	end_tcp(TCP_END_FIN, TCP_SIDE_CLIENT, 9, T0 + 50 * MS);
	decide();
	assert_verdict("ok");
	assert_true(X->r.inferred);
	assert_true(X->r.findings & DIAG_F_CAPTURE_ONE_SIDED);
	assert_true(has_evidence_frame(6));
	assert_non_null(strstr(X->r.advice, "both directions"));

	/* The look-alike: only a close_notify-sized record after the
	 * Finished, no data: nothing says how it ended. */
	s->tail[1].len = 19;
	s->tail[1].content_type = TLS_CT_ALERT;
	decide();
	assert_verdict("incomplete-capture");
	assert_null(strstr(X->r.summary, "no answer"));
	assert_true(has_evidence("only the client's direction"));
}

/* The server's side alone: never "the client hung up" or "silence". */
static void
test_one_sided_server_only(void **state)
{
	(void)state;
	fx_init(SVC_IMAPS);
	X->conn.tcp.syns = 0;
	X->conn.tcp.handshake_seen = false;
	X->f.tcp.handshake_seen = false;
	X->f.tcp.missing = TCP_SIDE_CLIENT;
	server_hello(5, TLS_V_TLS13, 0x1301);
	tls13_flight(5);
	end_tcp(TCP_END_FIN, TCP_SIDE_SERVER, 7, T0 + 50 * MS);
	decide();
	assert_verdict("incomplete-capture");
	assert_true(X->r.findings & DIAG_F_CAPTURE_ONE_SIDED);
	assert_true(has_evidence("only the server's direction"));

	/* A fatal alert from the visible side is still that alert. */
	alert(6, TLS_SIDE_SERVER, TLS_ALERT_FATAL, 40);
	decide();
	assert_int_not_equal(X->r.verdict, DIAG_INCOMPLETE_CAPTURE);
}

/*
 * TLS 1.3 from the server's side only: its acknowledgements show a
 * Finished's worth of the client's bytes after its flight, then it sent
 * a record longer than an alert: ok, inferred, still one-sided. Without
 * the answer (or with fewer bytes: the facts record no fin_frame) no
 * verdict is guessed.
 */
static void
test_one_sided_tls13_acks(void **state)
{
	struct tls_facts_tls13_acks *a;

	(void)state;
	fx_init(SVC_IMAPS);
	X->f.tcp.missing = TCP_SIDE_CLIENT;
	server_hello(3, TLS_V_TLS13, 0x1301);
	tls13_flight(3);
	X->tls.side[TLS_SIDE_SERVER].finished = true;
	X->tls.side[TLS_SIDE_SERVER].finished_frame = F(3);
	a = &X->tls.tls13_acks;
	a->flight_known = true;
	a->flight_acked = 564;
	a->fin_frame = F(4);
	a->fin_bytes = 64;
	end_tcp(TCP_END_FIN, TCP_SIDE_SERVER, 7, T0 + 50 * MS);
	decide();
	assert_verdict("incomplete-capture");

	a->answer_frame = F(6);
	a->answer_len = 553;
	a->answer_acked = 298;
	a->answer_ack_frame = F(5);
	decide();
	assert_verdict("ok");
	assert_true(X->r.inferred);
	assert_true(X->r.findings & DIAG_F_CAPTURE_ONE_SIDED);
	assert_non_null(strstr(X->r.summary, "(inferred)"));
	assert_true(has_evidence("acknowledges 64 more bytes from the client, "
	                         "the size of a Finished record (58 bytes"));
	assert_true(has_evidence("and a ChangeCipherSpec (6)"));
	assert_true(has_evidence("then 234 more bytes from the client (298 "
	                         "since the flight)"));
	assert_true(has_evidence_frame(6));

	/* the client's side captured: the one-sided rule does not run */
	X->f.tcp.missing = TCP_SIDE_NONE;
	decide();
	assert_int_not_equal(X->r.verdict, DIAG_OK);
}

/* Silence cannot be told where the silent side's bytes are missing. */
static void
test_no_silence_across_a_gap(void **state)
{
	(void)state;
	fx_init(SVC_IMAPS);
	modern_hello(6);
	server_hello(8, TLS_V_TLS13, 0x1301);
	tls13_flight(8);
	X->conn.reasm[TCP_DIR_C2S].gaps = 1;
	X->conn.reasm[TCP_DIR_C2S].gap_bytes = 481;
	X->conn.reasm[TCP_DIR_C2S].gap_list[0].frame = F(9);
	X->conn.reasm[TCP_DIR_C2S].gap_list[0].bytes = 481;
	end_tcp(TCP_END_FIN, TCP_SIDE_CLIENT, 14, T0 + 200 * MS);
	decide();
	assert_verdict("incomplete-capture");
	assert_true(X->r.findings & DIAG_F_CAPTURE_GAP);
	assert_true(has_evidence("481 bytes of the client's stream missing"));
	/* Without the gap: the client's hang-up is tls13-rejected. */
	X->conn.reasm[TCP_DIR_C2S].gaps = 0;
	decide();
	assert_verdict("tls13-rejected");
}

/* ---- alerts right after the ClientHello ---- */

static void
test_protocol_version(void **state)
{
	(void)state;
	fx_init(SVC_IMAPS);
	modern_hello(6);
	alert(8, TLS_SIDE_SERVER, TLS_ALERT_FATAL, 70);
	end_tcp(TCP_END_FIN, TCP_SIDE_SERVER, 10, T0 + 5 * MS);
	decide();
	assert_verdict("tls-version-mismatch");
	assert_false(X->r.inferred);
	assert_non_null(strstr(X->r.summary, "TLS 1.2-1.3"));
	assert_true(has_evidence("frame 8: server sent fatal alert "
	    "protocol_version (70)"));
	assert_non_null(strstr(X->r.advice, "ssl_min_protocol = TLSv1.2"));
	assert_non_null(strstr(X->r.advice, "tls_versions: tls1_2 tls1_3"));
	assert_non_null(strstr(X->r.advice, "TLS_PROTOCOL=TLS1_2:TLS1_3"));
}

static void
test_handshake_failure(void **state)
{
	(void)state;
	fx_init(SVC_IMAPS);
	client_hello(6, v10_13, TA_ELEMENTS(v10_13), aead, TA_ELEMENTS(aead));
	alert(8, TLS_SIDE_SERVER, TLS_ALERT_FATAL, 40);
	end_tcp(TCP_END_FIN, TCP_SIDE_SERVER, 10, T0 + 5 * MS);
	decide();
	assert_verdict("no-shared-cipher");
	/* GREASE-free count: the SCSV is not a suite */
	assert_non_null(strstr(X->r.summary, "5 cipher suites"));
	/* The advice names a suite the client did offer, for the server. */
	assert_non_null(strstr(X->r.advice, "(first: TLS_AES_128_GCM_SHA256)"));
	assert_non_null(strstr(X->r.advice, "on the server"));
	assert_null(strstr(X->r.advice, "no server name"));

	/* insufficient_security reads the same */
	X->tls.alerts[0].description = 71;
	decide();
	assert_verdict("no-shared-cipher");
}

/* handshake_failure when the offered versions explain it: the client
 * offers nothing in TLS 1.2. */
static void
test_handshake_failure_versions_explain(void **state)
{
	(void)state;
	fx_init(SVC_IMAPS);
	client_hello(6, v10_11, TA_ELEMENTS(v10_11), mixed, TA_ELEMENTS(mixed));
	alert(8, TLS_SIDE_SERVER, TLS_ALERT_FATAL, 40);
	end_tcp(TCP_END_FIN, TCP_SIDE_SERVER, 10, T0 + 5 * MS);
	decide();
	assert_verdict("tls-version-mismatch");
	assert_true(X->r.inferred);
	assert_non_null(strstr(X->r.summary, "inferred"));

	fx_init(SVC_IMAPS);
	client_hello(6, v13, TA_ELEMENTS(v13), aead, TA_ELEMENTS(aead));
	alert(8, TLS_SIDE_SERVER, TLS_ALERT_FATAL, 40);
	end_tcp(TCP_END_FIN, TCP_SIDE_SERVER, 10, T0 + 5 * MS);
	decide();
	assert_verdict("tls-version-mismatch");
}


/* Advice points at the side that must change. */
static void
test_advice_side(void **state)
{
	static const uint16_t v10[] = { TLS_V_TLS10 };
	static const uint16_t nulls[] = { 0x0001, 0x0002, 0x003b, 0x00ff };
	static const uint16_t v_draft[] = { 0x7f0e, TLS_V_TLS12, TLS_V_TLS11,
	    TLS_V_TLS10 };

	(void)state;
	/* A client that offers only TLS 1.0: the client must change. */
	fx_init(SVC_IMAPS);
	client_hello(6, v10, TA_ELEMENTS(v10), mixed, TA_ELEMENTS(mixed));
	alert(8, TLS_SIDE_SERVER, TLS_ALERT_FATAL, 70);
	end_tcp(TCP_END_FIN, TCP_SIDE_SERVER, 10, T0 + 5 * MS);
	decide();
	assert_verdict("tls-version-mismatch");
	assert_non_null(strstr(X->r.advice, "The client must change"));
	assert_null(strstr(X->r.advice, "Upgrade TLS on the source server"));

	/* The look-alike: a modern client refused: the server is old. */
	fx_init(SVC_IMAPS);
	modern_hello(6);
	alert(8, TLS_SIDE_SERVER, TLS_ALERT_FATAL, 70);
	end_tcp(TCP_END_FIN, TCP_SIDE_SERVER, 10, T0 + 5 * MS);
	decide();
	assert_non_null(strstr(X->r.advice, "Upgrade TLS on the source server"));

	/* TLS 1.3 only, refused: the server lacks TLS 1.3. */
	fx_init(SVC_IMAPS);
	client_hello(6, v13, TA_ELEMENTS(v13), aead, TA_ELEMENTS(aead));
	alert(8, TLS_SIDE_SERVER, TLS_ALERT_FATAL, 70);
	end_tcp(TCP_END_FIN, TCP_SIDE_SERVER, 10, T0 + 5 * MS);
	decide();
	assert_non_null(strstr(X->r.advice, "Enable TLS 1.3 on the server"));

	/* A draft and TLS 1.0-1.2, refused: both readings, the draft named. */
	fx_init(SVC_IMAPS);
	client_hello(6, v_draft, TA_ELEMENTS(v_draft), mixed,
	    TA_ELEMENTS(mixed));
	alert(8, TLS_SIDE_SERVER, TLS_ALERT_FATAL, 70);
	end_tcp(TCP_END_FIN, TCP_SIDE_SERVER, 10, T0 + 5 * MS);
	decide();
	assert_non_null(strstr(X->r.advice, "pre-standard draft"));
	assert_non_null(strstr(X->r.advice, "accepts only TLS 1.3"));

	/* Only NULL suites offered: the client must change, and the server
	 * is not told to add suites. */
	fx_init(SVC_IMAPS);
	client_hello(6, v12_13, TA_ELEMENTS(v12_13), nulls, TA_ELEMENTS(nulls));
	alert(8, TLS_SIDE_SERVER, TLS_ALERT_FATAL, 40);
	end_tcp(TCP_END_FIN, TCP_SIDE_SERVER, 10, T0 + 5 * MS);
	decide();
	assert_verdict("no-shared-cipher");
	assert_non_null(strstr(X->r.advice, "The client must change"));
	assert_null(strstr(X->r.advice, "enable at least one"));

	/* No SNI with modern suites: SNI is named as a cause. */
	fx_init(SVC_IMAPS);
	modern_hello(6);
	X->tls.client_hello.has_sni = false;
	X->tls.client_hello.sni_len = 0;
	alert(8, TLS_SIDE_SERVER, TLS_ALERT_FATAL, 40);
	end_tcp(TCP_END_FIN, TCP_SIDE_SERVER, 10, T0 + 5 * MS);
	decide();
	assert_non_null(strstr(X->r.advice, "no server name (SNI)"));
}


/* A client that fails before any ClientHello; an OpenSSL 3 client that
 * offered TLS 1.0 but refuses its signatures. */
static void
test_client_alert_shapes(void **state)
{
	(void)state;
	fx_init(SVC_IMAPS);
	alert(6, TLS_SIDE_CLIENT, TLS_ALERT_FATAL, 80);
	end_tcp(TCP_END_FIN, TCP_SIDE_CLIENT, 7, T0 + 2 * MS);
	decide();
	assert_verdict("tls-alert");
	assert_non_null(strstr(X->r.summary, "before its ClientHello"));
	assert_non_null(strstr(X->r.advice, "nothing to change on the server"));

	fx_init(SVC_IMAPS);
	client_hello(6, v10_13, TA_ELEMENTS(v10_13), mixed, TA_ELEMENTS(mixed));
	server_hello(8, TLS_V_TLS10, 0xc014);
	tls12_flight(8);
	X->tls.ske_seen = true;
	alert(9, TLS_SIDE_CLIENT, TLS_ALERT_FATAL, 80);
	end_tcp(TCP_END_FIN, TCP_SIDE_CLIENT, 10, T0 + 5 * MS);
	decide();
	assert_verdict("tls-version-mismatch");
	assert_true(X->r.inferred);
	assert_non_null(strstr(X->r.advice, "Upgrade TLS on the source server"));
	/* A TLS 1.0-only client refused at the hello with internal_error:
	 * the version (inferred), the client told to change. */
	{
		static const uint16_t v10[] = { TLS_V_TLS10 };

		fx_init(SVC_IMAPS);
		client_hello(6, v10, TA_ELEMENTS(v10), mixed,
		    TA_ELEMENTS(mixed));
		alert(8, TLS_SIDE_SERVER, TLS_ALERT_FATAL, 80);
		end_tcp(TCP_END_FIN, TCP_SIDE_SERVER, 9, T0 + 5 * MS);
		decide();
		assert_verdict("tls-version-mismatch");
		assert_true(X->r.inferred);
		assert_non_null(strstr(X->r.advice, "The client must change"));
		/* A modern client given internal_error: just the alert. */
		fx_init(SVC_IMAPS);
		modern_hello(6);
		alert(8, TLS_SIDE_SERVER, TLS_ALERT_FATAL, 80);
		end_tcp(TCP_END_FIN, TCP_SIDE_SERVER, 9, T0 + 5 * MS);
		decide();
		assert_verdict("tls-alert");
	}

	/* The look-alike: the same alert after a TLS 1.2 ServerHello. */
	X->tls.server_hello.version = TLS_V_TLS12;
	decide();
	assert_verdict("tls-alert");

	/* A second ClientHello nobody asked for is said on any verdict. */
	fx_init(SVC_IMAPS);
	modern_hello(6);
	server_hello(8, TLS_V_TLS12, 0xc02f);
	complete(12, 14);
	X->tls.client_hellos = 2;
	X->tls.client_hello_again = true;
	X->tls.client_hello_again_frame = F(16);
	X->tls.client_hello_again_after_server_hello = true;
	end_tcp(TCP_END_FIN, TCP_SIDE_CLIENT, 20, T0 + 50 * MS);
	decide();
	assert_true(has_evidence("frame 16: the client sent another "
	    "ClientHello after the ServerHello, in clear"));
	X->tls.client_hello_again = false;
	decide();
	assert_false(has_evidence("another ClientHello"));
}

/* protocol_version vs handshake_failure: each maps to its own verdict,
 * and the earlier alert decides. */
static void
test_version_vs_cipher_alert(void **state)
{
	(void)state;
	fx_init(SVC_IMAPS);
	modern_hello(6);
	alert(9, TLS_SIDE_SERVER, TLS_ALERT_FATAL, 70);
	alert(8, TLS_SIDE_SERVER, TLS_ALERT_FATAL, 40);
	end_tcp(TCP_END_FIN, TCP_SIDE_SERVER, 10, T0 + 5 * MS);
	decide();
	assert_verdict("no-shared-cipher");
	X->tls.alerts[0].frame = F(7);
	decide();
	assert_verdict("tls-version-mismatch");
}

static void
test_other_alert(void **state)
{
	(void)state;
	fx_init(SVC_IMAPS);
	modern_hello(6);
	alert(8, TLS_SIDE_SERVER, TLS_ALERT_FATAL, 47);
	end_tcp(TCP_END_FIN, TCP_SIDE_SERVER, 10, T0 + 5 * MS);
	decide();
	assert_verdict("tls-alert");
	assert_non_null(strstr(X->r.summary, "illegal_parameter"));
	/* A warning-level alert does not end the handshake. */
	X->tls.alerts[0].level = TLS_ALERT_WARNING;
	decide();
	assert_string_not_equal(diag_verdict_str(X->r.verdict), "tls-alert");
}

/* A server that requires a client certificate (TLS 1.2, RFC 5246 7.4.4):
 * the client's empty Certificate, then the server's fatal alert. */
static void
test_client_cert_required(void **state)
{
	(void)state;
	fx_init(SVC_IMAPS);
	client_hello(4, NULL, 0, mixed, TA_ELEMENTS(mixed));
	server_hello(6, TLS_V_TLS12, 0xc030);
	tls12_flight(6);
	X->tls.cert_request = true;
	X->tls.cert_request_frame = F(6);
	X->tls.client_certs_seen = true;
	X->tls.client_certs_frame = F(8);
	X->tls.client_cert_count = 0;
	alert(9, TLS_SIDE_SERVER, TLS_ALERT_FATAL, 40);
	end_tcp(TCP_END_FIN, TCP_SIDE_SERVER, 10, T0 + 5 * MS);
	decide();
	assert_verdict("tls-alert");
	assert_non_null(strstr(X->r.summary, "client certificate"));
	assert_true(has_evidence("empty certificate list"));
	assert_non_null(strstr(X->r.advice, "client certificate"));
	/* With a client certificate sent, the alert is about something else. */
	X->tls.client_cert_count = 1;
	decide();
	assert_verdict("tls-alert");
	assert_null(strstr(X->r.summary, "client certificate"));
}

/* ---- ServerHello version ---- */

static void
test_server_version_not_offered(void **state)
{
	(void)state;
	fx_init(SVC_IMAPS);
	modern_hello(6);
	server_hello(8, TLS_V_TLS10, 0xc014);
	end_tcp(TCP_END_FIN, TCP_SIDE_CLIENT, 9, T0 + 5 * MS);
	decide();
	assert_verdict("tls-version-mismatch");
	assert_true(has_evidence("client offered TLS 1.2-1.3; server answered "
	    "TLS 1.0"));
	/* The client's alert says the same. */
	alert(9, TLS_SIDE_CLIENT, TLS_ALERT_FATAL, 70);
	decide();
	assert_verdict("tls-version-mismatch");
	assert_true(X->r.findings & DIAG_F_LEGACY_VERSION);
}

/* ---- the certificate chain ---- */

static void
cert_fixture(enum cert_problem p, bool intercept, uint8_t desc)
{
	fx_init(SVC_IMAPS);
	client_hello(6, NULL, 0, mixed, TA_ELEMENTS(mixed));
	server_hello(8, TLS_V_TLS12, 0xc030);
	tls12_flight(10);
	chain(10, p, intercept);
	alert(12, TLS_SIDE_CLIENT, TLS_ALERT_FATAL, desc);
	end_tcp(TCP_END_RST, TCP_SIDE_CLIENT, 13, T0 + 5 * MS);
}

static void
test_cert_alert_picks_chain_problem(void **state)
{
	static const struct {
		enum cert_problem p;
		uint8_t desc;
		const char *verdict;
	} cases[] = {
		{ CERT_PROBLEM_INCOMPLETE, 48, "cert-chain-incomplete" },
		{ CERT_PROBLEM_EXPIRED, 45, "cert-expired" },
		{ CERT_PROBLEM_NOT_YET_VALID, 45, "cert-expired" },
		{ CERT_PROBLEM_NAME_MISMATCH, 42, "cert-name-mismatch" },
		{ CERT_PROBLEM_SELF_SIGNED, 42, "cert-self-signed" },
		{ CERT_PROBLEM_UNTRUSTED, 48, "cert-untrusted" },
		{ CERT_PROBLEM_OTHER, 46, "cert-untrusted" },
	};

	(void)state;
	for (size_t i = 0; i < TA_ELEMENTS(cases); i++) {
		cert_fixture(cases[i].p, false, cases[i].desc);
		decide();
		assert_verdict(cases[i].verdict);
		assert_false(X->r.inferred);
		assert_true(has_evidence_frame(12));
		assert_true(has_evidence_frame(10));
		assert_non_null(strstr(X->r.advice, "except once as a "
		    "diagnostic"));
	}
	/* The expiry date is shown. */
	cert_fixture(CERT_PROBLEM_EXPIRED, false, 45);
	decide();
	assert_true(has_evidence("2024-01-01"));
	/* The name the client asked for is shown. */
	cert_fixture(CERT_PROBLEM_NAME_MISMATCH, false, 42);
	decide();
	assert_true(has_evidence("not imap.example.com"));
}

/* Interception wins over the chain's own problem when the client
 * rejected it. */
static void
test_cert_vs_interception(void **state)
{
	(void)state;
	cert_fixture(CERT_PROBLEM_UNTRUSTED, true, 48);
	decide();
	assert_verdict("interception-untrusted");
	assert_non_null(strstr(X->r.advice, "bypass"));
	assert_true(has_evidence("Example Inspection"));
	assert_false(X->r.findings & DIAG_F_INTERCEPTED);

	cert_fixture(CERT_PROBLEM_EXPIRED, false, 48);
	decide();
	assert_verdict("cert-expired");
}

/* Without the chain analysis, the alert alone: inferred. */
static void
test_cert_alert_without_chain(void **state)
{
	(void)state;
	cert_fixture(CERT_PROBLEM_NONE, false, 48);
	X->f.cert = NULL;
	decide();
	assert_verdict("cert-untrusted");
	assert_true(X->r.inferred);
	assert_non_null(strstr(X->r.summary, "inferred"));

	X->tls.alerts[0].description = 45;
	decide();
	assert_verdict("cert-expired");
	assert_true(X->r.inferred);
}

/* The chain verifies here, yet the client rejected it. */
static void
test_cert_rejected_though_verifies(void **state)
{
	(void)state;
	cert_fixture(CERT_PROBLEM_NONE, false, 48);
	decide();
	assert_verdict("cert-untrusted");
	assert_true(X->r.inferred);
}

/* The client hung up without an alert after a bad chain. */
static void
test_cert_abort_without_alert(void **state)
{
	(void)state;
	/* A bad chain, then the client's FIN on its turn without an alert
	 * and without its key exchange: no client measured rejects that way
	 * (they send an alert); it took the chain and left. */
	cert_fixture(CERT_PROBLEM_INCOMPLETE, false, 48);
	X->tls.alert_count = 0;
	X->tls.fatal_alert = false;
	end_tcp(TCP_END_FIN, TCP_SIDE_CLIENT, 12, T0 + 5 * MS);
	decide();
	assert_verdict("closed-during-handshake");
	assert_true(X->r.inferred);
	assert_non_null(strstr(X->r.summary, "certificate grabbers"));
	assert_non_null(strstr(X->r.summary, "not a rejection"));
	assert_true(has_evidence("was not sent"));
	assert_true(has_evidence("without its key exchange"));
	assert_null(strstr(X->r.advice, "Install the missing intermediate"));

	/* Its RST instead: a reset by the side whose turn it was. */
	end_tcp(TCP_END_RST, TCP_SIDE_CLIENT, 12, T0 + 5 * MS);
	decide();
	assert_verdict("tcp-reset");
	assert_non_null(strstr(X->r.summary, "certificate grabbers"));

	/* The same hang-up with a healthy chain: the same reading. */
	end_tcp(TCP_END_FIN, TCP_SIDE_CLIENT, 12, T0 + 5 * MS);
	chain(10, CERT_PROBLEM_NONE, false);
	decide();
	assert_verdict("closed-during-handshake");
	assert_non_null(strstr(X->r.summary, "client"));

	/* Look-alike that must not be read as a grab: the client's fatal
	 * alert first is a rejection. */
	cert_fixture(CERT_PROBLEM_INCOMPLETE, false, 48);
	decide();
	assert_verdict("cert-chain-incomplete");
	assert_false(X->r.inferred);
}

/* Completed, but the client closed at once without data: a late name
 * check (curl). With data flowing it is ok, unverified-accepted. */
static void
test_cert_late_name_mismatch(void **state)
{
	struct tls_facts_side *s;

	(void)state;
	cert_fixture(CERT_PROBLEM_NAME_MISMATCH, false, 0);
	X->tls.alert_count = 0;
	X->tls.fatal_alert = false;
	complete(14, 0);
	s = &X->tls.side[TLS_SIDE_CLIENT];
	s->opaque_records = 2;
	s->tail_count = 2;
	s->tail[0] = (struct tls_facts_record){ F(12), TLS_CT_HANDSHAKE, 40 };
	s->tail[1] = (struct tls_facts_record){ F(15), TLS_CT_ALERT, 26 };
	end_tcp(TCP_END_FIN, TCP_SIDE_CLIENT, 16, T0 + 5 * MS);
	decide();
	assert_verdict("cert-name-mismatch");

	/* The client's alert right after the handshake decides even when
	 * the server's FIN came first. */
	X->tls.alerts[0] = (struct tls_facts_alert){ .frame = F(15),
	    .from = TLS_SIDE_CLIENT, .encrypted = true, .record_len = 26 };
	X->tls.alert_count = 1;
	end_tcp(TCP_END_FIN, TCP_SIDE_SERVER, 16, T0 + 5 * MS);
	decide();
	assert_verdict("cert-name-mismatch");
	assert_true(has_evidence("encrypted alert"));
	X->tls.alert_count = 0;
	/* The server closing first without any word from the client is not
	 * a rejection of the chain. */
	decide();
	assert_false(strcmp(diag_verdict_str(X->r.verdict),
	    "cert-name-mismatch") == 0);
	end_tcp(TCP_END_FIN, TCP_SIDE_CLIENT, 16, T0 + 5 * MS);

	s->tail[1].content_type = TLS_CT_APPLICATION_DATA;
	X->tls.app_data = true;
	X->tls.app_data_frame = F(15);
	X->tls.client_app_data = true;
	X->tls.client_app_data_frame = F(15);
	decide();
	assert_verdict("ok");
	assert_true(X->r.findings & DIAG_F_UNVERIFIED_ACCEPTED);
	assert_int_equal(X->r.severity, DIAG_SEV_WARNING);
}

/* ---- what the client did with the chain ---- */

/* The capture time of frame n (the connection notes telling frames). */
static void
ftime(uint32_t n, ta_time ts)
{
	struct frame_times *t = &X->conn.times;

	assert_true(t->n < FLOW_FRAME_TIMES);
	t->frame[t->n] = F(n);
	t->ts[t->n] = ts;
	t->n++;
}

/*
 * TLS 1.2 completed, no client data: ServerHelloDone at frame 10 (10 ms),
 * the client's key exchange and Finished at frame 12 (11 ms: it reacts in
 * 1 ms), the server's Finished at frame 14 (12 ms), then the client's
 * encrypted alert at frame 15, after_ms after the handshake, and its FIN.
 */
static void
accepted_fixture(enum cert_problem p, uint64_t after_ms)
{
	cert_fixture(p, false, 0);
	X->tls.alert_count = 0;
	X->tls.fatal_alert = false;
	complete(14, 0);
	X->tls.side[TLS_SIDE_CLIENT].ccs = true;
	X->tls.side[TLS_SIDE_CLIENT].ccs_frame = F(12);
	X->tls.side[TLS_SIDE_CLIENT].finished_frame = F(12);
	ftime(10, T0 + 10 * MS);
	ftime(12, T0 + 11 * MS);
	ftime(14, T0 + 12 * MS);
	ftime(15, T0 + (12 + after_ms) * MS);
	X->tls.alerts[0] = (struct tls_facts_alert){ .frame = F(15),
	    .from = TLS_SIDE_CLIENT, .encrypted = true, .record_len = 26 };
	X->tls.alert_count = 1;
	end_tcp(TCP_END_FIN, TCP_SIDE_CLIENT, 16, T0 + (12 + after_ms) * MS);
}

/* A name the leaf does not cover and a prompt hang-up: the way curl
 * rejects after the handshake (inferred); the same a second later: it had
 * accepted. */
static void
test_cert_late_timing(void **state)
{
	(void)state;
	accepted_fixture(CERT_PROBLEM_NAME_MISMATCH, 1);
	decide();
	assert_verdict("cert-name-mismatch");
	assert_true(X->r.inferred);
	assert_true(has_evidence("looks the same on the wire"));

	/* 900 ms: a person or a timer, not an automatic rejection. The limit
	 * is twice the client's 1 ms reaction plus 100 ms. */
	accepted_fixture(CERT_PROBLEM_NAME_MISMATCH, 900);
	decide();
	assert_verdict("ok");
	assert_true(X->r.findings & DIAG_F_UNVERIFIED_ACCEPTED);
	assert_true(has_evidence("it had accepted the chain"));
	accepted_fixture(CERT_PROBLEM_NAME_MISMATCH, 103);
	decide();
	assert_verdict("ok");
	accepted_fixture(CERT_PROBLEM_NAME_MISMATCH, 102);
	decide();
	assert_verdict("cert-name-mismatch");
}

/* Trust and dates are checked inside the handshake by every client
 * measured: a Finished, then a prompt close, is acceptance. */
static void
test_finished_is_acceptance(void **state)
{
	static const enum cert_problem trust[] = {
		CERT_PROBLEM_UNTRUSTED, CERT_PROBLEM_INCOMPLETE,
		CERT_PROBLEM_SELF_SIGNED, CERT_PROBLEM_EXPIRED,
	};

	(void)state;
	for (size_t i = 0; i < TA_ELEMENTS(trust); i++) {
		accepted_fixture(trust[i], 1);
		decide();
		assert_verdict("ok");
		assert_false(X->r.inferred);
		assert_true(has_evidence("shows it accepted the chain"));
	}
	/* Look-alike: the same chain with a fatal alert before any Finished
	 * is a rejection. */
	cert_fixture(CERT_PROBLEM_UNTRUSTED, false, 48);
	decide();
	assert_verdict("cert-untrusted");
}

/* Why a chain that fails here was accepted: a root of the capture's date
 * (chain-unverified-here), a missing intermediate the client supplied
 * (chain-unverified-here, inferred), anything else (unverified-accepted). */
static void
test_accepted_chain_findings(void **state)
{
	(void)state;
	accepted_fixture(CERT_PROBLEM_NONE, 900);
	X->cert.verify_ok = false;
	X->cert.here_problem = CERT_PROBLEM_UNTRUSTED;
	X->cert.history_tried = true;
	X->cert.trusted_then = true;
	X->cert.then_root = "GeoTrust Global CA";
	X->cert.then_from = 1325030400;         /* 2011-12-28 */
	X->cert.then_to = 1607126400;           /* 2020-12-05 */
	X->cert.time = T0;                      /* 2023-11-14 */
	decide();
	assert_verdict("ok");
	assert_int_equal(X->r.findings, DIAG_F_CHAIN_UNVERIFIED_HERE);
	assert_int_equal(X->r.severity, DIAG_SEV_WARNING);
	assert_true(has_evidence("GeoTrust Global CA was in Mozilla's store "
	    "from 2011-12-28 to 2020-12-05"));
	assert_true(has_evidence("not against this machine's store"));
	assert_non_null(strstr(X->r.advice, "--ca-bundle"));

	/* Look-alike: the same failure with no root of the time: the client
	 * skips validation or trusts a private CA. */
	X->cert.trusted_then = false;
	X->cert.problem = CERT_PROBLEM_UNTRUSTED;
	decide();
	assert_int_equal(X->r.findings, DIAG_F_UNVERIFIED_ACCEPTED);
	assert_true(has_evidence("nor against Mozilla's store"));

	/* The leaf's issuer missing: the client supplied it. */
	accepted_fixture(CERT_PROBLEM_INCOMPLETE, 900);
	decide();
	assert_int_equal(X->r.findings, DIAG_F_CHAIN_UNVERIFIED_HERE);
	assert_true(has_evidence("stricter clients fail (inferred)"));
	/* ... unless it has no issuer name at all. */
	X->chain.chain[0].issuer[0] = '\0';
	decide();
	assert_int_equal(X->r.findings, DIAG_F_UNVERIFIED_ACCEPTED);

	/* A name not covered, with data: a person accepted it. */
	accepted_fixture(CERT_PROBLEM_NAME_MISMATCH, 900);
	X->tls.client_app_data = true;
	X->tls.client_app_data_frame = F(15);
	decide();
	assert_verdict("ok");
	assert_int_equal(X->r.findings, DIAG_F_UNVERIFIED_ACCEPTED);
	assert_true(has_evidence("a person accepted it"));
}

/* Expired at the capture's time and the client went on: a warning that
 * says so, never cert-expired; with the client's alert, cert-expired. */
static void
test_expired_accepted(void **state)
{
	(void)state;
	accepted_fixture(CERT_PROBLEM_EXPIRED, 900);
	X->cert.time_problem = CERT_PROBLEM_EXPIRED;
	X->cert.time_cert = 0;
	X->cert.time_at = 1704067200;           /* 2024-01-01 */
	X->tls.client_app_data = true;
	X->tls.client_app_data_frame = F(15);
	decide();
	assert_verdict("ok");
	assert_int_equal(X->r.severity, DIAG_SEV_WARNING);
	assert_int_equal(X->r.findings, DIAG_F_EXPIRED_ACCEPTED);
	assert_true(has_evidence("had expired on 2024-01-01"));
	assert_non_null(strstr(X->r.advice, "renew it"));

	/* Expired and also from an unknown root: both findings. */
	X->cert.problem = CERT_PROBLEM_UNTRUSTED;
	decide();
	assert_int_equal(X->r.findings,
	    DIAG_F_EXPIRED_ACCEPTED | DIAG_F_UNVERIFIED_ACCEPTED);

	/* Look-alike: the client's certificate_expired alert. */
	cert_fixture(CERT_PROBLEM_EXPIRED, false, 45);
	X->cert.time_problem = CERT_PROBLEM_EXPIRED;
	decide();
	assert_verdict("cert-expired");
	assert_false(X->r.findings & DIAG_F_EXPIRED_ACCEPTED);
}

/* Explicit EC parameters are a finding whatever the verdict; a chain
 * without them carries none. */
static void
test_explicit_ec_params(void **state)
{
	(void)state;
	cert_fixture(CERT_PROBLEM_UNTRUSTED, false, 48);
	X->cert.findings = CERT_F_EXPLICIT_EC;
	X->chain.explicit_ec_cert = 1;
	decide();
	assert_verdict("cert-untrusted");
	assert_true(X->r.findings & DIAG_F_EXPLICIT_EC_PARAMS);
	assert_non_null(strstr(X->r.advice, "CVE-2020-0601"));
	accepted_fixture(CERT_PROBLEM_NONE, 900);
	X->cert.findings = CERT_F_EXPLICIT_EC;
	decide();
	assert_verdict("ok");
	assert_int_equal(X->r.findings, DIAG_F_EXPLICIT_EC_PARAMS);
	X->cert.findings = 0;
	decide();
	assert_int_equal(X->r.findings, 0);
}

/* A client that rejected a chain Mozilla's store trusted on the capture's
 * date: its own store lacks the root (inferred). */
static void
test_rejected_though_trusted_then(void **state)
{
	(void)state;
	cert_fixture(CERT_PROBLEM_NONE, false, 48);
	X->cert.verify_ok = false;
	X->cert.here_problem = CERT_PROBLEM_UNTRUSTED;
	X->cert.history_tried = true;
	X->cert.trusted_then = true;
	X->cert.then_root = "DST Root CA X3";
	X->cert.then_from = 1325030400;
	X->cert.then_to = 1652832000;
	X->cert.time = T0;
	decide();
	assert_verdict("cert-untrusted");
	assert_true(X->r.inferred);
	assert_non_null(strstr(X->r.summary, "Mozilla's store"));
	assert_true(has_evidence("DST Root CA X3 was in Mozilla's store"));
}

/* ---- TLS 1.3 ---- */

static void
tls13_fixture(void)
{
	fx_init(SVC_IMAPS);
	modern_hello(6);
	server_hello(8, TLS_V_TLS13, 0x1302);
	tls13_flight(10);
}

static void
test_tls13_encrypted_alert(void **state)
{
	(void)state;
	tls13_fixture();
	encrypted_alert(14, TLS_SIDE_CLIENT, true);
	end_tcp(TCP_END_FIN, TCP_SIDE_SERVER, 16, T0 + 9 * MS);
	decide();
	assert_verdict("tls13-rejected");
	assert_true(X->r.inferred);
	assert_non_null(strstr(X->r.summary, "inferred"));
	assert_true(has_evidence("19-byte encrypted record"));
	assert_non_null(strstr(X->r.advice, "--tls-max 1.2"));
}

static void
test_tls13_plaintext_alert(void **state)
{
	(void)state;
	tls13_fixture();
	alert(12, TLS_SIDE_CLIENT, TLS_ALERT_FATAL, 48);
	end_tcp(TCP_END_FIN, TCP_SIDE_CLIENT, 13, T0 + 9 * MS);
	decide();
	assert_verdict("cert-untrusted");
	assert_true(X->r.inferred);
	assert_non_null(strstr(X->r.summary, "did not trust"));

	X->tls.alerts[0].description = 42;
	decide();
	assert_verdict("tls13-rejected");
	assert_non_null(strstr(X->r.summary, "bad_certificate"));
}

static void
test_tls13_client_hangs_up(void **state)
{
	(void)state;
	tls13_fixture();
	end_tcp(TCP_END_RST, TCP_SIDE_CLIENT, 12, T0 + 9 * MS);
	decide();
	assert_verdict("tls13-rejected");
	assert_true(X->r.inferred);

	/* Before the server's flight it was the server's turn. */
	tls13_fixture();
	X->tls.side[TLS_SIDE_SERVER].opaque_records = 0;
	X->tls.side[TLS_SIDE_SERVER].tail_count = 0;
	end_tcp(TCP_END_FIN, TCP_SIDE_CLIENT, 12, T0 + 9 * MS);
	decide();
	assert_verdict("handshake-timeout");
	assert_int_equal(X->r.waiting_on, DIAG_SIDE_SERVER);
}

/* ---- hang-ups and silence ---- */

/* Dovecot refusing a ClientHello: a FIN, no alert. */
static void
test_server_closes_after_hello(void **state)
{
	(void)state;
	fx_init(SVC_IMAPS);
	modern_hello(6);
	/* The ClientHello was the client's last packet before the FIN. */
	X->conn.tcp.ep[TCP_DIR_C2S].pkts = 4;
	X->conn.tcp.ep[TCP_DIR_C2S].last_frame = F(6);
	X->conn.tcp.ep[TCP_DIR_C2S].last_ts = T0 + 2 * MS;
	end_tcp(TCP_END_FIN, TCP_SIDE_SERVER, 8, T0 + 12 * MS);
	decide();
	assert_verdict("closed-during-handshake");
	assert_false(X->r.inferred);
	assert_true(has_evidence("frame 8: the server closed (FIN) 10 ms after "
	    "the ClientHello (frame 6), without an alert"));
	assert_true(has_evidence("client offered TLS 1.2-1.3"));
	assert_true(has_evidence("all AEAD with forward secrecy"));
	assert_true(has_evidence("Dovecot logs"));
	assert_int_equal(X->r.ncauses, 3);
	assert_non_null(strstr(X->r.causes[0], "version"));
	assert_non_null(strstr(X->r.causes[0], "inferred"));
	assert_non_null(strstr(X->r.causes[1], "cipher"));
	assert_non_null(strstr(X->r.causes[1], "only AEAD"));
	assert_non_null(strstr(X->r.summary, "inferred"));
	assert_non_null(strstr(X->r.advice, "no shared cipher"));

	/* A client offering every version: the suites come first. */
	fx_init(SVC_IMAPS);
	client_hello(6, v10_13, TA_ELEMENTS(v10_13), aead, TA_ELEMENTS(aead));
	end_tcp(TCP_END_FIN, TCP_SIDE_SERVER, 8, T0 + 12 * MS);
	decide();
	assert_verdict("closed-during-handshake");
	assert_non_null(strstr(X->r.causes[0], "cipher"));
	assert_non_null(strstr(X->r.causes[1], "version"));
}

static void
test_client_gives_up(void **state)
{
	(void)state;
	fx_init(SVC_IMAPS);
	modern_hello(6);
	end_tcp(TCP_END_FIN, TCP_SIDE_CLIENT, 8, T0 + 2991 * MS);
	decide();
	assert_verdict("handshake-timeout");
	assert_int_equal(X->r.waiting_on, DIAG_SIDE_SERVER);
	assert_true(has_evidence("3.0 s after the connection was set up"));
	assert_non_null(strstr(X->r.advice, "network path"));
}

static void
test_idle_and_capture_end(void **state)
{
	(void)state;
	fx_init(SVC_IMAPS);
	modern_hello(6);
	end_tcp(TCP_END_TIMEOUT, TCP_SIDE_NONE, 7, T0 + 5 * MS);
	X->f.why = TCP_FINISH_IDLE;
	decide();
	assert_verdict("handshake-timeout");
	assert_int_equal(X->r.waiting_on, DIAG_SIDE_SERVER);

	/* No ClientHello yet: the client's turn on 993; the capture went on
	 * for 30 s after the last packet. */
	fx_init(SVC_IMAPS);
	end_tcp(TCP_END_OPEN, TCP_SIDE_NONE, 5, T0 + 5 * MS);
	X->f.why = TCP_FINISH_CAPTURE_END;
	X->f.tcp.now = T0 + 30005 * MS;
	decide();
	assert_verdict("handshake-timeout");
	assert_int_equal(X->r.waiting_on, DIAG_SIDE_CLIENT);
	assert_non_null(strstr(X->r.summary, "capture ended"));

	/* The capture ends 2 ms after the last packet: no silence shown. */
	X->f.tcp.now = T0 + 7 * MS;
	decide();
	assert_verdict("incomplete-capture");
	assert_int_equal(X->r.waiting_on, DIAG_SIDE_NONE);
	assert_true(has_evidence("too soon to tell"));
}

/* A close_notify before completion is a hang-up by its sender. */
static void
test_close_notify_hangup(void **state)
{
	(void)state;
	fx_init(SVC_IMAPS);
	modern_hello(6);
	server_hello(8, TLS_V_TLS12, 0xc02f);
	tls12_flight(8);
	alert(10, TLS_SIDE_CLIENT, TLS_ALERT_WARNING, 0);
	end_tcp(TCP_END_FIN, TCP_SIDE_CLIENT, 10, T0 + 5 * MS);
	decide();
	assert_verdict("closed-during-handshake");
	assert_true(has_evidence("close_notify"));
}

/* ---- not enough data ---- */

static void
test_midstream(void **state)
{
	(void)state;
	fx_init(SVC_IMAPS);
	X->conn.tcp.syns = 0;
	X->conn.tcp.synack_seen = false;
	X->conn.first_frame = F(1);
	X->f.tcp.handshake_seen = false;
	end_tcp(TCP_END_FIN, TCP_SIDE_SERVER, 7, T0);
	decide();
	assert_verdict("incomplete-capture");
	assert_int_equal(X->r.severity, DIAG_SEV_WARNING);
	assert_true(has_evidence_frame(1));
}

static void
test_gap_and_truncation(void **state)
{
	struct tls_facts_side *s;

	(void)state;
	fx_init(SVC_IMAPS);
	modern_hello(6);
	s = &X->tls.side[TLS_SIDE_SERVER];
	s->stopped = true;
	s->stop = TLS_STOP_GAP;
	s->stop_frame = F(8);
	s->stop_len = 1418;
	s->bytes = 30;
	end_tcp(TCP_END_FIN, TCP_SIDE_SERVER, 30, T0 + 50 * MS);
	decide();
	assert_verdict("incomplete-capture");
	assert_true(has_evidence("1418 bytes"));

	s->stop = TLS_STOP_TRUNCATED;
	decide();
	assert_verdict("incomplete-capture");
	assert_non_null(strstr(X->r.summary,
	                       "bytes lost or cut by the snap length"));

	/* A message that declares too much lost no byte: the summary and the
	 * advice say so, and do not send anyone to capture again. */
	s->stop = TLS_STOP_OVERSIZED;
	s->stop_len = 3214128;
	decide();
	assert_verdict("incomplete-capture");
	assert_true(has_evidence("handshake message (3214128 bytes) was too "
	                         "large to follow"));
	assert_non_null(strstr(X->r.summary,
	                       "declares more bytes than this analysis follows"));
	assert_false(strstr(X->r.summary, "lost") != NULL);
	assert_non_null(strstr(X->r.advice, "Ask for the original capture"));
	assert_false(strstr(X->r.advice, "tcpdump -s 0") != NULL);
	s->stop = TLS_STOP_TRUNCATED;

	/* Facts seen before the hole still decide. */
	alert(7, TLS_SIDE_SERVER, TLS_ALERT_FATAL, 70);
	decide();
	assert_verdict("tls-version-mismatch");

	/* So does a completed handshake. */
	X->tls.alert_count = 0;
	complete(12, 0);
	decide();
	assert_verdict("ok");
}

/* An unreadable Certificate and a message header declaring too much on
 * a stream captured whole: with both Finished seen the handshake
 * completed (ok, cert-unreadable); without, no verdict is guessed. */
static void
test_unreadable_certificate(void **state)
{
	struct tls_facts_side *s;

	(void)state;
	fx_init(SVC_IMAPS);
	modern_hello(6);
	X->tls.certs_unreadable = true;
	X->tls.certs_unreadable_frame = F(8);
	X->tls.certs_unreadable_len = 256;
	X->tls.certs_unreadable_list_known = true;
	X->tls.certs_unreadable_list_len = 3820;
	s = &X->tls.side[TLS_SIDE_SERVER];
	s->hs_too_long = 1;
	s->hs_too_long_frame = F(8);
	s->hs_too_long_type = 0x30;
	s->hs_too_long_len = 3214128;
	end_tcp(TCP_END_FIN, TCP_SIDE_SERVER, 30, T0 + 50 * MS);
	decide();
	assert_verdict("incomplete-capture");
	assert_true(X->r.findings & DIAG_F_CERT_UNREADABLE);
	assert_non_null(strstr(X->r.summary,
	                       "declares more bytes than this analysis follows"));

	complete(12, 0);
	decide();
	assert_verdict("ok");
	assert_true(X->r.findings & DIAG_F_CERT_UNREADABLE);
	assert_true(has_evidence("certificate list declares 3820 bytes, more "
	                         "than the 256 of the message"));
	assert_true(has_evidence("declare a 3214128-byte message"));
	assert_non_null(strstr(X->r.advice, "Certificate message could not "
	                       "be read"));

	/* a chain that was read is no unreadable one */
	X->tls.certs_seen = true;
	decide();
	assert_false(X->r.findings & DIAG_F_CERT_UNREADABLE);
}

/* A generated trace: every frame, both sides', at one time stamp. The
 * finding says the clock is not real; two frames alike are no sign. */
static void
test_frozen_clock(void **state)
{
	(void)state;
	fx_init(SVC_IMAPS);
	modern_hello(6);
	complete(12, 0);
	X->conn.first_ts = X->conn.last_ts = T0;
	X->conn.tcp.ep[TCP_DIR_C2S].pkts = 5;
	X->conn.tcp.ep[TCP_DIR_S2C].pkts = 5;
	end_tcp(TCP_END_FIN, TCP_SIDE_CLIENT, 30, T0);
	decide();
	assert_verdict("ok");
	assert_true(X->r.findings & DIAG_F_TIMESTAMPS_DAMAGED);
	assert_true(has_evidence("all 10 frames of this connection, both "
	                         "sides', carry the same time stamp"));

	/* one side only, or a few frames: a fast capture, not a frozen one */
	X->conn.tcp.ep[TCP_DIR_S2C].pkts = 0;
	decide();
	assert_false(X->r.findings & DIAG_F_TIMESTAMPS_DAMAGED);
	X->conn.tcp.ep[TCP_DIR_S2C].pkts = 5;
	X->f.tcp.frames = 3;
	decide();
	assert_false(X->r.findings & DIAG_F_TIMESTAMPS_DAMAGED);
	/* a real clock: the last frame later than the first */
	X->f.tcp.frames = 10;
	X->conn.last_ts = T0 + 1;
	decide();
	assert_false(X->r.findings & DIAG_F_TIMESTAMPS_DAMAGED);
}

static void
test_snaplen_no_hello(void **state)
{
	struct tls_facts_side *s;

	(void)state;
	fx_init(SVC_IMAPS);
	tls();
	s = &X->tls.side[TLS_SIDE_CLIENT];
	s->bytes = 30;
	s->stopped = true;
	s->stop = TLS_STOP_GAP;
	s->stop_frame = F(6);
	s->stop_len = 487;
	end_tcp(TCP_END_FIN, TCP_SIDE_SERVER, 30, T0 + 50 * MS);
	decide();
	assert_verdict("incomplete-capture");
	assert_true(has_evidence("snap length"));
}

static void
test_evicted(void **state)
{
	(void)state;
	fx_init(SVC_IMAPS);
	modern_hello(6);
	end_tcp(TCP_END_OPEN, TCP_SIDE_NONE, 6, T0 + 5 * MS);
	X->f.why = TCP_FINISH_EVICTED;
	decide();
	assert_verdict("incomplete-capture");
}

static void
test_starttls_gap(void **state)
{
	struct starttls_facts *s;

	(void)state;
	fx_init(SVC_IMAP);
	s = st_greeted(true);
	s->gap = true;
	end_tcp(TCP_END_FIN, TCP_SIDE_SERVER, 20, T0 + 50 * MS);
	decide();
	assert_verdict("incomplete-capture");
}

/* ---- healthy connections and findings ---- */

static void
test_ok_plain(void **state)
{
	(void)state;
	tls13_fixture();
	complete(12, 17);
	end_tcp(TCP_END_FIN, TCP_SIDE_SERVER, 29, T0 + 90 * MS);
	decide();
	assert_verdict("ok");
	assert_int_equal(X->r.severity, DIAG_SEV_OK);
	assert_int_equal(X->r.findings, 0);
	assert_string_equal(X->r.advice, "Nothing to fix.");
	assert_non_null(strstr(X->r.summary, "TLS 1.3"));
	assert_true(has_evidence_frame(12));
	/* evidence in frame order */
	for (unsigned i = 1; i < X->r.nevidence; i++)
		if (X->r.evidence[i].frame != 0 &&
		    X->r.evidence[i - 1].frame != 0)
			assert_true(X->r.evidence[i - 1].frame <=
			    X->r.evidence[i].frame);
}

static void
test_ok_findings(void **state)
{
	(void)state;
	fx_init(SVC_IMAPS);
	client_hello(6, NULL, 0, mixed, TA_ELEMENTS(mixed));
	X->tls.client_hello.legacy_version = TLS_V_TLS10;
	server_hello(8, TLS_V_TLS10, 0x000a); /* 3DES */
	tls12_flight(10);
	chain(10, CERT_PROBLEM_UNTRUSTED, true);
	X->cert.findings = CERT_F_WEAK_SIGNATURE | CERT_F_SMALL_KEY |
	    CERT_F_EXPIRING_SOON;
	complete(14, 15);
	/* The client's Finished, then its data. */
	X->tls.side[TLS_SIDE_CLIENT].opaque_records = 2;
	X->tls.side[TLS_SIDE_CLIENT].tail_count = 2;
	X->tls.side[TLS_SIDE_CLIENT].tail[0] =
	    (struct tls_facts_record){ F(12), TLS_CT_HANDSHAKE, 40 };
	X->tls.side[TLS_SIDE_CLIENT].tail[1] =
	    (struct tls_facts_record){ F(16), TLS_CT_APPLICATION_DATA, 60 };
	X->tls.client_app_data = true;
	X->tls.client_app_data_frame = F(16);
	end_tcp(TCP_END_FIN, TCP_SIDE_CLIENT, 27, T0 + 90 * MS);
	X->f.tcp.middlebox_suspected = true;
	decide();
	assert_verdict("ok");
	assert_int_equal(X->r.severity, DIAG_SEV_WARNING);
	assert_int_equal(X->r.findings, DIAG_F_INTERCEPTED |
	    DIAG_F_LEGACY_VERSION | DIAG_F_WEAK_CIPHER |
	    DIAG_F_WEAK_SIGNATURE | DIAG_F_SMALL_KEY |
	    DIAG_F_CERT_EXPIRING_SOON | DIAG_F_MIDDLEBOX_RST_SUSPECTED);
	assert_true(has_evidence("3DES"));
	assert_non_null(strstr(X->r.advice, "ssl_min_protocol"));
	assert_non_null(strstr(X->r.advice, "bypass"));

	/* Not intercepted, chain does not verify: unverified-accepted. */
	X->chain.interception.suspected = false;
	X->cert.intercepted = false;
	decide();
	assert_true(X->r.findings & DIAG_F_UNVERIFIED_ACCEPTED);
	assert_false(X->r.findings & DIAG_F_INTERCEPTED);
}

/* ---- names and capacity ---- */

static void
test_strings(void **state)
{
	static const char *const ids[DIAG_VERDICT_COUNT] = {
		"ok", "tcp-no-answer", "tcp-refused", "tcp-reset",
		"closed-during-handshake", "handshake-timeout",
		"starttls-not-offered", "starttls-refused", "plaintext-session",
		"not-tls", "tls-version-mismatch", "no-shared-cipher",
		"cert-chain-incomplete", "cert-expired", "cert-name-mismatch",
		"cert-self-signed", "cert-untrusted", "interception-untrusted",
		"tls-alert", "tls13-rejected", "incomplete-capture",
	};
	static const char *const fids[DIAG_FINDING_COUNT] = {
		"intercepted", "unverified-accepted", "legacy-version",
		"weak-cipher", "weak-signature", "small-key",
		"cert-expiring-soon", "middlebox-rst-suspected",
		"capture-one-sided", "capture-midstream", "capture-gap",
		"timestamps-damaged",
		"chain-unverified-here", "expired-accepted",
		"explicit-ec-params", "invalid-record", "cert-unreadable",
	};

	(void)state;
	for (unsigned i = 0; i < DIAG_VERDICT_COUNT; i++) {
		assert_string_equal(diag_verdict_str((enum diag_verdict)i),
		    ids[i]);
		assert_non_null(diag_verdict_meaning((enum diag_verdict)i));
	}
	assert_null(diag_verdict_str((enum diag_verdict)DIAG_VERDICT_COUNT));
	for (unsigned i = 0; i < DIAG_FINDING_COUNT; i++)
		assert_string_equal(diag_finding_str(1u << i), fids[i]);
	assert_null(diag_finding_str(0));
	assert_null(diag_finding_str(3));
	assert_null(diag_finding_str(1u << DIAG_FINDING_COUNT));
	assert_string_equal(diag_severity_str(DIAG_SEV_OK), "ok");
	assert_string_equal(diag_severity_str(DIAG_SEV_WARNING), "warning");
	assert_string_equal(diag_severity_str(DIAG_SEV_ERROR), "error");
	assert_null(diag_side_str(DIAG_SIDE_NONE));
	assert_string_equal(diag_side_str(DIAG_SIDE_SERVER), "server");
}

/* More evidence than fits is counted, never written past the end. */
static void
test_evidence_capacity(void **state)
{
	struct starttls_facts *st;

	(void)state;
	fx_init(SVC_IMAP);
	st = st_greeted(true);
	st->requested = true;
	st->request_frame = F(11);
	st->response = STARTTLS_RESP_OK;
	st->response_frame = F(12);
	modern_hello(14);
	server_hello(16, TLS_V_TLS12, 0xc02f);
	end_tcp(TCP_END_RST, TCP_SIDE_MIDDLEBOX, 17, T0 + 2 * MS);
	X->f.tcp.inferred = true;
	X->f.tcp.nevidence = TCP_EVIDENCE_MAX;
	for (unsigned i = 0; i < TCP_EVIDENCE_MAX; i++)
		(void)snprintf(X->f.tcp.evidence[i], TCP_EVIDENCE_LEN,
		    "signal %u", i);
	decide();
	assert_verdict("tcp-reset");
	assert_non_null(strstr(X->r.evidence[X->r.nevidence - 1].text,
	    "signal"));
	/* greeting, STARTTLS, ClientHello, ServerHello, the RST, 8 signals */
	assert_int_equal(X->r.nevidence, DIAG_MAX_EVIDENCE);
	assert_int_equal(X->r.evidence_dropped, 5 + TCP_EVIDENCE_MAX -
	    DIAG_MAX_EVIDENCE);
}

/* Without a struct conn (no TCP tracker) every rule still decides. */
static void
test_without_conn(void **state)
{
	(void)state;
	fx_init(SVC_IMAPS);
	X->f.conn = NULL;
	modern_hello(6);
	end_tcp(TCP_END_FIN, TCP_SIDE_SERVER, 8, T0 + 12 * MS);
	decide();
	assert_verdict("closed-during-handshake");
	assert_true(has_evidence("after the ClientHello (frame 6)"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_no_answer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rst_server_turn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rst_middlebox, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_lines_written_on_demand,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_rst_by_waiting_side, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alert_before_rst, setup, teardown),
		cmocka_unit_test_setup_teardown(test_starttls_not_offered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_starttls_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plaintext_session, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tls_without_starttls, setup, teardown),
		cmocka_unit_test_setup_teardown(test_starttls_no_greeting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_starttls_ok_client_hangs_up, setup, teardown),
		cmocka_unit_test_setup_teardown(test_starttls_answer_not_imap,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(test_greeting_not_imap,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(test_line_not_imap_before_starttls,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(test_starttls_bye_greeting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plaintext_on_993, setup, teardown),
		cmocka_unit_test_setup_teardown(test_protocol_version, setup, teardown),
		cmocka_unit_test_setup_teardown(test_handshake_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_handshake_failure_versions_explain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_version_vs_cipher_alert, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_alert, setup, teardown),
		cmocka_unit_test_setup_teardown(test_client_cert_required, setup, teardown),
		cmocka_unit_test_setup_teardown(test_server_version_not_offered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cert_alert_picks_chain_problem, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cert_vs_interception, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cert_alert_without_chain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cert_rejected_though_verifies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cert_abort_without_alert, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cert_late_timing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_finished_is_acceptance, setup, teardown),
		cmocka_unit_test_setup_teardown(test_accepted_chain_findings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_expired_accepted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_explicit_ec_params, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rejected_though_trusted_then, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cert_late_name_mismatch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tls13_encrypted_alert, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tls13_plaintext_alert, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tls13_client_hangs_up, setup, teardown),
		cmocka_unit_test_setup_teardown(test_server_closes_after_hello, setup, teardown),
		cmocka_unit_test_setup_teardown(test_client_gives_up, setup, teardown),
		cmocka_unit_test_setup_teardown(test_idle_and_capture_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_close_notify_hangup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_midstream, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gap_and_truncation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unreadable_certificate,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(test_frozen_clock, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_snaplen_no_hello, setup, teardown),
		cmocka_unit_test_setup_teardown(test_evicted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_starttls_gap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ok_plain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ok_findings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_tls_kinds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_advice_side, setup, teardown),
		cmocka_unit_test_setup_teardown(test_client_alert_shapes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invalid_record, setup, teardown),
		cmocka_unit_test_setup_teardown(test_one_sided_completed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_one_sided_server_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_one_sided_tls13_acks, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_no_silence_across_a_gap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_strings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_evidence_capacity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_without_conn, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
