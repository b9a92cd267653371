#!/usr/bin/env bash
# Churn soak: a cluster-discovered overlay of NODES nodes in which one node is SIGKILLed and started again
# every CHURN_INTERVAL seconds for MINUTES minutes, with a ping mesh running the whole time.
#
# NODES network namespaces on one bridge (underlay 192.0.2.1..N/24, overlay 10.77.0.1..N/24), one node
# each with ipop.discovery { static = false, cluster = true }, seeds n1, n2, n3. Nodes n1 and n2 are never
# killed: they are the observers whose memory must stay flat. The victims (n3..nN, in turn) are killed with
# SIGKILL and started again at once; each ping runs from node i to node i+1 (a ring) for the whole soak.
# For every restart it measures relink: seconds from the new process's start until the last of its links came
# up: its own N-1 links and every other node's link to it, each up since after the restart (the links' own `since`
# in /overlay/links, so how often this script polls does not count; given up, and counted stuck, after 60 s).
# Each node remembers its peers across restarts (ipop.discovery.peer-cache, docs/reliability.md 7b).
# At the end (after CHURN_SETTLE more seconds) it counts:
#   stuck_links  ordered pairs (a, b) whose link a -> b is not up
#   crashes      nodes that exited without being killed, and JVM crash files (hs_err)
#   rss_growth   growth of the observers' resident memory from the first restart to the end (max, MB)
# and prints as its last line exactly
#   minutes=M restarts=R relink_s_p50=A relink_s_max=B stuck_links=S rss_growth_mb=G crashes=C
#
# Usage (as root): bench/churn.sh [MINUTES] [NODES]    (MINUTES > 0, may be a fraction, default 10;
#   NODES = 4..40, default 12)
# Environment: IPOP_JAR (default <repo>/target/ipop-node.jar, built if missing), CHURN_INTERVAL (seconds
#   between kills, default 20), CHURN_SETTLE (seconds between the last restart and the count, default 60),
#   IPOP_JAVA_OPTS (as in bench/scale.sh), BENCH_LOG_LEVEL (the nodes'
#   ipop.log.level, default INFO), BENCH_KEEP=1 (keep the work
#   directory with configs and logs; it is always kept on failure), CHURN_PEER_CACHE=0 (the nodes remember
#   no peers across restarts; default 1).
# Everything it creates (namespaces, node processes, pings) is removed on exit, success or not; processes
# are stopped by their own PIDs.
set -euo pipefail
set -o errtrace

here=$(cd "$(dirname "$0")/.." && pwd)
jar="${IPOP_JAR:-$here/target/ipop-node.jar}"
interval="${CHURN_INTERVAL:-20}"
settle="${CHURN_SETTLE:-60}"
java_opts="${IPOP_JAVA_OPTS:--Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k -Dipop.dataplane.warm-up-frames=0}"
BENCH_LOG_LEVEL="${BENCH_LOG_LEVEL:-INFO}"   # the node logs say what each relink waited for
minutes="${1:-10}"
n="${2:-12}"
prefix="ipc$$"
hub="$prefix-hub"
work=""
declare -A node_pids=()
ping_pids=()
namespaces=()
failed=1

exec 3>&2
log() { printf '%s\n' "$*" >&3; }
. "$here/bench/lib.sh"
fail() { log "churn: FAILED: $*"; exit 1; }

case "$minutes" in -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;; esac
[[ "$minutes" =~ ^[0-9]+(\.[0-9]+)?$ ]] && python3 -c "import sys; sys.exit(0 if $minutes > 0 else 1)" \
  || fail "MINUTES must be a positive number, got '$minutes'"
[[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -ge 4 ] && [ "$n" -le 40 ] || fail "NODES must be a number from 4 to 40, got '$n'"
[[ "$interval" =~ ^[1-9][0-9]*$ ]] || fail "CHURN_INTERVAL must be a positive integer, got '$interval'"
[[ "$settle" =~ ^[0-9]+$ ]] || fail "CHURN_SETTLE must be a number of seconds, got '$settle'"
[ "$(id -u)" = 0 ] || fail "run as root: it creates network namespaces, a bridge and TAP devices"
pick_java
require_tools "" ip ping curl python3 java timeout
ensure_jar
work=$(mktemp -d /tmp/ipop-churn.XXXXXX)

cleanup() {
  local rc=$?
  set +e
  trap - ERR
  for pid in "${ping_pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for pid in "${ping_pids[@]}"; do wait "$pid" 2>/dev/null; done
  stop_nodes "${node_pids[@]}"
  finish_work churn "$rc" "$failed"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'log "churn: FAILED at line $LINENO: $BASH_COMMAND"' ERR

ns_of() { echo "$prefix-$1"; }
now() { date +%s.%N; }
since() { python3 -c "print(f'{$(now) - $1:.1f}')"; }

hub_with_hosts "$n"
for i in $(seq "$n"); do
  cluster_node_config "$work/n$i.conf" "$i" '"pekko://ipop@192.0.2.1:17355", "pekko://ipop@192.0.2.2:17355", "pekko://ipop@192.0.2.3:17355"'
  [ "${CHURN_PEER_CACHE:-1}" = 1 ] && echo "ipop.discovery.peer-cache.file = \"$work/n$i.peers.json\"" >>"$work/n$i.conf"
done
build_cds_archive "$(ns_of 1)" "$work/n1.conf"

start_node() {  # start_node I: starts node I in its namespace, records its pid
  # shellcheck disable=SC2086 # java_opts is a list of options
  ip netns exec "$(ns_of "$1")" java $java_opts -jar "$jar" --config "$work/n$1.conf" >>"$work/n$1.log" 2>&1 3>&- &
  node_pids[$1]=$!
}
links_json() {
  local out
  out=$(ip netns exec "$(ns_of "$1")" timeout 5 curl -fsS --max-time 2 http://127.0.0.1:8558/overlay/links 2>/dev/null) || out=null
  echo "${out:-null}"
}
# relink_s I T0: prints the seconds from T0 (epoch) until the last link came up of node I's N-1 links and every
# other node's link to I, if all are up now, each since after T0; prints nothing otherwise.
relink_s() {
  local i=$1 t0=$2 j own
  own=$(links_json "$i")
  python3 -c "$since_check" own "$t0" "$n" "n$i" <<<"$own" >/dev/null || return 0
  { echo "$own"; for j in $(seq "$n"); do [ "$j" = "$i" ] || links_json "$j"; done; } \
    | python3 -c "$since_check" all "$t0" "$n" "n$i"
}
since_check='import json, re, sys
from datetime import datetime, timezone
what, t0, n, victim = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
def ts(s):
    m = re.match(r"(.*T\d\d:\d\d:\d\d)(\.\d+)?Z$", s or "")
    if not m: return None
    return datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc).timestamp() + float(m.group(2) or 0)
text, pos, views, dec = sys.stdin.read(), 0, [], json.JSONDecoder()
try:
    while text[pos:].strip():
        pos += len(text[pos:]) - len(text[pos:].lstrip())
        v, pos = dec.raw_decode(text, pos)
        views.append(v if isinstance(v, list) else [])
except ValueError:
    sys.exit(1)
if not views: sys.exit(1)
times = [ts(l.get("since")) for l in views[0] if l.get("state") == "up"]
if len(times) < n - 1: sys.exit(1)
if what == "all":
    for v in views[1:]:
        t = [ts(l.get("since")) for l in v if l.get("peer") == victim and l.get("state") == "up"]
        if not t: sys.exit(1)
        times += t
if any(t is None or t < t0 for t in times): sys.exit(1)
print(f"{max(times) - t0:.1f}")'
crashes=0
check_alive() {  # counts (and restarts) nodes that exited without being killed
  local i
  for i in $(seq "$n"); do
    if ! kill -0 "${node_pids[$i]}" 2>/dev/null; then
      log "   n$i exited on its own: $(tail -3 "$work/n$i.log" | tr '\n' ' ')"
      crashes=$((crashes + 1))
      wait "${node_pids[$i]}" 2>/dev/null || true
      start_node "$i"
    fi
  done
}

log "== starting $n nodes ($java_opts)"
for i in $(seq "$n"); do
  start_node "$i"
  for _ in $(seq 300); do node_ready "$(ns_of "$i")" && break; sleep 0.2; done
done
start=$(now)
for i in $(seq "$n"); do
  until [ "$(links_up "$i")" -ge $((n - 1)) ]; do
    python3 -c "import sys; sys.exit(0 if $(since "$start") < 180 else 1)" || fail "n$i: not all links up 180 s after the start"
    sleep 1
  done
done
log "   all $((n * (n - 1))) links up $(since "$start") s after the last node answered /ready"

soak_s=$(python3 -c "print(int($minutes * 60))")
for i in $(seq "$n"); do
  next=$(( i % n + 1 ))
  ip netns exec "$(ns_of "$i")" timeout $((soak_s + 90)) ping -q -i 0.5 -W 1 -w $((soak_s + 80)) "10.77.0.$next" \
    >"$work/ping$i.log" 2>&1 &
  ping_pids+=("$!")
done

rss_first=("$(rss_mb "${node_pids[1]}")" "$(rss_mb "${node_pids[2]}")")
restarts=0
relinks=()
stuck_restarts=0
victim=3
soak_start=$(now)
log "== soak: $minutes min, a SIGKILL and restart every $interval s (victims n3..n$n)"
while python3 -c "import sys; sys.exit(0 if $(since "$soak_start") < $soak_s else 1)"; do
  round=$(now)
  check_alive
  kill -KILL "${node_pids[$victim]}" 2>/dev/null || true
  wait "${node_pids[$victim]}" 2>/dev/null || true
  t0=$(now)
  start_node "$victim"
  restarts=$((restarts + 1))
  took=""
  while python3 -c "import sys; sys.exit(0 if $(since "$t0") < 60 else 1)"; do
    sleep 1
    took=$(relink_s "$victim" "$t0")
    [ -n "$took" ] && break
  done
  if [ -n "$took" ]; then
    relinks+=("$took")
    log "   restart $restarts: n$victim relinked in $took s"
  else
    stuck_restarts=$((stuck_restarts + 1))
    log "   restart $restarts: n$victim NOT relinked within 60 s"
  fi
  victim=$(( victim >= n ? 3 : victim + 1 ))
  left=$(python3 -c "print(max(0.0, $interval - ($(now) - $round)))")
  sleep "$left"
done

log "== settling for $settle s, then counting links"
sleep "$settle"
check_alive
stuck=0
for i in $(seq "$n"); do
  up=$(links_up "$i")
  [ "$up" -lt $((n - 1)) ] && log "   n$i has $up of $((n - 1)) links up"
  stuck=$((stuck + n - 1 - up))
done
hs_err=$(find "$work" /tmp -maxdepth 1 -name 'hs_err_pid*.log' -newer "$work/n1.conf" 2>/dev/null | wc -l)
crashes=$((crashes + hs_err))
growth=$(python3 -c "import sys; print(f'{max(float(sys.argv[3]) - float(sys.argv[1]), float(sys.argv[4]) - float(sys.argv[2])):.1f}')" \
  "${rss_first[@]}" "$(rss_mb "${node_pids[1]}")" "$(rss_mb "${node_pids[2]}")")
for pid in "${ping_pids[@]}"; do kill -INT "$pid" 2>/dev/null || true; done
for pid in "${ping_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
ping_pids=()
lost=$(cat "$work"/ping*.log | python3 -c 'import re,sys
t=r=0
for m in re.finditer(r"(\d+) packets transmitted, (\d+) received", sys.stdin.read()):
    t+=int(m.group(1)); r+=int(m.group(2))
print(f"{r}/{t}")')
if [ ${#relinks[@]} -gt 0 ]; then
  read -r p50 pmax < <(python3 -c 'import statistics,sys; v=[float(x) for x in sys.argv[1:]]; print(f"{statistics.median(v):.1f} {max(v):.1f}")' "${relinks[@]}")
else
  p50=nan; pmax=nan
fi
printf '%-28s %s\n' "nodes" "$n (seeds n1..n3; n1, n2 never killed)" \
  "soak" "$minutes min, one SIGKILL + restart every $interval s" \
  "restarts / not relinked" "$restarts / $stuck_restarts (within 60 s)" \
  "relink p50 / max" "$p50 / $pmax s" \
  "pings answered (ring)" "$lost" \
  "observer RSS first / last" "${rss_first[*]} / $(rss_mb "${node_pids[1]}") $(rss_mb "${node_pids[2]}") MB" \
  "Java" "$java_version" \
  "JVM options" "$java_opts"
failed=0
echo "minutes=$minutes restarts=$restarts relink_s_p50=$p50 relink_s_max=$pmax stuck_links=$stuck rss_growth_mb=$growth crashes=$crashes"
