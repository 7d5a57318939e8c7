// `slot list` and `slot set` (luna-reference §1.2): the client's slots, numbered by the client
// core, in LunaCM's key/arrow/value layout.
#include <fmt/format.h>

#include "cm/commands.h"

namespace sr::cm {
namespace {

std::string field(std::string_view key, std::string_view value) {
    return fmt::format("        {:<24}{}", std::string(key) + " ->", value);
}

struct SlotFacts {
    uint64_t id = 0;
    std::string label;
    uint64_t serial = 0;
    std::string model;
    std::string firmware;
    std::string configuration;
    std::string description;
};

Result<SlotFacts> facts(const client::Slot& slot) {
    SlotFacts f;
    f.id = slot.id;
    const hsm::SlotIdentity identity = slot.identity();
    SR_ASSIGN_OR_RETURN(hsm::DeviceInfo dev, slot.dev().info());
    if (slot.admin()) {
        f.label = dev.hsm_label;
        f.serial = dev.serial;
    } else {
        SR_ASSIGN_OR_RETURN(hsm::PartitionInfo p, slot.dev().partition_info(slot.partition));
        f.label = p.initialized ? p.label : p.name;
        f.serial = p.serial;
    }
    f.model = hsm::model_name(identity);
    f.firmware = dev.firmware.to_string();
    f.configuration = hsm::slot_configuration(identity);
    f.description = hsm::slot_description(identity);
    return f;
}

class SlotList final : public Command {
public:
    const shell::CommandSpec& spec() const override { return m_spec; }
    Status run(Invocation& in) override {
        SR_TRY(in.state.client().refresh());
        nlohmann::json slots = nlohmann::json::array();
        for (const auto& slot : in.state.client().slots()) {
            SR_ASSIGN_OR_RETURN(SlotFacts f, facts(*slot));
            if (!slots.empty()) in.reply.line();
            in.reply.line(field("Slot Id", std::to_string(f.id)));
            in.reply.line(field("Label", f.label));
            in.reply.line(field("Serial Number", std::to_string(f.serial)));
            in.reply.line(field("Model", f.model));
            in.reply.line(field("Firmware Version", f.firmware));
            in.reply.line(field("Configuration", f.configuration));
            in.reply.line(field("Slot Description", f.description));
            slots.push_back({{"slot", f.id}, {"label", f.label}, {"serial", f.serial},
                             {"model", f.model}, {"firmware", f.firmware},
                             {"configuration", f.configuration},
                             {"description", f.description}});
        }
        if (slots.empty()) in.reply.line("        No slots: no HSM is attached to this client.");
        in.reply.data()["slots"] = std::move(slots);
        return {};
    }

private:
    const shell::CommandSpec m_spec{
        "slot", "", "list", "", "List the slots this client sees",
        "Prints one block per slot: the admin slot of each local HSM, then its partitions, "
        "numbered as libstrongroom.so numbers them.",
        {}};
};

class SlotSet final : public Command {
public:
    const shell::CommandSpec& spec() const override { return m_spec; }
    Status run(Invocation& in) override {
        const uint64_t id = *in.args.number("slot");
        SR_ASSIGN_OR_RETURN(auto slot, in.state.slot(id));
        in.state.set_current_slot(id);
        const std::string description = hsm::slot_set_description(slot->identity());
        in.reply.line(fmt::format("        Current Slot Id:    {:<6}({})", id, description));
        in.reply.data()["slot"] = id;
        in.reply.data()["description"] = description;
        return {};
    }

private:
    const shell::CommandSpec m_spec{
        "slot", "", "set", "", "Select the current slot",
        "Later commands act on this slot. Each slot keeps its own login.",
        {{"slot", "s", shell::ValueKind::Number, true, "<slot>", "The slot number (slot list)."}}};
};

}  // namespace

Commands slot_commands() {
    Commands c;
    c.push_back(std::make_unique<SlotList>());
    c.push_back(std::make_unique<SlotSet>());
    return c;
}

}  // namespace sr::cm
