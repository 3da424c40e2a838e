/* report_text.c: the report a person reads on a terminal or in a mail. */
#include <inttypes.h>

#include "fmt.h"
#include "report.h"
#include "service.h"

static const char *
end_words(enum tcp_end e)
{
	switch (e) {
	case TCP_END_OPEN:
		return "still open when the capture ended";
	case TCP_END_FIN:
		return "closed with FIN";
	case TCP_END_RST:
		return "reset (RST)";
	case TCP_END_TIMEOUT:
		return "went idle past the idle timeout";
	case TCP_END_NO_ANSWER:
		return "SYN never answered";
	case TCP_END_REFUSED:
		return "refused: SYN answered by RST";
	}
	return "?";
}

/* "10.0.0.5:51234" or "[2001:db8::5]:51234" */
static const char *
endpoint_str(char *buf, size_t len, const struct pkt_addr *a, uint16_t port)
{
	char ip[FMT_ADDR_LEN];

	fmt_addr(ip, sizeof ip, a);
	snprintf(buf, len, a->family == 6 ? "[%s]:%u" : "%s:%u", ip, port);
	return buf;
}

void
report_text_conn(FILE *out, const struct report_opts *o,
                 const struct capture *cap, const struct conn_facts *f)
{
	const struct conn *c = f->conn;
	const struct tcp_outcome *t = &f->tcp;
	char ca[FMT_ADDR_LEN + 8], sa[FMT_ADDR_LEN + 8], ts[FMT_TIME_LEN];
	const char *by = tcp_side_str(t->end_by);
	const char *bold = o->color ? "\033[1m" : "";
	const char *off = o->color ? "\033[0m" : "";

	fprintf(out, "%s%s -> %s%s (%s)  %s UTC\n", bold,
	        endpoint_str(ca, sizeof ca, &c->caddr, c->cport),
	        endpoint_str(sa, sizeof sa, &c->saddr, c->sport), off,
	        service_name(c->svc), fmt_time_human(ts, sizeof ts, c->first_ts));
	if (cap != NULL)
		fprintf(out, "  capture: %s, frames %" PRIu64 "..%" PRIu64 " (%u frames)\n",
		        capture_file_name(cap, TA_FRAME_FILE(c->first_frame)),
		        (uint64_t)TA_FRAME_NO(c->first_frame),
		        (uint64_t)TA_FRAME_NO(c->tcp.last_frame), t->frames);
	fprintf(out, "  tcp: %s", end_words(t->end));
	if (by != NULL)
		fprintf(out, ", by the %s%s", by, t->inferred ? " (inferred)" : "");
	if (t->end != TCP_END_OPEN && t->end != TCP_END_TIMEOUT)
		fprintf(out, " at frame %" PRIu64, (uint64_t)TA_FRAME_NO(t->end_frame));
	if (t->rtt_known)
		fprintf(out, "; SYN round trip %.1f ms", t->syn_rtt_ms);
	fprintf(out, "\n");
	if (t->middlebox_suspected)
		fprintf(out, "  finding: middlebox-rst-suspected (one signal only, "
		             "not enough to say a middlebox sent it)\n");
	for (unsigned i = 0; i < t->nevidence && i < TCP_EVIDENCE_MAX; i++)
		fprintf(out, "    - %s\n", t->evidence[i]);
	fprintf(out, "\n");
}

static void
counts_line(FILE *out, const struct report_counts *rc)
{
	static const enum tcp_end order[] = {
	    TCP_END_FIN, TCP_END_RST, TCP_END_REFUSED, TCP_END_NO_ANSWER,
	    TCP_END_TIMEOUT, TCP_END_OPEN,
	};
	bool first = true;

	fprintf(out, "%" PRIu64 " connection%s", rc->conns,
	        rc->conns == 1 ? "" : "s");
	for (size_t i = 0; i < TA_ELEMENTS(order); i++) {
		uint64_t n = rc->by_end[order[i]];
		if (n == 0)
			continue;
		fprintf(out, "%s%" PRIu64 " %s", first ? ": " : ", ", n,
		        tcp_end_str(order[i]));
		first = false;
	}
	fprintf(out, "\n");
}

void
report_text_summary(FILE *out, const struct report_opts *o,
                    const struct report_counts *rc,
                    const struct analyzer_stats *st,
                    const struct cap_stats *cs)
{
	(void)o;
	fprintf(out, "Summary: ");
	counts_line(out, rc);
	fprintf(out,
	        "  frames %" PRIu64 " (%" PRIu64 " bytes): TCP %" PRIu64
	        ", not IP %" PRIu64 ", not TCP %" PRIu64 ", IP fragments %" PRIu64
	        ", cut short %" PRIu64 ", malformed %" PRIu64
	        ", payload cut by snaplen %" PRIu64 "\n",
	        st->frames, st->bytes, st->tcp, st->not_ip, st->not_tcp,
	        st->fragments, st->short_frames, st->malformed, st->payload_cut);
	fprintf(out,
	        "  connections: %" PRIu64 " tracked, %" PRIu64
	        " evicted (table full), %" PRIu64 " reused 4-tuples, %" PRIu64
	        " seen without their SYN, %" PRIu64 " at most at once; %" PRIu64
	        " TCP packets of other ports\n",
	        st->flow.conns, st->flow.evicted, st->flow.reused,
	        st->flow.midstream, st->flow.peak, st->flow.ignored);
	if (cs->kernel_known)
		fprintf(out,
		        "  kernel: %" PRIu64 " packets received, %" PRIu64
		        " dropped (buffer), %" PRIu64 " dropped by the interface\n",
		        cs->kernel_recv, cs->kernel_drop, cs->ifdrop);
	if (cs->damaged_files > 0)
		fprintf(out, "  unreadable input: %u file%s ended in damage "
		             "(analysed up to there)\n",
		        cs->damaged_files, cs->damaged_files == 1 ? "" : "s");
}
