/* test_pcapng_write.c: pcapng blocks as written (draft-ietf-opsawg-pcapng
 * 3.5, 4.1-4.3), read back byte by byte and through the capture reader. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/capture.h"
#include "report/pcapng_write.h"
#include "pcapng_walk.h"
#include "scratch.h"

#define NCOMMENTS 7

static char tmpdir[512];

static size_t
pad4(size_t n)
{
	return (n + 3u) & ~(size_t)3u;
}

static int
group_setup(void **state)
{
	(void)state;
	return scratch_make(tmpdir, sizeof tmpdir, "test_pcapng_write");
}

static int
group_teardown(void **state)
{
	(void)state;
	return scratch_remove(tmpdir);
}

static FILE *
open_out(char *path, size_t len, const char *name)
{
	FILE *f;

	scratch_path(tmpdir, path, len, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	return f;
}

static void
close_out(FILE *f)
{
	assert_int_equal(fflush(f), 0);
	assert_false(ferror(f));
	assert_int_equal(fclose(f), 0);
}

/* The exact bytes of a Section Header Block with and without options. */
static void
test_shb_layout(void **state)
{
	char path[600], buf[16];
	struct walk w;
	FILE *f;

	(void)state;
	f = open_out(path, sizeof path, "shb.pcapng");
	assert_true(pcapng_write_shb(f, "tlsautopsy 1"));
	assert_true(pcapng_write_shb(f, NULL));
	close_out(f);
	walk_file(&w, path);
	assert_int_equal(w.nb, 2);
	/* 28 fixed bytes; "tlsautopsy 1" is 12 bytes, no padding; 4 for the
	 * option header, 4 for opt_endofopt */
	assert_int_equal(w.b[0].type, PCAPNG_BT_SHB);
	assert_int_equal(w.b[0].total, 28 + 4 + 12 + 4);
	assert_int_equal(w.b[0].nopt, 1);
	assert_true(w.b[0].end_of_opt);
	assert_string_equal(walk_opt_str(&w.b[0], PCAPNG_SHB_USERAPPL, buf,
	                                 sizeof buf), "tlsautopsy 1");
	/* the section length is -1: not given */
	for (size_t i = 8; i < 16; i++)
		assert_int_equal(w.b[0].body[i], 0xff);
	/* no option: not even opt_endofopt */
	assert_int_equal(w.b[1].total, 28);
	assert_int_equal(w.b[1].nopt, 0);
	assert_false(w.b[1].end_of_opt);
	/* the byte-order magic in this machine's order, right after the
	 * block's type and length */
	{
		uint32_t m = PCAPNG_BYTE_ORDER_MAGIC;

		assert_memory_equal(w.buf + 8, &m, 4);
	}
	walk_free(&w);
	assert_int_equal(unlink(path), 0);
}

/* IDBs: link type, snaplen, if_name, if_tsresol only when not default. */
static void
test_idb_layout(void **state)
{
	char path[600], buf[32];
	struct walk w;
	FILE *f;

	(void)state;
	f = open_out(path, sizeof path, "idb.pcapng");
	assert_true(pcapng_write_shb(f, NULL));
	assert_true(pcapng_write_idb(f, 1, 262144, "eth0", PCAPNG_TSRESOL_NS));
	assert_true(pcapng_write_idb(f, 113, 0, "any1", PCAPNG_TSRESOL_US));
	assert_true(pcapng_write_idb(f, 276, 65535, NULL, PCAPNG_TSRESOL_US));
	close_out(f);
	walk_file(&w, path);
	assert_int_equal(w.nb, 4);

	assert_int_equal(w.b[1].type, PCAPNG_BT_IDB);
	assert_int_equal(w.b[1].linktype, 1);
	assert_int_equal(w.b[1].snaplen, 262144);
	/* 20 fixed; if_name 4+4; if_tsresol 4+1 padded to 8; end 4 */
	assert_int_equal(w.b[1].total, 20 + 8 + 8 + 4);
	assert_int_equal(w.b[1].nopt, 2);
	assert_string_equal(walk_opt_str(&w.b[1], PCAPNG_IF_NAME, buf,
	                                 sizeof buf), "eth0");
	assert_int_equal(w.b[1].opt[1].code, PCAPNG_IF_TSRESOL);
	assert_int_equal(w.b[1].opt[1].len, 1);
	assert_int_equal(w.b[1].opt[1].val[0], 9);

	assert_int_equal(w.b[2].linktype, 113);
	assert_int_equal(w.b[2].snaplen, 0);
	assert_int_equal(w.b[2].nopt, 1);
	assert_int_equal(w.b[2].total, 20 + 8 + 4);

	assert_int_equal(w.b[3].linktype, 276);
	assert_int_equal(w.b[3].nopt, 0);
	assert_int_equal(w.b[3].total, 20);
	walk_free(&w);
	assert_int_equal(unlink(path), 0);
}

/*
 * EPBs of every length modulo 4 with comments of every length modulo 4:
 * data and comment each padded with zeros to 32 bits, the lengths exact,
 * the time stamp split high word first.
 */
static void
test_epb_padding(void **state)
{
	static const char *const comments[NCOMMENTS] = {
		NULL, "", "a", "ab", "abc", "abcd", "abcde",
	};
	uint8_t data[9];
	char path[600], buf[16];
	struct walk w;
	FILE *f;
	unsigned k = 0;

	(void)state;
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(0xa0 + i);
	f = open_out(path, sizeof path, "epb.pcapng");
	assert_true(pcapng_write_shb(f, NULL));
	assert_true(pcapng_write_idb(f, 1, 0, NULL, PCAPNG_TSRESOL_NS));
	for (uint32_t caplen = 0; caplen <= 8; caplen++)
		for (size_t c = 0; c < NCOMMENTS; c++)
			assert_true(pcapng_write_epb(f, 0,
			    0x123456789abcdef0ull + caplen, data, caplen,
			    caplen + 100, comments[c]));
	close_out(f);
	walk_file(&w, path);
	assert_int_equal(w.nb, 2 + 9 * 7);
	for (uint32_t caplen = 0; caplen <= 8; caplen++) {
		for (size_t c = 0; c < NCOMMENTS; c++) {
			const struct walk_block *b = &w.b[2 + k++];
			size_t want = 32 + ((caplen + 3u) & ~3u);
			const char *cm = comments[c];

			if (cm != NULL)
				want += 4 + pad4(strlen(cm)) + 4;
			assert_int_equal(b->type, PCAPNG_BT_EPB);
			assert_int_equal(b->total, want);
			assert_int_equal(b->ifid, 0);
			assert_int_equal(b->ts, 0x123456789abcdef0ull + caplen);
			assert_int_equal(b->caplen, caplen);
			assert_int_equal(b->len, caplen + 100);
			if (caplen > 0)
				assert_memory_equal(b->data, data, caplen);
			if (cm == NULL) {
				assert_int_equal(b->nopt, 0);
				continue;
			}
			assert_int_equal(b->nopt, 1);
			assert_true(b->end_of_opt);
			assert_string_equal(walk_opt_str(b, PCAPNG_OPT_COMMENT,
			                                 buf, sizeof buf), cm);
		}
	}
	/* the time stamp's words: high first */
	{
		const uint8_t *p = w.b[2].body;
		uint32_t hi = 0x12345678u, lo = 0x9abcdef0u;

		assert_memory_equal(p + 4, &hi, 4);
		assert_memory_equal(p + 8, &lo, 4);
	}
	walk_free(&w);
	assert_int_equal(unlink(path), 0);
}

/* A comment beyond the 16-bit length is cut before the character that
 * does not fit, never inside it. */
static void
test_long_comment(void **state)
{
	size_t n = PCAPNG_OPT_MAX + 10;
	char *cm = malloc(n + 1), path[600];
	struct walk w;
	FILE *f;

	(void)state;
	assert_non_null(cm);
	memset(cm, 'x', n);
	/* U+00E9 (2 bytes) straddling the limit */
	cm[PCAPNG_OPT_MAX - 1] = (char)0xc3;
	cm[PCAPNG_OPT_MAX] = (char)0xa9;
	cm[n] = '\0';
	f = open_out(path, sizeof path, "long.pcapng");
	assert_true(pcapng_write_shb(f, NULL));
	assert_true(pcapng_write_idb(f, 1, 0, NULL, PCAPNG_TSRESOL_US));
	assert_true(pcapng_write_epb(f, 0, 1, (const uint8_t *)"x", 1, 1, cm));
	close_out(f);
	walk_file(&w, path);
	assert_int_equal(w.nb, 3);
	assert_int_equal(w.b[2].nopt, 1);
	assert_int_equal(w.b[2].opt[0].len, PCAPNG_OPT_MAX - 1);
	assert_memory_equal(w.b[2].opt[0].val, cm, PCAPNG_OPT_MAX - 1);
	walk_free(&w);
	free(cm);
	assert_int_equal(unlink(path), 0);
}

/*
 * Two interfaces of different link types (Ethernet in nanoseconds, Linux
 * cooked in microseconds) read back by the project's own reader, which
 * reads every interface of a pcapng file with its own link type and
 * resolution: each frame's link, interface and time come back.
 */
static void
test_two_link_types(void **state)
{
	static const uint8_t eth[60] = { 0x02, 0, 0, 0, 0, 1 };
	static const uint8_t sll[44] = { 0, 4, 0, 1 };
	char path[600], err[CAP_ERRLEN];
	const char *files[1];
	struct capture *cap;
	struct cap_pkt p;
	FILE *f;

	(void)state;
	f = open_out(path, sizeof path, "two.pcapng");
	assert_true(pcapng_write_shb(f, "t"));
	assert_true(pcapng_write_idb(f, 1, 262144, "eth0", PCAPNG_TSRESOL_NS));
	assert_true(pcapng_write_epb(f, 0, 1700000000123456789ull, eth,
	                             sizeof eth, sizeof eth, "one"));
	assert_true(pcapng_write_idb(f, 113, 262144, "any", PCAPNG_TSRESOL_US));
	assert_true(pcapng_write_epb(f, 1, 1700000001000001ull, sll,
	                             sizeof sll, 1500, "two"));
	assert_true(pcapng_write_epb(f, 0, 1700000002000000002ull, eth, 20,
	                             sizeof eth, NULL));
	close_out(f);

	files[0] = path;
	cap = capture_open_files(files, 1, NULL, err, sizeof err);
	if (cap == NULL)
		fail_msg("%s", err);
	assert_int_equal(capture_next(cap, &p), CAP_PACKET);
	assert_int_equal(p.link, PKT_LINK_ETHERNET);
	assert_int_equal(p.iface, 0);
	assert_int_equal(p.ts, 1700000000123456789ull);
	assert_int_equal(p.caplen, sizeof eth);
	assert_memory_equal(p.data, eth, sizeof eth);
	assert_int_equal(TA_FRAME_NO(p.frame), 1);
	assert_int_equal(capture_next(cap, &p), CAP_PACKET);
	assert_int_equal(p.link, PKT_LINK_SLL);
	assert_int_equal(p.iface, 1);
	assert_int_equal(p.ts, 1700000001000001000ull);
	assert_int_equal(p.caplen, sizeof sll);
	assert_int_equal(p.len, 1500);
	assert_string_equal(capture_iface_name(cap, 0, 1), "any");
	assert_int_equal(capture_next(cap, &p), CAP_PACKET);
	assert_int_equal(p.link, PKT_LINK_ETHERNET);
	assert_int_equal(p.ts, 1700000002000000002ull);
	assert_int_equal(p.caplen, 20);
	assert_int_equal(p.len, sizeof eth);
	assert_int_equal(capture_next(cap, &p), CAP_END);
	capture_close(cap);
	assert_int_equal(unlink(path), 0);
}

/* A device that is full: the block's write fails, and says so. */
static void
test_write_fails(void **state)
{
	FILE *f;

	(void)state;
	if (access("/dev/full", W_OK) != 0)
		skip();
	f = fopen("/dev/full", "wb");
	assert_non_null(f);
	setvbuf(f, NULL, _IONBF, 0);
	assert_false(pcapng_write_shb(f, "x"));
	assert_true(ferror(f));
	fclose(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shb_layout),
		cmocka_unit_test(test_idb_layout),
		cmocka_unit_test(test_epb_padding),
		cmocka_unit_test(test_long_comment),
		cmocka_unit_test(test_two_link_types),
		cmocka_unit_test(test_write_fails),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
