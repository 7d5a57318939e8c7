// The cloning exchange on LocalDevice: trust and policy checks, the key schedule and the per-
// object sealing. Layouts and rules: docs/design/clone-protocol.md.
#include "hsm/clone_engine.h"

#include <openssl/evp.h>

#include <algorithm>

#include "crypto/ossl.h"
#include "crypto/primitives.h"
#include "hsm/policy.h"

namespace sr::hsm {
namespace {

constexpr std::string_view kTranscriptContext = "strongroom clone v1 transcript";
constexpr std::string_view kKeyInfo = "strongroom clone v1";
constexpr size_t kSessionKeyBytes = 32;

Status refuse_peer(std::string message) {
    return error(Err::CertificateInvalid, std::move(message));
}

Result<SecretBytes> ecdh(EVP_PKEY* mine, EVP_PKEY* peer) {
    crypto::ossl_clear_errors();
    crypto::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, mine, nullptr));
    if (!ctx || EVP_PKEY_derive_init(ctx.get()) <= 0 ||
        EVP_PKEY_derive_set_peer(ctx.get(), peer) <= 0)
        return crypto::ossl_error("clone ECDH setup", Err::Crypto);
    size_t len = 0;
    if (EVP_PKEY_derive(ctx.get(), nullptr, &len) <= 0)
        return crypto::ossl_error("clone ECDH", Err::Crypto);
    SecretBytes out(len);
    if (EVP_PKEY_derive(ctx.get(), out.data(), &len) <= 0)
        return crypto::ossl_error("clone ECDH", Err::Crypto);
    out.resize(len);
    return out;
}

// The peer's ephemeral key: P-256 SubjectPublicKeyInfo, nothing else.
Result<crypto::PkeyPtr> peer_ephemeral(ByteView spki) {
    auto key = crypto::public_key_from_der(spki);
    if (!key) return refuse_peer("the peer's ephemeral key is not a valid public key");
    auto curve = crypto::ec_curve_of(key->get());
    if (!curve || *curve != crypto::EcCurve::P256)
        return refuse_peer("the peer's ephemeral key is not a P-256 key");
    return std::move(*key);
}

Result<Bytes> transcript_hash(ByteView hello, const clone::SealedMessage& m) {
    Bytes t = to_bytes(kTranscriptContext);
    t.push_back(0);
    put_blob(t, hello);
    put_blob(t, clone::sealed_signed_bytes(m));
    return crypto::digest(crypto::Hash::Sha256, t);
}

// K = HKDF-SHA256(ikm = Z || domain key, salt = target nonce || source nonce,
//                 info = transcript hash || "strongroom clone v1")
Result<SecretBytes> session_key(const SecretBytes& z, const SecretBytes& domain_key,
                                const clone::Nonce& target_nonce, const clone::Nonce& source_nonce,
                                ByteView transcript) {
    SecretBytes ikm;
    ikm.append(z.span());
    ikm.append(domain_key.span());
    Bytes salt(target_nonce.begin(), target_nonce.end());
    salt.insert(salt.end(), source_nonce.begin(), source_nonce.end());
    Bytes info(transcript.begin(), transcript.end());
    const Bytes label = to_bytes(kKeyInfo);
    info.insert(info.end(), label.begin(), label.end());
    return crypto::hkdf(crypto::Hash::Sha256, ikm.span(), salt, info, kSessionKeyBytes);
}

// Object payload: blob(plain attributes TLV) || blob(secret attributes TLV).
SecretBytes encode_payload(const AttributeSet& attrs) {
    Bytes plain = encode_attributes(attrs.plain_values());
    SecretBytes secret = encode_secret_attributes(attrs.secret_values());
    SecretBytes out;
    Bytes len;
    put_u32(len, static_cast<uint32_t>(plain.size()));
    out.append(len);
    out.append(plain);
    len.clear();
    put_u32(len, static_cast<uint32_t>(secret.size()));
    out.append(len);
    out.append(secret.span());
    return out;
}

Result<AttributeSet> decode_payload(const SecretBytes& payload) {
    Reader r(payload.span());
    auto plain_blob = r.blob();
    auto secret_blob = r.blob();
    if (!plain_blob || !secret_blob || !r.done())
        return error(Err::DataInvalid, "a cloned object's payload is malformed");
    SR_ASSIGN_OR_RETURN(auto plain, decode_attributes(*plain_blob));
    SR_ASSIGN_OR_RETURN(auto secret, decode_secret_attributes(*secret_blob));
    return AttributeSet::from_parts(std::move(plain), std::move(secret));
}

std::string label_of(const AttributeSet& a) {
    auto v = a.get(attr::kLabel);
    return v ? to_string(*v) : std::string();
}
Bytes ouid_of(const AttributeSet& a) {
    auto v = a.get(attr::kOuid);
    return v ? Bytes(v->begin(), v->end()) : Bytes();
}

uint64_t policy_value(const std::vector<PolicyValue>& values, uint32_t id) {
    for (const auto& v : values)
        if (v.id == id) return v.value;
    return 0;
}

// The target writes token objects, so a read-only session cannot be one (whole exchange).
Status require_writable(const SessionInfo& s) {
    if (!s.read_write)
        return error(Err::SessionReadOnly, "the clone target needs a read-write session");
    return {};
}

Result<clone::Nonce> fresh_nonce() {
    clone::Nonce n{};
    SR_TRY(crypto::random_bytes(n));
    return n;
}

}  // namespace

namespace clone {

Result<SecretBytes> derive_session_key(EVP_PKEY* own_ephemeral, EVP_PKEY* peer_ephemeral,
                                       const SecretBytes& domain_key, ByteView hello_bytes,
                                       const Hello& hello, const SealedMessage& message) {
    SR_ASSIGN_OR_RETURN(SecretBytes z, ecdh(own_ephemeral, peer_ephemeral));
    SR_ASSIGN_OR_RETURN(Bytes transcript, transcript_hash(hello_bytes, message));
    return session_key(z, domain_key, hello.target.nonce, message.source.nonce, transcript);
}

SecretBytes encode_object_payload(const AttributeSet& attrs) { return encode_payload(attrs); }
Result<AttributeSet> decode_object_payload(const SecretBytes& payload) {
    return decode_payload(payload);
}

}  // namespace clone

struct CloneEngine::Pending {
    SessionId session = 0;
    uint64_t order = 0;
    crypto::PkeyPtr ephemeral;
    clone::Nonce nonce{};
    Bytes hello;
};

struct CloneEngine::Context {
    SessionInfo session;
    PartitionInfo partition;
    clone::Endpoint self;
};

CloneEngine::CloneEngine(Env& env, LocalDevice& device, crypto::PkeyPtr identity_key,
                         crypto::Certificate identity_cert, crypto::Certificate root)
    : m_env(env), m_device(device), m_identity_key(std::move(identity_key)),
      m_identity_cert(std::move(identity_cert)), m_root(std::move(root)) {}

CloneEngine::~CloneEngine() = default;

Result<std::unique_ptr<CloneEngine>> CloneEngine::open(Env& env, LocalDevice& device) {
    SR_ASSIGN_OR_RETURN(auto key, load_identity_key(env, device.folder()));
    SR_ASSIGN_OR_RETURN(auto cert, load_identity_certificate(env, device.folder()));
    auto root = load_manufacturer_root(env, device.folder());
    if (!root)
        return error(Err::CertificateInvalid,
                     "the device folder holds no manufacturer root certificate, so it cannot "
                     "recognise peers: " + root.status().message());
    return std::unique_ptr<CloneEngine>(
        new CloneEngine(env, device, std::move(key), std::move(cert), std::move(*root)));
}

Result<CloneEngine::Context> CloneEngine::context(SessionId s) {
    Context c;
    SR_ASSIGN_OR_RETURN(c.session, m_device.session_info(s));
    if (!c.session.logged_in || (*c.session.logged_in != Role::CryptoOfficer &&
                                 *c.session.logged_in != Role::CryptoUser &&
                                 *c.session.logged_in != Role::LimitedCryptoOfficer))
        return error(Err::UserNotLoggedIn, "cloning needs the partition's Crypto Officer");
    SR_ASSIGN_OR_RETURN(c.partition, m_device.partition_info(c.session.partition));
    if (c.partition.domain_fingerprint.empty())
        return error(Err::CloningParameterMissing, "the partition has no cloning domain");
    const DeviceConfig& cfg = m_device.config();
    c.self.firmware = cfg.firmware;
    c.self.form_factor = cfg.form_factor;
    c.self.auth = cfg.auth;
    c.self.certificate_der = m_identity_cert.der();
    c.self.domain_fingerprint = c.partition.domain_fingerprint;
    return c;
}

// Trust rule (device-identity.md): the peer's certificate chains to our own factory's root and
// signed what it sent; then same auth type and same cloning domain (BEHAVIOUR.md "Cloning").
Status CloneEngine::check_peer(const Context& self, const clone::Endpoint& peer,
                               ByteView signed_bytes, ByteView signature) {
    SR_ASSIGN_OR_RETURN(crypto::Certificate cert, trusted_peer_certificate(peer.certificate_der));
    if (Status st = crypto::identity_verify(cert, signed_bytes, signature); !st)
        return refuse_peer("the peer's clone message is not signed by its device key");
    if (peer.auth != self.self.auth)
        return refuse_peer("auth types differ (" + std::string(auth_type_name(self.self.auth)) +
                           " here, " + std::string(auth_type_name(peer.auth)) +
                           " on the peer): cloning needs the same auth type");
    if (!equal_ct(peer.domain_fingerprint, self.self.domain_fingerprint))
        return refuse_peer("the peer partition is in a different cloning domain");
    return {};
}

// A chain check costs two ECDSA P-384 verifications (the device certificate and the root's own
// signature), about 2 ms here, and parsing the certificate a P-384 point decoding; twice per
// exchange, they dominated small batches. The result depends only on the certificate bytes, the
// root (fixed per engine) and the time, so a success is remembered, parsed, for the window in
// which both certificates are valid. Each message's signature is still verified every time.
Result<crypto::Certificate> CloneEngine::trusted_peer_certificate(ByteView der) {
    const crypto::TimePoint now = m_env.now();
    SR_ASSIGN_OR_RETURN(Bytes id, crypto::digest(crypto::Hash::Sha256, der));
    {
        MutexLock lock(m_mu);
        auto it = m_trusted_peers.find(id);
        if (it != m_trusted_peers.end() && now >= it->second.from && now <= it->second.until)
            return it->second.cert;
    }
    auto cert = crypto::Certificate::from_der(der);
    if (!cert) return refuse_peer("the peer's device certificate is malformed");
    if (Status st = crypto::verify_certificate(*cert, m_root, now); !st)
        return refuse_peer("the peer device was not made by this device's factory: " +
                           st.message());
    MutexLock lock(m_mu);
    if (m_trusted_peers.size() >= kMaxTrustedPeers) m_trusted_peers.clear();
    m_trusted_peers.insert_or_assign(
        std::move(id), TrustedPeer{*cert, std::max(cert->not_before(), m_root.not_before()),
                                   std::min(cert->not_after(), m_root.not_after())});
    return std::move(*cert);
}

Result<Bytes> CloneEngine::clone_hello(SessionId target_session) {
    SR_ASSIGN_OR_RETURN(Context ctx, context(target_session));
    SR_TRY(require_writable(ctx.session));
    auto pending = std::make_unique<Pending>();
    pending->session = target_session;
    SR_ASSIGN_OR_RETURN(pending->ephemeral, crypto::generate_ec_key(crypto::EcCurve::P256));
    SR_ASSIGN_OR_RETURN(pending->nonce, fresh_nonce());

    clone::Hello h;
    SR_TRY(crypto::random_bytes(h.session));
    h.target = std::move(ctx.self);
    SR_ASSIGN_OR_RETURN(h.target.ephemeral_public,
                        crypto::public_key_to_der(pending->ephemeral.get()));
    h.target.nonce = pending->nonce;
    SR_ASSIGN_OR_RETURN(h.signature,
                        crypto::identity_sign(m_identity_key.get(), clone::hello_signed_bytes(h)));
    pending->hello = clone::encode_hello(h);
    Bytes out = pending->hello;

    MutexLock lock(m_mu);
    pending->order = ++m_pending_counter;
    if (m_pending.size() >= kMaxPending) {
        auto oldest = std::min_element(m_pending.begin(), m_pending.end(), [](auto& a, auto& b) {
            return a.second->order < b.second->order;
        });
        m_pending.erase(oldest);
    }
    m_pending.emplace(h.session, std::move(pending));
    return out;
}

Result<CloneSourceResult> CloneEngine::clone_source(SessionId source_session, ByteView hello_bytes,
                                                    std::span<const ObjectHandle> objects) {
    SR_ASSIGN_OR_RETURN(Context ctx, context(source_session));
    SR_ASSIGN_OR_RETURN(clone::Hello hello, clone::decode_hello(hello_bytes));
    SR_TRY(check_peer(ctx, hello.target, clone::hello_signed_bytes(hello), hello.signature));
    SR_ASSIGN_OR_RETURN(auto target_key, peer_ephemeral(hello.target.ephemeral_public));

    SR_ASSIGN_OR_RETURN(auto hsm_pol, m_device.hsm_policies());
    if (policy_value(hsm_pol, hsm_policy::kCloning) == 0)
        return error(Err::OperationNotAllowed, "HSM policy 7 (Allow cloning) is off on the source");
    SR_TRY(check_clone_direction({ctx.self.firmware, ctx.self.form_factor},
                                 {hello.target.firmware, hello.target.form_factor}));
    SR_ASSIGN_OR_RETURN(auto part_pol, m_device.partition_policies(ctx.partition.id));
    const bool private_ok = policy_value(part_pol, policy::kPrivateKeyCloning) != 0;
    const bool secret_ok = policy_value(part_pol, policy::kSecretKeyCloning) != 0;

    CloneSourceResult result;
    std::vector<SecretBytes> payloads;
    for (ObjectHandle h : objects) {
        auto attrs = m_device.export_object(source_session, h);
        if (!attrs) {
            result.refused.push_back({h, {}, {}, attrs.code(), attrs.status().message()});
            continue;
        }
        const uint64_t cls_v = attrs->get_ulong(attr::kClass).value_or(cls::kData);
        const char* why = nullptr;
        if (!attrs->flag(attr::kToken)) why = "session objects are never cloned";
        else if (cls_v == cls::kPrivateKey && !private_ok)
            why = "partition policy 0 (Allow private key cloning) is off";
        else if (cls_v == cls::kSecretKey && !secret_ok)
            why = "partition policy 4 (Allow secret key cloning) is off";
        if (why) {
            result.refused.push_back(
                {h, label_of(*attrs), ouid_of(*attrs), Err::OperationNotAllowed, why});
            continue;
        }
        payloads.push_back(encode_payload(*attrs));
        result.sent.push_back(h);
    }

    clone::SealedMessage msg;
    msg.session = hello.session;
    SR_ASSIGN_OR_RETURN(msg.hello_hash, crypto::digest(crypto::Hash::Sha256, hello_bytes));
    msg.source = std::move(ctx.self);
    SR_ASSIGN_OR_RETURN(auto ephemeral, crypto::generate_ec_key(crypto::EcCurve::P256));
    SR_ASSIGN_OR_RETURN(msg.source.ephemeral_public, crypto::public_key_to_der(ephemeral.get()));
    SR_ASSIGN_OR_RETURN(msg.source.nonce, fresh_nonce());
    msg.object_count = static_cast<uint32_t>(payloads.size());
    SR_ASSIGN_OR_RETURN(msg.signature,
                        crypto::identity_sign(m_identity_key.get(), clone::sealed_signed_bytes(msg)));

    SR_ASSIGN_OR_RETURN(SecretBytes domain, m_device.domain_key(ctx.partition.id));
    SR_ASSIGN_OR_RETURN(SecretBytes key, clone::derive_session_key(ephemeral.get(), target_key.get(),
                                                                   domain, hello_bytes, hello, msg));
    for (uint32_t i = 0; i < msg.object_count; ++i) {
        clone::SealedObject o;
        o.sequence = i;
        SR_ASSIGN_OR_RETURN(o.sealed, crypto::seal(key, clone::object_aad(msg.session, i,
                                                                          msg.object_count),
                                                   payloads[i].span()));
        msg.objects.push_back(std::move(o));
    }
    result.sealed = clone::encode_sealed(msg);
    return result;
}

Result<std::unique_ptr<CloneEngine::Pending>> CloneEngine::take_pending(
    const clone::SessionTag& tag, SessionId s) {
    MutexLock lock(m_mu);
    auto it = m_pending.find(tag);
    if (it == m_pending.end())
        return error(Err::DataInvalid,
                     "no outstanding hello for this clone session: unknown, or already used "
                     "(a replayed message)");
    std::unique_ptr<Pending> p = std::move(it->second);
    m_pending.erase(it);  // single use, whatever happens next
    if (p->session != s)
        return error(Err::DataInvalid, "the clone message answers a hello of another session");
    return p;
}

Result<CloneTargetResult> CloneEngine::clone_target(SessionId target_session, ByteView sealed) {
    SR_ASSIGN_OR_RETURN(Context ctx, context(target_session));
    SR_TRY(require_writable(ctx.session));
    SR_ASSIGN_OR_RETURN(clone::SealedMessage msg, clone::decode_sealed(sealed));
    SR_ASSIGN_OR_RETURN(auto pending, take_pending(msg.session, target_session));
    SR_ASSIGN_OR_RETURN(Bytes hello_hash, crypto::digest(crypto::Hash::Sha256, pending->hello));
    if (!equal_ct(hello_hash, msg.hello_hash))
        return error(Err::DataInvalid, "the clone message answers a different hello");
    SR_TRY(check_peer(ctx, msg.source, clone::sealed_signed_bytes(msg), msg.signature));
    SR_TRY(check_clone_direction({msg.source.firmware, msg.source.form_factor},
                                 {ctx.self.firmware, ctx.self.form_factor}));
    SR_ASSIGN_OR_RETURN(auto source_key, peer_ephemeral(msg.source.ephemeral_public));

    SR_ASSIGN_OR_RETURN(clone::Hello hello, clone::decode_hello(pending->hello));
    SR_ASSIGN_OR_RETURN(SecretBytes domain, m_device.domain_key(ctx.partition.id));
    SR_ASSIGN_OR_RETURN(SecretBytes key,
                        clone::derive_session_key(pending->ephemeral.get(), source_key.get(),
                                                  domain, pending->hello, hello, msg));

    // Authenticate everything before writing anything.
    std::vector<AttributeSet> opened;
    opened.reserve(msg.objects.size());
    for (uint32_t i = 0; i < msg.object_count; ++i) {
        const clone::SealedObject& o = msg.objects[i];
        if (o.sequence != i)
            return error(Err::EncryptedDataInvalid,
                         "sealed object " + std::to_string(i) + " is out of sequence (reordered "
                         "or replayed); nothing was imported");
        auto plain = crypto::open(key, clone::object_aad(msg.session, i, msg.object_count),
                                  o.sealed);
        if (!plain)
            return error(Err::EncryptedDataInvalid,
                         "sealed object " + std::to_string(i) + " failed authentication (altered "
                         "in transit, or sealed under another cloning domain); nothing was "
                         "imported");
        SR_ASSIGN_OR_RETURN(AttributeSet attrs, decode_payload(*plain));
        opened.push_back(std::move(attrs));
    }

    // One import batch: every object checked, the accepted ones in one transaction.
    std::vector<ClonedObject> names;
    names.reserve(opened.size());
    for (const AttributeSet& attrs : opened) names.push_back({ouid_of(attrs), label_of(attrs), 0});
    SR_ASSIGN_OR_RETURN(auto outcomes, m_device.import_objects(target_session, std::move(opened)));
    CloneTargetResult result;
    for (size_t i = 0; i < names.size(); ++i) {
        ClonedObject& c = names[i];
        const Result<ObjectHandle>& h = outcomes[i];
        if (h) {
            c.handle = *h;
            result.imported.push_back(std::move(c));
        } else if (h.code() == Err::ObjectAlreadyExists) {
            result.skipped.push_back(std::move(c));
        } else {
            result.refused.push_back(
                {0, std::move(c.label), std::move(c.ouid), h.code(), h.status().message()});
        }
    }
    return result;
}

}  // namespace sr::hsm
