/*
 * text_groups.h: the text report of a finished run, one screen first.
 * Connections whose reports say the same (same server, verdict, findings,
 * summary and advice) form one group, shown once with the frames of the
 * others ("7 connections like this: frames 3, 40, 88, ..."). The groups
 * are printed when the run ends (or when they hold too much text), in the
 * order their first connection was reported: as full reports, or, on a
 * terminal with more than a handful of connections, as one line each.
 */
#ifndef TEXT_GROUPS_H
#define TEXT_GROUPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "diag/diag.h"

/* Frames listed per group; the rest are counted. */
#define TEXT_GROUPS_FRAMES 8
/* Text held before the groups are printed anyway (memory stays bounded
 * whatever the capture's size; grouping then restarts). */
#define TEXT_GROUPS_MAX_BYTES (64u * 1024u * 1024u)

struct text_groups;

/* What one reported connection brings. */
struct text_member {
	const char *key;    /* what makes two reports the same */
	size_t key_len;
	const char *block;  /* its full report, ending in a blank line */
	size_t block_len;
	const char *line;   /* its one-line form, without '\n' */
	const char *frame;  /* "17", or "other.pcap frame 17" */
	uint64_t client;    /* the client's address, text_groups_hash()ed */
	enum diag_severity severity;
};

struct text_groups *text_groups_new(void);
/* The hash the groups are found by (FNV-1a), for a member's client too. */
uint64_t text_groups_hash(const void *p, size_t n);
/* false: out of memory (the caller prints the connection alone). */
bool text_groups_add(struct text_groups *g, const struct text_member *m);
uint64_t text_groups_conns(const struct text_groups *g);
/* Reports held: one per group. */
size_t text_groups_reports(const struct text_groups *g);
/* Lines their full reports take, unfolded. */
size_t text_groups_lines(const struct text_groups *g);
size_t text_groups_bytes(const struct text_groups *g);
/* Print every group, then forget them: full reports, or one line per
 * group when compact; lines folded at width (0: not folded). */
void text_groups_flush(struct text_groups *g, FILE *out, bool compact,
                       unsigned width);
void text_groups_free(struct text_groups *g);

#endif
