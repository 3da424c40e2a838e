/* report_json_summary.c: the run summary as one JSON object, the last line
 * of --json and the content of --summary-json (doc/json.md "The summary
 * line"). It says what the text summary says, from the same counters. */
#include "util/fmt.h"
#include "report/json.h"
#include "report/report.h"
#include "report/run_summary.h"
#include "report/server_summary.h"
#include "service.h"

static void
time_or_null(struct json *j, const char *key, bool known, ta_time t)
{
	char ts[FMT_TIME_LEN];

	if (known)
		json_str(j, key, fmt_time_iso(ts, sizeof ts, t));
	else
		json_null(j, key);
}

/* Counts by verdict id: every id when all, else the ones not zero (a
 * server's map: a large capture has thousands of servers). */
static void
verdict_counts(struct json *j, const char *key, const uint64_t *n, bool all)
{
	json_obj(j, key);
	for (unsigned v = 0; v < DIAG_VERDICT_COUNT; v++)
		if (all || n[v] != 0)
			json_uint(j, diag_verdict_str((enum diag_verdict)v), n[v]);
	json_close(j);
}

static void
probe_kinds(struct json *j, const char *key, const uint64_t *n, bool all)
{
	json_obj(j, key);
	for (unsigned k = 1; k < TCP_PROBE_KINDS; k++)
		if (all || n[k] != 0)
			json_uint(j, tcp_probe_str((enum tcp_probe)k), n[k]);
	json_close(j);
}

static void
counts(struct json *j, const struct report_counts *rc)
{
	json_uint(j, "connections", rc->conns);
	json_uint(j, "reported", rc->shown);
	json_uint(j, "problems", rc->problems);
	json_obj(j, "by_severity");
	json_uint(j, "error", rc->errors);
	json_uint(j, "warning", rc->warnings);
	json_uint(j, "ok", rc->conns - rc->problems);
	json_close(j);
	verdict_counts(j, "by_verdict", rc->by_verdict, true);
	json_obj(j, "by_tcp_end");
	for (unsigned e = 0; e < TA_ELEMENTS(rc->by_end); e++)
		json_uint(j, tcp_end_str((enum tcp_end)e), rc->by_end[e]);
	json_close(j);
}

static void
watched(struct json *j, const struct service_map *svc)
{
	json_arr(j, "watched");
	for (uint32_t port = 1; svc != NULL && port < 65536; port++) {
		enum service sv = service_of_port(svc, (uint16_t)port);

		if (sv == SVC_NONE)
			continue;
		json_obj(j, NULL);
		json_uint(j, "port", port);
		json_str(j, "service", service_name(sv));
		json_close(j);
	}
	json_close(j);
}

/* Streams that started on unwatched ports: every one the text summary
 * counts, in its order, and the -p options it suggests. */
static void
other_ports(struct json *j, const struct port_census *pc, bool add)
{
	const struct port_census_entry *e[CENSUS_PORTS];
	unsigned n, listed;
	char rerun[RUN_SUMMARY_TOP * 24];

	n = run_census_ports(pc, e, CENSUS_PORTS, &listed);
	json_obj(j, "other_ports");
	json_arr(j, "streams");
	for (unsigned i = 0; i < n; i++) {
		char watch[24];

		snprintf(watch, sizeof watch, "%u/%s", (unsigned)e[i]->port,
		         run_census_service(e[i]));
		json_obj(j, NULL);
		json_uint(j, "port", e[i]->port);
		json_str(j, "kind", run_census_kind(e[i]));
		json_uint(j, "count", e[i]->count);
		json_str(j, "watch", watch);
		json_close(j);
	}
	json_close(j);
	json_uint(j, "not_listed", pc != NULL ? pc->others : 0);
	if (n > 0)
		json_str(j, "rerun", run_census_rerun(rerun, sizeof rerun, e,
		                                      n < RUN_SUMMARY_TOP
		                                          ? n
		                                          : RUN_SUMMARY_TOP,
		                                      add));
	else
		json_null(j, "rerun");
	json_close(j);
}

static void
frames(struct json *j, const struct analyzer_stats *st,
       const struct cap_stats *cs)
{
	json_obj(j, "frames");
	json_uint(j, "total", st->frames);
	json_uint(j, "bytes", st->bytes);
	json_uint(j, "tcp", st->tcp);
	json_uint(j, "not_ip", st->not_ip);
	json_uint(j, "not_tcp", st->not_tcp);
	json_uint(j, "ip_fragments", st->fragments);
	json_uint(j, "cut_short", st->short_frames);
	json_uint(j, "malformed", st->malformed + st->lying_len);
	json_uint(j, "payload_cut", st->payload_cut);
	json_uint(j, "vlan_tagged", st->vlan);
	json_uint(j, "clock_back", st->clock_back);
	json_uint(j, "ts_out_of_range", cs != NULL ? cs->ts_out_of_range : 0);
	json_uint(j, "ts_absent", cs != NULL ? cs->ts_absent : 0);
	json_close(j);
}

static void
flow(struct json *j, const struct flow_stats *fs)
{
	json_obj(j, "flow");
	json_uint(j, "tracked", fs->conns);
	json_uint(j, "evicted", fs->evicted);
	json_uint(j, "reused", fs->reused);
	json_uint(j, "midstream", fs->midstream);
	json_uint(j, "peak", fs->peak);
	json_uint(j, "other_port_packets", fs->ignored);
	json_close(j);
}

static void
probes(struct json *j, const struct capture *cap, const struct probes *pr)
{
	static const uint64_t none[TCP_PROBE_KINDS];
	const struct probe_source *src[PROBES_SOURCES];
	unsigned n, listed;
	char ip[FMT_ADDR_LEN];

	n = run_probe_sources(pr, src, PROBES_SOURCES, &listed);
	json_obj(j, "probes");
	json_uint(j, "total", pr != NULL ? pr->total : 0);
	probe_kinds(j, "by_kind", pr != NULL ? pr->by_kind : none, true);
	json_arr(j, "sources");
	for (unsigned i = 0; i < n; i++) {
		json_obj(j, NULL);
		json_str(j, "ip", fmt_addr(ip, sizeof ip, &src[i]->addr));
		json_uint(j, "probes", src[i]->probes);
		probe_kinds(j, "by_kind", src[i]->by_kind, false);
		json_close(j);
	}
	json_close(j);
	/* Sources forgotten when the table of them was full. */
	json_uint(j, "unlisted", pr != NULL ? pr->forgotten : 0);
	if (pr != NULL && pr->rst_payload.frame != 0) {
		char d[128];
		ta_frame f = pr->rst_payload.frame;

		tcp_rst_payload_desc(&pr->rst_payload, d, sizeof d);
		json_obj(j, "rst_payload");
		if (cap != NULL)
			json_str(j, "file",
			         capture_file_name(cap, TA_FRAME_FILE(f)));
		else
			json_null(j, "file");
		json_uint(j, "frame", TA_FRAME_NO(f));
		json_uint(j, "bytes", pr->rst_payload.len);
		json_str(j, "text", d);
		json_close(j);
	} else {
		json_null(j, "rst_payload");
	}
	json_close(j);
}

static void
tunnels(struct json *j, const struct analyzer_stats *st)
{
	json_obj(j, "tunnels");
	json_uint(j, "frames", st->tunnelled);
	json_obj(j, "by_type");
	/* VLAN tags are no tunnel: frames.vlan_tagged counts them. */
	for (unsigned t = PKT_ENC_VLAN + 1; t <= PKT_ENC_LAST; t++)
		if (st->by_encap[t] != 0)
			json_uint(j, pkt_encap_name((enum pkt_encap_type)t),
			          st->by_encap[t]);
	json_close(j);
	json_uint(j, "undecoded", st->tunnel_undecoded);
	json_close(j);
}

static void
kernel(struct json *j, const struct cap_stats *cs)
{
	if (!cs->kernel_known) {
		json_null(j, "kernel");
		return;
	}
	json_obj(j, "kernel");
	json_uint(j, "received", cs->kernel_recv);
	json_uint(j, "dropped", cs->kernel_drop);
	json_uint(j, "interface_dropped", cs->ifdrop);
	json_close(j);
}

/* The servers past SERVER_SUMMARY_MAX come last, counted together: kept
 * aside to follow the list (their counts live as long as the table). */
struct servers_ctx {
	struct json *j;
	struct server_row others;
	bool have_others;
};

static void
server_counts(struct json *j, const struct server_row *r)
{
	json_uint(j, "connections", r->total);
	json_uint(j, "problems", r->problems);
	verdict_counts(j, "by_verdict", r->by_verdict, false);
}

static void
server_row(void *ctx, const struct server_row *r)
{
	struct servers_ctx *c = ctx;
	char ip[FMT_ADDR_LEN];

	if (r->addr == NULL) {
		c->others = *r;
		c->have_others = true;
		return;
	}
	json_obj(c->j, NULL);
	json_str(c->j, "ip", fmt_addr(ip, sizeof ip, r->addr));
	json_uint(c->j, "port", r->port);
	if (r->sni_len > 0)
		json_strn(c->j, "sni", r->sni, r->sni_len);
	else
		json_null(c->j, "sni");
	server_counts(c->j, r);
	json_close(c->j);
}

void
report_json_summary(struct json *j, const struct capture *cap,
                    const struct report_counts *rc,
                    const struct server_summary *servers,
                    const struct analyzer_stats *st,
                    const struct cap_stats *cs)
{
	unsigned nfiles = cap != NULL ? capture_nfiles(cap) : 0;
	struct servers_ctx sc = {.j = j};

	json_str(j, "type", "summary");
	json_arr(j, "files");
	for (unsigned i = 0; i < nfiles; i++)
		json_str(j, NULL, capture_file_name(cap, i));
	json_close(j);
	json_bool(j, "live", cap != NULL && capture_is_live(cap));
	time_or_null(j, "first_ts", st->frames > 0, st->first_ts);
	time_or_null(j, "last_ts", st->frames > 0, st->last_ts);
	counts(j, rc);
	watched(j, st->svc);
	other_ports(j, st->census, rc->conns > 0);
	frames(j, st, cs);
	flow(j, &st->flow);
	probes(j, cap, st->probes);
	tunnels(j, st);
	kernel(j, cs);
	json_uint(j, "damaged_files", cs->damaged_files);
	json_uint(j, "input_warnings", cs->warnings);
	/* Last: the bulkiest, thousands of servers in a large capture. */
	json_arr(j, "servers");
	(void)server_summary_each(servers, server_row, &sc);
	json_close(j);
	if (sc.have_others) {
		json_obj(j, "servers_not_listed");
		server_counts(j, &sc.others);
		json_close(j);
	} else {
		json_null(j, "servers_not_listed");
	}
}
