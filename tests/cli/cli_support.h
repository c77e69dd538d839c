// Helpers of the end-to-end tests: running the built `vmbench` executable and reading what it
// printed.

#ifndef VMBENCH_TESTS_CLI_CLI_SUPPORT_H_
#define VMBENCH_TESTS_CLI_CLI_SUPPORT_H_

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace vmbench::testing {

// What a finished `vmbench` printed and how it exited.
struct Outcome {
  int exit_code = -1;  // -1 when it did not exit normally
  std::string out;
  std::string err;
};

inline std::string Slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A folder of this test process for its scratch files: emptied on first use (process ids are
// reused, so an old test's files may be there) and removed when the process exits.
inline std::filesystem::path ScratchDir() {
  struct Folder {
    Folder()
        : path(std::filesystem::temp_directory_path() /
               absl::StrCat("vmbench_cli_test_", getpid())) {
      std::filesystem::remove_all(path);
      std::filesystem::create_directories(path);
    }
    ~Folder() {
      std::error_code ignored;
      std::filesystem::remove_all(path, ignored);
    }
    std::filesystem::path path;
  };
  static const Folder folder;
  return folder.path;
}

// The shell command that runs `vmbench ARGS` with stdout and stderr into files (arguments are
// trusted test strings, quoted for the shell).
inline std::string Command(const std::vector<std::string>& args, const std::filesystem::path& out,
                           const std::filesystem::path& err) {
  std::vector<std::string> quoted = {absl::StrCat("'", VMBENCH_TEST_BINARY, "'")};
  for (const std::string& a : args) quoted.push_back(absl::StrCat("'", a, "'"));
  return absl::StrCat(absl::StrJoin(quoted, " "), " >'", out.string(), "' 2>'", err.string(),
                      "' </dev/null");
}

// Runs `vmbench ARGS` to completion.
inline Outcome Vmbench(const std::vector<std::string>& args) {
  static int counter = 0;
  const std::filesystem::path out = ScratchDir() / absl::StrCat(++counter, ".out");
  const std::filesystem::path err = ScratchDir() / absl::StrCat(counter, ".err");
  const int status = std::system(Command(args, out, err).c_str());
  Outcome outcome;
  outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  outcome.out = Slurp(out);
  outcome.err = Slurp(err);
  return outcome;
}

}  // namespace vmbench::testing

#endif  // VMBENCH_TESTS_CLI_CLI_SUPPORT_H_
