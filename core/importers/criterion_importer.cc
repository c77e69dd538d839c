// target/criterion -> RunResult. Only `new/` of each benchmark is read: it is the latest
// measurement, and baselines and change estimates are criterion's own comparison, which vmbench
// redoes from the samples.

#include "criterion_importer.h"

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "host_info.h"
#include "import_common.h"
#include "vmbench/plugin/result_file.h"
#include "vmbench/plugin/status_macros.h"

namespace vmbench {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using import_internal::JsonFields;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsBenchmarkDir(const fs::path& dir) {
  std::error_code ec;
  return fs::is_regular_file(dir / "new" / "benchmark.json", ec);
}

// Collects the benchmark directories under `dir`, each folder's children in name order so that
// the first error reported does not depend on the file system's listing order.
absl::Status Walk(const fs::path& dir, std::vector<fs::path>* found) {
  if (IsBenchmarkDir(dir)) {
    found->push_back(dir);
    return absl::OkStatus();
  }
  std::error_code ec;
  std::vector<fs::path> children;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    // Symbolic links are not followed: criterion writes none, and a link could make a cycle.
    if (it->is_symlink(ec) || !it->is_directory(ec)) continue;
    const std::string name = it->path().filename().string();
    if (name.empty() || name.front() == '.') continue;
    // criterion's HTML reports live in `report` folders; a benchmark that happens to be named
    // "report" still has its new/benchmark.json and is kept.
    if (name == "report" && !IsBenchmarkDir(it->path())) continue;
    children.push_back(it->path());
  }
  if (ec) {
    return absl::FailedPreconditionError(
        absl::StrCat(dir.string(), ": cannot read directory: ", ec.message()));
  }
  std::sort(children.begin(), children.end());
  for (const fs::path& child : children) VMB_RETURN_IF_ERROR(Walk(child, found));
  return absl::OkStatus();
}

absl::StatusOr<json::object> ReadJsonObject(const fs::path& path, absl::string_view what) {
  const std::string file = path.string();
  std::string text;
  VMB_ASSIGN_OR_RETURN(text, import_internal::ReadTextFile(file, what));
  json::value document;
  VMB_ASSIGN_OR_RETURN(document, ParseJsonDocument(text, file));
  if (!document.is_object()) return JsonFields(file, "").ErrorHere("expected a JSON object");
  return std::move(document.get_object());
}

// An optional id part: absent or null means "not given"; given, it must not be empty, or
// criterion's full_id would have an empty part that a vmbench id cannot represent.
absl::StatusOr<std::string> IdPart(const json::object& o, absl::string_view field,
                                   const JsonFields& r) {
  std::optional<std::string> part;
  VMB_ASSIGN_OR_RETURN(part, r.OptionalString(o, field));
  if (part.has_value() && part->empty()) return r.Error(field, "must not be empty (or null)");
  return part.value_or("");
}

// criterion serializes its Throughput enum the serde way, as {"Variant": value}.
absl::StatusOr<Throughput> ReadThroughput(const json::object& o, const JsonFields& r) {
  const json::value* v = JsonFields::Find(o, "throughput");
  if (v == nullptr || v->is_null()) return Throughput{};
  if (!v->is_object() || v->get_object().size() != 1) {
    return r.Error("throughput", "expected null or an object with one kind, e.g. {\"Bytes\": 64}");
  }
  const json::object& t = v->get_object();
  const JsonFields tr = r.Child("throughput");
  const std::string kind(t.begin()->key());
  Throughput throughput;
  if (kind == "Bytes" || kind == "BytesDecimal") {
    throughput.kind = Throughput::Kind::kBytes;
    VMB_ASSIGN_OR_RETURN(throughput.per_iteration, tr.UInt(t, kind));
  } else if (kind == "Elements") {
    throughput.kind = Throughput::Kind::kElements;
    VMB_ASSIGN_OR_RETURN(throughput.per_iteration, tr.UInt(t, kind));
  } else if (kind == "ElementsAndBytes") {
    // vmbench keeps one kind per benchmark; bytes, as the Google Benchmark importer prefers them.
    const json::object* both = nullptr;
    VMB_ASSIGN_OR_RETURN(both, tr.Object(t, kind));
    throughput.kind = Throughput::Kind::kBytes;
    VMB_ASSIGN_OR_RETURN(throughput.per_iteration, tr.Child(kind).UInt(*both, "bytes"));
  } else if (kind == "Bits") {
    // vmbench has no bits kind; the count is checked and the throughput left out.
    VMB_RETURN_IF_ERROR(tr.UInt(t, kind).status());
    return Throughput{};
  } else {
    return tr.Error(kind,
                    "unknown throughput kind (expected Bytes, BytesDecimal, Elements, "
                    "ElementsAndBytes or Bits)");
  }
  if (throughput.per_iteration == 0) return Throughput{};
  return throughput;
}

absl::StatusOr<BenchmarkResult> ReadBenchmarkJson(const fs::path& path) {
  json::object o;
  VMB_ASSIGN_OR_RETURN(o, ReadJsonObject(path, "criterion benchmark description"));
  const std::string file = path.string();
  const JsonFields r(file, "");
  BenchmarkResult b;
  b.suite = std::string(kCriterionSuiteName);
  VMB_ASSIGN_OR_RETURN(b.id.group, r.String(o, "group_id"));
  if (b.id.group.empty()) return r.Error("group_id", "must not be empty");
  VMB_ASSIGN_OR_RETURN(b.id.function, IdPart(o, "function_id", r));
  VMB_ASSIGN_OR_RETURN(b.id.param, IdPart(o, "value_str", r));
  // full_id is derived by criterion from the three parts; a mismatch means the file was edited
  // or written by a criterion that builds ids differently, and the id would silently change.
  std::optional<std::string> full_id;
  VMB_ASSIGN_OR_RETURN(full_id, r.OptionalString(o, "full_id"));
  if (full_id.has_value() && *full_id != b.id.ToString()) {
    return r.Error("full_id",
                   absl::StrCat("'", *full_id, "' does not match group_id/function_id/value_str '",
                                b.id.ToString(), "'"));
  }
  VMB_ASSIGN_OR_RETURN(b.throughput, ReadThroughput(o, r));
  return b;
}

absl::StatusOr<std::vector<Repetition>> ReadSamples(const fs::path& path) {
  json::object o;
  VMB_ASSIGN_OR_RETURN(o, ReadJsonObject(path, "criterion samples"));
  const std::string file = path.string();
  const JsonFields r(file, "");
  // The sampling mode (Linear, Flat) only says how iters was chosen; each sample stands alone.
  VMB_RETURN_IF_ERROR(r.OptionalString(o, "sampling_mode").status());
  const json::array* iters = nullptr;
  const json::array* times = nullptr;
  VMB_ASSIGN_OR_RETURN(iters, r.Array(o, "iters"));
  VMB_ASSIGN_OR_RETURN(times, r.Array(o, "times"));
  if (iters->empty()) return r.Error("iters", "no samples");
  if (times->size() != iters->size()) {
    return r.Error("times",
                   absl::StrCat("has ", times->size(), " entries but iters has ", iters->size()));
  }
  const JsonFields ir = r.Child("iters");
  const JsonFields tr = r.Child("times");
  std::vector<Repetition> samples;
  samples.reserve(iters->size());
  for (std::size_t i = 0; i < iters->size(); ++i) {
    // criterion writes iteration counts as floating-point numbers (38.0); they must still be
    // whole, and small enough to be exact in a double.
    const json::value& n = (*iters)[i];
    const double count = n.is_number() ? n.to_number<double>() : NAN;
    if (!std::isfinite(count) || count < 1 || count != std::floor(count) ||
        count > 9007199254740992.0) {
      return ir.Index(i).ErrorHere("expected a whole number of at least 1");
    }
    double total = 0;
    VMB_ASSIGN_OR_RETURN(total, tr.ElementNonNegative(*times, i));
    samples.push_back(Repetition{.iterations = static_cast<std::int64_t>(count),
                                 .real_time_ns = total / count,
                                 .cpu_time_ns = 0});
  }
  return samples;
}

// The modification time of `path`, or std::nullopt when it cannot be read.
std::optional<std::chrono::sys_seconds> ModificationTime(const fs::path& path) {
  std::error_code ec;
  const fs::file_time_type time = fs::last_write_time(path, ec);
  if (ec) return std::nullopt;
  return std::chrono::floor<std::chrono::seconds>(std::chrono::file_clock::to_sys(time));
}

}  // namespace

bool NaturalLess(absl::string_view a, absl::string_view b) {
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < a.size() && j < b.size()) {
    if (IsDigit(a[i]) && IsDigit(b[j])) {
      std::size_t a_end = i;
      std::size_t b_end = j;
      while (a_end < a.size() && IsDigit(a[a_end])) ++a_end;
      while (b_end < b.size() && IsDigit(b[b_end])) ++b_end;
      // Compare without leading zeros: first by length, then digit by digit, so that numbers of
      // any length compare correctly without converting them.
      absl::string_view x = a.substr(i, a_end - i);
      absl::string_view y = b.substr(j, b_end - j);
      while (x.size() > 1 && x.front() == '0') x.remove_prefix(1);
      while (y.size() > 1 && y.front() == '0') y.remove_prefix(1);
      if (x.size() != y.size()) return x.size() < y.size();
      if (x != y) return x < y;
      i = a_end;
      j = b_end;
      continue;
    }
    if (a[i] != b[j]) {
      return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[j]);
    }
    ++i;
    ++j;
  }
  if ((i < a.size()) != (j < b.size())) return j < b.size();
  // Equal as numbers ("x/08" and "x/8"): fall back to the bytes, so the order stays total.
  return a < b;
}

absl::StatusOr<RunResult> ImportCriterion(const std::string& dir) {
  const fs::path root(dir);
  std::error_code ec;
  const fs::file_status status = fs::status(root, ec);
  if (!fs::exists(status)) {
    return absl::NotFoundError(absl::StrCat(dir, ": no such directory"));
  }
  if (!fs::is_directory(status)) {
    return absl::InvalidArgumentError(
        absl::StrCat(dir, ": not a directory (expected criterion's target/criterion)"));
  }
  std::vector<fs::path> found;
  VMB_RETURN_IF_ERROR(Walk(root, &found));
  if (found.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        dir, ": no criterion benchmarks (no <benchmark>/new/benchmark.json below it)"));
  }

  RunResult result;
  std::map<std::string, fs::path> seen;  // id -> its benchmark.json
  std::optional<std::chrono::sys_seconds> oldest;
  int repetitions = 0;
  for (const fs::path& benchmark_dir : found) {
    const fs::path description = benchmark_dir / "new" / "benchmark.json";
    const fs::path samples = benchmark_dir / "new" / "sample.json";
    BenchmarkResult b;
    VMB_ASSIGN_OR_RETURN(b, ReadBenchmarkJson(description));
    const std::string id = b.id.ToString();
    if (auto [it, inserted] = seen.emplace(id, description); !inserted) {
      return absl::InvalidArgumentError(absl::StrCat(description.string(),
                                                     ": duplicate benchmark id '", id,
                                                     "' (also in ", it->second.string(), ")"));
    }
    VMB_ASSIGN_OR_RETURN(b.repetitions, ReadSamples(samples));
    b.summary = Summarize(b.repetitions);
    repetitions = std::max(repetitions, static_cast<int>(b.repetitions.size()));
    if (const std::optional<std::chrono::sys_seconds> time = ModificationTime(samples);
        time.has_value() && (!oldest.has_value() || *time < *oldest)) {
      oldest = time;
    }
    result.benchmarks.push_back(std::move(b));
  }
  std::sort(result.benchmarks.begin(), result.benchmarks.end(),
            [](const BenchmarkResult& a, const BenchmarkResult& b) {
              return NaturalLess(a.id.ToString(), b.id.ToString());
            });
  // criterion records no date in its files; the first sample file written is the closest thing
  // to the start of the run.
  std::string timestamp =
      oldest.has_value() ? import_internal::FormatTimestamp(*oldest) : CurrentTimestamp();
  result.context = import_internal::ImportedContext(kCriterionImportMarker, HostInfo{},
                                                    std::move(timestamp), repetitions);
  return result;
}

}  // namespace vmbench
