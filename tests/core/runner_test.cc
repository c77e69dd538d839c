#include "runner.h"

#include <catch2/catch.hpp>

#include "absl/strings/str_cat.h"
#include "test_support.h"

namespace vmbench {
namespace {

using vmbench::testing::FakesDir;

Registry LoadFakes() {
  std::vector<Rejection> rejections;
  return Registry::Build(ScanPlugins(PluginSearchPath{{FakesDir()}, "", {}}), &rejections);
}

std::vector<std::string> Ids(const std::vector<SelectedBenchmark>& selection) {
  std::vector<std::string> ids;
  for (const SelectedBenchmark& b : selection) ids.push_back(b.spec.id.ToString());
  return ids;
}

RunOptions Quick() {
  RunOptions options;
  options.repetitions = 3;
  options.min_time_s = 0.001;
  return options;
}

TEST_CASE("the filter is a regular expression negated by a leading dash", "[runner]") {
  absl::StatusOr<BenchmarkFilter> ok = BenchmarkFilter::Create("^fake/ok/");
  REQUIRE(ok.ok());
  CHECK(ok->Matches("fake/ok/work"));
  CHECK_FALSE(ok->Matches("fake/error/skip"));
  absl::StatusOr<BenchmarkFilter> negated = BenchmarkFilter::Create("-error");
  REQUIRE(negated.ok());
  CHECK(negated->Matches("fake/ok/work"));
  CHECK_FALSE(negated->Matches("fake/error/skip"));
  absl::StatusOr<BenchmarkFilter> all = BenchmarkFilter::Create("");
  REQUIRE(all.ok());
  CHECK(all->Matches("anything"));
  absl::StatusOr<BenchmarkFilter> bad = BenchmarkFilter::Create("fake/(");
  REQUIRE_FALSE(bad.ok());
  CHECK_THAT(std::string(bad.status().message()), Catch::StartsWith("--filter 'fake/(' is not"));
}

TEST_CASE("selection resolves suites, options and the filter", "[runner]") {
  const Registry registry = LoadFakes();
  RunOptions options;
  options.suites = {"FAKE_SUITE"};
  options.filter = "/ok/";
  absl::StatusOr<std::vector<SelectedBenchmark>> selection =
      SelectBenchmarks(registry, options, nullptr);
  REQUIRE(selection.ok());
  CHECK(Ids(*selection) == std::vector<std::string>{"fake/ok/work", "fake/ok/manual"});
  CHECK((*selection)[0].suite == "fake_suite");

  options.filter = "param";
  options.suite_options["fake_suite"]["count"] = "2";
  selection = SelectBenchmarks(registry, options, nullptr);
  REQUIRE(selection.ok());
  CHECK(Ids(*selection) == std::vector<std::string>{"fake/param/0", "fake/param/1"});
}

TEST_CASE("selection errors name what is wrong", "[runner]") {
  const Registry registry = LoadFakes();
  RunOptions options;
  options.suites = {"nope"};
  absl::StatusOr<std::vector<SelectedBenchmark>> selection =
      SelectBenchmarks(registry, options, nullptr);
  REQUIRE_FALSE(selection.ok());
  CHECK(selection.status().message() ==
        "unknown suite 'nope' (known: fake_calibrated, fake_crashing, fake_duplicate, fake_suite)");

  options.suites = {"fake_suite"};
  options.suite_options["fake_suite"]["count"] = "many";
  selection = SelectBenchmarks(registry, options, nullptr);
  REQUIRE_FALSE(selection.ok());
  CHECK(selection.status().message() ==
        "suite 'fake_suite': option count: 'many' is not a non-negative integer");

  options.suite_options.clear();
  options.suite_options["ghost"]["x"] = "1";
  selection = SelectBenchmarks(registry, options, nullptr);
  REQUIRE_FALSE(selection.ok());
  CHECK_THAT(std::string(selection.status().message()), Catch::Contains("unknown suite 'ghost'"));
}

TEST_CASE("auto finds no available hypervisor and says why", "[runner]") {
  const Registry registry = LoadFakes();
  absl::StatusOr<HypervisorChoice> choice = ChooseHypervisor(registry, "auto");
  REQUIRE(choice.ok());
  CHECK(choice->hypervisor == nullptr);
  CHECK(choice->name == "none");
  CHECK_THAT(choice->unavailable_reason, Catch::Contains("fake_hypervisor: never available"));

  // Named but unavailable: no backend, the name kept for the results, and the reason.
  absl::StatusOr<HypervisorChoice> named = ChooseHypervisor(registry, "fake_hypervisor");
  REQUIRE(named.ok());
  CHECK(named->hypervisor == nullptr);
  CHECK(named->name == "fake_hypervisor");
  CHECK_THAT(named->unavailable_reason,
             Catch::StartsWith("hypervisor 'fake_hypervisor' is not available here: "
                               "fake_hypervisor: never available"));
  absl::StatusOr<HypervisorChoice> unknown = ChooseHypervisor(registry, "kvmm");
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.status().message() == "unknown hypervisor 'kvmm' (known: fake_hypervisor, auto)");
}

TEST_CASE("a run records every repetition and every error and skip", "[runner]") {
  const Registry registry = LoadFakes();
  RunOptions options = Quick();
  options.suites = {"fake_suite"};
  absl::StatusOr<std::vector<SelectedBenchmark>> selection =
      SelectBenchmarks(registry, options, nullptr);
  REQUIRE(selection.ok());
  // A benchmark that needs a VM when there is none is skipped with the reason.
  SelectedBenchmark vm = (*selection)[0];
  vm.spec.id = {"fake", "vm", "needs_hypervisor"};
  vm.needs_hypervisor = true;
  selection->push_back(vm);

  const HypervisorChoice none{nullptr, "none", "no backend here"};
  std::vector<std::string> progress;
  const RunResult run =
      RunBenchmarks(*selection, none, options, [&](const BenchmarkResult& r, int done, int total) {
        CHECK(total == 5);
        progress.push_back(absl::StrCat(done, ":", r.id.ToString()));
      });
  REQUIRE(run.benchmarks.size() == 5);
  CHECK(progress.size() == 5);
  CHECK(progress.front() == "1:fake/vm/needs_hypervisor");

  const BenchmarkResult* work = run.Find("fake/ok/work");
  REQUIRE(work != nullptr);
  CHECK(work->status == BenchmarkStatus::kOk);
  CHECK(work->suite == "fake_suite");
  CHECK(work->repetitions.size() == 3);
  for (const Repetition& r : work->repetitions) {
    CHECK(r.iterations > 0);
    CHECK(r.real_time_ns > 0);
  }
  CHECK(work->summary.min_ns <= work->summary.median_ns);
  CHECK(work->summary.median_ns <= work->summary.max_ns);
  CHECK(work->throughput == Throughput{Throughput::Kind::kBytes, 64});

  // Manual time is what the body reported, not the wall time.
  const BenchmarkResult* manual = run.Find("fake/ok/manual");
  REQUIRE(manual != nullptr);
  REQUIRE(manual->status == BenchmarkStatus::kOk);
  CHECK(manual->summary.median_ns == Approx(1000.0));

  const BenchmarkResult* skip = run.Find("fake/error/skip");
  REQUIRE(skip != nullptr);
  CHECK(skip->status == BenchmarkStatus::kError);
  CHECK(skip->message == "fake failure reported by the benchmark");

  const BenchmarkResult* thrown = run.Find("fake/error/throw");
  REQUIRE(thrown != nullptr);
  CHECK(thrown->status == BenchmarkStatus::kError);
  CHECK(thrown->message == "benchmark threw: fake exception from the benchmark body");

  const BenchmarkResult* skipped = run.Find("fake/vm/needs_hypervisor");
  REQUIRE(skipped != nullptr);
  CHECK(skipped->status == BenchmarkStatus::kSkipped);
  CHECK(skipped->message == "no backend here");

  CHECK(run.context.hypervisor == "none");
  CHECK(run.context.repetitions == 3);
  CHECK_FALSE(run.context.timestamp.empty());
  CHECK(run.context.machine_fingerprint.size() == 16);
}

TEST_CASE("two runs in one process do not see each other's benchmarks", "[runner]") {
  const Registry registry = LoadFakes();
  RunOptions options = Quick();
  options.filter = "fake/ok/work";
  absl::StatusOr<std::vector<SelectedBenchmark>> selection =
      SelectBenchmarks(registry, options, nullptr);
  REQUIRE(selection.ok());
  const HypervisorChoice none{nullptr, "none", ""};
  const RunResult first = RunBenchmarks(*selection, none, options, nullptr);
  const RunResult second = RunBenchmarks(*selection, none, options, nullptr);
  REQUIRE(second.benchmarks.size() == 1);
  CHECK(second.benchmarks[0].repetitions.size() == 3);
  CHECK(first.benchmarks[0].repetitions.size() == 3);
}

}  // namespace
}  // namespace vmbench
