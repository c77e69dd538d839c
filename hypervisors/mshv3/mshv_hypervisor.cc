#include "mshv_hypervisor.h"

#include <sys/utsname.h>

#include "absl/strings/str_cat.h"
#include "mshv_vm.h"
#include "vmbench/plugin/status_macros.h"

namespace vmbench::mshv {
namespace {

std::string KernelRelease() {
  utsname names{};
  if (::uname(&names) != 0) return "unknown";
  return names.release;
}

}  // namespace

absl::StatusOr<int> MshvHypervisor::Device() noexcept {
  std::lock_guard lock(mu_);
  // A failed open is not kept: the module may be loaded later.
  if (!device_.has_value()) {
    VMB_ASSIGN_OR_RETURN(FileDescriptor fd, OpenMshvDevice());
    device_.emplace(std::move(fd));
  }
  return device_->get();
}

Availability MshvHypervisor::CheckAvailability() noexcept {
  const absl::StatusOr<int> device = Device();
  if (!device.ok()) return {false, std::string(device.status().message())};
  return {true, ""};
}

std::string MshvHypervisor::Version() noexcept {
  if (!Device().ok()) return absl::StrCat("Linux ", KernelRelease(), ", no usable /dev/mshv");
  return absl::StrCat("mshv3 ioctls, Linux ", KernelRelease());
}

HypervisorCapabilities MshvHypervisor::Capabilities() noexcept {
  // The kernel pins guest memory at map time (mshv_region_populate, FOLL_LONGTERM): pages behind a
  // mapping must never be replaced.
  return HypervisorCapabilities{.dirty_tracking = true, .replaceable_memory = false};
}

absl::StatusOr<std::unique_ptr<Vm>> MshvHypervisor::CreateVm() noexcept {
  VMB_ASSIGN_OR_RETURN(const int device, Device());
  VMB_ASSIGN_OR_RETURN(std::unique_ptr<MshvVm> vm, MshvVm::Create(device));
  return std::unique_ptr<Vm>(std::move(vm));
}

}  // namespace vmbench::mshv
