/* explain_table_mail.c: the mail family of --explain: STARTTLS (RFC 3207, RFC 2595, RFC 9051 6.2.1), Outlook's codes, and the logs of Dovecot, Postfix, Exim and Cyrus, which state the server's view. */
#include "diag/explain_table.h"

/* The STARTTLS upgrade on IMAP; the printer says how to change protocol
 * and port. */
#define CHECK_STARTTLS \
	"openssl s_client -starttls imap -connect imap.example.com:143 -servername imap.example.com </dev/null"

/* --- The server's log: what the server saw of a client. --- */

const struct explain_entry explain_e_srv_not_tls = {
	.title = "client spoke plaintext on a TLS port (server's log)",
	.meaning = "The server expected a ClientHello on a TLS-first port and read something else: a client set to STARTTLS or to no encryption (its 'EHLO', 'a1 LOGIN' or an HTTP request) on 993, 995 or 465. In the log of Postfix's smtp client (delivering mail) it is the other server that did.",
	.phrases = {
		{"SSL_accept() failed: ... wrong version number", "Dovecot"},
		{"TLS library problem: ... wrong version number", "Postfix"},
		{"(SSL_accept): ... wrong version number", "Exim"},
		{"SSL23_GET_CLIENT_HELLO:unknown protocol", "OpenSSL 1.0 servers"},
		{"SSL routines ... http request", "OpenSSL servers"},
	},
	.verdicts = {
		{"not-tls", "the client's first bytes on this TLS port are plaintext: its account is set to STARTTLS or to no encryption while the port expects TLS at once"},
		{"tls-version-mismatch", "a very old client whose SSL 2.0-style hello this server no longer reads"},
	},
	.look = {
		"the client's first bytes after the TCP handshake (tlsautopsy: not-tls with the excerpt): 'EHLO', 'a1 LOGIN', 'USER' or 'GET /' instead of a ClientHello",
		"the port the client used against its mode: 993, 995 and 465 want TLS at once, 143, 110, 25 and 587 want STARTTLS",
	},
	.check = {
		"openssl s_client -connect imap.example.com:993 -servername imap.example.com -brief </dev/null",
		"a handshake (Protocol version: ...) means this port speaks TLS from the first byte as it should: the client's account must say SSL/TLS, not STARTTLS, for this port",
	},
	.run = "tlsautopsy -r capture.pcap -f 'host CLIENT-IP' -v",
};

const struct explain_entry explain_e_srv_no_shared_cipher = {
	.title = "no shared cipher (server's log)",
	.meaning = "The server found none of the cipher suites the client offered among its own: it refused the ClientHello. (OpenSSL also says this when no certificate and key fit the suites offered, e.g. only an ECDSA certificate for a client offering only RSA suites.)",
	.phrases = {
		{"no shared cipher", "OpenSSL servers: Dovecot, Postfix, Exim, Cyrus"},
		{"tls: no cipher suite supported by both client and server", "Go crypto/tls (server)"},
		{"no cipher suites in common", "Java (server)"},
		{"No supported cipher suites have been found", "GnuTLS (Exim)"},
		{"Could not negotiate a supported cipher suite", "GnuTLS servers"},
		{"none of the cipher suites supported by the client application are supported by the server", "Windows SChannel (event 36874: Exchange)"},
	},
	.verdicts = {
		{"no-shared-cipher", "the client's offer and this server's cipher list do not overlap: an old client (RC4, 3DES, CBC with SHA-1 only) against a hardened list, or a modern client against a server with only old suites"},
		{"closed-during-handshake", "Dovecot closes without an alert after this: the capture then shows the server's FIN right after the ClientHello, and the cause is inferred"},
		{"tls-version-mismatch", "the suites offered belong to a version this server does not speak (only TLS 1.3 suites to a TLS 1.2 server)"},
	},
	.look = {
		"the client's ClientHello: its cipher suites (-v lists them) against this server's list (Dovecot ssl_cipher_list, Postfix tls_*_cipherlist, Exim tls_require_ciphers)",
		"what this server sent back: an alert handshake_failure (40) (Postfix, Exim) or only a FIN (Dovecot)",
	},
	.check = {
		"openssl s_client -connect imap.example.com:993 -servername imap.example.com -tls1_2 -cipher 'AES128-SHA:AES256-SHA' </dev/null",
		"plays an old client (CBC with SHA-1, no forward secrecy): 'alert handshake failure' here and the same log line mean this server refuses such clients; the failing client's own offer is in its ClientHello (-v)",
	},
	.run = "tlsautopsy -r capture.pcap -f 'host CLIENT-IP' -v",
};

const struct explain_entry explain_e_srv_client_left = {
	.title = "client hung up during the handshake (server's log)",
	.meaning = "The server's TLS library read an end of file or a reset where the client's next handshake message should be: the client, or something on the path, dropped the connection in the middle of the handshake without a TLS alert.",
	.phrases = {
		{"SSL_accept() syscall failed", "Dovecot"},
		{"TLS handshaking: Connection closed", "Dovecot"},
		{"TLS handshaking: Disconnected", "Dovecot"},
		{"TLS client disconnected cleanly", "Exim"},
	},
	.verdicts = {
		{"closed-during-handshake", "the client sent a FIN without an alert (Dovecot: 'syscall failed: Success' or 'EOF'): a scanner or certificate grabber, or a client giving up on what it read"},
		{"tls13-rejected", "under TLS 1.3 the certificate is encrypted: a client that rejects it and hangs up shows only that"},
		{"tcp-reset", "'Connection reset by peer' after it: a RST from the client, or from a firewall or IPS on the path"},
	},
	.look = {
		"the client's last packets: its FIN or RST and which of this server's messages it followed (ServerHello, Certificate, the encrypted flight)",
		"the TTL of a RST against the client's other packets: a middlebox that resets answers with its own (tlsautopsy: middlebox-rst-suspected)",
	},
	.check = {
		"openssl s_client -connect imap.example.com:993 -servername imap.example.com -showcerts -verify_return_error </dev/null",
		"'Verify return code: 0 (ok)' means a strict client accepts this chain, which points at scanners, the client's own store or the path; an error names what careful clients refuse",
	},
	.run = "tlsautopsy -r capture.pcap -f 'host CLIENT-IP' -v",
};

const struct explain_entry explain_e_srv_timeout = {
	.title = "handshake timed out (server's log)",
	.meaning = "The server waited for the client's next handshake message until its timer ran out: the client went silent, or this server's flight never reached it.",
	.phrases = {
		{"(SSL_accept): timed out", "Exim"},
		{"SSL_accept error from ... Connection timed out", "Postfix"},
	},
	.verdicts = {
		{"handshake-timeout", "the handshake stalled after this server's flight: large packets (the certificate chain) lost on the path, a path MTU problem or a filter; waiting_on names the silent side"},
		{"incomplete-capture", "a capture taken at one end may miss what the other end saw: capture at the client too"},
	},
	.look = {
		"this server's flight (ServerHello, Certificate) retransmitted and never acknowledged: the path drops large packets",
		"the client's last packet and how long the server waited after it",
	},
	.check = {
		"openssl s_client -connect imap.example.com:993 -servername imap.example.com </dev/null",
		"from the client's network if possible: 'CONNECTED' and then nothing means this server's flight does not come through that path (MTU, a filter); a certificate chain means the path works from here",
	},
	.run = "tlsautopsy -r capture.pcap -f 'host CLIENT-IP' -v",
};

const struct explain_entry explain_e_srv_no_cert = {
	.title = "server cannot load its certificate or key (server's log)",
	.meaning = "The mail server could not load its certificate, key or CA file (missing file, wrong permissions, a key that does not match the certificate), so it cannot do TLS at all.",
	.phrases = {
		{"TLS server engine: cannot load cert/key data", "Cyrus"},
		{"error initializing TLS", "Cyrus"},
		{"cannot get RSA certificate from file", "Postfix"},
		{"disabling TLS support", "Postfix"},
		{"TLS not available due to local problem", "Postfix (454, also shown by clients)"},
		{"cert/key setup", "Exim"},
	},
	.verdicts = {
		{"starttls-not-offered", "Postfix stops announcing STARTTLS once it disabled TLS: clients that require it give up, others go on in clear"},
		{"starttls-refused", "the server still announces STARTTLS and refuses it: Postfix '454 4.7.0 TLS not available due to local problem', Cyrus 'NO Error initializing TLS'"},
		{"closed-during-handshake", "on a TLS-first port (993, 995, 465) the server closes after the ClientHello without a ServerHello"},
		{"plaintext-session", "a client that goes on without TLS sends its password in clear"},
	},
	.look = {
		"this server's EHLO or CAPABILITY answer: STARTTLS missing, or present and then refused (454, NO)",
		"on a TLS-first port, this server's FIN right after the ClientHello and no ServerHello",
	},
	.check = {
		CHECK_STARTTLS,
		"'Didn't find STARTTLS in server response', or 'wrong version number' right after it (the refusal), confirms it from outside; once the files are fixed and the server reloaded, its chain appears here",
	},
	.run = "tlsautopsy -r capture.pcap -v",
};

const struct explain_entry explain_e_srv_plaintext_auth = {
	.title = "login in clear refused (server's log)",
	.meaning = "The client tried to log in, or to send mail, without TLS on a port where this server requires it: it never sent STARTTLS.",
	.phrases = {
		{"Plaintext authentication disallowed on non-secure (SSL/TLS) connections", "Dovecot (to the client)"},
		{"tried to use disallowed plaintext auth", "Dovecot"},
		{"Plaintext authentication not allowed without SSL/TLS", "Dovecot (IMAP alert)"},
		{"Must issue a STARTTLS command first", "Postfix (530), SMTP servers"},
	},
	.verdicts = {
		{"plaintext-session", "the client sent LOGIN, AUTH, USER or MAIL on 143, 110, 25 or 587 without STARTTLS: its account is set to no encryption"},
		{"starttls-not-offered", "the client never saw STARTTLS in this server's capabilities: a middlebox removed it on the way"},
	},
	.look = {
		"the client's LOGIN, AUTHENTICATE, USER or AUTH before any STARTTLS (tlsautopsy: plaintext-session; the password itself is never printed)",
		"whether STARTTLS was in the capabilities the client received: a capture at the client's side shows what reached it",
	},
	.check = {
		CHECK_STARTTLS,
		"a certificate chain after STARTTLS proves this server offers TLS on 143: the client must be set to STARTTLS (or to SSL/TLS on 993); 'Didn't find STARTTLS' from the client's network only points at a middlebox",
	},
	.run = "tlsautopsy -r capture.pcap -f 'host CLIENT-IP' -v",
};

const struct explain_entry explain_e_srv_cyrus_tls = {
	.title = "TLS negotiation failed (Cyrus's log)",
	.meaning = "Cyrus imapd started TLS with a client (after STARTTLS, or at once on 993) and the handshake failed; Cyrus does not say why. Some client scripts print the same words: read them from the client's side then.",
	.phrases = {
		{"STARTTLS negotiation failed", "Cyrus imapd; some clients"},
		{"imaps TLS negotiation failed", "Cyrus imapd"},
	},
	.verdicts = {
		{"tls-version-mismatch", "the client offered only versions this server refuses, or the reverse"},
		{"no-shared-cipher", "no cipher suite in common"},
		{"closed-during-handshake", "the client hung up in the handshake: it rejected the certificate, or it is a scanner"},
		{"tls13-rejected", "under TLS 1.3 a client that rejects the encrypted certificate only hangs up"},
	},
	.look = {
		"the client's ClientHello (versions, cipher suites) and what ended the handshake: an alert (which), a FIN or a RST, and from whom",
	},
	.check = {
		"openssl s_client -starttls imap -connect imap.example.com:143 -servername imap.example.com -brief </dev/null",
		"what a current client gets after STARTTLS (version, suite, 'Verification'); if it works, the failing client is older or stricter, and its ClientHello says which",
	},
	.run = "tlsautopsy -r capture.pcap -f 'host CLIENT-IP' -v",
};

const struct explain_entry explain_e_out_cannot_start_tls = {
	.title = "delivery: TLS with the next server failed (Postfix)",
	.meaning = "Postfix's smtp client, delivering mail, could not complete the TLS handshake with the receiving server; the mail is deferred (dsn 4.7.5). The 'SSL_connect error to' and 'TLS library problem' lines before it, if any, say why.",
	.phrases = {
		{"Cannot start TLS: handshake failure", "Postfix (delivering)"},
	},
	.verdicts = {
		{"tls-version-mismatch", "the receiving server speaks only versions smtp_tls_protocols excludes, or the reverse"},
		{"no-shared-cipher", "no cipher suite in common with the receiving server"},
		{"closed-during-handshake", "the receiving server closed without an alert"},
		{"handshake-timeout", "the handshake stalled ('SSL_connect error to ...: Connection timed out'): a path MTU problem or a filter on the way"},
		{"cert-untrusted", "with smtp_tls_security_level verify or secure, the receiving server's chain did not verify"},
	},
	.look = {
		"this server's ClientHello to the receiving server and its answer: an alert, a FIN, a RST or silence",
		"packets of the receiving server's flight retransmitted and never acknowledged: the path drops large packets",
	},
	.check = {
		"openssl s_client -starttls smtp -connect mx.example.net:25 -servername mx.example.net -brief </dev/null",
		"run from this mail server against the receiving one: a handshake shows what a current client gets; the same failure here puts the cause on the far side or the path (a stall points at the path MTU)",
	},
	.run = "tlsautopsy -r capture.pcap -f 'host RECEIVING-SERVER-IP' -v",
};

/* --- STARTTLS and mail clients. --- */

const struct explain_entry explain_e_starttls_not_offered = {
	.title = "STARTTLS not offered",
	.meaning = "The server did not advertise STARTTLS (STLS for POP3), so the client would not upgrade to TLS.",
	.phrases = {
		{"Server does not support STARTTLS", "IMAP clients"},
		{"does not support ... STARTTLS", "IMAP clients, MailKit"},
		{"doesn't support ... STARTTLS", "IMAP clients"},
		{"STARTTLS extension not supported by server", "Python imaplib, smtplib"},
		{"STARTTLS not supported", "IMAP clients"},
		{"using STARTTLS since it doesn't advertise that feature", "Thunderbird"},
		{"Requested SSL level failed", "curl (64)"},
		{"curl: (64)", "curl"},
	},
	.verdicts = {
		{"starttls-not-offered", "the server's greeting and CAPABILITY (or EHLO) answer did not list STARTTLS: TLS is not set up on that port, or a middlebox removed it"},
		{"plaintext-session", "a client that goes on without TLS sends the password in clear"},
	},
	.look = {
		"the capability list in the greeting or the CAPABILITY (EHLO, CAPA) response (tlsautopsy shows whether STARTTLS was there); a mangled capability in its place points at a middlebox",
		"whether the same server offers its TLS-first port (993, 995, 465)",
	},
	.check = {
		CHECK_STARTTLS,
		"'Didn't find STARTTLS in server response' confirms the server does not announce it; run it from the client's network too, since a middlebox may remove it there; a certificate chain means STARTTLS works",
	},
	.run = "tlsautopsy -r capture.pcap -p 143/imap -v",
};

const struct explain_entry explain_e_starttls_handshake = {
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
	.check = {
		"openssl s_client -starttls imap -connect imap.example.com:143 -servername imap.example.com -brief </dev/null",
		"what a current client gets after STARTTLS: version, suite and 'Verification'; the same failure here puts the server's TLS settings first",
	},
	.run = "tlsautopsy -r capture.pcap -p 143/imap -v",
};

const struct explain_entry explain_e_starttls_refused = {
	.title = "STARTTLS refused",
	.meaning = "The STARTTLS step failed: the server answered the command with NO or BAD (-ERR, 4xx or 5xx), or the TLS that followed failed.",
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
	.check = {
		"openssl s_client -starttls imap -connect imap.example.com:143 -servername imap.example.com -debug </dev/null",
		"the dump read after '. STARTTLS' holds the server's answer: 'OK' then a handshake, or 'NO'/'BAD' with its reason (s_client then tries TLS anyway and fails with 'wrong version number')",
	},
	.run = "tlsautopsy -r capture.pcap -p 143/imap -v",
};

const struct explain_entry explain_e_imap_bad = {
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
	.check = {
		CHECK_STARTTLS,
		"a chain after STARTTLS means 143 upgrades properly, so the client must use STARTTLS there (or SSL/TLS on 993); 'Didn't find STARTTLS' means the server does not offer it",
	},
	.run = "tlsautopsy -r capture.pcap -p 143/imap -v",
};

const struct explain_entry explain_e_outlook_encryption = {
	.title = "encryption type not supported (Outlook)",
	.meaning = "Outlook could not set up the encryption its account settings ask for: the port and the encryption method disagree, or Windows and the server share no TLS version.",
	.phrases = {
		{"0x800CCC1A", "Outlook"},
		{"Your server does not support the connection encryption type you have specified", "Outlook"},
		{"A secure connection to the server could not be established", "Outlook, Outlook Express"},
	},
	.verdicts = {
		{"not-tls", "SSL/TLS chosen on a STARTTLS port (143, 110, 25, 587): the server's plaintext greeting came where TLS was expected"},
		{"tls-version-mismatch", "an old Windows or Outlook that speaks only TLS 1.0 against a server that requires 1.2, or the reverse"},
		{"starttls-not-offered", "STARTTLS chosen but the server does not announce it"},
		{"no-shared-cipher", "versions fine, but no cipher suite in common"},
	},
	.look = {
		"the port and the server's first bytes: a greeting in clear on a port Outlook treats as TLS, or a ClientHello where the server expected a command",
		"the versions of Outlook's ClientHello (an old Windows offers TLS 1.0 only) against the server's answer",
	},
	.check = {
		"openssl s_client -connect imap.example.com:993 -servername imap.example.com -brief </dev/null",
		"on the port Outlook uses: 'wrong version number' means it speaks plaintext, so choose STARTTLS (or the TLS port); a handshake means the port is right and the version Outlook's Windows speaks is next",
	},
	.run = "tlsautopsy -r capture.pcap -v",
};

const struct explain_entry explain_e_outlook_connect = {
	.title = "cannot connect to the server (Outlook)",
	.meaning = "Outlook could not open the connection to the mail server; the 'Socket Error' number says how (10061 refused, 10060 no answer).",
	.phrases = {
		{"0x800CCC0E", "Outlook"},
		{"The connection to the server has failed", "Outlook, Outlook Express"},
	},
	.verdicts = {
		{"tcp-no-answer", "the SYN got no answer: a firewall or the provider blocks the port (often 25), or the name points at the wrong address"},
		{"tcp-refused", "a RST answered the SYN: nothing listens on that port, or a firewall rejects"},
		{"tcp-reset", "the connection opened and was reset at once: an antivirus or a firewall cut it"},
	},
	.look = {
		"Outlook's SYNs to the server's port and what answered them: a SYN/ACK, a RST, or nothing",
	},
	.check = {
		"openssl s_client -connect imap.example.com:993 -servername imap.example.com </dev/null",
		"from the same machine: 'connect:errno=111' is refused, a hang then 'connect:errno=110' no answer; 'CONNECTED' and a certificate chain mean the network is fine and Outlook's server name or port is wrong",
	},
	.run = "tlsautopsy -r capture.pcap -f 'host SERVER-IP'",
};

const struct explain_entry explain_e_outlook_interrupted = {
	.title = "connection interrupted (Outlook)",
	.meaning = "The connection to the mail server broke while Outlook was using it.",
	.phrases = {
		{"0x800CCC0F", "Outlook"},
		{"The connection to the server was interrupted", "Outlook, Outlook Express"},
	},
	.verdicts = {
		{"tcp-reset", "a RST ended the connection: from the server, an antivirus scanning mail, or a firewall"},
		{"closed-during-handshake", "the server closed during the handshake without an alert: no version or cipher that Outlook's Windows offers fits"},
		{"handshake-timeout", "one side went silent and Outlook gave up"},
	},
	.look = {
		"the last packets before the break: a RST (and its TTL), a FIN from the server, or retransmissions",
	},
	.check = {
		"openssl s_client -connect imap.example.com:993 -servername imap.example.com -brief </dev/null",
		"a handshake from the same machine means the server and path work for a current client: then Outlook's own TLS (an old Windows) or an antivirus that intercepts mail is next",
	},
	.run = "tlsautopsy -r capture.pcap -f 'host SERVER-IP' -v",
};

/* --- Generic lines of the server's log: after every entry that names a
 * reason, which such lines often carry. --- */

const struct explain_entry explain_e_srv_lost_after_starttls = {
	.title = "lost connection after STARTTLS (Postfix)",
	.meaning = "Postfix's smtpd answered STARTTLS with 220 and the client hung up before the TLS session was up: it could not, or would not, complete the handshake. The 'SSL_accept error' and 'TLS library problem' lines just above it say why, when there are any.",
	.phrases = {
		{"lost connection after STARTTLS", "Postfix"},
	},
	.verdicts = {
		{"closed-during-handshake", "the client closed without an alert: it found no version or cipher it accepts in this server's answer, or it is a scanner"},
		{"tls-version-mismatch", "an old sending server or device that speaks only TLS 1.0/1.1, against smtpd_tls_protocols that exclude them"},
		{"tls13-rejected", "under TLS 1.3 the client read the encrypted certificate and left: it rejected the chain"},
		{"handshake-timeout", "'SSL_accept error from ...: Connection timed out' above it: the handshake stalled, often large packets lost on the path"},
		{"no-shared-cipher", "no cipher suite in common with this server's list"},
	},
	.look = {
		"the client's ClientHello after the 220: the versions and cipher suites it offered (-v) against smtpd_tls_protocols and smtpd_tls_mandatory_ciphers",
		"what ended it: the client's FIN or RST, and which of this server's messages it followed, or silence after a large packet",
	},
	.check = {
		"openssl s_client -starttls smtp -connect smtp.example.com:25 -servername smtp.example.com -brief </dev/null",
		"what a current client gets after STARTTLS (version, suite, verification); if it works, the failing client is older or stricter, and its ClientHello in a capture says which",
	},
	.run = "tlsautopsy -r capture.pcap -f 'host CLIENT-IP' -v",
};

const struct explain_entry explain_e_srv_tls_failed = {
	.title = "TLS failed (server's log)",
	.meaning = "A server's log line: the TLS handshake with a client failed; the rest of the line, or the line above, says why when it can. (Postfix's smtp client, delivering mail, logs 'TLS library problem' too: there this server was the client.)",
	.phrases = {
		{"TLS handshaking", "Dovecot"},
		{"SSL_accept() failed", "Dovecot, OpenSSL servers"},
		{"SSL_accept error from", "Postfix"},
		{"TLS library problem", "Postfix"},
		{"TLS error on connection from", "Exim"},
	},
	.verdicts = {
		{"closed-during-handshake", "this server closed without an alert (Dovecot does), so the client saw only an EOF"},
		{"tls-version-mismatch", "the client offered only versions this server refuses"},
		{"no-shared-cipher", "no cipher suite in common"},
		{"tcp-reset", "the client or a middlebox reset the connection"},
	},
	.look = {
		"the client's ClientHello (versions, cipher suites) and this server's answer right after it: a ServerHello, an alert or a FIN",
	},
	.check = {
		"openssl s_client -connect imap.example.com:993 -servername imap.example.com -brief </dev/null",
		"what a current client gets from this server; when it works, the failing client is older or stricter, and the reason in the log line says which",
	},
	.run = "tlsautopsy -r capture.pcap -f 'host CLIENT-IP' -v",
};

const struct explain_entry explain_e_out_tls_failed = {
	.title = "delivery: TLS failed (Postfix, Exim)",
	.meaning = "The mail server, delivering mail as a client, failed the TLS handshake with the receiving server; the rest of the line, or the next one, says why when it can.",
	.phrases = {
		{"SSL_connect error to", "Postfix (delivering)"},
		{"TLS session: (", "Exim (delivering)"},
	},
	.verdicts = {
		{"tls-version-mismatch", "the receiving server speaks only versions this one excludes, or the reverse"},
		{"no-shared-cipher", "no cipher suite in common with the receiving server"},
		{"closed-during-handshake", "the receiving server closed without an alert"},
		{"handshake-timeout", "the handshake stalled ('Connection timed out'): a path MTU problem or a filter on the way"},
		{"cert-untrusted", "the receiving server's chain did not verify where verification is required"},
	},
	.look = {
		"this server's ClientHello to the receiving server and its answer: an alert, a FIN, a RST or silence",
	},
	.check = {
		"openssl s_client -starttls smtp -connect mx.example.net:25 -servername mx.example.net -brief </dev/null",
		"run from this mail server against the receiving one: a handshake shows what a current client gets; the same failure here puts the cause on the far side or the path",
	},
	.run = "tlsautopsy -r capture.pcap -f 'host RECEIVING-SERVER-IP' -v",
};

const struct explain_entry explain_e_dovecot_no_auth = {
	.title = "client left without logging in (Dovecot's log)",
	.meaning = "A client connected and left before it tried to log in. What follows 'lip=' says how far it got: 'TLS handshaking' and a reason is a failed handshake, 'TLS' or 'secured' a finished one, nothing at all a session in clear.",
	.phrases = {
		{"(no auth attempts", "Dovecot"},
		{"(disconnected before auth was ready", "Dovecot"},
	},
	.verdicts = {
		{"closed-during-handshake", "'TLS handshaking': the client hung up in the handshake: it refused this server's version, cipher or certificate, or it is a scanner"},
		{"tls13-rejected", "'TLS handshaking' under TLS 1.3: the client read the encrypted certificate and left, so it rejected the chain"},
		{"cert-name-mismatch", "'TLS' (a finished handshake) and no login: some clients check the name only after the handshake, then leave"},
		{"plaintext-session", "no TLS at all on 143 or 110: the client never sent STARTTLS"},
		{"ok", "a monitoring probe or a port check connects and leaves: nothing to fix"},
	},
	.look = {
		"the client's last packet before it left: right after this server's certificate (the chain), after the ServerHello (version or cipher), or straight after the greeting",
		"the address after rip= is the client's: filter the capture and tlsautopsy -f 'host CLIENT-IP' on it",
	},
	.check = {
		"openssl s_client -connect imap.example.com:993 -servername imap.example.com -verify_hostname imap.example.com -verify_return_error </dev/null",
		"a strict client's view of this server: 'Verify return code: 0 (ok)' rules out the chain and the name; an error names what made such clients leave",
	},
	.run = "tlsautopsy -r capture.pcap -f 'host CLIENT-IP' -v",
};
