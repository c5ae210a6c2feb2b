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

# libstdc++ 12 declares std::expected (common/result.h) only when __cpp_concepts >= 202002L. Clang 16 compiles
# <expected> (it implements the conditionally trivial special members P0848 that <expected> relies on) but still
# reports __cpp_concepts as 201907L, so the header comes out empty. When a probe shows exactly that, the macro is
# redefined for the C++23 targets; the ANTLR target (C++17) is left alone, since concepts do not exist there.
include(CheckCXXSourceCompiles)
set(_sk_expected_probe "#include <expected>\nint main() { std::expected<int, int> e(1); return *e - 1; }\n")
set(CMAKE_REQUIRED_FLAGS "-std=c++2b")
check_cxx_source_compiles("${_sk_expected_probe}" SK_CLANG_HAS_EXPECTED)
if(NOT SK_CLANG_HAS_EXPECTED)
  set(CMAKE_REQUIRED_FLAGS "-std=c++2b -U__cpp_concepts -D__cpp_concepts=202002L")
  check_cxx_source_compiles("${_sk_expected_probe}" SK_CLANG_HAS_EXPECTED_WITH_CONCEPTS_202002)
  if(NOT SK_CLANG_HAS_EXPECTED_WITH_CONCEPTS_202002)
    message(FATAL_ERROR "${CMAKE_CXX_COMPILER} cannot compile std::expected from this libstdc++, even with "
                        "__cpp_concepts=202002L")
  endif()
  add_compile_options(
    "$<$<AND:$<COMPILE_LANGUAGE:CXX>,$<VERSION_GREATER_EQUAL:$<TARGET_PROPERTY:CXX_STANDARD>,20>>:-U__cpp_concepts;-D__cpp_concepts=202002L>")
endif()
unset(CMAKE_REQUIRED_FLAGS)
