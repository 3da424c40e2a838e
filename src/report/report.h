/*
 * report.h: what people and tools read. Text (default): one block per
 * connection and a summary. JSON lines (--json): one object per connection
 * on stdout, field names fixed by the project's contract (doc/json.md), and
 * a last line with the run summary; the text summary then goes to stderr,
 * so stdout stays JSON. CSV (--csv): a header and one row per connection
 * on stdout (doc/csv.md), the text summary on stderr.
 * Reports render facts; they never look at packets.
 */
#ifndef REPORT_H
#define REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "analyzer.h"
#include "capture/capture.h"
#include "diag/diag.h"
#include "report/select.h"

/* Reports shown in full on a terminal before the one-line form takes
 * over: more than this many (after grouping) do not fit a screen, nor
 * several whose lines would not fit the terminal's height. */
#define REPORT_HANDFUL 5
#include "tls/tls_names.h"

struct report_opts {
	bool json;
	bool csv;        /* --csv: one row per connection (not with json) */
	bool csv_header_done; /* --each: an earlier file wrote the header */
	bool all;        /* -a: healthy connections too */
	unsigned verbose;
	bool quiet;      /* -q: only the summary */
	bool color;
	bool ladder;     /* --ladder: the timeline drawn as a ladder (also -v) */
	bool full;       /* --full or -v: full reports even when many */
	bool compact;    /* --compact: one line per report, however few */
	bool terminal;   /* stdout is a terminal: one line each when many */
	unsigned width;  /* text folded at this width; 0: not folded */
	unsigned rows;   /* the terminal's height: more than one report that
	                  * would not fit it goes one line each */
	struct report_select sel; /* --only, --conn */
};

struct report_counts {
	uint64_t conns;
	uint64_t shown;
	uint64_t problems;  /* severity warning or error */
	uint64_t ok_with_findings; /* verdict ok, severity warning */
	uint64_t errors, warnings;
	uint64_t by_end[6]; /* enum tcp_end */
	uint64_t by_verdict[DIAG_VERDICT_COUNT];
};

struct report;

struct report *report_new(FILE *out, FILE *err, const struct report_opts *o);
/* File names for frame references (set once the capture is open). */
void report_set_capture(struct report *r, const struct capture *cap);
/* Returns NULL when the connection is healthy, else its verdict's id. */
const char *report_conn(struct report *r, const struct conn_facts *f);
void report_summary(struct report *r, const struct analyzer_stats *st,
                    const struct cap_stats *cs);
/* --html FILE: the page is written as well (doc/html.md): its cards as
 * connections are reported, whatever -q and --json do to stdout; the
 * whole by report_finish_html() when the run ends. false, with a reason,
 * when the file cannot be created or written. */
bool report_open_html(struct report *r, const char *path, unsigned max_cards,
                      char *err, size_t errlen);
bool report_finish_html(struct report *r, const struct analyzer_stats *st,
                        const struct cap_stats *cs, char *err, size_t errlen);
/* --summary-json FILE: the summary line is written to FILE too (doc/json.md),
 * with or without --json. Opened (created or truncated) at once, so that a
 * path that cannot be written fails before the capture is read; written by
 * report_summary(), closed by report_close_summary_json(), which says
 * whether all of it reached the file. false, with a reason, on failure;
 * true when there is no such file. */
bool report_open_summary_json(struct report *r, const char *path, char *err,
                              size_t errlen);
bool report_close_summary_json(struct report *r, char *err, size_t errlen);
const struct report_counts *report_get_counts(const struct report *r);
void report_free(struct report *r);

/* The two renderers (report_text.c, report_json.c). */
void report_text_conn(FILE *out, const struct report_opts *o,
                      const struct capture *cap, const struct conn_facts *f,
                      const struct diag_result *d);
/* The same connection in one line (no '\n'): severity, verdict, time,
 * client -> server, SNI, the summary sentence. */
void report_text_line(FILE *out, const struct report_opts *o,
                      const struct conn_facts *f, const struct diag_result *d);
/* How TCP ended, in words: "closed with FIN", "reset (RST)", ... */
const char *report_text_end_words(enum tcp_end e);
struct server_summary;
void report_text_summary(FILE *out, const struct report_opts *o,
                         const struct report_counts *rc,
                         const struct server_summary *servers,
                         const struct analyzer_stats *st,
                         const struct cap_stats *cs);
struct json;
void report_json_conn(struct json *j, const struct capture *cap,
                      const struct conn_facts *f,
                      const struct diag_result *d);
void report_json_tls(struct json *j, const struct capture *cap,
                     const struct conn_facts *f);
/* --csv (report_csv.c): the header row, and one row per connection. */
void report_csv_header(FILE *out);
void report_csv_conn(FILE *out, const struct capture *cap,
                     const struct conn_facts *f,
                     const struct diag_result *d);
/* The suite a ServerHello chose, as server_hello.cipher_id and cipher_name
 * have it: either may be NULL (SSL 2.0 leaves it to the client; an id
 * without a registry name). hex holds the id. */
void report_tls_cipher(const struct tls_server_hello *sh,
                       char hex[TLS_NAMES_HEX_LEN], const char **id,
                       const char **name);
/* The run summary line (report_json_summary.c): counts, what was watched,
 * the unwatched ports, probes, the per-server table. */
void report_json_summary(struct json *j, const struct capture *cap,
                         const struct report_counts *rc,
                         const struct server_summary *servers,
                         const struct analyzer_stats *st,
                         const struct cap_stats *cs);
/* With several input files, a frame in another file than the connection's
 * first names its file in key (nothing otherwise: "file" says it). */
void report_json_frame_file(struct json *j, const char *key,
                            const struct capture *cap, const struct conn *c,
                            ta_frame f);
void report_json_starttls(struct json *j, const struct conn_facts *f);

/* The interface a connection was seen on is worth naming when its file has
 * described several interfaces by the time it is reported (a pcapng
 * file), or when its frames came on several: true then, with *name its
 * if_name or NULL. */
bool report_iface(const struct capture *cap, const struct conn *c,
                  const char **name);

/*
 * The name a report gives the server: the ClientHello's SNI, else the name
 * the leaf certificate is for (its first dNSName SAN, else its CN) when the
 * chain was visible. Returns where it came from, "sni" or "certificate",
 * with *name and *len the raw bytes (valid while f is); NULL when neither.
 */
const char *report_server_name(const struct conn_facts *f,
                               const uint8_t **name, size_t *len);

#endif
