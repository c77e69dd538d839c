#include "kvm_hypervisor.h"

#include <sys/utsname.h>

#include "absl/strings/str_cat.h"
#include "kvm_vm.h"
#include "vmbench/plugin/status_macros.h"

namespace vmbench::kvm {
namespace {

std::string KernelRelease() {
  utsname names{};
  if (::uname(&names) != 0) return "unknown";
  return names.release;
}

}  // namespace

absl::StatusOr<std::shared_ptr<const KvmDevice>> KvmHypervisor::Device() noexcept {
  std::lock_guard lock(mu_);
  // A failed probe is not kept: the device may appear later (modprobe kvm_amd, a new group).
  if (device_ == nullptr) {
    VMB_ASSIGN_OR_RETURN(device_, OpenKvmDevice());
  }
  return device_;
}

Availability KvmHypervisor::CheckAvailability() noexcept {
  const absl::StatusOr<std::shared_ptr<const KvmDevice>> device = Device();
  if (!device.ok()) return {false, std::string(device.status().message())};
  return {true, ""};
}

std::string KvmHypervisor::Version() noexcept {
  const absl::StatusOr<std::shared_ptr<const KvmDevice>> device = Device();
  if (!device.ok()) return absl::StrCat("Linux ", KernelRelease(), ", no usable /dev/kvm");
  return absl::StrCat("KVM API ", (*device)->api_version, ", Linux ", KernelRelease());
}

HypervisorCapabilities KvmHypervisor::Capabilities() noexcept {
  // Replaceable memory: api.rst (KVM_SET_USER_MEMORY_REGION): "When the KVM_CAP_SYNC_MMU capability
  // is available, changes in the backing of the memory region are automatically reflected into the
  // guest. For example, an mmap() that affects the region will be made visible immediately." KVM
  // follows the host's page tables through MMU notifiers and pins nothing.
  const absl::StatusOr<std::shared_ptr<const KvmDevice>> device = Device();
  return HypervisorCapabilities{.dirty_tracking = true,
                                .replaceable_memory = device.ok() && (*device)->sync_mmu};
}

absl::StatusOr<std::unique_ptr<Vm>> KvmHypervisor::CreateVm() noexcept {
  VMB_ASSIGN_OR_RETURN(std::shared_ptr<const KvmDevice> device, Device());
  VMB_ASSIGN_OR_RETURN(std::unique_ptr<KvmVm> vm, KvmVm::Create(std::move(device)));
  return std::unique_ptr<Vm>(std::move(vm));
}

}  // namespace vmbench::kvm
