/*
 * tcp_track.h: what TCP did on one connection, and how it ended.
 *
 * Fed every packet of a connection with its direction (the flow table
 * decides who is the client). Keeps per-endpoint facts (TTL / hop limit,
 * IPv4 IP-ID, sequence space, timing) and every RST, then decides at the
 * end: no-answer, refused, fin, rst, timeout or open, and who ended it.
 *
 * Middlebox RST inference (RFC 9293 3.10.7 says what a real endpoint's RST
 * looks like): each independent signal leaves one line of evidence. Two or
 * more signals make end_by "middlebox" (reported as inferred); a single one
 * only raises middlebox_suspected, and end_by stays the address's owner.
 */
#ifndef TCP_TRACK_H
#define TCP_TRACK_H

#include <stdbool.h>

#include "pkt.h"
#include "ta.h"

enum tcp_dir {
	TCP_DIR_C2S = 0, /* client to server */
	TCP_DIR_S2C = 1,
};

static inline enum tcp_dir
tcp_dir_other(enum tcp_dir d)
{
	return d == TCP_DIR_C2S ? TCP_DIR_S2C : TCP_DIR_C2S;
}

enum tcp_end {
	TCP_END_OPEN = 0,  /* capture ended with it open */
	TCP_END_FIN,
	TCP_END_RST,
	TCP_END_TIMEOUT,   /* idle past --idle-timeout */
	TCP_END_NO_ANSWER, /* SYNs never answered */
	TCP_END_REFUSED,   /* SYN answered by RST */
};

enum tcp_side {
	TCP_SIDE_NONE = 0,
	TCP_SIDE_CLIENT,
	TCP_SIDE_SERVER,
	TCP_SIDE_MIDDLEBOX,
};

/*
 * Connections that are no attempt to talk: scan probes and lone packets.
 * They get no verdict of their own; the run summary counts them by kind
 * and by source. Only the shapes no client produces while connecting are
 * told from one connection alone (see tcp_track_finish).
 */
enum tcp_probe {
	TCP_PROBE_NONE = 0,
	TCP_PROBE_SYN_SCAN,     /* SYN, SYN-ACK, and the client's RST instead
	                         * of its ACK (a half-open scan) */
	TCP_PROBE_FIN_SCAN,     /* a lone FIN opening nothing */
	TCP_PROBE_NULL_SCAN,    /* a segment with no flag at all */
	TCP_PROBE_XMAS_SCAN,    /* FIN+PSH+URG */
	TCP_PROBE_CONNECT_SCAN, /* handshake, then at once the client's RST,
	                         * no byte either way (a connect scan, or a
	                         * load balancer's health check) */
	TCP_PROBE_LONE_RST,     /* nothing but RSTs */
};
#define TCP_PROBE_KINDS 7

/* Why the flow table is closing the books on this connection. */
enum tcp_finish {
	TCP_FINISH_CLOSED,      /* it ended on the wire (FIN/RST) and lingered */
	TCP_FINISH_IDLE,        /* idle past the idle timeout */
	TCP_FINISH_CAPTURE_END, /* end of input, or live capture stopped */
	TCP_FINISH_EVICTED,     /* the table was full */
	TCP_FINISH_REUSED,      /* a new SYN reused the 4-tuple */
};

#define TCP_TRACK_MAX_RST 8
#define TCP_RST_PAYLOAD_KEPT 24

/*
 * A RST's payload (RFC 9293 3.10.7.1 allows one; load balancers and
 * firewalls write their reset cause there, and
 * draft-ietf-tcpm-rst-diagnostic-payload gives it a format): its first
 * bytes, kept from the first RST that carried any (frame 0: none yet).
 */
struct tcp_rst_payload {
	ta_frame frame;
	uint16_t len;     /* on the wire */
	uint8_t n;        /* kept */
	uint8_t b[TCP_RST_PAYLOAD_KEPT];
};
#define TCP_EVIDENCE_MAX 8
#define TCP_EVIDENCE_LEN 200

/* One RST as seen on the wire, with what the sender's other packets said. */
struct tcp_rst {
	enum tcp_dir dir;  /* whose address it carried */
	ta_frame frame;
	ta_time ts;
	uint32_t seq, ack;
	uint8_t flags;
	uint8_t ttl;
	uint16_t ip_id;
	bool has_ts;       /* carried the TCP timestamp option */
	bool ip_df;
};

/* Fields in two groups: what every packet reads or writes first, packed
 * (with a few thousand connections open each packet's state is a cache
 * miss, so the fewer lines it spans the better), then what only the
 * first packet, a FIN or a RST writes. */
struct tcp_endpoint {
	/* Every packet. */
	uint64_t payload_bytes;
	ta_time last_ts;
	ta_frame last_frame;
	ta_frame ack_max_frame;
	uint32_t pkts;
	uint32_t ts_pkts;      /* non-RST packets carrying TCP timestamps */
	uint32_t snd_next;     /* highest seq + len (+SYN/FIN) sent */
	uint32_t ttl_samples;
	uint32_t last_len;     /* payload length of its last packet */
	/* What it acknowledged of the other side's stream (non-RST, non-SYN
	 * packets with ACK): proof of what the other side sent, captured
	 * or not. ack_first, below, is the first of them. */
	uint32_t ack_max;
	uint32_t ack_pkts;
	uint32_t isn;          /* where its stream starts (every ACK of the
	                        * other side's stream is counted from it) */
	uint16_t ipid_last;    /* IP-ID of its last non-RST IPv4 packet; packets
	                        * with IP-ID 0 are left out (stateless replies
	                        * such as a Linux SYN-ACK carry 0) */
	bool syn_seen;
	bool rst_sent;         /* a RST carrying its address was seen */
	bool seq_known;
	bool fin_seen;
	bool ack_known;
	bool ipid_known;
	bool ipid_zero;        /* its packets carry IP-ID 0 (DF, no counter) */
	bool probe_only;       /* every packet of it so far was a FIN, NULL or
	                        * Xmas probe: no SYN, no ACK, no payload */
	uint8_t last_flags;    /* PKT_TCP_* of its last packet */
	uint8_t ttl_first;     /* TTL of its first non-RST packet */
	uint8_t ttl_min, ttl_max; /* over its non-RST packets */
	uint8_t ipid_steps_ok;  /* steps of +1..+512 between nonzero IP-IDs */
	uint8_t ipid_steps_bad; /* other steps (both saturate at 255) */

	/* Its first packet, FIN and RSTs. */
	uint8_t probe_flags;   /* the flags of its first packet */
	uint32_t ack_first;
	ta_time first_ts;
	ta_frame first_frame;
	ta_frame fin_frame;
	ta_time fin_ts;
	/* Packets it sent after a RST carrying its address: RSTs and
	 * retransmitted FINs are not counted (a closed socket still sends
	 * those). */
	uint32_t pkts_after_rst;
	uint32_t data_after_rst; /* ... of which carried payload */
	ta_frame after_rst_frame; /* the first of them */
};

struct tcp_track {
	/* What every packet reads first, before the endpoints (see
	 * struct tcp_endpoint). */
	uint32_t frames;
	uint32_t nrst;             /* RSTs seen (may exceed the array) */
	ta_time last_ts;
	ta_frame last_frame;
	bool handshake_seen;       /* SYN, SYN-ACK both captured */
	bool synack_seen;
	bool ack_seen;             /* the client's ACK after the SYN-ACK */
	bool established;          /* a non-SYN ACK was seen */
	uint8_t ip_version;        /* 4 or 6, from the first packet */
	uint8_t first_close;       /* PKT_TCP_FIN/_RST, whichever came first */
	uint8_t first_close_dir;   /* enum tcp_dir of that packet */
	bool rst0_established;     /* established when the first RST came */
	struct tcp_endpoint ep[2]; /* indexed by enum tcp_dir */
	uint32_t syns;             /* client SYNs, retransmissions included */
	ta_time syn_ts;            /* first client SYN */
	ta_frame syn_frame;
	ta_time synack_ts;         /* first SYN-ACK */
	ta_frame synack_frame;
	struct tcp_rst rst[TCP_TRACK_MAX_RST];
	uint32_t rst0_seq_ref;     /* its sender's snd_next at the first RST */
	/* The last packet the client / server sent before the first RST:
	 * what the RST could have been an answer to. */
	ta_time last_c2s_before_rst, last_s2c_before_rst;
	ta_time syn_last_ts;       /* last client SYN before the SYN-ACK */
	ta_frame syn_last_frame;
	ta_time ack_ts;            /* the client's ACK after the SYN-ACK */
	/* At the first RST: the other side's last packet before it, and the
	 * sender's own baselines as they stood. */
	ta_frame rst0_prev_frame;  /* 0 when the other side had sent nothing */
	uint32_t rst0_prev_len;
	uint16_t rst0_ipid_ref;    /* sender's last nonzero IP-ID */
	bool rst0_seq_known;
	bool rst0_ipid_counter;    /* sender's IP-IDs counted up in small steps */
	uint8_t rst0_prev_flags;
	bool rst0_after_own_fin;   /* the sender had sent its FIN before it */
	bool rst0_peer_ack_known;  /* the other side had acknowledged ... */
	uint32_t rst0_peer_ack;    /* ... up to here of the sender's stream */
	bool rst0_after_other_fin; /* the other side had sent its FIN before it */
	bool loopback;             /* both ends on one host (127/8, ::1, or
	                            * the same address): nothing in between */
	bool synack_ack_known;     /* the SYN-ACK's ack: where the client's
	                            * stream starts, SYN captured or not */
	uint32_t synack_ack;
	/* A RST the connection outlived: both ends went on after it (its
	 * address sent again, then the other end answered), so it ended
	 * nothing and the RST judgement starts over after it. */
	ta_frame outlived_rst_frame;   /* 0: none */
	ta_frame outlived_after_frame; /* its address's next packet */
	ta_frame outlived_answer_frame; /* the other end's answer to that */
	uint8_t outlived_rst_dir;      /* enum tcp_dir of its address */
	/* The first FIN in the capture acknowledged the other side's FIN
	 * that the capture holds after it: that side closed first (the two
	 * directions out of order), and first_close_dir says so. (Here, in
	 * the padding before rst_payload: struct conn's lines stay put.) */
	bool fin_order_swapped;
	bool first_fin_acks;           /* the first FIN carried an ACK ... */
	uint32_t first_fin_ack;        /* ... of this */
	/* The first RST that carried payload. */
	struct tcp_rst_payload rst_payload;
	/* The capture's clock stepped back within this connection (more
	 * than TCP_TS_BACK_NS): the first such frame and the largest step. */
	ta_frame ts_back_frame;
	uint64_t ts_back_ns;
};

/* A step back in capture time that is damage, not the jitter of a
 * multi-queue capture. */
#define TCP_TS_BACK_NS TA_NS_PER_SEC
/* A SYN-ACK stamped longer than this after the connection's first SYN is
 * a clock that jumped, not an answer: no stack retries a SYN for a day
 * (Linux's longest schedule, tcp_syn_retries 127 with its 120 s cap, is
 * some 4 hours). */
#define TCP_SYN_RTT_MAX_NS (86400 * TA_NS_PER_SEC)

struct tcp_outcome {
	enum tcp_end end;
	enum tcp_side end_by;
	ta_frame end_frame;     /* the FIN/RST that ended it, or the last frame */
	ta_time end_ts;
	uint32_t frames;
	bool handshake_seen;    /* SYN and SYN-ACK both captured */
	bool rtt_known;
	double syn_rtt_ms;      /* SYN -> SYN-ACK as seen at the capture point */
	bool client_rtt_known;
	double client_rtt_ms;   /* SYN-ACK -> the client's ACK */
	bool inferred;          /* end_by rests on inference (middlebox) */
	bool middlebox_suspected; /* a single weak signal, not enough to say so;
	                           * also set when the RST that followed a FIN
	                           * (end fin) shows any signal */
	unsigned rst_signals;   /* middlebox signals that fired on the RST */
	/* The capture, not the network: */
	enum tcp_side missing;  /* CLIENT or SERVER: that direction is not in
	                         * the capture at all, though the other side's
	                         * acknowledgements prove it sent */
	bool midstream;         /* neither SYN nor SYN-ACK captured */
	bool acked_known[2];    /* by enum tcp_dir: acked[d] holds how far the
	                         * other side acknowledged d's stream */
	uint64_t acked[2];      /* the relative ack of d's stream: 1 + its
	                         * bytes (+1 for a FIN) the other side
	                         * acknowledged, counted from d's SYN, from
	                         * the SYN-ACK's ack (client), or from the
	                         * first ack seen */
	ta_frame acked_frame[2];/* the packet that acknowledged the most */
	enum tcp_probe probe;   /* a probe, not a connection attempt */
	bool ts_damaged;        /* the capture's clock stepped back within it,
	                         * or jumped between the SYN and the SYN-ACK:
	                         * its durations mean nothing, and no round
	                         * trip is known */
	ta_frame ts_damage_frame; /* the first step back; 0: none */
	uint64_t ts_damage_ns;  /* the largest step back */
	ta_frame ts_jump_frame; /* the SYN-ACK stamped more than
	                         * TCP_SYN_RTT_MAX_NS after the first SYN
	                         * (ts_jump_syn_frame); 0: none */
	ta_frame ts_jump_syn_frame;
	uint64_t ts_jump_ns;    /* SYN to SYN-ACK, as stamped */
	/* What it was decided from, so that the lines can be written later
	 * (tcp_track_explain); track NULL: an outcome made otherwise, whose
	 * lines are what it holds. */
	const struct tcp_track *track;
	enum tcp_finish why;
	ta_time now;
	bool explained;         /* the lines below are written */
	unsigned nevidence;
	unsigned evidence_dropped; /* lines that did not fit */
	char evidence[TCP_EVIDENCE_MAX][TCP_EVIDENCE_LEN]; /* keep last */
};

void tcp_track_init(struct tcp_track *t);

/* One packet of the connection, in capture order. */
void tcp_track_packet(struct tcp_track *t, enum tcp_dir dir,
                      const struct pkt *p, ta_time ts, ta_frame frame);

/* True once the connection ended on the wire (a RST, or FINs both ways);
 * the flow table lets it linger briefly so late packets are still seen. */
bool tcp_track_closed(const struct tcp_track *t);

/*
 * Decide how the connection ended. now: the capture time of the decision.
 * The evidence lines are not written (nevidence 0): most connections are
 * never printed. out keeps a pointer to t for tcp_track_explain().
 */
void tcp_track_finish(const struct tcp_track *t, enum tcp_finish why,
                      ta_time now, struct tcp_outcome *out);

/*
 * The outcome with its evidence lines: o itself when they are written (or
 * o was not made by tcp_track_finish), else buf, filled with the same
 * decision and the lines, judged again from the track o was decided on;
 * that track must not have changed or gone since.
 */
const struct tcp_outcome *tcp_track_explain(const struct tcp_outcome *o,
                                            struct tcp_outcome *buf);

/* Where the client's stream starts when its SYN was not captured but the
 * SYN-ACK was (the SYN-ACK acknowledges the client's ISN + 1). */
bool tcp_track_client_start(const struct tcp_track *t, uint32_t *seq);

/* Keep p's payload in k if k holds none yet (p: a RST of frame). */
void tcp_rst_payload_keep(struct tcp_rst_payload *k, const struct pkt *p,
                          ta_frame frame);
/* A RST's payload as a reader should see it: the diagnostic format's
 * magic named, text quoted, anything else in hex. */
void tcp_rst_payload_desc(const struct tcp_rst_payload *k, char *buf,
                          size_t len);

const char *tcp_end_str(enum tcp_end e);   /* "fin", "rst", ... as in JSON */
const char *tcp_probe_str(enum tcp_probe p); /* "syn-scan", ... as in JSON */
const char *tcp_side_str(enum tcp_side s); /* "client", "server", "middlebox", NULL for none */

#endif
