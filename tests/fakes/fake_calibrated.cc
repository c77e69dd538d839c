// Test plugin: a suite whose benchmarks busy-wait a known time, to check the verdict rules on real
// measurements (docs/benchmarks/verdicts.md): an A/A run must not be called changed, and a
// candidate run with `scale=1.10` must be called regressed with an interval containing 1.10.
//
//   calibrated/spin/<ns>   spins on the steady clock for <ns> x scale nanoseconds per iteration
//
// The environment variable VMBENCH_FAKE_CALIBRATED_SCALE sets the default scale, so that a wrapper
// script around vmbench can stand for "a build with a +10% delay" in `vmbench ab` tests.
// Options: `scale=F` (default 1.0, 0.1 to 10) multiplies every delay; `delays=A:B:...` replaces
// the default delays (2000, 10000, 50000 ns).

#include <chrono>
#include <cstdlib>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "vmbench/plugin/suite.h"

namespace {

using Clock = std::chrono::steady_clock;

void Spin(benchmark::State& state, std::chrono::nanoseconds delay) {
  for (auto _ : state) {
    const Clock::time_point end = Clock::now() + delay;
    while (Clock::now() < end) {
    }
  }
}

class CalibratedSuite final : public vmbench::Suite {
 public:
  bool NeedsHypervisor() const noexcept override { return false; }

  absl::StatusOr<std::vector<vmbench::BenchmarkSpec>> Benchmarks(
      const vmbench::SuiteContext& context) noexcept override {
    double scale = 1.0;
    if (const char* env = std::getenv("VMBENCH_FAKE_CALIBRATED_SCALE")) {
      if (!absl::SimpleAtod(env, &scale) || !(scale >= 0.1 && scale <= 10)) {
        return absl::InvalidArgumentError(absl::StrCat("VMBENCH_FAKE_CALIBRATED_SCALE: '", env,
                                                       "' is not a number from 0.1 to 10"));
      }
    }
    std::vector<std::int64_t> delays = {2000, 10000, 50000};
    for (const auto& [key, value] : context.options) {
      if (key == "scale") {
        if (!absl::SimpleAtod(value, &scale) || !(scale >= 0.1 && scale <= 10)) {
          return absl::InvalidArgumentError(
              absl::StrCat("option scale: '", value, "' is not a number from 0.1 to 10"));
        }
      } else if (key == "delays") {
        delays.clear();
        for (absl::string_view part : absl::StrSplit(value, ':')) {
          std::int64_t ns = 0;
          if (!absl::SimpleAtoi(part, &ns) || ns <= 0 || ns > 1'000'000'000) {
            return absl::InvalidArgumentError(
                absl::StrCat("option delays: '", part, "' is not a delay in nanoseconds"));
          }
          delays.push_back(ns);
        }
      } else {
        return absl::InvalidArgumentError(
            absl::StrCat("unknown option '", key, "' (known: scale, delays)"));
      }
    }
    std::vector<vmbench::BenchmarkSpec> specs;
    for (std::int64_t ns : delays) {
      const auto delay =
          std::chrono::nanoseconds(static_cast<std::int64_t>(static_cast<double>(ns) * scale));
      specs.push_back(
          {{"calibrated", "spin", absl::StrCat(ns)}, {}, false, [delay](benchmark::State& state) {
             Spin(state, delay);
           }});
    }
    return specs;
  }
};

}  // namespace

VMBENCH_PLUGIN(CalibratedSuite, "fake_calibrated", "0.0.1",
               "Test plugin: busy-waits of a known, scalable duration");
