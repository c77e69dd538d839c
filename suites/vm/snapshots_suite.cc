// The `snapshots` suite: taking and restoring a snapshot of sandboxes of the four sizes
// (reference section 3.3). Before each timed operation an untimed Echo dirties memory, as in the
// reference; the sandbox is built once per benchmark.

#include "vm_suite.h"

namespace vmbench::vm_suites {
namespace {

using sandbox::Value;

const Value kHello{std::string("hello\n")};

Body SnapshotBody(Hypervisor* hypervisor, std::string size, bool restore) {
  return [=](benchmark::State& state) {
    std::optional<sandbox::Sandbox> sandbox = Build(state, *hypervisor, size);
    if (!sandbox) return;
    absl::StatusOr<sandbox::Snapshot> initial = sandbox->TakeSnapshot();
    if (!Check(state, initial, "initial snapshot")) return;
    for (auto _ : state) {
      if (!Check(state, sandbox->Call("Echo", {&kHello, 1}), "Echo")) break;
      absl::Status status;
      const double seconds = restore
                                 ? TimeRegion([&] { status = sandbox->Restore(*initial); })
                                 : TimeRegion([&] { status = sandbox->TakeSnapshot().status(); });
      if (!Check(state, status, restore ? "restore" : "snapshot")) break;
      state.SetIterationTime(seconds);
    }
  };
}

class SnapshotsSuite final : public Suite {
 public:
  bool NeedsHypervisor() const noexcept override { return true; }

  absl::StatusOr<std::vector<BenchmarkSpec>> Benchmarks(
      const SuiteContext& context) noexcept override {
    VMB_RETURN_IF_ERROR(CheckOptions("snapshots", context.options, {}));
    std::vector<BenchmarkSpec> specs;
    for (const bool restore : {false, true}) {
      for (const char* size : kSizes) {
        specs.push_back(ManualSpec("snapshots", restore ? "restore" : "create", size,
                                   SnapshotBody(context.hypervisor, size, restore)));
      }
    }
    return specs;
  }
};

}  // namespace
}  // namespace vmbench::vm_suites

VMBENCH_PLUGIN(vmbench::vm_suites::SnapshotsSuite, "snapshots", "0.1.0",
               "Taking and restoring snapshots of sandboxes of four sizes");
