/* floor.c: benchmark floor, a bare libpcap read loop over a capture (pcap-savefile(5), pcapng draft-ietf-opsawg-pcapng). */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>

#include <pcap/pcap.h>

/*
 * The analyser can never be faster than libpcap handing it the packets, so
 * this loop is what its time is compared with: open with nanosecond
 * precision as the analyser does, fetch every record, and sum the captured
 * lengths so that the compiler cannot drop the loop.
 */
int
main(int argc, char **argv)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *hdr;
	const u_char *data;
	pcap_t *p;
	uint64_t packets = 0;
	uint64_t bytes = 0;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: floor FILE\n");
		return 2;
	}
	p = pcap_open_offline_with_tstamp_precision(argv[1],
	    PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (p == NULL) {
		fprintf(stderr, "floor: %s: %s\n", argv[1], errbuf);
		return 2;
	}
	for (;;) {
		rc = pcap_next_ex(p, &hdr, &data);
		if (rc != 1)
			break;
		packets++;
		bytes += hdr->caplen;
	}
	if (rc == PCAP_ERROR) {
		fprintf(stderr, "floor: %s: %s\n", argv[1], pcap_geterr(p));
		pcap_close(p);
		return 2;
	}
	pcap_close(p);
	printf("%" PRIu64 " packets %" PRIu64 " bytes\n", packets, bytes);
	return 0;
}
