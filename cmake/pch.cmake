# Precompiled headers for the third-party headers that dominate compile time (docs/design/
# build-and-ci.md): the standard library and fmt everywhere, nlohmann/json, gRPC with our
# generated service header, GoogleTest, CLI11. Only targets with several sources gain: each target
# builds its own PCH (flags must match the target's, sanitizers included), about one source's cost.
# Opt-in (-DSR_PCH=ON), and only for unoptimised builds: with any PCH (even <string> alone) GCC 12
# with optimisation raises false -Warray-bounds errors inside std::string that the same headers
# included as text do not (-O2: src/crypto/mech_aes.cpp; the tsan preset's -O1:
# src/crypto/mech_registry.cpp). A full asan-ubsan (-O1) build passed with it; plain Debug was
# not built whole with it yet, hence off by default.
option(SR_PCH "Precompile heavy third-party headers in multi-file targets (unoptimised builds)" OFF)
if(SR_PCH AND (CMAKE_BUILD_TYPE MATCHES "Rel" OR CMAKE_CXX_FLAGS MATCHES "-O[1-9sfg]"))
  message(STATUS "SR_PCH ignored: GCC 12 gives false warnings with a PCH in optimised builds")
  set(SR_PCH OFF)
endif()

set(SR_PCH_STD <algorithm> <array> <chrono> <cstdint> <filesystem> <functional> <map> <memory>
  <optional> <span> <string> <string_view> <utility> <vector> <fmt/format.h>)
set(SR_PCH_JSON <nlohmann/json.hpp>)
set(SR_PCH_GRPC <grpcpp/grpcpp.h> <strongroom/v1/device.grpc.pb.h>)
set(SR_PCH_GTEST <gtest/gtest.h>)
set(SR_PCH_CLI <CLI/CLI.hpp>)

# sr_precompile_headers(<target> [JSON] [GRPC] [GTEST] [CLI]): the standard set plus the named
# extras. GRPC only for targets that link sr_proto (the generated header's directory comes with it).
function(sr_precompile_headers target)
  if(NOT SR_PCH)
    return()
  endif()
  cmake_parse_arguments(PARSE_ARGV 1 arg "JSON;GRPC;GTEST;CLI" "" "")
  set(headers ${SR_PCH_STD})
  foreach(extra JSON GRPC GTEST CLI)
    if(arg_${extra})
      list(APPEND headers ${SR_PCH_${extra}})
    endif()
  endforeach()
  target_precompile_headers(${target} PRIVATE ${headers})
endfunction()
