#include "mshv_vm.h"

#include <sys/ioctl.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "mshv_abi.h"
#include "mshv_vcpu.h"
#include "vmbench/hypervisors/memory_slots.h"
#include "vmbench/plugin/status_macros.h"

namespace vmbench::mshv {
namespace {

absl::Status SetPartitionProperty(int partition_fd, std::uint32_t code, std::uint64_t value,
                                  absl::string_view operation) {
  // The kernel fills in partition_id.
  SetPartitionPropertyInput input{};
  input.property_code = code;
  input.property_value = value;
  return Hvcall(partition_fd, operation, kHvcallSetPartitionProperty, 0, &input, sizeof(input),
                nullptr, 0);
}

}  // namespace

absl::StatusOr<std::unique_ptr<MshvVm>> MshvVm::Create(int device_fd) noexcept {
  // No LAPIC, x2APIC or super pages: a vmbench guest takes no interrupts and halts to the host.
  const CreatePartition request{.pt_flags = 0, .pt_isolation = kIsolationNone};
  int fd = -1;
  do {
    fd = ::ioctl(device_fd, kIoctlCreatePartition, &request);
  } while (fd < 0 && errno == EINTR);  // as Cloud Hypervisor retries it
  if (fd < 0) return MshvError("MSHV_CREATE_PARTITION", errno);
  FileDescriptor partition(fd);
  // Before initialization: no synthetic processor features (Hyperlight sets 0, where rust-vmm's
  // create_vm would set up a SynIC partition). Only allowed on the partition's descriptor.
  VMB_RETURN_IF_ERROR(SetPartitionProperty(partition.get(), kPropertySyntheticProcFeatures, 0,
                                           "setting the synthetic processor features"));
  if (::ioctl(partition.get(), kIoctlInitializePartition, 0) != 0) {
    return MshvError("MSHV_INITIALIZE_PARTITION", errno);
  }
  return std::unique_ptr<MshvVm>(new MshvVm(std::move(partition)));
}

absl::Status MshvVm::SetGuestMemory(std::uint32_t slot, const Slot& region, std::uint8_t flags,
                                    absl::string_view operation) {
  const UserMemoryRegion request{.size = region.size,
                                 .guest_pfn = region.gpa / kPageSize,
                                 .userspace_addr = reinterpret_cast<std::uintptr_t>(region.host),
                                 .flags = flags,
                                 .reserved = {}};
  if (::ioctl(fd_.get(), kIoctlSetGuestMemory, &request) != 0) {
    return MshvError(absl::StrCat(operation, " slot ", slot, ": MSHV_SET_GUEST_MEMORY"), errno);
  }
  return absl::OkStatus();
}

absl::Status MshvVm::MapMemory(std::uint32_t slot, std::uint64_t gpa, void* host, std::size_t size,
                               MemoryAccess access) noexcept {
  VMB_RETURN_IF_ERROR(hypervisors::CheckMapRequest("mshv", slot, gpa, host, size, slots_));
  Slot region{.gpa = gpa, .size = size, .host = host, .flags = kMemoryExecutable};
  if (access == MemoryAccess::kReadWrite) region.flags |= kMemoryWritable;
  VMB_RETURN_IF_ERROR(SetGuestMemory(slot, region, region.flags, "MapMemory"));
  slots_[slot] = region;
  return absl::OkStatus();
}

absl::Status MshvVm::UnmapMemory(std::uint32_t slot) noexcept {
  const auto it = slots_.find(slot);
  if (it == slots_.end()) {
    return absl::InvalidArgumentError(
        absl::StrCat("mshv: UnmapMemory slot ", slot, ": the slot is not mapped"));
  }
  // Unmapping names the same region with the unmap bit; the kernel unpins its pages.
  VMB_RETURN_IF_ERROR(
      SetGuestMemory(slot, it->second, it->second.flags | kMemoryUnmap, "UnmapMemory"));
  slots_.erase(it);
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Vcpu>> MshvVm::CreateVcpu(std::uint32_t index) noexcept {
  if (index != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("mshv: CreateVcpu(", index, "): a vmbench VM has one vCPU, index 0"));
  }
  if (vcpu_created_) {
    return absl::FailedPreconditionError(
        "mshv: CreateVcpu(0): VP 0 of this partition was already created");
  }
  VMB_ASSIGN_OR_RETURN(std::unique_ptr<MshvVcpu> vcpu, MshvVcpu::Create(fd_.get(), index));
  vcpu_created_ = true;
  return std::unique_ptr<Vcpu>(std::move(vcpu));
}

absl::StatusOr<std::vector<std::uint64_t>> MshvVm::ReadAndClearDirty(const Slot& region,
                                                                     absl::string_view operation) {
  const std::uint64_t pages = region.size / kPageSize;
  std::vector<std::uint64_t> bitmap((pages + 63) / 64);
  // The kernel writes (page_count + 7) / 8 bytes, bit i of byte i / 8 for page i: on a
  // little-endian host that is already the interface's layout (bit i of word i / 64), so each
  // batch, a multiple of 64 pages, lands straight in its words.
  static_assert(kGpapBatchPages % 64 == 0);
  for (std::uint64_t first = 0; first < pages; first += kGpapBatchPages) {
    const std::uint64_t count = std::min(kGpapBatchPages, pages - first);
    GpapAccessBitmap request{};
    request.access_type = kGpapAccessTypeDirty;
    request.access_op = kGpapAccessOpClear;
    request.page_count = count;
    request.gpap_base = region.gpa / kPageSize + first;
    request.bitmap_ptr = reinterpret_cast<std::uintptr_t>(bitmap.data() + first / 64);
    if (::ioctl(fd_.get(), kIoctlGetGpapAccessBitmap, &request) != 0) {
      return MshvError(absl::StrCat(operation, ": MSHV_GET_GPAP_ACCESS_BITMAP of pages 0x",
                                    absl::Hex(request.gpap_base), "+", count),
                       errno);
    }
  }
  return bitmap;
}

absl::Status MshvVm::EnableDirtyTracking(std::uint32_t slot) noexcept {
  const auto it = slots_.find(slot);
  if (it == slots_.end()) {
    return absl::InvalidArgumentError(
        absl::StrCat("mshv: EnableDirtyTracking slot ", slot, ": the slot is not mapped"));
  }
  const std::string operation = absl::StrCat("EnableDirtyTracking slot ", slot);
  if (!tracking_enabled_) {
    // Bit 0 enables tracking; bit 1 (granularity) stays 0. Turning it off again would need every
    // dirty bit set first (a Microsoft Hypervisor requirement Cloud Hypervisor follows); the
    // partition keeps tracking until it is destroyed, so this backend never does.
    VMB_RETURN_IF_ERROR(
        SetPartitionProperty(fd_.get(), kPropertyGpaPageAccessTracking, 1, operation));
    tracking_enabled_ = true;
  }
  VMB_RETURN_IF_ERROR(ReadAndClearDirty(it->second, operation).status());
  it->second.tracked = true;
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::uint64_t>> MshvVm::TakeDirtyPages(std::uint32_t slot) noexcept {
  const auto it = slots_.find(slot);
  if (it == slots_.end() || !it->second.tracked) {
    return absl::FailedPreconditionError(absl::StrCat(
        "mshv: TakeDirtyPages slot ", slot, ": dirty tracking is not enabled for the slot"));
  }
  return ReadAndClearDirty(it->second, absl::StrCat("TakeDirtyPages slot ", slot));
}

}  // namespace vmbench::mshv
