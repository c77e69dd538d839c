// The `counting` backend: a Hypervisor that forwards every call to another backend plugin and
// counts what passes through (counting_stats.h). An example of a backend built out of tree
// against the installed SDK (docs/writing-a-backend.md), and a way to see how many exits of each
// kind a suite causes on a given backend:
//
//   VMBENCH_COUNTING_LOG=counts.txt vmbench run --suite vcpu_exits --hypervisor counting
//
// Each process that created a VM writes one summary line when it drops the backend (with the
// log variable unset, on stderr). Counting costs two clock reads per vCPU run, so figures measured
// through `counting` are for understanding a backend, not for comparing it.

#ifndef VMBENCH_EXAMPLES_COUNTING_HYPERVISOR_H_
#define VMBENCH_EXAMPLES_COUNTING_HYPERVISOR_H_

#include <memory>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "counting_stats.h"
#include "inner_backend.h"
#include "vmbench/plugin/hypervisor.h"

namespace vmbench::counting {

class CountingHypervisor final : public Hypervisor {
 public:
  CountingHypervisor();
  // Writes the summary line when this backend created a VM.
  ~CountingHypervisor() override;

  // The wrapped backend's availability; unavailable, with the reason, when it cannot be loaded.
  Availability CheckAvailability() noexcept override;
  // "<wrapped name> <wrapped version>", e.g. "emulator unicorn 2.0.1", so every result says which
  // backend really ran.
  std::string Version() noexcept override;
  HypervisorCapabilities Capabilities() noexcept override;
  // A CountingVm around the wrapped backend's VM. Unavailable when the backend cannot be loaded.
  absl::StatusOr<std::unique_ptr<Vm>> CreateVm() noexcept override;

 private:
  // The wrapped backend, loaded on first use rather than in the constructor: the factory must stay
  // cheap (plugin.h), and `vmbench list plugins` has no reason to load a second plugin.
  const absl::StatusOr<InnerBackend>& Inner() noexcept;

  std::once_flag load_once_;
  absl::StatusOr<InnerBackend> inner_;
  std::shared_ptr<CountingStats> stats_;
};

}  // namespace vmbench::counting

#endif  // VMBENCH_EXAMPLES_COUNTING_HYPERVISOR_H_
