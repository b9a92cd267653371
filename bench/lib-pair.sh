# Shell helpers for the two-namespace benchmarks (bench/throughput.sh, bench/udp.sh); sourced after lib.sh,
# not run. Two namespaces $ns_a, $ns_b joined by one veth pair (underlay 192.0.2.1/24 - 192.0.2.2/24, eth0
# in both), two ipop nodes on it (overlay 10.77.0.1/24 - 10.77.0.2/24), an iperf3 server in $ns_b.
# The caller defines log, fail, $prefix, $ns_a, $ns_b, $work, $jar, $java_opts, the array node_pids (every
# process it must stop on exit) and $server_pid, and calls pair_cleanup from its EXIT trap.

in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
mgmt() { in_ns "$1" timeout 5 curl -fsS --max-time 2 "http://127.0.0.1:8558$2"; }

# pair_cleanup: stops the iperf3 server and every process in node_pids (by PID), deletes both namespaces.
pair_cleanup() {
  local pid
  if [ -n "$server_pid" ]; then stop_pid "$server_pid"; fi
  for pid in "${node_pids[@]}"; do stop_pid "$pid"; done
  ip netns del "$ns_a" 2>/dev/null
  ip netns del "$ns_b" 2>/dev/null
}

# pair_underlay [RATE]: the two namespaces and the veth pair, optionally shaped with tc tbf at RATE.
pair_underlay() {
  local rate=${1:-} i=1 ns side
  log "== namespaces $ns_a, $ns_b over one veth pair${rate:+, shaped with tbf rate $rate}"
  ip netns add "$ns_a"
  ip netns add "$ns_b"
  ip link add "${prefix}a" type veth peer name "${prefix}b"
  ip link set "${prefix}a" netns "$ns_a"
  ip link set "${prefix}b" netns "$ns_b"
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
}

# pair_pki: an overlay CA in $work/pki and certificates for a (10.77.0.1/24) and b (10.77.0.2/24), group blue.
pair_pki() {
  local n ip
  log "== overlay CA and certificates for a (10.77.0.1/24) and b (10.77.0.2/24), group blue"
  pki="$work/pki"
  timeout 60 java -jar "$jar" ca init --dir "$pki" >"$work/ca.log" 2>&1 || { cat "$work/ca.log" >&3; fail "ca init failed"; }
  for n in a b; do
    [ "$n" = a ] && ip=10.77.0.1/24 || ip=10.77.0.2/24
    timeout 60 java -jar "$jar" ca sign --dir "$pki" --name "$n" --ip "$ip" --groups blue >>"$work/ca.log" 2>&1 \
      || { cat "$work/ca.log" >&3; fail "ca sign $n failed"; }
  done
}

node_log_tail() {
  local n
  for n in a b; do
    if [ -f "$work/$case_name-$n.log" ]; then log "--- last lines of node $n ($work/$case_name-$n.log)"; tail -25 "$work/$case_name-$n.log" >&3; fi
  done
}

# wait_server_listening PROTO: the iperf3 server ($server_pid) in $ns_b listens on port 5201 (PROTO t or u).
wait_server_listening() {
  for _ in $(seq 100); do
    if in_ns "$ns_b" ss -Hl"${1:-t}"n "sport = :5201" 2>/dev/null | grep -q .; then return 0; fi
    kill -0 "$server_pid" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}

# iperf_server IP TAG LIMIT: a one-shot iperf3 server in $ns_b on IP:5201 (sets server_pid), listening.
iperf_server() {
  # a simple command, not a function, so that $! is the process itself (ip execs timeout)
  ip netns exec "$ns_b" timeout "$3" iperf3 -s -1 -B "$1" -p 5201 >"$work/$2-server.log" 2>&1 3>&- &
  server_pid=$!
  wait_server_listening t || { cat "$work/$2-server.log" >&3; fail "iperf3 server on $1 did not start listening"; }
}

# iperf_server_done: waits for the one-shot server to exit by itself (up to 5 s), then stops it.
iperf_server_done() {
  for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
  stop_pid "$server_pid"
  server_pid=""
}

firewall_config() {  # 20 rules, default deny: 19 that iperf3 never matches, then TCP 5201; ICMP first for ping
  local i
  echo "firewall { default = deny, inbound = ["
  echo "  { proto = icmp }"
  for i in $(seq 1 18); do echo "  { proto = tcp, port = $((1000 + i)), groups = [ \"ops$i\" ] }"; done
  echo "  { proto = tcp, port = 5201 }"
  echo "] }"
}

# security_config NAME MODE: the security block of node NAME (certificate $pki/NAME.crt unless MODE is never).
security_config() {
  if [ "$2" = never ]; then
    echo "security { mode = never }"
  else
    echo "security { mode = $2, ca = \"$pki/ca.crt\", cert = \"$pki/$1.crt\", key = \"$pki/$1.key\" }"
  fi
}

node_config() {  # node_config NAME IP PEER PEER_IP MODE [fw]
  local n=$1 ip=$2 peer=$3 peer_ip=$4 mode=$5 fw=${6:-} security
  security=$(security_config "$n" "$mode")
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

# pair_start CASE MODE [fw]: nodes a and b (security.mode MODE) started, ready, their link up and, unless
# MODE is never, secure; sets pair_a, pair_b (their PIDs, also in node_pids) and case_name.
pair_start() {
  local c=$1 mode=$2 fw=${3:-} n ns pid ok sec st deadline peer
  case_name=$c
  node_config a 10.77.0.1 b 192.0.2.2 "$mode" "$fw" >"$work/$c-a.conf"
  node_config b 10.77.0.2 a 192.0.2.1 "$mode" "$fw" >"$work/$c-b.conf"
  log "== $c: starting nodes (security.mode = $mode)"
  # shellcheck disable=SC2086  # IPOP_JAVA_OPTS is a list of options
  ip netns exec "$ns_a" java $java_opts -jar "$jar" --config "$work/$c-a.conf" >"$work/$c-a.log" 2>&1 3>&- &
  pair_a=$!; node_pids+=("$pair_a")
  # shellcheck disable=SC2086
  ip netns exec "$ns_b" java $java_opts -jar "$jar" --config "$work/$c-b.conf" >"$work/$c-b.log" 2>&1 3>&- &
  pair_b=$!; node_pids+=("$pair_b")

  for n in a b; do
    ns="$prefix-$n"; [ "$n" = a ] && pid=$pair_a || pid=$pair_b
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
}

# pair_stop: snapshots of /overlay/links and /overlay/dataplane into $work, SIGTERM to both nodes (a status
# other than 0 is reported), and a note for WARN/ERROR lines in their logs.
pair_stop() {
  local n pid st
  for n in a b; do
    mgmt "$prefix-$n" /overlay/links >"$work/$case_name-$n-links.json" 2>/dev/null || true
    mgmt "$prefix-$n" /overlay/dataplane >"$work/$case_name-$n-dataplane.json" 2>/dev/null || true
  done
  log "== $case_name: stopping nodes (SIGTERM)"
  for pid in "$pair_a" "$pair_b"; do
    stop_pid "$pid"
    [ "$stop_status" = 0 ] || log "   warning: node pid $pid exited with status $stop_status after SIGTERM (expected 0)"
  done
  node_pids=()
  for n in a b; do
    # lines at WARN/ERROR level in the node logs are worth a look (the peer's shutdown is expected)
    st=$(grep -E '\b(WARN|ERROR)\b|Exception' "$work/$case_name-$n.log" | grep -cv 'peer closed the link: node shutting down' || true)
    [ "$st" = 0 ] || log "   note: node $n log has $st WARN/ERROR/Exception lines ($work/$case_name-$n.log)"
  done
}

# peak_rss_mb PID: peak resident memory (VmHWM) of a running process, MB ("?" if it is gone).
peak_rss_mb() { awk '/^VmHWM:/ {printf "%d", $2 / 1024}' "/proc/$1/status" 2>/dev/null || echo "?"; }
