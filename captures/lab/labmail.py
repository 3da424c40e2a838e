#!/usr/bin/python3
"""labmail.py: POP3 (poplib, RFC 1939, STLS RFC 2595) and SMTP (smtplib,
RFC 5321, STARTTLS RFC 3207) clients for the lab's mail scenarios.

Usage: labmail.py pop3 [--starttls|--tls] [--cafile F] [--max12] [--ciphers C]
                  [--read] HOST PORT
       labmail.py smtp [--starttls|--tls] [--cafile F] [--max12] [--ciphers C]
                  [--login] [--send DIR] HOST PORT
       labmail.py smtp-inject [--cafile F] HOST PORT
       labmail.py smtp-errors HOST PORT
pop3: logs in as the lab user (USER/PASS), lists and fetches the first
message if there is one, QUITs. smtp: EHLO, optionally AUTH PLAIN, sends
one message from the lab user to postmaster@lab.example, QUITs.
--ciphers sets the OpenSSL cipher string of TLS 1.2 and below. --read
(pop3): STAT, UIDL, LIST, then RETR of every message, checked against
the sizes LIST gave. --send DIR (smtp): every message of the maildir DIR
(cur/ and new/, by name) instead of the one. After QUIT, --read and
--send wait for the server to close first (its close_notify and FIN), as
a client that reads the answer to QUIT to its end does.
smtp-inject: sends "STARTTLS" and "RSET" in one segment (the
CVE-2011-0411 pattern), then the TLS handshake. smtp-errors: sends
unknown commands until the server hangs up (421). Exit 1 on failure.
"""
import argparse
import os
import poplib
import smtplib
import socket
import ssl
import sys

USER = "labuser"
PASSWORD = "labpass"
# The name the client greets with (smtplib would look its own up).
HELO = "client.lab.example"
MESSAGE = ("From: labuser@lab.example\r\nTo: postmaster@lab.example\r\n"
           "Subject: lab\r\n\r\nA line of the lab's mail.\r\n")


def do_pop3(a, ctx):
    if a.tls:
        m = poplib.POP3_SSL(a.host, a.port, context=ctx, timeout=5)
    else:
        m = poplib.POP3(a.host, a.port, timeout=5)
        if a.starttls:
            m.stls(context=ctx)
    m.user(USER)
    m.pass_(PASSWORD)
    count, _ = m.stat()
    if a.read:
        m.uidl()
        sizes = [int(line.split()[1]) for line in m.list()[1]]
        got = 0
        for n in range(1, count + 1):
            _, body, octets = m.retr(n)
            if octets < sizes[n - 1]:
                raise poplib.error_proto("RETR %d: %d of %d octets"
                                         % (n, octets, sizes[n - 1]))
            got += octets
        if count == 0:
            raise poplib.error_proto("the mailbox is empty")
        print("labmail: read %d messages, %d octets" % (count, got))
        m._shortcmd("QUIT")
        server_closes(m.sock)
        return
    if count > 0:
        m.retr(1)
    m.quit()


def server_closes(sock):
    """After QUIT: read until the server's close_notify, then its FIN on the
    bare socket, so that the server closes first."""
    sock.settimeout(5)
    while sock.recv(4096):
        pass
    raw = socket.socket(fileno=os.dup(sock.fileno()))
    raw.settimeout(5)
    while raw.recv(4096):
        pass
    raw.close()
    sock.close()


def maildir(path):
    """The messages of a maildir, by file name (cur/, then new/)."""
    out = []
    for sub in ("cur", "new"):
        d = os.path.join(path, sub)
        for name in sorted(os.listdir(d)):
            with open(os.path.join(d, name), "rb") as f:
                out.append(f.read())
    return out


def do_smtp(a, ctx):
    if a.tls:
        s = smtplib.SMTP_SSL(a.host, a.port, context=ctx, timeout=5,
                             local_hostname=HELO)
    else:
        s = smtplib.SMTP(a.host, a.port, timeout=5, local_hostname=HELO)
    s.ehlo(HELO)
    if a.starttls:
        s.starttls(context=ctx)
        s.ehlo(HELO)
    if a.login:
        s.login(USER, PASSWORD)
    if a.send:
        msgs = maildir(a.send)
        for msg in msgs:
            s.sendmail("labuser@lab.example", ["postmaster@lab.example"], msg)
        print("labmail: sent %d messages, %d bytes"
              % (len(msgs), sum(len(m) for m in msgs)))
        code, text = s.docmd("QUIT")
        if code != 221:
            raise smtplib.SMTPResponseException(code, text)
        server_closes(s.sock)
        return
    s.sendmail("labuser@lab.example", ["postmaster@lab.example"], MESSAGE)
    s.quit()


def lines(sock):
    """The server's lines as they come."""
    f = sock.makefile("rb")
    for line in f:
        yield line


def reply(it):
    """One whole reply (RFC 5321 4.2): up to the line 'ddd SP'."""
    while True:
        line = next(it)
        if len(line) < 4 or line[3:4] != b"-":
            return line


def do_inject(a, ctx):
    sock = socket.create_connection((a.host, a.port), timeout=5)
    it = lines(sock)
    reply(it)
    sock.sendall(b"EHLO client.lab.example\r\n")
    reply(it)
    sock.sendall(b"STARTTLS\r\nRSET\r\n")
    if not reply(it).startswith(b"220"):
        raise OSError("STARTTLS refused")
    tls = ctx.wrap_socket(sock, server_hostname=a.host)
    tls.sendall(b"QUIT\r\n")
    tls.recv(4096)
    tls.close()


def do_errors(a):
    sock = socket.create_connection((a.host, a.port), timeout=5)
    it = lines(sock)
    reply(it)
    sock.sendall(b"EHLO client.lab.example\r\n")
    reply(it)
    for n in range(30):
        sock.sendall(b"XLAB%d\r\n" % n)
        line = reply(it)
        if line.startswith(b"421"):
            break
    while sock.recv(4096):
        pass
    sock.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["pop3", "smtp", "smtp-inject",
                                     "smtp-errors"])
    ap.add_argument("--starttls", action="store_true")
    ap.add_argument("--tls", action="store_true")
    ap.add_argument("--login", action="store_true")
    ap.add_argument("--cafile")
    ap.add_argument("--max12", action="store_true",
                    help="TLS 1.2 at most, so that the chain is visible")
    ap.add_argument("--ciphers", help="OpenSSL cipher string for TLS 1.2")
    ap.add_argument("--read", action="store_true")
    ap.add_argument("--send", metavar="DIR")
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    a = ap.parse_args()
    ctx = ssl.create_default_context(cafile=a.cafile)
    if a.max12:
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    if a.ciphers:
        ctx.set_ciphers(a.ciphers)
    try:
        if a.mode == "pop3":
            do_pop3(a, ctx)
        elif a.mode == "smtp":
            do_smtp(a, ctx)
        elif a.mode == "smtp-inject":
            do_inject(a, ctx)
        else:
            do_errors(a)
    except (OSError, StopIteration, poplib.error_proto,
            smtplib.SMTPException) as e:
        print("labmail: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
