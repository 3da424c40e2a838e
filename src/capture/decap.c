/* decap.c: --decap-port, and the kernel filter that lets tunnels in (decap.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/decap.h"

/* The well-known tunnel ports dissect/pkt.c follows on its own. */
static const unsigned builtin_ports[] = {4789, 8472, 6081, 2152};

bool
decap_port_add(struct pkt_decap *d, const char *arg, char *err, size_t errlen)
{
	const char *slash = strchr(arg, '/');
	unsigned long port;
	char *end;
	uint8_t type;

	if (slash == NULL || arg[0] < '0' || arg[0] > '9') {
		snprintf(err, errlen, "--decap-port %s: PORT/TYPE expected, "
		                      "e.g. 4790/vxlan", arg);
		return false;
	}
	errno = 0;
	port = strtoul(arg, &end, 10);
	if (errno != 0 || end != slash || port == 0 || port > 65535) {
		snprintf(err, errlen, "--decap-port %s: the port must be a "
		                      "number between 1 and 65535", arg);
		return false;
	}
	if (strcmp(slash + 1, "vxlan") == 0)
		type = PKT_ENC_VXLAN;
	else if (strcmp(slash + 1, "geneve") == 0)
		type = PKT_ENC_GENEVE;
	else if (strcmp(slash + 1, "gtpu") == 0)
		type = PKT_ENC_GTPU;
	else {
		snprintf(err, errlen, "--decap-port %s: the type must be vxlan, "
		                      "geneve or gtpu", arg);
		return false;
	}
	for (unsigned i = 0; i < d->n; i++) {
		if (d->port[i].port == port) {
			d->port[i].type = type; /* the last word counts */
			return true;
		}
	}
	if (d->n >= PKT_DECAP_MAX_PORTS) {
		snprintf(err, errlen, "--decap-port %s: at most %d ports", arg,
		         PKT_DECAP_MAX_PORTS);
		return false;
	}
	d->port[d->n].port = (uint16_t)port;
	d->port[d->n].type = type;
	d->n++;
	return true;
}

/* Append to buf at *off; false when it does not fit. */
static bool
add(char *buf, size_t len, size_t *off, const char *fmt, unsigned v)
{
	int n = snprintf(buf + *off, len - *off, fmt, v);

	if (n < 0 || (size_t)n >= len - *off)
		return false;
	*off += (size_t)n;
	return true;
}

bool
decap_kernel_filter(const struct pkt_decap *d, const char *filter, bool ether,
                    char *buf, size_t len)
{
	static const unsigned etypes[] = {0x8100, 0x88a8, 0x9100, 0x8847,
	                                  0x8848, 0x8864};
	size_t off = 0;
	int n;

	if (len == 0)
		return false;
	n = snprintf(buf, len, "(%s) or (ip proto 4 or ip proto 41 or ip proto 47"
	                       " or ip6 proto 4 or ip6 proto 41 or ip6 proto 47",
	             filter);
	if (n < 0 || (size_t)n >= len)
		return false;
	off = (size_t)n;
	for (unsigned i = 0; i < TA_ELEMENTS(builtin_ports); i++)
		if (!add(buf, len, &off, " or udp dst port %u", builtin_ports[i]))
			return false;
	for (unsigned i = 0; i < d->n && i < PKT_DECAP_MAX_PORTS; i++)
		if (!add(buf, len, &off, " or udp dst port %u", d->port[i].port))
			return false;
	/* EtherType tests, not the vlan/mpls/pppoes keywords: those shift
	 * the offsets of everything after them in the expression. */
	for (unsigned i = 0; ether && i < TA_ELEMENTS(etypes); i++)
		if (!add(buf, len, &off, " or ether proto 0x%04x", etypes[i]))
			return false;
	if (off + 1 >= len)
		return false;
	buf[off++] = ')';
	buf[off] = '\0';
	return true;
}
