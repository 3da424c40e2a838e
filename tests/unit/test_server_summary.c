/* test_server_summary.c: verdict counts per server (IP:port and SNI, RFC 6066 section 3), printed. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/server_summary.h"

/* One connection's facts and verdict, as much as the summary reads. */
struct one {
	struct conn c;
	struct tls_facts tls;
	struct conn_facts f;
	struct diag_result d;
};

static struct one *
one_new(void)
{
	struct one *o = calloc(1, sizeof *o);

	assert_non_null(o);
	o->f.conn = &o->c;
	return o;
}

/* Fill o for a connection to addr:port with SNI sni (NULL: none). */
static void
set(struct one *o, const struct pkt_addr *addr, uint16_t port,
    const char *sni, enum diag_verdict v, enum diag_severity sev)
{
	o->c.saddr = *addr;
	o->c.sport = port;
	o->f.tls = NULL;
	memset(&o->tls.client_hello, 0, sizeof o->tls.client_hello);
	o->tls.client_hello_seen = false;
	if (sni != NULL) {
		size_t n = strlen(sni);

		assert_true(n <= TLS_HS_SNI_MAX);
		o->tls.client_hello_seen = true;
		o->tls.client_hello.has_sni = true;
		o->tls.client_hello.sni_len = (uint16_t)n;
		memcpy(o->tls.client_hello.sni, sni, n);
		o->f.tls = &o->tls;
	}
	o->d.verdict = v;
	o->d.severity = sev;
}

static struct pkt_addr
v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	struct pkt_addr x;

	memset(&x, 0, sizeof x);
	x.family = 4;
	x.a[0] = a;
	x.a[1] = b;
	x.a[2] = c;
	x.a[3] = d;
	return x;
}

static struct pkt_addr
v6_doc(uint8_t host)
{
	struct pkt_addr x;

	memset(&x, 0, sizeof x);
	x.family = 6;
	x.a[0] = 0x20;
	x.a[1] = 0x01;
	x.a[2] = 0x0d;
	x.a[3] = 0xb8;
	x.a[15] = host;
	return x;
}

static void
add(struct server_summary *s, struct one *o, const struct pkt_addr *addr,
    uint16_t port, const char *sni, enum diag_verdict v,
    enum diag_severity sev)
{
	set(o, addr, port, sni, v, sev);
	server_summary_add(s, &o->f, &o->d);
}

/* What server_summary_print wrote, NUL-terminated; free() it. */
static char *
printed(const struct server_summary *s)
{
	FILE *fp = tmpfile();
	long n;
	char *buf;

	assert_non_null(fp);
	server_summary_print(s, fp);
	assert_int_equal(fflush(fp), 0);
	n = ftell(fp);
	assert_true(n >= 0);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	rewind(fp);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

static void
test_empty_prints_nothing(void **state)
{
	struct server_summary *s = server_summary_new();
	char *out;

	(void)state;
	assert_non_null(s);
	out = printed(s);
	assert_string_equal(out, "");
	free(out);
	server_summary_free(s);
	server_summary_free(NULL);
}

static void
test_grouping_and_order(void **state)
{
	struct server_summary *s = server_summary_new();
	struct one *o = one_new();
	struct pkt_addr a1 = v4(10, 0, 0, 1), a2 = v4(10, 0, 0, 2);
	struct pkt_addr a6 = v6_doc(1);
	char *out;

	(void)state;
	assert_non_null(s);
	add(s, o, &a1, 993, "imap.example.test", DIAG_OK, DIAG_SEV_OK);
	add(s, o, &a1, 993, "imap.example.test", DIAG_CERT_EXPIRED,
	    DIAG_SEV_ERROR);
	add(s, o, &a2, 143, "imap.example.test", DIAG_OK, DIAG_SEV_OK);
	add(s, o, &a1, 993, NULL, DIAG_TCP_RESET, DIAG_SEV_ERROR);
	add(s, o, &a1, 993, "imap.example.test", DIAG_OK, DIAG_SEV_OK);
	add(s, o, &a6, 993, "mail.example.test", DIAG_TLS_ALERT,
	    DIAG_SEV_ERROR);
	add(s, o, &a2, 143, "imap.example.test", DIAG_OK, DIAG_SEV_OK);
	add(s, o, &a6, 993, "mail.example.test", DIAG_TLS_ALERT,
	    DIAG_SEV_ERROR);
	/* another port of the same host, another SNI on the same port */
	add(s, o, &a1, 143, "imap.example.test", DIAG_OK, DIAG_SEV_OK);
	add(s, o, &a1, 993, "other.example.test", DIAG_OK, DIAG_SEV_OK);
	out = printed(s);
	assert_string_equal(out,
	    "Servers:\n"
	    "  [2001:db8::1]:993 mail.example.test: 2 connections: "
	    "2 tls-alert\n"
	    "  10.0.0.1:993 imap.example.test: 3 connections: 2 ok, "
	    "1 cert-expired\n"
	    "  10.0.0.1:993 (no SNI): 1 connection: 1 tcp-reset\n"
	    "  10.0.0.2:143 imap.example.test: 2 connections: 2 ok\n"
	    "  10.0.0.1:143 imap.example.test: 1 connection: 1 ok\n"
	    "  10.0.0.1:993 other.example.test: 1 connection: 1 ok\n");
	free(out);
	free(o);
	server_summary_free(s);
}

static void
test_warnings_count_as_problems(void **state)
{
	struct server_summary *s = server_summary_new();
	struct one *o = one_new();
	struct pkt_addr a = v4(192, 0, 2, 1), b = v4(192, 0, 2, 2);
	char *out;

	(void)state;
	assert_non_null(s);
	add(s, o, &a, 993, NULL, DIAG_OK, DIAG_SEV_OK);
	add(s, o, &a, 993, NULL, DIAG_OK, DIAG_SEV_OK);
	/* an ok verdict with a finding that warns */
	add(s, o, &b, 993, NULL, DIAG_OK, DIAG_SEV_WARNING);
	out = printed(s);
	assert_string_equal(out,
	    "Servers:\n"
	    "  192.0.2.2:993 (no SNI): 1 connection: 1 ok\n"
	    "  192.0.2.1:993 (no SNI): 2 connections: 2 ok\n");
	free(out);
	free(o);
	server_summary_free(s);
}

static void
test_ties_in_first_seen_order(void **state)
{
	/* Output must not depend on the sort's stability: servers with the
	 * same counts keep the order they were first seen in. */
	struct server_summary *s = server_summary_new();
	struct one *o = one_new();
	char *out, want[2048];
	size_t w = 0;

	(void)state;
	assert_non_null(s);
	w += (size_t)snprintf(want + w, sizeof want - w, "Servers:\n");
	for (unsigned i = 0; i < 20; i++) {
		struct pkt_addr a = v4(10, 1, 0, (uint8_t)(200 - i * 7));

		add(s, o, &a, 993, NULL, DIAG_OK, DIAG_SEV_OK);
		w += (size_t)snprintf(want + w, sizeof want - w,
		                      "  10.1.0.%u:993 (no SNI): 1 connection: "
		                      "1 ok\n", 200 - i * 7);
	}
	out = printed(s);
	assert_string_equal(out, want);
	free(out);
	free(o);
	server_summary_free(s);
}

static void
test_sni_escaped_and_bounded(void **state)
{
	struct server_summary *s = server_summary_new();
	struct one *o = one_new();
	struct pkt_addr a = v4(10, 0, 0, 9);
	char long_sni[TLS_HS_SNI_MAX + 1];
	char *out;

	(void)state;
	assert_non_null(s);
	add(s, o, &a, 993, "ev\x1b[31mil\\.test", DIAG_OK, DIAG_SEV_OK);
	out = printed(s);
	assert_string_equal(out,
	    "Servers:\n"
	    "  10.0.0.9:993 ev\\x1b[31mil\\\\.test: 1 connection: 1 ok\n");
	assert_null(strchr(out, 0x1b));
	free(out);
	server_summary_free(s);

	/* SNIs that differ only past SERVER_SUMMARY_SNI bytes are one
	 * server: only that much is kept */
	s = server_summary_new();
	assert_non_null(s);
	memset(long_sni, 'a', sizeof long_sni);
	long_sni[TLS_HS_SNI_MAX] = '\0';
	assert_true(TLS_HS_SNI_MAX > SERVER_SUMMARY_SNI);
	add(s, o, &a, 993, long_sni, DIAG_OK, DIAG_SEV_OK);
	long_sni[SERVER_SUMMARY_SNI + 1] = 'b';
	add(s, o, &a, 993, long_sni, DIAG_OK, DIAG_SEV_OK);
	long_sni[SERVER_SUMMARY_SNI - 1] = 'c';
	add(s, o, &a, 993, long_sni, DIAG_OK, DIAG_SEV_OK);
	out = printed(s);
	assert_non_null(strstr(out, ": 2 connections: 2 ok\n"));
	assert_non_null(strstr(out, ": 1 connection: 1 ok\n"));
	free(out);
	free(o);
	server_summary_free(s);
}

static size_t
count_lines(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (*s == '\n')
			n++;
	return n;
}

static void
test_overflow_bucket(void **state)
{
	struct server_summary *s = server_summary_new();
	struct one *o = one_new();
	struct pkt_addr a = v4(198, 51, 100, 7);
	const char *last;
	char *out;

	(void)state;
	assert_non_null(s);
	for (unsigned i = 0; i < SERVER_SUMMARY_MAX; i++)
		add(s, o, &a, (uint16_t)(1 + i), NULL, DIAG_OK, DIAG_SEV_OK);
	out = printed(s);
	assert_null(strstr(out, "other servers"));
	assert_int_equal(count_lines(out), 1 + SERVER_SUMMARY_MAX);
	free(out);

	/* past the bound: counted together */
	add(s, o, &a, 60001, NULL, DIAG_OK, DIAG_SEV_OK);
	add(s, o, &a, 60002, NULL, DIAG_TCP_RESET, DIAG_SEV_ERROR);
	add(s, o, &a, 60003, "x.example.test", DIAG_TCP_RESET, DIAG_SEV_ERROR);
	add(s, o, &a, 60001, NULL, DIAG_OK, DIAG_SEV_OK);
	/* a server already listed still counts on its own line */
	add(s, o, &a, 1, NULL, DIAG_CERT_EXPIRED, DIAG_SEV_ERROR);
	out = printed(s);
	assert_int_equal(count_lines(out), 1 + SERVER_SUMMARY_MAX + 1);
	/* the listed server with a problem comes first */
	assert_non_null(strstr(out, "Servers:\n  198.51.100.7:1 (no SNI): "
	                            "2 connections: 1 ok, 1 cert-expired\n"));
	last = strrchr(out, '\n');
	assert_non_null(last);
	while (last > out && last[-1] != '\n')
		last--;
	assert_string_equal(last,
	    "  other servers (not listed one by one): 4 connections: 2 ok, "
	    "2 tcp-reset\n");
	free(out);
	free(o);
	server_summary_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_prints_nothing),
		cmocka_unit_test(test_grouping_and_order),
		cmocka_unit_test(test_warnings_count_as_problems),
		cmocka_unit_test(test_ties_in_first_seen_order),
		cmocka_unit_test(test_sni_escaped_and_bounded),
		cmocka_unit_test(test_overflow_bucket),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
