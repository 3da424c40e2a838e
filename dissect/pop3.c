/* pop3.c: POP3 line layer (RFC 1939 3, RFC 2449 5 and 8, RFC 5034 4; see pop3.h). */
#include <string.h>

#include "line.h"
#include "pop3.h"

static struct ta_bytes
view(const uint8_t *p, size_t n)
{
	struct ta_bytes b;

	b.p = p;
	b.n = n;
	return b;
}

static bool
is_alpha(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
is_alnum(uint8_t c)
{
	return is_alpha(c) || (c >= '0' && c <= '9');
}

/* resp-code = "[" resp-level *("/" resp-level) "]" (RFC 2449 8). */
static void
parse_code(struct pop3_resp *r)
{
	const struct ta_bytes t = r->text;
	const uint8_t *close;

	if (t.n < 3 || t.p[0] != '[')
		return;
	close = memchr(t.p + 1, ']', t.n - 1);
	if (close == NULL || close == t.p + 1)
		return;
	r->has_code = true;
	r->code = view(t.p + 1, (size_t)(close - t.p) - 1);
}

/* The indicator kw at the start of body, then SP or the end. */
static bool
indicator(struct ta_bytes body, const char *kw, struct ta_bytes *text)
{
	size_t k = strlen(kw);

	if (body.n < k || !line_keyword_eq(view(body.p, k), kw))
		return false;
	if (body.n == k) {
		*text = view(body.p + k, 0);
		return true;
	}
	if (body.p[k] != ' ')
		return false;
	*text = view(body.p + k + 1, body.n - k - 1);
	return true;
}

enum dis_status
pop3_parse_resp(struct ta_bytes body, struct pop3_resp *r)
{
	memset(r, 0, sizeof *r);
	if (indicator(body, "+OK", &r->text)) {
		r->status = POP3_OK;
		parse_code(r);
		return DIS_OK;
	}
	if (indicator(body, "-ERR", &r->text)) {
		r->status = POP3_ERR;
		parse_code(r);
		return DIS_OK;
	}
	if (indicator(body, "+", &r->text)) {
		r->status = POP3_CONT;
		return DIS_OK;
	}
	return DIS_MALFORMED;
}

enum dis_status
pop3_parse_cmd(struct ta_bytes body, struct pop3_cmd *c)
{
	size_t i = 0, j;

	memset(c, 0, sizeof *c);
	if (body.n == 0 || !is_alpha(body.p[0]))
		return DIS_MALFORMED;
	while (i < body.n && is_alnum(body.p[i]))
		i++;
	if (i > POP3_KEYWORD_MAX ||
	    (i < body.n && body.p[i] != ' ' && body.p[i] != '\t'))
		return DIS_MALFORMED;
	c->keyword = view(body.p, i);
	j = i;
	while (j < body.n && (body.p[j] == ' ' || body.p[j] == '\t'))
		j++;
	c->args = view(body.p + j, body.n - j);
	return DIS_OK;
}

bool
pop3_is_end(struct ta_bytes body)
{
	return body.n == 1 && body.p[0] == '.';
}

enum dis_status
pop3_parse_capa(struct ta_bytes body, struct pop3_capa *c)
{
	struct ta_bytes rest = body;

	memset(c, 0, sizeof *c);
	if (body.n == 0 || body.p[0] == ' ' || body.p[0] == '\t')
		return DIS_MALFORMED;
	if (!line_word_next(&rest, &c->name))
		return DIS_MALFORMED;
	while (rest.n > 0 && (rest.p[0] == ' ' || rest.p[0] == '\t')) {
		rest.p++;
		rest.n--;
	}
	c->args = rest;
	return DIS_OK;
}
