/*
 * html.c: the HTML report's page (see html.h): where the cards wait, the
 * run's summary at the top, the compact table of the connections past
 * the card limit, and the Content-Security-Policy that keeps the page to
 * itself.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report/html.h"
#include "report/html_int.h"
#include "report/report.h"
#include "report/server_summary.h"
#include "service.h"
#include "util/fmt.h"

#define CSP_HASH_LEN 64

struct html {
	struct html_opts o;
	char *path;          /* the page's name */
	char *tmp_path;      /* being written, renamed onto path at the end;
	                      * NULL when path is not a regular file */
	FILE *page;
	FILE *body;          /* the cards (and the rest table), unlinked */
	const struct capture *cap;
	uint64_t cards, rest;
	uint64_t sev[DIAG_VERDICT_COUNT][3]; /* by verdict and severity */
	uint64_t first_card[DIAG_VERDICT_COUNT]; /* 0: none */
	bool finished;
};

/* The directory part of path ("." when none). */
static char *
dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t n = slash == NULL ? 1 : slash == path ? 1 : (size_t)(slash - path);
	char *d = malloc(n + 1);

	if (d == NULL)
		return NULL;
	if (slash == NULL)
		memcpy(d, ".", 1);
	else
		memcpy(d, slash == path ? "/" : path, n);
	d[n] = '\0';
	return d;
}

/* Ends the name in buf (room for 6 more bytes) with the six characters
 * mkstemp(3) replaces. */
static void
temp_suffix(char *buf)
{
	size_t n = strlen(buf);

	memset(buf + n, 'X', 6);
	buf[n + 6] = '\0';
}

/* A new file from a mkstemp template, with the permissions the umask
 * gives an ordinary file (mkstemp makes it 0600). */
static FILE *
make_temp(char *tmpl, const char *mode)
{
	int fd = mkstemp(tmpl);
	mode_t um;
	FILE *fp;

	if (fd < 0)
		return NULL;
	um = umask(022);
	umask(um);
	if (fchmod(fd, 0666 & ~um) != 0 || (fp = fdopen(fd, mode)) == NULL) {
		close(fd);
		unlink(tmpl);
		return NULL;
	}
	return fp;
}

struct html *
html_open(const char *path, const struct html_opts *o, char *err,
          size_t errlen)
{
	struct html *h = calloc(1, sizeof *h);
	char *dir = dir_of(path), *body_tmpl = NULL;
	size_t n = strlen(path);
	struct stat sb;

	if (h == NULL || dir == NULL)
		goto oom;
	h->o = *o;
	if (h->o.max_cards == 0)
		h->o.max_cards = HTML_DEFAULT_CARDS;
	h->path = strdup(path);
	body_tmpl = malloc(strlen(dir) + 32);
	if (h->path == NULL || body_tmpl == NULL)
		goto oom;
	/* The cards wait next to the page: a large capture's cards may not
	 * fit where temporary files usually go. */
	snprintf(body_tmpl, strlen(dir) + 32, "%s/.tlsautopsy-cards.", dir);
	temp_suffix(body_tmpl);
	h->body = make_temp(body_tmpl, "w+");
	if (h->body == NULL) {
		snprintf(err, errlen, "--html %s: cannot create a file in %s: %s",
		         path, dir, strerror(errno));
		goto fail;
	}
	unlink(body_tmpl);
	if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		/* A device or a pipe: written in place. */
		h->page = fopen(path, "w");
	} else {
		h->tmp_path = malloc(n + 8);
		if (h->tmp_path == NULL)
			goto oom;
		snprintf(h->tmp_path, n + 8, "%s.", path);
		temp_suffix(h->tmp_path);
		h->page = make_temp(h->tmp_path, "w");
	}
	if (h->page == NULL) {
		snprintf(err, errlen, "--html %s: %s", path, strerror(errno));
		goto fail;
	}
	free(dir);
	free(body_tmpl);
	return h;
oom:
	snprintf(err, errlen, "--html %s: out of memory", path);
fail:
	free(dir);
	free(body_tmpl);
	html_free(h);
	return NULL;
}

void
html_set_capture(struct html *h, const struct capture *cap)
{
	h->cap = cap;
}

void
html_tally(struct html *h, const struct diag_result *d)
{
	if ((unsigned)d->verdict < DIAG_VERDICT_COUNT && (unsigned)d->severity < 3)
		h->sev[d->verdict][d->severity]++;
}

/* The connections past the card limit: one row each. */
static void
rest_row(FILE *out, uint64_t n, const struct capture *cap,
         const struct conn_facts *f, const struct diag_result *d)
{
	const struct conn *c = f->conn;
	const char *sev = html_sev_class(d->severity);
	char ca[FMT_ADDR_LEN + 8], sa[FMT_ADDR_LEN + 8], ts[FMT_TIME_LEN];

	html_endpoint(ca, sizeof ca, &c->caddr, c->cport);
	html_endpoint(sa, sizeof sa, &c->saddr, c->sport);
	fprintf(out, "<tr><td class=\"n\">%" PRIu64 "</td><td data-v=\"%d\">"
	             "<span class=\"sev %s\">%s</span></td><td>%s</td>"
	             "<td class=\"addr\">%s</td><td class=\"addr\">%s (%s)</td>"
	             "<td>%s</td><td>",
	        n, (int)d->severity, sev, sev, diag_verdict_str(d->verdict), ca,
	        sa, service_name(c->svc),
	        fmt_time_human(ts, sizeof ts, c->first_ts));
	if (cap != NULL)
		html_puts(out, capture_file_name(cap, TA_FRAME_FILE(c->first_frame)));
	fprintf(out, " %" PRIu64 "..%" PRIu64 "</td><td>",
	        (uint64_t)TA_FRAME_NO(c->first_frame),
	        (uint64_t)TA_FRAME_NO(c->tcp.last_frame));
	html_puts(out, d->summary);
	fputs("</td></tr>\n", out);
}

void
html_conn(struct html *h, const struct conn_facts *f,
          const struct diag_result *d)
{
	if (h->cards < h->o.max_cards) {
		h->cards++;
		if ((unsigned)d->verdict < DIAG_VERDICT_COUNT &&
		    h->first_card[d->verdict] == 0)
			h->first_card[d->verdict] = h->cards;
		html_card(h->body, h->cards, h->cap, f, d);
		return;
	}
	if (h->rest == 0)
		fprintf(h->body,
		        "<section id=\"rest\">\n<h2>More connections, one line "
		        "each</h2>\n<p>Past the first %u cards (--html-max-cards), "
		        "in the order of the text report.</p>\n"
		        "<table class=\"sortable\"><thead><tr><th class=\"n\">#"
		        "</th><th>severity</th><th>verdict</th><th>client</th>"
		        "<th>server</th><th>start (UTC)</th><th>frames</th>"
		        "<th>summary</th></tr></thead><tbody>\n",
		        h->o.max_cards);
	h->rest++;
	rest_row(h->body, h->cards + h->rest, h->cap, f, d);
}

/* ------------------------------------------------------------------ */
/* The summary at the top */

static void
files_html(FILE *out, const struct capture *cap)
{
	unsigned n = cap != NULL ? capture_nfiles(cap) : 0;

	fputs("<dt>Read</dt><dd><ul class=\"files\">", out);
	for (unsigned i = 0; i < n; i++) {
		fputs("<li><code>", out);
		html_puts(out, capture_file_name(cap, i));
		fprintf(out, "</code>%s</li>",
		        capture_is_live(cap) ? " (live capture)" : "");
	}
	fputs("</ul></dd>\n", out);
}

static void
span_html(FILE *out, const struct analyzer_stats *st)
{
	char a[FMT_TIME_LEN], b[FMT_TIME_LEN], d[32];

	fputs("<dt>Time span</dt><dd>", out);
	if (st->frames == 0 || st->last_ts < st->first_ts) {
		fputs("no frames</dd>\n", out);
		return;
	}
	fmt_duration(d, sizeof d, st->last_ts - st->first_ts);
	fprintf(out, "%s to %s UTC (%s)</dd>\n",
	        fmt_time_human(a, sizeof a, st->first_ts),
	        fmt_time_human(b, sizeof b, st->last_ts), d);
}

#define BAR_X 230
#define BAR_W 520
#define BAR_ROW 26

/* A bar per verdict, its length the connections, coloured by severity
 * (an ok verdict with findings is a warning). */
static void
bars_html(FILE *out, const struct html *h)
{
	static const char *const cls[3] = {"ok", "warning", "error"};
	uint64_t max = 0, tot[DIAG_VERDICT_COUNT];
	unsigned rows = 0, y;

	for (unsigned v = 0; v < DIAG_VERDICT_COUNT; v++) {
		tot[v] = h->sev[v][0] + h->sev[v][1] + h->sev[v][2];
		if (tot[v] > max)
			max = tot[v];
		rows += tot[v] > 0;
	}
	fputs("<h3>Connections by verdict</h3>\n", out);
	if (rows == 0) {
		fputs("<p>No connection on the watched ports.</p>\n", out);
		return;
	}
	fprintf(out, "<svg class=\"bars\" "
	             "viewBox=\"0 0 860 %u\" width=\"860\" height=\"%u\" "
	             "role=\"img\">\n<title>Connections by verdict</title>\n",
	        rows * BAR_ROW + 4, rows * BAR_ROW + 4);
	y = 2;
	for (unsigned v = 0; v < DIAG_VERDICT_COUNT; v++) {
		double x = BAR_X;

		if (tot[v] == 0)
			continue;
		fprintf(out, "<g class=\"bar-row\" data-verdict=\"%s\" "
		             "data-count=\"%" PRIu64 "\">",
		        diag_verdict_str((enum diag_verdict)v), tot[v]);
		if (h->first_card[v] != 0)
			fprintf(out, "<a href=\"#conn-%" PRIu64 "\">", h->first_card[v]);
		fprintf(out, "<text class=\"bar-lbl\" x=\"%u\" y=\"%u\" "
		             "text-anchor=\"end\">%s</text>",
		        BAR_X - 10, y + 16, diag_verdict_str((enum diag_verdict)v));
		if (h->first_card[v] != 0)
			fputs("</a>", out);
		for (int s = 2; s >= 0; s--) {
			double w;

			if (h->sev[v][s] == 0)
				continue;
			w = (double)BAR_W * (double)h->sev[v][s] / (double)max;
			if (w < 2)
				w = 2;
			fprintf(out, "<rect class=\"bar %s\" x=\"%.1f\" y=\"%u\" "
			             "width=\"%.1f\" height=\"%u\"><title>%" PRIu64
			             " %s</title></rect>",
			        cls[s], x, y + 3, w, BAR_ROW - 8, h->sev[v][s], cls[s]);
			x += w;
		}
		fprintf(out, "<text x=\"%.1f\" y=\"%u\">%" PRIu64 "</text></g>\n",
		        x + 8, y + 16, tot[v]);
		y += BAR_ROW;
	}
	fputs("</svg>\n<p class=\"sub\"><span class=\"key error\"></span>error"
	      "<span class=\"key warning\"></span>warning"
	      "<span class=\"key ok\"></span>ok</p>\n", out);
}

/* A server column that sorts as addresses do: family, then numerically. */
static void
addr_key(FILE *out, const struct server_row *r)
{
	if (r->addr == NULL) {
		fputs("9", out);
		return;
	}
	fputc(r->addr->family == 6 ? '6' : '4', out);
	for (unsigned i = 0; i < (r->addr->family == 6 ? 16u : 4u); i++)
		fprintf(out, "%02x", r->addr->a[i]);
	fprintf(out, "%05u", r->port);
}

static void
server_row_html(void *ctx, const struct server_row *r)
{
	FILE *out = ctx;
	char ep[FMT_ADDR_LEN + 8];
	bool first = true;

	fputs("<tr><td class=\"addr\" data-v=\"", out);
	addr_key(out, r);
	fputs("\">", out);
	if (r->addr != NULL) {
		html_endpoint(ep, sizeof ep, r->addr, r->port);
		fputs(ep, out);
	} else {
		fputs("other servers (not listed one by one)", out);
	}
	fputs("</td><td class=\"sni\">", out);
	if (r->sni_len > 0)
		html_esc(out, (const char *)r->sni, r->sni_len, SIZE_MAX);
	else if (r->addr != NULL)
		fputs("<span class=\"sub\">(no SNI)</span>", out);
	fprintf(out, "</td><td class=\"n\">%" PRIu64 "</td><td class=\"n\">%" PRIu64
	             "</td><td>",
	        r->total, r->problems);
	for (unsigned v = 0; v < DIAG_VERDICT_COUNT; v++) {
		if (r->by_verdict[v] == 0)
			continue;
		fprintf(out, "%s%" PRIu64 " %s", first ? "" : ", ", r->by_verdict[v],
		        diag_verdict_str((enum diag_verdict)v));
		first = false;
	}
	fputs("</td></tr>\n", out);
}

static void
servers_html(FILE *out, const struct server_summary *servers)
{
	fputs("<h3>Servers</h3>\n<table class=\"sortable servers\"><thead><tr>"
	      "<th>server</th><th>name (SNI)</th><th class=\"n\">connections"
	      "</th><th class=\"n\">problems</th><th>verdicts</th></tr></thead>"
	      "<tbody>\n", out);
	if (!server_summary_each(servers, server_row_html, out))
		fputs("<tr><td colspan=\"5\">(out of memory)</td></tr>\n", out);
	fputs("</tbody></table>\n", out);
}

static void
head_html(FILE *out, const struct html *h, const char *style_hash,
          const char *script_hash)
{
	unsigned nf = h->cap != NULL ? capture_nfiles(h->cap) : 0;

	fprintf(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	             "<meta charset=\"utf-8\">\n"
	             "<meta http-equiv=\"Content-Security-Policy\" content=\""
	             "default-src 'none'; style-src '%s'; script-src '%s'; "
	             "base-uri 'none'; form-action 'none'\">\n"
	             "<meta name=\"viewport\" content=\"width=device-width, "
	             "initial-scale=1\">\n"
	             "<meta name=\"generator\" content=\"tlsautopsy %s\">\n"
	             "<title>TLS connection report: ",
	        style_hash, script_hash, PACKAGE_VERSION);
	if (nf == 1)
		html_puts(out, capture_file_name(h->cap, 0));
	else
		fprintf(out, "%u files", nf);
	fprintf(out, "</title>\n<style>%s</style>\n</head>\n<body>\n", html_style);
}

static void
summary_html(FILE *out, const struct html *h, const struct report_counts *rc,
             const struct server_summary *servers,
             const struct analyzer_stats *st, const struct cap_stats *cs)
{
	uint64_t ok = rc->conns - rc->errors - rc->warnings;

	fprintf(out, "<header><h1>TLS connection report</h1>\n"
	             "<p class=\"sub\">tlsautopsy %s: why TLS connections to mail "
	             "servers failed, from captured packets; nothing was "
	             "decrypted. Frame numbers are those Wireshark shows; times "
	             "are capture times in UTC.</p></header>\n"
	             "<section id=\"run\">\n<h2>The run</h2>\n<dl class=\"facts\">\n",
	        PACKAGE_VERSION);
	files_html(out, h->cap);
	span_html(out, st);
	fprintf(out, "<dt>Connections</dt><dd>%" PRIu64 " connection%s: %" PRIu64
	             " error%s, %" PRIu64 " warning%s, %" PRIu64 " ok</dd>\n",
	        rc->conns, rc->conns == 1 ? "" : "s", rc->errors,
	        rc->errors == 1 ? "" : "s", rc->warnings,
	        rc->warnings == 1 ? "" : "s", ok);
	fprintf(out, "<dt>On this page</dt><dd>%" PRIu64 " card%s (%s)",
	        h->cards, h->cards == 1 ? "" : "s",
	        h->o.all ? "every connection" : "the problem connections");
	if (h->rest > 0)
		fprintf(out, "; <a href=\"#rest\">%" PRIu64 " more</a> in the table "
		             "at the end (at most %u cards: --html-max-cards)",
		        h->rest, h->o.max_cards);
	fputs("</dd>\n", out);
	fprintf(out, "<dt>Frames</dt><dd>%" PRIu64 " (%" PRIu64 " bytes), %" PRIu64
	             " TCP; %" PRIu64 " connection%s tracked",
	        st->frames, st->bytes, st->tcp, st->flow.conns,
	        st->flow.conns == 1 ? "" : "s");
	if (st->flow.evicted > 0)
		fprintf(out, ", %" PRIu64 " evicted (table full)", st->flow.evicted);
	if (st->probes != NULL && st->probes->total > 0)
		fprintf(out, "; %" PRIu64 " scan probes, not connections",
		        st->probes->total);
	if (cs->damaged_files > 0)
		fprintf(out, "; %u file%s ended in damage (analysed up to there)",
		        cs->damaged_files, cs->damaged_files == 1 ? "" : "s");
	if (cs->kernel_known)
		fprintf(out, "; kernel: %" PRIu64 " dropped", cs->kernel_drop);
	fputs("</dd>\n</dl>\n", out);
	bars_html(out, h);
	servers_html(out, servers);
	fputs("</section>\n", out);
}

static bool
copy_body(struct html *h)
{
	char buf[64 * 1024];
	size_t n;

	if (fflush(h->body) != 0 || fseek(h->body, 0, SEEK_SET) != 0)
		return false;
	while ((n = fread(buf, 1, sizeof buf, h->body)) > 0)
		if (fwrite(buf, 1, n, h->page) != n)
			return false;
	return !ferror(h->body);
}

bool
html_finish(struct html *h, const struct report_counts *rc,
            const struct server_summary *servers,
            const struct analyzer_stats *st, const struct cap_stats *cs,
            char *err, size_t errlen)
{
	char style_hash[CSP_HASH_LEN], script_hash[CSP_HASH_LEN];
	FILE *out = h->page;
	bool ok;

	if (!html_csp_hash(html_style, style_hash, sizeof style_hash) ||
	    !html_csp_hash(html_script, script_hash, sizeof script_hash)) {
		snprintf(err, errlen, "--html %s: SHA-256 not available", h->path);
		return false;
	}
	head_html(out, h, style_hash, script_hash);
	summary_html(out, h, rc, servers, st, cs);
	fprintf(out, "<section id=\"cards\">\n<h2>%s</h2>\n",
	        h->o.all ? "Connections" : "Problem connections");
	if (h->cards == 0)
		fputs("<p>None: every connection's handshake was healthy (-a shows "
		      "them all).</p>\n", out);
	ok = copy_body(h);
	if (h->rest > 0)
		fputs("</tbody></table>\n</section>\n", out);
	fprintf(out, "</section>\n<footer>Made by tlsautopsy %s. This page loads "
	             "nothing from anywhere.</footer>\n"
	             "<script>%s</script>\n</body>\n</html>\n",
	        PACKAGE_VERSION, html_script);
	ok = ok && fflush(out) == 0 && !ferror(out);
	ok = fclose(out) == 0 && ok;
	h->page = NULL;
	if (!ok) {
		snprintf(err, errlen, "--html %s: write error: %s", h->path,
		         strerror(errno));
		return false;
	}
	if (h->tmp_path != NULL && rename(h->tmp_path, h->path) != 0) {
		snprintf(err, errlen, "--html %s: %s", h->path, strerror(errno));
		return false;
	}
	h->finished = true;
	return true;
}

void
html_free(struct html *h)
{
	if (h == NULL)
		return;
	if (h->page != NULL)
		fclose(h->page);
	if (h->body != NULL)
		fclose(h->body);
	if (!h->finished && h->tmp_path != NULL)
		unlink(h->tmp_path);
	free(h->tmp_path);
	free(h->path);
	free(h);
}
