// Helpers shared by the tests: where the built plugins and fakes are, and loading them.

#ifndef VMBENCH_TESTS_TEST_SUPPORT_H_
#define VMBENCH_TESTS_TEST_SUPPORT_H_

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

namespace vmbench::testing {

// The exit code of a test that cannot run on this machine; vmbench_add_test (tests/CMakeLists.txt)
// gives it to CTest as every test's SKIP_RETURN_CODE (77, the Automake convention).
inline constexpr int kSkipReturnCode = 77;

// Skips the current test visibly: prints "SKIPPED: <reason>" and, when CTest runs this test case
// alone (catch_discover_tests does), exits with kSkipReturnCode so CTest reports it as skipped.
// Any other run of the executable gets a failure instead, so the other test cases still run and
// the gap is never counted as a pass.
[[noreturn]] inline void SkipTest(const std::string& reason) {
  std::cout << "SKIPPED: " << reason << std::endl;
  const std::vector<std::string>& selected =
      Catch::getCurrentContext().getConfig()->getTestsOrTags();
  if (selected.size() == 1 && selected[0] == Catch::getResultCapture().getCurrentTestName()) {
    std::exit(kSkipReturnCode);
  }
  FAIL("skipped: " << reason);
  std::abort();  // FAIL throws; never reached
}

// The folder of the built-in plugins of this build.
inline std::filesystem::path PluginDir() { return VMBENCH_TEST_PLUGIN_DIR; }

// The folder of the test-only plugins (tests/fakes).
inline std::filesystem::path FakesDir() { return VMBENCH_TEST_FAKES_DIR; }

// The tests/ source folder (golden files).
inline std::filesystem::path SourceDir() { return VMBENCH_TEST_SOURCE_DIR; }

}  // namespace vmbench::testing

#endif  // VMBENCH_TESTS_TEST_SUPPORT_H_
