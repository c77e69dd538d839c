// Which logical CPUs the orchestrator may pin its workers to: the online CPUs grouped into
// physical cores (SMT siblings together), read from sysfs, and the call that pins a process there.
//
// `vmbench run -j N` runs up to N workers at once, each on its own physical core, so that two
// workers never share a core's execution units through SMT. ReadTopology() takes the sysfs root as
// a parameter so tests can point it at a fake tree.

#ifndef VMBENCH_CORE_CPU_TOPOLOGY_H_
#define VMBENCH_CORE_CPU_TOPOLOGY_H_

#include <sched.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace vmbench {

// Where Linux describes the CPUs: `online` and `cpuN/topology/` live here.
inline constexpr char kSysCpuRoot[] = "/sys/devices/system/cpu";

// One physical core: its ids as sysfs gives them and the logical CPUs (SMT siblings) on it.
struct PhysicalCore {
  int package = 0;        // cpuN/topology/physical_package_id (-1 where the platform has none)
  int core = 0;           // cpuN/topology/core_id, unique within its package only
  std::vector<int> cpus;  // logical CPUs of this core, ascending; never empty

  friend bool operator==(const PhysicalCore&, const PhysicalCore&) = default;
};

// Parses a kernel CPU list such as "0-3,5,8-9" (trailing whitespace allowed) into ascending,
// distinct CPU numbers. InvalidArgument quoting the text when it is empty, malformed, has a
// descending range or a CPU number above 65535.
absl::StatusOr<std::vector<int>> ParseCpuList(absl::string_view text);

// Reads the online CPUs of `sysfs_root` and groups them into physical cores by their
// (package, core) ids; the cores are sorted by their first CPU. Only CPUs in `allowed` are kept
// (cores left with none are dropped); when `allowed` is null and `sysfs_root` is the real
// kSysCpuRoot, the calling thread's affinity mask (sched_getaffinity) is used instead, so a run
// started under `taskset` stays inside it. A missing or malformed file is an error naming the file;
// no CPU left is FailedPrecondition.
absl::StatusOr<std::vector<PhysicalCore>> ReadTopology(const std::string& sysfs_root = kSysCpuRoot,
                                                       const cpu_set_t* allowed = nullptr);

// One logical CPU per worker, each on a different physical core: the first CPU of each of the
// first `workers` cores, in order. InvalidArgument "-j N is more than the M physical cores
// available" when there are not enough cores, and "-j N must be at least 1" below 1.
absl::StatusOr<std::vector<int>> PickCpus(const std::vector<PhysicalCore>& cores, int workers);

// Restricts the calling thread (in a single-threaded worker, the process) to logical CPU `cpu`.
// Called by a worker before it loads any plugin, so that threads it starts inherit the mask. An
// error names the CPU and the errno text.
absl::Status PinCurrentThreadTo(int cpu);

}  // namespace vmbench

#endif  // VMBENCH_CORE_CPU_TOPOLOGY_H_
