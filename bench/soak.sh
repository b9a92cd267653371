#!/usr/bin/env bash
# Soak: traffic plus hostile input for MINUTES, watching the target node's memory, GC and drop counters.
#
# Three nodes in network namespaces on one bridge (underlay 192.0.2.0/24, overlay 10.77.0.0/24) with
# certificates of one overlay CA: a and b share group blue (DTLS-secured link), c is in red (plaintext
# links). An attacker namespace x (192.0.2.9) floods a's port for the whole run with a corpus built from a
# capture of a's link setup (bench: the same HostileCorpus kinds as HostileNetnsIT: random bytes, bad
# headers, broken and oversized control JSON, unknown peers and indexes, forged and replayed sealed
# frames, downgrade attempts, forged/stale/foreign-certificate hellos, replayed DTLS records), at
# SOAK_RATE datagrams/s from 256 source ports. Meanwhile iperf3 runs b -> a (secure) and c -> a
# (plaintext), each capped at SOAK_MBIT Mbit/s. Every SOAK_SAMPLE seconds it records each node's RSS
# (VmRSS), a's GC count and time (jstat) and a's drop counters (/overlay/dataplane) to samples.tsv.
#
# At the end it prints a's GC pauses (from its -Xlog:gc log: count, total, max), the drop counters and,
# as its very last line:
#   minutes=M rss_growth_mb=G crashes=C
# G: a's RSS at the end minus its RSS at the first sample, after SOAK_SAMPLE seconds under the full load
#    (the JVM's heap, malloc arenas and NIO buffer caches reach their working size in that time), in MB.
#    The RSS before the load is printed too. GC pauses are counted from the start of the load.
# C: node processes that died during the run, plus actor failures their logs report ("saw failure").
#
# Usage (as root): bench/soak.sh MINUTES
# Environment: IPOP_BUILD_DIR (default <repo>/target; needs ipop-node.jar and test-classes there, built
#   with mvn -B -DskipTests package if missing), SOAK_RATE (20000), SOAK_MBIT (100), SOAK_SAMPLE (10),
#   SOAK_KEEP=1 (keep the work directory; always kept on failure).
# Everything it creates (namespaces, node, iperf3, tcpdump and flooder processes) is removed on exit.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
minutes="${1:-}"
case "$minutes" in ''|*[!0-9]*) echo "usage: bench/soak.sh MINUTES" >&2; exit 2 ;; esac
[ "$minutes" -ge 1 ] || { echo "soak: MINUTES must be at least 1" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "soak: needs root (namespaces, TAP devices)" >&2; exit 2; }
build="${IPOP_BUILD_DIR:-$here/target}"
rate="${SOAK_RATE:-20000}"
mbit="${SOAK_MBIT:-100}"
sample="${SOAK_SAMPLE:-10}"
seconds=$((minutes * 60))
prefix="ips$$"
hub="$prefix-hub"
work=$(mktemp -d /tmp/ipop-soak.XXXXXX)
pids=()
namespaces=()
failed=1

log() { printf 'soak: %s\n' "$*" >&2; }
. "$here/bench/lib.sh"
fail() { log "FAILED: $*"; exit 1; }

cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  for ns in "${namespaces[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
  if [ "$failed" = 1 ] || [ "${SOAK_KEEP:-0}" = 1 ]; then log "work directory kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# ---- build and tools -------------------------------------------------------------------------------
pick_java
jar="$build/ipop-node.jar"
if [ ! -f "$jar" ] || [ ! -f "$build/test-classes/io/ipop/netns/Flooder.class" ]; then
  log "building into $build"
  (cd "$here" && mvn -B -q -DskipTests -Dipop.build.dir="$build" package) || fail "build failed"
fi
java=$(command -v java)
cp="$build/test-classes:$jar"
tool() { local ns=$1; shift; ip netns exec "$prefix-$ns" "$java" -Xmx256m -XX:+UseSerialGC -cp "$cp" "$@"; }

# ---- namespaces --------------------------------------------------------------------------------------
ip netns add "$hub"; namespaces+=("$hub")
ip -n "$hub" link add br0 type bridge
ip -n "$hub" link set br0 up
declare -A host=([a]=1 [b]=2 [c]=3 [x]=9)
for h in a b c x; do
  ns="$prefix-$h"
  ip netns add "$ns"; namespaces+=("$ns")
  bridge_host "$hub" "$ns" "$prefix$h" "192.0.2.${host[$h]}"
done

# ---- certificates ------------------------------------------------------------------------------------
declare -A group=([a]=blue [b]=blue [c]=red)
"$java" -jar "$jar" ca init --dir "$work/pki" >/dev/null
for h in a b c; do
  "$java" -jar "$jar" ca sign --dir "$work/pki" --name "$h" --ip "10.77.0.${host[$h]}/24" --groups "${group[$h]}" >/dev/null
done
"$java" -jar "$jar" ca init --dir "$work/foreign" >/dev/null
"$java" -jar "$jar" ca sign --dir "$work/foreign" --name b --ip 10.77.0.2/24 --groups blue >/dev/null

config() {
  local h=$1 peers="" p
  for p in a b c; do
    [ "$p" = "$h" ] || peers="$peers${peers:+, }{ name = \"$p\", endpoint = \"192.0.2.${host[$p]}:5800\" }"
  done
  cat <<EOF
ipop {
  node.name = "$h"
  tap { name = "ipop0", address = "10.77.0.${host[$h]}/24", mtu = 1400 }
  underlay { bind = "0.0.0.0", port = 5800 }
  peers = [ $peers ]
  groups = [ "${group[$h]}" ]
  security { mode = by-group, ca = "$work/pki/ca.crt", cert = "$work/pki/$h.crt", key = "$work/pki/$h.key" }
  link { keepalive-interval = 500ms, dead-after = 3s, retry-min = 250ms, retry-max = 2s }
}
EOF
}

api() { ip netns exec "$prefix-$1" curl -fsS --max-time 2 "http://127.0.0.1:8558$2" 2>/dev/null || true; }
wait_for() {   # wait_for SECONDS DESCRIPTION COMMAND...
  local limit=$1 what=$2; shift 2
  local deadline=$((SECONDS + limit))
  until "$@"; do
    [ $SECONDS -lt $deadline ] || fail "timed out after ${limit}s waiting for $what"
    sleep 0.5
  done
}
links_up() { local n; n=$(api "$1" /overlay/links | grep -Eo '"state" *: *"up"' | wc -l); [ "$n" -eq 2 ]; }

# ---- capture a's link setup, start the nodes -----------------------------------------------------------
ip netns exec "$prefix-a" timeout 300 tcpdump -i eth0 -U -s 0 -w "$work/a.pcap" udp port 5800 2>"$work/tcpdump.log" &
tcpdump_pid=$!; pids+=("$tcpdump_pid")
sleep 1.5
declare -A node_pid
for h in a b c; do
  config "$h" > "$work/$h.conf"
  ip netns exec "$prefix-$h" "$java" -Xmx256m -Xlog:gc:file="$work/gc-$h.log":uptime -jar "$jar" \
    --config "$work/$h.conf" > "$work/$h.log" 2>&1 &
  node_pid[$h]=$!; pids+=("${node_pid[$h]}")
done
for h in a b c; do wait_for 90 "node $h links up" links_up "$h"; done
for p in 2 3; do ip netns exec "$prefix-a" ping -c 3 -i 0.2 -W 2 "10.77.0.$p" >/dev/null || fail "ping a -> 10.77.0.$p"; done
sleep 0.5
kill -TERM "$tcpdump_pid"; wait "$tcpdump_pid" 2>/dev/null || true
log "nodes up; building the hostile corpus from the capture"
tool x io.ipop.netns.HostileCorpus "$work/corpus" "$work/a.pcap" 192.0.2.1 192.0.2.2 20000 1 \
  "$work/pki" b "$work/foreign" > "$work/corpus.txt" || fail "cannot build the corpus"

# ---- warm-up, then the soak ------------------------------------------------------------------------------
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
drops_total() { api a /overlay/dataplane | tr -d ' \n' | grep -o '"drops_total":[0-9]*' | cut -d: -f2; }
for port in 5201 5202; do
  ip netns exec "$prefix-a" timeout $((seconds + 60)) iperf3 -s -B 10.77.0.1 -p "$port" > "$work/iperf3-s-$port.log" 2>&1 &
  pids+=($!)
done
sleep 1
ip netns exec "$prefix-b" timeout 30 iperf3 -c 10.77.0.1 -p 5201 -t 5 > "$work/warmup.log" 2>&1 || fail "warm-up iperf3"
rss_idle=$(rss_kb "${node_pid[a]}")
gc_lines=$(wc -l < "$work/gc-a.log")
log "soak for $minutes min: iperf3 b->a and c->a at ${mbit} Mbit/s each, fuzz at $rate datagrams/s; a's RSS $((rss_idle / 1024)) MB"
ip netns exec "$prefix-b" timeout $((seconds + 30)) iperf3 -c 10.77.0.1 -p 5201 -t "$seconds" -b "${mbit}M" -J \
  > "$work/iperf3-b.json" 2>&1 &
iperf_b=$!; pids+=("$iperf_b")
ip netns exec "$prefix-c" timeout $((seconds + 30)) iperf3 -c 10.77.0.1 -p 5202 -t "$seconds" -b "${mbit}M" -J \
  > "$work/iperf3-c.json" 2>&1 &
iperf_c=$!; pids+=("$iperf_c")
tool x io.ipop.netns.Flooder "$work/corpus" 192.0.2.1 5800 256 1000000000 "$rate" "$seconds" > "$work/flooder.log" 2>&1 &
flooder=$!; pids+=("$flooder")

printf 't_s\trss_a_kb\trss_b_kb\trss_c_kb\tygc\tfgc\tgct_s\tdrops_total_a\n' > "$work/samples.tsv"
start=$SECONDS
while [ $((SECONDS - start)) -lt "$seconds" ]; do
  sleep "$sample"
  gc=$(jstat -gc "${node_pid[a]}" 2>/dev/null | awk 'NR==2 {print $(NF-6) "\t" $(NF-4) "\t" $NF}' || true)
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' $((SECONDS - start)) "$(rss_kb "${node_pid[a]}")" "$(rss_kb "${node_pid[b]}")" \
    "$(rss_kb "${node_pid[c]}")" "${gc:-?	?	?}" "$(drops_total)" >> "$work/samples.tsv"
done
wait "$flooder" 2>/dev/null || true
wait "$iperf_b" 2>/dev/null || true
wait "$iperf_c" 2>/dev/null || true
rss_end=$(rss_kb "${node_pid[a]}")
rss_start=$(awk -F'\t' 'NR==2 {print $2}' "$work/samples.tsv")

# ---- report --------------------------------------------------------------------------------------------
crashes=0
for h in a b c; do
  kill -0 "${node_pid[$h]}" 2>/dev/null || { log "node $h died"; crashes=$((crashes + 1)); }
  failures=$(grep -c "saw failure" "$work/$h.log" || true)
  [ "$failures" -eq 0 ] || log "node $h: $failures actor failures"
  crashes=$((crashes + failures))
done
mbps() { tr -d ' \t\n' < "$1" | grep -o '"sum_received":{[^}]*' | grep -o '"bits_per_second":[0-9.e+]*' | tail -1 \
  | cut -d: -f2 | awk '{printf "%.1f", $1 / 1e6}'; }
log "samples (every ${sample}s):"
column -t "$work/samples.tsv" >&2 || cat "$work/samples.tsv" >&2
log "flooder: $(tail -1 "$work/flooder.log")"
log "iperf3 b->a (secure): $(mbps "$work/iperf3-b.json") Mbit/s, c->a (plaintext): $(mbps "$work/iperf3-c.json") Mbit/s"
log "a's GC pauses under load: $(tail -n +$((gc_lines + 1)) "$work/gc-a.log" | grep 'Pause' | grep -o '[0-9.]*ms$' | tr -d ms \
  | awk '{n++; t+=$1; if ($1>m) m=$1} END {printf "%d pauses, %.0f ms in all, longest %.1f ms", n, t, m}')"
log "a's drop counters: $(api a /overlay/dataplane | tr -d ' \n' | grep -o '"drops":{.*}')"
log "a's links: $(api a /overlay/links | tr -d ' \n' | grep -o '"peer":"[a-z]*","discovered_by":"[a-z]*","state":"[a-z]*"' | tr '\n' ' ')"
log "a's RSS: $((rss_idle / 1024)) MB before the load, $((rss_start / 1024)) MB at the first sample, $((rss_end / 1024)) MB at the end"
failed=0
echo "minutes=$minutes rss_growth_mb=$(( (rss_end - rss_start) / 1024 )) crashes=$crashes"
