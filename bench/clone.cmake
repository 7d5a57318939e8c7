# Clone benchmark: 10,000 mixed objects between two local devices through client::clone_objects
# (objects/s, bytes relayed per object). Reported, never asserted; see README.md "Cloning".
add_executable(clone_bench clone_bench.cpp)
target_link_libraries(clone_bench PRIVATE sr_client)
