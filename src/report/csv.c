/* csv.c: CSV writer (RFC 4180), cells inert in a spreadsheet (csv.h). */
#include <inttypes.h>
#include <string.h>

#include "report/csv.h"
#include "util/utf8.h"

#define REPLACEMENT "\xef\xbf\xbd" /* U+FFFD */

void
csv_begin(struct csv *c, FILE *out)
{
	c->out = out;
	c->first = true;
}

static void
sep(struct csv *c)
{
	if (!c->first)
		putc(',', c->out);
	c->first = false;
}

/* What a spreadsheet takes for the start of a formula (OWASP's list). */
static bool
formula_start(uint8_t b)
{
	return b == '=' || b == '+' || b == '-' || b == '@' || b == '\t' ||
	       b == '\r';
}

static bool
needs_quotes(const uint8_t *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n')
			return true;
	return false;
}

void
csv_strn(struct csv *c, const uint8_t *s, size_t n)
{
	bool quote = needs_quotes(s, n);
	size_t i = 0;

	sep(c);
	if (quote)
		putc('"', c->out);
	if (n > 0 && formula_start(s[0]))
		putc('\'', c->out);
	while (i < n) {
		uint8_t b = s[i];
		uint32_t cp;
		size_t len;

		if (b >= 0x20 && b < 0x7f) {
			if (b == '"')
				putc('"', c->out);
			putc(b, c->out);
			i++;
		} else if (b == '\t' || b == '\r' || b == '\n') {
			putc(b, c->out);
			i++;
		} else if (b < 0x80) {
			/* C0 controls and DEL */
			fputs(REPLACEMENT, c->out);
			i++;
		} else if ((len = utf8_seq(s + i, n - i, &cp)) == 0) {
			fputs(REPLACEMENT, c->out);
			i++;
		} else {
			/* C1 controls: a terminal showing the file obeys them. */
			if (cp < 0xa0)
				fputs(REPLACEMENT, c->out);
			else
				fwrite(s + i, 1, len, c->out);
			i += len;
		}
	}
	if (quote)
		putc('"', c->out);
}

void
csv_str(struct csv *c, const char *s)
{
	if (s == NULL)
		s = "";
	csv_strn(c, (const uint8_t *)s, strlen(s));
}

void
csv_uint(struct csv *c, uint64_t v)
{
	sep(c);
	fprintf(c->out, "%" PRIu64, v);
}

void
csv_end(struct csv *c)
{
	fputs("\r\n", c->out);
	c->first = true;
}
