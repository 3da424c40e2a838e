/* explain_table_mail.c: the mail family of --explain: STARTTLS (RFC 3207, RFC 2595, RFC 9051 6.2.1), Outlook's codes and the mail servers' logs. */
#include "diag/explain_table.h"

/* The STARTTLS upgrade on IMAP; the printer says how to change protocol
 * and port. */
#define CHECK_STARTTLS \
	"openssl s_client -starttls imap -connect imap.example.com:143 -servername imap.example.com </dev/null"

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

const struct explain_entry explain_e_srv_tls_failed = {
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
	.check = {
		"openssl s_client -connect imap.example.com:993 -servername imap.example.com -brief </dev/null",
		"what a current client gets from this server; when it works, the failing client is older or stricter, and the reason in the log line says which",
	},
	.run = "tlsautopsy -r capture.pcap -v",
};
