# starkeep_target_warnings(<target>): strict warnings, as errors, for our own code only.
# Generated ANTLR code does not use this.
function(starkeep_target_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
    -Wunused -Woverloaded-virtual -Wnull-dereference -Wformat=2 -Werror
    # g++ 12 reports false -Wrestrict/-Wstringop-overflow/-Wnull-dereference/-Wmaybe-uninitialized positives inside libstdc++'s std::string at -O2
    # (GCC bugs 105329, 105651); keep them visible but not fatal.
    -Wno-error=restrict -Wno-error=stringop-overflow -Wno-error=array-bounds -Wno-error=null-dereference
    -Wno-error=maybe-uninitialized)
endfunction()

# starkeep_add_subdirs(<dir>...): adds each listed sub-folder that has a CMakeLists.txt, in the order given
# (the order documents the pipeline).
macro(starkeep_add_subdirs)
  foreach(dir ${ARGN})
    if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/${dir}/CMakeLists.txt)
      add_subdirectory(${dir})
    endif()
  endforeach()
endmacro()
