/*
 * compress.h: data compressed as the command-line tools write it, for
 * tests: gzip with its CRC (RFC 1952), zstd and lz4 frames with a content
 * checksum. Include after cmocka.h.
 */
#ifndef COMPRESS_H
#define COMPRESS_H

#include <lz4frame.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "capture/decomp.h"

struct buf {
	uint8_t *p;
	size_t n;
};

/* n bytes of in, compressed in format f into a new buffer. */
static inline struct buf
compress_as(enum decomp_format f, const uint8_t *in, size_t n)
{
	struct buf b = { NULL, 0 };

	switch (f) {
	case DECOMP_GZIP: {
		z_stream zs;

		memset(&zs, 0, sizeof zs);
		assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8,
		                              Z_DEFAULT_STRATEGY),
		                 Z_OK);
		b.p = malloc(deflateBound(&zs, (uLong)n) + 64);
		assert_non_null(b.p);
		zs.next_in = (Bytef *)(uintptr_t)in;
		zs.avail_in = (uInt)n;
		zs.next_out = b.p;
		zs.avail_out = (uInt)(deflateBound(&zs, (uLong)n) + 64);
		assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
		b.n = zs.total_out;
		deflateEnd(&zs);
		break;
	}
	case DECOMP_ZSTD: {
		ZSTD_CCtx *c = ZSTD_createCCtx();
		size_t cap = ZSTD_compressBound(n);

		assert_non_null(c);
		ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1);
		b.p = malloc(cap);
		assert_non_null(b.p);
		b.n = ZSTD_compress2(c, b.p, cap, in, n);
		assert_false(ZSTD_isError(b.n));
		ZSTD_freeCCtx(c);
		break;
	}
	case DECOMP_LZ4: {
		LZ4F_preferences_t prefs;
		size_t cap;

		memset(&prefs, 0, sizeof prefs);
		prefs.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled;
		prefs.frameInfo.blockSizeID = LZ4F_max64KB;
		cap = LZ4F_compressFrameBound(n, &prefs);
		b.p = malloc(cap);
		assert_non_null(b.p);
		b.n = LZ4F_compressFrame(b.p, cap, in, n, &prefs);
		assert_false(LZ4F_isError(b.n));
		break;
	}
	case DECOMP_NONE:
		b.p = malloc(n ? n : 1);
		assert_non_null(b.p);
		memcpy(b.p, in, n);
		b.n = n;
		break;
	}
	return b;
}

#endif
