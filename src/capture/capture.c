/* capture.c: offline files merged by time (plain pcap and pcapng files
 * read by savefile.c, the others by libpcap), or a live interface. */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#ifdef HAVE_STDIO_EXT_H
#include <stdio_ext.h>
#endif
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "capture/capture.h"
#include "capture/decap.h"
#include "capture/savefile.h"

struct cap_file {
	pcap_t *pcap;
	struct savefile *sf;       /* reads a plain pcap or pcapng file */
	struct pcap_pkthdr sf_hdr;
	const char *name;
	enum pkt_link link;
	uint64_t frames;           /* frames read from this file */
	uint64_t size;             /* file size, 0 if unknown */
	bool has_pkt;              /* a packet is waiting in hdr/data */
	bool has_filter;           /* prog filters what we hand out (offline;
	                            * live after capture_filter_inner) */
	struct bpf_program prog;
	/* For the packet inside a tunnel (capture_filter_inner): the port
	 * filter on it as raw IP, -f on the frame and on it. */
	bool has_inner, has_user, has_user_inner;
	struct bpf_program ports_inner, user_outer, user_inner;
	bool done;
	struct pcap_pkthdr *hdr;
	const u_char *data;
};

struct capture {
	struct cap_file *files;
	unsigned nfiles;
	bool live;
	volatile int stop;
	int last;                  /* file whose packet was handed out, -1 */
	struct cap_stats st;
	void (*warn)(void *ctx, const char *msg);
	void *warn_ctx;
	const struct pkt_decap *decap; /* tunnel ports, for the inner test */
};

/* Map libpcap's DLT to the link layers pkt_decode knows. */
static bool
map_link(int dlt, enum pkt_link *out)
{
	switch (dlt) {
	case DLT_EN10MB:
		*out = PKT_LINK_ETHERNET;
		return true;
	case DLT_NULL:
		*out = PKT_LINK_NULL;
		return true;
#ifdef DLT_LOOP
	case DLT_LOOP:
		*out = PKT_LINK_LOOP;
		return true;
#endif
	case DLT_RAW:
#if defined(DLT_RAW) && DLT_RAW != 14
	case 14: /* DLT_RAW on OpenBSD, found in files written there */
#endif
		*out = PKT_LINK_RAW;
		return true;
#ifdef DLT_IPV4
	case DLT_IPV4:
		*out = PKT_LINK_IPV4;
		return true;
#endif
#ifdef DLT_IPV6
	case DLT_IPV6:
		*out = PKT_LINK_IPV6;
		return true;
#endif
	case DLT_LINUX_SLL:
		*out = PKT_LINK_SLL;
		return true;
#ifdef DLT_LINUX_SLL2
	case DLT_LINUX_SLL2:
		*out = PKT_LINK_SLL2;
		return true;
#endif
#ifdef DLT_NFLOG
	case DLT_NFLOG:
		*out = PKT_LINK_NFLOG;
		return true;
#endif
	default:
		return false;
	}
}

static bool
link_check(pcap_t *p, const char *name, enum pkt_link *link, char *err,
           size_t errlen)
{
	int dlt = pcap_datalink(p);
	const char *dname;

	if (map_link(dlt, link))
		return true;
	dname = pcap_datalink_val_to_name(dlt);
	snprintf(err, errlen,
	         "%s: unsupported link type %s (%d); supported: Ethernet, "
	         "Linux cooked (SLL, SLL2), raw IP, BSD loopback, Linux NFLOG",
	         name, dname ? dname : "unknown", dlt);
	return false;
}

static bool
apply_filter(pcap_t *p, const char *name, const char *filter, char *err,
             size_t errlen)
{
	struct bpf_program prog;

	if (filter == NULL)
		return true;
	if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
		snprintf(err, errlen, "%s: bad filter '%s': %s", name, filter,
		         pcap_geterr(p));
		return false;
	}
	if (pcap_setfilter(p, &prog) != 0) {
		snprintf(err, errlen, "%s: cannot set filter: %s", name,
		         pcap_geterr(p));
		pcap_freecode(&prog);
		return false;
	}
	pcap_freecode(&prog);
	return true;
}

/* libpcap's messages for a non-capture are terse; say what it means. */
static void
open_error(const char *name, const char *perr, char *err, size_t errlen)
{
	struct stat st;

	if (strcmp(name, "-") != 0 && stat(name, &st) != 0) {
		snprintf(err, errlen, "%s: cannot open: %s", name, strerror(errno));
		return;
	}
	if (strstr(perr, "file header bytes, only got 0") != NULL)
		snprintf(err, errlen, "%s: empty, not a capture", name);
	else if (strstr(perr, "unknown file format") != NULL ||
	    strstr(perr, "truncated dump file") != NULL)
		snprintf(err, errlen, "%s: not a pcap or pcapng capture (%s)",
		         name, perr);
	else
		snprintf(err, errlen, "%s: %s", name, perr);
}

struct capture *
capture_open_files(const char *const *files, unsigned n, const char *filter,
                   char *err, size_t errlen)
{
	struct capture *c;
	char perr[PCAP_ERRBUF_SIZE];
	unsigned stdin_uses = 0;

	c = calloc(1, sizeof *c);
	if (c == NULL || n == 0) {
		snprintf(err, errlen, "no input");
		free(c);
		return NULL;
	}
	c->files = calloc(n, sizeof *c->files);
	if (c->files == NULL) {
		snprintf(err, errlen, "out of memory");
		free(c);
		return NULL;
	}
	c->last = -1;
	for (unsigned i = 0; i < n; i++) {
		if (strcmp(files[i], "-") == 0 && ++stdin_uses > 1) {
			snprintf(err, errlen, "-: standard input given twice");
			free(c->files);
			free(c);
			return NULL;
		}
	}
	for (unsigned i = 0; i < n; i++) {
		struct cap_file *f = &c->files[i];
		struct stat st;

		f->name = files[i];
		perr[0] = '\0';
		f->pcap = pcap_open_offline_with_tstamp_precision(
		    files[i], PCAP_TSTAMP_PRECISION_NANO, perr);
		if (f->pcap == NULL) {
			open_error(files[i], perr, err, errlen);
			goto fail;
		}
		c->nfiles = i + 1;
#ifdef HAVE___FSETLOCKING
		/* Only the reader thread (src/capture/reader.c) reads the file: stdio
		 * need not lock it twice per frame. */
		if (pcap_file(f->pcap) != NULL)
			__fsetlocking(pcap_file(f->pcap), FSETLOCKING_BYCALLER);
#endif
		if (!link_check(f->pcap, f->name, &f->link, err, errlen))
			goto fail;
		if (strcmp(files[i], "-") != 0)
			f->sf = savefile_open(f->pcap);
		/* Offline the filter runs here, not in libpcap, so that
		 * frames it rejects are still counted: frame numbers must be
		 * the file's own, as Wireshark shows them. */
		if (filter != NULL) {
			if (pcap_compile(f->pcap, &f->prog, filter, 1,
			                 PCAP_NETMASK_UNKNOWN) != 0) {
				snprintf(err, errlen, "%s: bad filter '%s': %s",
				         f->name, filter, pcap_geterr(f->pcap));
				goto fail;
			}
			f->has_filter = true;
		}
		if (strcmp(files[i], "-") != 0 && stat(files[i], &st) == 0)
			f->size = (uint64_t)st.st_size;
	}
	return c;
fail:
	capture_close(c);
	return NULL;
}

struct capture *
capture_open_live(const char *iface, const struct cap_filter *flt,
                  const struct pkt_decap *decap, char *err, size_t errlen)
{
	struct capture *c;
	char perr[PCAP_ERRBUF_SIZE], kfilter[8192];
	enum pkt_link link;
	pcap_t *p;
	int rc;

	c = calloc(1, sizeof *c);
	if (c == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->files = calloc(1, sizeof *c->files);
	if (c->files == NULL) {
		snprintf(err, errlen, "out of memory");
		free(c);
		return NULL;
	}
	c->live = true;
	c->last = -1;
	c->files[0].name = iface;
	perr[0] = '\0';
	p = pcap_create(iface, perr);
	if (p == NULL) {
		snprintf(err, errlen, "%s: %s", iface, perr);
		goto fail;
	}
	c->files[0].pcap = p;
	c->nfiles = 1;
	/* Full snaplen: a certificate chain must not be cut. A large ring so
	 * bursts do not become kernel drops; a short timeout so idle
	 * connections are swept and signals noticed. */
	pcap_set_snaplen(p, CAP_SNAPLEN);
	pcap_set_promisc(p, 1);
	pcap_set_timeout(p, 200);
	pcap_set_buffer_size(p, 32 << 20);
	pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO);
	rc = pcap_activate(p);
	if (rc < 0) {
		snprintf(err, errlen, "%s: %s", iface,
		         rc == PCAP_ERROR ? pcap_geterr(p) : pcap_statustostr(rc));
		goto fail;
	}
	if (!link_check(p, iface, &c->files[0].link, err, errlen))
		goto fail;
	/* The kernel sees the outer headers: it lets every tunnel in, and
	 * the exact test is made here (capture_filter_inner). */
	link = c->files[0].link;
	if (!decap_kernel_filter(decap, flt->all, link == PKT_LINK_ETHERNET ||
	                                            link == PKT_LINK_SLL ||
	                                            link == PKT_LINK_SLL2,
	                         kfilter, sizeof kfilter)) {
		snprintf(err, errlen, "%s: filter expression too long", iface);
		goto fail;
	}
	if (!apply_filter(p, iface, kfilter, err, errlen) ||
	    !capture_filter_inner(c, flt, decap, err, errlen))
		goto fail;
	return c;
fail:
	capture_close(c);
	return NULL;
}

static void
warn(struct capture *c, const char *msg)
{
	if (c->warn != NULL)
		c->warn(c->warn_ctx, msg);
}

/* pcap_next_ex() on either reader of a file. */
static int
next_frame(struct cap_file *f)
{
	if (f->sf == NULL)
		return pcap_next_ex(f->pcap, &f->hdr, &f->data);
	f->hdr = &f->sf_hdr;
	return savefile_next(f->sf, &f->sf_hdr, &f->data);
}

/*
 * Does the filter take this frame? The whole filter (ports and -f) on the
 * frame as captured; or, for a frame whose TCP segment sits inside layers
 * (tags, labels, tunnels), the port filter on the innermost IP packet (as
 * a raw-IP link would show it) and -f on either the frame or that packet.
 * Live, the kernel checked the frame against a wider filter already; a
 * plain frame (pkt_quick) can only have passed its port clause.
 */
static bool
filter_takes(const struct capture *c, struct cap_file *f)
{
	struct pcap_pkthdr h;
	struct pkt_quick q;
	struct pkt p;

	if (c->live && pkt_quick(f->link, f->data, f->hdr->caplen, &q))
		return true;
	if (pcap_offline_filter(&f->prog, f->hdr, f->data) != 0)
		return true;
	if (!f->has_inner)
		return false;
	/* Whatever became of the segment, the IP packet inside counts. */
	if (pkt_decode_opts(f->link, f->data, f->hdr->caplen, c->decap, &p) ==
	        DIS_OK &&
	    p.nencap == 0)
		return false;
	if (p.nencap == 0 || p.ip.p == NULL)
		return false;
	h = *f->hdr;
	h.caplen = (bpf_u_int32)p.ip.n;
	h.len = p.ip_len;
	if (pcap_offline_filter(&f->ports_inner, &h, p.ip.p) == 0)
		return false;
	if (!f->has_user)
		return true;
	return pcap_offline_filter(&f->user_outer, f->hdr, f->data) != 0 ||
	       (f->has_user_inner &&
	        pcap_offline_filter(&f->user_inner, &h, p.ip.p) != 0);
}

/* Pull the next packet of one file into its lookahead slot. */
static void
file_advance(struct capture *c, struct cap_file *f)
{
	int rc;

	f->has_pkt = false;
	if (f->done)
		return;
	for (;;) {
		rc = next_frame(f);
		if (rc != 1)
			break;
		f->frames++;
		if (f->has_filter && !filter_takes(c, f))
			continue;
		f->has_pkt = true;
		return;
	}
	if (rc == 0) /* live read timeout */
		return;
	if (rc == PCAP_ERROR_BREAK && !c->live) {
		f->done = true;
		return;
	}
	if (rc == PCAP_ERROR_BREAK && c->stop) {
		f->done = true;
		return;
	}
	if (rc == PCAP_ERROR) {
		char msg[CAP_ERRLEN];
		snprintf(msg, sizeof msg,
		         "%s: damaged after frame %llu (%s); analysed up to there",
		         f->name, (unsigned long long)f->frames,
		         f->sf != NULL ? savefile_geterr(f->sf)
		                       : pcap_geterr(f->pcap));
		warn(c, msg);
		c->st.damaged_files++;
	}
	f->done = true;
}

enum cap_status
capture_next(struct capture *c, struct cap_pkt *pkt)
{
	struct cap_file *best = NULL;
	ta_time best_ts = 0;
	int best_i = -1;

	if (c->live) {
		struct cap_file *f = &c->files[0];
		if (c->stop)
			return CAP_END;
		file_advance(c, f);
		if (f->done)
			return CAP_END;
		if (!f->has_pkt)
			return c->stop ? CAP_END : CAP_IDLE;
		best = f;
		best_i = 0;
	} else {
		/* The file whose packet went out last needs a new one. */
		if (c->last >= 0)
			file_advance(c, &c->files[c->last]);
		c->last = -1;
		for (unsigned i = 0; i < c->nfiles; i++) {
			struct cap_file *f = &c->files[i];
			ta_time ts;

			if (!f->has_pkt && !f->done && f->frames == 0)
				file_advance(c, f);
			if (!f->has_pkt)
				continue;
			ts = (ta_time)f->hdr->ts.tv_sec * TA_NS_PER_SEC +
			     (ta_time)f->hdr->ts.tv_usec;
			/* Ties go to the earlier file: rotated files are
			 * given in order. */
			if (best == NULL || ts < best_ts) {
				best = f;
				best_ts = ts;
				best_i = (int)i;
			}
		}
		if (best == NULL)
			return CAP_END;
		c->last = best_i;
	}
	pkt->data = best->data;
	pkt->caplen = best->hdr->caplen;
	pkt->len = best->hdr->len;
	pkt->ts = (ta_time)best->hdr->ts.tv_sec * TA_NS_PER_SEC +
	          (ta_time)best->hdr->ts.tv_usec;
	pkt->frame = TA_FRAME((unsigned)best_i, best->frames);
	pkt->link = best->link;
	c->st.packets++;
	c->st.bytes += pkt->caplen;
	return CAP_PACKET;
}

bool
capture_filter_inner(struct capture *c, const struct cap_filter *flt,
                     const struct pkt_decap *decap, char *err, size_t errlen)
{
	pcap_t *dead = NULL;

	c->decap = decap;
	if (flt == NULL || flt->all == NULL)
		return true;
	dead = pcap_open_dead(DLT_RAW, CAP_SNAPLEN);
	if (dead == NULL) {
		snprintf(err, errlen, "out of memory");
		return false;
	}
	for (unsigned i = 0; i < c->nfiles; i++) {
		struct cap_file *f = &c->files[i];

		/* Live, the kernel had the wider filter: the exact one runs
		 * here. */
		if (c->live && !f->has_filter) {
			if (pcap_compile(f->pcap, &f->prog, flt->all, 1,
			                 PCAP_NETMASK_UNKNOWN) != 0)
				goto bad;
			f->has_filter = true;
		}
		if (pcap_compile(dead, &f->ports_inner, flt->ports, 1,
		                 PCAP_NETMASK_UNKNOWN) != 0) {
			snprintf(err, errlen, "%s: bad filter '%s': %s", f->name,
			         flt->ports, pcap_geterr(dead));
			goto fail;
		}
		f->has_inner = true;
		if (flt->user == NULL)
			continue;
		if (pcap_compile(f->pcap, &f->user_outer, flt->user, 1,
		                 PCAP_NETMASK_UNKNOWN) != 0)
			goto bad;
		f->has_user = true;
		/* An expression on link-layer fields (ether host) has no
		 * meaning on a raw IP packet: then only the frame is tested. */
		if (pcap_compile(dead, &f->user_inner, flt->user, 1,
		                 PCAP_NETMASK_UNKNOWN) == 0)
			f->has_user_inner = true;
	}
	pcap_close(dead);
	return true;
bad:
	snprintf(err, errlen, "bad filter '%s': %s", flt->all,
	         pcap_geterr(c->files[0].pcap));
fail:
	pcap_close(dead);
	return false;
}

void
capture_stop(struct capture *c)
{
	c->stop = 1;
	if (c->live && c->files[0].pcap != NULL)
		pcap_breakloop(c->files[0].pcap);
}

void
capture_progress(const struct capture *c, uint64_t *done, uint64_t *total)
{
	*done = 0;
	*total = 0;
	for (unsigned i = 0; i < c->nfiles; i++) {
		const struct cap_file *f = &c->files[i];
		FILE *fp;
		long pos;

		if (f->size == 0 || f->pcap == NULL)
			continue;
		*total += f->size;
		if (f->done) {
			*done += f->size;
			continue;
		}
		if (f->sf != NULL) {
			*done += savefile_offset(f->sf);
			continue;
		}
		fp = pcap_file(f->pcap);
		pos = fp ? ftell(fp) : -1;
		if (pos > 0)
			*done += (uint64_t)pos;
	}
}

void
capture_stats(struct capture *c, struct cap_stats *st)
{
	*st = c->st;
	if (c->live && c->files[0].pcap != NULL) {
		struct pcap_stat ps;
		if (pcap_stats(c->files[0].pcap, &ps) == 0) {
			st->kernel_known = true;
			st->kernel_recv = ps.ps_recv;
			st->kernel_drop = ps.ps_drop;
			st->ifdrop = ps.ps_ifdrop;
		}
	}
}

unsigned
capture_nfiles(const struct capture *c)
{
	return c->nfiles;
}

enum pkt_link
capture_link(const struct capture *c, unsigned idx)
{
	return idx < c->nfiles ? c->files[idx].link : PKT_LINK_ETHERNET;
}

const char *
capture_file_name(const struct capture *c, unsigned idx)
{
	return idx < c->nfiles ? c->files[idx].name : "?";
}

bool
capture_is_live(const struct capture *c)
{
	return c->live;
}

void
capture_set_warn(struct capture *c, void (*fn)(void *ctx, const char *msg),
                 void *ctx)
{
	c->warn = fn;
	c->warn_ctx = ctx;
}

void
capture_close(struct capture *c)
{
	if (c == NULL)
		return;
	for (unsigned i = 0; i < c->nfiles; i++) {
		if (c->files[i].has_filter)
			pcap_freecode(&c->files[i].prog);
		if (c->files[i].has_inner)
			pcap_freecode(&c->files[i].ports_inner);
		if (c->files[i].has_user)
			pcap_freecode(&c->files[i].user_outer);
		if (c->files[i].has_user_inner)
			pcap_freecode(&c->files[i].user_inner);
		savefile_close(c->files[i].sf);
		if (c->files[i].pcap != NULL)
			pcap_close(c->files[i].pcap);
	}
	free(c->files);
	free(c);
}
