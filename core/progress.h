// What `vmbench run` shows on stderr while the orchestrator's workers run: a live spinner, one line
// per finished benchmark, and the totals at the end (`--progress spinner,stream,summary,none`).
//
// Progress writes only to the stream it is given, never to a report on stdout, and takes the time
// from a clock it is given, so tests drive it with an std::ostringstream and a fake clock. The
// spinner redraws itself in place with plain ANSI escapes (no terminal library: Debian 12 packages
// none that draws progress bars), and only on a terminal: elsewhere the output is plain lines.

#ifndef VMBENCH_CORE_PROGRESS_H_
#define VMBENCH_CORE_PROGRESS_H_

#include <functional>
#include <map>
#include <mutex>
#include <ostream>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "vmbench/plugin/results.h"

namespace vmbench {

// Bits of a progress mode set; combine with |. No bit set is `none`.
enum ProgressMode : unsigned {
  kProgressNone = 0,
  // A bar with done/total, elapsed time and an estimate of what is left, plus one line per
  // running worker, redrawn in place. Shows nothing when stderr is not a terminal.
  kProgressSpinner = 1U << 0,
  // One line per finished benchmark: its median, or why it failed or was skipped.
  kProgressStream = 1U << 1,
  // One line with the totals and the wall time when the run ends.
  kProgressSummary = 1U << 2,
};

// Parses a --progress value: comma-separated names among spinner, stream, summary, or `none` on
// its own. InvalidArgument for an unknown or empty name (listing the known ones), or `none` mixed
// with other modes.
absl::StatusOr<unsigned> ParseProgressModes(absl::string_view text);

// spinner+summary on a terminal, stream+summary otherwise (a log file gets plain lines).
unsigned DefaultProgressModes(bool is_terminal);

// The width of the terminal on `fd` (TIOCGWINSZ), or 80 when it is not a terminal or says 0.
int TerminalColumns(int fd);

// A wall time for people: "0.4s", "59.9s", "1m 23s", "2h 05m 00s". Negative times show as 0.
std::string FormatElapsed(double seconds);

// How a Progress draws and what it counts.
struct ProgressOptions {
  unsigned modes = kProgressNone;  // ProgressMode bits
  bool is_terminal = false;        // whether the stream is a terminal (ANSI escapes allowed)
  int columns = 80;                // terminal width; spinner lines are cut to fit in it
  int total = 0;                   // benchmarks in the run
  int workers = 1;                 // workers running at once (-j), for the estimate
  // Monotonic time in seconds; only differences are used. Null means std::chrono::steady_clock.
  std::function<double()> clock;
};

// The progress display of one run. Its clock starts at construction. Methods may be called from
// any thread (they take a lock) and each writes whole lines, flushing the stream.
class Progress {
 public:
  // `out` (usually std::cerr) must outlive this object.
  Progress(std::ostream& out, ProgressOptions options);
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // Worker `worker` (0-based) began benchmark `id`: it gets a line in the spinner.
  void Started(int worker, const std::string& id);

  // A benchmark finished. `worker` is the worker that ran it, or -1 for one that never ran (e.g.
  // skipped for lack of a hypervisor); only benchmarks that ran count toward the estimate. The
  // stream line shows the first line of an error or skip message; the reports keep all of it.
  void Finished(int worker, const BenchmarkResult& result);

  // Redraws the spinner with the current times and advances its animation. The orchestrator
  // calls it a few times a second; it does nothing without the spinner on a terminal.
  void Tick();

  // Worker `worker` finished a chunk of work (one worker process); `done` of `total` chunks of the
  // run are now over (including chunks dropped because their benchmark failed). Once this is
  // called, the spinner's bar and its estimate of the time left count chunks, not benchmarks: a
  // run whose benchmarks all finish in its last pass still shows how far it is.
  void ChunkFinished(int worker, int done, int total);

  // The run is over (`interrupted`: stopped early, e.g. by Ctrl-C): clears the spinner and prints
  // the summary. Later calls of any method print nothing.
  void Done(bool interrupted);

 private:
  struct Running {
    std::string id;
    double started = 0;
  };

  double Now() const;
  bool SpinnerShown() const;
  // Moves the cursor back over the spinner lines drawn last and clears them.
  void EraseSpinner();
  void DrawSpinner();
  std::string StreamLine(const BenchmarkResult& result) const;
  std::string Fit(std::string line) const;

  std::ostream& out_;
  ProgressOptions options_;
  double start_ = 0;
  std::mutex mutex_;
  std::map<int, Running> running_;  // by worker
  int done_ = 0;
  int ok_ = 0;
  int errors_ = 0;
  int skipped_ = 0;
  int timed_ = 0;           // finished benchmarks (or chunks) that ran on a worker
  double timed_total_ = 0;  // their summed run times, seconds
  int chunks_done_ = 0;     // from ChunkFinished; chunks_total_ 0 until it is first called
  int chunks_total_ = 0;
  int frame_ = 0;        // spinner animation frame
  int drawn_lines_ = 0;  // spinner lines currently on screen
  bool finished_ = false;
};

}  // namespace vmbench

#endif  // VMBENCH_CORE_PROGRESS_H_
