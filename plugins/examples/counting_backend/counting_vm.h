// The `counting` backend's Vm: forwards to the wrapped backend's VM and wraps its vCPUs.

#ifndef VMBENCH_EXAMPLES_COUNTING_VM_H_
#define VMBENCH_EXAMPLES_COUNTING_VM_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "counting_stats.h"
#include "vmbench/plugin/hypervisor.h"

namespace vmbench::counting {

class CountingVm final : public Vm {
 public:
  // `backend` is the wrapped Hypervisor that created `inner`; holding it keeps that backend and
  // its plugin library alive for as long as this VM, whatever the host drops first.
  CountingVm(std::shared_ptr<Hypervisor> backend, std::unique_ptr<Vm> inner,
             std::shared_ptr<CountingStats> stats);

  absl::Status MapMemory(std::uint32_t slot, std::uint64_t gpa, void* host, std::size_t size,
                         MemoryAccess access) noexcept override;
  absl::Status UnmapMemory(std::uint32_t slot) noexcept override;
  absl::StatusOr<std::unique_ptr<Vcpu>> CreateVcpu(std::uint32_t index) noexcept override;
  absl::Status EnableDirtyTracking(std::uint32_t slot) noexcept override;
  absl::StatusOr<std::vector<std::uint64_t>> TakeDirtyPages(std::uint32_t slot) noexcept override;

 private:
  // Declared before inner_, so inner_ is destroyed first.
  std::shared_ptr<Hypervisor> backend_;
  std::unique_ptr<Vm> inner_;
  std::shared_ptr<CountingStats> stats_;
};

}  // namespace vmbench::counting

#endif  // VMBENCH_EXAMPLES_COUNTING_VM_H_
