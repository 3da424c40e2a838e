/* explain_table_net.c: the connection family of --explain: refusals, resets, closes and timeouts, from TCP up to the first TLS record. */
#include "diag/explain_table.h"

/* What a current client gets from the server; most connection entries
 * start there. */
#define CHECK_BRIEF \
	"openssl s_client -connect imap.example.com:993 -servername imap.example.com -brief </dev/null"

const struct explain_entry explain_e_handshake_timeout = {
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
		"on a STARTTLS port: whether the server ever answered the STARTTLS command",
	},
	.check = {
		"openssl s_client -connect imap.example.com:993 -servername imap.example.com -groups X25519 </dev/null",
		"a small ClientHello with one classic key share: a certificate chain after 'CONNECTED' while the client's handshake stalls means its larger ClientHello is lost on the path (MTU, a filter); a stall here too means the server is silent",
	},
	.run = "tlsautopsy -r capture.pcap -v",
};

const struct explain_entry explain_e_refused = {
	.title = "connection refused",
	.meaning = "The SYN was answered by a RST: nothing listens on that port, or a firewall rejects the connection.",
	.phrases = {
		{"connection refused", "Go, Python, Java, curl"},
		{"ECONNREFUSED", "Node"},
		{"actively refused it", ".NET, Windows"},
		{"[Errno 111]", "Python"},
		{"Couldn't connect to server", "curl (7)"},
		{"PR_CONNECT_REFUSED_ERROR", "NSPR (Thunderbird)"},
		{"Socket Error: 10061", "Outlook, Windows"},
		{"WSAECONNREFUSED", "Windows"},
	},
	.verdicts = {
		{"tcp-refused", "a RST answered the SYN: the mail service is down or not on that port, or a firewall rejects"},
	},
	.look = {
		"the RST that answers the SYN and its TTL against other packets from the server: a firewall in the path answers with its own TTL",
	},
	.check = {
		CHECK_BRIEF,
		"'Connection refused' and 'connect:errno=111' from here too: nothing listens on that port or a firewall rejects; a handshake from here but not from the client's network puts a firewall in between",
	},
	.run = "tlsautopsy -r capture.pcap -f 'host SERVER-IP'",
};

const struct explain_entry explain_e_connect_timeout = {
	.title = "connect timed out",
	.meaning = "The TCP connection was never set up: the SYN got no answer.",
	.phrases = {
		{"dial tcp ... i/o timeout", "Go"},
		{"connect timed out", "Java"},
		{"connect ETIMEDOUT", "Node"},
		{"A connection attempt failed because the connected party did not properly respond", ".NET, Windows"},
		{"[Errno 110] Connection timed out", "Python"},
		{"PR_CONNECT_TIMEOUT_ERROR", "NSPR (Thunderbird)"},
		{"Socket Error: 10060", "Outlook, Windows"},
		{"WSAETIMEDOUT", "Windows"},
	},
	.verdicts = {
		{"tcp-no-answer", "a firewall drops the SYN, the address is wrong, or the host is down"},
		{"tcp-refused", "if a RST answered the SYN: nothing listens on that port, or a firewall rejects"},
	},
	.look = {
		"the client's SYN retransmissions with no SYN/ACK; a capture taken near the server tells whether the SYN arrived",
	},
	.check = {
		"openssl s_client -connect imap.example.com:993 -servername imap.example.com </dev/null",
		"a hang with no 'CONNECTED' line, then 'connect:errno=110': the SYN gets no answer from here either (a firewall drops it, or the address is wrong); a handshake here puts the block on the client's path, such as an ISP filtering port 25",
	},
	.run = "tlsautopsy -r capture.pcap -f 'host SERVER-IP'",
};

const struct explain_entry explain_e_reset = {
	.title = "connection reset",
	.meaning = "A TCP RST ended the connection.",
	.phrases = {
		{"connection reset by peer", "Go, Python, curl"},
		{"Connection reset", "Java"},
		{"ECONNRESET", "Node"},
		{"[Errno 104]", "Python"},
		{"An existing connection was forcibly closed by the remote host", ".NET, Windows"},
		{"WSAECONNRESET", "Windows"},
		{"PR_CONNECT_RESET_ERROR", "NSPR (Thunderbird)"},
	},
	.verdicts = {
		{"tcp-reset", "a RST ended the handshake: from the server (Windows servers reset when no TLS version fits) or from a firewall or IPS on the path"},
		{"handshake-timeout", "seen from a capture near the server: a middlebox RST sent only towards the client is invisible there, so the server side shows silence"},
	},
	.look = {
		"who sent the RST and its TTL (tlsautopsy: end_by client, server or middlebox; the finding middlebox-rst-suspected when the TTL differs from the server's)",
		"what the RST followed: right after the ClientHello points at the server's TLS settings or an IPS, right after the SYN/ACK at a firewall",
	},
	.check = {
		CHECK_BRIEF,
		"a reset here too, right after the ClientHello, means the server or an IPS in front of it refuses this handshake; a handshake here and a reset for the client points at the client's path or its offer",
	},
	.run = "tlsautopsy -r capture.pcap -f 'host SERVER-IP' -v",
};

const struct explain_entry explain_e_peer_closed = {
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
		{"PR_END_OF_FILE_ERROR", "NSPR (Thunderbird)"},
		{"The TLS connection was non-properly terminated", "GnuTLS (curl, git, Exim)"},
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
	.check = {
		"openssl s_client -connect imap.example.com:993 -servername imap.example.com -tls1_2 </dev/null",
		"'New, TLSv1.2' and a cipher rule out a server limited to old versions: then compare that cipher with the client's offer; an immediate close here too means the server refuses TLS 1.2",
	},
	.run = "tlsautopsy -r capture.pcap -v",
};

const struct explain_entry explain_e_receive_failure = {
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
	.check = {
		CHECK_BRIEF,
		"a reset or close here too, right after the ClientHello, puts the cause on the server or its path; a handshake here points at the client's own offer or network",
	},
	.run = "tlsautopsy -r capture.pcap -f 'host SERVER-IP' -v",
};

const struct explain_entry explain_e_timed_out = {
	.title = "timed out",
	.meaning = "Something timed out: the TCP connect or the handshake.",
	.phrases = {
		{"i/o timeout", "Go"},
		{"ETIMEDOUT", "Node"},
		{"Connection timed out", "any"},
		{"Operation timed out", "any"},
		{"timed out", "any"},
		{"curl: (28)", "curl"},
		{"PR_IO_TIMEOUT_ERROR", "NSPR (Thunderbird)"},
	},
	.verdicts = {
		{"handshake-timeout", "the connection was up and one side went silent during the handshake"},
		{"tcp-no-answer", "the SYN got no answer: a firewall drops it, or the host is down"},
	},
	.look = {
		"whether the SYN was answered, then which side was silent (waiting_on)",
	},
	.check = {
		"openssl s_client -connect imap.example.com:993 -servername imap.example.com </dev/null",
		"'CONNECTED' then a stall means TCP is up and the handshake stalls (handshake-timeout); a hang before that line, then 'connect:errno=110', means the SYN gets no answer (tcp-no-answer)",
	},
	.run = "tlsautopsy -r capture.pcap -f 'host SERVER-IP' -v",
};
