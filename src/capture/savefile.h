/*
 * savefile.h: capture files read without stdio (pcap-savefile(5),
 * draft-ietf-opsawg-pcapng).
 *
 * libpcap reads a file through stdio and then copies every frame once more
 * into a buffer of its own; on a large capture that is most of the time a
 * bare read loop takes. A file is read here instead, in large chunks, and
 * each frame is handed out where it lies in the chunk. The bytes come from
 * a regular file (pread at offsets) or from a stream (standard input, a
 * decompressed file: src/capture/decomp.h) that libpcap began to read
 * through stdio: the stream then brings what stdio already took.
 *
 * Read here:
 *  - classic pcap: the standard or the nanosecond magic in either byte
 *    order, version 2.4, with a link type whose frames libpcap hands out
 *    unchanged (it rewrites some pseudo-headers: USB, NFLOG, and the CAN
 *    ids of cooked frames in a byte-swapped file);
 *  - pcapng in either byte order, whole: every interface with its own link
 *    type, snapshot length, time resolution (if_tsresol) and offset
 *    (if_tsoffset), every section, each in its own byte order, Enhanced,
 *    Simple and obsolete Packet Blocks (one frame each, in file order, as
 *    Wireshark numbers them). libpcap 1.10 stops at an interface whose
 *    link type or snapshot length differs from the first's, and at a
 *    section in the other byte order; this reads on. Frames are handed
 *    out as the file has them, whatever their link type. Declined: a file
 *    whose first interface has a link type with a snapshot length larger
 *    than 256 KiB (D-Bus, USBPcap, EBHSCR), which libpcap reads.
 * Anything else (older versions, Kuznetzov's format) stays with libpcap.
 *
 * Frames, lengths, timestamps and the words for a damaged file are exactly
 * libpcap's for everything libpcap reads (tests/fuzz/fuzz_savefile
 * compares the two on any input); where libpcap would stop at an interface
 * savefile_libpcap_stop() says so, with libpcap's words.
 */
#ifndef SAVEFILE_H
#define SAVEFILE_H

#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* if_name is kept up to this many bytes (with the NUL). */
#define SAVEFILE_IFNAME_MAX 64
/* More interfaces in one section is damage (libpcap allows 2^31). */
#define SAVEFILE_MAX_IFACES 65536u

struct savefile;

/* Take over the reading of p, a regular file just opened by libpcap (with
 * nanosecond precision) and not read from since. NULL when the file is not
 * one read here or memory is short: libpcap goes on reading it then. p
 * stays open (its descriptor is read) and must outlive the savefile. */
struct savefile *savefile_open(pcap_t *p);

/*
 * A stream libpcap opened through stdio: head holds every byte stdio took
 * from it (from the first on), read() the bytes after those: > 0 how many,
 * 0 the end, -1 a failed read (error() then says why, in one line).
 */
struct savefile_stream {
	const uint8_t *head;
	size_t head_len;
	ssize_t (*read)(void *ctx, void *buf, size_t n);
	const char *(*error)(void *ctx);
	void *ctx;
};

/* As savefile_open, for p opened on a stream: NULL when the file is not
 * one read here (nothing was read from the stream then, and libpcap goes
 * on). src (head included) must outlive the savefile. */
struct savefile *savefile_open_stream(pcap_t *p,
                                      const struct savefile_stream *src);

/* As pcap_next_ex() on a file: 1 a frame (valid until the next call),
 * PCAP_ERROR_BREAK the end of the file, PCAP_ERROR the file is damaged
 * (savefile_geterr says how, in libpcap's words). */
int savefile_next(struct savefile *s, struct pcap_pkthdr *hdr,
                  const uint8_t **data);

/* The frame last handed out: its interface, numbered from 0 in file order
 * across sections (always 0 in classic pcap); its link type (a DLT_
 * value, as pcap_datalink() gives); its interface's if_name ("" if
 * none). */
uint32_t savefile_iface(const struct savefile *s);
int savefile_dlt(const struct savefile *s);
const char *savefile_ifname(const struct savefile *s);

/* The frame last handed out has no time stamp (a pcapng Simple Packet
 * Block: pcapng 4.4); its header's time is then 0. */
bool savefile_no_time(const struct savefile *s);

/* Interfaces described so far in the file (1 in classic pcap). */
uint32_t savefile_nifaces(const struct savefile *s);

/* A pcapng file: interfaces may differ from frame to frame. */
bool savefile_is_pcapng(const struct savefile *s);

/* NULL, or libpcap's words for the interface it would have stopped at
 * (this reads on past it): the reading of the two differs from there. */
const char *savefile_libpcap_stop(const struct savefile *s);

const char *savefile_geterr(const struct savefile *s);

/* Bytes of the file (of the stream) consumed so far. */
uint64_t savefile_offset(const struct savefile *s);

void savefile_close(struct savefile *s);

#endif
