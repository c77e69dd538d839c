// The `vmbench` subcommands, separated from argument parsing (main.cc) so tests can call them.
//
// Exit codes (docs/cli.md): 0 success; 1 some benchmark ended in error; 2 usage or configuration
// error (unknown suite, bad filter, bad reporter, rejected plugin with --strict, bad result file);
// 130 interrupted.

#ifndef VMBENCH_CORE_CLI_COMMANDS_H_
#define VMBENCH_CORE_CLI_COMMANDS_H_

#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "plugin_loader.h"
#include "registry.h"
#include "reporter_spec.h"
#include "runner.h"

namespace vmbench::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitBenchmarkErrors = 1;
inline constexpr int kExitUsage = 2;
// The run was stopped (Ctrl-C, SIGTERM); what was finished is reported, marked incomplete.
inline constexpr int kExitInterrupted = 130;

// Options every subcommand accepts.
struct GlobalOptions {
  std::vector<std::filesystem::path> plugin_dirs;
  bool strict = false;
};

// Scans the plugin folders and builds the registry. Every rejection is printed to `err` as one
// line; with --strict any rejection makes this return false.
bool LoadRegistry(const GlobalOptions& options, std::ostream& err, Registry* registry);

// `vmbench list [what]`, what being plugins, hypervisors, suites, benchmarks or reporters.
int List(const Registry& registry, const std::string& what, std::ostream& out, std::ostream& err);

// Options of every command that compares runs: `run --baseline`, `compare`, `report --baseline`.
// The comparison settings start from the defaults of ComparisonOptions, then --config FILE, then
// the flags given here.
struct VerdictOptions {
  std::vector<std::string> baselines;  // --baseline result files
  std::string config;                  // --config: comparison settings (compare_runs.h)
  std::optional<double> noise_band;    // --noise-band, a fraction
  std::optional<double> alpha;         // --alpha
  std::optional<int> min_repetitions;  // --min-repetitions
  bool allow_cross_machine = false;    // --allow-cross-machine
  std::string fail_on;  // --fail-on: verdicts that make the exit code 1, e.g. "regressed"
  // Compare with the only baseline even when its platform differs (`compare`'s two files).
  bool pair_any = false;
};

// `vmbench run`.
struct RunCommandOptions {
  RunOptions run;
  VerdictOptions verdicts;
  std::vector<std::string> reporters;      // --reporter values; empty: console + JSON file
  std::vector<std::string> suite_options;  // --suite-option SUITE.KEY=VALUE
  std::filesystem::path results_dir = "results";
  int jobs = 1;            // -j: workers at once, each on its own physical core
  int processes = 5;       // worker processes per benchmark
  double timeout_s = 600;  // per worker
  std::string progress;    // --progress modes; "" for the default of the terminal
  bool quiet = false;      // --quiet: the same as --progress none
  GlobalOptions global;    // forwarded to the workers
};
int Run(const Registry& registry, const RunCommandOptions& options, std::ostream& err);

// `vmbench ab --a BUILD_A --b BUILD_B [run options]`: runs the selected benchmarks from two builds
// (each a vmbench binary, or a folder with bin/vmbench, with its plugins beside it), alternating
// A and B chunk by chunk in ABBA order on the same machine, and compares B with A. Both sides'
// results are written as result files in --results-dir; the reporters get B compared with A.
// With `confirm`, the benchmarks found regressed or improved run again with the order flipped
// (B first on even passes), their samples are merged, and the comparison is made again, so only
// verdicts that hold both ways are reported (Firecracker's confirmation step).
struct AbCommandOptions {
  RunCommandOptions run;
  std::string a;
  std::string b;
  bool confirm = false;
};
int Ab(const Registry& registry, const AbCommandOptions& options, std::ostream& err);

// `vmbench worker` (internal): runs one benchmark in this process and writes its result file.
// Started by the orchestrator; exit 0 whenever a result file was written, even for a benchmark
// that failed (the failure is in the file), 2 when it could not be set up.
struct WorkerCommandOptions {
  RunOptions run;                          // suites = {suite}, only_id = the benchmark
  std::vector<std::string> suite_options;  // SUITE.KEY=VALUE
  int cpu = -1;                            // pin to this logical CPU; -1 leaves it unpinned
  std::string out;
};
int Worker(const Registry& registry, const WorkerCommandOptions& options, std::ostream& err);

// `vmbench report RESULTS.json...`: reads result files and runs reporters over them (one run per
// file, in the order given). A file that cannot be read or parsed is exit 2, naming the file and
// the problem.
struct ReportCommandOptions {
  std::vector<std::string> files;
  VerdictOptions verdicts;
  std::vector<std::string> reporters;  // --reporter values; empty: console on stdout
};
int Report(const Registry& registry, const ReportCommandOptions& options, std::ostream& err);

// `vmbench compare BASE.json NEW.json`: the verdict of every benchmark of NEW against BASE.
struct CompareCommandOptions {
  std::string baseline;
  std::string candidate;
  VerdictOptions verdicts;             // `baselines` is unused: the baseline is positional
  std::vector<std::string> reporters;  // --reporter values; empty: console on stdout
};
int Compare(const Registry& registry, const CompareCommandOptions& options, std::ostream& err);

// `vmbench import FORMAT SOURCE [--out FILE]`: turns Google Benchmark JSON (`google-benchmark`)
// or a criterion.rs tree (`criterion`) into a vmbench result file, written to --out atomically,
// or to stdout without it. Bad input is exit 2 naming the file and the field.
struct ImportCommandOptions {
  std::string format;  // "google-benchmark" or "criterion"
  std::string source;  // the JSON file or the criterion folder
  std::string out;     // empty: stdout
};
int Import(const ImportCommandOptions& options, std::ostream& out, std::ostream& err);

}  // namespace vmbench::cli

#endif  // VMBENCH_CORE_CLI_COMMANDS_H_
