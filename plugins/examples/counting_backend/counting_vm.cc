#include "counting_vm.h"

#include <utility>

#include "counting_vcpu.h"

namespace vmbench::counting {

CountingVm::CountingVm(std::shared_ptr<Hypervisor> backend, std::unique_ptr<Vm> inner,
                       std::shared_ptr<CountingStats> stats)
    : backend_(std::move(backend)), inner_(std::move(inner)), stats_(std::move(stats)) {}

absl::Status CountingVm::MapMemory(std::uint32_t slot, std::uint64_t gpa, void* host,
                                   std::size_t size, MemoryAccess access) noexcept {
  return inner_->MapMemory(slot, gpa, host, size, access);
}

absl::Status CountingVm::UnmapMemory(std::uint32_t slot) noexcept {
  return inner_->UnmapMemory(slot);
}

absl::StatusOr<std::unique_ptr<Vcpu>> CountingVm::CreateVcpu(std::uint32_t index) noexcept {
  absl::StatusOr<std::unique_ptr<Vcpu>> vcpu = inner_->CreateVcpu(index);
  if (!vcpu.ok()) return vcpu.status();
  stats_->vcpus.fetch_add(1, std::memory_order_relaxed);
  return std::unique_ptr<Vcpu>(std::make_unique<CountingVcpu>(*std::move(vcpu), stats_));
}

// Dirty tracking is forwarded too: without it the sandbox would fall back to copying whole
// memory, and `counting` would change what a snapshot costs.
absl::Status CountingVm::EnableDirtyTracking(std::uint32_t slot) noexcept {
  return inner_->EnableDirtyTracking(slot);
}

absl::StatusOr<std::vector<std::uint64_t>> CountingVm::TakeDirtyPages(std::uint32_t slot) noexcept {
  return inner_->TakeDirtyPages(slot);
}

}  // namespace vmbench::counting
