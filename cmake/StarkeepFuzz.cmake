# The libFuzzer configuration (-DSTARKEEP_FUZZ=ON with clang): the root CMakeLists.txt then adds only the libraries
# the fuzz targets link and tests/fuzz. Every target of this configuration is instrumented for libFuzzer coverage
# (fuzzer-no-link; the fuzz executables link the libFuzzer driver with -fsanitize=fuzzer) and built with
# AddressSanitizer + UndefinedBehaviorSanitizer, assertions on (NDEBUG undone, libstdc++ bounds checks).
#
#   cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSTARKEEP_FUZZ=ON \
#         -DCMAKE_C_COMPILER=clang-16 -DCMAKE_CXX_COMPILER=clang++-16
#   cmake --build build-fuzz --target policy_parser_fuzzer
#   tests/fuzz/run_fuzzer.sh build-fuzz 600     # (docs/architecture.md, "Fuzzing")
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "STARKEEP_FUZZ=ON needs clang (-DCMAKE_CXX_COMPILER=clang++-16 -DCMAKE_C_COMPILER=clang-16); "
                      "found ${CMAKE_CXX_COMPILER_ID} ${CMAKE_CXX_COMPILER_VERSION}")
endif()

add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
                    -fno-omit-frame-pointer -UNDEBUG -D_GLIBCXX_ASSERTIONS
                    # starkeep_target_warnings() names g++-only warnings (-Wno-error=restrict, ...).
                    -Wno-unknown-warning-option)
add_link_options(-fsanitize=address,undefined)

