// The `junit` reporter, loaded as a plugin: its output against approved golden files
// (tests/reporters/golden/junit*.xml; regenerate with VMBENCH_UPDATE_GOLDEN=1 and review the diff),
// validated by xmllint against the Jenkins xunit junit-10.xsd (a copy beside this file), and read
// by a real consumer, Debian's python3-junitparser, through junit_check.py.

#include <sys/wait.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <streambuf>
#include <string>
#include <vector>

#include "registry.h"
#include "reporter_test_support.h"
#include "sample_results.h"
#include "test_support.h"

namespace vmbench {
namespace {

using vmbench::testing::PluginDir;
using vmbench::testing::SampleRun;
using vmbench::testing::SourceDir;

std::shared_ptr<Reporter> JUnit() { return vmbench::testing::LoadReporter("junit"); }

std::string Render(const Report& report) { return vmbench::testing::Render("junit", report); }

using vmbench::testing::CheckGolden;
using vmbench::testing::GoldenPath;
using vmbench::testing::Has;
using vmbench::testing::NotMeasured;

// ---------------------------------------------------------------------------------------------
// Sample reports

// `n` repetitions around `median_ns`, spread by up to +-2%, deterministic.
std::vector<Repetition> Repetitions(double median_ns, std::int64_t iterations, int n = 10) {
  std::vector<Repetition> reps;
  for (int i = 0; i < n; ++i) {
    const double t = median_ns * (1 + 0.004 * ((i * 7) % 11 - 5));
    reps.push_back({iterations, t, t * 0.99});
  }
  return reps;
}

BenchmarkResult Measured(BenchmarkId id, const std::string& suite, double median_ns,
                         std::int64_t iterations) {
  BenchmarkResult b;
  b.id = std::move(id);
  b.suite = suite;
  b.repetitions = Repetitions(median_ns, iterations);
  b.summary = Summarize(b.repetitions);
  return b;
}

// A row of a comparison for `candidate` against a baseline median, tested or not.
ComparedBenchmark Row(const std::string& id, Verdict verdict, const std::string& reason,
                      const BenchmarkResult* candidate, double baseline_median_ns,
                      std::optional<RatioEstimate> ratio = std::nullopt,
                      std::optional<double> p = std::nullopt,
                      std::optional<double> adjusted = std::nullopt) {
  ComparedBenchmark row;
  row.id = id;
  row.verdict = verdict;
  row.reason = reason;
  row.noise_band = 0.03;
  if (baseline_median_ns > 0) {
    row.baseline_median_ns = baseline_median_ns;
    row.baseline_repetitions = 10;
  }
  if (candidate != nullptr && !candidate->repetitions.empty()) {
    row.candidate_median_ns = candidate->summary.median_ns;
    row.candidate_repetitions = static_cast<int>(candidate->repetitions.size());
  }
  row.ratio = ratio;
  row.p_value = p;
  row.adjusted_p = adjusted;
  return row;
}

RunContext Context(const std::string& hypervisor, const std::string& vendor,
                   const std::string& timestamp, const std::string& fingerprint) {
  RunContext c = SampleRun().context;
  c.hypervisor = hypervisor;
  c.hypervisor_version = hypervisor == "kvm" ? "12" : "2.0.1";
  c.host.cpu_vendor = vendor;
  if (vendor == "intel") c.host.cpu_model = "Intel(R) Xeon(R) Platinum 8370C CPU @ 2.80GHz";
  c.timestamp = timestamp;
  c.machine_fingerprint = fingerprint;
  c.repetitions = 10;
  return c;
}

// kvm/amd compared with a baseline of the same machine: every verdict but incomparable, over
// four suites and one id that only the baseline has.
PlatformResult KvmAmdPlatform() {
  PlatformResult platform;
  platform.source = "results/20261125T120000Z-kvm.json";
  RunResult& run = platform.run;
  run.context = Context("kvm", "amd", "2026-11-25T12:00:00Z", "0123456789abcdef");
  const auto& b = run.benchmarks;
  run.benchmarks.push_back(Measured({"alloc_single", "", "64"}, "virtq", 13.6, 1000000));
  run.benchmarks.push_back(Measured({"alloc_single", "", "256"}, "virtq", 22.1, 1000000));
  run.benchmarks.push_back(Measured({"free_single", "", "64"}, "virtq", 9.5, 2000000));
  BenchmarkResult copy =
      Measured({"shared_memory", "copy_to_slice", "64MB"}, "shared_memory", 5.5e6, 10);
  copy.throughput = {Throughput::Kind::kBytes, 64ULL << 20};
  run.benchmarks.push_back(copy);
  run.benchmarks.push_back(
      NotMeasured({"guest_calls", "call", "default"}, "guest_calls", BenchmarkStatus::kError,
                  "emulator: guest fault: vector 14 at <rip 0x1234> & \"more\""));
  run.benchmarks.push_back(
      Measured({"guest_calls", "call", "batched"}, "guest_calls", 850.0, 50000));
  run.benchmarks.push_back(NotMeasured({"sandboxes", "create_initialized", "large"}, "sandboxes",
                                       BenchmarkStatus::kSkipped,
                                       "no hypervisor backend is available"));

  RunComparison comparison;
  comparison.baseline_source = "baseline/main-kvm-amd.json";
  comparison.baseline_context = Context("kvm", "amd", "2026-11-24T08:30:00Z", "0123456789abcdef");
  comparison.baseline_context.git_revision = "0f1e2d3c4b5a";
  comparison.benchmarks = {
      Row("alloc_single/64", Verdict::kRegressed,
          "12.0% slower, interval beyond the +3% noise band: ratio 1.120 [1.080, 1.160], "
          "p=0.0004 (Holm 0.0024)",
          &b[0], 12.1, RatioEstimate{1.12, 1.08, 1.16, 0.95}, 0.0004, 0.0024),
      Row("alloc_single/256", Verdict::kImproved,
          "8.0% faster, interval beyond the -3% noise band: ratio 0.920 [0.900, 0.940], "
          "p=0.0002 (Holm 0.0015)",
          &b[1], 24.0, RatioEstimate{0.92, 0.9, 0.94, 0.95}, 0.0002, 0.0015),
      Row("free_single/64", Verdict::kUnchanged,
          "interval inside the ±3% noise band: ratio 1.004 [0.995, 1.012], p=0.41 (Holm 1)", &b[2],
          9.46, RatioEstimate{1.004, 0.995, 1.012, 0.95}, 0.41, 1.0),
      Row("shared_memory/copy_to_slice/64MB", Verdict::kInconclusive,
          "interval beyond both edges of the ±3% noise band: ratio 1.020 [0.950, 1.090], "
          "p=0.62 (Holm 1)",
          &b[3], 5.39e6, RatioEstimate{1.02, 0.95, 1.09, 0.95}, 0.62, 1.0),
      Row("guest_calls/call/default", Verdict::kError,
          "error in the candidate: emulator: guest fault: vector 14 at <rip 0x1234> & \"more\"",
          &b[4], 1520.0),
      Row("guest_calls/call/batched", Verdict::kNew, "only in the candidate", &b[5], 0),
      Row("sandboxes/create_initialized/large", Verdict::kSkipped,
          "skipped in the candidate: no hypervisor backend is available", &b[6], 48000.0),
      Row("alloc_single/4096", Verdict::kMissing, "only in the baseline", nullptr, 15.2),
  };
  platform.comparison = comparison;
  return platform;
}

// emulator/intel compared with a baseline from another machine: incomparable.
PlatformResult EmulatorIntelPlatform() {
  PlatformResult platform;
  platform.source = "results/20261125T121500Z-emulator.json";
  RunResult& run = platform.run;
  run.context = Context("emulator", "intel", "2026-11-25T12:15:00Z", "fedcba9876543210");
  run.benchmarks.push_back(Measured({"alloc_single", "", "64"}, "virtq", 14.2, 1000000));
  run.benchmarks.push_back(Measured({"alloc_single", "", "256"}, "virtq", 23.0, 1000000));

  RunComparison comparison;
  comparison.baseline_source = "baseline/main-kvm-amd.json";
  comparison.baseline_context = Context("kvm", "amd", "2026-11-24T08:30:00Z", "0123456789abcdef");
  comparison.comparable = false;
  comparison.warning =
      "machine fingerprint differs (0123456789abcdef vs fedcba9876543210) and hypervisor differs "
      "(kvm vs emulator)";
  // As core/comparison.cc does: an incomparable row's reason is the comparison's warning.
  const std::string reason = comparison.warning;
  comparison.benchmarks = {
      Row("alloc_single/64", Verdict::kIncomparable, reason, &run.benchmarks[0], 12.1),
      Row("alloc_single/256", Verdict::kIncomparable, reason, &run.benchmarks[1], 24.0),
  };
  platform.comparison = comparison;
  return platform;
}

Report ComparisonReport() { return Report{{KvmAmdPlatform(), EmulatorIntelPlatform()}}; }

// ---------------------------------------------------------------------------------------------
// External consumers

// A folder under the system temp dir, removed with everything in it at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "vmbench-junit-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::filesystem::path Write(const std::string& name, const std::string& content) const {
    const std::filesystem::path file = path_ / name;
    std::ofstream(file, std::ios::binary) << content;
    return file;
  }

 private:
  std::filesystem::path path_;
};

std::string ShellQuote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

CommandResult RunCommand(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buffer[4096];
  while (std::size_t n = std::fread(buffer, 1, sizeof(buffer), pipe))
    result.output.append(buffer, n);
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

const std::filesystem::path& Schema() {
  static const std::filesystem::path schema = SourceDir() / "reporters" / "junit-10.xsd";
  return schema;
}

// Fails (never passes silently) when a tool the checks need is not installed.
void RequireXmllint() {
  if (RunCommand("command -v xmllint").exit_code != 0) {
    FAIL("xmllint not found: install Debian's libxml2-utils (tools/install-deps.sh does)");
  }
  REQUIRE(std::filesystem::exists(Schema()));
}

void RequireJunitParser() {
  if (RunCommand("/usr/bin/python3 -c 'import junitparser'").exit_code != 0) {
    FAIL(
        "/usr/bin/python3 cannot import junitparser: install Debian's python3-junitparser "
        "(tools/install-deps.sh does)");
  }
}

void CheckValid(const std::filesystem::path& file) {
  const CommandResult r = RunCommand("xmllint --noout --schema " + ShellQuote(Schema().string()) +
                                     " " + ShellQuote(file.string()));
  INFO(r.output);
  CHECK(r.exit_code == 0);
}

// junit_check.py's summary of `file`: counts, and one line per test case.
std::string ConsumerSummary(const std::filesystem::path& file) {
  const std::filesystem::path script = SourceDir() / "reporters" / "junit_check.py";
  const CommandResult r = RunCommand("/usr/bin/python3 " + ShellQuote(script.string()) + " " +
                                     ShellQuote(file.string()));
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  return r.output;
}

// ---------------------------------------------------------------------------------------------
// Tests

TEST_CASE("junit reporter output for a run without a baseline matches the approved file",
          "[reporters][junit]") {
  CheckGolden(Render(Report{{{SampleRun(), "", {}}}}), "junit.xml");
}

TEST_CASE("junit reporter output for two compared platforms matches the approved file",
          "[reporters][junit]") {
  CheckGolden(Render(ComparisonReport()), "junit-compare.xml");
}

TEST_CASE("junit golden files validate against the junit-10 schema with xmllint",
          "[reporters][junit]") {
  RequireXmllint();
  for (const char* file : {"junit.xml", "junit-compare.xml"}) {
    INFO(file);
    CheckValid(GoldenPath(file));
  }
  // An empty report is still a document consumers accept.
  TempDir dir;
  CheckValid(dir.Write("empty.xml", Render(Report{})));
}

TEST_CASE("junit output without a baseline reads back in junitparser with the right counts",
          "[reporters][junit]") {
  RequireJunitParser();
  TempDir dir;
  const std::string summary =
      ConsumerSummary(dir.Write("run.xml", Render(Report{{{SampleRun(), "", {}}}})));
  CHECK(summary ==
        "testsuites tests=4 failures=0 errors=1\n"
        "suite virtq.none_amd tests=1 failures=0 errors=0 skipped=0\n"
        "case virtq.none_amd|alloc_single/64|pass|status=ok\n"
        "suite shared_memory.none_amd tests=1 failures=0 errors=0 skipped=0\n"
        "case shared_memory.none_amd|shared_memory/copy_to_slice/64MB|pass|status=ok\n"
        "suite guest_calls.none_amd tests=1 failures=0 errors=1 skipped=0\n"
        "case guest_calls.none_amd|guest_calls/call/default|error|type=BenchmarkError|"
        "message=emulator: guest fault: vector 14 at rip 0x1234|status=error\n"
        "suite sandboxes.none_amd tests=1 failures=0 errors=0 skipped=1\n"
        "case sandboxes.none_amd|sandboxes/create_initialized/large|skipped|"
        "message=no hypervisor backend is available|status=skipped\n");
}

TEST_CASE("junit output with comparisons reads back in junitparser with every verdict mapped",
          "[reporters][junit]") {
  RequireJunitParser();
  TempDir dir;
  const std::string summary = ConsumerSummary(dir.Write("compare.xml", Render(ComparisonReport())));
  CHECK(summary ==
        "testsuites tests=10 failures=1 errors=1\n"
        "suite virtq.kvm_amd tests=3 failures=1 errors=0 skipped=0\n"
        "case virtq.kvm_amd|alloc_single/64|failure|type=PerformanceRegression|"
        "message=regressed: median 12.1 ns -> 13.6 ns, +12.0% [+8.0%, +16.0%], p=0.0024 (Holm), "
        "noise band ±3.0%|verdict=regressed|status=ok\n"
        "case virtq.kvm_amd|alloc_single/256|pass|verdict=improved|status=ok\n"
        "case virtq.kvm_amd|free_single/64|pass|verdict=unchanged|status=ok\n"
        "suite shared_memory.kvm_amd tests=1 failures=0 errors=0 skipped=0\n"
        "case shared_memory.kvm_amd|shared_memory/copy_to_slice/64MB|pass|verdict=inconclusive|"
        "status=ok\n"
        "suite guest_calls.kvm_amd tests=2 failures=0 errors=1 skipped=0\n"
        "case guest_calls.kvm_amd|guest_calls/call/default|error|type=BenchmarkError|"
        "message=error in the candidate: emulator: guest fault: vector 14 at <rip 0x1234> & "
        "\"more\"|"
        "verdict=error|status=error\n"
        "case guest_calls.kvm_amd|guest_calls/call/batched|pass|verdict=new|status=ok\n"
        "suite sandboxes.kvm_amd tests=1 failures=0 errors=0 skipped=1\n"
        "case sandboxes.kvm_amd|sandboxes/create_initialized/large|skipped|"
        "message=skipped in the candidate: no hypervisor backend is available|"
        "verdict=skipped|"
        "status=skipped\n"
        "suite baseline-only.kvm_amd tests=1 failures=0 errors=0 skipped=1\n"
        "case baseline-only.kvm_amd|alloc_single/4096|skipped|message=missing: only in the "
        "baseline|verdict=missing\n"
        "suite virtq.emulator_intel tests=2 failures=0 errors=0 skipped=0\n"
        "case virtq.emulator_intel|alloc_single/64|pass|verdict=incomparable|status=ok\n"
        "case virtq.emulator_intel|alloc_single/256|pass|verdict=incomparable|status=ok\n");
}

TEST_CASE("junit regression failure repeats the verdict and numbers in its body",
          "[reporters][junit]") {
  const std::string xml = Render(ComparisonReport());
  CHECK(Has(xml,
            "<failure type=\"PerformanceRegression\" message=\"regressed: median 12.1 ns -&gt; "
            "13.6 ns, +12.0% [+8.0%, +16.0%], p=0.0024 (Holm), noise band ±3.0%\">regressed: "
            "median 12.1 ns -&gt; 13.6 ns, +12.0% [+8.0%, +16.0%], p=0.0024 (Holm), noise band "
            "±3.0%\n12.0% slower, interval beyond the +3% noise band"));
  // Statistics of the comparison are key=value lines of system-out.
  for (const char* line : {"verdict=regressed\n", "baseline_median_ns=12.1\n", "ratio=1.12\n",
                           "ratio_lower=1.08\n", "ratio_upper=1.16\n", "p_value=0.0004\n",
                           "adjusted_p=0.0024\n", "noise_band=0.03\n", "repetitions=10\n"}) {
    INFO(line);
    CHECK(Has(xml, line));
  }
  // Run-wide facts are suite properties, baseline included.
  CHECK(Has(xml, "<property name=\"baseline.source\" value=\"baseline/main-kvm-amd.json\"/>"));
  CHECK(Has(xml, "<property name=\"baseline.timestamp\" value=\"2026-11-24T08:30:00Z\"/>"));
  CHECK(Has(xml, "<property name=\"comparable\" value=\"false\"/>"));
}

TEST_CASE("junit reporter escapes markup and replaces characters XML cannot hold",
          "[reporters][junit]") {
  RunResult run = SampleRun();
  run.benchmarks.resize(1);
  BenchmarkResult odd = NotMeasured({"odd<&>\"'", "", "]]>"}, "virtq", BenchmarkStatus::kError,
                                    "bell\a esc\x1b[31m nul");
  odd.message += '\0';
  odd.message += " bad\xff\xfe surrogate\xed\xa0\x80 cr\r lf\n tab\t µ end";
  run.benchmarks.push_back(odd);
  const std::string xml = Render(Report{{{run, "", {}}}});

  CHECK(Has(xml, "name=\"odd&lt;&amp;&gt;&quot;&apos;/]]&gt;\""));
  // Control characters XML 1.0 forbids and invalid UTF-8 become U+FFFD; in attributes, CR, LF
  // and tab are character references so that they survive attribute-value normalization.
  CHECK(Has(
      xml,
      "message=\"bell\xEF\xBF\xBD esc\xEF\xBF\xBD[31m nul\xEF\xBF\xBD bad\xEF\xBF\xBD\xEF\xBF\xBD "
      "surrogate\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD cr&#13; lf&#10; tab&#9; µ end\""));
  // In system-out the message is one key=value line.
  CHECK(Has(xml,
            "message=bell\xEF\xBF\xBD esc\xEF\xBF\xBD[31m nul\xEF\xBF\xBD bad\xEF\xBF\xBD"
            "\xEF\xBF\xBD surrogate\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD cr  lf  tab\t µ end\n"));
  const auto bad_byte = std::find_if(xml.begin(), xml.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && u != '\n' && u != '\t') || u == 0xFF || u == 0xFE;
  });
  CHECK(bad_byte == xml.end());

  RequireXmllint();
  RequireJunitParser();
  TempDir dir;
  const std::filesystem::path file = dir.Write("odd.xml", xml);
  CheckValid(file);
  CHECK(Has(ConsumerSummary(file), "case virtq.none_amd|odd<&>\"'/]]>|error|type=BenchmarkError|"));
}

TEST_CASE("junit time attributes are plain decimals even for extreme or corrupt times",
          "[reporters][junit]") {
  RunResult run = SampleRun();
  run.benchmarks.resize(2);
  run.benchmarks[0].repetitions = {{1000000000, 1e6, 1e6}};  // a million seconds
  run.benchmarks[1].repetitions = {{1, 0.25, 0.25}, {1, std::nan(""), 0}};
  const std::string xml = Render(Report{{{run, "", {}}}});
  const std::regex time_attribute("time=\"([^\"]*)\"");
  int seen = 0;
  for (auto it = std::sregex_iterator(xml.begin(), xml.end(), time_attribute);
       it != std::sregex_iterator(); ++it) {
    const std::string value = (*it)[1];
    INFO(value);
    CHECK(std::regex_match(value, std::regex("[0-9]+\\.[0-9]{6}")));
    ++seen;
  }
  CHECK(seen == 5);  // testsuites, 2 testsuites, 2 testcases
  CHECK(Has(xml, "time=\"1000000.000000\""));
}

TEST_CASE("junit testcase time is the total measured time of every repetition",
          "[reporters][junit]") {
  // alloc_single/64: 3 repetitions x 1e6 iterations x (12.5 + 12.25 + 13.0) ns = 0.03775 s.
  const std::string xml = Render(Report{{{SampleRun(), "", {}}}});
  CHECK(Has(xml,
            "<testcase name=\"alloc_single/64\" classname=\"virtq.none_amd\" "
            "time=\"0.037750\">"));
  CHECK(Has(xml, "median_ns=12.5\n"));
}

TEST_CASE("junit testsuite timestamp drops the UTC designator and omits other offsets",
          "[reporters][junit]") {
  RunResult run = SampleRun();
  run.benchmarks.resize(1);
  run.context.timestamp = "2026-11-25T12:00:00.123456Z";
  CHECK(Has(Render(Report{{{run, "", {}}}}), " timestamp=\"2026-11-25T12:00:00\">"));
  run.context.timestamp = "2026-11-25T13:00:00+01:00";
  const std::string xml = Render(Report{{{run, "", {}}}});
  CHECK_FALSE(Has(xml, " timestamp="));
  CHECK(Has(xml, "<property name=\"timestamp\" value=\"2026-11-25T13:00:00+01:00\"/>"));
}

TEST_CASE("junit suites of two runs of one platform get distinct names", "[reporters][junit]") {
  const std::string xml =
      Render(Report{{{SampleRun(), "a.json", {}}, {SampleRun(), "b.json", {}}}});
  CHECK(Has(xml, "<testsuite name=\"virtq.none_amd\" "));
  CHECK(Has(xml, "<testsuite name=\"virtq.none_amd_2\" "));
  CHECK(Has(xml, "classname=\"virtq.none_amd_2\""));
}

// A stream buffer that refuses every byte, like a full disk.
class FullDisk : public std::streambuf {
 protected:
  int_type overflow(int_type) override { return traits_type::eof(); }
  std::streamsize xsputn(const char*, std::streamsize) override { return 0; }
};

TEST_CASE("junit reporter returns a status when the stream fails and never throws",
          "[reporters][junit]") {
  const std::shared_ptr<Reporter> reporter = JUnit();
  FullDisk full;
  std::ostream quiet(&full);
  absl::Status status;
  CHECK_NOTHROW(status = reporter->Write(Report{{{SampleRun(), "", {}}}}, quiet));
  CHECK(status.code() == absl::StatusCode::kDataLoss);

  std::ostream throwing(&full);
  throwing.exceptions(std::ios::badbit);
  CHECK_NOTHROW(status = reporter->Write(Report{{{SampleRun(), "", {}}}}, throwing));
  CHECK(status.code() == absl::StatusCode::kInternal);
  CHECK(status.message().substr(0, 7) == "junit: ");
}

}  // namespace
}  // namespace vmbench
