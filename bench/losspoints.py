#!/usr/bin/env python3
"""Where did the datagrams go: the kernel's drop counters of one network namespace, and their differences.

  losspoints.py snap [URL]         (run inside a namespace: ip netns exec NS python3 losspoints.py snap)
      prints one JSON object of the namespace's counters where a packet can be dropped on its way:
      the UDP MIB (/proc/net/snmp: RcvbufErrors, SndbufErrors, InErrors), each UDP socket's drops by
      local port (/proc/net/udp), each interface's rx/tx dropped (/sys/class/net), each qdisc's drops
      (tc -s -j qdisc), and, given URL (a node's /overlay/dataplane), the node's drops_total.
  losspoints.py diff BEFORE AFTER LABEL
      prints the counters that moved between two snapshots as "LABEL.key=delta" words, or nothing.
"""
import json
import os
import subprocess
import sys
import urllib.request


def udp_mib():
    lines = [l.split() for l in open("/proc/net/snmp") if l.startswith("Udp:")]
    return {f"udp.{k}": int(v) for k, v in zip(lines[0][1:], lines[1][1:])
            if k in ("InErrors", "RcvbufErrors", "SndbufErrors", "NoPorts", "InCsumErrors")}


def socket_drops():
    out = {}
    for path in ("/proc/net/udp", "/proc/net/udp6"):
        if not os.path.exists(path):
            continue
        for row in list(open(path))[1:]:
            f = row.split()
            port = int(f[1].rsplit(":", 1)[1], 16)
            key = f"sock.{port}.drops"
            out[key] = out.get(key, 0) + int(f[-1])
    return out


def link_drops():
    out = {}
    for dev in os.listdir("/sys/class/net"):
        for d in ("rx_dropped", "tx_dropped"):
            try:
                out[f"{dev}.{d}"] = int(open(f"/sys/class/net/{dev}/statistics/{d}").read())
            except OSError:
                pass
    return out


def arp_discards():
    """Packets the kernel dropped while their next hop's address was being resolved (all CPUs)."""
    try:
        rows = [l.split() for l in open("/proc/net/stat/arp_cache")]
    except OSError:
        return {}
    col = rows[0].index("unresolved_discards")
    return {"arp.unresolved_discards": sum(int(r[col], 16) for r in rows[1:])}


def qdisc_drops():
    try:
        qs = json.loads(subprocess.run(["tc", "-s", "-j", "qdisc"], capture_output=True, text=True,
                                       timeout=5).stdout or "[]")
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return {}
    return {f"qdisc.{q.get('dev')}.{q.get('kind')}.drops": int(q.get("drops", 0)) for q in qs}


def node_drops(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            d = json.load(r)
    except (OSError, ValueError):
        return {}
    out = {"node.drops_total": int(d.get("drops_total", 0))}
    for k in ("datagrams_in", "frames_from_tap", "frames_to_tap"):
        out[f"flow.{k}"] = int(d.get(k, 0))
    for stage, reasons in d.get("drops", {}).items():
        for reason, n in reasons.items():
            out[f"node.{stage}.{reason}"] = int(n)
    return out


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "snap":
        snap = {**udp_mib(), **socket_drops(), **link_drops(), **qdisc_drops(), **arp_discards()}
        if len(sys.argv) > 2:
            snap.update(node_drops(sys.argv[2]))
        print(json.dumps(snap))
    elif len(sys.argv) == 5 and sys.argv[1] == "diff":
        before, after = (json.load(open(p)) for p in sys.argv[2:4])
        moved = [f"{sys.argv[4]}.{k}={after[k] - before.get(k, 0)}" for k in sorted(after)
                 if k != "node.drops_total" and after[k] - before.get(k, 0) > 0]
        print(" ".join(moved))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
