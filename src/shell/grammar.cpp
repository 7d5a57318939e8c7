// Parsing and help generation for the shells' `noun verb -option value` grammar.
#include "shell/grammar.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>

namespace sr::shell {
namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// `-name` with a letter after the dash; `-1` and a lone `-` are values.
bool is_option_word(const Token& t) {
    return !t.quoted && t.text.size() >= 2 && t.text[0] == '-' &&
           std::isalpha(static_cast<unsigned char>(t.text[1])) != 0;
}

bool is_help_word(const Token& t) {
    if (t.quoted) return false;
    const std::string w = lower(t.text);
    return w == "?" || w == "help";
}

bool is_help_option(const Token& t) {
    if (t.quoted) return false;
    const std::string w = lower(t.text);
    return w == "-help" || w == "-?";
}

// Where a help request starts after the first word: `?` / `help` among the command words, or
// `-help` / `-?` anywhere. Once options begin, a bare `help` is a value (`-label help`).
std::optional<size_t> help_position(std::span<const Token> words) {
    bool in_options = false;
    for (size_t i = 1; i < words.size(); ++i) {
        if (is_help_option(words[i])) return i;
        in_options = in_options || is_option_word(words[i]);
        if (!in_options && is_help_word(words[i])) return i;
    }
    return std::nullopt;
}

bool matches(std::string_view word, const std::string& name, const std::string& short_name) {
    const std::string w = lower(word);
    return w == name || (!short_name.empty() && w == short_name);
}

const OptionSpec* find_option(const CommandSpec& c, std::string_view word) {
    for (const OptionSpec& o : c.options)
        if (matches(word, o.name, o.short_name)) return &o;
    return nullptr;
}

Status usage_error(const CommandSpec& c, const std::string& what) {
    return error(Err::ArgumentsBad, what + "\nUsage: " + Grammar::usage(c));
}

bool is_number(std::string_view s) {
    uint64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return ec == std::errc() && end == s.data() + s.size() && !s.empty();
}

std::string option_synopsis(const OptionSpec& o) {
    std::string s = "-" + o.name;
    if (o.kind != ValueKind::Flag)
        s += " " + (o.value_name.empty() ? std::string("<") + o.name + ">" : o.value_name);
    return s;
}

}  // namespace

Result<std::vector<Token>> tokenize(std::string_view line) {
    std::vector<Token> out;
    size_t i = 0;
    while (i < line.size()) {
        if (is_blank(line[i])) {
            ++i;
            continue;
        }
        Token t;
        while (i < line.size() && !is_blank(line[i])) {
            if (line[i] != '"') {
                t.text.push_back(line[i++]);
                continue;
            }
            t.quoted = true;
            ++i;
            bool closed = false;
            while (i < line.size()) {
                const char c = line[i++];
                if (c == '"') {
                    closed = true;
                    break;
                }
                if (c == '\\' && i < line.size() && (line[i] == '"' || line[i] == '\\')) {
                    t.text.push_back(line[i++]);
                    continue;
                }
                t.text.push_back(c);
            }
            if (!closed) return error(Err::ArgumentsBad, "a double quote is not closed");
        }
        out.push_back(std::move(t));
    }
    return out;
}

bool Arguments::has(std::string_view option) const { return m_values.count(option) != 0; }

std::optional<std::string> Arguments::text(std::string_view option) const {
    auto it = m_values.find(option);
    if (it == m_values.end()) return std::nullopt;
    return it->second;
}

std::optional<uint64_t> Arguments::number(std::string_view option) const {
    auto v = text(option);
    if (!v) return std::nullopt;
    uint64_t n = 0;
    std::from_chars(v->data(), v->data() + v->size(), n);
    return n;
}

std::vector<std::string> Arguments::list(std::string_view option) const {
    std::vector<std::string> out;
    auto v = text(option);
    if (!v) return out;
    size_t start = 0;
    while (start <= v->size()) {
        size_t comma = v->find(',', start);
        if (comma == std::string::npos) comma = v->size();
        std::string item = v->substr(start, comma - start);
        item.erase(0, item.find_first_not_of(' '));
        item.erase(item.find_last_not_of(' ') + 1);
        if (!item.empty()) out.push_back(std::move(item));
        start = comma + 1;
    }
    return out;
}

Grammar::Grammar(std::vector<CommandSpec> commands) : m_commands(std::move(commands)) {}

const CommandSpec* Grammar::find(std::string_view noun, std::string_view verb) const {
    std::vector<Token> words{{std::string(noun), false}};
    size_t start = 0;
    while (start < verb.size()) {
        size_t end = verb.find(' ', start);
        if (end == std::string_view::npos) end = verb.size();
        words.push_back({std::string(verb.substr(start, end - start)), false});
        start = end + 1;
    }
    auto [c, used] = match(words);
    return used == words.size() ? c : nullptr;
}

std::pair<const CommandSpec*, size_t> Grammar::match(std::span<const Token> words) const {
    const CommandSpec* best = nullptr;
    size_t best_used = 0;
    if (words.empty() || words[0].quoted) return {nullptr, 0};
    for (const CommandSpec& c : m_commands) {
        if (!matches(words[0].text, c.noun, c.noun_short)) continue;
        // The verb's words, one by one; a one-word verb may use its short form.
        size_t used = 1;
        bool ok = true;
        if (!c.verb.empty()) {
            size_t start = 0;
            const bool single = c.verb.find(' ') == std::string::npos;
            while (ok && start < c.verb.size()) {
                size_t end = c.verb.find(' ', start);
                if (end == std::string::npos) end = c.verb.size();
                const std::string part = c.verb.substr(start, end - start);
                ok = used < words.size() && !words[used].quoted &&
                     matches(words[used].text, part, single ? c.verb_short : std::string());
                ++used;
                start = end + 1;
            }
        }
        if (ok && used > best_used) {
            best = &c;
            best_used = used;
        }
    }
    return {best, best_used};
}

const std::string* Grammar::canonical_noun(std::string_view word) const {
    for (const CommandSpec& c : m_commands)
        if (matches(word, c.noun, c.noun_short)) return &c.noun;
    return nullptr;
}

Result<ParsedLine> Grammar::parse_help(std::span<const Token> words) const {
    ParsedLine p;
    p.kind = ParsedLine::Kind::Help;
    if (words.empty()) return p;
    auto [c, used] = match(words);
    if (c && (used > 1 || c->verb.empty())) {
        p.command = c;
        return p;
    }
    const std::string* noun = canonical_noun(words[0].text);
    if (!noun)
        return error(Err::ArgumentsBad, "no help for '" + words[0].text +
                                            "': not a command. Type 'help' for the list.");
    p.help_noun = *noun;
    return p;
}

Result<ParsedLine> Grammar::parse(std::string_view line) const {
    SR_ASSIGN_OR_RETURN(std::vector<Token> words, tokenize(line));
    ParsedLine p;
    if (words.empty() || (!words[0].quoted && words[0].text.starts_with('#'))) return p;
    const std::span<const Token> all(words);
    if (is_help_word(words[0])) return parse_help(all.subspan(1));
    // `<noun> ?`, `<noun> <verb> ?`, `<noun> <verb> ... -help`
    if (auto at = help_position(all)) return parse_help(all.first(*at));

    auto [c, consumed] = match(all);
    if (c && consumed == 1 && !c->verb.empty()) c = nullptr;
    if (!c) {
        if (const std::string* noun = canonical_noun(words[0].text)) {
            const std::string verb = words.size() >= 2 ? words[1].text : std::string();
            return error(Err::ArgumentsBad,
                         verb.empty() ? "'" + *noun + "' needs a command word. Type 'help " +
                                            *noun + "' for the list."
                                      : "'" + verb + "' is not a '" + *noun +
                                            "' command. Type 'help " + *noun + "' for the list.");
        }
        return error(Err::ArgumentsBad,
                     "'" + words[0].text + "' is not a command. Type 'help' for the list.");
    }
    p.kind = ParsedLine::Kind::Command;
    p.command = c;
    SR_TRY(parse_options(*c, all.subspan(consumed), p.args));
    return p;
}

Status Grammar::parse_options(const CommandSpec& c, std::span<const Token> words,
                              Arguments& args) {
    size_t i = 0;
    while (i < words.size()) {
        const Token& w = words[i];
        if (c.any_options) {
            args.set(lower(w.text), "");
            ++i;
            continue;
        }
        if (!is_option_word(w))
            return usage_error(c, "'" + w.text + "' is not an option of '" + c.name() +
                                      "' (options start with '-')");
        const OptionSpec* o = find_option(c, std::string_view(w.text).substr(1));
        if (!o) return usage_error(c, "'" + c.name() + "' has no option '" + w.text + "'");
        if (args.has(o->name)) return usage_error(c, "option -" + o->name + " is given twice");
        ++i;
        // A value runs to the next option word (BEHAVIOUR.md), so unquoted multi-word values work.
        std::string value;
        size_t parts = 0;
        while (i < words.size() && !is_option_word(words[i])) {
            if (parts++ > 0) value += ' ';
            value += words[i++].text;
        }
        if (o->kind == ValueKind::Flag) {
            if (parts > 0) return usage_error(c, "option -" + o->name + " takes no value");
        } else if (parts == 0) {
            return usage_error(c, "option -" + o->name + " needs a value");
        } else if (o->kind == ValueKind::Number && !is_number(value)) {
            return usage_error(c, "option -" + o->name + " needs a number, not '" + value + "'");
        }
        args.set(o->name, std::move(value));
    }
    for (const OptionSpec& o : c.options)
        if (!c.any_options && o.required && o.kind != ValueKind::Secret && !args.has(o.name))
            return usage_error(c, "option -" + o.name + " is required");
    return {};
}

std::string Grammar::usage(const CommandSpec& c) {
    std::string s = c.name();
    for (const OptionSpec& o : c.options) {
        const bool optional = !o.required || o.kind == ValueKind::Secret;
        s += optional ? " [" + option_synopsis(o) + "]" : " " + option_synopsis(o);
    }
    return s;
}

std::string Grammar::help(const CommandSpec& c) {
    std::string s = "NAME\n    " + c.name() + " - " + c.summary + "\n\nSYNOPSIS\n    " + usage(c) +
                    "\n";
    if (!c.noun_short.empty() || !c.verb_short.empty())
        s += "    short form: " + (c.noun_short.empty() ? c.noun : c.noun_short) +
             (c.verb.empty() ? "" : " " + (c.verb_short.empty() ? c.verb : c.verb_short)) + "\n";
    if (!c.description.empty()) s += "\nDESCRIPTION\n    " + c.description + "\n";
    if (!c.options.empty()) {
        s += "\nOPTIONS\n";
        for (const OptionSpec& o : c.options) {
            std::string head = "    " + option_synopsis(o);
            if (!o.short_name.empty()) head += "  (-" + o.short_name + ")";
            s += head + "\n        " + o.help + "\n";
        }
    }
    if (!c.examples.empty()) {
        s += "\nEXAMPLES\n";
        for (const std::string& e : c.examples) s += "    " + e + "\n";
    }
    return s;
}

std::string Grammar::index() const {
    std::string s = "Commands (type 'help <command>' for details):\n";
    std::string noun;
    for (const CommandSpec& c : m_commands) {
        if (c.noun != noun) {
            noun = c.noun;
            s += "\n";
        }
        std::string name = "    " + c.name();
        name.resize(std::max<size_t>(name.size() + 2, 32), ' ');
        s += name + c.summary + "\n";
    }
    return s;
}

std::string Grammar::group_help(std::string_view noun) const {
    const std::string* canonical = canonical_noun(noun);
    if (!canonical) return {};
    std::string s = "'" + *canonical + "' commands (type 'help " + *canonical +
                    " <command>' for details):\n\n";
    for (const CommandSpec& c : m_commands) {
        if (c.noun != *canonical) continue;
        std::string name = "    " + c.name();
        name.resize(std::max<size_t>(name.size() + 2, 32), ' ');
        s += name + c.summary + "\n";
    }
    return s;
}

}  // namespace sr::shell
