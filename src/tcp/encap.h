/*
 * encap.h: the tunnels a connection came through, kept compact.
 *
 * Each direction's encapsulation is taken from its first frame: the layers
 * around the client's packets, and around the server's only when they are
 * not the mirror of the client's (the same types and ids, the tunnel's end
 * points swapped), as with GTP-U, whose two directions have TEIDs of their
 * own, or asymmetric routing. A connection that came through no layer
 * keeps nothing (a NULL pointer); one that did keeps one allocation sized
 * to its layers, made when its first tunnelled frame is seen and freed
 * with the connection.
 */
#ifndef ENCAP_H
#define ENCAP_H

#include <stdbool.h>

#include "pkt.h"
#include "tcp/tcp_track.h"

struct conn_encap {
	bool seen[2];     /* a frame of that direction was noted */
	uint8_t n[2];     /* its layers */
	bool mirror;      /* the server's are the client's, mirrored: only the
	                   * client's are kept */
	struct pkt_encap layer[]; /* n[C2S] of the client's, then n[S2C] */
};

/*
 * A frame of direction dir of a connection: *e is created, or grown, when
 * this is the first frame of its direction that a record must keep.
 * earlier says whether the direction had frames before this one (they
 * came bare, or there would be a record). Returns false when memory ran
 * out (the encapsulation is then not known, never made up).
 */
bool conn_encap_note(struct conn_encap **e, enum tcp_dir dir, bool earlier,
                     bool other_seen, const struct pkt *p);

/* The layers of one direction (NULL, 0 when bare or not seen), and
 * whether they were seen at all. For the server's direction of a mirror
 * record: the client's layers, and *mirrored is set. */
const struct pkt_encap *conn_encap_layers(const struct conn_encap *e,
                                          enum tcp_dir dir, unsigned *n,
                                          bool *seen, bool *mirrored);

void conn_encap_free(struct conn_encap **e);

#endif
