# shellcheck shell=sh
# Shared set-up for the real-client tests, sourced by each *_test.sh: a private temporary
# client home holding one factory-made 7.x password device whose one partition is initialized
# and has a Crypto Officer. Every helper fails the test (exit 1) with a message on stderr.
# Callers set STRONGROOM (the strongroom binary), MODULE, TOOL (pkcs11-tool) and TEST_NAME before
# sourcing.
set -eu

TOKEN=clients            # partition name = token label of the initialized partition
SLOT=1                   # slot 0 is the device's admin slot, slot 1 its first partition
CO_PIN=co-password-1
SO_PIN=po-password-1
SERIAL=7301

ROOT=$(mktemp -d "${TMPDIR:-/tmp}/sr-${TEST_NAME}-$$-XXXXXX")
trap 'rm -rf "$ROOT"' EXIT
export STRONGROOM_HOME="$ROOT/home"

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# Runs a command, keeping its combined output in $ROOT/<name>.out; on a non-zero exit prints
# that output and fails. Usage: run <name> <command> [args...]
run() {
  name=$1
  shift
  if ! "$@" > "$ROOT/$name.out" 2>&1; then
    echo "--- output of: $*" >&2
    cat "$ROOT/$name.out" >&2
    fail "$name exited non-zero"
  fi
}

# Fails unless <name>'s output contains the fixed string. Usage: expect <name> <string>
expect() {
  if ! grep -qF -- "$2" "$ROOT/$1.out"; then
    echo "--- output of $1:" >&2
    cat "$ROOT/$1.out" >&2
    fail "$1: expected '$2'"
  fi
}

make_device() {
  run new-device "$STRONGROOM" factory new-device --home "$STRONGROOM_HOME" \
    --form-factor pcie --firmware 7.8.4 --auth password --serial "$SERIAL" \
    --hsm-label hsm7 --so-password so-password-1 --partition "$TOKEN" \
    --domain dom-1 --po-password "$SO_PIN" --co-password "$CO_PIN"
}

# pkcs11-tool on the partition's slot, logged in as the Crypto Officer (CKU_USER).
as_co() {
  "$TOOL" --module "$MODULE" --slot "$SLOT" --login --login-type user --pin "$CO_PIN" "$@"
}
