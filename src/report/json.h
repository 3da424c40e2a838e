/*
 * json.h: a small JSON writer (RFC 8259) for one object per line.
 *
 * Output is always valid JSON and valid UTF-8, whatever bytes a string
 * holds: invalid UTF-8 becomes U+FFFD, control characters are escaped. The
 * buffer grows up to a ceiling given at init; past it the writer marks the
 * object as overflowed and stops adding, and json_end() still closes every
 * open container so the line stays valid.
 */
#ifndef JSON_H
#define JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSON_MAX_DEPTH 16

struct json {
	char *buf;
	size_t len, cap, max;
	bool overflow;
	unsigned depth;
	bool first[JSON_MAX_DEPTH]; /* no member written yet at this depth */
	char close[JSON_MAX_DEPTH]; /* '}' or ']' */
	bool written[JSON_MAX_DEPTH]; /* its opener made it into the buffer */
};

void json_init(struct json *j, size_t max);
void json_free(struct json *j);
/* Start a new top-level object (the buffer is reused). */
void json_begin(struct json *j);
/* Close what is open; returns the NUL-terminated line (no newline). */
const char *json_end(struct json *j);

/* key is NULL inside arrays. */
void json_obj(struct json *j, const char *key);
void json_arr(struct json *j, const char *key);
void json_close(struct json *j);
void json_str(struct json *j, const char *key, const char *s);
void json_strn(struct json *j, const char *key, const uint8_t *s, size_t n);
void json_uint(struct json *j, const char *key, uint64_t v);
void json_int(struct json *j, const char *key, int64_t v);
/* A finite number with the given decimals; NaN/inf become null. */
void json_num(struct json *j, const char *key, double v, unsigned decimals);
void json_bool(struct json *j, const char *key, bool v);
void json_null(struct json *j, const char *key);

#endif
