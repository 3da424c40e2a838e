/* report_json.c: one JSON object per connection (doc/json.md). */
#include "fmt.h"
#include "json.h"
#include "report.h"
#include "service.h"

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

static void
frame_ref(struct json *j, const char *key, ta_frame f)
{
	json_uint(j, key, TA_FRAME_NO(f));
}

static void
tcp_object(struct json *j, const struct conn_facts *f)
{
	const struct tcp_outcome *t = &f->tcp;
	const char *by = tcp_side_str(t->end_by);

	json_obj(j, "tcp");
	json_str(j, "end", tcp_end_str(t->end));
	if (by != NULL)
		json_str(j, "end_by", by);
	else
		json_null(j, "end_by");
	frame_ref(j, "end_frame", t->end_frame);
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

void
report_json_conn(struct json *j, const struct capture *cap,
                 const struct conn_facts *f)
{
	const struct conn *c = f->conn;
	char ts[FMT_TIME_LEN];

	json_str(j, "ts", fmt_time_iso(ts, sizeof ts, c->first_ts));
	json_str(j, "end_ts", fmt_time_iso(ts, sizeof ts, f->tcp.end_ts));
	frame_ref(j, "first_frame", c->first_frame);
	if (cap != NULL)
		json_str(j, "file",
		         capture_file_name(cap, TA_FRAME_FILE(c->first_frame)));
	else
		json_null(j, "file");
	endpoint(j, "client", &c->caddr, c->cport);
	endpoint(j, "server", &c->saddr, c->sport);
	json_str(j, "service", service_name(c->svc));
	tcp_object(j, f);
	json_arr(j, "findings");
	if (f->tcp.middlebox_suspected)
		json_str(j, NULL, "middlebox-rst-suspected");
	json_close(j);
}
