// The shells' grammar: the guide's command lines parse as written; bad lines give a clear error
// that ends with the usage line; help is generated from the same declarations.
#include "shell/grammar.h"

#include <gtest/gtest.h>

namespace sr::shell {
namespace {

Grammar sample_grammar() {
    std::vector<CommandSpec> c;
    c.push_back({"partition", "par", "clone", "", "Clone objects to another slot",
                 "Copies objects from the current slot to the target slot.",
                 {{"objects", "o", ValueKind::List, true, "<handles>", "Handles; 0 = all."},
                  {"slot", "s", ValueKind::Number, true, "<slot>", "Target slot."},
                  {"password", "p", ValueKind::Secret, false, "<password>", "Target CO."},
                  {"force", "f", ValueKind::Flag, false, "", "No confirmation."}}});
    c.push_back({"partition", "par", "changepolicy", "changepo", "Change partition policies", "",
                 {{"policy", "p", ValueKind::List, true, "<ids>", "Policy ids."},
                  {"value", "v", ValueKind::List, true, "<values>", "Values."}}});
    c.push_back({"role", "", "login", "", "Log a role in", "",
                 {{"name", "n", ValueKind::Text, true, "<role>", "Role name."},
                  {"password", "p", ValueKind::Secret, false, "<password>", "Password."}}});
    c.push_back({"exit", "", "", "", "Leave the shell", "", {}});
    return Grammar(std::move(c));
}

TEST(ShellTokenize, QuotesGroupWordsAndMayBeEmpty) {
    auto t = tokenize(R"(role login -name "Crypto Officer" -password "")");
    ASSERT_TRUE(t.is_ok());
    ASSERT_EQ(t->size(), 6u);
    EXPECT_EQ((*t)[3].text, "Crypto Officer");
    EXPECT_TRUE((*t)[3].quoted);
    EXPECT_EQ((*t)[5].text, "");
    EXPECT_TRUE((*t)[5].quoted);
}

TEST(ShellTokenize, BackslashEscapesAQuoteInsideQuotes) {
    auto t = tokenize(R"(x "a\"b\\c")");
    ASSERT_TRUE(t.is_ok());
    EXPECT_EQ((*t)[1].text, R"(a"b\c)");
}

TEST(ShellTokenize, UnterminatedQuoteIsAnError) {
    auto t = tokenize(R"(role login -name "Crypto)");
    ASSERT_FALSE(t.is_ok());
    EXPECT_EQ(t.code(), Err::ArgumentsBad);
}

TEST(ShellGrammar, UnquotedMultiWordValueRunsToTheNextOption) {
    const Grammar g = sample_grammar();
    auto p = g.parse("role login -name Crypto Officer -password s3cret!x");
    ASSERT_TRUE(p.is_ok()) << p.status().message();
    EXPECT_EQ(p->command->name(), "role login");
    EXPECT_EQ(p->args.text("name"), "Crypto Officer");
    EXPECT_EQ(p->args.text("password"), "s3cret!x");
}

TEST(ShellGrammar, WordsAndOptionNamesAreCaseInsensitiveValuesKeepCase) {
    const Grammar g = sample_grammar();
    auto p = g.parse("ROLE Login -NAME Crypto Officer -PassWord AbC");
    ASSERT_TRUE(p.is_ok()) << p.status().message();
    EXPECT_EQ(p->args.text("name"), "Crypto Officer");
    EXPECT_EQ(p->args.text("password"), "AbC");
}

TEST(ShellGrammar, PublishedShortFormsWork) {
    const Grammar g = sample_grammar();
    auto p = g.parse("par changepo -p 33,37,40 -v 0,1,1");
    ASSERT_TRUE(p.is_ok()) << p.status().message();
    EXPECT_EQ(p->command->name(), "partition changepolicy");
    EXPECT_EQ(p->args.list("policy"), (std::vector<std::string>{"33", "37", "40"}));
    EXPECT_EQ(p->args.list("value"), (std::vector<std::string>{"0", "1", "1"}));
}

TEST(ShellGrammar, GuideCloneLineParses) {
    const Grammar g = sample_grammar();
    auto p = g.parse("partition clone -objects 0 -slot 3 -force");
    ASSERT_TRUE(p.is_ok()) << p.status().message();
    EXPECT_EQ(p->args.list("objects"), std::vector<std::string>{"0"});
    EXPECT_EQ(p->args.number("slot"), 3u);
    EXPECT_TRUE(p->args.has("force"));
    EXPECT_FALSE(p->args.has("password"));
}

TEST(ShellGrammar, EmptyAndCommentLinesAreEmpty) {
    Grammar g = sample_grammar();
    EXPECT_EQ(g.parse("   ")->kind, ParsedLine::Kind::Empty);
    EXPECT_EQ(g.parse("# a comment -x")->kind, ParsedLine::Kind::Empty);
}

TEST(ShellGrammar, OneWordCommandParses) {
    const Grammar g = sample_grammar();
    auto p = g.parse("exit");
    ASSERT_TRUE(p.is_ok());
    EXPECT_EQ(p->command->name(), "exit");
}

struct BadLine {
    const char* line;
    const char* message_part;
};

class ShellGrammarBadInput : public ::testing::TestWithParam<BadLine> {};

TEST_P(ShellGrammarBadInput, GivesAClearErrorAndNeverACrash) {
    const Grammar g = sample_grammar();
    auto p = g.parse(GetParam().line);
    ASSERT_FALSE(p.is_ok());
    EXPECT_EQ(p.code(), Err::ArgumentsBad);
    EXPECT_NE(p.status().message().find(GetParam().message_part), std::string::npos)
        << p.status().message();
}

INSTANTIATE_TEST_SUITE_P(
    Lines, ShellGrammarBadInput,
    ::testing::Values(
        BadLine{"frobnicate", "'frobnicate' is not a command"},
        BadLine{"partition frob", "'frob' is not a 'partition' command"},
        BadLine{"partition", "'partition' needs a command word"},
        BadLine{"partition clone -objects 0 -slot 3 -bogus 1", "has no option '-bogus'"},
        BadLine{"partition clone -objects -slot 3", "option -objects needs a value"},
        BadLine{"partition clone -objects 0 -slot three", "needs a number, not 'three'"},
        BadLine{"partition clone -objects 0 -slot 3 -force yes", "-force takes no value"},
        BadLine{"partition clone -objects 0", "option -slot is required"},
        BadLine{"partition clone -objects 0 -slot 1 -slot 2", "is given twice"},
        BadLine{"partition clone stray -objects 0 -slot 1", "'stray' is not an option"},
        BadLine{"role login -name \"co", "double quote is not closed"}));

TEST(ShellGrammar, UsageErrorsEndWithTheUsageLine) {
    const Grammar g = sample_grammar();
    auto p = g.parse("partition clone -objects 0");
    ASSERT_FALSE(p.is_ok());
    EXPECT_NE(p.status().message().find(
                  "Usage: partition clone -objects <handles> -slot <slot> [-password <password>] "
                  "[-force]"),
              std::string::npos)
        << p.status().message();
}

TEST(ShellGrammar, HelpFormsNameTheCommandOrGroup) {
    Grammar g = sample_grammar();
    for (const char* line : {"help partition clone", "? par clone", "partition clone ?",
                             "partition clone -objects 0 -help"}) {
        auto p = g.parse(line);
        ASSERT_TRUE(p.is_ok()) << line;
        EXPECT_EQ(p->kind, ParsedLine::Kind::Help) << line;
        ASSERT_NE(p->command, nullptr) << line;
        EXPECT_EQ(p->command->name(), "partition clone") << line;
    }
    auto group = g.parse("help par");
    ASSERT_TRUE(group.is_ok());
    EXPECT_EQ(group->help_noun, "partition");
    auto all = g.parse("?");
    ASSERT_TRUE(all.is_ok());
    EXPECT_EQ(all->kind, ParsedLine::Kind::Help);
    EXPECT_EQ(all->command, nullptr);
    EXPECT_TRUE(all->help_noun.empty());
    EXPECT_FALSE(g.parse("help frob").is_ok());
}

TEST(ShellGrammar, HelpAsAnOptionValueIsAValue) {
    const Grammar g = sample_grammar();
    auto p = g.parse("role login -name help -password ?");
    ASSERT_TRUE(p.is_ok()) << p.status().message();
    EXPECT_EQ(p->kind, ParsedLine::Kind::Command);
    EXPECT_EQ(p->args.text("name"), "help");
    EXPECT_EQ(p->args.text("password"), "?");
    auto h = g.parse("role login -name help -?");
    ASSERT_TRUE(h.is_ok());
    EXPECT_EQ(h->kind, ParsedLine::Kind::Help);
}

TEST(ShellGrammar, HelpTextComesFromTheDeclaration) {
    Grammar g = sample_grammar();
    const std::string h = Grammar::help(*g.find("par", "changepo"));
    EXPECT_NE(h.find("partition changepolicy - Change partition policies"), std::string::npos);
    EXPECT_NE(h.find("short form: par changepo"), std::string::npos);
    EXPECT_NE(h.find("-policy <ids>  (-p)"), std::string::npos);
    const std::string index = g.index();
    EXPECT_NE(index.find("partition clone"), std::string::npos);
    EXPECT_NE(index.find("Leave the shell"), std::string::npos);
    EXPECT_NE(g.group_help("partition").find("partition changepolicy"), std::string::npos);
    EXPECT_EQ(g.group_help("role").find("partition"), std::string::npos);
    EXPECT_TRUE(g.group_help("frob").empty());
}

}  // namespace
}  // namespace sr::shell
