# tunnel.sh: lab scenarios of a TLS 1.3 handshake with Dovecot (IMAP over
# TLS, RFC 8314) carried through a tunnel between the client's and the
# server's namespaces, recorded on the underlay (the client's veth) as a
# span port in front of a tunnel end point sees it. Sourced by run.
#
# Underlay: the lab's routed topology (client 198.18.1.2, server
# 198.18.2.10, the router between). Overlay: 198.19.7.1 (client) and
# 198.19.7.2 (server), or 2001:db8:7::1 and ::2 over sit. VXLAN is the
# kernel's own device; this kernel has no gretap, erspan, geneve, ipip or
# sit device, so those ends are lab/labtun.py, a user-space end point on a
# TAP or TUN device that puts on the wire what the kernel's device would
# (the kernel still writes the outer IP header). MPLS and PPPoE, which
# have no IP header of their own, run on the client's link to the router
# (l2tun_up). TLS 1.3 keeps the chain off the wire, so no verdict depends
# on the run's PKI.

TUN_C=198.19.7.1
TUN_S=198.19.7.2
TUN6_C=2001:db8:7::1
TUN6_S=2001:db8:7::2

# tun_addrs DEV: the overlay addresses on each end, a lower MTU for the
# outer headers, the server's name at its overlay address.
tun_addrs() {
	local dev=$1
	ip -n "$NSC" link set "$dev" mtu 1400 up
	ip -n "$NSS" link set "$dev" mtu 1400 up
	if [ "${TUN_FAMILY:-4}" = 6 ]; then
		ip -n "$NSC" addr add "$TUN6_C/64" dev "$dev" nodad
		ip -n "$NSS" addr add "$TUN6_S/64" dev "$dev" nodad
		lab_hosts "$TUN6_S"
	else
		ip -n "$NSC" addr add "$TUN_C/24" dev "$dev"
		ip -n "$NSS" addr add "$TUN_S/24" dev "$dev"
		lab_hosts "$TUN_S"
	fi
}

# labtun_up TYPE ID [ID_BACK]: a labtun.py end in each namespace on a
# persistent TAP (or TUN) device tl0.
labtun_up() {
	local kind=$1 id=$2 back=${3:-$2} mode=tap
	case $kind in ipip | sit | gtpu) mode=tun ;; esac
	ip -n "$NSC" tuntap add dev tl0 mode "$mode"
	ip -n "$NSS" tuntap add dev tl0 mode "$mode"
	bg "$NSC" "$PY" "$LAB_DIR/labtun.py" "$kind" tl0 198.18.1.2 "$SRV4" "$id" "$back"
	bg "$NSS" "$PY" "$LAB_DIR/labtun.py" "$kind" tl0 "$SRV4" 198.18.1.2 "$back" "$id"
	tun_addrs tl0
	tun_ready tl0
}

# tun_ready DEV: both user-space ends hold their device (its carrier is on
# once a process has it open, and the end opens its socket right after):
# on a loaded machine Python takes seconds to start, longer than the
# client's first SYNs wait.
tun_ready() {
	local dev=$1 ns i
	for ns in "$NSC" "$NSS"; do
		for ((i = 0; i < 100; i++)); do
			[ "$(ip netns exec "$ns" cat "/sys/class/net/$dev/carrier" \
			    2>/dev/null)" = 1 ] && break
			sleep 0.1
		done
		[ "$i" -lt 100 ] || die "$dev in $ns: the tunnel end never started"
	done
	sleep 0.3
}

# The handshake itself: curl, IMAPS, TLS 1.3, through the tunnel; the
# client must succeed or the scenario is broken.
tun_session() {
	dovecot_start
	cap_start "$1"
	curl_lab -u "$USER_NAME:$USER_PASS" "imaps://$NAME/" >/dev/null ||
	    die "$1: the client did not get through the tunnel"
	cap_stop
}

sc_tunnel_vxlan() {
	ip -n "$NSC" link add vx0 type vxlan id 7 local 198.18.1.2 remote "$SRV4" \
	    dstport 4789
	ip -n "$NSS" link add vx0 type vxlan id 7 local "$SRV4" remote 198.18.1.2 \
	    dstport 4789
	tun_addrs vx0
	tun_session tunnel-vxlan
}

sc_tunnel_gretap() {
	labtun_up gretap 9
	tun_session tunnel-gretap
}

sc_tunnel_erspan() {
	labtun_up erspan2 5
	tun_session tunnel-erspan
}

sc_tunnel_erspan3() {
	labtun_up erspan3 6
	tun_session tunnel-erspan3
}

sc_tunnel_geneve() {
	labtun_up geneve 77
	tun_session tunnel-geneve
}

sc_tunnel_ipip() {
	labtun_up ipip 0
	tun_session tunnel-ipip
}

sc_tunnel_sit() {
	TUN_FAMILY=6 labtun_up sit 0
	tun_session tunnel-sit
}

# GTP-U: the uplink (client to server) and the downlink have TEIDs of
# their own, so the report names the server's way back separately.
sc_tunnel_gtpu() {
	labtun_up gtpu 0x100 0x200
	tun_session tunnel-gtpu
}

# VXLAN on a port of its own (4790, where VXLAN-GPE usually is): decoded
# only when --decap-port 4790/vxlan names it.
sc_tunnel_vxlan_4790() {
	ip -n "$NSC" link add vx0 type vxlan id 4790 local 198.18.1.2 \
	    remote "$SRV4" dstport 4790
	ip -n "$NSS" link add vx0 type vxlan id 4790 local "$SRV4" \
	    remote 198.18.1.2 dstport 4790
	tun_addrs vx0
	tun_session tunnel-vxlan-4790
}

# l2tun_up TYPE ID [ID_BACK]: MPLS and PPPoE have no IP header of their
# own, so they run on the client's link itself, between the client and
# the router, whose end forwards what comes out of it to the server as
# usual. The client reaches the server (its usual address) through it,
# from 198.19.8.1.
l2tun_up() {
	local kind=$1 id=$2 back=${3:-$2} cmac rmac
	cmac=$(ip -n "$NSC" -br link show c0 | awk '{print $3}')
	rmac=$(ip -n "$NSR" -br link show r0 | awk '{print $3}')
	ip -n "$NSC" tuntap add dev tl0 mode tun
	ip -n "$NSR" tuntap add dev tl0 mode tun
	bg "$NSC" "$PY" "$LAB_DIR/labtun.py" "$kind" tl0 c0 "$rmac" "$id" "$back"
	bg "$NSR" "$PY" "$LAB_DIR/labtun.py" "$kind" tl0 r0 "$cmac" "$back" "$id"
	ip -n "$NSC" addr add 198.19.8.1/24 dev tl0
	ip -n "$NSR" addr add 198.19.8.254/24 dev tl0
	ip -n "$NSC" link set tl0 mtu 1400 up
	ip -n "$NSR" link set tl0 mtu 1400 up
	ip -n "$NSC" route add "$SRV4/32" dev tl0 src 198.19.8.1
}

# An MPLS label each way (100 up, 200 down), as a provider edge sees it.
sc_tunnel_mpls() {
	l2tun_up mpls 100 200
	tun_session tunnel-mpls
}

# A PPPoE session (id 0x1234) on the access link.
sc_tunnel_pppoe() {
	l2tun_up pppoe 0x1234
	tun_session tunnel-pppoe
}
