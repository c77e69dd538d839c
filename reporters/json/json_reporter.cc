// The `json` reporter: the versioned result file (docs/result-schema.md), one run per file.

#include <ostream>

#include "absl/strings/str_cat.h"
#include "vmbench/plugin/reporter.h"
#include "vmbench/plugin/result_file.h"

namespace vmbench {
namespace {

class JsonReporter final : public Reporter {
 public:
  absl::string_view FileExtension() const noexcept override { return "json"; }

  absl::Status Write(const Report& report, std::ostream& out) noexcept override {
    if (report.platforms.size() != 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          "json: a result file holds exactly one run, this report has ", report.platforms.size()));
    }
    try {
      out << ResultToJson(report.platforms.front().run);
      out.flush();
      if (!out) return absl::DataLossError("json: writing the result file failed");
      return absl::OkStatus();
    } catch (const std::exception& e) {
      return absl::InternalError(absl::StrCat("json: ", e.what()));
    }
  }
};

}  // namespace
}  // namespace vmbench

VMBENCH_PLUGIN(vmbench::JsonReporter, "json", "0.1.0",
               "The versioned JSON result file that compare, report and --baseline read");
