// Status and Result<T>: the error-return types of every fallible function (shaped like
// std::expected). Expected failures are values, never exceptions.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

#include "common/error.h"

namespace sr {

class [[nodiscard]] Status final {
public:
    Status() = default;  // ok
    explicit Status(Err code, std::string message = {})
        : m_code(code), m_message(std::move(message)) {}

    static Status ok() { return {}; }

    bool is_ok() const noexcept { return m_code == Err::Ok; }
    explicit operator bool() const noexcept { return is_ok(); }
    Err code() const noexcept { return m_code; }
    // Uniform with Result<T>, so SR_TRY works on both.
    const Status& status() const& noexcept { return *this; }
    // The specific message, or the code's default text when none was given.
    std::string message() const;
    // "PinIncorrect: incorrect password (slot 3)"-style text for logs and shells.
    std::string to_string() const;

    // Prefix context to the message ("opening store: ..."), keeping the code.
    Status with_context(std::string_view context) const&;

private:
    Err m_code = Err::Ok;
    std::string m_message;
};

inline Status error(Err code, std::string message = {}) { return Status(code, std::move(message)); }

template <class T>
class [[nodiscard]] Result final {
public:
    Result(T value) : m_v(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
    Result(Status status) : m_v(std::in_place_index<1>, std::move(status)) {  // NOLINT
        assert(!std::get<1>(m_v).is_ok() && "Result<T> built from an ok Status");
    }

    bool is_ok() const noexcept { return m_v.index() == 0; }
    explicit operator bool() const noexcept { return is_ok(); }

    T& value() & { return std::get<0>(m_v); }
    const T& value() const& { return std::get<0>(m_v); }
    T&& value() && { return std::get<0>(std::move(m_v)); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T&& operator*() && { return std::move(*this).value(); }

    Status status() const& { return is_ok() ? Status{} : std::get<1>(m_v); }
    Status status() && { return is_ok() ? Status{} : std::get<1>(std::move(m_v)); }
    Err code() const noexcept { return is_ok() ? Err::Ok : std::get<1>(m_v).code(); }

private:
    std::variant<T, Status> m_v;
};

template <>
class [[nodiscard]] Result<void> final {
public:
    Result() = default;
    Result(Status status) : m_status(std::move(status)) {}  // NOLINT: implicit by design
    bool is_ok() const noexcept { return m_status.is_ok(); }
    explicit operator bool() const noexcept { return is_ok(); }
    Status status() const& { return m_status; }
    Status status() && { return std::move(m_status); }
    Err code() const noexcept { return m_status.code(); }

private:
    Status m_status;
};

}  // namespace sr

#define SR_CONCAT_INNER(a, b) a##b
#define SR_CONCAT(a, b) SR_CONCAT_INNER(a, b)

// Return the failure of a Status / Result<T> expression from the enclosing function.
#define SR_TRY(expr)                                                \
    do {                                                            \
        auto&& sr_try_result_ = (expr);                             \
        if (!sr_try_result_.is_ok()) return sr_try_result_.status(); \
    } while (0)

// `SR_ASSIGN_OR_RETURN(auto x, f());` declares x from a successful Result or returns its failure.
#define SR_ASSIGN_OR_RETURN(lhs, expr) \
    SR_ASSIGN_OR_RETURN_IMPL(SR_CONCAT(sr_aor_, __LINE__), lhs, expr)
#define SR_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr)        \
    auto tmp = (expr);                                  \
    if (!tmp.is_ok()) return std::move(tmp).status();   \
    lhs = std::move(tmp).value()
