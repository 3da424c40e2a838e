/*
 * wrap.h: a report's lines folded at a terminal's width. Columns are
 * counted in characters (UTF-8 code points), ANSI colour sequences count
 * for nothing. A line breaks at the last space that fits. Its
 * continuation goes 8 in for a line that starts at the margin (a
 * headline, the summary); for an indented line, under its text: past a
 * "- " or "1. " bullet, or past the last gap of two spaces in the first
 * half of the width (the timeline's columns), else 4 further in than the
 * line. A word longer than the room left is the only thing cut: its
 * middle gives way to "...", its start and (longer) end are kept.
 */
#ifndef WRAP_H
#define WRAP_H

#include <stddef.h>
#include <stdio.h>

/* The narrowest width that is still honoured; below it, this one. */
#define WRAP_MIN_WIDTH 40

/* Writes text (any number of lines, each ending in '\n' or the end) to
 * out, every line folded to at most width columns; width 0: as it is. */
void wrap_write(FILE *out, const char *text, size_t len, unsigned width);

#endif
