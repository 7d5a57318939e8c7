#!/bin/sh
# Builds the shared p11bench tool (/work/shared/tools/p11bench) into the build directory and runs
# every one of its workloads against libstrongroom.so and SoftHSM2, each on a fresh temporary
# token, then prints ops/s side by side with the ratio Strongroom / SoftHSM2 (target: >= 1.5x).
# Usage: bench/run_p11bench.sh BUILD_DIR [--seconds S] [--threads T] [--objects N]
#   BUILD_DIR must hold a built strongroom_pkcs11 and strongroom (cmake --build BUILD_DIR
#   --target strongroom_pkcs11 strongroom). Defaults: 1 s per workload, 1 thread, 1000 objects.
set -eu
[ $# -ge 1 ] || { sed -n 2,8p "$0" >&2; exit 2; }
BUILD=$(cd "$1" && pwd)
shift
P11BENCH_SRC=${P11BENCH_SRC:-/work/shared/tools/p11bench}
SOFTHSM=${SOFTHSM_MODULE:-/usr/lib/softhsm/libsofthsm2.so}
MODULE=$BUILD/src/pkcs11/libstrongroom.so
STRONGROOM=$BUILD/src/tools/strongroom
SECONDS_PER=1
THREADS=1
OBJECTS=1000
while [ $# -gt 0 ]; do
  case $1 in
    --seconds) SECONDS_PER=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --objects) OBJECTS=$2; shift 2 ;;
    *) echo "run_p11bench.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
for f in "$MODULE" "$STRONGROOM" "$SOFTHSM"; do
  [ -e "$f" ] || { echo "run_p11bench.sh: $f not found (build it first)" >&2; exit 1; }
done

# The tool's build.sh builds next to itself, so it runs on a copy inside the build directory.
OUT=$BUILD/p11bench
mkdir -p "$OUT"
cp "$P11BENCH_SRC/build.sh" "$P11BENCH_SRC/p11bench.cpp" "$OUT/"
sh "$OUT/build.sh"

ROOT=$(mktemp -d "${TMPDIR:-/tmp}/sr-p11bench-$$-XXXXXX")
trap 'rm -rf "$ROOT"' EXIT
PIN=co-password-1
ARGS="--token-label bench --pin $PIN --seconds $SECONDS_PER --threads $THREADS --objects $OBJECTS"

export STRONGROOM_HOME="$ROOT/home"
"$STRONGROOM" factory new-device --home "$STRONGROOM_HOME" --form-factor pcie --firmware 7.8.4 \
  --auth password --serial 7501 --hsm-label bench-hsm --so-password so-password-1 \
  --partition bench --domain bench-domain --po-password po-password-1 --co-password $PIN \
  > /dev/null

mkdir -p "$ROOT/softhsm/tokens"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' \
  "$ROOT/softhsm/tokens" > "$ROOT/softhsm/softhsm2.conf"
export SOFTHSM2_CONF="$ROOT/softhsm/softhsm2.conf"
softhsm2-util --init-token --free --label bench --so-pin po-password-1 --pin $PIN > /dev/null

status=0
echo "== strongroom ($MODULE)"
# shellcheck disable=SC2086
"$OUT/p11bench" --module "$MODULE" $ARGS > "$ROOT/sr.txt" || status=1
cat "$ROOT/sr.txt"
echo "== softhsm2 ($SOFTHSM)"
# shellcheck disable=SC2086
"$OUT/p11bench" --module "$SOFTHSM" $ARGS > "$ROOT/shsm.txt" || status=1
cat "$ROOT/shsm.txt"

echo
echo "== ops/s, strongroom / softhsm2 (target >= 1.5x each; $THREADS thread(s), ${SECONDS_PER} s each)"
awk '
  /^#/ { next }
  FNR == NR { sr[$1] = ($3 ~ /^[0-9.]+$/) ? $3 : $2; order[++n] = $1; next }
  { sh[$1] = ($3 ~ /^[0-9.]+$/) ? $3 : $2 }
  END {
    printf "%-22s %14s %14s %8s\n", "workload", "strongroom", "softhsm2", "ratio"
    for (i = 1; i <= n; ++i) {
      w = order[i]; a = sr[w]; b = sh[w]
      r = (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0) ? sprintf("%.2fx", a / b) : "-"
      flag = (r != "-" && a / b < 1.5) ? "  below target" : ""
      printf "%-22s %14s %14s %8s%s\n", w, a, b, r, flag
    }
  }' "$ROOT/sr.txt" "$ROOT/shsm.txt"
exit $status
