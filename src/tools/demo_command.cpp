// `strongroom demo`: the README's main job (tools/demo.h).
#include <ostream>

#include "tools/command.h"
#include "tools/demo.h"

namespace sr::tools {
namespace {

class Demo final : public Command {
public:
    void declare(CLI::App& parent) override {
        m_cmd = parent.add_subcommand(
            "demo", "Migrate legacy HSMs (PCIe, USB, network) to new ones as the guide does, and prove it");
        m_cmd->add_option("--keep", m_keep,
                          "Keep the demo's HSMs in this new folder instead of removing them");
        m_cmd->add_option("--keys", m_options.keys_per_partition,
                          "Keys per legacy partition (default 20)")
            ->check(CLI::Range(1, 100000));
        m_cmd->add_flag("--transcript", m_options.transcript,
                        "Print the srcm and srsh sessions as they ran");
        m_cmd->add_option("--strongroomd", m_strongroomd,
                          "The strongroomd to serve the demo's appliances (default: the one "
                          "beside this strongroom, or in the build tree)");
    }
    bool chosen() const override { return m_cmd && m_cmd->parsed(); }

    int run(std::ostream& out, std::ostream& err) override {
        if (!m_keep.empty()) m_options.keep = m_keep;
        m_options.strongroomd = m_strongroomd;
        auto report = run_demo(m_options, out);
        if (!report) {
            err << "strongroom demo: " << report.status().message() << "\n";
            return 1;
        }
        return report->ok() ? 0 : 1;
    }

private:
    CLI::App* m_cmd = nullptr;
    std::string m_keep;
    std::string m_strongroomd;
    DemoOptions m_options;
};

}  // namespace

std::vector<std::unique_ptr<Command>> demo_commands() {
    std::vector<std::unique_ptr<Command>> c;
    c.push_back(std::make_unique<Demo>());
    return c;
}

}  // namespace sr::tools
