# field.sh: lab scenarios of captures as they really arrive from the field
# (IMAP over TLS, RFC 8314; STARTTLS, RFC 2595): one direction only, a
# capture started late, loss and reordering, port scans, clients that
# fail on their own and connections on one host's loopback. One function
# per scenario; sourced by run after tls.sh (it uses its clients).
#
# This kernel has no netem, no gact and no prio qdisc, but it has tc
# mirred, u32, cls_bpf and htb, and iptables' statistic match: a span port
# is tc mirred on the router; loss is an iptables rule or the span port's
# eBPF filter dropping a fixed share, deterministic (every Nth packet);
# delay and reordering are a slow htb lane on the router; a capture that
# starts inside the server's flight has a server that writes it slowly.
# Timed scenarios check the shape of what they recorded and try again.

FIELD_CLIENT=$LAB_DIR/fieldclient.py

# The chains of these scenarios end in this run's root; field-root.crt
# beside the other anchors lets the captures verify when they are made
# apart from the rest (the same file as lab-root-ca.crt in a full run).
field_anchor() {
	cp "$PKI/root.crt" "$PKIOUT/field-root.crt"
}

# cap_on NS IF NAME [tcpdump options]: cap_start's capture, recorded on
# another interface of another namespace (tcpdump takes its last -i).
cap_on() {
	local ns=$1 ifc=$2 name=$3
	shift 3
	NSC=$ns cap_start "$name" "$@" -i "$ifc"
}

# A client run on the server's host itself (its loopback).
srv_client() {
	timeout "${CLIENT_TIMEOUT:-8}" ip netns exec "$NSS" "$@" >>"$LAB_TMP/client.log"
}

# A bigger server chain, as a commercial CA's with many names: an RSA 4096
# leaf for imap.lab.example and 150 more names, signed by the lab's issuing
# CA through mkpki's own CA database (the leaf starts a day before the run,
# like mkpki's: a leaf minted seconds before the capture is a sign of an
# inspection proxy), then that CA. The TLS 1.2 flight (ServerHello to
# ServerHelloDone) is 6.4 KB: five segments.
field_bigchain() {
	[ -f "$PKI/big-chain.crt" ] && return 0
	local san="DNS:$NAME" i now
	for ((i = 1; i <= 150; i++)); do
		san="$san,DNS:mbox$i.$NAME"
	done
	now=$(date -u +%s)
	(
		cd "$PKI"
		openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:4096 \
		    -out big.key
		openssl req -new -key big.key -subj "/CN=$NAME" -out big.csr
		printf '%s\n' "basicConstraints = critical, CA:false" \
		    "keyUsage = critical, digitalSignature, keyEncipherment" \
		    "extendedKeyUsage = serverAuth" "subjectAltName = $san" >big.ext
		openssl ca -batch -notext -config ca.cnf -cert inter.crt \
		    -keyfile inter.key -md sha256 -extfile big.ext \
		    -startdate "$(date -u -d "@$((now - 86400))" +%Y%m%d%H%M%SZ)" \
		    -enddate "$(date -u -d "@$((now + 3650 * 86400))" +%Y%m%d%H%M%SZ)" \
		    -in big.csr -out big.crt 2>/dev/null
		cat big.crt inter.crt >big-chain.crt
		rm -f big.csr big.ext
	)
}

dovecot_big() {
	field_bigchain
	dovecot_start "ssl_cert=<$PKI/big-chain.crt" "ssl_key=<$PKI/big.key" "$@"
}

# span_up HOOK...: a span port on the router. tc mirred copies the frames
# that cross r0 (the client's link) to veth m0, and the capture listens on
# its peer m1: hook ingress copies the client-to-server direction, egress
# the server-to-client one, both a full span. m0 and m1 have no address,
# no ARP and no IPv6, so nothing but the copies crosses them.
span_up() {
	local i hook
	ip -n "$NSR" link add m0 type veth peer name m1
	for i in m0 m1; do
		in_r sysctl -qw "net.ipv6.conf.$i.disable_ipv6=1"
		no_offload "$NSR" "$i"
		ip -n "$NSR" link set "$i" arp off up
	done
	in_r tc qdisc add dev r0 clsact
	for hook in "$@"; do
		in_r tc filter add dev r0 "$hook" protocol all u32 match u32 0 0 \
		    action mirred egress mirror dev m0
	done
}

# lossy_span_up EVERY: a span port of both directions that loses every
# EVERY-th segment carrying data, in each direction (span.bpf.c).
lossy_span_up() {
	local inc="-I/usr/include/$(uname -m)-linux-gnu" hook idx
	span_up
	idx=$(in_r cat /sys/class/net/m0/ifindex)
	clang -O2 -target bpf -mcpu=v3 "$inc" "-DSPAN_IFINDEX=$idx" "-DSPAN_EVERY=$1" \
	    -c "$LAB_DIR/span.bpf.c" -o "$LAB_TMP/span.o"
	for hook in ingress egress; do
		in_r tc filter add dev r0 "$hook" bpf direct-action \
		    obj "$LAB_TMP/span.o" sec tc
	done
}

# wait_sock NS STATE PORT: until a socket of NS is in STATE towards PORT.
wait_sock() {
	local i
	for ((i = 0; i < 100; i++)); do
		ip netns exec "$1" ss -Htn state "$2" "dport = :$3" | grep -q . &&
		    return 0
		sleep 0.05
	done
	die "no socket in state $2 towards port $3 in $1"
}

# slow_lane RATE U32-MATCH...: an htb lane of RATE on the router's link to
# the client for the TCP packets the u32 match picks (and for UDP, below);
# everything else passes at once.
slow_lane() {
	local rate=$1
	shift
	in_r tc qdisc add dev r0 root handle 1: htb default 1 r2q 1000
	in_r tc class add dev r0 parent 1: classid 1:1 htb rate 1gbit
	in_r tc class add dev r0 parent 1: classid 1:2 htb rate "$rate" \
	    burst 1 cburst 1 quantum 1514
	in_r tc filter add dev r0 parent 1: protocol ip prio 1 u32 \
	    match ip protocol 6 0xff "$@" flowid 1:2
	in_r tc filter add dev r0 parent 1: protocol ip prio 2 u32 \
	    match ip protocol 17 0xff flowid 1:2
}

# prime_lane SIZE: htb lets a class's first packet through on its initial
# tokens; a UDP datagram of SIZE bytes from the router to the client's
# discard port takes the slow lane first and leaves it in debt (SIZE + 42
# bytes at its rate), so the packet that follows waits. Not captured: it
# goes before tcpdump starts.
prime_lane() {
	in_r "$PY" -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(bytes(int(sys.argv[1])), ("198.18.1.2", 9))' "$1"
	sleep 0.1
}

# count_frames FILE FILTER: frames of a capture that match a tshark filter.
count_frames() {
	tshark -r "$1" -Y "$2" 2>/dev/null | wc -l
}

# --- 1. one direction only (issue 12) ---

# A span port that copies only what the client sends (the router's ingress
# on the client's link): a TLS 1.3 and a TLS 1.2 IMAPS session, LOGIN and
# LOGOUT, one after the other.
sc_oneway_c2s() {
	field_anchor
	dovecot_start
	span_up ingress
	cap_on "$NSR" m1 oneway-c2s
	pyclient --cafile "$PKI/root.crt" "$NAME" 993 || true
	pyclient --max12 --cafile "$PKI/root.crt" "$NAME" 993 || true
	cap_stop
}

# The same two sessions, the span copying only what the server sends.
sc_oneway_s2c() {
	field_anchor
	dovecot_start
	span_up egress
	cap_on "$NSR" m1 oneway-s2c
	pyclient --cafile "$PKI/root.crt" "$NAME" 993 || true
	pyclient --max12 --cafile "$PKI/root.crt" "$NAME" 993 || true
	cap_stop
}

# --- 2. a capture started late (issue 12) ---

# Started between the SYN and the SYN-ACK: a slow lane of 1 kbit/s, primed
# with 0.8 s of debt, holds the SYN-ACK for about 0.6 s (less than the
# client's 1 s before it repeats its SYN); tcpdump starts once the client's
# socket is in SYN-SENT. Then a TLS 1.3 session. A capture that still got
# a SYN (tcpdump slow to start) is made again.
sc_late_synack() {
	local f try
	dovecot_start
	slow_lane 1kbit match u8 0x12 0xff at 33
	for try in 1 2 3; do
		prime_lane 58
		bgc "$PY" "$FIELD_CLIENT" --cafile "$PKI/root.crt" "$NAME" 993
		wait_sock "$NSC" syn-sent 993
		cap_start late-synack
		wait_clients
		cap_stop
		f=$CAPDIR/late-synack.pcap
		if [ "$(count_frames "$f" 'tcp.flags.syn == 1 && tcp.flags.ack == 0')" = 0 ] &&
		    [ "$(count_frames "$f" 'tcp.flags.syn == 1 && tcp.flags.ack == 1')" = 1 ]; then
			return 0
		fi
		log "late-synack: the capture did not start at the SYN-ACK, try $try of 3"
		sleep 1
	done
	die "late-synack: no capture started at the SYN-ACK"
}

# Started after the TCP handshake: the client connects, waits 2 s, then
# starts TLS 1.3; tcpdump starts once TCP is up.
sc_late_established() {
	local f
	dovecot_start
	bgc "$PY" "$FIELD_CLIENT" --cafile "$PKI/root.crt" --connect-pause 2 \
	    "$NAME" 993
	wait_sock "$NSC" established 993
	cap_start late-established
	wait_clients
	cap_stop
	f=$CAPDIR/late-established.pcap
	[ "$(count_frames "$f" 'tcp.flags.syn == 1')" = 0 ] &&
	    [ "$(count_frames "$f" 'tls.handshake.type == 1')" = 1 ] ||
	    die "late-established: the capture does not start before the ClientHello"
}

# Started in the middle of the server's TLS 1.2 flight (the big chain):
# fieldsrv.py writes the first 1000 bytes of it (the ServerHello and the
# start of the Certificate), waits 1.5 s, then writes the rest; tcpdump
# starts 0.5 s after TCP is up, in that pause. A capture that does not
# start there (tcpdump slow to start) is made again.
sc_late_midflight() {
	local f try
	field_anchor
	field_bigchain
	bg "$NSS" "$PY" "$LAB_DIR/fieldsrv.py" "$PKI/big-chain.crt" "$PKI/big.key" \
	    0.0.0.0 993 1000 1.5
	wait_port "$NSS" 993
	for try in 1 2 3; do
		bgc "$PY" "$FIELD_CLIENT" --max12 --cafile "$PKI/root.crt" "$NAME" 993
		wait_sock "$NSC" established 993
		sleep 0.5
		cap_start late-midflight
		wait_clients
		cap_stop
		f=$CAPDIR/late-midflight.pcap
		if [ "$(count_frames "$f" 'tcp.flags.syn == 1 || tls.handshake.type == 1 || tls.handshake.type == 2')" = 0 ] &&
		    [ "$(count_frames "$f" 'tcp.srcport == 993 && tcp.len > 1000')" -ge 2 ]; then
			return 0
		fi
		log "late-midflight: the capture did not start inside the flight, try $try of 3"
	done
	die "late-midflight: no capture started inside the server's flight"
}

# --- 3. loss and reordering (issue 12) ---

# Loss in the network: the router drops every 4th TCP packet of each
# direction (iptables statistic, nth: no randomness). The capture, next to
# the client, sees the client's segments the router then drops and the
# server's retransmissions. TLS 1.2 with the big chain.
sc_lossy_path() {
	field_anchor
	dovecot_big
	in_r iptables -A FORWARD -i r1 -p tcp -m statistic --mode nth \
	    --every 4 --packet 3 -j DROP
	in_r iptables -A FORWARD -i r0 -p tcp -m statistic --mode nth \
	    --every 4 --packet 3 -j DROP
	cap_start lossy-path
	CLIENT_TIMEOUT=30 pyclient --max12 --cafile "$PKI/root.crt" "$NAME" 993 ||
	    die "lossy-path: the session did not survive the loss"
	cap_stop
}

# Loss in the capture: the network is clean, but the span port loses every
# 4th segment that carries data, in each direction (span.bpf.c), so the
# capture misses bytes that both ends got. TLS 1.2 with the big chain.
sc_lossy_span() {
	field_anchor
	dovecot_big
	lossy_span_up 4
	cap_on "$NSR" m1 lossy-span
	pyclient --max12 --cafile "$PKI/root.crt" "$NAME" 993 ||
	    die "lossy-span: the session failed"
	cap_stop
}

# Reordering: the router holds the segment that carries the ServerHello
# (TLS 1.2, the big chain) in a slow lane for about half a second while the
# rest of the flight overtakes it. u32 finds it by its first payload bytes
# (16 03 03 .. .. 02: a handshake record opening with a ServerHello) after
# a 20-byte IPv4 and a 32-byte TCP header (timestamps); the server's
# retransmission of it takes the same lane.
sc_reorder() {
	field_anchor
	dovecot_big
	slow_lane 20kbit match u32 0x16030300 0xffffff00 at 52 \
	    match u8 0x02 0xff at 57
	prime_lane 1400
	cap_start reorder
	pyclient --max12 --cafile "$PKI/root.crt" "$NAME" 993 ||
	    die "reorder: the session failed"
	cap_stop
}

# --- 4. port scans (issue 12) ---

# nmap from the client's address against the mail ports of the server:
# Dovecot listens on 143 and 993, the others are closed.
SCAN_PORTS=25,110,143,465,587,993,995
nmap_lab() {
	client nmap -n -Pn --reason -p "$SCAN_PORTS" "$@" "$SRV4"
}

sc_scan_syn() {
	dovecot_start
	cap_start scan-syn
	nmap_lab -sS || die "scan-syn: nmap failed"
	cap_stop
}

sc_scan_connect() {
	dovecot_start
	cap_start scan-connect
	nmap_lab -sT || die "scan-connect: nmap failed"
	cap_stop
}

sc_scan_fin_null_xmas() {
	dovecot_start
	cap_start scan-fin-null-xmas
	nmap_lab -sF || die "scan-fin-null-xmas: nmap -sF failed"
	nmap_lab -sN || die "scan-fin-null-xmas: nmap -sN failed"
	nmap_lab -sX || die "scan-fin-null-xmas: nmap -sX failed"
	cap_stop
}

# --- 5. a refused STARTTLS, then a ClientHello all the same (issue 13) ---

# openssl s_client -starttls imap does not read the answer to STARTTLS: it
# sends its ClientHello after the server's BAD. The scripted server reads
# that as a command line (and may answer it); the client gives up after 3 s.
sc_starttls_refused_then_hello() {
	pysrv starttls-bad 143
	cap_start starttls-refused-then-hello
	CLIENT_TIMEOUT=3 client openssl s_client -starttls imap -servername "$NAME" \
	    -connect "$NAME:143" </dev/null || true
	cap_stop
}

# --- 6. clients that cannot meet a modern server (issue 13) ---

# openssl s_server (it sends alerts) limited to TLS 1.2 and 1.3, as a
# modern server is; a client limited to TLS 1.0.
sc_client_tls10_only() {
	SRV_ENV=OPENSSL_CONF=$(openssl_conf min12 TLSv1.2 TLSv1.3)
	s_server_start 993
	SRV_ENV=
	cap_start client-tls10-only
	s_client -tls1 -cipher 'DEFAULT:@SECLEVEL=0' -connect "$NAME:993" || true
	cap_stop
}

# The same client against s_server with Debian's defaults: OpenSSL 3 takes
# TLS 1.0 but, at its default security level, has no signature algorithm
# for it ("no suitable signature algorithm") and answers internal_error.
sc_client_tls10_seclevel() {
	s_server_start 993
	cap_start client-tls10-seclevel
	s_client -tls1 -cipher 'DEFAULT:@SECLEVEL=0' -connect "$NAME:993" || true
	cap_stop
}

# The same server; a client that offers only a NULL suite (no encryption).
sc_client_null_only() {
	s_server_start 993
	cap_start client-null-only
	s_client -tls1_2 -cipher 'NULL-SHA256:@SECLEVEL=0' -connect "$NAME:993" || true
	cap_stop
}

# --- 7. a TLS 1.0-only server and OpenSSL 3 clients (issue 13) ---

# The TLS 1.0-only s_server of version-mismatch-alert; s_client with its
# defaults.
sc_tls10_server_default_client() {
	field_anchor
	tls10_env
	s_server_start 993 -cipher 'DEFAULT:@SECLEVEL=0'
	SRV_ENV=
	cap_start tls10-server-default-client
	s_client -connect "$NAME:993" || true
	cap_stop
}

# The same server; s_client -tls1 at its default security level.
sc_tls10_server_tls1_client() {
	field_anchor
	tls10_env
	s_server_start 993 -cipher 'DEFAULT:@SECLEVEL=0'
	SRV_ENV=
	cap_start tls10-server-tls1-client
	s_client -tls1 -connect "$NAME:993" || true
	cap_stop
}

# --- 8. one host's loopback (issue 13) ---

# Client and Dovecot on the server host, over 127.0.0.1, recorded on its
# lo: TLS 1.3, LOGIN, CAPABILITY, then the client aborts (SO_LINGER 0).
sc_loopback_rst() {
	dovecot_start
	cap_on "$NSS" lo loopback-rst
	srv_client "$PY" "$FIELD_CLIENT" --cafile "$PKI/root.crt" --end abort \
	    127.0.0.1 993 || die "loopback-rst: the client failed"
	cap_stop
}

# Over ::1: after LOGIN the client closes (FIN, no close_notify); Dovecot's
# close_notify in answer reaches a closed socket, and the client's kernel
# answers it with RST.
sc_loopback_fin_rst() {
	dovecot_start
	cap_on "$NSS" lo loopback-fin-rst
	srv_client "$PY" "$FIELD_CLIENT" --cafile "$PKI/root.crt" --end fin \
	    ::1 993 || die "loopback-fin-rst: the client failed"
	cap_stop
}
