/*
 * starttls_drive.h: drives a STARTTLS module (src/session/starttls.h) the
 * way the session does, for the unit tests of the line-based protocols:
 * a script of steps (direction, bytes, frame) fed whole, cut in two
 * anywhere, or byte by byte, and the facts, plaintext byte counts and
 * switches that come out. Included by one test file each, with DRIVE_OPS
 * defined to the module under test.
 */
#ifndef STARTTLS_DRIVE_H
#define STARTTLS_DRIVE_H

#include <stdio.h>
#include <string.h>

#include "session/starttls.h"

#define C2S TCP_DIR_C2S
#define S2C TCP_DIR_S2C

struct step {
	enum tcp_dir dir;
	const uint8_t *p;
	size_t n;
	ta_frame frame;
	bool gap;          /* n bytes lost instead of delivered */
};

#define STEP(d, s, f) {(d), (const uint8_t *)(s), sizeof(s) - 1, (f), false}
#define GAP(d, n, f) {(d), NULL, (n), (f), true}

struct outcome {
	struct starttls_facts f;
	size_t plain[2];    /* bytes taken as plaintext, per direction */
	bool tls[2];        /* the direction switched to TLS */
	bool finished;
};

/* The first bytes of a ClientHello and a ServerHello. */
static const char client_hello[] =
	"\x16\x03\x01\x01\x24\x01\x00\x01\x20\x03\x03\xa7\x99\xf7\x32\x8b";
static const char server_hello[] =
	"\x16\x03\x03\x00\x7a\x02\x00\x00\x76\x03\x03\x51\x63\x16\x6e";

static void
feed_piece(void *st, struct outcome *o, enum tcp_dir dir, const uint8_t *p,
           size_t n, ta_frame frame)
{
	bool begins = false;
	size_t used;

	/* The session feeds a direction no more once it switched. */
	if (o->tls[dir])
		return;
	used = DRIVE_OPS.feed(st, dir, p, n, frame, &begins);
	if (begins) {
		assert_true(used <= n);
		o->tls[dir] = true;
	} else {
		assert_int_equal(used, n);
	}
	o->plain[dir] += used;
}

/* Feed the steps: whole, or step `split` cut at byte `at`, or every step
 * in pieces of `chunk` bytes. */
static void
run_split(const struct step *steps, size_t nsteps, size_t split, size_t at,
          size_t chunk, struct outcome *o)
{
	void *st = test_malloc(DRIVE_OPS.state_size);

	DRIVE_OPS.init(st);
	memset(o, 0, sizeof *o);
	for (size_t i = 0; i < nsteps; i++) {
		const struct step *s = &steps[i];

		if (s->gap) {
			DRIVE_OPS.gap(st, s->dir, s->n, s->frame);
		} else if (chunk > 0) {
			for (size_t k = 0; k < s->n; k += chunk) {
				size_t m = s->n - k < chunk ? s->n - k : chunk;

				feed_piece(st, o, s->dir, s->p + k, m, s->frame);
			}
		} else if (i == split) {
			feed_piece(st, o, s->dir, s->p, at, s->frame);
			feed_piece(st, o, s->dir, s->p + at, s->n - at,
			           s->frame);
		} else {
			feed_piece(st, o, s->dir, s->p, s->n, s->frame);
		}
	}
	DRIVE_OPS.facts(st, &o->f);
	o->finished = DRIVE_OPS.finished(st);
	test_free(st);
}

static void
run(const struct step *steps, size_t nsteps, struct outcome *o)
{
	run_split(steps, nsteps, SIZE_MAX, 0, 0, o);
}

/* The facts are plain values: two runs that agree agree byte for byte
 * (the struct is zeroed by init, padding included). */
static void
assert_outcome_equal(const struct outcome *a, const struct outcome *b)
{
	assert_memory_equal(&a->f, &b->f, sizeof a->f);
	assert_int_equal(a->plain[C2S], b->plain[C2S]);
	assert_int_equal(a->plain[S2C], b->plain[S2C]);
	assert_int_equal(a->tls[C2S], b->tls[C2S]);
	assert_int_equal(a->tls[S2C], b->tls[S2C]);
	assert_int_equal(a->finished, b->finished);
}

/* Every cut of every step, and byte by byte, gives what the whole does
 * (the frame of a line is the frame that completed it, as whole). */
static void
assert_split_invariant(const struct step *steps, size_t nsteps)
{
	struct outcome whole, cut;

	run(steps, nsteps, &whole);
	for (size_t i = 0; i < nsteps; i++) {
		if (steps[i].gap)
			continue;
		for (size_t at = 0; at <= steps[i].n; at++) {
			run_split(steps, nsteps, i, at, 0, &cut);
			assert_outcome_equal(&whole, &cut);
		}
	}
	run_split(steps, nsteps, SIZE_MAX, 0, 1, &cut);
	assert_outcome_equal(&whole, &cut);
}

static void
assert_text(const uint8_t *p, size_t n, const char *want)
{
	assert_int_equal(n, strlen(want));
	if (n > 0)
		assert_memory_equal(p, want, n);
}

/* No 4-byte piece of secret appears anywhere in the facts. */
static void
assert_secret_absent(const struct starttls_facts *f, const char *secret)
{
	const uint8_t *b = (const uint8_t *)f;
	size_t k = strlen(secret);

	for (size_t i = 0; i + 4 <= k; i++)
		for (size_t j = 0; j + 4 <= sizeof *f; j++)
			if (memcmp(b + j, secret + i, 4) == 0)
				fail_msg("'%.4s' of a secret in the facts",
				         secret + i);
}

#endif
