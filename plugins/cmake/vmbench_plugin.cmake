# vmbench_add_plugin(KIND <hypervisor|suite|reporter> NAME <name> SOURCES <files...>
#                    [DEPS <targets...>] [OUTPUT_DIRECTORY <dir>])
#
# Builds one vmbench plugin: a MODULE library named libvmbench_<kind>_<name>.so, linked to
# vmbench::sdk, exporting nothing but its descriptor (hidden visibility), placed where the host
# looks for plugins (lib/vmbench/plugins/ beside bin/vmbench) unless OUTPUT_DIRECTORY says
# otherwise. Works in the vmbench tree and, after find_package(vmbench), out of tree. The target
# is named vmbench_<kind>_<name> and is appended to the global property VMBENCH_PLUGIN_TARGETS.
function(vmbench_add_plugin)
  cmake_parse_arguments(PARSE_ARGV 0 ARG "" "KIND;NAME;OUTPUT_DIRECTORY" "SOURCES;DEPS")
  if(NOT ARG_KIND MATCHES "^(hypervisor|suite|reporter)$")
    message(FATAL_ERROR "vmbench_add_plugin: KIND must be hypervisor, suite or reporter, "
                        "not '${ARG_KIND}'")
  endif()
  if(NOT ARG_NAME MATCHES "^[a-z0-9_]+$")
    message(FATAL_ERROR "vmbench_add_plugin: NAME '${ARG_NAME}' must match [a-z0-9_]+")
  endif()
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "vmbench_add_plugin(${ARG_NAME}): SOURCES is empty")
  endif()
  if(NOT ARG_OUTPUT_DIRECTORY)
    if(DEFINED VMBENCH_PLUGIN_OUTPUT_DIRECTORY)
      set(ARG_OUTPUT_DIRECTORY ${VMBENCH_PLUGIN_OUTPUT_DIRECTORY})
    else()
      set(ARG_OUTPUT_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
    endif()
  endif()

  set(target vmbench_${ARG_KIND}_${ARG_NAME})
  add_library(${target} MODULE ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE vmbench::sdk ${ARG_DEPS})
  if(TARGET vmbench::warnings)
    target_link_libraries(${target} PRIVATE vmbench::warnings)
  endif()
  set_target_properties(
    ${target}
    PROPERTIES PREFIX "lib"
               OUTPUT_NAME ${target}
               CXX_VISIBILITY_PRESET hidden
               VISIBILITY_INLINES_HIDDEN ON
               LIBRARY_OUTPUT_DIRECTORY ${ARG_OUTPUT_DIRECTORY})
  set_property(GLOBAL APPEND PROPERTY VMBENCH_PLUGIN_TARGETS ${target})
endfunction()
