/* export.c: problem connections to a file, in capture order (export.h). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "report/export.h"
#include "report/export_out.h"
#include "util/utf8.h"

/*
 * A connection's packets live in a list of chunks that grow by doubling, so
 * a handshake of a dozen packets costs three or four allocations, not one
 * per packet. Each packet is a record header followed by its bytes, padded
 * to 8 so that the next header starts aligned.
 */
#define CHUNK_FIRST 4096u
#define CHUNK_MAX 65536u

/* A connection's label is one short line. */
#define LABEL_MAX 200

struct chunk {
	struct chunk *next;
	size_t size;   /* bytes of data[] */
	size_t used;
	uint8_t data[];
};

struct rec_hdr {
	uint64_t seq;       /* place in the order the capture was read */
	ta_time ts;
	ta_frame frame;
	uint32_t caplen;
	uint32_t len;
	uint32_t iface;
	uint16_t linktype;
	uint16_t pad;
};

enum stop_why {
	STOP_NONE,
	STOP_CONN_CAP,
	STOP_GLOBAL_CAP,
	STOP_LINK,
};

enum buf_state {
	BUF_EMPTY,    /* undecided, nothing kept */
	BUF_OPEN,     /* undecided, packets kept: it holds the watermark */
	BUF_WAITING,  /* a problem, in the heap until its packets are out */
};

struct export_buf {
	struct export_buf *prev, *next; /* its list while undecided */
	struct chunk *head, *tail;
	size_t bytes;        /* chunk memory, counted against both caps */
	uint64_t kept;
	uint64_t not_kept;
	uint64_t first_seq;  /* of the first packet kept */
	enum stop_why stop;  /* set once: later packets are not kept */
	enum buf_state state;
	/* Waiting: the next record to write is head->data + off. */
	size_t off;
	uint64_t next_seq;
	char *label;
};

struct buf_list {
	struct export_buf *head, *tail;
};

struct export {
	struct export_out *out;
	enum export_format fmt;
	int dlt;
	size_t global_cap;
	size_t conn_cap;
	size_t data_bytes;   /* chunk memory of every buffer */
	size_t meta_bytes;   /* their bookkeeping */
	uint64_t seq;        /* the next packet's place in read order */
	struct buf_list empty;
	struct buf_list open; /* by first packet kept: the head is oldest */
	/* Problem connections whose packets wait, a min-heap on next_seq. */
	struct export_buf **heap;
	size_t nheap, heapcap;
	bool failed;
	char err[EXPORT_ERRLEN];
	struct export_stats st;
};

enum export_format
export_format_of(const char *path)
{
	size_t n = strlen(path);

	if (n >= 5 && path[n - 5] == '.' &&
	    tolower((unsigned char)path[n - 4]) == 'p' &&
	    tolower((unsigned char)path[n - 3]) == 'c' &&
	    tolower((unsigned char)path[n - 2]) == 'a' &&
	    tolower((unsigned char)path[n - 1]) == 'p')
		return EXPORT_PCAP;
	return EXPORT_PCAPNG;
}

int
export_dlt_of(enum pkt_link link)
{
	switch (link) {
	case PKT_LINK_ETHERNET:
		return DLT_EN10MB;
	case PKT_LINK_NULL:
		return DLT_NULL;
#ifdef DLT_LOOP
	case PKT_LINK_LOOP:
		return DLT_LOOP;
#endif
	case PKT_LINK_RAW:
		return DLT_RAW;
#ifdef DLT_IPV4
	case PKT_LINK_IPV4:
		return DLT_IPV4;
#endif
#ifdef DLT_IPV6
	case PKT_LINK_IPV6:
		return DLT_IPV6;
#endif
	case PKT_LINK_SLL:
		return DLT_LINUX_SLL;
#ifdef DLT_LINUX_SLL2
	case PKT_LINK_SLL2:
		return DLT_LINUX_SLL2;
#endif
#ifdef DLT_NFLOG
	case PKT_LINK_NFLOG:
		return DLT_NFLOG;
#endif
	default:
		return -1;
	}
}

int
export_linktype_of(enum pkt_link link)
{
	/* The LINKTYPE_ registry (draft-ietf-opsawg-pcaplinktype): files
	 * carry these, which differ from some platforms' DLT_ values. */
	switch (link) {
	case PKT_LINK_NULL:
		return 0;
	case PKT_LINK_ETHERNET:
		return 1;
	case PKT_LINK_RAW:
		return 101;
	case PKT_LINK_LOOP:
		return 108;
	case PKT_LINK_SLL:
		return 113;
	case PKT_LINK_IPV4:
		return 228;
	case PKT_LINK_IPV6:
		return 229;
	case PKT_LINK_NFLOG:
		return 239;
	case PKT_LINK_SLL2:
		return 276;
	default:
		return -1;
	}
}

static void
note_peak(struct export *x)
{
	size_t now = x->data_bytes + x->meta_bytes;

	x->st.bytes_buffered = now;
	if (now > x->st.peak_bytes)
		x->st.peak_bytes = now;
}

struct export *
export_open(const char *path, int dlt, bool nanosecond, size_t global_cap,
            size_t per_conn_cap, char *err, size_t errlen)
{
	struct export *x = calloc(1, sizeof *x);

	if (x == NULL) {
		snprintf(err, errlen, "%s: %s",
		         strcmp(path, "-") == 0 ? "standard output" : path,
		         strerror(ENOMEM));
		return NULL;
	}
	x->fmt = export_format_of(path);
	x->dlt = dlt;
	x->global_cap = global_cap;
	if (x->global_cap == 0)
		x->global_cap = EXPORT_DEFAULT_GLOBAL_CAP;
	x->conn_cap = per_conn_cap;
	if (x->conn_cap == 0)
		x->conn_cap = EXPORT_DEFAULT_CONN_CAP;
	if (x->conn_cap > x->global_cap)
		x->conn_cap = x->global_cap;
	x->out = export_out_open(path, x->fmt, dlt, nanosecond, err, errlen);
	if (x->out == NULL) {
		free(x);
		return NULL;
	}
	return x;
}

void
export_set_names(struct export *x, const struct export_names *names)
{
	export_out_set_names(x->out, names);
}

static void
list_add(struct buf_list *l, struct export_buf *b)
{
	b->next = NULL;
	b->prev = l->tail;
	if (l->tail != NULL)
		l->tail->next = b;
	else
		l->head = b;
	l->tail = b;
}

static void
list_del(struct buf_list *l, struct export_buf *b)
{
	if (b->prev != NULL)
		b->prev->next = b->next;
	else
		l->head = b->next;
	if (b->next != NULL)
		b->next->prev = b->prev;
	else
		l->tail = b->prev;
	b->prev = b->next = NULL;
}

static size_t
rec_size(uint32_t caplen)
{
	size_t n = sizeof(struct rec_hdr) + (size_t)caplen;

	return (n + 7u) & ~(size_t)7u;
}

static void
count_not_kept(struct export *x, struct export_buf *b)
{
	b->not_kept++;
	x->st.packets_not_kept++;
	switch (b->stop) {
	case STOP_CONN_CAP:
		x->st.not_kept_conn_cap++;
		break;
	case STOP_GLOBAL_CAP:
		x->st.not_kept_global_cap++;
		break;
	case STOP_LINK:
		x->st.not_kept_link++;
		break;
	case STOP_NONE:
		break;
	}
}

/*
 * Room for one more record of need bytes: the tail chunk, or a new chunk
 * whose size (header included) fits both budgets. Sets b->stop when it
 * does not fit.
 */
static struct chunk *
chunk_for(struct export *x, struct export_buf *b, size_t need)
{
	size_t conn_room, global_room, room, want, total;
	struct chunk *c;

	if (b->tail != NULL && b->tail->size - b->tail->used >= need)
		return b->tail;
	conn_room = x->conn_cap - b->bytes;
	global_room = x->global_cap - x->data_bytes;
	if (need > conn_room || conn_room - need < sizeof(struct chunk)) {
		b->stop = STOP_CONN_CAP;
		return NULL;
	}
	if (need > global_room || global_room - need < sizeof(struct chunk)) {
		b->stop = STOP_GLOBAL_CAP;
		return NULL;
	}
	want = b->tail == NULL ? CHUNK_FIRST : b->tail->size * 2;
	if (want > CHUNK_MAX)
		want = CHUNK_MAX;
	if (want < need)
		want = need;
	/* Near a cap, a smaller chunk that still holds this packet. */
	room = conn_room < global_room ? conn_room : global_room;
	total = sizeof(struct chunk) + want;
	if (total > room)
		want = room - sizeof(struct chunk);
	c = malloc(sizeof(struct chunk) + want);
	if (c == NULL) {
		/* Out of memory is a budget too: stop this connection. */
		b->stop = STOP_GLOBAL_CAP;
		return NULL;
	}
	c->next = NULL;
	c->size = want;
	c->used = 0;
	if (b->tail != NULL)
		b->tail->next = c;
	else
		b->head = c;
	b->tail = c;
	b->bytes += sizeof(struct chunk) + want;
	x->data_bytes += sizeof(struct chunk) + want;
	note_peak(x);
	return c;
}

static struct export_buf *
buf_new(struct export *x)
{
	struct export_buf *b = calloc(1, sizeof *b);

	if (b == NULL)
		return NULL;
	b->state = BUF_EMPTY;
	list_add(&x->empty, b);
	x->meta_bytes += sizeof *b;
	note_peak(x);
	return b;
}

static void
chunk_free(struct export *x, struct export_buf *b, struct chunk *c)
{
	b->bytes -= sizeof(struct chunk) + c->size;
	x->data_bytes -= sizeof(struct chunk) + c->size;
	free(c);
}

/* Free a buffer that is in no list and not in the heap. */
static void
buf_free(struct export *x, struct export_buf *b)
{
	struct chunk *c, *next;

	for (c = b->head; c != NULL; c = next) {
		next = c->next;
		chunk_free(x, b, c);
	}
	x->meta_bytes -= sizeof *b;
	if (b->label != NULL) {
		x->meta_bytes -= strlen(b->label) + 1;
		free(b->label);
	}
	free(b);
	note_peak(x);
}

/* Take an undecided buffer out of its list. */
static void
buf_unlist(struct export *x, struct export_buf *b)
{
	list_del(b->state == BUF_OPEN ? &x->open : &x->empty, b);
}

void
export_keep(struct export *x, struct export_buf **slot,
            const struct cap_pkt *p)
{
	struct export_buf *b;
	struct chunk *c;
	struct rec_hdr h;
	size_t need;
	int linktype = export_linktype_of(p->link);
	uint64_t seq = x->seq++;

	if (x->failed) {
		/* Nothing more reaches the file: keep no memory for it. */
		x->st.packets_not_kept++;
		x->st.not_kept_failed++;
		return;
	}
	b = *slot;
	if (b == NULL) {
		b = buf_new(x);
		if (b == NULL) {
			x->st.packets_not_kept++;
			x->st.not_kept_global_cap++;
			return;
		}
		*slot = b;
	}
	/* A classic pcap file has one link type; pcapng describes each. */
	if (b->stop == STOP_NONE &&
	    (x->fmt == EXPORT_PCAP ? export_dlt_of(p->link) != x->dlt
	                           : linktype < 0))
		b->stop = STOP_LINK;
	/* A packet larger than any chunk could be on 32-bit size_t. */
	if (b->stop == STOP_NONE && p->caplen > x->conn_cap)
		b->stop = STOP_CONN_CAP;
	if (b->stop != STOP_NONE) {
		count_not_kept(x, b);
		return;
	}
	need = rec_size(p->caplen);
	c = chunk_for(x, b, need);
	if (c == NULL) {
		count_not_kept(x, b);
		return;
	}
	memset(&h, 0, sizeof h);
	h.seq = seq;
	h.ts = p->ts;
	h.frame = p->frame;
	h.caplen = p->caplen;
	h.len = p->len;
	h.iface = p->iface;
	h.linktype = (uint16_t)(linktype < 0 ? 0 : linktype);
	memcpy(c->data + c->used, &h, sizeof h);
	if (p->caplen > 0)
		memcpy(c->data + c->used + sizeof h, p->data, p->caplen);
	c->used += need;
	if (b->kept++ == 0) {
		/* Its first packet is the newest of all: the open list stays
		 * in the order of first packets. */
		list_del(&x->empty, b);
		b->state = BUF_OPEN;
		b->first_seq = seq;
		list_add(&x->open, b);
	}
}

void
export_buf_counts(const struct export_buf *b, struct export_counts *out)
{
	memset(out, 0, sizeof *out);
	if (b == NULL)
		return;
	out->kept = b->kept;
	out->not_kept = b->not_kept;
}

static void
write_failed(struct export *x, int e)
{
	char msg[EXPORT_ERRLEN];
	const char *name = export_out_name(x->out);

	snprintf(msg, sizeof msg, "%s: write error: %s", name,
	         e != 0 ? strerror(e) : "output error");
	for (char *q = msg; *q != '\0'; q++)
		if (*q == '\n' || *q == '\r')
			*q = ' ';
	snprintf(x->err, sizeof x->err, "%s", msg);
	x->failed = true;
	x->st.failed = true;
}

/* --- the heap of problem connections waiting, on their next packet --- */

static bool
heap_less(const struct export *x, size_t i, size_t j)
{
	return x->heap[i]->next_seq < x->heap[j]->next_seq;
}

static void
heap_swap(struct export *x, size_t i, size_t j)
{
	struct export_buf *t = x->heap[i];

	x->heap[i] = x->heap[j];
	x->heap[j] = t;
}

static void
heap_up(struct export *x, size_t i)
{
	while (i > 0 && heap_less(x, i, (i - 1) / 2)) {
		heap_swap(x, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void
heap_down(struct export *x, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < x->nheap && heap_less(x, l, m))
			m = l;
		if (r < x->nheap && heap_less(x, r, m))
			m = r;
		if (m == i)
			return;
		heap_swap(x, i, m);
		i = m;
	}
}

static bool
heap_push(struct export *x, struct export_buf *b)
{
	if (x->nheap == x->heapcap) {
		size_t n = x->heapcap == 0 ? 64 : x->heapcap * 2;
		struct export_buf **h = realloc(x->heap, n * sizeof *h);

		if (h == NULL)
			return false;
		x->meta_bytes += (n - x->heapcap) * sizeof *h;
		x->heap = h;
		x->heapcap = n;
		note_peak(x);
	}
	x->heap[x->nheap++] = b;
	heap_up(x, x->nheap - 1);
	return true;
}

/* With nothing waiting the heap's memory goes back too: the export then
 * holds nothing. */
static void
heap_release(struct export *x)
{
	x->meta_bytes -= x->heapcap * sizeof *x->heap;
	free(x->heap);
	x->heap = NULL;
	x->heapcap = 0;
	note_peak(x);
}

static void
heap_pop(struct export *x)
{
	x->heap[0] = x->heap[--x->nheap];
	heap_down(x, 0);
	if (x->nheap == 0)
		heap_release(x);
}

/* After a write error nothing waits any more. */
static void
discard_waiting(struct export *x)
{
	while (x->nheap > 0) {
		buf_free(x, x->heap[x->nheap - 1]);
		x->nheap--;
	}
	if (x->heap != NULL)
		heap_release(x);
	x->st.conns_waiting = 0;
}

/*
 * Write the record b's cursor is at and move on; a chunk written whole is
 * freed at once, so memory comes back while a long wait drains. Adds the
 * packet's bytes to *bytes. Returns false on a write error.
 */
static bool
write_one(struct export *x, struct export_buf *b, uint64_t *bytes)
{
	struct chunk *c = b->head;
	struct export_pkt p;
	struct rec_hdr h;

	memcpy(&h, c->data + b->off, sizeof h);
	p.data = c->data + b->off + sizeof h;
	p.caplen = h.caplen;
	p.len = h.len;
	p.ts = h.ts;
	p.frame = h.frame;
	p.iface = h.iface;
	p.linktype = h.linktype;
	p.label = b->label;
	if (!export_out_put(x->out, &p))
		return false;
	*bytes += h.caplen;
	b->off += rec_size(h.caplen);
	if (b->off >= c->used) {
		b->head = c->next;
		if (b->head == NULL)
			b->tail = NULL;
		chunk_free(x, b, c);
		b->off = 0;
		note_peak(x);
	}
	if (b->head != NULL)
		memcpy(&b->next_seq, b->head->data + b->off,
		       sizeof b->next_seq);
	return true;
}

/*
 * Write every waiting packet that comes before the first packet of the
 * oldest open connection (all of them when none is open), in read order,
 * and flush once if anything went. Returns false when a write error is
 * seen here.
 */
static bool
drain(struct export *x)
{
	uint64_t mark = x->open.head != NULL ? x->open.head->first_seq
	                                     : UINT64_MAX;
	uint64_t pkts = 0, bytes = 0, conns = 0, cut = 0;

	if (x->failed)
		return true;
	errno = 0;
	while (x->nheap > 0 && x->heap[0]->next_seq < mark) {
		struct export_buf *b = x->heap[0];

		if (!write_one(x, b, &bytes))
			goto fail;
		pkts++;
		if (b->head != NULL) {
			heap_down(x, 0);
			continue;
		}
		heap_pop(x);
		conns++;
		if (b->not_kept > 0)
			cut++;
		buf_free(x, b);
	}
	if (pkts == 0)
		return true;
	/* Flushed as packets leave, so a live run's file is readable while
	 * it grows, and a full disk is noticed when it happens. Counted as
	 * written once they are in the file. */
	if (!export_out_flush(x->out))
		goto fail;
	x->st.packets_written += pkts;
	x->st.bytes_written += bytes;
	x->st.conns_written += conns;
	x->st.conns_waiting -= conns;
	x->st.conns_cut += cut;
	return true;
fail:
	write_failed(x, errno);
	discard_waiting(x);
	return false;
}

bool
export_drop(struct export *x, struct export_buf **slot)
{
	struct export_buf *b = *slot;
	bool was_oldest;

	if (b == NULL)
		return true;
	was_oldest = b == x->open.head;
	buf_unlist(x, b);
	buf_free(x, b);
	*slot = NULL;
	x->st.conns_dropped++;
	return was_oldest ? drain(x) : true;
}

/*
 * A connection about to wait keeps no slack: its last chunk shrinks to
 * what it holds. A refused connection is two small packets in a 4 KiB
 * chunk, and many may wait behind one connection that stays open.
 */
static void
buf_shrink(struct export *x, struct export_buf *b)
{
	struct chunk *c = b->tail, *prev = NULL, *n;
	size_t slack;

	if (c == NULL || c->used == c->size)
		return;
	if (c != b->head)
		for (prev = b->head; prev->next != c; prev = prev->next)
			;
	n = realloc(c, sizeof *n + c->used);
	if (n == NULL)
		return;
	slack = n->size - n->used;
	n->size = n->used;
	b->bytes -= slack;
	x->data_bytes -= slack;
	if (prev != NULL)
		prev->next = n;
	else
		b->head = n;
	b->tail = n;
	note_peak(x);
}

/* A copy of the label, made safe and short for a comment. */
static char *
label_copy(struct export *x, const char *label)
{
	char buf[LABEL_MAX];
	char *s;

	if (label == NULL)
		return NULL;
	utf8_sanitize(buf, sizeof buf, (const uint8_t *)label, strlen(label));
	s = strdup(buf);
	if (s != NULL)
		x->meta_bytes += strlen(s) + 1;
	return s;
}

bool
export_write(struct export *x, struct export_buf **slot, const char *label,
             struct export_counts *out)
{
	struct export_buf *b = *slot;
	struct export_counts cnt;
	bool was_oldest, ok;

	export_buf_counts(b, &cnt);
	if (out != NULL)
		*out = cnt;
	if (b == NULL)
		return true;
	*slot = NULL;
	was_oldest = b == x->open.head;
	buf_unlist(x, b);
	if (x->failed || b->kept == 0) {
		buf_free(x, b);
		return was_oldest ? drain(x) : true;
	}
	b->state = BUF_WAITING;
	b->label = label_copy(x, label);
	if (x->open.head != NULL && x->open.head->first_seq < b->first_seq)
		buf_shrink(x, b);
	memcpy(&b->next_seq, b->head->data, sizeof b->next_seq);
	if (!heap_push(x, b)) {
		/* No memory to wait: its packets are let go, as a cap would. */
		x->st.packets_not_kept += b->kept;
		x->st.not_kept_global_cap += b->kept;
		buf_free(x, b);
		return was_oldest ? drain(x) : true;
	}
	x->st.conns_waiting++;
	ok = drain(x);
	if (out != NULL)
		out->written = ok;
	return ok;
}

const char *
export_error(const struct export *x)
{
	return x->failed ? x->err : NULL;
}

void
export_stats(const struct export *x, struct export_stats *st)
{
	*st = x->st;
	st->bytes_buffered = x->data_bytes + x->meta_bytes;
}

static void
free_list(struct export *x, struct buf_list *l)
{
	while (l->head != NULL) {
		struct export_buf *b = l->head;

		list_del(l, b);
		buf_free(x, b);
	}
}

bool
export_close(struct export *x, char *err, size_t errlen)
{
	bool ok = true;

	if (x == NULL)
		return true;
	/* Buffers of connections never decided: their slots must be gone
	 * by now (the flow table is flushed first). Without them nothing
	 * holds the rest back. */
	free_list(x, &x->empty);
	free_list(x, &x->open);
	if (!x->failed) {
		errno = 0;
		if (!drain(x) || !export_out_flush(x->out)) {
			if (!x->failed)
				write_failed(x, errno);
			snprintf(err, errlen, "%s", x->err);
			ok = false;
		}
	}
	discard_waiting(x);
	export_out_close(x->out);
	free(x);
	return ok;
}
