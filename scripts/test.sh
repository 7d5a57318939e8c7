#!/usr/bin/env bash
# Set up (packages), build (release preset) and run every test. This is the README's test
# command; .ci/run calls exactly this, then the same suite under ASan+UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-release}"
scripts/bootstrap.sh
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"
ctest --preset "$preset"
