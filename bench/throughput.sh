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
#   plain-fw, secure-fw  with --firewall: plain and secure again, both nodes running the group
#           firewall with 20 inbound rules and default deny (19 that do not match iperf3, the 20th lets
#           TCP 5201 in; ICMP for ping; the replies to a's flows come back through the flow table)
# Each case: BENCH_RUNS (3) runs of iperf3 TCP, one stream, BENCH_SECONDS (10) s each, median of the
# receiver's bits/s; then ping -c 20 -i 0.05, median RTT; CPU seconds (utime+stime) each node process
# used over the iperf3 runs, and each node process's peak RSS (VmHWM). Prints a table, and as its very last line
#   plain/direct=R1 secure/direct=R2 rtt_added_ms=R3
# (ratios of the median throughputs; R3 = secure RTT median - direct RTT median, ms), and with
# --firewall two more fields: plain_fw/plain=R4 secure_fw/secure=R5 (the firewall's cost, same run).
#
# Usage (as root): bench/throughput.sh [--rate RATE] [--firewall]
# Environment: IPOP_JAR (default <repo>/target/ipop-node.jar, built if missing), BENCH_SECONDS,
#   BENCH_RUNS, BENCH_WARMUP (seconds of one discarded iperf3 run before each case's runs; default 0),
#   IPOP_JAVA_OPTS (extra JVM options for the two nodes), BENCH_REFERENCE (1: the socat
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
java_opts="${IPOP_JAVA_OPTS:-}"
rate=""
firewall=0
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
fail() { log "throughput: FAILED: $*"; exit 1; }
usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
}

while [ $# -gt 0 ]; do
  case "$1" in
    --rate) [ $# -ge 2 ] || fail "--rate needs a value, e.g. --rate 1gbit"; rate=$2; shift 2 ;;
    --rate=*) rate=${1#--rate=}; shift ;;
    --firewall) firewall=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) fail "unknown argument '$1' (usage: bench/throughput.sh [--rate RATE] [--firewall])" ;;
  esac
done

[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || fail "BENCH_SECONDS must be a positive integer, got '$seconds'"
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || fail "BENCH_RUNS must be a positive integer, got '$runs'"
if [ -n "$rate" ] && ! [[ "$rate" =~ ^[0-9]+(\.[0-9]+)?([kmgt]i?)?(bit|bps)$ ]]; then
  fail "--rate '$rate' is not a tc rate such as 1gbit, 500mbit"
fi
[ "$(id -u)" = 0 ] || fail "run as root: it creates network namespaces, a veth pair and TAP devices (sudo bench/throughput.sh)"

require_tools "Debian: apt-get install iproute2 iperf3 iputils-ping curl python3 openjdk-17-jre-headless" \
  ip tc iperf3 ping curl python3 java timeout ss getconf
ensure_jar

work=$(mktemp -d /tmp/ipop-bench.XXXXXX)

cleanup() {
  local rc=$?
  set +e
  trap - ERR
  if [ -n "$server_pid" ]; then stop_pid "$server_pid"; fi
  for pid in "${node_pids[@]}"; do stop_pid "$pid"; done
  ip netns del "$ns_a" 2>/dev/null
  ip netns del "$ns_b" 2>/dev/null
  finish_work throughput "$rc" "$failed"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'log "throughput: FAILED at line $LINENO: $BASH_COMMAND"' ERR

in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
mgmt() { in_ns "$1" timeout 5 curl -fsS --max-time 2 "http://127.0.0.1:8558$2"; }

# ---------------------------------------------------------------------------------------- underlay
log "== namespaces $ns_a, $ns_b over one veth pair${rate:+, shaped with tbf rate $rate}"
ip netns add "$ns_a"
ip netns add "$ns_b"
ip link add "${prefix}a" type veth peer name "${prefix}b"
ip link set "${prefix}a" netns "$ns_a"
ip link set "${prefix}b" netns "$ns_b"
i=1
for ns in "$ns_a" "$ns_b"; do
  side=${ns##*-}
  ip -n "$ns" link set "${prefix}${side}" name eth0
  ip -n "$ns" addr add "192.0.2.$i/24" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" link set lo up
  if [ -n "$rate" ]; then
    tc -n "$ns" qdisc add dev eth0 root tbf rate "$rate" burst 512kb latency 50ms \
      || fail "tc refused 'tbf rate $rate burst 512kb latency 50ms' on eth0 of $ns"
  fi
  i=$((i + 1))
done
in_ns "$ns_a" timeout 10 ping -c 1 -W 2 192.0.2.2 >/dev/null || fail "no ping over the bare veth 192.0.2.1 -> 192.0.2.2"

# ---------------------------------------------------------------------------------------- overlay PKI
log "== overlay CA and certificates for a (10.77.0.1/24) and b (10.77.0.2/24), group blue"
pki="$work/pki"
timeout 60 java -jar "$jar" ca init --dir "$pki" >"$work/ca.log" 2>&1 || { cat "$work/ca.log" >&3; fail "ca init failed"; }
timeout 60 java -jar "$jar" ca sign --dir "$pki" --name a --ip 10.77.0.1/24 --groups blue >>"$work/ca.log" 2>&1 \
  || { cat "$work/ca.log" >&3; fail "ca sign a failed"; }
timeout 60 java -jar "$jar" ca sign --dir "$pki" --name b --ip 10.77.0.2/24 --groups blue >>"$work/ca.log" 2>&1 \
  || { cat "$work/ca.log" >&3; fail "ca sign b failed"; }

# ---------------------------------------------------------------------------------------- helpers
median() { python3 -c 'import statistics,sys; print(statistics.median(float(x) for x in sys.argv[1:]))' "$@"; }


node_log_tail() {
  local n
  for n in a b; do
    if [ -f "$work/$case_name-$n.log" ]; then log "--- last lines of node $n ($work/$case_name-$n.log)"; tail -25 "$work/$case_name-$n.log" >&3; fi
  done
}

wait_server_listening() {
  local ip=$1
  for _ in $(seq 100); do
    if in_ns "$ns_b" ss -Hltn "sport = :5201" 2>/dev/null | grep -q .; then return 0; fi
    kill -0 "$server_pid" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}

last_bps=""
iperf_once() {  # one iperf3 run a -> $1; sets last_bps to the receiver's bits/s
  local ip=$1 tag=$2
  # a simple command, not a function, so that $! is the process itself (ip execs timeout)
  ip netns exec "$ns_b" timeout $((seconds + 30)) iperf3 -s -1 -B "$ip" -p 5201 >"$work/$tag-server.log" 2>&1 3>&- &
  server_pid=$!
  wait_server_listening "$ip" || { cat "$work/$tag-server.log" >&3; fail "iperf3 server on $ip did not start listening"; }
  if ! in_ns "$ns_a" timeout $((seconds + 30)) iperf3 -c "$ip" -p 5201 -t "$seconds" -J >"$work/$tag.json" 2>"$work/$tag-client.err"; then
    tail -20 "$work/$tag.json" "$work/$tag-client.err" >&3 || true
    stop_pid "$server_pid"; server_pid=""
    return 1
  fi
  for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done  # "-1": it exits by itself
  stop_pid "$server_pid"
  server_pid=""
  last_bps=$(python3 - "$work/$tag.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
if "error" in d:
    sys.exit("iperf3: " + d["error"])
print(d["end"]["sum_received"]["bits_per_second"])
PY
) || return 1
}

rtt_median() {  # median of 20 ping RTTs a -> $1, in ms; the ping output goes to $work/$2-ping.txt
  local ip=$1 tag=$2 out times
  out=$(in_ns "$ns_a" timeout 30 ping -c 20 -i 0.05 -W 2 "$ip") || { echo "$out" >&3; return 1; }
  echo "$out" >"$work/$tag-ping.txt"
  times=$(grep -o 'time=[0-9.]*' <<<"$out" | cut -d= -f2)
  [ -n "$times" ] || { echo "$out" >&3; return 1; }
  # shellcheck disable=SC2086
  median $times
}

declare -A mbit_median runs_txt rtt cpu_a cpu_b rss_a rss_b

measure() {  # measure CASE TARGET_IP [node pids for CPU]
  local c=$1 ip=$2 pa=${3:-} pb=${4:-} r bps list=() a0 b0 a1 b1
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
    log "   run $r: $(python3 -c "print(f'{float(\"$bps\")/1e6:.1f}')") Mbit/s"
  done
  if [ -n "$pa" ]; then
    a1=$(cpu_seconds "$pa") || fail "node a (pid $pa) is gone after the iperf3 runs of $c"
    b1=$(cpu_seconds "$pb") || fail "node b (pid $pb) is gone after the iperf3 runs of $c"
    cpu_a[$c]=$(python3 -c "print(f'{$a1 - $a0:.2f}')")
    cpu_b[$c]=$(python3 -c "print(f'{$b1 - $b0:.2f}')")
  else
    cpu_a[$c]="-"; cpu_b[$c]="-"
  fi
  mbit_median[$c]=$(python3 -c 'import statistics,sys; print(statistics.median(float(x) for x in sys.argv[1:]) / 1e6)' "${list[@]}")
  runs_txt[$c]=$(python3 -c 'import sys; print(" ".join(f"{float(x)/1e6:.1f}" for x in sys.argv[1:]))' "${list[@]}")
  log "== $c: ping -c 20 -i 0.05 $ip"
  rtt[$c]=$(rtt_median "$ip" "$c") || { [ -n "$pa" ] && node_log_tail; fail "ping a -> $ip (case $c) failed"; }
}

firewall_config() {  # 20 rules, default deny: 19 that iperf3 never matches, then TCP 5201; ICMP first for ping
  local i
  echo "firewall { default = deny, inbound = ["
  echo "  { proto = icmp }"
  for i in $(seq 1 18); do echo "  { proto = tcp, port = $((1000 + i)), groups = [ \"ops$i\" ] }"; done
  echo "  { proto = tcp, port = 5201 }"
  echo "] }"
}

node_config() {  # node_config NAME IP PEER PEER_IP MODE [fw]
  local n=$1 ip=$2 peer=$3 peer_ip=$4 mode=$5 fw=${6:-} security
  if [ "$mode" = never ]; then
    security="security { mode = never }"
  else
    security="security { mode = $mode, ca = \"$pki/ca.crt\", cert = \"$pki/$n.crt\", key = \"$pki/$n.key\" }"
  fi
  cat <<CONF
ipop {
  node.name = "$n"
  tap { name = "ipop0", address = "$ip/24", mtu = 1400 }
  underlay { bind = "0.0.0.0", port = 5800 }
  peers = [ { name = "$peer", endpoint = "$peer_ip:5800" } ]
  groups = [ "blue" ]
  $security
  $([ -z "$fw" ] || firewall_config)
}
CONF
}

link_field() {  # link_field NS PEER FIELD: the field of the /overlay/links entry for PEER ("" if none)
  local json
  json=$(mgmt "$1" /overlay/links 2>/dev/null) || { echo ""; return 0; }
  python3 -c '
import json, sys
for l in json.loads(sys.argv[1]):
    if l.get("peer") == sys.argv[2]:
        v = l.get(sys.argv[3])
        print(json.dumps(v) if not isinstance(v, str) else v)
        break' "$json" "$2" "$3" 2>/dev/null || echo ""
}

overlay_case() {  # overlay_case CASE MODE [fw]
  local c=$1 mode=$2 fw=${3:-} pa pb n ns pid ok sec st deadline peer
  case_name=$c
  node_config a 10.77.0.1 b 192.0.2.2 "$mode" "$fw" >"$work/$c-a.conf"
  node_config b 10.77.0.2 a 192.0.2.1 "$mode" "$fw" >"$work/$c-b.conf"
  log "== $c: starting nodes (security.mode = $mode)"
  # shellcheck disable=SC2086  # IPOP_JAVA_OPTS is a list of options
  ip netns exec "$ns_a" java $java_opts -jar "$jar" --config "$work/$c-a.conf" >"$work/$c-a.log" 2>&1 3>&- &
  pa=$!; node_pids+=("$pa")
  # shellcheck disable=SC2086
  ip netns exec "$ns_b" java $java_opts -jar "$jar" --config "$work/$c-b.conf" >"$work/$c-b.log" 2>&1 3>&- &
  pb=$!; node_pids+=("$pb")

  for n in a b; do
    ns="$prefix-$n"; [ "$n" = a ] && pid=$pa || pid=$pb
    ok=""; deadline=$((SECONDS + 60))
    while [ $SECONDS -lt $deadline ]; do
      kill -0 "$pid" 2>/dev/null || { node_log_tail; fail "$c: node $n exited before it was ready (see its log above)"; }
      if mgmt "$ns" /ready >/dev/null 2>&1; then ok=1; break; fi
      sleep 0.25
    done
    [ -n "$ok" ] || { node_log_tail; fail "$c: node $n not ready (GET /ready) within 60 s"; }
  done
  for n in a b; do
    ns="$prefix-$n"; peer=$([ "$n" = a ] && echo b || echo a)
    ok=""; deadline=$((SECONDS + 30)); st=""
    while [ $SECONDS -lt $deadline ]; do
      st=$(link_field "$ns" "$peer" state)
      if [ "$st" = up ]; then ok=1; break; fi
      sleep 0.25
    done
    [ -n "$ok" ] || { mgmt "$ns" /overlay/links >&3 || true; node_log_tail; fail "$c: link $n -> $peer not up within 30 s (state '$st')"; }
  done
  sec=$(link_field "$ns_a" b secure)
  if [ "$mode" = never ]; then
    [ "$sec" = false ] || fail "$c: link a -> b should be plaintext, /overlay/links says secure = $sec"
  else
    [ "$sec" = true ] || { mgmt "$ns_a" /overlay/links >&3 || true; fail "$c: link a -> b is not secure (/overlay/links on a: secure = '$sec', reason '$(link_field "$ns_a" b secure_reason)')"; }
    log "   link a -> b: secure = true ($(link_field "$ns_a" b secure_reason), $(link_field "$ns_a" b cipher_suite))"
  fi

  measure "$c" 10.77.0.2 "$pa" "$pb"

  if [ -n "$fw" ]; then
    mgmt "$ns_b" /overlay/firewall >"$work/$c-b-firewall.json" 2>/dev/null || true
    python3 -c 'import json,sys; f=json.load(open(sys.argv[1])); assert f["active"] and f["inbound"][-1]["hits"] > 0, f' \
      "$work/$c-b-firewall.json" || fail "$c: the firewall on b did not judge the iperf3 traffic ($work/$c-b-firewall.json)"
    log "   firewall on b: $(python3 -c 'import json,sys; f=json.load(open(sys.argv[1])); print(len(f["inbound"]), "rules, last one hit", f["inbound"][-1]["hits"], "times")' "$work/$c-b-firewall.json")"
  fi
  for n in a b; do
    mgmt "$prefix-$n" /overlay/links >"$work/$c-$n-links.json" 2>/dev/null || true
    mgmt "$prefix-$n" /overlay/dataplane >"$work/$c-$n-dataplane.json" 2>/dev/null || true
  done
  # peak resident memory of each node process over the whole case (VmHWM), MB
  rss_a[$c]=$(awk '/^VmHWM:/ {printf "%d", $2 / 1024}' "/proc/$pa/status" 2>/dev/null || echo "?")
  rss_b[$c]=$(awk '/^VmHWM:/ {printf "%d", $2 / 1024}' "/proc/$pb/status" 2>/dev/null || echo "?")
  log "== $c: stopping nodes (SIGTERM)"
  for pid in "$pa" "$pb"; do
    stop_pid "$pid"
    [ "$stop_status" = 0 ] || log "   warning: node pid $pid exited with status $stop_status after SIGTERM (expected 0)"
  done
  node_pids=()
  for n in a b; do
    # lines at WARN/ERROR level in the node logs are worth a look (the peer's shutdown is expected)
    st=$(grep -E '\b(WARN|ERROR)\b|Exception' "$work/$c-$n.log" | grep -cv 'peer closed the link: node shutting down' || true)
    [ "$st" = 0 ] || log "   note: node $n log has $st WARN/ERROR/Exception lines ($work/$c-$n.log)"
  done
}

reference_case() {  # socat TAP <-> UDP in each namespace, plaintext, port 5900, TAP ref0 10.78.0.x/24
  local pa pb i
  case_name=socat
  log "== socat: reference forwarder (socat TUN tun-type=tap <-> UDP) in both namespaces"
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
if [ "${BENCH_REFERENCE:-1}" != 0 ]; then
  if command -v socat >/dev/null; then
    reference_case
    cases+=(socat)
  else
    log "== socat not installed: no reference case (apt-get install socat)"
  fi
fi

# ---------------------------------------------------------------------------------------- report
echo
echo "ipop-node throughput: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, kernel $(uname -r)"
shaping="unshaped"
[ -z "$rate" ] || shaping="shaped with tc tbf rate $rate burst 512kb latency 50ms (both ends)"
echo "underlay: veth $shaping; iperf3 TCP 1 stream, $runs x $seconds s per case; node JVM options: ${java_opts:-(none)}"
echo
printf '%-8s %14s  %-32s %14s  %-22s  %s\n' case "median Mbit/s" "runs Mbit/s" "RTT median ms" "CPU s node a / node b" \
  "peak RSS MB a / b"
for c in "${cases[@]}"; do
  printf '%-8s %14.1f  %-32s %14.3f  %-22s  %s\n' "$c" "${mbit_median[$c]}" "${runs_txt[$c]}" "${rtt[$c]}" \
    "${cpu_a[$c]} / ${cpu_b[$c]}" "${rss_a[$c]:--} / ${rss_b[$c]:--}"
done
echo
[ "${BENCH_KEEP:-0}" != 1 ] || echo "node logs, configs, iperf3 JSON and /overlay snapshots kept in $work"
failed=0
fw_args=()
[ "$firewall" = 0 ] || fw_args=("${mbit_median[plain-fw]}" "${mbit_median[secure-fw]}")
python3 - "${mbit_median[direct]}" "${mbit_median[plain]}" "${mbit_median[secure]}" "${rtt[direct]}" "${rtt[secure]}" "${fw_args[@]}" <<'PY'
import sys
direct, plain, secure, rtt_direct, rtt_secure = map(float, sys.argv[1:6])
def ratio(x):
    r = x / direct
    s = f"{r:.3f}"
    return s if r == 0 or float(s) > 0 else f"{r:.6f}"
line = f"plain/direct={ratio(plain)} secure/direct={ratio(secure)} rtt_added_ms={rtt_secure - rtt_direct:.2f}"
if len(sys.argv) > 6:
    plain_fw, secure_fw = map(float, sys.argv[6:8])
    line += f" plain_fw/plain={plain_fw / plain:.3f} secure_fw/secure={secure_fw / secure:.3f}"
print(line)
PY
