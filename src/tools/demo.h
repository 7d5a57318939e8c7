// `strongroom demo`: a whole migration on embedded defaults, end to end — the guide's chapter 5
// slot-to-slot cloning from a legacy PCIe HSM (6.x, PPSO) and a legacy USB HSM (5.x, pre-PPSO)
// to a new PCIe HSM (7.x), and chapter 2's from a legacy network appliance (6.x) to a new one
// (7.x), both served by real strongroomd processes on loopback; typed into srcm (and srsh on the
// appliances) as the guide writes it, then proved with per-object fingerprints computed inside
// the HSMs. Later versions add the backup and HA methods.
#pragma once

#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

namespace sr::tools {

struct DemoOptions {
    // Keep the demo's folder here (created; must not exist or be empty) instead of a temporary
    // folder that is removed at the end.
    std::optional<std::filesystem::path> keep;
    uint64_t keys_per_partition = 20;
    bool transcript = false;  // print the srcm and srsh sessions as they ran
    // strongroomd to serve the demo's appliances (default: find_strongroomd's search).
    std::filesystem::path strongroomd;
};

struct DemoMigration {
    std::string source;           // "legacy PCIe HSM, firmware 6.22.0 (PPSO)"
    std::string target;           // "new PCIe HSM 7.8.4"
    uint64_t source_slot = 0;
    uint64_t target_slot = 0;
    uint64_t source_objects = 0;
    uint64_t target_objects = 0;
    uint64_t fingerprints_matched = 0;
    std::vector<std::string> mismatches;  // one line per object that did not prove equal
    double seconds = 0;                   // the srcm procedure, typed commands to last output
};

struct DemoReport {
    std::filesystem::path folder;  // where it ran (removed unless kept)
    std::vector<DemoMigration> migrations;
    bool ok() const;
};

// Runs the demo, writing progress, the transcript if asked, and a summary to `out`.
Result<DemoReport> run_demo(const DemoOptions& options, std::ostream& out);

}  // namespace sr::tools
