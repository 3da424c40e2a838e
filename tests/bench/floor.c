/* floor.c: benchmark floor, a bare libpcap read loop over a capture (pcap-savefile(5), pcapng draft-ietf-opsawg-pcapng). */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <pcap/pcap.h>

#include "capture/savefile.h"

/*
 * The contract compares the analyser's time with this loop: open with
 * nanosecond precision as the analyser does, fetch every record, and sum
 * the captured lengths so that the compiler cannot drop the loop.
 *
 * With --own, the loop reads through the analyser's own reader instead
 * (src/capture/savefile.c, where the file is plain pcap or pcapng): not the
 * contract's floor, but what the analysis on top of reading costs is seen
 * against it.
 */
int
main(int argc, char **argv)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *hdr, own_hdr;
	const u_char *data;
	struct savefile *own = NULL;
	bool use_own = argc == 3 && strcmp(argv[1], "--own") == 0;
	const char *file = argv[argc - 1];
	pcap_t *p;
	uint64_t packets = 0;
	uint64_t bytes = 0;
	int rc;

	if (argc != 2 && !use_own) {
		fprintf(stderr, "usage: floor [--own] FILE\n");
		return 2;
	}
	p = pcap_open_offline_with_tstamp_precision(file,
	    PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (p == NULL) {
		fprintf(stderr, "floor: %s: %s\n", file, errbuf);
		return 2;
	}
	if (use_own && (own = savefile_open(p)) == NULL) {
		fprintf(stderr, "floor: %s: not a file the own reader reads\n",
		        file);
		pcap_close(p);
		return 2;
	}
	for (;;) {
		if (own != NULL) {
			rc = savefile_next(own, &own_hdr, &data);
			hdr = &own_hdr;
		} else {
			rc = pcap_next_ex(p, &hdr, &data);
		}
		if (rc != 1)
			break;
		packets++;
		bytes += hdr->caplen;
	}
	if (rc == PCAP_ERROR) {
		fprintf(stderr, "floor: %s: %s\n", file,
		        own != NULL ? savefile_geterr(own) : pcap_geterr(p));
		savefile_close(own);
		pcap_close(p);
		return 2;
	}
	savefile_close(own);
	pcap_close(p);
	printf("%" PRIu64 " packets %" PRIu64 " bytes\n", packets, bytes);
	return 0;
}
