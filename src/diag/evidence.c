/* evidence.c: what the rules write with: evidence, verdict and cause text, frame references, times, what the client offered. */
#include <stdarg.h>
#include <string.h>

#include "diag/diag_ctx.h"
#include "util/fmt.h"
#include "iana_tables.h"
#include "tls/tls_names.h"
#include "util/utf8.h"

/* ------------------------------------------------------------------ */
/* Text */

struct fbuf
dg_fr(const struct ctx *c, ta_frame f)
{
	struct fbuf b;

	fmt_frame(b.s, sizeof b.s, f, c->base_file);
	return b;
}

/* One line of evidence; lines past the capacity are counted. */
void
dg_ev_text(struct ctx *c, ta_frame frame, const char *fmt, ...)
{
	struct diag_result *o = c->out;
	struct diag_evidence *e;
	va_list ap;

	if (o->nevidence >= DIAG_MAX_EVIDENCE) {
		if (o->evidence_dropped < UINT8_MAX)
			o->evidence_dropped++;
		return;
	}
	e = &o->evidence[o->nevidence++];
	e->frame = frame;
	va_start(ap, fmt);
	(void)fmt_vsnprintf(e->text, sizeof e->text, fmt, ap);
	va_end(ap);
}

/* Decide: the verdict and its one-sentence summary. */
void
dg_verdict_text(struct ctx *c, enum diag_verdict v, bool inferred,
             const char *fmt, ...)
{
	va_list ap;

	c->out->verdict = v;
	c->out->inferred = inferred;
	va_start(ap, fmt);
	(void)fmt_vsnprintf(c->out->summary, sizeof c->out->summary, fmt, ap);
	va_end(ap);
}

void
dg_set_verdict(struct ctx *c, enum diag_verdict v, bool inferred)
{
	c->out->verdict = v;
	c->out->inferred = inferred;
}

void
dg_cause_text(struct ctx *c, const char *fmt, ...)
{
	struct diag_result *o = c->out;
	va_list ap;

	if (o->ncauses >= DIAG_MAX_CAUSES)
		return;
	va_start(ap, fmt);
	(void)fmt_vsnprintf(o->causes[o->ncauses], sizeof o->causes[0], fmt, ap);
	va_end(ap);
	o->ncauses++;
}

/*
 * Network-derived bytes (IMAP text, SNI, certificate names) in a sentence:
 * printable ASCII only, others as '?', at most max bytes, never a quote
 * that would end the quoted form early. The report escapes again for its
 * own format; this keeps the sentence itself readable and inert.
 */
struct lbuf
dg_inert(const uint8_t *p, size_t n, size_t max)
{
	struct lbuf b;
	size_t i, o = 0;

	if (max > sizeof b.s - 4)
		max = sizeof b.s - 4;
	for (i = 0; i < n && o < max;) {
		uint8_t ch = p[i];
		uint32_t cp;
		size_t len;

		if (ch == '\r' || ch == '\n')
			break;
		/* Valid UTF-8 names (a certificate's "Zürich") stay readable;
		 * control characters, C1 included, and invalid bytes do not. */
		len = utf8_seq(p + i, n - i, &cp);
		if (len > 1 && cp >= 0xa0 && o + len <= max) {
			memcpy(b.s + o, p + i, len);
			o += len;
			i += len;
			continue;
		}
		if (len > 1 && cp >= 0xa0)
			break;
		b.s[o++] = ch >= 0x20 && ch < 0x7f && ch != '"' ? (char)ch : '?';
		i += len > 0 ? len : 1;
	}
	if (i < n && p[i] != '\r' && p[i] != '\n') {
		b.s[o++] = '.';
		b.s[o++] = '.';
		b.s[o++] = '.';
	}
	b.s[o] = '\0';
	return b;
}

struct lbuf
dg_inert_str(const char *s, size_t max)
{
	return dg_inert((const uint8_t *)s, strnlen(s, 4096), max);
}

/* ------------------------------------------------------------------ */
/* Time */

/*
 * The capture time of a frame, where the facts know it: the TCP tracker
 * keeps the times of the SYNs, the SYN-ACK, each side's first, last and
 * FIN packets, the RSTs and the packet before the first RST. The TLS
 * facts keep frames only, so a ClientHello's own time is known only when
 * it is one of those packets.
 */
bool
dg_frame_time(const struct ctx *c, ta_frame fr_, ta_time *ts)
{
	const struct tcp_track *t = c->tt;
	uint32_t i, n;

	if (fr_ == 0)
		return false;
	/* The connection noted the times of its telling frames (those with
	 * payload while the handshake was read, SYN, FIN, RST). */
	if (c->f->conn != NULL && flow_frame_time(c->f->conn, fr_, ts))
		return true;
	if (fr_ == c->f->tcp.end_frame && c->f->tcp.end_ts != 0) {
		*ts = c->f->tcp.end_ts;
		return true;
	}
	if (t == NULL)
		return false;
	if (t->syn_frame == fr_ && t->syns > 0) {
		*ts = t->syn_ts;
		return true;
	}
	if (t->syn_last_frame == fr_ && t->syns > 0) {
		*ts = t->syn_last_ts;
		return true;
	}
	if (t->synack_frame == fr_ && t->synack_seen) {
		*ts = t->synack_ts;
		return true;
	}
	for (i = 0; i < 2; i++) {
		const struct tcp_endpoint *e = &t->ep[i];

		if (e->pkts == 0)
			continue;
		if (e->first_frame == fr_) {
			*ts = e->first_ts;
			return true;
		}
		if (e->last_frame == fr_) {
			*ts = e->last_ts;
			return true;
		}
		if (e->fin_seen && e->fin_frame == fr_) {
			*ts = e->fin_ts;
			return true;
		}
	}
	n = t->nrst < TCP_TRACK_MAX_RST ? t->nrst : TCP_TRACK_MAX_RST;
	for (i = 0; i < n; i++)
		if (t->rst[i].frame == fr_) {
			*ts = t->rst[i].ts;
			return true;
		}
	if (t->nrst > 0 && t->rst0_prev_frame == fr_) {
		*ts = t->rst[0].dir == TCP_DIR_S2C ? t->last_c2s_before_rst :
		    t->last_s2c_before_rst;
		return true;
	}
	if (t->last_frame == fr_) {
		*ts = t->last_ts;
		return true;
	}
	return false;
}

struct dbuf
dg_dur(uint64_t ns)
{
	struct dbuf b;

	fmt_duration(b.s, sizeof b.s, ns);
	return b;
}

/* "2.1 ms after" when both times are known, else "after". */
struct sbuf
dg_after(const struct ctx *c, ta_frame later, ta_frame earlier)
{
	struct sbuf b;
	ta_time a, e;

	if (dg_frame_time(c, later, &a) && dg_frame_time(c, earlier, &e) &&
	    a >= e)
		(void)fmt_snprintf(b.s, sizeof b.s, "%s after",
		    dg_dur(a - e).s);
	else
		(void)fmt_snprintf(b.s, sizeof b.s, "after");
	return b;
}

/* ------------------------------------------------------------------ */
/* What the client offered */

static bool
is_scsv(uint16_t v)
{
	return v == 0x00ff || v == 0x5600;
}

/* The versions a ClientHello offers: supported_versions without GREASE,
 * or its legacy_version alone (RFC 8446 4.2.1). */
static size_t
offered_versions(const struct tls_client_hello *ch, uint16_t *v, size_t cap)
{
	size_t n = 0;

	if (ch->has_supported_versions && ch->versions.count > 0) {
		for (size_t i = 0; i < ch->versions.count && n < cap; i++)
			if (!tls_hs_is_grease(ch->versions.v[i]))
				v[n++] = ch->versions.v[i];
	} else if (cap > 0) {
		v[n++] = ch->legacy_version;
	}
	return n;
}

uint16_t
dg_max_offered(const struct tls_client_hello *ch)
{
	uint16_t v[TLS_HS_MAX_VERSIONS], m = 0;
	size_t n = offered_versions(ch, v, TLS_HS_MAX_VERSIONS);

	for (size_t i = 0; i < n; i++)
		if (v[i] > m && v[i] <= TLS_V_TLS13)
			m = v[i];
	return m;
}

/*
 * Did the client offer version v? With supported_versions it is a list;
 * without, legacy_version is the highest the client takes, and whether it
 * takes a lower one is not said on the wire (counted as offered).
 */
bool
dg_client_offers(const struct tls_client_hello *ch, uint16_t v)
{
	uint16_t list[TLS_HS_MAX_VERSIONS];
	size_t n;

	if (!ch->has_supported_versions || ch->versions.count == 0)
		return v <= ch->legacy_version;
	n = offered_versions(ch, list, TLS_HS_MAX_VERSIONS);
	for (size_t i = 0; i < n; i++)
		if (list[i] == v)
			return true;
	return false;
}

const char *
dg_vname(uint16_t v, char hex[TLS_NAMES_HEX_LEN])
{
	return tls_version_str(v, hex);
}

/* "TLS 1.2-1.3", "TLS 1.0, TLS 1.2", "up to TLS 1.2". */
struct sbuf
dg_versions_desc(const struct tls_client_hello *ch)
{
	uint16_t v[TLS_HS_MAX_VERSIONS], lo = 0xffff, hi = 0;
	char h1[TLS_NAMES_HEX_LEN], h2[TLS_NAMES_HEX_LEN];
	struct sbuf b;
	size_t n, i, o;
	bool known = true, contiguous;

	if (!ch->has_supported_versions || ch->versions.count == 0) {
		if (ch->legacy_version <= TLS_V_SSL3)
			(void)fmt_snprintf(b.s, sizeof b.s, "%s only",
			    dg_vname(ch->legacy_version, h1));
		else
			(void)fmt_snprintf(b.s, sizeof b.s, "up to %s",
			    dg_vname(ch->legacy_version, h1));
		return b;
	}
	n = offered_versions(ch, v, TLS_HS_MAX_VERSIONS);
	for (i = 0; i < n; i++) {
		if (v[i] < TLS_V_SSL3 || v[i] > TLS_V_TLS13)
			known = false;
		if (v[i] < lo)
			lo = v[i];
		if (v[i] > hi)
			hi = v[i];
	}
	contiguous = known && n == (size_t)(hi - lo) + 1;
	if (n == 0) {
		(void)fmt_snprintf(b.s, sizeof b.s, "no version");
	} else if (n == 1) {
		(void)fmt_snprintf(b.s, sizeof b.s, "%s only",
		    dg_vname(v[0], h1));
	} else if (contiguous && lo >= TLS_V_TLS10) {
		/* "TLS 1.2-1.3": the second name without its "TLS " */
		const char *hn = dg_vname(hi, h2);

		(void)fmt_snprintf(b.s, sizeof b.s, "%s-%s", dg_vname(lo, h1),
		    strncmp(hn, "TLS ", 4) == 0 ? hn + 4 : hn);
	} else if (contiguous) {
		(void)fmt_snprintf(b.s, sizeof b.s, "%s to %s",
		    dg_vname(lo, h1), dg_vname(hi, h2));
	} else {
		o = 0;
		b.s[0] = '\0';
		for (i = 0; i < n && o + 16 < sizeof b.s; i++) {
			int w = fmt_snprintf(b.s + o, sizeof b.s - o, "%s%s",
			    i > 0 ? ", " : "", dg_vname(v[i], h1));

			if (w < 0)
				break;
			o += (size_t)w;
		}
	}
	return b;
}

void
dg_suite_stats(const struct tls_client_hello *ch, struct suite_stats *s)
{
	memset(s, 0, sizeof *s);
	for (size_t i = 0; i < ch->ciphers.count; i++) {
		uint16_t id = ch->ciphers.v[i];
		const struct iana_cipher *ci;

		if (tls_hs_is_grease(id) || is_scsv(id))
			continue;
		s->n++;
		ci = iana_cipher(id);
		if (ci == NULL) {
			s->unknown++;
			continue;
		}
		if (ci->flags & IANA_CF_TLS13) {
			s->tls13++;
			continue;
		}
		s->legacy++;
		if (ci->mode == IANA_MODE_AEAD)
			s->aead++;
		else if (ci->mode == IANA_MODE_CBC)
			s->cbc++;
		if (ci->flags & IANA_CF_FS)
			s->fs++;
		if (ci->kx != NULL && strcmp(ci->kx, "RSA") == 0)
			s->rsa_kx++;
		if (ci->flags & IANA_CF_WEAK)
			s->weak++;
	}
}

/* "10 cipher suites: 3 for TLS 1.3, 7 for TLS 1.2 and below, all AEAD
 * with forward secrecy, no CBC, no RSA key exchange" */
struct lbuf
dg_suites_desc(const struct tls_client_hello *ch)
{
	struct suite_stats s;
	struct lbuf b;
	size_t o;
	int w;

	dg_suite_stats(ch, &s);
	w = fmt_snprintf(b.s, sizeof b.s, "%u cipher suite%s", s.n,
	    s.n == 1 ? "" : "s");
	o = w > 0 ? (size_t)w : 0;
	if (s.n == 0 || o >= sizeof b.s)
		return b;
	if (s.tls13 > 0)
		w = fmt_snprintf(b.s + o, sizeof b.s - o, ": %u for TLS 1.3, %u for "
		    "TLS 1.2 and below", s.tls13, s.legacy);
	else
		w = fmt_snprintf(b.s + o, sizeof b.s - o, ", all for TLS 1.2 and "
		    "below");
	o += w > 0 ? (size_t)w : 0;
	if (s.legacy == 0 || o >= sizeof b.s)
		return b;
	if (s.aead == s.legacy && s.fs == s.legacy)
		w = fmt_snprintf(b.s + o, sizeof b.s - o, ", %s AEAD with forward "
		    "secrecy (ECDHE/DHE): no CBC, no RSA key exchange",
		    s.legacy == 1 ? "that one" : "all");
	else if (s.aead == s.legacy)
		w = fmt_snprintf(b.s + o, sizeof b.s - o, ", %s AEAD (no CBC)",
		    s.legacy == 1 ? "that one" : "all");
	else
		w = fmt_snprintf(b.s + o, sizeof b.s - o, " (%u AEAD, %u CBC, %u "
		    "with forward secrecy, %u with RSA key exchange%s)", s.aead,
		    s.cbc, s.fs, s.rsa_kx, s.weak > 0 ? ", some weak" : "");
	(void)w;
	return b;
}

void
dg_ev_client_hello(struct ctx *c)
{
	const struct tls_client_hello *ch = c->ch;

	if (c->quick)
		return;
	if (ch == NULL)
		return;
	if (ch->has_sni)
		ev(c, c->tls->client_hello_frame, "%s: client sent ClientHello "
		    "offering %s, %s; SNI %s",
		    dg_fr(c, c->tls->client_hello_frame).s,
		    dg_versions_desc(ch).s, dg_suites_desc(ch).s,
		    dg_inert(ch->sni, ch->sni_len < TLS_HS_SNI_MAX ?
		    ch->sni_len : TLS_HS_SNI_MAX, 48).s);
	else
		ev(c, c->tls->client_hello_frame, "%s: client sent ClientHello "
		    "offering %s, %s (no SNI)",
		    dg_fr(c, c->tls->client_hello_frame).s,
		    dg_versions_desc(ch).s, dg_suites_desc(ch).s);
}

void
dg_ev_server_hello(struct ctx *c)
{
	char h1[TLS_NAMES_HEX_LEN], h2[TLS_NAMES_HEX_LEN];

	if (c->quick)
		return;
	if (c->sh == NULL)
		return;
	ev(c, c->tls->server_hello_frame, "%s: server chose %s, %s",
	    dg_fr(c, c->tls->server_hello_frame).s,
	    dg_vname(c->sh->version, h1), tls_cipher_str(c->sh->cipher, h2));
}

/* ------------------------------------------------------------------ */
/* Sides and versions */

const char *
dg_side_word(enum tls_side s)
{
	return s == TLS_SIDE_CLIENT ? "client" : "server";
}

bool
dg_tls13(const struct ctx *c)
{
	return c->sh != NULL && c->sh->version == TLS_V_TLS13;
}

bool
dg_stream_gapped(const struct ctx *c, enum tls_side side)
{
	const struct conn *k = c->f->conn;

	if (k == NULL)
		return false;
	return k->reasm[side == TLS_SIDE_CLIENT ? TCP_DIR_C2S
	                                       : TCP_DIR_S2C].gaps > 0;
}
