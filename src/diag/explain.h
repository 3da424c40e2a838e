/*
 * explain.h: from an error line in a client's or server's log (OpenSSL,
 * NSS in Thunderbird, Windows SChannel in Outlook and .NET, Go crypto/tls,
 * Java JSSE, Python ssl, Node tls, curl, GnuTLS, IMAP tools, and the logs
 * of Dovecot, Postfix, Exim and Cyrus) to the verdicts tlsautopsy is likely
 * to give for that connection, what to look for in a capture, and one
 * openssl s_client check that needs no capture. The alerts named in the
 * phrases are those of RFC 8446 6.2 / RFC 5246 7.2; the IMAP ones come
 * from RFC 9051 6.2.1 (STARTTLS).
 *
 * The knowledge is const data: entries defined by family in
 * explain_table_*.c, put in matching order, from the most specific entry
 * to the most generic, by one list in explain_table.c. Nothing is
 * allocated and nothing is global but that data. The caller's text is
 * never printed back: only table strings reach the output, so hostile
 * bytes in the text cannot.
 */
#ifndef EXPLAIN_H
#define EXPLAIN_H

#include <stddef.h>
#include <stdio.h>

/* Bytes of the caller's text that are read at most: a log line is short,
 * and this bounds the work whatever the caller pastes. */
#define EXPLAIN_TEXT_MAX 16384u
/* Longest table phrase, normalised. */
#define EXPLAIN_PHRASE_MAX 96u
/* What "..." in a table phrase may skip in the text, in bytes. */
#define EXPLAIN_GAP_MAX 256u

#define EXPLAIN_PHRASES_MAX 24
#define EXPLAIN_VERDICTS_MAX 5
#define EXPLAIN_LOOK_MAX 4
/* Entries explain_print shows for one text. */
#define EXPLAIN_SHOW_MAX 3

/*
 * A phrase matches when it occurs in the text as a substring, after both
 * are normalised: ASCII letters folded to lower case, and every run of
 * whitespace, control characters, '_' and '-' made one space, so that
 * "SSLV3_ALERT_HANDSHAKE_FAILURE" matches "sslv3 alert handshake failure".
 * A phrase that starts or ends with a letter or digit must do so on a
 * word boundary ("EOF" does not match "geofence"). "..." in a phrase
 * skips up to EXPLAIN_GAP_MAX bytes of the text. A phrase that is a hex
 * code ("0x800CCC0E") also matches without its "0x": people quote Windows
 * and Outlook codes both ways.
 */
struct explain_phrase {
	const char *text;
	const char *stack;     /* who prints it: "OpenSSL", "Go crypto/tls" */
};

struct explain_verdict {
	const char *id;        /* a verdict id of the design contract */
	const char *why;       /* what it means for this error, one sentence */
};

/* A check from the admin's machine, without a capture. */
struct explain_check {
	/* One openssl s_client command line, for imap.example.com on 993
	 * (or the STARTTLS port it names); explain_print says how to adapt
	 * the name and port. */
	const char *cmd;
	const char *shows;     /* how to read its answer, one sentence */
};

struct explain_entry {
	const char *title;     /* a few words, for the list of known phrases */
	const char *meaning;   /* what the program that logged it ran into */
	/* Terminated by a NULL text or by the end of the array. */
	struct explain_phrase phrases[EXPLAIN_PHRASES_MAX];
	/* Most likely first; terminated like phrases. */
	struct explain_verdict verdicts[EXPLAIN_VERDICTS_MAX];
	/* What to look for in a capture; terminated like phrases. */
	const char *look[EXPLAIN_LOOK_MAX];
	struct explain_check check;
	const char *run;       /* the tlsautopsy command line to run */
};

struct explain_hit {
	const struct explain_entry *entry;
	const struct explain_phrase *phrase;   /* the phrase that matched */
	/* Where it matched, as offsets into the normalised text. */
	size_t start;
	size_t end;
};

/* The entries in matching order; *n receives how many. */
const struct explain_entry *const *explain_table(size_t *n);

/*
 * Fills out[] with at most max hits, in table order (the most specific
 * entry first), and returns how many. Each entry is reported at most once,
 * with its longest matching phrase; an entry whose only matches lie inside
 * the match of an earlier entry is left out ("unexpected eof while
 * reading" does not also report Go's bare "EOF"). Reads at most
 * EXPLAIN_TEXT_MAX bytes of text; a NULL text matches nothing.
 */
size_t explain_match(const char *text, struct explain_hit *out, size_t max);

/*
 * Prints, for a person, what text means: per matched entry the table's
 * phrase, the likely verdicts in order, what to look for in a capture, the
 * check without a capture and the command to run; returns 0. The text
 * "list" (any case, any spaces around it) prints every phrase known and
 * returns 0. When nothing matches (or the text is empty), prints a short
 * answer of two lines and returns 1.
 */
int explain_print(FILE *out, const char *text);

#endif
