#include "counting_hypervisor.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "counting_vm.h"

namespace vmbench::counting {

CountingHypervisor::CountingHypervisor()
    : inner_(absl::UnknownError("counting: backend not loaded yet")),
      stats_(std::make_shared<CountingStats>()) {}

CountingHypervisor::~CountingHypervisor() {
  if (stats_->vms.load() == 0 || !inner_.ok()) return;
  WriteLogLine(stats_->Summary(inner_->name));
}

const absl::StatusOr<InnerBackend>& CountingHypervisor::Inner() noexcept {
  std::call_once(load_once_, [this] { inner_ = LoadInnerBackend(); });
  return inner_;
}

Availability CountingHypervisor::CheckAvailability() noexcept {
  const absl::StatusOr<InnerBackend>& inner = Inner();
  if (!inner.ok()) return {false, std::string(inner.status().message())};
  Availability availability = inner->hypervisor->CheckAvailability();
  if (!availability.available) {
    availability.reason =
        absl::StrCat("counting: backend ", inner->name, " is not available: ", availability.reason);
  }
  return availability;
}

std::string CountingHypervisor::Version() noexcept {
  const absl::StatusOr<InnerBackend>& inner = Inner();
  if (!inner.ok()) return "";
  return absl::StrCat(inner->name, " ", inner->hypervisor->Version());
}

HypervisorCapabilities CountingHypervisor::Capabilities() noexcept {
  const absl::StatusOr<InnerBackend>& inner = Inner();
  return inner.ok() ? inner->hypervisor->Capabilities() : HypervisorCapabilities{};
}

absl::StatusOr<std::unique_ptr<Vm>> CountingHypervisor::CreateVm() noexcept {
  const absl::StatusOr<InnerBackend>& inner = Inner();
  // "Not here" is Unavailable whatever the cause, so suites and tests skip rather than fail.
  if (!inner.ok()) return absl::UnavailableError(inner.status().message());
  // The wrapped backend's errors already name it, its operation and the cause: passed on as is.
  absl::StatusOr<std::unique_ptr<Vm>> vm = inner->hypervisor->CreateVm();
  if (!vm.ok()) return vm.status();
  stats_->vms.fetch_add(1, std::memory_order_relaxed);
  return std::unique_ptr<Vm>(
      std::make_unique<CountingVm>(inner->hypervisor, *std::move(vm), stats_));
}

}  // namespace vmbench::counting
