/*
 * session.h: the session layer of one connection. Takes each direction's
 * in-order bytes from TCP reassembly and routes them: on an `imap` port
 * through the STARTTLS module of its protocol (starttls.h: IMAP, POP3,
 * SMTP) until it says where TLS begins, then, and from the first byte on
 * implicit-TLS ports (imaps, pop3s, smtps, tls), into the TLS facts
 * (tls_facts.h). Says when no more payload can change the facts, so that
 * reassembly stops and the connection costs almost nothing afterwards.
 */
#ifndef SESSION_H
#define SESSION_H

#include <stdbool.h>

#include "cert/cert_facts.h"
#include "tcp/reasm.h"
#include "service.h"
#include "session/starttls.h"
#include "tcp/tcp_track.h"
#include "tls/tls_facts.h"

struct session;

struct certchain;

/* Allocated when a connection's first payload byte arrives. certs: the
 * chain analysis (NULL: certificates are not analysed). */
struct session *session_new(enum service svc, struct certchain *certs);

/* Spare objects kept for the next connections instead of being freed:
 * at most SESSION_POOL_MAX sessions, as many protocol states and as many
 * copies of a protocol's facts. */
#define SESSION_POOL_MAX 64
unsigned session_spare(void);

/* The capture time of the packet being fed: facts completed by it (the
 * certificate chain is judged as of then) take this time. */
void session_set_time(struct session *s, ta_time now);
void session_free(struct session *s);
/* A hint: s will be ended soon; fetch it towards the cache. */
void session_prefetch(const struct session *s);

/* The reassembly sink and its context for one direction. */
const struct reasm_sink *session_sink(void);
void *session_sink_ctx(struct session *s, enum tcp_dir dir);

/* The stream of dir did not start at its beginning (the capture began
 * mid-connection; frame: its first packet). In TLS the direction hunts
 * for its first record (tls_facts_midstream); on a plaintext port the
 * plaintext parser is told it missed the start, and a first delivery that
 * is a TLS record switches the direction to TLS (it is past STARTTLS). */
void session_midstream(struct session *s, enum tcp_dir dir, ta_frame frame);

/* The other side acknowledged the first n bytes of dir's stream, in the
 * packet frame (before its payload is fed): passed to the TLS facts
 * (tls_facts_acked) counted from the TLS stream's first byte: the
 * stream's on a service that is TLS from the first byte; after STARTTLS,
 * once it is known where TLS began in that direction (from the delivery
 * that began it, or, with that direction's plaintext not in the capture,
 * from the other side's acknowledgements around the switch). */
void session_acked(struct session *s, enum tcp_dir dir, uint64_t n,
                   ta_frame frame);

/* No more payload can change the facts: reassembly may stop. Releases
 * the parsers' buffers the first time it returns true. */
bool session_done(struct session *s);

/* The connection is over: settle the facts (frame: its last packet). */
void session_end(struct session *s, ta_frame frame);

/* Facts, valid until session_free: NULL when that layer saw nothing. */
const struct tls_facts *session_tls(const struct session *s);
const struct cert_facts *session_cert(const struct session *s);
const struct starttls_facts *session_starttls(const struct session *s);
/* The TLS handshake completed. */
bool session_handshake_complete(const struct session *s);
/* Direction dir entered its TLS phase. */
bool session_in_tls(const struct session *s, enum tcp_dir dir);

#endif
