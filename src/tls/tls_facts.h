/*
 * tls_facts.h: what one connection's TLS said (RFC 8446, RFC 5246), as
 * plain facts for the diagnosis: hellos, alerts, handshake completion,
 * what the end looked like. Feeds both sides' in-order byte streams to the
 * record parser (dissect/tls_record.h) and owns its buffers.
 *
 * Memory: the struct itself is fixed size; the parser's two buffers per
 * side are allocated only when a record or a handshake message straddles
 * deliveries, grown to what that unit needs, never beyond TA_CAP_TLS_RECORD
 * and TA_CAP_TLS_HS. The handshake buffer is released as soon as its
 * message is parsed; all of them once tls_facts_done() turns true (the
 * facts are then settled: later payload is ignored) or the connection
 * ends. The second ClientHello (after a HelloRetryRequest) is allocated
 * when it arrives and lives until tls_facts_free(): call that only when
 * the facts are no longer read.
 *
 * Encrypted records (see doc/tls.md for the reasoning):
 *  - TLS <= 1.2: a side's Finished is its first handshake record after its
 *    ChangeCipherSpec; the handshake is complete when a ServerHello was
 *    seen and both sides sent their Finished. Alerts after the CCS keep their content type: they are
 *    recorded as encrypted alerts (level and description unknown).
 *    Application data is any record of type application_data after a
 *    ServerHello (before it: 0-RTT data, or, when the ServerHello was
 *    lost, possibly a TLS 1.3 server's encrypted flight).
 *  - TLS 1.3: every encrypted record looks like application data. The
 *    server's encrypted flight is its first such record after the
 *    ServerHello; the client's first one after that flight, if longer than
 *    TLS_FACTS_TLS13_ALERT_MAX, is its Finished: the handshake is complete.
 *    The client's later records longer than that are application data.
 *    Without the ServerHello, a client that offered TLS 1.3 has its
 *    records after the server's flight kept (struct tls_facts_tls13_client)
 *    for the one-sided diagnosis. A side whose last
 *    record, while the handshake was not complete, was an encrypted record
 *    of at most TLS_FACTS_TLS13_ALERT_MAX bytes most likely sent an alert:
 *    tls_facts_end() records it as an inferred alert with that size.
 *  - SSL 2.0 (inferred, draft-hickman-netscape-ssl-00 "Protocol Flow"):
 *    after the CLIENT-MASTER-KEY (or a SERVER-HELLO that resumed a
 *    session) the client's first encrypted record is its CLIENT-FINISHED,
 *    the server's second its SERVER-FINISHED (after SERVER-VERIFY); the
 *    handshake is complete with both, and the client's later records are
 *    application data.
 *
 * Lost bytes (doc/tls.md, "Gaps and mid-stream pickup"): a gap no longer
 * stops a side. Each side keeps its gaps, whether its stream began
 * mid-stream, whether and where it found its footing again, the records
 * and messages a gap cut, and the handshake records it skipped because
 * they continued a message whose start was lost. Every fact read after a
 * side lost bytes is marked (`after_gap`, or compare its frame with the
 * side's first_gap_frame / midstream_frame). A side that never found its
 * footing again stops with TLS_STOP_GAP when the connection ends, as a
 * gap stopped it before: the diagnosis still sees a gap then.
 *
 * Wire order: the ClientHello, the ServerHello and every alert keep the
 * stream offset of their record beside their frame, so that two facts of
 * one side in one frame (a warning alert before the ServerHello in the
 * same segment) can be ordered; facts of the two sides are ordered by
 * frame, and each alert also says whether a ClientHello and a ServerHello
 * had been read before it.
 */
#ifndef TLS_FACTS_H
#define TLS_FACTS_H

#include <stdbool.h>

#include "ta.h"
#include "tls_hs.h"
#include "tls_record.h"

/* Buffer ceilings: one whole record; one whole handshake message. */
#define TA_CAP_TLS_RECORD (TLS_REC_HDR_LEN + TLS_REC_MAX_LEN)
#define TA_CAP_TLS_HS (TLS_HS_HDR_LEN + TLS_REC_HS_MAX)

#define TLS_FACTS_MAX_ALERTS 8
/* Encrypted records kept per side (the most recent ones). */
#define TLS_FACTS_TAIL 4
/*
 * TLS 1.3 alert under encryption: 2 bytes, the inner content type and a
 * 16-byte AEAD tag make 19; 2 bytes of slack for padding. The smallest
 * other encrypted record, an empty EncryptedExtensions, is 23.
 */
#define TLS_FACTS_TLS13_ALERT_MAX 21

/* Alert levels (RFC 5246 7.2). */
#define TLS_ALERT_WARNING 1
#define TLS_ALERT_FATAL 2

struct tls_facts_alert {
	ta_frame frame;
	uint64_t offset;         /* stream offset of its record, in `from`'s
	                          * stream (wire order within one frame) */
	enum tls_side from;
	uint8_t level;           /* TLS_ALERT_*; 0 when not known */
	uint8_t description;     /* valid only when !encrypted */
	bool encrypted;          /* level and description are hidden */
	bool inferred;           /* never seen as an alert: a short TLS 1.3
	                          * encrypted record that ended a side */
	uint16_t record_len;     /* for an encrypted one: the record size */
	bool after_gap;          /* `from` had lost bytes before it */
	bool before_client_hello; /* no ClientHello had been read yet (from
	                          * the client: it failed before sending one) */
	bool before_server_hello; /* no ServerHello (nor HRR) had been read */
	uint16_t ssl2_error;     /* non-zero: an SSL 2.0 ERROR with this code
	                          * (level fatal; description the TLS alert
	                          * of the same meaning, see tls_facts.c) */
};

/* A record or handshake message a gap cut (TLS_EV_CUT), in wire order. */
struct tls_facts_cut {
	ta_frame frame;          /* the packet that began it */
	uint64_t offset;         /* its record's (or the gap's) stream offset */
	uint8_t content_type;    /* 0: SSL 2.0 */
	bool in_record;          /* a record was cut (else between records,
	                          * inside the message in hs_type) */
	uint16_t record_len;     /* declared length of the record's body */
	uint16_t held;           /* bytes of it that had arrived */
	uint8_t hs_have;         /* handshake header bytes known: hs_type
	                          * valid from 1, hs_len at 4 */
	uint8_t hs_type;
	uint32_t hs_len;
};

/* Only the first is kept: the evidence names it and counts the rest. */
#define TLS_FACTS_MAX_CUTS 1

/* One encrypted (opaque) record. */
struct tls_facts_record {
	ta_frame frame;
	uint8_t content_type;
	uint16_t len;
};

struct tls_facts_side {
	uint64_t bytes;          /* stream bytes fed */
	/* What the other side acknowledged of this side's stream
	 * (tls_facts_acked, every acknowledgement while the handshake is
	 * read: kept beside bytes): proof of bytes this side sent, captured
	 * or not. acked counts bytes from the stream's start. */
	bool acked_known;
	uint64_t acked;
	ta_frame acked_frame;    /* the packet that acknowledged the most */
	/* After STARTTLS, where this side's TLS stream began in its TCP
	 * stream when that was read from the other side's acknowledgement
	 * alone (its plaintext not captured; tls_facts_ack_origin): its
	 * size and that packet. 0: not so. */
	uint64_t origin_acked;
	ta_frame origin_frame;
	bool ccs;                /* sent a ChangeCipherSpec */
	ta_frame ccs_frame;
	bool finished;           /* its Finished went by (see above) */
	ta_frame finished_frame;
	uint32_t opaque_records;
	bool last_opaque;        /* its last record was an opaque one */
	struct tls_facts_record tail[TLS_FACTS_TAIL]; /* oldest first */
	uint64_t tail_offset[TLS_FACTS_TAIL];  /* their stream offsets */
	bool tail_after_gap[TLS_FACTS_TAIL];   /* bytes were lost before */
	uint8_t tail_count;

	uint32_t malformed;      /* units skipped (TLS_EV_MALFORMED) */
	/* Handshake messages not followed on a stream captured whole
	 * (TLS_BAD_HS_TOO_LONG: a header declaring more than TLS_REC_HS_MAX;
	 * the side's records were read on): how many, and the first one's
	 * header. */
	uint32_t hs_too_long;
	ta_frame hs_too_long_frame;
	uint8_t hs_too_long_type;
	uint32_t hs_too_long_len;
	enum tls_bad first_bad;
	uint8_t first_bad_hs_type;
	enum dis_status first_bad_status;
	ta_frame first_bad_frame;

	bool stopped;            /* parsing ended early on this side */
	enum tls_stop stop;
	ta_frame stop_frame;
	uint64_t stop_offset;    /* stream offset of the record (or gap)
	                          * it stopped on */
	uint64_t stop_len;       /* see tls_ev.u.stop.len; for gap, 0 means
	                          * unknown (a mid-stream start) */
	uint8_t stop_excerpt_len;
	uint8_t stop_excerpt[TLS_REC_EXCERPT]; /* raw bytes (not-tls etc.) */
	/* The stop came on bytes of a stream captured whole up to them (no
	 * gap, not mid-stream): the sender malformed them (not-tls,
	 * bad-record, record-too-long, oversized), as opposed to a side that
	 * lost bytes (gap) or the capture's end (truncated). */
	bool stop_by_sender;

	/* The gap stop above was kept for the diagnosis although the parser
	 * went on after the gap and found its footing: see tls_facts_end().
	 * Whenever a gap stop is reported at the first gap, `bytes` counts
	 * what came before that gap, as when a gap stopped a side, and
	 * bytes_after_stop what was fed after it. */
	bool gap_stop_kept;
	uint64_t bytes_after_stop;

	/* Capture loss (tls_facts_gap) and mid-stream pickup. */
	uint32_t gaps;
	uint64_t gap_bytes;
	ta_frame first_gap_frame;
	uint64_t first_gap_offset;   /* stream offset where it began */
	uint64_t first_gap_bytes;
	uint64_t bytes_before_gap;   /* bytes fed before the first gap */
	bool midstream;          /* its stream's start was not captured */
	ta_frame midstream_frame;
	/* Footing found again: records are read from there on. */
	bool resynced;
	ta_frame resync_frame;   /* the first time: the packet that began the
	                          * first record read again */
	uint64_t resync_offset;
	uint32_t resyncs;        /* times (one per gap it recovered from) */
	uint32_t desyncs;        /* times a header after a resync was not one */
	uint64_t skipped_bytes;  /* passed over while looking for a record */
	uint32_t continuations;  /* handshake records skipped: they continued
	                          * a message whose start was lost */
	struct tls_facts_cut cuts[TLS_FACTS_MAX_CUTS]; /* the first one */
	uint32_t cut_count;      /* all of them, opaque records included */
	uint32_t cut_opaque;     /* encrypted records whose header was there
	                          * and body cut: counted as records, with
	                          * their declared size */

	bool ccs_after_gap;
	uint64_t ccs_offset;

	/* Invalid record headers on a stream captured whole, after a whole
	 * record (TLS_EV_BAD_HEADER): the side was read again from the next
	 * record found at a delivery's start (resynced), or, if none came,
	 * stopped on the first of them at its end (bad-record,
	 * record-too-long: the excerpt below is then the stop's). */
	uint32_t bad_headers;
	ta_frame bad_header_frame;   /* the first one */
	uint64_t bad_header_offset;
	enum tls_stop bad_header_reason; /* bad-record or record-too-long */
	uint64_t bad_header_len;     /* declared length (too long) */
	uint8_t bad_header_excerpt_len;
	uint8_t bad_header_excerpt[TLS_REC_EXCERPT];
	bool bad_header_resynced;    /* a record was found after the first */
	ta_frame bad_header_resync_frame; /* the packet that began it */
	uint64_t bad_header_skipped; /* bytes passed over until then */
};

/*
 * TLS 1.3 seen through the server's acknowledgements of the client's
 * stream, for a capture that lacks the client's direction: a client that
 * sent at least a Finished record's worth of bytes after the server's
 * encrypted flight began, which the server then answered with a record
 * longer than an alert. The facts only; whether that proves a completed
 * handshake is the diagnosis's to say (inferred).
 */
struct tls_facts_tls13_acks {
	bool flight_known;       /* the client's acked count when the
	                          * server's flight began is known */
	uint64_t flight_acked;
	ta_frame fin_frame;      /* the packet whose acknowledgement first
	                          * reached tls_facts_tls13_finished_len()
	                          * bytes past the flight (0: never) */
	uint64_t fin_bytes;      /* the bytes past the flight it acked */
	ta_frame answer_frame;   /* the server's first record longer than
	                          * TLS_FACTS_TLS13_ALERT_MAX after that, in
	                          * a later packet than its flight (0: none) */
	uint16_t answer_len;
	uint64_t answer_acked;   /* bytes past the flight acked by then */
	ta_frame answer_ack_frame; /* the packet that acknowledged the last
	                          * of them */
};

/*
 * TLS 1.3 seen through the client's direction alone, for a capture that
 * lacks the server's: no ServerHello, a client that offered TLS 1.3. Its
 * encrypted records sent once it had acknowledged server bytes (the
 * server's flight: records before that are 0-RTT data), and what it
 * acknowledged of the server after them. The facts only; the diagnosis
 * says whether they prove a completed handshake (inferred).
 */
struct tls_facts_tls13_client {
	ta_frame fin_frame;      /* its first such record (0: none) */
	uint16_t fin_len;        /* its length (after the 5-byte header) */
	uint64_t fin_offset;     /* its stream offset */
	bool fin_after_gap;      /* bytes were lost before it */
	uint64_t flight_acked;   /* server bytes it had acknowledged then */
	ta_frame data_frame;     /* the next one longer than an alert
	                          * (TLS_FACTS_TLS13_ALERT_MAX), in a later
	                          * packet (0: none) */
	uint16_t data_len;
	uint64_t data_acked;     /* server bytes acknowledged by then */
	ta_frame answer_frame;   /* the packet that first acknowledged more
	                          * than an alert record's worth of server
	                          * bytes past data_acked (0: never) */
	uint64_t answer_bytes;   /* how many past data_acked, by then */
	bool more;               /* any encrypted record after the first */
};

/* Called with the server's (or client's) certificates, DER views valid
 * during the call only. */
typedef void (*tls_facts_cert_fn)(void *arg, enum tls_side from,
                                  const struct tls_certificate *certs,
                                  ta_frame frame);

struct tls_facts {
	/* Read on every packet (tls_facts_done, tls_facts_acked): first,
	 * beside the parser state, not after the large messages. */
	bool settled;                /* done: buffers released, later
	                              * payload ignored */
	bool ended;                  /* tls_facts_end was called */
	bool fatal_alert;            /* a plaintext fatal alert (alerts[]) */
	bool handshake_complete;     /* its frame: handshake_complete_frame */
	bool app_data;               /* application data flowed (app_data_frame) */
	bool client_app_data;        /* ... from the client
	                              * (client_app_data_frame) */
	struct tls_rec_conn rec;     /* parser state and its buffers */
	tls_facts_cert_fn cert_hook;
	void *cert_arg;

	struct tls_facts_side side[2]; /* indexed by enum tls_side */

	bool client_hello_seen;
	ta_frame client_hello_frame;
	uint64_t client_hello_offset;
	bool client_hello_after_gap;            /* the client lost bytes
	                                         * before it */
	struct tls_client_hello client_hello;   /* the first one */
	uint32_t client_hellos;                 /* every ClientHello read: the
	                                         * first, the answer to an HRR,
	                                         * any other */
	/* A ClientHello that is neither the first nor the answer to a
	 * HelloRetryRequest: a renegotiation in the clear, or a client that
	 * restarted its handshake. The first such one. */
	bool client_hello_again;
	ta_frame client_hello_again_frame;
	uint64_t client_hello_again_offset;
	bool client_hello_again_after_server_hello; /* a ServerHello had been
	                                         * read before it */
	/* A client alert before any ClientHello: the client gave up before
	 * it sent one (it failed locally). The first such alert. */
	bool client_alert_before_hello;
	ta_frame client_alert_before_hello_frame;

	bool hello_retry;                       /* HelloRetryRequest */
	ta_frame hello_retry_frame;
	uint16_t hello_retry_group;             /* the group it asked for */
	uint16_t hello_retry_cipher;
	/* The answer to it, or NULL. A second ClientHello before any
	 * ServerHello is kept here until the HelloRetryRequest comes (a
	 * capture may hold the two directions' packets out of order); with
	 * none by the ServerHello or the end, it is client_hello_again. */
	ta_frame client_hello2_frame;
	uint64_t client_hello2_offset;
	struct tls_client_hello *client_hello2;

	bool server_hello_seen;                 /* a real ServerHello */
	ta_frame server_hello_frame;
	uint64_t server_hello_offset;
	bool server_hello_after_gap;
	struct tls_server_hello server_hello;   /* sslv2: an SSL 2.0
	                                         * SERVER-HELLO, and
	                                         * ssl2_cipher the client's
	                                         * choice */
	bool ssl2_master_key;                   /* SSL 2.0 CLIENT-MASTER-KEY */
	ta_frame ssl2_master_key_frame;

	/* PostgreSQL SSLRequest before TLS (the tls service only). */
	bool pg_request;
	ta_frame pg_request_frame;
	bool pg_answered;
	ta_frame pg_answer_frame;
	bool tls_refused;                       /* "TLS refused by the server
	                                         * (PostgreSQL SSLRequest
	                                         * answered N)"; the server's
	                                         * side still stops as not-tls
	                                         * on the N (stop_by_sender) */

	/* TLS <= 1.2 server flight. */
	bool certs_seen;
	ta_frame certs_frame;
	uint16_t cert_count;                    /* dropped ones included */
	uint64_t cert_bytes;
	/* The server's first Certificate message did not parse: its chain
	 * was not read (an edited or damaged capture, or a malformed
	 * message). Its declared body length, and what its certificate_list
	 * declares when that was there. */
	bool certs_unreadable;
	ta_frame certs_unreadable_frame;
	uint32_t certs_unreadable_len;
	bool certs_unreadable_list_known;
	uint32_t certs_unreadable_list_len;
	bool client_certs_seen;
	ta_frame client_certs_frame;
	uint16_t client_cert_count;
	bool cert_status;                       /* OCSP response stapled */
	bool cert_request;                      /* client certificate asked */
	ta_frame cert_request_frame;
	bool ske_seen;
	struct tls_server_key_exchange ske;
	bool server_hello_done;
	ta_frame server_hello_done_frame;

	struct tls_facts_alert alerts[TLS_FACTS_MAX_ALERTS];
	uint8_t alert_count;
	uint8_t alerts_dropped;

	struct tls_facts_tls13_acks tls13_acks;
	struct tls_facts_tls13_client tls13_client;

	/* handshake_complete, app_data, client_app_data: at the top. */
	ta_frame handshake_complete_frame;
	ta_frame app_data_frame;
	ta_frame client_app_data_frame;
};

void tls_facts_init(struct tls_facts *f);
/* Release everything the facts allocated, client_hello2 included (it
 * becomes NULL); the rest stays readable. */
void tls_facts_free(struct tls_facts *f);

void tls_facts_set_cert_hook(struct tls_facts *f, tls_facts_cert_fn fn,
                             void *arg);

/* n in-order bytes from one side, completed by frame (reasm_sink.data). */
void tls_facts_data(struct tls_facts *f, enum tls_side side,
                    const uint8_t *p, size_t n, ta_frame frame);
/* n bytes of that side were lost (reasm_sink.gap): the side hunts for its
 * next record (tls_record.h). */
void tls_facts_gap(struct tls_facts *f, enum tls_side side, uint64_t n,
                   ta_frame frame);
/* Seen from the client alone (struct tls_facts_tls13_client): its only
 * encrypted record after the server's flight was alert-sized, so that
 * record is its encrypted alert (inferred; tls_facts_end records it). */
bool tls_facts_tls13_client_alert(const struct tls_facts *f);

/*
 * The other side acknowledged the first n bytes of side's TLS stream
 * (counted from its start, as TCP sequence numbers say; after STARTTLS,
 * from the TLS stream's first byte), in the packet frame: given before
 * that packet's payload is fed, so that a record it carries is judged
 * with what its sender had received. A smaller n than before changes
 * nothing.
 */
void tls_facts_acked(struct tls_facts *f, enum tls_side side, uint64_t n,
                     ta_frame frame);

/* side's TLS stream begins after the first n bytes of its TCP stream, as
 * the other side's acknowledgement in frame shows (STARTTLS, with side's
 * plaintext not in the capture): for the evidence. */
void tls_facts_ack_origin(struct tls_facts *f, enum tls_side side,
                          uint64_t n, ta_frame frame);
/*
 * The fewest bytes a TLS 1.3 Finished record has under this cipher suite
 * (RFC 8446 4.4.4, 5.2): a 5-byte record header, the 4-byte message
 * header, the hash's length, the inner content type and the AEAD tag;
 * for an unknown suite the smallest of the known ones (50).
 */
uint32_t tls_facts_tls13_finished_len(uint16_t cipher);

/* That side's stream is fed from its middle (the capture began after it
 * started; frame: its first packet): it hunts from its first delivery,
 * with no gap size invented. */
void tls_facts_midstream(struct tls_facts *f, enum tls_side side,
                         ta_frame frame);
/* Recognise another protocol's TLS preamble at the start of the streams
 * (PostgreSQL SSLRequest): for the tls service, which may be anything. */
void tls_facts_allow_preambles(struct tls_facts *f);
/*
 * The connection is over (frame: its last packet). Flags streams that
 * ended inside a record, infers TLS 1.3 encrypted alerts, frees buffers.
 * Idempotent; data and gaps given after it are ignored.
 *
 * When the handshake did not complete, a side that lost bytes to a gap is
 * reported stopped on a gap (stop_frame: its first gap, stop_len: that
 * gap's size) whether or not it found its footing again (gap_stop_kept:
 * it did, and the parser went on): what the lost bytes held is unknown,
 * and a diagnosis that judges by what a side did not send must not judge
 * a side with a hole in it. Facts read after the gap stay recorded. With
 * a completed handshake only a side that never found its footing again
 * is stopped (from where it last lost it, as the parser says). A side
 * picked up mid-stream has no hole that the capture made: it is stopped
 * only when it never found a record (stop_len 0: unknown).
 */
void tls_facts_end(struct tls_facts *f, ta_frame frame);

/*
 * True when no more payload can change the facts: both sides stopped, a
 * fatal alert went by in plaintext, or the handshake completed and
 * application data flowed. TCP reassembly may stop then; the parser's
 * buffers are already released, and later payload is ignored.
 */
bool tls_facts_done(const struct tls_facts *f);

#endif
