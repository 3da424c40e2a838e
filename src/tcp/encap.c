/* encap.c: the tunnels a connection came through (encap.h). */
#include <stdlib.h>
#include <string.h>

#include "tcp/encap.h"

static bool
addr_eq(const struct pkt_addr *x, const struct pkt_addr *y)
{
	return pkt_addr_eq(x, y);
}

/* The same layers, each tunnel's end points swapped: the way back. */
static bool
mirrors(const struct pkt_encap *a, unsigned na, const struct pkt_encap *b,
        unsigned nb)
{
	if (na != nb)
		return false;
	for (unsigned i = 0; i < na; i++) {
		if (a[i].type != b[i].type || a[i].has_id != b[i].has_id ||
		    a[i].id != b[i].id || a[i].has_outer != b[i].has_outer)
			return false;
		if (a[i].has_outer && (!addr_eq(&a[i].outer_src, &b[i].outer_dst) ||
		                       !addr_eq(&a[i].outer_dst, &b[i].outer_src)))
			return false;
	}
	return true;
}

static struct conn_encap *
sized(struct conn_encap *old, unsigned nlayers)
{
	return realloc(old, sizeof *old + nlayers * sizeof old->layer[0]);
}

bool
conn_encap_note(struct conn_encap **e, enum tcp_dir dir, bool earlier,
                bool other_seen, const struct pkt *p)
{
	struct conn_encap *r = *e;
	unsigned n = p->nencap;
	enum tcp_dir other = tcp_dir_other(dir);

	if (r == NULL) {
		/* Bare so far; a direction whose first frame came bare
		 * stays so. */
		if (n == 0 || earlier)
			return true;
		r = sized(NULL, n);
		if (r == NULL)
			return false;
		memset(r, 0, sizeof *r);
		r->seen[dir] = true;
		r->n[dir] = (uint8_t)n;
		r->seen[other] = other_seen;
		memcpy(r->layer, p->encap, n * sizeof r->layer[0]);
		*e = r;
		return true;
	}
	if (r->seen[dir])
		return true;
	r->seen[dir] = true;
	if (n == 0)
		return true;
	if (r->n[other] > 0 &&
	    mirrors(r->layer, r->n[other], p->encap, n)) {
		/* Keep the client's copy; the server's is implied. */
		if (dir == TCP_DIR_C2S)
			memcpy(r->layer, p->encap, n * sizeof r->layer[0]);
		r->n[TCP_DIR_C2S] = (uint8_t)n;
		r->n[TCP_DIR_S2C] = 0;
		r->mirror = true;
		return true;
	}
	r = sized(r, (unsigned)r->n[other] + n);
	if (r == NULL) {
		(*e)->seen[dir] = false;
		return false;
	}
	if (dir == TCP_DIR_C2S) {
		/* The client's layers go first. */
		memmove(r->layer + n, r->layer, r->n[other] * sizeof r->layer[0]);
		memcpy(r->layer, p->encap, n * sizeof r->layer[0]);
	} else {
		memcpy(r->layer + r->n[other], p->encap, n * sizeof r->layer[0]);
	}
	r->n[dir] = (uint8_t)n;
	*e = r;
	return true;
}

const struct pkt_encap *
conn_encap_layers(const struct conn_encap *e, enum tcp_dir dir, unsigned *n,
                  bool *seen, bool *mirrored)
{
	*n = 0;
	*seen = false;
	*mirrored = false;
	if (e == NULL || !e->seen[dir])
		return NULL;
	*seen = true;
	if (dir == TCP_DIR_S2C && e->mirror) {
		*mirrored = true;
		*n = e->n[TCP_DIR_C2S];
		return e->layer;
	}
	*n = e->n[dir];
	if (*n == 0)
		return NULL;
	return dir == TCP_DIR_C2S ? e->layer : e->layer + e->n[TCP_DIR_C2S];
}

void
conn_encap_free(struct conn_encap **e)
{
	free(*e);
	*e = NULL;
}
