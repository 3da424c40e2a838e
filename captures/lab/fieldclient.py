#!/usr/bin/python3
"""fieldclient.py: IMAP over TLS (RFC 8314) clients that end or start the
way the field's captures show them, for the lab's field scenarios.

Usage: fieldclient.py [options] HOST PORT
  --cafile F       trust anchors (the lab root)
  --sni NAME       the name to send and check (default imap.lab.example)
  --max12          TLS 1.2 at most (the chain crosses the wire in clear)
  --connect-pause S
                   open TCP, wait S seconds, only then start TLS: a
                   capture started meanwhile has the connection without
                   its SYN (and may wait for the state file, below)
  --state FILE     write "connected" to FILE once TCP is up
  --end HOW        how the client ends after LOGIN:
                     logout  LOGOUT, then wait for the server to close
                             first (as labclient.py does; the default)
                     abort   CAPABILITY read, then close with SO_LINGER 0:
                             the kernel sends RST instead of FIN
                     fin     close at once after LOGIN (FIN, no
                             close_notify): the server's close_notify, its
                             answer to the FIN, reaches a closed socket and
                             the kernel answers it with RST
Exit 1 when the TLS session or the IMAP exchange failed.
"""
import argparse
import os
import socket
import ssl
import struct
import sys
import time


def read_tagged(tls, tag):
    """Read until the tagged response line of TAG; return all read."""
    data = b""
    while not any(line.startswith(tag + b" ")
                  for line in data.split(b"\r\n")):
        chunk = tls.recv(4096)
        if not chunk:
            raise OSError("the server closed before answering %s" % tag)
        data += chunk
    return data


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cafile")
    ap.add_argument("--sni", default="imap.lab.example")
    ap.add_argument("--max12", action="store_true")
    ap.add_argument("--connect-pause", type=float, default=0.0)
    ap.add_argument("--state")
    ap.add_argument("--end", choices=("logout", "abort", "fin"),
                    default="logout")
    ap.add_argument("--user", default="labuser")
    ap.add_argument("--password", default="labpass")
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    a = ap.parse_args()

    ctx = ssl.create_default_context(cafile=a.cafile)
    if a.max12:
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    try:
        raw = socket.create_connection((a.host, a.port), timeout=20)
        if a.state:
            with open(a.state, "w") as f:
                f.write("connected\n")
        if a.connect_pause:
            time.sleep(a.connect_pause)
        tls = ctx.wrap_socket(raw, server_hostname=a.sni)
        greeting = tls.recv(4096)
        if not greeting.startswith(b"* OK"):
            raise OSError("no IMAP greeting: %r" % greeting[:40])
        tls.sendall(b"a LOGIN %s %s\r\n" % (a.user.encode(), a.password.encode()))
        read_tagged(tls, b"a")
        if a.end == "abort":
            tls.sendall(b"b CAPABILITY\r\n")
            read_tagged(tls, b"b")
            # A zero linger timeout makes close() send RST, not FIN.
            tls.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                           struct.pack("ii", 1, 0))
            tls.close()
            return 0
        if a.end == "fin":
            # No close_notify (Python sends one only on unwrap()) and no
            # command whose answer could race the FIN: the server sends
            # only once it has read the FIN.
            tls.close()
            return 0
        tls.sendall(b"b LOGOUT\r\n")
        # Read the answer, the server's close_notify, then its FIN.
        while tls.recv(4096):
            pass
        bare = socket.socket(fileno=os.dup(tls.fileno()))
        bare.settimeout(5)
        while bare.recv(4096):
            pass
        bare.close()
        tls.close()
    except (OSError, ssl.SSLError) as e:
        print("fieldclient: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
