/* decomp.c: gzip (RFC 1952), zstd (RFC 8878) and LZ4 frames read as a stream (decomp.h). */
#define _GNU_SOURCE 1 /* fopencookie */
#include <errno.h>
#include <lz4frame.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "capture/decomp.h"

struct decomp {
	enum decomp_format fmt;
	decomp_in_fn in;
	void *ctx;
	uint8_t *ibuf;         /* compressed bytes not yet decompressed */
	size_t ilen, ipos;
	bool in_eof;
	/* Some bytes of a member (frame) were read and it has not ended:
	 * the input must not end here. */
	bool open;
	bool ended_one;        /* a member ended: what follows starts another */
	bool failed;
	uint64_t in_bytes;
	z_stream zs;
	bool zs_init;
	ZSTD_DStream *zd;
	uint64_t zfcs;         /* zstd: the frame's content size, or */
	bool zfcs_known;       /* unknown */
	uint64_t zout;         /* bytes of the frame handed out */
	size_t zhdr_end;       /* while libzstd reads a frame header: where
	                        * it ends in ibuf; else 0 */
	LZ4F_dctx *lz;
	/* What the FILE took, while recording. */
	uint8_t *rec;
	size_t rec_len;
	bool recording, rec_overflow;
	char err[DECOMP_ERRLEN];
};

enum decomp_format
decomp_detect(const uint8_t *p, size_t n)
{
	/* gzip: ID1 ID2 and CM 8 (deflate), the only method defined. */
	if (n >= 3 && p[0] == 0x1f && p[1] == 0x8b && p[2] == 8)
		return DECOMP_GZIP;
	if (n >= 4 && p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f &&
	    p[3] == 0xfd)
		return DECOMP_ZSTD;
	if (n >= 4 && p[0] == 0x04 && p[1] == 0x22 && p[2] == 0x4d &&
	    p[3] == 0x18)
		return DECOMP_LZ4;
	return DECOMP_NONE;
}

const char *
decomp_format_name(enum decomp_format f)
{
	switch (f) {
	case DECOMP_GZIP:
		return "gzip";
	case DECOMP_ZSTD:
		return "zstd";
	case DECOMP_LZ4:
		return "lz4";
	case DECOMP_NONE:
		break;
	}
	return NULL;
}

static ssize_t
fail(struct decomp *d, const char *what, const char *detail)
{
	const char *name = decomp_format_name(d->fmt);

	d->failed = true;
	if (name == NULL)
		snprintf(d->err, sizeof d->err, "%s", what);
	else if (detail != NULL && detail[0] != '\0')
		snprintf(d->err, sizeof d->err, "%s (%s: %s)", what, name,
		         detail);
	else
		snprintf(d->err, sizeof d->err, "%s (%s)", what, name);
	return -1;
}

struct decomp *
decomp_new(enum decomp_format f, decomp_in_fn in, void *ctx,
           const uint8_t *prefix, size_t n)
{
	struct decomp *d = calloc(1, sizeof *d);

	if (d == NULL)
		return NULL;
	d->fmt = f;
	d->in = in;
	d->ctx = ctx;
	d->recording = true;
	d->ibuf = malloc(n > DECOMP_IN_CHUNK ? n : DECOMP_IN_CHUNK);
	if (d->ibuf == NULL)
		goto oom;
	if (n > 0)
		memcpy(d->ibuf, prefix, n);
	d->ilen = n;
	d->in_bytes = n;
	switch (f) {
	case DECOMP_GZIP:
		/* 15 + 16: a gzip wrapper only, with the largest window. */
		if (inflateInit2(&d->zs, 15 + 16) != Z_OK)
			goto oom;
		d->zs_init = true;
		break;
	case DECOMP_ZSTD:
		d->zd = ZSTD_createDStream();
		if (d->zd == NULL)
			goto oom;
		break;
	case DECOMP_LZ4:
		if (LZ4F_isError(LZ4F_createDecompressionContext(&d->lz,
		                                                  LZ4F_VERSION)))
			goto oom;
		break;
	case DECOMP_NONE:
		break;
	}
	return d;
oom:
	decomp_free(d);
	return NULL;
}

/* More compressed bytes after those not used yet (moved to the front of
 * the chunk). False on a read error (err set); at the end of the input,
 * in_eof. */
static bool
read_more(struct decomp *d)
{
	ssize_t r;

	memmove(d->ibuf, d->ibuf + d->ipos, d->ilen - d->ipos);
	d->ilen -= d->ipos;
	d->ipos = 0;
	do
		r = d->in(d->ctx, d->ibuf + d->ilen, DECOMP_IN_CHUNK - d->ilen);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		char why[96];
		snprintf(why, sizeof why, "cannot read the input: %s",
		         strerror(errno));
		fail(d, why, NULL);
		return false;
	}
	if (r == 0)
		d->in_eof = true;
	d->ilen += (size_t)r;
	d->in_bytes += (uint64_t)r;
	return true;
}

/* A new chunk once this one is used up. */
static bool
refill(struct decomp *d)
{
	if (d->ipos < d->ilen || d->in_eof)
		return true;
	return read_more(d);
}

static bool
input_left(const struct decomp *d)
{
	return d->ipos < d->ilen;
}

/* The input ended: cleanly between members, or cut inside one. */
static ssize_t
at_end(struct decomp *d)
{
	if (d->open)
		return fail(d, "compressed data cut short", NULL);
	return 0;
}

static ssize_t
read_none(struct decomp *d, uint8_t *buf, size_t n)
{
	size_t k;

	if (!refill(d))
		return -1;
	if (!input_left(d))
		return 0;
	k = d->ilen - d->ipos;
	if (k > n)
		k = n;
	memcpy(buf, d->ibuf + d->ipos, k);
	d->ipos += k;
	return (ssize_t)k;
}

static ssize_t
read_gzip(struct decomp *d, uint8_t *buf, size_t n)
{
	z_stream *zs = &d->zs;

	for (;;) {
		size_t before;
		uInt want = n > 0x7fffffffu ? 0x7fffffffu : (uInt)n;
		int rc;

		if (!refill(d))
			return -1;
		if (!input_left(d) && d->in_eof && !d->open)
			return 0;
		if (!d->open && input_left(d)) {
			/* A member starts: one after another is one stream
			 * (RFC 1952 2.2). Anything else after the end is
			 * damage, said as such rather than in zlib's words
			 * for a bad header. */
			if (d->ended_one && d->ibuf[d->ipos] != 0x1f)
				return fail(d, "compressed data corrupt",
				            "bytes after the end that are not "
				            "gzip");
			if (d->ended_one && inflateReset(zs) != Z_OK)
				return fail(d, "out of memory", NULL);
			d->open = true;
		}
		before = d->ilen - d->ipos;
		zs->next_in = d->ibuf + d->ipos;
		zs->avail_in = (uInt)before;
		zs->next_out = buf;
		zs->avail_out = want;
		rc = inflate(zs, Z_NO_FLUSH);
		d->ipos += before - zs->avail_in;
		if (rc == Z_STREAM_END) {
			d->open = false;
			d->ended_one = true;
		} else if (rc == Z_DATA_ERROR || rc == Z_NEED_DICT) {
			fail(d, "compressed data corrupt",
			     zs->msg != NULL ? zs->msg : "bad data");
		} else if (rc == Z_MEM_ERROR) {
			fail(d, "out of memory", NULL);
		}
		/* What came out before damage goes first; the failure is
		 * the next call's. */
		if (want - zs->avail_out > 0)
			return (ssize_t)(want - zs->avail_out);
		if (d->failed)
			return -1;
		if (rc == Z_STREAM_END)
			continue;
		/* No output: zlib needs more input. */
		if (!input_left(d) && d->in_eof)
			return at_end(d);
	}
}

/* At least k bytes from ipos on, unless the input ends first. */
static bool
gather(struct decomp *d, size_t k)
{
	while (d->ilen - d->ipos < k && !d->in_eof)
		if (!read_more(d))
			return false;
	return true;
}

/*
 * A zstd frame starts: read its header (RFC 8878 3.1.1.1) before libzstd
 * does. libzstd decodes a frame that lies whole in its input, with room
 * for all of it, in one pass whose checks are not those of its streaming
 * (no window limit; blocks judged otherwise), so whether a file reads
 * whole or damaged would depend on the sizes of reads. libzstd is handed
 * the header alone first, which makes it stream every frame, and the
 * frame's content is counted against its header here, which its
 * streaming does not always do.
 */
static bool
zstd_frame_start(struct decomp *d)
{
	static const uint8_t fcs_len[4] = { 0, 2, 4, 8 };
	static const uint8_t did_len[4] = { 0, 1, 2, 4 };
	const uint8_t *h;
	uint8_t fhd;
	bool single;
	size_t hlen, at;
	uint64_t window = 0, fcs = 0;

	d->zfcs_known = false;
	d->zout = 0;
	d->zhdr_end = 0;
	if (!gather(d, 5))
		return false;
	h = d->ibuf + d->ipos;
	/* Not a frame (libzstd says so), or a skippable one. */
	if (d->ilen - d->ipos < 5 || h[0] != 0x28 || h[1] != 0xb5 ||
	    h[2] != 0x2f || h[3] != 0xfd)
		return true;
	fhd = h[4];
	single = (fhd & 0x20) != 0;
	hlen = 5u + (single ? 0u : 1u) + did_len[fhd & 3] +
	       (single && (fhd >> 6) == 0 ? 1u : fcs_len[fhd >> 6]);
	if (!gather(d, hlen))
		return false;
	h = d->ibuf + d->ipos;
	if (d->ilen - d->ipos < hlen)
		return true; /* cut short: told when the input ends */
	at = 5;
	if (!single) {
		unsigned exp = h[at] >> 3, mant = h[at] & 7;
		uint64_t base = (uint64_t)1 << (10 + exp);

		window = base + base / 8 * mant;
		at++;
	}
	at += did_len[fhd & 3];
	if (single || (fhd >> 6) != 0) {
		size_t k = single && (fhd >> 6) == 0 ? 1u : fcs_len[fhd >> 6];

		for (size_t i = 0; i < k; i++)
			fcs |= (uint64_t)h[at + i] << (8 * i);
		if (k == 2)
			fcs += 256;
		d->zfcs = fcs;
		d->zfcs_known = true;
		if (single)
			window = fcs;
	}
	/* libzstd's default ceiling: 2^27 + 1 (ZSTD_MAXWINDOWSIZE_DEFAULT). */
	if (window > ((uint64_t)1 << 27) + 1) {
		fail(d, "compressed data needs more memory than allowed",
		     ZSTD_getErrorString(ZSTD_error_frameParameter_windowTooLarge));
		return false;
	}
	d->zhdr_end = d->ipos + hlen;
	return true;
}

static ssize_t
read_zstd(struct decomp *d, uint8_t *buf, size_t n)
{
	for (;;) {
		ZSTD_inBuffer in;
		ZSTD_outBuffer out = { buf, n, 0 };
		size_t r;

		if (!refill(d))
			return -1;
		if (!input_left(d) && d->in_eof && !d->open)
			return 0;
		if (!d->open && !zstd_frame_start(d))
			return -1;
		in.src = d->ibuf;
		in.size = d->zhdr_end > d->ipos ? d->zhdr_end : d->ilen;
		in.pos = d->ipos;
		r = ZSTD_decompressStream(d->zd, &out, &in);
		if (in.pos >= d->zhdr_end)
			d->zhdr_end = 0;
		if (in.pos > d->ipos)
			d->open = true;
		d->ipos = in.pos;
		if (ZSTD_isError(r)) {
			ZSTD_ErrorCode e = ZSTD_getErrorCode(r);

			if (e == ZSTD_error_frameParameter_windowTooLarge)
				fail(d, "compressed data needs more memory than "
				        "allowed", ZSTD_getErrorString(e));
			else
				fail(d, "compressed data corrupt",
				     ZSTD_getErrorString(e));
			return out.pos > 0 ? (ssize_t)out.pos : -1;
		}
		d->zout += out.pos;
		/* 0: a frame ended and everything it holds was handed out. */
		if (r == 0) {
			d->open = false;
			if (d->zfcs_known && d->zout != d->zfcs)
				fail(d, "compressed data corrupt",
				     ZSTD_getErrorString(ZSTD_error_corruption_detected));
		}
		if (out.pos > 0)
			return (ssize_t)out.pos;
		if (d->failed)
			return -1;
		if (r == 0)
			continue;
		if (!input_left(d) && d->in_eof)
			return at_end(d);
	}
}

static ssize_t
read_lz4(struct decomp *d, uint8_t *buf, size_t n)
{
	for (;;) {
		size_t dst = n, src, r;

		if (!refill(d))
			return -1;
		if (!input_left(d) && d->in_eof && !d->open)
			return 0;
		src = d->ilen - d->ipos;
		r = LZ4F_decompress(d->lz, buf, &dst, d->ibuf + d->ipos, &src,
		                    NULL);
		if (src > 0)
			d->open = true;
		d->ipos += src;
		if (LZ4F_isError(r)) {
			fail(d, "compressed data corrupt", LZ4F_getErrorName(r));
			return dst > 0 && dst <= n ? (ssize_t)dst : -1;
		}
		/* 0: the frame is complete; the context starts the next. */
		if (r == 0)
			d->open = false;
		if (dst > 0)
			return (ssize_t)dst;
		if (r == 0)
			continue;
		if (!input_left(d) && d->in_eof)
			return at_end(d);
	}
}

ssize_t
decomp_read(struct decomp *d, void *buf, size_t n)
{
	if (d->failed)
		return -1;
	if (n == 0)
		return 0;
	switch (d->fmt) {
	case DECOMP_GZIP:
		return read_gzip(d, buf, n);
	case DECOMP_ZSTD:
		return read_zstd(d, buf, n);
	case DECOMP_LZ4:
		return read_lz4(d, buf, n);
	case DECOMP_NONE:
		break;
	}
	return read_none(d, buf, n);
}

const char *
decomp_error(const struct decomp *d)
{
	return d->err;
}

ssize_t
decomp_read_cb(void *d, void *buf, size_t n)
{
	return decomp_read(d, buf, n);
}

const char *
decomp_error_cb(void *d)
{
	return decomp_error(d);
}

bool
decomp_failed(const struct decomp *d)
{
	return d->failed;
}

enum decomp_format
decomp_get_format(const struct decomp *d)
{
	return d->fmt;
}

uint64_t
decomp_in_bytes(const struct decomp *d)
{
	/* What was read minus what waits in the chunk. */
	return d->in_bytes - (d->ilen - d->ipos);
}

static void
record(struct decomp *d, const char *buf, size_t n)
{
	if (!d->recording)
		return;
	if (n > DECOMP_RECORD_MAX - d->rec_len) {
		d->rec_overflow = true;
		d->recording = false;
		return;
	}
	if (d->rec == NULL) {
		d->rec = malloc(DECOMP_RECORD_MAX);
		if (d->rec == NULL) {
			d->rec_overflow = true;
			d->recording = false;
			return;
		}
	}
	memcpy(d->rec + d->rec_len, buf, n);
	d->rec_len += n;
}

static ssize_t
cookie_read(void *cookie, char *buf, size_t n)
{
	struct decomp *d = cookie;
	ssize_t r = decomp_read(d, buf, n);

	if (r < 0) {
		errno = EIO;
		return -1;
	}
	record(d, buf, (size_t)r);
	return r;
}

/* The stream belongs to the caller, who frees it after the FILE. */
static int
cookie_close(void *cookie)
{
	(void)cookie;
	return 0;
}

FILE *
decomp_fopen(struct decomp *d)
{
	cookie_io_functions_t io = {
		.read = cookie_read,
		.write = NULL,
		.seek = NULL,
		.close = cookie_close,
	};

	return fopencookie(d, "rb", io);
}

bool
decomp_recorded(struct decomp *d, const uint8_t **p, size_t *n)
{
	d->recording = false;
	*p = d->rec;
	*n = d->rec_len;
	return !d->rec_overflow;
}

void
decomp_free(struct decomp *d)
{
	if (d == NULL)
		return;
	if (d->zs_init)
		inflateEnd(&d->zs);
	ZSTD_freeDStream(d->zd);
	if (d->lz != NULL)
		LZ4F_freeDecompressionContext(d->lz);
	free(d->rec);
	free(d->ibuf);
	free(d);
}
