// What the `counting` backend counts: VMs and vCPUs created, vCPU runs, the time spent in them,
// and the exits by kind. One CountingStats per CountingHypervisor, shared with every VM and vCPU
// it creates; the counters are atomics because a vCPU runs on its own thread and
// Vcpu::Interrupt may come from any other.

#ifndef VMBENCH_EXAMPLES_COUNTING_STATS_H_
#define VMBENCH_EXAMPLES_COUNTING_STATS_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <variant>

#include "absl/strings/string_view.h"
#include "vmbench/plugin/hypervisor.h"

namespace vmbench::counting {

struct CountingStats {
  std::atomic<std::uint64_t> vms{0};
  std::atomic<std::uint64_t> vcpus{0};
  std::atomic<std::uint64_t> runs{0};
  std::atomic<std::uint64_t> run_ns{0};      // wall time spent inside the wrapped Vcpu::Run
  std::atomic<std::uint64_t> run_errors{0};  // runs that returned an error status
  std::atomic<std::uint64_t> interrupts{0};
  // Indexed by VcpuExit::index(): io_out, halt, cancelled, mmio, fault.
  std::array<std::atomic<std::uint64_t>, std::variant_size_v<VcpuExit>> exits{};

  // One line, e.g. "counting(emulator): 2 VMs, 2 vCPUs, 1200 runs (mean 1.25 µs), exits: io_out
  // 800, halt 400, cancelled 0, mmio 0, fault 0; 0 run errors, 0 interrupts".
  std::string Summary(absl::string_view inner_name) const;
};

// Appends `line` and a newline to the file named by VMBENCH_COUNTING_LOG, or writes it to stderr
// when that variable is not set. One write per line, so lines from several processes (vmbench
// runs each benchmark in worker processes) do not interleave.
void WriteLogLine(const std::string& line) noexcept;

}  // namespace vmbench::counting

#endif  // VMBENCH_EXAMPLES_COUNTING_STATS_H_
