#!/usr/bin/env bash
# Builds target/ipop-node_<version>_all.deb from the shaded jar; `mvn package` runs it after the jar
# (exec-maven-plugin; -Dipop.deb.skip=true skips it). Usage: build-deb.sh JAR PROJECT_VERSION OUT_DIR
# Without dpkg-deb it says so and exits 0: the jar is still built (CI has dpkg-deb, and tests the package).
set -euo pipefail
jar=$1 version=$2 out=$3
if ! command -v dpkg-deb >/dev/null 2>&1; then
  echo "build-deb: dpkg-deb not found: no .deb built, only the jar (build on Debian/Ubuntu, where dpkg has it)" >&2
  exit 0
fi
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
[ -f "$jar" ] || { echo "build-deb: no jar at $jar" >&2; exit 1; }
# Maven's 0.1.0-SNAPSHOT is Debian's 0.1.0~SNAPSHOT (sorts before 0.1.0)
deb_version=${version//-/\~}
root="$out/deb-root"
deb="$out/ipop-node_${deb_version}_all.deb"
rm -rf "$root" "$out"/ipop-node_*_all.deb
umask 022

install -D -m 0755 "$here/ipop-node" "$root/usr/bin/ipop-node"
install -D -m 0644 "$jar" "$root/usr/share/ipop-node/ipop-node.jar"
install -D -m 0644 "$repo/conf/grafana/ipop-node.json" "$root/usr/share/ipop-node/grafana/ipop-node.json"
install -D -m 0644 "$here/a.conf" "$root/etc/ipop-node/a.conf"
install -D -m 0644 "$here/default" "$root/etc/default/ipop-node"
install -D -m 0644 "$here/ipop-node@.service" "$root/lib/systemd/system/ipop-node@.service"
for doc in README.md docs/configuration.md docs/operations.md docs/security.md docs/management.md; do
  install -D -m 0644 "$repo/$doc" "$root/usr/share/doc/ipop-node/$(basename "$doc")"
done
install -D -m 0644 "$here/copyright" "$root/usr/share/doc/ipop-node/copyright"
# bash completion, generated from the command definitions (picocli AutoComplete)
mkdir -p "$root/usr/share/bash-completion/completions"
java -jar "$jar" generate-completion >"$root/usr/share/bash-completion/completions/ipop-node"
chmod 0644 "$root/usr/share/bash-completion/completions/ipop-node"

mkdir -p "$root/DEBIAN"
install -m 0755 "$here/postinst" "$here/prerm" "$here/postrm" "$root/DEBIAN/"
printf '%s\n' /etc/ipop-node/a.conf /etc/default/ipop-node >"$root/DEBIAN/conffiles"
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat >"$root/DEBIAN/control" <<CONTROL
Package: ipop-node
Version: $deb_version
Architecture: all
Section: net
Priority: optional
Maintainer: ipop-node developers <ipop-node@localhost>
Installed-Size: $size
Depends: default-jre-headless (>= 2:1.17) | java17-runtime-headless | java21-runtime-headless, adduser
Recommends: bash-completion
Description: IP-over-P2P overlay VPN node
 ipop-node joins hosts into one Ethernet overlay: a TAP device inside, UDP
 peer links outside, DTLS on the links its group policy makes secure. The
 package installs the ipop-node command, a systemd unit ipop-node@NAME.service
 (one node per /etc/ipop-node/NAME.conf, CAP_NET_ADMIN instead of root), an
 example config, bash completion and a Grafana dashboard.
CONTROL
dpkg-deb --root-owner-group -Zgzip --build "$root" "$deb" >/dev/null
echo "build-deb: built $deb ($(du -h "$deb" | cut -f1))"
