#include "sample_chart.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <initializer_list>
#include <limits>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "html_text.h"
#include "vmbench/plugin/format.h"

namespace vmbench::html {
namespace {

// Geometry, in SVG user units (CSS pixels at the size the page gives).
constexpr double kWidth = 340;
constexpr double kPlotLeft = 70;  // row labels go left of this
constexpr double kPlotRight = 332;
constexpr double kTop = 4;
constexpr double kRowHeight = 22;
constexpr double kAxisHeight = 20;
constexpr double kDotRadius = 2.5;
constexpr double kLevelStep = 4;  // vertical distance between stacked dots
constexpr int kMaxLevel = 2;      // dots stack this many levels above and below a row's centre
constexpr double kBarHeight = 6;  // of the median's interval and of the change bar

// A linear map from times to x coordinates, fitted to the values drawn.
class Axis {
 public:
  // `values` are finite, at least one.
  explicit Axis(const std::vector<double>& values)
      : lo_(*std::min_element(values.begin(), values.end())),
        hi_(*std::max_element(values.begin(), values.end())) {}

  double X(double ns) const {
    if (hi_ == lo_) return (kPlotLeft + kPlotRight) / 2;
    // Halves keep the span finite for any two finite doubles (hi - lo can overflow); the clamp
    // absorbs rounding at the ends.
    const double t = std::clamp((ns / 2 - lo_ / 2) / (hi_ / 2 - lo_ / 2), 0.0, 1.0);
    return kPlotLeft + t * (kPlotRight - kPlotLeft);
  }

  double lo() const { return lo_; }
  double hi() const { return hi_; }

 private:
  double lo_;
  double hi_;
};

// The stacking level of each dot at `xs` (ascending): the level nearest the row's centre (0, -1,
// +1, -2, +2, ...) where the dot does not overlap the previous dot of that level. When every level
// is taken the dot goes to the centre, where overlapping dots darken each other. Deterministic, so
// the page is golden-testable, and it keeps every dot at its exact time, unlike random jitter.
std::vector<int> StackLevels(const std::vector<double>& xs) {
  std::array<double, 2 * kMaxLevel + 1> last_x;
  last_x.fill(-std::numeric_limits<double>::infinity());
  std::vector<int> levels;
  levels.reserve(xs.size());
  for (double x : xs) {
    int chosen = 0;
    for (int k = 0; k <= 2 * kMaxLevel; ++k) {
      const int level = k % 2 == 1 ? -(k + 1) / 2 : k / 2;
      if (x - last_x[level + kMaxLevel] >= 2 * kDotRadius) {
        chosen = level;
        break;
      }
    }
    last_x[chosen + kMaxLevel] = x;
    levels.push_back(chosen);
  }
  return levels;
}

std::string Line(absl::string_view css_class, double x1, double y1, double x2, double y2) {
  return absl::StrCat("<line class=\"", css_class, "\" x1=\"", Coordinate(x1), "\" y1=\"",
                      Coordinate(y1), "\" x2=\"", Coordinate(x2), "\" y2=\"", Coordinate(y2),
                      "\"/>");
}

std::string Rect(absl::string_view css_class, double x1, double y1, double x2, double y2) {
  return absl::StrCat("<rect class=\"", css_class, "\" x=\"", Coordinate(x1), "\" y=\"",
                      Coordinate(y1), "\" width=\"", Coordinate(x2 - x1), "\" height=\"",
                      Coordinate(y2 - y1), "\"/>");
}

std::string Text(absl::string_view css_class, absl::string_view anchor, double x, double y,
                 absl::string_view text) {
  return absl::StrCat("<text class=\"", css_class, "\" text-anchor=\"", anchor, "\" x=\"",
                      Coordinate(x), "\" y=\"", Coordinate(y), "\">", Escape(text), "</text>");
}

bool Finite(std::initializer_list<double> values) {
  return std::all_of(values.begin(), values.end(), [](double v) { return std::isfinite(v); });
}

// The samples of one side that can be drawn, ascending, and how many could not.
struct Drawable {
  std::vector<double> samples;
  std::size_t dropped = 0;
};

Drawable FiniteSorted(const std::vector<double>& values) {
  Drawable d;
  for (double v : values) {
    if (std::isfinite(v)) d.samples.push_back(v);
  }
  std::sort(d.samples.begin(), d.samples.end());
  d.dropped = values.size() - d.samples.size();
  return d;
}

// "10 samples from 1.00 ms to 1.20 ms", or "1 sample, 1.00 ms"; `sorted` is not empty.
std::string SampleRange(const std::vector<double>& sorted) {
  if (sorted.size() == 1) return absl::StrCat("1 sample, ", FormatDuration(sorted.front()));
  return absl::StrCat(sorted.size(), " samples from ", FormatDuration(sorted.front()), " to ",
                      FormatDuration(sorted.back()));
}

// " 2 non-finite samples are not drawn.", or "" when none was dropped.
std::string DroppedNote(std::size_t dropped) {
  if (dropped == 0) return "";
  return absl::StrCat(" ", dropped, " non-finite ", dropped == 1 ? "sample is" : "samples are",
                      " not drawn.");
}

// One dot of class `css_class` per value of `sorted` on the row centred at `y`.
std::string Dots(const std::vector<double>& sorted, const Axis& axis, double y,
                 absl::string_view css_class) {
  std::vector<double> xs;
  xs.reserve(sorted.size());
  for (double s : sorted) xs.push_back(axis.X(s));
  const std::vector<int> levels = StackLevels(xs);
  std::string dots;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    absl::StrAppend(&dots, "<circle class=\"", css_class, "\" cx=\"", Coordinate(xs[i]), "\" cy=\"",
                    Coordinate(y + levels[i] * kLevelStep), "\" r=\"", Coordinate(kDotRadius),
                    "\"/>");
  }
  return dots;
}

}  // namespace

std::string SampleChart(const ChartInput& input, absl::string_view element_id) {
  if (input.candidate == nullptr) return "";
  std::vector<double> times;
  for (const Repetition& r : input.candidate->repetitions) times.push_back(r.real_time_ns);
  const Drawable candidate = FiniteSorted(times);
  if (candidate.samples.empty()) return "";

  std::vector<double> domain = candidate.samples;
  const Summary& summary = input.candidate->summary;
  const bool has_median = Finite({summary.median_ns});
  const bool has_median_ci = Finite({summary.median_lower_ns, summary.median_upper_ns});
  if (has_median) domain.push_back(summary.median_ns);
  if (has_median_ci)
    domain.insert(domain.end(), {summary.median_lower_ns, summary.median_upper_ns});

  // The baseline is drawn only when the verdict compared the two runs: an incomparable baseline
  // on the same axis would invite the comparison the verdict refuses.
  const ComparedBenchmark* c = input.compared;
  const bool has_baseline = c != nullptr && c->verdict != Verdict::kIncomparable &&
                            c->baseline_repetitions > 0 && Finite({c->baseline_median_ns});
  const Drawable baseline = has_baseline ? FiniteSorted(c->baseline_samples_ns) : Drawable{};
  domain.insert(domain.end(), baseline.samples.begin(), baseline.samples.end());
  const double base = has_baseline ? c->baseline_median_ns : 0;
  const double band_lower = base * (1 - (has_baseline ? c->noise_band : 0));
  const double band_upper = base * (1 + (has_baseline ? c->noise_band : 0));
  const bool has_band = has_baseline && c->noise_band > 0 && Finite({band_lower, band_upper});
  if (has_baseline) domain.push_back(base);
  if (has_band) domain.insert(domain.end(), {band_lower, band_upper});
  // The ratio's interval is relative to the baseline median; on the time axis it shows where the
  // candidate's median may lie against the band, which is what the verdict decides on.
  const bool has_change =
      has_baseline && c->ratio.has_value() &&
      Finite({base * c->ratio->lower, base * c->ratio->upper, base * c->ratio->estimate});
  if (has_change) {
    domain.insert(domain.end(),
                  {base * c->ratio->lower, base * c->ratio->upper, base * c->ratio->estimate});
  }
  const Axis axis(domain);

  const int rows = 1 + (has_baseline ? 1 : 0) + (has_change ? 1 : 0);
  const double height = kTop + rows * kRowHeight + kAxisHeight;
  const auto row_centre = [](int row) { return kTop + (row + 0.5) * kRowHeight; };
  const auto row_label = [&](int row, absl::string_view label) {
    return Text("row-label", "start", 0, row_centre(row) + 4, label);
  };

  // The description first: it is what a screen reader says instead of the drawing.
  std::string description = absl::StrCat(input.id, " on ", input.platform,
                                         ". Candidate: ", SampleRange(candidate.samples));
  if (candidate.samples.size() > 1) {
    if (has_median) absl::StrAppend(&description, ", median ", FormatDuration(summary.median_ns));
    if (has_median_ci) {
      absl::StrAppend(&description, " (95% CI ", FormatDuration(summary.median_lower_ns), " to ",
                      FormatDuration(summary.median_upper_ns), ")");
    }
  }
  absl::StrAppend(&description, ".", DroppedNote(candidate.dropped));
  if (has_baseline) {
    description += " Baseline: ";
    if (baseline.samples.empty()) {
      // A comparison not made by vmbench's CompareRuns may carry the median and count only.
      absl::StrAppend(&description, "median ", FormatDuration(base), " of ",
                      c->baseline_repetitions, " repetitions");
    } else {
      description += SampleRange(baseline.samples);
      if (baseline.samples.size() > 1) {
        absl::StrAppend(&description, ", median ", FormatDuration(base));
      }
    }
    absl::StrAppend(&description, ".", DroppedNote(baseline.dropped));
  } else if (c != nullptr && c->verdict == Verdict::kIncomparable) {
    description += " Baseline not drawn: the runs are not comparable.";
  }
  if (has_change) {
    absl::StrAppend(&description, " Change ", FormatChange(*c->ratio),
                    absl::StrFormat(" against a noise band of ±%.1f%%", c->noise_band * 100), ".");
  }
  if (c != nullptr) absl::StrAppend(&description, " Verdict: ", VerdictName(c->verdict), ".");

  std::string svg =
      absl::StrCat("<svg class=\"chart\" role=\"img\" aria-labelledby=\"", element_id,
                   "\" width=\"", Coordinate(kWidth), "\" height=\"", Coordinate(height),
                   "\" viewBox=\"0 0 ", Coordinate(kWidth), " ", Coordinate(height),
                   "\"><title id=\"", element_id, "\">", Escape(description), "</title>");
  if (has_band) {
    absl::StrAppend(
        &svg, Rect("band", axis.X(band_lower), kTop, axis.X(band_upper), kTop + rows * kRowHeight));
  }
  int row = 0;
  if (has_baseline) {
    const double y = row_centre(row);
    absl::StrAppend(&svg, row_label(row, "baseline"),
                    Dots(baseline.samples, axis, y, "dot baseline"),
                    Line("median baseline", axis.X(base), y - kRowHeight / 2 + 2, axis.X(base),
                         y + kRowHeight / 2 - 2));
    ++row;
  }
  const double y = row_centre(row);
  absl::StrAppend(&svg, row_label(row, "candidate"));
  if (has_median_ci) {
    absl::StrAppend(&svg, Rect("median-ci", axis.X(summary.median_lower_ns), y - kBarHeight / 2,
                               axis.X(summary.median_upper_ns), y + kBarHeight / 2));
  }
  svg += Dots(candidate.samples, axis, y, "dot");
  if (has_median) {
    absl::StrAppend(&svg, Line("median", axis.X(summary.median_ns), y - kRowHeight / 2 + 2,
                               axis.X(summary.median_ns), y + kRowHeight / 2 - 2));
  }
  ++row;
  if (has_change) {
    const double change_y = row_centre(row);
    const std::string verdict_class = absl::StrCat("v-", VerdictName(c->verdict));
    absl::StrAppend(
        &svg, row_label(row, "change"),
        Line(absl::StrCat("change ", verdict_class), axis.X(base * c->ratio->lower), change_y,
             axis.X(base * c->ratio->upper), change_y),
        Line(absl::StrCat("change-mark ", verdict_class), axis.X(base * c->ratio->estimate),
             change_y - kBarHeight, axis.X(base * c->ratio->estimate), change_y + kBarHeight));
  }

  const double axis_y = kTop + rows * kRowHeight + 2;
  absl::StrAppend(&svg, Line("axis", kPlotLeft, axis_y, kPlotRight, axis_y));
  const double label_y = axis_y + 12;
  if (axis.lo() == axis.hi()) {
    absl::StrAppend(&svg,
                    Text("tick", "middle", axis.X(axis.lo()), label_y, FormatDuration(axis.lo())));
  } else {
    absl::StrAppend(&svg, Text("tick", "start", kPlotLeft, label_y, FormatDuration(axis.lo())),
                    Text("tick", "middle", (kPlotLeft + kPlotRight) / 2, label_y,
                         FormatDuration(axis.lo() / 2 + axis.hi() / 2)),
                    Text("tick", "end", kPlotRight, label_y, FormatDuration(axis.hi())));
  }
  svg += "</svg>";
  return svg;
}

}  // namespace vmbench::html
