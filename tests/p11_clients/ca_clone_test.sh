#!/bin/sh
# The dlsym-only C program (ca_clone_program.c) clones every object of one partition to a
# partition of a second device through CA_CloneObject: the target then holds as many objects as
# the source; a second run skips them all and duplicates nothing.
# Usage: ca_clone_test.sh <strongroom> <libstrongroom.so> <pkcs11-tool> <ca_clone_program>
STRONGROOM=$1
MODULE=$2
TOOL=$3
PROGRAM=$4
TEST_NAME=ca_clone
# shellcheck source=tests/p11_clients/lib.sh
. "$(dirname "$0")/lib.sh"
make_device
# A second device of the same factory (so the two trust each other) and cloning domain. Slots:
# 0 and 1 are the first device's admin slot and partition, 2 and 3 the second device's.
run new-target "$STRONGROOM" factory new-device --home "$STRONGROOM_HOME" \
  --form-factor pcie --firmware 7.8.4 --auth password --serial 7302 \
  --hsm-label hsm7b --so-password so-password-1 --partition target \
  --domain dom-1 --po-password "$SO_PIN" --co-password "$CO_PIN"
TARGET_SLOT=3

run rsagen as_co --keypairgen --key-type rsa:2048 --id 01 --label rsa1
run ecgen as_co --keypairgen --key-type EC:prime256v1 --id 02 --label ec1
run aesgen as_co --keygen --key-type AES:32 --id 03 --label aes1
printf 'a data object' > "$ROOT/data.bin"
run datawrite as_co --write-object "$ROOT/data.bin" --type data --label data1

run first "$PROGRAM" "$MODULE" "$SLOT" "$CO_PIN" "$TARGET_SLOT" "$CO_PIN"
expect first "source objects: 6 cloned: 6 skipped: 0 failed: 0 target objects: 6"

run second "$PROGRAM" "$MODULE" "$SLOT" "$CO_PIN" "$TARGET_SLOT" "$CO_PIN"
expect second "source objects: 6 cloned: 0 skipped: 6 failed: 0 target objects: 6"

# The clones are usable objects on the target, seen by another client.
run listed "$TOOL" --module "$MODULE" --slot "$TARGET_SLOT" --login --login-type user \
  --pin "$CO_PIN" --list-objects
expect listed "label:      rsa1"
expect listed "label:      aes1"
expect listed "'data1'"

# A wrong target PIN is a set-up failure: non-zero exit, nothing cloned.
if "$PROGRAM" "$MODULE" "$SLOT" "$CO_PIN" "$TARGET_SLOT" wrong-pin-1 > "$ROOT/wrong.out" 2>&1; then
  fail "the program succeeded with a wrong target PIN"
fi
echo "ca_clone_program: all checks passed"
