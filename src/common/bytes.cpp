#include "common/bytes.h"

namespace sr {

std::string to_hex(ByteView b) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(b.size() * 2);
    for (uint8_t c : b) {
        out.push_back(kDigits[c >> 4]);
        out.push_back(kDigits[c & 0xF]);
    }
    return out;
}

namespace {
int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}
}  // namespace

Result<Bytes> from_hex(std::string_view hex) {
    if (hex.size() % 2 != 0) return error(Err::DataInvalid, "hex string has odd length");
    Bytes out;
    out.reserve(hex.size() / 2);
    for (size_t i = 0; i < hex.size(); i += 2) {
        int hi = hex_value(hex[i]);
        int lo = hex_value(hex[i + 1]);
        if (hi < 0 || lo < 0) return error(Err::DataInvalid, "invalid hex digit");
        out.push_back(static_cast<uint8_t>((hi << 4) | lo));
    }
    return out;
}

bool equal_ct(ByteView a, ByteView b) noexcept {
    if (a.size() != b.size()) return false;
    uint8_t acc = 0;
    for (size_t i = 0; i < a.size(); ++i) acc = static_cast<uint8_t>(acc | (a[i] ^ b[i]));
    return acc == 0;
}

void put_u32(Bytes& out, uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<uint8_t>(v >> s));
}

void put_u64(Bytes& out, uint64_t v) {
    for (int s = 56; s >= 0; s -= 8) out.push_back(static_cast<uint8_t>(v >> s));
}

void put_blob(Bytes& out, ByteView b) {
    put_u32(out, static_cast<uint32_t>(b.size()));
    out.insert(out.end(), b.begin(), b.end());
}

Result<uint8_t> Reader::u8() {
    SR_ASSIGN_OR_RETURN(auto b, take(1));
    return b[0];
}

Result<uint32_t> Reader::u32() {
    SR_ASSIGN_OR_RETURN(auto b, take(4));
    uint32_t v = 0;
    for (uint8_t c : b) v = (v << 8) | c;
    return v;
}

Result<uint64_t> Reader::u64() {
    SR_ASSIGN_OR_RETURN(auto b, take(8));
    uint64_t v = 0;
    for (uint8_t c : b) v = (v << 8) | c;
    return v;
}

Result<ByteView> Reader::take(size_t n) {
    if (n > remaining()) return error(Err::DataInvalid, "truncated input");
    ByteView out = m_in.subspan(m_pos, n);
    m_pos += n;
    return out;
}

Result<ByteView> Reader::blob() {
    SR_ASSIGN_OR_RETURN(uint32_t n, u32());
    return take(n);
}

}  // namespace sr
