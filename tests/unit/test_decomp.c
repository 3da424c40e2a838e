/* test_decomp.c: gzip (RFC 1952), zstd (RFC 8878) and LZ4 frame streams read whole, cut, corrupt and empty. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <lz4frame.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "capture/decomp.h"
#include "compress.h"
#include "memsrc.h"

#define PLAIN_LEN (300u << 10)

static uint8_t *plain;      /* what every test compresses */

/* Text-like bytes with repeats (so they compress) and noise (so blocks
 * hold literals too). */
static int
group_setup(void **state)
{
	uint32_t x = 12345;

	(void)state;
	plain = malloc(PLAIN_LEN);
	if (plain == NULL)
		return -1;
	for (size_t i = 0; i < PLAIN_LEN; i++) {
		x = x * 1103515245u + 12345u;
		plain[i] = (i / 64) % 3 == 0 ? (uint8_t)(x >> 24)
		                             : (uint8_t)("pcap frame "[i % 11]);
	}
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	free(plain);
	return 0;
}

struct result {
	uint8_t *out;
	size_t n;
	ssize_t last;      /* 0: clean end; -1: failed */
	char err[DECOMP_ERRLEN];
};

/* Read everything, in reads of want bytes, from an input handed out in
 * chunks of chunk bytes; the first bytes go in as a peeked prefix. */
static struct result
read_all(enum decomp_format f, const uint8_t *in, size_t n, size_t chunk,
         size_t want, size_t prefix)
{
	struct memsrc s = { in, n, prefix < n ? prefix : n, chunk, false };
	struct decomp *d = decomp_new(f, memsrc_read, &s, in,
	                              prefix < n ? prefix : n);
	struct result r;
	size_t cap = PLAIN_LEN * 2 + 64;

	assert_non_null(d);
	memset(&r, 0, sizeof r);
	r.out = malloc(cap);
	assert_non_null(r.out);
	for (;;) {
		size_t k = want < cap - r.n ? want : cap - r.n;
		ssize_t got = decomp_read(d, r.out + r.n, k);

		assert_true(k > 0);
		if (got <= 0) {
			r.last = got;
			break;
		}
		assert_true((size_t)got <= k);
		r.n += (size_t)got;
	}
	snprintf(r.err, sizeof r.err, "%s", decomp_error(d));
	assert_int_equal(decomp_failed(d), r.last < 0);
	/* A failure is final. */
	if (r.last < 0)
		assert_int_equal(decomp_read(d, r.out, 1), -1);
	else
		assert_int_equal(decomp_read(d, r.out, 1), 0);
	decomp_free(d);
	return r;
}

static const enum decomp_format formats[] = { DECOMP_GZIP, DECOMP_ZSTD,
	                                      DECOMP_LZ4 };

static void
test_detect(void **state)
{
	static const uint8_t gz[] = { 0x1f, 0x8b, 0x08, 0x00 };
	static const uint8_t gz_other_method[] = { 0x1f, 0x8b, 0x07, 0x00 };
	static const uint8_t zst[] = { 0x28, 0xb5, 0x2f, 0xfd };
	static const uint8_t lz4[] = { 0x04, 0x22, 0x4d, 0x18 };
	static const uint8_t lz4_legacy[] = { 0x02, 0x21, 0x4c, 0x18 };
	static const uint8_t pcap[] = { 0xd4, 0xc3, 0xb2, 0xa1 };
	static const uint8_t pcapng[] = { 0x0a, 0x0d, 0x0d, 0x0a };

	(void)state;
	assert_int_equal(decomp_detect(gz, 4), DECOMP_GZIP);
	assert_int_equal(decomp_detect(gz, 3), DECOMP_GZIP);
	assert_int_equal(decomp_detect(gz, 2), DECOMP_NONE);
	assert_int_equal(decomp_detect(gz_other_method, 4), DECOMP_NONE);
	assert_int_equal(decomp_detect(zst, 4), DECOMP_ZSTD);
	assert_int_equal(decomp_detect(zst, 3), DECOMP_NONE);
	assert_int_equal(decomp_detect(lz4, 4), DECOMP_LZ4);
	assert_int_equal(decomp_detect(lz4_legacy, 4), DECOMP_NONE);
	assert_int_equal(decomp_detect(pcap, 4), DECOMP_NONE);
	assert_int_equal(decomp_detect(pcapng, 4), DECOMP_NONE);
	assert_int_equal(decomp_detect(NULL, 0), DECOMP_NONE);
	assert_string_equal(decomp_format_name(DECOMP_GZIP), "gzip");
	assert_string_equal(decomp_format_name(DECOMP_ZSTD), "zstd");
	assert_string_equal(decomp_format_name(DECOMP_LZ4), "lz4");
	assert_null(decomp_format_name(DECOMP_NONE));
}

/* Whole streams come out whole, whatever the sizes of reads and of the
 * input's chunks, and the same with the magic handed in as a prefix. */
static void
test_whole(void **state)
{
	static const size_t sizes[][3] = {
		{ 1u << 20, 1u << 20, 0 }, { 1, 4096, 4 }, { 4096, 7, 0 },
		{ 3, 1, 4 }, { 65536, 65536, 2 },
	};

	(void)state;
	for (size_t f = 0; f < sizeof formats / sizeof formats[0]; f++) {
		struct buf c = compress_as(formats[f], plain, PLAIN_LEN);

		assert_int_equal(decomp_detect(c.p, c.n), formats[f]);
		for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
			struct result r = read_all(formats[f], c.p, c.n,
			                           sizes[i][0], sizes[i][1],
			                           sizes[i][2]);

			assert_int_equal(r.last, 0);
			assert_string_equal(r.err, "");
			assert_int_equal(r.n, PLAIN_LEN);
			assert_memory_equal(r.out, plain, PLAIN_LEN);
			free(r.out);
		}
		free(c.p);
	}
}

/* Two members (gzip), two frames (zstd, lz4) one after the other are one
 * stream, as the tools read them. */
static void
test_concatenated(void **state)
{
	(void)state;
	for (size_t f = 0; f < sizeof formats / sizeof formats[0]; f++) {
		struct buf a = compress_as(formats[f], plain, 1000);
		struct buf b = compress_as(formats[f], plain + 1000, 70000);
		uint8_t *both = malloc(a.n + b.n);
		struct result r;

		assert_non_null(both);
		memcpy(both, a.p, a.n);
		memcpy(both + a.n, b.p, b.n);
		r = read_all(formats[f], both, a.n + b.n, 333, 4096, 0);
		assert_int_equal(r.last, 0);
		assert_int_equal(r.n, 71000);
		assert_memory_equal(r.out, plain, 71000);
		free(r.out);
		/* Cut between the two: clean, as far as it goes. */
		r = read_all(formats[f], both, a.n, 333, 4096, 0);
		assert_int_equal(r.last, 0);
		assert_int_equal(r.n, 1000);
		free(r.out);
		free(both);
		free(a.p);
		free(b.p);
	}
}

/* Cut anywhere inside: every byte decompressed before the cut comes out
 * (a prefix of the data), then one failure that says "cut short". */
static void
test_cut_everywhere(void **state)
{
	(void)state;
	for (size_t f = 0; f < sizeof formats / sizeof formats[0]; f++) {
		struct buf small = compress_as(formats[f], plain, 5000);
		struct buf big = compress_as(formats[f], plain, PLAIN_LEN);
		char want[64];

		snprintf(want, sizeof want, "compressed data cut short (%s)",
		         decomp_format_name(formats[f]));
		for (size_t cut = 4; cut < small.n; cut++) {
			struct result r = read_all(formats[f], small.p, cut,
			                           cut % 17 + 1, 1000, 0);

			if (r.last != -1)
				fail_msg("%s cut at %zu of %zu: ended cleanly "
				         "with %zu bytes",
				         decomp_format_name(formats[f]), cut,
				         small.n, r.n);
			assert_string_equal(r.err, want);
			assert_true(r.n <= 5000);
			assert_memory_equal(r.out, plain, r.n);
			free(r.out);
		}
		for (size_t cut = 4; cut < big.n; cut += big.n / 97 + 1) {
			struct result r = read_all(formats[f], big.p, cut,
			                           65536, 8192, 4);

			assert_int_equal(r.last, -1);
			assert_string_equal(r.err, want);
			assert_memory_equal(r.out, plain, r.n);
			free(r.out);
		}
		free(small.p);
		free(big.p);
	}
}

/* A byte changed inside: never the wrong data as if whole. Where the
 * checksum or the decoder notices, the words say corrupt. */
static void
test_corrupt(void **state)
{
	(void)state;
	for (size_t f = 0; f < sizeof formats / sizeof formats[0]; f++) {
		struct buf c = compress_as(formats[f], plain, 20000);
		unsigned corrupt = 0;

		for (size_t at = 18; at + 12 < c.n; at += 7) {
			uint8_t *bad = malloc(c.n);
			struct result r;

			assert_non_null(bad);
			memcpy(bad, c.p, c.n);
			bad[at] ^= 0x5a;
			r = read_all(formats[f], bad, c.n, 4096, 4096, 0);
			if (r.last == 0 &&
			    (r.n != 20000 || memcmp(r.out, plain, r.n) != 0))
				fail_msg("%s byte %zu changed: wrong data "
				         "taken as whole",
				         decomp_format_name(formats[f]), at);
			if (r.last < 0) {
				assert_int_equal(strncmp(r.err,
				                         "compressed data ", 16),
				                 0);
				if (strstr(r.err, "corrupt") != NULL)
					corrupt++;
			}
			free(r.out);
			free(bad);
		}
		assert_true(corrupt > 0);
		free(c.p);
	}
}

/* Bytes after the end that start no member are damage, after the data. */
static void
test_trailing_garbage(void **state)
{
	static const char *const words[] = {
		"compressed data corrupt (gzip: bytes after the end that are "
		"not gzip)",
		"compressed data corrupt (zstd: ",
		"compressed data corrupt (lz4: ",
	};

	(void)state;
	for (size_t f = 0; f < sizeof formats / sizeof formats[0]; f++) {
		struct buf c = compress_as(formats[f], plain, 3000);
		uint8_t *more = malloc(c.n + 16);
		struct result r;

		assert_non_null(more);
		memcpy(more, c.p, c.n);
		memset(more + c.n, 0, 16);
		r = read_all(formats[f], more, c.n + 16, 4096, 4096, 0);
		assert_int_equal(r.last, -1);
		assert_int_equal(r.n, 3000);
		assert_memory_equal(r.out, plain, 3000);
		assert_int_equal(strncmp(r.err, words[f], strlen(words[f])), 0);
		free(r.out);
		free(more);
		free(c.p);
	}
}

/* A compressed empty file is an empty stream; plain bytes pass as they
 * are, the peeked ones first. */
static void
test_empty_and_plain(void **state)
{
	(void)state;
	for (size_t f = 0; f < sizeof formats / sizeof formats[0]; f++) {
		struct buf c = compress_as(formats[f], plain, 0);
		struct result r = read_all(formats[f], c.p, c.n, 1, 100, 4);

		assert_int_equal(r.last, 0);
		assert_int_equal(r.n, 0);
		free(r.out);
		free(c.p);
	}
	for (size_t prefix = 0; prefix < 5; prefix++) {
		struct result r = read_all(DECOMP_NONE, plain, 70000, 999, 4096,
		                           prefix);

		assert_int_equal(r.last, 0);
		assert_int_equal(r.n, 70000);
		assert_memory_equal(r.out, plain, 70000);
		free(r.out);
	}
}

/* A read error of the input fails the stream, in its own words. */
static void
test_read_error(void **state)
{
	struct buf c = compress_as(DECOMP_GZIP, plain, 1000);
	struct memsrc s = { c.p, c.n - 10, 0, 4096, true };
	struct decomp *d = decomp_new(DECOMP_GZIP, memsrc_read, &s, NULL, 0);
	uint8_t out[2000];
	ssize_t got = 0, r;

	(void)state;
	assert_non_null(d);
	while ((r = decomp_read(d, out, sizeof out)) > 0)
		got += r;
	assert_int_equal(r, -1);
	assert_true(got <= 1000);
	assert_string_equal(decomp_error(d),
	                    "cannot read the input: Input/output error (gzip)");
	decomp_free(d);
	free(c.p);
}

/* Through stdio, as libpcap reads: the same bytes, the error flag on
 * damage, and what stdio took kept for whoever reads on. */
static void
test_stdio_and_record(void **state)
{
	(void)state;
	for (size_t f = 0; f < sizeof formats / sizeof formats[0]; f++) {
		struct buf c = compress_as(formats[f], plain, PLAIN_LEN);
		struct memsrc s = { c.p, c.n, 0, 5000, false };
		struct decomp *d = decomp_new(formats[f], memsrc_read, &s, NULL, 0);
		FILE *fp = decomp_fopen(d);
		uint8_t head[24], rest[100];
		const uint8_t *rec;
		size_t nrec;
		ssize_t k;

		assert_non_null(fp);
		assert_int_equal(fread(head, 1, sizeof head, fp), sizeof head);
		assert_memory_equal(head, plain, sizeof head);
		assert_true(decomp_recorded(d, &rec, &nrec));
		/* stdio took more than was asked: all of it kept. */
		assert_true(nrec >= sizeof head);
		assert_memory_equal(rec, plain, nrec);
		/* Reading on without stdio continues after what it took. */
		k = decomp_read(d, rest, sizeof rest);
		assert_true(k > 0);
		assert_memory_equal(rest, plain + nrec, (size_t)k);
		fclose(fp);
		assert_true(decomp_in_bytes(d) <= c.n);
		decomp_free(d);

		/* Cut: the FILE's error flag, not its end. */
		s.pos = 0;
		s.n = c.n / 2;
		d = decomp_new(formats[f], memsrc_read, &s, NULL, 0);
		fp = decomp_fopen(d);
		while (fread(rest, 1, sizeof rest, fp) == sizeof rest)
			;
		assert_true(ferror(fp));
		assert_true(decomp_failed(d));
		fclose(fp);
		decomp_free(d);
		free(c.p);
	}
}

/* More than DECOMP_RECORD_MAX taken through stdio: not all kept, and
 * said so. */
static void
test_record_overflow(void **state)
{
	struct memsrc s = { plain, PLAIN_LEN, 0, 65536, false };
	struct decomp *d = decomp_new(DECOMP_NONE, memsrc_read, &s, NULL, 0);
	FILE *fp = decomp_fopen(d);
	uint8_t *all = malloc(PLAIN_LEN);
	const uint8_t *rec;
	size_t nrec;

	(void)state;
	assert_non_null(all);
	assert_int_equal(fread(all, 1, PLAIN_LEN, fp), PLAIN_LEN);
	assert_memory_equal(all, plain, PLAIN_LEN);
	assert_false(decomp_recorded(d, &rec, &nrec));
	fclose(fp);
	decomp_free(d);
	free(all);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_detect),
		cmocka_unit_test(test_whole),
		cmocka_unit_test(test_concatenated),
		cmocka_unit_test(test_cut_everywhere),
		cmocka_unit_test(test_corrupt),
		cmocka_unit_test(test_trailing_garbage),
		cmocka_unit_test(test_empty_and_plain),
		cmocka_unit_test(test_read_error),
		cmocka_unit_test(test_stdio_and_record),
		cmocka_unit_test(test_record_overflow),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
