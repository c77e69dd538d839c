// Shared by the VM suites (sandboxes, snapshots, guest_calls, shared_memory,
// function_call_serialization, guest_functions_with_large_parameters, sample_workloads,
// vcpu_exits): benchmark specs, turning a failed Status into an error result, building the
// reference's sandboxes, and timing a region by hand.
//
// Reference: shared/reference/hyperlight-benchmarks.md sections 1-3. Where the reference uses
// criterion's iter_batched or iter_custom (setup or drop outside the timed region), the body runs
// with manual time and times just that region with a steady clock: Google Benchmark's
// PauseTiming/ResumeTiming cost more than some of the regions they would bracket.

#ifndef VMBENCH_SUITES_VM_VM_SUITE_H_
#define VMBENCH_SUITES_VM_VM_SUITE_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "vmbench/plugin/status_macros.h"
#include "vmbench/plugin/suite.h"
#include "vmbench/sandbox/sandbox.h"

namespace vmbench::vm_suites {

using Body = std::function<void(benchmark::State&)>;

// The four sandbox sizes of the reference, in its order.
inline constexpr const char* kSizes[] = {"default", "small", "medium", "large"};

BenchmarkSpec Spec(std::string group, std::string function, std::string param, Body body,
                   Throughput throughput = {});
// A spec whose body reports its own iteration times (criterion's iter_custom / iter_batched).
BenchmarkSpec ManualSpec(std::string group, std::string function, std::string param, Body body);

// Records `status` as the benchmark's error (with `what` in front) when it is not OK; returns
// whether it was OK, so loops can stop.
bool Check(benchmark::State& state, const absl::Status& status, absl::string_view what);

template <typename T>
bool Check(benchmark::State& state, const absl::StatusOr<T>& value, absl::string_view what) {
  return Check(state, value.status(), what);
}

// The host functions every benchmark sandbox has: HostAdd(i32, i32) -> i32, and a HostPrint that
// discards its text.
void RegisterBenchmarkHostFunctions(sandbox::UninitializedSandbox& sandbox);

// The reference's "Build": create and initialize a sandbox of `config`, or record the error.
std::optional<sandbox::Sandbox> Build(benchmark::State& state, Hypervisor& hypervisor,
                                      const sandbox::SandboxConfig& config);
std::optional<sandbox::Sandbox> Build(benchmark::State& state, Hypervisor& hypervisor,
                                      absl::string_view size);

// Times `region` with a steady clock; returns seconds.
template <typename F>
double TimeRegion(F&& region) {
  const auto start = std::chrono::steady_clock::now();
  region();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// An error for the suite's options: `options` must be a subset of `known` (for error messages,
// e.g. "unknown option 'x' (the sandboxes suite takes none)").
absl::Status CheckOptions(absl::string_view suite,
                          const std::map<std::string, std::string>& options,
                          const std::vector<std::string>& known);

}  // namespace vmbench::vm_suites

#endif  // VMBENCH_SUITES_VM_VM_SUITE_H_
