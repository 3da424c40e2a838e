/* test_explain.c: error lines of clients and mail servers to likely verdicts and checks (RFC 8446 6.2 alerts, RFC 9051 6.2.1 STARTTLS). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag/explain.h"
#include "explain_lines.h"

/* The verdict ids of the design contract. */
static const char *const verdict_ids[] = {
	"ok", "tcp-no-answer", "tcp-refused", "tcp-reset",
	"closed-during-handshake", "handshake-timeout", "starttls-not-offered",
	"starttls-refused", "plaintext-session", "not-tls",
	"tls-version-mismatch", "no-shared-cipher", "cert-chain-incomplete",
	"cert-expired", "cert-name-mismatch", "cert-self-signed",
	"cert-untrusted", "interception-untrusted", "tls-alert",
	"tls13-rejected", "incomplete-capture",
};

static bool
known_verdict(const char *id)
{
	for (size_t i = 0; i < sizeof verdict_ids / sizeof verdict_ids[0]; i++) {
		if (strcmp(verdict_ids[i], id) == 0)
			return true;
	}
	return false;
}

/* Table text reaches a terminal: printable ASCII only. */
static void
assert_printable(const char *s)
{
	assert_non_null(s);
	for (const char *c = s; *c != '\0'; c++) {
		if (*c < 0x20 || *c >= 0x7f)
			fail_msg("byte 0x%02x in \"%s\"", (unsigned char)*c, s);
	}
}

/* The first hit for text; fails the test when there is none. */
static const struct explain_entry *
first_entry(const char *text)
{
	struct explain_hit hits[8];
	size_t n = explain_match(text, hits, 8);

	if (n == 0)
		fail_msg("no match for \"%s\"", text);
	return hits[0].entry;
}

/* Where an entry stands in the matching order. */
static size_t
table_index(const struct explain_entry *e)
{
	size_t n;
	const struct explain_entry *const *t = explain_table(&n);

	for (size_t i = 0; i < n; i++) {
		if (t[i] == e)
			return i;
	}
	fail_msg("entry \"%s\" is not in the table", e->title);
	return n;
}

static const char *
first_verdict(const char *text)
{
	return first_entry(text)->verdicts[0].id;
}

/* explain_print into a string the caller frees; *rc gets its result. */
static char *
print_to_string(const char *text, int *rc, size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	assert_non_null(f);
	*rc = explain_print(f, text);
	assert_int_equal(fclose(f), 0);
	assert_non_null(buf);
	if (len != NULL)
		*len = n;
	return buf;
}


/* The phrases the project's issue requires, each with the verdict that
 * must come first. */
static void
test_required_phrases(void **state)
{
	static const struct want w[] = {
		{"STARTTLS handshake failed", "tls-version-mismatch"},
		{"TLS handshake timeout", "handshake-timeout"},
		{"ssl3_get_record:wrong version number", "not-tls"},
		{"unable to get local issuer certificate", "cert-chain-incomplete"},
		{"tls: server selected unsupported protocol version 301",
		    "tls-version-mismatch"},
		{"certificate has expired or certificate not yet valid",
		    "cert-expired"},
		{"tlsv1 alert protocol version", "tls-version-mismatch"},
		{"no shared cipher", "no-shared-cipher"},
		{"handshake failure", "no-shared-cipher"},
		{"connection reset by peer", "tcp-reset"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof w / sizeof w[0]; i++) {
		const char *got = first_verdict(w[i].text);

		if (strcmp(got, w[i].verdict) != 0)
			fail_msg("\"%s\": first verdict %s, want %s", w[i].text,
			    got, w[i].verdict);
	}
}

static void
test_local_issuer_order(void **state)
{
	const struct explain_entry *e =
	    first_entry("unable to get local issuer certificate");

	(void)state;
	assert_string_equal(e->verdicts[0].id, "cert-chain-incomplete");
	assert_string_equal(e->verdicts[1].id, "interception-untrusted");
	assert_string_equal(e->verdicts[2].id, "cert-untrusted");
}

/* Whole lines as the stacks print them (explain_lines.h). */
static void
test_real_lines(void **state)
{
	const struct want *w = explain_lines;

	(void)state;
	for (size_t i = 0; i < sizeof explain_lines / sizeof *w; i++) {
		const char *got = first_verdict(w[i].text);

		if (strcmp(got, w[i].verdict) != 0)
			fail_msg("\"%s\": first verdict %s, want %s", w[i].text,
			    got, w[i].verdict);
	}
}

/* A line naming a precise cause and a generic failure: precise first. */
static void
test_specific_before_generic(void **state)
{
	struct explain_hit h[8];
	size_t n;

	(void)state;
	n = explain_match("ssl.SSLCertVerificationError: "
	    "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: "
	    "unable to get local issuer certificate (_ssl.c:1006)", h, 8);
	assert_int_equal(n, 2);
	assert_string_equal(h[0].phrase->text,
	    "unable to get local issuer certificate");
	assert_string_equal(h[1].phrase->text, "certificate verify failed");
	assert_true(table_index(h[0].entry) < table_index(h[1].entry));

	/* Dovecot's log: the reason first, the generic server line after. */
	n = explain_match("imap-login: Disconnected (no auth attempts in 0 "
	    "secs): user=<>, rip=192.0.2.7, TLS handshaking: SSL_accept() "
	    "failed: error:0A000102:SSL routines::unsupported protocol", h, 8);
	assert_int_equal(n, 3);
	assert_string_equal(h[0].entry->verdicts[0].id, "tls-version-mismatch");
	assert_string_equal(h[1].entry->verdicts[0].id,
	    "closed-during-handshake");
	assert_string_equal(h[1].entry->title, "TLS failed (server's log)");
	assert_string_equal(h[2].entry->title,
	    "client left without logging in (Dovecot's log)");

	/* Postfix: the reason from the line above before the generic ones. */
	n = explain_match("SSL_accept error from unknown[192.0.2.7]: -1\n"
	    "warning: TLS library problem: error:0A000418:SSL routines::tlsv1 "
	    "alert unknown ca:ssl/record/rec_layer_s3.c:1605:SSL alert number "
	    "48:\nlost connection after STARTTLS from unknown[192.0.2.7]", h,
	    8);
	assert_int_equal(n, 3);
	assert_string_equal(h[0].phrase->text, "tlsv1 alert unknown ca");
	assert_string_equal(h[1].phrase->text, "lost connection after STARTTLS");
	assert_string_equal(h[2].entry->title, "TLS failed (server's log)");

	/* curl 56 over a reset: the reset first, curl's code second. */
	n = explain_match("curl: (56) Recv failure: Connection reset by peer",
	    h, 8);
	assert_int_equal(n, 2);
	assert_string_equal(h[0].phrase->text, "connection reset by peer");
	assert_string_equal(h[1].entry->title, "receive failure");
}

/* A generic phrase inside a specific one's match is not reported again. */
static void
test_contained_match_dropped(void **state)
{
	struct explain_hit h[8];
	size_t n;

	(void)state;
	n = explain_match("error:0A000126:SSL routines::unexpected eof while "
	    "reading", h, 8);
	assert_int_equal(n, 1);
	assert_string_equal(h[0].phrase->text, "unexpected eof while reading");

	n = explain_match("self-signed certificate in certificate chain", h, 8);
	assert_int_equal(n, 1);
	assert_string_equal(h[0].entry->verdicts[0].id,
	    "interception-untrusted");

	n = explain_match("STARTTLS handshake failed", h, 8);
	assert_int_equal(n, 1);
	assert_string_equal(h[0].phrase->text, "STARTTLS handshake failed");

	n = explain_match("tls: server selected unsupported protocol version "
	    "301", h, 8);
	assert_int_equal(n, 1);

	/* The longest phrase of an entry is the one reported. */
	n = explain_match("x509: certificate has expired or is not yet valid",
	    h, 8);
	assert_int_equal(n, 1);
	assert_string_equal(h[0].phrase->text,
	    "x509: certificate has expired or is not yet valid");
	assert_int_equal(h[0].start, 0);
	assert_int_equal(h[0].end, strlen(h[0].phrase->text));
}

static void
test_normalisation(void **state)
{
	(void)state;
	assert_string_equal(first_verdict("SSL3_GET_RECORD:WRONG\t\tVERSION  "
	    "\r\n NUMBER"), "not-tls");
	assert_string_equal(first_verdict("Sslv3-Alert-Handshake-Failure"),
	    "no-shared-cipher");
	assert_string_equal(first_verdict("  CONNECTION   RESET   BY   PEER  "),
	    "tcp-reset");
	/* Control characters separate words like spaces. */
	assert_string_equal(first_verdict("no\x01shared\x7f" "cipher"),
	    "no-shared-cipher");
}

static void
test_word_boundaries(void **state)
{
	struct explain_hit h[4];

	(void)state;
	assert_int_equal(explain_match("geofence update", h, 4), 0);
	assert_int_equal(explain_match("EOFError in parser", h, 4), 0);
	assert_int_equal(explain_match("status=NOEOF", h, 4), 0);
	assert_int_equal(explain_match("nonshared cipher", h, 4), 0);
	assert_int_equal(explain_match("read: EOF", h, 4), 1);
	assert_string_equal(h[0].phrase->text, "EOF");
	/* A "..." gap has a limit. */
	{
		char buf[EXPLAIN_GAP_MAX + 64];

		memset(buf, 'x', sizeof buf);
		memcpy(buf, "dial tcp ", 9);
		memcpy(buf + sizeof buf - 13, " i/o timeout", 13);
		assert_int_equal(explain_match(buf, h, 4), 1);
		assert_string_equal(h[0].phrase->text, "i/o timeout");
	}
}

static size_t
count_lines(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

/* No match: a short answer, never the whole table. */
static void
test_no_match(void **state)
{
	struct explain_hit h[4];
	int rc;
	char *out;

	(void)state;
	assert_int_equal(explain_match("the migration finished without errors",
	    h, 4), 0);
	out = print_to_string("the migration finished without errors", &rc,
	    NULL);
	assert_int_equal(rc, 1);
	assert_true(count_lines(out) <= 2);
	assert_non_null(strstr(out, "No known error phrase"));
	assert_non_null(strstr(out, "tlsautopsy --explain list"));
	assert_null(strstr(out, "Known phrases"));
	assert_null(strstr(out, "Matched:"));
	assert_null(strstr(out, "tcpdump"));
	free(out);
}

static void
test_empty(void **state)
{
	struct explain_hit h[4];
	int rc;
	char *out;

	(void)state;
	assert_int_equal(explain_match("", h, 4), 0);
	assert_int_equal(explain_match(" \t\r\n ", h, 4), 0);
	assert_int_equal(explain_match(NULL, h, 4), 0);
	assert_int_equal(explain_match("connection reset by peer", h, 0), 0);

	out = print_to_string("", &rc, NULL);
	assert_int_equal(rc, 1);
	assert_true(count_lines(out) <= 2);
	assert_non_null(strstr(out, "Nothing to explain"));
	assert_non_null(strstr(out, "tlsautopsy --explain list"));
	assert_null(strstr(out, "Known phrases"));
	free(out);
	out = print_to_string(NULL, &rc, NULL);
	assert_int_equal(rc, 1);
	free(out);
	out = print_to_string("\n\n\t", &rc, NULL);
	assert_int_equal(rc, 1);
	assert_non_null(strstr(out, "Nothing to explain"));
	free(out);
}

/* "list" prints every phrase with its stack, and is not an error. */
static void
test_list(void **state)
{
	static const char *const asks[] = {"list", " LIST\n", "List"};
	size_t n;
	const struct explain_entry *const *t = explain_table(&n);

	(void)state;
	for (size_t a = 0; a < sizeof asks / sizeof asks[0]; a++) {
		int rc;
		char *out = print_to_string(asks[a], &rc, NULL);

		assert_int_equal(rc, 0);
		assert_non_null(strstr(out, "Known phrases"));
		assert_null(strstr(out, "Matched:"));
		for (size_t e = 0; e < n; e++) {
			assert_non_null(strstr(out, t[e]->title));
			for (size_t k = 0; k < EXPLAIN_PHRASES_MAX &&
			    t[e]->phrases[k].text != NULL; k++) {
				char line[256];

				snprintf(line, sizeof line, "\"%s\" (%s)\n",
				    t[e]->phrases[k].text,
				    t[e]->phrases[k].stack);
				if (strstr(out, line) == NULL)
					fail_msg("list lacks %s", line);
			}
		}
		free(out);
	}
	/* A line that holds the word among others is an ordinary text. */
	{
		int rc;
		char *out = print_to_string("mailing list moved", &rc, NULL);

		assert_int_equal(rc, 1);
		assert_null(strstr(out, "Known phrases"));
		free(out);
	}
}

/* Only EXPLAIN_TEXT_MAX bytes are read, whatever the length. */
static void
test_long_input(void **state)
{
	static const char phrase[] = "tlsv1 alert protocol version";
	const size_t big = 4u * 1024 * 1024;
	struct explain_hit h[4];
	char *buf = malloc(big + 1);
	char *exact;
	char *out;
	int rc;

	(void)state;
	assert_non_null(buf);
	memset(buf, 'x', big);
	buf[big] = '\0';
	memcpy(buf, phrase, sizeof phrase - 1);
	buf[sizeof phrase - 1] = ' ';
	assert_int_equal(explain_match(buf, h, 4), 1);
	assert_string_equal(h[0].entry->verdicts[0].id, "tls-version-mismatch");

	/* Past the limit: not seen. */
	memset(buf, 'x', sizeof phrase);
	memcpy(buf + big - sizeof phrase, " tlsv1 alert protocol version",
	    sizeof phrase);
	assert_int_equal(explain_match(buf, h, 4), 0);
	out = print_to_string(buf, &rc, NULL);
	assert_int_equal(rc, 1);
	assert_non_null(strstr(out, "Only the first 16384 bytes"));
	free(out);

	/* Many words, all near misses: still bounded, still no match. */
	for (size_t i = 0; i + 8 <= big; i += 8)
		memcpy(buf + i, "tlsv1 a ", 8);
	assert_int_equal(explain_match(buf, h, 4), 0);
	free(buf);

	/* A buffer of exactly the limit without a NUL is never overread. */
	exact = malloc(EXPLAIN_TEXT_MAX);
	assert_non_null(exact);
	memset(exact, ' ', EXPLAIN_TEXT_MAX);
	memcpy(exact, phrase, sizeof phrase - 1);
	assert_int_equal(explain_match(exact, h, 4), 1);
	free(exact);
}

/* Bytes from the caller never reach the output: only table text does. */
static void
test_hostile_bytes(void **state)
{
	static const char text[] =
	    "\x1b]0;pwned\x07\x1b[2J\x1b[31mZZMARK connection reset by peer "
	    "\xc2\x9b" "31m\xff\xfe\r\n\x08\x08 ZZMARK";
	int rc;
	size_t len;
	char *out;

	(void)state;
	out = print_to_string(text, &rc, &len);
	assert_int_equal(rc, 0);
	assert_null(strstr(out, "ZZMARK"));
	assert_null(strstr(out, "pwned"));
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)out[i];

		if (c == '\n')
			continue;
		if (c < 0x20 || c >= 0x7f)
			fail_msg("byte 0x%02x at %zu of the output", c, i);
	}
	assert_non_null(strstr(out, "Matched: \"connection reset by peer\""));
	free(out);

	/* The same with nothing to match: the guide, still clean. */
	out = print_to_string("\x1b[31mZZMARK\x1b[0m", &rc, &len);
	assert_int_equal(rc, 1);
	assert_null(strstr(out, "ZZMARK"));
	assert_null(memchr(out, 0x1b, len));
	free(out);
}

static void
test_print_format(void **state)
{
	int rc;
	char *out;
	const char *one, *two, *look, *check, *run;

	(void)state;
	out = print_to_string("SSLError: [SSL: TLSV1_ALERT_PROTOCOL_VERSION] "
	    "tlsv1 alert protocol version", &rc, NULL);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "Matched: \"tlsv1 alert protocol version\" "
	    "(OpenSSL"));
	one = strstr(out, "\n  1. tls-version-mismatch: ");
	assert_non_null(one);
	look = strstr(out, "\nIn the capture, look for: who sent the alert");
	assert_non_null(look);
	check = strstr(out, "\nCheck without a capture: openssl s_client "
	    "-connect imap.example.com:993 -servername imap.example.com "
	    "-tls1_2 </dev/null\n  It shows: ");
	assert_non_null(check);
	run = strstr(out, "\nRun: tlsautopsy -r capture.pcap -v\n");
	assert_non_null(run);
	assert_true(one < look && look < check && check < run);
	/* Once, after the entries: how to aim the checks, how to capture. */
	assert_non_null(strstr(run, "-starttls smtp on 25 or 587"));
	assert_non_null(strstr(run, "tcpdump -i any"));
	assert_non_null(strstr(run, "or 465'"));
	free(out);

	/* The verdicts come numbered in the table's order. */
	out = print_to_string("unable to get local issuer certificate", &rc,
	    NULL);
	assert_int_equal(rc, 0);
	one = strstr(out, "  1. cert-chain-incomplete: ");
	two = strstr(out, "  2. interception-untrusted: ");
	assert_non_null(one);
	assert_non_null(two);
	assert_true(one < two);
	assert_non_null(strstr(out, "  3. cert-untrusted: "));
	assert_non_null(strstr(out, "--ca-bundle"));
	free(out);
}

/* Realistic log lines a phrase is pasted within; none holds a phrase. */
static const char *const frames[] = {
	"Nov 20 14:03:22 mig1 imapsync[4242]: Host2: imap.example.org: %s "
	    "(attempt 3 of 5)",
	"2026-11-20T14:03:22Z level=error msg=\"session to 203.0.113.10:993 "
	    "ended: %s\" worker=7",
	"[pool-2-thread-7] WARN  MailSync - %s; giving up after 3 tries",
};

/* What the table test pastes: the phrase as is, within each frame, and
 * in other cases. */
enum { SHAPES = 6 };

static void
shape(const char *p, int how, char *out, size_t outsz)
{
	size_t i;

	if (how >= 1 && how <= 3) {
		snprintf(out, outsz, frames[how - 1], p);
		return;
	}
	for (i = 0; p[i] != '\0' && i + 1 < outsz; i++) {
		unsigned char c = (unsigned char)p[i];

		if (how == 4 && c >= 'a' && c <= 'z')
			c = (unsigned char)(c - 'a' + 'A');
		else if (how == 5 && c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		out[i] = (char)c;
	}
	out[i] = '\0';
}

/*
 * Every phrase of the table, alone, within a longer log line and in upper
 * and lower case, brings its own entry first: no earlier entry, generic or
 * not, shadows it.
 */
static void
test_every_phrase_first(void **state)
{
	size_t n, nphr = 0;
	const struct explain_entry *const *t = explain_table(&n);

	(void)state;
	for (size_t e = 0; e < n; e++) {
		for (size_t k = 0; k < EXPLAIN_PHRASES_MAX &&
		    t[e]->phrases[k].text != NULL; k++) {
			const char *p = t[e]->phrases[k].text;

			for (int how = 0; how < SHAPES; how++) {
				char text[512];
				struct explain_hit h[8];
				size_t nh;

				shape(p, how, text, sizeof text);
				nh = explain_match(text, h, 8);
				if (nh == 0)
					fail_msg("\"%s\": no match", text);
				if (h[0].entry != t[e])
					fail_msg("\"%s\": first \"%s\", want "
					    "\"%s\"", text, h[0].entry->title,
					    t[e]->title);
				if (h[0].phrase != &t[e]->phrases[k])
					fail_msg("\"%s\": matched \"%s\"", text,
					    h[0].phrase->text);
			}
			nphr++;
		}
	}
	assert_true(nphr >= 200);
}

/* Windows and Outlook codes, whatever their case, with or without 0x. */
static void
test_hex_codes(void **state)
{
	static const struct want w[] = {
		{"0x800CCC0E", "tcp-no-answer"},
		{"0x800ccc0e", "tcp-no-answer"},
		{"0X800CCC0E", "tcp-no-answer"},
		{"error 800CCC0E when sending", "tcp-no-answer"},
		{"Error Number: 0x800ccc1a", "not-tls"},
		{"(80090325)", "cert-untrusted"},
		{"hr=0X80090322", "cert-name-mismatch"},
		{"0x800b010f", "cert-name-mismatch"},
	};
	struct explain_hit h[4];

	(void)state;
	for (size_t i = 0; i < sizeof w / sizeof w[0]; i++) {
		const char *got = first_verdict(w[i].text);

		if (strcmp(got, w[i].verdict) != 0)
			fail_msg("\"%s\": first verdict %s, want %s", w[i].text,
			    got, w[i].verdict);
	}
	/* Still a whole code: no match inside a longer number or word. */
	assert_int_equal(explain_match("id 1800CCC0E7", h, 4), 0);
	assert_int_equal(explain_match("0x800CCC0EF", h, 4), 0);
	assert_int_equal(explain_match("x800CCC0E", h, 4), 0);
}

/* Mail servers' lines are read from the server's side. */
static void
test_server_view(void **state)
{
	static const struct {
		const char *text;
		const char *title;
	} w[] = {
		{"dovecot: imap-login: TLS handshaking: SSL_accept() failed: "
		    "error:0A0000C1:SSL routines::no shared cipher",
		    "no shared cipher (server's log)"},
		{"postfix/smtps/smtpd[9341]: warning: TLS library problem: "
		    "error:0A00010B:SSL routines::wrong version number",
		    "client spoke plaintext on a TLS port (server's log)"},
		{"TLS error on connection from [192.0.2.7] (SSL_accept): "
		    "error:0A00010B:SSL routines::wrong version number",
		    "client spoke plaintext on a TLS port (server's log)"},
		{"imap-login: Aborted login (tried to use disallowed plaintext "
		    "auth): user=<>, rip=192.0.2.7",
		    "login in clear refused (server's log)"},
		{"dovecot: pop3-login: ... TLS handshaking: SSL_accept() syscall "
		    "failed: Connection reset by peer",
		    "client hung up during the handshake (server's log)"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof w / sizeof w[0]; i++) {
		const struct explain_entry *e = first_entry(w[i].text);

		if (strcmp(e->title, w[i].title) != 0)
			fail_msg("\"%s\": first \"%s\", want \"%s\"",
			    w[i].text, e->title, w[i].title);
		/* Their advice looks at what the client sent. */
		assert_non_null(strstr(e->look[0], "client"));
	}
	/* The same words in a client's log: the client's view. */
	assert_string_equal(first_entry("ssl.SSLError: [SSL: "
	    "WRONG_VERSION_NUMBER] wrong version number")->title,
	    "not TLS where TLS was expected");
}

/* A generic phrase inside a precise one never comes first. */
static void
test_generic_does_not_shadow(void **state)
{
	struct explain_hit h[8];
	size_t n;

	(void)state;
	n = explain_match("status=deferred (Cannot start TLS: handshake "
	    "failure)", h, 8);
	assert_int_equal(n, 1);
	assert_string_equal(h[0].phrase->text,
	    "Cannot start TLS: handshake failure");

	n = explain_match("Error code: SSL_ERROR_HANDSHAKE_FAILURE_ALERT", h, 8);
	assert_int_equal(n, 1);
	assert_string_equal(h[0].phrase->text,
	    "SSL_ERROR_HANDSHAKE_FAILURE_ALERT");

	/* Cyrus's words hold the clients' "TLS negotiation failed". */
	n = explain_match("imaps TLS negotiation failed: client [192.0.2.7]", h,
	    8);
	assert_int_equal(n, 1);
	assert_string_equal(h[0].entry->title,
	    "TLS negotiation failed (Cyrus's log)");

	/* An alert number from Windows, before the unnamed-alert entry. */
	n = explain_match("A fatal alert was received from the remote "
	    "endpoint. The TLS protocol defined fatal alert code is 48.", h, 8);
	assert_int_equal(n, 2);
	assert_string_equal(h[0].entry->title, "alert unknown_ca received");
	assert_string_equal(h[1].entry->title, "fatal alert, not named");

	/* A refused connect in Outlook's words: the socket error first. */
	n = explain_match("Socket Error: 10061, Error Number: 0x800CCC0E", h, 8);
	assert_int_equal(n, 2);
	assert_string_equal(h[0].entry->verdicts[0].id, "tcp-refused");
}

/* doc/explain.md lists every phrase and every check of the table. */
static void
test_doc_lists_table(void **state)
{
	const char *top = getenv("top_srcdir");
	char path[1024], *doc;
	size_t n, len;
	long size;
	FILE *f;
	const struct explain_entry *const *t = explain_table(&n);

	(void)state;
	if (top == NULL)
		top = ".";
	snprintf(path, sizeof path, "%s/doc/explain.md", top);
	f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("cannot open %s", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	assert_true(size > 0);
	rewind(f);
	doc = malloc((size_t)size + 1);
	assert_non_null(doc);
	len = fread(doc, 1, (size_t)size, f);
	doc[len] = '\0';
	fclose(f);
	for (size_t e = 0; e < n; e++) {
		char want[512];

		snprintf(want, sizeof want, "| %s |", t[e]->title);
		if (strstr(doc, want) == NULL)
			fail_msg("doc/explain.md lacks the entry %s", want);
		snprintf(want, sizeof want, "`%s`", t[e]->check.cmd);
		if (strstr(doc, want) == NULL)
			fail_msg("doc/explain.md lacks the check %s", want);
		for (size_t k = 0; k < EXPLAIN_PHRASES_MAX &&
		    t[e]->phrases[k].text != NULL; k++) {
			snprintf(want, sizeof want, "`%s`",
			    t[e]->phrases[k].text);
			if (strstr(doc, want) == NULL)
				fail_msg("doc/explain.md lacks the phrase %s",
				    want);
		}
	}
	free(doc);
}

/* Folds a phrase the way the matcher does, to find duplicates. */
static void
fold(const char *s, char *out, size_t outsz)
{
	size_t o = 0;
	bool sep = false;

	for (; *s != '\0' && o + 2 < outsz; s++) {
		unsigned char c = (unsigned char)*s;

		if (c <= ' ' || c == '_' || c == '-') {
			sep = o > 0;
			continue;
		}
		if (sep)
			out[o++] = ' ';
		sep = false;
		out[o++] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
	}
	out[o] = '\0';
}

static void
test_table(void **state)
{
	size_t n, nphr = 0;
	const struct explain_entry *const *t = explain_table(&n);
	static char seen[512][EXPLAIN_PHRASE_MAX + 2];

	(void)state;
	assert_true(n >= 40);
	for (size_t e = 0; e < n; e++) {
		const struct explain_entry *ent = t[e];
		size_t k, v, l;

		assert_non_null(ent->title);
		assert_printable(ent->title);
		assert_printable(ent->meaning);
		assert_printable(ent->run);
		assert_int_equal(strncmp(ent->run, "tlsautopsy -r ", 14), 0);
		for (size_t f = 0; f < e; f++)
			assert_string_not_equal(t[f]->title, ent->title);
		/* One check without a capture: an openssl s_client line that
		 * ends its session by itself. */
		assert_printable(ent->check.cmd);
		assert_printable(ent->check.shows);
		assert_int_equal(strncmp(ent->check.cmd, "openssl s_client ", 17),
		    0);
		assert_non_null(strstr(ent->check.cmd, " -connect "));
		assert_non_null(strstr(ent->check.cmd, " -servername "));
		assert_non_null(strstr(ent->check.cmd, " </dev/null"));
		assert_true(strlen(ent->check.shows) > 20);
		for (v = 0; v < EXPLAIN_VERDICTS_MAX && ent->verdicts[v].id; v++) {
			if (!known_verdict(ent->verdicts[v].id))
				fail_msg("%s: unknown verdict %s", ent->title,
				    ent->verdicts[v].id);
			assert_printable(ent->verdicts[v].why);
			assert_true(strlen(ent->verdicts[v].why) > 10);
			for (size_t w = 0; w < v; w++)
				assert_string_not_equal(ent->verdicts[w].id,
				    ent->verdicts[v].id);
		}
		assert_true(v >= 1);
		for (l = 0; l < EXPLAIN_LOOK_MAX && ent->look[l] != NULL; l++) {
			assert_printable(ent->look[l]);
			assert_true(strlen(ent->look[l]) > 10);
		}
		assert_true(l >= 1);
		for (k = 0; k < EXPLAIN_PHRASES_MAX && ent->phrases[k].text;
		    k++) {
			const char *p = ent->phrases[k].text;

			assert_true(strlen(p) <= EXPLAIN_PHRASE_MAX);
			assert_non_null(ent->phrases[k].stack);
			assert_printable(p);
			assert_printable(ent->phrases[k].stack);
			assert_true(strncmp(p, "...", 3) != 0);
			/* No two phrases are the same once folded. */
			assert_true(nphr < sizeof seen / sizeof seen[0]);
			fold(p, seen[nphr], sizeof seen[nphr]);
			for (size_t j = 0; j < nphr; j++) {
				if (strcmp(seen[j], seen[nphr]) == 0)
					fail_msg("phrase \"%s\" twice", p);
			}
			nphr++;
		}
		assert_true(k >= 1);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_required_phrases),
		cmocka_unit_test(test_local_issuer_order),
		cmocka_unit_test(test_real_lines),
		cmocka_unit_test(test_specific_before_generic),
		cmocka_unit_test(test_contained_match_dropped),
		cmocka_unit_test(test_normalisation),
		cmocka_unit_test(test_word_boundaries),
		cmocka_unit_test(test_no_match),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_long_input),
		cmocka_unit_test(test_hostile_bytes),
		cmocka_unit_test(test_print_format),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_every_phrase_first),
		cmocka_unit_test(test_hex_codes),
		cmocka_unit_test(test_server_view),
		cmocka_unit_test(test_generic_does_not_shadow),
		cmocka_unit_test(test_doc_lists_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
