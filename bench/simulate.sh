#!/usr/bin/env bash
# N nodes' production topology and link setup in one JVM on virtual time, no sockets, no TAP, no root
# (io.ipop.sim.Simulation; bench/README.md, docs/performance.md). Compiles the test classes if needed.
# Progress goes to stderr; the last line of stdout is
#   nodes=N links_max=A links_mean=B hops_p50=C hops_p99=D converge_s=E ctl_msgs_per_node_s=F
#   bench/simulate.sh N [--churn P] [--seed S] [--restart-after S] [--join-delay S] [--death-delay S] ...
# SIM_JAVA_OPTS: JVM options (default -Xmx6g -XX:+UseParallelGC). The nodes run reference.conf's config with
# SIM_LINK on top (default: the structured overlay's keepalive, -Dipop.link.idle-keepalive=25s
# -Dipop.link.dead-after=60s; SIM_LINK= runs reference.conf's ping a second); more -Dipop.KEY=... in SIM_JAVA_OPTS.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
# the newest JDK 17+ for the build and the run, as bench/lib.sh pick_java (IPOP_JAVA_HOME or JAVA_HOME pins one)
JAVA_HOME=$(JAVA_HOME=${IPOP_JAVA_HOME:-${JAVA_HOME:-}} scripts/java-home)
export JAVA_HOME PATH="$JAVA_HOME/bin:$PATH"
echo "Java: $JAVA_HOME" >&2
cp_file=target/simulate.classpath
if [ ! -f target/test-classes/io/ipop/sim/Simulation.class ] || [ ! -f "$cp_file" ] \
    || [ -n "$(find src/main/java src/test/java/io/ipop/sim src/test/java/io/ipop/peer src/main/resources \
                 -newer target/test-classes/io/ipop/sim/Simulation.class -print -quit)" ]; then
  mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test >&2
fi
# shellcheck disable=SC2086
exec java ${SIM_JAVA_OPTS:--Xmx6g -XX:+UseParallelGC} ${SIM_LINK--Dipop.link.idle-keepalive=25s -Dipop.link.dead-after=60s} -cp "target/classes:target/test-classes:$(cat "$cp_file")" \
    io.ipop.sim.Simulation "$@"
