/* fuzz_encap.c: fuzz target for the decapsulation in dissect/pkt.c
 * (tags, labels, PPPoE, GRE, ERSPAN, VXLAN, Geneve, GTP-U, IP in IP,
 * NFLOG, 802.11 and its A-MSDUs in Aruba's GRE), with an extra tunnel
 * port as --decap-port gives. */
#include <stdint.h>
#include <stdlib.h>

#include "pkt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
inside(const uint8_t *frame, size_t caplen, const uint8_t *p, size_t n)
{
	if (p == NULL)
		return;
	if (p < frame || n > caplen || (size_t)(p - frame) > caplen - n)
		abort();
}

/* Each further packet of an A-MSDU: the same frame's, numbered, its
 * views inside the frame; none past the count. */
static void
subs(enum pkt_link link, const uint8_t *frame, size_t caplen,
     const struct pkt_decap *d, unsigned nsub)
{
	struct pkt p;
	enum dis_status rc;

	if (nsub > PKT_MAX_SUB)
		abort();
	for (unsigned i = 1; i < nsub; i++) {
		rc = pkt_decode_sub(link, frame, caplen, d, i, &p);
		if (p.nsub != nsub || p.sub != i || p.nencap > PKT_MAX_ENCAP)
			abort();
		inside(frame, caplen, p.ip.p, p.ip.n);
		if (rc != DIS_OK) {
			if (p.skip == PKT_SKIP_NONE)
				abort();
			continue;
		}
		if (p.payload.n > p.payload_len)
			abort();
		inside(frame, caplen, p.payload.p, p.payload.n);
	}
	if (pkt_decode_sub(link, frame, caplen, d, nsub > 0 ? nsub : 1, &p) ==
	    DIS_OK)
		abort();
}

/*
 * Byte 0 picks the link type, bytes 1-2 an extra UDP tunnel port and
 * byte 3 its type; the rest is the frame.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t types[] = {PKT_ENC_VXLAN, PKT_ENC_GENEVE,
	                                PKT_ENC_GTPU};
	struct pkt_decap d;
	struct pkt p;
	struct pkt_quick q;
	enum dis_status rc;
	enum pkt_link link;
	const uint8_t *frame;
	size_t caplen;
	volatile unsigned sum = 0;

	if (size < 4)
		return 0;
	link = (enum pkt_link)(data[0] % ((unsigned)PKT_LINK_LAST + 1));
	d.n = 1;
	d.port[0].port = (uint16_t)(data[1] << 8 | data[2]);
	d.port[0].type = types[data[3] % 3];
	frame = data + 4;
	caplen = size - 4;
	rc = pkt_decode_opts(link, frame, caplen, &d, &p);
	/* The quick look never answers for a frame with layers, and agrees
	 * with the decoder where it answers. */
	if (pkt_quick(link, frame, caplen, &q) &&
	    (rc != DIS_OK || p.nencap != 0 || q.sport != p.sport ||
	     q.dport != p.dport))
		abort();
	if (p.nencap > PKT_MAX_ENCAP)
		abort();
	for (unsigned i = 0; i < p.nencap; i++) {
		const struct pkt_encap *e = &p.encap[i];

		if (pkt_encap_name((enum pkt_encap_type)e->type) == NULL ||
		    !(p.anomalies & PKT_A_ENC(e->type)))
			abort();
		if (e->has_outer && e->outer_src.family != 4 &&
		    e->outer_src.family != 6)
			abort();
		sum += e->id + e->outer_dst.a[0];
	}
	/* The inner IP packet handed to the -f filter lies in the frame. */
	inside(frame, caplen, p.ip.p, p.ip.n);
	if (p.ip.p != NULL && p.ip.n > p.ip_len)
		abort();
	for (size_t i = 0; i < p.ip.n; i++)
		sum += p.ip.p[i];
	if (p.sub != 0)
		abort();
	subs(link, frame, caplen, &d, p.nsub);
	if (rc != DIS_OK) {
		if (p.skip == PKT_SKIP_NONE)
			abort();
		return 0;
	}
	if (p.skip != PKT_SKIP_NONE || p.payload.n > p.payload_len)
		abort();
	inside(frame, caplen, p.payload.p, p.payload.n);
	for (size_t i = 0; i < p.payload.n; i++)
		sum += p.payload.p[i];
	/* Without the extra port the decoder may stop earlier, never go
	 * further than it did with it. */
	{
		struct pkt p2;

		if (pkt_decode_opts(link, frame, caplen, NULL, &p2) == DIS_OK &&
		    p2.nencap != p.nencap)
			abort();
	}
	(void)sum;
	return 0;
}
