/*
 * fuzz_emit.c: hostile strings (an SNI, a certificate subject, an IMAP
 * response text can hold any bytes) through the emitters: the JSON writer
 * must always produce valid JSON in valid UTF-8, even at its size ceiling,
 * the terminal sanitiser must let no control character through, and the
 * CSV writer must produce one RFC 4180 row of valid UTF-8 whose cells no
 * spreadsheet takes for a formula.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/csv.h"
#include "report/json.h"
#include "util/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_utf8(const char *s, size_t n, int text)
{
	size_t i = 0;

	while (i < n) {
		uint32_t cp;
		size_t l = utf8_seq((const uint8_t *)s + i, n - i, &cp);
		if (l == 0)
			abort();
		/* No control character may reach a terminal or a JSON string
		 * unescaped. */
		if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0)) {
			if (text || cp != '\n')
				abort();
		}
		i += l;
	}
}

/* A cell must not start a formula once its quotes are taken off. */
static void
check_cell_start(const char *p, const char *end)
{
	if (p < end && *p != '\0' && strchr("=+-@\t\r", *p) != NULL)
		abort();
}

/* row is exactly ncells RFC 4180 cells and a CRLF. */
static void
check_csv_row(const char *row, size_t n, unsigned ncells)
{
	const char *p = row, *end = row + n;
	unsigned cells = 0;
	size_t i = 0;

	/* Valid UTF-8; no control character but tab, CR and LF. */
	while (i < n) {
		uint32_t cp;
		size_t l = utf8_seq((const uint8_t *)row + i, n - i, &cp);

		if (l == 0 || ((cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) &&
		               cp != '\t' && cp != '\r' && cp != '\n'))
			abort();
		i += l;
	}
	for (;;) {
		cells++;
		if (p < end && *p == '"') {
			p++;
			check_cell_start(p, end);
			for (;;) {
				if (p >= end)
					abort(); /* unterminated quotes */
				if (*p == '"') {
					if (p + 1 < end && p[1] == '"') {
						p += 2;
						continue;
					}
					p++;
					break;
				}
				p++;
			}
		} else {
			check_cell_start(p, end);
			while (p < end && *p != ',' && *p != '\r' && *p != '\n') {
				if (*p == '"')
					abort(); /* a bare quote */
				p++;
			}
		}
		if (p < end && *p == ',') {
			p++;
			continue;
		}
		break;
	}
	if (cells != ncells || end - p != 2 || p[0] != '\r' || p[1] != '\n')
		abort();
}

static void
check_csv(const uint8_t *data, size_t size)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	struct csv c;

	if (mem == NULL)
		return;
	csv_begin(&c, mem);
	csv_strn(&c, data, size);
	csv_strn(&c, data + size / 2, size - size / 2);
	csv_uint(&c, size);
	csv_end(&c);
	if (fclose(mem) != 0) {
		free(buf);
		return;
	}
	check_csv_row(buf, len, 3);
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json j;
	char term[512];
	const char *line;
	size_t cap;

	if (size < 1)
		return 0;
	/* The first byte picks the writer's ceiling: tiny ones test the
	 * overflow path that must still close every container. */
	cap = (size_t)data[0] * 8 + 1;
	data++;
	size--;
	json_init(&j, cap);
	json_begin(&j);
	json_strn(&j, "sni", data, size);
	json_arr(&j, "names");
	json_strn(&j, NULL, data, size / 2);
	json_obj(&j, NULL);
	json_strn(&j, "subject", data + size / 2, size - size / 2);
	json_uint(&j, "n", size);
	json_close(&j);
	json_close(&j);
	json_bool(&j, "done", true);
	line = json_end(&j);
	check_utf8(line, strlen(line), 0);
	/* Balanced braces and brackets outside strings. */
	{
		int depth = 0, in_str = 0, esc = 0;
		for (const char *p = line; *p; p++) {
			if (in_str) {
				if (esc)
					esc = 0;
				else if (*p == '\\')
					esc = 1;
				else if (*p == '"')
					in_str = 0;
				continue;
			}
			if (*p == '"')
				in_str = 1;
			else if (*p == '{' || *p == '[')
				depth++;
			else if (*p == '}' || *p == ']')
				depth--;
			if (depth < 0)
				abort();
		}
		if (depth != 0 || in_str)
			abort();
	}
	json_free(&j);

	utf8_sanitize(term, sizeof term, data, size);
	if (strlen(term) >= sizeof term)
		abort();
	check_utf8(term, strlen(term), 1);
	check_csv(data, size);
	return 0;
}
