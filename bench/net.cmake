# Network benchmark: signing, AES-GCM and cloning through a real strongroomd beside the same
# partition opened locally (ratio table). Reported, never asserted; see README.md "Network".
add_executable(net_bench net_bench.cpp)
target_link_libraries(net_bench PRIVATE sr_appliance sr_client sr_net)
target_compile_definitions(net_bench PRIVATE SR_STRONGROOMD_BINARY="$<TARGET_FILE:strongroomd>")
add_dependencies(net_bench strongroomd)
