/* json.c: JSON writer (RFC 8259), valid UTF-8 out whatever comes in. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "utf8.h"

void
json_init(struct json *j, size_t max)
{
	memset(j, 0, sizeof *j);
	j->max = max;
}

void
json_free(struct json *j)
{
	free(j->buf);
	j->buf = NULL;
	j->cap = j->len = 0;
}

/* Reserve n bytes (+ room to close every container and the NUL). */
static bool
reserve(struct json *j, size_t n)
{
	size_t need, ncap;
	char *nb;

	if (j->overflow)
		return false;
	need = j->len + n + JSON_MAX_DEPTH + 1;
	if (need <= j->cap)
		return true;
	if (need > j->max) {
		j->overflow = true;
		return false;
	}
	ncap = j->cap ? j->cap : 1024;
	while (ncap < need)
		ncap *= 2;
	if (ncap > j->max)
		ncap = j->max;
	nb = realloc(j->buf, ncap);
	if (nb == NULL) {
		j->overflow = true;
		return false;
	}
	j->buf = nb;
	j->cap = ncap;
	return true;
}

static void
put(struct json *j, const char *s, size_t n)
{
	if (!reserve(j, n))
		return;
	memcpy(j->buf + j->len, s, n);
	j->len += n;
}

static void
put_escaped(struct json *j, const uint8_t *s, size_t n)
{
	size_t i = 0;

	put(j, "\"", 1);
	while (i < n && !j->overflow) {
		uint32_t cp;
		size_t len = utf8_seq(s + i, n - i, &cp);
		char esc[8];

		if (len == 0) {
			put(j, "\xef\xbf\xbd", 3); /* U+FFFD */
			i++;
			continue;
		}
		if (cp == '"' || cp == '\\') {
			esc[0] = '\\';
			esc[1] = (char)cp;
			put(j, esc, 2);
		} else if (cp < 0x20 || cp == 0x7f) {
			snprintf(esc, sizeof esc, "\\u%04x", (unsigned)cp);
			put(j, esc, 6);
		} else {
			put(j, (const char *)s + i, len);
		}
		i += len;
	}
	put(j, "\"", 1);
}

/* Comma and key before a member. */
static void
member(struct json *j, const char *key)
{
	if (j->depth > 0) {
		if (!j->first[j->depth - 1])
			put(j, ",", 1);
		j->first[j->depth - 1] = false;
	}
	if (key != NULL) {
		put_escaped(j, (const uint8_t *)key, strlen(key));
		put(j, ":", 1);
	}
}

/*
 * A member that did not fit is taken back whole (its comma and key too), so
 * the line stays valid JSON; containers opened after the overflow are
 * remembered as unwritten and closed silently.
 */
static void
rollback(struct json *j, size_t mark, bool was_first)
{
	j->len = mark;
	if (j->depth > 0)
		j->first[j->depth - 1] = was_first;
}

static void
open_container(struct json *j, const char *key, char open, char close)
{
	size_t mark = j->len;
	bool was_first = j->depth > 0 ? j->first[j->depth - 1] : true;

	if (j->depth >= JSON_MAX_DEPTH) {
		j->overflow = true;
		return;
	}
	if (!j->overflow) {
		member(j, key);
		put(j, &open, 1);
		if (j->overflow)
			rollback(j, mark, was_first);
	}
	j->written[j->depth] = !j->overflow;
	j->first[j->depth] = true;
	j->close[j->depth] = close;
	j->depth++;
}

/* Write a scalar member all or nothing. */
static void
scalar(struct json *j, const char *key, const uint8_t *s, size_t n,
       bool quote)
{
	size_t mark = j->len;
	bool was_first = j->depth > 0 ? j->first[j->depth - 1] : true;

	if (j->overflow)
		return;
	member(j, key);
	if (quote)
		put_escaped(j, s, n);
	else
		put(j, (const char *)s, n);
	if (j->overflow)
		rollback(j, mark, was_first);
}

void
json_begin(struct json *j)
{
	j->len = 0;
	j->depth = 0;
	j->overflow = false;
	if (!reserve(j, 1)) {
		/* Not even "{}" fits: the ceiling is absurdly low. */
		j->depth = 0;
		return;
	}
	open_container(j, NULL, '{', '}');
}

void
json_obj(struct json *j, const char *key)
{
	open_container(j, key, '{', '}');
}

void
json_arr(struct json *j, const char *key)
{
	open_container(j, key, '[', ']');
}

void
json_close(struct json *j)
{
	if (j->depth == 0)
		return;
	j->depth--;
	/* reserve() always keeps room for the closers. */
	if (j->written[j->depth] && j->buf != NULL)
		j->buf[j->len++] = j->close[j->depth];
}

const char *
json_end(struct json *j)
{
	if (j->buf == NULL && !reserve(j, 2))
		return "{}";
	while (j->depth > 0)
		json_close(j);
	j->buf[j->len] = '\0';
	return j->buf;
}

void
json_str(struct json *j, const char *key, const char *s)
{
	if (s == NULL) {
		json_null(j, key);
		return;
	}
	json_strn(j, key, (const uint8_t *)s, strlen(s));
}

void
json_strn(struct json *j, const char *key, const uint8_t *s, size_t n)
{
	scalar(j, key, s, n, true);
}

void
json_uint(struct json *j, const char *key, uint64_t v)
{
	char b[24];
	int n = snprintf(b, sizeof b, "%llu", (unsigned long long)v);
	scalar(j, key, (const uint8_t *)b, (size_t)n, false);
}

void
json_int(struct json *j, const char *key, int64_t v)
{
	char b[24];
	int n = snprintf(b, sizeof b, "%lld", (long long)v);
	scalar(j, key, (const uint8_t *)b, (size_t)n, false);
}

void
json_num(struct json *j, const char *key, double v, unsigned decimals)
{
	char b[64];
	int n;

	if (!isfinite(v) || fabs(v) > 1e15) {
		json_null(j, key);
		return;
	}
	n = snprintf(b, sizeof b, "%.*f", (int)decimals, v);
	scalar(j, key, (const uint8_t *)b, (size_t)n, false);
}

void
json_bool(struct json *j, const char *key, bool v)
{
	scalar(j, key, (const uint8_t *)(v ? "true" : "false"), v ? 4 : 5,
	       false);
}

void
json_null(struct json *j, const char *key)
{
	scalar(j, key, (const uint8_t *)"null", 4, false);
}
