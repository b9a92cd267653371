#!/usr/bin/env bash
# CPU one forged or replayed link-setup hello costs the node that checks it (docs/security.md,
# "Attacks and defences: link setup"): a timed loop over HelloCheck on one thread, no network.
# Compiles the test classes if needed; prints one line per case, cpu_us_per_hello.
#   bench/forged-hello.sh [HELLOS_PER_CASE]      (default 2000)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
# the newest JDK 17+ for the build and the run, as bench/lib.sh pick_java (IPOP_JAVA_HOME or JAVA_HOME pins one)
JAVA_HOME=$(JAVA_HOME=${IPOP_JAVA_HOME:-${JAVA_HOME:-}} scripts/java-home)
export JAVA_HOME PATH="$JAVA_HOME/bin:$PATH"
echo "Java: $JAVA_HOME" >&2
cp_file=target/forged-hello.classpath
if [ ! -d target/test-classes ] || [ ! -f "$cp_file" ]; then
  mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test >&2
fi
exec java -cp "target/classes:target/test-classes:$(cat "$cp_file")" io.ipop.peer.ForgedHelloCost "${1:-2000}"
