// Helpers shared by the tests: where the built plugins and fakes are, and loading them.

#ifndef VMBENCH_TESTS_TEST_SUPPORT_H_
#define VMBENCH_TESTS_TEST_SUPPORT_H_

#include <filesystem>
#include <string>
#include <vector>

namespace vmbench::testing {

// The folder of the built-in plugins of this build.
inline std::filesystem::path PluginDir() { return VMBENCH_TEST_PLUGIN_DIR; }

// The folder of the test-only plugins (tests/fakes).
inline std::filesystem::path FakesDir() { return VMBENCH_TEST_FAKES_DIR; }

// The tests/ source folder (golden files).
inline std::filesystem::path SourceDir() { return VMBENCH_TEST_SOURCE_DIR; }

}  // namespace vmbench::testing

#endif  // VMBENCH_TESTS_TEST_SUPPORT_H_
