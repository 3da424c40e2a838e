/* report.c: dispatch to the text, JSON or CSV renderer (and the HTML
 * page), and count. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "report/html.h"
#include "report/json.h"
#include "report/report.h"
#include "report/server_summary.h"
#include "report/text_groups.h"
#include "service.h"
#include "util/fmt.h"
#include "util/wrap.h"

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
	struct text_groups *groups; /* text offline: reports held till the end */
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
	r->csv_header = o->csv_header_done;
	json_init(&r->json, TA_CAP_JSON_LINE);
	r->servers = server_summary_new();
	/* Text reports are grouped; JSON lines are one per connection. */
	if (!o->json && !o->csv)
		r->groups = text_groups_new();
	if (r->servers == NULL || (!o->json && !o->csv && r->groups == NULL)) {
		server_summary_free(r->servers);
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

/* What makes two reports say the same: the server, the verdict, the
 * findings, how TCP ended and by whom, and the sentences a person reads
 * (never frames, times or the client's port). */
static void
group_key(FILE *k, const struct conn_facts *f, const struct diag_result *d)
{
	const struct conn *c = f->conn;
	char ip[FMT_ADDR_LEN];

	fmt_addr(ip, sizeof ip, &c->saddr);
	fprintf(k, "%s\x1f%u\x1f%s\x1f%d\x1f%d\x1f%u\x1f%d\x1f%d\x1f%d\x1f%s"
	           "\x1f%s",
	        ip, (unsigned)c->sport, service_name(c->svc), (int)d->verdict,
	        (int)d->severity, (unsigned)d->findings, (int)f->tcp.end,
	        (int)f->tcp.end_by, (int)d->inferred, d->summary, d->advice);
	for (unsigned i = 0; i < d->ncauses && i < DIAG_MAX_CAUSES; i++)
		fprintf(k, "\x1f%s", d->causes[i]);
}

/* "17", or "other.pcap frame 17" when several files are read. */
static void
frame_ref(char *buf, size_t len, const struct capture *cap, ta_frame fr)
{
	if (cap != NULL && capture_nfiles(cap) > 1)
		snprintf(buf, len, "%s frame %llu",
		         capture_file_name(cap, TA_FRAME_FILE(fr)),
		         (unsigned long long)TA_FRAME_NO(fr));
	else
		snprintf(buf, len, "%llu", (unsigned long long)TA_FRAME_NO(fr));
}

static bool
compact_now(const struct report *r)
{
	if (r->o.full)
		return false;
	if (r->o.compact)
		return true;
	return r->o.terminal && !select_active(&r->o.sel) &&
	       (text_groups_reports(r->groups) > REPORT_HANDFUL ||
	        (text_groups_reports(r->groups) > 1 && r->o.rows > 0 &&
	         text_groups_lines(r->groups) > r->o.rows));
}

static const char compact_hint[] =
    "(one line each: --full for full reports, --only VERDICT or --conn "
    "ADDR for some)\n\n";

static void
flush_groups(struct report *r)
{
	bool compact;

	if (r->groups == NULL || text_groups_reports(r->groups) == 0)
		return;
	compact = compact_now(r);
	text_groups_flush(r->groups, r->out, compact, r->o.width);
	if (compact)
		wrap_write(r->out, compact_hint, sizeof compact_hint - 1,
		           r->o.width);
}

/* The text of one connection: held in its group offline, written (folded)
 * at once live, where each verdict must show as it happens. */
static void
text_conn(struct report *r, const struct conn_facts *f,
          const struct diag_result *d)
{
	char *block = NULL, *line = NULL, *key = NULL;
	size_t blen = 0, llen = 0, klen = 0;
	char frame[512];
	FILE *mb, *ml, *mk;
	struct text_member m;
	bool live = r->cap != NULL && capture_is_live(r->cap);

	mb = open_memstream(&block, &blen);
	if (mb == NULL) {
		report_text_conn(r->out, &r->o, r->cap, f, d);
		return;
	}
	report_text_conn(mb, &r->o, r->cap, f, d);
	if (fclose(mb) != 0) {
		free(block);
		report_text_conn(r->out, &r->o, r->cap, f, d);
		return;
	}
	if (live || r->groups == NULL) {
		wrap_write(r->out, block, blen, r->o.width);
		free(block);
		return;
	}
	ml = open_memstream(&line, &llen);
	mk = open_memstream(&key, &klen);
	if (ml != NULL)
		report_text_line(ml, &r->o, f, d);
	if (mk != NULL)
		group_key(mk, f, d);
	if (ml == NULL || fclose(ml) != 0 || mk == NULL || fclose(mk) != 0) {
		wrap_write(r->out, block, blen, r->o.width);
		goto done;
	}
	frame_ref(frame, sizeof frame, r->cap, f->conn->first_frame);
	m = (struct text_member){
	    .key = key,
	    .key_len = klen,
	    .block = block,
	    .block_len = blen,
	    .line = line,
	    .frame = frame,
	    .client = text_groups_hash(&f->conn->caddr,
	                               sizeof f->conn->caddr),
	    .severity = d->severity,
	};
	if (!text_groups_add(r->groups, &m))
		wrap_write(r->out, block, blen, r->o.width);
	else if (text_groups_bytes(r->groups) > TEXT_GROUPS_MAX_BYTES)
		flush_groups(r);
done:
	free(block);
	free(line);
	free(key);
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

const char *
report_conn(struct report *r, const struct conn_facts *f)
{
	struct diag_result *d = &r->diag;
	bool problem, show, page;

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
	if (problem && d->verdict == DIAG_OK)
		r->counts.ok_with_findings++;
	if (d->severity == DIAG_SEV_ERROR)
		r->counts.errors++;
	else if (d->severity == DIAG_SEV_WARNING)
		r->counts.warnings++;
	server_summary_add(r->servers, f, d);
	if (r->html != NULL)
		html_tally(r->html, d);
	/* --only and --conn choose what stdout shows; the page keeps its
	 * own rule (problems, or all with -a). */
	show = select_active(&r->o.sel) ? select_match(&r->o.sel, f->conn, d)
	                                : problem || r->o.all;
	page = r->html != NULL && (problem || r->o.all);
	if (!page && (!show || r->o.quiet))
		goto out;
	diag_decide(f, d);
	if (page)
		html_conn(r->html, f, d);
	if (!show || r->o.quiet)
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
		text_conn(r, f, d);
	}
out:
	/* Live runs: each verdict must reach a pipe as it happens. */
	if (r->cap != NULL && capture_is_live(r->cap))
		fflush(r->out);
	return problem ? diag_verdict_str(d->verdict) : NULL;
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

	flush_groups(r);
	/* --only/--conn chose none: say so rather than print nothing. */
	if (select_active(&r->o.sel) && r->counts.shown == 0 && !r->o.quiet &&
	    !r->o.json && !r->o.csv)
		fprintf(r->out, "No connection matches --only/--conn (of %llu "
		                "analysed).\n\n",
		        (unsigned long long)r->counts.conns);

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
			wrap_write(dst, buf, len,
			           dst == r->out ? r->o.width : 0);
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
	text_groups_free(r->groups);
	if (r->summary_json != NULL)
		fclose(r->summary_json);
	free(r->summary_path);
	server_summary_free(r->servers);
	free(r);
}
