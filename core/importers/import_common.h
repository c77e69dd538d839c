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
#include "vmbench/plugin/json_fields.h"
#include "vmbench/plugin/results.h"

namespace vmbench::import_internal {

using ::vmbench::JsonFields;

// Reads the whole file at `path`. `what` describes it for the error ("Google Benchmark output"):
// a file that cannot be opened is NotFound naming the path, `what` and the system's reason.
absl::StatusOr<std::string> ReadTextFile(const std::string& path, absl::string_view what);

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
