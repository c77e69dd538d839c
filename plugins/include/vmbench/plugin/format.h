// vmbench plugin SDK: formatting helpers for human-readable reporters.
//
// Durations and throughputs with human units, and an aligned plain-text table. Used by the
// console reporter and the CLI; available to any reporter so figures look the same everywhere.

#ifndef VMBENCH_PLUGIN_FORMAT_H_
#define VMBENCH_PLUGIN_FORMAT_H_

#include <ostream>
#include <string>
#include <vector>

#include "vmbench/plugin/results.h"

namespace vmbench {

// A duration in nanoseconds with three significant digits and a unit among ns, µs, ms and s:
// 12.3 ns, 1.50 µs, 250 ms, 3.00 s.
std::string FormatDuration(double ns);

// What `throughput` per iteration means at `ns_per_iteration`: "1.25 GiB/s" for bytes (binary
// units), "3.40 M/s" for elements (decimal units); "" for none or a zero time.
std::string FormatThroughput(const Throughput& throughput, double ns_per_iteration);

// A relative change in percent with one decimal and a sign: 1.12 -> "+12.0%", 0.95 -> "-5.0%",
// 1.0 -> "+0.0%".
std::string FormatPercentChange(double ratio);

// A ratio with its interval as relative changes: "+12.0% [+8.0%, +16.0%]".
std::string FormatChange(const RatioEstimate& ratio);

// A p-value for people: "p=0.0004", "p<0.0001".
std::string FormatPValue(double p);

// A table of text cells printed with aligned columns. Numeric-looking columns can be right-aligned.
class TextTable {
 public:
  enum class Align { kLeft, kRight };

  // `header` names the columns; `align` gives each column's alignment (default left).
  explicit TextTable(std::vector<std::string> header, std::vector<Align> align = {});

  // Adds a row; missing cells are empty, extra cells are dropped.
  void AddRow(std::vector<std::string> row);

  // Prints the header, a rule of dashes, and the rows, columns separated by two spaces, with no
  // trailing spaces. Widths count UTF-8 code points, so "µs" is two columns wide.
  void Print(std::ostream& out) const;

 private:
  std::vector<std::string> header_;
  std::vector<Align> align_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace vmbench

#endif  // VMBENCH_PLUGIN_FORMAT_H_
