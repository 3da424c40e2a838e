/* starttls_pop3.c: POP3 up to STLS (RFC 1939, RFC 2449 CAPA, RFC 2595 4 STLS, RFC 5034 AUTH, RFC 8314). */
#include <string.h>

#include "line.h"
#include "pop3.h"
#include "session/lineproto.h"

/*
 * POP3 answers carry no tag: the n-th answer after the greeting is the
 * n-th command's (RFC 1939 3; a client may pipeline, RFC 2449 6.6). So
 * every client line is queued and each +OK or -ERR takes the oldest one.
 * A +OK to CAPA is followed by the capability lines up to "." (read);
 * a +OK to RETR, TOP, LIST or UIDL without argument, or to AUTH without a
 * mechanism, by data up to "." (skipped). AUTH with a mechanism starts a
 * SASL exchange: "+" continuations, the client's lines skipped unread,
 * until the +OK or -ERR that ends it (RFC 5034 4).
 *
 * The switch to TLS: the server right after its +OK to STLS when its next
 * bytes are TLS; the client right after its STLS line (lineproto.h).
 */

/* Commands waiting for their answer; more are counted, not kept. */
#define QUEUE_MAX 32u

enum kind {
	K_OTHER = 0,
	K_CAPA,
	K_STLS,
	K_AUTH,          /* with a mechanism: SASL */
	K_LISTING,       /* +OK is followed by data up to "." */
};

struct pop3_state {
	uint8_t queue[QUEUE_MAX];    /* enum kind, oldest at head */
	unsigned head, len;
	uint32_t untracked;          /* commands past QUEUE_MAX */
	bool in_capa;                /* reading the CAPA list */
	bool capa_stls;              /* and it listed STLS */
	uint8_t capa_auth;           /* and these SASL mechanisms */
	bool starttls_pending;       /* STLS sent, not refused */
	bool server_ok;              /* answered +OK: TLS due from the server */
	bool client_heard;           /* a client line (or gap) came by */
	/* With the client's direction missing: the block of lines being
	 * read may be a CAPA answer, and is taken for one at its "." only
	 * if it names a capability RFC 2449 or its kin define. */
	bool capa_unseen;
	bool capa_named;
	struct lineproto lp;         /* last: its buffers are not cleared */
};

static struct pop3_state *
owner(struct lineproto *lp)
{
	return lp->owner;
}

static void
push(struct pop3_state *s, enum kind k)
{
	if (s->len == QUEUE_MAX || s->untracked > 0) {
		if (s->untracked < UINT32_MAX)
			s->untracked++;
		return;
	}
	s->queue[(s->head + s->len) % QUEUE_MAX] = (uint8_t)k;
	s->len++;
}

/* Take the oldest command: the one this answer is for. */
static enum kind
pop(struct pop3_state *s)
{
	enum kind k = K_OTHER;

	if (s->len > 0) {
		k = (enum kind)s->queue[s->head];
		s->head = (s->head + 1) % QUEUE_MAX;
		s->len--;
	} else if (s->untracked > 0) {
		s->untracked--;
	}
	return k;
}

static uint8_t
sasl_bit(struct ta_bytes mech)
{
	if (line_keyword_eq(mech, "PLAIN"))
		return STARTTLS_AUTH_PLAIN;
	if (line_keyword_eq(mech, "LOGIN"))
		return STARTTLS_AUTH_LOGIN;
	return STARTTLS_AUTH_OTHER;
}

/* A capability name that RFC 2449 6, RFC 2595 4, RFC 3206 or RFC 6856
 * define: what an AUTH mechanism list or other lines never hold. */
static bool
known_capa(struct ta_bytes name)
{
	static const char *const names[] = {
		"TOP", "USER", "SASL", "RESP-CODES", "LOGIN-DELAY",
		"PIPELINING", "EXPIRE", "UIDL", "IMPLEMENTATION", "STLS",
		"AUTH-RESP-CODE", "UTF8", "LANG",
	};

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (line_keyword_eq(name, names[i]))
			return true;
	return false;
}

/* A line of the CAPA answer, or the "." that ends it (RFC 2449 5). */
static void
capa_line(struct pop3_state *s, struct ta_bytes body, ta_frame frame)
{
	struct starttls_facts *f = &s->lp.f;
	struct pop3_capa c;
	struct ta_bytes rest, mech;

	if (pop3_is_end(body)) {
		s->in_capa = false;
		if (s->capa_unseen && !s->capa_named) {
			s->capa_unseen = false;
			return;
		}
		s->capa_unseen = false;
		f->auth_mechs |= s->capa_auth;
		if (!f->caps_known) {
			f->caps_known = true;
			f->caps_frame = frame;
		}
		if (s->capa_stls && !f->offered) {
			f->offered = true;
			f->caps_frame = frame;
		}
		return;
	}
	if (pop3_parse_capa(body, &c) != DIS_OK)
		return;
	if (known_capa(c.name))
		s->capa_named = true;
	if (line_keyword_eq(c.name, "STLS")) {
		s->capa_stls = true;
	} else if (line_keyword_eq(c.name, "SASL")) {
		rest = c.args;
		while (line_word_next(&rest, &mech))
			s->capa_auth |= sasl_bit(mech);
	}
}

static void
stls_answer(struct pop3_state *s, const struct pop3_resp *r, ta_frame frame)
{
	struct starttls_facts *f = &s->lp.f;

	f->response_frame = frame;
	lineproto_keep_text(f->response_text, &f->response_text_len,
	                    STARTTLS_TEXT_MAX, r->text);
	if (r->status == POP3_OK) {
		f->response = STARTTLS_RESP_OK;
		s->server_ok = true;
		s->lp.d[TCP_DIR_S2C].expect_tls = true;
		/* Plaintext before the server's first TLS record. */
		s->lp.d[TCP_DIR_S2C].counting = true;
		return;
	}
	f->response = STARTTLS_RESP_ERR;
	s->starttls_pending = false;
	s->lp.d[TCP_DIR_C2S].counting = false;
	s->lp.d[TCP_DIR_C2S].expect_tls = false;
}

static void
server_line(struct pop3_state *s, struct ta_bytes line, ta_frame frame)
{
	struct starttls_facts *f = &s->lp.f;
	struct ta_bytes body = line_body(line.p, line.n);
	struct pop3_resp r;

	if (line_binary(body)) {
		lineproto_stop(&s->lp, TCP_DIR_S2C, line, frame);
		return;
	}
	/* A block read without its command ends at an answer line too. */
	if (s->in_capa && s->capa_unseen && pop3_parse_resp(body, &r) == DIS_OK) {
		s->in_capa = false;
		s->capa_unseen = false;
	}
	if (s->in_capa) {
		capa_line(s, body, frame);
		return;
	}
	if (pop3_parse_resp(body, &r) != DIS_OK) {
		/* After a +OK greeting a server speaks only to answer, and
		 * a line that is no answer belongs to a multi-line one
		 * whose command only the client's direction shows. With
		 * none of it in the capture, such lines are not taken for
		 * another protocol: they are read as a CAPA answer, which
		 * counts only if it names a capability (capa_line). */
		if (!s->client_heard && s->lp.greeting_seen &&
		    f->greeting == STARTTLS_GREETING_OK) {
			s->in_capa = true;
			s->capa_unseen = true;
			s->capa_named = false;
			s->capa_stls = false;
			s->capa_auth = 0;
			capa_line(s, body, frame);
			return;
		}
		lineproto_stop(&s->lp, TCP_DIR_S2C, line, frame);
		return;
	}
	/* Plaintext after the +OK to STLS: framed and counted, never
	 * believed. */
	if (s->server_ok)
		return;
	if (!s->lp.greeting_seen) {
		lineproto_greeting(&s->lp, r.status == POP3_OK ?
		    STARTTLS_GREETING_OK : r.status == POP3_ERR ?
		    STARTTLS_GREETING_REFUSED : STARTTLS_GREETING_OTHER, frame);
		return;
	}
	/* A SASL challenge answers the client's last line, not a command. */
	if (r.status == POP3_CONT)
		return;
	switch (pop(s)) {
	case K_CAPA:
		if (r.status == POP3_OK) {
			s->in_capa = true;
			s->capa_stls = false;
			s->capa_auth = 0;
		} else if (!f->caps_known) {
			/* No CAPA: nothing can be offered (RFC 2595 4 asks
			 * for STLS in CAPA). */
			f->caps_known = true;
			f->caps_frame = frame;
		}
		break;
	case K_STLS:
		if (s->starttls_pending && f->response == STARTTLS_RESP_NONE)
			stls_answer(s, &r, frame);
		break;
	case K_AUTH:
		lineproto_skip_lines(&s->lp, TCP_DIR_C2S, false);
		break;
	case K_LISTING:
		if (r.status == POP3_OK)
			lineproto_skip_dot(&s->lp, TCP_DIR_S2C);
		break;
	default:
		break;
	}
}

/* RETR, TOP: always a listing; LIST and UIDL without argument (RFC 1939
 * 5); AUTH without a mechanism lists the mechanisms (RFC 5034 4 leaves it
 * to the server; Dovecot and others answer so). */
static bool
listing(const struct pop3_cmd *c)
{
	if (line_keyword_eq(c->keyword, "RETR") ||
	    line_keyword_eq(c->keyword, "TOP"))
		return true;
	return c->args.n == 0 && (line_keyword_eq(c->keyword, "LIST") ||
	    line_keyword_eq(c->keyword, "UIDL") ||
	    line_keyword_eq(c->keyword, "AUTH"));
}

static void
client_line(struct pop3_state *s, struct ta_bytes line, ta_frame frame)
{
	struct starttls_facts *f = &s->lp.f;
	struct ta_bytes body = line_body(line.p, line.n);
	struct pop3_cmd c;

	s->client_heard = true;
	if (line_binary(body)) {
		lineproto_stop(&s->lp, TCP_DIR_C2S, line, frame);
		return;
	}
	/* Every line gets an answer, a -ERR for one that is no command. */
	if (pop3_parse_cmd(body, &c) != DIS_OK) {
		push(s, K_OTHER);
		return;
	}
	if (line_keyword_eq(c.keyword, "STLS") && !s->starttls_pending) {
		f->requested = true;
		f->request_frame = frame;
		f->response = STARTTLS_RESP_NONE;
		f->response_frame = 0;
		f->response_text_len = 0;
		s->starttls_pending = true;
		s->lp.d[TCP_DIR_C2S].counting = true;
		s->lp.d[TCP_DIR_C2S].expect_tls = true;
		push(s, K_STLS);
	} else if (line_keyword_eq(c.keyword, "CAPA")) {
		push(s, K_CAPA);
	} else if (listing(&c)) {
		if (!f->plaintext_mail && (line_keyword_eq(c.keyword, "RETR") ||
		    line_keyword_eq(c.keyword, "TOP"))) {
			f->plaintext_mail = true;
			f->plaintext_mail_frame = frame;
		}
		push(s, K_LISTING);
	} else if (line_keyword_eq(c.keyword, "PASS") ||
	           line_keyword_eq(c.keyword, "APOP") ||
	           line_keyword_eq(c.keyword, "AUTH")) {
		/* The password, APOP's digest of it, or a SASL exchange:
		 * credentials in clear (a USER alone is not one). */
		if (!f->plaintext_auth) {
			f->plaintext_auth = true;
			f->plaintext_auth_frame = frame;
		}
		if (line_keyword_eq(c.keyword, "AUTH")) {
			lineproto_skip_lines(&s->lp, TCP_DIR_C2S, true);
			push(s, K_AUTH);
		} else {
			push(s, K_OTHER);
		}
	} else {
		push(s, K_OTHER);
	}
}

static void
on_line(struct lineproto *lp, enum tcp_dir dir, struct ta_bytes line,
        ta_frame frame)
{
	if (dir == TCP_DIR_S2C)
		server_line(owner(lp), line, frame);
	else
		client_line(owner(lp), line, frame);
}

/* An unreadable client line shows its first word at most: the command. */
static size_t
client_excerpt(const uint8_t *ex, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ex[i] == ' ' || ex[i] == '\t')
			return i;
	return n;
}

static const struct lineproto_cb callbacks = {
	.line = on_line,
	.skip_done = NULL,
	.client_excerpt = client_excerpt,
};

static void
pop3_init(void *state)
{
	struct pop3_state *s = state;

	memset(s, 0, offsetof(struct pop3_state, lp));
	lineproto_init(&s->lp, &callbacks, s, STARTTLS_PROTO_POP3);
}

static size_t
pop3_feed(void *state, enum tcp_dir dir, const uint8_t *p, size_t n,
          ta_frame frame, bool *tls_begins)
{
	struct pop3_state *s = state;

	return lineproto_feed(&s->lp, dir, p, n, frame, tls_begins);
}

static void
pop3_gap(void *state, enum tcp_dir dir, uint64_t n, ta_frame frame)
{
	struct pop3_state *s = state;

	(void)n;
	(void)frame;
	if (dir == TCP_DIR_C2S)
		s->client_heard = true;
	lineproto_gap(&s->lp, dir);
}

static bool
pop3_finished(const void *state)
{
	const struct pop3_state *s = state;

	return lineproto_finished(&s->lp);
}

static void
pop3_facts(const void *state, struct starttls_facts *out)
{
	const struct pop3_state *s = state;

	*out = s->lp.f;
}

const struct starttls_ops starttls_pop3_ops = {
	.name = "pop3",
	.protocol = STARTTLS_PROTO_POP3,
	.state_size = sizeof(struct pop3_state),
	.init = pop3_init,
	.feed = pop3_feed,
	.gap = pop3_gap,
	.finished = pop3_finished,
	.facts = pop3_facts,
};
