#!/bin/sh
# A real client against libstrongroom.so: OpenSC's pkcs11-tool lists the slots, generates an
# RSA and an EC key pair and an AES key, and runs its self-test (--test) as the Crypto Officer.
# Usage: pkcs11_tool_test.sh <strongroom binary> <libstrongroom.so> <pkcs11-tool>
set -eu
STRONGROOM=$1
MODULE=$2
TOOL=$3
ROOT=$(mktemp -d "${TMPDIR:-/tmp}/sr-p11tool-$$-XXXXXX")
trap 'rm -rf "$ROOT"' EXIT
export STRONGROOM_HOME="$ROOT/home"
"$STRONGROOM" factory new-device --home "$STRONGROOM_HOME" --form-factor pcie --firmware 7.8.4 \
  --auth password --serial 4242 --hsm-label hsm --so-password so-password-1 --partition p1 \
  --domain dom-1 --po-password po-password-1 --co-password co-password-1 > /dev/null
"$TOOL" --module "$MODULE" -L > "$ROOT/list.txt"
grep -q "token label        : p1" "$ROOT/list.txt"
grep -q "serial num         : 4242001" "$ROOT/list.txt"
P="--module $MODULE --slot 1 --login --pin co-password-1"
# shellcheck disable=SC2086
"$TOOL" $P --keypairgen --key-type rsa:2048 --id 01 --label rsa1 > /dev/null
# shellcheck disable=SC2086
"$TOOL" $P --keypairgen --key-type EC:prime256v1 --id 02 --label ec1 > /dev/null
# shellcheck disable=SC2086
"$TOOL" $P --keygen --key-type AES:32 --id 03 --label aes1 > /dev/null
# shellcheck disable=SC2086
"$TOOL" $P --test > "$ROOT/test.txt" 2>&1 || { cat "$ROOT/test.txt"; exit 1; }
cat "$ROOT/test.txt"
grep -q "all 4 signature functions seem to work" "$ROOT/test.txt"
tail -n 1 "$ROOT/test.txt" | grep -q "^No errors"
echo hello > "$ROOT/msg"
# shellcheck disable=SC2086
"$TOOL" $P --sign --id 02 -m ECDSA-SHA256 -i "$ROOT/msg" -o "$ROOT/sig" > /dev/null 2>&1
# shellcheck disable=SC2086
"$TOOL" $P --verify --id 02 -m ECDSA-SHA256 -i "$ROOT/msg" --signature-file "$ROOT/sig" 2>&1 |
  grep -q "Signature is valid"
echo "pkcs11-tool: all checks passed"
