// `partition clone` (luna-reference §1.8; BEHAVIOUR.md "Cloning") over the client core's clone
// orchestration, and `partition fill`, which generates a mix of keys for demos and tests.
#include <fmt/format.h>

#include <charconv>

#include "client/clone.h"
#include "client/fill.h"
#include "cm/commands.h"
#include "cm/role_support.h"
#include "cm/slot_context.h"

namespace sr::cm {
namespace {

using shell::ValueKind;

Status require_crypto_officer(Invocation& in, const SlotContext& c) {
    SR_ASSIGN_OR_RETURN(auto role, in.state.login_of(c.slot->id));
    if (role == hsm::Role::CryptoOfficer) return {};
    return error(Err::UserNotLoggedIn,
                 "the Crypto Officer of slot " + std::to_string(c.slot->id) +
                     " must be logged in: type '" +
                     login_command(c, hsm::Role::CryptoOfficer) + "'");
}

// A Crypto Officer session on the target partition for the clone's duration: the shell's own
// when its officer is logged in there, else a separate application that logs in with the given
// password and is detached afterwards (so a Partition SO logged in on the target slot, as in the
// guide's sequence, stays logged in).
class TargetLogin final {
public:
    TargetLogin() = default;
    TargetLogin(const TargetLogin&) = delete;
    TargetLogin& operator=(const TargetLogin&) = delete;
    ~TargetLogin() {
        if (m_dev && m_app) (void)m_dev->detach(m_app);
    }

    Status open(Invocation& in, const client::Slot& slot) {
        SR_ASSIGN_OR_RETURN(auto role, in.state.login_of(slot.id));
        if (role == hsm::Role::CryptoOfficer) {
            SR_ASSIGN_OR_RETURN(auto s, in.state.session(slot.id));
            m_session = s->id();
            return {};
        }
        SR_ASSIGN_OR_RETURN(std::string password,
                            secret_option(in, "password",
                                          "the target partition's Crypto Officer password",
                                          /*setting=*/false));
        m_dev = &slot.dev();
        SR_ASSIGN_OR_RETURN(m_app, m_dev->attach());
        SR_ASSIGN_OR_RETURN(m_session, m_dev->open_session(m_app, slot.partition, true));
        if (Status st = m_dev->login(m_session, hsm::Role::CryptoOfficer, password); !st)
            return error(st.code(), "cannot log in to the target partition (slot " +
                                        std::to_string(slot.id) + ") as its Crypto Officer: " +
                                        st.message());
        return {};
    }
    hsm::SessionId session() const { return m_session; }

private:
    hsm::Device* m_dev = nullptr;
    hsm::AppId m_app = 0;
    hsm::SessionId m_session = 0;
};

Result<std::vector<hsm::ObjectHandle>> handles_option(Invocation& in, const SlotContext& src) {
    const std::vector<std::string> words = in.args.list("objects");
    if (words.size() == 1 && words[0] == "0")
        return client::list_token_objects(src.dev(), src.sid());
    std::vector<hsm::ObjectHandle> handles;
    for (const std::string& w : words) {
        uint64_t h = 0;
        auto [end, ec] = std::from_chars(w.data(), w.data() + w.size(), h);
        if (ec != std::errc() || end != w.data() + w.size() || h == 0)
            return error(Err::ArgumentsBad, "-objects takes object handles separated by commas, "
                                            "or 0 for all objects; '" + w + "' is not a handle");
        handles.push_back(h);
    }
    return handles;
}

std::string describe(const std::string& label, const Bytes& ouid) {
    return fmt::format("'{}' (OUID {})", label, to_hex(ouid));
}

class PartitionClone final : public Command {
public:
    const shell::CommandSpec& spec() const override { return m_spec; }

    Status run(Invocation& in) override {
        SR_ASSIGN_OR_RETURN(SlotContext src, slot_context(in, SlotNeed::Partition));
        SR_TRY(require_crypto_officer(in, src));
        const uint64_t target_id = *in.args.number("slot");
        if (target_id == src.slot->id)
            return error(Err::ArgumentsBad, "the target slot is the current slot: choose "
                                            "another slot with -slot");
        SR_ASSIGN_OR_RETURN(auto target, in.state.slot(target_id));
        if (target->admin())
            return error(Err::SlotIdInvalid, "slot " + std::to_string(target_id) +
                                                 " is an HSM admin slot: clone to a partition slot");
        SR_ASSIGN_OR_RETURN(std::vector<hsm::ObjectHandle> handles, handles_option(in, src));
        SR_TRY(confirm(in, {fmt::format("You are about to clone {} object(s) from slot {} to "
                                        "slot {}.",
                                        handles.size(), src.slot->id, target_id)}));
        TargetLogin login;
        SR_TRY(login.open(in, *target));

        client::CloneProgressFn progress;
        if (!in.json)
            progress = [&](const client::CloneProgress& p) {
                in.console.progress(fmt::format("Cloning: {} of {} objects", p.done, p.total));
            };
        SR_ASSIGN_OR_RETURN(client::CloneReport r,
                            client::clone_objects(src.dev(), src.sid(), target->dev(),
                                                  login.session(), handles, {}, progress));
        return report(in, r, handles.size());
    }

private:
    static Status report(Invocation& in, const client::CloneReport& r, size_t asked) {
        nlohmann::json cloned = nlohmann::json::array();
        nlohmann::json skipped = nlohmann::json::array();
        nlohmann::json refused = nlohmann::json::array();
        for (const auto& c : r.cloned)
            cloned.push_back({{"label", c.label}, {"ouid", to_hex(c.ouid)}, {"handle", c.handle}});
        for (const auto& s : r.skipped) {
            in.reply.line("        Skipped " + describe(s.label, s.ouid) +
                          ": the target already holds it");
            skipped.push_back({{"label", s.label}, {"ouid", to_hex(s.ouid)}});
        }
        for (const auto& x : r.refused) {
            const bool source = x.side == client::CloneSide::Source;
            const std::string who =
                source ? fmt::format("handle {} {}", x.refusal.handle,
                                     describe(x.refusal.label, x.refusal.ouid))
                       : describe(x.refusal.label, x.refusal.ouid);
            in.reply.line(fmt::format("        Not cloned: {}: {} (refused by the {})", who,
                                      x.refusal.reason, source ? "source" : "target"));
            refused.push_back({{"side", source ? "source" : "target"},
                               {"handle", x.refusal.handle},
                               {"label", x.refusal.label},
                               {"ouid", to_hex(x.refusal.ouid)},
                               {"code", std::string(err_name(x.refusal.code))},
                               {"reason", x.refusal.reason}});
        }
        if (!r.skipped.empty() || !r.refused.empty()) in.reply.line();
        in.reply.line(fmt::format("        {} of {} objects cloned, {} skipped (already on the "
                                  "target), {} not cloned.",
                                  r.cloned.size(), asked, r.skipped.size(), r.refused.size()));
        auto& d = in.reply.data();
        d["requested"] = asked;
        d["cloned"] = std::move(cloned);
        d["skipped"] = std::move(skipped);
        d["refused"] = std::move(refused);
        d["bytes_relayed"] = r.bytes_relayed;
        if (!r.refused.empty())
            return error(Err::FailedToCloneAnObject,
                         fmt::format("{} object(s) could not be cloned (listed above)",
                                     r.refused.size()));
        return {};
    }

    const shell::CommandSpec m_spec{
        "partition", "par", "clone", "", "Clone objects from the current slot to another slot",
        "Copies objects from the current partition slot to the partition on the target slot "
        "through the cloning protocol: both partitions must share the cloning domain and the "
        "auth type. The current slot's Crypto Officer must be logged in; the target's Crypto "
        "Officer password is asked for (or taken from -password) unless that officer is logged "
        "in on the target slot. Objects the target already holds (same OUID) are skipped; "
        "objects a policy keeps on the source are listed and counted.",
        {{"objects", "o", ValueKind::List, true, "<handles>",
          "Handles to clone, separated by commas; 0 clones every object."},
         {"slot", "s", ValueKind::Number, true, "<slot>", "The target partition slot."},
         {"password", "p", ValueKind::Secret, false, "<password>",
          "The target partition's Crypto Officer password."},
         {"force", "f", ValueKind::Flag, false, "", "Do not ask for confirmation."}}};
};

class PartitionFill final : public Command {
public:
    const shell::CommandSpec& spec() const override { return m_spec; }

    Status run(Invocation& in) override {
        SR_ASSIGN_OR_RETURN(SlotContext c, slot_context(in, SlotNeed::Partition));
        SR_TRY(require_crypto_officer(in, c));
        client::FillSpec spec;
        spec.count = *in.args.number("count");
        if (spec.count == 0) return error(Err::ArgumentsBad, "-count must be at least 1");
        if (in.args.has("types")) {
            for (const std::string& w : in.args.list("types")) {
                SR_ASSIGN_OR_RETURN(client::FillKind k, client::parse_fill_kind(w));
                spec.mix.push_back(k);
            }
        } else {
            spec.mix = client::default_fill_mix();
        }
        if (auto p = in.args.text("prefix")) spec.label_prefix = *p;
        client::FillProgressFn progress;
        if (!in.json)
            progress = [&](uint64_t done, uint64_t total) {
                if (done % 50 == 0 || done == total)
                    in.console.progress(fmt::format("Generating: {} of {} keys", done, total));
            };
        SR_ASSIGN_OR_RETURN(client::FillReport r,
                            client::fill_partition(c.dev(), c.sid(), spec, progress));
        in.reply.line(fmt::format("        Generated {} keys ({} objects) on slot {}.", r.keys,
                                  r.objects, c.slot->id));
        in.reply.data()["keys"] = r.keys;
        in.reply.data()["objects"] = r.objects;
        return {};
    }

private:
    static std::string types_help() {
        std::string s = "Key types made in turn, separated by commas (repeat a type to weight "
                        "it): ";
        bool first = true;
        for (const auto& k : client::fill_kinds()) {
            s += (first ? "" : ", ") + std::string(k.name) + " (" + std::string(k.description) +
                 ")";
            first = false;
        }
        return s + ". Default: a realistic mix of all of them.";
    }

    const shell::CommandSpec m_spec{
        "partition", "par", "fill", "",
        "Generate keys on the current partition (for demos, tests and benchmarks)",
        "Generates -count keys of a mix of types inside the partition, as token objects of the "
        "logged-in Crypto Officer, labelled <prefix>-<type>-<n>. A Strongroom extension; LunaCM "
        "has no such command.",
        {{"count", "c", ValueKind::Number, true, "<n>", "How many keys (a key pair counts once)."},
         {"types", "t", ValueKind::List, false, "<types>", types_help()},
         {"prefix", "", ValueKind::Text, false, "<label>", "Label prefix (default: key)."}}};
};

}  // namespace

Commands clone_commands() {
    Commands c;
    c.push_back(std::make_unique<PartitionClone>());
    c.push_back(std::make_unique<PartitionFill>());
    return c;
}

}  // namespace sr::cm
