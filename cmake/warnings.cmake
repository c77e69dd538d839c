# vmbench::warnings: the warning set every vmbench target compiles with (an INTERFACE target, so
# plugins built out of tree are not forced to use it).
add_library(vmbench_warnings INTERFACE)
add_library(vmbench::warnings ALIAS vmbench_warnings)
target_compile_options(
  vmbench_warnings
  INTERFACE -Wall
            -Wextra
            -Wpedantic
            -Wshadow
            -Wnon-virtual-dtor
            -Wold-style-cast
            -Wcast-align
            -Woverloaded-virtual
            -Wconversion
            -Wno-sign-conversion
            $<$<BOOL:${VMBENCH_WARNINGS_AS_ERRORS}>:-Werror>)

# GCC 12 at -O2/-O3 reports -Wrestrict on a plain std::string assignment from a short literal
# (GCC bug 105329, fixed in GCC 13); keep the warning visible but not fatal there.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(vmbench_warnings INTERFACE -Wno-error=restrict)
endif()
