/*
 * html.h: --html FILE, one self-contained page a person forwards: the run
 * (files, time span, connections by verdict, the per-server table), then
 * one card per reported connection with its ladder diagram, certificate
 * chain, evidence, causes, findings and advice (doc/html.md).
 *
 * The page needs nothing from anywhere: CSS, SVG and one short script are
 * inline, and its Content-Security-Policy allows exactly those (the style
 * and the script by their SHA-256). Every byte that came from the capture
 * is escaped (html_esc.c).
 *
 * Memory stays bounded whatever the capture: cards are written to a
 * temporary file in FILE's directory as connections are reported; past
 * max_cards a connection becomes one row of a compact table instead. When
 * the run ends html_finish() writes the summary, copies the cards after
 * it and renames the whole onto FILE, so FILE is either the previous one
 * or the complete new page, never half of one.
 */
#ifndef HTML_H
#define HTML_H

#include <stdbool.h>
#include <stddef.h>

#include "analyzer.h"
#include "capture/capture.h"
#include "diag/diag.h"

#define HTML_DEFAULT_CARDS 500
#define HTML_MAX_CARDS 1000000

struct html_opts {
	unsigned max_cards;  /* cards at most; the rest go to the table */
	bool all;            /* -a: every connection is reported */
};

struct html;
struct report_counts;
struct server_summary;

/* Creates the temporary files next to path; NULL with a one-line reason
 * naming the file in err. */
struct html *html_open(const char *path, const struct html_opts *o,
                       char *err, size_t errlen);
void html_set_capture(struct html *h, const struct capture *cap);
/* Every connection, reported or not: the verdict bars count them. */
void html_tally(struct html *h, const struct diag_result *d);
/* A reported connection (d fully decided): a card, or a table row past
 * max_cards. */
void html_conn(struct html *h, const struct conn_facts *f,
               const struct diag_result *d);
/* Writes the page and renames it onto the path; false with a reason. */
bool html_finish(struct html *h, const struct report_counts *rc,
                 const struct server_summary *servers,
                 const struct analyzer_stats *st, const struct cap_stats *cs,
                 char *err, size_t errlen);
/* Frees; a page not finished leaves no file behind. */
void html_free(struct html *h);

#endif
