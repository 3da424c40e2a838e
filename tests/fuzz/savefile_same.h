/* savefile_same.h: a capture read by libpcap and by savefile side by side. */
#ifndef SAVEFILE_SAME_H
#define SAVEFILE_SAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct savefile_same {
	bool taken;             /* savefile read the file (else libpcap
	                         * reads it and there is nothing to compare) */
	unsigned long frames;   /* frames both read, alike */
	bool libpcap_stopped;   /* at an interface libpcap refuses */
	unsigned long beyond;   /* frames savefile read past that point */
};

/*
 * Read the capture in bytes twice, with libpcap alone and with savefile,
 * and compare every result: frames (lengths, timestamps, bytes; for link
 * types whose pseudo-headers libpcap rewrites, timestamps and captured
 * lengths), the end, and the words for damage. Where libpcap stops at an
 * interface of another link type or snapshot length, savefile must say it
 * would (savefile_libpcap_stop, in libpcap's words) and reads on alone.
 * Returns true when they agree; otherwise why says where they part.
 */
bool savefile_same(const uint8_t *bytes, size_t n, struct savefile_same *r,
                   char *why, size_t whylen);

#endif
