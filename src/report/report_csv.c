/* report_csv.c: one CSV row per connection (--csv, doc/csv.md), for
 * spreadsheets and ticket systems. Each cell holds what the JSON line of
 * the same connection holds in the field doc/csv.md names. */
#include "util/fmt.h"
#include "report/csv.h"
#include "report/report.h"
#include "service.h"

/* The columns, in order; doc/csv.md and doc/tlsautopsy-csv.schema.json
 * list the same. */
static const char *const columns[] = {
	"ts", "end_ts", "file", "first_frame", "client_ip", "client_port",
	"server_ip", "server_port", "server_name", "server_name_from",
	"service", "verdict", "severity", "inferred", "findings",
	"tls_version", "cipher", "sni", "tcp_end", "tcp_end_by", "summary",
	"advice",
};

void
report_csv_header(FILE *out)
{
	struct csv c;

	csv_begin(&c, out);
	for (size_t i = 0; i < TA_ELEMENTS(columns); i++)
		csv_str(&c, columns[i]);
	csv_end(&c);
}

/* "legacy-version;weak-cipher": the findings in the order JSON lists them. */
static void
findings(struct csv *c, uint32_t bits)
{
	char buf[DIAG_FINDING_COUNT * 32];
	size_t o = 0;

	buf[0] = '\0';
	for (unsigned b = 0; b < DIAG_FINDING_COUNT; b++) {
		const char *name;
		int w;

		if (!(bits & (1u << b)))
			continue;
		name = diag_finding_str(1u << b);
		w = snprintf(buf + o, sizeof buf - o, "%s%s", o > 0 ? ";" : "",
		             name);
		if (w < 0 || (size_t)w >= sizeof buf - o)
			break;
		o += (size_t)w;
	}
	csv_str(c, buf);
}

/* The version and suite the server chose: server_hello.version, and its
 * cipher_name, else its cipher_id (a suite without a registry name). */
static void
chosen(struct csv *c, const struct tls_facts *t)
{
	char vhex[TLS_NAMES_HEX_LEN], chex[TLS_NAMES_HEX_LEN];
	const char *id, *name;

	if (t == NULL || !t->server_hello_seen) {
		csv_str(c, NULL);
		csv_str(c, NULL);
		return;
	}
	csv_str(c, tls_version_str(t->server_hello.version, vhex));
	report_tls_cipher(&t->server_hello, chex, &id, &name);
	csv_str(c, name != NULL ? name : id);
}

void
report_csv_conn(FILE *out, const struct capture *cap,
                const struct conn_facts *f, const struct diag_result *d)
{
	const struct conn *c = f->conn;
	const struct tls_client_hello *ch = NULL;
	char buf[FMT_TIME_LEN + FMT_ADDR_LEN];
	const uint8_t *name;
	size_t len;
	const char *from;
	struct csv row;

	if (f->tls != NULL && f->tls->client_hello_seen)
		ch = &f->tls->client_hello;
	csv_begin(&row, out);
	csv_str(&row, fmt_time_iso(buf, sizeof buf, c->first_ts));
	csv_str(&row, fmt_time_iso(buf, sizeof buf, f->tcp.end_ts));
	csv_str(&row, cap != NULL ? capture_file_name(cap,
	                                TA_FRAME_FILE(c->first_frame))
	                          : NULL);
	csv_uint(&row, TA_FRAME_NO(c->first_frame));
	csv_str(&row, fmt_addr(buf, sizeof buf, &c->caddr));
	csv_uint(&row, c->cport);
	csv_str(&row, fmt_addr(buf, sizeof buf, &c->saddr));
	csv_uint(&row, c->sport);
	from = report_server_name(f, &name, &len);
	csv_strn(&row, name, len);
	csv_str(&row, from);
	csv_str(&row, service_name(c->svc));
	csv_str(&row, diag_verdict_str(d->verdict));
	csv_str(&row, diag_severity_str(d->severity));
	csv_str(&row, d->inferred ? "true" : "false");
	findings(&row, d->findings);
	chosen(&row, f->tls);
	if (ch != NULL && ch->has_sni)
		csv_strn(&row, ch->sni, ch->sni_len < TLS_HS_SNI_MAX
		                            ? ch->sni_len
		                            : TLS_HS_SNI_MAX);
	else
		csv_str(&row, NULL);
	csv_str(&row, tcp_end_str(f->tcp.end));
	csv_str(&row, tcp_side_str(f->tcp.end_by));
	csv_str(&row, d->summary);
	csv_str(&row, d->advice);
	csv_end(&row);
}
