/*
 * timeline.h: a connection's events in frame order with their capture
 * times, built from facts only (TCP outcome, STARTTLS, TLS): what a person
 * would otherwise reconstruct in Wireshark. Used by both reports.
 */
#ifndef TIMELINE_H
#define TIMELINE_H

#include <stdbool.h>

#include "analyzer.h"

#define TIMELINE_MAX 40
#define TIMELINE_TEXT 160

enum timeline_side {
	TL_CLIENT,
	TL_SERVER,
	TL_NONE, /* a conclusion, not something a side sent */
};

struct timeline_event {
	ta_frame frame;
	bool ts_known;
	ta_time ts;
	enum timeline_side side;
	/* Where in its side's TLS stream it began, when known: events of one
	 * frame and one side are told in stream order (an alert before the
	 * ServerHello of the same segment comes first); UINT64_MAX: unknown,
	 * the order they were added in. */
	uint64_t pos;
	/* Raw text: may hold bytes from the network (response texts); the
	 * reports escape it. */
	char text[TIMELINE_TEXT];
};

struct timeline {
	struct timeline_event ev[TIMELINE_MAX];
	unsigned n;
	unsigned dropped;
	ta_time t0;          /* time of the first event, for relative times */
	bool t0_known;
};

void timeline_build(const struct conn_facts *f, struct timeline *tl);
const char *timeline_side_str(enum timeline_side s);

#endif
