/*
 * flow.h: the connection table. Bidirectional TCP connections keyed by the
 * 4-tuple; the client is the SYN sender, or, when the SYN was not captured,
 * the side not using a configured server port.
 *
 * Memory is bounded: at most max_conns connections, allocated from a pool
 * in chunks (no allocation per packet). When the table is full the idlest
 * connection is evicted, and that is counted and reported. Connections that
 * ended on the wire linger briefly (late packets still count: a RST's
 * "sender" that keeps talking is evidence), idle ones expire after the idle
 * timeout, both in capture time.
 */
#ifndef FLOW_H
#define FLOW_H

#include <stdbool.h>

#include "pkt.h"
#include "reasm.h"
#include "service.h"
#include "tcp_track.h"

struct conn {
	struct conn *hnext;        /* hash chain */
	struct conn *lprev, *lnext; /* LRU list: active or closing */
	uint32_t hash;
	bool closing;              /* ended on the wire, lingering */
	bool in_table;

	struct pkt_addr caddr, saddr;
	uint16_t cport, sport;
	enum service svc;
	uint64_t id;               /* creation order, for deterministic output */
	ta_time first_ts, last_ts, closed_ts;
	ta_frame first_frame;

	struct tcp_track tcp;
	struct reasm reasm[2];     /* indexed by enum tcp_dir */
	void *session;             /* the session layer's state, or NULL */
};

struct flow_stats {
	uint64_t conns;        /* connections created */
	uint64_t evicted;      /* ended early because the table was full */
	uint64_t reused;       /* 4-tuples reused by a new SYN */
	uint64_t ignored;      /* TCP packets of no configured service */
	uint64_t midstream;    /* connections first seen without their SYN */
	uint64_t peak;         /* most connections tracked at once */
};

/* Called once per connection when the books close; the table frees the
 * connection (and its reassembly state) right after. */
typedef void (*flow_end_fn)(void *ctx, struct conn *c, enum tcp_finish why,
                            ta_time now);

struct flow_table;

#define FLOW_DEFAULT_MAX_CONNS 200000u
#define FLOW_LINGER_NS (5 * TA_NS_PER_SEC)

struct flow_table *flow_table_new(size_t max_conns, ta_time idle_timeout,
                                  flow_end_fn end, void *ctx);
void flow_table_free(struct flow_table *ft);

/*
 * Find or create the connection of a decoded TCP segment. Returns NULL when
 * the segment belongs to no configured service, or starts nothing we can
 * track (a stray RST or FIN of an unknown connection). *dir says who sent it.
 * A client SYN with a new ISN on a known 4-tuple ends the old connection
 * (TCP_FINISH_REUSED) and starts a new one.
 */
struct conn *flow_lookup(struct flow_table *ft, const struct service_map *svc,
                         const struct pkt *p, ta_time ts, ta_frame frame,
                         enum tcp_dir *dir);

/* After the packet was processed: refresh its place in the LRU order, and
 * move it to the closing list once it ended on the wire. */
void flow_touch(struct flow_table *ft, struct conn *c, ta_time ts);

/* Expire what lingered or idled past its time at capture time now. */
void flow_expire(struct flow_table *ft, ta_time now);

/* End every open connection (end of input), in creation order. */
void flow_flush(struct flow_table *ft, enum tcp_finish why, ta_time now);

size_t flow_count(const struct flow_table *ft);
void flow_get_stats(const struct flow_table *ft, struct flow_stats *st);

#endif
