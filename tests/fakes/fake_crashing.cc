// Test plugin: benchmarks that take their worker process down, or misbehave, in every way the
// orchestrator must survive and report as an `error` result with the right reason.
//
//   crash/segfault        writes through a null pointer (SIGSEGV)
//   crash/abort           calls std::abort (SIGABRT)
//   crash/hang            sleeps forever inside the timed loop (the worker's timeout must fire)
//   crash/garbage_stdout  writes binary junk and JSON-looking lines to stdout and stderr, then
//                         measures normally: plugin output must not be taken for the worker's
//   crash/exit            calls _exit(3) without returning a result
//   crash/ok              a few nanoseconds of arithmetic, so a run of this suite has one success
//
// Before misbehaving each writes a line "fake_crashing: about to <what>" to stderr, which the
// orchestrator's error message (the tail of the worker's stderr) should show.
//
// NEVER run this suite in the test process itself (RunBenchmarks): only through workers. Tests
// that run every suite of the fakes folder in-process must select their suites explicitly.

#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "vmbench/plugin/suite.h"

namespace {

using vmbench::BenchmarkSpec;

// Writes `text` straight to `fd` with write(2), bypassing stdio buffers, so it is out before the
// process dies. Errors are ignored: this is a best-effort trace.
void WriteRaw(int fd, const std::string& text) {
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n <= 0) return;
    written += static_cast<std::size_t>(n);
  }
}

void Announce(const char* what) {
  WriteRaw(STDERR_FILENO, std::string("fake_crashing: about to ") + what + "\n");
}

void Segfault(benchmark::State& state) {
  Announce("segfault");
  // A volatile pointer object: the compiler cannot see that it is null, so it emits a real store
  // (a known null store may be turned into a trap instruction, which raises SIGILL instead).
  volatile int* volatile target = nullptr;
  *target = 1;
  for (auto _ : state) {
  }
}

void Abort(benchmark::State& /*state*/) {
  Announce("abort");
  std::abort();
}

void Hang(benchmark::State& state) {
  Announce("hang");
  for (auto _ : state) {
    for (;;) std::this_thread::sleep_for(std::chrono::hours(1));
  }
}

// Bytes that are neither JSON nor UTF-8 (a NUL, stray continuation bytes, an escape sequence),
// from a fixed-seed generator so every run writes the same junk, then lines that look like results.
std::string Garbage() {
  using std::string_literals::operator""s;
  std::string junk = "\x00\xff\xfe{\x80\x1b[2J\"benchmarks\":[\x00"s;
  std::uint32_t x = 0x2545F491;
  for (int i = 0; i < 64; ++i) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    junk.push_back(static_cast<char>(x & 0xFF));
  }
  junk +=
      "\n{\"id\": \"crash/garbage_stdout\", \"status\": \"ok\", \"repetitions\": "
      "[{\"iterations\": 1, \"real_time_ns\": 1, \"cpu_time_ns\": 1}]}\n"
      "{\"schema_version\": 1, \"benchmarks\": [}\n"
      "{\"unterminated\": \"";  // no newline: the next write continues this line
  return junk;
}

void GarbageStdout(benchmark::State& state) {
  Announce("write garbage to stdout");
  const std::string junk = Garbage();
  // Both unbuffered and through stdio's buffer, which is flushed whenever it fills or at exit:
  // the orchestrator cannot rely on either arriving at a particular time.
  WriteRaw(STDOUT_FILENO, junk);
  std::fwrite(junk.data(), 1, junk.size(), stdout);
  WriteRaw(STDERR_FILENO, junk);
  WriteRaw(STDERR_FILENO, "\n");
  std::uint64_t x = 1;
  for (auto _ : state) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    benchmark::DoNotOptimize(x);
  }
}

void Exit(benchmark::State& /*state*/) {
  Announce("exit with status 3");
  // _exit skips atexit handlers and stdio flushing, like a library calling exit on an error path.
  ::_exit(3);
}

void Ok(benchmark::State& state) {
  std::uint64_t x = 1;
  for (auto _ : state) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    benchmark::DoNotOptimize(x);
  }
}

class CrashingSuite final : public vmbench::Suite {
 public:
  bool NeedsHypervisor() const noexcept override { return false; }

  absl::StatusOr<std::vector<BenchmarkSpec>> Benchmarks(
      const vmbench::SuiteContext& /*context*/) noexcept override {
    std::vector<BenchmarkSpec> specs;
    specs.push_back({{"crash", "segfault", ""}, {}, false, Segfault});
    specs.push_back({{"crash", "abort", ""}, {}, false, Abort});
    specs.push_back({{"crash", "hang", ""}, {}, false, Hang});
    specs.push_back({{"crash", "garbage_stdout", ""}, {}, false, GarbageStdout});
    specs.push_back({{"crash", "exit", ""}, {}, false, Exit});
    specs.push_back({{"crash", "ok", ""}, {}, false, Ok});
    return specs;
  }
};

}  // namespace

VMBENCH_PLUGIN(CrashingSuite, "fake_crashing", "0.0.1",
               "Test plugin: benchmarks that crash, hang or write garbage, for worker tests");
