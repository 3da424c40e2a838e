/* test_service.c: the -p PORT/SERVICE map (RFC 8314 section 4.1 ports) and its capture filter. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "service.h"

/* The map is 64 KiB: on the heap, not on cmocka's stack. */
static struct service_map *
new_map(void)
{
	struct service_map *m = malloc(sizeof *m);

	assert_non_null(m);
	service_map_defaults(m);
	return m;
}

/* Ports that carry a service, counted the slow way. */
static unsigned
ports_set(const struct service_map *m)
{
	unsigned n = 0;

	for (unsigned p = 0; p < 65536; p++)
		if (service_of_port(m, (uint16_t)p) != SVC_NONE)
			n++;
	return n;
}

static void
test_defaults(void **state)
{
	struct service_map *m = new_map();

	(void)state;
	/* The seven mail ports (RFC 8314 3.3 and 7.3, RFC 6409). */
	assert_int_equal(service_of_port(m, 143), SVC_IMAP);
	assert_int_equal(service_of_port(m, 993), SVC_IMAPS);
	assert_int_equal(service_of_port(m, 110), SVC_POP3);
	assert_int_equal(service_of_port(m, 995), SVC_POP3S);
	assert_int_equal(service_of_port(m, 25), SVC_SMTP);
	assert_int_equal(service_of_port(m, 587), SVC_SUBMISSION);
	assert_int_equal(service_of_port(m, 465), SVC_SMTPS);
	assert_int_equal(service_of_port(m, 0), SVC_NONE);
	assert_int_equal(service_of_port(m, 443), SVC_NONE);
	assert_int_equal(service_of_port(m, 65535), SVC_NONE);
	assert_int_equal(m->nports, 7);
	assert_int_equal(ports_set(m), 7);
	assert_false(m->user_set);
	free(m);
}

static void
test_good_specs(void **state)
{
	struct service_map *m = new_map();
	char err[256] = "";

	(void)state;
	assert_true(service_map_add(m, "10143/imap", err, sizeof err));
	assert_true(service_map_add(m, "10993/imaps", err, sizeof err));
	assert_true(service_map_add(m, "443/tls", err, sizeof err));
	assert_true(service_map_add(m, "1/tls", err, sizeof err));
	assert_true(service_map_add(m, "65535/imap", err, sizeof err));
	assert_string_equal(err, "");
	assert_int_equal(service_of_port(m, 10143), SVC_IMAP);
	assert_int_equal(service_of_port(m, 10993), SVC_IMAPS);
	assert_int_equal(service_of_port(m, 443), SVC_TLS);
	assert_int_equal(service_of_port(m, 1), SVC_TLS);
	assert_int_equal(service_of_port(m, 65535), SVC_IMAP);
	assert_int_equal(m->nports, 5);
	assert_int_equal(ports_set(m), 5);
	/* the same port again: its service changes, the count does not */
	assert_true(service_map_add(m, "443/imaps", err, sizeof err));
	assert_int_equal(service_of_port(m, 443), SVC_IMAPS);
	assert_int_equal(m->nports, 5);
	free(m);
}

static void
test_first_p_replaces_defaults(void **state)
{
	struct service_map *m = new_map();
	char err[256];

	(void)state;
	assert_true(service_map_add(m, "4143/imap", err, sizeof err));
	assert_true(m->user_set);
	assert_int_equal(service_of_port(m, 143), SVC_NONE);
	assert_int_equal(service_of_port(m, 993), SVC_NONE);
	assert_int_equal(service_of_port(m, 4143), SVC_IMAP);
	assert_int_equal(m->nports, 1);
	/* the second one adds to the first */
	assert_true(service_map_add(m, "993/imaps", err, sizeof err));
	assert_int_equal(service_of_port(m, 4143), SVC_IMAP);
	assert_int_equal(service_of_port(m, 993), SVC_IMAPS);
	assert_int_equal(m->nports, 2);
	assert_int_equal(ports_set(m), 2);
	/* a default port named again is there once */
	assert_true(service_map_add(m, "143/imap", err, sizeof err));
	assert_int_equal(m->nports, 3);
	free(m);
}

/* A bad spec is refused with the given message, and changes nothing. */
static void
refused(const char *spec, const char *want)
{
	struct service_map *m = new_map();
	char err[256] = "";

	if (service_map_add(m, spec, err, sizeof err))
		print_error("accepted: %s\n", spec);
	assert_string_equal(err, want);
	assert_false(m->user_set);
	assert_int_equal(m->nports, 7);
	assert_int_equal(service_of_port(m, 143), SVC_IMAP);
	assert_int_equal(service_of_port(m, 993), SVC_IMAPS);
	assert_int_equal(service_of_port(m, 25), SVC_SMTP);
	assert_int_equal(ports_set(m), 7);
	free(m);
}

#define FORMS "expected PORT, PORT/SERVICE or +PORT/SERVICE, e.g. 993, " \
	"143/imap, 587/submission, +443/tls"

static void
test_bad_port(void **state)
{
	(void)state;
	refused("0/imap", "-p 0/imap: port must be 1-65535");
	refused("65536/imap", "-p 65536/imap: port must be 1-65535");
	refused("99999999999999999999999/tls",
	        "-p 99999999999999999999999/tls: port must be 1-65535");
	refused("14x3/imap", "-p 14x3/imap: port must be 1-65535");
	refused("143x", "-p 143x: port must be 1-65535");
	refused("0", "-p 0: port must be 1-65535");
	refused("+0", "-p +0: port must be 1-65535");
	refused("abc/imap", "-p abc/imap: " FORMS);
	refused(" 143/imap", "-p  143/imap: " FORMS);
	refused("-1/imap", "-p -1/imap: " FORMS);
	refused("++143/imap", "-p ++143/imap: " FORMS);
	refused("+ 143", "-p + 143: " FORMS);
}

static void
test_unknown_service(void **state)
{
	(void)state;
#define KNOWN "(imap, imaps, pop3, pop3s, smtp, submission, smtps or tls)"
	refused("143/pop", "-p 143/pop: unknown service 'pop' " KNOWN);
	refused("143/", "-p 143/: unknown service '' " KNOWN);
	refused("143/imap/x", "-p 143/imap/x: unknown service 'imap/x' " KNOWN);
	refused("25/smtps2", "-p 25/smtps2: unknown service 'smtps2' " KNOWN);
	refused("4190/sieve", "-p 4190/sieve: unknown service 'sieve' " KNOWN);
	refused("+443/http", "-p +443/http: unknown service 'http' " KNOWN);
#undef KNOWN
}

static void
test_no_port(void **state)
{
	(void)state;
	refused("imap", "-p imap: " FORMS);
	refused("/imap", "-p /imap: " FORMS);
	refused("", "-p : " FORMS);
	refused("+", "-p +: " FORMS);
}

/* -p 443/TLS, -p 143/IMAP: what people type. */
static void
test_service_case(void **state)
{
	struct service_map *m = new_map();
	char err[256];

	(void)state;
	assert_true(service_map_add(m, "443/TLS", err, sizeof err));
	assert_true(service_map_add(m, "4143/Imap", err, sizeof err));
	assert_true(service_map_add(m, "2525/SUBMISSION", err, sizeof err));
	assert_int_equal(service_of_port(m, 443), SVC_TLS);
	assert_int_equal(service_of_port(m, 4143), SVC_IMAP);
	assert_int_equal(service_of_port(m, 2525), SVC_SUBMISSION);
	assert_int_equal(m->nports, 3);
	free(m);
}

/* A bare port takes the service of its IANA name, tls elsewhere. */
static void
test_bare_port(void **state)
{
	static const struct {
		const char *spec;
		uint16_t port;
		enum service svc;
	} cases[] = {
		{"143", 143, SVC_IMAP},       {"993", 993, SVC_IMAPS},
		{"110", 110, SVC_POP3},       {"995", 995, SVC_POP3S},
		{"25", 25, SVC_SMTP},         {"587", 587, SVC_SUBMISSION},
		{"465", 465, SVC_SMTPS},      {"443", 443, SVC_TLS},
		{"8993", 8993, SVC_TLS},      {"65535", 65535, SVC_TLS},
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct service_map *m = new_map();
		char err[256];

		assert_true(service_map_add(m, cases[i].spec, err, sizeof err));
		assert_int_equal(service_of_port(m, cases[i].port),
		                 cases[i].svc);
		/* a bare port replaces the defaults as PORT/SERVICE does */
		assert_int_equal(m->nports, 1);
		assert_int_equal(ports_set(m), 1);
		assert_true(m->user_set);
		free(m);
	}
}

/* +PORT adds to the defaults; a later plain -p still replaces them, but
 * not the ports added before it. */
static void
test_plus_adds(void **state)
{
	struct service_map *m = new_map();
	char err[256];

	(void)state;
	assert_true(service_map_add(m, "+443/tls", err, sizeof err));
	assert_false(m->user_set);
	assert_int_equal(m->nports, 8);
	assert_int_equal(ports_set(m), 8);
	assert_int_equal(service_of_port(m, 443), SVC_TLS);
	assert_int_equal(service_of_port(m, 143), SVC_IMAP);
	assert_int_equal(service_of_port(m, 465), SVC_SMTPS);
	/* a default port re-declared with "+" changes its service only */
	assert_true(service_map_add(m, "+25/smtps", err, sizeof err));
	assert_int_equal(m->nports, 8);
	assert_int_equal(service_of_port(m, 25), SVC_SMTPS);
	assert_true(service_map_add(m, "+10143", err, sizeof err));
	assert_int_equal(service_of_port(m, 10143), SVC_TLS);
	assert_int_equal(m->nports, 9);
	/* now a plain one: the defaults go, what "+" named stays */
	assert_true(service_map_add(m, "4143/imap", err, sizeof err));
	assert_true(m->user_set);
	assert_int_equal(service_of_port(m, 143), SVC_NONE);
	assert_int_equal(service_of_port(m, 993), SVC_NONE);
	assert_int_equal(service_of_port(m, 443), SVC_TLS);
	assert_int_equal(service_of_port(m, 25), SVC_SMTPS);
	assert_int_equal(service_of_port(m, 10143), SVC_TLS);
	assert_int_equal(service_of_port(m, 4143), SVC_IMAP);
	assert_int_equal(m->nports, 4);
	assert_int_equal(ports_set(m), 4);
	free(m);
}

/* The same options in another order watch the same ports. */
static void
test_order_does_not_matter(void **state)
{
	struct service_map *a = new_map(), *b = new_map();
	char err[256];

	(void)state;
	assert_true(service_map_add(a, "+443", err, sizeof err));
	assert_true(service_map_add(a, "4143/imap", err, sizeof err));
	assert_true(service_map_add(b, "4143/imap", err, sizeof err));
	assert_true(service_map_add(b, "+443", err, sizeof err));
	assert_memory_equal(a->by_port, b->by_port, sizeof a->by_port);
	assert_int_equal(a->nports, b->nports);
	free(a);
	free(b);
}

static void
test_bad_spec_after_good_keeps_map(void **state)
{
	struct service_map *m = new_map();
	char err[256];

	(void)state;
	assert_true(service_map_add(m, "4143/imap", err, sizeof err));
	assert_false(service_map_add(m, "0/imap", err, sizeof err));
	assert_false(service_map_add(m, "993/x", err, sizeof err));
	assert_int_equal(service_of_port(m, 4143), SVC_IMAP);
	assert_int_equal(service_of_port(m, 993), SVC_NONE);
	assert_int_equal(m->nports, 1);
	free(m);
}

static void
test_small_err_buffer(void **state)
{
	struct service_map *m = new_map();
	char err[12];

	(void)state;
	memset(err, 'Z', sizeof err);
	assert_false(service_map_add(m, "0/imap", err, 8));
	/* cut, terminated, nothing past the given length */
	assert_string_equal(err, "-p 0/im");
	assert_int_equal(err[8], 'Z');
	free(m);
}

static void
test_filter(void **state)
{
	struct service_map *m = new_map();
	char buf[256], err[64];

	(void)state;
#define PORTS "(port 25 or port 110 or port 143 or port 465 or port 587 or " \
	"port 993 or port 995)"
	assert_true(service_map_filter(m, NULL, buf, sizeof buf));
	assert_string_equal(buf, "tcp and " PORTS);
	assert_true(service_map_filter(m, "", buf, sizeof buf));
	assert_string_equal(buf, "tcp and " PORTS);
	assert_true(service_map_filter(m, "host 192.0.2.7", buf, sizeof buf));
	assert_string_equal(buf, "tcp and " PORTS " and (host 192.0.2.7)");
	/* the user's expression is parenthesised: its "or" stays inside */
	assert_true(service_map_filter(m, "host 192.0.2.7 or host 192.0.2.8",
	                               buf, sizeof buf));
	assert_string_equal(buf, "tcp and " PORTS " and "
	                         "(host 192.0.2.7 or host 192.0.2.8)");
#undef PORTS

	/* ports in ascending order, whatever order -p gave them in */
	assert_true(service_map_add(m, "10993/imaps", err, sizeof err));
	assert_true(service_map_add(m, "4143/imap", err, sizeof err));
	assert_true(service_map_add(m, "1/tls", err, sizeof err));
	assert_true(service_map_filter(m, NULL, buf, sizeof buf));
	assert_string_equal(buf, "tcp and (port 1 or port 4143 or port 10993)");
	free(m);
}

static void
test_filter_buffer_too_small(void **state)
{
	struct service_map *m = new_map();
	const char *want = "tcp and (port 25 or port 110 or port 143 or port 465 "
	    "or port 587 or port 993 or port 995) and (net 10.0.0.0/8)";
	size_t need = strlen(want) + 1;
	char buf[128];

	(void)state;
	for (size_t len = 0; len <= need + 2; len++) {
		bool ok;

		memset(buf, 'Z', sizeof buf);
		ok = service_map_filter(m, "net 10.0.0.0/8", buf, len);
		if (ok != (len >= need))
			print_error("len %zu: %s\n", len, ok ? "fits" : "no");
		assert_int_equal(ok, len >= need);
		if (ok)
			assert_string_equal(buf, want);
		/* never a byte past the given length */
		assert_int_equal(buf[len], 'Z');
	}
	/* too small for the port list itself */
	assert_false(service_map_filter(m, NULL, buf, 40));
	free(m);
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(service_name(SVC_IMAP), "imap");
	assert_string_equal(service_name(SVC_IMAPS), "imaps");
	assert_string_equal(service_name(SVC_TLS), "tls");
	assert_string_equal(service_name(SVC_POP3), "pop3");
	assert_string_equal(service_name(SVC_POP3S), "pop3s");
	assert_string_equal(service_name(SVC_SMTP), "smtp");
	assert_string_equal(service_name(SVC_SUBMISSION), "submission");
	assert_string_equal(service_name(SVC_SMTPS), "smtps");
	/* Each name is accepted by -p for its service, and the table says
	 * which ones begin in clear text. */
	for (unsigned s = 1; s < SVC_COUNT; s++) {
		struct service_map *m = new_map();
		char spec[32], err[128];

		snprintf(spec, sizeof spec, "4000/%s", service_name((enum service)s));
		assert_true(service_map_add(m, spec, err, sizeof err));
		assert_int_equal(service_of_port(m, 4000), s);
		free(m);
	}
	assert_true(service_info(SVC_IMAP)->starttls);
	assert_true(service_info(SVC_POP3)->starttls);
	assert_true(service_info(SVC_SMTP)->starttls);
	assert_true(service_info(SVC_SUBMISSION)->starttls);
	assert_false(service_info(SVC_IMAPS)->starttls);
	assert_false(service_info(SVC_POP3S)->starttls);
	assert_false(service_info(SVC_SMTPS)->starttls);
	assert_false(service_info(SVC_TLS)->starttls);
	assert_null(service_info(SVC_TLS)->label);
	assert_string_equal(service_info(SVC_SUBMISSION)->label, "SMTP");
	assert_string_equal(service_info((enum service)77)->name, "none");
	assert_string_equal(service_name(SVC_NONE), "none");
	assert_string_equal(service_name((enum service)77), "none");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_good_specs),
		cmocka_unit_test(test_first_p_replaces_defaults),
		cmocka_unit_test(test_bad_port),
		cmocka_unit_test(test_unknown_service),
		cmocka_unit_test(test_no_port),
		cmocka_unit_test(test_service_case),
		cmocka_unit_test(test_bare_port),
		cmocka_unit_test(test_plus_adds),
		cmocka_unit_test(test_order_does_not_matter),
		cmocka_unit_test(test_bad_spec_after_good_keeps_map),
		cmocka_unit_test(test_small_err_buffer),
		cmocka_unit_test(test_filter),
		cmocka_unit_test(test_filter_buffer_too_small),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
