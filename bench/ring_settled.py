#!/usr/bin/env python3
"""Checks a node's /overlay/links (JSON on stdin) against the structured topology, for bench/scale.sh.

  ring_settled.py NAME N           exit 0 if node NAME of n1..nN shows its ring successors (two on each
                                    side) up and every link up (none retiring; overlay sessions, which are
                                    no links, left out), else 1
  ring_settled.py --successor NAME N    print the name of NAME's first successor on the ring
  ring_settled.py --far NAME N     print the member farthest from NAME on the ring by rank that NAME has no link
                                    to (its /overlay/links as JSON on stdin), i.e. one reached over the overlay

Ring order as io.ipop.topology.RingId: the first 8 bytes of SHA-256 of the name, unsigned, ties by name.
"""
import hashlib
import json
import sys

SUCCESSORS = 2


def ring(n):
    names = [f"n{i}" for i in range(1, n + 1)]
    return sorted(names, key=lambda x: (int.from_bytes(hashlib.sha256(x.encode()).digest()[:8], "big"), x))


def neighbours(name, n):
    r = ring(n)
    i = r.index(name)
    return {r[(i + k) % n] for k in range(-SUCCESSORS, SUCCESSORS + 1) if k != 0}


if sys.argv[1] == "--successor":
    r = ring(int(sys.argv[3]))
    print(r[(r.index(sys.argv[2]) + 1) % len(r)])
    sys.exit(0)

if sys.argv[1] == "--far":
    r = ring(int(sys.argv[3]))
    linked = {l["peer"] for l in json.load(sys.stdin) if not (l.get("path") or "").startswith("overlay")}
    i = r.index(sys.argv[2])
    far = [r[(i + k) % len(r)] for k in sorted(range(1, len(r)), key=lambda k: abs(k - len(r) / 2))]
    print(next((x for x in far if x not in linked), ""))
    sys.exit(0)

name, n = sys.argv[1], int(sys.argv[2])
try:
    links = json.load(sys.stdin)
except ValueError:
    sys.exit(1)
links = [l for l in links if not (l.get("path") or "").startswith("overlay")]   # overlay sessions: multi-hop, no link
up = {l["peer"] for l in links if l.get("state") == "up" and l.get("topology") != "retiring"}
settled = len(up) == len(links) and neighbours(name, n) <= up
sys.exit(0 if settled else 1)
