/* fuzz_pcapng.c: fuzz target for the pcapng reader of every interface (draft-ietf-opsawg-pcapng), read from a file, a stream and a gzip stream. */
#define _GNU_SOURCE 1 /* memfd_create */
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include "capture/decomp.h"
#include "capture/savefile.h"
#include "memsrc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One way of reading the capture, as tlsautopsy's capture layer does. */
struct way {
	pcap_t *p;
	struct savefile *s;
	struct decomp *d;
	struct memsrc m;   /* the compressed or plain bytes */
	struct savefile_stream src;
	bool overflow;      /* stdio took more than the stream keeps */
};

static bool
open_file(struct way *w, const uint8_t *b, size_t n)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	int fd = memfd_create("capture", 0);
	FILE *fp;

	memset(w, 0, sizeof *w);
	if (fd < 0 || (n > 0 && write(fd, b, n) != (ssize_t)n) ||
	    lseek(fd, 0, SEEK_SET) != 0 || (fp = fdopen(fd, "rb")) == NULL)
		abort();
	w->p = pcap_fopen_offline_with_tstamp_precision(
	    fp, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (w->p == NULL) {
		fclose(fp);
		return false;
	}
	w->s = savefile_open(w->p);
	return true;
}

static bool
open_stream(struct way *w, enum decomp_format f, const uint8_t *b, size_t n,
            size_t chunk)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	const uint8_t *head;
	size_t nhead;
	FILE *fp;

	memset(w, 0, sizeof *w);
	w->m.p = b;
	w->m.n = n;
	w->m.chunk = chunk;
	w->d = decomp_new(f, memsrc_read, &w->m, NULL, 0);
	fp = w->d != NULL ? decomp_fopen(w->d) : NULL;
	if (fp == NULL)
		abort();
	w->p = pcap_fopen_offline_with_tstamp_precision(
	    fp, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (w->p == NULL) {
		fclose(fp);
		return false;
	}
	w->overflow = !decomp_recorded(w->d, &head, &nhead);
	if (!w->overflow) {
		w->src.head = head;
		w->src.head_len = nhead;
		w->src.read = decomp_read_cb;
		w->src.error = decomp_error_cb;
		w->src.ctx = w->d;
		w->s = savefile_open_stream(w->p, &w->src);
	}
	return true;
}

static void
close_way(struct way *w)
{
	savefile_close(w->s);
	if (w->p != NULL)
		pcap_close(w->p);
	decomp_free(w->d);
}

/* The frame each way handed out must be the same frame. */
static void
compare(struct way *a, struct way *b, int ra, int rb,
        const struct pcap_pkthdr *ha, const struct pcap_pkthdr *hb,
        const uint8_t *da, const uint8_t *db, unsigned long frame)
{
	if (ra != rb) {
		fprintf(stderr, "frame %lu: %d (%s) / %d (%s)\n", frame, ra,
		        savefile_geterr(a->s), rb, savefile_geterr(b->s));
		abort();
	}
	if (ra == 1 &&
	    (ha->caplen != hb->caplen || ha->len != hb->len ||
	     ha->ts.tv_sec != hb->ts.tv_sec ||
	     ha->ts.tv_usec != hb->ts.tv_usec ||
	     memcmp(da, db, ha->caplen) != 0 ||
	     savefile_iface(a->s) != savefile_iface(b->s) ||
	     savefile_dlt(a->s) != savefile_dlt(b->s) ||
	     strcmp(savefile_ifname(a->s), savefile_ifname(b->s)) != 0)) {
		fprintf(stderr, "frame %lu differs\n", frame);
		abort();
	}
	/* The stream's own failures are not in a plain file's bytes. */
	if (ra == PCAP_ERROR && (b->d == NULL || !decomp_failed(b->d)) &&
	    strcmp(savefile_geterr(a->s), savefile_geterr(b->s)) != 0) {
		fprintf(stderr, "after frame %lu: %s / %s\n", frame,
		        savefile_geterr(a->s), savefile_geterr(b->s));
		abort();
	}
}

/*
 * The input is a capture file. Read from a file at offsets, from a plain
 * stream and from a gzip stream (after stdio took its share, as libpcap
 * opened it), savefile must hand out the same frames, with the same
 * interfaces, and end the same way; every frame's interface is one the
 * file described.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct way w[3];
	bool opened[3];
	uLongf zn = compressBound((uLong)size) + 32;
	uint8_t *z = malloc(zn);
	z_stream zs;
	unsigned long frame = 0;

	if (z == NULL)
		abort();
	memset(&zs, 0, sizeof zs);
	if (deflateInit2(&zs, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
	    Z_OK)
		abort();
	zs.next_in = (Bytef *)(uintptr_t)data;
	zs.avail_in = (uInt)size;
	zs.next_out = z;
	zs.avail_out = (uInt)zn;
	if (deflate(&zs, Z_FINISH) != Z_STREAM_END)
		abort();
	zn = zs.total_out;
	deflateEnd(&zs);

	opened[0] = open_file(&w[0], data, size);
	opened[1] = open_stream(&w[1], DECOMP_NONE, data, size,
	                        size % 5000 + 1);
	opened[2] = open_stream(&w[2], DECOMP_GZIP, z, zn, 4096);
	if (opened[0] != opened[1] || opened[0] != opened[2])
		abort();
	if (!opened[0])
		goto out;
	/* Taken or declined alike (a stream declines also when stdio took
	 * more than it keeps). */
	for (int i = 1; i < 3; i++)
		if ((w[0].s == NULL) != (w[i].s == NULL) && !w[i].overflow)
			abort();
	if (w[0].s == NULL)
		goto out;
	for (;;) {
		struct pcap_pkthdr h[3];
		const uint8_t *d[3];
		int r[3];

		for (int i = 0; i < 3; i++)
			r[i] = w[i].s != NULL ? savefile_next(w[i].s, &h[i], &d[i])
			                      : 0;
		frame++;
		for (int i = 1; i < 3; i++)
			if (w[i].s != NULL)
				compare(&w[0], &w[i], r[0], r[i], &h[0], &h[i],
				        d[0], d[i], frame);
		if (r[0] != 1)
			break;
		if (savefile_iface(w[0].s) >= savefile_nifaces(w[0].s))
			abort();
		/* Until libpcap would stop, every interface has its link
		 * type (libpcap's single one). */
		if (savefile_libpcap_stop(w[0].s) == NULL &&
		    savefile_dlt(w[0].s) != pcap_datalink(w[0].p))
			abort();
	}
out:
	for (int i = 0; i < 3; i++)
		if (opened[i])
			close_way(&w[i]);
		else
			decomp_free(w[i].d);
	free(z);
	return 0;
}
