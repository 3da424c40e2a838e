/*
 * tls_facts_int.h: what tls_facts.c (the events of the record parser)
 * shares with tls_opaque.c (what an encrypted record tells); for these
 * two files only.
 */
#ifndef TLS_FACTS_INT_H
#define TLS_FACTS_INT_H

#include "tls/tls_facts.h"

static inline bool
is_tls13(const struct tls_facts *f)
{
	return f->server_hello_seen && tls_rec_is_tls13(f->server_hello.version);
}

/* An alert whose level and description encryption hides. */
void tls_facts_add_hidden_alert(struct tls_facts *f, enum tls_side from,
                                ta_frame frame, uint64_t offset,
                                bool after_gap, uint16_t record_len,
                                bool inferred);

/* An encrypted record (TLS_EV_OPAQUE), by the rules of its version. */
void tls_facts_on_opaque(struct tls_facts *f, const struct tls_ev *ev);

/* Remember a cut record or message (the first ones), in wire order. */
void tls_facts_add_cut(struct tls_facts_side *s, const struct tls_ev *ev);

/* The client's acknowledgement moved: under TLS 1.3, did its bytes past
 * the server's flight reach a Finished record's size. */
void tls_facts_tls13_acks_update(struct tls_facts *f);

#endif
