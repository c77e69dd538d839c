// The `junit` reporter: JUnit XML for CI test-report views (Jenkins, GitLab, GitHub actions).
//
//   <testsuites name="vmbench">                       one document per report
//     <testsuite name="virtq.kvm_amd">                one per suite and platform
//       <properties>                                  run-wide facts: version, host, baseline...
//       <testcase name="alloc_single/64" classname="virtq.kvm_amd" time="TOTAL SECONDS">
//         <failure|error|skipped .../>                what the status or verdict means for CI
//         <system-out>key=value lines</system-out>    the benchmark's statistics and verdict
//
// Without a comparison: ok passes, error is <error>, skipped is <skipped>. With one: regressed is
// <failure type="PerformanceRegression">, error is <error>, skipped and missing are <skipped>,
// every other verdict passes and says which it is in system-out. The output validates against the
// Jenkins xunit plugin's junit-10.xsd, the strictest schema in use; docs/reporters/junit.md has the
// full mapping and the reasons for each choice.

#include <charconv>
#include <cmath>
#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "vmbench/plugin/format.h"
#include "vmbench/plugin/reporter.h"
#include "vmbench/plugin/xml_escape.h"

namespace vmbench {
namespace {

// Benchmarks only in the baseline carry no suite (a comparison row has only the id), so they get a
// suite of their own. The '-' keeps it apart from every plugin name, which are [a-z0-9_].
constexpr absl::string_view kBaselineOnlySuite = "baseline-only";

// ---------------------------------------------------------------------------------------------
// XML text

// ` name="value"`, the value escaped for a double-quoted attribute.
std::string Attr(absl::string_view name, absl::string_view value) {
  return absl::StrCat(" ", name, "=\"", EscapeXml(value, XmlContext::kAttribute), "\"");
}

// ---------------------------------------------------------------------------------------------
// Numbers

// The shortest decimal that reads back to the same double, never with an exponent, so a
// system-out line is both exact and readable by any tool ("12.5", "5500000", "0.0004").
// std::to_chars is also independent of the C locale, unlike printf.
std::string Number(double value) {
  char buffer[512];  // the longest fixed form of a double has 309 integer digits
  const std::to_chars_result r =
      std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::fixed);
  if (r.ec != std::errc()) return "nan";
  return std::string(buffer, r.ptr);
}

// A `time` attribute: seconds with six decimals, as the Surefire pattern of junit-10.xsd allows
// (digits, optional fraction; no sign, exponent, "inf" or "nan"). A corrupt value becomes 0.
std::string Seconds(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) seconds = 0;
  char buffer[512];
  const std::to_chars_result r =
      std::to_chars(buffer, buffer + sizeof(buffer), seconds, std::chars_format::fixed, 6);
  if (r.ec != std::errc()) return "0";
  return std::string(buffer, r.ptr);
}

// The wall time a benchmark was measured for: iterations x per-iteration time over every
// repetition. This is what a CI "duration" column means; the per-iteration median is in
// system-out.
double MeasuredSeconds(const BenchmarkResult& benchmark) {
  double ns = 0;
  for (const Repetition& r : benchmark.repetitions) {
    ns += static_cast<double>(r.iterations) * r.real_time_ns;
  }
  // A corrupt sample (NaN, negative) would otherwise make every total above it unusable too.
  const double seconds = ns / 1e9;
  return std::isfinite(seconds) && seconds >= 0 ? seconds : 0;
}

// The testsuite `timestamp`: junit-10.xsd types it as a string, but the Ant schema that most
// consumers follow wants xs:dateTime without a time zone, "2026-11-25T12:00:00". Run timestamps
// are RFC 3339 UTC, so the UTC designator (and any fraction) is dropped; anything else is not
// converted and the attribute is left out (the raw value is a property either way).
std::string JUnitTimestamp(absl::string_view rfc3339) {
  static constexpr absl::string_view kShape = "dddd-dd-ddTdd:dd:dd";
  if (rfc3339.size() < kShape.size()) return "";
  for (std::size_t i = 0; i < kShape.size(); ++i) {
    const bool ok = kShape[i] == 'd' ? absl::ascii_isdigit(static_cast<unsigned char>(rfc3339[i]))
                                     : rfc3339[i] == kShape[i];
    if (!ok) return "";
  }
  absl::string_view rest = rfc3339.substr(kShape.size());
  if (!rest.empty() && rest.front() == '.') {
    std::size_t digits = 1;
    while (digits < rest.size() && absl::ascii_isdigit(static_cast<unsigned char>(rest[digits]))) {
      ++digits;
    }
    rest.remove_prefix(digits);
  }
  if (rest != "Z" && rest != "z" && rest != "+00:00" && rest != "-00:00") return "";
  return std::string(rfc3339.substr(0, kShape.size()));
}

// ---------------------------------------------------------------------------------------------
// The document model: built first, written second, so counts are derived from the cases that are
// actually written and a failure half-way leaves the stream untouched.

enum class Outcome { kPass, kFailure, kError, kSkipped };

struct TestCase {
  std::string name;
  double seconds = 0;
  Outcome outcome = Outcome::kPass;
  std::string type;     // of <failure> or <error>
  std::string message;  // the message attribute of the result element
  std::string body;     // its text; repeats the message, as some consumers ignore the attribute
  std::vector<std::pair<std::string, std::string>> out;  // system-out, key=value lines
};

struct TestSuite {
  std::string name;  // also every case's classname
  std::string timestamp;
  std::vector<std::pair<std::string, std::string>> properties;
  std::vector<TestCase> cases;

  int Count(Outcome outcome) const {
    int n = 0;
    for (const TestCase& c : cases) n += c.outcome == outcome ? 1 : 0;
    return n;
  }
  double TotalSeconds() const {
    double s = 0;
    for (const TestCase& c : cases) s += c.seconds;
    return s;
  }
};

// A name part of a classname. Jenkins splits a classname at its last '.' into package and class,
// and GitLab shows it as the suite column: with '/' and '.' replaced by '_', "virtq.kvm_amd" reads
// as package "virtq", class "kvm_amd".
std::string ClassPart(absl::string_view name) {
  if (name.empty()) return "unknown";
  std::string out(name);
  for (char& c : out) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') c = '_';
  }
  return out;
}

// System-out values are one line each; a message with line breaks would start a bogus key.
std::string OneLine(absl::string_view value) {
  std::string out(value);
  for (char& c : out) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

void AddMeasurement(const BenchmarkResult& b, TestCase& tc) {
  tc.out.emplace_back("status", BenchmarkStatusName(b.status));
  if (!b.message.empty()) tc.out.emplace_back("message", OneLine(b.message));
  if (b.repetitions.empty()) return;
  const Summary& s = b.summary;
  tc.out.emplace_back("median_ns", Number(s.median_ns));
  tc.out.emplace_back("mean_ns", Number(s.mean_ns));
  tc.out.emplace_back("stddev_ns", Number(s.stddev_ns));
  tc.out.emplace_back("min_ns", Number(s.min_ns));
  tc.out.emplace_back("max_ns", Number(s.max_ns));
  tc.out.emplace_back("repetitions", absl::StrCat(b.repetitions.size()));
  if (b.throughput.kind != Throughput::Kind::kNone) {
    tc.out.emplace_back("throughput_kind", ThroughputKindName(b.throughput.kind));
    tc.out.emplace_back("throughput_per_iteration", absl::StrCat(b.throughput.per_iteration));
    const std::string human = FormatThroughput(b.throughput, s.median_ns);
    if (!human.empty()) tc.out.emplace_back("throughput", human);
  }
}

// A benchmark of a run without a baseline: its status decides.
TestCase MeasuredCase(const BenchmarkResult& b) {
  TestCase tc;
  tc.name = b.id.ToString();
  tc.seconds = MeasuredSeconds(b);
  switch (b.status) {
    case BenchmarkStatus::kOk:
      break;
    case BenchmarkStatus::kError:
      tc.outcome = Outcome::kError;
      tc.type = "BenchmarkError";
      tc.message = b.message.empty() ? "the benchmark failed" : b.message;
      break;
    case BenchmarkStatus::kSkipped:
      tc.outcome = Outcome::kSkipped;
      tc.message = b.message.empty() ? "not run on this machine" : b.message;
      break;
  }
  tc.body = tc.message;
  AddMeasurement(b, tc);
  return tc;
}

// "regressed: median 12.1 ns -> 13.6 ns, +12.0% [+8.0%, +16.0%], p=0.0004 (Holm), noise band
// ±3.0%": the verdict and the numbers that decided it, for the message attribute.
std::string ChangeSummary(const ComparedBenchmark& row) {
  std::string text = absl::StrCat(VerdictName(row.verdict), ":");
  if (row.baseline_repetitions > 0 && row.candidate_repetitions > 0) {
    absl::StrAppend(&text, " median ", FormatDuration(row.baseline_median_ns), " -> ",
                    FormatDuration(row.candidate_median_ns));
  }
  if (row.ratio.has_value()) {
    absl::StrAppend(&text, text.back() == ':' ? " " : ", ", FormatChange(*row.ratio));
    if (row.adjusted_p.has_value()) {
      absl::StrAppend(&text, ", ", FormatPValue(*row.adjusted_p), " (Holm)");
    }
    absl::StrAppend(&text, absl::StrFormat(", noise band ±%.1f%%", row.noise_band * 100));
  } else if (!row.reason.empty()) {
    absl::StrAppend(&text, text.back() == ':' ? " " : ", ", row.reason);
  }
  return text;
}

// The verdict, then the reason: "missing: only in the baseline". The comparison's reasons for
// error and skipped already start with the verdict ("error in the candidate: ..."), which is then
// not said twice.
std::string VerdictMessage(Verdict verdict, absl::string_view reason, absl::string_view fallback) {
  if (reason.empty()) reason = fallback;
  const absl::string_view name = VerdictName(verdict);
  if (absl::StartsWith(reason, name)) return std::string(reason);
  return absl::StrCat(name, ": ", reason);
}

// A benchmark of a compared run: the verdict decides. `candidate` is null for an id that is only
// in the baseline.
TestCase ComparedCase(const BenchmarkResult* candidate, const ComparedBenchmark& row,
                      const RunComparison& comparison) {
  TestCase tc;
  const std::string reason = OneLine(row.reason);
  // An incomparable row passes, so its system-out must say what differs between the runs: the
  // row's own warning is only set for cross-machine comparisons that went ahead, and its reason
  // usually is the comparison's warning already (then it is not repeated).
  std::string warning =
      OneLine(row.warning.empty() && !comparison.comparable ? comparison.warning : row.warning);
  if (warning == reason) warning.clear();
  tc.name = row.id;
  tc.seconds = candidate != nullptr ? MeasuredSeconds(*candidate) : 0;
  switch (row.verdict) {
    case Verdict::kRegressed:
      tc.outcome = Outcome::kFailure;
      tc.type = "PerformanceRegression";
      tc.message = ChangeSummary(row);
      break;
    case Verdict::kError:
      tc.outcome = Outcome::kError;
      tc.type = "BenchmarkError";
      tc.message = VerdictMessage(row.verdict, reason, "failed in either run");
      break;
    case Verdict::kSkipped:
      tc.outcome = Outcome::kSkipped;
      tc.message = VerdictMessage(row.verdict, reason, "skipped in either run");
      break;
    case Verdict::kMissing:
      // Not run by the candidate, so for CI it is a test that did not execute: visible in the
      // skipped count, yet not a failure (--fail-on missing is how a job fails for it).
      tc.outcome = Outcome::kSkipped;
      tc.message = VerdictMessage(row.verdict, reason, "only in the baseline");
      break;
    case Verdict::kImproved:
    case Verdict::kUnchanged:
    case Verdict::kInconclusive:
    case Verdict::kNew:
    case Verdict::kIncomparable:
      break;
  }
  if (tc.outcome != Outcome::kPass) {
    tc.body = tc.message;
    if (!reason.empty() && tc.message.find(reason) == std::string::npos) {
      absl::StrAppend(&tc.body, "\n", reason);
    }
    if (!warning.empty()) absl::StrAppend(&tc.body, "\nwarning: ", warning);
  }

  tc.out.emplace_back("verdict", VerdictName(row.verdict));
  if (!reason.empty()) tc.out.emplace_back("reason", reason);
  if (!warning.empty()) tc.out.emplace_back("warning", warning);
  if (candidate != nullptr) AddMeasurement(*candidate, tc);
  if (row.baseline_repetitions > 0) {
    tc.out.emplace_back("baseline_median_ns", Number(row.baseline_median_ns));
    tc.out.emplace_back("baseline_repetitions", absl::StrCat(row.baseline_repetitions));
  }
  if (row.ratio.has_value()) {
    tc.out.emplace_back("ratio", Number(row.ratio->estimate));
    tc.out.emplace_back("ratio_lower", Number(row.ratio->lower));
    tc.out.emplace_back("ratio_upper", Number(row.ratio->upper));
    tc.out.emplace_back("ratio_level", Number(row.ratio->level));
  }
  if (row.p_value.has_value()) tc.out.emplace_back("p_value", Number(*row.p_value));
  if (row.adjusted_p.has_value()) tc.out.emplace_back("adjusted_p", Number(*row.adjusted_p));
  tc.out.emplace_back("noise_band", Number(row.noise_band));
  return tc;
}

void AddContext(absl::string_view prefix, const RunContext& c,
                std::vector<std::pair<std::string, std::string>>& p) {
  const auto add = [&](absl::string_view key, std::string value) {
    p.emplace_back(absl::StrCat(prefix, key), std::move(value));
  };
  add("platform", PlatformName(c));
  add("vmbench_version", c.vmbench_version);
  add("git_revision", c.git_revision);
  add("timestamp", c.timestamp);
  add("build_type", c.build_type);
  add("host.os", c.host.os);
  add("host.kernel", c.host.kernel);
  add("host.arch", c.host.arch);
  add("host.cpu_model", c.host.cpu_model);
  add("host.cpu_vendor", c.host.cpu_vendor);
  add("host.logical_cpus", absl::StrCat(c.host.logical_cpus));
  add("host.physical_cores", absl::StrCat(c.host.physical_cores));
  add("host.memory_bytes", absl::StrCat(c.host.memory_bytes));
  add("hypervisor", c.hypervisor);
  add("hypervisor_version", c.hypervisor_version);
  add("machine_fingerprint", c.machine_fingerprint);
  add("repetitions", absl::StrCat(c.repetitions));
  add("min_time_s", Number(c.min_time_s));
  add("incomplete", c.incomplete ? "true" : "false");
}

std::vector<std::pair<std::string, std::string>> Properties(const PlatformResult& platform) {
  std::vector<std::pair<std::string, std::string>> p;
  AddContext("", platform.run.context, p);
  if (!platform.source.empty()) p.emplace_back("source", platform.source);
  if (platform.comparison.has_value()) {
    const RunComparison& comparison = *platform.comparison;
    p.emplace_back("baseline.source", comparison.baseline_source);
    AddContext("baseline.", comparison.baseline_context, p);
    p.emplace_back("comparable", comparison.comparable ? "true" : "false");
    if (!comparison.warning.empty()) p.emplace_back("comparison_warning", comparison.warning);
  }
  return p;
}

// The suites of one platform, in the order their first benchmark ran.
std::vector<TestSuite> PlatformSuites(const PlatformResult& platform,
                                      absl::string_view platform_label) {
  std::vector<TestSuite> suites;
  std::map<std::string, std::size_t> index;  // suite name -> position in `suites`
  const auto suite_for = [&](absl::string_view suite) -> TestSuite& {
    std::string name = absl::StrCat(ClassPart(suite), ".", platform_label);
    auto [it, inserted] = index.try_emplace(name, suites.size());
    if (inserted) {
      TestSuite& s = suites.emplace_back();
      s.name = std::move(name);
      s.timestamp = JUnitTimestamp(platform.run.context.timestamp);
      s.properties = Properties(platform);
    }
    return suites[it->second];
  };

  const RunResult& run = platform.run;
  if (!platform.comparison.has_value()) {
    for (const BenchmarkResult& b : run.benchmarks) {
      suite_for(b.suite).cases.push_back(MeasuredCase(b));
    }
    return suites;
  }
  const RunComparison& comparison = *platform.comparison;
  for (const BenchmarkResult& b : run.benchmarks) {
    const std::string id = b.id.ToString();
    const ComparedBenchmark* row = comparison.Find(id);
    // A comparison has a row for every candidate id; if one is absent the benchmark is still
    // reported, by its own status.
    suite_for(b.suite).cases.push_back(row != nullptr ? ComparedCase(&b, *row, comparison)
                                                      : MeasuredCase(b));
  }
  for (const ComparedBenchmark& row : comparison.benchmarks) {
    if (run.Find(row.id) == nullptr) {
      suite_for(kBaselineOnlySuite).cases.push_back(ComparedCase(nullptr, row, comparison));
    }
  }
  return suites;
}

void WriteSuite(const TestSuite& suite, std::string& xml) {
  absl::StrAppend(&xml, "  <testsuite", Attr("name", suite.name),
                  Attr("tests", absl::StrCat(suite.cases.size())),
                  Attr("failures", absl::StrCat(suite.Count(Outcome::kFailure))),
                  Attr("errors", absl::StrCat(suite.Count(Outcome::kError))),
                  Attr("skipped", absl::StrCat(suite.Count(Outcome::kSkipped))),
                  Attr("time", Seconds(suite.TotalSeconds())));
  if (!suite.timestamp.empty()) absl::StrAppend(&xml, Attr("timestamp", suite.timestamp));
  xml += ">\n    <properties>\n";
  for (const auto& [name, value] : suite.properties) {
    absl::StrAppend(&xml, "      <property", Attr("name", name), Attr("value", value), "/>\n");
  }
  xml += "    </properties>\n";
  for (const TestCase& tc : suite.cases) {
    absl::StrAppend(&xml, "    <testcase", Attr("name", tc.name), Attr("classname", suite.name),
                    Attr("time", Seconds(tc.seconds)), ">\n");
    const char* element = nullptr;
    switch (tc.outcome) {
      case Outcome::kPass:
        break;
      case Outcome::kFailure:
        element = "failure";
        break;
      case Outcome::kError:
        element = "error";
        break;
      case Outcome::kSkipped:
        element = "skipped";
        break;
    }
    if (element != nullptr) {
      absl::StrAppend(&xml, "      <", element);
      if (!tc.type.empty()) absl::StrAppend(&xml, Attr("type", tc.type));
      absl::StrAppend(&xml, Attr("message", tc.message), ">", EscapeXml(tc.body, XmlContext::kText),
                      "</", element, ">\n");
    }
    xml += "      <system-out>";
    for (const auto& [key, value] : tc.out) {
      absl::StrAppend(&xml, EscapeXml(key, XmlContext::kText), "=",
                      EscapeXml(value, XmlContext::kText), "\n");
    }
    xml += "</system-out>\n    </testcase>\n";
  }
  xml += "  </testsuite>\n";
}

std::string Document(const Report& report) {
  std::vector<TestSuite> suites;
  std::map<std::string, int> platform_uses;
  for (const PlatformResult& platform : report.platforms) {
    // Two runs of one platform (e.g. two kvm/amd machines) would give equal classname+name pairs,
    // which GitLab merges; the second gets a suffix.
    std::string label = ClassPart(PlatformName(platform.run.context));
    if (const int uses = ++platform_uses[label]; uses > 1) absl::StrAppend(&label, "_", uses);
    for (TestSuite& suite : PlatformSuites(platform, label)) suites.push_back(std::move(suite));
  }

  int tests = 0;
  int failures = 0;
  int errors = 0;
  double seconds = 0;
  for (const TestSuite& suite : suites) {
    tests += static_cast<int>(suite.cases.size());
    failures += suite.Count(Outcome::kFailure);
    errors += suite.Count(Outcome::kError);
    seconds += suite.TotalSeconds();
  }
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  // junit-10.xsd allows no `skipped` on <testsuites>; each <testsuite> has its own.
  absl::StrAppend(&xml, "<testsuites", Attr("name", "vmbench"), Attr("tests", absl::StrCat(tests)),
                  Attr("failures", absl::StrCat(failures)), Attr("errors", absl::StrCat(errors)),
                  Attr("time", Seconds(seconds)), ">\n");
  for (const TestSuite& suite : suites) WriteSuite(suite, xml);
  xml += "</testsuites>\n";
  return xml;
}

class JUnitReporter final : public Reporter {
 public:
  absl::string_view FileExtension() const noexcept override { return "xml"; }

  absl::Status Write(const Report& report, std::ostream& out) noexcept override {
    try {
      const std::string xml = Document(report);
      out.write(xml.data(), static_cast<std::streamsize>(xml.size()));
      out.flush();
      if (!out) return absl::DataLossError("junit: writing the report failed");
      return absl::OkStatus();
    } catch (const std::exception& e) {
      return absl::InternalError(absl::StrCat("junit: ", e.what()));
    } catch (...) {
      return absl::InternalError("junit: writing the report threw a non-standard exception");
    }
  }
};

}  // namespace
}  // namespace vmbench

VMBENCH_PLUGIN(vmbench::JUnitReporter, "junit", "0.1.0",
               "JUnit XML for CI test reports: a testcase per benchmark, regressions as failures");
