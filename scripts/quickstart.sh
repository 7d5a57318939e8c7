#!/usr/bin/env bash
# Set up, build, and make a ready legacy PCIe HSM (firmware 6.22.0, password auth) with one
# initialized partition in a temporary client home, then show what was made.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
cmake --preset release >/dev/null
cmake --build --preset release --target strongroom
base="$(mktemp -d /tmp/strongroom-quickstart.XXXXXX)"
home="$base/home"   # the client host; the manufacturer folder goes beside it ($base/factory)
build/release/src/tools/strongroom factory new-device --home "$home" \
  --form-factor pcie --firmware 6.22.0 --auth password \
  --hsm-label legacy-pcie --so-password 'sopin-1234' \
  --partition legacy-par --domain 'migration-domain' --po-password 'popin-1234' \
  --co-password 'copin-1234'
echo
echo "The device folder (store.db is the sealed SQLite store; master.key stands in for the"
echo "hardware's battery-backed key; identity.pem chains to $base/factory/root.pem):"
ls -l "$home/devices"/*
echo
echo "Everything is in $base; remove it when done."
