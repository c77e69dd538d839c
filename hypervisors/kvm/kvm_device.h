// The kvm backend's view of /dev/kvm: opening and probing it, the file descriptors of KVM objects,
// and error messages.
//
// Everything here follows Documentation/virt/kvm/api.rst (Linux 6.1, the kernel of Debian 12's
// linux-libc-dev, whose <linux/kvm.h> supplies every structure and ioctl number).

#ifndef VMBENCH_HYPERVISORS_KVM_KVM_DEVICE_H_
#define VMBENCH_HYPERVISORS_KVM_KVM_DEVICE_H_

#include <linux/kvm.h>
#include <sys/ioctl.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "vmbench/posix/file_descriptor.h"

namespace vmbench::kvm {

// The KVM API version this backend is written against. api.rst: "Applications should refuse to
// run if KVM_GET_API_VERSION returns a value other than 12."
inline constexpr int kApiVersion = 12;

// struct kvm_cpuid2 as the kernel lays it out, with room for as many entries as KVM ever reports
// (KVM_MAX_CPUID_ENTRIES, arch/x86/include/asm/kvm_host.h). <linux/kvm.h> of Linux 6.1 declares
// kvm_cpuid2::entries with __DECLARE_FLEX_ARRAY, whose empty struct member takes one byte in C++
// (none in C): in C++ `entries` lands at offset 12 instead of 8, and since _IOWR encodes
// sizeof(struct kvm_cpuid2), the header's KVM_GET_SUPPORTED_CPUID and KVM_SET_CPUID2 are numbers
// the kernel does not know (EINVAL). Later headers give the macro a C++ form; until then the
// header of the structure and the two ioctl numbers are spelled out here.
struct CpuidHeader {
  std::uint32_t nent;
  std::uint32_t padding;
};
inline constexpr std::size_t kMaxCpuidEntries = 256;
struct CpuidTable {
  CpuidHeader header;
  kvm_cpuid_entry2 entries[kMaxCpuidEntries];
};
static_assert(offsetof(CpuidTable, entries) == 8, "struct kvm_cpuid2 has its entries at offset 8");
inline constexpr unsigned long kGetSupportedCpuid = _IOWR(KVMIO, 0x05, CpuidHeader);
inline constexpr unsigned long kSetCpuid2 = _IOW(KVMIO, 0x90, CpuidHeader);
static_assert(kGetSupportedCpuid == 0xC008AE05 && kSetCpuid2 == 0x4008AE90,
              "the numbers a C program gets from <linux/kvm.h>");

// "kvm: <operation> failed: <strerror(error_number)>", with the canonical code of the errno
// (PermissionDenied for EACCES, InvalidArgument for EINVAL, ...).
absl::Status KvmError(absl::string_view operation, int error_number);

using posix::FileDescriptor;

// An open /dev/kvm that passed the checks of OpenKvmDevice, and what every VM of the process
// takes from it. Shared (read-only) by the hypervisor object and its VMs, so it outlives them all.
struct KvmDevice {
  FileDescriptor fd;
  int api_version = 0;
  // KVM_CHECK_EXTENSION(KVM_CAP_NR_MEMSLOTS): memory slots 0..max_memory_slots-1 are usable.
  std::uint32_t max_memory_slots = 0;
  // KVM_CHECK_EXTENSION(KVM_CAP_SYNC_MMU): changes to the host mappings behind a memory slot
  // (mmap, madvise) reach the guest.
  bool sync_mmu = false;
  // KVM_GET_VCPU_MMAP_SIZE: the size of the shared kvm_run area of each vCPU.
  std::size_t vcpu_mmap_size = 0;
  // KVM_GET_SUPPORTED_CPUID, minus the features a vmbench guest must not see (kvm_device.cc),
  // given to every vCPU with KVM_SET_CPUID2.
  std::vector<kvm_cpuid_entry2> cpuid;
};

// Opens /dev/kvm (O_RDWR | O_CLOEXEC) and checks that this backend can use it: API version 12,
// KVM_CAP_USER_MEMORY and KVM_CAP_IMMEDIATE_EXIT. Unavailable with the precise reason otherwise,
// e.g. "/dev/kvm: No such file or directory", "/dev/kvm: Permission denied", "/dev/kvm: KVM API
// version 11, this backend needs 12".
absl::StatusOr<std::shared_ptr<const KvmDevice>> OpenKvmDevice() noexcept;

}  // namespace vmbench::kvm

#endif  // VMBENCH_HYPERVISORS_KVM_KVM_DEVICE_H_
