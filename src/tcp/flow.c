/* flow.c: connection table (see flow.h). RFC 9293 for what a SYN means. */
#include <stdlib.h>
#include <string.h>

#include "tcp/encap.h"
#include "tcp/flow.h"

#define FLOW_CHUNK 1024u
#define FLOW_MIN_BUCKETS 1024u
#define NO_SLOT UINT32_MAX

/*
 * The LRU lists link pool slots, not connections: every packet moves its
 * connection to a list's tail, and with the links inside the connections
 * that wrote to both neighbours, two connections the packet has nothing to
 * do with and that are rarely in the cache. Packed in their own array the
 * links take 8 bytes per connection.
 */
struct lru_link {
	uint32_t prev, next;
};

struct conn_list {
	uint32_t head, tail; /* head: least recently active */
};

/* Connections on cache-line boundaries (the chunk is allocated so), so
 * that the layout planned in struct conn holds for every one. */
#define CONN_LINES ((sizeof(struct conn) + FLOW_LINE - 1) / FLOW_LINE)
union pool_slot {
	struct conn c;
	unsigned char lines[CONN_LINES * FLOW_LINE];
};
_Static_assert(offsetof(struct conn, reasm) % FLOW_LINE == 0,
               "the client's reassembly head begins a cache line");
_Static_assert((offsetof(struct conn, reasm) + sizeof(struct reasm)) %
                   FLOW_LINE + REASM_HOT_BYTES <= FLOW_LINE,
               "the server's reassembly head fits one cache line");

struct pool_chunk {
	union pool_slot slots[FLOW_CHUNK];
};

struct flow_table {
	struct conn **buckets;
	uint32_t mask;
	uint32_t max_mask;          /* the size max_conns calls for */
	size_t max_conns;
	size_t count;
	ta_time idle;
	struct conn_list active, closing;
	struct pool_chunk **chunks; /* slot s lives in chunks[s / FLOW_CHUNK] */
	size_t nchunks;
	struct lru_link *links;     /* indexed by slot */
	struct conn *free_list;     /* linked through hnext */
	uint64_t next_id;
	uint64_t seed;
	flow_end_fn end;
	flow_soon_fn soon;
	const struct conn *soon_done; /* the one last announced */
	struct conn *kept;          /* flow_keep from the end callback */
	void *ctx;
	struct flow_stats st;
};

static struct conn *
slot_conn(const struct flow_table *ft, uint32_t slot)
{
	return &ft->chunks[slot / FLOW_CHUNK]->slots[slot % FLOW_CHUNK].c;
}

static void
list_init(struct conn_list *l)
{
	l->head = l->tail = NO_SLOT;
}

static void
list_remove(struct flow_table *ft, struct conn_list *l, uint32_t slot)
{
	struct lru_link *k = &ft->links[slot];

	if (k->prev != NO_SLOT)
		ft->links[k->prev].next = k->next;
	else
		l->head = k->next;
	if (k->next != NO_SLOT)
		ft->links[k->next].prev = k->prev;
	else
		l->tail = k->prev;
	k->prev = k->next = NO_SLOT;
}

static void
list_append(struct flow_table *ft, struct conn_list *l, uint32_t slot)
{
	struct lru_link *k = &ft->links[slot];

	k->next = NO_SLOT;
	k->prev = l->tail;
	if (l->tail != NO_SLOT)
		ft->links[l->tail].next = slot;
	else
		l->head = slot;
	l->tail = slot;
}

/* The least recently active connection of a list, or NULL. */
static struct conn *
list_head(const struct flow_table *ft, const struct conn_list *l)
{
	return l->head != NO_SLOT ? slot_conn(ft, l->head) : NULL;
}

struct flow_table *
flow_table_new(size_t max_conns, ta_time idle_timeout, flow_end_fn end,
               void *ctx)
{
	struct flow_table *ft = calloc(1, sizeof *ft);
	size_t nb = FLOW_MIN_BUCKETS, max_nb = FLOW_MIN_BUCKETS;

	if (ft == NULL)
		return NULL;
	if (max_conns == 0)
		max_conns = FLOW_DEFAULT_MAX_CONNS;
	while (max_nb < max_conns && max_nb < ((size_t)1 << 30))
		max_nb <<= 1;
	ft->buckets = calloc(nb, sizeof *ft->buckets);
	if (ft->buckets == NULL) {
		free(ft);
		return NULL;
	}
	ft->mask = (uint32_t)(nb - 1);
	ft->max_mask = (uint32_t)(max_nb - 1);
	ft->max_conns = max_conns;
	list_init(&ft->active);
	list_init(&ft->closing);
	ft->idle = idle_timeout;
	ft->end = end;
	ft->ctx = ctx;
	/* Hash seed: an attacker on the span port should not be able to aim
	 * every connection at one bucket. Output never depends on it. */
	ft->seed = (uint64_t)(uintptr_t)ft ^ 0x9e3779b97f4a7c15ULL;
	return ft;
}

/* One more chunk of connections, and link room for their slots. */
static bool
pool_grow(struct flow_table *ft)
{
	struct pool_chunk **tab, *ch;
	struct lru_link *links;
	size_t n = ft->nchunks;
	uint32_t base;

	/* Slots are 32-bit and NO_SLOT is taken. */
	if ((n + 1) * FLOW_CHUNK >= NO_SLOT)
		return false;
	tab = realloc(ft->chunks, (n + 1) * sizeof *tab);
	if (tab == NULL)
		return false;
	ft->chunks = tab;
	links = realloc(ft->links, (n + 1) * FLOW_CHUNK * sizeof *links);
	if (links == NULL)
		return false;
	ft->links = links;
	ch = aligned_alloc(FLOW_LINE, sizeof *ch);
	if (ch == NULL)
		return false;
	tab[n] = ch;
	ft->nchunks = n + 1;
	base = (uint32_t)(n * FLOW_CHUNK);
	for (uint32_t i = 0; i < FLOW_CHUNK; i++) {
		ch->slots[i].c.slot = base + i;
		ch->slots[i].c.hnext = ft->free_list;
		ft->free_list = &ch->slots[i].c;
		links[base + i].prev = links[base + i].next = NO_SLOT;
	}
	return true;
}

static struct conn *
pool_get(struct flow_table *ft)
{
	struct conn *c;
	uint32_t slot;

	if (ft->free_list == NULL && !pool_grow(ft))
		return NULL;
	c = ft->free_list;
	ft->free_list = c->hnext;
	slot = c->slot;
	memset(c, 0, sizeof *c);
	c->slot = slot;
	return c;
}

static void
pool_put(struct flow_table *ft, struct conn *c)
{
	c->hnext = ft->free_list;
	ft->free_list = c;
}

static uint64_t
mix(uint64_t h, uint64_t v)
{
	h ^= v;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 32;
	return h;
}

static uint64_t
load64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof v);
	return v;
}

static uint64_t
endpoint_hash(uint64_t seed, const struct pkt_addr *a, uint16_t port)
{
	uint64_t h = mix(seed, load64(a->a));
	if (a->family == 6)
		h = mix(h, load64(a->a + 8));
	return mix(h, port);
}

/* Symmetric: both directions of a connection land in one bucket. */
static uint32_t
flow_hash(const struct flow_table *ft, const struct pkt *p)
{
	uint64_t a = endpoint_hash(ft->seed, &p->src, p->sport);
	uint64_t b = endpoint_hash(ft->seed, &p->dst, p->dport);
	uint64_t h = mix(a + b, a ^ b);
	return (uint32_t)(h ^ (h >> 29));
}

static bool
addr_eq(const struct pkt_addr *x, const struct pkt_addr *y)
{
	return pkt_addr_eq(x, y);
}

static bool
conn_match(const struct conn *c, const struct pkt *p, enum tcp_dir *dir)
{
	if (c->cport == p->sport && c->sport == p->dport &&
	    addr_eq(&c->caddr, &p->src) && addr_eq(&c->saddr, &p->dst)) {
		*dir = TCP_DIR_C2S;
		return true;
	}
	if (c->sport == p->sport && c->cport == p->dport &&
	    addr_eq(&c->saddr, &p->src) && addr_eq(&c->caddr, &p->dst)) {
		*dir = TCP_DIR_S2C;
		return true;
	}
	return false;
}

static void
unlink_conn(struct flow_table *ft, struct conn *c)
{
	struct conn **pp = &ft->buckets[c->hash & ft->mask];

	while (*pp != NULL && *pp != c)
		pp = &(*pp)->hnext;
	if (*pp == c)
		*pp = c->hnext;
	list_remove(ft, c->closing ? &ft->closing : &ft->active, c->slot);
	c->in_table = false;
	ft->count--;
}

static void
end_conn(struct flow_table *ft, struct conn *c, enum tcp_finish why,
         ta_time now)
{
	unlink_conn(ft, c);
	if (ft->soon_done == c)
		ft->soon_done = NULL;
	/* The callback also releases the session layer's state. */
	ft->end(ft->ctx, c, why, now);
	if (ft->kept == c) {
		ft->kept = NULL;
		return;
	}
	flow_release(ft, c);
}

void
flow_keep(struct flow_table *ft, struct conn *c)
{
	ft->kept = c;
}

void
flow_release(struct flow_table *ft, struct conn *c)
{
	reasm_free(&c->reasm[0]);
	reasm_free(&c->reasm[1]);
	conn_encap_free(&c->encap);
	pool_put(ft, c);
}

/*
 * The bucket array doubles as connections come, up to the size max_conns
 * calls for, keeping at most one connection per two buckets: sized for
 * the cap from the start, it spreads a few thousand connections over a
 * megabyte, and the bucket read of every packet misses the cache. When
 * the allocation fails the smaller table simply stays.
 */
static void
grow_buckets(struct flow_table *ft)
{
	size_t nb = ((size_t)ft->mask + 1) * 2;
	struct conn **nbk = calloc(nb, sizeof *nbk);
	struct conn *c, *next;

	if (nbk == NULL)
		return;
	for (size_t i = 0; i <= ft->mask; i++) {
		for (c = ft->buckets[i]; c != NULL; c = next) {
			next = c->hnext;
			c->hnext = nbk[c->hash & (nb - 1)];
			nbk[c->hash & (nb - 1)] = c;
		}
	}
	free(ft->buckets);
	ft->buckets = nbk;
	ft->mask = (uint32_t)(nb - 1);
}

static struct conn *
new_conn(struct flow_table *ft, const struct pkt *p, uint32_t hash,
         bool src_is_client, enum service svc, ta_time ts, ta_frame frame)
{
	struct conn *c;

	if (ft->count >= ft->max_conns) {
		/* Make room: first a connection that already ended and only
		 * lingers (nothing is lost but its last late packets), else
		 * the one idle the longest, which is cut short and counted. */
		struct conn *done = list_head(ft, &ft->closing);
		struct conn *idlest = list_head(ft, &ft->active);

		if (done != NULL) {
			end_conn(ft, done, TCP_FINISH_CLOSED, ts);
		} else if (idlest != NULL) {
			ft->st.evicted++;
			end_conn(ft, idlest, TCP_FINISH_EVICTED, ts);
		}
	}
	c = pool_get(ft);
	if (c == NULL)
		return NULL;
	if (src_is_client) {
		c->caddr = p->src;
		c->cport = p->sport;
		c->saddr = p->dst;
		c->sport = p->dport;
	} else {
		c->caddr = p->dst;
		c->cport = p->dport;
		c->saddr = p->src;
		c->sport = p->sport;
	}
	c->svc = svc;
	c->hash = hash;
	c->id = ft->next_id++;
	c->first_ts = c->last_ts = ts;
	c->first_frame = frame;
	c->in_table = true;
	tcp_track_init(&c->tcp);
	reasm_init(&c->reasm[0]);
	reasm_init(&c->reasm[1]);
	if (ft->count >= ((size_t)ft->mask + 1) / 2 && ft->mask < ft->max_mask)
		grow_buckets(ft);
	c->hnext = ft->buckets[hash & ft->mask];
	ft->buckets[hash & ft->mask] = c;
	list_append(ft, &ft->active, c->slot);
	ft->count++;
	ft->st.conns++;
	if (ft->count > ft->st.peak)
		ft->st.peak = ft->count;
	return c;
}

uint32_t
flow_hash_of(const struct flow_table *ft, const struct pkt *p)
{
	return flow_hash(ft, p);
}

void
flow_prefetch(const struct flow_table *ft, uint32_t hash, bool deep)
{
	struct conn *const *b = &ft->buckets[hash & ft->mask];

	if (!deep)
		__builtin_prefetch(b);
	else if (*b != NULL)
		__builtin_prefetch(*b);
}

void
flow_count_ignored(struct flow_table *ft)
{
	ft->st.ignored++;
}

struct conn *
flow_lookup(struct flow_table *ft, const struct service_map *svc,
            const struct pkt *p, ta_time ts, ta_frame frame,
            enum tcp_dir *dir)
{
	return flow_lookup_hashed(ft, svc, p, flow_hash(ft, p), ts, frame,
	                          dir);
}

struct conn *
flow_lookup_hashed(struct flow_table *ft, const struct service_map *svc,
                   const struct pkt *p, uint32_t hash, ta_time ts,
                   ta_frame frame, enum tcp_dir *dir)
{
	enum service ssvc = service_of_port(svc, p->sport);
	enum service dsvc = service_of_port(svc, p->dport);
	uint8_t syn = p->flags & (PKT_TCP_SYN | PKT_TCP_ACK | PKT_TCP_RST);
	struct conn *c;
	bool src_is_client;

	if (ssvc == SVC_NONE && dsvc == SVC_NONE) {
		ft->st.ignored++;
		return NULL;
	}
	for (c = ft->buckets[hash & ft->mask]; c != NULL; c = c->hnext) {
		if (c->hash != hash || !conn_match(c, p, dir))
			continue;
		/* A client SYN with a new ISN: the 4-tuple was reused. */
		if (syn == PKT_TCP_SYN && *dir == TCP_DIR_C2S &&
		    c->tcp.ep[TCP_DIR_C2S].syn_seen &&
		    c->tcp.ep[TCP_DIR_C2S].isn != p->seq) {
			ft->st.reused++;
			end_conn(ft, c, TCP_FINISH_REUSED, ts);
			break;
		}
		return c;
	}
	/* A new connection. The SYN sender is the client; a SYN-ACK's sender
	 * the server; otherwise (SYN not captured) the side on a service
	 * port is the server. */
	if (syn == PKT_TCP_SYN) {
		if (dsvc == SVC_NONE) {
			ft->st.ignored++;
			return NULL;
		}
		src_is_client = true;
	} else if (syn == (PKT_TCP_SYN | PKT_TCP_ACK)) {
		if (ssvc == SVC_NONE) {
			ft->st.ignored++;
			return NULL;
		}
		src_is_client = false;
	} else if (p->flags & PKT_TCP_RST) {
		/* A RST alone cannot start anything worth reporting: the
		 * caller counts it as a lone packet. */
		return NULL;
	} else {
		src_is_client = dsvc != SVC_NONE;
		ft->st.midstream++;
	}
	c = new_conn(ft, p, hash, src_is_client, src_is_client ? dsvc : ssvc,
	             ts, frame);
	if (c == NULL)
		return NULL;
	*dir = src_is_client ? TCP_DIR_C2S : TCP_DIR_S2C;
	return c;
}

void
flow_touch(struct flow_table *ft, struct conn *c, ta_time ts)
{
	if (ts > c->last_ts)
		c->last_ts = ts;
	if (!c->closing && tcp_track_closed(&c->tcp)) {
		list_remove(ft, &ft->active, c->slot);
		c->closing = true;
		c->closed_ts = ts;
		list_append(ft, &ft->closing, c->slot);
		return;
	}
	/* Move to the tail: the head stays the least recently active. */
	if (c->closing) {
		if (ft->closing.tail != c->slot) {
			list_remove(ft, &ft->closing, c->slot);
			list_append(ft, &ft->closing, c->slot);
		}
	} else if (ft->active.tail != c->slot) {
		list_remove(ft, &ft->active, c->slot);
		list_append(ft, &ft->active, c->slot);
	}
}

void
flow_set_soon(struct flow_table *ft, flow_soon_fn soon)
{
	ft->soon = soon;
}

/* The next lingering connection to end, fetched towards the cache once
 * (see flow_soon_fn). */
static void
announce(struct flow_table *ft, const struct conn *c)
{
	const char *p = (const char *)c;

	if (c == NULL || c == ft->soon_done)
		return;
	ft->soon_done = c;
	for (size_t o = 0; o < sizeof *c; o += FLOW_LINE)
		__builtin_prefetch(p + o);
	if (ft->soon != NULL)
		ft->soon(ft->ctx, c);
}

void
flow_expire(struct flow_table *ft, ta_time now)
{
	struct conn *c;
	bool ended = false;

	/* Lingering ones are ordered by their last packet; the linger runs
	 * from the last packet, so the head is always the first due. */
	while ((c = list_head(ft, &ft->closing)) != NULL &&
	       c->last_ts + FLOW_LINGER_NS <= now) {
		end_conn(ft, c, TCP_FINISH_CLOSED, now);
		ended = true;
	}
	/* Connections end at about the rate they start: the next one is due
	 * within a few dozen packets, while its lines can stay cached. */
	if (ended)
		announce(ft, list_head(ft, &ft->closing));
	while ((c = list_head(ft, &ft->active)) != NULL &&
	       c->last_ts + ft->idle <= now)
		end_conn(ft, c, TCP_FINISH_IDLE, now);
}

static int
cmp_id(const void *a, const void *b)
{
	const struct conn *x = *(const struct conn *const *)a;
	const struct conn *y = *(const struct conn *const *)b;
	return x->id < y->id ? -1 : x->id > y->id;
}

void
flow_flush(struct flow_table *ft, enum tcp_finish why, ta_time now)
{
	struct conn **all;
	size_t n = 0;

	if (ft->count == 0)
		return;
	all = malloc(ft->count * sizeof *all);
	if (all == NULL) {
		struct conn *c;

		/* Still end them all, in list order. */
		while ((c = list_head(ft, &ft->closing)) != NULL)
			end_conn(ft, c, TCP_FINISH_CLOSED, now);
		while ((c = list_head(ft, &ft->active)) != NULL)
			end_conn(ft, c, why, now);
		return;
	}
	for (uint32_t s = ft->closing.head; s != NO_SLOT; s = ft->links[s].next)
		all[n++] = slot_conn(ft, s);
	for (uint32_t s = ft->active.head; s != NO_SLOT; s = ft->links[s].next)
		all[n++] = slot_conn(ft, s);
	qsort(all, n, sizeof *all, cmp_id);
	for (size_t i = 0; i < n; i++)
		end_conn(ft, all[i], all[i]->closing ? TCP_FINISH_CLOSED : why,
		         now);
	free(all);
}

void
flow_note_time(struct conn *c, ta_frame frame, ta_time ts)
{
	struct frame_times *t = &c->times;

	if (t->n >= FLOW_FRAME_TIMES)
		return;
	t->frame[t->n] = frame;
	t->ts[t->n] = ts;
	t->n++;
}

bool
flow_frame_time(const struct conn *c, ta_frame frame, ta_time *ts)
{
	const struct frame_times *t = &c->times;

	for (uint8_t i = 0; i < t->n; i++) {
		if (t->frame[i] == frame) {
			*ts = t->ts[i];
			return true;
		}
	}
	return false;
}

size_t
flow_count(const struct flow_table *ft)
{
	return ft->count;
}

void
flow_get_stats(const struct flow_table *ft, struct flow_stats *st)
{
	*st = ft->st;
}

void
flow_table_free(struct flow_table *ft)
{
	if (ft == NULL)
		return;
	for (size_t i = 0; i < ft->nchunks; i++)
		free(ft->chunks[i]);
	free(ft->chunks);
	free(ft->links);
	free(ft->buckets);
	free(ft);
}
