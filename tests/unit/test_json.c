/* test_json.c: the JSON line writer (RFC 8259 sections 2-8), read back by a validating parser. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "report/json.h"

/*
 * A small validating parser (RFC 8259 grammar, RFC 3629 table 3.x of
 * well-formed byte sequences for the strings), written independently of
 * the writer so that its output can be checked rather than trusted.
 */
struct jv {
	const uint8_t *s;
	size_t i, n;
	unsigned depth;
};

static bool jv_value(struct jv *v);

static void
jv_ws(struct jv *v)
{
	while (v->i < v->n && (v->s[v->i] == ' ' || v->s[v->i] == '\t' ||
	                       v->s[v->i] == '\n' || v->s[v->i] == '\r'))
		v->i++;
}

static bool
jv_byte_in(const struct jv *v, size_t at, uint8_t lo, uint8_t hi)
{
	return at < v->n && v->s[at] >= lo && v->s[at] <= hi;
}

/* Length of a well-formed multibyte sequence at v->i, 0 if there is none. */
static size_t
jv_utf8(const struct jv *v)
{
	uint8_t c = v->s[v->i];
	size_t i = v->i;

	if (c >= 0xc2 && c <= 0xdf)
		return jv_byte_in(v, i + 1, 0x80, 0xbf) ? 2 : 0;
	if (c == 0xe0)
		return jv_byte_in(v, i + 1, 0xa0, 0xbf) &&
		       jv_byte_in(v, i + 2, 0x80, 0xbf) ? 3 : 0;
	if ((c >= 0xe1 && c <= 0xec) || c == 0xee || c == 0xef)
		return jv_byte_in(v, i + 1, 0x80, 0xbf) &&
		       jv_byte_in(v, i + 2, 0x80, 0xbf) ? 3 : 0;
	if (c == 0xed)
		return jv_byte_in(v, i + 1, 0x80, 0x9f) &&
		       jv_byte_in(v, i + 2, 0x80, 0xbf) ? 3 : 0;
	if (c == 0xf0)
		return jv_byte_in(v, i + 1, 0x90, 0xbf) &&
		       jv_byte_in(v, i + 2, 0x80, 0xbf) &&
		       jv_byte_in(v, i + 3, 0x80, 0xbf) ? 4 : 0;
	if (c >= 0xf1 && c <= 0xf3)
		return jv_byte_in(v, i + 1, 0x80, 0xbf) &&
		       jv_byte_in(v, i + 2, 0x80, 0xbf) &&
		       jv_byte_in(v, i + 3, 0x80, 0xbf) ? 4 : 0;
	if (c == 0xf4)
		return jv_byte_in(v, i + 1, 0x80, 0x8f) &&
		       jv_byte_in(v, i + 2, 0x80, 0xbf) &&
		       jv_byte_in(v, i + 3, 0x80, 0xbf) ? 4 : 0;
	return 0;
}

static bool
jv_hex(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

static bool
jv_string(struct jv *v)
{
	if (v->i >= v->n || v->s[v->i] != '"')
		return false;
	v->i++;
	while (v->i < v->n) {
		uint8_t c = v->s[v->i];

		if (c == '"') {
			v->i++;
			return true;
		}
		if (c < 0x20)
			return false;
		if (c == '\\') {
			if (v->i + 1 >= v->n)
				return false;
			c = v->s[v->i + 1];
			if (c == 'u') {
				if (v->i + 6 > v->n)
					return false;
				for (size_t k = 2; k < 6; k++)
					if (!jv_hex(v->s[v->i + k]))
						return false;
				v->i += 6;
			} else if (strchr("\"\\/bfnrt", c) != NULL && c != '\0') {
				v->i += 2;
			} else {
				return false;
			}
			continue;
		}
		if (c >= 0x80) {
			size_t len = jv_utf8(v);

			if (len == 0)
				return false;
			v->i += len;
			continue;
		}
		v->i++;
	}
	return false;
}

static bool
jv_digits(struct jv *v)
{
	size_t start = v->i;

	while (v->i < v->n && v->s[v->i] >= '0' && v->s[v->i] <= '9')
		v->i++;
	return v->i > start;
}

static bool
jv_number(struct jv *v)
{
	if (v->i < v->n && v->s[v->i] == '-')
		v->i++;
	if (v->i < v->n && v->s[v->i] == '0')
		v->i++;
	else if (!jv_digits(v))
		return false;
	if (v->i < v->n && v->s[v->i] == '.') {
		v->i++;
		if (!jv_digits(v))
			return false;
	}
	if (v->i < v->n && (v->s[v->i] == 'e' || v->s[v->i] == 'E')) {
		v->i++;
		if (v->i < v->n && (v->s[v->i] == '+' || v->s[v->i] == '-'))
			v->i++;
		if (!jv_digits(v))
			return false;
	}
	return true;
}

static bool
jv_literal(struct jv *v, const char *w)
{
	size_t n = strlen(w);

	if (v->n - v->i < n || memcmp(v->s + v->i, w, n) != 0)
		return false;
	v->i += n;
	return true;
}

static bool
jv_container(struct jv *v, uint8_t close)
{
	bool ok = false;

	if (++v->depth > 64)
		return false;
	v->i++;
	jv_ws(v);
	if (v->i < v->n && v->s[v->i] == close) {
		v->i++;
		v->depth--;
		return true;
	}
	for (;;) {
		if (close == '}') {
			jv_ws(v);
			if (!jv_string(v))
				break;
			jv_ws(v);
			if (v->i >= v->n || v->s[v->i] != ':')
				break;
			v->i++;
		}
		if (!jv_value(v))
			break;
		jv_ws(v);
		if (v->i < v->n && v->s[v->i] == ',') {
			v->i++;
			continue;
		}
		if (v->i < v->n && v->s[v->i] == close) {
			v->i++;
			ok = true;
		}
		break;
	}
	v->depth--;
	return ok;
}

static bool
jv_value(struct jv *v)
{
	jv_ws(v);
	if (v->i >= v->n)
		return false;
	switch (v->s[v->i]) {
	case '{':
		return jv_container(v, '}');
	case '[':
		return jv_container(v, ']');
	case '"':
		return jv_string(v);
	case 't':
		return jv_literal(v, "true");
	case 'f':
		return jv_literal(v, "false");
	case 'n':
		return jv_literal(v, "null");
	default:
		return jv_number(v);
	}
}

/* One whole JSON text and nothing after it. */
static bool
json_valid(const char *s)
{
	struct jv v = { (const uint8_t *)s, 0, strlen(s), 0 };

	if (!jv_value(&v))
		return false;
	jv_ws(&v);
	return v.i == v.n;
}

static void
test_validator_rejects(void **state)
{
	/* The checker itself must be able to say no. */
	static const char *const bad[] = {
		"", "{", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "[1,]", "[1 2]",
		"{\"a\":1}}", "\"abc", "\"a\x01\"", "\"\\x\"", "\"\\u12g4\"",
		"\"\xc0\xaf\"", "\"\xed\xa0\x80\"", "\"\xf5\x80\x80\x80\"",
		"\"\xe2\x82\"", "01", "1.", "-", "tru", "nul", "{'a':1}",
	};
	static const char *const good[] = {
		"{}", "[]", "{\"a\":[1,-2.5,true,false,null,\"x\"]}",
		"\"\\u0000\\\"\\\\\"", "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"",
		"0", "-0.5e+3", "[[[]]]",
	};

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (json_valid(bad[i]))
			print_error("accepted: %s\n", bad[i]);
		assert_false(json_valid(bad[i]));
	}
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		if (!json_valid(good[i]))
			print_error("rejected: %s\n", good[i]);
		assert_true(json_valid(good[i]));
	}
}

static void
test_empty_object(void **state)
{
	struct json j;

	(void)state;
	json_init(&j, 4096);
	json_begin(&j);
	assert_string_equal(json_end(&j), "{}");
	assert_false(j.overflow);
	json_free(&j);
	assert_null(j.buf);
}

static void
test_every_writer(void **state)
{
	struct json j;

	(void)state;
	json_init(&j, 4096);
	json_begin(&j);
	json_str(&j, "s", "text");
	json_str(&j, "nul", NULL);
	json_strn(&j, "n", (const uint8_t *)"a\0b", 3);
	json_strn(&j, "e", (const uint8_t *)"", 0);
	json_uint(&j, "u0", 0);
	json_uint(&j, "umax", UINT64_MAX);
	json_int(&j, "i0", 0);
	json_int(&j, "ineg", -1);
	json_int(&j, "imin", INT64_MIN);
	json_int(&j, "imax", INT64_MAX);
	json_num(&j, "d", 1.5, 2);
	json_bool(&j, "t", true);
	json_bool(&j, "f", false);
	json_null(&j, "z");
	assert_string_equal(json_end(&j),
	    "{\"s\":\"text\",\"nul\":null,\"n\":\"a\\u0000b\",\"e\":\"\","
	    "\"u0\":0,\"umax\":18446744073709551615,\"i0\":0,\"ineg\":-1,"
	    "\"imin\":-9223372036854775808,\"imax\":9223372036854775807,"
	    "\"d\":1.50,\"t\":true,\"f\":false,\"z\":null}");
	assert_false(j.overflow);
	assert_true(json_valid(j.buf));
	json_free(&j);
}

static void
test_nesting_and_commas(void **state)
{
	struct json j;
	const char *out;
	char copy[256];

	(void)state;
	json_init(&j, 4096);
	json_begin(&j);
	json_obj(&j, "a");
	json_arr(&j, "b");
	json_uint(&j, NULL, 1);
	json_str(&j, NULL, "x");
	json_obj(&j, NULL);
	json_arr(&j, "c");
	json_close(&j);
	json_close(&j);
	json_arr(&j, NULL);
	json_close(&j);
	json_bool(&j, NULL, false);
	json_null(&j, NULL);
	json_num(&j, NULL, 0.5, 1);
	json_int(&j, NULL, -3);
	json_strn(&j, NULL, (const uint8_t *)"q", 1);
	json_close(&j);
	json_close(&j);
	json_arr(&j, "d");
	json_close(&j);
	json_obj(&j, "e");
	json_obj(&j, "f");
	/* left open: json_end closes them */
	out = json_end(&j);
	snprintf(copy, sizeof copy, "%s", out);
	assert_string_equal(out,
	    "{\"a\":{\"b\":[1,\"x\",{\"c\":[]},[],false,null,0.5,-3,\"q\"]},"
	    "\"d\":[],\"e\":{\"f\":{}}}");
	assert_true(json_valid(out));
	/* extra closes past the top are harmless */
	json_close(&j);
	json_close(&j);
	assert_string_equal(json_end(&j), copy);
	json_free(&j);
}

static void
test_keys_escaped(void **state)
{
	struct json j;

	(void)state;
	json_init(&j, 4096);
	json_begin(&j);
	json_uint(&j, "k\"q", 1);
	json_uint(&j, "b\\s", 2);
	json_uint(&j, "c\x01", 3);
	json_uint(&j, "cl\xc3\xa9", 4);
	json_uint(&j, "bad\xff", 5);
	json_uint(&j, "", 6);
	assert_string_equal(json_end(&j),
	    "{\"k\\\"q\":1,\"b\\\\s\":2,\"c\\u0001\":3,\"cl\xc3\xa9\":4,"
	    "\"bad\xef\xbf\xbd\":5,\"\":6}");
	assert_true(json_valid(j.buf));
	json_free(&j);
}

/* The line {"v":<string>} for the given bytes. */
static const char *
one_string(struct json *j, const char *s, size_t n)
{
	json_begin(j);
	json_strn(j, "v", (const uint8_t *)s, n);
	return json_end(j);
}

#define ONE(j, lit) one_string(j, lit, sizeof(lit) - 1)

static void
test_escaping(void **state)
{
	struct json j;
	char in[2], want[32];

	(void)state;
	json_init(&j, 4096);
	assert_string_equal(ONE(&j, "a\"b\\c/d"), "{\"v\":\"a\\\"b\\\\c/d\"}");
	/* every C0 control as \u00XX, and DEL */
	for (unsigned c = 0; c < 0x20; c++) {
		in[0] = (char)c;
		snprintf(want, sizeof want, "{\"v\":\"\\u%04x\"}", c);
		assert_string_equal(one_string(&j, in, 1), want);
	}
	assert_string_equal(ONE(&j, "\x7f"), "{\"v\":\"\\u007f\"}");
	/* printable ASCII edges pass as they are */
	assert_string_equal(ONE(&j, " ~"), "{\"v\":\" ~\"}");
	json_free(&j);
}

static void
test_c1_and_separators(void **state)
{
	struct json j;
	char in[3], want[32];

	(void)state;
	json_init(&j, 4096);
	/* every C1 control in its UTF-8 form */
	for (unsigned c = 0x80; c < 0xa0; c++) {
		in[0] = (char)(0xc0 | (c >> 6));
		in[1] = (char)(0x80 | (c & 0x3f));
		snprintf(want, sizeof want, "{\"v\":\"\\u%04x\"}", c);
		assert_string_equal(one_string(&j, in, 2), want);
	}
	/* U+00A0 is no control */
	assert_string_equal(ONE(&j, "\xc2\xa0"), "{\"v\":\"\xc2\xa0\"}");
	/* LINE SEPARATOR and PARAGRAPH SEPARATOR, but not their neighbours */
	assert_string_equal(ONE(&j, "a\xe2\x80\xa8" "b\xe2\x80\xa9"),
	                    "{\"v\":\"a\\u2028b\\u2029\"}");
	assert_string_equal(ONE(&j, "\xe2\x80\xa7\xe2\x80\xaa"),
	                    "{\"v\":\"\xe2\x80\xa7\xe2\x80\xaa\"}");
	/* a CSI from the network cannot reach a terminal through the line */
	assert_string_equal(ONE(&j, "\x1b[2J\xc2\x9b" "31m"),
	                    "{\"v\":\"\\u001b[2J\\u009b31m\"}");
	json_free(&j);
}

static void
test_invalid_utf8(void **state)
{
	struct json j;

#define FFFD "\xef\xbf\xbd"
	(void)state;
	json_init(&j, 4096);
	/* lone continuation bytes */
	assert_string_equal(ONE(&j, "a\x80" "b\xbf"),
	                    "{\"v\":\"a" FFFD "b" FFFD "\"}");
	/* overlong '/' */
	assert_string_equal(ONE(&j, "\xc0\xaf"), "{\"v\":\"" FFFD FFFD "\"}");
	assert_string_equal(ONE(&j, "\xe0\x80\xaf"),
	                    "{\"v\":\"" FFFD FFFD FFFD "\"}");
	/* a surrogate */
	assert_string_equal(ONE(&j, "\xed\xa0\x80"),
	                    "{\"v\":\"" FFFD FFFD FFFD "\"}");
	/* F5 and above never start a sequence */
	assert_string_equal(ONE(&j, "\xf5\xff\xfe"),
	                    "{\"v\":\"" FFFD FFFD FFFD "\"}");
	assert_string_equal(ONE(&j, "\xf4\x90\x80\x80"),
	                    "{\"v\":\"" FFFD FFFD FFFD FFFD "\"}");
	/* truncated sequences, at the end and before ASCII */
	assert_string_equal(ONE(&j, "x\xe2\x82"), "{\"v\":\"x" FFFD FFFD "\"}");
	assert_string_equal(ONE(&j, "\xf0\x9f\x98" "y"),
	                    "{\"v\":\"" FFFD FFFD FFFD "y\"}");
	assert_string_equal(ONE(&j, "\xc3"), "{\"v\":\"" FFFD "\"}");
	/* valid multibyte text is kept byte for byte */
	assert_string_equal(ONE(&j, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 "
	                            "\xf4\x8f\xbf\xbf"),
	                    "{\"v\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 "
	                    "\xf4\x8f\xbf\xbf\"}");
	json_free(&j);
#undef FFFD
}

/* How the test expects one byte of an ASCII-range input to come out. */
static size_t
ref_escape(uint8_t c, char *out)
{
	if (c == '"' || c == '\\') {
		out[0] = '\\';
		out[1] = (char)c;
		return 2;
	}
	if (c < 0x20 || c == 0x7f)
		return (size_t)snprintf(out, 8, "\\u%04x", c);
	if (c >= 0x80) {
		memcpy(out, "\xef\xbf\xbd", 3);
		return 3;
	}
	out[0] = (char)c;
	return 1;
}

static void
test_special_byte_at_every_position(void **state)
{
	/* Long runs are copied several bytes at a time: a special byte must
	 * be found wherever it sits in such a run. */
	static const uint8_t special[] = { '"', '\\', 0x00, 0x01, 0x1f, 0x20,
	                                   0x7e, 0x7f, 0x80, 0xc0, 0xff };
	struct json j;

	(void)state;
	json_init(&j, 8192);
	for (size_t k = 0; k < sizeof special; k++) {
		for (size_t len = 1; len <= 40; len++) {
			for (size_t pos = 0; pos < len; pos++) {
				char in[41], want[400], key_want[400];
				size_t w = 0;

				for (size_t i = 0; i < len; i++)
					in[i] = (char)('a' + i % 26);
				in[pos] = (char)special[k];
				memcpy(want, "{\"v\":\"", 6);
				w = 6;
				for (size_t i = 0; i < len; i++)
					w += ref_escape((uint8_t)in[i], want + w);
				memcpy(want + w, "\"}", 3);
				if (strcmp(one_string(&j, in, len), want) != 0)
					print_error("byte 0x%02x at %zu of %zu\n",
					            special[k], pos, len);
				assert_string_equal(j.buf, want);
				if (special[k] == 0x00)
					continue;
				/* the same through json_str, and as a key */
				in[len] = '\0';
				json_begin(&j);
				json_str(&j, "v", in);
				assert_string_equal(json_end(&j), want);
				/* want + 5 is the quoted string, w - 4 bytes */
				snprintf(key_want, sizeof key_want, "{%.*s:null}",
				         (int)(w - 4), want + 5);
				json_begin(&j);
				json_null(&j, in);
				assert_string_equal(json_end(&j), key_want);
			}
		}
	}
	json_free(&j);
}

static void
test_numbers(void **state)
{
	static const struct {
		double v;
		unsigned dec;
		const char *want;
	} tc[] = {
		{ 1.5, 2, "1.50" },
		{ 0.1, 3, "0.100" },
		{ 123.456, 1, "123.5" },
		{ 7.0, 0, "7" },
		{ -0.125, 2, "-0.12" },  /* an exact tie goes to even */
		{ 0.375, 2, "0.38" },
		{ 2.5, 0, "2" },
		{ 3.5, 0, "4" },
		{ -2.5, 0, "-2" },
		{ 0.0005, 3, "0.001" },
		{ 5e-324, 3, "0.000" },  /* the smallest subnormal */
		{ 12.345, 3, "12.345" },
		{ -42.0, 1, "-42.0" },
		{ 1e15, 0, "1000000000000000" },
		{ -1e15, 1, "-1000000000000000.0" },
		{ 3.14159265, 5, "3.14159" },
		{ 2.0 / 3.0, 6, "0.666667" },
	};
	struct json j;
	char want[64];

	(void)state;
	json_init(&j, 4096);
	for (size_t i = 0; i < sizeof tc / sizeof tc[0]; i++) {
		json_begin(&j);
		json_num(&j, "n", tc[i].v, tc[i].dec);
		snprintf(want, sizeof want, "{\"n\":%s}", tc[i].want);
		assert_string_equal(json_end(&j), want);
	}
	/* not finite, or too large to print exactly: null */
	json_begin(&j);
	json_num(&j, "nan", NAN, 2);
	json_num(&j, "inf", INFINITY, 2);
	json_num(&j, "ninf", -INFINITY, 0);
	json_num(&j, "big", 1e16, 0);
	json_num(&j, "nbig", -2e15, 3);
	assert_string_equal(json_end(&j),
	    "{\"nan\":null,\"inf\":null,\"ninf\":null,\"big\":null,"
	    "\"nbig\":null}");
	json_free(&j);
}

static void
test_numbers_match_printf(void **state)
{
	/* The fast path must print what "%.*f" prints. */
	struct json j;
	uint64_t x = 0x2545f4914f6cdd1dULL;
	char want[96];

	(void)state;
	json_init(&j, 4096);
	for (unsigned i = 0; i < 20000; i++) {
		double v;
		unsigned dec = i % 4;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		/* milliseconds-like values, halves, and tiny ones */
		switch (i % 3) {
		case 0:
			v = (double)(x % 100000000) / 1000.0;
			break;
		case 1:
			v = (double)(x % 20000) / 8.0;
			break;
		default:
			v = (double)(x % 1000) * 1e-7;
			break;
		}
		if (x & 1)
			v = -v;
		snprintf(want, sizeof want, "{\"n\":%.*f}", (int)dec, v);
		json_begin(&j);
		json_num(&j, "n", v, dec);
		if (strcmp(json_end(&j), want) != 0)
			print_error("%.17g with %u decimals\n", v, dec);
		assert_string_equal(j.buf, want);
	}
	json_free(&j);
}

/* A line with a bit of everything; returns it. */
static const char *
write_doc(struct json *j)
{
	static const char text[] = "a\x01" "b\xc3\xa9\xe2\x80\xa8\xff end";

	json_begin(j);
	json_str(j, "name", "imap.example.test");
	json_uint(j, "port", 993);
	json_int(j, "delta", -42);
	json_num(j, "rtt_ms", 12.345, 3);
	json_bool(j, "ok", true);
	json_null(j, "sni");
	json_arr(j, "ciphers");
	for (unsigned i = 0; i < 10; i++)
		json_uint(j, NULL, 4865 + i * 1111);
	json_close(j);
	json_obj(j, "tls");
	json_str(j, "version", "TLS 1.3");
	json_arr(j, "alerts");
	json_obj(j, NULL);
	json_str(j, "desc", "handshake_failure \"quoted\"");
	json_uint(j, "frame", 12345678);
	json_close(j);
	json_close(j);
	json_close(j);
	json_arr(j, "empty");
	json_close(j);
	json_strn(j, "text", (const uint8_t *)text, sizeof text - 1);
	json_obj(j, "deep");
	json_arr(j, "l1");
	json_arr(j, NULL);
	json_arr(j, NULL);
	json_num(j, NULL, -1.25, 2);
	json_close(j);
	json_close(j);
	json_close(j);
	json_close(j);
	json_str(j, "long", "0123456789abcdefghijklmnopqrstuvwxyz\"end\x7f");
	json_int(j, "last", 123456789);
	return json_end(j);
}

static const char full_doc[] =
    "{\"name\":\"imap.example.test\",\"port\":993,\"delta\":-42,"
    "\"rtt_ms\":12.345,\"ok\":true,\"sni\":null,"
    "\"ciphers\":[4865,5976,7087,8198,9309,10420,11531,12642,13753,14864],"
    "\"tls\":{\"version\":\"TLS 1.3\",\"alerts\":[{\"desc\":"
    "\"handshake_failure \\\"quoted\\\"\",\"frame\":12345678}]},"
    "\"empty\":[],\"text\":\"a\\u0001b\xc3\xa9\\u2028\xef\xbf\xbd end\","
    "\"deep\":{\"l1\":[[[-1.25]]]},"
    "\"long\":\"0123456789abcdefghijklmnopqrstuvwxyz\\\"end\\u007f\","
    "\"last\":123456789}";

static void
test_full_doc(void **state)
{
	struct json j;

	(void)state;
	json_init(&j, 1 << 20);
	assert_string_equal(write_doc(&j), full_doc);
	assert_false(j.overflow);
	assert_true(json_valid(j.buf));
	json_free(&j);
}

static bool
is_digitish(char c)
{
	return (c >= '0' && c <= '9') || c == '.' || c == '-';
}

static void
test_ceiling(void **state)
{
	const size_t full = sizeof full_doc - 1;
	size_t overflows = 0;

	(void)state;
	for (size_t max = 0; max <= full + JSON_MAX_DEPTH + 40; max++) {
		struct json j;
		const char *out;
		size_t k = 0, olen;

		json_init(&j, max);
		out = write_doc(&j);
		olen = strlen(out);
		if (!json_valid(out))
			print_error("max %zu: invalid: %s\n", max, out);
		assert_true(json_valid(out));
		if (j.buf != NULL && out == j.buf) {
			/* within the ceiling, NUL included */
			assert_true(olen + 1 <= max);
			assert_true(j.cap <= max);
		}
		if (max <= full)
			assert_true(j.overflow);
		if (max >= full + JSON_MAX_DEPTH + 1)
			assert_false(j.overflow);
		if (!j.overflow) {
			assert_string_equal(out, full_doc);
			json_free(&j);
			continue;
		}
		overflows++;
		/* A prefix of the full line, then only closers: members were
		 * dropped whole from the first one that did not fit. */
		while (k < olen && out[k] == full_doc[k])
			k++;
		for (size_t i = k; i < olen; i++)
			assert_true(out[i] == '}' || out[i] == ']');
		assert_true(k < full);
		assert_true(k > 0);
		/* not cut inside a number, nor after a comma or a key */
		assert_false(full_doc[k - 1] == ',' || full_doc[k - 1] == ':');
		if (is_digitish(full_doc[k]))
			assert_true(full_doc[k - 1] == '[' ||
			            full_doc[k - 1] == ',');
		json_free(&j);
	}
	/* a good part of the range was spent over the ceiling */
	assert_true(overflows > full / 2);
}

static void
test_ceiling_deep(void **state)
{
	/* At the deepest nesting every closer of the margin is needed: what
	 * is written never eats into it, whatever the ceiling. */
	(void)state;
	for (size_t max = 18; max <= 400; max++) {
		struct json j;
		const char *out;
		size_t opens = 0, closes = 0;

		json_init(&j, max);
		json_begin(&j);
		for (unsigned d = 1; d < JSON_MAX_DEPTH; d++)
			json_arr(&j, d == 1 ? "a" : NULL);
		for (unsigned i = 0; i < 40 && !j.overflow; i++) {
			json_str(&j, NULL, "abcdefghij");
			json_uint(&j, NULL, i);
		}
		out = json_end(&j);
		assert_true(json_valid(out));
		if (j.buf != NULL && out == j.buf)
			assert_true(strlen(out) + 1 <= j.cap);
		for (const char *p = out; *p != '\0'; p++) {
			if (*p == '[')
				opens++;
			if (*p == ']')
				closes++;
		}
		assert_int_equal(opens, closes);
		json_free(&j);
	}
}

static void
test_overflow_then_containers(void **state)
{
	struct json j;
	char big[200];
	const char *out;

	(void)state;
	memset(big, 'a', sizeof big);
	json_init(&j, 64);
	json_begin(&j);
	json_uint(&j, "a", 1);
	json_obj(&j, "o");
	json_uint(&j, "b", 2);
	json_strn(&j, "big", (const uint8_t *)big, sizeof big);
	assert_true(j.overflow);
	/* opened after the overflow: never written, closed silently */
	json_obj(&j, "late");
	json_arr(&j, "inner");
	json_uint(&j, NULL, 3);
	json_close(&j);
	json_close(&j);
	json_str(&j, "after", "x");
	out = json_end(&j);
	assert_string_equal(out, "{\"a\":1,\"o\":{\"b\":2}}");
	assert_true(json_valid(out));
	assert_true(j.overflow);
	json_free(&j);
}

static void
test_absurd_ceiling(void **state)
{
	struct json j;

	(void)state;
	/* too small for anything: still a valid line */
	for (size_t max = 0; max < 20; max++) {
		json_init(&j, max);
		json_begin(&j);
		json_uint(&j, "a", 1);
		assert_string_equal(json_end(&j), "{}");
		json_free(&j);
	}
}

static void
test_depth_limit(void **state)
{
	struct json j;
	const char *out;
	size_t opens = 0, closes = 0;

	(void)state;
	json_init(&j, 4096);
	json_begin(&j);
	json_arr(&j, "d");
	for (unsigned i = 0; i < 20; i++)
		json_arr(&j, NULL);
	assert_true(j.overflow);
	for (unsigned i = 0; i < 25; i++)
		json_close(&j);
	out = json_end(&j);
	assert_true(json_valid(out));
	for (const char *p = out; *p != '\0'; p++) {
		if (*p == '[')
			opens++;
		if (*p == ']')
			closes++;
	}
	/* the top object and JSON_MAX_DEPTH - 1 arrays */
	assert_int_equal(opens, JSON_MAX_DEPTH - 1);
	assert_int_equal(closes, JSON_MAX_DEPTH - 1);
	assert_int_equal(out[0], '{');
	assert_int_equal(out[strlen(out) - 1], '}');
	json_free(&j);
}

static void
test_begin_reuses_buffer(void **state)
{
	struct json j;
	const char *first, *second;
	char big[100];

	(void)state;
	memset(big, 'b', sizeof big);
	json_init(&j, 4096);
	json_begin(&j);
	json_strn(&j, "a", (const uint8_t *)big, sizeof big);
	json_obj(&j, "open");
	first = json_end(&j);
	assert_int_equal(strlen(first), 118);
	json_begin(&j);
	json_uint(&j, "b", 1);
	second = json_end(&j);
	/* the same storage, nothing of the longer line left */
	assert_ptr_equal(second, first);
	assert_string_equal(second, "{\"b\":1}");
	json_free(&j);

	/* an overflowed line does not spoil the next one */
	json_init(&j, 60);
	json_begin(&j);
	json_strn(&j, "a", (const uint8_t *)big, sizeof big);
	assert_true(j.overflow);
	assert_string_equal(json_end(&j), "{}");
	json_begin(&j);
	assert_false(j.overflow);
	json_uint(&j, "b", 1);
	json_arr(&j, "c");
	json_uint(&j, NULL, 2);
	assert_string_equal(json_end(&j), "{\"b\":1,\"c\":[2]}");
	assert_false(j.overflow);
	json_free(&j);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validator_rejects),
		cmocka_unit_test(test_empty_object),
		cmocka_unit_test(test_every_writer),
		cmocka_unit_test(test_nesting_and_commas),
		cmocka_unit_test(test_keys_escaped),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_c1_and_separators),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_special_byte_at_every_position),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_numbers_match_printf),
		cmocka_unit_test(test_full_doc),
		cmocka_unit_test(test_ceiling),
		cmocka_unit_test(test_ceiling_deep),
		cmocka_unit_test(test_overflow_then_containers),
		cmocka_unit_test(test_absurd_ceiling),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_begin_reuses_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
