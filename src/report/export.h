/*
 * export.h: -w FILE, the packets of problem connections, in capture order
 * (doc/export.md).
 *
 * The file is pcapng (draft-ietf-opsawg-pcapng, written by pcapng_write.h)
 * with a comment on every packet that names its input file, its frame
 * number there and its connection's verdict; or, when FILE ends in .pcap,
 * a classic pcap file (draft-ietf-opsawg-pcap 4-5, written by libpcap),
 * without comments and with the one link type it was opened with.
 *
 * A connection's packets, from its SYN on, are copied while it is in its
 * handshake; whether they are wanted is known only when the connection
 * ends. A problem connection's packets then wait until no connection still
 * open holds a kept packet from before them (the watermark: the first kept
 * packet of the oldest such connection), and leave merged with those of
 * the other problem connections, so that the file is in the order the
 * capture was read (several -r files: their merged order), whatever the
 * time stamps say. Once every connection has ended, everything is out.
 *
 * Memory is bounded by two caps counted in bytes of packet storage: one per
 * connection and one over all connections buffered at once, those waiting
 * to be written included. A connection that reaches a cap keeps the
 * packets it has and counts every later packet as not kept, so a written
 * connection is always "its first N packets, and M more not kept", never a
 * capture with holes in the middle.
 *
 * Ownership: each connection holds one `struct export_buf *` slot, NULL
 * until its first packet. The export allocates it, and export_drop() and
 * export_write() take it back and set the slot to NULL (the packets of a
 * written connection stay with the export until they are in the file).
 * After either the caller stops calling export_keep() for that connection
 * (a new call would start a new buffer from that packet on).
 */
#ifndef EXPORT_H
#define EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/capture.h"
#include "pkt.h"

/*
 * A failing handshake is a few dozen packets and some kilobytes (the
 * largest part is the server's certificate chain), and healthy connections
 * are dropped as soon as their handshake completes, so the buffer only
 * holds connections that are in their handshake right now, and problem
 * connections waiting for older ones to end. 1 MiB per connection is far
 * beyond a handshake; 64 MiB over all lets a few thousand handshakes be in
 * flight at once.
 */
#define EXPORT_DEFAULT_GLOBAL_CAP ((size_t)64 * 1024 * 1024)
#define EXPORT_DEFAULT_CONN_CAP ((size_t)1024 * 1024)

#define EXPORT_ERRLEN 512

struct export;
struct export_buf;

enum export_format {
	EXPORT_PCAPNG,
	EXPORT_PCAP,
};

/* What became of one connection's packets. */
struct export_counts {
	uint64_t kept;       /* packets copied */
	uint64_t not_kept;   /* later packets not copied (a cap, a link) */
	bool written;        /* export_write() took them for the file */
};

struct export_stats {
	uint64_t conns_written;    /* connections whose packets are all out */
	uint64_t conns_waiting;    /* decided, waiting for older connections */
	uint64_t conns_dropped;    /* buffers given back by export_drop() */
	uint64_t conns_cut;        /* written with packets not kept */
	uint64_t packets_written;
	uint64_t bytes_written;    /* captured bytes of the packets written */
	uint64_t packets_not_kept; /* over every connection, written or not */
	uint64_t not_kept_conn_cap; /* ... because of the per-connection cap */
	uint64_t not_kept_global_cap; /* ... because of the global cap */
	uint64_t not_kept_link;    /* ... because the link type differs */
	uint64_t not_kept_failed;  /* ... because the file already failed */
	size_t bytes_buffered;     /* memory held now (storage + bookkeeping) */
	size_t peak_bytes;         /* most memory held at once */
	bool failed;               /* a write error happened */
};

/* Where the comments' names come from; either function may be NULL. */
struct export_names {
	/* An input as the report names it (the export keeps its base name). */
	const char *(*file)(void *ctx, unsigned file);
	/* An interface's name in its input, or NULL when it has none. */
	const char *(*iface)(void *ctx, unsigned file, uint32_t iface);
	void *ctx;
};

/* The format -w FILE gets: classic pcap for a name ending in .pcap (in
 * any case), pcapng for any other, standard output ('-') included. */
enum export_format export_format_of(const char *path);

/*
 * libpcap's DLT for one of our link types, for export_open(); -1 if this
 * libpcap does not know it.
 */
int export_dlt_of(enum pkt_link link);

/* The LINKTYPE_ value (the registry's, as files carry it) of one of our
 * link types; -1 if it has none. */
int export_linktype_of(enum pkt_link link);

/*
 * Open path ('-' is standard output) for writing in the format
 * export_format_of() gives it; the file's header is written at once, so
 * an unwritable path fails here. dlt: for a classic pcap file, its one
 * link type (export_dlt_of of the input's); packets of another link type
 * are not kept there. A pcapng file describes every input interface a
 * written packet came on, whatever its link type, and ignores dlt.
 * nanosecond: nanosecond time stamps in the file (otherwise
 * microseconds). A cap of 0 means its default; the per-connection cap is
 * never more than the global one. Returns NULL with err filled with one
 * line naming the file.
 */
struct export *export_open(const char *path, int dlt, bool nanosecond,
                           size_t global_cap, size_t per_conn_cap,
                           char *err, size_t errlen);

/* Names for the comments and interfaces (copied; set before the first
 * write). Without them an input is "input N". */
void export_set_names(struct export *x, const struct export_names *names);

/*
 * Copy a packet into its connection's buffer (*slot, created on the first
 * packet). Packets must come in the order the capture is read: that order
 * is the file's. Once a cap is reached the packet and every later one of
 * that connection are counted as not kept.
 */
void export_keep(struct export *x, struct export_buf **slot,
                 const struct cap_pkt *p);

/* What a connection's buffer holds so far (zeros for a NULL buffer). */
void export_buf_counts(const struct export_buf *b, struct export_counts *out);

/*
 * The connection is healthy or no longer of interest: free its buffer and
 * give its bytes back to the global budget. *slot becomes NULL; NULL slots
 * are fine. Packets of problem connections that waited for this one may
 * be written now: the return is as export_write()'s.
 */
bool export_drop(struct export *x, struct export_buf **slot);

/*
 * The connection is a problem: its packets go to the file, each with a
 * comment ending in label (its addresses and verdict: one short line), as
 * soon as no open connection holds an earlier packet; *slot becomes NULL.
 * out (may be NULL) says what was kept and whether it was taken. Returns
 * false only on the call where a write error is first seen; export_error()
 * then has the message, to be reported once. After that the export is
 * off: nothing more is kept or written, and later calls return true with
 * out->written false.
 */
bool export_write(struct export *x, struct export_buf **slot,
                  const char *label, struct export_counts *out);

/* The write error's one-line message, or NULL if there was none. */
const char *export_error(const struct export *x);

void export_stats(const struct export *x, struct export_stats *st);

/*
 * Free whatever is still undecided (those connections are not written),
 * write what waited, flush and close the file: call it after the flow
 * table has ended every connection, since a slot still set would point at
 * freed memory. Returns false with err filled if a write failed here and
 * no earlier write error was returned. NULL x is fine.
 */
bool export_close(struct export *x, char *err, size_t errlen);

#endif
