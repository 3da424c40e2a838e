/* starttls_smtp.c: SMTP up to STARTTLS, for relay (port 25) and submission (587) (RFC 5321, RFC 3207, RFC 4954, RFC 2920, RFC 3030, RFC 6409). */
#include <string.h>

#include "line.h"
#include "smtp.h"
#include "session/lineproto.h"

/*
 * SMTP replies carry no tag: the n-th reply after the greeting answers the
 * n-th command (RFC 5321 4.1, RFC 2920 for pipelined commands). So every
 * client line is queued (a line that is no command still gets its 500),
 * as is the end of message data, and each complete reply takes the oldest
 * one. An AUTH exchange's 334 replies are intermediate: they answer the
 * client's SASL lines, which are skipped unread, and the final reply takes
 * the AUTH. DATA gets 354, then the message is skipped up to the line
 * "."; BDAT's chunk is skipped by count (RFC 3030).
 *
 * The switch to TLS: the server right after its 220 to STARTTLS when its
 * next bytes are TLS; the client right after its STARTTLS line when its
 * next bytes are TLS (lineproto.h).
 */

/* Commands waiting for their reply; a client pipelining more than this
 * (RFC 2920 sets no bound) has the rest counted, not kept. */
#define QUEUE_MAX 32u

enum kind {
	K_OTHER = 0,
	K_EHLO,          /* EHLO or LHLO: the reply lists the extensions */
	K_STARTTLS,
	K_AUTH,
	K_DATA,
	K_MESSAGE,       /* the end of message data ("." or a BDAT chunk) */
};

struct smtp_state {
	uint8_t queue[QUEUE_MAX];    /* enum kind, oldest at head */
	unsigned head, len;
	uint32_t untracked;          /* commands past QUEUE_MAX */
	bool in_reply;               /* a multi-line reply goes on */
	uint8_t reply_kind;          /* what it answers */
	bool reply_greeting;         /* it is the greeting */
	bool reply_starttls;         /* an EHLO reply listed STARTTLS */
	uint8_t reply_auth;          /* and these SASL mechanisms */
	bool starttls_pending;       /* STARTTLS sent, not refused */
	bool server_ok;              /* answered 220: TLS due from the server */
	bool client_heard;           /* a client line (or gap) came by */
	struct lineproto lp;         /* last: its buffers are not cleared */
};

static struct smtp_state *
owner(struct lineproto *lp)
{
	return lp->owner;
}

static void
push(struct smtp_state *s, enum kind k)
{
	if (s->len == QUEUE_MAX || s->untracked > 0) {
		if (s->untracked < UINT32_MAX)
			s->untracked++;
		return;
	}
	s->queue[(s->head + s->len) % QUEUE_MAX] = (uint8_t)k;
	s->len++;
}

static enum kind
peek(const struct smtp_state *s)
{
	return s->len > 0 ? (enum kind)s->queue[s->head] : K_OTHER;
}

static void
pop(struct smtp_state *s)
{
	if (s->len > 0) {
		s->head = (s->head + 1) % QUEUE_MAX;
		s->len--;
	} else if (s->untracked > 0) {
		s->untracked--;
	}
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

/* An extension line of the EHLO reply (RFC 5321 4.1.1.1). */
static void
ehlo_line(struct smtp_state *s, struct ta_bytes text)
{
	struct smtp_ehlo_kw k;
	struct ta_bytes rest, mech;

	if (smtp_parse_ehlo_kw(text, &k) != DIS_OK)
		return;
	if (line_keyword_eq(k.keyword, "STARTTLS")) {
		s->reply_starttls = true;
	} else if (line_keyword_eq(k.keyword, "AUTH")) {
		rest = k.params;
		while (line_word_next(&rest, &mech))
			s->reply_auth |= sasl_bit(mech);
	}
}

static void
starttls_answer(struct smtp_state *s, const struct smtp_reply_line *r,
                ta_frame frame)
{
	struct starttls_facts *f = &s->lp.f;

	f->response_code = r->code;
	f->response_frame = frame;
	lineproto_keep_text(f->response_text, &f->response_text_len,
	                    STARTTLS_TEXT_MAX, r->text);
	if (r->code / 100 == 2) {
		f->response = STARTTLS_RESP_OK;
		s->server_ok = true;
		s->lp.d[TCP_DIR_S2C].expect_tls = true;
		/* Whatever the server sends before its first TLS record is
		 * plaintext after the 220 (CVE-2021-22947's kind). */
		s->lp.d[TCP_DIR_S2C].counting = true;
		return;
	}
	f->response = r->code / 100 == 4 ? STARTTLS_RESP_TEMPFAIL :
	                                   STARTTLS_RESP_PERMFAIL;
	/* Refused: the session stays plaintext and the client's next
	 * commands are ordinary ones. */
	s->starttls_pending = false;
	s->lp.d[TCP_DIR_C2S].counting = false;
	s->lp.d[TCP_DIR_C2S].expect_tls = false;
}

/* The last line of a reply: what it answered is decided. */
static void
reply_end(struct smtp_state *s, const struct smtp_reply_line *r,
          ta_frame frame)
{
	struct starttls_facts *f = &s->lp.f;
	enum kind k = (enum kind)s->reply_kind;

	if (s->reply_greeting) {
		f->greeting_code = r->code;
		lineproto_greeting(&s->lp, r->code / 100 == 2 ?
		    STARTTLS_GREETING_OK : STARTTLS_GREETING_REFUSED, frame);
	} else if (k == K_AUTH && r->code == 334) {
		/* A SASL challenge: the AUTH goes on (RFC 4954 4). */
		return;
	} else {
		pop(s);
		switch (k) {
		case K_EHLO:
			if (r->code / 100 != 2)
				break;
			f->auth_mechs |= s->reply_auth;
			if (!f->caps_known) {
				f->caps_known = true;
				f->caps_frame = frame;
			}
			if (s->reply_starttls && !f->offered) {
				f->offered = true;
				f->caps_frame = frame;
			}
			break;
		case K_STARTTLS:
			if (s->starttls_pending &&
			    f->response == STARTTLS_RESP_NONE)
				starttls_answer(s, r, frame);
			break;
		case K_AUTH:
			lineproto_skip_lines(&s->lp, TCP_DIR_C2S, false);
			break;
		case K_DATA:
			/* 354: the message follows, up to the line ".";
			 * anything else turned it down. */
			if (r->code == 354)
				lineproto_skip_dot(&s->lp, TCP_DIR_C2S);
			break;
		default:
			break;
		}
	}
	if (r->code == 530 && !f->tls_required) {
		f->tls_required = true;
		f->tls_required_frame = frame;
	}
	if (r->code == 421 && !f->closing) {
		f->closing = true;
		f->closing_frame = frame;
		lineproto_keep_text(f->closing_text, &f->closing_text_len,
		                    sizeof f->closing_text, r->text);
	}
}

static void
server_line(struct smtp_state *s, struct ta_bytes line, ta_frame frame)
{
	struct ta_bytes body = line_body(line.p, line.n);
	struct smtp_reply_line r;

	if (line_binary(body) ||
	    smtp_parse_reply_line(body, &r) != DIS_OK) {
		lineproto_stop(&s->lp, TCP_DIR_S2C, line, frame);
		return;
	}
	/* Plaintext after the 220 to STARTTLS: framed and counted, never
	 * believed. */
	if (s->server_ok)
		return;
	if (!s->in_reply) {
		s->in_reply = true;
		s->reply_greeting = !s->lp.greeting_seen;
		s->reply_kind = (uint8_t)(s->reply_greeting ? K_OTHER : peek(s));
		/* With none of the client's direction in the capture, the
		 * first multi-line 250 after a 2xx greeting answers its EHLO:
		 * only EHLO has one (RFC 5321 4.1.1.1) before any mail. */
		if (!s->reply_greeting && !s->client_heard && !r.last &&
		    r.code == 250 && !s->lp.f.caps_known &&
		    s->lp.f.greeting == STARTTLS_GREETING_OK)
			s->reply_kind = K_EHLO;
		s->reply_starttls = false;
		s->reply_auth = 0;
	} else if (s->reply_kind == K_EHLO) {
		/* The first line names the server; the others are
		 * extensions. */
		ehlo_line(s, r.text);
	}
	if (r.last) {
		s->in_reply = false;
		reply_end(s, &r, frame);
	}
}

static void
client_line(struct smtp_state *s, struct ta_bytes line, ta_frame frame)
{
	struct starttls_facts *f = &s->lp.f;
	struct ta_bytes body = line_body(line.p, line.n);
	struct smtp_cmd c;
	uint64_t n;
	bool last;

	s->client_heard = true;
	if (line_binary(body)) {
		lineproto_stop(&s->lp, TCP_DIR_C2S, line, frame);
		return;
	}
	/* Every line gets a reply, a 500 for one that is no command. */
	if (smtp_parse_cmd(body, &c) != DIS_OK) {
		push(s, K_OTHER);
		return;
	}
	if (line_keyword_eq(c.verb, "STARTTLS") && !s->starttls_pending) {
		/* A new request after a refusal replaces the old one; one
		 * while a request is pending or accepted is only a pipelined
		 * command. */
		f->requested = true;
		f->request_frame = frame;
		f->response = STARTTLS_RESP_NONE;
		f->response_code = 0;
		f->response_frame = 0;
		f->response_text_len = 0;
		s->starttls_pending = true;
		s->lp.d[TCP_DIR_C2S].counting = true;
		s->lp.d[TCP_DIR_C2S].expect_tls = true;
		push(s, K_STARTTLS);
	} else if (line_keyword_eq(c.verb, "EHLO") ||
	           line_keyword_eq(c.verb, "LHLO")) {
		push(s, K_EHLO);
	} else if (line_keyword_eq(c.verb, "AUTH")) {
		if (!f->plaintext_auth) {
			f->plaintext_auth = true;
			f->plaintext_auth_frame = frame;
		}
		/* The client's next lines are SASL responses until the
		 * final reply (RFC 4954 4): credentials, never read. */
		lineproto_skip_lines(&s->lp, TCP_DIR_C2S, true);
		push(s, K_AUTH);
	} else if (line_keyword_eq(c.verb, "MAIL")) {
		if (!f->plaintext_mail) {
			f->plaintext_mail = true;
			f->plaintext_mail_frame = frame;
		}
		push(s, K_OTHER);
	} else if (line_keyword_eq(c.verb, "DATA")) {
		push(s, K_DATA);
	} else if (line_keyword_eq(c.verb, "BDAT") &&
	           smtp_bdat_size(c.args, &n, &last)) {
		/* The chunk is data, then the reply comes (RFC 3030 2). */
		(void)last;
		if (n > 0)
			lineproto_skip_count(&s->lp, TCP_DIR_C2S, n);
		push(s, K_OTHER);
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

static void
on_skip_done(struct lineproto *lp, enum tcp_dir dir, ta_frame frame)
{
	(void)frame;
	/* The end of a message after DATA gets its own reply. */
	if (dir == TCP_DIR_C2S && lp->d[TCP_DIR_C2S].skip_left > 0)
		push(owner(lp), K_MESSAGE);
}

/* An unreadable client line shows its first word at most: the verb. */
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
	.skip_done = on_skip_done,
	.client_excerpt = client_excerpt,
};

static void
smtp_init(void *state)
{
	struct smtp_state *s = state;

	memset(s, 0, offsetof(struct smtp_state, lp));
	lineproto_init(&s->lp, &callbacks, s, STARTTLS_PROTO_SMTP);
}

static size_t
smtp_feed(void *state, enum tcp_dir dir, const uint8_t *p, size_t n,
          ta_frame frame, bool *tls_begins)
{
	struct smtp_state *s = state;

	return lineproto_feed(&s->lp, dir, p, n, frame, tls_begins);
}

static void
smtp_gap(void *state, enum tcp_dir dir, uint64_t n, ta_frame frame)
{
	struct smtp_state *s = state;

	(void)n;
	(void)frame;
	if (dir == TCP_DIR_C2S)
		s->client_heard = true;
	lineproto_gap(&s->lp, dir);
}

static bool
smtp_finished(const void *state)
{
	const struct smtp_state *s = state;

	return lineproto_finished(&s->lp);
}

static void
smtp_facts(const void *state, struct starttls_facts *out)
{
	const struct smtp_state *s = state;

	*out = s->lp.f;
}

const struct starttls_ops starttls_smtp_ops = {
	.name = "smtp",
	.protocol = STARTTLS_PROTO_SMTP,
	.state_size = sizeof(struct smtp_state),
	.init = smtp_init,
	.feed = smtp_feed,
	.gap = smtp_gap,
	.finished = smtp_finished,
	.facts = smtp_facts,
};
