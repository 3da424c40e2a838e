/* lineproto.c: line framing, skipped blocks and the switch to TLS for the line-based mail protocols (RFC 5321 2.3.8, RFC 1939 3, RFC 3207, RFC 2595; see lineproto.h). */
#include <string.h>

#include "line.h"
#include "session/lineproto.h"

/* LINEPROTO_SKIP_DOT: where the scan is in a line. */
enum {
	DOT_MID = 0,    /* inside a line */
	DOT_BOL,        /* at the start of a line */
	DOT_DOT,        /* a "." began the line */
	DOT_DOT_CR,     /* "." CR began it */
};

void
lineproto_init(struct lineproto *lp, const struct lineproto_cb *cb,
               void *owner, enum starttls_protocol proto)
{
	memset(lp, 0, offsetof(struct lineproto, buf));
	lp->cb = cb;
	lp->owner = owner;
	lp->f.protocol = proto;
}

static void
add_pipelined(uint32_t *count, ta_frame *first, size_t n, ta_frame frame)
{
	if (n == 0)
		return;
	if (*count == 0)
		*first = frame;
	if (n > UINT32_MAX - *count)
		*count = UINT32_MAX;
	else
		*count += (uint32_t)n;
}

void
lineproto_greeting(struct lineproto *lp, enum starttls_greeting g,
                   ta_frame frame)
{
	if (lp->greeting_seen)
		return;
	lp->greeting_seen = true;
	lp->f.greeting = g;
	lp->f.greeting_frame = frame;
}

/* Stop a direction on the line at fault, given in two pieces (held
 * bytes, then new ones). */
static void
stop_two(struct lineproto *lp, enum tcp_dir dir, const uint8_t *a, size_t an,
         const uint8_t *b, size_t bn, ta_frame frame)
{
	struct lineproto_dir *d = &lp->d[dir];
	uint8_t ex[STARTTLS_EXCERPT_MAX];
	size_t n = 0;

	/* A server whose first line does not parse sent no greeting. */
	if (dir == TCP_DIR_S2C)
		lineproto_greeting(lp, STARTTLS_GREETING_OTHER, frame);
	d->mode = LINEPROTO_STOPPED;
	d->len = 0;
	if (lp->f.unparsed)
		return;
	for (size_t i = 0; i < an && n < sizeof ex; i++)
		ex[n++] = a[i];
	for (size_t i = 0; i < bn && n < sizeof ex; i++)
		ex[n++] = b[i];
	if (dir == TCP_DIR_C2S)
		n = lp->cb->client_excerpt(ex, n);
	lp->f.unparsed = true;
	lp->f.unparsed_dir = dir;
	lp->f.unparsed_frame = frame;
	lp->f.unparsed_len = (uint8_t)n;
	memcpy(lp->f.unparsed_excerpt, ex, n);
}

void
lineproto_stop(struct lineproto *lp, enum tcp_dir dir, struct ta_bytes line,
               ta_frame frame)
{
	stop_two(lp, dir, line.p, line.n, NULL, 0, frame);
}

void
lineproto_keep_text(uint8_t *dst, uint8_t *len, size_t max, struct ta_bytes t)
{
	size_t n = t.n < max ? t.n : max;

	if (n > UINT8_MAX)
		n = UINT8_MAX;
	if (n > 0)
		memcpy(dst, t.p, n);
	*len = (uint8_t)n;
}

void
lineproto_skip_count(struct lineproto *lp, enum tcp_dir dir, uint64_t n)
{
	struct lineproto_dir *d = &lp->d[dir];

	if (d->mode != LINEPROTO_LINE || n == 0)
		return;
	d->mode = LINEPROTO_SKIP_COUNT;
	d->skip_left = n;
}

void
lineproto_skip_dot(struct lineproto *lp, enum tcp_dir dir)
{
	struct lineproto_dir *d = &lp->d[dir];

	if (d->mode != LINEPROTO_LINE)
		return;
	d->mode = LINEPROTO_SKIP_DOT;
	d->dot = DOT_BOL;
	d->skip_left = 0;
}

void
lineproto_skip_lines(struct lineproto *lp, enum tcp_dir dir, bool on)
{
	lp->d[dir].skip_lines = on;
}

/*
 * TLS begins in this direction. Expected where the module said so (the
 * client after its upgrade command, the server after its yes); when the
 * client's side was lost the server's TLS cannot be judged, so it is not
 * called unexpected.
 */
static void
begin_tls(struct lineproto *lp, enum tcp_dir dir, ta_frame frame)
{
	bool expected = lp->d[dir].expect_tls ||
	    (dir == TCP_DIR_S2C &&
	     lp->d[TCP_DIR_C2S].mode == LINEPROTO_STOPPED);

	lp->d[dir].mode = LINEPROTO_TLS;
	lp->d[dir].len = 0;
	if (!expected && !lp->f.tls_without_starttls) {
		lp->f.tls_without_starttls = true;
		lp->f.tls_without_starttls_dir = dir;
		lp->f.tls_without_starttls_frame = frame;
	}
}

/* Skip to the end of a line unread. Returns the bytes used (>= 1). */
static size_t
skip_line(struct lineproto_dir *d, const uint8_t *q, size_t left)
{
	const uint8_t *lf = memchr(q, '\n', left);

	if (lf == NULL)
		return left;
	d->in_skip = false;
	return (size_t)(lf - q) + 1;
}

/* Skip data up to and including the line "." (CRLF or bare LF). Returns
 * the bytes used (>= 1); *done when the line "." ended in them. */
static size_t
skip_dot(struct lineproto_dir *d, const uint8_t *q, size_t left, bool *done)
{
	size_t i = 0;

	*done = false;
	while (i < left) {
		uint8_t c = q[i++];

		switch (d->dot) {
		case DOT_MID: {
			const uint8_t *lf = memchr(q + i - 1, '\n',
			                           left - (i - 1));

			if (lf == NULL)
				return left;
			i = (size_t)(lf - q) + 1;
			d->dot = DOT_BOL;
			break;
		}
		case DOT_BOL:
			d->dot = c == '.' ? DOT_DOT : c == '\n' ? DOT_BOL : DOT_MID;
			break;
		case DOT_DOT:
			if (c == '\n') {
				*done = true;
				return i;
			}
			d->dot = c == '\r' ? DOT_DOT_CR : DOT_MID;
			break;
		default:
			if (c == '\n') {
				*done = true;
				return i;
			}
			d->dot = DOT_MID;
			break;
		}
	}
	return i;
}

/* Read from a line: returns the bytes used (at least one). */
static size_t
take_line(struct lineproto *lp, enum tcp_dir dir, const uint8_t *q,
          size_t left, ta_frame frame)
{
	struct lineproto_dir *d = &lp->d[dir];
	uint8_t *buf = lp->buf[dir];
	struct ta_bytes line;
	size_t len;
	enum dis_status st = line_end(q, left, d->len, LINEPROTO_LINE_MAX, &len);

	if (st == DIS_SHORT) {
		memcpy(buf + d->len, q, left);
		d->len += left;
		return left;
	}
	if (st != DIS_OK) {
		stop_two(lp, dir, buf, d->len, q, left, frame);
		return left;
	}
	if (d->len == 0) {
		line.p = q;
		line.n = len;
	} else {
		memcpy(buf + d->len, q, len);
		line.p = buf;
		line.n = d->len + len;
		d->len = 0;
	}
	lp->cb->line(lp, dir, line, frame);
	return len;
}

size_t
lineproto_feed(struct lineproto *lp, enum tcp_dir dir, const uint8_t *p,
               size_t n, ta_frame frame, bool *tls_begins)
{
	struct lineproto_dir *d;
	size_t off = 0;

	*tls_begins = false;
	if (dir != TCP_DIR_C2S && dir != TCP_DIR_S2C)
		return n;
	d = &lp->d[dir];
	if (d->mode == LINEPROTO_TLS) {
		/* Fed again after the switch: all of it is TLS. */
		*tls_begins = true;
		return 0;
	}
	if (p == NULL)
		n = 0;
	while (off < n && d->mode != LINEPROTO_TLS &&
	       d->mode != LINEPROTO_STOPPED) {
		const uint8_t *q = p + off;
		size_t left = n - off, used;
		/* The line that sets `counting` is not itself pipelined. */
		bool counting = d->counting, done;

		switch (d->mode) {
		case LINEPROTO_SKIP_COUNT:
			used = left < d->skip_left ? left : (size_t)d->skip_left;
			d->skip_left -= used;
			if (d->skip_left == 0) {
				d->mode = LINEPROTO_LINE;
				if (lp->cb->skip_done != NULL)
					lp->cb->skip_done(lp, dir, frame);
			}
			break;
		case LINEPROTO_SKIP_DOT:
			used = skip_dot(d, q, left, &done);
			d->skip_left += used;
			if (done) {
				d->mode = LINEPROTO_LINE;
				if (lp->cb->skip_done != NULL)
					lp->cb->skip_done(lp, dir, frame);
			}
			break;
		default:
			if (d->len == 0 && !d->in_skip) {
				/* Where a line may begin. An SSLv2-format
				 * hello only ever comes from a client. */
				enum line_sniff sn = line_sniff_tls(q, left);

				if (sn == LINE_SNIFF_RECORD ||
				    (sn == LINE_SNIFF_SSL2 &&
				     dir == TCP_DIR_C2S)) {
					begin_tls(lp, dir, frame);
					*tls_begins = true;
					return off;
				}
				d->in_skip = d->skip_lines;
			}
			if (d->in_skip)
				used = skip_line(d, q, left);
			else
				used = take_line(lp, dir, q, left, frame);
			break;
		}
		if (counting && dir == TCP_DIR_C2S)
			add_pipelined(&lp->f.client_pipelined,
			              &lp->f.client_pipelined_frame, used, frame);
		else if (counting)
			add_pipelined(&lp->f.server_pipelined,
			              &lp->f.server_pipelined_frame, used, frame);
		off += used;
	}
	return n;
}

void
lineproto_gap(struct lineproto *lp, enum tcp_dir dir)
{
	struct lineproto_dir *d;

	if (dir != TCP_DIR_C2S && dir != TCP_DIR_S2C)
		return;
	d = &lp->d[dir];
	if (d->mode != LINEPROTO_TLS && d->mode != LINEPROTO_STOPPED) {
		d->mode = LINEPROTO_STOPPED;
		d->len = 0;
		lp->f.gap = true;
	}
}

static bool
dir_done(const struct lineproto_dir *d)
{
	return d->mode == LINEPROTO_TLS || d->mode == LINEPROTO_STOPPED;
}

bool
lineproto_finished(const struct lineproto *lp)
{
	return dir_done(&lp->d[TCP_DIR_C2S]) && dir_done(&lp->d[TCP_DIR_S2C]);
}
