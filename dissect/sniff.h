/*
 * sniff.h: what the first bytes of a TCP segment's payload say about the
 * stream it may start, for segments of ports nobody asked us to watch: a
 * TLS ClientHello (RFC 8446 5.1, 4.1.2; the SSLv2-compatible form of RFC
 * 5246 E.2), a ServerHello (4.1.3: a capture that holds only the server's
 * side, or begins after the ClientHello) or a mail server's plaintext
 * greeting (IMAP "* OK", RFC 9051
 * 7.1; POP3 "+OK", RFC 1939 4; SMTP "220", RFC 5321 4.2). The run summary
 * counts them by port so that a capture whose TLS is on other ports says
 * where it is and how to analyse it. Pure: a look at a few bytes.
 */
#ifndef SNIFF_H
#define SNIFF_H

#include <stddef.h>
#include <stdint.h>

enum sniff_kind {
	SNIFF_NONE = 0,
	SNIFF_CLIENT_HELLO,  /* counted at the destination port */
	SNIFF_IMAP_GREETING, /* counted at the source port */
	SNIFF_POP3_GREETING,
	SNIFF_SMTP_GREETING,
	SNIFF_SERVER_HELLO,  /* counted at the source port */
};
#define SNIFF_KINDS 6

/* The kind of stream start p (n captured bytes) is, SNIFF_NONE when it
 * is none of them or too short to tell. */
enum sniff_kind sniff_stream_start(const uint8_t *p, size_t n);

#endif
