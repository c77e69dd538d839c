// vmbench plugin SDK: the JSON result file.
//
// The serialized form of a RunResult (documented in docs/result-schema.md). The file is versioned
// by `schema_version`; reading a file written by another schema version, or any malformed file,
// is an InvalidArgument status that names the file and the field at fault. Writing then reading
// gives back an equal RunResult.

#ifndef VMBENCH_PLUGIN_RESULT_FILE_H_
#define VMBENCH_PLUGIN_RESULT_FILE_H_

#include <boost/json/value.hpp>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "vmbench/plugin/results.h"

namespace vmbench {

// The schema version this build writes and reads.
inline constexpr int kResultSchemaVersion = 1;

// Serializes `result` as a pretty-printed JSON document ending in a newline.
std::string ResultToJson(const RunResult& result);

// Parses a result document. `source` names where it came from (a path) for error messages.
absl::StatusOr<RunResult> ResultFromJson(absl::string_view json, absl::string_view source);

// Parses one JSON document like boost::json::parse, except that every number with a fraction or
// an exponent is read from its text with std::from_chars, which is correctly rounded (Boost.JSON
// 1.81's parser can be one unit in the last place off, so times would change on a round trip).
// Anything but one document is InvalidArgument: "<source>: not a JSON document: <reason>".
// Callers that use the value link Boost::json.
absl::StatusOr<boost::json::value> ParseJsonDocument(absl::string_view text,
                                                     absl::string_view source);

// Reads and parses the result file at `path`.
absl::StatusOr<RunResult> ReadResultFile(const std::string& path);

}  // namespace vmbench

#endif  // VMBENCH_PLUGIN_RESULT_FILE_H_
