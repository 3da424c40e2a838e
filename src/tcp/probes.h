/*
 * probes.h: scan probes and lone packets, counted instead of reported.
 *
 * A port scan touches every watched port of every host it sweeps; each
 * touch looks like a connection (a SYN refused or unanswered, a handshake
 * reset at once, a FIN that opens nothing). Reported one by one they would
 * bury the real failures under "refused" and "no answer" verdicts that
 * nobody has to fix. tcp_track_finish tells the shapes no connecting
 * client makes (enum tcp_probe); this module adds what one connection
 * cannot show: that its source is scanning, because it started many
 * connections to many targets that all ended without a byte. Then a
 * refused or unanswered SYN of that source is a probe too.
 *
 * Memory is bounded: PROBES_SOURCES sources are remembered, found through a
 * hash of the address (every new connection asks); when the table is
 * full, the least recently active of a few looked at from a rotating
 * position is forgotten (its counts stay in the totals).
 */
#ifndef PROBES_H
#define PROBES_H

#include <stdbool.h>
#include <stdint.h>

#include "pkt.h"
#include "ta.h"
#include "tcp/tcp_track.h"

#define PROBES_SOURCES 256
/*
 * A source that opened connections to this many different targets (host
 * and port) within PROBES_WINDOW_NS of each other, none of which carried
 * a byte, is scanning; a client retrying one server is not, however often
 * it tries. A source already seen probing (a shape of enum tcp_probe)
 * needs only PROBES_SCAN_TARGETS_KNOWN.
 */
#define PROBES_SCAN_TARGETS 6
#define PROBES_SCAN_TARGETS_KNOWN 2
#define PROBES_WINDOW_NS (10 * TA_NS_PER_SEC)

struct probe_source {
	struct pkt_addr addr;
	ta_time last_ts;            /* of its latest connection */
	uint32_t target[PROBES_SCAN_TARGETS]; /* hashes of distinct targets */
	uint8_t ntargets;           /* ... in the window, saturating */
	uint32_t talked;            /* its connections in the window that
	                             * carried payload */
	uint64_t probes;            /* probes counted from it, all time */
	uint64_t by_kind[TCP_PROBE_KINDS];
	uint16_t hnext;             /* next slot + 1 in its hash chain, 0: end */
	bool used;
};

/* Hash buckets of the sources (a power of two). */
#define PROBES_BUCKETS 512

struct probes {
	uint64_t total;
	uint64_t by_kind[TCP_PROBE_KINDS];
	uint64_t forgotten;        /* probes of sources no longer listed */
	/* The first lone RST that carried payload (its reset cause). */
	struct tcp_rst_payload rst_payload;
	struct probe_source src[PROBES_SOURCES];
	uint16_t bucket[PROBES_BUCKETS]; /* first slot + 1 of each chain */
	unsigned clock;            /* where the next eviction looks first */
};

void probes_init(struct probes *pr);

/* A connection to dst:dport was opened by a SYN from addr (the client). */
void probes_opened(struct probes *pr, const struct pkt_addr *addr,
                   const struct pkt_addr *dst, uint16_t dport, ta_time ts);

/*
 * A connection of client addr ended with outcome o (payload: it carried a
 * byte either way). Returns the kind of probe it was, TCP_PROBE_NONE for
 * a connection to report; probes are counted.
 */
enum tcp_probe probes_judge(struct probes *pr, const struct pkt_addr *addr,
                            const struct tcp_outcome *o, bool payload,
                            ta_time ts);

/* A RST that belongs to no connection known (p: the segment). */
void probes_lone_rst(struct probes *pr, const struct pkt *p, ta_time ts,
                     ta_frame frame);

#endif
