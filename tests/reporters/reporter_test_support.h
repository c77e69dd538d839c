// Helpers of the reporter tests: loading a built-in reporter plugin, rendering a report with it,
// comparing output with an approved golden file in tests/reporters/golden/ (after an intended
// change of output, regenerate with VMBENCH_UPDATE_GOLDEN=1 and review the diff), searching output,
// and results that were not measured.

#ifndef VMBENCH_TESTS_REPORTERS_REPORTER_TEST_SUPPORT_H_
#define VMBENCH_TESTS_REPORTERS_REPORTER_TEST_SUPPORT_H_

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <utility>

#include "registry.h"
#include "test_support.h"

namespace vmbench::testing {

// A fresh object of the built-in reporter `name`, configured with `options`.
inline std::shared_ptr<Reporter> LoadReporter(const std::string& name,
                                              const ReporterOptions& options = {}) {
  std::vector<Rejection> rejections;
  const Registry registry =
      Registry::Build(ScanPlugins(PluginSearchPath{{PluginDir()}, "", {}}), &rejections);
  absl::StatusOr<std::shared_ptr<Reporter>> reporter = registry.CreateReporter(name);
  REQUIRE(reporter.ok());
  REQUIRE((*reporter)->Configure(options).ok());
  return *reporter;
}

// What reporter `name` writes for `report`; the write must succeed.
inline std::string Render(const std::string& name, const Report& report,
                          const ReporterOptions& options = {}) {
  std::ostringstream out;
  const absl::Status status = LoadReporter(name, options)->Write(report, out);
  REQUIRE(status.ok());
  return out.str();
}

// The path of golden file `file`.
inline std::filesystem::path GoldenPath(const std::string& file) {
  return SourceDir() / "reporters" / "golden" / file;
}

// Checks `actual` against golden file `file` (rewriting it first under VMBENCH_UPDATE_GOLDEN).
inline void CheckGolden(const std::string& actual, const std::string& file) {
  const std::filesystem::path path = GoldenPath(file);
  if (std::getenv("VMBENCH_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(path, std::ios::binary) << actual;
  }
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  std::ostringstream expected;
  expected << in.rdbuf();
  CHECK(actual == expected.str());
}

// How many times `needle` occurs in `text`, without overlaps.
inline std::size_t Count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos;
       at = text.find(needle, at + needle.size())) {
    ++n;
  }
  return n;
}

// Whether `part` occurs in `text`.
inline bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A benchmark that ended with `status` (error or skipped) and `message`, without repetitions.
inline BenchmarkResult NotMeasured(BenchmarkId id, const std::string& suite, BenchmarkStatus status,
                                   const std::string& message) {
  BenchmarkResult b;
  b.id = std::move(id);
  b.suite = suite;
  b.status = status;
  b.message = message;
  return b;
}

}  // namespace vmbench::testing

#endif  // VMBENCH_TESTS_REPORTERS_REPORTER_TEST_SUPPORT_H_
