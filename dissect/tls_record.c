/* tls_record.c: TLS record layer stream parser (RFC 8446 5.1, RFC 5246 6.2; see tls_record.h). */
#include <string.h>

#include "rd.h"
#include "tls_record.h"

/* SSLv2 CLIENT-HELLO body before its vectors: type, version, 3 lengths. */
#define SSL2_HELLO_FIXED 9

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

static void
emit(const struct run *run, struct tls_ev *ev)
{
	ev->side = run->side;
	ev->frame = run->frame;
	ev->offset = run->rec_offset;
	ev->content_type = run->content_type;
	run->sink->event(run->ctx, ev);
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

/*
 * Decide from the first `have` bytes of a record whether it is one, and
 * its total size. The first record of the client may be an SSLv2 hello:
 * a two-byte header with the top bit set, then msg_type 1.
 */
static enum hdr
check_header(const struct tls_rec_dir *d, enum tls_side side,
             const uint8_t *h, size_t have, size_t *total, bool *ssl2,
             uint64_t *declared)
{
	enum hdr wrong = d->started ? HDR_BAD : HDR_NOT_TLS;
	struct rd r;
	uint8_t type, major, minor, msg_type;
	uint16_t len;

	*total = 0;
	*ssl2 = false;
	*declared = 0;
	rd_init(&r, h, have);
	if (!rd_u8(&r, &type))
		return HDR_MORE;
	if (side == TLS_SIDE_CLIENT && !d->started && (type & 0x80u) != 0) {
		/* 15-bit length, then the message type. */
		if (!rd_u8(&r, &minor) || !rd_u8(&r, &msg_type))
			return HDR_MORE;
		len = (uint16_t)((unsigned)(type & 0x7fu) << 8 | minor);
		*declared = len;
		if (msg_type != TLS_HS_CLIENT_HELLO || len < SSL2_HELLO_FIXED)
			return HDR_NOT_TLS;
		if (len > TLS_REC_MAX_LEN)
			return HDR_TOO_LONG;
		*ssl2 = true;
		*total = 2 + (size_t)len;
		return HDR_OK;
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
	if (offers_tls13(&ch))
		run->c->client_offered_tls13 = true;
	memset(&ev, 0, sizeof ev);
	ev.type = TLS_EV_CLIENT_HELLO;
	ev.hs_type = TLS_HS_CLIENT_HELLO;
	ev.hs_len = (uint32_t)n;
	ev.u.ch = &ch;
	emit(run, &ev);
}

static void
on_server_hello(struct run *run, const uint8_t *p, size_t n)
{
	struct tls_server_hello sh;
	struct tls_ev ev;
	enum dis_status st;

	st = tls_hs_parse_server_hello(p, n, &sh);
	if (st != DIS_OK) {
		bad(run, TLS_BAD_MESSAGE, st, TLS_HS_SERVER_HELLO, (uint32_t)n);
		return;
	}
	run->c->version = sh.version;
	run->c->server_hello_seen = true;
	if (sh.hello_retry) {
		run->c->hello_retry = true;
	} else if (tls_rec_is_tls13(sh.version)) {
		/* RFC 8446 2: everything after the ServerHello is encrypted. */
		run->c->dir[TLS_SIDE_CLIENT].encrypted = true;
		run->c->dir[TLS_SIDE_SERVER].encrypted = true;
	}
	memset(&ev, 0, sizeof ev);
	ev.type = TLS_EV_SERVER_HELLO;
	ev.hs_type = TLS_HS_SERVER_HELLO;
	ev.hs_len = (uint32_t)n;
	ev.u.sh = &sh;
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
		if (run->side != TLS_SIDE_SERVER) {
			bad(run, TLS_BAD_WRONG_SIDE, DIS_MALFORMED, type, len);
			return;
		}
		on_server_hello(run, p, n);
		return;
	case TLS_HS_CERTIFICATE:
		st = tls_hs_parse_certificate(p, n,
		                              tls_rec_is_tls13(run->c->version), &cert);
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

	while (n > 0 && !d->stopped) {
		if (d->hs.len == 0) {
			if (tls_hs_split(p, n, &type, &body, &msg_len) == DIS_OK) {
				on_message(run, type, body.p, body.n, recver);
				p += msg_len;
				n -= msg_len;
				continue;
			}
			/* It goes on in a later record: gather it. */
			d->hs_record_version = recver;
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
			stop(run, TLS_STOP_OVERSIZED, len, type);
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

/*
 * ChangeCipherSpec (RFC 5246 7.1): one byte, 1. Under TLS 1.3 it is only
 * the compatibility record of RFC 8446 D.4 and changes nothing; the same
 * holds for one the client sends after offering 1.3 and before any
 * ServerHello (in TLS <= 1.2 a client's CCS always follows the
 * ServerHello).
 */
static void
on_ccs(struct run *run, const uint8_t *p, size_t n)
{
	struct tls_rec_dir *d = run->d;
	struct tls_ev ev;
	bool compat;

	compat = tls_rec_is_tls13(run->c->version) ||
	         (!run->c->server_hello_seen && run->side == TLS_SIDE_CLIENT &&
	          run->c->client_offered_tls13);
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
}

/*
 * Alert (RFC 8446 6, RFC 5246 7.2): level and description. A 2-byte record
 * is read in every phase (see tls_record.h); several alerts may share a
 * plaintext record.
 */
static void
on_alert(struct run *run, const uint8_t *p, size_t n)
{
	struct tls_ev ev;

	if (n != 2 && run->d->encrypted) {
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

/* One complete record, where it lies (in the delivery or in rec). */
static void
on_record(struct run *run, const uint8_t *r, size_t total, bool ssl2)
{
	struct tls_rec_dir *d = run->d;
	struct tls_client_hello ch;
	struct tls_ev ev;
	enum dis_status st;
	uint16_t version;
	const uint8_t *body;
	size_t n;

	d->records++;
	d->started = true;
	run->rec_offset = d->offset - total;
	if (ssl2) {
		run->content_type = 0;
		st = tls_hs_parse_ssl2_client_hello(r + 2, total - 2, &ch);
		if (st != DIS_OK) {
			bad(run, TLS_BAD_SSL2, st, TLS_HS_CLIENT_HELLO,
			    (uint32_t)(total - 2));
			return;
		}
		memset(&ev, 0, sizeof ev);
		ev.type = TLS_EV_CLIENT_HELLO;
		ev.hs_type = TLS_HS_CLIENT_HELLO;
		ev.hs_len = (uint32_t)(total - 2);
		ev.u.ch = &ch;
		emit(run, &ev);
		return;
	}
	run->content_type = r[0];
	version = (uint16_t)((unsigned)r[1] << 8 | r[2]);
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
		if (d->encrypted)
			opaque(run, n);
		else
			on_handshake_bytes(run, body, n, version);
		break;
	default:
		/* application_data, heartbeat: not ours to read. */
		opaque(run, n);
		break;
	}
}

/* The stream is at a record boundary: parse what is whole, keep the rest. */
static size_t
fresh(struct run *run, const uint8_t *p, size_t n)
{
	struct tls_rec_dir *d = run->d;
	enum hdr v;
	size_t total;
	uint64_t declared;
	bool ssl2;

	v = check_header(d, run->side, p, n, &total, &ssl2, &declared);
	if (v == HDR_OK && n >= total) {
		d->offset += total;
		on_record(run, p, total, ssl2);
		return total;
	}
	if (v != HDR_OK && v != HDR_MORE) {
		run->rec_offset = d->offset;
		stop_header(run, v, declared, p, n, NULL, 0);
		return n;
	}
	/* A record (or its header) that ends in a later delivery. */
	if (!reserve(run, &d->rec, v == HDR_OK ? total : TLS_REC_HDR_LEN)) {
		run->rec_offset = d->offset;
		stop(run, TLS_STOP_NO_BUFFER, v == HDR_OK ? total : TLS_REC_HDR_LEN, 0);
		return n;
	}
	append(&d->rec, p, n);
	d->offset += n;
	return n;
}

/* Continue the record held in rec with the new bytes. */
static size_t
resume(struct run *run, const uint8_t *p, size_t n)
{
	struct tls_rec_dir *d = run->d;
	enum hdr v;
	size_t total, take, used = 0;
	uint64_t declared;
	bool ssl2;

	if (d->rec.len < TLS_REC_HDR_LEN) {
		/* Every record is at least a header long, so these bytes are
		 * this record's whatever it turns out to be. */
		take = TLS_REC_HDR_LEN - d->rec.len;
		take = take < n ? take : n;
		append(&d->rec, p, take);
		d->offset += take;
		used = take;
	}
	v = check_header(d, run->side, d->rec.p, d->rec.len, &total, &ssl2,
	                 &declared);
	if (v == HDR_MORE)
		return used;
	if (v != HDR_OK) {
		run->rec_offset = d->offset - d->rec.len;
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
		on_record(run, d->rec.p, total, ssl2);
		d->rec.len = 0;
	}
	return used;
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
	while (n > 0 && !run.d->stopped) {
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

void
tls_rec_gap(struct tls_rec_conn *c, enum tls_side side, uint64_t n,
            ta_frame frame, const struct tls_rec_sink *sink, void *ctx)
{
	struct run run;

	if (c->dir[side].stopped || n == 0)
		return;
	run_init(&run, c, side, frame, sink, ctx);
	/* Record boundaries after a hole cannot be trusted: resynchronising
	 * on bytes that merely look like a header would report fiction. */
	stop(&run, TLS_STOP_GAP, n, 0);
	run.d->offset += n;
}

void
tls_rec_end(struct tls_rec_conn *c, enum tls_side side, ta_frame frame,
            const struct tls_rec_sink *sink, void *ctx)
{
	struct run run;
	struct tls_rec_dir *d = &c->dir[side];
	size_t held = d->rec.len + d->hs.len;

	if (d->stopped || held == 0)
		return;
	run_init(&run, c, side, frame, sink, ctx);
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
	}
	return "unknown";
}
