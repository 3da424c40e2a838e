/* savefile_same.h: a capture read by libpcap and by savefile side by side. */
#ifndef SAVEFILE_SAME_H
#define SAVEFILE_SAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Read the capture in bytes twice, with libpcap alone and with savefile,
 * and compare every result: frames (lengths, timestamps, bytes), the end,
 * and the words for damage. Returns true when they agree; otherwise why
 * says where they part. *taken tells whether savefile read the file
 * (when it declines, libpcap reads it and there is nothing to compare).
 * *frames counts the frames both read.
 */
bool savefile_same(const uint8_t *bytes, size_t n, bool *taken,
                   unsigned long *frames, char *why, size_t whylen);

#endif
