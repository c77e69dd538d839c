#include "kvm_vm.h"

#include <sys/ioctl.h>

#include <cerrno>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "kvm_vcpu.h"
#include "vmbench/hypervisors/memory_slots.h"
#include "vmbench/plugin/status_macros.h"

namespace vmbench::kvm {
using hypervisors::kPageSize;

absl::StatusOr<std::unique_ptr<KvmVm>> KvmVm::Create(
    std::shared_ptr<const KvmDevice> device) noexcept {
  // Type 0 is the default x86 VM. KVM_CREATE_VM can fail with EINTR when a signal arrives while it
  // registers its MMU notifier; QEMU retries it (accel/kvm/kvm-all.c, kvm_init), and so do we.
  int fd = -1;
  do {
    fd = ::ioctl(device->fd.get(), KVM_CREATE_VM, 0);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return KvmError("KVM_CREATE_VM", errno);
  return std::unique_ptr<KvmVm>(new KvmVm(std::move(device), FileDescriptor(fd)));
}

absl::Status KvmVm::SetRegion(std::uint32_t slot, const Slot& region, absl::string_view operation) {
  kvm_userspace_memory_region request{};
  request.slot = slot;
  request.flags = region.flags;
  request.guest_phys_addr = region.gpa;
  request.memory_size = region.size;
  request.userspace_addr = reinterpret_cast<std::uintptr_t>(region.host);
  if (::ioctl(fd_.get(), KVM_SET_USER_MEMORY_REGION, &request) != 0) {
    return KvmError(absl::StrCat(operation, " slot ", slot, ": KVM_SET_USER_MEMORY_REGION"), errno);
  }
  return absl::OkStatus();
}

absl::Status KvmVm::MapMemory(std::uint32_t slot, std::uint64_t gpa, void* host, std::size_t size,
                              MemoryAccess access) noexcept {
  // api.rst: "bits 16-31 of "slot" specifies the address space which is being modified" (1 is
  // SMM on x86), so only slots below KVM_CAP_NR_MEMSLOTS are plain guest memory.
  if (slot >= device_->max_memory_slots) {
    return absl::InvalidArgumentError(
        absl::StrCat("kvm: MapMemory slot ", slot, ": KVM offers slots 0 to ",
                     device_->max_memory_slots - 1, " (KVM_CAP_NR_MEMSLOTS)"));
  }
  VMB_RETURN_IF_ERROR(hypervisors::CheckMapRequest("kvm", slot, gpa, host, size, slots_));
  const Slot region{gpa, size, host,
                    access == MemoryAccess::kReadOnly ? std::uint32_t{KVM_MEM_READONLY} : 0u};
  VMB_RETURN_IF_ERROR(SetRegion(slot, region, "MapMemory"));
  slots_[slot] = region;
  return absl::OkStatus();
}

absl::Status KvmVm::UnmapMemory(std::uint32_t slot) noexcept {
  const auto it = slots_.find(slot);
  if (it == slots_.end()) {
    return absl::InvalidArgumentError(
        absl::StrCat("kvm: UnmapMemory slot ", slot, ": the slot is not mapped"));
  }
  // api.rst: "Deleting a slot is done by passing zero for memory_size." The dirty log goes with it.
  Slot deleted = it->second;
  deleted.size = 0;
  deleted.flags = 0;
  VMB_RETURN_IF_ERROR(SetRegion(slot, deleted, "UnmapMemory"));
  slots_.erase(it);
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Vcpu>> KvmVm::CreateVcpu(std::uint32_t index) noexcept {
  if (index != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("kvm: CreateVcpu(", index, "): a vmbench VM has one vCPU, index 0"));
  }
  if (vcpu_created_) {
    return absl::FailedPreconditionError(
        "kvm: CreateVcpu(0): vCPU 0 of this VM was already created (KVM keeps a vCPU until its VM "
        "is destroyed)");
  }
  VMB_ASSIGN_OR_RETURN(std::unique_ptr<KvmVcpu> vcpu, KvmVcpu::Create(*device_, fd_.get()));
  vcpu_created_ = true;
  return std::unique_ptr<Vcpu>(std::move(vcpu));
}

absl::Status KvmVm::EnableDirtyTracking(std::uint32_t slot) noexcept {
  const auto it = slots_.find(slot);
  if (it == slots_.end()) {
    return absl::InvalidArgumentError(
        absl::StrCat("kvm: EnableDirtyTracking slot ", slot, ": the slot is not mapped"));
  }
  if ((it->second.flags & KVM_MEM_LOG_DIRTY_PAGES) != 0) return absl::OkStatus();
  // api.rst: "When changing an existing slot, it may be moved in the guest physical memory space,
  // or its flags may be modified". KVM then write-protects the slot and logs every page the guest
  // writes from here on, also pages mapped before.
  Slot tracked = it->second;
  tracked.flags |= KVM_MEM_LOG_DIRTY_PAGES;
  VMB_RETURN_IF_ERROR(SetRegion(slot, tracked, "EnableDirtyTracking"));
  it->second = tracked;
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::uint64_t>> KvmVm::TakeDirtyPages(std::uint32_t slot) noexcept {
  const auto it = slots_.find(slot);
  if (it == slots_.end() || (it->second.flags & KVM_MEM_LOG_DIRTY_PAGES) == 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "kvm: TakeDirtyPages slot ", slot, ": dirty tracking is not enabled for the slot"));
  }
  // One bit per page of the slot, in 64-bit words: KVM copies ALIGN(pages, BITS_PER_LONG) / 8
  // bytes (kvm_dirty_bitmap_bytes), bit i of word i / 64 for page i, which is the interface's
  // layout on a 64-bit little-endian host.
  std::vector<std::uint64_t> bitmap((it->second.size / kPageSize + 63) / 64);
  kvm_dirty_log log{};
  log.slot = slot;
  log.dirty_bitmap = bitmap.data();
  // api.rst (KVM_GET_DIRTY_LOG): "return a bitmap containing any pages dirtied since the last call
  // to this ioctl"; without KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 enabled, it also write-protects the
  // returned pages again, so the next write is logged.
  if (::ioctl(fd_.get(), KVM_GET_DIRTY_LOG, &log) != 0) {
    return KvmError(absl::StrCat("TakeDirtyPages slot ", slot, ": KVM_GET_DIRTY_LOG"), errno);
  }
  return bitmap;
}

}  // namespace vmbench::kvm
