/* report_text.c: the report a person reads on a terminal or in a mail. */
#include <inttypes.h>
#include <string.h>

#include "cert/certchain.h"
#include "tls/fingerprint.h"
#include "util/fmt.h"
#include "iana_tables.h"
#include "sniff.h"
#include "diag/timeline.h"
#include "tls/tls_names.h"
#include "util/utf8.h"
#include "report/ladder.h"
#include "report/report.h"
#include "report/run_summary.h"
#include "report/server_summary.h"
#include "service.h"
#include "tcp/encap.h"

const char *
report_text_end_words(enum tcp_end e)
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

#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

/*
 * Nothing utf8_sanitize() would change: printable ASCII but the
 * backslash, 8 bytes at a time. Most sentences are: they come from the
 * diagnosis, whose network bytes are made inert already.
 */
static bool
plain_ascii(const char *s, size_t n)
{
	size_t i = 0;
	uint64_t w;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		/* a byte below 0x20, from 0x7f up, or a backslash */
		if ((((w - 0x20 * ONES) | (w + 0x01 * ONES) | w) & HIGHS) != 0 ||
		    (((w ^ 0x5c * ONES) - ONES) & ~(w ^ 0x5c * ONES) & HIGHS) != 0)
			return false;
	}
	for (; i < n; i++)
		if (s[i] < 0x20 || s[i] >= 0x7f || s[i] == '\\')
			return false;
	return true;
}

/* Text for a terminal: escaped, bounded. A string that is plain and fits
 * is already what the sanitizers would make of it. */
static const char *
inert(char *buf, size_t len, const char *s,
      char *(*sanitize)(char *, size_t, const uint8_t *, size_t))
{
	size_t n = strlen(s);

	if (n < len && plain_ascii(s, n))
		return s;
	return sanitize(buf, len, (const uint8_t *)s, n);
}

/* Network bytes: a backslash doubled, so that \xNN reads unambiguously. */
static const char *
safe(char *buf, size_t len, const char *s)
{
	return inert(buf, len, s, utf8_sanitize);
}

/* The diagnosis's sentences: their network bytes are inert already, and
 * the certificate names they quote are RFC 4514 strings whose backslashes
 * are escapes. Control bytes and bidirectional controls are still shown
 * as escapes. */
static const char *
said(char *buf, size_t len, const char *s)
{
	return inert(buf, len, s, utf8_sanitize_text);
}

static void
timeline_text(FILE *out, const struct timeline *tl)
{
	char text[TIMELINE_TEXT * 4];

	if (tl->n == 0)
		return;
	fprintf(out, "  timeline:\n");
	for (unsigned i = 0; i < tl->n; i++) {
		const struct timeline_event *e = &tl->ev[i];
		char when[24] = "";

		if (e->ts_known && tl->t0_known)
			snprintf(when, sizeof when, "%10.3f ms",
			         fmt_ms(tl->t0, e->ts));
		fprintf(out, "    %13s  frame %-6" PRIu64 " %-6s  %s\n", when,
		        (uint64_t)TA_FRAME_NO(e->frame), timeline_side_str(e->side),
		        safe(text, sizeof text, e->text));
	}
	if (tl->dropped > 0)
		fprintf(out, "    (%u more events not shown)\n", tl->dropped);
}

/* -v: every offered suite with its name and class. */
static void
ciphers_text(FILE *out, const struct tls_client_hello *ch)
{
	char hex[TLS_NAMES_HEX_LEN];

	fprintf(out, "  offered cipher suites, in the client's order:\n");
	for (uint16_t i = 0; i < ch->ciphers.count; i++) {
		uint16_t v = ch->ciphers.v[i];
		const struct iana_cipher *ic;

		if (iana_is_grease(v))
			continue;
		ic = iana_cipher(v);
		fprintf(out, "    %s  %-48s %s%s%s\n", tls_hex16(v, hex),
		        ic ? ic->name : "(unassigned)",
		        ic ? iana_mode_str(ic->mode) : "",
		        ic && (ic->flags & IANA_CF_FS) ? ", forward secrecy" : "",
		        ic && (ic->flags & IANA_CF_WEAK) ? ", WEAK" : "");
	}
	if (ch->ciphers.dropped > 0)
		fprintf(out, "    (%u more not kept)\n", ch->ciphers.dropped);
}

static void
tls_text(FILE *out, const struct report_opts *o, const struct tls_facts *t)
{
	char fp[FINGERPRINT_JA4_LEN], fp3[FINGERPRINT_JA3_LEN];

	if (t == NULL || !t->client_hello_seen)
		return;
	if (o->verbose > 0) {
		ciphers_text(out, &t->client_hello);
		if (fingerprint_ja3(&t->client_hello, fp3) &&
		    fingerprint_ja4(&t->client_hello, fp))
			fprintf(out, "  client fingerprints: JA3 %s, JA4 %s\n", fp3,
			        fp);
	}
}

/* Advice is long prose: wrap it for a terminal or a mail. */
static void
wrapped(FILE *out, const char *indent, const char *text, size_t width)
{
	const char *p = text;

	while (*p != '\0') {
		size_t n = strlen(p), cut = n;

		if (n > width) {
			cut = width;
			while (cut > 0 && p[cut] != ' ')
				cut--;
			if (cut == 0)
				cut = width;
		}
		fprintf(out, "%s%.*s\n", indent, (int)cut, p);
		p += cut;
		while (*p == ' ')
			p++;
	}
}

static const char *
severity_label(enum diag_severity s)
{
	switch (s) {
	case DIAG_SEV_ERROR:
		return "ERROR";
	case DIAG_SEV_WARNING:
		return "WARNING";
	case DIAG_SEV_OK:
		break;
	}
	return "OK";
}

static const char *
severity_color(enum diag_severity s)
{
	switch (s) {
	case DIAG_SEV_ERROR:
		return "\033[1;31m";
	case DIAG_SEV_WARNING:
		return "\033[1;33m";
	case DIAG_SEV_OK:
		break;
	}
	return "\033[1;32m";
}

static const char *
encap_label(enum pkt_encap_type t)
{
	switch (t) {
	case PKT_ENC_VLAN:
		return "VLAN";
	case PKT_ENC_MPLS:
		return "MPLS";
	case PKT_ENC_PPPOE:
		return "PPPoE";
	case PKT_ENC_GRE:
		return "GRE";
	case PKT_ENC_ERSPAN1:
		return "ERSPAN type I";
	case PKT_ENC_ERSPAN2:
		return "ERSPAN type II";
	case PKT_ENC_ERSPAN3:
		return "ERSPAN type III";
	case PKT_ENC_VXLAN:
		return "VXLAN";
	case PKT_ENC_GENEVE:
		return "Geneve";
	case PKT_ENC_GTPU:
		return "GTP-U";
	case PKT_ENC_IPIP:
		return "IPv4 in IP";
	case PKT_ENC_6IN4:
		return "IPv6 in IP";
	case PKT_ENC_WLAN:
		return "802.11";
	case PKT_ENC_NONE:
		break;
	}
	return "?";
}

/* "VXLAN VNI 7 from 198.18.100.1 to 198.18.100.2, VLAN 5" */
static void
encap_words(FILE *out, const struct pkt_encap *l, unsigned n)
{
	char a[FMT_ADDR_LEN], b[FMT_ADDR_LEN];

	for (unsigned i = 0; i < n; i++) {
		const struct pkt_encap *e = &l[i];

		fputs(i > 0 ? ", " : "", out);
		switch ((enum pkt_encap_type)e->type) {
		case PKT_ENC_VLAN:
			fprintf(out, "VLAN %" PRIu32, e->id);
			break;
		case PKT_ENC_MPLS:
			fprintf(out, "MPLS label %" PRIu32, e->id);
			break;
		case PKT_ENC_PPPOE:
			fprintf(out, "PPPoE session %" PRIu32, e->id);
			break;
		case PKT_ENC_GRE:
			fputs("GRE", out);
			if (e->has_id)
				fprintf(out, " key %" PRIu32, e->id);
			break;
		case PKT_ENC_ERSPAN1:
			fputs("ERSPAN type I", out);
			break;
		case PKT_ENC_ERSPAN2:
			fprintf(out, "ERSPAN type II session %" PRIu32, e->id);
			break;
		case PKT_ENC_ERSPAN3:
			fprintf(out, "ERSPAN type III session %" PRIu32, e->id);
			break;
		case PKT_ENC_VXLAN:
			fprintf(out, "VXLAN VNI %" PRIu32, e->id);
			break;
		case PKT_ENC_GENEVE:
			fprintf(out, "Geneve VNI %" PRIu32, e->id);
			break;
		case PKT_ENC_GTPU:
			fprintf(out, "GTP-U TEID 0x%08" PRIx32, e->id);
			break;
		case PKT_ENC_IPIP:
			fputs("IPv4 in IP", out);
			break;
		case PKT_ENC_6IN4:
			fputs("IPv6 in IP", out);
			break;
		case PKT_ENC_WLAN:
			fputs("802.11", out);
			break;
		case PKT_ENC_NONE:
			fputs("?", out);
			break;
		}
		if (e->has_outer)
			fprintf(out, " from %s to %s",
			        fmt_addr(a, sizeof a, &e->outer_src),
			        fmt_addr(b, sizeof b, &e->outer_dst));
	}
}

/* One line naming the tunnels of the client's packets, one more for the
 * server's when they did not come back the same way. */
static void
encap_lines(FILE *out, const struct conn *c)
{
	const struct pkt_encap *cl, *sl;
	unsigned cn, sn;
	bool cseen, sseen, cmirror, smirror;

	if (c->encap == NULL)
		return;
	cl = conn_encap_layers(c->encap, TCP_DIR_C2S, &cn, &cseen, &cmirror);
	sl = conn_encap_layers(c->encap, TCP_DIR_S2C, &sn, &sseen, &smirror);
	fputs("  tunnel: ", out);
	if (!cseen)
		fputs("the client's packets were not captured", out);
	else if (cn == 0)
		fputs("none around the client's packets", out);
	else
		encap_words(out, cl, cn);
	fputs("\n", out);
	if (!sseen || smirror)
		return;
	fputs("  tunnel of the server's packets: ", out);
	if (sn == 0)
		fputs("none", out);
	else
		encap_words(out, sl, sn);
	fputs("\n", out);
}

static void
tcp_line(FILE *out, const struct report_opts *o, const struct tcp_outcome *t)
{
	const char *by = tcp_side_str(t->end_by);

	fprintf(out, "  tcp: %s", report_text_end_words(t->end));
	if (by != NULL)
		fprintf(out, ", by the %s%s", by, t->inferred ? " (inferred)" : "");
	if (t->end == TCP_END_NO_ANSWER)
		fprintf(out, " (last SYN frame %" PRIu64 ")",
		        (uint64_t)TA_FRAME_NO(t->end_frame));
	else if (t->end != TCP_END_OPEN && t->end != TCP_END_TIMEOUT)
		fprintf(out, " at frame %" PRIu64, (uint64_t)TA_FRAME_NO(t->end_frame));
	if (t->rtt_known)
		fprintf(out, "; SYN round trip %.1f ms", t->syn_rtt_ms);
	fprintf(out, "\n");
	if (o->verbose > 0) {
		struct tcp_outcome buf;
		const struct tcp_outcome *x = tcp_track_explain(t, &buf);

		for (unsigned i = 0; i < x->nevidence && i < TCP_EVIDENCE_MAX; i++)
			fprintf(out, "    - %s\n", x->evidence[i]);
	}
}

/* Where the input had several interfaces: the connection's. */
static void
interface_line(FILE *out, const struct capture *cap, const struct conn *c)
{
	char name[256]; /* a name of up to 63 bytes, escaped */
	const char *raw;

	if (!report_iface(cap, c, &raw))
		return;
	fprintf(out, "  interface %u", (unsigned)c->iface);
	if (raw != NULL)
		fprintf(out, " (%s)", safe(name, sizeof name, raw));
	if (c->iface_mixed)
		fprintf(out, "; later frames came on other interfaces too");
	fprintf(out, "\n");
}

/*
 * "ERROR   tcp-reset", and for an ok that carries findings "OK      ok
 * (findings: legacy-version)": the label never contradicts the verdict;
 * the colour says the severity.
 */
static void
headline(FILE *out, const char *on, const char *off,
         const struct diag_result *d)
{
	bool first = true;

	fprintf(out, "%s%-7s %s", on,
	        d->verdict == DIAG_OK ? "OK" : severity_label(d->severity),
	        diag_verdict_str(d->verdict));
	if (d->verdict == DIAG_OK && d->findings != 0) {
		for (unsigned b = 0; b < DIAG_FINDING_COUNT; b++) {
			if (!(d->findings & (1u << b)))
				continue;
			fprintf(out, "%s%s", first ? " (findings: " : ", ",
			        diag_finding_str(1u << b));
			first = false;
		}
		fputc(')', out);
	}
	fputs(off, out);
}

/* The Wireshark display filter that shows this connection alone: its
 * addresses and ports, and its frames when they are all in one file. */
static void
wireshark_line(FILE *out, const struct conn *c)
{
	char a[FMT_ADDR_LEN], b[FMT_ADDR_LEN];
	const char *ip = c->caddr.family == 6 ? "ipv6.addr" : "ip.addr";

	fmt_addr(a, sizeof a, &c->caddr);
	fmt_addr(b, sizeof b, &c->saddr);
	fprintf(out, "  wireshark: %s==%s && %s==%s && tcp.port==%u && "
	             "tcp.port==%u",
	        ip, a, ip, b, (unsigned)c->cport, (unsigned)c->sport);
	if (TA_FRAME_FILE(c->first_frame) == TA_FRAME_FILE(c->tcp.last_frame))
		fprintf(out, " && frame.number in {%" PRIu64 "..%" PRIu64 "}",
		        (uint64_t)TA_FRAME_NO(c->first_frame),
		        (uint64_t)TA_FRAME_NO(c->tcp.last_frame));
	fputc('\n', out);
}

void
report_text_line(FILE *out, const struct report_opts *o,
                 const struct conn_facts *f, const struct diag_result *d)
{
	const struct conn *c = f->conn;
	char ca[FMT_ADDR_LEN + 8], sa[FMT_ADDR_LEN + 8], ts[FMT_TIME_LEN];
	char text[DIAG_SUMMARY_LEN * 4], sni[TLS_HS_SNI_MAX * 4 + 1];
	const char *on = o->color ? severity_color(d->severity) : "";
	const char *off = o->color ? "\033[0m" : "";

	headline(out, on, off, d);
	fmt_time_human(ts, sizeof ts, c->first_ts);
	/* to the second: the full report has the rest */
	if (strlen(ts) > 19)
		ts[19] = '\0';
	fprintf(out, "  %s  %s -> %s (%s)", ts,
	        endpoint_str(ca, sizeof ca, &c->caddr, c->cport),
	        endpoint_str(sa, sizeof sa, &c->saddr, c->sport),
	        service_name(c->svc));
	if (f->tls != NULL && f->tls->client_hello_seen &&
	    f->tls->client_hello.has_sni) {
		const struct tls_client_hello *ch = &f->tls->client_hello;

		fprintf(out, " %s",
		        utf8_sanitize(sni, sizeof sni, ch->sni,
		                      ch->sni_len < TLS_HS_SNI_MAX
		                          ? ch->sni_len
		                          : TLS_HS_SNI_MAX));
	}
	fprintf(out, "  %s", said(text, sizeof text, d->summary));
}

void
report_text_conn(FILE *out, const struct report_opts *o,
                 const struct capture *cap, const struct conn_facts *f,
                 const struct diag_result *d)
{
	const struct conn *c = f->conn;
	char ca[FMT_ADDR_LEN + 8], sa[FMT_ADDR_LEN + 8], ts[FMT_TIME_LEN];
	char text[DIAG_ADVICE_LEN * 4];
	const char *on = o->color ? severity_color(d->severity) : "";
	const char *off = o->color ? "\033[0m" : "";
	bool detail = d->severity != DIAG_SEV_OK || o->verbose > 0;
	struct timeline tl;

	headline(out, on, off, d);
	fprintf(out, "  %s -> %s (%s)\n",
	        endpoint_str(ca, sizeof ca, &c->caddr, c->cport),
	        endpoint_str(sa, sizeof sa, &c->saddr, c->sport),
	        service_name(c->svc));
	fprintf(out, "  %s\n", said(text, sizeof text, d->summary));
	fprintf(out, "  %s UTC", fmt_time_human(ts, sizeof ts, c->first_ts));
	if (cap != NULL && f->tcp.frames == 1)
		fprintf(out, ", %s frame %" PRIu64,
		        capture_file_name(cap, TA_FRAME_FILE(c->first_frame)),
		        (uint64_t)TA_FRAME_NO(c->first_frame));
	else if (cap != NULL)
		fprintf(out, ", %s frames %" PRIu64 "..%" PRIu64 " (%u frames)",
		        capture_file_name(cap, TA_FRAME_FILE(c->first_frame)),
		        (uint64_t)TA_FRAME_NO(c->first_frame),
		        (uint64_t)TA_FRAME_NO(c->tcp.last_frame), f->tcp.frames);
	fprintf(out, "\n");
	encap_lines(out, c);
	interface_line(out, cap, c);
	wireshark_line(out, c);
	if (detail) {
		timeline_build(f, &tl);
		timeline_text(out, &tl);
		if (o->ladder || o->verbose > 0) {
			struct ladder lad;

			ladder_build(f, d, &tl, &lad);
			ladder_text(out, &lad);
		}
		tls_text(out, o, f->tls);
		if (f->cert != NULL)
			report_text_cert(out, f->cert, f->cert->time, o->verbose);
	}
	if (d->nevidence > 0 && detail) {
		fprintf(out, "  evidence:\n");
		for (unsigned i = 0; i < d->nevidence && i < DIAG_MAX_EVIDENCE; i++)
			fprintf(out, "    - %s\n",
			        said(text, sizeof text, d->evidence[i].text));
		if (d->evidence_dropped > 0)
			fprintf(out, "    (%u more lines not kept)\n",
			        d->evidence_dropped);
	}
	if (d->ncauses > 0) {
		fprintf(out, "  likely causes (inferred, most likely first):\n");
		for (unsigned i = 0; i < d->ncauses && i < DIAG_MAX_CAUSES; i++)
			fprintf(out, "    %u. %s\n", i + 1,
			        said(text, sizeof text, d->causes[i]));
	}
	if (d->findings != 0) {
		bool first = true;
		fprintf(out, "  findings:");
		for (unsigned b = 0; b < DIAG_FINDING_COUNT; b++) {
			if (!(d->findings & (1u << b)))
				continue;
			fprintf(out, "%s %s", first ? "" : ",",
			        diag_finding_str(1u << b));
			first = false;
		}
		fprintf(out, "\n");
	}
	tcp_line(out, o, &f->tcp);
	if (d->advice[0] != '\0' && detail) {
		fprintf(out, "  advice:\n");
		wrapped(out, "    ", said(text, sizeof text, d->advice), 76);
	}
	fprintf(out, "\n");
}

static void
counts_line(FILE *out, const struct report_counts *rc)
{
	bool first = true;

	fprintf(out, "%" PRIu64 " connection%s, %" PRIu64 " error%s, %" PRIu64
	        " warning%s", rc->conns, rc->conns == 1 ? "" : "s", rc->errors,
	        rc->errors == 1 ? "" : "s", rc->warnings,
	        rc->warnings == 1 ? "" : "s");
	for (unsigned v = 0; v < DIAG_VERDICT_COUNT; v++) {
		uint64_t n = rc->by_verdict[v];
		if (n == 0)
			continue;
		fprintf(out, "%s%" PRIu64 " %s", first ? ": " : ", ", n,
		        diag_verdict_str((enum diag_verdict)v));
		/* the warnings that are no failure */
		if (v == DIAG_OK && rc->ok_with_findings > 0)
			fprintf(out, " (%" PRIu64 " with findings)",
			        rc->ok_with_findings);
		first = false;
	}
	fprintf(out, "\n");
}

/* Scan probes and lone packets: by kind, then the busiest sources. */
static void
probes_lines(FILE *out, const struct probes *pr)
{
	const struct probe_source *top[RUN_SUMMARY_TOP];
	unsigned ntop, listed;
	uint64_t shown = 0;
	bool first = true;
	char addr[FMT_ADDR_LEN];

	if (pr == NULL || pr->total == 0)
		return;
	fprintf(out, "  probes, not connections: %" PRIu64, pr->total);
	for (unsigned k = 1; k < TCP_PROBE_KINDS; k++) {
		if (pr->by_kind[k] == 0)
			continue;
		fprintf(out, "%s%s %" PRIu64, first ? " (" : ", ",
		        tcp_probe_str((enum tcp_probe)k), pr->by_kind[k]);
		first = false;
	}
	fprintf(out, ")\n");
	ntop = run_probe_sources(pr, top, RUN_SUMMARY_TOP, &listed);
	for (unsigned i = 0; i < ntop; i++) {
		fmt_addr(addr, sizeof addr, &top[i]->addr);
		fprintf(out, "    from %s: %" PRIu64 " (", addr, top[i]->probes);
		first = true;
		for (unsigned k = 1; k < TCP_PROBE_KINDS; k++) {
			if (top[i]->by_kind[k] == 0)
				continue;
			fprintf(out, "%s%s %" PRIu64, first ? "" : ", ",
			        tcp_probe_str((enum tcp_probe)k),
			        top[i]->by_kind[k]);
			first = false;
		}
		fprintf(out, ")%s\n", top[i]->probes > 1 &&
		        top[i]->by_kind[TCP_PROBE_LONE_RST] < top[i]->probes ?
		        ": a port scan, or health checks" : "");
		shown += top[i]->probes;
	}
	if (listed > ntop || pr->forgotten > 0)
		fprintf(out, "    from %u other sources: %" PRIu64 "\n",
		        listed - ntop, pr->total - shown);
	if (pr->rst_payload.frame != 0) {
		char d[128], fr[48];

		tcp_rst_payload_desc(&pr->rst_payload, d, sizeof d);
		fmt_frame(fr, sizeof fr, pr->rst_payload.frame, 0);
		fprintf(out, "    a lone RST (%s) carries %u bytes of payload, "
		        "%s: a reset cause\n", fr,
		        (unsigned)pr->rst_payload.len, d);
	}
}

/* The ports watched, e.g. "143/imap, 993/imaps" (at most a line's worth). */
static void
watched_line(FILE *out, const struct service_map *svc)
{
	unsigned shown = 0;

	if (svc == NULL)
		return;
	fprintf(out, "Watched:");
	for (uint32_t port = 1; port < 65536; port++) {
		enum service sv = service_of_port(svc, (uint16_t)port);

		if (sv == SVC_NONE)
			continue;
		if (shown == 12) {
			fprintf(out, " ... (%u ports)", svc->nports);
			break;
		}
		fprintf(out, "%s %u/%s", shown > 0 ? "," : "", (unsigned)port,
		        service_name(sv));
		shown++;
	}
	fprintf(out, "%s\n", shown == 0 ? " no port" : "");
}

static const char *
sniff_what(unsigned kind)
{
	switch (kind) {
	case SNIFF_CLIENT_HELLO:
		return "TLS ClientHellos to";
	case SNIFF_IMAP_GREETING:
		return "IMAP greetings from";
	case SNIFF_POP3_GREETING:
		return "POP3 greetings from";
	case SNIFF_SMTP_GREETING:
		return "SMTP greetings from";
	case SNIFF_SERVER_HELLO:
		return "TLS ServerHellos from";
	}
	return "streams on";
}

/*
 * Streams that started on ports nobody watched: where the capture's TLS
 * (or mail) is, and the -p that analyses it. The busiest first.
 */
static void
census_lines(FILE *out, const struct port_census *pc, bool nothing)
{
	const struct port_census_entry *top[RUN_SUMMARY_TOP];
	unsigned ntop, listed;
	char rerun[RUN_SUMMARY_TOP * 24];

	if (pc == NULL || pc->n == 0) {
		if (nothing)
			fprintf(out, "  nothing to analyse: no connection on the "
			             "watched ports, and no TLS ClientHello, "
			             "ServerHello or mail greeting starts a "
			             "stream on any other port\n");
		return;
	}
	ntop = run_census_ports(pc, top, RUN_SUMMARY_TOP, &listed);
	fprintf(out, "  %s on other ports:", nothing ? "nothing analysed; the "
	        "capture holds streams" : "the capture also holds streams");
	for (unsigned i = 0; i < ntop; i++)
		fprintf(out, "%s %s %u (%u)", i > 0 ? ";" : "",
		        sniff_what(top[i]->kind), (unsigned)top[i]->port,
		        (unsigned)top[i]->count);
	if (listed > ntop || pc->others > 0)
		fprintf(out, "; and more");
	/* Something was analysed: "+" keeps the ports that found it. */
	fprintf(out, "\n  to analyse them, rerun with %s\n",
	        run_census_rerun(rerun, sizeof rerun, top, ntop, !nothing));
}

/* A count worth a line of its own, only when there is one. */
static void
notable(FILE *out, uint64_t n, const char *one, const char *many)
{
	if (n > 0)
		fprintf(out, "  %" PRIu64 " %s\n", n, n == 1 ? one : many);
}

/*
 * What was read, in plain words; the frame and table counters in full
 * with -v (what a developer of the tool, or a doubtful expert, checks).
 */
static void
run_lines(FILE *out, const struct report_opts *o,
          const struct analyzer_stats *st, const struct cap_stats *cs)
{
	char span[32];

	fprintf(out, "Run: %" PRIu64 " frame%s read (%" PRIu64 " bytes)",
	        st->frames, st->frames == 1 ? "" : "s", st->bytes);
	/* a clock that jumped years makes no span worth saying */
	if (st->frames > 1 && st->clock_back == 0 &&
	    (cs == NULL || (cs->ts_out_of_range == 0 && cs->ts_absent == 0)) &&
	    st->last_ts >= st->first_ts &&
	    st->last_ts - st->first_ts < (ta_time)30 * 86400 * TA_NS_PER_SEC)
		fprintf(out, " over %s",
		        fmt_duration(span, sizeof span,
		                     (uint64_t)(st->last_ts - st->first_ts)));
	fprintf(out, "; %" PRIu64 " connection%s followed\n", st->flow.conns,
	        st->flow.conns == 1 ? "" : "s");
	if (o->verbose > 0) {
		fprintf(out,
		        "  frames %" PRIu64 " (%" PRIu64 " bytes): TCP %" PRIu64
		        ", not IP %" PRIu64 ", not TCP %" PRIu64
		        ", IP fragments %" PRIu64 ", cut short %" PRIu64
		        ", malformed %" PRIu64
		        ", payload cut by snaplen %" PRIu64 "\n",
		        st->frames, st->bytes, st->tcp, st->not_ip, st->not_tcp,
		        st->fragments, st->short_frames,
		        st->malformed + st->lying_len, st->payload_cut);
		fprintf(out,
		        "  connections: %" PRIu64 " tracked, %" PRIu64
		        " evicted (table full), %" PRIu64
		        " reused 4-tuples, %" PRIu64
		        " begun before the capture (no SYN or SYN-ACK), %" PRIu64
		        " at most at once; %" PRIu64
		        " TCP packets of other ports\n",
		        st->flow.conns, st->flow.evicted, st->flow.reused,
		        st->flow.midstream, st->flow.peak, st->flow.ignored);
		return;
	}
	notable(out, st->short_frames + st->malformed + st->lying_len,
	        "frame was damaged or cut short and could not be read",
	        "frames were damaged or cut short and could not be read");
	notable(out, st->payload_cut,
	        "frame lost payload to the capture's snap length",
	        "frames lost payload to the capture's snap length");
	notable(out, st->fragments, "IP fragment was not reassembled",
	        "IP fragments were not reassembled");
	notable(out, st->flow.evicted,
	        "connection was dropped from the full connection table "
	        "(--max-connections)",
	        "connections were dropped from the full connection table "
	        "(--max-connections)");
	if (st->clock_back > 0) {
		char d[32], fr[48];

		fmt_frame(fr, sizeof fr, st->clock_back_frame, 0);
		fprintf(out, "  %" PRIu64 " frame%s stamped before the latest "
		        "time seen (by up to %s, the first at %s): the capture's "
		        "clock, or the order of its interfaces' blocks, steps "
		        "back\n",
		        st->clock_back, st->clock_back == 1 ? "" : "s",
		        fmt_duration(d, sizeof d, st->clock_back_ns), fr);
	}
	if (cs != NULL && cs->ts_out_of_range > 0) {
		char fr[48];

		fmt_frame(fr, sizeof fr, cs->ts_out_of_range_frame, 0);
		fprintf(out, "  %" PRIu64 " frame%s stamped before 1970 or after "
		        "2554 (the first at %s): time stamps out of range, each "
		        "given the latest time before it in its file\n",
		        cs->ts_out_of_range, cs->ts_out_of_range == 1 ? "" : "s",
		        fr);
	}
	if (cs != NULL && cs->ts_absent > 0) {
		char fr[48];

		fmt_frame(fr, sizeof fr, cs->ts_absent_frame, 0);
		fprintf(out, "  %" PRIu64 " frame%s without a time stamp (pcapng "
		        "Simple Packet Blocks; the first at %s): each given the "
		        "latest time before it in its file (1970 when none came "
		        "before)\n", cs->ts_absent, cs->ts_absent == 1 ? "" : "s",
		        fr);
	}
	notable(out, st->flow.midstream,
	        "connection was followed without its start (no SYN or "
	        "SYN-ACK seen)",
	        "connections were followed without their start (no SYN or "
	        "SYN-ACK seen)");
}

void
report_text_summary(FILE *out, const struct report_opts *o,
                    const struct report_counts *rc,
                    const struct server_summary *servers,
                    const struct analyzer_stats *st,
                    const struct cap_stats *cs)
{
	fprintf(out, "Summary: ");
	counts_line(out, rc);
	watched_line(out, st->svc);
	census_lines(out, st->census, rc->conns == 0);
	server_summary_print(servers, out);
	run_lines(out, o, st, cs);
	probes_lines(out, st->probes);
	if (st->tunnelled > 0 || st->tunnel_undecoded > 0) {
		bool first = true;

		fprintf(out, "  tunnels: %" PRIu64 " frame%s decapsulated",
		        st->tunnelled, st->tunnelled == 1 ? "" : "s");
		/* VLAN tags are no tunnel: their frames are not counted. */
		for (unsigned t = PKT_ENC_VLAN + 1; t <= PKT_ENC_LAST; t++) {
			if (st->by_encap[t] == 0)
				continue;
			fprintf(out, "%s%s %" PRIu64, first ? " (" : ", ",
			        encap_label((enum pkt_encap_type)t),
			        st->by_encap[t]);
			first = false;
		}
		fprintf(out, "%s; %" PRIu64 " not decoded (tunnel payloads "
		             "we do not read)\n",
		        first ? "" : ")", st->tunnel_undecoded);
	}
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
