/* probes.c: scan probes and lone packets, counted by kind and by source. */
#include <string.h>

#include "tcp/probes.h"

void
probes_init(struct probes *pr)
{
	memset(pr, 0, sizeof *pr);
}

static bool
same_addr(const struct pkt_addr *a, const struct pkt_addr *b)
{
	return pkt_addr_eq(a, b);
}

/* An address and a salt (its family, a port) mixed a word at a time: run
 * for every SYN, where a byte-wise hash was a measurable share. */
static uint64_t
addr_hash(const struct pkt_addr *a, uint64_t salt)
{
	uint64_t w0, w1, h;

	memcpy(&w0, a->a, 8);
	memcpy(&w1, a->a + 8, 8);
	/* The second word in after a multiply, then a full finaliser: an
	 * IPv6 prefix shared by every client and hosts told apart only in
	 * the last bytes must still spread over the low bits. */
	h = (w0 ^ salt) * 0x9e3779b97f4a7c15ull ^ w1;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 33);
}

static unsigned
addr_bucket(const struct pkt_addr *a)
{
	return (unsigned)addr_hash(a, a->family) & (PROBES_BUCKETS - 1);
}

static void
unlink_source(struct probes *pr, unsigned slot)
{
	struct probe_source *s = &pr->src[slot];
	uint16_t *link = &pr->bucket[addr_bucket(&s->addr)];

	while (*link != 0 && *link != slot + 1)
		link = &pr->src[*link - 1].hnext;
	if (*link == slot + 1)
		*link = s->hnext;
}

/* Slots looked at for the one to forget when the table is full. */
#define EVICT_LOOK 8

/* The record of addr, made (in place of the least recently active of a
 * few) when create is set; NULL otherwise when it has none. */
static struct probe_source *
source(struct probes *pr, const struct pkt_addr *addr, ta_time ts,
       bool create)
{
	unsigned b = addr_bucket(addr), slot = PROBES_SOURCES;
	struct probe_source *s;

	for (uint16_t i = pr->bucket[b]; i != 0; i = pr->src[i - 1].hnext)
		if (same_addr(&pr->src[i - 1].addr, addr))
			return &pr->src[i - 1];
	if (!create)
		return NULL;
	for (unsigned k = 0; k < EVICT_LOOK; k++) {
		unsigned c = (pr->clock + k) % PROBES_SOURCES;

		if (!pr->src[c].used) {
			slot = c;
			break;
		}
		if (slot == PROBES_SOURCES ||
		    pr->src[c].last_ts < pr->src[slot].last_ts)
			slot = c;
	}
	pr->clock = (slot + 1) % PROBES_SOURCES;
	s = &pr->src[slot];
	if (s->used) {
		pr->forgotten += s->probes;
		unlink_source(pr, slot);
	}
	memset(s, 0, sizeof *s);
	s->used = true;
	s->addr = *addr;
	s->last_ts = ts;
	s->hnext = pr->bucket[b];
	pr->bucket[b] = (uint16_t)(slot + 1);
	return s;
}

/* Forget the window's counts once the source went quiet for a window. */
static void
age(struct probe_source *s, ta_time ts)
{
	if (ts > s->last_ts && ts - s->last_ts > PROBES_WINDOW_NS) {
		s->ntargets = 0;
		s->talked = 0;
	}
	if (ts > s->last_ts)
		s->last_ts = ts;
}

/* The target's address and port. */
static uint32_t
target_hash(const struct pkt_addr *dst, uint16_t dport)
{
	return (uint32_t)addr_hash(dst, ((uint64_t)dport << 8) | dst->family);
}

static void
count(struct probes *pr, struct probe_source *s, enum tcp_probe kind)
{
	pr->total++;
	pr->by_kind[kind]++;
	if (s != NULL) {
		s->probes++;
		s->by_kind[kind]++;
	}
}

void
probes_opened(struct probes *pr, const struct pkt_addr *addr,
              const struct pkt_addr *dst, uint16_t dport, ta_time ts)
{
	struct probe_source *s = source(pr, addr, ts, true);
	uint32_t h = target_hash(dst, dport);

	age(s, ts);
	for (unsigned i = 0; i < s->ntargets; i++)
		if (s->target[i] == h)
			return;
	if (s->ntargets < PROBES_SCAN_TARGETS)
		s->target[s->ntargets++] = h;
}

/* The source opened connections to many targets lately and none of them
 * talked. */
static bool
scanning(const struct probe_source *s)
{
	unsigned need = s != NULL && s->probes > 0 ? PROBES_SCAN_TARGETS_KNOWN
	                                          : PROBES_SCAN_TARGETS;

	return s != NULL && s->ntargets >= need && s->talked == 0;
}

enum tcp_probe
probes_judge(struct probes *pr, const struct pkt_addr *addr,
             const struct tcp_outcome *o, bool payload, ta_time ts)
{
	struct probe_source *s = source(pr, addr, ts, false);
	enum tcp_probe kind = o->probe;

	/* Not aged here: a connection judged long after it was opened (an
	 * unanswered SYN waits for the idle timeout) belongs to the window
	 * it was opened in. */
	if (s != NULL && payload && s->talked < UINT32_MAX)
		s->talked++;
	/* A SYN refused or unanswered is a probe only when its source is
	 * scanning: alone it is what a client that failed to connect
	 * leaves. */
	if (kind == TCP_PROBE_NONE && !payload &&
	    (o->end == TCP_END_REFUSED || o->end == TCP_END_NO_ANSWER) &&
	    scanning(s))
		kind = TCP_PROBE_SYN_SCAN;
	if (kind != TCP_PROBE_NONE)
		count(pr, s != NULL ? s : source(pr, addr, ts, true), kind);
	return kind;
}

void
probes_lone_rst(struct probes *pr, const struct pkt *p, ta_time ts,
                ta_frame frame)
{
	struct probe_source *s = source(pr, &p->src, ts, true);

	age(s, ts);
	count(pr, s, TCP_PROBE_LONE_RST);
	tcp_rst_payload_keep(&pr->rst_payload, p, frame);
}
