#include "host_info.h"

#include <catch2/catch.hpp>
#include <regex>

namespace vmbench {
namespace {

TEST_CASE("host facts are read from this Linux machine", "[host_info]") {
  const HostInfo host = ReadHostInfo();
  CHECK_FALSE(host.kernel.empty());
  CHECK_FALSE(host.arch.empty());
  CHECK(host.logical_cpus > 0);
  CHECK(host.physical_cores > 0);
  CHECK(host.physical_cores <= host.logical_cpus);
  CHECK(host.memory_bytes > 0);
}

TEST_CASE("the fingerprint depends on stable fields only", "[host_info]") {
  HostInfo a;
  a.arch = "x86_64";
  a.cpu_vendor = "amd";
  a.cpu_model = "AMD EPYC";
  a.logical_cpus = 2;
  a.physical_cores = 2;
  a.memory_bytes = 24ULL << 30;
  HostInfo b = a;
  b.kernel = "6.1.0-other";
  b.os = "Debian GNU/Linux 13";
  b.memory_bytes += 100ULL << 20;  // a little less or more memory reported by the firmware
  CHECK(MachineFingerprint(a) == MachineFingerprint(b));
  HostInfo c = a;
  c.cpu_model = "Intel Xeon";
  CHECK(MachineFingerprint(a) != MachineFingerprint(c));
  CHECK(std::regex_match(MachineFingerprint(a), std::regex("[0-9a-f]{16}")));
}

TEST_CASE("timestamps are RFC 3339 UTC", "[host_info]") {
  CHECK(
      std::regex_match(CurrentTimestamp(), std::regex(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)")));
}

}  // namespace
}  // namespace vmbench
