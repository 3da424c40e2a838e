/*
 * export.h: -w FILE, problem connections to pcap (draft-ietf-opsawg-pcap 4-5).
 *
 * The packets of problem connections, from SYN to end, are copied while
 * each connection is in its handshake and written to a classic pcap file
 * (libpcap's savefile format, read by tcpdump and Wireshark) once the
 * connection is known to be a problem.
 *
 * Memory is bounded by two caps counted in bytes of packet storage: one per
 * connection and one over all connections buffered at once. A connection
 * that reaches a cap keeps the packets it has and counts every later packet
 * as not kept, so a written connection is always "its first N packets, and
 * M more not kept", never a capture with holes in the middle.
 *
 * Ownership: each connection holds one `struct export_buf *` slot, NULL
 * until its first packet. The export allocates it and frees it on
 * export_drop() or export_write(), which set the slot back to NULL. After a
 * drop or a write the caller stops calling export_keep() for that
 * connection (a new call would start a new buffer from that packet on).
 *
 * Packets are written grouped by connection, in the order the connections
 * are written, each connection's packets in capture order.
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
 * holds connections that are in their handshake right now. 1 MiB per
 * connection is far beyond a handshake; 64 MiB over all lets a few
 * thousand handshakes be in flight at once.
 */
#define EXPORT_DEFAULT_GLOBAL_CAP ((size_t)64 * 1024 * 1024)
#define EXPORT_DEFAULT_CONN_CAP ((size_t)1024 * 1024)

#define EXPORT_ERRLEN 512

struct export;
struct export_buf;

/* What became of one connection's packets. */
struct export_counts {
	uint64_t kept;       /* packets copied (and written, on a write) */
	uint64_t not_kept;   /* later packets not copied (a cap, another link) */
	bool written;        /* the packets went to the file */
};

struct export_stats {
	uint64_t conns_written;    /* connections written to the file */
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

/*
 * libpcap's DLT for one of our link types, for export_open(); -1 if this
 * libpcap does not know it.
 */
int export_dlt_of(enum pkt_link link);

/*
 * Open path ('-' is standard output) for writing with libpcap; the file
 * header is written at once, so an unwritable path fails here. dlt: the
 * link type of the input (export_dlt_of); packets of another link type are
 * not kept. nanosecond: nanosecond time stamps in the file (otherwise
 * microseconds). A cap of 0 means its default; the per-connection cap is
 * never more than the global one. Returns NULL with err filled with one
 * line naming the file.
 */
struct export *export_open(const char *path, int dlt, bool nanosecond,
                           size_t global_cap, size_t per_conn_cap,
                           char *err, size_t errlen);

/*
 * Copy a packet into its connection's buffer (*slot, created on the first
 * packet). Once a cap is reached the packet and every later one of that
 * connection are counted as not kept.
 */
void export_keep(struct export *x, struct export_buf **slot,
                 const struct cap_pkt *p);

/* What a connection's buffer holds so far (zeros for a NULL buffer). */
void export_buf_counts(const struct export_buf *b, struct export_counts *out);

/*
 * The connection is healthy or no longer of interest: free its buffer and
 * give its bytes back to the global budget. *slot becomes NULL; NULL slots
 * are fine.
 */
void export_drop(struct export *x, struct export_buf **slot);

/*
 * The connection is a problem: append its packets to the file, flush, and
 * free the buffer (*slot becomes NULL). out (may be NULL) says what was
 * written. Returns false only on the call where a write error is first
 * seen; export_error() then has the message, to be reported once. After
 * that the export is off: nothing more is kept or written, and later calls
 * return true with out->written false.
 */
bool export_write(struct export *x, struct export_buf **slot,
                  struct export_counts *out);

/* The write error's one-line message, or NULL if there was none. */
const char *export_error(const struct export *x);

void export_stats(const struct export *x, struct export_stats *st);

/*
 * Flush and close the file and free whatever is still buffered (those
 * connections are not written): call it after the flow table has ended
 * every connection, since a slot still set would point at freed memory.
 * Returns false with err filled if the final flush failed and no earlier
 * write error was returned. NULL x is fine.
 */
bool export_close(struct export *x, char *err, size_t errlen);

#endif
