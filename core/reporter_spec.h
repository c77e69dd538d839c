// `--reporter NAME[:key=value,...]`: which reporters a command runs and where their output goes.
//
// The key `out` is the host's: the path of the file the reporter writes (atomically); without it
// the reporter writes to standard output. Every other key is passed to the reporter's Configure.

#ifndef VMBENCH_CORE_REPORTER_SPEC_H_
#define VMBENCH_CORE_REPORTER_SPEC_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "registry.h"
#include "vmbench/plugin/reporter.h"
#include "vmbench/plugin/results.h"

namespace vmbench {

struct ReporterSpec {
  std::string name;
  std::string out;  // empty: standard output
  ReporterOptions options;
};

// Parses one --reporter value. InvalidArgument names the value and what is wrong with it.
absl::StatusOr<ReporterSpec> ParseReporterSpec(absl::string_view text);

// Checks every spec before anything is measured: the reporter exists, accepts its options, and no
// two specs write to standard output or to the same file.
absl::Status ValidateReporterSpecs(const Registry& registry,
                                   const std::vector<ReporterSpec>& specs);

// Runs each reporter over `report`. A reporter that fails does not stop the others; the first error
// is returned after all have run. `written` receives the files written.
absl::Status EmitReports(const Registry& registry, const std::vector<ReporterSpec>& specs,
                         const Report& report, std::vector<std::string>* written);

}  // namespace vmbench

#endif  // VMBENCH_CORE_REPORTER_SPEC_H_
