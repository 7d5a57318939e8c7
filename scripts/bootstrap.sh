#!/usr/bin/env bash
# Installs every Debian 12 package that building and testing Strongroom needs. Idempotent: does
# nothing when all are present. Needs root (or sudo) only when something is missing.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git python3 lld
  libssl-dev libsqlite3-dev sqlite3
  libtomlplusplus-dev libfmt-dev libspdlog-dev libcli11-dev nlohmann-json3-dev libreadline-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libp11-kit-dev
  libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc
  softhsm2 opensc gnutls-bin libengine-pkcs11-openssl openssl
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "bootstrap: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
