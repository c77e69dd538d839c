#include "vm_suite.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace vmbench::vm_suites {

BenchmarkSpec Spec(std::string group, std::string function, std::string param, Body body,
                   Throughput throughput) {
  return BenchmarkSpec{{std::move(group), std::move(function), std::move(param)},
                       throughput,
                       false,
                       std::move(body)};
}

BenchmarkSpec ManualSpec(std::string group, std::string function, std::string param, Body body) {
  BenchmarkSpec spec =
      Spec(std::move(group), std::move(function), std::move(param), std::move(body));
  spec.manual_time = true;
  return spec;
}

bool Check(benchmark::State& state, const absl::Status& status, absl::string_view what) {
  if (status.ok()) return true;
  state.SkipWithError(absl::StrCat(what, ": ", status.ToString()).c_str());
  return false;
}

void RegisterBenchmarkHostFunctions(sandbox::UninitializedSandbox& sandbox) {
  sandbox.RegisterHostFunction("HostAdd",
                               sandbox::MakeHostFunction<std::int32_t, std::int32_t, std::int32_t>(
                                   [](std::int32_t a, std::int32_t b) { return a + b; }));
  sandbox.RegisterHostFunction("HostPrint", sandbox::MakeHostFunction<std::int32_t, std::string>(
                                                [](const std::string& text) {
                                                  return static_cast<std::int32_t>(text.size());
                                                }));
}

std::optional<sandbox::Sandbox> Build(benchmark::State& state, Hypervisor& hypervisor,
                                      const sandbox::SandboxConfig& config) {
  absl::StatusOr<sandbox::UninitializedSandbox> u =
      sandbox::UninitializedSandbox::Create(hypervisor, config);
  if (!Check(state, u, "create sandbox")) return std::nullopt;
  RegisterBenchmarkHostFunctions(*u);
  absl::StatusOr<sandbox::Sandbox> initialized = std::move(*u).Initialize();
  if (!Check(state, initialized, "initialize sandbox")) return std::nullopt;
  return *std::move(initialized);
}

std::optional<sandbox::Sandbox> Build(benchmark::State& state, Hypervisor& hypervisor,
                                      absl::string_view size) {
  absl::StatusOr<sandbox::SandboxConfig> config = sandbox::SandboxConfig::Named(size);
  if (!Check(state, config, "sandbox size")) return std::nullopt;
  return Build(state, hypervisor, *config);
}

absl::Status CheckOptions(absl::string_view suite,
                          const std::map<std::string, std::string>& options,
                          const std::vector<std::string>& known) {
  for (const auto& [key, value] : options) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown option '", key, "' (the ", suite, " suite takes ",
                       known.empty() ? "none" : absl::StrJoin(known, ", "), ")"));
    }
  }
  return absl::OkStatus();
}

}  // namespace vmbench::vm_suites
