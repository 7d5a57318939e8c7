// The child process of the kill-and-resume clone test: clones every token object of one device
// partition into another through client::clone_objects and writes "<done> <total>\n" to stdout
// after each batch (the parent SIGKILLs it part way), then "ok <cloned> <skipped> <refused>".
// Usage: clone_child <source folder> <source partition> <target folder> <target partition>
//        <batch size>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "client/clone.h"
#include "clone_fixture.h"

namespace {

using namespace sr;

// Unbuffered, so a line the parent reads was written after its batch returned.
void say(const std::string& line) {
    const char* p = line.data();
    size_t left = line.size();
    while (left > 0) {
        ssize_t n = ::write(STDOUT_FILENO, p, left);
        if (n <= 0) std::_Exit(5);
        p += n;
        left -= static_cast<size_t>(n);
    }
}

[[noreturn]] void fail(const Status& st, const char* what) {
    std::fprintf(stderr, "clone_child: %s: %s\n", what, st.to_string().c_str());
    std::_Exit(2);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 6) {
        std::fprintf(stderr, "usage: clone_child SRC SRC_PARTITION DST DST_PARTITION BATCH\n");
        return 64;
    }
    PosixEnv env;
    auto src = client::test::open_side(env, argv[1], std::stoull(argv[2]));
    if (!src) fail(src.status(), "open source");
    auto dst = client::test::open_side(env, argv[3], std::stoull(argv[4]));
    if (!dst) fail(dst.status(), "open target");
    auto handles = client::list_token_objects(*src->dev, src->co);
    if (!handles) fail(handles.status(), "list source objects");
    client::CloneOptions options;
    options.batch_size = std::stoull(argv[5]);
    auto report = client::clone_objects(
        *src->dev, src->co, *dst->dev, dst->co, *handles, options,
        [](const client::CloneProgress& p) {
            say(std::to_string(p.done) + " " + std::to_string(p.total) + "\n");
        });
    if (!report) fail(report.status(), "clone");
    say("ok " + std::to_string(report->cloned.size()) + " " +
        std::to_string(report->skipped.size()) + " " + std::to_string(report->refused.size()) +
        "\n");
    return 0;
}
