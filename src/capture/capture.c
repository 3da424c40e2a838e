/* capture.c: frames handed out in time order from the open inputs
 * (offline files merged, or a live interface), filtered, with the link and
 * name of their pcapng interface (opening: capture_files.c, capture_live.c). */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/capture.h"
#include "capture/capture_int.h"
#include "capture/decomp.h"
#include "capture/savefile.h"

/* Map libpcap's DLT to the link layers pkt_decode knows. */
bool
cap_map_link(int dlt, enum pkt_link *out)
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

bool
cap_link_check(pcap_t *p, const char *name, enum pkt_link *link,
               char *err, size_t errlen)
{
	int dlt = pcap_datalink(p);
	const char *dname;

	if (cap_map_link(dlt, link))
		return true;
	dname = pcap_datalink_val_to_name(dlt);
	snprintf(err, errlen,
	         "%s: unsupported link type %s (%d); supported: Ethernet, "
	         "Linux cooked (SLL, SLL2), raw IP, BSD loopback, Linux NFLOG",
	         name, dname ? dname : "unknown", dlt);
	return false;
}

/* A one-line warning about the input, counted for the run summary. */
static void
warn(struct capture *c, const char *msg)
{
	c->st.warnings++;
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

/* The port filter, and -f if there is one, on the IP packet a tunnel
 * carried (p decoded from f's frame). */
static bool
inner_takes(struct cap_file *f, bool first_link, const struct pkt *p)
{
	struct pcap_pkthdr h;

	if (p->nencap == 0 || p->ip.p == NULL)
		return false;
	h = *f->hdr;
	h.caplen = (bpf_u_int32)p->ip.n;
	h.len = p->ip_len;
	if (pcap_offline_filter(&f->ports_inner, &h, p->ip.p) == 0)
		return false;
	if (!f->has_user)
		return true;
	return (first_link &&
	        pcap_offline_filter(&f->user_outer, f->hdr, f->data) != 0) ||
	       (f->has_user_inner &&
	        pcap_offline_filter(&f->user_inner, &h, p->ip.p) != 0);
}

/*
 * Does the filter take this frame? The whole filter (ports and -f) on the
 * frame as captured; or, for a frame whose TCP segment sits inside layers
 * (tags, labels, tunnels), the port filter on the innermost IP packet (as
 * a raw-IP link would show it) and -f on either the frame or that packet;
 * a frame of several packets (an 802.11 A-MSDU) when one of them passes.
 * Live, the kernel checked the frame against a wider filter already; a
 * plain frame (pkt_quick) can only have passed its port clause.
 */
static bool
filter_takes(const struct capture *c, struct cap_file *f,
             const struct bpf_program *prog, enum pkt_link link)
{
	struct pkt_quick q;
	struct pkt p;
	unsigned n;
	/* -f alone was compiled for the file's first link type. */
	bool first_link = prog == &f->prog;

	if (prog == NULL)
		return false;
	if (c->live && pkt_quick(link, f->data, f->hdr->caplen, &q))
		return true;
	if (pcap_offline_filter(prog, f->hdr, f->data) != 0)
		return true;
	if (!f->has_inner)
		return false;
	/* Whatever became of the segment, the IP packet inside counts. */
	if (pkt_decode_opts(link, f->data, f->hdr->caplen, c->decap, &p) ==
	        DIS_OK &&
	    p.nencap == 0)
		return false;
	if (inner_takes(f, first_link, &p))
		return true;
	n = p.nsub;
	for (unsigned i = 1; i < n; i++) {
		if (pkt_decode_sub(link, f->data, f->hdr->caplen, c->decap, i,
		                   &p) != DIS_OK &&
		    p.ip.p == NULL)
			continue; /* no IP packet to look at */
		if (inner_takes(f, first_link, &p))
			return true;
	}
	return false;
}

/* Where interface i of a pcapng file is described; NULL past the chunks
 * or without memory. Reader thread only. */
static struct cap_if *
iface_slot(struct cap_file *f, uint32_t i)
{
	struct cap_if **chunk;

	if (i / IF_CHUNK >= IF_CHUNKS)
		return NULL;
	chunk = &f->ifs[i / IF_CHUNK];
	if (*chunk == NULL)
		*chunk = calloc(IF_CHUNK, sizeof **chunk);
	return *chunk != NULL ? &(*chunk)[i % IF_CHUNK] : NULL;
}

/* A link type in words: "USB_LINUX (189)", or "147" without a name. */
static const char *
link_words(char *buf, size_t len, int dlt)
{
	const char *name = pcap_datalink_val_to_name(dlt);

	if (name != NULL)
		snprintf(buf, len, "%s (%d)", name, dlt);
	else
		snprintf(buf, len, "%d", dlt);
	return buf;
}

/* -f for link type dlt, compiled once per link type. NULL when it does
 * not compile for it: those frames are left out, and that is said once. */
static const struct bpf_program *
filter_for(struct capture *c, struct cap_file *f, int dlt, uint32_t iface)
{
	struct link_filter *nf;
	pcap_t *dead;

	if (dlt == pcap_datalink(f->pcap))
		return &f->prog;
	for (unsigned i = 0; i < f->nfilters; i++)
		if (f->filters[i].dlt == dlt)
			return f->filters[i].ok ? &f->filters[i].prog : NULL;
	nf = realloc(f->filters, (f->nfilters + 1) * sizeof *nf);
	if (nf == NULL)
		return NULL;
	f->filters = nf;
	nf = &f->filters[f->nfilters++];
	memset(nf, 0, sizeof *nf);
	nf->dlt = dlt;
	dead = pcap_open_dead(dlt, (int)CAP_SNAPLEN);
	nf->ok = dead != NULL &&
	         pcap_compile(dead, &nf->prog, f->filter_expr, 1,
	                      PCAP_NETMASK_UNKNOWN) == 0;
	if (!nf->ok) {
		char msg[CAP_ERRLEN], lt[64];

		snprintf(msg, sizeof msg,
		         "%s: interface %u: filter '%s' does not apply to link "
		         "type %s: its frames are left out", f->name, iface,
		         f->filter_expr, link_words(lt, sizeof lt, dlt));
		warn(c, msg);
	}
	if (dead != NULL)
		pcap_close(dead);
	return nf->ok ? &nf->prog : NULL;
}

/*
 * The frame just read came on another interface than the last one: its
 * link, its filter, and, the first time, its description (and a word when
 * its link type is not decoded).
 */
static void
iface_enter(struct capture *c, struct cap_file *f, uint32_t i)
{
	struct cap_if *e = iface_slot(f, i);
	int dlt = savefile_dlt(f->sf);
	enum pkt_link link;

	f->cur_if = i;
	f->cur_known = true;
	if (e != NULL && e->known) {
		f->cur_link = e->link;
	} else {
		if (!cap_map_link(dlt, &link))
			link = CAP_LINK_OTHER;
		f->cur_link = link;
		if (e != NULL) {
			e->link = link;
			snprintf(e->name, sizeof e->name, "%s",
			         savefile_ifname(f->sf));
			e->known = true;
		}
		if (e != NULL && link == CAP_LINK_OTHER) {
			char msg[CAP_ERRLEN], lt[64];

			snprintf(msg, sizeof msg,
			         "%s: interface %u%s%s%s: link type %s is not "
			         "decoded; its frames are counted, not analysed",
			         f->name, i, e->name[0] ? " (" : "", e->name,
			         e->name[0] ? ")" : "",
			         link_words(lt, sizeof lt, dlt));
			warn(c, msg);
		}
	}
	if (f->has_filter)
		f->cur_prog = filter_for(c, f, dlt, i);
}

/* pcapng: the interface of the frame just read. */
static void
frame_iface(struct capture *c, struct cap_file *f)
{
	uint32_t i = savefile_iface(f->sf);

	if (!f->cur_known || i != f->cur_if)
		iface_enter(c, f, i);
	/* The reports name interfaces once a file has several: said where
	 * it is found, among the frames when a reader thread reads them. */
	if (!f->several_told && savefile_nifaces(f->sf) > 1) {
		f->several_told = true;
		if (c->several != NULL)
			c->several(c->several_ctx, (unsigned)(f - c->files));
		else
			f->several = true;
	}
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
		if (f->ng) {
			frame_iface(c, f);
			f->no_ts = savefile_no_time(f->sf);
		}
		if (f->has_filter &&
		    !filter_takes(c, f, f->ng ? f->cur_prog : &f->prog,
		                  f->ng ? f->cur_link : f->link)) {
			continue;
		}
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

		/* Damage inside the compression is the cause: say it first,
		 * as a cut capture's reason is said. */
		if (f->dc != NULL && decomp_failed(f->dc))
			snprintf(msg, sizeof msg,
			         "%s: %s: damaged after frame %llu; analysed up "
			         "to there", f->name, decomp_error(f->dc),
			         (unsigned long long)f->frames);
		else
			snprintf(msg, sizeof msg,
			         "%s: damaged after frame %llu (%s); analysed up "
			         "to there", f->name,
			         (unsigned long long)f->frames,
			         f->sf != NULL ? savefile_geterr(f->sf)
			                       : pcap_geterr(f->pcap));
		warn(c, msg);
		c->st.damaged_files++;
	}
	f->done = true;
}

/* The last second 64 bits of nanoseconds can count (2554). */
#define CAP_TS_MAX_SEC ((time_t)(UINT64_MAX / TA_NS_PER_SEC - 1))

enum ts_kind {
	TS_GOOD,
	TS_OUT_OF_RANGE,
	TS_ABSENT,          /* a pcapng Simple Packet Block has none */
};

/* The capture time of f's waiting frame; out of range or absent, the
 * latest good one of its file before it: no step back is invented, and
 * merged files stay in order. */
static ta_time
file_time(const struct cap_file *f, enum ts_kind *k)
{
	time_t sec = f->hdr->ts.tv_sec;

	*k = f->no_ts ? TS_ABSENT : sec < 0 || sec > CAP_TS_MAX_SEC ?
	     TS_OUT_OF_RANGE : TS_GOOD;
	if (*k != TS_GOOD)
		return f->last_good_ts;
	return (ta_time)sec * TA_NS_PER_SEC + (ta_time)f->hdr->ts.tv_usec;
}

enum cap_status
capture_next(struct capture *c, struct cap_pkt *pkt)
{
	enum ts_kind tk;
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
			ts = file_time(f, &tk);
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
	/* A pcapng interface may declare any snapshot length: what is
	 * kept of a frame is bounded all the same (the reader's blocks
	 * hold frames of up to this size). */
	if (pkt->caplen > CAP_SNAPLEN)
		pkt->caplen = CAP_SNAPLEN;
	pkt->len = best->hdr->len;
	pkt->ts = file_time(best, &tk);
	pkt->frame = TA_FRAME((unsigned)best_i, best->frames);
	if (tk == TS_OUT_OF_RANGE) {
		if (c->st.ts_out_of_range++ == 0)
			c->st.ts_out_of_range_frame = pkt->frame;
	} else if (tk == TS_ABSENT) {
		if (c->st.ts_absent++ == 0)
			c->st.ts_absent_frame = pkt->frame;
	} else if (pkt->ts > best->last_good_ts) {
		best->last_good_ts = pkt->ts;
	}
	pkt->link = best->ng ? best->cur_link : best->link;
	pkt->iface = best->ng ? best->cur_if : 0;
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
		/* A compressed file's size is of its compressed bytes. */
		if (f->dc != NULL) {
			*done += decomp_in_bytes(f->dc);
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
capture_iface_name(const struct capture *c, unsigned file, uint32_t iface)
{
	const struct cap_file *f;
	const struct cap_if *chunk;

	if (file >= c->nfiles || !c->files[file].ng ||
	    iface / IF_CHUNK >= IF_CHUNKS)
		return NULL;
	f = &c->files[file];
	chunk = f->ifs[iface / IF_CHUNK];
	if (chunk == NULL || !chunk[iface % IF_CHUNK].known ||
	    chunk[iface % IF_CHUNK].name[0] == '\0')
		return NULL;
	return chunk[iface % IF_CHUNK].name;
}

bool
capture_several_ifaces(const struct capture *c, unsigned file)
{
	return file < c->nfiles && c->files[file].several;
}

void
capture_note_several(struct capture *c, unsigned file)
{
	if (file < c->nfiles)
		c->files[file].several = true;
}

void
capture_set_several(struct capture *c, void (*fn)(void *ctx, unsigned file),
                    void *ctx)
{
	c->several = fn;
	c->several_ctx = ctx;
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
		struct cap_file *f = &c->files[i];

		if (f->has_filter)
			pcap_freecode(&f->prog);
		if (f->has_inner)
			pcap_freecode(&f->ports_inner);
		if (f->has_user)
			pcap_freecode(&f->user_outer);
		if (f->has_user_inner)
			pcap_freecode(&f->user_inner);
		for (unsigned k = 0; k < f->nfilters; k++)
			if (f->filters[k].ok)
				pcap_freecode(&f->filters[k].prog);
		free(f->filters);
		for (unsigned k = 0; f->ifs != NULL && k < IF_CHUNKS; k++)
			free(f->ifs[k]);
		free(f->ifs);
		savefile_close(f->sf);
		/* The FILE first: it reads the stream, which reads fd. */
		if (f->pcap != NULL)
			pcap_close(f->pcap);
		decomp_free(f->dc);
		if (f->fd >= 0)
			close(f->fd);
	}
	free(c->files);
	free(c);
}
