#!/usr/bin/env bash
# Where a node's CPU goes under load: a perf profile (kernel and Java frames) of both nodes during one iperf3
# run, folded into flame graphs (issue 19, item 5).
#
# The two namespaces and nodes of bench/throughput.sh (bench/lib-pair.sh: veth 192.0.2.1 - 192.0.2.2,
# overlay 10.77.0.1 - 10.77.0.2), the node JVMs with -XX:+PreserveFramePointer so that perf can walk Java
# stacks. Per case (plain: security.mode = never; secure: certificates of one overlay CA, DTLS-keyed
# AES-256-GCM): the nodes start, one discarded iperf3 run of BENCH_WARMUP (5) s warms the JIT, then
# `perf record -g -F 499` samples both node processes (every thread, on-CPU, kernel and user) for one
# iperf3 TCP run a -> b of BENCH_SECONDS (10) s; `jcmd Compiler.perfmap` names the JIT-compiled code.
# bench/flamegraph.py turns each node's samples into OUT/CASE-sender.svg and OUT/CASE-receiver.svg, .folded
# stacks (in the work directory) and a .txt (samples by thread, by kernel/Java, by the ipop-node frame they are spent for, top leaf
# frames). The iperf3 rate and each node's CPU seconds (user and system) over the run go in
# OUT/CASE-summary.txt and, per case, a last line
#   case=CASE mbit=R cpu_s_sender=A cpu_s_receiver=B sys_share_sender=S sys_share_receiver=T
#
# Usage (as root): bench/profile.sh [OUT]       OUT defaults to docs/profiles
# Environment: IPOP_JAR (default <repo>/target/ipop-node.jar, built if missing), BENCH_SECONDS, BENCH_WARMUP,
#   PROFILE_CASES (default "plain secure"), IPOP_JAVA_OPTS (extra JVM options for the nodes),
#   IPOP_JAVA_HOME or JAVA_HOME (the Java for the nodes; default the newest installed, bench/lib.sh pick_java), BENCH_KEEP=1
#   (keep the work directory with perf data and node logs; it is always kept on failure).
# Everything it creates (namespaces, node, perf and iperf3 processes, /tmp/perf-PID.map) is removed on exit.
set -euo pipefail
set -o errtrace

here=$(cd "$(dirname "$0")/.." && pwd)
jar="${IPOP_JAR:-$here/target/ipop-node.jar}"
seconds="${BENCH_SECONDS:-10}"
warmup="${BENCH_WARMUP:-5}"
java_opts="-XX:+PreserveFramePointer ${IPOP_JAVA_OPTS:-}"
cases="${PROFILE_CASES:-plain secure}"
out="${1:-$here/docs/profiles}"
prefix="ipf$$"
ns_a="$prefix-a"
ns_b="$prefix-b"
work=""
node_pids=()
server_pid=""
perf_pid=""
maps=()
failed=1

exec 3>&2
log() { printf '%s\n' "$*" >&3; }
. "$here/bench/lib.sh"
. "$here/bench/lib-pair.sh"
fail() { log "profile: FAILED: $*"; exit 1; }

case "${1:-}" in -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;; esac
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || fail "BENCH_SECONDS must be a positive integer, got '$seconds'"
[[ "$warmup" =~ ^[0-9]+$ ]] || fail "BENCH_WARMUP must be a non-negative integer, got '$warmup'"
for c in $cases; do [[ "$c" =~ ^(plain|secure)$ ]] || fail "PROFILE_CASES: '$c' is neither plain nor secure"; done
[ "$(id -u)" = 0 ] || fail "run as root: it creates network namespaces, a veth pair and TAP devices"
pick_java
require_tools "Debian: apt-get install iproute2 iperf3 curl python3 linux-perf openjdk-17-jdk-headless" \
  ip iperf3 curl python3 java jcmd perf timeout ss getconf
ensure_jar
mkdir -p "$out"

work=$(mktemp -d /tmp/ipop-profile.XXXXXX)
cleanup() {
  local rc=$?
  set +e
  trap - ERR
  [ -z "$perf_pid" ] || stop_pid "$perf_pid"
  pair_cleanup
  rm -f "${maps[@]}"
  finish_work profile "$rc" "$failed"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'log "profile: FAILED at line $LINENO: $BASH_COMMAND"' ERR

# tcp_run TAG SECONDS: one iperf3 TCP run a -> b through the overlay; sets mbit, the receiver's Mbit/s (not in
# a subshell: the iperf3 server's PID must reach pair_cleanup).
tcp_run() {
  iperf_server 10.77.0.2 "$1" $(($2 + 30))
  in_ns "$ns_a" timeout $(($2 + 30)) iperf3 -c 10.77.0.2 -p 5201 -t "$2" -J >"$work/$1.json" 2>"$work/$1-client.err" \
    || { tail -5 "$work/$1-client.err" >&3; fail "iperf3 run $1 failed"; }
  iperf_server_done
  mbit=$(python3 -c 'import json,sys; print(round(json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"] / 1e6))' "$work/$1.json")
}

# cpu_split PID: "user system" CPU seconds of the process so far.
cpu_split() {
  python3 - "$1" "$clk_tck" <<'PY'
import sys
pid, tck = sys.argv[1], int(sys.argv[2])
fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
print(int(fields[11]) / tck, int(fields[12]) / tck)
PY
}
# cpu_delta "U0 S0" "U1 S1": "total share_of_system" CPU over the interval.
cpu_delta() {
  python3 -c 'import sys; u0,s0=map(float,sys.argv[1].split()); u1,s1=map(float,sys.argv[2].split()); t=(u1-u0)+(s1-s0); print(f"{t:.1f}", f"{(s1-s0)/t if t else 0:.2f}")' "$1" "$2"
}

pair_underlay
pair_pki
summary=()
mbit=""
for c in $cases; do
  [ "$c" = plain ] && pair_start "$c" never || pair_start "$c" by-group
  [ "$warmup" -eq 0 ] || tcp_run "$c-warmup" "$warmup"
  cpu_a0=$(cpu_split "$pair_a"); cpu_b0=$(cpu_split "$pair_b")
  log "== $c: perf record of both nodes over one iperf3 run of $seconds s"
  perf record -q -g -F 499 -p "$pair_a,$pair_b" -o "$work/$c.data" -- sleep $((seconds + 1)) >"$work/$c-perf.log" 2>&1 &
  perf_pid=$!
  tcp_run "$c" "$seconds"
  wait "$perf_pid" || { cat "$work/$c-perf.log" >&3; fail "perf record failed"; }
  perf_pid=""
  read -r cpu_a sys_a < <(cpu_delta "$cpu_a0" "$(cpu_split "$pair_a")")
  read -r cpu_b sys_b < <(cpu_delta "$cpu_b0" "$(cpu_split "$pair_b")")
  for pid in "$pair_a" "$pair_b"; do
    maps+=("/tmp/perf-$pid.map")
    timeout 30 jcmd "$pid" Compiler.perfmap >/dev/null || fail "jcmd Compiler.perfmap on pid $pid failed"
  done
  for side in a b; do
    pid=$([ "$side" = a ] && echo "$pair_a" || echo "$pair_b")
    role=$([ "$side" = a ] && echo sender || echo receiver)
    perf script -i "$work/$c.data" --pid "$pid" >"$work/$c-$side.perf.txt" 2>"$work/$c-$side.perf.err" \
      || { tail -5 "$work/$c-$side.perf.err" >&3; fail "perf script for node $side failed"; }
    python3 "$here/bench/flamegraph.py" "$work/$c-$side.perf.txt" "$out/$c-$role" \
      "ipop-node $c link, $role (node $side), iperf3 TCP a -> b, $mbit Mbit/s, $(date -u '+%Y-%m-%d %H:%M UTC')" \
      >/dev/null || fail "flamegraph.py on $work/$c-$side.perf.txt failed"
    mv "$out/$c-$role.folded" "$work/"   # large; kept with the work directory (BENCH_KEEP=1)
  done
  pair_stop
  line="case=$c mbit=$mbit cpu_s_sender=$cpu_a cpu_s_receiver=$cpu_b sys_share_sender=$sys_a sys_share_receiver=$sys_b"
  echo "$line" >"$out/$c-summary.txt"
  summary+=("$line")
  log "   $line"
done
failed=0
echo "profiles in $out"
echo "Java $java_version; node JVM options: $java_opts"
printf '%s\n' "${summary[@]}"
