// Shared by the client clone tests and their child process (clone_child.cpp): factory-made
// devices with a logged-in Crypto Officer, and many cheap, self-describing source objects made
// in a few batched imports, so that any object found later can be checked whole from its label.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/env.h"
#include "crypto/primitives.h"
#include "hsm/factory.h"
#include "hsm/local_device.h"

namespace sr::client::test {

inline constexpr const char* kSoPw = "so-password-1";
inline constexpr const char* kPoPw = "po-password-1";
inline constexpr const char* kCoPw = "co-password-1";

struct Side {
    std::unique_ptr<hsm::LocalDevice> dev;
    std::filesystem::path folder;
    hsm::PartitionId partition = 0;
    hsm::AppId app = 0;
    hsm::SessionId co = 0;
};

// Opens a device folder and logs its partition's Crypto Officer in on a read-write session.
inline Result<Side> open_side(Env& env, const std::filesystem::path& folder,
                              hsm::PartitionId partition) {
    Side s;
    s.folder = folder;
    s.partition = partition;
    SR_ASSIGN_OR_RETURN(s.dev, hsm::LocalDevice::open(env, folder));
    SR_ASSIGN_OR_RETURN(s.app, s.dev->attach());
    SR_ASSIGN_OR_RETURN(s.co, s.dev->open_session(s.app, partition, true));
    SR_TRY(s.dev->login(s.co, hsm::Role::CryptoOfficer, kCoPw));
    return s;
}

// A 7.x device with one partition "p1" in `domain`, made by the factory under `root`.
inline Result<Side> make_side(Env& env, const std::filesystem::path& root, uint64_t serial,
                              const std::string& domain = "domain-alpha") {
    hsm::NewDeviceSpec spec;
    spec.home = root / ("home-" + std::to_string(serial));
    spec.factory = root / "factory";
    spec.serial = serial;
    spec.hsm_label = "hsm";
    spec.so_password = kSoPw;
    spec.partitions = {"p1"};
    spec.domain = domain;
    spec.po_password = kPoPw;
    spec.co_password = kCoPw;
    SR_ASSIGN_OR_RETURN(hsm::NewDeviceReport report, hsm::make_device(env, spec));
    return open_side(env, report.folder, report.partitions.at(0).id);
}

// Object i: an AES-256 key (even i) or a data object (odd i), labelled "obj-<i>", whose value
// is derived from i. The AES keys are left extractable and not sensitive so a test can read
// the value back and prove the object whole; cloning cost does not depend on that.
inline std::string object_label(size_t i) { return "obj-" + std::to_string(i); }
inline Bytes object_value(size_t i) {
    Bytes v(32);
    for (size_t k = 0; k < v.size(); ++k) v[k] = static_cast<uint8_t>((i * 131 + k * 7 + 1) & 0xff);
    return v;
}
inline bool object_is_key(size_t i) { return i % 2 == 0; }

inline hsm::AttributeSet cheap_object(size_t i) {
    using namespace hsm;
    AttributeSet a;
    a.set_bool(attr::kToken, true);
    a.set_bool(attr::kPrivate, true);
    a.set_string(attr::kLabel, object_label(i));
    if (object_is_key(i)) {
        a.set_bytes(attr::kId, as_bytes(std::to_string(i)));
        a.set_ulong(attr::kClass, cls::kSecretKey);
        a.set_ulong(attr::kKeyType, ckk::kAes);
        a.set_bool(attr::kSensitive, false);
        a.set_bool(attr::kExtractable, true);
        a.set_bool(attr::kEncrypt, true);
        a.set_bool(attr::kDecrypt, true);
        a.set_ulong(attr::kValueLen, 32);
        a.set_secret(attr::kValue, SecretBytes(object_value(i)));
    } else {
        a.set_ulong(attr::kClass, cls::kData);
        a.set_string(attr::kApplication, "clone test");
        a.set_bytes(attr::kValue, object_value(i));
    }
    return a;
}

// Makes objects [first, first + count) through the engine's batched import (a few
// transactions instead of one fsync per object), each with a fresh OUID.
inline Status make_cheap_objects(Side& s, size_t first, size_t count, size_t batch = 2000) {
    for (size_t done = 0; done < count;) {
        const size_t n = std::min(batch, count - done);
        std::vector<hsm::AttributeSet> objs;
        for (size_t i = first + done; i < first + done + n; ++i) {
            hsm::AttributeSet a = cheap_object(i);
            SR_ASSIGN_OR_RETURN(Bytes ouid, crypto::random_public(12));
            a.set_bytes(hsm::attr::kOuid, ouid);
            objs.push_back(std::move(a));
        }
        SR_ASSIGN_OR_RETURN(auto out, s.dev->import_objects(s.co, std::move(objs)));
        for (const auto& r : out) SR_TRY(r.status());
        done += n;
    }
    return {};
}

}  // namespace sr::client::test
