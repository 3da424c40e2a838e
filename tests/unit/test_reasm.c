/* test_reasm.c: TCP reassembly (RFC 9293 3.4, 3.10.7.4; RFC 1982). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcp/reasm.h"

/* ---- a recording sink: data concatenated, gaps and frames as events ---- */

#define REC_BUF (640u * 1024u)
#define REC_EVENTS 4096u

struct ev {
	bool gap;
	uint64_t n;
	size_t at; /* where its bytes start in buf (data events) */
	ta_frame frame;
	const uint8_t *p; /* the pointer the sink was handed */
};

struct rec {
	uint8_t *buf;
	size_t n;
	struct ev ev[REC_EVENTS];
	size_t nev;
	uint64_t gap_total;
	/* When set, reasm_stop(stop_r) once stop_after events were seen. */
	struct reasm *stop_r;
	size_t stop_after;
};

static void
rec_maybe_stop(struct rec *c)
{
	if (c->stop_r != NULL && c->nev >= c->stop_after)
		reasm_stop(c->stop_r);
}

static void
rec_data(void *ctx, const uint8_t *p, size_t n, ta_frame frame)
{
	struct rec *c = ctx;

	assert_true(n > 0);
	assert_true(c->n + n <= REC_BUF);
	assert_true(c->nev < REC_EVENTS);
	memcpy(c->buf + c->n, p, n);
	c->ev[c->nev].gap = false;
	c->ev[c->nev].n = n;
	c->ev[c->nev].at = c->n;
	c->ev[c->nev].frame = frame;
	c->ev[c->nev].p = p;
	c->nev++;
	c->n += n;
	rec_maybe_stop(c);
}

static void
rec_gap(void *ctx, uint64_t n, ta_frame frame)
{
	struct rec *c = ctx;

	assert_true(n > 0);
	assert_true(c->nev < REC_EVENTS);
	c->ev[c->nev].gap = true;
	c->ev[c->nev].n = n;
	c->ev[c->nev].at = c->n;
	c->ev[c->nev].frame = frame;
	c->ev[c->nev].p = NULL;
	c->nev++;
	c->gap_total += n;
	rec_maybe_stop(c);
}

static const struct reasm_sink rec_sink = { rec_data, rec_gap };

static struct rec *
rec_new(void)
{
	struct rec *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	c->buf = calloc(1, REC_BUF);
	assert_non_null(c->buf);
	return c;
}

static void
rec_del(struct rec *c)
{
	free(c->buf);
	free(c);
}

/* Data as text, each gap as "[n]". */
static const char *
rec_text(const struct rec *c, char *out, size_t outsz)
{
	size_t o = 0;
	size_t i;

	out[0] = '\0';
	for (i = 0; i < c->nev; i++) {
		int w;

		if (c->ev[i].gap)
			w = snprintf(out + o, outsz - o, "[%" PRIu64 "]",
			             c->ev[i].n);
		else
			w = snprintf(out + o, outsz - o, "%.*s",
			             (int)c->ev[i].n,
			             (const char *)c->buf + c->ev[i].at);
		assert_true(w >= 0 && (size_t)w < outsz - o);
		o += (size_t)w;
	}
	return out;
}

/* The reference stream the small cases cut their segments from. */
static const char S[] =
    "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/* Segment [off, off + len) of S, stream starting at isn. */
static void
feed(struct reasm *r, uint32_t isn, uint32_t off, uint32_t len,
     ta_frame frame, struct rec *c)
{
	assert_true(off + len <= sizeof(S) - 1);
	reasm_segment(r, isn + off, (const uint8_t *)S + off, len, len, frame,
	              &rec_sink, c);
}

static void
expect_text(const struct rec *c, const char *want)
{
	char buf[2048];

	assert_string_equal(rec_text(c, buf, sizeof(buf)), want);
}

/* ---- cases ---- */

static void
test_in_order(void **state)
{
	struct reasm r;
	struct rec *c = rec_new();
	const uint8_t *seg = (const uint8_t *)S + 3;

	(void)state;
	reasm_init(&r);
	reasm_start(&r, 1000);
	feed(&r, 1000, 0, 3, 1, c);
	reasm_segment(&r, 1003, seg, 4, 4, 2, &rec_sink, c);
	feed(&r, 1000, 7, 2, 3, c);
	expect_text(c, "abcdefghi");
	assert_int_equal(c->nev, 3);
	assert_int_equal(c->ev[0].frame, 1);
	assert_int_equal(c->ev[1].frame, 2);
	assert_int_equal(c->ev[2].frame, 3);
	/* Handed over from the caller's buffer, not a copy. */
	assert_ptr_equal(c->ev[1].p, seg);
	assert_int_equal(r.next, 1009);
	assert_int_equal(r.delivered, 9);
	assert_null(r.ooo);
	assert_int_equal(r.retrans, 0);
	assert_int_equal(r.overlaps, 0);
	assert_int_equal(r.ooo_segments, 0);
	assert_int_equal(r.gaps, 0);
	reasm_free(&r);
	rec_del(c);
}

static void
test_reverse_order(void **state)
{
	struct reasm r;
	struct rec *c = rec_new();
	uint32_t i;

	(void)state;
	reasm_init(&r);
	reasm_start(&r, 500);
	for (i = 0; i < 4; i++)
		feed(&r, 500, 2 * (4 - i), 2, i + 1, c);
	assert_int_equal(c->nev, 0);
	assert_int_equal(r.delivered, 0);
	assert_int_equal(r.ooo_segments, 4);
	assert_int_equal(r.ooo_bytes, 8);
	/* One run per segment: each keeps the packet that carried it. */
	assert_int_equal(r.ooo_count, 4);
	feed(&r, 500, 0, 2, 5, c);
	expect_text(c, "abcdefghij");
	for (i = 0; i < c->nev; i++)
		assert_int_equal(c->ev[i].frame, 5);
	assert_int_equal(r.next, 510);
	assert_null(r.ooo);
	assert_int_equal(r.ooo_bytes, 0);
	assert_int_equal(r.ooo_count, 0);
	assert_int_equal(r.retrans, 0);
	assert_int_equal(r.overlaps, 0);
	reasm_free(&r);
	rec_del(c);
}

static void
test_retransmissions(void **state)
{
	struct reasm r;
	struct rec *c = rec_new();

	(void)state;
	reasm_init(&r);
	reasm_start(&r, 0);
	feed(&r, 0, 0, 4, 1, c);
	feed(&r, 0, 4, 4, 2, c);
	feed(&r, 0, 0, 4, 3, c);
	feed(&r, 0, 2, 6, 4, c);
	assert_int_equal(r.retrans, 2);
	expect_text(c, "abcdefgh");
	/* A duplicate of buffered bytes is a retransmission too. */
	feed(&r, 0, 12, 4, 5, c);
	feed(&r, 0, 12, 4, 6, c);
	feed(&r, 0, 13, 2, 7, c);
	assert_int_equal(r.retrans, 4);
	assert_int_equal(r.ooo_bytes, 4);
	feed(&r, 0, 8, 4, 8, c);
	expect_text(c, "abcdefghijklmnop");
	assert_int_equal(r.overlaps, 0);
	assert_int_equal(r.conflicts, 0);
	assert_int_equal(r.delivered, 16);
	reasm_free(&r);
	rec_del(c);
}

static void
test_overlaps(void **state)
{
	struct reasm r;
	struct rec *c = rec_new();

	(void)state;
	reasm_init(&r);
	reasm_start(&r, 7);
	feed(&r, 7, 0, 6, 1, c);
	/* Front overlap with delivered bytes: trimmed. */
	feed(&r, 7, 3, 6, 2, c);
	assert_int_equal(r.overlaps, 1);
	expect_text(c, "abcdefghi");
	feed(&r, 7, 12, 4, 3, c);
	feed(&r, 7, 20, 4, 4, c);
	/* Back overlap with a buffered run. */
	feed(&r, 7, 18, 3, 5, c);
	assert_int_equal(r.overlaps, 2);
	assert_int_equal(r.ooo_bytes, 10);
	/* Spans two buffered runs: only the holes are stored. */
	feed(&r, 7, 10, 12, 6, c);
	assert_int_equal(r.overlaps, 3);
	assert_int_equal(r.ooo_bytes, 14);
	/* Runs of frames 3 and 4 (and 5's front), frame 6's two holes. */
	assert_int_equal(r.ooo_count, 5);
	/* In order, overlapping the buffered run's front. */
	feed(&r, 7, 9, 3, 7, c);
	assert_int_equal(r.overlaps, 4);
	expect_text(c, "abcdefghijklmnopqrstuvwx");
	assert_int_equal(r.delivered, 24);
	assert_null(r.ooo);
	feed(&r, 7, 6, 6, 8, c);
	assert_int_equal(r.retrans, 1);
	assert_int_equal(r.conflicts, 0);
	reasm_free(&r);
	rec_del(c);
}

static void
test_conflicts(void **state)
{
	static const char x[] = "XXXXXXXXXX";
	static const char y[] = "YYYYYYY";
	static const char z[] = "ZZZZZ";
	struct reasm r;
	struct rec *c = rec_new();

	(void)state;
	reasm_init(&r);
	reasm_start(&r, 0);
	feed(&r, 0, 10, 10, 1, c);
	/* Differs from buffered bytes 15..19: the first copy wins. */
	reasm_segment(&r, 15, (const uint8_t *)x, 10, 10, 2, &rec_sink, c);
	assert_int_equal(r.overlaps, 1);
	assert_int_equal(r.conflicts, 1);
	/* Wholly inside a buffered run and agreeing with it. */
	feed(&r, 0, 12, 4, 3, c);
	assert_int_equal(r.retrans, 1);
	assert_int_equal(r.conflicts, 1);
	feed(&r, 0, 0, 10, 4, c);
	expect_text(c, "abcdefghijklmnopqrstXXXXX");
	/* In order over buffered bytes that differ: the in-order copy is
	 * delivered, the conflict counted. */
	feed(&r, 0, 30, 5, 5, c);
	reasm_segment(&r, 25, (const uint8_t *)y, 7, 7, 6, &rec_sink, c);
	assert_int_equal(r.overlaps, 2);
	assert_int_equal(r.conflicts, 2);
	expect_text(c, "abcdefghijklmnopqrstXXXXXYYYYYYY678");
	/* Delivered bytes are gone: a differing copy of them can only be
	 * counted as a retransmission. */
	reasm_segment(&r, 0, (const uint8_t *)z, 5, 5, 7, &rec_sink, c);
	assert_int_equal(r.retrans, 2);
	assert_int_equal(r.conflicts, 2);
	reasm_free(&r);
	rec_del(c);
}

static void
test_wraparound(void **state)
{
	const uint32_t isn = 0xfffffff0u;
	struct reasm r;
	struct rec *c = rec_new();

	(void)state;
	reasm_init(&r);
	reasm_start(&r, isn);
	feed(&r, isn, 20, 10, 1, c);
	/* Straddles 0xffffffff -> 0. */
	feed(&r, isn, 8, 12, 2, c);
	feed(&r, isn, 30, 6, 3, c);
	feed(&r, isn, 10, 3, 4, c);
	assert_int_equal(c->nev, 0);
	/* Frame 4's bytes lie inside frame 2's run: nothing new stored. */
	assert_int_equal(r.ooo_count, 3);
	assert_int_equal(r.ooo_bytes, 28);
	feed(&r, isn, 0, 8, 5, c);
	expect_text(c, "abcdefghijklmnopqrstuvwxyz0123456789");
	assert_int_equal(r.next, 0x14);
	assert_int_equal(r.retrans, 1);
	/* Behind next across the wrap. */
	feed(&r, isn, 0, 8, 6, c);
	feed(&r, isn, 12, 10, 7, c);
	assert_int_equal(r.retrans, 3);
	assert_int_equal(r.delivered, 36);
	assert_int_equal(r.wild, 0);
	reasm_free(&r);
	rec_del(c);
}

static void
test_wild(void **state)
{
	struct reasm r;
	struct rec *c = rec_new();

	(void)state;
	reasm_init(&r);
	reasm_start(&r, 100);
	feed(&r, 100, 0, 4, 1, c);
	reasm_segment(&r, 104u + 0x80000000u, (const uint8_t *)S, 4, 4, 2,
	              &rec_sink, c);
	assert_int_equal(r.wild, 1);
	/* Ahead, but its end reaches half the sequence space. */
	reasm_segment(&r, 104u + 0x7ffffffeu, (const uint8_t *)S, 4, 4, 3,
	              &rec_sink, c);
	assert_int_equal(r.wild, 2);
	reasm_segment(&r, 104u, (const uint8_t *)S, 4, 0x80000000u, 4,
	              &rec_sink, c);
	assert_int_equal(r.wild, 3);
	/* Just inside: kept. */
	reasm_segment(&r, 104u + 0x7ffffff0u, (const uint8_t *)S, 4, 4, 5,
	              &rec_sink, c);
	assert_int_equal(r.wild, 3);
	assert_int_equal(r.ooo_segments, 1);
	assert_int_equal(r.ooo_bytes, 4);
	assert_non_null(r.ooo);
	assert_int_equal(r.retrans, 0);
	assert_int_equal(r.delivered, 4);
	assert_int_equal(c->nev, 1);
	reasm_free(&r);
	assert_null(r.ooo);
	rec_del(c);
}

static void
test_truncated(void **state)
{
	static const uint8_t pad[6] = { 'a', 'b', 0, 0, 0, 0 };
	struct reasm r;
	struct rec *c = rec_new();

	(void)state;
	reasm_init(&r);
	reasm_start(&r, 0);
	/* In order, snaplen cut it after 4 bytes. */
	reasm_segment(&r, 0, (const uint8_t *)S, 4, 10, 1, &rec_sink, c);
	expect_text(c, "abcd[6]");
	assert_int_equal(r.next, 10);
	assert_int_equal(c->ev[1].frame, 1);
	/* Ahead and cut: its tail stays a hole to declare in its turn. */
	reasm_segment(&r, 20, (const uint8_t *)S + 20, 3, 10, 2, &rec_sink, c);
	assert_int_equal(r.ooo_bytes, 3);
	feed(&r, 0, 10, 10, 3, c);
	expect_text(c, "abcd[6]klmnopqrstuvw[7]");
	assert_int_equal(r.next, 30);
	assert_int_equal(r.gaps, 2);
	assert_int_equal(r.gap_bytes, 13);
	assert_int_equal(r.delivered, 17);
	/* Cut in order while the store holds bytes of its tail: those win. */
	feed(&r, 0, 36, 2, 4, c);
	reasm_segment(&r, 30, (const uint8_t *)S + 30, 2, 10, 5, &rec_sink, c);
	expect_text(c, "abcd[6]klmnopqrstuvw[7]45[4]AB[2]");
	assert_int_equal(r.next, 40);
	assert_null(r.ooo);
	/* Captured past the wire length: link padding, dropped. */
	reasm_segment(&r, 40, pad, sizeof(pad), 2, 6, &rec_sink, c);
	expect_text(c, "abcd[6]klmnopqrstuvw[7]45[4]AB[2]ab");
	assert_int_equal(r.next, 42);
	reasm_free(&r);
	rec_del(c);
}

/* n more packets of the connection go by. */
static void
ticks(struct reasm *r, unsigned n, struct rec *c)
{
	for (unsigned i = 0; i < n; i++)
		reasm_tick(r, &rec_sink, c);
}

static void
test_ack_gap(void **state)
{
	struct reasm r;
	struct rec *c = rec_new();

	(void)state;
	reasm_init(&r);
	/* Before start nothing is known. */
	reasm_ack(&r, 50, 1, &rec_sink, c);
	ticks(&r, REASM_ACK_GRACE + 1, c);
	assert_int_equal(c->nev, 0);
	reasm_start(&r, 0);
	feed(&r, 0, 0, 5, 2, c);
	feed(&r, 0, 10, 5, 3, c);
	reasm_ack(&r, 5, 4, &rec_sink, c);
	reasm_ack(&r, 3, 4, &rec_sink, c);
	reasm_ack(&r, 0x80000005u, 4, &rec_sink, c);
	ticks(&r, REASM_ACK_GRACE + 1, c);
	assert_int_equal(r.gaps, 0);
	expect_text(c, "abcde");
	/* The receiver had 5..9: the capture lost them, but only once the
	 * grace for a late segment ran out. */
	reasm_ack(&r, 15, 5, &rec_sink, c);
	ticks(&r, REASM_ACK_GRACE, c);
	expect_text(c, "abcde");
	ticks(&r, 1, c);
	expect_text(c, "abcde[5]klmno");
	/* The gap told at the packet that acknowledged it, the bytes after
	 * it at the packet that carried them. */
	assert_int_equal(c->ev[1].frame, 5);
	assert_int_equal(c->ev[2].frame, 3);
	assert_int_equal(r.gaps, 1);
	assert_int_equal(r.acked_gap_bytes, 5);
	/* Several holes below one ack, and one above it left waiting. */
	feed(&r, 0, 17, 2, 6, c);
	feed(&r, 0, 21, 2, 7, c);
	feed(&r, 0, 26, 2, 8, c);
	reasm_ack(&r, 24, 9, &rec_sink, c);
	ticks(&r, REASM_ACK_GRACE + 1, c);
	expect_text(c, "abcde[5]klmno[2]rs[2]vw[1]");
	assert_int_equal(r.next, 24);
	assert_int_equal(r.ooo_bytes, 2);
	/* Nothing buffered: the gap runs to the ack. */
	feed(&r, 0, 24, 4, 10, c);
	reasm_ack(&r, 30, 11, &rec_sink, c);
	ticks(&r, REASM_ACK_GRACE + 1, c);
	expect_text(c, "abcde[5]klmno[2]rs[2]vw[1]yz01[2]");
	/* The FIN's sequence number is no lost byte. */
	feed(&r, 0, 30, 3, 12, c);
	reasm_fin(&r, 33);
	reasm_ack(&r, 34, 13, &rec_sink, c);
	ticks(&r, REASM_ACK_GRACE + 1, c);
	expect_text(c, "abcde[5]klmno[2]rs[2]vw[1]yz01[2]456");
	assert_int_equal(r.gaps, 5);
	assert_int_equal(r.gap_bytes, 12);
	assert_int_equal(r.acked_gap_bytes, 12);
	reasm_free(&r);
	rec_del(c);
}

/*
 * A span port delivers the second segment of a flight, then the other
 * side's acknowledgement of both, then the first segment: the stream must
 * read as if in order, with no gap.
 */
static void
test_ack_before_segment(void **state)
{
	struct reasm r;
	struct rec *c = rec_new();

	(void)state;
	reasm_init(&r);
	reasm_start(&r, 100);
	feed(&r, 100, 10, 10, 1, c);
	reasm_ack(&r, 120, 2, &rec_sink, c);
	ticks(&r, 3, c);
	expect_text(c, "");
	feed(&r, 100, 0, 10, 3, c);
	ticks(&r, 1, c);
	expect_text(c, "abcdefghijklmnopqrst");
	assert_int_equal(r.gaps, 0);
	assert_int_equal(r.late_filled, 1);
	assert_false(r.acked_hole);
	/* The grace running out later changes nothing. */
	ticks(&r, REASM_ACK_GRACE + 1, c);
	reasm_flush(&r, 5, &rec_sink, c);
	assert_int_equal(r.gaps, 0);
	reasm_free(&r);
	rec_del(c);
}

/* Acknowledged bytes that never came are declared at the end. */
static void
test_ack_flush(void **state)
{
	struct reasm r;
	struct rec *c = rec_new();

	(void)state;
	reasm_init(&r);
	reasm_start(&r, 0);
	feed(&r, 0, 0, 4, 1, c);
	reasm_ack(&r, 10, 2, &rec_sink, c);
	ticks(&r, 2, c);
	expect_text(c, "abcd");
	reasm_flush(&r, 3, &rec_sink, c);
	expect_text(c, "abcd[6]");
	assert_int_equal(r.acked_gap_bytes, 6);
	assert_int_equal(r.gap_list[0].bytes, 6);
	assert_true(r.gap_list[0].acked);
	assert_int_equal(r.gap_list[0].frame, 2);
	/* Cut by the snap length: a gap nobody acknowledged. */
	reasm_segment(&r, 10, (const uint8_t *)S + 10, 2, 5, 4, &rec_sink, c);
	assert_int_equal(r.gaps, 2);
	assert_int_equal(r.gap_list[1].bytes, 3);
	assert_false(r.gap_list[1].acked);
	assert_true(r.gap_list[1].cut);
	assert_false(r.gap_list[0].cut);
	assert_int_equal(r.cut_bytes, 3);
	assert_int_equal(r.acked_gap_bytes, 6);
	/* An acknowledged hole before a buffered run, at the end. */
	reasm_free(&r);
	reasm_init(&r);
	rec_del(c);
	c = rec_new();
	reasm_start(&r, 0);
	feed(&r, 0, 0, 2, 1, c);
	feed(&r, 0, 5, 3, 2, c);
	reasm_ack(&r, 8, 3, &rec_sink, c);
	reasm_flush(&r, 4, &rec_sink, c);
	expect_text(c, "ab[3]fgh");
	assert_int_equal(r.acked_gap_bytes, 3);
	assert_int_equal(r.gaps, 1);
	/* A hole acknowledged in part, at the end: the acknowledged part
	 * was lost by the capture, the rest is not known to have been sent:
	 * two gaps. */
	reasm_free(&r);
	reasm_init(&r);
	rec_del(c);
	c = rec_new();
	reasm_start(&r, 0);
	feed(&r, 0, 0, 2, 1, c);
	feed(&r, 0, 8, 3, 2, c);
	reasm_ack(&r, 5, 3, &rec_sink, c);
	reasm_flush(&r, 4, &rec_sink, c);
	expect_text(c, "ab[3][3]ijk");
	assert_int_equal(r.gaps, 2);
	assert_int_equal(r.gap_list[0].bytes, 3);
	assert_true(r.gap_list[0].acked);
	assert_int_equal(r.gap_list[0].frame, 3);
	assert_int_equal(r.gap_list[1].bytes, 3);
	assert_false(r.gap_list[1].acked);
	assert_int_equal(r.gap_list[1].frame, 4);
	assert_int_equal(r.acked_gap_bytes, 3);
	reasm_free(&r);
	rec_del(c);
}

static void
check_bounded(const struct reasm *r)
{
	assert_true(r->ooo_bytes <= TA_CAP_REASM_DIR);
	assert_true(r->ooo_count <= TA_CAP_REASM_SEGS);
}

static void
test_overflow(void **state)
{
	const uint32_t seg = 1000;
	const uint32_t fit = TA_CAP_REASM_DIR / seg;
	uint8_t *big = malloc(TA_CAP_REASM_DIR + 4096);
	struct reasm r;
	struct rec *c = rec_new();
	uint32_t i;

	(void)state;
	assert_non_null(big);
	for (i = 0; i < TA_CAP_REASM_DIR + 4096; i++)
		big[i] = (uint8_t)(i * 7u + i / 251u);
	reasm_init(&r);
	reasm_start(&r, 0);
	/* A hole of seg bytes at 0, then more than the store can hold. */
	for (i = 1; i <= fit; i++) {
		reasm_segment(&r, i * seg, big + i * seg, seg, seg, i,
		              &rec_sink, c);
		check_bounded(&r);
	}
	assert_int_equal(r.ooo_bytes, fit * seg);
	assert_int_equal(r.ooo_overflow, 0);
	reasm_segment(&r, (fit + 1) * seg, big + (fit + 1) * seg, seg, seg,
	              fit + 1, &rec_sink, c);
	check_bounded(&r);
	assert_int_equal(r.ooo_overflow, 1);
	assert_int_equal(r.gaps, 1);
	assert_int_equal(r.gap_bytes, seg);
	assert_int_equal(c->ev[0].n, seg);
	assert_true(c->ev[0].gap);
	assert_int_equal(r.delivered, fit * seg + seg);
	assert_memory_equal(c->buf, big + seg, fit * seg + seg);
	assert_null(r.ooo);
	assert_int_equal(r.ooo_bytes, 0);
	reasm_free(&r);
	rec_del(c);
	free(big);
}

static void
test_overflow_fills_hole(void **state)
{
	const uint32_t seg = 1024;
	const uint32_t fit = TA_CAP_REASM_DIR / seg;
	uint8_t *big = malloc(TA_CAP_REASM_DIR + 3 * 1024);
	struct reasm r;
	struct rec *c = rec_new();
	uint32_t i;

	(void)state;
	assert_non_null(big);
	for (i = 0; i < TA_CAP_REASM_DIR + 3 * 1024; i++)
		big[i] = (uint8_t)(i ^ (i >> 9));
	reasm_init(&r);
	reasm_start(&r, 0);
	/* The store is exactly full with [2 * seg, ...). */
	for (i = 0; i < fit; i++)
		reasm_segment(&r, (i + 2) * seg, big + (i + 2) * seg, seg, seg,
		              i + 1, &rec_sink, c);
	assert_int_equal(r.ooo_bytes, TA_CAP_REASM_DIR);
	/* Part of the hole arrives: only the bytes before it are lost. */
	reasm_segment(&r, seg, big + seg, seg, seg, 999, &rec_sink, c);
	assert_int_equal(r.ooo_overflow, 1);
	assert_int_equal(r.gap_bytes, seg);
	assert_int_equal(r.delivered, (fit + 1) * seg);
	assert_memory_equal(c->buf, big + seg, (fit + 1) * seg);
	assert_int_equal(c->ev[1].frame, 999);
	assert_null(r.ooo);
	reasm_free(&r);
	rec_del(c);
	free(big);
}

static void
test_overflow_oversized(void **state)
{
	const size_t n = TA_CAP_REASM_DIR + 100;
	uint8_t *big = calloc(1, n);
	struct reasm r;
	struct rec *c = rec_new();

	(void)state;
	assert_non_null(big);
	big[0] = 1;
	big[n - 1] = 2;
	reasm_init(&r);
	reasm_start(&r, 0);
	/* Larger than the whole store: the hole before it is given up and
	 * the segment goes straight through. */
	reasm_segment(&r, 10, big, n, (uint32_t)n, 1, &rec_sink, c);
	assert_int_equal(r.ooo_overflow, 1);
	assert_int_equal(r.gap_bytes, 10);
	assert_int_equal(r.delivered, n);
	assert_ptr_equal(c->ev[1].p, big);
	assert_null(r.ooo);
	reasm_free(&r);
	rec_del(c);
	free(big);
}

static void
test_runs_bounded(void **state)
{
	struct reasm r;
	struct rec *c = rec_new();
	uint32_t i;

	(void)state;
	reasm_init(&r);
	reasm_start(&r, 0);
	/* One byte every other sequence number: each is a run of its own. */
	for (i = 1; i <= 3 * TA_CAP_REASM_SEGS; i++) {
		reasm_segment(&r, 2 * i, (const uint8_t *)S, 1, 1, i,
		              &rec_sink, c);
		check_bounded(&r);
	}
	assert_int_equal(r.ooo_overflow, 2 * TA_CAP_REASM_SEGS);
	assert_int_equal(r.ooo_count, TA_CAP_REASM_SEGS);
	assert_int_equal(r.delivered, 2 * TA_CAP_REASM_SEGS);
	assert_int_equal(r.gaps, 2 * TA_CAP_REASM_SEGS);
	reasm_free(&r);
	assert_null(r.ooo);
	assert_int_equal(r.ooo_count, 0);
	reasm_free(&r);
	rec_del(c);
}

static void
test_flush(void **state)
{
	struct reasm r;
	struct rec *c = rec_new();
	size_t i;

	(void)state;
	reasm_init(&r);
	reasm_start(&r, 0);
	feed(&r, 0, 10, 5, 1, c);
	feed(&r, 0, 20, 2, 2, c);
	reasm_segment(&r, 30, (const uint8_t *)S + 30, 5, 10, 3, &rec_sink, c);
	reasm_fin(&r, 45);
	reasm_fin(&r, 99);
	reasm_flush(&r, 9, &rec_sink, c);
	expect_text(c, "[10]klmno[5]uv[8]45678[5][5]");
	/* Holes told at the flush, buffered bytes (and a tail the snap
	 * length cut) at the packet that carried them. */
	{
		static const ta_frame want[] = { 9, 1, 9, 2, 9, 3, 3, 9 };

		assert_int_equal(c->nev, TA_ELEMENTS(want));
		for (i = 0; i < c->nev; i++)
			assert_int_equal(c->ev[i].frame, want[i]);
	}
	assert_int_equal(r.gaps, 5);
	assert_int_equal(r.gap_bytes, 33);
	assert_int_equal(r.delivered, 12);
	assert_int_equal(r.next, 45);
	assert_null(r.ooo);
	assert_int_equal(r.ooo_count, 0);
	/* Nothing left: a second flush declares nothing. */
	reasm_flush(&r, 10, &rec_sink, c);
	assert_int_equal(r.gaps, 5);
	reasm_free(&r);
	rec_del(c);
}

static void
test_stop_in_callback(void **state)
{
	struct reasm r;
	struct rec *c = rec_new();
	uint64_t delivered;

	(void)state;
	/* Stop while the store hands over a run, with more runs buffered. */
	reasm_init(&r);
	reasm_start(&r, 0);
	c->stop_r = &r;
	c->stop_after = 2;
	feed(&r, 0, 5, 5, 1, c);
	feed(&r, 0, 12, 8, 2, c);
	feed(&r, 0, 22, 8, 3, c);
	feed(&r, 0, 0, 5, 4, c);
	expect_text(c, "abcdefghij");
	assert_true(r.stopped);
	assert_null(r.ooo);
	assert_int_equal(r.ooo_bytes, 0);
	delivered = r.delivered;
	/* Everything after is a no-op, not even counted. */
	feed(&r, 0, 10, 2, 5, c);
	feed(&r, 0, 0, 5, 6, c);
	reasm_ack(&r, 40, 7, &rec_sink, c);
	reasm_flush(&r, 8, &rec_sink, c);
	assert_int_equal(r.delivered, delivered);
	assert_int_equal(r.retrans, 0);
	assert_int_equal(r.gaps, 0);
	assert_int_equal(c->nev, 2);
	reasm_free(&r);
	reasm_free(&r);

	/* Stop on the in-order bytes themselves, the store still full. */
	memset(c->ev, 0, sizeof(c->ev));
	c->nev = 0;
	c->n = 0;
	reasm_init(&r);
	reasm_start(&r, 0);
	c->stop_r = &r;
	c->stop_after = 1;
	feed(&r, 0, 5, 5, 1, c);
	feed(&r, 0, 12, 8, 2, c);
	feed(&r, 0, 0, 5, 3, c);
	expect_text(c, "abcde");
	assert_true(r.stopped);
	assert_null(r.ooo);

	/* Stop from the gap callback during a flush. */
	c->nev = 0;
	c->n = 0;
	reasm_init(&r);
	reasm_start(&r, 0);
	c->stop_r = &r;
	c->stop_after = 1;
	feed(&r, 0, 5, 5, 1, c);
	feed(&r, 0, 12, 8, 2, c);
	reasm_flush(&r, 3, &rec_sink, c);
	expect_text(c, "[5]");
	assert_true(r.stopped);
	assert_null(r.ooo);

	/* Stop from the gap of a truncated in-order segment. */
	c->nev = 0;
	c->n = 0;
	reasm_init(&r);
	reasm_start(&r, 0);
	c->stop_r = &r;
	c->stop_after = 2;
	feed(&r, 0, 12, 8, 1, c);
	reasm_segment(&r, 0, (const uint8_t *)S, 3, 10, 2, &rec_sink, c);
	expect_text(c, "abc[7]");
	assert_null(r.ooo);
	reasm_free(&r);

	/* Stop on the captured part of a cut segment: its tail gap must not
	 * follow, whether the store is empty (fast path) or not. */
	c->nev = 0;
	c->n = 0;
	reasm_init(&r);
	reasm_start(&r, 0);
	c->stop_r = &r;
	c->stop_after = 1;
	reasm_segment(&r, 0, (const uint8_t *)S, 3, 10, 1, &rec_sink, c);
	expect_text(c, "abc");
	assert_int_equal(r.gaps, 0);
	c->nev = 0;
	c->n = 0;
	reasm_init(&r);
	reasm_start(&r, 0);
	feed(&r, 0, 12, 8, 1, c);
	reasm_segment(&r, 0, (const uint8_t *)S, 3, 10, 2, &rec_sink, c);
	expect_text(c, "abc");
	assert_int_equal(r.gaps, 0);
	assert_null(r.ooo);
	reasm_free(&r);
	rec_del(c);
}

static void
test_frames(void **state)
{
	struct reasm r;
	struct rec *c = rec_new();
	const ta_frame f1 = TA_FRAME(1, 11);
	const ta_frame f2 = TA_FRAME(1, 12);
	const ta_frame f3 = TA_FRAME(1, 13);

	(void)state;
	reasm_init(&r);
	reasm_start(&r, 0);
	feed(&r, 0, 10, 10, f1, c);
	feed(&r, 0, 20, 10, f2, c);
	feed(&r, 0, 0, 5, TA_FRAME(1, 14), c);
	assert_int_equal(c->nev, 1);
	assert_int_equal(c->ev[0].frame, TA_FRAME(1, 14));
	/* The call that fills the hole completes both runs. */
	feed(&r, 0, 5, 5, f3, c);
	expect_text(c, "abcdefghijklmnopqrstuvwxyz0123");
	assert_int_equal(c->ev[1].frame, f3);
	assert_int_equal(c->ev[2].frame, f3);
	assert_int_equal(TA_FRAME_NO(c->ev[2].frame), 13);
	assert_int_equal(TA_FRAME_FILE(c->ev[2].frame), 1);
	reasm_free(&r);
	rec_del(c);
}

static void
test_null_callbacks(void **state)
{
	static const struct reasm_sink none = { NULL, NULL };
	struct reasm r;

	(void)state;
	reasm_init(&r);
	reasm_start(&r, 0);
	reasm_segment(&r, 0, (const uint8_t *)S, 4, 4, 1, &none, NULL);
	reasm_segment(&r, 8, (const uint8_t *)S + 8, 4, 4, 2, &none, NULL);
	reasm_segment(&r, 4, (const uint8_t *)S + 4, 2, 2, 3, NULL, NULL);
	reasm_ack(&r, 8, 4, &none, NULL);
	for (unsigned i = 0; i <= REASM_ACK_GRACE; i++)
		reasm_tick(&r, NULL, NULL);
	reasm_segment(&r, 12, (const uint8_t *)S + 12, 2, 6, 5, NULL, NULL);
	assert_int_equal(r.delivered, 12);
	assert_int_equal(r.gaps, 2);
	assert_int_equal(r.gap_bytes, 6);
	assert_int_equal(r.next, 18);
	assert_null(r.ooo);
	reasm_free(&r);
}

static void
test_start_rules(void **state)
{
	struct reasm r;
	struct rec *c = rec_new();

	(void)state;
	reasm_init(&r);
	assert_false(r.started);
	/* No start: the first segment starts the stream. */
	feed(&r, 5000, 3, 4, 1, c);
	assert_true(r.started);
	assert_int_equal(r.next, 5007);
	reasm_start(&r, 1);
	assert_int_equal(r.next, 5007);
	feed(&r, 5000, 7, 2, 2, c);
	expect_text(c, "defghi");
	reasm_free(&r);
	rec_del(c);
}

/* ---- randomized: shuffled, duplicated, overlapping cuts of one stream ---- */

static uint64_t
rnd(uint64_t *s)
{
	/* xorshift64* */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

static uint32_t
rnd_below(uint64_t *s, uint32_t n)
{
	return (uint32_t)(rnd(s) % n);
}

struct cut {
	uint32_t off, len;
};

#define RAND_MAX_LEN 60000u
#define RAND_MAX_CUTS 512u

/* Where each byte landed: rebuilt from data and gap callbacks. */
struct image {
	uint8_t *b;
	bool *have;
	uint64_t pos;
	uint64_t size;
};

static void
img_data(void *ctx, const uint8_t *p, size_t n, ta_frame frame)
{
	struct image *m = ctx;
	size_t i;

	(void)frame;
	assert_true(m->pos + n <= m->size);
	for (i = 0; i < n; i++) {
		m->b[m->pos + i] = p[i];
		m->have[m->pos + i] = true;
	}
	m->pos += n;
}

static void
img_gap(void *ctx, uint64_t n, ta_frame frame)
{
	struct image *m = ctx;

	(void)frame;
	m->pos += n;
	assert_true(m->pos <= m->size);
}

static const struct reasm_sink img_sink = { img_data, img_gap };

/* Cut [0, len) into pieces, add duplicates and overlapping re-cuts,
 * optionally drop some pieces; shuffle. Returns the count. */
static size_t
make_cuts(uint64_t *s, uint32_t len, bool lossy, struct cut *cuts)
{
	size_t n = 0, i;
	uint32_t off = 0;

	while (off < len) {
		uint32_t l = 1 + rnd_below(s, 2000);

		if (l > len - off)
			l = len - off;
		assert_true(n + 2 <= RAND_MAX_CUTS);
		if (!lossy || rnd_below(s, 10) != 0) {
			cuts[n].off = off;
			cuts[n].len = l;
			n++;
			if (rnd_below(s, 5) == 0) {
				cuts[n] = cuts[n - 1];
				n++;
			}
		}
		off += l;
	}
	for (i = rnd_below(s, 8); i > 0; i--) {
		uint32_t a = rnd_below(s, len);
		uint32_t l = 1 + rnd_below(s, 3000);

		if (l > len - a)
			l = len - a;
		if (lossy && rnd_below(s, 2) == 0)
			continue;
		assert_true(n < RAND_MAX_CUTS);
		cuts[n].off = a;
		cuts[n].len = l;
		n++;
	}
	for (i = n; i > 1; i--) {
		size_t j = rnd_below(s, (uint32_t)i);
		struct cut t = cuts[i - 1];

		cuts[i - 1] = cuts[j];
		cuts[j] = t;
	}
	return n;
}

static uint32_t
pick_isn(uint64_t *s, uint32_t len)
{
	/* A quarter of the streams cross 2^32. */
	if (rnd_below(s, 4) == 0)
		return 0u - rnd_below(s, len);
	return (uint32_t)rnd(s);
}

static void
test_random_shuffled(void **state)
{
	uint8_t *stream = malloc(RAND_MAX_LEN);
	struct cut *cuts = calloc(RAND_MAX_CUTS, sizeof(*cuts));
	struct rec *c = rec_new();
	uint64_t s = 0x9e3779b97f4a7c15ULL;
	uint32_t it;

	(void)state;
	assert_non_null(stream);
	assert_non_null(cuts);
	for (it = 0; it < 400; it++) {
		uint32_t len = 1 + rnd_below(&s, RAND_MAX_LEN);
		uint32_t isn = pick_isn(&s, len);
		struct reasm r;
		size_t n, i;

		for (i = 0; i < len; i++)
			stream[i] = (uint8_t)rnd(&s);
		n = make_cuts(&s, len, false, cuts);
		assert_true(n <= RAND_MAX_CUTS);
		c->n = 0;
		c->nev = 0;
		c->gap_total = 0;
		reasm_init(&r);
		reasm_start(&r, isn);
		for (i = 0; i < n; i++) {
			reasm_segment(&r, isn + cuts[i].off,
			              stream + cuts[i].off, cuts[i].len,
			              cuts[i].len, i + 1, &rec_sink, c);
			check_bounded(&r);
		}
		assert_int_equal(c->n, len);
		assert_memory_equal(c->buf, stream, len);
		assert_int_equal(c->gap_total, 0);
		assert_int_equal(r.delivered, len);
		assert_int_equal(r.next, isn + len);
		assert_int_equal(r.gaps, 0);
		assert_int_equal(r.conflicts, 0);
		assert_int_equal(r.ooo_overflow, 0);
		assert_int_equal(r.wild, 0);
		assert_null(r.ooo);
		assert_int_equal(r.ooo_bytes, 0);
		assert_int_equal(r.ooo_count, 0);
		reasm_free(&r);
	}
	rec_del(c);
	free(cuts);
	free(stream);
}

static void
test_random_lossy_flush(void **state)
{
	uint8_t *stream = malloc(RAND_MAX_LEN);
	bool *covered = malloc(RAND_MAX_LEN * sizeof(bool));
	struct cut *cuts = calloc(RAND_MAX_CUTS, sizeof(*cuts));
	struct image m;
	uint64_t s = 0x0123456789abcdefULL;
	uint32_t it;

	(void)state;
	m.b = malloc(RAND_MAX_LEN);
	m.have = malloc(RAND_MAX_LEN * sizeof(bool));
	assert_non_null(stream);
	assert_non_null(covered);
	assert_non_null(cuts);
	assert_non_null(m.b);
	assert_non_null(m.have);
	for (it = 0; it < 300; it++) {
		uint32_t len = 1 + rnd_below(&s, RAND_MAX_LEN);
		uint32_t isn = pick_isn(&s, len);
		uint64_t want = 0;
		struct reasm r;
		size_t n, i, j;

		for (i = 0; i < len; i++) {
			stream[i] = (uint8_t)rnd(&s);
			covered[i] = false;
			m.have[i] = false;
		}
		n = make_cuts(&s, len, true, cuts);
		for (i = 0; i < n; i++)
			for (j = 0; j < cuts[i].len; j++)
				covered[cuts[i].off + j] = true;
		for (i = 0; i < len; i++)
			want += covered[i] ? 1u : 0u;
		m.pos = 0;
		m.size = len;
		reasm_init(&r);
		reasm_start(&r, isn);
		for (i = 0; i < n; i++)
			reasm_segment(&r, isn + cuts[i].off,
			              stream + cuts[i].off, cuts[i].len,
			              cuts[i].len, i + 1, &img_sink, &m);
		reasm_fin(&r, isn + len);
		reasm_flush(&r, n + 1, &img_sink, &m);
		assert_int_equal(m.pos, len);
		assert_int_equal(r.delivered, want);
		assert_int_equal(r.gap_bytes, len - want);
		for (i = 0; i < len; i++) {
			assert_int_equal(m.have[i], covered[i]);
			if (covered[i])
				assert_int_equal(m.b[i], stream[i]);
		}
		assert_int_equal(r.conflicts, 0);
		assert_null(r.ooo);
		reasm_free(&r);
	}
	free(m.have);
	free(m.b);
	free(cuts);
	free(covered);
	free(stream);
}

/*
 * Blind (reasm_blind: the payload was read, the bookkeeping goes on): no
 * byte reaches the sink or is kept, but a hole the other side
 * acknowledges is still a gap, the captured segments around it are not,
 * and one filled late is none.
 */
static void
test_blind(void **state)
{
	struct reasm r;
	struct rec *c = rec_new();

	(void)state;
	reasm_init(&r);
	reasm_start(&r, 1000);
	feed(&r, 1000, 0, 4, 1, c);
	/* "ij" waits ahead of the hole "efgh" */
	feed(&r, 1000, 8, 2, 2, c);
	assert_int_equal(r.ooo_bytes, 2);
	reasm_blind(&r);
	/* the bytes it held are let go, their range kept */
	assert_int_equal(r.ooo_bytes, 0);
	assert_int_equal(r.ooo_count, 1);
	assert_true(r.blind);
	assert_false(r.stopped);
	/* in order ("ef"): counted, not handed on; "gh" is still missing */
	feed(&r, 1000, 4, 2, 3, c);
	assert_int_equal(r.next, 1006);
	/* ahead of another hole ("kl"): a range, no bytes */
	feed(&r, 1000, 12, 3, 4, c);
	assert_int_equal(r.ooo_count, 2);
	assert_int_equal(r.ooo_bytes, 0);
	/* "kl" arrives late: no gap there */
	feed(&r, 1000, 10, 2, 5, c);
	/* the receiver had everything up to "o": "gh" was lost by the
	 * capture */
	reasm_ack(&r, 1015, 6, &rec_sink, c);
	reasm_flush(&r, 7, &rec_sink, c);
	/* the sink saw only what came before reasm_blind */
	assert_int_equal(c->nev, 1);
	expect_text(c, "abcd");
	assert_int_equal(r.next, 1015);
	assert_int_equal(r.gaps, 1);
	assert_int_equal(r.gap_bytes, 2);
	assert_int_equal(r.acked_gap_bytes, 2);
	assert_int_equal(r.gap_list[0].frame, 6);
	assert_true(r.gap_list[0].acked);
	assert_int_equal(r.delivered, 4);
	assert_null(r.ooo);
	/* a cut tail is a gap too */
	reasm_segment(&r, 1015, (const uint8_t *)S + 15, 2, 5, 8, &rec_sink, c);
	assert_int_equal(r.gaps, 2);
	assert_int_equal(r.cut_bytes, 3);
	assert_int_equal(c->nev, 1);
	/* after a stop nothing more is counted */
	reasm_stop(&r);
	feed(&r, 1000, 30, 2, 9, c);
	reasm_ack(&r, 1040, 10, &rec_sink, c);
	reasm_flush(&r, 11, &rec_sink, c);
	assert_int_equal(r.gaps, 2);
	assert_null(r.ooo);
	reasm_free(&r);

	/* reasm_blind after reasm_stop changes nothing */
	reasm_init(&r);
	reasm_start(&r, 1000);
	reasm_stop(&r);
	reasm_blind(&r);
	assert_false(r.blind);
	reasm_free(&r);
	rec_del(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_order),
		cmocka_unit_test(test_reverse_order),
		cmocka_unit_test(test_retransmissions),
		cmocka_unit_test(test_overlaps),
		cmocka_unit_test(test_conflicts),
		cmocka_unit_test(test_wraparound),
		cmocka_unit_test(test_wild),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_ack_gap),
		cmocka_unit_test(test_ack_before_segment),
		cmocka_unit_test(test_ack_flush),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_overflow_fills_hole),
		cmocka_unit_test(test_overflow_oversized),
		cmocka_unit_test(test_runs_bounded),
		cmocka_unit_test(test_flush),
		cmocka_unit_test(test_stop_in_callback),
		cmocka_unit_test(test_frames),
		cmocka_unit_test(test_null_callbacks),
		cmocka_unit_test(test_start_rules),
		cmocka_unit_test(test_random_shuffled),
		cmocka_unit_test(test_random_lossy_flush),
		cmocka_unit_test(test_blind),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
