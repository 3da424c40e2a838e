/* test_select.c: --only and --conn (report/select.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <string.h>

#include "report/select.h"

static struct conn
conn_of(const char *cip, uint16_t cport, const char *sip, uint16_t sport)
{
	struct conn c;
	int fam = strchr(cip, ':') != NULL ? AF_INET6 : AF_INET;

	memset(&c, 0, sizeof c);
	c.caddr.family = c.saddr.family = fam == AF_INET6 ? 6 : 4;
	assert_int_equal(inet_pton(fam, cip, c.caddr.a), 1);
	assert_int_equal(inet_pton(fam, sip, c.saddr.a), 1);
	c.cport = cport;
	c.sport = sport;
	return c;
}

static struct diag_result *
verdict(enum diag_verdict v, uint32_t findings)
{
	static struct diag_result d;

	memset(&d, 0, sizeof d);
	d.verdict = v;
	d.findings = findings;
	return &d;
}

static void
test_empty_selects_all(void **state)
{
	struct report_select s;
	struct conn c = conn_of("198.18.1.2", 51234, "198.18.2.10", 993);

	(void)state;
	memset(&s, 0, sizeof s);
	assert_false(select_active(&s));
	assert_true(select_match(&s, &c, verdict(DIAG_OK, 0)));
	assert_true(select_match(&s, &c, verdict(DIAG_TCP_RESET, 0)));
}

static void
test_only_verdicts_and_findings(void **state)
{
	struct report_select s;
	struct conn c = conn_of("198.18.1.2", 51234, "198.18.2.10", 993);
	char err[256];

	(void)state;
	memset(&s, 0, sizeof s);
	assert_true(select_add_only(&s, "tcp-reset,cert-expired", err,
	                            sizeof err));
	assert_true(select_add_only(&s, "intercepted", err, sizeof err));
	assert_true(select_active(&s));
	assert_false(select_wants_healthy(&s));
	assert_true(select_match(&s, &c, verdict(DIAG_TCP_RESET, 0)));
	assert_true(select_match(&s, &c, verdict(DIAG_CERT_EXPIRED, 0)));
	assert_false(select_match(&s, &c, verdict(DIAG_TCP_REFUSED, 0)));
	/* a finding selects whatever the verdict */
	assert_true(select_match(&s, &c, verdict(DIAG_OK, DIAG_F_INTERCEPTED)));
	assert_false(select_match(&s, &c,
	                          verdict(DIAG_OK, DIAG_F_LEGACY_VERSION)));
	memset(&s, 0, sizeof s);
	assert_true(select_add_only(&s, "ok", err, sizeof err));
	assert_true(select_wants_healthy(&s));
	assert_true(select_match(&s, &c, verdict(DIAG_OK, 0)));
}

static void
test_only_refuses_unknown(void **state)
{
	struct report_select s;
	char err[256];

	(void)state;
	memset(&s, 0, sizeof s);
	assert_false(select_add_only(&s, "tcp-reset,bogus", err, sizeof err));
	assert_non_null(strstr(err, "'bogus' is no verdict or finding"));
	/* nothing of a refused list is kept */
	assert_false(select_active(&s));
	assert_false(select_add_only(&s, "", err, sizeof err));
	assert_false(select_add_only(&s, "tcp-reset,", err, sizeof err));
	assert_false(select_add_only(&s, "TCP-RESET", err, sizeof err));
	assert_false(select_add_only(&s, "tcp-rese", err, sizeof err));
	assert_false(select_active(&s));
}

static void
test_conn_forms(void **state)
{
	struct report_select s;
	struct conn c4 = conn_of("198.18.1.2", 51234, "198.18.2.10", 993);
	struct conn c6 = conn_of("2001:db8::5", 40000, "2001:db8::10", 993);
	struct diag_result *d = verdict(DIAG_OK, 0);
	char err[256];

	(void)state;
	memset(&s, 0, sizeof s);
	assert_true(select_add_conn(&s, "198.18.1.2:51234", err, sizeof err));
	assert_true(select_wants_healthy(&s));
	assert_true(select_match(&s, &c4, d));
	assert_false(select_match(&s, &c6, d));
	/* the server's end, any client */
	memset(&s, 0, sizeof s);
	assert_true(select_add_conn(&s, "198.18.2.10:993", err, sizeof err));
	assert_true(select_match(&s, &c4, d));
	memset(&s, 0, sizeof s);
	assert_true(select_add_conn(&s, "198.18.2.10:143", err, sizeof err));
	assert_false(select_match(&s, &c4, d));
	/* an address alone: any port */
	memset(&s, 0, sizeof s);
	assert_true(select_add_conn(&s, "198.18.2.10", err, sizeof err));
	assert_true(select_match(&s, &c4, d));
	/* IPv6 with and without brackets and port */
	memset(&s, 0, sizeof s);
	assert_true(select_add_conn(&s, "[2001:db8::10]:993", err, sizeof err));
	assert_true(select_match(&s, &c6, d));
	assert_false(select_match(&s, &c4, d));
	memset(&s, 0, sizeof s);
	assert_true(select_add_conn(&s, "2001:db8::5", err, sizeof err));
	assert_true(select_match(&s, &c6, d));
	memset(&s, 0, sizeof s);
	assert_true(select_add_conn(&s, "[2001:db8::5]", err, sizeof err));
	assert_true(select_match(&s, &c6, d));
	/* --conn and --only together: both must hold */
	memset(&s, 0, sizeof s);
	assert_true(select_add_conn(&s, "198.18.2.10:993", err, sizeof err));
	assert_true(select_add_only(&s, "tcp-reset", err, sizeof err));
	assert_false(select_match(&s, &c4, d));
	assert_true(select_match(&s, &c4, verdict(DIAG_TCP_RESET, 0)));
}

static void
test_conn_refuses_bad(void **state)
{
	static const char *const bad[] = {
	    "", ":993", "198.18.1.2:", "198.18.1.2:0", "198.18.1.2:65536",
	    "198.18.1.2:99x", "198.18.1.256:993", "host.example:993",
	    "[2001:db8::5", "[2001:db8::5]:", "[198.18.1.2]:993",
	    "[2001:db8::5]x", "2001:db8::5:993:", "198.18.1.2:-1",
	};
	struct report_select s;
	char err[256];

	(void)state;
	memset(&s, 0, sizeof s);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (select_add_conn(&s, bad[i], err, sizeof err))
			fail_msg("accepted: '%s'", bad[i]);
		assert_non_null(strstr(err, "expected ADDR:PORT"));
	}
	assert_int_equal(s.nconns, 0);
}

static void
test_conn_limit(void **state)
{
	struct report_select s;
	char err[256];

	(void)state;
	memset(&s, 0, sizeof s);
	for (unsigned i = 0; i < SELECT_MAX_CONNS; i++)
		assert_true(select_add_conn(&s, "198.18.1.2", err, sizeof err));
	assert_false(select_add_conn(&s, "198.18.1.2", err, sizeof err));
	assert_non_null(strstr(err, "at most"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_selects_all),
		cmocka_unit_test(test_only_verdicts_and_findings),
		cmocka_unit_test(test_only_refuses_unknown),
		cmocka_unit_test(test_conn_forms),
		cmocka_unit_test(test_conn_refuses_bad),
		cmocka_unit_test(test_conn_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
