#!/usr/bin/env bash
# A live three-node overlay on this machine: three network namespaces joined over veth to a bridge,
# one ipop-node in each. It creates an overlay CA and a certificate per node: a and b share group
# "blue" (their link runs DTLS), c is in "red" (plaintext with both) - selective security. Then ping
# between every pair over the overlay, a 5-second iperf3 over the secure link, the plaintext link and
# the bare veth for comparison, and node a's /overlay/links. Everything it creates is removed on exit,
# success or not. Prints "demo: ok" last if all of it worked. Needs root.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/bench/lib.sh"
jar="$here/target/ipop-node.jar"
prefix="ipd$$"
hub="$prefix-hub"
names=(a b c)
declare -A groups=([a]=blue [b]=blue [c]=red)
work=$(mktemp -d)
pids=()

say() { printf '\n== %s\n' "$*"; }
fail() { echo "demo: FAILED: $*" >&2; exit 1; }
log() { printf '%s\n' "$*"; }

[ "$(id -u)" = 0 ] || fail "run as root (it creates network namespaces and TAP devices)"

need=()
command -v ip >/dev/null || need+=(iproute2)
command -v iperf3 >/dev/null || need+=(iperf3)
command -v ping >/dev/null || need+=(iputils-ping)
command -v curl >/dev/null || need+=(curl)
if [ ${#need[@]} -gt 0 ]; then
  say "installing ${need[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
pick_java                 # the newest Java 17+ (bench/lib.sh), for the build and the nodes
if [ ! -f "$jar" ]; then
  say "building $jar"
  (cd "$here" && mvn -B -q -DskipTests package)
fi

cleanup() {
  set +e
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
  done
  for n in "${names[@]}"; do ip netns del "$prefix-$n" 2>/dev/null; done
  ip netns del "$hub" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

in_ns() { local n=$1; shift; ip netns exec "$prefix-$n" "$@"; }
mgmt() { in_ns "$1" curl -fsS --max-time 2 "http://127.0.0.1:8558$2"; }

say "namespaces: $hub (bridge) and ${names[*]/#/$prefix-}"
ip netns add "$hub"
ip -n "$hub" link add br0 type bridge
ip -n "$hub" link set br0 up
i=1
for n in "${names[@]}"; do
  ns="$prefix-$n"
  ip netns add "$ns"
  bridge_host "$hub" "$ns" "${prefix}${n}" "192.0.2.$i"
  i=$((i + 1))
done

say "overlay CA and node certificates in $work/pki (a, b: blue; c: red)"
java -jar "$jar" ca init --dir "$work/pki" >/dev/null
i=1
for n in "${names[@]}"; do
  java -jar "$jar" ca sign --dir "$work/pki" --name "$n" --ip "10.77.0.$i/24" --groups "${groups[$n]}" >/dev/null
  i=$((i + 1))
done

say "starting ipop-node in each namespace"
i=1
for n in "${names[@]}"; do
  peers=""
  j=1
  for m in "${names[@]}"; do
    [ "$m" = "$n" ] || peers+="{ name = \"$m\", endpoint = \"192.0.2.$j:5800\" }, "
    j=$((j + 1))
  done
  cat > "$work/$n.conf" <<CONF
ipop {
  node.name = "$n"
  tap { name = "ipop0", address = "10.77.0.$i/24", mtu = 1400 }
  underlay { bind = "0.0.0.0", port = 5800 }
  peers = [ ${peers%, } ]
  groups = [ "${groups[$n]}" ]
  security { mode = by-group, ca = "$work/pki/ca.crt", cert = "$work/pki/$n.crt", key = "$work/pki/$n.key" }
}
CONF
  ip netns exec "$prefix-$n" java -jar "$jar" --config "$work/$n.conf" > "$work/$n.log" 2>&1 &
  pids+=($!)
  i=$((i + 1))
done

show_logs() { for n in "${names[@]}"; do echo "--- log of $n"; tail -20 "$work/$n.log"; done; }

for n in "${names[@]}"; do
  ok=""
  for _ in $(seq 120); do
    if mgmt "$n" /ready >/dev/null 2>&1; then ok=1; break; fi
    sleep 0.5
  done
  [ -n "$ok" ] || { show_logs; fail "node $n did not become ready within 60 s"; }
done
echo "all nodes ready"

for n in "${names[@]}"; do
  ok=""
  for _ in $(seq 60); do
    up=$(mgmt "$n" /overlay/links | grep -c '"state" : "up"' || true)
    if [ "$up" = 2 ]; then ok=1; break; fi
    sleep 0.5
  done
  [ -n "$ok" ] || { show_logs; fail "node $n has not both links up after 30 s"; }
done
echo "every node has 2 links up"

say "link security as each node sees it"
for n in "${names[@]}"; do
  mgmt "$n" /overlay/links | tr -d ' \n' | grep -o '"peer":"[a-z]*"\|"secure":[a-z]*\|"secure_reason":"[^"]*"\|"cipher_suite":"[^"]*"' \
    | paste -sd' ' | sed "s/\"peer\"/\n  $n ->/g; s/\"//g" | grep -v '^$'
done
sec_ab=$(mgmt a /overlay/links | tr -d ' \n' | grep -o '"peer":"b"[^}]*' | grep -o '"secure":[a-z]*')
sec_ac=$(mgmt a /overlay/links | tr -d ' \n' | grep -o '"peer":"c"[^}]*' | grep -o '"secure":[a-z]*')
[ "$sec_ab" = '"secure":true' ] || fail "a-b should be secure (shared group blue), got $sec_ab"
[ "$sec_ac" = '"secure":false' ] || fail "a-c should be plaintext (no common group), got $sec_ac"

say "ping between every pair over the overlay"
i=1
for n in "${names[@]}"; do
  j=1
  for m in "${names[@]}"; do
    if [ "$n" != "$m" ]; then
      out=$(in_ns "$n" ping -c 3 -i 0.2 -W 2 "10.77.0.$j") || { echo "$out"; fail "ping $n -> $m failed"; }
      echo "$n -> $m (10.77.0.$j): $(echo "$out" | grep -E 'packets transmitted|rtt')" | tr '\n' ' '
      echo
    fi
    j=$((j + 1))
  done
  i=$((i + 1))
done

iperf() {
  local server=$1 server_ip=$2 label=$3
  in_ns "$server" timeout 20 iperf3 -s -1 -B "$server_ip" > "$work/iperf-server.log" 2>&1 &
  local spid=$!
  sleep 0.5
  local out
  out=$(in_ns a timeout 20 iperf3 -c "$server_ip" -t 5 -f m) || { kill "$spid" 2>/dev/null; echo "$out"; fail "iperf3 $label failed"; }
  wait "$spid" 2>/dev/null || true
  local rate
  rate=$(echo "$out" | awk '/receiver/ {print $(NF-2), $(NF-1)}')
  echo "$label a -> $server: $rate"
}
say "iperf3, 5 s, TCP"
iperf b 10.77.0.2 "overlay, secure link (DTLS)  "
iperf c 10.77.0.3 "overlay, plaintext link       "
iperf b 192.0.2.2 "direct veth (no overlay)      "

say "GET /overlay/links on node a"
mgmt a /overlay/links

echo
echo "demo: ok"
