#include "reporter_spec.h"

#include <catch2/catch.hpp>

#include "test_support.h"

namespace vmbench {
namespace {

TEST_CASE("reporter specs carry a name an output path and options", "[reporter_spec]") {
  absl::StatusOr<ReporterSpec> plain = ParseReporterSpec("console");
  REQUIRE(plain.ok());
  CHECK(plain->name == "console");
  CHECK(plain->out.empty());
  CHECK(plain->options.empty());

  absl::StatusOr<ReporterSpec> full = ParseReporterSpec("markdown:out=pr.md,title=kvm/amd");
  REQUIRE(full.ok());
  CHECK(full->name == "markdown");
  CHECK(full->out == "pr.md");
  CHECK(full->options == ReporterOptions{{"title", "kvm/amd"}});
}

TEST_CASE("malformed reporter specs are errors naming the problem", "[reporter_spec]") {
  CHECK(ParseReporterSpec(":out=x").status().message() ==
        "--reporter ':out=x': expected NAME[:key=value,...]");
  CHECK(ParseReporterSpec("json:out").status().message() ==
        "--reporter 'json:out': option 'out' is not of the form key=value");
  CHECK(ParseReporterSpec("json:out=").status().message() ==
        "--reporter 'json:out=': out= is empty");
  CHECK(ParseReporterSpec("json:a=1,a=2").status().message() ==
        "--reporter 'json:a=1,a=2': option 'a' is given twice");
}

TEST_CASE("reporter specs are validated against the registry", "[reporter_spec]") {
  std::vector<Rejection> rejections;
  const Registry registry = Registry::Build(
      ScanPlugins(PluginSearchPath{{vmbench::testing::PluginDir()}, "", {}}), &rejections);
  CHECK(ValidateReporterSpecs(registry, {{"console", "", {}}, {"json", "a.json", {}}}).ok());
  CHECK(ValidateReporterSpecs(registry, {{"console", "", {}}, {"json", "", {}}}).message() ==
        "two reporters write to standard output; give each its own out=PATH");
  CHECK(ValidateReporterSpecs(registry, {{"json", "", {{"colour", "yes"}}}}).message() ==
        "--reporter json: unknown reporter option 'colour' (this reporter takes none)");
  CHECK(ValidateReporterSpecs(registry, {{"xml", "", {}}}).message() ==
        "unknown reporter 'xml' (known: console, html, json, junit, markdown)");
}

}  // namespace
}  // namespace vmbench
