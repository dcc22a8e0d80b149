#!/bin/sh
# Installs every Debian 12 package libdom0c's build, tests and lab need.
set -e
pkgs="build-essential pkg-config libxen-dev libyajl-dev libnuma-dev
      libcmocka-dev python3 patch dpkg-dev"
if [ -f tests/e2e/host-packages.txt ]; then
    pkgs="$pkgs $(grep -v '^#' tests/e2e/host-packages.txt | tr '\n' ' ')"
fi
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" \
        || missing="$missing $p"
done
if [ -z "$missing" ]; then
    echo "deps: all installed"
    exit 0
fi
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
echo "deps: installing$missing"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
