/* test_probes.c: scan probes counted by kind and source; a retrying client is no scanner. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "tcp/probes.h"

#define SEC TA_NS_PER_SEC

static struct pkt_addr
v4(uint8_t last)
{
	struct pkt_addr a;

	memset(&a, 0, sizeof a);
	a.family = 4;
	a.a[0] = 198;
	a.a[1] = 18;
	a.a[3] = last;
	return a;
}

static struct tcp_outcome
outcome(enum tcp_end end, enum tcp_probe shape)
{
	struct tcp_outcome o;

	memset(&o, 0, sizeof o);
	o.end = end;
	o.probe = shape;
	return o;
}

/* A sweep of many targets, all refused or unanswered: a scan. */
static void
test_sweep_is_scan(void **state)
{
	struct probes *pr = malloc(sizeof *pr);
	struct pkt_addr scanner = v4(66);
	struct tcp_outcome refused = outcome(TCP_END_REFUSED, TCP_PROBE_NONE);
	ta_time t = 1000 * SEC;

	(void)state;
	assert_non_null(pr);
	probes_init(pr);
	for (uint8_t h = 1; h <= 8; h++) {
		struct pkt_addr dst = v4(h);

		probes_opened(pr, &scanner, &dst, 993, t + h);
	}
	for (uint8_t h = 1; h <= 8; h++)
		assert_int_equal(probes_judge(pr, &scanner, &refused, false,
		                              t + 5 * SEC),
		                 TCP_PROBE_SYN_SCAN);
	assert_int_equal(pr->total, 8);
	assert_int_equal(pr->by_kind[TCP_PROBE_SYN_SCAN], 8);
	free(pr);
}

/* A client that retries one dead server twenty times is no scanner. */
static void
test_retrying_client_is_not(void **state)
{
	struct probes *pr = malloc(sizeof *pr);
	struct pkt_addr client = v4(2), server = v4(10);
	struct tcp_outcome refused = outcome(TCP_END_REFUSED, TCP_PROBE_NONE);
	struct tcp_outcome unanswered = outcome(TCP_END_NO_ANSWER,
	                                        TCP_PROBE_NONE);
	ta_time t = 1000 * SEC;

	(void)state;
	assert_non_null(pr);
	probes_init(pr);
	for (unsigned i = 0; i < 20; i++) {
		probes_opened(pr, &client, &server, 993, t + i * SEC / 10);
		assert_int_equal(probes_judge(pr, &client, &refused, false,
		                              t + i * SEC / 10),
		                 TCP_PROBE_NONE);
	}
	/* Five servers, one port: still under the threshold. */
	for (uint8_t h = 11; h < 15; h++) {
		struct pkt_addr dst = v4(h);

		probes_opened(pr, &client, &dst, 993, t + 3 * SEC);
	}
	assert_int_equal(probes_judge(pr, &client, &unanswered, false,
	                              t + 300 * SEC), TCP_PROBE_NONE);
	assert_int_equal(pr->total, 0);
	free(pr);
}

/* A source seen probing needs only two targets; a source that talked on
 * one of its connections is not scanning; shapes count whatever the
 * source. */
static void
test_known_prober_and_talker(void **state)
{
	struct probes *pr = malloc(sizeof *pr);
	struct pkt_addr a = v4(3), b = v4(4), s1 = v4(20), s2 = v4(21);
	struct tcp_outcome connect = outcome(TCP_END_RST,
	                                     TCP_PROBE_CONNECT_SCAN);
	struct tcp_outcome refused = outcome(TCP_END_REFUSED, TCP_PROBE_NONE);
	ta_time t = 5000 * SEC;

	(void)state;
	assert_non_null(pr);
	probes_init(pr);
	probes_opened(pr, &a, &s1, 143, t);
	probes_opened(pr, &a, &s1, 993, t);
	assert_int_equal(probes_judge(pr, &a, &connect, false, t),
	                 TCP_PROBE_CONNECT_SCAN);
	assert_int_equal(probes_judge(pr, &a, &refused, false, t),
	                 TCP_PROBE_SYN_SCAN);

	for (uint8_t h = 30; h < 40; h++) {
		struct pkt_addr dst = v4(h);

		probes_opened(pr, &b, &dst, 993, t);
	}
	assert_int_equal(probes_judge(pr, &b, &refused, true, t),
	                 TCP_PROBE_NONE);
	assert_int_equal(probes_judge(pr, &b, &refused, false, t),
	                 TCP_PROBE_NONE);

	{
		struct pkt p;
		static const uint8_t cause[] = "LB: idle timeout";

		memset(&p, 0, sizeof p);
		p.src = s2;
		p.payload.p = cause;
		p.payload.n = sizeof cause - 1;
		p.payload_len = sizeof cause - 1;
		probes_lone_rst(pr, &p, t, 77);
	}
	assert_int_equal(pr->by_kind[TCP_PROBE_LONE_RST], 1);
	assert_int_equal(pr->rst_payload.frame, 77);
	assert_int_equal(pr->rst_payload.len, 16);
	assert_int_equal(pr->total, 3);
	free(pr);
}

/* More sources than remembered: the oldest are forgotten, the totals
 * stay. */
static void
test_bounded(void **state)
{
	struct probes *pr = malloc(sizeof *pr);
	ta_time t = 1 * SEC;

	(void)state;
	assert_non_null(pr);
	probes_init(pr);
	for (unsigned i = 0; i < 3 * PROBES_SOURCES; i++) {
		struct pkt_addr a = v4(1);

		a.a[2] = (uint8_t)(i & 0xff);
		a.a[1] = (uint8_t)(i >> 8);
		struct pkt p;

		memset(&p, 0, sizeof p);
		p.src = a;
		probes_lone_rst(pr, &p, t + i, (ta_frame)i + 1);
	}
	assert_int_equal(pr->total, 3 * PROBES_SOURCES);
	assert_int_equal(pr->forgotten, 2 * PROBES_SOURCES);
	free(pr);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sweep_is_scan),
		cmocka_unit_test(test_retrying_client_is_not),
		cmocka_unit_test(test_known_prober_and_talker),
		cmocka_unit_test(test_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
