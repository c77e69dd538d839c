// A fixed RunResult used by the result-file and reporter tests (golden files depend on it).

#ifndef VMBENCH_TESTS_SAMPLE_RESULTS_H_
#define VMBENCH_TESTS_SAMPLE_RESULTS_H_

#include "vmbench/plugin/results.h"

namespace vmbench::testing {

inline RunResult SampleRun() {
  RunResult run;
  RunContext& c = run.context;
  c.vmbench_version = "0.1.0";
  c.git_revision = "abc123def456";
  c.timestamp = "2026-11-25T12:00:00Z";
  c.build_type = "Release";
  c.host = {"Debian GNU/Linux 12 (bookworm)",
            "6.1.0-18-amd64",
            "x86_64",
            "AMD EPYC 7763",
            "amd",
            4,
            2,
            8ULL << 30};
  c.hypervisor = "none";
  c.machine_fingerprint = "0123456789abcdef";
  c.repetitions = 3;
  c.min_time_s = 0.05;

  BenchmarkResult alloc;
  alloc.id = {"alloc_single", "", "64"};
  alloc.suite = "virtq";
  alloc.throughput = {Throughput::Kind::kElements, 1};
  alloc.repetitions = {{1000000, 12.5, 12.4}, {1000000, 12.25, 12.2}, {1000000, 13.0, 12.9}};
  alloc.summary = Summarize(alloc.repetitions);
  run.benchmarks.push_back(alloc);

  BenchmarkResult copy;
  copy.id = {"shared_memory", "copy_to_slice", "64MB"};
  copy.suite = "shared_memory";
  copy.throughput = {Throughput::Kind::kBytes, 64ULL << 20};
  copy.repetitions = {{10, 5.5e6, 5.4e6}, {10, 6.0e6, 5.9e6}, {10, 5.25e6, 5.2e6}};
  copy.summary = Summarize(copy.repetitions);
  run.benchmarks.push_back(copy);

  BenchmarkResult error;
  error.id = {"guest_calls", "call", "default"};
  error.suite = "guest_calls";
  error.status = BenchmarkStatus::kError;
  error.message = "emulator: guest fault: vector 14 at rip 0x1234";
  run.benchmarks.push_back(error);

  BenchmarkResult skipped;
  skipped.id = {"sandboxes", "create_initialized", "large"};
  skipped.suite = "sandboxes";
  skipped.status = BenchmarkStatus::kSkipped;
  skipped.message = "no hypervisor backend is available";
  run.benchmarks.push_back(skipped);
  return run;
}

// A benchmark measured with `median_ns` in every one of three repetitions.
inline BenchmarkResult Measured(BenchmarkId id, const std::string& suite, double median_ns) {
  BenchmarkResult b;
  b.id = std::move(id);
  b.suite = suite;
  b.repetitions = {{100, median_ns * 0.99, median_ns},
                   {100, median_ns, median_ns},
                   {100, median_ns * 1.01, median_ns}};
  b.summary = Summarize(b.repetitions);
  return b;
}

// A compared row with a tested ratio.
inline ComparedBenchmark Tested(const std::string& id, Verdict verdict, double baseline_ns,
                                double ratio, double lower, double upper, double p) {
  ComparedBenchmark c;
  c.id = id;
  c.verdict = verdict;
  c.reason = std::string(VerdictName(verdict)) + " by the sample's rules";
  c.noise_band = 0.03;
  c.baseline_median_ns = baseline_ns;
  c.candidate_median_ns = baseline_ns * ratio;
  c.baseline_repetitions = 10;
  c.candidate_repetitions = 10;
  c.ratio = RatioEstimate{ratio, lower, upper, 0.95};
  c.p_value = p / 10;
  c.adjusted_p = p;
  return c;
}

// A compared row that was not tested (new, missing, error, skipped, incomparable).
inline ComparedBenchmark Untested(const std::string& id, Verdict verdict, double baseline_ns,
                                  double candidate_ns, const std::string& reason) {
  ComparedBenchmark c;
  c.id = id;
  c.verdict = verdict;
  c.reason = reason;
  c.noise_band = 0.03;
  c.baseline_median_ns = baseline_ns;
  c.candidate_median_ns = candidate_ns;
  c.baseline_repetitions = baseline_ns > 0 ? 10 : 0;
  c.candidate_repetitions = candidate_ns > 0 ? 10 : 0;
  return c;
}

// A matrix of four platforms: kvm/amd compared with every kind of verdict, kvm/intel compared and
// unchanged, mshv3/amd compared with a baseline from another machine, whp/intel without baseline.
inline Report SampleMatrixReport() {
  const auto platform_run = [](const std::string& hypervisor, const std::string& vendor) {
    RunResult run = SampleRun();
    run.context.hypervisor = hypervisor;
    run.context.hypervisor_version = hypervisor == "kvm" ? "12" : "";
    run.context.host.cpu_vendor = vendor;
    run.benchmarks.clear();
    run.benchmarks.push_back(
        Measured({"sandboxes", "create_initialized", "default"}, "sandboxes", 1.2e6));
    run.benchmarks.push_back(
        Measured({"sandboxes", "create_initialized", "large"}, "sandboxes", 1.9e6));
    run.benchmarks.push_back(
        Measured({"sandboxes", "create_uninitialized", "default"}, "sandboxes", 4.0e5));
    run.benchmarks.push_back(Measured({"guest_calls", "call", "default"}, "guest_calls", 7.3e4));
    run.benchmarks.push_back(Measured({"alloc_single", "", "64"}, "virtq", 12.5));
    run.benchmarks.push_back(Measured({"alloc_single", "", "1024"}, "virtq", 17.0));
    run.benchmarks.push_back(Measured({"recycle_pool", "alloc_dealloc_4096", ""}, "virtq", 4.7));
    BenchmarkResult error;
    error.id = {"guest_calls", "interrupt_latency", ""};
    error.suite = "guest_calls";
    error.status = BenchmarkStatus::kError;
    error.message = "kvm: KVM_RUN failed: Interrupted system call";
    run.benchmarks.push_back(error);
    BenchmarkResult skipped;
    skipped.id = {"snapshots", "restore", "large"};
    skipped.suite = "snapshots";
    skipped.status = BenchmarkStatus::kSkipped;
    skipped.message = "no hypervisor backend is available";
    run.benchmarks.push_back(skipped);
    return run;
  };
  const auto baseline_context = [](RunContext context) {
    context.git_revision = "0123456789ab";
    context.timestamp = "2026-11-24T08:00:00Z";
    return context;
  };

  Report report;
  {
    PlatformResult p{platform_run("kvm", "amd"), "results/kvm-amd.json", std::nullopt};
    RunComparison c;
    c.baseline_source = "baseline/kvm-amd.json";
    c.baseline_context = baseline_context(p.run.context);
    c.benchmarks = {
        Tested("sandboxes/create_initialized/default", Verdict::kRegressed, 1.0e6, 1.2, 1.15, 1.26,
               0.0004),
        Tested("sandboxes/create_initialized/large", Verdict::kImproved, 2.5e6, 0.76, 0.72, 0.8,
               0.001),
        Tested("sandboxes/create_uninitialized/default", Verdict::kUnchanged, 4.0e5, 1.01, 0.99,
               1.02, 0.6),
        Tested("guest_calls/call/default", Verdict::kInconclusive, 7.0e4, 1.04, 0.9, 1.2, 0.3),
        Tested("alloc_single/64", Verdict::kRegressed, 10.0, 1.25, 1.2, 1.3, 0.0001),
        Untested("alloc_single/1024", Verdict::kNew, 0, 17.0, "only in the candidate"),
        Tested("recycle_pool/alloc_dealloc_4096", Verdict::kUnchanged, 4.7, 1.0, 0.99, 1.01, 1),
        Untested("guest_calls/interrupt_latency", Verdict::kError, 2.0e4, 0,
                 "kvm: KVM_RUN failed: Interrupted system call"),
        Untested("snapshots/restore/large", Verdict::kSkipped, 0, 0,
                 "no hypervisor backend is available"),
        Untested("snapshots/create/large", Verdict::kMissing, 2.4e8, 0, "only in the baseline"),
    };
    p.comparison = std::move(c);
    report.platforms.push_back(std::move(p));
  }
  {
    PlatformResult p{platform_run("kvm", "intel"), "results/kvm-intel.json", std::nullopt};
    RunComparison c;
    c.baseline_source = "baseline/kvm-intel.json";
    c.baseline_context = baseline_context(p.run.context);
    for (const BenchmarkResult& b : p.run.benchmarks) {
      if (b.status != BenchmarkStatus::kOk) continue;
      c.benchmarks.push_back(
          Tested(b.id.ToString(), Verdict::kUnchanged, b.summary.median_ns, 0.99, 0.98, 1.01, 0.8));
    }
    p.comparison = std::move(c);
    report.platforms.push_back(std::move(p));
  }
  {
    PlatformResult p{platform_run("mshv3", "amd"), "results/mshv3-amd.json", std::nullopt};
    RunComparison c;
    c.baseline_source = "baseline/mshv3-amd.json";
    c.baseline_context = baseline_context(p.run.context);
    c.baseline_context.machine_fingerprint = "fedcba9876543210";
    c.comparable = false;
    c.warning = "machine fingerprint differs: 0123456789abcdef vs fedcba9876543210";
    for (const BenchmarkResult& b : p.run.benchmarks) {
      c.benchmarks.push_back(
          Untested(b.id.ToString(), Verdict::kIncomparable, 1.0, b.summary.median_ns, c.warning));
    }
    p.comparison = std::move(c);
    report.platforms.push_back(std::move(p));
  }
  report.platforms.push_back({platform_run("whp", "intel"), "results/whp-intel.json", {}});
  return report;
}

}  // namespace vmbench::testing

#endif  // VMBENCH_TESTS_SAMPLE_RESULTS_H_
