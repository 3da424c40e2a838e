/*
 * reader.h: reads offline captures ahead, in a thread of its own.
 *
 * Reading a file costs a large share of what the whole analysis is allowed
 * (the contract's budget is 1.5 times a bare libpcap read loop), so it
 * runs on another core: the reader thread takes frames from the
 * capture in order, sorts them by their headers and hands them over in
 * blocks. Frames of a configured service are copied with their bytes; any
 * other frame travels as what it counts for only, since the analysis only
 * counts it and lets time pass. The order of frames, and of the capture's warning
 * lines among them, is exactly the capture's: the output is the same as
 * when frames are read one by one.
 *
 * Memory is bounded: a few blocks of fixed size circulate between the two
 * threads. Live captures do not use this (their reads block on the wire).
 */
#ifndef READER_H
#define READER_H

#include <stdbool.h>
#include <stddef.h>

#include "capture/capture.h"
#include "pkt.h"
#include "service.h"

enum reader_kind {
	READER_FRAME, /* a frame: cp, rc, skip, anomalies, p */
	READER_WARN,  /* a warning line of the capture: warn */
	READER_SEVERAL, /* the file of cp.frame has several interfaces from
	                 * here on: pass it to capture_note_several */
};

/*
 * One frame as the analysis sees it, in one cache line: the reader writes
 * one of these per frame. A frame of a configured service (a TCP segment
 * with one of its ports) has its bytes in cp.data, and its decoded headers
 * from reader_pkt(). Any other frame has only what it counts for: cp
 * without data, rc, skip, and of the anomalies at least the bits the
 * counts use (PKT_A_VLAN, PKT_A_TRUNCATED, PKT_A_TUNNEL and the
 * PKT_A_ENC() bits).
 */
struct reader_item {
	uint8_t kind;         /* enum reader_kind */
	bool service;
	bool decoded;         /* *p is filled */
	uint8_t skip;         /* enum pkt_skip */
	uint8_t rc;           /* enum dis_status: what pkt_decode said, or
	                       * would say */
	uint8_t sub;          /* a frame of several packets (an 802.11
	                       * A-MSDU) has an item for each, with the
	                       * same cp: its number, from 0; the frame
	                       * counts once, with item 0 */
	uint8_t sniff;        /* not a service frame: enum sniff_kind of its
	                       * payload's first bytes */
	uint16_t sniff_port;  /* the port it speaks for (the ClientHello's
	                       * destination, the greeting's source) */
	uint32_t anomalies;   /* enum pkt_anomaly bits */
	struct cap_pkt cp;
	union {
		struct pkt *p;    /* READER_FRAME of a service: where its
		                   * headers are decoded (see decoded) */
		const char *warn; /* READER_WARN: the line (the fields
		                   * above are zero, service false) */
	};
};

struct reader;

/* Start reading cap (offline) in a new thread. The reader owns the
 * capture's warning and interface callbacks from now on (they arrive as
 * items). svc and decap (the tunnel ports, may be NULL) must outlive it.
 * Returns NULL with err filled if the thread cannot start. */
struct reader *reader_start(struct capture *cap, const struct service_map *svc,
                            const struct pkt_decap *decap, char *err,
                            size_t errlen);

/* The next item, or NULL at the end. Valid until the next call. */
struct reader_item *reader_next(struct reader *r);

/*
 * The decoded headers of a service frame (it->service): the reader leaves
 * the common frames (untagged Ethernet, IPv4, TCP) to be decoded here, by
 * the analysis thread, which has time to spare. The first call decodes.
 */
const struct pkt *reader_pkt(struct reader *r, struct reader_item *it);

/* The item `ahead` items after the last one handed out, when it is in the
 * same block; NULL otherwise. For hints only: it still comes out of
 * reader_next in its turn. */
struct reader_item *reader_peek(struct reader *r, unsigned ahead);

/* Offline progress as of the last item handed out (see capture_progress). */
void reader_progress(const struct reader *r, uint64_t *done, uint64_t *total);

/* Ask the reader to stop early (async-signal-safe): the items read so far
 * still come out, then the end. */
void reader_stop(struct reader *r);

/* Wait for the thread and free everything. The capture stays open. */
void reader_free(struct reader *r);

#endif
