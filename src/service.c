/* service.c: the -p PORT/SERVICE map and the capture filter built from it (ports: RFC 8314 3.3 and 7.3, RFC 6409). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "service.h"

/* The services and their default ports, in the contract's names. */
static const struct service_info services[SVC_COUNT] = {
	[SVC_NONE] = { "none", NULL, 0, false },
	[SVC_IMAP] = { "imap", "IMAP", 143, true },
	[SVC_IMAPS] = { "imaps", "IMAP", 993, false },
	[SVC_TLS] = { "tls", NULL, 0, false },
	[SVC_POP3] = { "pop3", "POP3", 110, true },
	[SVC_POP3S] = { "pop3s", "POP3", 995, false },
	[SVC_SMTP] = { "smtp", "SMTP", 25, true },
	[SVC_SUBMISSION] = { "submission", "SMTP", 587, true },
	[SVC_SMTPS] = { "smtps", "SMTP", 465, false },
};

const struct service_info *
service_info(enum service s)
{
	if ((unsigned)s >= SVC_COUNT)
		s = SVC_NONE;
	return &services[s];
}

void
service_map_defaults(struct service_map *m)
{
	memset(m, 0, sizeof *m);
	for (unsigned s = 1; s < SVC_COUNT; s++) {
		if (services[s].port == 0)
			continue;
		m->by_port[services[s].port] = (uint8_t)s;
		m->nports++;
	}
}

/* Service names are matched without regard to case: -p 443/TLS. */
static enum service
parse_service(const char *s)
{
	for (unsigned i = 1; i < SVC_COUNT; i++)
		if (strcasecmp(s, services[i].name) == 0)
			return (enum service)i;
	return SVC_NONE;
}

/* A bare port: the service its IANA name says (143 imap, 465 smtps...),
 * TLS from the first byte on any other. */
static enum service
service_of_bare_port(unsigned long port)
{
	for (unsigned i = 1; i < SVC_COUNT; i++)
		if (services[i].port == port)
			return (enum service)i;
	return SVC_TLS;
}

static bool
was_added(const struct service_map *m, unsigned port)
{
	return ((unsigned)m->added[port / 8] >> (port % 8)) & 1u;
}

/*
 * The first -p without "+" replaces the defaults; ports given before it
 * with "+" stay, so the order of the options does not matter.
 */
static void
drop_defaults(struct service_map *m)
{
	for (unsigned s = 1; s < SVC_COUNT; s++) {
		unsigned port = services[s].port;

		if (port == 0 || was_added(m, port) ||
		    m->by_port[port] == SVC_NONE)
			continue;
		m->by_port[port] = SVC_NONE;
		m->nports--;
	}
	m->user_set = true;
}

bool
service_map_add(struct service_map *m, const char *spec, char *err,
                size_t errlen)
{
	const char *p = spec, *slash;
	char *end;
	unsigned long port;
	enum service svc;
	bool add = false;

	if (p[0] == '+') {
		add = true;
		p++;
	}
	/* Digits only: strtoul would also take blanks and a sign. */
	if (p[0] < '0' || p[0] > '9') {
		snprintf(err, errlen,
		         "-p %s: expected PORT, PORT/SERVICE or +PORT/SERVICE, "
		         "e.g. 993, 143/imap, 587/submission, +443/tls", spec);
		return false;
	}
	port = strtoul(p, &end, 10);
	slash = *end == '/' ? end : NULL;
	if ((*end != '\0' && slash == NULL) || port == 0 || port > 65535) {
		snprintf(err, errlen, "-p %s: port must be 1-65535", spec);
		return false;
	}
	svc = slash != NULL ? parse_service(slash + 1)
	                    : service_of_bare_port(port);
	if (svc == SVC_NONE) {
		snprintf(err, errlen,
		         "-p %s: unknown service '%s' (imap, imaps, pop3, pop3s, "
		         "smtp, submission, smtps or tls)", spec, slash + 1);
		return false;
	}
	if (!add && !m->user_set)
		drop_defaults(m);
	if (m->by_port[port] == SVC_NONE)
		m->nports++;
	m->by_port[port] = (uint8_t)svc;
	m->added[port / 8] |= (uint8_t)(1u << (port % 8));
	return true;
}

bool
service_map_filter(const struct service_map *m, const char *user, char *buf,
                   size_t len)
{
	size_t off = 0;
	int n;
	bool first = true;

	n = snprintf(buf, len, "tcp and (");
	if (n < 0 || (size_t)n >= len)
		return false;
	off = (size_t)n;
	for (unsigned p = 1; p < 65536; p++) {
		if (m->by_port[p] == SVC_NONE)
			continue;
		n = snprintf(buf + off, len - off, "%sport %u", first ? "" : " or ",
		             p);
		if (n < 0 || (size_t)n >= len - off)
			return false;
		off += (size_t)n;
		first = false;
	}
	n = snprintf(buf + off, len - off, ")");
	if (n < 0 || (size_t)n >= len - off)
		return false;
	off += (size_t)n;
	if (user != NULL && user[0] != '\0') {
		n = snprintf(buf + off, len - off, " and (%s)", user);
		if (n < 0 || (size_t)n >= len - off)
			return false;
	}
	return true;
}

const char *
service_name(enum service s)
{
	return service_info(s)->name;
}
