/* analyzer.c: capture -> decode -> flow -> TCP, and facts per connection. */
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"
#include "pkt.h"

struct analyzer {
	struct analyzer_config cfg;
	struct flow_table *flows;
	analyzer_conn_fn out;
	void *ctx;
	struct analyzer_stats st;
	ta_time now;             /* latest capture time seen */
};

static void
conn_ended(void *ctx, struct conn *c, enum tcp_finish why, ta_time now)
{
	struct analyzer *a = ctx;
	struct conn_facts f;

	memset(&f, 0, sizeof f);
	f.conn = c;
	f.why = why;
	tcp_track_finish(&c->tcp, why, now, &f.tcp);
	a->out(a->ctx, &f);
}

struct analyzer *
analyzer_new(const struct analyzer_config *cfg, analyzer_conn_fn out,
             void *ctx)
{
	struct analyzer *a = calloc(1, sizeof *a);

	if (a == NULL)
		return NULL;
	a->cfg = *cfg;
	if (a->cfg.idle_timeout == 0)
		a->cfg.idle_timeout = ANALYZER_DEFAULT_IDLE;
	a->out = out;
	a->ctx = ctx;
	a->flows = flow_table_new(cfg->max_conns, a->cfg.idle_timeout,
	                          conn_ended, a);
	if (a->flows == NULL) {
		free(a);
		return NULL;
	}
	return a;
}

static void
count_skip(struct analyzer *a, const struct pkt *p, enum dis_status rc)
{
	switch (p->skip) {
	case PKT_SKIP_NOT_IP:
		a->st.not_ip++;
		break;
	case PKT_SKIP_NOT_TCP:
		a->st.not_tcp++;
		break;
	case PKT_SKIP_FRAGMENT:
		a->st.fragments++;
		break;
	case PKT_SKIP_TRUNCATED:
		a->st.short_frames++;
		break;
	case PKT_SKIP_MALFORMED:
		a->st.malformed++;
		break;
	case PKT_SKIP_NONE:
		if (rc == DIS_SHORT)
			a->st.short_frames++;
		else
			a->st.malformed++;
		break;
	}
}

void
analyzer_packet(struct analyzer *a, const struct cap_pkt *cp)
{
	struct pkt p;
	enum dis_status rc;
	struct conn *c;
	enum tcp_dir dir;

	a->st.frames++;
	a->st.bytes += cp->caplen;
	if (a->st.frames == 1)
		a->st.first_ts = cp->ts;
	/* Capture time only moves forward, even if a file's clock stepped
	 * back: expiry must never run backwards. */
	if (cp->ts > a->now)
		a->now = cp->ts;
	a->st.last_ts = a->now;

	rc = pkt_decode(cp->link, cp->data, cp->caplen, &p);
	if (p.anomalies & PKT_A_VLAN)
		a->st.vlan++;
	if (rc != DIS_OK) {
		count_skip(a, &p, rc);
		goto expire;
	}
	a->st.tcp++;
	if (p.anomalies & PKT_A_TRUNCATED)
		a->st.payload_cut++;

	c = flow_lookup(a->flows, &a->cfg.svc, &p, cp->ts, cp->frame, &dir);
	if (c == NULL)
		goto expire;
	tcp_track_packet(&c->tcp, dir, &p, cp->ts, cp->frame);
	flow_touch(a->flows, c, cp->ts);
expire:
	flow_expire(a->flows, a->now);
}

void
analyzer_tick(struct analyzer *a, ta_time now)
{
	if (now > a->now)
		a->now = now;
	flow_expire(a->flows, a->now);
}

void
analyzer_finish(struct analyzer *a)
{
	flow_flush(a->flows, TCP_FINISH_CAPTURE_END, a->now);
}

void
analyzer_get_stats(const struct analyzer *a, struct analyzer_stats *st)
{
	*st = a->st;
	flow_get_stats(a->flows, &st->flow);
}

void
analyzer_free(struct analyzer *a)
{
	if (a == NULL)
		return;
	flow_table_free(a->flows);
	free(a);
}
