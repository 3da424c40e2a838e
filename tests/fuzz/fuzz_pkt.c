/* fuzz_pkt.c: fuzz target for frame decoding down to TCP (IEEE 802.1Q, RFC 791, RFC 8200, RFC 9293). */
#include <stdint.h>
#include <stdlib.h>

#include "pkt.h"
#include "sniff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The first input byte picks the link type, the rest is the frame. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pkt p;
	struct pkt_quick q;
	enum dis_status rc;
	enum pkt_link link;
	const uint8_t *frame;
	size_t caplen;
	volatile unsigned sum = 0;

	if (size == 0)
		return 0;
	link = (enum pkt_link)(data[0] % ((unsigned)PKT_LINK_LAST + 1));
	frame = data + 1;
	caplen = size - 1;
	rc = pkt_decode(link, frame, caplen, &p);
	/* The quick look, when it answers, must agree with the decoder. */
	if (pkt_quick(link, frame, caplen, &q) &&
	    (rc != DIS_OK || q.sport != p.sport || q.dport != p.dport ||
	     q.truncated != ((p.anomalies & PKT_A_TRUNCATED) != 0) ||
	     (p.anomalies & PKT_A_VLAN) != 0 || p.nencap != 0 ||
	     q.payload_n != p.payload.n ||
	     (q.payload_n > 0 && frame + q.payload_off != p.payload.p)))
		abort();
	/* The look at a stream's first bytes reads only what is there. */
	if (rc == DIS_OK)
		(void)sniff_stream_start(p.payload.p, p.payload.n);
	if (rc != DIS_OK) {
		/* A refusal must say why. */
		if (p.skip == PKT_SKIP_NONE)
			abort();
		return 0;
	}
	/* The payload view must lie inside the frame and within its wire length. */
	if (p.skip != PKT_SKIP_NONE || p.payload.n > p.payload_len ||
	    p.payload.p < frame || p.payload.n > caplen ||
	    (size_t)(p.payload.p - frame) > caplen - p.payload.n)
		abort();
	/* Read every payload byte so that ASan sees any bad view. */
	for (size_t i = 0; i < p.payload.n; i++)
		sum += p.payload.p[i];
	sum += (unsigned)p.sport + p.dport + p.flags + p.nencap;
	(void)sum;
	(void)pkt_link_name(link);
	return 0;
}
