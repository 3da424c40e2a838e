/* test_text_groups.c: identical reports shown once (report/text_groups.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/text_groups.h"

static void
add(struct text_groups *g, const char *key, const char *block,
    const char *line, const char *frame, uint64_t client)
{
	struct text_member m = {
	    .key = key,
	    .key_len = strlen(key),
	    .block = block,
	    .block_len = strlen(block),
	    .line = line,
	    .frame = frame,
	    .client = client,
	    .severity = DIAG_SEV_ERROR,
	};

	assert_true(text_groups_add(g, &m));
}

static char *
flushed(struct text_groups *g, bool compact)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	text_groups_flush(g, f, compact, 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void
test_groups_in_first_seen_order(void **state)
{
	struct text_groups *g = text_groups_new();
	char *out;

	(void)state;
	add(g, "A", "block A\n\n", "line A", "3", 1);
	add(g, "B", "block B\n\n", "line B", "5", 1);
	add(g, "A", "block A2\n\n", "line A2", "40", 2);
	add(g, "A", "block A3\n\n", "line A3", "88", 2);
	assert_int_equal(text_groups_reports(g), 2);
	assert_int_equal(text_groups_conns(g), 4);
	out = flushed(g, false);
	/* the first block of a group stands for it; the others are listed */
	assert_string_equal(out,
	                    "block A\n"
	                    "  3 connections like this (from 2 clients): "
	                    "frames 3, 40, 88\n\n"
	                    "block B\n\n");
	free(out);
	/* flushed: empty, and usable again */
	assert_int_equal(text_groups_reports(g), 0);
	assert_int_equal(text_groups_bytes(g), 0);
	add(g, "B", "block B\n\n", "line B", "7", 1);
	out = flushed(g, true);
	assert_string_equal(out, "line B\n");
	free(out);
	text_groups_free(g);
}

static void
test_compact_lines(void **state)
{
	struct text_groups *g = text_groups_new();
	char *out;

	(void)state;
	add(g, "A", "block A\n\n", "line A", "3", 1);
	add(g, "A", "block A\n\n", "line A", "9", 1);
	add(g, "B", "block B\n\n", "line B", "5", 1);
	out = flushed(g, true);
	assert_string_equal(out,
	                    "line A  [2 connections like this: frames 3, 9]\n"
	                    "line B\n");
	free(out);
	text_groups_free(g);
}

/* Keys differ by a byte: never the same group; a key that is a prefix
 * of another neither. */
static void
test_keys_exact(void **state)
{
	struct text_groups *g = text_groups_new();

	(void)state;
	add(g, "abc", "1\n\n", "1", "1", 1);
	add(g, "abd", "2\n\n", "2", "2", 1);
	add(g, "ab", "3\n\n", "3", "3", 1);
	add(g, "abc\x1f", "4\n\n", "4", "4", 1);
	assert_int_equal(text_groups_reports(g), 4);
	text_groups_free(g);
}

/* Many members: the first frames listed, the rest counted. */
static void
test_many_members(void **state)
{
	struct text_groups *g = text_groups_new();
	char frame[16], *out;

	(void)state;
	for (unsigned i = 1; i <= 1000; i++) {
		snprintf(frame, sizeof frame, "%u", i * 10);
		add(g, "same", "block\n\n", "line", frame, i % 3);
	}
	out = flushed(g, false);
	assert_string_equal(out,
	                    "block\n"
	                    "  1000 connections like this (from 3 clients): "
	                    "frames 10, 20, 30, 40, 50, 60, 70, 80, ... (992 "
	                    "more)\n\n");
	free(out);
	text_groups_free(g);
}

/* Many groups: the table grows, every group kept, order kept. */
static void
test_many_groups(void **state)
{
	struct text_groups *g = text_groups_new();
	char key[32], block[32], *out, *p;

	(void)state;
	for (unsigned i = 0; i < 5000; i++) {
		snprintf(key, sizeof key, "k%u", i);
		snprintf(block, sizeof block, "b%u\n\n", i);
		add(g, key, block, key, "1", 1);
	}
	for (unsigned i = 0; i < 5000; i += 7) {
		snprintf(key, sizeof key, "k%u", i);
		snprintf(block, sizeof block, "b%u\n\n", i);
		add(g, key, block, key, "2", 1);
	}
	assert_int_equal(text_groups_reports(g), 5000);
	assert_int_equal(text_groups_conns(g), 5000 + 715);
	assert_true(text_groups_bytes(g) > 5000 * 8);
	out = flushed(g, true);
	p = out;
	for (unsigned i = 0; i < 5000; i++) {
		char want[80];

		if (i % 7 == 0)
			snprintf(want, sizeof want,
			         "k%u  [2 connections like this: frames 1, 2]\n",
			         i);
		else
			snprintf(want, sizeof want, "k%u\n", i);
		assert_memory_equal(p, want, strlen(want));
		p += strlen(want);
	}
	assert_int_equal(*p, '\0');
	free(out);
	text_groups_free(g);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_groups_in_first_seen_order),
		cmocka_unit_test(test_compact_lines),
		cmocka_unit_test(test_keys_exact),
		cmocka_unit_test(test_many_members),
		cmocka_unit_test(test_many_groups),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
