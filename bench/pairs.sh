# Sourced by bench/scale.sh (structured): the all-pairs ping and the on-demand link check. The caller defines
# log, fail, ns_of, $n, $work, $here.

# all_pairs_ping: every ordered pair (i, j) pings once across the overlay: one sender per node at a time, each
# trying its N-1 targets in turn (`ping -c 1 -w 6`: up to six echo requests, one a second, until one is
# answered; a pair without a direct link needs its overlay session first, about a second). Sets pairs_ok and
# pairs_total; the pairs that failed are in $work/pairs-failed.
all_pairs_ping() {
  local i pids=()
  for i in $(seq "$n"); do
    (
      for j in $(seq "$n"); do
        [ "$i" = "$j" ] && continue
        if ip netns exec "$(ns_of "$i")" timeout 8 ping -n -q -c 1 -w 6 "10.77.0.$j" >/dev/null 2>&1; then
          echo "n$i n$j ok"
        else
          echo "n$i n$j failed"
        fi
      done >"$work/pairs-$i" 3>&-
    ) &
    pids+=("$!")
  done
  for i in "${pids[@]}"; do wait "$i"; done
  cat "$work"/pairs-[0-9]* | grep -c ' ok$' >"$work/pairs-ok" || true
  cat "$work"/pairs-[0-9]* | grep ' failed$' >"$work/pairs-failed" || true
  pairs_ok=$(cat "$work/pairs-ok")
  pairs_total=$((n * (n - 1)))
}

# link_path I PEER: the path of node I's link to PEER in /overlay/links (empty if none).
link_path() {
  ip netns exec "$(ns_of "$1")" timeout 5 curl -fsS --max-time 2 http://127.0.0.1:8558/overlay/links 2>/dev/null \
    | python3 -c 'import json,sys
try:
    print(next((l.get("path") or "") for l in json.load(sys.stdin) if l.get("peer") == sys.argv[1]))
except Exception:
    print("")' "$2"
}

# on_demand_check: a sustained iperf3 TCP between n$n and a member it has no link to (the farthest such on the
# ring by rank) for ONDEMAND_SECONDS (20): seconds until the client's /overlay/links shows the path
# `direct` (ondemand_s; the target is 10), and whether iperf3 ran to its end (no reset: exit 0). Sets
# ondemand_s, ondemand_mbit, ondemand_peer.
on_demand_check() {
  local a=$n b t0 now p server client secs=${ONDEMAND_SECONDS:-20}
  b=$(ip netns exec "$(ns_of "$a")" timeout 5 curl -fsS --max-time 2 http://127.0.0.1:8558/overlay/links \
    | python3 "$here/bench/ring_settled.py" --far "n$a" "$n" | sed 's/^n//')
  [ -n "$b" ] || fail "n$a has a link to every member: no multi-hop pair"
  ondemand_peer="n$b"
  p=$(link_path "$a" "n$b")
  log "== on-demand: iperf3 n$a -> n$b for ${secs}s (path before: ${p:-none})"
  case "$p" in ""|overlay*) ;; *) fail "n$a and n$b already have a $p link: not a multi-hop pair" ;; esac
  ip netns exec "$(ns_of "$b")" timeout $((secs + 30)) iperf3 -s -1 -B "10.77.0.$b" >"$work/iperf3-server.log" 2>&1 3>&- &
  server=$!
  sleep 1
  t0=$(date +%s.%N)
  ip netns exec "$(ns_of "$a")" timeout $((secs + 20)) iperf3 -c "10.77.0.$b" -t "$secs" --connect-timeout 5000 \
    >"$work/iperf3-client.log" 2>&1 3>&- &
  client=$!
  ondemand_s=never
  while kill -0 "$client" 2>/dev/null; do
    p=$(link_path "$a" "n$b")
    if [ "$p" = direct ]; then
      now=$(date +%s.%N); ondemand_s=$(python3 -c "print(f'{$now - $t0:.1f}')"); break
    fi
    sleep 0.2
  done
  wait "$client" || { tail -5 "$work/iperf3-client.log" >&3; fail "iperf3 n$a -> n$b failed (reset?); on-demand path after ${ondemand_s}s"; }
  wait "$server" 2>/dev/null || true
  ondemand_mbit=$(awk '/receiver/ { for (k = 1; k <= NF; k++) if ($k ~ /bits\/sec/) print ($k ~ /^G/ ? $(k - 1) * 1000 : $(k - 1)) }' \
    "$work/iperf3-client.log" | tail -1)
}
