// Helpers for the key and mechanism tests: run whole operations through the registry and make
// test keys. Test-only.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "crypto/key.h"
#include "crypto/mechanism.h"

namespace sr::crypto::testing {

inline const MechanismRegistry& reg() { return MechanismRegistry::standard(); }

inline Mechanism mk(MechanismId id, MechParams p = NoParams{}) { return Mechanism{id, std::move(p)}; }

// Feeds `data` in chunks of `chunk` bytes (0 = one update).
inline Result<Bytes> sign_with(const Mechanism& m, const Key& k, ByteView data, size_t chunk = 0) {
    SR_ASSIGN_OR_RETURN(auto op, reg().sign(m, k));
    if (chunk == 0) chunk = data.empty() ? 1 : data.size();
    for (size_t i = 0; i < data.size(); i += chunk)
        SR_TRY(op->update(data.subspan(i, std::min(chunk, data.size() - i))));
    return op->final();
}

inline Status verify_with(const Mechanism& m, const Key& k, ByteView data, ByteView sig,
                          size_t chunk = 0) {
    auto op = reg().verify(m, k);
    if (!op) return op.status();
    if (chunk == 0) chunk = data.empty() ? 1 : data.size();
    for (size_t i = 0; i < data.size(); i += chunk)
        SR_TRY((*op)->update(data.subspan(i, std::min(chunk, data.size() - i))));
    return (*op)->final(sig);
}

inline Result<Bytes> run_cipher(CipherOp& op, ByteView data, size_t chunk) {
    Bytes out;
    if (chunk == 0) chunk = data.empty() ? 1 : data.size();
    for (size_t i = 0; i < data.size(); i += chunk) {
        SR_ASSIGN_OR_RETURN(Bytes part, op.update(data.subspan(i, std::min(chunk, data.size() - i))));
        out.insert(out.end(), part.begin(), part.end());
    }
    SR_ASSIGN_OR_RETURN(Bytes last, op.final());
    out.insert(out.end(), last.begin(), last.end());
    return out;
}

inline Result<Bytes> encrypt_with(const Mechanism& m, const Key& k, ByteView data, size_t chunk = 0) {
    SR_ASSIGN_OR_RETURN(auto op, reg().encrypt(m, k));
    return run_cipher(*op, data, chunk);
}

inline Result<Bytes> decrypt_with(const Mechanism& m, const Key& k, ByteView data, size_t chunk = 0) {
    SR_ASSIGN_OR_RETURN(auto op, reg().decrypt(m, k));
    return run_cipher(*op, data, chunk);
}

inline Result<Bytes> digest_with(MechanismId id, ByteView data, size_t chunk = 0) {
    SR_ASSIGN_OR_RETURN(auto op, reg().digest(mk(id)));
    if (chunk == 0) chunk = data.empty() ? 1 : data.size();
    for (size_t i = 0; i < data.size(); i += chunk)
        SR_TRY(op->update(data.subspan(i, std::min(chunk, data.size() - i))));
    return op->final();
}

inline KeyPair rsa_pair(size_t bits = 2048) {
    KeyGenParams p;
    p.bits = bits;
    auto kp = reg().generate_key_pair(mk(mech::kRsaPkcsKeyPairGen), p);
    EXPECT_TRUE(kp.is_ok()) << kp.status().to_string();
    return std::move(kp).value();
}

inline KeyPair ec_pair(std::string_view curve) {
    KeyGenParams p;
    p.ec_params = *curve_params_der(curve);
    MechanismId id = curve == "Ed25519" ? mech::kEcEdwardsKeyPairGen : mech::kEcKeyPairGen;
    auto kp = reg().generate_key_pair(mk(id), p);
    EXPECT_TRUE(kp.is_ok()) << kp.status().to_string();
    return std::move(kp).value();
}

inline Key secret_key(KeyType t, size_t len) {
    KeyGenParams p;
    p.value_len = len;
    MechanismId id = t == KeyType::Aes    ? mech::kAesKeyGen
                     : t == KeyType::Des3 ? mech::kDes3KeyGen
                                          : mech::kGenericSecretKeyGen;
    auto k = reg().generate_key(mk(id), t, p);
    EXPECT_TRUE(k.is_ok()) << k.status().to_string();
    return std::move(k).value();
}

inline Key secret_from_hex(KeyType t, std::string_view hex) {
    return Key::secret(t, SecretBytes(*from_hex(hex)));
}

inline Bytes hex(std::string_view h) {
    auto b = from_hex(h);
    EXPECT_TRUE(b.is_ok()) << "bad hex in test";
    return b.is_ok() ? *b : Bytes{};
}

inline Bytes message(size_t n) {
    Bytes m(n);
    for (size_t i = 0; i < n; ++i) m[i] = static_cast<uint8_t>(i * 7 + 3);
    return m;
}

}  // namespace sr::crypto::testing
