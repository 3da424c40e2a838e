/* test_reader.c: the read-ahead thread hands out exactly what capture_next and pkt_decode give, in order. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/reader.h"
#include "scratch.h"

#define BASE 1700000000u
#define COUNTED (PKT_A_VLAN | PKT_A_TRUNCATED)

static char tmpdir[512];
static struct service_map svc;

static int
group_setup(void **state)
{
	(void)state;
	service_map_defaults(&svc);
	return scratch_make(tmpdir, sizeof tmpdir, "test_reader");
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

enum frame_type {
	F_IMAPS,   /* TCP to 993: a service frame */
	F_HTTP,    /* TCP to 80: counted only */
	F_ARP,     /* not IP */
	F_UDP,     /* not TCP */
	F_SHORT,   /* cut inside the IP header */
};

/* An Ethernet frame of the given type; payload bytes follow a pattern
 * that depends on seq so that a misplaced copy shows. */
static size_t
make_frame(uint8_t *f, size_t cap, enum frame_type t, uint32_t seq,
           size_t payload)
{
	size_t n = 14 + 20 + 20 + payload;
	uint16_t iplen = (uint16_t)(20 + 20 + (payload > 60000 ? 60000 : payload));

	assert_true(n <= cap);
	memset(f, 0, 54);
	f[12] = 0x08;
	f[13] = t == F_ARP ? 0x06 : 0x00;
	if (t == F_ARP) {
		memset(f + 14, 0x01, 28);
		return 42;
	}
	f[14] = 0x45;
	f[16] = (uint8_t)(iplen >> 8);
	f[17] = (uint8_t)iplen;
	f[22] = 64;
	f[23] = t == F_UDP ? 17 : 6;
	f[26] = 198;
	f[27] = 18;
	f[28] = 0;
	f[29] = (uint8_t)(1 + seq % 200);
	f[30] = 198;
	f[31] = 19;
	f[32] = 0;
	f[33] = 1;
	f[34] = (uint8_t)((40000 + seq % 1000) >> 8); /* client port */
	f[35] = (uint8_t)(40000 + seq % 1000);
	f[36] = t == F_HTTP ? 0 : 0x03; /* 80 or 993 */
	f[37] = t == F_HTTP ? 80 : 0xe1;
	f[38] = (uint8_t)(seq >> 24);
	f[39] = (uint8_t)(seq >> 16);
	f[40] = (uint8_t)(seq >> 8);
	f[41] = (uint8_t)seq;
	f[46] = 0x50;
	f[47] = 0x18; /* PSH ACK */
	if (t == F_SHORT)
		return 14 + 10;
	for (size_t i = 0; i < payload; i++)
		f[54 + i] = (uint8_t)(seq * 7 + i);
	return n;
}

/* A capture of n frames of mixed types, some of them large. */
static void
write_capture(const char *path, unsigned n, unsigned first_sec)
{
	static uint8_t frame[CAP_SNAPLEN];
	pcap_t *dead = pcap_open_dead_with_tstamp_precision(
	    DLT_EN10MB, CAP_SNAPLEN, PCAP_TSTAMP_PRECISION_NANO);
	pcap_dumper_t *d;

	assert_non_null(dead);
	d = pcap_dump_open(dead, path);
	assert_non_null(d);
	for (unsigned i = 0; i < n; i++) {
		struct pcap_pkthdr h;
		enum frame_type t = (enum frame_type)(i % 7 < 3 ? F_IMAPS
		                                      : i % 7 == 3 ? F_HTTP
		                                      : i % 7 == 4 ? F_ARP
		                                      : i % 7 == 5 ? F_UDP
		                                                   : F_SHORT);
		/* Every 500th service frame is near the largest snaplen, so
		 * that blocks also fill up by bytes, not only by count. */
		size_t payload = t == F_IMAPS && i % 500 == 0
		                     ? CAP_SNAPLEN - 54
		                     : (size_t)(i % 1400);
		size_t len = make_frame(frame, sizeof frame, t, i, payload);

		/* Every 11th frame carries an 802.1Q tag: the reader decodes
		 * those itself, the others it only looks at. */
		if (i % 11 == 10 && len + 4 <= sizeof frame) {
			memmove(frame + 16, frame + 12, len - 12);
			frame[12] = 0x81;
			frame[13] = 0x00;
			frame[14] = 0x00;
			frame[15] = 0x07;
			len += 4;
		}

		h.ts.tv_sec = (time_t)(first_sec + i / 1000);
		h.ts.tv_usec = (suseconds_t)(i % 1000) * 1000; /* ns */
		h.caplen = (bpf_u_int32)len;
		h.len = (bpf_u_int32)len;
		pcap_dump((u_char *)d, &h, frame);
	}
	pcap_dump_close(d);
	pcap_close(dead);
}

/* One block of a pcapng file (little-endian), padded, to fp. */
static void
ng_write(FILE *fp, uint32_t type, const void *a, size_t na, const void *b,
         size_t nb)
{
	static const uint8_t pad[3];
	size_t padded = (na + nb + 3) & ~(size_t)3;
	uint32_t total = (uint32_t)(12 + padded);

	assert_int_equal(fwrite(&type, 4, 1, fp), 1);
	assert_int_equal(fwrite(&total, 4, 1, fp), 1);
	assert_int_equal(fwrite(a, 1, na, fp), na);
	if (nb > 0)
		assert_int_equal(fwrite(b, 1, nb, fp), nb);
	assert_int_equal(fwrite(pad, 1, padded - na - nb, fp),
	                 padded - na - nb);
	assert_int_equal(fwrite(&total, 4, 1, fp), 1);
}

/*
 * The pcap file at from as a pcapng file at to, on two interfaces: the
 * second (Linux cooked, in microseconds) is described after the 100th
 * frame, and every third frame after that goes out on it, its Ethernet
 * header replaced by a cooked one.
 */
static void
write_two_interfaces(const char *from, const char *to)
{
	static const uint8_t shb[16] = { 0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0,
	                                 0xff, 0xff, 0xff, 0xff,
	                                 0xff, 0xff, 0xff, 0xff };
	/* Ethernet, snaplen 0; if_name "eth0", if_tsresol 9, end */
	static const uint8_t idb0[28] = { 1, 0, 0, 0, 0, 0, 0, 0,
	                                  2, 0, 4, 0, 'e', 't', 'h', '0',
	                                  9, 0, 1, 0, 9, 0, 0, 0,
	                                  0, 0, 0, 0 };
	/* Linux cooked, snaplen 0; if_name "any", end */
	static const uint8_t idb1[20] = { 113, 0, 0, 0, 0, 0, 0, 0,
	                                  2, 0, 3, 0, 'a', 'n', 'y', 0,
	                                  0, 0, 0, 0 };
	static const uint8_t cooked[16] = { 0, 0, 0, 1, 0, 6, 2, 0, 0, 0,
	                                    0, 1, 0, 0, 8, 0 };
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline_with_tstamp_precision(
	    from, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	FILE *fp = fopen(to, "wb");
	struct pcap_pkthdr *h;
	const u_char *d;
	unsigned i = 0;

	assert_non_null(p);
	assert_non_null(fp);
	ng_write(fp, 0x0a0d0d0au, shb, sizeof shb, NULL, 0);
	ng_write(fp, 1, idb0, sizeof idb0, NULL, 0);
	while (pcap_next_ex(p, &h, &d) == 1) {
		uint32_t epb[5];
		bool on1 = i >= 100 && i % 3 == 0 && h->caplen > 14 &&
		           h->caplen < 60000 &&
		           d[12] == 0x08 && d[13] == 0x00;
		uint64_t t = (uint64_t)h->ts.tv_sec * 1000000000u +
		             (uint64_t)h->ts.tv_usec;
		uint8_t *frame;
		uint32_t n = h->caplen;

		if (i == 100)
			ng_write(fp, 1, idb1, sizeof idb1, NULL, 0);
		frame = malloc(n + 2);
		assert_non_null(frame);
		if (on1) {
			t /= 1000;
			memcpy(frame, cooked, sizeof cooked);
			memcpy(frame + 16, d + 14, n - 14);
			n += 2;
		} else {
			memcpy(frame, d, n);
		}
		epb[0] = on1 ? 1 : 0;
		epb[1] = (uint32_t)(t >> 32);
		epb[2] = (uint32_t)t;
		epb[3] = n;
		epb[4] = n;
		ng_write(fp, 6, epb, sizeof epb, frame, n);
		free(frame);
		i++;
	}
	assert_int_equal(fclose(fp), 0);
	pcap_close(p);
}

/* What the direct path sees, one event at a time: frames and warnings. */
struct event {
	bool warn;
	bool several;       /* a file has several interfaces from here */
	struct cap_pkt cp;
	enum dis_status rc;
	struct pkt p;
	uint8_t *data;
	char msg[CAP_ERRLEN];
};

struct events {
	struct event *e;
	size_t n, cap;
};

static struct event *
ev_add(struct events *v)
{
	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 1024;
		v->e = realloc(v->e, v->cap * sizeof *v->e);
		assert_non_null(v->e);
	}
	memset(&v->e[v->n], 0, sizeof v->e[v->n]);
	return &v->e[v->n++];
}

static void
direct_warn(void *ctx, const char *msg)
{
	struct event *e = ev_add(ctx);

	e->warn = true;
	snprintf(e->msg, sizeof e->msg, "%s", msg);
}

static void
direct_several(void *ctx, unsigned file)
{
	struct event *e = ev_add(ctx);

	e->several = true;
	e->cp.frame = TA_FRAME(file, 0);
}

static void
read_direct(const char *const *files, unsigned n, struct events *v)
{
	char err[CAP_ERRLEN];
	struct capture *c = capture_open_files(files, n, NULL, err, sizeof err);
	struct cap_pkt cp;

	assert_non_null(c);
	capture_set_warn(c, direct_warn, v);
	capture_set_several(c, direct_several, v);
	while (capture_next(c, &cp) == CAP_PACKET) {
		struct event *e = ev_add(v);

		e->cp = cp;
		e->rc = pkt_decode(cp.link, cp.data, cp.caplen, &e->p);
		e->data = malloc(cp.caplen ? cp.caplen : 1);
		assert_non_null(e->data);
		memcpy(e->data, cp.data, cp.caplen);
	}
	capture_close(c);
}

static void
events_free(struct events *v)
{
	for (size_t i = 0; i < v->n; i++)
		free(v->e[i].data);
	free(v->e);
}

static bool
service_frame(const struct event *e)
{
	return e->rc == DIS_OK &&
	       (service_of_port(&svc, e->p.sport) != SVC_NONE ||
	        service_of_port(&svc, e->p.dport) != SVC_NONE);
}

/* Every item equals its direct event. */
static void
compare(const char *const *files, unsigned n, size_t *nwarn)
{
	struct events v = {0};
	char err[CAP_ERRLEN];
	struct capture *c;
	struct reader *r;
	struct reader_item *it;
	const struct pkt *p;
	size_t i = 0, service = 0, other = 0, decoded_by_reader = 0;

	read_direct(files, n, &v);
	c = capture_open_files(files, n, NULL, err, sizeof err);
	assert_non_null(c);
	r = reader_start(c, &svc, NULL, err, sizeof err);
	assert_non_null(r);
	*nwarn = 0;
	while ((it = reader_next(r)) != NULL) {
		const struct event *e;

		assert_true(i < v.n);
		e = &v.e[i];
		i++;
		if (e->warn) {
			assert_int_equal(it->kind, READER_WARN);
			assert_string_equal(it->warn, e->msg);
			assert_false(it->service);
			(*nwarn)++;
			continue;
		}
		if (e->several) {
			assert_int_equal(it->kind, READER_SEVERAL);
			assert_int_equal(it->cp.frame, e->cp.frame);
			(*nwarn)++;
			continue;
		}
		assert_int_equal(it->kind, READER_FRAME);
		assert_int_equal(it->cp.frame, e->cp.frame);
		assert_int_equal(it->cp.iface, e->cp.iface);
		assert_true(it->cp.ts == e->cp.ts);
		assert_int_equal(it->cp.caplen, e->cp.caplen);
		assert_int_equal(it->cp.len, e->cp.len);
		assert_int_equal(it->cp.link, e->cp.link);
		assert_int_equal(it->rc, e->rc);
		assert_int_equal(it->skip, e->p.skip);
		assert_int_equal(it->service, service_frame(e));
		if (!it->service) {
			/* What the counts use, at least. */
			assert_int_equal(it->anomalies & COUNTED,
			                 e->p.anomalies & COUNTED);
			assert_null(it->cp.data);
			other++;
			continue;
		}
		service++;
		if (it->decoded)
			decoded_by_reader++;
		p = reader_pkt(r, it);
		assert_ptr_equal(p, it->p);
		assert_true(it->decoded);
		assert_int_equal(it->rc, DIS_OK);
		assert_int_equal(it->anomalies, e->p.anomalies);
		assert_memory_equal(it->cp.data, e->data, e->cp.caplen);
		assert_int_equal(p->sport, e->p.sport);
		assert_int_equal(p->dport, e->p.dport);
		assert_int_equal(p->seq, e->p.seq);
		assert_int_equal(p->payload_len, e->p.payload_len);
		assert_int_equal(p->payload.n, e->p.payload.n);
		/* The payload points into the item's own copy of the frame. */
		assert_ptr_equal(p->payload.p,
		                 it->cp.data + (e->p.payload.p - e->cp.data));
	}
	assert_int_equal(i, v.n);
	assert_true(service > 0 && other > 0);
	/* Both ways a service frame is decoded were taken. */
	assert_true(decoded_by_reader > 0 && decoded_by_reader < service);
	reader_free(r);
	capture_close(c);
	events_free(&v);
}

static void
test_same_as_direct(void **state)
{
	char a[1024];
	const char *files[1] = {a};
	size_t nwarn;

	(void)state;
	path_of(a, sizeof a, "mixed.pcap");
	/* Several blocks' worth of items, and large frames. */
	write_capture(a, 5000, BASE);
	compare(files, 1, &nwarn);
	assert_int_equal(nwarn, 0);
}

/* Two files merged by time, the first cut in the middle of a frame: its
 * warning comes out where the direct path gives it, among the frames. */
static void
test_warning_in_place(void **state)
{
	char a[1024], b[1024];
	const char *files[2] = {a, b};
	size_t nwarn;
	FILE *fp;
	long size;

	(void)state;
	path_of(a, sizeof a, "cut.pcap");
	path_of(b, sizeof b, "whole.pcap");
	write_capture(a, 3000, BASE);
	write_capture(b, 3000, BASE + 1);
	fp = fopen(a, "rb");
	assert_non_null(fp);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	size = ftell(fp);
	fclose(fp);
	assert_int_equal(truncate(a, size / 2 + 7), 0);
	compare(files, 2, &nwarn);
	assert_int_equal(nwarn, 1);
}

/* A pcapng file of two link types merged with a pcap file: every frame
 * with its interface and link, and the word that the file has several
 * interfaces where the direct path gives it. */
static void
test_interfaces_in_place(void **state)
{
	char a[1024], b[1024], c[1024];
	const char *files[2] = {a, c};
	size_t nwords;

	(void)state;
	path_of(b, sizeof b, "one.pcap");
	path_of(a, sizeof a, "two.pcapng");
	path_of(c, sizeof c, "other.pcap");
	write_capture(b, 3000, BASE);
	write_two_interfaces(b, a);
	write_capture(c, 3000, BASE + 1);
	compare(files, 2, &nwords);
	assert_int_equal(nwords, 1);
}

/* Stopped early, it hands out what it read, then ends; freed with items
 * still waiting, it does not hang. */
static void
test_stop_and_free(void **state)
{
	char a[1024], err[CAP_ERRLEN];
	const char *files[1] = {a};
	struct capture *c;
	struct reader *r;
	size_t n = 0;

	(void)state;
	path_of(a, sizeof a, "stop.pcap");
	write_capture(a, 20000, BASE);

	c = capture_open_files(files, 1, NULL, err, sizeof err);
	assert_non_null(c);
	r = reader_start(c, &svc, NULL, err, sizeof err);
	assert_non_null(r);
	assert_non_null(reader_next(r));
	reader_stop(r);
	while (reader_next(r) != NULL)
		n++;
	assert_true(n < 20000);
	reader_free(r);
	capture_close(c);

	c = capture_open_files(files, 1, NULL, err, sizeof err);
	assert_non_null(c);
	r = reader_start(c, &svc, NULL, err, sizeof err);
	assert_non_null(r);
	assert_non_null(reader_next(r));
	reader_free(r);
	capture_close(c);
}

/* Progress only grows, and ends at the file's size. */
static void
test_progress(void **state)
{
	char a[1024], err[CAP_ERRLEN];
	const char *files[1] = {a};
	struct capture *c;
	struct reader *r;
	uint64_t done, total, last = 0, size;
	FILE *fp;

	(void)state;
	path_of(a, sizeof a, "progress.pcap");
	write_capture(a, 8000, BASE);
	fp = fopen(a, "rb");
	assert_non_null(fp);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	size = (uint64_t)ftell(fp);
	fclose(fp);
	c = capture_open_files(files, 1, NULL, err, sizeof err);
	assert_non_null(c);
	r = reader_start(c, &svc, NULL, err, sizeof err);
	assert_non_null(r);
	while (reader_next(r) != NULL) {
		reader_progress(r, &done, &total);
		assert_true(done >= last);
		assert_true(total == size);
		last = done;
	}
	reader_progress(r, &done, &total);
	assert_true(done == size);
	reader_free(r);
	capture_close(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_as_direct),
		cmocka_unit_test(test_warning_in_place),
		cmocka_unit_test(test_interfaces_in_place),
		cmocka_unit_test(test_stop_and_free),
		cmocka_unit_test(test_progress),
	};
	return cmocka_run_group_tests_name("reader", tests, group_setup,
	                                   group_teardown);
}
