#!/usr/bin/env python3
"""jsondiff.py EXPECTED ACTUAL: compare two JSON-lines files object by object
and field by field; print one line per difference, naming the connection
(line number, client and server), or the summary line, and the field path.
Exit 1 on difference."""
import json
import sys


def load(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for i, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except ValueError as e:
                print(f"{path}:{i}: not JSON: {e}")
                sys.exit(1)
    return rows


def walk(exp, act, path, out):
    if isinstance(exp, dict) and isinstance(act, dict):
        for k in exp:
            if k not in act:
                out.append(f"{path}.{k}: missing (expected {json.dumps(exp[k])})")
            else:
                walk(exp[k], act[k], f"{path}.{k}", out)
        for k in act:
            if k not in exp:
                out.append(f"{path}.{k}: unexpected {json.dumps(act[k])}")
    elif isinstance(exp, list) and isinstance(act, list):
        if len(exp) != len(act):
            out.append(f"{path}: {len(act)} items, expected {len(exp)}: "
                       f"{json.dumps(act)} vs {json.dumps(exp)}")
            return
        for i, (e, a) in enumerate(zip(exp, act)):
            walk(e, a, f"{path}[{i}]", out)
    elif exp != act or type(exp) is not type(act):
        out.append(f"{path}: got {json.dumps(act)}, expected {json.dumps(exp)}")


def name(r):
    if r.get("type") == "summary":
        return "the summary line"
    c, s = r.get("client", {}), r.get("server", {})
    return f"{c.get('ip')}:{c.get('port')} -> {s.get('ip')}:{s.get('port')}"


def main():
    exp, act = load(sys.argv[1]), load(sys.argv[2])
    out = []
    if len(exp) != len(act):
        out.append(f"{len(act)} lines, expected {len(exp)}")
    for i, (e, a) in enumerate(zip(exp, act), 1):
        diffs = []
        walk(e, a, "", diffs)
        for d in diffs:
            out.append(f"line {i} ({name(e)}): {d}")
    for line in out:
        print(line)
    return 1 if out else 0


if __name__ == "__main__":
    sys.exit(main())
