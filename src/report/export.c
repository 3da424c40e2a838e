/* export.c: problem connections to a pcap file (draft-ietf-opsawg-pcap 4-5). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <pcap/pcap.h>

#include "report/export.h"

/*
 * A connection's packets live in a list of chunks that grow by doubling, so
 * a handshake of a dozen packets costs three or four allocations, not one
 * per packet. Each packet is a record header followed by its bytes, padded
 * to 8 so that the next header starts aligned.
 */
#define CHUNK_FIRST 4096u
#define CHUNK_MAX 65536u

struct chunk {
	struct chunk *next;
	size_t size;   /* bytes of data[] */
	size_t used;
	uint8_t data[];
};

struct rec_hdr {
	ta_time ts;
	uint32_t caplen;
	uint32_t len;
};

enum stop_why {
	STOP_NONE,
	STOP_CONN_CAP,
	STOP_GLOBAL_CAP,
	STOP_LINK,
};

struct export_buf {
	struct export_buf *prev, *next; /* every live buffer, for close */
	struct chunk *head, *tail;
	size_t bytes;        /* chunk memory, counted against both caps */
	uint64_t kept;
	uint64_t not_kept;
	enum stop_why stop;  /* set once: later packets are not kept */
};

struct export {
	pcap_t *dead;
	pcap_dumper_t *dump;
	char *name;          /* for messages; "standard output" for '-' */
	int dlt;
	bool nano;
	size_t global_cap;
	size_t conn_cap;
	size_t data_bytes;   /* chunk memory of every live buffer */
	size_t meta_bytes;   /* their bookkeeping */
	struct export_buf *live;
	bool failed;
	char err[EXPORT_ERRLEN];
	struct export_stats st;
};

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

/* One line, naming the file once: libpcap's messages usually name it. */
static void
set_msg(char *dst, size_t dstlen, const char *name, const char *msg)
{
	if (dst == NULL || dstlen == 0)
		return;
	if (strstr(msg, name) != NULL)
		snprintf(dst, dstlen, "%s", msg);
	else
		snprintf(dst, dstlen, "%s: %s", name, msg);
	for (char *q = dst; *q != '\0'; q++)
		if (*q == '\n' || *q == '\r')
			*q = ' ';
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
	struct export *x;
	const char *shown;

	shown = strcmp(path, "-") == 0 ? "standard output" : path;
	if (dlt < 0) {
		set_msg(err, errlen, shown,
		        "the input's link type has no pcap link type");
		return NULL;
	}
	x = calloc(1, sizeof *x);
	if (x == NULL) {
		set_msg(err, errlen, shown, strerror(ENOMEM));
		return NULL;
	}
	x->name = strdup(shown);
	if (x->name == NULL) {
		set_msg(err, errlen, shown, strerror(ENOMEM));
		goto err;
	}
	x->dlt = dlt;
	x->nano = nanosecond;
	x->global_cap = global_cap;
	if (x->global_cap == 0)
		x->global_cap = EXPORT_DEFAULT_GLOBAL_CAP;
	x->conn_cap = per_conn_cap;
	if (x->conn_cap == 0)
		x->conn_cap = EXPORT_DEFAULT_CONN_CAP;
	if (x->conn_cap > x->global_cap)
		x->conn_cap = x->global_cap;

	x->dead = pcap_open_dead_with_tstamp_precision(dlt, CAP_SNAPLEN,
	    nanosecond ? PCAP_TSTAMP_PRECISION_NANO :
	                 PCAP_TSTAMP_PRECISION_MICRO);
	if (x->dead == NULL) {
		set_msg(err, errlen, shown, strerror(ENOMEM));
		goto err;
	}
	/* libpcap opens the file (or takes stdout for '-') and writes the
	 * file header now: a bad path fails before any packet is read. */
	x->dump = pcap_dump_open(x->dead, path);
	if (x->dump == NULL) {
		set_msg(err, errlen, shown, pcap_geterr(x->dead));
		goto err;
	}
	return x;
err:
	if (x->dead != NULL)
		pcap_close(x->dead);
	free(x->name);
	free(x);
	return NULL;
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
	b->next = x->live;
	if (x->live != NULL)
		x->live->prev = b;
	x->live = b;
	x->meta_bytes += sizeof *b;
	note_peak(x);
	return b;
}

static void
buf_free(struct export *x, struct export_buf *b)
{
	struct chunk *c, *next;

	for (c = b->head; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	x->data_bytes -= b->bytes;
	x->meta_bytes -= sizeof *b;
	if (b->prev != NULL)
		b->prev->next = b->next;
	else
		x->live = b->next;
	if (b->next != NULL)
		b->next->prev = b->prev;
	free(b);
	note_peak(x);
}

void
export_keep(struct export *x, struct export_buf **slot,
            const struct cap_pkt *p)
{
	struct export_buf *b;
	struct chunk *c;
	struct rec_hdr h;
	size_t need;

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
	if (b->stop == STOP_NONE && export_dlt_of(p->link) != x->dlt)
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
	h.ts = p->ts;
	h.caplen = p->caplen;
	h.len = p->len;
	memcpy(c->data + c->used, &h, sizeof h);
	if (p->caplen > 0)
		memcpy(c->data + c->used + sizeof h, p->data, p->caplen);
	c->used += need;
	b->kept++;
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

void
export_drop(struct export *x, struct export_buf **slot)
{
	if (*slot == NULL)
		return;
	buf_free(x, *slot);
	*slot = NULL;
	x->st.conns_dropped++;
}

static void
write_failed(struct export *x, int e)
{
	char msg[EXPORT_ERRLEN];

	snprintf(msg, sizeof msg, "%s: write error: %s", x->name,
	         e != 0 ? strerror(e) : "output error");
	set_msg(x->err, sizeof x->err, x->name, msg);
	x->failed = true;
	x->st.failed = true;
}

bool
export_write(struct export *x, struct export_buf **slot,
             struct export_counts *out)
{
	struct export_buf *b = *slot;
	struct export_counts cnt;
	const struct chunk *c;
	struct pcap_pkthdr ph;
	struct rec_hdr h;
	uint64_t bytes = 0;
	bool ok = true;

	export_buf_counts(b, &cnt);
	if (b == NULL || x->failed || b->kept == 0)
		goto out;
	errno = 0;
	for (c = b->head; c != NULL; c = c->next) {
		for (size_t off = 0; off < c->used;
		     off += rec_size(h.caplen)) {
			ta_time frac;

			memcpy(&h, c->data + off, sizeof h);
			frac = h.ts % TA_NS_PER_SEC;
			/* In a nanosecond file libpcap writes this field as
			 * nanoseconds. */
			if (!x->nano)
				frac /= 1000u;
			memset(&ph, 0, sizeof ph);
			ph.ts.tv_sec = (time_t)(h.ts / TA_NS_PER_SEC);
			ph.ts.tv_usec = (suseconds_t)frac;
			ph.caplen = h.caplen;
			ph.len = h.len;
			pcap_dump((u_char *)x->dump, &ph,
			          c->data + off + sizeof h);
			bytes += h.caplen;
		}
	}
	/* Flushed per connection, so a live run's file is readable while it
	 * grows, and a full disk is noticed at the connection that hit it. */
	if (pcap_dump_flush(x->dump) != 0 ||
	    ferror(pcap_dump_file(x->dump))) {
		write_failed(x, errno);
		ok = false;
		goto out;
	}
	x->st.conns_written++;
	x->st.packets_written += b->kept;
	x->st.bytes_written += bytes;
	if (b->not_kept > 0)
		x->st.conns_cut++;
	cnt.written = true;
out:
	if (b != NULL)
		buf_free(x, b);
	*slot = NULL;
	if (out != NULL)
		*out = cnt;
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

bool
export_close(struct export *x, char *err, size_t errlen)
{
	bool ok = true;

	if (x == NULL)
		return true;
	/* Buffers of connections never decided: their slots must be gone
	 * by now (the flow table is flushed first). */
	while (x->live != NULL)
		buf_free(x, x->live);
	errno = 0;
	if (!x->failed && (pcap_dump_flush(x->dump) != 0 ||
	                   ferror(pcap_dump_file(x->dump)))) {
		write_failed(x, errno);
		set_msg(err, errlen, x->name, x->err);
		ok = false;
	}
	pcap_dump_close(x->dump);
	pcap_close(x->dead);
	free(x->name);
	free(x);
	return ok;
}
