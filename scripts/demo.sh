#!/usr/bin/env bash
# The main job: set up, build, and run `strongroom demo` — two legacy HSMs (PCIe 6.22.0 PPSO,
# USB 5.4.7 pre-PPSO) migrated to a new PCIe 7.8.4 HSM by the guide's slot-to-slot cloning
# procedure typed into srcm, then proved with in-device fingerprints. Extra arguments go to the
# demo (e.g. --transcript to see the srcm session, --keep DIR to keep the HSMs).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
cmake --preset release >/dev/null
cmake --build --preset release --target strongroom srcm strongroom_pkcs11
exec build/release/src/tools/strongroom demo "$@"
