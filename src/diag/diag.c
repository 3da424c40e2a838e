/* diag.c: facts -> verdict, evidence, advice (TLS alerts RFC 8446 6 / RFC 5246 7.2, STARTTLS RFC 9051 6.2.1, RST RFC 9293 3.10.7). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "diag/diag.h"
#include "util/fmt.h"
#include "iana_tables.h"
#include "tls/tls_names.h"
#include "util/utf8.h"

/*
 * Precedence (doc/verdicts.md has the same table). The rules run in this
 * order and the first that decides wins; findings are added afterwards
 * whatever the verdict.
 *
 *  1 tcp          SYN unanswered -> tcp-no-answer; SYN answered by RST ->
 *                 tcp-refused
 *  2 mid-stream   no SYN and no SYN-ACK captured -> incomplete-capture
 *  3 starttls     port 143: TLS without STARTTLS -> not-tls; NO/BAD ->
 *                 starttls-refused; never requested: not advertised ->
 *                 starttls-not-offered, else plaintext-session
 *  4 not-tls      a side's stream is not TLS where TLS was expected
 *  5 alert        the first fatal (or encrypted) alert before the end of
 *                 the connection and before the handshake completed:
 *                 protocol_version -> tls-version-mismatch; server's
 *                 handshake_failure / insufficient_security right after
 *                 the ClientHello -> no-shared-cipher unless the offered
 *                 versions explain it; client alert after the Certificate
 *                 -> the chain analysis picks cert-* or
 *                 interception-untrusted; TLS 1.3 client alert after the
 *                 server's encrypted flight -> tls13-rejected (a plaintext
 *                 unknown_ca / certificate_expired names the cert verdict);
 *                 anything else -> tls-alert
 *  6 version      a ServerHello version the client did not offer ->
 *                 tls-version-mismatch
 *  7 cert-late    TLS <= 1.2 handshake completed, the chain has a problem,
 *                 the client sent no data and ended it: an alert before
 *                 any close or alert of the server's (whoever sent the
 *                 first FIN), or its own FIN/RST first -> cert-*
 *  8 complete     -> ok
 *  9 tls13-abort  TLS 1.3: the client hung up (FIN, RST, close_notify) on
 *                 its turn after the server's encrypted flight ->
 *                 tls13-rejected (inferred)
 * 10 cert-abort   TLS <= 1.2: the client hung up without an alert on its
 *                 turn after a chain with a problem -> cert-* (inferred)
 * 11 missing      a stream stopped on a gap or truncation, STARTTLS facts
 *                 partial, connection evicted -> incomplete-capture
 * 12 not-imap     port 143: the server sent a line that is not IMAP before
 *                 STARTTLS was answered (or asked for; rule 3 leaves
 *                 those to this one unless credentials crossed in clear)
 *                 -> tcp-reset, closed-during-handshake or
 *                 handshake-timeout by how it ended, never "the server
 *                 stayed silent"
 * 13 turn         whose turn it was when the connection ended: a
 *                 middlebox RST or a RST from the side whose turn it was
 *                 -> tcp-reset; a FIN (or close_notify) from that side ->
 *                 closed-during-handshake; the other side giving up, the
 *                 idle timeout or the capture's end -> handshake-timeout
 *                 with waiting_on
 */

/* ------------------------------------------------------------------ */
/* Tables */

struct verdict_info {
	const char *id;
	enum diag_severity severity;
	const char *meaning;
	const char *advice;
};

#define NO_DISABLE_VALIDATION \
	" Never disable certificate validation on the migration host to get " \
	"past this, except once as a diagnostic, and say so in the ticket."

static const struct verdict_info verdicts[DIAG_VERDICT_COUNT] = {
	[DIAG_OK] = { "ok", DIAG_SEV_OK,
	    "handshake completed",
	    "Nothing to fix in the handshake." },
	[DIAG_TCP_NO_ANSWER] = { "tcp-no-answer", DIAG_SEV_ERROR,
	    "SYN never answered (filtered, host down)",
	    "Nothing answered the SYNs: the host is down, the address is "
	    "wrong, or a firewall drops the traffic silently. Check the "
	    "address, routing, firewalls and NAT on the path to the server's "
	    "port; this is not a TLS problem." },
	[DIAG_TCP_REFUSED] = { "tcp-refused", DIAG_SEV_ERROR,
	    "SYN answered by RST (nothing listening)",
	    "The server's address answered the SYN with a RST: nothing "
	    "listens on that port (or a firewall rejects it). Check that the "
	    "IMAP server listens on this address and port (993 for IMAPS, 143 "
	    "for STARTTLS) and that no firewall rule rejects it; this is not "
	    "a TLS problem." },
	[DIAG_TCP_RESET] = { "tcp-reset", DIAG_SEV_ERROR,
	    "a RST ended the connection before the handshake completed",
	    "Look at the network path and the server's side, not at TLS "
	    "settings: firewalls, NAT, IPS and load balancers that reset "
	    "connections, and the server's log at the time of the reset." },
	[DIAG_CLOSED_DURING_HANDSHAKE] = { "closed-during-handshake",
	    DIAG_SEV_ERROR,
	    "a side hung up (FIN, no alert) when it was its turn to speak",
	    "The side that hung up did not say why: its log does. Look there "
	    "at the time of the connection." },
	[DIAG_HANDSHAKE_TIMEOUT] = { "handshake-timeout", DIAG_SEV_ERROR,
	    "the side whose turn it was stayed silent",
	    "Look at the network path and at the silent side, not at TLS "
	    "settings: a firewall or IPS that drops packets after inspecting "
	    "them, NAT state that expired, an MTU problem that loses the large "
	    "handshake segments, or an overloaded server." },
	[DIAG_STARTTLS_NOT_OFFERED] = { "starttls-not-offered", DIAG_SEV_ERROR,
	    "port 143: the server did not advertise STARTTLS",
	    "Enable TLS on the source server's port 143 (Dovecot: ssl = yes "
	    "with ssl_cert and ssl_key; Cyrus: tls_server_cert and "
	    "tls_server_key; Courier: imapd-ssl with IMAP_TLS_REQUIRED) or "
	    "migrate over port 993. Do not migrate in clear text: the "
	    "credentials would cross the network readable." },
	[DIAG_STARTTLS_REFUSED] = { "starttls-refused", DIAG_SEV_ERROR,
	    "port 143: the server answered STARTTLS with NO or BAD",
	    "The server refused STARTTLS (its answer text says why, usually "
	    "TLS not configured or not allowed in this state). Fix the TLS "
	    "configuration of the source server's port 143, or migrate over "
	    "port 993. Do not fall back to clear text." },
	[DIAG_PLAINTEXT_SESSION] = { "plaintext-session", DIAG_SEV_ERROR,
	    "port 143: the session never upgraded to TLS",
	    "Make the migration tool require STARTTLS (it must refuse to go "
	    "on without it) or use port 993. If credentials crossed in clear "
	    "text, change those passwords." },
	[DIAG_NOT_TLS] = { "not-tls", DIAG_SEV_ERROR,
	    "a side sent something other than TLS where TLS was expected",
	    "The two sides disagree on whether the port starts with TLS. Use "
	    "port 993 for implicit TLS and port 143 with STARTTLS, and "
	    "configure client and server the same way (Dovecot: inet_listener "
	    "imaps { port = 993  ssl = yes })." },
	[DIAG_TLS_VERSION_MISMATCH] = { "tls-version-mismatch", DIAG_SEV_ERROR,
	    "no TLS version both sides accept",
	    "Upgrade TLS on the source server rather than weakening the "
	    "migration host: enable TLS 1.2 and 1.3 there (remove any "
	    "MaxProtocol cap from its OpenSSL configuration and use an OpenSSL "
	    "that has them), then Dovecot `ssl_min_protocol = TLSv1.2`, Cyrus "
	    "`tls_versions: tls1_2 tls1_3`, Courier `TLS_PROTOCOL=TLS1_2:TLS1_3`. "
	    "Only as the last resort, allow the old version on the migration "
	    "host for this one source server, temporarily." },
	[DIAG_NO_SHARED_CIPHER] = { "no-shared-cipher", DIAG_SEV_ERROR,
	    "versions fine, but no common cipher suite",
	    "Add modern cipher suites on the source server rather than "
	    "enabling old ones on the migration host: e.g. "
	    "ECDHE-RSA-AES128-GCM-SHA256 and ECDHE-RSA-AES256-GCM-SHA384 "
	    "(Dovecot ssl_cipher_list, Cyrus tls_ciphers, Courier "
	    "TLS_CIPHER_LIST). Only as the last resort, allow the server's "
	    "suite on the migration host for this one source, temporarily." },
	[DIAG_CERT_CHAIN_INCOMPLETE] = { "cert-chain-incomplete", DIAG_SEV_ERROR,
	    "the server sent the leaf without the intermediates the client needs",
	    "Install the missing intermediate certificate on the server: its "
	    "certificate file must hold the leaf followed by the intermediates "
	    "(Dovecot: ssl_cert = </path/fullchain.pem; Cyrus: tls_server_cert "
	    "with the chain appended; Courier: TLS_CERTFILE with the chain)."
	    NO_DISABLE_VALIDATION },
	[DIAG_CERT_EXPIRED] = { "cert-expired", DIAG_SEV_ERROR,
	    "a certificate in the chain was expired (or not yet valid)",
	    "Renew the expired certificate on the server (or replace the "
	    "expired intermediate in its chain file); if it is not yet valid, "
	    "check the clocks of the server and the migration host."
	    NO_DISABLE_VALIDATION },
	[DIAG_CERT_NAME_MISMATCH] = { "cert-name-mismatch", DIAG_SEV_ERROR,
	    "the leaf does not cover the name the client asked for",
	    "Connect with a host name the server's certificate covers, or "
	    "give the server a certificate whose subjectAltName includes the "
	    "name the migration tool uses." NO_DISABLE_VALIDATION },
	[DIAG_CERT_SELF_SIGNED] = { "cert-self-signed", DIAG_SEV_ERROR,
	    "the leaf is self-signed",
	    "Give the server a certificate from a CA the migration host "
	    "trusts, or, after checking its fingerprint out of band, add this "
	    "one certificate to the migration host's trust store for this "
	    "source." NO_DISABLE_VALIDATION },
	[DIAG_CERT_UNTRUSTED] = { "cert-untrusted", DIAG_SEV_ERROR,
	    "the chain ends in a CA the client does not trust",
	    "Add the root the server's chain ends in to the migration host's "
	    "trust store if it is a private CA you trust, or give the server a "
	    "certificate from a public CA (and make sure it sends the "
	    "intermediates)." NO_DISABLE_VALIDATION },
	[DIAG_INTERCEPTION_UNTRUSTED] = { "interception-untrusted",
	    DIAG_SEV_ERROR,
	    "the chain was re-signed by a TLS-inspection CA the client rejected",
	    "A TLS-inspection proxy on the path re-signed the server's "
	    "certificate. Ask the network team for an inspection bypass for "
	    "ports 143 and 993 to this server, or install the corporate "
	    "inspection root in the migration host's trust store."
	    NO_DISABLE_VALIDATION },
	[DIAG_TLS_ALERT] = { "tls-alert", DIAG_SEV_ERROR,
	    "another fatal alert ended the handshake",
	    "The alert's description and sender say what was refused; the "
	    "sender's log says why. Fix it on the side the alert points at." },
	[DIAG_TLS13_REJECTED] = { "tls13-rejected", DIAG_SEV_ERROR,
	    "TLS 1.3: the client aborted right after the server's encrypted flight",
	    "Under TLS 1.3 the certificate is encrypted; most often the client "
	    "rejected it (incomplete chain, expired, other name, untrusted or "
	    "re-signed CA). Read the migration tool's error message, or "
	    "capture once more with the client limited to TLS 1.2 (e.g. curl "
	    "--tls-max 1.2) so the chain can be analysed." NO_DISABLE_VALIDATION },
	[DIAG_INCOMPLETE_CAPTURE] = { "incomplete-capture", DIAG_SEV_WARNING,
	    "the capture lacks what a verdict needs",
	    "If the capture was rotated, read the files together, in order "
	    "(-r first.pcap -r next.pcap): a connection that started in the "
	    "previous file is then seen whole. Otherwise capture again from "
	    "the start of the connection (its SYN), with the full packet "
	    "length (tcpdump -s 0), on a host that keeps up (watch the kernel "
	    "drop counters)." },
};

/* Variants of the advice where the facts say which side must act. */
static const char advice_client_cert[] =
	"The server requires a client certificate (mutual TLS) and the "
	"client presented none. Either give the migration tool a client "
	"certificate the server accepts, or have the server's administrator "
	"make client certificates optional on this port (Dovecot: "
	"`ssl_verify_client_cert = no`, or `auth_ssl_require_client_cert = "
	"no`). This is not a cipher or version problem.";
static const char advice_rst_middlebox[] =
	"A device on the path (firewall, IPS, NAT or load balancer) reset "
	"the connection, forging the server's address. Ask the network team "
	"which device and which rule (the RST came right after the client's "
	"data: an IPS or an application filter on ports 143/993 is likely); "
	"this is not a TLS problem.";
static const char advice_rst_server[] =
	"The server's address reset the connection when it was the server's "
	"turn. Check the server's log at that time (its TLS library may refuse "
	"the ClientHello this way, or a connection limit hit) and any firewall "
	"in front of it; if it happens on every connection, compare with a "
	"client offering other versions and suites.";
static const char advice_rst_client[] =
	"The client reset the connection when it was its turn. Check the "
	"migration tool's log at that time; if the tool did not do it, look "
	"for a firewall or security agent on the migration host.";
static const char advice_close_server_hello[] =
	"The server closed without an alert, so only its log says why: "
	"Dovecot logs `SSL_accept() failed: ... unsupported protocol` or "
	"`... no shared cipher` (grep its log for the client's address at that "
	"time). Then fix the server, not the migration host: enable TLS 1.2 "
	"and 1.3 (Dovecot `ssl_min_protocol = TLSv1.2`, Cyrus `tls_versions: "
	"tls1_2 tls1_3`, Courier `TLS_PROTOCOL=TLS1_2:TLS1_3`) or add modern "
	"suites such as ECDHE-RSA-AES128-GCM-SHA256. Only as the last resort, "
	"loosen the migration host for this one source server, temporarily.";
static const char advice_not_tls_server[] =
	"The server spoke plaintext IMAP where the client expected TLS: the "
	"port is configured without implicit TLS. Configure TLS on 993 "
	"(Dovecot: inet_listener imaps { port = 993  ssl = yes }) or point the "
	"migration tool at port 143 with STARTTLS.";
static const char advice_not_tls_client[] =
	"The client did not speak TLS where TLS was expected (a plaintext "
	"IMAP client on 993, or a client speaking implicit TLS on 143 without "
	"STARTTLS). Configure the migration tool for the port: implicit TLS on "
	"993, STARTTLS on 143.";
static const char advice_timeout_client[] =
	"The server waited for the client, which never spoke. Check the "
	"migration tool's configuration (it may expect the server to speak "
	"first, or wait for something else) and the network path from the "
	"client; this is not a TLS setting.";
static const char advice_not_imap[] =
	"The server broke the IMAP protocol (RFC 9051: a line of the wrong "
	"form, or with a NUL or a bare CR in it), which IMAP clients answer "
	"by hanging up. Look at what "
	"answers on port 143: a proxy, load balancer or security device that "
	"rewrites the dialogue, or a server that is not the IMAP server "
	"expected. Connect by hand (openssl s_client -starttls imap, or "
	"telnet) to see its lines; this is not a TLS setting.";
static const char advice_ok_plain[] = "Nothing to fix.";

struct finding_info {
	const char *id;
	const char *advice;
};

static const struct finding_info findings[DIAG_FINDING_COUNT] = {
	{ "intercepted",
	  "A TLS-inspection proxy the client trusts re-signed the chain: if "
	  "mail must not be inspected, ask the network team for a bypass of "
	  "ports 143/993 to this server." },
	{ "unverified-accepted",
	  "The client accepted a chain that does not verify against the trust "
	  "store used here: make sure the migration tool validates "
	  "certificates, or give this analyser the private root it trusts "
	  "(--ca-bundle)." },
	{ "legacy-version",
	  "TLS 1.1 or lower was chosen: upgrade TLS on the source server "
	  "(Dovecot `ssl_min_protocol = TLSv1.2`, Cyrus `tls_versions: tls1_2 "
	  "tls1_3`, Courier `TLS_PROTOCOL=TLS1_2:TLS1_3`)." },
	{ "weak-cipher",
	  "A weak cipher suite was chosen: configure modern suites on the "
	  "server (e.g. ECDHE-RSA-AES128-GCM-SHA256) and remove RC4, 3DES, "
	  "export, NULL and anonymous ones." },
	{ "weak-signature",
	  "A certificate is signed with MD5 or SHA-1: have it reissued with "
	  "SHA-256." },
	{ "small-key",
	  "A certificate key is too small: reissue it with RSA 2048 or more, "
	  "or ECDSA P-256." },
	{ "cert-expiring-soon",
	  "A certificate of the chain expires within 14 days: renew it now." },
	{ "middlebox-rst-suspected",
	  "A RST on this connection looked forged by a device on the path: "
	  "ask the network team." },
};

/* ------------------------------------------------------------------ */
/* The working context of one decision */

/* How a connection (or its handshake) ended, as far as turns go. */
enum end_kind {
	END_FIN,
	END_RST,
	END_CLOSE_ALERT,   /* close_notify / user_canceled in plaintext */
	END_IDLE,          /* idle timeout */
	END_OPEN,          /* capture ended, table full, 4-tuple reused */
};

struct end_ev {
	enum end_kind kind;
	enum tcp_side by;
	ta_frame frame;
};

/* Whose turn it was, and what that side owed. */
struct turn {
	enum diag_side side;
	const char *owed;      /* "an answer to the ClientHello" */
	ta_frame after;        /* the frame that made it that side's turn */
	const char *after_what;
	bool after_client_hello; /* the server owed an answer to the ClientHello */
	bool after_tls13_flight; /* the client owed its TLS 1.3 Finished */
	bool after_tls12_flight; /* the client owed its TLS 1.2 key exchange */
};

struct ctx {
	const struct conn_facts *f;
	const struct tcp_track *tt;         /* NULL without f->conn */
	const struct tls_facts *tls;        /* NULL: no TLS byte seen */
	const struct starttls_facts *st;
	const struct cert_facts *cert;      /* NULL unless a chain was read */
	const struct tls_client_hello *ch;  /* NULL unless one was seen */
	const struct tls_server_hello *sh;  /* NULL unless one was seen */
	bool imap;
	unsigned base_file;
	struct diag_result *out;
	const char *advice;                 /* NULL: the verdict's own */
	bool quick;                         /* verdict only: no text at all */
};

#define TEXT_SHORT 64

struct fbuf {
	char s[48];
};

struct sbuf {
	char s[TEXT_SHORT];
};

struct dbuf {
	char s[24];
};

struct lbuf {
	char s[232];
};

static struct fbuf
fr(const struct ctx *c, ta_frame f)
{
	struct fbuf b;

	fmt_frame(b.s, sizeof b.s, f, c->base_file);
	return b;
}

static void ev_text(struct ctx *c, ta_frame frame, const char *fmt, ...)
    TA_PRINTF(3, 4);

/* One line of evidence; lines past the capacity are counted. */
static void
ev_text(struct ctx *c, ta_frame frame, const char *fmt, ...)
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

static void verdict_text(struct ctx *c, enum diag_verdict v, bool inferred,
                         const char *fmt, ...) TA_PRINTF(4, 5);

/* Decide: the verdict and its one-sentence summary. */
static void
verdict_text(struct ctx *c, enum diag_verdict v, bool inferred,
             const char *fmt, ...)
{
	va_list ap;

	c->out->verdict = v;
	c->out->inferred = inferred;
	va_start(ap, fmt);
	(void)fmt_vsnprintf(c->out->summary, sizeof c->out->summary, fmt, ap);
	va_end(ap);
}

static void
set_verdict(struct ctx *c, enum diag_verdict v, bool inferred)
{
	c->out->verdict = v;
	c->out->inferred = inferred;
}

static void cause_text(struct ctx *c, const char *fmt, ...) TA_PRINTF(2, 3);

static void
cause_text(struct ctx *c, const char *fmt, ...)
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
 * The rules call these three. In a decision without text (quick) the
 * arguments are not even evaluated: formatting frame references,
 * durations and descriptions for them was most of a quick decision's cost.
 */
#define ev(c, ...)                                       \
	do {                                             \
		if (!(c)->quick)                         \
			ev_text((c), __VA_ARGS__);       \
	} while (0)
#define verdict(c, v, inferred, ...)                                 \
	do {                                                         \
		if ((c)->quick)                                      \
			set_verdict((c), (v), (inferred));           \
		else                                                 \
			verdict_text((c), (v), (inferred), __VA_ARGS__); \
	} while (0)
#define cause(c, ...)                                    \
	do {                                             \
		if (!(c)->quick)                         \
			cause_text((c), __VA_ARGS__);    \
	} while (0)

/*
 * Network-derived bytes (IMAP text, SNI, certificate names) in a sentence:
 * printable ASCII only, others as '?', at most max bytes, never a quote
 * that would end the quoted form early. The report escapes again for its
 * own format; this keeps the sentence itself readable and inert.
 */
static struct lbuf
inert(const uint8_t *p, size_t n, size_t max)
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

static struct lbuf
inert_str(const char *s, size_t max)
{
	return inert((const uint8_t *)s, strnlen(s, 4096), max);
}

/*
 * The TCP outcome's evidence lines are text that starts "frame N:" (in the
 * connection's first file); give the copied line that frame, so that tools
 * reading the JSON see it too. 0 when the line cites no single frame.
 */
static ta_frame
tcp_line_frame(const struct ctx *c, const char *line)
{
	unsigned long long n = 0;
	const char *p = line + 6;

	if (strncmp(line, "frame ", 6) != 0 || *p < '0' || *p > '9')
		return 0;
	while (*p >= '0' && *p <= '9' && n < 0xffffffffffffULL)
		n = n * 10 + (unsigned long long)(*p++ - '0');
	if (*p != ':' || n == 0 || c->f->conn == NULL)
		return 0;
	return TA_FRAME(TA_FRAME_FILE(c->f->conn->first_frame), n);
}

/* The TCP outcome's own evidence lines, copied (written only now: the
 * outcome leaves them to whoever prints them). */
static void
tcp_lines(struct ctx *c)
{
	struct tcp_outcome buf;
	const struct tcp_outcome *o;

	if (c->quick)
		return;
	o = tcp_track_explain(&c->f->tcp, &buf);
	for (unsigned i = 0; i < o->nevidence && i < TCP_EVIDENCE_MAX; i++)
		ev(c, tcp_line_frame(c, o->evidence[i]), "%s", o->evidence[i]);
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
static bool
frame_time(const struct ctx *c, ta_frame fr_, ta_time *ts)
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

static struct dbuf
dur(uint64_t ns)
{
	struct dbuf b;

	fmt_duration(b.s, sizeof b.s, ns);
	return b;
}

/* "2.1 ms after" when both times are known, else "after". */
static struct sbuf
after(const struct ctx *c, ta_frame later, ta_frame earlier)
{
	struct sbuf b;
	ta_time a, e;

	if (frame_time(c, later, &a) && frame_time(c, earlier, &e) && a >= e)
		(void)fmt_snprintf(b.s, sizeof b.s, "%s after", dur(a - e).s);
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

static uint16_t
max_offered(const struct tls_client_hello *ch)
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
static bool
client_offers(const struct tls_client_hello *ch, uint16_t v)
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

static const char *
vname(uint16_t v, char hex[TLS_NAMES_HEX_LEN])
{
	return tls_version_str(v, hex);
}

/* "TLS 1.2-1.3", "TLS 1.0, TLS 1.2", "up to TLS 1.2". */
static struct sbuf
versions_desc(const struct tls_client_hello *ch)
{
	uint16_t v[TLS_HS_MAX_VERSIONS], lo = 0xffff, hi = 0;
	char h1[TLS_NAMES_HEX_LEN], h2[TLS_NAMES_HEX_LEN];
	struct sbuf b;
	size_t n, i, o;
	bool known = true, contiguous;

	if (!ch->has_supported_versions || ch->versions.count == 0) {
		if (ch->legacy_version <= TLS_V_SSL3)
			(void)fmt_snprintf(b.s, sizeof b.s, "%s only",
			    vname(ch->legacy_version, h1));
		else
			(void)fmt_snprintf(b.s, sizeof b.s, "up to %s",
			    vname(ch->legacy_version, h1));
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
		(void)fmt_snprintf(b.s, sizeof b.s, "%s only", vname(v[0], h1));
	} else if (contiguous && lo >= TLS_V_TLS10) {
		/* "TLS 1.2-1.3": the second name without its "TLS " */
		const char *hn = vname(hi, h2);

		(void)fmt_snprintf(b.s, sizeof b.s, "%s-%s", vname(lo, h1),
		    strncmp(hn, "TLS ", 4) == 0 ? hn + 4 : hn);
	} else if (contiguous) {
		(void)fmt_snprintf(b.s, sizeof b.s, "%s to %s", vname(lo, h1),
		    vname(hi, h2));
	} else {
		o = 0;
		b.s[0] = '\0';
		for (i = 0; i < n && o + 16 < sizeof b.s; i++) {
			int w = fmt_snprintf(b.s + o, sizeof b.s - o, "%s%s",
			    i > 0 ? ", " : "", vname(v[i], h1));

			if (w < 0)
				break;
			o += (size_t)w;
		}
	}
	return b;
}

struct suite_stats {
	unsigned n;          /* suites, GREASE and signalling values left out */
	unsigned tls13;
	unsigned legacy;     /* for TLS 1.2 and below */
	unsigned aead, cbc, fs, rsa_kx, weak, unknown;
};

static void
suite_stats(const struct tls_client_hello *ch, struct suite_stats *s)
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

/* "10", "no" */
static struct sbuf
suite_count(const struct tls_client_hello *ch)
{
	struct suite_stats s;
	struct sbuf b;

	suite_stats(ch, &s);
	if (s.n == 0)
		(void)fmt_snprintf(b.s, sizeof b.s, "(no)");
	else
		(void)fmt_snprintf(b.s, sizeof b.s, "%u", s.n);
	return b;
}

/* "10 cipher suites: 3 for TLS 1.3, 7 for TLS 1.2 and below, all AEAD
 * with forward secrecy, no CBC, no RSA key exchange" */
static struct lbuf
suites_desc(const struct tls_client_hello *ch)
{
	struct suite_stats s;
	struct lbuf b;
	size_t o;
	int w;

	suite_stats(ch, &s);
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

static void
ev_client_hello(struct ctx *c)
{
	const struct tls_client_hello *ch = c->ch;

	if (c->quick)
		return;
	if (ch == NULL)
		return;
	if (ch->has_sni)
		ev(c, c->tls->client_hello_frame, "%s: client sent ClientHello "
		    "offering %s, %s; SNI %s",
		    fr(c, c->tls->client_hello_frame).s, versions_desc(ch).s,
		    suites_desc(ch).s, inert(ch->sni, ch->sni_len < TLS_HS_SNI_MAX ?
		    ch->sni_len : TLS_HS_SNI_MAX, 48).s);
	else
		ev(c, c->tls->client_hello_frame, "%s: client sent ClientHello "
		    "offering %s, %s (no SNI)",
		    fr(c, c->tls->client_hello_frame).s, versions_desc(ch).s,
		    suites_desc(ch).s);
}

static void
ev_server_hello(struct ctx *c)
{
	char h1[TLS_NAMES_HEX_LEN], h2[TLS_NAMES_HEX_LEN];

	if (c->quick)
		return;
	if (c->sh == NULL)
		return;
	ev(c, c->tls->server_hello_frame, "%s: server chose %s, %s",
	    fr(c, c->tls->server_hello_frame).s, vname(c->sh->version, h1),
	    tls_cipher_str(c->sh->cipher, h2));
}

/* ------------------------------------------------------------------ */
/* Alerts */

#define A_CLOSE_NOTIFY 0
#define A_HANDSHAKE_FAILURE 40
#define A_BAD_CERTIFICATE 42
#define A_UNSUPPORTED_CERTIFICATE 43
#define A_CERTIFICATE_REVOKED 44
#define A_CERTIFICATE_EXPIRED 45
#define A_CERTIFICATE_UNKNOWN 46
#define A_UNKNOWN_CA 48
#define A_DECRYPT_ERROR 51
#define A_PROTOCOL_VERSION 70
#define A_INSUFFICIENT_SECURITY 71
#define A_USER_CANCELED 90

static bool
is_cert_alert(uint8_t d)
{
	return d == A_BAD_CERTIFICATE || d == A_UNSUPPORTED_CERTIFICATE ||
	    d == A_CERTIFICATE_REVOKED || d == A_CERTIFICATE_EXPIRED ||
	    d == A_CERTIFICATE_UNKNOWN || d == A_UNKNOWN_CA;
}

static bool
is_close_alert(const struct tls_facts_alert *a)
{
	return !a->encrypted && (a->description == A_CLOSE_NOTIFY ||
	    a->description == A_USER_CANCELED);
}

/* Before the connection's end: an alert after the FIN or RST that ended
 * it is a reaction, not the cause (the same frame is before: a FIN
 * segment's payload precedes its FIN). */
static bool
before_end(const struct ctx *c, ta_frame frame)
{
	enum tcp_end e = c->f->tcp.end;

	if (e == TCP_END_FIN || e == TCP_END_RST)
		return c->f->tcp.end_frame == 0 || frame <= c->f->tcp.end_frame;
	return true;
}

/* The alert that failed the handshake: a plaintext fatal one, or an
 * encrypted one (its level is hidden). */
static bool
is_failing_alert(const struct tls_facts_alert *a)
{
	return a->encrypted ||
	    (a->level == TLS_ALERT_FATAL && !is_close_alert(a));
}

/* The earliest alert that matches, before the end; none once the
 * handshake completed. */
static const struct tls_facts_alert *
earliest_alert(const struct ctx *c,
    bool (*match)(const struct tls_facts_alert *))
{
	const struct tls_facts_alert *best = NULL;

	if (c->tls == NULL || c->tls->handshake_complete)
		return NULL;
	for (uint8_t i = 0; i < c->tls->alert_count &&
	    i < TLS_FACTS_MAX_ALERTS; i++) {
		const struct tls_facts_alert *a = &c->tls->alerts[i];

		if (!match(a) || !before_end(c, a->frame))
			continue;
		if (best == NULL || a->frame < best->frame)
			best = a;
	}
	return best;
}

static const struct tls_facts_alert *
failing_alert(const struct ctx *c)
{
	return earliest_alert(c, is_failing_alert);
}

/* A plaintext close_notify / user_canceled before the handshake
 * completed: that side hung up politely. */
static const struct tls_facts_alert *
closing_alert(const struct ctx *c)
{
	return earliest_alert(c, is_close_alert);
}

static const char *
side_word(enum tls_side s)
{
	return s == TLS_SIDE_CLIENT ? "client" : "server";
}

/* "fatal alert unknown_ca (48)", "encrypted alert (24-byte record)". */
static struct lbuf
alert_desc(const struct tls_facts_alert *a)
{
	char h[TLS_NAMES_HEX_LEN];
	struct lbuf b;

	if (a->inferred)
		(void)fmt_snprintf(b.s, sizeof b.s, "a %u-byte encrypted record "
		    "(an alert, inferred from its size)", (unsigned)a->record_len);
	else if (a->encrypted)
		(void)fmt_snprintf(b.s, sizeof b.s, "an encrypted alert (%u-byte "
		    "record, description hidden)", (unsigned)a->record_len);
	else
		(void)fmt_snprintf(b.s, sizeof b.s, "%s alert %s (%u)",
		    a->level == TLS_ALERT_FATAL ? "fatal" : "warning",
		    tls_alert_str(a->description, h), (unsigned)a->description);
	return b;
}

/* ------------------------------------------------------------------ */
/* The certificate chain */

static bool
tls13(const struct ctx *c)
{
	return c->sh != NULL && c->sh->version == TLS_V_TLS13;
}

static enum diag_verdict
problem_verdict(enum cert_problem p)
{
	switch (p) {
	case CERT_PROBLEM_INCOMPLETE:
		return DIAG_CERT_CHAIN_INCOMPLETE;
	case CERT_PROBLEM_EXPIRED:
	case CERT_PROBLEM_NOT_YET_VALID:
		return DIAG_CERT_EXPIRED;
	case CERT_PROBLEM_NAME_MISMATCH:
		return DIAG_CERT_NAME_MISMATCH;
	case CERT_PROBLEM_SELF_SIGNED:
		return DIAG_CERT_SELF_SIGNED;
	case CERT_PROBLEM_UNTRUSTED:
	case CERT_PROBLEM_OTHER:
	case CERT_PROBLEM_NONE:
		return DIAG_CERT_UNTRUSTED;
	case CERT_PROBLEM_UNPARSEABLE:
		break;
	}
	return DIAG_TLS_ALERT;
}

static bool
intercepted(const struct ctx *c)
{
	/* The per-connection verdict: the chain's signals plus the one only
	 * a connection can tell (a leaf issued minutes before it). */
	return c->cert != NULL && c->cert->intercepted;
}

static bool
chain_bad(const struct ctx *c)
{
	return c->cert != NULL &&
	    (c->cert->problem != CERT_PROBLEM_NONE || intercepted(c));
}

static struct sbuf
date_of(int64_t secs)
{
	struct sbuf b;
	char t[FMT_TIME_LEN];

	if (secs < 0) {
		(void)fmt_snprintf(b.s, sizeof b.s, "before 1970");
		return b;
	}
	(void)fmt_time_iso(t, sizeof t, (ta_time)secs * TA_NS_PER_SEC);
	/* "2024-01-01T00:00:00.000000Z" -> "2024-01-01 00:00:00 UTC" */
	if (strlen(t) >= 19) {
		t[10] = ' ';
		t[19] = '\0';
	}
	(void)fmt_snprintf(b.s, sizeof b.s, "%s UTC", t);
	return b;
}

/* Lines about the chain: what was sent and what is wrong with it. */
static void
ev_chain(struct ctx *c)
{
	const struct cert_facts *cf = c->cert;
	const struct cert_chain *ch;
	const struct cert_desc *leaf, *pc;
	ta_frame f;

	if (c->quick)
		return;
	if (cf == NULL || cf->chain == NULL)
		return;
	ch = cf->chain;
	f = cf->frame;
	if (ch->nchain == 0)
		return;
	leaf = &ch->chain[0];
	ev(c, f, "%s: server sent %u certificate%s, leaf %s issued by %s",
	    fr(c, f).s, (unsigned)ch->count, ch->count == 1 ? "" : "s",
	    inert_str(leaf->subject, 56).s, inert_str(leaf->issuer, 56).s);
	pc = cf->problem_cert >= 0 && (size_t)cf->problem_cert < ch->nchain ?
	    &ch->chain[cf->problem_cert] : leaf;
	switch (cf->problem) {
	case CERT_PROBLEM_INCOMPLETE:
		ev(c, f, "the chain stops at %s: its issuer %s was not sent "
		    "and is not a trusted root", inert_str(pc->subject, 48).s,
		    inert_str(pc->issuer, 48).s);
		break;
	case CERT_PROBLEM_EXPIRED:
		/* Numbered from 1 as the report's chain lists them. */
		ev(c, f, "certificate %d (%s) expired on %s, before the "
		    "capture", cf->problem_cert >= 0 ? cf->problem_cert + 1 : 1,
		    inert_str(pc->subject, 48).s, date_of(pc->not_after).s);
		break;
	case CERT_PROBLEM_NOT_YET_VALID:
		ev(c, f, "certificate %d (%s) is valid only from %s, after "
		    "the capture", cf->problem_cert >= 0 ? cf->problem_cert + 1 : 1,
		    inert_str(pc->subject, 48).s, date_of(pc->not_before).s);
		break;
	case CERT_PROBLEM_NAME_MISMATCH:
		ev(c, f, "the leaf covers %s%s, not %s (%s)",
		    leaf->nsan > 0 ? inert_str(leaf->san[0], 48).s :
		    inert_str(leaf->subject, 48).s,
		    leaf->nsan > 1 ? " and others" : "",
		    inert_str(ch->name, 48).s,
		    ch->name_from_sni ? "the client's SNI" : "--server-name");
		break;
	case CERT_PROBLEM_SELF_SIGNED:
		ev(c, f, "the leaf is self-signed: subject and issuer are both "
		    "%s", inert_str(leaf->subject, 56).s);
		break;
	case CERT_PROBLEM_UNTRUSTED:
	case CERT_PROBLEM_OTHER:
		ev(c, f, "the chain does not verify: %s",
		    cf->verify_reason != NULL ?
		    inert_str(cf->verify_reason, 80).s : "(no reason given)");
		break;
	case CERT_PROBLEM_UNPARSEABLE:
		ev(c, f, "the leaf certificate does not parse");
		break;
	case CERT_PROBLEM_NONE:
		ev(c, f, "the chain verifies against the trust store used by "
		    "this analysis%s", ch->name[0] != '\0' ?
		    " and covers the name" : "");
		break;
	}
	if (intercepted(c)) {
		const struct cert_interception *in = &ch->interception;

		if (in->product[0] != '\0')
			ev(c, f, "the chain was re-signed by a TLS-inspection "
			    "proxy (%s)", inert_str(in->product, 48).s);
		for (unsigned i = 0; i < in->nevidence && i < 2; i++)
			ev(c, f, "%s", inert_str(in->evidence[i], 200).s);
	}
}

/*
 * The client rejected the chain (alert, or a hang-up on its turn right
 * after it): the chain analysis names the reason. how: the client's act,
 * for the summary ("with alert unknown_ca", "by closing without an
 * alert"); inferred: the client's act itself does not say the chain.
 */
static void
chain_verdict(struct ctx *c, const char *how, bool inferred)
{
	const struct cert_facts *cf = c->cert;
	const char *inf = inferred ? " (inferred)" : "";
	enum diag_verdict v;

	ev_chain(c);
	if (intercepted(c)) {
		verdict(c, DIAG_INTERCEPTION_UNTRUSTED, inferred, "The client "
		    "rejected the server's certificate %s: a TLS-inspection "
		    "proxy re-signed the chain with a CA the client does not "
		    "trust%s.", how, inf);
		return;
	}
	v = problem_verdict(cf->problem);
	switch (v) {
	case DIAG_CERT_CHAIN_INCOMPLETE:
		verdict(c, v, inferred, "The client rejected the server's "
		    "certificate %s: the server sent the leaf without the "
		    "intermediate it needs%s.", how, inf);
		break;
	case DIAG_CERT_EXPIRED:
		verdict(c, v, inferred, "The client rejected the server's "
		    "certificate %s: a certificate in the chain was %s at the "
		    "time of the capture%s.", how,
		    cf->problem == CERT_PROBLEM_NOT_YET_VALID ? "not yet valid" :
		    "expired", inf);
		break;
	case DIAG_CERT_NAME_MISMATCH:
		verdict(c, v, inferred, "The client rejected the server's "
		    "certificate %s: it does not cover the name %s%s.", how,
		    inert_str(cf->chain != NULL ? cf->chain->name : "", 48).s,
		    inf);
		break;
	case DIAG_CERT_SELF_SIGNED:
		verdict(c, v, inferred, "The client rejected the server's "
		    "certificate %s: it is self-signed%s.", how, inf);
		break;
	case DIAG_CERT_UNTRUSTED:
		if (cf->problem == CERT_PROBLEM_NONE)
			verdict(c, v, true, "The client rejected the server's "
			    "certificate %s although it verifies here: the "
			    "client does not trust its root (inferred).", how);
		else
			verdict(c, v, inferred, "The client rejected the "
			    "server's certificate %s: the chain ends in a CA it "
			    "does not trust%s.", how, inf);
		break;
	default:
		verdict(c, DIAG_TLS_ALERT, inferred, "The client rejected the "
		    "server's certificate %s: the leaf does not parse%s.", how,
		    inf);
		break;
	}
}

/* ------------------------------------------------------------------ */
/* Rules */

/* 1. TCP never got going. */
static bool
rule_tcp(struct ctx *c)
{
	const struct tcp_outcome *t = &c->f->tcp;

	if (t->end == TCP_END_NO_ANSWER) {
		const struct tcp_track *tt = c->tt;

		if (tt != NULL && tt->syns > 1)
			ev(c, tt->syn_frame, "%s..%llu: %u SYNs from the client "
			    "over %s, none answered", fr(c, tt->syn_frame).s,
			    (unsigned long long)TA_FRAME_NO(tt->syn_last_frame),
			    (unsigned)tt->syns,
			    dur(tt->syn_last_ts > tt->syn_ts ?
			    tt->syn_last_ts - tt->syn_ts : 0).s);
		else
			ev(c, t->end_frame, "%s: the client's SYN was not "
			    "answered", fr(c, t->end_frame).s);
		verdict(c, DIAG_TCP_NO_ANSWER, false, "Nothing answered the "
		    "client's SYN: the server is down or a firewall drops the "
		    "traffic.");
		return true;
	}
	if (t->end == TCP_END_REFUSED) {
		ev(c, t->end_frame, "%s: the server's address answered the SYN "
		    "with a RST, no SYN-ACK", fr(c, t->end_frame).s);
		if (t->end_by == TCP_SIDE_MIDDLEBOX)
			ev(c, 0, "the RST looks forged by a device on the path "
			    "(see the TCP evidence)");
		verdict(c, DIAG_TCP_REFUSED, t->inferred, "The server refused "
		    "the connection: nothing listens on that port%s.",
		    t->end_by == TCP_SIDE_MIDDLEBOX ?
		    ", or a firewall answers for it (inferred)" : "");
		return true;
	}
	return false;
}

/* 2. The capture began after the connection did. */
static bool
rule_midstream(struct ctx *c)
{
	const struct tcp_track *tt = c->tt;

	if (tt == NULL || tt->syns > 0 || tt->synack_seen)
		return false;
	ev(c, c->f->conn->first_frame, "%s: first packet of the connection; "
	    "no SYN or SYN-ACK captured", fr(c, c->f->conn->first_frame).s);
	verdict(c, DIAG_INCOMPLETE_CAPTURE, false, "The capture started in "
	    "the middle of this connection, so its handshake is not in it.");
	return true;
}

/* 3. Port 143: the plaintext phase. */
static bool
rule_starttls(struct ctx *c)
{
	const struct starttls_facts *s = c->st;

	if (!c->imap || s == NULL)
		return false;
	if (s->tls_without_starttls) {
		bool cl = s->tls_without_starttls_dir == TCP_DIR_C2S;

		ev(c, s->tls_without_starttls_frame, "%s: the %s sent a TLS "
		    "record where IMAP plaintext was expected%s",
		    fr(c, s->tls_without_starttls_frame).s,
		    cl ? "client" : "server",
		    s->requested ? " (before the answer to STARTTLS)" :
		    " (no STARTTLS before it)");
		c->advice = cl ? advice_not_tls_client : advice_not_tls_server;
		verdict(c, DIAG_NOT_TLS, false, "The %s started TLS on the "
		    "STARTTLS port without the STARTTLS exchange: it speaks "
		    "implicit TLS (as on port 993) where IMAP plaintext was "
		    "expected.", cl ? "client" : "server");
		return true;
	}
	if (s->requested && (s->response == STARTTLS_RESP_NO ||
	    s->response == STARTTLS_RESP_BAD)) {
		const char *r = s->response == STARTTLS_RESP_NO ? "NO" : "BAD";

		ev(c, s->request_frame, "%s: client sent STARTTLS",
		    fr(c, s->request_frame).s);
		ev(c, s->response_frame, "%s: server answered %s \"%s\"",
		    fr(c, s->response_frame).s, r, inert(s->response_text,
		    s->response_text_len, 56).s);
		verdict(c, DIAG_STARTTLS_REFUSED, false, "The server answered "
		    "STARTTLS with %s, so the session could not be encrypted.",
		    r);
		return true;
	}
	if (s->requested)
		return false;
	/* Never requested: partial facts or no greeting are for later
	 * rules (incomplete capture; whose turn). */
	if (s->gap || s->greeting == STARTTLS_GREETING_NONE ||
	    s->greeting == STARTTLS_GREETING_BYE ||
	    s->greeting == STARTTLS_GREETING_OTHER)
		return false;
	if (s->caps_known && !s->offered) {
		ev(c, s->caps_frame, "%s: the server's capabilities do not "
		    "list STARTTLS", fr(c, s->caps_frame).s);
		if (s->plaintext_auth)
			ev(c, s->plaintext_auth_frame, "%s: the client "
			    "authenticated in clear text",
			    fr(c, s->plaintext_auth_frame).s);
		else
			ev(c, 0, "the client did not send STARTTLS (nor "
			    "credentials)");
		verdict(c, DIAG_STARTTLS_NOT_OFFERED, false, "The server did "
		    "not offer STARTTLS on port 143, so the client could not "
		    "encrypt the session%s.", s->plaintext_auth ?
		    "; it sent its credentials in clear text" : "");
		return true;
	}
	/* The server's side stopped on a line that is not IMAP: the client
	 * may have hung up because of it (rule not-imap), unless it had
	 * already sent its credentials in clear. */
	if (s->unparsed && s->unparsed_dir == TCP_DIR_S2C && !s->plaintext_auth)
		return false;
	/* Without credentials in clear, a session still open (or idle) when
	 * the capture ended may yet have upgraded: whose turn it was decides
	 * (a later rule). */
	if (!s->plaintext_auth && (c->f->tcp.end == TCP_END_OPEN ||
	    c->f->tcp.end == TCP_END_TIMEOUT))
		return false;
	if (s->caps_known)
		ev(c, s->caps_frame, "%s: the server offered STARTTLS",
		    fr(c, s->caps_frame).s);
	if (s->plaintext_auth)
		ev(c, s->plaintext_auth_frame, "%s: the client authenticated "
		    "in clear text without STARTTLS",
		    fr(c, s->plaintext_auth_frame).s);
	else
		ev(c, 0, "the client never sent STARTTLS (no credentials seen)");
	verdict(c, DIAG_PLAINTEXT_SESSION, false, "The session stayed in "
	    "clear text: the client never used STARTTLS%s.",
	    s->plaintext_auth ? " and sent its credentials unencrypted" : "");
	return true;
}

static bool
is_not_tls_stop(const struct tls_facts_side *s, bool complete)
{
	if (!s->stopped)
		return false;
	if (s->stop == TLS_STOP_NOT_TLS)
		return true;
	return !complete && (s->stop == TLS_STOP_BAD_RECORD ||
	    s->stop == TLS_STOP_RECORD_TOO_LONG);
}

/* 4. A side's stream is not TLS. */
static bool
rule_not_tls(struct ctx *c)
{
	const struct tls_facts *t = c->tls;
	enum tls_side who;
	const struct tls_facts_side *s;

	if (t == NULL)
		return false;
	if (is_not_tls_stop(&t->side[TLS_SIDE_SERVER], t->handshake_complete))
		who = TLS_SIDE_SERVER;
	else if (is_not_tls_stop(&t->side[TLS_SIDE_CLIENT],
	    t->handshake_complete))
		who = TLS_SIDE_CLIENT;
	else
		return false;
	s = &t->side[who];
	if (who == TLS_SIDE_SERVER)
		ev_client_hello(c);
	if (s->stop == TLS_STOP_NOT_TLS)
		ev(c, s->stop_frame, "%s: the %s sent %s \"%s\", not a TLS "
		    "record", fr(c, s->stop_frame).s, side_word(who),
		    s->stop_excerpt_len > 0 && s->stop_excerpt[0] >= 0x20 &&
		    s->stop_excerpt[0] < 0x7f ? "text" : "bytes",
		    inert(s->stop_excerpt, s->stop_excerpt_len, 40).s);
	else
		ev(c, s->stop_frame, "%s: after %llu bytes of TLS the %s sent "
		    "an invalid record header \"%s\"", fr(c, s->stop_frame).s,
		    (unsigned long long)s->bytes, side_word(who),
		    inert(s->stop_excerpt, s->stop_excerpt_len, 40).s);
	if (who == TLS_SIDE_SERVER) {
		c->advice = advice_not_tls_server;
		if (s->stop_excerpt_len >= 2 && s->stop_excerpt[0] == '*' &&
		    s->stop_excerpt[1] == ' ')
			verdict(c, DIAG_NOT_TLS, false, "The server answered "
			    "the ClientHello with a plaintext IMAP greeting: "
			    "the port does not speak TLS (the client's \"wrong "
			    "version number\").");
		else
			verdict(c, DIAG_NOT_TLS, false, "The server sent "
			    "something other than TLS where TLS was expected "
			    "(the client's \"wrong version number\").");
	} else {
		c->advice = advice_not_tls_client;
		verdict(c, DIAG_NOT_TLS, false, "The client sent something "
		    "other than TLS where TLS was expected.");
	}
	return true;
}

/*
 * handshake_failure / insufficient_security right after the ClientHello
 * usually means no common suite; it means no common version when the
 * client offers nothing in TLS 1.2, the one version every current server
 * speaks (only TLS 1.1 and older, or only TLS 1.3).
 */
static bool
versions_explain(const struct tls_client_hello *ch)
{
	uint16_t m = max_offered(ch);

	if (m != 0 && m < TLS_V_TLS12)
		return true;
	return !client_offers(ch, TLS_V_TLS12) && client_offers(ch, TLS_V_TLS13);
}

/* The server's fatal alert in answer to the ClientHello. */
static void
server_alert_at_hello(struct ctx *c, const struct tls_facts_alert *a)
{
	const struct tls_client_hello *ch = c->ch;
	char h[TLS_NAMES_HEX_LEN];
	ta_frame chf = c->tls->hello_retry && c->tls->client_hello2_frame ?
	    c->tls->client_hello2_frame : c->tls->client_hello_frame;

	ev_client_hello(c);
	ev(c, a->frame, "%s: server sent %s %s the ClientHello (%s)",
	    fr(c, a->frame).s, alert_desc(a).s, after(c, a->frame, chf).s,
	    fr(c, chf).s);
	if (a->description == A_PROTOCOL_VERSION) {
		verdict(c, DIAG_TLS_VERSION_MISMATCH, false, "The server "
		    "refused every TLS version the client offered (%s) with "
		    "alert protocol_version.", ch != NULL ?
		    versions_desc(ch).s : "unknown");
		return;
	}
	if (a->description == A_HANDSHAKE_FAILURE ||
	    a->description == A_INSUFFICIENT_SECURITY) {
		if (ch != NULL && versions_explain(ch)) {
			ev(c, c->tls->client_hello_frame, "the client offered "
			    "%s: no TLS 1.2, the version current servers all "
			    "speak", versions_desc(ch).s);
			verdict(c, DIAG_TLS_VERSION_MISMATCH, true, "The server "
			    "refused the ClientHello with %s; the client "
			    "offered only %s, so the versions most likely do "
			    "not match (inferred).",
			    tls_alert_str(a->description, h),
			    versions_desc(ch).s);
			return;
		}
		verdict(c, DIAG_NO_SHARED_CIPHER, false, "The server refused "
		    "the ClientHello with %s: it shares none of the %s cipher "
		    "suites the client offered.",
		    tls_alert_str(a->description, h), ch != NULL ?
		    suite_count(ch).s : "");
		return;
	}
	verdict(c, DIAG_TLS_ALERT, false, "The server refused the ClientHello "
	    "with fatal alert %s.", tls_alert_str(a->description, h));
}

/* The client's plaintext alert under TLS 1.3 after the server's
 * encrypted flight: the chain it is about cannot be seen. */
static void
client_alert_tls13(struct ctx *c, const struct tls_facts_alert *a)
{
	char h[TLS_NAMES_HEX_LEN];
	const char *d = tls_alert_str(a->description, h);

	ev(c, a->frame, "%s: the client sent %s in plaintext, %s the "
	    "server's encrypted flight (%s)", fr(c, a->frame).s,
	    alert_desc(a).s, after(c, a->frame, c->tls->server_hello_frame).s,
	    fr(c, c->tls->server_hello_frame).s);
	ev(c, 0, "TLS 1.3: the certificate chain is encrypted, so only the "
	    "alert tells what the client objected to");
	if (a->description == A_UNKNOWN_CA) {
		verdict(c, DIAG_CERT_UNTRUSTED, true, "The client did not trust "
		    "the server's certificate (TLS 1.3 alert unknown_ca; "
		    "inferred: the chain itself is encrypted).");
		return;
	}
	if (a->description == A_CERTIFICATE_EXPIRED) {
		verdict(c, DIAG_CERT_EXPIRED, true, "The client found a "
		    "certificate of the server's chain expired (TLS 1.3 alert "
		    "certificate_expired; inferred: the chain itself is "
		    "encrypted).");
		return;
	}
	verdict(c, DIAG_TLS13_REJECTED, true, "The client aborted the TLS 1.3 "
	    "handshake right after the server's encrypted flight with alert "
	    "%s%s (inferred).", d, is_cert_alert(a->description) ?
	    ": it rejected the certificate" : "");
}

/* 5. A fatal alert ended the handshake. */
static bool
rule_alert(struct ctx *c)
{
	const struct tls_facts_alert *a = failing_alert(c);
	const struct tls_facts *t = c->tls;
	char h[TLS_NAMES_HEX_LEN], h2[TLS_NAMES_HEX_LEN];
	bool flight;

	if (a == NULL)
		return false;
	/* The server's flight: encrypted (TLS 1.3) or in clear (1.2). */
	flight = t->server_hello_seen && a->frame >= t->server_hello_frame &&
	    (t->side[TLS_SIDE_SERVER].opaque_records > 0 || t->certs_seen ||
	    t->server_hello_done);

	if (a->from == TLS_SIDE_SERVER) {
		if (!t->server_hello_seen && !a->encrypted) {
			server_alert_at_hello(c, a);
			return true;
		}
		ev_client_hello(c);
		ev_server_hello(c);
		ev(c, a->frame, "%s: server sent %s", fr(c, a->frame).s,
		    alert_desc(a).s);
		if (!a->encrypted && a->description == A_PROTOCOL_VERSION) {
			verdict(c, DIAG_TLS_VERSION_MISMATCH, false, "The server "
			    "ended the handshake with alert protocol_version.");
			return true;
		}
		/* TLS <= 1.2: the server asked for a client certificate
		 * (RFC 5246 7.4.4) and the client sent none, or an empty
		 * list (7.4.6): the alert that follows is about that. */
		if (t->cert_request && a->frame > t->cert_request_frame &&
		    (!t->client_certs_seen || t->client_cert_count == 0)) {
			ev(c, t->cert_request_frame, "%s: the server asked for a "
			    "client certificate (CertificateRequest)",
			    fr(c, t->cert_request_frame).s);
			if (t->client_certs_seen)
				ev(c, t->client_certs_frame, "%s: the client "
				    "answered with an empty certificate list",
				    fr(c, t->client_certs_frame).s);
			else
				ev(c, 0, "the client sent no Certificate message");
			c->advice = advice_client_cert;
			verdict(c, DIAG_TLS_ALERT, a->encrypted, "The server "
			    "requires a client certificate and the client sent "
			    "none; the server ended the handshake with %s.",
			    alert_desc(a).s);
			return true;
		}
		if (a->encrypted)
			verdict(c, DIAG_TLS_ALERT, a->inferred, "The server "
			    "ended the handshake with an encrypted alert after "
			    "the client's part%s; its description is hidden.",
			    a->inferred ? " (inferred from the record's size)" :
			    "");
		else
			verdict(c, DIAG_TLS_ALERT, false, "The server ended the "
			    "handshake with fatal alert %s.",
			    tls_alert_str(a->description, h));
		return true;
	}

	/* From the client. */
	ev_client_hello(c);
	ev_server_hello(c);
	if (c->sh != NULL && c->ch != NULL &&
	    !client_offers(c->ch, c->sh->version)) {
		ev(c, a->frame, "%s: client answered with %s",
		    fr(c, a->frame).s, alert_desc(a).s);
		verdict(c, DIAG_TLS_VERSION_MISMATCH, false, "The server chose "
		    "%s, which the client did not offer (%s), and the client "
		    "aborted.", vname(c->sh->version, h2), versions_desc(c->ch).s);
		return true;
	}
	if (!a->encrypted && a->description == A_PROTOCOL_VERSION) {
		ev(c, a->frame, "%s: client sent %s", fr(c, a->frame).s,
		    alert_desc(a).s);
		verdict(c, DIAG_TLS_VERSION_MISMATCH, false, "The client "
		    "refused the server's TLS version with alert "
		    "protocol_version.");
		return true;
	}
	if (tls13(c) && flight) {
		if (a->encrypted) {
			ev(c, a->frame, "%s: the client sent %s %s the server's "
			    "encrypted flight (%s), and no Finished",
			    fr(c, a->frame).s, alert_desc(a).s,
			    after(c, a->frame, t->server_hello_frame).s,
			    fr(c, t->server_hello_frame).s);
			verdict(c, DIAG_TLS13_REJECTED, true, "The client "
			    "aborted the TLS 1.3 handshake with an encrypted "
			    "alert right after the server's encrypted flight: "
			    "most often it rejected the certificate (inferred).");
			return true;
		}
		if (is_cert_alert(a->description) ||
		    a->description == A_HANDSHAKE_FAILURE ||
		    a->description == A_DECRYPT_ERROR) {
			client_alert_tls13(c, a);
			return true;
		}
	}
	if (!tls13(c) && t->certs_seen && a->frame >= t->certs_frame &&
	    !a->encrypted && (is_cert_alert(a->description) ||
	    (a->description == A_HANDSHAKE_FAILURE && chain_bad(c)))) {
		struct sbuf how;

		ev(c, a->frame, "%s: client sent %s %s the server's Certificate "
		    "(%s)", fr(c, a->frame).s, alert_desc(a).s,
		    after(c, a->frame, t->certs_frame).s,
		    fr(c, t->certs_frame).s);
		how.s[0] = '\0';
		if (!c->quick)
			(void)fmt_snprintf(how.s, sizeof how.s, "with alert %s",
			    tls_alert_str(a->description, h));
		if (c->cert != NULL && c->cert->visible) {
			chain_verdict(c, how.s, false);
			return true;
		}
		/* No chain analysis: the alert alone names the verdict. */
		ev(c, 0, "the chain was not analysed: the verdict rests on the "
		    "alert alone");
		if (a->description == A_CERTIFICATE_EXPIRED)
			verdict(c, DIAG_CERT_EXPIRED, true, "The client "
			    "rejected the server's certificate as expired "
			    "(alert certificate_expired; inferred, the chain was "
			    "not analysed).");
		else
			verdict(c, DIAG_CERT_UNTRUSTED, true, "The client "
			    "rejected the server's certificate with alert %s "
			    "(inferred, the chain was not analysed).",
			    tls_alert_str(a->description, h));
		return true;
	}
	ev(c, a->frame, "%s: client sent %s", fr(c, a->frame).s,
	    alert_desc(a).s);
	if (a->encrypted)
		verdict(c, DIAG_TLS_ALERT, a->inferred, "The client ended the "
		    "handshake with an encrypted alert%s; its description is "
		    "hidden.", a->inferred ? " (inferred from the record's "
		    "size)" : "");
	else
		verdict(c, DIAG_TLS_ALERT, false, "The client ended the "
		    "handshake with fatal alert %s.",
		    tls_alert_str(a->description, h));
	return true;
}

/* 6. A ServerHello version the client never offered. */
static bool
rule_sh_version(struct ctx *c)
{
	char h[TLS_NAMES_HEX_LEN];

	if (c->sh == NULL || c->ch == NULL || c->tls->handshake_complete ||
	    client_offers(c->ch, c->sh->version))
		return false;
	ev_client_hello(c);
	ev_server_hello(c);
	ev(c, 0, "client offered %s; server answered %s", versions_desc(c->ch).s,
	    vname(c->sh->version, h));
	verdict(c, DIAG_TLS_VERSION_MISMATCH, false, "The server answered with "
	    "%s, which the client did not offer (%s), and the handshake went "
	    "no further.", vname(c->sh->version, h), versions_desc(c->ch).s);
	return true;
}

/* The server sent an alert (close_notify included) before frame f. */
static bool
server_alert_before(const struct tls_facts *t, ta_frame f)
{
	for (uint8_t i = 0; i < t->alert_count && i < TLS_FACTS_MAX_ALERTS; i++)
		if (t->alerts[i].from == TLS_SIDE_SERVER && t->alerts[i].frame < f)
			return true;
	return false;
}

/* An alert from the client after the handshake completed (close_notify
 * or a rejection; encrypted under TLS <= 1.2 as well). */
static const struct tls_facts_alert *
client_alert_after_complete(const struct tls_facts *t)
{
	for (uint8_t i = 0; i < t->alert_count && i < TLS_FACTS_MAX_ALERTS; i++) {
		const struct tls_facts_alert *a = &t->alerts[i];
		if (a->from == TLS_SIDE_CLIENT &&
		    a->frame >= t->handshake_complete_frame)
			return a;
	}
	return NULL;
}

/* 7. TLS <= 1.2 completed, but the client hung up at once: clients that
 * check the name after the handshake (curl) reject the chain this way. */
static bool
rule_cert_late(struct ctx *c)
{
	const struct tls_facts *t = c->tls;
	const struct tcp_outcome *o = &c->f->tcp;

	const struct tls_facts_alert *a;

	if (t == NULL || !t->handshake_complete || tls13(c) ||
	    c->cert == NULL || !c->cert->visible || !chain_bad(c) ||
	    t->client_app_data)
		return false;
	/* The client, not the server, ended it: by an alert right after the
	 * handshake (whoever sent the first FIN), or by closing first. */
	a = client_alert_after_complete(t);
	/* An alert that answers the server's own close (its FIN or RST, or
	 * its alert) is a reply, not a rejection. */
	if (a != NULL && (((o->end == TCP_END_FIN || o->end == TCP_END_RST) &&
	    o->end_by == TCP_SIDE_SERVER && o->end_frame < a->frame) ||
	    server_alert_before(t, a->frame)))
		a = NULL;
	if (a == NULL && !((o->end == TCP_END_FIN || o->end == TCP_END_RST) &&
	    o->end_by == TCP_SIDE_CLIENT))
		return false;
	ev_client_hello(c);
	ev_server_hello(c);
	ev(c, t->handshake_complete_frame, "%s: handshake complete",
	    fr(c, t->handshake_complete_frame).s);
	if (a != NULL)
		ev(c, a->frame, "%s: the client sent an %salert %s the handshake "
		    "completed (%s), without sending any data",
		    fr(c, a->frame).s, a->encrypted ? "encrypted " : "",
		    after(c, a->frame, t->handshake_complete_frame).s,
		    fr(c, t->handshake_complete_frame).s);
	else
		ev(c, o->end_frame, "%s: the client closed (%s) %s the "
		    "handshake completed (%s), without sending any data",
		    fr(c, o->end_frame).s,
		    o->end == TCP_END_FIN ? "FIN" : "RST",
		    after(c, o->end_frame, t->handshake_complete_frame).s,
		    fr(c, t->handshake_complete_frame).s);
	chain_verdict(c, "right after the handshake (some clients, e.g. "
	    "curl, check the name only then)", false);
	return true;
}

/* Findings-worthy but healthy: what flowed. */
static bool
rule_complete(struct ctx *c)
{
	const struct tls_facts *t = c->tls;

	if (t == NULL || !t->handshake_complete)
		return false;
	ev_client_hello(c);
	if (t->hello_retry) {
		char h[TLS_NAMES_HEX_LEN];

		ev(c, t->hello_retry_frame, "%s: server sent HelloRetryRequest "
		    "for group %s; the client's second ClientHello followed (%s)",
		    fr(c, t->hello_retry_frame).s,
		    tls_group_str(t->hello_retry_group, h),
		    fr(c, t->client_hello2_frame).s);
	}
	ev_server_hello(c);
	if (c->cert != NULL && c->cert->visible)
		ev_chain(c);
	ev(c, t->handshake_complete_frame, "%s: handshake complete",
	    fr(c, t->handshake_complete_frame).s);
	if (t->app_data)
		ev(c, t->app_data_frame, "%s: application data flowed",
		    fr(c, t->app_data_frame).s);
	if (c->sh != NULL) {
		char h1[TLS_NAMES_HEX_LEN], h2[TLS_NAMES_HEX_LEN];

		verdict(c, DIAG_OK, false, "The TLS handshake completed with "
		    "%s%s and %s.", vname(c->sh->version, h1),
		    c->sh->version <= TLS_V_TLS11 ? " (deprecated)" : "",
		    tls_cipher_str(c->sh->cipher, h2));
	} else {
		verdict(c, DIAG_OK, false, "The TLS handshake completed.");
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* Whose turn it was, and how it ended */

static enum diag_side
to_side(enum tcp_side s)
{
	return s == TCP_SIDE_CLIENT ? DIAG_SIDE_CLIENT :
	    s == TCP_SIDE_SERVER ? DIAG_SIDE_SERVER : DIAG_SIDE_NONE;
}

static const char *
dside(enum diag_side s)
{
	return s == DIAG_SIDE_CLIENT ? "client" : s == DIAG_SIDE_SERVER ?
	    "server" : "nobody";
}

static enum diag_side
other(enum diag_side s)
{
	return s == DIAG_SIDE_CLIENT ? DIAG_SIDE_SERVER : DIAG_SIDE_CLIENT;
}

static void
end_event(const struct ctx *c, struct end_ev *e)
{
	const struct tcp_outcome *o = &c->f->tcp;
	const struct tls_facts_alert *a = closing_alert(c);

	e->by = o->end_by;
	e->frame = o->end_frame;
	switch (o->end) {
	case TCP_END_FIN:
		e->kind = END_FIN;
		break;
	case TCP_END_RST:
	case TCP_END_REFUSED:
		e->kind = END_RST;
		break;
	case TCP_END_TIMEOUT:
		e->kind = END_IDLE;
		break;
	case TCP_END_OPEN:
	case TCP_END_NO_ANSWER:
	default:
		e->kind = END_OPEN;
		break;
	}
	if (a != NULL) {
		e->kind = END_CLOSE_ALERT;
		e->by = a->from == TLS_SIDE_CLIENT ? TCP_SIDE_CLIENT :
		    TCP_SIDE_SERVER;
		e->frame = a->frame;
	}
}

static void
turn_tls(const struct ctx *c, struct turn *u)
{
	const struct tls_facts *t = c->tls;
	const struct tls_facts_side *sv;

	if (t == NULL || (!t->client_hello_seen &&
	    t->side[TLS_SIDE_CLIENT].bytes == 0)) {
		u->side = DIAG_SIDE_CLIENT;
		u->owed = "its ClientHello";
		return;
	}
	if (!t->server_hello_seen) {
		if (t->hello_retry && t->client_hello2_frame == 0) {
			u->side = DIAG_SIDE_CLIENT;
			u->owed = "a second ClientHello";
			u->after = t->hello_retry_frame;
			u->after_what = "the HelloRetryRequest";
			return;
		}
		u->side = DIAG_SIDE_SERVER;
		u->owed = "an answer to the ClientHello";
		u->after = t->hello_retry && t->client_hello2_frame != 0 ?
		    t->client_hello2_frame : t->client_hello_frame;
		u->after_what = "the ClientHello";
		u->after_client_hello = true;
		return;
	}
	sv = &t->side[TLS_SIDE_SERVER];
	if (t->server_hello.version == TLS_V_TLS13) {
		if (sv->opaque_records == 0) {
			u->side = DIAG_SIDE_SERVER;
			u->owed = "its encrypted flight";
			u->after = t->server_hello_frame;
			u->after_what = "its ServerHello";
			return;
		}
		u->side = DIAG_SIDE_CLIENT;
		u->owed = "its Finished";
		u->after = sv->tail_count > 0 ?
		    sv->tail[sv->tail_count - 1].frame : t->server_hello_frame;
		u->after_what = "the server's encrypted flight";
		u->after_tls13_flight = true;
		return;
	}
	if (t->side[TLS_SIDE_CLIENT].finished) {
		u->side = DIAG_SIDE_SERVER;
		u->owed = "its ChangeCipherSpec and Finished";
		u->after = t->side[TLS_SIDE_CLIENT].finished_frame;
		u->after_what = "the client's Finished";
		return;
	}
	if (t->server_hello_done || t->side[TLS_SIDE_SERVER].ccs) {
		u->side = DIAG_SIDE_CLIENT;
		u->owed = t->server_hello_done ?
		    "its key exchange and Finished" :
		    "its ChangeCipherSpec and Finished";
		u->after = t->server_hello_done ? t->server_hello_done_frame :
		    t->side[TLS_SIDE_SERVER].ccs_frame;
		u->after_what = t->server_hello_done ?
		    "the server's ServerHelloDone" : "the server's Finished";
		u->after_tls12_flight = t->server_hello_done;
		return;
	}
	u->side = DIAG_SIDE_SERVER;
	u->owed = "the rest of its flight (up to ServerHelloDone)";
	u->after = t->server_hello_frame;
	u->after_what = "its ServerHello";
}

static void
turn_of(const struct ctx *c, struct turn *u)
{
	const struct starttls_facts *s = c->st;

	memset(u, 0, sizeof *u);
	if (c->imap && (c->tls == NULL || !c->tls->client_hello_seen)) {
		if (s == NULL || s->greeting == STARTTLS_GREETING_NONE) {
			u->side = DIAG_SIDE_SERVER;
			u->owed = "its IMAP greeting";
			return;
		}
		if (s->greeting == STARTTLS_GREETING_BYE) {
			/* A server that greets with BYE is hanging up. */
			u->side = DIAG_SIDE_SERVER;
			u->owed = "a session (it greeted with BYE)";
			u->after = s->greeting_frame;
			u->after_what = "its greeting";
			return;
		}
		if (!s->requested) {
			u->side = DIAG_SIDE_CLIENT;
			u->owed = "STARTTLS";
			u->after = s->greeting_frame;
			u->after_what = "the greeting";
			return;
		}
		if (s->response == STARTTLS_RESP_NONE) {
			u->side = DIAG_SIDE_SERVER;
			u->owed = "an answer to STARTTLS";
			u->after = s->request_frame;
			u->after_what = "the client's STARTTLS";
			return;
		}
		if (c->tls == NULL || c->tls->side[TLS_SIDE_CLIENT].bytes == 0) {
			u->side = DIAG_SIDE_CLIENT;
			u->owed = "its ClientHello";
			u->after = s->response_frame;
			u->after_what = "the server's OK to STARTTLS";
			return;
		}
	}
	turn_tls(c, u);
}

/* 9. TLS 1.3: the client hung up on its turn after the server's
 * encrypted flight, without a readable alert. */
static bool
rule_tls13_abort(struct ctx *c)
{
	struct turn u;
	struct end_ev e;

	if (c->tls == NULL || !tls13(c))
		return false;
	turn_of(c, &u);
	end_event(c, &e);
	if (!u.after_tls13_flight || e.by != TCP_SIDE_CLIENT ||
	    e.kind == END_IDLE || e.kind == END_OPEN)
		return false;
	ev_client_hello(c);
	ev_server_hello(c);
	ev(c, e.frame, "%s: the client hung up (%s) %s the server's encrypted "
	    "flight (%s), without its Finished", fr(c, e.frame).s,
	    e.kind == END_RST ? "RST" : e.kind == END_FIN ? "FIN" :
	    "close_notify", after(c, e.frame, u.after).s, fr(c, u.after).s);
	verdict(c, DIAG_TLS13_REJECTED, true, "The client abandoned the TLS "
	    "1.3 handshake right after the server's encrypted flight: most "
	    "often it rejected the certificate (inferred).");
	return true;
}

/* 10. TLS <= 1.2: the client hung up without an alert on its turn after
 * a chain the analysis finds fault with. */
static bool
rule_cert_abort(struct ctx *c)
{
	struct turn u;
	struct end_ev e;
	struct sbuf how;

	if (c->tls == NULL || tls13(c) || !c->tls->certs_seen ||
	    c->cert == NULL || !c->cert->visible || !chain_bad(c))
		return false;
	turn_of(c, &u);
	end_event(c, &e);
	if (!u.after_tls12_flight || e.by != TCP_SIDE_CLIENT ||
	    e.kind == END_IDLE || e.kind == END_OPEN)
		return false;
	ev_client_hello(c);
	ev_server_hello(c);
	ev(c, e.frame, "%s: the client hung up (%s) %s the server's "
	    "certificate flight (%s), without an alert", fr(c, e.frame).s,
	    e.kind == END_RST ? "RST" : e.kind == END_FIN ? "FIN" :
	    "close_notify", after(c, e.frame, u.after).s, fr(c, u.after).s);
	(void)strcpy(how.s, "by hanging up without an alert");
	chain_verdict(c, how.s, true);
	return true;
}

/* 11. Missing data: never guess across it. */
static bool
rule_missing(struct ctx *c)
{
	const struct tls_facts *t = c->tls;
	bool hit = false;

	if (c->f->why == TCP_FINISH_EVICTED) {
		ev(c, c->f->tcp.end_frame, "%s: the analyser's connection table "
		    "was full and this connection was dropped from it",
		    fr(c, c->f->tcp.end_frame).s);
		verdict(c, DIAG_INCOMPLETE_CAPTURE, false, "The connection was "
		    "evicted from the full connection table before it ended; "
		    "its handshake was not followed to the end.");
		return true;
	}
	if (c->st != NULL && c->st->gap && !c->st->requested) {
		ev(c, 0, "bytes of the IMAP plaintext phase are missing from "
		    "the capture");
		hit = true;
	}
	for (int i = 0; t != NULL && i < 2; i++) {
		const struct tls_facts_side *s = &t->side[i];
		const char *w = side_word((enum tls_side)i);

		if (!s->stopped)
			continue;
		switch (s->stop) {
		case TLS_STOP_GAP:
			ev(c, s->stop_frame, "%s: %llu byte%s of the %s's stream "
			    "missing (lost, or cut by the capture's snap "
			    "length) after %llu bytes", fr(c, s->stop_frame).s,
			    (unsigned long long)s->stop_len,
			    s->stop_len == 1 ? "" : "s", w,
			    (unsigned long long)s->bytes);
			hit = true;
			break;
		case TLS_STOP_TRUNCATED:
			ev(c, s->stop_frame, "%s: the %s's stream ends inside a "
			    "TLS record (%llu bytes held)", fr(c, s->stop_frame).s,
			    w, (unsigned long long)s->stop_len);
			hit = true;
			break;
		case TLS_STOP_OVERSIZED:
		case TLS_STOP_NO_BUFFER:
			ev(c, s->stop_frame, "%s: the %s's handshake message "
			    "(%llu bytes) was too large to follow",
			    fr(c, s->stop_frame).s, w,
			    (unsigned long long)s->stop_len);
			hit = true;
			break;
		case TLS_STOP_NOT_TLS:
		case TLS_STOP_BAD_RECORD:
		case TLS_STOP_RECORD_TOO_LONG:
			break;
		}
	}
	if (!hit)
		return false;
	if (t != NULL && t->client_hello_seen)
		ev_client_hello(c);
	verdict(c, DIAG_INCOMPLETE_CAPTURE, false, "The capture lacks part of "
	    "the handshake (bytes lost or cut by the snap length), so no "
	    "verdict is given rather than a guess.");
	return true;
}

/* The Dovecot case: the server closed right after the ClientHello, no
 * alert. Say what the client offered and what most likely failed. */
static void
server_closed_at_hello(struct ctx *c, const struct end_ev *e,
                       const struct turn *u)
{
	const struct tls_client_hello *ch = c->ch;
	struct suite_stats s;
	bool full_range;

	/* Evidence and causes only: nothing here decides. */
	if (c->quick)
		return;
	ev(c, e->frame, "%s: the server closed (%s) %s the ClientHello (%s), "
	    "without an alert", fr(c, e->frame).s,
	    e->kind == END_CLOSE_ALERT ? "close_notify" : "FIN",
	    after(c, e->frame, u->after).s, fr(c, u->after).s);
	if (c->tt != NULL && c->tt->synack_seen && e->frame > c->tt->synack_frame) {
		ta_time end;

		if (frame_time(c, e->frame, &end) && end >= c->tt->synack_ts)
			ev(c, 0, "the whole exchange took %s from the SYN-ACK "
			    "(%s) to the server's close",
			    dur(end - c->tt->synack_ts).s,
			    fr(c, c->tt->synack_frame).s);
	}
	if (ch == NULL)
		return;
	suite_stats(ch, &s);
	ev(c, 0, "client offered %s, %s", versions_desc(ch).s,
	    suites_desc(ch).s);
	/* A server accepting none of TLS 1.0 to 1.3 is rare; then the
	 * suites come first. */
	full_range = client_offers(ch, TLS_V_TLS10) &&
	    client_offers(ch, TLS_V_TLS11) && client_offers(ch, TLS_V_TLS12) &&
	    client_offers(ch, TLS_V_TLS13);
	if (!full_range)
		cause(c, "version (inferred): the server accepts none of %s, "
		    "e.g. a server limited to TLS 1.0/1.1", versions_desc(ch).s);
	if (s.legacy > 0 && s.aead == s.legacy)
		cause(c, "cipher (inferred): the server shares none of the "
		    "client's suites; the client offers only AEAD suites%s, "
		    "a server limited to older ones (e.g. AES256-SHA) closes "
		    "like this", s.fs == s.legacy ? " with ECDHE/DHE" : "");
	else
		cause(c, "cipher (inferred): the server shares none of the "
		    "client's %u suites", s.n);
	if (full_range)
		cause(c, "version (inferred): the server accepts none of %s "
		    "(unlikely with that range)", versions_desc(ch).s);
	cause(c, "other (inferred): the server's TLS setup is broken "
	    "(certificate or key not loadable) or it refuses the SNI");
	ev(c, 0, "to confirm, read the server's log at that time: Dovecot "
	    "logs \"unsupported protocol\" or \"no shared cipher\"");
}

/* Port 143's steps before TLS, as evidence: the server's greeting (but
 * at frame except, which the caller tells of otherwise) and the client's
 * STARTTLS. */
static void
ev_imap_steps(struct ctx *c, ta_frame except)
{
	const struct starttls_facts *s = c->st;

	if (!c->imap || s == NULL)
		return;
	if (s->greeting_frame != 0 && s->greeting_frame != except)
		ev(c, s->greeting_frame, "%s: server greeting%s",
		    fr(c, s->greeting_frame).s,
		    s->greeting == STARTTLS_GREETING_BYE ? " (BYE)" : "");
	if (s->requested)
		ev(c, s->request_frame, "%s: client sent STARTTLS%s",
		    fr(c, s->request_frame).s,
		    s->response == STARTTLS_RESP_OK ? "; the server said OK" : "");
}

/* A byte that makes an IMAP line unreadable, for the evidence. */
static const char *
not_imap_why(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\0')
			return " (it holds a NUL byte)";
		if (p[i] == '\r' && (i + 1 == n || p[i + 1] != '\n'))
			return " (it holds a bare CR)";
	}
	return "";
}

/* 12. Port 143: the server sent a line that is not IMAP before STARTTLS
 * was answered. The analysis reads no further in that direction, so
 * whatever followed from the server is unknown: it must not be called
 * silent. */
static bool
rule_not_imap(struct ctx *c)
{
	const struct starttls_facts *s = c->st;
	struct end_ev e;
	const char *what, *how;
	enum diag_side by;

	if (!c->imap || s == NULL || !s->unparsed ||
	    s->unparsed_dir != TCP_DIR_S2C ||
	    s->response != STARTTLS_RESP_NONE ||
	    (c->tls != NULL && c->tls->client_hello_seen))
		return false;
	end_event(c, &e);
	if (e.kind == END_RST && e.by == TCP_SIDE_MIDDLEBOX)
		return false;
	what = s->greeting == STARTTLS_GREETING_OTHER &&
	    s->greeting_frame == s->unparsed_frame ? "greeting" :
	    s->requested ? "answer to STARTTLS" : "line after its greeting";
	ev_imap_steps(c, s->unparsed_frame);
	ev(c, s->unparsed_frame, "%s: the server sent a line that is not "
	    "IMAP%s: \"%s\"; what the server sent after it is not read",
	    fr(c, s->unparsed_frame).s,
	    not_imap_why(s->unparsed_excerpt, s->unparsed_len),
	    inert(s->unparsed_excerpt, s->unparsed_len, 60).s);
	c->advice = advice_not_imap;
	by = to_side(e.by);
	if (e.kind == END_IDLE || e.kind == END_OPEN || by == DIAG_SIDE_NONE) {
		c->out->waiting_on = DIAG_SIDE_CLIENT;
		verdict(c, DIAG_HANDSHAKE_TIMEOUT, false, "The server's %s is "
		    "not IMAP (%s); the client neither went on nor hung up, "
		    "and the connection %s.", what, fr(c, s->unparsed_frame).s,
		    e.kind == END_IDLE ? "went idle" :
		    c->f->why == TCP_FINISH_REUSED ? "was abandoned" :
		    "was still open when the capture ended");
		return true;
	}
	how = e.kind == END_RST ? "reset the connection" :
	    e.kind == END_FIN ? "hung up (FIN)" : "hung up (close_notify)";
	ev(c, e.frame, "%s: the %s %s %s the server's line (%s)",
	    fr(c, e.frame).s, dside(by), how,
	    after(c, e.frame, s->unparsed_frame).s,
	    fr(c, s->unparsed_frame).s);
	verdict(c, e.kind == END_RST ? DIAG_TCP_RESET :
	    DIAG_CLOSED_DURING_HANDSHAKE, false, "The server's %s is not "
	    "IMAP (%s); then the %s %s.", what, fr(c, s->unparsed_frame).s,
	    dside(by), how);
	return true;
}

/* 13. Whose turn it was when it ended. */
static bool
rule_turn(struct ctx *c)
{
	const struct tcp_outcome *o = &c->f->tcp;
	struct turn u;
	struct end_ev e;
	enum diag_side by, wait;
	const char *how;

	turn_of(c, &u);
	end_event(c, &e);
	ev_imap_steps(c, 0);
	if (!u.after_client_hello)
		ev_client_hello(c);
	ev_server_hello(c);

	if (c->imap && c->st != NULL && c->st->greeting ==
	    STARTTLS_GREETING_BYE && !c->st->requested) {
		/* RFC 9051 7.1.5: BYE as greeting, the server refuses. */
		verdict(c, DIAG_CLOSED_DURING_HANDSHAKE, false, "The server "
		    "refused the session in its greeting (BYE) before STARTTLS "
		    "could be tried.");
		return true;
	}
	if (e.kind == END_RST && e.by == TCP_SIDE_MIDDLEBOX) {
		ev(c, e.frame, "%s: RST with the %s's address while it was the "
		    "%s's turn to send %s: sent by a device on the path "
		    "(inferred, signals below)", fr(c, e.frame).s,
		    c->tt != NULL && c->tt->nrst > 0 &&
		    c->tt->rst[0].dir == TCP_DIR_C2S ? "client" : "server",
		    dside(u.side), u.owed);
		tcp_lines(c);
		c->advice = advice_rst_middlebox;
		verdict(c, DIAG_TCP_RESET, true, "A device on the path reset "
		    "the connection during the handshake, forging the %s's "
		    "address (inferred from %u independent signals, listed "
		    "below).",
		    c->tt != NULL && c->tt->nrst > 0 &&
		    c->tt->rst[0].dir == TCP_DIR_C2S ? "client" : "server",
		    o->rst_signals);
		return true;
	}
	if (e.kind == END_IDLE || e.kind == END_OPEN ||
	    to_side(e.by) == DIAG_SIDE_NONE) {
		wait = u.side;
		c->out->waiting_on = wait;
		if (e.kind == END_IDLE)
			ev(c, o->end_frame, "%s: last packet; the connection "
			    "then stayed idle past the idle timeout",
			    fr(c, o->end_frame).s);
		else if (c->f->why == TCP_FINISH_REUSED)
			ev(c, o->end_frame, "%s: last packet; the client then "
			    "started a new connection on the same ports",
			    fr(c, o->end_frame).s);
		else
			ev(c, o->end_frame, "%s: last packet; the capture "
			    "ended with the connection open",
			    fr(c, o->end_frame).s);
		if (wait == DIAG_SIDE_CLIENT)
			c->advice = advice_timeout_client;
		verdict(c, DIAG_HANDSHAKE_TIMEOUT, false, "The %s never sent %s%s%s"
		    "; the connection %s.", dside(wait), u.owed,
		    u.after != 0 ? " after " : "", u.after != 0 ? u.after_what :
		    "", e.kind == END_IDLE ? "went idle" :
		    c->f->why == TCP_FINISH_REUSED ? "was abandoned" :
		    "was still waiting when the capture ended");
		return true;
	}
	by = to_side(e.by);
	how = e.kind == END_RST ? "RST" : e.kind == END_FIN ? "FIN" :
	    "close_notify";
	if (by == u.side) {
		if (e.kind == END_RST) {
			ev(c, e.frame, "%s: the %s reset the connection %s %s "
			    "(%s), when it was its turn to send %s",
			    fr(c, e.frame).s, dside(by),
			    after(c, e.frame, u.after).s,
			    u.after != 0 ? u.after_what : "the handshake",
			    fr(c, u.after).s, u.owed);
			if (o->middlebox_suspected)
				tcp_lines(c);
			c->advice = by == DIAG_SIDE_SERVER ? advice_rst_server :
			    advice_rst_client;
			verdict(c, DIAG_TCP_RESET, false, "The %s reset the "
			    "connection when it was its turn to send %s%s.",
			    dside(by), u.owed, o->middlebox_suspected ?
			    " (a device on the path is suspected, see the "
			    "evidence)" : "");
			return true;
		}
		if (by == DIAG_SIDE_SERVER && u.after_client_hello) {
			server_closed_at_hello(c, &e, &u);
			c->advice = advice_close_server_hello;
			verdict(c, DIAG_CLOSED_DURING_HANDSHAKE, false, "The "
			    "server closed the connection %s the ClientHello "
			    "without an alert (as Dovecot does when it rejects "
			    "one); likely causes, inferred: %s.",
			    after(c, e.frame, u.after).s,
			    c->out->ncauses > 0 && strncmp(c->out->causes[0],
			    "cipher", 6) == 0 ? "no shared cipher, then the "
			    "TLS version" : "the TLS version, then no shared "
			    "cipher");
			return true;
		}
		if (u.after != 0)
			ev(c, e.frame, "%s: the %s hung up (%s) %s %s (%s), when "
			    "it was its turn to send %s", fr(c, e.frame).s,
			    dside(by), how, after(c, e.frame, u.after).s,
			    u.after_what, fr(c, u.after).s, u.owed);
		else
			ev(c, e.frame, "%s: the %s hung up (%s) when it was its "
			    "turn to send %s", fr(c, e.frame).s, dside(by), how,
			    u.owed);
		verdict(c, DIAG_CLOSED_DURING_HANDSHAKE, false, "The %s hung up "
		    "without an alert when it was its turn to send %s.",
		    dside(by), u.owed);
		return true;
	}
	/* The other side gave up: its close is a reaction to the silence. */
	wait = other(by);
	c->out->waiting_on = wait;
	if (u.after != 0)
		ev(c, e.frame, "%s: the %s gave up (%s) %s %s (%s); the %s had "
		    "not sent %s", fr(c, e.frame).s, dside(by), how,
		    after(c, e.frame, u.after).s, u.after_what, fr(c, u.after).s,
		    dside(wait), u.owed);
	else
		ev(c, e.frame, "%s: the %s gave up (%s); the %s had not sent %s",
		    fr(c, e.frame).s, dside(by), how, dside(wait), u.owed);
	if (c->tt != NULL && c->tt->synack_seen) {
		ta_time end;

		if (frame_time(c, e.frame, &end) && end >= c->tt->synack_ts)
			ev(c, 0, "%s after the connection was set up (SYN-ACK, "
			    "%s)", dur(end - c->tt->synack_ts).s,
			    fr(c, c->tt->synack_frame).s);
	}
	if (wait == DIAG_SIDE_CLIENT)
		c->advice = advice_timeout_client;
	verdict(c, DIAG_HANDSHAKE_TIMEOUT, false, "The %s waited for the %s to "
	    "send %s and gave up; the %s stayed silent.", dside(by),
	    dside(wait), u.owed, dside(wait));
	return true;
}

struct rule {
	const char *name;
	bool (*decide)(struct ctx *c);
};

/* The precedence, first match wins (see the table at the top). */
static const struct rule rules[] = {
	{ "tcp", rule_tcp },
	{ "mid-stream", rule_midstream },
	{ "starttls", rule_starttls },
	{ "not-tls", rule_not_tls },
	{ "alert", rule_alert },
	{ "version", rule_sh_version },
	{ "cert-late", rule_cert_late },
	{ "complete", rule_complete },
	{ "tls13-abort", rule_tls13_abort },
	{ "cert-abort", rule_cert_abort },
	{ "missing", rule_missing },
	{ "not-imap", rule_not_imap },
	{ "turn", rule_turn },
};

/* ------------------------------------------------------------------ */
/* Findings */

static void
add_findings(struct ctx *c)
{
	struct diag_result *o = c->out;
	const struct cert_facts *cf = c->cert;
	bool complete = c->tls != NULL && c->tls->handshake_complete;

	if (complete && o->verdict == DIAG_OK && intercepted(c)) {
		o->findings |= DIAG_F_INTERCEPTED;
	} else if (complete && o->verdict == DIAG_OK && cf != NULL &&
	    cf->visible && !cf->verify_ok) {
		o->findings |= DIAG_F_UNVERIFIED_ACCEPTED;
		ev(c, cf->frame, "the handshake completed although the chain "
		    "does not verify here (%s): the client skips validation or "
		    "trusts a private CA", cf->verify_reason != NULL ?
		    inert_str(cf->verify_reason, 64).s : "no reason given");
	}
	if (c->sh != NULL && c->sh->version <= TLS_V_TLS11) {
		char h[TLS_NAMES_HEX_LEN];

		o->findings |= DIAG_F_LEGACY_VERSION;
		if (o->verdict == DIAG_OK)
			ev(c, c->tls->server_hello_frame, "%s: %s chosen: TLS "
			    "1.1 and older are deprecated (RFC 8996)",
			    fr(c, c->tls->server_hello_frame).s,
			    vname(c->sh->version, h));
	}
	if (c->sh != NULL) {
		const struct iana_cipher *ci = iana_cipher(c->sh->cipher);

		if (ci != NULL && (ci->flags & IANA_CF_WEAK)) {
			o->findings |= DIAG_F_WEAK_CIPHER;
			ev(c, c->tls->server_hello_frame, "%s: weak suite %s "
			    "chosen (%s)", fr(c, c->tls->server_hello_frame).s,
			    ci->name, iana_weak_reason(ci->flags));
		}
	}
	if (cf != NULL && cf->visible) {
		if (cf->findings & CERT_F_WEAK_SIGNATURE)
			o->findings |= DIAG_F_WEAK_SIGNATURE;
		if (cf->findings & CERT_F_SMALL_KEY)
			o->findings |= DIAG_F_SMALL_KEY;
		if (cf->findings & CERT_F_EXPIRING_SOON)
			o->findings |= DIAG_F_CERT_EXPIRING_SOON;
	}
	/* As in the contract's example: a RST judged forged carries the
	 * finding whatever the verdict, as does a single weak signal. */
	if (c->f->tcp.middlebox_suspected ||
	    c->f->tcp.end_by == TCP_SIDE_MIDDLEBOX)
		o->findings |= DIAG_F_MIDDLEBOX_RST_SUSPECTED;
}

/*
 * Evidence in capture order: lines were written rule by rule; a stable
 * sort by frame puts them in time order, and a line without a frame stays
 * right after the line it explains.
 */
static void
sort_evidence(struct diag_result *o)
{
	ta_frame key[DIAG_MAX_EVIDENCE], last = 0, k;
	struct diag_evidence tmp;
	size_t i, j;

	for (i = 0; i < o->nevidence; i++) {
		if (o->evidence[i].frame != 0)
			last = o->evidence[i].frame;
		key[i] = last;
	}
	for (i = 1; i < o->nevidence; i++) {
		tmp = o->evidence[i];
		k = key[i];
		for (j = i; j > 0 && key[j - 1] > k; j--) {
			o->evidence[j] = o->evidence[j - 1];
			key[j] = key[j - 1];
		}
		o->evidence[j] = tmp;
		key[j] = k;
	}
}

static void
append(char *dst, size_t cap, const char *s)
{
	size_t n = strnlen(dst, cap);

	if (n + 1 >= cap)
		return;
	(void)fmt_snprintf(dst + n, cap - n, "%s%s", n > 0 ? " " : "", s);
}

static void
write_advice(struct ctx *c)
{
	struct diag_result *o = c->out;
	const char *base = c->advice != NULL ? c->advice :
	    verdicts[o->verdict].advice;

	o->advice[0] = '\0';
	if (o->verdict == DIAG_OK && o->findings != 0)
		base = NULL;
	else if (o->verdict == DIAG_OK)
		base = advice_ok_plain;
	if (base != NULL)
		append(o->advice, sizeof o->advice, base);
	for (unsigned i = 0; i < DIAG_FINDING_COUNT; i++) {
		if (!(o->findings & (1u << i)))
			continue;
		/* tcp-reset's own advice already sends them to the network
		 * team. */
		if ((1u << i) == DIAG_F_MIDDLEBOX_RST_SUSPECTED &&
		    o->verdict == DIAG_TCP_RESET)
			continue;
		append(o->advice, sizeof o->advice, findings[i].advice);
	}
}

/* ------------------------------------------------------------------ */

/* A quick decision writes no text: clearing the 5 KiB of text arrays
 * for it would cost more than the decision. */
static void
clear_result(struct diag_result *out, bool quick)
{
	if (!quick) {
		memset(out, 0, sizeof *out);
		return;
	}
	out->verdict = DIAG_OK;
	out->severity = DIAG_SEV_OK;
	out->findings = 0;
	out->inferred = false;
	out->waiting_on = DIAG_SIDE_NONE;
	out->summary[0] = '\0';
	out->nevidence = 0;
	out->evidence_dropped = 0;
	out->advice[0] = '\0';
	out->ncauses = 0;
}

static void
decide(const struct conn_facts *f, struct diag_result *out, bool quick)
{
	struct ctx c;

	clear_result(out, quick);
	memset(&c, 0, sizeof c);
	c.f = f;
	c.quick = quick;
	c.out = out;
	c.tt = f->conn != NULL ? &f->conn->tcp : NULL;
	c.tls = f->tls;
	c.st = f->starttls;
	c.cert = f->cert != NULL && f->cert->visible ? f->cert : NULL;
	c.imap = f->starttls != NULL ||
	    (f->conn != NULL && f->conn->svc == SVC_IMAP);
	c.base_file = f->conn != NULL ? TA_FRAME_FILE(f->conn->first_frame) :
	    TA_FRAME_FILE(f->tcp.end_frame);
	if (c.tls != NULL && c.tls->client_hello_seen)
		c.ch = &c.tls->client_hello;
	if (c.tls != NULL && c.tls->server_hello_seen)
		c.sh = &c.tls->server_hello;

	for (size_t i = 0; i < TA_ELEMENTS(rules); i++)
		if (rules[i].decide(&c))
			break;
	add_findings(&c);
	sort_evidence(out);
	out->severity = verdicts[out->verdict].severity;
	if (out->verdict == DIAG_OK && out->findings != 0)
		out->severity = DIAG_SEV_WARNING;
	if (out->verdict != DIAG_HANDSHAKE_TIMEOUT)
		out->waiting_on = DIAG_SIDE_NONE;
	if (!quick)
		write_advice(&c);
}

void
diag_decide(const struct conn_facts *f, struct diag_result *out)
{
	decide(f, out, false);
}

void
diag_decide_verdict(const struct conn_facts *f, struct diag_result *out)
{
	decide(f, out, true);
}

const char *
diag_verdict_str(enum diag_verdict v)
{
	if ((unsigned)v >= DIAG_VERDICT_COUNT)
		return NULL;
	return verdicts[v].id;
}

const char *
diag_verdict_meaning(enum diag_verdict v)
{
	if ((unsigned)v >= DIAG_VERDICT_COUNT)
		return NULL;
	return verdicts[v].meaning;
}

const char *
diag_finding_str(uint32_t f)
{
	for (unsigned i = 0; i < DIAG_FINDING_COUNT; i++)
		if (f == (1u << i))
			return findings[i].id;
	return NULL;
}

const char *
diag_severity_str(enum diag_severity s)
{
	switch (s) {
	case DIAG_SEV_OK:
		return "ok";
	case DIAG_SEV_WARNING:
		return "warning";
	case DIAG_SEV_ERROR:
		return "error";
	}
	return "error";
}

const char *
diag_side_str(enum diag_side s)
{
	switch (s) {
	case DIAG_SIDE_CLIENT:
		return "client";
	case DIAG_SIDE_SERVER:
		return "server";
	case DIAG_SIDE_NONE:
		break;
	}
	return NULL;
}
