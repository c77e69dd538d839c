// The machine a run happens on: OS, kernel, CPU, cores and memory, read from /etc/os-release,
// uname(2), /proc/cpuinfo, /sys/devices/system/cpu and /proc/meminfo, plus the fingerprint that
// tells whether two result files come from the same kind of machine.

#ifndef VMBENCH_CORE_HOST_INFO_H_
#define VMBENCH_CORE_HOST_INFO_H_

#include <string>

#include "vmbench/plugin/results.h"

namespace vmbench {

// Reads the host description. Fields that cannot be read are left empty or zero.
HostInfo ReadHostInfo();

// A stable identifier of the machine's kind: a hex digest of the fields that do not change
// between runs or reboots (architecture, CPU vendor and model, logical CPUs, physical cores,
// memory rounded to GiB). The kernel and OS release are left out on purpose, so that a routine
// kernel update does not make two runs incomparable.
std::string MachineFingerprint(const HostInfo& host);

// The current time in RFC 3339 form, UTC, to the second: "2026-11-25T12:00:00Z".
std::string CurrentTimestamp();

}  // namespace vmbench

#endif  // VMBENCH_CORE_HOST_INFO_H_
