# vmbench_add_plugin(KIND <hypervisor|suite|reporter> NAME <name> SOURCES <files...>
#                    [DEPS <targets...>] [OUTPUT_DIRECTORY <dir>] [INSTALL])
#
# Builds one vmbench plugin: a MODULE library named libvmbench_<kind>_<name>.so, linked to
# vmbench::sdk, exporting nothing but its descriptor (hidden visibility). The target is named
# vmbench_<kind>_<name> and is appended to the global property VMBENCH_PLUGIN_TARGETS.
#
# Works in the vmbench tree and, after find_package(vmbench), out of tree. The file goes to
# OUTPUT_DIRECTORY, else to ${VMBENCH_PLUGIN_OUTPUT_DIRECTORY} when set (in the vmbench tree:
# lib/vmbench/plugins/ beside bin/vmbench), else to ${CMAKE_BINARY_DIR}/plugins: one folder for
# all the plugins of a build, so `vmbench --plugin-dir <build>/plugins` or
# VMBENCH_PLUGIN_PATH=<build>/plugins loads them all.
#
# INSTALL (for out-of-tree plugins; the built-in ones are installed by cmake/install.cmake) adds an
# install rule to lib/vmbench/plugins/ under the install prefix: installed with the prefix of the
# vmbench it was built against (VMBENCH_INSTALL_PREFIX after find_package), the plugin sits where
# that vmbench looks by default.
function(vmbench_add_plugin)
  cmake_parse_arguments(PARSE_ARGV 0 ARG "INSTALL" "KIND;NAME;OUTPUT_DIRECTORY" "SOURCES;DEPS")
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
      set(ARG_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/plugins)
    endif()
  endif()

  set(target vmbench_${ARG_KIND}_${ARG_NAME})
  add_library(${target} MODULE ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE vmbench::sdk ${ARG_DEPS})
  if(TARGET vmbench::warnings)
    target_link_libraries(${target} PRIVATE vmbench::warnings)
  endif()
  # Installed plugins live in lib/vmbench/plugins/, two levels below lib/ and libvmbench_sdk.so.
  # (Inside vmbench the SDK is already loaded when a plugin is; the RUNPATH serves other tools,
  # such as ldd, and hosts that load a plugin on its own.)
  set_target_properties(
    ${target}
    PROPERTIES PREFIX "lib"
               OUTPUT_NAME ${target}
               CXX_VISIBILITY_PRESET hidden
               VISIBILITY_INLINES_HIDDEN ON
               LIBRARY_OUTPUT_DIRECTORY ${ARG_OUTPUT_DIRECTORY}
               INSTALL_RPATH "$ORIGIN/../..")
  if(ARG_INSTALL)
    install(TARGETS ${target} LIBRARY DESTINATION lib/vmbench/plugins)
  endif()
  set_property(GLOBAL APPEND PROPERTY VMBENCH_PLUGIN_TARGETS ${target})
endfunction()
