#include "whp_hypervisor.h"

#include <utility>

#include "whp_partition.h"
#include "whp_status.h"
#include "whp_vm.h"

namespace vmbench::whp {

Availability WhpHypervisor::CheckAvailability() noexcept {
  WhpAvailability availability = ProbeWhp();
  return {availability.available, std::move(availability.reason)};
}

std::string WhpHypervisor::Version() noexcept {
  if (!ProbeWhp().available) return "Windows " + WindowsVersion() + ", WHP unavailable";
  return "Windows Hypervisor Platform, Windows " + WindowsVersion();
}

HypervisorCapabilities WhpHypervisor::Capabilities() noexcept {
  // Replaceable memory: no. WHvMapGpaRange documents only that the caller's memory becomes the
  // backing of the range, not whether the partition follows a later change of the host pages
  // behind it (a decommit and recommit, or a view mapped over them), and nothing here could try
  // it. The sandbox then restores snapshots by copying the dirty pages, which is correct on every
  // backend.
  return HypervisorCapabilities{.dirty_tracking = ProbeWhp().dirty_tracking,
                                .replaceable_memory = false};
}

absl::StatusOr<std::unique_ptr<Vm>> WhpHypervisor::CreateVm() noexcept {
  absl::StatusOr<std::unique_ptr<WhpPartition>> partition = ToStatusOr(WhpPartition::Create());
  if (!partition.ok()) return partition.status();
  return std::unique_ptr<Vm>(std::make_unique<WhpVm>(std::move(*partition)));
}

}  // namespace vmbench::whp
