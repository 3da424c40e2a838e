/* run_summary.c: what the run summaries list (see run_summary.h). */
#include <stdio.h>

#include "report/run_summary.h"
#include "sniff.h"

unsigned
run_probe_sources(const struct probes *pr, const struct probe_source **out,
                  unsigned max, unsigned *listed)
{
	unsigned n = 0;

	*listed = 0;
	if (pr == NULL)
		return 0;
	/* Insertion into a bounded list: a source goes after every one with
	 * as many probes, so ties keep the table's order. */
	for (unsigned i = 0; i < PROBES_SOURCES; i++) {
		const struct probe_source *p = &pr->src[i];
		unsigned j;

		if (!p->used || p->probes == 0)
			continue;
		(*listed)++;
		for (j = n; j > 0 && out[j - 1]->probes < p->probes; j--)
			if (j < max)
				out[j] = out[j - 1];
		if (j < max) {
			out[j] = p;
			if (n < max)
				n++;
		}
	}
	return n;
}

/* A ServerHello from a port whose ClientHellos are counted too: the
 * same streams seen from the other side, not more of them. */
static bool
hello_answered(const struct port_census *pc,
               const struct port_census_entry *e)
{
	if (e->kind != SNIFF_SERVER_HELLO)
		return false;
	for (unsigned i = 0; i < pc->n; i++)
		if (pc->e[i].kind == SNIFF_CLIENT_HELLO &&
		    pc->e[i].port == e->port)
			return true;
	return false;
}

unsigned
run_census_ports(const struct port_census *pc,
                 const struct port_census_entry **out, unsigned max,
                 unsigned *listed)
{
	unsigned n = 0;

	*listed = 0;
	if (pc == NULL)
		return 0;
	for (unsigned i = 0; i < pc->n; i++) {
		unsigned j;

		if (hello_answered(pc, &pc->e[i]))
			continue;
		(*listed)++;
		for (j = n; j > 0 && out[j - 1]->count < pc->e[i].count; j--)
			if (j < max)
				out[j] = out[j - 1];
		if (j < max) {
			out[j] = &pc->e[i];
			if (n < max)
				n++;
		}
	}
	return n;
}

const char *
run_census_service(const struct port_census_entry *e)
{
	/* A ClientHello on a mail port with implicit TLS: that service. */
	if ((e->kind == SNIFF_CLIENT_HELLO || e->kind == SNIFF_SERVER_HELLO) &&
	    e->port == 993)
		return "imaps";
	switch (e->kind) {
	case SNIFF_IMAP_GREETING:
		return "imap";
	case SNIFF_POP3_GREETING:
		return "pop3";
	case SNIFF_SMTP_GREETING:
		return "smtp";
	}
	return "tls";
}

const char *
run_census_kind(const struct port_census_entry *e)
{
	switch (e->kind) {
	case SNIFF_CLIENT_HELLO:
		return "tls-client-hello";
	case SNIFF_SERVER_HELLO:
		return "tls-server-hello";
	case SNIFF_IMAP_GREETING:
		return "imap-greeting";
	case SNIFF_POP3_GREETING:
		return "pop3-greeting";
	case SNIFF_SMTP_GREETING:
		return "smtp-greeting";
	}
	return "other";
}

char *
run_census_rerun(char *buf, size_t len,
                 const struct port_census_entry *const *top, unsigned n,
                 bool add)
{
	size_t o = 0;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	for (unsigned i = 0; i < n && o < len; i++) {
		int w = snprintf(buf + o, len - o, "%s-p %s%u/%s",
		                 i > 0 ? " " : "", add ? "+" : "",
		                 (unsigned)top[i]->port,
		                 run_census_service(top[i]));

		if (w < 0)
			break;
		o += (size_t)w;
	}
	return buf;
}
