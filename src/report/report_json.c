/* report_json.c: one JSON object per connection (doc/json.md). */
#include "cert/certchain.h"
#include "util/fmt.h"
#include "report/json.h"
#include "report/report.h"
#include "service.h"
#include "diag/timeline.h"
#include "tcp/encap.h"

static void
endpoint(struct json *j, const char *key, const struct pkt_addr *a,
         uint16_t port)
{
	char ip[FMT_ADDR_LEN];

	json_obj(j, key);
	json_str(j, "ip", fmt_addr(ip, sizeof ip, a));
	json_uint(j, "port", port);
	json_close(j);
}

/* The server's endpoint, and the name it goes by (report_server_name). */
static void
server_endpoint(struct json *j, const struct conn_facts *f)
{
	const struct conn *c = f->conn;
	char ip[FMT_ADDR_LEN];
	const uint8_t *name;
	size_t len;
	const char *from = report_server_name(f, &name, &len);

	json_obj(j, "server");
	json_str(j, "ip", fmt_addr(ip, sizeof ip, &c->saddr));
	json_uint(j, "port", c->sport);
	if (from != NULL) {
		json_strn(j, "name", name, len);
		json_str(j, "name_from", from);
	} else {
		json_null(j, "name");
		json_null(j, "name_from");
	}
	json_close(j);
}

void
report_json_frame_file(struct json *j, const char *key,
                       const struct capture *cap, const struct conn *c,
                       ta_frame f)
{
	if (cap == NULL || c == NULL || f == 0 ||
	    TA_FRAME_FILE(f) == TA_FRAME_FILE(c->first_frame))
		return;
	json_str(j, key, capture_file_name(cap, TA_FRAME_FILE(f)));
}

static void
frame_ref(struct json *j, const char *key, ta_frame f)
{
	json_uint(j, key, TA_FRAME_NO(f));
}

/* Where the input had several interfaces: the connection's. */
static void
interface_object(struct json *j, const struct capture *cap,
                 const struct conn *c)
{
	const char *name;

	if (!report_iface(cap, c, &name))
		return;
	json_obj(j, "interface");
	json_uint(j, "index", c->iface);
	if (name != NULL)
		json_str(j, "name", name);
	if (c->iface_mixed)
		json_bool(j, "other_interfaces", true);
	json_close(j);
}

static void
tcp_object(struct json *j, const struct capture *cap,
           const struct conn_facts *f)
{
	struct tcp_outcome buf;
	const struct tcp_outcome *t = tcp_track_explain(&f->tcp, &buf);
	const char *by = tcp_side_str(t->end_by);

	json_obj(j, "tcp");
	json_str(j, "end", tcp_end_str(t->end));
	if (by != NULL)
		json_str(j, "end_by", by);
	else
		json_null(j, "end_by");
	frame_ref(j, "end_frame", t->end_frame);
	report_json_frame_file(j, "end_file", cap, f->conn, t->end_frame);
	json_uint(j, "frames", t->frames);
	if (t->rtt_known)
		json_num(j, "syn_rtt_ms", t->syn_rtt_ms, 3);
	else
		json_null(j, "syn_rtt_ms");
	json_bool(j, "inferred", t->inferred);
	json_arr(j, "evidence");
	for (unsigned i = 0; i < t->nevidence && i < TCP_EVIDENCE_MAX; i++)
		json_str(j, NULL, t->evidence[i]);
	json_close(j);
	json_close(j);
}

/* What the capture holds of the connection (doc/json.md "capture"). */
static void
capture_object(struct json *j, const struct capture *cap,
               const struct conn_facts *f)
{
	const char *missing = tcp_side_str(f->tcp.missing);

	json_obj(j, "capture");
	if (missing != NULL)
		json_str(j, "missing_direction", missing);
	else
		json_null(j, "missing_direction");
	json_bool(j, "midstream", f->tcp.midstream);
	json_arr(j, "gaps");
	for (int d = 0; f->conn != NULL && d < 2; d++) {
		const struct reasm *r = &f->conn->reasm[d];

		for (uint32_t i = 0; i < r->gaps && i < REASM_GAPS_KEPT; i++) {
			json_obj(j, NULL);
			json_str(j, "side", d == TCP_DIR_C2S ? "client"
			                                      : "server");
			frame_ref(j, "frame", r->gap_list[i].frame);
			report_json_frame_file(j, "file", cap, f->conn,
			                       r->gap_list[i].frame);
			json_uint(j, "bytes", r->gap_list[i].bytes);
			json_bool(j, "acked", r->gap_list[i].acked);
			json_bool(j, "snaplen", r->gap_list[i].cut);
			json_close(j);
		}
	}
	json_close(j);
	/* gaps lists the first REASM_GAPS_KEPT of each side; these count
	 * them all. */
	json_obj(j, "gap_totals");
	for (int d = 0; f->conn != NULL && d < 2; d++) {
		const struct reasm *r = &f->conn->reasm[d];

		if (r->gaps == 0)
			continue;
		json_obj(j, d == TCP_DIR_C2S ? "client" : "server");
		json_uint(j, "gaps", r->gaps);
		json_uint(j, "bytes", r->gap_bytes);
		json_uint(j, "acked_bytes", r->acked_gap_bytes);
		json_uint(j, "snaplen_bytes", r->cut_bytes);
		json_close(j);
	}
	json_close(j);
	json_close(j);
}

static bool
tls13_chosen(const struct conn_facts *f)
{
	return f->tls != NULL && f->tls->server_hello_seen &&
	       tls_rec_is_tls13(f->tls->server_hello.version);
}

static void
timeline_array(struct json *j, const struct capture *cap,
               const struct conn_facts *f)
{
	struct timeline tl;

	timeline_build(f, &tl);
	json_arr(j, "timeline");
	for (unsigned i = 0; i < tl.n; i++) {
		const struct timeline_event *e = &tl.ev[i];

		json_obj(j, NULL);
		json_uint(j, "frame", TA_FRAME_NO(e->frame));
		report_json_frame_file(j, "file", cap, f->conn, e->frame);
		if (e->ts_known && tl.t0_known)
			json_num(j, "ms", fmt_ms(tl.t0, e->ts), 3);
		else
			json_null(j, "ms");
		if (e->side == TL_NONE)
			json_null(j, "from");
		else
			json_str(j, "from", timeline_side_str(e->side));
		json_str(j, "event", e->text);
		json_close(j);
	}
	json_close(j);
}

static void
encap_list(struct json *j, const char *key, const struct pkt_encap *l,
           unsigned n, bool seen)
{
	char ip[FMT_ADDR_LEN];

	if (!seen) {
		json_null(j, key);
		return;
	}
	json_arr(j, key);
	for (unsigned i = 0; i < n; i++) {
		const char *name = pkt_encap_name((enum pkt_encap_type)l[i].type);

		json_obj(j, NULL);
		json_str(j, "type", name != NULL ? name : "unknown");
		if (l[i].has_outer) {
			json_str(j, "outer_src",
			         fmt_addr(ip, sizeof ip, &l[i].outer_src));
			json_str(j, "outer_dst",
			         fmt_addr(ip, sizeof ip, &l[i].outer_dst));
		} else {
			json_null(j, "outer_src");
			json_null(j, "outer_dst");
		}
		if (l[i].has_id)
			json_uint(j, "id", l[i].id);
		else
			json_null(j, "id");
		json_close(j);
	}
	json_close(j);
}

/*
 * The tunnels around the client's packets, and around the server's when
 * they are not the same way back; absent for a connection that came
 * through none.
 */
static void
encapsulation(struct json *j, const struct conn *c)
{
	const struct pkt_encap *cl, *sl;
	unsigned cn, sn;
	bool cseen, sseen, cmirror, smirror;

	if (c->encap == NULL)
		return;
	cl = conn_encap_layers(c->encap, TCP_DIR_C2S, &cn, &cseen, &cmirror);
	sl = conn_encap_layers(c->encap, TCP_DIR_S2C, &sn, &sseen, &smirror);
	encap_list(j, "encapsulation", cl, cn, cseen);
	if (sseen && !smirror)
		encap_list(j, "encapsulation_server", sl, sn, true);
}

/*
 * The verdict goes right after the endpoints: should a hostile connection
 * push its line to the size ceiling, the members dropped are the bulky
 * late ones, never what the connection was judged to be.
 */
static void
verdict(struct json *j, const struct diag_result *d)
{
	const char *w = diag_side_str(d->waiting_on);

	if (w != NULL)
		json_str(j, "waiting_on", w);
	else
		json_null(j, "waiting_on");
	json_str(j, "verdict", diag_verdict_str(d->verdict));
	json_str(j, "severity", diag_severity_str(d->severity));
	json_bool(j, "inferred", d->inferred);
	json_arr(j, "findings");
	for (unsigned b = 0; b < DIAG_FINDING_COUNT; b++)
		if (d->findings & (1u << b))
			json_str(j, NULL, diag_finding_str(1u << b));
	json_close(j);
	json_str(j, "summary", d->summary);
}

/* The reasons: evidence, likely causes, advice. */
static void
reasons(struct json *j, const struct capture *cap, const struct conn_facts *f,
        const struct diag_result *d)
{
	json_arr(j, "evidence");
	for (unsigned i = 0; i < d->nevidence && i < DIAG_MAX_EVIDENCE; i++) {
		json_obj(j, NULL);
		if (d->evidence[i].frame != 0)
			json_uint(j, "frame", TA_FRAME_NO(d->evidence[i].frame));
		else
			json_null(j, "frame");
		report_json_frame_file(j, "file", cap, f->conn,
		                       d->evidence[i].frame);
		json_str(j, "text", d->evidence[i].text);
		json_close(j);
	}
	json_close(j);
	if (d->ncauses > 0) {
		json_arr(j, "likely_causes");
		for (unsigned i = 0; i < d->ncauses && i < DIAG_MAX_CAUSES; i++)
			json_str(j, NULL, d->causes[i]);
		json_close(j);
	}
	json_str(j, "advice", d->advice);
}

void
report_json_conn(struct json *j, const struct capture *cap,
                 const struct conn_facts *f, const struct diag_result *d)
{
	const struct conn *c = f->conn;
	char ts[FMT_TIME_LEN];

	/* First, so that a reader can tell the line's kind before the rest. */
	json_str(j, "type", "connection");
	json_str(j, "ts", fmt_time_iso(ts, sizeof ts, c->first_ts));
	json_str(j, "end_ts", fmt_time_iso(ts, sizeof ts, f->tcp.end_ts));
	frame_ref(j, "first_frame", c->first_frame);
	if (cap != NULL)
		json_str(j, "file",
		         capture_file_name(cap, TA_FRAME_FILE(c->first_frame)));
	else
		json_null(j, "file");
	interface_object(j, cap, c);
	endpoint(j, "client", &c->caddr, c->cport);
	server_endpoint(j, f);
	json_str(j, "service", service_name(c->svc));
	verdict(j, d);
	encapsulation(j, c);
	report_json_starttls(j, f);
	report_json_tls(j, cap, f);
	if (f->cert != NULL || tls13_chosen(f)) {
		/* Seen, or hidden by TLS 1.3: the object says which. */
		report_json_cert(j, f->cert, f->cert != NULL ? f->cert->time : 0);
	} else {
		json_obj(j, "certificates");
		json_bool(j, "visible", false);
		json_close(j);
	}
	tcp_object(j, cap, f);
	capture_object(j, cap, f);
	reasons(j, cap, f, d);
	timeline_array(j, cap, f);
}
