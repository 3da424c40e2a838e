/* explain.c: error lines of TLS clients and servers matched against the phrase table (explain_table*.c), and the likely verdicts and checks printed. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "diag/explain.h"
#include "diag/explain_table.h"

/* The checks are written for one IMAP host; this says how to aim them. */
static const char check_hint[] =
	"The checks name example hosts (imap.example.com on 993 unless they say "
	"otherwise): put the server's name and the client's port, TLS first on "
	"995 and 465 as on 993; STARTTLS: -starttls imap on 143, -starttls pop3 "
	"on 110, -starttls smtp on 25 or 587.\n";

/* The seven mail ports tlsautopsy watches by default. */
static const char capture_hint[] =
	"No capture yet? Where the client runs (or on the server), while it "
	"retries:\n"
	"  tcpdump -i any -s 0 -w capture.pcap "
	"'tcp port 143 or 993 or 110 or 995 or 25 or 587 or 465'\n";

const struct explain_entry *const *
explain_table(size_t *n)
{
	*n = explain_nentries;
	return explain_entries;
}

static bool
is_hex(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* Letters, digits and any non-ASCII byte make up words. */
static bool
is_word(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c >= 0x80;
}

/* Whitespace, controls, '_' and '-' all separate words the same way. */
static bool
is_sep(uint8_t c)
{
	return c <= 0x20 || c == 0x7f || c == '_' || c == '-';
}

/*
 * Copies at most inmax bytes of the NUL-terminated s into out (outsz
 * bytes, NUL included), normalised as explain.h says. Returns the length;
 * *cut is set when inmax bytes were read without meeting the NUL.
 */
static size_t
normalise(const char *s, size_t inmax, char *out, size_t outsz, bool *cut)
{
	size_t i, o = 0;
	bool pending = false;

	for (i = 0; i < inmax && s[i] != '\0'; i++) {
		uint8_t c = (uint8_t)s[i];

		if (is_sep(c)) {
			pending = o > 0;
			continue;
		}
		if (pending && o + 1 < outsz) {
			out[o++] = ' ';
		}
		pending = false;
		if (c >= 'A' && c <= 'Z')
			c = (uint8_t)(c - 'A' + 'a');
		if (o + 1 < outsz)
			out[o++] = (char)c;
	}
	out[o] = '\0';
	if (cut != NULL)
		*cut = i == inmax;
	return o;
}

/* seg (n bytes) at text[at] on word boundaries where seg's ends are words. */
static bool
seg_at(const char *text, size_t tlen, size_t at, const char *seg, size_t n)
{
	if (n == 0 || at + n > tlen || memcmp(text + at, seg, n) != 0)
		return false;
	if (is_word((uint8_t)seg[0]) && at > 0 &&
	    is_word((uint8_t)text[at - 1]))
		return false;
	if (is_word((uint8_t)seg[n - 1]) && at + n < tlen &&
	    is_word((uint8_t)text[at + n]))
		return false;
	return true;
}

/* The next "..." in p[0..n), or n. */
static size_t
gap_at(const char *p, size_t n)
{
	for (size_t i = 0; i + 3 <= n; i++) {
		if (p[i] == '.' && p[i + 1] == '.' && p[i + 2] == '.')
			return i;
	}
	return n;
}

/* Trims the single spaces normalise() may leave around a "...". */
static void
trim(const char **p, size_t *n)
{
	while (*n > 0 && (*p)[0] == ' ') {
		(*p)++;
		(*n)--;
	}
	while (*n > 0 && (*p)[*n - 1] == ' ')
		(*n)--;
}

/*
 * Whether the rest of a phrase (segments split by "...") follows in text
 * from position from; *end receives where the match ends.
 */
static bool
rest_matches(const char *text, size_t tlen, size_t from, const char *p,
    size_t n, size_t *end)
{
	while (n > 0) {
		size_t g = gap_at(p, n), skip = n - g < 3 ? n - g : 3;
		const char *seg = p;
		size_t slen = g, limit;
		bool found = false;

		trim(&seg, &slen);
		p += g + skip;
		n -= g + skip;
		if (slen == 0)
			continue;
		limit = from + EXPLAIN_GAP_MAX;
		for (size_t at = from; at <= limit && at + slen <= tlen; at++) {
			if (seg_at(text, tlen, at, seg, slen)) {
				from = at + slen;
				found = true;
				break;
			}
		}
		if (!found)
			return false;
	}
	*end = from;
	return true;
}

struct span {
	size_t start;
	size_t end;
};

static bool
inside(const struct span *taken, size_t ntaken, size_t start, size_t end)
{
	for (size_t i = 0; i < ntaken; i++) {
		if (taken[i].start <= start && end <= taken[i].end)
			return true;
	}
	return false;
}

/*
 * The first match of phrase (normalised, n bytes) in text that does not
 * lie inside a span already taken. The first segment anchors the match;
 * each later one must follow within EXPLAIN_GAP_MAX bytes.
 */
static bool
find_phrase(const char *text, size_t tlen, const char *p, size_t n,
    const struct span *taken, size_t ntaken, struct span *m)
{
	size_t g = gap_at(p, n), skip = n - g < 3 ? n - g : 3;
	const char *first = p;
	size_t flen = g;

	trim(&first, &flen);
	if (flen == 0)
		return false;
	for (size_t at = 0; at + flen <= tlen; at++) {
		size_t end;

		if (!seg_at(text, tlen, at, first, flen))
			continue;
		if (!rest_matches(text, tlen, at + flen, p + g + skip,
		    n - g - skip, &end))
			continue;
		if (inside(taken, ntaken, at, end))
			continue;
		m->start = at;
		m->end = end;
		return true;
	}
	return false;
}

/*
 * find_phrase, and for a hex code ("0x800ccc0e", normalised) the same code
 * without its "0x" when the full one is not there.
 */
static bool
find_code_or_phrase(const char *text, size_t tlen, const char *p, size_t n,
    const struct span *taken, size_t ntaken, struct span *m)
{
	if (find_phrase(text, tlen, p, n, taken, ntaken, m))
		return true;
	if (n > 2 && p[0] == '0' && p[1] == 'x' && is_hex((uint8_t)p[2]))
		return find_phrase(text, tlen, p + 2, n - 2, taken, ntaken, m);
	return false;
}

static size_t
match_normalised(const char *text, size_t tlen, struct explain_hit *out,
    size_t max)
{
	struct span taken[EXPLAIN_ENTRIES_MAX];
	size_t nhit = 0;

	for (size_t e = 0; e < explain_nentries && nhit < max; e++) {
		const struct explain_entry *ent = explain_entries[e];
		const struct explain_phrase *best = NULL;
		struct span bspan = {0, 0};
		size_t blen = 0;

		for (size_t k = 0; k < EXPLAIN_PHRASES_MAX &&
		    ent->phrases[k].text != NULL; k++) {
			char p[EXPLAIN_PHRASE_MAX + 1];
			size_t plen;
			struct span m;

			plen = normalise(ent->phrases[k].text, EXPLAIN_PHRASE_MAX,
			    p, sizeof p, NULL);
			if (plen <= blen)
				continue;
			if (!find_code_or_phrase(text, tlen, p, plen, taken, nhit,
			    &m))
				continue;
			best = &ent->phrases[k];
			bspan = m;
			blen = plen;
		}
		if (best == NULL)
			continue;
		out[nhit].entry = ent;
		out[nhit].phrase = best;
		out[nhit].start = bspan.start;
		out[nhit].end = bspan.end;
		taken[nhit] = bspan;
		nhit++;
	}
	return nhit;
}

size_t
explain_match(const char *text, struct explain_hit *out, size_t max)
{
	char norm[EXPLAIN_TEXT_MAX + 1];
	size_t n;

	if (text == NULL || out == NULL || max == 0)
		return 0;
	n = normalise(text, EXPLAIN_TEXT_MAX, norm, sizeof norm, NULL);
	return match_normalised(norm, n, out, max);
}

static void
print_entry(FILE *out, const struct explain_hit *h)
{
	const struct explain_entry *e = h->entry;

	fprintf(out, "Matched: \"%s\" (%s)\n", h->phrase->text,
	    h->phrase->stack);
	fprintf(out, "%s\n", e->meaning);
	fprintf(out, "Likely verdicts, most likely first:\n");
	for (size_t i = 0; i < EXPLAIN_VERDICTS_MAX && e->verdicts[i].id != NULL;
	    i++)
		fprintf(out, "  %zu. %s: %s\n", i + 1, e->verdicts[i].id,
		    e->verdicts[i].why);
	for (size_t i = 0; i < EXPLAIN_LOOK_MAX && e->look[i] != NULL; i++)
		fprintf(out, "In the capture, look for: %s\n", e->look[i]);
	fprintf(out, "Check without a capture: %s\n", e->check.cmd);
	fprintf(out, "  It shows: %s\n", e->check.shows);
	fprintf(out, "Run: %s\n", e->run);
}

/* Two lines: what did not work and what to try; never the whole table. */
static void
print_short(FILE *out, const char *what)
{
	fprintf(out, "%s\n", what);
	fputs("Paste the one log line that holds the error code or message "
	    "(the first failure, not what follows it), or see every phrase "
	    "known: tlsautopsy --explain list\n", out);
}

static void
print_list(FILE *out)
{
	fputs("Known phrases (case, spaces, '-' and '_' do not matter; "
	    "\"...\" stands for any text; a code 0x... also matches "
	    "without 0x):\n", out);
	for (size_t e = 0; e < explain_nentries; e++) {
		const struct explain_entry *ent = explain_entries[e];

		fprintf(out, "  %s:\n", ent->title);
		for (size_t k = 0; k < EXPLAIN_PHRASES_MAX &&
		    ent->phrases[k].text != NULL; k++)
			fprintf(out, "    \"%s\" (%s)\n",
			    ent->phrases[k].text, ent->phrases[k].stack);
	}
}

int
explain_print(FILE *out, const char *text)
{
	char norm[EXPLAIN_TEXT_MAX + 1];
	struct explain_hit hits[EXPLAIN_SHOW_MAX];
	size_t n, nhit;
	bool cut = false;

	n = text == NULL ? 0 :
	    normalise(text, EXPLAIN_TEXT_MAX, norm, sizeof norm, &cut);
	if (n == 0) {
		print_short(out, "Nothing to explain: the text is empty.");
		return 1;
	}
	if (strcmp(norm, "list") == 0) {
		print_list(out);
		return 0;
	}
	nhit = match_normalised(norm, n, hits, EXPLAIN_SHOW_MAX);
	if (cut)
		fprintf(out, "Only the first %u bytes of the text were read.\n",
		    EXPLAIN_TEXT_MAX);
	if (nhit == 0) {
		print_short(out, "No known error phrase in this text.");
		return 1;
	}
	for (size_t i = 0; i < nhit; i++) {
		if (i > 0)
			fputc('\n', out);
		print_entry(out, &hits[i]);
	}
	fputc('\n', out);
	fputs(check_hint, out);
	fputs(capture_hint, out);
	return 0;
}
