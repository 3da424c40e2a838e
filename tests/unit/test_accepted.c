/* test_accepted.c: chains clients accepted, remembered across connections. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "cert/accepted.h"
#include "cert/cert_facts.h"
#include "tls/tls_facts.h"

/* A completed TLS 1.2 handshake of a browser-like ClientHello, on a chain
 * whose leaf does not cover the name asked for. */
struct fx {
	struct pkt_addr client;
	struct tls_facts t;
	struct cert_chain chain;
	struct cert_facts cf;
};

static const uint16_t ciphers[] = { 0x0a0a, 0xc02b, 0xc02f, 0x009c };
static const uint16_t exts[] = { 0x1a1a, 0x0000, 0x0017, 0x000a, 0x000b,
                                 0x0023, 0x2a2a };
static const uint16_t groups[] = { 0x3a3a, 0x001d, 0x0017 };

static void
fx_init(struct fx *x)
{
	memset(x, 0, sizeof *x);
	x->client.family = 6;
	x->client.a[0] = 0x20;
	x->client.a[1] = 0x01;
	x->client.a[2] = 0x0d;
	x->client.a[3] = 0xb8;
	x->client.a[15] = 7;
	tls_facts_init(&x->t);
	x->t.handshake_complete = true;
	x->t.client_hello_seen = true;
	x->t.client_hello.legacy_version = 0x0303;
	memcpy(x->t.client_hello.ciphers.v, ciphers, sizeof ciphers);
	x->t.client_hello.ciphers.count = 4;
	memcpy(x->t.client_hello.exts.v, exts, sizeof exts);
	x->t.client_hello.exts.count = 7;
	memcpy(x->t.client_hello.groups.v, groups, sizeof groups);
	x->t.client_hello.groups.count = 3;
	x->chain.nchain = 2;
	strcpy(x->chain.name, "www.example.org");
	strcpy(x->chain.chain[0].sha256, "aa11");
	strcpy(x->chain.chain[1].sha256, "bb22");
	x->cf.visible = true;
	x->cf.chain = &x->chain;
	x->cf.problem = CERT_PROBLEM_NAME_MISMATCH;
}

static uint64_t
key(const struct fx *x)
{
	return accepted_key(&x->client, &x->t, &x->cf);
}

static void
test_key_same_client_program(void **state)
{
	struct fx a, b;

	(void)state;
	fx_init(&a);
	fx_init(&b);
	assert_int_not_equal(key(&a), 0);
	assert_int_equal(key(&a), key(&b));
	/* GREASE values differ on every connection, and browsers shuffle
	 * their extensions: the same program all the same. */
	b.t.client_hello.ciphers.v[0] = 0xdada;
	b.t.client_hello.groups.v[0] = 0x4a4a;
	b.t.client_hello.exts.v[0] = 0x0000;
	b.t.client_hello.exts.v[1] = 0x9a9a;
	b.t.client_hello.exts.v[5] = 0x000a;
	b.t.client_hello.exts.v[3] = 0x0023;
	assert_int_equal(key(&a), key(&b));
	/* Only the leaf names the chain (an intermediate sent or not). */
	b.chain.nchain = 1;
	assert_int_equal(key(&a), key(&b));
}

static void
test_key_differs(void **state)
{
	struct fx a, b;
	uint64_t k;

	(void)state;
	fx_init(&a);
	k = key(&a);
	fx_init(&b);
	b.client.a[15] = 8;                       /* another host */
	assert_int_not_equal(key(&b), k);
	fx_init(&b);
	b.client.family = 4;                      /* same bytes, IPv4 */
	assert_int_not_equal(key(&b), k);
	fx_init(&b);
	b.t.client_hello.ciphers.v[1] = 0xc030;   /* another program */
	assert_int_not_equal(key(&b), k);
	fx_init(&b);
	b.t.client_hello.ciphers.v[1] = 0xc02f;   /* same suites, */
	b.t.client_hello.ciphers.v[2] = 0xc02b;   /* another order */
	assert_int_not_equal(key(&b), k);
	fx_init(&b);
	b.t.client_hello.exts.count = 5;          /* session_ticket gone */
	assert_int_not_equal(key(&b), k);
	fx_init(&b);
	strcpy(b.chain.name, "mail.example.org"); /* another name */
	assert_int_not_equal(key(&b), k);
	fx_init(&b);
	strcpy(b.chain.chain[0].sha256, "aa12");  /* another leaf */
	assert_int_not_equal(key(&b), k);
}

/* Only a chain a client may refuse after its handshake is a case. */
static void
test_key_none(void **state)
{
	struct fx x;

	(void)state;
	fx_init(&x);
	x.cf.problem = CERT_PROBLEM_NONE;
	assert_int_equal(key(&x), 0);
	x.cf.intercepted = true;                  /* a pin, an inspection */
	assert_int_not_equal(key(&x), 0);
	fx_init(&x);
	x.cf.problem = CERT_PROBLEM_EXPIRED;
	assert_int_equal(key(&x), 0);
	fx_init(&x);
	x.t.handshake_complete = false;
	assert_int_equal(key(&x), 0);
	fx_init(&x);
	x.t.client_hello_seen = false;
	assert_int_equal(key(&x), 0);
	fx_init(&x);
	x.cf.visible = false;
	assert_int_equal(key(&x), 0);
	fx_init(&x);
	x.chain.nchain = 0;
	assert_int_equal(key(&x), 0);
	assert_int_equal(accepted_key(&x.client, NULL, &x.cf), 0);
	assert_int_equal(accepted_key(&x.client, &x.t, NULL), 0);
}

static void
test_note_find(void **state)
{
	struct accepted *a = accepted_new();
	struct accepted_seen s1, s2;
	const struct accepted_seen *got;

	(void)state;
	assert_non_null(a);
	memset(&s1, 0, sizeof s1);
	s1.first_frame = 144;
	s1.data_frame = 159;
	s1.cport = 37506;
	s2 = s1;
	s2.first_frame = 200;
	/* Nothing before the first note; a zero key is no key. */
	assert_null(accepted_find(a, 12345));
	accepted_note(a, 0, &s1);
	assert_null(accepted_find(a, 0));
	accepted_note(a, 12345, &s1);
	got = accepted_find(a, 12345);
	assert_non_null(got);
	assert_int_equal(got->data_frame, 159);
	assert_int_equal(got->cport, 37506);
	/* The first connection that accepted stays the evidence. */
	accepted_note(a, 12345, &s2);
	assert_int_equal(accepted_find(a, 12345)->first_frame, 144);
	/* A key of the same slot takes it: the older is forgotten, never
	 * given for the other key. */
	assert_null(accepted_find(a, 12345 + 1024));
	accepted_note(a, 12345 + 1024, &s2);
	assert_int_equal(accepted_find(a, 12345 + 1024)->first_frame, 200);
	assert_null(accepted_find(a, 12345));
	accepted_free(a);
	accepted_free(NULL);
	assert_null(accepted_find(NULL, 1));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_same_client_program),
		cmocka_unit_test(test_key_differs),
		cmocka_unit_test(test_key_none),
		cmocka_unit_test(test_note_find),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
