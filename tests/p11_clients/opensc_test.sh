#!/bin/sh
# OpenSC's pkcs11-tool against libstrongroom.so: lists slots and mechanisms, generates an RSA
# and an EC key pair as the Crypto Officer (CKU_USER), and its self-test (--test) passes.
# Usage: opensc_test.sh <strongroom> <libstrongroom.so> <pkcs11-tool>
STRONGROOM=$1
MODULE=$2
TOOL=$3
TEST_NAME=opensc
# shellcheck source=tests/p11_clients/lib.sh
. "$(dirname "$0")/lib.sh"
make_device

run list "$TOOL" --module "$MODULE" -L
expect list "token label        : $TOKEN"
expect list "serial num         : ${SERIAL}001"
expect list "token initialized"

run mechs "$TOOL" --module "$MODULE" --slot "$SLOT" --list-mechanisms
for m in RSA-PKCS-KEY-PAIR-GEN SHA256-RSA-PKCS ECDSA-KEY-PAIR-GEN ECDSA-SHA256 AES-KEY-GEN; do
  expect mechs "$m"
done

run rsagen as_co --keypairgen --key-type rsa:2048 --id 01 --label rsa1
run ecgen as_co --keypairgen --key-type EC:prime256v1 --id 02 --label ec1

run objects as_co --list-objects
expect objects "label:      rsa1"
expect objects "label:      ec1"

run selftest as_co --test
cat "$ROOT/selftest.out"
expect selftest "signature functions seem to work"
tail -n 1 "$ROOT/selftest.out" | grep -q "^No errors" || fail "--test did not end with 'No errors'"

# A wrong PIN must be refused: the test can tell a failing login from a passing one.
if "$TOOL" --module "$MODULE" --slot "$SLOT" --login --pin wrong-pin-1 --list-objects \
    > "$ROOT/wrongpin.out" 2>&1; then
  fail "login with a wrong PIN succeeded"
fi
expect wrongpin "CKR_PIN_INCORRECT"
echo "opensc: all checks passed"
