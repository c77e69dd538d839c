#include "whp_vm.h"

#include <string>
#include <utility>

#include "whp_status.h"
#include "whp_vcpu.h"

namespace vmbench::whp {

WhpVm::~WhpVm() { partition_->Delete(); }

absl::Status WhpVm::MapMemory(std::uint32_t slot, std::uint64_t gpa, void* host, std::size_t size,
                              MemoryAccess access) noexcept {
  return ToStatus(partition_->MapMemory(slot, gpa, host, size, access));
}

absl::Status WhpVm::UnmapMemory(std::uint32_t slot) noexcept {
  return ToStatus(partition_->UnmapMemory(slot));
}

absl::StatusOr<std::unique_ptr<Vcpu>> WhpVm::CreateVcpu(std::uint32_t index) noexcept {
  if (index != 0) {
    return absl::InvalidArgumentError("whp: CreateVcpu(" + std::to_string(index) +
                                      "): a vmbench VM has one vCPU, index 0");
  }
  if (absl::Status status = ToStatus(partition_->CreateVcpu()); !status.ok()) return status;
  return std::unique_ptr<Vcpu>(std::make_unique<WhpVcpu>(partition_));
}

absl::Status WhpVm::EnableDirtyTracking(std::uint32_t slot) noexcept {
  return ToStatus(partition_->EnableDirtyTracking(slot));
}

absl::StatusOr<std::vector<std::uint64_t>> WhpVm::TakeDirtyPages(std::uint32_t slot) noexcept {
  return ToStatusOr(partition_->TakeDirtyPages(slot));
}

}  // namespace vmbench::whp
