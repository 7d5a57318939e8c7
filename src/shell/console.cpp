// The two consoles: a stream (scripts, pipes, tests) and the terminal (readline, masked input).
#include "shell/console.h"

#include <readline/history.h>
#include <readline/readline.h>
#include <termios.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>

namespace sr::shell {
namespace {

class StreamConsole final : public Console {
public:
    StreamConsole(std::istream& in, std::ostream& out, bool echo)
        : m_in(in), m_out(out), m_echo(echo) {}

    void write(std::string_view text) override { m_out << text << std::flush; }
    void progress(std::string_view text) override { m_out << "        " << text << '\n'; }
    std::optional<std::string> read_command(std::string_view prompt) override {
        auto line = next_line();
        if (m_echo && line) m_out << (prompt.empty() ? "srcm:> " : prompt) << *line << '\n';
        return line;
    }
    std::optional<std::string> ask(std::string_view prompt, bool secret) override {
        m_out << prompt;
        auto line = next_line();
        if (m_echo && line) m_out << (secret ? std::string(8, '*') : *line);
        m_out << '\n';
        return line;
    }
    bool interactive() const override { return false; }

private:
    std::optional<std::string> next_line() {
        std::string line;
        if (!std::getline(m_in, line)) return std::nullopt;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        return line;
    }

    std::istream& m_in;
    std::ostream& m_out;
    const bool m_echo;
};

// Echo off while a secret is typed; one `*` per character like LunaCM would be nicer, but
// canonical mode without echo keeps line editing (backspace) working.
class EchoOff final {
public:
    EchoOff() {
        if (tcgetattr(STDIN_FILENO, &m_saved) != 0) return;
        termios t = m_saved;
        t.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        m_active = tcsetattr(STDIN_FILENO, TCSAFLUSH, &t) == 0;
    }
    ~EchoOff() {
        if (m_active) tcsetattr(STDIN_FILENO, TCSAFLUSH, &m_saved);
    }
    EchoOff(const EchoOff&) = delete;
    EchoOff& operator=(const EchoOff&) = delete;

private:
    termios m_saved{};
    bool m_active = false;
};

class TerminalConsole final : public Console {
public:
    void write(std::string_view text) override {
        end_progress();
        std::cout << text << std::flush;
    }
    void progress(std::string_view text) override {
        std::cout << "\r        " << text << "\033[K" << std::flush;
        m_progress_open = true;
    }
    std::optional<std::string> read_command(std::string_view prompt) override {
        end_progress();
        char* raw = readline(std::string(prompt).c_str());
        if (raw == nullptr) return std::nullopt;
        std::string line(raw);
        std::free(raw);
        if (line.find_first_not_of(" \t") != std::string::npos) add_history(line.c_str());
        return line;
    }
    std::optional<std::string> ask(std::string_view prompt, bool secret) override {
        end_progress();
        std::cout << prompt << std::flush;
        std::string line;
        bool ok = false;
        if (secret) {
            EchoOff off;
            ok = static_cast<bool>(std::getline(std::cin, line));
            std::cout << '\n';
        } else {
            ok = static_cast<bool>(std::getline(std::cin, line));
        }
        if (!ok) return std::nullopt;
        return line;
    }
    bool interactive() const override { return true; }

private:
    void end_progress() {
        if (m_progress_open) std::cout << '\n';
        m_progress_open = false;
    }
    bool m_progress_open = false;
};

}  // namespace

std::unique_ptr<Console> stream_console(std::istream& in, std::ostream& out, bool echo) {
    return std::make_unique<StreamConsole>(in, out, echo);
}

std::unique_ptr<Console> terminal_console() { return std::make_unique<TerminalConsole>(); }

}  // namespace sr::shell
