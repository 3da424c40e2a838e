/*
 * fuzz_html.c: any bytes (an SNI, a certificate name, an IMAP answer)
 * through the HTML report's escaping (html_esc) must come out as inert
 * text: valid UTF-8, no control, C1 or bidi character, no raw < > " ',
 * every & the start of one of the four references it writes, and never
 * more than the cut it was given (an escape counts four), whatever the
 * first byte makes that cut.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/html_int.h"
#include "util/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(const char *s, size_t n, size_t max)
{
	static const char *const refs[] = {"&amp;", "&lt;", "&gt;", "&quot;",
	                                   "&#39;"};
	size_t i = 0, shown = 0;

	while (i < n) {
		uint32_t cp;
		size_t l = utf8_seq((const uint8_t *)s + i, n - i, &cp);

		if (l == 0 || cp < 0x20 || cp == 0x7f ||
		    (cp >= 0x80 && cp < 0xa0) || (cp >= 0x202a && cp <= 0x202e) ||
		    (cp >= 0x2066 && cp <= 0x2069) || cp == '<' || cp == '>' ||
		    cp == '"' || cp == '\'')
			abort();
		if (cp == '&') {
			size_t k = 0;

			while (k < 5 && strncmp(s + i, refs[k], strlen(refs[k])) != 0)
				k++;
			if (k == 5)
				abort();
			l = strlen(refs[k]);
		}
		/* the ellipsis of a cut is not counted */
		if (!(cp == 0x2026 && i + l == n))
			shown++;
		i += l;
	}
	/* an escape is counted four times above: \xNN is four ASCII */
	if (max != SIZE_MAX && shown > max)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = NULL;
	size_t len = 0, max;
	FILE *m;

	if (size < 1)
		return 0;
	/* The first byte picks the cut; 255 means none. */
	max = data[0] == 255 ? SIZE_MAX : (size_t)data[0];
	data++;
	size--;
	m = open_memstream(&buf, &len);
	if (m == NULL)
		return 0;
	html_esc(m, (const char *)data, size, max);
	if (fclose(m) != 0)
		abort();
	check(buf, len, max);
	free(buf);
	return 0;
}
