/*
 * ladder.h: a connection's timeline laid out as a ladder diagram: a lane
 * for the client, one for the server and one between them for what a
 * device on the path sent; an arrow per event, in frame order, spaced by
 * the time between events, long waits shown as breaks. One layout, drawn
 * twice: as SVG in the HTML report (html_card.c) and in ASCII on a
 * terminal (--ladder, -v: ladder_text()).
 *
 * Pure layout: ladder_build() reads the facts, the diagnosis and the
 * timeline built from them, allocates nothing and keeps no pointer but the
 * one to the timeline, which must outlive the ladder.
 */
#ifndef LADDER_H
#define LADDER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "diag/diag.h"
#include "diag/timeline.h"

enum ladder_lane {
	LADDER_CLIENT = 0,
	LADDER_PATH,   /* a device between them (a forged RST) */
	LADDER_SERVER,
};

enum ladder_kind {
	LADDER_ARROW,  /* something a side (or a middlebox) sent */
	LADDER_NOTE,   /* a conclusion, not a packet: handshake complete */
};

/* Vertical spacing, in SVG pixels (the ASCII drawing derives its lines). */
#define LADDER_STEP 46        /* between events of different frames */
#define LADDER_STACK 34       /* between events of one frame */
#define LADDER_SCALE 110      /* extra space for the longest wait to scale */
#define LADDER_BREAK 56       /* a long wait drawn as a break */
/* A wait is a break when it is this many times the next shorter wait (and
 * at least LADDER_BREAK_MIN): drawn to scale, it would squash the rest. */
#define LADDER_BREAK_RATIO 8
#define LADDER_BREAK_MIN (100 * TA_NS_PER_MS)
/* The scale's full step stands for the longest wait drawn to scale, but
 * never for less than this: a sub-millisecond exchange looks quick. */
#define LADDER_SCALE_FLOOR (5 * TA_NS_PER_MS)

struct ladder_row {
	const struct timeline_event *ev;
	enum ladder_kind kind;
	enum ladder_lane from, to;  /* arrows only */
	bool ends;      /* the FIN or RST that ended the connection */
	bool failure;   /* a fatal alert, a refusal: where it broke */
	bool same_frame; /* one more message of the previous row's frame */
	bool gap_known; /* the time since the previous row is known */
	uint64_t gap;   /* ns since the previous row */
	bool brk;       /* the wait before this row is drawn as a break */
	unsigned y;     /* of the arrow, from the first row's (0) */
};

/* What came after the last event, when nothing ended the connection. */
enum ladder_tail {
	LADDER_TAIL_NONE = 0,  /* a FIN or RST ended it (or nothing is known) */
	LADDER_TAIL_OPEN,      /* open when the capture ended */
	LADDER_TAIL_TIMEOUT,   /* idle past the idle timeout */
	LADDER_TAIL_NO_ANSWER, /* SYNs never answered */
};

struct ladder {
	const struct timeline *tl;
	struct ladder_row row[TIMELINE_MAX];
	unsigned n;
	unsigned height;       /* y of the last row */
	bool times;            /* times are known (the clock did not step back) */
	bool path_used;        /* some row starts on the path lane */
	unsigned breaks;
	uint64_t scale_gap;    /* the longest wait drawn to scale (ns) */
	uint64_t scale_ref;    /* what LADDER_SCALE stands for: scale_gap, at
	                        * least LADDER_SCALE_FLOOR */
	enum ladder_tail tail;
	enum diag_side silent; /* handshake-timeout: the side that was silent */
	/* A middlebox's RST: whose address it carried ("as the server"). */
	enum ladder_lane forged_as;
};

void ladder_build(const struct conn_facts *f, const struct diag_result *d,
                  const struct timeline *tl, struct ladder *out);

/*
 * The message's name and its details, from an event's text ("ServerHello:
 * TLS 1.2, ..." -> "ServerHello" and "TLS 1.2, ..."): *name_len bytes of
 * the text are the name, *detail the rest ("" when none).
 */
void ladder_split(const char *text, size_t *name_len, const char **detail);

/* "after the capture ended ..." words for the tail; NULL for NONE. */
const char *ladder_tail_str(enum ladder_tail t);

/*
 * The ladder in ASCII for a terminal, indented by two spaces, at most 78
 * columns wide. Bytes from the network are shown as '?' unless printable
 * ASCII.
 */
void ladder_text(FILE *out, const struct ladder *l);

#endif
