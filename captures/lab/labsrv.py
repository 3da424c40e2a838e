#!/usr/bin/python3
"""labsrv.py: scripted misbehaving IMAP servers (RFC 9051, STARTTLS RFC 2595).

Usage: labsrv.py MODE ADDR PORT, MODE one of
  rst           read the ClientHello, then abort the connection (SO_LINGER 0)
  silent        accept and never answer; close only after the client does
  starttls-no   advertise STARTTLS, answer it with NO
  starttls-bad  advertise STARTTLS, answer it with BAD
  starttls-nul  advertise STARTTLS, answer it with a line holding a NUL
                byte (not IMAP: RFC 9051 forbids it), as a broken proxy
                might
"""
import socket
import struct
import sys

CAPS = b"IMAP4rev1 STARTTLS LOGINDISABLED"


def serve_rst(conn):
    conn.recv(4096)
    # A zero linger timeout makes close() send RST instead of FIN.
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


def serve_silent(conn):
    while conn.recv(4096):
        pass
    conn.close()


def serve_imap(conn, refusal):
    f = conn.makefile("rb")
    conn.sendall(b"* OK [CAPABILITY " + CAPS + b"] lab IMAP ready\r\n")
    for line in f:
        parts = line.rstrip(b"\r\n").split(b" ", 2)
        tag = parts[0]
        cmd = parts[1].upper() if len(parts) > 1 else b""
        if cmd == b"CAPABILITY":
            conn.sendall(b"* CAPABILITY " + CAPS + b"\r\n" + tag + b" OK done\r\n")
        elif cmd == b"STARTTLS":
            conn.sendall(tag + refusal + b"\r\n")
        elif cmd == b"LOGOUT":
            conn.sendall(b"* BYE bye\r\n" + tag + b" OK done\r\n")
            break
        else:
            conn.sendall(tag + b" BAD unknown command\r\n")
    f.close()
    conn.close()


def main():
    mode, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    handlers = {
        "rst": serve_rst,
        "silent": serve_silent,
        "starttls-no": lambda c: serve_imap(c, b" NO STARTTLS is disabled on this server"),
        "starttls-bad": lambda c: serve_imap(c, b" BAD STARTTLS not allowed now"),
        "starttls-nul": lambda c: serve_imap(c, b" OK\x00 Begin TLS negotiation now"),
    }
    handler = handlers[mode]
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    srv = socket.socket(fam, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((addr, port))
    srv.listen(8)
    while True:
        conn, _ = srv.accept()
        handler(conn)


if __name__ == "__main__":
    main()
