// The shells' command grammar (BEHAVIOUR.md "Shell grammar"; luna-reference.md §1.1): commands
// declare their words and options once, and the same declaration parses a line, checks it and
// generates usage and help text. Shared by srcm and srsh. Pure functions over strings; a Grammar
// is immutable after construction and safe to share between threads.
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace sr::shell {

// One word of a command line. A quoted word is never read as an option name.
struct Token {
    std::string text;
    bool quoted = false;
};

// Splits on blanks; double quotes group (and may be empty), a backslash escapes a quote or a
// backslash inside quotes. ArgumentsBad for an unterminated quote.
Result<std::vector<Token>> tokenize(std::string_view line);

enum class ValueKind : uint8_t {
    Flag,    // present or not; takes no value
    Text,    // free text; may span several words (`-name Crypto Officer`)
    Secret,  // like Text, never echoed, prompted for by the command when absent
    Number,  // an unsigned decimal number
    List,    // comma-separated words (`-policy 33,37,40`)
};

struct OptionSpec {
    std::string name;        // without the dash, lower case: "password"
    std::string short_name;  // the published short form, or empty: "p"
    ValueKind kind = ValueKind::Text;
    bool required = false;   // a Secret is never required here: the command prompts for it
    std::string value_name;  // shown in usage: "<password>"
    std::string help;
};

struct CommandSpec {
    std::string noun;        // lower case: "partition"
    std::string noun_short;  // published short form or empty: "par"
    std::string verb;        // lower case, may be several words ("archive backup"); empty for a
                             // one-word command
    std::string verb_short;  // "changepo"
    std::string summary;     // one line, no final full stop
    std::string description; // paragraphs for `help`
    std::vector<OptionSpec> options;
    // Take any option without checking it (commands that only answer "not available").
    bool any_options = false;
    // Complete command lines shown under EXAMPLES in `help` (man-page style); may be empty.
    std::vector<std::string> examples{};

    std::string name() const { return verb.empty() ? noun : noun + " " + verb; }
};

// The options of one parsed line, by canonical (long) name.
class Arguments final {
public:
    bool has(std::string_view option) const;
    std::optional<std::string> text(std::string_view option) const;
    // Number options are checked at parse time, so a present one always converts.
    std::optional<uint64_t> number(std::string_view option) const;
    std::vector<std::string> list(std::string_view option) const;
    void set(std::string name, std::string value) { m_values[std::move(name)] = std::move(value); }

private:
    std::map<std::string, std::string, std::less<>> m_values;
};

// Points into the Grammar that parsed it: valid while that Grammar lives.
struct ParsedLine {
    enum class Kind : uint8_t { Empty, Command, Help };
    Kind kind = Kind::Empty;
    const CommandSpec* command = nullptr;  // Command; or Help for one command
    std::string help_noun;                 // Help for a whole group (`help partition`)
    Arguments args;
};

class Grammar final {
public:
    explicit Grammar(std::vector<CommandSpec> commands);

    // Empty and comment (`#`) lines parse to Kind::Empty. `help`, `?`, `help <noun> [<verb>]`,
    // `<noun> ?`, `<noun> <verb> ?` and `<noun> <verb> -help` parse to Kind::Help.
    // ArgumentsBad, with a message naming the word at fault and ending with the usage line,
    // for an unknown command or option, a missing or surplus value, a bad number, a repeated
    // option or a missing required option.
    Result<ParsedLine> parse(std::string_view line) const;

    // `verb` may be several words separated by single blanks.
    const CommandSpec* find(std::string_view noun, std::string_view verb) const;
    std::span<const CommandSpec> commands() const { return m_commands; }

    // `partition clone -objects <handles> -slot <slot> [-password <password>] [-force]`
    static std::string usage(const CommandSpec& c);
    // Man-page style help for one command: name, synopsis, description, options.
    static std::string help(const CommandSpec& c);
    // `help` alone: every command with its summary, grouped by noun.
    std::string index() const;
    // `help partition`: the group's commands. Empty when the noun is unknown.
    std::string group_help(std::string_view noun) const;

private:
    const std::string* canonical_noun(std::string_view word) const;
    // The command named by the leading words (longest verb first) and how many words it took.
    std::pair<const CommandSpec*, size_t> match(std::span<const Token> words) const;
    Result<ParsedLine> parse_help(std::span<const Token> words) const;
    static Status parse_options(const CommandSpec& c, std::span<const Token> words,
                                Arguments& args);

    std::vector<CommandSpec> m_commands;
};

}  // namespace sr::shell
