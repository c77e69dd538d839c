#include "orchestrator.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <filesystem>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "output.h"
#include "vmbench/plugin/result_file.h"

extern char** environ;

namespace vmbench {
namespace {

using Clock = std::chrono::steady_clock;

// How much of a worker's stderr is kept for the error message.
constexpr std::size_t kStderrTail = 2048;

// One chunk of one benchmark on one side.
struct Task {
  std::size_t benchmark;  // index into the selection
  std::size_t side;       // index into OrchestratorOptions::sides
  int repetitions;
  int chunk;
};

// A running worker.
struct Worker {
  pid_t pid = -1;
  int stderr_fd = -1;
  int slot = 0;  // which CPU of OrchestratorOptions::cpus
  Task task{};
  std::string out;     // its result file
  std::string stderr;  // the last kStderrTail bytes
  Clock::time_point started;
  bool timed_out = false;
};

// Per-benchmark progress of the chunks.
struct Progress {
  int chunks_left = 0;
  bool failed = false;
  bool reported = false;
};

std::string Tail(const std::string& text) {
  std::string tail = text.size() > 400 ? "..." + text.substr(text.size() - 400) : text;
  while (!tail.empty() && (tail.back() == '\n' || tail.back() == ' ')) tail.pop_back();
  for (char& c : tail) {
    if (c == '\n') c = '|';
  }
  return tail;
}

// Starts `args` in its own process group (so a terminal's Ctrl-C reaches only the orchestrator,
// which then ends the workers itself), stdin and stdout on /dev/null, stderr into a pipe.
absl::StatusOr<Worker> Spawn(const std::vector<std::string>& args) {
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
    return absl::UnavailableError(absl::StrCat("pipe failed: ", std::strerror(errno)));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 2);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  posix_spawnattr_setflags(&attributes,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  posix_spawnattr_setpgroup(&attributes, 0);
  sigset_t signals;
  sigemptyset(&signals);
  posix_spawnattr_setsigmask(&attributes, &signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGPIPE);
  posix_spawnattr_setsigdefault(&attributes, &signals);
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  Worker worker;
  const int error = posix_spawn(&worker.pid, argv[0], &actions, &attributes, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  close(pipe_fds[1]);
  if (error != 0) {
    close(pipe_fds[0]);
    return absl::UnavailableError(
        absl::StrCat("cannot start worker ", args[0], ": ", std::strerror(error)));
  }
  worker.stderr_fd = pipe_fds[0];
  return worker;
}

// Reads what a worker wrote to stderr, keeping the tail.
void Drain(Worker& worker) {
  char buffer[4096];
  for (;;) {
    const ssize_t n = read(worker.stderr_fd, buffer, sizeof(buffer));
    if (n > 0) {
      worker.stderr.append(buffer, static_cast<std::size_t>(n));
      if (worker.stderr.size() > kStderrTail) {
        worker.stderr.erase(0, worker.stderr.size() - kStderrTail);
      }
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    return;  // EOF or EAGAIN
  }
}

// What a finished worker produced (its result file, holding exactly the one benchmark), or why it
// failed.
absl::StatusOr<RunResult> Collect(const Worker& worker, int status, double timeout_s,
                                  const std::string& id) {
  if (worker.timed_out) {
    return absl::DeadlineExceededError(absl::StrCat("timeout after ", timeout_s, " s"));
  }
  const std::string tail = Tail(worker.stderr);
  const std::string stderr_note = tail.empty() ? "" : absl::StrCat("; stderr: ", tail);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return absl::InternalError(absl::StrCat("worker ", DescribeExit(status), stderr_note));
  }
  // The worker's file is untrusted like any result file: fully validated, and it must hold
  // exactly the benchmark that was asked for.
  absl::StatusOr<RunResult> run = ReadResultFile(worker.out);
  if (!run.ok()) {
    return absl::InternalError(
        absl::StrCat("worker wrote no valid result: ", run.status().message(), stderr_note));
  }
  if (run->benchmarks.size() != 1 || run->benchmarks[0].id.ToString() != id) {
    return absl::InternalError(absl::StrCat("worker result does not hold exactly '", id, "'"));
  }
  return run;
}

// The result so far, in selection order: the complete benchmarks and, when `incomplete`, those
// with some repetitions measured, with a note saying how many.
RunResult Snapshot(const RunContext& context, const std::vector<BenchmarkResult>& results,
                   const std::vector<Progress>& progress, int repetitions, bool incomplete) {
  RunResult run;
  run.context = context;
  run.context.incomplete = incomplete;
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (progress[i].reported) {
      run.benchmarks.push_back(results[i]);
    } else if (incomplete && !results[i].repetitions.empty()) {
      BenchmarkResult partial = results[i];
      partial.summary = Summarize(partial.repetitions);
      partial.message = absl::StrCat("interrupted after ", partial.repetitions.size(), " of ",
                                     repetitions, " repetitions");
      run.benchmarks.push_back(std::move(partial));
    }
  }
  return run;
}

}  // namespace

std::string DescribeExit(int status) {
  if (WIFSIGNALED(status)) {
    const int signal = WTERMSIG(status);
    const char* name = strsignal(signal);
    return absl::StrCat("killed by signal ", signal, " (", name == nullptr ? "unknown" : name, ")");
  }
  if (WIFEXITED(status)) return absl::StrCat("exited with code ", WEXITSTATUS(status));
  return absl::StrCat("ended with wait status ", status);
}

std::vector<std::string> WorkerArguments(const BuildSide& side, const SelectedBenchmark& benchmark,
                                         const RunOptions& options, const std::string& hypervisor,
                                         int repetitions, int cpu, const std::string& out) {
  std::vector<std::string> args = {side.executable};
  args.insert(args.end(), side.global_args.begin(), side.global_args.end());
  args.insert(args.end(), {"worker", "--suite", benchmark.suite, "--benchmark",
                           benchmark.spec.id.ToString(), "--repetitions", absl::StrCat(repetitions),
                           "--min-time", absl::StrCat(options.min_time_s), "--hypervisor",
                           hypervisor, "--cpu", absl::StrCat(cpu), "--out", out});
  for (const auto& [suite, values] : options.suite_options) {
    if (suite != benchmark.suite) continue;
    for (const auto& [key, value] : values) {
      args.push_back("--suite-option");
      args.push_back(absl::StrCat(suite, ".", key, "=", value));
    }
  }
  return args;
}

std::vector<RunResult> Orchestrate(const std::vector<SelectedBenchmark>& selection,
                                   const HypervisorChoice& choice, const RunOptions& options,
                                   const OrchestratorOptions& orchestrator,
                                   const OrchestratorEvents& events,
                                   const std::atomic<bool>& stop) {
  const std::size_t n = selection.size();
  const std::size_t sides = orchestrator.sides.size();
  std::vector<RunContext> contexts(sides, MakeRunContext(choice, options));
  std::vector<bool> build_known(sides, false);
  // results[side][i] and progress[side][i].
  std::vector<std::vector<BenchmarkResult>> results(sides, std::vector<BenchmarkResult>(n));
  std::vector<std::vector<Progress>> progress(sides, std::vector<Progress>(n));
  const auto report = [&](std::size_t side, std::size_t i, int worker) {
    BenchmarkResult& result = results[side][i];
    result.summary = Summarize(result.repetitions);
    if (result.status == BenchmarkStatus::kOk && result.repetitions.empty()) {
      result.status = BenchmarkStatus::kError;
      result.message = "no repetition was recorded";
    }
    progress[side][i].reported = true;
    if (events.finished) events.finished(worker, result);
    if (!orchestrator.sides[side].journal.empty()) {
      // Best effort: a journal that cannot be written must not stop the measurement.
      (void)WriteFileAtomically(orchestrator.sides[side].journal,
                                ResultToJson(Snapshot(contexts[side], results[side], progress[side],
                                                      options.repetitions, true)));
    }
  };
  const auto fail = [&](const Task& task, std::string message, int slot) {
    Progress& p = progress[task.side][task.benchmark];
    if (p.failed) return;
    p.failed = true;
    results[task.side][task.benchmark].status = BenchmarkStatus::kError;
    results[task.side][task.benchmark].message = std::move(message);
    report(task.side, task.benchmark, slot);
  };

  // Tasks in passes: chunk c of every benchmark before chunk c + 1 of any; with two sides, each
  // chunk runs on both, A first on even passes and B first on odd ones.
  const int processes = std::max(1, std::min(orchestrator.processes, options.repetitions));
  std::deque<Task> tasks;
  for (std::size_t side = 0; side < sides; ++side) {
    for (std::size_t i = 0; i < n; ++i) {
      BenchmarkResult& result = results[side][i];
      result.id = selection[i].spec.id;
      result.suite = selection[i].suite;
      result.throughput = selection[i].spec.throughput;
      if (selection[i].needs_hypervisor && choice.hypervisor == nullptr) {
        result.status = BenchmarkStatus::kSkipped;
        result.message = choice.unavailable_reason;
        report(side, i, -1);
        continue;
      }
      progress[side][i].chunks_left = processes;
    }
  }
  for (int chunk = 0; chunk < processes; ++chunk) {
    // Repetitions spread as evenly as possible: 10 over 3 processes is 4, 3, 3.
    const int repetitions =
        options.repetitions / processes + (chunk < options.repetitions % processes ? 1 : 0);
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t k = 0; k < sides; ++k) {
        const std::size_t side = chunk % 2 == 0 ? k : sides - 1 - k;
        if (!progress[side][i].reported) tasks.push_back({i, side, repetitions, chunk});
      }
    }
  }

  const int chunks_total = static_cast<int>(tasks.size());
  int chunks_done = 0;
  const auto chunk_over = [&](int slot) {
    ++chunks_done;
    if (events.chunk_finished) events.chunk_finished(slot, chunks_done, chunks_total);
  };
  const int jobs = std::max<int>(1, static_cast<int>(orchestrator.cpus.size()));
  std::vector<std::optional<Worker>> running(static_cast<std::size_t>(jobs));
  for (;;) {
    // Fill free slots.
    for (int slot = 0; slot < jobs && !stop.load(); ++slot) {
      if (running[slot].has_value()) continue;
      while (!tasks.empty() && progress[tasks.front().side][tasks.front().benchmark].failed) {
        tasks.pop_front();
        chunk_over(slot);
      }
      if (tasks.empty()) break;
      const Task task = tasks.front();
      tasks.pop_front();
      const SelectedBenchmark& b = selection[task.benchmark];
      const BuildSide& side = orchestrator.sides[task.side];
      const std::string out = (std::filesystem::path(orchestrator.scratch_dir) /
                               absl::StrCat("worker-", slot, "-", task.side, "-", task.benchmark,
                                            "-", task.chunk, ".json"))
                                  .string();
      std::filesystem::remove(out);
      const int cpu = orchestrator.cpus.empty() ? -1 : orchestrator.cpus[slot];
      absl::StatusOr<Worker> worker =
          Spawn(WorkerArguments(side, b, options, choice.name, task.repetitions, cpu, out));
      if (!worker.ok()) {
        chunk_over(slot);
        fail(task, std::string(worker.status().message()), slot);
        continue;
      }
      worker->slot = slot;
      worker->task = task;
      worker->out = out;
      worker->started = Clock::now();
      fcntl(worker->stderr_fd, F_SETFL, O_NONBLOCK);
      if (events.started) {
        events.started(slot, side.label.empty()
                                 ? b.spec.id.ToString()
                                 : absl::StrCat(b.spec.id.ToString(), " (", side.label, ")"));
      }
      running[slot] = std::move(*worker);
    }
    bool any_running = false;
    for (const auto& w : running) any_running = any_running || w.has_value();
    if (!any_running) break;

    // Wait for output or a tick, then reap.
    std::vector<pollfd> fds;
    for (const auto& w : running) {
      if (w.has_value()) fds.push_back({w->stderr_fd, POLLIN, 0});
    }
    poll(fds.data(), fds.size(), 100);
    if (events.tick) events.tick();
    for (int slot = 0; slot < jobs; ++slot) {
      if (!running[slot].has_value()) continue;
      Worker& w = *running[slot];
      Drain(w);
      const double elapsed = std::chrono::duration<double>(Clock::now() - w.started).count();
      if (stop.load() || (elapsed > orchestrator.timeout_s && !w.timed_out)) {
        w.timed_out = !stop.load();
        kill(w.pid, SIGKILL);
      }
      int status = 0;
      const pid_t done = waitpid(w.pid, &status, WNOHANG);
      if (done != w.pid) continue;
      Drain(w);
      close(w.stderr_fd);
      const Task task = w.task;
      chunk_over(slot);
      if (!stop.load() && !progress[task.side][task.benchmark].failed) {
        absl::StatusOr<RunResult> chunk = Collect(w, status, orchestrator.timeout_s,
                                                  selection[task.benchmark].spec.id.ToString());
        if (!chunk.ok()) {
          fail(task, std::string(chunk.status().message()), slot);
        } else if (chunk->benchmarks[0].status != BenchmarkStatus::kOk) {
          fail(task, chunk->benchmarks[0].message, slot);
        } else {
          if (!build_known[task.side]) {
            // The worker's build is this side's build: record it, not the orchestrator's.
            build_known[task.side] = true;
            contexts[task.side].vmbench_version = chunk->context.vmbench_version;
            contexts[task.side].git_revision = chunk->context.git_revision;
            contexts[task.side].build_type = chunk->context.build_type;
          }
          BenchmarkResult& result = results[task.side][task.benchmark];
          const std::vector<Repetition>& measured = chunk->benchmarks[0].repetitions;
          result.repetitions.insert(result.repetitions.end(), measured.begin(), measured.end());
          if (--progress[task.side][task.benchmark].chunks_left == 0) {
            report(task.side, task.benchmark, slot);
          }
        }
      }
      std::filesystem::remove(w.out);
      running[slot].reset();
    }
  }
  std::vector<RunResult> runs;
  for (std::size_t side = 0; side < sides; ++side) {
    const bool incomplete =
        stop.load() || std::any_of(progress[side].begin(), progress[side].end(),
                                   [](const Progress& p) { return !p.reported; });
    runs.push_back(
        Snapshot(contexts[side], results[side], progress[side], options.repetitions, incomplete));
  }
  return runs;
}

}  // namespace vmbench
