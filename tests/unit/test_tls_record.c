/* test_tls_record.c: TLS record layer stream parser (RFC 8446 5.1, RFC 5246 6.2, SSLv2 hello of RFC 5246 E.2). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "tls_record.h"
#include "tls_samples.h"

/* What the tests remember of one event (the views die with the call). */
struct rev {
	enum tls_ev_type type;
	enum tls_side side;
	ta_frame frame;
	uint64_t offset;
	uint8_t content_type, hs_type;
	uint32_t hs_len;
	uint32_t a, b, c;         /* per type, see record() */
	bool after_gap;
	bool list_known;          /* TLS_EV_MALFORMED: u.bad.list_known */
	uint8_t excerpt[TLS_REC_EXCERPT];
	uint8_t excerpt_len;
};

struct log {
	struct rev ev[512];
	size_t n;
	size_t grows;             /* calls to grow that had to allocate */
	size_t max_need;
	size_t refuse_above;      /* grow refuses needs above this (0: never) */
};

static void
record(void *ctx, const struct tls_ev *ev)
{
	struct log *l = ctx;
	struct rev *r;

	assert_true(l->n < TA_ELEMENTS(l->ev));
	r = &l->ev[l->n++];
	memset(r, 0, sizeof *r);
	r->type = ev->type;
	r->side = ev->side;
	r->frame = ev->frame;
	r->offset = ev->offset;
	r->content_type = ev->content_type;
	r->hs_type = ev->hs_type;
	r->hs_len = ev->hs_len;
	r->after_gap = ev->after_gap;
	switch (ev->type) {
	case TLS_EV_CLIENT_HELLO:
		r->a = ev->u.ch->legacy_version;
		r->b = ev->u.ch->record_version;
		r->c = ev->u.ch->ciphers.count | (uint32_t)ev->u.ch->sslv2 << 16;
		break;
	case TLS_EV_SERVER_HELLO:
		r->a = ev->u.sh->version;
		r->b = ev->u.sh->cipher;
		r->c = ev->u.sh->hello_retry;
		break;
	case TLS_EV_CERTIFICATE:
		r->a = ev->u.cert->count;
		r->b = (uint32_t)ev->u.cert->total;
		break;
	case TLS_EV_ALERT:
		r->a = ev->u.alert.level;
		r->b = ev->u.alert.description;
		break;
	case TLS_EV_OPAQUE:
	case TLS_EV_CONTINUATION:
		r->a = ev->u.opaque.len;
		r->b = ev->cut;
		break;
	case TLS_EV_RESYNC:
		r->a = (uint32_t)ev->u.resync.skipped;
		r->b = ev->u.resync.midstream;
		break;
	case TLS_EV_CUT:
		r->a = ev->u.cut.len;
		r->b = ev->u.cut.held;
		r->c = ev->u.cut.hs_have | (uint32_t)ev->u.cut.in_record << 8;
		break;
	case TLS_EV_PREAMBLE:
		r->a = ev->u.preamble;
		break;
	case TLS_EV_SSL2_MASTER_KEY:
		r->a = ev->u.ssl2_cipher;
		break;
	case TLS_EV_SSL2_ERROR:
		r->a = ev->u.ssl2_error;
		break;
	case TLS_EV_MALFORMED:
		r->a = ev->u.bad.reason;
		r->b = ev->u.bad.status;
		r->c = ev->u.bad.list_len;
		r->list_known = ev->u.bad.list_known;
		break;
	case TLS_EV_STOP:
	case TLS_EV_BAD_HEADER:
		r->a = ev->u.stop.reason;
		r->b = (uint32_t)ev->u.stop.len;
		r->excerpt_len = ev->u.stop.excerpt_len;
		memcpy(r->excerpt, ev->u.stop.excerpt, ev->u.stop.excerpt_len);
		break;
	default:
		break;
	}
}

static bool
grow(void *ctx, struct tls_rec_buf *b, size_t need)
{
	struct log *l = ctx;
	uint8_t *p;

	assert_true(need > b->cap);
	if (l->refuse_above != 0 && need > l->refuse_above)
		return false;
	p = realloc(b->p, need);
	assert_non_null(p);
	b->p = p;
	b->cap = need;
	l->grows++;
	if (need > l->max_need)
		l->max_need = need;
	return true;
}

static const struct tls_rec_sink sink = {record, grow};

static void
conn_free(struct tls_rec_conn *c)
{
	for (size_t i = 0; i < 2; i++) {
		free(c->dir[i].rec.p);
		free(c->dir[i].hs.p);
	}
}

static void
feed(struct tls_rec_conn *c, struct log *l, enum tls_side side,
     const void *p, size_t n, ta_frame frame)
{
	/* An exact-size copy, so that ASan sees any overread. */
	uint8_t *copy = malloc(n ? n : 1);

	assert_non_null(copy);
	if (n > 0)
		memcpy(copy, p, n);
	tls_rec_feed(c, side, copy, n, frame, &sink, l);
	free(copy);
}

static void
end(struct tls_rec_conn *c, struct log *l, enum tls_side side)
{
	tls_rec_end(c, side, 999, &sink, l);
}

/* One letter per event, per side: the shape of a conversation. */
static void
shape(const struct log *l, enum tls_side side, char *out, size_t cap)
{
	static const char letters[] = "CSXTKRHcAOMZYDUNPkEB";
	size_t k = 0;

	for (size_t i = 0; i < l->n && k + 1 < cap; i++)
		if (l->ev[i].side == side)
			out[k++] = letters[l->ev[i].type];
	out[k] = 0;
}

enum mode {
	AS_CAPTURED,
	BYTEWISE,
	SPLIT,            /* one extra split at offset k of one side */
};

static void
feed_sample(struct tls_rec_conn *c, struct log *l, const struct tls_sample *s,
            enum mode mode, enum tls_side split_side, size_t k)
{
	for (size_t i = 0; i < s->nsegs; i++) {
		const struct tls_sample_seg *g = &s->segs[i];
		const uint8_t *p = s->stream[g->side] + g->off;
		enum tls_side side = (enum tls_side)g->side;

		if (mode == BYTEWISE) {
			for (size_t j = 0; j < g->len; j++)
				tls_rec_feed(c, side, p + j, 1, g->frame, &sink, l);
		} else if (mode == SPLIT && g->side == split_side && k > g->off &&
		           k < g->off + g->len) {
			feed(c, l, side, p, k - g->off, g->frame);
			feed(c, l, side, p + (k - g->off), g->len - (k - g->off),
			     g->frame);
		} else {
			feed(c, l, side, p, g->len, g->frame);
		}
	}
}

static void
run_sample(struct log *l, size_t sample, enum mode mode, enum tls_side side,
           size_t k)
{
	struct tls_rec_conn c;

	memset(l, 0, sizeof *l);
	tls_rec_init(&c);
	feed_sample(&c, l, &tls_samples[sample], mode, side, k);
	conn_free(&c);
}

static void
assert_same_events(const struct log *a, const struct log *b)
{
	assert_int_equal(a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		const struct rev *x = &a->ev[i], *y = &b->ev[i];

		assert_int_equal(x->type, y->type);
		assert_int_equal(x->side, y->side);
		assert_int_equal(x->frame, y->frame);
		assert_int_equal(x->offset, y->offset);
		assert_int_equal(x->content_type, y->content_type);
		assert_int_equal(x->hs_type, y->hs_type);
		assert_int_equal(x->hs_len, y->hs_len);
		assert_int_equal(x->a, y->a);
		assert_int_equal(x->b, y->b);
		assert_int_equal(x->c, y->c);
	}
}

static struct log la, lb;

static void
test_samples_as_captured(void **state)
{
	static const struct {
		size_t sample;
		const char *client, *server;
	} want[] = {
		{SAMPLE_TLS13, "CcOOO", "ScOOOOOOO"},
		{SAMPLE_TLS12, "CHcOOO", "SXKHHcOO"},
		{SAMPLE_TLS11, "CHcOOO", "SXKHHcOO"},
		{SAMPLE_TLS10, "CHcOOOO", "SXKHHcOO"},
		{SAMPLE_HRR, "CcCOOO", "ScSOOOOOOO"},
		{SAMPLE_VMIS, "C", "A"},
		{SAMPLE_DHE, "CHcOOO", "SXKHHcOO"},
	};
	char got[64];

	(void)state;
	for (size_t i = 0; i < TA_ELEMENTS(want); i++) {
		run_sample(&la, want[i].sample, AS_CAPTURED, TLS_SIDE_CLIENT, 0);
		shape(&la, TLS_SIDE_CLIENT, got, sizeof got);
		assert_string_equal(got, want[i].client);
		shape(&la, TLS_SIDE_SERVER, got, sizeof got);
		assert_string_equal(got, want[i].server);
		/* Whole records in each delivery: parsed in place, no copy. */
		assert_int_equal(la.grows, 0);
	}
}

static const struct rev *
nth(const struct log *l, enum tls_side side, enum tls_ev_type type, size_t n)
{
	for (size_t i = 0; i < l->n; i++) {
		if (l->ev[i].side != side || l->ev[i].type != type)
			continue;
		if (n == 0)
			return &l->ev[i];
		n--;
	}
	fail_msg("no such event");
	return NULL;
}

static void
test_sample_details(void **state)
{
	const struct rev *e;

	(void)state;
	run_sample(&la, SAMPLE_TLS13, AS_CAPTURED, TLS_SIDE_CLIENT, 0);
	e = nth(&la, TLS_SIDE_CLIENT, TLS_EV_CLIENT_HELLO, 0);
	assert_int_equal(e->frame, 4);
	assert_int_equal(e->a, 0x0303);
	assert_int_equal(e->b, 0x0301);
	assert_int_equal(e->c, 31);
	e = nth(&la, TLS_SIDE_SERVER, TLS_EV_SERVER_HELLO, 0);
	assert_int_equal(e->frame, 6);
	assert_int_equal(e->a, 0x0304);
	assert_int_equal(e->b, 0x1302);
	/* the encrypted flight: EncryptedExtensions, Certificate, CertificateVerify, Finished */
	e = nth(&la, TLS_SIDE_SERVER, TLS_EV_OPAQUE, 0);
	assert_int_equal(e->a, 23);
	assert_int_equal(e->content_type, TLS_CT_APPLICATION_DATA);
	assert_int_equal(e->offset, 133);
	e = nth(&la, TLS_SIDE_SERVER, TLS_EV_OPAQUE, 1);
	assert_int_equal(e->a, 857);
	e = nth(&la, TLS_SIDE_CLIENT, TLS_EV_OPAQUE, 2);
	assert_int_equal(e->a, 19);
	assert_int_equal(e->frame, 14);

	run_sample(&la, SAMPLE_TLS12, AS_CAPTURED, TLS_SIDE_CLIENT, 0);
	e = nth(&la, TLS_SIDE_SERVER, TLS_EV_CERTIFICATE, 0);
	assert_int_equal(e->a, 1);
	assert_int_equal(e->b, 827);
	assert_int_equal(e->offset, 70);
	e = nth(&la, TLS_SIDE_SERVER, TLS_EV_HANDSHAKE, 0);
	assert_int_equal(e->hs_type, TLS_HS_SERVER_HELLO_DONE);
	e = nth(&la, TLS_SIDE_SERVER, TLS_EV_HANDSHAKE, 1);
	assert_int_equal(e->hs_type, TLS_HS_NEW_SESSION_TICKET);
	assert_int_equal(e->frame, 9);
	/* after its CCS the client's Finished is an opaque handshake record */
	e = nth(&la, TLS_SIDE_CLIENT, TLS_EV_OPAQUE, 0);
	assert_int_equal(e->content_type, TLS_CT_HANDSHAKE);
	assert_int_equal(e->a, 40);
	/* and its close_notify an opaque alert */
	e = nth(&la, TLS_SIDE_CLIENT, TLS_EV_OPAQUE, 2);
	assert_int_equal(e->content_type, TLS_CT_ALERT);
	assert_int_equal(e->a, 26);

	run_sample(&la, SAMPLE_VMIS, AS_CAPTURED, TLS_SIDE_CLIENT, 0);
	e = nth(&la, TLS_SIDE_SERVER, TLS_EV_ALERT, 0);
	assert_int_equal(e->a, 2);
	assert_int_equal(e->b, 70);
	assert_int_equal(e->frame, 6);

	run_sample(&la, SAMPLE_HRR, AS_CAPTURED, TLS_SIDE_CLIENT, 0);
	e = nth(&la, TLS_SIDE_SERVER, TLS_EV_SERVER_HELLO, 0);
	assert_int_equal(e->c, 1);
	e = nth(&la, TLS_SIDE_SERVER, TLS_EV_SERVER_HELLO, 1);
	assert_int_equal(e->c, 0);
	assert_int_equal(e->frame, 9);
	/* the second hello came in a record that says TLS 1.2 */
	e = nth(&la, TLS_SIDE_CLIENT, TLS_EV_CLIENT_HELLO, 1);
	assert_int_equal(e->b, 0x0303);
	assert_int_equal(e->frame, 8);
}

/* One extra split at every byte offset of each side: the same events, same frames. */
static void
test_samples_every_split(void **state)
{
	(void)state;
	for (size_t s = 0; s < SAMPLE_COUNT; s++) {
		run_sample(&la, s, AS_CAPTURED, TLS_SIDE_CLIENT, 0);
		for (unsigned side = 0; side < 2; side++) {
			for (size_t k = 1; k < tls_samples[s].len[side]; k++) {
				run_sample(&lb, s, SPLIT, (enum tls_side)side, k);
				assert_same_events(&la, &lb);
				/* only the split record is ever copied */
				assert_true(lb.max_need <= TLS_REC_HDR_LEN + TLS_REC_MAX_LEN);
			}
		}
	}
}

static void
test_samples_bytewise(void **state)
{
	(void)state;
	for (size_t s = 0; s < SAMPLE_COUNT; s++) {
		run_sample(&la, s, AS_CAPTURED, TLS_SIDE_CLIENT, 0);
		run_sample(&lb, s, BYTEWISE, TLS_SIDE_CLIENT, 0);
		assert_same_events(&la, &lb);
	}
}

/* A record builder. */
struct bb {
	uint8_t b[20000];
	size_t n;
};

static void
put(struct bb *b, const void *p, size_t n)
{
	assert_true(b->n + n <= sizeof b->b);
	if (n == 0)
		return;
	memcpy(b->b + b->n, p, n);
	b->n += n;
}

static void
rec(struct bb *b, uint8_t type, uint16_t version, const void *body, size_t n)
{
	uint8_t h[5] = {type, (uint8_t)(version >> 8), (uint8_t)version,
	                (uint8_t)(n >> 8), (uint8_t)n};

	put(b, h, sizeof h);
	put(b, body, n);
}

static const uint8_t alert_rec[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28};
static const uint8_t ccs_rec[] = {0x14, 0x03, 0x03, 0x00, 0x01, 0x01};

/* The first record of a stream: its total size. */
static size_t
first_len(const uint8_t *p)
{
	return 5 + ((size_t)p[3] << 8 | p[4]);
}

/* The ClientHello message (with its 4-byte header) of the TLS 1.3 sample. */
static const uint8_t *
ch13(size_t *n)
{
	const uint8_t *s = tls_samples[SAMPLE_TLS13].stream[0];

	*n = (size_t)s[3] << 8 | s[4];
	return s + 5;
}

static void
test_fragmented_handshake(void **state)
{
	static const size_t cuts[][2] = {{10, 100}, {2, 3}, {4, 1}, {1, 300}};
	struct tls_rec_conn c;
	struct bb b;
	size_t n;
	const uint8_t *m = ch13(&n);

	(void)state;
	for (size_t i = 0; i < TA_ELEMENTS(cuts); i++) {
		size_t a = cuts[i][0], z = cuts[i][1];

		b.n = 0;
		rec(&b, TLS_CT_HANDSHAKE, 0x0301, m, a);
		rec(&b, TLS_CT_HANDSHAKE, 0x0303, m + a, z);
		rec(&b, TLS_CT_HANDSHAKE, 0x0303, m + a + z, n - a - z);
		memset(&la, 0, sizeof la);
		tls_rec_init(&c);
		feed(&c, &la, TLS_SIDE_CLIENT, b.b, b.n, 7);
		assert_int_equal(la.n, 1);
		assert_int_equal(la.ev[0].type, TLS_EV_CLIENT_HELLO);
		assert_int_equal(la.ev[0].b, 0x0301); /* the first fragment's record */
		assert_int_equal(la.ev[0].c, 31);
		assert_int_equal(la.ev[0].frame, 7);
		assert_int_equal(la.ev[0].offset, 5 + a + 5 + z);
		/* the message was gathered, and only it: header, then whole */
		assert_int_equal(la.max_need, n);
		conn_free(&c);

		/* the same bytes one at a time */
		memset(&lb, 0, sizeof lb);
		tls_rec_init(&c);
		for (size_t j = 0; j < b.n; j++)
			feed(&c, &lb, TLS_SIDE_CLIENT, b.b + j, 1, 7);
		assert_same_events(&la, &lb);
		conn_free(&c);
	}
}

static void
test_coalesced_messages(void **state)
{
	const uint8_t *s = tls_samples[SAMPLE_TLS12].stream[1];
	struct tls_rec_conn c;
	struct bb body = {.n = 0}, b = {.n = 0};
	char got[16];
	size_t off = 0;

	(void)state;
	/* SH, Certificate, SKE, ServerHelloDone: four records in the capture */
	for (unsigned i = 0; i < 4; i++) {
		size_t len = (size_t)s[off + 3] << 8 | s[off + 4];

		put(&body, s + off + 5, len);
		off += 5 + len;
	}
	rec(&b, TLS_CT_HANDSHAKE, 0x0303, body.b, body.n);
	memset(&la, 0, sizeof la);
	tls_rec_init(&c);
	feed(&c, &la, TLS_SIDE_SERVER, b.b, b.n, 3);
	shape(&la, TLS_SIDE_SERVER, got, sizeof got);
	assert_string_equal(got, "SXKH");
	for (size_t i = 0; i < la.n; i++)
		assert_int_equal(la.ev[i].offset, 0);
	assert_int_equal(la.grows, 0);
	assert_int_equal(c.version, 0x0303);
	conn_free(&c);
}

static void
test_record_length_limit(void **state)
{
	static uint8_t big[TLS_REC_MAX_LEN + 1];
	struct tls_rec_conn c;
	struct bb *b = malloc(sizeof *b);

	(void)state;
	assert_non_null(b);
	b->n = 0;
	rec(b, TLS_CT_APPLICATION_DATA, 0x0303, big, TLS_REC_MAX_LEN);
	memset(&la, 0, sizeof la);
	tls_rec_init(&c);
	feed(&c, &la, TLS_SIDE_SERVER, b->b, b->n, 1);
	assert_int_equal(la.n, 1);
	assert_int_equal(la.ev[0].type, TLS_EV_OPAQUE);
	assert_int_equal(la.ev[0].a, TLS_REC_MAX_LEN);
	/* one more byte is not TLS: after a whole record the side hunts */
	b->n = 0;
	rec(b, TLS_CT_APPLICATION_DATA, 0x0303, big, TLS_REC_MAX_LEN + 1);
	feed(&c, &la, TLS_SIDE_SERVER, b->b, b->n, 2);
	assert_int_equal(la.n, 2);
	assert_int_equal(la.ev[1].type, TLS_EV_BAD_HEADER);
	assert_int_equal(la.ev[1].a, TLS_STOP_RECORD_TOO_LONG);
	assert_int_equal(la.ev[1].b, TLS_REC_MAX_LEN + 1);
	assert_int_equal(la.ev[1].offset, TLS_REC_HDR_LEN + TLS_REC_MAX_LEN);
	assert_int_equal(la.ev[1].excerpt_len, TLS_REC_EXCERPT);
	assert_int_equal(la.ev[1].excerpt[0], TLS_CT_APPLICATION_DATA);
	assert_false(tls_rec_stopped(&c, TLS_SIDE_SERVER));
	/* the same header again is no record to find */
	feed(&c, &la, TLS_SIDE_SERVER, b->b, 5, 3);
	assert_int_equal(la.n, 2);
	/* no record after it: at the end it stops on that header */
	end(&c, &la, TLS_SIDE_SERVER);
	assert_int_equal(la.n, 3);
	assert_int_equal(la.ev[2].type, TLS_EV_STOP);
	assert_int_equal(la.ev[2].a, TLS_STOP_RECORD_TOO_LONG);
	assert_int_equal(la.ev[2].b, TLS_REC_MAX_LEN + 1);
	assert_int_equal(la.ev[2].frame, 2);
	assert_int_equal(la.ev[2].offset, TLS_REC_HDR_LEN + TLS_REC_MAX_LEN);
	assert_false(la.ev[2].after_gap);
	assert_true(tls_rec_stopped(&c, TLS_SIDE_SERVER));
	assert_false(tls_rec_stopped(&c, TLS_SIDE_CLIENT));
	conn_free(&c);

	/* before any whole record, a header too long stops the side */
	memset(&la, 0, sizeof la);
	tls_rec_init(&c);
	feed(&c, &la, TLS_SIDE_SERVER, b->b, 5, 1);
	assert_int_equal(la.n, 1);
	assert_int_equal(la.ev[0].type, TLS_EV_STOP);
	assert_int_equal(la.ev[0].a, TLS_STOP_RECORD_TOO_LONG);
	assert_true(tls_rec_stopped(&c, TLS_SIDE_SERVER));
	conn_free(&c);
	free(b);
}

static void
test_not_tls(void **state)
{
	static const char greeting[] = "* OK [CAPABILITY IMAP4rev1 STARTTLS] Dovecot ready.\r\n";
	static const uint8_t v2[] = {0x16, 0x02, 0x00, 0x00, 0x01, 0x00};
	struct tls_rec_conn c;

	(void)state;
	memset(&la, 0, sizeof la);
	tls_rec_init(&c);
	feed(&c, &la, TLS_SIDE_SERVER, greeting, sizeof greeting - 1, 12);
	assert_int_equal(la.n, 1);
	assert_int_equal(la.ev[0].type, TLS_EV_STOP);
	assert_int_equal(la.ev[0].a, TLS_STOP_NOT_TLS);
	assert_int_equal(la.ev[0].frame, 12);
	assert_int_equal(la.ev[0].excerpt_len, TLS_REC_EXCERPT);
	assert_memory_equal(la.ev[0].excerpt, greeting, TLS_REC_EXCERPT);
	feed(&c, &la, TLS_SIDE_SERVER, tls_samples[SAMPLE_TLS13].stream[1], 100, 13);
	assert_int_equal(la.n, 1);
	conn_free(&c);

	/* decided on the first byte, even when it comes alone */
	memset(&la, 0, sizeof la);
	tls_rec_init(&c);
	feed(&c, &la, TLS_SIDE_SERVER, greeting, 1, 5);
	assert_int_equal(la.n, 1);
	assert_int_equal(la.ev[0].a, TLS_STOP_NOT_TLS);
	assert_int_equal(la.ev[0].excerpt_len, 1);
	assert_int_equal(la.ev[0].excerpt[0], '*');
	conn_free(&c);

	/* a handshake type with major version 2, split after 1 byte */
	memset(&la, 0, sizeof la);
	tls_rec_init(&c);
	feed(&c, &la, TLS_SIDE_CLIENT, v2, 1, 1);
	assert_int_equal(la.n, 0);
	feed(&c, &la, TLS_SIDE_CLIENT, v2 + 1, sizeof v2 - 1, 2);
	assert_int_equal(la.n, 1);
	assert_int_equal(la.ev[0].a, TLS_STOP_NOT_TLS);
	assert_int_equal(la.ev[0].excerpt_len, sizeof v2);
	assert_memory_equal(la.ev[0].excerpt, v2, sizeof v2);
	conn_free(&c);
}

static void
test_bad_record_later(void **state)
{
	static const uint8_t alert[] = {1, 0};
	static const uint8_t junk[] = {0x00, 0x03, 0x03, 0x00, 0x02, 1, 0};
	struct tls_rec_conn c;
	struct bb b = {.n = 0};

	(void)state;
	rec(&b, TLS_CT_ALERT, 0x0303, alert, sizeof alert);
	put(&b, junk, sizeof junk);
	memset(&la, 0, sizeof la);
	tls_rec_init(&c);
	feed(&c, &la, TLS_SIDE_SERVER, b.b, b.n, 1);
	assert_int_equal(la.n, 2);
	assert_int_equal(la.ev[0].type, TLS_EV_ALERT);
	assert_int_equal(la.ev[1].type, TLS_EV_BAD_HEADER);
	assert_int_equal(la.ev[1].a, TLS_STOP_BAD_RECORD);
	assert_int_equal(la.ev[1].offset, 7);
	assert_int_equal(la.ev[1].excerpt_len, sizeof junk);
	assert_false(la.ev[1].after_gap);
	/* text after it never becomes a record: it stops there at the end */
	feed(&c, &la, TLS_SIDE_SERVER, "HTTP/1.1 200 OK\r\n", 17, 2);
	end(&c, &la, TLS_SIDE_SERVER);
	assert_int_equal(la.n, 3);
	assert_int_equal(la.ev[2].type, TLS_EV_STOP);
	assert_int_equal(la.ev[2].a, TLS_STOP_BAD_RECORD);
	assert_int_equal(la.ev[2].frame, 1);
	assert_int_equal(la.ev[2].offset, 7);
	assert_int_equal(la.ev[2].excerpt_len, 0);
	assert_false(la.ev[2].after_gap);
	conn_free(&c);
}

/*
 * An edited or damaged record header in a stream captured whole, between
 * valid records: reported, then the side is read again from the next
 * delivery that starts with a record (a CCS is among the bytes passed
 * over, so its alerts longer than 2 bytes are opaque from then on).
 */
static void
test_bad_header_resync(void **state)
{
	static const uint8_t hello[] = {TLS_HS_SERVER_HELLO_DONE, 0, 0, 0};
	static const uint8_t bad[] = {0x14, 0xff, 0xff, 0xff, 0x01, 0x01,
	                              0x16, 0x03, 0x03, 0x00, 0x02, 0xaa, 0xbb};
	static const uint8_t data[32] = {0};
	static const uint8_t alerts[4] = {1, 0, 1, 0};
	struct tls_rec_conn c;
	struct bb b = {.n = 0};
	char got[16];

	(void)state;
	memset(&la, 0, sizeof la);
	tls_rec_init(&c);
	rec(&b, TLS_CT_HANDSHAKE, 0x0303, hello, sizeof hello);
	put(&b, bad, sizeof bad);
	feed(&c, &la, TLS_SIDE_CLIENT, b.b, b.n, 10);
	b.n = 0;
	/* the next delivery: application data, then an alert record */
	rec(&b, TLS_CT_APPLICATION_DATA, 0x0303, data, sizeof data);
	rec(&b, TLS_CT_ALERT, 0x0303, alerts, sizeof alerts);
	feed(&c, &la, TLS_SIDE_CLIENT, b.b, b.n, 13);
	end(&c, &la, TLS_SIDE_CLIENT);
	shape(&la, TLS_SIDE_CLIENT, got, sizeof got);
	assert_string_equal(got, "HBYOO");
	assert_int_equal(la.ev[1].a, TLS_STOP_BAD_RECORD);
	assert_int_equal(la.ev[1].frame, 10);
	assert_int_equal(la.ev[1].offset, TLS_REC_HDR_LEN + sizeof hello);
	assert_int_equal(la.ev[1].excerpt_len, sizeof bad);
	assert_memory_equal(la.ev[1].excerpt, bad, sizeof bad);
	/* found again at the next delivery, the bytes passed over counted */
	assert_int_equal(la.ev[2].frame, 13);
	assert_int_equal(la.ev[2].offset,
	                 TLS_REC_HDR_LEN + sizeof hello + sizeof bad);
	assert_int_equal(la.ev[2].a, sizeof bad);
	assert_int_equal(la.ev[2].b, 0);
	/* nothing was lost from the capture */
	for (size_t i = 0; i < la.n; i++)
		assert_false(la.ev[i].after_gap);
	assert_int_equal(la.ev[4].content_type, TLS_CT_ALERT);
	assert_int_equal(la.ev[4].a, sizeof alerts);
	assert_false(tls_rec_stopped(&c, TLS_SIDE_CLIENT));
	conn_free(&c);

	/* the first header of a stream is never passed over: not TLS */
	memset(&la, 0, sizeof la);
	tls_rec_init(&c);
	feed(&c, &la, TLS_SIDE_CLIENT, bad, sizeof bad, 1);
	assert_int_equal(la.n, 1);
	assert_int_equal(la.ev[0].type, TLS_EV_STOP);
	assert_int_equal(la.ev[0].a, TLS_STOP_NOT_TLS);
	conn_free(&c);
}

static const uint8_t ssl2_hello[] = {
	0x80, 0x25,
	0x01, 0x03, 0x01, 0x00, 0x0c, 0x00, 0x00, 0x00, 0x10,
	0x00, 0x00, 0x2f, 0x00, 0x00, 0x35, 0x07, 0x00, 0xc0, 0x00, 0x00, 0xff,
	1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
};

static void
test_ssl2_hello(void **state)
{
	static const uint8_t alert[] = {0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x28};
	struct tls_rec_conn c;
	uint8_t m[sizeof ssl2_hello];

	(void)state;
	memset(&la, 0, sizeof la);
	tls_rec_init(&c);
	feed(&c, &la, TLS_SIDE_CLIENT, ssl2_hello, sizeof ssl2_hello, 4);
	feed(&c, &la, TLS_SIDE_CLIENT, alert, sizeof alert, 5);
	assert_int_equal(la.n, 2);
	assert_int_equal(la.ev[0].type, TLS_EV_CLIENT_HELLO);
	assert_int_equal(la.ev[0].a, 0x0301);
	assert_int_equal(la.ev[0].b, TLS_V_SSL2);
	assert_int_equal(la.ev[0].c, 3 | 1u << 16);
	assert_int_equal(la.ev[0].content_type, 0);
	assert_int_equal(la.ev[1].type, TLS_EV_ALERT);
	assert_int_equal(la.ev[1].offset, sizeof ssl2_hello);
	conn_free(&c);

	/* every split */
	for (size_t k = 1; k < sizeof ssl2_hello; k++) {
		memset(&lb, 0, sizeof lb);
		tls_rec_init(&c);
		feed(&c, &lb, TLS_SIDE_CLIENT, ssl2_hello, k, 4);
		assert_int_equal(lb.n, 0);
		feed(&c, &lb, TLS_SIDE_CLIENT, ssl2_hello + k, sizeof ssl2_hello - k, 4);
		feed(&c, &lb, TLS_SIDE_CLIENT, alert, sizeof alert, 5);
		assert_same_events(&la, &lb);
		conn_free(&c);
	}

	/* a bad SSLv2 hello is malformed; what follows is still read */
	memcpy(m, ssl2_hello, sizeof m);
	m[6] = 0x0b;
	memset(&la, 0, sizeof la);
	tls_rec_init(&c);
	feed(&c, &la, TLS_SIDE_CLIENT, m, sizeof m, 4);
	feed(&c, &la, TLS_SIDE_CLIENT, alert, sizeof alert, 5);
	assert_int_equal(la.n, 2);
	assert_int_equal(la.ev[0].type, TLS_EV_MALFORMED);
	assert_int_equal(la.ev[0].a, TLS_BAD_SSL2);
	assert_int_equal(la.ev[1].type, TLS_EV_ALERT);
	conn_free(&c);

	/* SSLv2 SERVER-HELLO (type 4), from the server, or not first: not read */
	memcpy(m, ssl2_hello, sizeof m);
	m[2] = 4;
	memset(&la, 0, sizeof la);
	tls_rec_init(&c);
	feed(&c, &la, TLS_SIDE_CLIENT, m, sizeof m, 4);
	feed(&c, &la, TLS_SIDE_SERVER, ssl2_hello, sizeof ssl2_hello, 5);
	assert_int_equal(la.n, 2);
	assert_int_equal(la.ev[0].a, TLS_STOP_NOT_TLS);
	assert_int_equal(la.ev[1].a, TLS_STOP_NOT_TLS);
	assert_int_equal(la.ev[1].side, TLS_SIDE_SERVER);
	conn_free(&c);
	memset(&la, 0, sizeof la);
	tls_rec_init(&c);
	feed(&c, &la, TLS_SIDE_CLIENT, alert, sizeof alert, 4);
	feed(&c, &la, TLS_SIDE_CLIENT, ssl2_hello, sizeof ssl2_hello, 5);
	assert_int_equal(la.n, 2);
	assert_int_equal(la.ev[1].a, TLS_STOP_BAD_RECORD);
	conn_free(&c);
}

/* An SSL 2.0 handshake in clear (draft-hickman-netscape-ssl-00), by hand. */
static const uint8_t ssl2_server_hello[] = {
	0x80, 0x2b,
	0x04, 0x00, 0x01, 0x00, 0x02, 0x00, 0x0a, 0x00, 0x06, 0x00, 0x10,
	0x30, 0x08, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x01, 0x41,
	0x01, 0x00, 0x80, 0x07, 0x00, 0xc0,
	1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
};

static void
ssl2_master_key(struct bb *b)
{
	static const uint8_t head[] = {
		0x80, 0x4a, 0x02, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x40,
		0x00, 0x00,
	};
	uint8_t key[64];

	memset(key, 0x77, sizeof key);
	b->n = 0;
	put(b, head, sizeof head);
	put(b, key, sizeof key);
}

static void
test_ssl2_session(void **state)
{
	static const uint8_t enc2[] = {0x80, 0x04, 0xaa, 0xbb, 0xcc, 0xdd};
	static const uint8_t enc3[] = {0x00, 0x04, 0x02, 0xaa, 0xbb, 0xcc, 0xdd};
	static const uint8_t error[] = {0x80, 0x03, 0x00, 0x00, 0x01};
	struct tls_rec_conn c;
	struct bb b;
	uint8_t hello[sizeof ssl2_hello], sh[sizeof ssl2_server_hello];
	char got[16];

	(void)state;
	memcpy(hello, ssl2_hello, sizeof hello);
	hello[3] = 0x00;       /* an SSL 2.0 client: version 0x0002 */
	hello[4] = 0x02;
	ssl2_master_key(&b);
	memset(&la, 0, sizeof la);
	tls_rec_init(&c);
	feed(&c, &la, TLS_SIDE_CLIENT, hello, sizeof hello, 4);
	feed(&c, &la, TLS_SIDE_SERVER, ssl2_server_hello,
	     sizeof ssl2_server_hello, 5);
	feed(&c, &la, TLS_SIDE_CLIENT, b.b, b.n, 6);
	feed(&c, &la, TLS_SIDE_CLIENT, enc3, sizeof enc3, 6);
	feed(&c, &la, TLS_SIDE_SERVER, enc2, sizeof enc2, 7);
	feed(&c, &la, TLS_SIDE_SERVER, enc3, sizeof enc3, 7);
	shape(&la, TLS_SIDE_CLIENT, got, sizeof got);
	assert_string_equal(got, "CkO");
	shape(&la, TLS_SIDE_SERVER, got, sizeof got);
	assert_string_equal(got, "SXOO");
	assert_int_equal(la.ev[1].a, TLS_V_SSL2);
	assert_int_equal(la.ev[1].b, TLS_CIPHER_SSL2);
	assert_int_equal(la.ev[1].content_type, 0);
	assert_int_equal(la.ev[2].a, 1);       /* one certificate */
	assert_int_equal(la.ev[2].b, 10);
	assert_int_equal(la.ev[3].type, TLS_EV_SSL2_MASTER_KEY);
	assert_int_equal(la.ev[3].a, 0x010080);
	assert_int_equal(la.ev[4].a, 4);
	assert_int_equal(la.ev[6].a, 4);
	assert_true(c.ssl2);
	assert_int_equal(c.version, TLS_V_SSL2);
	conn_free(&c);

	/* the same split at every byte of the server's hello */
	for (size_t k = 1; k < sizeof ssl2_server_hello; k++) {
		memset(&lb, 0, sizeof lb);
		tls_rec_init(&c);
		feed(&c, &lb, TLS_SIDE_CLIENT, hello, sizeof hello, 4);
		feed(&c, &lb, TLS_SIDE_SERVER, ssl2_server_hello, k, 5);
		feed(&c, &lb, TLS_SIDE_SERVER, ssl2_server_hello + k,
		     sizeof ssl2_server_hello - k, 5);
		feed(&c, &lb, TLS_SIDE_CLIENT, b.b, b.n, 6);
		feed(&c, &lb, TLS_SIDE_CLIENT, enc3, sizeof enc3, 6);
		feed(&c, &lb, TLS_SIDE_SERVER, enc2, sizeof enc2, 7);
		feed(&c, &lb, TLS_SIDE_SERVER, enc3, sizeof enc3, 7);
		assert_same_events(&la, &lb);
		conn_free(&c);
	}

	/* SSL 2.0 records can be shorter than a TLS header: a 1-byte record
	 * whose header is split, then a 2-byte one, in one delivery */
	memset(&la, 0, sizeof la);
	tls_rec_init(&c);
	feed(&c, &la, TLS_SIDE_CLIENT, hello, sizeof hello, 4);
	feed(&c, &la, TLS_SIDE_SERVER, ssl2_server_hello,
	     sizeof ssl2_server_hello, 5);
	feed(&c, &la, TLS_SIDE_SERVER, "\x80", 1, 6);
	feed(&c, &la, TLS_SIDE_SERVER, "\x01\xaa\x80\x02\xbb\xcc", 6, 7);
	shape(&la, TLS_SIDE_SERVER, got, sizeof got);
	assert_string_equal(got, "SXOO");
	assert_int_equal(la.ev[3].a, 1);
	assert_int_equal(la.ev[4].a, 2);
	assert_int_equal(la.ev[4].offset, sizeof ssl2_server_hello + 3);
	conn_free(&c);

	/* a server refusing with an SSL 2.0 ERROR (NO-CIPHER-ERROR) */
	memset(&la, 0, sizeof la);
	tls_rec_init(&c);
	feed(&c, &la, TLS_SIDE_CLIENT, hello, sizeof hello, 4);
	feed(&c, &la, TLS_SIDE_SERVER, error, sizeof error, 5);
	shape(&la, TLS_SIDE_SERVER, got, sizeof got);
	assert_string_equal(got, "E");
	assert_int_equal(la.ev[1].a, 1);
	conn_free(&c);

	/* a SERVER-HELLO that does not parse is malformed, not not-tls */
	memcpy(sh, ssl2_server_hello, sizeof sh);
	sh[12] = 0x0f;         /* connection id 15 bytes: too short */
	memset(&la, 0, sizeof la);
	tls_rec_init(&c);
	feed(&c, &la, TLS_SIDE_CLIENT, hello, sizeof hello, 4);
	feed(&c, &la, TLS_SIDE_SERVER, sh, sizeof sh, 5);
	assert_int_equal(la.n, 2);
	assert_int_equal(la.ev[1].type, TLS_EV_MALFORMED);
	assert_int_equal(la.ev[1].a, TLS_BAD_SSL2);
	assert_false(c.ssl2);
	conn_free(&c);

	/* the look-alike: after a TLS ClientHello an SSL 2.0 answer is not TLS */
	memset(&la, 0, sizeof la);
	tls_rec_init(&c);
	feed(&c, &la, TLS_SIDE_CLIENT, tls_samples[SAMPLE_TLS12].stream[0], 162, 4);
	feed(&c, &la, TLS_SIDE_SERVER, ssl2_server_hello,
	     sizeof ssl2_server_hello, 5);
	assert_int_equal(la.n, 2);
	assert_int_equal(la.ev[1].type, TLS_EV_STOP);
	assert_int_equal(la.ev[1].a, TLS_STOP_NOT_TLS);
	conn_free(&c);

	/* an SSLv2 hello answered in TLS (the common case): TLS from then on */
	memset(&la, 0, sizeof la);
	tls_rec_init(&c);
	feed(&c, &la, TLS_SIDE_CLIENT, ssl2_hello, sizeof ssl2_hello, 4);
	feed(&c, &la, TLS_SIDE_SERVER, tls_samples[SAMPLE_TLS10].stream[1],
	     first_len(tls_samples[SAMPLE_TLS10].stream[1]), 5);
	shape(&la, TLS_SIDE_SERVER, got, sizeof got);
	assert_string_equal(got, "S");
	assert_false(c.ssl2);
	conn_free(&c);
}

/* PostgreSQL's SSLRequest before TLS (only when preambles are allowed). */
static void
test_pg_preamble(void **state)
{
	static const uint8_t req[] = {0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f};
	static const uint8_t gss[] = {0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x30};
	const struct tls_sample *smp = &tls_samples[SAMPLE_TLS12];
	struct tls_rec_conn c;
	struct bb b = {.n = 0};
	char got[16];

	(void)state;
	/* 'S': both sides speak TLS after it */
	memset(&la, 0, sizeof la);
	tls_rec_init(&c);
	c.preambles = true;
	feed(&c, &la, TLS_SIDE_CLIENT, req, sizeof req, 4);
	feed(&c, &la, TLS_SIDE_SERVER, "S", 1, 6);
	feed(&c, &la, TLS_SIDE_CLIENT, smp->stream[0], 162, 8);
	feed(&c, &la, TLS_SIDE_SERVER, smp->stream[1], 70, 9);
	shape(&la, TLS_SIDE_CLIENT, got, sizeof got);
	assert_string_equal(got, "PC");
	shape(&la, TLS_SIDE_SERVER, got, sizeof got);
	assert_string_equal(got, "PS");
	assert_int_equal(la.ev[0].a, TLS_PRE_PGSQL_REQUEST);
	assert_int_equal(la.ev[1].a, TLS_PRE_PGSQL_ACCEPTED);
	assert_int_equal(la.ev[2].offset, 8);
	assert_int_equal(la.ev[3].offset, 1);
	assert_int_equal(c.pg, TLS_PG_ACCEPTED);
	conn_free(&c);

	/* byte by byte, and the answer with the ServerHello behind it */
	put(&b, "S", 1);
	put(&b, smp->stream[1], 70);
	memset(&lb, 0, sizeof lb);
	tls_rec_init(&c);
	c.preambles = true;
	for (size_t i = 0; i < sizeof req; i++)
		feed(&c, &lb, TLS_SIDE_CLIENT, req + i, 1, 4);
	assert_int_equal(lb.n, 1);
	assert_int_equal(lb.ev[0].a, TLS_PRE_PGSQL_REQUEST);
	feed(&c, &lb, TLS_SIDE_SERVER, b.b, b.n, 6);
	shape(&lb, TLS_SIDE_SERVER, got, sizeof got);
	assert_string_equal(got, "PS");
	conn_free(&c);

	/* 'N': refused; the client's cleartext is not read, the server's
	 * stream stops as not-tls on the N (as before the fact existed) */
	memset(&la, 0, sizeof la);
	tls_rec_init(&c);
	c.preambles = true;
	feed(&c, &la, TLS_SIDE_CLIENT, req, sizeof req, 4);
	feed(&c, &la, TLS_SIDE_SERVER, "N", 1, 6);
	feed(&c, &la, TLS_SIDE_CLIENT, "\0\0\0\x29\0\x03\0\0user", 12, 8);
	shape(&la, TLS_SIDE_CLIENT, got, sizeof got);
	assert_string_equal(got, "P");
	shape(&la, TLS_SIDE_SERVER, got, sizeof got);
	assert_string_equal(got, "PZ");
	assert_int_equal(la.ev[1].a, TLS_PRE_PGSQL_REFUSED);
	assert_int_equal(la.ev[2].a, TLS_STOP_NOT_TLS);
	assert_int_equal(la.ev[2].excerpt_len, 1);
	assert_int_equal(la.ev[2].excerpt[0], 'N');
	assert_true(tls_rec_stopped(&c, TLS_SIDE_CLIENT));
	assert_int_equal(c.pg, TLS_PG_REFUSED);
	conn_free(&c);

	/* look-alikes: another request code, and no preambles allowed */
	memset(&la, 0, sizeof la);
	tls_rec_init(&c);
	c.preambles = true;
	feed(&c, &la, TLS_SIDE_CLIENT, gss, sizeof gss, 4);
	assert_int_equal(la.n, 1);
	assert_int_equal(la.ev[0].a, TLS_STOP_NOT_TLS);
	assert_int_equal(la.ev[0].excerpt_len, sizeof gss);
	assert_memory_equal(la.ev[0].excerpt, gss, sizeof gss);
	conn_free(&c);
	memset(&la, 0, sizeof la);
	tls_rec_init(&c);
	feed(&c, &la, TLS_SIDE_CLIENT, req, sizeof req, 4);
	assert_int_equal(la.n, 1);
	assert_int_equal(la.ev[0].a, TLS_STOP_NOT_TLS);
	conn_free(&c);
	/* the server's 'S' without a request is not TLS either */
	memset(&la, 0, sizeof la);
	tls_rec_init(&c);
	c.preambles = true;
	feed(&c, &la, TLS_SIDE_SERVER, "S", 1, 6);
	assert_int_equal(la.n, 1);
	assert_int_equal(la.ev[0].a, TLS_STOP_NOT_TLS);
	conn_free(&c);
}

/* TLS 1.3 drafts: the ServerHello of drafts before 22, the draft HRR, and
 * vendor variants: everything after is encrypted. */
static void
test_draft_versions(void **state)
{
	static const uint8_t hrr19[] = {
		0x16, 0x03, 0x01, 0x00, 0x10, 0x06, 0x00, 0x00, 0x0c,
		0x7f, 0x13, 0x13, 0x01, 0x00, 0x06, 0x00, 0x33, 0x00, 0x02,
		0x00, 0x17,
	};
	uint8_t sh[5 + 4 + 2 + 32 + 2];
	struct tls_rec_conn c;
	char got[16];

	(void)state;
	/* draft 18's ServerHello without extensions */
	memset(sh, 0x33, sizeof sh);
	memcpy(sh, "\x16\x03\x01\x00\x28\x02\x00\x00\x24\x7f\x12", 11);
	sh[43] = 0x13;
	sh[44] = 0x01;
	memset(&la, 0, sizeof la);
	tls_rec_init(&c);
	feed(&c, &la, TLS_SIDE_SERVER, hrr19, sizeof hrr19, 5);
	assert_int_equal(la.n, 1);
	assert_int_equal(la.ev[0].type, TLS_EV_SERVER_HELLO);
	assert_int_equal(la.ev[0].a, 0x7f13);
	assert_int_equal(la.ev[0].c, 1);
	assert_true(c.hello_retry);
	assert_false(c.dir[TLS_SIDE_SERVER].encrypted);
	conn_free(&c);
	memset(&la, 0, sizeof la);
	tls_rec_init(&c);
	feed(&c, &la, TLS_SIDE_SERVER, sh, sizeof sh, 5);
	feed(&c, &la, TLS_SIDE_SERVER, alert_rec, 5, 5);
	feed(&c, &la, TLS_SIDE_SERVER, "\x02\x28", 2, 5);
	shape(&la, TLS_SIDE_SERVER, got, sizeof got);
	assert_string_equal(got, "SA");
	assert_int_equal(la.ev[0].a, 0x7f12);
	assert_int_equal(la.ev[0].b, 0x1301);
	assert_true(c.dir[TLS_SIDE_CLIENT].encrypted);
	assert_true(c.dir[TLS_SIDE_SERVER].encrypted);
	conn_free(&c);
	/* the HRR (type 6) from the client is the wrong side */
	memset(&la, 0, sizeof la);
	tls_rec_init(&c);
	feed(&c, &la, TLS_SIDE_CLIENT, hrr19, sizeof hrr19, 5);
	assert_int_equal(la.ev[0].type, TLS_EV_MALFORMED);
	assert_int_equal(la.ev[0].a, TLS_BAD_WRONG_SIDE);
	conn_free(&c);
	assert_true(tls_rec_is_tls13(0x7e01));
	assert_true(tls_rec_is_tls13(0x7e02));
	assert_true(tls_rec_is_tls13(0xfb1a));
	assert_false(tls_rec_is_tls13(0x7e03));
	assert_false(tls_rec_is_tls13(0xfeff));
}

/* A Certificate whose list declares more than the message: the event
 * says what the list declared. */
static void
test_bad_certificate_list(void **state)
{
	static const uint8_t msg[] = {11, 0x00, 0x00, 0x08,
	                              0x00, 0x0e, 0xec, 0x00, 0x05, 0xa9,
	                              0x30, 0x82};
	static const uint8_t bare[] = {11, 0x00, 0x00, 0x02, 0x00, 0x0e};
	struct tls_rec_conn c;
	struct bb *b = malloc(sizeof *b);

	(void)state;
	assert_non_null(b);
	b->n = 0;
	rec(b, TLS_CT_HANDSHAKE, 0x0303, msg, sizeof msg);
	rec(b, TLS_CT_HANDSHAKE, 0x0303, bare, sizeof bare);
	memset(&la, 0, sizeof la);
	tls_rec_init(&c);
	feed(&c, &la, TLS_SIDE_SERVER, b->b, b->n, 3);
	assert_int_equal(la.n, 2);
	assert_int_equal(la.ev[0].type, TLS_EV_MALFORMED);
	assert_int_equal(la.ev[0].a, TLS_BAD_MESSAGE);
	assert_int_equal(la.ev[0].hs_type, TLS_HS_CERTIFICATE);
	assert_int_equal(la.ev[0].hs_len, 8);
	assert_true(la.ev[0].list_known);
	assert_int_equal(la.ev[0].c, 0xeec);
	/* too short to hold the list's length */
	assert_int_equal(la.ev[1].type, TLS_EV_MALFORMED);
	assert_false(la.ev[1].list_known);
	assert_int_equal(la.ev[1].c, 0);
	assert_false(tls_rec_stopped(&c, TLS_SIDE_SERVER));
	conn_free(&c);
	free(b);
}

static void
test_oversized_message(void **state)
{
	static const uint8_t head[] = {11, 0x04, 0x00, 0x01};
	struct tls_rec_conn c;
	struct bb *b = malloc(sizeof *b);
	uint8_t *msg;
	size_t body = TLS_REC_HS_MAX, total = TLS_HS_HDR_LEN + body;
	char got[16];

	(void)state;
	assert_non_null(b);
	b->n = 0;
	rec(b, TLS_CT_HANDSHAKE, 0x0303, head, sizeof head);
	memset(&la, 0, sizeof la);
	tls_rec_init(&c);
	feed(&c, &la, TLS_SIDE_SERVER, b->b, b->n, 1);
	assert_int_equal(la.n, 1);
	assert_int_equal(la.ev[0].type, TLS_EV_MALFORMED);
	assert_int_equal(la.ev[0].a, TLS_BAD_HS_TOO_LONG);
	assert_int_equal(la.ev[0].b, DIS_LIMIT);
	assert_int_equal(la.ev[0].hs_len, TLS_REC_HS_MAX + 1);
	assert_int_equal(la.ev[0].hs_type, 11);
	assert_false(la.ev[0].after_gap);
	/* the records go on: one that continues no message is passed
	 * over, the next that begins one is read, and so are the key
	 * change and the Finished after it */
	assert_false(tls_rec_stopped(&c, TLS_SIDE_SERVER));
	b->n = 0;
	rec(b, TLS_CT_HANDSHAKE, 0x0303, "\x30\x82\x05\xa5\x30\x82", 6);
	rec(b, TLS_CT_HANDSHAKE, 0x0303, "\x0e\x00\x00\x00", 4);
	rec(b, TLS_CT_CHANGE_CIPHER_SPEC, 0x0303, "\x01", 1);
	rec(b, TLS_CT_HANDSHAKE, 0x0303, "0123456789abcdef0123456789abcdef", 32);
	feed(&c, &la, TLS_SIDE_SERVER, b->b, b->n, 2);
	shape(&la, TLS_SIDE_SERVER, got, sizeof got);
	assert_string_equal(got, "MNHcO");
	assert_int_equal(la.ev[2].hs_type, TLS_HS_SERVER_HELLO_DONE);
	assert_false(la.ev[2].after_gap);
	end(&c, &la, TLS_SIDE_SERVER);
	assert_int_equal(la.n, 5);
	conn_free(&c);

	/* the same header after a message in the same record: the rest of
	 * that record is passed over */
	memset(&la, 0, sizeof la);
	tls_rec_init(&c);
	b->n = 0;
	rec(b, TLS_CT_HANDSHAKE, 0x0303,
	    "\x0e\x00\x00\x00\x0b\x31\x0b\x30\x0e\x00\x00\x00", 12);
	rec(b, TLS_CT_HANDSHAKE, 0x0303, "\x0e\x00\x00\x00", 4);
	feed(&c, &la, TLS_SIDE_SERVER, b->b, b->n, 1);
	shape(&la, TLS_SIDE_SERVER, got, sizeof got);
	assert_string_equal(got, "HMH");
	assert_int_equal(la.ev[1].hs_len, 0x310b30);
	conn_free(&c);

	/* exactly the maximum, over 17 records, is reassembled */
	msg = calloc(1, total);
	assert_non_null(msg);
	msg[0] = 0xfe;
	msg[1] = (uint8_t)(body >> 16);
	msg[2] = (uint8_t)(body >> 8);
	msg[3] = (uint8_t)body;
	memset(&la, 0, sizeof la);
	tls_rec_init(&c);
	for (size_t off = 0; off < total; off += 16384) {
		size_t n = total - off < 16384 ? total - off : 16384;

		b->n = 0;
		rec(b, TLS_CT_HANDSHAKE, 0x0303, msg + off, n);
		feed(&c, &la, TLS_SIDE_SERVER, b->b, b->n, 1 + off / 16384);
	}
	assert_int_equal(la.n, 1);
	assert_int_equal(la.ev[0].type, TLS_EV_HANDSHAKE);
	assert_int_equal(la.ev[0].hs_type, 0xfe);
	assert_int_equal(la.ev[0].hs_len, TLS_REC_HS_MAX);
	assert_int_equal(la.ev[0].frame, 17);
	assert_int_equal(la.max_need, total);
	assert_int_equal(c.dir[TLS_SIDE_SERVER].hs.len, 0);
	conn_free(&c);
	free(msg);
	free(b);
}

static void
test_grow_refused(void **state)
{
	const uint8_t *s = tls_samples[SAMPLE_TLS13].stream[0];
	struct tls_rec_conn c;
	struct bb b = {.n = 0};
	size_t n;
	const uint8_t *m = ch13(&n);

	(void)state;
	/* a record split in two, and no buffer for it */
	memset(&la, 0, sizeof la);
	la.refuse_above = 1;
	tls_rec_init(&c);
	feed(&c, &la, TLS_SIDE_CLIENT, s, 100, 1);
	assert_int_equal(la.n, 1);
	assert_int_equal(la.ev[0].a, TLS_STOP_NO_BUFFER);
	assert_int_equal(la.ev[0].b, 5 + n);
	conn_free(&c);
	/* a message split in two records, buffer allowed up to 100 bytes */
	rec(&b, TLS_CT_HANDSHAKE, 0x0301, m, 50);
	rec(&b, TLS_CT_HANDSHAKE, 0x0301, m + 50, n - 50);
	memset(&la, 0, sizeof la);
	la.refuse_above = 100;
	tls_rec_init(&c);
	feed(&c, &la, TLS_SIDE_CLIENT, b.b, b.n, 1);
	assert_int_equal(la.n, 1);
	assert_int_equal(la.ev[0].a, TLS_STOP_NO_BUFFER);
	assert_int_equal(la.ev[0].b, n);
	assert_int_equal(la.ev[0].hs_type, TLS_HS_CLIENT_HELLO);
	conn_free(&c);
}

static void
gap(struct tls_rec_conn *c, struct log *l, enum tls_side side, uint64_t n,
    ta_frame frame)
{
	tls_rec_gap(c, side, n, frame, &sink, l);
}


/* A gap cuts a record: what its header said is reported, the side hunts,
 * passes over the middle of a record, and is back at the next record that
 * starts a delivery. */
static void
test_gap(void **state)
{
	const uint8_t *s = tls_samples[SAMPLE_TLS12].stream[1];
	struct tls_rec_conn c;
	char got[16];

	(void)state;
	memset(&la, 0, sizeof la);
	tls_rec_init(&c);
	feed(&c, &la, TLS_SIDE_SERVER, s, 80, 1);   /* SH, and 10 bytes of the next */
	assert_int_equal(la.n, 1);
	assert_false(la.ev[0].after_gap);
	gap(&c, &la, TLS_SIDE_SERVER, 1000, 2);
	/* the Certificate record: 837 bytes declared, 5 of its body held,
	 * whose first 4 are the message header (type 11, 833 bytes) */
	assert_int_equal(la.n, 2);
	assert_int_equal(la.ev[1].type, TLS_EV_CUT);
	assert_int_equal(la.ev[1].content_type, TLS_CT_HANDSHAKE);
	assert_int_equal(la.ev[1].offset, 70);
	assert_int_equal(la.ev[1].frame, 1);
	assert_int_equal(la.ev[1].a, 837);
	assert_int_equal(la.ev[1].b, 5);
	assert_int_equal(la.ev[1].c, 4 | 1u << 8);
	assert_int_equal(la.ev[1].hs_type, TLS_HS_CERTIFICATE);
	assert_int_equal(la.ev[1].hs_len, 833);
	assert_int_equal(c.dir[TLS_SIDE_SERVER].rec.len, 0);
	assert_false(tls_rec_stopped(&c, TLS_SIDE_SERVER));
	assert_true(c.dir[TLS_SIDE_SERVER].hunting);
	/* the middle of a record: passed over */
	feed(&c, &la, TLS_SIDE_SERVER, s + 1080, 100, 3);
	assert_int_equal(la.n, 2);
	assert_int_equal(c.dir[TLS_SIDE_SERVER].skipped, 100);
	/* NewSessionTicket, CCS, Finished and the alert, one delivery: the
	 * side has its footing again and reads them, after the gap */
	feed(&c, &la, TLS_SIDE_SERVER, s + 1226, 1499 - 1226, 4);
	shape(&la, TLS_SIDE_SERVER, got, sizeof got);
	assert_string_equal(got, "SUYHcOO");
	assert_int_equal(la.ev[2].type, TLS_EV_RESYNC);
	assert_int_equal(la.ev[2].offset, 80 + 1000 + 100);
	assert_int_equal(la.ev[2].frame, 4);
	assert_int_equal(la.ev[2].a, 100);
	assert_int_equal(la.ev[2].b, 0);
	assert_true(la.ev[3].after_gap);
	assert_int_equal(la.ev[3].hs_type, TLS_HS_NEW_SESSION_TICKET);
	/* its encryption state was kept: the CCS made the rest opaque */
	assert_true(c.dir[TLS_SIDE_SERVER].encrypted);
	assert_int_equal(la.ev[6].content_type, TLS_CT_ALERT);
	end(&c, &la, TLS_SIDE_SERVER);
	assert_int_equal(la.n, 7);
	/* the other side goes on */
	feed(&c, &la, TLS_SIDE_CLIENT, tls_samples[SAMPLE_TLS12].stream[0], 162, 5);
	assert_int_equal(la.n, 8);
	assert_int_equal(la.ev[7].type, TLS_EV_CLIENT_HELLO);
	assert_false(la.ev[7].after_gap);
	conn_free(&c);
}

/* Which deliveries a hunting side takes, and which it passes over. */
static void
test_resync_rules(void **state)
{
	static const uint8_t app[] = {0x17, 0x03, 0x03, 0x00, 0x03, 1, 2, 3};
	static const uint8_t junk[] = {0xff, 0xfe, 0xfd};
	struct tls_rec_conn c;
	struct bb b;
	char got[16];

	(void)state;
	/* one whole record ending the delivery: taken */
	memset(&la, 0, sizeof la);
	tls_rec_init(&c);
	gap(&c, &la, TLS_SIDE_SERVER, 50, 1);
	feed(&c, &la, TLS_SIDE_SERVER, alert_rec, sizeof alert_rec, 2);
	shape(&la, TLS_SIDE_SERVER, got, sizeof got);
	assert_string_equal(got, "YA");
	assert_int_equal(la.ev[0].offset, 50);
	assert_true(la.ev[1].after_gap);
	conn_free(&c);

	/* a whole record followed by something that is not a header: not
	 * taken, and nothing of that delivery is read */
	b.n = 0;
	put(&b, alert_rec, sizeof alert_rec);
	put(&b, junk, sizeof junk);
	memset(&la, 0, sizeof la);
	tls_rec_init(&c);
	gap(&c, &la, TLS_SIDE_SERVER, 50, 1);
	feed(&c, &la, TLS_SIDE_SERVER, b.b, b.n, 2);
	assert_int_equal(la.n, 0);
	/* followed by the start of another record: taken, both read */
	b.n = 0;
	put(&b, alert_rec, sizeof alert_rec);
	put(&b, app, 3);
	feed(&c, &la, TLS_SIDE_SERVER, b.b, b.n, 3);
	feed(&c, &la, TLS_SIDE_SERVER, app + 3, sizeof app - 3, 4);
	shape(&la, TLS_SIDE_SERVER, got, sizeof got);
	assert_string_equal(got, "YAO");
	assert_int_equal(la.ev[0].offset, 50 + sizeof alert_rec + sizeof junk);
	assert_int_equal(la.ev[2].frame, 4);
	conn_free(&c);

	/* headers a hunting side never takes: type 25, major 2, minor 5,
	 * an empty handshake record, a length over the limit */
	{
		static const uint8_t no[][7] = {
			{0x19, 0x03, 0x03, 0x00, 0x02, 2, 40},
			{0x15, 0x02, 0x03, 0x00, 0x02, 2, 40},
			{0x15, 0x03, 0x05, 0x00, 0x02, 2, 40},
			{0x16, 0x03, 0x03, 0x00, 0x00, 0, 0},
			{0x17, 0x03, 0x03, 0x48, 0x01, 0, 0},
		};

		for (size_t i = 0; i < TA_ELEMENTS(no); i++) {
			size_t n = i == 3 ? 5 : 7;

			memset(&la, 0, sizeof la);
			tls_rec_init(&c);
			gap(&c, &la, TLS_SIDE_CLIENT, 9, 1);
			feed(&c, &la, TLS_SIDE_CLIENT, no[i], n, 2);
			assert_int_equal(la.n, 0);
			assert_true(c.dir[TLS_SIDE_CLIENT].hunting);
			conn_free(&c);
		}
	}

	/* an empty application data record is a record */
	memset(&la, 0, sizeof la);
	tls_rec_init(&c);
	gap(&c, &la, TLS_SIDE_CLIENT, 9, 1);
	feed(&c, &la, TLS_SIDE_CLIENT, app, 5, 2);
	assert_int_equal(la.n, 0);
	conn_free(&c);
}

/* A candidate that runs past its delivery is confirmed when it completes. */
static void
test_resync_across_deliveries(void **state)
{
	const uint8_t *s = tls_samples[SAMPLE_TLS12].stream[1];
	struct tls_rec_conn c;
	struct bb b;
	char got[16];

	(void)state;
	/* the ServerKeyExchange record (305 bytes) in two deliveries, then
	 * ServerHelloDone: taken at the second, from the first's frame */
	memset(&la, 0, sizeof la);
	tls_rec_init(&c);
	gap(&c, &la, TLS_SIDE_SERVER, 912, 1);
	feed(&c, &la, TLS_SIDE_SERVER, s + 912, 100, 2);
	assert_int_equal(la.n, 0);
	assert_true(c.dir[TLS_SIDE_SERVER].tentative);
	feed(&c, &la, TLS_SIDE_SERVER, s + 1012, 1226 - 1012, 3);
	shape(&la, TLS_SIDE_SERVER, got, sizeof got);
	assert_string_equal(got, "YKH");
	assert_int_equal(la.ev[0].frame, 2);
	assert_int_equal(la.ev[0].offset, 912);
	assert_int_equal(la.ev[1].frame, 3);
	assert_false(c.dir[TLS_SIDE_SERVER].tentative);
	conn_free(&c);

	/* the same, byte by byte from the second delivery on */
	memset(&lb, 0, sizeof lb);
	tls_rec_init(&c);
	gap(&c, &lb, TLS_SIDE_SERVER, 912, 1);
	feed(&c, &lb, TLS_SIDE_SERVER, s + 912, 100, 2);
	feed(&c, &lb, TLS_SIDE_SERVER, s + 1012, 1217 - 1012, 3);
	feed(&c, &lb, TLS_SIDE_SERVER, s + 1217, 1226 - 1217, 3);
	shape(&lb, TLS_SIDE_SERVER, got, sizeof got);
	assert_string_equal(got, "YKH");
	conn_free(&c);

	/* what follows it at its end is not a header: not a record after
	 * all, nothing read, and the next delivery is tried afresh */
	b.n = 0;
	put(&b, s + 1012, 1217 - 1012);
	put(&b, (const uint8_t *)"\xff\xff", 2);
	memset(&la, 0, sizeof la);
	tls_rec_init(&c);
	gap(&c, &la, TLS_SIDE_SERVER, 912, 1);
	feed(&c, &la, TLS_SIDE_SERVER, s + 912, 100, 2);
	feed(&c, &la, TLS_SIDE_SERVER, b.b, b.n, 3);
	assert_int_equal(la.n, 0);
	assert_true(c.dir[TLS_SIDE_SERVER].hunting);
	assert_int_equal(c.dir[TLS_SIDE_SERVER].rec.len, 0);
	feed(&c, &la, TLS_SIDE_SERVER, s + 1217, 1226 - 1217, 4);
	shape(&la, TLS_SIDE_SERVER, got, sizeof got);
	assert_string_equal(got, "YH");
	conn_free(&c);

	/* a header split across deliveries is judged when it is whole */
	memset(&la, 0, sizeof la);
	tls_rec_init(&c);
	gap(&c, &la, TLS_SIDE_SERVER, 3, 1);
	feed(&c, &la, TLS_SIDE_SERVER, alert_rec, 2, 2);
	assert_true(c.dir[TLS_SIDE_SERVER].tentative);
	feed(&c, &la, TLS_SIDE_SERVER, alert_rec + 2, sizeof alert_rec - 2, 3);
	shape(&la, TLS_SIDE_SERVER, got, sizeof got);
	assert_string_equal(got, "YA");
	conn_free(&c);
	/* ... and dropped when it turns out not to be one */
	memset(&la, 0, sizeof la);
	tls_rec_init(&c);
	gap(&c, &la, TLS_SIDE_SERVER, 3, 1);
	feed(&c, &la, TLS_SIDE_SERVER, alert_rec, 2, 2);
	feed(&c, &la, TLS_SIDE_SERVER, (const uint8_t *)"\x09\x00\x02\x02\x28", 5, 3);
	assert_int_equal(la.n, 0);
	assert_true(c.dir[TLS_SIDE_SERVER].hunting);
	conn_free(&c);
}

/* A candidate that a second gap cuts: its record is counted only when its
 * header carries the version the connection's records carry. */
static void
test_cut_candidate(void **state)
{
	static const uint8_t app_hdr[] = {0x17, 0x03, 0x03, 0x01, 0x00, 9, 9, 9};
	static const uint8_t app_v1[] = {0x17, 0x03, 0x01, 0x01, 0x00, 9, 9, 9};
	struct tls_rec_conn c;

	(void)state;
	memset(&la, 0, sizeof la);
	tls_rec_init(&c);
	feed(&c, &la, TLS_SIDE_SERVER, ccs_rec, sizeof ccs_rec, 1);
	gap(&c, &la, TLS_SIDE_SERVER, 40, 2);
	feed(&c, &la, TLS_SIDE_SERVER, app_hdr, sizeof app_hdr, 3);
	gap(&c, &la, TLS_SIDE_SERVER, 253, 3);
	assert_int_equal(la.n, 2);
	assert_int_equal(la.ev[1].type, TLS_EV_OPAQUE);
	assert_int_equal(la.ev[1].a, 256);
	assert_int_equal(la.ev[1].b, 1);
	assert_int_equal(la.ev[1].offset, 6 + 40);
	assert_true(la.ev[1].after_gap);
	/* a version nothing on this connection used: not counted */
	feed(&c, &la, TLS_SIDE_SERVER, app_v1, sizeof app_v1, 4);
	gap(&c, &la, TLS_SIDE_SERVER, 253, 4);
	assert_int_equal(la.n, 2);
	/* never found its footing again: gap, from where it lost it */
	end(&c, &la, TLS_SIDE_SERVER);
	assert_int_equal(la.n, 3);
	assert_int_equal(la.ev[2].type, TLS_EV_STOP);
	assert_int_equal(la.ev[2].a, TLS_STOP_GAP);
	assert_int_equal(la.ev[2].b, 40 + 253 + 253);
	assert_int_equal(la.ev[2].frame, 2);
	assert_int_equal(la.ev[2].offset, 6);
	conn_free(&c);
}

/* After a gap a handshake record may continue a message begun in it. */
static void
test_continuation(void **state)
{
	const uint8_t *s = tls_samples[SAMPLE_TLS12].stream[1];
	static const uint8_t shd[] = {0x0e, 0, 0, 0};
	struct tls_rec_conn c;
	struct bb b = {.n = 0};
	char got[16];

	(void)state;
	/* the Certificate message in two records; the gap took the first */
	rec(&b, TLS_CT_HANDSHAKE, 0x0303, s + 75 + 400, 837 - 400);
	rec(&b, TLS_CT_HANDSHAKE, 0x0303, shd, sizeof shd);
	memset(&la, 0, sizeof la);
	tls_rec_init(&c);
	gap(&c, &la, TLS_SIDE_SERVER, 405, 1);
	feed(&c, &la, TLS_SIDE_SERVER, b.b, b.n, 2);
	shape(&la, TLS_SIDE_SERVER, got, sizeof got);
	assert_string_equal(got, "YNH");
	assert_int_equal(la.ev[1].a, 837 - 400);
	assert_int_equal(la.ev[2].hs_type, TLS_HS_SERVER_HELLO_DONE);
	assert_int_equal(la.ev[2].offset, 405 + 5 + 437);
	conn_free(&c);

	/* the look-alike: a record that starts a message is read */
	b.n = 0;
	rec(&b, TLS_CT_HANDSHAKE, 0x0303, s + 912 + 5, 300);
	rec(&b, TLS_CT_HANDSHAKE, 0x0303, shd, sizeof shd);
	memset(&la, 0, sizeof la);
	tls_rec_init(&c);
	gap(&c, &la, TLS_SIDE_SERVER, 912, 1);
	feed(&c, &la, TLS_SIDE_SERVER, b.b, b.n, 2);
	shape(&la, TLS_SIDE_SERVER, got, sizeof got);
	assert_string_equal(got, "YKH");
	conn_free(&c);

	/* plausible message headers (tls_hs_plausible) */
	assert_true(tls_hs_plausible(shd, sizeof shd, TLS_REC_HS_MAX));
	assert_true(tls_hs_plausible(s + 5, 65, TLS_REC_HS_MAX));
	assert_true(tls_hs_plausible(s + 5, 3, TLS_REC_HS_MAX));
	assert_true(tls_hs_plausible(s + 75, 100, TLS_REC_HS_MAX));
	assert_false(tls_hs_plausible((const uint8_t *)"\x0e\x00\x00\x01\x00", 5,
	                              TLS_REC_HS_MAX));
	assert_false(tls_hs_plausible((const uint8_t *)"\x63\x00\x00\x01\x00", 5,
	                              TLS_REC_HS_MAX));
	assert_false(tls_hs_plausible((const uint8_t *)"\x0b\x05\x00\x00", 4,
	                              TLS_REC_HS_MAX));
	/* two messages, the second not one */
	assert_false(tls_hs_plausible((const uint8_t *)"\x0e\x00\x00\x00\x99", 5,
	                              TLS_REC_HS_MAX));
	assert_false(tls_hs_plausible((const uint8_t *)"\x14\x00\x00\x02\x00\x00",
	                              6, TLS_REC_HS_MAX));
}

/* On a side that lost bytes a framing fault means lost footing, not a
 * sender's fault: it hunts again. On a whole stream it still stops. */
static void
test_framing_after_gap(void **state)
{
	static const uint8_t too_long[] = {0x17, 0x03, 0x03, 0x48, 0x01};
	static const uint8_t bad[] = {0x30, 0x03, 0x03, 0x00, 0x02};
	static const uint8_t oversized[] = {0x16, 0x03, 0x03, 0x00, 0x04,
	                                    0x0b, 0x10, 0x00, 0x00};
	const uint8_t *faults[] = {too_long, bad, oversized};
	const size_t lens[] = {sizeof too_long, sizeof bad, sizeof oversized};
	const uint32_t stops[] = {TLS_STOP_RECORD_TOO_LONG, TLS_STOP_BAD_RECORD,
	                          TLS_STOP_OVERSIZED};
	struct tls_rec_conn c;
	char got[16];

	(void)state;
	for (size_t i = 0; i < TA_ELEMENTS(faults); i++) {
		/* whole stream: the sender (or whatever damaged the bytes)
		 * malformed it; a record header is reported and the side
		 * read again from the next record, an oversized message
		 * stops it */
		memset(&la, 0, sizeof la);
		tls_rec_init(&c);
		feed(&c, &la, TLS_SIDE_SERVER, alert_rec, sizeof alert_rec, 1);
		feed(&c, &la, TLS_SIDE_SERVER, faults[i], lens[i], 2);
		assert_int_equal(la.n, 2);
		assert_false(la.ev[1].after_gap);
		if (faults[i] == oversized) {
			/* the record is framed: only the message is lost */
			assert_int_equal(la.ev[1].type, TLS_EV_MALFORMED);
			assert_int_equal(la.ev[1].a, TLS_BAD_HS_TOO_LONG);
			assert_false(tls_rec_stopped(&c, TLS_SIDE_SERVER));
		} else {
			assert_int_equal(la.ev[1].type, TLS_EV_BAD_HEADER);
			assert_int_equal(la.ev[1].a, stops[i]);
		}
		feed(&c, &la, TLS_SIDE_SERVER, alert_rec, sizeof alert_rec, 3);
		shape(&la, TLS_SIDE_SERVER, got, sizeof got);
		assert_string_equal(got, faults[i] == oversized ? "AMA" : "ABYA");
		conn_free(&c);

		/* after a gap and a resync: lost footing, found again */
		memset(&la, 0, sizeof la);
		tls_rec_init(&c);
		gap(&c, &la, TLS_SIDE_SERVER, 10, 1);
		feed(&c, &la, TLS_SIDE_SERVER, alert_rec, sizeof alert_rec, 2);
		feed(&c, &la, TLS_SIDE_SERVER, faults[i], lens[i], 3);
		feed(&c, &la, TLS_SIDE_SERVER, alert_rec, sizeof alert_rec, 4);
		shape(&la, TLS_SIDE_SERVER, got, sizeof got);
		/* the first handshake record after a gap that does not
		 * start a plausible message is taken for a continuation */
		assert_string_equal(got, faults[i] == oversized ? "YANA" : "YADYA");
		assert_int_equal(la.ev[2].frame, 3);
		assert_int_equal(la.ev[2].offset, 10 + 7);
		assert_false(tls_rec_stopped(&c, TLS_SIDE_SERVER));
		end(&c, &la, TLS_SIDE_SERVER);
		assert_int_equal(la.n, faults[i] == oversized ? 4 : 5);
		conn_free(&c);
	}
	/* once a message was read after the gap, an oversized one means the
	 * footing was wrong */
	memset(&la, 0, sizeof la);
	tls_rec_init(&c);
	gap(&c, &la, TLS_SIDE_SERVER, 10, 1);
	feed(&c, &la, TLS_SIDE_SERVER, alert_rec, sizeof alert_rec, 2);
	feed(&c, &la, TLS_SIDE_SERVER, (const uint8_t *)"\x16\x03\x03\x00\x04\x0e\x00\x00\x00",
	     9, 3);
	feed(&c, &la, TLS_SIDE_SERVER, oversized, sizeof oversized, 4);
	feed(&c, &la, TLS_SIDE_SERVER, alert_rec, sizeof alert_rec, 5);
	shape(&la, TLS_SIDE_SERVER, got, sizeof got);
	assert_string_equal(got, "YAHDYA");
	conn_free(&c);
}

/* After a gap an alert record longer than 2 bytes may be an encrypted one
 * whose ChangeCipherSpec was lost: it is not read as plaintext alerts. */
static void
test_alert_after_gap(void **state)
{
	static const uint8_t four[] = {0x15, 0x03, 0x03, 0x00, 0x04, 1, 0, 2, 40};
	struct tls_rec_conn c;
	char got[16];

	(void)state;
	memset(&la, 0, sizeof la);
	tls_rec_init(&c);
	gap(&c, &la, TLS_SIDE_CLIENT, 10, 1);
	feed(&c, &la, TLS_SIDE_CLIENT, four, sizeof four, 2);
	shape(&la, TLS_SIDE_CLIENT, got, sizeof got);
	assert_string_equal(got, "YO");
	assert_int_equal(la.ev[1].content_type, TLS_CT_ALERT);
	conn_free(&c);
	/* the look-alike on a whole stream: two plaintext alerts */
	memset(&la, 0, sizeof la);
	tls_rec_init(&c);
	feed(&c, &la, TLS_SIDE_CLIENT, four, sizeof four, 2);
	shape(&la, TLS_SIDE_CLIENT, got, sizeof got);
	assert_string_equal(got, "AA");
	conn_free(&c);
}

/* A stream picked up in its middle: no size invented, no SSLv2 expected. */
static void
test_midstream(void **state)
{
	const struct tls_sample *smp = &tls_samples[SAMPLE_TLS12];
	struct tls_rec_conn c;
	char got[16];

	(void)state;
	memset(&la, 0, sizeof la);
	tls_rec_init(&c);
	tls_rec_midstream(&c, TLS_SIDE_CLIENT, 3);
	feed(&c, &la, TLS_SIDE_CLIENT, smp->stream[0], 162, 4);
	shape(&la, TLS_SIDE_CLIENT, got, sizeof got);
	assert_string_equal(got, "YC");
	assert_int_equal(la.ev[0].b, 1);
	assert_true(la.ev[1].after_gap);
	conn_free(&c);

	/* an SSLv2 hello is not taken mid-stream */
	memset(&la, 0, sizeof la);
	tls_rec_init(&c);
	tls_rec_midstream(&c, TLS_SIDE_CLIENT, 3);
	feed(&c, &la, TLS_SIDE_CLIENT, ssl2_hello, sizeof ssl2_hello, 4);
	assert_int_equal(la.n, 0);
	/* a side that found nothing ends as gap, 0 bytes: unknown */
	end(&c, &la, TLS_SIDE_CLIENT);
	assert_int_equal(la.n, 1);
	assert_int_equal(la.ev[0].a, TLS_STOP_GAP);
	assert_int_equal(la.ev[0].b, 0);
	assert_int_equal(la.ev[0].frame, 3);
	conn_free(&c);

	/* one that got no byte at all has nothing to say */
	memset(&la, 0, sizeof la);
	tls_rec_init(&c);
	tls_rec_midstream(&c, TLS_SIDE_SERVER, 3);
	end(&c, &la, TLS_SIDE_SERVER);
	assert_int_equal(la.n, 0);
	conn_free(&c);

	/* every split of a mid-stream client's first segments reads the
	 * same once the record is whole in a delivery of its own */
	assert_true(tls_rec_plausible_start(smp->stream[0], 162));
	assert_true(tls_rec_plausible_start(smp->stream[0], 3));
	assert_true(tls_rec_plausible_start(smp->stream[0], 100));
	assert_false(tls_rec_plausible_start(smp->stream[0] + 1, 100));
	assert_false(tls_rec_plausible_start((const uint8_t *)"* OK", 4));
}

static void
test_end_truncated(void **state)
{
	const uint8_t *s = tls_samples[SAMPLE_TLS12].stream[0];
	struct tls_rec_conn c;
	struct bb b = {.n = 0};
	size_t n;
	const uint8_t *m = ch13(&n);

	(void)state;
	memset(&la, 0, sizeof la);
	tls_rec_init(&c);
	feed(&c, &la, TLS_SIDE_CLIENT, s, 7, 1);
	end(&c, &la, TLS_SIDE_CLIENT);
	assert_int_equal(la.n, 1);
	assert_int_equal(la.ev[0].a, TLS_STOP_TRUNCATED);
	assert_int_equal(la.ev[0].b, 7);
	assert_int_equal(la.ev[0].offset, 0);
	end(&c, &la, TLS_SIDE_CLIENT);
	assert_int_equal(la.n, 1);
	/* at a record boundary there is nothing to say */
	end(&c, &la, TLS_SIDE_SERVER);
	assert_int_equal(la.n, 1);
	conn_free(&c);
	/* a handshake message cut after its first record */
	rec(&b, TLS_CT_HANDSHAKE, 0x0301, m, 10);
	memset(&la, 0, sizeof la);
	tls_rec_init(&c);
	feed(&c, &la, TLS_SIDE_CLIENT, b.b, b.n, 1);
	assert_int_equal(la.n, 0);
	end(&c, &la, TLS_SIDE_CLIENT);
	assert_int_equal(la.n, 1);
	assert_int_equal(la.ev[0].a, TLS_STOP_TRUNCATED);
	assert_int_equal(la.ev[0].b, 10);
	assert_int_equal(la.ev[0].hs_type, TLS_HS_CLIENT_HELLO);
	conn_free(&c);
}

/* Every prefix of a flight: only whole records speak, and the end says truncated. */
static void
test_prefixes(void **state)
{
	const struct tls_sample *smp = &tls_samples[SAMPLE_TLS12];
	size_t first = smp->segs[1].len;   /* the server's first segment */
	const uint8_t *s = smp->stream[1];
	struct tls_rec_conn c;

	(void)state;
	assert_int_equal(smp->segs[1].side, 1);
	for (size_t k = 0; k <= first; k++) {
		size_t whole = 0, off = 0;

		memset(&la, 0, sizeof la);
		tls_rec_init(&c);
		feed(&c, &la, TLS_SIDE_SERVER, s, k, 1);
		for (size_t i = 0; i < la.n; i++) {
			size_t len;

			assert_int_not_equal(la.ev[i].type, TLS_EV_STOP);
			assert_int_not_equal(la.ev[i].type, TLS_EV_MALFORMED);
			len = (size_t)s[la.ev[i].offset + 3] << 8 | s[la.ev[i].offset + 4];
			assert_true(la.ev[i].offset + 5 + len <= k);
		}
		while (off + 5 <= k && off + 5 + ((size_t)s[off + 3] << 8 | s[off + 4]) <= k) {
			off += 5 + ((size_t)s[off + 3] << 8 | s[off + 4]);
			whole++;
		}
		/* SH, Certificate, SKE, SHD: one event per record */
		assert_int_equal(la.n, whole);
		end(&c, &la, TLS_SIDE_SERVER);
		if (off < k) {
			assert_int_equal(la.n, whole + 1);
			assert_int_equal(la.ev[whole].a, TLS_STOP_TRUNCATED);
			assert_int_equal(la.ev[whole].b, k - off);
		} else {
			assert_int_equal(la.n, whole);
		}
		conn_free(&c);
	}
}

static void
test_empty_and_bad_records(void **state)
{
	static const uint8_t two_alerts[] = {1, 0, 2, 40};
	static const uint8_t three[] = {2, 40, 1};
	static const uint8_t ccs_bad[] = {2};
	static const uint8_t bad_ch[] = {1, 0, 0, 5, 3, 3, 0, 0, 0};
	struct tls_rec_conn c;
	struct bb b = {.n = 0};
	char got[16];

	(void)state;
	rec(&b, TLS_CT_HANDSHAKE, 0x0303, NULL, 0);
	rec(&b, TLS_CT_ALERT, 0x0303, two_alerts, sizeof two_alerts);
	rec(&b, TLS_CT_ALERT, 0x0303, three, sizeof three);
	rec(&b, TLS_CT_CHANGE_CIPHER_SPEC, 0x0303, ccs_bad, sizeof ccs_bad);
	rec(&b, TLS_CT_HANDSHAKE, 0x0303, bad_ch, sizeof bad_ch);
	rec(&b, TLS_CT_APPLICATION_DATA, 0x0303, NULL, 0);
	memset(&la, 0, sizeof la);
	tls_rec_init(&c);
	feed(&c, &la, TLS_SIDE_CLIENT, b.b, b.n, 1);
	shape(&la, TLS_SIDE_CLIENT, got, sizeof got);
	assert_string_equal(got, "MAAMMMO");
	assert_int_equal(la.ev[0].a, TLS_BAD_EMPTY_RECORD);
	assert_int_equal(la.ev[1].a, 1);
	assert_int_equal(la.ev[2].b, 40);
	assert_int_equal(la.ev[3].a, TLS_BAD_ALERT);
	assert_int_equal(la.ev[4].a, TLS_BAD_CCS);
	assert_int_equal(la.ev[5].a, TLS_BAD_MESSAGE);
	assert_int_equal(la.ev[5].hs_type, TLS_HS_CLIENT_HELLO);
	assert_int_equal(la.ev[5].b, DIS_MALFORMED);
	assert_int_equal(la.ev[6].a, 0);
	/* a bad CCS did not turn encryption on */
	assert_false(c.dir[TLS_SIDE_CLIENT].encrypted);
	conn_free(&c);
}

static void
test_after_ccs_tls12(void **state)
{
	static const uint8_t ccs[] = {1};
	static uint8_t enc[26];
	static const uint8_t alert[] = {2, 20};
	struct tls_rec_conn c;
	struct bb b = {.n = 0};
	size_t n;
	const uint8_t *m = ch13(&n);
	char got[16];

	(void)state;
	/* a partial message cut by a CCS can never complete */
	rec(&b, TLS_CT_HANDSHAKE, 0x0303, m, 10);
	rec(&b, TLS_CT_CHANGE_CIPHER_SPEC, 0x0303, ccs, sizeof ccs);
	rec(&b, TLS_CT_HANDSHAKE, 0x0303, enc, 40 - 14);
	rec(&b, TLS_CT_ALERT, 0x0303, enc, sizeof enc);
	rec(&b, TLS_CT_ALERT, 0x0303, alert, sizeof alert);
	rec(&b, TLS_CT_CHANGE_CIPHER_SPEC, 0x0303, ccs, sizeof ccs);
	memset(&la, 0, sizeof la);
	tls_rec_init(&c);
	feed(&c, &la, TLS_SIDE_SERVER, b.b, b.n, 1);
	shape(&la, TLS_SIDE_SERVER, got, sizeof got);
	assert_string_equal(got, "McOOAO");
	assert_int_equal(la.ev[0].a, TLS_BAD_INTERLEAVED);
	assert_int_equal(la.ev[2].content_type, TLS_CT_HANDSHAKE);
	assert_int_equal(la.ev[3].content_type, TLS_CT_ALERT);
	assert_int_equal(la.ev[3].a, 26);
	assert_int_equal(la.ev[4].b, 20);
	assert_int_equal(la.ev[5].content_type, TLS_CT_CHANGE_CIPHER_SPEC);
	assert_true(c.dir[TLS_SIDE_SERVER].encrypted);
	assert_false(c.dir[TLS_SIDE_CLIENT].encrypted);
	conn_free(&c);
}

static void
test_tls13_after_server_hello(void **state)
{
	const struct tls_sample *smp = &tls_samples[SAMPLE_TLS13];
	static const uint8_t alert[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x2a};
	static const uint8_t ccs[] = {0x14, 0x03, 0x03, 0x00, 0x01, 0x01};
	static const uint8_t hs[] = {0x16, 0x03, 0x03, 0x00, 0x04, 14, 0, 0, 0};
	struct tls_rec_conn c;
	char got[16];

	(void)state;
	memset(&la, 0, sizeof la);
	tls_rec_init(&c);
	feed(&c, &la, TLS_SIDE_CLIENT, smp->stream[0], 323, 1);
	feed(&c, &la, TLS_SIDE_SERVER, smp->stream[1], 127, 2); /* the SH record */
	assert_true(c.dir[TLS_SIDE_CLIENT].encrypted);
	assert_true(c.dir[TLS_SIDE_SERVER].encrypted);
	feed(&c, &la, TLS_SIDE_CLIENT, ccs, sizeof ccs, 3);
	feed(&c, &la, TLS_SIDE_CLIENT, hs, sizeof hs, 3);
	feed(&c, &la, TLS_SIDE_CLIENT, alert, sizeof alert, 3);
	shape(&la, TLS_SIDE_CLIENT, got, sizeof got);
	/* compatibility CCS; a handshake record is opaque; the alert is read */
	assert_string_equal(got, "CcOA");
	assert_int_equal(la.ev[4].b, 42);
	conn_free(&c);
}

static void
test_compat_ccs_before_server_hello(void **state)
{
	static const uint8_t ccs[] = {0x14, 0x03, 0x03, 0x00, 0x01, 0x01};
	struct tls_rec_conn c;
	char got[16];

	(void)state;
	/* a client that offered 1.3: its CCS changes nothing, the HRR answer is read */
	memset(&la, 0, sizeof la);
	tls_rec_init(&c);
	feed(&c, &la, TLS_SIDE_CLIENT, tls_samples[SAMPLE_TLS13].stream[0], 323, 1);
	feed(&c, &la, TLS_SIDE_CLIENT, ccs, sizeof ccs, 2);
	feed(&c, &la, TLS_SIDE_CLIENT, tls_samples[SAMPLE_TLS13].stream[0], 323, 3);
	shape(&la, TLS_SIDE_CLIENT, got, sizeof got);
	assert_string_equal(got, "CcC");
	conn_free(&c);
	/* a TLS 1.2-only client's CCS is the real thing */
	memset(&la, 0, sizeof la);
	tls_rec_init(&c);
	feed(&c, &la, TLS_SIDE_CLIENT, tls_samples[SAMPLE_TLS12].stream[0], 162, 1);
	feed(&c, &la, TLS_SIDE_CLIENT, ccs, sizeof ccs, 2);
	feed(&c, &la, TLS_SIDE_CLIENT, tls_samples[SAMPLE_TLS12].stream[0], 162, 3);
	shape(&la, TLS_SIDE_CLIENT, got, sizeof got);
	assert_string_equal(got, "CcO");
	conn_free(&c);
	/*
	 * The server's side not captured, a client that offered 1.3: after
	 * its CCS, a handshake record that is no whole ClientHello is its
	 * TLS 1.2 Finished (abbreviated handshake, one-sided capture): opaque,
	 * never a plaintext message that is "too large to follow".
	 */
	{
		static const uint8_t fin[] = {0x16, 0x03, 0x03, 0x00, 0x28,
		    0xc7, 0x51, 0x9e, 0x02, 0x44, 0x10, 0x8f, 0x3a, 0x61, 0x0d,
		    0x92, 0x5b, 0xe0, 0x07, 0x33, 0x18, 0xaa, 0x4c, 0x21, 0x90,
		    0x6e, 0x35, 0xd8, 0x7f, 0x02, 0xbc, 0x48, 0x11, 0x5e, 0xf3,
		    0x0a, 0x67, 0x93, 0xc2, 0x2d, 0x84, 0x19, 0x76, 0xe5, 0x3b};
		static const uint8_t data[] = {0x17, 0x03, 0x03, 0x00, 0x03,
		    0x01, 0x02, 0x03};

		memset(&la, 0, sizeof la);
		tls_rec_init(&c);
		feed(&c, &la, TLS_SIDE_CLIENT,
		     tls_samples[SAMPLE_TLS13].stream[0], 323, 1);
		feed(&c, &la, TLS_SIDE_CLIENT, ccs, sizeof ccs, 2);
		feed(&c, &la, TLS_SIDE_CLIENT, fin, sizeof fin, 2);
		feed(&c, &la, TLS_SIDE_CLIENT, data, sizeof data, 3);
		shape(&la, TLS_SIDE_CLIENT, got, sizeof got);
		assert_string_equal(got, "CcOO");
		assert_true(c.dir[TLS_SIDE_CLIENT].encrypted);
		assert_false(c.dir[TLS_SIDE_CLIENT].stopped);
		conn_free(&c);

		/* A capture that begins at a client's CCS, no hello seen:
		 * a whole ClientHello after it (the second one, after a
		 * HelloRetryRequest) is read; anything else is the TLS 1.2
		 * Finished, encrypted. */
		{
			uint8_t both[6 + 323];

			memcpy(both, ccs, sizeof ccs);
			memcpy(both + sizeof ccs,
			       tls_samples[SAMPLE_TLS13].stream[0], 323);
			memset(&la, 0, sizeof la);
			tls_rec_init(&c);
			tls_rec_midstream(&c, TLS_SIDE_CLIENT, 1);
			feed(&c, &la, TLS_SIDE_CLIENT, both, sizeof both, 2);
			shape(&la, TLS_SIDE_CLIENT, got, sizeof got);
			assert_string_equal(got, "YcC");
			assert_false(c.dir[TLS_SIDE_CLIENT].encrypted);
			conn_free(&c);
		}
		memset(&la, 0, sizeof la);
		tls_rec_init(&c);
		tls_rec_midstream(&c, TLS_SIDE_CLIENT, 1);
		feed(&c, &la, TLS_SIDE_CLIENT, ccs, sizeof ccs, 2);
		feed(&c, &la, TLS_SIDE_CLIENT, fin, sizeof fin, 3);
		shape(&la, TLS_SIDE_CLIENT, got, sizeof got);
		assert_string_equal(got, "YcO");
		assert_true(c.dir[TLS_SIDE_CLIENT].encrypted);
		conn_free(&c);
	}
}

static void
test_wrong_side(void **state)
{
	struct tls_rec_conn c;

	(void)state;
	memset(&la, 0, sizeof la);
	tls_rec_init(&c);
	feed(&c, &la, TLS_SIDE_SERVER, tls_samples[SAMPLE_TLS12].stream[0], 162, 1);
	feed(&c, &la, TLS_SIDE_CLIENT, tls_samples[SAMPLE_TLS12].stream[1], 70, 2);
	assert_int_equal(la.n, 2);
	assert_int_equal(la.ev[0].type, TLS_EV_MALFORMED);
	assert_int_equal(la.ev[0].a, TLS_BAD_WRONG_SIDE);
	assert_int_equal(la.ev[0].hs_type, TLS_HS_CLIENT_HELLO);
	assert_int_equal(la.ev[1].a, TLS_BAD_WRONG_SIDE);
	assert_int_equal(la.ev[1].hs_type, TLS_HS_SERVER_HELLO);
	assert_int_equal(c.version, 0);
	conn_free(&c);
}

static void
test_strings(void **state)
{
	(void)state;
	assert_string_equal(tls_rec_stop_str(TLS_STOP_NOT_TLS), "not-tls");
	assert_string_equal(tls_rec_stop_str(TLS_STOP_GAP), "gap");
	assert_string_equal(tls_rec_stop_str(TLS_STOP_OVERSIZED), "oversized");
	assert_string_equal(tls_rec_bad_str(TLS_BAD_EMPTY_RECORD), "empty-record");
	assert_true(tls_rec_is_tls13(0x0304));
	assert_true(tls_rec_is_tls13(0x7f1c));
	assert_false(tls_rec_is_tls13(0x0303));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_samples_as_captured),
		cmocka_unit_test(test_sample_details),
		cmocka_unit_test(test_samples_every_split),
		cmocka_unit_test(test_samples_bytewise),
		cmocka_unit_test(test_fragmented_handshake),
		cmocka_unit_test(test_coalesced_messages),
		cmocka_unit_test(test_record_length_limit),
		cmocka_unit_test(test_not_tls),
		cmocka_unit_test(test_bad_record_later),
		cmocka_unit_test(test_bad_header_resync),
		cmocka_unit_test(test_ssl2_hello),
		cmocka_unit_test(test_ssl2_session),
		cmocka_unit_test(test_pg_preamble),
		cmocka_unit_test(test_draft_versions),
		cmocka_unit_test(test_bad_certificate_list),
		cmocka_unit_test(test_oversized_message),
		cmocka_unit_test(test_grow_refused),
		cmocka_unit_test(test_gap),
		cmocka_unit_test(test_resync_rules),
		cmocka_unit_test(test_resync_across_deliveries),
		cmocka_unit_test(test_cut_candidate),
		cmocka_unit_test(test_continuation),
		cmocka_unit_test(test_framing_after_gap),
		cmocka_unit_test(test_alert_after_gap),
		cmocka_unit_test(test_midstream),
		cmocka_unit_test(test_end_truncated),
		cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_empty_and_bad_records),
		cmocka_unit_test(test_after_ccs_tls12),
		cmocka_unit_test(test_tls13_after_server_hello),
		cmocka_unit_test(test_compat_ccs_before_server_hello),
		cmocka_unit_test(test_wrong_side),
		cmocka_unit_test(test_strings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
