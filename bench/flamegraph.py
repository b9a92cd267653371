#!/usr/bin/env python3
"""A flame graph and a cost table from `perf script` output, without tools from outside this repository.

Usage: flamegraph.py PERF_SCRIPT.txt OUT_PREFIX [TITLE]
PERF_SCRIPT.txt is `perf script` of a `perf record -g` of node processes started with
-XX:+PreserveFramePointer, after `jcmd PID Compiler.perfmap` wrote the JIT's symbols to /tmp/perf-PID.map.
Writes
  OUT_PREFIX.svg      the flame graph: root = thread group (the JVM thread's name without its number), then
                      the stack from the thread's start to the sampled frame; kernel frames red, ipop-node's
                      Java frames orange, the JDK's blue, Pekko's green, native libraries grey
  OUT_PREFIX.folded   the folded stacks ("frame;frame;frame count"), root first
  OUT_PREFIX.txt      samples by thread group, by where the sample's leaf is (kernel, JIT-compiled Java,
                      interpreter, native library), by the first ipop-node frame on the stack (which part of
                      the data path the time is spent for), and the 30 leaf frames with the most samples
"""
import collections
import html
import re
import sys

JAVA_SIG = re.compile(r"^(?:[\w.$\[\]<>]+ )?([\w.$<>]+)\(.*\)$")  # "void io.ipop.X.y(int)" -> io.ipop.X.y


def clean(sym, dso):
    if sym in ("[unknown]", ""):
        return f"[{dso.rsplit('/', 1)[-1]}]" if dso and dso != "[unknown]" else "[unknown]"
    sym = re.sub(r"\+0x[0-9a-f]+$", "", sym)
    m = JAVA_SIG.match(sym)
    if m and "." in m.group(1):
        return m.group(1)
    if sym.startswith("L") and ";::" in sym:  # older perf-map-agent style
        return sym[1:].replace("/", ".").replace(";::", ".")
    return sym


def kind(frame, dso):
    if "kernel" in dso or "vmlinux" in dso:
        return "kernel"
    if "perf-" in dso and dso.endswith(".map"):
        return "java"
    if "libjvm" in dso:
        return "jvm"
    return "native"


def parse(path):
    """Yields (thread, [(frame, kind)] leaf first) per sample."""
    thread, frames = None, []
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip():
                if thread is not None and frames:
                    yield thread, frames
                thread, frames = None, []
                continue
            if not line.startswith((" ", "\t")):
                # header: "comm  pid/tid  time: period event:"  (comm may contain spaces)
                m = re.match(r"^(.*?)\s+\d+(?:/\d+)?\s+[\d.]+:", line)
                thread = (m.group(1) if m else line.split()[0]).strip()
                frames = []
                continue
            parts = line.strip().split(" ", 1)
            if len(parts) < 2:
                continue
            rest = parts[1]
            dso = rest[rest.rfind("(") + 1:-1] if rest.endswith(")") else ""
            sym = rest[: rest.rfind(" (")] if " (" in rest else rest
            frames.append((clean(sym, dso), kind(sym, dso)))
    if thread is not None and frames:
        yield thread, frames


def group_of(thread):
    return re.sub(r"[-#]?\d+$", "", thread) or thread


def color(name, k):
    if k == "kernel":
        return "rgb(225,110,95)"
    if name.startswith("io.ipop."):
        return "rgb(240,170,60)"
    if name.startswith(("org.apache.pekko.", "scala.")):
        return "rgb(120,180,120)"
    if k in ("java", "jvm") or name.startswith(("java.", "jdk.", "sun.", "com.sun.", "jnr.", "com.kenai.")):
        return "rgb(120,160,220)"
    return "rgb(170,170,170)"


def svg(samples, title, path):
    root = {"n": 0, "k": "", "kids": {}}
    for thread, frames in samples:
        node = root
        node["n"] += 1
        for name, k in [(group_of(thread), "thread")] + list(reversed(frames)):
            node = node["kids"].setdefault(name, {"n": 0, "k": k, "kids": {}})
            node["n"] += 1
    total = max(root["n"], 1)
    width, row, top = 1400, 16, 44
    rects, depth_max = [], [0]

    def walk(node, x, depth):
        depth_max[0] = max(depth_max[0], depth)
        for name, kid in sorted(node["kids"].items()):
            w = kid["n"] * width / total
            if w >= 1.0:
                rects.append((x, depth, w, name, kid))
                walk(kid, x, depth + 1)
            x += w

    walk(root, 0.0, 0)
    height = top + (depth_max[0] + 1) * row + 10
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="monospace" font-size="11">',
           f'<text x="4" y="16" font-size="14">{html.escape(title)}</text>',
           f'<text x="4" y="34">{total} perf samples (on-CPU, kernel and user); width = share of the samples; '
           'red kernel, orange ipop-node, blue JDK, green Pekko; hover for the frame</text>']
    for x, depth, w, name, kid in rects:
        y = height - 10 - (depth + 1) * row
        label = html.escape(name)
        fit = int(w / 6.6)
        short = label if len(name) <= fit else (html.escape(name[: fit - 2]) + ".." if fit > 4 else "")
        out.append(f'<g><title>{label} ({kid["n"]} samples, {100.0 * kid["n"] / total:.1f}%)</title>'
                   f'<rect x="{x:.1f}" y="{y}" width="{max(w - 0.3, 0.2):.1f}" height="{row - 1}" '
                   f'fill="{color(name, kid["k"])}"/><text x="{x + 2:.1f}" y="{y + row - 4}">{short}</text></g>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def main():
    src, prefix = sys.argv[1], sys.argv[2]
    title = sys.argv[3] if len(sys.argv) > 3 else src
    samples = list(parse(src))
    total = len(samples) or 1
    folded = collections.Counter(";".join([group_of(t)] + [n for n, _ in reversed(fr)]) for t, fr in samples)
    with open(prefix + ".folded", "w") as f:
        for s, n in folded.most_common():
            f.write(f"{s} {n}\n")
    svg(samples, title, prefix + ".svg")
    threads = collections.Counter(group_of(t) for t, _ in samples)
    leaf_kind = collections.Counter(fr[0][1] for _, fr in samples)
    leaves = collections.Counter(fr[0][0] for _, fr in samples)
    for_what = collections.Counter()
    for _, fr in samples:
        ours = next((n for n, _ in fr if n.startswith("io.ipop.")), "(no ipop-node frame)")
        for_what[ours] += 1
    pct = lambda n: f"{100.0 * n / total:5.1f}%"
    with open(prefix + ".txt", "w") as f:
        f.write(f"{title}\n{total} samples\n\nby thread group:\n")
        f.writelines(f"  {pct(n)}  {n:6d}  {t}\n" for t, n in threads.most_common(12))
        f.write("\nby where the sampled frame is (kernel: system calls, network stack, TAP; java: JIT code):\n")
        f.writelines(f"  {pct(n)}  {n:6d}  {k}\n" for k, n in leaf_kind.most_common())
        f.write("\nby the innermost ipop-node frame on the stack (what the time is spent for):\n")
        f.writelines(f"  {pct(n)}  {n:6d}  {k}\n" for k, n in for_what.most_common(25))
        f.write("\nleaf frames with the most samples:\n")
        f.writelines(f"  {pct(n)}  {n:6d}  {k}\n" for k, n in leaves.most_common(30))
    print(open(prefix + ".txt").read(), end="")


if __name__ == "__main__":
    main()
