/* test_savefile.c: pcap and pcapng files read without stdio (pcap-savefile(5), draft-ietf-opsawg-pcapng), held to libpcap's reading. */
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
#include "memsrc.h"
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
	struct savefile_same r;
	char why[512];

	if (!savefile_same(f->b, n, &r, why, sizeof why))
		fail_msg("cut at %zu of %zu: %s", n, f->n, why);
	if (r.taken != want_taken)
		fail_msg("cut at %zu of %zu: savefile %s the file", n, f->n,
		         r.taken ? "read" : "declined");
	if (r.libpcap_stopped)
		fail_msg("cut at %zu of %zu: libpcap stopped at an interface",
		         n, f->n);
	return r.frames;
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
 * packets, statistics at the end; every packet read here. */
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
		assert_true(savefile_is_pcapng(o.s));
		for (got = 0; got < want; got++) {
			assert_int_equal(savefile_next(o.s, &h, &d), 1);
			assert_int_equal(savefile_iface(o.s), 0);
			assert_int_equal(savefile_dlt(o.s), DLT_EN10MB);
		}
		assert_int_equal(savefile_next(o.s, &h, &d), PCAP_ERROR_BREAK);
		assert_int_equal(savefile_nifaces(o.s), 1);
		assert_null(savefile_libpcap_stop(o.s));
		assert_int_equal(savefile_offset(o.s), f->n);
		close_opened(&o);
	}
	free(f);
}

/* Interfaces libpcap accepts (one link type, one snapshot length), a new
 * section, a frame over the snapshot length: read as libpcap reads them,
 * cut at every byte, in both byte orders. */
static void
test_pcapng_cut_everywhere(void **state)
{
	struct fb *f = fb_new();
	size_t idb_end;
	unsigned long frames;

	(void)state;
	for (int be = 0; be < 2; be++) {
		/* byte-order magic, version 1.0, section length unknown */
		struct fb *sec = fb_new();

		sec->n = 0;
		sec->be = be;
		fb_u32(sec, 0x1a2b3c4du);
		fb_u16(sec, 1);
		fb_u16(sec, 0);
		fb_u32(sec, 0xffffffffu);
		fb_u32(sec, 0xffffffffu);
		ng_shb_order(f, be);
		ng_idb(f, (uint16_t)LT_ETHERNET, 0);
		idb_end = f->n;
		ng_epb(f, 1700000000000000u, pattern, 60, 60);
		ng_epb(f, 0xffffffffffffffffu, pattern + 1, 0, 0);
		ng_idb(f, (uint16_t)LT_ETHERNET, 9); /* a second interface */
		ng_epb_if(f, 1, 5, pattern + 2, 61, 61);
		ng_spb(f, pattern + 4, 63, 63);
		ng_pb(f, 1, 1700000000000000001u, pattern + 5, 64, 64);
		ng_epb(f, 7, pattern + 3, 62, 62);
		ng_block(f, 0x0a0d0d0au, sec->b, sec->n); /* a new section */
		ng_idb(f, (uint16_t)LT_ETHERNET, 0);
		ng_epb(f, 8, pattern, 65535, 65535);
		ng_epb(f, 9, pattern, 70000, 70000); /* over the snaplen */
		for (size_t n = 0; n <= f->n; n++) {
			frames = same(f, n, n >= idb_end);
			if (n == f->n)
				assert_int_equal(frames, 7);
		}
		free(sec);
	}
	free(f);
}

/* Each interface's frames, as savefile hands them out. */
struct ifframe {
	uint32_t iface;
	int dlt;
	uint64_t ns;      /* the time in nanoseconds since 1970 */
	uint32_t caplen, len;
	const uint8_t *data;
};

static void
expect_frames(const struct fb *f, const struct ifframe *want, size_t n,
              uint32_t nifaces)
{
	struct opened o = open_savefile(f, f->n, PCAP_TSTAMP_PRECISION_NANO);
	struct pcap_pkthdr h;
	const uint8_t *d;

	assert_non_null(o.s);
	for (size_t i = 0; i < n; i++) {
		int rc = savefile_next(o.s, &h, &d);

		if (rc != 1)
			fail_msg("frame %zu: %d (%s)", i + 1, rc,
			         savefile_geterr(o.s));
		assert_int_equal(savefile_iface(o.s), want[i].iface);
		assert_int_equal(savefile_dlt(o.s), want[i].dlt);
		assert_int_equal((uint64_t)h.ts.tv_sec * 1000000000u +
		                     (uint64_t)h.ts.tv_usec,
		                 want[i].ns);
		assert_int_equal(h.caplen, want[i].caplen);
		assert_int_equal(h.len, want[i].len);
		assert_memory_equal(d, want[i].data, want[i].caplen);
	}
	assert_int_equal(savefile_next(o.s, &h, &d), PCAP_ERROR_BREAK);
	assert_int_equal(savefile_nifaces(o.s), nifaces);
	close_opened(&o);
}

/* Two link types, two resolutions: libpcap stops at the second interface,
 * savefile reads both, each frame with its interface's link type and
 * time; cut anywhere, it never reads a frame that is not whole. */
static void
test_pcapng_two_link_types(void **state)
{
	struct fb *f = fb_new();
	const uint64_t base = 1700000000u;

	(void)state;
	for (int be = 0; be < 2; be++) {
		struct ngopts o0, o1;
		struct ifframe want[4] = {
			{ 0, DLT_EN10MB, base * 1000000000u + 123456789u, 60,
			  60, pattern },
			{ 1, DLT_LINUX_SLL, base * 1000000000u + 200001000u, 48,
			  1500, pattern + 7 },
			{ 0, DLT_EN10MB, (base + 1) * 1000000000u + 1u, 54, 54,
			  pattern + 9 },
			{ 1, DLT_LINUX_SLL, (base + 2) * 1000000000u, 0, 0,
			  pattern },
		};
		struct savefile_same r;
		char why[512];
		struct opened op;
		struct pcap_pkthdr h;
		const uint8_t *d;

		ngo_init(&o0, be);
		ngo_add(&o0, 2, "eth0", 4);
		ngo_add(&o0, 9, "\x09", 1);
		ngo_end(&o0);
		ngo_init(&o1, be);
		ngo_add(&o1, 2, "any", 3);
		ngo_end(&o1);
		ng_shb_order(f, be);
		ng_idb_opts(f, (uint16_t)LT_ETHERNET, 65535, o0.b, o0.n);
		ng_epb_if(f, 0, base * 1000000000u + 123456789u, pattern, 60,
		          60);
		ng_idb_opts(f, (uint16_t)LT_SLL, 128, o1.b, o1.n);
		ng_epb_if(f, 1, base * 1000000u + 200001u, pattern + 7, 48,
		          1500);
		ng_epb_if(f, 0, (base + 1) * 1000000000u + 1u, pattern + 9, 54,
		          54);
		ng_epb_if(f, 1, (base + 2) * 1000000u, pattern, 0, 0);
		expect_frames(f, want, 4, 2);

		/* libpcap reads the first frame, then gives up. */
		assert_true(savefile_same(f->b, f->n, &r, why, sizeof why));
		assert_true(r.taken);
		assert_true(r.libpcap_stopped);
		assert_int_equal(r.frames, 1);
		assert_int_equal(r.beyond, 3);
		op = open_savefile(f, f->n, PCAP_TSTAMP_PRECISION_NANO);
		assert_int_equal(savefile_next(op.s, &h, &d), 1);
		assert_string_equal(savefile_ifname(op.s), "eth0");
		assert_null(savefile_libpcap_stop(op.s));
		assert_int_equal(savefile_next(op.s, &h, &d), 1);
		assert_string_equal(savefile_ifname(op.s), "any");
		assert_string_equal(savefile_libpcap_stop(op.s),
		                    "an interface has a type 113 different "
		                    "from the type of the first interface");
		close_opened(&op);

		for (size_t n = 0; n < f->n; n++) {
			struct pcap_pkthdr hh;
			const uint8_t *dd;
			unsigned got = 0;
			int rc;

			if (!savefile_same(f->b, n, &r, why, sizeof why))
				fail_msg("cut at %zu: %s", n, why);
			if (!r.taken)
				continue;
			op = open_savefile(f, n, PCAP_TSTAMP_PRECISION_NANO);
			while ((rc = savefile_next(op.s, &hh, &dd)) == 1) {
				assert_int_equal(hh.caplen, want[got].caplen);
				assert_memory_equal(dd, want[got].data,
				                    hh.caplen);
				got++;
			}
			/* A cut file is damaged unless cut between blocks. */
			if (rc == PCAP_ERROR)
				assert_non_null(strstr(savefile_geterr(op.s),
				                       "truncated pcapng"));
			close_opened(&op);
		}
	}
	free(f);
}

/* Timestamps in every unit libpcap knows, with offsets: the same time as
 * libpcap gives where it reads the file, and the right one. */
static void
test_pcapng_time_units(void **state)
{
	static const struct {
		uint8_t tsresol;     /* if_tsresol, 0: none */
		int64_t offset;      /* if_tsoffset, seconds */
		uint64_t ts;         /* in the interface's units */
		uint64_t want_ns;
	} tc[] = {
		{ 0, 0, 1700000000123456u, 1700000000123456000u },
		{ 9, 0, 1700000000123456789u, 1700000000123456789u },
		{ 3, 0, 1700000000123u, 1700000000123000000u },
		{ 0, 1700000000, 1500000u, 1700000001500000000u },
		{ 6, -100, 101000001u, 1000001000u },
		{ 0x8a, 0, (1700000000ull << 10) | 512u, 1700000000500000000u },
		{ 0x80 | 30, 0, (5ull << 30) | (1ull << 29), 5500000000u },
		/* picoseconds: 2^64 of them is 213 days */
		{ 12, 0, 10000000123456789012u, 10000000123456789u },
		{ 0, 0, 0, 0 },
	};
	struct fb *f = fb_new();

	(void)state;
	for (size_t i = 0; i < sizeof tc / sizeof tc[0]; i++) {
		for (int be = 0; be < 2; be++) {
			struct ngopts o;
			struct ifframe want = { 0, DLT_EN10MB, tc[i].want_ns, 60,
			                        60, pattern };

			ngo_init(&o, be);
			if (tc[i].tsresol != 0)
				ngo_add(&o, 9, &tc[i].tsresol, 1);
			if (tc[i].offset != 0)
				ngo_tsoffset(&o, tc[i].offset);
			ngo_end(&o);
			ng_shb_order(f, be);
			ng_idb_opts(f, (uint16_t)LT_ETHERNET, 65535, o.b, o.n);
			ng_epb(f, tc[i].ts, pattern, 60, 60);
			same(f, f->n, true);
			expect_frames(f, &want, 1, 1);
		}
	}
	free(f);
}

/* Sections start their interfaces anew; interfaces count across the file.
 * libpcap reads this one (one link type) and agrees. */
static void
test_pcapng_sections(void **state)
{
	struct fb *f = fb_new();
	struct fb *sec = fb_new();
	struct ngopts o;
	struct ifframe want[3] = {
		{ 1, DLT_EN10MB, 2000000000u, 60, 60, pattern },
		{ 2, DLT_EN10MB, 3000000000u, 61, 61, pattern + 1 },
		{ 3, DLT_EN10MB, 4000000000u, 62, 62, pattern + 2 },
	};
	struct opened op;
	struct pcap_pkthdr h;
	const uint8_t *d;

	(void)state;
	sec->n = 0;
	sec->be = false;
	fb_u32(sec, 0x1a2b3c4du);
	fb_u16(sec, 1);
	fb_u16(sec, 0);
	fb_u32(sec, 0xffffffffu);
	fb_u32(sec, 0xffffffffu);
	ng_shb(f);
	ng_idb(f, (uint16_t)LT_ETHERNET, 0);
	ngo_init(&o, false);
	ngo_add(&o, 2, "wlan0", 5);
	ngo_end(&o);
	ng_idb_opts(f, (uint16_t)LT_ETHERNET, 65535, o.b, o.n);
	ng_epb_if(f, 1, 2000000u, pattern, 60, 60);
	ng_block(f, 0x0a0d0d0au, sec->b, sec->n);
	ngo_init(&o, false);
	ngo_add(&o, 2, "eth1", 4);
	ngo_add(&o, 9, "\x09", 1);
	ngo_end(&o);
	ng_idb_opts(f, (uint16_t)LT_ETHERNET, 65535, o.b, o.n);
	ng_idb(f, (uint16_t)LT_ETHERNET, 0);
	ng_epb_if(f, 0, 3000000000u, pattern + 1, 61, 61);
	ng_epb_if(f, 1, 4000000u, pattern + 2, 62, 62);
	assert_int_equal(same(f, f->n, true), 3);
	expect_frames(f, want, 3, 4);
	op = open_savefile(f, f->n, PCAP_TSTAMP_PRECISION_NANO);
	assert_int_equal(savefile_next(op.s, &h, &d), 1);
	assert_string_equal(savefile_ifname(op.s), "wlan0");
	assert_int_equal(savefile_next(op.s, &h, &d), 1);
	assert_string_equal(savefile_ifname(op.s), "eth1");
	assert_int_equal(savefile_next(op.s, &h, &d), 1);
	assert_string_equal(savefile_ifname(op.s), "");
	close_opened(&op);
	free(sec);
	free(f);
}

/* A Section Header Block in f's order, without starting f anew; its
 * options (a shb_hardware of hw bytes) make it 28 + 8 + hw bytes long
 * (hw 0: none, 28 bytes). */
static void
ng_shb_here(struct fb *f, bool be, uint16_t hw)
{
	uint32_t total = hw != 0 ? 28u + 8u + hw : 28u;
	uint8_t zeros[256] = { 0 };

	f->be = be;
	fb_u32(f, 0x0a0d0d0au);
	fb_u32(f, total);
	fb_u32(f, 0x1a2b3c4du);
	fb_u16(f, 1);
	fb_u16(f, 0);
	fb_u32(f, 0xffffffffu);
	fb_u32(f, 0xffffffffu);
	if (hw != 0) {
		assert_true(hw % 4 == 0 && hw <= sizeof zeros);
		fb_u16(f, 2);
		fb_u16(f, hw);
		fb_bytes(f, zeros, hw);
		fb_u32(f, 0); /* opt_endofopt */
	}
	fb_u32(f, total);
}

/* Sections in both byte orders (mergecap joins files of big- and
 * little-endian machines): each read in its own order. libpcap gives up
 * where it misreads the other order's section header; savefile names
 * its words there and reads on; cut anywhere, it agrees with libpcap up
 * to there and never reads a frame that is not whole. */
static void
test_pcapng_byte_orders(void **state)
{
	static uint8_t big[65300];
	struct fb *f = fb_new();

	(void)state;
	memcpy(big, pattern, sizeof big);
	for (int be = 0; be < 2; be++) {
		struct ifframe want[3] = {
			{ 0, DLT_EN10MB, 1700000000000000000u, 60, 60,
			  pattern },
			{ 1, DLT_LINUX_SLL, 1700000001000000000u, 61, 61,
			  pattern + 3 },
			{ 2, DLT_EN10MB, 1700000002000000000u, 62, 62,
			  pattern + 5 },
		};
		struct savefile_same r;
		char why[512];
		struct opened op;
		struct pcap_pkthdr h;
		const uint8_t *d;

		ng_shb_order(f, be);
		ng_idb(f, (uint16_t)LT_ETHERNET, 0);
		ng_epb(f, 1700000000000000u, pattern, 60, 60);
		ng_shb_here(f, !be, 0);
		ng_idb(f, (uint16_t)LT_SLL, 0);
		ng_epb(f, 1700000001000000u, pattern + 3, 61, 61);
		ng_shb_here(f, be, 0);
		ng_idb(f, (uint16_t)LT_ETHERNET, 0);
		ng_epb(f, 1700000002000000u, pattern + 5, 62, 62);
		expect_frames(f, want, 3, 3);
		assert_true(savefile_same(f->b, f->n, &r, why, sizeof why));
		assert_true(r.libpcap_stopped);
		assert_int_equal(r.frames, 1);
		assert_int_equal(r.beyond, 2);
		op = open_savefile(f, f->n, PCAP_TSTAMP_PRECISION_NANO);
		assert_int_equal(savefile_next(op.s, &h, &d), 1);
		assert_null(savefile_libpcap_stop(op.s));
		assert_int_equal(savefile_next(op.s, &h, &d), 1);
		assert_string_equal(savefile_libpcap_stop(op.s),
		                    "pcapng block size 469762048 > maximum "
		                    "16777216");
		close_opened(&op);
		for (size_t n = 0; n < f->n; n++)
			if (!savefile_same(f->b, n, &r, why, sizeof why))
				fail_msg("cut at %zu: %s", n, why);

		/* A section header 256 bytes long reads as 65536 in the
		 * other order, and a frame puts that length where its
		 * trailer would be: libpcap reads it as a section header of
		 * the wrong order, in other words. */
		ng_shb_order(f, be);
		ng_idb(f, (uint16_t)LT_ETHERNET, 0);
		ng_epb(f, 1700000000000000u, pattern, 60, 60);
		{
			size_t at = f->n;

			ng_shb_here(f, !be, 220);
			assert_int_equal(f->n - at, 256);
			ng_idb_opts(f, (uint16_t)LT_ETHERNET, 0, NULL, 0);
			/* the frame's data starts 256 + 20 + 28 bytes in */
			assert_true(65532 - 304 + 4 <= sizeof big);
			big[65532 - 304 + 0] = be ? 0x00 : 0x00;
			big[65532 - 304 + 1] = be ? 0x01 : 0x00;
			big[65532 - 304 + 2] = be ? 0x00 : 0x01;
			big[65532 - 304 + 3] = 0x00;
			ng_epb(f, 1700000001000000u, big, sizeof big,
			       sizeof big);
			assert_true(f->n - at > 65536);
		}
		assert_true(savefile_same(f->b, f->n, &r, why, sizeof why));
		assert_true(r.libpcap_stopped);
		assert_int_equal(r.frames, 1);
		assert_int_equal(r.beyond, 1);
		op = open_savefile(f, f->n, PCAP_TSTAMP_PRECISION_NANO);
		assert_int_equal(savefile_next(op.s, &h, &d), 1);
		assert_int_equal(savefile_next(op.s, &h, &d), 1);
		assert_int_equal(h.caplen, sizeof big);
		assert_memory_equal(d, big, sizeof big);
		assert_int_equal(savefile_iface(op.s), 1);
		assert_string_equal(savefile_libpcap_stop(op.s),
		                    "the file has sections with different byte "
		                    "orders");
		assert_int_equal(savefile_next(op.s, &h, &d), PCAP_ERROR_BREAK);
		close_opened(&op);
		memcpy(big, pattern, sizeof big);
	}
	free(f);
}

/* The words for a damaged pcapng file are libpcap's, in both byte
 * orders; where libpcap stops at an interface savefile names the words. */
static void
test_pcapng_damage_words(void **state)
{
	struct fb *f = fb_new();
	struct savefile_same r;
	char why[512];

	(void)state;
	for (int be = 0; be < 2; be++) {
		struct ngopts o;
		struct opened op;
		struct pcap_pkthdr h;
		const uint8_t *d;

		/* A packet on an interface never described. */
		ng_shb_order(f, be);
		ng_idb(f, (uint16_t)LT_ETHERNET, 0);
		ng_epb_if(f, 3, 1, pattern, 60, 60);
		same(f, f->n, true);
		op = open_savefile(f, f->n, PCAP_TSTAMP_PRECISION_NANO);
		assert_int_equal(savefile_next(op.s, &h, &d), PCAP_ERROR);
		assert_string_equal(savefile_geterr(op.s),
		                    "a packet arrived on interface 3, but there's "
		                    "no Interface Description Block for that "
		                    "interface");
		close_opened(&op);
		/* A frame over its interface's snapshot length. */
		ng_shb_order(f, be);
		ng_idb(f, (uint16_t)LT_ETHERNET, 0);
		ng_epb(f, 1, pattern, 65536, 65536);
		same(f, f->n, true);
		/* Option errors in a later interface. */
		ngo_init(&o, be);
		ngo_add(&o, 9, "\x09", 1);
		ngo_add(&o, 9, "\x06", 1);
		ngo_end(&o);
		ng_shb_order(f, be);
		ng_idb(f, (uint16_t)LT_ETHERNET, 0);
		ng_epb(f, 1, pattern, 60, 60);
		ng_idb_opts(f, (uint16_t)LT_ETHERNET, 65535, o.b, o.n);
		assert_int_equal(same(f, f->n, true), 1);
		ngo_init(&o, be);
		ngo_add(&o, 14, "1234", 4);
		ngo_end(&o);
		ng_shb_order(f, be);
		ng_idb(f, (uint16_t)LT_ETHERNET, 0);
		ng_idb_opts(f, (uint16_t)LT_ETHERNET, 65535, o.b, o.n);
		same(f, f->n, true);
		/* Another snapshot length: libpcap stops. */
		ng_shb_order(f, be);
		ng_idb(f, (uint16_t)LT_ETHERNET, 0);
		ng_epb(f, 1, pattern, 60, 60);
		ng_idb_opts(f, (uint16_t)LT_ETHERNET, 1000, NULL, 0);
		ng_epb_if(f, 1, 2, pattern, 1000, 1000);
		ng_epb_if(f, 1, 2, pattern, 1001, 1001);
		assert_true(savefile_same(f->b, f->n, &r, why, sizeof why));
		assert_true(r.libpcap_stopped);
		assert_int_equal(r.frames, 1);
		op = open_savefile(f, f->n, PCAP_TSTAMP_PRECISION_NANO);
		assert_int_equal(savefile_next(op.s, &h, &d), 1);
		assert_int_equal(savefile_next(op.s, &h, &d), 1);
		assert_int_equal(h.caplen, 1000);
		assert_string_equal(savefile_libpcap_stop(op.s),
		                    "an interface has a snapshot length 1000 "
		                    "different from the snapshot length of the "
		                    "first interface");
		assert_int_equal(savefile_next(op.s, &h, &d), PCAP_ERROR);
		assert_string_equal(savefile_geterr(op.s),
		                    "invalid packet capture length 1001, bigger "
		                    "than snaplen of 1000");
		close_opened(&op);
		/* A trailer that does not match, a length not a multiple
		 * of 4, a block too large. */
		ng_shb_order(f, be);
		ng_idb(f, (uint16_t)LT_ETHERNET, 0);
		ng_epb(f, 1, pattern, 60, 60);
		f->b[f->n - 1] ^= 0x10;
		f->b[f->n - 4] ^= 0x10;
		same(f, f->n, true);
		ng_shb_order(f, be);
		ng_idb(f, (uint16_t)LT_ETHERNET, 0);
		fb_u32(f, 6);
		fb_u32(f, 30);
		same(f, f->n, true);
		ng_shb_order(f, be);
		ng_idb(f, (uint16_t)LT_ETHERNET, 0);
		fb_u32(f, 0x0bad);
		fb_u32(f, (16u << 20) + 4);
		same(f, f->n, true);
	}
	free(f);
}

/* A link type with frames longer than 256 KiB is left to libpcap. */
static void
test_pcapng_declines(void **state)
{
	struct fb *f = fb_new();

	(void)state;
	ng_shb(f);
	ng_idb(f, 249, 0); /* LINKTYPE_USBPCAP */
	ng_epb(f, 1, pattern, 60, 60);
	same(f, f->n, false);
	free(f);
}

/* The same file read from a stream (what stdio took first, then the
 * rest), as standard input and decompressed files are: the same frames
 * and the same damage as at offsets, whatever stdio took. */
static const char *
mem_error(void *ctx)
{
	(void)ctx;
	return "no error";
}

static void
stream_same(const struct fb *f, size_t n, size_t head)
{
	struct opened o = open_savefile(f, n, PCAP_TSTAMP_PRECISION_NANO);
	struct memsrc m = { f->b, n, head, 1000, false };
	struct savefile_stream src = { f->b, head, memsrc_read, mem_error, &m };
	struct savefile *st;
	int ra, rb;

	assert_non_null(o.s);
	st = savefile_open_stream(o.p, &src);
	assert_non_null(st);
	do {
		struct pcap_pkthdr ha, hb;
		const uint8_t *da, *db;

		ra = savefile_next(o.s, &ha, &da);
		rb = savefile_next(st, &hb, &db);
		assert_int_equal(ra, rb);
		if (ra == 1) {
			assert_int_equal(ha.caplen, hb.caplen);
			assert_int_equal(ha.ts.tv_usec, hb.ts.tv_usec);
			assert_memory_equal(da, db, ha.caplen);
			assert_int_equal(savefile_iface(o.s), savefile_iface(st));
		}
	} while (ra == 1);
	if (ra == PCAP_ERROR)
		assert_string_equal(savefile_geterr(o.s), savefile_geterr(st));
	assert_int_equal(savefile_offset(o.s), savefile_offset(st));
	savefile_close(st);
	close_opened(&o);
}

static void
test_stream(void **state)
{
	struct fb *f = fb_new();
	size_t heads[] = { 24, 100, 4096, 8192 };

	(void)state;
	pcap_file_header(f, false, MAGIC_NSEC, 2, 4, 65535, LT_ETHERNET);
	for (uint32_t i = 0; i < 200; i++)
		pcap_record(f, 1700000000u + i, i, pattern + i, 60 + i * 7,
		            60 + i * 7);
	for (size_t h = 0; h < sizeof heads / sizeof heads[0]; h++)
		for (size_t n = 24; n <= f->n; n += 97)
			stream_same(f, n, heads[h] < n ? heads[h] : n);
	ng_shb_order(f, true);
	ng_idb(f, (uint16_t)LT_ETHERNET, 9);
	/* stdio took at least what libpcap read: up to the first IDB */
	heads[0] = f->n;
	ng_idb(f, (uint16_t)LT_SLL, 6);
	for (uint32_t i = 0; i < 200; i++)
		ng_epb_if(f, i % 2, 1700000000u + i, pattern + i, 60 + i * 5,
		          60 + i * 5);
	for (size_t h = 0; h < sizeof heads / sizeof heads[0]; h++)
		for (size_t n = 72; n <= f->n; n += 89)
			stream_same(f, n, heads[h] < n ? heads[h] : n);
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
		cmocka_unit_test(test_pcapng_cut_everywhere),
		cmocka_unit_test(test_pcapng_two_link_types),
		cmocka_unit_test(test_pcapng_time_units),
		cmocka_unit_test(test_pcapng_sections),
		cmocka_unit_test(test_pcapng_byte_orders),
		cmocka_unit_test(test_pcapng_damage_words),
		cmocka_unit_test(test_pcapng_declines),
		cmocka_unit_test(test_stream),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
