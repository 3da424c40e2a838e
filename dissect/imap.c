/* imap.c: IMAP4 line layer (RFC 9051 sections 2.2, 4.3, 7, 9; RFC 7888; see imap.h). */
#include <string.h>

#include "imap.h"
#include "line.h"

/* Literal lengths are number64 (RFC 9051 section 9): at most 2^63 - 1. */
#define LITERAL_MAX_DIGITS 19u
#define LITERAL_MAX UINT64_C(0x7fffffffffffffff)

static struct ta_bytes
view(const uint8_t *p, size_t n)
{
	struct ta_bytes b;

	b.p = p;
	b.n = n;
	return b;
}

static uint8_t
ascii_upper(uint8_t c)
{
	if (c >= 'a' && c <= 'z')
		return (uint8_t)(c - 'a' + 'A');
	return c;
}

static bool
is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

/* ATOM-CHAR: CHAR except atom-specials, i.e. "(" ")" "{" SP CTL "%" "*"
 * DQUOTE "\" "]" (RFC 9051 section 9). 8-bit bytes are not CHAR. */
static bool
is_atom_char(uint8_t c)
{
	if (c <= 0x20 || c >= 0x7f)
		return false;
	switch (c) {
	case '(':
	case ')':
	case '{':
	case '%':
	case '*':
	case '"':
	case '\\':
	case ']':
		return false;
	default:
		return true;
	}
}

bool
imap_is_tag_char(uint8_t c)
{
	/* ASTRING-CHAR adds "]" to ATOM-CHAR; the tag excludes "+" so that a
	 * continuation request can never look like a tagged response. */
	if (c == '+')
		return false;
	return c == ']' || is_atom_char(c);
}

enum dis_status
imap_line_end(const uint8_t *p, size_t n, size_t have, size_t *len)
{
	size_t limit, scan;
	const uint8_t *lf;

	*len = 0;
	if (have >= IMAP_LINE_MAX)
		return DIS_LIMIT;
	limit = IMAP_LINE_MAX - have;
	if (n == 0 || p == NULL)
		return DIS_SHORT;
	scan = n < limit ? n : limit;
	lf = memchr(p, '\n', scan);
	if (lf != NULL) {
		*len = (size_t)(lf - p) + 1;
		return DIS_OK;
	}
	if (n >= limit)
		return DIS_LIMIT;
	*len = n;
	return DIS_SHORT;
}

struct ta_bytes
imap_line_body(const uint8_t *p, size_t n)
{
	if (n > 0 && p[n - 1] == '\n')
		n--;
	if (n > 0 && p[n - 1] == '\r')
		n--;
	return view(p, n);
}

bool
imap_line_binary(struct ta_bytes body)
{
	for (size_t i = 0; i < body.n; i++)
		if (body.p[i] == '\0' || body.p[i] == '\r')
			return true;
	return false;
}

bool
imap_literal(struct ta_bytes body, uint64_t *n, bool *nonsync)
{
	size_t end, start;
	uint64_t v = 0;

	*n = 0;
	*nonsync = false;
	if (body.n < 3 || body.p[body.n - 1] != '}')
		return false;
	end = body.n - 1;               /* index of "}" */
	if (body.p[end - 1] == '+') {
		*nonsync = true;
		end--;
	}
	start = end;
	while (start > 0 && is_digit(body.p[start - 1]))
		start--;
	if (start == end || end - start > LITERAL_MAX_DIGITS || start == 0 ||
	    body.p[start - 1] != '{') {
		*nonsync = false;
		return false;
	}
	for (size_t i = start; i < end; i++) {
		uint64_t d = (uint64_t)(body.p[i] - '0');

		if (v > (LITERAL_MAX - d) / 10) {
			*nonsync = false;
			return false;
		}
		v = v * 10 + d;
	}
	*n = v;
	return true;
}

/*
 * Cut the word that starts `in` (up to SP or the end). *after is what
 * follows that SP; *sp says whether there was one. false if `in` is empty
 * or starts with SP: IMAP separates words with exactly one SP.
 */
static bool
cut_word(struct ta_bytes in, struct ta_bytes *word, struct ta_bytes *after,
         bool *sp)
{
	size_t i = 0;

	while (i < in.n && in.p[i] != ' ')
		i++;
	*word = view(in.p, i);
	*sp = i < in.n;
	*after = *sp ? view(in.p + i + 1, in.n - i - 1) : view(in.p + i, 0);
	return i > 0;
}

static enum imap_cond
cond_of(struct ta_bytes w)
{
	if (imap_keyword_eq(w, "OK"))
		return IMAP_COND_OK;
	if (imap_keyword_eq(w, "NO"))
		return IMAP_COND_NO;
	if (imap_keyword_eq(w, "BAD"))
		return IMAP_COND_BAD;
	if (imap_keyword_eq(w, "PREAUTH"))
		return IMAP_COND_PREAUTH;
	if (imap_keyword_eq(w, "BYE"))
		return IMAP_COND_BYE;
	return IMAP_COND_NONE;
}

/* resp-text = ["[" resp-text-code "]" SP] [text] (RFC 9051 section 9).
 * A "[" never closed is read as plain text rather than refused. */
static void
parse_resp_text(struct imap_resp *r)
{
	const struct ta_bytes t = r->text;
	const uint8_t *close;
	struct ta_bytes inside;
	size_t i = 0;

	if (t.n < 2 || t.p[0] != '[')
		return;
	close = memchr(t.p + 1, ']', t.n - 1);
	if (close == NULL)
		return;
	inside = view(t.p + 1, (size_t)(close - t.p) - 1);
	while (i < inside.n && inside.p[i] != ' ')
		i++;
	if (i == 0)
		return;
	r->has_code = true;
	r->code = view(inside.p, i);
	if (i < inside.n)
		r->code_args = view(inside.p + i + 1, inside.n - i - 1);
	else
		r->code_args = view(inside.p + i, 0);
}

enum dis_status
imap_parse_resp(struct ta_bytes body, struct imap_resp *r)
{
	struct ta_bytes rest, word, after;
	bool sp;

	memset(r, 0, sizeof *r);
	if (body.n == 0)
		return DIS_MALFORMED;
	if (body.p[0] == '+') {
		/* continue-req = "+" SP (resp-text / base64); some servers
		 * send the bare "+" and clients accept it. */
		r->type = IMAP_RESP_CONTINUATION;
		if (body.n == 1)
			return DIS_OK;
		if (body.p[1] != ' ')
			return DIS_MALFORMED;
		r->text = view(body.p + 2, body.n - 2);
		return DIS_OK;
	}
	if (body.p[0] == '*') {
		if (body.n < 3 || body.p[1] != ' ')
			return DIS_MALFORMED;
		r->type = IMAP_RESP_UNTAGGED;
		rest = view(body.p + 2, body.n - 2);
	} else {
		size_t i = 0;

		while (i < body.n && imap_is_tag_char(body.p[i]))
			i++;
		if (i == 0 || i >= body.n || body.p[i] != ' ')
			return DIS_MALFORMED;
		r->type = IMAP_RESP_TAGGED;
		r->tag = view(body.p, i);
		rest = view(body.p + i + 1, body.n - i - 1);
	}
	if (!cut_word(rest, &word, &after, &sp))
		return DIS_MALFORMED;
	r->cond = cond_of(word);
	if (r->type == IMAP_RESP_TAGGED && r->cond != IMAP_COND_OK &&
	    r->cond != IMAP_COND_NO && r->cond != IMAP_COND_BAD)
		return DIS_MALFORMED;
	if (r->cond != IMAP_COND_NONE) {
		/* RFC 3501 required text after the condition, RFC 9051 made
		 * it optional: accept both. */
		r->text = after;
		parse_resp_text(r);
		return DIS_OK;
	}
	if (word.n > 0 && is_digit(word.p[0])) {
		for (size_t i = 0; i < word.n; i++)
			if (!is_digit(word.p[i]))
				return DIS_MALFORMED;
		r->number = word;
		if (!sp || !cut_word(after, &word, &after, &sp))
			return DIS_MALFORMED;
	}
	r->keyword = word;
	r->data = after;
	return DIS_OK;
}

enum dis_status
imap_parse_cmd(struct ta_bytes body, struct imap_cmd *c)
{
	size_t i = 0, j;

	memset(c, 0, sizeof *c);
	while (i < body.n && imap_is_tag_char(body.p[i]))
		i++;
	if (i == 0 || i >= body.n || body.p[i] != ' ')
		return DIS_MALFORMED;
	c->tag = view(body.p, i);
	j = i + 1;
	while (j < body.n && is_atom_char(body.p[j]))
		j++;
	if (j == i + 1 || (j < body.n && body.p[j] != ' '))
		return DIS_MALFORMED;
	c->name = view(body.p + i + 1, j - i - 1);
	if (j < body.n)
		c->args = view(body.p + j + 1, body.n - j - 1);
	else
		c->args = view(body.p + j, 0);
	return DIS_OK;
}

bool
imap_word_next(struct ta_bytes *rest, struct ta_bytes *word)
{
	size_t i = 0, j;

	while (i < rest->n && rest->p[i] == ' ')
		i++;
	if (i == rest->n) {
		*word = view(rest->p + i, 0);
		*rest = *word;
		return false;
	}
	j = i;
	while (j < rest->n && rest->p[j] != ' ')
		j++;
	*word = view(rest->p + i, j - i);
	*rest = view(rest->p + j, rest->n - j);
	return true;
}

bool
imap_keyword_eq(struct ta_bytes a, const char *kw)
{
	size_t n = strlen(kw);

	if (a.n != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (ascii_upper(a.p[i]) != ascii_upper((uint8_t)kw[i]))
			return false;
	return true;
}

bool
imap_keyword_prefix(struct ta_bytes a, const char *kw, struct ta_bytes *tail)
{
	size_t n = strlen(kw);

	*tail = view(a.p, 0);
	if (a.n < n || !imap_keyword_eq(view(a.p, n), kw))
		return false;
	*tail = view(a.p + n, a.n - n);
	return true;
}

enum imap_sniff
imap_sniff_tls(const uint8_t *p, size_t n)
{
	switch (line_sniff_tls(p, n)) {
	case LINE_SNIFF_RECORD:
		return IMAP_SNIFF_RECORD;
	case LINE_SNIFF_SSL2:
		return IMAP_SNIFF_SSL2;
	case LINE_SNIFF_TEXT:
		break;
	}
	return IMAP_SNIFF_TEXT;
}

const char *
imap_cond_str(enum imap_cond c)
{
	switch (c) {
	case IMAP_COND_NONE:
		return "none";
	case IMAP_COND_OK:
		return "OK";
	case IMAP_COND_NO:
		return "NO";
	case IMAP_COND_BAD:
		return "BAD";
	case IMAP_COND_PREAUTH:
		return "PREAUTH";
	case IMAP_COND_BYE:
		return "BYE";
	}
	return "?";
}
