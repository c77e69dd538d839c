#include "emulator_hypervisor.h"

#include <unicorn/unicorn.h>

#include "absl/strings/str_cat.h"
#include "emulator_vm.h"
#include "vmbench/plugin/status_macros.h"

namespace vmbench::emulator {

Availability EmulatorHypervisor::CheckAvailability() noexcept {
  // A Unicorn built without the x86 target would load and then fail in uc_open.
  if (!uc_arch_supported(UC_ARCH_X86)) {
    return {false, "emulator: the Unicorn library was built without x86 support"};
  }
  return {true, ""};
}

std::string EmulatorHypervisor::Version() noexcept {
  // uc_version packs major, minor, patch and extra into one byte each; extra 255 is a release,
  // anything else a release candidate.
  const unsigned int version = uc_version(nullptr, nullptr);
  std::string text = absl::StrCat("unicorn ", version >> 24 & 0xFF, ".", version >> 16 & 0xFF, ".",
                                  version >> 8 & 0xFF);
  if (const unsigned int extra = version & 0xFF; extra != 0xFF) {
    absl::StrAppend(&text, "-rc", extra);
  }
  return text;
}

HypervisorCapabilities EmulatorHypervisor::Capabilities() noexcept {
  // Replaceable: Unicorn reaches guest memory through the host address of each mapping, so new
  // pages behind that address are simply seen (translated code aside: see emulator_vm.h).
  return HypervisorCapabilities{.dirty_tracking = true, .replaceable_memory = true};
}

absl::StatusOr<std::unique_ptr<Vm>> EmulatorHypervisor::CreateVm() noexcept {
  VMB_ASSIGN_OR_RETURN(std::unique_ptr<EmulatorVm> vm, EmulatorVm::Create());
  return std::unique_ptr<Vm>(std::move(vm));
}

}  // namespace vmbench::emulator
