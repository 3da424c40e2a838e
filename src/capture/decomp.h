/*
 * decomp.h: compressed captures read as a stream (gzip, RFC 1952; zstd,
 * RFC 8878; the LZ4 frame format, lz4's doc/lz4_Frame_format.md), and
 * standard input read the same way once its first bytes were looked at.
 *
 * The format is told by the first bytes, never by the file's name:
 * gzip 1f 8b 08, zstd 28 b5 2f fd, LZ4 frame 04 22 4d 18. Several members
 * or frames one after the other are one stream, as gzip -d reads them.
 *
 * Streaming: the compressed input is read in chunks of DECOMP_IN_CHUNK
 * bytes and decompressed straight into the caller's buffer, so memory does
 * not grow with the file: what the format itself needs (a 32 KiB window
 * for gzip, at most 8 MiB for LZ4, at most 128 MiB for zstd, libzstd's
 * default ceiling) and one input chunk.
 *
 * A stream that ends before its last member or frame does is cut short;
 * bytes that do not decompress are corrupt. Both are reported once, as one
 * line (decomp_error), after every byte that could be decompressed before
 * the damage was handed out: a capture cut inside its compression is then
 * reported as a capture cut at the same place.
 */
#ifndef DECOMP_H
#define DECOMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

enum decomp_format {
	DECOMP_NONE, /* passed through unchanged (standard input) */
	DECOMP_GZIP,
	DECOMP_ZSTD,
	DECOMP_LZ4,
};

/* Bytes decomp_detect needs to tell every format. */
#define DECOMP_MAGIC_LEN 4
#define DECOMP_IN_CHUNK (128u << 10)
/* decomp_record keeps at most this much. */
#define DECOMP_RECORD_MAX (256u << 10)
#define DECOMP_ERRLEN 160

/* The format the first n bytes of a file announce (DECOMP_NONE: none of
 * them, which includes a file shorter than its magic). */
enum decomp_format decomp_detect(const uint8_t *p, size_t n);

/* "gzip", "zstd", "lz4"; NULL for DECOMP_NONE. */
const char *decomp_format_name(enum decomp_format f);

/*
 * Where the compressed bytes come from: up to n bytes into buf; > 0 read,
 * 0 the end of the input, -1 a read error (errno set).
 */
typedef ssize_t (*decomp_in_fn)(void *ctx, void *buf, size_t n);

struct decomp;

/*
 * A stream over in(). prefix: the first n bytes of the input, already read
 * from it (to look at the magic), handed in before in() is asked. NULL
 * when memory is short.
 */
struct decomp *decomp_new(enum decomp_format f, decomp_in_fn in, void *ctx,
                          const uint8_t *prefix, size_t n);

/*
 * Up to n decompressed bytes into buf: > 0 how many, 0 the end of the
 * data (every member complete), -1 the stream is damaged or unreadable
 * (decomp_error says how); -1 again on every later call.
 */
ssize_t decomp_read(struct decomp *d, void *buf, size_t n);

/* One line, e.g. "compressed data cut short (gzip)" or "compressed data
 * corrupt (zstd: Data corruption detected)"; "" while nothing failed. */
const char *decomp_error(const struct decomp *d);

/* The same two with the stream as a void pointer, as a reader of streams
 * (struct savefile_stream) calls them. */
ssize_t decomp_read_cb(void *d, void *buf, size_t n);
const char *decomp_error_cb(void *d);
bool decomp_failed(const struct decomp *d);

enum decomp_format decomp_get_format(const struct decomp *d);

/* Compressed bytes read so far (the input's progress). */
uint64_t decomp_in_bytes(const struct decomp *d);

/*
 * The stream as a stdio FILE, for libpcap (fopencookie: reads call
 * decomp_read; a failed read sets the FILE's error flag). While recording
 * (from the start), every byte the FILE takes is also kept, up to
 * DECOMP_RECORD_MAX: whoever reads on without the FILE starts with what
 * stdio already took. Closing the FILE leaves the stream open.
 */
FILE *decomp_fopen(struct decomp *d);

/* The bytes the FILE took so far; false when they did not all fit (more
 * than DECOMP_RECORD_MAX). Recording stops. */
bool decomp_recorded(struct decomp *d, const uint8_t **p, size_t *n);

void decomp_free(struct decomp *d);

#endif
