// The `sample_workloads` suite (reference section 3.7): 24 KiB in, 8 KiB out. The guest is C, so
// there is one variant rather than the reference's `_c` and `_rust`. The sandbox's input buffer
// is 25 KiB, everything else default, as in the reference.

#include "vm_suite.h"

namespace vmbench::vm_suites {
namespace {

using sandbox::Bytes;
using sandbox::Value;

void TwentyFourInEightOut(Hypervisor* hypervisor, benchmark::State& state) {
  sandbox::SandboxConfig config;
  config.input_buffer_size = 25 * 1024;
  std::optional<sandbox::Sandbox> sandbox = Build(state, *hypervisor, config);
  if (!sandbox) return;
  const Value input{Bytes(24 * 1024, 1)};
  for (auto _ : state) {
    absl::StatusOr<Value> out = sandbox->Call("24K_in_8K_out", {&input, 1});
    if (!Check(state, out, "24K_in_8K_out")) break;
    if (const Bytes* bytes = std::get_if<Bytes>(&*out);
        bytes == nullptr || bytes->size() != 8 * 1024) {
      state.SkipWithError("24K_in_8K_out did not return 8 KiB");
      break;
    }
  }
}

class SampleWorkloadsSuite final : public Suite {
 public:
  bool NeedsHypervisor() const noexcept override { return true; }

  absl::StatusOr<std::vector<BenchmarkSpec>> Benchmarks(
      const SuiteContext& context) noexcept override {
    VMB_RETURN_IF_ERROR(CheckOptions("sample_workloads", context.options, {}));
    Hypervisor* hv = context.hypervisor;
    return std::vector<BenchmarkSpec>{
        Spec("sample_workloads", "24K_in_8K_out", "",
             [hv](benchmark::State& state) { TwentyFourInEightOut(hv, state); })};
  }
};

}  // namespace
}  // namespace vmbench::vm_suites

VMBENCH_PLUGIN(vmbench::vm_suites::SampleWorkloadsSuite, "sample_workloads", "0.1.0",
               "A guest call with 24 KiB in and 8 KiB out");
