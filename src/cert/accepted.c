/* accepted.c: chains that clients accepted, across connections (accepted.h). */
#include <stdlib.h>
#include <string.h>

#include "cert/accepted.h"
#include "cert/cert_facts.h"
#include "tls/tls_facts.h"

/* Direct-mapped: a collision forgets the older entry, and a connection
 * then keeps the verdict its own packets give. 32 KiB, allocated with the
 * first entry. */
#define ACCEPTED_SLOTS 1024u

struct slot {
	uint64_t key;
	struct accepted_seen seen;
};

struct accepted {
	struct slot *slots;
};

static uint64_t
mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
	h *= 0xff51afd7ed558ccdULL;
	return h ^ (h >> 33);
}

static uint64_t
mix_bytes(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return mix(h, n);
}

/* RFC 8701 GREASE values change from one connection to the next. */
static bool
grease(uint16_t v)
{
	return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

/*
 * The ClientHello of a client program: its version, suites and groups in
 * order, and its extensions as a set (browsers shuffle their order on
 * every connection), GREASE left out.
 */
static uint64_t
hello_digest(const struct tls_client_hello *ch)
{
	uint64_t h = mix(0, ch->legacy_version), exts = 0;

	for (unsigned i = 0; i < ch->ciphers.count; i++)
		if (!grease(ch->ciphers.v[i]))
			h = mix(h, ch->ciphers.v[i]);
	h = mix(h, 0x10000u);
	for (unsigned i = 0; i < ch->groups.count; i++)
		if (!grease(ch->groups.v[i]))
			h = mix(h, ch->groups.v[i]);
	for (unsigned i = 0; i < ch->exts.count; i++)
		if (!grease(ch->exts.v[i]))
			exts += mix(0x20000u, ch->exts.v[i]);
	return mix(h, exts);
}

uint64_t
accepted_key(const struct pkt_addr *client, const struct tls_facts *t,
             const struct cert_facts *cf)
{
	const struct cert_chain *ch;
	uint64_t h;

	if (t == NULL || cf == NULL || !cf->visible || cf->chain == NULL ||
	    !t->handshake_complete || !t->client_hello_seen)
		return 0;
	if (cf->problem != CERT_PROBLEM_NAME_MISMATCH && !cf->intercepted)
		return 0;
	ch = cf->chain;
	if (ch->nchain == 0)
		return 0;
	h = mix_bytes(0, &client->family, 1);
	h = mix_bytes(h, client->a, sizeof client->a);
	h = mix(h, hello_digest(&t->client_hello));
	h = mix_bytes(h, ch->name, strlen(ch->name));
	h = mix_bytes(h, ch->chain[0].sha256, strlen(ch->chain[0].sha256));
	return h != 0 ? h : 1;
}

struct accepted *
accepted_new(void)
{
	return calloc(1, sizeof(struct accepted));
}

void
accepted_free(struct accepted *a)
{
	if (a == NULL)
		return;
	free(a->slots);
	free(a);
}

void
accepted_note(struct accepted *a, uint64_t key,
              const struct accepted_seen *seen)
{
	struct slot *s;

	if (a == NULL || key == 0)
		return;
	if (a->slots == NULL) {
		a->slots = calloc(ACCEPTED_SLOTS, sizeof *a->slots);
		if (a->slots == NULL)
			return;
	}
	s = &a->slots[key % ACCEPTED_SLOTS];
	/* The first connection that accepted is the evidence to show. */
	if (s->key == key)
		return;
	s->key = key;
	s->seen = *seen;
}

const struct accepted_seen *
accepted_find(const struct accepted *a, uint64_t key)
{
	const struct slot *s;

	if (a == NULL || a->slots == NULL || key == 0)
		return NULL;
	s = &a->slots[key % ACCEPTED_SLOTS];
	return s->key == key ? &s->seen : NULL;
}
