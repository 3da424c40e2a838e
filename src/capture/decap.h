/*
 * decap.h: the tunnel side of the configuration: --decap-port PORT/TYPE
 * (more UDP ports that carry VXLAN, Geneve or GTP-U), and the kernel
 * filter clause that lets tunnels through to a live capture.
 *
 * Live, the kernel's filter sees only the outer headers, where a tunnelled
 * segment shows no TCP port of a service: the kernel is given the port
 * filter (and -f) ORed with every carrier of a tunnel we decode, and the
 * exact test is made in user space, on the outer frame and on the packet
 * inside (capture_filter_inner).
 */
#ifndef DECAP_H
#define DECAP_H

#include <stdbool.h>
#include <stddef.h>

#include "pkt.h"

/* Add "PORT/TYPE" (TYPE vxlan, geneve or gtpu). Returns false with err
 * filled on a bad argument or when PKT_DECAP_MAX_PORTS are given. */
bool decap_port_add(struct pkt_decap *d, const char *arg, char *err,
                    size_t errlen);

/*
 * "(FILTER) or (CARRIERS)" into buf: CARRIERS are IP protocols 4, 41 and
 * 47 and UDP to every tunnel port (the well-known ones and d's), and with
 * ether true (link types with an EtherType) the EtherTypes of VLAN tags,
 * MPLS and PPPoE sessions. Returns false when buf is too small.
 */
bool decap_kernel_filter(const struct pkt_decap *d, const char *filter,
                         bool ether, char *buf, size_t len);

#endif
