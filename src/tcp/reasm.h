/*
 * reasm.h: per-direction TCP reassembly into an in-order byte stream.
 *
 * In-order segments are handed to the sink straight from the frame (no
 * copy). Segments ahead of the expected sequence number are copied into a
 * bounded per-direction store (TA_CAP_REASM_DIR bytes) allocated on first
 * need; retransmissions and overlaps are trimmed, and an overlap whose bytes
 * differ from bytes still buffered is counted as a conflict (delivered bytes
 * are not kept, so they cannot be compared). A gap (bytes the capture never
 * had) is signalled to the sink explicitly, so no parser ever reads across a
 * hole. Sequence arithmetic is modulo 2^32 (RFC 9293 3.4, RFC 1982).
 */
#ifndef REASM_H
#define REASM_H

#include <stdbool.h>
#include <stddef.h>

#include "ta.h"

/* Bytes kept out of order per direction before giving up on the hole. */
#define TA_CAP_REASM_DIR (256u * 1024u)
/* Buffered runs per direction (one per segment, so that each is told at
 * the packet that carried it; parts of one segment are merged): bounds the
 * bookkeeping when a hostile sender scatters tiny segments. */
#define TA_CAP_REASM_SEGS 1024u
/* Runs kept per direction once blind (reasm_blind): ranges only, so a
 * connection whose verdict's facts were read costs little even while its
 * later segments arrive out of order; past it a hole is declared as when
 * the store is full. */
#define REASM_BLIND_SEGS 8u
/*
 * An acknowledgement can be captured before the segment it acknowledges: a
 * span port that merges two directions, or a mirror that load-balances,
 * delivers them out of order. A hole the other side acknowledged is
 * therefore declared lost only after this many more packets of the
 * connection passed without filling it (or at the end, or when the store
 * is full), so that a late segment still takes its place.
 */
#define REASM_ACK_GRACE 32u

struct reasm_sink {
	/* n in-order bytes; frame is the packet whose arrival made them
	 * available (the one that completed them). */
	void (*data)(void *ctx, const uint8_t *p, size_t n, ta_frame frame);
	/* n bytes at this point of the stream will never be seen. */
	void (*gap)(void *ctx, uint64_t n, ta_frame frame);
};

struct reasm_seg; /* private: one buffered out-of-order segment */

/* The first gaps of a direction, as reports show them. */
#define REASM_GAPS_KEPT 2
struct reasm_gap {
	ta_frame frame;  /* the packet at which it was declared */
	uint32_t bytes;
	bool acked;      /* the other side acknowledged these bytes: the
	                  * capture lost them */
	bool cut;        /* they were on the wire, in a segment the
	                  * capture's snap length cut short */
};

struct reasm {
	/* What an in-order segment or a plain ACK reads, first and within
	 * REASM_HOT_BYTES, so that it is one cache line (struct conn places
	 * both directions' so). */
	uint32_t next;       /* next expected sequence number */
	bool started;        /* next is known */
	bool stopped;        /* the consumer wants no more payload */
	bool blind;          /* ... but the bookkeeping goes on (reasm_blind) */
	bool fin_known;        /* the sender's FIN was seen */
	bool acked_hole;       /* the other side acknowledged bytes not here */
	struct reasm_seg *ooo; /* buffered segments, sorted by sequence */
	uint64_t delivered;     /* in-order bytes handed to the sink */

	uint32_t ooo_bytes;    /* captured bytes held in the store */
	uint32_t ooo_count;    /* runs in the store, at most TA_CAP_REASM_SEGS */
	uint32_t fin_seq;      /* the sequence number its FIN occupies */
	uint32_t acked_to;     /* ... up to this sequence number */
	uint32_t acked_wait;   /* packets seen since, hole still open */
	ta_frame acked_frame;  /* the packet that first acknowledged them */

	/* Counters, reported as flow facts (delivered above too). */
	uint64_t gap_bytes;     /* bytes declared missing */
	uint32_t gaps;          /* holes declared */
	uint32_t retrans;       /* segments wholly already delivered (or,
	                         * ahead of a hole, wholly buffered) */
	uint32_t overlaps;      /* segments partly already delivered/buffered */
	uint32_t conflicts;     /* overlaps whose bytes differed */
	uint32_t ooo_segments;  /* segments that arrived ahead of a hole */
	uint32_t ooo_overflow;  /* times the store was full and a hole was declared */
	uint32_t wild;          /* segments 2^31 or more away from next: ignored */
	uint64_t acked_gap_bytes; /* of gap_bytes: ones the other side
	                           * acknowledged (the capture lost them) */
	uint64_t cut_bytes;     /* of gap_bytes: cut by the snap length */
	uint32_t late_filled;   /* holes acknowledged before their segment
	                         * arrived, then filled by it */
	struct reasm_gap gap_list[REASM_GAPS_KEPT]; /* the first gaps */
};

#define REASM_HOT_BYTES (offsetof(struct reasm, delivered) + sizeof(uint64_t))

void reasm_init(struct reasm *r);

/* The stream starts at seq (ISN + 1 after a SYN, or the first segment seen
 * when the SYN was not captured). */
void reasm_start(struct reasm *r, uint32_t seq);

/*
 * One segment: seq, the captured bytes (p, caplen), and its length on the
 * wire (wirelen >= caplen; the uncaptured tail becomes a gap). Delivers what
 * is now in order. No-op once stopped. Segments entirely behind `next` are
 * retransmissions: compared with nothing (already delivered) and counted.
 */
void reasm_segment(struct reasm *r, uint32_t seq, const uint8_t *p,
                   size_t caplen, uint32_t wirelen, ta_frame frame,
                   const struct reasm_sink *sink, void *ctx);

/*
 * The other side acknowledged up to ack: the receiver had every byte before
 * it, so a hole below ack that we still wait for was lost by the capture,
 * unless its segment was only captured late. The hole is declared a gap
 * (and what follows it delivered) once REASM_ACK_GRACE more packets of the
 * connection went by without filling it, at reasm_flush, or when the store
 * is full. An ack equal to or behind next, or 2^31 or more ahead of it,
 * changes nothing.
 */
void reasm_ack(struct reasm *r, uint32_t ack, ta_frame frame,
               const struct reasm_sink *sink, void *ctx);

/*
 * Another packet of the connection went by (either direction): the grace
 * of an acknowledged hole runs out after REASM_ACK_GRACE of them.
 */
void reasm_tick(struct reasm *r, const struct reasm_sink *sink, void *ctx);

/*
 * The sender's FIN occupies sequence number seq (its segment's seq plus
 * payload length). A FIN takes one sequence number but carries no byte, so
 * acks are clamped to it (ack == seq + 1 is no loss), and reasm_flush
 * declares the bytes still missing before it. The first FIN seen counts.
 */
void reasm_fin(struct reasm *r, uint32_t seq);

/* End of the connection: deliver everything buffered, holes as gaps (and,
 * after reasm_fin, the missing bytes before the FIN; then the bytes the
 * other side acknowledged that never came). */
void reasm_flush(struct reasm *r, ta_frame frame,
                 const struct reasm_sink *sink, void *ctx);

/* The consumer needs no more payload: free the store, ignore what comes.
 * May be called from within the sink's callbacks. */
void reasm_stop(struct reasm *r);

/*
 * The consumer needs no more payload, but the stream's sequence numbers
 * are still followed so that holes (bytes the other side acknowledged
 * that the capture lacks, the tail the snap length cut, bytes missing
 * before the FIN) are still counted as gaps: the connection's report
 * says what its capture lacks even after its verdict's facts were read.
 * From here on no byte is kept or handed to a sink (sink arguments are
 * ignored) and `delivered` stops counting; a segment ahead of a hole is
 * remembered by its range only (touching ranges join, REASM_BLIND_SEGS
 * runs at most, nothing counted against TA_CAP_REASM_DIR), as are the
 * bytes the store held. Not after reasm_stop.
 */
void reasm_blind(struct reasm *r);

/* Release memory (idempotent). */
void reasm_free(struct reasm *r);

#endif
