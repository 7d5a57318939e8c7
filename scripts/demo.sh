#!/usr/bin/env bash
# The main job: set up, build, and run `strongroom demo` — two legacy local HSMs (PCIe 6.22.0
# PPSO, USB 5.4.7 pre-PPSO) migrated to a new PCIe 7.8.4 HSM (the guide's chapter 5), and a legacy
# network appliance (6.22.0) to a new one (7.8.4), both served by strongroomd on loopback
# (chapter 2), by the guide's slot-to-slot cloning procedure typed into srcm, then proved with
# in-device fingerprints. Extra arguments go to the demo (e.g. --transcript to see the srcm and
# srsh sessions, --keep DIR to keep the HSMs).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
cmake --preset release >/dev/null
cmake --build --preset release --target strongroom strongroomd srcm srsh strongroom_pkcs11
exec build/release/src/tools/strongroom demo "$@"
