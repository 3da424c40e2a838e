#!/usr/bin/python3
"""labgrab.py: a certificate grabber, as scanners and monitors are (RFC 5246 7.3).

Usage: labgrab.py HOST PORT
Sends a TLS 1.2 ClientHello, reads the server's flight up to its
ServerHelloDone (the chain is in it) and closes the socket: no key
exchange, no Finished and no alert, whatever the chain. It validates
nothing.
"""
import socket
import ssl
import sys


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = ctx.wrap_bio(incoming, outgoing, server_hostname=host)
    sock = socket.create_connection((host, port), timeout=5)
    try:
        tls.do_handshake()
    except ssl.SSLWantReadError:
        pass
    sock.sendall(outgoing.read())
    flight = b""
    # The flight ends with ServerHelloDone: handshake type 14, length 0.
    while b"\x0e\x00\x00\x00" not in flight:
        data = sock.recv(65536)
        if not data:
            break
        flight += data
    sock.close()
    print("labgrab: read %d bytes of the server's flight" % len(flight))
    return 0


if __name__ == "__main__":
    sys.exit(main())
