#!/usr/bin/env python3
"""Where idle node JVMs spend their CPU, by thread kind.

Usage: bench/threadcpu.py SECONDS PID...

Reads /proc/PID/task/*/stat (utime + stime) of every thread of every PID, sleeps SECONDS, reads again, and
prints per thread kind (grouped by thread name as below) the mean CPU per process in percent of one core and
the context switches a second per process (how often those threads were switched in: wake-ups), then the
total. Threads that started or ended in between count
for what they used while they were seen. Used for docs/performance.md, "Where an idle node's CPU goes".
"""
import os
import re
import sys
import time

GROUPS = [   # /proc's comm: the first 15 characters of the JVM's thread name
    ("scheduler (timer) threads", re.compile(r"scheduler")),
    ("Artery (cluster TCP)", re.compile(r"pekko\.remo")),
    ("Pekko IO", re.compile(r"pekko\.io")),
    ("our I/O threads", re.compile(r"ipop\.io")),
    ("actor dispatchers", re.compile(r"pekko\.acto")),
    ("JIT", re.compile(r"Compi")),
    ("GC and VM", re.compile(r"VM Thread|VM Periodic|GC|G1")),
]
TICK = os.sysconf("SC_CLK_TCK")


def sample(pids):
    out = {}
    for pid in pids:
        base = f"/proc/{pid}/task"
        try:
            tids = os.listdir(base)
        except OSError:
            continue
        for tid in tids:
            try:
                with open(f"{base}/{tid}/stat") as f:
                    s = f.read()
                with open(f"{base}/{tid}/comm") as f:
                    name = f.read().strip()
            except OSError:
                continue
            fields = s[s.rindex(")") + 2:].split()
            try:
                with open(f"{base}/{tid}/status") as f:
                    wakes = sum(int(l.split()[1]) for l in f if "ctxt_switches:" in l)
            except OSError:
                wakes = 0
            out[(pid, tid)] = (name, int(fields[11]) + int(fields[12]), wakes)
    return out


def kind(name):
    for label, pattern in GROUPS:
        if pattern.search(name):
            return label
    return "other"


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    seconds = float(sys.argv[1])
    pids = sys.argv[2:]
    a = sample(pids)
    time.sleep(seconds)
    b = sample(pids)
    per_kind = {}
    switches = {}
    names = {}
    for key, (name, ticks, wakes) in b.items():
        before = a.get(key, (name, 0, 0))
        k = kind(name)
        per_kind[k] = per_kind.get(k, 0) + ticks - before[1]
        switches[k] = switches.get(k, 0) + wakes - before[2]
        names.setdefault(k, set()).add(re.sub(r"[-\d]+$", "", name))
    scale = 100.0 / (TICK * seconds * len(pids))   # percent of one core, mean per process
    total = 0.0
    for k, ticks in sorted(per_kind.items(), key=lambda kv: -kv[1]):
        pct = ticks * scale
        total += pct
        rate = switches.get(k, 0) / (seconds * len(pids))
        print(f"{k:28s} {pct:6.2f} %  {rate:7.1f} switches/s   ({', '.join(sorted(names[k]))[:70]})")
    print(f"{'total per process':28s} {total:6.2f} % of a core, mean over {len(pids)} processes, {seconds:.0f} s")


if __name__ == "__main__":
    main()
