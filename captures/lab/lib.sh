# lib.sh: namespaces, capture and servers shared by the lab scenarios
# (IMAP over TLS, RFC 9051 + RFC 8314; STARTTLS, RFC 2595). Sourced by run.
#
# Topology, rebuilt for every scenario:
#   client 198.18.1.2 2001:db8:1::2 (c0) -- (r0) router (r1) -- (s0) server
#   198.18.2.10..13 2001:db8:2::10
# The router forwards and takes 5 extra hops off the server's TTL, so the
# server looks far away and anything the router forges stands out.

LAB_IDS=${LAB_IDS:-tla-$$}
NSC=$LAB_IDS-client
NSR=$LAB_IDS-router
NSS=$LAB_IDS-server
SRV4=198.18.2.10
SRV6=2001:db8:2::10
NAME=imap.lab.example
USER_NAME=labuser
USER_PASS=labpass
PY=/usr/bin/python3
LAB_PIDS=()
CAP_PID=
CAP_OUT=

log() {
	printf '[lab] %s\n' "$*" >&2
}

die() {
	log "error: $*"
	exit 1
}

in_r() { ip netns exec "$NSR" "$@"; }

# Every client runs under timeout so no scenario can hang; what clients
# print goes to a log, their errors stay on the terminal.
client() {
	timeout "${CLIENT_TIMEOUT:-8}" ip netns exec "$NSC" "$@" >>"$LAB_TMP/client.log"
}

# bg NS CMD...: start a long-lived process in a namespace and remember it.
bg() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@" >>"$LAB_TMP/bg.log" 2>&1 &
	LAB_PIDS+=($!)
}

# Stop the processes this run started, newest first, by their ids.
kill_bg() {
	local i pid
	for ((i = ${#LAB_PIDS[@]} - 1; i >= 0; i--)); do
		pid=${LAB_PIDS[i]}
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in "${LAB_PIDS[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	LAB_PIDS=()
}

# Delete this run's namespaces, killing whatever still lives in them.
ns_down() {
	local ns pid
	for ns in "$NSC" "$NSR" "$NSS"; do
		ip netns list | grep -qw "^$ns" || continue
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null || true
		done
		ip netns del "$ns" 2>/dev/null || true
		rm -rf "/etc/netns/$ns"
	done
}

topo_down() {
	if [ -n "$CAP_PID" ]; then
		kill -INT "$CAP_PID" 2>/dev/null || true
		wait "$CAP_PID" 2>/dev/null || true
		CAP_PID=
	fi
	kill_bg
	ns_down
	# Why Dovecot refused a handshake is only in its log, never on the wire.
	if [ -f "$LAB_TMP/dovecot/dovecot.log" ]; then
		grep -o 'Disconnected.*' "$LAB_TMP/dovecot/dovecot.log" |
		    sed 's/^/[lab] dovecot: /' >&2 || true
		rm -f "$LAB_TMP/dovecot/dovecot.log"
	fi
}

lab_cleanup() {
	local rc=$?
	trap - EXIT ERR INT TERM
	topo_down
	if [ -n "${LAB_KEEP:-}" ]; then
		log "kept $LAB_TMP"
	elif [ -n "${LAB_TMP:-}" ]; then
		rm -rf "$LAB_TMP"
	fi
	exit "$rc"
}

# Span-port realism: real NICs hand the wire full-sized, checksummed frames.
no_offload() {
	ip netns exec "$1" ethtool -K "$2" tx off tso off gso off gro off \
	    >/dev/null 2>&1 || true
}

topo_up() {
	local ns ns_if a
	for ns in "$NSC" "$NSR" "$NSS"; do
		ip netns add "$ns"
		ip -n "$ns" link set lo up
		# No link-local DAD or router solicitations: less noise on the link.
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_ra=0 \
		    net.ipv6.conf.default.accept_ra=0 \
		    net.ipv6.conf.default.router_solicitations=0 \
		    net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
	done
	# Forwarding on before the links exist: the router starts in router mode.
	in_r sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	ip link add c0 netns "$NSC" type veth peer name r0 netns "$NSR"
	ip link add s0 netns "$NSS" type veth peer name r1 netns "$NSR"

	ip -n "$NSC" addr add 198.18.1.2/24 dev c0
	ip -n "$NSC" addr add 2001:db8:1::2/64 dev c0 nodad
	ip -n "$NSR" addr add 198.18.1.1/24 dev r0
	ip -n "$NSR" addr add 2001:db8:1::1/64 dev r0 nodad
	ip -n "$NSR" addr add 198.18.2.1/24 dev r1
	ip -n "$NSR" addr add 2001:db8:2::1/64 dev r1 nodad
	for a in 10 11 12 13; do
		ip -n "$NSS" addr add "198.18.2.$a/24" dev s0
	done
	ip -n "$NSS" addr add "$SRV6/64" dev s0 nodad
	for ns_if in "$NSC c0" "$NSR r0" "$NSR r1" "$NSS s0"; do
		set -- $ns_if
		no_offload "$1" "$2"
		ip -n "$1" link set "$2" up
	done
	ip -n "$NSC" route add default via 198.18.1.1
	ip -n "$NSC" -6 route add default via 2001:db8:1::1
	ip -n "$NSS" route add default via 198.18.2.1
	ip -n "$NSS" -6 route add default via 2001:db8:2::1

	in_r iptables -t mangle -A FORWARD -i r1 -j TTL --ttl-dec 5
	in_r ip6tables -t mangle -A FORWARD -i r1 -j HL --hl-dec 5

	# Clients resolve the server name through the client's own hosts file.
	lab_hosts "$SRV4"
}

lab_hosts() {
	mkdir -p "/etc/netns/$NSC"
	printf '127.0.0.1 localhost\n%s %s\n' "$1" "$NAME" >"/etc/netns/$NSC/hosts"
	# No name server outside: a client that looks a name up (swaks its
	# own host name) asks the namespace's loopback, where none answers.
	printf 'nameserver 127.0.0.1\n' >"/etc/netns/$NSC/resolv.conf"
}

# cap_start NAME [tcpdump options]: record on the client's interface.
# CAP_SUFFIX (e.g. -%s with -G) lets tcpdump write several files. MLD
# reports (IPv6 next header 0, hop-by-hop) are left out like a span port
# filter would; ARP and neighbour discovery stay.
cap_start() {
	CAP_OUT=$1
	shift
	: >"$LAB_TMP/tcpdump.err"
	mkdir -p "$LAB_TMP/cap"
	ip netns exec "$NSC" tcpdump -i c0 -U --immediate-mode -s 0 -Z root -n "$@" \
	    -w "$LAB_TMP/cap/$CAP_OUT${CAP_SUFFIX:-}.pcap" \
	    "${CAP_FILTER:-not (ip6 and ip6[6] == 0)}" \
	    2>"$LAB_TMP/tcpdump.err" &
	CAP_PID=$!
	local i
	for ((i = 0; i < 50; i++)); do
		grep -q 'listening on' "$LAB_TMP/tcpdump.err" && return 0
		sleep 0.1
	done
	die "tcpdump did not start: $(cat "$LAB_TMP/tcpdump.err")"
}

# cap_stop: let the last packets land, stop tcpdump with SIGINT so the file
# is complete, then publish it (several files become NAME-1, NAME-2, ...).
cap_stop() {
	sleep "${CAP_LINGER:-0.5}"
	kill -INT "$CAP_PID"
	wait "$CAP_PID" || true
	CAP_PID=
	local files=() f out i=0
	mapfile -t files < <(ls "$LAB_TMP/cap/" | sort)
	for f in "${files[@]}"; do
		i=$((i + 1))
		out=$CAP_OUT.pcap
		[ ${#files[@]} -gt 1 ] && out=$CAP_OUT-$i.pcap
		mv "$LAB_TMP/cap/$f" "$CAPDIR/$out"
		log "$out: $(tcpdump -r "$CAPDIR/$out" 2>/dev/null | wc -l) packets"
	done
}

# vlan_up ID: tag the client link with 802.1Q VLAN ID. The kernel lacks the
# 8021q module and act_vlan, so a tc eBPF program pushes the tag on egress
# and pops it on ingress at both ends of the client's veth.
vlan_up() {
	local inc="-I/usr/include/$(uname -m)-linux-gnu"
	clang -O2 -target bpf "$inc" "-DLAB_VLAN_PUSH=$1" \
	    -c "$LAB_DIR/vlan.bpf.c" -o "$LAB_TMP/vlan-push.o"
	clang -O2 -target bpf "$inc" -c "$LAB_DIR/vlan.bpf.c" -o "$LAB_TMP/vlan-pop.o"
	local ns_if
	for ns_if in "$NSC c0" "$NSR r0"; do
		set -- $ns_if
		ip netns exec "$1" tc qdisc add dev "$2" clsact
		ip netns exec "$1" tc filter add dev "$2" egress bpf direct-action \
		    obj "$LAB_TMP/vlan-push.o" sec tc
		ip netns exec "$1" tc filter add dev "$2" ingress bpf direct-action \
		    obj "$LAB_TMP/vlan-pop.o" sec tc
	done
}

# wait_port NS PORT [ADDR]: until something listens there.
wait_port() {
	local i
	for ((i = 0; i < 50; i++)); do
		ip netns exec "$1" ss -Hltn "sport = :$2" | grep -q "${3:-.}" && return 0
		sleep 0.1
	done
	die "nothing listens on port $2 in $1"
}

# OpenSSL configuration files that cap the protocol range of one process.
openssl_conf() {
	local f="$LAB_TMP/openssl-$1.cnf"
	cat >"$f" <<EOF
openssl_conf = lab_init
[lab_init]
ssl_conf = lab_ssl
[lab_ssl]
system_default = lab_sys
[lab_sys]
MinProtocol = $2
MaxProtocol = $3
CipherString = ${4:-DEFAULT}
EOF
	printf '%s' "$f"
}

# dovecot_start [key=value ...]: a private Dovecot in the server namespace.
# Keys are dovecot.conf settings plus imap_port / imaps_port (0 = off),
# imaps_ssl, pop3_port / pop3s_port / pop3s_ssl (POP3 from the same
# configuration; off unless given) and inbox (that many messages written
# into the user's INBOX by mkmail.py, 0 = none); DOVECOT_EXTRA is appended
# to the configuration as it is. The system's own Dovecot config and
# service are never used.
dovecot_start() {
	local d="$LAB_TMP/dovecot"
	local -A cfg=(
		[listen]="*, ::"
		[ssl]=yes
		[ssl_cert]="<$PKI/leaf-chain.crt"
		[ssl_key]="<$PKI/leaf.key"
		[ssl_min_protocol]=TLSv1.2
		[imap_port]=143 [imaps_port]=993 [imaps_ssl]=yes [inbox]=0
		[pop3_port]=0 [pop3s_port]=0 [pop3s_ssl]=yes
	)
	local protocols=imap
	local kv k made
	for kv in "$@"; do
		cfg[${kv%%=*}]=${kv#*=}
	done
	rm -rf "$d"
	mkdir -p "$d/run" "$d/state" "$d/mail"
	chmod 1777 "$d/mail"
	if [ "${cfg[inbox]}" != 0 ]; then
		made=$("$PY" "$LAB_DIR/mkmail.py" --count "${cfg[inbox]}" \
		    "$d/mail/$USER_NAME")
		log "inbox: $made"
		# The static userdb's uid: Dovecot writes its index there.
		chown -R 65534:65534 "$d/mail/$USER_NAME"
	fi
	[ "${cfg[pop3_port]}${cfg[pop3s_port]}" != 00 ] && protocols="imap pop3"
	{
		cat <<EOF
protocols = $protocols
instance_name = $LAB_IDS-dovecot
base_dir = $d/run
state_dir = $d/state
log_path = $d/dovecot.log
import_environment = TZ OPENSSL_CONF
auth_mechanisms = plain login
disable_plaintext_auth = no
first_valid_uid = 1
mail_location = maildir:$d/mail/%u
passdb {
  driver = static
  args = password=$USER_PASS
}
userdb {
  driver = static
  args = uid=65534 gid=65534 home=$d/mail/%u
}
service imap-login {
  inet_listener imap {
    port = ${cfg[imap_port]}
  }
  inet_listener imaps {
    port = ${cfg[imaps_port]}
    ssl = ${cfg[imaps_ssl]}
  }
}
EOF
		[ "$protocols" = imap ] || cat <<EOF
service pop3-login {
  inet_listener pop3 {
    port = ${cfg[pop3_port]}
  }
  inet_listener pop3s {
    port = ${cfg[pop3s_port]}
    ssl = ${cfg[pop3s_ssl]}
  }
}
EOF
		printf '%s\n' "${DOVECOT_EXTRA:-}"
		for k in "${!cfg[@]}"; do
			case $k in
			imap_port | imaps_port | imaps_ssl | inbox | pop3_port | \
			    pop3s_port | pop3s_ssl) ;;
			*) printf '%s = %s\n' "$k" "${cfg[$k]}" ;;
			esac
		done
	} >"$d/dovecot.conf"
	bg "$NSS" env ${SRV_ENV:-} dovecot -F -c "$d/dovecot.conf"
	[ "${cfg[imaps_port]}" != 0 ] && wait_port "$NSS" "${cfg[imaps_port]}"
	[ "${cfg[imap_port]}" != 0 ] && wait_port "$NSS" "${cfg[imap_port]}"
	[ "${cfg[pop3_port]}" != 0 ] && wait_port "$NSS" "${cfg[pop3_port]}"
	[ "${cfg[pop3s_port]}" != 0 ] && wait_port "$NSS" "${cfg[pop3s_port]}"
	return 0
}

# s_server_start PORT [openssl s_server options]: a TLS server that answers
# handshake failures with alerts, unlike Dovecot.
s_server_start() {
	local port=$1
	shift
	bg "$NSS" env ${SRV_ENV:-} openssl s_server -quiet -naccept 1 -accept "$port" \
	    -cert "$PKI/leaf.crt" -key "$PKI/leaf.key" -cert_chain "$PKI/inter.crt" "$@"
	wait_port "$NSS" "$port"
}

# pysrv MODE [PORT [ADDR]]: one of the scripted servers in labsrv.py.
pysrv() {
	bg "$NSS" "$PY" "$LAB_DIR/labsrv.py" "$1" "${3:-0.0.0.0}" "${2:-993}"
	wait_port "$NSS" "${2:-993}" "${3:-.}"
}

# bgc CMD...: a client in the background, for scenarios that mix many.
CL_PIDS=()
bgc() {
	client "$@" >>"$LAB_TMP/bg.log" 2>&1 &
	CL_PIDS+=($!)
}

wait_clients() {
	local pid
	for pid in "${CL_PIDS[@]}"; do
		wait "$pid" || true
	done
	CL_PIDS=()
}

# The Python IMAP client (imaplib) used by several scenarios.
pyclient() {
	client "$PY" "$LAB_DIR/labclient.py" "$@"
}

# Run a scenario on a fresh topology; a failing client is recorded, not fatal.
scenario() {
	local name=$1
	log "scenario $name"
	topo_up
	"sc_${name//-/_}"
	topo_down
}
