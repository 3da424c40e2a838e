/* wrap.c: a report's lines folded at a terminal's width (wrap.h). */
#include <stdbool.h>
#include <string.h>

#include "util/wrap.h"

/* Columns a byte range takes: UTF-8 continuation bytes and ANSI CSI
 * sequences ("\033[...m") take none. */
static size_t
columns(const char *s, size_t n)
{
	size_t cols = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == 0x1b && i + 1 < n && s[i + 1] == '[') {
			i += 2;
			while (i < n && !((unsigned char)s[i] >= 0x40 &&
			                  (unsigned char)s[i] <= 0x7e))
				i++;
			continue;
		}
		if ((c & 0xc0) != 0x80)
			cols++;
	}
	return cols;
}

/* The byte offset at which the first cols columns of s end. */
static size_t
bytes_for(const char *s, size_t n, size_t cols)
{
	size_t i = 0;

	while (i < n) {
		size_t next = i + 1;

		if (s[i] == 0x1b && next < n && s[next] == '[') {
			next++;
			while (next < n && !((unsigned char)s[next] >= 0x40 &&
			                     (unsigned char)s[next] <= 0x7e))
				next++;
			i = next < n ? next + 1 : n;
			continue;
		}
		if (cols == 0)
			break;
		while (next < n && ((unsigned char)s[next] & 0xc0) == 0x80)
			next++;
		i = next;
		cols--;
	}
	return i;
}

/* Where the text of a line begins, as a column: past the indent and a
 * bullet, or past the last gap of two or more spaces that ends by limit. */
static size_t
text_column(const char *s, size_t n, size_t limit)
{
	size_t i = 0, col, best;

	while (i < n && s[i] == ' ')
		i++;
	if (i + 1 < n && s[i] == '-' && s[i + 1] == ' ')
		i += 2;
	else if (i < n && s[i] >= '1' && s[i] <= '9') {
		size_t j = i;

		while (j < n && s[j] >= '0' && s[j] <= '9')
			j++;
		if (j + 1 < n && s[j] == '.' && s[j + 1] == ' ')
			i = j + 2;
	}
	/* A line of its own (a headline, the summary): its rest under it. */
	if (i == 0)
		return 8;
	col = columns(s, i);
	/* no bullet: 4 in, unless a column of text is found further on */
	best = s[i - 1] == ' ' && (i < 2 || s[i - 2] == ' ') ? col + 4 : col;
	if (best > limit)
		best = limit;
	while (i < n && col <= limit) {
		if (s[i] == ' ' && i + 1 < n && s[i + 1] == ' ') {
			while (i < n && s[i] == ' ') {
				i++;
				col++;
			}
			if (col <= limit)
				best = col;
			continue;
		}
		if (s[i] == 0x1b && i + 1 < n && s[i + 1] == '[') {
			/* a colour: no column */
			i += 2;
			while (i < n && !((unsigned char)s[i] >= 0x40 &&
			                  (unsigned char)s[i] <= 0x7e))
				i++;
			i++;
			continue;
		}
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			col++;
		i++;
	}
	return best;
}

static void
pad(FILE *out, size_t cols)
{
	while (cols-- > 0)
		fputc(' ', out);
}

/* A word of n bytes in at most room (>= 8) columns: if too long, its
 * middle gives way to "...". Its end says most (a file's name, a
 * domain) and keeps a colour's reset, so it keeps the larger part. */
static void
write_word(FILE *out, const char *w, size_t n, size_t room)
{
	size_t cols = columns(w, n), head, from;

	if (cols <= room) {
		fwrite(w, 1, n, out);
		return;
	}
	head = (room - 3) / 3;
	fwrite(w, 1, bytes_for(w, n, head), out);
	fputs("...", out);
	from = bytes_for(w, n, cols - (room - 3 - head));
	fwrite(w + from, 1, n - from, out);
}

static void
wrap_line(FILE *out, const char *s, size_t n, unsigned width)
{
	size_t indent, room;
	bool first = true;

	if (columns(s, n) <= width) {
		fwrite(s, 1, n, out);
		fputc('\n', out);
		return;
	}
	indent = text_column(s, n, width / 2);
	while (n > 0) {
		size_t cut, skip;

		room = first ? width : width - indent;
		if (!first)
			pad(out, indent);
		if (columns(s, n) <= room) {
			fwrite(s, 1, n, out);
			fputc('\n', out);
			return;
		}
		/* The last space within the room, not inside the indent. */
		cut = bytes_for(s, n, room);
		while (cut > 0 && s[cut] != ' ')
			cut--;
		if (first) {
			size_t lead = 0;

			while (lead < n && s[lead] == ' ')
				lead++;
			if (cut <= lead)
				cut = 0;
		}
		if (cut == 0) {
			/* One word longer than the room. */
			size_t lead = 0, from, end;

			while (lead < n && s[lead] == ' ')
				lead++;
			if (lead + 8 > room)
				lead = 0; /* no room for the indent too */
			pad(out, lead);
			for (from = lead; from < n && s[from] == ' '; from++)
				;
			for (end = from; end < n && s[end] != ' '; end++)
				;
			write_word(out, s + from, end - from, room - lead);
			fputc('\n', out);
			skip = end;
		} else {
			size_t end = cut;

			/* no line ends in blanks */
			while (end > 0 && s[end - 1] == ' ')
				end--;
			fwrite(s, 1, end, out);
			fputc('\n', out);
			skip = cut;
		}
		while (skip < n && s[skip] == ' ')
			skip++;
		s += skip;
		n -= skip;
		first = false;
	}
}

void
wrap_write(FILE *out, const char *text, size_t len, unsigned width)
{
	if (width == 0) {
		fwrite(text, 1, len, out);
		return;
	}
	if (width < WRAP_MIN_WIDTH)
		width = WRAP_MIN_WIDTH;
	while (len > 0) {
		const char *nl = memchr(text, '\n', len);
		size_t n = nl != NULL ? (size_t)(nl - text) : len;

		wrap_line(out, text, n, width);
		if (nl == NULL)
			return;
		text += n + 1;
		len -= n + 1;
	}
}
