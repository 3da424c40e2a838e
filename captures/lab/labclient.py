#!/usr/bin/python3
"""labclient.py: an imaplib client for IMAP over TLS (RFC 8314) and STARTTLS (RFC 2595).

Usage: labclient.py [--starttls|--plain] [--cafile F] [--max12] [--ciphers C]
                    [--pause S] HOST PORT
Logs in as the lab user, optionally pauses, LOGOUTs and lets the server
close first; exit 1 on failure.
"""
import argparse
import imaplib
import os
import socket
import ssl
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--starttls", action="store_true")
    ap.add_argument("--plain", action="store_true",
                    help="log in without TLS at all (a misconfigured client)")
    ap.add_argument("--cafile")
    ap.add_argument("--max12", action="store_true")
    ap.add_argument("--ciphers", help="OpenSSL cipher string for TLS 1.2")
    ap.add_argument("--pause", type=float, default=0.0)
    ap.add_argument("--user", default="labuser")
    ap.add_argument("--password", default="labpass")
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    a = ap.parse_args()

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
