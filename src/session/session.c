/* session.c: route each direction's bytes to the plaintext phase (IMAP, POP3, SMTP), then to TLS. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cert/certchain.h"
#include "session/session.h"

#if defined(__SANITIZE_ADDRESS__)
#define SESSION_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SESSION_ASAN 1
#endif
#endif
#ifdef SESSION_ASAN
#include <sanitizer/asan_interface.h>
#define POOL_POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define POOL_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POOL_POISON(p, n) ((void)(p), (void)(n))
#define POOL_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

/*
 * Spare objects of ended connections, handed to the next ones: a new
 * connection starts every few packets, and a malloc and a free of its
 * session (and of its IMAP state) each time were a visible share of its
 * cost. At most SESSION_POOL_MAX spare objects of each kind are kept, the
 * rest go back to malloc, so memory stays what the connections in flight
 * need. Module state like fingerprint.c's: the analysis runs on one
 * thread. A spare object is poisoned for AddressSanitizer, so a use after
 * session_free() is still caught; the pointers live here, where
 * LeakSanitizer sees them.
 */
struct pool {
	void *spare[SESSION_POOL_MAX];
	unsigned n;
	size_t size;       /* of each; one of another size is not kept */
};

static struct pool session_pool, proto_pool, facts_pool;

static void *
pool_get(struct pool *p, size_t size)
{
	void *o;

	if (p->n == 0 || p->size != size)
		return malloc(size);
	o = p->spare[--p->n];
	POOL_UNPOISON(o, size);
	return o;
}

static void
pool_put(struct pool *p, void *o, size_t size)
{
	if (o == NULL)
		return;
	if (p->n == 0)
		p->size = size;
	if (p->n >= SESSION_POOL_MAX || p->size != size) {
		free(o);
		return;
	}
	POOL_POISON(o, size);
	p->spare[p->n++] = o;
}

struct session_dir {
	struct session *s;
	enum tcp_dir dir;
};

/*
 * Where a direction's TLS stream begins in its TCP stream, so that the
 * acknowledgements of a STARTTLS connection reach the TLS layer counted as
 * it counts (session_acked): from the delivery that began TLS, or, when
 * that direction's plaintext is not in the capture, from the other side's
 * acknowledgement around the switch (note_tls_begins).
 */
struct tls_origin {
	uint64_t fed;            /* bytes and holes handed over so far */
	uint64_t base;           /* the TLS stream's first byte */
	uint64_t acked;          /* the latest acknowledgement of the stream */
	ta_frame acked_frame;
	/* What this direction's last plaintext packet acknowledged of the
	 * other direction (the server's STARTTLS answer: all of the
	 * client's plaintext). */
	uint64_t plain_acked;
	ta_frame plain_frame;
	bool plain_known;
	bool base_known;
	bool midstream;          /* the capture missed the stream's start */
};

struct session {
	enum service svc;
	const struct starttls_ops *proto; /* NULL: TLS from the first byte */
	void *proto_state;                /* freed once its facts are kept */
	/* Their copy, taken when the state is freed: a connection of a
	 * protocol only (most are TLS from the first byte and need none). */
	struct starttls_facts *st;
	bool st_kept;
	bool in_tls[2];                   /* the direction's TLS phase began */
	bool midstream_pending[2];        /* plaintext port, started mid-stream:
	                                   * its first delivery says whether it
	                                   * is already past STARTTLS */
	bool gap_pending[2];              /* plaintext phase, after a gap: the
	                                   * next delivery may be TLS already */
	ta_frame midstream_frame[2];
	bool tls_fed;                     /* some byte reached the TLS layer */
	struct tls_origin o[2];           /* STARTTLS services only */
	bool released;
	struct session_dir d[2];
	struct certchain *certs;          /* chain analysis, or NULL */
	ta_time now;                      /* capture time of the current packet */
	struct cert_facts cert;           /* the server's chain, when seen */
	bool cert_seen;
	struct tls_facts tls;
};

/* The server's first Certificate message: judge the chain as the client
 * would have, at the capture time of the frame that completed it. */
static void
on_certificates(void *arg, enum tls_side from, const struct tls_certificate *certs,
                ta_frame frame)
{
	struct session *s = arg;
	const struct tls_client_hello *ch = &s->tls.client_hello;
	char sni[TLS_HS_SNI_MAX + 1];
	size_t n = 0;

	if (from != TLS_SIDE_SERVER || s->cert_seen || s->certs == NULL)
		return;
	if (s->tls.client_hello_seen && ch->has_sni) {
		n = ch->sni_len < TLS_HS_SNI_MAX ? ch->sni_len : TLS_HS_SNI_MAX;
		memcpy(sni, ch->sni, n);
	}
	sni[n] = '\0';
	certchain_analyse(s->certs, certs, n > 0 ? sni : NULL, s->now, &s->cert);
	s->cert.frame = frame;
	s->cert.no_client_hello = !s->tls.client_hello_seen;
	s->cert_seen = true;
}

static enum tls_side
side_of(enum tcp_dir dir)
{
	return dir == TCP_DIR_C2S ? TLS_SIDE_CLIENT : TLS_SIDE_SERVER;
}

struct session *
session_new(enum service svc, struct certchain *certs)
{
	/*
	 * Not zeroed whole: tls_facts_init zeroes the TLS part (most of the
	 * session) itself, so only the fields before it are cleared here,
	 * and the protocol's init readies its state. Each byte is written
	 * once per connection, not twice.
	 */
	struct session *s = pool_get(&session_pool, sizeof *s);

	if (s == NULL)
		return NULL;
	memset(s, 0, offsetof(struct session, tls));
	s->svc = svc;
	s->certs = certs;
	s->proto = starttls_ops_for(svc);
	if (s->proto != NULL) {
		/* One size for every protocol's state, so that a spare one
		 * serves the next connection whatever its protocol. */
		s->proto_state = pool_get(&proto_pool, starttls_state_max());
		s->st = pool_get(&facts_pool, sizeof *s->st);
		if (s->proto_state == NULL || s->st == NULL) {
			pool_put(&proto_pool, s->proto_state,
			         starttls_state_max());
			pool_put(&facts_pool, s->st, sizeof *s->st);
			pool_put(&session_pool, s, sizeof *s);
			return NULL;
		}
		s->proto->init(s->proto_state);
	} else {
		s->in_tls[0] = s->in_tls[1] = true;
	}
	for (int i = 0; i < 2; i++) {
		s->d[i].s = s;
		s->d[i].dir = (enum tcp_dir)i;
	}
	tls_facts_init(&s->tls);
	tls_facts_set_cert_hook(&s->tls, on_certificates, s);
	/* Any protocol may sit on a tls port: PostgreSQL asks for TLS with a
	 * preamble of its own. */
	if (svc == SVC_TLS)
		tls_facts_allow_preambles(&s->tls);
	return s;
}

unsigned
session_spare(void)
{
	return session_pool.n + proto_pool.n + facts_pool.n;
}

void
session_set_time(struct session *s, ta_time now)
{
	s->now = now;
}

/* Keep the STARTTLS facts and drop the parser's state (line buffers). */
static void
keep_proto_facts(struct session *s)
{
	if (s->proto == NULL || s->proto_state == NULL)
		return;
	s->proto->facts(s->proto_state, s->st);
	s->st_kept = true;
	pool_put(&proto_pool, s->proto_state, starttls_state_max());
	s->proto_state = NULL;
}

/* The latest acknowledgement of dir's stream, to the TLS layer in its
 * offsets, once they are known. */
static void
pass_acked(struct session *s, enum tcp_dir dir)
{
	const struct tls_origin *o = &s->o[dir];

	if (o->base_known && o->acked_frame != 0 && o->acked >= o->base)
		tls_facts_acked(&s->tls, side_of(dir), o->acked - o->base,
		                o->acked_frame);
}

/* This delivery, completed by frame, was plaintext to its end: what its
 * packet acknowledged of the other direction stands for all that
 * direction's plaintext, if this is the server's STARTTLS answer. */
static void
note_plaintext(struct session *s, enum tcp_dir dir, ta_frame frame)
{
	const struct tls_origin *other = &s->o[tcp_dir_other(dir)];

	s->o[dir].plain_known = other->acked_frame == frame && frame != 0;
	s->o[dir].plain_acked = other->acked;
	s->o[dir].plain_frame = frame;
}

/*
 * dir's TLS stream begins at byte base of its TCP stream (mixed: the
 * delivery that holds its first byte began with plaintext), in frame.
 * When the other direction has no byte in the capture, where its TLS
 * stream began is read from acknowledgements (RFC 3207 5, RFC 2595 4,
 * RFC 9051 6.2.1: neither side sends TLS before the other's turn): the
 * client's first TLS packet, its ClientHello, acknowledges all the
 * server's plaintext (the answer to STARTTLS came before it, the server's
 * TLS only after); the server's last plaintext packet, that answer,
 * acknowledges all the client's (its STARTTLS command came before, its
 * ClientHello only after). A delivery that mixes plaintext and TLS, or an
 * acknowledgement carried by another packet, gives nothing.
 */
static void
note_tls_begins(struct session *s, enum tcp_dir dir, uint64_t base,
                bool mixed, ta_frame frame)
{
	struct tls_origin *o = &s->o[dir];
	enum tcp_dir odir = tcp_dir_other(dir);
	struct tls_origin *other = &s->o[odir];
	ta_frame by;

	if (o->midstream)
		return;
	o->base = base;
	o->base_known = true;
	pass_acked(s, dir);
	if (other->fed != 0 || other->base_known || other->midstream || mixed)
		return;
	if (dir == TCP_DIR_C2S) {
		if (other->acked_frame != frame || frame == 0)
			return;
		other->base = other->acked;
		by = frame;
	} else {
		if (!o->plain_known)
			return;
		other->base = o->plain_acked;
		by = o->plain_frame;
	}
	other->base_known = true;
	tls_facts_ack_origin(&s->tls, side_of(odir), other->base, by);
	/* The packet that began dir's TLS acknowledged already. */
	pass_acked(s, odir);
}

static void
on_data(void *ctx, const uint8_t *p, size_t n, ta_frame frame)
{
	struct session_dir *d = ctx;
	struct session *s = d->s;
	uint64_t at = s->o[d->dir].fed;

	s->o[d->dir].fed += n;
	if (s->midstream_pending[d->dir]) {
		/* Picked up mid-stream on the plaintext port: a direction
		 * whose first bytes are TLS records is past STARTTLS. */
		s->midstream_pending[d->dir] = false;
		if (tls_rec_plausible_start(p, n)) {
			s->in_tls[d->dir] = true;
			tls_facts_midstream(&s->tls, side_of(d->dir),
			                    s->midstream_frame[d->dir]);
		}
	}
	if (s->gap_pending[d->dir]) {
		/* Bytes lost in the plaintext phase may have held the
		 * STARTTLS exchange: a delivery that starts with a TLS record
		 * after them is TLS (its stream begins here). */
		s->gap_pending[d->dir] = false;
		if (!s->in_tls[d->dir] && tls_rec_plausible_start(p, n)) {
			s->in_tls[d->dir] = true;
			note_tls_begins(s, d->dir, at, false, frame);
		}
	}
	if (!s->in_tls[d->dir]) {
		bool begins = false;
		size_t used;

		if (s->proto_state == NULL)
			return;
		used = s->proto->feed(s->proto_state, d->dir, p, n, frame,
		                      &begins);
		if (!begins) {
			note_plaintext(s, d->dir, frame);
			return;
		}
		s->in_tls[d->dir] = true;
		if (used > n)
			used = n;
		note_tls_begins(s, d->dir, at + used, used != 0, frame);
		p += used;
		n -= used;
		if (n == 0)
			return;
	}
	s->tls_fed = true;
	tls_facts_data(&s->tls, side_of(d->dir), p, n, frame);
}

static void
on_gap(void *ctx, uint64_t n, ta_frame frame)
{
	struct session_dir *d = ctx;
	struct session *s = d->s;

	s->o[d->dir].fed += n;
	if (!s->in_tls[d->dir]) {
		if (s->proto_state != NULL)
			s->proto->gap(s->proto_state, d->dir, n, frame);
		s->gap_pending[d->dir] = true;
		return;
	}
	s->tls_fed = true;
	tls_facts_gap(&s->tls, side_of(d->dir), n, frame);
}

static const struct reasm_sink sink = {
	.data = on_data,
	.gap = on_gap,
};

const struct reasm_sink *
session_sink(void)
{
	return &sink;
}

void *
session_sink_ctx(struct session *s, enum tcp_dir dir)
{
	return &s->d[dir];
}

void
session_midstream(struct session *s, enum tcp_dir dir, ta_frame frame)
{
	/* How much was missed is unknown, and no size is made up: the TLS
	 * layer hunts for a record from the first delivery on. */
	s->o[dir].midstream = true;
	if (s->in_tls[dir]) {
		tls_facts_midstream(&s->tls, side_of(dir), frame);
		return;
	}
	/* The plaintext parser missed the start of that direction (its n is
	 * not read); if the first delivery turns out to be TLS, the
	 * direction is past STARTTLS (on_data). */
	if (s->proto_state != NULL)
		s->proto->gap(s->proto_state, dir, 0, frame);
	s->midstream_pending[dir] = true;
	s->midstream_frame[dir] = frame;
}

void
session_acked(struct session *s, enum tcp_dir dir, uint64_t n, ta_frame frame)
{
	struct tls_origin *o = &s->o[dir];

	if (s->proto == NULL) {
		tls_facts_acked(&s->tls, side_of(dir), n, frame);
		return;
	}
	o->acked = n;
	o->acked_frame = frame;
	pass_acked(s, dir);
}

bool
session_done(struct session *s)
{
	bool plain_done, tls_done;

	if (s->released)
		return true;
	plain_done = s->proto_state == NULL ||
	             s->proto->finished(s->proto_state);
	/* Until a direction is in TLS, the plaintext phase decides; once
	 * both are, the TLS facts do. */
	tls_done = s->in_tls[0] && s->in_tls[1] ? tls_facts_done(&s->tls)
	                                        : plain_done;
	if (!plain_done || !tls_done)
		return false;
	/* The TLS facts released their parser buffers when they settled;
	 * what they hold (the second ClientHello included) is still read by
	 * the report, so only session_free() frees it. */
	keep_proto_facts(s);
	s->released = true;
	return true;
}

void
session_end(struct session *s, ta_frame frame)
{
	keep_proto_facts(s);
	tls_facts_end(&s->tls, frame);
}

const struct tls_facts *
session_tls(const struct session *s)
{
	return s->tls_fed ? &s->tls : NULL;
}

const struct cert_facts *
session_cert(const struct session *s)
{
	return s->cert_seen ? &s->cert : NULL;
}

const struct starttls_facts *
session_starttls(const struct session *s)
{
	return s->st_kept ? s->st : NULL;
}

bool
session_handshake_complete(const struct session *s)
{
	return s->tls_fed && s->tls.handshake_complete;
}

bool
session_in_tls(const struct session *s, enum tcp_dir dir)
{
	return s->in_tls[dir];
}

void
session_prefetch(const struct session *s)
{
	const char *p = (const char *)s;

	if (s == NULL)
		return;
	for (size_t o = 0; o < sizeof *s; o += 64)
		__builtin_prefetch(p + o);
}

void
session_free(struct session *s)
{
	if (s == NULL)
		return;
	if (s->cert_seen && s->certs != NULL)
		certchain_release(s->certs, &s->cert);
	tls_facts_free(&s->tls);
	if (s->proto_state != NULL)
		pool_put(&proto_pool, s->proto_state, starttls_state_max());
	pool_put(&facts_pool, s->st, sizeof *s->st);
	pool_put(&session_pool, s, sizeof *s);
}
