// Google Benchmark JSON -> RunResult. The file's aggregates are ignored on purpose: vmbench's
// verdicts need the per-repetition samples, and recomputes every statistic from them.

#include "google_benchmark_importer.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "import_common.h"
#include "vmbench/plugin/result_file.h"
#include "vmbench/plugin/status_macros.h"

namespace vmbench {
namespace {

namespace json = boost::json;
using import_internal::JsonFields;

// Google Benchmark's JSON writer prints NaN and infinite doubles as the bare words NaN and
// Infinity (e.g. a `cv` aggregate of zero times), which are not JSON. Outside strings they are
// replaced by null, so the rest of the file still parses and a non-finite time in an entry we
// import is reported at its own field instead of as an unreadable document.
std::string ReplaceNonFiniteWords(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < text.size()) {
        out += text[++i];
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
      out += c;
      continue;
    }
    const absl::string_view rest = text.substr(i);
    const std::size_t sign = c == '-' ? 1 : 0;
    bool replaced = false;
    for (const absl::string_view word : {absl::string_view("NaN"), absl::string_view("Infinity")}) {
      if (absl::StartsWith(rest.substr(sign), word)) {
        out += "null";
        i += sign + word.size() - 1;
        replaced = true;
        break;
      }
    }
    if (!replaced) out += c;
  }
  return out;
}

// Nanoseconds per `time_unit`; std::nullopt for a unit Google Benchmark does not write.
std::optional<double> NanosecondsPer(absl::string_view unit) {
  if (unit == "ns") return 1.0;
  if (unit == "us") return 1e3;
  if (unit == "ms") return 1e6;
  if (unit == "s") return 1e9;
  return std::nullopt;
}

bool IsDecimal(absl::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(),
                                      [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
}

// Name components that say how long or how often a benchmark was run, not what it measures:
// `->Repetitions(3)` appends "repeats:3", `->MinTime(0.5)` "min_time:0.500",
// `->MinWarmUpTime(1)` "min_warmup_time:1.000". Leaving them out of the id keeps history comparable
// when only those settings change. `iterations:N` stays: a fixed count can change what one
// iteration costs, and `real_time`, `manual_time`, `process_time` and `threads:N` change what the
// numbers mean.
bool IsRunSetting(absl::string_view component) {
  absl::string_view value = component;
  if (absl::ConsumePrefix(&value, "repeats:")) {
    return !value.empty() &&
           std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; });
  }
  if (absl::ConsumePrefix(&value, "min_time:") || absl::ConsumePrefix(&value, "min_warmup_time:")) {
    // A unit suffix is accepted too: later releases take min_time as "0.5s" or "10x".
    if (absl::EndsWith(value, "s") || absl::EndsWith(value, "x")) value.remove_suffix(1);
    return IsDecimal(value);
  }
  return false;
}

// What one benchmark collects while the entries are read.
struct Pending {
  std::string run_name;  // the name in the file, for messages about id collisions
  BenchmarkResult result;
  int entries = 0;  // iteration entries, ok or not
  bool rates_use_real_time = false;
  // Per-iteration bytes and items derived from each ok repetition; unset and `*_consistent`
  // false as soon as one repetition gives no whole number or a different one.
  std::optional<std::uint64_t> bytes;
  std::optional<std::uint64_t> items;
  bool bytes_consistent = true;
  bool items_consistent = true;
};

// A rate counter that may be absent; null (NaN or infinity in the file) counts as absent, since a
// rate that cannot be computed is not an error of the benchmark.
absl::StatusOr<std::optional<double>> OptionalRate(const json::object& o, absl::string_view field,
                                                   const JsonFields& r) {
  const json::value* v = JsonFields::Find(o, field);
  if (v == nullptr || v->is_null()) return std::optional<double>();
  if (!v->is_number()) return r.Error(field, "expected a number");
  const double value = v->to_number<double>();
  if (value < 0) return r.Error(field, "expected a finite, non-negative number");
  return std::optional<double>(value);
}

// Folds one repetition's derived per-iteration amount into `*amount`. GB computes a rate as the
// total count over the reported time (real time for real_time/manual_time benchmarks, CPU time
// otherwise), and the reported time per iteration is that time over the iterations, so
// rate * time per iteration is the count per iteration, up to rounding.
void FoldAmount(std::optional<double> rate, double seconds_per_iteration,
                std::optional<std::uint64_t>* amount, bool* consistent) {
  if (!*consistent) return;
  if (!rate.has_value()) {
    *consistent = false;
    return;
  }
  const double value = *rate * seconds_per_iteration;
  const double nearest = std::round(value);
  if (!(nearest >= 1) || nearest > 9007199254740992.0 ||
      std::abs(value - nearest) > 1e-6 * nearest) {
    *consistent = false;
    return;
  }
  const auto whole = static_cast<std::uint64_t>(nearest);
  if (amount->has_value() && **amount != whole) {
    *consistent = false;
    return;
  }
  *amount = whole;
}

// Splits a Google Benchmark name into an id whose ToString() is the name: group is the family
// name before the first '/', param the rest.
absl::StatusOr<BenchmarkId> SplitName(absl::string_view name, absl::string_view field,
                                      const JsonFields& r) {
  BenchmarkId id;
  const std::size_t slash = name.find('/');
  id.group = std::string(name.substr(0, slash));
  if (slash != absl::string_view::npos) id.param = std::string(name.substr(slash + 1));
  if (id.group.empty() || (slash != absl::string_view::npos && id.param.empty())) {
    return r.Error(field, absl::StrCat("'", name,
                                       "' is not a benchmark name (empty part before the first "
                                       "'/' or after the last)"));
  }
  return id;
}

std::string SuiteName(const std::optional<std::string>& executable) {
  if (!executable.has_value()) return "google-benchmark";
  const std::size_t slash = executable->find_last_of("/\\");
  std::string base = slash == std::string::npos ? *executable : executable->substr(slash + 1);
  return base.empty() ? "google-benchmark" : base;
}

struct FileContext {
  std::string timestamp;
  HostInfo host;
  std::string suite;
};

absl::StatusOr<FileContext> ReadContext(const json::object& o, const JsonFields& r) {
  FileContext context;
  std::string date;
  VMB_ASSIGN_OR_RETURN(date, r.String(o, "date"));
  const std::optional<std::chrono::sys_seconds> time = import_internal::ParseTimestamp(date);
  if (!time.has_value()) {
    return r.Error("date", absl::StrCat("'", date,
                                        "' is not an RFC 3339 date-time with a UTC offset "
                                        "(e.g. 2026-11-25T13:00:00+01:00)"));
  }
  context.timestamp = import_internal::FormatTimestamp(*time);
  std::int64_t cpus = 0;
  VMB_ASSIGN_OR_RETURN(cpus, r.Int(o, "num_cpus", 0));
  if (cpus > INT32_MAX) return r.Error("num_cpus", "out of range");
  context.host.logical_cpus = static_cast<int>(cpus);
  std::optional<std::string> executable;
  VMB_ASSIGN_OR_RETURN(executable, r.OptionalString(o, "executable"));
  context.suite = SuiteName(executable);
  return context;
}

// Reads one iteration entry into `pending` (created by the caller for its name).
absl::Status ReadIteration(const json::object& o, const JsonFields& r, Pending* pending) {
  ++pending->entries;
  bool error = false;
  VMB_ASSIGN_OR_RETURN(error, r.OptionalBool(o, "error_occurred", false));
  if (error) {
    // The times of a failed run are whatever GB had when it stopped; they are not samples.
    std::string message;
    VMB_ASSIGN_OR_RETURN(message, r.String(o, "error_message"));
    if (pending->result.status != BenchmarkStatus::kError) {
      pending->result.status = BenchmarkStatus::kError;
      pending->result.message = std::move(message);
    }
    return absl::OkStatus();
  }
  std::string unit;
  VMB_ASSIGN_OR_RETURN(unit, r.String(o, "time_unit"));
  const std::optional<double> ns_per_unit = NanosecondsPer(unit);
  if (!ns_per_unit.has_value()) {
    return r.Error("time_unit",
                   absl::StrCat("unknown time unit '", unit, "' (expected ns, us, ms or s)"));
  }
  Repetition repetition;
  VMB_ASSIGN_OR_RETURN(repetition.iterations, r.Int(o, "iterations", 1));
  double real = 0;
  double cpu = 0;
  VMB_ASSIGN_OR_RETURN(real, r.NonNegative(o, "real_time"));
  VMB_ASSIGN_OR_RETURN(cpu, r.NonNegative(o, "cpu_time"));
  repetition.real_time_ns = real * *ns_per_unit;
  repetition.cpu_time_ns = cpu * *ns_per_unit;
  if (!std::isfinite(repetition.real_time_ns) || !std::isfinite(repetition.cpu_time_ns)) {
    return r.ErrorHere("time out of range once converted to nanoseconds");
  }
  pending->result.repetitions.push_back(repetition);

  std::optional<double> bytes_rate;
  std::optional<double> items_rate;
  VMB_ASSIGN_OR_RETURN(bytes_rate, OptionalRate(o, "bytes_per_second", r));
  VMB_ASSIGN_OR_RETURN(items_rate, OptionalRate(o, "items_per_second", r));
  const double seconds_per_iteration =
      (pending->rates_use_real_time ? repetition.real_time_ns : repetition.cpu_time_ns) * 1e-9;
  FoldAmount(bytes_rate, seconds_per_iteration, &pending->bytes, &pending->bytes_consistent);
  FoldAmount(items_rate, seconds_per_iteration, &pending->items, &pending->items_consistent);
  return absl::OkStatus();
}

Throughput DerivedThroughput(const Pending& pending) {
  if (pending.result.repetitions.empty()) return {};
  if (pending.bytes_consistent && pending.bytes.has_value()) {
    return {.kind = Throughput::Kind::kBytes, .per_iteration = *pending.bytes};
  }
  if (pending.items_consistent && pending.items.has_value()) {
    return {.kind = Throughput::Kind::kElements, .per_iteration = *pending.items};
  }
  return {};
}

}  // namespace

absl::StatusOr<RunResult> ImportGoogleBenchmarkJson(absl::string_view text,
                                                    absl::string_view source) {
  json::value document;
  VMB_ASSIGN_OR_RETURN(document, ParseJsonDocument(ReplaceNonFiniteWords(text), source));
  const JsonFields r(source, "");
  if (!document.is_object()) return r.ErrorHere("expected a JSON object");
  const json::object& root = document.get_object();

  const json::object* context_object = nullptr;
  VMB_ASSIGN_OR_RETURN(context_object, r.Object(root, "context"));
  FileContext context;
  VMB_ASSIGN_OR_RETURN(context, ReadContext(*context_object, r.Child("context")));

  const json::array* entries = nullptr;
  VMB_ASSIGN_OR_RETURN(entries, r.Array(root, "benchmarks"));
  const JsonFields er = r.Child("benchmarks");
  std::vector<Pending> pending;
  std::unordered_map<std::string, std::size_t> by_name;  // run name -> index in `pending`
  std::unordered_map<std::string, std::size_t> by_id;    // id -> index in `pending`
  for (std::size_t i = 0; i < entries->size(); ++i) {
    const json::object* entry = nullptr;
    VMB_ASSIGN_OR_RETURN(entry, er.ElementObject(*entries, i));
    const JsonFields br = er.Index(i);
    std::string run_type;
    VMB_ASSIGN_OR_RETURN(run_type, br.String(*entry, "run_type"));
    if (run_type == "aggregate") continue;
    if (run_type != "iteration") {
      return br.Error("run_type", absl::StrCat("unknown run type '", run_type,
                                               "' (expected iteration or aggregate)"));
    }
    // run_name is the name without an aggregate's suffix; for an iteration it equals name.
    std::optional<std::string> run_name;
    VMB_ASSIGN_OR_RETURN(run_name, br.OptionalString(*entry, "run_name"));
    const char* name_field = "run_name";
    if (!run_name.has_value()) {
      name_field = "name";
      VMB_ASSIGN_OR_RETURN(run_name, br.String(*entry, "name"));
    }
    auto known = by_name.find(*run_name);
    if (known == by_name.end()) {
      const std::vector<absl::string_view> components = absl::StrSplit(*run_name, '/');
      std::vector<absl::string_view> kept;
      bool real_time = false;
      for (std::size_t c = 0; c < components.size(); ++c) {
        if (c > 0 && IsRunSetting(components[c])) continue;
        if (c > 0 && (components[c] == "real_time" || components[c] == "manual_time")) {
          real_time = true;
        }
        kept.push_back(components[c]);
      }
      Pending fresh;
      fresh.run_name = *run_name;
      fresh.rates_use_real_time = real_time;
      VMB_ASSIGN_OR_RETURN(fresh.result.id, SplitName(absl::StrJoin(kept, "/"), name_field, br));
      fresh.result.suite = context.suite;
      const std::string id = fresh.result.id.ToString();
      if (auto clash = by_id.find(id); clash != by_id.end()) {
        return br.Error(name_field,
                        absl::StrCat("'", *run_name, "' and '", pending[clash->second].run_name,
                                     "' both import as id '", id, "'"));
      }
      by_id.emplace(id, pending.size());
      known = by_name.emplace(*run_name, pending.size()).first;
      pending.push_back(std::move(fresh));
    }
    VMB_RETURN_IF_ERROR(ReadIteration(*entry, br, &pending[known->second]));
  }
  if (pending.empty()) {
    // --benchmark_report_aggregates_only writes nothing else, and vmbench needs the samples.
    return er.ErrorHere(
        "no benchmark runs (entries with run_type \"iteration\"; "
        "--benchmark_report_aggregates_only leaves them out)");
  }

  int repetitions = 0;
  RunResult result;
  for (Pending& p : pending) {
    repetitions = std::max(repetitions, p.entries);
    p.result.throughput = DerivedThroughput(p);
    p.result.summary = Summarize(p.result.repetitions);
    result.benchmarks.push_back(std::move(p.result));
  }
  result.context = import_internal::ImportedContext(kGoogleBenchmarkImportMarker, context.host,
                                                    std::move(context.timestamp), repetitions);
  return result;
}

absl::StatusOr<RunResult> ImportGoogleBenchmark(const std::string& path) {
  std::string text;
  VMB_ASSIGN_OR_RETURN(text, import_internal::ReadTextFile(path, "Google Benchmark output"));
  return ImportGoogleBenchmarkJson(text, path);
}

}  // namespace vmbench
