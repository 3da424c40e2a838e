/*
 * test_html.c: the HTML report: escaping of every byte (WHATWG HTML
 * 13.1.2.6), a card and a page built from names holding every byte value,
 * the card limit and the table of the rest, the temporary files, and the
 * Content-Security-Policy hashes against what the page really holds.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <sys/stat.h>

#include <openssl/evp.h>

#include "report/html.h"
#include "report/html_int.h"
#include "report/report.h"
#include "report/server_summary.h"
#include "util/utf8.h"
#include "fixture.h"
#include "../unit/scratch.h"

static char *
esc(const char *s, size_t n, size_t max)
{
	char *buf = NULL;
	size_t len;
	FILE *m = open_memstream(&buf, &len);

	assert_non_null(m);
	html_esc(m, s, n, max);
	assert_int_equal(fclose(m), 0);
	return buf;
}

static void
test_esc_every_byte(void **state)
{
	(void)state;
	for (unsigned b = 0; b < 256; b++) {
		char in[3] = {'a', (char)b, 'z'}, want[16];
		char *out = esc(in, 3, SIZE_MAX);

		switch (b) {
		case '&':
			snprintf(want, sizeof want, "a&amp;z");
			break;
		case '<':
			snprintf(want, sizeof want, "a&lt;z");
			break;
		case '>':
			snprintf(want, sizeof want, "a&gt;z");
			break;
		case '"':
			snprintf(want, sizeof want, "a&quot;z");
			break;
		case '\'':
			snprintf(want, sizeof want, "a&#39;z");
			break;
		case '\\':
			snprintf(want, sizeof want, "a\\\\z");
			break;
		default:
			if (b >= 0x20 && b < 0x7f)
				snprintf(want, sizeof want, "a%cz", (char)b);
			else
				snprintf(want, sizeof want, "a\\x%02xz", b);
		}
		assert_string_equal(out, want);
		free(out);
	}
}

static void
test_esc_utf8(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
	    {"caf\xc3\xa9", "caf\xc3\xa9"},                /* é stays */
	    {"\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80"},      /* U+1F600 stays */
	    {"x\xc2\x85y", "x\\xc2\\x85y"},                /* C1 NEL */
	    {"evil\xe2\x80\xaemoc", "evil\\xe2\\x80\\xaemoc"}, /* RLO */
	    {"\xe2\x81\xa6i", "\\xe2\\x81\\xa6i"},         /* LRI */
	    {"a\xe2\x80\x8b" "b", "a\\xe2\\x80\\x8bb"},    /* zero width */
	    {"\xef\xbb\xbf", "\\xef\\xbb\\xbf"},           /* BOM */
	    {"\xef\xbf\xbe", "\\xef\\xbf\\xbe"},           /* U+FFFE */
	    {"\xef\xb7\x90", "\\xef\\xb7\\x90"},           /* U+FDD0 */
	    {"\xe2\x80\xa8", "\\xe2\\x80\\xa8"},           /* LINE SEP */
	    {"\xc2\xad", "\\xc2\\xad"},                    /* soft hyphen */
	    {"\xc0\xaf", "\\xc0\\xaf"},                    /* overlong '/' */
	    {"\xed\xa0\x80", "\\xed\\xa0\\x80"},           /* a surrogate */
	    {"\xe2\x82", "\\xe2\\x82"},                    /* cut sequence */
	};

	(void)state;
	for (size_t i = 0; i < TA_ELEMENTS(cases); i++) {
		char *out = esc(cases[i].in, strlen(cases[i].in), SIZE_MAX);

		assert_string_equal(out, cases[i].out);
		free(out);
	}
}

static void
test_esc_cut(void **state)
{
	char *out;

	(void)state;
	out = esc("abcdef", 6, 3);
	assert_string_equal(out, "abc\xe2\x80\xa6");
	free(out);
	out = esc("abc", 3, 3);
	assert_string_equal(out, "abc");
	free(out);
	/* an escape shows four characters and counts four */
	out = esc("\x01" "abc", 4, 5);
	assert_string_equal(out, "\\x01a\xe2\x80\xa6");
	free(out);
	out = esc("\x01" "abc", 4, 3);
	assert_string_equal(out, "\xe2\x80\xa6");
	free(out);
	out = esc("<<", 2, 1);
	assert_string_equal(out, "&lt;\xe2\x80\xa6");
	free(out);
}

/* ------------------------------------------------------------------ */
/* Hostile names through a whole card and a whole page */

/* Every byte value but NUL, after a script tag. */
static size_t
all_bytes(char *buf, size_t cap)
{
	static const char pre[] = "<script>alert(1)</script>\"'";
	size_t n = sizeof pre - 1;

	memcpy(buf, pre, n);
	for (unsigned b = 1; b < 256 && n + 1 < cap; b++)
		buf[n++] = (char)b;
	buf[n] = '\0';
	return n;
}

struct hostile {
	struct fx *x;
	struct cert_chain *chain;
	struct cert_facts cert;
};

static void
hostile_new(struct hostile *h)
{
	char sni[512];
	size_t n = all_bytes(sni, sizeof sni);
	struct cert_desc *cd;

	memset(h, 0, sizeof *h);
	h->x = fx_new();
	fx_tcp(h->x, FX_MS);
	fx_client_hello(h->x, 4, 2 * FX_MS, sni, n);
	h->chain = calloc(1, sizeof *h->chain);
	assert_non_null(h->chain);
	h->chain->count = 1;
	h->chain->nchain = 1;
	cd = &h->chain->chain[0];
	cd->parsed = true;
	all_bytes(cd->subject, sizeof cd->subject);
	all_bytes(cd->issuer, sizeof cd->issuer);
	all_bytes(cd->san[0], sizeof cd->san[0]);
	cd->nsan = 1;
	cd->not_before = 1700000000;
	cd->not_after = 1900000000;
	snprintf(cd->key, sizeof cd->key, "EC 256");
	all_bytes(h->chain->name, sizeof h->chain->name);
	h->chain->name_from_sni = true;
	h->chain->weak_sig_cert = -1;
	h->chain->small_key_cert = -1;
	h->cert.visible = true;
	h->cert.frame = 6;
	h->cert.time = FX_T0 + 3 * FX_MS;
	h->cert.chain = h->chain;
	h->cert.verify_reason = "hostname mismatch";
	h->cert.verify_code = 62;
	h->cert.problem = CERT_PROBLEM_NAME_MISMATCH;
	h->cert.problem_cert = 0;
	h->cert.expiring_cert = -1;
	h->x->f.cert = &h->cert;
	h->x->tls.server_hello_seen = true;
	h->x->tls.server_hello_frame = 6;
	h->x->tls.server_hello.version = 0x0303;
	h->x->tls.server_hello.cipher = 0xc02f;
	h->x->tls.certs_seen = true;
	h->x->tls.certs_frame = 6;
	h->x->tls.cert_count = 1;
	fx_time(h->x, 6, 3 * FX_MS);
	/* an IMAP answer and the diagnosis's sentences, hostile too */
	h->x->st.response = STARTTLS_RESP_BAD;
	h->x->st.response_frame = 3;
	h->x->st.response_text_len = STARTTLS_TEXT_MAX;
	for (unsigned i = 0; i < STARTTLS_TEXT_MAX; i++)
		h->x->st.response_text[i] =
		    i < 8 ? (uint8_t)"<b>x</b>"[i] : (uint8_t)(128 + i);
	h->x->f.starttls = &h->x->st;
	h->x->d.verdict = DIAG_CERT_NAME_MISMATCH;
	all_bytes(h->x->d.summary, sizeof h->x->d.summary);
	all_bytes(h->x->d.evidence[0].text, sizeof h->x->d.evidence[0].text);
	h->x->d.nevidence = 1;
	all_bytes(h->x->d.causes[0], sizeof h->x->d.causes[0]);
	h->x->d.ncauses = 1;
	all_bytes(h->x->d.advice, sizeof h->x->d.advice);
	fx_end(h->x, TCP_END_RST, TCP_SIDE_CLIENT, 8, 4 * FX_MS);
}

static void
hostile_free(struct hostile *h)
{
	free(h->chain);
	fx_free(h->x);
}

static bool
allowed_tag(const char *name, size_t n)
{
	static const char *const tags[] = {
	    "!DOCTYPE", "html", "head", "meta", "title", "style", "body",
	    "header", "h1", "h2", "h3", "section", "dl", "dt", "dd", "ul", "ol",
	    "li", "code", "svg", "g", "a", "text", "rect", "line", "path",
	    "circle", "p", "span", "table", "thead", "tbody", "tr", "th", "td",
	    "article", "div", "figure", "figcaption", "details", "summary", "b",
	    "br", "small", "footer", "script",
	};

	for (size_t i = 0; i < TA_ELEMENTS(tags); i++)
		if (strlen(tags[i]) == n && memcmp(tags[i], name, n) == 0)
			return true;
	return false;
}

/*
 * What a hostile name must never make of the page: a control byte, a C1
 * or bidi character, invalid UTF-8, a tag we do not write, an event
 * handler, a second script. Returns the number of <script> elements.
 */
static unsigned
assert_inert(const char *page, size_t len)
{
	unsigned scripts = 0;

	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t k = utf8_seq((const uint8_t *)page + i, len - i, &cp);

		assert_true(k > 0);
		assert_true(cp >= 0x20 || cp == '\n');
		assert_true(cp != 0x7f && !(cp >= 0x80 && cp < 0xa0));
		assert_false(cp >= 0x202a && cp <= 0x202e);
		assert_false(cp >= 0x2066 && cp <= 0x2069);
		i += k;
	}
	for (const char *p = memchr(page, '<', len); p != NULL;
	     p = memchr(p + 1, '<', len - (size_t)(p + 1 - page))) {
		const char *name = p[1] == '/' ? p + 2 : p + 1;
		size_t n = strspn(name, "!DOCTYPEabcdefghijklmnopqrstuvwxyz0123456789");
		const char *end = strchr(p, '>');

		assert_non_null(end);
		if (!allowed_tag(name, n))
			fail_msg("unexpected tag <%.*s", (int)(n + 8), p);
		/* inside the tag: no handler, no second tag */
		for (const char *q = p + 1; q < end; q++) {
			assert_true(*q != '<');
			if (q[0] == ' ' && q[1] == 'o' && q[2] == 'n')
				fail_msg("an event handler in %.*s",
				         (int)(end - p + 1), p);
		}
		if (strncmp(p, "<script>", 8) == 0) {
			/* ours, whole: its code is not markup */
			scripts++;
			assert_memory_equal(p + 8, html_script,
			                    strlen(html_script));
			p += 8 + strlen(html_script);
			assert_memory_equal(p, "</script>", 9);
		}
	}
	assert_null(strstr(page, "<img"));
	return scripts;
}

static void
test_card_every_byte(void **state)
{
	struct hostile h;
	char *buf = NULL;
	size_t len;
	FILE *m;

	(void)state;
	hostile_new(&h);
	m = open_memstream(&buf, &len);
	assert_non_null(m);
	html_card(m, 1, NULL, &h.x->f, &h.x->d);
	assert_int_equal(fclose(m), 0);
	assert_int_equal(assert_inert(buf, len), 0);
	/* the names are there, as text */
	assert_non_null(strstr(buf, "&lt;script&gt;alert(1)&lt;/script&gt;"
	                            "&quot;&#39;\\x01\\x02"));
	assert_non_null(strstr(buf, "&lt;b&gt;x&lt;/b&gt;\\x88\\x89"));
	assert_non_null(strstr(buf, "!&quot;#$%&amp;&#39;()*+,-./0123"));
	/* one arrow per packet event: SYN, SYN-ACK, ClientHello,
	 * ServerHello, Certificate, BAD, RST */
	assert_non_null(strstr(buf, "data-arrows=\"7\""));
	free(buf);
	hostile_free(&h);
}

/* ------------------------------------------------------------------ */
/* Pages */

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static unsigned
count(const char *s, const char *what)
{
	unsigned n = 0;

	for (const char *p = strstr(s, what); p != NULL; p = strstr(p + 1, what))
		n++;
	return n;
}

static unsigned
files_in(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	unsigned n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return n;
}

/* A page of n copies of the hostile connection, at most max cards. */
static char *
page_of(const char *dir, unsigned n, unsigned max, size_t *len)
{
	struct html_opts o = {.max_cards = max, .all = true};
	struct report_counts rc;
	struct analyzer_stats st;
	struct cap_stats cs;
	struct server_summary *ss = server_summary_new();
	struct hostile h;
	char path[1024], err[256], *page;
	struct html *hp;

	scratch_path(dir, path, sizeof path, "report.html");
	memset(&rc, 0, sizeof rc);
	memset(&st, 0, sizeof st);
	memset(&cs, 0, sizeof cs);
	hostile_new(&h);
	hp = html_open(path, &o, err, sizeof err);
	assert_non_null(hp);
	assert_non_null(ss);
	for (unsigned i = 0; i < n; i++) {
		html_tally(hp, &h.x->d);
		server_summary_add(ss, &h.x->f, &h.x->d);
		html_conn(hp, &h.x->f, &h.x->d);
		rc.conns++;
		rc.errors++;
	}
	st.frames = 8;
	st.first_ts = FX_T0;
	st.last_ts = FX_T0 + 4 * FX_MS;
	/* the cards wait in a temporary file, unlinked: only the page's
	 * own temporary name is in the directory meanwhile */
	assert_int_equal(files_in(dir), 1);
	assert_true(html_finish(hp, &rc, ss, &st, &cs, err, sizeof err));
	html_free(hp);
	server_summary_free(ss);
	hostile_free(&h);
	assert_int_equal(files_in(dir), 1);
	page = slurp(path, len);
	assert_int_equal(unlink(path), 0);
	return page;
}

static void
test_page_cards_then_rest(void **state)
{
	char dir[512];
	size_t len;
	char *page;

	(void)state;
	assert_int_equal(scratch_make(dir, sizeof dir, "test_html"), 0);
	page = page_of(dir, 3, 2, &len);
	assert_int_equal(assert_inert(page, len), 1);
	assert_int_equal(count(page, "<article class=\"card"), 2);
	assert_non_null(strstr(page, "id=\"conn-1\""));
	assert_non_null(strstr(page, "id=\"conn-2\""));
	assert_null(strstr(page, "id=\"conn-3\""));
	/* the third is one row of the table at the end, counted on top */
	assert_non_null(strstr(page, "<section id=\"rest\">"));
	assert_int_equal(count(page, "<tr><td class=\"n\">3</td>"), 1);
	assert_non_null(strstr(page, "<a href=\"#rest\">1 more</a>"));
	assert_true(strstr(page, "id=\"run\"") < strstr(page, "id=\"conn-1\""));
	assert_true(strstr(page, "id=\"conn-2\"") < strstr(page, "id=\"rest\""));
	/* the per-server table: the hostile SNI as text */
	assert_non_null(strstr(page, "<td class=\"sni\">&lt;script&gt;alert(1)"));
	assert_non_null(strstr(page, "data-verdict=\"cert-name-mismatch\" "
	                             "data-count=\"3\""));
	free(page);
	assert_int_equal(scratch_remove(dir), 0);
}

static void
base64_sha256(const char *s, size_t n, char *out)
{
	unsigned char md[32];
	unsigned int mdlen = 0;

	assert_int_equal(EVP_Digest(s, n, md, &mdlen, EVP_sha256(), NULL), 1);
	EVP_EncodeBlock((unsigned char *)out, md, (int)mdlen);
}

/* The hash the policy names is that of what the element holds. */
static void
assert_hash(const char *page, const char *open, const char *close,
            const char *directive)
{
	const char *a = strstr(page, open), *b;
	char want[64], csp[160];

	assert_non_null(a);
	a += strlen(open);
	b = strstr(a, close);
	assert_non_null(b);
	base64_sha256(a, (size_t)(b - a), want);
	snprintf(csp, sizeof csp, "%s 'sha256-%s'", directive, want);
	assert_non_null(strstr(page, csp));
}

static void
test_page_csp(void **state)
{
	char dir[512];
	size_t len;
	char *page;

	(void)state;
	assert_int_equal(scratch_make(dir, sizeof dir, "test_html"), 0);
	page = page_of(dir, 1, 500, &len);
	assert_non_null(strstr(page, "<meta http-equiv=\"Content-Security-Policy\""
	                             " content=\"default-src 'none'; style-src"));
	assert_true(strstr(page, "Content-Security-Policy") <
	            strstr(page, "<style>"));
	assert_hash(page, "<style>", "</style>", "style-src");
	assert_hash(page, "<script>", "</script>", "script-src");
	/* nothing to fetch */
	assert_null(strstr(page, "http:"));
	assert_null(strstr(page, "https:"));
	assert_null(strstr(page, "src="));
	assert_null(strstr(page, "url("));
	assert_null(strstr(page, "@import"));
	assert_null(strstr(page, " style=\""));
	free(page);
	assert_int_equal(scratch_remove(dir), 0);
}

static void
test_page_same_twice(void **state)
{
	char dir[512];
	size_t l1, l2;
	char *p1, *p2;

	(void)state;
	assert_int_equal(scratch_make(dir, sizeof dir, "test_html"), 0);
	p1 = page_of(dir, 2, 500, &l1);
	p2 = page_of(dir, 2, 500, &l2);
	assert_int_equal(l1, l2);
	assert_memory_equal(p1, p2, l1);
	free(p1);
	free(p2);
	assert_int_equal(scratch_remove(dir), 0);
}

static void
test_unfinished_page_leaves_nothing(void **state)
{
	struct html_opts o = {.max_cards = 10};
	char dir[512], path[1024], err[256];
	struct hostile h;
	struct html *hp;
	FILE *f;
	size_t len;
	char *old;

	(void)state;
	assert_int_equal(scratch_make(dir, sizeof dir, "test_html"), 0);
	scratch_path(dir, path, sizeof path, "report.html");
	/* an earlier page stays as it was */
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("earlier", f);
	fclose(f);
	hostile_new(&h);
	hp = html_open(path, &o, err, sizeof err);
	assert_non_null(hp);
	html_conn(hp, &h.x->f, &h.x->d);
	html_free(hp);
	hostile_free(&h);
	assert_int_equal(files_in(dir), 1);
	old = slurp(path, &len);
	assert_string_equal(old, "earlier");
	free(old);
	assert_int_equal(scratch_remove(dir), 0);
}

static void
test_open_fails_with_reason(void **state)
{
	struct html_opts o = {.max_cards = 10};
	char err[256] = "";

	(void)state;
	assert_null(html_open("/nonexistent-dir-of-tlsautopsy/r.html", &o, err,
	                      sizeof err));
	assert_non_null(strstr(err, "--html /nonexistent-dir-of-tlsautopsy/"
	                            "r.html: "));
	assert_non_null(strstr(err, "No such file or directory"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_esc_every_byte),
	    cmocka_unit_test(test_esc_utf8),
	    cmocka_unit_test(test_esc_cut),
	    cmocka_unit_test(test_card_every_byte),
	    cmocka_unit_test(test_page_cards_then_rest),
	    cmocka_unit_test(test_page_csp),
	    cmocka_unit_test(test_page_same_twice),
	    cmocka_unit_test(test_unfinished_page_leaves_nothing),
	    cmocka_unit_test(test_open_fails_with_reason),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
