/* explain_table_tls.c: the handshake family of --explain: versions, cipher suites and the alerts that end a handshake (RFC 8446 6.2), seen from the client unless an entry says otherwise. */
#include "diag/explain_table.h"

const struct explain_entry explain_e_not_tls = {
	.title = "not TLS where TLS was expected",
	.meaning = "The client expected a TLS record and read bytes that are not TLS.",
	.phrases = {
		{"ssl3_get_record:wrong version number", "OpenSSL 1.1"},
		{"wrong version number", "OpenSSL, Python, Node, curl"},
		{"packet length too long", "OpenSSL"},
		{"SSL23_GET_SERVER_HELLO:unknown protocol", "OpenSSL 1.0"},
		{"tls: first record does not look like a TLS handshake", "Go crypto/tls"},
		{"Unsupported or unrecognized SSL message", "Java"},
		{"The handshake failed due to an unexpected packet format", ".NET"},
		{"SSL_ERROR_RX_RECORD_TOO_LONG", "NSS (Thunderbird)"},
		{"SSL received a record that exceeded the maximum permissible length", "NSS (Thunderbird)"},
	},
	.verdicts = {
		{"not-tls", "the server sent plaintext where TLS was expected: an IMAP '* OK' or SMTP '220' greeting on a port set to SSL/TLS, or on 143, 110, 25 or 587 the client started TLS without STARTTLS"},
		{"tls-version-mismatch", "a very old server answered with an SSL 2.0/3.0 record that the client no longer reads"},
	},
	.look = {
		"the server's first bytes after the TCP handshake (tlsautopsy: not-tls with the excerpt): '* OK' is an IMAP greeting, '+OK' POP3, '220' SMTP, 'HTTP/' a web proxy",
		"the port and the mode: 993, 995 and 465 speak TLS from the first byte, 143, 110, 25 and 587 need STARTTLS (STLS) first",
		"the record version of the server's first record: 0x0300 or an SSLv2 header means an SSL-only server",
	},
	.check = {
		"openssl s_client -connect imap.example.com:993 -servername imap.example.com -brief </dev/null",
		"'wrong version number' here too means the port answers in plaintext: it is a STARTTLS port (try -starttls imap -connect imap.example.com:143); 'Protocol version:' means the port speaks TLS and the client's port or mode is wrong",
	},
	.run = "tlsautopsy -r capture.pcap -v",
};

const struct explain_entry explain_e_version_refused = {
	.title = "server chose a version the client refuses",
	.meaning = "The server answered with a TLS version (0x0301 is TLS 1.0, 0x0302 TLS 1.1) that the client does not accept.",
	.phrases = {
		{"tls: server selected unsupported protocol version", "Go crypto/tls"},
		{"is not accepted by client preferences", "Java"},
		{"SSL_ERROR_UNSUPPORTED_VERSION", "NSS (Thunderbird)"},
		{"Peer using unsupported version of security protocol", "NSS (Thunderbird)"},
	},
	.verdicts = {
		{"tls-version-mismatch", "the ServerHello chose TLS 1.0 or 1.1 while the client requires TLS 1.2 or newer: the source server's TLS is out of date"},
	},
	.look = {
		"the ServerHello's version against the client's offer (tlsautopsy: 'client offered TLS 1.2-1.3; server answered TLS 1.0')",
		"the client's fatal alert protocol_version (70) right after the ServerHello, then its FIN",
	},
	.check = {
		"openssl s_client -connect imap.example.com:993 -servername imap.example.com -tls1_2 </dev/null",
		"'New, TLSv1.2' means the server speaks TLS 1.2 and the version is not the cause; an alert or 'Cipher is (NONE)' means it does not, and current clients refuse it",
	},
	.run = "tlsautopsy -r capture.pcap -v",
};

const struct explain_entry explain_e_alert_protocol_version = {
	.title = "alert protocol_version received",
	.meaning = "The peer sent the fatal alert protocol_version (70): it accepts none of the TLS versions offered.",
	.phrases = {
		{"tlsv1 alert protocol version", "OpenSSL, Python, Node, curl"},
		{"Received fatal alert: protocol_version", "Java"},
		{"remote error: tls: protocol version", "Go crypto/tls"},
		{"TLS alert: 'ProtocolVersion'", ".NET"},
		{"SSL_ERROR_PROTOCOL_VERSION_ALERT", "NSS (Thunderbird)"},
		{"Peer reports incompatible or unsupported protocol version", "NSS (Thunderbird)"},
		{"TLS protocol defined fatal ... code is 70", "Windows SChannel (events 36887, 36888)"},
	},
	.verdicts = {
		{"tls-version-mismatch", "no TLS version both sides accept: most often a source server limited to TLS 1.0/1.1 and a client that requires 1.2"},
	},
	.look = {
		"who sent the alert: from the server right after the ClientHello, it refuses the client's versions; from the client after the ServerHello, the client refuses the server's choice",
		"the versions the client offered (supported_versions) and the record and legacy versions of the ClientHello",
	},
	.check = {
		"openssl s_client -connect imap.example.com:993 -servername imap.example.com -tls1_2 </dev/null",
		"'New, TLSv1.2' means the server speaks TLS 1.2, so the refused side is an older client; 'alert protocol version' here too means the server is limited to older versions",
	},
	.run = "tlsautopsy -r capture.pcap -v",
};

const struct explain_entry explain_e_unsupported_protocol = {
	.title = "unsupported protocol",
	.meaning = "No TLS version both sides may use: the client refused the server's version, or (in a server's log) the client offered only versions the server refuses.",
	.phrases = {
		{"unsupported protocol", "OpenSSL, Python, Node, curl; Dovecot, Postfix, Exim"},
		{"version too low", "OpenSSL"},
		{"tls: client offered only unsupported versions", "Go crypto/tls (server)"},
		{"A packet with illegal or unsupported version was received", "GnuTLS (Exim, curl)"},
	},
	.verdicts = {
		{"tls-version-mismatch", "no TLS version both sides accept; the alert protocol_version says which side refused"},
		{"closed-during-handshake", "the same refusal by a server that closes without an alert (Dovecot does): the cause is then inferred, version first"},
	},
	.look = {
		"the versions in the ClientHello and, if any, the version of the ServerHello",
		"an alert protocol_version (70), or a FIN from the server a few milliseconds after the ClientHello",
	},
	.check = {
		"openssl s_client -connect imap.example.com:993 -servername imap.example.com -tls1_2 </dev/null",
		"'New, TLSv1.2' means the server speaks TLS 1.2: in a server's log the refused client is then an old one (TLS 1.0/1.1), and its ClientHello in a capture shows it; a failure means the server is the old side",
	},
	.run = "tlsautopsy -r capture.pcap -v",
};

const struct explain_entry explain_e_client_no_config = {
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
		"no ClientHello at all: the client's FIN right after the TCP handshake, or on a STARTTLS port right after the server's OK to STARTTLS",
		"the fix is in the client's configuration (its enabled protocols and cipher suites), not on the wire",
	},
	.check = {
		"openssl s_client -connect imap.example.com:993 -servername imap.example.com -brief </dev/null",
		"'Protocol version' and 'Ciphersuite' name what the server agrees to: the failing client's own settings (Java's jdk.tls.disabledAlgorithms, OpenSSL's MinProtocol and CipherString) must allow them",
	},
	.run = "tlsautopsy -r capture.pcap -v",
};

const struct explain_entry explain_e_no_common_algorithm = {
	.title = "no common algorithm (Windows)",
	.meaning = "Windows SChannel found no TLS version or cipher suite in common with the peer.",
	.phrases = {
		{"The client and server cannot communicate, because they do not possess a common algorithm", ".NET, Windows"},
		{"do not possess a common algorithm", ".NET, Windows"},
		{"SEC_E_ALGORITHM_MISMATCH", "Windows SChannel"},
		{"0x80090331", "Windows SChannel (SEC_E_ALGORITHM_MISMATCH)"},
	},
	.verdicts = {
		{"tls-version-mismatch", "most often the source server only speaks TLS 1.0/1.1, which Windows or .NET has disabled"},
		{"no-shared-cipher", "versions fine, but no cipher suite in common"},
		{"tcp-reset", "a Windows server that finds nothing in common often resets the connection instead of sending an alert"},
	},
	.look = {
		"the ClientHello's versions and cipher suites, and what the server did next: an alert, a close or a RST",
	},
	.check = {
		"openssl s_client -connect imap.example.com:993 -servername imap.example.com -tls1_2 </dev/null",
		"'New, TLSv1.2' and a cipher mean the server speaks TLS 1.2: compare that cipher with the suites Windows enables; a failure means the server is limited to TLS 1.0/1.1, which current Windows disables",
	},
	.run = "tlsautopsy -r capture.pcap -v",
};

const struct explain_entry explain_e_no_cypher_overlap = {
	.title = "no common cipher (Thunderbird)",
	.meaning = "NSS, the TLS library of Thunderbird, found no cipher suite, group or version it shares with the server.",
	.phrases = {
		{"SSL_ERROR_NO_CYPHER_OVERLAP", "NSS (Thunderbird)"},
		{"no common encryption algorithm(s)", "NSS (Thunderbird)"},
	},
	.verdicts = {
		{"no-shared-cipher", "the server offers only suites Thunderbird no longer enables (RC4, 3DES, CBC without forward secrecy, DHE)"},
		{"tls-version-mismatch", "a server limited to TLS 1.0/1.1 has no suite that a TLS 1.2-only client may use"},
	},
	.look = {
		"the cipher suites and groups of the ClientHello (-v) against the server's choice or its alert",
		"what the server did right after the ClientHello: a handshake_failure alert (40), a close, or a ServerHello the client then refused",
	},
	.check = {
		"openssl s_client -connect imap.example.com:993 -servername imap.example.com -tls1_2 -cipher 'ECDHE+AESGCM:ECDHE+CHACHA20' </dev/null",
		"offers only the suites current clients prefer: a handshake failure here means the server accepts none of them; 'New, TLSv1.2, Cipher is ECDHE-...' rules the cipher out",
	},
	.run = "tlsautopsy -r capture.pcap -v",
};

const struct explain_entry explain_e_legacy_reneg = {
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
	.check = {
		"openssl s_client -connect imap.example.com:993 -servername imap.example.com -tls1_2 -legacy_server_connect </dev/null",
		"'Secure Renegotiation IS NOT supported' confirms the old server (-tls1_2 matters: TLS 1.3 has no renegotiation and always prints that line); the fix is an update of the server",
	},
	.run = "tlsautopsy -r capture.pcap -v",
};

const struct explain_entry explain_e_weak_kex = {
	.title = "weak key exchange refused",
	.meaning = "The client refused the server's key exchange: a Diffie-Hellman group or a signature algorithm below its security level.",
	.phrases = {
		{"dh key too small", "OpenSSL, Python, curl"},
		{"legacy sigalg disallowed or unsupported", "OpenSSL 3"},
		{"DH ServerKeyExchange does not comply to algorithm constraints", "Java"},
		{"SSL_ERROR_WEAK_SERVER_EPHEMERAL_DH_KEY", "NSS (Thunderbird)"},
	},
	.verdicts = {
		{"tls-alert", "the client sent a fatal alert after the ServerKeyExchange: DH under 2048 bits (finding small-key) or a SHA-1/MD5 signature (finding weak-signature)"},
		{"no-shared-cipher", "once the client refuses DHE or SHA-1, a server that offers nothing better has nothing in common with it"},
	},
	.look = {
		"the cipher suite the server chose (DHE_ with a small group) and the findings small-key or weak-signature",
		"the client's fatal alert (handshake_failure or insufficient_security) right after the server's flight",
	},
	.check = {
		"openssl s_client -connect imap.example.com:993 -servername imap.example.com -tls1_2 -cipher 'DHE:@SECLEVEL=0' </dev/null",
		"'Server Temp Key: DH, 1024 bits' or 'Peer signing digest: SHA1' names what the client refused (2048-bit DH and SHA-256 pass); a handshake failure means the server has no DHE suite",
	},
	.run = "tlsautopsy -r capture.pcap -v",
};

const struct explain_entry explain_e_alert_handshake_failure = {
	.title = "alert handshake_failure received",
	.meaning = "The peer sent the fatal alert handshake_failure (40) or insufficient_security (71): it found nothing acceptable in what was offered.",
	.phrases = {
		{"sslv3 alert handshake failure", "OpenSSL, Python, Node, curl"},
		{"Received fatal alert: handshake_failure", "Java"},
		{"remote error: tls: handshake failure", "Go crypto/tls"},
		{"TLS alert: 'HandshakeFailure'", ".NET"},
		{"SSL_ERROR_HANDSHAKE_FAILURE_ALERT", "NSS (Thunderbird)"},
		{"SSL peer was unable to negotiate an acceptable set of security parameters", "NSS (Thunderbird)"},
		{"TLS protocol defined fatal ... code is 40", "Windows SChannel (events 36887, 36888)"},
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
	.check = {
		"openssl s_client -connect imap.example.com:993 -servername imap.example.com -brief </dev/null",
		"the version and suite the server picks for a current client: compare them with the failing client's offer; 'alert handshake failure' here too means the server refuses current clients as well",
	},
	.run = "tlsautopsy -r capture.pcap -v",
};

const struct explain_entry explain_e_unrecognized_name = {
	.title = "unrecognized name",
	.meaning = "The server does not know the name the client sent in SNI.",
	.phrases = {
		{"tlsv1 unrecognized name", "OpenSSL, Python"},
		{"unrecognized_name", "Java, any"},
		{"remote error: tls: unrecognized name", "Go crypto/tls"},
		{"SSL_ERROR_UNRECOGNIZED_NAME_ALERT", "NSS (Thunderbird)"},
	},
	.verdicts = {
		{"tls-alert", "the server answered the ClientHello with unrecognized_name (112): the client uses a name the server is not configured for"},
		{"cert-name-mismatch", "a server that goes on with a default certificate that does not cover that name"},
	},
	.look = {
		"the SNI in the ClientHello and the alert right after it",
	},
	.check = {
		"openssl s_client -connect imap.example.com:993 -servername imap.example.com -brief </dev/null",
		"with the exact name the client uses after -servername: the same alert confirms the server has no certificate for it; a handshake here means the client sends another name, or none",
	},
	.run = "tlsautopsy -r capture.pcap -v",
};

const struct explain_entry explain_e_decode_error = {
	.title = "peer could not parse a message",
	.meaning = "The peer could not decode or accept a handshake message (alert decode_error, illegal_parameter, bad_record_mac).",
	.phrases = {
		{"tlsv1 alert decode error", "OpenSSL, Python, Node, curl"},
		{"decode error", "Java, any"},
		{"remote error: tls: error decoding message", "Go crypto/tls"},
		{"illegal parameter", "OpenSSL, Java, Go crypto/tls"},
		{"bad record mac", "OpenSSL, Java"},
		{"SSL_ERROR_DECODE_ERROR_ALERT", "NSS (Thunderbird)"},
		{"SSL_ERROR_ILLEGAL_PARAMETER_ALERT", "NSS (Thunderbird)"},
	},
	.verdicts = {
		{"tls-alert", "an old or broken TLS stack, or a middlebox that rewrote the handshake"},
		{"tls-version-mismatch", "an old server that fails to parse a TLS 1.3-style ClientHello instead of negotiating down"},
	},
	.look = {
		"the alert, its sender and the message it followed",
		"the size and extensions of the ClientHello: old servers choke on TLS 1.3 extensions, large key shares or a ClientHello split over several segments",
	},
	.check = {
		"openssl s_client -connect imap.example.com:993 -servername imap.example.com -tls1_2 </dev/null",
		"a TLS 1.2-only ClientHello: a handshake here while the default one (which offers TLS 1.3) fails means the server or a middlebox chokes on TLS 1.3 extensions",
	},
	.run = "tlsautopsy -r capture.pcap -v",
};

const struct explain_entry explain_e_bad_message = {
	.title = "handshake message rejected (Windows)",
	.meaning = "Windows SChannel could not use what the peer sent: most often a fatal alert from the peer, or bytes that are not TLS at all.",
	.phrases = {
		{"SEC_E_ILLEGAL_MESSAGE", "Windows SChannel"},
		{"0x80090326", "Windows SChannel (SEC_E_ILLEGAL_MESSAGE)"},
		{"The message received was unexpected or badly formatted", ".NET, Windows"},
		{"SEC_E_INVALID_TOKEN", "Windows SChannel"},
		{"0x80090308", "Windows SChannel (SEC_E_INVALID_TOKEN)"},
		{"The token supplied to the function is invalid", ".NET, Windows"},
	},
	.verdicts = {
		{"tls-alert", "the peer ended the handshake with a fatal alert; Windows logs its code in the System event log (Schannel event 36887)"},
		{"no-shared-cipher", "the alert was handshake_failure (40): no cipher suite in common"},
		{"tls-version-mismatch", "the alert was protocol_version (70), or the server answered in a version Windows disabled"},
		{"not-tls", "the server answered in plaintext: the port or the encryption setting is wrong"},
	},
	.look = {
		"the server's answer to the ClientHello: an alert (which one), a ServerHello, or plaintext",
	},
	.check = {
		"openssl s_client -connect imap.example.com:993 -servername imap.example.com -brief </dev/null",
		"the server's answer to a current client: an alert here ('alert handshake failure', 'alert protocol version') is what Windows reported as a bad message; 'wrong version number' means the port speaks plaintext",
	},
	.run = "tlsautopsy -r capture.pcap -v",
};

const struct explain_entry explain_e_fatal_alert = {
	.title = "fatal alert, not named",
	.meaning = "A fatal alert ended the handshake. Windows gives its number at the end of the event (40 handshake_failure, 42 bad_certificate, 46 certificate_unknown, 48 unknown_ca, 70 protocol_version, 80 internal_error); 'received' means the peer sent it, 'generated' that this machine did.",
	.phrases = {
		{"A fatal alert was received from the remote endpoint", "Windows SChannel (event 36887)"},
		{"A fatal alert was generated and sent to the remote endpoint", "Windows SChannel (event 36888)"},
		{"A TLS fatal alert has been received", "GnuTLS (Exim, curl)"},
	},
	.verdicts = {
		{"tls-alert", "the alert is the verdict's evidence; its number and sender say whether versions, ciphers or the certificate were refused"},
		{"no-shared-cipher", "alert 40 right after the ClientHello: no cipher suite in common"},
		{"tls-version-mismatch", "alert 70: no TLS version in common"},
		{"cert-untrusted", "alert 42, 46 or 48 after the server's Certificate: the client refused the chain"},
	},
	.look = {
		"the alert in the capture, its sender and what it followed (tlsautopsy names the alert and the frame)",
	},
	.check = {
		"openssl s_client -connect imap.example.com:993 -servername imap.example.com -brief </dev/null",
		"a handshake here shows what the server accepts from a current client; an alert here is named ('alert handshake failure', 'alert protocol version') where Windows gave only its number",
	},
	.run = "tlsautopsy -r capture.pcap -v",
};

const struct explain_entry explain_e_tls_failed = {
	.title = "TLS handshake failed",
	.meaning = "The TLS handshake failed; the message does not say why.",
	.phrases = {
		{"SSL connect error", "curl (35)"},
		{"curl: (35)", "curl"},
		{"SSL connect attempt failed", "Perl IO::Socket::SSL (imapsync)"},
		{"SSLHandshakeException", "Java"},
		{"The SSL connection could not be established", ".NET"},
		{"A call to SSPI failed", ".NET"},
		{"Could not create SSL/TLS secure channel", ".NET Framework"},
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
	.check = {
		"openssl s_client -connect imap.example.com:993 -servername imap.example.com -brief </dev/null",
		"what a current client gets: a handshake names version, suite and 'Verification'; an error names the step that failed ('wrong version number', 'alert protocol version', 'alert handshake failure', 'certificate verify failed')",
	},
	.run = "tlsautopsy -r capture.pcap -v",
};
