#!/usr/bin/python3
"""mkmail.py: writes a maildir INBOX of plausible mail (RFC 5322, MIME per
RFC 2045/2046) for the lab user, the same bytes on every run.

Usage: mkmail.py [--count N] [--seed S] DIR
Makes DIR/cur, DIR/new and DIR/tmp. Most messages are short notes, some
carry an HTML alternative, a few a base64 attachment of a few hundred KB,
so the sizes spread the way a real mailbox's do. Prints the number of
messages and their total size.
"""
import argparse
import base64
import email.utils
import os
import random
import sys
import textwrap

WORDS = """
server client mailbox certificate migration window outage ticket
backup schedule upgrade firewall proxy login password policy quota
archive folder calendar meeting agenda minutes budget invoice report
release change request review deadline customer contract renewal
network switch router cable office building floor printer laptop
monitor license vendor support escalation incident root cause fix
rollout pilot users group team manager engineer analyst department
storage volume snapshot restore retention audit compliance training
week morning afternoon evening tomorrow yesterday today month quarter
""".split()

OPENERS = ["Hi all,", "Hello,", "Good morning,", "Dear team,", "Hi,",
           "Thanks for the quick reply.", "Following up on this:"]
CLOSERS = ["Best regards,", "Thanks,", "Cheers,", "Kind regards,", "Regards,"]
PEOPLE = [("Alice Martin", "alice.martin"), ("Bruno Keller", "bruno.keller"),
          ("Chen Wei", "chen.wei"), ("Dana Okafor", "dana.okafor"),
          ("Emil Novak", "emil.novak"), ("Farah Haddad", "farah.haddad"),
          ("Gita Rao", "gita.rao"), ("Hugo Lindqvist", "hugo.lindqvist")]
DOMAIN = "lab.example"
# 2026-11-02 08:00:00 UTC; the messages follow over about three weeks.
BASE_TS = 1793606400
def sentence(rng):
    n = rng.randint(6, 18)
    w = [rng.choice(WORDS) for _ in range(n)]
    return w[0].capitalize() + " " + " ".join(w[1:]) + rng.choice(".....?!")


def paragraph(rng, sentences):
    return textwrap.fill(" ".join(sentence(rng) for _ in range(sentences)),
                         72)


def text_body(rng, size, sender):
    parts = [rng.choice(OPENERS)]
    while sum(len(p) + 2 for p in parts) < size:
        parts.append(paragraph(rng, rng.randint(2, 6)))
    parts.append(rng.choice(CLOSERS) + "\n" + sender)
    return "\n\n".join(parts) + "\n"


def html_of(text):
    paras = "".join("<p>%s</p>\n" % p.replace("\n", "<br>\n")
                    for p in text.split("\n\n"))
    return ("<html><head><meta charset=\"utf-8\"></head>"
            "<body style=\"font-family: sans-serif\">\n%s</body></html>\n"
            % paras)


def attachment(rng, size):
    # A CSV export of the kind that travels by mail, as the client's MUA
    # would encode it: base64, 76 characters a line.
    rows = ["date,host,volume,used_gb,free_gb,state"]
    n = 0
    while sum(len(r) + 1 for r in rows) < size * 3 // 4:
        n += 1
        rows.append("2026-%02d-%02d,srv%03d,%s,%d,%d,%s" % (
            1 + n // 28 % 12, 1 + n % 28, rng.randint(1, 120),
            rng.choice(WORDS), rng.randint(10, 9000), rng.randint(1, 4000),
            rng.choice(["ok", "ok", "ok", "warn", "full"])))
    raw = ("\r\n".join(rows) + "\r\n").encode()
    return "\n".join(textwrap.wrap(base64.b64encode(raw).decode(), 76)) + "\n"


def message(rng, i, ts):
    name, local = rng.choice(PEOPLE)
    subject = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 6)))
    kind = rng.random()
    head = ["Return-Path: <%s@%s>" % (local, DOMAIN),
            "From: %s <%s@%s>" % (name, local, DOMAIN),
            "To: Lab User <labuser@%s>" % DOMAIN,
            "Subject: %s" % subject.capitalize(),
            "Date: %s" % email.utils.formatdate(ts, usegmt=True),
            "Message-ID: <%d.%04d@%s>" % (ts, i, DOMAIN),
            "MIME-Version: 1.0"]
    text = text_body(rng, rng.randint(600, 12000), name)
    boundary = "=_lab_%04d_%d" % (i, ts)
    if kind < 0.5:
        head.append("Content-Type: text/plain; charset=utf-8")
        body = text
    elif kind < 0.75:
        head.append("Content-Type: multipart/alternative; boundary=\"%s\""
                    % boundary)
        body = ("--%s\nContent-Type: text/plain; charset=utf-8\n\n%s\n"
                "--%s\nContent-Type: text/html; charset=utf-8\n\n%s\n--%s--\n"
                % (boundary, text, boundary, html_of(text), boundary))
    else:
        # spreadsheets of tens of KB, now and then a large export
        size = rng.randint(16, 80) if kind < 0.9 else rng.randint(120, 400)
        size *= 1024
        fname = "%s-%s.csv" % (rng.choice(WORDS), rng.choice(WORDS))
        head.append("Content-Type: multipart/mixed; boundary=\"%s\""
                    % boundary)
        body = ("--%s\nContent-Type: text/plain; charset=utf-8\n\n%s\n"
                "--%s\nContent-Type: text/csv; name=\"%s\"\n"
                "Content-Disposition: attachment; filename=\"%s\"\n"
                "Content-Transfer-Encoding: base64\n\n%s--%s--\n"
                % (boundary, text, boundary, fname, fname,
                   attachment(rng, size), boundary))
    return ("\n".join(head) + "\n\n" + body).encode()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=32)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("dir")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(a.dir, sub), exist_ok=True)
    ts = BASE_TS
    total = 0
    for i in range(a.count):
        ts += rng.randint(600, 86400)
        data = message(rng, i, ts)
        total += len(data)
        # Older mail is read (a few flagged), the newest still in new/.
        if i < a.count - 4:
            flags = "FS" if rng.random() < 0.15 else "S"
            sub, name = "cur", "%d.M%dP1.%s,S=%d:2,%s" % (
                ts, i, DOMAIN, len(data), flags)
        else:
            sub, name = "new", "%d.M%dP1.%s,S=%d" % (ts, i, DOMAIN, len(data))
        with open(os.path.join(a.dir, sub, name), "wb") as f:
            f.write(data)
    print("%d messages, %d bytes" % (a.count, total))
    return 0


if __name__ == "__main__":
    sys.exit(main())
