// vmbench plugin SDK: reporters.
//
// A reporter turns a Report into a document on a stream it is given: a console table, a JSON
// result file, a markdown PR comment, JUnit XML. Reporters are functions of data, so they are
// tested with an std::ostringstream and golden files. The host opens the stream: standard output,
// or the file named by the `out=` option of `--reporter NAME:out=PATH` (written atomically).

#ifndef VMBENCH_PLUGIN_REPORTER_H_
#define VMBENCH_PLUGIN_REPORTER_H_

#include <map>
#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "vmbench/plugin/plugin.h"
#include "vmbench/plugin/results.h"

namespace vmbench {

// Options given as `--reporter NAME:key=value,key=value`, without `out`, which the host handles.
using ReporterOptions = std::map<std::string, std::string>;

// A reporter. Created once per `--reporter` flag by the plugin's factory.
class Reporter : public Plugin {
 public:
  ~Reporter() override;

  // Accepts the reporter's options before Write is called. An unknown key or a bad value is
  // InvalidArgument naming the key. The default accepts no options.
  virtual absl::Status Configure(const ReporterOptions& options) noexcept;

  // The file name extension (without the dot) used when the host picks a file name itself.
  virtual absl::string_view FileExtension() const noexcept = 0;

  // Writes the report. Called once. Must not throw.
  virtual absl::Status Write(const Report& report, std::ostream& out) noexcept = 0;
};

}  // namespace vmbench

#endif  // VMBENCH_PLUGIN_REPORTER_H_
