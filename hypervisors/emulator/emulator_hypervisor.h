// The emulator hypervisor backend: a software x86-64 CPU (Unicorn 2), so that every suite also
// runs on a machine without a hardware hypervisor. Its numbers measure the emulator, never
// hardware; results record the backend that ran.
//
// Always available where the plugin loads. Supports dirty-page tracking and replaceable memory.
// See README.md for what it needs, what it was tested on, and where it differs from hardware.

#ifndef VMBENCH_HYPERVISORS_EMULATOR_EMULATOR_HYPERVISOR_H_
#define VMBENCH_HYPERVISORS_EMULATOR_EMULATOR_HYPERVISOR_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "vmbench/plugin/hypervisor.h"

namespace vmbench::emulator {

class EmulatorHypervisor final : public Hypervisor {
 public:
  Availability CheckAvailability() noexcept override;
  // "unicorn MAJOR.MINOR.PATCH" of the Unicorn library loaded at run time.
  std::string Version() noexcept override;
  HypervisorCapabilities Capabilities() noexcept override;
  absl::StatusOr<std::unique_ptr<Vm>> CreateVm() noexcept override;
};

}  // namespace vmbench::emulator

#endif  // VMBENCH_HYPERVISORS_EMULATOR_EMULATOR_HYPERVISOR_H_
