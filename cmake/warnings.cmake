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
