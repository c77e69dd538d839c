# `cmake --install <build> --prefix P` lays out vmbench and its SDK:
#
#   P/bin/vmbench                  the host
#   P/lib/libvmbench_sdk.so*       the SDK library (the host and every plugin link it)
#   P/lib/vmbench/plugins/*.so     the built-in plugins, found by the host next to itself
#   P/include/vmbench/plugin/*.h   the SDK headers
#   P/lib/cmake/vmbench/           find_package(vmbench): vmbench::sdk, vmbench_add_plugin()
#
# The paths are spelled "lib", not ${CMAKE_INSTALL_LIBDIR}: the loader looks for
# ../lib/vmbench/plugins beside the executable (core/plugin_loader.h) and the RUNPATHs are
# relative ($ORIGIN/../lib for bin/vmbench below, $ORIGIN/../.. for every plugin in
# vmbench_plugin.cmake), so the layout is fixed whatever the platform's multiarch convention, and
# the prefix can be moved. The static helper libraries (x86 setup, sandbox runtime, wire format,
# guest image) are linked into the plugins that use them and are not part of the SDK, so nothing
# of them is installed.
#
# Included from the top-level CMakeLists.txt once every plugin target exists.
include(CMakePackageConfigHelpers)

set(vmbench_install_cmake_dir lib/cmake/vmbench)

set_target_properties(vmbench PROPERTIES INSTALL_RPATH "$ORIGIN/../lib")
install(TARGETS vmbench RUNTIME DESTINATION bin)

set_target_properties(vmbench_sdk PROPERTIES EXPORT_NAME sdk)
# The include folder is already in vmbench_sdk's INSTALL_INTERFACE (plugins/CMakeLists.txt).
install(TARGETS vmbench_sdk EXPORT vmbenchTargets LIBRARY DESTINATION lib)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/plugins/include/vmbench/plugin
        DESTINATION include/vmbench FILES_MATCHING PATTERN "*.h")

# Every plugin vmbench_add_plugin() built into the plugin folder of this build is a built-in one;
# test plugins go elsewhere (their own OUTPUT_DIRECTORY) and stay out of the install.
get_property(vmbench_all_plugin_targets GLOBAL PROPERTY VMBENCH_PLUGIN_TARGETS)
set(vmbench_builtin_plugin_targets)
foreach(plugin IN LISTS vmbench_all_plugin_targets)
  get_target_property(plugin_dir ${plugin} LIBRARY_OUTPUT_DIRECTORY)
  if(plugin_dir STREQUAL VMBENCH_PLUGIN_OUTPUT_DIRECTORY)
    list(APPEND vmbench_builtin_plugin_targets ${plugin})
  endif()
endforeach()
install(TARGETS ${vmbench_builtin_plugin_targets} LIBRARY DESTINATION lib/vmbench/plugins)

install(
  EXPORT vmbenchTargets
  NAMESPACE vmbench::
  DESTINATION ${vmbench_install_cmake_dir})
configure_package_config_file(
  ${PROJECT_SOURCE_DIR}/cmake/vmbenchConfig.cmake.in
  ${PROJECT_BINARY_DIR}/cmake/vmbenchConfig.cmake INSTALL_DESTINATION ${vmbench_install_cmake_dir})
# 0.x releases may change the SDK in a minor version, so only the same minor version matches.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/cmake/vmbenchConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/cmake/vmbenchConfig.cmake
              ${PROJECT_BINARY_DIR}/cmake/vmbenchConfigVersion.cmake
              ${PROJECT_SOURCE_DIR}/plugins/cmake/vmbench_plugin.cmake
        DESTINATION ${vmbench_install_cmake_dir})
