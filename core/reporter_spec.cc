#include "reporter_spec.h"

#include <iostream>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "output.h"
#include "vmbench/plugin/status_macros.h"

namespace vmbench {
namespace {

absl::StatusOr<std::shared_ptr<Reporter>> Prepare(const Registry& registry,
                                                  const ReporterSpec& spec) {
  VMB_ASSIGN_OR_RETURN(std::shared_ptr<Reporter> reporter, registry.CreateReporter(spec.name));
  if (absl::Status status = reporter->Configure(spec.options); !status.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--reporter ", spec.name, ": ", status.message()));
  }
  return reporter;
}

}  // namespace

absl::StatusOr<ReporterSpec> ParseReporterSpec(absl::string_view text) {
  ReporterSpec spec;
  const std::size_t colon = text.find(':');
  spec.name = std::string(text.substr(0, colon));
  if (spec.name.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--reporter '", text, "': expected NAME[:key=value,...]"));
  }
  if (colon == absl::string_view::npos) return spec;
  for (absl::string_view option : absl::StrSplit(text.substr(colon + 1), ',')) {
    const std::size_t equals = option.find('=');
    if (equals == absl::string_view::npos || equals == 0) {
      return absl::InvalidArgumentError(absl::StrCat("--reporter '", text, "': option '", option,
                                                     "' is not of the form key=value"));
    }
    std::string key(option.substr(0, equals));
    std::string value(option.substr(equals + 1));
    if (key == "out") {
      if (value.empty()) {
        return absl::InvalidArgumentError(absl::StrCat("--reporter '", text, "': out= is empty"));
      }
      spec.out = std::move(value);
    } else if (!spec.options.emplace(std::move(key), std::move(value)).second) {
      return absl::InvalidArgumentError(absl::StrCat("--reporter '", text, "': option '",
                                                     option.substr(0, equals), "' is given twice"));
    }
  }
  return spec;
}

absl::Status ValidateReporterSpecs(const Registry& registry,
                                   const std::vector<ReporterSpec>& specs) {
  std::set<std::string> destinations;
  for (const ReporterSpec& spec : specs) {
    VMB_RETURN_IF_ERROR(Prepare(registry, spec).status());
    const std::string destination = spec.out.empty() ? "standard output" : spec.out;
    if (!destinations.insert(destination).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("two reporters write to ", destination, "; give each its own out=PATH"));
    }
  }
  return absl::OkStatus();
}

absl::Status EmitReports(const Registry& registry, const std::vector<ReporterSpec>& specs,
                         const Report& report, std::vector<std::string>* written) {
  absl::Status first_error;
  for (const ReporterSpec& spec : specs) {
    absl::StatusOr<std::shared_ptr<Reporter>> reporter = Prepare(registry, spec);
    absl::Status status = reporter.status();
    std::ostringstream text;
    if (status.ok()) status = (*reporter)->Write(report, text);
    if (status.ok()) {
      if (spec.out.empty()) {
        std::cout << text.str() << std::flush;
      } else {
        status = WriteFileAtomically(spec.out, text.str());
        if (status.ok()) written->push_back(spec.out);
      }
    }
    if (!status.ok() && first_error.ok()) {
      first_error = absl::Status(status.code(),
                                 absl::StrCat("reporter '", spec.name, "': ", status.message()));
    }
  }
  return first_error;
}

}  // namespace vmbench
