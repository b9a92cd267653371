# Peer VPNs for bench/throughput.sh --peers: wireguard-go and nebula, each as a pair of processes in the two
# namespaces of lib-pair.sh, over the same veth. Sourced after lib.sh and lib-pair.sh, not run; the same
# caller contract as lib-pair.sh. Inside MTU 1400 for both, as the ipop nodes' TAP, so iperf3's TCP
# segments have one size in every case.
#   wireguard  wireguard-go (userspace, Go) in each namespace, TUN ${prefix}wa / ${prefix}wb, 10.79.0.1-2/24,
#              UDP 51820, keys from wg genkey, configured with wg set
#   nebula     nebula in each namespace, TUN ${prefix}na / ${prefix}nb, 10.80.0.1-2/24 (from certificates of
#              a fresh nebula-cert CA), UDP 4242, static_host_map, no lighthouse, no punching, firewall open

# peer_tools_ensure: wireguard-go, wg, nebula, nebula-cert and socat on PATH; the missing Debian packages
# are installed with apt-get (no recommends: wireguard-tools would bring a kernel image); fails naming them
# if that is not possible.
peer_tools_ensure() {
  local pkgs=() left t
  command -v wireguard-go >/dev/null || pkgs+=(wireguard-go)
  command -v wg >/dev/null || pkgs+=(wireguard-tools)
  command -v nebula >/dev/null && command -v nebula-cert >/dev/null || pkgs+=(nebula)
  command -v socat >/dev/null || pkgs+=(socat)
  [ ${#pkgs[@]} -gt 0 ] || return 0
  command -v apt-get >/dev/null || fail "--peers needs ${pkgs[*]}: no apt-get here to install them; install them, or run without --peers"
  log "== --peers: installing ${pkgs[*]} (apt-get install --no-install-recommends)"
  if ! DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq --no-install-recommends "${pkgs[@]}" \
      >"$work/apt.log" 2>&1; then
    timeout 300 apt-get update -qq >>"$work/apt.log" 2>&1
    DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq --no-install-recommends "${pkgs[@]}" \
      >>"$work/apt.log" 2>&1 || { tail -5 "$work/apt.log" >&3; fail "--peers: apt-get could not install ${pkgs[*]} (log $work/apt.log); run without --peers"; }
  fi
  left=""
  for t in wireguard-go wg nebula nebula-cert socat; do command -v "$t" >/dev/null || left+=" $t"; done
  [ -z "$left" ] || fail "--peers: still missing after apt-get:$left"
}

# wait_link NS DEV: the device DEV exists in NS (waits up to 10 s; status 1 if it never does).
wait_link() {
  for _ in $(seq 100); do
    ip -n "$1" link show "$2" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  return 1
}

# peer_ping CASE IP: the tunnel carries a ping a -> IP within 10 s (the first one starts the handshake).
peer_ping() {
  for _ in $(seq 10); do
    in_ns "$ns_a" timeout 3 ping -c 1 -W 1 "$2" >/dev/null 2>&1 && return 0
  done
  for f in "$work/$1"-*.log; do log "--- $f"; tail -15 "$f" >&3; done
  fail "$1: no ping a -> $2 through the tunnel within 10 tries"
}

# wireguard_start: sets peer_a, peer_b (wireguard-go PIDs, also in node_pids).
wireguard_start() {
  local n dev key pub other ip port=51820
  case_name=wireguard
  log "== wireguard: wireguard-go $(wireguard-go --version 2>/dev/null | awk 'NR==1 {print $2}') in both namespaces"
  for n in a b; do
    (umask 077; wg genkey >"$work/wg-$n.key")
    wg pubkey <"$work/wg-$n.key" >"$work/wg-$n.pub"
  done
  # foreground (-f): $! is wireguard-go itself (ip execs it); its UAPI socket is /var/run/wireguard/DEV.sock
  ip netns exec "$ns_a" wireguard-go -f "${prefix}wa" >"$work/wireguard-a.log" 2>&1 3>&- &
  peer_a=$!; node_pids+=("$peer_a")
  ip netns exec "$ns_b" wireguard-go -f "${prefix}wb" >"$work/wireguard-b.log" 2>&1 3>&- &
  peer_b=$!; node_pids+=("$peer_b")
  for n in a b; do
    dev="${prefix}w$n"
    [ "$n" = a ] && { other=b; ip=1; } || { other=a; ip=2; }
    wait_link "$prefix-$n" "$dev" || { cat "$work/wireguard-$n.log" >&3; fail "wireguard-go made no device $dev in $prefix-$n"; }
    for _ in $(seq 50); do [ -S "/var/run/wireguard/$dev.sock" ] && break; sleep 0.1; done
    pub=$(cat "$work/wg-$other.pub")
    in_ns "$prefix-$n" wg set "$dev" listen-port "$port" private-key "$work/wg-$n.key" \
      peer "$pub" endpoint "192.0.2.$((3 - ip)):$port" allowed-ips "10.79.0.$((3 - ip))/32" \
      || fail "wg set $dev in $prefix-$n failed"
    ip -n "$prefix-$n" addr add "10.79.0.$ip/24" dev "$dev"
    ip -n "$prefix-$n" link set "$dev" mtu 1400 up
  done
  peer_ping wireguard 10.79.0.2
}

nebula_config() {  # nebula_config NAME PEER_OVERLAY_IP PEER_UNDERLAY_IP
  cat <<YAML
pki: { ca: "$work/nebula/ca.crt", cert: "$work/nebula/$1.crt", key: "$work/nebula/$1.key" }
static_host_map: { "$2": [ "$3:4242" ] }
lighthouse: { am_lighthouse: false, interval: 60, hosts: [] }
listen: { host: "0.0.0.0", port: 4242 }
punchy: { punch: false }
relay: { am_relay: false, use_relays: false }
tun: { disabled: false, dev: "${prefix}n$1", mtu: 1400 }
logging: { level: info, format: text }
firewall:
  conntrack: { tcp_timeout: 12m, udp_timeout: 3m, default_timeout: 10m }
  outbound: [ { port: any, proto: any, host: any } ]
  inbound: [ { port: any, proto: any, host: any } ]
YAML
}

# nebula_start: sets peer_a, peer_b (nebula PIDs, also in node_pids).
nebula_start() {
  local d="$work/nebula"
  case_name=nebula
  log "== nebula: nebula $(nebula -version 2>/dev/null | awk '{print $2}') in both namespaces"
  mkdir -p "$d"
  nebula-cert ca -name "ipop-bench" -out-crt "$d/ca.crt" -out-key "$d/ca.key" >"$work/nebula-cert.log" 2>&1 \
    || { cat "$work/nebula-cert.log" >&3; fail "nebula-cert ca failed"; }
  nebula-cert sign -ca-crt "$d/ca.crt" -ca-key "$d/ca.key" -name a -ip 10.80.0.1/24 -out-crt "$d/a.crt" -out-key "$d/a.key" \
    >>"$work/nebula-cert.log" 2>&1 || { cat "$work/nebula-cert.log" >&3; fail "nebula-cert sign a failed"; }
  nebula-cert sign -ca-crt "$d/ca.crt" -ca-key "$d/ca.key" -name b -ip 10.80.0.2/24 -out-crt "$d/b.crt" -out-key "$d/b.key" \
    >>"$work/nebula-cert.log" 2>&1 || { cat "$work/nebula-cert.log" >&3; fail "nebula-cert sign b failed"; }
  nebula_config a 10.80.0.2 192.0.2.2 >"$d/a.yml"
  nebula_config b 10.80.0.1 192.0.2.1 >"$d/b.yml"
  ip netns exec "$ns_a" nebula -config "$d/a.yml" >"$work/nebula-a.log" 2>&1 3>&- &
  peer_a=$!; node_pids+=("$peer_a")
  ip netns exec "$ns_b" nebula -config "$d/b.yml" >"$work/nebula-b.log" 2>&1 3>&- &
  peer_b=$!; node_pids+=("$peer_b")
  wait_link "$ns_a" "${prefix}na" && wait_link "$ns_b" "${prefix}nb" \
    || { tail -15 "$work"/nebula-?.log >&3; fail "nebula made no TUN device"; }
  peer_ping nebula 10.80.0.2
}

# peers_stop: SIGTERM to the pair started last (peer_a, peer_b).
peers_stop() {
  log "== $case_name: stopping (SIGTERM)"
  stop_pid "$peer_a"
  stop_pid "$peer_b"
  node_pids=()
}
