// Writing files so that a reader never sees half of one: the content goes to a temporary file in
// the same folder, which is flushed and then renamed over the destination.

#ifndef VMBENCH_CORE_OUTPUT_H_
#define VMBENCH_CORE_OUTPUT_H_

#include <filesystem>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace vmbench {

// Writes `content` to `path` atomically, creating missing parent folders. The error names the
// path and the cause.
absl::Status WriteFileAtomically(const std::filesystem::path& path, absl::string_view content);

}  // namespace vmbench

#endif  // VMBENCH_CORE_OUTPUT_H_
