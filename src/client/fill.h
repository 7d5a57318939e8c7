// Fills a partition with generated keys of a mix of types, for demos, tests and benchmarks
// (`partition fill` in srcm, `strongroom demo`). Keys are generated inside the device, as token
// objects the session's Crypto Officer owns; nothing leaves the device. Stateless functions.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "hsm/device.h"

namespace sr::client {

// A kind of key `fill` makes. Key pairs count as one key (two objects).
enum class FillKind : uint8_t { Aes256, Des3, Hmac256, EcP256, EcP384, Ed25519, Rsa2048, Data };

struct FillKindInfo {
    FillKind kind;
    std::string_view name;         // the word used on the command line: "aes", "p256", ...
    std::string_view description;  // "AES-256 secret key"
    unsigned objects;              // objects per key: 2 for key pairs
};
std::span<const FillKindInfo> fill_kinds();
// ArgumentsBad naming the known kinds for an unknown word.
Result<FillKind> parse_fill_kind(std::string_view word);

// The mix `strongroom demo` and `partition fill` use when no types are given.
std::vector<FillKind> default_fill_mix();

struct FillSpec {
    uint64_t count = 0;             // keys to make
    std::vector<FillKind> mix;      // made in turn: key i is mix[i % mix.size()]
    std::string label_prefix = "key";  // labels are "<prefix>-<kind>-<i>"
};

struct FillReport {
    uint64_t keys = 0;
    uint64_t objects = 0;
};

// After each key: keys made so far out of the total.
using FillProgressFn = std::function<void(uint64_t done, uint64_t total)>;

// Generates the keys on the session's partition (Crypto Officer logged in, read-write). Stops
// at the first failure, keeping the keys made before it.
Result<FillReport> fill_partition(hsm::Device& device, hsm::SessionId session,
                                  const FillSpec& spec, const FillProgressFn& progress = {});

}  // namespace sr::client
