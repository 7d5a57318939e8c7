# PKCS#11 benchmarks: the same workloads through dlopen'd libstrongroom.so and SoftHSM2, beside
# raw OpenSSL EVP signing; prints a ratio table (see README.md). Reported, never asserted.
pkg_check_modules(SR_P11BENCH_P11KIT REQUIRED p11-kit-1)
add_executable(p11_bench p11_bench.cpp)
target_link_libraries(p11_bench PRIVATE sr_hsm OpenSSL::Crypto Threads::Threads ${CMAKE_DL_LIBS})
target_include_directories(p11_bench SYSTEM PRIVATE ${SR_P11BENCH_P11KIT_INCLUDE_DIRS})
target_compile_definitions(p11_bench PRIVATE
  SR_P11_BENCH_STRONGROOM="$<TARGET_FILE:strongroom_pkcs11>")
add_dependencies(p11_bench strongroom_pkcs11)
