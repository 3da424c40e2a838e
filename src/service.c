/* service.c: the -p PORT/SERVICE map and the capture filter built from it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "service.h"

void
service_map_defaults(struct service_map *m)
{
	memset(m, 0, sizeof *m);
	m->by_port[143] = SVC_IMAP;
	m->by_port[993] = SVC_IMAPS;
	m->nports = 2;
}

static enum service
parse_service(const char *s)
{
	if (strcmp(s, "imap") == 0)
		return SVC_IMAP;
	if (strcmp(s, "imaps") == 0)
		return SVC_IMAPS;
	if (strcmp(s, "tls") == 0)
		return SVC_TLS;
	return SVC_NONE;
}

bool
service_map_add(struct service_map *m, const char *spec, char *err,
                size_t errlen)
{
	const char *slash = strchr(spec, '/');
	char *end;
	unsigned long port;
	enum service svc;

	if (slash == NULL || slash == spec) {
		snprintf(err, errlen,
		         "-p %s: expected PORT/SERVICE, e.g. 143/imap, 993/imaps, "
		         "443/tls", spec);
		return false;
	}
	/* Digits only: strtoul would also take blanks and a sign. */
	if (spec[0] < '0' || spec[0] > '9') {
		snprintf(err, errlen, "-p %s: port must be 1-65535", spec);
		return false;
	}
	port = strtoul(spec, &end, 10);
	if (end != slash || port == 0 || port > 65535) {
		snprintf(err, errlen, "-p %s: port must be 1-65535", spec);
		return false;
	}
	svc = parse_service(slash + 1);
	if (svc == SVC_NONE) {
		snprintf(err, errlen,
		         "-p %s: unknown service '%s' (imap, imaps or tls)", spec,
		         slash + 1);
		return false;
	}
	if (!m->user_set) {
		memset(m->by_port, 0, sizeof m->by_port);
		m->nports = 0;
		m->user_set = true;
	}
	if (m->by_port[port] == SVC_NONE)
		m->nports++;
	m->by_port[port] = (uint8_t)svc;
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
	switch (s) {
	case SVC_IMAP:
		return "imap";
	case SVC_IMAPS:
		return "imaps";
	case SVC_TLS:
		return "tls";
	case SVC_NONE:
		break;
	}
	return "none";
}
