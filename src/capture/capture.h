/*
 * capture.h: packet sources. Offline: one or more pcap/pcapng files ('-' is
 * stdin) merged in timestamp order, so that a connection split across
 * rotated files is seen as one (plain pcap and pcapng files are read by
 * savefile.h, the others by libpcap). A file compressed with gzip, zstd or
 * lz4, told by its first bytes, is read through decomp.h, standard input
 * too. Live: one interface through libpcap, with the kernel's drop
 * counters.
 *
 * A pcapng file may hold several interfaces, each with its own link type:
 * every frame says which interface it came on and carries that
 * interface's link.
 *
 * A packet handed out stays valid until the next capture_next() call.
 * Errors are one line naming the file and the reason.
 */
#ifndef CAPTURE_H
#define CAPTURE_H

#include <stdbool.h>

#include "pkt.h"
#include "ta.h"

#define CAP_ERRLEN 512
#define CAP_SNAPLEN 262144

struct capture;

/* What -p and -f make of the capture filter. */
struct cap_filter {
	const char *all;   /* the port filter ANDed with -f */
	const char *ports; /* the port filter alone */
	const char *user;  /* -f, or NULL */
};

/* The link of a frame whose link type pkt_decode does not know (an
 * interface of a pcapng file other than the first may have any): it
 * decodes as not IP. */
#define CAP_LINK_OTHER ((enum pkt_link)0xff)

struct cap_pkt {
	const uint8_t *data;
	uint32_t caplen;   /* bytes captured */
	uint32_t len;      /* bytes on the wire */
	ta_time ts;
	ta_frame frame;    /* file index and frame number in that file */
	enum pkt_link link;
	uint32_t iface;    /* interface in its file, from 0 (pcapng IDBs in
	                    * file order across sections; else 0) */
};

enum cap_status {
	CAP_PACKET,  /* *pkt filled */
	CAP_IDLE,    /* live: no packet within the read timeout */
	CAP_END,     /* all input consumed, or capture_stop() was called */
};

struct cap_stats {
	uint64_t packets;
	uint64_t bytes;        /* captured bytes */
	bool kernel_known;     /* live: pcap_stats() answered */
	uint64_t kernel_recv;  /* packets the kernel filter passed */
	uint64_t kernel_drop;  /* dropped by the kernel for lack of buffer */
	uint64_t ifdrop;       /* dropped by the interface or driver */
	unsigned damaged_files; /* files that ended in an error */
	uint64_t ts_out_of_range; /* frames whose time stamp is before 1970
	                        * or after 2554 (what 64 bits of nanoseconds
	                        * hold): given the latest time of their file
	                        * before them */
	ta_frame ts_out_of_range_frame; /* the first of them */
	uint64_t ts_absent;    /* frames without a time stamp (pcapng Simple
	                        * Packet Blocks): given the latest time of
	                        * their file before them, 0 when none */
	ta_frame ts_absent_frame; /* the first of them */
	unsigned warnings;     /* warning lines about the input (damage, a
	                        * link type not decoded, a filter that does
	                        * not apply) */
};

/* Open files (n >= 1). filter: a BPF expression or NULL. Returns NULL with
 * err filled ("FILE: reason") if any file cannot be opened or is not a
 * capture, or if its link type is not one we decode. */
struct capture *capture_open_files(const char *const *files, unsigned n,
                                   const char *filter, char *err,
                                   size_t errlen);

/* Open a live interface with the full snaplen; flt is required. The
 * kernel is given flt->all ORed with every tunnel carrier (decap.h); the
 * filter itself is then applied here, to the frame and to the packet
 * inside a tunnel (capture_filter_inner). decap (may be NULL): more tunnel ports;
 * it must outlive the capture. */
struct capture *capture_open_live(const char *iface,
                                  const struct cap_filter *flt,
                                  const struct pkt_decap *decap, char *err,
                                  size_t errlen);

/*
 * Make the filter see through tunnels: a frame passes when the whole
 * filter matches it as captured or, when its TCP segment sits inside
 * layers (VLAN tags, MPLS labels, PPPoE, tunnels), when its innermost IP
 * packet, as a raw-IP link would show it, has a watched port and -f
 * matches either the frame as captured or that packet (an expression that
 * cannot apply to raw IP, such as "ether host", tests the frame only).
 * decap (may be NULL) says which UDP ports carry tunnels and must outlive
 * the capture. Offline, flt->all must be what the files were opened with.
 * Returns false with err filled when a filter does not compile.
 */
bool capture_filter_inner(struct capture *c, const struct cap_filter *flt,
                          const struct pkt_decap *decap, char *err,
                          size_t errlen);

/* Next packet in timestamp order. A damaged file ends early: its reason is
 * written to the warn callback (one line, names the file and how far it was
 * read) and the other files go on. */
enum cap_status capture_next(struct capture *c, struct cap_pkt *pkt);

/* Ask a live capture to stop (async-signal-safe). */
void capture_stop(struct capture *c);

/* Offline: bytes of input read so far and in all (0 if unknown: stdin). */
void capture_progress(const struct capture *c, uint64_t *done, uint64_t *total);

void capture_stats(struct capture *c, struct cap_stats *st);
unsigned capture_nfiles(const struct capture *c);
/* The link type of an input (0: the first -r, or the interface); of its
 * first interface for a pcapng file. */
enum pkt_link capture_link(const struct capture *c, unsigned idx);
/*
 * The if_name of interface iface of input file (NULL: it has none, or is
 * not known). Any thread may ask about the interface of a frame
 * capture_next() has handed out: its description was written before.
 */
const char *capture_iface_name(const struct capture *c, unsigned file,
                               uint32_t iface);
/*
 * A file has described more than one interface (a pcapng file's IDBs) by
 * the frame last handed out: its frames are worth naming by interface.
 * When a reader thread reads the capture, it says so among the frames
 * (capture_set_several), and the thread that reports notes it
 * (capture_note_several), so that what reports say does not depend on
 * how far ahead the reader is; without one, capture_next notes it.
 */
bool capture_several_ifaces(const struct capture *c, unsigned file);
void capture_note_several(struct capture *c, unsigned file);
void capture_set_several(struct capture *c,
                         void (*fn)(void *ctx, unsigned file), void *ctx);
const char *capture_file_name(const struct capture *c, unsigned idx);
bool capture_is_live(const struct capture *c);
void capture_set_warn(struct capture *c, void (*warn)(void *ctx, const char *msg),
                      void *ctx);
void capture_close(struct capture *c);

#endif
