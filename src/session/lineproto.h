/*
 * lineproto.h: the framing shared by the line-based mail protocols before
 * TLS (POP3 RFC 1939 + RFC 2595, SMTP RFC 5321 + RFC 3207; ManageSieve
 * and LMTP fit the same): each direction is read line by line, with the
 * blocks a protocol announces skipped unread (message data ended by ".",
 * a chunk of n octets, SASL lines); wherever a line could begin the bytes
 * are sniffed for TLS, which is where that direction switches.
 *
 * A protocol module embeds a struct lineproto, gives it callbacks and
 * reads each complete line in them; it records its facts in lp->f. The
 * engine keeps what is common: the line buffers, the pipelined counts
 * (CVE-2011-0411 on the client's side, CVE-2021-22947 on the server's),
 * TLS where it was not expected, lines that cannot be read, and gaps.
 * Credentials: the engine copies nothing of a line but the excerpt of one
 * it cannot read, cut by the module's client_excerpt for the client side,
 * and never reads a skipped line.
 */
#ifndef LINEPROTO_H
#define LINEPROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "session/starttls.h"

/* Longest line, LF included (SMTP_LINE_MAX and POP3_LINE_MAX agree). */
#define LINEPROTO_LINE_MAX 4096u

enum lineproto_mode {
	LINEPROTO_LINE = 0,   /* reading lines */
	LINEPROTO_SKIP_COUNT, /* n octets skipped (SMTP BDAT chunk) */
	LINEPROTO_SKIP_DOT,   /* skipped up to the line "." (DATA, RETR) */
	LINEPROTO_TLS,        /* switched: not fed again */
	LINEPROTO_STOPPED,    /* gap or unreadable: bytes are ignored */
};

struct lineproto_dir {
	enum lineproto_mode mode;
	bool counting;       /* bytes now are pipelined (see starttls.h) */
	bool expect_tls;     /* TLS may begin here (after the upgrade) */
	bool skip_lines;     /* whole lines are skipped unread (SASL) */
	bool in_skip;        /* inside such a line */
	uint8_t dot;         /* LINEPROTO_SKIP_DOT: where in a line */
	uint64_t skip_left;  /* SKIP_COUNT: octets still to skip; SKIP_DOT:
	                      * octets skipped so far */
	size_t len;          /* bytes of the current line held in buf */
};

struct lineproto;

struct lineproto_cb {
	/* One complete line of dir, LF included (line.h's line_body cuts
	 * it). frame: the frame that completed it. */
	void (*line)(struct lineproto *lp, enum tcp_dir dir,
	             struct ta_bytes line, ta_frame frame);
	/* A skipped block (SKIP_COUNT, SKIP_DOT) of dir ended. */
	void (*skip_done)(struct lineproto *lp, enum tcp_dir dir,
	                  ta_frame frame);
	/* How many of the first n bytes of an unreadable client line may be
	 * shown (never a credential). */
	size_t (*client_excerpt)(const uint8_t *ex, size_t n);
};

struct lineproto {
	const struct lineproto_cb *cb;
	void *owner;                 /* the module's state, for callbacks */
	struct starttls_facts f;
	struct lineproto_dir d[2];   /* indexed by enum tcp_dir */
	bool greeting_seen;          /* the server's first line was read */
	/* Last, and not cleared by init: only the first d[i].len bytes are
	 * ever read. */
	uint8_t buf[2][LINEPROTO_LINE_MAX];
};

void lineproto_init(struct lineproto *lp, const struct lineproto_cb *cb,
                    void *owner, enum starttls_protocol proto);
/* starttls_ops.feed, .gap, .finished for the module. */
size_t lineproto_feed(struct lineproto *lp, enum tcp_dir dir,
                      const uint8_t *p, size_t n, ta_frame frame,
                      bool *tls_begins);
void lineproto_gap(struct lineproto *lp, enum tcp_dir dir);
bool lineproto_finished(const struct lineproto *lp);

/* What a module's callbacks ask of the engine, for the bytes of dir that
 * follow the current line. */
void lineproto_skip_count(struct lineproto *lp, enum tcp_dir dir, uint64_t n);
void lineproto_skip_dot(struct lineproto *lp, enum tcp_dir dir);
void lineproto_skip_lines(struct lineproto *lp, enum tcp_dir dir, bool on);
/* The line at frame cannot be read as the protocol: dir is read no
 * further (facts unparsed*). */
void lineproto_stop(struct lineproto *lp, enum tcp_dir dir,
                    struct ta_bytes line, ta_frame frame);

/* Copy at most max raw bytes of t into dst, the count into *len. */
void lineproto_keep_text(uint8_t *dst, uint8_t *len, size_t max,
                         struct ta_bytes t);

/* Note a greeting (the first server line), once. */
void lineproto_greeting(struct lineproto *lp, enum starttls_greeting g,
                        ta_frame frame);

#endif
