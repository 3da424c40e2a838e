/* fuzz_decomp.c: fuzz target for the stream of a compressed capture (gzip RFC 1952, zstd RFC 8878, LZ4 frames). */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/decomp.h"
#include "memsrc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A decompression bomb is not a bug: stop reading past this much. */
#define OUT_MAX (4u << 20)

struct run {
	uint8_t *out;
	size_t n;
	int last;           /* 0 end, -1 failed, 1 stopped at OUT_MAX */
	char err[DECOMP_ERRLEN];
};

/* The whole stream, in reads of want bytes from input chunks of chunk
 * bytes, the first prefix bytes handed in as peeked. */
static void
run(enum decomp_format f, const uint8_t *in, size_t n, size_t chunk,
    size_t want, size_t prefix, struct run *r)
{
	struct memsrc s = { in, n, prefix, chunk, false };
	struct decomp *d = decomp_new(f, memsrc_read, &s, in, prefix);

	r->n = 0;
	r->last = 1;
	r->err[0] = '\0';
	if (d == NULL)
		abort();
	while (r->n < OUT_MAX) {
		size_t k = want < OUT_MAX - r->n ? want : OUT_MAX - r->n;
		ssize_t got = decomp_read(d, r->out + r->n, k);

		if (got > (ssize_t)k)
			abort();
		if (got <= 0) {
			r->last = (int)got;
			break;
		}
		r->n += (size_t)got;
	}
	if ((r->last < 0) != decomp_failed(d))
		abort();
	snprintf(r->err, sizeof r->err, "%s", decomp_error(d));
	decomp_free(d);
}

/* The words of a failure up to the library's own: "compressed data
 * corrupt (zstd". */
static size_t
class_len(const char *err)
{
	const char *colon = strchr(err, ':');

	return colon != NULL ? (size_t)(colon - err) : strlen(err);
}

/*
 * The first byte chooses the format (its magic goes in front of the rest
 * when the rest does not start with one) and the sizes of reads; the rest
 * is the compressed file. Read twice with different sizes, the stream must
 * give the same bytes and end the same way: whole, cut short, or corrupt.
 * Before a failure the two may have handed out more or less (a decoder
 * that finds a bad checksum at the end of a frame keeps what it decoded
 * into a large read, and has handed out the small reads before): one is
 * then the other's beginning. The library's own words may differ (libzstd
 * names some damage by the path it took, which depends on how much it
 * held at once); ours may not.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t magic[3][4] = {
		{ 0x1f, 0x8b, 0x08, 0x00 },
		{ 0x28, 0xb5, 0x2f, 0xfd },
		{ 0x04, 0x22, 0x4d, 0x18 },
	};
	struct run a, b;
	enum decomp_format f;
	uint8_t *in;
	size_t n, pick;

	if (size < 1)
		return 0;
	pick = data[0];
	data++;
	size--;
	f = decomp_detect(data, size);
	in = malloc(size + 4);
	a.out = malloc(OUT_MAX);
	b.out = malloc(OUT_MAX);
	if (in == NULL || a.out == NULL || b.out == NULL)
		abort();
	n = 0;
	if (f == DECOMP_NONE && pick % 4 != 3) {
		f = (enum decomp_format)(DECOMP_GZIP + pick % 4);
		memcpy(in, magic[pick % 4], 4);
		n = 4;
	}
	memcpy(in + n, data, size);
	n += size;
	run(f, in, n, n + 1, 1u << 20, 0, &a);
	run(f, in, n, pick / 4 % 7 + 1, pick / 32 % 5 * 999 + 1,
	    n < 4 ? n : 4, &b);
	if (a.last != b.last || class_len(a.err) != class_len(b.err) ||
	    strncmp(a.err, b.err, class_len(a.err)) != 0 ||
	    (a.last >= 0 && a.n != b.n) ||
	    memcmp(a.out, b.out, a.n < b.n ? a.n : b.n) != 0) {
		fprintf(stderr, "reads differ: %zu bytes, end %d (%s) / %zu "
		                "bytes, end %d (%s)\n",
		        a.n, a.last, a.err, b.n, b.last, b.err);
		abort();
	}
	free(in);
	free(a.out);
	free(b.out);
	return 0;
}
