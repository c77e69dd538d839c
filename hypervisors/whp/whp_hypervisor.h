// The whp hypervisor backend: the Windows Hypervisor Platform (WinHvPlatform.dll), hardware
// virtualization on Windows 10 1809 / Windows Server 2019 or later, x64.
//
// The plugin is the adapter between vmbench's interfaces (absl::Status, vmbench::Vm/Vcpu) and the
// backend's Windows layer (whp_partition.h and the files it includes), which uses only the C++
// standard library and the Windows headers so that it can be cross-compiled, linked and shipped
// on its own as whp_probe.exe. Available where WinHvPlatform.dll and WinHvEmulation.dll load and
// WHvGetCapability reports a hypervisor; otherwise unavailable with the reason (the feature is
// not enabled, no hypervisor is running, Windows is too old). See README.md for what it needs and
// what was verified, and how.

#ifndef VMBENCH_HYPERVISORS_WHP_WHP_HYPERVISOR_H_
#define VMBENCH_HYPERVISORS_WHP_WHP_HYPERVISOR_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "vmbench/plugin/hypervisor.h"

namespace vmbench::whp {

class WhpHypervisor final : public Hypervisor {
 public:
  // ProbeWhp: the DLLs and WHvCapabilityCodeHypervisorPresent.
  Availability CheckAvailability() noexcept override;
  // "Windows Hypervisor Platform, Windows 10.0.<build>", or "Windows 10.0.<build>, WHP
  // unavailable".
  std::string Version() noexcept override;
  // Dirty tracking where WHvCapabilityCodeFeatures offers it; never replaceable memory.
  HypervisorCapabilities Capabilities() noexcept override;
  // One WHP partition (WhpVm).
  absl::StatusOr<std::unique_ptr<Vm>> CreateVm() noexcept override;
};

}  // namespace vmbench::whp

#endif  // VMBENCH_HYPERVISORS_WHP_WHP_HYPERVISOR_H_
