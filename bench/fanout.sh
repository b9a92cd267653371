#!/usr/bin/env bash
# Many flows at once through ipop-node, against the bare link, side by side in one run.
#
# Four namespaces n1..n4 on one bridge (underlay 192.0.2.1-4/24, bench/lib.sh hub_with_hosts). For each
# case (direct: the bare bridge; plain: four nodes with security.mode = never; secure: certificates of one
# overlay CA, group blue, by-group, every link checked secure in /overlay/links), n1 links n2, n3 and n4
# (static peers; overlay 10.77.0.1-4/24, TAP MTU 1400) and runs, BENCH_SECONDS (10) s each:
#   single    iperf3 TCP, 1 stream,  n1 -> n2
#   parallel  iperf3 TCP, -P 4,      n1 -> n2 (one link, four flows: the aggregate)
#   fanout    three iperf3 TCP streams at once, n1 -> n2, n1 -> n3, n1 -> n4 (one node, three links)
# (BENCH_RUNS (1) runs of each, the median). Prints a table, and as its very last line
#   p4/p1 direct=A plain=B secure=C fanout_min/max direct=D plain=E secure=F
# (p4/p1: the -P 4 aggregate over the single stream; fanout_min/max: the slowest of the three concurrent
# streams over the fastest, 1.000 = equal shares). Issue 19's targets: p4/p1 >= 1 and fanout_min/max >= 0.75
# (each within 25 % of the others) for plain and secure.
#
# Usage (as root): bench/fanout.sh
# Environment: IPOP_JAR (default <repo>/target/ipop-node.jar, built if missing), BENCH_SECONDS, BENCH_RUNS,
#   BENCH_WARMUP (5: seconds of a discarded fan-out run through fresh nodes before measuring them),
#   BENCH_TAP_QDISC (a qdisc for the nodes' TAP devices, e.g. fq_codel; default: the host's
#   net.core.default_qdisc, which the table names), IPOP_JAVA_HOME (the Java of the nodes; default the newest
#   installed, bench/lib.sh pick_java), BENCH_RATE (e.g. 600mbit: n1's underlay egress shaped with
#   tc tbf at that rate, so the sender's link is the bottleneck and not the receivers' CPU), IPOP_JAVA_OPTS (extra JVM options for the nodes), BENCH_KEEP=1 (keep the work directory with node logs,
#   configs and iperf3 JSON; it is always kept on failure).
# Everything it creates (namespaces, node and iperf3 processes) is removed on exit, success or not.
set -euo pipefail
set -o errtrace

here=$(cd "$(dirname "$0")/.." && pwd)
jar="${IPOP_JAR:-$here/target/ipop-node.jar}"
seconds="${BENCH_SECONDS:-10}"
runs="${BENCH_RUNS:-1}"
warmup="${BENCH_WARMUP:-5}"
qdisc="${BENCH_TAP_QDISC:-}"
rate="${BENCH_RATE:-}"
java_opts="${IPOP_JAVA_OPTS:-}"
prefix="ipf$$"
hub="$prefix-hub"
namespaces=()
work=""
node_pids=()
iperf_pids=()
failed=1

exec 3>&2   # messages go to a copy of stderr (a trap can run while a command's redirections are in force)
log() { printf '%s\n' "$*" >&3; }
. "$here/bench/lib.sh"
. "$here/bench/lib-pair.sh"   # in_ns, mgmt NS PATH, link_field, security_config (node_config is this script's own)
fail() { log "fanout: FAILED: $*"; exit 1; }
ns_of() { echo "$prefix-n$1"; }

case "${1:-}" in -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;; esac
[ $# -eq 0 ] || fail "no arguments (usage: bench/fanout.sh; settings through the environment, see --help)"
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || fail "BENCH_SECONDS must be a positive integer, got '$seconds'"
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || fail "BENCH_RUNS must be a positive integer, got '$runs'"
[[ "$warmup" =~ ^[0-9]+$ ]] || fail "BENCH_WARMUP must be a non-negative integer, got '$warmup'"
[[ "$qdisc" =~ ^[a-z_]*$ ]] || fail "BENCH_TAP_QDISC must be a qdisc name such as fq_codel, got '$qdisc'"
if [ -n "$rate" ] && ! [[ "$rate" =~ ^[0-9]+(\.[0-9]+)?([kmgt]i?)?(bit|bps)$ ]]; then
  fail "BENCH_RATE '$rate' is not a tc rate such as 600mbit, 1gbit"
fi
[ "$(id -u)" = 0 ] || fail "run as root: it creates network namespaces, a bridge and TAP devices (sudo bench/fanout.sh)"
pick_java
require_tools "Debian: apt-get install iproute2 iperf3 iputils-ping curl python3 openjdk-17-jre-headless" \
  ip tc iperf3 ping curl python3 java timeout ss getconf
ensure_jar

work=$(mktemp -d /tmp/ipop-fanout.XXXXXX)
stop_iperfs() {
  local pid
  for pid in "${iperf_pids[@]}"; do stop_pid "$pid"; done
  iperf_pids=()
}
stop_case_nodes() {
  local pid
  for pid in "${node_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${node_pids[@]}"; do stop_pid "$pid"; done
  node_pids=()
}
cleanup() {
  local rc=$?
  set +e
  trap - ERR
  stop_iperfs
  stop_case_nodes
  for ns in "${namespaces[@]}"; do ip netns del "$ns" 2>/dev/null; done
  finish_work fanout "$rc" "$failed"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'log "fanout: FAILED at line $LINENO: $BASH_COMMAND"' ERR

hub_with_hosts 4
in_ns "$(ns_of 1)" timeout 10 ping -c 1 -W 2 192.0.2.4 >/dev/null || fail "no ping over the bridge 192.0.2.1 -> 192.0.2.4"
if [ -n "$rate" ]; then
  tc -n "$(ns_of 1)" qdisc add dev eth0 root tbf rate "$rate" burst 512kb latency 50ms \
    || fail "tc refused 'tbf rate $rate burst 512kb latency 50ms' on eth0 of n1"
fi

log "== overlay CA and certificates for n1..n4 (10.77.0.1-4/24), group blue"
pki="$work/pki"
timeout 60 java -jar "$jar" ca init --dir "$pki" >"$work/ca.log" 2>&1 || { cat "$work/ca.log" >&3; fail "ca init failed"; }
for i in 1 2 3 4; do
  timeout 60 java -jar "$jar" ca sign --dir "$pki" --name "n$i" --ip "10.77.0.$i/24" --groups blue >>"$work/ca.log" 2>&1 \
    || { cat "$work/ca.log" >&3; fail "ca sign n$i failed"; }
done

node_config() {  # node_config I MODE: n1 lists n2..n4 as static peers, the others list n1
  local i=$1 mode=$2 security peers="" j
  security=$(security_config "n$i" "$mode")
  if [ "$i" = 1 ]; then
    for j in 2 3 4; do peers="$peers${peers:+, }{ name = \"n$j\", endpoint = \"192.0.2.$j:5800\" }"; done
  else
    peers="{ name = \"n1\", endpoint = \"192.0.2.1:5800\" }"
  fi
  cat <<CONF
ipop {
  node.name = "n$i"
  tap { name = "ipop0", address = "10.77.0.$i/24", mtu = 1400 }
  underlay { bind = "0.0.0.0", port = 5800 }
  peers = [ $peers ]
  groups = [ "blue" ]
  $security
}
CONF
}

start_nodes() {  # start_nodes CASE MODE: n1..n4 up, n1's three links up (and secure unless MODE is never)
  local c=$1 mode=$2 i j ok deadline st
  log "== $c: starting four nodes (security.mode = $mode)"
  for i in 1 2 3 4; do
    node_config "$i" "$mode" >"$work/$c-n$i.conf"
    # shellcheck disable=SC2086  # IPOP_JAVA_OPTS is a list of options
    ip netns exec "$(ns_of "$i")" java $java_opts -jar "$jar" --config "$work/$c-n$i.conf" >"$work/$c-n$i.log" 2>&1 3>&- &
    node_pids+=("$!")
  done
  for j in 2 3 4; do
    ok=""; deadline=$((SECONDS + 90)); st=""
    while [ $SECONDS -lt $deadline ]; do
      st=$(link_field "$(ns_of 1)" "n$j" state)
      [ "$st" = up ] && [ "$(link_field "$(ns_of "$j")" n1 state)" = up ] && { ok=1; break; }
      for i in "${!node_pids[@]}"; do
        kill -0 "${node_pids[$i]}" 2>/dev/null || { tail -20 "$work/$c-n$((i + 1)).log" >&3; fail "$c: node n$((i + 1)) exited"; }
      done
      sleep 0.25
    done
    [ -n "$ok" ] || { tail -20 "$work/$c-n1.log" >&3; fail "$c: link n1 - n$j not up at both ends within 90 s (n1 says '$st')"; }
    if [ "$mode" != never ]; then
      [ "$(link_field "$(ns_of 1)" "n$j" secure)" = true ] \
        || fail "$c: link n1 -> n$j is not secure ($(link_field "$(ns_of 1)" "n$j" secure_reason))"
    fi
  done
  log "   n1's links to n2, n3, n4 up$([ "$mode" = never ] || echo ", secure")"
  if [ -n "$qdisc" ]; then
    for i in 1 2 3 4; do
      tc -n "$(ns_of "$i")" qdisc replace dev ipop0 root "$qdisc" || fail "tc refused qdisc '$qdisc' on ipop0 of n$i"
    done
  fi
  log "   TAP qdisc: $(tc -n "$(ns_of 1)" qdisc show dev ipop0 | head -1 | awk '{print $2}')"
  if [ "$warmup" -gt 0 ]; then   # discarded: the first seconds of fresh nodes run while the JIT compiles
    local measured=$seconds
    seconds=$warmup
    log "== $c: warm-up, n1 -> n2, n3, n4 at once for $warmup s (discarded)"
    for j in 2 3 4; do iperf_to "$c-warmup-n$j" "$j" "10.77.0.$j"; done
    wait_iperfs || fail "$c: a warm-up iperf3 failed"
    seconds=$measured
  fi
}

# iperf_to TAG J IP [ARGS...]: a one-shot iperf3 server in n$J on IP, listening; then a client in n1 in the
# background (its PID appended to iperf_pids), JSON to $work/TAG.json.
iperf_to() {
  local tag=$1 j=$2 ip=$3 pid
  shift 3
  ip netns exec "$(ns_of "$j")" timeout $((seconds + 40)) iperf3 -s -1 -B "$ip" -p 5201 >"$work/$tag-server.log" 2>&1 3>&- &
  pid=$!; iperf_pids+=("$pid")
  for _ in $(seq 100); do
    in_ns "$(ns_of "$j")" ss -Hltn "sport = :5201" 2>/dev/null | grep -q . && break
    kill -0 "$pid" 2>/dev/null || fail "iperf3 server in n$j exited ($(cat "$work/$tag-server.log"))"
    sleep 0.05
  done
  ip netns exec "$(ns_of 1)" timeout $((seconds + 30)) iperf3 -c "$ip" -p 5201 -t "$seconds" -J "$@" \
    >"$work/$tag.json" 2>"$work/$tag-client.err" 3>&- &
  iperf_pids+=("$!")
}

# wait_iperfs: waits for every client and server started since the last call; fails if a client failed.
wait_iperfs() {
  local pid st=0
  for pid in "${iperf_pids[@]}"; do wait "$pid" || st=$?; done
  iperf_pids=()
  [ "$st" = 0 ] || return 1
}

received_bps() {  # received_bps TAG: the receiver's bits/s in $work/TAG.json
  python3 - "$work/$1.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
if "error" in d:
    sys.exit("iperf3: " + d["error"])
print(d["end"]["sum_received"]["bits_per_second"])
PY
}

retransmits() {  # retransmits TAG: the sender's TCP retransmissions in $work/TAG.json
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["end"]["sum_sent"].get("retransmits", 0))' "$work/$1.json"
}

# snap_all TAG: the drop counters of the four namespaces (and their nodes, if running) into $work/TAG-nI.json;
# moved TAG1 TAG2: those that moved between the two, as words (bench/losspoints.py; flow counters left out).
snap_all() {
  local i
  for i in 1 2 3 4; do
    in_ns "$(ns_of "$i")" python3 "$here/bench/losspoints.py" snap http://127.0.0.1:8558/overlay/dataplane \
      >"$work/$1-n$i.json" 2>/dev/null || echo '{}' >"$work/$1-n$i.json"
  done
}
moved() {
  local i out=""
  for i in 1 2 3 4; do
    out+=" $(python3 "$here/bench/losspoints.py" diff "$work/$1-n$i.json" "$work/$2-n$i.json" "n$i")"
  done
  tr ' ' '\n' <<<"$out" | grep -v '^$' | grep -v '\.flow\.' | tr '\n' ' ' || true
}

# queues: where bytes wait, sampled once: each namespace's ipop0 qdisc backlog (bytes/packets) and the
# receive queue of its node's UDP socket (port 5800), as "nI tap=B/P udp=R" words.
queues() {
  local i out="" tap udp
  for i in 1 2 3 4; do
    tap=$(tc -n "$(ns_of "$i")" -s -j qdisc show dev ipop0 2>/dev/null \
      | python3 -c 'import json,sys; q=json.load(sys.stdin); print(sum(x.get("backlog",0) for x in q), sum(x.get("qlen",0) for x in q), sep="/")' 2>/dev/null || echo -)
    udp=$(in_ns "$(ns_of "$i")" ss -Huan "sport = :5800" 2>/dev/null | awk '{ s += $2 } END { print s + 0 }')
    out+="n$i tap=$tap udp=$udp "
  done
  echo "$out"
}

median() { python3 -c 'import statistics,sys; print(statistics.median(float(x) for x in sys.argv[1:]))' "$@"; }
declare -A single parallel fan_min fan_max fan_sum fan_each

measure() {  # measure CASE PREFIX (192.0.2 or 10.77.0)
  local c=$1 net=$2 r s p j rates list_s=() list_p=() list_min=() list_max=() list_sum=() each="" retx
  for r in $(seq "$runs"); do
    log "== $c run $r: single stream n1 -> n2"
    iperf_to "$c-single-$r" 2 "$net.2"
    wait_iperfs || { tail -5 "$work/$c-single-$r-client.err" "$work/$c-single-$r.json" >&3; fail "$c: iperf3 n1 -> n2 failed"; }
    s=$(received_bps "$c-single-$r"); list_s+=("$s")
    log "== $c run $r: iperf3 -P 4 n1 -> n2"
    iperf_to "$c-parallel-$r" 2 "$net.2" -P 4
    wait_iperfs || { tail -5 "$work/$c-parallel-$r-client.err" >&3; fail "$c: iperf3 -P 4 n1 -> n2 failed"; }
    p=$(received_bps "$c-parallel-$r"); list_p+=("$p")
    log "== $c run $r: n1 -> n2, n3, n4 at once"
    snap_all "$c-fanout-$r-before"
    for j in 2 3 4; do iperf_to "$c-fanout-$r-n$j" "$j" "$net.$j"; done
    sleep $(( (seconds + 1) / 2 ))
    [ "$c" = direct ] || log "   queues mid-run (bytes/packets): $(queues)"
    wait_iperfs || { tail -5 "$work/$c-fanout-$r"-n*-client.err >&3; fail "$c: a fan-out iperf3 failed"; }
    snap_all "$c-fanout-$r-after"
    rates=(); retx=""
    for j in 2 3 4; do
      rates+=("$(received_bps "$c-fanout-$r-n$j")")
      retx+="${retx:+/}$(retransmits "$c-fanout-$r-n$j")"
    done
    log "   fan-out retransmits n2/n3/n4 $retx; drop counters that moved: $(moved "$c-fanout-$r-before" "$c-fanout-$r-after")"
    read -r mn mx sm each <<<"$(python3 -c 'import sys; v=[float(x) for x in sys.argv[1:]]; print(min(v), max(v), sum(v), "/".join(f"{x/1e6:.0f}" for x in v))' "${rates[@]}")"
    list_min+=("$mn"); list_max+=("$mx"); list_sum+=("$sm")
    log "   $(python3 -c "print(f'single {$s/1e6:.0f}, -P 4 {$p/1e6:.0f}, fan-out $each Mbit/s')")"
  done
  single[$c]=$(median "${list_s[@]}")
  parallel[$c]=$(median "${list_p[@]}")
  fan_min[$c]=$(median "${list_min[@]}")
  fan_max[$c]=$(median "${list_max[@]}")
  fan_sum[$c]=$(median "${list_sum[@]}")
  fan_each[$c]=$each
}

measure direct 192.0.2
start_nodes plain never
measure plain 10.77.0
stop_case_nodes
start_nodes secure by-group
measure secure 10.77.0
stop_case_nodes

echo
echo "ipop-node fan-out: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, kernel $(uname -r)"
echo "underlay: 4 namespaces on one bridge (veth${rate:+, n1 egress shaped with tbf rate $rate burst 512kb latency 50ms}); iperf3 TCP, $runs x $seconds s per measurement, medians, after a $warmup s warm-up; Java $java_version"
echo "TAP qdisc: ${qdisc:-the host default, $(sysctl -n net.core.default_qdisc)}; node JVM options: ${java_opts:-(none)}"
echo
printf '%-7s %12s %12s %7s   %-26s %10s %8s\n' case "1 stream" "-P 4" "p4/p1" "fan-out n2/n3/n4 (last)" "sum" "min/max"
for c in direct plain secure; do
  python3 - "$c" "${single[$c]}" "${parallel[$c]}" "${fan_each[$c]}" "${fan_sum[$c]}" "${fan_min[$c]}" "${fan_max[$c]}" <<'PY'
import sys
c, each = sys.argv[1], sys.argv[4]
s, p = float(sys.argv[2]), float(sys.argv[3])
sm, mn, mx = map(float, sys.argv[5:8])
print(f"{c:<7} {s/1e6:12.1f} {p/1e6:12.1f} {p/s:7.3f}   {each:<26} {sm/1e6:10.1f} {mn/mx:8.3f}")
PY
done
echo "(Mbit/s, receiver's rate; fan-out: three streams from n1 at once, one to each peer)"
failed=0
python3 - "${single[direct]}" "${parallel[direct]}" "${single[plain]}" "${parallel[plain]}" "${single[secure]}" \
  "${parallel[secure]}" "${fan_min[direct]}" "${fan_max[direct]}" "${fan_min[plain]}" "${fan_max[plain]}" \
  "${fan_min[secure]}" "${fan_max[secure]}" <<'PY'
import sys
v = list(map(float, sys.argv[1:]))
print(f"p4/p1 direct={v[1]/v[0]:.3f} plain={v[3]/v[2]:.3f} secure={v[5]/v[4]:.3f} "
      f"fanout_min/max direct={v[6]/v[7]:.3f} plain={v[8]/v[9]:.3f} secure={v[10]/v[11]:.3f}")
PY
