/*
 * savefile.h: capture files read without stdio (pcap-savefile(5),
 * draft-ietf-opsawg-pcapng).
 *
 * libpcap reads a file through stdio and then copies every frame once more
 * into a buffer of its own; on a large capture that is most of the time a
 * bare read loop takes. A plain file is read here instead, in large
 * chunks, and each frame is handed out where it lies in the chunk.
 *
 * Plain means a regular file (not a pipe) whose frames libpcap hands out
 * unchanged (a link type the analyser decodes), and:
 *  - classic pcap: the standard or the nanosecond magic in either byte
 *    order, version 2.4;
 *  - pcapng in this machine's byte order whose first interface has a
 *    resolution of micro- or nanoseconds and no time offset. Only that
 *    interface's Enhanced Packet Blocks are read here; at the first other
 *    block (another interface, statistics, a new section, anything odd)
 *    libpcap takes over and reads the rest of the file.
 * Anything else (stdin, older versions, Kuznetzov's format) stays with
 * libpcap from the start.
 *
 * Frames, lengths, timestamps and the words for a damaged file are exactly
 * libpcap's: tests/fuzz/fuzz_savefile compares the two on any input.
 */
#ifndef SAVEFILE_H
#define SAVEFILE_H

#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdint.h>

struct savefile;

/* Take over the reading of p, just opened by libpcap (with nanosecond
 * precision) and not read from since. NULL when the file is not plain or
 * memory is short: libpcap goes on reading it then. p stays open (its
 * descriptor is read) and must outlive the savefile. */
struct savefile *savefile_open(pcap_t *p);

/* As pcap_next_ex() on a file: 1 a frame (valid until the next call),
 * PCAP_ERROR_BREAK the end of the file, PCAP_ERROR the file is damaged
 * (savefile_geterr says how, in libpcap's words). */
int savefile_next(struct savefile *s, struct pcap_pkthdr *hdr,
                  const uint8_t **data);

const char *savefile_geterr(const struct savefile *s);

/* Bytes of the file consumed so far. */
uint64_t savefile_offset(const struct savefile *s);

/* pcapng: libpcap has taken over the reading. */
bool savefile_by_libpcap(const struct savefile *s);

void savefile_close(struct savefile *s);

#endif
