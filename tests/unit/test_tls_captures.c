/*
 * test_tls_captures.c: the TLS facts (RFC 8446, RFC 5246, TLS 1.3 drafts,
 * SSL 2.0, PostgreSQL's SSLRequest) of public captures from other
 * projects' test suites, read through the whole packet path. The captures
 * live beside the source tree in ../shared/realworld (their MANIFEST says
 * what each holds); they are never copied here, and every test skips when
 * the folder is absent. Each expectation was checked against tshark's
 * dissection of the same frames first.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analyzer.h"
#include "tls/tls_names.h"

#define MAX_CONNS 16

struct seen {
	uint16_t cport;
	bool has_tls;
	struct tls_facts t;      /* client_hello2 is not kept: NULL */
};

struct run_log {
	struct seen c[MAX_CONNS];
	size_t n;
};

static const char *
on_conn(void *ctx, const struct conn_facts *f)
{
	struct run_log *l = ctx;
	struct seen *s;

	assert_true(l->n < MAX_CONNS);
	s = &l->c[l->n++];
	memset(s, 0, sizeof *s);
	s->cport = f->conn->cport;
	if (f->tls != NULL) {
		s->has_tls = true;
		s->t = *f->tls;
		s->t.client_hello2 = NULL;
	}
	return NULL;
}

/* ../shared/realworld/NAME beside the source tree, or NULL (skip). */
static const char *
capture_path(const char *name)
{
	static char path[4096];
	const char *top = getenv("top_srcdir");
	struct stat st;

	snprintf(path, sizeof path, "%s/../shared/realworld/%s",
	         top != NULL ? top : ".", name);
	if (stat(path, &st) != 0)
		return NULL;
	return path;
}

/* Read one capture with -p PORT/SERVICE; false when it is absent. */
static bool
read_capture(const char *name, const char *port, struct run_log *l)
{
	const char *path = capture_path(name);
	const char *files[1];
	struct analyzer_config cfg;
	struct analyzer *a;
	struct capture *cap;
	struct cap_pkt p;
	char err[CAP_ERRLEN];

	memset(l, 0, sizeof *l);
	if (path == NULL)
		return false;
	memset(&cfg, 0, sizeof cfg);
	service_map_defaults(&cfg.svc);
	assert_true(service_map_add(&cfg.svc, port, err, sizeof err));
	files[0] = path;
	cap = capture_open_files(files, 1, NULL, err, sizeof err);
	assert_non_null(cap);
	a = analyzer_new(&cfg, on_conn, l);
	assert_non_null(a);
	while (capture_next(cap, &p) == CAP_PACKET)
		analyzer_packet(a, &p);
	analyzer_finish(a);
	analyzer_free(a);
	capture_close(cap);
	return true;
}

static const struct tls_facts *
conn_tls(const struct run_log *l, uint16_t cport)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->c[i].cport == cport) {
			assert_true(l->c[i].has_tls);
			return &l->c[i].t;
		}
	fail_msg("no connection from port %u", (unsigned)cport);
	return NULL;
}

#define READ_OR_SKIP(name, port, log) \
	do { \
		if (!read_capture((name), (port), (log))) \
			skip(); \
	} while (0)

static struct run_log lg;

/* Draft 19 (0x7f13): the ServerHello in the drafts' layout; both
 * handshakes complete (tshark: Server Hello, frames 6 and 28). */
static void
test_draft19(void **state)
{
	char hex[TLS_NAMES_HEX_LEN];

	(void)state;
	READ_OR_SKIP("zeek__tls-13draft19-early-data.pcap", "13443/tls", &lg);
	assert_int_equal(lg.n, 2);
	for (size_t i = 0; i < 2; i++) {
		const struct tls_facts *t = &lg.c[i].t;

		assert_true(t->server_hello_seen);
		assert_true(t->server_hello.draft_layout);
		assert_int_equal(t->server_hello.version, 0x7f13);
		assert_int_equal(t->server_hello.cipher, 0x1302);
		assert_true(t->handshake_complete);
		assert_string_equal(tls_version_str(t->server_hello.version, hex),
		                    "TLS 1.3 (draft 19)");
	}
	assert_int_equal(TA_FRAME_NO(conn_tls(&lg, 65503)->server_hello_frame), 6);
	assert_int_equal(TA_FRAME_NO(conn_tls(&lg, 65504)->server_hello_frame), 28);
}

/* Draft 22 (RFC form, supported_versions 0x7f16) after an HRR; Chrome's
 * draft 14 refused with protocol_version; Google's experiment 0x7e01. */
static void
test_drafts_and_variants(void **state)
{
	const struct tls_facts *t;

	(void)state;
	READ_OR_SKIP("suricata-verify__tls13-draft22__tls13_draft22.pcap",
	             "4433/tls", &lg);
	t = &lg.c[0].t;
	assert_true(t->hello_retry);
	assert_int_equal(TA_FRAME_NO(t->hello_retry_frame), 6);
	assert_int_equal(t->server_hello.version, 0x7f16);
	assert_false(t->server_hello.draft_layout);
	assert_true(t->handshake_complete);
	assert_false(t->client_hello_again);

	READ_OR_SKIP("zeek__tls13draft16-chrome55.0.2879.0-canary-aborted.pcap",
	             "443/tls", &lg);
	assert_int_equal(lg.n, 2);
	t = &lg.c[0].t;
	assert_int_equal(t->client_hello.versions.v[1], 0x7f0e);
	assert_int_equal(t->alert_count, 1);
	assert_int_equal(t->alerts[0].description, 70);
	assert_true(t->alerts[0].before_server_hello);

	READ_OR_SKIP("zeek__chrome-63.0.3211.0-canary-tls_experiment.pcap",
	             "443/tls", &lg);
	t = &lg.c[0].t;
	assert_int_equal(t->server_hello.version, 0x7e01);
	assert_true(t->handshake_complete);
	assert_int_equal(TA_FRAME_NO(t->handshake_complete_frame), 11);
}

/* PostgreSQL: SSLRequest answered S (TLS follows) or N (refused). */
static void
test_pgsql(void **state)
{
	const struct tls_facts *t;

	(void)state;
	READ_OR_SKIP("suricata-verify__pgsql-upgrade-tls__input.pcap",
	             "5432/tls", &lg);
	assert_int_equal(lg.n, 2);
	t = conn_tls(&lg, 60358);
	assert_true(t->pg_request);
	assert_int_equal(TA_FRAME_NO(t->pg_request_frame), 4);
	assert_int_equal(TA_FRAME_NO(t->pg_answer_frame), 6);
	assert_false(t->tls_refused);
	assert_int_equal(TA_FRAME_NO(t->client_hello_frame), 8);
	assert_int_equal(t->server_hello.cipher, 0x009f);
	assert_true(t->certs_seen);
	assert_true(t->handshake_complete);
	/* the second connection sends its StartupMessage without a request */
	t = conn_tls(&lg, 60359);
	assert_false(t->pg_request);
	assert_int_equal(t->side[TLS_SIDE_CLIENT].stop, TLS_STOP_NOT_TLS);
	assert_true(t->side[TLS_SIDE_CLIENT].stop_by_sender);

	READ_OR_SKIP("suricata-verify__pgsql-ssl-rejected-md5-auth-simple-query__input.pcap",
	             "5432/tls", &lg);
	assert_int_equal(lg.n, 2);
	for (size_t i = 0; i < 2; i++) {
		t = &lg.c[i].t;
		assert_true(t->tls_refused);
		assert_false(t->side[TLS_SIDE_CLIENT].stopped);
		assert_int_equal(t->side[TLS_SIDE_SERVER].stop, TLS_STOP_NOT_TLS);
		assert_false(t->client_hello_seen);
	}
	assert_int_equal(TA_FRAME_NO(lg.c[0].t.pg_answer_frame), 6);

	READ_OR_SKIP("zeek__psql-aws-ssl-require.pcap", "5432/tls", &lg);
	t = &lg.c[0].t;
	assert_true(t->pg_answered);
	assert_false(t->tls_refused);
	assert_int_equal(t->server_hello.cipher, 0xc030);
	assert_true(t->client_certs_seen);
	assert_int_equal(t->client_cert_count, 0);
	assert_true(t->handshake_complete);
}

/* Captures that begin without the connection's start. */
static void
test_midstream(void **state)
{
	const struct tls_facts *t;

	(void)state;
	/* SYN-ACK first: its ack places the client's stream, so the client
	 * side is not mid-stream; the ClientHello record (1505 bytes) lost
	 * its tail; its CCS and Finished (frame 9) are found again */
	READ_OR_SKIP("ndpi__tls_missing_ch_frag.pcap", "443/tls", &lg);
	t = &lg.c[0].t;
	assert_false(t->side[TLS_SIDE_CLIENT].midstream);
	assert_true(t->side[TLS_SIDE_CLIENT].gaps >= 1);
	assert_true(t->side[TLS_SIDE_CLIENT].resynced);
	assert_int_equal(TA_FRAME_NO(t->side[TLS_SIDE_CLIENT].resync_frame), 9);
	assert_false(t->client_hello_seen);
	assert_int_equal(t->server_hello.version, TLS_V_TLS13);
	assert_true(t->handshake_complete);
	assert_int_equal(TA_FRAME_NO(t->handshake_complete_frame), 9);
	assert_true(t->side[TLS_SIDE_CLIENT].ccs_after_gap);

	/* no TCP handshake at all: the whole TLS 1.0 handshake is read */
	READ_OR_SKIP("peafowl__ssl-4.pcap", "443/tls", &lg);
	t = &lg.c[0].t;
	assert_true(t->side[TLS_SIDE_CLIENT].midstream);
	assert_true(t->side[TLS_SIDE_SERVER].midstream);
	assert_true(t->client_hello_after_gap);
	assert_int_equal(t->side[TLS_SIDE_CLIENT].gaps, 0);
	assert_int_equal(t->server_hello.cipher, 0x0005);
	assert_int_equal(t->cert_count, 1);
	assert_true(t->handshake_complete);
	assert_int_equal(TA_FRAME_NO(t->handshake_complete_frame), 4);
	/* the client's encrypted records: its Finished, then an alert */
	assert_int_equal(t->side[TLS_SIDE_CLIENT].tail_count, 2);
	assert_int_equal(t->side[TLS_SIDE_CLIENT].tail[1].content_type,
	                 TLS_CT_ALERT);

	READ_OR_SKIP("mercury__server_hello_tlsv1.pcap", "443/tls", &lg);
	t = &lg.c[0].t;
	assert_true(t->server_hello_seen);
	assert_int_equal(t->server_hello.version, TLS_V_TLS10);
	assert_int_equal(t->server_hello.cipher, 0x0005);
	assert_false(t->side[TLS_SIDE_SERVER].stopped);

	READ_OR_SKIP("ndpi__tls-rdn-extract.pcap", "443/tls", &lg);
	t = &lg.c[0].t;
	assert_true(t->client_hello_seen);
	assert_int_equal(t->cert_count, 3);
	assert_int_equal(TA_FRAME_NO(t->certs_frame), 6);

	/* the server's half only, from its SYN-ACK on: a resumed session */
	READ_OR_SKIP("ndpi__tls_1.2_unidirectional_server_no_cert.pcapng",
	             "443/tls", &lg);
	t = &lg.c[0].t;
	assert_int_equal(t->server_hello.cipher, 0xc02b);
	assert_true(t->side[TLS_SIDE_SERVER].ccs);
	assert_false(t->side[TLS_SIDE_SERVER].midstream);
}

/* A warning unrecognized_name before the ServerHello in one segment
 * (tshark, frame 94: Alert, then Server Hello). */
static void
test_alert_before_server_hello(void **state)
{
	size_t found = 0;

	(void)state;
	READ_OR_SKIP("ndpi__http_ipv6.pcap", "443/tls", &lg);
	for (size_t i = 0; i < lg.n; i++) {
		const struct tls_facts *t = &lg.c[i].t;

		if (!lg.c[i].has_tls || t->alert_count == 0 ||
		    t->alerts[0].description != 112)
			continue;
		found++;
		assert_int_equal(t->alerts[0].level, TLS_ALERT_WARNING);
		assert_true(t->alerts[0].before_server_hello);
		assert_false(t->alerts[0].before_client_hello);
		assert_int_equal(t->alerts[0].frame, t->server_hello_frame);
		assert_true(t->alerts[0].offset < t->server_hello_offset);
	}
	assert_int_equal(found, 4);
}

/* SSLv2-format ClientHellos answered in TLS, and a capture whose server
 * segment arrives out of order (no loss: nothing to resynchronise). */
static void
test_ssl2_hello_and_no_loss(void **state)
{
	const struct tls_facts *t;

	(void)state;
	READ_OR_SKIP("suricata-verify__bypass-depth-disabled__input.pcap",
	             "4430/tls", &lg);
	t = &lg.c[0].t;
	/* tshark: 0x000003, 0x020080, 0x0000ff */
	assert_true(t->client_hello.sslv2);
	assert_int_equal(t->client_hello.ssl2_specs.count, 1);
	assert_int_equal(t->client_hello.ssl2_specs.v[0], 0x020080);
	assert_int_equal(t->client_hello.ciphers.count, 2);
	assert_false(t->server_hello.sslv2);
	assert_int_equal(t->server_hello.cipher, 0x0003);
	assert_true(t->handshake_complete);

	READ_OR_SKIP("suricata-verify__tls-fingerprint-alert__input.pcap",
	             "443/tls", &lg);
	t = &lg.c[0].t;
	assert_int_equal(t->side[TLS_SIDE_SERVER].gaps, 0);
	assert_false(t->side[TLS_SIDE_SERVER].resynced);
	assert_int_equal(t->server_hello.cipher, 0xc02f);
	assert_int_equal(TA_FRAME_NO(t->server_hello_frame), 12);
	assert_true(t->certs_seen);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_draft19),
		cmocka_unit_test(test_drafts_and_variants),
		cmocka_unit_test(test_pgsql),
		cmocka_unit_test(test_midstream),
		cmocka_unit_test(test_alert_before_server_hello),
		cmocka_unit_test(test_ssl2_hello_and_no_loss),
	};

	/* Without the public captures beside the tree there is nothing to
	 * read: say so once, as TAP's plan (cmocka would report each case as
	 * a skipped failure). */
	if (capture_path("zeek__tls-13draft19-early-data.pcap") == NULL) {
		printf("1..0 # SKIP ../shared/realworld is absent\n");
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
