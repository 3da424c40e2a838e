/*
 * tls_record.h: TLS record layer stream parser (RFC 8446 5.1, RFC 5246
 * 6.2.1), with handshake message reassembly (RFC 8446 5.1, RFC 5246 6.2.1),
 * SSLv2-compatible ClientHello framing (RFC 5246 appendix E.2) and the SSL
 * 2.0 handshake in clear (draft-hickman-netscape-ssl-00).
 *
 * One tls_rec_conn per TCP connection; each side's in-order byte stream is
 * fed with tls_rec_feed() as it arrives, in any split. What the parser
 * recognises comes out as events (struct tls_ev) through the sink, each with
 * the frame of the packet that completed it and the side that sent it.
 *
 * Memory: the parser allocates nothing. A record wholly inside one delivery
 * (the common case) is parsed where it lies, without a copy. Only a record
 * split across deliveries is copied, into rec, and only a handshake message
 * split across records into hs: both are caller-owned tls_rec_buf, which the
 * parser asks the sink to grow on demand (first to the header size, then to
 * the exact size of the unit being completed; never beyond
 * TLS_REC_HDR_LEN + TLS_REC_MAX_LEN for rec and TLS_HS_HDR_LEN +
 * TLS_REC_HS_MAX for hs). The caller frees rec.p and hs.p of both sides
 * when it is done; a buffer whose len is 0 holds nothing the parser needs
 * and may be freed (and its p set to NULL, cap to 0) at any time between
 * calls.
 *
 * Plaintext versus encrypted: content type 23 (application_data) is always
 * opaque. TLS <= 1.2: a side's records after its ChangeCipherSpec are
 * opaque. TLS 1.3: once the ServerHello (not a HelloRetryRequest) selects
 * 1.3, both sides' records are opaque except ChangeCipherSpec (RFC 8446
 * D.4 compatibility) and 2-byte alerts. An alert record of exactly 2 bytes
 * is read as a plaintext alert in every phase: no cipher produces a 2-byte
 * ciphertext, and some TLS 1.3 clients send their alerts in plaintext
 * after the ServerHello. Opaque records are reported as TLS_EV_OPAQUE with
 * their type and size; deciding what they were is the facts layer's job.
 *
 * Lost bytes (doc/tls.md, "Gaps and mid-stream pickup"): a gap
 * (tls_rec_gap) or a stream whose start was not captured
 * (tls_rec_midstream) puts the side into a hunting state. A record or
 * handshake message cut by the gap is reported (TLS_EV_CUT, or an opaque
 * record with `cut` set), then each later delivery is tried as the start of
 * a record: a plausible header (content type 20..24, version 3.0..3.4, a
 * length TLS allows) whose record either ends exactly at the end of the
 * delivery or is followed by another plausible header. The caller must
 * therefore feed one delivery per call, as TCP reassembly hands them over:
 * after a gap its next delivery begins at a segment boundary. When the
 * candidate record is whole and confirmed, TLS_EV_RESYNC says where the
 * side found its footing and parsing resumes with the side's encryption
 * state as it was; a delivery that does not qualify is skipped. On a side
 * that lost bytes, a header that is not a record makes it hunt again
 * (TLS_EV_DESYNC), never a stop; a side that never finds its footing again
 * stops with TLS_STOP_GAP when its stream ends (tls_rec_end).
 *
 * Invalid record headers on a stream captured whole: a header that is
 * not one (or declares a record longer than TLS_REC_MAX_LEN) after at
 * least one whole record of the side was read is reported
 * (TLS_EV_BAD_HEADER, with the offending bytes), and the side hunts as
 * after a gap, from its next delivery: captures edited by hand, or a
 * corrupting device on the path, damage one record while the peer's
 * answers show the stream went on. Such a side is `astray`: what follows
 * is read again only where a plausible record starts a delivery, later
 * faults make it hunt again (TLS_EV_DESYNC), and its alerts longer than
 * 2 bytes are opaque (its ChangeCipherSpec may be among the bytes passed
 * over). A side that never finds its footing again stops with
 * TLS_STOP_BAD_RECORD (or TLS_STOP_RECORD_TOO_LONG) at that header when
 * its stream ends, unless it also lost bytes to a gap (TLS_STOP_GAP): a
 * stream that turned into something else is not TLS.
 *
 * A side stops for good (TLS_EV_STOP, once) on: bytes that are not TLS at
 * the start of its stream, a record header that is invalid or declares a
 * record longer than TLS_REC_MAX_LEN before any whole record of the side
 * (only while the side has lost no byte: the sender wrote it), a buffer
 * the caller refused to grow, the end of the stream inside a record, or
 * the end of a stream whose footing was lost to a gap or an invalid
 * header and never found again. Smaller faults (one message that does not
 * parse, an empty record) are TLS_EV_MALFORMED and parsing goes on with
 * the next unit.
 *
 * A handshake message header that declares more than TLS_REC_HS_MAX on a
 * side that lost no byte (an edited or damaged capture: a message before
 * it declared too little, or its own length was changed) does not stop
 * the side: its records are still framed by their own headers. It is
 * TLS_EV_MALFORMED (TLS_BAD_HS_TOO_LONG, hs_type and hs_len from that
 * header), the rest of its record is passed over, and the side's
 * handshake messages are looked for again as after a gap: the next
 * plaintext handshake record that begins with a plausible message header
 * (tls_hs_plausible) is read, one that does not is a TLS_EV_CONTINUATION.
 * ChangeCipherSpec, alerts and encrypted records are read on as before.
 *
 * Preambles (only when tls_rec_conn.preambles is set, for services that
 * are TLS on any port): a client stream that starts with PostgreSQL's
 * SSLRequest (8 bytes: length 8, code 80877103) is followed by the
 * server's one-byte answer; after 'S' both sides speak TLS, after 'N'
 * TLS was refused (TLS_EV_PREAMBLE each time).
 */
#ifndef TLS_RECORD_H
#define TLS_RECORD_H

#include <stdbool.h>

#include "ta.h"
#include "tls_hs.h"

enum tls_side {
	TLS_SIDE_CLIENT = 0,
	TLS_SIDE_SERVER = 1,
};

/* ContentType (RFC 8446 5.1, RFC 6520 for heartbeat, RFC 9146 for cid). */
#define TLS_CT_CHANGE_CIPHER_SPEC 20
#define TLS_CT_ALERT 21
#define TLS_CT_HANDSHAKE 22
#define TLS_CT_APPLICATION_DATA 23
#define TLS_CT_HEARTBEAT 24
#define TLS_CT_TLS12_CID 25

#define TLS_REC_HDR_LEN 5
/* TLSCiphertext may carry 2^14 + 2048 bytes (RFC 5246 6.2.3); longer is
 * not TLS. */
#define TLS_REC_MAX_LEN (16384u + 2048u)
/* Longest handshake message reassembled (body): a certificate chain
 * bigger than this is not something a mail client accepts either. */
#define TLS_REC_HS_MAX (256u * 1024u)
/* Bytes of the offending stream kept in a not-tls or bad-record event. */
#define TLS_REC_EXCERPT 32

/* A caller-owned buffer: p has room for cap bytes, len of them used. */
struct tls_rec_buf {
	uint8_t *p;
	size_t cap;
	size_t len;
};

struct tls_rec_dir {
	struct tls_rec_buf rec;   /* a record not complete yet */
	struct tls_rec_buf hs;    /* a handshake message spanning records */
	uint16_t hs_record_version; /* version of the record that began it */
	ta_frame rec_frame;       /* the frame that brought rec's first byte */
	ta_frame hs_frame;        /* ... and hs's */
	uint16_t last_version;    /* record version of its last whole record */
	bool started;             /* its first record header has been read */
	bool encrypted;           /* its records are opaque from now on */
	bool compat_ccs;          /* it sent a ChangeCipherSpec taken for TLS
	                           * 1.3's compatibility one (no ServerHello
	                           * known), which a later record may prove a
	                           * TLS 1.2 key change */
	bool stopped;
	uint64_t offset;          /* stream bytes consumed (or skipped) */
	uint64_t records;

	/* Lost bytes and resynchronisation (see above). */
	bool lost;                /* bytes of this side were missed: a gap, or
	                           * the capture began mid-stream */
	bool midstream;           /* its stream's start was not captured */
	bool hunting;             /* looking for a record at the next delivery */
	bool tentative;           /* rec holds a candidate record found while
	                           * hunting, not confirmed yet */
	bool hs_unsynced;         /* the next plaintext handshake record may
	                           * continue a message begun in a gap */
	ta_frame cand_frame;      /* the candidate's first frame and offset */
	uint64_t cand_offset;
	ta_frame lost_frame;      /* where it last lost its footing */
	uint64_t lost_offset;
	uint64_t lost_gap_bytes;  /* bytes missing since then */
	uint64_t gap_bytes;       /* bytes missing in all */
	uint64_t skipped;         /* bytes passed over while hunting */
	bool astray;              /* an invalid record header made it hunt
	                           * although no byte was lost (see above) */
	uint8_t astray_stop;      /* the enum tls_stop it ends with if it
	                           * never finds its footing again */
	uint64_t astray_len;      /* ... and that header's declared length */

	uint8_t pre[8];           /* a preamble being read (client) */
	uint8_t pre_len;
};

/* What became of a PostgreSQL SSLRequest (tls_rec_conn.pg). */
enum tls_pg {
	TLS_PG_NONE = 0,           /* none (yet) */
	TLS_PG_READING,            /* the client's first bytes may be one */
	TLS_PG_REQUESTED,          /* sent; the server's answer not seen */
	TLS_PG_ACCEPTED,           /* answered 'S': TLS follows */
	TLS_PG_REFUSED,            /* answered 'N': no TLS */
};

struct tls_rec_conn {
	struct tls_rec_dir dir[2]; /* indexed by enum tls_side */
	uint16_t version;          /* chosen by the ServerHello, 0 until then */
	bool server_hello_seen;    /* a ServerHello (or HRR) was parsed */
	bool hello_retry;          /* a HelloRetryRequest was seen */
	bool client_offered_tls13; /* a ClientHello listed TLS 1.3 */
	bool client_hello_parsed;  /* a ClientHello was read (a capture that
	                            * began later, or lost it, has none) */
	bool ssl2_hello;           /* the client's first record was SSLv2 */
	bool ssl2;                 /* the server answered in SSL 2.0: both
	                            * sides' records are SSL 2.0 records */
	bool ssl2_session_hit;     /* its SERVER-HELLO resumed a session */
	bool preambles;            /* recognise a preamble (set by the caller) */
	enum tls_pg pg;
};

enum tls_ev_type {
	TLS_EV_CLIENT_HELLO,       /* u.ch (the SSLv2 form too) */
	TLS_EV_SERVER_HELLO,       /* u.sh (HelloRetryRequest too) */
	TLS_EV_CERTIFICATE,        /* u.cert: DER views valid during the call */
	TLS_EV_CERT_STATUS,        /* u.status */
	TLS_EV_SERVER_KEY_EXCHANGE, /* u.ske */
	TLS_EV_CERT_REQUEST,       /* u.creq */
	TLS_EV_HANDSHAKE,          /* any other plaintext handshake message */
	TLS_EV_CHANGE_CIPHER_SPEC,
	TLS_EV_ALERT,              /* u.alert: a plaintext alert */
	TLS_EV_OPAQUE,             /* u.opaque: a record we cannot read */
	TLS_EV_MALFORMED,          /* u.bad: one unit skipped, parsing goes on */
	TLS_EV_STOP,               /* u.stop: this side is parsed no further */
	TLS_EV_RESYNC,             /* u.resync: after lost bytes, the side's
	                            * records are read again from here (offset:
	                            * the first record; frame: the packet that
	                            * began it) */
	TLS_EV_DESYNC,             /* on a side that lost bytes (or went
	                            * astray), a header that is not a record:
	                            * it hunts again */
	TLS_EV_CUT,                /* u.cut: a record or handshake message that a
	                            * gap cut (frame: the packet that began it) */
	TLS_EV_CONTINUATION,       /* u.opaque: a handshake record after a gap
	                            * that continues a message begun in it:
	                            * skipped */
	TLS_EV_PREAMBLE,           /* u.preamble */
	TLS_EV_SSL2_MASTER_KEY,    /* u.ssl2_cipher: the client's choice */
	TLS_EV_SSL2_ERROR,         /* u.ssl2_error: an SSL 2.0 ERROR in clear */
	TLS_EV_BAD_HEADER,         /* u.stop: on a side captured whole, after
	                            * a whole record, a record header that is
	                            * not one (reason TLS_STOP_BAD_RECORD or
	                            * TLS_STOP_RECORD_TOO_LONG, len, excerpt):
	                            * the side hunts (see above) */
};

/* TLS_EV_PREAMBLE: another protocol's way into TLS. */
enum tls_preamble {
	TLS_PRE_PGSQL_REQUEST,     /* client: PostgreSQL SSLRequest */
	TLS_PRE_PGSQL_ACCEPTED,    /* server: 'S', TLS follows */
	TLS_PRE_PGSQL_REFUSED,     /* server: 'N', TLS refused */
};

enum tls_bad {
	TLS_BAD_MESSAGE,           /* a handshake message did not parse */
	TLS_BAD_WRONG_SIDE,        /* a hello sent by the wrong side */
	TLS_BAD_EMPTY_RECORD,      /* zero-length non-application record */
	TLS_BAD_CCS,               /* ChangeCipherSpec body is not {1} */
	TLS_BAD_ALERT,             /* alert record of odd length */
	TLS_BAD_INTERLEAVED,       /* CCS inside a fragmented handshake message */
	TLS_BAD_SSL2,              /* an SSL 2.0 message in clear (CLIENT-HELLO,
	                            * SERVER-HELLO, CLIENT-MASTER-KEY, ERROR)
	                            * that did not parse */
	TLS_BAD_HS_TOO_LONG,       /* a handshake message header declaring
	                            * more than TLS_REC_HS_MAX on a side that
	                            * lost no byte (see above): hs_type and
	                            * hs_len are that header's */
};

enum tls_stop {
	/* The first three only on a side that lost no byte before them: the
	 * sender wrote those bytes (tls_ev.after_gap is false). Bad-record
	 * and record-too-long after a whole record of the side come at the
	 * stream's end (tls_rec_end), when no record was found after the
	 * header (TLS_EV_BAD_HEADER). */
	TLS_STOP_NOT_TLS,          /* the stream does not start with a record */
	TLS_STOP_BAD_RECORD,       /* a later record header is invalid */
	TLS_STOP_RECORD_TOO_LONG,  /* record length > TLS_REC_MAX_LEN */
	TLS_STOP_OVERSIZED,        /* no longer produced (a handshake message
	                            * > TLS_REC_HS_MAX is TLS_BAD_HS_TOO_LONG):
	                            * kept for its name in reports */
	TLS_STOP_NO_BUFFER,        /* the sink refused to grow a buffer */
	TLS_STOP_GAP,              /* bytes missing, and no record boundary
	                            * found again until the stream ended */
	TLS_STOP_TRUNCATED,        /* the stream ended inside a record/message */
};

struct tls_ev {
	enum tls_ev_type type;
	enum tls_side side;
	ta_frame frame;            /* the packet that completed it */
	uint64_t offset;           /* stream offset of the record that did */
	uint8_t content_type;      /* of that record (0 for SSLv2) */
	uint8_t hs_type;           /* handshake events and TLS_BAD_MESSAGE */
	uint32_t hs_len;           /* handshake body length */
	bool after_gap;            /* bytes of this side were lost before it
	                            * (a gap, or a mid-stream start) */
	bool cut;                  /* TLS_EV_OPAQUE: only the header and part
	                            * of the body were there (a gap followed);
	                            * u.opaque.len is the declared length */
	union {
		const struct tls_client_hello *ch;
		const struct tls_server_hello *sh;
		const struct tls_certificate *cert;
		const struct tls_cert_status *status;
		const struct tls_server_key_exchange *ske;
		const struct tls_cert_request *creq;
		struct {
			uint8_t level;
			uint8_t description;
		} alert;
		struct {
			uint16_t len;      /* record payload length */
		} opaque;
		struct {
			uint64_t skipped;  /* bytes passed over since the side
			                    * lost its footing */
			bool midstream;    /* it had never had it (mid-stream) */
		} resync;
		struct {
			bool in_record;    /* a record was cut (else the gap fell
			                    * between records, inside the handshake
			                    * message in hs_type) */
			uint16_t version;  /* its header: version, declared */
			uint16_t len;      /* length, and the bytes of its body */
			uint16_t held;     /* that had arrived */
			uint8_t hs_have;   /* handshake header bytes known (0..4):
			                    * hs_type valid from 1, hs_len at 4 */
		} cut;
		enum tls_preamble preamble;
		uint32_t ssl2_cipher;
		uint16_t ssl2_error;
		struct {
			enum tls_bad reason;
			enum dis_status status;
			/* TLS_BAD_MESSAGE of a Certificate: the length its
			 * certificate_list declares, when its header is
			 * there (list_known) */
			bool list_known;
			uint32_t list_len;
		} bad;
		struct {
			enum tls_stop reason;
			uint64_t len;      /* declared length (too long,
			                    * oversized), missing bytes (gap),
			                    * bytes held (truncated), or the size
			                    * refused (no buffer) */
			uint8_t excerpt_len;
			uint8_t excerpt[TLS_REC_EXCERPT]; /* raw, from the
			                    * start of the offending record, as
			                    * far as it had arrived (not-tls,
			                    * bad-record, record-too-long) */
		} stop;
	} u;
};

struct tls_rec_sink {
	void (*event)(void *ctx, const struct tls_ev *ev);
	/*
	 * Make b->cap >= need, keeping b->len bytes at b->p (realloc). need
	 * never exceeds the caps above. Return false to refuse: the side
	 * stops with TLS_STOP_NO_BUFFER.
	 */
	bool (*grow)(void *ctx, struct tls_rec_buf *b, size_t need);
};

void tls_rec_init(struct tls_rec_conn *c);

/* n in-order bytes of one side's stream, completed by frame. */
void tls_rec_feed(struct tls_rec_conn *c, enum tls_side side,
                  const uint8_t *p, size_t n, ta_frame frame,
                  const struct tls_rec_sink *sink, void *ctx);

/* n bytes of that side's stream will never be seen: what they cut is
 * reported and the side hunts for its next record (see above). */
void tls_rec_gap(struct tls_rec_conn *c, enum tls_side side, uint64_t n,
                 ta_frame frame, const struct tls_rec_sink *sink, void *ctx);

/* That side's stream is fed from somewhere in its middle (the capture
 * began after it started; frame: its first packet): it hunts from its
 * first delivery on, and no SSLv2 record or preamble is expected. */
void tls_rec_midstream(struct tls_rec_conn *c, enum tls_side side,
                       ta_frame frame);

/* Would a record that starts at p (n bytes, one delivery) be taken by a
 * side that hunts (see above)? For callers that must decide whether a
 * stream whose start was lost is TLS at all. */
bool tls_rec_plausible_start(const uint8_t *p, size_t n);

/* That side's stream is over: a record or message left incomplete
 * stops it with TLS_STOP_TRUNCATED; a side still hunting stops with
 * TLS_STOP_GAP (u.stop.len: the bytes missing since it lost its footing,
 * 0 when unknown: a mid-stream start; frame and offset: where it lost
 * it), or, when it lost no byte but went astray on an invalid header,
 * with that header's reason (bad-record, record-too-long; frame and
 * offset: the last header that made it hunt; no excerpt: the
 * TLS_EV_BAD_HEADER had it). */
void tls_rec_end(struct tls_rec_conn *c, enum tls_side side, ta_frame frame,
                 const struct tls_rec_sink *sink, void *ctx);

static inline bool
tls_rec_stopped(const struct tls_rec_conn *c, enum tls_side side)
{
	return c->dir[side].stopped;
}

/*
 * TLS 1.3, one of its IETF drafts (0x7fXX), or a vendor's pre-standard
 * variant negotiated the same way: Google's experiment 0x7e01..0x7e02
 * and Facebook's 0xfbXX (both RFC 8446 ServerHello form with
 * supported_versions, encrypted after the ServerHello).
 */
static inline bool
tls_rec_is_tls13(uint16_t v)
{
	return v == TLS_V_TLS13 || (v & 0xff00u) == 0x7f00u ||
	       v == 0x7e01u || v == 0x7e02u || (v & 0xff00u) == 0xfb00u;
}

const char *tls_rec_stop_str(enum tls_stop s);
const char *tls_rec_bad_str(enum tls_bad b);
/* "pgsql-ssl-request", "pgsql-accepted", "pgsql-refused". */
const char *tls_rec_preamble_str(enum tls_preamble p);

#endif
