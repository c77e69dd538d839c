#include "progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "vmbench/plugin/format.h"

namespace vmbench {
namespace {

constexpr int kBarWidth = 20;
constexpr char kFrames[] = "|/-\\";

struct NamedMode {
  absl::string_view name;
  unsigned bit;
};
constexpr NamedMode kModes[] = {
    {"spinner", kProgressSpinner}, {"stream", kProgressStream}, {"summary", kProgressSummary}};

// "1 error", "2 errors".
std::string Count(int n, absl::string_view noun) {
  return absl::StrCat(n, " ", noun, n == 1 ? "" : "s");
}

}  // namespace

absl::StatusOr<unsigned> ParseProgressModes(absl::string_view text) {
  unsigned modes = kProgressNone;
  bool none = false;
  int names = 0;
  for (absl::string_view raw : absl::StrSplit(text, ',')) {
    const absl::string_view name = absl::StripAsciiWhitespace(raw);
    ++names;
    if (name == "none") {
      none = true;
      continue;
    }
    const auto* mode = std::find_if(std::begin(kModes), std::end(kModes),
                                    [&](const NamedMode& m) { return m.name == name; });
    if (mode == std::end(kModes)) {
      return absl::InvalidArgumentError(absl::StrCat("--progress: unknown mode '", name,
                                                     "' (known: spinner, stream, summary, none)"));
    }
    modes |= mode->bit;
  }
  if (none && names > 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("--progress: 'none' cannot be combined with other modes in '", text, "'"));
  }
  return modes;
}

unsigned DefaultProgressModes(bool is_terminal) {
  return (is_terminal ? kProgressSpinner : kProgressStream) | kProgressSummary;
}

int TerminalColumns(int fd) {
  winsize size{};
  // TIOCGWINSZ fails with ENOTTY on pipes and files (ioctl_tty(2)).
  if (ioctl(fd, TIOCGWINSZ, &size) != 0 || size.ws_col == 0) return 80;
  return size.ws_col;
}

std::string FormatElapsed(double seconds) {
  if (!(seconds > 0)) seconds = 0;
  // Tenths below a minute; rounding 59.96 up would print "60.0s", so that goes to "1m 00s".
  if (seconds < 59.95) return absl::StrFormat("%.1fs", seconds);
  const long long total = std::llround(seconds);
  const long long h = total / 3600;
  const long long m = total / 60 % 60;
  const long long s = total % 60;
  if (h == 0) return absl::StrFormat("%dm %02ds", m, s);
  return absl::StrFormat("%dh %02dm %02ds", h, m, s);
}

Progress::Progress(std::ostream& out, ProgressOptions options)
    : out_(out), options_(std::move(options)) {
  if (!options_.clock) {
    options_.clock = [] {
      return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
          .count();
    };
  }
  start_ = Now();
}

double Progress::Now() const { return options_.clock(); }

bool Progress::SpinnerShown() const {
  // Redrawing in place needs cursor movement; a pipe or file would collect every frame.
  return (options_.modes & kProgressSpinner) != 0 && options_.is_terminal;
}

void Progress::Started(int worker, const std::string& id) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (finished_) return;
  running_[worker] = {id, Now()};
  if (!SpinnerShown()) return;
  EraseSpinner();
  DrawSpinner();
  out_.flush();
}

void Progress::Finished(int worker, const BenchmarkResult& result) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (finished_) return;
  ++done_;
  switch (result.status) {
    case BenchmarkStatus::kOk:
      ++ok_;
      break;
    case BenchmarkStatus::kError:
      ++errors_;
      break;
    case BenchmarkStatus::kSkipped:
      ++skipped_;
      break;
  }
  if (auto it = running_.find(worker); it != running_.end()) {
    ++timed_;
    timed_total_ += Now() - it->second.started;
    running_.erase(it);
  }
  if (SpinnerShown()) EraseSpinner();
  if ((options_.modes & kProgressStream) != 0) out_ << StreamLine(result) << "\n";
  if (SpinnerShown()) DrawSpinner();
  out_.flush();
}

void Progress::ChunkFinished(int worker, int done, int total) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (finished_) return;
  chunks_done_ = done;
  chunks_total_ = total;
  if (auto it = running_.find(worker); it != running_.end()) {
    ++timed_;
    timed_total_ += Now() - it->second.started;
    running_.erase(it);
  }
  if (!SpinnerShown()) return;
  EraseSpinner();
  DrawSpinner();
  out_.flush();
}

void Progress::Tick() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (finished_ || !SpinnerShown()) return;
  ++frame_;
  EraseSpinner();
  DrawSpinner();
  out_.flush();
}

void Progress::Done(bool interrupted) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (finished_) return;
  finished_ = true;
  if (SpinnerShown()) EraseSpinner();
  if ((options_.modes & kProgressSummary) != 0) {
    const std::string benchmarks =
        done_ == options_.total ? Count(options_.total, "benchmark")
                                : absl::StrCat(done_, " of ", Count(options_.total, "benchmark"));
    out_ << benchmarks << ": " << ok_ << " ok, " << Count(errors_, "error") << ", " << skipped_
         << " skipped in " << FormatElapsed(Now() - start_) << (interrupted ? " (interrupted)" : "")
         << "\n";
  }
  out_.flush();
}

void Progress::EraseSpinner() {
  // The spinner's lines all end in a newline, so the cursor is at the start of the line below
  // them: up N lines (CUU) and erase to the end of the screen (ED 0), ECMA-48 8.3.22 and 8.3.39.
  if (drawn_lines_ > 0) out_ << "\x1b[" << drawn_lines_ << "A\x1b[J";
  drawn_lines_ = 0;
}

void Progress::DrawSpinner() {
  const double now = Now();
  const int total = std::max(options_.total, 0);
  // Chunks once the orchestrator reports them, else benchmarks: the bar and the estimate use the
  // finer unit available.
  const bool by_chunk = chunks_total_ > 0;
  const int units = by_chunk ? chunks_total_ : total;
  const int units_done = by_chunk ? chunks_done_ : done_;
  const int filled = units == 0 ? 0 : std::min(kBarWidth, units_done * kBarWidth / units);
  std::string left = "?";
  if (timed_ > 0) {
    // Mean run time so far, times what is left, shared among the workers.
    const double mean = timed_total_ / timed_;
    left = absl::StrCat(
        "~", FormatElapsed(mean * std::max(units - units_done, 0) / std::max(options_.workers, 1)));
  }
  std::vector<std::string> lines;
  lines.push_back(absl::StrCat(std::string(1, kFrames[frame_ % 4]), " [", std::string(filled, '#'),
                               std::string(kBarWidth - filled, '-'), "] ", done_, "/", total,
                               by_chunk ? absl::StrCat("  workers ", units_done, "/", units) : "",
                               "  elapsed ", FormatElapsed(now - start_), "  left ", left));
  for (const auto& [worker, running] : running_) {
    lines.push_back(absl::StrCat("  worker ", worker, ": ", running.id, "  ",
                                 FormatElapsed(now - running.started)));
  }
  for (std::string& line : lines) out_ << Fit(std::move(line)) << "\n";
  drawn_lines_ = static_cast<int>(lines.size());
}

std::string Progress::StreamLine(const BenchmarkResult& result) const {
  // Worker error messages may carry a tail of stderr on later lines; one line per benchmark here.
  const std::string message = result.message.substr(0, result.message.find('\n'));
  std::string outcome;
  switch (result.status) {
    case BenchmarkStatus::kOk:
      outcome = absl::StrCat("median ", FormatDuration(result.summary.median_ns), " (",
                             result.repetitions.size(), " repetitions)");
      break;
    case BenchmarkStatus::kError:
      outcome = absl::StrCat("ERROR: ", message);
      break;
    case BenchmarkStatus::kSkipped:
      outcome = absl::StrCat("skipped: ", message);
      break;
  }
  return absl::StrCat("[", done_, "/", options_.total, "] ", result.id.ToString(), "  ", outcome);
}

std::string Progress::Fit(std::string line) const {
  // A line as wide as the terminal wraps (or not, depending on the terminal), and then moving up
  // by the number of lines drawn would miss; so keep one column free. Widths count code points.
  const std::size_t width = static_cast<std::size_t>(std::max(options_.columns - 1, 10));
  std::size_t points = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if ((static_cast<unsigned char>(line[i]) & 0xC0) == 0x80) continue;
    if (++points > width) {
      line.resize(i);
      break;
    }
  }
  return line;
}

}  // namespace vmbench
