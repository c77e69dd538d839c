#include "progress.h"

#include <catch2/catch.hpp>
#include <memory>
#include <sstream>
#include <string>

namespace vmbench {
namespace {

// The escapes the spinner uses to go back over its `n` lines and clear them.
std::string Erase(int n) { return "\x1b[" + std::to_string(n) + "A\x1b[J"; }

BenchmarkResult Ok(BenchmarkId id, double median_ns, int repetitions) {
  BenchmarkResult result;
  result.id = std::move(id);
  result.summary.median_ns = median_ns;
  result.repetitions.resize(static_cast<std::size_t>(repetitions));
  return result;
}

BenchmarkResult Failed(BenchmarkId id, BenchmarkStatus status, std::string message) {
  BenchmarkResult result;
  result.id = std::move(id);
  result.status = status;
  result.message = std::move(message);
  return result;
}

// A Progress on an std::ostringstream with a clock the test sets by hand.
struct Fixture {
  explicit Fixture(unsigned modes, bool is_terminal, int total, int workers = 1, int columns = 80) {
    ProgressOptions options;
    options.modes = modes;
    options.is_terminal = is_terminal;
    options.columns = columns;
    options.total = total;
    options.workers = workers;
    options.clock = [this] { return now; };
    progress = std::make_unique<Progress>(out, std::move(options));
  }

  // Everything written since the last call.
  std::string Take() {
    std::string text = out.str();
    out.str("");
    return text;
  }

  double now = 100;  // any origin: only differences count
  std::ostringstream out;
  std::unique_ptr<Progress> progress;
};

TEST_CASE("progress modes are parsed from a comma-separated list", "[progress]") {
  CHECK(*ParseProgressModes("spinner,summary") == (kProgressSpinner | kProgressSummary));
  CHECK(*ParseProgressModes("stream") == kProgressStream);
  CHECK(*ParseProgressModes(" stream , summary,stream") == (kProgressStream | kProgressSummary));
  CHECK(*ParseProgressModes("none") == kProgressNone);
  CHECK(ParseProgressModes("spiner").status().message() ==
        "--progress: unknown mode 'spiner' (known: spinner, stream, summary, none)");
  CHECK(ParseProgressModes("").status().message() ==
        "--progress: unknown mode '' (known: spinner, stream, summary, none)");
  CHECK(ParseProgressModes("stream,").status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(ParseProgressModes("none,stream").status().message() ==
        "--progress: 'none' cannot be combined with other modes in 'none,stream'");
  CHECK(DefaultProgressModes(true) == (kProgressSpinner | kProgressSummary));
  CHECK(DefaultProgressModes(false) == (kProgressStream | kProgressSummary));
}

TEST_CASE("elapsed times are shown in tenths, then minutes and hours", "[progress]") {
  CHECK(FormatElapsed(0) == "0.0s");
  CHECK(FormatElapsed(-3) == "0.0s");
  CHECK(FormatElapsed(0.44) == "0.4s");
  CHECK(FormatElapsed(59.94) == "59.9s");
  CHECK(FormatElapsed(59.96) == "1m 00s");
  CHECK(FormatElapsed(83.4) == "1m 23s");
  CHECK(FormatElapsed(7500) == "2h 05m 00s");
}

TEST_CASE("the terminal width falls back to 80 off a terminal", "[progress]") {
  CHECK(TerminalColumns(-1) == 80);
}

TEST_CASE("stream and summary print plain lines off a terminal", "[progress]") {
  Fixture f(kProgressStream | kProgressSummary, /*is_terminal=*/false, 3, 2);
  f.progress->Started(0, "alloc_single/256");
  f.progress->Started(1, "crash/segfault");
  f.progress->Tick();
  CHECK(f.Take().empty());
  f.now += 1;
  f.progress->Finished(0, Ok({"alloc_single", "", "256"}, 12.1, 10));
  CHECK(f.Take() == "[1/3] alloc_single/256  median 12.1 ns (10 repetitions)\n");
  f.progress->Finished(1,
                       Failed({"crash", "segfault", ""}, BenchmarkStatus::kError,
                              "worker killed by signal 11 (SIGSEGV)\nstderr: about to segfault"));
  CHECK(f.Take() == "[2/3] crash/segfault  ERROR: worker killed by signal 11 (SIGSEGV)\n");
  f.progress->Finished(-1, Failed({"vm", "boot", ""}, BenchmarkStatus::kSkipped, "no hypervisor"));
  CHECK(f.Take() == "[3/3] vm/boot  skipped: no hypervisor\n");
  f.now = 183;
  f.progress->Done(false);
  CHECK(f.Take() == "3 benchmarks: 1 ok, 1 error, 1 skipped in 1m 23s\n");
  // Nothing after the end.
  f.progress->Finished(0, Ok({"late", "", ""}, 1, 1));
  f.progress->Done(true);
  CHECK(f.Take().empty());
}

TEST_CASE("the summary counts what finished and says when the run was interrupted", "[progress]") {
  Fixture f(kProgressSummary, /*is_terminal=*/true, 47);
  f.progress->Started(0, "a/1");
  f.progress->Finished(0, Ok({"a", "", "1"}, 5, 3));
  f.progress->Finished(0, Failed({"a", "", "2"}, BenchmarkStatus::kError, "timed out"));
  f.progress->Finished(0, Failed({"a", "", "3"}, BenchmarkStatus::kError, "crashed"));
  CHECK(f.Take().empty());
  f.now += 5.3;
  f.progress->Done(true);
  CHECK(f.Take() == "3 of 47 benchmarks: 1 ok, 2 errors, 0 skipped in 5.3s (interrupted)\n");
}

TEST_CASE("the spinner prints nothing off a terminal, and none prints nothing", "[progress]") {
  for (unsigned modes : {static_cast<unsigned>(kProgressSpinner), 0U}) {
    Fixture f(modes, modes == 0, 2);
    f.progress->Started(0, "a/1");
    f.progress->Tick();
    f.progress->Finished(0, Ok({"a", "", "1"}, 5, 3));
    f.progress->Finished(-1, Failed({"a", "", "2"}, BenchmarkStatus::kSkipped, "no"));
    f.progress->Done(false);
    CHECK(f.Take().empty());
  }
}

TEST_CASE("the spinner redraws in place with a bar, times and one line per worker", "[progress]") {
  Fixture f(kProgressSpinner, /*is_terminal=*/true, 4, 2);
  f.now += 1;
  f.progress->Started(0, "a/1");
  CHECK(f.Take() ==
        "| [--------------------] 0/4  elapsed 1.0s  left ?\n"
        "  worker 0: a/1  0.0s\n");
  f.now += 1;
  f.progress->Started(1, "b/2");
  CHECK(f.Take() == Erase(2) +
                        "| [--------------------] 0/4  elapsed 2.0s  left ?\n"
                        "  worker 0: a/1  1.0s\n"
                        "  worker 1: b/2  0.0s\n");
  f.now += 1;
  f.progress->Tick();
  CHECK(f.Take() == Erase(3) +
                        "/ [--------------------] 0/4  elapsed 3.0s  left ?\n"
                        "  worker 0: a/1  2.0s\n"
                        "  worker 1: b/2  1.0s\n");
  // a/1 ran 4 s: 3 left on 2 workers is about 6 s.
  f.now += 2;
  f.progress->Finished(0, Ok({"a", "", "1"}, 5, 3));
  CHECK(f.Take() == Erase(3) +
                        "/ [#####---------------] 1/4  elapsed 5.0s  left ~6.0s\n"
                        "  worker 1: b/2  3.0s\n");
  // A skipped benchmark never ran: it is done but does not change the mean.
  f.now += 1;
  f.progress->Finished(-1, Failed({"c", "", "3"}, BenchmarkStatus::kSkipped, "no hypervisor"));
  CHECK(f.Take() == Erase(2) +
                        "/ [##########----------] 2/4  elapsed 6.0s  left ~4.0s\n"
                        "  worker 1: b/2  4.0s\n");
  f.progress->Tick();
  f.progress->Tick();
  f.progress->Tick();
  CHECK(f.Take() == Erase(2) + "- [##########----------] 2/4  elapsed 6.0s  left ~4.0s\n" +
                        "  worker 1: b/2  4.0s\n" + Erase(2) +
                        "\\ [##########----------] 2/4  elapsed 6.0s  left ~4.0s\n" +
                        "  worker 1: b/2  4.0s\n" + Erase(2) +
                        "| [##########----------] 2/4  elapsed 6.0s  left ~4.0s\n" +
                        "  worker 1: b/2  4.0s\n");
  f.progress->Done(true);
  CHECK(f.Take() == Erase(2));
}

TEST_CASE("once chunks are reported the bar and the estimate count them", "[progress]") {
  // Two benchmarks of three chunks each on one worker: no benchmark is finished after the first
  // two chunks, but the bar is a third full and the estimate uses the time per chunk.
  Fixture f(kProgressSpinner, /*is_terminal=*/true, 2, 1);
  f.progress->Started(0, "a/1");
  f.now += 2;
  f.progress->ChunkFinished(0, 1, 6);
  f.progress->Started(0, "b/1");
  f.now += 2;
  f.Take();
  f.progress->ChunkFinished(0, 2, 6);
  CHECK(f.Take() ==
        Erase(2) + "| [######--------------] 0/2  workers 2/6  elapsed 4.0s  left ~8.0s\n");
  // Finishing a benchmark after its last chunk counts it, without timing it twice.
  f.progress->Finished(0, Ok({"a", "", "1"}, 5, 3));
  CHECK(f.Take() ==
        Erase(1) + "| [######--------------] 1/2  workers 2/6  elapsed 4.0s  left ~8.0s\n");
}

TEST_CASE("stream lines go above the spinner, and the summary replaces it", "[progress]") {
  Fixture f(kProgressSpinner | kProgressStream | kProgressSummary, /*is_terminal=*/true, 1);
  f.now += 0.5;
  f.progress->Started(0, "x");
  CHECK(f.Take() ==
        "| [--------------------] 0/1  elapsed 0.5s  left ?\n"
        "  worker 0: x  0.0s\n");
  f.now += 1.5;
  f.progress->Finished(0, Ok({"x", "", ""}, 12.1, 10));
  CHECK(f.Take() == Erase(2) +
                        "[1/1] x  median 12.1 ns (10 repetitions)\n"
                        "| [####################] 1/1  elapsed 2.0s  left ~0.0s\n");
  f.progress->Done(false);
  CHECK(f.Take() == Erase(1) + "1 benchmark: 1 ok, 0 errors, 0 skipped in 2.0s\n");
}

TEST_CASE("spinner lines are cut to the terminal width", "[progress]") {
  Fixture f(kProgressSpinner, /*is_terminal=*/true, 2, 1, /*columns=*/20);
  f.progress->Started(0, "a_very_long_group/with_a_function/and_param");
  CHECK(f.Take() ==
        "| [----------------\n"
        "  worker 0: a_very_\n");
}

}  // namespace
}  // namespace vmbench
