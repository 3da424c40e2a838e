/*
 * explain_lines.h: whole error lines as clients, mail servers and their
 * TLS stacks print them, each with the verdict --explain must put first;
 * for tests/unit/test_explain.c. The wording of each comes from the stack
 * that prints it (its source or documentation); addresses and names are
 * the documentation ranges and example domains.
 */
#ifndef EXPLAIN_LINES_H
#define EXPLAIN_LINES_H

struct want {
	const char *text;
	const char *verdict;
};

static const struct want explain_lines[] = {
	{"error:0A00010B:SSL routines::wrong version number", "not-tls"},
	{"ssl.SSLError: [SSL: WRONG_VERSION_NUMBER] wrong version number "
	    "(_ssl.c:1006)", "not-tls"},
	{"write EPROTO 4020A6B0:error:0A00010B:SSL routines:"
	    "ssl3_get_record:wrong version number", "not-tls"},
	{"Error: ERR_SSL_WRONG_VERSION_NUMBER", "not-tls"},
	{"tls: first record does not look like a TLS handshake", "not-tls"},
	{"javax.net.ssl.SSLException: Unsupported or unrecognized SSL "
	    "message", "not-tls"},
	{"remote error: tls: protocol version", "tls-version-mismatch"},
	{"javax.net.ssl.SSLHandshakeException: Received fatal alert: "
	    "protocol_version", "tls-version-mismatch"},
	{"ssl.SSLError: [SSL: TLSV1_ALERT_PROTOCOL_VERSION] tlsv1 alert "
	    "protocol version (_ssl.c:1006)", "tls-version-mismatch"},
	{"[SSL: UNSUPPORTED_PROTOCOL] unsupported protocol",
	    "tls-version-mismatch"},
	{"javax.net.ssl.SSLHandshakeException: No appropriate protocol "
	    "(protocol is disabled or cipher suites are inappropriate)",
	    "closed-during-handshake"},
	{"error:0A000071:SSL routines::no protocols available",
	    "closed-during-handshake"},
	{"The client and server cannot communicate, because they do not "
	    "possess a common algorithm.", "tls-version-mismatch"},
	{"[SSL: SSLV3_ALERT_HANDSHAKE_FAILURE] sslv3 alert handshake "
	    "failure (_ssl.c:1006)", "no-shared-cipher"},
	{"remote error: tls: handshake failure", "no-shared-cipher"},
	{"Received fatal alert: handshake_failure", "no-shared-cipher"},
	{"x509: certificate signed by unknown authority",
	    "cert-chain-incomplete"},
	{"PKIX path building failed: sun.security.provider.certpath."
	    "SunCertPathBuilderException: unable to find valid "
	    "certification path to requested target",
	    "cert-chain-incomplete"},
	{"Error: unable to verify the first certificate",
	    "cert-chain-incomplete"},
	{"UNABLE_TO_VERIFY_LEAF_SIGNATURE", "cert-chain-incomplete"},
	{"self-signed certificate in certificate chain",
	    "interception-untrusted"},
	{"SELF_SIGNED_CERT_IN_CHAIN", "interception-untrusted"},
	{"self signed certificate", "cert-self-signed"},
	{"DEPTH_ZERO_SELF_SIGNED_CERT", "cert-self-signed"},
	{"x509: certificate has expired or is not yet valid: current time "
	    "2026-11-20T14:03:22Z is after 2026-10-01T00:00:00Z",
	    "cert-expired"},
	{"CERT_HAS_EXPIRED", "cert-expired"},
	{"certificate is not yet valid", "cert-expired"},
	{"tls: failed to verify certificate: x509: certificate is valid "
	    "for mail.example.com, webmail.example.com, not "
	    "imap.example.org", "cert-name-mismatch"},
	{"No subject alternative DNS name matching imap.example.org "
	    "found.", "cert-name-mismatch"},
	{"The remote certificate is invalid according to the validation "
	    "procedure: RemoteCertificateNameMismatch",
	    "cert-name-mismatch"},
	{"ERR_TLS_CERT_ALTNAME_INVALID", "cert-name-mismatch"},
	{"[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: "
	    "Hostname mismatch, certificate is not valid for "
	    "'imap.example.org'. (_ssl.c:1006)", "cert-name-mismatch"},
	{"RemoteCertificateChainErrors", "cert-chain-incomplete"},
	{"curl: (60) SSL certificate problem: certificate has expired",
	    "cert-expired"},
	{"tlsv1 alert unknown ca", "cert-chain-incomplete"},
	{"tlsv1 alert decode error", "tls-alert"},
	{"dh key too small", "tls-alert"},
	{"legacy sigalg disallowed or unsupported", "tls-alert"},
	{"unsafe legacy renegotiation disabled", "tls-alert"},
	{"Server does not support STARTTLS", "starttls-not-offered"},
	{"The IMAP server does not support the STARTTLS extension.",
	    "starttls-not-offered"},
	{"STARTTLS failed", "starttls-refused"},
	{"* BAD [CLIENTBUG] STARTTLS after login", "starttls-refused"},
	{"Unable to negotiate TLS", "tls-version-mismatch"},
	{"net/http: TLS handshake timeout", "handshake-timeout"},
	{"socket.timeout: _ssl.c:1112: The handshake operation timed out",
	    "handshake-timeout"},
	{"read tcp 10.0.0.5:51234->203.0.113.10:993: i/o timeout",
	    "handshake-timeout"},
	{"dial tcp 203.0.113.10:993: i/o timeout", "tcp-no-answer"},
	{"dial tcp 203.0.113.10:993: connect: connection refused",
	    "tcp-refused"},
	{"ETIMEDOUT", "handshake-timeout"},
	{"ConnectionResetError: [Errno 104] Connection reset by peer",
	    "tcp-reset"},
	{"java.net.SocketException: Connection reset", "tcp-reset"},
	{"Error: read ECONNRESET", "tcp-reset"},
	{"An existing connection was forcibly closed by the remote host.",
	    "tcp-reset"},
	{"curl: (56) Recv failure: Connection reset by peer", "tcp-reset"},
	{"Authentication failed because the remote party has closed the "
	    "transport stream.", "closed-during-handshake"},
	{"Client network socket disconnected before secure TLS "
	    "connection was established", "closed-during-handshake"},
	{"[SSL: UNEXPECTED_EOF_WHILE_READING] EOF occurred in violation "
	    "of protocol (_ssl.c:1006)", "closed-during-handshake"},
	{"Remote host terminated the handshake", "closed-during-handshake"},
	{"EOF", "closed-during-handshake"},
	{"curl: (35) OpenSSL SSL_connect: SSL_ERROR_SYSCALL in "
	    "connection to imap.example.org:993", "closed-during-handshake"},
	{"curl: (35) error:0A000410:SSL routines::sslv3 alert handshake "
	    "failure", "no-shared-cipher"},
	/* Thunderbird (NSS), in its error console or dialogs. */
	{"Error code: SEC_ERROR_UNKNOWN_ISSUER", "cert-chain-incomplete"},
	{"imap.example.org:993 uses an invalid security certificate. The "
	    "certificate is not trusted because it is self-signed.",
	    "cert-self-signed"},
	{"Error code: MOZILLA_PKIX_ERROR_SELF_SIGNED_CERT",
	    "cert-self-signed"},
	{"Peer's Certificate has expired. (Error code: "
	    "SEC_ERROR_EXPIRED_CERTIFICATE)", "cert-expired"},
	{"The certificate is only valid for the following names: "
	    "mail.example.com. Error code: SSL_ERROR_BAD_CERT_DOMAIN",
	    "cert-name-mismatch"},
	{"Cannot communicate securely with peer: no common encryption "
	    "algorithm(s). Error code: SSL_ERROR_NO_CYPHER_OVERLAP",
	    "no-shared-cipher"},
	{"SSL received a record that exceeded the maximum permissible "
	    "length. Error code: SSL_ERROR_RX_RECORD_TOO_LONG", "not-tls"},
	{"Peer using unsupported version of security protocol. "
	    "(SSL_ERROR_UNSUPPORTED_VERSION)", "tls-version-mismatch"},
	{"Error code: SEC_ERROR_UNTRUSTED_ISSUER", "cert-untrusted"},
	{"Error code: SSL_ERROR_HANDSHAKE_FAILURE_ALERT",
	    "no-shared-cipher"},
	{"Error code: PR_CONNECT_RESET_ERROR", "tcp-reset"},
	{"Error code: PR_END_OF_FILE_ERROR", "closed-during-handshake"},
	{"An error occurred while sending mail: Unable to establish a "
	    "secure link with Outgoing server (SMTP) smtp.example.org using "
	    "STARTTLS since it doesn't advertise that feature.",
	    "starttls-not-offered"},
	/* Outlook and Windows. */
	{"Task 'imap.example.org - Receiving' reported error (0x800CCC0E) "
	    ": 'The connection to the server has failed. Account: "
	    "'imap.example.org', Server: 'imap.example.org', Protocol: "
	    "IMAP, Port: 993, Secure(SSL): Yes, Error Number: 0x800CCC0E'",
	    "tcp-no-answer"},
	{"The connection to the server has failed. Account: 'mail', "
	    "Server: 'smtp.example.org', Protocol: SMTP, Port: 25, "
	    "Secure(SSL): No, Socket Error: 10061, Error Number: 0x800CCC0E",
	    "tcp-refused"},
	{"'Receiving' reported error (0x800CCC1A): 'Your server does not "
	    "support the connection encryption type you have specified. "
	    "Try changing the encryption method.'", "not-tls"},
	{"'Receiving' reported error (0x800ccc0f) : 'The connection to the "
	    "server was interrupted.'", "tcp-reset"},
	{"schannel: SEC_E_UNTRUSTED_ROOT (0x80090325) - The certificate "
	    "chain was issued by an authority that is not trusted.",
	    "cert-untrusted"},
	{"schannel: next InitializeSecurityContext failed: "
	    "SEC_E_CERT_EXPIRED (0x80090328) - The received certificate has "
	    "expired.", "cert-expired"},
	{"SEC_E_WRONG_PRINCIPAL (0x80090322) - The target principal name "
	    "is incorrect.", "cert-name-mismatch"},
	{"SEC_E_ALGORITHM_MISMATCH (0x80090331)", "tls-version-mismatch"},
	{"SEC_E_ILLEGAL_MESSAGE (0x80090326) - This error usually occurs "
	    "when a fatal SSL/TLS alert is received", "tls-alert"},
	{"The certificate's CN name does not match the passed value. "
	    "(CERT_E_CN_NO_MATCH)", "cert-name-mismatch"},
	{"The server you are connected to is using a security certificate "
	    "that cannot be verified. A certificate chain processed, but "
	    "terminated in a root certificate which is not trusted by the "
	    "trust provider.", "cert-untrusted"},
	{"A fatal alert was received from the remote endpoint. The TLS "
	    "protocol defined fatal alert code is 70.",
	    "tls-version-mismatch"},
	{"A fatal alert was generated and sent to the remote endpoint. "
	    "This may result in termination of the connection. The TLS "
	    "protocol defined fatal error code is 40. The Windows SChannel "
	    "error state is 1205.", "no-shared-cipher"},
	{"An TLS 1.2 connection request was received from a remote client "
	    "application, but none of the cipher suites supported by the "
	    "client application are supported by the server. The TLS "
	    "connection request has failed.", "no-shared-cipher"},
	/* .NET. */
	{"System.Security.Authentication.AuthenticationException: The "
	    "remote certificate is invalid because of errors in the "
	    "certificate chain: PartialChain", "cert-chain-incomplete"},
	{"AuthenticationException: The remote certificate is invalid "
	    "because of errors in the certificate chain: UntrustedRoot",
	    "cert-untrusted"},
	{"The remote certificate is invalid because of errors in the "
	    "certificate chain: NotTimeValid", "cert-expired"},
	{"System.Security.Authentication.AuthenticationException: A call "
	    "to SSPI failed, see inner exception.", "tls-version-mismatch"},
	{"The request was aborted: Could not create SSL/TLS secure "
	    "channel.", "tls-version-mismatch"},
	/* Java, Go. */
	{"javax.net.ssl.SSLHandshakeException: PKIX path validation "
	    "failed: java.security.cert.CertPathValidatorException: "
	    "validity check failed", "cert-expired"},
	{"sun.security.validator.ValidatorException: PKIX path validation "
	    "failed: java.security.cert.CertPathValidatorException: Path "
	    "does not chain with any of the trust anchors", "cert-untrusted"},
	{"javax.net.ssl.SSLHandshakeException: No subject alternative "
	    "names matching IP address 203.0.113.10 found",
	    "cert-name-mismatch"},
	{"x509: certificate is valid for mail.example.com, not "
	    "imap.example.org", "cert-name-mismatch"},
	/* Dovecot. */
	{"Nov 20 14:03:22 mx1 dovecot: imap-login: Disconnected (no auth "
	    "attempts in 0 secs): user=<>, rip=192.0.2.7, lip=192.0.2.1, "
	    "TLS handshaking: SSL_accept() failed: error:0A0000C1:SSL "
	    "routines::no shared cipher, session=<x>", "no-shared-cipher"},
	{"pop3-login: Disconnected (no auth attempts in 2 secs): user=<>, "
	    "rip=192.0.2.7, lip=192.0.2.1, TLS handshaking: SSL_accept() "
	    "syscall failed: Success, session=<x>",
	    "closed-during-handshake"},
	{"imap-login: Disconnected (disconnected before auth was ready, "
	    "waited 0 secs): user=<>, rip=192.0.2.7, lip=192.0.2.1, TLS "
	    "handshaking: SSL_accept() syscall failed: Connection reset by "
	    "peer, session=<x>", "closed-during-handshake"},
	{"imap-login: Disconnected (no auth attempts in 0 secs): user=<>, "
	    "rip=192.0.2.7, lip=192.0.2.1, TLS handshaking: SSL_accept() "
	    "failed: error:0A00010B:SSL routines::wrong version number, "
	    "session=<x>", "not-tls"},
	{"imap-login: Aborted login (tried to use disallowed plaintext "
	    "auth): user=<>, rip=192.0.2.7, lip=192.0.2.1, session=<x>",
	    "plaintext-session"},
	{"a1 NO [PRIVACYREQUIRED] Plaintext authentication disallowed on "
	    "non-secure (SSL/TLS) connections.", "plaintext-session"},
	/* Postfix. */
	{"postfix/smtps/smtpd[9341]: warning: TLS library problem: "
	    "error:1408F10B:SSL routines:ssl3_get_record:wrong version "
	    "number:../ssl/record/ssl3_record.c:332:", "not-tls"},
	{"postfix/smtpd[10697]: SSL_accept error from unknown[192.0.2.7]: "
	    "-1", "closed-during-handshake"},
	{"postfix/smtpd[10697]: lost connection after STARTTLS from "
	    "unknown[192.0.2.7]", "closed-during-handshake"},
	{"postfix/smtp[3682]: AF3B6480475: to=<a@example.org>, "
	    "relay=mx.example.org[192.0.2.25]:25, delay=0.06, dsn=4.7.5, "
	    "status=deferred (Cannot start TLS: handshake failure)",
	    "tls-version-mismatch"},
	{"postfix/smtpd[3121]: warning: cannot get RSA certificate from "
	    "file \"/etc/ssl/mail.pem\": disabling TLS support",
	    "starttls-not-offered"},
	{"530 5.7.0 Must issue a STARTTLS command first",
	    "plaintext-session"},
	/* Exim. */
	{"2026-11-20 14:03:22 TLS error on connection from "
	    "client.example.org [192.0.2.7] (SSL_accept): error:0A0000C1:SSL "
	    "routines::no shared cipher", "no-shared-cipher"},
	{"TLS error on connection from (client) [192.0.2.7] "
	    "(gnutls_handshake): A TLS fatal alert has been received.",
	    "tls-alert"},
	{"TLS error on connection from [192.0.2.7] (SSL_accept): timed "
	    "out", "handshake-timeout"},
	{"postfix/smtpd[4839]: SSL_accept error from "
	    "mail.example.org[192.0.2.7]: Connection timed out",
	    "handshake-timeout"},
	{"TLS client disconnected cleanly (rejected our certificate?)",
	    "closed-during-handshake"},
	{"H=mx.example.org [192.0.2.25]: TLS session: (SSL_connect): "
	    "error:0A000086:SSL routines::certificate verify failed",
	    "cert-chain-incomplete"},
	/* Cyrus. */
	{"imapd[4242]: TLS server engine: cannot load cert/key data, may "
	    "be a cert/key mismatch?", "starttls-not-offered"},
	{"imapd[4242]: STARTTLS negotiation failed: client.example.org "
	    "[192.0.2.7]", "tls-version-mismatch"},
	{"imaps[4242]: imaps TLS negotiation failed: client.example.org "
	    "[192.0.2.7]", "tls-version-mismatch"},
};

#endif
