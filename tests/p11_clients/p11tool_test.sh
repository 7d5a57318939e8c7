#!/bin/sh
# GnuTLS's p11tool against libstrongroom.so: lists the token, lists its public objects without
# login, and with --login (PIN from GNUTLS_PIN) lists the private keys too.
# Usage: p11tool_test.sh <strongroom> <libstrongroom.so> <pkcs11-tool> <p11tool>
STRONGROOM=$1
MODULE=$2
TOOL=$3
P11TOOL=$4
TEST_NAME=p11tool
# shellcheck source=tests/p11_clients/lib.sh
. "$(dirname "$0")/lib.sh"
make_device

run rsagen as_co --keypairgen --key-type rsa:2048 --id 01 --label rsa1
run ecgen as_co --keypairgen --key-type EC:prime256v1 --id 02 --label ec1
run aesgen as_co --keygen --key-type AES:32 --id 03 --label aes1

# --provider: p11tool uses only our module, not the system's p11-kit configuration.
url="pkcs11:token=$TOKEN"

run tokens "$P11TOOL" --provider "$MODULE" --list-tokens
expect tokens "Label: $TOKEN"

run public "$P11TOOL" --provider "$MODULE" --list-all "$url"
expect public "Object 0:"
expect public "pkcs11:model="
expect public "object=rsa1;type=public"
expect public "object=ec1;type=public"
if grep -q "type=private" "$ROOT/public.out"; then
  fail "private keys listed without login"
fi

export GNUTLS_PIN="$CO_PIN"
run login "$P11TOOL" --provider "$MODULE" --login --list-all "$url"
expect login "object=rsa1;type=private"
expect login "object=ec1;type=private"
expect login "object=aes1;type=secret-key"

run privkeys "$P11TOOL" --provider "$MODULE" --login --list-privkeys "$url"
expect privkeys "Type: Private key (RSA-2048)"
expect privkeys "Type: Private key (EC/ECDSA-SECP256R1)"

export GNUTLS_PIN=wrong-pin-1
if "$P11TOOL" --provider "$MODULE" --login --list-all "$url" > "$ROOT/wrongpin.out" 2>&1; then
  fail "p11tool login with a wrong PIN succeeded"
fi
echo "p11tool: all checks passed"
