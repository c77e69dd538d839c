// The orchestrator: runs the selected benchmarks in worker processes.
//
// `vmbench run` does not measure in its own process. Each benchmark's repetitions are split into
// `processes` chunks, and each chunk runs in a fresh worker (`vmbench worker ...`, the same binary)
// that loads the plugins, runs that one benchmark and writes a result file. So:
//   - a crash, abort, hang or garbage output in a plugin or guest costs one benchmark, which
//     becomes an `error` result naming the signal or exit code and the tail of its stderr;
//   - the samples of a benchmark come from several processes, so the verdict's statistics see
//     what differs between processes (memory layout, allocator state, frequency), not only the
//     noise within one (reference/statistics.md);
//   - chunks run in passes (chunk 1 of every benchmark, then chunk 2, ...), so each benchmark's
//     samples are spread over the whole run rather than taken in one burst.
// Up to `jobs` workers run at once, each pinned to its own physical core. A worker past the
// timeout is killed. The partial result is journaled after every finished benchmark, and a stop
// request (Ctrl-C, SIGTERM) ends the workers and returns what was finished, marked incomplete.

#ifndef VMBENCH_CORE_ORCHESTRATOR_H_
#define VMBENCH_CORE_ORCHESTRATOR_H_

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "runner.h"
#include "vmbench/plugin/results.h"

namespace vmbench {

// One build taking part in a run: `vmbench run` has one, `vmbench ab` two (A and B).
struct BuildSide {
  std::string label;                     // "" for a plain run, "a" or "b" for an A/B run
  std::string executable;                // the vmbench binary to run as `vmbench worker`
  std::vector<std::string> global_args;  // e.g. --plugin-dir DIR, placed before `worker`
  std::string journal;                   // rewritten after each benchmark; "" for none
};

// How the orchestrator runs workers.
struct OrchestratorOptions {
  // The builds. With two, every chunk of every benchmark runs on both, alternating which goes
  // first (A B, then B A: ABBA), so that drift during the run affects both sides alike.
  std::vector<BuildSide> sides;
  std::vector<int> cpus;    // one logical CPU per concurrent worker (size = jobs)
  int processes = 5;        // worker processes per benchmark (chunks)
  double timeout_s = 600;   // per worker
  std::string scratch_dir;  // where workers write their result files
};

// What the orchestrator tells its caller as it goes (all called on the caller's thread).
struct OrchestratorEvents {
  std::function<void(int worker, const std::string& id)> started;
  // A worker ended; `done` of `total` chunks of the run are over (dropped ones included).
  std::function<void(int worker, int done, int total)> chunk_finished;
  std::function<void(int worker, const BenchmarkResult& result)> finished;  // all chunks done
  std::function<void()> tick;  // about ten times a second while waiting
};

// Runs `selection` on every side and returns one result per side, each with one result per
// selected benchmark in selection order; when `stop` becomes true, the running workers are killed
// and the results, marked incomplete, hold the benchmarks that finished and those with some
// repetitions measured (their message says how many). Benchmarks that need a hypervisor when
// `choice` has none are skipped with the reason, without a worker. A side's context names its own
// build (version, git revision, build type), as its workers report it.
std::vector<RunResult> Orchestrate(const std::vector<SelectedBenchmark>& selection,
                                   const HypervisorChoice& choice, const RunOptions& options,
                                   const OrchestratorOptions& orchestrator,
                                   const OrchestratorEvents& events, const std::atomic<bool>& stop);

// The arguments of the worker for one chunk: `vmbench [global] worker --suite S --benchmark ID
// --repetitions N --min-time T --hypervisor H --cpu C --out FILE [--suite-option S.K=V...]`.
std::vector<std::string> WorkerArguments(const BuildSide& side, const SelectedBenchmark& benchmark,
                                         const RunOptions& options, const std::string& hypervisor,
                                         int repetitions, int cpu, const std::string& out);

// Describes how a worker ended, for an error result: "killed by signal 11 (Segmentation fault)"
// or "exited with code 3". `status` is a waitpid status.
std::string DescribeExit(int status);

}  // namespace vmbench

#endif  // VMBENCH_CORE_ORCHESTRATOR_H_
