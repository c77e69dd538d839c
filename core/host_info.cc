#include "host_info.h"

#include <sys/utsname.h>

#include <chrono>
#include <cstdint>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"

namespace vmbench {
namespace {

// Returns the value of the first "key<sep>value" line of `path`, trimmed, or "".
std::string ValueOf(const char* path, absl::string_view key, char separator) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    const std::size_t at = line.find(separator);
    if (at == std::string::npos) continue;
    if (absl::StripAsciiWhitespace(absl::string_view(line).substr(0, at)) != key) continue;
    absl::string_view value = absl::StripAsciiWhitespace(absl::string_view(line).substr(at + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    return std::string(value);
  }
  return "";
}

std::string NormalizeVendor(const std::string& vendor) {
  if (vendor == "AuthenticAMD" || vendor == "HygonGenuine") return "amd";
  if (vendor == "GenuineIntel") return "intel";
  return vendor;
}

// Counts distinct (package, core) pairs of the online CPUs, so SMT siblings count once.
int CountPhysicalCores() {
  std::set<std::pair<std::string, std::string>> cores;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/sys/devices/system/cpu", ec)) {
    const std::string name = entry.path().filename().string();
    int index = 0;
    if (!absl::StartsWith(name, "cpu") || !absl::SimpleAtoi(name.substr(3), &index)) continue;
    std::ifstream package(entry.path() / "topology/physical_package_id");
    std::ifstream core(entry.path() / "topology/core_id");
    std::string package_id;
    std::string core_id;
    if (package >> package_id && core >> core_id) cores.emplace(package_id, core_id);
  }
  return static_cast<int>(cores.size());
}

std::uint64_t MemoryBytes() {
  const std::string line = ValueOf("/proc/meminfo", "MemTotal", ':');
  absl::string_view kib = line;
  absl::ConsumeSuffix(&kib, " kB");
  std::uint64_t value = 0;
  return absl::SimpleAtoi(kib, &value) ? value * 1024 : 0;
}

}  // namespace

HostInfo ReadHostInfo() {
  HostInfo host;
  host.os = ValueOf("/etc/os-release", "PRETTY_NAME", '=');
  utsname names{};
  if (uname(&names) == 0) {
    host.kernel = names.release;
    host.arch = names.machine;
  }
  host.cpu_model = ValueOf("/proc/cpuinfo", "model name", ':');
  host.cpu_vendor = NormalizeVendor(ValueOf("/proc/cpuinfo", "vendor_id", ':'));
  host.logical_cpus = static_cast<int>(std::thread::hardware_concurrency());
  host.physical_cores = CountPhysicalCores();
  host.memory_bytes = MemoryBytes();
  return host;
}

std::string MachineFingerprint(const HostInfo& host) {
  constexpr std::uint64_t kGiB = 1ULL << 30;
  const std::string stable =
      absl::StrCat(host.arch, "|", host.cpu_vendor, "|", host.cpu_model, "|", host.logical_cpus,
                   "|", host.physical_cores, "|", (host.memory_bytes + kGiB / 2) / kGiB);
  // FNV-1a, 64 bit: small, and the same on every machine and build (std::hash is not).
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : stable) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return absl::StrFormat("%016x", hash);
}

std::string CurrentTimestamp() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

}  // namespace vmbench
