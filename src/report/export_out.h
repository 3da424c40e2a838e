/*
 * export_out.h: the file -w writes, one packet at a time (export.c decides
 * which and when).
 *
 * pcapng: a Section Header Block when the file is opened, an Interface
 * Description Block before the first packet of each input interface
 * (input file, interface in it, link type), and an Enhanced Packet Block
 * per packet whose comment says where it came from:
 *
 *     customer.pcap frame 17; 198.18.1.2:51234 -> 198.18.2.10:993 tls-alert
 *
 * Classic pcap: libpcap's writer, one link type, no comments.
 */
#ifndef EXPORT_OUT_H
#define EXPORT_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "report/export.h"

struct export_out;

/* One packet as it leaves. */
struct export_pkt {
	const uint8_t *data;
	uint32_t caplen, len;
	ta_time ts;
	ta_frame frame;      /* input file and frame number there */
	uint32_t iface;      /* interface in that input */
	uint16_t linktype;   /* LINKTYPE_ value (pcapng) */
	const char *label;   /* the connection: addresses, verdict; or NULL */
};

/* Open path ('-': standard output) and write the file's header. NULL with
 * err filled (one line naming the file) when it cannot be. */
struct export_out *export_out_open(const char *path, enum export_format fmt,
                                   int dlt, bool nanosecond, char *err,
                                   size_t errlen);

/* "standard output" for '-', else the path. */
const char *export_out_name(const struct export_out *o);

void export_out_set_names(struct export_out *o, const struct export_names *n);

/* Write one packet (stdio buffers it). false when a write failed. */
bool export_out_put(struct export_out *o, const struct export_pkt *p);

/* Push what is buffered to the file. false when a write failed. */
bool export_out_flush(struct export_out *o);

/* Close the file (not standard output) and free o; no flush is tried
 * (flush first). NULL is fine. */
void export_out_close(struct export_out *o);

/* The comment of a pcapng packet, into buf (always terminated). Exposed
 * for the tests. */
void export_out_comment(struct export_out *o, const struct export_pkt *p,
                        char *buf, size_t len);

#endif
