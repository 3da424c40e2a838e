/* test_export.c: -w pcap export (draft-ietf-opsawg-pcap 4-5), read back. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "report/export.h"
#include "scratch.h"

#define T0 1700000000123456789ULL /* 2023-11-14, odd nanoseconds */
#define MAXF 1600

/* A packet as the test sent it, to compare with what the file holds. */
struct sent {
	uint8_t data[MAXF];
	uint32_t caplen;
	uint32_t len;
	ta_time ts;
};

static char tmpdir[512];

static int
group_setup(void **state)
{
	(void)state;
	return scratch_make(tmpdir, sizeof tmpdir, "test_export");
}

static int
group_teardown(void **state)
{
	(void)state;
	return rmdir(tmpdir);
}

static void
out_path(char *buf, size_t len, const char *name)
{
	scratch_path(tmpdir, buf, len, name);
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/*
 * An Ethernet / IPv4 / TCP frame from 10.0.0.<cport & 0xff> to 10.0.0.1
 * port 993, with payload bytes that depend on seq so that every packet of
 * every connection differs. wire_extra: bytes the "capture" cut off
 * (len > caplen).
 */
static void
mk_frame(struct sent *s, uint16_t cport, uint32_t seq, uint8_t flags,
         size_t payload, uint32_t wire_extra, ta_time ts)
{
	uint8_t *f = s->data;
	size_t n = 14 + 20 + 20 + payload;

	assert_true(n <= MAXF);
	memset(f, 0, n);
	/* Ethernet: dst, src, type IPv4 */
	memcpy(f, "\x02\x00\x00\x00\x00\x01", 6);
	memcpy(f + 6, "\x02\x00\x00\x00\x00\x02", 6);
	put16(f + 12, 0x0800);
	/* IPv4, RFC 791 3.1 */
	f[14] = 0x45;
	put16(f + 16, (uint16_t)(20 + 20 + payload + wire_extra));
	f[22] = 64;
	f[23] = 6;
	memcpy(f + 26, "\x0a\x00\x00", 3);
	f[29] = (uint8_t)cport;
	memcpy(f + 30, "\x0a\x00\x00\x01", 4);
	/* TCP, RFC 9293 3.1 */
	put16(f + 34, cport);
	put16(f + 36, 993);
	put32(f + 38, seq);
	f[46] = 5 << 4;
	f[47] = flags;
	put16(f + 48, 65535);
	for (size_t i = 0; i < payload; i++)
		f[54 + i] = (uint8_t)(seq * 7u + i);
	s->caplen = (uint32_t)n;
	s->len = (uint32_t)n + wire_extra;
	s->ts = ts;
}

static void
keep(struct export *x, struct export_buf **slot, const struct sent *s,
     enum pkt_link link)
{
	struct cap_pkt p;

	memset(&p, 0, sizeof p);
	p.data = s->data;
	p.caplen = s->caplen;
	p.len = s->len;
	p.ts = s->ts;
	p.link = link;
	export_keep(x, slot, &p);
}

/* The file holds exactly want[0..n), in order, with nanosecond times. */
static void
check_file(const char *path, bool nano, const struct sent *const *want,
           size_t n)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *p;
	size_t i = 0;
	int rc;

	p = pcap_open_offline_with_tstamp_precision(path,
	    PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (p == NULL)
		fail_msg("%s", errbuf);
	assert_int_equal(pcap_datalink(p), DLT_EN10MB);
	assert_int_equal(pcap_snapshot(p), CAP_SNAPLEN);
	for (;;) {
		rc = pcap_next_ex(p, &h, &data);
		if (rc != 1)
			break;
		assert_true(i < n);
		assert_int_equal(h->caplen, want[i]->caplen);
		assert_int_equal(h->len, want[i]->len);
		assert_int_equal((uint64_t)h->ts.tv_sec,
		                 want[i]->ts / TA_NS_PER_SEC);
		if (nano)
			assert_int_equal((uint64_t)h->ts.tv_usec,
			                 want[i]->ts % TA_NS_PER_SEC);
		else
			/* micro in the file: the last 3 digits are gone */
			assert_int_equal((uint64_t)h->ts.tv_usec,
			    want[i]->ts % TA_NS_PER_SEC / 1000 * 1000);
		assert_memory_equal(data, want[i]->data, h->caplen);
		i++;
	}
	assert_int_equal(rc, PCAP_ERROR_BREAK);
	assert_int_equal(i, n);
	pcap_close(p);
}

static uint32_t
file_magic(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint32_t m = 0;

	assert_non_null(f);
	assert_int_equal(fread(&m, sizeof m, 1, f), 1);
	fclose(f);
	return m;
}

/*
 * Three connections interleaved as on the wire: B is healthy and dropped,
 * C fails first and is written first, then A. The file is grouped by
 * connection in the order they were written.
 */
static void
test_three_conns(void **state)
{
	static struct sent a[4], b[2], c[3];
	const struct sent *want[7];
	struct export_buf *sa = NULL, *sb = NULL, *sc = NULL;
	struct export_counts cnt;
	struct export_stats st;
	char path[600], err[EXPORT_ERRLEN];
	struct export *x;

	(void)state;
	out_path(path, sizeof path, "three.pcap");
	x = export_open(path, DLT_EN10MB, true, 0, 0, err, sizeof err);
	if (x == NULL)
		fail_msg("%s", err);

	mk_frame(&a[0], 40001, 100, 0x02, 0, 0, T0);
	mk_frame(&b[0], 40002, 200, 0x02, 0, 0, T0 + 1000);
	mk_frame(&a[1], 40001, 101, 0x10, 0, 0, T0 + 2001);
	mk_frame(&c[0], 40003, 300, 0x02, 0, 0, T0 + 3002);
	mk_frame(&a[2], 40001, 101, 0x18, 517, 0, T0 + 4003);
	mk_frame(&b[1], 40002, 201, 0x18, 300, 0, T0 + 5004);
	mk_frame(&c[1], 40003, 301, 0x18, 1460, 0, T0 + 6005);
	/* cut by the snaplen: 100 bytes captured of 1514 */
	mk_frame(&c[2], 40003, 1761, 0x10, 46, 1414, T0 + 7006);
	mk_frame(&a[3], 40001, 618, 0x14, 0, 0, T0 + 9 * TA_NS_PER_SEC + 8);

	keep(x, &sa, &a[0], PKT_LINK_ETHERNET);
	keep(x, &sb, &b[0], PKT_LINK_ETHERNET);
	keep(x, &sa, &a[1], PKT_LINK_ETHERNET);
	keep(x, &sc, &c[0], PKT_LINK_ETHERNET);
	keep(x, &sa, &a[2], PKT_LINK_ETHERNET);
	keep(x, &sb, &b[1], PKT_LINK_ETHERNET);
	keep(x, &sc, &c[1], PKT_LINK_ETHERNET);
	keep(x, &sc, &c[2], PKT_LINK_ETHERNET);
	assert_non_null(sa);
	assert_non_null(sb);
	assert_non_null(sc);

	export_stats(x, &st);
	assert_true(st.bytes_buffered >= 8 * 54 + 517 + 300 + 1460);
	assert_int_equal(st.bytes_buffered, st.peak_bytes);

	export_buf_counts(sb, &cnt);
	assert_int_equal(cnt.kept, 2);
	export_drop(x, &sb);
	assert_null(sb);

	assert_true(export_write(x, &sc, &cnt));
	assert_null(sc);
	assert_true(cnt.written);
	assert_int_equal(cnt.kept, 3);
	assert_int_equal(cnt.not_kept, 0);

	keep(x, &sa, &a[3], PKT_LINK_ETHERNET);
	assert_true(export_write(x, &sa, NULL));
	assert_null(sa);

	export_stats(x, &st);
	assert_int_equal(st.conns_written, 2);
	assert_int_equal(st.conns_dropped, 1);
	assert_int_equal(st.conns_cut, 0);
	assert_int_equal(st.packets_written, 7);
	assert_int_equal(st.bytes_written,
	                 c[0].caplen + c[1].caplen + c[2].caplen +
	                 a[0].caplen + a[1].caplen + a[2].caplen + a[3].caplen);
	assert_int_equal(st.packets_not_kept, 0);
	assert_int_equal(st.bytes_buffered, 0);
	assert_true(st.peak_bytes > 0);
	assert_false(st.failed);
	assert_null(export_error(x));
	assert_true(export_close(x, err, sizeof err));

	want[0] = &c[0];
	want[1] = &c[1];
	want[2] = &c[2];
	want[3] = &a[0];
	want[4] = &a[1];
	want[5] = &a[2];
	want[6] = &a[3];
	assert_int_equal(file_magic(path), 0xa1b23c4d);
	check_file(path, true, want, 7);
	assert_int_equal(unlink(path), 0);
}

/* A microsecond file: the magic says so and the times are truncated. */
static void
test_microseconds(void **state)
{
	static struct sent s[2];
	const struct sent *want[2] = { &s[0], &s[1] };
	struct export_buf *slot = NULL;
	char path[600], err[EXPORT_ERRLEN];
	struct export *x;

	(void)state;
	out_path(path, sizeof path, "micro.pcap");
	x = export_open(path, export_dlt_of(PKT_LINK_ETHERNET), false, 0, 0,
	                err, sizeof err);
	if (x == NULL)
		fail_msg("%s", err);
	mk_frame(&s[0], 40010, 1, 0x02, 0, 0, T0);
	mk_frame(&s[1], 40010, 2, 0x10, 10, 0, T0 + 999);
	keep(x, &slot, &s[0], PKT_LINK_ETHERNET);
	keep(x, &slot, &s[1], PKT_LINK_ETHERNET);
	assert_true(export_write(x, &slot, NULL));
	assert_true(export_close(x, err, sizeof err));
	assert_int_equal(file_magic(path), 0xa1b2c3d4);
	check_file(path, false, want, 2);
	assert_int_equal(unlink(path), 0);
}

/*
 * Per-connection cap of 1000 bytes and 200-byte frames: four fit (a record
 * is the frame plus a 16-byte header, in one chunk), the fifth does not,
 * and from then on nothing is kept, not even a tiny packet.
 */
static void
test_conn_cap(void **state)
{
	static struct sent s[9], other[2];
	const struct sent *want[6];
	struct export_buf *slot = NULL, *slot2 = NULL;
	struct export_counts cnt;
	struct export_stats st;
	char path[600], err[EXPORT_ERRLEN];
	struct export *x;

	(void)state;
	out_path(path, sizeof path, "conncap.pcap");
	x = export_open(path, DLT_EN10MB, true, 0, 1000, err, sizeof err);
	if (x == NULL)
		fail_msg("%s", err);
	for (uint32_t i = 0; i < 8; i++) {
		mk_frame(&s[i], 40020, 1000 + i, 0x10, 200 - 54, 0,
		         T0 + i * 1000);
		keep(x, &slot, &s[i], PKT_LINK_ETHERNET);
	}
	mk_frame(&s[8], 40020, 2000, 0x11, 0, 0, T0 + 9000);
	keep(x, &slot, &s[8], PKT_LINK_ETHERNET);
	/* another connection is not affected by this one's cap */
	mk_frame(&other[0], 40021, 1, 0x02, 0, 0, T0 + 10000);
	mk_frame(&other[1], 40021, 2, 0x10, 146, 0, T0 + 11000);
	keep(x, &slot2, &other[0], PKT_LINK_ETHERNET);
	keep(x, &slot2, &other[1], PKT_LINK_ETHERNET);

	export_buf_counts(slot, &cnt);
	assert_int_equal(cnt.kept, 4);
	assert_int_equal(cnt.not_kept, 5);
	assert_false(cnt.written);

	assert_true(export_write(x, &slot, &cnt));
	assert_true(cnt.written);
	assert_int_equal(cnt.kept, 4);
	assert_int_equal(cnt.not_kept, 5);
	assert_true(export_write(x, &slot2, &cnt));
	assert_int_equal(cnt.kept, 2);
	assert_int_equal(cnt.not_kept, 0);

	export_stats(x, &st);
	assert_int_equal(st.packets_written, 6);
	assert_int_equal(st.packets_not_kept, 5);
	assert_int_equal(st.not_kept_conn_cap, 5);
	assert_int_equal(st.not_kept_global_cap, 0);
	assert_int_equal(st.conns_written, 2);
	assert_int_equal(st.conns_cut, 1);
	assert_true(export_close(x, err, sizeof err));

	for (size_t i = 0; i < 4; i++)
		want[i] = &s[i];
	want[4] = &other[0];
	want[5] = &other[1];
	check_file(path, true, want, 6);
	assert_int_equal(unlink(path), 0);
}

/*
 * Global cap of 6000 bytes and 1000-byte frames. A takes a first chunk of
 * 4 KiB and keeps 3 frames; B gets what is left (one frame); C gets
 * nothing. When A is dropped its bytes come back: a new connection D keeps
 * again, while B and C stay stopped (a kept prefix never has holes).
 */
static void
test_global_cap(void **state)
{
	static struct sent a[3], b[3], c[2], d[2];
	const struct sent *want[3];
	struct export_buf *sa = NULL, *sb = NULL, *sc = NULL, *sd = NULL;
	struct export_counts cnt;
	struct export_stats st;
	char path[600], err[EXPORT_ERRLEN];
	struct export *x;

	(void)state;
	out_path(path, sizeof path, "globalcap.pcap");
	x = export_open(path, DLT_EN10MB, true, 6000, 0, err, sizeof err);
	if (x == NULL)
		fail_msg("%s", err);
	for (uint32_t i = 0; i < 3; i++) {
		mk_frame(&a[i], 40030, 10 + i, 0x10, 1000 - 54, 0, T0 + i);
		keep(x, &sa, &a[i], PKT_LINK_ETHERNET);
	}
	for (uint32_t i = 0; i < 3; i++) {
		mk_frame(&b[i], 40031, 20 + i, 0x10, 1000 - 54, 0, T0 + 10 + i);
		keep(x, &sb, &b[i], PKT_LINK_ETHERNET);
	}
	mk_frame(&c[0], 40032, 30, 0x02, 0, 0, T0 + 20);
	keep(x, &sc, &c[0], PKT_LINK_ETHERNET);

	export_buf_counts(sa, &cnt);
	assert_int_equal(cnt.kept, 3);
	assert_int_equal(cnt.not_kept, 0);
	export_buf_counts(sb, &cnt);
	assert_int_equal(cnt.kept, 1);
	assert_int_equal(cnt.not_kept, 2);
	export_buf_counts(sc, &cnt);
	assert_int_equal(cnt.kept, 0);
	assert_int_equal(cnt.not_kept, 1);

	export_stats(x, &st);
	/* storage never beyond the cap; bookkeeping is a few words each */
	assert_true(st.peak_bytes <= 6000 + 3 * 128);
	assert_true(st.peak_bytes > 5000);

	export_drop(x, &sa);
	mk_frame(&c[1], 40032, 31, 0x10, 0, 0, T0 + 30);
	keep(x, &sc, &c[1], PKT_LINK_ETHERNET);
	mk_frame(&d[0], 40033, 40, 0x02, 0, 0, T0 + 40);
	mk_frame(&d[1], 40033, 41, 0x10, 1000 - 54, 0, T0 + 41);
	keep(x, &sd, &d[0], PKT_LINK_ETHERNET);
	keep(x, &sd, &d[1], PKT_LINK_ETHERNET);
	export_buf_counts(sd, &cnt);
	assert_int_equal(cnt.kept, 2);
	assert_int_equal(cnt.not_kept, 0);

	/* C kept nothing: nothing is written for it */
	assert_true(export_write(x, &sc, &cnt));
	assert_null(sc);
	assert_false(cnt.written);
	assert_int_equal(cnt.not_kept, 2);
	assert_true(export_write(x, &sb, &cnt));
	assert_true(cnt.written);
	assert_true(export_write(x, &sd, NULL));

	export_stats(x, &st);
	assert_int_equal(st.conns_written, 2);
	assert_int_equal(st.conns_cut, 1);
	assert_int_equal(st.packets_written, 3);
	assert_int_equal(st.packets_not_kept, 4);
	assert_int_equal(st.not_kept_global_cap, 4);
	assert_int_equal(st.not_kept_conn_cap, 0);
	assert_int_equal(st.bytes_buffered, 0);
	assert_true(export_close(x, err, sizeof err));

	want[0] = &b[0];
	want[1] = &d[0];
	want[2] = &d[1];
	check_file(path, true, want, 3);
	assert_int_equal(unlink(path), 0);
}

/* A packet of another link type (a second input file) stops the prefix. */
static void
test_other_link(void **state)
{
	static struct sent s[3];
	const struct sent *want[1] = { &s[0] };
	struct export_buf *slot = NULL;
	struct export_counts cnt;
	struct export_stats st;
	char path[600], err[EXPORT_ERRLEN];
	struct export *x;

	(void)state;
	out_path(path, sizeof path, "link.pcap");
	x = export_open(path, DLT_EN10MB, true, 0, 0, err, sizeof err);
	if (x == NULL)
		fail_msg("%s", err);
	mk_frame(&s[0], 40040, 1, 0x02, 0, 0, T0);
	mk_frame(&s[1], 40040, 2, 0x10, 0, 0, T0 + 1);
	mk_frame(&s[2], 40040, 3, 0x10, 0, 0, T0 + 2);
	keep(x, &slot, &s[0], PKT_LINK_ETHERNET);
	keep(x, &slot, &s[1], PKT_LINK_SLL);
	keep(x, &slot, &s[2], PKT_LINK_ETHERNET);
	export_buf_counts(slot, &cnt);
	assert_int_equal(cnt.kept, 1);
	assert_int_equal(cnt.not_kept, 2);
	assert_true(export_write(x, &slot, NULL));
	export_stats(x, &st);
	assert_int_equal(st.not_kept_link, 2);
	assert_int_equal(st.packets_not_kept, 2);
	assert_true(export_close(x, err, sizeof err));
	check_file(path, true, want, 1);
	assert_int_equal(unlink(path), 0);
}

/* Opening fails with one line that names the file. */
static void
test_open_fails(void **state)
{
	char path[600], err[EXPORT_ERRLEN];
	struct export *x;

	(void)state;
	out_path(path, sizeof path, "no-such-dir/out.pcap");
	memset(err, 0, sizeof err);
	x = export_open(path, DLT_EN10MB, true, 0, 0, err, sizeof err);
	assert_null(x);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "No such file or directory"));
	assert_null(strchr(err, '\n'));
	/* the path appears once, not twice */
	assert_null(strstr(strstr(err, path) + strlen(path), path));

	out_path(path, sizeof path, "never.pcap");
	memset(err, 0, sizeof err);
	x = export_open(path, -1, true, 0, 0, err, sizeof err);
	assert_null(x);
	assert_non_null(strstr(err, path));
	assert_int_equal(access(path, F_OK), -1);
}

/*
 * A write error (a full device): export_write returns false once with a
 * message naming the file; afterwards nothing is kept and writes are quiet.
 */
static void
test_write_error(void **state)
{
	static const char full[] = "/dev/full";
	static struct sent s[3];
	struct export_buf *s1 = NULL, *s2 = NULL;
	struct export_counts cnt;
	struct export_stats st;
	char err[EXPORT_ERRLEN];
	struct export *x;

	(void)state;
	if (access(full, W_OK) != 0)
		skip();
	x = export_open(full, DLT_EN10MB, true, 0, 0, err, sizeof err);
	if (x == NULL)
		fail_msg("%s", err);
	mk_frame(&s[0], 40050, 1, 0x02, 0, 0, T0);
	mk_frame(&s[1], 40051, 1, 0x02, 0, 0, T0 + 1);
	mk_frame(&s[2], 40051, 2, 0x10, 0, 0, T0 + 2);
	keep(x, &s1, &s[0], PKT_LINK_ETHERNET);
	keep(x, &s2, &s[1], PKT_LINK_ETHERNET);
	assert_false(export_write(x, &s1, &cnt));
	assert_null(s1);
	assert_false(cnt.written);
	assert_non_null(export_error(x));
	assert_non_null(strstr(export_error(x), full));
	assert_non_null(strstr(export_error(x), "write error"));
	assert_null(strchr(export_error(x), '\n'));

	keep(x, &s2, &s[2], PKT_LINK_ETHERNET);
	assert_true(export_write(x, &s2, &cnt));
	assert_null(s2);
	assert_false(cnt.written);
	assert_int_equal(cnt.kept, 1);

	export_stats(x, &st);
	assert_true(st.failed);
	assert_int_equal(st.conns_written, 0);
	assert_int_equal(st.not_kept_failed, 1);
	assert_int_equal(st.bytes_buffered, 0);
	/* already reported: closing does not report it again */
	assert_true(export_close(x, err, sizeof err));
}

/* Buffers never decided are freed by close; NULL slots are harmless. */
static void
test_close_frees(void **state)
{
	static struct sent s[2];
	struct export_buf *s1 = NULL, *s2 = NULL, *none = NULL;
	struct export_counts cnt;
	struct export_stats st;
	char path[600], err[EXPORT_ERRLEN];
	struct export *x;

	(void)state;
	out_path(path, sizeof path, "left.pcap");
	x = export_open(path, DLT_EN10MB, true, 0, 0, err, sizeof err);
	if (x == NULL)
		fail_msg("%s", err);
	mk_frame(&s[0], 40060, 1, 0x02, 0, 0, T0);
	mk_frame(&s[1], 40061, 1, 0x02, 0, 0, T0 + 1);
	keep(x, &s1, &s[0], PKT_LINK_ETHERNET);
	keep(x, &s2, &s[1], PKT_LINK_ETHERNET);
	export_drop(x, &none);
	assert_true(export_write(x, &none, &cnt));
	assert_false(cnt.written);
	assert_int_equal(cnt.kept, 0);
	export_stats(x, &st);
	assert_int_equal(st.conns_dropped, 0);
	assert_int_equal(st.conns_written, 0);
	assert_true(st.bytes_buffered > 0);
	assert_true(export_close(x, err, sizeof err));
	assert_true(export_close(NULL, err, sizeof err));
	check_file(path, true, NULL, 0);
	assert_int_equal(unlink(path), 0);
}

static void
test_dlt_of(void **state)
{
	(void)state;
	assert_int_equal(export_dlt_of(PKT_LINK_ETHERNET), DLT_EN10MB);
	assert_int_equal(export_dlt_of(PKT_LINK_NULL), DLT_NULL);
	assert_int_equal(export_dlt_of(PKT_LINK_RAW), DLT_RAW);
	assert_int_equal(export_dlt_of(PKT_LINK_SLL), DLT_LINUX_SLL);
#ifdef DLT_LOOP
	assert_int_equal(export_dlt_of(PKT_LINK_LOOP), DLT_LOOP);
#endif
#ifdef DLT_IPV4
	assert_int_equal(export_dlt_of(PKT_LINK_IPV4), DLT_IPV4);
	assert_int_equal(export_dlt_of(PKT_LINK_IPV6), DLT_IPV6);
#endif
#ifdef DLT_LINUX_SLL2
	assert_int_equal(export_dlt_of(PKT_LINK_SLL2), DLT_LINUX_SLL2);
#endif
	assert_int_equal(export_dlt_of((enum pkt_link)99), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_three_conns),
		cmocka_unit_test(test_microseconds),
		cmocka_unit_test(test_conn_cap),
		cmocka_unit_test(test_global_cap),
		cmocka_unit_test(test_other_link),
		cmocka_unit_test(test_open_fails),
		cmocka_unit_test(test_write_error),
		cmocka_unit_test(test_close_frees),
		cmocka_unit_test(test_dlt_of),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
