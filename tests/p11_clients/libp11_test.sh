#!/bin/sh
# OpenSSL 3 through libp11's engine ("pkcs11") signs with an RSA-2048 and an EC P-256 key held on
# a Strongroom partition, named by pkcs11: URIs; plain OpenSSL verifies the signatures with the
# public keys exported by pkcs11-tool. Keys are made with pkcs11-tool as the Crypto Officer.
# Usage: libp11_test.sh <strongroom> <libstrongroom.so> <pkcs11-tool> <openssl> <engine .so>
STRONGROOM=$1
MODULE=$2
TOOL=$3
OPENSSL=$4
ENGINE=$5
TEST_NAME=libp11
# shellcheck source=tests/p11_clients/lib.sh
. "$(dirname "$0")/lib.sh"
make_device

cat > "$ROOT/openssl.cnf" <<CNF
openssl_conf = openssl_init
[openssl_init]
engines = engine_section
[engine_section]
pkcs11 = pkcs11_section
[pkcs11_section]
engine_id = pkcs11
dynamic_path = $ENGINE
MODULE_PATH = $MODULE
init = 0
CNF
export OPENSSL_CONF="$ROOT/openssl.cnf"

run rsagen as_co --keypairgen --key-type rsa:2048 --id 01 --label rsa1
run ecgen as_co --keypairgen --key-type EC:prime256v1 --id 02 --label ec1

printf 'the message signed through libp11\n' > "$ROOT/msg"
printf 'another message\n' > "$ROOT/other"

# Signs $ROOT/msg with the partition's private key <label>, exports the public key by <id> and
# verifies with plain OpenSSL; a different message must not verify.
sign_and_verify() {
  label=$1
  id=$2
  uri="pkcs11:token=$TOKEN;object=$label;type=private?pin-value=$CO_PIN"
  run "sign-$label" "$OPENSSL" dgst -sha256 -engine pkcs11 -keyform engine -sign "$uri" \
    -out "$ROOT/$label.sig" "$ROOT/msg"
  test -s "$ROOT/$label.sig" || fail "$label: empty signature"
  run "export-$label" "$TOOL" --module "$MODULE" --slot "$SLOT" --read-object --type pubkey \
    --id "$id" -o "$ROOT/$label.pub.der"
  run "pem-$label" "$OPENSSL" pkey -pubin -inform DER -in "$ROOT/$label.pub.der" \
    -out "$ROOT/$label.pub.pem"
  run "verify-$label" env OPENSSL_CONF=/dev/null "$OPENSSL" dgst -sha256 \
    -verify "$ROOT/$label.pub.pem" -signature "$ROOT/$label.sig" "$ROOT/msg"
  expect "verify-$label" "Verified OK"
  if env OPENSSL_CONF=/dev/null "$OPENSSL" dgst -sha256 -verify "$ROOT/$label.pub.pem" \
      -signature "$ROOT/$label.sig" "$ROOT/other" > /dev/null 2>&1; then
    fail "$label: signature verified over a different message"
  fi
}
sign_and_verify rsa1 01
sign_and_verify ec1 02

# pkeyutl over a precomputed digest (the engine's raw RSA PKCS#1 / ECDSA path).
"$OPENSSL" dgst -sha256 -binary -out "$ROOT/msg.sha256" "$ROOT/msg"
uri="pkcs11:token=$TOKEN;object=rsa1;type=private?pin-value=$CO_PIN"
run pkeyutl-rsa "$OPENSSL" pkeyutl -engine pkcs11 -keyform engine -inkey "$uri" -sign \
  -pkeyopt digest:sha256 -in "$ROOT/msg.sha256" -out "$ROOT/rsa1.pk.sig"
run pkeyutl-rsa-verify env OPENSSL_CONF=/dev/null "$OPENSSL" pkeyutl -verify -pubin \
  -inkey "$ROOT/rsa1.pub.pem" -pkeyopt digest:sha256 -in "$ROOT/msg.sha256" \
  -sigfile "$ROOT/rsa1.pk.sig"
expect pkeyutl-rsa-verify "Signature Verified Successfully"

# A wrong PIN in the URI must make the engine fail.
bad="pkcs11:token=$TOKEN;object=ec1;type=private?pin-value=wrong-pin-1"
if "$OPENSSL" dgst -sha256 -engine pkcs11 -keyform engine -sign "$bad" -out "$ROOT/bad.sig" \
    "$ROOT/msg" > "$ROOT/badpin.out" 2>&1; then
  fail "signing with a wrong PIN succeeded"
fi
expect badpin "PIN incorrect"
echo "libp11: all checks passed"
