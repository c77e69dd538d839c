// The mshv3 backend's VM: one partition without a local APIC (MSHV_CREATE_PARTITION with no
// flags, no synthetic processor features, MSHV_INITIALIZE_PARTITION), guest memory mapped from the
// caller's host pointers (MSHV_SET_GUEST_MEMORY), one VP, and dirty-page tracking through the
// hypervisor's GPA access bitmap.
//
// The kernel pins mapped pages (FOLL_LONGTERM): replacing the host pages behind a mapping
// (MADV_DONTNEED, mmap over it) would leave the guest on the old ones, so the backend reports
// replaceable_memory false and the sandbox restores snapshots by copying.
//
// Not thread-safe: use a VM and its VP from one thread at a time (only Vcpu::Interrupt and
// Vcpu::ClearInterrupt may be called from any thread).

#ifndef VMBENCH_HYPERVISORS_MSHV3_MSHV_VM_H_
#define VMBENCH_HYPERVISORS_MSHV3_MSHV_VM_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "mshv_device.h"
#include "vmbench/plugin/hypervisor.h"

namespace vmbench::mshv {

class MshvVm final : public Vm {
 public:
  // Creates and initializes a partition through the open /dev/mshv `device_fd`.
  static absl::StatusOr<std::unique_ptr<MshvVm>> Create(int device_fd) noexcept;

  // `slot` only names the region for UnmapMemory (MSHV identifies regions by their addresses).
  // kReadOnly maps without MSHV_SET_MEM_BIT_WRITABLE: guest writes become MmioExits.
  absl::Status MapMemory(std::uint32_t slot, std::uint64_t gpa, void* host, std::size_t size,
                         MemoryAccess access) noexcept override;
  absl::Status UnmapMemory(std::uint32_t slot) noexcept override;

  // One VP per VM: index 0, once.
  absl::StatusOr<std::unique_ptr<Vcpu>> CreateVcpu(std::uint32_t index) noexcept override;

  // The first call turns on the partition's GPA page access tracking
  // (HV_PARTITION_PROPERTY_GPA_PAGE_ACCESS_TRACKING); every call then clears the slot's dirty bits,
  // so its log starts empty.
  absl::Status EnableDirtyTracking(std::uint32_t slot) noexcept override;
  // MSHV_GET_GPAP_ACCESS_BITMAP (dirty, clear after reading) over the slot, in batches.
  absl::StatusOr<std::vector<std::uint64_t>> TakeDirtyPages(std::uint32_t slot) noexcept override;

 private:
  struct Slot {
    std::uint64_t gpa = 0;
    std::uint64_t size = 0;
    void* host = nullptr;
    std::uint8_t flags = 0;  // kMemoryWritable, kMemoryExecutable
    bool tracked = false;
  };

  explicit MshvVm(FileDescriptor fd) : fd_(std::move(fd)) {}

  // MSHV_SET_GUEST_MEMORY for `region` with `flags`.
  absl::Status SetGuestMemory(std::uint32_t slot, const Slot& region, std::uint8_t flags,
                              absl::string_view operation);
  // The slot's dirty pages as a bitmap of 64-bit words, cleared in the hypervisor as they are read.
  absl::StatusOr<std::vector<std::uint64_t>> ReadAndClearDirty(const Slot& region,
                                                               absl::string_view operation);

  FileDescriptor fd_;
  std::map<std::uint32_t, Slot> slots_;
  bool vcpu_created_ = false;
  bool tracking_enabled_ = false;
};

}  // namespace vmbench::mshv

#endif  // VMBENCH_HYPERVISORS_MSHV3_MSHV_VM_H_
