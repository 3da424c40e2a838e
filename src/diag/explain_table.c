/* explain_table.c: the error phrases of TLS clients and servers and their likely verdicts, most specific entry first (RFC 8446 6.2 alerts, RFC 9051 6.2.1 STARTTLS). */
#include "diag/explain_table.h"

/*
 * Ordered from the most specific entry to the most generic: matching keeps
 * table order, so a line that names both a precise cause and a generic
 * failure ("certificate verify failed: unable to get local issuer
 * certificate") shows the precise one first.
 */
const struct explain_entry explain_entries[] = {
{
	.title = "not TLS where TLS was expected",
	.meaning = "The client expected a TLS record and read bytes that are not TLS.",
	.phrases = {
		{"ssl3_get_record:wrong version number", "OpenSSL 1.1"},
		{"wrong version number", "OpenSSL, Python, Node, curl"},
		{"packet length too long", "OpenSSL"},
		{"tls: first record does not look like a TLS handshake", "Go crypto/tls"},
		{"Unsupported or unrecognized SSL message", "Java"},
		{"The handshake failed due to an unexpected packet format", ".NET"},
	},
	.verdicts = {
		{"not-tls", "the server sent plaintext where TLS was expected: an IMAP '* OK' greeting on 993, or on 143 the client started TLS without STARTTLS"},
		{"tls-version-mismatch", "a very old server answered with an SSL 2.0/3.0 record that the client no longer reads"},
	},
	.look = {
		"the server's first bytes after the TCP handshake (tlsautopsy: not-tls with the excerpt): '* OK' is an IMAP greeting, 'HTTP/' a web proxy",
		"the port and the mode: 993 speaks TLS from the first byte, 143 needs the STARTTLS command first",
		"the record version of the server's first record: 0x0300 or an SSLv2 header means an SSL-only server",
	},
	.run = "tlsautopsy -r capture.pcap -v",
},
{
	.title = "server chose a version the client refuses",
	.meaning = "The server answered with a TLS version (0x0301 is TLS 1.0, 0x0302 TLS 1.1) that the client does not accept.",
	.phrases = {
		{"tls: server selected unsupported protocol version", "Go crypto/tls"},
		{"is not accepted by client preferences", "Java"},
	},
	.verdicts = {
		{"tls-version-mismatch", "the ServerHello chose TLS 1.0 or 1.1 while the client requires TLS 1.2 or newer: the source server's TLS is out of date"},
	},
	.look = {
		"the ServerHello's version against the client's offer (tlsautopsy: 'client offered TLS 1.2-1.3; server answered TLS 1.0')",
		"the client's fatal alert protocol_version (70) right after the ServerHello, then its FIN",
	},
	.run = "tlsautopsy -r capture.pcap -v",
},
{
	.title = "alert protocol_version received",
	.meaning = "The peer sent the fatal alert protocol_version (70): it accepts none of the TLS versions offered.",
	.phrases = {
		{"tlsv1 alert protocol version", "OpenSSL, Python, Node, curl"},
		{"Received fatal alert: protocol_version", "Java"},
		{"remote error: tls: protocol version", "Go crypto/tls"},
		{"TLS alert: 'ProtocolVersion'", ".NET"},
	},
	.verdicts = {
		{"tls-version-mismatch", "no TLS version both sides accept: most often a source server limited to TLS 1.0/1.1 and a client that requires 1.2"},
	},
	.look = {
		"who sent the alert: from the server right after the ClientHello, it refuses the client's versions; from the client after the ServerHello, the client refuses the server's choice",
		"the versions the client offered (supported_versions) and the record and legacy versions of the ClientHello",
	},
	.run = "tlsautopsy -r capture.pcap -v",
},
{
	.title = "unsupported protocol",
	.meaning = "OpenSSL found no TLS version it may use with the peer: the client refused the server's version, or (in a server's log) the client offered only versions the server refuses.",
	.phrases = {
		{"unsupported protocol", "OpenSSL, Python, Node, curl"},
		{"tls: client offered only unsupported versions", "Go crypto/tls (server)"},
	},
	.verdicts = {
		{"tls-version-mismatch", "no TLS version both sides accept; the alert protocol_version says which side refused"},
		{"closed-during-handshake", "the same refusal by a server that closes without an alert (Dovecot does): the cause is then inferred, version first"},
	},
	.look = {
		"the versions in the ClientHello and, if any, the version of the ServerHello",
		"an alert protocol_version (70), or a FIN from the server a few milliseconds after the ClientHello",
	},
	.run = "tlsautopsy -r capture.pcap -v",
},
{
	.title = "client has no version or cipher it may use",
	.meaning = "The program's own TLS settings leave no version or cipher suite it may offer, so it gave up before sending a ClientHello.",
	.phrases = {
		{"no protocols available", "OpenSSL, Python, curl"},
		{"no ciphers available", "OpenSSL, Python, curl"},
		{"no cipher match", "OpenSSL"},
		{"No appropriate protocol (protocol is disabled or cipher suites are inappropriate)", "Java"},
		{"No appropriate protocol", "Java"},
	},
	.verdicts = {
		{"closed-during-handshake", "the client closed the connection when it was its turn to send the ClientHello"},
		{"tls-version-mismatch", "the client's minimum version is above anything its settings allow (e.g. only TLS 1.0 configured on a runtime that disabled it)"},
	},
	.look = {
		"no ClientHello at all: the client's FIN right after the TCP handshake, or on 143 right after the server's OK to STARTTLS",
		"the fix is in the client's configuration (its enabled protocols and cipher suites), not on the wire",
	},
	.run = "tlsautopsy -r capture.pcap -v",
},
{
	.title = "no common algorithm (Windows)",
	.meaning = "Windows SChannel found no TLS version or cipher suite in common with the peer.",
	.phrases = {
		{"The client and server cannot communicate, because they do not possess a common algorithm", ".NET, Windows"},
		{"do not possess a common algorithm", ".NET, Windows"},
		{"SEC_E_ALGORITHM_MISMATCH", "Windows"},
	},
	.verdicts = {
		{"tls-version-mismatch", "most often the source server only speaks TLS 1.0/1.1, which Windows or .NET has disabled"},
		{"no-shared-cipher", "versions fine, but no cipher suite in common"},
		{"tcp-reset", "a Windows server that finds nothing in common often resets the connection instead of sending an alert"},
	},
	.look = {
		"the ClientHello's versions and cipher suites, and what the server did next: an alert, a close or a RST",
	},
	.run = "tlsautopsy -r capture.pcap -v",
},
{
	.title = "legacy renegotiation refused",
	.meaning = "The server does not support secure renegotiation (RFC 5746) and OpenSSL 3 refuses such servers by default.",
	.phrases = {
		{"unsafe legacy renegotiation disabled", "OpenSSL 3, Python, curl"},
	},
	.verdicts = {
		{"tls-alert", "the client sent a fatal alert handshake_failure right after a ServerHello without the renegotiation_info extension: an old source server"},
	},
	.look = {
		"the ServerHello's extensions: no renegotiation_info (0xff01), then the client's fatal alert",
	},
	.run = "tlsautopsy -r capture.pcap -v",
},
{
	.title = "weak key exchange refused",
	.meaning = "The client refused the server's key exchange: a Diffie-Hellman group or a signature algorithm below its security level.",
	.phrases = {
		{"dh key too small", "OpenSSL, Python, curl"},
		{"legacy sigalg disallowed or unsupported", "OpenSSL 3"},
		{"DH ServerKeyExchange does not comply to algorithm constraints", "Java"},
	},
	.verdicts = {
		{"tls-alert", "the client sent a fatal alert after the ServerKeyExchange: DH under 2048 bits (finding small-key) or a SHA-1/MD5 signature (finding weak-signature)"},
		{"no-shared-cipher", "once the client refuses DHE or SHA-1, a server that offers nothing better has nothing in common with it"},
	},
	.look = {
		"the cipher suite the server chose (DHE_ with a small group) and the findings small-key or weak-signature",
		"the client's fatal alert (handshake_failure or insufficient_security) right after the server's flight",
	},
	.run = "tlsautopsy -r capture.pcap -v",
},
{
	.title = "weak certificate refused",
	.meaning = "The client refused the server's certificate for a key that is too small or a signature hash that is too weak.",
	.phrases = {
		{"ee key too small", "OpenSSL"},
		{"ca key too small", "OpenSSL"},
		{"ca md too weak", "OpenSSL"},
		{"x509: cannot verify signature: insecure algorithm", "Go crypto/tls"},
		{"Certificates do not conform to algorithm constraints", "Java"},
	},
	.verdicts = {
		{"tls-alert", "the client aborted after the Certificate message; the chain carries the finding small-key or weak-signature"},
		{"cert-untrusted", "the chain does not verify for the client"},
		{"tls13-rejected", "under TLS 1.3 the certificate is encrypted: only the client's abort after the server's flight is visible"},
	},
	.look = {
		"the key size and signature algorithm of each certificate in the chain (RSA 1024, sha1WithRSAEncryption)",
	},
	.run = "tlsautopsy -r capture.pcap -v",
},
{
	.title = "no shared cipher",
	.meaning = "No cipher suite is acceptable to both sides (in a server's log: none of the client's suites is enabled on the server).",
	.phrases = {
		{"no shared cipher", "OpenSSL (server)"},
		{"tls: no cipher suite supported by both client and server", "Go crypto/tls (server)"},
		{"no cipher suites in common", "Java (server)"},
	},
	.verdicts = {
		{"no-shared-cipher", "the versions fit but no cipher suite does: e.g. a client offering only AEAD suites to a server with only CBC or RC4 ones"},
		{"closed-during-handshake", "the same refusal by a server that closes without an alert (Dovecot does)"},
		{"tls-version-mismatch", "the suites offered belong to a version the server does not speak (only TLS 1.3 suites to a TLS 1.2 server)"},
	},
	.look = {
		"the cipher suites of the ClientHello (-v lists them all) against the server's configuration",
		"a fatal alert handshake_failure (40) or insufficient_security (71) from the server right after the ClientHello, or its FIN",
	},
	.run = "tlsautopsy -r capture.pcap -v",
},
{
	.title = "alert handshake_failure received",
	.meaning = "The peer sent the fatal alert handshake_failure (40) or insufficient_security (71): it found nothing acceptable in what was offered.",
	.phrases = {
		{"sslv3 alert handshake failure", "OpenSSL, Python, Node, curl"},
		{"Received fatal alert: handshake_failure", "Java"},
		{"remote error: tls: handshake failure", "Go crypto/tls"},
		{"TLS alert: 'HandshakeFailure'", ".NET"},
		{"alert insufficient security", "OpenSSL, Python"},
		{"Received fatal alert: insufficient_security", "Java"},
		{"handshake failure", "any TLS stack"},
	},
	.verdicts = {
		{"no-shared-cipher", "right after the ClientHello: no cipher suite, group or signature algorithm in common"},
		{"tls-version-mismatch", "some servers answer an unacceptable version with handshake_failure instead of protocol_version: compare the versions first"},
		{"tls-alert", "the alert came later in the handshake, e.g. the server wanted a client certificate"},
	},
	.look = {
		"when the alert came and from whom: from the server right after the ClientHello points at versions or ciphers",
		"the ClientHello's versions, cipher suites and groups (-v) against what the server supports",
	},
	.run = "tlsautopsy -r capture.pcap -v",
},
{
	.title = "self-signed certificate in the chain",
	.meaning = "The chain the server sent ends in a self-signed root the client does not trust.",
	.phrases = {
		{"self-signed certificate in certificate chain", "OpenSSL, Python, curl"},
		{"SELF_SIGNED_CERT_IN_CHAIN", "Node"},
	},
	.verdicts = {
		{"interception-untrusted", "a TLS-inspection proxy re-signed the chain with its own root, which the client does not trust"},
		{"cert-untrusted", "the server's chain ends in a private CA the client does not trust"},
		{"tls13-rejected", "under TLS 1.3 the chain is encrypted: only the client's abort after the server's flight is visible"},
	},
	.look = {
		"the issuer of the chain (tlsautopsy lists subject and issuer of each certificate): an inspection product or the site's own CA means interception",
		"the same server seen from outside the corporate network: a different chain there confirms the proxy",
	},
	.run = "tlsautopsy -r capture.pcap --inspection-ca SITE-INSPECTION-ROOT.pem -v",
},
{
	.title = "self-signed certificate",
	.meaning = "The server's own certificate is self-signed.",
	.phrases = {
		{"self-signed certificate", "OpenSSL, Python, curl, Node"},
		{"DEPTH_ZERO_SELF_SIGNED_CERT", "Node"},
	},
	.verdicts = {
		{"cert-self-signed", "the leaf is self-signed: common on a source server nobody gave a real certificate"},
		{"interception-untrusted", "a proxy that presents a self-signed certificate of its own"},
		{"tls13-rejected", "under TLS 1.3 the certificate is encrypted: only the client's abort after the server's flight is visible"},
	},
	.look = {
		"a chain of one certificate whose subject equals its issuer",
		"the client's fatal alert (unknown_ca, bad_certificate) or its close right after the Certificate message",
	},
	.run = "tlsautopsy -r capture.pcap -v",
},
{
	.title = "issuer not found",
	.meaning = "The client could not build a chain from the server's certificate to a root it trusts.",
	.phrases = {
		{"unable to get local issuer certificate", "OpenSSL, Python, Node, curl"},
		{"UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "Node"},
		{"unable to verify the first certificate", "Node, OpenSSL"},
		{"UNABLE_TO_VERIFY_LEAF_SIGNATURE", "Node"},
		{"unable to get issuer certificate", "OpenSSL"},
		{"x509: certificate signed by unknown authority", "Go crypto/tls"},
		{"PKIX path building failed", "Java"},
		{"unable to find valid certification path to requested target", "Java"},
	},
	.verdicts = {
		{"cert-chain-incomplete", "the server sent its certificate without the intermediate CA the client needs"},
		{"interception-untrusted", "a TLS-inspection proxy re-signed the chain and the client does not trust its CA"},
		{"cert-untrusted", "the chain ends in a CA (often a private one) that the client's trust store lacks"},
		{"tls13-rejected", "under TLS 1.3 the chain is encrypted: only the client's abort after the server's flight is visible"},
	},
	.look = {
		"how many certificates the server sent and whether the leaf's issuer is among them (tlsautopsy lists subject and issuer of each)",
		"an issuer naming an inspection product or the site's own CA: the chain was re-signed on the way",
		"the client's fatal alert unknown_ca (48) or certificate_unknown (46), or its close, right after the Certificate message",
	},
	.run = "tlsautopsy -r capture.pcap --ca-bundle CLIENT-TRUST-STORE.pem -v",
},
{
	.title = "certificate expired or not yet valid",
	.meaning = "A certificate in the chain is outside its validity period at the client's time.",
	.phrases = {
		{"certificate has expired", "OpenSSL, Python, Node, curl, Go crypto/tls"},
		{"certificate is not yet valid", "OpenSSL, Python, curl"},
		{"certificate not yet valid", "any"},
		{"CERT_HAS_EXPIRED", "Node"},
		{"CERT_NOT_YET_VALID", "Node"},
		{"x509: certificate has expired or is not yet valid", "Go crypto/tls"},
		{"CertificateExpiredException", "Java"},
		{"CertificateNotYetValidException", "Java"},
		{"alert certificate expired", "OpenSSL (the peer's alert)"},
	},
	.verdicts = {
		{"cert-expired", "the leaf (a missed renewal) or an intermediate has expired, or the client's clock is wrong"},
		{"tls13-rejected", "under TLS 1.3 the chain is encrypted: only the client's abort after the server's flight is visible"},
	},
	.look = {
		"the not_before and not_after of every certificate in the chain against the capture time (tlsautopsy names the one that is out of date)",
		"the migration host's clock: compare the capture's timestamps with the real time",
		"the client's fatal alert certificate_expired (45) or bad_certificate (42) after the Certificate message",
	},
	.run = "tlsautopsy -r capture.pcap -v",
},
{
	.title = "name mismatch",
	.meaning = "The server's certificate does not cover the host name the client connected to.",
	.phrases = {
		{"Hostname mismatch", "OpenSSL, Python"},
		{"IP address mismatch", "OpenSSL, Python"},
		{"x509: certificate is valid for ... not", "Go crypto/tls"},
		{"x509: certificate is not valid for any names", "Go crypto/tls"},
		{"x509: certificate relies on legacy Common Name field", "Go crypto/tls"},
		{"No subject alternative DNS name matching", "Java"},
		{"No subject alternative names", "Java"},
		{"No name matching ... found", "Java"},
		{"RemoteCertificateNameMismatch", ".NET"},
		{"ERR_TLS_CERT_ALTNAME_INVALID", "Node"},
		{"does not match certificate's altnames", "Node"},
		{"no alternative certificate subject name matches target host name", "curl"},
	},
	.verdicts = {
		{"cert-name-mismatch", "the leaf's names (SAN) do not include the name the client used: an IP address, an internal alias or an old host name"},
		{"tls13-rejected", "under TLS 1.3 the certificate is encrypted: only the client's abort after the server's flight is visible"},
	},
	.look = {
		"the SNI of the ClientHello against the leaf's SAN list; no SNI means the client connected by address: give the name it should use with --server-name",
		"the client's fatal alert or close right after the Certificate message",
	},
	.run = "tlsautopsy -r capture.pcap --server-name NAME-THE-CLIENT-USES -v",
},
{
	.title = "alert unknown_ca received",
	.meaning = "The peer sent the fatal alert unknown_ca (48): it could not trace a certificate to a CA it trusts. In a server's log this is the client rejecting the server's chain.",
	.phrases = {
		{"tlsv1 alert unknown ca", "OpenSSL, Python, Node, curl"},
		{"Received fatal alert: unknown_ca", "Java"},
		{"remote error: tls: unknown certificate authority", "Go crypto/tls"},
	},
	.verdicts = {
		{"cert-chain-incomplete", "the server sent its certificate without the intermediate CA the client needs"},
		{"interception-untrusted", "a TLS-inspection proxy re-signed the chain and the client does not trust its CA"},
		{"cert-untrusted", "the chain ends in a CA the client does not trust"},
		{"tls-alert", "sent by the server: it rejected the client's own certificate (mutual TLS)"},
	},
	.look = {
		"who sent the alert, and whether it followed the server's Certificate message",
		"the chain the server sent: its length and each issuer",
	},
	.run = "tlsautopsy -r capture.pcap --ca-bundle CLIENT-TRUST-STORE.pem -v",
},
{
	.title = "certificate rejected by the peer",
	.meaning = "The peer rejected a certificate with the fatal alert bad_certificate (42), unsupported_certificate (43) or certificate_unknown (46).",
	.phrases = {
		{"alert bad certificate", "OpenSSL, Python, Node, curl"},
		{"Received fatal alert: bad_certificate", "Java"},
		{"remote error: tls: bad certificate", "Go crypto/tls"},
		{"alert certificate unknown", "OpenSSL, Python"},
		{"Received fatal alert: certificate_unknown", "Java"},
		{"alert unsupported certificate", "OpenSSL, Python"},
	},
	.verdicts = {
		{"cert-chain-incomplete", "a Java client sends certificate_unknown when the intermediate is missing"},
		{"cert-untrusted", "the chain ends in a CA the client does not trust"},
		{"interception-untrusted", "a TLS-inspection proxy re-signed the chain and the client does not trust its CA"},
		{"cert-name-mismatch", "the certificate does not cover the name the client used"},
		{"tls13-rejected", "under TLS 1.3 the chain is encrypted: only the client's abort after the server's flight is visible"},
	},
	.look = {
		"who sent the alert and what it followed: the server's Certificate message, or the client's own certificate",
		"the chain, its issuers and the names it covers against the SNI",
	},
	.run = "tlsautopsy -r capture.pcap -v",
},
{
	.title = "client certificate required",
	.meaning = "The server wants a client certificate and the client sent none.",
	.phrases = {
		{"alert certificate required", "OpenSSL 3, Python"},
		{"Received fatal alert: certificate_required", "Java"},
		{"remote error: tls: certificate required", "Go crypto/tls"},
	},
	.verdicts = {
		{"tls-alert", "the server ended the handshake with certificate_required (116): it is set up for mutual TLS"},
		{"tls13-rejected", "in TLS 1.3 the alert is encrypted: an alert after the client's Finished is all that shows"},
	},
	.look = {
		"a CertificateRequest in the server's flight (visible before TLS 1.3) and the server's alert after the client's flight",
	},
	.run = "tlsautopsy -r capture.pcap -v",
},
{
	.title = "unrecognized name",
	.meaning = "The server does not know the name the client sent in SNI.",
	.phrases = {
		{"tlsv1 unrecognized name", "OpenSSL, Python"},
		{"unrecognized_name", "Java, any"},
		{"remote error: tls: unrecognized name", "Go crypto/tls"},
	},
	.verdicts = {
		{"tls-alert", "the server answered the ClientHello with unrecognized_name (112): the client uses a name the server is not configured for"},
		{"cert-name-mismatch", "a server that goes on with a default certificate that does not cover that name"},
	},
	.look = {
		"the SNI in the ClientHello and the alert right after it",
	},
	.run = "tlsautopsy -r capture.pcap -v",
},
{
	.title = "peer could not parse a message",
	.meaning = "The peer could not decode or accept a handshake message (alert decode_error, illegal_parameter, bad_record_mac).",
	.phrases = {
		{"tlsv1 alert decode error", "OpenSSL, Python, Node, curl"},
		{"decode error", "Java, any"},
		{"remote error: tls: error decoding message", "Go crypto/tls"},
		{"illegal parameter", "OpenSSL, Java, Go crypto/tls"},
		{"bad record mac", "OpenSSL, Java"},
	},
	.verdicts = {
		{"tls-alert", "an old or broken TLS stack, or a middlebox that rewrote the handshake"},
		{"tls-version-mismatch", "an old server that fails to parse a TLS 1.3-style ClientHello instead of negotiating down"},
	},
	.look = {
		"the alert, its sender and the message it followed",
		"the size and extensions of the ClientHello: old servers choke on TLS 1.3 extensions, large key shares or a ClientHello split over several segments",
	},
	.run = "tlsautopsy -r capture.pcap -v",
},
{
	.title = "STARTTLS not offered",
	.meaning = "The IMAP server did not advertise STARTTLS, so the client would not upgrade to TLS.",
	.phrases = {
		{"Server does not support STARTTLS", "IMAP clients"},
		{"does not support ... STARTTLS", "IMAP clients, MailKit"},
		{"doesn't support ... STARTTLS", "IMAP clients"},
		{"STARTTLS extension not supported by server", "Python imaplib"},
		{"STARTTLS not supported", "IMAP clients"},
		{"Requested SSL level failed", "curl (64)"},
		{"curl: (64)", "curl"},
	},
	.verdicts = {
		{"starttls-not-offered", "the server's greeting and CAPABILITY answer did not list STARTTLS: TLS is not set up on port 143, or a middlebox removed it"},
		{"plaintext-session", "a client that goes on without TLS sends the password in clear"},
	},
	.look = {
		"the capability list in the greeting or the CAPABILITY response (tlsautopsy shows whether STARTTLS was there); a mangled capability in its place points at a middlebox",
		"whether the same server offers port 993 (IMAP over TLS from the first byte)",
	},
	.run = "tlsautopsy -r capture.pcap -p 143/imap -v",
},
{
	.title = "TLS handshake failed after STARTTLS",
	.meaning = "The server accepted STARTTLS but the TLS handshake that followed failed.",
	.phrases = {
		{"STARTTLS handshake failed", "IMAP clients"},
		{"Unable to negotiate TLS", "IMAP clients"},
		{"TLS negotiation failed", "IMAP clients"},
	},
	.verdicts = {
		{"tls-version-mismatch", "the most common cause on an old source server: it speaks only TLS 1.0/1.1 and the client requires 1.2"},
		{"closed-during-handshake", "the same refusal by a server that closes without an alert (Dovecot does): version, then cipher"},
		{"no-shared-cipher", "versions fine, but no cipher suite in common"},
		{"cert-untrusted", "some clients report a rejected certificate as a failed STARTTLS"},
		{"starttls-refused", "the server did not say OK to the STARTTLS command at all"},
	},
	.look = {
		"the tagged OK to STARTTLS, then the ClientHello and what the server did with it: an alert (which), a close without alert, or a RST",
		"the versions and cipher suites the client offered (-v) against what the server answered",
	},
	.run = "tlsautopsy -r capture.pcap -p 143/imap -v",
},
{
	.title = "STARTTLS refused",
	.meaning = "The STARTTLS step failed: the server answered the command with NO or BAD, or the TLS that followed failed.",
	.phrases = {
		{"STARTTLS failed", "IMAP clients"},
		{"STARTTLS denied", "curl"},
		{"STARTTLS command failed", "IMAP clients"},
	},
	.verdicts = {
		{"starttls-refused", "the server answered STARTTLS with NO or BAD: TLS not configured, or the command came after login or twice"},
		{"starttls-not-offered", "the server never advertised STARTTLS"},
		{"tls-version-mismatch", "some clients say this for the TLS handshake after the OK: then look at the versions"},
	},
	.look = {
		"the server's tagged answer to STARTTLS and its text (tlsautopsy: starttls response)",
		"whether STARTTLS was in the server's capabilities before the command",
	},
	.run = "tlsautopsy -r capture.pcap -p 143/imap -v",
},
{
	.title = "IMAP BAD response",
	.meaning = "The IMAP server rejected a command as malformed or out of place.",
	.phrases = {
		{"* BAD", "IMAP servers"},
	},
	.verdicts = {
		{"starttls-refused", "the server answered STARTTLS with BAD (sent after login, twice, or with pipelined bytes)"},
		{"not-tls", "the client sent a ClientHello to a plaintext IMAP port (TLS from the first byte on 143): the server read it as a bad command"},
	},
	.look = {
		"the command the BAD answered: STARTTLS, or binary bytes (a ClientHello) where a command was expected",
	},
	.run = "tlsautopsy -r capture.pcap -p 143/imap -v",
},
{
	.title = "handshake timed out",
	.meaning = "The TCP connection was up but the TLS handshake did not finish in time: one side went silent.",
	.phrases = {
		{"TLS handshake timeout", "Go net/http"},
		{"The handshake operation timed out", "Python"},
		{"SSL connection timeout", "curl (28)"},
		{"read tcp ... i/o timeout", "Go"},
		{"Read timed out", "Java"},
	},
	.verdicts = {
		{"handshake-timeout", "the server or a middlebox went silent after the ClientHello and the client gave up (its FIN or RST is a reaction); waiting_on names the silent side"},
		{"incomplete-capture", "the capture missed the answer: it started late, or packets were lost"},
	},
	.look = {
		"which side was silent and for how long (tlsautopsy: handshake-timeout with waiting_on)",
		"a ClientHello retransmitted and never acknowledged: a middlebox or a path MTU problem drops large ClientHellos (post-quantum key shares make them exceed 1,500 bytes)",
		"on 143: whether the server ever answered the STARTTLS command",
	},
	.run = "tlsautopsy -r capture.pcap -v",
},
{
	.title = "connection refused",
	.meaning = "The SYN was answered by a RST: nothing listens on that port, or a firewall rejects the connection.",
	.phrases = {
		{"connection refused", "Go, Python, Java, curl"},
		{"ECONNREFUSED", "Node"},
		{"actively refused it", ".NET, Windows"},
		{"[Errno 111]", "Python"},
		{"Couldn't connect to server", "curl (7)"},
	},
	.verdicts = {
		{"tcp-refused", "a RST answered the SYN: the IMAP service is down or not on that port, or a firewall rejects"},
	},
	.look = {
		"the RST that answers the SYN and its TTL against other packets from the server: a firewall in the path answers with its own TTL",
	},
	.run = "tlsautopsy -r capture.pcap -f 'host SERVER-IP'",
},
{
	.title = "connect timed out",
	.meaning = "The TCP connection was never set up: the SYN got no answer.",
	.phrases = {
		{"dial tcp ... i/o timeout", "Go"},
		{"connect timed out", "Java"},
		{"connect ETIMEDOUT", "Node"},
		{"A connection attempt failed because the connected party did not properly respond", ".NET, Windows"},
		{"[Errno 110] Connection timed out", "Python"},
	},
	.verdicts = {
		{"tcp-no-answer", "a firewall drops the SYN, the address is wrong, or the host is down"},
		{"tcp-refused", "if a RST answered the SYN: nothing listens on that port, or a firewall rejects"},
	},
	.look = {
		"the client's SYN retransmissions with no SYN/ACK; a capture taken near the server tells whether the SYN arrived",
	},
	.run = "tlsautopsy -r capture.pcap -f 'host SERVER-IP'",
},
{
	.title = "connection reset",
	.meaning = "A TCP RST ended the connection.",
	.phrases = {
		{"connection reset by peer", "Go, Python, curl"},
		{"Connection reset", "Java"},
		{"ECONNRESET", "Node"},
		{"[Errno 104]", "Python"},
		{"An existing connection was forcibly closed by the remote host", ".NET, Windows"},
		{"WSAECONNRESET", "Windows"},
	},
	.verdicts = {
		{"tcp-reset", "a RST ended the handshake: from the server (Windows servers reset when no TLS version fits) or from a firewall or IPS on the path"},
		{"handshake-timeout", "seen from a capture near the server: a middlebox RST sent only towards the client is invisible there, so the server side shows silence"},
	},
	.look = {
		"who sent the RST and its TTL (tlsautopsy: end_by client, server or middlebox; the finding middlebox-rst-suspected when the TTL differs from the server's)",
		"what the RST followed: right after the ClientHello points at the server's TLS settings or an IPS, right after the SYN/ACK at a firewall",
	},
	.run = "tlsautopsy -r capture.pcap -f 'host SERVER-IP' -v",
},
{
	.title = "peer closed during the handshake",
	.meaning = "The peer closed the connection during the handshake without a TLS alert.",
	.phrases = {
		{"unexpected eof while reading", "OpenSSL 3, Python, curl"},
		{"EOF occurred in violation of protocol", "Python"},
		{"SSL_ERROR_SYSCALL", "OpenSSL, curl"},
		{"Remote host terminated the handshake", "Java"},
		{"SSL peer shut down incorrectly", "Java"},
		{"Authentication failed because the remote party has closed the transport stream", ".NET"},
		{"Received an unexpected EOF or 0 bytes from the transport stream", ".NET"},
		{"Client network socket disconnected before secure TLS connection was established", "Node"},
		{"EOF", "Go crypto/tls"},
	},
	.verdicts = {
		{"closed-during-handshake", "the server closed (FIN, no alert) when it was its turn to answer: Dovecot rejects a ClientHello this way when no version or cipher fits, and its log says which"},
		{"tcp-reset", "some stacks report a RST the same way"},
	},
	.look = {
		"the server's FIN and how many milliseconds after the ClientHello it came",
		"what the client offered (versions and cipher suites, -v): only TLS 1.2-1.3 or only AEAD suites against an old server explains the close",
		"the server's log for the same minute: it names the reason (e.g. 'unsupported protocol', 'no shared cipher')",
	},
	.run = "tlsautopsy -r capture.pcap -v",
},
{
	.title = "certificate verification failed",
	.meaning = "The client did not accept the server's certificate; the rest of the message, if any, says why.",
	.phrases = {
		{"certificate verify failed", "OpenSSL, Python"},
		{"SSL certificate problem", "curl (60)"},
		{"curl: (60)", "curl"},
		{"tls: failed to verify certificate", "Go crypto/tls"},
		{"The remote certificate is invalid according to the validation procedure", ".NET"},
		{"RemoteCertificateChainErrors", ".NET"},
	},
	.verdicts = {
		{"cert-chain-incomplete", "the server sent its certificate without the intermediate CA the client needs"},
		{"cert-untrusted", "the chain ends in a CA the client does not trust"},
		{"interception-untrusted", "a TLS-inspection proxy re-signed the chain and the client does not trust its CA"},
		{"cert-expired", "a certificate in the chain is out of date"},
		{"tls13-rejected", "under TLS 1.3 the chain is encrypted: only the client's abort after the server's flight is visible"},
	},
	.look = {
		"the chain the server sent: how many certificates, each issuer, the validity dates and the names",
		"the client's alert or close right after the Certificate message",
	},
	.run = "tlsautopsy -r capture.pcap --ca-bundle CLIENT-TRUST-STORE.pem -v",
},
{
	.title = "TLS handshake failed",
	.meaning = "The TLS handshake failed; the message does not say why.",
	.phrases = {
		{"SSL connect error", "curl (35)"},
		{"curl: (35)", "curl"},
		{"SSL connect attempt failed", "Perl IO::Socket::SSL (imapsync)"},
		{"SSLHandshakeException", "Java"},
		{"The SSL connection could not be established", ".NET"},
		{"An error occurred while attempting to establish an SSL or TLS connection", "MailKit"},
		{"SSL handshake failed", "any"},
		{"TLS handshake failed", "any"},
		{"handshake failed", "any"},
		{"EPROTO", "Node"},
	},
	.verdicts = {
		{"tls-version-mismatch", "the most common cause with an old source server"},
		{"no-shared-cipher", "versions fine, but no cipher suite in common"},
		{"closed-during-handshake", "the server closed without an alert: Dovecot's way of refusing a version or a cipher"},
		{"not-tls", "the server did not speak TLS at all (wrong port or mode)"},
		{"cert-untrusted", "the client rejected the certificate"},
	},
	.look = {
		"the handshake timeline: how far it got, who sent the last message, and any alert",
		"the versions and cipher suites the client offered (-v) against what the server answered",
	},
	.run = "tlsautopsy -r capture.pcap -v",
},
{
	.title = "TLS failed (server's log)",
	.meaning = "A server's log line: the TLS handshake with a client failed; the rest of the line, if any, says why.",
	.phrases = {
		{"TLS handshaking", "Dovecot"},
		{"SSL_accept() failed", "Dovecot, OpenSSL servers"},
	},
	.verdicts = {
		{"closed-during-handshake", "the server closed without an alert, so the client saw only an EOF"},
		{"tls-version-mismatch", "the client offered only versions the server refuses"},
		{"no-shared-cipher", "no cipher suite in common"},
		{"tcp-reset", "the client or a middlebox reset the connection"},
	},
	.look = {
		"the client's ClientHello (versions, cipher suites) and the server's FIN right after it",
	},
	.run = "tlsautopsy -r capture.pcap -v",
},
{
	.title = "receive failure",
	.meaning = "The connection broke while the client was reading.",
	.phrases = {
		{"curl: (56)", "curl"},
		{"Recv failure", "curl"},
		{"Failure when receiving data from the peer", "curl"},
	},
	.verdicts = {
		{"tcp-reset", "a RST ended the connection"},
		{"closed-during-handshake", "the server closed without an alert"},
	},
	.look = {
		"the last packets: a RST (and who sent it) or a FIN from the server",
	},
	.run = "tlsautopsy -r capture.pcap -f 'host SERVER-IP' -v",
},
{
	.title = "timed out",
	.meaning = "Something timed out: the TCP connect or the handshake.",
	.phrases = {
		{"i/o timeout", "Go"},
		{"ETIMEDOUT", "Node"},
		{"Connection timed out", "any"},
		{"Operation timed out", "any"},
		{"timed out", "any"},
		{"curl: (28)", "curl"},
	},
	.verdicts = {
		{"handshake-timeout", "the connection was up and one side went silent during the handshake"},
		{"tcp-no-answer", "the SYN got no answer: a firewall drops it, or the host is down"},
	},
	.look = {
		"whether the SYN was answered, then which side was silent (waiting_on)",
	},
	.run = "tlsautopsy -r capture.pcap -f 'host SERVER-IP' -v",
},
};

#define NENTRIES (sizeof explain_entries / sizeof explain_entries[0])

const size_t explain_nentries = NENTRIES;

_Static_assert(NENTRIES <= EXPLAIN_ENTRIES_MAX,
               "raise EXPLAIN_ENTRIES_MAX in explain_table.h");
