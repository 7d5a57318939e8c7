#include "common/result.h"

namespace sr {

std::string Status::message() const {
    return m_message.empty() ? std::string(err_text(m_code)) : m_message;
}

std::string Status::to_string() const {
    std::string out(err_name(m_code));
    out += ": ";
    out += message();
    return out;
}

Status Status::with_context(std::string_view context) const& {
    if (is_ok()) return *this;
    std::string msg(context);
    msg += ": ";
    msg += message();
    return Status(m_code, std::move(msg));
}

}  // namespace sr
