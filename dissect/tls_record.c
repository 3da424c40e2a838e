/* tls_record.c: TLS record layer stream parser (RFC 8446 5.1, RFC 5246 6.2; see tls_record.h). */
#include <string.h>

#include "rd.h"
#include "tls_record.h"

/* SSLv2 CLIENT-HELLO body before its vectors: type, version, 3 lengths. */
#define SSL2_HELLO_FIXED 9
/* SSL 2.0 SERVER-HELLO before its vectors; ERROR is 3 bytes. */
#define SSL2_SERVER_HELLO_FIXED 11
#define SSL2_ERROR_LEN 3
/* PostgreSQL SSLRequest: length 8, request code 80877103 (PostgreSQL
 * protocol, "SSL Session Encryption"). */
static const uint8_t pg_ssl_request[8] = {
	0x00, 0x00, 0x00, 0x08, 0x04, 0xd2, 0x16, 0x2f,
};

/* Everything one call works with, so helpers take one argument for it. */
struct run {
	struct tls_rec_conn *c;
	struct tls_rec_dir *d;
	enum tls_side side;
	ta_frame frame;
	const struct tls_rec_sink *sink;
	void *ctx;
	uint64_t rec_offset;       /* stream offset of the current record */
	uint8_t content_type;      /* of the current record */
};

enum hdr {
	HDR_MORE,                  /* not enough bytes to decide */
	HDR_OK,
	HDR_NOT_TLS,
	HDR_BAD,
	HDR_TOO_LONG,
};

/* How a record is framed. */
enum frm {
	FRM_TLS,                   /* 5-byte TLS header */
	FRM_SSL2,                  /* SSL 2.0, 2-byte header (no padding) */
	FRM_SSL2_PAD,              /* SSL 2.0, 3-byte header (padding: always
	                            * encrypted) */
};

/* Is h (have bytes) consistent with a record header a hunting side takes? */
enum pl {
	PL_NO,
	PL_MORE,                   /* so far yes; the header goes on */
	PL_YES,
};

static void
emit_at(const struct run *run, struct tls_ev *ev, ta_frame frame,
        uint64_t offset)
{
	ev->side = run->side;
	ev->frame = frame;
	ev->offset = offset;
	if (ev->type != TLS_EV_CUT)
		ev->content_type = run->content_type;
	ev->after_gap = run->d->lost;
	run->sink->event(run->ctx, ev);
}

static void
emit(const struct run *run, struct tls_ev *ev)
{
	emit_at(run, ev, run->frame, run->rec_offset);
}

static void
excerpt_add(struct tls_ev *ev, const uint8_t *p, size_t n)
{
	size_t room = TLS_REC_EXCERPT - ev->u.stop.excerpt_len;
	size_t take = n < room ? n : room;

	if (take == 0)
		return;
	memcpy(ev->u.stop.excerpt + ev->u.stop.excerpt_len, p, take);
	ev->u.stop.excerpt_len = (uint8_t)(ev->u.stop.excerpt_len + take);
}

/* The side parses no more: drop what it held, say why once. */
static void
stop_with(struct run *run, struct tls_ev *ev)
{
	run->d->stopped = true;
	run->d->rec.len = 0;
	run->d->hs.len = 0;
	ev->type = TLS_EV_STOP;
	emit(run, ev);
}

static void
stop(struct run *run, enum tls_stop reason, uint64_t len, uint8_t hs_type)
{
	struct tls_ev ev;

	memset(&ev, 0, sizeof ev);
	ev.hs_type = hs_type;
	ev.u.stop.reason = reason;
	ev.u.stop.len = len;
	stop_with(run, &ev);
}

static void
bad(const struct run *run, enum tls_bad reason, enum dis_status st,
    uint8_t hs_type, uint32_t hs_len)
{
	struct tls_ev ev;

	memset(&ev, 0, sizeof ev);
	ev.type = TLS_EV_MALFORMED;
	ev.hs_type = hs_type;
	ev.hs_len = hs_len;
	ev.u.bad.reason = reason;
	ev.u.bad.status = st;
	emit(run, &ev);
}

/* Have the caller make room for need bytes in b. */
static bool
reserve(const struct run *run, struct tls_rec_buf *b, size_t need)
{
	if (b->cap >= need)
		return true;
	if (run->sink->grow == NULL || !run->sink->grow(run->ctx, b, need))
		return false;
	return b->p != NULL && b->cap >= need && b->len <= b->cap;
}

static void
append(struct tls_rec_buf *b, const uint8_t *p, size_t n)
{
	if (n == 0)
		return;
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

/* SSL 2.0 record header (draft-hickman-netscape-ssl-00, "SSL Record
 * Header Format"): top bit set, 15-bit length; else 14-bit length, an
 * escape bit and a padding byte. */
static enum hdr
ssl2_header(struct rd *r, uint8_t b0, bool pad_allowed, size_t *total,
            enum frm *frm, uint64_t *declared)
{
	uint8_t b1, padding;
	size_t len;

	if (!rd_u8(r, &b1))
		return HDR_MORE;
	if ((b0 & 0x80u) != 0) {
		len = (size_t)(b0 & 0x7fu) << 8 | b1;
		*frm = FRM_SSL2;
		*total = 2 + len;
	} else {
		if (!pad_allowed)
			return HDR_BAD;
		len = (size_t)(b0 & 0x3fu) << 8 | b1;
		if (!rd_u8(r, &padding))
			return HDR_MORE;
		if (padding > len)
			return HDR_BAD;
		*frm = FRM_SSL2_PAD;
		*total = 3 + len;
	}
	*declared = len;
	if (len == 0)
		return HDR_BAD;
	/* SSL 2.0 allows 32767 bytes in a record; the buffer holds what TLS
	 * allows, which no SSL 2.0 stack exceeded in practice. */
	if (len > TLS_REC_MAX_LEN)
		return HDR_TOO_LONG;
	return HDR_OK;
}

/*
 * Decide from the first `have` bytes of a record whether it is one, and
 * its total size. The first record of the client may be an SSLv2 hello (a
 * two-byte header with the top bit set, then msg_type 1), the server's
 * answer to it an SSL 2.0 SERVER-HELLO or ERROR, and once the server
 * answered so every record of both sides is an SSL 2.0 one.
 */
static enum hdr
check_header(const struct run *run, const uint8_t *h, size_t have,
             size_t *total, enum frm *frm, uint64_t *declared)
{
	const struct tls_rec_dir *d = run->d;
	const struct tls_rec_conn *c = run->c;
	enum hdr wrong = d->started ? HDR_BAD : HDR_NOT_TLS;
	struct rd r;
	uint8_t type, major, minor, msg_type;
	uint16_t len;
	enum hdr v;

	*total = 0;
	*frm = FRM_TLS;
	*declared = 0;
	rd_init(&r, h, have);
	if (!rd_u8(&r, &type))
		return HDR_MORE;
	if (c->ssl2)
		return ssl2_header(&r, type, true, total, frm, declared);
	if ((type & 0x80u) != 0 && !d->started && !d->lost &&
	    (run->side == TLS_SIDE_CLIENT || c->ssl2_hello)) {
		/* 15-bit length, then the message type: CLIENT-HELLO from the
		 * client; SERVER-HELLO or ERROR answering it. */
		v = ssl2_header(&r, type, false, total, frm, declared);
		if (v == HDR_MORE || !rd_u8(&r, &msg_type))
			return HDR_MORE;
		if (v != HDR_OK && v != HDR_TOO_LONG)
			return HDR_NOT_TLS;
		if (run->side == TLS_SIDE_CLIENT ?
		    msg_type != TLS_SSL2_MT_CLIENT_HELLO ||
		    *declared < SSL2_HELLO_FIXED :
		    !(msg_type == TLS_SSL2_MT_SERVER_HELLO &&
		      *declared >= SSL2_SERVER_HELLO_FIXED) &&
		    !(msg_type == TLS_SSL2_MT_ERROR &&
		      *declared == SSL2_ERROR_LEN))
			return HDR_NOT_TLS;
		return v;
	}
	/* Content types 20..24 (RFC 8446 5.1, RFC 6520); major version 3.
	 * The minor version is reported, not judged: deployed stacks put
	 * anything from 0x0300 to 0x0304 there. */
	if (type < TLS_CT_CHANGE_CIPHER_SPEC || type > TLS_CT_HEARTBEAT)
		return wrong;
	if (!rd_u8(&r, &major))
		return HDR_MORE;
	if (major != 3)
		return wrong;
	if (!rd_u8(&r, &minor) || !rd_u16(&r, &len))
		return HDR_MORE;
	*declared = len;
	if (len > TLS_REC_MAX_LEN)
		return HDR_TOO_LONG;
	*total = TLS_REC_HDR_LEN + (size_t)len;
	return HDR_OK;
}

/*
 * A record header where a hunting side would take one: content type
 * 20..24, major version 3, minor 0..4 (SSL 3.0 to TLS 1.3: stricter than
 * check_header, since nothing vouches for the position), and a length
 * TLS allows: 1..TLS_REC_MAX_LEN, or 0 for application data (RFC 5246
 * 6.2.1 and RFC 8446 5.1 allow empty application data fragments only).
 */
static enum pl
plausible(const uint8_t *h, size_t have, size_t *total)
{
	size_t len;

	*total = 0;
	if (have < 1)
		return PL_MORE;
	if (h[0] < TLS_CT_CHANGE_CIPHER_SPEC || h[0] > TLS_CT_HEARTBEAT)
		return PL_NO;
	if (have < 2)
		return PL_MORE;
	if (h[1] != 3)
		return PL_NO;
	if (have < 3)
		return PL_MORE;
	if (h[2] > 4)
		return PL_NO;
	if (have < TLS_REC_HDR_LEN)
		return PL_MORE;
	len = (size_t)h[3] << 8 | h[4];
	if (len > TLS_REC_MAX_LEN ||
	    (len == 0 && h[0] != TLS_CT_APPLICATION_DATA))
		return PL_NO;
	*total = TLS_REC_HDR_LEN + len;
	return PL_YES;
}

/* What follows a candidate record in its delivery confirms it: nothing
 * (the record ended with the segment), or the start of another record. */
static bool
confirmed(const uint8_t *after, size_t n)
{
	size_t total;

	return n == 0 || plausible(after, n, &total) != PL_NO;
}

bool
tls_rec_plausible_start(const uint8_t *p, size_t n)
{
	size_t total;

	if (n == 0)
		return false;
	switch (plausible(p, n, &total)) {
	case PL_NO:
		return false;
	case PL_MORE:
		return true;
	case PL_YES:
		break;
	}
	return total > n || confirmed(p + total, n - total);
}

/*
 * A header whose version is the one this side's (or the other side's)
 * last whole record carried: at a segment boundary after a gap, that is
 * strong enough to report the record a later gap cut, though it was never
 * confirmed by what followed it.
 */
static bool
strong(const struct run *run, const uint8_t *h, size_t have)
{
	size_t total;
	uint16_t v;

	if (plausible(h, have, &total) != PL_YES)
		return false;
	v = (uint16_t)((unsigned)h[1] << 8 | h[2]);
	return v == run->d->last_version ||
	       v == run->c->dir[1 - run->side].last_version;
}

/*
 * A record header that is not one. a/b are the offending bytes (what was
 * buffered, then what just arrived): the start is kept as an excerpt.
 */
static void
stop_header(struct run *run, enum hdr v, uint64_t declared,
            const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
	struct tls_ev ev;

	memset(&ev, 0, sizeof ev);
	switch (v) {
	case HDR_NOT_TLS:
		ev.u.stop.reason = TLS_STOP_NOT_TLS;
		break;
	case HDR_TOO_LONG:
		ev.u.stop.reason = TLS_STOP_RECORD_TOO_LONG;
		ev.u.stop.len = declared;
		break;
	default:
		ev.u.stop.reason = TLS_STOP_BAD_RECORD;
		break;
	}
	excerpt_add(&ev, a, an);
	excerpt_add(&ev, b, bn);
	stop_with(run, &ev);
}

/* A record we do not read: encrypted, or a type we do not interpret. */
static void
opaque(const struct run *run, size_t n)
{
	struct tls_ev ev;

	memset(&ev, 0, sizeof ev);
	ev.type = TLS_EV_OPAQUE;
	/* n <= TLS_REC_MAX_LEN: checked with the header. */
	ev.u.opaque.len = (uint16_t)n;
	emit(run, &ev);
}

static bool
offers_tls13(const struct tls_client_hello *ch)
{
	for (uint16_t i = 0; i < ch->versions.count; i++)
		if (tls_rec_is_tls13(ch->versions.v[i]))
			return true;
	return false;
}

static void
on_client_hello(struct run *run, const uint8_t *p, size_t n, uint16_t recver)
{
	struct tls_client_hello ch;
	struct tls_ev ev;
	enum dis_status st;

	st = tls_hs_parse_client_hello(p, n, &ch);
	if (st != DIS_OK) {
		bad(run, TLS_BAD_MESSAGE, st, TLS_HS_CLIENT_HELLO, (uint32_t)n);
		return;
	}
	ch.record_version = recver;
	run->c->client_hello_parsed = true;
	if (offers_tls13(&ch))
		run->c->client_offered_tls13 = true;
	memset(&ev, 0, sizeof ev);
	ev.type = TLS_EV_CLIENT_HELLO;
	ev.hs_type = TLS_HS_CLIENT_HELLO;
	ev.hs_len = (uint32_t)n;
	ev.u.ch = &ch;
	emit(run, &ev);
}

/* The ServerHello (or a HelloRetryRequest) is in force: the version and,
 * for TLS 1.3, encryption of everything after it. */
static void
server_hello_parsed(struct run *run, const struct tls_server_hello *sh,
                    size_t n)
{
	struct tls_ev ev;

	run->c->version = sh->version;
	run->c->server_hello_seen = true;
	if (sh->hello_retry) {
		run->c->hello_retry = true;
	} else if (tls_rec_is_tls13(sh->version)) {
		/* RFC 8446 2: everything after the ServerHello is encrypted. */
		run->c->dir[TLS_SIDE_CLIENT].encrypted = true;
		run->c->dir[TLS_SIDE_SERVER].encrypted = true;
	}
	memset(&ev, 0, sizeof ev);
	ev.type = TLS_EV_SERVER_HELLO;
	ev.hs_type = TLS_HS_SERVER_HELLO;
	ev.hs_len = (uint32_t)n;
	ev.u.sh = sh;
	emit(run, &ev);
}

static void
on_server_hello(struct run *run, const uint8_t *p, size_t n, uint8_t type)
{
	struct tls_server_hello sh;
	enum dis_status st;

	if (type == TLS_HS_HELLO_RETRY_REQUEST_DRAFT)
		st = tls_hs_parse_draft_hello_retry(p, n, &sh);
	else
		st = tls_hs_parse_server_hello(p, n, &sh);
	if (st != DIS_OK) {
		bad(run, TLS_BAD_MESSAGE, st, type, (uint32_t)n);
		return;
	}
	server_hello_parsed(run, &sh, n);
}

/*
 * A framing fault: a record header that is not one, a record or handshake
 * message too long. On a side that lost no byte the sender wrote it, and
 * the side stops; on one that did, it more likely means the side's footing
 * after the gap was wrong, and it hunts again.
 */
static void lose_footing(struct run *run, uint64_t at);

/* A Certificate that did not parse: say what its list declared. */
static void
bad_certificate(const struct run *run, const uint8_t *p, size_t n,
                enum dis_status st)
{
	struct tls_ev ev;

	memset(&ev, 0, sizeof ev);
	ev.type = TLS_EV_MALFORMED;
	ev.hs_type = TLS_HS_CERTIFICATE;
	ev.hs_len = (uint32_t)n;
	ev.u.bad.reason = TLS_BAD_MESSAGE;
	ev.u.bad.status = st;
	ev.u.bad.list_known = tls_hs_certificate_list_len(p, n,
	    tls_rec_is_tls13(run->c->version), &ev.u.bad.list_len);
	emit(run, &ev);
}

/* One complete plaintext handshake message. */
static void
on_message(struct run *run, uint8_t type, const uint8_t *p, size_t n,
           uint16_t recver)
{
	struct tls_ev ev;
	struct tls_certificate cert;
	struct tls_cert_status status;
	struct tls_server_key_exchange ske;
	struct tls_cert_request creq;
	enum dis_status st = DIS_OK;
	uint32_t len = (uint32_t)n;

	memset(&ev, 0, sizeof ev);
	ev.hs_type = type;
	ev.hs_len = len;
	switch (type) {
	case TLS_HS_CLIENT_HELLO:
		if (run->side != TLS_SIDE_CLIENT) {
			bad(run, TLS_BAD_WRONG_SIDE, DIS_MALFORMED, type, len);
			return;
		}
		on_client_hello(run, p, n, recver);
		return;
	case TLS_HS_SERVER_HELLO:
	case TLS_HS_HELLO_RETRY_REQUEST_DRAFT:
		if (run->side != TLS_SIDE_SERVER) {
			bad(run, TLS_BAD_WRONG_SIDE, DIS_MALFORMED, type, len);
			return;
		}
		on_server_hello(run, p, n, type);
		return;
	case TLS_HS_CERTIFICATE:
		st = tls_hs_parse_certificate(p, n,
		                              tls_rec_is_tls13(run->c->version), &cert);
		if (st != DIS_OK) {
			bad_certificate(run, p, n, st);
			return;
		}
		ev.type = TLS_EV_CERTIFICATE;
		ev.u.cert = &cert;
		break;
	case TLS_HS_CERTIFICATE_STATUS:
		st = tls_hs_parse_cert_status(p, n, &status);
		ev.type = TLS_EV_CERT_STATUS;
		ev.u.status = &status;
		break;
	case TLS_HS_SERVER_KEY_EXCHANGE:
		st = tls_hs_parse_server_key_exchange(p, n, run->c->version, &ske);
		ev.type = TLS_EV_SERVER_KEY_EXCHANGE;
		ev.u.ske = &ske;
		break;
	case TLS_HS_CERTIFICATE_REQUEST:
		st = tls_hs_parse_cert_request(p, n, run->c->version, &creq);
		ev.type = TLS_EV_CERT_REQUEST;
		ev.u.creq = &creq;
		break;
	case TLS_HS_SERVER_HELLO_DONE:
		/* RFC 5246 7.4.5: an empty body. */
		st = n == 0 ? DIS_OK : DIS_MALFORMED;
		ev.type = TLS_EV_HANDSHAKE;
		break;
	default:
		ev.type = TLS_EV_HANDSHAKE;
		break;
	}
	if (st != DIS_OK) {
		bad(run, TLS_BAD_MESSAGE, st, type, len);
		return;
	}
	emit(run, &ev);
}

/*
 * The body of one plaintext handshake record: complete messages are parsed
 * where they lie; a message that continues in a later record is gathered
 * in the hs buffer (RFC 8446 5.1: messages may be split across records and
 * several may share one).
 */
static void
on_handshake_bytes(struct run *run, const uint8_t *p, size_t n, uint16_t recver)
{
	struct tls_rec_dir *d = run->d;
	struct ta_bytes body;
	struct rd hdr;
	size_t msg_len, take, total;
	uint32_t len;
	uint8_t type;

	while (n > 0 && !d->stopped && !d->hunting) {
		if (d->hs.len == 0) {
			if (tls_hs_split(p, n, &type, &body, &msg_len) == DIS_OK) {
				on_message(run, type, body.p, body.n, recver);
				p += msg_len;
				n -= msg_len;
				continue;
			}
			/* It goes on in a later record: gather it. */
			d->hs_record_version = recver;
			d->hs_frame = run->frame;
		}
		if (d->hs.len < TLS_HS_HDR_LEN) {
			if (!reserve(run, &d->hs, TLS_HS_HDR_LEN)) {
				stop(run, TLS_STOP_NO_BUFFER, TLS_HS_HDR_LEN, 0);
				return;
			}
			take = TLS_HS_HDR_LEN - d->hs.len;
			take = take < n ? take : n;
			append(&d->hs, p, take);
			p += take;
			n -= take;
			if (d->hs.len < TLS_HS_HDR_LEN)
				return;
		}
		rd_init(&hdr, d->hs.p, TLS_HS_HDR_LEN);
		if (!rd_u8(&hdr, &type) || !rd_u24(&hdr, &len))
			return;
		if (len > TLS_REC_HS_MAX) {
			if (d->lost || d->astray) {
				lose_footing(run, run->rec_offset);
				return;
			}
			/* The records are still framed by their own headers:
			 * only the handshake layer lost its footing (see
			 * tls_record.h). The rest of this record is passed
			 * over. */
			bad(run, TLS_BAD_HS_TOO_LONG, DIS_LIMIT, type, len);
			d->hs.len = 0;
			d->hs_unsynced = true;
			return;
		}
		total = TLS_HS_HDR_LEN + (size_t)len;
		if (!reserve(run, &d->hs, total)) {
			stop(run, TLS_STOP_NO_BUFFER, total, type);
			return;
		}
		take = total - d->hs.len;
		take = take < n ? take : n;
		append(&d->hs, p, take);
		p += take;
		n -= take;
		if (d->hs.len < total)
			return;
		on_message(run, type, d->hs.p + TLS_HS_HDR_LEN, len,
		           d->hs_record_version);
		d->hs.len = 0;
	}
}

/* The middlebox-compatibility ChangeCipherSpec of TLS 1.3 (RFC 8446 D.4),
 * or one a client that offered 1.3 sent before any ServerHello (in TLS <=
 * 1.2 a client's CCS always follows the ServerHello). With neither hello
 * in the capture (it began later) a client's CCS may be either: taken as
 * the compatibility one until its next handshake record says (a whole
 * ClientHello after a HelloRetryRequest, ccs_was_real). */
static bool
compat_ccs(const struct run *run)
{
	return tls_rec_is_tls13(run->c->version) ||
	       (!run->c->server_hello_seen && run->side == TLS_SIDE_CLIENT &&
	        (run->c->client_offered_tls13 ||
	         !run->c->client_hello_parsed));
}

/* ChangeCipherSpec (RFC 5246 7.1): one byte, 1. A compatibility one
 * changes nothing. */
static void
on_ccs(struct run *run, const uint8_t *p, size_t n)
{
	struct tls_rec_dir *d = run->d;
	struct tls_ev ev;
	bool compat = compat_ccs(run);

	if (d->encrypted && !compat) {
		opaque(run, n);
		return;
	}
	if (n != 1 || p[0] != 1) {
		bad(run, TLS_BAD_CCS, DIS_MALFORMED, 0, 0);
		return;
	}
	if (d->hs.len > 0 && !compat) {
		/* A message cut in two by a key change can never be finished. */
		bad(run, TLS_BAD_INTERLEAVED, DIS_MALFORMED, d->hs.p[0], 0);
		d->hs.len = 0;
	}
	memset(&ev, 0, sizeof ev);
	ev.type = TLS_EV_CHANGE_CIPHER_SPEC;
	emit(run, &ev);
	if (!compat)
		d->encrypted = true;
	else if (!run->c->server_hello_seen)
		d->compat_ccs = true;
}

/*
 * A handshake record from a client after a ChangeCipherSpec taken for TLS
 * 1.3's compatibility one, while no ServerHello is known (the server's
 * side not captured): under TLS 1.3 the only handshake record a client
 * sends in clear after it is a second ClientHello, whole (RFC 8446 4.1.2,
 * 5.1: its encrypted ones are application_data records). Anything else
 * is a TLS 1.2 Finished, encrypted: the key change was real.
 */
static bool
ccs_was_real(const struct run *run, const uint8_t *p, size_t n)
{
	uint32_t len;

	if (!run->d->compat_ccs || run->c->server_hello_seen ||
	    run->d->hs.len > 0)
		return false;
	if (n < TLS_HS_HDR_LEN || p[0] != TLS_HS_CLIENT_HELLO)
		return true;
	len = (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return len > n - TLS_HS_HDR_LEN;
}

/*
 * An alert record that is read as level and description: 2 bytes in every
 * phase (see tls_record.h); longer ones only in plaintext (several alerts
 * may share a plaintext record), and not on a side that lost bytes: it
 * may have lost its ChangeCipherSpec with them, and an encrypted alert
 * read as plaintext would be fiction.
 */
static bool
alert_readable(const struct run *run, size_t n)
{
	return n == 2 || (!run->d->encrypted && !run->d->lost &&
	                  !run->d->astray);
}

/* Alert (RFC 8446 6, RFC 5246 7.2): level and description. */
static void
on_alert(struct run *run, const uint8_t *p, size_t n)
{
	struct tls_ev ev;

	if (!alert_readable(run, n)) {
		opaque(run, n);
		return;
	}
	if (n % 2 != 0) {
		bad(run, TLS_BAD_ALERT, DIS_MALFORMED, 0, 0);
		return;
	}
	for (size_t i = 0; i + 1 < n; i += 2) {
		memset(&ev, 0, sizeof ev);
		ev.type = TLS_EV_ALERT;
		ev.u.alert.level = p[i];
		ev.u.alert.description = p[i + 1];
		emit(run, &ev);
	}
}

/* Would a record of this type and length be opaque to us? The same
 * decisions as on_record and its helpers take, for a record whose body a
 * gap cut. */
static bool
record_opaque(const struct run *run, uint8_t type, size_t n)
{
	switch (type) {
	case TLS_CT_CHANGE_CIPHER_SPEC:
		return run->d->encrypted && !compat_ccs(run);
	case TLS_CT_ALERT:
		return !alert_readable(run, n);
	case TLS_CT_HANDSHAKE:
		return run->d->encrypted;
	default:
		return true;
	}
}

/* The SSLv2 CLIENT-HELLO, the client's first record. */
static void
on_ssl2_client_hello(struct run *run, const uint8_t *m, size_t n)
{
	struct tls_client_hello ch;
	struct tls_ev ev;
	enum dis_status st;

	run->c->ssl2_hello = true;
	st = tls_hs_parse_ssl2_client_hello(m, n, &ch);
	if (st != DIS_OK) {
		bad(run, TLS_BAD_SSL2, st, TLS_HS_CLIENT_HELLO, (uint32_t)n);
		return;
	}
	memset(&ev, 0, sizeof ev);
	ev.type = TLS_EV_CLIENT_HELLO;
	ev.hs_type = TLS_HS_CLIENT_HELLO;
	ev.hs_len = (uint32_t)n;
	ev.u.ch = &ch;
	emit(run, &ev);
}

/* The server's answer in SSL 2.0: from here on both sides speak it. */
static void
on_ssl2_server_hello(struct run *run, const uint8_t *m, size_t n)
{
	struct tls_server_hello sh;
	struct tls_certificate cert;
	struct tls_ev ev;
	enum dis_status st;

	st = tls_hs_parse_ssl2_server_hello(m, n, &sh, &cert);
	if (st != DIS_OK) {
		bad(run, TLS_BAD_SSL2, st, TLS_HS_SERVER_HELLO, (uint32_t)n);
		return;
	}
	run->c->ssl2 = true;
	run->c->ssl2_session_hit = sh.ssl2_session_id_hit != 0;
	server_hello_parsed(run, &sh, n);
	/* Everything the server sends after it is encrypted (SERVER-VERIFY,
	 * SERVER-FINISHED). */
	run->d->encrypted = true;
	if (cert.count == 0)
		return;
	memset(&ev, 0, sizeof ev);
	ev.type = TLS_EV_CERTIFICATE;
	ev.hs_type = TLS_HS_CERTIFICATE;
	ev.hs_len = (uint32_t)cert.total;
	ev.u.cert = &cert;
	emit(run, &ev);
}

static void
on_ssl2_error(struct run *run, const uint8_t *m, size_t n)
{
	struct tls_ev ev;
	uint16_t code;
	enum dis_status st;

	st = tls_hs_parse_ssl2_error(m, n, &code);
	if (st != DIS_OK) {
		bad(run, TLS_BAD_SSL2, st, TLS_SSL2_MT_ERROR, (uint32_t)n);
		return;
	}
	memset(&ev, 0, sizeof ev);
	ev.type = TLS_EV_SSL2_ERROR;
	ev.u.ssl2_error = code;
	emit(run, &ev);
}

/*
 * One SSL 2.0 record (draft-hickman-netscape-ssl-00). In clear: the
 * client's CLIENT-HELLO and, unless the session was resumed, its
 * CLIENT-MASTER-KEY; the server's SERVER-HELLO; an ERROR from either
 * before its keys are in use. Everything else, and every record with
 * padding, is encrypted.
 */
static void
on_ssl2_record(struct run *run, const uint8_t *r, size_t total, enum frm frm)
{
	struct tls_rec_dir *d = run->d;
	size_t hdr = frm == FRM_SSL2 ? 2 : 3;
	const uint8_t *m = r + hdr;
	size_t n = total - hdr;
	struct tls_ev ev;
	uint32_t spec;
	enum dis_status st;

	run->content_type = 0;
	if (frm == FRM_SSL2_PAD || d->encrypted) {
		opaque(run, n);
		return;
	}
	if (!run->c->ssl2) {
		/* A first record (check_header took only these). */
		if (run->side == TLS_SIDE_CLIENT)
			on_ssl2_client_hello(run, m, n);
		else if (m[0] == TLS_SSL2_MT_ERROR)
			on_ssl2_error(run, m, n);
		else
			on_ssl2_server_hello(run, m, n);
		return;
	}
	if (m[0] == TLS_SSL2_MT_ERROR && n == SSL2_ERROR_LEN) {
		on_ssl2_error(run, m, n);
		return;
	}
	if (run->side == TLS_SIDE_SERVER || run->c->ssl2_session_hit ||
	    m[0] != TLS_SSL2_MT_CLIENT_MASTER_KEY) {
		/* The client's CLIENT-FINISHED of a resumed session, or a
		 * server record: encrypted. */
		d->encrypted = true;
		opaque(run, n);
		return;
	}
	d->encrypted = true;
	st = tls_hs_parse_ssl2_client_master_key(m, n, &spec);
	if (st != DIS_OK) {
		bad(run, TLS_BAD_SSL2, st, TLS_SSL2_MT_CLIENT_MASTER_KEY,
		    (uint32_t)n);
		return;
	}
	memset(&ev, 0, sizeof ev);
	ev.type = TLS_EV_SSL2_MASTER_KEY;
	ev.u.ssl2_cipher = spec;
	emit(run, &ev);
}

/* After a gap, a handshake record that does not start with a plausible
 * message header continues one whose start was lost: it is skipped. */
static bool
continues_lost_message(struct run *run, const uint8_t *body, size_t n)
{
	struct tls_rec_dir *d = run->d;
	struct tls_ev ev;

	if (!d->hs_unsynced || d->hs.len > 0)
		return false;
	if (tls_hs_plausible(body, n, TLS_REC_HS_MAX)) {
		d->hs_unsynced = false;
		return false;
	}
	memset(&ev, 0, sizeof ev);
	ev.type = TLS_EV_CONTINUATION;
	ev.u.opaque.len = (uint16_t)n;
	emit(run, &ev);
	return true;
}

/* One complete record, where it lies (in the delivery or in rec). */
static void
on_record(struct run *run, const uint8_t *r, size_t total, enum frm frm)
{
	struct tls_rec_dir *d = run->d;
	uint16_t version;
	const uint8_t *body;
	size_t n;

	d->records++;
	d->started = true;
	run->rec_offset = d->offset - total;
	if (frm != FRM_TLS) {
		on_ssl2_record(run, r, total, frm);
		return;
	}
	run->content_type = r[0];
	version = (uint16_t)((unsigned)r[1] << 8 | r[2]);
	d->last_version = version;
	body = r + TLS_REC_HDR_LEN;
	n = total - TLS_REC_HDR_LEN;
	/* RFC 8446 5.1 / RFC 5246 6.2.1: only application data may be empty. */
	if (n == 0 && r[0] != TLS_CT_APPLICATION_DATA) {
		bad(run, TLS_BAD_EMPTY_RECORD, DIS_MALFORMED, 0, 0);
		return;
	}
	switch (r[0]) {
	case TLS_CT_CHANGE_CIPHER_SPEC:
		on_ccs(run, body, n);
		break;
	case TLS_CT_ALERT:
		on_alert(run, body, n);
		break;
	case TLS_CT_HANDSHAKE:
		if (!d->encrypted && ccs_was_real(run, body, n)) {
			d->encrypted = true;
			d->compat_ccs = false;
		}
		if (d->encrypted)
			opaque(run, n);
		else if (!continues_lost_message(run, body, n))
			on_handshake_bytes(run, body, n, version);
		break;
	default:
		/* application_data, heartbeat: not ours to read. */
		opaque(run, n);
		break;
	}
}

/* Bytes a hunting side passes over. */
static void
skip(struct run *run, size_t n)
{
	run->d->offset += n;
	run->d->skipped += n;
}

/* The side reads records from the next delivery on only (see the
 * assumption at hunt()). */
static void
start_hunting(struct tls_rec_dir *d)
{
	d->rec.len = 0;
	d->hs.len = 0;
	d->hunting = true;
	d->tentative = false;
	d->hs_unsynced = true;
}

/* A candidate that was not a record after all: its bytes were passed
 * over, and the side hunts on. */
static void
reject_candidate(struct tls_rec_dir *d)
{
	d->skipped += d->rec.len;
	start_hunting(d);
}

static void
lose_footing(struct run *run, uint64_t at)
{
	struct tls_rec_dir *d = run->d;
	struct tls_ev ev;

	if (d->tentative) {
		reject_candidate(d);
		return;
	}
	/* It had its footing, and that record is not one. On a side that
	 * lost no byte, where it stops if it never finds it again stays the
	 * first invalid header (its TLS_EV_BAD_HEADER has the bytes). */
	if (d->lost || !d->astray) {
		d->lost_frame = run->frame;
		d->lost_offset = at;
		d->lost_gap_bytes = 0;
	}
	memset(&ev, 0, sizeof ev);
	ev.type = TLS_EV_DESYNC;
	emit_at(run, &ev, run->frame, at);
	start_hunting(d);
}

/*
 * A candidate record is whole, and `after` (n bytes) is what follows it in
 * the delivery that completed it. Confirmed: the side has its footing
 * again (TLS_EV_RESYNC). Not: the candidate was not a record; the side
 * hunts on from the next delivery.
 */
static bool
take_footing(struct run *run, const uint8_t *after, size_t n)
{
	struct tls_rec_dir *d = run->d;
	struct tls_ev ev;

	if (!confirmed(after, n)) {
		reject_candidate(d);
		return false;
	}
	d->tentative = false;
	memset(&ev, 0, sizeof ev);
	ev.type = TLS_EV_RESYNC;
	ev.u.resync.skipped = d->skipped;
	ev.u.resync.midstream = d->midstream && d->records == 0;
	d->skipped = 0;
	d->lost_gap_bytes = 0;
	emit_at(run, &ev, d->cand_frame, d->cand_offset);
	return true;
}

/*
 * An invalid header on a side that lost no byte (see tls_record.h): after
 * a whole record of TLS 1.0-style framing it is reported and the side
 * hunts from its next delivery (the caller skips the rest of this one);
 * before that, or once the connection speaks SSL 2.0 (whose records
 * cannot be found again), it is not TLS and the caller stops the side.
 * a/b are the offending bytes, as for stop_header; run->rec_offset is
 * the header's offset.
 */
static bool
go_astray(struct run *run, enum hdr v, uint64_t declared, const uint8_t *a,
          size_t an, const uint8_t *b, size_t bn)
{
	struct tls_rec_dir *d = run->d;
	struct tls_ev ev;

	if (d->records == 0 || run->c->ssl2 ||
	    (v != HDR_BAD && v != HDR_TOO_LONG))
		return false;
	memset(&ev, 0, sizeof ev);
	ev.type = TLS_EV_BAD_HEADER;
	ev.u.stop.reason = v == HDR_TOO_LONG ? TLS_STOP_RECORD_TOO_LONG
	                                     : TLS_STOP_BAD_RECORD;
	ev.u.stop.len = v == HDR_TOO_LONG ? declared : 0;
	excerpt_add(&ev, a, an);
	excerpt_add(&ev, b, bn);
	emit(run, &ev);
	d->astray = true;
	d->astray_stop = (uint8_t)ev.u.stop.reason;
	d->astray_len = ev.u.stop.len;
	d->lost_frame = run->frame;
	d->lost_offset = run->rec_offset;
	d->lost_gap_bytes = 0;
	start_hunting(d);
	return true;
}

/* The stream is at a record boundary: parse what is whole, keep the rest. */
static size_t
fresh(struct run *run, const uint8_t *p, size_t n)
{
	struct tls_rec_dir *d = run->d;
	enum hdr v;
	enum frm frm;
	size_t total;
	uint64_t declared;

	v = check_header(run, p, n, &total, &frm, &declared);
	if (v == HDR_OK && n >= total) {
		if (d->tentative && !take_footing(run, p + total, n - total)) {
			skip(run, n);
			return n;
		}
		d->offset += total;
		on_record(run, p, total, frm);
		return total;
	}
	if (v != HDR_OK && v != HDR_MORE) {
		if (d->lost || d->astray) {
			lose_footing(run, d->offset);
			skip(run, n);
			return n;
		}
		run->rec_offset = d->offset;
		if (go_astray(run, v, declared, p, n, NULL, 0)) {
			skip(run, n);
			return n;
		}
		stop_header(run, v, declared, p, n, NULL, 0);
		return n;
	}
	/* A record (or its header) that ends in a later delivery. */
	if (!reserve(run, &d->rec, v == HDR_OK ? total : TLS_REC_HDR_LEN)) {
		run->rec_offset = d->offset;
		stop(run, TLS_STOP_NO_BUFFER, v == HDR_OK ? total : TLS_REC_HDR_LEN, 0);
		return n;
	}
	d->rec_frame = run->frame;
	append(&d->rec, p, n);
	d->offset += n;
	return n;
}

/*
 * The fewest bytes any record of this side has: a TLS header (5), or once
 * the connection speaks SSL 2.0, a 2-byte header and one byte (3).
 */
static size_t
hdr_min(const struct run *run)
{
	return run->c->ssl2 ? 3 : TLS_REC_HDR_LEN;
}

/* Continue the record held in rec with the new bytes. */
static size_t
resume(struct run *run, const uint8_t *p, size_t n)
{
	struct tls_rec_dir *d = run->d;
	enum hdr v;
	enum frm frm;
	size_t total, take, used = 0;
	uint64_t declared;

	if (d->rec.len < hdr_min(run)) {
		/* Every record is at least this long, so these bytes are this
		 * record's whatever it turns out to be. */
		take = hdr_min(run) - d->rec.len;
		take = take < n ? take : n;
		append(&d->rec, p, take);
		d->offset += take;
		used = take;
	}
	/* A candidate's header is judged as a hunting side judges one. */
	if (d->tentative && plausible(d->rec.p, d->rec.len, &total) == PL_NO) {
		reject_candidate(d);
		skip(run, n - used);
		return n;
	}
	v = check_header(run, d->rec.p, d->rec.len, &total, &frm, &declared);
	if (v == HDR_MORE)
		return used;
	/* Bytes gathered under TLS framing before the server answered in
	 * SSL 2.0 may be more than that record holds: not a record. */
	if (v == HDR_OK && total < d->rec.len)
		v = HDR_BAD;
	if (v != HDR_OK) {
		if (d->lost || d->astray) {
			lose_footing(run, d->offset - d->rec.len);
			skip(run, n - used);
			return n;
		}
		run->rec_offset = d->offset - d->rec.len;
		if (go_astray(run, v, declared, d->rec.p, d->rec.len, p + used,
		              n - used)) {
			skip(run, n - used);
			return n;
		}
		stop_header(run, v, declared, d->rec.p, d->rec.len, p + used,
		            n - used);
		return n;
	}
	if (!reserve(run, &d->rec, total)) {
		run->rec_offset = d->offset - d->rec.len;
		stop(run, TLS_STOP_NO_BUFFER, total, 0);
		return n;
	}
	take = total - d->rec.len;
	take = take < n - used ? take : n - used;
	append(&d->rec, p + used, take);
	d->offset += take;
	used += take;
	if (d->rec.len == total) {
		if (d->tentative && !take_footing(run, p + used, n - used)) {
			skip(run, n - used);
			return n;
		}
		on_record(run, d->rec.p, total, frm);
		d->rec.len = 0;
	}
	return used;
}

/*
 * A hunting side's delivery: does a record start here? The reassembler
 * (src/tcp/reasm.c) hands over in-order bytes one delivery per segment,
 * and after a gap its next delivery begins where a segment began: after
 * an uncaptured tail it is the next segment; after a hole the capture
 * lost, the first buffered run (runs begin with a segment, and adjacent
 * segments merge into one run, so one delivery may span several) or the
 * next segment at the acknowledged point. A sender's record often begins
 * a segment, never a byte in the middle of nowhere, so only a delivery's
 * start is tried. A candidate whose record lies wholly in the delivery
 * is confirmed at once; one that runs past it is gathered and confirmed
 * when it completes.
 */
static bool
hunt(struct run *run, const uint8_t *p, size_t n)
{
	struct tls_rec_dir *d = run->d;
	size_t total;

	/* SSL 2.0 records have too little structure to be found again. */
	if (run->c->ssl2)
		return false;
	switch (plausible(p, n, &total)) {
	case PL_NO:
		return false;
	case PL_MORE:
		break;
	case PL_YES:
		if (total <= n && !confirmed(p + total, n - total))
			return false;
		break;
	}
	d->hunting = false;
	d->tentative = true;
	d->cand_frame = run->frame;
	d->cand_offset = d->offset;
	return true;
}

/*
 * The client's first bytes may be a PostgreSQL SSLRequest, and the
 * server's first byte its answer. Returns the bytes taken.
 */
static size_t
preamble(struct run *run, const uint8_t *p, size_t n)
{
	struct tls_rec_conn *c = run->c;
	struct tls_rec_dir *d = run->d;
	struct tls_ev ev;
	size_t take;

	if (!c->preambles || d->started || d->lost || n == 0)
		return 0;
	memset(&ev, 0, sizeof ev);
	ev.type = TLS_EV_PREAMBLE;
	if (run->side == TLS_SIDE_CLIENT) {
		/* No TLS record starts with 0. */
		if (c->pg == TLS_PG_NONE && d->offset == 0 && p[0] == 0)
			c->pg = TLS_PG_READING;
		if (c->pg != TLS_PG_READING)
			return 0;
		take = sizeof pg_ssl_request - d->pre_len;
		take = take < n ? take : n;
		memcpy(d->pre + d->pre_len, p, take);
		if (memcmp(d->pre, pg_ssl_request, d->pre_len + take) != 0) {
			c->pg = TLS_PG_NONE;
			run->rec_offset = 0;
			d->offset += take;
			stop_header(run, HDR_NOT_TLS, 0, d->pre,
			            d->pre_len + take, p + take, n - take);
			return n;
		}
		d->pre_len = (uint8_t)(d->pre_len + take);
		d->offset += take;
		if (d->pre_len == sizeof pg_ssl_request) {
			c->pg = TLS_PG_REQUESTED;
			ev.u.preamble = TLS_PRE_PGSQL_REQUEST;
			emit_at(run, &ev, run->frame, 0);
		}
		return take;
	}
	if (c->pg != TLS_PG_REQUESTED || d->offset != 0)
		return 0;
	if (p[0] == 'S') {
		c->pg = TLS_PG_ACCEPTED;
		d->offset = 1;
		ev.u.preamble = TLS_PRE_PGSQL_ACCEPTED;
		emit_at(run, &ev, run->frame, 0);
		return 1;
	}
	if (p[0] == 'N') {
		c->pg = TLS_PG_REFUSED;
		ev.u.preamble = TLS_PRE_PGSQL_REFUSED;
		emit_at(run, &ev, run->frame, 0);
		/* The client goes on in cleartext: nothing of it is TLS. The
		 * server's stream is read on, and its 'N' ends it as not-tls,
		 * as before this fact existed (the diagnosis reads that). */
		c->dir[TLS_SIDE_CLIENT].stopped = true;
		c->dir[TLS_SIDE_CLIENT].rec.len = 0;
		c->dir[TLS_SIDE_CLIENT].hs.len = 0;
	}
	return 0;
}

void
tls_rec_init(struct tls_rec_conn *c)
{
	memset(c, 0, sizeof *c);
}

static void
run_init(struct run *run, struct tls_rec_conn *c, enum tls_side side,
         ta_frame frame, const struct tls_rec_sink *sink, void *ctx)
{
	memset(run, 0, sizeof *run);
	run->c = c;
	run->d = &c->dir[side];
	run->side = side;
	run->frame = frame;
	run->sink = sink;
	run->ctx = ctx;
	run->rec_offset = run->d->offset;
}

void
tls_rec_feed(struct tls_rec_conn *c, enum tls_side side, const uint8_t *p,
             size_t n, ta_frame frame, const struct tls_rec_sink *sink,
             void *ctx)
{
	struct run run;
	size_t used;

	run_init(&run, c, side, frame, sink, ctx);
	if (run.d->stopped || n == 0)
		return;
	used = preamble(&run, p, n);
	p += used;
	n -= used;
	if (n > 0 && run.d->hunting && !run.d->stopped && !hunt(&run, p, n)) {
		skip(&run, n);
		return;
	}
	while (n > 0 && !run.d->stopped) {
		if (run.d->hunting) {
			/* Footing lost inside this delivery: wait for the next. */
			skip(&run, n);
			break;
		}
		if (run.d->rec.len > 0)
			used = resume(&run, p, n);
		else
			used = fresh(&run, p, n);
		if (used == 0)
			break;
		p += used;
		n -= used;
	}
}

/*
 * What a gap cut: a record whose header had arrived (an opaque one is
 * reported as such, with its declared length: its body would not have
 * been read anyway), or the handshake message being gathered. A candidate
 * found while hunting counts only if its header is strong().
 */
static void
cut(struct run *run)
{
	struct tls_rec_dir *d = run->d;
	struct tls_ev ev;
	enum hdr v = HDR_MORE;
	enum frm frm = FRM_TLS;
	size_t total = 0, hdr, body_n = 0;
	uint64_t declared = 0;
	const uint8_t *body = NULL;
	ta_frame frame = d->rec_frame;

	if (d->tentative && !strong(run, d->rec.p, d->rec.len))
		return;
	if (d->rec.len > 0)
		v = check_header(run, d->rec.p, d->rec.len, &total, &frm,
		                 &declared);
	memset(&ev, 0, sizeof ev);
	ev.type = TLS_EV_CUT;
	if (v == HDR_OK) {
		hdr = frm == FRM_TLS ? TLS_REC_HDR_LEN : frm == FRM_SSL2 ? 2 : 3;
		if (d->rec.len < hdr)
			return;
		run->rec_offset = d->offset - d->rec.len;
		body = d->rec.p + hdr;
		body_n = d->rec.len - hdr;
		if (frm == FRM_TLS) {
			run->content_type = d->rec.p[0];
			if (record_opaque(run, d->rec.p[0], (size_t)declared)) {
				ev.type = TLS_EV_OPAQUE;
				ev.cut = true;
				ev.u.opaque.len = (uint16_t)declared;
				emit_at(run, &ev, frame, run->rec_offset);
				return;
			}
			ev.u.cut.version = (uint16_t)((unsigned)d->rec.p[1] << 8 |
			                              d->rec.p[2]);
		} else {
			run->content_type = 0;
		}
		ev.content_type = run->content_type;
		ev.u.cut.in_record = true;
		ev.u.cut.len = (uint16_t)declared;
		ev.u.cut.held = (uint16_t)body_n;
		if (frm != FRM_TLS || ev.content_type != TLS_CT_HANDSHAKE) {
			/* SSL 2.0: the message type is the body's first byte. */
			if (frm != FRM_TLS && frm != FRM_SSL2_PAD && body_n > 0 &&
			    !d->encrypted) {
				ev.hs_type = body[0];
				ev.u.cut.hs_have = 1;
			}
			emit_at(run, &ev, frame, run->rec_offset);
			return;
		}
	} else if (d->hs.len > 0) {
		/* The gap fell between records (or inside a record header),
		 * inside a message. */
		run->rec_offset = d->offset - d->rec.len;
		ev.content_type = TLS_CT_HANDSHAKE;
		frame = d->hs_frame;
	} else {
		return;
	}
	/* A handshake message: gathered in hs since an earlier record, or
	 * starting in this one's body (if it plausibly starts one). */
	if (d->hs.len > 0) {
		body = d->hs.p;
		body_n = d->hs.len;
		frame = d->hs_frame;
	} else if (body_n > 0 && d->hs_unsynced &&
	           !tls_hs_plausible(body, body_n, TLS_REC_HS_MAX)) {
		body_n = 0;
	}
	if (body_n > 0) {
		ev.hs_type = body[0];
		ev.u.cut.hs_have = (uint8_t)(body_n < TLS_HS_HDR_LEN ? body_n :
		                             TLS_HS_HDR_LEN);
		if (body_n >= TLS_HS_HDR_LEN)
			ev.hs_len = (uint32_t)body[1] << 16 |
			            (uint32_t)body[2] << 8 | body[3];
	}
	emit_at(run, &ev, frame, run->rec_offset);
}

void
tls_rec_gap(struct tls_rec_conn *c, enum tls_side side, uint64_t n,
            ta_frame frame, const struct tls_rec_sink *sink, void *ctx)
{
	struct run run;
	struct tls_rec_dir *d = &c->dir[side];

	if (d->stopped || n == 0)
		return;
	run_init(&run, c, side, frame, sink, ctx);
	/* What the lost bytes cut is reported as if they were there (the
	 * header that says so was); then the side is lost. */
	if (!d->hunting)
		cut(&run);
	/* A candidate's bytes were never read as a record. */
	if (d->tentative)
		d->skipped += d->rec.len;
	if (!d->hunting && !d->tentative) {
		d->lost_frame = frame;
		d->lost_offset = d->offset;
		d->lost_gap_bytes = 0;
	}
	d->lost = true;
	d->lost_gap_bytes += n;
	d->gap_bytes += n;
	start_hunting(d);
	d->offset += n;
}

void
tls_rec_midstream(struct tls_rec_conn *c, enum tls_side side, ta_frame frame)
{
	struct tls_rec_dir *d = &c->dir[side];

	if (d->stopped)
		return;
	d->lost = true;
	d->midstream = true;
	if (!d->hunting && !d->tentative) {
		d->lost_frame = frame;
		d->lost_offset = d->offset;
		d->lost_gap_bytes = 0;
	}
	start_hunting(d);
}

void
tls_rec_end(struct tls_rec_conn *c, enum tls_side side, ta_frame frame,
            const struct tls_rec_sink *sink, void *ctx)
{
	struct run run;
	struct tls_rec_dir *d = &c->dir[side];
	size_t held = d->rec.len + d->hs.len;
	struct tls_ev ev;

	if (d->stopped)
		return;
	run_init(&run, c, side, frame, sink, ctx);
	if (d->hunting || d->tentative) {
		/* Never found its footing again. A mid-stream side that got
		 * no byte at all has nothing to say. */
		if (d->gap_bytes == 0 && d->skipped == 0 && !d->tentative &&
		    !d->astray)
			return;
		memset(&ev, 0, sizeof ev);
		ev.type = TLS_EV_STOP;
		if (d->astray && !d->lost) {
			/* Nothing was lost: what followed the header that
			 * made it hunt was never TLS again. */
			ev.u.stop.reason = (enum tls_stop)d->astray_stop;
			ev.u.stop.len = d->astray_len;
			d->stopped = true;
			d->rec.len = 0;
			d->hs.len = 0;
			emit_at(&run, &ev, d->lost_frame, d->lost_offset);
			return;
		}
		ev.u.stop.reason = TLS_STOP_GAP;
		ev.u.stop.len = d->lost_gap_bytes != 0 ? d->lost_gap_bytes
		                                       : d->gap_bytes;
		d->stopped = true;
		d->rec.len = 0;
		d->hs.len = 0;
		emit_at(&run, &ev, d->lost_frame, d->lost_offset);
		return;
	}
	if (held == 0)
		return;
	run.rec_offset = d->offset - d->rec.len;
	stop(&run, TLS_STOP_TRUNCATED, held, d->hs.len > 0 ? d->hs.p[0] : 0);
}

const char *
tls_rec_stop_str(enum tls_stop s)
{
	switch (s) {
	case TLS_STOP_NOT_TLS:
		return "not-tls";
	case TLS_STOP_BAD_RECORD:
		return "bad-record";
	case TLS_STOP_RECORD_TOO_LONG:
		return "record-too-long";
	case TLS_STOP_OVERSIZED:
		return "oversized";
	case TLS_STOP_NO_BUFFER:
		return "no-buffer";
	case TLS_STOP_GAP:
		return "gap";
	case TLS_STOP_TRUNCATED:
		return "truncated";
	}
	return "unknown";
}

const char *
tls_rec_preamble_str(enum tls_preamble p)
{
	switch (p) {
	case TLS_PRE_PGSQL_REQUEST:
		return "pgsql-ssl-request";
	case TLS_PRE_PGSQL_ACCEPTED:
		return "pgsql-accepted";
	case TLS_PRE_PGSQL_REFUSED:
		return "pgsql-refused";
	}
	return "unknown";
}

const char *
tls_rec_bad_str(enum tls_bad b)
{
	switch (b) {
	case TLS_BAD_MESSAGE:
		return "bad-message";
	case TLS_BAD_WRONG_SIDE:
		return "wrong-side";
	case TLS_BAD_EMPTY_RECORD:
		return "empty-record";
	case TLS_BAD_CCS:
		return "bad-ccs";
	case TLS_BAD_ALERT:
		return "bad-alert";
	case TLS_BAD_INTERLEAVED:
		return "interleaved";
	case TLS_BAD_SSL2:
		return "bad-ssl2-hello";
	case TLS_BAD_HS_TOO_LONG:
		return "hs-too-long";
	}
	return "unknown";
}
