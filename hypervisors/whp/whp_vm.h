// The whp backend's VM: one WHP partition (WhpPartition), its guest-physical memory straight
// from the caller's host pointers, one vCPU, and dirty-page tracking where the hypervisor offers
// it.
//
// The partition is shared with the vCPU (std::shared_ptr), so that an Interrupt on a vCPU whose
// VM is being destroyed never touches freed memory; the VM's destructor deletes the partition all
// the same (WhpPartition::Delete), after which the vCPU's calls fail cleanly.
//
// Not thread-safe: use a VM and its vCPU from one thread at a time (only Vcpu::Interrupt and
// Vcpu::ClearInterrupt may be called from any thread).

#ifndef VMBENCH_HYPERVISORS_WHP_WHP_VM_H_
#define VMBENCH_HYPERVISORS_WHP_WHP_VM_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "vmbench/plugin/hypervisor.h"
#include "whp_partition.h"

namespace vmbench::whp {

class WhpVm final : public Vm {
 public:
  explicit WhpVm(std::shared_ptr<WhpPartition> partition) : partition_(std::move(partition)) {}
  WhpVm(const WhpVm&) = delete;
  WhpVm& operator=(const WhpVm&) = delete;
  // Deletes the partition (WhpPartition::Delete).
  ~WhpVm() override;

  // WHvMapGpaRange (Read | Execute, plus Write for kReadWrite: guest writes to kReadOnly memory
  // become MmioExits). `slot` is any number naming the range; unaligned, empty, wrapping or
  // overlapping ranges and slots already in use are InvalidArgument before any WHP call.
  absl::Status MapMemory(std::uint32_t slot, std::uint64_t gpa, void* host, std::size_t size,
                         MemoryAccess access) noexcept override;
  // WHvUnmapGpaRange.
  absl::Status UnmapMemory(std::uint32_t slot) noexcept override;

  // One vCPU per VM: index 0, once (InvalidArgument for another index, FailedPrecondition for a
  // second creation).
  absl::StatusOr<std::unique_ptr<Vcpu>> CreateVcpu(std::uint32_t index) noexcept override;

  // Maps the slot again with WHvMapGpaRangeFlagTrackDirtyPages; the log starts empty.
  absl::Status EnableDirtyTracking(std::uint32_t slot) noexcept override;
  // WHvQueryGpaRangeDirtyBitmap, then an explicit clear of the range.
  absl::StatusOr<std::vector<std::uint64_t>> TakeDirtyPages(std::uint32_t slot) noexcept override;

 private:
  std::shared_ptr<WhpPartition> partition_;
};

}  // namespace vmbench::whp

#endif  // VMBENCH_HYPERVISORS_WHP_WHP_VM_H_
