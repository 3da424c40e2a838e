/* ladder.c: a timeline laid out as a ladder diagram (see ladder.h); the
 * ASCII drawing for terminals. */
#include <inttypes.h>
#include <string.h>

#include "report/ladder.h"
#include "util/fmt.h"

/* The alert events of the timeline that ended a handshake: a fatal alert
 * in clear, or an encrypted record read as one. */
static bool
failure_alert(const struct conn_facts *f, const struct timeline_event *e)
{
	const struct tls_facts *t = f->tls;

	if (t == NULL || strstr(e->text, "alert") == NULL)
		return false;
	for (uint8_t i = 0; i < t->alert_count && i < TLS_FACTS_MAX_ALERTS; i++) {
		const struct tls_facts_alert *a = &t->alerts[i];

		if (a->frame == e->frame &&
		    (a->level == TLS_ALERT_FATAL || a->encrypted))
			return true;
	}
	return false;
}

/* The event is the FIN or RST that ended the connection. */
static bool
ending(const struct conn_facts *f, const struct timeline_event *e)
{
	if (f->tcp.end != TCP_END_FIN && f->tcp.end != TCP_END_RST &&
	    f->tcp.end != TCP_END_REFUSED)
		return false;
	return e->frame == f->tcp.end_frame &&
	       (strncmp(e->text, "FIN", 3) == 0 ||
	        strncmp(e->text, "RST", 3) == 0);
}

static void
sort_gaps(uint64_t *g, unsigned n)
{
	for (unsigned i = 1; i < n; i++) {
		uint64_t v = g[i];
		unsigned j = i;

		while (j > 0 && g[j - 1] > v) {
			g[j] = g[j - 1];
			j--;
		}
		g[j] = v;
	}
}

/*
 * The shortest wait drawn as a break (UINT64_MAX: none). Waits sorted
 * from the shortest; the first that is LADDER_BREAK_RATIO times the one
 * before it (and long in absolute terms) starts the breaks: drawn to
 * scale, it would squash every shorter one into a line.
 */
static uint64_t
break_threshold(const struct ladder *l)
{
	uint64_t g[TIMELINE_MAX];
	unsigned m = 0;

	for (unsigned i = 1; i < l->n; i++) {
		const struct ladder_row *r = &l->row[i];

		if (!r->same_frame && r->gap_known && r->gap > 0)
			g[m++] = r->gap;
	}
	sort_gaps(g, m);
	for (unsigned k = 1; k < m; k++) {
		uint64_t prev = g[k - 1] > TA_NS_PER_MS ? g[k - 1] : TA_NS_PER_MS;

		if (g[k] >= LADDER_BREAK_MIN && g[k] / LADDER_BREAK_RATIO > prev)
			return g[k];
	}
	return UINT64_MAX;
}

static void
place(struct ladder *l)
{
	uint64_t thr = break_threshold(l);
	unsigned y = 0;

	l->scale_gap = 0;
	for (unsigned i = 1; i < l->n; i++) {
		struct ladder_row *r = &l->row[i];

		if (r->same_frame || !r->gap_known)
			continue;
		if (r->gap >= thr) {
			r->brk = true;
			l->breaks++;
		} else if (r->gap > l->scale_gap) {
			l->scale_gap = r->gap;
		}
	}
	l->scale_ref = l->scale_gap > LADDER_SCALE_FLOOR ? l->scale_gap
	                                                 : LADDER_SCALE_FLOOR;
	for (unsigned i = 0; i < l->n; i++) {
		struct ladder_row *r = &l->row[i];

		if (i == 0)
			y = 0;
		else if (r->same_frame)
			y += LADDER_STACK;
		else if (r->brk)
			y += LADDER_STEP + LADDER_BREAK;
		else if (r->gap_known)
			y += LADDER_STEP +
			     (unsigned)(LADDER_SCALE * r->gap / l->scale_ref);
		else
			y += LADDER_STEP;
		r->y = y;
	}
	l->height = y;
}

void
ladder_build(const struct conn_facts *f, const struct diag_result *d,
             const struct timeline *tl, struct ladder *out)
{
	const struct tcp_track *tt = f->conn != NULL ? &f->conn->tcp : NULL;

	memset(out, 0, sizeof *out);
	out->tl = tl;
	out->times = tl->t0_known;
	out->forged_as = LADDER_SERVER;
	for (unsigned i = 0; i < tl->n && i < TIMELINE_MAX; i++) {
		const struct timeline_event *e = &tl->ev[i];
		struct ladder_row *r = &out->row[out->n++];

		r->ev = e;
		r->kind = LADDER_ARROW;
		switch (e->side) {
		case TL_CLIENT:
			r->from = LADDER_CLIENT;
			r->to = LADDER_SERVER;
			break;
		case TL_SERVER:
			r->from = LADDER_SERVER;
			r->to = LADDER_CLIENT;
			break;
		case TL_NONE:
			/* A RST forged by a device on the path: from the middle
			 * lane to the side it was sent to (the one whose peer's
			 * address it carried). */
			if (f->tcp.end_by == TCP_SIDE_MIDDLEBOX &&
			    e->frame == f->tcp.end_frame && tt != NULL &&
			    strncmp(e->text, "RST", 3) == 0) {
				bool as_server = tt->rst[0].dir == TCP_DIR_S2C;

				r->from = LADDER_PATH;
				r->to = as_server ? LADDER_CLIENT : LADDER_SERVER;
				out->forged_as = as_server ? LADDER_SERVER
				                           : LADDER_CLIENT;
				out->path_used = true;
			} else {
				r->kind = LADDER_NOTE;
			}
			break;
		}
		r->ends = r->kind == LADDER_ARROW && ending(f, e);
		r->failure = r->kind == LADDER_ARROW && failure_alert(f, e);
		if (i > 0) {
			const struct timeline_event *p = &tl->ev[i - 1];

			r->same_frame = p->frame == e->frame;
			r->gap_known = out->times && e->ts_known && p->ts_known &&
			               e->ts >= p->ts;
			r->gap = r->gap_known ? e->ts - p->ts : 0;
		}
	}
	place(out);
	switch (f->tcp.end) {
	case TCP_END_OPEN:
		out->tail = LADDER_TAIL_OPEN;
		break;
	case TCP_END_TIMEOUT:
		out->tail = LADDER_TAIL_TIMEOUT;
		break;
	case TCP_END_NO_ANSWER:
		out->tail = LADDER_TAIL_NO_ANSWER;
		break;
	case TCP_END_FIN:
	case TCP_END_RST:
	case TCP_END_REFUSED:
		out->tail = LADDER_TAIL_NONE;
		break;
	}
	out->silent = d->verdict == DIAG_HANDSHAKE_TIMEOUT ? d->waiting_on
	                                                   : DIAG_SIDE_NONE;
}

void
ladder_split(const char *text, size_t *name_len, const char **detail)
{
	const char *colon = strstr(text, ": ");

	if (colon == NULL) {
		*name_len = strlen(text);
		*detail = "";
		return;
	}
	*name_len = (size_t)(colon - text);
	*detail = colon + 2;
}

const char *
ladder_tail_str(enum ladder_tail t)
{
	switch (t) {
	case LADDER_TAIL_OPEN:
		return "nothing more until the capture ended";
	case LADDER_TAIL_TIMEOUT:
		return "nothing more until the idle timeout";
	case LADDER_TAIL_NO_ANSWER:
		return "no answer to the SYN";
	case LADDER_TAIL_NONE:
		break;
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* ASCII */

/*
 * Columns: two spaces, a marker, the time (13), a space, the frame (6),
 * two spaces (25 in all), then the lanes: client at 0, path at 25, server
 * at 50: 76 columns.
 */
#define TX_PATH 25
#define TX_SERVER 50

static unsigned
lane_col(enum ladder_lane l)
{
	switch (l) {
	case LADDER_CLIENT:
		return 0;
	case LADDER_PATH:
		return TX_PATH;
	case LADDER_SERVER:
		break;
	}
	return TX_SERVER;
}

/* The lanes alone, lane characters c (client/server) and p (path). */
static void
lanes(char *line, const struct ladder *l, char c, char p)
{
	memset(line, ' ', TX_SERVER + 1);
	line[0] = c;
	line[TX_SERVER] = c;
	if (l->path_used)
		line[TX_PATH] = p;
	line[TX_SERVER + 1] = '\0';
}

/* Printable ASCII copy of at most max bytes of s (n bytes), '?' for any
 * other byte; "..." marks a cut. Returns the length written. */
static size_t
ascii(char *dst, size_t max, const char *s, size_t n)
{
	size_t k = 0;

	if (n > max && max >= 3) {
		for (; k < max - 3; k++) {
			unsigned char ch = (unsigned char)s[k];
			dst[k] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
		}
		memcpy(dst + k, "...", 3);
		return max;
	}
	for (; k < n && k < max; k++) {
		unsigned char ch = (unsigned char)s[k];
		dst[k] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
	}
	return k;
}

static void
arrow_line(char *line, const struct ladder *l, const struct ladder_row *r)
{
	unsigned a = lane_col(r->from), b = lane_col(r->to);
	unsigned lo = a < b ? a : b, hi = a < b ? b : a;
	char fill = r->ends ? '=' : '-';
	char label[64];
	size_t name_len, n, room;
	const char *detail;

	lanes(line, l, '|', ':');
	for (unsigned i = lo + 1; i < hi; i++)
		line[i] = fill;
	if (a < b)
		line[b - 1] = '>';
	else
		line[b + 1] = '<';
	if (r->from == LADDER_PATH)
		line[a] = 'X';
	ladder_split(r->ev->text, &name_len, &detail);
	if (r->from == LADDER_PATH) {
		/* "RST carrying the server's address, ...": too long here. */
		n = (size_t)snprintf(label, sizeof label, "RST (middlebox)");
	} else {
		n = ascii(label, sizeof label, r->ev->text, name_len);
	}
	/* Inside the arrow, two fill characters from either end. */
	room = hi - lo - 7;
	if (n > room) {
		n = room;
		memcpy(label + n - 3, "...", 3);
	}
	if (a < b) {
		line[lo + 3] = ' ';
		memcpy(line + lo + 4, label, n);
		line[lo + 4 + n] = ' ';
	} else {
		line[hi - 4 - n] = ' ';
		memcpy(line + hi - 3 - n, label, n);
		line[hi - 3] = ' ';
	}
}

static void
note_line(char *line, const struct ladder *l, const struct ladder_row *r)
{
	char label[64];
	size_t n = ascii(label, TX_SERVER - 8, r->ev->text, strlen(r->ev->text));
	size_t at = (TX_SERVER + 1 - (n + 4)) / 2;

	lanes(line, l, '|', ':');
	line[at] = '[';
	line[at + 1] = ' ';
	memcpy(line + at + 2, label, n);
	line[at + 2 + n] = ' ';
	line[at + 3 + n] = ']';
}

static void
put_row(FILE *out, char marker, const char *when, const char *frame,
        const char *line)
{
	fprintf(out, "  %c%13s %6s  %s\n", marker, when, frame, line);
}

static void
break_line(FILE *out, const struct ladder *l, uint64_t gap)
{
	char line[TX_SERVER + 2], d[32], text[48];
	size_t n, at;

	lanes(line, l, '~', '~');
	fmt_duration(d, sizeof d, gap);
	n = (size_t)snprintf(text, sizeof text, " %s later ", d);
	at = (TX_SERVER + 1 - n) / 2;
	memcpy(line + at, text, n);
	put_row(out, ' ', "", "", line);
}

void
ladder_text(FILE *out, const struct ladder *l)
{
	char line[TX_SERVER + 2];
	bool ends = false, failure = false;

	if (l->n == 0)
		return;
	fprintf(out, "  ladder:\n");
	memset(line, ' ', sizeof line);
	memcpy(line, "client", 6);
	if (l->path_used)
		memcpy(line + TX_PATH - 4, "middlebox", 9);
	memcpy(line + TX_SERVER - 5, "server", 6);
	line[TX_SERVER + 1] = '\0';
	put_row(out, ' ', "time", "frame", line);
	for (unsigned i = 0; i < l->n; i++) {
		const struct ladder_row *r = &l->row[i];
		char when[24] = "", fr[24];
		unsigned extra = 0;

		if (i > 0 && r->brk) {
			break_line(out, l, r->gap);
		} else if (i > 0 && !r->same_frame) {
			extra = (r->y - l->row[i - 1].y - LADDER_STEP) * 2 /
			        LADDER_SCALE;
			lanes(line, l, '|', ':');
			for (unsigned k = 0; k < extra && k < 2; k++)
				put_row(out, ' ', "", "", line);
		}
		if (r->ev->ts_known && l->times)
			snprintf(when, sizeof when, "%10.3f ms",
			         fmt_ms(l->tl->t0, r->ev->ts));
		snprintf(fr, sizeof fr, "%" PRIu64,
		         (uint64_t)TA_FRAME_NO(r->ev->frame));
		if (r->kind == LADDER_NOTE)
			note_line(line, l, r);
		else
			arrow_line(line, l, r);
		put_row(out, r->ends ? '*' : r->failure ? '!' : ' ', when, fr,
		        line);
		ends = ends || r->ends;
		failure = failure || r->failure;
	}
	if (l->tail != LADDER_TAIL_NONE || l->silent != DIAG_SIDE_NONE) {
		const char *tail = ladder_tail_str(l->tail);

		lanes(line, l, ':', ' ');
		put_row(out, ' ', "", "", line);
		fprintf(out, "    %s%s%s\n",
		        l->silent == DIAG_SIDE_SERVER   ? "the server stayed silent"
		        : l->silent == DIAG_SIDE_CLIENT ? "the client stayed silent"
		                                        : "",
		        l->silent != DIAG_SIDE_NONE && tail != NULL ? "; " : "",
		        tail != NULL ? tail : "");
	}
	if (ends || failure || l->breaks > 0) {
		char legend[96];
		size_t n;

		n = (size_t)snprintf(legend, sizeof legend, "%s%s%s",
		                     ends ? "* ended the connection  " : "",
		                     failure ? "! fatal alert  " : "",
		                     l->breaks > 0 ? "~ a long wait, not to scale"
		                                   : "");
		while (n > 0 && legend[n - 1] == ' ')
			legend[--n] = '\0';
		fprintf(out, "    %s\n", legend);
	}
}
