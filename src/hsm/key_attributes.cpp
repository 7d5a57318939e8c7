// AttributeSet <-> crypto::Key. The component forms of crypto/key.h are exactly what the
// PKCS#11 attributes carry, so this file only moves values between the two and keeps private
// components in SecretBytes throughout.
#include "hsm/key_attributes.h"

#include "crypto/mechanism.h"
#include "hsm/object_rules.h"

namespace sr::hsm {
namespace {

using crypto::KeyType;

Result<KeyType> key_type_of(uint64_t ckk_value) {
    constexpr KeyType kKnown[] = {KeyType::Rsa, KeyType::Dsa, KeyType::Ec, KeyType::EcEdwards,
                                  KeyType::GenericSecret, KeyType::Des3, KeyType::Aes};
    for (KeyType t : kKnown) {
        if (static_cast<uint64_t>(t) == ckk_value) return t;
    }
    return error(Err::AttributeValueInvalid,
                 "CKA_KEY_TYPE: unsupported key type " + std::to_string(ckk_value));
}

Result<Bytes> need(const AttributeSet& a, AttrType t) {
    auto v = a.get(t);
    if (!v) return error(Err::TemplateIncomplete, attribute_name(t) + " is missing");
    return Bytes(v->begin(), v->end());
}

Result<SecretBytes> need_secret(const AttributeSet& a, AttrType t) {
    auto v = a.get(t);
    if (!v) return error(Err::TemplateIncomplete, attribute_name(t) + " is missing");
    return SecretBytes(*v);
}

Bytes optional_bytes(const AttributeSet& a, AttrType t) {
    auto v = a.get(t);
    return v ? Bytes(v->begin(), v->end()) : Bytes{};
}

SecretBytes optional_secret(const AttributeSet& a, AttrType t) {
    auto v = a.get(t);
    return v ? SecretBytes(*v) : SecretBytes{};
}

// Components OpenSSL refuses are a bad attribute value; curve and domain errors keep their
// more precise codes.
Status as_value_error(const Status& s) {
    if (s.code() == Err::CurveNotSupported || s.code() == Err::DomainParamsInvalid ||
        s.code() == Err::TemplateIncomplete) {
        return s;
    }
    return error(Err::AttributeValueInvalid, "key components rejected: " + s.message());
}

template <class T>
Result<T> value_checked(Result<T> r) {
    if (!r.is_ok()) return as_value_error(r.status());
    return r;
}

Result<crypto::Key> secret_key_from(KeyType type, const AttributeSet& a) {
    SR_ASSIGN_OR_RETURN(SecretBytes value, need_secret(a, attr::kValue));
    const size_t n = value.size();
    if (type == KeyType::Aes && n != 16 && n != 24 && n != 32) {
        return error(Err::AttributeValueInvalid, "CKA_VALUE: an AES key is 16, 24 or 32 bytes");
    }
    if (type == KeyType::Des3 && n != 24) {
        return error(Err::AttributeValueInvalid, "CKA_VALUE: a DES3 key is 24 bytes");
    }
    if (type == KeyType::GenericSecret && n == 0) {
        return error(Err::AttributeValueInvalid, "CKA_VALUE: a generic secret must not be empty");
    }
    return crypto::Key::secret(type, std::move(value));
}

Result<crypto::Key> public_key_from(KeyType type, const AttributeSet& a) {
    switch (type) {
        case KeyType::Rsa: {
            crypto::RsaPublicParts p;
            SR_ASSIGN_OR_RETURN(p.modulus, need(a, attr::kModulus));
            SR_ASSIGN_OR_RETURN(p.public_exponent, need(a, attr::kPublicExponent));
            return value_checked(crypto::rsa_public_from(p));
        }
        case KeyType::Ec:
        case KeyType::EcEdwards: {
            crypto::EcPublicParts p;
            SR_ASSIGN_OR_RETURN(p.params, need(a, attr::kEcParams));
            SR_ASSIGN_OR_RETURN(p.point, need(a, attr::kEcPoint));
            return value_checked(crypto::ec_public_from(type, p));
        }
        case KeyType::Dsa: {
            crypto::DsaPublicParts p;
            SR_ASSIGN_OR_RETURN(p.prime, need(a, attr::kPrime));
            SR_ASSIGN_OR_RETURN(p.subprime, need(a, attr::kSubprime));
            SR_ASSIGN_OR_RETURN(p.base, need(a, attr::kBase));
            SR_ASSIGN_OR_RETURN(p.value, need(a, attr::kValue));
            return value_checked(crypto::dsa_public_from(p));
        }
        default: break;
    }
    return error(Err::KeyTypeInconsistent, "a public key cannot be of a symmetric key type");
}

Result<crypto::Key> private_key_from(KeyType type, const AttributeSet& a) {
    switch (type) {
        case KeyType::Rsa: {
            crypto::RsaPrivateParts p;
            SR_ASSIGN_OR_RETURN(p.modulus, need(a, attr::kModulus));
            p.public_exponent = optional_bytes(a, attr::kPublicExponent);
            SR_ASSIGN_OR_RETURN(p.private_exponent, need_secret(a, attr::kPrivateExponent));
            p.prime1 = optional_secret(a, attr::kPrime1);
            p.prime2 = optional_secret(a, attr::kPrime2);
            p.exponent1 = optional_secret(a, attr::kExponent1);
            p.exponent2 = optional_secret(a, attr::kExponent2);
            p.coefficient = optional_secret(a, attr::kCoefficient);
            return value_checked(crypto::rsa_private_from(p));
        }
        case KeyType::Ec:
        case KeyType::EcEdwards: {
            crypto::EcPrivateParts p;
            SR_ASSIGN_OR_RETURN(p.params, need(a, attr::kEcParams));
            SR_ASSIGN_OR_RETURN(p.value, need_secret(a, attr::kValue));
            return value_checked(crypto::ec_private_from(type, p));
        }
        case KeyType::Dsa: {
            crypto::DsaPrivateParts p;
            SR_ASSIGN_OR_RETURN(p.prime, need(a, attr::kPrime));
            SR_ASSIGN_OR_RETURN(p.subprime, need(a, attr::kSubprime));
            SR_ASSIGN_OR_RETURN(p.base, need(a, attr::kBase));
            SR_ASSIGN_OR_RETURN(p.value, need_secret(a, attr::kValue));
            return value_checked(crypto::dsa_private_from(p));
        }
        default: break;
    }
    return error(Err::KeyTypeInconsistent, "a private key cannot be of a symmetric key type");
}

void set_if(AttributeSet& a, AttrType t, const Bytes& v) {
    if (!v.empty()) a.set_bytes(t, v);
}
void set_secret_if(AttributeSet& a, AttrType t, SecretBytes& v) {
    if (!v.empty()) a.set_secret(t, std::move(v));
}

Status add_public_components(AttributeSet& a, const crypto::Key& key) {
    switch (key.type()) {
        case KeyType::Rsa: {
            SR_ASSIGN_OR_RETURN(auto p, crypto::rsa_public_parts(key));
            a.set_bytes(attr::kModulus, p.modulus);
            a.set_bytes(attr::kPublicExponent, p.public_exponent);
            a.set_ulong(attr::kModulusBits, key.bits());
            break;
        }
        case KeyType::Ec:
        case KeyType::EcEdwards: {
            SR_ASSIGN_OR_RETURN(auto p, crypto::ec_public_parts(key));
            a.set_bytes(attr::kEcParams, p.params);
            a.set_bytes(attr::kEcPoint, p.point);
            SR_ASSIGN_OR_RETURN(Bytes spki, crypto::ec_spki(key, p));
            a.set_bytes(attr::kPublicKeyInfo, spki);
            return Status::ok();
        }
        case KeyType::Dsa: {
            SR_ASSIGN_OR_RETURN(auto p, crypto::dsa_public_parts(key));
            a.set_bytes(attr::kPrime, p.prime);
            a.set_bytes(attr::kSubprime, p.subprime);
            a.set_bytes(attr::kBase, p.base);
            a.set_bytes(attr::kValue, p.value);
            break;
        }
        default: return error(Err::KeyTypeInconsistent, "not an asymmetric key");
    }
    SR_ASSIGN_OR_RETURN(Bytes spki, crypto::to_spki(key));
    a.set_bytes(attr::kPublicKeyInfo, spki);
    return Status::ok();
}

Status add_private_components(AttributeSet& a, const crypto::Key& key) {
    switch (key.type()) {
        case KeyType::Rsa: {
            SR_ASSIGN_OR_RETURN(auto p, crypto::rsa_private_parts(key));
            a.set_bytes(attr::kModulus, p.modulus);
            set_if(a, attr::kPublicExponent, p.public_exponent);
            set_secret_if(a, attr::kPrivateExponent, p.private_exponent);
            set_secret_if(a, attr::kPrime1, p.prime1);
            set_secret_if(a, attr::kPrime2, p.prime2);
            set_secret_if(a, attr::kExponent1, p.exponent1);
            set_secret_if(a, attr::kExponent2, p.exponent2);
            set_secret_if(a, attr::kCoefficient, p.coefficient);
            break;
        }
        case KeyType::Ec:
        case KeyType::EcEdwards: {
            SR_ASSIGN_OR_RETURN(auto p, crypto::ec_private_parts(key));
            a.set_bytes(attr::kEcParams, p.params);
            a.set_secret(attr::kValue, std::move(p.value));
            SR_ASSIGN_OR_RETURN(Bytes spki, crypto::ec_spki(key, {p.params, p.point}));
            a.set_bytes(attr::kPublicKeyInfo, spki);
            return Status::ok();
        }
        case KeyType::Dsa: {
            SR_ASSIGN_OR_RETURN(auto p, crypto::dsa_private_parts(key));
            a.set_bytes(attr::kPrime, p.prime);
            a.set_bytes(attr::kSubprime, p.subprime);
            a.set_bytes(attr::kBase, p.base);
            a.set_secret(attr::kValue, std::move(p.value));
            break;
        }
        default: return error(Err::KeyTypeInconsistent, "not an asymmetric key");
    }
    SR_ASSIGN_OR_RETURN(Bytes spki, crypto::to_spki(key));
    a.set_bytes(attr::kPublicKeyInfo, spki);
    return Status::ok();
}

}  // namespace

Result<crypto::Key> key_from_attributes(const AttributeSet& attrs) {
    auto object_class = attrs.get_ulong(attr::kClass);
    if (!object_class) return error(Err::TemplateIncomplete, "CKA_CLASS is missing");
    auto ckk_value = attrs.get_ulong(attr::kKeyType);
    if (!ckk_value) {
        if (*object_class == cls::kData || *object_class == cls::kCertificate) {
            return error(Err::KeyTypeInconsistent, "the object is not a key");
        }
        return error(Err::TemplateIncomplete, "CKA_KEY_TYPE is missing");
    }
    SR_ASSIGN_OR_RETURN(KeyType type, key_type_of(*ckk_value));
    switch (*object_class) {
        case cls::kSecretKey:
            if (!crypto::is_symmetric(type)) break;
            return secret_key_from(type, attrs);
        case cls::kPublicKey: return public_key_from(type, attrs);
        case cls::kPrivateKey: return private_key_from(type, attrs);
        default: return error(Err::KeyTypeInconsistent, "the object is not a key");
    }
    return error(Err::KeyTypeInconsistent, "a secret key must be of a symmetric key type");
}

Result<AttributeSet> attributes_from_key(const crypto::Key& key) {
    AttributeSet a;
    a.set_ulong(attr::kKeyType, static_cast<uint64_t>(key.type()));
    switch (key.part()) {
        case crypto::KeyPart::Secret: {
            a.set_ulong(attr::kClass, cls::kSecretKey);
            a.set_secret(attr::kValue, key.value().clone());
            if (key.type() == KeyType::Aes || key.type() == KeyType::GenericSecret) {
                a.set_ulong(attr::kValueLen, key.value().size());
            }
            if (key.type() == KeyType::Aes || key.type() == KeyType::Des3) {
                SR_ASSIGN_OR_RETURN(Bytes kcv, key_check_value(key));
                a.set_bytes(attr::kCheckValue, kcv);
            }
            break;
        }
        case crypto::KeyPart::Public:
            a.set_ulong(attr::kClass, cls::kPublicKey);
            SR_TRY(add_public_components(a, key));
            break;
        case crypto::KeyPart::Private:
            a.set_ulong(attr::kClass, cls::kPrivateKey);
            SR_TRY(add_private_components(a, key));
            break;
    }
    return a;
}

Result<Bytes> key_check_value(const crypto::Key& key) {
    crypto::MechanismId mech = 0;
    size_t block = 0;
    if (key.type() == KeyType::Aes) {
        mech = crypto::mech::kAesEcb;
        block = 16;
    } else if (key.type() == KeyType::Des3) {
        mech = crypto::mech::kDes3Ecb;
        block = 8;
    } else {
        return error(Err::KeyTypeInconsistent, "check values exist for AES and DES3 keys only");
    }
    SR_ASSIGN_OR_RETURN(auto op, crypto::MechanismRegistry::standard().encrypt({mech, {}}, key));
    SR_ASSIGN_OR_RETURN(Bytes out, op->update(Bytes(block, 0)));
    SR_ASSIGN_OR_RETURN(Bytes tail, op->final());
    out.insert(out.end(), tail.begin(), tail.end());
    if (out.size() < 3) return error(Err::GeneralError, "check value computation produced no block");
    out.resize(3);
    return out;
}

}  // namespace sr::hsm
