/* starttls_imap.c: IMAP up to STARTTLS (RFC 9051 6.2.1, RFC 3501 6.2.1, RFC 2595, RFC 8314 4.1). */
#include <stddef.h>
#include <string.h>

#include "imap.h"
#include "session/starttls.h"

/*
 * Each direction is a small machine: LINE reads a line (kept in buf while
 * it spans deliveries), LITERAL skips the octets a "{n}" announced, TLS and
 * STOPPED are final. Wherever an IMAP line could begin, the first bytes are
 * sniffed for TLS; that is the switch point. So the server switches right
 * after the CRLF of its tagged OK when TLS follows, and the client right
 * after its STARTTLS line when its ClientHello follows. Plaintext in
 * between is counted as pipelined and still framed (and, on the client's
 * side, still read as commands).
 */

/* Bytes of a tag kept for matching; a longer tag is matched on these
 * bytes and its length (RFC 9051 puts no bound on tags). */
#define TAG_KEEP 64u

enum dir_mode {
	MODE_LINE = 0,
	MODE_LITERAL,
	MODE_TLS,          /* switched: the module is not fed again */
	MODE_STOPPED,      /* gap or unparsable: bytes are ignored */
};

struct dir_state {
	enum dir_mode mode;
	bool cont;         /* the current line goes on after a literal */
	bool skip;         /* the current line is dropped unread (SASL data) */
	bool cred;         /* the current command carries credentials */
	bool counting;     /* bytes now are pipelined (see starttls.h) */
	uint64_t literal_left;
	size_t len;        /* bytes of the current line held in buf */
};

struct saved_tag {
	size_t len;
	uint8_t b[TAG_KEEP];
};

struct imap_state {
	struct starttls_facts f;
	struct dir_state d[2];       /* indexed by enum tcp_dir */
	bool greeting_seen;          /* the server's first line was read */
	bool starttls_pending;       /* STARTTLS sent, not refused */
	bool server_ok;              /* answered OK: TLS due from the server */
	bool sasl;                   /* inside an AUTHENTICATE exchange */
	struct saved_tag starttls_tag;
	struct saved_tag sasl_tag;
	/* Last, and not cleared by init: only the first d[i].len bytes are
	 * ever read, and the rest of the state is a fraction of its size. */
	uint8_t buf[2][IMAP_LINE_MAX];
};

static void
tag_save(struct saved_tag *t, struct ta_bytes tag)
{
	size_t n = tag.n < TAG_KEEP ? tag.n : TAG_KEEP;

	t->len = tag.n;
	memcpy(t->b, tag.p, n);
}

static bool
tag_match(const struct saved_tag *t, struct ta_bytes tag)
{
	size_t n = tag.n < TAG_KEEP ? tag.n : TAG_KEEP;

	return t->len == tag.n && memcmp(t->b, tag.p, n) == 0;
}

static void
add_pipelined(uint32_t *count, ta_frame *first, size_t n, ta_frame frame)
{
	if (n == 0)
		return;
	if (*count == 0)
		*first = frame;
	if (n > UINT32_MAX - *count)
		*count = UINT32_MAX;
	else
		*count += (uint32_t)n;
}

/* Where a keyword ends in p[0..n), ignoring case; 0 if it is absent. */
static size_t
keyword_end(const uint8_t *p, size_t n, const char *kw)
{
	size_t k = strlen(kw);
	struct ta_bytes w;

	for (size_t i = 0; i + k <= n; i++) {
		w.p = p + i;
		w.n = k;
		if (imap_keyword_eq(w, kw))
			return i + k;
	}
	return 0;
}

/*
 * How much of a client line may be shown: never past its second word (tag
 * and command) nor past a LOGIN or AUTHENTICATE keyword, whatever
 * separates the words, since a password may follow. Nothing of a line
 * inside a credential-bearing command or a SASL exchange.
 */
static size_t
client_excerpt_len(const struct dir_state *d, const uint8_t *ex, size_t n)
{
	size_t words = 0, cut;

	if (d->cred || d->skip || d->cont)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if ((ex[i] == ' ' || ex[i] == '\t') && ++words == 2) {
			n = i;
			break;
		}
	}
	cut = keyword_end(ex, n, "LOGIN");
	if (cut > 0)
		n = cut;
	cut = keyword_end(ex, n, "AUTHENTICATE");
	if (cut > 0)
		n = cut;
	return n;
}

/*
 * Record why a direction is parsed no further, with the start of the line
 * at fault, given in two pieces (held bytes, then new ones).
 */
static void
stop_unparsed(struct imap_state *s, enum tcp_dir dir, const uint8_t *a,
              size_t an, const uint8_t *b, size_t bn, ta_frame frame)
{
	struct dir_state *d = &s->d[dir];
	uint8_t ex[STARTTLS_EXCERPT_MAX];
	size_t n = 0;

	/* A server whose first line does not parse sent no greeting. */
	if (dir == TCP_DIR_S2C && !s->greeting_seen && !d->cont) {
		s->greeting_seen = true;
		s->f.greeting = STARTTLS_GREETING_OTHER;
		s->f.greeting_frame = frame;
	}
	d->mode = MODE_STOPPED;
	d->len = 0;
	if (s->f.unparsed)
		return;
	for (size_t i = 0; i < an && n < sizeof ex; i++)
		ex[n++] = a[i];
	for (size_t i = 0; i < bn && n < sizeof ex; i++)
		ex[n++] = b[i];
	if (dir == TCP_DIR_C2S)
		n = client_excerpt_len(d, ex, n);
	s->f.unparsed = true;
	s->f.unparsed_dir = dir;
	s->f.unparsed_frame = frame;
	s->f.unparsed_len = (uint8_t)n;
	memcpy(s->f.unparsed_excerpt, ex, n);
}

/*
 * TLS begins in this direction. Expected after the client's STARTTLS, and
 * from the server after its OK; when the client's side was lost (a gap)
 * the server's TLS cannot be judged, so it is not called unexpected.
 */
static void
begin_tls(struct imap_state *s, enum tcp_dir dir, ta_frame frame)
{
	bool expected = dir == TCP_DIR_C2S ? s->starttls_pending :
	                s->server_ok || s->d[TCP_DIR_C2S].mode == MODE_STOPPED;

	s->d[dir].mode = MODE_TLS;
	s->d[dir].len = 0;
	if (!expected && !s->f.tls_without_starttls) {
		s->f.tls_without_starttls = true;
		s->f.tls_without_starttls_dir = dir;
		s->f.tls_without_starttls_frame = frame;
	}
}

/* After a line: a literal announced at its end means octets to skip, then
 * the same command or response goes on (RFC 9051 4.3). */
static void
after_line(struct dir_state *d, struct ta_bytes body, bool literal_allowed)
{
	uint64_t n;
	bool nonsync;

	if (literal_allowed && imap_literal(body, &n, &nonsync)) {
		d->cont = true;
		if (n > 0) {
			d->mode = MODE_LITERAL;
			d->literal_left = n;
		}
		return;
	}
	d->cont = false;
	d->cred = false;
}

static uint8_t
sasl_bit(struct ta_bytes mech)
{
	if (imap_keyword_eq(mech, "PLAIN"))
		return STARTTLS_AUTH_PLAIN;
	if (imap_keyword_eq(mech, "LOGIN"))
		return STARTTLS_AUTH_LOGIN;
	return STARTTLS_AUTH_OTHER;
}

/* A capability list (RFC 9051 7.2.2): the atoms after "CAPABILITY". */
static void
capabilities(struct imap_state *s, struct ta_bytes list, ta_frame frame)
{
	struct ta_bytes rest = list, cap, mech;
	bool starttls = false;

	while (imap_word_next(&rest, &cap)) {
		if (imap_keyword_eq(cap, "STARTTLS"))
			starttls = true;
		else if (imap_keyword_eq(cap, "LOGINDISABLED"))
			s->f.logindisabled = true;
		else if (imap_keyword_prefix(cap, "AUTH=", &mech) && mech.n > 0)
			s->f.auth_mechs |= sasl_bit(mech);
	}
	if (!s->f.caps_known) {
		s->f.caps_known = true;
		s->f.caps_frame = frame;
	}
	/* The list that offered STARTTLS is the evidence worth citing. */
	if (starttls && !s->f.offered) {
		s->f.offered = true;
		s->f.caps_frame = frame;
	}
}

static void
starttls_answer(struct imap_state *s, const struct imap_resp *r,
                ta_frame frame)
{
	size_t n = r->text.n;

	if (n > STARTTLS_TEXT_MAX)
		n = STARTTLS_TEXT_MAX;

	switch (r->cond) {
	case IMAP_COND_OK:
		s->f.response = STARTTLS_RESP_OK;
		s->server_ok = true;
		/* Whatever the server sends before its first TLS record is
		 * plaintext after the OK (CVE-2021-22947). */
		s->d[TCP_DIR_S2C].counting = true;
		break;
	case IMAP_COND_NO:
	case IMAP_COND_BAD:
		s->f.response = r->cond == IMAP_COND_NO ? STARTTLS_RESP_NO :
		                                          STARTTLS_RESP_BAD;
		/* Refused: the session stays plaintext and the client's next
		 * commands are ordinary ones. */
		s->starttls_pending = false;
		s->d[TCP_DIR_C2S].counting = false;
		break;
	default:
		return;
	}
	s->f.response_frame = frame;
	s->f.response_text_len = (uint8_t)n;
	memcpy(s->f.response_text, r->text.p, n);
}

static void
server_line(struct imap_state *s, struct ta_bytes line, ta_frame frame)
{
	struct dir_state *d = &s->d[TCP_DIR_S2C];
	struct ta_bytes body = imap_line_body(line.p, line.n);
	struct imap_resp r;
	bool data;

	if (imap_line_binary(body)) {
		stop_unparsed(s, TCP_DIR_S2C, line.p, line.n, NULL, 0, frame);
		return;
	}
	if (d->cont) {
		/* The rest of a response after a literal: more literals may
		 * follow (RFC 9051 4.3). */
		after_line(d, body, true);
		return;
	}
	if (body.n == 0)
		return;
	if (imap_parse_resp(body, &r) != DIS_OK) {
		stop_unparsed(s, TCP_DIR_S2C, line.p, line.n, NULL, 0, frame);
		return;
	}
	/* Only untagged data carries literals; status text never does. */
	data = r.type == IMAP_RESP_UNTAGGED && r.cond == IMAP_COND_NONE;
	if (s->server_ok) {
		/* Plaintext after the OK to STARTTLS: framed and counted,
		 * never believed. */
		after_line(d, body, data);
		return;
	}
	if (!s->greeting_seen) {
		s->greeting_seen = true;
		s->f.greeting_frame = frame;
		s->f.greeting = STARTTLS_GREETING_OTHER;
		if (r.type == IMAP_RESP_UNTAGGED) {
			if (r.cond == IMAP_COND_OK)
				s->f.greeting = STARTTLS_GREETING_OK;
			else if (r.cond == IMAP_COND_PREAUTH)
				s->f.greeting = STARTTLS_GREETING_PREAUTH;
			else if (r.cond == IMAP_COND_BYE)
				s->f.greeting = STARTTLS_GREETING_BYE;
		}
	}
	if (r.cond != IMAP_COND_NONE && r.has_code &&
	    imap_keyword_eq(r.code, "CAPABILITY"))
		capabilities(s, r.code_args, frame);
	else if (data && imap_keyword_eq(r.keyword, "CAPABILITY"))
		capabilities(s, r.data, frame);
	if (r.type == IMAP_RESP_TAGGED) {
		if (s->starttls_pending &&
		    s->f.response == STARTTLS_RESP_NONE &&
		    tag_match(&s->starttls_tag, r.tag))
			starttls_answer(s, &r, frame);
		if (s->sasl && tag_match(&s->sasl_tag, r.tag))
			s->sasl = false;
	}
	after_line(d, body, data);
}

static void
client_line(struct imap_state *s, struct ta_bytes line, ta_frame frame)
{
	struct dir_state *d = &s->d[TCP_DIR_C2S];
	struct ta_bytes body = imap_line_body(line.p, line.n);
	struct imap_cmd c;

	if (imap_line_binary(body)) {
		stop_unparsed(s, TCP_DIR_C2S, line.p, line.n, NULL, 0, frame);
		return;
	}
	if (d->cont) {
		after_line(d, body, true);
		return;
	}
	/* An empty line is no command; servers ignore it, so do we. */
	if (body.n == 0)
		return;
	if (imap_parse_cmd(body, &c) != DIS_OK) {
		/* Text that is no command: the server answers "* BAD" and
		 * reads on, and so do we (someone typing "STARTTLS" without
		 * a tag into telnet tries again with one). */
		return;
	}
	if (imap_keyword_eq(c.name, "STARTTLS") && !s->starttls_pending) {
		/* Arguments are ignored as servers ignore them (Dovecot
		 * answers OK to "a STARTTLS x"). A new request after a
		 * refusal replaces the old one; one while a request is
		 * pending or accepted is only a pipelined command. */
		s->f.requested = true;
		s->f.request_frame = frame;
		s->f.response = STARTTLS_RESP_NONE;
		s->f.response_frame = 0;
		s->f.response_text_len = 0;
		s->starttls_pending = true;
		tag_save(&s->starttls_tag, c.tag);
		d->counting = true;
	} else if (imap_keyword_eq(c.name, "LOGIN") ||
	           imap_keyword_eq(c.name, "AUTHENTICATE")) {
		if (!s->f.plaintext_auth) {
			s->f.plaintext_auth = true;
			s->f.plaintext_auth_frame = frame;
		}
		/* Its arguments and what follows until the command ends are
		 * credentials: never kept, not even in an excerpt. */
		d->cred = true;
		if (imap_keyword_eq(c.name, "AUTHENTICATE")) {
			/* The client's next lines are SASL responses until
			 * the server's tagged answer (RFC 9051 6.2.2). */
			s->sasl = true;
			tag_save(&s->sasl_tag, c.tag);
		}
	}
	after_line(d, body, true);
}

/* SASL data: neither kept nor bounded, as a Kerberos token may exceed
 * IMAP_LINE_MAX. Returns the bytes used (at least one). */
static size_t
skip_line(struct dir_state *d, const uint8_t *q, size_t left)
{
	const uint8_t *lf = memchr(q, '\n', left);

	if (lf == NULL)
		return left;
	d->skip = false;
	return (size_t)(lf - q) + 1;
}

/* Read from a line: returns the bytes used (at least one). */
static size_t
take_line(struct imap_state *s, enum tcp_dir dir, const uint8_t *q,
          size_t left, ta_frame frame)
{
	struct dir_state *d = &s->d[dir];
	uint8_t *buf = s->buf[dir];
	struct ta_bytes line;
	size_t len;
	enum dis_status st = imap_line_end(q, left, d->len, &len);

	if (st == DIS_SHORT) {
		memcpy(buf + d->len, q, left);
		d->len += left;
		return left;
	}
	if (st != DIS_OK) {
		stop_unparsed(s, dir, buf, d->len, q, left, frame);
		return left;
	}
	if (d->len == 0) {
		line.p = q;
		line.n = len;
	} else {
		memcpy(buf + d->len, q, len);
		line.p = buf;
		line.n = d->len + len;
		d->len = 0;
	}
	if (dir == TCP_DIR_S2C)
		server_line(s, line, frame);
	else
		client_line(s, line, frame);
	return len;
}

static void
imap_init(void *state)
{
	struct imap_state *s = state;

	memset(s, 0, offsetof(struct imap_state, buf));
	s->f.protocol = STARTTLS_PROTO_IMAP;
}

static size_t
imap_feed(void *state, enum tcp_dir dir, const uint8_t *p, size_t n,
          ta_frame frame, bool *tls_begins)
{
	struct imap_state *s = state;
	struct dir_state *d;
	size_t off = 0;

	*tls_begins = false;
	if (dir != TCP_DIR_C2S && dir != TCP_DIR_S2C)
		return n;
	d = &s->d[dir];
	if (d->mode == MODE_TLS) {
		/* Fed again after the switch: all of it is TLS. */
		*tls_begins = true;
		return 0;
	}
	if (p == NULL)
		n = 0;
	while (off < n && (d->mode == MODE_LINE || d->mode == MODE_LITERAL)) {
		const uint8_t *q = p + off;
		size_t left = n - off, used;
		/* The line that sets `counting` is not itself pipelined. */
		bool counting = d->counting;

		if (d->mode == MODE_LITERAL) {
			used = left < d->literal_left ? left :
			                                (size_t)d->literal_left;
			d->literal_left -= used;
			if (d->literal_left == 0)
				d->mode = MODE_LINE;
		} else {
			if (d->len == 0 && !d->cont && !d->skip) {
				/* Where a line may begin. An SSLv2-format
				 * hello only ever comes from a client. */
				enum imap_sniff sn = imap_sniff_tls(q, left);

				if (sn == IMAP_SNIFF_RECORD ||
				    (sn == IMAP_SNIFF_SSL2 &&
				     dir == TCP_DIR_C2S)) {
					begin_tls(s, dir, frame);
					*tls_begins = true;
					return off;
				}
				if (dir == TCP_DIR_C2S && s->sasl)
					d->skip = true;
			}
			if (d->skip)
				used = skip_line(d, q, left);
			else
				used = take_line(s, dir, q, left, frame);
		}
		if (counting && dir == TCP_DIR_C2S)
			add_pipelined(&s->f.client_pipelined,
			              &s->f.client_pipelined_frame, used, frame);
		else if (counting)
			add_pipelined(&s->f.server_pipelined,
			              &s->f.server_pipelined_frame, used, frame);
		off += used;
	}
	return n;
}

static void
imap_gap(void *state, enum tcp_dir dir, uint64_t n, ta_frame frame)
{
	struct imap_state *s = state;

	(void)n;
	(void)frame;
	if (dir != TCP_DIR_C2S && dir != TCP_DIR_S2C)
		return;
	if (s->d[dir].mode == MODE_LINE || s->d[dir].mode == MODE_LITERAL) {
		s->d[dir].mode = MODE_STOPPED;
		s->d[dir].len = 0;
		s->f.gap = true;
	}
}

static bool
dir_done(const struct dir_state *d)
{
	return d->mode == MODE_TLS || d->mode == MODE_STOPPED;
}

static bool
imap_finished(const void *state)
{
	const struct imap_state *s = state;

	return dir_done(&s->d[TCP_DIR_C2S]) && dir_done(&s->d[TCP_DIR_S2C]);
}

static void
imap_facts(const void *state, struct starttls_facts *out)
{
	const struct imap_state *s = state;

	*out = s->f;
}

const struct starttls_ops starttls_imap_ops = {
	.name = "imap",
	.protocol = STARTTLS_PROTO_IMAP,
	.state_size = sizeof(struct imap_state),
	.init = imap_init,
	.feed = imap_feed,
	.gap = imap_gap,
	.finished = imap_finished,
	.facts = imap_facts,
};
