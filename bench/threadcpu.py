#!/usr/bin/env python3
"""Where idle node JVMs spend their CPU, by thread kind.

Usage: bench/threadcpu.py [--per-process FILE] SECONDS PID...

Reads /proc/PID/task/*/stat (utime + stime) of every thread of every PID, sleeps SECONDS, reads again, and
prints per thread kind (grouped by thread name as below) the mean CPU per process in percent of one core and
the context switches a second per process (how often those threads were switched in: wake-ups), then the
total. Threads that started or ended in between count
for what they used while they were seen; the last line compares the sum with the processes' own totals
(/proc/PID/stat, which keep what ended threads used): the difference is CPU of threads that ended unseen.
--per-process FILE also writes one line "PID PERCENT" per process: its own total over the measured window
(the clock read around the samples, not SECONDS), in percent of one core (bench/scale.sh's idle figures). Used for docs/performance.md, "Where an idle node's CPU goes".
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


def process_ticks(pids):
    out = {}
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                s = f.read()
        except OSError:
            continue
        fields = s[s.rindex(")") + 2:].split()
        out[pid] = int(fields[11]) + int(fields[12])
    return out


def kind(name):
    for label, pattern in GROUPS:
        if pattern.search(name):
            return label
    return "other"


def main():
    args = sys.argv[1:]
    per_process = None
    if args[:1] == ["--per-process"] and len(args) > 1:
        per_process, args = args[1], args[2:]
    if len(args) < 2:
        sys.exit(__doc__)
    seconds = float(args[0])
    pids = args[1:]
    ta = time.monotonic()
    pa = process_ticks(pids)
    a = sample(pids)
    time.sleep(seconds)
    b = sample(pids)
    pb = process_ticks(pids)
    window = time.monotonic() - ta
    if per_process:
        with open(per_process, "w") as f:
            for pid in pids:
                if pid not in pa or pid not in pb:
                    sys.exit(f"process {pid} ended during the window")
                f.write(f"{pid} {100.0 * (pb[pid] - pa[pid]) / (TICK * window):.3f}\n")
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
    own = sum(pb.get(p, 0) - pa.get(p, 0) for p in pids) * 100.0 / (TICK * window * len(pids))
    print(f"{'processes own totals':28s} {own:6.2f} % of a core over {window:.1f} s (threads that ended unseen: the rest)")


if __name__ == "__main__":
    main()
