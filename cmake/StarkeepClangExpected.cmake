# Included for every clang build (the regular one and the libFuzzer one, cmake/StarkeepFuzz.cmake).
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
