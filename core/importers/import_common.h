// Shared by the importers (internal to vmbench_importers): reading an untrusted JSON file field by
// field with errors that name the file and the JSON path, RFC 3339 timestamps, and the context
// every imported run gets.
//
// Not part of the importers' API: the CLI includes google_benchmark_importer.h and
// criterion_importer.h only.

#ifndef VMBENCH_CORE_IMPORTERS_IMPORT_COMMON_H_
#define VMBENCH_CORE_IMPORTERS_IMPORT_COMMON_H_

#include <boost/json.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "vmbench/plugin/results.h"

namespace vmbench::import_internal {

// Reads the whole file at `path`. `what` describes it for the error ("Google Benchmark output"):
// a file that cannot be opened is NotFound naming the path, `what` and the system's reason.
absl::StatusOr<std::string> ReadTextFile(const std::string& path, absl::string_view what);

// Typed access to the fields of one JSON object in an untrusted file. Every error is
// InvalidArgument with the message "<file>: <path>: <problem>", where path is the JSON path of the
// field, e.g. "benchmarks[3].real_time". A reader is a cheap value; it refers to `file`, which must
// outlive it.
class JsonFields {
 public:
  // A reader for the object at JSON path `path` ("" for the document root) of `file`.
  JsonFields(absl::string_view file, std::string path);

  // The error for `field` of this object.
  absl::Status Error(absl::string_view field, absl::string_view problem) const;
  // The error for this object (or array) itself.
  absl::Status ErrorHere(absl::string_view problem) const;

  // A reader for the object in `field` of this object.
  JsonFields Child(absl::string_view field) const;
  // A reader for element `i` of this array.
  JsonFields Index(std::size_t i) const;

  // The value of `field`, or nullptr when the object has no such field.
  static const boost::json::value* Find(const boost::json::object& o, absl::string_view field);

  // The value of a required field; "missing field" when absent.
  absl::StatusOr<const boost::json::value*> Get(const boost::json::object& o,
                                                absl::string_view field) const;

  // A required string.
  absl::StatusOr<std::string> String(const boost::json::object& o, absl::string_view field) const;
  // A string that may be absent or null (std::nullopt then).
  absl::StatusOr<std::optional<std::string>> OptionalString(const boost::json::object& o,
                                                            absl::string_view field) const;
  // A required integer of at least `min`.
  absl::StatusOr<std::int64_t> Int(const boost::json::object& o, absl::string_view field,
                                   std::int64_t min) const;
  // A required non-negative integer.
  absl::StatusOr<std::uint64_t> UInt(const boost::json::object& o, absl::string_view field) const;
  // A required finite, non-negative number (integer or floating point).
  absl::StatusOr<double> NonNegative(const boost::json::object& o, absl::string_view field) const;
  // A boolean that may be absent (`fallback` then).
  absl::StatusOr<bool> OptionalBool(const boost::json::object& o, absl::string_view field,
                                    bool fallback) const;
  // A required object.
  absl::StatusOr<const boost::json::object*> Object(const boost::json::object& o,
                                                    absl::string_view field) const;
  // A required array.
  absl::StatusOr<const boost::json::array*> Array(const boost::json::object& o,
                                                  absl::string_view field) const;
  // Element `i` of the array this reader stands for, which must be an object.
  absl::StatusOr<const boost::json::object*> ElementObject(const boost::json::array& a,
                                                           std::size_t i) const;
  // Element `i` of the array this reader stands for, which must be a finite, non-negative number.
  absl::StatusOr<double> ElementNonNegative(const boost::json::array& a, std::size_t i) const;

  // The JSON path this reader stands for.
  const std::string& path() const { return path_; }

 private:
  std::string Join(absl::string_view field) const;

  absl::string_view file_;
  std::string path_;
};

// Formats `time` as RFC 3339 UTC to the second: "2026-11-25T12:00:00Z".
std::string FormatTimestamp(std::chrono::sys_seconds time);

// Parses an RFC 3339 date-time with an explicit offset ("2026-11-25T13:00:00+01:00", "...Z";
// fractional seconds are accepted and dropped). std::nullopt when `text` is not of that form or
// names an impossible date.
std::optional<std::chrono::sys_seconds> ParseTimestamp(absl::string_view text);

// The context of an imported run: this vmbench's version, the importer's marker as build type
// (e.g. "imported:criterion"), no hypervisor, `host` and the fingerprint computed from it, and
// the other fields from the arguments. The git revision is empty: the measured code is another
// project's, whose revision the harness does not record.
RunContext ImportedContext(absl::string_view marker, const HostInfo& host, std::string timestamp,
                           int repetitions);

}  // namespace vmbench::import_internal

#endif  // VMBENCH_CORE_IMPORTERS_IMPORT_COMMON_H_
