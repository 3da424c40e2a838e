/* test_savefile.c: classic pcap files read without stdio (pcap-savefile(5)), held to libpcap's reading. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capfile.h"
#include "capture/savefile.h"
#include "savefile_same.h"

#define MAGIC_USEC 0xa1b2c3d4u
#define MAGIC_NSEC 0xa1b23c4du
#define LT_ETHERNET 1u
#define LT_SLL 113u

static uint8_t pattern[262144];

static int
group_setup(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof pattern; i++)
		pattern[i] = (uint8_t)(i * 7 + (i >> 8));
	return 0;
}

static struct fb *
fb_new(void)
{
	struct fb *f = malloc(sizeof *f);

	assert_non_null(f);
	return f;
}

/* libpcap and savefile agree on f cut to n bytes; returns the frames. */
static unsigned long
same(const struct fb *f, size_t n, bool want_taken)
{
	char why[512];
	unsigned long frames;
	bool taken;

	if (!savefile_same(f->b, n, &taken, &frames, why, sizeof why))
		fail_msg("cut at %zu of %zu: %s", n, f->n, why);
	if (taken != want_taken)
		fail_msg("cut at %zu of %zu: savefile %s the file", n, f->n,
		         taken ? "read" : "declined");
	return frames;
}

/* savefile over a real file holding f's first n bytes. */
struct opened {
	pcap_t *p;
	struct savefile *s;
};

static struct opened
open_savefile(const struct fb *f, size_t n, unsigned precision)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	FILE *fp = tmpfile();
	struct opened o;

	assert_non_null(fp);
	assert_int_equal(fwrite(f->b, 1, n, fp), n);
	rewind(fp);
	o.p = pcap_fopen_offline_with_tstamp_precision(fp, precision, errbuf);
	if (o.p == NULL)
		fail_msg("libpcap: %s", errbuf);
	o.s = savefile_open(o.p);
	return o;
}

static void
close_opened(struct opened *o)
{
	savefile_close(o->s);
	pcap_close(o->p);
}

/* Every sample capture is a plain pcap file: read the same way. */
static void
test_bundled_captures(void **state)
{
	const char *top = getenv("top_srcdir");
	char dir[1024], path[2048];
	struct fb *f = fb_new();
	struct dirent *e;
	unsigned files = 0;
	DIR *d;

	(void)state;
	snprintf(dir, sizeof dir, "%s/captures", top ? top : ".");
	d = opendir(dir);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		FILE *fp;

		if (len < 5 || strcmp(e->d_name + len - 5, ".pcap") != 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		fp = fopen(path, "rb");
		assert_non_null(fp);
		f->n = fread(f->b, 1, sizeof f->b, fp);
		assert_true(feof(fp));
		fclose(fp);
		if (same(f, f->n, true) == 0)
			fail_msg("%s: no frames", e->d_name);
		files++;
	}
	closedir(d);
	assert_true(files >= 10);
	free(f);
}

/* Odd lengths and timestamps, cut at every byte, in all four forms. */
static void
test_cut_everywhere(void **state)
{
	struct fb *f = fb_new();

	(void)state;
	for (unsigned form = 0; form < 4; form++) {
		bool be = form & 1;
		uint32_t magic = form & 2 ? MAGIC_NSEC : MAGIC_USEC;

		pcap_file_header(f, be, magic, 2, 4, 65535, LT_ETHERNET);
		pcap_record(f, 1700000000u, 999999, pattern, 60, 60);
		pcap_record(f, 0xffffffffu, 0xffffffffu, pattern, 0, 0);
		pcap_record(f, 0x80000000u, 1000001, pattern + 1, 1, 1514);
		pcap_record(f, 1700000001u, 5, pattern + 2, 1514, 1514);
		for (size_t n = 0; n <= f->n; n++) {
			unsigned long frames = same(f, n, n >= 24);

			if (n == f->n)
				assert_int_equal(frames, 4);
		}
	}
	free(f);
}

/* A frame longer than the file's snapshot length is cut to it, and the
 * next frame starts after all of its bytes. */
static void
test_longer_than_snapshot(void **state)
{
	struct fb *f = fb_new();
	struct pcap_pkthdr h;
	const uint8_t *d;
	struct opened o;

	(void)state;
	pcap_file_header(f, false, MAGIC_NSEC, 2, 4, 100, LT_ETHERNET);
	pcap_record(f, 10, 20, pattern, 150, 150);
	pcap_record(f, 11, 21, pattern + 150, 70, 70);
	o = open_savefile(f, f->n, PCAP_TSTAMP_PRECISION_NANO);
	assert_non_null(o.s);
	assert_int_equal(savefile_next(o.s, &h, &d), 1);
	assert_int_equal(h.caplen, 100);
	assert_int_equal(h.len, 150);
	assert_int_equal(h.ts.tv_sec, 10);
	assert_int_equal(h.ts.tv_usec, 20);
	assert_memory_equal(d, pattern, 100);
	assert_int_equal(savefile_next(o.s, &h, &d), 1);
	assert_int_equal(h.caplen, 70);
	assert_memory_equal(d, pattern + 150, 70);
	assert_int_equal(savefile_next(o.s, &h, &d), PCAP_ERROR_BREAK);
	assert_int_equal(savefile_offset(o.s), f->n);
	close_opened(&o);
	for (size_t n = 24; n <= f->n; n++)
		same(f, n, true);
	free(f);
}

static void
expect_damage(const struct fb *f, size_t n, int frames, const char *words)
{
	struct pcap_pkthdr h;
	const uint8_t *d;
	struct opened o = open_savefile(f, n, PCAP_TSTAMP_PRECISION_NANO);

	assert_non_null(o.s);
	for (int i = 0; i < frames; i++)
		assert_int_equal(savefile_next(o.s, &h, &d), 1);
	assert_int_equal(savefile_next(o.s, &h, &d), PCAP_ERROR);
	assert_string_equal(savefile_geterr(o.s), words);
	/* Damage is final. */
	assert_int_equal(savefile_next(o.s, &h, &d), PCAP_ERROR);
	close_opened(&o);
	same(f, n, true);
}

/* The words for damage are libpcap's, which users know from tcpdump. */
static void
test_damage_words(void **state)
{
	struct fb *f = fb_new();

	(void)state;
	pcap_file_header(f, false, MAGIC_USEC, 2, 4, 100, LT_ETHERNET);
	pcap_record(f, 1, 0, pattern, 60, 60);
	pcap_record(f, 2, 0, pattern, 150, 150);
	expect_damage(f, 24 + 76 + 5, 1,
	              "truncated dump file; tried to read 16 header bytes, "
	              "only got 5");
	expect_damage(f, 24 + 76 + 16 + 80, 1,
	              "truncated dump file; tried to read 100 captured bytes, "
	              "only got 80");
	expect_damage(f, 24 + 76 + 16 + 120, 1,
	              "truncated dump file; tried to read 150 captured bytes, "
	              "only got 120");
	pcap_file_header(f, false, MAGIC_USEC, 2, 4, 65535, LT_ETHERNET);
	pcap_record(f, 1, 0, NULL, 262145, 262145);
	expect_damage(f, f->n, 0,
	              "invalid packet capture length 262145, bigger than "
	              "snaplen of 65535");
	free(f);
}

/* A snapshot length of 0 means libpcap's largest; such a frame, and
 * frames of every size around the reads' boundaries, come out whole. */
static void
test_large_frames_across_reads(void **state)
{
	struct fb *f = fb_new();
	unsigned long want = 0;
	uint32_t sizes[] = { 60, 1514, 9000, 65535, 40, 262144, 1, 1500 };
	struct pcap_pkthdr h;
	const uint8_t *d;
	struct opened o;
	unsigned long got = 0;

	(void)state;
	pcap_file_header(f, false, MAGIC_USEC, 2, 4, 0, LT_ETHERNET);
	for (unsigned i = 0; f->n + 16 + 262144 <= sizeof f->b; i++) {
		uint32_t len = sizes[i % (sizeof sizes / sizeof sizes[0])];
		/* Some frames cut short of their length on the wire. */
		uint32_t cut = len > 7 ? i % 7 : 0;

		pcap_record(f, 1700000000u + i, i, pattern + cut, len - cut,
		            len);
		want++;
	}
	assert_int_equal(same(f, f->n, true), want);
	o = open_savefile(f, f->n, PCAP_TSTAMP_PRECISION_NANO);
	assert_non_null(o.s);
	while (savefile_next(o.s, &h, &d) == 1) {
		assert_true(h.caplen <= h.len);
		assert_true(savefile_offset(o.s) <= f->n);
		got++;
	}
	assert_int_equal(got, want);
	assert_int_equal(savefile_offset(o.s), f->n);
	close_opened(&o);
	free(f);
}

/* What savefile does not read exactly as libpcap would, libpcap reads. */
static void
test_declines(void **state)
{
	struct fb *f = fb_new();
	struct opened o;
	int fds[2];
	FILE *rp;
	pcap_t *p;
	char errbuf[PCAP_ERRBUF_SIZE];

	(void)state;
	/* Version 2.3 may have caplen and len the other way round. */
	pcap_file_header(f, false, MAGIC_USEC, 2, 3, 65535, LT_ETHERNET);
	pcap_record(f, 1, 0, pattern, 60, 40);
	same(f, f->n, false);
	/* Kuznetzov's patched format has longer record headers. */
	pcap_file_header(f, false, 0xa1b2cd34u, 2, 4, 65535, LT_ETHERNET);
	same(f, f->n, false);
	/* A swapped cooked capture: libpcap rewrites SocketCAN ids. */
	pcap_file_header(f, true, MAGIC_USEC, 2, 4, 65535, LT_SLL);
	pcap_record(f, 1, 0, pattern, 60, 60);
	same(f, f->n, false);
	pcap_file_header(f, false, MAGIC_USEC, 2, 4, 65535, LT_SLL);
	pcap_record(f, 1, 0, pattern, 60, 60);
	same(f, f->n, true);
	/* LINKTYPE_USBPCAP: a larger maximum caplen. */
	pcap_file_header(f, false, MAGIC_USEC, 2, 4, 65535, 249);
	pcap_record(f, 1, 0, pattern, 60, 60);
	same(f, f->n, false);
	/* Microsecond precision asked of libpcap: not the analyser's. */
	pcap_file_header(f, false, MAGIC_USEC, 2, 4, 65535, LT_ETHERNET);
	pcap_record(f, 1, 0, pattern, 60, 60);
	o = open_savefile(f, f->n, PCAP_TSTAMP_PRECISION_MICRO);
	assert_null(o.s);
	close_opened(&o);
	/* A pipe cannot be read at offsets. */
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], f->b, f->n), (ssize_t)f->n);
	close(fds[1]);
	rp = fdopen(fds[0], "rb");
	assert_non_null(rp);
	p = pcap_fopen_offline_with_tstamp_precision(
	    rp, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	assert_non_null(p);
	assert_null(savefile_open(p));
	pcap_close(p);
	free(f);
}

/* ---- pcapng ---- */

/* A pcapng file as dumpcap writes it: a block before the interface, the
 * packets, statistics at the end. The packets are read here; libpcap
 * takes over only at the statistics block. */
static void
test_pcapng_plain(void **state)
{
	static const uint8_t nrb[8]; /* a Name Resolution Block, empty */
	static const uint8_t isb[12];
	uint32_t sizes[] = { 60, 1514, 9000, 65535, 40, 1, 1500, 65535 };
	struct fb *f = fb_new();
	unsigned long want = 0, got = 0;
	struct pcap_pkthdr h;
	const uint8_t *d;
	struct opened o;

	(void)state;
	for (unsigned resol = 0; resol < 2; resol++) {
		ng_shb(f);
		ng_block(f, 4, nrb, sizeof nrb);
		ng_idb(f, (uint16_t)LT_ETHERNET, resol ? 9 : 0);
		want = 0;
		for (unsigned i = 0; f->n + 64 + 65535 + 32 < sizeof f->b; i++) {
			uint32_t len = sizes[i % (sizeof sizes / sizeof sizes[0])];
			uint32_t cut = len > 7 ? i % 7 : 0;

			ng_epb(f, (uint64_t)1700000000u * 1000000000u + i * 999u,
			       pattern + cut, len - cut, len);
			want++;
		}
		ng_block(f, 5, isb, sizeof isb);
		assert_int_equal(same(f, f->n, true), want);
		o = open_savefile(f, f->n, PCAP_TSTAMP_PRECISION_NANO);
		assert_non_null(o.s);
		for (got = 0; got < want; got++) {
			assert_int_equal(savefile_next(o.s, &h, &d), 1);
			assert_false(savefile_by_libpcap(o.s));
		}
		assert_int_equal(savefile_next(o.s, &h, &d), PCAP_ERROR_BREAK);
		assert_true(savefile_by_libpcap(o.s));
		close_opened(&o);
	}
	free(f);
}

/* Everything that is not a plain packet of the first interface goes to
 * libpcap, at that block: the reading goes on or stops as libpcap says,
 * cut at every byte. */
static void
test_pcapng_hand_over_everywhere(void **state)
{
	/* byte-order magic, version 1.0, section length unknown */
	static const uint8_t section[16] = { 0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0,
	                                     0xff, 0xff, 0xff, 0xff,
	                                     0xff, 0xff, 0xff, 0xff };
	struct fb *f = fb_new();
	size_t idb_end;
	unsigned long frames;

	(void)state;
	ng_shb(f);
	ng_idb(f, (uint16_t)LT_ETHERNET, 0);
	idb_end = f->n;
	ng_epb(f, 1700000000000000u, pattern, 60, 60);
	ng_epb(f, 0xffffffffffffffffu, pattern + 1, 0, 0);
	ng_idb(f, (uint16_t)LT_ETHERNET, 9);           /* a second interface */
	ng_epb_if(f, 1, 5, pattern + 2, 61, 61);
	ng_epb(f, 7, pattern + 3, 62, 62);
	ng_block(f, 0x0a0d0d0au, section, sizeof section); /* a new section */
	ng_idb(f, (uint16_t)LT_ETHERNET, 0);
	ng_epb(f, 8, pattern, 65535, 65535);
	ng_epb(f, 9, pattern, 70000, 70000);           /* over the snaplen */
	for (size_t n = 0; n <= f->n; n++) {
		frames = same(f, n, n >= idb_end);
		if (n == f->n)
			assert_int_equal(frames, 5);
	}
	free(f);
}

/* Interfaces whose timestamps savefile does not convert, and the other
 * byte order, are read by libpcap alone. */
static void
test_pcapng_declines(void **state)
{
	/* if_tsoffset (14), 8 bytes; opt_endofopt */
	static const uint8_t offset[16] = { 14, 0, 8, 0, 1, 0, 0, 0,
	                                    0, 0, 0, 0, 0, 0, 0, 0 };
	/* if_tsresol 2^-10 */
	static const uint8_t base2[12] = { 9, 0, 1, 0, 0x8a, 0, 0, 0,
	                                   0, 0, 0, 0 };
	struct fb *f = fb_new();

	(void)state;
	ng_shb(f);
	ng_idb_opts(f, (uint16_t)LT_ETHERNET, 65535, offset, sizeof offset);
	ng_epb(f, 1700000000000000u, pattern, 60, 60);
	same(f, f->n, false);
	ng_shb(f);
	ng_idb_opts(f, (uint16_t)LT_ETHERNET, 65535, base2, sizeof base2);
	ng_epb(f, 1700000000000000u, pattern, 60, 60);
	same(f, f->n, false);
	ng_shb(f);
	ng_idb(f, (uint16_t)LT_ETHERNET, 3); /* milliseconds */
	ng_epb(f, 1700000000000u, pattern, 60, 60);
	same(f, f->n, false);
	ng_shb_order(f, true);
	ng_idb(f, (uint16_t)LT_ETHERNET, 9);
	ng_epb(f, 1700000000000000000u, pattern, 60, 60);
	same(f, f->n, false);
	free(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bundled_captures),
		cmocka_unit_test(test_cut_everywhere),
		cmocka_unit_test(test_longer_than_snapshot),
		cmocka_unit_test(test_damage_words),
		cmocka_unit_test(test_large_frames_across_reads),
		cmocka_unit_test(test_declines),
		cmocka_unit_test(test_pcapng_plain),
		cmocka_unit_test(test_pcapng_hand_over_everywhere),
		cmocka_unit_test(test_pcapng_declines),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
