/* test_run_summary.c: what the text and JSON summaries list, chosen once:
 * probe sources and unwatched ports busiest first, ties in table order,
 * and the -p options that analyse the ports. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "report/run_summary.h"
#include "sniff.h"

static void
source(struct probes *pr, unsigned slot, uint8_t last, uint64_t probes)
{
	struct probe_source *p = &pr->src[slot];

	p->used = true;
	p->addr.family = 4;
	p->addr.a[0] = 198;
	p->addr.a[1] = 18;
	p->addr.a[3] = last;
	p->probes = probes;
}

static void
test_probe_sources(void **state)
{
	struct probes *pr = calloc(1, sizeof *pr);
	const struct probe_source *top[PROBES_SOURCES];
	unsigned n, listed;

	(void)state;
	assert_non_null(pr);
	n = run_probe_sources(pr, top, RUN_SUMMARY_TOP, &listed);
	assert_int_equal(n, 0);
	assert_int_equal(listed, 0);
	/* Spread over the table; one remembered without probes. */
	source(pr, 3, 1, 2);
	source(pr, 10, 2, 9);
	source(pr, 20, 3, 2);
	source(pr, 40, 4, 0);
	source(pr, 77, 5, 4);
	source(pr, 200, 6, 1);
	source(pr, 255, 7, 9);
	n = run_probe_sources(pr, top, PROBES_SOURCES, &listed);
	assert_int_equal(n, 6);
	assert_int_equal(listed, 6);
	/* Most first; ties in the table's order. */
	assert_ptr_equal(top[0], &pr->src[10]);
	assert_ptr_equal(top[1], &pr->src[255]);
	assert_ptr_equal(top[2], &pr->src[77]);
	assert_ptr_equal(top[3], &pr->src[3]);
	assert_ptr_equal(top[4], &pr->src[20]);
	assert_ptr_equal(top[5], &pr->src[200]);
	/* The text's first few are the JSON list's first few. */
	n = run_probe_sources(pr, top, 3, &listed);
	assert_int_equal(n, 3);
	assert_int_equal(listed, 6);
	assert_ptr_equal(top[0], &pr->src[10]);
	assert_ptr_equal(top[1], &pr->src[255]);
	assert_ptr_equal(top[2], &pr->src[77]);
	free(pr);
}

static void
entry(struct port_census *pc, uint16_t port, unsigned kind, uint32_t count)
{
	pc->e[pc->n].port = port;
	pc->e[pc->n].kind = (uint8_t)kind;
	pc->e[pc->n].count = count;
	pc->n++;
}

static void
test_census_ports(void **state)
{
	struct port_census pc;
	const struct port_census_entry *top[CENSUS_PORTS];
	unsigned n, listed;
	char rerun[RUN_SUMMARY_TOP * 24];

	(void)state;
	memset(&pc, 0, sizeof pc);
	entry(&pc, 4993, SNIFF_SERVER_HELLO, 7); /* answers the ClientHellos */
	entry(&pc, 143, SNIFF_IMAP_GREETING, 2);
	entry(&pc, 993, SNIFF_CLIENT_HELLO, 3);
	entry(&pc, 4993, SNIFF_CLIENT_HELLO, 7);
	entry(&pc, 2525, SNIFF_SMTP_GREETING, 2);
	entry(&pc, 993, SNIFF_SERVER_HELLO, 1);  /* answered too */
	entry(&pc, 8110, SNIFF_POP3_GREETING, 1);
	entry(&pc, 8443, SNIFF_SERVER_HELLO, 5); /* only the server's side */
	n = run_census_ports(&pc, top, CENSUS_PORTS, &listed);
	assert_int_equal(n, 6);
	assert_int_equal(listed, 6);
	assert_int_equal(top[0]->port, 4993);
	assert_int_equal(top[0]->kind, SNIFF_CLIENT_HELLO);
	assert_int_equal(top[1]->port, 8443);
	assert_int_equal(top[2]->port, 993);
	assert_int_equal(top[3]->port, 143);
	assert_int_equal(top[4]->port, 2525);
	assert_int_equal(top[5]->port, 8110);
	assert_string_equal(run_census_service(top[0]), "tls");
	assert_string_equal(run_census_service(top[2]), "imaps");
	assert_string_equal(run_census_service(top[3]), "imap");
	assert_string_equal(run_census_service(top[4]), "smtp");
	assert_string_equal(run_census_service(top[5]), "pop3");
	assert_string_equal(run_census_kind(top[0]), "tls-client-hello");
	assert_string_equal(run_census_kind(top[1]), "tls-server-hello");
	assert_string_equal(run_census_kind(top[5]), "pop3-greeting");
	assert_string_equal(run_census_rerun(rerun, sizeof rerun, top,
	                                     RUN_SUMMARY_TOP, false),
	                    "-p 4993/tls -p 8443/tls -p 993/imaps -p 143/imap "
	                    "-p 2525/smtp");
	/* something analysed: added to the ports watched */
	assert_string_equal(run_census_rerun(rerun, sizeof rerun, top, 2, true),
	                    "-p +4993/tls -p +8443/tls");
	n = run_census_ports(&pc, top, 2, &listed);
	assert_int_equal(n, 2);
	assert_int_equal(listed, 6);
	assert_string_equal(run_census_rerun(rerun, sizeof rerun, top, 0, false), "");
	/* Cut, never overrun. */
	assert_string_equal(run_census_rerun(rerun, 12, top, 2, false), "-p 4993/tls");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe_sources),
		cmocka_unit_test(test_census_ports),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
