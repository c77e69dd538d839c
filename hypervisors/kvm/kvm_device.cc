#include "kvm_device.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>

#include "absl/strings/str_cat.h"

namespace vmbench::kvm {
namespace {

constexpr const char* kDevicePath = "/dev/kvm";

// CPUID feature bits (Intel SDM Vol. 2A, CPUID; AMD APM Vol. 3, appendix E).
constexpr std::uint32_t kLeafFeatures = 0x1;
constexpr std::uint32_t kEcxVmx = 1u << 5;
constexpr std::uint32_t kEcxX2Apic = 1u << 21;
constexpr std::uint32_t kEcxTscDeadline = 1u << 24;
constexpr std::uint32_t kLeafExtendedFeatures = 0x80000001;
constexpr std::uint32_t kEcxSvm = 1u << 2;

// "/dev/kvm: <strerror(error_number)>" as an Unavailable status: the reason this machine cannot
// run the backend, not an error of the caller.
absl::Status DeviceUnavailable(int error_number) {
  return absl::UnavailableError(absl::ErrnoToStatus(error_number, kDevicePath).message());
}

// Whether the kernel module named `name` is loaded (or built in with parameters): sysfs lists it.
bool ModuleLoaded(const char* name) {
  return ::access((std::string("/sys/module/") + name).c_str(), F_OK) == 0;
}

// /dev/kvm is not always hardware virtualization: kvm_pvm (PVM, "Pagetable-based Virtual
// Machine") provides it without VMX or SVM by running the guest kernel in user mode, and runs only
// guest kernels built for it. A vmbench guest is a bare long-mode program: on a PVM host its first
// SSE instruction fails in KVM's emulator and a kick does not stop a spinning guest (both seen on
// a 6.18 host with kvm_pvm). So the backend needs kvm_intel or kvm_amd, and says so when the only
// provider is kvm_pvm.
absl::Status CheckHardwareProvider() {
  if (ModuleLoaded("kvm_pvm") && !ModuleLoaded("kvm_intel") && !ModuleLoaded("kvm_amd")) {
    return absl::UnavailableError(absl::StrCat(
        kDevicePath,
        ": provided by kvm_pvm (software virtualization for PVM-enabled guest kernels), not by "
        "kvm_intel or kvm_amd; vmbench guests need hardware virtualization"));
  }
  return absl::OkStatus();
}

// KVM_GET_SUPPORTED_CPUID. KVM fills at most KVM_MAX_CPUID_ENTRIES, so one full-size table is
// always large enough (api.rst: E2BIG "if the number of entries is too low").
absl::StatusOr<std::vector<kvm_cpuid_entry2>> SupportedCpuid(int kvm_fd) {
  auto table = std::make_unique<CpuidTable>();
  table->header.nent = kMaxCpuidEntries;
  if (::ioctl(kvm_fd, kGetSupportedCpuid, table.get()) != 0) {
    return KvmError("KVM_GET_SUPPORTED_CPUID", errno);
  }
  const std::size_t count = std::min<std::size_t>(table->header.nent, kMaxCpuidEntries);
  return std::vector<kvm_cpuid_entry2>(table->entries, table->entries + count);
}

// What the guest's CPUID must not promise (Hyperlight's KvmVm::new masks VMX, SVM and x2APIC too):
// VMX and SVM, because the guest gets no nested virtualization; x2APIC and the TSC-deadline timer,
// because both live in the local APIC and this backend creates no in-kernel irqchip (so that HLT
// reaches user space).
void MaskCpuid(std::vector<kvm_cpuid_entry2>& entries) {
  for (kvm_cpuid_entry2& entry : entries) {
    if (entry.function == kLeafFeatures) entry.ecx &= ~(kEcxVmx | kEcxX2Apic | kEcxTscDeadline);
    if (entry.function == kLeafExtendedFeatures) entry.ecx &= ~kEcxSvm;
  }
}

}  // namespace

absl::Status KvmError(absl::string_view operation, int error_number) {
  return absl::ErrnoToStatus(error_number, absl::StrCat("kvm: ", operation, " failed"));
}

absl::StatusOr<std::shared_ptr<const KvmDevice>> OpenKvmDevice() noexcept {
  if (absl::Status provider = CheckHardwareProvider(); !provider.ok()) return provider;
  auto device = std::make_shared<KvmDevice>();
  device->fd = FileDescriptor(::open(kDevicePath, O_RDWR | O_CLOEXEC));
  if (device->fd.get() < 0) return DeviceUnavailable(errno);
  const int kvm = device->fd.get();

  device->api_version = ::ioctl(kvm, KVM_GET_API_VERSION, 0);
  if (device->api_version < 0) return DeviceUnavailable(errno);
  if (device->api_version != kApiVersion) {
    return absl::UnavailableError(absl::StrCat(kDevicePath, ": KVM API version ",
                                               device->api_version, ", this backend needs ",
                                               kApiVersion));
  }
  // KVM_CAP_USER_MEMORY: guest memory from host pointers (KVM_SET_USER_MEMORY_REGION).
  // KVM_CAP_IMMEDIATE_EXIT: the race-free interrupt of kvm_vcpu.cc (Linux 4.11 and later).
  for (const auto& [cap, name] : {std::pair{KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY"},
                                  std::pair{KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT"}}) {
    if (::ioctl(kvm, KVM_CHECK_EXTENSION, cap) <= 0) {
      return absl::UnavailableError(absl::StrCat(kDevicePath, ": the kernel's KVM lacks ", name,
                                                 ", which this backend needs"));
    }
  }
  // api.rst (KVM_CAP_NR_MEMSLOTS): "if this capability is not present, assume 32" (never the case
  // on the kernels that have KVM_CAP_IMMEDIATE_EXIT, but the default costs nothing).
  const int slots = ::ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_NR_MEMSLOTS);
  device->max_memory_slots = slots > 0 ? static_cast<std::uint32_t>(slots) : 32;
  device->sync_mmu = ::ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_SYNC_MMU) > 0;

  const int mmap_size = ::ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
  if (mmap_size < 0) return KvmError("KVM_GET_VCPU_MMAP_SIZE", errno);
  if (static_cast<std::size_t>(mmap_size) < sizeof(kvm_run)) {
    return absl::InternalError(absl::StrCat("kvm: KVM_GET_VCPU_MMAP_SIZE is ", mmap_size,
                                            ", smaller than struct kvm_run (", sizeof(kvm_run),
                                            " bytes)"));
  }
  device->vcpu_mmap_size = static_cast<std::size_t>(mmap_size);

  absl::StatusOr<std::vector<kvm_cpuid_entry2>> cpuid = SupportedCpuid(kvm);
  if (!cpuid.ok()) return cpuid.status();
  device->cpuid = *std::move(cpuid);
  MaskCpuid(device->cpuid);
  return std::shared_ptr<const KvmDevice>(std::move(device));
}

}  // namespace vmbench::kvm
