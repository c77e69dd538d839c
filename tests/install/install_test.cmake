# Run by CTest (`cmake -P`): the SDK as a user outside the tree gets it.
#
#   1. `cmake --install BUILD_DIR --prefix WORK_DIR/prefix`, then the layout: bin/vmbench,
#      lib/libvmbench_sdk.so, the built-in plugins, the SDK headers, the CMake package, no static
#      helper library, and relative RUNPATHs (nothing points back into the build tree);
#   2. plugins/examples configured and built as a separate project against that prefix with
#      CMAKE_PREFIX_PATH only, warnings as errors;
#   3. the installed vmbench with the examples, from --plugin-dir and from VMBENCH_PLUGIN_PATH:
#      all three load with --strict (no rejection), the `counting` backend is available (it found
#      and loaded the installed `emulator`), `run --suite example --hypervisor counting` writes the
#      expected CSV through the `csv` reporter, and a VM suite run through `counting` is counted;
#   4. the examples installed into the same prefix are found with no flag at all.
#
# Inputs: BUILD_DIR, EXAMPLES_DIR, WORK_DIR, GENERATOR, MAKE_PROGRAM, CXX_COMPILER, READELF.
cmake_minimum_required(VERSION 3.25)

foreach(input BUILD_DIR EXAMPLES_DIR WORK_DIR GENERATOR CXX_COMPILER READELF)
  if(NOT ${input})
    message(FATAL_ERROR "install_test.cmake: -D${input}=... is required")
  endif()
endforeach()

set(prefix ${WORK_DIR}/prefix)
set(examples_build ${WORK_DIR}/examples-build)
set(examples_plugins ${examples_build}/plugins)
set(vmbench ${prefix}/bin/vmbench)
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})

# Runs a command; fails the test, with its output, unless it exits with 0. Sets <prefix>_out and
# <prefix>_err in the caller. VMBENCH_PLUGIN_PATH and VMBENCH_COUNTING_BACKEND are unset, so that
# the environment the tests run in cannot add or swap plugins behind the test's back.
function(run_checked out_prefix)
  execute_process(
    COMMAND ${CMAKE_COMMAND} -E env --unset=VMBENCH_PLUGIN_PATH --unset=VMBENCH_COUNTING_BACKEND
            ${ARGN}
    RESULT_VARIABLE result
    OUTPUT_VARIABLE out
    ERROR_VARIABLE err)
  if(NOT result EQUAL 0)
    list(JOIN ARGN " " command)
    message(FATAL_ERROR
              "FAILED (exit ${result}): ${command}\n--- stdout:\n${out}\n--- stderr:\n${err}")
  endif()
  set(${out_prefix}_out "${out}" PARENT_SCOPE)
  set(${out_prefix}_err "${err}" PARENT_SCOPE)
endfunction()

function(expect_match what regex text)
  if(NOT text MATCHES "${regex}")
    message(FATAL_ERROR "FAILED: ${what}: no match for '${regex}' in:\n${text}")
  endif()
endfunction()

function(expect_contains what literal text)
  string(FIND "${text}" "${literal}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "FAILED: ${what}: '${literal}' not found in:\n${text}")
  endif()
endfunction()

function(expect_no_match what regex text)
  if(text MATCHES "${regex}")
    message(FATAL_ERROR "FAILED: ${what}: unexpected '${CMAKE_MATCH_0}' in:\n${text}")
  endif()
endfunction()

# ---- 1. install and layout -----------------------------------------------------------------------

message(STATUS "installing ${BUILD_DIR} into ${prefix}")
run_checked(install ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})

foreach(
  file IN
  ITEMS bin/vmbench
        lib/libvmbench_sdk.so
        include/vmbench/plugin/plugin.h
        include/vmbench/plugin/hypervisor.h
        include/vmbench/plugin/suite.h
        include/vmbench/plugin/reporter.h
        include/vmbench/plugin/results.h
        lib/cmake/vmbench/vmbenchConfig.cmake
        lib/cmake/vmbench/vmbenchConfigVersion.cmake
        lib/cmake/vmbench/vmbenchTargets.cmake
        lib/cmake/vmbench/vmbench_plugin.cmake
        lib/vmbench/plugins/libvmbench_hypervisor_emulator.so
        lib/vmbench/plugins/libvmbench_reporter_json.so)
  if(NOT EXISTS ${prefix}/${file})
    message(FATAL_ERROR "FAILED: ${prefix}/${file} was not installed")
  endif()
endforeach()
file(GLOB_RECURSE static_libraries ${prefix}/*.a)
if(static_libraries)
  message(FATAL_ERROR "FAILED: static helper libraries are not part of the SDK: "
                      "${static_libraries}")
endif()

run_checked(elf ${READELF} -d ${vmbench})
expect_match("RUNPATH of bin/vmbench" "runpath: \\[\\$ORIGIN/\\.\\./lib\\]" "${elf_out}")
file(GLOB installed_plugins ${prefix}/lib/vmbench/plugins/*.so)
foreach(plugin IN LISTS installed_plugins)
  run_checked(elf ${READELF} -d ${plugin})
  expect_match("RUNPATH of ${plugin}" "runpath: \\[\\$ORIGIN/\\.\\./\\.\\.\\]" "${elf_out}")
endforeach()

# ---- 2. the examples, a separate project ---------------------------------------------------------

# The compiler must be the one vmbench was built with: the build id (compiler family and major
# version, standard library ABI) must match, or the host rejects the plugins. The warning set is
# vmbench's own (cmake/warnings.cmake), so the examples stay warning-free.
set(warnings -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
             -Woverloaded-virtual -Wconversion -Wno-sign-conversion -Werror)
list(JOIN warnings " " warnings)
set(generator_args -G ${GENERATOR})
if(MAKE_PROGRAM)
  list(APPEND generator_args -DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM})
endif()
message(STATUS "configuring ${EXAMPLES_DIR} against ${prefix}")
# CMAKE_FIND_USE_PACKAGE_REGISTRY=OFF: the scratch prefix is the only place vmbench can come from.
run_checked(configure ${CMAKE_COMMAND} -S ${EXAMPLES_DIR} -B ${examples_build} ${generator_args}
            -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=${CXX_COMPILER}
            -DCMAKE_CXX_FLAGS=${warnings} -DCMAKE_PREFIX_PATH=${prefix}
            -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF)
file(READ ${examples_build}/CMakeCache.txt cache)
expect_contains("find_package(vmbench) in the examples' cache"
                "vmbench_DIR:PATH=${prefix}/lib/cmake/vmbench\n" "${cache}")
message(STATUS "building the examples")
run_checked(build ${CMAKE_COMMAND} --build ${examples_build} --parallel 2)

# ---- 3. the installed vmbench with the examples --------------------------------------------------

run_checked(plugins ${vmbench} --strict list plugins --plugin-dir ${examples_plugins})
expect_no_match("list plugins stderr" "rejected[^\n]*" "${plugins_err}")
expect_match("list plugins"
             "hypervisor +counting +0\\.1\\.0 [^\n]*libvmbench_hypervisor_counting\\.so"
             "${plugins_out}")
expect_match("list plugins" "suite +example +0\\.1\\.0 [^\n]*libvmbench_suite_example\\.so"
             "${plugins_out}")
expect_match("list plugins" "reporter +csv +0\\.1\\.0 [^\n]*libvmbench_reporter_csv\\.so"
             "${plugins_out}")
expect_match("list plugins" "suite +virtq " "${plugins_out}")

# VMBENCH_PLUGIN_PATH instead of --plugin-dir; `counting` finds `emulator` in the prefix's plugin
# folder, next to the running vmbench.
run_checked(hypervisors ${CMAKE_COMMAND} -E env VMBENCH_PLUGIN_PATH=${examples_plugins} ${vmbench}
            --strict list hypervisors)
expect_match("list hypervisors" "counting +emulator [^\n]* available" "${hypervisors_out}")

set(csv ${WORK_DIR}/example.csv)
set(json ${WORK_DIR}/example.json)
run_checked(run ${vmbench} --strict run --plugin-dir ${examples_plugins} --suite example
            --hypervisor counting --repetitions 2 --processes 1 --min-time 0.001 --quiet
            --reporter csv:out=${csv} --reporter json:out=${json})
file(READ ${csv} csv_text)
set(number "[0-9.e+-]+")
set(csv_columns platform source suite id status message repetitions median_ns median_lower_ns
                median_upper_ns mean_ns stddev_ns cv baseline_median_ns change verdict)
list(JOIN csv_columns "," csv_header)
expect_match("CSV header" "^${csv_header}\n" "${csv_text}")
foreach(id example_hash/fnv1a/64 example_hash/fnv1a/4096 example_sort/std_sort/1024)
  expect_match("CSV row of ${id}" "\ncounting/[a-z]+,,example,${id},ok,,2,${number},${number},"
               "${csv_text}")
endforeach()
# A header and three rows, each ending in CR LF as RFC 4180 says. (Checked on the bytes: CMake's
# text handling drops the CRs.)
file(READ ${csv} csv_hex HEX)
string(REGEX MATCHALL "0d0a" crlf "${csv_hex}")
string(REGEX MATCHALL "0a" lf "${csv_hex}")
list(LENGTH crlf crlf_count)
list(LENGTH lf lf_count)
if(NOT crlf_count EQUAL 4 OR NOT lf_count EQUAL 4)
  message(FATAL_ERROR "FAILED: ${csv} is not a header and 3 rows ending in CR LF:\n${csv_text}")
endif()
file(READ ${json} json_text)
expect_match("result context" "\"hypervisor\": \"counting\"" "${json_text}")
expect_match("result context" "\"hypervisor_version\": \"emulator " "${json_text}")

# The VM path of `counting`: a VM suite through it, each worker logging its counts.
set(counting_log ${WORK_DIR}/counting.log)
run_checked(vm ${CMAKE_COMMAND} -E env VMBENCH_COUNTING_LOG=${counting_log} ${vmbench} --strict run
            --plugin-dir ${examples_plugins} --suite vcpu_exits --hypervisor counting
            --repetitions 1 --processes 1 --min-time 0.001 --quiet
            --reporter json:out=${WORK_DIR}/vcpu_exits.json)
file(READ ${WORK_DIR}/vcpu_exits.json vm_json)
expect_no_match("vcpu_exits through counting" "\"status\": \"(error|skipped)\"" "${vm_json}")
file(READ ${counting_log} counting_text)
set(positive "[1-9][0-9]*")
expect_match(
  "counting log"
  "counting\\(emulator\\): ${positive} VMs, ${positive} vCPUs, ${positive} runs [^\n]*io_out [1-9]"
  "${counting_text}")

# ---- 4. installed examples need no flag ----------------------------------------------------------

run_checked(install_examples ${CMAKE_COMMAND} --install ${examples_build} --prefix ${prefix})
run_checked(default ${vmbench} --strict list plugins)
foreach(file libvmbench_hypervisor_counting.so libvmbench_suite_example.so
             libvmbench_reporter_csv.so)
  expect_contains("list plugins without flags" "${prefix}/lib/vmbench/plugins/${file}"
                  "${default_out}")
endforeach()

message(STATUS "install_sdk: all checks passed")
