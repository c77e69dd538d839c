// The `sandboxes` suite: creating and dropping sandboxes of the four sizes (reference section
// 3.1). `create_*` time the creation only (the reference's iter_batched drops outside the timed
// region); `*_and_drop` time creation and drop together.

#include "vm_suite.h"

namespace vmbench::vm_suites {
namespace {

using sandbox::SandboxConfig;
using sandbox::UninitializedSandbox;

// Creates (and initializes, with `initialize`) one sandbox per iteration; times the drop too
// when `timed_drop`.
Body Create(Hypervisor* hypervisor, SandboxConfig config, bool initialize, bool timed_drop) {
  return [=](benchmark::State& state) {
    for (auto _ : state) {
      std::optional<absl::StatusOr<UninitializedSandbox>> u;
      std::optional<absl::StatusOr<sandbox::Sandbox>> initialized;
      const double created = TimeRegion([&] {
        u.emplace(UninitializedSandbox::Create(*hypervisor, config));
        if (initialize && u->ok()) {
          RegisterBenchmarkHostFunctions(**u);
          initialized.emplace(std::move(**u).Initialize());
        }
      });
      if (!Check(state, *u, "create sandbox")) break;
      if (initialized.has_value() && !Check(state, *initialized, "initialize sandbox")) break;
      const double dropped = TimeRegion([&] {
        initialized.reset();
        u.reset();
      });
      state.SetIterationTime(timed_drop ? created + dropped : created);
    }
  };
}

class SandboxesSuite final : public Suite {
 public:
  bool NeedsHypervisor() const noexcept override { return true; }

  absl::StatusOr<std::vector<BenchmarkSpec>> Benchmarks(
      const SuiteContext& context) noexcept override {
    VMB_RETURN_IF_ERROR(CheckOptions("sandboxes", context.options, {}));
    struct Variant {
      const char* function;
      bool initialize;
      bool timed_drop;
    };
    constexpr Variant kVariants[] = {{"create_uninitialized", false, false},
                                     {"create_initialized", true, false},
                                     {"create_uninitialized_and_drop", false, true},
                                     {"create_initialized_and_drop", true, true}};
    std::vector<BenchmarkSpec> specs;
    for (const Variant& variant : kVariants) {
      for (const char* size : kSizes) {
        VMB_ASSIGN_OR_RETURN(const SandboxConfig config, SandboxConfig::Named(size));
        specs.push_back(
            ManualSpec("sandboxes", variant.function, size,
                       Create(context.hypervisor, config, variant.initialize, variant.timed_drop)));
      }
    }
    return specs;
  }
};

}  // namespace
}  // namespace vmbench::vm_suites

VMBENCH_PLUGIN(vmbench::vm_suites::SandboxesSuite, "sandboxes", "0.1.0",
               "Creating and dropping micro-VM sandboxes of four sizes");
