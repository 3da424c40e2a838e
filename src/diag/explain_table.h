/*
 * explain_table.h: the table of error phrases behind --explain, private to
 * explain.c (the matcher and printer) and explain_table.c (the entries).
 * Other callers read it through explain_table() in explain.h.
 */
#ifndef EXPLAIN_TABLE_H
#define EXPLAIN_TABLE_H

#include <stddef.h>

#include "diag/explain.h"

/* Entries the table may hold: the matcher keeps one span per entry on its
 * stack. explain_table.c does not compile when the table outgrows it. */
#define EXPLAIN_ENTRIES_MAX 64

/* In matching order, from the most specific entry to the most generic. */
extern const struct explain_entry explain_entries[];
extern const size_t explain_nentries;

#endif
