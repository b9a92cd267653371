#!/usr/bin/env bash
# Throughput, RTT and node CPU of ipop-node against the bare link, measured side by side in one run.
#
# Two network namespaces joined by one veth pair (underlay 192.0.2.1/24 - 192.0.2.2/24, eth0 in
# both), optionally shaped with tc tbf (--rate 1gbit reproduces the study's 1 GbE setting). Cases:
#   direct  iperf3 a -> 192.0.2.2 over the bare veth, no overlay
#   plain   two nodes, security.mode = never, iperf3 a -> 10.77.0.2 over a plaintext link
#   secure  two nodes with certificates of one overlay CA, group blue, mode by-group: DTLS-keyed
#           AES-GCM link (checked in /overlay/links before measuring)
#   socat   reference, if socat is installed (BENCH_REFERENCE=0 skips it): the smallest userspace
#           TAP-over-UDP forwarder there is, socat in each namespace (C, one thread, one packet per
#           system call, plaintext), iperf3 a -> 10.78.0.2 — the floor a userspace VPN starts from
#           on this machine, measured in the same run
#   wireguard, nebula  with --peers: wireguard-go and nebula (Debian packages, installed with apt-get if
#           missing) in the same namespaces over the same veth, inside MTU 1400 as the nodes' TAP
#           (bench/lib-peers.sh), iperf3 a -> 10.79.0.2 and a -> 10.80.0.2; --peers also runs socat
#   plain-fw, secure-fw  with --firewall: plain and secure again, both nodes running the group
#           firewall with 20 inbound rules and default deny (19 that do not match iperf3, the 20th lets
#           TCP 5201 in; ICMP for ping; the replies to a's flows come back through the flow table)
# Each case: BENCH_RUNS (3) runs of iperf3 TCP, one stream, BENCH_SECONDS (10) s each, median of the
# receiver's bits/s; then ping -c BENCH_PINGS (20) -i BENCH_PING_INTERVAL (0.05), median RTT; CPU seconds
# (utime+stime) each of the case's two processes used over the iperf3 runs, the same per GB received (direct: iperf3's own), and each process's
# peak RSS (VmHWM). Prints a table, and as its very last line
#   plain/direct=R1 secure/direct=R2 rtt_added_ms=R3
# (ratios of the median throughputs; R3 = secure RTT median - direct RTT median, ms), and with
# --peers three more: secure/best_peer=R4 plain/best_peer=R5 rtt_added_socat_ms=R6 (R4, R5: against the
# faster of wireguard and nebula; R6 = socat RTT median - direct RTT median), and with --firewall two more
# at the end: plain_fw/plain=R7 secure_fw/secure=R8 (the firewall's cost, same run).
#
# Usage (as root): bench/throughput.sh [--rate RATE] [--firewall] [--peers]
# Environment: IPOP_JAR (default <repo>/target/ipop-node.jar, built if missing), BENCH_SECONDS,
#   BENCH_RUNS, BENCH_WARMUP (seconds of one discarded iperf3 run before each case's runs; default 0),
#   BENCH_PINGS, BENCH_PING_INTERVAL (the RTT's ping count and interval in s, the same for every case),
#   IPOP_JAVA_OPTS (extra JVM options for the two nodes), IPOP_JAVA_HOME or JAVA_HOME (the Java for the
#   nodes; default the newest installed, bench/lib.sh pick_java), BENCH_REFERENCE (1: the socat
#   case if socat is installed; 0: skip it), BENCH_KEEP=1 (keep the work
#   directory with node logs, configs and /overlay snapshots; it is always kept on failure).
# Everything it creates (namespaces, node and iperf3 processes) is removed on exit, success or not.
set -euo pipefail
set -o errtrace

here=$(cd "$(dirname "$0")/.." && pwd)
jar="${IPOP_JAR:-$here/target/ipop-node.jar}"
seconds="${BENCH_SECONDS:-10}"
runs="${BENCH_RUNS:-3}"
warmup="${BENCH_WARMUP:-0}"
pings="${BENCH_PINGS:-20}"
ping_interval="${BENCH_PING_INTERVAL:-0.05}"
java_opts="${IPOP_JAVA_OPTS:-}"
rate=""
firewall=0
peers=0
prefix="ipb$$"
ns_a="$prefix-a"
ns_b="$prefix-b"
work=""
node_pids=()
server_pid=""
failed=1

# Messages go to fd 3, a copy of the original stderr: a trap can run while a command's redirections
# are still in force (e.g. SIGTERM during an iperf3 run whose output goes to a file).
exec 3>&2
log() { printf '%s\n' "$*" >&3; }
. "$here/bench/lib.sh"
. "$here/bench/lib-pair.sh"
. "$here/bench/lib-peers.sh"
fail() { log "throughput: FAILED: $*"; exit 1; }
usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
}

while [ $# -gt 0 ]; do
  case "$1" in
    --rate) [ $# -ge 2 ] || fail "--rate needs a value, e.g. --rate 1gbit"; rate=$2; shift 2 ;;
    --rate=*) rate=${1#--rate=}; shift ;;
    --firewall) firewall=1; shift ;;
    --peers) peers=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) fail "unknown argument '$1' (usage: bench/throughput.sh [--rate RATE] [--firewall] [--peers])" ;;
  esac
done

[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || fail "BENCH_SECONDS must be a positive integer, got '$seconds'"
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || fail "BENCH_RUNS must be a positive integer, got '$runs'"
[[ "$pings" =~ ^[1-9][0-9]*$ ]] || fail "BENCH_PINGS must be a positive integer, got '$pings'"
[[ "$ping_interval" =~ ^[0-9]+(\.[0-9]+)?$ ]] || fail "BENCH_PING_INTERVAL must be a number of seconds, got '$ping_interval'"
ping_limit=$(python3 -c "print(int($pings * $ping_interval) + 30)")   # the series' length and room for replies
if [ -n "$rate" ] && ! [[ "$rate" =~ ^[0-9]+(\.[0-9]+)?([kmgt]i?)?(bit|bps)$ ]]; then
  fail "--rate '$rate' is not a tc rate such as 1gbit, 500mbit"
fi
[ "$(id -u)" = 0 ] || fail "run as root: it creates network namespaces, a veth pair and TAP devices (sudo bench/throughput.sh)"

pick_java
require_tools "Debian: apt-get install iproute2 iperf3 iputils-ping curl python3 openjdk-17-jre-headless" \
  ip tc iperf3 ping curl python3 java timeout ss getconf
ensure_jar

work=$(mktemp -d /tmp/ipop-bench.XXXXXX)

cleanup() {
  local rc=$?
  set +e
  trap - ERR
  pair_cleanup
  finish_work throughput "$rc" "$failed"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'log "throughput: FAILED at line $LINENO: $BASH_COMMAND"' ERR
[ "$peers" = 0 ] || peer_tools_ensure

# ---------------------------------------------------------------------------------------- underlay, PKI
pair_underlay "$rate"
pair_pki

# ---------------------------------------------------------------------------------------- measuring
median() { python3 -c 'import statistics,sys; print(statistics.median(float(x) for x in sys.argv[1:]))' "$@"; }


last_bps=""; last_bytes=""; last_iperf_cpu=""
iperf_once() {  # one iperf3 run a -> $1; sets last_bps, last_bytes (receiver) and last_iperf_cpu (CPU s of both iperf3s)
  local ip=$1 tag=$2 vals
  iperf_server "$ip" "$tag" $((seconds + 30))
  if ! in_ns "$ns_a" timeout $((seconds + 30)) iperf3 -c "$ip" -p 5201 -t "$seconds" -J >"$work/$tag.json" 2>"$work/$tag-client.err"; then
    tail -20 "$work/$tag.json" "$work/$tag-client.err" >&3 || true
    stop_pid "$server_pid"; server_pid=""
    return 1
  fi
  iperf_server_done   # "-1": it exits by itself
  vals=$(python3 - "$work/$tag.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
if "error" in d:
    sys.exit("iperf3: " + d["error"])
r, cpu = d["end"]["sum_received"], d["end"]["cpu_utilization_percent"]
# iperf3's own CPU (getrusage of client and server) as a share of the run, in seconds
print(r["bits_per_second"], r["bytes"], (cpu["host_total"] + cpu["remote_total"]) / 100 * r["seconds"])
PY
) || return 1
  read -r last_bps last_bytes last_iperf_cpu <<<"$vals"
}

rtt_median() {  # median of ping RTTs a -> $1, in ms; the ping output goes to $work/$2-ping.txt
  local ip=$1 tag=$2 out times
  out=$(in_ns "$ns_a" timeout "$ping_limit" ping -c "$pings" -i "$ping_interval" -W 2 "$ip") || { echo "$out" >&3; return 1; }
  echo "$out" >"$work/$tag-ping.txt"
  times=$(grep -o 'time=[0-9.]*' <<<"$out" | cut -d= -f2)
  [ -n "$times" ] || { echo "$out" >&3; return 1; }
  # shellcheck disable=SC2086
  median $times
}

declare -A mbit_median runs_txt rtt cpu_a cpu_b cpu_gb iperf_gb rss_a rss_b

# measure CASE TARGET_IP [PID_A PID_B]: the iperf3 runs and the ping of one case. PID_A, PID_B are the two
# processes that carry the case's traffic (node JVMs, socat, wireguard-go, nebula): their CPU seconds over the
# runs, per GB (1e9 bytes) the receiver got, is the case's CPU s/GB. Without them (direct) it is iperf3's own
# CPU, both ends: there the kernel's TCP and veth work is done in iperf3's system calls.
measure() {
  local c=$1 ip=$2 pa=${3:-} pb=${4:-} r bps list=() a0 b0 a1 b1 bytes=0 icpu=0
  log "== $c: $runs x iperf3 -t $seconds a -> $ip"
  if [ "$warmup" -gt 0 ]; then   # discarded: the first seconds of a fresh node run while the JIT compiles
    local measured=$seconds
    seconds=$warmup
    iperf_once "$ip" "$c-warmup" || fail "iperf3 warm-up of case $c (a -> $ip) failed"
    seconds=$measured
    log "   warm-up ($warmup s, discarded): $(python3 -c "print(f'{float(\"$last_bps\")/1e6:.1f}')") Mbit/s"
  fi
  if [ -n "$pa" ]; then a0=$(cpu_seconds "$pa"); b0=$(cpu_seconds "$pb"); fi
  for r in $(seq "$runs"); do
    iperf_once "$ip" "$c-$r" || { [ -n "$pa" ] && node_log_tail; fail "iperf3 run $r of case $c (a -> $ip) failed"; }
    bps=$last_bps
    list+=("$bps")
    bytes=$((bytes + last_bytes))
    icpu=$(python3 -c "print($icpu + $last_iperf_cpu)")
    log "   run $r: $(python3 -c "print(f'{float(\"$bps\")/1e6:.1f}')") Mbit/s"
  done
  iperf_gb[$c]=$(python3 -c "print(f'{$icpu / max($bytes, 1) * 1e9:.2f}')")
  if [ -n "$pa" ]; then
    a1=$(cpu_seconds "$pa") || fail "process a (pid $pa) is gone after the iperf3 runs of $c"
    b1=$(cpu_seconds "$pb") || fail "process b (pid $pb) is gone after the iperf3 runs of $c"
    cpu_a[$c]=$(python3 -c "print(f'{$a1 - $a0:.2f}')")
    cpu_b[$c]=$(python3 -c "print(f'{$b1 - $b0:.2f}')")
    cpu_gb[$c]=$(python3 -c "print(f'{($a1 - $a0 + $b1 - $b0) / max($bytes, 1) * 1e9:.2f}')")
  else
    cpu_a[$c]="-"; cpu_b[$c]="-"; cpu_gb[$c]="${iperf_gb[$c]}*"
  fi
  mbit_median[$c]=$(python3 -c 'import statistics,sys; print(statistics.median(float(x) for x in sys.argv[1:]) / 1e6)' "${list[@]}")
  runs_txt[$c]=$(python3 -c 'import sys; print(" ".join(f"{float(x)/1e6:.1f}" for x in sys.argv[1:]))' "${list[@]}")
  log "== $c: ping -c $pings -i $ping_interval $ip"
  rtt[$c]=$(rtt_median "$ip" "$c") || { [ -n "$pa" ] && node_log_tail; fail "ping a -> $ip (case $c) failed"; }
}

overlay_case() {  # overlay_case CASE MODE [fw]
  local c=$1 mode=$2 fw=${3:-}
  pair_start "$c" "$mode" "$fw"
  measure "$c" 10.77.0.2 "$pair_a" "$pair_b"
  if [ -n "$fw" ]; then
    mgmt "$ns_b" /overlay/firewall >"$work/$c-b-firewall.json" 2>/dev/null || true
    python3 -c 'import json,sys; f=json.load(open(sys.argv[1])); assert f["active"] and f["inbound"][-1]["hits"] > 0, f' \
      "$work/$c-b-firewall.json" || fail "$c: the firewall on b did not judge the iperf3 traffic ($work/$c-b-firewall.json)"
    log "   firewall on b: $(python3 -c 'import json,sys; f=json.load(open(sys.argv[1])); print(len(f["inbound"]), "rules, last one hit", f["inbound"][-1]["hits"], "times")' "$work/$c-b-firewall.json")"
  fi
  # peak resident memory of each node process over the whole case (VmHWM), MB
  rss_a[$c]=$(peak_rss_mb "$pair_a")
  rss_b[$c]=$(peak_rss_mb "$pair_b")
  pair_stop
}

peer_case() {  # peer_case wireguard 10.79.0.2 | nebula 10.80.0.2
  "${1}_start"
  measure "$1" "$2" "$peer_a" "$peer_b"
  rss_a[$1]=$(peak_rss_mb "$peer_a"); rss_b[$1]=$(peak_rss_mb "$peer_b")
  peers_stop
}

reference_case() {  # socat TAP <-> UDP in each namespace, plaintext, port 5900, TAP ref0 10.78.0.x/24
  local pa pb i
  case_name=socat
  log "== socat: reference forwarder (socat TUN tun-type=tap <-> UDP) in both namespaces"
  # no IPv6 on the TAPs socat creates: their first neighbour-discovery packets could reach the other side
  # before its socat has bound port 5900, and the ICMP port-unreachable ends this side's connected socket
  # ("read: Connection refused", socat exits)
  for i in "$ns_a" "$ns_b"; do ip netns exec "$i" sysctl -qw net.ipv6.conf.default.disable_ipv6=1; done
  ip netns exec "$ns_a" socat UDP:192.0.2.2:5900,bind=192.0.2.1:5900 \
    TUN:10.78.0.1/24,tun-type=tap,tun-name=ref0,iff-up >"$work/socat-a.log" 2>&1 3>&- &
  pa=$!; node_pids+=("$pa")
  ip netns exec "$ns_b" socat UDP:192.0.2.1:5900,bind=192.0.2.2:5900 \
    TUN:10.78.0.2/24,tun-type=tap,tun-name=ref0,iff-up >"$work/socat-b.log" 2>&1 3>&- &
  pb=$!; node_pids+=("$pb")
  for i in $(seq 50); do
    if ip -n "$ns_a" link show ref0 >/dev/null 2>&1 && ip -n "$ns_b" link show ref0 >/dev/null 2>&1; then break; fi
    kill -0 "$pa" 2>/dev/null && kill -0 "$pb" 2>/dev/null || { cat "$work"/socat-*.log >&3; fail "socat exited"; }
    sleep 0.1
  done
  ip -n "$ns_a" link set ref0 mtu 1400 && ip -n "$ns_b" link set ref0 mtu 1400 || fail "no TAP ref0 from socat"
  in_ns "$ns_a" timeout 10 ping -c 1 -W 2 10.78.0.2 >/dev/null || fail "no ping through the socat reference"
  measure socat 10.78.0.2 "$pa" "$pb"
  rss_a[socat]=$(peak_rss_mb "$pa"); rss_b[socat]=$(peak_rss_mb "$pb")
  for i in "$pa" "$pb"; do stop_pid "$i"; done
  node_pids=()
}

# ---------------------------------------------------------------------------------------- cases
case_name=direct
measure direct 192.0.2.2
overlay_case plain never
overlay_case secure by-group
cases=(direct plain secure)
if [ "$firewall" = 1 ]; then
  overlay_case plain-fw never fw
  overlay_case secure-fw by-group fw
  cases+=(plain-fw secure-fw)
fi
if [ "$peers" = 1 ] || [ "${BENCH_REFERENCE:-1}" != 0 ]; then
  if command -v socat >/dev/null; then
    reference_case
    cases+=(socat)
  else
    log "== socat not installed: no reference case (apt-get install socat)"
  fi
fi
if [ "$peers" = 1 ]; then
  peer_case wireguard 10.79.0.2
  peer_case nebula 10.80.0.2
  cases+=(wireguard nebula)
fi

# ---------------------------------------------------------------------------------------- report
echo
echo "ipop-node throughput: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, kernel $(uname -r)"
shaping="unshaped"
[ -z "$rate" ] || shaping="shaped with tc tbf rate $rate burst 512kb latency 50ms (both ends)"
echo "underlay: veth $shaping; iperf3 TCP 1 stream, $runs x $seconds s per case; Java $java_version; node JVM options: ${java_opts:-(none)}"
echo
printf '%-9s %14s  %-26s %13s  %-15s %8s %8s  %s\n' case "median Mbit/s" "runs Mbit/s" "RTT median ms" "CPU s a / b" \
  "CPU s/GB" "iperf3" "peak RSS MB a / b"
for c in "${cases[@]}"; do
  printf '%-9s %14.1f  %-26s %13.3f  %-15s %8s %8s  %s\n' "$c" "${mbit_median[$c]}" "${runs_txt[$c]}" "${rtt[$c]}" \
    "${cpu_a[$c]} / ${cpu_b[$c]}" "${cpu_gb[$c]}" "${iperf_gb[$c]}" "${rss_a[$c]:--} / ${rss_b[$c]:--}"
done
echo
echo "CPU s/GB: utime+stime of the case's two processes (a / b: node JVMs, socat, wireguard-go, nebula) over its"
echo "iperf3 runs, per 1e9 bytes received; iperf3: the same for the two iperf3 processes; * direct has no such"
echo "processes: its figure is iperf3's, whose system calls do the kernel's TCP and veth work (softirq time the"
echo "kernel accounts apart is in neither)."
[ "${BENCH_KEEP:-0}" != 1 ] || echo "node logs, configs, iperf3 JSON and /overlay snapshots kept in $work"
failed=0
extra=()
[ "$peers" = 0 ] || extra+=(peers "${mbit_median[wireguard]}" "${mbit_median[nebula]}" "${rtt[socat]}")
[ "$firewall" = 0 ] || extra+=(fw "${mbit_median[plain-fw]}" "${mbit_median[secure-fw]}")
python3 - "${mbit_median[direct]}" "${mbit_median[plain]}" "${mbit_median[secure]}" "${rtt[direct]}" "${rtt[secure]}" "${extra[@]}" <<'PY'
import sys
direct, plain, secure, rtt_direct, rtt_secure = map(float, sys.argv[1:6])
def ratio(x, base=direct):
    r = x / base
    s = f"{r:.3f}"
    return s if r == 0 or float(s) > 0 else f"{r:.6f}"
line = f"plain/direct={ratio(plain)} secure/direct={ratio(secure)} rtt_added_ms={rtt_secure - rtt_direct:.2f}"
rest = sys.argv[6:]
while rest:
    if rest[0] == "peers":
        best = max(float(rest[1]), float(rest[2]))
        line += (f" secure/best_peer={ratio(secure, best)} plain/best_peer={ratio(plain, best)}"
                 f" rtt_added_socat_ms={float(rest[3]) - rtt_direct:.2f}")
        rest = rest[4:]
    else:
        plain_fw, secure_fw = map(float, rest[1:3])
        line += f" plain_fw/plain={plain_fw / plain:.3f} secure_fw/secure={secure_fw / secure:.3f}"
        rest = rest[3:]
print(line)
PY
