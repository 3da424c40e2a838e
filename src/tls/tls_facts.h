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
 *    Application data is any record of type application_data.
 *  - TLS 1.3: every encrypted record looks like application data. The
 *    server's encrypted flight is its first such record after the
 *    ServerHello; the client's first one after that flight, if longer than
 *    TLS_FACTS_TLS13_ALERT_MAX, is its Finished: the handshake is complete.
 *    The client's later records longer than that are application data. A side whose last
 *    record, while the handshake was not complete, was an encrypted record
 *    of at most TLS_FACTS_TLS13_ALERT_MAX bytes most likely sent an alert:
 *    tls_facts_end() records it as an inferred alert with that size.
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
	enum tls_side from;
	uint8_t level;           /* TLS_ALERT_*; 0 when not known */
	uint8_t description;     /* valid only when !encrypted */
	bool encrypted;          /* level and description are hidden */
	bool inferred;           /* never seen as an alert: a short TLS 1.3
	                          * encrypted record that ended a side */
	uint16_t record_len;     /* for an encrypted one: the record size */
};

/* One encrypted (opaque) record. */
struct tls_facts_record {
	ta_frame frame;
	uint8_t content_type;
	uint16_t len;
};

struct tls_facts_side {
	uint64_t bytes;          /* stream bytes fed */
	bool ccs;                /* sent a ChangeCipherSpec */
	ta_frame ccs_frame;
	bool finished;           /* its Finished went by (see above) */
	ta_frame finished_frame;
	uint32_t opaque_records;
	bool last_opaque;        /* its last record was an opaque one */
	struct tls_facts_record tail[TLS_FACTS_TAIL]; /* oldest first */
	uint8_t tail_count;

	uint32_t malformed;      /* units skipped (TLS_EV_MALFORMED) */
	enum tls_bad first_bad;
	uint8_t first_bad_hs_type;
	enum dis_status first_bad_status;
	ta_frame first_bad_frame;

	bool stopped;            /* parsing ended early on this side */
	enum tls_stop stop;
	ta_frame stop_frame;
	uint64_t stop_len;       /* see tls_ev.u.stop.len */
	uint8_t stop_excerpt_len;
	uint8_t stop_excerpt[TLS_REC_EXCERPT]; /* raw bytes (not-tls etc.) */
};

/* Called with the server's (or client's) certificates, DER views valid
 * during the call only. */
typedef void (*tls_facts_cert_fn)(void *arg, enum tls_side from,
                                  const struct tls_certificate *certs,
                                  ta_frame frame);

struct tls_facts {
	struct tls_rec_conn rec;     /* parser state and its buffers */
	tls_facts_cert_fn cert_hook;
	void *cert_arg;

	struct tls_facts_side side[2]; /* indexed by enum tls_side */

	bool client_hello_seen;
	ta_frame client_hello_frame;
	struct tls_client_hello client_hello;   /* the first one */
	uint32_t client_hellos;

	bool hello_retry;                       /* HelloRetryRequest */
	ta_frame hello_retry_frame;
	uint16_t hello_retry_group;             /* the group it asked for */
	uint16_t hello_retry_cipher;
	ta_frame client_hello2_frame;
	struct tls_client_hello *client_hello2; /* the answer to it, or NULL */

	bool server_hello_seen;                 /* a real ServerHello */
	ta_frame server_hello_frame;
	struct tls_server_hello server_hello;

	/* TLS <= 1.2 server flight. */
	bool certs_seen;
	ta_frame certs_frame;
	uint16_t cert_count;                    /* dropped ones included */
	uint64_t cert_bytes;
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
	bool fatal_alert;                       /* a plaintext fatal alert */

	bool handshake_complete;
	ta_frame handshake_complete_frame;
	bool app_data;                          /* application data flowed */
	ta_frame app_data_frame;
	bool client_app_data;                   /* ... from the client */
	ta_frame client_app_data_frame;
	bool settled;                           /* done: buffers released,
	                                         * later payload ignored */
	bool ended;                             /* tls_facts_end was called */
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
/* n bytes of that side were lost (reasm_sink.gap): the side stops. */
void tls_facts_gap(struct tls_facts *f, enum tls_side side, uint64_t n,
                   ta_frame frame);
/* The connection is over (frame: its last packet). Flags streams that
 * ended inside a record, infers TLS 1.3 encrypted alerts, frees buffers.
 * Idempotent; data and gaps given after it are ignored. */
void tls_facts_end(struct tls_facts *f, ta_frame frame);

/*
 * True when no more payload can change the facts: both sides stopped, a
 * fatal alert went by in plaintext, or the handshake completed and
 * application data flowed. TCP reassembly may stop then; the parser's
 * buffers are already released, and later payload is ignored.
 */
bool tls_facts_done(const struct tls_facts *f);

#endif
