/* server_summary.c: per-server verdict counts (see server_summary.h). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "util/fmt.h"
#include "report/server_summary.h"
#include "util/utf8.h"

struct server_entry {
	struct pkt_addr addr;
	uint16_t port;
	uint8_t sni_len;
	uint8_t sni[SERVER_SUMMARY_SNI];
	size_t order;          /* first seen: ties keep it, on any libc */
	uint64_t total;
	uint64_t problems;
	uint64_t by_verdict[DIAG_VERDICT_COUNT];
};

/*
 * The index maps (address, port, SNI) to an entry: open addressing with
 * linear probing over a power-of-two table of entry numbers plus one (0 is
 * empty), kept at most half full. It grows with the array, so its size is
 * bounded by SERVER_SUMMARY_MAX like the array's, and a lookup costs one
 * hash and a probe or two instead of a scan of every server.
 */
struct server_summary {
	struct server_entry *e;
	size_t n, cap;
	uint32_t *idx;
	size_t idx_cap;            /* power of two, or 0 before the first */
	struct server_entry others; /* past SERVER_SUMMARY_MAX */
	bool overflow;
};

struct server_summary *
server_summary_new(void)
{
	return calloc(1, sizeof(struct server_summary));
}

static bool
same(const struct server_entry *e, const struct pkt_addr *a, uint16_t port,
     const uint8_t *sni, size_t sni_len)
{
	return e->port == port && pkt_addr_eq(&e->addr, a) &&
	       e->sni_len == sni_len && memcmp(e->sni, sni, sni_len) == 0;
}

static uint64_t
mix(uint64_t h, uint64_t w)
{
	h = (h ^ w) * 0x9e3779b97f4a7c15ull;
	return h ^ (h >> 32);
}

/* Multiply and shift, 8 bytes a step (every connection looks its server
 * up); the table only needs a spread, not secrecy. */
static uint32_t
key_hash(const struct pkt_addr *a, uint16_t port, const uint8_t *sni,
         size_t sni_len)
{
	uint64_t h, w;
	size_t i;

	memcpy(&w, a->a, 8);
	h = mix((uint64_t)a->family << 16 | port, w);
	memcpy(&w, a->a + 8, 8);
	h = mix(h, w);
	for (i = 0; i + 8 <= sni_len; i += 8) {
		memcpy(&w, sni + i, 8);
		h = mix(h, w);
	}
	w = 0;
	memcpy(&w, sni + i, sni_len - i);
	h = mix(h, w ^ (uint64_t)sni_len << 56);
	return (uint32_t)(h ^ (h >> 29));
}

static void
idx_put(uint32_t *idx, size_t cap, uint32_t h, size_t entry)
{
	size_t mask = cap - 1;
	size_t i = h & mask;

	while (idx[i] != 0)
		i = (i + 1) & mask;
	idx[i] = (uint32_t)(entry + 1);
}

/* Double the index (rehashing every entry); false if out of memory. */
static bool
idx_grow(struct server_summary *s)
{
	size_t ncap = s->idx_cap ? s->idx_cap * 2 : 64;
	uint32_t *ni = calloc(ncap, sizeof *ni);

	if (ni == NULL)
		return false;
	for (size_t k = 0; k < s->n; k++) {
		const struct server_entry *e = &s->e[k];

		idx_put(ni, ncap, key_hash(&e->addr, e->port, e->sni,
		                           e->sni_len), k);
	}
	free(s->idx);
	s->idx = ni;
	s->idx_cap = ncap;
	return true;
}

static struct server_entry *
find(struct server_summary *s, const struct pkt_addr *a, uint16_t port,
     const uint8_t *sni, size_t sni_len)
{
	uint32_t h = key_hash(a, port, sni, sni_len);

	if (s->idx_cap != 0) {
		size_t mask = s->idx_cap - 1;

		for (size_t i = h & mask; s->idx[i] != 0; i = (i + 1) & mask) {
			struct server_entry *e = &s->e[s->idx[i] - 1];

			if (same(e, a, port, sni, sni_len))
				return e;
		}
	}
	if (s->n >= SERVER_SUMMARY_MAX) {
		s->overflow = true;
		return &s->others;
	}
	if (s->n == s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 16;
		struct server_entry *ne = realloc(s->e, ncap * sizeof *ne);
		if (ne == NULL) {
			s->overflow = true;
			return &s->others;
		}
		s->e = ne;
		s->cap = ncap;
	}
	/* At most half full, so a probe always meets an empty slot. */
	if ((s->n + 1) * 2 > s->idx_cap && !idx_grow(s)) {
		s->overflow = true;
		return &s->others;
	}
	memset(&s->e[s->n], 0, sizeof s->e[s->n]);
	s->e[s->n].order = s->n;
	s->e[s->n].addr = *a;
	s->e[s->n].port = port;
	s->e[s->n].sni_len = (uint8_t)sni_len;
	memcpy(s->e[s->n].sni, sni, sni_len);
	idx_put(s->idx, s->idx_cap, h, s->n);
	return &s->e[s->n++];
}

void
server_summary_add(struct server_summary *s, const struct conn_facts *f,
                   const struct diag_result *d)
{
	const uint8_t *sni = (const uint8_t *)"";
	size_t sni_len = 0;
	struct server_entry *e;

	if (f->tls != NULL && f->tls->client_hello_seen &&
	    f->tls->client_hello.has_sni) {
		sni = f->tls->client_hello.sni;
		sni_len = f->tls->client_hello.sni_len;
		if (sni_len > TLS_HS_SNI_MAX)
			sni_len = TLS_HS_SNI_MAX;
		if (sni_len > SERVER_SUMMARY_SNI)
			sni_len = SERVER_SUMMARY_SNI;
	}
	e = find(s, &f->conn->saddr, f->conn->sport, sni, sni_len);
	e->total++;
	if (d->severity != DIAG_SEV_OK)
		e->problems++;
	if ((unsigned)d->verdict < DIAG_VERDICT_COUNT)
		e->by_verdict[d->verdict]++;
}

static int
cmp_entry(const void *a, const void *b)
{
	const struct server_entry *x = a, *y = b;

	if (x->problems != y->problems)
		return x->problems > y->problems ? -1 : 1;
	if (x->total != y->total)
		return x->total > y->total ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* One line per server, written at once: a capture may hold thousands. */
static void
print_entry(const struct server_entry *e, FILE *out, const char *label)
{
	char line[2048];
	size_t o;
	int n;
	bool first = true;

	n = fmt_snprintf(line, sizeof line, "  %s: %llu connection%s", label,
	                 (unsigned long long)e->total, e->total == 1 ? "" : "s");
	o = n > 0 ? (size_t)n : 0;
	for (unsigned v = 0; v < DIAG_VERDICT_COUNT && o < sizeof line; v++) {
		if (e->by_verdict[v] == 0)
			continue;
		n = fmt_snprintf(line + o, sizeof line - o, "%s%llu %s",
		                 first ? ": " : ", ",
		                 (unsigned long long)e->by_verdict[v],
		                 diag_verdict_str((enum diag_verdict)v));
		o += n > 0 ? (size_t)n : 0;
		first = false;
	}
	if (o + 1 < sizeof line) {
		line[o] = '\n';
		fwrite(line, 1, o + 1, out);
		return;
	}
	/* Longer than any label and verdict list make it: never cut. */
	fprintf(out, "  %s: %" PRIu64 " connection%s", label, e->total,
	        e->total == 1 ? "" : "s");
	first = true;
	for (unsigned v = 0; v < DIAG_VERDICT_COUNT; v++) {
		if (e->by_verdict[v] == 0)
			continue;
		fprintf(out, "%s%" PRIu64 " %s", first ? ": " : ", ",
		        e->by_verdict[v], diag_verdict_str((enum diag_verdict)v));
		first = false;
	}
	fprintf(out, "\n");
}

void
server_summary_print(const struct server_summary *s, FILE *out)
{
	struct server_entry *sorted;

	if (s->n == 0)
		return;
	sorted = malloc(s->n * sizeof *sorted);
	if (sorted == NULL)
		return;
	memcpy(sorted, s->e, s->n * sizeof *sorted);
	qsort(sorted, s->n, sizeof *sorted, cmp_entry);
	fprintf(out, "Servers:\n");
	for (size_t i = 0; i < s->n; i++) {
		const struct server_entry *e = &sorted[i];
		char ip[FMT_ADDR_LEN], sni[SERVER_SUMMARY_SNI * 4 + 8];
		char label[FMT_ADDR_LEN + sizeof sni + 32];

		fmt_addr(ip, sizeof ip, &e->addr);
		if (e->sni_len > 0)
			utf8_sanitize(sni, sizeof sni, e->sni, e->sni_len);
		fmt_snprintf(label, sizeof label,
		             e->addr.family == 6 ? "[%s]:%u%s%s" : "%s:%u%s%s", ip,
		             e->port, e->sni_len > 0 ? " " : " (no SNI)",
		             e->sni_len > 0 ? sni : "");
		print_entry(e, out, label);
	}
	if (s->overflow)
		print_entry(&s->others, out, "other servers (not listed one by one)");
	free(sorted);
}

static void
row_of(struct server_row *r, const struct server_entry *e, bool others)
{
	r->addr = others ? NULL : &e->addr;
	r->port = e->port;
	r->sni = e->sni;
	r->sni_len = others ? 0 : e->sni_len;
	r->total = e->total;
	r->problems = e->problems;
	r->by_verdict = e->by_verdict;
}

bool
server_summary_each(const struct server_summary *s,
                    void (*fn)(void *ctx, const struct server_row *r),
                    void *ctx)
{
	struct server_entry *sorted = NULL;
	struct server_row row;

	if (s->n > 0) {
		sorted = malloc(s->n * sizeof *sorted);
		if (sorted == NULL)
			return false;
		memcpy(sorted, s->e, s->n * sizeof *sorted);
		qsort(sorted, s->n, sizeof *sorted, cmp_entry);
	}
	for (size_t i = 0; i < s->n; i++) {
		row_of(&row, &sorted[i], false);
		fn(ctx, &row);
	}
	if (s->overflow) {
		row_of(&row, &s->others, true);
		fn(ctx, &row);
	}
	free(sorted);
	return true;
}

void
server_summary_free(struct server_summary *s)
{
	if (s == NULL)
		return;
	free(s->e);
	free(s->idx);
	free(s);
}
