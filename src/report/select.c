/* select.c: --only and --conn (select.h). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/select.h"

static bool
add_one(struct report_select *s, const char *id, size_t n)
{
	for (unsigned v = 0; v < DIAG_VERDICT_COUNT; v++) {
		const char *name = diag_verdict_str((enum diag_verdict)v);

		if (strlen(name) == n && strncmp(name, id, n) == 0) {
			s->verdicts |= 1u << v;
			return true;
		}
	}
	for (unsigned b = 0; b < DIAG_FINDING_COUNT; b++) {
		const char *name = diag_finding_str(1u << b);

		if (name != NULL && strlen(name) == n &&
		    strncmp(name, id, n) == 0) {
			s->findings |= 1u << b;
			return true;
		}
	}
	return false;
}

bool
select_add_only(struct report_select *s, const char *spec, char *err,
                size_t errlen)
{
	struct report_select t = *s;
	const char *p = spec;

	for (;;) {
		const char *comma = strchr(p, ',');
		size_t n = comma != NULL ? (size_t)(comma - p) : strlen(p);

		if (!add_one(&t, p, n)) {
			snprintf(err, errlen,
			         "--only %s: '%.*s' is no verdict or finding "
			         "(doc/verdicts.md lists them: tcp-reset, "
			         "cert-expired, intercepted, ...)",
			         spec, (int)n, p);
			return false;
		}
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	*s = t;
	return true;
}

static bool
parse_port(const char *p, uint16_t *port)
{
	char *end;
	unsigned long v;

	if (*p < '0' || *p > '9')
		return false;
	v = strtoul(p, &end, 10);
	if (*end != '\0' || v == 0 || v > 65535)
		return false;
	*port = (uint16_t)v;
	return true;
}

static bool
parse_addr(const char *p, size_t n, struct pkt_addr *a)
{
	char buf[INET6_ADDRSTRLEN + 1];

	if (n == 0 || n >= sizeof buf)
		return false;
	memcpy(buf, p, n);
	buf[n] = '\0';
	memset(a, 0, sizeof *a);
	if (inet_pton(AF_INET, buf, a->a) == 1) {
		a->family = 4;
		return true;
	}
	if (inet_pton(AF_INET6, buf, a->a) == 1) {
		a->family = 6;
		return true;
	}
	return false;
}

bool
select_add_conn(struct report_select *s, const char *spec, char *err,
                size_t errlen)
{
	struct select_endpoint e = {.port = 0};
	const char *colon = strchr(spec, ':');
	bool ok;

	if (s->nconns == SELECT_MAX_CONNS) {
		snprintf(err, errlen, "--conn %s: at most %d --conn", spec,
		         SELECT_MAX_CONNS);
		return false;
	}
	if (spec[0] == '[') {
		/* [IPv6]:PORT or [IPv6] */
		const char *close = strchr(spec, ']');

		ok = close != NULL &&
		     parse_addr(spec + 1, (size_t)(close - spec - 1), &e.addr) &&
		     e.addr.family == 6 &&
		     (close[1] == '\0' ||
		      (close[1] == ':' && parse_port(close + 2, &e.port)));
	} else if (colon != NULL && strchr(colon + 1, ':') == NULL) {
		/* IPv4:PORT */
		ok = parse_addr(spec, (size_t)(colon - spec), &e.addr) &&
		     e.addr.family == 4 && parse_port(colon + 1, &e.port);
	} else {
		/* an address alone, IPv4 or IPv6 */
		ok = parse_addr(spec, strlen(spec), &e.addr);
	}
	if (!ok) {
		snprintf(err, errlen,
		         "--conn %s: expected ADDR:PORT, [IPv6]:PORT or an "
		         "address, e.g. 198.18.1.2:51234 or [2001:db8::5]:993",
		         spec);
		return false;
	}
	s->conns[s->nconns++] = e;
	return true;
}

bool
select_active(const struct report_select *s)
{
	return s->verdicts != 0 || s->findings != 0 || s->nconns > 0;
}

bool
select_wants_healthy(const struct report_select *s)
{
	return (s->verdicts & (1u << DIAG_OK)) != 0 || s->nconns > 0;
}

static bool
endpoint_is(const struct select_endpoint *e, const struct pkt_addr *a,
            uint16_t port)
{
	return pkt_addr_eq(&e->addr, a) &&
	       (e->port == 0 || e->port == port);
}

bool
select_match(const struct report_select *s, const struct conn *c,
             const struct diag_result *d)
{
	if (s->verdicts != 0 || s->findings != 0) {
		if (!(s->verdicts & (1u << d->verdict)) &&
		    !(s->findings & d->findings))
			return false;
	}
	if (s->nconns > 0) {
		for (unsigned i = 0; i < s->nconns; i++)
			if (endpoint_is(&s->conns[i], &c->caddr, c->cport) ||
			    endpoint_is(&s->conns[i], &c->saddr, c->sport))
				return true;
		return false;
	}
	return true;
}
