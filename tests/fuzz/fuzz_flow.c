/*
 * fuzz_flow.c: the whole packet path on hostile input: decode, flow table,
 * TCP tracking, reassembly, IMAP/TLS session layers, diagnosis and the
 * text, JSON and CSV renderers. The input is a sequence of frames:
 *   u8 link (modulo the link types), u8 time step (ms), u16 length, bytes
 * so that the fuzzer can build connections packet by packet. Every JSON
 * line must be valid UTF-8 (checked); everything else is for the
 * sanitizers to judge.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"
#include "diag/diag.h"
#include "report/json.h"
#include "report/report.h"
#include "util/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct sink {
	struct json json;
	FILE *devnull;
};

static const char *
on_conn(void *ctx, const struct conn_facts *f)
{
	struct sink *s = ctx;
	struct diag_result *d = malloc(sizeof *d);
	struct report_opts o = {.all = true, .verbose = 1};
	const char *line;
	size_t n, i = 0;
	const char *problem;

	struct diag_result *q = malloc(sizeof *q);

	if (d == NULL || q == NULL) {
		free(d);
		free(q);
		return NULL;
	}
	/* The text-free decision the report makes first must be the same. */
	diag_decide_verdict(f, q);
	diag_decide(f, d);
	if (q->verdict != d->verdict || q->severity != d->severity ||
	    q->findings != d->findings || q->inferred != d->inferred ||
	    q->waiting_on != d->waiting_on)
		abort();
	free(q);
	problem = d->severity != DIAG_SEV_OK ? diag_verdict_str(d->verdict)
	                                     : NULL;
	json_begin(&s->json);
	report_json_conn(&s->json, NULL, f, d);
	line = json_end(&s->json);
	n = strlen(line);
	while (i < n) {
		uint32_t cp;
		size_t l = utf8_seq((const uint8_t *)line + i, n - i, &cp);
		if (l == 0)
			abort(); /* the JSON writer let invalid UTF-8 through */
		i += l;
	}
	report_text_conn(s->devnull, &o, NULL, f, d);
	report_csv_conn(s->devnull, NULL, f, d);
	free(d);
	return problem;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct analyzer_config cfg;
	struct analyzer *a;
	struct sink s;
	size_t off = 0;
	uint64_t frame = 0;
	ta_time now = 1764288000ULL * TA_NS_PER_SEC;

	memset(&cfg, 0, sizeof cfg);
	service_map_defaults(&cfg.svc);
	cfg.svc.by_port[443] = SVC_TLS;
	cfg.max_conns = 16; /* small, so eviction runs too */
	cfg.idle_timeout = 30 * TA_NS_PER_SEC;
	json_init(&s.json, 1u << 20);
	s.devnull = fopen("/dev/null", "w");
	if (s.devnull == NULL)
		return 0;
	a = analyzer_new(&cfg, on_conn, &s);
	if (a == NULL) {
		fclose(s.devnull);
		return 0;
	}
	while (size - off >= 4) {
		struct cap_pkt p;
		uint8_t *copy;
		size_t len = (size_t)data[off + 2] << 8 | data[off + 3];

		if (len > size - off - 4)
			len = size - off - 4;
		memset(&p, 0, sizeof p);
		p.link = (enum pkt_link)(data[off] % (PKT_LINK_LAST + 1));
		now += (ta_time)data[off + 1] * TA_NS_PER_MS;
		/* An exact-size copy, so any overread is caught. */
		copy = malloc(len ? len : 1);
		if (copy == NULL)
			break;
		memcpy(copy, data + off + 4, len);
		p.data = copy;
		p.caplen = (uint32_t)len;
		p.len = (uint32_t)len;
		p.ts = now;
		p.frame = TA_FRAME(0, ++frame);
		analyzer_packet(a, &p);
		free(copy);
		off += 4 + len;
	}
	analyzer_finish(a);
	analyzer_free(a);
	json_free(&s.json);
	fclose(s.devnull);
	return 0;
}
