/* fuzz_savefile.c: fuzz target for the classic pcap reader (pcap-savefile(5)), checked against libpcap. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "savefile_same.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input is a capture file. Whatever savefile makes of it must be what
 * libpcap makes of it, damage included. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char why[512];
	unsigned long frames;
	bool taken;

	if (!savefile_same(data, size, &taken, &frames, why, sizeof why)) {
		fprintf(stderr, "savefile and libpcap differ: %s\n", why);
		abort();
	}
	return 0;
}
