/* Smallest reproduction of why libp11_test.sh fails (not built by CMake; it needs the deprecated
 * ENGINE API). `openssl -engine pkcs11` makes libp11's engine the process-wide default, and
 * OpenSSL 3.0 then routes EVP_PKEY_CTX_new_from_name(NULL, "RSA" | "EC", NULL) to the engine's
 * legacy methods, ignoring providers and any propquery (an own OSSL_LIB_CTX does not help either):
 * EVP_PKEY_fromdata (key import, as the module's C_SignInit does) fails with
 * "fromdata_init:operation not supported for this keytype", and so does EC key generation.
 * Creating the context by OID name ("1.2.840.113549.1.1.1", "1.2.840.10045.2.1"), which OpenSSL
 * maps to no NID, skips the engine lookup; signing with provider keys is unaffected.
 * Run: gcc -o /tmp/repro engine_default_repro.c -lcrypto && OPENSSL_CONF=<an openssl.cnf loading
 *      the pkcs11 engine with some MODULE_PATH, as libp11_test.sh writes> /tmp/repro
 * Seen with OpenSSL 3.0.19 and libengine-pkcs11-openssl (Debian). */
#include <openssl/engine.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <stdio.h>

static int import(const char *name, OSSL_PARAM *params) {
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, name, NULL);
    EVP_PKEY *k = NULL;
    int ok = ctx && EVP_PKEY_fromdata_init(ctx) == 1 &&
             EVP_PKEY_fromdata(ctx, &k, EVP_PKEY_KEYPAIR, params) == 1;
    EVP_PKEY_free(k);
    EVP_PKEY_CTX_free(ctx);
    ERR_clear_error();
    return ok;
}

int main(void) {
    OSSL_PARAM *rsa = NULL, *ec = NULL;
    EVP_PKEY_todata(EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048), EVP_PKEY_KEYPAIR, &rsa);
    EVP_PKEY_todata(EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"), EVP_PKEY_KEYPAIR, &ec);
    printf("no engine:      import RSA %s, EC %s\n", import("RSA", rsa) ? "ok" : "FAILS",
           import("EC", ec) ? "ok" : "FAILS");
    OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG, NULL);
    ENGINE *e = ENGINE_by_id("pkcs11");
    if (!e || !ENGINE_init(e) || !ENGINE_set_default(e, ENGINE_METHOD_ALL)) {
        printf("could not load the pkcs11 engine (OPENSSL_CONF?)\n");
        return 2;
    }
    printf("engine default: import RSA %s, EC %s\n", import("RSA", rsa) ? "ok" : "FAILS",
           import("EC", ec) ? "ok" : "FAILS");
    printf("engine default: import by OID: RSA %s, EC %s\n",
           import("1.2.840.113549.1.1.1", rsa) ? "ok" : "FAILS",
           import("1.2.840.10045.2.1", ec) ? "ok" : "FAILS");
    return 0;
}
