#include "runner.h"

#include <algorithm>
#include <exception>
#include <regex>
#include <unordered_map>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "build_info.h"
#include "host_info.h"
#include "vmbench/plugin/status_macros.h"

namespace vmbench {

struct BenchmarkFilter::Impl {
  std::regex regex;
  bool negate = false;
};

absl::StatusOr<BenchmarkFilter> BenchmarkFilter::Create(const std::string& pattern) {
  BenchmarkFilter filter;
  if (pattern.empty()) return filter;
  auto impl = std::make_shared<Impl>();
  std::string expression = pattern;
  if (expression.front() == '-') {
    impl->negate = true;
    expression.erase(0, 1);
  }
  try {
    impl->regex = std::regex(expression, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("--filter '", pattern, "' is not a valid regular expression: ", e.what()));
  }
  filter.impl_ = std::move(impl);
  return filter;
}

bool BenchmarkFilter::Matches(const std::string& id) const {
  if (impl_ == nullptr) return true;
  return std::regex_search(id, impl_->regex) != impl_->negate;
}

absl::StatusOr<HypervisorChoice> ChooseHypervisor(const Registry& registry,
                                                  const std::string& name) {
  HypervisorChoice choice{nullptr, "none", ""};
  if (!absl::EqualsIgnoreCase(name, "auto")) {
    std::shared_ptr<Hypervisor> hypervisor = registry.FindHypervisor(name);
    if (hypervisor == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown hypervisor '", name,
                       "' (known: ", registry.Names(PluginKind::kHypervisor), ", auto)"));
    }
    choice.name = registry.Find(PluginKind::kHypervisor, name)->info.name;
    // A named backend that is missing here (kvm on a machine without /dev/kvm) is not a usage
    // error: the benchmarks that need it are reported skipped with the reason, the others run.
    const Availability availability = hypervisor->CheckAvailability();
    if (!availability.available) {
      choice.unavailable_reason = absl::StrCat("hypervisor '", choice.name,
                                               "' is not available here: ", availability.reason);
      return choice;
    }
    choice.hypervisor = std::move(hypervisor);
    return choice;
  }
  // The preferred order of "auto": hardware backends first, the emulator last, then any other.
  std::vector<const RegisteredPlugin*> order;
  for (const char* preferred : {"kvm", "mshv3", "whp", "emulator"}) {
    if (const RegisteredPlugin* p = registry.Find(PluginKind::kHypervisor, preferred)) {
      order.push_back(p);
    }
  }
  for (const RegisteredPlugin* p : registry.OfKind(PluginKind::kHypervisor)) {
    if (std::find(order.begin(), order.end(), p) == order.end()) order.push_back(p);
  }
  std::vector<std::string> reasons;
  for (const RegisteredPlugin* p : order) {
    auto hypervisor = std::static_pointer_cast<Hypervisor>(p->instance);
    const Availability availability = hypervisor->CheckAvailability();
    if (availability.available) {
      choice.hypervisor = std::move(hypervisor);
      choice.name = p->info.name;
      return choice;
    }
    reasons.push_back(absl::StrCat(p->info.name, ": ", availability.reason));
  }
  choice.unavailable_reason = reasons.empty() ? "no hypervisor backend plugin is installed"
                                              : absl::StrCat("no hypervisor backend is available (",
                                                             absl::StrJoin(reasons, "; "), ")");
  return choice;
}

absl::StatusOr<std::vector<SelectedBenchmark>> SelectBenchmarks(const Registry& registry,
                                                                const RunOptions& options,
                                                                Hypervisor* hypervisor) {
  std::vector<const RegisteredPlugin*> suites;
  if (options.suites.empty()) {
    suites = registry.OfKind(PluginKind::kSuite);
  } else {
    for (const std::string& name : options.suites) {
      const RegisteredPlugin* suite = registry.Find(PluginKind::kSuite, name);
      if (suite == nullptr) {
        return absl::InvalidArgumentError(absl::StrCat(
            "unknown suite '", name, "' (known: ", registry.Names(PluginKind::kSuite), ")"));
      }
      if (std::find(suites.begin(), suites.end(), suite) == suites.end()) suites.push_back(suite);
    }
  }
  for (const auto& [name, unused] : options.suite_options) {
    if (registry.Find(PluginKind::kSuite, name) == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("--suite-option names unknown suite '", name,
                       "' (known: ", registry.Names(PluginKind::kSuite), ")"));
    }
  }
  VMB_ASSIGN_OR_RETURN(const BenchmarkFilter filter, BenchmarkFilter::Create(options.filter));

  std::vector<SelectedBenchmark> selection;
  std::unordered_map<std::string, std::string> owner;  // id -> suite, to reject duplicates
  for (const RegisteredPlugin* plugin : suites) {
    auto suite = std::static_pointer_cast<Suite>(plugin->instance);
    SuiteContext context;
    context.hypervisor = hypervisor;
    for (const auto& [name, values] : options.suite_options) {
      if (absl::EqualsIgnoreCase(name, plugin->info.name)) context.options = values;
    }
    absl::StatusOr<std::vector<BenchmarkSpec>> specs = suite->Benchmarks(context);
    if (!specs.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("suite '", plugin->info.name, "': ", specs.status().message()));
    }
    for (BenchmarkSpec& spec : *specs) {
      const std::string id = spec.id.ToString();
      if (spec.id.group.empty() || !spec.body) {
        return absl::InvalidArgumentError(absl::StrCat(
            "suite '", plugin->info.name, "': benchmark '", id, "' has no group or no body"));
      }
      if (auto [it, inserted] = owner.emplace(id, plugin->info.name); !inserted) {
        return absl::InvalidArgumentError(absl::StrCat("benchmark id '", id,
                                                       "' is provided by both suite '", it->second,
                                                       "' and suite '", plugin->info.name, "'"));
      }
      if (!filter.Matches(id)) continue;
      if (!options.only_ids.empty() && std::find(options.only_ids.begin(), options.only_ids.end(),
                                                 id) == options.only_ids.end()) {
        continue;
      }
      selection.push_back({plugin->info.name, std::move(spec), suite->NeedsHypervisor()});
    }
  }
  return selection;
}

namespace {

// Collects Google Benchmark's per-repetition runs into BenchmarkResults, by registered name.
class CapturingReporter final : public benchmark::BenchmarkReporter {
 public:
  CapturingReporter(std::vector<BenchmarkResult>* results,
                    std::unordered_map<std::string, std::size_t> index, int repetitions,
                    std::function<void(std::size_t)> finished)
      : results_(results),
        index_(std::move(index)),
        repetitions_(repetitions),
        finished_(std::move(finished)) {}

  bool ReportContext(const Context& /*context*/) override { return true; }

  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (run.run_type != Run::RT_Iteration) continue;
      auto it = index_.find(run.run_name.function_name);
      if (it == index_.end()) continue;
      BenchmarkResult& result = (*results_)[it->second];
      if (run.error_occurred) {
        if (result.status != BenchmarkStatus::kError) {
          result.status = BenchmarkStatus::kError;
          result.message = run.error_message;
        }
      } else if (run.iterations > 0) {
        const double iterations = static_cast<double>(run.iterations);
        result.repetitions.push_back(Repetition{
            .iterations = run.iterations,
            .real_time_ns = run.real_accumulated_time * 1e9 / iterations,
            .cpu_time_ns = run.cpu_accumulated_time * 1e9 / iterations,
        });
      }
      // Google Benchmark stops repeating a benchmark after an error, so an error also ends it.
      const bool done =
          run.error_occurred || static_cast<int>(result.repetitions.size()) >= repetitions_;
      if (done && !reported_[it->second]) {
        reported_[it->second] = true;
        finished_(it->second);
      }
    }
  }

 private:
  std::vector<BenchmarkResult>* results_;
  std::unordered_map<std::string, std::size_t> index_;
  std::unordered_map<std::size_t, bool> reported_;
  int repetitions_;
  std::function<void(std::size_t)> finished_;
};

// The body Google Benchmark runs: the suite's body, with anything it throws turned into an
// error, and throughput counted from the spec.
std::function<void(benchmark::State&)> WrapBody(const BenchmarkSpec& spec) {
  return [body = spec.body, throughput = spec.throughput](benchmark::State& state) {
    try {
      body(state);
    } catch (const std::exception& e) {
      state.SkipWithError(absl::StrCat("benchmark threw: ", e.what()).c_str());
      return;
    } catch (...) {
      state.SkipWithError("benchmark threw a non-standard exception");
      return;
    }
    const auto total = static_cast<std::int64_t>(throughput.per_iteration) * state.iterations();
    if (throughput.kind == Throughput::Kind::kBytes) state.SetBytesProcessed(total);
    if (throughput.kind == Throughput::Kind::kElements) state.SetItemsProcessed(total);
  };
}

}  // namespace

RunContext MakeRunContext(const HypervisorChoice& choice, const RunOptions& options) {
  RunContext context;
  context.vmbench_version = kVmbenchVersion;
  context.git_revision = kGitRevision;
  context.timestamp = CurrentTimestamp();
  context.build_type = kBuildType;
  context.host = ReadHostInfo();
  context.machine_fingerprint = MachineFingerprint(context.host);
  context.hypervisor = choice.name;
  if (choice.hypervisor != nullptr) context.hypervisor_version = choice.hypervisor->Version();
  context.repetitions = options.repetitions;
  context.min_time_s = options.min_time_s;
  return context;
}

RunResult RunBenchmarks(const std::vector<SelectedBenchmark>& selection,
                        const HypervisorChoice& choice, const RunOptions& options,
                        const ProgressCallback& progress) {
  RunResult run;
  run.context = MakeRunContext(choice, options);
  const int total = static_cast<int>(selection.size());
  int done = 0;
  std::unordered_map<std::string, std::size_t> index;
  bool any_registered = false;
  for (const SelectedBenchmark& selected : selection) {
    BenchmarkResult result;
    result.id = selected.spec.id;
    result.suite = selected.suite;
    result.throughput = selected.spec.throughput;
    if (selected.needs_hypervisor && choice.hypervisor == nullptr) {
      result.status = BenchmarkStatus::kSkipped;
      result.message = choice.unavailable_reason;
    } else {
      const std::string id = result.id.ToString();
      index.emplace(id, run.benchmarks.size());
      benchmark::internal::Benchmark* registered =
          benchmark::RegisterBenchmark(id.c_str(), WrapBody(selected.spec));
      registered->Repetitions(options.repetitions)->MinTime(options.min_time_s);
      registered->Unit(benchmark::kNanosecond);
      if (selected.spec.manual_time) registered->UseManualTime();
      any_registered = true;
    }
    run.benchmarks.push_back(std::move(result));
  }
  // Skipped benchmarks are reported first, so the progress count stays in order.
  for (const BenchmarkResult& result : run.benchmarks) {
    if (result.status == BenchmarkStatus::kSkipped && progress) progress(result, ++done, total);
  }
  if (any_registered) {
    CapturingReporter reporter(&run.benchmarks, std::move(index), options.repetitions,
                               [&](std::size_t i) {
                                 BenchmarkResult& result = run.benchmarks[i];
                                 result.summary = Summarize(result.repetitions);
                                 if (progress) progress(result, ++done, total);
                               });
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::ClearRegisteredBenchmarks();
  }
  for (BenchmarkResult& result : run.benchmarks) {
    result.summary = Summarize(result.repetitions);
    if (result.status == BenchmarkStatus::kOk && result.repetitions.empty()) {
      result.status = BenchmarkStatus::kError;
      result.message = "no repetition was recorded";
    }
  }
  return run;
}

}  // namespace vmbench
