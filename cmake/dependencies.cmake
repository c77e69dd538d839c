# Every dependency comes from a Debian 12 package (see README.md); nothing is downloaded.
#   libboost1.81-dev, libboost-json1.81-dev  Boost.DLL (header-only) and Boost.JSON
#   libbenchmark-dev                         Google Benchmark 1.7.1, linked shared
#   libabsl-dev                              Abseil 20220623
#   libcli11-dev                             CLI11
#   catch2                                   Catch2 2.13 (tests only)
find_package(Boost 1.81 REQUIRED CONFIG COMPONENTS json)
find_package(benchmark 1.7 REQUIRED CONFIG)
find_package(absl REQUIRED CONFIG)
find_package(CLI11 2.1 REQUIRED CONFIG)
find_package(Threads REQUIRED)
