#!/usr/bin/env bash
# UDP loss at a fixed rate through ipop-node against the bare link, side by side in one run.
#
# The two namespaces and nodes of bench/throughput.sh (bench/lib-pair.sh: veth 192.0.2.1 - 192.0.2.2,
# overlay 10.77.0.1 - 10.77.0.2, TAP MTU 1400). Each case is one iperf3 UDP run a -> b at RATE, 1300-byte
# datagrams (-u -b RATE -l 1300), BENCH_SECONDS (5) s; the loss is the receiver's (iperf3 JSON,
# end.sum_received.lost_percent). Cases:
#   direct       over the bare veth
#   cold_secure  fresh node processes with certificates of one overlay CA (DTLS-keyed AES-GCM): measured as
#                soon as /overlay/links shows the link up and secure, i.e. its first seconds of traffic,
#                while the JIT is still compiling the data path
#   secure       the same nodes after one discarded run of BENCH_WARMUP (5) s at the same rate
#   plain        fresh nodes with security.mode = never, after one discarded run of BENCH_WARMUP s
#   wireguard, nebula  with --peers: wireguard-go and nebula (bench/lib-peers.sh) in the same namespaces, after
#                the same warm-up run
# After each run it reads the drop counters of both namespaces (bench/losspoints.py: the UDP MIB, each UDP
# socket's drops, each interface's and qdisc's drops, each node's drop counters) and prints those that moved,
# so the log says where the lost datagrams went: e.g. a.ipop0.tx_dropped (the sending node did not read its
# TAP in time, the TAP's queue overflowed), b.sock.5800.drops (the receiving node's socket buffer), or
# b.udp.RcvbufErrors alone (the receiving iperf3's own socket buffer).
# Prints a table, and as its very last line
#   rate=RATE loss_pct direct=X plain=Y secure=Z cold_secure=W [wireguard=P nebula=Q]
# (receiver's loss in percent, two decimals; the last two with --peers).
#
# Usage (as root): bench/udp.sh [--peers] [RATE]      RATE as iperf3 -b takes it, default 400M
# Environment: IPOP_JAR (default <repo>/target/ipop-node.jar, built if missing), BENCH_SECONDS,
#   BENCH_UDP_WINDOW (iperf3 -w for every case, e.g. 2M: the receiving iperf3's socket buffer; default none,
#   i.e. the kernel's net.core.rmem_default),
#   BENCH_WARMUP (0: no warm-up run), IPOP_JAVA_OPTS (extra JVM options for the nodes),
#   IPOP_JAVA_HOME or JAVA_HOME (the Java for the nodes; default the newest installed, bench/lib.sh pick_java), BENCH_KEEP=1
#   (keep the work directory with node logs, configs and iperf3 JSON; it is always kept on failure).
# Everything it creates (namespaces, node and iperf3 processes) is removed on exit, success or not.
set -euo pipefail
set -o errtrace

here=$(cd "$(dirname "$0")/.." && pwd)
jar="${IPOP_JAR:-$here/target/ipop-node.jar}"
seconds="${BENCH_SECONDS:-5}"
warmup="${BENCH_WARMUP:-5}"
window="${BENCH_UDP_WINDOW:-}"
java_opts="${IPOP_JAVA_OPTS:-}"
peers=0
if [ "${1:-}" = --peers ]; then peers=1; shift; fi
rate="${1:-400M}"
prefix="ipu$$"
ns_a="$prefix-a"
ns_b="$prefix-b"
work=""
node_pids=()
server_pid=""
failed=1

exec 3>&2   # messages go to a copy of stderr (a trap can run while a command's redirections are in force)
log() { printf '%s\n' "$*" >&3; }
. "$here/bench/lib.sh"
. "$here/bench/lib-pair.sh"
. "$here/bench/lib-peers.sh"
fail() { log "udp: FAILED: $*"; exit 1; }

case "$rate" in -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;; esac
[ $# -le 1 ] || fail "one rate at most (usage: bench/udp.sh [--peers] [RATE])"
[[ "$rate" =~ ^[0-9]+(\.[0-9]+)?[KMG]?$ ]] || fail "RATE '$rate' is not an iperf3 rate such as 400M, 1G, 50M"
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || fail "BENCH_SECONDS must be a positive integer, got '$seconds'"
[[ "$warmup" =~ ^[0-9]+$ ]] || fail "BENCH_WARMUP must be a non-negative integer, got '$warmup'"
[ -z "$window" ] || [[ "$window" =~ ^[1-9][0-9]*[KM]?$ ]] || fail "BENCH_UDP_WINDOW must be a size such as 2M or 512K, got '$window'"
[ "$(id -u)" = 0 ] || fail "run as root: it creates network namespaces, a veth pair and TAP devices (sudo bench/udp.sh)"
pick_java
require_tools "Debian: apt-get install iproute2 iperf3 iputils-ping curl python3 openjdk-17-jre-headless" \
  ip iperf3 ping curl python3 java timeout ss getconf
ensure_jar
[ "$peers" = 0 ] || peer_tools_ensure

work=$(mktemp -d /tmp/ipop-udp.XXXXXX)
cleanup() {
  local rc=$?
  set +e
  trap - ERR
  pair_cleanup
  finish_work udp "$rc" "$failed"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'log "udp: FAILED at line $LINENO: $BASH_COMMAND"' ERR

pair_underlay
pair_pki

declare -A loss detail where
# snap a|b FILE: the drop counters of that namespace (and its node's, if one runs) into FILE
snap() {
  in_ns "$prefix-$1" python3 "$here/bench/losspoints.py" snap http://127.0.0.1:8558/overlay/dataplane >"$2" \
    || echo '{}' >"$2"
}
# udp_run CASE IP SECONDS: one iperf3 UDP run a -> IP; sets loss[CASE] and detail[CASE] (table columns).
udp_run() {
  local c=$1 ip=$2 t=$3 vals n
  iperf_server "$ip" "$c" $((t + 30))
  for n in a b; do snap "$n" "$work/$c-$n-before.json"; done
  if ! in_ns "$ns_a" timeout $((t + 30)) iperf3 -c "$ip" -p 5201 -u -b "$rate" -l 1300 -t "$t" ${window:+-w "$window"} -J \
      >"$work/$c.json" 2>"$work/$c-client.err"; then
    tail -20 "$work/$c.json" "$work/$c-client.err" >&3 || true
    [ -z "${pair_a:-}" ] || node_log_tail
    fail "iperf3 UDP run $c (a -> $ip) failed"
  fi
  iperf_server_done
  where[$c]=""
  for n in a b; do
    snap "$n" "$work/$c-$n-after.json"
    where[$c]+=" $(python3 "$here/bench/losspoints.py" diff "$work/$c-$n-before.json" "$work/$c-$n-after.json" "$n")"
  done
  vals=$(python3 - "$work/$c.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
if "error" in d:
    sys.exit("iperf3: " + d["error"])
r = d["end"]["sum_received"]
print(f'{r["lost_percent"]:.2f}', f'{r["lost_packets"]}/{r["packets"]}', f'{r["bits_per_second"] / 1e6:.1f}',
      f'{r["jitter_ms"]:.3f}')
PY
) || fail "no receiver figures in $work/$c.json"
  loss[$c]=${vals%% *}
  detail[$c]=${vals#* }
  log "   $c: loss ${loss[$c]} % (lost/sent ${detail[$c]%% *}); counters that moved:${where[$c]}"
}

warm() {  # warm CASE IP: one discarded run of BENCH_WARMUP s
  [ "$warmup" -gt 0 ] || return 0
  udp_run "$1-warmup" "$2" "$warmup"
}

log "== direct: iperf3 -u -b $rate -l 1300 -t $seconds a -> 192.0.2.2"
udp_run direct 192.0.2.2 "$seconds"

pair_start cold_secure by-group
log "== cold_secure: iperf3 UDP at once through the link that just came up"
udp_run cold_secure 10.77.0.2 "$seconds"
warm secure 10.77.0.2
log "== secure: the same nodes, warm"
udp_run secure 10.77.0.2 "$seconds"
pair_stop

pair_start plain never
warm plain 10.77.0.2
log "== plain: iperf3 UDP through a plaintext link"
udp_run plain 10.77.0.2 "$seconds"
pair_stop

cases=(direct plain secure cold_secure)
if [ "$peers" = 1 ]; then
  for p in wireguard:10.79.0.2 nebula:10.80.0.2; do
    "${p%%:*}_start"
    warm "${p%%:*}" "${p#*:}"
    log "== ${p%%:*}: iperf3 UDP through the tunnel"
    udp_run "${p%%:*}" "${p#*:}" "$seconds"
    peers_stop
    cases+=("${p%%:*}")
  done
fi

echo
echo "ipop-node UDP loss: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, kernel $(uname -r)"
echo "iperf3 -u -b $rate -l 1300 -t $seconds${window:+ -w $window}, one run per case; warm-up before plain and secure: ${warmup} s;" \
  "Java $java_version; node JVM options: ${java_opts:-(none)}"
echo
printf '%-12s %8s  %-16s %14s  %-9s  %s\n' case "loss %" "lost/sent" "received Mbit/s" "jitter ms" \
  "drop counters that moved (a: sender's namespace, b: receiver's)"
for c in "${cases[@]}"; do
  read -r lost mbit jitter <<<"${detail[$c]}"
  printf '%-12s %8s  %-16s %14s  %-9s  %s\n' "$c" "${loss[$c]}" "$lost" "$mbit" "$jitter" \
    "$(tr ' ' '\n' <<<"${where[$c]}" | { grep -v -e '^$' -e '\.flow\.' || true; } | tr '\n' ' ')"
done
echo
[ "${BENCH_KEEP:-0}" != 1 ] || echo "node logs, configs and iperf3 JSON kept in $work"
failed=0
echo "rate=$rate loss_pct direct=${loss[direct]} plain=${loss[plain]} secure=${loss[secure]} cold_secure=${loss[cold_secure]}$(
  [ "$peers" = 0 ] || echo " wireguard=${loss[wireguard]} nebula=${loss[nebula]}")"
