/*
 * service.h: which TCP ports carry which service (-p PORT/SERVICE).
 * imap, pop3, smtp, submission: plaintext first, TLS after STARTTLS (RFC
 * 9051 6.2.1), STLS (RFC 2595 4) or STARTTLS (RFC 3207); imaps, pop3s,
 * smtps: TLS from the first byte (RFC 8314 3.3); tls: the same on any
 * other port.
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
	SVC_POP3,
	SVC_POP3S,
	SVC_SMTP,
	SVC_SUBMISSION,
	SVC_SMTPS,
};
#define SVC_COUNT 9

/* What a service is: the contract's name, the mail protocol it carries
 * and whether TLS comes after an upgrade command or from the first byte. */
struct service_info {
	const char *name;     /* "imap", "pop3s", ... ("none" for SVC_NONE) */
	const char *label;    /* "IMAP", "POP3", "SMTP"; NULL for tls */
	uint16_t port;        /* its default port; 0: none (tls) */
	bool starttls;        /* plaintext first, then the upgrade command */
};

/* Never NULL: an unknown value reads as SVC_NONE's entry. */
const struct service_info *service_info(enum service s);

/* The port map: 64 KiB, one lookup per packet. */
struct service_map {
	uint8_t by_port[65536]; /* enum service */
	unsigned nports;
	uint8_t added[65536 / 8]; /* ports named by -p, with or without "+" */
	bool user_set;          /* a -p without "+": the defaults are replaced */
};

void service_map_defaults(struct service_map *m);
/* Parse "PORT/SERVICE", "PORT" (the service of the port's IANA name, tls
 * on other ports) or "+PORT[/SERVICE]" and add it. The first spec without
 * "+" replaces the defaults (not the ports added before it); "+" keeps
 * them. Service names are case-insensitive. Returns false with a one-line
 * reason in err, the map unchanged. */
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

/* "tcp and (port 25 or port 110 ...)", ANDed with user's expression if any.
 * Returns false if buf is too small. */
bool service_map_filter(const struct service_map *m, const char *user,
                        char *buf, size_t len);

const char *service_name(enum service s);

#endif
