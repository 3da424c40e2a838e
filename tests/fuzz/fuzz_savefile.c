/* fuzz_savefile.c: fuzz target for the pcap and pcapng reader (pcap-savefile(5), draft-ietf-opsawg-pcapng), checked against libpcap. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "savefile_same.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input is a capture file. Whatever savefile makes of it must be what
 * libpcap makes of it, damage included, up to where libpcap gives up on
 * an interface. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct savefile_same r;
	char why[512];

	if (!savefile_same(data, size, &r, why, sizeof why)) {
		fprintf(stderr, "savefile and libpcap differ: %s\n", why);
		abort();
	}
	return 0;
}
