# mail.sh: lab scenarios for POP3 (RFC 1939; STLS RFC 2595 on 110; implicit
# TLS RFC 8314 on 995) served by Dovecot from the same configuration as
# IMAP, and SMTP (RFC 5321; STARTTLS RFC 3207 on 25 and 587; implicit TLS
# RFC 8314 on 465) served by Postfix. One function per scenario; sourced by
# run. The scenarios of tls.sh, counterparts where the protocol allows.

MAIL_SCENARIOS=(
	pop3-stls-ok pop3s-ok pop3-stls-refused pop3-stls-not-offered
	pop3-plaintext-session pop3-plaintext-on-995 pop3s-cert-chain-incomplete
	smtp-starttls-ok submission-starttls-ok smtps-ok smtp-starttls-not-offered
	smtp-starttls-refused submission-tls-required submission-plaintext-auth
	smtp-tls12-only smtp-cert-chain-incomplete smtp-cert-expired
	smtp-cert-self-signed smtps-plaintext-on-465 smtp-421-closing
	smtp-pipelined-injection smtp-intercept-starttls
	pop3s-version-mismatch-close pop3s-no-shared-cipher-close
	pop3s-tls13-rejected pop3s-hello-retry pop3s-vlan-tagged pop3-snaplen-96
	pop3s-mail-session smtp-version-mismatch-alert smtp-no-shared-cipher-alert
	submission-tls13-rejected smtp-hello-retry smtp-vlan-tagged
	smtp-snaplen-96 submission-mail-session
)

mailclient() {
	client "$PY" "$LAB_DIR/labmail.py" "$@"
}

# POP3 and IMAP from one Dovecot configuration.
pop3_dovecot() {
	dovecot_start pop3_port=110 pop3s_port=995 "$@"
}

sc_pop3_stls_ok() {
	pop3_dovecot
	cap_start pop3-stls-ok
	mailclient pop3 --starttls --cafile "$PKI/root.crt" "$NAME" 110 ||
	    die "pop3-stls-ok: poplib did not log in"
	cap_stop
}

sc_pop3s_ok() {
	pop3_dovecot
	cap_start pop3s-ok
	curl_lab -u "$USER_NAME:$USER_PASS" "pop3s://$NAME/" ||
	    die "pop3s-ok: curl did not list the mailbox"
	cap_stop
}

# TLS off on the server: OpenSSL's client asks for STLS all the same and
# Dovecot answers -ERR; curl reads CAPA first and gives up.
sc_pop3_stls_refused() {
	pop3_dovecot ssl=no imaps_port=0 pop3s_port=0
	cap_start pop3-stls-refused
	s_client -starttls pop3 -connect "$NAME:110" || true
	cap_stop
}

sc_pop3_stls_not_offered() {
	pop3_dovecot ssl=no imaps_port=0 pop3s_port=0
	cap_start pop3-stls-not-offered
	curl_lab --ssl-reqd -u "$USER_NAME:$USER_PASS" "pop3://$NAME/" || true
	cap_stop
}

# USER and PASS in clear on 110 although STLS is offered.
sc_pop3_plaintext_session() {
	pop3_dovecot
	cap_start pop3-plaintext-session
	mailclient pop3 "$NAME" 110 ||
	    die "pop3-plaintext-session: poplib did not log in"
	cap_stop
}

sc_pop3_plaintext_on_995() {
	pop3_dovecot pop3_port=995 pop3s_port=0
	cap_start pop3-plaintext-on-995
	s_client -CAfile "$PKI/root.crt" -connect "$NAME:995" || true
	cap_stop
}

sc_pop3s_cert_chain_incomplete() {
	pop3_dovecot "ssl_cert=<$PKI/leaf.crt"
	cap_start pop3s-cert-chain-incomplete
	curl_lab --tls-max 1.2 -u "$USER_NAME:$USER_PASS" "pop3s://$NAME/" || true
	cap_stop
}

# postfix_start [main.cf setting ...]: a private Postfix in the server
# namespace: its own config, queue and data directories under the temp
# dir, its master in the foreground (master -d; "postfix start" would
# detach, and start-fg refuses to run as anything but PID 1), no chroot,
# its log on stdout (bg.log). smtpd on 25, 587 (submission) and 465
# (implicit TLS); all mail is discarded. POSTFIX_587 and POSTFIX_465 hold
# the -o options of those two services (465: smtpd_tls_wrappermode=yes
# unless told).
postfix_start() {
	local d="$LAB_TMP/postfix" kv q
	rm -rf "$d"
	mkdir -p "$d/etc" "$d/spool/pid" "$d/data"
	chown postfix "$d/data"
	# The queue as postfix-files lays it out.
	for q in active bounce corrupt defer deferred flush hold incoming \
	    private saved trace; do
		mkdir -m 700 "$d/spool/$q"
		chown postfix "$d/spool/$q"
	done
	mkdir -m 730 "$d/spool/maildrop"
	mkdir -m 710 "$d/spool/public"
	chown postfix:postdrop "$d/spool/maildrop" "$d/spool/public"
	cat >"$d/etc/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $d/spool
data_directory = $d/data
mail_owner = postfix
setgid_group = postdrop
maillog_file = /dev/stdout
import_environment = MAIL_CONFIG MAIL_DEBUG MAIL_LOGTAG TZ LANG OPENSSL_CONF
myhostname = mail.lab.example
mydomain = lab.example
myorigin = lab.example
mydestination = lab.example
inet_interfaces = all
inet_protocols = all
mynetworks = 127.0.0.0/8 198.18.0.0/15 [2001:db8::]/32
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtpd_peername_lookup = no
smtp_dns_support_level = disabled
alias_maps =
alias_database =
local_recipient_maps =
default_transport = discard
local_transport = discard
biff = no
smtpd_banner = \$myhostname ESMTP Postfix (Debian/GNU)
smtpd_tls_cert_file = $PKI/leaf-chain.crt
smtpd_tls_key_file = $PKI/leaf.key
smtpd_tls_security_level = may
smtpd_tls_loglevel = 1
smtpd_sasl_type = dovecot
smtpd_sasl_path = $LAB_TMP/dovecot/run/auth-postfix
EOF
	for kv in "$@"; do
		printf '%s\n' "$kv" >>"$d/etc/main.cf"
	done
	cp /etc/postfix/master.cf "$d/etc/master.cf"
	postconf -c "$d/etc" -F '*/*/chroot = n'
	postconf -c "$d/etc" -M# smtp/inet
	postconf -c "$d/etc" -M "25/inet = 25 inet n - n - - smtpd" \
	    "587/inet = 587 inet n - n - - smtpd ${POSTFIX_587:-}" \
	    "465/inet = 465 inet n - n - - smtpd ${POSTFIX_465:--o smtpd_tls_wrappermode=yes}"
	bg "$NSS" env ${SRV_ENV:-} /usr/lib/postfix/sbin/master -c "$d/etc" -d
	wait_port "$NSS" 25
	wait_port "$NSS" 587
	wait_port "$NSS" 465
}

# Dovecot's auth socket for Postfix's SASL (submission scenarios).
sasl_dovecot() {
	DOVECOT_EXTRA="service auth {
  unix_listener auth-postfix {
    mode = 0666
  }
}" dovecot_start
}

# swaks names the host it runs on in its EHLO and Message-Id unless told.
swaks_lab() {
	client swaks --silent 1 --server "$NAME" --helo client.lab.example \
	    --from labuser@lab.example --to postmaster@lab.example \
	    --header "Message-Id: <lab@client.lab.example>" "$@" </dev/null
}

sc_smtp_starttls_ok() {
	postfix_start
	cap_start smtp-starttls-ok
	swaks_lab --port 25 --tls --tls-verify --tls-ca-path "$PKI/root.crt" ||
	    die "smtp-starttls-ok: swaks did not send the message"
	cap_stop
}

sc_submission_starttls_ok() {
	sasl_dovecot
	POSTFIX_587='-o smtpd_tls_security_level=encrypt -o smtpd_sasl_auth_enable=yes' \
	    postfix_start
	cap_start submission-starttls-ok
	mailclient smtp --starttls --login --cafile "$PKI/root.crt" "$NAME" 587 ||
	    die "submission-starttls-ok: smtplib did not send the message"
	cap_stop
}

sc_smtps_ok() {
	postfix_start
	printf 'Subject: lab\r\n\r\nA line.\r\n' >"$LAB_TMP/mail.txt"
	cap_start smtps-ok
	curl_lab --mail-from labuser@lab.example --mail-rcpt postmaster@lab.example \
	    -T "$LAB_TMP/mail.txt" "smtps://$NAME/" ||
	    die "smtps-ok: curl did not send the message"
	cap_stop
}

# No TLS on 25: the EHLO answer lists no STARTTLS and the mail goes in
# clear, as the protocol allows there.
sc_smtp_starttls_not_offered() {
	postfix_start smtpd_tls_security_level=none
	cap_start smtp-starttls-not-offered
	mailclient smtp "$NAME" 25 ||
	    die "smtp-starttls-not-offered: smtplib did not send the message"
	cap_stop
}

# TLS set up with a certificate file Postfix cannot read: it leaves
# STARTTLS out of the EHLO answer and says 454 to a client that asks all
# the same (OpenSSL's client does, "trying anyway").
sc_smtp_starttls_refused() {
	postfix_start "smtpd_tls_cert_file = $LAB_TMP/no-such.crt"
	cap_start smtp-starttls-refused
	s_client -starttls smtp -connect "$NAME:25" || true
	cap_stop
}

# Submission requires TLS (smtpd_tls_security_level=encrypt): a client
# that goes on in clear gets 530 to its MAIL.
sc_submission_tls_required() {
	POSTFIX_587='-o smtpd_tls_security_level=encrypt' postfix_start
	cap_start submission-tls-required
	mailclient smtp "$NAME" 587 || true
	cap_stop
}

# AUTH PLAIN in clear on 587 (TLS offered, not required, AUTH allowed
# without it): the password crosses readable and must never be printed.
sc_submission_plaintext_auth() {
	sasl_dovecot
	POSTFIX_587='-o smtpd_sasl_auth_enable=yes -o smtpd_tls_auth_only=no' \
	    postfix_start
	cap_start submission-plaintext-auth
	swaks_lab --port 587 --auth PLAIN --auth-user "$USER_NAME" \
	    --auth-password "$USER_PASS" ||
	    die "submission-plaintext-auth: swaks did not send the message"
	cap_stop
}

# Postfix limited to TLS 1.2, a client that insists on TLS 1.3.
sc_smtp_tls12_only() {
	postfix_start 'smtpd_tls_protocols = >=TLSv1.2, <=TLSv1.2'
	cap_start smtp-tls12-only
	s_client -starttls smtp -tls1_3 -connect "$NAME:25" || true
	cap_stop
}

sc_smtp_cert_chain_incomplete() {
	postfix_start "smtpd_tls_cert_file = $PKI/leaf.crt"
	cap_start smtp-cert-chain-incomplete
	s_client -starttls smtp -tls1_2 -CAfile "$PKI/root.crt" \
	    -verify_return_error -connect "$NAME:25" || true
	cap_stop
}

sc_smtp_cert_expired() {
	postfix_start "smtpd_tls_cert_file = $PKI/expired-chain.crt" \
	    "smtpd_tls_key_file = $PKI/expired.key"
	cap_start smtp-cert-expired
	s_client -starttls smtp -tls1_2 -CAfile "$PKI/root.crt" \
	    -verify_return_error -connect "$NAME:25" || true
	cap_stop
}

sc_smtp_cert_self_signed() {
	postfix_start "smtpd_tls_cert_file = $PKI/selfsigned.crt" \
	    "smtpd_tls_key_file = $PKI/selfsigned.key"
	cap_start smtp-cert-self-signed
	s_client -starttls smtp -tls1_2 -CAfile "$PKI/root.crt" \
	    -verify_return_error -connect "$NAME:25" || true
	cap_stop
}

# 465 configured without wrappermode: a plaintext banner to a client that
# speaks TLS first.
sc_smtps_plaintext_on_465() {
	POSTFIX_465=' ' postfix_start
	cap_start smtps-plaintext-on-465
	s_client -CAfile "$PKI/root.crt" -connect "$NAME:465" || true
	cap_stop
}

# One error allowed: Postfix says 421 and hangs up.
sc_smtp_421_closing() {
	postfix_start smtpd_hard_error_limit=1 smtpd_soft_error_limit=1
	cap_start smtp-421-closing
	mailclient smtp-errors "$NAME" 25 || true
	cap_stop
}

# STARTTLS and RSET in one segment (CVE-2011-0411's pattern): Postfix
# discards what follows STARTTLS; the analyser counts it.
sc_smtp_pipelined_injection() {
	postfix_start
	cap_start smtp-pipelined-injection
	mailclient smtp-inject --cafile "$PKI/root.crt" "$NAME" 25 || true
	cap_stop
}

# sslsplit's autossl mode on the router upgrades SMTP STARTTLS as it does
# IMAP's, re-signing with the corporate root the client trusts; TLS 1.2 so
# that the forged chain is visible. autossl now and then loses a
# connection it upgrades (see sc_intercept_starttls): try again then.
sc_smtp_intercept_starttls() {
	local try
	postfix_start
	in_r iptables -t nat -A PREROUTING -i r0 -p tcp --dport 25 -j REDIRECT --to-ports 10143
	in_r iptables -t nat -A PREROUTING -i r0 -p tcp --dport 993 -j REDIRECT --to-ports 10993
	sslsplit_run
	for try in 1 2 3; do
		cap_start smtp-intercept-starttls
		if mailclient smtp --starttls --max12 --cafile "$PKI/corp.crt" \
		    "$NAME" 25; then
			cap_stop
			return 0
		fi
		cap_stop
		log "smtp-intercept-starttls: the intercepted STARTTLS failed," \
		    "try $try of 3"
		sslsplit_restart
	done
}

# The counterparts of tls.sh's handshake failures. Dovecot rejects a
# ClientHello with a bare FIN, Postfix (OpenSSL's own I/O) with an alert:
# the POP3 ones show the close, the SMTP ones the alert.

# A TLS 1.0-only Dovecot on 995 and a client whose floor is TLS 1.2.
sc_pop3s_version_mismatch_close() {
	tls10_env
	pop3_dovecot ssl_min_protocol=TLSv1 'ssl_cipher_list=DEFAULT:@SECLEVEL=0'
	SRV_ENV=
	cap_start pop3s-version-mismatch-close
	curl_lab --tlsv1.2 -u "$USER_NAME:$USER_PASS" "pop3s://$NAME/" || true
	cap_stop
}

# Only the legacy kRSA suite AES256-SHA, TLS 1.2 at most, on 995; poplib
# with ECDHE AEAD suites only (and TLS 1.3).
sc_pop3s_no_shared_cipher_close() {
	tls12_env
	pop3_dovecot ssl_cipher_list=AES256-SHA
	SRV_ENV=
	cap_start pop3s-no-shared-cipher-close
	mailclient pop3 --tls --ciphers "$HARDENED" --cafile "$PKI/root.crt" \
	    "$NAME" 995 || true
	cap_stop
}

# A TLS 1.3 client that does not trust the lab root: gnutls-cli sends its
# alert encrypted, right after the server's encrypted flight.
sc_pop3s_tls13_rejected() {
	pop3_dovecot
	cap_start pop3s-tls13-rejected
	client gnutls-cli -p 995 "$NAME" </dev/null || true
	cap_stop
}

# Dovecot accepts only P-256; OpenSSL's client sends an x25519 share only.
sc_pop3s_hello_retry() {
	pop3_dovecot ssl_curve_list=P-256
	cap_start pop3s-hello-retry
	mailclient pop3 --tls --cafile "$PKI/root.crt" "$NAME" 995 ||
	    die "pop3s-hello-retry: poplib did not log in"
	cap_stop
}

# pop3s-ok's kind of session on a link tagged with VLAN 100.
sc_pop3s_vlan_tagged() {
	pop3_dovecot
	vlan_up 100
	CAP_FILTER='not (vlan and ip6 and ip6[6] == 0)' cap_start pop3s-vlan-tagged
	mailclient pop3 --tls --cafile "$PKI/root.crt" "$NAME" 995 ||
	    die "pop3s-vlan-tagged: poplib did not log in"
	cap_stop
}

# A poplib STLS session recorded with 96 bytes a frame: the short POP3
# lines fit, the CAPA answer and every TLS record past its first bytes not.
sc_pop3_snaplen_96() {
	pop3_dovecot
	cap_start pop3-snaplen-96 -s 96
	mailclient pop3 --starttls --cafile "$PKI/root.crt" "$NAME" 110 ||
	    die "pop3-snaplen-96: poplib did not log in"
	cap_stop
}

# A user reading mail over POP3S: poplib downloads the whole INBOX (12
# messages, 462 KB, mkmail.py), checks every size against LIST, QUITs and
# lets Dovecot close first. A larger capture buffer keeps tcpdump from
# dropping.
sc_pop3s_mail_session() {
	pop3_dovecot inbox=12
	cap_start pop3s-mail-session -B 16384
	mailclient pop3 --tls --read --cafile "$PKI/root.crt" "$NAME" 995 ||
	    die "pop3s-mail-session: poplib did not read the INBOX"
	cap_stop
	grep -q '^0 packets dropped by kernel' "$LAB_TMP/tcpdump.err" ||
	    die "pop3s-mail-session: tcpdump lost packets: $(cat "$LAB_TMP/tcpdump.err")"
}

# Postfix limited to TLS 1.0 (OPENSSL_CONF and smtpd_tls_protocols), and
# curl with a floor of TLS 1.2 (--tlsv1.2: swaks, smtplib and curl itself
# offer TLS 1.0 too and then fail on its signature algorithm instead, as
# in tls10-server-default-client).
sc_smtp_version_mismatch_alert() {
	tls10_env
	postfix_start 'smtpd_tls_protocols = >=TLSv1, <=TLSv1'
	SRV_ENV=
	printf 'Subject: lab\r\n\r\nA line.\r\n' >"$LAB_TMP/mail.txt"
	cap_start smtp-version-mismatch-alert
	curl_lab --ssl-reqd --tlsv1.2 --mail-from labuser@lab.example \
	    --mail-rcpt postmaster@lab.example -T "$LAB_TMP/mail.txt" \
	    "smtp://$NAME/" || true
	cap_stop
}

# Postfix with the legacy kRSA suite AES256-SHA only (its opportunistic
# "medium" list), TLS 1.2 at most; smtplib with ECDHE AEAD suites only.
sc_smtp_no_shared_cipher_alert() {
	postfix_start 'smtpd_tls_protocols = >=TLSv1.2, <=TLSv1.2' \
	    'tls_medium_cipherlist = AES256-SHA'
	cap_start smtp-no-shared-cipher-alert
	mailclient smtp --starttls --ciphers "$HARDENED" --cafile "$PKI/root.crt" \
	    "$NAME" 25 || true
	cap_stop
}

# gnutls-cli's STARTTLS on 587, without the lab root: it aborts after the
# encrypted flight with an encrypted alert.
sc_submission_tls13_rejected() {
	postfix_start
	cap_start submission-tls13-rejected
	client gnutls-cli --starttls-proto=smtp -p 587 "$NAME" </dev/null || true
	cap_stop
}

# Postfix offers P-256 only; smtplib's OpenSSL sends an x25519 share only.
sc_smtp_hello_retry() {
	postfix_start 'tls_eecdh_auto_curves = prime256v1'
	cap_start smtp-hello-retry
	mailclient smtp --starttls --cafile "$PKI/root.crt" "$NAME" 25 ||
	    die "smtp-hello-retry: smtplib did not send the message"
	cap_stop
}

# smtp-starttls-ok on a link tagged with VLAN 100.
sc_smtp_vlan_tagged() {
	postfix_start
	vlan_up 100
	CAP_FILTER='not (vlan and ip6 and ip6[6] == 0)' cap_start smtp-vlan-tagged
	swaks_lab --port 25 --tls --tls-verify --tls-ca-path "$PKI/root.crt" ||
	    die "smtp-vlan-tagged: swaks did not send the message"
	cap_stop
}

# smtp-starttls-ok recorded with 96 bytes a frame: the EHLO answer and
# the TLS records are cut.
sc_smtp_snaplen_96() {
	postfix_start
	cap_start smtp-snaplen-96 -s 96
	swaks_lab --port 25 --tls --tls-verify --tls-ca-path "$PKI/root.crt" ||
	    die "smtp-snaplen-96: swaks did not send the message"
	cap_stop
}

# A user sending mail: smtplib on 587, STARTTLS, AUTH PLAIN, then six
# messages (88 KB, mkmail.py's first six, attachments among them) in one
# session; QUIT, and Postfix closes first.
sc_submission_mail_session() {
	local made
	sasl_dovecot
	POSTFIX_587='-o smtpd_tls_security_level=encrypt -o smtpd_sasl_auth_enable=yes' \
	    postfix_start
	made=$("$PY" "$LAB_DIR/mkmail.py" --count 6 "$LAB_TMP/outbox")
	log "outbox: $made"
	cap_start submission-mail-session -B 16384
	mailclient smtp --starttls --login --send "$LAB_TMP/outbox" \
	    --cafile "$PKI/root.crt" "$NAME" 587 ||
	    die "submission-mail-session: smtplib did not send the messages"
	cap_stop
	grep -q '^0 packets dropped by kernel' "$LAB_TMP/tcpdump.err" ||
	    die "submission-mail-session: tcpdump lost packets: $(cat "$LAB_TMP/tcpdump.err")"
}
