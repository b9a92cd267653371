#!/usr/bin/env bash
# How fast a cluster-discovered overlay of N nodes comes up, and what each node costs.
#
# N network namespaces on one bridge (underlay 192.0.2.1..N/24, overlay 10.77.0.1..N/24), one node
# each with ipop.discovery { static = false, cluster = true }; node 1 is the only seed and the others
# know nothing but its address. The nodes start rolling, at most SCALE_PARALLEL (default: the number of
# cores) at a time, the next as soon as one answers /ready (SCALE_START=rolling, the default: N JVMs
# starting at once on a small machine starve each other's cluster heartbeats until the cluster's
# failure detector gives up on them), or all at once (SCALE_START=all). Reports:
#   all_up_s   seconds from starting the first node until every node's /overlay/links shows N-1 links up
#              (--topology structured: until every node has its ring's links, all up, see below)
#   RSS        resident memory of each node's JVM once all are up (median, max; MB)
#   CPU        CPU seconds (utime+stime) each node used from start to all-up (median, max), their sum
#              as a share of the machine's cores over that time, and each node's CPU over 10 s once
#              all are up (median, max; percent of one core)
# then checks one ping from node N to node 1 across the overlay (structured: to a ring neighbour of node N,
# since other pairs need multi-hop forwarding), and prints as its last line
#   nodes=N all_up_s=T rss_mb_max=M                                   (full mesh)
#   nodes=N topology=structured all_up_s=T links_max=L links_mean=M idle_cpu_pct_max=C rss_mb_max=R idle_cpu_pct_mean=C pairs_ok=P/P ondemand_s=S up_after_last_start_s=U
# (U: seconds from starting the last node's JVM until all were up: on N hosts the JVMs start in parallel, here
# they start a few at a time on one machine's cores, and all_up_s counts that wait too)
#
# --topology MODE passes ipop.topology.mode = MODE (auto | full-mesh | structured) to every node. With
# structured a node counts as up when its /overlay/links shows its two ring successors on each side (ring
# order: SHA-256 of the node name, as io.ipop.topology.RingId) and every link it has is up (none retiring;
# overlay sessions, which the first frames between two members open, are no links); the run then fails if a node has more than 2*ceil(log2 N) + 4 links (issue 20's bound),
# measures each node's CPU over SCALE_IDLE (60) s once SCALE_SETTLE (20) s have passed, pings every ordered pair
# (bench/pairs.sh; fails if one does not answer) and times an on-demand link under iperf3 between two members
# without a link (ondemand_s). SCALE_MANY=0 leaves out the many-node settings (many_nodes_config below).
#
# Usage (as root): bench/scale.sh [--topology MODE] [N]     (N = 2..60, default 16)
# Environment: IPOP_JAR (default <repo>/target/ipop-node.jar, built if missing), SCALE_LIMIT (seconds
#   to wait for all links, default 180), IPOP_JAVA_OPTS (JVM options for every node; default
#   "-Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k -XX:-UsePerfData -XX:CompileThresholdScaling=0.2 -Dipop.dataplane.warm-up-frames=0": many
#   JVMs on one machine, pings only, see docs/performance.md),
#   SCALE_CDS=0 (no class-data archive: see below), SCALE_HOLD=S (keep the nodes running S seconds after
#   the report, to look at them), BENCH_KEEP=1 (keep the work directory with configs and logs; it is always kept on failure).
# Everything it creates (namespaces, node processes) is removed on exit, success or not; nodes are
# stopped by their own PIDs.
set -euo pipefail
set -o errtrace

here=$(cd "$(dirname "$0")/.." && pwd)
jar="${IPOP_JAR:-$here/target/ipop-node.jar}"
limit="${SCALE_LIMIT:-180}"
start_mode="${SCALE_START:-rolling}"
many="${SCALE_MANY:-1}"
settle_s="${SCALE_SETTLE:-}"
idle_s="${SCALE_IDLE:-}"
parallel="${SCALE_PARALLEL:-$(getconf _NPROCESSORS_ONLN)}"
java_opts="${IPOP_JAVA_OPTS:--Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k -XX:-UsePerfData -XX:CompileThresholdScaling=0.2 -Dipop.dataplane.warm-up-frames=0}"
topology=full-mesh
if [ "${1:-}" = --topology ]; then
  topology="${2:-}"
  shift 2
fi
n="${1:-16}"
if [ "$topology" = structured ]; then settle_s=${settle_s:-20}; idle_s=${idle_s:-60}; else settle_s=${settle_s:-0}; idle_s=${idle_s:-10}; fi
prefix="ips$$"
hub="$prefix-hub"
work=""
node_pids=()
namespaces=()
failed=1

exec 3>&2
log() { printf '%s\n' "$*" >&3; }
. "$here/bench/lib.sh"
. "$here/bench/pairs.sh"
fail() { log "scale: FAILED: $*"; exit 1; }

case "$n" in -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;; esac
[[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -ge 2 ] && [ "$n" -le 60 ] || fail "N must be a number from 2 to 60, got '$n'"
[[ "$limit" =~ ^[1-9][0-9]*$ ]] || fail "SCALE_LIMIT must be a positive integer, got '$limit'"
[ "$start_mode" = rolling ] || [ "$start_mode" = all ] || fail "SCALE_START must be rolling or all, got '$start_mode'"
case "$topology" in auto|full-mesh|structured) ;; *) fail "--topology must be auto, full-mesh or structured, got '$topology'" ;; esac
[ "$(id -u)" = 0 ] || fail "run as root: it creates network namespaces, a bridge and TAP devices"
pick_java
require_tools "" ip ping curl python3 java timeout getconf
[ "$topology" != structured ] || require_tools "apt-get install iperf3" iperf3
ensure_jar
work=$(mktemp -d /tmp/ipop-scale.XXXXXX)

cleanup() {
  local rc=$?
  set +e
  trap - ERR
  stop_nodes "${node_pids[@]}"
  finish_work scale "$rc" "$failed"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'log "scale: FAILED at line $LINENO: $BASH_COMMAND"' ERR

ns_of() { echo "$prefix-$1"; }
# many_nodes_config: what a structured overlay of many nodes sets (docs/discovery.md, "How far Pekko Cluster
# goes"): links ping only when quiet, and a cluster failure detector and resolver that tolerate JVMs starved of
# CPU for seconds (here: many JVMs on one small host; on real hosts: GC pauses, a busy host) and send fewer
# heartbeats per member.
many_nodes_config() {
  cat <<'CONF'
ipop.link { idle-keepalive = 25s, dead-after = 60s }
pekko.cluster {
  failure-detector { heartbeat-interval = 5s, acceptable-heartbeat-pause = 20s, monitored-by-nr-of-members = 5 }
  split-brain-resolver.stable-after = 20s
  distributed-data { gossip-interval = 3s, notify-subscribers-interval = 500ms }
  gossip-interval = 3s
}
pekko.remote.artery.advanced.inject-handshake-interval = 5s
CONF
}
stats() {  # median and max of the arguments
  python3 -c 'import statistics,sys; v=[float(x) for x in sys.argv[1:]]; print(f"{statistics.median(v):.1f} {max(v):.1f}")' "$@"
}

# ---------------------------------------------------------------------------------------- underlay
hub_with_hosts "$n"

# ---------------------------------------------------------------------------------------- nodes
for i in $(seq "$n"); do
  cluster_node_config "$work/n$i.conf" "$i" '"pekko://ipop@192.0.2.1:17355"'
  echo "ipop.topology.mode = $topology" >>"$work/n$i.conf"
  if [ "$topology" = structured ] && [ "$many" = 1 ]; then many_nodes_config >>"$work/n$i.conf"; fi
done
build_cds_archive "$(ns_of 1)" "$work/n1.conf"
log "== starting $n nodes ($java_opts)"
start=$(date +%s.%N)
starting=()   # nodes started that do not answer /ready yet
for i in $(seq "$n"); do
  # rolling: at most $parallel JVMs in their start-up burst at a time
  while [ "$start_mode" = rolling ] && [ ${#starting[@]} -ge "$parallel" ]; do
    still=()
    for j in "${starting[@]}"; do
      kill -0 "${node_pids[$((j - 1))]}" 2>/dev/null || { tail -20 "$work/n$j.log" >&3; fail "node n$j exited"; }
      node_ready "$(ns_of "$j")" || still+=("$j")
    done
    starting=("${still[@]}")
    [ ${#starting[@]} -ge "$parallel" ] && sleep 0.2
  done
  # shellcheck disable=SC2086 # java_opts is a list of options
  ip netns exec "$(ns_of "$i")" java $java_opts -jar "$jar" --config "$work/n$i.conf" >"$work/n$i.log" 2>&1 3>&- &
  node_pids+=("$!")
  starting+=("$i")
  last_start=$(date +%s.%N)
done

# ---------------------------------------------------------------------------------------- wait
want=$((n - 1))
bound=$((2 * $(python3 -c "import math; print(math.ceil(math.log2($n)))") + 4))
# node_done I: node I has all N-1 links up (full mesh), or its ring's links as described at the top (structured)
node_done() {
  if [ "$topology" != structured ]; then
    [ "$(links_up "$1")" -ge "$want" ]
    return
  fi
  ip netns exec "$(ns_of "$1")" timeout 5 curl -fsS --max-time 2 http://127.0.0.1:8558/overlay/links 2>/dev/null \
    | python3 "$here/bench/ring_settled.py" "n$1" "$n" || return 1
}
pending=$(seq "$n")
while :; do
  now=$(date +%s.%N)
  elapsed=$(python3 -c "print(f'{$now - $start:.1f}')")
  still=""
  for i in $pending; do
    kill -0 "${node_pids[$((i - 1))]}" 2>/dev/null || { tail -20 "$work/n$i.log" >&3; fail "node n$i exited"; }
    node_done "$i" || still="$still $i"
  done
  pending=$still
  [ -z "$pending" ] && break
  if python3 -c "import sys; sys.exit(0 if $elapsed > $limit else 1)"; then
    for i in $pending; do   # what the nodes still pending show, for the work directory kept
      ip netns exec "$(ns_of "$i")" timeout 5 curl -fsS --max-time 2 http://127.0.0.1:8558/overlay/links >"$work/n$i-links.json" 2>&1
    done
    fail "after ${limit}s nodes${pending} still have fewer than $want links up (or not their ring's links)"
  fi
  log "   ${elapsed}s: $((n - $(wc -w <<<"$pending")))/$n nodes have all their links up"
  sleep 1
done
end=$(date +%s.%N)
all_up=$(python3 -c "print(f'{$end - $start:.1f}')")
after_last=$(python3 -c "print(f'{$end - $last_start:.1f}')")

rss=(); cpu=()
for pid in "${node_pids[@]}"; do
  rss+=("$(rss_mb "$pid")")
  cpu+=("$(cpu_seconds "$pid")")
done
read -r rss_med rss_max < <(stats "${rss[@]}")
read -r cpu_med cpu_max < <(stats "${cpu[@]}")
cores=$(getconf _NPROCESSORS_ONLN)
machine=$(python3 -c "import sys; print(f'{100 * sum(map(float, sys.argv[1:])) / ($all_up * $cores):.0f}')" "${cpu[@]}")
# steady state: CPU each node uses over $idle_s s once everything is up (keepalives, cluster gossip); structured:
# after $settle_s s more, once replaced links have retired (15 s at the latest) and the start's JIT work is done
[ "$settle_s" -gt 0 ] && { log "== settling ${settle_s} s, then each node's CPU over ${idle_s} s at rest"; sleep "$settle_s"; }
# each node's own total (/proc/PID/stat) over the same window, by bench/threadcpu.py, which also splits it by thread
# kind (timers, dispatchers, Artery, JIT, ...): where the CPU at rest goes; percent of one core over the window
# as its own clock measured it
python3 "$here/bench/threadcpu.py" --per-process "$work/idle-cpu.txt" "$idle_s" "${node_pids[@]}" \
  >"$work/idle-threads.txt" 2>&1 || { cat "$work/idle-threads.txt" >&3; fail "bench/threadcpu.py failed"; }
log "$(cat "$work/idle-threads.txt")"
idle=(); for pid in "${node_pids[@]}"; do idle+=("$(awk -v p="$pid" '$1 == p { print $2 }' "$work/idle-cpu.txt")"); done
read -r idle_med idle_max < <(stats "${idle[@]}")
idle_mean=$(python3 -c 'import statistics,sys; print(f"{statistics.mean(map(float, sys.argv[1:])):.2f}")' "${idle[@]}")

target=1
if [ "$topology" = structured ]; then   # a ring neighbour of n$n: other pairs need multi-hop forwarding
  target=$(python3 "$here/bench/ring_settled.py" --successor "n$n" "$n" | sed 's/^n//')
fi
ip netns exec "$(ns_of "$n")" timeout 10 ping -c 1 -W 3 "10.77.0.$target" >/dev/null \
  || fail "no ping from n$n to n$target over the overlay"
links=()   # structured: the topology's links (on-demand links and overlay sessions left out, issue 20's bound)
for i in $(seq "$n"); do links+=("$(if [ "$topology" = structured ]; then topology_links "$i"; else links_up "$i"; fi)"); done
read -r links_mean links_max < <(python3 -c 'import statistics,sys; v=[int(x) for x in sys.argv[1:]]; print(f"{statistics.mean(v):.1f} {max(v)}")' "${links[@]}")
if [ "$topology" = structured ] && [ "$links_max" -gt "$bound" ]; then
  fail "a node has $links_max links, more than 2*ceil(log2 $n) + 4 = $bound"
fi

if [ "$topology" = structured ]; then
  log "== every ordered pair pings ($((n * (n - 1))) pairs, one sender per node at a time)"
  pairs_start=$(date +%s)
  all_pairs_ping
  log "   $pairs_ok of $pairs_total pairs answered in $(($(date +%s) - pairs_start)) s"
  on_demand_check
fi

printf '%-28s %s\n' "nodes" "$n (one seed, cluster discovery only)" \
  "topology" "$topology" \
  "all links up after" "${all_up} s from the first node's start, ${after_last} s from the last's" \
  "links per node mean / max" "$links_mean / $links_max (full mesh: $want)" \
  "node RSS median / max" "$rss_med / $rss_max MB" \
  "node CPU to all-up med/max" "$cpu_med / $cpu_max s" \
  "all nodes' CPU to all-up" "${machine}% of $cores cores" \
  "node CPU once up med/max" "$idle_med / $idle_max % of a core (mean $idle_mean, over $idle_s s, ${settle_s} s after all up)" \
  "start" "$start_mode" \
  "Java" "$java_version" \
  "JVM options" "$java_opts"
if [ "$topology" = structured ]; then
  printf '%-28s %s\n' "pairs that ping" "$pairs_ok of $pairs_total ordered pairs" \
    "on-demand n$n - $ondemand_peer" "path direct after ${ondemand_s} s of iperf3 (target 10 s), no reset, ${ondemand_mbit} Mbit/s"
fi
if [ "${SCALE_HOLD:-0}" != 0 ]; then
  log "== holding the nodes for ${SCALE_HOLD} s (pids ${node_pids[*]})"
  sleep "$SCALE_HOLD"
fi
failed=0
if [ "$topology" = structured ]; then
  [ "$pairs_ok" = "$pairs_total" ] || { head -20 "$work/pairs-failed" >&3; fail "$((pairs_total - pairs_ok)) ordered pairs did not ping"; }
  echo "nodes=$n topology=structured all_up_s=$all_up links_max=$links_max links_mean=$links_mean idle_cpu_pct_max=$idle_max rss_mb_max=$rss_max idle_cpu_pct_mean=$idle_mean pairs_ok=$pairs_ok/$pairs_total ondemand_s=$ondemand_s up_after_last_start_s=$after_last"
else
  echo "nodes=$n all_up_s=$all_up rss_mb_max=$rss_max"
fi
