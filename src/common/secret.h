// SecretBytes: the only type that holds key material, credentials or derived secrets in memory.
// Move-only, wiped when freed (including on reallocation), never formattable or loggable;
// copied only by the explicit clone(), which shows in review.
#pragma once

#include <string.h>  // explicit_bzero

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace sr {

template <class T>
struct WipingAllocator {
    using value_type = T;
    WipingAllocator() noexcept = default;
    template <class U>
    WipingAllocator(const WipingAllocator<U>&) noexcept {}  // NOLINT: allocator rebind
    T* allocate(size_t n) { return std::allocator<T>{}.allocate(n); }
    void deallocate(T* p, size_t n) noexcept {
        explicit_bzero(p, n * sizeof(T));
        std::allocator<T>{}.deallocate(p, n);
    }
    template <class U>
    bool operator==(const WipingAllocator<U>&) const noexcept { return true; }
};

class SecretBytes final {
public:
    using Storage = std::vector<uint8_t, WipingAllocator<uint8_t>>;

    SecretBytes() = default;
    explicit SecretBytes(size_t n) : m_v(n) {}
    SecretBytes(std::span<const uint8_t> b) : m_v(b.begin(), b.end()) {}  // NOLINT: import
    ~SecretBytes() = default;  // the allocator wipes
    SecretBytes(SecretBytes&&) noexcept = default;
    SecretBytes& operator=(SecretBytes&&) noexcept = default;
    SecretBytes(const SecretBytes&) = delete;
    SecretBytes& operator=(const SecretBytes&) = delete;

    [[nodiscard]] SecretBytes clone() const { return SecretBytes(span()); }

    uint8_t* data() noexcept { return m_v.data(); }
    const uint8_t* data() const noexcept { return m_v.data(); }
    size_t size() const noexcept { return m_v.size(); }
    bool empty() const noexcept { return m_v.empty(); }
    void resize(size_t n) { m_v.resize(n); }
    void reserve(size_t n) { m_v.reserve(n); }
    void clear() noexcept { m_v.clear(); }
    void append(std::span<const uint8_t> b) { m_v.insert(m_v.end(), b.begin(), b.end()); }
    uint8_t& operator[](size_t i) { return m_v[i]; }
    uint8_t operator[](size_t i) const { return m_v[i]; }

    std::span<const uint8_t> span() const noexcept { return {m_v.data(), m_v.size()}; }
    std::span<uint8_t> mutable_span() noexcept { return {m_v.data(), m_v.size()}; }

private:
    Storage m_v;
};

}  // namespace sr
