/* memsrc.h: bytes in memory read as a stream, a chunk at a time, as a pipe or a decompressor's input hands them out (for the tests of src/capture/decomp.h and savefile.h). */
#ifndef MEMSRC_H
#define MEMSRC_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

struct memsrc {
	const uint8_t *p;
	size_t n, pos;
	size_t chunk;      /* at most this many bytes per read */
	bool fail_at_end;  /* the read at the end fails (EIO) */
};

/* A decomp_in_fn and a savefile_stream read: up to n bytes, 0 at the
 * end. */
static inline ssize_t
memsrc_read(void *ctx, void *buf, size_t n)
{
	struct memsrc *m = ctx;
	size_t k = m->n - m->pos;

	if (k == 0 && m->fail_at_end) {
		errno = EIO;
		return -1;
	}
	if (k > n)
		k = n;
	if (k > m->chunk)
		k = m->chunk;
	memcpy(buf, m->p + m->pos, k);
	m->pos += k;
	return (ssize_t)k;
}

#endif
