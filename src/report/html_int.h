/*
 * html_int.h: what the files of the HTML report share (html.c: the page
 * and the summary; html_card.c: a connection's card; html_ladder.c: its
 * ladder as SVG; html_esc.c: escaping; html_style.c: the inline CSS and
 * script).
 */
#ifndef HTML_INT_H
#define HTML_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "analyzer.h"
#include "capture/capture.h"
#include "diag/diag.h"
#include "report/ladder.h"

/* Text from anywhere (the capture above all) as HTML text or a quoted
 * attribute value: &<>"' as references, printable ASCII and valid UTF-8
 * as they are; control characters (C0, DEL, C1), invalid bytes,
 * noncharacters and the invisible characters that reorder or hide text
 * (bidi controls, zero-width, line separators, BOM) as \xNN per byte, a
 * backslash as \\ (the terminal's way, utf8_sanitize()). At most max
 * characters are shown (an escape counts its four); a cut ends in an
 * ellipsis. */
void html_esc(FILE *out, const char *s, size_t n, size_t max);
/* The same for a NUL-terminated string, whole. */
void html_puts(FILE *out, const char *s);

/* The inline stylesheet and script (html_style.c). */
extern const char html_style[];
extern const char html_script[];

/* "sha256-BASE64" of s, for the Content-Security-Policy. */
bool html_csp_hash(const char *s, char *out, size_t len);

/* "198.18.1.2:58968" or "[2001:db8::5]:51234" */
void html_endpoint(char *buf, size_t len, const struct pkt_addr *a,
                   uint16_t port);
/* "error", "warning", "ok": the CSS class of a severity. */
const char *html_sev_class(enum diag_severity s);

/* One connection's card (html_card.c); n is its number on the page. */
void html_card(FILE *out, uint64_t n, const struct capture *cap,
               const struct conn_facts *f, const struct diag_result *d);
/* The ladder as an inline SVG (html_ladder.c). */
void html_ladder_svg(FILE *out, const struct conn_facts *f,
                     const struct diag_result *d, const struct ladder *l);

#endif
