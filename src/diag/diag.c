/* diag.c: facts -> verdict, evidence, advice: the verdicts and findings, the rules' order, the decision (the rules are in rules_*.c). */
#include <string.h>

#include "diag/diag.h"
#include "diag/diag_ctx.h"
#include "util/fmt.h"
#include "iana_tables.h"
#include "tls/tls_names.h"

/*
 * Precedence (doc/verdicts.md has the same table). The rules run in this
 * order and the first that decides wins; findings are added afterwards
 * whatever the verdict.
 *
 *  1 tcp          SYN unanswered -> tcp-no-answer; SYN answered by RST ->
 *                 tcp-refused
 *  2 mid-stream   no SYN and no SYN-ACK captured, no hello either: both
 *                 sides' Finished (TLS <= 1.2) -> ok (inferred); else
 *                 incomplete-capture
 *  3 one-sided    one direction not in the capture: TLS <= 1.2, the
 *                 visible side's Finished and then its application
 *                 data -> ok (inferred); TLS 1.3 from the server, its
 *                 acks of a Finished's worth of the client's bytes after
 *                 its flight, then a record of its own longer than an
 *                 alert -> ok (inferred); else incomplete-capture, unless
 *                 its plaintext alert, not-TLS bytes or clear-text
 *                 login leave it to the rules that read those
 *  4 starttls     a STARTTLS port (IMAP 143, POP3 110, SMTP 25 and 587):
 *                 TLS without the upgrade -> not-tls; a refusal (IMAP
 *                 NO/BAD, POP3 -ERR, SMTP 4xx/5xx) -> starttls-refused;
 *                 never requested: SMTP 421 -> closed-during-handshake;
 *                 not advertised -> starttls-not-offered, else
 *                 plaintext-session
 *  5 not-tls      a side's stream is not TLS where TLS was expected
 *  6 alert        the first fatal (or encrypted) alert before the end of
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
 *  7 version      a ServerHello version the client did not offer ->
 *                 tls-version-mismatch
 *  8 cert-late    TLS <= 1.2 handshake completed, the chain has a problem,
 *                 the client sent no data and ended it: an alert before
 *                 any close or alert of the server's (whoever sent the
 *                 first FIN), or its own FIN/RST first -> cert-*
 *  9 complete     -> ok
 * 9a unreadable   a side's stream held an invalid record header after
 *                 valid records and was read again after it: TLS <= 1.2,
 *                 the other side's Finished after it and then its
 *                 application data -> ok (inferred); else, unless a gap
 *                 stopped a side (12 says what is missing),
 *                 incomplete-capture
 * 10 tls13-abort  TLS 1.3: the client hung up (FIN, RST, close_notify) on
 *                 its turn after the server's encrypted flight ->
 *                 tls13-rejected (inferred)
 * 11 cert-abort   TLS <= 1.2: the client hung up without an alert on its
 *                 turn after a chain with a problem -> cert-* (inferred)
 * 12 missing      a stream stopped on a gap or truncation, STARTTLS facts
 *                 partial, connection evicted -> incomplete-capture
 * 13 not-protocol a STARTTLS port: the server sent a line that is not its
 *                 protocol before the upgrade was answered (or asked for;
 *                 rule 4 leaves those to this one unless credentials or
 *                 mail crossed in clear)
 *                 -> tcp-reset, closed-during-handshake or
 *                 handshake-timeout by how it ended, never "the server
 *                 stayed silent"
 * 14 turn         whose turn it was when the connection ended: a
 *                 middlebox RST or a RST from the side whose turn it was
 *                 -> tcp-reset; a FIN (or close_notify) from that side ->
 *                 closed-during-handshake; the other side giving up, the
 *                 idle timeout or the capture's end -> handshake-timeout
 *                 with waiting_on; before all that, a server that
 *                 refused the session in its greeting (IMAP BYE, POP3
 *                 -ERR, SMTP 554/421) -> closed-during-handshake
 *
 * Where they are: rules_tcp.c holds 1 tcp, 2 mid-stream, 12 missing and
 * 14 turn, with whose turn it was and how the connection ended (10, 11 and
 * 13 ask it too); rules_capture.c 3 one-sided and 9a
 * unreadable; rules_session.c 4 starttls
 * and 13 not-protocol; rules_tls.c 5 not-tls, 6 alert, 7 version, 9 complete
 * and 10 tls13-abort, with the alert helpers; rules_cert.c 8 cert-late and
 * 11 cert-abort, with the chain's evidence and verdict (6 and 9 use them).
 * evidence.c holds what every rule writes with (evidence, verdict and
 * cause text, frames, times, what the client offered); diag_ctx.h
 * declares what these files share.
 * This file holds the verdict and finding tables, rules[] in this order,
 * the findings, the evidence's order and the advice.
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
	    "a STARTTLS port: the server did not advertise STARTTLS (POP3: STLS)",
	    "Enable TLS on the source server's port 143 (Dovecot: ssl = yes "
	    "with ssl_cert and ssl_key; Cyrus: tls_server_cert and "
	    "tls_server_key; Courier: imapd-ssl with IMAP_TLS_REQUIRED) or "
	    "migrate over port 993. Do not migrate in clear text: the "
	    "credentials would cross the network readable." },
	[DIAG_STARTTLS_REFUSED] = { "starttls-refused", DIAG_SEV_ERROR,
	    "a STARTTLS port: the server refused the upgrade (IMAP NO or BAD, "
	    "POP3 -ERR, SMTP 454 or 5xx)",
	    "The server refused STARTTLS (its answer text says why, usually "
	    "TLS not configured or not allowed in this state). Fix the TLS "
	    "configuration of the source server's port 143, or migrate over "
	    "port 993. Do not fall back to clear text." },
	[DIAG_PLAINTEXT_SESSION] = { "plaintext-session", DIAG_SEV_ERROR,
	    "a STARTTLS port: the session never upgraded to TLS",
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

/* The advice of an ok without findings. The variants of the advice where
 * the facts say which side must act are with the rules that choose them. */
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
	{ "capture-one-sided",
	  "The capture holds one direction of this connection only: capture "
	  "where both directions pass (both ports of an asymmetric path, or "
	  "a tap instead of a one-way span) to see the other side." },
	{ "capture-midstream",
	  "The capture started after this connection did: start the capture "
	  "before the client connects, or read the rotated file that holds "
	  "its start together with this one." },
	{ "capture-gap",
	  "Bytes of this connection are missing from the capture: capture "
	  "with the full packet length (tcpdump -s 0) on a host that keeps up "
	  "(watch the kernel drop counters), or from a tap instead of a span "
	  "port." },
	{ "timestamps-damaged",
	  "The capture's timestamps go backwards within this connection, or "
	  "jump between its SYN and SYN-ACK, so its times, durations and "
	  "round trip are not shown: check the capture host's clock, or how "
	  "the file was merged or edited (mergecap, editcap -t)." },
	{ "chain-unverified-here",
	  "The chain does not verify against this machine's trust store, but "
	  "the client accepted it for the reason the evidence gives: nothing "
	  "to fix for this client. To judge as the client did, give its trust "
	  "store with --ca-bundle; if the server sends no intermediate, add it "
	  "to the server's chain file, since stricter clients fail without "
	  "it." },
	{ "expired-accepted",
	  "A certificate of the chain was expired (or not yet valid) at the "
	  "time of the capture and the client went on anyway: renew it on the "
	  "server, and find out why the client did not refuse it (validation "
	  "turned off, or a wrong clock)." },
	{ "explicit-ec-params",
	  "A certificate of the chain has an EC key with explicit curve "
	  "parameters instead of a named curve, the form of CVE-2020-0601 "
	  "(\"CurveBall\"), with which unpatched Windows CryptoAPI accepted "
	  "forged roots: public CAs never issue these, so treat the chain as "
	  "forged until shown otherwise, and patch Windows clients." },
	{ "invalid-record",
	  "A record header of this connection is not valid TLS although the "
	  "records around it are, and the connection went on: the bytes were "
	  "damaged where they were captured (a capture file edited by hand, "
	  "a faulty tap or mirror port) or by a device on the path that "
	  "rewrites payload. Capture again at another point of the path to "
	  "tell which." },
	{ "cert-unreadable",
	  "The server's Certificate message could not be read, so its chain "
	  "was not checked: if the capture was edited, anonymised or damaged "
	  "on its way, ask for the original; if it is the original, the "
	  "server sends a malformed Certificate, which its TLS library's log "
	  "explains." },
};

/* ------------------------------------------------------------------ */
/* Rules */

struct rule {
	const char *name;
	bool (*decide)(struct ctx *c);
};

/* The precedence, first match wins (see the table at the top). */
static const struct rule rules[] = {
	{ "tcp", dg_rule_tcp },
	{ "mid-stream", dg_rule_midstream },
	{ "one-sided", dg_rule_one_sided },
	{ "starttls", dg_rule_starttls },
	{ "not-tls", dg_rule_not_tls },
	{ "alert", dg_rule_alert },
	{ "version", dg_rule_sh_version },
	{ "cert-late", dg_rule_cert_late },
	{ "complete", dg_rule_complete },
	{ "unreadable", dg_rule_unreadable },
	{ "tls13-abort", dg_rule_tls13_abort },
	{ "cert-abort", dg_rule_cert_abort },
	{ "missing", dg_rule_missing },
	{ "not-protocol", dg_rule_not_protocol },
	{ "turn", dg_rule_turn },
};

/* ------------------------------------------------------------------ */
/* Findings */

/*
 * Every frame of a connection with exchanges both ways stamped alike: no
 * network answers in no time (a round trip takes microseconds even on
 * loopback, and capture clocks count them), so the trace was generated
 * or its times rewritten.
 */
static bool
frozen_clock(const struct conn_facts *f)
{
	const struct conn *k = f->conn;

	return k != NULL && f->tcp.frames >= 4 &&
	       k->tcp.ep[TCP_DIR_C2S].pkts > 0 &&
	       k->tcp.ep[TCP_DIR_S2C].pkts > 0 && k->first_ts == k->last_ts;
}

/*
 * Handshake messages that could not be read on a stream captured whole:
 * the server's Certificate (a finding: its chain was not checked), and a
 * message header declaring more than is followed, after which the side's
 * records were read on and its messages looked for again (doc/tls.md).
 */
static void
unreadable_messages(struct ctx *c)
{
	const struct tls_facts *t = c->tls;

	if (t == NULL)
		return;
	if (t->certs_unreadable && !t->certs_seen) {
		c->out->findings |= DIAG_F_CERT_UNREADABLE;
		if (t->certs_unreadable_list_known &&
		    t->certs_unreadable_list_len + 3u > t->certs_unreadable_len)
			ev(c, t->certs_unreadable_frame, "%s: the server's "
			    "Certificate is not readable: its certificate list "
			    "declares %lu bytes, more than the %lu of the "
			    "message (an edited or damaged capture, or a "
			    "malformed message); the chain was not checked",
			    dg_fr(c, t->certs_unreadable_frame).s,
			    (unsigned long)t->certs_unreadable_list_len,
			    (unsigned long)t->certs_unreadable_len);
		else
			ev(c, t->certs_unreadable_frame, "%s: the server's "
			    "Certificate (%lu bytes) is not readable (an edited "
			    "or damaged capture, or a malformed message); the "
			    "chain was not checked",
			    dg_fr(c, t->certs_unreadable_frame).s,
			    (unsigned long)t->certs_unreadable_len);
	}
	for (int i = 0; i < 2; i++) {
		const struct tls_facts_side *s = &t->side[i];

		if (s->hs_too_long == 0)
			continue;
		ev(c, s->hs_too_long_frame, "%s: the %s's handshake bytes "
		    "declare a %lu-byte message, more than this analysis "
		    "follows (%u KiB): its records were read on (framed by "
		    "their own headers), its handshake messages again from the "
		    "next record that begins with one",
		    dg_fr(c, s->hs_too_long_frame).s,
		    dg_side_word((enum tls_side)i),
		    (unsigned long)s->hs_too_long_len,
		    (unsigned)(TLS_REC_HS_MAX / 1024u));
	}
}

/* The client's other connection that settles that it accepts this chain
 * (rule 8 stood down for it). */
static void
ev_accepted_elsewhere(struct ctx *c)
{
	const struct accepted_seen *s = c->f->accepted;

	ev(c, s->data_frame, "%s: this client (same address, same "
	    "ClientHello) sent data over the same certificate for %s on its "
	    "connection from port %u (%s): it accepts the chain, and left this "
	    "one unused", dg_fr(c, s->data_frame).s,
	    dg_inert_str(c->cert->chain->name, 40).s, (unsigned)s->cport,
	    dg_fr(c, s->first_frame).s);
}

static void
add_findings(struct ctx *c)
{
	struct diag_result *o = c->out;
	const struct cert_facts *cf = c->cert;
	bool complete = c->tls != NULL && c->tls->handshake_complete;

	if (complete && o->verdict == DIAG_OK && c->f->accepted != NULL)
		ev_accepted_elsewhere(c);
	if (complete && o->verdict == DIAG_OK && dg_intercepted(c))
		o->findings |= DIAG_F_INTERCEPTED;
	else if (complete && o->verdict == DIAG_OK && cf != NULL &&
	    cf->visible && !cf->verify_ok)
		o->findings |= dg_accepted_chain_findings(c);
	if (cf != NULL && cf->visible && (cf->findings & CERT_F_EXPLICIT_EC))
		o->findings |= DIAG_F_EXPLICIT_EC_PARAMS;
	if (c->sh != NULL && c->sh->version <= TLS_V_TLS11) {
		char h[TLS_NAMES_HEX_LEN];

		o->findings |= DIAG_F_LEGACY_VERSION;
		if (o->verdict == DIAG_OK)
			ev(c, c->tls->server_hello_frame, "%s: %s chosen: TLS "
			    "1.1 and older are deprecated (RFC 8996)",
			    dg_fr(c, c->tls->server_hello_frame).s,
			    dg_vname(c->sh->version, h));
	}
	if (c->sh != NULL) {
		const struct iana_cipher *ci = iana_cipher(c->sh->cipher);

		if (ci != NULL && (ci->flags & IANA_CF_WEAK)) {
			o->findings |= DIAG_F_WEAK_CIPHER;
			ev(c, c->tls->server_hello_frame, "%s: weak suite %s "
			    "chosen (%s)",
			    dg_fr(c, c->tls->server_hello_frame).s, ci->name,
			    iana_weak_reason(ci->flags));
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
	/* What the capture lacks, whatever the verdict. */
	if (c->f->tcp.missing != TCP_SIDE_NONE)
		o->findings |= DIAG_F_CAPTURE_ONE_SIDED;
	if (c->f->tcp.midstream)
		o->findings |= DIAG_F_CAPTURE_MIDSTREAM;
	if (c->f->conn != NULL && (c->f->conn->reasm[0].gaps > 0 ||
	    c->f->conn->reasm[1].gaps > 0))
		o->findings |= DIAG_F_CAPTURE_GAP;
	/* A record header that is not one, in a stream read on after it. */
	for (unsigned i = 0; i < 2; i++) {
		if (!dg_read_past_bad_header(c, (enum tls_side)i))
			continue;
		o->findings |= DIAG_F_INVALID_RECORD;
		dg_ev_bad_header(c, (enum tls_side)i);
	}
	unreadable_messages(c);
	/* A client that sends a ClientHello again, unasked: say so on any
	 * verdict (renegotiation, or a client restarting its handshake). */
	if (c->tls != NULL && c->tls->client_hello_again)
		ev(c, c->tls->client_hello_again_frame, "%s: the client sent "
		    "another ClientHello%s, which no HelloRetryRequest asked "
		    "for (%u in all)", dg_fr(c, c->tls->client_hello_again_frame).s,
		    c->tls->client_hello_again_after_server_hello ? " after the "
		    "ServerHello, in clear (a renegotiation)" : "",
		    (unsigned)c->tls->client_hellos);
	if (frozen_clock(c->f)) {
		o->findings |= DIAG_F_TIMESTAMPS_DAMAGED;
		ev(c, 0, "all %u frames of this connection, both sides', carry "
		    "the same time stamp: the capture's clock is not a real one "
		    "(a generated or rewritten trace), so its times and "
		    "durations say nothing", (unsigned)c->f->tcp.frames);
	}
	if (c->f->tcp.ts_damaged)
		o->findings |= DIAG_F_TIMESTAMPS_DAMAGED;
	if (c->f->tcp.ts_jump_frame != 0)
		ev(c, c->f->tcp.ts_jump_frame, "%s: the SYN-ACK is stamped %s "
		    "after the SYN (%s): no handshake waits that long, the "
		    "capture's clock jumped, so no round trip is shown",
		    dg_fr(c, c->f->tcp.ts_jump_frame).s,
		    dg_dur(c->f->tcp.ts_jump_ns).s,
		    dg_fr(c, c->f->tcp.ts_jump_syn_frame).s);
	if (c->f->tcp.ts_damage_frame != 0)
		ev(c, c->f->tcp.ts_damage_frame, "%s: the capture's clock steps "
		    "back by %s here (the largest step back in this "
		    "connection): its times are not shown",
		    dg_fr(c, c->f->tcp.ts_damage_frame).s,
		    dg_dur(c->f->tcp.ts_damage_ns).s);
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

/*
 * The verdicts and findings whose own advice names IMAP's ports or server,
 * in their POP3 and SMTP words (rows: enum starttls_protocol; NULL keeps
 * the table's).
 */
static const char *const refused_mail[STARTTLS_PROTO_COUNT] = {
	[STARTTLS_PROTO_POP3] =
	    "The server's address answered the SYN with a RST: nothing "
	    "listens on that port (or a firewall rejects it). Check that the "
	    "POP3 server listens on this address and port (995 for POP3S, 110 "
	    "for STLS) and that no firewall rule rejects it; this is not a TLS "
	    "problem.",
	[STARTTLS_PROTO_SMTP] =
	    "The server's address answered the SYN with a RST: nothing "
	    "listens on that port (or a firewall rejects it). Check that the "
	    "SMTP server listens on this address and port (25 between servers, "
	    "587 for submission with STARTTLS, 465 with implicit TLS) and that "
	    "no firewall rule rejects it; this is not a TLS problem.",
};
static const char *const interception_mail[STARTTLS_PROTO_COUNT] = {
	[STARTTLS_PROTO_POP3] =
	    "A TLS-inspection proxy on the path re-signed the server's "
	    "certificate. Ask the network team for an inspection bypass for "
	    "ports 110 and 995 to this server, or install the corporate "
	    "inspection root in the migration host's trust store."
	    NO_DISABLE_VALIDATION,
	[STARTTLS_PROTO_SMTP] =
	    "A TLS-inspection proxy on the path re-signed the server's "
	    "certificate. Ask the network team for an inspection bypass for "
	    "ports 25, 587 and 465 to this server, or install the corporate "
	    "inspection root in the sending host's trust store."
	    NO_DISABLE_VALIDATION,
};
static const char *const intercepted_mail[STARTTLS_PROTO_COUNT] = {
	[STARTTLS_PROTO_POP3] =
	    "A TLS-inspection proxy the client trusts re-signed the chain: if "
	    "mail must not be inspected, ask the network team for a bypass of "
	    "ports 110/995 to this server.",
	[STARTTLS_PROTO_SMTP] =
	    "A TLS-inspection proxy the client trusts re-signed the chain: if "
	    "mail must not be inspected, ask the network team for a bypass of "
	    "ports 25/587/465 to this server.",
};

/*
 * A port watched as "tls" (-p 443/tls) carries no mail protocol we know:
 * the advice that names ports names the connection's own.
 */
static const char *
port_advice(char *buf, size_t len, const struct ctx *c, uint32_t what)
{
	unsigned port = c->f->conn != NULL ? c->f->conn->sport : 0;

	if (c->f->conn == NULL || service_info(c->f->conn->svc)->label != NULL)
		return NULL;
	if (what == 1u << DIAG_TCP_REFUSED)
		(void)fmt_snprintf(buf, len, "The server's address answered "
		    "the SYN with a RST: nothing listens on that port (or a "
		    "firewall rejects it). Check that the server listens on "
		    "this address and port %u and that no firewall rule "
		    "rejects it; this is not a TLS problem.", port);
	else if (what == 1u << DIAG_INTERCEPTION_UNTRUSTED)
		(void)fmt_snprintf(buf, len, "A TLS-inspection proxy on the "
		    "path re-signed the server's certificate. Ask the network "
		    "team for an inspection bypass for port %u to this "
		    "server, or install the corporate inspection root in the "
		    "client's trust store." NO_DISABLE_VALIDATION, port);
	else
		(void)fmt_snprintf(buf, len, "A TLS-inspection proxy the "
		    "client trusts re-signed the chain: if this traffic must "
		    "not be inspected, ask the network team for a bypass of "
		    "port %u to this server.", port);
	return buf;
}

/* legacy-version in the words of the server's software: the mail
 * servers', Postfix's and Exim's on SMTP ports, none on a port watched
 * as tls. */
static const char *
legacy_advice(const struct ctx *c, enum starttls_protocol p)
{
	if (c->f->conn != NULL &&
	    service_info(c->f->conn->svc)->label == NULL)
		return "TLS 1.1 or lower was chosen: upgrade TLS on the server "
		    "to 1.2 and 1.3 (RFC 8996).";
	if (p == STARTTLS_PROTO_SMTP)
		return "TLS 1.1 or lower was chosen: upgrade TLS on the SMTP "
		    "server (Postfix `smtpd_tls_protocols = >=TLSv1.2`; Exim: "
		    "no `openssl_options` or `tls_require_ciphers` that keeps "
		    "TLS 1.2 and 1.3 out).";
	return findings[2].advice; /* legacy-version's own */
}

/*
 * The shared advice speaks of the migration tool and host that IMAP and
 * POP3 moves use; on SMTP ports the client is a sending server or a mail
 * program: said so, in place.
 */
static void
smtp_words(char *advice, size_t cap)
{
	static const struct {
		const char *from, *to;
	} words[] = {
		{ "the migration tool", "the sending client" },
		{ "the migration host", "the sending host" },
		{ "migration tool", "sending client" },
		{ "migration host", "sending host" },
	};
	char out[DIAG_ADVICE_LEN];
	size_t o = 0;
	const char *p = advice;

	while (*p != '\0' && o + 1 < sizeof out) {
		size_t k;

		for (k = 0; k < TA_ELEMENTS(words); k++)
			if (strncmp(p, words[k].from,
			            strlen(words[k].from)) == 0)
				break;
		if (k < TA_ELEMENTS(words)) {
			size_t n = strlen(words[k].to);

			if (o + n + 1 > sizeof out)
				break;
			memcpy(out + o, words[k].to, n);
			o += n;
			p += strlen(words[k].from);
			continue;
		}
		out[o++] = *p++;
	}
	out[o] = '\0';
	(void)fmt_snprintf(advice, cap, "%s", out);
}

static void
write_advice(struct ctx *c)
{
	struct diag_result *o = c->out;
	enum starttls_protocol p = dg_protocol(c);
	const char *base = c->advice != NULL ? c->advice :
	    verdicts[o->verdict].advice;
	const char *own;
	char vbuf[DIAG_ADVICE_LEN / 2], fbuf[DIAG_ADVICE_LEN / 4];

	if (c->advice == NULL && (o->verdict == DIAG_TCP_REFUSED ||
	    o->verdict == DIAG_INTERCEPTION_UNTRUSTED) &&
	    (own = port_advice(vbuf, sizeof vbuf, c, 1u << o->verdict)) != NULL)
		base = own;
	else if (c->advice == NULL && o->verdict == DIAG_TCP_REFUSED &&
	    refused_mail[p] != NULL)
		base = refused_mail[p];
	else if (c->advice == NULL &&
	    o->verdict == DIAG_INTERCEPTION_UNTRUSTED &&
	    interception_mail[p] != NULL)
		base = interception_mail[p];

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
		/* incomplete-capture's own advice is how to capture. */
		if (((1u << i) & (DIAG_F_CAPTURE_ONE_SIDED |
		    DIAG_F_CAPTURE_MIDSTREAM | DIAG_F_CAPTURE_GAP)) != 0 &&
		    o->verdict == DIAG_INCOMPLETE_CAPTURE &&
		    c->advice == NULL)
			continue;
		if ((1u << i) == DIAG_F_INTERCEPTED &&
		    (own = port_advice(fbuf, sizeof fbuf, c, 0)) != NULL)
			append(o->advice, sizeof o->advice, own);
		else if ((1u << i) == DIAG_F_LEGACY_VERSION)
			append(o->advice, sizeof o->advice,
			    legacy_advice(c, p));
		else
			append(o->advice, sizeof o->advice,
			    (1u << i) == DIAG_F_INTERCEPTED &&
			    intercepted_mail[p] != NULL ? intercepted_mail[p] :
			    findings[i].advice);
	}
	/* SMTP has senders, not a migration: the same advice in their
	 * words. */
	if (p == STARTTLS_PROTO_SMTP)
		smtp_words(o->advice, sizeof o->advice);
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
	c.mail = f->starttls != NULL ||
	    (f->conn != NULL && service_info(f->conn->svc)->starttls);
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
	if (!quick) {
		dg_side_advice(&c);
		write_advice(&c);
	}
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
