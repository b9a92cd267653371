# Shell helpers shared by bench/*.sh and scripts/demo.sh; sourced, not run. The caller defines log() (and fail() for require_tools, ensure_jar).

# SIGTERM, up to 10 s, then SIGKILL; sets stop_status to the exit status (call it in the shell that
# started the process, not in a subshell: it must wait for its child).
stop_status=0
stop_pid() {
  local pid=$1
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    log "   pid $pid did not exit 10 s after SIGTERM: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  stop_status=0
  wait "$pid" 2>/dev/null || stop_status=$?
}

# utime+stime of a process (all its threads), in seconds.
clk_tck=$(getconf CLK_TCK)
cpu_seconds() {
  python3 - "$1" "$clk_tck" <<'PY'
import sys
pid, tck = sys.argv[1], int(sys.argv[2])
with open(f"/proc/{pid}/stat") as f:
    fields = f.read().rsplit(")", 1)[1].split()
# after "pid (comm)": fields[0] is state (field 3), utime is field 14, stime field 15
print((int(fields[11]) + int(fields[12])) / tck)
PY
}

# bridge_host HUB NS VETH IP: namespace NS (already added) gets eth0 with IP/24 on bridge br0 of
# namespace HUB, over the veth pair VETH0 (moved into NS, renamed eth0) / VETH1 (on the bridge).
bridge_host() {
  local hub=$1 ns=$2 veth=$3 ip=$4
  ip link add "${veth}0" type veth peer name "${veth}1"
  ip link set "${veth}0" netns "$ns"
  ip link set "${veth}1" netns "$hub"
  ip -n "$ns" link set "${veth}0" name eth0
  ip -n "$ns" addr add "$ip/24" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" link set lo up
  ip -n "$hub" link set "${veth}1" master br0 up
}

# finish_work NAME RC FAILED: removes the work directory $work after a clean run, keeps and names it
# after a failure (or with BENCH_KEEP=1).
finish_work() {
  [ -n "$work" ] && [ -d "$work" ] || return 0
  if [ "$3" = 1 ] || [ "$2" != 0 ]; then
    log "$1: work directory kept: $work"
  elif [ "${BENCH_KEEP:-0}" != 1 ]; then
    rm -rf "$work"
  fi
}

# require_tools HINT TOOL...: fails (the caller's fail) naming the tools not on PATH; HINT says how to
# install them.
require_tools() {
  local hint=$1 tool missing=()
  shift
  for tool in "$@"; do
    command -v "$tool" >/dev/null || missing+=("$tool")
  done
  [ ${#missing[@]} -eq 0 ] || fail "missing tools: ${missing[*]}${hint:+ ($hint)}"
}

# pick_java: the Java this script's nodes and ca commands run on: IPOP_JAVA_HOME, else JAVA_HOME, else the newest
# Java 17+ installed (scripts/java-home --runtime; a newer JDK runs the node faster: docs/performance.md, "The JDK").
# Exports it as JAVA_HOME and puts its bin first on PATH, so `java` (also under `ip netns exec`), `jcmd` and
# ensure_jar's Maven are all that one; sets java_version (e.g. "25.0.3+9-LTS, Eclipse Adoptium") for the table
# header. Call it before require_tools, ensure_jar and build_cds_archive: a class-data archive works only with the
# java that wrote it.
java_version=""
pick_java() {
  local home
  home=$(JAVA_HOME=${IPOP_JAVA_HOME:-${JAVA_HOME:-}} "$here/scripts/java-home" --runtime) \
    || fail "no Java 17+ runtime to run the nodes on (IPOP_JAVA_HOME, JAVA_HOME, /usr/lib/jvm, PATH)"
  export JAVA_HOME=$home
  export PATH="$home/bin:$PATH"
  java_version=$(java -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.runtime\.version = //p; s/^ *java\.vendor = //p' | paste -sd, | sed 's/,/, /')
  log "== Java: $java_version ($home)"
}

# ensure_jar: builds $jar from the tree ($here) with Maven if it is not there.
ensure_jar() {
  [ -f "$jar" ] && return 0
  log "== no jar at $jar: building it (mvn -B -q -DskipTests package)"
  (cd "$here" && mvn -B -q -DskipTests package) || fail "maven build failed"
  [ -f "$jar" ] || fail "the build did not produce $jar (IPOP_JAR points elsewhere than target/ipop-node.jar?)"
}

# ---- cluster overlays (bench/scale.sh, bench/churn.sh); the caller defines ns_of I (namespace of node I),
# $hub, $prefix, the array namespaces, $java_opts and $jar.

# hub_with_hosts N: the hub namespace with bridge br0, and N namespaces (ns_of 1..N) with eth0 at 192.0.2.I/24
# on it; each is added to namespaces as soon as it exists, so the caller's cleanup removes it.
hub_with_hosts() {
  local i ns
  log "== $1 namespaces on one bridge ($prefix-*)"
  neigh_room "$1"
  ip netns add "$hub"; namespaces+=("$hub")
  ip -n "$hub" link add br0 type bridge
  ip -n "$hub" link set br0 up
  for i in $(seq "$1"); do
    ns=$(ns_of "$i")
    ip netns add "$ns"; namespaces+=("$ns")
    bridge_host "$hub" "$ns" "${prefix}v$i" "192.0.2.$i"
  done
}

# stop_nodes PID...: SIGTERM to all at once (cluster members leave in parallel), then waits for each, and
# stops the class-data archive's node if one is left; then deletes the namespaces.
stop_nodes() {
  local pid ns
  for pid in "$@"; do kill -TERM "$pid" 2>/dev/null; done
  for pid in "$@"; do stop_pid "$pid"; done
  [ -n "$cds_pid" ] && stop_pid "$cds_pid"
  for ns in "${namespaces[@]}"; do ip netns del "$ns" 2>/dev/null; done
  neigh_room_restore
}

# neigh_room N: room in the kernel's neighbour (ARP) table for N hosts that each talk to every other on the
# underlay and the overlay. Linux keeps one ARP table for all network namespaces, and its limit
# (net.ipv4.neigh.default.gc_thresh3, 1024 by default) counts every namespace's entries together: 32 nodes on
# one bridge hold 32*31 = 992 underlay entries before one ping crosses the overlay, and then the kernel refuses
# new ones ("neighbor table overflow": a ping gets "No route to host" without sending one ARP request). On real
# hosts each node has its own table. Raises gc_thresh3 (and gc_thresh2) to 2*N*N + 512 while the run lasts if
# they are lower, never lowers them; stop_nodes puts the old values back.
neigh_saved=""
neigh_room() {
  local want=$((2 * $1 * $1 + 512)) t2 t3
  t3=$(sysctl -n net.ipv4.neigh.default.gc_thresh3)
  t2=$(sysctl -n net.ipv4.neigh.default.gc_thresh2)
  [ "$t3" -lt "$want" ] || return 0
  neigh_saved="$t2 $t3"
  log "== kernel neighbour table limit (shared by all namespaces) raised for this run: gc_thresh3 $t3 -> $want"
  sysctl -qw net.ipv4.neigh.default.gc_thresh3="$want" net.ipv4.neigh.default.gc_thresh2="$((want / 2 > t2 ? want / 2 : t2))"
}
neigh_room_restore() {
  [ -n "$neigh_saved" ] || return 0
  set -- $neigh_saved
  sysctl -qw net.ipv4.neigh.default.gc_thresh2="$1" net.ipv4.neigh.default.gc_thresh3="$2"
  neigh_saved=""
}

# links_up I: number of links in state up on node I (0 if it does not answer).
links_up() {
  ip netns exec "$(ns_of "$1")" timeout 5 curl -fsS --max-time 2 http://127.0.0.1:8558/overlay/links 2>/dev/null \
    | python3 -c 'import json,sys
try:
    print(sum(1 for l in json.load(sys.stdin) if l.get("state") == "up"))
except Exception:
    print(0)'
}

# link_up I PEER: node I shows its link to PEER up.
link_up() {
  ip netns exec "$(ns_of "$1")" timeout 5 curl -fsS --max-time 2 http://127.0.0.1:8558/overlay/links 2>/dev/null \
    | python3 -c 'import json,sys
try:
    sys.exit(0 if any(l.get("peer") == sys.argv[1] and l.get("state") == "up" for l in json.load(sys.stdin)) else 1)
except Exception:
    sys.exit(1)' "$2"
}

# node_ready NS: the node in namespace NS answers /ready.
node_ready() { ip netns exec "$1" timeout 5 curl -fsS --max-time 2 http://127.0.0.1:8558/ready >/dev/null 2>&1; }

# rss_mb PID: resident memory in MB.
rss_mb() { awk '/^VmRSS:/ { printf "%.1f\n", $2 / 1024 }' "/proc/$1/status"; }

# cluster_node_config FILE I SEEDS: node nI, underlay 192.0.2.I, overlay 10.77.0.I/24, cluster discovery only,
# SEEDS a HOCON list body of seed node addresses.
cluster_node_config() {
  cat >"$1" <<CONF
ipop {
  node.name = "n$2"
  tap { name = "ipop0", address = "10.77.0.$2/24" }
  discovery { static = false, cluster = true }
  log.level = ${BENCH_LOG_LEVEL:-WARN}
}
pekko.remote.artery.canonical.hostname = "192.0.2.$2"
pekko.cluster.seed-nodes = [ $3 ]
CONF
}

cds_pid=""
# build_cds_archive NS CONF: a class-data archive (AppCDS) of a node that ran once in NS with CONF until it
# was an Up member: every node then maps the classes instead of loading and verifying them, about 40% less
# CPU to start (docs/performance.md). Appends the options that use it to $java_opts. BENCH_CDS=0 skips it.
build_cds_archive() {
  [ "${BENCH_CDS:-${SCALE_CDS:-1}}" = 1 ] || return 0
  log "== class-data archive: one node runs alone until it is an Up member, then stops"
  local pid
  # shellcheck disable=SC2086
  ip netns exec "$1" java $java_opts -XX:ArchiveClassesAtExit="$work/ipop.jsa" -Xlog:cds=off \
    -jar "$jar" --config "$2" >"$work/cds.log" 2>&1 3>&- &
  pid=$!
  cds_pid=$pid                     # the caller's cleanup stops it if this fails half way
  for _ in $(seq 120); do
    ip netns exec "$1" timeout 5 curl -fsS --max-time 2 http://127.0.0.1:8558/cluster/members 2>/dev/null \
      | grep -q '"Up"' && break
    sleep 0.5
  done
  kill -TERM "$pid"
  for _ in $(seq 600); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done   # writing the archive takes a while
  stop_pid "$pid"
  cds_pid=""
  [ -s "$work/ipop.jsa" ] || { tail -20 "$work/cds.log" >&3; fail "no class-data archive written"; }
  java_opts="$java_opts -XX:SharedArchiveFile=$work/ipop.jsa -Xlog:cds=off -Xlog:class+path=off"
}

# topology_links I: node I's links in state up, on-demand links, retiring ones and overlay sessions left out.
topology_links() {
  ip netns exec "$(ns_of "$1")" timeout 5 curl -fsS --max-time 2 http://127.0.0.1:8558/overlay/links 2>/dev/null \
    | python3 -c 'import json,sys
try:
    print(sum(1 for l in json.load(sys.stdin) if l.get("state") == "up" and l.get("topology") not in ("on-demand", "retiring")
              and not (l.get("path") or "").startswith("overlay")))
except Exception:
    print(0)'
}
