/* accepted.h: chains that clients accepted, remembered across connections.
 *
 * A client that completes a handshake on a chain that does not verify here
 * and then leaves without data looks, on that connection alone, like a
 * client that checked the name after the handshake and refused it (rule 8
 * of the diagnosis). The same client (same address, same ClientHello)
 * sending data over the same leaf for the same name on another connection
 * says otherwise: browsers open connections ahead and close those they do
 * not use. This is that memory, bounded and keyed by a 64-bit digest.
 */
#ifndef ACCEPTED_H
#define ACCEPTED_H

#include <stdbool.h>
#include <stdint.h>

#include "pkt.h"
#include "ta.h"

struct tls_facts;
struct cert_facts;

/* Where a client accepted a chain: a connection whose client sent data
 * after its handshake. */
struct accepted_seen {
	ta_frame first_frame; /* that connection's first frame */
	ta_frame data_frame;  /* the client's first data after the handshake */
	ta_time first_ts, last_ts; /* that connection's first and last packets */
	uint16_t cport;       /* its client port */
};

struct accepted;

struct accepted *accepted_new(void);
void accepted_free(struct accepted *a);

/*
 * The digest of (client address, ClientHello, name checked, leaf) of a
 * completed handshake on a chain a client may refuse only after the
 * handshake (a name not covered, an intercepted chain); 0 when the
 * connection is not such a case or lacks a part of the key.
 */
uint64_t accepted_key(const struct pkt_addr *client, const struct tls_facts *t,
                      const struct cert_facts *cf);

/* Remember that the client of key accepted its chain (key != 0). The
 * memory is bounded: an older entry may give way. */
void accepted_note(struct accepted *a, uint64_t key,
                   const struct accepted_seen *seen);

/* The connection that accepted what key names, or NULL. */
const struct accepted_seen *accepted_find(const struct accepted *a,
                                          uint64_t key);

#endif
