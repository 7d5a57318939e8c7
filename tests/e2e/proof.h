// What every guide-procedure test checks afterwards: srcm reported the same object count on both
// partitions and cloned them all, and every object of the source has a twin on the target (same
// OUID) with the same in-device fingerprint.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

#include "client/client.h"
#include "client/clone.h"

namespace sr::e2e {

// Fingerprints of every object of a slot, by OUID, as its Crypto Officer sees them.
inline std::map<Bytes, hsm::ObjectFingerprint> fingerprints_by_ouid(
    const std::filesystem::path& home, uint64_t slot, const char* password) {
    std::map<Bytes, hsm::ObjectFingerprint> out;
    auto c = client::Client::open(home);
    EXPECT_TRUE(c.is_ok());
    if (!c.is_ok()) return out;
    auto s = (*c)->open_session(slot, false);
    EXPECT_TRUE(s.is_ok()) << s.status().to_string();
    if (!s.is_ok()) return out;
    EXPECT_TRUE((*s)->dev().login((*s)->id(), hsm::Role::CryptoOfficer, password).is_ok());
    auto handles = client::list_token_objects((*s)->dev(), (*s)->id());
    EXPECT_TRUE(handles.is_ok());
    if (!handles.is_ok()) return out;
    auto f = (*s)->dev().object_fingerprints((*s)->id(), *handles);
    EXPECT_TRUE(f.is_ok()) << f.status().to_string();
    if (f.is_ok())
        for (auto& x : *f) out[x.ouid] = x;
    return out;
}

// srcm's transcript: `partition contents` showed `objects` on both partitions and
// `partition clone` cloned all of them.
inline void expect_srcm_cloned_all(const std::string& out, uint64_t objects) {
    const std::string count = "Number of objects:  " + std::to_string(objects);
    const size_t first = out.find(count);
    ASSERT_NE(first, std::string::npos) << out;
    EXPECT_NE(out.find(count, first + 1), std::string::npos) << "target count differs:\n" << out;
    EXPECT_NE(out.find(std::to_string(objects) + " of " + std::to_string(objects) +
                       " objects cloned"),
              std::string::npos)
        << out;
}

// Both slots hold `objects` objects and every source object's twin proves equal.
inline void expect_same_objects(const std::filesystem::path& home, uint64_t source_slot,
                                const char* source_password, uint64_t target_slot,
                                const char* target_password, uint64_t objects) {
    const auto old_prints = fingerprints_by_ouid(home, source_slot, source_password);
    const auto new_prints = fingerprints_by_ouid(home, target_slot, target_password);
    ASSERT_EQ(old_prints.size(), objects);
    ASSERT_EQ(new_prints.size(), objects);
    for (const auto& [ouid, f] : old_prints) {
        auto it = new_prints.find(ouid);
        ASSERT_NE(it, new_prints.end()) << f.label << " missing on the target";
        EXPECT_EQ(it->second.attributes_digest, f.attributes_digest) << f.label;
        EXPECT_EQ(it->second.value_mac, f.value_mac) << f.label;
    }
}

}  // namespace sr::e2e
