/* capframes.c: every frame of a capture as the capture layer hands it out (src/capture/capture.h), one line each, for comparing with tshark. */
#include <inttypes.h>
#include <stdio.h>

#include "capture/capture.h"

/* Prints "number<TAB>interface<TAB>caplen<TAB>len<TAB>seconds.nanoseconds"
 * per frame of FILE, and the capture's warnings on stderr. Exit 2 when the
 * file cannot be opened. make check runs every check program without
 * arguments: it then says, in TAP, that it is a tool. */
static void
warn(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "capframes: %s\n", msg);
}

int
main(int argc, char **argv)
{
	char err[CAP_ERRLEN];
	struct capture *c;
	struct cap_pkt p;

	if (argc == 1) {
		printf("1..0 # SKIP a tool of tests/e2e/frames-vs-tshark\n");
		return 0;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: capframes FILE\n");
		return 2;
	}
	c = capture_open_files((const char *const *)argv + 1, 1, NULL, err,
	                       sizeof err);
	if (c == NULL) {
		fprintf(stderr, "capframes: %s\n", err);
		return 2;
	}
	capture_set_warn(c, warn, NULL);
	while (capture_next(c, &p) == CAP_PACKET)
		printf("%" PRIu64 "\t%" PRIu32 "\t%" PRIu32 "\t%" PRIu32
		       "\t%" PRIu64 ".%09" PRIu64 "\n",
		       (uint64_t)TA_FRAME_NO(p.frame), p.iface, p.caplen, p.len,
		       (uint64_t)(p.ts / TA_NS_PER_SEC),
		       (uint64_t)(p.ts % TA_NS_PER_SEC));
	capture_close(c);
	return 0;
}
