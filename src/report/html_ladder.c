/*
 * html_ladder.c: a connection's ladder (ladder.h) as inline SVG (SVG 1.1,
 * drawn with lines, paths and text only: no ids, no references, no
 * images). Time runs down the page; the left column gives each arrow's
 * time since the first event and its frame number.
 */
#include <inttypes.h>
#include <string.h>

#include "report/html_int.h"
#include "util/fmt.h"

#define W 900
#define X_TIME 112     /* right edge of the time column */
#define X_CLI 190
#define X_MID 495
#define X_SRV 800
#define Y_LANES 46     /* the lanes start under their headers */
#define Y_FIRST 92     /* the first arrow */
#define TAIL 62        /* room under the last arrow for what followed */
#define BOTTOM 22
#define HEAD_LEN 9     /* arrowhead */
#define NAME_MAX 80    /* characters of a label shown; the title has all */
#define DETAIL_MAX 92

static unsigned
lane_x(enum ladder_lane l)
{
	switch (l) {
	case LADDER_CLIENT:
		return X_CLI;
	case LADDER_PATH:
		return X_MID;
	case LADDER_SERVER:
		break;
	}
	return X_SRV;
}

/* A lane's header: who, and the address when there is one. */
static void
lane_head(FILE *out, unsigned x, const char *who, const char *addr)
{
	size_t n = strlen(addr);

	fprintf(out, "<text class=\"who-h\" x=\"%u\" y=\"16\" "
	             "text-anchor=\"middle\">%s</text>\n", x, who);
	if (n == 0)
		return;
	fprintf(out, "<text class=\"addr-h\" x=\"%u\" y=\"33\" "
	             "text-anchor=\"middle\"", x);
	/* A long IPv6 address is squeezed, not cut. */
	if (n > 34)
		fprintf(out, " textLength=\"250\" lengthAdjust=\"spacingAndGlyphs\"");
	fputc('>', out);
	html_esc(out, addr, n, n);
	fputs("</text>\n", out);
}

static void
time_labels(FILE *out, const struct ladder *l, const struct ladder_row *r,
            unsigned y, unsigned base_file)
{
	char fr[48];

	if (l->times && r->ev->ts_known)
		fprintf(out, "<text class=\"t\" x=\"%u\" y=\"%u\" "
		             "text-anchor=\"end\">%.3f ms</text>",
		        X_TIME, y - 1, fmt_ms(l->tl->t0, r->ev->ts));
	fmt_frame(fr, sizeof fr, r->ev->frame, base_file);
	fprintf(out, "<text class=\"fr\" x=\"%u\" y=\"%u\" "
	             "text-anchor=\"end\">%s</text>\n",
	        X_TIME, y + 12, fr);
}

/* Name above detail, centred over the arrow; one line when no detail. */
static void
labels(FILE *out, unsigned cx, unsigned y, const char *name, size_t name_len,
       const char *detail)
{
	size_t dn = strlen(detail);

	fprintf(out, "<text class=\"name\" x=\"%u\" y=\"%u\" "
	             "text-anchor=\"middle\">", cx, dn > 0 ? y - 20 : y - 7);
	html_esc(out, name, name_len, NAME_MAX);
	fputs("</text>", out);
	if (dn > 0) {
		fprintf(out, "<text class=\"det\" x=\"%u\" y=\"%u\" "
		             "text-anchor=\"middle\">", cx, y - 7);
		html_esc(out, detail, dn, DETAIL_MAX);
		fputs("</text>", out);
	}
}

static void
arrow(FILE *out, const struct ladder *l, const struct ladder_row *r,
      unsigned y)
{
	unsigned x1 = lane_x(r->from), x2 = lane_x(r->to);
	bool right = x2 > x1;
	unsigned tip = right ? x2 - 1 : x2 + 1;
	unsigned base = right ? tip - HEAD_LEN : tip + HEAD_LEN;
	const char *dir = r->from == LADDER_PATH     ? "mid"
	                  : r->from == LADDER_CLIENT ? "c2s"
	                                             : "s2c";
	size_t name_len;
	const char *detail;
	size_t n = strlen(r->ev->text);

	fprintf(out, "<g class=\"arrow %s%s%s\" data-frame=\"%" PRIu64 "\">",
	        dir, r->failure ? " fail" : "", r->ends ? " end" : "",
	        (uint64_t)TA_FRAME_NO(r->ev->frame));
	fputs("<title>", out);
	html_esc(out, r->ev->text, n, n);
	fputs("</title>", out);
	fprintf(out, "<line x1=\"%u\" y1=\"%u\" x2=\"%u\" y2=\"%u\"/>", x1, y,
	        base, y);
	fprintf(out, "<path d=\"M%u %uL%u %uL%u %uZ\"/>", tip, y, base, y - 5,
	        base, y + 5);
	if (r->from == LADDER_PATH) {
		/* The timeline's sentence is too long for the lane's width. */
		fprintf(out, "<circle cx=\"%u\" cy=\"%u\" r=\"4\"/>", x1, y);
		labels(out, (x1 + x2) / 2, y, "RST from a device on the path",
		       strlen("RST from a device on the path"),
		       l->forged_as == LADDER_SERVER
		           ? "it carried the server's address (inferred)"
		           : "it carried the client's address (inferred)");
	} else {
		ladder_split(r->ev->text, &name_len, &detail);
		labels(out, (x1 + x2) / 2, y, r->ev->text, name_len, detail);
	}
	if (r->ends)
		fprintf(out, "<text class=\"endmark\" x=\"%u\" y=\"%u\" "
		             "text-anchor=\"%s\">ended the connection</text>",
		        right ? tip - 4 : tip + 4, y + 15, right ? "end" : "start");
	fputs("</g>\n", out);
}

static void
note(FILE *out, const struct ladder_row *r, unsigned y)
{
	size_t n = strlen(r->ev->text);

	fprintf(out, "<g class=\"note\" data-frame=\"%" PRIu64 "\">",
	        (uint64_t)TA_FRAME_NO(r->ev->frame));
	fprintf(out, "<line x1=\"%u\" y1=\"%u\" x2=\"%u\" y2=\"%u\"/>", X_CLI,
	        y, X_SRV, y);
	fprintf(out, "<text x=\"%u\" y=\"%u\" text-anchor=\"middle\">", X_MID,
	        y - 7);
	html_esc(out, r->ev->text, n, NAME_MAX);
	fputs("</text></g>\n", out);
}

/* A long wait: each lane interrupted by two slanted strokes, the wait
 * written across. */
static void
brk(FILE *out, unsigned mid, uint64_t gap)
{
	static const unsigned xs[] = {X_CLI, X_MID, X_SRV};
	char d[32];

	fmt_duration(d, sizeof d, gap);
	fputs("<g class=\"break\">", out);
	for (unsigned i = 0; i < 3; i++) {
		unsigned x = xs[i];

		fprintf(out, "<rect class=\"brk-band\" x=\"%u\" y=\"%u\" "
		             "width=\"20\" height=\"16\"/>",
		        x - 10, mid - 8);
		fprintf(out, "<path class=\"brk-zig\" d=\"M%u %uL%u %uM%u %uL%u "
		             "%u\"/>",
		        x - 9, mid - 1, x + 9, mid - 9, x - 9, mid + 9, x + 9,
		        mid + 1);
	}
	fprintf(out, "<text class=\"brk\" x=\"%u\" y=\"%u\" "
	             "text-anchor=\"middle\">%s later (not to scale)</text>",
	        (X_CLI + X_MID) / 2, mid + 4, d);
	fprintf(out, "<text class=\"gap\" x=\"%u\" y=\"%u\" "
	             "text-anchor=\"end\">+%s</text></g>\n",
	        X_TIME, mid + 4, d);
}

static void
tail(FILE *out, const struct ladder *l, unsigned y)
{
	const char *t = ladder_tail_str(l->tail);
	const char *who = l->silent == DIAG_SIDE_SERVER   ? "the server stayed silent"
	                  : l->silent == DIAG_SIDE_CLIENT ? "the client stayed silent"
	                                                  : "";

	fprintf(out, "<text class=\"tail\" x=\"%u\" y=\"%u\" "
	             "text-anchor=\"middle\">%s%s%s</text>\n",
	        X_MID, y + TAIL - 14, who, who[0] != '\0' && t != NULL ? "; " : "",
	        t != NULL ? t : "");
	if (l->silent != DIAG_SIDE_NONE)
		fprintf(out, "<text class=\"silent\" x=\"%u\" y=\"%u\" "
		             "text-anchor=\"%s\">silent</text>\n",
		        l->silent == DIAG_SIDE_SERVER ? X_SRV - 8 : X_CLI + 8,
		        y + TAIL - 14,
		        l->silent == DIAG_SIDE_SERVER ? "end" : "start");
}

void
html_ladder_svg(FILE *out, const struct conn_facts *f,
                const struct diag_result *d, const struct ladder *l)
{
	const struct conn *c = f->conn;
	char ca[FMT_ADDR_LEN + 8], sa[FMT_ADDR_LEN + 8];
	bool has_tail = l->tail != LADDER_TAIL_NONE || l->silent != DIAG_SIDE_NONE;
	unsigned last = Y_FIRST + l->height;
	unsigned end = last + (has_tail ? TAIL : 18);
	unsigned h = end + BOTTOM;
	unsigned base_file = TA_FRAME_FILE(c->first_frame);
	unsigned arrows = 0;

	for (unsigned i = 0; i < l->n; i++)
		arrows += l->row[i].kind == LADDER_ARROW;
	html_endpoint(ca, sizeof ca, &c->caddr, c->cport);
	html_endpoint(sa, sizeof sa, &c->saddr, c->sport);
	fprintf(out, "<svg class=\"lad-%s\" "
	             "viewBox=\"0 0 %u %u\" width=\"%u\" height=\"%u\" "
	             "role=\"img\" data-arrows=\"%u\">\n",
	        html_sev_class(d->severity), W, h, W, h, arrows);
	fprintf(out, "<title>Ladder diagram: %u message%s between client %s and "
	             "server %s, time running down</title>\n",
	        arrows, arrows == 1 ? "" : "s", ca, sa);
	lane_head(out, X_CLI, "client", ca);
	lane_head(out, X_MID, l->path_used ? "device on the path" : "network path",
	          l->path_used ? "inferred" : "");
	lane_head(out, X_SRV, "server", sa);
	/* Lanes: solid while something happens, dashed for what followed. */
	fprintf(out, "<line class=\"lane\" x1=\"%u\" y1=\"%u\" x2=\"%u\" "
	             "y2=\"%u\"/>",
	        X_CLI, Y_LANES, X_CLI, last + 18);
	fprintf(out, "<line class=\"lane path\" x1=\"%u\" y1=\"%u\" x2=\"%u\" "
	             "y2=\"%u\"/>",
	        X_MID, Y_LANES, X_MID, end);
	fprintf(out, "<line class=\"lane\" x1=\"%u\" y1=\"%u\" x2=\"%u\" "
	             "y2=\"%u\"/>\n",
	        X_SRV, Y_LANES, X_SRV, last + 18);
	if (has_tail)
		fprintf(out, "<line class=\"lane tail\" x1=\"%u\" y1=\"%u\" "
		             "x2=\"%u\" y2=\"%u\"/><line class=\"lane tail\" "
		             "x1=\"%u\" y1=\"%u\" x2=\"%u\" y2=\"%u\"/>\n",
		        X_CLI, last + 18, X_CLI, end, X_SRV, last + 18, X_SRV, end);
	for (unsigned i = 0; i < l->n; i++) {
		const struct ladder_row *r = &l->row[i];
		unsigned y = Y_FIRST + r->y;

		if (i > 0 && r->brk) {
			brk(out, Y_FIRST + l->row[i - 1].y + 40, r->gap);
		} else if (i > 0 && !r->same_frame && r->gap_known &&
		           r->y - l->row[i - 1].y >= LADDER_STEP + 30) {
			char dd[32];

			fmt_duration(dd, sizeof dd, r->gap);
			fprintf(out, "<text class=\"gap\" x=\"%u\" y=\"%u\" "
			             "text-anchor=\"end\">+%s</text>\n",
			        X_TIME, Y_FIRST + (l->row[i - 1].y + r->y) / 2 + 8,
			        dd);
		}
		time_labels(out, l, r, y, base_file);
		if (r->kind == LADDER_ARROW)
			arrow(out, l, r, y);
		else
			note(out, r, y);
	}
	if (has_tail)
		tail(out, l, last);
	fputs("</svg>\n", out);
}
