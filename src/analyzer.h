/*
 * analyzer.h: the packet path. One analyzer owns the configuration, the
 * connection table and the run's counters; each captured frame goes
 * decode -> flow -> TCP tracking (and reassembly into the session layer),
 * and each connection, when it ends, becomes a struct conn_facts handed to
 * the caller's callback (diagnosis and reports live there).
 */
#ifndef ANALYZER_H
#define ANALYZER_H

#include <stdbool.h>

#include "capture/capture.h"
#include "cert/accepted.h"
#include "cert/cert_facts.h"
#include "tcp/flow.h"
#include "tcp/probes.h"
#include "service.h"
#include "session/starttls.h"
#include "tcp/tcp_track.h"
#include "tls/tls_facts.h"

struct export;
struct certchain;

struct analyzer_config {
	struct certchain *certs; /* chain analysis, or NULL */
	struct service_map svc;
	struct export *export; /* -w: where problem connections go, or NULL */
	ta_time idle_timeout;  /* in capture time */
	size_t max_conns;      /* 0: FLOW_DEFAULT_MAX_CONNS */
	struct pkt_decap decap; /* --decap-port: more UDP tunnel ports */
	/* Offline: a verdict that a later connection may overturn (a client
	 * that left a chain it accepts elsewhere, cert/accepted.h) waits for
	 * it, for ANALYZER_HOLD_NS of capture time at most. Live, verdicts
	 * are never late and only earlier connections count. */
	bool hold;
};

#define ANALYZER_HOLD_NS (600 * TA_NS_PER_SEC)
#define ANALYZER_HOLD_MAX 256

#define ANALYZER_DEFAULT_IDLE (300 * TA_NS_PER_SEC)

/* Everything known about one connection when it ends. Valid only during
 * the callback. */
struct conn_facts {
	const struct conn *conn;
	enum tcp_finish why;
	struct tcp_outcome tcp;
	const struct tls_facts *tls;           /* NULL: no TLS byte seen */
	const struct starttls_facts *starttls; /* NULL unless service imap */
	const struct cert_facts *cert;         /* NULL: no chain analysed */
	/* Another connection of the same client (same ClientHello) that
	 * accepted the same leaf for the same name and sent data; NULL when
	 * none is known (cert/accepted.h). */
	const struct accepted_seen *accepted;
};

/* Returns NULL when the connection is healthy, else the id of its verdict
 * ("tls-alert"): its packets go to the -w export, labelled with it. */
typedef const char *(*analyzer_conn_fn)(void *ctx,
                                        const struct conn_facts *f);

struct analyzer_stats {
	uint64_t frames;
	uint64_t bytes;
	uint64_t tcp;           /* frames that decoded to a TCP segment */
	uint64_t not_ip;
	uint64_t not_tcp;
	uint64_t fragments;     /* IP fragments: counted, not reassembled */
	uint64_t short_frames;  /* headers cut by the snaplen or zero-length */
	uint64_t malformed;     /* headers that contradict themselves */
	uint64_t payload_cut;   /* TCP payload cut by the snaplen */
	uint64_t lying_len;     /* IP length beyond a frame captured whole */
	uint64_t vlan;          /* frames with VLAN tags */
	uint64_t clock_back;    /* frames stamped over a second before the
	                         * latest time seen: the capture's clock (or
	                         * its interfaces' order) steps back */
	uint64_t clock_back_ns; /* the largest such step */
	ta_frame clock_back_frame; /* the first such frame */
	uint64_t tunnelled;     /* frames inside a tunnel (any layer but VLAN
	                         * tags) */
	uint64_t by_encap[PKT_ENC_LAST + 1]; /* frames with a layer of that
	                                      * type (enum pkt_encap_type) */
	uint64_t tunnel_undecoded; /* tunnels whose payload is not decoded */
	ta_time first_ts, last_ts;
	struct flow_stats flow;
	/* Scan probes and lone packets, not reported as connections; owned
	 * by the analyzer, valid while it lives. */
	const struct probes *probes;
	/* Streams seen starting on ports not watched (the same lifetime). */
	const struct port_census *census;
	const struct service_map *svc;  /* the ports watched */
};

/* Streams starting on ports nobody watched, by port and kind (enum
 * sniff_kind), the busiest first; bounded, the rest counted. */
#define CENSUS_PORTS 32
struct port_census_entry {
	uint16_t port;
	uint8_t kind;
	uint32_t count;
};
struct port_census {
	struct port_census_entry e[CENSUS_PORTS];
	unsigned n;
	uint64_t others;  /* not listed: the table was full */
};

struct analyzer;

struct analyzer *analyzer_new(const struct analyzer_config *cfg,
                              analyzer_conn_fn out, void *ctx);
void analyzer_packet(struct analyzer *a, const struct cap_pkt *cp);
/* The same for a frame decoded already (rc, p: what pkt_decode said). */
void analyzer_decoded(struct analyzer *a, const struct cap_pkt *cp,
                      enum dis_status rc, const struct pkt *p);
/* For a service frame a few frames ahead: the hash of its connection's
 * key, and the hint that fetches its part of the table (flow_prefetch). */
uint32_t analyzer_flow_hash(const struct analyzer *a, const struct pkt *p);
/* Whether the look-ahead pays: enough connections open that their table
 * and state no longer stay cached (ANALYZER_PREFETCH_CONNS). */
bool analyzer_prefetch_pays(const struct analyzer *a);
void analyzer_prefetch(const struct analyzer *a, uint32_t hash, bool deep);
/* analyzer_decoded for such a frame, its hash given. */
void analyzer_decoded_hashed(struct analyzer *a, const struct cap_pkt *cp,
                             enum dis_status rc, const struct pkt *p,
                             uint32_t hash);
/* A frame that is not a TCP segment of a configured service, sorted out
 * already: it is only counted (rc, skip, anomalies: what pkt_decode said). */
void analyzer_other(struct analyzer *a, const struct cap_pkt *cp,
                    enum dis_status rc, enum pkt_skip skip,
                    uint32_t anomalies);
/* The same for a further packet of a frame that holds several (an 802.11
 * A-MSDU, pkt sub > 0): the frame was counted with its first packet, so
 * only a TCP segment of another port is. */
void analyzer_other_sub(struct analyzer *a, enum dis_status rc);
/* A segment of no watched port whose payload starts a TLS or mail stream
 * (enum sniff_kind) for port: counted, so that the summary can say where
 * the capture's TLS is when the watched ports hold none. */
void analyzer_sniffed(struct analyzer *a, unsigned kind, uint16_t port);

/* Where one-line warnings go (a -w write error). */
void analyzer_set_warn(struct analyzer *a,
                       void (*warn)(void *ctx, const char *msg), void *ctx);
/* The ports it watches (read-only). */
const struct service_map *analyzer_services(const struct analyzer *a);
/* The tunnel ports it decodes (read-only). */
const struct pkt_decap *analyzer_decap(const struct analyzer *a);
/* Live: time passes without packets; expire what idled. */
void analyzer_tick(struct analyzer *a, ta_time now);
/* End of input: every open connection ends (reported as open). */
void analyzer_finish(struct analyzer *a);
void analyzer_get_stats(const struct analyzer *a, struct analyzer_stats *st);
void analyzer_free(struct analyzer *a);

#endif
