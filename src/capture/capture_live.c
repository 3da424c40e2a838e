/* capture_live.c: a live interface opened (full snaplen, the kernel filter
 * from decap.c), stopped, and the kernel's counts of it. */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>

#include "capture/capture.h"
#include "capture/capture_int.h"
#include "capture/decap.h"

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
	c->files[0].fd = -1;
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
	if (!cap_link_check(p, iface, &c->files[0].link, err, errlen))
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

void
capture_stop(struct capture *c)
{
	c->stop = 1;
	if (c->live && c->files[0].pcap != NULL)
		pcap_breakloop(c->files[0].pcap);
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
