// The JSON result file (docs/result-schema.md), with Boost.JSON.
//
// Reading treats the file as untrusted: every field is type-checked and range-checked, and an
// error names the file and the JSON path of the field (`benchmarks[3].repetitions[0].iterations`).
// Derived values (the id string, the summary) are recomputed from the samples, never trusted.

#include "vmbench/plugin/result_file.h"

#include <boost/json.hpp>
#include <boost/json/basic_parser_impl.hpp>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "vmbench/plugin/json_fields.h"
#include "vmbench/plugin/status_macros.h"

namespace vmbench {
namespace {

namespace json = boost::json;

// Boost.JSON 1.81's parse does not always round a decimal to the nearest double (its fast path
// can be one ulp off: "22.306861893535178" reads as 22.306861893535174), so a result file would
// not read back bit for bit. This handler builds the same DOM as json::parse but re-reads every
// number that has a fraction or exponent from its own text with std::from_chars, which is
// correctly rounded.
class ExactNumberHandler {
 public:
  static constexpr std::size_t max_array_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_object_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_string_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_key_size = static_cast<std::size_t>(-1);

  json::value_stack stack;

  bool on_document_begin(boost::system::error_code&) {
    stack.reset();
    return true;
  }
  bool on_document_end(boost::system::error_code&) { return true; }
  bool on_array_begin(boost::system::error_code&) { return true; }
  bool on_array_end(std::size_t n, boost::system::error_code&) {
    stack.push_array(n);
    return true;
  }
  bool on_object_begin(boost::system::error_code&) { return true; }
  bool on_object_end(std::size_t n, boost::system::error_code&) {
    stack.push_object(n);
    return true;
  }
  bool on_string_part(json::string_view s, std::size_t, boost::system::error_code&) {
    stack.push_chars(s);
    return true;
  }
  bool on_string(json::string_view s, std::size_t, boost::system::error_code&) {
    stack.push_string(s);
    return true;
  }
  bool on_key_part(json::string_view s, std::size_t, boost::system::error_code&) {
    stack.push_chars(s);
    return true;
  }
  bool on_key(json::string_view s, std::size_t, boost::system::error_code&) {
    stack.push_key(s);
    return true;
  }
  bool on_number_part(json::string_view s, boost::system::error_code&) {
    number_.append(s.data(), s.size());
    return true;
  }
  bool on_int64(std::int64_t i, json::string_view, boost::system::error_code&) {
    number_.clear();
    stack.push_int64(i);
    return true;
  }
  bool on_uint64(std::uint64_t u, json::string_view, boost::system::error_code&) {
    number_.clear();
    stack.push_uint64(u);
    return true;
  }
  bool on_double(double d, json::string_view s, boost::system::error_code&) {
    number_.append(s.data(), s.size());
    double exact = 0;
    const std::from_chars_result r =
        std::from_chars(number_.data(), number_.data() + number_.size(), exact);
    // Out of range (1e999) keeps Boost's value, which is what json::parse would have given.
    stack.push_double(r.ec == std::errc() ? exact : d);
    number_.clear();
    return true;
  }
  bool on_bool(bool b, boost::system::error_code&) {
    stack.push_bool(b);
    return true;
  }
  bool on_null(boost::system::error_code&) {
    stack.push_null();
    return true;
  }
  bool on_comment_part(json::string_view, boost::system::error_code&) { return true; }
  bool on_comment(json::string_view, boost::system::error_code&) { return true; }

 private:
  std::string number_;  // the text of the number being read, which may arrive in parts
};

// Parses a whole document with exactly rounded numbers.
json::value ParseExact(absl::string_view text, boost::system::error_code& ec) {
  json::basic_parser<ExactNumberHandler> parser(json::parse_options{});
  const std::size_t used = parser.write_some(false, text.data(), text.size(), ec);
  if (ec) return nullptr;
  if (used != text.size()) {
    ec = json::error::extra_data;
    return nullptr;
  }
  return parser.handler().stack.release();
}

json::object HostToJson(const HostInfo& host) {
  return {
      {"os", host.os},
      {"kernel", host.kernel},
      {"arch", host.arch},
      {"cpu_model", host.cpu_model},
      {"cpu_vendor", host.cpu_vendor},
      {"logical_cpus", host.logical_cpus},
      {"physical_cores", host.physical_cores},
      {"memory_bytes", host.memory_bytes},
  };
}

json::object ContextToJson(const RunContext& context) {
  return {
      {"vmbench_version", context.vmbench_version},
      {"git_revision", context.git_revision},
      {"timestamp", context.timestamp},
      {"build_type", context.build_type},
      {"host", HostToJson(context.host)},
      {"hypervisor", context.hypervisor},
      {"hypervisor_version", context.hypervisor_version},
      {"machine_fingerprint", context.machine_fingerprint},
      {"repetitions", context.repetitions},
      {"min_time_s", context.min_time_s},
      {"incomplete", context.incomplete},
  };
}

json::object BenchmarkToJson(const BenchmarkResult& b) {
  json::array repetitions;
  for (const Repetition& r : b.repetitions) {
    repetitions.push_back(json::object{{"iterations", r.iterations},
                                       {"real_time_ns", r.real_time_ns},
                                       {"cpu_time_ns", r.cpu_time_ns}});
  }
  return {
      {"id", b.id.ToString()},
      {"group", b.id.group},
      {"function", b.id.function},
      {"param", b.id.param},
      {"suite", b.suite},
      {"unit", b.unit},
      {"throughput", json::object{{"kind", std::string(ThroughputKindName(b.throughput.kind))},
                                  {"per_iteration", b.throughput.per_iteration}}},
      {"status", std::string(BenchmarkStatusName(b.status))},
      {"message", b.message},
      {"repetitions", std::move(repetitions)},
      {"summary", json::object{{"median_ns", b.summary.median_ns},
                               {"mean_ns", b.summary.mean_ns},
                               {"stddev_ns", b.summary.stddev_ns},
                               {"min_ns", b.summary.min_ns},
                               {"max_ns", b.summary.max_ns},
                               {"mad_ns", b.summary.mad_ns},
                               {"cv", b.summary.cv},
                               {"median_lower_ns", b.summary.median_lower_ns},
                               {"median_upper_ns", b.summary.median_upper_ns}}},
  };
}

// The shortest text that reads back as the same double ("12.5", not Boost's "1.25E1"), with ".0"
// added to whole numbers so readers see a floating-point field. Non-finite values never reach
// here: the result model holds only finite times.
std::string FormatDouble(double value) {
  char text[64];
  const std::to_chars_result end = std::to_chars(text, text + sizeof(text), value);
  std::string formatted(text, end.ptr);
  if (formatted.find_first_of(".e") == std::string::npos) formatted += ".0";
  return formatted;
}

// Pretty-prints with two-space indentation; Boost.JSON 1.81 has only the compact serializer.
void Pretty(std::ostream& os, const json::value& v, int indent) {
  const std::string pad(static_cast<std::size_t>(indent + 2), ' ');
  const std::string close_pad(static_cast<std::size_t>(indent), ' ');
  if (v.is_object() && !v.get_object().empty()) {
    os << "{\n";
    bool first = true;
    for (const auto& [key, value] : v.get_object()) {
      os << (first ? "" : ",\n") << pad << json::serialize(json::string(key)) << ": ";
      Pretty(os, value, indent + 2);
      first = false;
    }
    os << "\n" << close_pad << "}";
  } else if (v.is_array() && !v.get_array().empty()) {
    os << "[\n";
    bool first = true;
    for (const json::value& value : v.get_array()) {
      os << (first ? "" : ",\n") << pad;
      Pretty(os, value, indent + 2);
      first = false;
    }
    os << "\n" << close_pad << "]";
  } else if (v.is_double()) {
    os << FormatDouble(v.get_double());
  } else {
    os << json::serialize(v);
  }
}

absl::StatusOr<HostInfo> HostFromJson(const json::object& o, const JsonFields& r) {
  HostInfo host;
  VMB_ASSIGN_OR_RETURN(host.os, r.String(o, "os"));
  VMB_ASSIGN_OR_RETURN(host.kernel, r.String(o, "kernel"));
  VMB_ASSIGN_OR_RETURN(host.arch, r.String(o, "arch"));
  VMB_ASSIGN_OR_RETURN(host.cpu_model, r.String(o, "cpu_model"));
  VMB_ASSIGN_OR_RETURN(host.cpu_vendor, r.String(o, "cpu_vendor"));
  std::int64_t logical = 0;
  std::int64_t physical = 0;
  VMB_ASSIGN_OR_RETURN(logical, r.Int(o, "logical_cpus", 0));
  VMB_ASSIGN_OR_RETURN(physical, r.Int(o, "physical_cores", 0));
  if (logical > INT32_MAX || physical > INT32_MAX) {
    return r.Error("logical_cpus", "out of range");
  }
  host.logical_cpus = static_cast<int>(logical);
  host.physical_cores = static_cast<int>(physical);
  VMB_ASSIGN_OR_RETURN(host.memory_bytes, r.UInt(o, "memory_bytes"));
  return host;
}

absl::StatusOr<RunContext> ContextFromJson(const json::object& o, const JsonFields& r) {
  RunContext c;
  VMB_ASSIGN_OR_RETURN(c.vmbench_version, r.String(o, "vmbench_version"));
  VMB_ASSIGN_OR_RETURN(c.git_revision, r.String(o, "git_revision"));
  VMB_ASSIGN_OR_RETURN(c.timestamp, r.String(o, "timestamp"));
  VMB_ASSIGN_OR_RETURN(c.build_type, r.String(o, "build_type"));
  const json::object* host = nullptr;
  VMB_ASSIGN_OR_RETURN(host, r.Object(o, "host"));
  VMB_ASSIGN_OR_RETURN(c.host, HostFromJson(*host, r.Child("host")));
  VMB_ASSIGN_OR_RETURN(c.hypervisor, r.String(o, "hypervisor"));
  VMB_ASSIGN_OR_RETURN(c.hypervisor_version, r.String(o, "hypervisor_version"));
  VMB_ASSIGN_OR_RETURN(c.machine_fingerprint, r.String(o, "machine_fingerprint"));
  std::int64_t repetitions = 0;
  VMB_ASSIGN_OR_RETURN(repetitions, r.Int(o, "repetitions", 0));
  if (repetitions > INT32_MAX) return r.Error("repetitions", "out of range");
  c.repetitions = static_cast<int>(repetitions);
  VMB_ASSIGN_OR_RETURN(c.min_time_s, r.NonNegative(o, "min_time_s"));
  VMB_ASSIGN_OR_RETURN(c.incomplete, r.Bool(o, "incomplete"));
  return c;
}

absl::StatusOr<Throughput> ThroughputFromJson(const json::object& o, const JsonFields& r) {
  Throughput t;
  std::string kind;
  VMB_ASSIGN_OR_RETURN(kind, r.String(o, "kind"));
  if (kind == "none") {
    t.kind = Throughput::Kind::kNone;
  } else if (kind == "bytes") {
    t.kind = Throughput::Kind::kBytes;
  } else if (kind == "elements") {
    t.kind = Throughput::Kind::kElements;
  } else {
    return r.Error("kind", absl::StrCat("unknown throughput kind '", kind,
                                        "' (expected none, bytes or elements)"));
  }
  VMB_ASSIGN_OR_RETURN(t.per_iteration, r.UInt(o, "per_iteration"));
  return t;
}

absl::StatusOr<BenchmarkResult> BenchmarkFromJson(const json::object& o, const JsonFields& r) {
  BenchmarkResult b;
  std::string id;
  VMB_ASSIGN_OR_RETURN(id, r.String(o, "id"));
  VMB_ASSIGN_OR_RETURN(b.id.group, r.String(o, "group"));
  VMB_ASSIGN_OR_RETURN(b.id.function, r.String(o, "function"));
  VMB_ASSIGN_OR_RETURN(b.id.param, r.String(o, "param"));
  if (b.id.group.empty()) return r.Error("group", "must not be empty");
  if (id != b.id.ToString()) {
    return r.Error("id", absl::StrCat("'", id, "' does not match group/function/param '",
                                      b.id.ToString(), "'"));
  }
  VMB_ASSIGN_OR_RETURN(b.suite, r.String(o, "suite"));
  VMB_ASSIGN_OR_RETURN(b.unit, r.String(o, "unit"));
  const json::object* throughput = nullptr;
  VMB_ASSIGN_OR_RETURN(throughput, r.Object(o, "throughput"));
  VMB_ASSIGN_OR_RETURN(b.throughput, ThroughputFromJson(*throughput, r.Child("throughput")));
  std::string status;
  VMB_ASSIGN_OR_RETURN(status, r.String(o, "status"));
  if (status == "ok") {
    b.status = BenchmarkStatus::kOk;
  } else if (status == "error") {
    b.status = BenchmarkStatus::kError;
  } else if (status == "skipped") {
    b.status = BenchmarkStatus::kSkipped;
  } else {
    return r.Error("status",
                   absl::StrCat("unknown status '", status, "' (expected ok, error or skipped)"));
  }
  VMB_ASSIGN_OR_RETURN(b.message, r.String(o, "message"));
  const json::array* repetitions = nullptr;
  VMB_ASSIGN_OR_RETURN(repetitions, r.Array(o, "repetitions"));
  const JsonFields reps = r.Child("repetitions");
  for (std::size_t i = 0; i < repetitions->size(); ++i) {
    const json::object* rep = nullptr;
    VMB_ASSIGN_OR_RETURN(rep, reps.ElementObject(*repetitions, i));
    const JsonFields rr = reps.Index(i);
    Repetition repetition;
    VMB_ASSIGN_OR_RETURN(repetition.iterations, rr.Int(*rep, "iterations", 1));
    VMB_ASSIGN_OR_RETURN(repetition.real_time_ns, rr.NonNegative(*rep, "real_time_ns"));
    VMB_ASSIGN_OR_RETURN(repetition.cpu_time_ns, rr.NonNegative(*rep, "cpu_time_ns"));
    b.repetitions.push_back(repetition);
  }
  if (b.status == BenchmarkStatus::kOk && b.repetitions.empty()) {
    return r.Error("repetitions", "an ok benchmark needs at least one repetition");
  }
  b.summary = Summarize(b.repetitions);
  return b;
}

}  // namespace

std::string ResultToJson(const RunResult& result) {
  json::array benchmarks;
  for (const BenchmarkResult& b : result.benchmarks) benchmarks.push_back(BenchmarkToJson(b));
  const json::value document = json::object{
      {"schema_version", kResultSchemaVersion},
      {"context", ContextToJson(result.context)},
      {"benchmarks", std::move(benchmarks)},
  };
  std::ostringstream os;
  Pretty(os, document, 0);
  os << "\n";
  return os.str();
}

absl::StatusOr<json::value> ParseJsonDocument(absl::string_view text, absl::string_view source) {
  boost::system::error_code ec;
  json::value document = ParseExact(text, ec);
  if (ec) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": not a JSON document: ", ec.message()));
  }
  return document;
}

absl::StatusOr<RunResult> ResultFromJson(absl::string_view text, absl::string_view source) {
  VMB_ASSIGN_OR_RETURN(const json::value document, ParseJsonDocument(text, source));
  if (!document.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": expected a JSON object"));
  }
  const json::object& root = document.get_object();
  const JsonFields r(source, "");
  std::int64_t version = 0;
  VMB_ASSIGN_OR_RETURN(version, r.Int(root, "schema_version", 0));
  if (version != kResultSchemaVersion) {
    return r.Error("schema_version",
                   absl::StrCat("unsupported version ", version, " (this vmbench reads version ",
                                kResultSchemaVersion, ")"));
  }
  RunResult result;
  const json::object* context = nullptr;
  VMB_ASSIGN_OR_RETURN(context, r.Object(root, "context"));
  VMB_ASSIGN_OR_RETURN(result.context, ContextFromJson(*context, r.Child("context")));
  const json::array* benchmarks = nullptr;
  VMB_ASSIGN_OR_RETURN(benchmarks, r.Array(root, "benchmarks"));
  const JsonFields br = r.Child("benchmarks");
  for (std::size_t i = 0; i < benchmarks->size(); ++i) {
    const json::object* b = nullptr;
    VMB_ASSIGN_OR_RETURN(b, br.ElementObject(*benchmarks, i));
    BenchmarkResult benchmark;
    VMB_ASSIGN_OR_RETURN(benchmark, BenchmarkFromJson(*b, br.Index(i)));
    if (result.Find(benchmark.id.ToString()) != nullptr) {
      return br.Index(i).Error(
          "id", absl::StrCat("duplicate benchmark id '", benchmark.id.ToString(), "'"));
    }
    result.benchmarks.push_back(std::move(benchmark));
  }
  return result;
}

absl::StatusOr<RunResult> ReadResultFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat(path, ": cannot open result file: ", std::strerror(errno)));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return ResultFromJson(text.str(), path);
}

}  // namespace vmbench
