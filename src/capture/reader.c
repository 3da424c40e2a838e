/* reader.c: offline captures read and decoded ahead in a thread (reader.h). */
#include <assert.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/reader.h"
#include "sniff.h"

/*
 * Blocks circulate in a ring: the reader fills them in order, the analysis
 * empties them in the same order. One hand-over per block, not per frame,
 * keeps the two threads from trading locks at the packet rate. A block's
 * byte area holds the largest frame libpcap hands out with its decoded
 * headers, so any frame fits an empty block.
 */
#define READER_BLOCKS 4
#define BLOCK_ITEMS 1024
#define BLOCK_BYTES (4u * CAP_SNAPLEN)

static_assert(sizeof(struct reader_item) == 64,
              "a reader item fills one cache line");

struct block {
	unsigned n;         /* items filled */
	size_t used;        /* bytes filled */
	bool last;          /* the input ends after this block */
	uint64_t done, total; /* progress when it was handed over */
	/* An item per cache line: the reader writes each while the analysis
	 * reads the block before, and an item across two lines costs two
	 * transfers between the cores. */
	_Alignas(64) struct reader_item items[BLOCK_ITEMS];
	/* Service frames' bytes, each followed by its decoded headers (only
	 * theirs: a struct pkt per item would be most of the block), and
	 * warnings' text; every piece starts aligned for a struct pkt. */
	_Alignas(struct pkt) uint8_t bytes[BLOCK_BYTES];
};

/* n bytes of the byte area, rounded so that the next piece is aligned. */
static size_t
aligned(size_t n)
{
	return (n + _Alignof(struct pkt) - 1) & ~(_Alignof(struct pkt) - 1);
}

/* What a service frame of caplen bytes takes of the byte area. */
static size_t
frame_room(size_t caplen)
{
	return aligned(caplen) + sizeof(struct pkt);
}

struct reader {
	struct capture *cap;
	const struct service_map *svc;
	const struct pkt_decap *decap;
	struct block *blocks[READER_BLOCKS];
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t filled_cv, freed_cv;
	uint64_t filled;   /* blocks handed over, under lock */
	uint64_t freed;    /* blocks given back, under lock */
	atomic_int stop;

	/* The reader thread's side. */
	struct block *fill;
	bool decode_ahead; /* the analysis lags: decode service frames here */

	/* The analysis side. */
	struct block *cur;
	unsigned pos;      /* next item of cur */
	bool ended;
	uint64_t done, total;
};

/* The reader thread: the next empty block, waiting while all are full. */
static struct block *
take_empty(struct reader *r)
{
	struct block *b;

	pthread_mutex_lock(&r->lock);
	while (r->filled - r->freed == READER_BLOCKS)
		pthread_cond_wait(&r->freed_cv, &r->lock);
	b = r->blocks[r->filled % READER_BLOCKS];
	/* A full block waits behind the one being analysed: the analysis is
	 * the slower thread, so this block's service frames are decoded
	 * here. Decided per block, from counts already under the lock. */
	r->decode_ahead = r->filled - r->freed >= 2;
	pthread_mutex_unlock(&r->lock);
	b->n = 0;
	b->used = 0;
	b->last = false;
	return b;
}

static void
hand_over(struct reader *r, bool last)
{
	struct block *b = r->fill;

	b->last = last;
	capture_progress(r->cap, &b->done, &b->total);
	pthread_mutex_lock(&r->lock);
	r->filled++;
	pthread_cond_signal(&r->filled_cv);
	pthread_mutex_unlock(&r->lock);
	r->fill = NULL;
}

/* Room in the block being filled for one more item and its bytes. */
static struct reader_item *
room(struct reader *r, size_t nbytes)
{
	struct block *b = r->fill;

	if (b != NULL &&
	    (b->n == BLOCK_ITEMS || nbytes > BLOCK_BYTES - b->used)) {
		hand_over(r, false);
		b = NULL;
	}
	if (b == NULL)
		b = r->fill = take_empty(r);
	return &b->items[b->n++];
}

/* The capture's warnings take their place among the frames. */
static void
on_warn(void *ctx, const char *msg)
{
	struct reader *r = ctx;
	size_t len = strlen(msg) + 1;
	struct reader_item *it;
	char *text;

	if (len > CAP_ERRLEN)
		len = CAP_ERRLEN;
	it = room(r, aligned(len));
	text = (char *)r->fill->bytes + r->fill->used;
	memcpy(text, msg, len - 1);
	text[len - 1] = '\0';
	r->fill->used += aligned(len);
	memset(it, 0, sizeof *it);
	it->kind = READER_WARN;
	it->warn = text;
}

/* A file has several interfaces from here on: the reports learn it in
 * frame order. */
static void
on_several(void *ctx, unsigned file)
{
	struct reader *r = ctx;
	struct reader_item *it = room(r, 0);

	memset(it, 0, sizeof *it);
	it->kind = READER_SEVERAL;
	it->cp.frame = TA_FRAME(file, 0);
}

static bool
is_service(const struct reader *r, enum dis_status rc, const struct pkt *p)
{
	return rc == DIS_OK && service_between(r->svc, p->sport, p->dport);
}

/* A service frame's bytes go with it; where its headers will be. */
static void
copy_frame(struct reader *r, struct reader_item *it, const struct cap_pkt *cp)
{
	uint8_t *copy = r->fill->bytes + r->fill->used;

	memcpy(copy, cp->data, cp->caplen);
	it->cp = *cp;
	it->cp.data = copy;
	it->p = (struct pkt *)(void *)(copy + aligned(cp->caplen));
	r->fill->used += frame_room(cp->caplen);
}

/* A service frame decoded in place, from its copy: by the reader when the
 * analysis lags, else by the analysis when it gets there (reader_pkt). */
static void
decode_item(const struct reader *r, struct reader_item *it)
{
	/* pkt_quick vouched for DIS_OK; the decoder has the last word all
	 * the same. */
	it->rc = (uint8_t)pkt_decode_opts(it->cp.link, it->cp.data,
	                                  it->cp.caplen, r->decap, it->p);
	it->anomalies = it->p->anomalies;
	it->skip = (uint8_t)it->p->skip;
	it->decoded = true;
}

/* A segment of no watched port: does it start a TLS or mail stream? */
static void
sniff_item(struct reader_item *it, const uint8_t *p, size_t n,
           uint16_t sport, uint16_t dport)
{
	enum sniff_kind k = sniff_stream_start(p, n);

	it->sniff = (uint8_t)k;
	it->sniff_port = k == SNIFF_CLIENT_HELLO ? dport : sport;
}

/* One packet of a frame decoded here: the frame's, or one of an A-MSDU's. */
static void
add_packet(struct reader *r, const struct cap_pkt *cp, enum dis_status rc,
           const struct pkt *p)
{
	struct reader_item *it;
	bool service;

	service = is_service(r, rc, p);
	it = room(r, service ? frame_room(cp->caplen) : 0);
	it->kind = READER_FRAME;
	it->sub = p->sub;
	it->sniff = SNIFF_NONE;
	it->service = service;
	it->skip = (uint8_t)p->skip;
	it->rc = (uint8_t)rc;
	it->anomalies = p->anomalies;
	it->decoded = service;
	if (!service) {
		it->cp = *cp;
		it->cp.data = NULL;
		if (rc == DIS_OK)
			sniff_item(it, p->payload.p, p->payload.n, p->sport,
			           p->dport);
		return;
	}
	copy_frame(r, it, cp);
	/* Only the layers found: the array is most of the struct. */
	memcpy(it->p, p, offsetof(struct pkt, encap) +
	                      p->nencap * sizeof p->encap[0]);
	/* The payload points into the frame: follow it to the copy. */
	if (p->payload.p != NULL)
		it->p->payload.p = it->cp.data + (p->payload.p - cp->data);
	if (p->ip.p != NULL)
		it->p->ip.p = it->cp.data + (p->ip.p - cp->data);
}

/* A frame pkt_quick does not answer for: decoded here (a tunnelled frame
 * is sorted by the ports of the segment inside). An 802.11 A-MSDU gives
 * an item for each of its packets, with the same frame. */
static void
add_decoded(struct reader *r, const struct cap_pkt *cp)
{
	struct pkt p;
	enum dis_status rc;
	unsigned n;

	rc = pkt_decode_opts(cp->link, cp->data, cp->caplen, r->decap, &p);
	n = p.nsub;
	add_packet(r, cp, rc, &p);
	for (unsigned i = 1; i < n; i++) {
		rc = pkt_decode_sub(cp->link, cp->data, cp->caplen, r->decap,
		                    i, &p);
		add_packet(r, cp, rc, &p);
	}
}

/*
 * Reading is usually the slower thread: the common frame is only looked at
 * (ports, truncation) and a service frame decoded later by the analysis,
 * unless the analysis lags (a capture of many short connections), when it
 * is decoded here. Any other frame is decoded here, as it counts for more.
 */
static void
add_frame(struct reader *r, const struct cap_pkt *cp)
{
	struct reader_item *it;
	struct pkt_quick q;
	bool service;

	if (!pkt_quick(cp->link, cp->data, cp->caplen, &q)) {
		add_decoded(r, cp);
		return;
	}
	service = service_between(r->svc, q.sport, q.dport);
	it = room(r, service ? frame_room(cp->caplen) : 0);
	it->kind = READER_FRAME;
	it->sub = 0;
	it->sniff = SNIFF_NONE;
	it->service = service;
	it->skip = PKT_SKIP_NONE;
	it->rc = (uint8_t)DIS_OK;
	it->anomalies = q.truncated ? PKT_A_TRUNCATED : 0;
	it->decoded = false;
	if (service) {
		copy_frame(r, it, cp);
		if (r->decode_ahead)
			decode_item(r, it);
	} else {
		it->cp = *cp;
		it->cp.data = NULL;
		if (q.payload_n > 0)
			sniff_item(it, cp->data + q.payload_off, q.payload_n,
			           q.sport, q.dport);
	}
}

static void *
reader_main(void *arg)
{
	struct reader *r = arg;
	struct cap_pkt cp;

	while (!atomic_load_explicit(&r->stop, memory_order_relaxed) &&
	       capture_next(r->cap, &cp) == CAP_PACKET)
		add_frame(r, &cp);
	if (r->fill == NULL)
		r->fill = take_empty(r);
	hand_over(r, true);
	return NULL;
}

/* Everything but the thread, which has ended or never started. */
static void
destroy(struct reader *r)
{
	capture_set_warn(r->cap, NULL, NULL);
	capture_set_several(r->cap, NULL, NULL);
	pthread_mutex_destroy(&r->lock);
	pthread_cond_destroy(&r->filled_cv);
	pthread_cond_destroy(&r->freed_cv);
	for (unsigned i = 0; i < READER_BLOCKS; i++)
		free(r->blocks[i]);
	free(r);
}

struct reader *
reader_start(struct capture *cap, const struct service_map *svc,
             const struct pkt_decap *decap, char *err, size_t errlen)
{
	struct reader *r = calloc(1, sizeof *r);
	sigset_t all, old;
	int rc;

	if (r == NULL)
		goto oom;
	for (unsigned i = 0; i < READER_BLOCKS; i++) {
		r->blocks[i] = aligned_alloc(_Alignof(struct block),
		                             sizeof *r->blocks[i]);
		if (r->blocks[i] == NULL)
			goto oom;
	}
	r->cap = cap;
	r->svc = svc;
	r->decap = decap;
	atomic_init(&r->stop, 0);
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->filled_cv, NULL);
	pthread_cond_init(&r->freed_cv, NULL);
	capture_set_warn(cap, on_warn, r);
	capture_set_several(cap, on_several, r);
	/* Signals go to the analysis thread: a read cut short by EINTR
	 * would look like a damaged file. The thread starts with them
	 * blocked and notices reader_stop() between frames. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(&r->thread, NULL, reader_main, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		snprintf(err, errlen, "cannot start the reader thread: %s",
		         strerror(rc));
		destroy(r);
		return NULL;
	}
	return r;
oom:
	if (r != NULL) {
		for (unsigned i = 0; i < READER_BLOCKS; i++)
			free(r->blocks[i]);
		free(r);
	}
	snprintf(err, errlen, "out of memory");
	return NULL;
}

/* The analysis is done with its block: the reader may fill it again. */
static void
give_back(struct reader *r)
{
	pthread_mutex_lock(&r->lock);
	r->freed++;
	pthread_cond_signal(&r->freed_cv);
	pthread_mutex_unlock(&r->lock);
	r->cur = NULL;
}

struct reader_item *
reader_next(struct reader *r)
{
	for (;;) {
		if (r->cur != NULL && r->pos < r->cur->n)
			return &r->cur->items[r->pos++];
		if (r->cur != NULL) {
			r->ended = r->cur->last;
			give_back(r);
		}
		if (r->ended)
			return NULL;
		pthread_mutex_lock(&r->lock);
		while (r->filled == r->freed)
			pthread_cond_wait(&r->filled_cv, &r->lock);
		r->cur = r->blocks[r->freed % READER_BLOCKS];
		pthread_mutex_unlock(&r->lock);
		r->pos = 0;
		r->done = r->cur->done;
		r->total = r->cur->total;
	}
}

const struct pkt *
reader_pkt(struct reader *r, struct reader_item *it)
{
	if (!it->decoded)
		decode_item(r, it);
	return it->p;
}

struct reader_item *
reader_peek(struct reader *r, unsigned ahead)
{
	unsigned i = r->pos - 1 + ahead;

	if (r->cur == NULL || r->pos == 0 || i >= r->cur->n)
		return NULL;
	return &r->cur->items[i];
}

void
reader_progress(const struct reader *r, uint64_t *done, uint64_t *total)
{
	*done = r->done;
	*total = r->total;
}

void
reader_stop(struct reader *r)
{
	atomic_store_explicit(&r->stop, 1, memory_order_relaxed);
}

void
reader_free(struct reader *r)
{
	if (r == NULL)
		return;
	/* Drain what is left so that the thread is never stuck waiting
	 * for an empty block. */
	reader_stop(r);
	while (reader_next(r) != NULL)
		;
	pthread_join(r->thread, NULL);
	destroy(r);
}
