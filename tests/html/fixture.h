/*
 * fixture.h: one connection's facts built by hand for the ladder and HTML
 * tests: what timeline_build(), ladder_build() and the cards read.
 */
#ifndef HTML_FIXTURE_H
#define HTML_FIXTURE_H

#include <stdlib.h>
#include <string.h>

#include "analyzer.h"
#include "diag/diag.h"

#define FX_MS TA_NS_PER_MS
#define FX_T0 (1764288000ULL * TA_NS_PER_SEC) /* 2025-11-28 00:00:00 UTC */

struct fx {
	struct conn c;
	struct conn_facts f;
	struct starttls_facts st;
	struct tls_facts tls;
	struct diag_result d;
};

static inline struct fx *
fx_new(void)
{
	struct fx *x = calloc(1, sizeof *x);

	if (x == NULL)
		abort();
	tcp_track_init(&x->c.tcp);
	tls_facts_init(&x->tls);
	x->c.caddr.family = 4;
	memcpy(x->c.caddr.a, "\xc0\x00\x02\x07", 4);
	x->c.saddr.family = 4;
	memcpy(x->c.saddr.a, "\xc6\x33\x64\x09", 4);
	x->c.cport = 50123;
	x->c.sport = 993;
	x->c.svc = SVC_IMAPS;
	x->c.first_ts = FX_T0;
	x->f.conn = &x->c;
	x->f.why = TCP_FINISH_CLOSED;
	x->f.tcp.end = TCP_END_OPEN;
	x->d.verdict = DIAG_TCP_RESET;
	x->d.severity = DIAG_SEV_ERROR;
	return x;
}

static inline void
fx_free(struct fx *x)
{
	tls_facts_free(&x->tls);
	free(x);
}

/* The capture time of a frame (t0 + at), as the flow layer notes it. */
static inline void
fx_time(struct fx *x, ta_frame frame, ta_time at)
{
	struct frame_times *t = &x->c.times;

	if (t->n < FLOW_FRAME_TIMES) {
		t->frame[t->n] = frame;
		t->ts[t->n] = FX_T0 + at;
		t->n++;
	}
	if (x->c.first_frame == 0)
		x->c.first_frame = frame;
	x->c.tcp.last_frame = frame;
}

/* SYN (frame 1, t0) and SYN-ACK (frame 2, t0 + synack). */
static inline void
fx_tcp(struct fx *x, ta_time synack)
{
	x->c.tcp.syn_frame = 1;
	x->c.tcp.syns = 1;
	x->c.tcp.synack_frame = 2;
	fx_time(x, 1, 0);
	fx_time(x, 2, synack);
}

/* A ClientHello in frame, at t0 + at, with sni (NUL-terminated bytes). */
static inline void
fx_client_hello(struct fx *x, ta_frame frame, ta_time at, const char *sni,
                size_t sni_len)
{
	struct tls_client_hello *ch = &x->tls.client_hello;

	x->tls.client_hello_seen = true;
	x->tls.client_hello_frame = frame;
	ch->legacy_version = 0x0303;
	ch->ciphers.v[0] = 0xc02f;
	ch->ciphers.count = 1;
	if (sni != NULL) {
		size_t keep = sni_len < TLS_HS_SNI_MAX ? sni_len : TLS_HS_SNI_MAX;

		ch->has_sni = true;
		ch->sni_len = (uint16_t)sni_len;
		memcpy(ch->sni, sni, keep);
		ch->sni[keep] = 0;
	}
	x->f.tls = &x->tls;
	fx_time(x, frame, at);
}

/* The connection ends at frame (t0 + at) with a FIN or RST by `by`. */
static inline void
fx_end(struct fx *x, enum tcp_end end, enum tcp_side by, ta_frame frame,
       ta_time at)
{
	x->f.tcp.end = end;
	x->f.tcp.end_by = by;
	x->f.tcp.end_frame = frame;
	fx_time(x, frame, at);
}

#endif
