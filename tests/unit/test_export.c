/* test_export.c: -w, problem connections in capture order, read back: the
 * classic pcap file through libpcap (draft-ietf-opsawg-pcap 4-5), the
 * pcapng file block by block (draft-ietf-opsawg-pcapng) and through the
 * capture reader. */
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
#include "report/export_out.h"
#include "pcapng_walk.h"
#include "scratch.h"

#define T0 1700000000123456789ULL /* 2023-11-14, odd nanoseconds */
#define MAXF 1600

/* A packet as the test sent it, to compare with what the file holds. */
struct sent {
	uint8_t data[MAXF];
	uint32_t caplen;
	uint32_t len;
	ta_time ts;
	ta_frame frame;  /* set by keep(): the order it was read in */
	uint32_t iface;
};

/* Frame numbers as a capture hands them out, one per keep(). */
static uint64_t next_frame;

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
	return scratch_remove(tmpdir);
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
keep(struct export *x, struct export_buf **slot, struct sent *s,
     enum pkt_link link)
{
	struct cap_pkt p;

	memset(&p, 0, sizeof p);
	s->frame = TA_FRAME(0, ++next_frame);
	p.data = s->data;
	p.caplen = s->caplen;
	p.len = s->len;
	p.ts = s->ts;
	p.frame = s->frame;
	p.iface = s->iface;
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
 * C fails first but waits, since A, still open, began before it; when A
 * fails too, both leave in capture order, interleaved (classic pcap).
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
	assert_true(export_drop(x, &sb));
	assert_null(sb);

	assert_true(export_write(x, &sc, "c", &cnt));
	assert_null(sc);
	assert_true(cnt.written);
	assert_int_equal(cnt.kept, 3);
	assert_int_equal(cnt.not_kept, 0);
	/* A holds C back */
	export_stats(x, &st);
	assert_int_equal(st.conns_waiting, 1);
	assert_int_equal(st.conns_written, 0);
	assert_int_equal(st.packets_written, 0);

	keep(x, &sa, &a[3], PKT_LINK_ETHERNET);
	assert_true(export_write(x, &sa, "a", NULL));
	assert_null(sa);

	export_stats(x, &st);
	assert_int_equal(st.conns_written, 2);
	assert_int_equal(st.conns_waiting, 0);
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

	want[0] = &a[0];
	want[1] = &a[1];
	want[2] = &c[0];
	want[3] = &a[2];
	want[4] = &c[1];
	want[5] = &c[2];
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
	assert_true(export_write(x, &slot, NULL, NULL));
	assert_true(export_close(x, err, sizeof err));
	assert_int_equal(file_magic(path), 0xa1b2c3d4);
	check_file(path, false, want, 2);
	assert_int_equal(unlink(path), 0);
}

/*
 * Per-connection cap of 1000 bytes and 200-byte frames: four fit (a record
 * is the frame plus a 40-byte header, in one chunk), the fifth does not,
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

	assert_true(export_write(x, &slot, "s", &cnt));
	assert_true(cnt.written);
	assert_int_equal(cnt.kept, 4);
	assert_int_equal(cnt.not_kept, 5);
	assert_true(export_write(x, &slot2, "o", &cnt));
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

	assert_true(export_drop(x, &sa));
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
	assert_true(export_write(x, &sc, "c", &cnt));
	assert_null(sc);
	assert_false(cnt.written);
	assert_int_equal(cnt.not_kept, 2);
	assert_true(export_write(x, &sb, "b", &cnt));
	assert_true(cnt.written);
	assert_true(export_write(x, &sd, "d", NULL));

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

/* In a classic pcap file, a packet of another link type (a second input
 * file) stops the prefix. */
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
	assert_true(export_write(x, &slot, NULL, NULL));
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

	/* pcapng: the same words; a link type pcap lacks is no matter */
	out_path(path, sizeof path, "no-such-dir/out.pcapng");
	memset(err, 0, sizeof err);
	x = export_open(path, DLT_EN10MB, true, 0, 0, err, sizeof err);
	assert_null(x);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "No such file or directory"));
	assert_null(strchr(err, '\n'));
	out_path(path, sizeof path, "any.pcapng");
	x = export_open(path, -1, true, 0, 0, err, sizeof err);
	if (x == NULL)
		fail_msg("%s", err);
	assert_true(export_close(x, err, sizeof err));
	assert_int_equal(unlink(path), 0);
}

/*
 * A write error (a full device, behind a name that asks for classic pcap,
 * whose header libpcap does not flush): export_write returns false once
 * with a message naming the file; afterwards nothing is kept and writes
 * are quiet. A pcapng file's header is flushed when it is opened: there
 * the full device is said at once.
 */
static void
test_write_error(void **state)
{
	static const char dev[] = "/dev/full";
	static struct sent s[3];
	struct export_buf *s1 = NULL, *s2 = NULL;
	struct export_counts cnt;
	struct export_stats st;
	char full[600], err[EXPORT_ERRLEN];
	struct export *x;

	(void)state;
	if (access(dev, W_OK) != 0)
		skip();
	memset(err, 0, sizeof err);
	assert_null(export_open(dev, DLT_EN10MB, true, 0, 0, err, sizeof err));
	assert_non_null(strstr(err, dev));
	assert_non_null(strstr(err, "No space left on device"));

	out_path(full, sizeof full, "full.pcap");
	assert_int_equal(symlink(dev, full), 0);
	x = export_open(full, DLT_EN10MB, true, 0, 0, err, sizeof err);
	if (x == NULL)
		fail_msg("%s", err);
	mk_frame(&s[0], 40050, 1, 0x02, 0, 0, T0);
	mk_frame(&s[1], 40051, 1, 0x02, 0, 0, T0 + 1);
	mk_frame(&s[2], 40051, 2, 0x10, 0, 0, T0 + 2);
	keep(x, &s1, &s[0], PKT_LINK_ETHERNET);
	keep(x, &s2, &s[1], PKT_LINK_ETHERNET);
	assert_false(export_write(x, &s1, "s1", &cnt));
	assert_null(s1);
	assert_false(cnt.written);
	assert_non_null(export_error(x));
	assert_non_null(strstr(export_error(x), full));
	assert_non_null(strstr(export_error(x), "write error"));
	assert_null(strchr(export_error(x), '\n'));

	keep(x, &s2, &s[2], PKT_LINK_ETHERNET);
	assert_true(export_write(x, &s2, "s2", &cnt));
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
	assert_int_equal(unlink(full), 0);
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
	assert_true(export_drop(x, &none));
	assert_true(export_write(x, &none, "none", &cnt));
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

/* What the export calls inputs in these tests: a path (its base name is
 * shown), standard input, and one it has no name for. */
static const char *
test_file_name(void *ctx, unsigned file)
{
	(void)ctx;
	switch (file) {
	case 0:
		return "/cases/1234/customer.pcap";
	case 1:
		return "-";
	case 3:
		return "dir/bad\x1b[31mname.pcap";
	default:
		return NULL;
	}
}

static const char *
test_iface_name(void *ctx, unsigned file, uint32_t iface)
{
	(void)ctx;
	if (file == 0 && iface == 0)
		return "eth0";
	if (file == 0 && iface == 1)
		return "any";
	return NULL;
}

static struct export *
open_ng(char *path, size_t len, const char *name, bool nano)
{
	static const struct export_names names = {
		test_file_name, test_iface_name, NULL,
	};
	char err[EXPORT_ERRLEN];
	struct export *x;

	out_path(path, len, name);
	x = export_open(path, DLT_EN10MB, nano, 0, 0, err, sizeof err);
	if (x == NULL)
		fail_msg("%s", err);
	export_set_names(x, &names);
	return x;
}

static void
keep_in(struct export *x, struct export_buf **slot, struct sent *s,
        enum pkt_link link, unsigned file, uint64_t frame_no)
{
	struct cap_pkt p;

	memset(&p, 0, sizeof p);
	s->frame = TA_FRAME(file, frame_no);
	p.data = s->data;
	p.caplen = s->caplen;
	p.len = s->len;
	p.ts = s->ts;
	p.frame = s->frame;
	p.iface = s->iface;
	p.link = link;
	export_keep(x, slot, &p);
}

/* The EPBs of a pcapng file are exactly want[0..n), in order, each with
 * the comment "<input> frame <n>; <label>". */
static void
check_ng(const char *path, const struct sent *const *want,
         const char *const *comment, size_t n)
{
	char buf[600];
	struct walk w;
	size_t k = 0;

	walk_file(&w, path);
	assert_true(w.nb >= 1);
	assert_int_equal(w.b[0].type, 0x0A0D0D0Au);
	for (unsigned i = 1; i < w.nb; i++) {
		const struct walk_block *b = &w.b[i];

		if (b->type != 6)
			continue;
		assert_true(k < n);
		assert_int_equal(b->caplen, want[k]->caplen);
		assert_int_equal(b->len, want[k]->len);
		assert_int_equal(b->ts, want[k]->ts);
		assert_memory_equal(b->data, want[k]->data, b->caplen);
		assert_non_null(walk_opt_str(b, 1, buf, sizeof buf));
		assert_string_equal(buf, comment[k]);
		k++;
	}
	assert_int_equal(k, n);
	walk_free(&w);
}

/*
 * Two connections that overlap, decided in reverse order: B fails first
 * and waits for A, which began before it; when A fails, the file has both
 * interleaved as the capture had them, each packet naming its frame and
 * its connection's verdict.
 */
static void
test_ng_interleaved(void **state)
{
	static struct sent a[3], b[3];
	const struct sent *want[6] = {
		&a[0], &b[0], &a[1], &b[1], &a[2], &b[2],
	};
	static const char *const comment[6] = {
		"customer.pcap frame 1; A tcp-reset",
		"customer.pcap frame 2; B tls-alert",
		"customer.pcap frame 3; A tcp-reset",
		"customer.pcap frame 4; B tls-alert",
		"customer.pcap frame 5; A tcp-reset",
		"customer.pcap frame 6; B tls-alert",
	};
	struct export_buf *sa = NULL, *sb = NULL;
	struct export_stats st;
	char path[600], err[EXPORT_ERRLEN];
	struct export *x;
	struct walk w;

	(void)state;
	x = open_ng(path, sizeof path, "interleaved.pcapng", true);
	for (uint32_t i = 0; i < 3; i++) {
		mk_frame(&a[i], 40101, 10 + i, 0x18, 10 * i, 0, T0 + 2 * i);
		mk_frame(&b[i], 40102, 20 + i, 0x18, 10 * i + 1, 0,
		         T0 + 2 * i + 1);
		keep_in(x, &sa, &a[i], PKT_LINK_ETHERNET, 0, 2 * i + 1);
		keep_in(x, &sb, &b[i], PKT_LINK_ETHERNET, 0, 2 * i + 2);
	}
	assert_true(export_write(x, &sb, "B tls-alert", NULL));
	export_stats(x, &st);
	assert_int_equal(st.packets_written, 0);
	assert_int_equal(st.conns_waiting, 1);
	/* B's packets are held, and count against the budget */
	assert_true(st.bytes_buffered >= 3 * (54 + 40));
	/* nothing but the section header is in the file yet */
	walk_file(&w, path);
	assert_true(w.nb <= 1);
	walk_free(&w);

	assert_true(export_write(x, &sa, "A tcp-reset", NULL));
	export_stats(x, &st);
	assert_int_equal(st.packets_written, 6);
	assert_int_equal(st.conns_written, 2);
	assert_int_equal(st.conns_waiting, 0);
	assert_int_equal(st.bytes_buffered, 0);
	assert_true(export_close(x, err, sizeof err));
	check_ng(path, want, comment, 6);
	assert_int_equal(unlink(path), 0);
}

/*
 * A connection still open holds back every later packet until it ends,
 * healthy or not: A (open) is older than B and C, which fail; when A is
 * let go, B leaves, but C waits on for D, which began before C.
 */
static void
test_ng_open_holds_back(void **state)
{
	static struct sent a[2], b[2], c[2], d[1];
	const struct sent *want[4] = { &b[0], &b[1], &c[0], &c[1] };
	static const char *const comment[4] = {
		"customer.pcap frame 2; B v",
		"customer.pcap frame 3; B v",
		"customer.pcap frame 5; C w",
		"customer.pcap frame 6; C w",
	};
	struct export_buf *sa = NULL, *sb = NULL, *sc = NULL, *sd = NULL;
	struct export_stats st;
	char path[600], err[EXPORT_ERRLEN];
	struct export *x;

	(void)state;
	x = open_ng(path, sizeof path, "holds.pcapng", true);
	mk_frame(&a[0], 40201, 1, 0x02, 0, 0, T0);
	mk_frame(&b[0], 40202, 1, 0x02, 0, 0, T0 + 1);
	mk_frame(&b[1], 40202, 2, 0x14, 0, 0, T0 + 2);
	mk_frame(&d[0], 40204, 1, 0x02, 0, 0, T0 + 3);
	mk_frame(&c[0], 40203, 1, 0x02, 0, 0, T0 + 4);
	mk_frame(&c[1], 40203, 2, 0x14, 0, 0, T0 + 5);
	mk_frame(&a[1], 40201, 2, 0x10, 5, 0, T0 + 6);
	keep_in(x, &sa, &a[0], PKT_LINK_ETHERNET, 0, 1);
	keep_in(x, &sb, &b[0], PKT_LINK_ETHERNET, 0, 2);
	keep_in(x, &sb, &b[1], PKT_LINK_ETHERNET, 0, 3);
	assert_true(export_write(x, &sb, "B v", NULL));
	keep_in(x, &sd, &d[0], PKT_LINK_ETHERNET, 0, 4);
	keep_in(x, &sc, &c[0], PKT_LINK_ETHERNET, 0, 5);
	keep_in(x, &sc, &c[1], PKT_LINK_ETHERNET, 0, 6);
	assert_true(export_write(x, &sc, "C w", NULL));
	keep_in(x, &sa, &a[1], PKT_LINK_ETHERNET, 0, 7);
	export_stats(x, &st);
	assert_int_equal(st.packets_written, 0);
	assert_int_equal(st.conns_waiting, 2);

	/* A is healthy: B may go, C still waits for D */
	assert_true(export_drop(x, &sa));
	export_stats(x, &st);
	assert_int_equal(st.packets_written, 2);
	assert_int_equal(st.conns_written, 1);
	assert_int_equal(st.conns_waiting, 1);

	/* dropping a connection that holds nothing back writes nothing */
	assert_true(export_drop(x, &sd));
	export_stats(x, &st);
	assert_int_equal(st.packets_written, 4);
	assert_int_equal(st.conns_waiting, 0);
	assert_int_equal(st.bytes_buffered, 0);
	assert_true(export_close(x, err, sizeof err));
	check_ng(path, want, comment, 4);
	assert_int_equal(unlink(path), 0);
}

/*
 * Problem connections waiting are held against the global cap (8000
 * bytes): A's first chunk takes 4 KiB, B's three 1000-byte frames most of
 * the rest while B waits for A, and C finds no room; once B is out, D
 * does.
 */
static void
test_ng_waiting_counts(void **state)
{
	static struct sent a[1], b[3], c[1], d[1];
	struct export_buf *sa = NULL, *sb = NULL, *sc = NULL, *sd = NULL;
	struct export_counts cnt;
	struct export_stats st;
	char path[600], err[EXPORT_ERRLEN];
	struct export *x;

	(void)state;
	out_path(path, sizeof path, "waitcap.pcapng");
	x = export_open(path, DLT_EN10MB, true, 8000, 0, err, sizeof err);
	if (x == NULL)
		fail_msg("%s", err);
	mk_frame(&a[0], 40301, 1, 0x02, 0, 0, T0);
	keep_in(x, &sa, &a[0], PKT_LINK_ETHERNET, 0, 1);
	for (uint32_t i = 0; i < 3; i++) {
		mk_frame(&b[i], 40302, 10 + i, 0x10, 1000 - 54, 0, T0 + 1 + i);
		keep_in(x, &sb, &b[i], PKT_LINK_ETHERNET, 0, 2 + i);
	}
	assert_true(export_write(x, &sb, "B", NULL));
	mk_frame(&c[0], 40303, 1, 0x10, 1000 - 54, 0, T0 + 10);
	keep_in(x, &sc, &c[0], PKT_LINK_ETHERNET, 0, 5);
	export_buf_counts(sc, &cnt);
	assert_int_equal(cnt.kept, 0);
	assert_int_equal(cnt.not_kept, 1);
	export_stats(x, &st);
	assert_int_equal(st.not_kept_global_cap, 1);
	assert_int_equal(st.packets_not_kept, 1);
	assert_true(st.peak_bytes <= 8000 + 4 * 128 + 64 * sizeof(void *));

	/* A ends: B leaves and its memory comes back, so D keeps again */
	assert_true(export_drop(x, &sa));
	export_stats(x, &st);
	assert_int_equal(st.packets_written, 3);
	assert_true(st.bytes_buffered < 256); /* C's bookkeeping alone */
	mk_frame(&d[0], 40304, 1, 0x10, 1000 - 54, 0, T0 + 11);
	keep_in(x, &sd, &d[0], PKT_LINK_ETHERNET, 0, 6);
	export_buf_counts(sd, &cnt);
	assert_int_equal(cnt.kept, 1);
	assert_true(export_drop(x, &sc));
	assert_true(export_drop(x, &sd));
	export_stats(x, &st);
	assert_int_equal(st.bytes_buffered, 0);
	assert_true(export_close(x, err, sizeof err));
	assert_int_equal(unlink(path), 0);
}

/*
 * Waiting costs what is kept, not the chunks' slack: behind one open
 * connection, ten refused connections of two small packets each wait
 * within a 16 KiB budget that holds only three 4 KiB first chunks.
 */
static void
test_ng_waiting_shrinks(void **state)
{
	static struct sent a[1], r[10][2];
	struct export_buf *sa = NULL, *sr[10];
	struct export_counts cnt;
	struct export_stats st;
	char path[600], err[EXPORT_ERRLEN];
	struct export *x;
	uint64_t no = 0;

	(void)state;
	out_path(path, sizeof path, "shrink.pcapng");
	x = export_open(path, DLT_EN10MB, true, 16384, 0, err, sizeof err);
	if (x == NULL)
		fail_msg("%s", err);
	mk_frame(&a[0], 40601, 1, 0x02, 0, 0, T0);
	keep_in(x, &sa, &a[0], PKT_LINK_ETHERNET, 0, ++no);
	for (unsigned i = 0; i < 10; i++) {
		sr[i] = NULL;
		mk_frame(&r[i][0], (uint16_t)(40610 + i), 1, 0x02, 0, 0,
		         T0 + 10 * i + 1);
		mk_frame(&r[i][1], (uint16_t)(40610 + i), 2, 0x14, 0, 0,
		         T0 + 10 * i + 2);
		keep_in(x, &sr[i], &r[i][0], PKT_LINK_ETHERNET, 0, ++no);
		keep_in(x, &sr[i], &r[i][1], PKT_LINK_ETHERNET, 0, ++no);
		export_buf_counts(sr[i], &cnt);
		assert_int_equal(cnt.kept, 2);
		assert_true(export_write(x, &sr[i], "R tcp-refused", &cnt));
		assert_true(cnt.written);
	}
	export_stats(x, &st);
	assert_int_equal(st.conns_waiting, 10);
	assert_int_equal(st.packets_not_kept, 0);
	assert_true(st.bytes_buffered < 8192);
	assert_true(export_drop(x, &sa));
	export_stats(x, &st);
	assert_int_equal(st.packets_written, 20);
	assert_int_equal(st.bytes_buffered, 0);
	assert_true(export_close(x, err, sizeof err));
	assert_int_equal(unlink(path), 0);
}

/*
 * One connection seen on two interfaces of different link types (a
 * pcapng input: Ethernet on eth0, Linux cooked on any): pcapng keeps every
 * packet, with one IDB per interface used, named, in nanoseconds, and the
 * capture reader gets each packet's link type and interface back.
 */
static void
test_ng_two_links(void **state)
{
	static struct sent s[3];
	struct export_buf *slot = NULL;
	struct export_stats st;
	char path[600], err[EXPORT_ERRLEN], buf[64];
	const char *files[1];
	struct capture *cap;
	struct cap_pkt p;
	struct export *x;
	struct walk w;
	unsigned idbs = 0;

	(void)state;
	x = open_ng(path, sizeof path, "twolinks.pcapng", true);
	mk_frame(&s[0], 40401, 1, 0x02, 0, 0, T0);
	mk_frame(&s[1], 40401, 2, 0x10, 0, 0, T0 + 1);
	s[1].iface = 1;
	mk_frame(&s[2], 40401, 3, 0x10, 0, 0, T0 + 2);
	keep_in(x, &slot, &s[0], PKT_LINK_ETHERNET, 0, 1);
	keep_in(x, &slot, &s[1], PKT_LINK_SLL, 0, 2);
	keep_in(x, &slot, &s[2], PKT_LINK_ETHERNET, 0, 3);
	assert_true(export_write(x, &slot, "L v", NULL));
	export_stats(x, &st);
	assert_int_equal(st.packets_written, 3);
	assert_int_equal(st.not_kept_link, 0);
	assert_true(export_close(x, err, sizeof err));

	walk_file(&w, path);
	for (unsigned i = 0; i < w.nb; i++) {
		if (w.b[i].type != 1)
			continue;
		assert_int_equal(w.b[i].linktype, idbs == 0 ? 1 : 113);
		assert_string_equal(walk_opt_str(&w.b[i], 2, buf, sizeof buf),
		                    idbs == 0 ? "eth0" : "any");
		assert_int_equal(w.b[i].opt[1].code, 9);
		assert_int_equal(w.b[i].opt[1].val[0], 9);
		idbs++;
	}
	assert_int_equal(idbs, 2);
	walk_free(&w);

	files[0] = path;
	cap = capture_open_files(files, 1, NULL, err, sizeof err);
	if (cap == NULL)
		fail_msg("%s", err);
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(capture_next(cap, &p), CAP_PACKET);
		assert_int_equal(p.link, i == 1 ? PKT_LINK_SLL
		                                : PKT_LINK_ETHERNET);
		assert_int_equal(p.iface, i == 1 ? 1 : 0);
		assert_int_equal(p.ts, s[i].ts);
	}
	assert_int_equal(capture_next(cap, &p), CAP_END);
	capture_close(cap);
	assert_int_equal(unlink(path), 0);
}

/*
 * Several inputs: the file follows the order packets were read in (the
 * merged order of the inputs), not their frame numbers; each packet names
 * its input by base name ("stdin" for '-', "input N" when nameless, a
 * hostile name made inert). Microsecond time stamps: no if_tsresol.
 */
static void
test_ng_inputs(void **state)
{
	static struct sent a[3], b[2];
	const struct sent *want[5] = { &a[0], &b[0], &a[1], &b[1], &a[2] };
	static const char *const comment[5] = {
		"stdin frame 7; A x",
		"customer.pcap frame 2; B y",
		"input 2 frame 1; A x",
		"customer.pcap frame 3; B y",
		"bad\\x1b[31mname.pcap frame 9; A x",
	};
	struct export_buf *sa = NULL, *sb = NULL;
	char path[600], err[EXPORT_ERRLEN], buf[200];
	struct export *x;
	struct walk w;
	unsigned idbs = 0;
	size_t k = 0;

	(void)state;
	x = open_ng(path, sizeof path, "inputs.pcapng", false);
	for (uint32_t i = 0; i < 3; i++)
		mk_frame(&a[i], 40501, 1 + i, 0x10, 0, 0,
		         T0 - T0 % 1000 + i * 2000);
	for (uint32_t i = 0; i < 2; i++)
		mk_frame(&b[i], 40502, 1 + i, 0x10, 0, 0,
		         T0 - T0 % 1000 + i * 2000 + 1000);
	keep_in(x, &sa, &a[0], PKT_LINK_ETHERNET, 1, 7);
	keep_in(x, &sb, &b[0], PKT_LINK_ETHERNET, 0, 2);
	keep_in(x, &sa, &a[1], PKT_LINK_ETHERNET, 2, 1);
	keep_in(x, &sb, &b[1], PKT_LINK_ETHERNET, 0, 3);
	keep_in(x, &sa, &a[2], PKT_LINK_ETHERNET, 3, 9);
	assert_true(export_write(x, &sb, "B y", NULL));
	assert_true(export_write(x, &sa, "A x", NULL));
	assert_true(export_close(x, err, sizeof err));

	/* one IDB per input interface used (four inputs), none with
	 * if_tsresol; times in microseconds */
	walk_file(&w, path);
	for (unsigned i = 0; i < w.nb; i++) {
		const struct walk_block *blk = &w.b[i];

		if (blk->type == 1) {
			idbs++;
			for (unsigned o = 0; o < blk->nopt; o++)
				assert_int_not_equal(blk->opt[o].code, 9);
			continue;
		}
		if (blk->type != 6)
			continue;
		assert_true(k < 5);
		assert_int_equal(blk->ts, want[k]->ts / 1000);
		assert_string_equal(walk_opt_str(blk, 1, buf, sizeof buf),
		                    comment[k]);
		k++;
	}
	assert_int_equal(idbs, 4);
	assert_int_equal(k, 5);
	walk_free(&w);
	assert_int_equal(unlink(path), 0);
}

/* The format -w picks from the name. */
static void
test_format_of(void **state)
{
	(void)state;
	assert_int_equal(export_format_of("out.pcap"), EXPORT_PCAP);
	assert_int_equal(export_format_of("dir/OUT.PCAP"), EXPORT_PCAP);
	assert_int_equal(export_format_of("x.PcAp"), EXPORT_PCAP);
	assert_int_equal(export_format_of(".pcap"), EXPORT_PCAP);
	assert_int_equal(export_format_of("-"), EXPORT_PCAPNG);
	assert_int_equal(export_format_of("out.pcapng"), EXPORT_PCAPNG);
	assert_int_equal(export_format_of("out"), EXPORT_PCAPNG);
	assert_int_equal(export_format_of("pcap"), EXPORT_PCAPNG);
	assert_int_equal(export_format_of("out.pcap.gz"), EXPORT_PCAPNG);
	assert_int_equal(export_format_of("out_pcap"), EXPORT_PCAPNG);
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

/* The registry's values, as files carry them, whatever DLT_ says. */
static void
test_linktype_of(void **state)
{
	(void)state;
	assert_int_equal(export_linktype_of(PKT_LINK_ETHERNET), 1);
	assert_int_equal(export_linktype_of(PKT_LINK_NULL), 0);
	assert_int_equal(export_linktype_of(PKT_LINK_RAW), 101);
	assert_int_equal(export_linktype_of(PKT_LINK_LOOP), 108);
	assert_int_equal(export_linktype_of(PKT_LINK_SLL), 113);
	assert_int_equal(export_linktype_of(PKT_LINK_IPV4), 228);
	assert_int_equal(export_linktype_of(PKT_LINK_IPV6), 229);
	assert_int_equal(export_linktype_of(PKT_LINK_NFLOG), 239);
	assert_int_equal(export_linktype_of(PKT_LINK_SLL2), 276);
	assert_int_equal(export_linktype_of(CAP_LINK_OTHER), -1);
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
		cmocka_unit_test(test_ng_interleaved),
		cmocka_unit_test(test_ng_open_holds_back),
		cmocka_unit_test(test_ng_waiting_counts),
		cmocka_unit_test(test_ng_waiting_shrinks),
		cmocka_unit_test(test_ng_two_links),
		cmocka_unit_test(test_ng_inputs),
		cmocka_unit_test(test_format_of),
		cmocka_unit_test(test_dlt_of),
		cmocka_unit_test(test_linktype_of),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
