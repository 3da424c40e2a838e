/* advice.c: which side must change, from what each side offered and refused (versions, cipher suites, SNI). */
#include <string.h>

#include "diag/diag_ctx.h"
#include "iana_tables.h"
#include "util/fmt.h"

/* The client's highest final version (drafts and unknown values aside),
 * 0 when it offered none. */
static uint16_t
max_final(const struct tls_client_hello *ch)
{
	static const uint16_t finals[] = { TLS_V_TLS13, TLS_V_TLS12,
	    TLS_V_TLS11, TLS_V_TLS10, TLS_V_SSL3 };

	for (size_t i = 0; i < TA_ELEMENTS(finals); i++)
		if (dg_client_offers(ch, finals[i]))
			return finals[i];
	return 0;
}

/* The client's lowest final version, 0 when it offered none. */
static uint16_t
min_final(const struct tls_client_hello *ch)
{
	static const uint16_t finals[] = { TLS_V_SSL3, TLS_V_TLS10,
	    TLS_V_TLS11, TLS_V_TLS12, TLS_V_TLS13 };

	for (size_t i = 0; i < TA_ELEMENTS(finals); i++)
		if (dg_client_offers(ch, finals[i]))
			return finals[i];
	return 0;
}

/* The client offered some TLS 1.3 that is not the final one (a draft, an
 * experiment). */
static bool
offers_tls13_draft(const struct tls_client_hello *ch)
{
	for (size_t i = 0; i < ch->versions.count; i++) {
		uint16_t v = ch->versions.v[i];

		if ((v & 0xff00u) == 0x7f00u || (v & 0xff00u) == 0x7e00u ||
		    (v & 0xff00u) == 0xfb00u)
			return true;
	}
	return false;
}

/* The verdicts' own advice names the IMAP and POP3 servers' settings
 * (Dovecot, Cyrus, Courier); an SMTP server has its own. */
static const char advice_version_smtp[] =
	"Upgrade TLS on the SMTP server rather than lowering the client's "
	"minimum: enable TLS 1.2 and 1.3 there (remove any MaxProtocol cap "
	"from its OpenSSL configuration and use an OpenSSL that has them), "
	"then Postfix `smtpd_tls_protocols = >=TLSv1.2` and "
	"`smtpd_tls_mandatory_protocols = >=TLSv1.2`; Exim: no "
	"`openssl_options` (OpenSSL) or `tls_require_ciphers` (GnuTLS) that "
	"excludes them. Only as the last resort, allow the old version on the "
	"client for this one server, temporarily.";

static void
version_advice(struct ctx *c)
{
	const struct tls_client_hello *ch = c->ch;
	uint16_t top;
	char h[TLS_NAMES_HEX_LEN];

	if (ch == NULL)
		return;
	top = max_final(ch);
	/* The server chose a version and the client refused it (not
	 * offered, or below its security level): the server is old, which
	 * is the verdict's own advice, unless the client offers nothing
	 * newer itself. */
	if (c->sh != NULL && !(top != 0 && top < TLS_V_TLS12))
		return;
	if (top != 0 && top < TLS_V_TLS12) {
		(void)fmt_snprintf(c->advice_buf, sizeof c->advice_buf,
		    "The client must change: it offers nothing newer than %s "
		    "(%s), which current servers rightly refuse (RFC 8996). "
		    "Upgrade the migration tool or its TLS library, or enable "
		    "TLS 1.2 and 1.3 in its settings; do not lower the server's "
		    "minimum version for it.", dg_vname(top, h),
		    dg_versions_desc(ch).s);
		c->advice = c->advice_buf;
		return;
	}
	if (!dg_client_offers(ch, TLS_V_TLS12) &&
	    (top == TLS_V_TLS13 || offers_tls13_draft(ch))) {
		(void)fmt_snprintf(c->advice_buf, sizeof c->advice_buf,
		    "The client offers TLS 1.3 only (%s) and the server refused "
		    "it: the server does not speak TLS 1.3%s. Enable TLS 1.3 on "
		    "the server (OpenSSL 1.1.1 or newer; no MaxProtocol cap "
		    "below TLSv1.3), or allow TLS 1.2 on the client.",
		    dg_versions_desc(ch).s, top == TLS_V_TLS13 ? "" :
		    ", or not this draft of it");
		c->advice = c->advice_buf;
		return;
	}
	/* TLS 1.3 and 1.2 offered, all refused: the server is older than the
	 * client's lowest, which is the verdict's own advice (upgrade the
	 * server), unless the client went down to TLS 1.0 as well. */
	if (top == TLS_V_TLS13) {
		if (min_final(ch) > TLS_V_TLS10)
			return;
		(void)fmt_snprintf(c->advice_buf, sizeof c->advice_buf,
		    "The server refused every version from TLS 1.0 to 1.3 (%s): "
		    "it speaks none of them (an SSL 3.0-only server, or a TLS "
		    "setup that fails before choosing). The server must "
		    "change: enable TLS 1.2 and 1.3 on it.",
		    dg_versions_desc(ch).s);
		c->advice = c->advice_buf;
		return;
	}
	/* Up to TLS 1.2 (1.3 absent, or only a draft): two readings. */
	(void)fmt_snprintf(c->advice_buf, sizeof c->advice_buf,
	    "The server accepts none of the versions the client offered (%s). "
	    "Either %s: upgrade TLS on the server; or it accepts only TLS 1.3 "
	    "and the client offers at most TLS 1.2%s: upgrade the client, or "
	    "allow TLS 1.2 on the server. The server's configuration "
	    "(MinProtocol, MaxProtocol; Dovecot ssl_min_protocol) tells which.",
	    dg_versions_desc(ch).s, min_final(ch) <= TLS_V_TLS10 ?
	    "it speaks none of TLS 1.0 to 1.2 (an SSL 3.0-only or broken "
	    "server)" : "its TLS is older than the client's lowest version",
	    offers_tls13_draft(ch) ? ", its TLS 1.3 being a pre-standard "
	    "draft that a server of the final TLS 1.3 does not accept" : "");
	c->advice = c->advice_buf;
}

/* The first suite the client offered that a server should have: TLS 1.3
 * or forward-secret AEAD, and not weak. 0 when none. */
static uint16_t
modern_suite(const struct tls_client_hello *ch)
{
	for (size_t i = 0; i < ch->ciphers.count; i++) {
		const struct iana_cipher *ci = iana_cipher(ch->ciphers.v[i]);

		if (ci == NULL || (ci->flags & IANA_CF_WEAK) != 0)
			continue;
		if ((ci->flags & IANA_CF_TLS13) != 0 ||
		    ((ci->flags & IANA_CF_FS) != 0 &&
		    ci->mode == IANA_MODE_AEAD))
			return ch->ciphers.v[i];
	}
	return 0;
}

static void
cipher_advice(struct ctx *c)
{
	const struct tls_client_hello *ch = c->ch;
	struct suite_stats s;
	const struct iana_cipher *ci;
	uint16_t m;
	size_t o;

	if (ch == NULL)
		return;
	dg_suite_stats(ch, &s);
	if (s.n > 0 && s.weak + s.unknown == s.n) {
		(void)fmt_snprintf(c->advice_buf, sizeof c->advice_buf,
		    "The client must change: every cipher suite it offered is "
		    "weak or unknown (%s), and a sound server refuses them all. "
		    "Configure the client with current suites (TLS 1.3, or "
		    "ECDHE with AES-GCM or ChaCha20-Poly1305); do not enable "
		    "NULL, anonymous, export or RC4 suites on the server.",
		    dg_suites_desc(ch).s);
		c->advice = c->advice_buf;
		return;
	}
	m = modern_suite(ch);
	ci = m != 0 ? iana_cipher(m) : NULL;
	o = (size_t)fmt_snprintf(c->advice_buf, sizeof c->advice_buf,
	    "The server shares none of the %u suite%s the client offered%s%s%s: "
	    "enable at least one of the client's on the server (%s) rather "
	    "than weakening the client.",
	    s.n, s.n == 1 ? "" : "s", ci != NULL ? ", modern ones among them "
	    "(first: " : "",
	    ci != NULL ? ci->name : "", ci != NULL ? ")" : "",
	    dg_protocol(c) == STARTTLS_PROTO_SMTP ?
	    "Postfix smtpd_tls_ciphers, or smtpd_tls_mandatory_ciphers where "
	    "TLS is required, and the tls_medium_cipherlist or "
	    "tls_high_cipherlist it names; Exim tls_require_ciphers" :
	    "Dovecot ssl_cipher_list, Cyrus tls_ciphers, Courier "
	    "TLS_CIPHER_LIST, Postfix tls_high_cipherlist");
	if (!ch->has_sni && o < sizeof c->advice_buf)
		(void)fmt_snprintf(c->advice_buf + o, sizeof c->advice_buf - o,
		    " The client sent no server name (SNI): a server or load "
		    "balancer that hosts several names may refuse a ClientHello "
		    "without one, whatever its suites; configure the client to "
		    "send the server's name.");
	c->advice = c->advice_buf;
}

/* Without the ClientHello (nor the server's choice) nothing says which
 * side is behind: how to find out, rather than a guess. */
static const char advice_no_hello[] =
    "The capture does not hold the client's ClientHello, so what it "
    "offered is unknown and which side must change cannot be told: "
    "capture both directions, or list what each side speaks (the client's "
    "TLS settings; `openssl s_client -connect HOST:PORT` with -tls1_2, "
    "-tls1_3 or -cipher from the client's host), then bring the older "
    "side up to TLS 1.2 or 1.3 with current suites; do not weaken the "
    "other.";

void
dg_side_advice(struct ctx *c)
{
	if (c->quick || c->advice != NULL)
		return;
	if (c->ch == NULL && c->sh == NULL &&
	    (c->out->verdict == DIAG_TLS_VERSION_MISMATCH ||
	     c->out->verdict == DIAG_NO_SHARED_CIPHER)) {
		c->advice = advice_no_hello;
		return;
	}
	if (c->out->verdict == DIAG_TLS_VERSION_MISMATCH) {
		version_advice(c);
		/* Left to the verdict's own advice: the server is too old. */
		if (c->advice == NULL && dg_protocol(c) == STARTTLS_PROTO_SMTP)
			c->advice = advice_version_smtp;
	} else if (c->out->verdict == DIAG_NO_SHARED_CIPHER)
		cipher_advice(c);
}
