#include "hsm/attributes.h"

#include <cstring>
#include <string>

namespace sr::hsm {

AttributeSet AttributeSet::clone() const {
    AttributeSet out;
    out.m_plain = m_plain;
    for (const auto& [t, v] : m_secret) out.m_secret.emplace(t, v.clone());
    return out;
}

bool AttributeSet::has(AttrType t) const noexcept {
    return m_plain.count(t) != 0 || m_secret.count(t) != 0;
}

std::optional<ByteView> AttributeSet::get(AttrType t) const {
    if (auto it = m_plain.find(t); it != m_plain.end()) return ByteView(it->second);
    if (auto it = m_secret.find(t); it != m_secret.end()) return it->second.span();
    return std::nullopt;
}

std::optional<bool> AttributeSet::get_bool(AttrType t) const {
    auto v = get(t);
    if (!v) return std::nullopt;
    return decode_bool(*v);
}

std::optional<uint64_t> AttributeSet::get_ulong(AttrType t) const {
    auto v = get(t);
    if (!v) return std::nullopt;
    return decode_ulong(*v);
}

bool AttributeSet::flag(AttrType t, bool fallback) const { return get_bool(t).value_or(fallback); }

void AttributeSet::set_bool(AttrType t, bool v) { set_bytes(t, encode_bool(v)); }
void AttributeSet::set_ulong(AttrType t, uint64_t v) { set_bytes(t, encode_ulong(v)); }

void AttributeSet::set_bytes(AttrType t, ByteView v) {
    m_secret.erase(t);
    m_plain[t] = Bytes(v.begin(), v.end());
}

void AttributeSet::set_secret(AttrType t, SecretBytes v) {
    m_plain.erase(t);
    m_secret.insert_or_assign(t, std::move(v));
}

void AttributeSet::make_secret(AttrType t) {
    auto it = m_plain.find(t);
    if (it == m_plain.end()) return;
    SecretBytes s(ByteView(it->second));
    // Wipe the plain copy before the vector frees it: Bytes has no wiping allocator.
    if (!it->second.empty()) explicit_bzero(it->second.data(), it->second.size());
    m_plain.erase(it);
    m_secret.insert_or_assign(t, std::move(s));
}

void AttributeSet::erase(AttrType t) {
    m_plain.erase(t);
    m_secret.erase(t);
}

void AttributeSet::merge(AttributeSet&& other) {
    for (auto& [t, v] : other.m_plain) {
        m_secret.erase(t);
        m_plain[t] = std::move(v);
    }
    for (auto& [t, v] : other.m_secret) {
        m_plain.erase(t);
        m_secret.insert_or_assign(t, std::move(v));
    }
    other.m_plain.clear();
    other.m_secret.clear();
}

std::vector<AttrType> AttributeSet::types() const {
    std::vector<AttrType> out;
    out.reserve(size());
    auto p = m_plain.begin();
    auto s = m_secret.begin();
    while (p != m_plain.end() || s != m_secret.end()) {
        if (s == m_secret.end() || (p != m_plain.end() && p->first < s->first)) {
            out.push_back((p++)->first);
        } else {
            out.push_back((s++)->first);
        }
    }
    return out;
}

AttributeSet AttributeSet::from_parts(std::map<AttrType, Bytes> plain,
                                      std::map<AttrType, SecretBytes> secret) {
    AttributeSet out;
    out.m_plain = std::move(plain);
    out.m_secret = std::move(secret);
    // A type in both halves would be ambiguous; the secret half wins.
    for (const auto& [t, v] : out.m_secret) out.m_plain.erase(t);
    return out;
}

Bytes encode_bool(bool v) { return Bytes{static_cast<uint8_t>(v ? 1 : 0)}; }

Bytes encode_ulong(uint64_t v) {
    const CkUlong native = static_cast<CkUlong>(v);
    Bytes out(sizeof(native));
    std::memcpy(out.data(), &native, sizeof(native));
    return out;
}

std::optional<bool> decode_bool(ByteView v) {
    if (v.size() != 1) return std::nullopt;
    return v[0] != 0;
}

std::optional<uint64_t> decode_ulong(ByteView v) {
    if (v.size() != sizeof(CkUlong)) return std::nullopt;
    CkUlong native = 0;
    std::memcpy(&native, v.data(), sizeof(native));
    return static_cast<uint64_t>(native);
}

// ---- TLV codec

namespace {

template <class Out, class Map>
void encode_into(Out& out, const Map& values) {
    // Size first, then write in place: one allocation, and no vector::insert (GCC 12 at -O3
    // reports a false stringop-overflow on inserting into a freshly reserved vector).
    size_t total = 1;
    for (const auto& [t, v] : values) total += 12 + v.size();
    out.resize(total);
    size_t at = 0;
    out[at++] = kAttrCodecVersion;
    for (const auto& [t, v] : values) {
        for (int i = 0; i < 8; ++i) out[at++] = static_cast<uint8_t>(t >> (56 - 8 * i));
        const auto len = static_cast<uint32_t>(v.size());
        for (int i = 0; i < 4; ++i) out[at++] = static_cast<uint8_t>(len >> (24 - 8 * i));
        if (!v.empty()) std::memcpy(&out[at], v.data(), v.size());
        at += v.size();
    }
}

Status corrupt(size_t offset, std::string_view what) {
    return error(Err::StoreCorrupt,
                 "attribute blob: " + std::string(what) + " at offset " + std::to_string(offset));
}

// Walks the blob, calling `emit(type, value)` per attribute after all structural checks.
template <class Emit>
Status decode_walk(ByteView blob, Emit&& emit) {
    Reader r(blob);
    auto version = r.u8();
    if (!version.is_ok()) return corrupt(0, "empty blob");
    if (*version != kAttrCodecVersion) {
        return error(Err::StoreCorrupt, "attribute blob: unknown format version " +
                                            std::to_string(*version));
    }
    std::optional<AttrType> previous;
    while (!r.done()) {
        const size_t offset = blob.size() - r.remaining();
        auto type = r.u64();
        if (!type.is_ok()) return corrupt(offset, "truncated attribute type");
        auto len = r.u32();
        if (!len.is_ok()) return corrupt(offset, "truncated attribute length");
        if (*len > kMaxEncodedAttrValue) return corrupt(offset, "attribute value too long");
        auto value = r.take(*len);
        if (!value.is_ok()) return corrupt(offset, "attribute value runs past the end");
        if (previous && *type == *previous) return corrupt(offset, "duplicate attribute type");
        if (previous && *type < *previous) return corrupt(offset, "attribute types out of order");
        previous = *type;
        emit(*type, *value);
    }
    return Status::ok();
}

}  // namespace

Bytes encode_attributes(const std::map<AttrType, Bytes>& values) {
    Bytes out;
    encode_into(out, values);
    return out;
}

Result<std::map<AttrType, Bytes>> decode_attributes(ByteView blob) {
    std::map<AttrType, Bytes> out;
    SR_TRY(decode_walk(blob, [&out](AttrType t, ByteView v) {
        out.emplace_hint(out.end(), t, Bytes(v.begin(), v.end()));
    }));
    return out;
}

SecretBytes encode_secret_attributes(const std::map<AttrType, SecretBytes>& values) {
    SecretBytes::Storage out;
    encode_into(out, values);
    return SecretBytes(std::span<const uint8_t>(out.data(), out.size()));
}

Result<std::map<AttrType, SecretBytes>> decode_secret_attributes(ByteView blob) {
    std::map<AttrType, SecretBytes> out;
    SR_TRY(decode_walk(blob, [&out](AttrType t, ByteView v) {
        out.emplace_hint(out.end(), t, SecretBytes(v));
    }));
    return out;
}

}  // namespace sr::hsm
