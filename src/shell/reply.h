// What a shell command has to say: text lines for people (printed as they are) and a JSON object
// for scripts (`--json`). A command fills both with the same facts. Not thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace sr::shell {

class Reply final {
public:
    void line(std::string text = {}) { m_lines.push_back(std::move(text)); }
    nlohmann::json& data() { return m_data; }
    const std::vector<std::string>& lines() const { return m_lines; }
    const nlohmann::json& data() const { return m_data; }

private:
    std::vector<std::string> m_lines;
    nlohmann::json m_data = nlohmann::json::object();
};

}  // namespace sr::shell
