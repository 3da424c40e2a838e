#!/usr/bin/python3
"""labclient.py: an imaplib client for IMAP over TLS (RFC 8314) and STARTTLS (RFC 2595).

Usage: labclient.py [--starttls|--plain] [--cafile F] [--max12] [--ciphers C]
                    [--pause S] [--read | --sync N] HOST PORT
Logs in as the lab user, optionally pauses or reads mail, LOGOUTs and lets
the server close first; exit 1 on failure.
  --read    SELECT INBOX and FETCH every message whole (BODY.PEEK[])
  --sync N  SELECT INBOX, UID FETCH the flags and sizes of all messages,
            then the bodies of the N newest: a client catching up
"""
import argparse
import imaplib
import os
import re
import socket
import ssl
import sys
import time


def fetched(data):
    """The message bodies in a FETCH answer (literal parts)."""
    return [part[1] for part in data if isinstance(part, tuple)]


def read_mail(m, newest):
    """Read the INBOX; raise imaplib's error when anything is missing."""
    typ, data = m.select("INBOX")
    if typ != "OK":
        raise imaplib.IMAP4.error("SELECT INBOX: %s" % data)
    exists = int(data[0])
    if exists == 0:
        raise imaplib.IMAP4.error("the INBOX is empty")
    if newest is None:
        typ, data = m.fetch("1:*", "(BODY.PEEK[])")
        want = exists
    else:
        typ, data = m.uid("FETCH", "1:*", "(FLAGS RFC822.SIZE)")
        uids = [int(re.search(rb"\bUID (\d+)", line).group(1))
                for line in data if line]
        uids = sorted(uids)[-newest:]
        typ, data = m.uid("FETCH", ",".join(map(str, uids)), "(BODY.PEEK[])")
        want = len(uids)
    bodies = fetched(data) if typ == "OK" else []
    if len(bodies) != want:
        raise imaplib.IMAP4.error("fetched %d of %d messages"
                                  % (len(bodies), want))
    print("labclient: read %d messages, %d bytes"
          % (len(bodies), sum(len(b) for b in bodies)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--starttls", action="store_true")
    ap.add_argument("--plain", action="store_true",
                    help="log in without TLS at all (a misconfigured client)")
    ap.add_argument("--cafile")
    ap.add_argument("--max12", action="store_true")
    ap.add_argument("--ciphers", help="OpenSSL cipher string for TLS 1.2")
    ap.add_argument("--pause", type=float, default=0.0)
    ap.add_argument("--read", action="store_true")
    ap.add_argument("--sync", type=int, metavar="N")
    ap.add_argument("--user", default="labuser")
    ap.add_argument("--password", default="labpass")
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    a = ap.parse_args()
    if a.sync is not None and a.sync < 1:
        ap.error("--sync needs at least one message")

    ctx = ssl.create_default_context(cafile=a.cafile)
    if a.ciphers:
        ctx.set_ciphers(a.ciphers)
    if a.max12:
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    try:
        if a.plain:
            m = imaplib.IMAP4(a.host, a.port, timeout=5)
        elif a.starttls:
            m = imaplib.IMAP4(a.host, a.port, timeout=5)
            m.starttls(ssl_context=ctx)
        else:
            m = imaplib.IMAP4_SSL(a.host, a.port, ssl_context=ctx, timeout=5)
        m.login(a.user, a.password)
        if a.pause:
            time.sleep(a.pause)
        if a.read or a.sync is not None:
            read_mail(m, a.sync)
        # LOGOUT, then wait for the server to close first (close_notify and
        # FIN), as a well-behaved client does; imaplib.logout() would close
        # at once and make the kernel answer the server's close_notify with RST.
        m.state = "LOGOUT"
        m._simple_command("LOGOUT")
        sock = m.socket()
        while sock.recv(4096):
            pass
        # close_notify is in; wait for the server's FIN on the bare socket too.
        raw = socket.socket(fileno=os.dup(sock.fileno()))
        raw.settimeout(5)
        while raw.recv(4096):
            pass
        raw.close()
        sock.close()
    except (OSError, imaplib.IMAP4.error) as e:
        print("labclient: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
