#include "cpu_topology.h"

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace vmbench {
namespace {

// Linux's largest NR_CPUS is 8192; the bound only keeps a corrupt list from allocating gigabytes.
constexpr int kMaxCpu = 65535;

// A cpu_set_t sized for `cpus` CPUs (glibc's CPU_ALLOC), for machines beyond CPU_SETSIZE.
struct DynamicCpuSet {
  explicit DynamicCpuSet(int cpus) : set(CPU_ALLOC(cpus), &FreeSet), size(CPU_ALLOC_SIZE(cpus)) {
    CPU_ZERO_S(size, set.get());
  }
  static void FreeSet(cpu_set_t* s) { CPU_FREE(s); }

  std::unique_ptr<cpu_set_t, void (*)(cpu_set_t*)> set;
  std::size_t size;
};

// The whole content of a sysfs file, or an error naming it.
absl::StatusOr<std::string> ReadSysfsFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) {
    return absl::NotFoundError(absl::StrCat("reading CPU topology: cannot open ", path.string()));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A sysfs file holding one integer, such as topology/core_id.
absl::StatusOr<int> ReadSysfsInt(const std::filesystem::path& path) {
  absl::StatusOr<std::string> text = ReadSysfsFile(path);
  if (!text.ok()) return text.status();
  int value = 0;
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(*text), &value)) {
    return absl::InvalidArgumentError(absl::StrCat("reading CPU topology: ", path.string(), ": '",
                                                   absl::StripAsciiWhitespace(*text),
                                                   "' is not an integer"));
  }
  return value;
}

// The calling thread's affinity mask. The kernel refuses (EINVAL) a buffer smaller than its own
// mask, so the buffer grows until it fits (sched_getaffinity(2), "NOTES").
absl::StatusOr<DynamicCpuSet> CurrentAffinity() {
  for (int cpus = CPU_SETSIZE; cpus <= kMaxCpu + 1; cpus *= 2) {
    DynamicCpuSet mask(cpus);
    if (sched_getaffinity(0, mask.size, mask.set.get()) == 0) return mask;
    if (errno != EINVAL) break;
  }
  return absl::ErrnoToStatus(errno, "reading CPU topology: sched_getaffinity failed");
}

absl::StatusOr<std::vector<PhysicalCore>> ReadTopologyIf(const std::filesystem::path& root,
                                                         const std::function<bool(int)>& allowed) {
  // `online` lists the CPUs the scheduler uses; offline CPUs keep their cpuN folder but their
  // topology files may be missing, so they are never read
  // (Documentation/ABI/testing/sysfs-devices-system-cpu, "online").
  const std::filesystem::path online_path = root / "online";
  absl::StatusOr<std::string> online_text = ReadSysfsFile(online_path);
  if (!online_text.ok()) return online_text.status();
  absl::StatusOr<std::vector<int>> online = ParseCpuList(*online_text);
  if (!online.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("reading CPU topology: ", online_path.string(),
                                                   ": ", online.status().message()));
  }

  // core_id is only unique within a package, so a core is keyed by both ids
  // (Documentation/ABI/stable/sysfs-devices-system-cpu, "topology/core_id").
  std::map<std::pair<int, int>, PhysicalCore> by_id;
  for (int cpu : *online) {
    if (!allowed(cpu)) continue;
    const std::filesystem::path topology = root / absl::StrCat("cpu", cpu) / "topology";
    absl::StatusOr<int> package = ReadSysfsInt(topology / "physical_package_id");
    if (!package.ok()) return package.status();
    absl::StatusOr<int> core = ReadSysfsInt(topology / "core_id");
    if (!core.ok()) return core.status();
    PhysicalCore& entry = by_id[{*package, *core}];
    entry.package = *package;
    entry.core = *core;
    entry.cpus.push_back(cpu);  // ascending, as `online` is
  }
  if (by_id.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "reading CPU topology: no usable CPU in ", root.string(),
        " (online: ", absl::StripAsciiWhitespace(*online_text), ", after the affinity mask)"));
  }

  std::vector<PhysicalCore> cores;
  for (auto& [id, core] : by_id) cores.push_back(std::move(core));
  std::sort(cores.begin(), cores.end(), [](const PhysicalCore& a, const PhysicalCore& b) {
    return a.cpus.front() < b.cpus.front();
  });
  return cores;
}

}  // namespace

absl::StatusOr<std::vector<int>> ParseCpuList(absl::string_view text) {
  // The format of cpulist_parse() as the kernel prints it: comma-separated CPUs and inclusive
  // ranges "a-b" (Documentation/admin-guide/cputopology.rst). The "a-b:used/group" stride form is
  // only accepted when writing, so it is not expected here.
  const absl::string_view list = absl::StripAsciiWhitespace(text);
  const auto invalid = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("CPU list '", list, "': ", why));
  };
  if (list.empty()) return invalid("is empty");
  std::set<int> cpus;
  for (absl::string_view item : absl::StrSplit(list, ',')) {
    std::vector<absl::string_view> bounds = absl::StrSplit(item, absl::MaxSplits('-', 1));
    int first = 0;
    int last = 0;
    if (!absl::SimpleAtoi(bounds[0], &first) || first < 0 ||
        (bounds.size() == 2 && (!absl::SimpleAtoi(bounds[1], &last) || last < 0))) {
      return invalid(absl::StrCat("'", item, "' is not a CPU number or range"));
    }
    if (bounds.size() == 1) last = first;
    if (last < first) return invalid(absl::StrCat("range '", item, "' is descending"));
    if (last > kMaxCpu) return invalid(absl::StrCat("CPU ", last, " is above ", kMaxCpu));
    for (int cpu = first; cpu <= last; ++cpu) cpus.insert(cpu);
  }
  return std::vector<int>(cpus.begin(), cpus.end());
}

absl::StatusOr<std::vector<PhysicalCore>> ReadTopology(const std::string& sysfs_root,
                                                       const cpu_set_t* allowed) {
  if (allowed != nullptr) {
    return ReadTopologyIf(
        sysfs_root, [allowed](int cpu) { return cpu < CPU_SETSIZE && CPU_ISSET(cpu, allowed); });
  }
  if (sysfs_root != kSysCpuRoot) {
    return ReadTopologyIf(sysfs_root, [](int) { return true; });
  }
  absl::StatusOr<DynamicCpuSet> mask = CurrentAffinity();
  if (!mask.ok()) return mask.status();
  const int bits = static_cast<int>(mask->size * 8);
  return ReadTopologyIf(sysfs_root, [&mask, bits](int cpu) {
    return cpu < bits && CPU_ISSET_S(static_cast<std::size_t>(cpu), mask->size, mask->set.get());
  });
}

absl::StatusOr<std::vector<int>> PickCpus(const std::vector<PhysicalCore>& cores, int workers) {
  if (workers < 1) {
    return absl::InvalidArgumentError(absl::StrCat("-j ", workers, " must be at least 1"));
  }
  if (static_cast<std::size_t>(workers) > cores.size()) {
    return absl::InvalidArgumentError(absl::StrCat("-j ", workers, " is more than the ",
                                                   cores.size(), " physical cores available"));
  }
  std::vector<int> cpus;
  for (int i = 0; i < workers; ++i) cpus.push_back(cores[static_cast<std::size_t>(i)].cpus.front());
  return cpus;
}

absl::Status PinCurrentThreadTo(int cpu) {
  if (cpu < 0 || cpu > kMaxCpu) {
    return absl::InvalidArgumentError(absl::StrCat("cannot pin to CPU ", cpu, ": no such CPU"));
  }
  DynamicCpuSet mask(cpu + 1);
  CPU_SET_S(static_cast<std::size_t>(cpu), mask.size, mask.set.get());
  // pid 0 is the calling thread (sched_setaffinity(2)); threads created later inherit the mask.
  if (sched_setaffinity(0, mask.size, mask.set.get()) != 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat("cannot pin to CPU ", cpu));
  }
  return absl::OkStatus();
}

}  // namespace vmbench
