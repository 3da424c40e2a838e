/* smtp.c: SMTP line layer (RFC 5321 4.1.1 and 4.2, RFC 3463, RFC 3030; see smtp.h). */
#include <string.h>

#include "line.h"
#include "smtp.h"

/* A BDAT chunk size fits 18 digits: below 2^63, far above any chunk. */
#define BDAT_MAX_DIGITS 18u

static struct ta_bytes
view(const uint8_t *p, size_t n)
{
	struct ta_bytes b;

	b.p = p;
	b.n = n;
	return b;
}

static bool
is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

static bool
is_alpha(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* 1 to 3 digits at t[*i], advancing *i. */
static bool
digits_1_3(struct ta_bytes t, size_t *i)
{
	size_t start = *i;

	while (*i < t.n && *i - start < 4 && is_digit(t.p[*i]))
		(*i)++;
	return *i > start && *i - start <= 3;
}

/* status-code = class "." subject "." detail (RFC 3463 2), class 2, 4 or
 * 5, subject and detail 1 to 3 digits; then a blank or the end. */
static void
parse_esc(struct smtp_reply_line *r)
{
	struct ta_bytes t = r->text;
	size_t i = 2;

	if (t.n < 5 || (t.p[0] != '2' && t.p[0] != '4' && t.p[0] != '5') ||
	    t.p[1] != '.')
		return;
	if (!digits_1_3(t, &i) || i >= t.n || t.p[i] != '.')
		return;
	i++;
	if (!digits_1_3(t, &i))
		return;
	if (i < t.n && t.p[i] != ' ' && t.p[i] != '\t')
		return;
	r->has_esc = true;
	r->esc_class = (uint8_t)(t.p[0] - '0');
	r->esc = view(t.p, i);
}

enum dis_status
smtp_parse_reply_line(struct ta_bytes body, struct smtp_reply_line *r)
{
	memset(r, 0, sizeof *r);
	if (body.n < 3 || body.p[0] < '2' || body.p[0] > '5' ||
	    !is_digit(body.p[1]) || !is_digit(body.p[2]))
		return DIS_MALFORMED;
	r->code = (uint16_t)((body.p[0] - '0') * 100 + (body.p[1] - '0') * 10 +
	                     (body.p[2] - '0'));
	if (body.n == 3) {
		r->last = true;
		r->text = view(body.p + 3, 0);
		return DIS_OK;
	}
	if (body.p[3] != ' ' && body.p[3] != '-')
		return DIS_MALFORMED;
	r->last = body.p[3] == ' ';
	r->text = view(body.p + 4, body.n - 4);
	parse_esc(r);
	return DIS_OK;
}

enum dis_status
smtp_parse_cmd(struct ta_bytes body, struct smtp_cmd *c)
{
	size_t i = 0, j;

	memset(c, 0, sizeof *c);
	if (body.n == 0 || !is_alpha(body.p[0]))
		return DIS_MALFORMED;
	while (i < body.n && (is_alpha(body.p[i]) || is_digit(body.p[i])))
		i++;
	if (i > SMTP_VERB_MAX ||
	    (i < body.n && body.p[i] != ' ' && body.p[i] != '\t'))
		return DIS_MALFORMED;
	c->verb = view(body.p, i);
	j = i;
	while (j < body.n && (body.p[j] == ' ' || body.p[j] == '\t'))
		j++;
	c->args = view(body.p + j, body.n - j);
	return DIS_OK;
}

enum dis_status
smtp_parse_ehlo_kw(struct ta_bytes text, struct smtp_ehlo_kw *k)
{
	size_t i = 0, j;

	memset(k, 0, sizeof *k);
	if (text.n == 0 || text.p[0] == ' ' || text.p[0] == '\t')
		return DIS_MALFORMED;
	while (i < text.n && text.p[i] != ' ' && text.p[i] != '\t' &&
	       text.p[i] != '=')
		i++;
	k->keyword = view(text.p, i);
	j = i < text.n ? i + 1 : i;
	while (j < text.n && (text.p[j] == ' ' || text.p[j] == '\t'))
		j++;
	k->params = view(text.p + j, text.n - j);
	return DIS_OK;
}

bool
smtp_bdat_size(struct ta_bytes args, uint64_t *n, bool *last)
{
	struct ta_bytes rest = args, w;
	uint64_t v = 0;

	*n = 0;
	*last = false;
	if (!line_word_next(&rest, &w) || !line_all_digits(w) ||
	    w.n > BDAT_MAX_DIGITS)
		return false;
	for (size_t i = 0; i < w.n; i++)
		v = v * 10 + (uint64_t)(w.p[i] - '0');
	if (line_word_next(&rest, &w)) {
		if (!line_keyword_eq(w, "LAST"))
			return false;
		*last = true;
	}
	*n = v;
	return true;
}
