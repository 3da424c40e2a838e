# tcp.sh: lab scenarios for TCP outcomes (RFC 9293) of IMAP over TLS
# connections (RFC 8314). One function per scenario; sourced by run.

# A full IMAPS session: TLS 1.3 handshake, LOGIN, LOGOUT, server closes.
sc_tcp_fin() {
	dovecot_start
	cap_start tcp-fin
	pyclient --cafile "$PKI/root.crt" "$NAME" 993 || true
	cap_stop
}

sc_tcp_refused() {
	cap_start tcp-refused
	client curl -sS --cacert "$PKI/root.crt" "imaps://$NAME/" || true
	cap_stop
}

# The router swallows SYNs to 993; the client gives up after 3 s.
sc_tcp_no_answer() {
	dovecot_start
	in_r iptables -A FORWARD -i r0 -p tcp --dport 993 --syn -j DROP
	cap_start tcp-no-answer
	client curl -sS --connect-timeout 3 --cacert "$PKI/root.crt" \
	    "imaps://$NAME/" || true
	cap_stop
}

# An IPS on the router kills the first big client segment (the ClientHello)
# with a forged RST to the client, then blackholes the rest of that flow.
sc_tcp_rst_middlebox() {
	dovecot_start
	local hit=(-i r0 -p tcp --dport 993 -m length --length 100:65535)
	in_r iptables -A FORWARD -m connmark --mark 1 -j DROP
	in_r iptables -A FORWARD "${hit[@]}" -j CONNMARK --set-mark 1
	in_r iptables -A FORWARD "${hit[@]}" -j REJECT --reject-with tcp-reset
	cap_start tcp-rst-middlebox
	client curl -sS --cacert "$PKI/root.crt" "imaps://$NAME/" || true
	cap_stop
}

# The server reads the ClientHello and aborts the connection.
sc_tcp_rst_server() {
	pysrv rst
	cap_start tcp-rst-server
	client curl -sS --cacert "$PKI/root.crt" "imaps://$NAME/" || true
	cap_stop
}

# The server accepts and never answers the ClientHello; the client waits 3 s.
sc_tls_timeout() {
	pysrv silent
	cap_start tls-timeout
	client timeout 3 curl -sS --cacert "$PKI/root.crt" "imaps://$NAME/" || true
	cap_stop
}

sc_tcp_fin_ipv6() {
	dovecot_start
	lab_hosts "$SRV6"
	cap_start tcp-fin-ipv6
	pyclient --cafile "$PKI/root.crt" "$NAME" 993 || true
	cap_stop
}

# One session recorded by a rotating tcpdump (-G 2): the pause between LOGIN
# and LOGOUT moves the end of the connection into the second file.
sc_rotated() {
	dovecot_start
	CAP_SUFFIX=-%s cap_start rotated -G 2
	pyclient --pause 2.5 --cafile "$PKI/root.crt" "$NAME" 993 || true
	cap_stop
}

# Many connections at once: sessions, a refusal, silence, a mute server and a
# client that rejects the certificate, interleaved on one link.
sc_mixed() {
	dovecot_start listen=$SRV4
	pysrv silent 993 198.18.2.13
	in_r iptables -A FORWARD -i r0 -d 198.18.2.12 -p tcp --syn -j DROP
	cap_start mixed
	local py=("$PY" "$LAB_DIR/labclient.py" --cafile "$PKI/root.crt")
	local curl=(curl -sS --cacert "$PKI/root.crt")
	bgc "${py[@]}" "$NAME" 993
	bgc "${py[@]}" --starttls "$NAME" 143
	bgc "${curl[@]}" --connect-to "::198.18.2.11:" "imaps://$NAME/"
	bgc "${curl[@]}" --connect-timeout 3 --connect-to "::198.18.2.12:" "imaps://$NAME/"
	bgc timeout 3 "${curl[@]}" --connect-to "::198.18.2.13:" "imaps://$NAME/"
	bgc curl -sS "imaps://$NAME/"
	bgc "${curl[@]}" --ssl-reqd -u "$USER_NAME:$USER_PASS" "imap://$NAME/INBOX?ALL"
	wait_clients
	cap_stop
}
