# tls.sh: lab scenarios for TLS handshakes (RFC 8446, RFC 5246, RFC 2246)
# over IMAP (RFC 8314 port 993, RFC 2595 STARTTLS on 143), with certificate
# checks per RFC 5280 / RFC 6125. One function per scenario; sourced by run.

# Clients; each runs in the client namespace under timeout.
curl_lab() { client curl -sS --cacert "$PKI/root.crt" "$@"; }
s_client() { client openssl s_client -servername "$NAME" "$@" </dev/null; }
HARDENED='ECDHE+AESGCM:ECDHE+CHACHA20'
imap_lines() { printf 'a LOGIN %s %s\r\nb LOGOUT\r\n' "$USER_NAME" "$USER_PASS"; }

# Server protocol caps, through OPENSSL_CONF like a distribution would.
tls10_env() {
	SRV_ENV=OPENSSL_CONF=$(openssl_conf tls10 TLSv1 TLSv1 'DEFAULT:@SECLEVEL=0')
}
tls12_env() {
	SRV_ENV=OPENSSL_CONF=$(openssl_conf tls12 TLSv1.2 TLSv1.2)
}

sc_tls13_ok() {
	dovecot_start
	cap_start tls13-ok
	curl_lab -u "$USER_NAME:$USER_PASS" "imaps://$NAME/" || true
	cap_stop
}

sc_starttls_tls12_ok() {
	dovecot_start
	cap_start starttls-tls12-ok
	curl_lab --ssl-reqd --tls-max 1.2 -u "$USER_NAME:$USER_PASS" "imap://$NAME/" || true
	cap_stop
}

# A user reading mail: over IMAPS an imaplib client fetches the whole INBOX
# (32 messages, 1.3 MB), then over STARTTLS one catches up (flags of all,
# bodies of the 6 newest). Both TLS 1.3. The fetch bursts a megabyte
# through the link: a larger capture buffer keeps tcpdump from dropping.
sc_mail_session() {
	dovecot_start inbox=32
	cap_start mail-session -B 16384
	pyclient --read --cafile "$PKI/root.crt" "$NAME" 993 ||
	    die "mail-session: the IMAPS client did not read the INBOX"
	pyclient --starttls --sync 6 --cafile "$PKI/root.crt" "$NAME" 143 ||
	    die "mail-session: the STARTTLS client did not read the INBOX"
	cap_stop
	grep -q '^0 packets dropped by kernel' "$LAB_TMP/tcpdump.err" ||
	    die "mail-session: tcpdump lost packets: $(cat "$LAB_TMP/tcpdump.err")"
}

# A TLS 1.0-only server and a client whose floor is TLS 1.2 (curl's own
# default floor is TLS 1.0, hence --tlsv1.2).
sc_version_mismatch_alert() {
	tls10_env
	s_server_start 993 -cipher 'DEFAULT:@SECLEVEL=0'
	SRV_ENV=
	cap_start version-mismatch-alert
	curl_lab --tlsv1.2 "imaps://$NAME/" || true
	cap_stop
}

sc_version_mismatch_close() {
	tls10_env
	dovecot_start ssl_min_protocol=TLSv1 'ssl_cipher_list=DEFAULT:@SECLEVEL=0'
	SRV_ENV=
	cap_start version-mismatch-close
	curl_lab --tlsv1.2 "imaps://$NAME/" || true
	cap_stop
}

# The same TLS 1.0-only Dovecot with a client that still allows TLS 1.0.
sc_legacy_tls10_ok() {
	tls10_env
	dovecot_start ssl_min_protocol=TLSv1 'ssl_cipher_list=DEFAULT:@SECLEVEL=0'
	SRV_ENV=
	cap_start legacy-tls10-ok
	imap_lines | client openssl s_client -quiet -ign_eof -servername "$NAME" \
	    -CAfile "$PKI/root.crt" -tls1 -cipher 'DEFAULT:@SECLEVEL=0' \
	    -connect "$NAME:993" || true
	cap_stop
}

# Server: only the legacy kRSA suite AES256-SHA, TLS 1.2 at most. Client: a
# hardened policy with ECDHE AEAD suites only (and TLS 1.3).
sc_no_shared_cipher_alert() {
	s_server_start 993 -no_tls1_3 -cipher AES256-SHA
	cap_start no-shared-cipher-alert
	pyclient --ciphers "$HARDENED" --cafile "$PKI/root.crt" "$NAME" 993 || true
	cap_stop
}

sc_no_shared_cipher_close() {
	tls12_env
	dovecot_start ssl_cipher_list=AES256-SHA
	SRV_ENV=
	cap_start no-shared-cipher-close
	pyclient --ciphers "$HARDENED" --cafile "$PKI/root.crt" "$NAME" 993 || true
	cap_stop
}

# Certificate scenarios run TLS 1.2 so the chain is visible on the wire.
sc_cert_chain_incomplete() {
	dovecot_start "ssl_cert=<$PKI/leaf.crt"
	cap_start cert-chain-incomplete
	curl_lab --tls-max 1.2 "imaps://$NAME/" || true
	cap_stop
}

sc_cert_expired() {
	dovecot_start "ssl_cert=<$PKI/expired-chain.crt" "ssl_key=<$PKI/expired.key"
	cap_start cert-expired
	s_client -CAfile "$PKI/root.crt" -verify_return_error -verify_hostname "$NAME" \
	    -tls1_2 -connect "$NAME:993" || true
	cap_stop
}

# Python checks the name inside the handshake (alert bad_certificate); curl
# checks it after the handshake completed and then just closes.
sc_cert_name_mismatch() {
	dovecot_start "ssl_cert=<$PKI/wrongname-chain.crt" "ssl_key=<$PKI/wrongname.key"
	cap_start cert-name-mismatch
	pyclient --max12 --cafile "$PKI/root.crt" "$NAME" 993 || true
	cap_stop
}

sc_cert_name_mismatch_late() {
	dovecot_start "ssl_cert=<$PKI/wrongname-chain.crt" "ssl_key=<$PKI/wrongname.key"
	cap_start cert-name-mismatch-late
	curl_lab --tls-max 1.2 "imaps://$NAME/" || true
	cap_stop
}

sc_cert_self_signed() {
	dovecot_start "ssl_cert=<$PKI/selfsigned.crt" "ssl_key=<$PKI/selfsigned.key"
	cap_start cert-self-signed
	client gnutls-cli --x509cafile "$PKI/root.crt" --priority 'NORMAL:-VERS-TLS1.3' \
	    -p 993 "$NAME" </dev/null || true
	cap_stop
}

# A legacy IMAPS server as some still run: an RSA 1024 leaf signed with
# SHA-1 by its own old root (mkpki's legacy chain, sent without the root)
# and 3DES. OpenSSL 3.0 in Debian 12 has no 3DES or RC4 suite left, even at
# @SECLEVEL=0 (only NULL and anonymous ones, which no mail server offers),
# so Dovecot cannot play it; GnuTLS still has 3DES: gnutls-serv, TLS 1.0 to
# 1.2, nothing but TLS_RSA_WITH_3DES_EDE_CBC_SHA. It speaks no IMAP, it
# echoes the client's LOGOUT line: application data flows, and the analyser
# reads nothing past the handshake. The client, gnutls-cli, is told to
# allow 3DES and SHA-1 signatures; it trusts the legacy root and checks the
# chain and the name in full (GnuTLS takes the 1024-bit key), so the
# handshake completes. A client that failed is a broken scenario.
sc_legacy_weak() {
	bg "$NSS" gnutls-serv -p 993 --echo --disable-client-cert \
	    --x509certfile "$PKI/legacy.crt" --x509keyfile "$PKI/legacy.key" \
	    --priority 'NONE:+VERS-TLS1.2:+VERS-TLS1.1:+VERS-TLS1.0:+RSA:+3DES-CBC:+SHA1:+COMP-NULL:+SIGN-ALL'
	wait_port "$NSS" 993
	cap_start legacy-weak
	printf 'a LOGOUT\r\n' | client gnutls-cli --x509cafile "$PKI/legacy-root.crt" \
	    --priority 'NORMAL:+3DES-CBC:%VERIFY_ALLOW_SIGN_WITH_SHA1' -p 993 "$NAME" ||
	    die "legacy-weak: gnutls-cli did not complete the handshake"
	cap_stop
}

# sslsplit on the router intercepts 993 (ssl) and 143 (autossl, STARTTLS)
# and re-signs the server's certificate with the corporate root.
sslsplit_start() {
	in_r iptables -t nat -A PREROUTING -i r0 -p tcp --dport 993 -j REDIRECT --to-ports 10993
	in_r iptables -t nat -A PREROUTING -i r0 -p tcp --dport 143 -j REDIRECT --to-ports 10143
	sslsplit_run
}

sslsplit_run() {
	bg "$NSR" sslsplit -k "$PKI/corp.key" -c "$PKI/corp.crt" -l "$LAB_TMP/sslsplit.log" \
	    ssl 0.0.0.0 10993 autossl 0.0.0.0 10143
	SSLSPLIT_PID=${LAB_PIDS[${#LAB_PIDS[@]} - 1]}
	wait_port "$NSR" 10993
	wait_port "$NSR" 10143
}

# A new sslsplit in place of one that may have given up.
sslsplit_restart() {
	kill -TERM "$SSLSPLIT_PID" 2>/dev/null || true
	wait "$SSLSPLIT_PID" 2>/dev/null || true
	sslsplit_run
}

sc_intercept_rejected() {
	dovecot_start
	sslsplit_start
	cap_start intercept-rejected
	curl_lab --tls-max 1.2 "imaps://$NAME/" || true
	cap_stop
}

sc_intercept_trusted() {
	dovecot_start
	sslsplit_start
	cap_start intercept-trusted
	pyclient --max12 --cafile "$PKI/corp.crt" "$NAME" 993 || true
	cap_stop
}

# sslsplit's autossl mode now and then loses a connection it is upgrading
# ("readcb called when other end not connected - aborting"), and once a
# later try found nothing listening (refused): the scenario is meant to
# show a successful intercepted STARTTLS, so try again then, with a fresh
# sslsplit.
sc_intercept_starttls() {
	local try
	dovecot_start
	sslsplit_start
	for try in 1 2 3; do
		cap_start intercept-starttls
		if client curl -sS --cacert "$PKI/corp.crt" --ssl-reqd --tls-max 1.2 \
		    -u "$USER_NAME:$USER_PASS" "imap://$NAME/"; then
			cap_stop
			return 0
		fi
		cap_stop
		log "intercept-starttls: the intercepted STARTTLS failed, try $try of 3"
		sslsplit_restart
	done
}

sc_starttls_refused_no() {
	pysrv starttls-no 143
	cap_start starttls-refused-no
	curl_lab --ssl-reqd -u "$USER_NAME:$USER_PASS" "imap://$NAME/" || true
	cap_stop
}

sc_starttls_refused_bad() {
	pysrv starttls-bad 143
	cap_start starttls-refused-bad
	pyclient --starttls --cafile "$PKI/root.crt" "$NAME" 143 || true
	cap_stop
}

# The answer to STARTTLS holds a NUL: imaplib cannot read it and hangs up.
sc_starttls_garbled() {
	pysrv starttls-nul 143
	cap_start starttls-garbled
	pyclient --starttls --cafile "$PKI/root.crt" "$NAME" 143 || true
	cap_stop
}

sc_starttls_not_offered() {
	dovecot_start ssl=no imaps_port=0
	cap_start starttls-not-offered
	curl_lab --ssl-reqd -u "$USER_NAME:$USER_PASS" "imap://$NAME/" || true
	cap_stop
}

# A client that logs in on 143 without ever upgrading: the password
# crosses the network in clear (and must never show in a report).
sc_plaintext_session() {
	dovecot_start
	cap_start plaintext-session
	pyclient --plain "$NAME" 143 || true
	cap_stop
}

# A plaintext IMAP listener configured on 993 by mistake.
sc_plaintext_on_993() {
	dovecot_start imap_port=993 imaps_port=0
	cap_start plaintext-on-993
	s_client -CAfile "$PKI/root.crt" -connect "$NAME:993" || true
	cap_stop
}

# TLS 1.3 clients that do not trust the lab root: gnutls-cli sends its alert
# encrypted, OpenSSL in plaintext.
sc_tls13_rejected_encrypted() {
	dovecot_start
	cap_start tls13-rejected-encrypted
	client gnutls-cli -p 993 "$NAME" </dev/null || true
	cap_stop
}

sc_tls13_rejected_plain() {
	dovecot_start
	cap_start tls13-rejected-plain
	s_client -verify_return_error -connect "$NAME:993" || true
	cap_stop
}

# Server accepts only P-256; OpenSSL clients send an x25519 key share only.
sc_hello_retry() {
	dovecot_start ssl_curve_list=P-256
	cap_start hello-retry
	pyclient --cafile "$PKI/root.crt" "$NAME" 993 || true
	cap_stop
}

sc_snaplen_96() {
	dovecot_start
	cap_start snaplen-96 -s 96
	pyclient --cafile "$PKI/root.crt" "$NAME" 993 || true
	cap_stop
}

# The same session seen on a span port of a tagged access link (VLAN 100).
sc_vlan_tagged() {
	dovecot_start
	vlan_up 100
	CAP_FILTER='not (vlan and ip6 and ip6[6] == 0)' cap_start vlan-tagged
	pyclient --cafile "$PKI/root.crt" "$NAME" 993 || true
	cap_stop
}

# What a client did with a chain decides, not this machine's store
# (doc/certificates.md, "What a rejection looks like"). Each client below
# accepts, or does not judge the chain at all; the analyser, run without
# the lab's root, does not trust the chain.

# imaplib trusts the lab root (a private CA the analyser lacks), logs in
# over TLS 1.2 and reads: the chain was accepted.
sc_cert_private_root_accepted() {
	dovecot_start
	cap_start cert-private-root-accepted
	pyclient --max12 --cafile "$PKI/root.crt" "$NAME" 993 ||
	    die "cert-private-root-accepted: the client did not log in"
	cap_stop
}

# Two certificate grabs: a scanner that reads the server's flight and
# closes without a key exchange or an alert (labgrab.py), and openssl
# s_client -showcerts on an empty input, which completes the handshake
# and sends close_notify at once. Neither rejected anything.
sc_cert_grab() {
	dovecot_start
	cap_start cert-grab
	client "$PY" "$LAB_DIR/labgrab.py" "$NAME" 993 ||
	    die "cert-grab: labgrab.py failed"
	client openssl s_client -showcerts -tls1_2 -servername "$NAME" \
	    -connect "$NAME:993" </dev/null ||
	    die "cert-grab: s_client did not complete the handshake"
	cap_stop
}

# A server whose leaf (valid 2018-06 to 2020-06) chains to a root the
# client trusted then and this machine never did (Lab Old Root, listed in
# pki/trust-history as Mozilla's store lists its roots), recorded with the
# client's clock at 2019-06-01 under faketime, and the capture's
# timestamps moved to the same date (the kernel stamps packets with the
# real time). The client checks the chain at its date and logs in.
OLD_DATE='2019-06-01 12:00:00'
sc_cert_old_root() {
	local real fake
	dovecot_start "ssl_cert=<$PKI/old.crt" "ssl_key=<$PKI/old.key"
	cap_start cert-old-root
	real=$(date -u +%s)
	client faketime -f "@$OLD_DATE" curl -sS --cacert "$PKI/old-root.crt" \
	    --tls-max 1.2 -u "$USER_NAME:$USER_PASS" "imaps://$NAME/" ||
	    die "cert-old-root: the client did not accept the chain in $OLD_DATE"
	cap_stop
	fake=$(date -u -d "$OLD_DATE" +%s)
	editcap -F pcap -t "$((fake - real))" "$CAPDIR/cert-old-root.pcap" \
	    "$LAB_TMP/shifted.pcap"
	mv "$LAB_TMP/shifted.pcap" "$CAPDIR/cert-old-root.pcap"
}
