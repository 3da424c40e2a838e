/* test_wrap.c: report lines folded at a terminal's width (util/wrap.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/wrap.h"

/* wrap_write into a string the caller frees. */
static char *
folded(const char *text, unsigned width)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	wrap_write(f, text, strlen(text), width);
	assert_int_equal(fclose(f), 0);
	return buf;
}

#define FOLDS(text, width, want)                                             \
	do {                                                                 \
		char *got_ = folded((text), (width));                        \
		assert_string_equal(got_, (want));                           \
		free(got_);                                                  \
	} while (0)

/* Columns of the widest line, colour sequences and UTF-8 counted as a
 * terminal shows them. */
static size_t
widest(const char *s)
{
	size_t w = 0, col = 0;

	for (; *s != '\0'; s++) {
		if (*s == '\n') {
			col = 0;
			continue;
		}
		if (*s == '\033') {
			while (*s != '\0' && *s != 'm')
				s++;
			continue;
		}
		if (((unsigned char)*s & 0xc0) != 0x80 && ++col > w)
			w = col;
	}
	return w;
}

static void
test_short_lines_unchanged(void **state)
{
	(void)state;
	FOLDS("", 80, "");
	FOLDS("one\ntwo\n", 80, "one\ntwo\n");
	FOLDS("  indented line\n\n", 40, "  indented line\n\n");
	/* width 0: nothing folded, not even a line of 300 */
	{
		char line[302];

		memset(line, 'x', 300);
		line[300] = '\n';
		line[301] = '\0';
		FOLDS(line, 0, line);
	}
	/* a last line without '\n' gets one when folding */
	FOLDS("no newline", 80, "no newline\n");
}

/* A headline at the margin goes on 8 in. */
static void
test_margin_line_goes_on_8_in(void **state)
{
	(void)state;
	FOLDS("Summary: 7 connections, 4 errors, 0 warnings: 3 ok, 1 "
	      "tcp-no-answer, 1 tcp-refused\n",
	      40,
	      "Summary: 7 connections, 4 errors, 0\n"
	      "        warnings: 3 ok, 1 tcp-no-answer,\n"
	      "        1 tcp-refused\n");
}

/* An indented line without bullet or columns goes on 4 further in. */
static void
test_indented_line_goes_on_4_further(void **state)
{
	(void)state;
	FOLDS("  The client waited for the server to send an answer to the "
	      "ClientHello and gave up.\n",
	      50,
	      "  The client waited for the server to send an\n"
	      "      answer to the ClientHello and gave up.\n");
}

/* Bullets: the text goes on under the text, not under the bullet. */
static void
test_bullets(void **state)
{
	(void)state;
	FOLDS("    - frame 132: the client gave up (FIN) 3.0 s after the "
	      "ClientHello\n",
	      40,
	      "    - frame 132: the client gave up\n"
	      "      (FIN) 3.0 s after the ClientHello\n");
	FOLDS("    2. the server requires a client certificate it did not "
	      "get\n",
	      40,
	      "    2. the server requires a client\n"
	      "       certificate it did not get\n");
}

/* The timeline's columns: the event text goes on under itself. */
static void
test_timeline_columns(void **state)
{
	(void)state;
	FOLDS("        11.165 ms  frame 17     client  ClientHello: TLS 1.3, "
	      "TLS 1.2; 30 cipher suites; SNI imap.lab.example\n",
	      80,
	      "        11.165 ms  frame 17     client  ClientHello: TLS 1.3, "
	      "TLS 1.2; 30 cipher\n"
	      "                                        suites; SNI "
	      "imap.lab.example\n");
}

/* Colour sequences take no column: a coloured line of exactly the width
 * stays whole. */
static void
test_colour_takes_no_room(void **state)
{
	char *got;

	(void)state;
	got = folded("\033[1;31mERROR   tcp-reset\033[0m  12345678901234567890"
	             "1\n",
	             40);
	assert_string_equal(got, "\033[1;31mERROR   tcp-reset\033[0m  "
	                         "123456789012345678901\n");
	assert_int_equal(widest(got), 40);
	free(got);
	/* one more column: it folds, and no line ends in a space */
	got = folded("\033[1;31mERROR   tcp-reset\033[0m  12345678901234567890"
	             "12\n",
	             40);
	assert_string_equal(got, "\033[1;31mERROR   tcp-reset\033[0m\n"
	                         "        1234567890123456789012\n");
	free(got);
}

/* UTF-8 counts by character: 40 two-byte letters fit 40 columns. */
static void
test_utf8_by_character(void **state)
{
	char line[200] = "";
	char *got;

	(void)state;
	for (int i = 0; i < 40; i++)
		strcat(line, "\xc3\xa9");
	strcat(line, "\n");
	got = folded(line, 40);
	assert_string_equal(got, line);
	free(got);
	strcpy(line, "  \xc3\xa9\xc3\xa9\xc3\xa9 ");
	for (int i = 0; i < 10; i++)
		strcat(line, "\xe2\x9c\x93\xe2\x9c\x93\xe2\x9c\x93 ");
	strcat(line, "\n");
	got = folded(line, 40);
	assert_true(widest(got) <= 40);
	assert_non_null(strchr(got, '\n'));
	free(got);
}

/* Only a word longer than the room is cut: its middle gives way to
 * "...", the larger part kept is its end. */
static void
test_long_token_cut(void **state)
{
	char line[200];
	char *got;

	(void)state;
	snprintf(line, sizeof line, "  sni: %s tail\n",
	         "aaaaaaaaaabbbbbbbbbbccccccccccddddddddddeeeeeeeeee");
	got = folded(line, 40);
	assert_string_equal(got,
	                    "  sni:\n"
	                    "      aaaaaaaaaa...cddddddddddeeeeeeeeee\n"
	                    "      tail\n");
	assert_true(widest(got) <= 40);
	free(got);
}

/* A long path keeps its file's name; a long word at the start of an
 * indented line is cut once, under its indent; a colour's reset at a
 * cut word's end is kept. */
static void
test_long_path_keeps_its_name(void **state)
{
	char *got;

	(void)state;
	got = folded("capture: /srv/very/long/directory/of/the/customer/"
	             "case/12345/imap-failures.pcap\n", 40);
	assert_string_equal(got, "capture:\n"
	                         "        /srv/very...5/imap-failures.pcap\n");
	assert_true(widest(got) <= 40);
	free(got);
	got = folded("    aaaaaaaaaabbbbbbbbbbccccccccccddddddddddeeeeeeeeee\n",
	             40);
	assert_string_equal(got,
	                    "    aaaaaaaaaab...ccddddddddddeeeeeeeeee\n");
	free(got);
	got = folded("  sni: \033[1maaaaaaaaaabbbbbbbbbbccccccccccdddddddddd"
	             "eeeeeeeeee\033[0m\n", 40);
	assert_string_equal(got, "  sni:\n"
	                         "      \033[1maaaaaaaaaa...cddddddddddeeeeeeeeee"
	                         "\033[0m\n");
	free(got);
}

/* Widths below the minimum are raised to it; every line fits. */
static void
test_narrow_and_every_line_fits(void **state)
{
	const char *text =
	    "ERROR   handshake-timeout  198.18.1.2:36088 -> 198.18.2.13:993 "
	    "(imaps)\n"
	    "  The client waited for the server to send an answer to the "
	    "ClientHello and gave up; the server stayed silent.\n"
	    "  wireshark: ip.addr==198.18.1.2 && ip.addr==198.18.2.13 && "
	    "tcp.port==36088 && tcp.port==993 && frame.number in {5..134}\n"
	    "      2972.107 ms  frame 132    client  FIN\n";
	char *got;

	(void)state;
	for (unsigned w = WRAP_MIN_WIDTH; w <= 132; w += 7) {
		got = folded(text, w);
		assert_true(widest(got) <= w);
		free(got);
	}
	got = folded(text, 10);
	assert_true(widest(got) <= WRAP_MIN_WIDTH);
	assert_true(widest(got) > 10);
	free(got);
}

/* Folding loses no word: the words of the output are those of the input
 * (no token here is longer than the room). */
static void
test_no_word_lost(void **state)
{
	const char *text =
	    "  advice: The server refused STLS (its -ERR text says why, "
	    "usually TLS not configured or not allowed in this state). Fix "
	    "the TLS configuration of the source server's port 110 or migrate "
	    "over port 995. Do not fall back to clear text.\n";
	char *got = folded(text, 45);
	char a[1024], b[1024];
	size_t na = 0, nb = 0;

	(void)state;
	for (const char *p = text; *p; p++)
		if (*p != ' ' && *p != '\n')
			a[na++] = *p;
	for (const char *p = got; *p; p++)
		if (*p != ' ' && *p != '\n')
			b[nb++] = *p;
	assert_int_equal(na, nb);
	assert_memory_equal(a, b, na);
	free(got);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_short_lines_unchanged),
		cmocka_unit_test(test_margin_line_goes_on_8_in),
		cmocka_unit_test(test_indented_line_goes_on_4_further),
		cmocka_unit_test(test_bullets),
		cmocka_unit_test(test_timeline_columns),
		cmocka_unit_test(test_colour_takes_no_room),
		cmocka_unit_test(test_utf8_by_character),
		cmocka_unit_test(test_long_token_cut),
		cmocka_unit_test(test_long_path_keeps_its_name),
		cmocka_unit_test(test_narrow_and_every_line_fits),
		cmocka_unit_test(test_no_word_lost),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
