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
#include "tcp/reasm.h"
#include "service.h"
#include "tcp/tcp_track.h"

/*
 * Capture times of a connection's telling frames (SYN, FIN, RST, the first
 * segments with payload), so that reports can give each event its time
 * without keeping packets. Bounded: once full, later frames have no time.
 */
#define FLOW_FRAME_TIMES 24

struct frame_times {
	ta_frame frame[FLOW_FRAME_TIMES];
	ta_time ts[FLOW_FRAME_TIMES];
	uint8_t n;
};

struct export_buf;
struct conn_encap;

/*
 * The fields every packet reads come first, in the first two cache lines:
 * a packet of an established connection then touches little more than
 * these and its side of the TCP state.
 */
struct conn {
	struct conn *hnext;        /* hash chain */
	uint32_t hash;
	uint16_t cport, sport;
	struct pkt_addr caddr, saddr;
	bool closing;              /* ended on the wire, lingering */
	bool in_table;
	bool payload_done;         /* the session needs no more payload */
	bool export_off;           /* -w: no more packets kept for it */
	bool session_failed;       /* no memory for it: TCP facts only */
	bool server_start_known;   /* the client acknowledged the SYN-ACK */
	void *session;             /* the session layer's state, or NULL */

	uint32_t slot;             /* its pool place, for the LRU links */
	/* The interface of its first frame, in that frame's file (pcapng;
	 * else 0), and whether later frames came on another. */
	uint32_t iface : 31;
	uint32_t iface_mixed : 1;
	ta_time last_ts;
	struct export_buf *xbuf;   /* -w: its packets so far, or NULL */
	struct conn_encap *encap;  /* tunnels it came through (tcp/encap.h),
	                            * NULL when none */
	uint32_t server_start;     /* where the server's stream starts */
	enum service svc;
	uint64_t id;               /* creation order, for deterministic output */
	ta_time first_ts, closed_ts;

	/* From the third line: the table keeps connections on line
	 * boundaries (flow.c), so each direction's reassembly head below is
	 * one line. */
	struct tcp_track tcp;
	struct reasm reasm[2];     /* indexed by enum tcp_dir */
	struct frame_times times;
	ta_frame first_frame;
};

/* The cache line the offsets above are planned for. */
#define FLOW_LINE 64

struct flow_stats {
	uint64_t conns;        /* connections created */
	uint64_t evicted;      /* ended early because the table was full */
	uint64_t reused;       /* 4-tuples reused by a new SYN */
	uint64_t ignored;      /* TCP packets of no configured service */
	uint64_t midstream;    /* connections first seen without their SYN */
	uint64_t peak;         /* most connections tracked at once */
};

/* Called once per connection when the books close; the table frees the
 * connection (and its reassembly state) right after, unless the callback
 * keeps it (flow_keep). */
typedef void (*flow_end_fn)(void *ctx, struct conn *c, enum tcp_finish why,
                            ta_time now);

struct flow_table;

#define FLOW_DEFAULT_MAX_CONNS 100000u
#define FLOW_LINGER_NS (5 * TA_NS_PER_SEC)

struct flow_table *flow_table_new(size_t max_conns, ta_time idle_timeout,
                                  flow_end_fn end, void *ctx);
void flow_table_free(struct flow_table *ft);

/* From the end callback: c is not freed when it returns. It is out of the
 * table (no packet finds it), and stays as it is until flow_release. */
void flow_keep(struct flow_table *ft, struct conn *c);

/* A connection kept by flow_keep: freed now. */
void flow_release(struct flow_table *ft, struct conn *c);

/*
 * Find or create the connection of a decoded TCP segment. Returns NULL when
 * the segment belongs to no configured service, or starts nothing we can
 * track (a stray RST of an unknown connection; any other segment of an
 * unknown connection starts one seen mid-stream, reported as such). *dir says who sent it.
 * A client SYN with a new ISN on a known 4-tuple ends the old connection
 * (TCP_FINISH_REUSED) and starts a new one.
 */
struct conn *flow_lookup(struct flow_table *ft, const struct service_map *svc,
                         const struct pkt *p, ta_time ts, ta_frame frame,
                         enum tcp_dir *dir);
/* The same with p's hash (flow_hash_of) computed already. */
struct conn *flow_lookup_hashed(struct flow_table *ft,
                                const struct service_map *svc,
                                const struct pkt *p, uint32_t hash,
                                ta_time ts, ta_frame frame,
                                enum tcp_dir *dir);

/*
 * A hint, no effect on the result: the segment p will be looked up a few
 * frames from now. With thousands of connections open a lookup is two
 * cache misses, its hash bucket and then the connection; asked for early
 * they arrive while the frames in between are processed. The first call
 * (deep false) fetches the bucket, a later one (deep true) the connection
 * the bucket names.
 */
void flow_prefetch(const struct flow_table *ft, uint32_t hash, bool deep);
/* The hash flow_lookup computes for p: computed once ahead, it serves
 * flow_prefetch and flow_lookup_hashed. */
uint32_t flow_hash_of(const struct flow_table *ft, const struct pkt *p);

/* A TCP segment of no configured service, counted without a lookup. */
void flow_count_ignored(struct flow_table *ft);

/* After the packet was processed: refresh its place in the LRU order, and
 * move it to the closing list once it ended on the wire. */
void flow_touch(struct flow_table *ft, struct conn *c, ta_time ts);

/*
 * A hint, no effect on the result: c is the next connection to end (the
 * first due of those that ended on the wire). Its state has not been
 * touched since its last packet and ending it reads most of it, one cache
 * miss after another; fetched now, while other packets are processed,
 * the misses overlap. The table fetches the connection itself; the
 * callback, the state it points to.
 */
typedef void (*flow_soon_fn)(void *ctx, const struct conn *c);
void flow_set_soon(struct flow_table *ft, flow_soon_fn soon);

/* Expire what lingered or idled past its time at capture time now. */
void flow_expire(struct flow_table *ft, ta_time now);

/* End every open connection (end of input), in creation order. */
void flow_flush(struct flow_table *ft, enum tcp_finish why, ta_time now);

/* Remember a frame's capture time (if there is room). */
void flow_note_time(struct conn *c, ta_frame frame, ta_time ts);
/* The capture time of one of the connection's frames, if it was noted. */
bool flow_frame_time(const struct conn *c, ta_frame frame, ta_time *ts);

size_t flow_count(const struct flow_table *ft);
void flow_get_stats(const struct flow_table *ft, struct flow_stats *st);

#endif
