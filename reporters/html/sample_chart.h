// The chart of one benchmark: an inline SVG element that shows its samples, so that a reader sees
// noise and shift at a glance.
//
//   baseline   |    ·:· ┊  ·              one dot per baseline repetition and the baseline's
//              |    ░░░░┊░░░░             median as a dashed tick, inside the shaded noise band
//   candidate  |      ·  ·:· ━━┃━━ ·      one dot per repetition (stacked where they would
//              |                          overlap), the median as a tall tick, its 95% CI as a bar
//   change     |           ━━━━┃━━━━      the ratio's 95% CI times the baseline median, in the
//              |                          verdict's colour: beyond the band on one side = a verdict
//              1.00 ms   1.10 ms   1.20 ms
//
// One linear time axis per chart, shared by its rows and fitted to everything drawn. Non-finite
// values are left out and counted in the description; every coordinate written is finite. Each
// chart has a <title> that says in words what it shows (referenced by aria-labelledby).

#ifndef VMBENCH_REPORTERS_HTML_SAMPLE_CHART_H_
#define VMBENCH_REPORTERS_HTML_SAMPLE_CHART_H_

#include <string>

#include "absl/strings/string_view.h"
#include "vmbench/plugin/results.h"

namespace vmbench::html {

// What one chart is drawn from.
struct ChartInput {
  absl::string_view id;        // the benchmark id, for the description
  absl::string_view platform;  // the platform name, for the description
  // The candidate's result; null when the benchmark is only in the baseline.
  const BenchmarkResult* candidate = nullptr;
  // The benchmark's comparison row; null when its platform has no baseline.
  const ComparedBenchmark* compared = nullptr;
};

// The <svg> element of the chart, with `element_id` (unique in the page, and not derived from
// result files) as the id of its title. Empty when the candidate has no finite sample: there is
// nothing to show noise or shift of.
std::string SampleChart(const ChartInput& input, absl::string_view element_id);

}  // namespace vmbench::html

#endif  // VMBENCH_REPORTERS_HTML_SAMPLE_CHART_H_
