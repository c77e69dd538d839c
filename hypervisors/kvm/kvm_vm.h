// The kvm backend's VM: one KVM VM (KVM_CREATE_VM, type 0), its guest-physical memory slots
// (KVM_SET_USER_MEMORY_REGION, straight from the caller's host pointers), one vCPU, and dirty-page
// tracking through KVM's dirty log.
//
// Deliberately no in-kernel irqchip (KVM_CREATE_IRQCHIP): with an in-kernel local APIC, KVM
// handles HLT itself and KVM_EXIT_HLT never reaches user space; vmbench guests take no interrupts.
//
// Not thread-safe: use a VM and its vCPU from one thread at a time (only Vcpu::Interrupt and
// Vcpu::ClearInterrupt may be called from any thread).

#ifndef VMBENCH_HYPERVISORS_KVM_KVM_VM_H_
#define VMBENCH_HYPERVISORS_KVM_KVM_VM_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "kvm_device.h"
#include "vmbench/plugin/hypervisor.h"

namespace vmbench::kvm {

class KvmVm final : public Vm {
 public:
  // KVM_CREATE_VM on `device`.
  static absl::StatusOr<std::unique_ptr<KvmVm>> Create(
      std::shared_ptr<const KvmDevice> device) noexcept;

  // `slot` is KVM's slot id (below KVM_CAP_NR_MEMSLOTS). Overlapping, unaligned, empty or
  // wrapping ranges and slots already in use are InvalidArgument before any ioctl, with the
  // conflicting slot named. kReadOnly maps with KVM_MEM_READONLY: guest writes become MmioExits.
  absl::Status MapMemory(std::uint32_t slot, std::uint64_t gpa, void* host, std::size_t size,
                         MemoryAccess access) noexcept override;
  // Deletes the slot (KVM_SET_USER_MEMORY_REGION with memory_size 0).
  absl::Status UnmapMemory(std::uint32_t slot) noexcept override;

  // One vCPU per VM: index 0, once (InvalidArgument for another index; FailedPrecondition for a
  // second creation, because KVM keeps a vCPU until its VM is destroyed, so id 0 cannot be reused).
  absl::StatusOr<std::unique_ptr<Vcpu>> CreateVcpu(std::uint32_t index) noexcept override;

  // Sets KVM_MEM_LOG_DIRTY_PAGES on the slot. The log starts empty; enabling again keeps it.
  absl::Status EnableDirtyTracking(std::uint32_t slot) noexcept override;
  // KVM_GET_DIRTY_LOG, which returns the bitmap and clears it (write-protecting the pages again).
  absl::StatusOr<std::vector<std::uint64_t>> TakeDirtyPages(std::uint32_t slot) noexcept override;

 private:
  struct Slot {
    std::uint64_t gpa = 0;
    std::uint64_t size = 0;
    void* host = nullptr;
    std::uint32_t flags = 0;  // KVM_MEM_READONLY, KVM_MEM_LOG_DIRTY_PAGES
  };

  KvmVm(std::shared_ptr<const KvmDevice> device, FileDescriptor fd)
      : device_(std::move(device)), fd_(std::move(fd)) {}

  // KVM_SET_USER_MEMORY_REGION for `slot` as described by `region` (size 0 deletes it).
  absl::Status SetRegion(std::uint32_t slot, const Slot& region, absl::string_view operation);

  std::shared_ptr<const KvmDevice> device_;
  FileDescriptor fd_;
  std::map<std::uint32_t, Slot> slots_;
  bool vcpu_created_ = false;
};

}  // namespace vmbench::kvm

#endif  // VMBENCH_HYPERVISORS_KVM_KVM_VM_H_
