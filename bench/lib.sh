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

# ensure_jar: builds $jar from the tree ($here) with Maven if it is not there.
ensure_jar() {
  [ -f "$jar" ] && return 0
  log "== no jar at $jar: building it (mvn -B -q -DskipTests package)"
  (cd "$here" && mvn -B -q -DskipTests package) || fail "maven build failed"
  [ -f "$jar" ] || fail "the build did not produce $jar (IPOP_JAR points elsewhere than target/ipop-node.jar?)"
}
