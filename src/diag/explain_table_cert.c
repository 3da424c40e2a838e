/* explain_table_cert.c: the certificate family of --explain: chains, trust, dates, names and the alerts a client sends when it refuses them (RFC 8446 6.2, RFC 5280 6). */
#include "diag/explain_table.h"

/* The chain as the server sends it: the check most certificate entries
 * share. */
#define CHECK_CHAIN \
	"openssl s_client -connect imap.example.com:993 -servername imap.example.com -showcerts </dev/null"

const struct explain_entry explain_e_weak_cert = {
	.title = "weak certificate refused",
	.meaning = "The client refused the server's certificate for a key that is too small or a signature hash that is too weak.",
	.phrases = {
		{"ee key too small", "OpenSSL"},
		{"ca key too small", "OpenSSL"},
		{"ca md too weak", "OpenSSL"},
		{"x509: cannot verify signature: insecure algorithm", "Go crypto/tls"},
		{"Certificates do not conform to algorithm constraints", "Java"},
		{"SSL_ERROR_WEAK_SERVER_CERT_KEY", "NSS (Thunderbird)"},
		{"MOZILLA_PKIX_ERROR_INADEQUATE_KEY_SIZE", "NSS (Thunderbird)"},
		{"SEC_ERROR_CERT_SIGNATURE_ALGORITHM_DISABLED", "NSS (Thunderbird)"},
	},
	.verdicts = {
		{"tls-alert", "the client aborted after the Certificate message; the chain carries the finding small-key or weak-signature"},
		{"cert-untrusted", "the chain does not verify for the client"},
		{"tls13-rejected", "under TLS 1.3 the certificate is encrypted: only the client's abort after the server's flight is visible"},
	},
	.look = {
		"the key size and signature algorithm of each certificate in the chain (RSA 1024, sha1WithRSAEncryption)",
	},
	.check = {
		CHECK_CHAIN,
		"'Server public key is 1024 bit' and each certificate's 'a:PKEY: ..., N (bit); sigalg: ...' line show the key size and signature the client refused (RSA 2048 and SHA-256 pass)",
	},
	.run = "tlsautopsy -r capture.pcap -v",
};

const struct explain_entry explain_e_self_signed_in_chain = {
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
	.check = {
		CHECK_CHAIN,
		"the issuer (i:) of the last certificate: run from the client's network, an inspection product there and the server's CA from outside confirm the proxy; the same private CA from both means the server's own CA",
	},
	.run = "tlsautopsy -r capture.pcap --inspection-ca SITE-INSPECTION-ROOT.pem -v",
};

const struct explain_entry explain_e_self_signed = {
	.title = "self-signed certificate",
	.meaning = "The server's own certificate is self-signed.",
	.phrases = {
		{"self-signed certificate", "OpenSSL, Python, curl, Node"},
		{"DEPTH_ZERO_SELF_SIGNED_CERT", "Node"},
		{"MOZILLA_PKIX_ERROR_SELF_SIGNED_CERT", "NSS (Thunderbird)"},
		{"The certificate is not trusted because it is self-signed", "NSS (Thunderbird)"},
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
	.check = {
		CHECK_CHAIN,
		"one certificate whose s: and i: lines are the same, and 'verify error:num=18:self-signed certificate'",
	},
	.run = "tlsautopsy -r capture.pcap -v",
};

const struct explain_entry explain_e_issuer_not_found = {
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
		{"SEC_ERROR_UNKNOWN_ISSUER", "NSS (Thunderbird)"},
		{"Peer's Certificate issuer is not recognized", "NSS (Thunderbird)"},
		{"PartialChain", ".NET (X509ChainStatus)"},
		{"CERT_E_CHAINING", "Windows"},
		{"0x800B010A", "Windows (CERT_E_CHAINING)"},
		{"A certificate chain could not be built to a trusted root authority", "Windows"},
	},
	.verdicts = {
		{"cert-chain-incomplete", "the server sent its certificate without the intermediate CA the client needs (Java and NSS do not fetch it themselves)"},
		{"interception-untrusted", "a TLS-inspection proxy re-signed the chain and the client does not trust its CA"},
		{"cert-untrusted", "the chain ends in a CA (often a private one) that the client's trust store lacks"},
		{"tls13-rejected", "under TLS 1.3 the chain is encrypted: only the client's abort after the server's flight is visible"},
	},
	.look = {
		"how many certificates the server sent and whether the leaf's issuer is among them (tlsautopsy lists subject and issuer of each)",
		"an issuer naming an inspection product or the site's own CA: the chain was re-signed on the way",
		"the client's fatal alert unknown_ca (48) or certificate_unknown (46), or its close, right after the Certificate message",
	},
	.check = {
		CHECK_CHAIN,
		"the certificates the server sends, 0 first: when the i: of the last one is not a root in the client's store, or 0's i: is not 1's s:, the intermediate is missing; 'Verify return code: 20' or '21' agrees",
	},
	.run = "tlsautopsy -r capture.pcap --ca-bundle CLIENT-TRUST-STORE.pem -v",
};

const struct explain_entry explain_e_root_untrusted = {
	.title = "root not trusted",
	.meaning = "The chain leads to a root the client's trust store does not hold, or one marked as not trusted.",
	.phrases = {
		{"SEC_E_UNTRUSTED_ROOT", "Windows SChannel"},
		{"0x80090325", "Windows SChannel (SEC_E_UNTRUSTED_ROOT)"},
		{"The certificate chain was issued by an authority that is not trusted", ".NET, Windows"},
		{"CERT_E_UNTRUSTEDROOT", "Windows"},
		{"0x800B0109", "Windows (CERT_E_UNTRUSTEDROOT)"},
		{"terminated in a root certificate which is not trusted by the trust provider", "Windows, Outlook"},
		{"UntrustedRoot", ".NET (X509ChainStatus)"},
		{"SEC_ERROR_UNTRUSTED_ISSUER", "NSS (Thunderbird)"},
		{"Peer's certificate issuer has been marked as not trusted by the user", "NSS (Thunderbird)"},
		{"Path does not chain with any of the trust anchors", "Java"},
	},
	.verdicts = {
		{"cert-untrusted", "the chain ends in a private CA, or a root the client's store lacks or distrusts"},
		{"cert-self-signed", "Windows reports a self-signed server certificate as an untrusted root"},
		{"interception-untrusted", "a TLS-inspection proxy re-signed the chain and its root is not in this client's store"},
		{"cert-chain-incomplete", "the intermediate is missing and the client could not fetch it (no access to the CA's URLs)"},
		{"tls13-rejected", "under TLS 1.3 the chain is encrypted: only the client's abort after the server's flight is visible"},
	},
	.look = {
		"the chain the server sent: the last certificate's issuer is the root the client must trust",
		"the client's fatal alert or its close right after the Certificate message",
	},
	.check = {
		CHECK_CHAIN,
		"the i: of the last certificate names the root the client needs: a private CA or an inspection product must be added to the client's store (Windows: Trusted Root Certification Authorities)",
	},
	.run = "tlsautopsy -r capture.pcap --ca-bundle CLIENT-TRUST-STORE.pem -v",
};

const struct explain_entry explain_e_expired = {
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
		{"validity check failed", "Java"},
		{"alert certificate expired", "OpenSSL (the peer's alert)"},
		{"SEC_ERROR_EXPIRED_CERTIFICATE", "NSS (Thunderbird)"},
		{"Peer's Certificate has expired", "NSS (Thunderbird)"},
		{"SEC_ERROR_EXPIRED_ISSUER_CERTIFICATE", "NSS (Thunderbird)"},
		{"MOZILLA_PKIX_ERROR_NOT_YET_VALID_CERTIFICATE", "NSS (Thunderbird)"},
		{"SEC_E_CERT_EXPIRED", "Windows SChannel"},
		{"0x80090328", "Windows SChannel (SEC_E_CERT_EXPIRED)"},
		{"The received certificate has expired", ".NET, Windows"},
		{"CERT_E_EXPIRED", "Windows"},
		{"0x800B0101", "Windows (CERT_E_EXPIRED)"},
		{"A required certificate is not within its validity period", "Windows, Outlook"},
		{"NotTimeValid", ".NET (X509ChainStatus)"},
	},
	.verdicts = {
		{"cert-expired", "the leaf (a missed renewal) or an intermediate has expired, or the client's clock is wrong"},
		{"tls13-rejected", "under TLS 1.3 the chain is encrypted: only the client's abort after the server's flight is visible"},
	},
	.look = {
		"the not_before and not_after of every certificate in the chain against the capture time (tlsautopsy names the one that is out of date)",
		"the client's clock: compare the capture's timestamps with the real time",
		"the client's fatal alert certificate_expired (45) or bad_certificate (42) after the Certificate message",
	},
	.check = {
		CHECK_CHAIN,
		"'verify error:num=10:certificate has expired' (or 9, not yet valid) with its depth (0 is the server's own certificate) and notAfter= the date; each v: line gives NotBefore and NotAfter",
	},
	.run = "tlsautopsy -r capture.pcap -v",
};

const struct explain_entry explain_e_name_mismatch = {
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
		{"SSL_ERROR_BAD_CERT_DOMAIN", "NSS (Thunderbird)"},
		{"requested domain name does not match the server's certificate", "NSS (Thunderbird)"},
		{"The certificate is only valid for", "NSS (Thunderbird)"},
		{"SEC_E_WRONG_PRINCIPAL", "Windows SChannel"},
		{"0x80090322", "Windows SChannel (SEC_E_WRONG_PRINCIPAL)"},
		{"The target principal name is incorrect", ".NET, Windows, Outlook"},
		{"CERT_E_CN_NO_MATCH", "Windows"},
		{"0x800B010F", "Windows (CERT_E_CN_NO_MATCH)"},
		{"CN name does not match the passed value", "Windows, Outlook"},
	},
	.verdicts = {
		{"cert-name-mismatch", "the leaf's names (SAN) do not include the name the client used: an IP address, an internal alias or an old host name"},
		{"tls13-rejected", "under TLS 1.3 the certificate is encrypted: only the client's abort after the server's flight is visible"},
	},
	.look = {
		"the SNI of the ClientHello against the leaf's SAN list; no SNI means the client connected by address: give the name it should use with --server-name",
		"the client's fatal alert or close right after the Certificate message",
	},
	.check = {
		"openssl s_client -connect imap.example.com:993 -servername imap.example.com -verify_hostname imap.example.com </dev/null",
		"with the name the client uses in both places: 'verify error:num=62:hostname mismatch' confirms the certificate does not cover it; no such line rules the name out",
	},
	.run = "tlsautopsy -r capture.pcap --server-name NAME-THE-CLIENT-USES -v",
};

const struct explain_entry explain_e_alert_unknown_ca = {
	.title = "alert unknown_ca received",
	.meaning = "The peer sent the fatal alert unknown_ca (48): it could not trace a certificate to a CA it trusts. In a server's log this is the client rejecting the server's chain.",
	.phrases = {
		{"tlsv1 alert unknown ca", "OpenSSL, Python, Node, curl; Dovecot, Postfix, Exim"},
		{"Received fatal alert: unknown_ca", "Java"},
		{"remote error: tls: unknown certificate authority", "Go crypto/tls"},
		{"TLS protocol defined fatal ... code is 48", "Windows SChannel (events 36887, 36888)"},
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
	.check = {
		CHECK_CHAIN,
		"the chain this server sends: when the leaf's issuer (i: of 0) is not sent as 1, the intermediate is missing; 'Verify return code: 0 (ok)' from here means the client's store lacks a root this machine has",
	},
	.run = "tlsautopsy -r capture.pcap --ca-bundle CLIENT-TRUST-STORE.pem -v",
};

const struct explain_entry explain_e_cert_rejected = {
	.title = "certificate rejected by the peer",
	.meaning = "The peer rejected a certificate with the fatal alert bad_certificate (42), unsupported_certificate (43) or certificate_unknown (46).",
	.phrases = {
		{"alert bad certificate", "OpenSSL, Python, Node, curl"},
		{"Received fatal alert: bad_certificate", "Java"},
		{"remote error: tls: bad certificate", "Go crypto/tls"},
		{"alert certificate unknown", "OpenSSL, Python; Dovecot, Postfix, Exim"},
		{"Received fatal alert: certificate_unknown", "Java"},
		{"alert unsupported certificate", "OpenSSL, Python"},
		{"TLS protocol defined fatal ... code is 42", "Windows SChannel (events 36887, 36888)"},
		{"TLS protocol defined fatal ... code is 46", "Windows SChannel (events 36887, 36888)"},
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
	.check = {
		"openssl s_client -connect imap.example.com:993 -servername imap.example.com -showcerts -verify_hostname imap.example.com </dev/null",
		"every 'verify error:num=' line names one reason a strict client refuses the chain (20 or 21 a missing intermediate, 19 an untrusted root, 10 expired, 62 the name); none means the client's store or an inspection proxy differs",
	},
	.run = "tlsautopsy -r capture.pcap -v",
};

const struct explain_entry explain_e_client_cert_required = {
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
	.check = {
		"openssl s_client -connect imap.example.com:993 -servername imap.example.com </dev/null",
		"'Acceptable client certificate CA names' lists whose certificates the server asks for; 'No client certificate CA names sent' and a session mean it asks none of this machine",
	},
	.run = "tlsautopsy -r capture.pcap -v",
};

const struct explain_entry explain_e_cert_verify_failed = {
	.title = "certificate verification failed",
	.meaning = "The client did not accept the server's certificate; the rest of the message, if any, says why.",
	.phrases = {
		{"certificate verify failed", "OpenSSL, Python"},
		{"SSL certificate problem", "curl (60)"},
		{"curl: (60)", "curl"},
		{"tls: failed to verify certificate", "Go crypto/tls"},
		{"PKIX path validation failed", "Java"},
		{"The remote certificate is invalid according to the validation procedure", ".NET"},
		{"The remote certificate is invalid", ".NET"},
		{"RemoteCertificateChainErrors", ".NET"},
		{"The remote certificate was rejected by the provided RemoteCertificateValidationCallback", ".NET"},
		{"is using a security certificate that cannot be verified", "Outlook, Thunderbird"},
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
	.check = {
		"openssl s_client -connect imap.example.com:993 -servername imap.example.com -showcerts -verify_hostname imap.example.com </dev/null",
		"each 'verify error:num=' line names a reason: 20 or 21 a missing intermediate, 19 a root not trusted here, 18 self-signed, 10 expired, 62 the name; 'Verify return code: 0 (ok)' points at the client's own store or a proxy",
	},
	.run = "tlsautopsy -r capture.pcap --ca-bundle CLIENT-TRUST-STORE.pem -v",
};
