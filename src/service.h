/*
 * service.h: which TCP ports carry which service (-p PORT/SERVICE).
 * imap: plaintext IMAP, TLS after STARTTLS; imaps: TLS from the first byte
 * (RFC 8314); tls: the same on any other port.
 */
#ifndef SERVICE_H
#define SERVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum service {
	SVC_NONE = 0,
	SVC_IMAP,
	SVC_IMAPS,
	SVC_TLS,
};

/* The port map: 64 KiB, one lookup per packet. */
struct service_map {
	uint8_t by_port[65536]; /* enum service */
	unsigned nports;
	bool user_set;          /* -p was given: the defaults are replaced */
};

void service_map_defaults(struct service_map *m);
/* Parse "PORT/SERVICE" and add it; the first -p replaces the defaults.
 * Returns false with a one-line reason in err. */
bool service_map_add(struct service_map *m, const char *spec, char *err,
                     size_t errlen);

static inline enum service
service_of_port(const struct service_map *m, uint16_t port)
{
	return (enum service)m->by_port[port];
}

/* Does a segment between these ports belong to a configured service? */
static inline bool
service_between(const struct service_map *m, uint16_t sport, uint16_t dport)
{
	return service_of_port(m, sport) != SVC_NONE ||
	       service_of_port(m, dport) != SVC_NONE;
}

/* "tcp port 143 or tcp port 993", ANDed with user's expression if any.
 * Returns false if buf is too small. */
bool service_map_filter(const struct service_map *m, const char *user,
                        char *buf, size_t len);

const char *service_name(enum service s);

#endif
