#!/usr/bin/python3
"""fieldsrv.py: an IMAPS server (RFC 8314) that writes its first TLS flight
slowly, for the lab's field scenarios.

Usage: fieldsrv.py CHAIN KEY ADDR PORT [FIRST PAUSE]
TLS 1.2 at most (the chain crosses the wire in clear), OpenSSL through
Python's memory BIOs, so the server decides when each byte of its flight
goes to the socket: the first FIRST bytes (default 1000: the ServerHello
and the start of the Certificate), then a pause of PAUSE seconds (default
1.5), then the rest. Then a little IMAP: a greeting, LOGIN and CAPABILITY
answered OK, LOGOUT answered BYE, close_notify and FIN. One connection at
a time, forever.
"""
import socket
import ssl
import sys
import time


class Conn:
    def __init__(self, ctx, sock):
        self.sock = sock
        self.inc = ssl.MemoryBIO()
        self.out = ssl.MemoryBIO()
        self.tls = ctx.wrap_bio(self.inc, self.out, server_side=True)

    def flush(self, first=0, pause=0.0):
        data = self.out.read()
        if first and len(data) > first:
            self.sock.sendall(data[:first])
            time.sleep(pause)
            data = data[first:]
        if data:
            self.sock.sendall(data)

    def feed(self):
        data = self.sock.recv(16384)
        if not data:
            raise EOFError
        self.inc.write(data)

    def handshake(self, first, pause):
        slow = True
        while True:
            try:
                self.tls.do_handshake()
                break
            except ssl.SSLWantReadError:
                pending = self.out.pending
                self.flush(first if slow else 0, pause)
                slow = slow and not pending
                self.feed()
        self.flush()

    def send(self, text):
        self.tls.write(text)
        self.flush()

    def lines(self):
        buf = b""
        while True:
            while b"\r\n" in buf:
                line, buf = buf.split(b"\r\n", 1)
                yield line
            try:
                buf += self.tls.read(16384)
            except ssl.SSLWantReadError:
                self.feed()
            except ssl.SSLZeroReturnError:
                return


def serve(conn):
    conn.send(b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] lab IMAP ready\r\n")
    for line in conn.lines():
        parts = line.split(b" ", 2)
        tag = parts[0]
        cmd = parts[1].upper() if len(parts) > 1 else b""
        if cmd == b"LOGOUT":
            conn.send(b"* BYE bye\r\n" + tag + b" OK done\r\n")
            break
        if cmd == b"CAPABILITY":
            conn.send(b"* CAPABILITY IMAP4rev1\r\n" + tag + b" OK done\r\n")
        else:
            conn.send(tag + b" OK done\r\n")
    try:
        conn.tls.unwrap()
    except ssl.SSLError:
        pass
    conn.flush()


def main():
    chain, key, addr, port = sys.argv[1:5]
    first = int(sys.argv[5]) if len(sys.argv) > 5 else 1000
    pause = float(sys.argv[6]) if len(sys.argv) > 6 else 1.5
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(chain, key)
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((addr, int(port)))
    srv.listen(8)
    while True:
        sock, _ = srv.accept()
        conn = Conn(ctx, sock)
        try:
            conn.handshake(first, pause)
            serve(conn)
        except (OSError, EOFError, ssl.SSLError) as e:
            print("fieldsrv: %s" % e, file=sys.stderr)
        sock.close()


if __name__ == "__main__":
    main()
