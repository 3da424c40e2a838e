/* test_capture.c: offline sources: pcap (draft-ietf-opsawg-pcap 4-5) and pcapng (draft-ietf-opsawg-pcapng 4.1-4.3) files merged by time. */
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
#include "capfile.h"
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge_by_time),
		cmocka_unit_test(test_timestamp_formats),
		cmocka_unit_test(test_pcapng),
		cmocka_unit_test(test_damaged_in_packet_data),
		cmocka_unit_test(test_damaged_in_record_header),
		cmocka_unit_test(test_not_a_capture),
		cmocka_unit_test(test_unsupported_link),
		cmocka_unit_test(test_filter_keeps_frame_numbers),
		cmocka_unit_test(test_stdin_twice),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
