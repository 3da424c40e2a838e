#!/usr/bin/env python3
"""labtun.py: one end of a tunnel, in user space, for the tunnel types the
lab's kernel has no device for (it has VXLAN only). What the kernel routes
into a TAP or TUN device is sent to the peer encapsulated, exactly as the
kernel's own device would put it on the wire (the kernel still writes the
outer IP header: raw sockets of protocol 47, 4 or 41, or a UDP socket);
what the peer sends is decapsulated into the device. Runs in the namespace
of its end until killed.

Usage: labtun.py TYPE DEV LOCAL REMOTE ID [ID_BACK]
  TYPE     gretap   GRE (RFC 2784/2890) with key ID, Ethernet frames (TAP)
           erspan2  ERSPAN type II over GRE, session ID (TAP)
           erspan3  ERSPAN type III over GRE, session ID (TAP)
           geneve   Geneve (RFC 8926) on UDP 6081, VNI ID (TAP)
           ipip     IPv4 in IPv4, protocol 4 (TUN)
           sit      IPv6 in IPv4, protocol 41 (TUN)
           gtpu     GTP-U (3GPP TS 29.281) G-PDUs on UDP 2152 (TUN): sends
                    with TEID ID, takes TEID ID_BACK (each direction has
                    its own, as in a mobile core)
           mpls     IP packets under an MPLS label (RFC 3032) straight on
                    an Ethernet link (TUN): sends label ID, takes ID_BACK
           pppoe    IP packets in PPPoE session ID (RFC 2516, the session
                    stage only: no discovery, no LCP) on an Ethernet link
  DEV      an existing TAP (or TUN) device of that name, made persistent
           with `ip tuntap add`
  LOCAL, REMOTE  the underlay IPv4 addresses of the two ends; for mpls
           and pppoe, the Ethernet interface to send on and the peer's
           MAC address"""

import errno
import fcntl
import os
import select
import socket
import struct
import sys

TUNSETIFF = 0x400454CA
IFF_TUN, IFF_TAP, IFF_NO_PI = 0x0001, 0x0002, 0x1000
L2 = {"gretap", "erspan2", "erspan3", "geneve"}
ETHER = {"mpls": 0x8847, "pppoe": 0x8864}  # on the link itself
PACKET_OUTGOING = 4
GRE = {"gretap", "erspan2", "erspan3"}
RAW_PROTO = {"ipip": 4, "sit": 41}
UDP_PORT = {"geneve": 6081, "gtpu": 2152}


def open_dev(name, tap):
    fd = os.open("/dev/net/tun", os.O_RDWR)
    flags = (IFF_TAP if tap else IFF_TUN) | IFF_NO_PI
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), flags))
    return fd


class Tunnel:
    def __init__(self, kind, local, remote, ident, back):
        self.kind, self.local, self.remote = kind, local, remote
        self.ident, self.back = ident, back
        self.seq = 0
        if kind in ETHER:
            self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                                      socket.htons(ETHER[kind]))
            self.sock.bind((local, ETHER[kind]))
            self.mac = self.sock.getsockname()[4]
            self.peer = bytes.fromhex(remote.replace(":", ""))
        elif kind in GRE:
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, 47)
        elif kind in RAW_PROTO:
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_RAW,
                                      RAW_PROTO[kind])
        else:
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.sock.bind((local, UDP_PORT[kind]))

    def encap(self, inner):
        k = self.kind
        if k == "gretap":
            return struct.pack("!HHI", 0x2000, 0x6558, self.ident) + inner
        if k in ("erspan2", "erspan3"):
            self.seq = (self.seq + 1) & 0xFFFFFFFF
            if k == "erspan2":
                # version 1, VLAN 0; COS 0, En 0, T 0, session; index 0
                hdr = struct.pack("!HHI", 0x1000, self.ident & 0x3FF, 0)
                proto = 0x88BE
            else:
                # version 2; session; timestamp; SGT; FT 0 (Ethernet)
                hdr = struct.pack("!HHIHH", 0x2000, self.ident & 0x3FF,
                                  self.seq, 0, 0)
                proto = 0x22EB
            return struct.pack("!HHI", 0x1000, proto, self.seq) + hdr + inner
        if k == "geneve":
            return struct.pack("!BBHI", 0, 0, 0x6558, self.ident << 8) + inner
        if k == "gtpu":
            return struct.pack("!BBHI", 0x30, 0xFF, len(inner), self.ident) + inner
        if k in ETHER:
            eth = self.peer + self.mac + struct.pack("!H", ETHER[k])
            if k == "mpls":  # one label, bottom of stack, TTL 64
                return eth + struct.pack("!I", self.ident << 12 | 0x100 | 64) + inner
            # PPP's protocol: IPv4 0x0021, IPv6 0x0057 (RFC 1332, 5072)
            ppp = struct.pack("!H", 0x0057 if inner[0] >> 4 == 6 else 0x0021) + inner
            return eth + struct.pack("!BBHH", 0x11, 0, self.ident, len(ppp)) + ppp
        return inner  # ipip, sit: the kernel writes the outer header

    def send(self, inner):
        if self.kind in ETHER:
            self.sock.send(self.encap(inner))
            return
        port = UDP_PORT.get(self.kind, 0)
        self.sock.sendto(self.encap(inner), (self.remote, port))

    def decap(self, data, addr):
        """The inner frame or packet of what arrived, or None."""
        k = self.kind
        if k in ETHER:
            if addr[2] == PACKET_OUTGOING or data[6:12] != self.peer:
                return None
            if k == "mpls":
                label = struct.unpack("!I", data[14:18])[0] >> 12
                return data[18:] if label == self.back else None
            sid, length = struct.unpack("!HH", data[16:20])
            if sid != self.ident or data[20:22] not in (b"\x00\x21", b"\x00\x57"):
                return None
            return data[22:20 + length]
        if addr[0] != self.remote:
            return None
        if k in GRE or k in RAW_PROTO:
            data = data[(data[0] & 0x0F) * 4:]  # raw sockets keep the IP header
        if k in RAW_PROTO:
            return data
        if k in GRE:
            if len(data) < 4:
                return None
            flags, proto = struct.unpack("!HH", data[:4])
            off = 4 + 4 * bool(flags & 0x8000) + 4 * bool(flags & 0x2000) + \
                4 * bool(flags & 0x1000)
            want = {"gretap": 0x6558, "erspan2": 0x88BE, "erspan3": 0x22EB}[k]
            if proto != want:
                return None
            off += {"gretap": 0, "erspan2": 8, "erspan3": 12}[k]
            return data[off:]
        if k == "geneve":
            if len(data) < 8 or struct.unpack("!H", data[2:4])[0] != 0x6558:
                return None
            return data[8 + (data[0] & 0x3F) * 4:]
        if k == "gtpu":
            if len(data) < 8 or data[1] != 0xFF:
                return None
            if struct.unpack("!I", data[4:8])[0] != self.back:
                return None
            return data[8:]
        return None


def main():
    if len(sys.argv) < 6 or sys.argv[1] not in \
            L2 | set(RAW_PROTO) | set(ETHER) | {"gtpu"}:
        sys.exit(__doc__)
    kind, dev, local, remote = sys.argv[1:5]
    ident = int(sys.argv[5], 0)
    back = int(sys.argv[6], 0) if len(sys.argv) > 6 else ident
    fd = open_dev(dev, kind in L2)
    t = Tunnel(kind, local, remote, ident, back)
    while True:
        ready, _, _ = select.select([fd, t.sock], [], [])
        if fd in ready:
            t.send(os.read(fd, 65536))
        if t.sock in ready:
            data, addr = t.sock.recvfrom(65536)
            inner = t.decap(data, addr)
            if inner:
                try:
                    os.write(fd, inner)
                except OSError as e:
                    # The other end may send before this end's device is
                    # up (the lab sets addresses once both ends run): a
                    # device that is down drops it, as a link would.
                    if e.errno != errno.EIO:
                        raise


if __name__ == "__main__":
    main()
