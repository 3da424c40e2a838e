/* test_capture.c: offline sources: pcap (draft-ietf-opsawg-pcap 4-5) and pcapng (draft-ietf-opsawg-pcapng 4.1-4.3) files merged by time, compressed (RFC 1952, RFC 8878, LZ4 frames) or not, from files or standard input. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/capture.h"
#include "capfile.h"
#include "compress.h"
#include "scratch.h"

#define BASE 1700000000u /* 2023-11-14, seconds */
#define FRAME_LEN 58u

static char tmpdir[512];

static int
group_setup(void **state)
{
	(void)state;
	return scratch_make(tmpdir, sizeof tmpdir, "test_capture");
}

/* Also after a failed case, which leaves its files behind. */
static int
group_teardown(void **state)
{
	(void)state;
	return scratch_remove(tmpdir);
}

static void
path_of(char *buf, size_t len, const char *name)
{
	scratch_path(tmpdir, buf, len, name);
}

/* pcap file header: microsecond or nanosecond magic, either byte order. */
static void
pcap_header(struct fb *f, bool be, bool nano, uint32_t linktype)
{
	pcap_file_header(f, be, nano ? 0xa1b23c4du : 0xa1b2c3d4u, 2, 4, 65535,
	                 linktype);
}


/*
 * Ethernet / IPv4 / TCP with a 4-byte payload whose first byte is the
 * marker, so that each packet can be recognised when it comes back.
 */
static const uint8_t *
frame(uint16_t sport, uint16_t dport, uint8_t marker)
{
	static uint8_t f[FRAME_LEN];

	memset(f, 0, sizeof f);
	memcpy(f, "\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02\x08\x00",
	       14);
	f[14] = 0x45;
	f[17] = 20 + 20 + 4;
	f[22] = 64;
	f[23] = 6;
	memcpy(f + 26, "\x0a\x00\x00\x02\x0a\x00\x00\x01", 8);
	f[34] = (uint8_t)(sport >> 8);
	f[35] = (uint8_t)sport;
	f[36] = (uint8_t)(dport >> 8);
	f[37] = (uint8_t)dport;
	f[46] = 5 << 4;
	f[47] = 0x18;
	f[54] = marker;
	return f;
}

struct warns {
	unsigned n;
	char last[CAP_ERRLEN];
};

static void
on_warn(void *ctx, const char *msg)
{
	struct warns *w = ctx;

	w->n++;
	snprintf(w->last, sizeof w->last, "%s", msg);
}

/* The next packet must be this one. */
static void
expect(struct capture *c, ta_time ts, unsigned file, uint64_t no,
       uint8_t marker)
{
	struct cap_pkt p;

	memset(&p, 0, sizeof p);
	assert_int_equal(capture_next(c, &p), CAP_PACKET);
	if (p.ts != ts || p.frame != TA_FRAME(file, no))
		print_error("got ts %llu frame %u/%llu, want %llu %u/%llu\n",
		            (unsigned long long)p.ts, TA_FRAME_FILE(p.frame),
		            (unsigned long long)TA_FRAME_NO(p.frame),
		            (unsigned long long)ts, file,
		            (unsigned long long)no);
	assert_int_equal(p.ts, ts);
	assert_int_equal(TA_FRAME_FILE(p.frame), file);
	assert_int_equal(TA_FRAME_NO(p.frame), no);
	assert_int_equal(p.caplen, FRAME_LEN);
	assert_non_null(p.data);
	assert_int_equal(p.data[54], marker);
}

static ta_time
at(uint32_t sec, uint32_t ns)
{
	return (ta_time)sec * TA_NS_PER_SEC + ns;
}

static struct capture *
open_ok(const char *const *files, unsigned n, const char *filter)
{
	char err[CAP_ERRLEN];
	struct capture *c = capture_open_files(files, n, filter, err, sizeof err);

	if (c == NULL)
		fail_msg("%s", err);
	return c;
}

static void
test_merge_by_time(void **state)
{
	struct fb *f = malloc(sizeof *f);
	char a[600], b[600];
	const char *files[2] = { a, b };
	struct capture *c;
	struct cap_pkt p;
	struct cap_stats st;
	uint64_t done, total;

	(void)state;
	assert_non_null(f);
	path_of(a, sizeof a, "merge-a.pcap");
	path_of(b, sizeof b, "merge-b.pcap");
	/* A: little-endian, microseconds */
	pcap_header(f, false, false, 1);
	pcap_record(f, BASE + 1, 1, frame(40000, 143, 0xa1), FRAME_LEN, 1514);
	pcap_record(f, BASE + 3, 0, frame(40000, 143, 0xa2), FRAME_LEN,
	            FRAME_LEN);
	pcap_record(f, BASE + 5, 0, frame(40000, 143, 0xa3), FRAME_LEN,
	            FRAME_LEN);
	fb_save(f, a, f->n);
	/* B: big-endian, nanoseconds; its second packet ties with A's */
	pcap_header(f, true, true, 1);
	pcap_record(f, BASE + 2, 500, frame(40001, 993, 0xb1), FRAME_LEN,
	            FRAME_LEN);
	pcap_record(f, BASE + 3, 0, frame(40001, 993, 0xb2), FRAME_LEN,
	            FRAME_LEN);
	pcap_record(f, BASE + 4, 0, frame(40001, 993, 0xb3), FRAME_LEN,
	            FRAME_LEN);
	fb_save(f, b, f->n);

	c = open_ok(files, 2, NULL);
	assert_int_equal(capture_nfiles(c), 2);
	assert_false(capture_is_live(c));
	assert_string_equal(capture_file_name(c, 0), a);
	assert_string_equal(capture_file_name(c, 1), b);
	assert_string_equal(capture_file_name(c, 2), "?");
	assert_int_equal(capture_link(c, 0), PKT_LINK_ETHERNET);
	assert_int_equal(capture_link(c, 1), PKT_LINK_ETHERNET);

	memset(&p, 0, sizeof p);
	assert_int_equal(capture_next(c, &p), CAP_PACKET);
	assert_int_equal(p.ts, at(BASE + 1, 1000));
	assert_int_equal(p.frame, TA_FRAME(0, 1));
	assert_int_equal(p.caplen, FRAME_LEN);
	assert_int_equal(p.len, 1514);
	assert_int_equal(p.link, PKT_LINK_ETHERNET);
	assert_memory_equal(p.data, frame(40000, 143, 0xa1), FRAME_LEN);
	expect(c, at(BASE + 2, 500), 1, 1, 0xb1);
	/* a tie goes to the earlier file */
	expect(c, at(BASE + 3, 0), 0, 2, 0xa2);
	expect(c, at(BASE + 3, 0), 1, 2, 0xb2);
	expect(c, at(BASE + 4, 0), 1, 3, 0xb3);
	expect(c, at(BASE + 5, 0), 0, 3, 0xa3);
	assert_int_equal(capture_next(c, &p), CAP_END);
	assert_int_equal(capture_next(c, &p), CAP_END);

	capture_stats(c, &st);
	assert_int_equal(st.packets, 6);
	assert_int_equal(st.bytes, 6 * FRAME_LEN);
	assert_int_equal(st.damaged_files, 0);
	assert_false(st.kernel_known);
	capture_progress(c, &done, &total);
	assert_int_equal(total, 2 * (24 + 3 * (16 + FRAME_LEN)));
	assert_int_equal(done, total);
	capture_close(c);
	unlink(a);
	unlink(b);
	free(f);
}

static void
test_timestamp_formats(void **state)
{
#define AT(sec, ns) ((ta_time)(sec) * TA_NS_PER_SEC + (ns))
	static const struct {
		bool be, nano;
		uint32_t linktype;
		uint32_t frac;
		ta_time want;
		enum pkt_link link;
	} tc[] = {
		{ false, false, 1, 654321, AT(BASE, 654321000), PKT_LINK_ETHERNET },
		{ true, false, 1, 999999, AT(BASE, 999999000), PKT_LINK_ETHERNET },
		{ false, true, 1, 123456789, AT(BASE, 123456789), PKT_LINK_ETHERNET },
		{ true, true, 101, 999999999, AT(BASE, 999999999), PKT_LINK_RAW },
		{ true, true, 113, 1, AT(BASE, 1), PKT_LINK_SLL },
	};
	struct fb *f = malloc(sizeof *f);
	char path[600];
	const char *files[1] = { path };

	(void)state;
	assert_non_null(f);
	path_of(path, sizeof path, "ts.pcap");
	for (size_t i = 0; i < sizeof tc / sizeof tc[0]; i++) {
		struct capture *c;
		struct cap_pkt p;

		pcap_header(f, tc[i].be, tc[i].nano, tc[i].linktype);
		pcap_record(f, BASE, tc[i].frac, frame(1, 2, (uint8_t)i),
		            FRAME_LEN, FRAME_LEN);
		fb_save(f, path, f->n);
		c = open_ok(files, 1, NULL);
		assert_int_equal(capture_link(c, 0), tc[i].link);
		assert_int_equal(capture_next(c, &p), CAP_PACKET);
		assert_int_equal(p.ts, tc[i].want);
		assert_int_equal(p.link, tc[i].link);
		assert_int_equal(p.frame, TA_FRAME(0, 1));
		assert_int_equal(p.data[54], i);
		assert_int_equal(capture_next(c, &p), CAP_END);
		capture_close(c);
	}
	unlink(path);
	free(f);
#undef AT
}

static void
test_pcapng(void **state)
{
	struct fb *f = malloc(sizeof *f);
	char ns[600], us[600];
	const char *files[2] = { ns, us };
	struct capture *c;
	struct cap_pkt p;

	(void)state;
	assert_non_null(f);
	path_of(ns, sizeof ns, "ns.pcapng");
	path_of(us, sizeof us, "us.pcapng");
	ng_shb(f);
	ng_idb(f, 1, 9);
	ng_epb(f, (uint64_t)BASE * 1000000000u + 123456789u,
	       frame(40000, 993, 0x51), FRAME_LEN, 1500);
	ng_epb(f, (uint64_t)BASE * 1000000000u + 400000001u,
	       frame(40000, 993, 0x52), FRAME_LEN, FRAME_LEN);
	fb_save(f, ns, f->n);
	ng_shb(f);
	ng_idb(f, 1, 0);
	ng_epb(f, (uint64_t)BASE * 1000000u + 300000u, frame(40001, 143, 0x61),
	       FRAME_LEN, FRAME_LEN);
	fb_save(f, us, f->n);

	c = open_ok(files, 2, NULL);
	assert_int_equal(capture_next(c, &p), CAP_PACKET);
	assert_int_equal(p.ts, at(BASE, 123456789));
	assert_int_equal(p.frame, TA_FRAME(0, 1));
	assert_int_equal(p.caplen, FRAME_LEN);
	assert_int_equal(p.len, 1500);
	assert_memory_equal(p.data, frame(40000, 993, 0x51), FRAME_LEN);
	expect(c, at(BASE, 300000000), 1, 1, 0x61);
	expect(c, at(BASE, 400000001), 0, 2, 0x52);
	assert_int_equal(capture_next(c, &p), CAP_END);
	capture_close(c);
	unlink(ns);
	unlink(us);
	free(f);
}

/* Time stamps a 64-bit nanosecond clock cannot hold (a pcapng interface
 * in microseconds stamped in the year 586524): each frame keeps its place,
 * takes the latest good time of its file, and is counted once. */
static void
test_time_out_of_range(void **state)
{
	struct fb *f = malloc(sizeof *f);
	char us[600];
	const char *files[1] = { us };
	struct capture *c;
	struct cap_pkt p;
	struct cap_stats st;

	(void)state;
	assert_non_null(f);
	path_of(us, sizeof us, "far.pcapng");
	ng_shb(f);
	ng_idb(f, 1, 0);
	ng_epb(f, (uint64_t)BASE * 1000000u + 300000u, frame(40001, 143, 0x61),
	       FRAME_LEN, FRAME_LEN);
	ng_epb(f, (uint64_t)BASE * 1000000u + 200000u, frame(40001, 143, 0x62),
	       FRAME_LEN, FRAME_LEN);
	ng_epb(f, 18446000000000000000u, frame(40001, 143, 0x63),
	       FRAME_LEN, FRAME_LEN);
	ng_epb(f, (uint64_t)BASE * 1000000u + 500000u, frame(40001, 143, 0x64),
	       FRAME_LEN, FRAME_LEN);
	ng_epb(f, 18446000000000000001u, frame(40001, 143, 0x65),
	       FRAME_LEN, FRAME_LEN);
	fb_save(f, us, f->n);

	c = open_ok(files, 1, NULL);
	expect(c, at(BASE, 300000000), 0, 1, 0x61);
	expect(c, at(BASE, 200000000), 0, 2, 0x62);
	/* the latest good time before it, not the frame just before */
	expect(c, at(BASE, 300000000), 0, 3, 0x63);
	expect(c, at(BASE, 500000000), 0, 4, 0x64);
	expect(c, at(BASE, 500000000), 0, 5, 0x65);
	assert_int_equal(capture_next(c, &p), CAP_END);
	capture_stats(c, &st);
	assert_int_equal(st.ts_out_of_range, 2);
	assert_int_equal(st.ts_out_of_range_frame, TA_FRAME(0, 3));
	assert_int_equal(st.packets, 5);
	capture_close(c);
	unlink(us);
	free(f);
}

/* Simple Packet Blocks carry no time: each frame takes the latest good
 * time of its file before it (0 before any), and is counted apart from
 * the out-of-range ones. */
static void
test_time_absent(void **state)
{
	struct fb *f = malloc(sizeof *f);
	char us[600];
	const char *files[1] = { us };
	struct capture *c;
	struct cap_pkt p;
	struct cap_stats st;

	(void)state;
	assert_non_null(f);
	path_of(us, sizeof us, "spb.pcapng");
	ng_shb(f);
	ng_idb(f, 1, 0);
	ng_spb(f, frame(40001, 143, 0x61), FRAME_LEN, FRAME_LEN);
	ng_epb(f, (uint64_t)BASE * 1000000u + 300000u, frame(40001, 143, 0x62),
	       FRAME_LEN, FRAME_LEN);
	ng_spb(f, frame(40001, 143, 0x63), FRAME_LEN, FRAME_LEN);
	ng_epb(f, (uint64_t)BASE * 1000000u + 500000u, frame(40001, 143, 0x64),
	       FRAME_LEN, FRAME_LEN);
	fb_save(f, us, f->n);

	c = open_ok(files, 1, NULL);
	expect(c, 0, 0, 1, 0x61);
	expect(c, at(BASE, 300000000), 0, 2, 0x62);
	expect(c, at(BASE, 300000000), 0, 3, 0x63);
	expect(c, at(BASE, 500000000), 0, 4, 0x64);
	assert_int_equal(capture_next(c, &p), CAP_END);
	capture_stats(c, &st);
	assert_int_equal(st.ts_absent, 2);
	assert_int_equal(st.ts_absent_frame, TA_FRAME(0, 1));
	assert_int_equal(st.ts_out_of_range, 0);
	capture_close(c);
	unlink(us);
	free(f);
}

/* A: 3 packets, B: 4, interleaved; A is cut at cut bytes from its end. */
static void
damaged(const char *name_a, size_t cut)
{
	struct fb *f = malloc(sizeof *f);
	char a[600], b[600];
	const char *files[2] = { a, b };
	struct capture *c;
	struct cap_pkt p;
	struct cap_stats st;
	struct warns w;

	assert_non_null(f);
	memset(&w, 0, sizeof w);
	path_of(a, sizeof a, name_a);
	path_of(b, sizeof b, "intact.pcap");
	pcap_header(f, false, false, 1);
	for (uint32_t i = 0; i < 3; i++)
		pcap_record(f, BASE + 1 + 2 * i, 0,
		            frame(40000, 143, (uint8_t)(0xa1 + i)), FRAME_LEN,
		            FRAME_LEN);
	fb_save(f, a, f->n - cut);
	pcap_header(f, false, false, 1);
	for (uint32_t i = 0; i < 4; i++)
		pcap_record(f, BASE + 2 + 2 * i, 0,
		            frame(40001, 993, (uint8_t)(0xb1 + i)), FRAME_LEN,
		            FRAME_LEN);
	fb_save(f, b, f->n);

	c = open_ok(files, 2, NULL);
	capture_set_warn(c, on_warn, &w);
	expect(c, at(BASE + 1, 0), 0, 1, 0xa1);
	expect(c, at(BASE + 2, 0), 1, 1, 0xb1);
	expect(c, at(BASE + 3, 0), 0, 2, 0xa2);
	assert_int_equal(w.n, 0);
	/* A's third packet is not whole: A ends, B goes on */
	expect(c, at(BASE + 4, 0), 1, 2, 0xb2);
	assert_int_equal(w.n, 1);
	expect(c, at(BASE + 6, 0), 1, 3, 0xb3);
	expect(c, at(BASE + 8, 0), 1, 4, 0xb4);
	assert_int_equal(capture_next(c, &p), CAP_END);
	assert_int_equal(capture_next(c, &p), CAP_END);
	assert_int_equal(w.n, 1);
	/* one line, naming the file and how far it was read */
	if (strstr(w.last, a) != w.last || strstr(w.last, "frame 2") == NULL)
		print_error("warning: %s\n", w.last);
	assert_ptr_equal(strstr(w.last, a), w.last);
	assert_non_null(strstr(w.last, "frame 2"));
	assert_null(strchr(w.last, '\n'));
	capture_stats(c, &st);
	assert_int_equal(st.damaged_files, 1);
	assert_int_equal(st.packets, 6);
	capture_close(c);
	unlink(a);
	unlink(b);
	free(f);
}

static void
test_damaged_in_packet_data(void **state)
{
	(void)state;
	damaged("cut-data.pcap", 5);
}

static void
test_damaged_in_record_header(void **state)
{
	(void)state;
	/* 8 of the third record's 16 header bytes are there */
	damaged("cut-header.pcap", FRAME_LEN + 8);
}

/* Opening must fail with exactly one line that starts with the file name
 * and holds the given words. */
static void
open_fails(const char *const *files, unsigned n, const char *filter,
           const char *who, const char *words)
{
	char err[CAP_ERRLEN];
	struct capture *c;
	size_t wl = strlen(who);

	memset(err, 0, sizeof err);
	c = capture_open_files(files, n, filter, err, sizeof err);
	assert_null(c);
	if (strncmp(err, who, wl) != 0 || strncmp(err + wl, ": ", 2) != 0 ||
	    strstr(err, words) == NULL)
		print_error("error: %s\n", err);
	assert_int_equal(strncmp(err, who, wl), 0);
	assert_int_equal(strncmp(err + wl, ": ", 2), 0);
	assert_non_null(strstr(err, words));
	assert_null(strchr(err, '\n'));
}

static void
test_not_a_capture(void **state)
{
	char text[600], empty[600], missing[600], good[600];
	const char *one[1];
	const char *two[2] = { good, text };
	struct fb *f = malloc(sizeof *f);
	FILE *fp;

	(void)state;
	assert_non_null(f);
	path_of(text, sizeof text, "notes.txt");
	path_of(empty, sizeof empty, "empty.pcap");
	path_of(missing, sizeof missing, "missing.pcap");
	path_of(good, sizeof good, "good.pcap");
	fp = fopen(text, "w");
	assert_non_null(fp);
	fputs("this is a text file that someone named like a capture\n", fp);
	assert_int_equal(fclose(fp), 0);
	fp = fopen(empty, "w");
	assert_non_null(fp);
	assert_int_equal(fclose(fp), 0);
	pcap_header(f, false, false, 1);
	pcap_record(f, BASE, 0, frame(1, 2, 3), FRAME_LEN, FRAME_LEN);
	fb_save(f, good, f->n);

	one[0] = text;
	open_fails(one, 1, NULL, text, "not a pcap or pcapng capture");
	one[0] = empty;
	open_fails(one, 1, NULL, empty, "empty, not a capture");
	one[0] = missing;
	open_fails(one, 1, NULL, missing, "cannot open: No such file");
	/* the bad one is named, not the good one before it */
	open_fails(two, 2, NULL, text, "not a pcap or pcapng capture");
	unlink(text);
	unlink(empty);
	unlink(good);
	free(f);
}

static void
test_unsupported_link(void **state)
{
	struct fb *f = malloc(sizeof *f);
	char path[600];
	const char *one[1] = { path };

	(void)state;
	assert_non_null(f);
	path_of(path, sizeof path, "ppp.pcap");
	pcap_header(f, false, false, 9); /* LINKTYPE_PPP */
	pcap_record(f, BASE, 0, frame(1, 2, 3), FRAME_LEN, FRAME_LEN);
	fb_save(f, path, f->n);
	open_fails(one, 1, NULL, path, "unsupported link type PPP (9)");
	unlink(path);
	free(f);
}

static void
test_filter_keeps_frame_numbers(void **state)
{
	/* ports of frames 1-6; 143 passes "tcp port 143" */
	static const uint16_t port[] = { 143, 80, 80, 143, 80, 143 };
	struct fb *f = malloc(sizeof *f);
	char a[600], b[600];
	const char *files[2] = { a, b };
	struct capture *c;
	struct cap_pkt p;
	struct cap_stats st;

	(void)state;
	assert_non_null(f);
	path_of(a, sizeof a, "filter-a.pcap");
	path_of(b, sizeof b, "filter-b.pcap");
	pcap_header(f, false, true, 1);
	for (uint32_t i = 0; i < 6; i++)
		pcap_record(f, BASE + i, 0,
		            frame(40000, port[i], (uint8_t)(0xa1 + i)),
		            FRAME_LEN, FRAME_LEN);
	fb_save(f, a, f->n);
	pcap_header(f, true, false, 1);
	pcap_record(f, BASE + 2, 5, frame(443, 40001, 0xb1), FRAME_LEN,
	            FRAME_LEN);
	pcap_record(f, BASE + 2, 6, frame(143, 40001, 0xb2), FRAME_LEN,
	            FRAME_LEN);
	fb_save(f, b, f->n);

	c = open_ok(files, 2, "tcp port 143");
	expect(c, at(BASE + 0, 0), 0, 1, 0xa1);
	/* B's first frame is filtered out but still numbered */
	expect(c, at(BASE + 2, 6000), 1, 2, 0xb2);
	expect(c, at(BASE + 3, 0), 0, 4, 0xa4);
	expect(c, at(BASE + 5, 0), 0, 6, 0xa6);
	assert_int_equal(capture_next(c, &p), CAP_END);
	capture_stats(c, &st);
	assert_int_equal(st.packets, 4);
	capture_close(c);

	open_fails(files, 2, "tcp portt 143", a,
	           "bad filter 'tcp portt 143'");
	unlink(a);
	unlink(b);
	free(f);
}

static void
test_stdin_twice(void **state)
{
	static const char *const twice[2] = { "-", "-" };
	static const char *const apart[3] = { "-", "x.pcap", "-" };
	char err[CAP_ERRLEN];

	(void)state;
	open_fails(twice, 2, NULL, "-", "standard input given twice");
	open_fails(apart, 3, NULL, "-", "standard input given twice");
	memset(err, 0, sizeof err);
	assert_null(capture_open_files(twice, 0, NULL, err, sizeof err));
	assert_string_equal(err, "no input");
}

/* ---- compressed files and standard input ---- */

static const enum decomp_format formats[] = { DECOMP_GZIP, DECOMP_ZSTD,
	                                      DECOMP_LZ4 };

/* What a capture hands out, frame by frame, for comparing two reads. */
struct seen {
	unsigned n;
	ta_time ts[64];
	ta_frame frame[64];
	enum pkt_link link[64];
	uint32_t iface[64];
	uint8_t marker[64];
	unsigned warns;
	char warn[CAP_ERRLEN];
	unsigned damaged;
};

static void
seen_warn(void *ctx, const char *msg)
{
	struct seen *s = ctx;

	s->warns++;
	snprintf(s->warn, sizeof s->warn, "%s", msg);
}

/* Read everything of an opened capture. */
static void
read_all(struct capture *c, struct seen *s)
{
	struct cap_pkt p;
	struct cap_stats st;

	capture_set_warn(c, seen_warn, s);
	while (capture_next(c, &p) == CAP_PACKET) {
		assert_true(s->n < 64);
		s->ts[s->n] = p.ts;
		s->frame[s->n] = p.frame;
		s->link[s->n] = p.link;
		s->iface[s->n] = p.iface;
		s->marker[s->n] = p.caplen > 54 ? p.data[54] : 0;
		s->n++;
	}
	capture_stats(c, &st);
	s->damaged = st.damaged_files;
}

/* A pcap (nanoseconds) of five frames, and the same as pcapng with two
 * interfaces of different link types. */
static void
sample_pcap(struct fb *f)
{
	pcap_header(f, false, true, 1);
	for (uint32_t i = 0; i < 5; i++)
		pcap_record(f, BASE + i, 1000 * i,
		            frame(40000, 993, (uint8_t)(0x71 + i)), FRAME_LEN,
		            FRAME_LEN);
}

static void
compressed_file(const struct fb *f, size_t n, enum decomp_format fmt,
                const char *path)
{
	struct buf c = compress_as(fmt, f->b, f->n);
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	assert_true(n <= c.n);
	assert_int_equal(fwrite(c.p, 1, n, fp), n);
	assert_int_equal(fclose(fp), 0);
	free(c.p);
}

static size_t
compressed_size(const struct fb *f, enum decomp_format fmt)
{
	struct buf c = compress_as(fmt, f->b, f->n);
	size_t n = c.n;

	free(c.p);
	return n;
}

/* A compressed file reads as the same file uncompressed: frames, times,
 * numbers; the progress counts compressed bytes. */
static void
test_compressed(void **state)
{
	struct fb *f = malloc(sizeof *f);
	char plain[600], packed[600];
	const char *one[1];

	(void)state;
	assert_non_null(f);
	path_of(plain, sizeof plain, "plain.pcap");
	path_of(packed, sizeof packed, "packed.pcap.x");
	sample_pcap(f);
	fb_save(f, plain, f->n);
	for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
		struct seen a, b;
		struct capture *c;
		uint64_t done, total;

		memset(&a, 0, sizeof a);
		memset(&b, 0, sizeof b);
		one[0] = plain;
		c = open_ok(one, 1, NULL);
		read_all(c, &a);
		capture_close(c);
		/* The name says nothing: the first bytes do. */
		compressed_file(f, compressed_size(f, formats[i]), formats[i],
		                packed);
		one[0] = packed;
		c = open_ok(one, 1, NULL);
		read_all(c, &b);
		capture_progress(c, &done, &total);
		assert_int_equal(total, compressed_size(f, formats[i]));
		assert_int_equal(done, total);
		capture_close(c);
		assert_int_equal(a.n, 5);
		assert_int_equal(b.n, 5);
		assert_memory_equal(a.ts, b.ts, sizeof a.ts);
		assert_memory_equal(a.frame, b.frame, sizeof a.frame);
		assert_memory_equal(a.marker, b.marker, sizeof a.marker);
		assert_int_equal(b.warns, 0);
		assert_int_equal(b.damaged, 0);
	}
	unlink(plain);
	unlink(packed);
	free(f);
}

/*
 * Cut anywhere: cut before the capture's header, opening fails with one
 * line naming the file and the cut; cut later, the frames before the cut
 * come out and one warning names the file, the cut and the last frame.
 */
static void
test_compressed_cut(void **state)
{
	struct fb *f = malloc(sizeof *f);
	char path[600];
	const char *one[1] = { path };

	(void)state;
	assert_non_null(f);
	path_of(path, sizeof path, "cut.pcap.gz");
	sample_pcap(f);
	for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
		size_t full = compressed_size(f, formats[i]);
		char cut_words[80], want[1000];

		snprintf(cut_words, sizeof cut_words,
		         "compressed data cut short (%s)",
		         decomp_format_name(formats[i]));
		for (size_t n = 4; n < full; n++) {
			char err[CAP_ERRLEN];
			struct capture *c;
			struct seen s;

			compressed_file(f, n, formats[i], path);
			memset(&s, 0, sizeof s);
			memset(err, 0, sizeof err);
			c = capture_open_files(one, 1, NULL, err, sizeof err);
			if (c == NULL) {
				snprintf(want, sizeof want, "%s: %s", path,
				         cut_words);
				assert_string_equal(err, want);
				continue;
			}
			read_all(c, &s);
			capture_close(c);
			assert_int_equal(s.warns, 1);
			assert_int_equal(s.damaged, 1);
			snprintf(want, sizeof want,
			         "%s: %s: damaged after frame %u; analysed up "
			         "to there", path, cut_words, s.n);
			assert_string_equal(s.warn, want);
			for (unsigned k = 0; k < s.n; k++)
				assert_int_equal(s.marker[k], 0x71 + k);
		}
	}
	unlink(path);
	free(f);
}

/* A byte changed: never a clean read; one line naming the damage. */
static void
test_compressed_corrupt(void **state)
{
	struct fb *f = malloc(sizeof *f);
	char path[600];
	const char *one[1] = { path };

	(void)state;
	assert_non_null(f);
	path_of(path, sizeof path, "bad.pcap.zst");
	sample_pcap(f);
	for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
		struct buf c = compress_as(formats[i], f->b, f->n);
		unsigned noticed = 0;

		for (size_t at = c.n / 3; at < c.n - 4; at += 5) {
			char err[CAP_ERRLEN];
			struct capture *cap;
			struct seen s;
			FILE *fp;

			c.p[at] ^= 0x41;
			fp = fopen(path, "wb");
			assert_non_null(fp);
			assert_int_equal(fwrite(c.p, 1, c.n, fp), c.n);
			assert_int_equal(fclose(fp), 0);
			c.p[at] ^= 0x41;
			memset(&s, 0, sizeof s);
			cap = capture_open_files(one, 1, NULL, err, sizeof err);
			if (cap == NULL) {
				assert_ptr_equal(strstr(err, path), err);
				assert_null(strchr(err, '\n'));
				noticed++;
				continue;
			}
			read_all(cap, &s);
			capture_close(cap);
			/* The damage was said once, naming the file: as the
			 * compression's, or, where bytes decompressed wrong
			 * before a checksum could tell, as the capture's. */
			assert_int_equal(s.warns, 1);
			assert_ptr_equal(strstr(s.warn, path), s.warn);
			assert_true(strstr(s.warn, ": compressed data ") != NULL ||
			            strstr(s.warn, ": damaged after frame ") !=
			                NULL);
			noticed++;
		}
		assert_true(noticed > 0);
		free(c.p);
	}
	unlink(path);
	free(f);
}

/* Compressed, but not a capture: the words for any non-capture. */
static void
test_compressed_not_a_capture(void **state)
{
	static const char text[] = "a text file, compressed\n";
	char path[600], want[800];
	const char *one[1] = { path };

	(void)state;
	path_of(path, sizeof path, "notes.txt.gz");
	for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
		struct fb *f = malloc(sizeof *f);

		assert_non_null(f);
		memcpy(f->b, text, sizeof text - 1);
		f->n = sizeof text - 1;
		compressed_file(f, compressed_size(f, formats[i]), formats[i],
		                path);
		open_fails(one, 1, NULL, path,
		           "not a pcap or pcapng capture (unknown file format)");
		f->n = 0;
		compressed_file(f, compressed_size(f, formats[i]), formats[i],
		                path);
		open_fails(one, 1, NULL, path, "empty, not a capture");
		/* The magic alone. */
		compressed_file(f, 4, formats[i], path);
		snprintf(want, sizeof want, "compressed data cut short (%s)",
		         decomp_format_name(formats[i]));
		open_fails(one, 1, NULL, path, want);
		free(f);
	}
	unlink(path);
}

/* Standard input: a pipe, read once; compressed or not, pcap or pcapng,
 * as from a file. */
static void
test_stdin(void **state)
{
	static const char *const dash[1] = { "-" };
	struct fb *f = malloc(sizeof *f);
	int saved = dup(STDIN_FILENO);

	(void)state;
	assert_non_null(f);
	assert_true(saved >= 0);
	for (int ng = 0; ng < 2; ng++) {
		if (ng) {
			ng_shb(f);
			ng_idb(f, 1, 9);
			for (uint32_t i = 0; i < 5; i++)
				ng_epb(f, (uint64_t)(BASE + i) * 1000000000u +
				              1000 * i,
				       frame(40000, 993, (uint8_t)(0x71 + i)),
				       FRAME_LEN, FRAME_LEN);
		} else {
			sample_pcap(f);
		}
		for (int fi = -1; fi < 3; fi++) {
			struct buf c = fi < 0 ? compress_as(DECOMP_NONE, f->b, f->n)
			                      : compress_as(formats[fi], f->b,
			                                    f->n);
			int fds[2];
			struct capture *cap;
			struct seen s;

			assert_true(c.n < 65536); /* fits the pipe */
			assert_int_equal(pipe(fds), 0);
			assert_int_equal(write(fds[1], c.p, c.n), (ssize_t)c.n);
			close(fds[1]);
			assert_int_equal(dup2(fds[0], STDIN_FILENO), STDIN_FILENO);
			close(fds[0]);
			cap = open_ok(dash, 1, NULL);
			memset(&s, 0, sizeof s);
			read_all(cap, &s);
			capture_close(cap);
			assert_int_equal(s.n, 5);
			assert_int_equal(s.warns, 0);
			for (unsigned k = 0; k < 5; k++) {
				assert_int_equal(s.ts[k],
				                 at(BASE + k, 1000 * k));
				assert_int_equal(s.frame[k], TA_FRAME(0, k + 1));
				assert_int_equal(s.marker[k], 0x71 + k);
			}
			free(c.p);
		}
	}
	/* Empty standard input is no capture. */
	{
		int fds[2];

		assert_int_equal(pipe(fds), 0);
		close(fds[1]);
		assert_int_equal(dup2(fds[0], STDIN_FILENO), STDIN_FILENO);
		close(fds[0]);
		open_fails(dash, 1, NULL, "-", "empty, not a capture");
	}
	assert_int_equal(dup2(saved, STDIN_FILENO), STDIN_FILENO);
	close(saved);
	free(f);
}

/* ---- pcapng interfaces ---- */

static void
sll_frame(uint8_t *out, uint8_t marker)
{
	/* Linux cooked v1: packet type, ARPHRD_ETHER, address, IPv4 */
	static const uint8_t hdr[16] = { 0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1,
	                                 0, 0, 8, 0 };

	memcpy(out, hdr, sizeof hdr);
	memcpy(out + 16, frame(40001, 143, marker) + 14, FRAME_LEN - 14);
}

/*
 * Three interfaces: Ethernet in ns (eth0), Linux cooked in us (any), and
 * one whose link type is not decoded (USER0). Each frame carries its
 * interface and link; the names are known; frames from the second IDB on
 * belong to a file of several interfaces; the undecoded one is said once.
 */
static void
test_pcapng_interfaces(void **state)
{
	struct fb *f = malloc(sizeof *f);
	uint8_t cooked[FRAME_LEN + 2];
	char path[600], gz[600], want[800];
	const char *one[1] = { path };
	struct ngopts o;

	(void)state;
	assert_non_null(f);
	path_of(path, sizeof path, "ifaces.pcapng");
	path_of(gz, sizeof gz, "ifaces.pcapng.gz");
	sll_frame(cooked, 0x62);
	ng_shb(f);
	ngo_init(&o, false);
	ngo_add(&o, 2, "eth0", 4);
	ngo_add(&o, 9, "\x09", 1);
	ngo_end(&o);
	ng_idb_opts(f, 1, 65535, o.b, o.n);
	ng_epb_if(f, 0, (uint64_t)BASE * 1000000000u + 5,
	          frame(40000, 993, 0x61), FRAME_LEN, FRAME_LEN);
	ngo_init(&o, false);
	ngo_add(&o, 2, "any", 3);
	ngo_end(&o);
	ng_idb_opts(f, 113, 65535, o.b, o.n);
	ng_epb_if(f, 1, (uint64_t)BASE * 1000000u + 7, cooked, FRAME_LEN + 2,
	          FRAME_LEN + 2);
	ng_epb_if(f, 0, (uint64_t)BASE * 1000000000u + 9000,
	          frame(40000, 993, 0x63), FRAME_LEN, FRAME_LEN);
	ngo_init(&o, false);
	ngo_add(&o, 2, "usr", 3);
	ngo_end(&o);
	ng_idb_opts(f, 147, 65535, o.b, o.n);
	ng_epb_if(f, 2, (uint64_t)BASE * 1000000u + 10, cooked, 20, 20);
	ng_epb_if(f, 2, (uint64_t)BASE * 1000000u + 11, cooked, 20, 20);
	fb_save(f, path, f->n);
	compressed_file(f, compressed_size(f, DECOMP_GZIP), DECOMP_GZIP, gz);

	for (int round = 0; round < 2; round++) {
		struct capture *c;
		struct seen s;

		one[0] = round ? gz : path;
		c = open_ok(one, 1, NULL);
		memset(&s, 0, sizeof s);
		read_all(c, &s);
		assert_int_equal(s.n, 5);
		assert_int_equal(s.link[0], PKT_LINK_ETHERNET);
		assert_int_equal(s.link[1], PKT_LINK_SLL);
		assert_int_equal(s.link[2], PKT_LINK_ETHERNET);
		assert_int_equal(s.link[3], CAP_LINK_OTHER);
		assert_int_equal(s.iface[0], 0);
		assert_int_equal(s.iface[1], 1);
		assert_int_equal(s.iface[2], 0);
		assert_int_equal(s.iface[3], 2);
		assert_int_equal(s.ts[0], at(BASE, 5));
		assert_int_equal(s.ts[1], at(BASE, 7000));
		assert_int_equal(s.ts[2], at(BASE, 9000));
		for (unsigned k = 0; k < 5; k++)
			assert_int_equal(s.frame[k], TA_FRAME(0, k + 1));
		assert_int_equal(s.warns, 1);
		snprintf(want, sizeof want,
		         "%s: interface 2 (usr): link type 147 is not decoded; "
		         "its frames are counted, not analysed",
		         one[0]);
		assert_string_equal(s.warn, want);
		assert_int_equal(s.damaged, 0);
		assert_string_equal(capture_iface_name(c, 0, 0), "eth0");
		assert_string_equal(capture_iface_name(c, 0, 1), "any");
		assert_string_equal(capture_iface_name(c, 0, 2), "usr");
		assert_null(capture_iface_name(c, 0, 3));
		assert_null(capture_iface_name(c, 1, 0));
		assert_true(capture_several_ifaces(c, 0));
		assert_false(capture_several_ifaces(c, 1));
		assert_int_equal(capture_link(c, 0), PKT_LINK_ETHERNET);
		capture_close(c);
	}

	/* -f applies per link type; where it cannot, the frames are left
	 * out (and said), and numbers stay the file's. */
	{
		struct capture *c = open_ok(one, 1, "tcp port 143");
		struct seen s;

		memset(&s, 0, sizeof s);
		read_all(c, &s);
		assert_int_equal(s.n, 1);
		assert_int_equal(s.frame[0], TA_FRAME(0, 2));
		assert_int_equal(s.link[0], PKT_LINK_SLL);
		assert_int_equal(s.warns, 2);
		capture_close(c);
	}
	unlink(path);
	unlink(gz);
	free(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge_by_time),
		cmocka_unit_test(test_timestamp_formats),
		cmocka_unit_test(test_pcapng),
		cmocka_unit_test(test_time_out_of_range),
		cmocka_unit_test(test_time_absent),
		cmocka_unit_test(test_damaged_in_packet_data),
		cmocka_unit_test(test_damaged_in_record_header),
		cmocka_unit_test(test_not_a_capture),
		cmocka_unit_test(test_unsupported_link),
		cmocka_unit_test(test_filter_keeps_frame_numbers),
		cmocka_unit_test(test_stdin_twice),
		cmocka_unit_test(test_compressed),
		cmocka_unit_test(test_compressed_cut),
		cmocka_unit_test(test_compressed_corrupt),
		cmocka_unit_test(test_compressed_not_a_capture),
		cmocka_unit_test(test_stdin),
		cmocka_unit_test(test_pcapng_interfaces),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
