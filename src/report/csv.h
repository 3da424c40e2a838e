/*
 * csv.h: a CSV writer (RFC 4180) whose cells a spreadsheet opens as text,
 * whatever bytes the network sent.
 *
 * A cell holding a comma, a double quote, CR or LF is quoted, its quotes
 * doubled. Its bytes become valid UTF-8 as in JSON (each byte of an
 * invalid sequence becomes U+FFFD); control characters other than tab, CR
 * and LF (C0, DEL, C1) become U+FFFD too, since CSV cannot escape them. A
 * cell that starts with = + - @, a tab or CR, which spreadsheets read as
 * the start of a formula, gets a leading apostrophe. Rows end with CRLF.
 */
#ifndef CSV_H
#define CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct csv {
	FILE *out;
	bool first;  /* no cell written yet in this row */
};

void csv_begin(struct csv *c, FILE *out);
void csv_strn(struct csv *c, const uint8_t *s, size_t n);
/* NULL: an empty cell. */
void csv_str(struct csv *c, const char *s);
void csv_uint(struct csv *c, uint64_t v);
void csv_end(struct csv *c);

#endif
