// The `guest_functions_with_large_parameters` suite (reference section 3.5): one guest call with
// a large bytes argument and a string argument of the same size (50 MiB each by default; the
// `size` option, e.g. `size=8MiB`, lowers it for small machines). As in the reference, copies of
// the arguments are made untimed before each call and freed inside the timed region; the input
// buffer holds both arguments plus 1 MiB.

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/strip.h"
#include "vm_suite.h"

namespace vmbench::vm_suites {
namespace {

using sandbox::Bytes;
using sandbox::Value;

constexpr std::size_t kMiB = std::size_t{1} << 20;

Body LargeParametersBody(Hypervisor* hypervisor, std::size_t size) {
  return [=](benchmark::State& state) {
    sandbox::SandboxConfig config;
    config.input_buffer_size = 2 * size + kMiB;
    std::optional<sandbox::Sandbox> sandbox = Build(state, *hypervisor, config);
    if (!sandbox) return;
    const Bytes bytes(size, 0);
    const std::string text(size, '\0');
    for (auto _ : state) {
      std::optional<std::vector<Value>> args(std::in_place, std::vector<Value>{bytes, text});
      absl::Status status;
      const double seconds = TimeRegion([&] {
        status = sandbox->Call("LargeParameters", *args).status();
        args.reset();
      });
      if (!Check(state, status, "LargeParameters")) break;
      state.SetIterationTime(seconds);
    }
  };
}

// "50MiB", "512KiB" or a number of bytes; at most 1 GiB, so that the input buffer (twice the
// size) stays inside the sandbox's 4 GiB identity map.
absl::StatusOr<std::size_t> ParseSize(absl::string_view text) {
  std::size_t unit = 1;
  absl::string_view digits = text;
  if (absl::ConsumeSuffix(&digits, "MiB")) {
    unit = kMiB;
  } else if (absl::ConsumeSuffix(&digits, "KiB")) {
    unit = 1024;
  }
  std::size_t count = 0;
  if (!absl::SimpleAtoi(digits, &count) || count == 0 || count > (std::size_t{1} << 30) / unit) {
    return absl::InvalidArgumentError(absl::StrCat(
        "option size: '", text, "' is not a size from 1 byte to 1024MiB (e.g. 8MiB or 512KiB)"));
  }
  return count * unit;
}

class LargeParametersSuite final : public Suite {
 public:
  bool NeedsHypervisor() const noexcept override { return true; }

  absl::StatusOr<std::vector<BenchmarkSpec>> Benchmarks(
      const SuiteContext& context) noexcept override {
    VMB_RETURN_IF_ERROR(
        CheckOptions("guest_functions_with_large_parameters", context.options, {"size"}));
    std::size_t size = 50 * kMiB;
    if (auto it = context.options.find("size"); it != context.options.end()) {
      VMB_ASSIGN_OR_RETURN(size, ParseSize(it->second));
    }
    return std::vector<BenchmarkSpec>{ManualSpec("guest_functions_with_large_parameters",
                                                 "guest_call_with_large_parameters", "",
                                                 LargeParametersBody(context.hypervisor, size))};
  }
};

}  // namespace
}  // namespace vmbench::vm_suites

VMBENCH_PLUGIN(vmbench::vm_suites::LargeParametersSuite, "guest_functions_with_large_parameters",
               "0.1.0", "A guest call with a 50 MiB bytes and a 50 MiB string argument");
