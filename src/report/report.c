/* report.c: dispatch to the text, JSON or CSV renderer (and the HTML
 * page), and count. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "report/html.h"
#include "report/json.h"
#include "report/report.h"
#include "report/server_summary.h"

/* A connection's JSON line never grows past this (hostile certificate
 * chains included); the writer keeps the line valid if it would. */
#define TA_CAP_JSON_LINE (1024u * 1024u)
/* The summary line: every watched port and up to SERVER_SUMMARY_MAX
 * servers with their SNI stay far below it. */
#define TA_CAP_SUMMARY_LINE (16u * 1024u * 1024u)

struct report {
	FILE *out, *err;
	struct report_opts o;
	const struct capture *cap;
	struct json json;
	struct report_counts counts;
	struct server_summary *servers;
	struct html *html;       /* --html, or NULL */
	FILE *summary_json;      /* --summary-json, or NULL */
	char *summary_path;
	int summary_errno;       /* why a write to it failed, or 0 */
	bool csv_header;         /* --csv: the header row is written */
	struct diag_result diag; /* large: kept here, not on the stack */
};

struct report *
report_new(FILE *out, FILE *err, const struct report_opts *o)
{
	struct report *r = calloc(1, sizeof *r);

	if (r == NULL)
		return NULL;
	r->out = out;
	r->err = err;
	r->o = *o;
	json_init(&r->json, TA_CAP_JSON_LINE);
	r->servers = server_summary_new();
	if (r->servers == NULL) {
		free(r);
		return NULL;
	}
	return r;
}

bool
report_iface(const struct capture *cap, const struct conn *c,
              const char **name)
{
	*name = NULL;
	if (cap == NULL ||
	    (!c->iface_mixed &&
	     !capture_several_ifaces(cap, TA_FRAME_FILE(c->first_frame))))
		return false;
	*name = capture_iface_name(cap, TA_FRAME_FILE(c->first_frame),
	                           c->iface);
	return true;
}

const char *
report_server_name(const struct conn_facts *f, const uint8_t **name,
                   size_t *len)
{
	const struct tls_client_hello *ch;
	const struct cert_desc *leaf;

	if (f->tls != NULL && f->tls->client_hello_seen) {
		ch = &f->tls->client_hello;
		if (ch->has_sni && ch->sni_len > 0) {
			*name = ch->sni;
			*len = ch->sni_len < TLS_HS_SNI_MAX ? ch->sni_len
			                                    : TLS_HS_SNI_MAX;
			return "sni";
		}
	}
	if (f->cert != NULL && f->cert->visible && f->cert->chain != NULL &&
	    f->cert->chain->nchain > 0) {
		leaf = &f->cert->chain->chain[0];
		if (leaf->parsed && leaf->dns_name[0] != '\0') {
			*name = (const uint8_t *)leaf->dns_name;
			*len = strlen(leaf->dns_name);
			return "certificate";
		}
	}
	*name = NULL;
	*len = 0;
	return NULL;
}

void
report_set_capture(struct report *r, const struct capture *cap)
{
	r->cap = cap;
	if (r->html != NULL)
		html_set_capture(r->html, cap);
}

bool
report_open_html(struct report *r, const char *path, unsigned max_cards,
                 char *err, size_t errlen)
{
	struct html_opts o = {.max_cards = max_cards, .all = r->o.all};

	r->html = html_open(path, &o, err, errlen);
	if (r->html != NULL && r->cap != NULL)
		html_set_capture(r->html, r->cap);
	return r->html != NULL;
}

bool
report_finish_html(struct report *r, const struct analyzer_stats *st,
                   const struct cap_stats *cs, char *err, size_t errlen)
{
	return r->html == NULL ||
	       html_finish(r->html, &r->counts, r->servers, st, cs, err, errlen);
}

bool
report_open_summary_json(struct report *r, const char *path, char *err,
                         size_t errlen)
{
	r->summary_path = strdup(path);
	if (r->summary_path == NULL) {
		snprintf(err, errlen, "--summary-json %s: out of memory", path);
		return false;
	}
	r->summary_json = fopen(path, "w");
	if (r->summary_json == NULL) {
		snprintf(err, errlen, "--summary-json %s: %s", path,
		         strerror(errno));
		return false;
	}
	return true;
}

bool
report_close_summary_json(struct report *r, char *err, size_t errlen)
{
	int e = r->summary_errno;

	if (r->summary_json == NULL)
		return true;
	if (e == 0 && ferror(r->summary_json))
		e = EIO;
	errno = 0;
	if (fclose(r->summary_json) != 0 && e == 0)
		e = errno != 0 ? errno : EIO;
	r->summary_json = NULL;
	if (e != 0)
		snprintf(err, errlen, "--summary-json %s: %s", r->summary_path,
		         strerror(e));
	return e == 0;
}

/* First on stdout, rows or none: written with the first row, or at the
 * end of a run that had none. */
static void
csv_header(struct report *r)
{
	if (r->csv_header)
		return;
	report_csv_header(r->out);
	r->csv_header = true;
}

bool
report_conn(struct report *r, const struct conn_facts *f)
{
	struct diag_result *d = &r->diag;
	bool problem;

	/* Most connections are healthy and, without -a, nobody reads their
	 * evidence: decide without writing any text first. */
	diag_decide_verdict(f, d);
	problem = d->severity != DIAG_SEV_OK;
	r->counts.conns++;
	if (f->tcp.end < TA_ELEMENTS(r->counts.by_end))
		r->counts.by_end[f->tcp.end]++;
	if ((unsigned)d->verdict < DIAG_VERDICT_COUNT)
		r->counts.by_verdict[d->verdict]++;
	if (problem)
		r->counts.problems++;
	if (d->severity == DIAG_SEV_ERROR)
		r->counts.errors++;
	else if (d->severity == DIAG_SEV_WARNING)
		r->counts.warnings++;
	server_summary_add(r->servers, f, d);
	if (r->html != NULL)
		html_tally(r->html, d);
	if (!problem && !r->o.all)
		goto out;
	if (r->o.quiet && r->html == NULL)
		goto out;
	diag_decide(f, d);
	if (r->html != NULL)
		html_conn(r->html, f, d);
	if (r->o.quiet)
		goto out;
	r->counts.shown++;
	if (r->o.csv) {
		csv_header(r);
		report_csv_conn(r->out, r->cap, f, d);
	} else if (r->o.json) {
		json_begin(&r->json);
		report_json_conn(&r->json, r->cap, f, d);
		fputs(json_end(&r->json), r->out);
		fputc('\n', r->out);
	} else {
		report_text_conn(r->out, &r->o, r->cap, f, d);
	}
out:
	/* Live runs: each verdict must reach a pipe as it happens. */
	if (r->cap != NULL && capture_is_live(r->cap))
		fflush(r->out);
	return problem;
}

/* The summary line, last on stdout with --json, and in --summary-json. */
static void
summary_line(struct report *r, const struct analyzer_stats *st,
             const struct cap_stats *cs)
{
	struct json j;
	const char *line;

	if (!r->o.json && r->summary_json == NULL)
		return;
	json_init(&j, TA_CAP_SUMMARY_LINE);
	json_begin(&j);
	report_json_summary(&j, r->cap, &r->counts, r->servers, st, cs);
	line = json_end(&j);
	if (r->o.json) {
		fputs(line, r->out);
		fputc('\n', r->out);
		fflush(r->out);
	}
	errno = 0;
	if (r->summary_json != NULL &&
	    (fputs(line, r->summary_json) == EOF ||
	     fputc('\n', r->summary_json) == EOF) && r->summary_errno == 0)
		r->summary_errno = errno != 0 ? errno : EIO;
	json_free(&j);
}

void
report_summary(struct report *r, const struct analyzer_stats *st,
               const struct cap_stats *cs)
{
	/* With --json or --csv, stdout carries JSON lines or CSV rows
	 * only: the text summary goes to stderr, for a person watching the
	 * run. */
	FILE *dst = r->o.json || r->o.csv ? r->err : r->out;
	char *buf = NULL;
	size_t len = 0;
	FILE *mem;

	if (r->o.csv) {
		csv_header(r);
		fflush(r->out);
	}
	/*
	 * Built in memory and written in one go: stderr is unbuffered, and
	 * the server table alone is thousands of small writes.
	 */
	mem = open_memstream(&buf, &len);
	if (mem == NULL) {
		report_text_summary(dst, &r->o, &r->counts, r->servers, st, cs);
	} else {
		report_text_summary(mem, &r->o, &r->counts, r->servers, st, cs);
		if (fclose(mem) == 0 && buf != NULL)
			fwrite(buf, 1, len, dst);
		else
			report_text_summary(dst, &r->o, &r->counts, r->servers,
			                    st, cs);
		free(buf);
	}
	summary_line(r, st, cs);
}

const struct report_counts *
report_get_counts(const struct report *r)
{
	return &r->counts;
}

void
report_free(struct report *r)
{
	if (r == NULL)
		return;
	json_free(&r->json);
	html_free(r->html);
	if (r->summary_json != NULL)
		fclose(r->summary_json);
	free(r->summary_path);
	server_summary_free(r->servers);
	free(r);
}
