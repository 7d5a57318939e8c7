// Plain (non-secret) byte buffers and the small helpers every layer needs on them.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace sr {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;

inline ByteView as_bytes(std::string_view s) {
    return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
inline Bytes to_bytes(std::string_view s) { return {s.begin(), s.end()}; }
inline std::string to_string(ByteView b) { return {b.begin(), b.end()}; }

std::string to_hex(ByteView b);
Result<Bytes> from_hex(std::string_view hex);

// Constant-time comparison of equal-length buffers (false when lengths differ).
bool equal_ct(ByteView a, ByteView b) noexcept;

// Append helpers for simple length-prefixed encodings (big-endian).
void put_u32(Bytes& out, uint32_t v);
void put_u64(Bytes& out, uint64_t v);
void put_blob(Bytes& out, ByteView b);  // u32 length + bytes

// Cursor over untrusted bytes: every read is bounds-checked and fails cleanly.
class Reader final {
public:
    explicit Reader(ByteView in) : m_in(in) {}
    Result<uint8_t> u8();
    Result<uint32_t> u32();
    Result<uint64_t> u64();
    Result<ByteView> take(size_t n);
    Result<ByteView> blob();  // u32 length + bytes
    size_t remaining() const noexcept { return m_in.size() - m_pos; }
    bool done() const noexcept { return remaining() == 0; }

private:
    ByteView m_in;
    size_t m_pos = 0;
};

}  // namespace sr
