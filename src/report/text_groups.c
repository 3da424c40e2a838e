/* text_groups.c: identical reports shown once (text_groups.h). */
#include <stdlib.h>
#include <string.h>

#include "report/text_groups.h"
#include "util/wrap.h"

struct group {
	char *key, *block, *line;
	size_t key_len, block_len;
	uint64_t hash;
	uint64_t count;
	char *frames[TEXT_GROUPS_FRAMES];
	uint64_t *clients; /* distinct client address hashes */
	size_t nclients, clients_cap;
	enum diag_severity severity;
};

struct text_groups {
	struct group *g; /* in the order of first report */
	size_t n, cap;
	uint32_t *slots; /* open addressing: index + 1, 0 empty */
	size_t nslots;
	size_t bytes;
	size_t lines;    /* of the full reports, a group's line included */
	uint64_t conns;
};

struct text_groups *
text_groups_new(void)
{
	return calloc(1, sizeof(struct text_groups));
}

uint64_t
text_groups_hash(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

static char *
dup_n(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p != NULL) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

static bool
rehash(struct text_groups *t)
{
	size_t ns = t->nslots ? t->nslots * 2 : 64;
	uint32_t *s = calloc(ns, sizeof *s);

	if (s == NULL)
		return false;
	for (size_t i = 0; i < t->n; i++) {
		size_t at = (size_t)t->g[i].hash & (ns - 1);

		while (s[at] != 0)
			at = (at + 1) & (ns - 1);
		s[at] = (uint32_t)(i + 1);
	}
	free(t->slots);
	t->slots = s;
	t->nslots = ns;
	return true;
}

static struct group *
find(struct text_groups *t, const char *key, size_t len, uint64_t h)
{
	if (t->nslots == 0)
		return NULL;
	for (size_t at = (size_t)h & (t->nslots - 1); t->slots[at] != 0;
	     at = (at + 1) & (t->nslots - 1)) {
		struct group *g = &t->g[t->slots[at] - 1];

		if (g->hash == h && g->key_len == len &&
		    memcmp(g->key, key, len) == 0)
			return g;
	}
	return NULL;
}

static bool
note_client(struct text_groups *t, struct group *g, uint64_t client)
{
	for (size_t i = 0; i < g->nclients; i++)
		if (g->clients[i] == client)
			return true;
	if (g->nclients == g->clients_cap) {
		size_t nc = g->clients_cap ? g->clients_cap * 2 : 4;
		uint64_t *p = realloc(g->clients, nc * sizeof *p);

		if (p == NULL)
			return false;
		g->clients = p;
		t->bytes += (nc - g->clients_cap) * sizeof *p;
		g->clients_cap = nc;
	}
	g->clients[g->nclients++] = client;
	return true;
}

static bool
add_frame(struct text_groups *t, struct group *g, const char *frame)
{
	if (g->count < TEXT_GROUPS_FRAMES) {
		g->frames[g->count] = dup_n(frame, strlen(frame));
		if (g->frames[g->count] == NULL)
			return false;
		t->bytes += strlen(frame) + 1;
	}
	g->count++;
	return true;
}

static void
group_free(struct group *g)
{
	free(g->key);
	free(g->block);
	free(g->line);
	for (unsigned i = 0; i < TEXT_GROUPS_FRAMES; i++)
		free(g->frames[i]);
	free(g->clients);
}

bool
text_groups_add(struct text_groups *t, const struct text_member *m)
{
	uint64_t h = text_groups_hash(m->key, m->key_len);
	struct group *g = find(t, m->key, m->key_len, h);

	if (g == NULL) {
		if (t->n == t->cap) {
			size_t nc = t->cap ? t->cap * 2 : 16;
			struct group *p = realloc(t->g, nc * sizeof *p);

			if (p == NULL)
				return false;
			t->g = p;
			t->cap = nc;
		}
		if ((t->n + 1) * 2 > t->nslots && !rehash(t))
			return false;
		g = &t->g[t->n];
		memset(g, 0, sizeof *g);
		g->key = dup_n(m->key, m->key_len);
		g->block = dup_n(m->block, m->block_len);
		g->line = dup_n(m->line, strlen(m->line));
		if (g->key == NULL || g->block == NULL || g->line == NULL) {
			group_free(g);
			return false;
		}
		for (size_t i = 0; i < m->block_len; i++)
			t->lines += m->block[i] == '\n';
		g->key_len = m->key_len;
		g->block_len = m->block_len;
		g->hash = h;
		g->severity = m->severity;
		t->bytes += m->key_len + m->block_len + strlen(m->line) + 3 +
		            sizeof *g;
		t->n++;
		{
			size_t at = (size_t)h & (t->nslots - 1);

			while (t->slots[at] != 0)
				at = (at + 1) & (t->nslots - 1);
			t->slots[at] = (uint32_t)t->n;
		}
	}
	/* A group that lost a frame or a client to memory still counts it. */
	if (g->count == 1)
		t->lines++; /* "N connections like this" */
	(void)add_frame(t, g, m->frame);
	(void)note_client(t, g, m->client);
	t->conns++;
	return true;
}

uint64_t
text_groups_conns(const struct text_groups *t)
{
	return t->conns;
}

size_t
text_groups_reports(const struct text_groups *t)
{
	return t->n;
}

size_t
text_groups_lines(const struct text_groups *t)
{
	return t->lines;
}

size_t
text_groups_bytes(const struct text_groups *t)
{
	return t->bytes;
}

/* "7 connections like this (from 3 clients): frames 3, 40, 88, ..." */
static void
like_this(FILE *out, const struct group *g, const char *lead)
{
	fprintf(out, "%s%llu connections like this", lead,
	        (unsigned long long)g->count);
	if (g->nclients > 1)
		fprintf(out, " (from %zu clients)", g->nclients);
	fprintf(out, ": frame%s", g->count > 1 ? "s" : "");
	for (uint64_t i = 0; i < g->count && i < TEXT_GROUPS_FRAMES; i++)
		fprintf(out, "%s %s", i > 0 ? "," : "",
		        g->frames[i] != NULL ? g->frames[i] : "?");
	if (g->count > TEXT_GROUPS_FRAMES)
		fprintf(out, ", ... (%llu more)",
		        (unsigned long long)(g->count - TEXT_GROUPS_FRAMES));
}

static void
print_group(FILE *out, const struct group *g, bool compact)
{
	if (compact) {
		fputs(g->line, out);
		if (g->count > 1)
			like_this(out, g, "  [");
		fputs(g->count > 1 ? "]\n" : "\n", out);
		return;
	}
	if (g->count == 1) {
		fwrite(g->block, 1, g->block_len, out);
		return;
	}
	/* The block ends in a blank line: the group's line goes before it. */
	{
		size_t n = g->block_len;

		while (n > 0 && g->block[n - 1] == '\n')
			n--;
		fwrite(g->block, 1, n, out);
		fputc('\n', out);
		like_this(out, g, "  ");
		fputs("\n\n", out);
	}
}

void
text_groups_flush(struct text_groups *t, FILE *out, bool compact,
                  unsigned width)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem;

	for (size_t i = 0; i < t->n; i++) {
		struct group *g = &t->g[i];

		mem = width > 0 ? open_memstream(&buf, &len) : NULL;
		print_group(mem != NULL ? mem : out, g, compact);
		if (mem != NULL && fclose(mem) == 0)
			wrap_write(out, buf, len, width);
		free(buf);
		buf = NULL;
		group_free(g);
	}
	t->n = 0;
	t->bytes = 0;
	t->lines = 0;
	t->conns = 0;
	if (t->slots != NULL)
		memset(t->slots, 0, t->nslots * sizeof *t->slots);
}

void
text_groups_free(struct text_groups *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->n; i++)
		group_free(&t->g[i]);
	free(t->g);
	free(t->slots);
	free(t);
}
