/* reasm.c: per-direction TCP reassembly (RFC 9293 3.4, 3.10.7.4; RFC 1982). */
#include <stdlib.h>
#include <string.h>

#include "tcp/reasm.h"

/*
 * Offsets are taken relative to r->next modulo 2^32. An offset below HALF
 * lies ahead of next, one at or above it lies behind. Every run in the store
 * starts and ends below HALF, so inside the store plain unsigned comparisons
 * of offsets are exact even when the sequence numbers wrap.
 */
#define HALF 0x80000000u

/*
 * One buffered run: either captured bytes or a stretch the capture cut off
 * (caplen < wirelen), kept as a run so that it becomes a gap in its turn.
 */
struct reasm_seg {
	struct reasm_seg *next;
	uint32_t seq;
	uint32_t len;   /* sequence space covered */
	ta_frame frame; /* the packet that carried it: runs of different
	                 * packets are not joined, so each keeps its own */
	bool gap;       /* no bytes: the capture never had them */
	bool blind;     /* no bytes: captured, not kept (reasm_blind) */
	uint8_t data[]; /* len bytes, unless gap or blind */
};

/* What one segment turned out to be, tallied once into the counters. */
struct verdict {
	bool fresh;      /* it brought sequence space not seen before */
	bool overlapped; /* part of it was already delivered or buffered */
	bool conflicted; /* overlapping bytes differed from buffered ones */
	uint64_t need_bytes;
	uint32_t need_runs;
};

static uint32_t
rel(const struct reasm *r, uint32_t seq)
{
	return seq - r->next;
}

static uint32_t
min32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

static void
free_store(struct reasm *r)
{
	struct reasm_seg *s = r->ooo;

	while (s != NULL) {
		struct reasm_seg *n = s->next;

		free(s);
		s = n;
	}
	r->ooo = NULL;
	r->ooo_bytes = 0;
	r->ooo_count = 0;
}

/* Each emit advances next first, so the sink sees a consistent state, and
 * returns false when the sink stopped us: the store is gone by then. */
static bool
emit_data(struct reasm *r, const uint8_t *p, uint32_t n, ta_frame frame,
          const struct reasm_sink *sink, void *ctx)
{
	r->next += n;
	if (r->blind)
		return true;
	r->delivered += n;
	if (sink != NULL && sink->data != NULL)
		sink->data(ctx, p, n, frame);
	return !r->stopped;
}

enum gap_kind {
	GAP_LOST,   /* never seen, not known to have been acknowledged */
	GAP_ACKED,  /* acknowledged by the other side: lost by the capture */
	GAP_CUT,    /* on the wire, cut off by the capture's snap length */
};

static bool
emit_gap_as(struct reasm *r, uint32_t n, enum gap_kind kind, ta_frame frame,
            const struct reasm_sink *sink, void *ctx)
{
	bool acked = kind == GAP_ACKED;

	if (r->gaps < REASM_GAPS_KEPT) {
		r->gap_list[r->gaps].frame = frame;
		r->gap_list[r->gaps].bytes = n;
		r->gap_list[r->gaps].acked = acked;
		r->gap_list[r->gaps].cut = kind == GAP_CUT;
	}
	if (kind == GAP_CUT)
		r->cut_bytes += n;
	if (acked)
		r->acked_gap_bytes += n;
	r->next += n;
	r->gap_bytes += n;
	r->gaps++;
	if (!r->blind && sink != NULL && sink->gap != NULL)
		sink->gap(ctx, n, frame);
	return !r->stopped;
}

static bool
emit_gap(struct reasm *r, uint32_t n, ta_frame frame,
         const struct reasm_sink *sink, void *ctx)
{
	return emit_gap_as(r, n, GAP_LOST, frame, sink, ctx);
}

/*
 * Hand over the runs that now start at or behind next, trimming what next
 * already passed. Each run is unlinked before the sink sees it, so a
 * reasm_stop from the callback frees only the rest of the store.
 */
/*
 * own: each run is told at the packet that carried it (runs released
 * because a gap was declared: nothing completed them, they were there);
 * otherwise at frame, the packet that completed them.
 */
static bool
release_as(struct reasm *r, ta_frame frame, bool own,
           const struct reasm_sink *sink, void *ctx)
{
	while (r->ooo != NULL) {
		struct reasm_seg *s = r->ooo;
		uint32_t off = rel(r, s->seq);
		uint32_t skip;
		bool ok = true;

		if (off != 0 && off < HALF)
			break;
		skip = r->next - s->seq;
		r->ooo = s->next;
		r->ooo_count--;
		if (!s->gap && !s->blind)
			r->ooo_bytes -= s->len;
		if (skip < s->len) {
			ta_frame f = own && s->frame != 0 ? s->frame : frame;

			if (s->blind)
				r->next += s->len - skip;
			else if (s->gap)
				ok = emit_gap_as(r, s->len - skip, GAP_CUT,
				                 f, sink, ctx);
			else
				ok = emit_data(r, s->data + skip, s->len - skip,
				               f, sink, ctx);
		}
		free(s);
		if (!ok)
			return false;
	}
	return true;
}

static bool
release(struct reasm *r, ta_frame frame, const struct reasm_sink *sink,
        void *ctx)
{
	return release_as(r, frame, false, sink, ctx);
}

/*
 * Compare the run [a, b) (offsets; p holds its bytes, NULL for an uncaptured
 * run) with the store: which parts overlap, whether overlapping bytes
 * differ, and how many bytes and runs storing the rest would take. Only
 * buffered bytes can be compared: delivered ones are not kept.
 */
static void
survey(const struct reasm *r, uint32_t a, uint32_t b, const uint8_t *p,
       struct verdict *v)
{
	const struct reasm_seg *s;
	uint32_t pos = a;

	for (s = r->ooo; s != NULL && pos < b; s = s->next) {
		uint32_t ns = rel(r, s->seq);
		uint32_t ne = ns + s->len;
		uint32_t oa, ob;

		if (ne <= pos)
			continue;
		if (ns >= b)
			break;
		if (ns > pos) {
			v->fresh = true;
			v->need_runs++;
			if (p != NULL)
				v->need_bytes += ns - pos;
		}
		oa = ns > pos ? ns : pos;
		ob = min32(ne, b);
		v->overlapped = true;
		if (p != NULL && !s->gap && !s->blind &&
		    memcmp(p + (oa - a), s->data + (oa - ns), ob - oa) != 0)
			v->conflicted = true;
		pos = ob;
	}
	if (pos < b) {
		v->fresh = true;
		v->need_runs++;
		if (p != NULL)
			v->need_bytes += b - pos;
	}
}

/*
 * Store the piece [a, b) between *prev_link's run and nxt, merging it with
 * either neighbour it touches and resembles. Returns the link that points
 * at the run now holding the piece, or NULL when memory ran out: the piece
 * is then simply not kept, and shows up later as a hole like any loss.
 */
static struct reasm_seg **
place(struct reasm *r, struct reasm_seg **prev_link, struct reasm_seg **link,
      uint32_t a, uint32_t b, const uint8_t *p, bool blind, ta_frame frame)
{
	struct reasm_seg *prev = prev_link != NULL ? *prev_link : NULL;
	struct reasm_seg *nxt = *link;
	struct reasm_seg *s;
	struct reasm_seg **holder;
	bool gap = p == NULL && !blind;
	bool bytes = p != NULL && !blind;
	bool join_prev, join_next;
	uint32_t n = b - a;
	uint32_t at, total;

	/* Blind runs are never told at a packet: any two that touch join. */
	join_prev = prev != NULL && prev->gap == gap && prev->blind == blind &&
	    (blind || prev->frame == frame) &&
	    rel(r, prev->seq) + prev->len == a;
	join_next = nxt != NULL && nxt->gap == gap && nxt->blind == blind &&
	    (blind || nxt->frame == frame) && rel(r, nxt->seq) == b;
	total = n + (join_prev ? prev->len : 0) + (join_next ? nxt->len : 0);

	if (join_prev) {
		at = prev->len;
		s = prev;
		if (bytes) {
			s = realloc(prev, sizeof(*s) + (size_t)total);
			if (s == NULL)
				return NULL;
			*prev_link = s;
		}
		holder = prev_link;
	} else {
		at = 0;
		s = malloc(sizeof(*s) + (bytes ? (size_t)total : 0));
		if (s == NULL)
			return NULL;
		s->seq = r->next + a;
		s->gap = gap;
		s->blind = blind;
		s->frame = frame;
		s->next = nxt;
		*link = s;
		holder = link;
		r->ooo_count++;
	}
	if (bytes) {
		memcpy(s->data + at, p, n);
		r->ooo_bytes += n;
	}
	if (join_next) {
		if (bytes)
			memcpy(s->data + at + n, nxt->data, nxt->len);
		s->next = nxt->next;
		free(nxt);
		r->ooo_count--;
	}
	s->len = total;
	return holder;
}

/* Store the run [a, b) ahead of next; bytes already buffered win. */
static void
insert(struct reasm *r, uint32_t a, uint32_t b, const uint8_t *p, bool blind,
       ta_frame frame)
{
	struct reasm_seg **prev_link = NULL;
	struct reasm_seg **link = &r->ooo;
	uint32_t pos = a;

	while (pos < b) {
		struct reasm_seg *s = *link;
		struct reasm_seg **holder;
		uint32_t pe = b;

		if (s != NULL) {
			uint32_t ns = rel(r, s->seq);
			uint32_t ne = ns + s->len;

			if (ns <= pos) {
				if (ne > pos)
					pos = ne;
				prev_link = link;
				link = &s->next;
				continue;
			}
			pe = min32(ns, b);
		}
		holder = place(r, prev_link, link, pos, pe,
		               p != NULL ? p + (pos - a) : NULL, blind, frame);
		if (holder == NULL) {
			pos = pe;
			continue;
		}
		prev_link = holder;
		link = &(*holder)->next;
		pos = rel(r, (*holder)->seq) + (*holder)->len;
	}
}

static void
tally(struct reasm *r, const struct verdict *v)
{
	if (!v->fresh)
		r->retrans++;
	else if (v->overlapped)
		r->overlaps++;
	if (v->conflicted)
		r->conflicts++;
}

/*
 * A segment starting exactly at next while the store holds runs. It is
 * delivered whole from the caller's buffer; buffered bytes it overlaps are
 * trimmed afterwards (the receiver's stack, too, hands the in-order copy to
 * the application). Its uncaptured tail becomes a gap, except where the
 * store holds bytes for it.
 */
static void
in_order(struct reasm *r, const uint8_t *p, uint32_t caplen, uint32_t wirelen,
         struct verdict *v, ta_frame frame, const struct reasm_sink *sink,
         void *ctx)
{
	uint32_t end = r->next + wirelen;

	survey(r, 0, caplen, caplen > 0 ? p : NULL, v);
	survey(r, caplen, wirelen, NULL, v);
	v->fresh = true;
	tally(r, v);
	if (caplen > 0 && !emit_data(r, p, caplen, frame, sink, ctx))
		return;
	for (;;) {
		uint32_t rem, n;

		if (!release(r, frame, sink, ctx))
			return;
		rem = end - r->next;
		if (rem == 0 || rem >= HALF)
			return;
		/* This segment's tail that the snap length cut off. */
		n = r->ooo != NULL ? min32(rel(r, r->ooo->seq), rem) : rem;
		if (!emit_gap_as(r, n, GAP_CUT, frame, sink, ctx))
			return;
	}
}

void
reasm_init(struct reasm *r)
{
	memset(r, 0, sizeof(*r));
}

void
reasm_start(struct reasm *r, uint32_t seq)
{
	if (r->started)
		return;
	r->next = seq;
	r->started = true;
}

void
reasm_fin(struct reasm *r, uint32_t seq)
{
	if (r->fin_known)
		return;
	r->fin_seq = seq;
	r->fin_known = true;
}

void
reasm_segment(struct reasm *r, uint32_t seq, const uint8_t *p,
              size_t caplen, uint32_t wirelen, ta_frame frame,
              const struct reasm_sink *sink, void *ctx)
{
	struct verdict v;
	uint32_t cap, off;
	bool counted_ooo = false;

	if (r->stopped || wirelen == 0)
		return;
	/* Captured bytes past the wire length are link-layer padding. */
	cap = caplen < wirelen ? (uint32_t)caplen : wirelen;
	if (!r->started)
		reasm_start(r, seq);

	/* The common case: in order, nothing buffered. No copy. */
	if (seq == r->next && r->ooo == NULL && wirelen < HALF) {
		if (cap > 0 && !emit_data(r, p, cap, frame, sink, ctx))
			return;
		if (wirelen > cap)
			(void)emit_gap_as(r, wirelen - cap, GAP_CUT, frame,
			                  sink, ctx);
		return;
	}

	memset(&v, 0, sizeof(v));
	off = rel(r, seq);
	/* Half the sequence space away is neither ahead nor behind. */
	if (wirelen >= HALF || off == HALF ||
	    (off < HALF && off + wirelen >= HALF)) {
		r->wild++;
		return;
	}
	for (;;) {
		off = rel(r, seq);
		if (off >= HALF) {
			uint32_t back = r->next - seq;
			uint32_t skip = min32(back, cap);

			if (wirelen <= back) {
				tally(r, &v);
				return;
			}
			/* The front was delivered: trim it. Delivered bytes
			 * are not kept, so they cannot be checked for a
			 * conflict. */
			v.overlapped = true;
			if (skip > 0) {
				p += skip;
				cap -= skip;
			}
			wirelen -= back;
			seq = r->next;
			off = 0;
		}
		if (off == 0) {
			in_order(r, p, cap, wirelen, &v, frame, sink, ctx);
			return;
		}
		if (!counted_ooo) {
			r->ooo_segments++;
			counted_ooo = true;
		}
		v.need_bytes = 0;
		v.need_runs = 0;
		/* Blind: the captured part is noted, its bytes not kept. */
		survey(r, off, off + cap, cap > 0 && !r->blind ? p : NULL, &v);
		survey(r, off + cap, off + wirelen, NULL, &v);
		if (r->ooo_bytes + v.need_bytes <= TA_CAP_REASM_DIR &&
		    r->ooo_count + v.need_runs <= (r->blind ? REASM_BLIND_SEGS :
		                                   TA_CAP_REASM_SEGS)) {
			tally(r, &v);
			insert(r, off, off + cap, cap > 0 && !r->blind ? p : NULL,
			       r->blind, frame);
			insert(r, off + cap, off + wirelen, NULL, false, frame);
			return;
		}
		/*
		 * The store is full: give up on the hole at next, up to the
		 * first buffered run or this segment, whichever comes first
		 * (so that a segment filling part of the hole is not lost),
		 * deliver what that made contiguous and try again.
		 */
		r->ooo_overflow++;
		if (r->ooo != NULL)
			off = min32(off, rel(r, r->ooo->seq));
		if (!emit_gap(r, off, frame, sink, ctx))
			return;
		if (!release_as(r, frame, true, sink, ctx))
			return;
	}
}

/* The hole the other side acknowledged is still (partly) open. */
static bool
acked_open(const struct reasm *r)
{
	uint32_t d = rel(r, r->acked_to);

	return d != 0 && d < HALF;
}

/* Declare what is still missing below acked_to lost by the capture, and
 * deliver what that makes contiguous. Both are told at the packet that
 * first acknowledged the hole: from there on the bytes were due. */
static void
settle_acked(struct reasm *r, const struct reasm_sink *sink, void *ctx)
{
	ta_frame frame = r->acked_frame;

	r->acked_hole = false;
	r->acked_wait = 0;
	for (;;) {
		uint32_t d = rel(r, r->acked_to);
		uint32_t n = d;

		if (d == 0 || d >= HALF)
			return;
		if (r->ooo != NULL)
			n = min32(n, rel(r, r->ooo->seq));
		if (n > 0 && !emit_gap_as(r, n, GAP_ACKED, frame, sink, ctx))
			return;
		if (!release_as(r, frame, true, sink, ctx))
			return;
	}
}

void
reasm_ack(struct reasm *r, uint32_t ack, ta_frame frame,
          const struct reasm_sink *sink, void *ctx)
{
	uint32_t d;

	(void)sink;
	(void)ctx;
	if (r->stopped || !r->started)
		return;
	/* The FIN's sequence number carries no byte to wait for. */
	if (r->fin_known) {
		uint32_t past = ack - r->fin_seq;

		if (past != 0 && past < HALF)
			ack = r->fin_seq;
	}
	d = rel(r, ack);
	if (d == 0 || d >= HALF)
		return;
	if (!r->acked_hole) {
		r->acked_hole = true;
		r->acked_to = ack;
		r->acked_wait = 0;
		r->acked_frame = frame;
	} else if ((int32_t)(ack - r->acked_to) > 0) {
		r->acked_to = ack;
	}
}

void
reasm_tick(struct reasm *r, const struct reasm_sink *sink,
           void *ctx)
{
	if (!r->acked_hole || r->stopped)
		return;
	if (!acked_open(r)) {
		/* The segment came after its acknowledgement: in order now. */
		r->acked_hole = false;
		r->late_filled++;
		return;
	}
	if (++r->acked_wait > REASM_ACK_GRACE)
		settle_acked(r, sink, ctx);
}

void
reasm_flush(struct reasm *r, ta_frame frame, const struct reasm_sink *sink,
            void *ctx)
{
	if (r->stopped || !r->started)
		return;
	while (r->ooo != NULL) {
		uint32_t off = rel(r, r->ooo->seq);
		/* What the other side acknowledged of a hole was lost by the
		 * capture, counted as such; the rest of it may never have
		 * been sent (a hole acknowledged in part is two gaps). */
		uint32_t part = r->acked_hole && acked_open(r) ?
		    rel(r, r->acked_to) : 0;

		if (off != 0 && off < HALF) {
			part = min32(part, off);
			if (part > 0 && !emit_gap_as(r, part, GAP_ACKED,
			                             r->acked_frame, sink, ctx))
				return;
			if (off > part && !emit_gap_as(r, off - part, GAP_LOST,
			                               frame, sink, ctx))
				return;
		}
		if (!release_as(r, frame, true, sink, ctx))
			return;
	}
	if (r->acked_hole && acked_open(r)) {
		settle_acked(r, sink, ctx);
		if (r->stopped)
			return;
	}
	r->acked_hole = false;
	if (r->fin_known) {
		uint32_t d = rel(r, r->fin_seq);

		if (d != 0 && d < HALF)
			(void)emit_gap(r, d, frame, sink, ctx);
	}
}

void
reasm_stop(struct reasm *r)
{
	free_store(r);
	r->stopped = true;
}

void
reasm_blind(struct reasm *r)
{
	struct reasm_seg **link = &r->ooo;

	if (r->stopped || r->blind)
		return;
	r->blind = true;
	/* What the store holds stays known as captured; its bytes go. */
	while (*link != NULL) {
		struct reasm_seg *s = *link;

		if (!s->gap && !s->blind) {
			struct reasm_seg *t;

			r->ooo_bytes -= s->len;
			t = realloc(s, sizeof(*s));
			if (t != NULL)
				s = t;
			s->blind = true;
			*link = s;
		}
		link = &s->next;
	}
}

void
reasm_free(struct reasm *r)
{
	free_store(r);
}
