// Byte layouts: docs/design/clone-protocol.md. All integers big-endian.
#include "hsm/clone_protocol.h"

#include <algorithm>
#include <string>

namespace sr::hsm::clone {
namespace {

constexpr std::string_view kHelloContext = "strongroom clone v1 hello";
constexpr std::string_view kSourceContext = "strongroom clone v1 source";
constexpr std::string_view kObjectContext = "strongroom clone v1 object";

Status malformed(std::string_view what) {
    return error(Err::DataInvalid, "malformed clone message: " + std::string(what));
}

void put_u8(Bytes& out, uint8_t v) { out.push_back(v); }
void put_raw(Bytes& out, ByteView b) { out.insert(out.end(), b.begin(), b.end()); }

void put_header(Bytes& out, uint8_t type, const SessionTag& session) {
    put_raw(out, kMagic);
    put_u8(out, kVersion);
    put_u8(out, type);
    put_raw(out, session);
}

void put_endpoint(Bytes& out, const Endpoint& e) {
    put_u32(out, e.firmware.major);
    put_u32(out, e.firmware.minor);
    put_u32(out, e.firmware.patch);
    put_u8(out, static_cast<uint8_t>(e.form_factor));
    put_u8(out, static_cast<uint8_t>(e.auth));
    put_blob(out, e.certificate_der);
    put_blob(out, e.domain_fingerprint);
    put_blob(out, e.ephemeral_public);
    put_raw(out, e.nonce);
}

template <size_t N>
Status read_array(Reader& r, std::array<uint8_t, N>& out, std::string_view what) {
    auto v = r.take(N);
    if (!v) return malformed(what);
    std::copy(v->begin(), v->end(), out.begin());
    return {};
}

Result<Bytes> read_blob(Reader& r, size_t max, std::string_view what) {
    auto v = r.blob();
    if (!v || v->size() > max) return malformed(what);
    return Bytes(v->begin(), v->end());
}

Status read_header(Reader& r, uint8_t type, SessionTag& session) {
    auto magic = r.take(kMagic.size());
    if (!magic || !std::equal(magic->begin(), magic->end(), kMagic.begin()))
        return malformed("not a Strongroom clone message");
    auto version = r.u8();
    if (!version) return malformed("truncated header");
    if (*version != kVersion)
        return error(Err::DataInvalid, "clone protocol version " + std::to_string(*version) +
                                           " is not supported (this device speaks version " +
                                           std::to_string(kVersion) + ")");
    auto t = r.u8();
    if (!t || *t != type) return malformed("unexpected message type");
    return read_array(r, session, "session id");
}

Result<Endpoint> read_endpoint(Reader& r) {
    Endpoint e;
    auto major = r.u32();
    auto minor = r.u32();
    auto patch = r.u32();
    if (!major || !minor || !patch) return malformed("firmware version");
    e.firmware = FirmwareVersion{*major, *minor, *patch};
    auto ff = r.u8();
    if (!ff || *ff > static_cast<uint8_t>(FormFactor::Backup)) return malformed("form factor");
    e.form_factor = static_cast<FormFactor>(*ff);
    auto auth = r.u8();
    if (!auth || *auth > static_cast<uint8_t>(AuthType::Ped)) return malformed("auth type");
    e.auth = static_cast<AuthType>(*auth);
    SR_ASSIGN_OR_RETURN(e.certificate_der, read_blob(r, kMaxCertBytes, "certificate"));
    SR_ASSIGN_OR_RETURN(e.domain_fingerprint, read_blob(r, kMaxSmallField, "domain fingerprint"));
    SR_ASSIGN_OR_RETURN(e.ephemeral_public, read_blob(r, kMaxSmallField, "ephemeral key"));
    SR_TRY(read_array(r, e.nonce, "nonce"));
    return e;
}

Bytes hello_body(const Hello& h) {
    Bytes out;
    put_header(out, kTypeHello, h.session);
    put_endpoint(out, h.target);
    return out;
}

Bytes sealed_body(const SealedMessage& m) {
    Bytes out;
    put_header(out, kTypeSealed, m.session);
    put_blob(out, m.hello_hash);
    put_endpoint(out, m.source);
    put_u32(out, m.object_count);
    return out;
}

Bytes with_context(std::string_view context, const Bytes& body) {
    Bytes out = to_bytes(context);
    out.push_back(0);
    put_raw(out, body);
    return out;
}

}  // namespace

Bytes hello_signed_bytes(const Hello& h) { return with_context(kHelloContext, hello_body(h)); }
Bytes sealed_signed_bytes(const SealedMessage& m) {
    return with_context(kSourceContext, sealed_body(m));
}

Bytes encode_hello(const Hello& h) {
    Bytes out = hello_body(h);
    put_blob(out, h.signature);
    return out;
}

Result<Hello> decode_hello(ByteView in) {
    Reader r(in);
    Hello h;
    SR_TRY(read_header(r, kTypeHello, h.session));
    SR_ASSIGN_OR_RETURN(h.target, read_endpoint(r));
    SR_ASSIGN_OR_RETURN(h.signature, read_blob(r, kMaxSmallField, "signature"));
    if (!r.done()) return malformed("trailing bytes after the hello");
    return h;
}

Bytes encode_sealed(const SealedMessage& m) {
    Bytes out = sealed_body(m);
    put_blob(out, m.signature);
    for (const auto& o : m.objects) {
        put_u32(out, o.sequence);
        put_blob(out, o.sealed);
    }
    return out;
}

Result<SealedMessage> decode_sealed(ByteView in) {
    Reader r(in);
    SealedMessage m;
    SR_TRY(read_header(r, kTypeSealed, m.session));
    SR_ASSIGN_OR_RETURN(m.hello_hash, read_blob(r, kMaxSmallField, "hello hash"));
    SR_ASSIGN_OR_RETURN(m.source, read_endpoint(r));
    auto count = r.u32();
    if (!count || *count > kMaxObjects) return malformed("object count");
    m.object_count = *count;
    SR_ASSIGN_OR_RETURN(m.signature, read_blob(r, kMaxSmallField, "signature"));
    // Each object needs at least 8 bytes, so a lying count cannot make us reserve much.
    if (r.remaining() / 8 < m.object_count) return malformed("fewer objects than announced");
    m.objects.reserve(m.object_count);
    for (uint32_t i = 0; i < m.object_count; ++i) {
        SealedObject o;
        auto seq = r.u32();
        if (!seq) return malformed("object sequence number");
        o.sequence = *seq;
        SR_ASSIGN_OR_RETURN(o.sealed, read_blob(r, kMaxSealedObjectBytes, "sealed object"));
        m.objects.push_back(std::move(o));
    }
    if (!r.done()) return malformed("trailing bytes after the last object");
    return m;
}

Bytes object_aad(const SessionTag& session, uint32_t sequence, uint32_t count) {
    Bytes out = to_bytes(kObjectContext);
    out.push_back(0);
    put_raw(out, session);
    put_u32(out, sequence);
    put_u32(out, count);
    return out;
}

}  // namespace sr::hsm::clone
