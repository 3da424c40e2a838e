/* test_explain.c: error lines to likely verdicts (RFC 8446 6.2 alerts, RFC 9051 6.2.1 STARTTLS). */
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

struct want {
	const char *text;
	const char *verdict;
};

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

/* Whole lines as the stacks print them. */
static void
test_real_lines(void **state)
{
	static const struct want w[] = {
		{"error:0A00010B:SSL routines::wrong version number", "not-tls"},
		{"ssl.SSLError: [SSL: WRONG_VERSION_NUMBER] wrong version number "
		    "(_ssl.c:1006)", "not-tls"},
		{"write EPROTO 4020A6B0:error:0A00010B:SSL routines:"
		    "ssl3_get_record:wrong version number", "not-tls"},
		{"Error: ERR_SSL_WRONG_VERSION_NUMBER", "not-tls"},
		{"tls: first record does not look like a TLS handshake", "not-tls"},
		{"javax.net.ssl.SSLException: Unsupported or unrecognized SSL "
		    "message", "not-tls"},
		{"remote error: tls: protocol version", "tls-version-mismatch"},
		{"javax.net.ssl.SSLHandshakeException: Received fatal alert: "
		    "protocol_version", "tls-version-mismatch"},
		{"ssl.SSLError: [SSL: TLSV1_ALERT_PROTOCOL_VERSION] tlsv1 alert "
		    "protocol version (_ssl.c:1006)", "tls-version-mismatch"},
		{"[SSL: UNSUPPORTED_PROTOCOL] unsupported protocol",
		    "tls-version-mismatch"},
		{"javax.net.ssl.SSLHandshakeException: No appropriate protocol "
		    "(protocol is disabled or cipher suites are inappropriate)",
		    "closed-during-handshake"},
		{"error:0A000071:SSL routines::no protocols available",
		    "closed-during-handshake"},
		{"The client and server cannot communicate, because they do not "
		    "possess a common algorithm.", "tls-version-mismatch"},
		{"[SSL: SSLV3_ALERT_HANDSHAKE_FAILURE] sslv3 alert handshake "
		    "failure (_ssl.c:1006)", "no-shared-cipher"},
		{"remote error: tls: handshake failure", "no-shared-cipher"},
		{"Received fatal alert: handshake_failure", "no-shared-cipher"},
		{"x509: certificate signed by unknown authority",
		    "cert-chain-incomplete"},
		{"PKIX path building failed: sun.security.provider.certpath."
		    "SunCertPathBuilderException: unable to find valid "
		    "certification path to requested target",
		    "cert-chain-incomplete"},
		{"Error: unable to verify the first certificate",
		    "cert-chain-incomplete"},
		{"UNABLE_TO_VERIFY_LEAF_SIGNATURE", "cert-chain-incomplete"},
		{"self-signed certificate in certificate chain",
		    "interception-untrusted"},
		{"SELF_SIGNED_CERT_IN_CHAIN", "interception-untrusted"},
		{"self signed certificate", "cert-self-signed"},
		{"DEPTH_ZERO_SELF_SIGNED_CERT", "cert-self-signed"},
		{"x509: certificate has expired or is not yet valid: current time "
		    "2026-11-20T14:03:22Z is after 2026-10-01T00:00:00Z",
		    "cert-expired"},
		{"CERT_HAS_EXPIRED", "cert-expired"},
		{"certificate is not yet valid", "cert-expired"},
		{"tls: failed to verify certificate: x509: certificate is valid "
		    "for mail.example.com, webmail.example.com, not "
		    "imap.example.org", "cert-name-mismatch"},
		{"No subject alternative DNS name matching imap.example.org "
		    "found.", "cert-name-mismatch"},
		{"The remote certificate is invalid according to the validation "
		    "procedure: RemoteCertificateNameMismatch",
		    "cert-name-mismatch"},
		{"ERR_TLS_CERT_ALTNAME_INVALID", "cert-name-mismatch"},
		{"[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: "
		    "Hostname mismatch, certificate is not valid for "
		    "'imap.example.org'. (_ssl.c:1006)", "cert-name-mismatch"},
		{"RemoteCertificateChainErrors", "cert-chain-incomplete"},
		{"curl: (60) SSL certificate problem: certificate has expired",
		    "cert-expired"},
		{"tlsv1 alert unknown ca", "cert-chain-incomplete"},
		{"tlsv1 alert decode error", "tls-alert"},
		{"dh key too small", "tls-alert"},
		{"legacy sigalg disallowed or unsupported", "tls-alert"},
		{"unsafe legacy renegotiation disabled", "tls-alert"},
		{"Server does not support STARTTLS", "starttls-not-offered"},
		{"The IMAP server does not support the STARTTLS extension.",
		    "starttls-not-offered"},
		{"STARTTLS failed", "starttls-refused"},
		{"* BAD [CLIENTBUG] STARTTLS after login", "starttls-refused"},
		{"Unable to negotiate TLS", "tls-version-mismatch"},
		{"net/http: TLS handshake timeout", "handshake-timeout"},
		{"socket.timeout: _ssl.c:1112: The handshake operation timed out",
		    "handshake-timeout"},
		{"read tcp 10.0.0.5:51234->203.0.113.10:993: i/o timeout",
		    "handshake-timeout"},
		{"dial tcp 203.0.113.10:993: i/o timeout", "tcp-no-answer"},
		{"dial tcp 203.0.113.10:993: connect: connection refused",
		    "tcp-refused"},
		{"ETIMEDOUT", "handshake-timeout"},
		{"ConnectionResetError: [Errno 104] Connection reset by peer",
		    "tcp-reset"},
		{"java.net.SocketException: Connection reset", "tcp-reset"},
		{"Error: read ECONNRESET", "tcp-reset"},
		{"An existing connection was forcibly closed by the remote host.",
		    "tcp-reset"},
		{"curl: (56) Recv failure: Connection reset by peer", "tcp-reset"},
		{"Authentication failed because the remote party has closed the "
		    "transport stream.", "closed-during-handshake"},
		{"Client network socket disconnected before secure TLS "
		    "connection was established", "closed-during-handshake"},
		{"[SSL: UNEXPECTED_EOF_WHILE_READING] EOF occurred in violation "
		    "of protocol (_ssl.c:1006)", "closed-during-handshake"},
		{"Remote host terminated the handshake", "closed-during-handshake"},
		{"EOF", "closed-during-handshake"},
		{"curl: (35) OpenSSL SSL_connect: SSL_ERROR_SYSCALL in "
		    "connection to imap.example.org:993", "closed-during-handshake"},
		{"curl: (35) error:0A000410:SSL routines::sslv3 alert handshake "
		    "failure", "no-shared-cipher"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof w / sizeof w[0]; i++) {
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
	assert_int_equal(n, 2);
	assert_string_equal(h[0].entry->verdicts[0].id, "tls-version-mismatch");
	assert_string_equal(h[1].entry->verdicts[0].id,
	    "closed-during-handshake");
	assert_string_equal(h[1].entry->title, "TLS failed (server's log)");

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
	assert_true(n >= 20);
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
			struct explain_hit h[8];
			size_t nh;
			bool own = false;

			assert_true(strlen(p) <= EXPLAIN_PHRASE_MAX);
			assert_non_null(ent->phrases[k].stack);
			assert_printable(p);
			assert_printable(ent->phrases[k].stack);
			assert_true(strncmp(p, "...", 3) != 0);
			/* Each phrase, alone, finds its own entry. */
			nh = explain_match(p, h, 8);
			for (size_t i = 0; i < nh; i++)
				own = own || h[i].entry == ent;
			if (!own)
				fail_msg("phrase \"%s\" does not find its entry", p);
			/* And no two phrases are the same once folded. */
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
		cmocka_unit_test(test_doc_lists_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
